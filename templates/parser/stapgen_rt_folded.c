/* stapgen_rt_folded.c - folded stacks ("root;...;leaf COUNT" lines, the
 * input of flame graph tools), and the folding the svg writer shares.
 *
 * Stacks are summed in a hash map per report block (rows) and one for the
 * whole input (events): memory grows with the distinct stacks, never with
 * the input.  A record's stack strings seen before are not folded again: a
 * cache maps them (as they arrived) to their folded stack and its place in
 * the map.  In raw-stack mode (sg_main) the cache is keyed on the stack
 * texts as they arrived, escaped, and asked by the reader first: a record
 * seen before is neither unescaped nor folded again.  The maps borrow the cache's folded stacks (no copy per block),
 * and the cache keeps its folded stacks in order, so that sorting a block
 * is sorting numbers (sg_fold_sort). */
#include "stapgen_rt_int.h"

/* The fold cache's size, raw and folded bytes: past it, it starts over. */
#ifndef SG_FOLD_CACHE_BYTES
#define SG_FOLD_CACHE_BYTES (8u << 20)
#endif

typedef struct sg_fcent {
    unsigned long long h;  /* of the key */
    char *key;             /* kind pointer, then per stack field: length, bytes */
    size_t keyn;
    int raw;               /* the key holds the stack texts as they arrived */
    char *fold;            /* the folded stack (NULL: the record does not count) */
    size_t foldn;
    unsigned long long fh; /* its hash in the maps */
    const sg_fmap *map;    /* the map (and generation) where it was added last */
    unsigned long gen;
    size_t idx;
    size_t rank;           /* its place in sg_fold.ord; NO_RANK: not there yet */
} sg_fcent;

#define NO_RANK ((size_t)-1)

struct sg_fold {
    sg_fmap block, events;
    int kmark; /* svg: kernel frames get the "_[k]" suffix */
    sg_fcent *c;
    size_t nc, cap, *slot, nslot, bytes;
    sg_sb key;
    /* raw-stack mode: what sg_fold_known told the reader of the record
     * now read (SG_STK_*, 0: not asked): the entry it found, or the hash of
     * the raw key left in key */
    int asked;
    size_t hit;
    unsigned long long pend_h;
    /* sg_fold_sort: the cache entries with a fold that were in a sorted
     * map, in the maps' order; scratch */
    size_t *ord, nord, ordcap;
    size_t *pos, poscap;      /* by rank: map index + 1 (kept all 0) */
    sg_fcent **fresh;
    size_t freshcap;
    size_t *ord2, ord2cap;
    sg_fent *tmpe;
    size_t tmpecap;
};

/* ---- the maps ---- */

void sg_fmap_clear(sg_fmap *m)
{
    size_t i;
    unsigned long gen = m->gen;
    for (i = 0; i < m->n; i++)
        if (!m->e[i].borrowed)
            free(m->e[i].s);
    free(m->e);
    free(m->slot);
    memset(m, 0, sizeof *m);
    m->gen = gen + 1;
}

/* Adds count c to stack s[0..n) of hash h; its index, or (size_t)-1 on
 * allocation failure.  lend: s itself, a folded stack of cache entry ce - 1,
 * which a new entry borrows; NULL: a new entry copies s. */
static size_t fmap_add(sg_fmap *m, const char *s, size_t n, unsigned long long h, long long c,
                       long long c2, char *lend, size_t ce)
{
    size_t i, mask, slot;
    sg_fent *e;
    if ((m->n + 1) * 2 > m->nslot) {
        size_t ns = m->nslot ? m->nslot * 2 : 64;
        size_t *nt = ns < m->nslot ? NULL : calloc(ns, sizeof *nt);
        if (!nt)
            return (size_t)-1;
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
            e->count = sg_sat_add(e->count, c);
            e->count2 = sg_sat_add(e->count2, c2);
            return m->slot[slot] - 1;
        }
    }
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 64;
        sg_fent *ne = nc > (size_t)-1 / sizeof *ne ? NULL : realloc(m->e, nc * sizeof *ne);
        if (!ne)
            return (size_t)-1;
        m->e = ne;
        m->cap = nc;
    }
    e = &m->e[m->n];
    e->ce = lend ? ce : 0;
    e->borrowed = lend != NULL;
    e->rank = 0;
    if (lend) {
        e->s = lend;
    } else {
        e->s = malloc(n + 1);
        if (!e->s)
            return (size_t)-1;
        memcpy(e->s, s, n);
        e->s[n] = '\0';
    }
    e->n = n;
    e->hash = h;
    e->count = c;
    e->count2 = c2;
    m->slot[slot] = ++m->n;
    return m->n - 1;
}

/* Folded stacks in order: frame by frame, bytewise within a frame: ';'
 * sorts before every byte.  The first difference is found a word at a time. */
static int fold_cmp(const char *x, size_t xn, const char *y, size_t yn)
{
    size_t i = 0, n = xn < yn ? xn : yn;
    unsigned char c, d;
    while (n - i >= 8) {
        unsigned long long p, q;
        memcpy(&p, x + i, 8);
        memcpy(&q, y + i, 8);
        if (p != q)
            break;
        i += 8;
    }
    while (i < n && x[i] == y[i])
        i++;
    if (i == n)
        return xn < yn ? -1 : xn > yn;
    c = (unsigned char)x[i];
    d = (unsigned char)y[i];
    if (c == ';')
        return -1;
    if (d == ';')
        return 1;
    return c < d ? -1 : 1;
}

static int fent_cmp(const void *a, const void *b)
{
    const sg_fent *x = a, *y = b;
    return fold_cmp(x->s, x->n, y->s, y->n);
}

void sg_fmap_sort(sg_fmap *m)
{
    if (m->n > 1)
        qsort(m->e, m->n, sizeof *m->e, fent_cmp);
    m->gen++; /* the indices changed */
}

/* ---- folding a record ---- */

/* Whether a backtrace is the kernel's: a line names the [kernel] module or
 * starts with a kernel address (0xffff...). */
static int kernel_stack(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const char *nl = memchr(s + i, '\n', n - i);
        size_t e = nl ? (size_t)(nl - s) : n, j = i, t = e;
        while (j < e && (s[j] == ' ' || s[j] == '\t'))
            j++;
        while (t > j && (s[t - 1] == ' ' || s[t - 1] == '\t' || s[t - 1] == '\r'))
            t--;
        if (e - j >= 6 && memcmp(s + j, "0xffff", 6) == 0)
            return 1;
        if (t - j >= 8 && memcmp(s + t - 8, "[kernel]", 8) == 0)
            return 1;
        i = e + 1;
    }
    return 0;
}

/* Appends "_[k]" to every frame of the folded frames at b[start, b->n). */
static void mark_kernel(sg_sb *b, size_t start)
{
    size_t nf = 1, i, j;
    if (b->n <= start)
        return;
    for (i = start; i < b->n; i++)
        nf += b->p[i] == ';';
    if (!sb_reserve(b, 4 * nf))
        return;
    i = b->n;
    j = b->n + 4 * nf;
    b->p[j] = '\0';
    j -= 4;
    memcpy(b->p + j, "_[k]", 4);
    while (i > start) {
        char c = b->p[--i];
        b->p[--j] = c;
        if (c == ';') {
            j -= 4;
            memcpy(b->p + j, "_[k]", 4);
        }
    }
    b->n += 4 * nf;
}

/* The folded stack of a record into w->tmp, its COUNT into *count.  0 if the
 * kind has no stack field or COUNT <= 0 (or on allocation failure).  kmark:
 * the frames of kernel backtraces get the suffix "_[k]". */
static int fold_record(sg_writer *w, const sg_kind *k, const sg_value *v, long long *count,
                       int kmark)
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
        if (sg_fold_stack(b, v[i].s, v[i].s ? v[i].slen : 0, parts != 0, NULL)) {
            if (kmark && kernel_stack(v[i].s, v[i].slen))
                mark_kernel(b, mark + (parts ? 3 : 0));
            parts++;
        } else {
            b->n = mark;
        }
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

/* COUNT of a record of a kind with a stack field: the first SG_LONG field
 * after the first SG_STACK field, 1 if none.  0: no stack field. */
static int rec_count(const sg_kind *k, const sg_value *v, long long *count)
{
    size_t i;
    for (i = 0; i < k->nfields && k->fields[i].type != SG_STACK; i++)
        ;
    if (i == k->nfields)
        return 0;
    *count = 1;
    for (i++; i < k->nfields; i++)
        if (k->fields[i].type == SG_LONG) {
            *count = v[i].l;
            break;
        }
    return 1;
}

/* Whether a cache key is kind k with the stack values of v. */
static int key_eq(const char *key, const sg_kind *k, const sg_value *v)
{
    size_t i, n;
    if (memcmp(key, &k, sizeof k) != 0)
        return 0;
    key += sizeof k;
    for (i = 0; i < k->nfields; i++)
        if (k->fields[i].type == SG_STACK) {
            memcpy(&n, key, sizeof n);
            if (n != (v[i].s ? v[i].slen : 0) || (n && memcmp(key + sizeof n, v[i].s, n) != 0))
                return 0;
            key += sizeof n + n;
        }
    return 1;
}

/* The maps' entries that borrow folded stacks of the cache take them over:
 * the cache is about to start over. */
static void maps_unborrow(sg_fold *f)
{
    sg_fmap *maps[2];
    size_t i, j;
    maps[0] = &f->block;
    maps[1] = &f->events;
    for (j = 0; j < 2; j++)
        for (i = 0; i < maps[j]->n; i++) {
            sg_fent *e = &maps[j]->e[i];
            if (e->borrowed) {
                f->c[e->ce - 1].fold = NULL;
                e->borrowed = 0;
            }
            e->ce = 0;
        }
}

static void cache_clear(sg_fold *f)
{
    size_t i;
    maps_unborrow(f);
    f->nord = 0;
    for (i = 0; i < f->nc; i++) {
        free(f->c[i].key);
        free(f->c[i].fold);
    }
    f->nc = 0;
    f->bytes = 0;
    if (f->slot)
        memset(f->slot, 0, f->nslot * sizeof *f->slot);
}

/* The cache entry of a record's stacks, made (folded) if new; NULL when out
 * of memory (then w->err is set). */
/* The key of kind k with the stack values of v: its hash (the raw keys'
 * differ) and length. */
static unsigned long long key_hash(const sg_kind *k, const sg_value *v, int raw, size_t *keyn)
{
    size_t i;
    unsigned long long h = (unsigned long long)(size_t)k ^ (raw ? 0x524157ull : 0);
    *keyn = sizeof k;
    for (i = 0; i < k->nfields; i++)
        if (k->fields[i].type == SG_STACK) {
            size_t n = v[i].s ? v[i].slen : 0;
            h = sg_hash(v[i].s, n, h);
            *keyn += sizeof n + n;
        }
    return h;
}

/* The key into f->key. */
static void key_make(sg_fold *f, const sg_kind *k, const sg_value *v)
{
    size_t i;
    f->key.n = 0;
    sb_put(&f->key, (const char *)&k, sizeof k);
    for (i = 0; i < k->nfields; i++)
        if (k->fields[i].type == SG_STACK) {
            size_t n = v[i].s ? v[i].slen : 0;
            sb_put(&f->key, (const char *)&n, sizeof n);
            sb_put(&f->key, v[i].s, n);
        }
}

int sg_fold_known(void *ctx, const sg_kind *k, const sg_value *v)
{
    sg_fold *f = sg_writer_fold(ctx);
    size_t keyn, slot, mask;
    unsigned long long h;
    if (!f)
        return 0;
    h = key_hash(k, v, 1, &keyn);
    f->asked = SG_STK_ASKED;
    if (f->nslot) {
        mask = f->nslot - 1;
        for (slot = (size_t)(h & mask); f->slot[slot]; slot = (slot + 1) & mask) {
            const sg_fcent *e = &f->c[f->slot[slot] - 1];
            if (e->h == h && e->raw && e->keyn == keyn && key_eq(e->key, k, v)) {
                f->asked = SG_STK_RAW;
                f->hit = f->slot[slot] - 1;
                return 1;
            }
        }
    }
    /* new: the raw key is kept for the entry this record makes, if it is
     * valid (the reader unescapes it now, in place) */
    f->pend_h = h;
    key_make(f, k, v);
    return 0;
}

/* The first stack field's SG_STK_* (0 if none). */
static long long stack_mode(const sg_kind *k, const sg_value *v)
{
    size_t i;
    for (i = 0; i < k->nfields; i++)
        if (k->fields[i].type == SG_STACK)
            return v[i].l;
    return 0;
}

static sg_fcent *cache_get(sg_writer *w, sg_fold *f, const sg_kind *k, const sg_value *v)
{
    sg_sb *key = &f->key;
    size_t i, mask, slot, keyn;
    unsigned long long h;
    sg_fcent *e;
    /* raw-stack mode: sg_fold_known was asked about this very record (the
     * reader asks about each record with stacks before it returns it) */
    int raw = f->asked && stack_mode(k, v) == f->asked ? f->asked : 0;
    f->asked = 0;
    if (raw == SG_STK_RAW)
        return &f->c[f->hit];
    if (raw) {
        h = f->pend_h;
        keyn = key->n;
    } else {
        /* the key: the kind, then each stack field's length and bytes;
         * hashed and compared where the values are, copied only into a new
         * entry */
        h = key_hash(k, v, 0, &keyn);
    }
    if (f->nslot && (f->nc + 1) * 2 > f->nslot && f->bytes < SG_FOLD_CACHE_BYTES / 2) {
        /* grow */
        size_t ns = f->nslot * 2, *nt = calloc(ns, sizeof *nt);
        if (nt) {
            for (i = 0; i < f->nc; i++) {
                slot = (size_t)(f->c[i].h & (ns - 1));
                while (nt[slot])
                    slot = (slot + 1) & (ns - 1);
                nt[slot] = i + 1;
            }
            free(f->slot);
            f->slot = nt;
            f->nslot = ns;
        }
    }
    if (!f->nslot) {
        f->slot = calloc(1024, sizeof *f->slot);
        if (!f->slot) {
            w->err = 1;
            return NULL;
        }
        f->nslot = 1024;
    }
    if ((f->nc + 1) * 2 > f->nslot || f->bytes > SG_FOLD_CACHE_BYTES)
        cache_clear(f); /* full: start over */
    mask = f->nslot - 1;
    for (slot = (size_t)(h & mask); f->slot[slot]; slot = (slot + 1) & mask) {
        e = &f->c[f->slot[slot] - 1];
        /* (a raw key asked about is not there) */
        if (!raw && !e->raw && e->h == h && e->keyn == keyn && key_eq(e->key, k, v))
            return e;
    }
    /* a new entry: its key */
    if (!raw)
        key_make(f, k, v);
    if (key->oom) {
        key->oom = 0;
        w->err = 1;
        return NULL;
    }
    if (f->nc == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 256;
        sg_fcent *ne = nc > (size_t)-1 / sizeof *ne ? NULL : realloc(f->c, nc * sizeof *ne);
        if (!ne) {
            w->err = 1;
            return NULL;
        }
        f->c = ne;
        f->cap = nc;
    }
    e = &f->c[f->nc];
    memset(e, 0, sizeof *e);
    e->rank = NO_RANK;
    e->raw = raw != 0;
    e->h = h;
    e->keyn = key->n;
    e->key = malloc(key->n);
    if (!e->key) {
        w->err = 1;
        return NULL;
    }
    memcpy(e->key, key->p, key->n);
    {
        long long c;
        /* folded as if its COUNT were 1: the count is the record's own */
        if (fold_record(w, k, v, &c, f->kmark)) {
            e->fold = malloc(w->tmp.n + 1);
            if (!e->fold) {
                free(e->key);
                w->err = 1;
                return NULL;
            }
            memcpy(e->fold, w->tmp.p ? w->tmp.p : "", w->tmp.n);
            e->fold[w->tmp.n] = '\0';
            e->foldn = w->tmp.n;
            e->fh = sg_hash(e->fold, e->foldn, 0x464f4c44ull);
        }
    }
    /* with its slots and its places in ord and pos */
    f->bytes += key->n + e->foldn + sizeof *e + 4 * sizeof(size_t);
    f->slot[slot] = ++f->nc;
    return e;
}

static void fold_add(sg_writer *w, sg_fold *f, sg_fmap *m, const sg_kind *k, const sg_value *v)
{
    long long c;
    sg_fcent *e;
    if (!rec_count(k, v, &c) || c <= 0)
        return;
    e = cache_get(w, f, k, v);
    if (!e || !e->fold)
        return;
    if (e->map == m && e->gen == m->gen && e->idx < m->n) {
        m->e[e->idx].count = sg_sat_add(m->e[e->idx].count, c);
        return;
    }
    e->idx = fmap_add(m, e->fold, e->foldn, e->fh, c, 0, e->fold, (size_t)(e - f->c) + 1);
    if (e->idx == (size_t)-1) {
        w->err = 1;
        e->map = NULL;
        return;
    }
    e->map = m;
    e->gen = m->gen;
}

/* ---- sorting a map by the cache's order ---- */

static int fresh_cmp(const void *a, const void *b)
{
    const sg_fcent *x = *(sg_fcent *const *)a, *y = *(sg_fcent *const *)b;
    return fold_cmp(x->fold, x->foldn, y->fold, y->foldn);
}

static int rank_cmp(const void *a, const void *b)
{
    const sg_fent *x = a, *y = b;
    return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Room for n items of size sz at *p (capacity *cap); 0 when out of memory. */
static int scratch(void *p, size_t *cap, size_t n, size_t sz)
{
    void *q;
    if (n <= *cap)
        return 1;
    if (n > (size_t)-1 / 2 / sz)
        return 0;
    q = realloc(*(void **)p, 2 * n * sz);
    if (!q)
        return 0;
    *(void **)p = q;
    *cap = 2 * n;
    return 1;
}

/* Gives every entry of m a rank (the place of its cache entry in f->ord,
 * which takes in the cache entries new to it: sorted, then merged by binary
 * search).  0: some entry has no cache entry (the cache started over since
 * it was added), or out of memory. */
static int rank_map(sg_fold *f, sg_fmap *m)
{
    size_t i, j, nf = 0, lo, o;
    for (i = 0; i < m->n; i++) {
        if (!m->e[i].ce)
            return 0;
        nf += f->c[m->e[i].ce - 1].rank == NO_RANK;
    }
    if (nf) {
        if (!scratch(&f->fresh, &f->freshcap, nf, sizeof *f->fresh) ||
            !scratch(&f->ord, &f->ordcap, f->nord + nf, sizeof *f->ord) ||
            !scratch(&f->ord2, &f->ord2cap, f->nord + nf, sizeof *f->ord2))
            return 0;
        for (i = j = 0; i < m->n; i++)
            if (f->c[m->e[i].ce - 1].rank == NO_RANK)
                f->fresh[j++] = &f->c[m->e[i].ce - 1];
        qsort(f->fresh, nf, sizeof *f->fresh, fresh_cmp);
        /* merged into ord2: each new one after the old ones not above it */
        for (i = lo = o = 0; i < nf; i++) {
            const sg_fcent *x = f->fresh[i];
            size_t hi = f->nord;
            while (lo < hi) {
                size_t mid = lo + (hi - lo) / 2;
                const sg_fcent *y = &f->c[f->ord[mid]];
                if (fold_cmp(y->fold, y->foldn, x->fold, x->foldn) <= 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            while (o < lo + i) {
                f->ord2[o] = f->ord[o - i];
                o++;
            }
            f->ord2[o++] = (size_t)(x - f->c);
        }
        for (; o < f->nord + nf; o++)
            f->ord2[o] = f->ord[o - nf];
        {
            size_t *t = f->ord, tc = f->ordcap;
            f->ord = f->ord2;
            f->ordcap = f->ord2cap;
            f->ord2 = t;
            f->ord2cap = tc;
        }
        f->nord += nf;
        for (o = 0; o < f->nord; o++)
            f->c[f->ord[o]].rank = o;
    }
    for (i = 0; i < m->n; i++)
        m->e[i].rank = f->c[m->e[i].ce - 1].rank;
    return 1;
}

/* f->pos for every rank, all 0. */
static int pos_room(sg_fold *f)
{
    size_t n = f->nord * 2;
    if (f->nord <= f->poscap)
        return 1;
    free(f->pos);
    f->pos = n / 2 == f->nord ? calloc(n, sizeof *f->pos) : NULL;
    f->poscap = f->pos ? n : 0;
    return f->pos != NULL;
}

void sg_fold_sort(sg_fold *f, sg_fmap *m)
{
    size_t i, j;
    if (!f || m->n < 2 || !rank_map(f, m)) {
        sg_fmap_sort(m);
        return;
    }
    /* entries of m hold different folded stacks, so different ranks: when
     * the ranks are not many more than the entries, placed by rank */
    if (f->nord / 8 <= m->n + 128 && pos_room(f) &&
        scratch(&f->tmpe, &f->tmpecap, m->n, sizeof *f->tmpe)) {
        for (i = 0; i < m->n; i++)
            f->pos[m->e[i].rank] = i + 1;
        for (i = j = 0; i < f->nord; i++)
            if (f->pos[i]) {
                f->tmpe[j++] = m->e[f->pos[i] - 1];
                f->pos[i] = 0;
            }
        memcpy(m->e, f->tmpe, m->n * sizeof *m->e);
    } else {
        qsort(m->e, m->n, sizeof *m->e, rank_cmp);
    }
    m->gen++; /* the indices changed */
}

sg_fold *sg_fold_new(void) { return calloc(1, sizeof(sg_fold)); }

void sg_fold_free(sg_fold *f)
{
    if (!f)
        return;
    sg_fmap_clear(&f->block);
    sg_fmap_clear(&f->events);
    cache_clear(f);
    free(f->c);
    free(f->slot);
    free(f->ord);
    free(f->ord2);
    free(f->pos);
    free(f->fresh);
    free(f->tmpe);
    sg_sb_free(&f->key);
    free(f);
}

void sg_fold_kmark(sg_fold *f) { f->kmark = 1; }

size_t sg_fmap_add(sg_fmap *m, const char *s, size_t n, long long c, long long c2)
{
    return fmap_add(m, s, n, sg_hash(s, n, 0x464f4c44ull), c, c2, NULL, 0);
}

sg_fmap *sg_fold_block(sg_fold *f) { return &f->block; }
sg_fmap *sg_fold_events(sg_fold *f) { return &f->events; }

void sg_fold_record(sg_writer *w, sg_fold *f, const sg_kind *k, const sg_value *v)
{
    if (!f) {
        w->err = 1;
        return;
    }
    if (k->cls == SG_EVENT) {
        fold_add(w, f, &f->events, k, v);
    } else if (k->cls == SG_ROW) {
        if (!w->in_block)
            sg_block_open(w, k->report, k->report ? strlen(k->report) : 0, 0, 0);
        fold_add(w, f, &f->block, k, v);
    }
}

/* ---- the folded writer ---- */

static sg_fold *folded_state(sg_writer *w)
{
    if (!w->fst)
        w->fst = sg_fold_new();
    return w->fst;
}

sg_fold *sg_writer_fold(sg_writer *w)
{
    return w->ops->fold ? w->ops->fold(w) : NULL;
}

static void folded_record(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    sg_fold_record(w, folded_state(w), k, v);
}

static void fold_print(sg_writer *w, sg_fmap *m)
{
    size_t i;
    sg_fold_sort(w->fst, m);
    for (i = 0; i < m->n; i++) {
        sb_put(&w->sb, m->e[i].s, m->e[i].n);
        sb_putc(&w->sb, ' ');
        sb_ll(&w->sb, m->e[i].count);
        sb_putc(&w->sb, '\n');
        w_emit(w);
    }
    sg_fmap_clear(m);
}

static void folded_block(sg_writer *w)
{
    if (w->fst)
        fold_print(w, sg_fold_block(w->fst));
}

static void folded_finish(sg_writer *w)
{
    if (w->fst)
        fold_print(w, sg_fold_events(w->fst));
}

static void folded_free(sg_writer *w)
{
    sg_fold_free(w->fst);
    w->fst = NULL;
}

const sg_fmt_ops sg_fmt_FOLDED = {
    folded_record, NULL, folded_block, NULL, NULL, NULL, folded_finish, folded_free, folded_state,
    NULL, 0,
};
