/* stapgen_rt_csv.c - the CSV writer: RFC 4180 with CRLF, ONE header row for
 * the stream (CSV readers take the first line as the header):
 * kind[,report,ts],the union of the tool's kinds' columns by name
 * (histograms: keys...,low,high,count); a cell a kind lacks is empty.  A
 * kind outside the tool descriptor gets its own header row, as before. */
#include "stapgen_rt_int.h"

/* the stream's columns; map[kind][col]: the kind's field, or -1 none,
 * CSV_LOW / CSV_HIGH the histogram bucket's bounds */
enum { CSV_NONE = -1, CSV_LOW = -2, CSV_HIGH = -3 };
typedef struct csv_st {
    size_t ncols;
    const char **cols;
    int rt; /* a report,ts pair after kind */
    int **map;
    int *ident; /* map[kind] is the kind's own fields in order, no rt */
} csv_st;

static void csv_free(sg_writer *w)
{
    csv_st *c = w->fst;
    size_t i;
    if (!c)
        return;
    for (i = 0; c->map && i < w->tool->nkinds; i++)
        free(c->map[i]);
    free(c->map);
    free(c->cols);
    free(c->ident);
    free(c);
    w->fst = NULL;
}

/* kind k's i-th column name and what it maps to */
static const char *kcol(const sg_kind *k, size_t i, int *to)
{
    size_t nf = k->nfields;
    if (!sg_is_hist(k)) {
        *to = (int)i;
        return k->fields[i].name;
    }
    if (i < nf - 2) {
        *to = (int)i;
        return k->fields[i].name;
    }
    *to = i == nf - 2 ? CSV_LOW : i == nf - 1 ? CSV_HIGH : (int)nf - 1;
    return i == nf - 2 ? "low" : i == nf - 1 ? "high" : "count";
}

static size_t kncols(const sg_kind *k) { return sg_is_hist(k) ? k->nfields + 1 : k->nfields; }

static csv_st *csv_state(sg_writer *w)
{
    const sg_tool *t = w->tool;
    csv_st *c = w->fst;
    size_t i, j, n, cap = 0;
    if (c || w->err)
        return c;
    c = calloc(1, sizeof *c);
    if (!c)
        goto oom;
    w->fst = c;
    for (i = 0; i < t->nkinds; i++)
        cap += kncols(&t->kinds[i]);
    c->cols = malloc((cap ? cap : 1) * sizeof *c->cols);
    c->map = calloc(t->nkinds ? t->nkinds : 1, sizeof *c->map);
    c->ident = calloc(t->nkinds ? t->nkinds : 1, sizeof *c->ident);
    if (!c->cols || !c->map || !c->ident)
        goto oom;
    for (i = 0; i < t->nkinds; i++) {
        const sg_kind *k = &t->kinds[i];
        if (k->cls != SG_EVENT)
            c->rt = 1;
        for (j = 0; j < kncols(k); j++) {
            int to;
            const char *nm = kcol(k, j, &to);
            for (n = 0; n < c->ncols && strcmp(c->cols[n], nm); n++)
                ;
            if (n == c->ncols)
                c->cols[c->ncols++] = nm;
        }
    }
    for (i = 0; i < t->nkinds; i++) {
        const sg_kind *k = &t->kinds[i];
        c->map[i] = malloc((c->ncols ? c->ncols : 1) * sizeof **c->map);
        if (!c->map[i])
            goto oom;
        for (n = 0; n < c->ncols; n++)
            c->map[i][n] = CSV_NONE;
        for (j = 0; j < kncols(k); j++) {
            int to;
            const char *nm = kcol(k, j, &to);
            for (n = 0; strcmp(c->cols[n], nm); n++)
                ;
            if (c->map[i][n] == CSV_NONE) /* a repeated name: the first */
                c->map[i][n] = to;
        }
        c->ident[i] = !c->rt && c->ncols == k->nfields;
        for (n = 0; c->ident[i] && n < c->ncols; n++)
            c->ident[i] = c->map[i][n] == (int)n;
    }
    sb_puts(&w->sb, "kind");
    if (c->rt)
        sb_puts(&w->sb, ",report,ts");
    for (n = 0; n < c->ncols; n++) {
        sb_putc(&w->sb, ',');
        sg_csv_str(&w->sb, c->cols[n], strlen(c->cols[n]));
    }
    sb_puts(&w->sb, "\r\n");
    return c;
oom:
    w->err = 1;
    return NULL;
}

/* The tool's kind index of k, or -1 (a kind from elsewhere). */
static long kidx(sg_writer *w, const sg_kind *k)
{
    if (k >= w->tool->kinds && k < w->tool->kinds + w->tool->nkinds)
        return (long)(k - w->tool->kinds);
    return -1;
}

static void csv_value(sg_writer *w, const sg_field *f, const sg_value *v)
{
    sb_putc(&w->sb, ',');
    if (sg_is_str(f->type))
        sg_csv_str(&w->sb, v->s ? v->s : "", v->s ? v->slen : 0);
    else
        sb_num(&w->sb, w->rawnum, v);
}

static void csv_header(sg_writer *w, const sg_kind *k)
{
    sg_kstate *st;
    if (!csv_state(w) || kidx(w, k) >= 0)
        return; /* the stream's header is written */
    st = sg_kst(w, k);
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
        sg_csv_str(&w->sb, k->fields[i].name, strlen(k->fields[i].name));
    }
    if (hist)
        sb_puts(&w->sb, ",low,high,count");
    sb_puts(&w->sb, "\r\n");
}

static void csv_head(sg_writer *w, const sg_kind *k, int block)
{
    sg_sb *b = &w->sb;
    const csv_st *c = w->fst;
    sg_csv_str(b, k->name, strlen(k->name));
    if (!block && kidx(w, k) >= 0 && c && c->rt) {
        sb_puts(b, ",,"); /* an event in a stream with reports */
        return;
    }
    if (!block)
        return;
    sb_putc(b, ',');
    if (w->has_name)
        sg_csv_str(b, w->bname, w->bname_len);
    sb_putc(b, ',');
    if (w->has_ts)
        sb_ll(b, w->bts);
}

/* A row of a tool kind under the stream's header; lo/hi: a bucket's bounds
 * (mask m as sg_hist_bounds gives it). */
static void csv_union(sg_writer *w, long ki, const sg_kind *k, const sg_value *v, int block,
                      long long lo, long long hi, int m)
{
    const csv_st *c = w->fst;
    size_t n;
    csv_head(w, k, block);
    for (n = 0; n < c->ncols; n++) {
        int f = c->map[ki][n];
        if (f >= 0) {
            csv_value(w, &k->fields[f], &v[f]);
            continue;
        }
        sb_putc(&w->sb, ',');
        if (f == CSV_LOW && (m & 1))
            sb_ll(&w->sb, lo);
        else if (f == CSV_HIGH && (m & 2))
            sb_ll(&w->sb, hi);
    }
    sb_put(&w->sb, "\r\n", 2);
    w_emit(w);
}

static void csv_record(sg_writer *w, const sg_kind *k, const sg_value *v, int block)
{
    sg_sb *b = &w->sb;
    size_t i, nf = k->nfields, need;
    long ki = kidx(w, k);
    const csv_st *c;
    const sg_kind_code *kc;
    char *o;
    csv_header(w, k);
    c = w->fst;
    if (!c)
        return;
    if (ki >= 0 && (block || !c->ident[ki])) {
        csv_union(w, ki, k, v, block, 0, 0, 0);
        return;
    }
    if (block) {
        csv_head(w, k, block);
        for (i = 0; i < nf; i++)
            csv_value(w, &k->fields[i], &v[i]);
        sb_put(b, "\r\n", 2);
        w_emit(w);
        return;
    }
    kc = sg_code(w, k);
    if (kc && kc->csv) {
        kc->csv(w, v);
        w_emit(w);
        return;
    }
    /* an event: its size bounded first, then written without checks */
    need = 2 * strlen(k->name) + 5 + 16; /* 16: sg_csv_str_pad_at's stores */
    for (i = 0; i < nf; i++) {
        size_t n = v[i].s ? v[i].slen : 0;
        if (!sg_is_str(k->fields[i].type))
            need += 25;
        else if (n > ((size_t)-1 / 4 - need) / 2 - 3)
            need = (size_t)-1 / 4;
        else
            need += 2 * n + 3;
    }
    if (!sb_reserve(b, need)) {
        w_emit(w);
        return;
    }
    o = sg_csv_str_at(b->p + b->n, k->name, strlen(k->name));
    for (i = 0; i < nf; i++) {
        *o++ = ',';
        if (sg_is_str(k->fields[i].type))
            o = w->rawnum && v[i].s ? sg_csv_str_pad_at(o, v[i].s, v[i].slen)
                                    : sg_csv_str_at(o, v[i].s ? v[i].s : "", v[i].s ? v[i].slen : 0);
        else
            o += sg_num_at(o, w->rawnum, &v[i]);
    }
    o[0] = '\r';
    o[1] = '\n';
    o[2] = '\0';
    b->n = (size_t)(o + 2 - b->p);
    w_emit(w);
}

static void csv_event(sg_writer *w, const sg_kind *k, const sg_value *v) { csv_record(w, k, v, 0); }

static void csv_rows(sg_writer *w, const sg_kgroup *g)
{
    const sg_item *it;
    for (it = g->head; it; it = it->next)
        csv_record(w, g->k, it->v, 1);
}

static void csv_hist(sg_writer *w, const sg_kind *k, const sg_value *keys, const sg_hent *e,
                     size_t n)
{
    size_t j, f, nkeys = k->nfields - 2;
    long ki = kidx(w, k);
    csv_header(w, k);
    if (!w->fst)
        return;
    for (j = 0; j < n; j++) {
        long long lo = 0, hi = 0;
        int m;
        if (e[j].count <= 0)
            continue;
        m = sg_hist_bounds(k, e[j].bucket, &lo, &hi);
        if (ki >= 0) {
            /* the union row reads count from v[nf-1]: the bucket's count */
            sg_value *row = malloc(k->nfields * sizeof *row);
            if (!row) {
                w->err = 1;
                return;
            }
            memcpy(row, keys, nkeys * sizeof *row);
            row[nkeys].l = e[j].bucket;
            row[nkeys].s = NULL;
            row[nkeys].slen = 0;
            row[nkeys + 1].l = e[j].count;
            row[nkeys + 1].s = NULL;
            row[nkeys + 1].slen = 0;
            csv_union(w, ki, k, row, 1, lo, hi, m);
            free(row);
            continue;
        }
        csv_head(w, k, 1);
        for (f = 0; f < nkeys; f++)
            csv_value(w, &k->fields[f], &keys[f]);
        sb_putc(&w->sb, ',');
        if (m & 1)
            sb_ll(&w->sb, lo);
        sb_putc(&w->sb, ',');
        if (m & 2)
            sb_ll(&w->sb, hi);
        sb_putc(&w->sb, ',');
        sb_ll(&w->sb, e[j].count);
        sb_put(&w->sb, "\r\n", 2);
        w_emit(w);
    }
}

const sg_fmt_ops sg_fmt_CSV = {
    NULL, csv_event, NULL, csv_rows, csv_hist, NULL, NULL, csv_free, NULL, NULL, SG_RAW_TIME,
};
