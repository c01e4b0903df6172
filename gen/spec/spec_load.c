/* YAML tree -> spec model: shapes, types, required keys, defaults, and the
 * syntax of every expression.  Name resolution is check_spec.c's job. */
#include <stdio.h>
#include <string.h>

#include "probe_point.h"
#include "schema.h"
#include "kver.h"
#include "spec.h"

typedef struct loader {
	schema_ctx c;
	spec *s;
} loader;

static srcloc scalar_at(const void *ctx, size_t off)
{
	return yaml_scalar_loc((const ynode *)ctx, off);
}

/* Parses an expression held in a YAML scalar; locations point into the file. */
static expr *load_expr(loader *L, const ynode *n, const char *what)
{
	if (n->kind != YN_SCALAR) {
		diag_error(L->c.d, n->loc, "%s must be an expression string, not a %s",
			   what, ynode_kind_name(n));
		return NULL;
	}
	if (n->tag && strcmp(n->tag, "tag:yaml.org,2002:str")) {
		/* `where: !pid` is YAML's tag syntax, not the `!` operator */
		diag_error(L->c.d, n->tag_loc, "YAML reads this '!' as a tag, not as part of %s", what);
		diag_hint(L->c.d, "quote this expression: '%.80s%s%.80s'", n->tag[0] == '!' ? n->tag : "!",
			  n->len ? " " : "", n->str);
		return NULL;
	}
	if (n->len == 0) {
		diag_error(L->c.d, n->loc, "%s is empty", what);
		return NULL;
	}
	expr_locmap m = { scalar_at, n };
	return expr_parse(L->c.a, n->str, n->len, m, L->c.d);
}

static size_t flag_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	h ^= h >> 33;	/* FNV's low bits depend only on low bits: mix */
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return (size_t)h;
}

static void load_params(loader *L, const ynode *n)
{
	static const char *const keys[] = { "type", "default", "help", "flag", "unit", "required",
					    NULL };
	static const char *const types[] = {	/* gen/tables/param_types.def */
#define PTYPE(e, name, str, check, arg, arg_ms, word, word_ms, unit, unit_ms) name,
#include "../tables/param_types.def"
#undef PTYPE
		NULL,
	};
	static const char *const units[] = { "s", "ms", NULL };
	if (!schema_is_map(&L->c, n, "'params'"))
		return;
	L->s->params = arena_alloc(L->c.a, n->npairs * sizeof(spec_param));
	/* flags seen so far: an open-addressing set of parameter indices + 1,
	 * so that thousands of parameters cost linear time, not quadratic */
	size_t fcap = 16;
	while (fcap < 2 * n->npairs)
		fcap *= 2;
	unsigned *flags = arena_alloc(L->c.a, fcap * sizeof *flags);
	for (size_t i = 0; i < n->npairs; i++) {
		if (i == SPEC_MAX_PARAMS) {	/* each one is code in the tool command */
			diag_error(L->c.d, n->pairs[i].key->loc, "too many parameters (%zu; limit %d)",
				   n->npairs, SPEC_MAX_PARAMS);
			break;
		}
		const ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
		spec_param *p = &L->s->params[L->s->nparams];
		if (!schema_ident(&L->c, k, "parameter name", &p->name))
			continue;
		p->loc = k->loc;
		p->loc.len = (unsigned)k->len;
		if (!schema_is_map(&L->c, v, "a parameter"))
			continue;
		schema_check_keys(&L->c, v, "a parameter", keys);
		const ypair *t = ynode_get(v, "type");
		int ti = t ? schema_enum(&L->c, t->value, "parameter type", types) : 0;
		if (ti < 0)
			continue;
		p->type = (param_type)ti;
		const ypair *u = ynode_get(v, "unit");
		if (u) {
			if (p->type != PT_DURATION)
				diag_error(L->c.d, u->key->loc, "'unit' applies only to duration parameters");
			else
				p->unit_ms = schema_enum(&L->c, u->value, "duration unit", units) == 1;
		}
		const ypair *def = ynode_get(v, "default");
		const ypair *rq = ynode_get(v, "required");
		if (rq && schema_bool(&L->c, rq->value, "'required'", &p->required) && p->required) {
			if (p->type == PT_SWITCH)
				diag_error(L->c.d, rq->key->loc,
					   "a switch cannot be required: it is off unless given");
			else if (def) {
				diag_error(L->c.d, def->key->loc,
					   "a required parameter has no 'default': it must be given");
				diag_hint(L->c.d, "drop 'default', or 'required: true' to make it optional");
			}
			def = NULL;
		}
		if (p->type == PT_SWITCH) {
			bool on = false;
			if (def && schema_bool(&L->c, def->value, "a switch's default", &on))
				p->ival = on;
		} else if (!def) {
			if (!p->required)
				diag_error(L->c.d, v->loc,
					   "parameter '%s' needs a 'default' (or 'required: true')", p->name);
		} else if (p->type == PT_INT) {
			schema_int(&L->c, def->value, "an int parameter's default", &p->ival);
		} else if (p->type == PT_STRING || p->type == PT_POINT) {
			p->sval = schema_string(&L->c, def->value, p->type == PT_POINT ? "a point parameter's default"
										: "a string parameter's default");
		} else {
			int64_t ms;
			if (def->value->kind == YN_SCALAR && !strcmp(def->value->str, "0")) {
				p->ival = 0;	/* "0 = off": e.g. report only at the end */
			} else if (schema_duration(&L->c, def->value, "a duration parameter's default", &ms)) {
				if (!p->unit_ms && ms % 1000)
					diag_error(L->c.d, def->value->loc,
						   "default '%s' is not a whole number of seconds; add 'unit: ms'",
						   def->value->str);
				p->ival = p->unit_ms ? ms : ms / 1000;
			}
		}
		const ypair *h = ynode_get(v, "help");
		if (h)
			p->help = schema_line(&L->c, h->value, "'help'");
		else
			diag_error(L->c.d, v->loc, "parameter '%s' needs 'help' text", p->name);
		const ypair *f = ynode_get(v, "flag");
		if (f && (p->flag = schema_string(&L->c, f->value, "'flag'"))) {
			const char *fl = p->flag;
			bool ok = fl[0] == '-' && (fl[1] ? 1 : 0);
			for (const char *q = fl + 1; ok && *q; q++)
				ok = (*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
				     (*q >= '0' && *q <= '9') || *q == '-';
			static const char *const builtin[] = {
#define OPT(flag, alt, arg, help) flag, alt ? alt : flag,
#include "../tables/tool_options.def"
#undef OPT
				NULL,
			};
			if (!ok || strlen(fl) > 32)
				diag_error(L->c.d, f->value->loc,
					   "flag '%.40s' must look like -x or --name", fl);
			for (unsigned b = 0; ok && builtin[b]; b++)
				if (!strcmp(fl, builtin[b])) {
					strbuf all = STRBUF_INIT;
					for (unsigned j = 0; builtin[j]; j++)
						if (!j || strcmp(builtin[j], builtin[j - 1]))
							sb_printf(&all, "%s%s", j ? " " : "", builtin[j]);
					diag_error(L->c.d, f->value->loc,
						   "flag '%s' is one of every tool's own options (%s)", fl,
						   sb_str(&all));
					sb_free(&all);
					break;
				}
			for (size_t fh = flag_hash(fl) & (fcap - 1); ok; fh = (fh + 1) & (fcap - 1)) {
				if (!flags[fh]) {
					flags[fh] = L->s->nparams + 1;
					break;
				}
				const spec_param *q = &L->s->params[flags[fh] - 1];
				if (!strcmp(q->flag, fl)) {
					diag_error(L->c.d, f->value->loc, "flag '%s' is also used by parameter '%s'",
						   fl, q->name);
					break;
				}
			}
		}
		L->s->nparams++;
	}
}

static const char *const type_names[] = { "long", "string", "stack", NULL };
static const vtype type_values[] = { VT_LONG, VT_STRING, VT_STACK };

static void load_map(loader *L, const ynode *k, const ynode *v, bool is_agg)
{
	static const char *const state_keys[] = { "key", "value", "size", "wrap", NULL };
	static const char *const agg_keys[] = { "key", "size", "wrap", NULL };
	spec_map *m = &L->s->maps[L->s->nmaps];
	if (!schema_ident(&L->c, k, is_agg ? "aggregate name" : "state name", &m->name))
		return;
	for (unsigned i = 0; i < L->s->nmaps; i++)
		if (!strcmp(L->s->maps[i].name, m->name)) {
			diag_error(L->c.d, k->loc, "'%s' is already defined", m->name);
			diag_note(L->c.d, L->s->maps[i].loc, "previous definition is here");
			return;
		}
	m->loc = k->loc;
	m->loc.len = (unsigned)k->len;
	m->is_agg = is_agg;
	m->value_type = VT_LONG;
	if (v->kind == YN_SCALAR && v->len == 0)
		goto done;	/* `name:` with nothing: scalar aggregate */
	if (!schema_is_map(&L->c, v, is_agg ? "an aggregate" : "a state map"))
		return;
	schema_check_keys(&L->c, v, is_agg ? "an aggregate" : "a state map",
			  is_agg ? agg_keys : state_keys);
	const ypair *kp = ynode_get(v, "key");
	if (kp) {
		const ynode *kn = kp->value;
		if (kn->kind == YN_MAP) {	/* named keys: {pid: long, comm: string} */
			m->keys = arena_alloc(L->c.a, (kn->npairs + 1) * sizeof(spec_keycol));
			for (size_t i = 0; i < kn->npairs; i++) {
				spec_keycol *kc = &m->keys[m->nkeys];
				if (!schema_ident(&L->c, kn->pairs[i].key, "key name", &kc->name))
					continue;
				int t = schema_enum(&L->c, kn->pairs[i].value, "key type", type_names);
				kc->type = t < 0 ? VT_UNKNOWN : type_values[t];
				kc->loc = kn->pairs[i].key->loc;
				m->nkeys++;
			}
		} else {		/* anonymous keys: [long] */
			size_t cnt;
			const ynode *const *items = schema_list(&L->c, kn, &cnt);
			m->keys = arena_alloc(L->c.a, (cnt + 1) * sizeof(spec_keycol));
			for (size_t i = 0; i < cnt; i++) {
				int t = schema_enum(&L->c, items[i], "key type", type_names);
				m->keys[m->nkeys].type = t < 0 ? VT_UNKNOWN : type_values[t];
				m->keys[m->nkeys].loc = items[i]->loc;
				m->nkeys++;
			}
		}
		if (m->nkeys > SPEC_MAX_KEYS) {
			diag_error(L->c.d, kp->key->loc, "at most %d keys are supported", SPEC_MAX_KEYS);
			m->nkeys = SPEC_MAX_KEYS;
		}
	}
	const ypair *vp = ynode_get(v, "value");
	if (vp) {
		int t = schema_enum(&L->c, vp->value, "value type", type_names);
		m->value_type = t < 0 ? VT_UNKNOWN : type_values[t];
	}
	const ypair *sp = ynode_get(v, "size");
	int64_t n = 0;
	if (sp && schema_int(&L->c, sp->value, "'size'", &n)) {
		if (!m->nkeys)
			diag_error(L->c.d, sp->key->loc, "'size' needs a map with keys ('key:'): "
				   "stap sizes arrays, not scalars");
		else if (n < 1 || n > SPEC_MAX_MAP_SIZE)
			diag_error(L->c.d, sp->value->loc, "'size' must be between 1 and %d (entries)",
				   SPEC_MAX_MAP_SIZE);
		else
			m->size = n;
	}
	const ypair *wp = ynode_get(v, "wrap");
	bool wrap = false;
	if (wp && schema_bool(&L->c, wp->value, "'wrap'", &wrap) && wrap) {
		if (!m->nkeys)
			diag_error(L->c.d, wp->key->loc, "'wrap' needs a map with keys ('key:'): "
				   "stap wraps arrays, not scalars");
		else
			m->wrap = true;
	}
done:
	L->s->nmaps++;
}

static void load_maps(loader *L, const ynode *n, bool is_agg)
{
	if (!schema_is_map(&L->c, n, is_agg ? "'aggregates'" : "'state'"))
		return;
	for (size_t i = 0; i < n->npairs; i++)
		load_map(L, n->pairs[i].key, n->pairs[i].value, is_agg);
}

static void load_column(loader *L, spec_column *col, const ynode *k, const ynode *v)
{
	static const char *const keys[] = { "value", "type", "title", "width", "unit", NULL };
	static const char *const ctypes[] = {
#define COLT(e, name, str, sg, doc, word, need) name,
#include "../tables/col_types.def"
#undef COLT
		NULL
	};
	col->loc = k->loc;
	if (!schema_ident(&L->c, k, "column name", &col->name))
		return;
	if (v->kind == YN_SCALAR) {
		col->e = load_expr(L, v, "a column value");
		return;
	}
	if (!schema_is_map(&L->c, v, "a column"))
		return;
	schema_check_keys(&L->c, v, "a column", keys);
	const ypair *p = ynode_get(v, "value");
	if (!p)
		diag_error(L->c.d, v->loc, "column '%s' is missing required key 'value'", col->name);
	else
		col->e = load_expr(L, p->value, "a column value");
	if ((p = ynode_get(v, "type"))) {
		int t = schema_enum(&L->c, p->value, "column type", ctypes);
		col->type = t < 0 ? COL_AUTO : (col_type)(t + 1);
	}
	if ((p = ynode_get(v, "title"))) {
		col->title = schema_line(&L->c, p->value, "'title'");
		if (col->title && strlen(col->title) > 64) {
			diag_error(L->c.d, p->value->loc, "'title' is longer than 64 bytes");
			col->title = NULL;
		}
	}
	if ((p = ynode_get(v, "unit"))) {
		/* a short word: the flame graph says "N us" instead of "N samples" */
		if (schema_ident(&L->c, p->value, "column unit", &col->unit) && strlen(col->unit) > 16) {
			diag_error(L->c.d, p->value->loc, "'unit' is longer than 16 bytes");
			col->unit = NULL;
		}
	}
	if ((p = ynode_get(v, "width"))) {
		int64_t w = 0;
		if (schema_int(&L->c, p->value, "'width'", &w)) {
			if (w < 0 || w > 256)
				diag_error(L->c.d, p->value->loc, "'width' must be between 0 and 256");
			else
				col->width = (int)w;
		}
	}
}

static void load_columns(loader *L, const ynode *n, spec_column **cols, unsigned *ncols)
{
	if (!schema_is_map(&L->c, n, "'columns'"))
		return;
	if (n->npairs == 0)
		diag_error(L->c.d, n->loc, "'columns' is empty");
	*cols = arena_alloc(L->c.a, (n->npairs + 1) * sizeof(spec_column));
	for (size_t i = 0; i < n->npairs; i++)
		load_column(L, &(*cols)[(*ncols)++], n->pairs[i].key, n->pairs[i].value);
}

/* { record: NAME, when: COND, columns: {...} }, `when` optional. */
static void load_emit(loader *L, const ynode *m, spec_emit *em)
{
	static const char *const ekeys[] = { "record", "when", "columns", NULL };
	schema_check_keys(&L->c, m, "'emit'", ekeys);
	em->loc = m->loc;
	const ypair *r = ynode_get(m, "record");
	if (!r)
		diag_error(L->c.d, m->loc, "'emit' is missing required key 'record'");
	else
		schema_ident(&L->c, r->value, "record name", &em->record);
	const ypair *w = ynode_get(m, "when");
	if (w)
		em->when = load_expr(L, w->value, "a 'when' condition");
	const ypair *c = ynode_get(m, "columns");
	if (!c)
		diag_error(L->c.d, m->loc, "'emit' is missing required key 'columns'");
	else
		load_columns(L, c->value, &em->cols, &em->ncols);
}

/* `target: value` pairs, the target written as an expression in the key. */
/* An action key with entries (loaded or rejected); `store: {}` has none. */
static bool action_given(const ypair *a)
{
	return a && !(a->value->kind == YN_MAP && !a->value->npairs) &&
	       !(a->value->kind == YN_SEQ && !a->value->nitems);
}

/* `{ KEY: X, when: C }`, a list entry that holds only where C does: X's
 * node, C into *when; NULL when a key is missing (reported) or C fails. */
static const ynode *load_when_map(loader *L, const ynode *m, const char *key, const char *what, expr **when)
{
	const char *const keys[] = { key, "when", NULL };
	schema_check_keys(&L->c, m, what, keys);
	const ypair *x = ynode_get(m, key), *c = ynode_get(m, "when");
	if (!x || !c) {
		diag_error(L->c.d, m->loc, "%s is missing required key '%s'", what, x ? "when" : key);
		return NULL;
	}
	*when = load_expr(L, c->value, "a 'when' condition");
	return *when ? x->value : NULL;
}

/* Whether e is a target variable one may write: $x, $x->y, $x[i]. */
static bool target_lvalue(const expr *e)
{
	while (e && (e->kind == E_MEMBER || e->kind == E_INDEX))
		e = e->a;
	return e && e->kind == E_TARGET;
}

static void load_assigns(loader *L, const ynode *n, const char *what,
			 spec_assign **out, unsigned *nout)
{
	bool set = !strcmp(what, "'set'");	/* target variables, not maps */
	if (!schema_is_map(&L->c, n, what))
		return;
	*out = arena_alloc(L->c.a, (n->npairs + 1) * sizeof(spec_assign));
	for (size_t i = 0; i < n->npairs; i++) {
		spec_assign *as = &(*out)[*nout];
		memset(as, 0, sizeof *as);
		as->target = load_expr(L, n->pairs[i].key, "a target");
		const ynode *v = n->pairs[i].value;
		bool ok = true;
		if (v->kind == YN_MAP) {	/* { value: V, when: C }: a conditional write */
			static const char *const keys[] = { "value", "when", NULL };
			schema_check_keys(&L->c, v, "a conditional entry", keys);
			const ypair *vp = ynode_get(v, "value"), *wp = ynode_get(v, "when");
			if (!vp || !wp) {
				diag_error(L->c.d, v->loc, "a conditional entry of %s is missing required key '%s'",
					   what, vp ? "when" : "value");
				diag_hint(L->c.d, "a mapping here is { value: V, when: C }: V on the events where C holds");
			}
			as->value = vp ? load_expr(L, vp->value, "a value") : NULL;
			as->when = wp ? load_expr(L, wp->value, "a 'when' condition") : NULL;
			ok = wp && as->when;
		} else {
			as->value = load_expr(L, v, "a value");
		}
		if (set && as->target && !target_lvalue(as->target)) {
			diag_error(L->c.d, as->target->loc,
				   "the key of 'set' must be a target variable, like $var or $p->field");
			continue;
		}
		if (!set && as->target && as->target->kind != E_INDEX && as->target->kind != E_IDENT) {
			diag_error(L->c.d, as->target->loc,
				   "the key of %s must name a state map or aggregate, like name[key] or name",
				   what);
			continue;
		}
		if (as->target && as->value && ok) {
			(*nout)++;
			continue;
		}
		const expr *base = as->target && as->target->kind == E_INDEX ? as->target->a : as->target;
		if (!set && base && base->kind == E_IDENT && base->name) {
			spec *s = L->s;
			s->rejected_writes = arena_realloc(L->c.a, s->rejected_writes,
							   s->nrejected_writes * sizeof(char *),
							   (s->nrejected_writes + 1) * sizeof(char *));
			s->rejected_writes[s->nrejected_writes++] = base->name;
		}
	}
}

/* { KEY: ..., kernel: RANGE } -> the KEY node and the parsed range. */
static bool load_range_map(loader *L, const ynode *m, const char *key, const ynode **val,
			   const char **rtext, kver_range *range, const char *what)
{
	/* a probe point may also bind values of its own, and say what it sees */
	bool pt = !strcmp(key, "point");
	const char *const keys[] = { key, "kernel", pt ? "let" : NULL, pt ? "note" : NULL, NULL };
	schema_check_keys(&L->c, m, what, keys);
	const ypair *v = ynode_get(m, key), *k = ynode_get(m, "kernel");
	if (!v) {
		diag_error(L->c.d, m->loc, "%s is missing required key '%s'", what, key);
		return false;
	}
	*val = v->value;
	if (k) {
		*rtext = schema_string(&L->c, k->value, "'kernel'");
		if (!*rtext || !kver_range_parse(*rtext, range)) {
			diag_error(L->c.d, k->value->loc,
				   "'kernel' must be a version range like '< 4.18' or '>= 4.18, < 6.0'");
			return false;
		}
	}
	return true;
}

/* A value with kernel alternatives: a list of { value: ..., kernel: ... }. */
static void load_alts(loader *L, spec_let *l, const ynode *seq)
{
	l->alts = arena_alloc(L->c.a, (seq->nitems + 1) * sizeof(spec_alt));
	for (size_t i = 0; i < seq->nitems; i++) {
		const ynode *it = seq->items[i], *v = it;
		spec_alt *a = &l->alts[l->nalts];
		a->loc = it->loc;
		if (it->kind == YN_MAP) {
			if (!load_range_map(L, it, "value", &v, &a->range_text, &a->range,
					    "a value alternative"))
				continue;
		} else if (i + 1 < seq->nitems) {
			diag_error(L->c.d, it->loc,
				   "only the last alternative may omit 'kernel' (use { value: ..., kernel: ... })");
			continue;
		}
		if (i + 1 == seq->nitems && a->range.n)
			diag_error(L->c.d, it->loc,
				   "the last alternative applies when no other does: it takes no 'kernel'");
		a->e = load_expr(L, v, "a value");
		if (a->e)
			l->nalts++;
	}
	if (seq->nitems == 0)
		diag_error(L->c.d, seq->loc, "a value needs at least one alternative");
	if (l->nalts)
		l->e = l->alts[0].e;
}

/* `let: { NAME: value, ... }`, of a probe or of one of its points */
static void load_lets(loader *L, const ynode *m, spec_let **out, unsigned *nout)
{
	if (!schema_is_map(&L->c, m, "'let'"))
		return;
	*out = arena_alloc(L->c.a, (m->npairs + 1) * sizeof(spec_let));
	for (size_t i = 0; i < m->npairs; i++) {
		spec_let *l = &(*out)[*nout];
		if (!schema_ident(&L->c, m->pairs[i].key, "value name", &l->name))
			continue;
		l->loc = m->pairs[i].key->loc;
		l->loc.len = (unsigned)m->pairs[i].key->len;
		if (m->pairs[i].value->kind == YN_SEQ)
			load_alts(L, l, m->pairs[i].value);
		else
			l->e = load_expr(L, m->pairs[i].value, "a value");
		if (l->e)
			(*nout)++;
	}
}

/* `@param(NAME)` in a probe point: NAME must be a string parameter whose
 * default (the value a run without the option probes) is a valid value. */
static bool load_point_params(loader *L, const ynode *it, const char *txt)
{
	const char *name, *at = txt;
	size_t nl;
	bool ok = true;
	while ((at = probe_point_param(at, &name, &nl))) {
		srcloc loc = yaml_scalar_loc(it, (size_t)(name - txt));
		loc.len = (unsigned)nl;
		char buf[72];
		snprintf(buf, sizeof buf, "%.*s", (int)(nl < 64 ? nl : 64), name);
		spec_param *pa = NULL;
		for (unsigned i = 0; i < L->s->nparams && !pa; i++)
			if (L->s->params[i].name && !strcmp(L->s->params[i].name, buf))
				pa = &L->s->params[i];
		at = name + nl;
		if (pa)
			pa->in_point = true;
		if (!pa) {
			diag_error(L->c.d, loc, "unknown parameter '%s' in @param(...)", buf);
			ok = false;
			continue;
		}
		/* first: the whole point (type: point); inside parentheses: an argument (string) */
		bool whole = name == txt + 7;
		if (pa->type != (whole ? PT_POINT : PT_STRING)) {
			diag_error(L->c.d, loc, whole ? "@param(%s): a probe point's first component takes a "
							"'type: point' parameter (the whole point)"
						      : "@param(%s): a probe point takes a string parameter", buf);
			diag_note(L->c.d, pa->loc, "'%s' is declared here", buf);
			ok = false;
			continue;
		}
		const char *why;
		if (!pa->required && whole && (why = probe_point_value_bad(pa->sval ? pa->sval : ""))) {
			diag_error(L->c.d, loc, "@param(%s): its default '%.64s' is not a probe point: %s",
				   buf, pa->sval ? pa->sval : "", why);
			ok = false;
			continue;
		}
		if (!pa->required && !whole && (why = probe_point_param_value_bad(pa->sval ? pa->sval : ""))) {
			diag_error(L->c.d, loc, "@param(%s): its default '%.64s' cannot be part of a probe point: %s",
				   buf, pa->sval ? pa->sval : "", why);
			ok = false;
			continue;
		}
		pa->point_arg = 1;	/* numbered in spec_load(), in the order of params */
	}
	return ok;
}

static void load_probe(loader *L, spec_probe *p, const ynode *n)
{
	static const char *const keys[] = { "on", "alias_vars", "let", "where", "store", "collect",
					    "delete", "set", "call", "emit", "exit", NULL };
	p->loc = n->loc;
	if (!schema_is_map(&L->c, n, "a probe"))
		return;
	schema_check_keys(&L->c, n, "a probe", keys);
	const ypair *on = ynode_get(n, "on");
	if (!on) {
		diag_error(L->c.d, n->loc, "a probe is missing required key 'on'");
	} else {
		size_t cnt;
		const ynode *ov = on->value;
		if (ov->kind == YN_MAP) {
			/* { each: [a, b] }: attach to all of them; { first: [a, b] }:
			 * the first that resolves, said explicitly */
			static const char *const okeys[] = { "each", "first", NULL };
			schema_check_keys(&L->c, ov, "'on'", okeys);
			const ypair *each = ynode_get(ov, "each"), *first = ynode_get(ov, "first");
			const ypair *which = each ? each : first;
			if (!which || (each && first) || which->value->kind != YN_SEQ) {
				diag_error(L->c.d, ov->loc,
					   "'on' is a probe point, a list of fallbacks, {first: [points...]} or {each: [points...]}");
				return;
			}
			p->each = which == each;
			ov = which->value;
		} else if (ov->kind == YN_SEQ && ov->nitems > 1) {
			/* YAML's list reads like "all of these"; stap's `a !, b` is not */
			const ynode *a = ov->items[0], *b = ov->items[1];
			if (a->kind == YN_MAP && ynode_get(a, "point"))
				a = ynode_get(a, "point")->value;
			if (b->kind == YN_MAP && ynode_get(b, "point"))
				b = ynode_get(b, "point")->value;
			diag_warning(L->c.d, ov->loc,
				     "a list in 'on' means '%.80s', else '%.80s'%s: the first probe point that resolves, not each of them",
				     a->kind == YN_SCALAR ? a->str : "...", b->kind == YN_SCALAR ? b->str : "...",
				     ov->nitems > 2 ? ", else ..." : "");
			diag_hint(L->c.d, "say so with 'on: {first: [...]}', or probe every one with 'on: {each: [...]}'");
		}
		const ynode *const *items = schema_list(&L->c, ov, &cnt);
		p->points = arena_alloc(L->c.a, (cnt + 1) * sizeof(spec_point));
		for (size_t i = 0; i < cnt; i++) {
			const ynode *it = items[i];
			const char *rtext = NULL;
			kver_range range = { 0 };
			const ypair *plet = NULL, *pnote = NULL;
			if (it->kind == YN_MAP) {	/* { point: ..., kernel: "< 6.12", let: {...} } */
				plet = ynode_get(it, "let");
				pnote = ynode_get(it, "note");
				if (!load_range_map(L, it, "point", &it, &rtext, &range, "a probe point"))
					continue;
				if (i + 1 == cnt && range.n)
					diag_error(L->c.d, items[i]->loc,
						   "the last probe point applies when no other does: it takes no 'kernel'");
			}
			const char *txt = schema_string(&L->c, it, "a probe point");
			if (!txt)
				continue;
			const char *why = NULL;
			size_t bad = probe_point_validate(txt, it->len, &why);
			if (bad) {
				diag_error(L->c.d, yaml_scalar_loc(it, bad - 1), "%s", why);
				continue;
			}
			if (!load_point_params(L, it, txt))
				continue;
			p->points[p->npoints].text = txt;
			p->points[p->npoints].loc = it->loc;
			p->points[p->npoints].range = range;
			p->points[p->npoints].range_text = rtext;
			if (plet)
				load_lets(L, plet->value, &p->points[p->npoints].lets,
					  &p->points[p->npoints].nlets);
			if (pnote)
				p->points[p->npoints].note = schema_string(&L->c, pnote->value, "'note'");
			p->npoints++;
		}
		if (cnt == 0)
			diag_error(L->c.d, on->value->loc, "'on' lists no probe point");
	}
	const ypair *av = ynode_get(n, "alias_vars");
	if (av && schema_is_map(&L->c, av->value, "'alias_vars'")) {
		const ynode *m = av->value;
		p->avars = arena_alloc(L->c.a, (m->npairs + 1) * sizeof *p->avars);
		for (size_t i = 0; i < m->npairs; i++) {
			spec_alias_var *v = &p->avars[p->navars];
			if (!schema_ident(&L->c, m->pairs[i].key, "alias variable", &v->name))
				continue;
			static const char *const avtypes[] = { "long", "string", NULL };
			int t = schema_enum(&L->c, m->pairs[i].value, "alias variable type", avtypes);
			if (t < 0)
				continue;
			v->type = type_values[t];	/* long, string: as in type_names */
			v->loc = m->pairs[i].key->loc;
			v->loc.len = (unsigned)m->pairs[i].key->len;
			p->navars++;
		}
	}
	const ypair *lp = ynode_get(n, "let");
	if (lp)
		load_lets(L, lp->value, &p->lets, &p->nlets);
	const ypair *wp = ynode_get(n, "where");
	if (wp) {
		size_t cnt;
		const ynode *const *items = schema_list(&L->c, wp->value, &cnt);
		p->filters = arena_alloc(L->c.a, (cnt + 1) * sizeof(expr *));
		for (size_t i = 0; i < cnt; i++) {
			expr *e = load_expr(L, items[i], "a filter");
			if (e)
				p->filters[p->nfilters++] = e;
		}
	}
	const ypair *sp = ynode_get(n, "store");
	if (sp)
		load_assigns(L, sp->value, "'store'", &p->stores, &p->nstores);
	const ypair *cp = ynode_get(n, "collect");
	if (cp)
		load_assigns(L, cp->value, "'collect'", &p->collects, &p->ncollects);
	const ypair *dp = ynode_get(n, "delete");
	if (dp) {
		size_t cnt;
		const ynode *const *items = schema_list(&L->c, dp->value, &cnt);
		p->deletes = arena_alloc(L->c.a, (cnt + 1) * sizeof(expr *));
		p->delete_whens = arena_alloc(L->c.a, (cnt + 1) * sizeof(expr *));
		for (size_t i = 0; i < cnt; i++) {
			const ynode *it = items[i];
			expr *when = NULL;
			if (it->kind == YN_MAP && !(it = load_when_map(L, it, "entry", "a conditional delete", &when)))
				continue;	/* { entry: m[k], when: C } */
			expr *e = load_expr(L, it, "a delete target");
			if (e && e->kind != E_INDEX)
				diag_error(L->c.d, e->loc, "'delete' takes state entries like name[key]");
			else if (e) {
				p->delete_whens[p->ndeletes] = when;
				p->deletes[p->ndeletes++] = e;
			}
		}
	}
	const ypair *ep = ynode_get(n, "emit");
	if (ep && ep->value->kind == YN_SEQ) {	/* several records, each maybe conditional */
		size_t cnt;
		const ynode *const *items = schema_list(&L->c, ep->value, &cnt);
		if (cnt == 0)
			diag_error(L->c.d, ep->value->loc, "'emit' lists no record");
		p->emits = arena_alloc(L->c.a, (cnt + 1) * sizeof *p->emits);
		for (size_t i = 0; i < cnt; i++)
			if (schema_is_map(&L->c, items[i], "an entry of 'emit'"))
				load_emit(L, items[i], &p->emits[p->nemits++]);
	} else if (ep && ep->value->kind == YN_MAP) {
		p->emits = arena_alloc(L->c.a, sizeof *p->emits);
		load_emit(L, ep->value, &p->emits[p->nemits++]);
	} else if (ep) {
		diag_error(L->c.d, ep->value->loc, "'emit' must be a mapping or a list of mappings, not a %s",
			   ynode_kind_name(ep->value));
	}
	const ypair *stp = ynode_get(n, "set");
	if (stp)
		load_assigns(L, stp->value, "'set'", &p->sets, &p->nsets);
	const ypair *clp = ynode_get(n, "call");
	if (clp) {
		size_t cnt;
		const ynode *const *items = schema_list(&L->c, clp->value, &cnt);
		p->calls = arena_alloc(L->c.a, (cnt + 1) * sizeof(expr *));
		p->call_whens = arena_alloc(L->c.a, (cnt + 1) * sizeof(expr *));
		for (size_t i = 0; i < cnt; i++) {
			const ynode *it = items[i];
			expr *when = NULL;
			if (it->kind == YN_MAP && !(it = load_when_map(L, it, "call", "a conditional call", &when)))
				continue;	/* { call: f(x), when: C } */
			expr *e = load_expr(L, it, "a call");
			if (e && e->kind != E_CALL) {
				diag_error(L->c.d, e->loc, "'call' takes function calls, like set_kernel_int(addr, 0)");
			} else if (e) {
				p->call_whens[p->ncalls] = when;
				p->calls[p->ncalls++] = e;
			}
		}
	}
	const ypair *xp = ynode_get(n, "exit");
	if (xp)
		p->exit_when = load_expr(L, xp->value, "an exit condition");
	/* by the keys given, not the entries loaded: a rejected entry has had
	 * its error, "does nothing" would be a second one */
	if (!ep && !action_given(sp) && !action_given(cp) && !action_given(dp) && !action_given(stp) &&
	    !action_given(clp) && !xp && p->npoints)
		diag_error(L->c.d, n->loc, "this probe does nothing: give it 'emit', 'store', 'collect' or 'delete'");
}

/* `every`, `count`, `limit`: a literal or the name of a parameter. */
static const spec_param *param_ref(loader *L, const ynode *n)
{
	if (n->kind != YN_SCALAR || n->style != YS_PLAIN)
		return NULL;
	return spec_find_param(L->s, n->str);
}

static void load_report(loader *L, spec_report *r, const ynode *n)
{
	static const char *const keys[] = { "name", "every", "count", "from", "sort", "limit",
					    "columns", "histogram", "at_end", "on_error", NULL };
	r->loc = n->loc;
	if (!schema_is_map(&L->c, n, "a report"))
		return;
	schema_check_keys(&L->c, n, "a report", keys);
	const ypair *p;
	if (!(p = ynode_get(n, "name")))
		diag_error(L->c.d, n->loc, "a report is missing required key 'name'");
	else
		schema_ident(&L->c, p->value, "report name", &r->name);
	if ((p = ynode_get(n, "every"))) {
		r->every_loc = p->value->loc;
		r->every_param = param_ref(L, p->value);
		if (r->every_param) {
			if (r->every_param->type != PT_DURATION)
				diag_error(L->c.d, p->value->loc, "'every' needs a duration parameter; '%s' is not one",
					   r->every_param->name);
		} else {
			schema_duration(&L->c, p->value, "'every'", &r->every_lit);
		}
	}
	bool at_end = !ynode_get(n, "every");
	if ((p = ynode_get(n, "at_end")))
		schema_bool(&L->c, p->value, "'at_end'", &at_end);
	r->at_end = at_end;
	if ((p = ynode_get(n, "on_error")))
		schema_bool(&L->c, p->value, "'on_error'", &r->on_error);
	if ((p = ynode_get(n, "count"))) {
		r->count_param = param_ref(L, p->value);
		if (r->count_param) {
			if (r->count_param->type != PT_INT)
				diag_error(L->c.d, p->value->loc, "'count' needs an int parameter");
		} else
			schema_int(&L->c, p->value, "'count'", &r->count_lit);
	}
	if ((p = ynode_get(n, "limit"))) {
		r->limit_loc = p->value->loc;
		r->limit_param = param_ref(L, p->value);
		if (r->limit_param) {
			if (r->limit_param->type != PT_INT)
				diag_error(L->c.d, p->value->loc, "'limit' needs an int parameter");
		} else if (schema_int(&L->c, p->value, "'limit'", &r->limit_lit) && r->limit_lit < 0)
			diag_error(L->c.d, p->value->loc, "'limit' must be 0 (all rows) or more");
	}
	if ((p = ynode_get(n, "from"))) {
		size_t cnt;
		const ynode *const *items = schema_list(&L->c, p->value, &cnt);
		r->from = arena_alloc(L->c.a, (cnt + 1) * sizeof(char *));
		r->from_locs = arena_alloc(L->c.a, (cnt + 1) * sizeof(srcloc));
		for (size_t i = 0; i < cnt; i++)
			if (schema_ident(&L->c, items[i], "aggregate name", &r->from[r->nfrom]))
				r->from_locs[r->nfrom++] = items[i]->loc;
	}
	if ((p = ynode_get(n, "sort"))) {
		static const char *const skeys[] = { "by", "order", NULL };
		static const char *const orders[] = { "asc", "desc", NULL };
		const ynode *sv = p->value;
		r->sort_desc = true;
		if (sv->kind == YN_SCALAR) {
			r->sort = load_expr(L, sv, "'sort'");
		} else if (schema_is_map(&L->c, sv, "'sort'")) {
			schema_check_keys(&L->c, sv, "'sort'", skeys);
			const ypair *b = ynode_get(sv, "by");
			if (b)
				r->sort = load_expr(L, b->value, "'sort.by'");
			else
				diag_error(L->c.d, sv->loc, "'sort' is missing required key 'by'");
			const ypair *o = ynode_get(sv, "order");
			if (o)
				r->sort_desc = schema_enum(&L->c, o->value, "sort order", orders) != 0;
		}
	}
	if ((p = ynode_get(n, "columns")))
		load_columns(L, p->value, &r->cols, &r->ncols);
	if ((p = ynode_get(n, "histogram")) && schema_is_map(&L->c, p->value, "'histogram'")) {
		static const char *const hkeys[] = { "of", "kind", "min", "max", "step", "unit", NULL };
		static const char *const kinds[] = {
#define HIST(e, name, fn, doc) name,
#include "../tables/hist_kinds.def"
#undef HIST
			NULL,
		};
		const ynode *h = p->value;
		schema_check_keys(&L->c, h, "'histogram'", hkeys);
		const ypair *q;
		if ((q = ynode_get(h, "of")) && schema_ident(&L->c, q->value, "aggregate name", &r->hist_of))
			r->hist_loc = q->value->loc;
		else if (!q)
			diag_error(L->c.d, h->loc, "'histogram' is missing required key 'of'");
		r->hist = HIST_LOG2;
		if ((q = ynode_get(h, "kind"))) {
			int k = schema_enum(&L->c, q->value, "histogram kind", kinds);
			if (k >= 0)
				r->hist = (hist_kind)(HIST_NONE + 1 + k);	/* kinds[] in table order */
		}
		if ((q = ynode_get(h, "unit")))
			r->hist_unit = schema_line(&L->c, q->value, "'unit'");
		if (r->hist == HIST_LINEAR) {
			const ypair *mn = ynode_get(h, "min"), *mx = ynode_get(h, "max"),
				    *st = ynode_get(h, "step");
			if (!mn || !mx || !st)
				diag_error(L->c.d, h->loc, "a linear histogram needs 'min', 'max' and 'step'");
			else if (schema_int(&L->c, mn->value, "'min'", &r->lin_lo) &&
				 schema_int(&L->c, mx->value, "'max'", &r->lin_hi) &&
				 schema_int(&L->c, st->value, "'step'", &r->lin_step)) {
				/* hi - lo in unsigned: it does not fit int64 at the edges */
				if (r->lin_step <= 0 || r->lin_hi <= r->lin_lo ||
				    ((uint64_t)r->lin_hi - (uint64_t)r->lin_lo) / (uint64_t)r->lin_step > 1000)
					diag_error(L->c.d, h->loc,
						   "linear histogram needs min < max, step > 0 and at most 1000 buckets");
			}
		} else {
			for (const char *const *k = (const char *const[]){ "min", "max", "step", NULL }; *k; k++)
				if ((q = ynode_get(h, *k)))
					diag_error(L->c.d, q->key->loc, "'%s' applies only to linear histograms", *k);
		}
	}
	if (!r->hist && !r->ncols)
		diag_error(L->c.d, n->loc, "a report needs 'columns' or a 'histogram'");
	if (r->hist && r->ncols)
		diag_error(L->c.d, n->loc, "a report has either 'columns' or a 'histogram', not both");
	/* a histogram report prints every key's histogram: sort and limit
	 * were dropped without a word */
	for (const char *const *k = (const char *const[]){ "sort", "limit", NULL }; r->hist && *k; k++)
		if ((p = ynode_get(n, *k)))
			diag_error(L->c.d, p->key->loc,
				   "'%s' applies to a report's rows; a histogram report prints every key's histogram", *k);
	r->has_from = ynode_get(n, "from") != NULL;
}

static void load_kernels(loader *L, const ynode *n)
{
	static const char *const keys[] = { "unsupported", NULL };
	static const char *const ukeys[] = { "range", "reason", NULL };
	if (!schema_is_map(&L->c, n, "'kernels'"))
		return;
	schema_check_keys(&L->c, n, "'kernels'", keys);
	const ypair *u = ynode_get(n, "unsupported");
	if (!u)
		return;
	size_t cnt;
	const ynode *const *items = schema_list(&L->c, u->value, &cnt);
	L->s->unsupported = arena_alloc(L->c.a, (cnt + 1) * sizeof(spec_unsupported));
	for (size_t i = 0; i < cnt; i++) {
		const ynode *m = items[i];
		if (!schema_is_map(&L->c, m, "an unsupported kernel range"))
			continue;
		schema_check_keys(&L->c, m, "an unsupported kernel range", ukeys);
		const ypair *rp = ynode_get(m, "range"), *wp = ynode_get(m, "reason");
		if (!rp || !wp) {
			diag_error(L->c.d, m->loc, "an unsupported kernel range needs 'range' and 'reason'");
			continue;
		}
		spec_unsupported *x = &L->s->unsupported[L->s->nunsupported];
		x->range_text = schema_string(&L->c, rp->value, "'range'");
		x->reason = schema_line(&L->c, wp->value, "'reason'");
		x->loc = rp->value->loc;
		if (!x->range_text || !x->reason)
			continue;
		if (!kver_range_parse(x->range_text, &x->range)) {
			diag_error(L->c.d, rp->value->loc,
				   "'range' must look like '< 4.18', '>= 6.12' or '>= 4.18, < 6.0'");
			continue;
		}
		L->s->nunsupported++;
	}
}

/* The -D macros a spec may set, each with the values it may take: stap's
 * runtime limits (runtime_defines.h), bounded so that none is turned off
 * by a huge value.  The overload limits may only get stricter than stap's
 * defaults (at most 50% of a CPU), MINSTACKSPACE only larger.  The macros
 * that turn a protection off entirely need a guru spec. */
static const struct stap_macro {
	const char *name;
	uint64_t lo, hi;
	bool guru;
} stap_macros[] = {
	{ "INTERRUPTIBLE", 0, 1, false },
	{ "KRETACTIVE", 1, 10000, false },
	{ "MAXACTION", 1, 1000000, false },
	{ "MAXACTION_INTERRUPTIBLE", 1, 10000000, false },
	{ "MAXBACKTRACE", 1, 1000, false },
	{ "MAXERRORS", 0, 10000, false },
	{ "MAXMAPENTRIES", 1, 1048576, false },
	{ "MAXSKIPPED", 0, 100000, false },
	{ "MAXSTRINGLEN", 1, 65536, false },
	{ "MAXTRYLOCK", 1, 100000, false },
	{ "MINSTACKSPACE", 1024, 16384, false },
	{ "STAP_NO_OVERLOAD", 1, 1, true },
	{ "STAP_SUPPRESS_TIME_LIMITS_ENABLE", 1, 1, true },
	{ "STP_NO_OVERLOAD", 1, 1, true },
	{ "STP_OVERLOAD_INTERVAL", 1000000000ull, 100000000000ull, false },
	{ "STP_OVERLOAD_THRESHOLD", 1000000, 500000000, false },
	{ "TRYLOCKDELAY", 1, 1000, false },
};
#define N_STAP_MACROS (sizeof stap_macros / sizeof stap_macros[0])

static void load_options(loader *L, const ynode *n)
{
	size_t cnt;
	const ynode *const *items = schema_list(&L->c, n, &cnt);
	L->s->stap_options = arena_alloc(L->c.a, (cnt + 1) * sizeof(char *));
	L->s->stap_option_locs = arena_alloc(L->c.a, (cnt + 1) * sizeof(srcloc));
	const char *names[N_STAP_MACROS + 1];
	for (size_t i = 0; i < N_STAP_MACROS; i++)
		names[i] = stap_macros[i].name;
	names[N_STAP_MACROS] = NULL;
	const ynode *seen[N_STAP_MACROS] = { 0 };
	for (size_t i = 0; i < cnt; i++) {
		const char *o = schema_string(&L->c, items[i], "a stap option");
		if (!o)
			continue;
		/* Only -DNAME=NUMBER: anything else could change what stap runs. */
		const char *q = o + 2, *name = q, *num = NULL;
		bool ok = !strncmp(o, "-D", 2) && ((*q >= 'A' && *q <= 'Z') || *q == '_');
		while (ok && ((*q >= 'A' && *q <= 'Z') || (*q >= '0' && *q <= '9') || *q == '_'))
			q++;
		size_t nlen = (size_t)(q - name);
		if (ok && *q == '=') {
			num = ++q;
			ok = *q >= '0' && *q <= '9';
			while (ok && *q >= '0' && *q <= '9')
				q++;
		}
		if (ok && !*q && num && num[0] == '0' && num[1]) {
			diag_error(L->c.d, items[i]->loc,
				   "'%.30s' has a leading zero (C would read it as octal); write the number in decimal",
				   num);
			continue;
		}
		if (!ok || *q || !num) {
			diag_error(L->c.d, items[i]->loc,
				   "stap option '%.60s' is not allowed; only -DNAME=NUMBER (e.g. -DMAXMAPENTRIES=10240)",
				   o);
			continue;
		}
		const struct stap_macro *m = NULL;
		for (size_t k = 0; k < N_STAP_MACROS && !m; k++)
			if (strlen(stap_macros[k].name) == nlen && !strncmp(stap_macros[k].name, name, nlen))
				m = &stap_macros[k];
		if (!m) {
			char *nm = arena_strndup(L->c.a, name, nlen);
			const char *sug = diag_suggest(nm, names, N_STAP_MACROS);
			if (sug)
				diag_error(L->c.d, items[i]->loc,
					   "'%.60s' is not one of stap's limits a spec may set; did you mean '%s'?",
					   nm, sug);
			else
				diag_error(L->c.d, items[i]->loc,
					   "'%.60s' is not one of stap's limits a spec may set (MAXACTION, MAXMAPENTRIES, MAXSTRINGLEN, ...; see docs/hostile-input.md)",
					   nm);
			continue;
		}
		uint64_t v = 0;
		bool big = false;
		for (const char *d = num; *d; d++) {
			if (v > (UINT64_MAX - 9) / 10)
				big = true;
			else
				v = v * 10 + (uint64_t)(*d - '0');
		}
		if (big || v < m->lo || v > m->hi) {
			diag_error(L->c.d, items[i]->loc, "%s must be between %llu and %llu, not %.30s%s", m->name,
				   (unsigned long long)m->lo, (unsigned long long)m->hi, num,
				   strlen(num) > 30 ? "..." : "");
			continue;
		}
		if (m->guru && !L->s->guru) {
			diag_error(L->c.d, items[i]->loc,
				   "%s turns off one of stap's protections of the running kernel; only a guru spec ('guru: true') may set it",
				   m->name);
			continue;
		}
		if (seen[m - stap_macros]) {
			diag_error(L->c.d, items[i]->loc, "%s is set twice", m->name);
			diag_note(L->c.d, seen[m - stap_macros]->loc, "first set here");
			continue;
		}
		seen[m - stap_macros] = items[i];
		L->s->stap_option_locs[L->s->nstap_options] = items[i]->loc;
		L->s->stap_options[L->s->nstap_options++] = o;
	}
}

/* examples: [{ run: "TOOL ARGS", what: "one sentence" }]: the run is words
 * of the tool's command line (quotes allowed), no other shell syntax, so a
 * test can run each one's option parsing */
static void load_examples(loader *L, const ynode *n)
{
	static const char *const keys[] = { "run", "what", NULL };
	size_t cnt;
	if (n->kind != YN_SEQ) {
		diag_error(L->c.d, n->loc, "'examples' must be a list of { run: ..., what: ... }");
		return;
	}
	const ynode *const *items = schema_list(&L->c, n, &cnt);
	L->s->examples = arena_alloc(L->c.a, (cnt + 1) * sizeof(spec_example));
	for (size_t i = 0; i < cnt; i++) {
		const ynode *it = items[i];
		if (i == SPEC_MAX_EXAMPLES) {
			diag_error(L->c.d, it->loc, "too many examples (%zu; limit %d)", cnt, SPEC_MAX_EXAMPLES);
			break;
		}
		if (!schema_is_map(&L->c, it, "an example"))
			continue;
		schema_check_keys(&L->c, it, "an example", keys);
		const ypair *r = ynode_get(it, "run"), *w = ynode_get(it, "what");
		if (!r || !w) {
			diag_error(L->c.d, it->loc, "an example is missing required key '%s'", r ? "what" : "run");
			continue;
		}
		spec_example *e = &L->s->examples[L->s->nexamples];
		e->loc = r->value->loc;
		e->run = schema_line(&L->c, r->value, "an example's 'run'");
		e->what = schema_line(&L->c, w->value, "an example's 'what'");
		if (!e->run || !e->what)
			continue;
		size_t tl = L->s->tool ? strlen(L->s->tool) : 0;
		if (tl && (strncmp(e->run, L->s->tool, tl) || (e->run[tl] && e->run[tl] != ' '))) {
			diag_error(L->c.d, r->value->loc, "an example runs the tool: it starts with '%s'",
				   L->s->tool);
			continue;
		}
		size_t bad = strcspn(e->run, ";&|<>$`()\\{}#\t");
		if (e->run[bad]) {
			srcloc at = yaml_scalar_loc(r->value, bad);
			diag_error(L->c.d, at, "an example is the tool's words only: '%c' is shell syntax",
				   e->run[bad]);
			continue;
		}
		char q = 0;	/* quotes closed: each run is words a shell splits */
		for (const char *c = e->run; *c; c++)
			if (q ? *c == q : (*c == '\'' || *c == '"'))
				q = q ? 0 : *c;
		if (q) {
			diag_error(L->c.d, r->value->loc, "an example's quote %c is not closed", q);
			continue;
		}
		if (strlen(e->run) > 200) {
			diag_error(L->c.d, r->value->loc, "an example's 'run' is longer than 200 bytes");
			continue;
		}
		L->s->nexamples++;
	}
}

spec *spec_load(arena *a, const source *src, diag_sink *d)
{
	ynode *root = yaml_load(a, src, NULL, d);
	if (!root)
		return NULL;
	loader L = { { a, d }, NULL };
	if (root->kind != YN_MAP) {
		diag_error(d, root->loc, "a spec must be a mapping of keys (tool:, probes:, ...), not a %s",
			   ynode_kind_name(root));
		return NULL;
	}
	static const char *const keys[] = { "tool", "summary", "description", "params", "state",
					    "aggregates", "probes", "reports", "kernels",
					    "stap_options", "guru", "examples",
					    /* the live tests' expectations: read by tests/live/live.py */
					    "live", NULL };
	spec *s = L.s = arena_alloc(a, sizeof *s);
	s->path = src->path;
	s->src = src;
	schema_check_keys(&L.c, root, "a spec", keys);
	const ypair *p;
	if (!(p = ynode_get(root, "tool")))
		diag_error(d, root->loc, "spec is missing required key 'tool'");
	else if (schema_ident(&L.c, p->value, "tool name", &s->tool)) {
		s->tool_loc = p->value->loc;
		/* the parser runtime's C names: sg_tool, SG_LONG, ... */
		if (!strncmp(s->tool, "sg", 2) && (!s->tool[2] || s->tool[2] == '_')) {
			diag_error(d, p->value->loc,
				   "tool name '%s' is reserved: the parser runtime's C names start with sg_",
				   s->tool);
			s->tool = NULL;
		} else if (!strncmp(s->tool, "SG", 2) && (!s->tool[2] || s->tool[2] == '_')) {
			diag_error(d, p->value->loc,
				   "tool name '%s' is reserved: the parser runtime's C macros start with SG_",
				   s->tool);
			s->tool = NULL;
		}
	}
	if (!(p = ynode_get(root, "summary")))
		diag_error(d, root->loc, "spec is missing required key 'summary'");
	else
		s->summary = schema_line(&L.c, p->value, "'summary'");
	if ((p = ynode_get(root, "description")))
		s->description = schema_text(&L.c, p->value, "'description'");
	if ((p = ynode_get(root, "guru")))
		schema_bool(&L.c, p->value, "'guru'", &s->guru);
	if ((p = ynode_get(root, "params")))
		load_params(&L, p->value);
	size_t nmaps = 0;
	const ypair *st = ynode_get(root, "state"), *ag = ynode_get(root, "aggregates");
	if (st && st->value->kind == YN_MAP)
		nmaps += st->value->npairs;
	if (ag && ag->value->kind == YN_MAP)
		nmaps += ag->value->npairs;
	s->maps = arena_alloc(a, (nmaps + 1) * sizeof(spec_map));
	if (st)
		load_maps(&L, st->value, false);
	if (ag)
		load_maps(&L, ag->value, true);
	if (!(p = ynode_get(root, "probes"))) {
		diag_error(d, root->loc, "spec is missing required key 'probes'");
	} else if (p->value->kind != YN_SEQ || p->value->nitems == 0) {
		diag_error(d, p->value->loc, "'probes' must be a non-empty list of probes");
	} else {
		s->probes = arena_alloc(a, p->value->nitems * sizeof(spec_probe));
		for (size_t i = 0; i < p->value->nitems; i++)
			load_probe(&L, &s->probes[s->nprobes++], p->value->items[i]);
	}
	for (unsigned i = 0; i < s->nparams; i++) {	/* stap's @1, @2 ... */
		if (s->params[i].point_arg)
			s->params[i].point_arg = ++s->npoint_args;
		else if (s->params[i].type == PT_POINT && s->params[i].name && !s->params[i].in_point) {
			diag_error(d, s->params[i].loc, "point parameter '%s' is the probe point of no probe",
				   s->params[i].name);
			diag_hint(d, "a probe's `on: '@param(%s).return'` (or '@param(%s)') probes the point it gives",
				  s->params[i].name, s->params[i].name);
		}
	}
	if ((p = ynode_get(root, "reports"))) {
		if (p->value->kind != YN_SEQ) {
			diag_error(d, p->value->loc, "'reports' must be a list of reports");
		} else {
			s->reports = arena_alloc(a, (p->value->nitems + 1) * sizeof(spec_report));
			for (size_t i = 0; i < p->value->nitems; i++)
				load_report(&L, &s->reports[s->nreports++], p->value->items[i]);
		}
	}
	if ((p = ynode_get(root, "kernels")))
		load_kernels(&L, p->value);
	if ((p = ynode_get(root, "stap_options")))
		load_options(&L, p->value);
	if ((p = ynode_get(root, "examples")))
		load_examples(&L, p->value);
	return s;
}

const spec_param *spec_find_param(const spec *s, const char *name)
{
	for (unsigned i = 0; i < s->nparams; i++)
		if (s->params[i].name && !strcmp(s->params[i].name, name))
			return &s->params[i];
	return NULL;
}

const spec_map *spec_find_map(const spec *s, const char *name)
{
	for (unsigned i = 0; i < s->nmaps; i++)
		if (s->maps[i].name && !strcmp(s->maps[i].name, name))
			return &s->maps[i];
	return NULL;
}
