/* Internal to gen/yaml: maps a scalar's decoded value back to file offsets. */
#ifndef STAPGEN_YAML_SCALAR_H
#define STAPGEN_YAML_SCALAR_H
#include <stddef.h>

#include "yaml_tree.h"

/* Block-scalar parent indentation: -1 at document level, >= 0 the column
 * of the enclosing block collection, or this when it is not known. */
#define YSCALAR_INDENT_UNKNOWN (-2)

/* Re-walks text[start, end) (the scalar token: quote, | or > included) the
 * way libyaml decodes a scalar of that style, and fills map[0..len] with the
 * file offset each byte of `val` comes from; map[len] is the offset just
 * past the last one.  Returns 0, leaving map unspecified, when the walk does
 * not reproduce `val` byte for byte. */
int yscalar_walk(const char *text, size_t start, size_t end,
		 yscalar_style style, int parent_indent,
		 const char *val, size_t len, unsigned *map);

#endif
