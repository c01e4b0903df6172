/* stapgen_rt.c - runtime shared by every generated stapgen result parser.
 * See stapgen_rt.h for the wire format and the API. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* localtime_r, fileno, getc_unlocked */
#endif

#include "stapgen_rt.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#if defined(__GNUC__) || defined(__clang__)
#define SG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SG_PRINTF(a, b)
#endif

#if defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE >= 200112L
#define SG_GETC(f) getc_unlocked(f)
#else
#define SG_GETC(f) getc(f)
#endif

/* ========================================================================== */
/* built-in kinds                                                             */
/* ========================================================================== */

static const sg_field sg_stapgen_fields[] = {
    {"tool", SG_STRING, "TOOL", 0},
    {"version", SG_LONG, "VERSION", 0},
};
static const sg_field sg_report_fields[] = {
    {"report", SG_STRING, "REPORT", 0},
    {"ts", SG_TIME, "TS", 0},
};
const sg_kind sg_kind_stapgen = {"stapgen", SG_EVENT, sg_stapgen_fields, 2, 0, 0, 0, NULL};
const sg_kind sg_kind_report = {"report", SG_EVENT, sg_report_fields, 2, 0, 0, 0, NULL};
const sg_kind sg_kind_report_end = {"report_end", SG_EVENT, sg_report_fields, 1, 0, 0, 0, NULL};
const sg_kind sg_kind_end = {"end", SG_EVENT, NULL, 0, 0, 0, 0, NULL};

static const sg_kind *const sg_builtins[] = {
#define SG_BUILTIN_REF(n) &sg_kind_##n,
    SG_BUILTIN_KINDS(SG_BUILTIN_REF)
#undef SG_BUILTIN_REF
};
#define SG_NBUILTINS (sizeof sg_builtins / sizeof sg_builtins[0])

static int sg_is_builtin(const sg_kind *k)
{
    size_t i;
    for (i = 0; i < SG_NBUILTINS; i++)
        if (sg_builtins[i] == k)
            return 1;
    return 0;
}

/* Strings on the wire: SG_STRING and SG_STACK. */
static int sg_is_str(sg_type t) { return t == SG_STRING || t == SG_STACK; }

static int sg_is_hist(const sg_kind *k)
{
    return k->cls == SG_HIST_LOG2 || k->cls == SG_HIST_LINEAR;
}

/* ========================================================================== */
/* growable byte buffer                                                       */
/* ========================================================================== */

typedef struct sg_sb {
    char *p;
    size_t n, cap;
    int oom;
} sg_sb;

static int sb_reserve(sg_sb *b, size_t add)
{
    size_t want, ncap;
    char *np;
    if (b->oom)
        return 0;
    if (add > (size_t)-1 - b->n - 1) {
        b->oom = 1;
        return 0;
    }
    want = b->n + add + 1;
    if (want <= b->cap)
        return 1;
    ncap = b->cap ? b->cap : 256;
    while (ncap < want)
        ncap = ncap > (size_t)-1 / 2 ? want : ncap * 2;
    np = realloc(b->p, ncap);
    if (!np) {
        b->oom = 1;
        return 0;
    }
    b->p = np;
    b->cap = ncap;
    return 1;
}

static void sb_put(sg_sb *b, const char *s, size_t n)
{
    if (!n || !sb_reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_puts(sg_sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static void sb_putc(sg_sb *b, char c)
{
    if (!sb_reserve(b, 1))
        return;
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}

static void sb_rep(sg_sb *b, char c, size_t n)
{
    if (!n || !sb_reserve(b, n))
        return;
    memset(b->p + b->n, c, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void sb_printf(sg_sb *b, const char *fmt, ...) SG_PRINTF(2, 3);
static void sb_printf(sg_sb *b, const char *fmt, ...)
{
    char tmp[128];
    int n;
    va_list ap;
    va_start(ap, fmt);
    n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        sb_put(b, tmp, (size_t)n);
        return;
    }
    if (!sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->n += (size_t)n;
}

static void sb_ll(sg_sb *b, long long v)
{
    char buf[24], *e = buf + sizeof buf, *q = e;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        *--q = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        *--q = '-';
    sb_put(b, q, (size_t)(e - q));
}

static void sb_free(sg_sb *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* ========================================================================== */
/* text helpers                                                               */
/* ========================================================================== */

/* Length (2..4) of the valid, shortest-form UTF-8 sequence starting at s (whose
 * first byte is >= 0x80), with its code point; 0 if the bytes are not one. */
static size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned long v, min;
    size_t len, i;
    unsigned c = s[0];
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2; v = c & 0x1Fu; min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3; v = c & 0x0Fu; min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4; v = c & 0x07u; min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xC0u) != 0x80u)
            return 0;
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFFul || (v >= 0xD800ul && v <= 0xDFFFul))
        return 0;
    *cp = v;
    return len;
}

static const char *c_escape(unsigned char c)
{
    switch (c) {
    case '\a': return "\\a";
    case '\b': return "\\b";
    case '\f': return "\\f";
    case '\n': return "\\n";
    case '\r': return "\\r";
    case '\t': return "\\t";
    case '\v': return "\\v";
    case '\\': return "\\\\";
    default: return NULL;
    }
}

/* Bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9): shown as
 * themselves they reorder the text after them on a terminal. */
static int is_bidi(unsigned long cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* Table rendering of a string: printable ASCII and valid non-control UTF-8 as
 * is, everything else (C0/C1 controls, DEL, U+2028/9, bidirectional controls,
 * invalid UTF-8) C-escaped byte by byte, so a record stays on one line and
 * reads in the order it was written.  Returns the display width
 * (code points; East Asian wide characters are counted as 1). */
static size_t render_str(sg_sb *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, w = 0;
    while (i < n) {
        unsigned char c = s[i];
        const char *e = c_escape(c);
        if (e) {
            sb_puts(b, e);
            w += 2;
            i++;
        } else if (c >= 0x20 && c < 0x7f) {
            sb_putc(b, (char)c);
            w++;
            i++;
        } else {
            unsigned long cp = 0;
            size_t len = c >= 0x80 ? utf8_seq(s + i, n - i, &cp) : 0;
            if (len && cp >= 0xA0 && cp != 0x2028 && cp != 0x2029 && !is_bidi(cp)) {
                sb_put(b, (const char *)s + i, len);
                w++;
                i += len;
            } else {
                sb_printf(b, "\\%03o", (unsigned)c);
                w += 4;
                i++;
            }
        }
    }
    return w;
}

/* JSON string literal; invalid UTF-8 bytes become \u00XX of the byte. */
static void json_str(sg_sb *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, run;
    sb_putc(b, '"');
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
            run = i + 1;
            while (run < n && s[run] >= 0x20 && s[run] < 0x7f && s[run] != '"' && s[run] != '\\')
                run++;
            sb_put(b, (const char *)s + i, run - i);
            i = run;
            continue;
        }
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\b': sb_puts(b, "\\b"); break;
        case '\f': sb_puts(b, "\\f"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default:
            if (c >= 0x80) {
                unsigned long cp = 0;
                size_t len = utf8_seq(s + i, n - i, &cp);
                if (len) {
                    /* C1 controls and U+2028/9 escaped: they break line-based readers;
                     * bidirectional controls: they reorder a terminal's line */
                    if (cp < 0xA0 || cp == 0x2028 || cp == 0x2029 || is_bidi(cp))
                        sb_printf(b, "\\u%04lx", cp);
                    else
                        sb_put(b, (const char *)s + i, len);
                    i += len;
                    continue;
                }
            }
            sb_printf(b, "\\u%04x", (unsigned)c);
        }
        i++;
    }
    sb_putc(b, '"');
}

/* RFC 4180 field. */
static void csv_str(sg_sb *b, const char *s, size_t n)
{
    size_t i;
    int q = 0;
    for (i = 0; i < n; i++)
        if (s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n')
            q = 1;
    if (!q) {
        sb_put(b, s, n);
        return;
    }
    sb_putc(b, '"');
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            sb_putc(b, '"');
        sb_putc(b, s[i]);
    }
    sb_putc(b, '"');
}

/* A short, printable quotation of untrusted bytes for diagnostics. */
#define SG_SNIP_MAX 60
static void snip(char *dst, size_t dstsz, const char *src, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        char tmp[8];
        const char *e = c_escape(c);
        size_t tl;
        if (e) {
            tl = strlen(e);
            memcpy(tmp, e, tl);
        } else if (c == '"') {
            memcpy(tmp, "\\\"", 2);
            tl = 2;
        } else if (c >= 0x20 && c < 0x7f) {
            tmp[0] = (char)c;
            tl = 1;
        } else {
            tmp[0] = '\\';
            tmp[1] = (char)('0' + ((c >> 6) & 7));
            tmp[2] = (char)('0' + ((c >> 3) & 7));
            tmp[3] = (char)('0' + (c & 7));
            tl = 4;
        }
        if (o + tl > SG_SNIP_MAX || o + tl + 4 > dstsz) {
            if (o + 4 <= dstsz) {
                memcpy(dst + o, "...", 3);
                o += 3;
            }
            break;
        }
        memcpy(dst + o, tmp, tl);
        o += tl;
    }
    if (dstsz)
        dst[o < dstsz ? o : dstsz - 1] = '\0';
}

/* ========================================================================== */
/* backtraces                                                                 */
/* ========================================================================== */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static size_t hex_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
                     (s[i] >= 'A' && s[i] <= 'F')))
        i++;
    return i;
}

/* Length of "0xHEX" at s (at least one digit), else 0. */
static size_t hex_addr(const char *s, size_t n)
{
    size_t h;
    if (n < 3 || s[0] != '0' || s[1] != 'x')
        return 0;
    h = hex_run(s + 2, n - 2);
    return h ? h + 2 : 0;
}

/* The function name in one line of a SystemTap symbolic backtrace, as
 * s[*off, *off + *len); 0 if the line is no frame (blank, or a "<no ...
 * backtrace ...>" marker).  Lines as _stp_snprint_addr() prints them:
 *   sprint_[u]backtrace (_STP_SYM_SIMPLE):  "name+0xOFF [module]",
 *       "name+0xOFF", "0xADDR [module+0xOFF]", "0xADDR", maybe + " (inexact)"
 *   sprint_[u]stack / sprint_[u]syms:       " 0xADDR : " + [u]symdata(), i.e.
 *       "name+0xOFF/0xLEN [module]", "name+0xOFF/0xLEN",
 *       "0xADDR [module+0xOFF/0xLEN]" or "0xADDR". */
static int frame_name(const char *s, size_t n, size_t *off, size_t *len)
{
    size_t a = 0, b = n, i, h, pa = 0, pl = 0;
    while (a < b && is_blank(s[a]))
        a++;
    while (b > a && is_blank(s[b - 1]))
        b--;
    if (a == b)
        return 0;
    if (b - a >= 4 && memcmp(s + a, "<no ", 4) == 0 && s[b - 1] == '>')
        return 0;
    /* "0xADDR : rest" */
    h = hex_addr(s + a, b - a);
    if (h && b - a - h >= 2 && s[a + h] == ' ' && s[a + h + 1] == ':' &&
        (a + h + 2 == b || s[a + h + 2] == ' ')) {
        pa = a;
        pl = h;
        a += h + 2;
        while (a < b && is_blank(s[a]))
            a++;
        if (a == b) {
            *off = pa;
            *len = pl;
            return 1;
        }
    }
    /* unresolved: "0xADDR", "0xADDR [module+0xOFF...]", "0xADDR (inexact)" */
    h = hex_addr(s + a, b - a);
    if (h && (a + h == b || s[a + h] == ' ')) {
        *off = a;
        *len = h;
        return 1;
    }
    /* "name+0xOFF[/0xLEN][ ...]": the first such offset ends the name (C++
     * names may hold blanks and '+', never "+0x<hex>" then '/', ' ' or end) */
    for (i = a + 1; i + 3 < b; i++) {
        size_t e;
        if (s[i] != '+' || s[i + 1] != '0' || s[i + 2] != 'x')
            continue;
        h = hex_run(s + i + 3, b - i - 3);
        e = i + 3 + h;
        if (h && (e == b || s[e] == '/' || s[e] == ' ')) {
            b = i;
            goto done;
        }
    }
    /* "name [module]" */
    if (s[b - 1] == ']')
        for (i = a + 1; i + 1 < b; i++)
            if (s[i] == ' ' && s[i + 1] == '[') {
                b = i;
                break;
            }
done:
    while (b > a && is_blank(s[b - 1]))
        b--;
    *off = a;
    *len = b - a;
    return 1;
}

/* Appends a frame name made safe for folded lines (and XML): ';', blanks and
 * control characters (C0, DEL, C1, U+00A0, U+2028/9) become '_', bytes that
 * are not UTF-8 "\ooo".  Returns the width in code points. */
static size_t fold_name(sg_sb *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, w = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c < 0x80) {
            sb_putc(b, c <= 0x20 || c == 0x7f || c == ';' ? '_' : (char)c);
            w++;
            i++;
        } else {
            unsigned long cp = 0;
            size_t len = utf8_seq(s + i, n - i, &cp);
            if (!len) {
                sb_printf(b, "\\%03o", (unsigned)c);
                w += 4;
                i++;
                continue;
            }
            if (cp <= 0xA0 || cp == 0x2028 || cp == 0x2029)
                sb_putc(b, '_');
            else
                sb_put(b, (const char *)s + i, len);
            w++;
            i += len;
        }
    }
    return w;
}

/* Appends the frames of backtrace s[0..n) root first (the input is leaf
 * first), ';'-separated, with a ';' before the first one if sep.  Returns
 * the number of frames; *width grows by the display width. */
static size_t fold_stack(sg_sb *b, const char *s, size_t n, int sep, size_t *width)
{
    size_t end = n, frames = 0, w = 0;
    if (!s)
        return 0;
    while (end > 0) {
        size_t start = end, off, len;
        while (start > 0 && s[start - 1] != '\n')
            start--;
        if (frame_name(s + start, end - start, &off, &len)) {
            if (frames || sep) {
                sb_putc(b, ';');
                w++;
            }
            w += fold_name(b, s + start + off, len);
            frames++;
        }
        if (start == 0)
            break;
        end = start - 1;
    }
    if (width)
        *width += w;
    return frames;
}

/* ========================================================================== */
/* histograms                                                                 */
/* ========================================================================== */

/* *res = base + off (off >= 0); 0 on int64 overflow. */
static int add_off(long long base, unsigned long long off, long long *res)
{
    long long tmp;
    unsigned long long rest;
    if (off <= (unsigned long long)LLONG_MAX) {
        if (base > 0 && (long long)off > LLONG_MAX - base)
            return 0;
        *res = base + (long long)off;
        return 1;
    }
    if (base >= 0)
        return 0;
    tmp = base + LLONG_MAX;
    rest = off - (unsigned long long)LLONG_MAX;
    if (rest > (unsigned long long)LLONG_MAX)
        return 0;
    if (tmp > 0 && (long long)rest > LLONG_MAX - tmp)
        return 0;
    *res = tmp + (long long)rest;
    return 1;
}

static unsigned long long lin_span(const sg_kind *k)
{
    return (unsigned long long)k->lin_hi - (unsigned long long)k->lin_lo;
}

/* N = ceil((hi - lo) / step): the number of regular linear buckets. */
static unsigned long long lin_n(const sg_kind *k)
{
    /* SystemTap's @hist_linear(v, lo, hi, step) has (hi - lo) / step + 1
     * payload buckets (hi is inclusive), plus underflow and overflow. */
    unsigned long long span = lin_span(k), step = (unsigned long long)k->lin_step;
    return span / step + 1;
}

long long sg_hist_nbuckets(const sg_kind *k)
{
    unsigned long long n;
    if (!k)
        return 0;
    if (k->cls == SG_HIST_LOG2)
        return 128;
    if (k->cls != SG_HIST_LINEAR || k->lin_step <= 0 || k->lin_hi < k->lin_lo)
        return 0;
    n = lin_n(k);
    if (n > (unsigned long long)LLONG_MAX - 2)
        return LLONG_MAX;
    return (long long)n + 2;
}

static long long log2_low(long long b)
{
    if (b == 64)
        return 0;
    if (b == 0)
        return LLONG_MIN;
    if (b < 64)
        return -(1LL << (63 - b));
    return 1LL << (b - 65);
}

int sg_hist_bounds(const sg_kind *k, long long b, long long *low, long long *high)
{
    long long nb = sg_hist_nbuckets(k), l = 0, h = 0;
    int mask = 0;
    if (nb <= 0 || b < 0 || b >= nb)
        return -1;
    if (k->cls == SG_HIST_LOG2) {
        l = log2_low(b);
        mask = 1;
        if (b < 127) {
            h = log2_low(b + 1);
            mask |= 2;
        }
    } else if (b == 0) {
        h = k->lin_lo;
        mask = 2;
    } else {
        unsigned long long step = (unsigned long long)k->lin_step;
        unsigned long long i = (unsigned long long)b - 1; /* i <= N */
        if ((i == 0 || step <= ULLONG_MAX / i) && add_off(k->lin_lo, i * step, &l)) {
            mask = 1;
            if (b < nb - 1 && add_off(l, step, &h))
                mask |= 2;
        }
    }
    if (low)
        *low = l;
    if (high)
        *high = h;
    return mask;
}

/* ========================================================================== */
/* reader                                                                     */
/* ========================================================================== */

struct sg_reader {
    FILE *in;
    char *name;
    const sg_tool *tool;
    FILE *diag;
    size_t *klen;      /* strlen of each tool kind name */
    char *line;        /* SG_MAX_LINE + 1 */
    char *sbuf;        /* unescaped strings: SG_MAX_LINE + maxf + 1 */
    sg_value *vals;
    size_t maxf;
    unsigned long lineno, dropped, records, shown;
    int at_eof, ioerr, summarized;
    /* report framing: the open @report block, if any */
    char *block;       /* its name: SG_MAX_LINE + 1 */
    size_t blen;
    unsigned long bline;   /* its @report line; 0 = no block open */
};

static void rd_diag(sg_reader *r, const char *what, const char *msg)
{
    if (!r->diag)
        return;
    if (r->shown < SG_DIAG_MAX)
        fprintf(r->diag, "%s:%lu: %s: %s\n", r->name, r->lineno, what, msg);
    r->shown++;
}

static int check_tool(const sg_tool *t, FILE *diag)
{
    size_t i, j;
    const char *why = NULL;
    const sg_kind *k = NULL;
    if (!t || (t->nkinds && !t->kinds)) {
        why = "no kinds";
        goto bad;
    }
    for (i = 0; i < t->nkinds; i++) {
        k = &t->kinds[i];
        if (!k->name || !k->name[0]) {
            why = "kind without a name";
            goto bad;
        }
        if (k->nfields && !k->fields) {
            why = "fields missing";
            goto bad;
        }
        for (j = 0; j < k->nfields; j++) {
            if (!k->fields[j].name) {
                why = "field without a name";
                goto bad;
            }
            if (k->fields[j].type != SG_LONG && k->fields[j].type != SG_STRING &&
                k->fields[j].type != SG_TIME && k->fields[j].type != SG_STACK) {
                why = "bad field type";
                goto bad;
            }
        }
        if (k->cls != SG_EVENT && k->cls != SG_ROW && !sg_is_hist(k)) {
            why = "bad kind class";
            goto bad;
        }
        if (sg_is_hist(k)) {
            if (k->nfields < 2 || sg_is_str(k->fields[k->nfields - 2].type) ||
                sg_is_str(k->fields[k->nfields - 1].type)) {
                why = "histogram kind must end with long fields bucket, count";
                goto bad;
            }
            if (k->cls == SG_HIST_LINEAR && (k->lin_step <= 0 || k->lin_hi < k->lin_lo)) {
                why = "linear histogram needs step > 0 and hi >= lo";
                goto bad;
            }
        }
        if (k->nfields > SG_MAX_LINE) {
            why = "too many fields";
            goto bad;
        }
    }
    return 1;
bad:
    if (diag)
        fprintf(diag, "stapgen runtime: invalid tool descriptor%s%s%s: %s\n", k ? " (kind '" : "",
                k && k->name ? k->name : "", k ? "')" : "", why);
    return 0;
}

sg_reader *sg_reader_new(FILE *in, const char *in_name, const sg_tool *tool, FILE *diag)
{
    sg_reader *r;
    size_t i, maxf = 2, nlen;
    if (!in || !check_tool(tool, diag))
        return NULL;
    for (i = 0; i < tool->nkinds; i++)
        if (tool->kinds[i].nfields > maxf)
            maxf = tool->kinds[i].nfields;
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!in_name)
        in_name = "<input>";
    nlen = strlen(in_name);
    r->in = in;
    r->tool = tool;
    r->diag = diag;
    r->maxf = maxf;
    r->name = malloc(nlen + 1);
    r->klen = malloc((tool->nkinds ? tool->nkinds : 1) * sizeof *r->klen);
    r->line = malloc(SG_MAX_LINE + 1);
    r->sbuf = malloc(SG_MAX_LINE + maxf + 1);
    r->vals = calloc(maxf, sizeof *r->vals);
    r->block = malloc(SG_MAX_LINE + 1);
    if (!r->name || !r->klen || !r->line || !r->sbuf || !r->vals || !r->block) {
        sg_reader_free(r);
        return NULL;
    }
    memcpy(r->name, in_name, nlen + 1);
    for (i = 0; i < nlen; i++)   /* it starts every diagnostic: no escape sequences */
        if ((unsigned char)r->name[i] < 0x20 || r->name[i] == 0x7f)
            r->name[i] = '?';
    for (i = 0; i < tool->nkinds; i++)
        r->klen[i] = strlen(tool->kinds[i].name);
    return r;
}

void sg_reader_free(sg_reader *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->klen);
    free(r->line);
    free(r->sbuf);
    free(r->vals);
    free(r->block);
    free(r);
}

unsigned long sg_reader_dropped(const sg_reader *r) { return r ? r->dropped : 0; }
unsigned long sg_reader_records(const sg_reader *r) { return r ? r->records : 0; }
int sg_reader_error(const sg_reader *r) { return r ? r->ioerr : 0; }

/* Reads one line into r->line (at most SG_MAX_LINE bytes kept).  0 at EOF. */
static int rd_line(sg_reader *r, size_t *len, int *overlong, int *newline)
{
    FILE *in = r->in;
    char *buf = r->line;
    size_t n = 0;
    int c;
    *overlong = 0;
    *newline = 0;
    while ((c = SG_GETC(in)) != EOF) {
        if (c == '\n') {
            *newline = 1;
            break;
        }
        if (n < SG_MAX_LINE)
            buf[n++] = (char)c;
        else
            *overlong = 1;
    }
    *len = n;
    if (!*newline) {
        r->at_eof = 1;
        if (ferror(in))
            r->ioerr = 1;
        if (n == 0 && !*overlong)
            return 0;
    }
    return 1;
}

static const sg_kind *rd_lookup(const sg_reader *r, const char *name, size_t n)
{
    size_t i;
    for (i = 0; i < SG_NBUILTINS; i++)
        if (strlen(sg_builtins[i]->name) == n && memcmp(sg_builtins[i]->name, name, n) == 0)
            return sg_builtins[i];
    for (i = 0; i < r->tool->nkinds; i++)
        if (r->klen[i] == n && memcmp(r->tool->kinds[i].name, name, n) == 0)
            return &r->tool->kinds[i];
    return NULL;
}

/* 0 ok, 1 syntax, 2 out of int64 range. */
static int parse_ll(const char *s, size_t n, long long *out)
{
    size_t i = 0;
    int neg = 0, range = 0;
    unsigned long long v = 0, lim;
    if (n && s[0] == '-') {
        neg = 1;
        i = 1;
    }
    if (i == n)
        return 1;
    lim = neg ? (unsigned long long)LLONG_MAX + 1u : (unsigned long long)LLONG_MAX;
    for (; i < n; i++) {
        unsigned d;
        if (s[i] < '0' || s[i] > '9')
            return 1;
        d = (unsigned)(s[i] - '0');
        if (!range && v > (lim - d) / 10)
            range = 1;
        if (!range)
            v = v * 10 + d;
    }
    if (range)
        return 2;
    if (neg)
        *out = v > (unsigned long long)LLONG_MAX ? LLONG_MIN : -(long long)v;
    else
        *out = (long long)v;
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static size_t utf8_put(char *o, unsigned long cp)
{
    if (cp < 0x80) {
        o[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (char)(0xC0 | (cp >> 6));
        o[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (char)(0xE0 | (cp >> 12));
        o[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (char)(0xF0 | (cp >> 18));
    o[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Undoes text_str() escaping of s[0..n) into out (never longer than n).
 * Returns NULL on success, else a reason written into why. */
static const char *unescape(const char *s, size_t n, char *out, size_t *olen, char *why,
                            size_t whysz)
{
    size_t i = 0, o = 0;
    char q[SG_SNIP_MAX + 8];
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c != '\\') {
            if (c < 0x20 || c >= 0x7f) {
                snprintf(why, whysz, "unescaped byte 0x%02x in string", (unsigned)c);
                return why;
            }
            out[o++] = (char)c;
            i++;
            continue;
        }
        if (i + 1 >= n) {
            snprintf(why, whysz, "bad escape \"\\\\\" at end of string");
            return why;
        }
        switch (s[i + 1]) {
        case 'a': out[o++] = '\a'; i += 2; continue;
        case 'b': out[o++] = '\b'; i += 2; continue;
        case 'f': out[o++] = '\f'; i += 2; continue;
        case 'n': out[o++] = '\n'; i += 2; continue;
        case 'r': out[o++] = '\r'; i += 2; continue;
        case 't': out[o++] = '\t'; i += 2; continue;
        case 'v': out[o++] = '\v'; i += 2; continue;
        case '"': out[o++] = '"'; i += 2; continue;
        case '\\': out[o++] = '\\'; i += 2; continue;
        case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
            size_t j = i + 1, nd = 0;
            unsigned v = 0;
            while (j < n && nd < 3 && s[j] >= '0' && s[j] <= '7') {
                v = v * 8 + (unsigned)(s[j] - '0');
                j++;
                nd++;
            }
            if (nd < 3 || v > 255) {
                snip(q, sizeof q, s + i, j - i);
                snprintf(why, whysz, "bad escape \"%s\"%s", q,
                         nd < 3 ? " (octal needs 3 digits)" : " (octal > \\377)");
                return why;
            }
            out[o++] = (char)v;
            i = j;
            continue;
        }
        case 'x': {
            /* stap's BPF runtime escapes non-ASCII bytes as \xHH */
            if (i + 3 >= n || hexval(s[i + 2]) < 0 || hexval(s[i + 3]) < 0) {
                snip(q, sizeof q, s + i, i + 4 <= n ? 4 : n - i);
                snprintf(why, whysz, "bad escape \"%s\" (needs 2 hex digits)", q);
                return why;
            }
            out[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
            i += 4;
            continue;
        }
        case 'u':
        case 'U': {
            size_t want = s[i + 1] == 'u' ? 4 : 8, j = i + 2, nd = 0;
            unsigned long cp = 0;
            while (j < n && nd < want && hexval(s[j]) >= 0) {
                cp = cp * 16 + (unsigned long)hexval(s[j]);
                j++;
                nd++;
            }
            if (nd < want) {
                snip(q, sizeof q, s + i, j - i);
                snprintf(why, whysz, "bad escape \"%s\" (needs %zu hex digits)", q, want);
                return why;
            }
            if (cp > 0x10FFFFul || (cp >= 0xD800ul && cp <= 0xDFFFul)) {
                snip(q, sizeof q, s + i, j - i);
                snprintf(why, whysz, "bad escape \"%s\" (invalid code point)", q);
                return why;
            }
            o += utf8_put(out + o, cp);
            i = j;
            continue;
        }
        default:
            snip(q, sizeof q, s + i, 2);
            snprintf(why, whysz, "bad escape \"%s\"", q);
            return why;
        }
    }
    *olen = o;
    return NULL;
}

/* Parses r->line[0..len).  Returns the kind (values in r->vals) or NULL with
 * the reason in why. */
static const sg_kind *rd_parse(sg_reader *r, size_t len, char *why, size_t whysz)
{
    char *p = r->line, q[SG_SNIP_MAX + 8], fwhy[160];
    const char *tab, *end, *fs;
    const sg_kind *k;
    size_t nlen, got, i, sp = 0;

    if (len && p[len - 1] == '\r')
        len--;
    if (len == 0) {
        snprintf(why, whysz, "empty line");
        return NULL;
    }
    if (memchr(p, '\0', len)) {
        snprintf(why, whysz, "NUL byte in line");
        return NULL;
    }
    if (p[0] != '@') {
        snip(q, sizeof q, p, len);
        snprintf(why, whysz, "not a record: \"%s\"", q);
        return NULL;
    }
    end = p + len;
    tab = memchr(p + 1, '\t', len - 1);
    nlen = (size_t)((tab ? tab : end) - (p + 1));
    k = rd_lookup(r, p + 1, nlen);
    if (!k) {
        snip(q, sizeof q, p, nlen + 1);
        snprintf(why, whysz, "unknown kind \"%s\"", q);
        return NULL;
    }
    got = 0;
    for (fs = tab; fs; fs = memchr(fs + 1, '\t', (size_t)(end - fs - 1)))
        got++;
    if (got != k->nfields) {
        snprintf(why, whysz, "@%s: expected %zu field%s, got %zu", k->name, k->nfields,
                 k->nfields == 1 ? "" : "s", got);
        return NULL;
    }
    fs = tab;
    for (i = 0; i < k->nfields; i++) {
        const sg_field *f = &k->fields[i];
        const char *start = fs + 1, *stop;
        sg_value *v = &r->vals[i];
        size_t flen;
        stop = memchr(start, '\t', (size_t)(end - start));
        if (!stop)
            stop = end;
        flen = (size_t)(stop - start);
        v->l = 0;
        v->s = NULL;
        v->slen = 0;
        if (sg_is_str(f->type)) {
            size_t olen = 0;
            if (unescape(start, flen, r->sbuf + sp, &olen, fwhy, sizeof fwhy)) {
                snprintf(why, whysz, "@%s: field '%s': %s", k->name, f->name, fwhy);
                return NULL;
            }
            r->sbuf[sp + olen] = '\0';
            v->s = r->sbuf + sp;
            v->slen = olen;
            sp += olen + 1;
        } else {
            int rc = parse_ll(start, flen, &v->l);
            if (rc) {
                snip(q, sizeof q, start, flen);
                snprintf(why, whysz, "@%s: field '%s': %s \"%s\"", k->name, f->name,
                         rc == 1 ? "bad number" : "number out of range", q);
                return NULL;
            }
        }
        fs = stop;
    }
    if (sg_is_hist(k)) {
        long long b = r->vals[k->nfields - 2].l, c = r->vals[k->nfields - 1].l;
        long long nb = sg_hist_nbuckets(k);
        if (b < 0 || b >= nb) {
            snprintf(why, whysz, "@%s: bucket %lld out of range 0..%lld", k->name, b, nb - 1);
            return NULL;
        }
        if (c < 0) {
            snprintf(why, whysz, "@%s: negative count %lld", k->name, c);
            return NULL;
        }
    }
    return k;
}

static void rd_check_stapgen(sg_reader *r)
{
    char q[SG_SNIP_MAX + 8], msg[256];
    const sg_value *v = r->vals;
    if (r->tool->name && (strlen(r->tool->name) != v[0].slen ||
                          memcmp(r->tool->name, v[0].s, v[0].slen) != 0)) {
        snip(q, sizeof q, v[0].s, v[0].slen);
        snprintf(msg, sizeof msg, "input is from tool \"%s\", this parser is for \"%s\"", q,
                 r->tool->name);
        rd_diag(r, "warning", msg);
    }
    if (v[1].l != SG_PROTOCOL_VERSION) {
        snprintf(msg, sizeof msg, "protocol version %lld, this parser speaks %d", v[1].l,
                 SG_PROTOCOL_VERSION);
        rd_diag(r, "warning", msg);
    }
}

/* The open report block has no @report_end: reported, at the line where
 * that shows (a new @report, @stapgen or @end, or the end of the input),
 * as dropped input; the block's records were delivered. */
static void rd_unclosed(sg_reader *r, const char *where)
{
    char q[SG_SNIP_MAX + 8], msg[SG_SNIP_MAX + 200];
    snip(q, sizeof q, r->block, r->blen);
    snprintf(msg, sizeof msg, "report \"%s\" opened at line %lu has no @report_end before %s", q,
             r->bline, where);
    r->dropped++;
    rd_diag(r, "dropped", msg);
    r->bline = 0;
}

/* Report framing: rows and buckets only inside a block of their report,
 * @report_end only to close the open block.  0 (the reason in why): the
 * record is dropped. */
static int rd_frame(sg_reader *r, const sg_kind *k, char *why, size_t whysz)
{
    char q[SG_SNIP_MAX + 8], q2[SG_SNIP_MAX + 8];
    const sg_value *v = r->vals;
    if (k == &sg_kind_report) {
        if (r->bline)
            rd_unclosed(r, "this @report");
        memcpy(r->block, v[0].s, v[0].slen);
        r->blen = v[0].slen;
        r->bline = r->lineno;
        return 1;
    }
    if (k == &sg_kind_report_end) {
        snip(q, sizeof q, v[0].s, v[0].slen);
        if (!r->bline) {
            snprintf(why, whysz, "@report_end \"%s\" without a @report", q);
            return 0;
        }
        if (v[0].slen != r->blen || memcmp(v[0].s, r->block, r->blen)) {
            snip(q2, sizeof q2, r->block, r->blen);
            snprintf(why, whysz, "@report_end \"%s\" inside report \"%s\" (opened at line %lu)", q,
                     q2, r->bline);
            return 0;
        }
        r->bline = 0;
        return 1;
    }
    if (k == &sg_kind_stapgen || k == &sg_kind_end) {
        if (r->bline)
            rd_unclosed(r, k == &sg_kind_end ? "@end" : "@stapgen");
        return 1;
    }
    if (k->cls == SG_EVENT || !k->report)
        return 1;
    if (!r->bline) {
        snprintf(why, whysz, "@%s: a %s of report \"%s\" outside @report ... @report_end", k->name,
                 k->cls == SG_ROW ? "row" : "histogram bucket", k->report);
        return 0;
    }
    if (strlen(k->report) != r->blen || memcmp(k->report, r->block, r->blen)) {
        snip(q, sizeof q, r->block, r->blen);
        snprintf(why, whysz, "@%s: a %s of report \"%s\" inside report \"%s\" (opened at line %lu)",
                 k->name, k->cls == SG_ROW ? "row" : "histogram bucket", k->report, q, r->bline);
        return 0;
    }
    return 1;
}

int sg_reader_next(sg_reader *r, const sg_kind **kind, const sg_value **vals)
{
    char why[512];
    if (!r)
        return 0;
    while (!r->at_eof) {
        size_t len;
        int overlong, newline;
        const sg_kind *k;
        if (!rd_line(r, &len, &overlong, &newline))
            break;
        r->lineno++;
        if (overlong) {
            snprintf(why, sizeof why, "line longer than %d bytes", SG_MAX_LINE);
            k = NULL;
        } else if (!newline) {
            snprintf(why, sizeof why, "truncated last line (no newline at end of input)");
            k = NULL;
        } else {
            k = rd_parse(r, len, why, sizeof why);
        }
        if (!k || !rd_frame(r, k, why, sizeof why)) {
            r->dropped++;
            rd_diag(r, "dropped", why);
            continue;
        }
        if (k == &sg_kind_stapgen)
            rd_check_stapgen(r);
        r->records++;
        if (kind)
            *kind = k;
        if (vals)
            *vals = r->vals;
        return 1;
    }
    if (!r->summarized) {
        r->summarized = 1;
        if (r->bline && !r->ioerr)
            rd_unclosed(r, "the end of the input");
        if (r->diag && r->shown > SG_DIAG_MAX)
            fprintf(r->diag, "%s: %lu lines dropped in total, only the first %d messages shown\n",
                    r->name, r->dropped, SG_DIAG_MAX);
    }
    return 0;
}

/* ========================================================================== */
/* writer                                                                     */
/* ========================================================================== */

typedef struct sg_item {
    const sg_kind *k;
    sg_value *v;
    struct sg_item *next;
} sg_item;

typedef struct sg_kgroup {
    const sg_kind *k;
    sg_item *head, *tail;
    size_t n;
} sg_kgroup;

typedef struct sg_kstate {
    const sg_kind *k;
    int header_ok; /* table: event header is on screen; csv: header written */
} sg_kstate;

typedef struct sg_chunk {
    struct sg_chunk *next;
    size_t used, cap;
    max_align_t data[];
} sg_chunk;

/* folded stacks: a hash map from folded stack to summed COUNT */
typedef struct sg_fent {
    char *s; /* NUL-terminated, no ';' inside a frame name */
    size_t n;
    unsigned long long hash;
    long long count;
} sg_fent;

typedef struct sg_fmap {
    sg_fent *e;
    size_t n, cap;
    size_t *slot; /* open addressing: index + 1, 0 = free */
    size_t nslot;
} sg_fmap;

/* one flame graph of the svg output */
typedef struct sg_svgsec {
    char *label;
    size_t llen;
    sg_fent *e; /* sorted */
    size_t n;
} sg_svgsec;

struct sg_writer {
    FILE *out;
    const sg_tool *tool;
    sg_format fmt;
    int err;
    sg_sb sb, tmp;
    sg_kstate *ks;
    size_t nks, kscap;
    int multi_event;    /* table: more than one event kind -> KIND column */
    size_t kind_w;
    int last_was_event; /* table */
    /* the open report block */
    int in_block, has_name, has_ts;
    char *bname;
    size_t bname_len;
    long long bts;
    sg_kgroup *groups;
    size_t ngroups, gcap;
    sg_chunk *arena;
    size_t arena_bytes; /* handed out since the last w_arena_free */
    /* folded / svg */
    sg_fmap fblock, fevents;
    sg_svgsec *secs;
    size_t nsecs, seccap;
    int svg_done;
};

static void fmap_clear(sg_fmap *m);
static void svg_free_sections(sg_writer *w);

static void *w_alloc(sg_writer *w, size_t n)
{
    sg_chunk *c = w->arena;
    const size_t al = sizeof(max_align_t);
    void *p;
    n = (n + al - 1) / al * al;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) {
            w->err = 1;
            return NULL;
        }
        c->cap = cap;
        c->used = 0;
        c->next = w->arena;
        w->arena = c;
    }
    p = (char *)c->data + c->used;
    c->used += n;
    w->arena_bytes += n;
    return p;
}

static void w_arena_free(sg_writer *w)
{
    while (w->arena) {
        sg_chunk *next = w->arena->next;
        free(w->arena);
        w->arena = next;
    }
    w->arena_bytes = 0;
}

static sg_kstate *w_kstate(sg_writer *w, const sg_kind *k)
{
    size_t i;
    for (i = 0; i < w->nks; i++)
        if (w->ks[i].k == k)
            return &w->ks[i];
    if (w->nks == w->kscap) {
        size_t nc = w->kscap ? w->kscap * 2 : 8;
        sg_kstate *n = realloc(w->ks, nc * sizeof *n);
        if (!n) {
            w->err = 1;
            return NULL;
        }
        w->ks = n;
        w->kscap = nc;
    }
    w->ks[w->nks].k = k;
    w->ks[w->nks].header_ok = 0;
    return &w->ks[w->nks++];
}

sg_writer *sg_writer_new(FILE *out, const sg_tool *tool, sg_format fmt)
{
    sg_writer *w;
    size_t i, nev = 0;
    if (!out || (unsigned)fmt >= SG_NFORMATS)
        return NULL;
    w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->out = out;
    w->tool = tool;
    w->fmt = fmt;
    w->kind_w = 4;
    if (tool && tool->kinds) {
        for (i = 0; i < tool->nkinds; i++) {
            if (tool->kinds[i].cls != SG_EVENT || !tool->kinds[i].name)
                continue;
            nev++;
            if (strlen(tool->kinds[i].name) > w->kind_w)
                w->kind_w = strlen(tool->kinds[i].name);
        }
    }
    w->multi_event = nev > 1;
    return w;
}

int sg_writer_error(const sg_writer *w) { return w ? (w->err || w->sb.oom || w->tmp.oom) : 1; }

void sg_writer_free(sg_writer *w)
{
    if (!w)
        return;
    w_arena_free(w);
    fmap_clear(&w->fblock);
    fmap_clear(&w->fevents);
    svg_free_sections(w);
    free(w->groups);
    free(w->ks);
    sb_free(&w->sb);
    sb_free(&w->tmp);
    free(w);
}

static void w_emit(sg_writer *w)
{
    if (w->sb.oom || w->tmp.oom)
        w->err = 1;
    if (w->sb.n)
        fwrite(w->sb.p, 1, w->sb.n, w->out);
    w->sb.n = 0;
    w->sb.oom = 0;
    w->tmp.oom = 0;
}

static const char *f_title(const sg_field *f) { return f->title ? f->title : f->name; }

static size_t str_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0u) != 0x80u)
            w++;
    return w;
}

/* Table cell text of one value into w->tmp (reset first); returns its width. */
static size_t w_cell(sg_writer *w, sg_type t, const sg_value *v)
{
    sg_sb *b = &w->tmp;
    b->n = 0;
    if (b->p)
        b->p[0] = '\0';
    if (t == SG_STRING)
        return render_str(b, v->s ? v->s : "", v->s ? v->slen : 0);
    if (t == SG_STACK) {
        size_t wd = 0;
        fold_stack(b, v->s, v->s ? v->slen : 0, 0, &wd);
        return wd;
    }
    if (t == SG_TIME) {
        time_t tt = (time_t)v->l;
        struct tm tm;
        char buf[64];
        size_t n;
        if ((long long)tt == v->l && localtime_r(&tt, &tm) &&
            (n = strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm)) > 0) {
            sb_put(b, buf, n);
            return n;
        }
    }
    sb_ll(b, v->l);
    return b->n;
}

static size_t time_width(void) { return 19; }

static size_t min_width(const sg_field *f)
{
    size_t wd = str_width(f_title(f));
    if (f->width > 0 && (size_t)f->width > wd)
        wd = (size_t)f->width;
    if (f->type == SG_TIME && wd < time_width())
        wd = time_width();
    return wd;
}

/* Appends tmp-like text s (display width sw) padded to wd; numbers right. */
static void w_pad(sg_writer *w, const char *s, size_t slen, size_t sw, size_t wd, int right,
                  int last)
{
    if (right && sw < wd)
        sb_rep(&w->sb, ' ', wd - sw);
    sb_put(&w->sb, s, slen);
    if (!right && !last && sw < wd)
        sb_rep(&w->sb, ' ', wd - sw);
}

static void w_header(sg_writer *w, const sg_kind *k, const size_t *wd, int kindcol)
{
    size_t i;
    if (kindcol) {
        w_pad(w, "KIND", 4, 4, w->kind_w, 0, k->nfields == 0);
        if (k->nfields)
            sb_puts(&w->sb, "  ");
    }
    for (i = 0; i < k->nfields; i++) {
        const sg_field *f = &k->fields[i];
        const char *t = f_title(f);
        sg_sb tb = {NULL, 0, 0, 0};
        size_t tw = render_str(&tb, t, strlen(t));   /* a title is shown like data */
        if (i)
            sb_puts(&w->sb, "  ");
        w_pad(w, tb.p ? tb.p : "", tb.n, tw, wd[i], f->type == SG_LONG, i + 1 == k->nfields);
        if (tb.oom)
            w->err = 1;
        sb_free(&tb);
    }
    sb_putc(&w->sb, '\n');
}

static void w_row_line(sg_writer *w, const sg_kind *k, const sg_value *v, const size_t *wd,
                       int kindcol)
{
    size_t i;
    if (kindcol) {
        w_pad(w, k->name, strlen(k->name), str_width(k->name), w->kind_w, 0, k->nfields == 0);
        if (k->nfields)
            sb_puts(&w->sb, "  ");
    }
    for (i = 0; i < k->nfields; i++) {
        const sg_field *f = &k->fields[i];
        size_t cw = w_cell(w, f->type, &v[i]);
        if (i)
            sb_puts(&w->sb, "  ");
        w_pad(w, w->tmp.p ? w->tmp.p : "", w->tmp.n, cw, wd[i], f->type == SG_LONG,
              i + 1 == k->nfields);
    }
    sb_putc(&w->sb, '\n');
}

/* ---- JSON / CSV pieces ---- */

static void json_kv_value(sg_sb *b, const sg_field *f, const sg_value *v)
{
    sb_putc(b, ',');
    json_str(b, f->name, strlen(f->name));
    sb_putc(b, ':');
    if (sg_is_str(f->type))
        json_str(b, v->s ? v->s : "", v->s ? v->slen : 0);
    else
        sb_ll(b, v->l);
}

static void json_head(sg_writer *w, const sg_kind *k, int block)
{
    sg_sb *b = &w->sb;
    sb_puts(b, "{\"kind\":");
    json_str(b, k->name, strlen(k->name));
    if (!block)
        return;
    sb_puts(b, ",\"report\":");
    if (w->has_name)
        json_str(b, w->bname, w->bname_len);
    else
        sb_puts(b, "null");
    sb_puts(b, ",\"ts\":");
    if (w->has_ts)
        sb_ll(b, w->bts);
    else
        sb_puts(b, "null");
}

static void csv_value(sg_sb *b, const sg_field *f, const sg_value *v)
{
    sb_putc(b, ',');
    if (sg_is_str(f->type))
        csv_str(b, v->s ? v->s : "", v->s ? v->slen : 0);
    else
        sb_ll(b, v->l);
}

static void csv_header(sg_writer *w, const sg_kind *k)
{
    sg_kstate *st = w_kstate(w, k);
    size_t i, nf = k->nfields;
    int hist = sg_is_hist(k);
    if (!st || st->header_ok)
        return;
    st->header_ok = 1;
    sb_puts(&w->sb, "kind");
    if (k->cls != SG_EVENT)
        sb_puts(&w->sb, ",report,ts");
    for (i = 0; i < (hist ? nf - 2 : nf); i++) {
        sb_putc(&w->sb, ',');
        csv_str(&w->sb, k->fields[i].name, strlen(k->fields[i].name));
    }
    if (hist)
        sb_puts(&w->sb, ",low,high,count");
    sb_puts(&w->sb, "\r\n");
}

static void csv_head(sg_writer *w, const sg_kind *k, int block)
{
    sg_sb *b = &w->sb;
    csv_str(b, k->name, strlen(k->name));
    if (!block)
        return;
    sb_putc(b, ',');
    if (w->has_name)
        csv_str(b, w->bname, w->bname_len);
    sb_putc(b, ',');
    if (w->has_ts)
        sb_ll(b, w->bts);
}

/* ---- events ---- */

static void w_event(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    size_t i;
    if (w->fmt == SG_FMT_TABLE) {
        size_t stackw[16] = {0}, *wd = stackw;
        sg_kstate *st = w_kstate(w, k);
        if (k->nfields > 16) {
            wd = malloc(k->nfields * sizeof *wd);
            if (!wd) {
                w->err = 1;
                return;
            }
        }
        for (i = 0; i < k->nfields; i++)
            wd[i] = min_width(&k->fields[i]);
        if (st && !st->header_ok) {
            w_header(w, k, wd, w->multi_event);
            st->header_ok = 1;
        }
        w_row_line(w, k, v, wd, w->multi_event);
        if (wd != stackw)
            free(wd);
        w->last_was_event = 1;
    } else if (w->fmt == SG_FMT_JSON) {
        json_head(w, k, 0);
        for (i = 0; i < k->nfields; i++)
            json_kv_value(&w->sb, &k->fields[i], &v[i]);
        sb_puts(&w->sb, "}\n");
    } else {
        csv_header(w, k);
        csv_head(w, k, 0);
        for (i = 0; i < k->nfields; i++)
            csv_value(&w->sb, &k->fields[i], &v[i]);
        sb_puts(&w->sb, "\r\n");
    }
    w_emit(w);
}

/* ---- report blocks ---- */

static void w_block_open(sg_writer *w, const char *name, size_t nlen, int has_ts, long long ts)
{
    w->in_block = 1;
    w->has_name = name != NULL;
    w->has_ts = has_ts;
    w->bts = ts;
    w->bname = NULL;
    w->bname_len = 0;
    if (name) {
        w->bname = w_alloc(w, nlen + 1);
        if (w->bname) {
            memcpy(w->bname, name, nlen);
            w->bname[nlen] = '\0';
            w->bname_len = nlen;
        } else {
            w->has_name = 0;
        }
    }
}

static void w_block_add(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    size_t i, nf = k->nfields, bytes, off;
    sg_item *it;
    sg_kgroup *g = NULL;
    char *sp;
    bytes = sizeof(sg_item) + nf * sizeof(sg_value);
    for (i = 0; i < nf; i++)
        if (sg_is_str(k->fields[i].type))
            bytes += (v[i].s ? v[i].slen : 0) + 1;
    it = w_alloc(w, bytes);
    if (!it)
        return;
    it->k = k;
    it->next = NULL;
    it->v = (sg_value *)(void *)(it + 1);
    sp = (char *)(it->v + nf);
    off = 0;
    for (i = 0; i < nf; i++) {
        it->v[i] = v[i];
        if (sg_is_str(k->fields[i].type)) {
            size_t n = v[i].s ? v[i].slen : 0;
            if (n)
                memcpy(sp + off, v[i].s, n);
            sp[off + n] = '\0';
            it->v[i].s = sp + off;
            it->v[i].slen = n;
            off += n + 1;
        }
    }
    for (i = 0; i < w->ngroups; i++)
        if (w->groups[i].k == k) {
            g = &w->groups[i];
            break;
        }
    if (!g) {
        if (w->ngroups == w->gcap) {
            size_t nc = w->gcap ? w->gcap * 2 : 8;
            sg_kgroup *ng = realloc(w->groups, nc * sizeof *ng);
            if (!ng) {
                w->err = 1;
                return;
            }
            w->groups = ng;
            w->gcap = nc;
        }
        g = &w->groups[w->ngroups++];
        g->k = k;
        g->head = g->tail = NULL;
        g->n = 0;
    }
    if (g->tail)
        g->tail->next = it;
    else
        g->head = it;
    g->tail = it;
    g->n++;
}

static void w_rows(sg_writer *w, const sg_kgroup *g)
{
    const sg_kind *k = g->k;
    const sg_item *it;
    size_t i, nf = k->nfields;
    if (w->fmt == SG_FMT_TABLE) {
        size_t *wd = calloc(nf ? nf : 1, sizeof *wd);
        if (!wd) {
            w->err = 1;
            return;
        }
        for (i = 0; i < nf; i++)
            wd[i] = min_width(&k->fields[i]);
        for (it = g->head; it; it = it->next)
            for (i = 0; i < nf; i++) {
                size_t cw = w_cell(w, k->fields[i].type, &it->v[i]);
                if (cw > wd[i])
                    wd[i] = cw;
            }
        w_header(w, k, wd, 0);
        w_emit(w);
        for (it = g->head; it; it = it->next) {
            w_row_line(w, k, it->v, wd, 0);
            w_emit(w);
        }
        sb_putc(&w->sb, '\n');
        w_emit(w);
        free(wd);
        return;
    }
    for (it = g->head; it; it = it->next) {
        if (w->fmt == SG_FMT_JSON) {
            json_head(w, k, 1);
            for (i = 0; i < nf; i++)
                json_kv_value(&w->sb, &k->fields[i], &it->v[i]);
            sb_puts(&w->sb, "}\n");
        } else {
            csv_header(w, k);
            csv_head(w, k, 1);
            for (i = 0; i < nf; i++)
                csv_value(&w->sb, &k->fields[i], &it->v[i]);
            sb_puts(&w->sb, "\r\n");
        }
        w_emit(w);
    }
}

/* ---- histograms ---- */

typedef struct sg_hent {
    size_t group;
    long long bucket, count;
} sg_hent;

static int hent_cmp(const void *a, const void *b)
{
    const sg_hent *x = a, *y = b;
    if (x->group != y->group)
        return x->group < y->group ? -1 : 1;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    return 0;
}

static unsigned long long hash_keys(const sg_kind *k, const sg_value *v, size_t nkeys)
{
    unsigned long long h = 1469598103934665603ull;
    size_t i, j;
    for (i = 0; i < nkeys; i++) {
        unsigned long long x;
        if (sg_is_str(k->fields[i].type)) {
            const unsigned char *s = (const unsigned char *)v[i].s;
            for (j = 0; j < v[i].slen; j++) {
                h ^= s[j];
                h *= 1099511628211ull;
            }
            x = v[i].slen;
        } else {
            x = (unsigned long long)v[i].l;
        }
        for (j = 0; j < 8; j++) {
            h ^= (x >> (j * 8)) & 0xFFu;
            h *= 1099511628211ull;
        }
    }
    return h;
}

static int keys_eq(const sg_kind *k, const sg_value *a, const sg_value *b, size_t nkeys)
{
    size_t i;
    for (i = 0; i < nkeys; i++) {
        if (sg_is_str(k->fields[i].type)) {
            if (a[i].slen != b[i].slen || (a[i].slen && memcmp(a[i].s, b[i].s, a[i].slen) != 0))
                return 0;
        } else if (a[i].l != b[i].l) {
            return 0;
        }
    }
    return 1;
}

static void hist_label(sg_sb *b, const sg_kind *k, long long bucket)
{
    long long lo = 0, hi = 0;
    int m = sg_hist_bounds(k, bucket, &lo, &hi);
    if (m < 0)
        sb_printf(b, "?%lld", bucket);
    else if (!(m & 1))
        sb_printf(b, "<%lld", hi);
    else if (k->cls == SG_HIST_LINEAR && bucket == sg_hist_nbuckets(k) - 1)
        sb_printf(b, ">=%lld", lo);
    else
        sb_ll(b, lo);
}

typedef struct sg_hline {
    long long bucket, count;
    int tilde;
} sg_hline;

static void hist_table(sg_writer *w, const sg_kind *k, const sg_value *keys, const sg_hent *e,
                       size_t n)
{
    size_t i, nkeys = k->nfields - 2, nl = 0, lw = 5, first = n, last = 0;
    long long max = 0;
    sg_hline *ln;
    static const char dashes[] = "--------------------------------------------------";
    sb_puts(&w->sb, k->name);
    for (i = 0; i < nkeys; i++) {
        sb_putc(&w->sb, ' ');
        sb_puts(&w->sb, k->fields[i].name);
        sb_putc(&w->sb, '=');
        w_cell(w, k->fields[i].type, &keys[i]);
        sb_put(&w->sb, w->tmp.p ? w->tmp.p : "", w->tmp.n);
    }
    sb_putc(&w->sb, '\n');
    for (i = 0; i < n; i++)
        if (e[i].count > 0) {
            if (first == n)
                first = i;
            last = i;
            if (e[i].count > max)
                max = e[i].count;
        }
    if (first == n) {
        sb_puts(&w->sb, "(no data)\n\n");
        w_emit(w);
        return;
    }
    /* at most 4 lines per entry: gap row, ~, gap row, the entry */
    ln = malloc((last - first + 1) * 4 * sizeof *ln);
    if (!ln) {
        w->err = 1;
        return;
    }
    for (i = first; i <= last; i++) {
        long long gap;
        if (e[i].count <= 0)
            continue;
        if (nl) {
            long long prev = ln[nl - 1].bucket;
            gap = e[i].bucket - prev - 1;
            if (gap > 0 && gap <= 3) {
                long long b;
                for (b = prev + 1; b < e[i].bucket; b++) {
                    ln[nl].bucket = b; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
                }
            } else if (gap > 3) {
                ln[nl].bucket = prev + 1; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
                ln[nl].bucket = 0; ln[nl].count = 0; ln[nl].tilde = 1; nl++;
                ln[nl].bucket = e[i].bucket - 1; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
            }
        }
        ln[nl].bucket = e[i].bucket; ln[nl].count = e[i].count; ln[nl].tilde = 0; nl++;
    }
    /* ln[nl-1] is never a tilde, and "prev" above always reads a real row */
    for (i = 0; i < nl; i++) {
        if (ln[i].tilde)
            continue;
        w->tmp.n = 0;
        hist_label(&w->tmp, k, ln[i].bucket);
        if (w->tmp.n > lw)
            lw = w->tmp.n;
    }
    sb_rep(&w->sb, ' ', lw - 5);
    sb_puts(&w->sb, "value |");
    sb_puts(&w->sb, dashes);
    sb_puts(&w->sb, " count\n");
    for (i = 0; i < nl; i++) {
        size_t bar;
        if (ln[i].tilde) {
            sb_rep(&w->sb, ' ', lw + 1);
            sb_puts(&w->sb, "~\n");
            continue;
        }
        w->tmp.n = 0;
        hist_label(&w->tmp, k, ln[i].bucket);
        sb_rep(&w->sb, ' ', lw - w->tmp.n);
        sb_put(&w->sb, w->tmp.p ? w->tmp.p : "", w->tmp.n);
        sb_puts(&w->sb, " |");
        bar = 0;
        if (ln[i].count > 0) {
            bar = (size_t)((double)ln[i].count * SG_HIST_WIDTH / (double)max);
            if (bar < 1)
                bar = 1;
            if (bar > SG_HIST_WIDTH)
                bar = SG_HIST_WIDTH;
        }
        sb_rep(&w->sb, '@', bar);
        sb_rep(&w->sb, ' ', SG_HIST_WIDTH - bar);
        sb_printf(&w->sb, " %lld\n", ln[i].count);
        w_emit(w);
    }
    sb_putc(&w->sb, '\n');
    w_emit(w);
    free(ln);
}

static void hist_bound(sg_sb *b, int valid, long long v, int json)
{
    if (valid)
        sb_ll(b, v);
    else if (json)
        sb_puts(b, "null");
}

static void w_hist(sg_writer *w, const sg_kgroup *g)
{
    const sg_kind *k = g->k;
    size_t nf = k->nfields, nkeys = nf - 2, n = g->n, i, j, ngr = 0, tsz = 1;
    const sg_item **items = malloc((n ? n : 1) * sizeof *items);
    size_t *table = NULL, *rep = malloc((n ? n : 1) * sizeof *rep);
    sg_hent *e = malloc((n ? n : 1) * sizeof *e);
    const sg_item *it;
    while (tsz < 2 * n)
        tsz *= 2;
    table = calloc(tsz, sizeof *table);
    if (!items || !rep || !e || !table) {
        w->err = 1;
        goto out;
    }
    for (i = 0, it = g->head; it; it = it->next, i++)
        items[i] = it;
    for (i = 0; i < n; i++) {
        size_t slot = (size_t)(hash_keys(k, items[i]->v, nkeys) & (tsz - 1)), gi;
        for (;;) {
            if (!table[slot]) {
                rep[ngr] = i;
                table[slot] = ++ngr;
                gi = ngr - 1;
                break;
            }
            if (keys_eq(k, items[rep[table[slot] - 1]]->v, items[i]->v, nkeys)) {
                gi = table[slot] - 1;
                break;
            }
            slot = (slot + 1) & (tsz - 1);
        }
        e[i].group = gi;
        e[i].bucket = items[i]->v[nf - 2].l;
        e[i].count = items[i]->v[nf - 1].l < 0 ? 0 : items[i]->v[nf - 1].l;
    }
    qsort(e, n, sizeof *e, hent_cmp);
    /* merge duplicate buckets (saturating) and drop invalid ones */
    for (i = 0, j = 0; i < n; i++) {
        if (sg_hist_bounds(k, e[i].bucket, NULL, NULL) < 0)
            continue;
        if (j && e[j - 1].group == e[i].group && e[j - 1].bucket == e[i].bucket) {
            e[j - 1].count = e[i].count > LLONG_MAX - e[j - 1].count ? LLONG_MAX
                                                                      : e[j - 1].count + e[i].count;
            continue;
        }
        e[j++] = e[i];
    }
    n = j;
    for (i = 0; i < n;) {
        size_t gi = e[i].group, end = i;
        const sg_value *keys = items[rep[gi]]->v;
        while (end < n && e[end].group == gi)
            end++;
        if (w->fmt == SG_FMT_TABLE) {
            hist_table(w, k, keys, e + i, end - i);
        } else if (w->fmt == SG_FMT_JSON) {
            int firstb = 1;
            json_head(w, k, 1);
            for (j = 0; j < nkeys; j++)
                json_kv_value(&w->sb, &k->fields[j], &keys[j]);
            sb_puts(&w->sb, ",\"buckets\":[");
            for (j = i; j < end; j++) {
                long long lo = 0, hi = 0;
                int m;
                if (e[j].count <= 0)
                    continue;
                m = sg_hist_bounds(k, e[j].bucket, &lo, &hi);
                if (!firstb)
                    sb_putc(&w->sb, ',');
                firstb = 0;
                sb_puts(&w->sb, "{\"low\":");
                hist_bound(&w->sb, m & 1, lo, 1);
                sb_puts(&w->sb, ",\"high\":");
                hist_bound(&w->sb, m & 2, hi, 1);
                sb_printf(&w->sb, ",\"count\":%lld}", e[j].count);
            }
            sb_puts(&w->sb, "]}\n");
            w_emit(w);
        } else {
            csv_header(w, k);
            for (j = i; j < end; j++) {
                long long lo = 0, hi = 0;
                size_t f;
                int m;
                if (e[j].count <= 0)
                    continue;
                m = sg_hist_bounds(k, e[j].bucket, &lo, &hi);
                csv_head(w, k, 1);
                for (f = 0; f < nkeys; f++)
                    csv_value(&w->sb, &k->fields[f], &keys[f]);
                sb_putc(&w->sb, ',');
                hist_bound(&w->sb, m & 1, lo, 0);
                sb_putc(&w->sb, ',');
                hist_bound(&w->sb, m & 2, hi, 0);
                sb_printf(&w->sb, ",%lld\r\n", e[j].count);
                w_emit(w);
            }
        }
        i = end;
    }
out:
    free(items);
    free(rep);
    free(e);
    free(table);
}

/* ---- folded stacks and flame graphs ---- */

static unsigned long long fnv1a(const char *s, size_t n)
{
    unsigned long long h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* a + b for a, b >= 0, saturating */
static long long sat_add(long long a, long long b) { return b > LLONG_MAX - a ? LLONG_MAX : a + b; }

static void fmap_clear(sg_fmap *m)
{
    size_t i;
    for (i = 0; i < m->n; i++)
        free(m->e[i].s);
    free(m->e);
    free(m->slot);
    memset(m, 0, sizeof *m);
}

/* Adds count c to stack s[0..n); 0 on allocation failure. */
static int fmap_add(sg_fmap *m, const char *s, size_t n, long long c)
{
    size_t i, mask, slot;
    unsigned long long h = fnv1a(s, n);
    sg_fent *e;
    if ((m->n + 1) * 2 > m->nslot) {
        size_t ns = m->nslot ? m->nslot * 2 : 64;
        size_t *nt = ns < m->nslot ? NULL : calloc(ns, sizeof *nt);
        if (!nt)
            return 0;
        for (i = 0; i < m->n; i++) {
            slot = (size_t)(m->e[i].hash & (ns - 1));
            while (nt[slot])
                slot = (slot + 1) & (ns - 1);
            nt[slot] = i + 1;
        }
        free(m->slot);
        m->slot = nt;
        m->nslot = ns;
    }
    mask = m->nslot - 1;
    for (slot = (size_t)(h & mask); m->slot[slot]; slot = (slot + 1) & mask) {
        e = &m->e[m->slot[slot] - 1];
        if (e->hash == h && e->n == n && memcmp(e->s, s, n) == 0) {
            e->count = sat_add(e->count, c);
            return 1;
        }
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        sg_fent *ne = nc > (size_t)-1 / sizeof *ne ? NULL : realloc(m->e, nc * sizeof *ne);
        if (!ne)
            return 0;
        m->e = ne;
        m->cap = nc;
    }
    e = &m->e[m->n];
    e->s = malloc(n + 1);
    if (!e->s)
        return 0;
    memcpy(e->s, s, n);
    e->s[n] = '\0';
    e->n = n;
    e->hash = h;
    e->count = c;
    m->slot[slot] = ++m->n;
    return 1;
}

/* Frame by frame, bytewise within a frame: ';' sorts before every byte. */
static int fent_cmp(const void *a, const void *b)
{
    const sg_fent *x = a, *y = b;
    size_t i, n = x->n < y->n ? x->n : y->n;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)x->s[i], d = (unsigned char)y->s[i];
        if (c == d)
            continue;
        if (c == ';')
            return -1;
        if (d == ';')
            return 1;
        return c < d ? -1 : 1;
    }
    return x->n < y->n ? -1 : x->n > y->n;
}

/* The folded stack of a record into w->tmp, its COUNT into *count.  0 if the
 * kind has no stack field or COUNT <= 0 (or on allocation failure). */
static int fold_record(sg_writer *w, const sg_kind *k, const sg_value *v, long long *count)
{
    sg_sb *b = &w->tmp;
    size_t i, first = k->nfields, parts = 0;
    long long c = 1;
    b->n = 0;
    for (i = 0; i < k->nfields; i++) {
        size_t mark = b->n;
        if (k->fields[i].type != SG_STACK)
            continue;
        if (first == k->nfields)
            first = i;
        if (parts)
            sb_puts(b, ";-");
        if (fold_stack(b, v[i].s, v[i].s ? v[i].slen : 0, parts != 0, NULL))
            parts++;
        else
            b->n = mark;
    }
    if (first == k->nfields)
        return 0;
    for (i = first + 1; i < k->nfields; i++)
        if (k->fields[i].type == SG_LONG) {
            c = v[i].l;
            break;
        }
    if (c <= 0)
        return 0;
    if (!parts)
        sb_puts(b, "[unknown]");
    if (b->oom) {
        w->err = 1;
        b->oom = 0;
        return 0;
    }
    *count = c;
    return 1;
}

static void w_fold(sg_writer *w, sg_fmap *m, const sg_kind *k, const sg_value *v)
{
    long long c;
    if (fold_record(w, k, v, &c) && !fmap_add(m, w->tmp.p, w->tmp.n, c))
        w->err = 1;
}

static void fold_print(sg_writer *w, sg_fmap *m)
{
    size_t i;
    if (m->n > 1)
        qsort(m->e, m->n, sizeof *m->e, fent_cmp);
    for (i = 0; i < m->n; i++) {
        sb_put(&w->sb, m->e[i].s, m->e[i].n);
        sb_putc(&w->sb, ' ');
        sb_ll(&w->sb, m->e[i].count);
        sb_putc(&w->sb, '\n');
        w_emit(w);
    }
    fmap_clear(m);
}

/* Moves the stacks of m (sorted) into a new flame graph section. */
static void svg_add_section(sg_writer *w, sg_fmap *m, sg_sb *label)
{
    sg_svgsec *sec;
    if (!m->n || label->oom) {
        if (label->oom)
            w->err = 1;
        fmap_clear(m);
        sb_free(label);
        return;
    }
    if (w->nsecs == w->seccap) {
        size_t nc = w->seccap ? w->seccap * 2 : 4;
        sg_svgsec *ns = realloc(w->secs, nc * sizeof *ns);
        if (!ns) {
            w->err = 1;
            fmap_clear(m);
            sb_free(label);
            return;
        }
        w->secs = ns;
        w->seccap = nc;
    }
    if (m->n > 1)
        qsort(m->e, m->n, sizeof *m->e, fent_cmp);
    sec = &w->secs[w->nsecs++];
    sec->label = label->p;
    sec->llen = label->n;
    sec->e = m->e;
    sec->n = m->n;
    free(m->slot);
    memset(m, 0, sizeof *m);
    memset(label, 0, sizeof *label);
}

static void svg_free_sections(sg_writer *w)
{
    size_t i, j;
    for (i = 0; i < w->nsecs; i++) {
        for (j = 0; j < w->secs[i].n; j++)
            free(w->secs[i].e[j].s);
        free(w->secs[i].e);
        free(w->secs[i].label);
    }
    free(w->secs);
    w->secs = NULL;
    w->nsecs = w->seccap = 0;
}

#define SG_SVG_WIDTH 1200
#define SG_SVG_PAD 10       /* left and right margin */
#define SG_SVG_TOP 36       /* below the title */
#define SG_SVG_FRAME 16     /* frame row height (rect 15 + 1 gap) */
#define SG_SVG_FONT 12
#define SG_SVG_CHAR 7.08    /* average glyph width at SG_SVG_FONT */
#define SG_SVG_MIN_PX 0.1   /* narrower frames are omitted */

typedef struct sg_frect {
    const char *name;
    size_t nlen, depth;     /* depth 0: the "all" root */
    long long start, count;
} sg_frect;

typedef struct sg_layout {
    sg_frect *r;
    size_t n, cap, maxdepth;
    long long total;
} sg_layout;

static int lay_push(sg_layout *l, const char *name, size_t nlen, size_t depth, long long start,
                    long long count)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        sg_frect *nr = nc > (size_t)-1 / sizeof *nr ? NULL : realloc(l->r, nc * sizeof *nr);
        if (!nr)
            return 0;
        l->r = nr;
        l->cap = nc;
    }
    l->r[l->n].name = name;
    l->r[l->n].nlen = nlen;
    l->r[l->n].depth = depth;
    l->r[l->n].start = start;
    l->r[l->n].count = count;
    l->n++;
    if (depth > l->maxdepth)
        l->maxdepth = depth;
    return 1;
}

typedef struct sg_open {
    const char *name;
    size_t nlen;
    long long start;
} sg_open;

/* Merges the sorted stacks of a section into frames (a frame spans the
 * consecutive stacks that share its prefix).  0 on allocation failure. */
static int svg_layout(const sg_svgsec *sec, sg_layout *l)
{
    sg_open *op = NULL;
    size_t nop = 0, opcap = 0, i;
    long long off = 0;
    double scale;
    int ok = 1;
    memset(l, 0, sizeof *l);
    for (i = 0; i < sec->n; i++)
        l->total = sat_add(l->total, sec->e[i].count);
    scale = (SG_SVG_WIDTH - 2 * SG_SVG_PAD) / (double)l->total;
    for (i = 0; i <= sec->n && ok; i++) {
        const char *p = i < sec->n ? sec->e[i].s : NULL, *end = p ? p + sec->e[i].n : NULL, *q;
        size_t d = 0, fl;
        while (p && d < nop) {
            q = memchr(p, ';', (size_t)(end - p));
            fl = q ? (size_t)(q - p) : (size_t)(end - p);
            if (fl != op[d].nlen || memcmp(p, op[d].name, fl) != 0)
                break;
            d++;
            p = q ? q + 1 : NULL;
        }
        while (nop > d) {
            long long cnt = off - op[--nop].start;
            if ((double)cnt * scale >= SG_SVG_MIN_PX &&
                !lay_push(l, op[nop].name, op[nop].nlen, nop + 1, op[nop].start, cnt))
                ok = 0;
        }
        while (p && ok) {
            if (nop == opcap) {
                size_t nc = opcap ? opcap * 2 : 64;
                sg_open *no = realloc(op, nc * sizeof *no);
                if (!no) {
                    ok = 0;
                    break;
                }
                op = no;
                opcap = nc;
            }
            q = memchr(p, ';', (size_t)(end - p));
            op[nop].name = p;
            op[nop].nlen = q ? (size_t)(q - p) : (size_t)(end - p);
            op[nop].start = off;
            nop++;
            p = q ? q + 1 : NULL;
        }
        if (i < sec->n)
            off = sat_add(off, sec->e[i].count);
    }
    free(op);
    if (ok && !lay_push(l, "all", 3, 0, 0, l->total))
        ok = 0;
    if (!ok) {
        free(l->r);
        memset(l, 0, sizeof *l);
    }
    return ok;
}

/* XML character data / attribute value: markup escaped; bytes that XML 1.0
 * does not allow (controls, invalid UTF-8, U+FFFE/U+FFFF) become '?'. */
static void xml_text(sg_sb *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < n) {
        unsigned char c = s[i];
        unsigned long cp = 0;
        size_t len;
        switch (c) {
        case '&': sb_puts(b, "&amp;"); i++; continue;
        case '<': sb_puts(b, "&lt;"); i++; continue;
        case '>': sb_puts(b, "&gt;"); i++; continue;
        case '"': sb_puts(b, "&quot;"); i++; continue;
        case '\'': sb_puts(b, "&apos;"); i++; continue;
        default: break;
        }
        if (c < 0x80) {
            sb_putc(b, c < 0x20 || c == 0x7f ? '?' : (char)c);
            i++;
            continue;
        }
        len = utf8_seq(s + i, n - i, &cp);
        if (len && cp != 0xFFFE && cp != 0xFFFF) {
            sb_put(b, (const char *)s + i, len);
            i += len;
        } else {
            sb_putc(b, '?');
            i += len ? len : 1;
        }
    }
}

/* A non-negative coordinate with one decimal, independent of the locale. */
static void svg_num(sg_sb *b, double v)
{
    long long t = v > 0 ? (long long)(v * 10.0 + 0.5) : 0;
    sb_printf(b, "%lld.%lld", t / 10, t % 10);
}

static void svg_frame(sg_writer *w, const sg_frect *f, long long total, double y)
{
    sg_sb *b = &w->sb;
    double scale = (SG_SVG_WIDTH - 2 * SG_SVG_PAD) / (double)total;
    double x = SG_SVG_PAD + (double)f->start * scale, wd = (double)f->count * scale;
    long long pct = (long long)((double)f->count * 10000.0 / (double)total + 0.5);
    unsigned long long h = fnv1a(f->name, f->nlen) * 0x9E3779B97F4A7C15ull;
    int grey = f->nlen == 1 && f->name[0] == '-'; /* the user/kernel separator */
    size_t fit, cps = 0, i, cut = f->nlen, k = 0;
    sb_puts(b, "<g><title>");
    xml_text(b, f->name, f->nlen);
    sb_printf(b, " (%lld sample%s, %lld.%02lld%%)</title><rect x=\"", f->count,
              f->count == 1 ? "" : "s", pct / 100, pct % 100);
    svg_num(b, x);
    sb_puts(b, "\" y=\"");
    svg_num(b, y);
    sb_puts(b, "\" width=\"");
    svg_num(b, wd);
    sb_printf(b, "\" height=\"%d\" rx=\"2\" ry=\"2\" fill=\"", SG_SVG_FRAME - 1);
    if (grey)
        sb_puts(b, "rgb(160,160,160)");
    else
        sb_printf(b, "rgb(%u,%u,%u)", 205u + (unsigned)((h >> 56) & 0xFF) * 50u / 255u,
                  (unsigned)((h >> 48) & 0xFF) * 230u / 255u,
                  (unsigned)((h >> 40) & 0xFF) * 55u / 255u);
    sb_puts(b, "\"/>");
    fit = (size_t)(wd / SG_SVG_CHAR);
    if (fit >= 3) {
        for (i = 0; i < f->nlen; i++)
            if (((unsigned char)f->name[i] & 0xC0u) != 0x80u) {
                if (cps == fit - 2)
                    k = i;
                cps++;
            }
        sb_puts(b, "<text x=\"");
        svg_num(b, x + 3);
        sb_puts(b, "\" y=\"");
        svg_num(b, y + 11.5);
        sb_puts(b, "\">");
        if (cps > fit)
            cut = k;
        xml_text(b, f->name, cut);
        if (cut < f->nlen)
            sb_puts(b, "..");
        sb_puts(b, "</text>");
    }
    sb_puts(b, "</g>\n");
    w_emit(w);
}

static void svg_render(sg_writer *w)
{
    sg_layout *lay = w->nsecs ? calloc(w->nsecs, sizeof *lay) : NULL;
    sg_sb *b = &w->sb;
    size_t i, j;
    double y, height = SG_SVG_TOP + 44;
    const char *title = w->tool && w->tool->name ? w->tool->name : "stapgen";
    if (w->nsecs && !lay) {
        w->err = 1;
        return;
    }
    for (i = 0; i < w->nsecs; i++) {
        if (!svg_layout(&w->secs[i], &lay[i]))
            w->err = 1;
    }
    if (w->nsecs) {
        height = SG_SVG_TOP;
        for (i = 0; i < w->nsecs; i++)
            height += 24 + (double)(lay[i].maxdepth + 1) * SG_SVG_FRAME + 12;
    }
    sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    sb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"",
              SG_SVG_WIDTH);
    svg_num(b, height);
    sb_printf(b, "\" viewBox=\"0 0 %d ", SG_SVG_WIDTH);
    svg_num(b, height);
    sb_printf(b, "\" font-family=\"Verdana, sans-serif\" font-size=\"%d\">\n", SG_SVG_FONT);
    sb_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"", SG_SVG_WIDTH);
    svg_num(b, height);
    sb_puts(b, "\" fill=\"rgb(248,248,238)\"/>\n");
    sb_printf(b, "<text x=\"%d\" y=\"24\" font-size=\"17\" text-anchor=\"middle\">",
              SG_SVG_WIDTH / 2);
    xml_text(b, title, strlen(title));
    sb_puts(b, "</text>\n");
    if (!w->nsecs)
        sb_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no stack samples</text>\n",
                  SG_SVG_WIDTH / 2, SG_SVG_TOP + 24);
    w_emit(w);
    y = SG_SVG_TOP;
    for (i = 0; i < w->nsecs; i++) {
        const sg_layout *l = &lay[i];
        double gy = y + 24;
        sb_printf(b, "<text x=\"%d\" y=\"", SG_SVG_PAD);
        svg_num(b, y + 16);
        sb_puts(b, "\">");
        xml_text(b, w->secs[i].label, w->secs[i].llen);
        sb_printf(b, " (%lld sample%s)</text>\n", l->total, l->total == 1 ? "" : "s");
        w_emit(w);
        for (j = 0; j < l->n; j++)
            svg_frame(w, &l->r[j], l->total,
                      gy + (double)(l->maxdepth - l->r[j].depth) * SG_SVG_FRAME);
        y = gy + (double)(l->maxdepth + 1) * SG_SVG_FRAME + 12;
        free(l->r);
    }
    sb_puts(b, "</svg>\n");
    w_emit(w);
    free(lay);
}

/* The section of the open report block: "<report> <local time>". */
static void svg_block_section(sg_writer *w)
{
    sg_sb label = {NULL, 0, 0, 0};
    if (w->fblock.n) {
        if (w->has_name)
            render_str(&label, w->bname, w->bname_len);
        if (w->has_ts) {
            sg_value tv;
            tv.l = w->bts;
            tv.s = NULL;
            tv.slen = 0;
            w_cell(w, SG_TIME, &tv);
            if (w->has_name)
                sb_putc(&label, ' ');
            sb_put(&label, w->tmp.p ? w->tmp.p : "", w->tmp.n);
        }
        if (!w->has_name && !w->has_ts)
            sb_puts(&label, "report");
    }
    svg_add_section(w, &w->fblock, &label);
}

static void w_block_flush(sg_writer *w)
{
    size_t i;
    if (!w->in_block)
        return;
    if (w->fmt == SG_FMT_FOLDED)
        fold_print(w, &w->fblock);
    else if (w->fmt == SG_FMT_SVG)
        svg_block_section(w);
    if (w->fmt == SG_FMT_TABLE) {
        if (w->last_was_event)
            sb_putc(&w->sb, '\n');
        sb_puts(&w->sb, "==");
        if (w->has_name) {
            sb_putc(&w->sb, ' ');
            render_str(&w->sb, w->bname, w->bname_len);
        }
        if (w->has_ts) {
            sg_value tv;
            tv.l = w->bts;
            tv.s = NULL;
            tv.slen = 0;
            sb_putc(&w->sb, ' ');
            w_cell(w, SG_TIME, &tv);
            sb_put(&w->sb, w->tmp.p ? w->tmp.p : "", w->tmp.n);
        }
        if (!w->has_name && !w->has_ts)
            sb_puts(&w->sb, " report");
        sb_puts(&w->sb, " ==\n");
        if (!w->ngroups)
            sb_putc(&w->sb, '\n');
        w_emit(w);
    }
    for (i = 0; i < w->ngroups; i++) {
        if (w->groups[i].k->cls == SG_ROW)
            w_rows(w, &w->groups[i]);
        else
            w_hist(w, &w->groups[i]);
    }
    if (w->fmt == SG_FMT_TABLE) {
        /* the block pushed the event headers away */
        for (i = 0; i < w->nks; i++)
            w->ks[i].header_ok = 0;
        w->last_was_event = 0;
    }
    w->ngroups = 0;
    w->in_block = 0;
    w->has_name = w->has_ts = 0;
    w->bname = NULL;
    w_arena_free(w);
}

/* Prints the open block so far and opens its continuation (same name and
 * time): a block past SG_MAX_BLOCK_BYTES. */
static void w_block_split(sg_writer *w)
{
    int has_name = w->has_name, has_ts = w->has_ts;
    long long ts = w->bts;
    size_t nlen = w->bname_len;
    char *name = has_name ? malloc(nlen + 1) : NULL;
    if (has_name && !name) {
        w->err = 1;
        has_name = 0;
    } else if (name) {
        memcpy(name, w->bname, nlen + 1);
    }
    w_block_flush(w);
    w_block_open(w, has_name ? name : NULL, nlen, has_ts, ts);
    free(name);
}

void sg_writer_record(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    if (!w || !k || (k->nfields && !v))
        return;
    if (sg_is_builtin(k)) {
        w_block_flush(w);
        if (k == &sg_kind_report)
            w_block_open(w, v[0].s ? v[0].s : "", v[0].s ? v[0].slen : 0, 1, v[1].l);
        return;
    }
    if (w->fmt == SG_FMT_FOLDED || w->fmt == SG_FMT_SVG) {
        if (k->cls == SG_EVENT) {
            w_fold(w, &w->fevents, k, v);
        } else if (k->cls == SG_ROW) {
            if (!w->in_block)
                w_block_open(w, k->report, k->report ? strlen(k->report) : 0, 0, 0);
            w_fold(w, &w->fblock, k, v);
        }
        return;
    }
    if (k->cls == SG_EVENT) {
        w_event(w, k, v);
        return;
    }
    if (sg_is_hist(k) && k->nfields < 2)
        return;
    if (w->in_block && w->arena_bytes >= SG_MAX_BLOCK_BYTES)
        w_block_split(w);
    if (!w->in_block)
        w_block_open(w, k->report, k->report ? strlen(k->report) : 0, 0, 0);
    w_block_add(w, k, v);
}

void sg_writer_finish(sg_writer *w)
{
    if (!w)
        return;
    w_block_flush(w);
    if (w->fmt == SG_FMT_FOLDED) {
        fold_print(w, &w->fevents);
    } else if (w->fmt == SG_FMT_SVG && !w->svg_done) {
        sg_sb label = {NULL, 0, 0, 0};
        if (w->fevents.n)
            sb_puts(&label, "events");
        svg_add_section(w, &w->fevents, &label);
        svg_render(w);
        svg_free_sections(w);
        w->svg_done = 1;
    }
    w_emit(w);
    fflush(w->out);
}

/* ========================================================================== */
/* sg_main                                                                    */
/* ========================================================================== */

static const struct sg_format_info {
    const char *name;
    int stack_only;
    const char *what;
} sg_formats[] = {
#define SG_FMT_INFO(e, name, stack, what) {name, stack, what},
    SG_FORMATS(SG_FMT_INFO)
#undef SG_FMT_INFO
};

/* "table|json|..." or "table, json ... or svg" */
static void format_names(FILE *f, const char *sep, const char *last)
{
    size_t i;
    for (i = 0; i < SG_NFORMATS; i++)
        fprintf(f, "%s%s", i == 0 ? "" : i + 1 == SG_NFORMATS ? last : sep, sg_formats[i].name);
}

static void usage(FILE *f, const char *prog, const sg_tool *tool)
{
    size_t i;
    fprintf(f, "usage: %s [-f ", prog);
    format_names(f, "|", "|");
    fprintf(f,
            "] [-o FILE] [FILE|-]\n"
            "Reads the output of the SystemTap tool '%s'%s%s%s from FILE (default: standard\n"
            "input) and prints its records.\n",
            tool && tool->name ? tool->name : "?",
            tool && tool->spec_path ? " (spec " : "", tool && tool->spec_path ? tool->spec_path : "",
            tool && tool->spec_path ? ")" : "");
    for (i = 0; i < SG_NFORMATS; i++)
        fprintf(f, "%s%s%s: %s\n", i ? "                     " : "  -f, --format FMT   ",
                sg_formats[i].name, i ? "" : " (default)", sg_formats[i].what);
    fputs("  -o, --output FILE  write to FILE instead of standard output\n"
          "  -h, --help         show this help\n"
          "Lines that are not valid records are dropped and reported on stderr.\n"
          "Exit status: 0 all lines were records, 3 some lines were dropped,\n"
          "2 usage error, 1 I/O error.\n",
          f);
}

/* Matches option a against short -x / long --name; takes its value from
 * "-xVAL", "--name=VAL" or the next argument.  1 matched, 0 not, -1 no value. */
static int opt_val(int argc, char **argv, int *i, char s, const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t ll = strlen(lng);
    if (a[0] == '-' && a[1] == s) {
        if (a[2]) {
            *val = a + 2;
            return 1;
        }
    } else if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, lng, ll) == 0 &&
               (a[2 + ll] == '\0' || a[2 + ll] == '=')) {
        if (a[2 + ll] == '=') {
            *val = a + 3 + ll;
            return 1;
        }
    } else {
        return 0;
    }
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

int sg_main(int argc, char **argv, const sg_tool *tool)
{
    const char *prog = argc > 0 && argv && argv[0] && argv[0][0] ? argv[0] : "stapgen-parser";
    const char *outpath = NULL, *inpath = NULL, *in_name;
    sg_format fmt = SG_FMT_TABLE;
    FILE *in = stdin, *out = stdout;
    sg_reader *r;
    sg_writer *w;
    const sg_kind *k;
    const sg_value *v;
    int i, only_files = 0, rc = 0, live = 1;
    struct stat st;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int m;
        if (only_files || a[0] != '-' || a[1] == '\0') {
            if (inpath) {
                fprintf(stderr, "%s: too many input files ('%s')\n", prog, a);
                goto usage_err;
            }
            inpath = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout, prog, tool);
            return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
        }
        if ((m = opt_val(argc, argv, &i, 'f', "format", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            for (m = 0; m < (int)SG_NFORMATS && strcmp(val, sg_formats[m].name) != 0; m++)
                ;
            if (m == (int)SG_NFORMATS) {
                fprintf(stderr, "%s: unknown format '%s' (", prog, val);
                format_names(stderr, ", ", " or ");
                fputs(")\n", stderr);
                goto usage_err;
            }
            fmt = (sg_format)m;
            continue;
        }
        if ((m = opt_val(argc, argv, &i, 'o', "output", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            outpath = val;
            continue;
        }
        fprintf(stderr, "%s: unknown option '%s'\n", prog, a);
        goto usage_err;
    }

    if (inpath && strcmp(inpath, "-") != 0) {
        in = fopen(inpath, "rb");
        if (!in) {
            fprintf(stderr, "%s: cannot open '%s': %s\n", prog, inpath, strerror(errno));
            return 1;
        }
        in_name = inpath;
    } else {
        in_name = "<stdin>";
    }
    if (fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode))
        live = 0; /* a file: no need to flush after every record */
    if (outpath && strcmp(outpath, "-") != 0) {
        out = fopen(outpath, "w");
        if (!out) {
            fprintf(stderr, "%s: cannot create '%s': %s\n", prog, outpath, strerror(errno));
            if (in != stdin)
                fclose(in);
            return 1;
        }
    }
    r = sg_reader_new(in, in_name, tool, stderr);
    w = sg_writer_new(out, tool, fmt);
    if (!r || !w) {
        fprintf(stderr, "%s: cannot start (out of memory or bad tool descriptor)\n", prog);
        rc = 1;
    } else {
        while (sg_reader_next(r, &k, &v)) {
            sg_writer_record(w, k, v);
            if (live)
                fflush(out);
        }
        sg_writer_finish(w);
        if (sg_reader_error(r)) {
            fprintf(stderr, "%s: %s: read error\n", prog, in_name);
            rc = 1;
        } else if (sg_writer_error(w)) {
            fprintf(stderr, "%s: out of memory, output incomplete\n", prog);
            rc = 1;
        } else if (sg_reader_dropped(r)) {
            rc = 3;
        }
    }
    sg_writer_free(w);
    sg_reader_free(r);
    if (in != stdin)
        fclose(in);
    if (fflush(out) != 0 || ferror(out)) {
        fprintf(stderr, "%s: write error\n", prog);
        rc = 1;
    }
    if (out != stdout && fclose(out) != 0) {
        fprintf(stderr, "%s: write error on '%s'\n", prog, outpath);
        rc = 1;
    }
    return rc;

usage_err:
    fprintf(stderr, "usage: %s [-f ", prog);
    format_names(stderr, "|", "|");
    fputs("] [-o FILE] [FILE|-]  (--help for more)\n", stderr);
    return 2;
}
