/* libFuzzer harness: arbitrary bytes as a spec file through the whole
 * generator pipeline through stapgen_compile() (load, check, lower, every
 * emitter -- .stp and its source map, parser, command, doc page -- into
 * strbufs), as gen/main.c runs it.
 *
 * Invariants checked beyond "no crash, no UB, no leak":
 *  - a spec that fails has at least one located error: a line
 *    "fuzz.yaml:LINE:COL: error: ..." (diagnostics are sorted by position,
 *    as stapgen prints them, so a warning may come first);
 *  - generating twice gives byte-identical output (hash seeds are random
 *    per load, so this catches output that depends on hash order);
 *  - the diagnostics hold no character a terminal acts on: C0 controls
 *    but tab and newline, DEL, C1 controls, bidirectional controls
 *    (issue 7, finding 3). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"
#include "util/strbuf.h"

#define SPEC_PATH "fuzz.yaml"
#define MAX_SPEC_BYTES (1024 * 1024)	/* as gen/main.c */

typedef struct result {
	int ok;			/* generated */
	strbuf out;		/* every emitter's output, concatenated */
	char *diag;		/* diagnostics text */
	size_t diaglen;
} result;

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
	d.sorted = 1;	/* as gen/main.c */
	/* the generator's reader NUL-terminates the file */
	char *text = arena_alloc(&a, size + 1);
	memcpy(text, data, size);
	source *src = source_new(&a, SPEC_PATH, text, size);
	stapgen_options o = { .kver = kver };
	stapgen_output out;
	if (stapgen_compile(&a, src, &d, &o, &out) == 0) {
		const strbuf *parts[] = { &out.stp, &out.parser, &out.command, &out.doc, &out.map };
		for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
			sb_putn(&res->out, sb_str(parts[i]), parts[i]->len);
			sb_putc(&res->out, '\0');
		}
		res->ok = 1;
	}
	stapgen_output_free(&out);
	arena_free(&a);
	fclose(df);
}

/* 2: the line at t is "fuzz.yaml:LINE:COL: error: ...", 1: "...: warning:",
 * 0: something else. */
static int located(const char *t)
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
	return !strncmp(t, " error: ", 8) ? 2 : !strncmp(t, " warning: ", 10) ? 1 : 0;
}

static int has_located_error(const char *text)
{
	for (const char *t = text; *t; t++)
		if ((t == text || t[-1] == '\n') && located(t) == 2)
			return 1;
	return 0;
}

/* ---- template mode -------------------------------------------------------
 * Random bytes seldom stay a valid spec, so the checker's and emitters' later
 * stages would see few inputs.  An input starting with a control byte other
 * than tab, LF or CR (which no spec can start with: they are refused at 1:1)
 * is instead a list of values, one per line, put into the slots A..Z of a
 * spec that uses every feature: ~X as a YAML single-quoted scalar (the YAML
 * stays well-formed), ^X as is (numbers).  The fuzzer so mutates names,
 * expressions, probe points, numbers, ranges and titles.  Missing or empty
 * lines keep the slot's default, so short inputs are valid specs. */
static const char tmpl[] =
	"tool: ~A\n"
	"summary: ~B\n"
	"stap_options: [~C]\n"
	"kernels:\n"
	"  unsupported:\n"
	"    - { range: ~D, reason: ~E }\n"
	"params:\n"
	"  name: { type: string, default: ~F, help: h, flag: ~G }\n"
	"  every: { type: duration, default: ~H, unit: ms, help: h }\n"
	"  top: { type: int, default: ^I, help: h, flag: -l }\n"
	"state:\n"
	"  seen: { key: { pid: long, comm: string }, value: string }\n"
	"aggregates:\n"
	"  sizes: { key: { pid: long } }\n"
	"  bytes: { key: { who: string } }\n"
	"  total: {}\n"
	"  stk: { key: { s: stack } }\n"
	"probes:\n"
	"  - on: [~J, 'kernel.function(\"sys_read\").return?']\n"
	"    let:\n"
	"      got: ~K\n"
	"      who:\n"
	"        - { kernel: ~L, value: ~M }\n"
	"        - execname()\n"
	"    where: [~N, 'name == \"\" || who == name']\n"
	"    store: { ~O: who }\n"
	"    collect:\n"
	"      'sizes[pid()]': got\n"
	"      'bytes[who]': ~P\n"
	"      total: got\n"
	"      'stk[backtrace()]': got\n"
	"    emit:\n"
	"      record: r\n"
	"      columns:\n"
	"        who: { value: ~Q, type: string, title: ~R, width: 24 }\n"
	"        when: { value: 'gettimeofday_s()', type: time }\n"
	"  - on: ~S\n"
	"    where: '[1, \"x\"] in seen'\n"
	"    delete: ['seen[1, \"x\"]']\n"
	"reports:\n"
	"  - name: readers\n"
	"    every: every\n"
	"    from: [sizes]\n"
	"    sort: { by: ~T, order: desc }\n"
	"    limit: top\n"
	"    columns:\n"
	"      pid: pid\n"
	"      kb: ~U\n"
	"  - name: sizes_hist\n"
	"    histogram: { of: sizes, kind: linear, min: ^V, max: ^W, step: ^X }\n"
	"  - name: who_hist\n"
	"    histogram: { of: bytes, kind: ~Y }\n"
	"  - name: stacks\n"
	"    from: [stk]\n"
	"    columns: { s: { value: ~Z, type: stack }, n: '@count(stk)' }\n";
static const char *const slot_default[26] = {
	"feature_mix", "Every feature", "-DMAXMAPENTRIES=10240", ">= 7.0, < 7.2", "untested",
	"sshd", "--comm", "200ms", "16", "kernel.function(\"vfs_read\").return", "$return",
	">= 5.0", "execname() . \"/\" . sprint(pid())", "got > 0", "seen[pid(), execname()]",
	"got", "who", "WHO \"x\"", "timer.s(5)", "@sum(sizes)", "@sum(sizes) / 1024", "0",
	"4096", "512", "log2", "sprint_stack(s)",
};

/* The template with each slot filled from the input's lines (after the
 * first byte), or with its default; NULL if that would be too large. */
static char *from_template(const uint8_t *data, size_t size, size_t *len)
{
	const char *line[26] = { 0 };
	size_t linelen[26] = { 0 }, n = 0, start = 1;
	for (size_t i = 1; i <= size && start < size && n < 26; i++)
		if (i == size || data[i] == '\n') {
			line[n] = (const char *)data + start;
			linelen[n++] = i - start;
			start = i + 1;
		}
	strbuf sb = STRBUF_INIT;
	for (const char *t = tmpl; *t; t++) {
		if ((t[0] != '~' && t[0] != '^') || t[1] < 'A' || t[1] > 'Z') {
			sb_putc(&sb, *t);
			continue;
		}
		int quote = *t == '~';
		unsigned k = (unsigned)(*++t - 'A');
		int given = k < n && linelen[k];	/* empty line: the default */
		const char *v = given ? line[k] : slot_default[k];
		size_t vl = given ? linelen[k] : strlen(v);
		if (quote)
			sb_putc(&sb, '\'');
		for (size_t i = 0; i < vl; i++) {
			if (quote && v[i] == '\'')
				sb_putc(&sb, '\'');
			sb_putc(&sb, v[i]);
		}
		if (quote)
			sb_putc(&sb, '\'');
	}
	if (sb.len > MAX_SPEC_BYTES) {
		sb_free(&sb);
		return NULL;
	}
	*len = sb.len;
	return sb.buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > MAX_SPEC_BYTES)	/* gen/main.c refuses these before parsing */
		return 0;
	char *filled = NULL;
	if (size && data[0] < 0x20 && data[0] != '\t' && data[0] != '\n' && data[0] != '\r') {
		size_t len;
		if (!(filled = from_template(data, size, &len)))
			return 0;
		data = (const uint8_t *)filled;
		size = len;
	}
	/* alternate between a versioned release and a portable one */
	const char *kver = size & 1 ? "6.1.0-56-cloud-amd64" : "portable";
	result r1, r2;
	run(data, size, kver, &r1);
	if (getenv("FUZZ_SPEC_VERBOSE"))	/* what an input does, when replaying it */
		fprintf(stderr, "%.*s%s\n%s", (int)size, (const char *)data,
			r1.ok ? "-> generated" : "-> rejected", r1.diag ? r1.diag : "");
	if (!r1.ok && !has_located_error(r1.diag ? r1.diag : "")) {
		fprintf(stderr, "fuzz_spec: failed spec without a located error:\n%s\n",
			r1.diag ? r1.diag : "(nothing)");
		abort();
	}
	const unsigned char *dg = (const unsigned char *)(r1.diag ? r1.diag : "");
	for (size_t i = 0; i < r1.diaglen; i++) {
		unsigned char c = dg[i], c1 = i + 1 < r1.diaglen ? dg[i + 1] : 0,
			      c2 = i + 2 < r1.diaglen ? dg[i + 2] : 0;
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f || (c == 0xc2 && c1 >= 0x80 && c1 <= 0x9f) ||
		    (c == 0xd8 && c1 == 0x9c) ||
		    (c == 0xe2 && c1 == 0x80 && (c2 == 0x8e || c2 == 0x8f || (c2 >= 0xaa && c2 <= 0xae))) ||
		    (c == 0xe2 && c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9)) {
			fprintf(stderr, "fuzz_spec: raw control character at byte %zu of the diagnostics\n", i);
			abort();
		}
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
	free(filled);
	return 0;
}
