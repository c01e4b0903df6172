/* The one walker over the expressions of a probe or a report. */
#include "spec.h"

void probe_exprs(const spec_probe *p, spec_expr_fn fn, void *ctx)
{
	for (unsigned j = 0; j < p->npoints; j++)
		for (unsigned i = 0; i < p->points[j].nlets; i++)
			if (p->points[j].lets[i].e)
				fn(p->points[j].lets[i].e, SX_POINT_LET, j, ctx);
	for (unsigned i = 0; i < p->nlets; i++) {
		const spec_let *l = &p->lets[i];
		if (!l->nalts && l->e)
			fn(l->e, SX_LET, i, ctx);
		for (unsigned k = 0; k < l->nalts; k++)
			if (l->alts[k].e)
				fn(l->alts[k].e, SX_LET, i, ctx);
	}
	for (unsigned i = 0; i < p->nfilters; i++)
		if (p->filters[i])
			fn(p->filters[i], SX_FILTER, i, ctx);
	for (unsigned i = 0; i < p->nstores; i++) {
		if (p->stores[i].target)
			fn(p->stores[i].target, SX_STORE_TARGET, i, ctx);
		if (p->stores[i].value)
			fn(p->stores[i].value, SX_STORE_VALUE, i, ctx);
		if (p->stores[i].when)
			fn(p->stores[i].when, SX_STORE_WHEN, i, ctx);
	}
	for (unsigned i = 0; i < p->ncollects; i++) {
		if (p->collects[i].target)
			fn(p->collects[i].target, SX_COLLECT_TARGET, i, ctx);
		if (p->collects[i].value)
			fn(p->collects[i].value, SX_COLLECT_VALUE, i, ctx);
		if (p->collects[i].when)
			fn(p->collects[i].when, SX_COLLECT_WHEN, i, ctx);
	}
	for (unsigned i = 0; i < p->ndeletes; i++) {
		if (p->deletes[i])
			fn(p->deletes[i], SX_DELETE, i, ctx);
		if (p->delete_whens[i])
			fn(p->delete_whens[i], SX_DELETE_WHEN, i, ctx);
	}
	for (unsigned i = 0; i < p->nsets; i++) {
		if (p->sets[i].target)
			fn(p->sets[i].target, SX_SET_TARGET, i, ctx);
		if (p->sets[i].value)
			fn(p->sets[i].value, SX_SET_VALUE, i, ctx);
		if (p->sets[i].when)
			fn(p->sets[i].when, SX_SET_WHEN, i, ctx);
	}
	for (unsigned i = 0; i < p->ncalls; i++) {
		if (p->calls[i])
			fn(p->calls[i], SX_CALL, i, ctx);
		if (p->call_whens[i])
			fn(p->call_whens[i], SX_CALL_WHEN, i, ctx);
	}
	for (unsigned k = 0; k < p->nemits; k++) {
		const spec_emit *em = &p->emits[k];
		if (em->when)
			fn(em->when, SX_EMIT_WHEN, k, ctx);
		for (unsigned i = 0; i < em->ncols; i++)
			if (em->cols[i].e)
				fn(em->cols[i].e, SX_EMIT_COLUMN, i, ctx);
	}
	if (p->exit_when)
		fn(p->exit_when, SX_EXIT, 0, ctx);
}

void report_exprs(const spec_report *r, spec_expr_fn fn, void *ctx)
{
	if (r->sort)
		fn(r->sort, SX_REPORT_SORT, 0, ctx);
	for (unsigned i = 0; i < r->ncols; i++)
		if (r->cols[i].e)
			fn(r->cols[i].e, SX_REPORT_COLUMN, i, ctx);
}

typedef struct node_fn {
	void (*fn)(const expr *node, void *ctx);
	void *ctx;
} node_fn;

static void walk_one(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	const node_fn *n = ctx;
	(void)site;
	(void)idx;
	expr_walk(e, n->fn, n->ctx);
}

void probe_nodes(const spec_probe *p, void (*fn)(const expr *node, void *ctx), void *ctx)
{
	node_fn n = { fn, ctx };
	probe_exprs(p, walk_one, &n);
}

void report_nodes(const spec_report *r, void (*fn)(const expr *node, void *ctx), void *ctx)
{
	node_fn n = { fn, ctx };
	report_exprs(r, walk_one, &n);
}
