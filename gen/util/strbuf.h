/* Growable string builder (heap-backed so it can outlive an arena). */
#ifndef STAPGEN_STRBUF_H
#define STAPGEN_STRBUF_H
#include <stdarg.h>
#include <stddef.h>

typedef struct strbuf {
	char *buf;	/* always NUL-terminated once anything was added */
	size_t len, cap;
} strbuf;

#define STRBUF_INIT { NULL, 0, 0 }

void sb_free(strbuf *sb);
void sb_reset(strbuf *sb);
void sb_putc(strbuf *sb, char c);
void sb_puts(strbuf *sb, const char *s);
void sb_putn(strbuf *sb, const char *s, size_t n);
void sb_printf(strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void sb_vprintf(strbuf *sb, const char *fmt, va_list ap);
/* n spaces / tabs of indentation */
void sb_indent(strbuf *sb, int tabs);
const char *sb_str(const strbuf *sb);	/* "" when empty */

#endif
