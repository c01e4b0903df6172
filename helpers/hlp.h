/* Shared pieces of the helper commands (check-debug-info, resolve-inlines,
 * resolve-src-lines): messages, a string builder, number parsing, option
 * values and an output file that only appears once it is complete. */
#ifndef STAPGEN_HLP_H
#define STAPGEN_HLP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by the helpers. */
enum { HLP_OK = 0, HLP_ERR = 1, HLP_USAGE = 2 };

/* The program name used in messages (basename of argv[0]). */
extern const char *hlp_prog;
void hlp_set_prog(const char *argv0, const char *fallback);

/* "PROG: message" on stderr. */
void hlp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte string; on allocation failure it exits (status 1): the
 * helpers have no useful way to go on without memory. */
typedef struct {
    char *s;
    size_t len, cap;
} hlp_sb;

void hlp_sb_put(hlp_sb *b, const char *s, size_t n);
void hlp_sb_puts(hlp_sb *b, const char *s);
void hlp_sb_putc(hlp_sb *b, char c);
void hlp_sb_printf(hlp_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hlp_sb_free(hlp_sb *b);
void *hlp_xmalloc(size_t n);
void *hlp_xcalloc(size_t n, size_t size);
char *hlp_xstrdup(const char *s);

/* Parses an unsigned number, "0x" hex or decimal, the whole of s.
 * 1 on success, 0 on garbage or overflow. */
int hlp_parse_u64(const char *s, unsigned long long *v);
/* Parses a PID (1 .. INT_MAX).  1 on success. */
int hlp_parse_pid(const char *s, int *pid);
/* Hex digits at s[0..n) with overflow check: returns the count of digits
 * used (0 if none or if the value does not fit 64 bits). */
size_t hlp_hex(const char *s, size_t n, unsigned long long *v);

/* Matches argv[*i] against -s / --lng; takes the value from "-sVAL",
 * "--lng=VAL" or the next argument.  1 matched, 0 not, -1 value missing. */
int hlp_opt(int argc, char **argv, int *i, char s, const char *lng, const char **val);

/* Output to PATH (or stdout when PATH is NULL or "-"): written to a
 * temporary file beside PATH and renamed over it by hlp_out_close(ok=1),
 * so PATH never holds partial output; removed on failure or on SIGINT,
 * SIGTERM, SIGHUP or SIGPIPE.  NULL (and a message) on error. */
FILE *hlp_out_open(const char *path);
/* Finishes the output: 0 on success, 1 on a write error (reported). */
int hlp_out_close(FILE *f, int ok);

#endif
