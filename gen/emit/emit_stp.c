/* The .stp emitter.  The script should read as if an expert wrote it:
 * parameters as settable globals, filters before the work they guard,
 * statistics aggregates, sorted and limited foreach, one record per line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../templates/parser/stapgen_rt.h"
#include "../check/check_expr.h"
#include "../lower/lower.h"
#include "../spec/kver.h"
#include "../spec/probe_point.h"
#include "emit.h"

typedef struct stp {
	strbuf *o;
	arena *a;		/* scratch text only: the model is read, never written */
	const spec *s;
	const record_set *rs;
	const tool_plan *pl;
	const lowered *lw;
	bool portable;		/* emit %( kernel_v %) conditionals, not choices */
	/* source map: which spec text each stretch of the script came from */
	strbuf *map;
	size_t scanned, line_start;
	unsigned line;
} stp;

/* Current 1-based line and column at the end of the output. */
static void out_pos(stp *g, unsigned *line, unsigned *col)
{
	for (; g->scanned < g->o->len; g->scanned++)
		if (g->o->buf[g->scanned] == '\n') {
			g->line++;
			g->line_start = g->scanned + 1;
		}
	*line = g->line;
	*col = (unsigned)(g->o->len - g->line_start) + 1;
}

/* Appends text produced by `put` to the script and maps it to `loc`. */
static void map_from(stp *g, unsigned l0, unsigned c0, srcloc loc)
{
	if (!g->map || !loc.src)
		return;
	unsigned l1, c1;
	out_pos(g, &l1, &c1);
	sb_printf(g->map, "%u:%u-%u:%u\t%s:%u:%u:%u\n", l0, c0, l1, c1, loc.src->path, loc.line,
		  loc.col, loc.len);
}

static srcloc expr_origin(const expr *e)
{
	return e->span.src ? e->span : e->loc;
}

/* Prints `e`, remembering that it came from `origin` in the spec. */
static void put_expr_from(stp *g, const expr *e, const expr *origin)
{
	unsigned l, c;
	out_pos(g, &l, &c);
	expr_print_stap(g->o, e);
	map_from(g, l, c, expr_origin(origin));
}

static void put_expr(stp *g, const expr *e)
{
	put_expr_from(g, e, e);
}

/* name = value; in a portable script %( kernel_v >= "3.13" %? a %: b %) */
static void emit_let(stp *g, int indent, const lstmt *l)
{
	sb_indent(g->o, indent);
	sb_printf(g->o, "%s = ", l->name);
	if (!l->alts) {
		put_expr(g, l->value);
		sb_putc(g->o, '\n');
		return;
	}
	for (unsigned i = 0; i < l->nalts; i++) {
		if (l->alts[i].range->n) {
			sb_puts(g->o, "%( ");
			kver_range_stap(g->o, l->alts[i].range);
			sb_puts(g->o, " %?\n");
			sb_indent(g->o, indent + 1);
		}
		put_expr(g, l->alts[i].e);
		if (l->alts[i].range->n) {
			sb_putc(g->o, '\n');
			sb_indent(g->o, indent);
			sb_puts(g->o, "%:\n");
			sb_indent(g->o, indent + 1);
		}
	}
	for (unsigned i = 0; i < l->nalts; i++)
		if (l->alts[i].range->n) {
			sb_putc(g->o, '\n');
			sb_indent(g->o, indent);
			sb_puts(g->o, "%)");
		}
	sb_putc(g->o, '\n');
}

/* The protocol's own record kinds (gen/tables/wire_tags.def), which the
 * parser runtime reads from the same table. */
enum {
#define WIRE(n, fields, what) W_##n,
#include "../tables/wire_tags.def"
#undef WIRE
};
static const char *const wire_tag[] = {
#define WIRE(n, fields, what) [W_##n] = #n,
#include "../tables/wire_tags.def"
#undef WIRE
};

/* printf("@kind\t%d\t%s\n", a, text_str(b)) for one record's fields. */
static void emit_record_printf_from(stp *g, int indent, const record_kind *k,
				    const char *const *args, const expr *const *origins)
{
	strbuf fmt = STRBUF_INIT;
	sb_printf(&fmt, "printf(\"@%s", k->name);
	for (unsigned i = 0; i < k->nfields; i++)
		sb_printf(&fmt, "\\t%s", record_field_conv(&k->fields[i]));
	sb_puts(&fmt, "\\n\"");
	size_t width = (size_t)indent * 8 + fmt.len + 1;
	const char **shown = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < k->nfields; i++) {
		bool str = col_is_str(k->fields[i].type);
		shown[i] = str ? arena_printf(g->a, "text_str(%s)", args[i]) : args[i];
		width += strlen(shown[i]) + 2;
	}
	/* Short calls stay on one line; long ones get one argument per line. */
	bool wrap = width > 90;
	sb_indent(g->o, indent);
	sb_puts(g->o, sb_str(&fmt));
	sb_free(&fmt);
	for (unsigned i = 0; i < k->nfields; i++) {
		sb_putc(g->o, ',');
		if (wrap) {
			sb_putc(g->o, '\n');
			sb_indent(g->o, indent + 1);
		} else
			sb_putc(g->o, ' ');
		unsigned l, c;
		out_pos(g, &l, &c);
		sb_puts(g->o, shown[i]);
		if (origins[i])
			map_from(g, l, c, expr_origin(origins[i]));
	}
	sb_puts(g->o, ")\n");
}

static void emit_record_printf(stp *g, int indent, const record_kind *k,
			       const char *const *args)
{
	const expr **origins = arena_alloc(g->a, (k->nfields + 1) * sizeof(expr *));
	for (unsigned i = 0; i < k->nfields; i++)
		origins[i] = k->fields[i].value;
	emit_record_printf_from(g, indent, k, args, origins);
}

static const char *expr_text(stp *g, const expr *e)
{
	strbuf sb = STRBUF_INIT;
	expr_print_stap(&sb, e);
	const char *r = arena_strdup(g->a, sb_str(&sb));
	sb_free(&sb);
	return r;
}

static void emit_record(stp *g, int indent, const lstmt *st)
{
	const char **args = arena_alloc(g->a, (st->rec->nfields + 1) * sizeof(char *));
	for (unsigned j = 0; j < st->rec->nfields; j++)
		args[j] = expr_text(g, st->args[j]);
	emit_record_printf_from(g, indent, st->rec, args, st->origins);
}

/* The body of a conditional record: the values only it needs, its printf. */
static void emit_branch(stp *g, const lstmt *st)
{
	for (unsigned j = 0; j < st->ninner; j++)
		emit_let(g, 2, &st->inner[j]);
	emit_record(g, 2, st);
}

/* @N, or, when the parameter has a default, `%( $# >= N %? @N %: "DEFAULT" %)`:
 * the script also runs without the argument (stap script.stp, a module).
 * A whole probe point (type: point) in a probe's point: $N, stap's tokens,
 * `%( $# >= N %? $N %: DEFAULT %)`; the checked value as it is. */
static void point_arg(strbuf *o, const tool_plan *pl, const spec_param *pa, bool tokens)
{
	const char *def = plan_param_of(pl, pa)->def;
	char sigil = tokens ? '$' : '@';
	if (!def) {
		sb_printf(o, "%c%u", sigil, pa->point_arg);
		return;
	}
	if (tokens) {
		sb_printf(o, "%%( $# >= %u %%? $%u %%: %s %%)", pa->point_arg, pa->point_arg, def);
		return;
	}
	sb_printf(o, "%%( $# >= %u %%? @%u %%: \"", pa->point_arg, pa->point_arg);
	stap_string_literal(o, def, strlen(def));
	sb_puts(o, "\" %)");
}

/* A probe point with its @param(NAME)s as stap's positional arguments. */
static void point_text(stp *g, const char *t)
{
	const char *name, *at;
	size_t nl;
	while ((at = probe_point_param(t, &name, &nl))) {
		sb_putn(g->o, t, (size_t)(at - t));
		char buf[72];
		snprintf(buf, sizeof buf, "%.*s", (int)(nl < 64 ? nl : 64), name);
		const spec_param *pa = spec_find_param(g->s, buf);
		point_arg(g->o, g->pl, pa, pa->type == PT_POINT);
		t = name + nl + 1;
	}
	sb_puts(g->o, t);
}

/* The alias of point j of a probe whose points bind values. */
static void alias_name(stp *g, const lprobe *lp, unsigned j)
{
	sb_printf(g->o, "_p%u_%u", (unsigned)(lp - g->lw->probes) + 1, j + 1);
}

/* Points that bind values: one alias each, `probe _p1_2 = POINT { v = ... }`,
 * so the body reads values each alternative computes its own way. */
static void emit_aliases(stp *g, const lprobe *lp)
{
	const spec_probe *p = lp->p;
	sb_printf(g->o, "# %s; each sets ", p->each ? "Each of these" : "The first of these that this kernel has");
	for (unsigned i = 0; i < p->binder->nlets; i++)
		sb_printf(g->o, "%s%s", i ? ", " : "", p->binder->lets[i].name);
	sb_putc(g->o, '\n');
	for (unsigned j = 0; j < p->npoints; j++) {
		const spec_point *pt = &p->points[j];
		if (!lp->point_on[j])
			continue;	/* not on this kernel */
		sb_puts(g->o, "probe ");
		alias_name(g, lp, j);
		sb_puts(g->o, " = ");
		unsigned l, c;
		out_pos(g, &l, &c);
		point_text(g, pt->text);
		map_from(g, l, c, pt->loc);
		sb_puts(g->o, "\n{\n");
		for (unsigned i = 0; i < lp->points[j].nstmts; i++)
			emit_let(g, 1, &lp->points[j].stmts[i]);
		sb_puts(g->o, "}\n");
	}
	sb_putc(g->o, '\n');
}

static bool is_write(const lstmt *st)
{
	return st->kind == LS_STORE || st->kind == LS_COLLECT || st->kind == LS_DELETE ||
	       st->kind == LS_SET || st->kind == LS_CALL;
}

/* `m[k] = v`, `a[k] <<< v`, `delete m[k]`, `$v = x` or `f(x)`, at indent depth */
static void emit_write(stp *g, int depth, const lstmt *st)
{
	for (int d = 0; d < depth; d++)
		sb_putc(g->o, '\t');
	if (st->kind == LS_CALL) {
		put_expr(g, st->value);
		sb_putc(g->o, '\n');
		return;
	}
	if (st->kind == LS_DELETE)
		sb_puts(g->o, "delete ");
	put_expr(g, st->target);
	if (st->kind != LS_DELETE) {
		sb_puts(g->o, st->kind == LS_COLLECT ? " <<< " : " = ");
		put_expr(g, st->value);
	}
	sb_putc(g->o, '\n');
}

static void emit_probe(stp *g, const lprobe *lp)
{
	const spec_probe *p = lp->p;
	if (lp->points)
		emit_aliases(g, lp);
	sb_puts(g->o, "probe ");
	bool first = true;
	for (unsigned i = 0; i < p->npoints; i++) {
		const spec_point *pt = &p->points[i];
		bool last = i + 1 == p->npoints;
		if (!lp->point_on[i])
			continue;	/* not on this kernel */
		if (!first)
			sb_puts(g->o, "      ");
		first = false;
		/* Ordered fallbacks: `a !, b` uses a if it resolves, else b;
		 * with `each`, `a, b` attaches to both. */
		const char *sep = p->each ? "," : " !,";
		if (g->portable && pt->range.n) {
			sb_puts(g->o, "%( ");
			kver_range_stap(g->o, &pt->range);
			sb_puts(g->o, " %? ");
			if (lp->points)
				alias_name(g, lp, i);
			else
				point_text(g, pt->text);
			sb_printf(g->o, "%s %%)\n", sep);
			continue;
		}
		unsigned l, c;
		out_pos(g, &l, &c);
		if (lp->points)
			alias_name(g, lp, i);
		else
			point_text(g, pt->text);
		map_from(g, l, c, pt->loc);
		sb_puts(g->o, last ? "\n" : p->each ? ",\n" : " !,\n");
	}
	sb_puts(g->o, "{\n");
	for (unsigned i = 0; i < lp->nstmts; i++) {
		const lstmt *st = &lp->stmts[i];
		switch (st->kind) {
		case LS_LET:
			emit_let(g, 1, st);
			break;
		case LS_FILTER:
			sb_puts(g->o, "\tif (");
			put_expr_from(g, st->value, st->origin);
			sb_puts(g->o, ")\n\t\tnext\n");
			break;
		case LS_STORE:
		case LS_COLLECT:
		case LS_DELETE:
		case LS_SET:
		case LS_CALL: {
			if (!st->when) {
				emit_write(g, 1, st);
				break;
			}
			/* the writes in a row under one condition share its `if` */
			unsigned n = 1;
			while (i + n < lp->nstmts && is_write(&lp->stmts[i + n]) && lp->stmts[i + n].when == st->when)
				n++;
			sb_puts(g->o, "\tif (");
			put_expr(g, st->when);
			sb_puts(g->o, n > 1 ? ") {\n" : ")\n");
			for (unsigned k = 0; k < n; k++)
				emit_write(g, 2, &st[k]);
			if (n > 1)
				sb_puts(g->o, "\t}\n");
			i += n - 1;
			break;
		}
		case LS_EXIT:
			if (!st->value) {
				sb_puts(g->o, "\texit()\n");
				break;
			}
			sb_puts(g->o, "\tif (");
			put_expr_from(g, st->value, st->origin);
			sb_puts(g->o, ")\n\t\texit()\n");
			break;
		case LS_RECORD: {
			if (!st->when) {
				emit_record(g, 1, st);
				break;
			}
			/* if (c) printf(...) [else printf(...)], braces around
			 * both branches when either computes values */
			const lstmt *el = i + 1 < lp->nstmts && lp->stmts[i + 1].els ? &lp->stmts[i + 1] : NULL;
			bool braces = st->ninner || (el && el->ninner);
			sb_puts(g->o, "\tif (");
			put_expr(g, st->when);
			sb_puts(g->o, braces ? ") {\n" : ")\n");
			emit_branch(g, st);
			if (el) {
				sb_puts(g->o, braces ? "\t} else {\n" : "\telse\n");
				emit_branch(g, el);
				i++;
			}
			if (braces)
				sb_puts(g->o, "\t}\n");
			break;
		}
		}
	}
	sb_puts(g->o, "}\n\n");
}

/* ---- reports ------------------------------------------------------------ */

/* "pid, comm": the loop variables of m's keys */
static const char *key_list(stp *g, const spec_map *m, const char *const *vars)
{
	strbuf sb = STRBUF_INIT;
	for (unsigned i = 0; i < m->nkeys; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", vars[i]);
	const char *r = arena_strdup(g->a, sb_str(&sb));
	sb_free(&sb);
	return r;
}

static const char *limit_text(stp *g, const spec_report *r)
{
	if (r->limit_param)	/* 0: every row; stap's own `limit 0` shows none */
		return arena_printf(g->a, " limit (%s ? %s : 0x7fffffffffffffff)", r->limit_param->name,
				    r->limit_param->name);
	if (r->limit_lit)
		return arena_printf(g->a, " limit %lld", (long long)r->limit_lit);
	return "";
}

static void emit_rows_report(stp *g, const lreport *lr)
{
	const spec_report *r = lr->r;
	const record_kind *k = lr->rec;
	const spec_map *km = r->from_maps[0];
	if (km->nkeys == 0) {
		/* scalar aggregates: one row, also in an idle interval (counts
		 * of 0; lowering guards each statistic of an empty aggregate) */
		const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
		for (unsigned i = 0; i < k->nfields; i++)
			args[i] = expr_text(g, lr->vals[i]);
		emit_record_printf(g, 1, k, args);
		return;
	}
	const char *keys = key_list(g, km, lr->key_vars);
	const char *dir = r->sort_desc ? "-" : "+";
	const char *iter_over = lr->iter;	/* the array the printing foreach walks */
	const char *sort_suffix = "";
	const char *key_sort = lr->key_sort;
	bool direct = lr->direct;
	if (direct) {
		if (lr->value_sort)
			sort_suffix = dir;
		else if (lr->sort && !key_sort)
			sort_suffix = arena_printf(g->a, " %s%s", agg_fn_text(lr->sort->op), dir);
	} else {
		for (unsigned i = 0; i < r->nfrom; i++) {
			sb_printf(g->o, "\tforeach ([%s] in %s)\n", keys, r->from[i]);
			if (i > 0)
				sb_printf(g->o, "\t\tif (!([%s] in %s))\n\t", keys, iter_over);
			sb_printf(g->o, "\t\t%s[%s] = ", iter_over, keys);
			if (lr->sort)
				put_expr(g, lr->sort);
			else
				sb_puts(g->o, "0");
			sb_putc(g->o, '\n');
		}
	}
	/* key columns sorted in place: [pid, comm-] */
	strbuf kl = STRBUF_INIT;
	for (unsigned i = 0; i < km->nkeys; i++) {
		sb_printf(&kl, "%s%s", i ? ", " : "", lr->key_vars[i]);
		if (key_sort && !strcmp(key_sort, km->keys[i].name))
			sb_puts(&kl, dir);
	}
	/* sorted by a key: the key carries the one sort stap allows */
	const char *vsort = !direct && !key_sort ? dir : "";
	sb_printf(g->o, "\tforeach ([%s] in %s%s%s%s)\n", sb_str(&kl), iter_over, vsort,
		  sort_suffix, limit_text(g, r));
	sb_free(&kl);
	const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < k->nfields; i++)
		args[i] = expr_text(g, lr->vals[i]);
	emit_record_printf(g, 2, k, args);
	if (!direct)
		sb_printf(g->o, "\tdelete %s\n", iter_over);
}

static void emit_hist_report(stp *g, const lreport *lr)
{
	const spec_report *r = lr->r;
	const record_kind *k = lr->rec;
	const spec_map *m = r->hist_map;
	const char *b = lr->bucket_var;
	static const char *const fns[] = {
#define HIST(e, name, fn, doc) [HIST_##e] = fn,
#include "../tables/hist_kinds.def"
#undef HIST
	};
	const char *hist = r->hist == HIST_LINEAR
		? arena_printf(g->a, "%s(%%s, %lld, %lld, %lld)", fns[r->hist], (long long)r->lin_lo,
			       (long long)r->lin_hi, (long long)r->lin_step)
		: arena_printf(g->a, "%s(%%s)", fns[r->hist]);
	const char *keys = key_list(g, m, lr->key_vars);
	const char *elem = m->nkeys ? arena_printf(g->a, "%s[%s]", m->name, keys) : m->name;
	const char *h = arena_printf(g->a, hist, elem);
	int ind = 1;
	if (m->nkeys) {
		sb_printf(g->o, "\tforeach ([%s] in %s)\n", keys, m->name);
		ind = 2;
	} else {
		/* stap reports an empty aggregate as an error: check first */
		sb_printf(g->o, "\tif (@count(%s))\n", m->name);
		ind = 2;
	}
	sb_indent(g->o, ind);
	sb_printf(g->o, "foreach (%s in %s)\n", b, h);
	sb_indent(g->o, ind + 1);
	sb_printf(g->o, "if (%s[%s])\n", h, b);
	const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < m->nkeys; i++)
		args[i] = lr->key_vars[i];
	args[m->nkeys] = b;
	args[m->nkeys + 1] = arena_printf(g->a, "%s[%s]", h, b);
	emit_record_printf(g, ind + 2, k, args);
}

static void emit_report_function(stp *g, const lreport *lr)
{
	const spec_report *r = lr->r;
	const record_kind *k = lr->rec;
	if (!k)
		return;
	sb_printf(g->o, "function _report_%s()\n{\n", r->name);
	sb_printf(g->o, "\tprintf(\"@%s\\t%s\\t%%d\\n\", gettimeofday_s())\n", wire_tag[W_report], r->name);
	if (r->hist)
		emit_hist_report(g, lr);
	else
		emit_rows_report(g, lr);
	sb_printf(g->o, "\tprintf(\"@%s\\t%s\\n\")\n", wire_tag[W_report_end], r->name);
	for (unsigned i = 0; i < lr->nclears; i++)
		sb_printf(g->o, "\tdelete %s\n", lr->clears[i]);
	sb_puts(g->o, "}\n\n");
}

/* One timer probe per distinct period; its reports run in spec order. */
static void emit_report_timers(stp *g)
{
	for (unsigned i = 0; i < g->lw->ntimers; i++) {
		const ltimer *t = &g->lw->timers[i];
		if (t->every_param) {
			/* A run-time interval cannot be a timer literal: tick and count. */
			sb_printf(g->o, "probe timer.%s(1)\n{\n", t->every_param->unit_ms ? "ms" : "s");
			sb_printf(g->o, "\tif (!%s || ++_%s_ticks < %s)\n\t\tnext\n", t->every_param->name,
				  t->first->name, t->every_param->name);
			sb_printf(g->o, "\t_%s_ticks = 0\n", t->first->name);
		} else if (t->every_lit % 1000 == 0) {
			sb_printf(g->o, "probe timer.s(%lld)\n{\n", (long long)(t->every_lit / 1000));
		} else {
			sb_printf(g->o, "probe timer.ms(%lld)\n{\n", (long long)t->every_lit);
		}
		for (unsigned j = 0; j < t->nreports; j++)
			sb_printf(g->o, "\t_report_%s()\n", t->reports[j]->r->name);
		for (unsigned j = 0; j < t->nreports; j++) {
			const spec_report *q = t->reports[j]->r;
			if (q->count_param)
				sb_printf(g->o, "\tif (%s && ++_%s_reports >= %s)\n\t\texit()\n",
					  q->count_param->name, q->name, q->count_param->name);
			else if (q->count_lit)
				sb_printf(g->o, "\tif (++_%s_reports >= %lld)\n\t\texit()\n", q->name,
					  (long long)q->count_lit);
		}
		sb_puts(g->o, "}\n\n");
	}
}

/* ---- the whole script ------------------------------------------------- */

static void emit_header(stp *g, const emit_opts *o)
{
	const spec *s = g->s;
	sb_printf(g->o, "#!/usr/bin/env stap\n#\n# %s — %s\n#\n", s->tool, s->summary ? s->summary : "");
	sb_printf(g->o, "# Generated by stapgen from %s for kernel %s.\n", o->spec_path, o->kver);
	/* the tool command checks its script carries its set (on a line of
	 * its own the script's lines, and the maps of stap's errors, moved) */
	if (o->set_id)
		sb_printf(g->o, "# Do not edit: change the spec and regenerate (stapgen set %s).\n",
			  o->set_id);
	else
		sb_puts(g->o, "# Do not edit: change the spec and regenerate.\n");
	if (s->guru)
		sb_puts(g->o, "#\n# GURU MODE: this script may change kernel state (stap -g).\n");
	if (s->nparams) {
		sb_puts(g->o, s->npoint_args ? "#\n# Parameters (stap -G name=value, or staprun tool.ko name=value;\n"
					      "# @N: stap's Nth argument after the script, fixed when the module is built):\n"
					    : "#\n# Parameters (stap -G name=value, or staprun tool.ko name=value):\n");
		for (unsigned i = 0; i < s->nparams; i++) {
			const spec_param *p = &s->params[i];
			const char *t = param_type_of(p).word;
			char arg[16] = "";
			if (p->point_arg)
				snprintf(arg, sizeof arg, " (@%u)", p->point_arg);
			sb_printf(g->o, "#   %-12s %-8s %s%s%s\n", p->name, t, p->help ? p->help : "",
				  p->required ? " (required)" : "", arg);
		}
	}
	/* for the reader: scripts read TOOL.flags (emit_flags) */
	if (g->pl->nstap_flags) {
		sb_puts(g->o, "#\n# Run with:");
		for (unsigned i = 0; i < g->pl->nstap_flags; i++)
			sb_printf(g->o, " %s", g->pl->stap_flags[i]);
		sb_putc(g->o, '\n');
	}
	/* what the tool's --check says too */
	const tool_needs *tn = &g->pl->needs;
	need_level kd = tn->kdebug;
	sb_printf(g->o, "#\n# Kernel debuginfo: %s",
		  kd == NEED_NO ? "not needed (the build tree is enough)"
		  : kd == NEED_MAYBE ? "needed only if a fallback probe point is used"
		  : tn->ksyms_only ? "needed for kernel symbols (the script builds without it)" : "needed");
	if (kd == NEED_YES && tn->kdebug_why[0])
		sb_printf(g->o, ":\n#   %s (%s:%u)", tn->kdebug_why, o->spec_path, tn->kdebug_line);
	sb_puts(g->o, ".\n");
	if (tn->usyms || tn->umark)	/* what uprobes need of the probed binary */
		sb_printf(g->o, "# User space (%s): %s%s%s%s.\n", tn->ubinary,
			  tn->usyms ? "the binary's symbol table" : "",
			  tn->udebug == NEED_YES ? " and DWARF ($vars by name)"
			  : tn->udebug == NEED_MAYBE ? " (DWARF if a fallback point is used)" : "",
			  tn->usyms && tn->umark ? "; " : "", tn->umark ? "its SDT markers (.note.stapsdt)" : "");
	/* make validate's p2 needs this file in the toolchain's root */
	if (tn->ubinary_path[0])
		sb_printf(g->o, "# User binary: %s\n", tn->ubinary_path);
	sb_puts(g->o, "#\n# Output: one record per line, '@kind' then TAB-separated fields;\n"
		      "# strings are escaped with text_str().  Records:\n");
	for (unsigned i = 0; i < g->rs->nkinds; i++) {
		const record_kind *k = &g->rs->kinds[i];
		sb_printf(g->o, "#   @%s", k->name);
		for (unsigned j = 0; j < k->nfields; j++)
			sb_printf(g->o, " %s", k->fields[j].name);
		sb_putc(g->o, '\n');
	}
	sb_putc(g->o, '\n');
}

/* What a required parameter holds until stap -G sets it. */
static const char *unset_value(const spec_param *p)
{
	return param_type_of(p).str ? "\"\"" : "0x8000000000000000";
}

/* A required parameter nobody set stops the run before it starts. */
static void required_checks(stp *g)
{
	for (unsigned i = 0; i < g->s->nparams; i++) {
		const spec_param *p = &g->s->params[i];
		if (!p->required || p->point_arg)	/* stap refuses a missing @N */
			continue;
		sb_printf(g->o, "\tif (%s == %s)\n\t\terror(\"%s: parameter %s is required (", p->name,
			  unset_value(p), g->s->tool, p->name);
		if (p->flag)
			sb_printf(g->o, "%s, or ", p->flag);
		sb_printf(g->o, "stap -G %s=VALUE)\")\n", p->name);
	}
}

/* Rows sorted through a temporary array (see emit_rows_report). */
static bool needs_sort_array(const lreport *lr)
{
	return lr->rec && !lr->r->hist && lr->r->nfrom && lr->r->from_maps[0]->nkeys && !lr->direct;
}

static void emit_globals(stp *g)
{
	const spec *s = g->s;
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		const plan_param *pp = plan_param_of(g->pl, p);
		if (p->point_arg) {	/* stap's positional argument */
			sb_printf(g->o, "global %s = ", p->name);
			point_arg(g->o, g->pl, p, false);
			sb_puts(g->o, "\t# stap SCRIPT VALUE: fixed at compile time\n");
		} else if (p->required) {	/* a value no -G gives: see required_checks() */
			sb_printf(g->o, "global %s = %s\t# required\n", p->name, unset_value(p));
		} else if (pp->str) {
			sb_printf(g->o, "global %s = \"", p->name);
			stap_string_literal(g->o, pp->def, strlen(pp->def));
			sb_puts(g->o, "\"\n");
		} else {
			sb_printf(g->o, "global %s = %s\n", p->name, pp->def);
		}
	}
	if (s->nparams)
		sb_putc(g->o, '\n');
	for (unsigned i = 0; i < s->nmaps; i++) {
		const spec_map *m = &s->maps[i];
		sb_printf(g->o, "global %s%s", m->name, m->wrap ? "%" : "");
		if (m->size)	/* stap allocates it when it loads; full: "Array overflow" (or, %, wraps) */
			sb_printf(g->o, "[%lld]", (long long)m->size);
		if (m->nkeys) {
			sb_puts(g->o, "\t\t# [");
			for (unsigned j = 0; j < m->nkeys; j++)
				sb_printf(g->o, "%s%s%s%s", j ? ", " : "",
					  m->keys[j].name ? m->keys[j].name : "",
					  m->keys[j].name ? ":" : "", vtype_name(m->keys[j].type));
			sb_printf(g->o, "] %s", m->is_agg ? "<<< long" : vtype_name(m->value_type));
		} else if (m->is_agg)
			sb_puts(g->o, "\t\t# <<< long");
		sb_putc(g->o, '\n');
	}
	bool any = false;
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		if (!r->name)
			continue;
		const ltimer *t = g->lw->reports[i].timer;	/* one tick counter per timer */
		if (t && t->every_param && t->first == r)
			sb_printf(g->o, "global _%s_ticks\n", r->name), any = true;
		if (r->count_param || r->count_lit)
			sb_printf(g->o, "global _%s_reports\n", r->name), any = true;
		const lreport *lr = &g->lw->reports[i];
		if (needs_sort_array(lr) && lr->iter_size)
			sb_printf(g->o, "global %s[%lld]\n", lr->iter, (long long)lr->iter_size), any = true;
		else if (needs_sort_array(lr))
			sb_printf(g->o, "global %s\n", lr->iter), any = true;
	}
	if (s->nmaps || any)
		sb_putc(g->o, '\n');
}

void emit_stp(strbuf *out, arena *a, const tool_plan *pl, const emit_opts *o)
{
	const lowered *lw = pl->lw;
	const spec *s = pl->s;
	stp g = { out, a, s, pl->rs, pl, lw, lw->portable, o->map, 0, 0, 1 };
	emit_header(&g, o);
	if (g.portable && s->nunsupported) {
		for (unsigned i = 0; i < s->nunsupported; i++) {
			const spec_unsupported *u = &s->unsupported[i];
			sb_puts(out, "%( ");
			kver_range_stap(out, &u->range);
			sb_printf(out, " %%?\nprobe begin\n{\n\terror(\"");
			strbuf msg = STRBUF_INIT;
			sb_printf(&msg, "%s does not support this kernel: %s", s->tool, u->reason);
			stap_string_literal(out, sb_str(&msg), msg.len);
			sb_free(&msg);
			sb_puts(out, "\")\n}\n%)\n\n");
		}
	}
	emit_globals(&g);
	for (unsigned i = 0; i < script_func_count(); i++) {
		const char *def;
		if ((lw->script_funcs >> i & 1) && script_func(i, NULL, &def))
			sb_printf(out, "%s\n", def);
	}
	sb_puts(out, "probe begin\n{\n");
	required_checks(&g);
	sb_printf(out, "\tprintf(\"@%s\\t%s\\t%d\\n\")\n}\n\n", wire_tag[W_stapgen], s->tool,
		  SG_PROTOCOL_VERSION);
	for (unsigned i = 0; i < s->nprobes; i++)
		emit_probe(&g, &lw->probes[i]);
	for (unsigned i = 0; i < s->nreports; i++)
		emit_report_function(&g, &lw->reports[i]);
	emit_report_timers(&g);
	/* After a run-time error stap skips the end probes and runs the error
	 * probes: the reports with on_error print there too.  The same reports
	 * at both: one probe, `probe end, error`. */
	bool on_error = false, same = true;
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		on_error |= r->name && r->on_error;
		same &= !r->name || r->on_error == r->at_end;
	}
	sb_puts(out, on_error && same ? "probe end, error\n{\n" : "probe end\n{\n");
	for (unsigned i = 0; i < s->nreports; i++)
		if (s->reports[i].name && s->reports[i].at_end)
			sb_printf(out, "\t_report_%s()\n", s->reports[i].name);
	sb_printf(out, "\tprintf(\"@%s\\n\")\n}\n", wire_tag[W_end]);
	if (!on_error || same)
		return;
	sb_puts(out, "\nprobe error\n{\n");
	for (unsigned i = 0; i < s->nreports; i++)
		if (s->reports[i].name && s->reports[i].on_error)
			sb_printf(out, "\t_report_%s()\n", s->reports[i].name);
	sb_printf(out, "\tprintf(\"@%s\\n\")\n}\n", wire_tag[W_end]);
}
