/* libFuzzer harness: arbitrary bytes as a spec expression.  The first byte
 * picks the context flags (CTX_*), the rest is the expression text, parsed
 * with expr_parse, checked with check_expr against a small environment
 * (parameters, named values, a key column, state maps, aggregates, alias
 * variables) and printed back as stap.
 *
 * Then, as stapgen would see it: the same text as a column of an event
 * record and of a report row in a small spec, through stapgen_compile().
 *
 * Invariants: a failed parse is diagnosed (d.errors > 0); an expression
 * that checks clean prints as something; a spec that does not compile is
 * diagnosed. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_expr.h"
#include "compile/compile.h"
#include "expr/ast.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"
#include "util/strbuf.h"

static const struct env_name {
	const char *name;
	name_kind kind;
	vtype type;
	unsigned nkeys;
	vtype keys[3];
	const char *stap_name;
} env_names[] = {
	{ "destport", NAME_PARAM, VT_LONG, 0, { 0 }, NULL },
	{ "comm", NAME_PARAM, VT_STRING, 0, { 0 }, "__p_comm" },
	{ "port", NAME_VALUE, VT_LONG, 0, { 0 }, "__l_port" },
	{ "who", NAME_VALUE, VT_STRING, 0, { 0 }, NULL },
	{ "stk", NAME_VALUE, VT_STACK, 0, { 0 }, NULL },
	{ "pidk", NAME_KEY, VT_LONG, 0, { 0 }, NULL },
	{ "start", NAME_STATE, VT_LONG, 1, { VT_LONG }, "g_start" },
	{ "owner", NAME_STATE, VT_STRING, 2, { VT_LONG, VT_STRING }, NULL },
	{ "t0", NAME_STATE, VT_LONG, 0, { 0 }, NULL },
	{ "reads", NAME_AGG, VT_LONG, 1, { VT_STRING }, NULL },
	{ "lat", NAME_AGG, VT_LONG, 0, { 0 }, NULL },
	{ "filename", NAME_ALIASVAR, VT_STRING, 0, { 0 }, NULL },
	{ "argstr", NAME_ALIASVAR, VT_UNKNOWN, 0, { 0 }, NULL },
};
#define NNAMES (sizeof env_names / sizeof *env_names)

static bool env_lookup(void *ctx, const char *name, name_info *out)
{
	(void)ctx;
	for (size_t i = 0; i < NNAMES; i++) {
		const struct env_name *n = &env_names[i];
		if (strcmp(n->name, name))
			continue;
		memset(out, 0, sizeof *out);
		out->kind = n->kind;
		out->type = n->type;
		out->nkeys = n->nkeys;
		for (unsigned k = 0; k < n->nkeys; k++)
			out->keys[k] = n->keys[k];
		out->stap_name = n->stap_name;
		out->ptr = n;
		return true;
	}
	return false;
}

static size_t env_candidates(void *ctx, const char **out, size_t max)
{
	(void)ctx;
	size_t n = 0;
	for (size_t i = 0; i < NNAMES && n < max; i++)
		out[n++] = env_names[i].name;
	return n;
}

static srcloc at_text(const void *ctx, size_t off)
{
	return source_loc_at((const source *)ctx, off);
}

static FILE *devnull;

/* The expression in a spec, as YAML single-quoted scalars ('' for '). */
static void in_spec(const char *text, size_t len)
{
	arena a;
	arena_init(&a);
	a.limit = 256u * 1024 * 1024;
	strbuf q = STRBUF_INIT, y = STRBUF_INIT;
	for (size_t i = 0; i < len; i++) {
		if (text[i] == '\'')
			sb_putc(&q, '\'');
		sb_putc(&q, text[i]);
	}
	sb_printf(&y,
		  "tool: fx\nsummary: s\n"
		  "params:\n  destport: { default: 0, help: h }\n"
		  "aggregates:\n  reads: { key: { pid: long } }\n"
		  "probes:\n  - on: kernel.function(\"vfs_read\").return\n"
		  "    let: { sk: $return }\n"
		  "    collect: { 'reads[pid()]': 1 }\n"
		  "    emit: { record: r, columns: { c: '%s' } }\n"
		  "reports:\n  - { name: top, from: reads, columns: { pid: pid, c: '%s' } }\n",
		  sb_str(&q), sb_str(&q));
	char *spec_text = arena_strdup(&a, sb_str(&y));
	source *src = source_new(&a, "fuzz.yaml", spec_text, y.len);
	diag_sink d;
	diag_init(&d, devnull);
	d.sorted = 1;
	stapgen_options o = { .kver = "portable" };
	stapgen_output out;
	if (stapgen_compile(&a, src, &d, &o, &out) != 0 && !d.errors && !d.warnings) {
		fprintf(stderr, "fuzz_expr: a spec failed without a diagnostic\n");
		abort();
	}
	stapgen_output_free(&out);
	sb_free(&q);
	sb_free(&y);
	arena_free(&a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	unsigned flags = data[0] & (CTX_TARGET | CTX_RETURN | CTX_REPORT | CTX_GURU | CTX_NO_EVENT);
	const char *text0 = (const char *)data + 1;
	size_t len = size - 1;
	arena a;
	arena_init(&a);
	a.limit = 256u * 1024 * 1024;
	char *text = arena_alloc(&a, len + 1);	/* YAML scalars are NUL-terminated */
	memcpy(text, text0, len);
	source *src = source_new(&a, "fuzz.yaml", text, len);
	diag_sink d;
	diag_init(&d, devnull);
	expr_locmap m = { at_text, src };
	expr *e = expr_parse(&a, text, len, m, &d);
	if (!e) {
		if (!d.errors) {
			fprintf(stderr, "fuzz_expr: parse failed without a diagnostic\n");
			abort();
		}
	} else {
		check_env env = { env_lookup, env_candidates, NULL, flags, NULL };
		(void)check_expr(e, &env, &d);
		if (!d.errors) {
			strbuf sb = STRBUF_INIT;
			expr_print_stap(&sb, e);
			if (!sb.len) {
				fprintf(stderr, "fuzz_expr: a clean expression printed as nothing\n");
				abort();
			}
			sb_free(&sb);
		}
		if (len <= 4096 && !memchr(text, '\0', len))
			in_spec(text, len);
	}
	arena_free(&a);
	return 0;
}
