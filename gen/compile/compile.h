/* The one way from spec text to generated files: load, check, lower, emit.
 * main, the fuzzers and the unit tests all call stapgen_compile(), so what
 * they test is what the command runs. */
#ifndef STAPGEN_COMPILE_H
#define STAPGEN_COMPILE_H
#include <stdbool.h>

#include "../spec/spec.h"
#include "../util/strbuf.h"

typedef struct stapgen_options {
	const char *kver;	/* kernel release; a name that is no version: portable */
	bool guru;		/* allow specs that declare 'guru: true' */
	bool werror;		/* warnings count as errors */
	bool check_only;	/* stop after checking */
	/* the stap release the script is for (gen/check/stap_version.h);
	 * NULL: no stap-version check */
	const char *stap_version;
	/* Called with the checked spec (errors or not) before anything is
	 * emitted, for the caller's own checks (main: one tool defined by two
	 * specs); errors it reports to d stop the compile. */
	void (*on_checked)(const spec *s, diag_sink *d, void *ctx);
	void *ctx;
} stapgen_options;

typedef struct stapgen_output {
	const spec *spec;	/* the checked spec (NULL: the YAML was unusable) */
	/* the spec refuses this kernel: stp holds the reason, map and command
	 * are empty and not to be written */
	const spec_unsupported *unsupported;
	strbuf stp, map, parser, command, doc, completion;
	strbuf flags;	/* TOOL.flags, the plan's sidecar (empty with unsupported) */
	/* The set's id, in the .stp, the parser and the command: a hash of
	 * the spec text, its path and the kernel release, so files of two
	 * versions of one spec never pass for one set (gen/main.c). */
	char set_id[17];
} stapgen_output;

/* Compiles src; every problem is reported to d (a sorted sink is flushed
 * before returning).  0: generated (with
 * check_only: clean), 1: the spec has errors and nothing was generated.
 * out->spec and the texts live in a and in out (stapgen_output_free). */
int stapgen_compile(arena *a, const source *src, diag_sink *d, const stapgen_options *o,
		    stapgen_output *out);
void stapgen_output_free(stapgen_output *out);

#endif
