/* stapgen_rt_svg.c - the svg writer: one self-contained, interactive flame
 * graph SVG of the folded stacks (inline script and style, nothing
 * external), printed at the end: one graph per report block with stack rows
 * and one for all stack events.  Also the standalone graphs from folded
 * files (sg_svg_folded): one file, or the difference of two.
 *
 * Frames are <g class="f K" data-d=DEPTH data-s=START data-n=COUNT> with a
 * <title> "name (details)", a <rect> and a <text> (when wide enough); K is
 * r (the root), u (user), k (kernel) or s (the "-" separator).  The script
 * reads frame names as text (textContent) only: it never builds code or
 * markup from them. */
#if !defined(_POSIX_C_SOURCE) && !defined(_XOPEN_SOURCE) && !defined(_GNU_SOURCE) && \
    !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L /* getline */
#endif
#include "stapgen_rt_int.h"

#include <errno.h>

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
    int diff;     /* frames carry count2 (the first file's) */
    const char *unit; /* "samples" or what COUNT counts */
    int timed;    /* COUNT is time: off-CPU palette */
    long long scaled_from; /* --normalize: the first file's own total, else -1 */
} sg_svg;

#define SG_SVG_WIDTH 1200
#define SG_SVG_MIN_WIDTH 100
#define SG_SVG_MAX_WIDTH 1000000
#define SG_SVG_PAD 10       /* left and right margin */
#define SG_SVG_TOP 36       /* below the title */
#define SG_SVG_SUB 18       /* more of it for a subtitle */
#define SG_SVG_FOOT 22      /* the details line below the graphs */
#define SG_SVG_FRAME 16     /* frame row height (rect 15 + 1 gap) */
#define SG_SVG_FRAME_H 15   /* SG_SVG_FRAME - 1 */
#define SG_STR_(x) #x
#define SG_STR(x) SG_STR_(x)
#define SG_SVG_FONT 12
#define SG_SVG_CHAR 7.08    /* average glyph width at SG_SVG_FONT (the script's CW) */
#define SG_SVG_MIN_PX 0.1   /* narrower frames are omitted */

static int svg_width(const sg_writer *w)
{
    int wd = w->svgo.width;
    if (wd <= 0)
        return SG_SVG_WIDTH;
    return wd < SG_SVG_MIN_WIDTH ? SG_SVG_MIN_WIDTH : wd > SG_SVG_MAX_WIDTH ? SG_SVG_MAX_WIDTH : wd;
}

/* Sums of counts: each stack's count is at most INT64_MAX (summed
 * saturating), but a graph's total and its frames' offsets can pass it; in
 * 64 bits the offsets saturated and every frame after that point had width
 * 0 and was dropped.  128 bits hold any sum of up to 2^64 stacks exactly. */
typedef struct sg_u128 {
    unsigned long long hi, lo;
} sg_u128;

static sg_u128 u_add(sg_u128 a, long long b)
{
    unsigned long long ub = b > 0 ? (unsigned long long)b : 0;
    a.lo += ub;
    if (a.lo < ub)
        a.hi++;
    return a;
}

/* a - b, a >= b */
static sg_u128 u_sub(sg_u128 a, sg_u128 b)
{
    sg_u128 r;
    r.lo = a.lo - b.lo;
    r.hi = a.hi - b.hi - (a.lo < b.lo);
    return r;
}

static int u_cmp(sg_u128 a, sg_u128 b)
{
    if (a.hi != b.hi)
        return a.hi < b.hi ? -1 : 1;
    return a.lo < b.lo ? -1 : a.lo > b.lo;
}

static int u_zero(sg_u128 a) { return !a.hi && !a.lo; }
static double u_dbl(sg_u128 a) { return (double)a.hi * 18446744073709551616.0 + (double)a.lo; }

/* the decimal digits of a */
static void sb_u128(sg_sb *b, sg_u128 a)
{
    char d[48];
    size_t n = 0;
    if (!a.hi && a.lo <= (unsigned long long)LLONG_MAX) {
        sb_ll(b, (long long)a.lo);
        return;
    }
    do { /* divide by 10 in 32-bit limbs */
        unsigned long long l[4] = {a.hi >> 32, a.hi & 0xFFFFFFFFu, a.lo >> 32, a.lo & 0xFFFFFFFFu};
        unsigned long long r = 0;
        int i;
        for (i = 0; i < 4; i++) {
            unsigned long long cur = (r << 32) | l[i];
            l[i] = cur / 10;
            r = cur % 10;
        }
        a.hi = l[0] << 32 | l[1];
        a.lo = l[2] << 32 | l[3];
        d[n++] = (char)('0' + r);
    } while (!u_zero(a));
    while (n)
        sb_putc(b, d[--n]);
}

typedef struct sg_frect {
    const char *name;
    size_t nlen, depth;     /* depth 0: the "all" root; nlen without "_[k]" */
    sg_u128 start, count, count2;
    int kernel;
} sg_frect;

typedef struct sg_layout {
    sg_frect *r;
    size_t n, cap, maxdepth;
    sg_u128 total, total2;
    double maxdelta;
} sg_layout;

static int lay_push(sg_layout *l, const sg_frect *f)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 256;
        sg_frect *nr = nc > (size_t)-1 / sizeof *nr ? NULL : realloc(l->r, nc * sizeof *nr);
        if (!nr)
            return 0;
        l->r = nr;
        l->cap = nc;
    }
    l->r[l->n++] = *f;
    if (f->depth > l->maxdepth)
        l->maxdepth = f->depth;
    return 1;
}

typedef struct sg_open {
    const char *name;
    size_t nlen;
    sg_u128 start, start2;
    int kernel;
} sg_open;

/* A frame name ends with "_[k]": a kernel frame (the folded convention). */
static int kname(const char *s, size_t n)
{
    return n > 4 && memcmp(s + n - 4, "_[k]", 4) == 0;
}

static int is_sep(const char *s, size_t n) { return n == 1 && s[0] == '-'; }

static double abs_delta(sg_u128 a, sg_u128 b)
{
    return u_cmp(a, b) >= 0 ? u_dbl(u_sub(a, b)) : u_dbl(u_sub(b, a));
}

/* Merges the sorted stacks e[0, n) into frames (a frame spans the
 * consecutive stacks that share its prefix).  A frame is the kernel's if
 * its name ends with "_[k]" or it is above a "-" frame or a kernel frame.
 * 0 on allocation failure. */
static int svg_layout(const sg_fent *e, size_t n, double px, sg_layout *l)
{
    sg_open *op = NULL;
    size_t nop = 0, opcap = 0, i;
    sg_u128 off = {0, 0}, off2 = {0, 0};
    double scale;
    int ok = 1;
    sg_frect fr;
    memset(l, 0, sizeof *l);
    for (i = 0; i < n; i++) {
        l->total = u_add(l->total, e[i].count);
        l->total2 = u_add(l->total2, e[i].count2);
    }
    scale = !u_zero(l->total) ? px / u_dbl(l->total) : 0;
    for (i = 0; i <= n && ok; i++) {
        const char *p = i < n ? e[i].s : NULL, *end = p ? p + e[i].n : NULL, *q;
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
            const sg_open *o = &op[--nop];
            fr.count = u_sub(off, o->start);
            fr.count2 = u_sub(off2, o->start2);
            if (!u_zero(fr.count) && u_dbl(fr.count) * scale >= SG_SVG_MIN_PX) {
                fr.name = o->name;
                fr.nlen = o->nlen;
                fr.kernel = o->kernel;
                if (kname(o->name, o->nlen))
                    fr.nlen -= 4;
                fr.depth = nop + 1;
                fr.start = o->start;
                if (abs_delta(fr.count, fr.count2) > l->maxdelta)
                    l->maxdelta = abs_delta(fr.count, fr.count2);
                if (!lay_push(l, &fr))
                    ok = 0;
            }
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
            op[nop].start2 = off2;
            op[nop].kernel = kname(p, op[nop].nlen) ||
                             (nop && (op[nop - 1].kernel || is_sep(op[nop - 1].name, op[nop - 1].nlen)));
            if (is_sep(p, op[nop].nlen))
                op[nop].kernel = 0;
            nop++;
            p = q ? q + 1 : NULL;
        }
        if (i < n) {
            off = u_add(off, e[i].count);
            off2 = u_add(off2, e[i].count2);
        }
    }
    free(op);
    fr.name = "all";
    fr.nlen = 3;
    fr.depth = 0;
    fr.start.hi = fr.start.lo = 0;
    fr.count = l->total;
    fr.count2 = l->total2;
    fr.kernel = 0;
    if (abs_delta(fr.count, fr.count2) > l->maxdelta)
        l->maxdelta = abs_delta(fr.count, fr.count2);
    if (ok && !lay_push(l, &fr))
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

/* "N samples" / "1 sample" / "N us" */
static void svg_amount(sg_sb *b, const sg_svg *s, sg_u128 n)
{
    sb_u128(b, n);
    if (strcmp(s->unit, "samples") == 0) {
        sb_puts(b, !n.hi && n.lo == 1 ? " sample" : " samples");
    } else {
        sb_putc(b, ' ');
        sg_xml_text(b, s->unit, strlen(s->unit));
    }
}

/* p = part of total in hundredths of a percent, "12.34%" */
static void svg_pct(sg_sb *b, sg_u128 part, sg_u128 total)
{
    long long pct = !u_zero(total) ? (long long)(u_dbl(part) * 10000.0 / u_dbl(total) + 0.5) : 0;
    sb_ll(b, pct / 100);
    sb_putc(b, '.');
    sb_putc(b, (char)('0' + pct % 100 / 10));
    sb_putc(b, (char)('0' + pct % 10));
    sb_putc(b, '%');
}

static void svg_rgb(sg_sb *b, long long r, long long g, long long bl)
{
    sb_puts(b, "rgb(");
    sb_ll(b, r);
    sb_putc(b, ',');
    sb_ll(b, g);
    sb_putc(b, ',');
    sb_ll(b, bl);
    sb_putc(b, ')');
}

/* Palettes: on-CPU user frames red to yellow, kernel frames aqua; off-CPU
 * (COUNT is time) user frames blue, kernel frames purple; the separator grey;
 * --diff white to red (grew) or blue (shrank) by the change. */
static void svg_fill(sg_sb *b, const sg_svg *s, const sg_frect *f, const sg_layout *l, char cls)
{
    unsigned long long h = sg_fnv1a(f->name, f->nlen) * 0x9E3779B97F4A7C15ull;
    long long h1 = (long long)((h >> 56) & 0xFF), h2 = (long long)((h >> 48) & 0xFF),
              h3 = (long long)((h >> 40) & 0xFF);
    if (cls == 's') {
        sb_puts(b, "rgb(160,160,160)");
    } else if (s->diff) {
        double d = abs_delta(f->count, f->count2);
        long long v = l->maxdelta > 0 ? 250 - (long long)(d * 200.0 / l->maxdelta + 0.5) : 250;
        int c = u_cmp(f->count, f->count2);
        if (c > 0)
            svg_rgb(b, 255, v, v);
        else if (c < 0)
            svg_rgb(b, v, v, 255);
        else
            svg_rgb(b, 250, 250, 250);
    } else if (s->timed) {
        if (cls == 'k')
            svg_rgb(b, 150 + h1 * 50 / 255, 90 + h2 * 40 / 255, 200 + h3 * 55 / 255);
        else
            svg_rgb(b, 70 + h1 * 60 / 255, 110 + h2 * 60 / 255, 200 + h3 * 55 / 255);
    } else if (cls == 'k') {
        svg_rgb(b, 40 + h1 * 70 / 255, 170 + h2 * 50 / 255, 170 + h3 * 50 / 255);
    } else {
        svg_rgb(b, 205 + h1 * 50 / 255, h2 * 230 / 255, h3 * 55 / 255);
    }
}

static void svg_frame(sg_sb *b, const sg_svg *s, const sg_frect *f, const sg_layout *l, double y,
                      double px)
{
    double scale = px / u_dbl(l->total);
    double x = SG_SVG_PAD + u_dbl(f->start) * scale, wd = u_dbl(f->count) * scale;
    char cls = f->depth == 0 ? 'r' : is_sep(f->name, f->nlen) ? 's' : f->kernel ? 'k' : 'u';
    size_t fit, cps = 0, i, cut = f->nlen, k = 0;
    sb_puts(b, "<g class=\"f ");
    sb_putc(b, cls);
    sb_puts(b, "\" data-d=\"");
    sb_ll(b, (long long)f->depth);
    sb_puts(b, "\" data-s=\"");
    sb_u128(b, f->start);
    sb_puts(b, "\" data-n=\"");
    sb_u128(b, f->count);
    sb_puts(b, "\"><title>");
    sg_xml_text(b, f->name, f->nlen);
    sb_puts(b, " (");
    svg_amount(b, s, f->count);
    sb_puts(b, ", ");
    svg_pct(b, f->count, l->total);
    if (s->diff) {
        sb_puts(b, "; before: ");
        sb_u128(b, f->count2);
        sb_puts(b, ", ");
        if (u_cmp(f->count, f->count2) >= 0) {
            sb_putc(b, '+');
            sb_u128(b, u_sub(f->count, f->count2));
        } else {
            sb_putc(b, '-');
            sb_u128(b, u_sub(f->count2, f->count));
        }
    }
    if (cls == 'k')
        sb_puts(b, ", kernel");
    sb_puts(b, ")</title><rect x=\"");
    svg_num(b, x);
    sb_puts(b, "\" y=\"");
    svg_num(b, y);
    sb_puts(b, "\" width=\"");
    svg_num(b, wd);
    sb_puts(b, "\" height=\"" SG_STR(SG_SVG_FRAME_H) "\" rx=\"2\" ry=\"2\" fill=\"");
    svg_fill(b, s, f, l, cls);
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

static double svg_top(const sg_writer *w)
{
    return SG_SVG_TOP + (w->svgo.subtitle ? SG_SVG_SUB : 0);
}

/* Draws the stacks of m (emptied) as the next graph, titled label. */
static void svg_graph(sg_writer *w, sg_svg *s, sg_fmap *m, const char *label, size_t llen)
{
    sg_layout l;
    sg_sb b = {NULL, 0, 0, 0};
    int width = svg_width(w);
    double px = width - 2 * SG_SVG_PAD;
    double y = s->ngraphs ? s->y : svg_top(w), gy = y + 24;
    size_t j;
    sg_fold_sort(s->fold, m); /* a map of s->fold, or one of its own */
    if (!svg_layout(m->e, m->n, px, &l))
        w->err = 1;
    sb_puts(&b, "<g class=\"graph\" data-t=\"");
    sb_u128(&b, l.total);
    sb_puts(&b, "\">\n<text class=\"label\" x=\"" SG_STR(SG_SVG_PAD) "\" y=\"");
    svg_num(&b, y + 16);
    sb_puts(&b, "\">");
    sg_xml_text(&b, label, llen);
    sb_puts(&b, " (");
    svg_amount(&b, s, l.total);
    if (s->diff) {
        sb_puts(&b, "; before: ");
        svg_amount(&b, s, l.total2);
        if (s->scaled_from >= 0) {
            sb_puts(&b, ", scaled from ");
            sb_ll(&b, s->scaled_from);
        }
    }
    sb_puts(&b, ")</text><text class=\"match\" x=\"");
    sb_ll(&b, width - SG_SVG_PAD);
    sb_puts(&b, "\" y=\"");
    svg_num(&b, y + 16);
    sb_puts(&b, "\" text-anchor=\"end\"></text>\n");
    for (j = 0; j < l.n && !u_zero(l.total); j++) {
        double d = w->svgo.inverted ? (double)l.r[j].depth : (double)(l.maxdepth - l.r[j].depth);
        svg_frame(&b, s, &l.r[j], &l, gy + d * SG_SVG_FRAME, px);
        if (b.n >= SG_OUT_CHUNK)
            body_put(w, s, &b);
    }
    sb_puts(&b, "</g>\n");
    body_put(w, s, &b);
    sg_sb_free(&b);
    free(l.r);
    s->y = gy + (double)(l.maxdepth + 1) * SG_SVG_FRAME + 12;
    s->ngraphs++;
    sg_fmap_clear(m);
}

/* The script: zoom (click a frame; Reset Zoom, Escape or the root frame
 * resets), search (the Search button, Ctrl-F or '/': a regular expression,
 * or a substring if it is not one; matches magenta, "Matched: P%" per
 * graph), the details line (the frame under the pointer). */
static const char *const svg_script[] = {
    "(function () {\n",
    "'use strict';\n",
    "var svg = (document.currentScript && document.currentScript.ownerSVGElement) || document.documentElement;\n",
    "var W = +svg.getAttribute('width'), PAD = 10, CW = 7.08, HIT = 'rgb(230,0,230)';\n",
    "var NS = 'http://www.w3.org/2000/svg';\n",
    "var details = svg.querySelector('.details'), resetb = svg.querySelector('.reset');\n",
    "var searchb = svg.querySelector('.search'), graphs = [], term = '';\n",
    "function fname(g) {\n",
    "  var t = g.querySelector('title').textContent, i = t.lastIndexOf(' (');\n",
    "  return i < 0 ? t : t.slice(0, i);\n",
    "}\n",
    "function label(f, x, w) {\n",
    "  var n = Math.floor(w / CW), cs = Array.from(f.name), s = '';\n",
    "  if (n >= 3) s = cs.length > n ? cs.slice(0, n - 2).join('') + '..' : f.name;\n",
    "  if (!f.t && s) {\n",
    "    f.t = document.createElementNS(NS, 'text');\n",
    "    f.t.setAttribute('y', (+f.r.getAttribute('y') + 11.5).toFixed(1));\n",
    "    f.g.appendChild(f.t);\n",
    "  }\n",
    "  if (f.t) {\n",
    "    f.t.setAttribute('x', (x + 3).toFixed(1));\n",
    "    f.t.textContent = s;\n",
    "  }\n",
    "}\n",
    "function show(G, z) {\n",
    "  var sc = (W - 2 * PAD) / z.n;\n",
    "  G.frames.forEach(function (f) {\n",
    "    var anc = f.d < z.d && f.s <= z.s && f.s + f.n >= z.s + z.n;\n",
    "    var inz = f.d >= z.d && f.s >= z.s && f.s + f.n <= z.s + z.n;\n",
    "    var x = anc ? PAD : PAD + (f.s - z.s) * sc, w = anc ? W - 2 * PAD : f.n * sc;\n",
    "    if (!(anc || inz) || w < 0.1) {\n",
    "      f.g.style.display = 'none';\n",
    "      return;\n",
    "    }\n",
    "    f.g.style.display = '';\n",
    "    f.g.classList.toggle('p', anc);\n",
    "    f.r.setAttribute('x', x.toFixed(1));\n",
    "    f.r.setAttribute('width', w.toFixed(1));\n",
    "    label(f, x, w);\n",
    "  });\n",
    "  G.z = z;\n",
    "  G.el.classList.toggle('zoomed', z.d > 0);\n",
    "  resetb.style.display = graphs.some(function (H) { return H.z && H.z.d > 0; }) ? '' : 'none';\n",
    "}\n",
    "function search(t) {\n",
    "  var re = null;\n",
    "  term = t || '';\n",
    "  if (term) {\n",
    "    try { re = new RegExp(term); } catch (e) { re = null; }\n",
    "  }\n",
    "  graphs.forEach(function (G) {\n",
    "    var hits = [], sum = 0, end = -Infinity;\n",
    "    G.frames.forEach(function (f) {\n",
    "      var hit = term !== '' && f.d > 0 && (re ? re.test(f.name) : f.name.indexOf(term) >= 0);\n",
    "      f.r.setAttribute('fill', hit ? HIT : f.fill);\n",
    "      f.g.classList.toggle('hit', hit);\n",
    "      if (hit) hits.push(f);\n",
    "    });\n",
    "    hits.sort(function (a, b) { return a.s - b.s || b.n - a.n; });\n",
    "    hits.forEach(function (f) {\n",
    "      var e = f.s + f.n;\n",
    "      if (f.s >= end) { sum += f.n; end = e; } else if (e > end) { sum += e - end; end = e; }\n",
    "    });\n",
    "    G.m.textContent = term ? 'Matched: ' + (G.total > 0 ? 100 * sum / G.total : 0).toFixed(2) + '%' : '';\n",
    "  });\n",
    "  searchb.textContent = term ? 'Clear search' : 'Search';\n",
    "}\n",
    "function reset() {\n",
    "  graphs.forEach(function (G) { if (G.root) show(G, G.root); });\n",
    "}\n",
    "Array.prototype.forEach.call(svg.querySelectorAll('g.graph'), function (gr) {\n",
    "  var G = { el: gr, total: +gr.getAttribute('data-t'), m: gr.querySelector('.match'), frames: [], z: null };\n",
    "  Array.prototype.forEach.call(gr.querySelectorAll('g.f'), function (g) {\n",
    "    var f = { g: g, r: g.querySelector('rect'), t: g.querySelector('text'), name: fname(g),\n",
    "              d: +g.getAttribute('data-d'), s: +g.getAttribute('data-s'), n: +g.getAttribute('data-n') };\n",
    "    f.fill = f.r.getAttribute('fill');\n",
    "    if (f.d === 0) G.root = f;\n",
    "    G.frames.push(f);\n",
    "    g.addEventListener('click', function () { show(G, f); });\n",
    "    g.addEventListener('mouseover', function () { details.textContent = g.querySelector('title').textContent; });\n",
    "    g.addEventListener('mouseout', function () { details.textContent = ' '; });\n",
    "  });\n",
    "  graphs.push(G);\n",
    "});\n",
    "resetb.addEventListener('click', reset);\n",
    "searchb.addEventListener('click', function () {\n",
    "  if (term) {\n",
    "    search('');\n",
    "    return;\n",
    "  }\n",
    "  var t = window.prompt('Search frames (regular expression, or substring if it is none):', '');\n",
    "  if (t !== null) search(t);\n",
    "});\n",
    "svg.ownerDocument.addEventListener('keydown', function (e) {\n",
    "  if (((e.ctrlKey || e.metaKey) && e.key === 'f') || e.key === '/') {\n",
    "    e.preventDefault();\n",
    "    searchb.dispatchEvent(new MouseEvent('click'));\n",
    "  } else if (e.key === 'Escape') {\n",
    "    reset();\n",
    "    search('');\n",
    "  }\n",
    "});\n",
    "})();\n",
};

static const char svg_style[] =
    "<style>\n"
    ".f{cursor:pointer}.f:hover rect{stroke:#000;stroke-width:0.5}.f text{pointer-events:none}\n"
    ".p rect{fill-opacity:0.5}.btn{cursor:pointer;fill:#2060a0}.btn:hover{text-decoration:underline}\n"
    ".sub{fill:#606060}.match{fill:#606060}.details{fill:#303030}\n"
    "</style>\n";

/* The whole document: header, the graphs drawn, end. */
static void svg_render(sg_writer *w, sg_svg *s)
{
    sg_sb *b = &w->sb;
    int width = svg_width(w);
    double height = (s->ngraphs ? s->y : svg_top(w) + 44) + SG_SVG_FOOT;
    const char *title = w->svgo.title         ? w->svgo.title
                        : w->tool && w->tool->name ? w->tool->name
                                                   : "stapgen";
    size_t i;
    sb_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
    sg_sb_printf(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" height=\"",
                 width);
    svg_num(b, height);
    sg_sb_printf(b, "\" viewBox=\"0 0 %d ", width);
    svg_num(b, height);
    sg_sb_printf(b, "\" font-family=\"Verdana, sans-serif\" font-size=\"%d\">\n", SG_SVG_FONT);
    sb_puts(b, svg_style);
    sg_sb_printf(b, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"", width);
    svg_num(b, height);
    sb_puts(b, "\" fill=\"rgb(248,248,238)\"/>\n");
    sg_sb_printf(b, "<text class=\"title\" x=\"%d\" y=\"24\" font-size=\"17\" text-anchor=\"middle\">",
                 width / 2);
    sg_xml_text(b, title, strlen(title));
    sb_puts(b, "</text>\n");
    if (w->svgo.subtitle) {
        sg_sb_printf(b, "<text class=\"sub\" x=\"%d\" y=\"42\" text-anchor=\"middle\">", width / 2);
        sg_xml_text(b, w->svgo.subtitle, strlen(w->svgo.subtitle));
        sb_puts(b, "</text>\n");
    }
    sb_puts(b, "<text class=\"btn reset\" x=\"" SG_STR(SG_SVG_PAD)
               "\" y=\"24\" style=\"display:none\">Reset Zoom</text>\n");
    sg_sb_printf(b, "<text class=\"btn search\" x=\"%d\" y=\"24\" text-anchor=\"end\">Search</text>\n",
                 width - SG_SVG_PAD);
    if (!s->ngraphs) {
        sg_sb_printf(b, "<text x=\"%d\" y=\"", width / 2);
        svg_num(b, svg_top(w) + 24);
        sb_puts(b, "\" text-anchor=\"middle\">no stack samples</text>\n");
    }
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
    sb_puts(b, "<text class=\"details\" x=\"" SG_STR(SG_SVG_PAD) "\" y=\"");
    svg_num(b, height - 8);
    sb_puts(b, "\"> </text>\n<script type=\"text/ecmascript\"><![CDATA[\n");
    for (i = 0; i < sizeof svg_script / sizeof svg_script[0]; i++)
        sb_puts(b, svg_script[i]);
    sb_puts(b, "]]></script>\n</svg>\n");
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

/* What COUNT counts: the option, else samples.  Time: off-CPU palette. */
static void svg_unit(const sg_writer *w, sg_svg *s)
{
    static const char *const units[] = {"s", "ms", "us", "ns"};
    size_t u;
    s->unit = w->svgo.unit && *w->svgo.unit ? w->svgo.unit : "samples";
    s->timed = 0;
    for (u = 0; u < sizeof units / sizeof units[0]; u++)
        if (strcmp(s->unit, units[u]) == 0)
            s->timed = 1;
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
        if (s) {
            sg_fold_kmark(s->fold);
            svg_unit(w, s);
        }
        w->fst = s;
    }
    return s;
}

static sg_fold *svg_fold(sg_writer *w)
{
    sg_svg *s = svg_state(w);
    return s ? s->fold : NULL;
}

static void svg_opts(sg_writer *w)
{
    if (w->fst)
        svg_unit(w, w->fst);
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
    svg_record, NULL, svg_block, NULL, NULL, NULL, svg_finish, svg_free, svg_fold, svg_opts, 0,
};

/* ---- flame graphs of folded files ---- */

/* Reads "frame;...;frame COUNT" lines into m (count, or count2 if second).
 * Blank lines are skipped; other lines without a COUNT > 0 after the last
 * blank are dropped and reported.  Returns the lines dropped, or -1 on a
 * read error or allocation failure. */
static long folded_read(FILE *in, const char *name, sg_fmap *m, int second, FILE *diag)
{
    char *line = NULL;
    size_t cap = 0, lineno = 0;
    ssize_t got;
    long dropped = 0;
    int ret = 0;
    while ((got = getline(&line, &cap, in)) >= 0) {
        size_t n = (size_t)got, sp, i;
        long long c = 0;
        const char *why = NULL;
        lineno++;
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
                     line[n - 1] == '\t'))
            n--;
        if (!n)
            continue;
        for (sp = n; sp > 0 && line[sp - 1] != ' ' && line[sp - 1] != '\t'; sp--)
            ;
        if (sp == 0 || sp == n) {
            why = "no 'stack COUNT'";
        } else {
            for (i = sp; i < n && !why; i++) {
                if (line[i] < '0' || line[i] > '9')
                    why = "COUNT is not a whole number";
                else if (c > (LLONG_MAX - (line[i] - '0')) / 10)
                    why = "COUNT too large";
                else
                    c = c * 10 + (line[i] - '0');
            }
            if (!why && c <= 0)
                why = "COUNT is 0";
        }
        if (!why) {
            size_t e = sp - 1;
            while (e > 0 && (line[e - 1] == ' ' || line[e - 1] == '\t'))
                e--;
            if (!e)
                why = "empty stack";
            else if (sg_fmap_add(m, line, e, second ? 0 : c, second ? c : 0) == (size_t)-1)
                ret = -1;
        }
        if (why) {
            if (diag && dropped < SG_DIAG_MAX) {
                char snip[SG_SNIP_MAX * 4 + 8];
                sg_snip(snip, sizeof snip, line, n);
                fprintf(diag, "%s:%lu: dropped: %s: %s\n", name, (unsigned long)lineno, why, snip);
            }
            dropped++;
        }
        if (ret < 0)
            break;
    }
    if (ferror(in))
        ret = -1;
    free(line);
    return ret < 0 ? -1 : dropped;
}

int sg_svg_folded(FILE *out, const sg_svg_opts *o, FILE *a, const char *aname, FILE *b,
                  const char *bname, FILE *diag)
{
    sg_writer *w = sg_writer_new(out, NULL, SG_FMT_SVG);
    sg_fmap m;
    sg_svg *s;
    long da, db = 0;
    int rc = 0;
    if (!w)
        return 1;
    if (o)
        sg_writer_svg(w, o);
    s = svg_state(w);
    if (!s) {
        sg_writer_free(w);
        return 1;
    }
    memset(&m, 0, sizeof m);
    /* --diff: the first file's counts are count2, the second's count */
    da = folded_read(a, aname, &m, b != NULL, diag);
    if (b)
        db = folded_read(b, bname, &m, 0, diag);
    if (da < 0 || db < 0) {
        if (diag)
            fprintf(diag, "%s: read error or out of memory\n", da < 0 ? aname : bname);
        rc = 1;
    } else if (da || db) {
        rc = 3;
    }
    /* stacks only in the first file have no width, but their counts are
     * part of their callers' "before" */
    s->diff = b != NULL;
    s->scaled_from = -1;
    if (b && o && o->normalize) {
        long long ta = 0, tb = 0;
        size_t i;
        for (i = 0; i < m.n; i++) {
            ta = sg_sat_add(ta, m.e[i].count2);
            tb = sg_sat_add(tb, m.e[i].count);
        }
        if (ta > 0 && tb > 0) {
            double f = (double)tb / (double)ta;
            for (i = 0; i < m.n; i++) {
                double c = (double)m.e[i].count2 * f + 0.5;
                m.e[i].count2 = c >= 9.2e18 ? LLONG_MAX : (long long)c;
            }
            s->scaled_from = ta;
        }
    }
    if (m.n) {
        sg_sb label = {NULL, 0, 0, 0};
        if (b) {
            sb_puts(&label, bname);
            sb_puts(&label, " vs ");
            sb_puts(&label, aname);
        } else {
            sb_puts(&label, aname);
        }
        svg_graph(w, s, &m, label.p ? label.p : "", label.n);
        sg_sb_free(&label);
    }
    sg_fmap_clear(&m);
    svg_render(w, s);
    sg_out_write(w);
    s->done = 1;
    if (sg_writer_error(w))
        rc = 1;
    sg_writer_free(w);
    return rc;
}
