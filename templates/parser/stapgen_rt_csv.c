/* stapgen_rt_csv.c - the CSV writer: RFC 4180 with CRLF, a header row when a
 * kind first appears: kind[,report,ts],fields (histograms: keys...,low,high,
 * count). */
#include "stapgen_rt_int.h"

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
    sg_kstate *st = sg_kst(w, k);
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
    sg_csv_str(b, k->name, strlen(k->name));
    if (!block)
        return;
    sb_putc(b, ',');
    if (w->has_name)
        sg_csv_str(b, w->bname, w->bname_len);
    sb_putc(b, ',');
    if (w->has_ts)
        sb_ll(b, w->bts);
}

static void csv_record(sg_writer *w, const sg_kind *k, const sg_value *v, int block)
{
    sg_sb *b = &w->sb;
    size_t i, nf = k->nfields, need;
    char *o;
    csv_header(w, k);
    if (block) {
        csv_head(w, k, block);
        for (i = 0; i < nf; i++)
            csv_value(w, &k->fields[i], &v[i]);
        sb_put(b, "\r\n", 2);
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
    csv_header(w, k);
    for (j = 0; j < n; j++) {
        long long lo = 0, hi = 0;
        int m;
        if (e[j].count <= 0)
            continue;
        m = sg_hist_bounds(k, e[j].bucket, &lo, &hi);
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
    NULL, csv_event, NULL, csv_rows, csv_hist, NULL, NULL, NULL, NULL, NULL, SG_RAW_TIME,
};
