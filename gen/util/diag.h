/* Diagnostics: `file:line:col: error: message`, the source line, a caret. */
#ifndef STAPGEN_DIAG_H
#define STAPGEN_DIAG_H
#include <stdio.h>

#include "source.h"

typedef enum { DIAG_ERROR, DIAG_WARNING, DIAG_NOTE, DIAG_HINT } diag_level;

typedef struct diag_entry diag_entry;
typedef struct diag_sink {
	FILE *out;		/* where diagnostics are printed */
	unsigned errors, warnings;
	unsigned max_errors;	/* stop printing after this many (0 = 50) */
	int color;		/* ANSI colours (see diag_color_choice) */
	/* sorted: keep diagnostics until diag_flush(), then print them by
	 * position (notes and hints stay with theirs); else print at once */
	int sorted;
	diag_entry *kept;
	size_t nkept, capkept;
} diag_sink;

void diag_init(diag_sink *d, FILE *out);
void diag_report(diag_sink *d, diag_level lvl, srcloc loc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A hint for the diagnostic reported last: "  hint: ..." under it. */
void diag_hint(diag_sink *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints what a sorted sink kept, by position, and frees it. */
void diag_flush(diag_sink *d);
/* --color=WHEN: "always" 1, "never" 0, "auto" (or NULL) 1 on a terminal
 * unless NO_COLOR is set and not empty; -1 for anything else. */
int diag_color_choice(const char *when, int is_tty, const char *no_color);
#define diag_error(d, loc, ...) diag_report((d), DIAG_ERROR, (loc), __VA_ARGS__)
#define diag_warning(d, loc, ...) diag_report((d), DIAG_WARNING, (loc), __VA_ARGS__)
#define diag_note(d, loc, ...) diag_report((d), DIAG_NOTE, (loc), __VA_ARGS__)

/* Closest candidate to `word` by edit distance, or NULL when nothing is
 * close enough to be a plausible typo. */
const char *diag_suggest(const char *word, const char *const *cands, size_t n);
/* Edit distance counting an adjacent transposition as 1, capped at cap+1. */
unsigned edit_distance(const char *a, const char *b, unsigned cap);

#endif
