/* stapgen_rt_int.h - internals shared by the runtime's files (not an API).
 *
 * The runtime is one library in several files, all copied next to the
 * generated parsers and compiled with them:
 *   stapgen_rt.c         built-in kinds, histogram buckets, the writer core
 *                        (report blocks, histogram grouping, the format
 *                        table)
 *   stapgen_rt_main.c    the command line: sg_main, sg_main_svg,
 *                        sg_main_code
 *   stapgen_rt_reader.c  the reader: input blocks, lines, record syntax,
 *                        unescaping, validation, report framing
 *   stapgen_rt_text.c    text helpers: UTF-8, escaping for each output,
 *                        backtrace frame names, hashing
 *   stapgen_rt_<fmt>.c   one writer per output format (SG_FORMATS): it
 *                        defines `const sg_fmt_ops sg_fmt_<ENUM>`
 *   stapgen_rt_kind.h    what the code generated for each record kind (a
 *                        reader, a table, JSON and CSV writer) calls; the
 *                        reader and the writers call that code instead of
 *                        their generic loops where it is given (sg_code)
 * A new output format is one SG_FORMATS row in stapgen_rt.h and one new
 * stapgen_rt_<fmt>.c. */
#ifndef STAPGEN_RT_INT_H
#define STAPGEN_RT_INT_H

#include "stapgen_rt.h"
#include "stapgen_rt_kind.h"

#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) || defined(__clang__)
#define SG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define SG_PRINTF(a, b)
#endif

/* Output is written in chunks of at least this many bytes (and whenever the
 * input has nothing more to read: see sg_writer_sync). */
#define SG_OUT_CHUNK (64u << 10)

/* ---- growable byte buffer ---------------------------------------------- */
typedef struct sg_sb {
    char *p;
    size_t n, cap;
    int oom;
} sg_sb;

int sg_sb_grow(sg_sb *b, size_t add); /* slow path of sb_reserve */

/* Room for add more bytes plus a NUL. */
static inline int sb_reserve(sg_sb *b, size_t add)
{
    if (SG_LIKELY(b->cap - b->n > add && !b->oom))
        return 1;
    return sg_sb_grow(b, add);
}

static inline void sb_put(sg_sb *b, const char *s, size_t n)
{
    if (!n || !sb_reserve(b, n))
        return;
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static inline void sb_puts(sg_sb *b, const char *s) { sb_put(b, s, strlen(s)); }

static inline void sb_putc(sg_sb *b, char c)
{
    if (!sb_reserve(b, 1))
        return;
    b->p[b->n++] = c;
    b->p[b->n] = '\0';
}

static inline void sb_rep(sg_sb *b, char c, size_t n)
{
    if (!n || !sb_reserve(b, n))
        return;
    memset(b->p + b->n, c, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static inline void sb_ll(sg_sb *b, long long v)
{
    if (!sb_reserve(b, 24))
        return;
    b->n += sg_fmt_ll(b->p + b->n, v);
    b->p[b->n] = '\0';
}

void sg_sb_printf(sg_sb *b, const char *fmt, ...) SG_PRINTF(2, 3);
void sg_sb_free(sg_sb *b);

/* The reader's raw-number mode (stapgen_rt_kind.h: SG_RAW_*). */
void sg_reader_rawnum(sg_reader *r, int mode);
/* Raw-stack mode (sg_main, for folded and svg): before it unescapes the
 * stack fields of a record, the reader hands them as they arrived (s/slen =
 * the wire text, the other values unset) to known(ctx, kind, values).
 * Nonzero: the same text was a valid record's before, so it is valid; the
 * stack fields stay the wire text (l = SG_STK_RAW).  0: they are checked and
 * unescaped as usual (l = SG_STK_ASKED).  Otherwise a stack field's l is 0. */
#define SG_STK_RAW 1
#define SG_STK_ASKED 2
typedef int (*sg_known_fn)(void *ctx, const sg_kind *k, const sg_value *v);
void sg_reader_rawstack(sg_reader *r, sg_known_fn known, void *ctx);

/* A number at o (room for 24 bytes): its text in raw-number mode (w->rawnum
 * and s set), else formatted; returns the length. */
static inline size_t sg_num_at(char *o, int rawnum, const sg_value *v)
{
    if (rawnum && v->s) {
        memcpy(o, v->s, 24); /* fixed size: no call; at most 17 bytes are used */
        return v->slen;
    }
    return sg_fmt_ll(o, v->l);
}

static inline void sb_num(sg_sb *b, int rawnum, const sg_value *v)
{
    if (!sb_reserve(b, 24))
        return;
    b->n += sg_num_at(b->p + b->n, rawnum, v);
    b->p[b->n] = '\0';
}

/* ---- kinds --------------------------------------------------------------- */
int sg_is_builtin(const sg_kind *k);
/* A string on the wire: col_types.def's third column. */
static inline int sg_is_str(sg_type t)
{
    switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case SG_##e: return str;
#include "stapgen_rt_tables.h"
#undef COLT
    case SG_NTYPES: break;
    }
    return 0;
}
/* Shown as the text itself (a stack is shown as its frame names). */
static inline int sg_is_text(sg_type t) { return sg_is_str(t) && t != SG_STACK; }
static inline int sg_is_hist(const sg_kind *k)
{
    return k->cls > SG_ROW && k->cls < SG_NCLASSES;
}

/* ---- text (stapgen_rt_text.c) -------------------------------------------- */
size_t sg_utf8_seq(const unsigned char *s, size_t n, unsigned long *cp);
const char *sg_c_escape(unsigned char c);
/* Table rendering of a string (printable as is, the rest C-escaped); returns
 * the display width. */
size_t sg_render_str(sg_sb *b, const char *s, size_t n);
/* JSON string literal (with the quotes); bytes that are not UTF-8 become
 * U+FFFD: returns nonzero (_at: sets *bad) if there were any. */
int sg_json_str(sg_sb *b, const char *s, size_t n);
/* The same at o, room for 6 * n + 2 bytes; returns the end. */
char *sg_json_str_at(char *o, const char *s, size_t n, int *bad);
/* The bytes in lowercase hex, quoted (the "NAME.hex" value of a string that
 * is not UTF-8); sg_json_hex_at (stapgen_rt_kind.h): room for 2 * n + 2. */
void sg_json_hex(sg_sb *b, const char *s, size_t n);
/* RFC 4180 field. */
void sg_csv_str(sg_sb *b, const char *s, size_t n);
char *sg_csv_str_at(char *o, const char *s, size_t n);
/* The _pad versions of the above (stapgen_rt_kind.h: sg_render_str_pad_at,
 * sg_json_str_pad_at, sg_csv_str_pad_at) load and store 16 bytes at a time:
 * for strings from the reader (SG_RD_PAD bytes readable past s + n), with
 * 16 bytes more room at o. */
/* XML character data / attribute value. */
void sg_xml_text(sg_sb *b, const char *s, size_t n);
#define SG_SNIP_MAX 60
/* A short, printable quotation of untrusted bytes for diagnostics. */
void sg_snip(char *dst, size_t dstsz, const char *src, size_t n);
/* One backtrace line's frame name as s[*off, *off + *len); 0 = no frame. */
int sg_frame_name(const char *s, size_t n, size_t *off, size_t *len);
/* Frames of a backtrace root first, ';'-separated (a ';' first if sep);
 * returns the number of frames, *width (if given) grows by the display width. */
size_t sg_fold_stack(sg_sb *b, const char *s, size_t n, int sep, size_t *width);
unsigned long long sg_hash(const void *p, size_t n, unsigned long long seed);
/* Longest IPv6 text sg_inet6_canon reads ("0000:...:0000:255.255.255.255"),
 * longest it writes (eight groups of four digits). */
#define SG_INET6_MAX_TEXT 45
#define SG_INET6_MAX_CANON 39
/* IPv6 text s[0, n) (RFC 4291 2.2: groups of 1-4 hex digits, at most one
 * "::", the last 32 bits possibly a dotted quad) in its RFC 5952 form at o
 * (room for SG_INET6_MAX_CANON + 1, NUL-terminated): lowercase, no leading
 * zeros, "::" for the first longest run of two or more zero groups,
 * IPv4-mapped as "::ffff:a.b.c.d".  Returns its length, 0 (o unchanged)
 * if s is anything else. */
size_t sg_inet6_canon(char *o, const char *s, size_t n);
unsigned long long sg_fnv1a(const char *s, size_t n);

/* ---- writer core (stapgen_rt.c) -------------------------------------------- */
typedef struct sg_item {
    const sg_kind *k;
    sg_value *v;
    struct sg_item *next;
} sg_item;

/* The buffered rows of one kind in a report block, in arrival order. */
typedef struct sg_kgroup {
    const sg_kind *k;
    sg_item *head, *tail;
    size_t n;
} sg_kgroup;

/* One bucket of a histogram key set (summed, ascending). */
typedef struct sg_hent {
    size_t group;
    long long bucket, count;
} sg_hent;

/* Per-kind writer state. */
typedef struct sg_kstate {
    int header_ok; /* table: event header is on screen; csv: header written */
    size_t minw_ok;
    size_t *minw;  /* table: minimum column widths */
    sg_sb pre;     /* json: the record's fixed start and field keys */
    size_t *keyoff;
    size_t prelen; /* json: bytes of pre without its padding */
} sg_kstate;

/* State of a kind outside the tool descriptor (the API takes any kind). */
typedef struct sg_xkind {
    const sg_kind *k;
    sg_kstate st;
} sg_xkind;

typedef struct sg_chunk sg_chunk;
typedef struct sg_fold sg_fold; /* folded/svg state: maps and a fold cache */

/* A writer for one output format: called by the core, every hook optional.
 * What a format does differently is said here: the writer keeps no format
 * to test. */
typedef struct sg_fmt_ops {
    /* every tool record, instead of the core's event streaming and report
     * buffering (folded, svg) */
    void (*record)(sg_writer *w, const sg_kind *k, const sg_value *v);
    void (*event)(sg_writer *w, const sg_kind *k, const sg_value *v);
    /* a report block: begin, the rows of each kind / each histogram key set
     * (buckets summed, ascending), end */
    void (*block_begin)(sg_writer *w);
    void (*rows)(sg_writer *w, const sg_kgroup *g);
    void (*hist)(sg_writer *w, const sg_kind *k, const sg_value *keys, const sg_hent *e, size_t n);
    void (*block_end)(sg_writer *w);
    void (*finish)(sg_writer *w); /* after the last block */
    void (*free)(sg_writer *w);   /* the format's state (w->fst) */
    /* its fold state (folded, svg): the reader then skips the unescaping of
     * stack texts the fold cache has seen (sg_reader_rawstack) */
    sg_fold *(*fold)(sg_writer *w);
    void (*svg_opts)(sg_writer *w); /* w->svgo was set (sg_writer_svg) */
    /* the raw-number mode of the reader it takes (0: none, SG_RAW_*):
     * numbers it prints as they arrived */
    int rawnum;
} sg_fmt_ops;

#define SG_FMT_DECL(e, name, stack, what) extern const sg_fmt_ops sg_fmt_##e;
SG_FORMATS(SG_FMT_DECL)
#undef SG_FMT_DECL

struct sg_writer {
    FILE *out;
    const sg_tool *tool;
    /* values come from sg_reader_next in raw-number mode (set by sg_main):
     * see sg_reader_rawnum */
    int rawnum;
    const sg_fmt_ops *ops;
    void *fst; /* the format's own state */
    sg_svg_opts svgo; /* svg */
    int err;
    sg_sb sb;  /* output not yet written */
    sg_sb tmp; /* scratch */
    sg_kstate *ks; /* one per tool kind */
    const sg_kind_code *code; /* sg_writer_code: one per tool kind, or NULL */
    sg_xkind *xk; /* kinds from elsewhere */
    size_t nxk;
    int multi_event; /* table: more than one event kind -> KIND column */
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
    size_t arena_bytes; /* handed out since the last arena reset */
    /* table: the last local time formatted */
    long long tcache_t;
    int tcache_ok;
    char tcache[64];
    size_t tcache_n;
    char tcache_text[24]; /* its canonical text, if it came as text */
    size_t tcache_tn;     /* 0: none */
};

/* State of kind k (NULL for the built-ins or when out of memory). */
sg_kstate *sg_kst_slow(sg_writer *w, const sg_kind *k);
static inline sg_kstate *sg_kst(sg_writer *w, const sg_kind *k)
{
    if (w->ks && k >= w->tool->kinds && k < w->tool->kinds + w->tool->nkinds)
        return &w->ks[k - w->tool->kinds];
    return sg_kst_slow(w, k);
}
/* The generated code of event kind k (stapgen_rt_kind.h), NULL: the
 * generic writers'.  For values from the reader in raw-number mode. */
static inline const sg_kind_code *sg_code(const sg_writer *w, const sg_kind *k)
{
#ifdef SG_NO_KIND_CODE
    (void)w, (void)k;
    return NULL;
#else
    if (w->code && w->rawnum && k >= w->tool->kinds && k < w->tool->kinds + w->tool->nkinds)
        return &w->code[k - w->tool->kinds];
    return NULL;
#endif
}
void sg_block_open(sg_writer *w, const char *name, size_t nlen, int has_ts, long long ts);
/* Writes the buffered output and fflush()es the stream. */
void sg_writer_flush(sg_writer *w);
/* Sets r's modes for what w's format prints (its rawnum and fold hooks):
 * sg_main calls it once, before the first record. */
void sg_writer_reader(sg_writer *w, sg_reader *r);
/* Nonzero if sg_reader_next returns without reading the stream. */
int sg_reader_ready(const sg_reader *r);

/* Output buffered in w->sb: written when a chunk is full. */
void sg_out_write(sg_writer *w);
static inline void w_emit(sg_writer *w)
{
    if (SG_UNLIKELY(w->sb.oom || w->tmp.oom)) {
        w->err = 1;
        w->sb.oom = 0;
        w->tmp.oom = 0;
    }
    if (w->sb.n >= SG_OUT_CHUNK)
        sg_out_write(w);
}
/* Table cell text of a value into w->tmp (reset first); returns its width. */
size_t sg_cell(sg_writer *w, sg_type t, const sg_value *v);
/* The same appended to b (not w->tmp). */
size_t sg_cell_to(sg_writer *w, sg_sb *b, sg_type t, const sg_value *v);
/* Time t as local time at o (room for 64 bytes; the last one formatted is
 * kept), or its number if it has none; returns the length. */
size_t sg_time_at(sg_writer *w, char *o, long long t);
/* The same for a time value (raw-number text or l). */
size_t sg_time_value_at(sg_writer *w, char *o, const sg_value *v);
/* The open block's "<report> <local time>" (table rendering) appended to b. */
void sg_block_label(sg_writer *w, sg_sb *b, const char *none);

/* ---- folded stacks, shared by folded and svg (stapgen_rt_folded.c) -------- */
typedef struct sg_fent {
    char *s; /* NUL-terminated, no ';' inside a frame name */
    size_t n;
    unsigned long long hash;
    long long count;
    long long count2; /* svg --diff: the count in the first file */
    /* added by a fold: its cache entry + 1 (0: none, or the cache started
     * over since); borrowed: s is that entry's folded stack, not owned */
    size_t ce;
    size_t rank;      /* scratch of sg_fold_sort */
    int borrowed;
} sg_fent;

typedef struct sg_fmap {
    sg_fent *e;
    size_t n, cap;
    size_t *slot; /* open addressing: index + 1, 0 = free */
    size_t nslot;
    unsigned long gen; /* changes whenever entries move or go */
} sg_fmap;

sg_fold *sg_fold_new(void);
void sg_fold_free(sg_fold *f);
/* Adds a stack record to the open block's map (rows) or the events' map. */
void sg_fold_record(sg_writer *w, sg_fold *f, const sg_kind *k, const sg_value *v);
/* svg: frames of kernel backtraces get the suffix "_[k]" (not for -f folded). */
void sg_fold_kmark(sg_fold *f);
/* The fold state of a folded or svg writer (NULL: another format, or out of
 * memory): the format's fold hook. */
sg_fold *sg_writer_fold(sg_writer *w);
/* sg_known_fn of raw-stack mode, ctx = the writer: whether the fold cache
 * holds a record of kind k with these stack texts (as they arrived). */
int sg_fold_known(void *ctx, const sg_kind *k, const sg_value *v);
/* Adds counts c, c2 to stack s[0, n) (no ';' inside a frame); its index or
 * (size_t)-1 on allocation failure. */
size_t sg_fmap_add(sg_fmap *m, const char *s, size_t n, long long c, long long c2);
sg_fmap *sg_fold_block(sg_fold *f);
sg_fmap *sg_fold_events(sg_fold *f);
void sg_fmap_clear(sg_fmap *m);
void sg_fmap_sort(sg_fmap *m);
/* The same for a map of fold f (f NULL: any map): the same order, found
 * from the order the fold keeps of the folded stacks it has seen. */
void sg_fold_sort(sg_fold *f, sg_fmap *m);
static inline long long sg_sat_add(long long a, long long b)
{
    return b > LLONG_MAX - a ? LLONG_MAX : a + b;
}

#endif /* STAPGEN_RT_INT_H */
