/* Type checking of spec expressions; the tapset function table. */
#include "check/check_expr.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- tapset function table ---------------------------------------------- */

static const tapset_func tapset_table[] = {
#define TF(n, r, na, a1, a2, a3, a4, fl) \
	{ #n, VT_##r, na, { VT_##a1, VT_##a2, VT_##a3, VT_##a4 }, fl },
#include "../tables/tapset_funcs.def"
#undef TF
};
#define NTAPSET (sizeof tapset_table / sizeof *tapset_table)

/* Functions a generated script defines itself (gen/tables/script_funcs.def). */
static const tapset_func script_table[] = {
#define SF(n, r, na, fl, sum, def) \
	{ #n, VT_##r, na, { VT_VOID, VT_VOID, VT_VOID, VT_VOID }, (fl) | TF_SCRIPT },
#include "tables/script_funcs.def"
#undef SF
};
static const char *const script_defs[] = {
#define SF(n, r, na, fl, sum, def) def,
#include "tables/script_funcs.def"
#undef SF
};
static const char *const script_sums[] = {
#define SF(n, r, na, fl, sum, def) sum,
#include "tables/script_funcs.def"
#undef SF
};
#define NSCRIPT (sizeof script_table / sizeof *script_table)

unsigned script_func_count(void)
{
	return NSCRIPT;
}

const tapset_func *script_func(unsigned i, const char **summary, const char **definition)
{
	if (i >= NSCRIPT)
		return NULL;
	if (summary)
		*summary = script_sums[i];
	if (definition)
		*definition = script_defs[i];
	return &script_table[i];
}

int script_func_index(const char *name)
{
	for (unsigned i = 0; name && i < NSCRIPT; i++)
		if (!strcmp(script_table[i].name, name))
			return (int)i;
	return -1;
}

/* stap built-ins that are not tapset functions (print_format family). */
static const char *const builtin_names[] = { "sprint", "sprintf" };
#define NBUILTIN (sizeof builtin_names / sizeof *builtin_names)

static int cmp_func(const void *key, const void *elem)
{
	return strcmp(key, ((const tapset_func *)elem)->name);
}

const tapset_func *tapset_func_overloads(const char *name, size_t *n)
{
	size_t dummy;
	if (!n)
		n = &dummy;
	*n = 0;
	if (!name)
		return NULL;
	int si = script_func_index(name);
	if (si >= 0) {
		*n = 1;
		return &script_table[si];
	}
	const tapset_func *f = bsearch(name, tapset_table, NTAPSET,
				       sizeof *tapset_table, cmp_func);
	if (!f)
		return NULL;
	while (f > tapset_table && !strcmp(f[-1].name, name))
		f--;
	size_t k = 0;
	while (f + k < tapset_table + NTAPSET && !strcmp(f[k].name, name))
		k++;
	*n = k;
	return f;
}

const tapset_func *tapset_func_lookup(const char *name)
{
	size_t n;
	return tapset_func_overloads(name, &n);
}

size_t tapset_func_names(const char **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; i < NTAPSET && k < max; i++) {
		const char *nm = tapset_table[i].name;
		if (nm[0] == '_' || (i > 0 && !strcmp(tapset_table[i - 1].name, nm)))
			continue;
		out[k++] = nm;
	}
	/* the script's own functions, in their sorted places */
	for (size_t i = 0; i < NSCRIPT && k < max; i++) {
		size_t at = k;
		while (at > 0 && strcmp(out[at - 1], script_table[i].name) > 0) {
			out[at] = out[at - 1];
			at--;
		}
		out[at] = script_table[i].name;
		k++;
	}
	return k;
}

/* ---- checker ------------------------------------------------------------ */

typedef struct checker {
	const check_env *env;
	diag_sink *d;
	unsigned errors;
	unsigned depth;
	bool deep_reported;
	unsigned in_defined;	/* inside @defined / @choose_defined */
} checker;

static void err(checker *c, srcloc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void err(checker *c, srcloc loc, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	c->errors++;
	diag_error(c->d, loc, "%s", msg);
}

static unsigned flags(const checker *c)
{
	return c->env ? c->env->flags : 0;
}

static bool stringy(vtype t)
{
	return t == VT_STRING || t == VT_STACK;
}

/* Whether a value of type `got` may be used where `want` is expected;
 * unknown types (errors already reported) are compatible with anything. */
static bool compat(vtype want, vtype got)
{
	if (want == VT_UNKNOWN || got == VT_UNKNOWN)
		return true;
	if (want == VT_STRING || want == VT_STACK)
		return stringy(got);
	return want == got;
}

static const char *kind_word(name_kind k)
{
	switch (k) {
	case NAME_PARAM: return "parameter";
	case NAME_VALUE: return "value";
	case NAME_KEY: return "key column";
	case NAME_STATE: return "state map";
	case NAME_AGG: return "aggregate";
	case NAME_ALIASVAR: return "probe variable";
	case NAME_TAPSET: return "tapset constant";
	case NAME_NONE: break;
	}
	return "name";
}

static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static bool lookup(const checker *c, const char *name, name_info *ni)
{
	memset(ni, 0, sizeof *ni);
	return name && c->env && c->env->lookup &&
	       c->env->lookup(c->env->ctx, name, ni) && ni->kind != NAME_NONE;
}

static void bind(expr *e, const name_info *ni)
{
	e->bind = ni->kind;
	e->bind_ptr = ni->ptr;
	if (ni->stap_name)
		e->emit_name = ni->stap_name;
}

static bool is_builtin(const char *name)
{
	for (size_t i = 0; i < NBUILTIN; i++)
		if (!strcmp(name, builtin_names[i]))
			return true;
	return false;
}

/* Whether b is a with two adjacent characters swapped ("eiud"/"euid"). */
static bool transposed(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (n != strlen(b) || n < 2)
		return false;
	size_t i = 0;
	while (i < n && a[i] == b[i])
		i++;
	return i + 1 < n && a[i] == b[i + 1] && a[i + 1] == b[i] &&
	       !strcmp(a + i + 2, b + i + 2);
}

/* diag_suggest, except that a swap of two neighbouring letters - the
 * commonest typo, which plain edit distance counts as two edits - wins. */
static const char *suggest(const char *word, const char *const *cands, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (cands[i] && transposed(word, cands[i]))
			return cands[i];
	return diag_suggest(word, cands, n);
}

static void unknown_name(checker *c, srcloc loc, const char *name)
{
	size_t nf;
	const tapset_func *f = tapset_func_overloads(name, &nf);
	if (f || is_builtin(name)) {
		if (f && f[0].nargs == 0)
			err(c, loc, "unknown name '%s'; did you mean '%s()'?", name, name);
		else
			err(c, loc, "unknown name '%s'; '%s' is a function: call it as %s(...)",
			    name, name, name);
		return;
	}
	enum { MAXC = 1024 };
	const char *cands[MAXC];
	size_t n = 0;
	if (c->env && c->env->candidates)
		n = c->env->candidates(c->env->ctx, cands, MAXC);
	if (n > MAXC)
		n = MAXC;
	const char *s = suggest(name, cands, n);
	if (s)
		err(c, loc, "unknown name '%s'; did you mean '%s'?", name, s);
	else
		err(c, loc, "unknown name '%s'", name);
	if (!s && c->env && c->env->unknown)	/* a near miss is a typo: no hint */
		c->env->unknown(c->env->ctx, name, c->d);
}

/* $x, $x->f, $x[i], @cast(p, "T")->f ...: things stap resolves by DWARF. */
static bool is_target_expr(const expr *e)
{
	while (e) {
		switch (e->kind) {
		case E_TARGET:
		case E_CAST:
			return true;
		case E_MEMBER:
		case E_INDEX:
			e = e->a;
			continue;
		default:
			return false;
		}
	}
	return false;
}

static vtype chk(checker *c, expr *e);

/* The type of e used as a value: void (a function returning nothing) is
 * an error there. */
static vtype value(checker *c, expr *e)
{
	vtype t = chk(c, e);
	if (t == VT_VOID) {
		if (e->kind == E_CALL)
			err(c, e->loc, "function '%s' returns no value", e->name);
		else
			err(c, e->loc, "expression has no value");
		return VT_UNKNOWN;
	}
	return t;
}

static void values(checker *c, expr **args, size_t n)
{
	for (size_t i = 0; i < n; i++)
		value(c, args[i]);
}

/* Checks the index expressions of map `name` against its key types. */
static void check_keys(checker *c, const char *name, const name_info *ni,
		       expr **args, size_t nargs, srcloc where)
{
	if (nargs != ni->nkeys)
		err(c, where, "%s '%s' takes %u key%s, %zu given", kind_word(ni->kind),
		    name, ni->nkeys, plural(ni->nkeys), nargs);
	for (size_t i = 0; i < nargs; i++) {
		vtype t = value(c, args[i]);
		if (i < ni->nkeys && i < CHECK_MAX_KEYS && !compat(ni->keys[i], t))
			err(c, args[i]->span, "key %zu of '%s' must be %s, got %s", i + 1,
			    name, vtype_name(ni->keys[i]), vtype_name(t));
	}
}

static void agg_only(checker *c, srcloc loc, const char *name)
{
	static const char *const fns[] = {
#define AGG(e, text) text,
#include "../tables/aggs.def"
#undef AGG
	};
	enum { N = sizeof fns / sizeof *fns };
	char list[128];
	size_t len = 0;
	for (size_t i = 0; i < N && len < sizeof list; i++)	/* "@count, ... or @avg" */
		len += (size_t)snprintf(list + len, sizeof list - len, "%s%s",
					i == 0 ? "" : i + 1 == N ? " or " : ", ", fns[i]);
	err(c, loc, "aggregate '%s' can only be read with %s", name, list);
}

static vtype chk_ident(checker *c, expr *e)
{
	name_info ni;
	if (!lookup(c, e->name, &ni)) {
		unknown_name(c, e->loc, e->name);
		return VT_UNKNOWN;
	}
	bind(e, &ni);
	if (ni.kind == NAME_AGG) {
		agg_only(c, e->loc, e->name);
		return VT_UNKNOWN;
	}
	if (ni.kind == NAME_STATE && ni.nkeys > 0 && !ni.row_value) {
		err(c, e->loc, "state map '%s' takes %u key%s: write %s[...]", e->name,
		    ni.nkeys, plural(ni.nkeys), e->name);
		return VT_UNKNOWN;
	}
	return ni.type;
}

/* $arg1 ... $arg12 (sys/sdt.h takes at most 12), $$parms, $$vars (with $ or $$ after) */
static bool mark_arg(const char *n)
{
	if (!strncmp(n, "$parms", 6) || !strncmp(n, "$vars", 5))
		return true;
	if (strncmp(n, "arg", 3) || n[3] < '1' || n[3] > '9')
		return false;
	int v = n[3] - '0';
	if (n[4] >= '0' && n[4] <= '9')
		v = v * 10 + n[4] - '0';
	return v <= 12 && !n[n[4] >= '0' && n[4] <= '9' ? 5 : 4];
}

static vtype chk_target(checker *c, expr *e)
{
	const char *n = e->name ? e->name : "";
	bool ret = !strcmp(n, "return") || !strncmp(n, "$return", 7);
	unsigned f = flags(c);
	if (c->in_defined) {
		if (f & CTX_MAYBE_RETURN)
			f |= CTX_RETURN;
		if (f & CTX_MAYBE_TARGET)
			f |= CTX_TARGET;
	}
	if (ret) {
		if (!(f & CTX_RETURN)) {
			err(c, e->loc, "'$%s' is only available in .return probes", n);
			if (f & CTX_ENTRY)
				diag_hint(c->d, "a kprobe's .return reads its return value with returnval()");
			return VT_UNKNOWN;
		}
	} else if (!(f & CTX_TARGET)) {
		err(c, e->loc,
		    "target variable '$%s' needs a kernel/module/process function or tracepoint probe",
		    n);
		if (f & CTX_MAYBE_TARGET)
			diag_hint(c->d, "only some of the probe's points have $vars: give each point a 'let' that binds the value its own way ({ point: ..., let: { %s: ... } })",
				  n);
		else if (!(f & CTX_NO_EVENT))
			diag_hint(c->d, "kprobes, process.begin/.end, timer.profile and perf probes have no $vars; a kprobe reads its arguments with pointer_arg(N), int_arg(N), ulong_arg(N) and its return value with returnval()");
		return VT_UNKNOWN;
	}
	if ((f & CTX_MARK) && !mark_arg(n)) {
		err(c, e->loc, "'$%s' is not an argument of an SDT marker: a .mark probe reads $arg1 ... $arg12 (and $$parms)",
		    n);
		diag_hint(c->d, "'readelf -n BINARY' lists a binary's markers; their arguments have no names, only positions");
		return VT_UNKNOWN;
	}
	return n[0] == '$' ? VT_STRING : VT_LONG;	/* $$vars... pretty-print */
}

static vtype chk_member(checker *c, expr *e)
{
	expr *b = e->a;
	if (!is_target_expr(b)) {
		name_info ni;
		if (b && b->kind == E_IDENT) {
			if (!lookup(c, b->name, &ni))
				unknown_name(c, b->loc, b->name);
			else
				err(c, e->loc,
				    "'->' applies to target variables and @cast(); '%s' is a %s: write @cast(%s, \"TYPE\")->%s",
				    b->name, kind_word(ni.kind), b->name, e->name);
		} else {
			if (b)
				chk(c, b);
			err(c, e->loc, "'->' applies to target variables and @cast() only");
		}
		return VT_UNKNOWN;
	}
	return value(c, b) == VT_UNKNOWN ? VT_UNKNOWN : VT_LONG;
}

/* m[k...] where m names a state map or (inside @sum & co) an aggregate. */
static vtype chk_map_access(checker *c, expr *e, expr *id, bool in_agg)
{
	name_info ni;
	if (!lookup(c, id->name, &ni)) {
		unknown_name(c, id->loc, id->name);
		values(c, e->args, e->nargs);
		return VT_UNKNOWN;
	}
	bind(id, &ni);
	if (ni.kind != NAME_STATE && ni.kind != NAME_AGG) {
		err(c, id->loc, "'%s' is a %s, not a map; it cannot be indexed", id->name,
		    kind_word(ni.kind));
		values(c, e->args, e->nargs);
		return VT_UNKNOWN;
	}
	id->type = ni.kind == NAME_AGG ? VT_STAT : ni.type;
	if (ni.kind == NAME_AGG && !in_agg) {
		agg_only(c, id->loc, id->name);
		values(c, e->args, e->nargs);
		return VT_UNKNOWN;
	}
	check_keys(c, id->name, &ni, e->args, e->nargs, id->loc);
	return id->type;
}

static vtype chk_index(checker *c, expr *e)
{
	expr *b = e->a;
	if (is_target_expr(b)) {
		vtype bt = value(c, b);
		if (e->nargs != 1)
			err(c, e->loc, "a target array takes 1 index, %zu given", e->nargs);
		for (size_t i = 0; i < e->nargs; i++) {
			vtype t = value(c, e->args[i]);
			if (!compat(VT_LONG, t))
				err(c, e->args[i]->span, "an array index must be long, got %s",
				    vtype_name(t));
		}
		return bt == VT_UNKNOWN ? VT_UNKNOWN : VT_LONG;
	}
	if (b && b->kind == E_IDENT)
		return chk_map_access(c, e, b, false);
	if (b)
		chk(c, b);
	values(c, e->args, e->nargs);
	err(c, e->loc, "only state maps, aggregates and target variables can be indexed");
	return VT_UNKNOWN;
}

/* sprintf("format", args...): the format must be a literal; conversions
 * are checked against the arguments. */
static vtype chk_sprintf(checker *c, expr *e)
{
	if (e->nargs == 0) {
		err(c, e->loc, "function 'sprintf' takes at least 1 argument, 0 given");
		return VT_STRING;
	}
	expr *fmt = e->args[0];
	if (fmt->kind != E_STR) {
		value(c, fmt);
		err(c, fmt->span, "the format of 'sprintf' must be a string literal");
		values(c, e->args + 1, e->nargs - 1);
		return VT_STRING;
	}
	fmt->type = VT_STRING;
	enum { MAXCONV = 64 };
	vtype want[MAXCONV];
	size_t nw = 0;
	bool bad = false;
	const char *s = fmt->sval;
	size_t n = fmt->slen;
	for (size_t i = 0; i < n && !bad; i++) {
		if (s[i] != '%')
			continue;
		if (++i >= n) {
			err(c, fmt->span, "the format of 'sprintf' ends with a lone '%%'");
			bad = true;
			break;
		}
		if (s[i] == '%')
			continue;
		while (i < n && strchr("-+ #0", s[i]))
			i++;
		if (i < n && s[i] == '*') {
			if (nw < MAXCONV)
				want[nw] = VT_LONG;
			nw++;
			i++;
		}
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i < n && s[i] == '.') {
			i++;
			if (i < n && s[i] == '*') {
				if (nw < MAXCONV)
					want[nw] = VT_LONG;
				nw++;
				i++;
			}
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		while (i < n && strchr("hlLjzt", s[i]) && s[i])
			i++;
		if (i >= n) {
			err(c, fmt->span, "the format of 'sprintf' ends inside a conversion");
			bad = true;
			break;
		}
		vtype w;
		if (s[i] == 's')
			w = VT_STRING;
		else if (s[i] && strchr("diouxXcpbmM", s[i]))
			w = VT_LONG;
		else {
			unsigned char ch = (unsigned char)s[i];
			if (ch > 0x20 && ch < 0x7f)
				err(c, fmt->span, "unknown conversion '%%%c' in the format of 'sprintf'", ch);
			else
				err(c, fmt->span, "unknown conversion in the format of 'sprintf'");
			bad = true;
			break;
		}
		if (nw < MAXCONV)
			want[nw] = w;
		nw++;
	}
	size_t given = e->nargs - 1;
	if (!bad && nw != given)
		err(c, e->loc, "the format of 'sprintf' takes %zu argument%s, %zu given", nw,
		    plural(nw), given);
	for (size_t i = 1; i < e->nargs; i++) {
		vtype t = value(c, e->args[i]);
		if (!bad && i - 1 < nw && i - 1 < MAXCONV && !compat(want[i - 1], t))
			err(c, e->args[i]->span,
			    "argument %zu of 'sprintf' must be %s for its format, got %s", i + 1,
			    vtype_name(want[i - 1]), vtype_name(t));
	}
	return VT_STRING;
}

static void arity_list(char *buf, size_t size, const tapset_func *f, size_t n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len < size; i++) {
		const char *sep = i == 0 ? "" : i + 1 == n ? " or " : ", ";
		int w = snprintf(buf + len, size - len, "%s%u", sep, f[i].nargs);
		if (w < 0)
			break;
		len += (size_t)w;
	}
}

static vtype chk_call(checker *c, expr *e)
{
	const char *name = e->name ? e->name : "";
	if (!strcmp(name, "sprintf"))
		return chk_sprintf(c, e);
	if (!strcmp(name, "sprint")) {
		if (e->nargs != 1)
			err(c, e->loc, "function 'sprint' takes 1 argument, %zu given", e->nargs);
		values(c, e->args, e->nargs);
		return VT_STRING;
	}
	size_t nf;
	const tapset_func *fs = tapset_func_overloads(name, &nf);
	if (!fs) {
		name_info ni;
		if (lookup(c, name, &ni)) {
			err(c, e->loc, "'%s' is a %s, not a function", name, kind_word(ni.kind));
		} else {
			/* built-ins first (they win ties); guru-only functions
			 * are no help outside guru mode */
			enum { MAXN = 2048 };
			const char *names[MAXN];
			size_t n = 0;
			for (size_t i = 0; i < NBUILTIN; i++)
				names[n++] = builtin_names[i];
			size_t nt = tapset_func_names(names + n, MAXN - n);
			for (size_t i = 0; i < nt; i++) {
				const tapset_func *g = tapset_func_lookup(names[NBUILTIN + i]);
				if (!(g->flags & TF_GURU) || (flags(c) & CTX_GURU))
					names[n++] = names[NBUILTIN + i];
			}
			const char *s = suggest(name, names, n);
			if (s)
				err(c, e->loc, "unknown function '%s'; did you mean '%s'?", name, s);
			else
				err(c, e->loc, "unknown function '%s'", name);
		}
		values(c, e->args, e->nargs);
		return VT_UNKNOWN;
	}
	const tapset_func *f = NULL;
	for (size_t i = 0; i < nf; i++)
		if (fs[i].nargs == e->nargs)
			f = &fs[i];
	if (!f) {
		char ar[64];
		arity_list(ar, sizeof ar, fs, nf);
		err(c, e->loc, "function '%s' takes %s argument%s, %zu given", name, ar,
		    nf == 1 && fs[0].nargs == 1 ? "" : "s", e->nargs);
		values(c, e->args, e->nargs);
		return fs[0].ret;
	}
	if ((f->flags & TF_GURU) && !(flags(c) & CTX_GURU)) {
		if (f->flags & TF_WRITES)
			err(c, e->loc, "function '%s' changes kernel state; it needs guru mode",
			    name);
		else
			err(c, e->loc, "function '%s' needs guru mode", name);
	}
	if ((f->flags & TF_NEEDS_EVENT) && (flags(c) & CTX_NO_EVENT))
		err(c, e->loc,
		    "function '%s' describes the probed event; it has no meaning in begin, end, timer or report probes",
		    name);
	for (size_t i = 0; i < e->nargs; i++) {
		vtype t = value(c, e->args[i]);
		vtype w = i < 4 ? f->args[i] : VT_UNKNOWN;
		if (!compat(w, t))
			err(c, e->args[i]->span, "argument %zu of '%s' must be %s, got %s", i + 1,
			    name, vtype_name(w), vtype_name(t));
	}
	return f->ret;
}

/* What an operand of '&' is, for the error: "an integer", "a call of 'f()'". */
static const char *addr_operand_word(const expr *x)
{
	if (!x)
		return "nothing";
	switch (x->kind) {
	case E_INT: return "an integer";
	case E_STR: return "a string";
	case E_IDENT: return "a named value or parameter";
	case E_CALL: return "a function call";
	case E_CAST: return "a bare @cast() (no field)";
	case E_UNARY: case E_BINARY: case E_TERNARY: case E_IN: return "a computed value";
	case E_INDEX: return "a map entry";
	default: return "this expression";
	}
}

/* &$var, &$var->field, &$var[i], &@cast(p, "T")->field: a long (the
 * address), as stap's address-of operator, which takes nothing else. */
static vtype chk_addr(checker *c, expr *e)
{
	expr *x = e->a;
	if (x && x->kind == E_TARGET && x->name &&
	    (!strcmp(x->name, "return") || x->name[0] == '$')) {
		value(c, x);
		err(c, e->span, "'&' cannot take the address of '$%s'", x->name);
		return VT_UNKNOWN;
	}
	if (!x || x->kind == E_CAST || !is_target_expr(x)) {
		if (x)
			chk(c, x);
		err(c, e->span,
		    "'&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of %s",
		    addr_operand_word(x));
		if (x && x->kind == E_IDENT)
			diag_hint(c->d, "'%s' holds a copy; for a field it points to, write &@cast(%s, \"TYPE\")->field",
				  x->name, x->name);
		return VT_UNKNOWN;
	}
	return value(c, x) == VT_UNKNOWN ? VT_UNKNOWN : VT_LONG;
}

static vtype chk_unary(checker *c, expr *e)
{
	if (e->op == OP_ADDR)
		return chk_addr(c, e);
	static const char *const ops[] = { [OP_NEG] = "-", [OP_NOT] = "!", [OP_BITNOT] = "~" };
	vtype t = value(c, e->a);
	if (!compat(VT_LONG, t))
		err(c, e->loc, "operator '%s' needs a long operand, got %s",
		    e->op >= OP_NEG && e->op <= OP_BITNOT ? ops[e->op] : "?", vtype_name(t));
	return VT_LONG;
}

static vtype chk_binary(checker *c, expr *e)
{
	vtype l = value(c, e->a), r = value(c, e->b);
	bool known = l != VT_UNKNOWN && r != VT_UNKNOWN;
	const char *op = expr_op_text(e->op);
	switch (e->op) {
	case OP_CONCAT:
		if (known && !(stringy(l) && stringy(r)))
			err(c, e->loc,
			    "operator '.' needs string operands, got %s and %s; convert numbers with sprint()",
			    vtype_name(l), vtype_name(r));
		return VT_STRING;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: case OP_EQ: case OP_NE:
		if (known && !(l == VT_LONG && r == VT_LONG) && !(stringy(l) && stringy(r)))
			err(c, e->loc, "cannot compare %s with %s", vtype_name(l), vtype_name(r));
		return VT_LONG;
	case OP_MATCH: case OP_NMATCH:
		if (!compat(VT_STRING, l))
			err(c, e->loc, "operator '%s' needs a string on its left, got %s", op,
			    vtype_name(l));
		if (e->b && e->b->kind != E_STR)
			err(c, e->b->span,
			    "the right side of '%s' must be a string literal (a regular expression)",
			    op);
		return VT_LONG;
	default:
		if (known && (l != VT_LONG || r != VT_LONG))
			err(c, e->loc, "operator '%s' needs long operands, got %s and %s%s", op,
			    vtype_name(l), vtype_name(r),
			    e->op == OP_ADD && stringy(l) && stringy(r) ?
			    "; use '.' to concatenate strings" : "");
		return VT_LONG;
	}
}

/* The common type of two branches (?:, @choose_defined), or UNKNOWN after
 * reporting a mismatch. */
static vtype join(checker *c, srcloc loc, const char *what, vtype a, vtype b)
{
	if (a == VT_UNKNOWN)
		return b;
	if (b == VT_UNKNOWN)
		return a;
	if (a == b)
		return a;
	if (stringy(a) && stringy(b))
		return VT_STRING;
	err(c, loc, "the %s have different types: %s and %s", what, vtype_name(a),
	    vtype_name(b));
	return VT_UNKNOWN;
}

static vtype chk_agg(checker *c, expr *e)
{
	const char *fn = agg_fn_text(e->op);
	expr *x = e->a;
	expr *id = !x ? NULL : x->kind == E_IDENT ? x :
		   x->kind == E_INDEX && x->a && x->a->kind == E_IDENT ? x->a : NULL;
	if (!id) {
		if (x)
			chk(c, x);
		err(c, x ? x->span : e->loc, "'%s' needs the name of an aggregate", fn);
		return VT_LONG;
	}
	name_info ni;
	if (!lookup(c, id->name, &ni)) {
		unknown_name(c, id->loc, id->name);
		if (x != id)
			values(c, x->args, x->nargs);
		return VT_LONG;
	}
	if (ni.kind != NAME_AGG) {
		bind(id, &ni);
		err(c, id->loc, "'%s' is a %s, not an aggregate; '%s' needs an aggregate",
		    id->name, kind_word(ni.kind), fn);
		if (x != id)
			values(c, x->args, x->nargs);
		return VT_LONG;
	}
	if (x == id) {
		bind(id, &ni);
		id->type = VT_STAT;
		/* a report row supplies the key; a probe has no row */
		if (!(flags(c) & CTX_REPORT) && ni.nkeys)
			err(c, id->loc, "aggregate '%s' has %u key%s: in a probe write %s(%s[...])", id->name,
			    ni.nkeys, plural(ni.nkeys), fn, id->name);
	} else {
		x->type = chk_map_access(c, x, id, true);
	}
	return VT_LONG;
}

static vtype chk_in(checker *c, expr *e)
{
	name_info ni;
	if (!lookup(c, e->name, &ni)) {
		values(c, e->args, e->nargs);
		unknown_name(c, e->loc, e->name);
		return VT_LONG;
	}
	bind(e, &ni);
	if (ni.kind != NAME_STATE && ni.kind != NAME_AGG) {
		values(c, e->args, e->nargs);
		err(c, e->loc, "'%s' is a %s, not a map; 'in' needs a state map or an aggregate",
		    e->name, kind_word(ni.kind));
		return VT_LONG;
	}
	check_keys(c, e->name, &ni, e->args, e->nargs, e->loc);
	return VT_LONG;
}

static vtype chk_node(checker *c, expr *e)
{
	switch (e->kind) {
	case E_INT:
		return VT_LONG;
	case E_STR:
		return VT_STRING;
	case E_IDENT:
		return chk_ident(c, e);
	case E_TARGET:
		return chk_target(c, e);
	case E_MEMBER:
		return chk_member(c, e);
	case E_INDEX:
		return chk_index(c, e);
	case E_CALL:
		return chk_call(c, e);
	case E_UNARY:
		return chk_unary(c, e);
	case E_BINARY:
		return chk_binary(c, e);
	case E_TERNARY: {
		vtype t = value(c, e->a);
		if (!compat(VT_LONG, t))
			err(c, e->loc, "the condition of '?:' must be long, got %s", vtype_name(t));
		vtype a = value(c, e->b), b = value(c, e->c);
		return join(c, e->loc, "branches of '?:'", a, b);
	}
	case E_CAST: {
		vtype t = value(c, e->a);
		if (!compat(VT_LONG, t))
			err(c, e->a->span, "@cast needs a pointer (long), got %s", vtype_name(t));
		if (!e->sval || !e->slen)
			err(c, e->loc, "@cast needs a type name");
		return VT_LONG;
	}
	case E_DEFINED:
		if (!is_target_expr(e->a)) {
			err(c, e->loc,
			    "@defined needs a target expression ($var, $var->field or @cast(...)->field)");
			return VT_LONG;
		}
		c->in_defined++;
		value(c, e->a);
		c->in_defined--;
		return VT_LONG;
	case E_ENTRY:
		if (!(flags(c) & CTX_ENTRY)) {
			err(c, e->loc, "@entry is only available in .return probes");
			value(c, e->a);
			return VT_UNKNOWN;
		}
		return value(c, e->a);
	case E_CHOOSE: {
		c->in_defined++;
		vtype a = value(c, e->a), b = value(c, e->b);
		c->in_defined--;
		return join(c, e->loc, "arguments of @choose_defined", a, b);
	}
	case E_AGG:
		return chk_agg(c, e);
	case E_IN:
		return chk_in(c, e);
	}
	err(c, e->loc, "malformed expression");
	return VT_UNKNOWN;
}

static vtype chk(checker *c, expr *e)
{
	if (!e)
		return VT_UNKNOWN;
	/* Parsed trees are at most EXPR_MAX_DEPTH deep; this only guards
	 * hand-built ones against exhausting the C stack. */
	if (c->depth >= 4 * EXPR_MAX_DEPTH) {
		if (!c->deep_reported)
			err(c, e->loc, "expression is nested too deeply (more than %d levels)",
			    EXPR_MAX_DEPTH);
		c->deep_reported = true;
		return VT_UNKNOWN;
	}
	c->depth++;
	vtype t = chk_node(c, e);
	c->depth--;
	e->type = t;
	return t;
}

vtype check_expr(expr *e, const check_env *env, diag_sink *d)
{
	checker c = { .env = env, .d = d };
	if (!e)
		return VT_UNKNOWN;
	vtype t = chk(&c, e);
	return c.errors ? VT_UNKNOWN : t;
}
