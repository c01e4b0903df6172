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

const tool_plan *plan_build(arena *a, const spec *s, const record_set *rs, const char *kver)
{
	tool_plan *pl = arena_alloc(a, sizeof *pl);
	pl->s = s;
	pl->rs = rs;
	pl->lw = lower_spec(a, s, rs, kver);
	pl->unsupported = unsupported_for(s, pl->lw);
	pl->needs = tool_needs_of(s, pl->lw);
	pl->stap_flags = stap_run_flags(a, s, &pl->nstap_flags);
	return pl;
}
