#include "tapset_facts.h"

#include <stdlib.h>
#include <string.h>

#include "../expr/ast.h"
#include "../spec/kver.h"
#include "check_expr.h"

const tapset_fact tapset_facts[] = {
#define FACT(k, c, kv, b, e) { k, c, kv, b, e },
#include "../tables/tapset_facts.def"
#undef FACT
};
const unsigned n_tapset_facts = sizeof tapset_facts / sizeof tapset_facts[0];

typedef struct fact_ctx {
	const tapset_fact *f;
	const char *kver;
	bool portable;
	diag_sink *d;
} fact_ctx;

static void warn(const fact_ctx *c, srcloc l)
{
	if (c->portable)
		diag_warning(c->d, l, "'%s' is known to break on kernels %s, where a portable script may run: %s",
			     c->f->construct, c->f->kernels, c->f->breaks);
	else
		diag_warning(c->d, l, "'%s' is known to break on kernels %s, such as %s: %s",
			     c->f->construct, c->f->kernels, c->kver, c->f->breaks);
	diag_hint(c->d, "evidence: %s", c->f->evidence);
}

static void alias_var_use(const expr *e, void *ctx)
{
	const fact_ctx *c = ctx;
	if (e->kind == E_IDENT && e->bind == NAME_ALIASVAR && !strcmp(e->name, c->f->construct)) {
		srcloc l = e->loc;
		l.len = (unsigned)strlen(e->name);
		warn(c, l);
	}
}

/* A point as written, with stap's optional/sufficient markers. */
static bool same_point(const char *text, const char *construct)
{
	size_t n = strlen(construct);
	return !strncmp(text, construct, n) && (!text[n] || !strcmp(text + n, "?") || !strcmp(text + n, "!"));
}

/* "-DNAME=V" against "NAME>N": V > N. */
static bool define_over(const char *opt, const char *construct)
{
	const char *gt = strchr(construct, '>');
	if (!gt || strncmp(opt, "-D", 2))
		return false;
	size_t n = (size_t)(gt - construct);
	if (strncmp(opt + 2, construct, n) || opt[2 + n] != '=')
		return false;
	return strtoull(opt + 3 + n, NULL, 0) > strtoull(gt + 1, NULL, 10);
}

void tapset_facts_check(const spec *s, const char *kver, diag_sink *d)
{
	unsigned v[3];
	bool portable = !kver || !kver_parse(kver, v);
	for (unsigned i = 0; i < n_tapset_facts; i++) {
		const tapset_fact *f = &tapset_facts[i];
		kver_range r = { 0 };	/* "": every kernel */
		if (f->kind == FACT_HANDLED || (f->kernels[0] && !kver_range_parse(f->kernels, &r)))
			continue;
		if (!portable && !kver_range_match(&r, v))
			continue;
		fact_ctx c = { f, kver, portable, d };
		switch (f->kind) {
		case FACT_ALIAS_VAR:
			for (unsigned p = 0; p < s->nprobes; p++)
				probe_nodes(&s->probes[p], alias_var_use, &c);
			break;
		case FACT_POINT:
			for (unsigned p = 0; p < s->nprobes; p++)
				for (unsigned k = 0; k < s->probes[p].npoints; k++) {
					const spec_point *pt = &s->probes[p].points[k];
					if (pt->range.n && !portable && !kver_range_match(&pt->range, v))
						continue;	/* not generated for this kernel */
					/* portable: %( kernel_v %) keeps it off kernels from
					 * the fact's lower bound on (facts are ">= X" ranges) */
					if (pt->range.n && portable && r.n &&
					    !kver_range_match(&pt->range, r.c[0].ver))
						continue;
					if (same_point(pt->text, f->construct))
						warn(&c, pt->loc);
				}
			break;
		case FACT_DEFINE:
			for (unsigned k = 0; k < s->nstap_options; k++)
				if (define_over(s->stap_options[k], f->construct))
					warn(&c, s->stap_option_locs[k]);
			break;
		case FACT_HANDLED:
			break;
		}
	}
}
