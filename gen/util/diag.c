#include "diag.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

/* A diagnostic kept for sorting. */
struct diag_entry {
	diag_level lvl;
	srcloc loc;
	char *msg;
	size_t seq;	/* report order */
	size_t group;	/* seq of the error/warning a note or hint belongs to */
	unsigned key_line, key_col;	/* that diagnostic's position */
};

/* More than this many kept diagnostics are counted, not kept: a hostile
 * spec cannot make the sink grow without bound. */
#define DIAG_KEEP_MAX 10000

void diag_init(diag_sink *d, FILE *out)
{
	memset(d, 0, sizeof *d);
	d->out = out;
	d->max_errors = 50;
}

static const char *level_name(diag_level l)
{
	switch (l) {
	case DIAG_ERROR: return "error";
	case DIAG_WARNING: return "warning";
	case DIAG_NOTE: return "note";
	case DIAG_HINT: return "hint";
	}
	return "error";
}

/* ANSI colours, as compilers use them: bold location, coloured level. */
#define C_BOLD "\033[1m"
#define C_RESET "\033[0m"
#define C_CARET "\033[1;32m"
static const char *level_color(diag_level l)
{
	switch (l) {
	case DIAG_ERROR: return "\033[1;31m";
	case DIAG_WARNING: return "\033[1;35m";
	case DIAG_NOTE: return "\033[1;36m";
	case DIAG_HINT: return "\033[1;32m";
	}
	return "";
}

int diag_color_choice(const char *when, int is_tty, const char *no_color)
{
	if (when && !strcmp(when, "always"))
		return 1;
	if (when && !strcmp(when, "never"))
		return 0;
	if (when && strcmp(when, "auto"))
		return -1;
	return is_tty && !(no_color && *no_color);
}

#define EXCERPT_MAX 300	/* bytes of a source line shown around the column */

static int is_cont(char c)
{
	return ((unsigned char)c & 0xC0) == 0x80;
}

/* Bytes in the character at line[i] (< end) when it is valid UTF-8 that a
 * terminal shows as itself; 0 for a byte shown as '?' instead (control
 * characters, DEL, C1 controls, bidirectional controls, invalid or cut
 * UTF-8). */
static size_t shown_len(const char *line, size_t i, size_t end)
{
	unsigned long cp;
	if (line[i] == '\t')
		return 1;
	size_t w = text_utf8(line, i, end, &cp);
	return w && !text_cp_unsafe(cp) ? w : 0;
}

/* Prints the source line, then a caret line that lines up with it: tabs
 * are echoed so terminals align them, every other character takes one
 * column, and bytes a terminal would not show as themselves (controls,
 * invalid UTF-8) are shown as '?'.  A very long line is shown as a window
 * of about EXCERPT_MAX bytes around the column, with "..." where it was
 * cut. */
static void print_excerpt(FILE *out, srcloc loc, int color)
{
	size_t len;
	const char *line = source_line(loc.src, loc.line, &len);
	size_t col = loc.col ? loc.col - 1 : 0;
	if (col > len)
		col = len;
	size_t start = 0, end = len;
	if (len > EXCERPT_MAX) {
		start = col > EXCERPT_MAX / 2 ? col - EXCERPT_MAX / 2 : 0;
		if (start > len - EXCERPT_MAX)
			start = len - EXCERPT_MAX;
		end = start + EXCERPT_MAX;
		while (start < col && is_cont(line[start]))	/* whole characters only */
			start++;
		while (end < len && end > col + 1 && is_cont(line[end]))
			end--;
	}
	fputs(start ? "  ..." : "  ", out);
	for (size_t i = start, w; i < end; i += w ? w : 1) {
		w = shown_len(line, i, end);
		if (w)
			fwrite(line + i, 1, w, out);
		else
			fputc('?', out);
	}
	fputs(end < len ? "...\n  " : "\n  ", out);
	if (start)
		fputs("   ", out);
	size_t i = start, w;
	for (; i < col; i += w ? w : 1) {
		w = shown_len(line, i, end);
		fputc(line[i] == '\t' ? '\t' : ' ', out);
	}
	if (color)
		fputs(C_CARET, out);
	fputc('^', out);
	/* the underline: one '~' per further character of the token */
	size_t stop = col + (loc.len > 1 ? loc.len : 1);
	if (stop > end)
		stop = end;
	for (i += i < end ? ((w = shown_len(line, i, end)) ? w : 1) : 1; i < stop; i += w ? w : 1) {
		w = shown_len(line, i, end);
		fputc('~', out);
	}
	if (color)
		fputs(C_RESET, out);
	fputc('\n', out);
}

/* One diagnostic with its excerpt; hints are one indented line. */
static void print_one(const diag_sink *d, diag_level lvl, srcloc loc, const char *msg)
{
	const char *lc = d->color ? level_color(lvl) : "", *rs = d->color ? C_RESET : "";
	/* messages quote spec text: what a terminal would act on (escape
	 * sequences, C1 controls such as CSI, bidirectional overrides) or
	 * that would start a line of its own is shown escaped */
	if (lvl == DIAG_HINT) {
		fprintf(d->out, "  %shint:%s ", lc, rs);
		text_fputs(d->out, msg);
		fputc('\n', d->out);
		return;
	}
	if (d->color)
		fputs(C_BOLD, d->out);
	if (loc.src) {
		text_fputs(d->out, loc.src->path);
		fprintf(d->out, ":%u:%u: ", loc.line, loc.col);
	} else {
		fputs("stapgen: ", d->out);
	}
	fprintf(d->out, "%s%s%s%s: ", rs, lc, level_name(lvl), rs);
	text_fputs(d->out, msg);
	fputc('\n', d->out);
	if (loc.src && loc.line >= 1 && loc.line <= loc.src->nlines)
		print_excerpt(d->out, loc, d->color);
}

/* Whether the cap on printed errors hides this one (counted elsewhere). */
static int over_cap(const diag_sink *d, unsigned nth_error)
{
	unsigned cap = d->max_errors ? d->max_errors : 50;
	if (nth_error == cap + 1 && d->out)
		fprintf(d->out, "stapgen: too many errors, stopping output\n");
	return nth_error > cap;
}

static void keep(diag_sink *d, diag_level lvl, srcloc loc, char *msg)
{
	if (d->nkept == DIAG_KEEP_MAX) {
		free(msg);
		return;
	}
	if (d->nkept == d->capkept) {
		size_t cap = d->capkept ? 2 * d->capkept : 16;
		diag_entry *k = realloc(d->kept, cap * sizeof *k);
		if (!k) {
			free(msg);
			return;
		}
		d->kept = k;
		d->capkept = cap;
	}
	diag_entry *e = &d->kept[d->nkept];
	*e = (diag_entry){ lvl, loc, msg, d->nkept, d->nkept, loc.src ? loc.line : 0,
			   loc.src ? loc.col : 0 };
	if (lvl >= DIAG_NOTE && d->nkept) {	/* sorts with the diagnostic it belongs to */
		const diag_entry *owner = &d->kept[d->nkept - 1];
		e->group = owner->group;
		e->key_line = owner->key_line;
		e->key_col = owner->key_col;
	}
	d->nkept++;
}

static void report(diag_sink *d, diag_level lvl, srcloc loc, const char *fmt, va_list ap)
{
	if (lvl == DIAG_ERROR)
		d->errors++;
	else if (lvl == DIAG_WARNING)
		d->warnings++;
	if (!d->out)
		return;
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		return;
	if (d->sorted) {
		keep(d, lvl, loc, msg);
		return;
	}
	if (!(lvl == DIAG_ERROR && over_cap(d, d->errors)))
		print_one(d, lvl, loc, msg);
	free(msg);
}

void diag_report(diag_sink *d, diag_level lvl, srcloc loc, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, lvl, loc, fmt, ap);
	va_end(ap);
}

void diag_hint(diag_sink *d, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	report(d, DIAG_HINT, (srcloc){ 0 }, fmt, ap);
	va_end(ap);
}

static int by_position(const void *pa, const void *pb)
{
	const diag_entry *a = pa, *b = pb;
	if (a->key_line != b->key_line)
		return a->key_line < b->key_line ? -1 : 1;
	if (a->key_col != b->key_col)
		return a->key_col < b->key_col ? -1 : 1;
	if (a->group != b->group)
		return a->group < b->group ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

void diag_flush(diag_sink *d)
{
	if (!d->nkept)
		return;
	qsort(d->kept, d->nkept, sizeof *d->kept, by_position);
	unsigned nth = 0;
	int hidden = 0;	/* the error these notes belong to was not printed */
	for (size_t i = 0; i < d->nkept; i++) {
		const diag_entry *e = &d->kept[i];
		if (e->lvl == DIAG_ERROR)
			hidden = over_cap(d, ++nth);
		else if (e->lvl == DIAG_WARNING)
			hidden = 0;
		if (!hidden)
			print_one(d, e->lvl, e->loc, e->msg);
		free(d->kept[i].msg);
	}
	free(d->kept);
	d->kept = NULL;
	d->nkept = d->capkept = 0;
}

/* Optimal string alignment: an adjacent transposition ("nmae" for "name")
 * costs 1, as it is one slip of the fingers. */
unsigned edit_distance(const char *a, const char *b, unsigned cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap + 1;
	unsigned rows[3][65], *prev2 = rows[0], *prev = rows[1], *row = rows[2];
	for (size_t j = 0; j <= lb; j++)
		prev[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned best = row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned v = prev[j - 1] + (a[i - 1] != b[j - 1]);
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			row[j] = v;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
		unsigned *t = prev2;
		prev2 = prev;
		prev = row;
		row = t;
	}
	return prev[lb];
}

const char *diag_suggest(const char *word, const char *const *cands, size_t n)
{
	size_t wl = strlen(word);
	unsigned cap = wl <= 3 ? 1 : wl <= 6 ? 2 : 3;
	const char *best = NULL;
	unsigned bestd = cap + 1;
	for (size_t i = 0; i < n; i++) {
		if (!cands[i])
			continue;
		unsigned dist = edit_distance(word, cands[i], cap);
		if (dist < bestd) {	/* first best wins: callers pass sorted lists */
			bestd = dist;
			best = cands[i];
		}
	}
	return best;
}
