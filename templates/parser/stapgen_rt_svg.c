/* stapgen_rt_svg.c - the svg writer: one self-contained flame graph SVG
 * (no scripts) of the folded stacks, printed at the end: one graph per
 * report block with stack rows and one for all stack events. */
#include "stapgen_rt_int.h"

/* one flame graph of the svg output */
typedef struct sg_svgsec {
    char *label;
    size_t llen;
    sg_fent *e; /* sorted */
    size_t n;
} sg_svgsec;

/* Each graph is drawn when its block ends, into a temporary file (or memory
 * if there is none), so that memory stays bounded by one block's stacks;
 * the document's header, which needs the total height, comes at the end. */
typedef struct sg_svg {
    sg_fold *fold;
    FILE *body;   /* the graphs so far, NULL: in mem */
    sg_sb mem;
    int body_tried;
    size_t ngraphs;
    double y;     /* where the next graph starts */
    int done;
} sg_svg;

#define SG_SVG_WIDTH 1200
#define SG_SVG_PAD 10       /* left and right margin */
#define SG_SVG_TOP 36       /* below the title */
#define SG_SVG_FRAME 16     /* frame row height (rect 15 + 1 gap) */
#define SG_SVG_FRAME_H 15   /* SG_SVG_FRAME - 1 */
#define SG_STR_(x) #x
#define SG_STR(x) SG_STR_(x)
#define SG_SVG_FONT 12
#define SG_SVG_CHAR 7.08    /* average glyph width at SG_SVG_FONT */
#define SG_SVG_MIN_PX 0.1   /* narrower frames are omitted */

typedef struct sg_frect {
    const char *name;
    size_t nlen, depth;     /* depth 0: the "all" root */
    long long start, count;
} sg_frect;

typedef struct sg_layout {
    sg_frect *r;
    size_t n, cap, maxdepth;
    long long total;
} sg_layout;

static int lay_push(sg_layout *l, const char *name, size_t nlen, size_t depth, long long start,
                    long long count)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        sg_frect *nr = nc > (size_t)-1 / sizeof *nr ? NULL : realloc(l->r, nc * sizeof *nr);
        if (!nr)
            return 0;
        l->r = nr;
        l->cap = nc;
    }
    l->r[l->n].name = name;
    l->r[l->n].nlen = nlen;
    l->r[l->n].depth = depth;
    l->r[l->n].start = start;
    l->r[l->n].count = count;
    l->n++;
    if (depth > l->maxdepth)
        l->maxdepth = depth;
    return 1;
}

typedef struct sg_open {
    const char *name;
    size_t nlen;
    long long start;
} sg_open;

/* Merges the sorted stacks of a section into frames (a frame spans the
 * consecutive stacks that share its prefix).  0 on allocation failure. */
static int svg_layout(const sg_svgsec *sec, sg_layout *l)
{
    sg_open *op = NULL;
    size_t nop = 0, opcap = 0, i;
    long long off = 0;
    double scale;
    int ok = 1;
    memset(l, 0, sizeof *l);
    for (i = 0; i < sec->n; i++)
        l->total = sg_sat_add(l->total, sec->e[i].count);
    scale = (SG_SVG_WIDTH - 2 * SG_SVG_PAD) / (double)l->total;
    for (i = 0; i <= sec->n && ok; i++) {
        const char *p = i < sec->n ? sec->e[i].s : NULL, *end = p ? p + sec->e[i].n : NULL, *q;
        size_t d = 0, fl;
        while (p && d < nop) {
            q = memchr(p, ';', (size_t)(end - p));
            fl = q ? (size_t)(q - p) : (size_t)(end - p);
            if (fl != op[d].nlen || memcmp(p, op[d].name, fl) != 0)
                break;
            d++;
            p = q ? q + 1 : NULL;
        }
        while (nop > d) {
            long long cnt = off - op[--nop].start;
            if ((double)cnt * scale >= SG_SVG_MIN_PX &&
                !lay_push(l, op[nop].name, op[nop].nlen, nop + 1, op[nop].start, cnt))
                ok = 0;
        }
        while (p && ok) {
            if (nop == opcap) {
                size_t nc = opcap ? opcap * 2 : 64;
                sg_open *no = realloc(op, nc * sizeof *no);
                if (!no) {
                    ok = 0;
                    break;
                }
                op = no;
                opcap = nc;
            }
            q = memchr(p, ';', (size_t)(end - p));
            op[nop].name = p;
            op[nop].nlen = q ? (size_t)(q - p) : (size_t)(end - p);
            op[nop].start = off;
            nop++;
            p = q ? q + 1 : NULL;
        }
        if (i < sec->n)
            off = sg_sat_add(off, sec->e[i].count);
    }
    free(op);
    if (ok && !lay_push(l, "all", 3, 0, 0, l->total))
        ok = 0;
    if (!ok) {
        free(l->r);
        memset(l, 0, sizeof *l);
    }
    return ok;
}

/* A non-negative coordinate with one decimal, independent of the locale. */
static void svg_num(sg_sb *b, double v)
{
    long long t = v > 0 ? (long long)(v * 10.0 + 0.5) : 0;
    sb_ll(b, t / 10);
    sb_putc(b, '.');
    sb_putc(b, (char)('0' + t % 10));
}

static void svg_frame(sg_sb *b, const sg_frect *f, long long total, double y)
{
    double scale = (SG_SVG_WIDTH - 2 * SG_SVG_PAD) / (double)total;
    double x = SG_SVG_PAD + (double)f->start * scale, wd = (double)f->count * scale;
    long long pct = (long long)((double)f->count * 10000.0 / (double)total + 0.5);
    unsigned long long h = sg_fnv1a(f->name, f->nlen) * 0x9E3779B97F4A7C15ull;
    int grey = f->nlen == 1 && f->name[0] == '-'; /* the user/kernel separator */
    size_t fit, cps = 0, i, cut = f->nlen, k = 0;
    sb_puts(b, "<g><title>");
    sg_xml_text(b, f->name, f->nlen);
    sb_puts(b, " (");
    sb_ll(b, f->count);
    sb_puts(b, f->count == 1 ? " sample, " : " samples, ");
    sb_ll(b, pct / 100);
    sb_putc(b, '.');
    sb_putc(b, (char)('0' + pct % 100 / 10));
    sb_putc(b, (char)('0' + pct % 10));
    sb_puts(b, "%)</title><rect x=\"");
    svg_num(b, x);
    sb_puts(b, "\" y=\"");
    svg_num(b, y);
    sb_puts(b, "\" width=\"");
    svg_num(b, wd);
    sb_puts(b, "\" height=\"" SG_STR(SG_SVG_FRAME_H) "\" rx=\"2\" ry=\"2\" fill=\"");
    if (grey)
        sb_puts(b, "rgb(160,160,160)");
    else
    {
        sb_puts(b, "rgb(");
        sb_ll(b, 205 + (long long)((h >> 56) & 0xFF) * 50 / 255);
        sb_putc(b, ',');
        sb_ll(b, (long long)((h >> 48) & 0xFF) * 230 / 255);
        sb_putc(b, ',');
        sb_ll(b, (long long)((h >> 40) & 0xFF) * 55 / 255);
        sb_putc(b, ')');
    }
    sb_puts(b, "\"/>");
    fit = (size_t)(wd / SG_SVG_CHAR);
    if (fit >= 3) {
        for (i = 0; i < f->nlen; i++)
            if (((unsigned char)f->name[i] & 0xC0u) != 0x80u) {
                if (cps == fit - 2)
                    k = i;
                cps++;
            }
        sb_puts(b, "<text x=\"");
        svg_num(b, x + 3);
        sb_puts(b, "\" y=\"");
        svg_num(b, y + 11.5);
        sb_puts(b, "\">");
        if (cps > fit)
            cut = k;
        sg_xml_text(b, f->name, cut);
        if (cut < f->nlen)
            sb_puts(b, "..");
        sb_puts(b, "</text>");
    }
    sb_puts(b, "</g>\n");
}

/* Appends b's text to the graphs drawn so far and empties b. */
static void body_put(sg_writer *w, sg_svg *s, sg_sb *b)
{
    if (b->oom)
        w->err = 1;
    if (!s->body_tried) {
        s->body_tried = 1;
        s->body = tmpfile();
    }
    if (s->body) {
        if (b->n && fwrite(b->p, 1, b->n, s->body) != b->n)
            w->err = 1;
    } else {
        sb_put(&s->mem, b->p, b->n);
        if (s->mem.oom)
            w->err = 1;
    }
    b->n = 0;
    b->oom = 0;
}

/* Draws the stacks of m (emptied) as the next graph, titled label. */
static void svg_graph(sg_writer *w, sg_svg *s, sg_fmap *m, const char *label, size_t llen)
{
    sg_svgsec sec;
    sg_layout l;
    sg_sb b = {NULL, 0, 0, 0};
    double y = s->ngraphs ? s->y : SG_SVG_TOP, gy = y + 24;
    size_t j;
    sg_fmap_sort(m);
    sec.label = NULL;
    sec.llen = 0;
    sec.e = m->e;
    sec.n = m->n;
    if (!svg_layout(&sec, &l))
        w->err = 1;
    sb_puts(&b, "<text x=\"" SG_STR(SG_SVG_PAD) "\" y=\"");
    svg_num(&b, y + 16);
    sb_puts(&b, "\">");
    sg_xml_text(&b, label, llen);
    sg_sb_printf(&b, " (%lld sample%s)</text>\n", l.total, l.total == 1 ? "" : "s");
    for (j = 0; j < l.n; j++) {
        svg_frame(&b, &l.r[j], l.total, gy + (double)(l.maxdepth - l.r[j].depth) * SG_SVG_FRAME);
        if (b.n >= SG_OUT_CHUNK)
            body_put(w, s, &b);
    }
    body_put(w, s, &b);
    sg_sb_free(&b);
    free(l.r);
    s->y = gy + (double)(l.maxdepth + 1) * SG_SVG_FRAME + 12;
    s->ngraphs++;
    sg_fmap_clear(m);
}

/* The whole document: header, the graphs drawn, end. */
static void svg_render(sg_writer *w, sg_svg *s)
{
    sg_sb *b = &w->sb;
    double height = s->ngraphs ? s->y : SG_SVG_TOP + 44;
    const char *title = w->tool && w->tool->name ? w->tool->name : "stapgen";
    sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    sg_sb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"",
              SG_SVG_WIDTH);
    svg_num(b, height);
    sg_sb_printf(b, "\" viewBox=\"0 0 %d ", SG_SVG_WIDTH);
    svg_num(b, height);
    sg_sb_printf(b, "\" font-family=\"Verdana, sans-serif\" font-size=\"%d\">\n", SG_SVG_FONT);
    sg_sb_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"", SG_SVG_WIDTH);
    svg_num(b, height);
    sb_puts(b, "\" fill=\"rgb(248,248,238)\"/>\n");
    sg_sb_printf(b, "<text x=\"%d\" y=\"24\" font-size=\"17\" text-anchor=\"middle\">",
              SG_SVG_WIDTH / 2);
    sg_xml_text(b, title, strlen(title));
    sb_puts(b, "</text>\n");
    if (!s->ngraphs)
        sg_sb_printf(b, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">no stack samples</text>\n",
                  SG_SVG_WIDTH / 2, SG_SVG_TOP + 24);
    sg_out_write(w);
    if (s->body) {
        char buf[1 << 16];
        size_t n;
        if (fflush(s->body) != 0 || fseek(s->body, 0, SEEK_SET) != 0)
            w->err = 1;
        while ((n = fread(buf, 1, sizeof buf, s->body)) > 0)
            fwrite(buf, 1, n, w->out);
        if (ferror(s->body))
            w->err = 1;
    } else if (s->mem.n) {
        fwrite(s->mem.p, 1, s->mem.n, w->out);
    }
    sb_puts(b, "</svg>\n");
    w_emit(w);
}

/* The graph of the open report block: "<report> <local time>". */
static void svg_block(sg_writer *w)
{
    sg_svg *s = w->fst;
    sg_sb label = {NULL, 0, 0, 0};
    sg_fmap *m;
    if (!s)
        return;
    m = sg_fold_block(s->fold);
    if (!m->n)
        return;
    sg_block_label(w, &label, "report");
    if (label.oom)
        w->err = 1;
    svg_graph(w, s, m, label.p ? label.p : "", label.n);
    sg_sb_free(&label);
}

static sg_svg *svg_state(sg_writer *w)
{
    sg_svg *s = w->fst;
    if (!s) {
        s = calloc(1, sizeof *s);
        if (s && !(s->fold = sg_fold_new())) {
            free(s);
            s = NULL;
        }
        w->fst = s;
    }
    return s;
}

static void svg_record(sg_writer *w, const sg_kind *k, const sg_value *v)
{
    sg_svg *s = svg_state(w);
    sg_fold_record(w, s ? s->fold : NULL, k, v);
}

static void svg_finish(sg_writer *w)
{
    sg_svg *s = svg_state(w);
    sg_fmap *m;
    if (!s) {
        w->err = 1;
        return;
    }
    if (s->done)
        return;
    m = sg_fold_events(s->fold);
    if (m->n)
        svg_graph(w, s, m, "events", 6);
    svg_render(w, s);
    s->done = 1;
}

static void svg_free(sg_writer *w)
{
    sg_svg *s = w->fst;
    if (!s)
        return;
    if (s->body)
        fclose(s->body);
    sg_sb_free(&s->mem);
    sg_fold_free(s->fold);
    free(s);
    w->fst = NULL;
}

const sg_fmt_ops sg_fmt_SVG = {
    svg_record, NULL, svg_block, NULL, NULL, NULL, svg_finish, svg_free,
};
