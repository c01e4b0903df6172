/* Probe point strings: validated against a small grammar so that spec text
 * can only ever become a probe point, never statements. */
#ifndef STAPGEN_PROBE_POINT_H
#define STAPGEN_PROBE_POINT_H
#include <stddef.h>

#include "../yaml/yaml_tree.h"

/* Returns 0 when `s` is a probe point:
 *   ['@param(' name ').'] component ('.' component)* ['?']   (or just @param(name))
 *   component := name ['(' ( "string" | integer | @param(name) ) ')']
 *   name := [A-Za-z0-9_*]+
 * Otherwise the byte offset of the first offending character, plus one,
 * and a reason in *why. */
size_t probe_point_validate(const char *s, size_t len, const char **why);

/* `@param(NAME)` in a probe point: a string parameter passed to stap as a
 * positional argument (@1, @2 ...), fixed when stap compiles the script.
 * Returns the first one at or after s (outside strings), its name and the
 * name's length; NULL if none. */
const char *probe_point_param(const char *s, const char **name, size_t *nlen);

/* The bytes a probe point parameter's value may hold: checked at generation
 * (its default) and by the tool command (the option's value), so that a
 * value stays inside the probe point's string and one word of the shell. */
#define PP_PARAM_CHARS                                                         \
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_*?.@/:+-"
#define PP_PARAM_MAX 256
/* NULL when v is a valid value, else why not. */
const char *probe_point_param_value_bad(const char *v);

/* `on: '@param(NAME).return'`: a `type: point` parameter is the probe
 * point itself (stap's `$1`, fntimes.stp's `probe $1.return`), checked by
 * the generator (its default) and the command (the option's value) against
 * the grammar above, without parameters or a trailing '?': the value can
 * only ever be one probe point, never a condition (`if (...)`), another
 * point (`,`) or statements.  Its bytes: */
#define PP_POINT_CHARS PP_PARAM_CHARS "\"()"
const char *probe_point_value_bad(const char *v);

/* A probe family (gen/tables/probe_families.def): what a point is by how
 * it starts, the context its probe gives and what the host needs for it. */
enum { PF_BUILTIN, PF_ALIAS };
/* PF_USYMS: the probed binary's symbol table; PF_UMARK: its SDT notes */
enum { PF_KDEBUG = 1, PF_KPROBES = 2, PF_UPROBES = 4, PF_USYMS = 8, PF_UMARK = 16 };
typedef struct probe_family {
	const char *prefix, *contains;
	int kind;		/* PF_BUILTIN or PF_ALIAS */
	unsigned ctx, ctx_return;	/* CTX_* (check_expr.h); ctx_return: a ".return" point */
	unsigned needs;		/* PF_KDEBUG | PF_KPROBES | PF_UPROBES | PF_USYMS | PF_UMARK */
	const char *what;	/* the family in a message */
	const char *example;	/* a point of the family */
} probe_family;
/* The family of a probe point (never NULL: the table's last row matches all). */
const probe_family *probe_point_family(const char *s);
/* The table's rows, in order (for tests). */
unsigned probe_family_count(void);
const probe_family *probe_family_at(unsigned i);

/* CTX_* flags (check_expr.h) a probe point gives the expressions of its probe. */
unsigned probe_point_ctx(const char *s);
/* Whether the point is a tapset alias (e.g. "vfs.read.return"), not stap's own. */
int probe_point_is_alias(const char *s);

#endif
