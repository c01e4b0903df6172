/* Probe point strings: validated against a small grammar so that spec text
 * can only ever become a probe point, never statements. */
#ifndef STAPGEN_PROBE_POINT_H
#define STAPGEN_PROBE_POINT_H
#include <stddef.h>

#include "../yaml/yaml_tree.h"

/* Returns 0 when `s` is a probe point:
 *   component ('.' component)* ['?']
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

/* CTX_* flags (check_expr.h) a probe point gives the expressions of its probe. */
unsigned probe_point_ctx(const char *s);
/* The tapset alias name for alias probes (e.g. "vfs.read.return"), else NULL. */
int probe_point_is_alias(const char *s);

#endif
