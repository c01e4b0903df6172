/* Lowering: between checking and emitting.  Reads the checked spec and
 * builds what the .stp emitter prints, in the order it prints it: probe
 * bodies as statement lists (values just before their first use, negated
 * filters, deletes moved up), report expressions with their aggregates read
 * for the row's key.  Every rewritten expression is a new node; the checked
 * spec is never written, so it can be lowered and emitted any number of
 * times. */
#ifndef STAPGEN_LOWER_H
#define STAPGEN_LOWER_H
#include <stdbool.h>

#include "records.h"
#include "../spec/spec.h"

typedef enum {
	LS_LET,		/* name = value */
	LS_FILTER,	/* if (cond) next */
	LS_STORE,	/* target = value */
	LS_COLLECT,	/* target <<< value */
	LS_DELETE,	/* delete target */
	LS_SET,		/* $var = value (guru) */
	LS_CALL,	/* value: a call, for its effect (guru) */
	LS_RECORD,	/* printf of one of the probe's records, maybe under `if` */
	LS_EXIT,	/* if (cond) exit(): the end probes run, the tool stops */
} lstmt_kind;

/* One kernel alternative of a value, for portable scripts. */
typedef struct lalt {
	const kver_range *range;	/* n == 0: every other kernel */
	const expr *e;
} lalt;

typedef struct lstmt {
	lstmt_kind kind;
	const char *name;	/* LS_LET */
	const expr *target;	/* LS_STORE, LS_COLLECT, LS_DELETE, LS_SET */
	/* LS_LET: the value (NULL when alts are set); LS_FILTER: the condition
	 * that drops the event (the filter negated); STORE/COLLECT: the value */
	const expr *value;
	const expr *origin;	/* LS_FILTER: the filter as written (source map) */
	const lalt *alts;	/* LS_LET in a portable script: every alternative */
	unsigned nalts;
	const record_kind *rec;	/* LS_RECORD; its values are args[] */
	const expr *const *args;
	const expr *const *origins;	/* LS_RECORD: the columns as written (source map) */
	/* LS_RECORD with a `when`: printed only if `when` holds, after computing
	 * the values only it needs (inner, LS_LET only); `els`: `when` is the
	 * negation of the previous record's, printed as its `else` */
	const expr *when;
	const struct lstmt *inner;
	unsigned ninner;
	bool els;
} lstmt;

/* The values one probe point binds (LS_LET only), computed in the alias
 * the emitter writes for that point, before the probe's body. */
typedef struct lbinding {
	const lstmt *stmts;
	unsigned nstmts;
} lbinding;

typedef struct lprobe {
	const spec_probe *p;
	const lstmt *stmts;
	unsigned nstmts;
	const lbinding *points;	/* one per p->points; NULL: no point binds */
	/* one per p->points: probed on the target kernel (a portable script
	 * probes each, under its %( kernel_v %)) */
	const bool *point_on;
} lprobe;

struct ltimer;

typedef struct lreport {
	const spec_report *r;
	const record_kind *rec;	/* NULL: nothing to emit */
	const expr *sort;	/* NULL: unsorted */
	const expr *const *vals;	/* one per field of rec (row reports) */
	/* one aggregate sorted by its own statistic or a key: iterate it
	 * directly, `foreach ([k] in agg @sum- limit N)` */
	bool direct;
	const char *key_sort;	/* sorted by this key column */
	bool value_sort;	/* a state map sorted by its value: `foreach ([k] in m-)` */
	/* the array the printing foreach walks: the aggregate (direct) or the
	 * temporary sort array `_NAME_sort`, filled when the report runs (never
	 * by a probe: the sort is the report's work, not the events') */
	const char *iter;
	/* the entries of the sort array (`global _x_sort[N]`): the sum of its
	 * aggregates' `size:` when each has one; 0: MAXMAPENTRIES */
	int64_t iter_size;
	/* the loop variables: one per key of the rows' map (or the histogram's),
	 * then the histogram's bucket.  A key's name, or `__NAME` when a global
	 * of the script (a parameter, a map) has that name: stap would bind the
	 * loop to the global and overwrite it. */
	const char *const *key_vars;
	const char *bucket_var;
	const struct ltimer *timer;	/* the timer that runs it; NULL: only at the end */
	/* the aggregates it deletes once printed: those it is the last report
	 * of its trigger to read (the next interval starts afresh) */
	const char *const *clears;
	unsigned nclears;
} lreport;

/* One timer probe per distinct period of the periodic reports. */
typedef struct ltimer {
	const spec_param *every_param;	/* a run-time interval: ticks, counted */
	int64_t every_lit;		/* otherwise the period, ms */
	/* the first report it runs; with every_param its name names the tick
	 * counter, _NAME_ticks */
	const spec_report *first;
	const lreport *const *reports;	/* what it runs, in spec order */
	unsigned nreports;
} ltimer;

typedef struct lowered {
	const spec *s;
	const record_set *rs;
	bool portable;		/* %( kernel_v %) conditionals instead of choices */
	unsigned kv[3];		/* otherwise the target kernel's version */
	const lprobe *probes;	/* one per s->probes */
	const lreport *reports;	/* one per s->reports */
	const ltimer *timers;	/* in the order of their first reports */
	unsigned ntimers;
	unsigned script_funcs;	/* bit i: calls script_func(i), the script defines it */
} lowered;

/* kver: the target kernel's release, parsed here and only here (not a
 * version: a portable script).  Callers outside the tests use plan_build. */
const lowered *lower_spec(arena *a, const spec *s, const record_set *rs, const char *kver);

#endif
