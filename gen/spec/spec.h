/* The spec model: one YAML tool spec after loading and checking.  Every
 * element keeps the location of the YAML text it came from. */
#ifndef STAPGEN_SPEC_H
#define STAPGEN_SPEC_H
#include <stdbool.h>
#include <stdint.h>

#include "../expr/ast.h"
#include "../util/arena.h"
#include "../util/diag.h"
#include "../yaml/yaml_tree.h"
#include "kver.h"

/* Parameters per spec: each is an option of the tool command, which is
 * shell code that `make check` runs through shellcheck. */
#define SPEC_MAX_PARAMS 128

/* Parameter types (gen/tables/param_types.def); PT_SWITCH: an on/off
 * option (0 or 1); its flag takes no argument. */
typedef enum {
#define PTYPE(e, name, str, check, arg, arg_ms, word, word_ms, unit, unit_ms) PT_##e,
#include "../tables/param_types.def"
#undef PTYPE
} param_type;

/* A row of param_types.def; the *_ms texts already chosen for a duration
 * in ms (param_type_of()). */
typedef struct param_type_row {
	const char *name;
	bool str;
	const char *check, *arg, *word, *unit;
} param_type_row;

typedef struct spec_param {
	const char *name;
	srcloc loc;
	param_type type;
	int64_t ival;		/* int default; duration default in `unit`s */
	const char *sval;	/* string default */
	bool unit_ms;		/* duration stored in ms (else seconds) */
	const char *help;
	const char *flag;	/* command-line option, e.g. "--port" */
	bool required;		/* no default: the tool refuses to start without it */
	/* used as `@param(NAME)` in a probe point: stap's positional argument
	 * @N (N = point_arg), fixed at compile time; 0: not */
	unsigned point_arg;
	bool in_point;		/* named by some @param(...) (checked or not) */
} spec_param;

/* The table's row for p's type, with its texts for p's unit. */
static inline param_type_row param_type_of(const spec_param *p)
{
	static const struct { param_type_row r; const char *arg_ms, *word_ms, *unit_ms; } rows[] = {
#define PTYPE(e, name, str, check, arg, arg_ms, word, word_ms, unit, unit_ms) \
	{ { name, str, check, arg, word, unit }, arg_ms, word_ms, unit_ms },
#include "../tables/param_types.def"
#undef PTYPE
	};
	param_type_row r = rows[p->type].r;
	if (p->unit_ms) {
		r.arg = rows[p->type].arg_ms ? rows[p->type].arg_ms : r.arg;
		r.word = rows[p->type].word_ms ? rows[p->type].word_ms : r.word;
		r.unit = rows[p->type].unit_ms ? rows[p->type].unit_ms : r.unit;
	}
	return r;
}

typedef struct spec_keycol {
	const char *name;	/* NULL for anonymous state-map keys */
	vtype type;
	srcloc loc;
} spec_keycol;

/* A state map (value per key, set on one probe, read/deleted on another)
 * or a statistics aggregate (`<<<`). */
typedef struct spec_map {
	const char *name;
	srcloc loc;
	bool is_agg;
	spec_keycol *keys;
	unsigned nkeys;		/* at most SPEC_MAX_KEYS */
	vtype value_type;	/* state maps */
	/* `size:`: the entries stap allocates, `global name[N]`; 0: stap's
	 * MAXMAPENTRIES (2048 unless -DMAXMAPENTRIES) */
	int64_t size;
	/* `wrap: true`: full, stap overwrites the oldest entry (`global
	 * name%[N]`) instead of stopping with "Array overflow" */
	bool wrap;
} spec_map;
#define SPEC_MAX_KEYS 8
#define SPEC_MAX_MAP_SIZE 1000000	/* stap allocates it all when it loads */

/* One kernel-dependent alternative of a value. */
typedef struct spec_alt {
	kver_range range;	/* n == 0: every other kernel */
	const char *range_text;
	srcloc loc;
	expr *e;
} spec_alt;

typedef struct spec_let spec_let;
struct spec_let {
	const char *name;
	srcloc loc;
	expr *e;		/* the value (the first alternative's, if any) */
	spec_alt *alts;		/* kernel alternatives, in order; NULL if none */
	unsigned nalts;
	bool used;		/* set by the checker */
};

/* target := value, where target is `map[k...]` or a bare scalar aggregate;
 * `{value: V, when: C}`: only on the events where C holds. */
typedef struct spec_assign {
	expr *target;
	expr *value;
	expr *when;		/* NULL: on every event that passes the filters */
	const spec_map *map;	/* resolved by the checker */
} spec_assign;

/* Column types (gen/tables/col_types.def); COL_STACK: a symbolic backtrace
 * (sprint_stack() & co.), one frame per line; COL_INET: an IP address. */
typedef enum {
	COL_AUTO,
#define COLT(e, name, str, sg, doc, word, need) COL_##e,
#include "../tables/col_types.def"
#undef COLT
} col_type;

/* Printed as a string (text_str(), %s) rather than a number. */
static inline bool col_is_str(col_type t)
{
	switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case COL_##e: return str;
#include "../tables/col_types.def"
#undef COLT
	case COL_AUTO: break;
	}
	return false;
}

typedef struct spec_column {
	const char *name;
	srcloc loc;
	expr *e;
	col_type type;		/* after checking: never COL_AUTO */
	const char *title;
	int width;
	const char *unit;	/* what a long column measures (e.g. us): NULL = a count */
} spec_column;

/* One record a probe prints.  Several probes (or entries) may print the
 * same record kind: the checker holds them to one list of columns. */
typedef struct spec_emit {
	const char *record;
	srcloc loc;
	expr *when;		/* printed only when this holds; NULL: always */
	spec_column *cols;
	unsigned ncols;
} spec_emit;

/* One alternative of a probe.  Its own `let` binds the values that differ
 * between alternatives (`sk` is `$sk` on a tracepoint, `pointer_arg(1)` on
 * a kprobe): every alternative of the probe binds the same names, and the
 * probe's body reads them like its own values. */
typedef struct spec_point {
	const char *text;	/* validated probe point, e.g. kernel.function("x").return */
	srcloc loc;
	kver_range range;	/* kernels it applies to (n == 0: all) */
	const char *range_text;
	struct spec_let *lets;	/* this alternative's bindings, in order */
	unsigned nlets;
	const char *note;	/* what this alternative sees differently (doc page) */
} spec_point;

/* `alias_vars: { NAME: long|string }`: variables of the probe's tapset alias
 * that gen/tables/alias_vars.def lacks (another stap's tapset), or a type for
 * one it has. */
typedef struct spec_alias_var {
	const char *name;
	vtype type;
	srcloc loc;
} spec_alias_var;

typedef struct spec_probe {
	srcloc loc;
	spec_point *points;	/* ordered fallbacks: the first that resolves */
	unsigned npoints;
	bool each;		/* `on: {each: [...]}`: every point, not the first */
	/* the points bind values (spec_point.lets): the first point that does,
	 * whose names and types every other one has (checked) */
	const spec_point *binder;
	spec_let *lets;
	unsigned nlets;
	expr **filters;
	unsigned nfilters;
	spec_assign *stores;
	unsigned nstores;
	spec_assign *collects;
	unsigned ncollects;
	expr **deletes;
	expr **delete_whens;	/* one per delete: `{entry: m[k], when: C}`'s C, or NULL */
	unsigned ndeletes;
	/* guru specs' side effects: `set: { $var: value }` writes target
	 * variables; `call: [f(x)]` calls functions for their effect
	 * (set_kernel_int(), raise() ...) */
	spec_assign *sets;
	unsigned nsets;
	expr **calls;
	expr **call_whens;	/* one per call, or NULL */
	unsigned ncalls;
	expr *exit_when;	/* `exit:`: stop the tool (stap's exit()) once this holds */
	spec_emit *emits;	/* `emit:` one mapping, or a list of them, in order */
	unsigned nemits;
	spec_alias_var *avars;
	unsigned navars;
} spec_probe;

typedef enum {
	HIST_NONE,
#define HIST(e, name, fn, doc) HIST_##e,
#include "../tables/hist_kinds.def"
#undef HIST
} hist_kind;

typedef struct spec_report {
	const char *name;
	srcloc loc;
	/* `every`: a duration literal or a duration parameter; 0/NULL = end only */
	int64_t every_lit;	/* in ms */
	const spec_param *every_param;
	srcloc every_loc;
	int64_t count_lit;
	const spec_param *count_param;
	const char **from;	/* aggregates iterated (union of their keys) */
	srcloc *from_locs;
	unsigned nfrom;
	const spec_map **from_maps;
	expr *sort;
	bool sort_desc;
	int64_t limit_lit;
	const spec_param *limit_param;
	srcloc limit_loc;
	spec_column *cols;
	unsigned ncols;
	/* histogram reports */
	hist_kind hist;
	const char *hist_of;
	srcloc hist_loc;
	const spec_map *hist_map;
	int64_t lin_lo, lin_hi, lin_step;
	const char *hist_unit;
	bool at_end;		/* also (or only) report when the run ends */
	bool has_from;		/* `from:` given (maybe empty) */
	bool from_inferred;	/* `from:` left out: the aggregates its columns read */
	/* also when a run-time error stops the run (stap runs its error
	 * probes then, not its end probes) */
	bool on_error;
} spec_report;

typedef struct spec_unsupported {
	const char *range_text;	/* e.g. "< 4.18" or ">= 6.12" */
	kver_range range;
	const char *reason;
	srcloc loc;
} spec_unsupported;

/* `examples:`: a command line a user runs, and what it does (-h, doc page;
 * tests/command/run.sh runs each one's option parsing) */
typedef struct spec_example {
	const char *run;
	const char *what;
	srcloc loc;
} spec_example;
#define SPEC_MAX_EXAMPLES 16

typedef struct spec {
	const char *path;
	const source *src;
	const char *tool;
	srcloc tool_loc;
	const char *summary;
	const char *description;
	const char **stap_options;
	srcloc *stap_option_locs;
	unsigned nstap_options;
	bool guru;
	spec_param *params;
	unsigned nparams;
	unsigned npoint_args;	/* parameters used in probe points (@1 ... @N) */
	spec_map *maps;		/* state maps and aggregates, one namespace */
	unsigned nmaps;
	spec_probe *probes;
	unsigned nprobes;
	spec_report *reports;
	unsigned nreports;
	spec_unsupported *unsupported;
	unsigned nunsupported;
	spec_example *examples;
	unsigned nexamples;
	/* maps named by a store or collect entry that was rejected (its value
	 * did not parse): not "never written", an error was said already */
	const char **rejected_writes;
	unsigned nrejected_writes;
} spec;

/* Reads and structurally validates a spec (keys, types, required fields,
 * expression syntax).  Returns NULL when the YAML itself is unusable;
 * otherwise a spec, with every problem found reported to d. */
spec *spec_load(arena *a, const source *src, diag_sink *d);

/* Resolves names and types in every expression; all errors reported. */
void spec_check(arena *a, spec *s, diag_sink *d);

const spec_param *spec_find_param(const spec *s, const char *name);

/* ---- the one walker over a spec's expressions (spec_walk.c) ------------
 * Passes that look for something in "a probe's expressions" use these, so
 * none of them can forget a place an expression may sit. */
typedef enum {
	SX_POINT_LET,		/* a value one alternative (probe point) binds */
	SX_LET,			/* a value, or each of its kernel alternatives */
	SX_FILTER,
	SX_STORE_TARGET,
	SX_STORE_VALUE,
	SX_STORE_WHEN,
	SX_COLLECT_TARGET,
	SX_COLLECT_VALUE,
	SX_COLLECT_WHEN,
	SX_DELETE,
	SX_DELETE_WHEN,
	SX_SET_TARGET,
	SX_SET_VALUE,
	SX_SET_WHEN,
	SX_CALL,
	SX_CALL_WHEN,
	SX_EMIT_COLUMN,
	SX_EMIT_WHEN,
	SX_EXIT,
	SX_REPORT_SORT,
	SX_REPORT_COLUMN,
} spec_site;

/* fn(e, site, idx, ctx) for every top-level expression, in spec order:
 * the points' bindings (idx: the point), values (every alternative), filters, stores, collects, deletes, each
 * emitted record's condition and columns; a report's sort, then its
 * columns.  idx indexes the site's list (for SX_EMIT_*: the emit's). */
typedef void (*spec_expr_fn)(const expr *e, spec_site site, unsigned idx, void *ctx);
void probe_exprs(const spec_probe *p, spec_expr_fn fn, void *ctx);
void report_exprs(const spec_report *r, spec_expr_fn fn, void *ctx);
/* fn on every node (expr_walk) of every expression above. */
void probe_nodes(const spec_probe *p, void (*fn)(const expr *node, void *ctx), void *ctx);
void report_nodes(const spec_report *r, void (*fn)(const expr *node, void *ctx), void *ctx);
const spec_map *spec_find_map(const spec *s, const char *name);

#endif
