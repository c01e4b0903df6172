/* Arena allocator: every generator allocation lives until arena_free(). */
#ifndef STAPGEN_ARENA_H
#define STAPGEN_ARENA_H
#include <stddef.h>

typedef struct arena_block arena_block;
typedef struct arena {
	arena_block *head;
	size_t used_total;	/* bytes handed out, for limits and tests */
	size_t limit;		/* 0 = unlimited; past it, allocation aborts cleanly */
} arena;

void arena_init(arena *a);
void arena_free(arena *a);
/* Zeroed, 16-byte aligned.  Exits with status 1 and a message on exhaustion:
 * the limit is a hostile-input guard, not a recoverable condition. */
void *arena_alloc(arena *a, size_t n);
void *arena_realloc(arena *a, void *old, size_t oldn, size_t newn);
char *arena_strdup(arena *a, const char *s);
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_printf(arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Growable array of pointers, arena-backed. */
typedef struct ptrvec {
	void **items;
	size_t len, cap;
} ptrvec;
void ptrvec_push(arena *a, ptrvec *v, void *item);

#endif
