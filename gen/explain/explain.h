/* Maps stap's diagnostics about a generated script back to the spec text
 * the failing construct came from, using the script's source map.
 *
 * stap's stderr is untrusted input, like a spec: everything read is
 * bounded (see the limits below), nothing is kept per input line, and
 * reading stops after the generator's error limit. */
#ifndef STAPGEN_EXPLAIN_H
#define STAPGEN_EXPLAIN_H
#include <stddef.h>
#include <stdio.h>

#define EXPLAIN_MAX_MAP_BYTES (16u << 20)	/* a source map (big specs: ~1 MB) */
#define EXPLAIN_MAX_INPUT_BYTES (64u << 20)	/* stap's stderr */
#define EXPLAIN_MAX_LINE 65536			/* a longer line is skipped whole */
#define EXPLAIN_MAX_LOCATED 1000		/* lines naming a script location */
#define EXPLAIN_MAX_SPECS 16			/* spec files shown from one map */
#define EXPLAIN_MAX_SPEC_BYTES (1u << 20)	/* the generator's spec limit */

/* Reads stap's stderr from `in`; for every error that names a location in
 * the script whose source map is `map_path` (<tool>.stp.map), prints a
 * located diagnostic against the spec to `out` (at most 50, then "too many
 * errors" and reading stops).  Returns the number of errors mapped, or -1
 * (with a message on stderr) when the map cannot be used -- not a readable
 * regular file, or over its limit -- or the input is over its limit. */
int explain_stap_errors(const char *map_path, FILE *in, FILE *out);

/* The same with the map's text given; `script` is the script's file name
 * (<tool>.stp) as stap prints it in locations. */
int explain_stap_errors_map(const char *map_text, size_t map_len, const char *script, FILE *in,
			    FILE *out);

#endif
