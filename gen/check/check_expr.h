/* Type checking of spec expressions against the names a spec defines and a
 * table of tapset function signatures. */
#ifndef STAPGEN_CHECK_EXPR_H
#define STAPGEN_CHECK_EXPR_H
#include <stdbool.h>

#include "../expr/ast.h"
#include "../spec/probe_ctx.h"
#include "../spec/spec.h"

typedef enum {
	NAME_NONE = 0,
	NAME_PARAM,	/* run-time parameter: a global long/string */
	NAME_VALUE,	/* a probe's named per-event value (a local) */
	NAME_KEY,	/* a key column of the aggregate a report iterates */
	NAME_STATE,	/* a state map shared between probes: m[k...] */
	NAME_AGG,	/* a statistics aggregate: @count(a) in reports, a[k] */
	NAME_ALIASVAR,	/* a variable provided by a tapset probe alias */
	NAME_TAPSET,	/* a constant of the tapsets (BIO_READ), read as is */
} name_kind;

#define CHECK_MAX_KEYS SPEC_MAX_KEYS
typedef struct name_info {
	name_kind kind;
	vtype type;		/* value type (for STATE/AGG: element type) */
	unsigned nkeys;		/* STATE/AGG: number of index expressions */
	vtype keys[CHECK_MAX_KEYS];
	const char *stap_name;	/* how to print it in the .stp (NULL = as is) */
	const void *ptr;	/* owner's object, stored in expr->bind_ptr */
	bool row_value;		/* STATE: the map a report iterates; bare, the row's value */
} name_info;

/* The CTX_* flags: gen/spec/probe_ctx.h (the probe families give them). */

/* The CTX_* flags a probe's body is checked with (check_spec.c). */
unsigned probe_ctx(const spec_probe *p);

typedef struct check_env {
	/* Resolve a bare identifier; false if unknown. */
	bool (*lookup)(void *ctx, const char *name, name_info *out);
	/* Fill up to max candidate names, for "did you mean". */
	size_t (*candidates)(void *ctx, const char **out, size_t max);
	void *ctx;	/* the checker may record uses in it */
	unsigned flags;
	/* Optional: called after "unknown name" without a suggestion (to add a hint). */
	void (*unknown)(void *ctx, const char *name, diag_sink *d);
} check_env;

/* Assigns e->type everywhere, resolves identifiers (e->bind = name_kind,
 * e->bind_ptr, e->emit_name) and reports every error found (unknown
 * function / name with a suggestion, wrong argument count or types, $return
 * outside .return probes, aggregates outside reports, ...).  Returns the
 * expression's type, VT_UNKNOWN if it had errors. */
vtype check_expr(expr *e, const check_env *env, diag_sink *d);

/* Tapset function signature table (gen/tables/tapset_funcs.def). */
typedef struct tapset_func {
	const char *name;
	vtype ret;
	unsigned nargs;
	vtype args[4];
	unsigned flags;	/* TF_* */
} tapset_func;
enum {
	TF_NEEDS_EVENT = 1 << 0,	/* meaningful only in an event context */
	TF_STACK = 1 << 1,		/* returns a backtrace */
	TF_GURU = 1 << 2,		/* changes kernel state: guru only */
	TF_WRITES = 1 << 3,		/* with TF_GURU: writes memory/registers,
					 * signals, delays, runs commands */
	TF_SCRIPT = 1 << 4,		/* defined by the generated script itself
					 * (gen/tables/script_funcs.def) */
	TF_DWARF = 1 << 5,		/* reads the kernel's DWARF: fails to compile
					 * on a headers-only kernel tree (rules in
					 * scripts/gen-tapset-funcs.sh) */
	TF_VOLATILE = 1 << 6,		/* two calls in one event differ: clocks,
					 * counters, random numbers */
};
/* The functions a generated script defines (gen/tables/script_funcs.def):
 * how many, the i-th with its summary and stap definition, the index of a
 * name (-1 if it is not one).  tapset_func_lookup() finds them too. */
unsigned script_func_count(void);
const tapset_func *script_func(unsigned i, const char **summary, const char **definition);
int script_func_index(const char *name);
/* The first signature of `name` (overloads by arity follow it), or NULL. */
const tapset_func *tapset_func_lookup(const char *name);
/* All signatures of `name` (adjacent, by ascending arity); *n = count. */
const tapset_func *tapset_func_overloads(const char *name, size_t *n);
/* Distinct public function names (not starting with '_'), sorted; fills at
 * most max and returns how many were stored. */
size_t tapset_func_names(const char **out, size_t max);

#endif
