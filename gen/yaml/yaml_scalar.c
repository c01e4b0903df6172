/* Scalar value -> file offset map.
 *
 * libyaml hands us a scalar's decoded value and the marks of its token, but
 * not where each byte of the value came from.  We re-walk the token with
 * libyaml's own rules (scan_plain_scalar, scan_flow_scalar,
 * scan_block_scalar in its scanner.c) and compare every byte we would
 * produce with the real value as we go: a rule we mirror wrongly shows up
 * as a mismatch, never as a silently wrong position. */
#include "yaml_scalar.h"

#include <limits.h>
#include <string.h>

typedef struct walk {
	const char *t;		/* source text, bounded by the token end */
	size_t n;
	const char *val;	/* libyaml's value */
	size_t len, pos;	/* bytes of val matched so far */
	unsigned *map;
	size_t end;		/* just past the source of the last byte */
	int ok;
} walk;

/* A run of blanks and line breaks between two pieces of content. */
typedef struct fold {
	size_t ws_start, ws_end;	/* blanks before the first break */
	int leading;		/* a line break (or escaped break) was seen */
	int has_lead;		/* ... and it is a real one, at `lead` */
	size_t lead;
	size_t tstart, tcount;	/* the empty lines after it */
} fold;

static void put(walk *w, char c, size_t off, size_t next)
{
	if (!w->ok || w->pos >= w->len || w->val[w->pos] != c) {
		w->ok = 0;
		return;
	}
	w->map[w->pos++] = (unsigned)off;
	w->end = next;
}

static int at(const walk *w, size_t i, char c)
{
	return i < w->n && w->t[i] == c;
}

static int is_blank(const walk *w, size_t i)
{
	return at(w, i, ' ') || at(w, i, '\t');
}

/* Length of the line break at i, 0 if none.  libyaml's set: CR LF, CR,
 * LF, NEL, LS, PS. */
static size_t brk_len(const walk *w, size_t i)
{
	const unsigned char *t = (const unsigned char *)w->t;
	if (i >= w->n)
		return 0;
	if (t[i] == '\r')
		return i + 1 < w->n && t[i + 1] == '\n' ? 2 : 1;
	if (t[i] == '\n')
		return 1;
	if (t[i] == 0xC2 && i + 1 < w->n && t[i + 1] == 0x85)
		return 2;
	if (t[i] == 0xE2 && i + 2 < w->n && t[i + 1] == 0x80 &&
	    (t[i + 2] == 0xA8 || t[i + 2] == 0xA9))
		return 3;
	return 0;
}

/* libyaml turns every break into '\n' except LS and PS, kept verbatim. */
static size_t put_break(walk *w, size_t i)
{
	size_t bl = brk_len(w, i);
	if (bl == 3)
		for (size_t k = 0; k < 3; k++)
			put(w, w->t[i + k], i + k, i + k + 1);
	else if (bl)
		put(w, '\n', i, i + bl);
	else
		w->ok = 0;
	return i + bl;
}

/* The breaks of `count` empty (blank-only) lines starting at i. */
static void put_breaks(walk *w, size_t i, size_t count)
{
	while (count-- && w->ok) {
		while (is_blank(w, i))
			i++;
		i = put_break(w, i);
	}
}

static size_t scan_blanks(const walk *w, size_t i, fold *f)
{
	f->ws_start = f->ws_end = i;
	for (;;) {
		size_t bl;
		if (is_blank(w, i)) {
			if (!f->leading)
				f->ws_end = i + 1;
			i++;
		} else if ((bl = brk_len(w, i)) != 0) {
			if (!f->leading) {
				f->leading = f->has_lead = 1;
				f->lead = i;
			} else if (f->tcount++ == 0) {
				f->tstart = i;
			}
			i += bl;
		} else {
			return i;
		}
	}
}

/* Flow folding (plain and quoted): one break becomes a space, n breaks
 * become n-1 newlines, blanks around breaks vanish. */
static void put_fold(walk *w, const fold *f)
{
	if (!f->leading) {
		for (size_t k = f->ws_start; k < f->ws_end; k++)
			put(w, w->t[k], k, k + 1);
	} else if (f->has_lead && brk_len(w, f->lead) != 3) {
		if (f->tcount == 0)
			put(w, ' ', f->lead, f->lead + brk_len(w, f->lead));
		else
			put_breaks(w, f->tstart, f->tcount);
	} else {
		if (f->has_lead)
			put_break(w, f->lead);
		put_breaks(w, f->tstart, f->tcount);
	}
}

static void walk_plain(walk *w, size_t i)
{
	while (i < w->n && w->ok) {
		if (is_blank(w, i) || brk_len(w, i)) {
			fold f = { 0 };
			i = scan_blanks(w, i, &f);
			if (i >= w->n)	/* trailing blanks are not part of it */
				break;
			put_fold(w, &f);
			continue;
		}
		put(w, w->t[i], i, i + 1);
		i++;
	}
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t utf8_encode(unsigned long cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xC0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xE0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
		out[2] = (char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
	out[3] = (char)(0x80 | (cp & 0x3F));
	return 4;
}

/* A backslash escape at i; every byte it yields maps to the backslash. */
static size_t put_escape(walk *w, size_t i)
{
	static const char simple_in[] = "0abt\tnvfre \"/\\";
	static const char simple_out[] = "\0\a\b\t\t\n\v\f\r\x1b \"/\\";
	char buf[4];
	size_t nbuf = 0, digits = 0;
	char c = i + 1 < w->n ? w->t[i + 1] : '\0';
	const char *p = c ? strchr(simple_in, c) : NULL;

	if (p) {
		buf[nbuf++] = simple_out[p - simple_in];
	} else if (c == 'N') {
		memcpy(buf, "\xC2\x85", nbuf = 2);
	} else if (c == '_') {
		memcpy(buf, "\xC2\xA0", nbuf = 2);
	} else if (c == 'L') {
		memcpy(buf, "\xE2\x80\xA8", nbuf = 3);
	} else if (c == 'P') {
		memcpy(buf, "\xE2\x80\xA9", nbuf = 3);
	} else if (c == 'x' || c == 'u' || c == 'U') {
		digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
		unsigned long cp = 0;
		for (size_t k = 0; k < digits; k++) {
			int h = i + 2 + k < w->n ? hexval(w->t[i + 2 + k]) : -1;
			if (h < 0) {
				w->ok = 0;
				return w->n;
			}
			cp = cp * 16 + (unsigned long)h;
		}
		if ((cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
			w->ok = 0;
			return w->n;
		}
		nbuf = utf8_encode(cp, buf);
	} else {
		w->ok = 0;
		return w->n;
	}
	size_t next = i + 2 + digits;
	for (size_t k = 0; k < nbuf; k++)
		put(w, buf[k], i, next);
	return next;
}

static void walk_quoted(walk *w, size_t i, int dbl)
{
	char q = w->t[i++];
	while (w->ok) {
		fold f = { 0 };
		while (i < w->n && !is_blank(w, i) && !brk_len(w, i) && w->ok) {
			if (!dbl && at(w, i, '\'') && at(w, i + 1, '\'')) {
				put(w, '\'', i, i + 2);
				i += 2;
			} else if (w->t[i] == q) {
				break;
			} else if (dbl && w->t[i] == '\\' && brk_len(w, i + 1)) {
				i += 1 + brk_len(w, i + 1);
				f.leading = 1;	/* escaped break: joins, no space */
				break;
			} else if (dbl && w->t[i] == '\\') {
				i = put_escape(w, i);
			} else {
				put(w, w->t[i], i, i + 1);
				i++;
			}
		}
		if (i >= w->n || !w->ok) {
			w->ok = 0;
			return;
		}
		if (w->t[i] == q) {
			w->end = i;
			return;
		}
		i = scan_blanks(w, i, &f);
		put_fold(w, &f);
	}
}

/* libyaml's scan_block_scalar_breaks: eats indentation and empty lines,
 * collecting the breaks in f, and settles the indentation when it is
 * auto-detected.  *col is the column reached on the first non-empty line. */
static size_t block_breaks(walk *w, size_t i, int *indent, int floor,
			   int *col, fold *f)
{
	int max_indent = 0;
	for (;;) {
		int c = 0;
		while ((!*indent || c < *indent) && at(w, i, ' ')) {
			i++;
			c++;
		}
		if (c > max_indent)
			max_indent = c;
		if ((!*indent || c < *indent) && at(w, i, '\t')) {
			w->ok = 0;
			return w->n;
		}
		*col = c;
		size_t bl = brk_len(w, i);
		if (!bl)
			break;
		if (f->tcount++ == 0)
			f->tstart = i;
		i += bl;
	}
	if (!*indent) {
		*indent = max_indent;
		if (*indent < floor)
			*indent = floor;
		if (*indent < 1)
			*indent = 1;
	}
	return i;
}

/* Header of a block scalar at i (| or >): chomping -1/0/+1, explicit
 * indentation 0-9; returns the offset just past the header's line break. */
static size_t block_header(const walk *w, size_t i, int *chomp, int *incr)
{
	*chomp = 0;
	*incr = 0;
	i++;
	for (int k = 0; k < 2; k++) {
		if (at(w, i, '+') || at(w, i, '-')) {
			*chomp = w->t[i++] == '+' ? 1 : -1;
		} else if (i < w->n && w->t[i] >= '1' && w->t[i] <= '9') {
			*incr = w->t[i++] - '0';
		}
	}
	while (is_blank(w, i))
		i++;
	if (at(w, i, '#'))
		while (i < w->n && !brk_len(w, i))
			i++;
	return i + brk_len(w, i);
}

/* `indent`: the content indentation when the header gives one, else 0 and
 * detected, never below `floor` (parent indentation + 1). */
static void walk_block(walk *w, size_t i, int indent, int floor)
{
	int literal = w->t[i] == '|', chomp, incr, col = 0;
	i = block_header(w, i, &chomp, &incr);
	fold tr = { 0 };	/* only tstart/tcount used: trailing breaks */
	int has_lead = 0, leading_blank = 0;
	size_t lead = 0;

	i = block_breaks(w, i, &indent, floor, &col, &tr);
	while (w->ok && i < w->n && col == indent) {
		int trailing_blank = is_blank(w, i);
		if (!literal && has_lead && brk_len(w, lead) != 3 &&
		    !leading_blank && !trailing_blank) {
			if (tr.tcount == 0)
				put(w, ' ', lead, lead + brk_len(w, lead));
		} else if (has_lead) {
			put_break(w, lead);
		}
		has_lead = 0;
		put_breaks(w, tr.tstart, tr.tcount);
		tr.tcount = 0;
		leading_blank = trailing_blank;
		while (i < w->n && !brk_len(w, i)) {
			put(w, w->t[i], i, i + 1);
			i++;
		}
		if (i < w->n) {
			has_lead = 1;
			lead = i;
			i += brk_len(w, i);
		}
		i = block_breaks(w, i, &indent, floor, &col, &tr);
	}
	if (chomp != -1 && has_lead)
		put_break(w, lead);
	if (chomp == 1)
		put_breaks(w, tr.tstart, tr.tcount);
}

static int run(walk *w, size_t start, yscalar_style style, int indent,
	       int floor)
{
	w->pos = 0;
	w->ok = 1;
	w->end = start + (style == YS_SINGLE || style == YS_DOUBLE);
	switch (style) {
	case YS_PLAIN:
		walk_plain(w, start);
		break;
	case YS_SINGLE:
	case YS_DOUBLE:
		walk_quoted(w, start, style == YS_DOUBLE);
		break;
	case YS_LITERAL:
	case YS_FOLDED:
		walk_block(w, start, indent, floor);
		break;
	}
	if (!w->ok || w->pos != w->len)
		return 0;
	w->map[w->len] = (unsigned)w->end;
	return 1;
}

/* The parent indentation is not always known (anchored or tagged block
 * collections hide it), so other candidates are tried; a wrong one fails
 * the comparison, usually on the first byte.  The retries are capped so a
 * hostile line of spaces cannot make this quadratic. */
#define MAX_INDENT_TRIES 256

static int run_block(walk *w, size_t start, yscalar_style style, int parent)
{
	int chomp, incr;
	block_header(w, start, &chomp, &incr);
	int known = parent != YSCALAR_INDENT_UNKNOWN;
	if (!incr) {
		if (known && run(w, start, style, 0, parent + 1))
			return 1;
		/* the floor only matters when no line reaches it */
		return run(w, start, style, 0, 0) ||
		       run(w, start, style, 0, INT_MAX / 2);
	}
	int first = parent >= 0 ? parent + incr : incr;
	if (known && run(w, start, style, first, 0))
		return 1;
	for (int j = 0; j < MAX_INDENT_TRIES; j++)
		if ((!known || incr + j != first) &&
		    run(w, start, style, incr + j, 0))
			return 1;
	return 0;
}

int yscalar_walk(const char *text, size_t start, size_t end,
		 yscalar_style style, int parent_indent,
		 const char *val, size_t len, unsigned *map)
{
	walk w = { text, end, val, len, 0, map, start, 1 };
	if (start > end)
		return 0;
	if (style == YS_LITERAL || style == YS_FOLDED)
		return run_block(&w, start, style, parent_indent);
	return run(&w, start, style, 0, 0);
}
