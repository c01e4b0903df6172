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
} tool_plan;

/* rs: the spec's records (records_of), already held to their sizes;
 * kver: the target kernel's release, or a name that is no version. */
const tool_plan *plan_build(arena *a, const spec *s, const record_set *rs, const char *kver);

#endif
