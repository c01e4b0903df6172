/* stapgen_rt.c - runtime shared by every generated stapgen result parser:
 * built-in kinds, histogram buckets, the writer core and sg_main.  See
 * stapgen_rt.h for the wire format and the API, stapgen_rt_int.h for how
 * the runtime's files divide the work. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* localtime_r, fileno */
#endif

#include "stapgen_rt_int.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
#define SG_BUILTIN_IS(n) k == &sg_kind_##n ||
    return SG_BUILTIN_KINDS(SG_BUILTIN_IS) 0;
#undef SG_BUILTIN_IS
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
    w->fmt = fmt;
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
    size_t start = b->n;
    if (sg_is_text(t))
        return sg_render_str(b, v->s ? v->s : "", v->s ? v->slen : 0);
    if (t == SG_STACK) {
        size_t wd = 0;
        sg_fold_stack(b, v->s, v->s ? v->slen : 0, 0, &wd);
        return wd;
    }
    if (t == SG_TIME) {
        time_t tt = (time_t)v->l;
        struct tm tm;
        size_t n;
        /* the last time formatted is formatted again often (events of one
         * second, every row of a block) */
        if (w->tcache_ok && w->tcache_t == v->l) {
            sb_put(b, w->tcache, w->tcache_n);
            return w->tcache_n;
        }
        if ((long long)tt == v->l && localtime_r(&tt, &tm) &&
            (n = strftime(w->tcache, sizeof w->tcache, "%Y-%m-%d %H:%M:%S", &tm)) > 0) {
            w->tcache_ok = 1;
            w->tcache_t = v->l;
            w->tcache_n = n;
            sb_put(b, w->tcache, n);
            return n;
        }
    }
    sb_ll(b, v->l);
    return b->n - start;
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
          "svg (flame graphs: click a frame to zoom, Search to highlight):\n"
          "  --width N          image width in pixels (default 1200)\n"
          "  --inverted         icicle graph: roots at the top\n"
          "  --title TEXT       title (default: the tool's name)\n"
          "  --subtitle TEXT    a line under the title (the tool command: its options)\n"
          "  --unit UNIT        what the counts count (default: samples, or the time unit\n"
          "                     of the tool's count field, e.g. us: off-CPU colours)\n"
          "  --from-folded      FILE holds folded stacks ('frame;...;frame COUNT' lines\n"
          "                     from any tool), not the tool's output; implies -f svg\n"
          "  --diff A B         differential flame graph of folded files A -> B: widths\n"
          "                     from B, red where B grew, blue where it shrank\n"
          "  --normalize        with --diff: A's counts scaled to B's total first\n"
          "  --stap-log FILE    read stap's stderr saved in FILE (- for stdin), not records:\n"
          "                     print a line per kind of data stap lost (transport\n"
          "                     failures, skipped probes, errors, full maps, a run\n"
          "                     stopped early); exit 5 if any, else 0\n"
          "  --armed FILE       create FILE when the script's first record (@stapgen,\n"
          "                     from its begin probe) arrives: the probes are armed\n"
          "  -h, --help         show this help\n"
          "Lines that are not valid records are dropped and reported on stderr.\n"
          "Exit status: 0 all lines were records and the run's end report (@end) came,\n"
          "3 some lines were dropped, 4 the input ended before @end (a run cut off:\n"
          "figures incomplete; before 3), 5 (--stap-log) stap lost data, 2 usage\n"
          "error, 1 I/O error.\n",
          f);
}

/* Matches option a against short -x / long --name; takes its value from
 * "-xVAL", "--name=VAL" or the next argument.  1 matched, 0 not, -1 no value. */
static int opt_val(int argc, char **argv, int *i, char s, const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t ll = strlen(lng);
    if (s && a[0] == '-' && a[1] == s) {
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

/* --from-folded FILE / --diff A B */
static int svg_folded_main(const char *prog, const sg_svg_opts *so, const char *pa, const char *pb,
                           const char *outpath)
{
    FILE *a = stdin, *b = NULL, *out = stdout;
    const char *an = "<stdin>";
    int rc;
    if (pa && strcmp(pa, "-") != 0) {
        if (!(a = fopen(pa, "rb"))) {
            fprintf(stderr, "%s: cannot open '%s': %s\n", prog, pa, strerror(errno));
            return 1;
        }
        an = pa;
    }
    if (pb && !(b = strcmp(pb, "-") == 0 && a != stdin ? stdin : fopen(pb, "rb"))) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", prog, pb, strerror(errno));
        if (a != stdin)
            fclose(a);
        return 1;
    }
    if (outpath && strcmp(outpath, "-") != 0 && !(out = fopen(outpath, "w"))) {
        fprintf(stderr, "%s: cannot create '%s': %s\n", prog, outpath, strerror(errno));
        rc = 1;
    } else {
        rc = sg_svg_folded(out, so, a, an, b, b == stdin ? "<stdin>" : pb, stderr);
        if (fflush(out) != 0 || ferror(out)) {
            fprintf(stderr, "%s: write error\n", prog);
            rc = 1;
        }
        if (out != stdout && fclose(out) != 0) {
            fprintf(stderr, "%s: write error on '%s'\n", prog, outpath);
            rc = 1;
        }
    }
    if (a != stdin)
        fclose(a);
    if (b && b != stdin)
        fclose(b);
    return rc;
}

/* --stap-log FILE */
static int stap_log_main(const char *prog, const char *path)
{
    FILE *f = stdin;
    int rc;
    if (strcmp(path, "-") != 0 && !(f = fopen(path, "rb"))) {
        fprintf(stderr, "%s: cannot open '%s': %s\n", prog, path, strerror(errno));
        return 1;
    }
    rc = sg_stap_log(f, prog, stderr);
    if (rc == 1)
        fprintf(stderr, "%s: %s: read error\n", prog, f == stdin ? "<stdin>" : path);
    if (f != stdin)
        fclose(f);
    return rc;
}

int sg_main(int argc, char **argv, const sg_tool *tool)
{
    return sg_main_svg(argc, argv, tool, NULL);
}

int sg_main_svg(int argc, char **argv, const sg_tool *tool, const sg_svg_opts *svg)
{
    const char *prog = argc > 0 && argv && argv[0] && argv[0][0] ? argv[0] : "stapgen-parser";
    const char *outpath = NULL, *inpath = NULL, *in_name;
    sg_format fmt = SG_FMT_TABLE;
    FILE *in = stdin, *out = stdout;
    sg_reader *r;
    /* messages name the program as a user calls it, not where it lives */
    if (strrchr(prog, '/') && strrchr(prog, '/')[1])
        prog = strrchr(prog, '/') + 1;
    sg_writer *w;
    const sg_kind *k;
    const sg_value *v;
    int i, only_files = 0, rc = 0, live = 1, from_folded = 0, svg_opt = 0;
    const char *diff_a = NULL, *diff_b = NULL, *staplog = NULL, *armed = NULL;
    sg_svg_opts so;
    struct stat st;

    if (svg)
        so = *svg;
    else
        memset(&so, 0, sizeof so);

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
        if (strcmp(a, "--inverted") == 0) {
            so.inverted = 1;
            svg_opt = 1;
            continue;
        }
        if (strcmp(a, "--normalize") == 0) {
            so.normalize = 1;
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "stap-log", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            staplog = val;
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "armed", &val)) != 0) {
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            armed = val;
            continue;
        }
        if (strcmp(a, "--from-folded") == 0) {
            from_folded = 1;
            continue;
        }
        if (strcmp(a, "--diff") == 0) {
            if (i + 2 >= argc) {
                fprintf(stderr, "%s: option '--diff' needs two folded files\n", prog);
                goto usage_err;
            }
            diff_a = argv[++i];
            diff_b = argv[++i];
            continue;
        }
        if ((m = opt_val(argc, argv, &i, '\0', "width", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "title", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "subtitle", &val)) != 0 ||
            (m = opt_val(argc, argv, &i, '\0', "unit", &val)) != 0) {
            const char *o = strncmp(a, "--width", 7) == 0      ? "width"
                            : strncmp(a, "--title", 7) == 0    ? "title"
                            : strncmp(a, "--subtitle", 10) == 0 ? "subtitle"
                                                               : "unit";
            if (m < 0) {
                fprintf(stderr, "%s: option '%s' needs a value\n", prog, a);
                goto usage_err;
            }
            svg_opt = 1;
            if (o[0] == 'w') {
                char *e;
                long n;
                errno = 0;
                n = strtol(val, &e, 10);
                if (e == val || *e || errno || n < 100 || n > 1000000) {
                    fprintf(stderr, "%s: --width takes a number of pixels from 100 to 1000000\n",
                            prog);
                    goto usage_err;
                }
                so.width = (int)n;
            } else if (o[0] == 't') {
                so.title = val;
            } else if (o[0] == 's') {
                so.subtitle = val;
            } else {
                /* a word: the script finds a frame's name before the last
                 * " (" of its tooltip */
                size_t j, n = strlen(val);
                for (j = 0; j < n && (isalnum((unsigned char)val[j]) || strchr("_./-", val[j])); j++)
                    ;
                if (!n || j < n || n > 16) {
                    fprintf(stderr, "%s: --unit takes a word of up to 16 letters, digits, '_', '.', "
                                    "'/' or '-'\n", prog);
                    goto usage_err;
                }
                so.unit = val;
            }
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

    if (svg_opt && !from_folded && !diff_a && fmt != SG_FMT_SVG) {
        fprintf(stderr, "%s: --width, --inverted, --title, --subtitle and --unit are for -f svg\n",
                prog);
        goto usage_err;
    }
    if ((from_folded || diff_a) && fmt != SG_FMT_TABLE && fmt != SG_FMT_SVG) {
        fprintf(stderr, "%s: --from-folded and --diff draw svg only\n", prog);
        goto usage_err;
    }
    if (so.normalize && !diff_a) {
        fprintf(stderr, "%s: --normalize is for --diff\n", prog);
        goto usage_err;
    }
    if (diff_a && (from_folded || inpath)) {
        fprintf(stderr, "%s: --diff A B takes no other input\n", prog);
        goto usage_err;
    }
    if (staplog) {
        if (inpath || from_folded || diff_a || outpath) {
            fprintf(stderr, "%s: --stap-log FILE takes no other input or output\n", prog);
            goto usage_err;
        }
        return stap_log_main(prog, staplog);
    }
    if (from_folded || diff_a) {
        if (!so.title)
            so.title = diff_a ? "Differential flame graph" : "Flame graph";
        return svg_folded_main(prog, &so, diff_a ? diff_a : inpath, diff_b, outpath);
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
    if (w && fmt == SG_FMT_SVG)
        sg_writer_svg(w, &so);
    if (r && w && (fmt == SG_FMT_TABLE || fmt == SG_FMT_JSON || fmt == SG_FMT_CSV)) {
        /* these print an event's numbers: copied as they stand when
         * canonical (the table shows times as local time: it needs them
         * parsed) */
        sg_reader_rawnum(r, fmt == SG_FMT_TABLE ? SG_RAW_LONG : SG_RAW_TIME);
        w->rawnum = 1;
    }
    if (r && w && (fmt == SG_FMT_FOLDED || fmt == SG_FMT_SVG))
        /* the fold cache tells the reader which stack texts it has seen */
        sg_reader_rawstack(r, sg_fold_known, w);
    if (!r || !w) {
        fprintf(stderr, "%s: cannot start (out of memory or bad tool descriptor)\n", prog);
        rc = 1;
    } else {
        for (;;) {
            /* a live stream: what is printed goes out before a read waits */
            if (live && !sg_reader_ready(r))
                sg_writer_flush(w);
            if (!sg_reader_next(r, &k, &v))
                break;
            if (armed && k == &sg_kind_stapgen) {
                /* the script's first record, from its begin probe: the
                 * probes are armed; the tool command waits for FILE */
                int fd = open(armed, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
                if (fd >= 0)
                    close(fd);
                armed = NULL;
            }
            sg_writer_record(w, k, v);
        }
        sg_writer_finish(w);
        if (sg_reader_error(r)) {
            fprintf(stderr, "%s: %s: read error\n", prog, in_name);
            rc = 1;
        } else if (sg_writer_error(w)) {
            fprintf(stderr, "%s: out of memory, output incomplete\n", prog);
            rc = 1;
        } else if (!sg_reader_ended(r)) {
            /* what was read is printed; the figures lack the end report */
            if (!sg_reader_lines(r))
                fprintf(stderr, "%s: %s: the input is empty: the script printed nothing (no "
                                "@stapgen, no end report @end); no figures\n", prog, in_name);
            else
                fprintf(stderr, "%s: %s: input ended before the script's end report (@end): "
                                "the run was cut off; figures are incomplete\n", prog, in_name);
            rc = SG_EXIT_CUT;
        } else if (sg_reader_dropped(r)) {
            rc = SG_EXIT_DROPPED;
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
