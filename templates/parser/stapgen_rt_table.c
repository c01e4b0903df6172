/* stapgen_rt_table.c - the table writer: aligned columns (a header per
 * event kind, again after each report block), report blocks under
 * "== <report> <local time> ==", histograms as bcc prints them
 * ("usecs : count distribution", "lo -> hi : n |***  |"). */
#include "stapgen_rt_int.h"

static const char *f_title(const sg_field *f) { return f->title ? f->title : f->name; }

static size_t str_width(const char *s)
{
    size_t w = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0u) != 0x80u)
            w++;
    return w;
}

static size_t min_width(const sg_field *f)
{
    size_t wd = str_width(f_title(f));
    if (f->width > 0 && (size_t)f->width > wd)
        wd = (size_t)f->width;
    if (f->type == SG_TIME && wd < 19)
        wd = 19; /* "YYYY-MM-DD HH:MM:SS" */
    return wd;
}

/* The minimum column widths of kind k (computed once), or NULL. */
static const size_t *min_widths(sg_writer *w, const sg_kind *k)
{
    sg_kstate *st = sg_kst(w, k);
    size_t i;
    if (st && st->minw_ok)
        return st->minw;
    if (!st)
        return NULL;
    st->minw = malloc((k->nfields ? k->nfields : 1) * sizeof *st->minw);
    if (!st->minw)
        return NULL;
    for (i = 0; i < k->nfields; i++)
        st->minw[i] = min_width(&k->fields[i]);
    st->minw_ok = 1;
    return st->minw;
}

/* Appends s (display width sw) padded to wd; numbers right. */
static void w_pad(sg_writer *w, const char *s, size_t slen, size_t sw, size_t wd, int right,
                  int last)
{
    if (right && sw < wd)
        sb_rep(&w->sb, ' ', wd - sw);
    sb_put(&w->sb, s, slen);
    if (!right && !last && sw < wd)
        sb_rep(&w->sb, ' ', wd - sw);
}

static void w_header(sg_writer *w, const sg_kind *k, const size_t *wd, int kindcol)
{
    size_t i;
    if (kindcol) {
        w_pad(w, "KIND", 4, 4, w->kind_w, 0, k->nfields == 0);
        if (k->nfields)
            sb_put(&w->sb, "  ", 2);
    }
    for (i = 0; i < k->nfields; i++) {
        const sg_field *f = &k->fields[i];
        const char *t = f_title(f);
        sg_sb tb = {NULL, 0, 0, 0};
        size_t tw = sg_render_str(&tb, t, strlen(t)); /* a title is shown like data */
        if (i)
            sb_put(&w->sb, "  ", 2);
        w_pad(w, tb.p ? tb.p : "", tb.n, tw, wd[i], f->type == SG_LONG, i + 1 == k->nfields);
        if (tb.oom)
            w->sb.oom = 1;
        sg_sb_free(&tb);
    }
    sb_putc(&w->sb, '\n');
}

static void w_row_line(sg_writer *w, const sg_kind *k, const sg_value *v, const size_t *wd,
                       int kindcol)
{
    size_t i;
    if (kindcol) {
        w_pad(w, k->name, strlen(k->name), str_width(k->name), w->kind_w, 0, k->nfields == 0);
        if (k->nfields)
            sb_put(&w->sb, "  ", 2);
    }
    for (i = 0; i < k->nfields; i++) {
        const sg_field *f = &k->fields[i];
        int last = i + 1 == k->nfields;
        size_t cw;
        if (i)
            sb_put(&w->sb, "  ", 2);
        if (f->type == SG_LONG) { /* right-aligned, straight into the output */
            char num[24];
            size_t n = sg_num_at(num, w->rawnum, &v[i]);
            w_pad(w, num, n, n, wd[i], 1, last);
            continue;
        }
        /* left-aligned: rendered in place, padded after */
        cw = sg_cell_to(w, &w->sb, f->type, &v[i]);
        if (!last && cw < wd[i])
            sb_rep(&w->sb, ' ', wd[i] - cw);
    }
    sb_putc(&w->sb, '\n');
}

/* w_row_line for values from the reader in raw-number mode (w->rawnum):
 * the line's size bounded first, then written in place; a cell the fast
 * path does not cover goes through sg_cell_to. */
static void w_row_line_raw(sg_writer *w, const sg_kind *k, const sg_value *v, const size_t *wd,
                           int kindcol)
{
    sg_sb *b = &w->sb;
    size_t i, nf = k->nfields, kl = kindcol ? strlen(k->name) : 0, need = 2 + kl + w->kind_w + 34;
    char *o;
    /* a line holds at most SG_MAX_LINE bytes of strings: no overflow */
    for (i = 0; i < nf; i++)
        need += 2 + wd[i] + 64 + 32 + (v[i].s ? 4 * v[i].slen : 0);
    if (!sb_reserve(b, need)) {
        w_emit(w);
        return;
    }
    o = b->p + b->n;
    if (kindcol) {
        size_t kw = str_width(k->name);
        memcpy(o, k->name, kl);
        o += kl;
        if (nf) {
            if (kw < w->kind_w)
                o = sg_spaces_at(o, w->kind_w - kw);
            o[0] = ' ';
            o[1] = ' ';
            o += 2;
        }
    }
    for (i = 0; i < nf; i++) {
        sg_type t = k->fields[i].type;
        size_t cw;
        if (i) {
            o[0] = ' ';
            o[1] = ' ';
            o += 2;
        }
        if (t == SG_LONG) { /* right-aligned */
            o = sg_table_num(o, &v[i], wd[i]);
            continue;
        }
        if (sg_is_text(t)) {
            o = sg_render_str_pad_at(o, v[i].s, v[i].slen, &cw);
        } else if (t == SG_TIME) {
            cw = sg_time_value_at(w, o, &v[i]);
            o += cw;
        } else {
            b->n = (size_t)(o - b->p);
            cw = sg_cell_to(w, b, t, &v[i]);
            if (!sb_reserve(b, need)) {
                w_emit(w);
                return;
            }
            o = b->p + b->n;
        }
        if (i + 1 < nf && cw < wd[i])
            o = sg_spaces_at(o, wd[i] - cw);
    }
    o[0] = '\n';
    o[1] = '\0';
    b->n = (size_t)(o + 1 - b->p);
}

char *sg_table_time(sg_writer *w, char *o, const sg_value *v, size_t width)
{
    size_t cw = sg_time_value_at(w, o, v);
    o += cw;
    return cw < width ? sg_spaces_at(o, width - cw) : o;
}

static void table_event(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    sg_kstate *st = sg_kst(w, k);
    const sg_kind_code *kc = sg_code(w, k);
    const size_t *wd = NULL;
    /* the kind's own writer has its widths: they are needed for a header
     * and the generic rows */
    if (!st || !st->header_ok || !kc || !kc->table) {
        wd = min_widths(w, k);
        if (!wd) {
            w->err = 1;
            return;
        }
    }
    if (st && !st->header_ok) {
        w_header(w, k, wd, w->multi_event);
        st->header_ok = 1;
    }
    if (kc && kc->table)
        kc->table(w, v);
    else if (w->rawnum)
        w_row_line_raw(w, k, v, wd, w->multi_event);
    else
        w_row_line(w, k, v, wd, w->multi_event);
    w->last_was_event = 1;
    w_emit(w);
}

static void table_rows(sg_writer *w, const sg_kgroup *g)
{
    const sg_kind *k = g->k;
    const sg_item *it;
    size_t i, nf = k->nfields;
    size_t *wd = calloc(nf ? nf : 1, sizeof *wd);
    if (!wd) {
        w->err = 1;
        return;
    }
    for (i = 0; i < nf; i++)
        wd[i] = min_width(&k->fields[i]);
    for (it = g->head; it; it = it->next)
        for (i = 0; i < nf; i++) {
            size_t cw = sg_cell(w, k->fields[i].type, &it->v[i]);
            if (cw > wd[i])
                wd[i] = cw;
        }
    w_header(w, k, wd, 0);
    w_emit(w);
    for (it = g->head; it; it = it->next) {
        w_row_line(w, k, it->v, wd, 0);
        w_emit(w);
    }
    sb_putc(&w->sb, '\n');
    w_emit(w);
    free(wd);
}

/* A bucket's range as bcc prints it, "lo -> hi" with hi inclusive:
 * lo into b, hi into h; an open end as "<hi" or ">=lo" in b alone. */
static void hist_label(sg_sb *b, sg_sb *h, const sg_kind *k, long long bucket)
{
    long long lo = 0, hi = 0;
    int m = sg_hist_bounds(k, bucket, &lo, &hi);
    if (m < 0)
        sg_sb_printf(b, "?%lld", bucket);
    else if (!(m & 1))
        sg_sb_printf(b, "<%lld", hi);
    else if (!(m & 2))
        sg_sb_printf(b, ">=%lld", lo);
    else {
        sb_ll(b, lo);
        sb_ll(h, hi - 1); /* hi > lo: no overflow */
    }
}

/* bcc's layout: "%10d -> %-10d : %-8d |%-40s|", the columns widened for
 * longer values (then the bar is 20 wide, as bcc's for 64-bit values). */
#define SG_HIST_NUMW 10
#define SG_HIST_CNTW 8
#define SG_HIST_BAR 40

typedef struct sg_hline {
    long long bucket, count;
    int tilde;
} sg_hline;

static void put_pad(sg_sb *b, const sg_sb *s, size_t w, int right)
{
    if (right)
        sb_rep(b, ' ', w - s->n);
    sb_put(b, s->p ? s->p : "", s->n);
    if (!right)
        sb_rep(b, ' ', w - s->n);
}

static void hist_table(sg_writer *w, const sg_kind *k, const sg_value *keys, const sg_hent *e,
                       size_t n)
{
    size_t i, nkeys = k->nfields - 2, nl = 0, nw = SG_HIST_NUMW, cw = SG_HIST_CNTW, bw, ul,
              first = n, last = 0;
    long long max = 0;
    sg_hline *ln;
    sg_sb hb = {NULL, 0, 0, 0};
    const char *unit;
    sb_puts(&w->sb, k->name);
    for (i = 0; i < nkeys; i++) {
        sb_putc(&w->sb, ' ');
        sb_puts(&w->sb, k->fields[i].name);
        sb_putc(&w->sb, '=');
        sg_cell(w, k->fields[i].type, &keys[i]);
        sb_put(&w->sb, w->tmp.p ? w->tmp.p : "", w->tmp.n);
    }
    sb_putc(&w->sb, '\n');
    for (i = 0; i < n; i++)
        if (e[i].count > 0) {
            if (first == n)
                first = i;
            last = i;
            if (e[i].count > max)
                max = e[i].count;
        }
    if (first == n) {
        sb_puts(&w->sb, "(no data)\n\n");
        w_emit(w);
        return;
    }
    /* at most 4 lines per entry: gap row, ~, gap row, the entry */
    ln = malloc((last - first + 1) * 4 * sizeof *ln);
    if (!ln) {
        w->err = 1;
        return;
    }
    for (i = first; i <= last; i++) {
        long long gap;
        if (e[i].count <= 0)
            continue;
        if (nl) {
            long long prev = ln[nl - 1].bucket;
            gap = e[i].bucket - prev - 1;
            if (gap > 0 && gap <= 3) {
                long long b;
                for (b = prev + 1; b < e[i].bucket; b++) {
                    ln[nl].bucket = b; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
                }
            } else if (gap > 3) {
                ln[nl].bucket = prev + 1; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
                ln[nl].bucket = 0; ln[nl].count = 0; ln[nl].tilde = 1; nl++;
                ln[nl].bucket = e[i].bucket - 1; ln[nl].count = 0; ln[nl].tilde = 0; nl++;
            }
        }
        ln[nl].bucket = e[i].bucket; ln[nl].count = e[i].count; ln[nl].tilde = 0; nl++;
    }
    /* ln[nl-1] is never a tilde, and "prev" above always reads a real row */
    for (i = 0; i < nl; i++) {
        if (ln[i].tilde)
            continue;
        w->tmp.n = 0;
        hb.n = 0;
        hist_label(&w->tmp, &hb, k, ln[i].bucket);
        if (w->tmp.n > nw)
            nw = w->tmp.n;
        if (hb.n > nw)
            nw = hb.n;
        w->tmp.n = 0;
        sb_ll(&w->tmp, ln[i].count);
        if (w->tmp.n > cw)
            cw = w->tmp.n;
    }
    bw = nw > SG_HIST_NUMW ? SG_HIST_BAR / 2 : SG_HIST_BAR;
    /* "     usecs               : count     distribution": the unit word
     * ends over the low ends (5 letters), "distribution" over the bar */
    unit = k->fields[nkeys].title ? k->fields[nkeys].title : "value";
    ul = strlen(unit);
    sb_rep(&w->sb, ' ', nw - 5);
    sb_puts(&w->sb, unit);
    sb_rep(&w->sb, ' ', ul < nw + 9 ? nw + 9 - ul : 0);
    sb_puts(&w->sb, " : count");
    sb_rep(&w->sb, ' ', cw - 3);
    sb_puts(&w->sb, "distribution\n");
    for (i = 0; i < nl; i++) {
        size_t bar;
        if (ln[i].tilde) {
            sb_rep(&w->sb, ' ', nw - 1);
            sb_puts(&w->sb, "~\n");
            continue;
        }
        w->tmp.n = 0;
        hb.n = 0;
        hist_label(&w->tmp, &hb, k, ln[i].bucket);
        put_pad(&w->sb, &w->tmp, nw, 1);
        sb_puts(&w->sb, hb.n ? " -> " : "    ");
        put_pad(&w->sb, &hb, nw, 0);
        sb_puts(&w->sb, " : ");
        w->tmp.n = 0;
        sb_ll(&w->tmp, ln[i].count);
        put_pad(&w->sb, &w->tmp, cw, 0);
        sb_puts(&w->sb, " |");
        /* scaled to the largest count; a count > 0 shows at least one star */
        bar = 0;
        if (ln[i].count > 0) {
            bar = (size_t)((double)ln[i].count * (double)bw / (double)max);
            if (bar < 1)
                bar = 1;
            if (bar > bw)
                bar = bw;
        }
        sb_rep(&w->sb, '*', bar);
        sb_rep(&w->sb, ' ', bw - bar);
        sb_puts(&w->sb, "|\n");
        w_emit(w);
    }
    sb_putc(&w->sb, '\n');
    if (hb.oom)
        w->sb.oom = 1;
    sg_sb_free(&hb);
    w_emit(w);
    free(ln);
}

static void table_block_begin(sg_writer *w)
{
    if (w->last_was_event)
        sb_putc(&w->sb, '\n');
    sb_puts(&w->sb, "== ");
    sg_block_label(w, &w->sb, "report");
    sb_puts(&w->sb, " ==\n");
    if (!w->ngroups)
        sb_putc(&w->sb, '\n');
    w_emit(w);
}

static void table_block_end(sg_writer *w)
{
    size_t i;
    /* the block pushed the event headers away */
    if (w->ks)
        for (i = 0; i < w->tool->nkinds; i++)
            w->ks[i].header_ok = 0;
    for (i = 0; i < w->nxk; i++)
        w->xk[i].st.header_ok = 0;
    w->last_was_event = 0;
}

const sg_fmt_ops sg_fmt_TABLE = {
    NULL, table_event, table_block_begin, table_rows, hist_table, table_block_end, NULL, NULL,
    /* times are printed as local time: their text parsed when printed */
    NULL, NULL, SG_RAW_TIME,
};
