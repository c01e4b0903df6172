/* The plan (gen/lower/plan.h), built once per spec and kernel: the probe
 * points chosen for the kernel, the needs and stap flags that follow from
 * them, the timers and clears of the periodic reports, the refused
 * kernels; and TOOL.flags, the sidecar scripts read instead of the .stp's
 * header comment. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"
#include "emit/emit.h"
#include "lower/plan.h"

typedef struct compiled {
	arena a;
	char *diag;
	size_t diaglen;
	stapgen_output out;
	const tool_plan *pl;
} compiled;

static void compile(compiled *c, const char *text, const char *kver)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	FILE *f = open_memstream(&c->diag, &c->diaglen);
	diag_sink d;
	diag_init(&d, f);
	source *src = source_new(&c->a, "t.yaml", text, strlen(text));
	stapgen_options o = { .kver = kver, .guru = true };
	int rc = stapgen_compile(&c->a, src, &d, &o, &c->out);
	fclose(f);
	if (rc)
		fail_msg("%s", c->diag);
	record_set *rs = arena_alloc(&c->a, sizeof *rs);
	*rs = records_of(&c->a, c->out.spec);
	c->pl = plan_build(&c->a, c->out.spec, rs, kver);
}

static void done(compiled *c)
{
	free(c->diag);
	stapgen_output_free(&c->out);
	arena_free(&c->a);
}

static const char points_spec[] =
	"tool: t\nsummary: s\n"
	"probes:\n  - on:\n      first:\n"
	"        - { point: 'kernel.function(\"vfs_read\")', kernel: '< 6.0' }\n"
	"        - 'kernel.trace(\"sched:sched_process_exit\")'\n"
	"    emit: { record: r, columns: { n: 'pid()' } }\n";

/* A point for other kernels is off, and the needs leave it out; a portable
 * script keeps every point, and a fallback's DWARF is only a maybe. */
static void test_points_for_kernel(void **state)
{
	(void)state;
	compiled c;
	compile(&c, points_spec, "6.1.0-56-cloud-amd64");
	const lprobe *lp = &c.pl->lw->probes[0];
	assert_false(c.pl->lw->portable);
	assert_false(lp->point_on[0]);
	assert_true(lp->point_on[1]);
	assert_int_equal(c.pl->needs.kdebug, NEED_NO);
	assert_int_equal(c.pl->needs.kprobes, NEED_NO);
	assert_null(strstr(sb_str(&c.out.stp), "vfs_read"));
	done(&c);
	compile(&c, points_spec, "5.10.0-30-amd64");
	assert_true(c.pl->lw->probes[0].point_on[0]);
	assert_int_equal(c.pl->needs.kdebug, NEED_MAYBE);
	done(&c);
	compile(&c, points_spec, "portable");
	assert_true(c.pl->lw->portable);
	assert_true(c.pl->lw->probes[0].point_on[0]);
	assert_true(c.pl->lw->probes[0].point_on[1]);
	assert_int_equal(c.pl->needs.kdebug, NEED_MAYBE);
	done(&c);
}

static const char reports_spec[] =
	"tool: t\nsummary: s\n"
	"params:\n  interval: { type: duration, default: 2s, help: h }\n"
	"aggregates:\n  a: { key: { pid: long } }\n  b: { key: { pid: long } }\n"
	"probes:\n  - on: 'kernel.trace(\"sched:sched_process_exit\")'\n"
	"    collect:\n      a[pid()]: 1\n      b[pid()]: 2\n"
	"reports:\n"
	"  - { name: r1, every: 1s, from: [a], columns: { pid: { value: pid }, n: { value: '@count(a)' } } }\n"
	"  - { name: r2, every: interval, from: [b], columns: { pid: { value: pid }, n: { value: '@count(b)' } } }\n"
	"  - { name: r3, every: 1s, from: [a], columns: { pid: { value: pid }, n: { value: '@sum(a)' } } }\n"
	"  - { name: r4, from: [b], columns: { pid: { value: pid }, n: { value: '@sum(b)' } } }\n";

/* One timer per period, in the order of its first report, running its
 * reports in spec order; the last report of a trigger to read an
 * aggregate clears it; an end-only report has no timer and clears nothing. */
static void test_timers_and_clears(void **state)
{
	(void)state;
	compiled c;
	compile(&c, reports_spec, "6.1.0-56-cloud-amd64");
	const lowered *lw = c.pl->lw;
	assert_int_equal(lw->ntimers, 2);
	assert_int_equal(lw->timers[0].every_lit, 1000);
	assert_null(lw->timers[0].every_param);
	assert_int_equal(lw->timers[0].nreports, 2);
	assert_ptr_equal(lw->timers[0].reports[0], &lw->reports[0]);
	assert_ptr_equal(lw->timers[0].reports[1], &lw->reports[2]);
	assert_non_null(lw->timers[1].every_param);
	assert_string_equal(lw->timers[1].first->name, "r2");
	assert_ptr_equal(lw->reports[1].timer, &lw->timers[1]);
	assert_null(lw->reports[3].timer);
	assert_int_equal(lw->reports[0].nclears, 0);	/* r3 reads a after it */
	assert_int_equal(lw->reports[2].nclears, 1);
	assert_string_equal(lw->reports[2].clears[0], "a");
	assert_int_equal(lw->reports[1].nclears, 1);	/* r4 runs at the end only */
	assert_int_equal(lw->reports[3].nclears, 0);
	const char *stp = sb_str(&c.out.stp);
	assert_non_null(strstr(stp, "probe timer.s(1)\n{\n\t_report_r1()\n\t_report_r3()\n}\n"));
	assert_non_null(strstr(stp, "\t_r2_ticks = 0\n\t_report_r2()\n}\n"));
	assert_non_null(strstr(stp, "global _r2_ticks\n"));
	done(&c);
}

/* The sidecar: the stap options (-g for a guru spec), the debuginfo need
 * with its reason, nothing of a refused kernel. */
static void test_flags_sidecar(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\nguru: true\nstap_options: [-DMAXMAPENTRIES=16384]\n"
		"probes:\n  - on: 'kernel.function(\"vfs_read\")'\n"
		"    emit: { record: r, columns: { n: 'pid()', s: 'symname(addr())' } }\n",
		"6.1.0-56-cloud-amd64");
	const char *f = sb_str(&c.out.flags);
	assert_non_null(strstr(f, "tool=t\n"));
	assert_non_null(strstr(f, "\nstap_flags=-DMAXMAPENTRIES=16384 -d kernel -g\n"));
	assert_non_null(strstr(f, "\nguru=1\n"));
	assert_non_null(strstr(f, "\ndebuginfo=needed\ndebuginfo_why="));
	assert_non_null(strstr(f, "\ndebuginfo_at=t.yaml:6\n"));
	assert_non_null(strstr(f, "\nkprobes=yes\n"));
	assert_int_equal(c.pl->nstap_flags, 3);
	/* the header, for people, says the same */
	assert_non_null(strstr(sb_str(&c.out.stp), "# Run with: -DMAXMAPENTRIES=16384 -d kernel\n"));
	done(&c);
	compile(&c,
		"tool: t\nsummary: s\n"
		"kernels:\n  unsupported:\n    - { range: '< 5.0', reason: too old }\n"
		"probes:\n  - on: 'kernel.trace(\"sched:sched_process_exit\")'\n"
		"    emit: { record: r, columns: { n: 'pid()' } }\n",
		"4.19.0-27-amd64");
	assert_non_null(c.pl->unsupported);
	assert_ptr_equal(c.out.unsupported, c.pl->unsupported);
	assert_int_equal(c.out.flags.len, 0);
	done(&c);
}

/* Each parameter's default is decided once, in the plan, and every output
 * prints that one text its own way: stap, the command's --help, the doc. */
static void test_param_defaults(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\n"
		"params:\n"
		"  name: { type: string, default: 'a\"b', help: h }\n"
		"  port: { type: int, default: 8080, help: h }\n"
		"  wait: { type: duration, default: 250ms, unit: ms, help: h }\n"
		"  verbose: { type: switch, flag: -v, help: h }\n"
		"  who: { type: string, required: true, help: h }\n"
		"probes:\n  - on: 'kernel.trace(\"sched:sched_process_exit\")'\n"
		"    where: 'execname() == name && pid() != port && verbose + wait > 0 && who != \"\"'\n"
		"    emit: { record: r, columns: { n: 'pid()' } }\n",
		"6.1.0-56-cloud-amd64");
	const spec *s = c.out.spec;
	assert_int_equal(s->nparams, 5);
	const char *want[] = { "a\"b", "8080", "250", "0", NULL };
	for (unsigned i = 0; i < 5; i++) {
		const plan_param *pp = plan_param_of(c.pl, &s->params[i]);
		assert_ptr_equal(pp->p, &s->params[i]);
		if (!want[i])
			assert_null(pp->def);
		else
			assert_string_equal(pp->def, want[i]);
		assert_int_equal(pp->str, s->params[i].type == PT_STRING);
	}
	const char *stp = sb_str(&c.out.stp);
	assert_non_null(strstr(stp, "global name = \"a\\\"b\"\n"));
	assert_non_null(strstr(stp, "global port = 8080\n"));
	assert_non_null(strstr(stp, "global wait = 250\n"));
	const char *cmd = sb_str(&c.out.command);
	assert_non_null(strstr(cmd, "(default: \"a\\\"b\")"));
	assert_non_null(strstr(cmd, "(default: 8080)"));
	assert_non_null(strstr(cmd, " (required)"));
	const char *doc = sb_str(&c.out.doc);
	assert_non_null(strstr(doc, "| `-G` | `port` | 8080 |"));
	assert_non_null(strstr(doc, "| `-G` | `wait` | 250 ms |"));
	assert_non_null(strstr(doc, "| `-v` | `verbose` | off |"));
	assert_non_null(strstr(doc, "| `-G` | `who` | required |"));
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_points_for_kernel),
		cmocka_unit_test(test_timers_and_clears),
		cmocka_unit_test(test_flags_sidecar),
		cmocka_unit_test(test_param_defaults),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
