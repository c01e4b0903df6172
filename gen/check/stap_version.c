#include "stap_version.h"

#include <stdlib.h>
#include <string.h>

#include "../expr/ast.h"

const stap_version_fact stap_version_facts[] = {
#define SV(k, c, f, e) { k, c, f, e },
#include "../tables/stap_versions.def"
#undef SV
};
const unsigned n_stap_version_facts = sizeof stap_version_facts / sizeof stap_version_facts[0];

bool stap_version_parse(const char *s, unsigned v[3])
{
	v[0] = v[1] = v[2] = 0;
	for (int i = 0; i < 3; i++) {
		if (*s < '0' || *s > '9')
			return false;
		char *end;
		unsigned long n = strtoul(s, &end, 10);
		if (n > 1000 || end - s > 4)
			return false;
		v[i] = (unsigned)n;
		s = end;
		if (!*s)
			return i >= 1;	/* N.N at least */
		if (*s != '.')
			return false;
		s++;
	}
	return false;
}

static int vcmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

typedef struct sv_ctx {
	const stap_version_fact *f;
	const char *vtext;
	diag_sink *d;
} sv_ctx;

static void report(const sv_ctx *c, srcloc l)
{
	diag_error(c->d, l, "'%s' needs stap %s or later; generating for stap %s (--stap-version)",
		   c->f->construct, c->f->first, c->vtext);
	diag_hint(c->d, "evidence: %s", c->f->evidence);
}

static const char *op_name(const expr *e)
{
	switch (e->kind) {
	case E_CAST: return "@cast";
	case E_DEFINED: return "@defined";
	case E_ENTRY: return "@entry";
	case E_CHOOSE: return "@choose_defined";
	default: return NULL;
	}
}

static void node(const expr *e, void *ctx)
{
	const sv_ctx *c = ctx;
	const char *con = c->f->construct;
	srcloc l = e->loc;
	switch (c->f->kind) {
	case SV_FUNC:
		if (e->kind == E_CALL && !strcmp(e->name, con)) {
			l.len = (unsigned)strlen(e->name);
			report(c, l);
		}
		break;
	case SV_OP:
		if (op_name(e) && !strcmp(op_name(e), con))
			report(c, l);
		break;
	case SV_SCRIPT:
		if (!strcmp(con, "@cast kernel<header>") && e->kind == E_CAST && e->name &&
		    !strncmp(e->name, "kernel<", 7))
			report(c, l);
		break;
	case SV_POINT:
		break;
	}
}

static void point_facts(const sv_ctx *c, const spec *s, bool portable)
{
	const char *con = c->f->construct;
	for (unsigned p = 0; p < s->nprobes; p++) {
		const spec_probe *pr = &s->probes[p];
		for (unsigned k = 0; k < pr->npoints; k++) {
			const spec_point *pt = &pr->points[k];
			if (c->f->kind == SV_POINT && !strncmp(pt->text, con, strlen(con)))
				report(c, pt->loc);
			/* the second point is where the '!' list starts */
			if (c->f->kind == SV_SCRIPT && !strcmp(con, "probe A !, B") && k == 1 && !pr->each)
				report(c, pt->loc);
			if (c->f->kind == SV_SCRIPT && !strcmp(con, "%( kernel_v %)") && portable &&
			    pt->range.n)
				report(c, pt->loc);
		}
	}
}

void stap_version_check(const spec *s, const unsigned v[3], const char *vtext, bool portable,
			diag_sink *d)
{
	for (unsigned i = 0; i < n_stap_version_facts; i++) {
		const stap_version_fact *f = &stap_version_facts[i];
		unsigned first[3];
		if (!stap_version_parse(f->first, first) || vcmp(v, first) >= 0)
			continue;
		sv_ctx c = { f, vtext, d };
		point_facts(&c, s, portable);
		if (f->kind == SV_SCRIPT && !strcmp(f->construct, "stap -G"))
			for (unsigned k = 0; k < s->nparams; k++)
				report(&c, s->params[k].loc);
		for (unsigned p = 0; p < s->nprobes; p++)
			probe_nodes(&s->probes[p], node, &c);
		for (unsigned r = 0; r < s->nreports; r++)
			report_nodes(&s->reports[r], node, &c);
	}
}
