#include "source.h"

#include "arena.h"

#include <string.h>

source *source_new(arena *a, const char *path, const char *text, size_t len)
{
	source *s = arena_alloc(a, sizeof *s);
	s->path = arena_strdup(a, path);
	s->text = text;
	s->len = len;
	size_t n = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			n++;
	s->line_starts = arena_alloc(a, n * sizeof(size_t));
	s->line_starts[0] = 0;
	size_t k = 1;
	for (size_t i = 0; i < len; i++)
		if (text[i] == '\n')
			s->line_starts[k++] = i + 1;
	s->nlines = n;
	return s;
}

size_t source_offset(const source *src, unsigned line, unsigned col)
{
	if (line == 0 || line > src->nlines)
		return src->len;
	size_t off = src->line_starts[line - 1] + (col ? col - 1 : 0);
	return off > src->len ? src->len : off;
}

srcloc source_loc_at(const source *src, size_t off)
{
	srcloc l = { src, 1, 1, 1 };
	if (off > src->len)
		off = src->len;
	size_t lo = 0, hi = src->nlines;
	while (hi - lo > 1) {	/* last line start <= off */
		size_t mid = (lo + hi) / 2;
		if (src->line_starts[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	l.line = (unsigned)lo + 1;
	l.col = (unsigned)(off - src->line_starts[lo]) + 1;
	return l;
}

const char *source_line(const source *src, unsigned line, size_t *len)
{
	if (line == 0 || line > src->nlines) {
		*len = 0;
		return "";
	}
	size_t start = src->line_starts[line - 1];
	size_t end = line < src->nlines ? src->line_starts[line] : src->len;
	while (end > start && (src->text[end - 1] == '\n' || src->text[end - 1] == '\r'))
		end--;
	*len = end - start;
	return src->text + start;
}
