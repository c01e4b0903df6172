/* plan_build: lowering, then what follows from it (see plan.h). */
#include "plan.h"

static const spec_unsupported *unsupported_for(const spec *s, const lowered *lw)
{
	if (lw->portable)
		return NULL;	/* the script checks kernel_v itself */
	for (unsigned i = 0; i < s->nunsupported; i++)
		if (kver_range_match(&s->unsupported[i].range, lw->kv))
			return &s->unsupported[i];
	return NULL;
}

static const plan_param *params_of(arena *a, const spec *s)
{
	plan_param *pp = arena_alloc(a, (s->nparams ? s->nparams : 1) * sizeof *pp);
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		pp[i].p = p;
		pp[i].str = p->type == PT_STRING || p->type == PT_POINT;
		if (p->required)
			pp[i].def = NULL;
		else if (pp[i].str)
			pp[i].def = p->sval ? p->sval : "";
		else
			pp[i].def = arena_printf(a, "%lld", (long long)p->ival);
	}
	return pp;
}

const tool_plan *plan_build(arena *a, const spec *s, const record_set *rs, const char *kver)
{
	tool_plan *pl = arena_alloc(a, sizeof *pl);
	pl->s = s;
	pl->rs = rs;
	pl->lw = lower_spec(a, s, rs, kver);
	pl->unsupported = unsupported_for(s, pl->lw);
	pl->needs = tool_needs_of(s, pl->lw);
	pl->stap_flags = stap_run_flags(a, s, &pl->nstap_flags);
	pl->params = params_of(a, s);
	return pl;
}
