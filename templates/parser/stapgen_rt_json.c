/* stapgen_rt_json.c - the JSON lines writer: one object per record,
 * {"kind":..,[ "report":..,"ts":.., ]fields...}; histograms with
 * "buckets":[{"low":L,"high":H,"count":C}], null for an unbounded side.
 * A string that is not valid UTF-8 has U+FFFD for each byte that is not
 * and, right after it, "NAME.hex": all its bytes in hex (no field name has
 * a '.'); valid UTF-8 is written exact, without one. */
#include "stapgen_rt_int.h"

/* The fixed text of kind k's records: `{"kind":"NAME"` then `,"FIELD":` for
 * each field, at st->pre.p + st->keyoff[i] (keyoff[nfields] = the end). */
static const sg_kstate *json_pre(sg_writer *w, const sg_kind *k)
{
    sg_kstate *st = sg_kst(w, k);
    size_t i;
    if (!st)
        return NULL;
    if (st->keyoff)
        return st;
    st->keyoff = malloc((k->nfields + 2) * sizeof *st->keyoff);
    if (!st->keyoff)
        return NULL;
    sb_puts(&st->pre, "{\"kind\":");
    sg_json_str(&st->pre, k->name, strlen(k->name));
    for (i = 0; i < k->nfields; i++) {
        st->keyoff[i] = st->pre.n;
        sb_putc(&st->pre, ',');
        sg_json_str(&st->pre, k->fields[i].name, strlen(k->fields[i].name));
        sb_putc(&st->pre, ':');
    }
    st->keyoff[k->nfields] = st->pre.n;
    st->prelen = st->pre.n;
    sb_rep(&st->pre, ' ', 32); /* keys are copied 32 bytes at a time */
    if (st->pre.oom) {
        free(st->keyoff);
        st->keyoff = NULL;
        sg_sb_free(&st->pre);
        st->pre.oom = 0;
        return NULL;
    }
    return st;
}

/* ,"NAME.hex":"HEX" after a string that was not UTF-8 */
static void json_hex(sg_sb *b, const char *name, const char *s, size_t n)
{
    sb_putc(b, ',');
    sb_putc(b, '"');
    sb_puts(b, name);
    sb_puts(b, ".hex\":");
    sg_json_hex(b, s ? s : "", s ? n : 0);
}

static void json_value(sg_writer *w, const sg_field *f, const sg_value *v)
{
    if (!sg_is_str(f->type))
        sb_num(&w->sb, w->rawnum, v);
    else if (sg_json_str(&w->sb, v->s ? v->s : "", v->s ? v->slen : 0))
        json_hex(&w->sb, f->name, v->s, v->slen);
}

/* The record's start; block: with its report name and time. */
static void json_head(sg_writer *w, const sg_kind *k, const sg_kstate *st, int block)
{
    sg_sb *b = &w->sb;
    if (st) {
        sb_put(b, st->pre.p, st->keyoff[0]);
    } else {
        sb_puts(b, "{\"kind\":");
        sg_json_str(b, k->name, strlen(k->name));
    }
    if (!block)
        return;
    sb_puts(b, ",\"report\":");
    if (w->has_name) {
        if (sg_json_str(b, w->bname, w->bname_len))
            json_hex(b, "report", w->bname, w->bname_len);
    } else
        sb_puts(b, "null");
    sb_puts(b, ",\"ts\":");
    if (w->has_ts)
        sb_ll(b, w->bts);
    else
        sb_puts(b, "null");
}

/* ,"FIELD":VALUE for fields [0, n) */
static void json_fields(sg_writer *w, const sg_kind *k, const sg_kstate *st, const sg_value *v,
                        size_t n)
{
    sg_sb *b = &w->sb;
    size_t i;
    for (i = 0; i < n; i++) {
        if (st) {
            sb_put(b, st->pre.p + st->keyoff[i], st->keyoff[i + 1] - st->keyoff[i]);
        } else {
            sb_putc(b, ',');
            sg_json_str(b, k->fields[i].name, strlen(k->fields[i].name));
            sb_putc(b, ':');
        }
        json_value(w, &k->fields[i], &v[i]);
    }
}

/* A whole record: its size bounded first, then written without checks. */
static void json_record(sg_writer *w, const sg_kind *k, const sg_value *v, int block)
{
    const sg_kstate *st = json_pre(w, k);
    sg_sb *b = &w->sb;
    size_t i, nf = k->nfields, need;
    char *o;
    if (!st || block) {
        json_head(w, k, st, block);
        json_fields(w, k, st, v, nf);
        sb_put(b, "}\n", 2);
        w_emit(w);
        return;
    }
    need = st->prelen + 3 + 32;
    for (i = 0; i < nf; i++) {
        size_t n = v[i].s ? v[i].slen : 0;
        if (!sg_is_str(k->fields[i].type))
            need += 24;
        else if (n > ((size_t)-1 / 2 - need) / 8 - 1 - (st->keyoff[i + 1] - st->keyoff[i]))
            need = (size_t)-1 / 2;
        else /* the value, and its "NAME.hex" if it is not UTF-8 */
            need += 8 * n + 4 + (st->keyoff[i + 1] - st->keyoff[i]) + 4;
    }
    if (!sb_reserve(b, need)) {
        w_emit(w);
        return;
    }
    o = b->p + b->n;
    memcpy(o, st->pre.p, st->keyoff[0] <= 32 ? 32 : st->keyoff[0]);
    o += st->keyoff[0];
    for (i = 0; i < nf; i++) {
        size_t kl = st->keyoff[i + 1] - st->keyoff[i];
        if (kl <= 32) /* a fixed-size copy: no call (pre and the output have 32 spare) */
            memcpy(o, st->pre.p + st->keyoff[i], 32);
        else
            memcpy(o, st->pre.p + st->keyoff[i], kl);
        o += kl;
        if (sg_is_str(k->fields[i].type)) {
            int bad = 0;
            const char *sv = v[i].s ? v[i].s : "";
            size_t sn = v[i].s ? v[i].slen : 0;
            o = w->rawnum && v[i].s ? sg_json_str_pad_at(o, sv, sn, &bad)
                                    : sg_json_str_at(o, sv, sn, &bad);
            if (SG_UNLIKELY(bad)) { /* ,"NAME.hex": from the key ,"NAME": */
                memcpy(o, st->pre.p + st->keyoff[i], kl - 2);
                memcpy(o + kl - 2, ".hex\":", 6);
                o = sg_json_hex_at(o + kl + 4, sv, sn);
            }
        } else {
            o += sg_num_at(o, w->rawnum, &v[i]);
        }
    }
    o[0] = '}';
    o[1] = '\n';
    o[2] = '\0';
    b->n = (size_t)(o + 2 - b->p);
    w_emit(w);
}

static void json_event(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    const sg_kind_code *c = sg_code(w, k);
    if (c && c->json) {
        c->json(w, v);
        w_emit(w);
        return;
    }
    json_record(w, k, v, 0);
}

static void json_rows(sg_writer *w, const sg_kgroup *g)
{
    const sg_kstate *st = json_pre(w, g->k);
    const sg_item *it;
    for (it = g->head; it; it = it->next) {
        json_head(w, g->k, st, 1);
        json_fields(w, g->k, st, it->v, g->k->nfields);
        sb_put(&w->sb, "}\n", 2);
        w_emit(w);
    }
}

static void json_bound(sg_sb *b, int valid, long long v)
{
    if (valid)
        sb_ll(b, v);
    else
        sb_puts(b, "null");
}

static void json_hist(sg_writer *w, const sg_kind *k, const sg_value *keys, const sg_hent *e,
                      size_t n)
{
    const sg_kstate *st = json_pre(w, k);
    size_t j;
    int firstb = 1;
    json_head(w, k, st, 1);
    json_fields(w, k, st, keys, k->nfields - 2);
    sb_puts(&w->sb, ",\"buckets\":[");
    for (j = 0; j < n; j++) {
        long long lo = 0, hi = 0;
        int m;
        if (e[j].count <= 0)
            continue;
        m = sg_hist_bounds(k, e[j].bucket, &lo, &hi);
        if (!firstb)
            sb_putc(&w->sb, ',');
        firstb = 0;
        sb_puts(&w->sb, "{\"low\":");
        json_bound(&w->sb, m & 1, lo);
        sb_puts(&w->sb, ",\"high\":");
        json_bound(&w->sb, m & 2, hi);
        sb_puts(&w->sb, ",\"count\":");
        sb_ll(&w->sb, e[j].count);
        sb_putc(&w->sb, '}');
    }
    sb_puts(&w->sb, "]}\n");
    w_emit(w);
}

const sg_fmt_ops sg_fmt_JSON = {
    NULL, json_event, NULL, json_rows, json_hist, NULL, NULL, NULL, NULL, NULL, SG_RAW_TIME,
};
