/* stapgen_rt.c - runtime shared by every generated stapgen result parser:
 * built-in kinds, histogram buckets and the writer core (the command-line
 * driver, sg_main, is stapgen_rt_main.c).  See
 * stapgen_rt.h for the wire format and the API, stapgen_rt_int.h for how
 * the runtime's files divide the work. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* localtime_r */
#endif

#include "stapgen_rt_int.h"

#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <time.h>
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
#include <emmintrin.h>
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

int sg_is_builtin(const sg_kind *k)
{
#define WIRE(n, fields, what) k == &sg_kind_##n ||
    return
#include "stapgen_rt_tables.h"
        0;
#undef WIRE
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

/* The smallest value of @hist_log bucket b.  stap puts v < 0 in bucket
 * 128 - (msb(-v) + 1): -1 in 63, -3..-2 in 62, -7..-4 in 61, ..., so bucket
 * b < 64 holds -(2^(64-b)) + 1 .. -(2^(63-b)); 0 holds INT64_MIN alone. */
static long long log2_low(long long b)
{
    if (b == 64)
        return 0;
    if (b == 0)
        return LLONG_MIN;
    if (b == 1)
        return LLONG_MIN + 1;
    if (b < 64)
        return 1 - (1LL << (64 - b));
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
/* writer core                                                                */
/* ========================================================================== */

/* The format table: SG_FORMATS order, one sg_fmt_<ENUM> per format. */
static const sg_fmt_ops *const sg_fmt_table[] = {
#define SG_FMT_REF(e, name, stack, what) &sg_fmt_##e,
    SG_FORMATS(SG_FMT_REF)
#undef SG_FMT_REF
};

struct sg_chunk {
    struct sg_chunk *next;
    size_t used, cap;
    max_align_t data[];
};

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

sg_kstate *sg_kst_slow(sg_writer *w, const sg_kind *k)
{
    size_t i;
    sg_xkind *x;
    if (sg_is_builtin(k))
        return NULL;
    for (i = 0; i < w->nxk; i++)
        if (w->xk[i].k == k)
            return &w->xk[i].st;
    if (w->nxk % 8 == 0) {
        x = realloc(w->xk, (w->nxk + 8) * sizeof *x);
        if (!x) {
            w->err = 1;
            return NULL;
        }
        w->xk = x;
    }
    x = &w->xk[w->nxk++];
    memset(x, 0, sizeof *x);
    x->k = k;
    return &x->st;
}

static void kst_free(sg_kstate *st)
{
    free(st->minw);
    free(st->keyoff);
    sg_sb_free(&st->pre);
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
    w->ops = sg_fmt_table[fmt];
    w->kind_w = 4;
    if (tool && tool->kinds) {
        for (i = 0; i < tool->nkinds; i++) {
            if (tool->kinds[i].cls != SG_EVENT || !tool->kinds[i].name)
                continue;
            nev++;
            if (strlen(tool->kinds[i].name) > w->kind_w)
                w->kind_w = strlen(tool->kinds[i].name);
        }
        if (tool->nkinds) {
            w->ks = calloc(tool->nkinds, sizeof *w->ks);
            if (!w->ks) {
                free(w);
                return NULL;
            }
        }
    }
    w->multi_event = nev > 1;
    return w;
}

int sg_writer_error(const sg_writer *w) { return w ? (w->err || w->sb.oom || w->tmp.oom) : 1; }

void sg_writer_free(sg_writer *w)
{
    size_t i;
    if (!w)
        return;
    if (w->ops->free)
        w->ops->free(w);
    w_arena_free(w);
    free(w->groups);
    if (w->ks)
        for (i = 0; i < w->tool->nkinds; i++)
            kst_free(&w->ks[i]);
    for (i = 0; i < w->nxk; i++)
        kst_free(&w->xk[i].st);
    free(w->xk);
    free(w->ks);
    sg_sb_free(&w->sb);
    sg_sb_free(&w->tmp);
    free(w);
}

void sg_out_write(sg_writer *w)
{
    if (w->sb.oom || w->tmp.oom)
        w->err = 1;
    if (w->sb.n)
        fwrite(w->sb.p, 1, w->sb.n, w->out);
    w->sb.n = 0;
    w->sb.oom = 0;
    w->tmp.oom = 0;
}

char *sg_out_room(sg_writer *w, size_t n)
{
    return sb_reserve(&w->sb, n) ? w->sb.p + w->sb.n : NULL;
}

void sg_out_end(sg_writer *w, char *o)
{
    *o = '\0';
    w->sb.n = (size_t)(o - w->sb.p);
}

void sg_writer_code(sg_writer *w, const sg_kind_code *code)
{
    if (w)
        w->code = code;
}

void sg_writer_flush(sg_writer *w)
{
    if (!w)
        return;
    sg_out_write(w);
    fflush(w->out);
}

size_t sg_cell(sg_writer *w, sg_type t, const sg_value *v)
{
    w->tmp.n = 0;
    if (w->tmp.p)
        w->tmp.p[0] = '\0';
    return sg_cell_to(w, &w->tmp, t, v);
}

size_t sg_cell_to(sg_writer *w, sg_sb *b, sg_type t, const sg_value *v)
{
    size_t start = b->n, n;
    if (sg_is_text(t))
        return sg_render_str(b, v->s ? v->s : "", v->s ? v->slen : 0);
    if (t == SG_STACK) {
        size_t wd = 0;
        sg_fold_stack(b, v->s, v->s ? v->slen : 0, 0, &wd);
        return wd;
    }
    if (t == SG_TIME) {
        if (!sb_reserve(b, sizeof w->tcache))
            return 0;
        n = sg_time_at(w, b->p + b->n, v->l);
        b->n += n;
        b->p[b->n] = '\0';
        return n;
    }
    sb_ll(b, v->l);
    return b->n - start;
}

size_t sg_time_at(sg_writer *w, char *o, long long t)
{
    time_t tt = (time_t)t;
    struct tm tm;
    size_t n;
    /* the last time formatted is formatted again often (events of one
     * second, every row of a block) */
    if (SG_UNLIKELY(!w->tcache_ok || w->tcache_t != t)) {
        w->tcache_tn = 0;
        if ((long long)tt != t || !localtime_r(&tt, &tm) ||
            (n = strftime(w->tcache, sizeof w->tcache, "%Y-%m-%d %H:%M:%S", &tm)) == 0)
            return sg_fmt_ll(o, t);
        w->tcache_ok = 1;
        w->tcache_t = t;
        w->tcache_n = n;
    }
    memcpy(o, w->tcache, sizeof w->tcache); /* fixed size: no call */
    return w->tcache_n;
}

/* Nonzero if the text s[0, n) (SG_RD_PAD bytes readable past it) is the
 * last time's, w->tcache_text. */
static inline int same_time_text(const sg_writer *w, const char *s, size_t n)
{
    if (n != w->tcache_tn || n == 0) /* 0: no text kept */
        return 0;
#if defined(__SSE2__) && (defined(__GNUC__) || defined(__clang__))
    if (n <= 16) { /* one compare, no call (tcache_text has 24 bytes) */
        unsigned eq = (unsigned)_mm_movemask_epi8(
            _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)s),
                           _mm_loadu_si128((const __m128i *)(const void *)w->tcache_text)));
        return (eq | ~((1u << n) - 1)) == 0xffffffffu;
    }
#endif
    return memcmp(s, w->tcache_text, n) == 0;
}

size_t sg_time_value_at(sg_writer *w, char *o, const sg_value *v)
{
    long long t;
    size_t n;
    /* the text of the last time formatted: neither parsed nor formatted */
    if (v->s && same_time_text(w, v->s, v->slen)) {
        memcpy(o, w->tcache, sizeof w->tcache);
        return w->tcache_n;
    }
    t = sg_num_value(v);
    n = sg_time_at(w, o, t);
    if (v->s && w->tcache_ok && w->tcache_t == t && v->slen <= sizeof w->tcache_text) {
        memcpy(w->tcache_text, v->s, v->slen);
        w->tcache_tn = v->slen;
    }
    return n;
}

void sg_block_label(sg_writer *w, sg_sb *b, const char *none)
{
    if (w->has_name)
        sg_render_str(b, w->bname, w->bname_len);
    if (w->has_ts) {
        sg_value tv;
        tv.l = w->bts;
        tv.s = NULL;
        tv.slen = 0;
        sg_cell(w, SG_TIME, &tv);
        if (w->has_name)
            sb_putc(b, ' ');
        sb_put(b, w->tmp.p ? w->tmp.p : "", w->tmp.n);
    }
    if (!w->has_name && !w->has_ts)
        sb_puts(b, none);
}

/* ---- report blocks ---- */

void sg_block_open(sg_writer *w, const char *name, size_t nlen, int has_ts, long long ts)
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
    if (w->ngroups && w->groups[w->ngroups - 1].k == k)
        g = &w->groups[w->ngroups - 1];
    for (i = 0; !g && i < w->ngroups; i++)
        if (w->groups[i].k == k)
            g = &w->groups[i];
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

/* ---- histograms: key sets, buckets summed ---- */

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
        while (end < n && e[end].group == gi)
            end++;
        if (w->ops->hist)
            w->ops->hist(w, k, items[rep[gi]]->v, e + i, end - i);
        i = end;
    }
out:
    free(items);
    free(rep);
    free(e);
    free(table);
}

static void w_block_flush(sg_writer *w)
{
    size_t i;
    if (!w->in_block)
        return;
    if (w->ops->block_begin)
        w->ops->block_begin(w);
    for (i = 0; i < w->ngroups; i++) {
        if (w->groups[i].k->cls == SG_ROW) {
            if (w->ops->rows)
                w->ops->rows(w, &w->groups[i]);
        } else {
            w_hist(w, &w->groups[i]);
        }
    }
    if (w->ops->block_end)
        w->ops->block_end(w);
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
    sg_block_open(w, has_name ? name : NULL, nlen, has_ts, ts);
    free(name);
}

void sg_writer_record(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    if (!w || !k || (k->nfields && !v))
        return;
    /* the tool's events, most of the records: no built-in */
    if (k->cls == SG_EVENT && w->tool && k >= w->tool->kinds &&
        k < w->tool->kinds + w->tool->nkinds && !w->ops->record) {
        if (w->ops->event)
            w->ops->event(w, k, v);
        return;
    }
    if (sg_is_builtin(k)) {
        w_block_flush(w);
        if (k == &sg_kind_report)
            sg_block_open(w, v[0].s ? v[0].s : "", v[0].s ? v[0].slen : 0, 1, v[1].l);
        return;
    }
    if (w->ops->record) {
        w->ops->record(w, k, v);
        return;
    }
    if (k->cls == SG_EVENT) {
        if (w->ops->event)
            w->ops->event(w, k, v);
        return;
    }
    if (sg_is_hist(k) && k->nfields < 2)
        return;
    if (w->in_block && w->arena_bytes >= SG_MAX_BLOCK_BYTES)
        w_block_split(w);
    if (!w->in_block)
        sg_block_open(w, k->report, k->report ? strlen(k->report) : 0, 0, 0);
    w_block_add(w, k, v);
}

void sg_writer_svg(sg_writer *w, const sg_svg_opts *o)
{
    if (!w || !o)
        return;
    w->svgo = *o;
    if (w->ops->svg_opts)
        w->ops->svg_opts(w);
}

void sg_writer_reader(sg_writer *w, sg_reader *r)
{
    if (w->ops->rawnum) {
        sg_reader_rawnum(r, w->ops->rawnum);
        w->rawnum = 1;
    }
    if (w->ops->fold)
        /* the fold cache tells the reader which stack texts it has seen */
        sg_reader_rawstack(r, sg_fold_known, w);
}

void sg_writer_finish(sg_writer *w)
{
    if (!w)
        return;
    w_block_flush(w);
    if (w->ops->finish)
        w->ops->finish(w);
    sg_out_write(w);
    fflush(w->out);
}
