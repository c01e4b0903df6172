/* The command's preflight asks only for what the tool needs
 * (tool_needs_of in gen/lower/records.c, once per plan): kprobes and the kernel's DWARF
 * for kernel.function and tapset aliases (a warning when only a fallback
 * point needs them), DWARF for @cast wherever it is, uprobes for process
 * probes, nothing extra for tracepoints and timers; probe points outside
 * the kernel release are left out.  -c CMD only for tools using target(). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "compile/compile.h"

typedef struct compiled {
	arena a;
	char *diag;
	size_t diaglen;
	int rc;
	stapgen_output out;
} compiled;

/* a spec with one probe on ON (YAML), printing VALUE */
static void compile(compiled *c, const char *on, const char *value)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	FILE *f = open_memstream(&c->diag, &c->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *text = arena_printf(&c->a,
				  "tool: t\nsummary: s\nprobes:\n  - on: %s\n"
				  "    emit: { record: r, columns: { n: '%s' } }\n",
				  on, value);
	source *src = source_new(&c->a, "t.yaml", text, strlen(text));
	stapgen_options o = { .kver = "6.1.0-56-cloud-amd64" };
	c->rc = stapgen_compile(&c->a, src, &d, &o, &c->out);
	fclose(f);
	if (c->rc)
		fail_msg("%s", c->diag);
}

static void done(compiled *c)
{
	free(c->diag);
	stapgen_output_free(&c->out);
	arena_free(&c->a);
}

enum { NO, MAYBE, YES };

/* sg_need_X=N in the command: 0 no, 1 needed, 2 only by a fallback */
static int level(const char *cmd, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "%s=", name);
	const char *p = strstr(cmd, key);
	assert_non_null(p);
	int v = p[strlen(key)] - '0';
	return v == 1 ? YES : v == 2 ? MAYBE : NO;
}

static void expect(const char *on, const char *value, int kprobes, int uprobes, int dwarf, bool c_opt)
{
	compiled c;
	compile(&c, on, value);
	const char *cmd = sb_str(&c.out.command);
	assert_int_equal(level(cmd, "sg_need_kprobes"), kprobes);
	assert_int_equal(level(cmd, "sg_need_uprobes"), uprobes);
	assert_int_equal(level(cmd, "sg_need_kdebug"), dwarf);
	/* -p and -c come with target() */
	assert_non_null(strstr(cmd, c_opt ? "sg_target=1" : "sg_target=0"));
	assert_int_equal(strstr(cmd, "  -c 'CMD'") != NULL, c_opt);
	/* every tool runs the runtime's preflight (modules, build tree, stap) */
	assert_non_null(strstr(cmd, "sg_main \"$@\""));
	done(&c);
}

static void test_needs(void **state)
{
	(void)state;
	expect("kernel.trace(\"sched:sched_process_exit\")", "pid()", NO, NO, NO, false);
	expect("timer.profile", "pid()", NO, NO, NO, false);
	expect("kernel.function(\"vfs_read\")", "pid()", YES, NO, YES, false);
	expect("vfs.read", "pid()", YES, NO, YES, false);
	expect("kprobe.function(\"vfs_read\")", "pid()", YES, NO, NO, false);
	/* a kretprobe saves @entry() values without DWARF */
	expect("kprobe.function(\"vfs_read\").return", "@entry(pointer_arg(1))", YES, NO, NO, false);
	expect("[kernel.trace(\"block:block_rq_complete\"), kernel.function(\"blk_mq_end_request\")]",
	       "pid()", MAYBE, NO, MAYBE, false);
	expect("{ each: [kernel.trace(\"block:block_rq_complete\"), kernel.function(\"blk_mq_end_request\")] }",
	       "pid()", YES, NO, YES, false);
	/* @cast reads the kernel's DWARF even in a tracepoint probe */
	expect("kernel.trace(\"sched:sched_process_exit\")",
	       "@cast($p, \"task_struct\", \"kernel\")->pid", NO, NO, YES, false);
	expect("process(\"/bin/true\").function(\"main\")", "pid()", NO, YES, NO, false);
	/* a point for other kernels does not count */
	expect("[{ point: kernel.function(\"vfs_read\"), kernel: \"< 6.0\" }, kernel.trace(\"sched:sched_process_exit\")]",
	       "pid()", NO, NO, NO, false);
	/* a function the script defines counts by its @casts: cmdline_quoted's
	 * types come from the headers, so execve runs without debuginfo */
	expect("kernel.trace(\"sched:sched_process_exec\")", "cmdline_quoted()", NO, NO, NO, false);
	/* target(): -c CMD next to -p PID */
	expect("kernel.trace(\"sched:sched_process_exit\")", "target()", NO, NO, NO, true);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_needs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
