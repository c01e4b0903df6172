/* libFuzzer harness: arbitrary bytes as a spec file through the whole
 * generator pipeline (yaml_load via spec_load, spec_check, records, the
 * three emitters into strbufs), as compile_one() in gen/main.c runs it.
 *
 * Invariants checked beyond "no crash, no UB, no leak":
 *  - a spec that fails has at least one located diagnostic: the first line
 *    printed is "fuzz.yaml:LINE:COL: error: ..." (or "...: warning:" with
 *    -W semantics not used here);
 *  - generating twice gives byte-identical output (hash seeds are random
 *    per load, so this catches output that depends on hash order). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/emit.h"
#include "spec/kver.h"
#include "spec/spec.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"
#include "util/strbuf.h"

#define SPEC_PATH "fuzz.yaml"
#define MAX_SPEC_BYTES (1024 * 1024)	/* as gen/main.c */

typedef struct result {
	int ok;			/* generated */
	strbuf out;		/* stp + parser + command, concatenated */
	char *diag;		/* diagnostics text */
	size_t diaglen;
} result;

static const spec_unsupported *unsupported_for(const spec *s, const char *kver)
{
	unsigned v[3];
	if (!kver_parse(kver, v))
		return NULL;
	for (unsigned i = 0; i < s->nunsupported; i++)
		if (kver_range_match(&s->unsupported[i].range, v))
			return &s->unsupported[i];
	return NULL;
}

static void run(const uint8_t *data, size_t size, const char *kver, result *res)
{
	memset(res, 0, sizeof *res);
	FILE *df = open_memstream(&res->diag, &res->diaglen);
	if (!df)
		abort();
	arena a;
	arena_init(&a);
	a.limit = 256u * 1024 * 1024;	/* as gen/main.c */
	diag_sink d;
	diag_init(&d, df);
	/* the generator's reader NUL-terminates the file */
	char *text = arena_alloc(&a, size + 1);
	memcpy(text, data, size);
	source *src = source_new(&a, SPEC_PATH, text, size);
	spec *s = spec_load(&a, src, &d);
	if (s) {
		spec_check(&a, s, &d);
		if (!d.errors) {
			record_set rs = records_of(&a, s);
			emit_opts eo = { kver, SPEC_PATH };
			strbuf stp = STRBUF_INIT, par = STRBUF_INIT, cmd = STRBUF_INIT;
			const spec_unsupported *u = unsupported_for(s, kver);
			if (u)
				sb_printf(&stp, "%s\n", u->reason);
			else
				emit_stp(&stp, &a, s, &rs, &eo);
			emit_parser(&par, s, &rs, &eo);
			emit_command(&cmd, s, &eo);
			sb_putn(&res->out, sb_str(&stp), stp.len);
			sb_putc(&res->out, '\0');
			sb_putn(&res->out, sb_str(&par), par.len);
			sb_putc(&res->out, '\0');
			sb_putn(&res->out, sb_str(&cmd), cmd.len);
			sb_free(&stp);
			sb_free(&par);
			sb_free(&cmd);
			res->ok = 1;
		}
	}
	arena_free(&a);
	fclose(df);
}

/* "fuzz.yaml:LINE:COL: error: " at the start of the text. */
static int located_error_first(const char *t)
{
	size_t n = strlen(SPEC_PATH);
	if (strncmp(t, SPEC_PATH ":", n + 1))
		return 0;
	t += n + 1;
	for (int part = 0; part < 2; part++) {
		if (*t < '1' || *t > '9')
			return 0;
		while (*t >= '0' && *t <= '9')
			t++;
		if (*t++ != ':')
			return 0;
	}
	return strncmp(t, " error: ", 8) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_SPEC_BYTES)	/* gen/main.c refuses these before parsing */
		return 0;
	/* alternate between a versioned release and a portable one */
	const char *kver = size & 1 ? "6.1.0-56-cloud-amd64" : "portable";
	result r1, r2;
	run(data, size, kver, &r1);
	if (!r1.ok && !located_error_first(r1.diag ? r1.diag : "")) {
		fprintf(stderr, "fuzz_spec: failed spec without a located error first:\n%s\n",
			r1.diag ? r1.diag : "(nothing)");
		abort();
	}
	run(data, size, kver, &r2);
	if (r1.ok != r2.ok || r1.out.len != r2.out.len ||
	    (r1.out.len && memcmp(r1.out.buf, r2.out.buf, r1.out.len)) ||
	    r1.diaglen != r2.diaglen || (r1.diaglen && memcmp(r1.diag, r2.diag, r1.diaglen))) {
		fprintf(stderr, "fuzz_spec: two runs on the same input differ\n");
		abort();
	}
	sb_free(&r1.out);
	sb_free(&r2.out);
	free(r1.diag);
	free(r2.diag);
	return 0;
}
