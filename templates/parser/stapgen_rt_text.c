/* stapgen_rt_text.c - text helpers of the runtime: the byte buffer, UTF-8,
 * escaping for each output, backtrace frame names, hashing. */
#if !defined(_GNU_SOURCE) && defined(__linux__)
#define _GNU_SOURCE /* memrchr */
#endif
#include "stapgen_rt_int.h"

#include <stdio.h>
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define SG_TEXT_SSE2 1
#endif

/* ========================================================================== */
/* growable byte buffer                                                       */
/* ========================================================================== */

int sg_sb_grow(sg_sb *b, size_t add)
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

void sg_sb_printf(sg_sb *b, const char *fmt, ...)
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

void sg_sb_free(sg_sb *b)
{
    free(b->p);
    b->p = NULL;
    b->n = b->cap = 0;
}

/* ========================================================================== */
/* UTF-8 and escaping                                                         */
/* ========================================================================== */

/* Length (2..4) of the valid, shortest-form UTF-8 sequence starting at s (whose
 * first byte is >= 0x80), with its code point; 0 if the bytes are not one. */
size_t sg_utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
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

const char *sg_c_escape(unsigned char c)
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

static const char hexd[] = "0123456789abcdef";

const char sg_digits2[201] = "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
                             "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
                             "8081828384858687888990919293949596979899";

/* 1: printable ASCII without '"' and '\\', copied as is into JSON */
static const unsigned char json_plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),            /* 0x00-0x1f */
    1, 1, 0, 1, 1, 1, 1, 1,                /* 0x20-0x27: '"' = 0x22 */
    R8(1), R8(1), R8(1), R8(1), R8(1),     /* 0x28-0x4f */
    R8(1),                                 /* 0x50-0x57 */
    1, 1, 1, 1, 0, 1, 1, 1,                /* 0x58-0x5f: '\\' = 0x5c */
    R8(1), R8(1), R8(1),                   /* 0x60-0x77 */
    1, 1, 1, 1, 1, 1, 1, 0,                /* 0x78-0x7f: DEL */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

static inline char *put_oct(char *o, unsigned char c)
{
    o[0] = '\\';
    o[1] = (char)('0' + ((c >> 6) & 7));
    o[2] = (char)('0' + ((c >> 3) & 7));
    o[3] = (char)('0' + (c & 7));
    return o + 4;
}

#ifdef SG_TEXT_SSE2
/* Bytes of x that JSON, the table and CSV may not take as they are: controls
 * (tab included), DEL, non-ASCII, '\\' and '"' (CSV: and ','). */
static inline unsigned special_mask(__m128i x, int comma)
{
    __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)), /* signed */
                                          _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
                             _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                          _mm_cmpeq_epi8(x, _mm_set1_epi8('\\'))));
    if (comma)
        m = _mm_or_si128(m, _mm_cmpeq_epi8(x, _mm_set1_epi8(',')));
    return (unsigned)_mm_movemask_epi8(m);
}

/* The length of the run of s[0, n) without special_mask bytes, and that run
 * copied to o; 16-byte loads and stores (SG_RD_PAD readable past s + n, 16
 * bytes of room past o + n). */
static size_t plain_run(char *o, const char *s, size_t n, int comma)
{
    size_t i = 0;
    while (i < n) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
        unsigned m = special_mask(x, comma);
        _mm_storeu_si128((__m128i *)(void *)(o + i), x);
        if (n - i < 16)
            m |= 1u << (n - i); /* the end of the string stops the run */
        if (m)
            return i + (size_t)__builtin_ctz(m);
        i += 16;
    }
    return n;
}
#else
static size_t plain_run(char *o, const char *s, size_t n, int comma)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\' || (comma && c == ','))
            break;
        o[i] = (char)c;
    }
    return i;
}
#endif

/* Bidirectional controls (U+061C, U+200E/F, U+202A-E, U+2066-9): shown as
 * themselves they reorder the text after them on a terminal. */
static int is_bidi(unsigned long cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

/* sg_utf8_seq with the two- and three-byte sequences (Latin, CJK, ...)
 * decoded in line. */
static inline size_t utf8_seq(const unsigned char *s, size_t n, unsigned long *cp)
{
    unsigned c = s[0];
    if (c >= 0xC2 && c <= 0xDF) {
        if (n < 2 || (s[1] & 0xC0u) != 0x80u)
            return 0;
        *cp = (c & 0x1Fu) << 6 | (s[1] & 0x3Fu);
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned long v;
        if (n < 3 || (s[1] & 0xC0u) != 0x80u || (s[2] & 0xC0u) != 0x80u)
            return 0;
        v = (c & 0x0Fu) << 12 | (s[1] & 0x3Fu) << 6 | (s[2] & 0x3Fu);
        if (v < 0x800 || (v >= 0xD800ul && v <= 0xDFFFul))
            return 0;
        *cp = v;
        return 3;
    }
    return sg_utf8_seq(s, n, cp);
}

/* Whether the JSON and table writers show code point cp (>= 0x80) as it
 * is: not a C1 control, U+2028/9 (they break line-based readers) or a
 * bidirectional control (it reorders a terminal's line). */
static inline int utf8_shown(unsigned long cp)
{
    if (cp < 0x2000)
        return cp >= 0xA0 && cp != 0x061C;
    return cp > 0x2069 || !(cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
                            (cp >= 0x202A && cp <= 0x202E) || cp >= 0x2066);
}

/* The len (2..4) bytes of a UTF-8 sequence from s to o. */
static inline char *put_seq(char *o, const unsigned char *s, size_t len)
{
    o[0] = (char)s[0];
    o[1] = (char)s[1];
    if (len > 2) {
        o[2] = (char)s[2];
        if (len > 3)
            o[3] = (char)s[3];
    }
    return o + len;
}

/* Table rendering of a string: printable ASCII and valid non-control UTF-8 as
 * is, everything else (C0/C1 controls, DEL, U+2028/9, bidirectional controls,
 * invalid UTF-8) C-escaped byte by byte, so a record stays on one line and
 * reads in the order it was written.  Returns the display width
 * (code points; East Asian wide characters are counted as 1). */
static char *render_at(char *o, const char *str, size_t n, int pad, size_t *width)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, w = 0;
    while (i < n) {
        unsigned char c = s[i];
        if (c >= 0x20 && c < 0x7f && c != '\\') {
            if (pad) { /* a plain run, 16 bytes at a time */
                size_t m = plain_run(o, str + i, n - i, 0);
                if (m) {
                    o += m;
                    w += m;
                    i += m;
                    continue;
                }
            }
            *o++ = (char)c;
            w++;
            i++;
            continue;
        }
        if (c >= 0x80) {
            unsigned long cp = 0;
            size_t len = utf8_seq(s + i, n - i, &cp);
            if (len && utf8_shown(cp)) {
                o = put_seq(o, s + i, len);
                w++;
                i += len;
            } else {
                o = put_oct(o, c);
                w += 4;
                i++;
            }
            continue;
        }
        {
            const char *e = sg_c_escape(c);
            if (e) {
                o[0] = e[0];
                o[1] = e[1];
                o += 2;
                w += 2;
            } else {
                o = put_oct(o, c);
                w += 4;
            }
            i++;
        }
    }
    *width = w;
    return o;
}

size_t sg_render_str(sg_sb *b, const char *s, size_t n)
{
    size_t w;
    if (n > ((size_t)-1 - 1) / 4 || !sb_reserve(b, 4 * n))
        return 0;
    b->n = (size_t)(render_at(b->p + b->n, s, n, 0, &w) - b->p);
    b->p[b->n] = '\0';
    return w;
}

char *sg_render_str_pad_at(char *o, const char *s, size_t n, size_t *width)
{
    /* the plain prefix, most strings whole ('"' is plain here, so it may
     * stop short) */
    size_t i = plain_run(o, s, n, 0);
    if (i == n) {
        *width = n;
        return o + n;
    }
    o = render_at(o + i, s + i, n - i, 1, width);
    *width += i;
    return o;
}

/* JSON string body (no quotes).  JSON has no byte escape: a byte that is
 * not part of valid UTF-8 becomes U+FFFD and *bad is set, so that the caller
 * adds the exact bytes beside (sg_json_hex); \u00XX would read as the
 * character U+00XX, like the real one. */
/* Inlined into sg_json_str_at and sg_json_str_pad_at, so that pad is a
 * constant in each. */
SG_INLINE char *json_body(char *o, const char *str, size_t n, int *bad, int pad)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    (void)pad;
    while (i < n) {
        unsigned char c;
#ifdef SG_TEXT_SSE2
        if (pad) {
            /* a plain run 16 bytes at a time, to the end of the string
             * (SG_RD_PAD bytes readable past it, 16 bytes more room) */
            if (json_plain[s[i]]) {
                size_t m = plain_run(o, str + i, n - i, 0);
                o += m;
                i += m;
                continue;
            }
        } else {
            /* 16 plain bytes at a time (o has room: 6 per byte left) */
            while (n - i >= 16) {
                __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
                unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
                    _mm_or_si128(_mm_cmplt_epi8(x, _mm_set1_epi8(0x20)),
                                 _mm_cmpeq_epi8(x, _mm_set1_epi8(0x7f))),
                    _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('"')),
                                 _mm_cmpeq_epi8(x, _mm_set1_epi8('\\')))));
                _mm_storeu_si128((__m128i *)(void *)o, x);
                if (m) {
                    unsigned z = (unsigned)__builtin_ctz(m);
                    o += z;
                    i += z;
                    break;
                }
                o += 16;
                i += 16;
            }
        }
        if (i >= n)
            break;
#endif
        c = s[i];
        if (SG_LIKELY(json_plain[c])) {
            *o++ = (char)c;
            i++;
            continue;
        }
        if (c >= 0x80) {
            unsigned long cp;
            size_t len = utf8_seq(s + i, n - i, &cp);
            if (SG_LIKELY(len && utf8_shown(cp))) {
                o = put_seq(o, s + i, len);
                i += len;
                continue;
            }
        }
        switch (c) {
        case '"': *o++ = '\\'; *o++ = '"'; i++; continue;
        case '\\': *o++ = '\\'; *o++ = '\\'; i++; continue;
        case '\b': *o++ = '\\'; *o++ = 'b'; i++; continue;
        case '\f': *o++ = '\\'; *o++ = 'f'; i++; continue;
        case '\n': *o++ = '\\'; *o++ = 'n'; i++; continue;
        case '\r': *o++ = '\\'; *o++ = 'r'; i++; continue;
        case '\t': *o++ = '\\'; *o++ = 't'; i++; continue;
        default: break;
        }
        {
            unsigned long cp = c;
            size_t len = c >= 0x80 ? utf8_seq(s + i, n - i, &cp) : 0;
            /* controls, C1 controls and U+2028/9 (they break line-based
             * readers), bidirectional controls (they reorder a terminal's
             * line), bytes that are not UTF-8 */
            if (!len) {
                len = 1;
                if (c >= 0x80) {
                    cp = 0xFFFD;
                    *bad = 1;
                }
            }
            o[0] = '\\';
            o[1] = 'u';
            o[2] = hexd[(cp >> 12) & 15];
            o[3] = hexd[(cp >> 8) & 15];
            o[4] = hexd[(cp >> 4) & 15];
            o[5] = hexd[cp & 15];
            o += 6;
            i += len;
        }
    }
    return o;
}

char *sg_json_str_at(char *o, const char *s, size_t n, int *bad)
{
    *o++ = '"';
    o = json_body(o, s, n, bad, 0);
    *o++ = '"';
    return o;
}

char *sg_json_str_pad_at(char *o, const char *s, size_t n, int *bad)
{
    size_t i;
    *o++ = '"';
    i = plain_run(o, s, n, 0);
    o += i;
    if (i < n)
        o = json_body(o, s + i, n - i, bad, 1);
    *o++ = '"';
    return o;
}

int sg_json_str(sg_sb *b, const char *s, size_t n)
{
    int bad = 0;
    if (n > ((size_t)-1 - 3) / 6 || !sb_reserve(b, 6 * n + 2))
        return 0;
    b->n = (size_t)(sg_json_str_at(b->p + b->n, s, n, &bad) - b->p);
    b->p[b->n] = '\0';
    return bad;
}

char *sg_json_hex_at(char *o, const char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i;
    *o++ = '"';
    for (i = 0; i < n; i++) {
        *o++ = hexd[u[i] >> 4];
        *o++ = hexd[u[i] & 15];
    }
    *o++ = '"';
    return o;
}

void sg_json_hex(sg_sb *b, const char *s, size_t n)
{
    if (n > ((size_t)-1 - 3) / 2 || !sb_reserve(b, 2 * n + 2))
        return;
    b->n = (size_t)(sg_json_hex_at(b->p + b->n, s, n) - b->p);
    b->p[b->n] = '\0';
}

/* RFC 4180 field at o (room for 2 * n + 2 bytes); returns the end. */
char *sg_csv_str_at(char *o, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\r' || c == '\n')
            break;
    }
    if (i == n) {
        memcpy(o, s, n);
        return o + n;
    }
    *o++ = '"';
    for (i = 0; i < n; i++) {
        if (s[i] == '"')
            *o++ = '"';
        *o++ = s[i];
    }
    *o++ = '"';
    return o;
}

char *sg_csv_str_pad_at(char *o, const char *s, size_t n)
{
    /* a field without ',', '"', CR or LF stands as it is; plain_run stops
     * at more bytes than those (non-ASCII, controls), so the rest is looked
     * at for these four; a field with one is written by sg_csv_str_at */
    size_t i = plain_run(o, s, n, 1), j;
    if (i == n)
        return o + n;
#ifdef SG_TEXT_SSE2
    /* the rest 16 bytes at a time, copied while none of them needs quotes */
    for (j = i; j < n; j += 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + j));
        unsigned m = (unsigned)_mm_movemask_epi8(
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(',')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('"'))),
                         _mm_or_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8('\r')),
                                      _mm_cmpeq_epi8(x, _mm_set1_epi8('\n')))));
        if (n - j < 16)
            m &= (1u << (n - j)) - 1;
        if (m)
            return sg_csv_str_at(o, s, n);
        _mm_storeu_si128((__m128i *)(void *)(o + j), x);
    }
#else
    for (j = i; j < n; j++)
        if (s[j] == ',' || s[j] == '"' || s[j] == '\r' || s[j] == '\n')
            return sg_csv_str_at(o, s, n);
    memcpy(o + i, s + i, n - i);
#endif
    return o + n;
}

void sg_csv_str(sg_sb *b, const char *s, size_t n)
{
    if (n > ((size_t)-1 - 3) / 2 || !sb_reserve(b, 2 * n + 2))
        return;
    b->n = (size_t)(sg_csv_str_at(b->p + b->n, s, n) - b->p);
    b->p[b->n] = '\0';
}

/* XML character data / attribute value: markup escaped; bytes that XML 1.0
 * does not allow (controls, invalid UTF-8, U+FFFE/U+FFFF) become '?'. */
void sg_xml_text(sg_sb *b, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    char *o;
    if (n > ((size_t)-1 - 1) / 6 || !sb_reserve(b, 6 * n))
        return;
    o = b->p + b->n;
    while (i < n) {
        unsigned char c = s[i];
        unsigned long cp = 0;
        size_t len;
        switch (c) {
        case '&': memcpy(o, "&amp;", 5); o += 5; i++; continue;
        case '<': memcpy(o, "&lt;", 4); o += 4; i++; continue;
        case '>': memcpy(o, "&gt;", 4); o += 4; i++; continue;
        case '"': memcpy(o, "&quot;", 6); o += 6; i++; continue;
        case '\'': memcpy(o, "&apos;", 6); o += 6; i++; continue;
        default: break;
        }
        if (c < 0x80) {
            *o++ = c < 0x20 || c == 0x7f ? '?' : (char)c;
            i++;
            continue;
        }
        len = sg_utf8_seq(s + i, n - i, &cp);
        /* C1 controls and bidirectional controls (they would reorder the
         * text around them) become '?' like the C0 controls */
        if (len && cp >= 0xA0 && cp != 0xFFFE && cp != 0xFFFF && !is_bidi(cp)) {
            memcpy(o, s + i, len);
            o += len;
            i += len;
        } else {
            *o++ = '?';
            i += len ? len : 1;
        }
    }
    b->n = (size_t)(o - b->p);
    b->p[b->n] = '\0';
}

void sg_snip(char *dst, size_t dstsz, const char *src, size_t n)
{
    size_t i, o = 0;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)src[i];
        char tmp[8];
        const char *e = sg_c_escape(c);
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
            put_oct(tmp, c);
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

static inline int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* 1 for the hex digits: backtraces are mostly addresses and offsets, and a
 * table is one load a digit instead of three ranges. */
static const unsigned char hex_digit[256] = {
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1, ['6'] = 1, ['7'] = 1,
    ['8'] = 1, ['9'] = 1, ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
};

static inline int is_hex(char c) { return hex_digit[(unsigned char)c]; }

static size_t hex_run(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n && is_hex(s[i]))
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
int sg_frame_name(const char *s, size_t n, size_t *off, size_t *len)
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
        h = hex_addr(s + a, b - a);
    }
    /* unresolved: "0xADDR", "0xADDR [module+0xOFF...]", "0xADDR (inexact)" */
    if (h && (a + h == b || s[a + h] == ' ')) {
        *off = a;
        *len = h;
        return 1;
    }
    /* "name+0xOFF[/0xLEN][ ...]": the first such offset ends the name (C++
     * names may hold blanks and '+', never "+0x<hex>" then '/', ' ' or end) */
    if (b - a > 4) {
        const char *p = s + a + 1, *end = s + b - 3;
        while (p < end && (p = memchr(p, '+', (size_t)(end - p))) != NULL) {
            size_t e;
            i = (size_t)(p - s);
            p++;
            if (s[i + 1] != '0' || s[i + 2] != 'x')
                continue;
            h = hex_run(s + i + 3, b - i - 3);
            e = i + 3 + h;
            if (h && (e == b || s[e] == '/' || s[e] == ' ')) {
                b = i;
                goto done;
            }
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

/* Writes a frame name made safe for folded lines (and XML) at o (room for
 * 4 * n bytes): ';', blanks and control characters (C0, DEL, C1, U+00A0,
 * U+2028/9) become '_', bytes that are not UTF-8 "\ooo".  Returns the end;
 * *w grows by the width in code points. */
static char *fold_name(char *o, const char *str, size_t n, size_t *w)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0, wd = 0;
    while (i < n) {
        unsigned char c;
#ifdef SG_TEXT_SSE2
        /* names are mostly printable ASCII: 16 bytes copied at a time up to
         * the first that is not (only within s: it may be anyone's string);
         * + 0x5f takes 0x21..0x7e to -128..-35 (signed), the rest above */
        while (n - i >= 16) {
            __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            unsigned m = (unsigned)_mm_movemask_epi8(
                _mm_or_si128(_mm_cmpgt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x5f)), _mm_set1_epi8(-35)),
                             _mm_cmpeq_epi8(x, _mm_set1_epi8(';'))));
            size_t k = m ? (size_t)__builtin_ctz(m) : 16;
            _mm_storeu_si128((__m128i *)(void *)o, x); /* room: 4 bytes for each left */
            o += k;
            i += k;
            wd += k;
            if (m)
                break;
        }
        if (i == n)
            break;
#endif
        c = s[i];
        if (c < 0x80) {
            *o++ = c <= 0x20 || c == 0x7f || c == ';' ? '_' : (char)c;
            wd++;
            i++;
        } else {
            unsigned long cp = 0;
            size_t len = sg_utf8_seq(s + i, n - i, &cp);
            if (!len) {
                o = put_oct(o, c);
                wd += 4;
                i++;
                continue;
            }
            if (cp <= 0xA0 || cp == 0x2028 || cp == 0x2029 || is_bidi(cp)) {
                *o++ = '_';
            } else {
                memcpy(o, s + i, len);
                o += len;
            }
            wd++;
            i += len;
        }
    }
    *w += wd;
    return o;
}

size_t sg_fold_stack(sg_sb *b, const char *s, size_t n, int sep, size_t *width)
{
    size_t end = n, frames = 0, w = 0;
    char *o;
    if (!s)
        return 0;
    if (n > ((size_t)-1 - 1) / 5 || !sb_reserve(b, 5 * n + 1))
        return 0;
    o = b->p + b->n;
    while (end > 0) {
        size_t start = end, off, len;
        const char *nl = NULL;
        /* the previous line starts after the last '\n' before end */
        if (end > 0) {
#if defined(__GLIBC__)
            nl = memrchr(s, '\n', end);
#else
            size_t j = end;
            while (j > 0 && s[j - 1] != '\n')
                j--;
            nl = j ? s + j - 1 : NULL;
#endif
        }
        start = nl ? (size_t)(nl - s) + 1 : 0;
        if (sg_frame_name(s + start, end - start, &off, &len)) {
            if (frames || sep) {
                *o++ = ';';
                w++;
            }
            o = fold_name(o, s + start + off, len, &w);
            frames++;
        }
        if (start == 0)
            break;
        end = start - 1;
    }
    b->n = (size_t)(o - b->p);
    b->p[b->n] = '\0';
    if (width)
        *width += w;
    return frames;
}

/* ========================================================================== */
/* hashing                                                                    */
/* ========================================================================== */

unsigned long long sg_fnv1a(const char *s, size_t n)
{
    unsigned long long h = 1469598103934665603ull;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

/* A fast 64-bit hash for the runtime's hash tables (never printed): four
 * independent lanes over 32-byte blocks. */
unsigned long long sg_hash(const void *p, size_t n, unsigned long long seed)
{
    const unsigned char *s = p;
    const unsigned long long k1 = 0xff51afd7ed558ccdull, k2 = 0xc4ceb9fe1a85ec53ull;
    unsigned long long h = seed ^ (n * 0x9E3779B97F4A7C15ull), x;
    if (n >= 32) {
        unsigned long long a = h, b = h ^ k1, c = h ^ k2, d = h + k1;
        while (n >= 32) {
            unsigned long long w0, w1, w2, w3;
            memcpy(&w0, s, 8);
            memcpy(&w1, s + 8, 8);
            memcpy(&w2, s + 16, 8);
            memcpy(&w3, s + 24, 8);
            a = (a ^ w0) * k1;
            b = (b ^ w1) * k2;
            c = (c ^ w2) * k1;
            d = (d ^ w3) * k2;
            a ^= a >> 29;
            b ^= b >> 31;
            c ^= c >> 27;
            d ^= d >> 33;
            s += 32;
            n -= 32;
        }
        h = a ^ (b * 3) ^ (c * 5) ^ (d * 7);
    }
    while (n >= 8) {
        memcpy(&x, s, 8);
        h = (h ^ x) * k1;
        h ^= h >> 32;
        s += 8;
        n -= 8;
    }
    x = 0;
    if (n)
        memcpy(&x, s, n);
    h = (h ^ x) * k2;
    h ^= h >> 29;
    h *= k1;
    h ^= h >> 32;
    return h;
}

/* ========================================================================== */
/* IP addresses (SG_INET)                                                     */
/* ========================================================================== */

/* 1 + the value of a hex digit, 0 for any other byte. */
static const unsigned char hex_value1[256] = {
    ['0'] = 1, ['1'] = 2, ['2'] = 3, ['3'] = 4, ['4'] = 5, ['5'] = 6, ['6'] = 7, ['7'] = 8,
    ['8'] = 9, ['9'] = 10, ['a'] = 11, ['b'] = 12, ['c'] = 13, ['d'] = 14, ['e'] = 15, ['f'] = 16,
    ['A'] = 11, ['B'] = 12, ['C'] = 13, ['D'] = 14, ['E'] = 15, ['F'] = 16,
};

/* A dotted quad that is all of s[0, n): 1-3 decimal digits a part, no
 * leading zero (inet_pton's rule), each at most 255. */
static int dotted_quad(const char *s, size_t n, unsigned long *out)
{
    unsigned long a = 0;
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        unsigned v = 0;
        size_t d = 0;
        if (part) {
            if (i >= n || s[i] != '.')
                return 0;
            i++;
        }
        while (i < n && s[i] >= '0' && s[i] <= '9' && d < 4) {
            v = v * 10 + (unsigned)(s[i] - '0');
            i++;
            d++;
        }
        if (d == 0 || d > 3 || v > 255 || (d > 1 && s[i - d] == '0'))
            return 0;
        a = a << 8 | v;
    }
    *out = a;
    return i == n;
}

/* Group g in hex without leading zeros at o; the end.  It stores 4 bytes:
 * at most 3 past the group, which the rest of the address or its room
 * (SG_INET6_MAX_CANON + 1) takes. */
static inline char *put_group(char *o, unsigned g)
{
    static const char hx[] = "0123456789abcdef";
    char b[8];
    size_t nd = 1 + (g >= 0x10) + (g >= 0x100) + (g >= 0x1000);
    b[0] = hx[g >> 12 & 0xf];
    b[1] = hx[g >> 8 & 0xf];
    b[2] = hx[g >> 4 & 0xf];
    b[3] = hx[g & 0xf];
    memset(b + 4, 0, 4);
    memcpy(o, b + 4 - nd, 4); /* the last nd digits; fixed size: no call */
    return o + nd;
}

size_t sg_inet6_canon(char *o, const char *s, size_t n)
{
    unsigned g[8], zero = 0; /* bit i: the i-th group read is 0 */
    int ng = 0, gap = -1, i, best = -1, bestlen = 1;
    size_t p = 0, lim;
    char *start = o;
    if (n < 2 || n > SG_INET6_MAX_TEXT)
        return 0;
    /* IPv6 text has a ':' after at most 4 hex digits: IPv4 (most of the
     * addresses) and other text are told at once */
    if (n >= 5) {
        if (!((s[0] == ':') | (s[1] == ':') | (s[2] == ':') | (s[3] == ':') | (s[4] == ':')))
            return 0;
    } else if (!memchr(s, ':', n)) {
        return 0;
    }
    if (s[0] == ':') {
        if (s[1] != ':')
            return 0;
        gap = 0;
        p = 2;
    }
    while (p < n) {
        size_t q = p;
        unsigned v = 0, d;
        lim = n - p < 5 ? n : p + 5;
        while (q < lim && (d = hex_value1[(unsigned char)s[q]]) != 0) {
            v = v << 4 | (d - 1);
            q++;
        }
        if (q < n && s[q] == '.') { /* the last 32 bits as a dotted quad */
            unsigned long a;
            if (ng > 6 || !dotted_quad(s + p, n - p, &a))
                return 0;
            zero |= (unsigned)!(a >> 16) << ng;
            g[ng++] = (unsigned)(a >> 16);
            zero |= (unsigned)!(a & 0xffff) << ng;
            g[ng++] = (unsigned)(a & 0xffff);
            break;
        }
        if (q == p || q - p > 4 || ng == 8)
            return 0;
        zero |= (unsigned)!v << ng;
        g[ng++] = v;
        if (q == n)
            break;
        if (s[q] != ':' || q + 1 == n) /* a ':' ends nothing */
            return 0;
        p = q + 1;
        if (s[p] == ':') {
            if (gap >= 0)
                return 0;
            gap = ng;
            p++;
        }
    }
    if (gap < 0 ? ng != 8 : ng > 7)
        return 0;
    if (gap >= 0) { /* the "::" stands for the groups missing */
        int tail = ng - gap;
        for (i = 7; i >= 8 - tail; i--) /* the groups after it to the end, last first */
            g[i] = g[i - (8 - ng)];
        for (i = gap; i < 8 - tail; i++)
            g[i] = 0;
        zero = (zero & ((1u << gap) - 1)) | (((1u << (8 - ng)) - 1) << gap) |
               (zero >> gap << (gap + 8 - ng));
    }
    /* RFC 5952 5: IPv4-mapped addresses end in their dotted quad */
    if (!g[0] && !g[1] && !g[2] && !g[3] && !g[4] && g[5] == 0xffff) {
        memcpy(o, "::ffff:", 7);
        o += 7;
        for (i = 0; i < 4; i++) {
            unsigned b = g[6 + i / 2] >> (i % 2 ? 0 : 8) & 0xff;
            if (i)
                *o++ = '.';
            if (b >= 100)
                *o++ = (char)('0' + b / 100);
            if (b >= 10)
                *o++ = (char)('0' + b / 10 % 10);
            *o++ = (char)('0' + b % 10);
        }
        *o = '\0';
        return (size_t)(o - start);
    }
    /* RFC 5952 4.2: "::" for the longest run of two or more zero groups,
     * the first of equal runs.  Bit i of run is set while groups i, i + 1,
     * ..., i + len - 1 are all zero. */
    {
        unsigned run = zero, last = 0;
        int len = 0;
        while (run) {
            last = run;
            run &= run >> 1;
            len++;
        }
        if (len > bestlen) {
            bestlen = len;
            for (best = 0; !(last >> best & 1); best++)
                ;
        }
    }
    /* the groups before the "::", the "::", the groups after it */
    for (i = 0; i < (best < 0 ? 8 : best); i++) {
        if (i)
            *o++ = ':';
        o = put_group(o, g[i]);
    }
    if (best >= 0) {
        *o++ = ':';
        for (i = best + bestlen; i < 8; i++) {
            *o++ = ':';
            o = put_group(o, g[i]);
        }
        if (best + bestlen == 8)
            *o++ = ':';
    }
    *o = '\0';
    return (size_t)(o - start);
}
