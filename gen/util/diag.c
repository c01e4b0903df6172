#include "diag.h"

#include <stdarg.h>
#include <string.h>

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

/* Prints the source line with control bytes made visible, then a caret line
 * that lines up with it (tabs are echoed so terminals align them). */
static void print_excerpt(FILE *out, srcloc loc)
{
	size_t len;
	const char *line = source_line(loc.src, loc.line, &len);
	if (len > 300)	/* very long lines: show a window around the column */
		len = 300;
	fputs("  ", out);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)line[i];
		fputc(c == '\t' || c >= 0x20 ? c : '?', out);
	}
	fputs("\n  ", out);
	size_t col = loc.col ? loc.col - 1 : 0;
	for (size_t i = 0; i < col && i < len; i++)
		fputc(line[i] == '\t' ? '\t' : ' ', out);
	/* UTF-8 continuation bytes take no column of their own on screen */
	fputc('^', out);
	for (unsigned i = 1; i < loc.len && col + i < len; i++)
		if (((unsigned char)line[col + i] & 0xC0) != 0x80)
			fputc('~', out);
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
		if (d->errors == cap + 1)
			fprintf(d->out, "stapgen: too many errors, stopping output\n");
		return;
	}
	if (!d->out)
		return;
	if (loc.src)
		fprintf(d->out, "%s:%u:%u: ", loc.src->path, loc.line, loc.col);
	else
		fputs("stapgen: ", d->out);
	fprintf(d->out, "%s: ", level_name(lvl));
	va_list ap;
	va_start(ap, fmt);
	vfprintf(d->out, fmt, ap);
	va_end(ap);
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
