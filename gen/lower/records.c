#include "records.h"
#include "lower.h"
#include "../check/check_expr.h"
#include "../spec/probe_point.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *upper(arena *a, const char *s)
{
	char *u = arena_strdup(a, s);
	for (char *p = u; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return u;
}

static void from_columns(arena *a, record_kind *k, const spec_column *cols, unsigned n)
{
	k->fields = arena_alloc(a, (n + 1) * sizeof(record_field));
	for (unsigned i = 0; i < n; i++) {
		record_field *f = &k->fields[k->nfields++];
		f->name = cols[i].name;
		f->type = cols[i].type == COL_AUTO ? COL_LONG : cols[i].type;
		f->title = cols[i].title ? cols[i].title : upper(a, cols[i].name);
		f->width = cols[i].width;
		f->value = cols[i].e;
		f->unit = cols[i].unit;
	}
}

static int cmp_kind_name(const void *key, const void *elem)
{
	return strcmp(key, (*(const record_kind *const *)elem)->name);
}

const record_kind *record_event_kind(const record_set *rs, const char *name)
{
	if (!name || !rs->nevents)
		return NULL;
	const record_kind *const *k = bsearch(name, rs->events, rs->nevents, sizeof *rs->events,
					      cmp_kind_name);
	return k ? *k : NULL;
}

/* An emit of a record, for grouping them by name (then spec order). */
typedef struct emit_ref {
	const char *name;
	unsigned idx;
} emit_ref;

static int cmp_emit_ref(const void *x, const void *y)
{
	const emit_ref *a = x, *b = y;
	int c = strcmp(a->name, b->name);
	return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

/* Event records: one kind per name, described by its first emit (the
 * checker held the others to the same columns), in the order of first
 * appearance; each kind lists every emit that prints it.  Sorting keeps
 * this O(n log n) in the number of emits. */
static void event_kinds(arena *a, const spec *s, record_set *rs)
{
	unsigned ne = 0;
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nemits; j++)
			ne += s->probes[i].emits[j].record != NULL;
	const spec_emit **all = arena_alloc(a, (ne + 1) * sizeof *all);
	const spec_probe **owner = arena_alloc(a, (ne + 1) * sizeof *owner);
	emit_ref *refs = arena_alloc(a, (ne + 1) * sizeof *refs);
	unsigned n = 0;
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nemits; j++)
			if (s->probes[i].emits[j].record) {
				all[n] = &s->probes[i].emits[j];
				owner[n] = &s->probes[i];
				refs[n] = (emit_ref){ all[n]->record, n };
				n++;
			}
	qsort(refs, ne, sizeof *refs, cmp_emit_ref);
	bool *first = arena_alloc(a, (ne + 1) * sizeof *first);
	for (unsigned i = 0; i < ne; i++)
		if (i == 0 || strcmp(refs[i].name, refs[i - 1].name))
			first[refs[i].idx] = true;
	record_kind **kind_of = arena_alloc(a, (ne + 1) * sizeof *kind_of);	/* by first emit */
	for (unsigned i = 0; i < ne; i++) {
		if (!first[i])
			continue;
		record_kind *k = &rs->kinds[rs->nkinds++];
		k->name = all[i]->record;
		k->cls = REC_EVENT;
		k->probe = owner[i];
		from_columns(a, k, all[i]->cols, all[i]->ncols);
		kind_of[i] = k;
	}
	rs->events = arena_alloc(a, (ne + 1) * sizeof *rs->events);
	for (unsigned i = 0; i < ne;) {
		unsigned end = i + 1;
		while (end < ne && !strcmp(refs[end].name, refs[i].name))
			end++;
		record_kind *k = kind_of[refs[i].idx];
		const spec_emit **ems = arena_alloc(a, (end - i + 1) * sizeof *ems);
		for (unsigned j = i; j < end; j++)
			ems[j - i] = all[refs[j].idx];
		k->emits = ems;
		k->nemits = end - i;
		rs->events[rs->nevents++] = k;
		i = end;
	}
}

record_set records_of(arena *a, const spec *s)
{
	record_set rs = { 0 };
	unsigned cap = s->nreports + 1;
	for (unsigned i = 0; i < s->nprobes; i++)
		cap += s->probes[i].nemits;
	rs.kinds = arena_alloc(a, cap * sizeof(record_kind));
	event_kinds(a, s, &rs);
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		if (!r->name)
			continue;
		record_kind *k = &rs.kinds[rs.nkinds++];
		k->name = r->name;
		k->report = r;
		if (!r->hist) {
			k->cls = REC_ROW;
			from_columns(a, k, r->cols, r->ncols);
			continue;
		}
		switch (r->hist) {
#define HIST(e, name, fn, doc) case HIST_##e: k->cls = REC_HIST_##e; break;
#include "../tables/hist_kinds.def"
#undef HIST
		case HIST_NONE: break;
		}
		k->lin_lo = r->lin_lo;
		k->lin_hi = r->lin_hi;
		k->lin_step = r->lin_step;
		unsigned nk = r->hist_map ? r->hist_map->nkeys : 0;
		k->fields = arena_alloc(a, (nk + 3) * sizeof(record_field));
		for (unsigned j = 0; j < nk; j++) {
			record_field *f = &k->fields[k->nfields++];
			f->name = r->hist_map->keys[j].name ? r->hist_map->keys[j].name
							    : arena_printf(a, "key%u", j + 1);
			f->type = r->hist_map->keys[j].type == VT_LONG ? COL_LONG : COL_STRING;
			f->title = f->name; /* the table's title line: "port=80" */
		}
		/* the bucket's title is bcc's unit word, the table's "usecs : count" */
		k->fields[k->nfields++] = (record_field){ "bucket", COL_LONG, hist_unit_word(r->hist_unit), 0,
							  NULL, r->hist_unit };
		k->fields[k->nfields++] = (record_field){ "count", COL_LONG, "count", 0, NULL, NULL };
	}
	return rs;
}

const char *hist_unit_word(const char *unit)
{
	static const struct { const char *unit, *word; } w[] = {
		{ "ns", "nsecs" }, { "us", "usecs" }, { "ms", "msecs" }, { "s", "secs" },
	};
	if (!unit)
		return "value";
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (!strcmp(unit, w[i].unit))
			return w[i].word;
	return unit;
}

const char *record_field_conv(const record_field *f)
{
	return col_is_str(f->type) ? "%s" : "%d";
}

struct calls_ctx {
	const char *const *fns;
	const expr *first;	/* the first call found, in spec order */
};

static void find_calls(const expr *e, void *ctx)
{
	struct calls_ctx *c = ctx;
	if (e->kind == E_CALL && !c->first)
		for (unsigned i = 0; c->fns[i]; i++)
			if (!strcmp(e->name, c->fns[i]))
				c->first = e;
}

/* The first call of one of fns in the spec's probes and reports, or NULL. */
static const expr *first_call(const spec *s, const char *const fns[])
{
	struct calls_ctx c = { fns, NULL };
	for (unsigned i = 0; i < s->nprobes && !c.first; i++)
		probe_nodes(&s->probes[i], find_calls, &c);
	for (unsigned i = 0; i < s->nreports && !c.first; i++)
		report_nodes(&s->reports[i], find_calls, &c);
	return c.first;
}

bool spec_calls(const spec *s, const char *const fns[])
{
	return first_call(s, fns) != NULL;
}

/* Functions that print kernel symbols (gen/tables/sym_funcs.def). */
static const char *const kstack_fns[] = {
#define SYMF(kernel, user) #kernel,
#include "../tables/sym_funcs.def"
#undef SYMF
	NULL,
};

const char *const *stap_run_flags(arena *a, const spec *s, unsigned *n)
{
	const char **flags = arena_alloc(a, (s->nstap_options + 3) * sizeof *flags);
	*n = 0;
	for (unsigned i = 0; i < s->nstap_options; i++)
		flags[(*n)++] = s->stap_options[i];
	if (spec_calls(s, kstack_fns)) {
		flags[(*n)++] = "-d";
		flags[(*n)++] = "kernel";
	}
	return flags;
}

/* ---- what a tool needs from the host ---------------------------------------- */

/* One probe point: which of the host's facilities it needs (its family's
 * row of gen/tables/probe_families.def). */
static unsigned point_needs(const char *p)
{
	return probe_point_family(p)->needs;
}

/* Whether an expression reads the kernel's DWARF: a @cast to a kernel type
 * with no header to compile it from (`"kernel"`, or no module; a user
 * binary's path is the process's own debuginfo), or a call of a tapset
 * function that does.  The first such node is kept, for the reason. */
typedef struct dwarf_find {
	const expr *at;
} dwarf_find;

static void find_dwarf(const expr *e, void *ctx)
{
	dwarf_find *df = ctx;
	if (df->at)
		return;
	if (e->kind == E_CAST && !(e->name && (e->name[0] == '/' || strchr(e->name, '<'))))
		df->at = e;
	if (e->kind == E_CALL && e->name) {
		const tapset_func *f = tapset_func_lookup(e->name);
		if (f && (f->flags & TF_DWARF))
			df->at = e;
	}
}

/* DWARF in a probe's body: everything but its points' bindings */
static void body_dwarf(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	if (site != SX_POINT_LET)
		expr_walk(e, find_dwarf, ctx);
}

static const expr *lets_dwarf(const spec_let *lets, unsigned n)
{
	dwarf_find df = { NULL };
	for (unsigned i = 0; i < n; i++) {
		if (lets[i].e && !lets[i].nalts)
			expr_walk(lets[i].e, find_dwarf, &df);
		for (unsigned k = 0; k < lets[i].nalts; k++)
			expr_walk(lets[i].alts[k].e, find_dwarf, &df);
	}
	return df.at;
}

/* Why debuginfo is needed: the construct and its spec line. */
static void dwarf_why(tool_needs *n, const char *what, const expr *e, srcloc loc)
{
	if (n->kdebug_why[0])
		return;
	if (e && e->kind == E_CAST)
		snprintf(n->kdebug_why, sizeof n->kdebug_why, "@cast(..., \"%.40s\"%s) reads a kernel type from DWARF",
			 e->sval ? e->sval : "", e->name ? ", \"kernel\"" : "");
	else if (e)
		snprintf(n->kdebug_why, sizeof n->kdebug_why, "the tapset function %.40s() reads the kernel's DWARF",
			 e->name);
	else
		snprintf(n->kdebug_why, sizeof n->kdebug_why, "%.100s (%s) has no headers-only alternative",
			 what, probe_point_family(what)->what);
	n->kdebug_line = e ? e->loc.line : loc.line;
	/* spec text: one line, safe in a stap comment and a Markdown code span */
	for (char *c = n->kdebug_why; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f || *c == '`')
			*c = '?';
}

static void need_raise(need_level *l, need_level to)
{
	if (to > *l)
		*l = to;
}

static bool is_target_call(const expr *e)
{
	return e && e->kind == E_CALL && e->name && !strcmp(e->name, "target") && !e->nargs;
}

bool filter_needs_target(const expr *e)
{
	if (!e || e->kind != E_BINARY)
		return false;
	if (e->op == OP_AND)
		return filter_needs_target(e->a) || filter_needs_target(e->b);
	return e->op == OP_EQ && (is_target_call(e->a) || is_target_call(e->b));
}

/* a $var other than $return: the probed binary's DWARF */
static void find_uvar(const expr *e, void *ctx)
{
	if (e->kind == E_TARGET && e->name && strcmp(e->name, "return"))
		*(bool *)ctx = true;
}

static void body_uvar(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	expr_walk(e, find_uvar, ctx);
}

/* A .mark("NAME") point's marker name into n->umarks, once.  A name with
 * other bytes (a wildcard, an escape) is left to stap. */
static void add_umark(tool_needs *n, const char *t)
{
	const char *m = strstr(t, ".mark(\"");
	if (!m)
		return;
	m += 7;
	size_t len = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (!len || m[len] != '"')
		return;
	for (const char *w = n->umarks; *w;) {
		size_t wl = strcspn(w, " ");
		if (wl == len && !strncmp(w, m, len))
			return;
		w += wl + (w[wl] == ' ');
	}
	size_t have = strlen(n->umarks);
	if (have + len + 2 > sizeof n->umarks)
		return;
	snprintf(n->umarks + have, sizeof n->umarks - have, "%s%.*s", have ? " " : "", (int)len, m);
}

/* User-space points: what they need of the probed binary. */
static void user_needs(tool_needs *n, const spec *s, const spec_probe *p, const spec_point *pt)
{
	const char *t = pt->text;
	unsigned pn = probe_point_family(t)->needs;
	bool fn = pn & PF_USYMS, mark = pn & PF_UMARK;
	if (!fn && !mark)
		return;
	if (!n->ubinary[0] && !strncmp(t, "process(", 8)) {
		size_t len = 0;
		for (int depth = 1; t[8 + len] && depth; len++)	/* @param(x) nests */
			depth += t[8 + len] == '(' ? 1 : t[8 + len] == ')' ? -1 : 0;
		snprintf(n->ubinary, sizeof n->ubinary, "%.*s", (int)(len > 100 ? 100 : len - 1), t + 8);
		const char *b = n->ubinary;
		if (b[0] == '"')
			snprintf(n->ubinary_path, sizeof n->ubinary_path, "%.*s", (int)strcspn(b + 1, "\""), b + 1);
		else if (!strncmp(b, "@param(", 7))
			for (unsigned i = 0; i < s->nparams; i++)
				if (!strncmp(s->params[i].name, b + 7, strcspn(b + 7, ")")) &&
				    !s->params[i].name[strcspn(b + 7, ")")] && s->params[i].sval)
					snprintf(n->ubinary_path, sizeof n->ubinary_path, "%s", s->params[i].sval);
	}
	n->umark |= mark;
	if (mark)
		add_umark(n, t);
	if (!fn)
		return;
	n->usyms = true;
	bool uvar = false;
	probe_exprs(p, body_uvar, &uvar);
	for (unsigned i = 0; i < pt->nlets; i++)
		expr_walk(pt->lets[i].e, find_uvar, &uvar);
	if (uvar)
		need_raise(&n->udebug, p->npoints > 1 && !p->each ? NEED_MAYBE : NEED_YES);
}

tool_needs tool_needs_of(const spec *s, const lowered *lw)
{
	static const char *const target_fns[] = { "target", NULL };
	tool_needs n = { .kdebug = NEED_NO, .kprobes = NEED_NO, .uprobes = NEED_NO,
			 .target = spec_calls(s, target_fns), .udebug = NEED_NO };
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nfilters; j++)
			n.target_required |= filter_needs_target(s->probes[i].filters[j]);
	for (unsigned i = 0; i < s->nprobes; i++) {
		const spec_probe *p = &s->probes[i];
		unsigned all = PF_KDEBUG | PF_KPROBES | PF_UPROBES, any = 0, npts = 0;
		/* per alternative: its point, its bindings and the shared body */
		dwarf_find body = { NULL };
		probe_exprs(p, body_dwarf, &body);
		const spec_point *why_pt = NULL;
		const expr *why_e = NULL;
		for (unsigned j = 0; j < p->npoints; j++) {
			const spec_point *pt = &p->points[j];
			if (!lw->probes[i].point_on[j])
				continue;
			user_needs(&n, s, p, pt);
			unsigned pn = point_needs(pt->text);
			const expr *e = body.at ? body.at : lets_dwarf(pt->lets, pt->nlets);
			if (e)
				pn |= PF_KDEBUG;
			if ((pn & PF_KDEBUG) && !why_pt) {	/* the first alternative's reason */
				why_pt = pt;
				why_e = point_needs(pt->text) & PF_KDEBUG ? NULL : e;
			}
			all &= pn;
			any |= pn;
			npts++;
		}
		if (!npts)
			continue;
		if (p->each)	/* every point is probed */
			all = any;
		if (all & PF_KDEBUG)
			dwarf_why(&n, why_pt->text, why_e, why_pt->loc);
		need_raise(&n.kdebug, all & PF_KDEBUG ? NEED_YES : any & PF_KDEBUG ? NEED_MAYBE : NEED_NO);
		need_raise(&n.kprobes, all & PF_KPROBES ? NEED_YES : any & PF_KPROBES ? NEED_MAYBE : NEED_NO);
		need_raise(&n.uprobes, all & PF_UPROBES ? NEED_YES : any & PF_UPROBES ? NEED_MAYBE : NEED_NO);
	}
	for (unsigned i = 0; i < s->nreports; i++) {
		dwarf_find df = { NULL };
		report_nodes(&s->reports[i], find_dwarf, &df);
		if (df.at) {
			dwarf_why(&n, NULL, df.at, df.at->loc);
			n.kdebug = NEED_YES;
		}
	}
	/* a function the script defines for the spec may @cast(..., "kernel") too */
	for (unsigned i = 0; i < script_func_count(); i++) {
		const char *def;
		const tapset_func *f = script_func(i, NULL, &def);
		const char *name[] = { f->name, NULL };
		const expr *call = strstr(def, "\"kernel\")") ? first_call(s, name) : NULL;
		if (call) {
			if (!n.kdebug_why[0]) {
				snprintf(n.kdebug_why, sizeof n.kdebug_why,
					 "%.40s() (defined by the script) reads a kernel type from DWARF", f->name);
				n.kdebug_line = call->loc.line;
			}
			n.kdebug = NEED_YES;
		}
	}
	/* Kernel symbols without vmlinux come from System.map, and stap 4.8
	 * and 5.6 then name the wrong functions on a KASLR kernel (make live,
	 * modules built on the headers-only trees of 6.1 and 6.12: read_zero's
	 * stacks as btrfs_get_root_ref): the script builds, its output is
	 * wrong.  The tool asks for the debuginfo (vmlinux) for that. */
	const expr *ksym = n.kdebug != NEED_YES ? first_call(s, kstack_fns) : NULL;
	if (ksym) {
		n.kdebug = NEED_YES;
		n.ksyms_only = true;
		snprintf(n.kdebug_why, sizeof n.kdebug_why,
			 "%.40s() prints kernel symbols, which stap takes from vmlinux (from System.map they are wrong on a KASLR kernel)",
			 ksym->name);
		n.kdebug_line = ksym->loc.line;
	}
	return n;
}
