/* Text from specs and from stap on its way to a terminal, a shell script
 * or a C file: which characters are safe to show as themselves, and an
 * escaped form for the others. */
#ifndef STAPGEN_TEXT_H
#define STAPGEN_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "strbuf.h"

/* Bytes in the valid UTF-8 character at s[i] (i < n), its code point in
 * *cp; 0 when the bytes there are not valid UTF-8 (overlong, surrogate,
 * > U+10FFFF, cut short). */
size_t text_utf8(const char *s, size_t i, size_t n, unsigned long *cp);

/* A character a terminal does not show as itself: C0 controls (tab
 * included), DEL, C1 controls (U+0080-U+009F: U+009B is CSI), and the
 * Unicode bidirectional controls that reorder what follows them
 * (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069). */
bool text_cp_unsafe(unsigned long cp);

/* Offset of the first unsafe character or invalid UTF-8 byte in s[0..n),
 * or n when there is none. */
size_t text_find_unsafe(const char *s, size_t n);

/* s[0..n) with every unsafe character escaped: \n \t \r \e, \xHH for other
 * control and invalid bytes, \uXXXX for C1 and bidirectional controls.
 * With quoted, also \\ and \": the result reads back unambiguously
 * between double quotes. */
void text_escape(strbuf *o, const char *s, size_t n, bool quoted);

/* fputs of the escaped (unquoted) form. */
void text_fputs(FILE *f, const char *s);

#endif
