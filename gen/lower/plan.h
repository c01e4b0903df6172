/* The plan of a tool: what every emitter prints, decided once per spec and
 * kernel, after checking.  The records, the lowered probes (the points and
 * bindings chosen for the kernel) and reports (with their timers and
 * clears), whether the kernel is refused, what the tool needs from the host
 * and the stap options it runs with.  The emitters (gen/emit) read it
 * through a const pointer and decide none of it again. */
#ifndef STAPGEN_PLAN_H
#define STAPGEN_PLAN_H
#include "lower.h"
#include "records.h"

/* A parameter as the outputs print its default, decided once: `def` is
 * the default as text (a string's own text; an int or a duration in its
 * unit, in decimal; a switch "0" or "1"), NULL for a required parameter.
 * Each output quotes it by its own rules when `str` (a string). */
typedef struct plan_param {
	const spec_param *p;
	const char *def;
	bool str;
} plan_param;

typedef struct tool_plan {
	const spec *s;
	const record_set *rs;
	const lowered *lw;
	/* the spec refuses the target kernel (not in a portable script, which
	 * checks kernel_v itself) */
	const spec_unsupported *unsupported;
	tool_needs needs;
	const char *const *stap_flags;	/* stap_run_flags(): the -D, -d ... it runs with */
	unsigned nstap_flags;
	const plan_param *params;	/* one per s->params, in order */
} tool_plan;

/* The plan's entry for one of the spec's parameters. */
static inline const plan_param *plan_param_of(const tool_plan *pl, const spec_param *p)
{
	return &pl->params[p - pl->s->params];
}

/* rs: the spec's records (records_of), already held to their sizes;
 * kver: the target kernel's release, or a name that is no version. */
const tool_plan *plan_build(arena *a, const spec *s, const record_set *rs, const char *kver);

#endif
