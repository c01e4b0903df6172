/* YAML documents read with libyaml into a tree whose every node knows where
 * it came from, down to the byte inside a scalar. */
#ifndef STAPGEN_YAML_TREE_H
#define STAPGEN_YAML_TREE_H
#include <stddef.h>

#include "../util/arena.h"
#include "../util/diag.h"
#include "../util/source.h"

typedef enum { YN_SCALAR, YN_MAP, YN_SEQ } ynode_kind;
typedef enum { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED } yscalar_style;

typedef struct ynode ynode;
typedef struct ypair {
	ynode *key;	/* always a scalar (non-scalar keys are rejected) */
	ynode *value;
} ypair;

struct ynode {
	ynode_kind kind;
	srcloc loc;		/* first character of the node (quote or | included) */
	/* YN_SCALAR: the value after YAML unescaping/folding, NUL-terminated */
	const char *str;
	size_t len;
	yscalar_style style;
	/* YN_SCALAR: a YAML tag written on it (`!name`, `!!str`) and where;
	 * NULL when none.  The spec language has no tags: `where: !x` is one. */
	const char *tag;
	srcloc tag_loc;
	/* YN_MAP */
	ypair *pairs;
	size_t npairs;
	/* YN_SEQ */
	ynode **items;
	size_t nitems;
	/* private: what yaml_scalar_loc needs (value offset -> file offset) */
	const unsigned *offmap;	/* len+1 entries, or NULL when computed lazily */
	size_t content_off;	/* file offset where the scalar token starts */
};

/* Limits that keep hostile input cheap; zero fields take the defaults. */
typedef struct yaml_limits {
	size_t max_file_bytes;	/* default 1 MiB */
	unsigned max_depth;	/* default 64 */
	size_t max_nodes;	/* default 100000, aliases counted as expanded */
	size_t max_scalar_bytes;	/* default 64 KiB */
} yaml_limits;

/* Parses exactly one document.  On any error: diagnoses it (file:line:col,
 * source line, caret) into d and returns NULL.  Rejected: syntax errors, tab
 * indentation, duplicate mapping keys (note at the first one), non-scalar
 * keys, more than one document, an empty document, NUL bytes, invalid
 * UTF-8, limits exceeded.  CRLF line endings are accepted. */
ynode *yaml_load(arena *a, const source *src, const yaml_limits *lim, diag_sink *d);

/* Location in the file of byte `off` of a scalar's value, for plain,
 * single-quoted, double-quoted, literal (|) and folded (>) scalars alike.
 * off == n->len is the position just after the last character. */
srcloc yaml_scalar_loc(const ynode *n, size_t off);

/* Map lookup by key string (NULL if absent). */
const ypair *ynode_get(const ynode *map, const char *key);
const char *ynode_kind_name(const ynode *n);	/* "mapping", "sequence", "scalar" */

#endif
