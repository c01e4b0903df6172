/* stapgen_rt_reader.c - the reader: the wire format (stapgen_rt.h) from a
 * stream to records.
 *
 *   input      the stream is read in large blocks (read(2) on its file
 *              descriptor when stdio holds nothing of it, which returns what a
 *              pipe has now: a live stream is not held back), lines found
 *              with memchr, at most SG_MAX_LINE bytes of a line kept
 *   records    kind lookup, field count, numbers, text_str() unescaping in
 *              place (no copy, no allocation per record), histogram buckets
 *   framing    what the built-in records may frame (rd_frame, one place)
 *   next       a line to a record or a dropped-line diagnostic */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* fileno, getc_unlocked, read */
#endif

#include "stapgen_rt_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#if defined(__unix__) || defined(__APPLE__)
#include <unistd.h>
#define SG_HAVE_READ 1
#endif

#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
#define SG_SCAN_SSE2 1
#endif

#if defined(_POSIX_C_SOURCE) && _POSIX_C_SOURCE >= 200112L
#define SG_GETC(f) getc_unlocked(f)
#else
#define SG_GETC(f) getc(f)
#endif

/* One SG_INET field's rewritten text, NUL and SG_RD_PAD readable bytes. */
#define RD_INET_SLOT (SG_INET6_MAX_CANON + 1 + SG_RD_PAD)
/* Bytes read per read(2); the buffer also holds one whole line. */
#define SG_READ_BLOCK (256u << 10)
/* Offsets of escaped-only bytes kept per line by rd_scan. */
#define RD_NSPEC 4096

struct sg_reader {
    FILE *in;
    int fd;            /* >= 0: read(2) on it; else getc() */
    char *name;
    const sg_tool *tool;
    FILE *diag;
    size_t *klen;      /* strlen of each tool kind name */
    /* its first 8 bytes and zeros, and a mask of as many 0xff bytes: a
     * name of up to 8 bytes is compared with one load (rd_lookup) */
    unsigned long long *kname8, *kmask8;
    char *buf;         /* input: [pos, end) not yet consumed */
    size_t cap, pos, end, scan; /* scan: [pos, scan) holds no '\n' */
    int skipping;      /* inside a line longer than SG_MAX_LINE */
    int in_eof;        /* the stream is exhausted (or failed) */
    sg_value *vals;
    size_t maxf;
    /* the RFC 5952 text of a record's SG_INET fields (one slot each, the
     * most any kind has): it may be longer than the wire text */
    char *inet;
    /* the line's escaped string fields, unescaped (their text and NUL, one
     * after another; SG_RD_PAD and 16 bytes more room): unesc_n used */
    char *unesc;
    size_t unesc_n;
    /* rd_scan of the current line: tab offsets (the first maxf + 1 kept),
     * offsets of bytes a string holds only escaped (the first RD_NSPEC) */
    size_t *tabs, ntab, nspec;
    unsigned spec[RD_NSPEC];
    int nul;
    int lazy;          /* rd_scan kept no spec: rd_specs per string field */
    unsigned long lineno, dropped, records, shown;
    int done, ioerr, summarized;
    int ended;         /* the last record was @end: the run's end report came */
    int rawnum;        /* sg_reader_rawnum: SG_RAW_*, 0 = off */
    sg_known_fn known; /* sg_reader_rawstack, NULL = off */
    void *known_ctx;
    int kinds_first;   /* no tool kind is named like a built-in */
    const sg_kind_code *code; /* sg_reader_code: the kinds' generated readers */
    /* report framing: the open @report block, if any */
    char *block;       /* its name: SG_MAX_LINE + 1 */
    size_t blen;
    unsigned long bline; /* its @report line; 0 = no block open */
};

static const sg_kind *rd_builtin(const char *name, size_t n);

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
            if ((unsigned)k->fields[j].type >= SG_NTYPES) {
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

/* read(2) is used only when stdio holds no byte of the stream yet. */
static int rd_fd(FILE *in)
{
#if defined(SG_HAVE_READ) && defined(__GLIBC__)
    int fd = fileno(in);
    if (fd >= 0 && in->_IO_read_ptr == in->_IO_read_end)
        return fd;
#else
    (void)in;
#endif
    return -1;
}

sg_reader *sg_reader_new(FILE *in, const char *in_name, const sg_tool *tool, FILE *diag)
{
    sg_reader *r;
    size_t i, j, maxf = 2, maxinet = 0, nlen;
    if (!in || !check_tool(tool, diag))
        return NULL;
    for (i = 0; i < tool->nkinds; i++) {
        size_t ninet = 0;
        if (tool->kinds[i].nfields > maxf)
            maxf = tool->kinds[i].nfields;
        for (j = 0; j < tool->kinds[i].nfields; j++)
            ninet += tool->kinds[i].fields[j].type == SG_INET;
        if (ninet > maxinet)
            maxinet = ninet;
    }
    r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (!in_name)
        in_name = "<input>";
    nlen = strlen(in_name);
    r->in = in;
    r->fd = rd_fd(in);
    r->tool = tool;
    r->diag = diag;
    r->maxf = maxf;
    r->name = malloc(nlen + 1);
    r->klen = malloc((tool->nkinds ? tool->nkinds : 1) * sizeof *r->klen);
    r->kname8 = calloc(tool->nkinds ? tool->nkinds : 1, sizeof *r->kname8);
    r->kmask8 = calloc(tool->nkinds ? tool->nkinds : 1, sizeof *r->kmask8);
    r->cap = SG_READ_BLOCK + SG_MAX_LINE + 2;
    /* SG_RD_PAD: number fields are loaded 8 bytes at a time, and writers
     * load strings and numbers 16 or 24 bytes at a time (sg_reader_rawnum) */
    r->buf = calloc(1, r->cap + SG_RD_PAD);
    r->vals = calloc(maxf, sizeof *r->vals);
    r->tabs = malloc((maxf + 1 + 32) * sizeof *r->tabs); /* 32 more: see rd_tabs */
    r->block = malloc(SG_MAX_LINE + 1);
    r->inet = maxinet ? calloc(maxinet, RD_INET_SLOT) : NULL;
    /* a line's fields and a NUL each: at most 2 * SG_MAX_LINE + 1 */
    r->unesc = calloc(1, 2 * (size_t)SG_MAX_LINE + 2 + SG_RD_PAD + 16);
    if (!r->name || !r->klen || !r->kname8 || !r->kmask8 || !r->buf || !r->vals || !r->tabs ||
        !r->block || !r->unesc || (maxinet && !r->inet)) {
        sg_reader_free(r);
        return NULL;
    }
    memcpy(r->name, in_name, nlen + 1);
    for (i = 0; i < nlen; i++) /* it starts every diagnostic: no escape sequences */
        if ((unsigned char)r->name[i] < 0x20 || r->name[i] == 0x7f)
            r->name[i] = '?';
    r->kinds_first = 1;
    for (i = 0; i < tool->nkinds; i++) {
        r->klen[i] = strlen(tool->kinds[i].name);
        memcpy(&r->kname8[i], tool->kinds[i].name, r->klen[i] < 8 ? r->klen[i] : 8);
        memset(&r->kmask8[i], 0xff, r->klen[i] < 8 ? r->klen[i] : 8);
        if (rd_builtin(tool->kinds[i].name, r->klen[i]))
            r->kinds_first = 0;
    }
    return r;
}

void sg_reader_free(sg_reader *r)
{
    if (!r)
        return;
    free(r->name);
    free(r->klen);
    free(r->kname8);
    free(r->kmask8);
    free(r->buf);
    free(r->vals);
    free(r->tabs);
    free(r->block);
    free(r->inet);
    free(r->unesc);
    free(r);
}

void sg_reader_rawnum(sg_reader *r, int mode)
{
    if (r)
        r->rawnum = mode;
}

void sg_reader_rawstack(sg_reader *r, sg_known_fn known, void *ctx)
{
    if (r) {
        r->known = known;
        r->known_ctx = ctx;
    }
}

unsigned long sg_reader_dropped(const sg_reader *r) { return r ? r->dropped : 0; }
unsigned long sg_reader_records(const sg_reader *r) { return r ? r->records : 0; }
int sg_reader_error(const sg_reader *r) { return r ? r->ioerr : 0; }
int sg_reader_ended(const sg_reader *r) { return r ? r->ended : 0; }
unsigned long sg_reader_lines(const sg_reader *r) { return r ? r->lineno : 0; }

/* ========================================================================== */
/* input                                                                      */
/* ========================================================================== */

/* Appends what the stream has to buf[end..cap); sets in_eof at its end. */
static void rd_fill(sg_reader *r)
{
    size_t room = r->cap - r->end;
#ifdef SG_HAVE_READ
    if (r->fd >= 0) {
        for (;;) {
            ssize_t n = read(r->fd, r->buf + r->end, room);
            if (n > 0) {
                r->end += (size_t)n;
                return;
            }
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                r->ioerr = 1;
            r->in_eof = 1;
            return;
        }
    }
#endif
    {
        /* through stdio: at most one line, so that a live stream is not
         * waited for beyond it */
        FILE *in = r->in;
        int c = 0;
        size_t n = 0;
        while (n < room && (c = SG_GETC(in)) != EOF) {
            r->buf[r->end + n++] = (char)c;
            if (c == '\n')
                break;
        }
        r->end += n;
        if (c == EOF) {
            r->in_eof = 1;
            if (ferror(in))
                r->ioerr = 1;
        }
    }
}

/* The next line (without its '\n') as *line, *len.  0 at the end of the
 * input.  *overlong: longer than SG_MAX_LINE (then not kept: *len = 0);
 * *newline: it ended with a '\n'. */
static int rd_line(sg_reader *r, char **line, size_t *len, int *overlong, int *newline)
{
    *overlong = 0;
    *newline = 0;
    for (;;) {
        char *nl = r->scan < r->end ? memchr(r->buf + r->scan, '\n', r->end - r->scan) : NULL;
        if (nl) {
            size_t n = (size_t)(nl - (r->buf + r->pos));
            *line = r->buf + r->pos;
            *newline = 1;
            if (r->skipping || n > SG_MAX_LINE) {
                *overlong = 1;
                n = 0;
                r->skipping = 0;
            }
            *len = n;
            r->pos = r->scan = (size_t)(nl - r->buf) + 1;
            return 1;
        }
        r->scan = r->end;
        if (r->end - r->pos > SG_MAX_LINE) {
            /* the rest of this line is read and thrown away */
            r->skipping = 1;
            r->pos = r->scan = r->end = 0;
        }
        if (r->in_eof) {
            *line = r->buf + r->pos;
            *len = r->end - r->pos;
            if (r->skipping) {
                *overlong = 1;
                *len = 0;
                r->skipping = 0;
            } else if (*len == 0) {
                return 0;
            }
            r->pos = r->scan = r->end;
            return 1;
        }
        if (r->pos) {
            memmove(r->buf, r->buf + r->pos, r->end - r->pos);
            r->end -= r->pos;
            r->scan -= r->pos;
            r->pos = 0;
        }
        rd_fill(r);
    }
}

/* Nonzero if the next sg_reader_next returns without reading the stream
 * (a whole line is buffered, or the input is over): sg_main writes its
 * output out before a read that may wait. */
int sg_reader_ready(const sg_reader *r)
{
    return !r || r->in_eof || r->done ||
           (r->scan < r->end && memchr(r->buf + r->scan, '\n', r->end - r->scan));
}

/* ========================================================================== */
/* records                                                                    */
/* ========================================================================== */

/* the protocol's own kinds (gen/tables/wire_tags.def) */
static const sg_kind *const rd_builtins[] = {
#define WIRE(n, fields, what) &sg_kind_##n,
#include "stapgen_rt_tables.h"
#undef WIRE
};
static const size_t rd_builtin_len[] = {
#define WIRE(n, fields, what) sizeof #n - 1,
#include "stapgen_rt_tables.h"
#undef WIRE
};
#define RD_NBUILTINS (sizeof rd_builtins / sizeof rd_builtins[0])

static const sg_kind *rd_builtin(const char *name, size_t n)
{
    size_t i;
    for (i = 0; i < RD_NBUILTINS; i++)
        if (rd_builtin_len[i] == n && memcmp(rd_builtins[i]->name, name, n) == 0)
            return rd_builtins[i];
    return NULL;
}

/* A built-in wins over a tool kind of the same name.  Tool records are the
 * many: their kinds are tried first when no name is shared. */
static const sg_kind *rd_lookup(const sg_reader *r, const char *name, size_t n)
{
    size_t i;
    const sg_kind *k;
    if (!r->kinds_first && (k = rd_builtin(name, n)) != NULL)
        return k;
    if (n <= 8) {
        /* the name is in the line: 8 bytes readable (SG_RD_PAD) */
        unsigned long long x;
        memcpy(&x, name, 8);
        for (i = 0; i < r->tool->nkinds; i++)
            if (r->klen[i] == n && (x & r->kmask8[i]) == r->kname8[i])
                return &r->tool->kinds[i];
    } else {
        for (i = 0; i < r->tool->nkinds; i++)
            if (r->klen[i] == n && r->tool->kinds[i].name[0] == name[0] &&
                memcmp(r->tool->kinds[i].name, name, n) == 0)
                return &r->tool->kinds[i];
    }
    return r->kinds_first ? rd_builtin(name, n) : NULL;
}


/* s[0..n) as int64: 0 ok, 1 syntax, 2 out of int64 range.  s + n + 8 is
 * readable. */
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
    if (n - i <= 16) { /* no overflow possible */
        long long a, b = 0;
        if (n - i <= 8) {
            a = sg_digits8(s + i, n - i);
        } else {
            a = sg_digits8(s + i, n - i - 8);
            b = sg_digits8(s + n - 8, 8);
            if (a >= 0 && b >= 0)
                a = a * 100000000 + b;
        }
        if (a < 0 || b < 0)
            return 1;
        *out = neg ? -a : a;
        return 0;
    }
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

/* 1 for the bytes a text_str() string holds as they are (printable ASCII
 * but the backslash). */
static const unsigned char rd_plain[256] = {
#define R8(x) x, x, x, x, x, x, x, x
    R8(0), R8(0), R8(0), R8(0),            /* 0x00-0x1f */
    R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), R8(1), /* 0x20-0x57 */
    1, 1, 1, 1, 0, 1, 1, 1,                /* 0x58-0x5f: '\\' = 0x5c */
    R8(1), R8(1), R8(1),                   /* 0x60-0x77 */
    1, 1, 1, 1, 1, 1, 1, 0,                /* 0x78-0x7f: DEL */
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
    R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0), R8(0),
#undef R8
};

#ifdef SG_SCAN_SSE2
/* The 16 bytes at s as four \ooo escapes of at most \377 (UTF-8 as
 * text_str() writes it): their bytes at out[0..4), 1; else 0. */
static inline int rd_oct4(const char *s, char *out)
{
    const __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    /* a lane's bytes less '\\', '0', '0', '0': at most 0, 3, 7, 7 */
    const __m128i d = _mm_sub_epi8(x, _mm_set1_epi32(0x3030305c)),
                  lim = _mm_set1_epi32(0x07070300);
    __m128i v;
    int w;
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(d, lim), lim)) != 0xffff)
        return 0;
    /* lane = d1 << 8 | d2 << 16 | d3 << 24; the byte: d1 << 6 | d2 << 3 | d3 */
    v = _mm_or_si128(_mm_or_si128(_mm_and_si128(_mm_srli_epi32(d, 2), _mm_set1_epi32(0xc0)),
                                  _mm_and_si128(_mm_srli_epi32(d, 13), _mm_set1_epi32(0x38))),
                     _mm_srli_epi32(d, 24));
    v = _mm_packs_epi32(v, v);
    w = _mm_cvtsi128_si32(_mm_packus_epi16(v, v));
    memcpy(out, &w, 4);
    return 1;
}
#endif

/* Undoes text_str() escaping of field p[so..eo) of the current line into
 * d (the result is never longer; d has room for 16 bytes more).  r->spec
 * from index *si on holds the offsets of its bytes that are not plain
 * (rd_scan), so plain runs are copied, not looked at.  Returns NULL on
 * success (the length in *olen), else a reason written into why. */
static const char *unescape(sg_reader *r, const char *p, size_t so, size_t eo, size_t *si,
                            char *d, size_t *olen, char *why, size_t whysz)
{
    const char *s = p + so;
    size_t n = eo - so, i = 0, o = 0, k = *si;
    size_t kept = r->nspec < RD_NSPEC ? r->nspec : RD_NSPEC;
    char q[SG_SNIP_MAX + 8];
    const unsigned char *u = (const unsigned char *)s;
    for (;;) {
        /* the plain run from i to the next byte that is not */
        size_t stop;
        while (k < kept && r->spec[k] < so + i)
            k++;
        if (k < kept)
            stop = r->spec[k] < eo ? r->spec[k] - so : n;
        else if (r->nspec > RD_NSPEC)
            for (stop = i; stop < n && rd_plain[u[stop]]; stop++)
                ;
        else
            stop = n;
        if (stop > i) {
            /* 16 bytes a step: the loads at most 15 bytes past the field
             * (SG_RD_PAD readable), the stores into d's room */
            size_t m;
            for (m = 0; m < stop - i; m += 16)
                memcpy(d + o + m, s + i + m, 16);
            o += stop - i;
            i = stop;
        }
        if (i >= n)
            break;
        if (u[i] != '\\') {
            snprintf(why, whysz, "unescaped byte 0x%02x in string", (unsigned)u[i]);
            return why;
        }
        /* a run of escapes (UTF-8 comes as two to four \ooo in a row) */
        do {
            if (i + 1 >= n) {
                snprintf(why, whysz, "bad escape \"\\\\\" at end of string");
                return why;
            }
            if ((unsigned)(u[i + 1] - '0') < 4) { /* \ooo <= \377: the common case */
#ifdef SG_SCAN_SSE2
                if (i + 16 <= n && rd_oct4(s + i, d + o)) { /* four at once */
                    o += 4;
                    i += 16;
                    k += 4;
                    continue;
                }
#endif
                if (i + 3 < n && (unsigned)(u[i + 2] - '0') < 8 && (unsigned)(u[i + 3] - '0') < 8) {
                    d[o++] = (char)(((u[i + 1] - '0') << 6) | ((u[i + 2] - '0') << 3) |
                                    (u[i + 3] - '0'));
                    i += 4;
                    k++; /* its '\\' was r->spec[k]; its digits are plain */
                    continue;
                }
            }
            switch (s[i + 1]) {
            /* r->spec[k] is the '\\' (and the next, for "\\\\"): passed */
            case 'a': d[o++] = '\a'; i += 2; k++; continue;
            case 'b': d[o++] = '\b'; i += 2; k++; continue;
            case 'f': d[o++] = '\f'; i += 2; k++; continue;
            case 'n': d[o++] = '\n'; i += 2; k++; continue;
            case 'r': d[o++] = '\r'; i += 2; k++; continue;
            case 't': d[o++] = '\t'; i += 2; k++; continue;
            case 'v': d[o++] = '\v'; i += 2; k++; continue;
            case '"': d[o++] = '"'; i += 2; k++; continue;
            case '\\': d[o++] = '\\'; i += 2; k += 2; continue;
            case '0': case '1': case '2': case '3': case '4': case '5': case '6': case '7': {
                size_t j = i + 1, nd = 0;
                unsigned v = 0;
                while (j < n && nd < 3 && s[j] >= '0' && s[j] <= '7') {
                    v = v * 8 + (unsigned)(s[j] - '0');
                    j++;
                    nd++;
                }
                if (nd < 3 || v > 255) {
                    sg_snip(q, sizeof q, s + i, j - i);
                    snprintf(why, whysz, "bad escape \"%s\"%s", q,
                             nd < 3 ? " (octal needs 3 digits)" : " (octal > \\377)");
                    return why;
                }
                d[o++] = (char)v;
                i = j;
                continue;
            }
            case 'x': {
                /* stap's BPF runtime escapes non-ASCII bytes as \xHH */
                if (i + 3 >= n || hexval(s[i + 2]) < 0 || hexval(s[i + 3]) < 0) {
                    sg_snip(q, sizeof q, s + i, i + 4 <= n ? 4 : n - i);
                    snprintf(why, whysz, "bad escape \"%s\" (needs 2 hex digits)", q);
                    return why;
                }
                d[o++] = (char)(hexval(s[i + 2]) * 16 + hexval(s[i + 3]));
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
                    sg_snip(q, sizeof q, s + i, j - i);
                    snprintf(why, whysz, "bad escape \"%s\" (needs %zu hex digits)", q, want);
                    return why;
                }
                if (cp > 0x10FFFFul || (cp >= 0xD800ul && cp <= 0xDFFFul)) {
                    sg_snip(q, sizeof q, s + i, j - i);
                    snprintf(why, whysz, "bad escape \"%s\" (invalid code point)", q);
                    return why;
                }
                /* at most 4 bytes out of at least 6 in */
                o += utf8_put(d + o, cp);
                i = j;
                continue;
            }
            default:
                sg_snip(q, sizeof q, s + i, 2);
                snprintf(why, whysz, "bad escape \"%s\"", q);
                return why;
            }
        } while (i < n && u[i] == '\\');
    }
    *si = k;
    *olen = o;
    return NULL;
}

#ifdef SG_SCAN_SSE2
/* The bytes of x0, x1 (32 bytes) a text_str() string holds only escaped,
 * tabs included: + 0x60 takes the plain range 0x20..0x7e to -128..-34
 * (signed), controls, DEL and bytes >= 0x80 land above it; then the '\\'. */
static inline unsigned long long rd_notplain(__m128i x0, __m128i x1)
{
    const __m128i vsh = _mm_set1_epi8(0x60), vlim = _mm_set1_epi8(-34),
                  vbs = _mm_set1_epi8('\\');
    __m128i b0 = _mm_or_si128(_mm_cmpgt_epi8(_mm_add_epi8(x0, vsh), vlim), _mm_cmpeq_epi8(x0, vbs));
    __m128i b1 = _mm_or_si128(_mm_cmpgt_epi8(_mm_add_epi8(x1, vsh), vlim), _mm_cmpeq_epi8(x1, vbs));
    return (unsigned)_mm_movemask_epi8(b0) | (unsigned long long)(unsigned)_mm_movemask_epi8(b1) << 16;
}

/* The tabs of a 32-byte step of the line at i (bits of t) after the ntab
 * found so far; the first tcap are kept.  tabs has room for 32 more, so a
 * step is stored without a test per tab while ntab <= tcap.  Returns the
 * new count. */
static inline size_t rd_tabs(size_t *tabs, size_t ntab, size_t tcap, size_t i,
                             unsigned long long t)
{
    if (SG_LIKELY(ntab <= tcap)) {
        for (; t; t &= t - 1)
            tabs[ntab++] = i + (size_t)__builtin_ctzll(t);
        return ntab;
    }
    for (; t; t &= t - 1) /* the line has too many fields: only counted */
        ntab++;
    return ntab;
}

/* After a lazy rd_scan: r->spec for string field p[so..eo) alone. */
static void rd_specs(sg_reader *r, const char *p, size_t so, size_t eo)
{
    size_t i = so, nspec = 0;
    while (i < eo) {
        /* SG_RD_PAD readable past the line, as in rd_scan */
        unsigned long long m =
            rd_notplain(_mm_loadu_si128((const __m128i *)(const void *)(p + i)),
                        _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16)));
        if (eo - i < 32)
            m &= (1ull << (eo - i)) - 1;
        while (m) {
            if (nspec < RD_NSPEC)
                r->spec[nspec] = (unsigned)(i + (size_t)__builtin_ctzll(m));
            nspec++;
            m &= m - 1;
        }
        i += 32;
    }
    r->nspec = nspec;
}
#endif

/* One pass over line p[0..len): its tabs, whether it holds a NUL, and where
 * the bytes are that a text_str() string holds only escaped (controls, DEL,
 * non-ASCII, the backslash; tabs aside): a string field without one is used
 * as it stands.  specs 0 (raw-stack mode, where most stack fields are not
 * unescaped): tabs and NULs only, the rest per field by rd_specs. */
static void rd_scan(sg_reader *r, const char *p, size_t len, int specs)
{
    size_t i = 0, ntab = 0, nspec = 0, tcap = r->maxf + 1;
    int nul = 0;
    (void)specs; /* without SSE2 the specs are found in the one pass */
    r->lazy = 0;
#ifdef SG_SCAN_SSE2
    if (!specs) {
        const __m128i vtab = _mm_set1_epi8('\t'), vz = _mm_setzero_si128();
        r->lazy = 1;
        while (i < len) {
            __m128i t0, t1;
            unsigned long long m, t;
            const __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)(p + i)),
                          x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16));
            t0 = _mm_cmpeq_epi8(x0, vtab);
            t1 = _mm_cmpeq_epi8(x1, vtab);
            m = (unsigned)_mm_movemask_epi8(_mm_or_si128(t0, _mm_cmpeq_epi8(x0, vz))) |
                (unsigned long long)(unsigned)_mm_movemask_epi8(
                    _mm_or_si128(t1, _mm_cmpeq_epi8(x1, vz)))
                    << 16;
            if (SG_UNLIKELY(len - i < 32))
                m &= (1ull << (len - i)) - 1;
            if (m) {
                t = m & ((unsigned)_mm_movemask_epi8(t0) |
                         (unsigned long long)(unsigned)_mm_movemask_epi8(t1) << 16);
                if (m & ~t)
                    nul = 1;
                ntab = rd_tabs(r->tabs, ntab, tcap, i, t);
            }
            i += 32;
        }
        r->ntab = ntab;
        r->nspec = 0;
        r->nul = nul;
        return;
    }

    /* 32 bytes a step, one test for "anything but plain bytes" (the tab is
     * below 0x20 too); tabs and NULs are told apart only in the steps that
     * have such a byte: most steps of a long line have none. */
    const __m128i vtab = _mm_set1_epi8('\t'), vz = _mm_setzero_si128();
    while (i < len) {
        __m128i x0, x1;
        unsigned long long m, t;
        /* the line is in the reader's buffer, SG_RD_PAD (32) readable past
         * it: the last step may run past the line, then masked */
        x0 = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
        x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + i + 16));
        m = rd_notplain(x0, x1);
        if (SG_UNLIKELY(len - i < 32))
            m &= (1ull << (len - i)) - 1;
        if (m) {
            t = m & ((unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x0, vtab)) |
                     (unsigned long long)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x1, vtab))
                         << 16);
            m &= ~t;
            if (m) {
                unsigned long long z =
                    (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x0, vz)) |
                    (unsigned long long)(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x1, vz)) << 16;
                if (z & m)
                    nul = 1;
                do {
                    if (nspec < RD_NSPEC)
                        r->spec[nspec] = (unsigned)(i + (size_t)__builtin_ctzll(m));
                    nspec++;
                    m &= m - 1;
                } while (m);
            }
            ntab = rd_tabs(r->tabs, ntab, tcap, i, t);
        }
        i += 32;
    }
#else
    for (; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (rd_plain[c])
            continue;
        if (c == '\t') {
            if (ntab < tcap)
                r->tabs[ntab] = i;
            ntab++;
            continue;
        }
        if (c == 0)
            nul = 1;
        if (nspec < RD_NSPEC)
            r->spec[nspec] = (unsigned)i;
        nspec++;
    }
#endif
    r->ntab = ntab;
    r->nspec = nspec;
    r->nul = nul;
}

/* ---- fields: the generic loop below and a kind's generated reader ------- */

/* Field i of ln as a number, parsed. */
static inline int rd_number(sg_line *ln, size_t i)
{
    char q[SG_SNIP_MAX + 8];
    const char *s = ln->p + ln->tab[i] + 1;
    size_t n = ln->tab[i + 1] - ln->tab[i] - 1;
    int rc = parse_ll(s, n, &ln->v[i].l);
    ln->v[i].s = NULL;
    ln->v[i].slen = 0;
    if (SG_UNLIKELY(rc)) {
        sg_snip(q, sizeof q, s, n);
        snprintf(ln->why, ln->whysz, "@%s: field '%s': %s \"%s\"", ln->k->name,
                 ln->k->fields[i].name, rc == 1 ? "bad number" : "number out of range", q);
        return 0;
    }
    return 1;
}

/* Field i of ln as a string, unescaped in place (NUL-terminated; l = 0).
 * The escaped bytes of the line are r->spec, ascending: ln->si passes them. */
static inline int rd_str(sg_line *ln, size_t i)
{
    sg_reader *r = ln->r;
    char fwhy[160];
    size_t so = ln->tab[i] + 1, eo = ln->tab[i + 1], olen = eo - so, si = ln->si,
           nspec = r->nspec;
    char *start = ln->p + so;
    while (si < nspec && si < RD_NSPEC && r->spec[si] < so)
        si++;
    if (nspec > RD_NSPEC || (si < nspec && r->spec[si] < eo)) {
        /* escaped: unescaped into the line's next bytes of r->unesc */
        start = r->unesc + r->unesc_n;
        if (unescape(r, ln->p, so, eo, &si, start, &olen, fwhy, sizeof fwhy)) {
            snprintf(ln->why, ln->whysz, "@%s: field '%s': %s", ln->k->name,
                     ln->k->fields[i].name, fwhy);
            return 0;
        }
        r->unesc_n += olen + 1;
    }
    ln->si = si;
    start[olen] = '\0';
    ln->v[i].l = 0;
    ln->v[i].s = start;
    ln->v[i].slen = olen;
    return 1;
}

/* Field i (a string read) as an IP address: IPv6 text as RFC 5952 writes
 * it, in the slot-th SG_INET slot; anything else as it is. */
static inline void rd_inet(sg_line *ln, size_t i, size_t slot)
{
    char *o = ln->r->inet + slot * RD_INET_SLOT;
    const char *s = ln->v[i].s;
    size_t n = ln->v[i].slen;
    /* sg_inet6_canon's first test without the call: IPv4, most addresses,
     * has no ':' in its first 5 bytes */
    if (n >= 5 &&
        !((s[0] == ':') | (s[1] == ':') | (s[2] == ':') | (s[3] == ':') | (s[4] == ':')))
        return;
    n = sg_inet6_canon(o, s, n);
    if (n) {
        ln->v[i].s = o;
        ln->v[i].slen = n;
    }
}

int sg_read_number(sg_line *ln, size_t i) { return rd_number(ln, i); }
int sg_read_str(sg_line *ln, size_t i) { return rd_str(ln, i); }

int sg_read_inet(sg_line *ln, size_t i, size_t slot)
{
    if (!rd_str(ln, i))
        return 0;
    rd_inet(ln, i, slot);
    return 1;
}

void sg_reader_code(sg_reader *r, const sg_kind_code *code)
{
    if (r)
        r->code = code;
}

/* The generic reader of a line's fields, for every kind and mode. */
static int rd_fields(sg_line *ln)
{
    sg_reader *r = ln->r;
    const sg_kind *k = ln->k;
    const sg_field *fields = k->fields;
    const size_t nf = k->nfields;
    sg_value *vals = ln->v;
    char *p = ln->p;
    size_t i, ninet = 0;
    /* raw-stack mode: stack texts the writer has seen in a valid record
     * are neither checked nor unescaped again */
    long long stk = 0;
    if (r->known) {
        for (i = 0; i < nf; i++)
            if (fields[i].type == SG_STACK) {
                size_t so = ln->tab[i] + 1;
                vals[i].s = p + so;
                vals[i].slen = ln->tab[i + 1] - so;
                vals[i].l = 0;
                stk = SG_STK_ASKED;
            }
        if (stk && r->known(r->known_ctx, k, vals))
            stk = SG_STK_RAW;
    }
    for (i = 0; i < nf; i++) {
        sg_type t = fields[i].type;
        size_t so = ln->tab[i] + 1, eo = ln->tab[i + 1];
        char *start = p + so;
        size_t flen = eo - so;
        if (sg_is_str(t)) {
            if (stk == SG_STK_RAW && t == SG_STACK) {
                start[flen] = '\0';
                vals[i].l = SG_STK_RAW;
                vals[i].s = start;
                vals[i].slen = flen;
                continue;
            }
#ifdef SG_SCAN_SSE2
            if (r->lazy) {
                rd_specs(r, p, so, eo);
                ln->si = 0;
            }
#endif
            if (!rd_str(ln, i))
                return 0;
            if (t == SG_STACK)
                vals[i].l = stk;
            else if (t == SG_INET)
                rd_inet(ln, i, ninet++);
        } else if (ln->raw && (t == SG_LONG || ln->raw == SG_RAW_TIME) &&
                   sg_num_canonical(start, flen)) {
            /* valid as it stands: the writer copies the text */
            vals[i].l = 0;
            vals[i].s = start;
            vals[i].slen = flen;
        } else if (!rd_number(ln, i)) {
            return 0;
        }
    }
    return 1;
}

/* The generated reader of tool kind k, NULL: the generic one (rd_fields).
 * Not in raw-stack mode, which is the generic reader's. */
static inline const sg_kind_code *rd_code(const sg_reader *r, const sg_kind *k, int tool_kind)
{
#ifdef SG_NO_KIND_CODE
    (void)r, (void)k, (void)tool_kind;
    return NULL;
#else
    return r->code && tool_kind && !r->known ? &r->code[k - r->tool->kinds] : NULL;
#endif
}

/* Parses line p[0..len) (p[len] is writable).  Returns the kind (values in
 * r->vals, strings unescaped in place) or NULL with the reason in why. */
static const sg_kind *rd_parse(sg_reader *r, char *p, size_t len, char *why, size_t whysz)
{
    char q[SG_SNIP_MAX + 8];
    const sg_kind *k;
    const sg_kind_code *code;
    size_t nlen, got;
    int tool_kind;
    sg_line ln;

    if (len && p[len - 1] == '\r')
        len--;
    if (len == 0) {
        snprintf(why, whysz, "empty line");
        return NULL;
    }
    rd_scan(r, p, len, r->known == NULL);
    if (r->nul) {
        snprintf(why, whysz, "NUL byte in line");
        return NULL;
    }
    if (p[0] != '@') {
        sg_snip(q, sizeof q, p, len);
        snprintf(why, whysz, "not a record: \"%s\"", q);
        return NULL;
    }
    nlen = (r->ntab ? r->tabs[0] : len) - 1;
    k = rd_lookup(r, p + 1, nlen);
    if (!k) {
        sg_snip(q, sizeof q, p, nlen + 1);
        snprintf(why, whysz, "unknown kind \"%s\"", q);
        return NULL;
    }
    got = r->ntab;
    if (got != k->nfields) {
        snprintf(why, whysz, "@%s: expected %zu field%s, got %zu", k->name, k->nfields,
                 k->nfields == 1 ? "" : "s", got);
        return NULL;
    }
    tool_kind = k >= r->tool->kinds && k < r->tool->kinds + r->tool->nkinds;
    r->tabs[k->nfields] = len; /* where the last field ends (tabs holds maxf + 1) */
    r->unesc_n = 0;
    ln.p = p;
    ln.tab = r->tabs;
    ln.v = r->vals;
    /* raw numbers: the tool's events only (the built-ins' numbers are read
     * by the reader and the writer core) */
    ln.raw = k->cls == SG_EVENT && tool_kind ? r->rawnum : 0;
    ln.r = r;
    ln.k = k;
    ln.si = 0;
    ln.why = why;
    ln.whysz = whysz;
    code = rd_code(r, k, tool_kind);
    if (!(code && code->read ? code->read(&ln) : rd_fields(&ln)))
        return NULL;
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
        sg_snip(q, sizeof q, v[0].s, v[0].slen);
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

/* ========================================================================== */
/* framing                                                                    */
/* ========================================================================== */

/* The open report block has no @report_end: reported, at the line where
 * that shows (a new @report, @stapgen or @end, or the end of the input),
 * as dropped input; the block's records were delivered. */
static void rd_unclosed(sg_reader *r, const char *where)
{
    char q[SG_SNIP_MAX + 8], msg[SG_SNIP_MAX + 200];
    sg_snip(q, sizeof q, r->block, r->blen);
    snprintf(msg, sizeof msg, "report \"%s\" opened at line %lu has no @report_end before %s", q,
             r->bline, where);
    r->dropped++;
    rd_diag(r, "dropped", msg);
    r->bline = 0;
}

/* Report framing: rows and buckets only inside a block of their report,
 * @report_end only to close the open block.  0 (the reason in why): the
 * record k (values in r->vals) is dropped. */
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
        sg_snip(q, sizeof q, v[0].s, v[0].slen);
        if (!r->bline) {
            snprintf(why, whysz, "@report_end \"%s\" without a @report", q);
            return 0;
        }
        if (v[0].slen != r->blen || memcmp(v[0].s, r->block, r->blen)) {
            sg_snip(q2, sizeof q2, r->block, r->blen);
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
        sg_snip(q, sizeof q, r->block, r->blen);
        snprintf(why, whysz, "@%s: a %s of report \"%s\" inside report \"%s\" (opened at line %lu)",
                 k->name, k->cls == SG_ROW ? "row" : "histogram bucket", k->report, q, r->bline);
        return 0;
    }
    return 1;
}

/* ========================================================================== */
/* next                                                                       */
/* ========================================================================== */

int sg_reader_next(sg_reader *r, const sg_kind **kind, const sg_value **vals)
{
    char why[512];
    if (!r)
        return 0;
    while (!r->done) {
        size_t len;
        int overlong, newline;
        char *line;
        const sg_kind *k;
        if (!rd_line(r, &line, &len, &overlong, &newline)) {
            r->done = 1;
            break;
        }
        r->lineno++;
        if (overlong) {
            snprintf(why, sizeof why, "line longer than %d bytes", SG_MAX_LINE);
            k = NULL;
        } else if (!newline) {
            snprintf(why, sizeof why, "truncated last line (no newline at end of input)");
            k = NULL;
        } else {
            k = rd_parse(r, line, len, why, sizeof why);
        }
        if (!k || !rd_frame(r, k, why, sizeof why)) {
            r->dropped++;
            rd_diag(r, "dropped", why);
            continue;
        }
        if (k == &sg_kind_stapgen)
            rd_check_stapgen(r);
        /* a run is complete when its @end is the last record: a new
         * @stapgen or any record after it starts another, unfinished part */
        r->ended = k == &sg_kind_end;
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
