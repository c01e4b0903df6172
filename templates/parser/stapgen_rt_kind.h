/* stapgen_rt_kind.h - what the code stapgen generates for each record kind
 * calls.
 *
 * The generic reader and writers look up every field's type for every
 * record.  A generated parser knows them: for each kind it has a reader of
 * the kind's fields and, for an event kind, a writer per format, with the
 * calls for each field and the format's fixed text (JSON keys, table
 * widths) chosen when it was generated.  It passes them to sg_main_code as
 * a table parallel to its tool's kinds (sg_kind_code; a NULL function: the
 * generic code for that kind and format), and the runtime calls them where
 * it would run its generic code:
 *   read   every line of the kind, once the tabs are found and counted,
 *          except in the folded and svg formats' raw-stack mode;
 *   table, json, csv
 *          every event of the kind, when the values come from the
 *          runtime's reader in raw-number mode (sg_main): a string then
 *          has SG_RD_PAD readable bytes past its end, and a number is its
 *          canonical text (s, slen) or, s NULL, its value (l).
 * Both print the same bytes (tests/parsers/kind_code.sh compares every
 * tool's parser with one built with -DSG_NO_KIND_CODE, which switches the
 * generated code off, on random input of all its kinds).  The generic
 * code stays for the kinds without
 * generated code, for sg_reader and sg_writer used directly, and for the
 * records outside the cases above. */
#ifndef STAPGEN_RT_KIND_H
#define STAPGEN_RT_KIND_H

#include <stddef.h>
#include <string.h>

#include "stapgen_rt.h"

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define SG_NUM_SSE2 1 /* sg_num_canonical: 16 bytes at a time */
#else
#define SG_NUM_SSE2 0
#endif

#ifdef __cplusplus
extern "C" {
#endif

#if defined(__GNUC__) || defined(__clang__)
#define SG_LIKELY(x) __builtin_expect(!!(x), 1)
#define SG_UNLIKELY(x) __builtin_expect(!!(x), 0)
/* the per-field helpers below: inlined even into a kind's long reader or
 * writer, where the field's index is a constant */
#define SG_INLINE static inline __attribute__((always_inline))
#else
#define SG_LIKELY(x) (x)
#define SG_UNLIKELY(x) (x)
#define SG_INLINE static inline
#endif

/* Bytes readable past the end of the reader's buffer (and so past every
 * string and number it returns). */
#define SG_RD_PAD 32
/* Raw-number mode (sg_main, for table, JSON and CSV): a long field (with
 * SG_RAW_TIME also a time field) of an event whose wire text is already
 * canonical (as sg_fmt_ll prints it) comes with s/slen = that text and l
 * unset; other numbers as usual (s NULL).  Every value's s then has
 * SG_RD_PAD bytes readable past s + slen.  mode: 0 (off) or SG_RAW_*. */
#define SG_RAW_LONG 1
#define SG_RAW_TIME 3 /* long and time fields */

/* The line being read, for a kind's reader: field i is p[tab[i] + 1,
 * tab[i + 1]), and its value goes to v[i]. */
typedef struct sg_line {
    char *p;
    const size_t *tab;
    sg_value *v;
    int raw;          /* the raw-number mode for this kind: 0 or SG_RAW_* */
    /* for the runtime's sg_read_* */
    sg_reader *r;
    const sg_kind *k;
    size_t si;        /* how far the line's escaped bytes are passed */
    char *why;        /* the reason a line is dropped */
    size_t whysz;
} sg_line;

/* One kind's generated code (see above); NULL members: the generic code. */
typedef struct sg_kind_code {
    /* fields into values; 0: the line is dropped (the reason in ln->why) */
    int (*read)(sg_line *ln);
    /* one event into the output */
    void (*table)(sg_writer *w, const sg_value *v);
    void (*json)(sg_writer *w, const sg_value *v);
    void (*csv)(sg_writer *w, const sg_value *v);
} sg_kind_code;

/* sg_main_svg with the kinds' generated code: code[i] is for tool->kinds[i]
 * (svg may be NULL). */
int sg_main_code(int argc, char **argv, const sg_tool *tool, const sg_svg_opts *svg,
                 const sg_kind_code *code);
/* The same for a reader or a writer of one's own (parallel to the tool's
 * kinds, as above; it must outlive r or w). */
void sg_reader_code(sg_reader *r, const sg_kind_code *code);
void sg_writer_code(sg_writer *w, const sg_kind_code *code);

/* ---- reading fields ------------------------------------------------------ */

/* Nonzero if the 1..8 bytes at s (8 bytes readable) are all digits. */
SG_INLINE int sg_isdigits8(const char *s, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    unsigned long long x;
    memcpy(&x, s, 8);
    if (n < 8)
        x = (x << (8 * (8 - n))) | (0x3030303030303030ull >> (8 * n));
    return ((x & 0xF0F0F0F0F0F0F0F0ull) |
            (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) == 0x3333333333333333ull;
#else
    size_t i;
    for (i = 0; i < n; i++)
        if ((unsigned)(unsigned char)s[i] - '0' > 9)
            return 0;
    return 1;
#endif
}

/* The value of the 1..8 decimal digits at s (8 bytes readable), or -1 if
 * one of them is not a digit. */
SG_INLINE long long sg_digits8(const char *s, size_t n)
{
    unsigned long long x;
    memcpy(&x, s, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* the first digit in the lowest byte: shift the digits up, '0's in */
    if (n < 8)
        x = (x << (8 * (8 - n))) | (0x3030303030303030ull >> (8 * n));
    if (((x & 0xF0F0F0F0F0F0F0F0ull) |
         (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) != 0x3333333333333333ull)
        return -1;
    x -= 0x3030303030303030ull;
    x = (x * 10) + (x >> 8);
    x = (((x & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
         (((x >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
    return (long long)x;
#else
    {
        size_t i;
        long long v = 0;
        (void)x;
        for (i = 0; i < n; i++) {
            unsigned d = (unsigned)(unsigned char)s[i] - '0';
            if (d > 9)
                return -1;
            v = v * 10 + d;
        }
        return v;
    }
#endif
}

/* Nonzero if s[0..n) (s + 17 and s + n + 8 readable) is a number as
 * sg_fmt_ll prints it, of at most 16 digits (so within int64): "0" or
 * -?[1-9][0-9]*.  Such text is valid as it stands and is copied out
 * instead of parsed. */
SG_INLINE int sg_num_canonical(const char *s, size_t n)
{
#if SG_NUM_SSE2
    /* the 16 bytes after a '-' at once, no branch: + 0x50 takes '0'..'9'
     * to -128..-119 (signed), every other byte above */
    size_t neg = (n != 0) & (s[0] == '-'), dd = n - neg - 1; /* dd: digits - 1 */
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(s + neg));
    unsigned nd = (unsigned)_mm_movemask_epi8(
        _mm_cmpgt_epi8(_mm_add_epi8(x, _mm_set1_epi8(0x50)), _mm_set1_epi8(-119)));
    nd &= (2u << (dd & 15)) - 1;
    return (dd <= 15) & (nd == 0) & ((s[neg] != '0') | ((dd == 0) & (neg == 0)));
#else
    size_t i = n && s[0] == '-', d = n - i;
    if (d == 0 || d > 16)
        return 0;
    if (s[i] == '0')
        return d == 1 && i == 0; /* "0"; not "-0" or "007" */
    if (d <= 8)
        return sg_isdigits8(s + i, d);
    return sg_isdigits8(s + i, d - 8) && sg_isdigits8(s + n - 8, 8);
#endif
}

/* Field i as a number, parsed (sg_read_long and sg_read_time when it is
 * not kept as text); 0: not a number, the reason given. */
int sg_read_number(sg_line *ln, size_t i);

/* Field i as a long: in raw-number mode its text if that is canonical. */
SG_INLINE int sg_read_long(sg_line *ln, size_t i)
{
    char *s = ln->p + ln->tab[i] + 1;
    size_t n = ln->tab[i + 1] - ln->tab[i] - 1;
    if (ln->raw && sg_num_canonical(s, n)) {
        ln->v[i].l = 0;
        ln->v[i].s = s;
        ln->v[i].slen = n;
        return 1;
    }
    return sg_read_number(ln, i);
}

/* Field i as a time: its text only in SG_RAW_TIME mode. */
SG_INLINE int sg_read_time(sg_line *ln, size_t i)
{
    char *s = ln->p + ln->tab[i] + 1;
    size_t n = ln->tab[i + 1] - ln->tab[i] - 1;
    if (ln->raw == SG_RAW_TIME && sg_num_canonical(s, n)) {
        ln->v[i].l = 0;
        ln->v[i].s = s;
        ln->v[i].slen = n;
        return 1;
    }
    return sg_read_number(ln, i);
}

/* Field i as a string (a stack too): as it is in the line, or unescaped
 * into the reader's buffer when it has escapes. */
int sg_read_str(sg_line *ln, size_t i);
/* Field i as an IP address, IPv6 rewritten (RFC 5952) into the reader's
 * slot for the kind's slot-th address field. */
int sg_read_inet(sg_line *ln, size_t i, size_t slot);

/* ---- writing records ----------------------------------------------------- */

/* Room for n more bytes at the end of w's output: where they go, or NULL
 * (out of memory: the record is lost, and sg_writer_error says so). */
char *sg_out_room(sg_writer *w, size_t n);
/* The record written ends at o, inside the room. */
void sg_out_end(sg_writer *w, char *o);

/* The string literal lit at o; the end. */
#define SG_PUT(o, lit) ((char *)memcpy((o), (lit), sizeof(lit) - 1) + (sizeof(lit) - 1))

extern const char sg_digits2[201]; /* "00" "01" ... "99" */

/* Decimal of v at p (room for 20 bytes); returns the length. */
static inline size_t sg_fmt_ll(char *p, long long v)
{
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v, t;
    size_t n = 1, neg = v < 0;
    char *q;
    for (t = u; t >= 10000; t /= 10000)
        n += 4;
    n += (t >= 10) + (t >= 100) + (t >= 1000);
    if (neg)
        *p = '-';
    q = p + neg + n;
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        q -= 2;
        q[0] = sg_digits2[d];
        q[1] = sg_digits2[d + 1];
    }
    if (u >= 10) {
        q[-2] = sg_digits2[u * 2];
        q[-1] = sg_digits2[u * 2 + 1];
    } else {
        q[-1] = (char)('0' + u);
    }
    return n + neg;
}

/* A number's value: l, or the value of its canonical text (s, slen). */
SG_INLINE long long sg_num_value(const sg_value *v)
{
    const char *s = v->s;
    size_t neg, d;
    long long a;
    if (!s)
        return v->l;
    neg = s[0] == '-';
    d = v->slen - neg; /* 1..16 digits, SG_RD_PAD readable past them */
    if (d <= 8)
        a = sg_digits8(s + neg, d);
    else
        a = sg_digits8(s + neg, d - 8) * 100000000 + sg_digits8(s + v->slen - 8, 8);
    return neg ? -a : a;
}

/* A number at o (room for 24 bytes): its text as it came, or its value
 * formatted; the end. */
SG_INLINE char *sg_put_num(char *o, const sg_value *v)
{
    if (v->s) {
        memcpy(o, v->s, 24); /* fixed size: no call; at most 17 bytes are used */
        return o + v->slen;
    }
    return o + sg_fmt_ll(o, v->l);
}

/* The text helpers of stapgen_rt_text.c for strings from the reader
 * (SG_RD_PAD bytes readable past s + n): 16 bytes more room at o than
 * each says, and they return the end.
 *   JSON string literal: room 6 * n + 2; *bad set if some byte was not
 *   UTF-8 (written as U+FFFD); the bytes in hex, quoted: room 2 * n + 2
 *   RFC 4180 field: room 2 * n + 2
 *   table text (printable as is, the rest C-escaped): room 4 * n, its
 *   display width in *width */
char *sg_json_str_pad_at(char *o, const char *s, size_t n, int *bad);
char *sg_json_hex_at(char *o, const char *s, size_t n);
char *sg_csv_str_pad_at(char *o, const char *s, size_t n);
char *sg_render_str_pad_at(char *o, const char *s, size_t n, size_t *width);

/* A JSON string value at o (room for 8 * slen + 20 + strlen(hexkey)); one
 * that is not UTF-8 is followed by hexkey (,"NAME.hex":) and its bytes in
 * hex. */
SG_INLINE char *sg_json_text(char *o, const sg_value *v, const char *hexkey)
{
    int bad = 0;
    o = sg_json_str_pad_at(o, v->s, v->slen, &bad);
    if (SG_UNLIKELY(bad)) {
        size_t n = strlen(hexkey);
        memcpy(o, hexkey, n);
        o = sg_json_hex_at(o + n, v->s, v->slen);
    }
    return o;
}

/* A CSV field at o (room for 2 * slen + 18). */
SG_INLINE char *sg_csv_text(char *o, const sg_value *v)
{
    return sg_csv_str_pad_at(o, v->s, v->slen);
}

/* n blanks at o (room for at least 32); the end. */
SG_INLINE char *sg_spaces_at(char *o, size_t n)
{
    static const char blanks[33] = "                                ";
    if (n <= 32)
        memcpy(o, blanks, 32); /* fixed size: no call */
    else
        memset(o, ' ', n);
    return o + n;
}

/* Table cells at o, padded to width with blanks (room for width + 32 and
 * the cell): a number right-aligned (room 24); text left-aligned, width 0
 * for the last column (not padded; room 4 * slen + 16); a time as local
 * time (room 64). */
SG_INLINE char *sg_table_num(char *o, const sg_value *v, size_t width)
{
    char num[24];
    const char *s = v->s;
    size_t n = v->slen;
    if (!s) {
        n = sg_fmt_ll(num, v->l);
        s = num;
    }
    if (n < width)
        o = sg_spaces_at(o, width - n);
    memcpy(o, s, 24); /* fixed size (at most 20 bytes used) */
    return o + n;
}

SG_INLINE char *sg_table_text(char *o, const sg_value *v, size_t width)
{
    size_t cw;
    o = sg_render_str_pad_at(o, v->s, v->slen, &cw);
    return cw < width ? sg_spaces_at(o, width - cw) : o;
}

char *sg_table_time(sg_writer *w, char *o, const sg_value *v, size_t width);

#ifdef __cplusplus
}
#endif

#endif /* STAPGEN_RT_KIND_H */
