/* Name resolution and typing for a whole spec: which names each expression
 * may use depends on where it is (probe values and filters, reports). */
#include <stdlib.h>
#include <string.h>

#include "../../templates/parser/stapgen_rt.h"
#include "../spec/spec.h"
#include "../spec/probe_point.h"
#include "../spec/schema.h"
#include "alias_vars.h"
#include "check_expr.h"

typedef struct scope {
	spec *s;
	spec_probe *p;
	spec_let *lets;		/* the values visible: the probe's or a point's */
	unsigned nlets;		/* lets visible: those declared before */
	/* the probe's points bind these (the binder's), and mark them used */
	const spec_let *bound;
	unsigned nbound;
	const spec_report *r;
	const spec_map *keymap;	/* report rows: key columns come from here */
	const char *alias_vars;	/* union over the probe's points */
	bool alias_unchecked;	/* an alias we have no table entry for */
	char varbuf[4096];
} scope;

static vtype param_vtype(const spec_param *p)
{
	return param_type_of(p).str ? VT_STRING : VT_LONG;
}

/* A value the points bind is used: at every point that binds it. */
static void mark_bound_used(spec_probe *p, const char *name)
{
	for (unsigned j = 0; j < p->npoints; j++)
		for (unsigned i = 0; i < p->points[j].nlets; i++)
			if (!strcmp(p->points[j].lets[i].name, name))
				p->points[j].lets[i].used = true;
}

static bool lookup(void *ctx, const char *name, name_info *out)
{
	scope *sc = ctx;
	memset(out, 0, sizeof *out);
	if (sc->p)
		for (unsigned i = sc->nlets; i-- > 0;)
			if (!strcmp(sc->lets[i].name, name)) {
				sc->lets[i].used = true;
				out->kind = NAME_VALUE;
				out->type = sc->lets[i].e ? sc->lets[i].e->type : VT_UNKNOWN;
				out->ptr = &sc->lets[i];
				return true;
			}
	for (unsigned i = 0; i < sc->nbound; i++)
		if (!strcmp(sc->bound[i].name, name)) {
			mark_bound_used(sc->p, name);
			out->kind = NAME_VALUE;
			out->type = sc->bound[i].e ? sc->bound[i].e->type : VT_UNKNOWN;
			out->ptr = &sc->bound[i];
			return true;
		}
	if (sc->keymap)
		for (unsigned i = 0; i < sc->keymap->nkeys; i++)
			if (sc->keymap->keys[i].name && !strcmp(sc->keymap->keys[i].name, name)) {
				out->kind = NAME_KEY;
				out->type = sc->keymap->keys[i].type;
				out->ptr = &sc->keymap->keys[i];
				return true;
			}
	const spec_param *pa = spec_find_param(sc->s, name);
	if (pa) {
		out->kind = NAME_PARAM;
		out->type = param_vtype(pa);
		out->ptr = pa;
		return true;
	}
	const spec_map *m = spec_find_map(sc->s, name);
	if (m) {
		out->kind = m->is_agg ? NAME_AGG : NAME_STATE;
		out->type = m->value_type;
		out->nkeys = m->nkeys;
		/* in a row of a report from a state map, its bare name is the
		 * row's value (lowered to m[keys]) */
		out->row_value = sc->r && m == sc->keymap && !m->is_agg;
		for (unsigned i = 0; i < m->nkeys; i++)
			out->keys[i] = m->keys[i].type;
		out->ptr = m;
		return true;
	}
	if (sc->p)
		for (unsigned i = 0; i < sc->p->navars; i++)
			if (!strcmp(sc->p->avars[i].name, name)) {
				out->kind = NAME_ALIASVAR;
				out->type = sc->p->avars[i].type;	/* declared */
				return true;
			}
	/* a constant of the tapsets, in any probe or report: stap pulls in
	 * the tapset file that defines it (spec names never equal one) */
	if (stap_is_tapset_constant(name)) {
		out->kind = NAME_TAPSET;
		out->type = VT_LONG;
		return true;
	}
	/* a tapset global is no alias variable (stap would read the global) */
	if (sc->p && !stap_is_tapset_global(name) &&
	    (sc->alias_unchecked || (sc->alias_vars && alias_has_var(sc->alias_vars, name)))) {
		out->kind = NAME_ALIASVAR;
		out->type = VT_UNKNOWN;	/* tapset variables are untyped here */
		return true;
	}
	return false;
}

static size_t candidates(void *ctx, const char **out, size_t max)
{
	scope *sc = ctx;
	size_t n = 0;
	if (sc->p)
		for (unsigned i = 0; i < sc->nlets && n < max; i++)
			out[n++] = sc->lets[i].name;
	for (unsigned i = 0; i < sc->nbound && n < max; i++)
		out[n++] = sc->bound[i].name;
	if (sc->keymap)
		for (unsigned i = 0; i < sc->keymap->nkeys && n < max; i++)
			if (sc->keymap->keys[i].name)
				out[n++] = sc->keymap->keys[i].name;
	for (unsigned i = 0; i < sc->s->nparams && n < max; i++)
		out[n++] = sc->s->params[i].name;
	for (unsigned i = 0; i < sc->s->nmaps && n < max; i++)
		out[n++] = sc->s->maps[i].name;
	if (sc->p)
		for (unsigned i = 0; i < sc->p->navars && n < max; i++)
			out[n++] = sc->p->avars[i].name;
	if (sc->p && sc->alias_vars && n < max)
		n += alias_var_list(sc->alias_vars, out + n, max - n, sc->varbuf,
				    sizeof sc->varbuf);
	return n;
}

/* In a probe on a tapset alias the table knows, a name it lacks may be one
 * a newer tapset sets: say how to declare it. */
static void unknown_hint(void *ctx, const char *name, diag_sink *d)
{
	scope *sc = ctx;
	/* alias_vars refuses such a name, as every spec name: say what works */
	if (stap_is_tapset_global(name))
		diag_hint(d, "'%s' is a global variable of the SystemTap tapsets that is no constant (a map, a private or a computed global): a spec can neither read nor declare it (in alias_vars neither); the constants (BIO_READ) it can read by name",
			  name);
	else if (sc->p && sc->alias_vars)
		diag_hint(d, "if your stap's tapset alias sets '%s', declare it on the probe: 'alias_vars: { %s: long }' (or string)",
			  name, name);
}

static vtype check(scope *sc, expr *e, unsigned flags, diag_sink *d)
{
	if (!e)
		return VT_UNKNOWN;
	check_env env = { lookup, candidates, sc, flags, unknown_hint };
	return check_expr(e, &env, d);
}

/* `map[k...]` or `map` naming a state map / aggregate: arity and key types. */
static const spec_map *check_target(scope *sc, expr *t, unsigned flags, bool want_agg,
				    const char *what, diag_sink *d)
{
	expr *base = t->kind == E_INDEX ? t->a : t;
	if (!base || base->kind != E_IDENT) {
		diag_error(d, t->loc, "%s must name a %s", what, want_agg ? "aggregate" : "state map");
		return NULL;
	}
	const spec_map *m = spec_find_map(sc->s, base->name);
	if (!m || m->is_agg != want_agg) {
		const char *cands[64];
		size_t n = 0;
		for (unsigned i = 0; i < sc->s->nmaps && n < 64; i++)
			if (sc->s->maps[i].is_agg == want_agg)
				cands[n++] = sc->s->maps[i].name;
		const char *sug = diag_suggest(base->name, cands, n);
		srcloc l = base->loc;
		l.len = (unsigned)strlen(base->name);
		if (m)
			diag_error(d, l, "'%s' is %s, not %s", base->name,
				   m->is_agg ? "an aggregate" : "a state map",
				   want_agg ? "an aggregate" : "a state map");
		else if (sug)
			diag_error(d, l, "unknown %s '%s'; did you mean '%s'?",
				   want_agg ? "aggregate" : "state map", base->name, sug);
		else
			diag_error(d, l, "unknown %s '%s'", want_agg ? "aggregate" : "state map",
				   base->name);
		return NULL;
	}
	base->bind = m->is_agg ? NAME_AGG : NAME_STATE;
	base->bind_ptr = m;
	size_t nargs = t->kind == E_INDEX ? t->nargs : 0;
	if (nargs != m->nkeys) {
		diag_error(d, t->loc, "'%s' has %u key%s, %zu given", m->name, m->nkeys,
			   m->nkeys == 1 ? "" : "s", nargs);
		return NULL;
	}
	for (size_t i = 0; i < nargs; i++) {
		vtype kt = check(sc, t->args[i], flags, d);
		if (kt != VT_UNKNOWN && m->keys[i].type != VT_UNKNOWN && kt != m->keys[i].type &&
		    !(kt == VT_STACK && m->keys[i].type == VT_STRING) &&
		    !(kt == VT_STRING && m->keys[i].type == VT_STACK))	/* stap stacks are strings */
			diag_error(d, t->args[i]->loc, "key %zu of '%s' is a %s, this is a %s", i + 1,
				   m->name, vtype_name(m->keys[i].type), vtype_name(kt));
	}
	return m;
}

/* What a column of type t needs when its value is of the other kind (NULL:
 * a plain long or string column). */
static const char *col_type_need(col_type t)
{
	switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case COL_##e: return need;
#include "../tables/col_types.def"
#undef COLT
	case COL_AUTO: break;
	}
	return NULL;
}

static void check_columns(scope *sc, spec_column *cols, unsigned ncols, unsigned flags,
			  diag_sink *d)
{
	for (unsigned i = 0; i < ncols; i++) {
		spec_column *c = &cols[i];
		for (unsigned j = 0; j < i; j++)
			if (c->name && cols[j].name && !strcmp(c->name, cols[j].name))
				diag_error(d, c->loc, "duplicate column '%s'", c->name);
		/* the parsers' JSON and CSV add these to every record */
		static const char *const added[] = {
#define SG_FIELD_NAME(n) #n,
			SG_RESERVED_FIELDS(SG_FIELD_NAME)
#undef SG_FIELD_NAME
		};
		for (size_t k = 0; c->name && k < sizeof added / sizeof *added; k++)
			if (!strcmp(c->name, added[k]))
				diag_error(d, c->loc, "column name '%s' is reserved for the output formats",
					   c->name);
		if (!c->e)
			continue;
		vtype t = check(sc, c->e, flags, d);
		if (t == VT_UNKNOWN) {
			if (c->type == COL_AUTO && c->e->kind == E_IDENT && c->e->bind == NAME_ALIASVAR)
				diag_error(d, c->e->loc,
					   "the type of tapset variable '%s' is not known here; give column '%s' a 'type' (long or string)",
					   c->e->name, c->name);
			continue;
		}
		if (t == VT_STAT || t == VT_VOID) {
			diag_error(d, c->e->loc, "column '%s' must be a long or a string, not a %s",
				   c->name, vtype_name(t));
			continue;
		}
		col_type want = t == VT_LONG ? COL_LONG : COL_STRING;
		if (c->type == COL_AUTO)
			c->type = want;
		else if (col_is_str(c->type) != col_is_str(want)) {
			const char *need = col_type_need(c->type);
			if (need)
				diag_error(d, c->e->loc, "%s", need);
			else
				diag_error(d, c->e->loc, "column '%s' is declared %s but its value is a %s",
					   c->name, c->type == COL_LONG ? "long" : "string", vtype_name(t));
		}
	}
}

typedef struct unchecked_ctx {
	const spec_probe *p;
	diag_sink *d;
} unchecked_ctx;

static void warn_unchecked(const expr *e, void *ctx)
{
	unchecked_ctx *u = ctx;
	if (e->kind != E_IDENT || e->bind != NAME_ALIASVAR)
		return;
	for (unsigned i = 0; i < u->p->navars; i++)
		if (!strcmp(u->p->avars[i].name, e->name))
			return;	/* declared */
	for (unsigned i = 0; i < u->p->npoints; i++) {
		const char *v = alias_vars(u->p->points[i].text);
		if (v && alias_has_var(v, e->name))
			return;
	}
	srcloc l = e->loc;
	l.len = (unsigned)strlen(e->name);
	diag_warning(u->d, l, "cannot check '%s': the variables of probe alias '%s' are not known here",
		     e->name, u->p->points[0].text);
	diag_hint(u->d, "declare it on the probe to check and type it: 'alias_vars: { %s: long }' (or string)",
		  e->name);
}

/* Names resolved to variables of an alias missing from the table pass
 * unchecked; say so, stap -p2 will be the judge. */
static void warn_unchecked_alias_vars(spec_probe *p, diag_sink *d)
{
	unchecked_ctx u = { p, d };
	probe_nodes(p, warn_unchecked, &u);
}

/* Value i of sc->lets (a probe's or a point's): its name, then its type
 * (one for every kernel alternative), seeing only the values before it. */
static void check_value(scope *sc, unsigned i, unsigned flags, const char *twice,
			const char *first, diag_sink *d)
{
	spec_let *l = &sc->lets[i];
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(sc->lets[k].name, l->name)) {
			diag_error(d, l->loc, "value '%s' %s", l->name, twice);
			diag_note(d, sc->lets[k].loc, "%s", first);
		}
	if (spec_find_param(sc->s, l->name) || spec_find_map(sc->s, l->name))
		diag_error(d, l->loc, "value '%s' has the name of a %s", l->name,
			   spec_find_param(sc->s, l->name) ? "parameter" : "state map or aggregate");
	sc->nlets = i;
	vtype t = check(sc, l->e, flags, d);
	for (unsigned k = 1; k < l->nalts; k++) {
		vtype ta = check(sc, l->alts[k].e, flags, d);
		if (ta != VT_UNKNOWN && t != VT_UNKNOWN && ta != t)
			diag_error(d, l->alts[k].e->loc,
				   "alternatives of '%s' must have one type: this is a %s, the first a %s",
				   l->name, vtype_name(ta), vtype_name(t));
	}
	if (t == VT_STAT || t == VT_VOID)
		diag_error(d, l->e->loc, "value '%s' cannot hold a %s", l->name, vtype_name(t));
}

/* The values the alternatives bind: each checked in its point's own
 * context (a tracepoint's $sk, a kprobe's pointer_arg(1)).  Every
 * alternative binds the names, of the types, of the first that binds any
 * (the binder); the probe's body reads them. */
static void check_point_lets(spec *s, spec_probe *p, diag_sink *d)
{
	for (unsigned j = 0; j < p->npoints && !p->binder; j++)
		if (p->points[j].nlets)
			p->binder = &p->points[j];
	const spec_point *b = p->binder;
	if (!b)
		return;
	for (unsigned j = 0; j < p->npoints; j++) {
		spec_point *pt = &p->points[j];
		unsigned flags = probe_point_ctx(pt->text) | (s->guru ? CTX_GURU : 0);
		scope ps = { .s = s, .p = p, .lets = pt->lets };
		if (probe_point_is_alias(pt->text)) {
			ps.alias_vars = alias_vars(pt->text);
			ps.alias_unchecked = !ps.alias_vars;
		}
		for (unsigned i = 0; i < pt->nlets; i++) {
			check_value(&ps, i, flags, "is bound twice by this probe point", "first bound here", d);
			for (unsigned k = 0; pt == b && k < p->nlets; k++)
				if (!strcmp(p->lets[k].name, pt->lets[i].name)) {
					diag_error(d, p->lets[k].loc,
						   "value '%s' is bound by the probe's points: the probe cannot set it again",
						   pt->lets[i].name);
					diag_note(d, pt->lets[i].loc, "bound here");
				}
		}
	}
	/* one set of names, one type each: the binder's */
	for (unsigned j = 0; j < p->npoints; j++) {
		const spec_point *pt = &p->points[j];
		if (pt == b)
			continue;
		for (unsigned i = 0; i < b->nlets; i++) {
			const spec_let *want = &b->lets[i], *got = NULL;
			for (unsigned k = 0; k < pt->nlets && !got; k++)
				if (!strcmp(pt->lets[k].name, want->name))
					got = &pt->lets[k];
			if (!got) {
				diag_error(d, pt->loc, "probe point '%s' binds no '%s': every alternative of a probe binds the values another binds",
					   pt->text, want->name);
				diag_note(d, want->loc, "'%s' is bound here, by '%s'", want->name, b->text);
				continue;
			}
			vtype tw = want->e ? want->e->type : VT_UNKNOWN, tg = got->e ? got->e->type : VT_UNKNOWN;
			if (tw != VT_UNKNOWN && tg != VT_UNKNOWN && tw != tg) {
				diag_error(d, got->e->loc, "'%s' is a %s here, a %s where '%s' binds it: the alternatives bind one type",
					   got->name, vtype_name(tg), vtype_name(tw), b->text);
				diag_note(d, want->e->loc, "bound as a %s here", vtype_name(tw));
			}
		}
		for (unsigned k = 0; k < pt->nlets; k++) {
			bool known = false;
			for (unsigned i = 0; i < b->nlets && !known; i++)
				known = !strcmp(b->lets[i].name, pt->lets[k].name);
			if (!known) {
				diag_error(d, pt->lets[k].loc, "only this alternative binds '%s': every alternative of a probe binds the same values",
					   pt->lets[k].name);
				diag_note(d, b->loc, "'%s' binds no '%s'", b->text, pt->lets[k].name);
			}
		}
	}
}

/* The CTX_* flags a probe's body is checked with: what all of its points
 * give ($vars only when each point has them; no event if one has none),
 * and CTX_MAYBE_* for what only some give (@defined() may test it). */
unsigned probe_ctx(const spec_probe *p)
{
	if (!p->npoints)
		return 0;
	unsigned ctx = ~0u, maybe = 0;
	for (unsigned i = 0; i < p->npoints; i++) {
		unsigned pc = probe_point_ctx(p->points[i].text);
		ctx &= pc;
		if (pc & CTX_NO_EVENT)
			ctx |= CTX_NO_EVENT;
		if (pc & CTX_MARK)	/* any marker point: its $vars are $argN */
			maybe |= CTX_MARK;
		if (pc & CTX_TARGET)
			maybe |= CTX_MAYBE_TARGET;
		if (pc & CTX_RETURN)
			maybe |= CTX_MAYBE_RETURN;
	}
	return (ctx & ~(unsigned)(CTX_MAYBE_TARGET | CTX_MAYBE_RETURN | CTX_MARK)) | maybe;
}

/* An emit's, store's, collect's or delete's `when`. */
static void check_when(scope *sc, expr *when, unsigned flags, diag_sink *d)
{
	if (!when)
		return;
	vtype t = check(sc, when, flags, d);
	if (t != VT_UNKNOWN && t != VT_LONG)
		diag_error(d, when->loc, "a 'when' condition must be a condition (long), not a %s",
			   vtype_name(t));
}

static void check_probe(spec *s, spec_probe *p, diag_sink *d)
{
	scope sc = { .s = s, .p = p, .lets = p->lets };
	/* Alias variables: a probe on tapset aliases may read what they set. */
	for (unsigned i = 0; i < p->npoints; i++) {
		if (!probe_point_is_alias(p->points[i].text))
			continue;
		const char *v = alias_vars(p->points[i].text);
		if (!v)
			sc.alias_unchecked = true;
		else if (!sc.alias_vars)
			sc.alias_vars = v;
	}
	bool any_alias = false;
	for (unsigned i = 0; i < p->npoints; i++)
		any_alias |= probe_point_is_alias(p->points[i].text) != 0;
	for (unsigned i = 0; i < p->navars; i++) {
		const spec_alias_var *v = &p->avars[i];
		if (!any_alias && i == 0 && p->npoints)
			diag_error(d, v->loc, "'alias_vars' names variables a tapset alias sets; '%s' is not one",
				   p->points[0].text);
		if (spec_find_param(s, v->name) || spec_find_map(s, v->name))
			diag_error(d, v->loc, "alias variable '%s' has the name of a %s", v->name,
				   spec_find_param(s, v->name) ? "parameter" : "state map or aggregate");
		for (unsigned j = 0; j < p->nlets; j++)
			if (!strcmp(p->lets[j].name, v->name))
				diag_error(d, p->lets[j].loc, "value '%s' has the name of an alias variable",
					   v->name);
	}
	check_point_lets(s, p, d);
	if (p->binder) {
		sc.bound = p->binder->lets;
		sc.nbound = p->binder->nlets;
	}
	unsigned flags = probe_ctx(p) | (s->guru ? CTX_GURU : 0);
	for (unsigned i = 0; i < p->nlets; i++)
		check_value(&sc, i, flags, "is defined twice in this probe", "first defined here", d);
	sc.nlets = p->nlets;
	for (unsigned i = 0; i < p->nfilters; i++) {
		vtype t = check(&sc, p->filters[i], flags, d);
		if (t == VT_STRING || t == VT_STACK)
			diag_error(d, p->filters[i]->loc,
				   "a filter must be a condition (long), not a string");
	}
	for (unsigned i = 0; i < p->nstores; i++) {
		spec_assign *as = &p->stores[i];
		check_when(&sc, as->when, flags, d);
		as->map = check_target(&sc, as->target, flags, false, "a 'store' target", d);
		vtype t = check(&sc, as->value, flags, d);
		if (as->map && t != VT_UNKNOWN && t != as->map->value_type)
			diag_error(d, as->value->loc, "'%s' holds %s values, this is a %s",
				   as->map->name, vtype_name(as->map->value_type), vtype_name(t));
	}
	for (unsigned i = 0; i < p->ncollects; i++) {
		spec_assign *as = &p->collects[i];
		check_when(&sc, as->when, flags, d);
		as->map = check_target(&sc, as->target, flags, true, "a 'collect' target", d);
		vtype t = check(&sc, as->value, flags, d);
		if (t != VT_UNKNOWN && t != VT_LONG)
			diag_error(d, as->value->loc, "aggregates collect numbers (long), this is a %s",
				   vtype_name(t));
	}
	for (unsigned i = 0; i < p->ndeletes; i++) {
		check_when(&sc, p->delete_whens[i], flags, d);
		check_target(&sc, p->deletes[i], flags, false, "a 'delete' target", d);
	}
	for (unsigned i = 0; i < p->nsets; i++) {
		spec_assign *as = &p->sets[i];
		check_when(&sc, as->when, flags, d);
		if (!s->guru) {
			diag_error(d, as->target->loc, "writing a target variable changes the traced code's "
				   "state; it needs a guru spec ('guru: true')");
			continue;
		}
		vtype tt = check(&sc, as->target, flags, d), vt = check(&sc, as->value, flags, d);
		if (tt != VT_UNKNOWN && vt != VT_UNKNOWN && tt != vt)
			diag_error(d, as->value->loc, "the target variable is a %s, this is a %s", vtype_name(tt),
				   vtype_name(vt));
	}
	for (unsigned i = 0; i < p->ncalls; i++) {
		expr *e = p->calls[i];
		check_when(&sc, p->call_whens[i], flags, d);
		/* what prints would land in the record stream, a line the parser drops */
		static const char *const prints[] = { "ansi_", "print", "log", "qsq_print", NULL };
		for (unsigned k = 0; prints[k]; k++)
			if (e->name && !strncmp(e->name, prints[k], strlen(prints[k]))) {
				srcloc l = e->loc;
				l.len = (unsigned)strlen(e->name);
				diag_error(d, l, "'%s' prints into the tool's record stream, where the parser "
					   "would drop its output", e->name);
				diag_hint(d, "records are printed with 'emit'; the table format redraws each report (-f table), warn() writes to stderr");
				e = NULL;
				break;
			}
		if (e)
			check(&sc, e, flags, d);
	}
	if (p->exit_when) {
		vtype t = check(&sc, p->exit_when, flags, d);
		if (t != VT_UNKNOWN && t != VT_LONG)
			diag_error(d, p->exit_when->loc, "'exit' must be a condition (long), not a %s",
				   vtype_name(t));
	}
	for (unsigned i = 0; i < p->nemits; i++) {
		spec_emit *em = &p->emits[i];
		check_when(&sc, em->when, flags, d);
		check_columns(&sc, em->cols, em->ncols, flags, d);
	}
	if (sc.alias_unchecked)
		warn_unchecked_alias_vars(p, d);
}

static bool same_loc(srcloc a, srcloc b)
{
	return a.src == b.src && a.line == b.line && a.col == b.col;
}

/* The let of probe q written at l's place (a YAML alias of l's block). */
static const spec_let *shared_let(const spec_probe *q, const spec_let *l)
{
	for (unsigned j = 0; j < q->nlets; j++)
		if (same_loc(q->lets[j].loc, l->loc) && !strcmp(q->lets[j].name, l->name))
			return &q->lets[j];
	return NULL;
}

/* An unused value: one warning at its text.  A value shared by several
 * probes through a YAML anchor has one text: it is warned about once,
 * naming the probes, and only when none of them uses it. */
static void warn_unused_lets(const spec *s, diag_sink *d)
{
	/* a binding: once for its text, unless a probe sharing it (a YAML
	 * alias of the point list) uses it */
	for (unsigned i = 0; i < s->nprobes; i++) {
		const spec_point *b = s->probes[i].binder;
		for (unsigned j = 0; b && j < b->nlets; j++) {
			bool used = false, first = true;
			for (unsigned k = 0; k < s->nprobes; k++) {
				const spec_point *o = s->probes[k].binder;
				if (!o || !same_loc(o->loc, b->loc))
					continue;
				first &= k >= i;
				for (unsigned m = 0; m < o->nlets; m++)
					used |= o->lets[m].used && !strcmp(o->lets[m].name, b->lets[j].name);
			}
			if (first && !used)
				diag_warning(d, b->lets[j].loc, "value '%s' is bound but never used", b->lets[j].name);
		}
	}
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nlets; j++) {
			const spec_let *l = &s->probes[i].lets[j];
			if (l->used)
				continue;
			bool first = true, used = false;
			unsigned sharing = 0;
			for (unsigned k = 0; k < s->nprobes && first && !used; k++) {
				const spec_let *o = shared_let(&s->probes[k], l);
				if (o && k < i)
					first = false;	/* warned about (or not) there */
				sharing += o != NULL;
				used |= o && o->used;
			}
			if (!first || used)
				continue;
			if (sharing == 1) {
				diag_warning(d, l->loc, "value '%s' is never used", l->name);
				continue;
			}
			strbuf names = STRBUF_INIT;
			unsigned shown = 0;
			for (unsigned k = 0; k < s->nprobes; k++)
				if (shared_let(&s->probes[k], l) && shown++ < 4)
					sb_printf(&names, "%s%s (line %u)", shown > 1 ? ", " : "",
						  s->probes[k].npoints ? s->probes[k].points[0].text : "?",
						  s->probes[k].loc.line);
			if (shown > 4)
				sb_printf(&names, " and %u more", shown - 4);
			diag_warning(d, l->loc,
				     "value '%s' is never used by the %u probes that share it: %s",
				     l->name, sharing, sb_str(&names));
			sb_free(&names);
		}
}

static bool same_keys(const spec_map *a, const spec_map *b)
{
	if (a->nkeys != b->nkeys)
		return false;
	for (unsigned i = 0; i < a->nkeys; i++)
		if (a->keys[i].type != b->keys[i].type ||
		    !a->keys[i].name != !b->keys[i].name ||
		    (a->keys[i].name && strcmp(a->keys[i].name, b->keys[i].name)))
			return false;
	return true;
}

typedef struct agg_keys_ctx {
	const spec_map *rowkeys;	/* NULL: a report of scalar aggregates */
	diag_sink *d;
} agg_keys_ctx;

static bool same_keys(const spec_map *a, const spec_map *b);

/* In a row, @sum(x) means x[row keys]: x must have the row's keys or none. */
static void check_agg_keys(const expr *e, void *ctx)
{
	agg_keys_ctx *c = ctx;
	if (e->kind != E_AGG || !e->a || e->a->kind != E_IDENT || !e->a->bind_ptr)
		return;
	const spec_map *m = e->a->bind_ptr;
	if (m->nkeys == 0 || (c->rowkeys && same_keys(c->rowkeys, m)))
		return;
	srcloc l = e->a->loc;
	l.len = (unsigned)strlen(m->name);
	if (c->rowkeys && c->rowkeys->nkeys)
		diag_error(c->d, l, "aggregate '%s' is keyed differently from the rows (by '%s'); use it in a report 'from' it",
			   m->name, c->rowkeys->name);
	else
		diag_error(c->d, l, "aggregate '%s' has keys; a report of scalar aggregates cannot use it",
			   m->name);
}

/* `from:` left out: the aggregates the report's sort and columns read
 * (`@sum(reads)`), in the order they first appear. */
typedef struct from_ctx {
	arena *a;
	const spec *s;
	spec_report *r;
	unsigned cap;
} from_ctx;

static void from_agg(const expr *e, void *ctx)
{
	from_ctx *f = ctx;
	if (e->kind != E_AGG || !e->a || e->a->kind != E_IDENT || !e->a->name)
		return;
	const spec_map *m = spec_find_map(f->s, e->a->name);
	if (!m || !m->is_agg)
		return;
	for (unsigned i = 0; i < f->r->nfrom; i++)
		if (!strcmp(f->r->from[i], m->name))
			return;
	if (f->r->nfrom == f->cap) {
		unsigned cap = f->cap ? 2 * f->cap : 4;
		f->r->from = arena_realloc(f->a, f->r->from, f->cap * sizeof(char *), (cap + 1) * sizeof(char *));
		f->r->from_locs = arena_realloc(f->a, f->r->from_locs, f->cap * sizeof(srcloc), (cap + 1) * sizeof(srcloc));
		f->cap = cap;
	}
	f->r->from_locs[f->r->nfrom] = e->a->loc;
	f->r->from[f->r->nfrom++] = m->name;
}

static void infer_from(arena *a, const spec *s, spec_report *r, diag_sink *d)
{
	if (r->has_from || r->hist || !r->ncols)
		return;
	from_ctx f = { a, s, r, 0 };
	report_nodes(r, from_agg, &f);
	r->from_inferred = r->nfrom > 0;
	if (!r->nfrom) {
		diag_error(d, r->loc, "a report with 'columns' needs 'from': the aggregates it lists");
		diag_hint(d, "without 'from', a report lists the aggregates its columns read (@count(x)); these read none");
	}
}

static void check_report(spec *s, spec_report *r, diag_sink *d)
{
	scope sc = { .s = s, .r = r };
	if (r->ncols && !r->nfrom && !r->has_from)
		return;	/* infer_from said why; its columns have no rows to be read in */
	for (unsigned i = 0; i < r->nfrom; i++) {
		const spec_map *m = spec_find_map(s, r->from[i]);
		srcloc l = r->from_locs[i];
		l.len = (unsigned)strlen(r->from[i]);
		if (m && !m->is_agg && r->nfrom == 1) {
			/* a state map: its entries now (files still open ...) */
			if (!m->nkeys)
				diag_error(d, l, "state map '%s' has no key: a report from a state map needs a keyed one",
					   m->name);
		} else if (!m || !m->is_agg) {
			const char *cands[64];
			size_t n = 0;
			for (unsigned j = 0; j < s->nmaps && n < 64; j++)
				if (s->maps[j].is_agg)
					cands[n++] = s->maps[j].name;
			const char *sug = m ? NULL : diag_suggest(r->from[i], cands, n);
			if (m)
				diag_error(d, l, "'from' lists aggregates, or one state map alone; '%s' is a state map",
					   r->from[i]);
			else if (sug)
				diag_error(d, l, "unknown aggregate '%s'; did you mean '%s'?", r->from[i], sug);
			else
				diag_error(d, l, "unknown aggregate '%s'", r->from[i]);
			continue;
		}
		r->from_maps[i] = m;
		if (!sc.keymap) {
			sc.keymap = m;
			for (unsigned k = 0; k < m->nkeys; k++)
				if (!m->keys[k].name) {
					diag_error(d, l, "%s '%s' has unnamed keys; name them (key: {pid: long}) to list it in a report",
						   m->is_agg ? "aggregate" : "state map", m->name);
					break;
				}
		} else if (!same_keys(sc.keymap, m))
			diag_error(d, l, "aggregate '%s' has keys different from '%s'; a report lists aggregates with the same keys",
				   m->name, sc.keymap->name);
	}
	unsigned flags = CTX_REPORT | CTX_NO_EVENT;
	if (r->sort) {
		vtype t = check(&sc, r->sort, flags, d);
		if (t == VT_STAT)
			diag_error(d, r->sort->loc, "sort by a number or a string, not a statistic");
	}
	check_columns(&sc, r->cols, r->ncols, flags, d);
	agg_keys_ctx akc = { sc.keymap, d };
	report_nodes(r, check_agg_keys, &akc);
	if (r->hist_of) {
		const spec_map *m = spec_find_map(s, r->hist_of);
		srcloc l = r->hist_loc;
		l.len = (unsigned)strlen(r->hist_of);
		if (!m || !m->is_agg) {
			diag_error(d, l, "'histogram.of' must name an aggregate; '%s' is %s", r->hist_of,
				   m ? "a state map" : "not defined");
			return;
		}
		r->hist_map = m;	/* a keyed aggregate gives one histogram per key */
		for (unsigned k = 0; k < m->nkeys; k++)
			if (!m->keys[k].name) {
				diag_error(d, l, "aggregate '%s' has unnamed keys; name them to show one histogram per key",
					   m->name);
				break;
			}
		/* the keys are columns of the histogram's rows, beside these */
		/* bucket: the wire's; buckets, low, high: JSON's and CSV's */
		static const char *const taken[] = { "bucket", "buckets", "low", "high", "count",
						     "kind", "report", "ts", NULL };
		for (unsigned k = 0; k < m->nkeys; k++)
			for (unsigned j = 0; m->keys[k].name && taken[j]; j++)
				if (!strcmp(m->keys[k].name, taken[j]))
					diag_error(d, m->keys[k].loc,
						   "key '%s' of aggregate '%s' is also a column of its histogram rows (bucket, buckets, low, high, count, kind, report, ts); rename the key",
						   taken[j], m->name);
	}
}

static const char *col_type_word(col_type t)
{
	switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case COL_##e: return word;
#include "../tables/col_types.def"
#undef COLT
	case COL_AUTO: break;
	}
	return "unknown";
}

/* A record kind emitted in several places is one kind to the parsers: each
 * emit gives the first one's columns, by name, type and order. */
static void same_columns(const spec_emit *def, const spec_emit *em, diag_sink *d)
{
	const char *r = em->record;
	bool bad = true;
	if (em->ncols != def->ncols) {
		diag_error(d, em->loc,
			   "record '%s' has %u column%s here and %u where it is first defined; every emit of a record gives the same columns (names, types, order)",
			   r, em->ncols, em->ncols == 1 ? "" : "s", def->ncols);
	} else {
		bad = false;
		for (unsigned i = 0; i < em->ncols && !bad; i++) {
			const spec_column *c = &em->cols[i], *dc = &def->cols[i];
			if (!c->name || !dc->name)
				continue;
			if (strcmp(c->name, dc->name)) {
				diag_error(d, c->loc,
					   "column %u of record '%s' is '%s' here and '%s' where the record is first defined; every emit of a record gives the same columns (names, types, order)",
					   i + 1, r, c->name, dc->name);
				bad = true;
			} else if (c->type != COL_AUTO && dc->type != COL_AUTO && c->type != dc->type) {
				diag_error(d, c->loc,
					   "column '%s' of record '%s' is %s here and %s where the record is first defined",
					   c->name, r, col_type_word(c->type), col_type_word(dc->type));
				bad = true;
			}
		}
	}
	/* the parser has one table header: the first definition's */
	for (unsigned i = 0; i < em->ncols && !bad; i++) {
		const spec_column *c = &em->cols[i], *dc = &def->cols[i];
		if ((c->title && (!dc->title || strcmp(c->title, dc->title))) ||
		    (c->width && c->width != dc->width)) {
			diag_warning(d, c->loc,
				     "the title and width of column '%s' come from the first definition of record '%s'; these are not used",
				     c->name ? c->name : "?", r);
			bad = true;
		}
	}
	if (bad)
		diag_note(d, def->loc, "record '%s' first defined here", r);
}

static const char **sort_names;

static int cmp_name_index(const void *x, const void *y)
{
	unsigned i = *(const unsigned *)x, j = *(const unsigned *)y;
	int c = strcmp(sort_names[i], sort_names[j]);
	return c ? c : (i > j) - (i < j);
}

/* ---- one title per meaning (gen/tables/col_titles.def) ---------------- */
static const struct { const char *fn, *title; } col_titles[] = {
#define TITLE(fn, title) { fn, title },
#include "../tables/col_titles.def"
#undef TITLE
};

/* The table's title for a call F() of its functions, else NULL. */
static const char *call_title(const expr *e, const char **fn)
{
	if (!e || e->kind != E_CALL || e->nargs || !e->name)
		return NULL;
	for (size_t i = 0; i < sizeof col_titles / sizeof *col_titles; i++)
		if (!strcmp(e->name, col_titles[i].fn)) {
			*fn = col_titles[i].fn;
			return col_titles[i].title;
		}
	return NULL;
}

/* The meaning of a probe's value: a call, or a named value bound to one. */
static const char *probe_value_title(const spec_probe *p, const expr *e, const char **fn)
{
	if (e && e->kind == E_IDENT && e->name && p)
		for (unsigned i = 0; i < p->nlets; i++)
			if (p->lets[i].name && !strcmp(p->lets[i].name, e->name))
				return call_title(p->lets[i].e, fn);
	return call_title(e, fn);
}

/* The meaning of a report row's key column: what the probes collect at
 * that key's position of the aggregate. */
static const char *key_title(const spec *s, const spec_report *r, const expr *e, const char **fn)
{
	if (!e || e->kind != E_IDENT || !e->name || !r->from_maps)
		return call_title(e, fn);
	for (unsigned j = 0; j < r->nfrom; j++) {
		const spec_map *m = r->from_maps[j];
		if (!m)
			continue;
		for (unsigned ki = 0; ki < m->nkeys; ki++) {
			if (!m->keys[ki].name || strcmp(m->keys[ki].name, e->name))
				continue;
			for (unsigned pi = 0; pi < s->nprobes; pi++)
				for (unsigned c = 0; c < s->probes[pi].ncollects; c++) {
					const spec_assign *as = &s->probes[pi].collects[c];
					const char *t;
					if (as->map == m && as->target && as->target->kind == E_INDEX &&
					    ki < as->target->nargs &&
					    (t = probe_value_title(&s->probes[pi], as->target->args[ki], fn)))
						return t;
				}
		}
	}
	return NULL;
}

static void check_title(diag_sink *d, const spec_column *col, const char *want, const char *fn)
{
	/* only titles a spec gives: a column's name is the spec's own choice */
	if (!want || !col->name || !col->title || !strcmp(col->title, want))
		return;
	diag_warning(d, col->loc, "column '%s' is %s(), titled '%s': every tool titles %s() '%s'",
		     col->name, fn, col->title, fn, want);
	diag_hint(d, "title: %s (gen/tables/col_titles.def: one title per meaning)", want);
}

static void check_titles(const spec *s, diag_sink *d)
{
	const char *fn = NULL;
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nemits; j++)
			for (unsigned k = 0; k < s->probes[i].emits[j].ncols; k++) {
				const spec_column *col = &s->probes[i].emits[j].cols[k];
				const char *want = probe_value_title(&s->probes[i], col->e, &fn);
				check_title(d, col, want, fn);
			}
	for (unsigned i = 0; i < s->nreports; i++)
		for (unsigned k = 0; k < s->reports[i].ncols; k++) {
			const spec_column *col = &s->reports[i].cols[k];
			const char *want = key_title(s, &s->reports[i], col->e, &fn);
			check_title(d, col, want, fn);
		}
}

void spec_check(arena *a, spec *s, diag_sink *d)
{
	for (unsigned i = 0; i < s->nprobes; i++)
		check_probe(s, &s->probes[i], d);
	warn_unused_lets(s, d);
	for (unsigned i = 0; i < s->nreports; i++) {
		spec_report *r = &s->reports[i];
		infer_from(a, s, r, d);
		r->from_maps = arena_alloc(a, (r->nfrom + 1) * sizeof(spec_map *));
		check_report(s, r, d);
	}
	/* Record kinds share one namespace: emitted records and report rows
	 * (all of them: a duplicate is a duplicate type in the C parser). */
	unsigned cap = s->nreports + 1;
	for (unsigned i = 0; i < s->nprobes; i++)
		cap += s->probes[i].nemits;
	const char **names = arena_alloc(a, cap * sizeof *names);
	srcloc *locs = arena_alloc(a, cap * sizeof *locs);
	const spec_emit **ems = arena_alloc(a, cap * sizeof *ems);	/* NULL: a report */
	unsigned n = 0;
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned k = 0; k < s->probes[i].nemits; k++)
			if (s->probes[i].emits[k].record) {
				ems[n] = &s->probes[i].emits[k];
				locs[n] = ems[n]->loc;
				names[n] = ems[n]->record;
				n++;
			}
	for (unsigned i = 0; i < s->nreports; i++)
		if (s->reports[i].name) {
			locs[n] = s->reports[i].loc;
			names[n++] = s->reports[i].name;
		}
	/* sorted by name, then by position: a duplicate follows its first */
	unsigned *ord = arena_alloc(a, (n + 1) * sizeof *ord);
	for (unsigned i = 0; i < n; i++)
		ord[i] = i;
	sort_names = names;
	qsort(ord, n, sizeof *ord, cmp_name_index);
	bool *dup = arena_alloc(a, (n + 1) * sizeof *dup);
	unsigned *first = arena_alloc(a, (n + 1) * sizeof *first);	/* of the same name */
	for (unsigned i = 0; i < n; i++) {
		dup[ord[i]] = i > 0 && !strcmp(names[ord[i]], names[ord[i - 1]]);
		first[ord[i]] = dup[ord[i]] ? first[ord[i - 1]] : ord[i];
	}
	static const char *const reserved[] = {
#define WIRE(n, fields, what) #n,
#include "../tables/wire_tags.def"
#undef WIRE
		NULL,
	};
	for (unsigned i = 0; i < n; i++) {
		if (dup[i] && ems[i] && ems[first[i]])	/* emitted again: the same columns */
			same_columns(ems[first[i]], ems[i], d);
		else if (dup[i])
			diag_error(d, locs[i], "record '%s' is defined twice (records and reports share names)",
				   names[i]);
		for (unsigned k = 0; reserved[k]; k++)
			if (!strcmp(names[i], reserved[k]))
				diag_error(d, locs[i], "'%s' is reserved for the output protocol; choose another name",
					   names[i]);
	}
	for (unsigned i = 0; i < s->nmaps; i++) {
		bool used = false;
		for (unsigned j = 0; j < s->nprobes && !used; j++) {
			for (unsigned k = 0; k < s->probes[j].nstores && !used; k++)
				used = s->probes[j].stores[k].map == &s->maps[i];
			for (unsigned k = 0; k < s->probes[j].ncollects && !used; k++)
				used = s->probes[j].collects[k].map == &s->maps[i];
		}
		for (unsigned k = 0; k < s->nrejected_writes && !used; k++)
			used = !strcmp(s->rejected_writes[k], s->maps[i].name);
		if (!used)
			diag_warning(d, s->maps[i].loc, "'%s' is never written by any probe", s->maps[i].name);
	}
	check_titles(s, d);
}
