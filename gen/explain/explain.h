/* Maps stap's diagnostics about a generated script back to the spec text
 * the failing construct came from, using the script's source map. */
#ifndef STAPGEN_EXPLAIN_H
#define STAPGEN_EXPLAIN_H
#include <stdio.h>

/* Reads stap's stderr from `in`; for every error that names a location in
 * the script whose source map is `map_path` (<tool>.stp.map), prints a
 * located diagnostic against the spec to `out`.  Returns the number of
 * errors mapped, or -1 if the map cannot be read. */
int explain_stap_errors(const char *map_path, FILE *in, FILE *out);

#endif
