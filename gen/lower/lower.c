/* Lowering: checked spec -> what the .stp emitter prints (see lower.h).
 * Reads the spec, builds new nodes; nothing here writes to the spec. */
#include "lower.h"

#include <string.h>

#include "../check/check_expr.h"

typedef struct lower {
	arena *a;
	const spec *s;
	const record_set *rs;
	bool portable;
	unsigned kv[3];
	/* the probe being lowered: aggregate elements its statements so far
	 * collected into (`lat[pid()]`), printed; not empty after that */
	const char **collected;
	unsigned ncollected;
	unsigned script_funcs;	/* lowered.script_funcs */
} lower;

static bool was_collected(const lower *L, const expr *target)
{
	strbuf t = STRBUF_INIT;
	expr_print_stap(&t, target);
	bool found = false;
	for (unsigned i = 0; i < L->ncollected && !found; i++)
		found = !strcmp(L->collected[i], sb_str(&t));
	sb_free(&t);
	return found;
}

/* ---- copying, with the report rewrite ---------------------------------- */

/* Row reports read aggregates for the row's key: @sum(reads) in a row of
 * [pid, comm] is @sum(reads[pid, comm]). */
typedef struct row_ctx {
	const spec_map *keys;	/* the rows' keys; NULL: copy as is */
	const spec_report *r;
	bool guard;		/* the row's key may be missing from any aggregate */
	const char *const *key_vars;	/* lreport.key_vars */
} row_ctx;

/* A report's loop variable for `name`: the name itself, unless a global
 * has it (stap binds a foreach variable to a global of that name, which the
 * report would then overwrite: a filter parameter, say).  Spec names start
 * with a letter and generated globals with one '_', so `__NAME` is no
 * global's name. */
static const char *loop_var(lower *L, const char *name)
{
	if (!spec_find_param(L->s, name) && !spec_find_map(L->s, name))
		return name;
	return arena_printf(L->a, "__%s", name);
}

static const char *const *key_vars_of(lower *L, const spec_map *m)
{
	const char **v = arena_alloc(L->a, (m->nkeys + 1) * sizeof *v);
	for (unsigned i = 0; i < m->nkeys; i++)
		v[i] = m->keys[i].name ? loop_var(L, m->keys[i].name) : "?";
	return v;
}

/* The printed name of key column `kc` of the rows' map. */
static const char *key_var(const row_ctx *rows, const void *kc)
{
	const spec_map *m = rows->keys;
	if (!m || !rows->key_vars || (const spec_keycol *)kc < m->keys ||
	    (const spec_keycol *)kc >= m->keys + m->nkeys)
		return NULL;
	return rows->key_vars[(const spec_keycol *)kc - m->keys];
}

/* Rows come from the report's `from` aggregates: with one, its keys are
 * all there; any other aggregate (same keys) may lack a row's key. */
static bool may_lack_key(const row_ctx *rows, const spec_map *m)
{
	if (rows->guard)
		return true;
	for (unsigned i = 0; i < rows->r->nfrom; i++)
		if (rows->r->from_maps[i] == m)
			return false;
	return true;
}

static expr *node_like(lower *L, const expr *e)
{
	expr *n = arena_alloc(L->a, sizeof *n);
	*n = *e;
	return n;
}

static expr *new_node(lower *L, expr_kind kind, vtype t)
{
	expr *n = arena_alloc(L->a, sizeof *n);
	n->kind = kind;
	n->type = t;
	return n;
}

static expr *copy(lower *L, const expr *e, const row_ctx *rows);

/* `cond ? agg : 0`, located where the aggregate use was. */
static expr *guard_zero(lower *L, expr *cond, expr *agg)
{
	expr *t = new_node(L, E_TERNARY, VT_LONG);
	t->a = cond;
	t->b = agg;
	t->c = new_node(L, E_INT, VT_LONG);
	t->loc = agg->loc;
	t->span = agg->span;
	return t;
}

/* An aggregate statistic in a row, or NULL if `e` is not one to rewrite. */
static expr *row_key_index(lower *L, const expr *id, const row_ctx *rows)
{
	const spec_map *k = rows->keys;
	expr *idx = new_node(L, E_INDEX, VT_UNKNOWN);
	idx->a = copy(L, id, NULL);
	idx->nargs = k->nkeys;
	idx->args = arena_alloc(L->a, (k->nkeys + 1) * sizeof(expr *));
	for (unsigned i = 0; i < k->nkeys; i++) {
		idx->args[i] = new_node(L, E_IDENT, k->keys[i].type);
		idx->args[i]->name = k->keys[i].name;
		if (rows->key_vars && k->keys[i].name && strcmp(rows->key_vars[i], k->keys[i].name))
			idx->args[i]->emit_name = rows->key_vars[i];
	}
	return idx;
}

static expr *row_agg(lower *L, const expr *e, const row_ctx *rows)
{
	/* a report from a state map: its bare name is the row's value */
	if (rows->keys && !rows->keys->is_agg && e->kind == E_IDENT && e->bind == NAME_STATE &&
	    e->bind_ptr == rows->keys) {
		expr *idx = row_key_index(L, e, rows);
		idx->type = e->type;
		idx->loc = e->loc;
		idx->span = e->span;
		return idx;
	}
	if (e->kind != E_AGG || !e->a || e->a->kind != E_IDENT)
		return NULL;
	const spec_map *m = e->a->bind_ptr;
	if (m && m->nkeys == 0) {
		expr *id = copy(L, e->a, NULL);
		/* A scalar aggregate (a total, say) is the same in every row, and
		 * a report of scalar aggregates prints its row in every interval;
		 * stap reports @sum/@min/@max/@avg of an empty one as an error. */
		if (e->op == AGG_COUNT)
			return NULL;
		expr *cnt = node_like(L, e), *agg = node_like(L, e);
		cnt->op = AGG_COUNT;
		cnt->a = agg->a = id;
		return guard_zero(L, cnt, agg);
	}
	if (!rows->keys)
		return NULL;
	expr *idx = row_key_index(L, e->a, rows);
	expr *agg = node_like(L, e);
	agg->a = idx;
	if (!may_lack_key(rows, m))
		return agg;
	/* the row's key came from another aggregate: absent here counts as 0 */
	expr *in = new_node(L, E_IN, VT_LONG);
	in->name = e->a->name;
	in->args = idx->args;
	in->nargs = idx->nargs;
	return guard_zero(L, in, agg);
}

/* A statistic read in a probe: stap stops the run with an error on
 * @sum/@min/@max/@avg of an empty aggregate (or key), so it reads 0 there:
 * `@count(x[k]) ? @avg(x[k]) : 0`, unless the probe has just collected
 * into x[k].  NULL if e is not one to guard. */
static expr *probe_agg(lower *L, const expr *e)
{
	if (e->kind != E_AGG || e->op == AGG_COUNT || was_collected(L, e->a))
		return NULL;
	expr *cnt = node_like(L, e), *agg = node_like(L, e);
	cnt->op = AGG_COUNT;
	cnt->a = copy(L, e->a, NULL);
	agg->a = copy(L, e->a, NULL);
	return guard_zero(L, cnt, agg);
}

/* A fresh copy of e (NULL rows: a probe's, statistics guarded). */
static expr *copy(lower *L, const expr *e, const row_ctx *rows)
{
	if (!e)
		return NULL;
	expr *n = rows ? row_agg(L, e, rows) : probe_agg(L, e);
	if (n)
		return n;
	n = node_like(L, e);
	if (rows && e->kind == E_IDENT && e->bind == NAME_KEY) {
		const char *v = key_var(rows, e->bind_ptr);
		if (v && strcmp(v, e->name))
			n->emit_name = v;
	}
	if (e->kind == E_CALL) {
		int si = script_func_index(e->name);
		if (si >= 0)
			L->script_funcs |= 1u << si;
	}
	n->a = copy(L, e->a, rows);
	n->b = copy(L, e->b, rows);
	n->c = copy(L, e->c, rows);
	if (e->nargs) {
		n->args = arena_alloc(L->a, e->nargs * sizeof(expr *));
		for (size_t i = 0; i < e->nargs; i++)
			n->args[i] = copy(L, e->args[i], rows);
	}
	return n;
}

/* ---- @defined in a condition ---------------------------------------------
 * stap 4.8 fails -p2 on a false `@defined($rq)` inside a longer condition
 * (`@defined($rq) && $rq->q != 0`: the other operand's $rq is resolved
 * too), while its own idiom folds the dead branch away first:
 * choose_defined.stpm is `@defined(a) ? (a) : (b)`.  So in a condition's
 * chain `c1 && @defined(x) && rest`, the rest goes under the @defined:
 * `c1 && (@defined(x) ? rest : 0)`; likewise `!@defined(x) || rest` is
 * `@defined(x) ? rest : 1`.  Only conditions: truth is all that counts. */

static unsigned chain_len(const expr *e, int op)
{
	if (e->kind == E_BINARY && e->op == op)
		return chain_len(e->a, op) + chain_len(e->b, op);
	return 1;
}

static void chain_fill(expr *e, int op, expr **out, unsigned *n)
{
	if (e->kind == E_BINARY && e->op == op) {
		chain_fill(e->a, op, out, n);
		chain_fill(e->b, op, out, n);
	} else
		out[(*n)++] = e;
}

/* The @defined a link of the chain guards the rest with, or NULL. */
static expr *chain_guard(expr *e, int op)
{
	if (op == OP_AND && e->kind == E_DEFINED)
		return e;
	if (op == OP_OR && e->kind == E_UNARY && e->op == OP_NOT && e->a && e->a->kind == E_DEFINED)
		return e->a;
	return NULL;
}

static expr *guard_defined(lower *L, expr *e);

/* links [i, n) of a chain of op, with its guards */
static expr *chain_build(lower *L, expr **links, unsigned i, unsigned n, int op, const expr *at)
{
	expr *acc = NULL;
	for (; i < n; i++) {
		expr *g = i + 1 < n ? chain_guard(links[i], op) : NULL;
		expr *link = links[i];
		if (g) {
			link = new_node(L, E_TERNARY, VT_LONG);
			link->a = g;
			link->b = chain_build(L, links, i + 1, n, op, at);
			link->c = new_node(L, E_INT, VT_LONG);
			link->c->ival = op == OP_OR;
			link->loc = at->loc;
			link->span = at->span;
			i = n;
		}
		if (acc) {
			expr *b = new_node(L, E_BINARY, VT_LONG);
			b->op = op;
			b->a = acc;
			b->b = link;
			b->loc = at->loc;
			b->span = at->span;
			link = b;
		}
		acc = link;
	}
	return acc;
}

/* e: a copy this pass owns, rewritten in place where it has no guard. */
static expr *guard_defined(lower *L, expr *e)
{
	if (!e)
		return NULL;
	if (e->kind == E_BINARY && (e->op == OP_AND || e->op == OP_OR)) {
		unsigned n = chain_len(e, e->op), k = 0;
		expr **links = arena_alloc(L->a, n * sizeof *links);
		chain_fill(e, e->op, links, &k);
		bool any = false;
		for (unsigned i = 0; i < n; i++) {
			links[i] = guard_defined(L, links[i]);
			any |= i + 1 < n && chain_guard(links[i], e->op);
		}
		return any ? chain_build(L, links, 0, n, e->op, e) : e;
	}
	if (e->kind == E_UNARY && e->op == OP_NOT)
		e->a = guard_defined(L, e->a);
	else if (e->kind == E_TERNARY)
		e->b = guard_defined(L, e->b), e->c = guard_defined(L, e->c);
	return e;
}

/* A condition as the script tests it. */
static expr *lower_cond(lower *L, const expr *e)
{
	return guard_defined(L, copy(L, e, NULL));
}

/* ---- negated filters: `if (a == b) next` reads better than `if (!(a != b)) next`,
 * and `if (destport != 0 && port != destport)` better than `if (!(destport == 0 || ...))` */
static bool negates_cleanly(const expr *e, int depth)
{
	if (depth > 8)
		return false;
	if (e->kind == E_UNARY && e->op == OP_NOT)
		return true;
	if (e->kind == E_INT && !e->sval)
		return true;
	if (e->kind == E_TERNARY)	/* `@defined(x) ? x == 0 : 1` */
		return negates_cleanly(e->b, depth + 1) && negates_cleanly(e->c, depth + 1);
	if (e->kind == E_BINARY)
		switch (e->op) {
		case OP_EQ: case OP_NE: case OP_LT: case OP_GE: case OP_GT: case OP_LE:
			return true;
		case OP_AND: case OP_OR:
			return negates_cleanly(e->a, depth + 1) && negates_cleanly(e->b, depth + 1);
		}
	return false;
}

/* !e, built from e (a copy this pass owns). */
static expr *negate(lower *L, expr *e)
{
	static const int inv[][2] = { { OP_EQ, OP_NE }, { OP_NE, OP_EQ }, { OP_LT, OP_GE },
				      { OP_GE, OP_LT }, { OP_GT, OP_LE }, { OP_LE, OP_GT } };
	if (e->kind == E_UNARY && e->op == OP_NOT)
		return e->a;
	if (e->kind == E_TERNARY && negates_cleanly(e, 0)) {
		e->b = negate(L, e->b);
		e->c = negate(L, e->c);
		return e;
	}
	if (e->kind == E_INT && !e->sval) {
		e->ival = !e->ival;
		return e;
	}
	if (e->kind == E_BINARY) {
		for (size_t i = 0; i < sizeof inv / sizeof inv[0]; i++)
			if (e->op == inv[i][0]) {
				e->op = inv[i][1];
				return e;
			}
		if ((e->op == OP_AND || e->op == OP_OR) && negates_cleanly(e, 0)) {
			e->op = e->op == OP_AND ? OP_OR : OP_AND;	/* De Morgan */
			e->a = negate(L, e->a);
			e->b = negate(L, e->b);
			return e;
		}
	}
	expr *n = new_node(L, E_UNARY, VT_LONG);
	n->op = OP_NOT;
	n->a = e;
	n->loc = e->loc;
	n->span = e->span;
	return n;
}

/* ---- probe bodies --------------------------------------------------------- */

typedef struct body {
	lower *L;
	const spec_probe *p;
	bool *let_done;		/* emitted already */
	bool *del_done;
	/* the conditions of conditional stores, collects, deletes (in that
	 * order, one per entry; NULL: none or not yet lowered) */
	const expr **whens;
	unsigned nwhen_vars;
	lstmt *st;
	unsigned n, cap;
} body;

static lstmt *push(body *b, lstmt_kind kind)
{
	if (b->n == b->cap) {
		unsigned cap = b->cap ? 2 * b->cap : 16;
		b->st = arena_realloc(b->L->a, b->st, b->cap * sizeof *b->st, cap * sizeof *b->st);
		b->cap = cap;
	}
	lstmt *s = &b->st[b->n++];
	memset(s, 0, sizeof *s);
	s->kind = kind;
	return s;
}

static void lower_let(body *b, unsigned i);

static void let_dep(const expr *e, void *ctx)
{
	body *b = ctx;
	if (e->kind != E_IDENT || e->bind != NAME_VALUE || !e->bind_ptr)
		return;
	const spec_let *l = e->bind_ptr;
	/* a point's binding is no value of the body (and lets may be NULL) */
	if (b->p->nlets && l >= b->p->lets && l < b->p->lets + b->p->nlets && !b->let_done[l - b->p->lets])
		lower_let(b, (unsigned)(l - b->p->lets));
}

/* Values are computed just before their first use. */
static void needs(body *b, const expr *e)
{
	expr_walk(e, let_dep, b);
}

/* The alternative of a value that applies to the target kernel. */
static const expr *let_for_kernel(const lower *L, const spec_let *l)
{
	for (unsigned i = 0; i < l->nalts; i++)
		if (kver_range_match(&l->alts[i].range, L->kv))
			return l->alts[i].e;
	return l->e;
}

static void lower_let(body *b, unsigned i)
{
	const spec_let *l = &b->p->lets[i];
	b->let_done[i] = true;
	if (!l->nalts || !b->L->portable) {
		const expr *e = l->nalts ? let_for_kernel(b->L, l) : l->e;
		needs(b, e);
		lstmt *s = push(b, LS_LET);
		s->name = l->name;
		s->value = copy(b->L, e, NULL);
		return;
	}
	/* portable: every alternative, chosen by stap with %( kernel_v ... %) */
	for (unsigned k = 0; k < l->nalts; k++)
		needs(b, l->alts[k].e);
	lalt *alts = arena_alloc(b->L->a, l->nalts * sizeof *alts);
	for (unsigned k = 0; k < l->nalts; k++)
		alts[k] = (lalt){ &l->alts[k].range, copy(b->L, l->alts[k].e, NULL) };
	lstmt *s = push(b, LS_LET);
	s->name = l->name;
	s->alts = alts;
	s->nalts = l->nalts;
}

typedef struct map_read {
	const char *map;
	bool found;
} map_read;

static void find_map_read(const expr *e, void *ctx)
{
	map_read *mr = ctx;
	if ((e->kind == E_INDEX && e->a && e->a->kind == E_IDENT && !strcmp(e->a->name, mr->map)) ||
	    (e->kind == E_IN && e->name && !strcmp(e->name, mr->map)))
		mr->found = true;
}

typedef struct delete_ctx {
	const body *b;
	const char *map;
	bool blocked;		/* read by something not computed yet */
	bool by_value;		/* read by a value already computed */
} delete_ctx;

static void delete_site(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	delete_ctx *dc = ctx;
	if (site == SX_DELETE)
		return;
	map_read mr = { dc->map, false };
	expr_walk(e, find_map_read, &mr);
	if (!mr.found)
		return;
	if (site != SX_LET)
		dc->blocked = true;
	else if (dc->b->p->lets[idx].used)
		(dc->b->let_done[idx] ? &dc->by_value : &dc->blocked)[0] = true;
}

/* `delete m[k]` can go right after the values that read m[k] are computed,
 * before the filters that follow them: then an event that is filtered out
 * still clears its entry (a start time, say) instead of leaking it.  Only
 * when nothing but values touches m. */
static bool delete_ready(const body *b, unsigned i)
{
	const expr *del = b->p->deletes[i];
	if (b->p->delete_whens[i])
		return false;	/* a conditional delete stays with the other writes */
	delete_ctx dc = { b, del->a->name, false, false };
	probe_exprs(b->p, delete_site, &dc);
	return !dc.blocked && dc.by_value;
}

/* The `when` of write w (stores, then collects, then deletes), lowered:
 * the local it was computed into before the writes, or the condition. */
static const expr *lower_when(body *b, const expr *when)
{
	if (!when)
		return NULL;
	needs(b, when);
	return lower_cond(b->L, when);
}

static const expr *write_when(body *b, unsigned w, const expr *when)
{
	if (when && !b->whens[w])
		b->whens[w] = lower_when(b, when);
	return when ? b->whens[w] : NULL;
}

static void lower_delete(body *b, unsigned i)
{
	const spec_probe *p = b->p;
	b->del_done[i] = true;
	const expr *when = write_when(b, p->nstores + p->ncollects + i, p->delete_whens[i]);
	needs(b, p->deletes[i]);
	lstmt *s = push(b, LS_DELETE);
	s->target = copy(b->L, p->deletes[i], NULL);
	s->when = when;
}

/* Whether a and b print the same once one of them is negated: `x < 0`
 * and `x >= 0`, `!ok` and `ok`. */
static bool negations(lower *L, const expr *a, const expr *b)
{
	strbuf x = STRBUF_INIT, y = STRBUF_INIT;
	expr_print_stap(&x, negate(L, copy(L, a, NULL)));
	expr_print_stap(&y, b);
	bool r = !strcmp(sb_str(&x), sb_str(&y));
	sb_free(&x);
	sb_free(&y);
	return r;
}

/* Counts, for each value, the emits whose columns print it. */
typedef struct let_uses {
	const spec_probe *p;
	unsigned *count, *seen;	/* seen[k]: the last emit (1-based) counted */
	unsigned emit;
} let_uses;

static void count_let(const expr *e, void *ctx)
{
	let_uses *u = ctx;
	if (e->kind != E_IDENT || e->bind != NAME_VALUE || !e->bind_ptr)
		return;
	const spec_let *l = e->bind_ptr;
	if (!u->p->nlets || l < u->p->lets || l >= u->p->lets + u->p->nlets)
		return;
	unsigned k = (unsigned)(l - u->p->lets);
	if (u->seen[k] != u->emit) {
		u->seen[k] = u->emit;
		u->count[k]++;
	}
}

/* Several records, one of which is always printed (one has no `when`, or
 * one's `when` negates the one's before it: if/else): a value every one of
 * them prints is computed once, before them, not in each branch. */
static void hoist_shared_values(body *b)
{
	const spec_probe *p = b->p;
	if (p->nemits < 2)
		return;
	bool always = false;
	for (unsigned i = 0; i < p->nemits && !always; i++)
		always = !p->emits[i].when ||
			 (i > 0 && p->emits[i - 1].when && negations(b->L, p->emits[i - 1].when, p->emits[i].when));
	if (!always)
		return;
	let_uses u = { p, arena_alloc(b->L->a, (p->nlets + 1) * sizeof(unsigned)),
		       arena_alloc(b->L->a, (p->nlets + 1) * sizeof(unsigned)), 0 };
	for (unsigned i = 0; i < p->nemits; i++) {
		u.emit = i + 1;
		for (unsigned j = 0; j < p->emits[i].ncols; j++)
			expr_walk(p->emits[i].cols[j].e, count_let, &u);
	}
	for (unsigned k = 0; k < p->nlets; k++)
		if (!b->let_done[k] && u.count[k] == p->nemits)
			lower_let(b, k);
}

/* One emitted record.  Unconditional: its values are computed before it,
 * as any statement's.  Under `when`: the condition's values before the
 * `if`, the values only the record needs inside it (a value computed in a
 * branch is not computed after it). */
static void lower_emit(body *b, const spec_emit *em)
{
	lower *L = b->L;
	const record_kind *k = em->record ? record_event_kind(L->rs, em->record) : NULL;
	if (!k || k->nfields != em->ncols)
		return;
	const expr **args = arena_alloc(L->a, (k->nfields + 1) * sizeof(expr *));
	const expr **origins = arena_alloc(L->a, (k->nfields + 1) * sizeof(expr *));
	if (!em->when) {
		for (unsigned i = 0; i < k->nfields; i++) {
			needs(b, em->cols[i].e);
			args[i] = copy(L, em->cols[i].e, NULL);
			origins[i] = em->cols[i].e;
		}
		lstmt *s = push(b, LS_RECORD);
		s->rec = k;
		s->args = args;
		s->origins = origins;
		return;
	}
	needs(b, em->when);
	const lstmt *prev = b->n ? &b->st[b->n - 1] : NULL;
	bool els = prev && prev->kind == LS_RECORD && prev->when && !prev->els &&
		   negations(L, prev->when, em->when);
	/* the branch's own statements */
	bool *done = arena_alloc(L->a, (b->p->nlets + 1) * sizeof(bool));
	memcpy(done, b->let_done, b->p->nlets * sizeof(bool));
	lstmt *st = b->st;
	unsigned n = b->n, cap = b->cap;
	b->st = NULL;
	b->n = b->cap = 0;
	for (unsigned i = 0; i < k->nfields; i++) {
		needs(b, em->cols[i].e);
		args[i] = copy(L, em->cols[i].e, NULL);
		origins[i] = em->cols[i].e;
	}
	const lstmt *inner = b->st;
	unsigned ninner = b->n;
	b->st = st;
	b->n = n;
	b->cap = cap;
	memcpy(b->let_done, done, b->p->nlets * sizeof(bool));
	lstmt *s = push(b, LS_RECORD);
	s->rec = k;
	s->args = args;
	s->origins = origins;
	s->when = lower_cond(L, em->when);
	s->inner = inner;
	s->ninner = ninner;
	s->els = els;
}

static void lower_assign(body *b, lstmt_kind kind, unsigned w, const spec_assign *as)
{
	const expr *when = write_when(b, w, as->when);
	needs(b, as->target);
	needs(b, as->value);
	lstmt *s = push(b, kind);
	s->target = copy(b->L, as->target, NULL);
	s->value = copy(b->L, as->value, NULL);
	s->when = when;
	/* an unconditional collect runs on every event that passes the filters
	 * (they come first, with `next`): the element is not empty for every
	 * statement after this one, unless its key reads a map (a store or
	 * delete could change that key) */
	strbuf t = STRBUF_INIT;
	expr_print_stap(&t, s->target);
	const char *txt = sb_str(&t);
	const char *br = strchr(txt, '[');
	if (kind == LS_COLLECT && !when && (!br || !strchr(br + 1, '['))) {
		lower *L = b->L;
		if ((L->ncollected & (L->ncollected - 1)) == 0)	/* 0, 1, 2, 4 ...: grow */
			L->collected = arena_realloc(L->a, L->collected, L->ncollected * sizeof(char *),
						     (L->ncollected ? 2 * L->ncollected : 1) * sizeof(char *));
		L->collected[L->ncollected++] = arena_strdup(L->a, txt);
	}
	sb_free(&t);
}

/* An alternative's bindings: each value as written (or its alternative
 * for the target kernel), in order; they are few and cheap, computed
 * whichever the body needs. */
static const lbinding *lower_bindings(lower *L, const spec_probe *p)
{
	if (!p->binder)
		return NULL;
	lbinding *pts = arena_alloc(L->a, p->npoints * sizeof *pts);
	for (unsigned j = 0; j < p->npoints; j++) {
		const spec_point *pt = &p->points[j];
		lstmt *st = arena_alloc(L->a, (pt->nlets + 1) * sizeof *st);
		for (unsigned i = 0; i < pt->nlets; i++) {
			const spec_let *l = &pt->lets[i];
			st[i].kind = LS_LET;
			st[i].name = l->name;
			if (!l->nalts || !L->portable) {
				st[i].value = copy(L, l->nalts ? let_for_kernel(L, l) : l->e, NULL);
				continue;
			}
			lalt *alts = arena_alloc(L->a, l->nalts * sizeof *alts);
			for (unsigned k = 0; k < l->nalts; k++)
				alts[k] = (lalt){ &l->alts[k].range, copy(L, l->alts[k].e, NULL) };
			st[i].alts = alts;
			st[i].nalts = l->nalts;
		}
		pts[j] = (lbinding){ st, pt->nlets };
	}
	return pts;
}

/* Whether e reads the map m (an entry, `in`, a statistic, or a scalar by name). */
typedef struct reads_map {
	const spec_map *m;
	bool found;
} reads_map;

static void find_reads_map(const expr *e, void *ctx)
{
	reads_map *rm = ctx;
	if (e->bind_ptr == rm->m && (e->bind == NAME_STATE || e->bind == NAME_AGG))
		rm->found = true;
	if (e->kind == E_IN && e->name && !strcmp(e->name, rm->m->name))
		rm->found = true;
}

/* A value is the event's: one that reads a map this probe stores or
 * collects into reads it as it was before them (`prev: oldsec[dev]` then
 * `store: { oldsec[dev]: sector }`; `max: @max(times[f])` then a collect
 * into times[f]), so it is computed before the first of them, not at its
 * first use after them. */
static void lower_snapshot_lets(body *b)
{
	const spec_probe *p = b->p;
	for (unsigned k = 0; k < p->nlets; k++) {
		if (b->let_done[k] || !p->lets[k].used)
			continue;
		bool reads = false;
		for (unsigned w = 0; w < p->nstores + p->ncollects && !reads; w++) {
			const spec_assign *as = w < p->nstores ? &p->stores[w] : &p->collects[w - p->nstores];
			if (!as->map)
				continue;
			reads_map rm = { as->map, false };
			expr_walk(p->lets[k].e, find_reads_map, &rm);
			for (unsigned j = 0; j < p->lets[k].nalts && !rm.found; j++)
				expr_walk(p->lets[k].alts[j].e, find_reads_map, &rm);
			reads = rm.found;
		}
		if (reads)
			lower_let(b, k);
	}
}

/* Whether e reads a map this probe stores, collects into or deletes from. */
static bool reads_written_map(const spec_probe *p, const expr *e)
{
	unsigned nw = p->nstores + p->ncollects + p->ndeletes;
	for (unsigned w = 0; w < nw; w++) {
		const spec_map *m;
		if (w < p->nstores + p->ncollects)
			m = (w < p->nstores ? &p->stores[w] : &p->collects[w - p->nstores])->map;
		else
			m = p->deletes[w - p->nstores - p->ncollects]->a->bind_ptr;
		reads_map rm = { m, false };
		if (m)
			expr_walk(e, find_reads_map, &rm);
		if (rm.found)
			return true;
	}
	return false;
}

/* The conditions of the conditional writes see the maps as the event found
 * them, whichever order the writes run in (a mapping's keys have none): one
 * that reads a map the probe writes is computed into `__whenN` before the
 * first write. */
static void lower_snapshot_whens(body *b)
{
	const spec_probe *p = b->p;
	unsigned nw = p->nstores + p->ncollects + p->ndeletes;
	for (unsigned w = 0; w < nw; w++) {
		const expr *when = w < p->nstores		  ? p->stores[w].when
				   : w < p->nstores + p->ncollects ? p->collects[w - p->nstores].when
								   : p->delete_whens[w - p->nstores - p->ncollects];
		if (!when || !reads_written_map(p, when))
			continue;
		const expr *c = lower_when(b, when);
		lstmt *s = push(b, LS_LET);
		s->name = arena_printf(b->L->a, "__when%u", ++b->nwhen_vars);
		s->value = c;
		expr *id = new_node(b->L, E_IDENT, VT_LONG);
		id->name = s->name;
		id->loc = when->loc;
		id->span = when->span;
		b->whens[w] = id;
	}
}

static lprobe lower_probe(lower *L, const spec_probe *p)
{
	L->collected = NULL;
	L->ncollected = 0;
	body b = { L, p, arena_alloc(L->a, (p->nlets + 1) * sizeof(bool)),
		   arena_alloc(L->a, (p->ndeletes + 1) * sizeof(bool)),
		   arena_alloc(L->a, (p->nstores + p->ncollects + p->ndeletes + 1) * sizeof(expr *)), 0,
		   NULL, 0, 0 };
	for (unsigned i = 0; i < p->nfilters; i++) {
		needs(&b, p->filters[i]);
		for (unsigned j = 0; j < p->ndeletes; j++)
			if (!b.del_done[j] && delete_ready(&b, j))
				lower_delete(&b, j);
		lstmt *s = push(&b, LS_FILTER);
		s->value = negate(L, lower_cond(L, p->filters[i]));
		s->origin = p->filters[i];
	}
	lower_snapshot_lets(&b);
	lower_snapshot_whens(&b);
	for (unsigned i = 0; i < p->nstores; i++)
		lower_assign(&b, LS_STORE, i, &p->stores[i]);
	for (unsigned i = 0; i < p->ncollects; i++)
		lower_assign(&b, LS_COLLECT, p->nstores + i, &p->collects[i]);
	/* side effects (guru): after the writes, before the records */
	for (unsigned i = 0; i < p->nsets; i++) {
		const spec_assign *as = &p->sets[i];
		const expr *when = lower_when(&b, as->when);
		needs(&b, as->target);
		needs(&b, as->value);
		lstmt *s = push(&b, LS_SET);
		s->target = copy(L, as->target, NULL);
		s->value = copy(L, as->value, NULL);
		s->when = when;
	}
	for (unsigned i = 0; i < p->ncalls; i++) {
		const expr *when = lower_when(&b, p->call_whens[i]);
		needs(&b, p->calls[i]);
		lstmt *s = push(&b, LS_CALL);
		s->value = copy(L, p->calls[i], NULL);
		s->when = when;
	}
	hoist_shared_values(&b);
	for (unsigned i = 0; i < p->nemits; i++)
		lower_emit(&b, &p->emits[i]);
	for (unsigned i = 0; i < p->ndeletes; i++)
		if (!b.del_done[i])
			lower_delete(&b, i);
	/* last: the records of this event are printed first.  A constant
	 * condition is folded: `exit: 1` is a plain exit(), `exit: 0` none. */
	const expr *ew = p->exit_when;
	if (ew && !(ew->kind == E_INT && ew->ival == 0)) {
		needs(&b, ew);
		lstmt *s = push(&b, LS_EXIT);
		s->value = ew->kind == E_INT ? NULL : lower_cond(L, ew);
		s->origin = ew;
	}
	bool *on = arena_alloc(L->a, (p->npoints + 1) * sizeof *on);
	for (unsigned j = 0; j < p->npoints; j++)
		on[j] = L->portable || kver_range_match(&p->points[j].range, L->kv);
	return (lprobe){ p, b.st, b.n, lower_bindings(L, p), on };
}

/* ---- reports -------------------------------------------------------------- */

static const record_kind *kind_for_report(const lower *L, const spec_report *r)
{
	for (unsigned i = 0; i < L->rs->nkinds; i++)
		if (L->rs->kinds[i].report == r)
			return &L->rs->kinds[i];
	return NULL;
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
static void add_clear(lower *L, const spec_report *r, const char *map, const char **clears,
		      unsigned *n)
{
	if (!r->every_param && !r->every_lit)
		return;	/* only at the end: nothing comes after it */
	const spec_map *m = spec_find_map(L->s, map);
	if (m && !m->is_agg)
		return;	/* state is the probes' (open files ...): reported, kept */
	for (const spec_report *q = r + 1; q < L->s->reports + L->s->nreports; q++)
		if (q->name && same_trigger(q, r) && report_uses(q, map))
			return;
	clears[(*n)++] = map;
}

static void report_clears(lower *L, const spec_report *r, lreport *lr)
{
	const char **clears = arena_alloc(L->a, (r->nfrom + 2) * sizeof *clears);
	unsigned n = 0;
	if (r->hist && r->hist_map)
		add_clear(L, r, r->hist_map->name, clears, &n);
	for (unsigned i = 0; i < r->nfrom; i++)
		if (!(r->hist_map && !strcmp(r->hist_map->name, r->from[i])))
			add_clear(L, r, r->from[i], clears, &n);
	lr->clears = clears;
	lr->nclears = n;
}

static int64_t from_size(const spec_report *r)
{
	int64_t n = 0;
	for (unsigned i = 0; i < r->nfrom; i++) {
		if (!r->from_maps[i]->size)
			return 0;
		n += r->from_maps[i]->size;
	}
	return n;
}

static lreport lower_report(lower *L, const spec_report *r)
{
	lreport lr = { .r = r, .rec = kind_for_report(L, r) };
	if (!lr.rec)
		return lr;
	report_clears(L, r, &lr);
	if (r->hist) {
		if (r->hist_map)
			lr.key_vars = key_vars_of(L, r->hist_map);
		lr.bucket_var = loop_var(L, "bucket");
		return lr;
	}
	const spec_map *km = r->from_maps[0];
	lr.key_vars = key_vars_of(L, km);
	/* scalar aggregates: one row, read as they are */
	row_ctx rows = { km->nkeys ? km : NULL, r, r->nfrom > 1, lr.key_vars };
	lr.sort = copy(L, r->sort, &rows);
	const expr **vals = arena_alloc(L->a, (lr.rec->nfields + 1) * sizeof(expr *));
	for (unsigned i = 0; i < lr.rec->nfields; i++)
		vals[i] = copy(L, lr.rec->fields[i].value, &rows);
	lr.vals = vals;
	const expr *so = lr.sort;
	if (so && so->kind == E_IDENT && so->bind == NAME_KEY)
		lr.key_sort = so->name;
	/* One aggregate sorted by one of its own statistics: the idiom is
	 * `foreach ([k] in agg @sum- limit N)`, no temporary array.  (Sorted by
	 * another aggregate's statistic, the rows need the temporary array.) */
	/* a state map sorted by its own value: `foreach ([k] in m-)` */
	lr.value_sort = !km->is_agg && r->sort && r->sort->kind == E_IDENT &&
			r->sort->bind == NAME_STATE && r->sort->bind_ptr == km;
	lr.direct = r->nfrom == 1 &&
		    (!so || lr.key_sort || lr.value_sort ||
		     (so->kind == E_AGG && so->a && so->a->kind == E_INDEX && so->a->a &&
		      so->a->a->bind_ptr == km));
	lr.iter = lr.direct ? r->from[0] : arena_printf(L->a, "_%s_sort", r->name);
	lr.iter_size = lr.direct ? 0 : from_size(r);
	return lr;
}

/* One timer per distinct period of the named periodic reports, in the
 * order of their first reports; each runs its reports in spec order. */
static ltimer *lower_timers(lower *L, lreport *reports, unsigned *nt)
{
	const spec *s = L->s;
	ltimer *t = arena_alloc(L->a, (s->nreports + 1) * sizeof *t);
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		if (!r->name || !(r->every_param || r->every_lit))
			continue;
		bool seen = false;
		for (unsigned k = 0; k < *nt && !seen; k++)
			seen = t[k].every_param == r->every_param && t[k].every_lit == r->every_lit;
		if (seen)
			continue;
		const lreport **runs = arena_alloc(L->a, (s->nreports + 1) * sizeof *runs);
		unsigned n = 0;
		for (unsigned j = i; j < s->nreports; j++) {
			const spec_report *q = &s->reports[j];
			if (q->name && q->every_param == r->every_param && q->every_lit == r->every_lit)
				runs[n++] = &reports[j];
		}
		t[*nt] = (ltimer){ r->every_param, r->every_lit, r, runs, n };
		for (unsigned k = 0; k < n; k++)
			reports[runs[k] - reports].timer = &t[*nt];
		(*nt)++;
	}
	return t;
}

const lowered *lower_spec(arena *a, const spec *s, const record_set *rs, const char *kver)
{
	lower L = { .a = a, .s = s, .rs = rs };
	L.portable = !kver_parse(kver, L.kv);
	lprobe *probes = arena_alloc(a, (s->nprobes + 1) * sizeof *probes);
	for (unsigned i = 0; i < s->nprobes; i++)
		probes[i] = lower_probe(&L, &s->probes[i]);
	lreport *reports = arena_alloc(a, (s->nreports + 1) * sizeof *reports);
	for (unsigned i = 0; i < s->nreports; i++)
		reports[i] = lower_report(&L, &s->reports[i]);
	unsigned nt = 0;
	ltimer *timers = lower_timers(&L, reports, &nt);
	lowered *lw = arena_alloc(a, sizeof *lw);
	*lw = (lowered){ s, rs, L.portable, { L.kv[0], L.kv[1], L.kv[2] }, probes, reports,
			 timers, nt, L.script_funcs };
	return lw;
}
