/* Probe point strings: validated against a small grammar so that spec text
 * can only ever become a probe point, never statements. */
#ifndef STAPGEN_PROBE_POINT_H
#define STAPGEN_PROBE_POINT_H
#include <stddef.h>

#include "../yaml/yaml_tree.h"

/* Returns 0 when `s` is a probe point:
 *   component ('.' component)* ['?']
 *   component := name ['(' ( "string" | integer ) ')']
 *   name := [A-Za-z0-9_*]+
 * Otherwise the byte offset of the first offending character, plus one,
 * and a reason in *why. */
size_t probe_point_validate(const char *s, size_t len, const char **why);

/* CTX_* flags (check_expr.h) a probe point gives the expressions of its probe. */
unsigned probe_point_ctx(const char *s);
/* The tapset alias name for alias probes (e.g. "vfs.read.return"), else NULL. */
int probe_point_is_alias(const char *s);

#endif
