/* Spec loader, checker and .stp emitter, from spec text to script text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_expr.h"
#include "compile/compile.h"
#include "emit/emit.h"
#include "lower/lower.h"
#include "spec/probe_point.h"
#include "spec/spec.h"

typedef struct run {
	arena a;
	char *diag;
	size_t diaglen;
	unsigned errors, warnings;
	const spec *s;
	stapgen_output out;
	strbuf stp;	/* out.stp, moved here */
} run;

/* Compiles `text` as spec "t.yaml", as stapgen does. */
static void compile_opts(run *r, const char *text, const char *kver, bool guru)
{
	memset(r, 0, sizeof *r);
	arena_init(&r->a);
	FILE *f = open_memstream(&r->diag, &r->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *copy = arena_strdup(&r->a, text);
	source *src = source_new(&r->a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = kver ? kver : "6.1.0-56-cloud-amd64", .guru = guru };
	stapgen_compile(&r->a, src, &d, &o, &r->out);
	r->s = r->out.spec;
	r->stp = r->out.stp;
	r->out.stp = (strbuf)STRBUF_INIT;
	fclose(f);
	r->errors = d.errors;
	r->warnings = d.warnings;
}

static void compile(run *r, const char *text, const char *kver)
{
	compile_opts(r, text, kver, false);
}

static void done(run *r)
{
	free(r->diag);
	sb_free(&r->stp);
	stapgen_output_free(&r->out);
	arena_free(&r->a);
}

static const char *const conn_spec =
	"tool: conn\n"
	"summary: accepted connections\n"
	"params:\n"
	"  destport: { type: int, default: 0, help: port, flag: --port }\n"
	"  name: { type: string, default: \"a\\\"b\", help: a name }\n"
	"probes:\n"
	"  - on: kernel.function(\"inet_csk_accept\").return\n"
	"    let:\n"
	"      sk: $return\n"
	"      expensive: inet_get_ip_source(sk)\n"
	"      port: '@cast(sk, \"sock\", \"kernel\")->__sk_common->skc_num'\n"
	"    where:\n"
	"      - sk != 0\n"
	"      - destport == 0 || port == destport\n"
	"    emit:\n"
	"      record: conn\n"
	"      columns:\n"
	"        comm: execname()\n"
	"        src: expensive\n";

static void test_loads_model(void **state)
{
	(void)state;
	run r;
	compile(&r, conn_spec, NULL);
	assert_string_equal(r.diag ? r.diag : "", "");
	assert_int_equal(r.errors, 0);
	assert_non_null(r.s);
	assert_string_equal(r.s->tool, "conn");
	assert_int_equal(r.s->nparams, 2);
	assert_string_equal(r.s->params[0].flag, "--port");
	assert_int_equal(r.s->params[1].type, PT_STRING);
	assert_string_equal(r.s->params[1].sval, "a\"b");
	assert_int_equal(r.s->nprobes, 1);
	assert_int_equal(r.s->probes[0].nlets, 3);
	assert_int_equal(r.s->probes[0].nfilters, 2);
	assert_true(probe_ctx(&r.s->probes[0]) & CTX_RETURN);
	done(&r);
}

/* Filters run before the values they don't need: the expensive source
 * address is computed only after both filters passed. */
static void test_filters_before_expensive_values(void **state)
{
	(void)state;
	run r;
	compile(&r, conn_spec, NULL);
	const char *t = sb_str(&r.stp);
	const char *f1 = strstr(t, "if (sk == 0)");
	const char *port = strstr(t, "port = @cast(");
	const char *f2 = strstr(t, "if (destport != 0 && port != destport)");
	const char *exp = strstr(t, "expensive = inet_get_ip_source(sk)");
	assert_non_null(f1);
	assert_non_null(port);
	assert_non_null(f2);
	assert_non_null(exp);
	assert_true(f1 < port && port < f2 && f2 < exp);
	/* string parameter default is an escaped stap literal */
	assert_non_null(strstr(t, "global name = \"a\\\"b\"\n"));
	assert_non_null(strstr(t, "text_str(execname())"));
	done(&r);
}

/* Emitting a checked spec twice gives the same script (values included). */
static void test_emit_twice(void **state)
{
	(void)state;
	run r;
	compile(&r, conn_spec, NULL);
	record_set rs = records_of(&r.a, r.s);
	emit_opts o = { "6.1.0-56-cloud-amd64", "t.yaml", NULL, r.out.set_id };
	strbuf again = STRBUF_INIT;
	emit_stp(&again, &r.a, plan_build(&r.a, r.s, &rs, o.kver), &o);
	assert_string_equal(sb_str(&again), sb_str(&r.stp));
	assert_non_null(strstr(sb_str(&again), "\tsk = $return\n"));
	sb_free(&again);
	done(&r);
}

static void test_duration_and_report(void **state)
{
	(void)state;
	run r;
	compile(&r,
		"tool: t\nsummary: s\n"
		"params:\n  every: { type: duration, default: 2s, help: h }\n"
		"  n: { type: int, default: 5, help: h }\n"
		"aggregates:\n  a: { key: { comm: string } }\n"
		"probes:\n  - on: timer.profile\n    collect: { 'a[execname()]': 1 }\n"
		"reports:\n  - name: top\n    every: every\n    from: a\n    sort: '@count(a)'\n"
		"    limit: n\n    columns: { comm: comm, hits: '@count(a)' }\n",
		NULL);
	assert_string_equal(r.diag ? r.diag : "", "");
	assert_int_equal(r.s->params[0].ival, 2);
	const char *t = sb_str(&r.stp);
	assert_non_null(strstr(t, "a[execname()] <<< 1\n"));
	assert_non_null(strstr(t, "foreach ([comm] in a @count- limit (n ? n : 0x7fffffffffffffff))\n"));
	assert_non_null(strstr(t, "if (!every || ++_top_ticks < every)\n"));
	assert_non_null(strstr(t, "delete a\n"));
	done(&r);
}

static void test_kernel_alternatives(void **state)
{
	(void)state;
	static const char *const spec_text =
		"tool: t\nsummary: s\n"
		"probes:\n"
		"  - on:\n"
		"      first:\n"
		"      - { point: 'kernel.trace(\"block:block_rq_complete\")', kernel: '< 6.12' }\n"
		"      - kernel.function(\"blk_mq_end_request\")\n"
		"    let:\n"
		"      v:\n"
		"        - { kernel: '>= 4.18, < 6.0', value: '1' }\n"
		"        - '2'\n"
		"    emit: { record: r, columns: { v: v } }\n";
	run r;
	compile(&r, spec_text, "6.1.0-56-cloud-amd64");
	assert_string_equal(r.diag ? r.diag : "", "");
	assert_non_null(strstr(sb_str(&r.stp), "probe kernel.trace(\"block:block_rq_complete\") !,\n"));
	assert_non_null(strstr(sb_str(&r.stp), "\tv = 2\n"));
	done(&r);
	compile(&r, spec_text, "6.12.117+deb12-cloud-amd64");
	assert_null(strstr(sb_str(&r.stp), "kernel.trace"));
	assert_non_null(strstr(sb_str(&r.stp), "probe kernel.function(\"blk_mq_end_request\")\n{"));
	done(&r);
	compile(&r, spec_text, "4.18.0-80.el8.x86_64");
	assert_non_null(strstr(sb_str(&r.stp), "\tv = 1\n"));
	done(&r);
	compile(&r, spec_text, "portable");
	assert_non_null(strstr(sb_str(&r.stp),
			       "%( kernel_v < \"6.12\" %? kernel.trace(\"block:block_rq_complete\") !, %)\n"));
	assert_non_null(strstr(sb_str(&r.stp), "v = %( kernel_v >= \"4.18\" && kernel_v < \"6.0\" %?"));
	done(&r);
}

/* Spec text reaches the script only through checked, escaped paths. */
static void test_injection_refused(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "tool: t\nsummary: \"x\\nprobe begin { system(\\\"id\\\") }\"\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
		  "'summary' must be one line" },
		{ "tool: t\nsummary: s\nparams:\n  p: { default: 1, help: \"h\\n%{ evil %}\" }\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
		  "'help' must be one line" },
		{ "tool: \"t; probe begin\"\nsummary: s\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
		  "is not a valid name" },
		{ "tool: t\nsummary: s\nprobes: [{on: 'begin { system(\"id\") }', emit: {record: r, columns: {a: '1'}}}]\n",
		  "unexpected character in probe point" },
		{ "tool: t\nsummary: s\nprobes: [{on: begin, emit: {record: \"r\\\\t%s\", columns: {a: '1'}}}]\n",
		  "is not a valid name" },
		{ "tool: t\nsummary: s\nprobes: [{on: begin, emit: {record: r, columns: {\"a) system(1\": '1'}}}]\n",
		  "is not a valid name" },
		{ "tool: t\nsummary: s\nstap_options: ['-DX=1 -g']\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
		  "is not allowed" },
		{ "tool: t\nsummary: s\nprobes: [{on: begin, emit: {record: r, columns: {a: 'system(\"id\")'}}}]\n",
		  "needs guru mode" },
		{ "tool: t\nsummary: s\nkernels: { unsupported: [{range: '< 3', reason: \"x\\ny\"}] }\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
		  "'reason' must be one line" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		run r;
		compile(&r, cases[i][0], NULL);
		if (!r.diag || !strstr(r.diag, cases[i][1]))
			fail_msg("case %zu: expected '%s' in:\n%s", i, cases[i][1], r.diag ? r.diag : "");
		assert_true(r.errors > 0);
		assert_int_equal(r.stp.len, 0);
		done(&r);
	}
}

/* stap_options: the protections' off switches only in guru specs; every
 * known limit in its range. */
static void test_stap_options(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "-DSTP_NO_OVERLOAD", "only -DNAME=NUMBER" },
		{ "-DSTP_NO_OVERLOAD=1", "only a guru spec" },
		{ "-DSTAP_NO_OVERLOAD=1", "only a guru spec" },
		{ "-DMAXACTION=12345678901234567890123456", "between 1 and 1000000" },
		{ "-DMAXACTION=1000001", "between 1 and 1000000" },
		{ "-DMAXACTION=0100", "leading zero" },
		{ "-DMAXACTON=100", "did you mean 'MAXACTION'" },
		{ "-DMAXACTION=", "only -DNAME=NUMBER" },
		{ "-D MAXACTION=1", "only -DNAME=NUMBER" },
		{ "-DMAXACTION=1x", "only -DNAME=NUMBER" },
		{ "-DMAXACTION=-1", "only -DNAME=NUMBER" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char text[512];
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\nstap_options: ['%s']\nprobes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n",
			 cases[i][0]);
		run r;
		compile(&r, text, NULL);
		if (!r.diag || !strstr(r.diag, cases[i][1]))
			fail_msg("%s: expected '%s' in:\n%s", cases[i][0], cases[i][1], r.diag ? r.diag : "");
		assert_int_equal(r.errors, 1);
		done(&r);
	}
	run r;
	compile_opts(&r, "tool: t\nsummary: s\nguru: true\nstap_options: [-DSTP_NO_OVERLOAD=1, -DMAXACTION=1000000, "
		    "-DMAXMAPENTRIES=1048576, -DMINSTACKSPACE=1024]\n"
		    "probes: [{on: begin, emit: {record: r, columns: {a: '1'}}}]\n", NULL, true);
	assert_int_equal(r.errors, 0);
	assert_int_equal(r.s->nstap_options, 4);
	done(&r);
}

/* A string literal cannot break out: quotes, backslashes, newlines and
 * stap's %{ embedded-C markers stay inside the literal. */
static void test_string_literal_escaped(void **state)
{
	(void)state;
	run r;
	compile(&r,
		"tool: t\nsummary: s\nprobes:\n"
		"  - on: kernel.function(\"vfs_read\")\n"
		"    where: 'execname() == \"a\\\" %{ x %} \\n\"'\n"
		"    emit: { record: r, columns: { a: '1' } }\n",
		NULL);
	assert_string_equal(r.diag ? r.diag : "", "");
	const char *t = sb_str(&r.stp);
	const char *w = strstr(t, "if (execname() != \"");
	assert_non_null(w);
	/* the literal ends where the spec's string ended: at the closing quote */
	assert_non_null(strstr(w, "a\\\" %{ x %} \\n\")\n"));
	done(&r);
}

static void test_all_errors_reported(void **state)
{
	(void)state;
	run r;
	compile(&r,
		"tool: t\nsummary: s\nprobes:\n"
		"  - on: kernel.function(\"vfs_read\")\n"
		"    where: [ 'execnmae() == \"x\"', 'pidd() > 1', 'nosuch > 0' ]\n"
		"    emit: { record: r, columns: { a: '1' } }\n",
		NULL);
	assert_int_equal(r.errors, 3);
	assert_non_null(strstr(r.diag, "t.yaml:5:15: error: unknown function 'execnmae'; did you mean 'execname'?"));
	assert_non_null(strstr(r.diag, "t.yaml:5:36: error: unknown function 'pidd'; did you mean 'pid'?"));
	assert_non_null(strstr(r.diag, "t.yaml:5:50: error: unknown name 'nosuch'"));
	done(&r);
}

/* Item 1: @param(NAME) in a probe point is stap's positional argument,
 * with the default in the script; no value can leave the string. */
static void test_point_param(void **state)
{
	(void)state;
	const char *why;
	assert_int_equal(probe_point_validate("kernel.function(@param(p)).call", 31, &why), 0);
	assert_int_not_equal(probe_point_validate("kernel.function(@param(p).call", 30, &why), 0);
	assert_int_not_equal(probe_point_validate("kernel.function(@param(1x))", 27, &why), 0);
	const char *name;
	size_t nl;
	assert_null(probe_point_param("kernel.function(\"@param(x)\")", &name, &nl));
	assert_non_null(probe_point_param("process(\"/a\").function(@param(fn))", &name, &nl));
	assert_int_equal(nl, 2);
	assert_null(probe_point_param_value_bad("tcp_*@net/ipv4/tcp.c:10"));
	assert_non_null(probe_point_param_value_bad(""));
	assert_non_null(probe_point_param_value_bad("a\")"));
	assert_non_null(probe_point_param_value_bad("a b"));
	assert_non_null(probe_point_param_value_bad("a$(id)"));
	run r;
	compile(&r,
		"tool: t\nsummary: s\nparams:\n"
		"  fn: { type: string, default: 'vfs_*', help: h, flag: --fn }\n"
		"  exe: { type: string, required: true, help: h }\n"
		"probes:\n"
		"  - on: process(@param(exe)).function(@param(fn))\n"
		"    emit: { record: r, columns: { f: ppfunc(), p: fn } }\n",
		NULL);
	assert_int_equal(r.errors, 0);
	assert_non_null(strstr(sb_str(&r.stp),
			       "probe process(@2).function(%( $# >= 1 %? @1 %: \"vfs_*\" %))\n"));
	assert_non_null(strstr(sb_str(&r.stp), "global fn = %( $# >= 1 %? @1 %: \"vfs_*\" %)"));
	assert_null(strstr(sb_str(&r.stp), "is required"));	/* stap refuses a missing @2 */
	done(&r);
}

/* Item 3: statistics read in probes are guarded against an empty
 * aggregate in the lowering pass, except after the probe's own collect
 * into the same element (whose key reads no map). */
static void test_probe_stats_guard(void **state)
{
	(void)state;
	run r;
	compile(&r,
		"tool: t\nsummary: s\nstate:\n  start: { key: [long], value: long }\n"
		"aggregates:\n  lat: { key: [long] }\n"
		"probes:\n  - on: kernel.function(\"f\")\n"
		"    where: '@avg(lat[pid()]) < 1000'\n"
		"    store: { 'start[tid()]': pid() }\n"
		"    collect: { 'lat[pid()]': 1, 'lat[start[tid()]]': 2 }\n"
		"    emit: { record: r, columns: { a: '@avg(lat[pid()])', b: '@max(lat[start[tid()]])' } }\n",
		NULL);
	assert_int_equal(r.errors, 0);
	const char *t = sb_str(&r.stp);
	assert_non_null(strstr(t, "\tif ((@count(lat[pid()]) ? @avg(lat[pid()]) : 0) >= 1000)\n\t\tnext\n"));
	assert_non_null(strstr(t, "\t\t@avg(lat[pid()]),\n"));
	assert_non_null(strstr(t, "@count(lat[start[tid()]]) ? @max(lat[start[tid()]]) : 0"));
	done(&r);
}

/* @entry() works in a kretprobe (kprobe.function("f").return) as in a
 * DWARF .return: a headers-only alternative times its call with it. */
static void test_entry_in_kretprobe(void **state)
{
	(void)state;
	run r;
	compile(&r,
		"tool: t\nsummary: s\n"
		"probes:\n  - on:\n      first:\n"
		"        - { point: 'kprobe.function(\"vfs_read\").return', let: { n: returnval() } }\n"
		"        - { point: vfs.read.return, let: { n: ret } }\n"
		"    let: { us: 'gettimeofday_us() - @entry(gettimeofday_us())' }\n"
		"    emit: { record: r, columns: { n: n, us: us } }\n",
		NULL);
	assert_string_equal(r.diag ? r.diag : "", "");
	assert_true(probe_ctx(&r.s->probes[0]) & CTX_ENTRY);
	assert_false(probe_ctx(&r.s->probes[0]) & CTX_RETURN);	/* no $return in a kprobe */
	assert_non_null(strstr(sb_str(&r.stp), "us = gettimeofday_us() - @entry(gettimeofday_us())\n"));
	done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loads_model),
		cmocka_unit_test(test_filters_before_expensive_values),
		cmocka_unit_test(test_emit_twice),
		cmocka_unit_test(test_duration_and_report),
		cmocka_unit_test(test_kernel_alternatives),
		cmocka_unit_test(test_injection_refused),
		cmocka_unit_test(test_stap_options),
		cmocka_unit_test(test_string_literal_escaped),
		cmocka_unit_test(test_all_errors_reported),
		cmocka_unit_test(test_point_param),
		cmocka_unit_test(test_probe_stats_guard),
		cmocka_unit_test(test_entry_in_kretprobe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
