/* Typed access to YAML nodes for the spec loader: every accessor reports a
 * located error when the node has the wrong shape. */
#ifndef STAPGEN_SCHEMA_H
#define STAPGEN_SCHEMA_H
#include <stdbool.h>
#include <stdint.h>

#include "../util/arena.h"
#include "../util/diag.h"
#include "../yaml/yaml_tree.h"

typedef struct schema_ctx {
	arena *a;
	diag_sink *d;
} schema_ctx;

/* Errors for keys not in `allowed` (NULL-terminated), with "did you mean". */
void schema_check_keys(schema_ctx *c, const ynode *map, const char *what,
		       const char *const *allowed);
bool schema_is_map(schema_ctx *c, const ynode *n, const char *what);
bool schema_require(schema_ctx *c, const ynode *map, const char *key,
		    const char *what);
const char *schema_string(schema_ctx *c, const ynode *n, const char *what);
/* A string that is one line: no newline or other control bytes. */
const char *schema_line(schema_ctx *c, const ynode *n, const char *what);
/* Text of several lines: like schema_line but line breaks and tabs are
 * allowed and there is no length limit (a description). */
const char *schema_text(schema_ctx *c, const ynode *n, const char *what);
bool schema_int(schema_ctx *c, const ynode *n, const char *what, int64_t *out);
bool schema_bool(schema_ctx *c, const ynode *n, const char *what, bool *out);
/* "5s", "200ms", "2m", "1h" -> milliseconds. */
bool schema_duration(schema_ctx *c, const ynode *n, const char *what, int64_t *ms);
/* One of `choices` (NULL-terminated); returns its index or -1. */
int schema_enum(schema_ctx *c, const ynode *n, const char *what,
		const char *const *choices);
/* A name usable in generated code: [A-Za-z][A-Za-z0-9_]*, <= 64 bytes, not a
 * stap keyword, not reserved for the generator (leading '_'). */
bool schema_ident(schema_ctx *c, const ynode *n, const char *what, const char **out);
bool stap_is_keyword(const char *s);
bool stap_is_tapset_global(const char *s);
/* A tapset global a spec may read by name (BIO_READ): gen/tables/tapset_globals.def */
bool stap_is_tapset_constant(const char *s);

/* A node as a list: a sequence's items, or a lone scalar/map as one item. */
const ynode *const *schema_list(schema_ctx *c, const ynode *n, size_t *count);

#endif
