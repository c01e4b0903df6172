/* Diagnostics: `file:line:col: error: message`, the source line, a caret. */
#ifndef STAPGEN_DIAG_H
#define STAPGEN_DIAG_H
#include <stdio.h>

#include "source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE } diag_level;

typedef struct diag_sink {
	FILE *out;		/* where diagnostics are printed as they come */
	unsigned errors, warnings;
	unsigned max_errors;	/* stop printing after this many (0 = 50) */
	int color;		/* reserved; output is plain for golden tests */
} diag_sink;

void diag_init(diag_sink *d, FILE *out);
void diag_report(diag_sink *d, diag_level lvl, srcloc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define diag_error(d, loc, ...) diag_report((d), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_report((d), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(d, loc, ...) diag_report((d), DIAG_NOTE, (loc), __VA_ARGS__)

/* Closest candidate to `word` by edit distance, or NULL when nothing is
 * close enough to be a plausible typo. */
const char *diag_suggest(const char *word, const char *const *cands, size_t n);
/* Damerau-free Levenshtein distance, capped at cap+1. */
unsigned edit_distance(const char *a, const char *b, unsigned cap);

#endif
