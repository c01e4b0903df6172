/* What an expression may use, by where it appears: the CTX_* flags.  The
 * probe families (gen/tables/probe_families.def) give them to a probe's
 * body, the checker (gen/check) holds expressions to them; they live here,
 * below both, so the spec stage needs nothing of the checker. */
#ifndef STAPGEN_PROBE_CTX_H
#define STAPGEN_PROBE_CTX_H

enum {
	CTX_TARGET = 1 << 0,	/* $vars, @cast, @defined: DWARF/tracepoint probes */
	CTX_RETURN = 1 << 1,	/* $return and @entry(): .return probes */
	CTX_REPORT = 1 << 2,	/* @count/@sum/@min/@max/@avg over aggregates */
	CTX_GURU = 1 << 3,	/* guru mode granted (reserved for writes) */
	CTX_NO_EVENT = 1 << 4,	/* timer/begin/end/report: no pid()/execname() meaning */
	/* Some, not all, of a probe's points give $vars / $return: allowed
	 * inside @defined() and @choose_defined(), which stap resolves per point. */
	CTX_MAYBE_TARGET = 1 << 5,
	CTX_MAYBE_RETURN = 1 << 6,
	/* @entry(): any .return probe, a kprobe's (no $vars) too */
	CTX_ENTRY = 1 << 7,
	/* a user-space SDT marker (process(...).mark): its $vars are only
	 * $arg1..$argN and $$parms/$$vars */
	CTX_MARK = 1 << 8,
};

#endif
