#include "text.h"

#include <string.h>

size_t text_utf8(const char *s, size_t i, size_t n, unsigned long *cp)
{
	const unsigned char *u = (const unsigned char *)s + i;
	size_t w, room = n - i;
	unsigned long c, min;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	if (u[0] >= 0xC2 && u[0] <= 0xDF)
		w = 2, c = u[0] & 0x1F, min = 0x80;
	else if (u[0] >= 0xE0 && u[0] <= 0xEF)
		w = 3, c = u[0] & 0x0F, min = 0x800;
	else if (u[0] >= 0xF0 && u[0] <= 0xF4)
		w = 4, c = u[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (room < w)
		return 0;
	for (size_t k = 1; k < w; k++) {
		if ((u[k] & 0xC0) != 0x80)
			return 0;
		c = c << 6 | (u[k] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return w;
}

bool text_cp_unsafe(unsigned long cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0x061C || cp == 0x200E ||
	       cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

size_t text_find_unsafe(const char *s, size_t n)
{
	for (size_t i = 0, w; i < n; i += w) {
		unsigned long cp;
		w = text_utf8(s, i, n, &cp);
		if (!w || text_cp_unsafe(cp))
			return i;
	}
	return n;
}

void text_escape(strbuf *o, const char *s, size_t n, bool quoted)
{
	for (size_t i = 0, w; i < n; i += w) {
		unsigned long cp;
		w = text_utf8(s, i, n, &cp);
		if (!w) {
			sb_printf(o, "\\x%02X", (unsigned char)s[i]);
			w = 1;
		} else if (quoted && (cp == '\\' || cp == '"')) {
			sb_putc(o, '\\');
			sb_putc(o, (char)cp);
		} else if (!text_cp_unsafe(cp)) {
			sb_putn(o, s + i, w);
		} else if (cp == '\n') {
			sb_puts(o, "\\n");
		} else if (cp == '\t') {
			sb_puts(o, "\\t");
		} else if (cp == '\r') {
			sb_puts(o, "\\r");
		} else if (cp == 0x1B) {
			sb_puts(o, "\\e");
		} else if (cp < 0x80) {
			sb_printf(o, "\\x%02X", (unsigned)cp);
		} else {
			sb_printf(o, "\\u%04lX", cp);
		}
	}
}

void text_fputs(FILE *f, const char *s)
{
	size_t n = strlen(s);
	if (text_find_unsafe(s, n) == n) {
		fputs(s, f);
		return;
	}
	strbuf b = STRBUF_INIT;
	text_escape(&b, s, n, false);
	fputs(sb_str(&b), f);
	sb_free(&b);
}
