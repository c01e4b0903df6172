/* The .stp emitter.  The script should read as if an expert wrote it:
 * parameters as settable globals, filters before the work they guard,
 * statistics aggregates, sorted and limited foreach, one record per line. */
#include <stdlib.h>
#include <string.h>

#include "../check/check_expr.h"
#include "../spec/kver.h"
#include "emit.h"

typedef struct stp {
	strbuf *o;
	arena *a;
	const spec *s;
	const record_set *rs;
	bool portable;		/* emit %( kernel_v %) conditionals, not choices */
	unsigned kv[3];		/* the target kernel's version otherwise */
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

/* ---- negated filters: `if (a == b) next` reads better than `if (!(a != b)) next`,
 * and `if (destport != 0 && port != destport)` better than `if (!(destport == 0 || ...))` */
static bool negates_cleanly(const expr *e, int depth)
{
	if (depth > 8)
		return false;
	if (e->kind == E_UNARY && e->op == OP_NOT)
		return true;
	if (e->kind == E_BINARY)
		switch (e->op) {
		case OP_EQ: case OP_NE: case OP_LT: case OP_GE: case OP_GT: case OP_LE:
			return true;
		case OP_AND: case OP_OR:
			return negates_cleanly(e->a, depth + 1) && negates_cleanly(e->b, depth + 1);
		}
	return false;
}

static expr *negate(arena *a, const expr *e)
{
	static const int inv[][2] = { { OP_EQ, OP_NE }, { OP_NE, OP_EQ }, { OP_LT, OP_GE },
				      { OP_GE, OP_LT }, { OP_GT, OP_LE }, { OP_LE, OP_GT } };
	if (e->kind == E_UNARY && e->op == OP_NOT)
		return e->a;
	expr *n = arena_alloc(a, sizeof *n);
	if (e->kind == E_BINARY) {
		for (size_t i = 0; i < sizeof inv / sizeof inv[0]; i++)
			if (e->op == inv[i][0]) {
				*n = *e;
				n->op = inv[i][1];
				return n;
			}
		if ((e->op == OP_AND || e->op == OP_OR) && negates_cleanly(e, 0)) {
			*n = *e;	/* De Morgan */
			n->op = e->op == OP_AND ? OP_OR : OP_AND;
			n->a = negate(a, e->a);
			n->b = negate(a, e->b);
			return n;
		}
	}
	n->kind = E_UNARY;
	n->op = OP_NOT;
	n->a = (expr *)e;
	n->type = VT_LONG;
	n->loc = e->loc;
	n->span = e->span;
	return n;
}

/* ---- values (`let`) are emitted just before their first use ----------- */
typedef struct let_ctx {
	stp *g;
	const spec_probe *p;
} let_ctx;

static void emit_let(stp *g, const spec_probe *p, spec_let *l);

static void let_deps(expr *e, void *ctx)
{
	let_ctx *lc = ctx;
	if (e->kind == E_IDENT && e->bind == NAME_VALUE && e->bind_ptr) {
		spec_let *l = (spec_let *)e->bind_ptr;
		if (!l->emitted)
			emit_let(lc->g, lc->p, l);
	}
}

static void emit_deps(stp *g, const spec_probe *p, const expr *e)
{
	let_ctx lc = { g, p };
	if (e)
		expr_walk((expr *)e, let_deps, &lc);
}

/* The alternative of a value that applies to the target kernel. */
static const expr *let_for_kernel(const stp *g, const spec_let *l)
{
	for (unsigned i = 0; i < l->nalts; i++)
		if (kver_range_match(&l->alts[i].range, g->kv))
			return l->alts[i].e;
	return l->e;
}

static void emit_let(stp *g, const spec_probe *p, spec_let *l)
{
	l->emitted = true;
	if (!l->nalts || !g->portable) {
		const expr *e = l->nalts ? let_for_kernel(g, l) : l->e;
		emit_deps(g, p, e);
		sb_printf(g->o, "\t%s = ", l->name);
		put_expr(g, e);
		sb_putc(g->o, '\n');
		return;
	}
	/* portable: %( kernel_v >= "3.13" %? a %: b %), resolved by stap */
	for (unsigned i = 0; i < l->nalts; i++)
		emit_deps(g, p, l->alts[i].e);
	sb_printf(g->o, "\t%s = ", l->name);
	for (unsigned i = 0; i < l->nalts; i++) {
		if (l->alts[i].range.n) {
			sb_puts(g->o, "%( ");
			kver_range_stap(g->o, &l->alts[i].range);
			sb_puts(g->o, " %?\n\t\t");
		}
		put_expr(g, l->alts[i].e);
		if (l->alts[i].range.n)
			sb_puts(g->o, "\n\t%:\n\t\t");
	}
	for (unsigned i = 0; i < l->nalts; i++)
		if (l->alts[i].range.n)
			sb_puts(g->o, "\n\t%)");
	sb_putc(g->o, '\n');
}

/* printf("@kind\t%d\t%s\n", a, text_str(b)) for one record's fields. */
static void emit_record_printf(stp *g, int indent, const record_kind *k,
			       const char *const *args)
{
	const expr **origins = arena_alloc(g->a, (k->nfields + 1) * sizeof(expr *));
	for (unsigned i = 0; i < k->nfields; i++)
		origins[i] = k->fields[i].value;
	strbuf fmt = STRBUF_INIT;
	sb_printf(&fmt, "printf(\"@%s", k->name);
	for (unsigned i = 0; i < k->nfields; i++)
		sb_printf(&fmt, "\\t%s", record_field_conv(&k->fields[i]));
	sb_puts(&fmt, "\\n\"");
	size_t width = (size_t)indent * 8 + fmt.len + 1;
	const char **shown = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < k->nfields; i++) {
		bool str = k->fields[i].type == COL_STRING || k->fields[i].type == COL_STACK;
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

static const char *expr_text(stp *g, const expr *e)
{
	strbuf sb = STRBUF_INIT;
	expr_print_stap(&sb, e);
	const char *r = arena_strdup(g->a, sb_str(&sb));
	sb_free(&sb);
	return r;
}

static const record_kind *kind_for_probe(stp *g, const spec_probe *p)
{
	for (unsigned i = 0; i < g->rs->nkinds; i++)
		if (g->rs->kinds[i].probe == p)
			return &g->rs->kinds[i];
	return NULL;
}

typedef struct map_read {
	const char *map;
	bool found;
} map_read;

static void find_map_read(expr *e, void *ctx)
{
	map_read *mr = ctx;
	if ((e->kind == E_INDEX && e->a && e->a->kind == E_IDENT && !strcmp(e->a->name, mr->map)) ||
	    (e->kind == E_IN && e->name && !strcmp(e->name, mr->map)))
		mr->found = true;
}

static bool reads_map(const expr *e, const char *map)
{
	map_read mr = { map, false };
	if (e)
		expr_walk((expr *)e, find_map_read, &mr);
	return mr.found;
}

/* `delete m[k]` can go right after the values that read m[k] are computed,
 * before the filters that follow them: then an event that is filtered out
 * still clears its entry (a start time, say) instead of leaking it.  Only
 * when m is read through values alone. */
static bool delete_ready(const spec_probe *p, const expr *del)
{
	const char *map = del->a->name;
	for (unsigned i = 0; i < p->nfilters; i++)
		if (reads_map(p->filters[i], map))
			return false;
	for (unsigned i = 0; i < p->nstores; i++)
		if (reads_map(p->stores[i].value, map))
			return false;
	for (unsigned i = 0; i < p->ncollects; i++)
		if (reads_map(p->collects[i].value, map) || reads_map(p->collects[i].target, map))
			return false;
	for (unsigned i = 0; p->emit && i < p->emit->ncols; i++)
		if (reads_map(p->emit->cols[i].e, map))
			return false;
	bool read_by_value = false;
	for (unsigned i = 0; i < p->nlets; i++) {
		if (!p->lets[i].used || !reads_map(p->lets[i].e, map))
			continue;
		if (!p->lets[i].emitted)
			return false;
		read_by_value = true;
	}
	return read_by_value;
}

static void emit_delete(stp *g, const spec_probe *p, unsigned i, bool *done)
{
	done[i] = true;
	emit_deps(g, p, p->deletes[i]);
	sb_puts(g->o, "\tdelete ");
	put_expr(g, p->deletes[i]);
	sb_putc(g->o, '\n');
}

static void emit_probe(stp *g, spec_probe *p)
{
	bool *deleted = arena_alloc(g->a, (p->ndeletes + 1) * sizeof(bool));
	for (unsigned i = 0; i < p->nlets; i++)
		p->lets[i].emitted = false;	/* emitting the same spec again starts afresh */
	sb_puts(g->o, "probe ");
	bool first = true;
	for (unsigned i = 0; i < p->npoints; i++) {
		const spec_point *pt = &p->points[i];
		bool last = i + 1 == p->npoints;
		if (!g->portable && !kver_range_match(&pt->range, g->kv))
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
			sb_printf(g->o, " %%? %s%s %%)\n", pt->text, sep);
			continue;
		}
		unsigned l, c;
		out_pos(g, &l, &c);
		sb_puts(g->o, pt->text);
		map_from(g, l, c, pt->loc);
		sb_puts(g->o, last ? "\n" : p->each ? ",\n" : " !,\n");
	}
	sb_puts(g->o, "{\n");
	for (unsigned i = 0; i < p->nfilters; i++) {
		emit_deps(g, p, p->filters[i]);
		for (unsigned j = 0; j < p->ndeletes; j++)
			if (!deleted[j] && delete_ready(p, p->deletes[j]))
				emit_delete(g, p, j, deleted);
		sb_puts(g->o, "\tif (");
		put_expr_from(g, negate(g->a, p->filters[i]), p->filters[i]);
		sb_puts(g->o, ")\n\t\tnext\n");
	}
	for (unsigned i = 0; i < p->nstores; i++) {
		emit_deps(g, p, p->stores[i].target);
		emit_deps(g, p, p->stores[i].value);
		sb_putc(g->o, '\t');
		put_expr(g, p->stores[i].target);
		sb_puts(g->o, " = ");
		put_expr(g, p->stores[i].value);
		sb_putc(g->o, '\n');
	}
	for (unsigned i = 0; i < p->ncollects; i++) {
		emit_deps(g, p, p->collects[i].target);
		emit_deps(g, p, p->collects[i].value);
		sb_putc(g->o, '\t');
		put_expr(g, p->collects[i].target);
		sb_puts(g->o, " <<< ");
		put_expr(g, p->collects[i].value);
		sb_putc(g->o, '\n');
	}
	const record_kind *k = kind_for_probe(g, p);
	if (k) {
		const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
		for (unsigned i = 0; i < k->nfields; i++) {
			emit_deps(g, p, k->fields[i].value);
			args[i] = expr_text(g, k->fields[i].value);
		}
		emit_record_printf(g, 1, k, args);
	}
	for (unsigned i = 0; i < p->ndeletes; i++)
		if (!deleted[i])
			emit_delete(g, p, i, deleted);
	sb_puts(g->o, "}\n\n");
}

/* ---- reports ------------------------------------------------------------ */

/* "pid, comm" */
static const char *key_list(stp *g, const spec_map *m)
{
	strbuf sb = STRBUF_INIT;
	for (unsigned i = 0; i < m->nkeys; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", m->keys[i].name ? m->keys[i].name : "?");
	const char *r = arena_strdup(g->a, sb_str(&sb));
	sb_free(&sb);
	return r;
}

typedef struct agg_rewrite {
	stp *g;
	const spec_map *keys;
	bool guard;	/* the row's key may be missing from this aggregate */
} agg_rewrite;

static expr *ident(arena *a, const char *name, vtype t)
{
	expr *e = arena_alloc(a, sizeof *e);
	e->kind = E_IDENT;
	e->name = name;
	e->type = t;
	return e;
}

/* Turns the aggregate use `e` into `cond ? e' : 0`, where e' is e applied
 * to `operand` and marked so the walk does not rewrite it again. */
static void guard_zero(arena *a, expr *e, expr *cond, expr *operand)
{
	expr *agg = arena_alloc(a, sizeof *agg);
	*agg = *e;
	agg->a = operand;
	agg->bind = -1;
	expr *zero = arena_alloc(a, sizeof *zero);
	zero->kind = E_INT;
	zero->type = VT_LONG;
	memset(e, 0, sizeof *e);
	e->kind = E_TERNARY;
	e->a = cond;
	e->b = agg;
	e->c = zero;
	e->type = VT_LONG;
	e->loc = agg->loc;
	e->span = agg->span;
}

/* @sum(reads) in a row means @sum(reads[pid, comm]); where the row's key
 * comes from another aggregate it may be absent here: guard it with `in`. */
static void rewrite_agg(expr *e, void *ctx)
{
	agg_rewrite *rw = ctx;
	arena *a = rw->g->a;
	/* bind == -1 marks a node this pass built: the walk revisits it */
	if (e->kind != E_AGG || e->bind == -1 || !e->a || e->a->kind != E_IDENT || !rw->keys)
		return;
	/* A scalar aggregate (a total, say) is used as it is in every row; stap
	 * reports @sum/@min/@max/@avg of an empty one as an error: guard it. */
	const spec_map *m = e->a->bind_ptr;
	if (m && m->nkeys == 0) {
		if (e->op == AGG_COUNT)
			return;
		expr *cnt = arena_alloc(a, sizeof *cnt);
		*cnt = *e;
		cnt->op = AGG_COUNT;
		cnt->bind = -1;
		guard_zero(a, e, cnt, e->a);
		return;
	}
	expr *idx = arena_alloc(a, sizeof *idx);
	idx->kind = E_INDEX;
	idx->a = e->a;
	idx->nargs = rw->keys->nkeys;
	idx->args = arena_alloc(a, idx->nargs * sizeof(expr *));
	for (unsigned i = 0; i < rw->keys->nkeys; i++)
		idx->args[i] = ident(a, rw->keys->keys[i].name, rw->keys->keys[i].type);
	if (!rw->guard) {
		e->a = idx;
		return;
	}
	expr *in = arena_alloc(a, sizeof *in);
	in->kind = E_IN;
	in->name = e->a->name;
	in->args = idx->args;
	in->nargs = idx->nargs;
	in->type = VT_LONG;
	guard_zero(a, e, in, idx);
}

static void rewrite_report_exprs(stp *g, const spec_report *r, bool guard)
{
	agg_rewrite rw = { g, r->nfrom ? r->from_maps[0] : NULL, guard };
	/* The walk is pre-order; rewritten nodes are marked (bind -1) or hold
	 * E_INDEX children and are skipped when revisited. */
	if (r->sort)
		expr_walk(r->sort, rewrite_agg, &rw);
	for (unsigned i = 0; i < r->ncols; i++)
		if (r->cols[i].e)
			expr_walk(r->cols[i].e, rewrite_agg, &rw);
}

static const char *limit_text(stp *g, const spec_report *r)
{
	if (r->limit_param)
		return arena_printf(g->a, " limit %s", r->limit_param->name);
	if (r->limit_lit)
		return arena_printf(g->a, " limit %lld", (long long)r->limit_lit);
	return "";
}

static const record_kind *kind_for_report(stp *g, const spec_report *r)
{
	for (unsigned i = 0; i < g->rs->nkinds; i++)
		if (g->rs->kinds[i].report == r)
			return &g->rs->kinds[i];
	return NULL;
}

static void emit_rows_report(stp *g, const spec_report *r, const record_kind *k)
{
	const spec_map *km = r->from_maps[0];
	if (km->nkeys == 0) {
		/* scalar aggregates: one row, when anything was collected */
		sb_printf(g->o, "\tif (@count(%s)", r->from[0]);
		for (unsigned i = 1; i < r->nfrom; i++)
			sb_printf(g->o, " || @count(%s)", r->from[i]);
		sb_puts(g->o, ")\n");
		const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
		for (unsigned i = 0; i < k->nfields; i++)
			args[i] = expr_text(g, k->fields[i].value);
		emit_record_printf(g, 2, k, args);
		return;
	}
	const char *keys = key_list(g, km);
	bool uni = r->nfrom > 1;
	rewrite_report_exprs(g, r, uni);
	const char *dir = r->sort_desc ? "-" : "+";
	const char *iter_over;	/* the array the printing foreach walks */
	const char *sort_suffix = "";
	const char *key_sort = NULL;
	if (r->sort && r->sort->kind == E_IDENT && r->sort->bind == NAME_KEY)
		key_sort = r->sort->name;
	/* One aggregate sorted by one of its own statistics: the idiom is
	 * `foreach ([k] in agg @sum- limit N)`, no temporary array. */
	bool direct = !uni && (!r->sort || key_sort ||
			       (r->sort->kind == E_AGG && r->sort->a &&
				r->sort->a->kind == E_INDEX));
	if (direct) {
		iter_over = r->from[0];
		if (r->sort && !key_sort) {
			static const char *const fn[] = { "", "@count", "@sum", "@min", "@max", "@avg" };
			sort_suffix = arena_printf(g->a, " %s%s", fn[r->sort->op], dir);
		}
	} else {
		iter_over = arena_printf(g->a, "_%s_sort", r->name);
		for (unsigned i = 0; i < r->nfrom; i++) {
			sb_printf(g->o, "\tforeach ([%s] in %s)\n", keys, r->from[i]);
			if (i > 0)
				sb_printf(g->o, "\t\tif (!([%s] in %s))\n\t", keys, iter_over);
			sb_printf(g->o, "\t\t%s[%s] = ", iter_over, keys);
			if (r->sort)
				put_expr(g, r->sort);
			else
				sb_puts(g->o, "0");
			sb_putc(g->o, '\n');
		}
	}
	/* key columns sorted in place: [pid, comm-] */
	strbuf kl = STRBUF_INIT;
	for (unsigned i = 0; i < km->nkeys; i++) {
		sb_printf(&kl, "%s%s", i ? ", " : "", km->keys[i].name);
		if (key_sort && !strcmp(key_sort, km->keys[i].name))
			sb_puts(&kl, dir);
	}
	const char *vsort = !direct ? dir : "";
	sb_printf(g->o, "\tforeach ([%s] in %s%s%s%s)\n", sb_str(&kl), iter_over, vsort,
		  sort_suffix, limit_text(g, r));
	sb_free(&kl);
	const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < k->nfields; i++)
		args[i] = expr_text(g, k->fields[i].value);
	emit_record_printf(g, 2, k, args);
	if (!direct)
		sb_printf(g->o, "\tdelete %s\n", iter_over);
}

static void emit_hist_report(stp *g, const spec_report *r, const record_kind *k)
{
	const spec_map *m = r->hist_map;
	const char *hist = r->hist == HIST_LINEAR
		? arena_printf(g->a, "@hist_linear(%%s, %lld, %lld, %lld)", (long long)r->lin_lo,
			       (long long)r->lin_hi, (long long)r->lin_step)
		: "@hist_log(%s)";
	const char *elem = m->nkeys ? arena_printf(g->a, "%s[%s]", m->name, key_list(g, m)) : m->name;
	const char *h = arena_printf(g->a, hist, elem);
	int ind = 1;
	if (m->nkeys) {
		sb_printf(g->o, "\tforeach ([%s] in %s)\n", key_list(g, m), m->name);
		ind = 2;
	} else {
		/* stap reports an empty aggregate as an error: check first */
		sb_printf(g->o, "\tif (@count(%s))\n", m->name);
		ind = 2;
	}
	sb_indent(g->o, ind);
	sb_printf(g->o, "foreach (bucket in %s)\n", h);
	sb_indent(g->o, ind + 1);
	sb_printf(g->o, "if (%s[bucket])\n", h);
	const char **args = arena_alloc(g->a, (k->nfields + 1) * sizeof(char *));
	for (unsigned i = 0; i < m->nkeys; i++)
		args[i] = m->keys[i].name;
	args[m->nkeys] = "bucket";
	args[m->nkeys + 1] = arena_printf(g->a, "%s[bucket]", h);
	emit_record_printf(g, ind + 2, k, args);
}

static bool same_trigger(const spec_report *a, const spec_report *b)
{
	return a->every_param == b->every_param && a->every_lit == b->every_lit &&
	       a->at_end == b->at_end;
}

static bool report_uses(const spec_report *r, const char *map)
{
	if (r->hist_map && !strcmp(r->hist_map->name, map))
		return true;
	for (unsigned i = 0; i < r->nfrom; i++)
		if (!strcmp(r->from[i], map))
			return true;
	return false;
}

/* Reports run in spec order on a trigger; the last one that reads an
 * aggregate clears it, so the next interval starts afresh. */
static void emit_clear(stp *g, const spec_report *r, const char *map)
{
	if (!r->every_param && !r->every_lit)
		return;	/* only at the end: nothing comes after it */
	for (const spec_report *q = r + 1; q < g->s->reports + g->s->nreports; q++)
		if (q->name && same_trigger(q, r) && report_uses(q, map))
			return;
	sb_printf(g->o, "\tdelete %s\n", map);
}

static void emit_report_function(stp *g, const spec_report *r)
{
	const record_kind *k = kind_for_report(g, r);
	if (!k)
		return;
	sb_printf(g->o, "function _report_%s()\n{\n", r->name);
	sb_printf(g->o, "\tprintf(\"@report\\t%s\\t%%d\\n\", gettimeofday_s())\n", r->name);
	if (r->hist)
		emit_hist_report(g, r, k);
	else
		emit_rows_report(g, r, k);
	sb_printf(g->o, "\tprintf(\"@report_end\\t%s\\n\")\n", r->name);
	if (r->hist && r->hist_map)
		emit_clear(g, r, r->hist_map->name);
	for (unsigned i = 0; i < r->nfrom; i++)
		if (!(r->hist_map && !strcmp(r->hist_map->name, r->from[i])))
			emit_clear(g, r, r->from[i]);
	sb_puts(g->o, "}\n\n");
}

/* One timer probe per distinct period; its reports run in spec order. */
static void emit_report_timers(stp *g)
{
	const spec *s = g->s;
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		if (!r->name || !(r->every_param || r->every_lit))
			continue;
		bool seen = false;
		for (unsigned j = 0; j < i && !seen; j++)
			seen = s->reports[j].name && s->reports[j].every_param == r->every_param &&
			       s->reports[j].every_lit == r->every_lit;
		if (seen)
			continue;
		if (r->every_param) {
			/* A run-time interval cannot be a timer literal: tick and count. */
			sb_printf(g->o, "probe timer.%s(1)\n{\n", r->every_param->unit_ms ? "ms" : "s");
			sb_printf(g->o, "\tif (!%s || ++_%s_ticks < %s)\n\t\tnext\n", r->every_param->name,
				  r->name, r->every_param->name);
			sb_printf(g->o, "\t_%s_ticks = 0\n", r->name);
		} else if (r->every_lit % 1000 == 0) {
			sb_printf(g->o, "probe timer.s(%lld)\n{\n", (long long)(r->every_lit / 1000));
		} else {
			sb_printf(g->o, "probe timer.ms(%lld)\n{\n", (long long)r->every_lit);
		}
		for (unsigned j = i; j < s->nreports; j++) {
			const spec_report *q = &s->reports[j];
			if (!q->name || q->every_param != r->every_param || q->every_lit != r->every_lit)
				continue;
			sb_printf(g->o, "\t_report_%s()\n", q->name);
		}
		for (unsigned j = i; j < s->nreports; j++) {
			const spec_report *q = &s->reports[j];
			if (!q->name || q->every_param != r->every_param || q->every_lit != r->every_lit)
				continue;
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
	sb_puts(g->o, "# Do not edit: change the spec and regenerate.\n");
	if (s->guru)
		sb_puts(g->o, "#\n# GURU MODE: this script may change kernel state (stap -g).\n");
	if (s->nparams) {
		sb_puts(g->o, "#\n# Parameters (stap -G name=value, or staprun tool.ko name=value):\n");
		for (unsigned i = 0; i < s->nparams; i++) {
			const spec_param *p = &s->params[i];
			const char *t = p->type == PT_INT ? "int" : p->type == PT_STRING ? "string"
				      : p->type == PT_SWITCH ? "0/1"
				      : p->unit_ms ? "ms" : "seconds";
			sb_printf(g->o, "#   %-12s %-8s %s\n", p->name, t, p->help ? p->help : "");
		}
	}
	unsigned nflags;
	const char **flags = stap_run_flags(s, &nflags);
	if (nflags) {
		sb_puts(g->o, "#\n# Run with:");
		for (unsigned i = 0; i < nflags; i++)
			sb_printf(g->o, " %s", flags[i]);
		sb_putc(g->o, '\n');
	}
	free(flags);
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

static void emit_globals(stp *g)
{
	const spec *s = g->s;
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (p->type == PT_STRING) {
			sb_printf(g->o, "global %s = \"", p->name);
			stap_string_literal(g->o, p->sval ? p->sval : "", p->sval ? strlen(p->sval) : 0);
			sb_puts(g->o, "\"\n");
		} else {
			sb_printf(g->o, "global %s = %lld\n", p->name, (long long)p->ival);
		}
	}
	if (s->nparams)
		sb_putc(g->o, '\n');
	for (unsigned i = 0; i < s->nmaps; i++) {
		const spec_map *m = &s->maps[i];
		sb_printf(g->o, "global %s", m->name);
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
		bool first_of_period = true;	/* one tick counter per timer probe */
		for (unsigned j = 0; j < i; j++)
			if (s->reports[j].name && s->reports[j].every_param == r->every_param)
				first_of_period = false;
		if (r->every_param && first_of_period)
			sb_printf(g->o, "global _%s_ticks\n", r->name), any = true;
		if (r->count_param || r->count_lit)
			sb_printf(g->o, "global _%s_reports\n", r->name), any = true;
		if (!r->hist && r->nfrom > 1)
			sb_printf(g->o, "global _%s_sort\n", r->name), any = true;
	}
	if (s->nmaps || any)
		sb_putc(g->o, '\n');
}

void emit_stp(strbuf *out, arena *a, const spec *s, const record_set *rs, const emit_opts *o)
{
	stp g = { out, a, s, rs, false, { 0, 0, 0 }, o->map, 0, 0, 1 };
	g.portable = !kver_parse(o->kver, g.kv);
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
	sb_printf(out, "probe begin\n{\n\tprintf(\"@stapgen\\t%s\\t1\\n\")\n}\n\n", s->tool);
	for (unsigned i = 0; i < s->nprobes; i++)
		emit_probe(&g, &s->probes[i]);
	for (unsigned i = 0; i < s->nreports; i++)
		emit_report_function(&g, &s->reports[i]);
	emit_report_timers(&g);
	sb_puts(out, "probe end\n{\n");
	for (unsigned i = 0; i < s->nreports; i++)
		if (s->reports[i].name && s->reports[i].at_end)
			sb_printf(out, "\t_report_%s()\n", s->reports[i].name);
	sb_puts(out, "\tprintf(\"@end\\n\")\n}\n");
}
