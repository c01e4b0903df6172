#include "diag.h"

#include <stdarg.h>
#include <string.h>

#include "strbuf.h"
#include "text.h"

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
	}
	return "error";
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
static void print_excerpt(FILE *out, srcloc loc)
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
	fputc('^', out);
	/* the underline: one '~' per further character of the token */
	size_t stop = col + (loc.len > 1 ? loc.len : 1);
	if (stop > end)
		stop = end;
	for (i += i < end ? ((w = shown_len(line, i, end)) ? w : 1) : 1; i < stop; i += w ? w : 1) {
		w = shown_len(line, i, end);
		fputc('~', out);
	}
	fputc('\n', out);
}

void diag_report(diag_sink *d, diag_level lvl, srcloc loc, const char *fmt, ...)
{
	if (lvl == DIAG_ERROR)
		d->errors++;
	else if (lvl == DIAG_WARNING)
		d->warnings++;
	unsigned cap = d->max_errors ? d->max_errors : 50;
	if (lvl == DIAG_ERROR && d->errors > cap) {
		if (d->errors == cap + 1 && d->out)
			fprintf(d->out, "stapgen: too many errors, stopping output\n");
		return;
	}
	if (!d->out)
		return;
	if (loc.src) {
		text_fputs(d->out, loc.src->path);
		fprintf(d->out, ":%u:%u: ", loc.line, loc.col);
	} else {
		fputs("stapgen: ", d->out);
	}
	fprintf(d->out, "%s: ", level_name(lvl));
	/* messages quote spec text: what a terminal would act on (escape
	 * sequences, C1 controls such as CSI, bidirectional overrides) or
	 * that would start a line of its own is shown escaped */
	strbuf m = STRBUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	sb_vprintf(&m, fmt, ap);
	va_end(ap);
	text_fputs(d->out, sb_str(&m));
	sb_free(&m);
	fputc('\n', d->out);
	if (loc.src && loc.line >= 1 && loc.line <= loc.src->nlines)
		print_excerpt(d->out, loc);
}

unsigned edit_distance(const char *a, const char *b, unsigned cap)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return cap + 1;
	unsigned row[65];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (unsigned)j;
	for (size_t i = 1; i <= la; i++) {
		unsigned diag = row[0], best = row[0] = (unsigned)i;
		for (size_t j = 1; j <= lb; j++) {
			unsigned up = row[j];
			unsigned v = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < v)
				v = up + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
			if (v < best)
				best = v;
		}
		if (best > cap)
			return cap + 1;
	}
	return row[lb];
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
