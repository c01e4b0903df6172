/* A source file held in memory, and positions inside it. */
#ifndef STAPGEN_SOURCE_H
#define STAPGEN_SOURCE_H
#include <stddef.h>

typedef struct source {
	const char *path;	/* as given on the command line */
	const char *text;	/* NUL-terminated copy; may contain NULs before len */
	size_t len;
	size_t *line_starts;	/* byte offset of each line's first byte */
	size_t nlines;
} source;

/* A position in a source: 1-based line and byte column, plus a length in
 * bytes for underlining (0 or 1 = caret only).  src == NULL means unknown. */
typedef struct srcloc {
	const source *src;
	unsigned line, col;
	unsigned len;
} srcloc;

struct arena;
/* Builds the line index over text (which must stay alive). */
source *source_new(struct arena *a, const char *path, const char *text, size_t len);
/* Offset of (line, col) in src->text, or src->len when out of range. */
size_t source_offset(const source *src, unsigned line, unsigned col);
/* Line number and column of a byte offset. */
srcloc source_loc_at(const source *src, size_t off);
/* Start and length of line `line` without its terminator (CR LF or LF). */
const char *source_line(const source *src, unsigned line, size_t *len);

#endif
