/* Tapset facts (gen/tables/tapset_facts.def): warnings for constructs known
 * to break on the kernel a spec is generated for; alias_vars: declarations;
 * the alias variables published in the doc page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/tapset_facts.h"
#include "compile/compile.h"
#include "spec/kver.h"

typedef struct compiled {
	arena a;
	char *diag;
	size_t diaglen;
	int rc;
	stapgen_output out;
} compiled;

static void compile_for(compiled *c, const char *text, const char *kver, const char *stap)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	FILE *f = open_memstream(&c->diag, &c->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *copy = arena_strdup(&c->a, text);
	source *src = source_new(&c->a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = kver, .stap_version = stap };
	c->rc = stapgen_compile(&c->a, src, &d, &o, &c->out);
	fclose(f);
}

static void compile(compiled *c, const char *text, const char *kver)
{
	compile_for(c, text, kver, NULL);
}

static void done(compiled *c)
{
	free(c->diag);
	stapgen_output_free(&c->out);
	arena_free(&c->a);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

static const char *const facts_spec =
	"tool: t\nsummary: s\n"
	"stap_options: [-DMAXSTRINGLEN=4096]\n"
	"probes:\n"
	"  - on: ioblock.request\n"
	"    emit: { record: r, columns: { dev: { value: devname, type: string } } }\n"
	"  - on: { first: [{ point: netdev.receive, kernel: '< 6.12' }, kernel.function(\"__netif_receive_skb_core\")] }\n"
	"    emit: { record: n, columns: { len: $skb->len } }\n"
	"  - on: netdev.receive\n"
	"    emit: { record: m, columns: { len: { value: length, type: long } } }\n";

static void test_facts_by_kernel(void **state)
{
	(void)state;
	compiled c;
	compile(&c, facts_spec, "6.1.0-56-cloud-amd64");	/* none applies */
	assert_int_equal(c.rc, 0);
	assert_string_equal(c.diag, "");
	done(&c);
	compile(&c, facts_spec, "6.12.117+deb12-cloud-amd64");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 3);
	assert_int_equal(count(c.diag, "  hint: evidence: "), 3);
	assert_non_null(strstr(c.diag, "t.yaml:3:16: warning: 'MAXSTRINGLEN>2000' is known to break on kernels >= 6.12, such as 6.12.117+deb12-cloud-amd64: "));
	assert_non_null(strstr(c.diag, "t.yaml:6:49: warning: 'devname' is known to break on kernels >= 6.10"));
	/* the fallback limited to < 6.12 is not generated for 6.12 */
	assert_null(strstr(c.diag, "t.yaml:7:"));
	assert_non_null(strstr(c.diag, "t.yaml:9:9: warning: 'netdev.receive' is known to break"));
	done(&c);
	compile(&c, facts_spec, "6.10.0");
	assert_int_equal(count(c.diag, ": warning: "), 1);	/* devname only */
	done(&c);
	compile(&c, facts_spec, "portable");	/* may run anywhere */
	assert_int_equal(count(c.diag, ": warning: "), 3);
	assert_non_null(strstr(c.diag, "where a portable script may run"));
	assert_null(strstr(c.diag, "t.yaml:7:"));	/* %( kernel_v < 6.12 %) */
	done(&c);
	/* -DMAXSTRINGLEN=2000 is what sample_bt uses on 6.12: no warning */
	compile(&c, "tool: t\nsummary: s\nstap_options: [-DMAXSTRINGLEN=2000]\n"
		    "probes: [{ on: begin, emit: { record: r, columns: { a: '1' } } }]\n",
		    "6.12.117+deb12-cloud-amd64");
	assert_string_equal(c.diag, "");
	done(&c);
}

/* Every fact names a kernel range that parses, what breaks and evidence. */
static void test_facts_table(void **state)
{
	(void)state;
	assert_true(n_tapset_facts >= 4);
	for (unsigned i = 0; i < n_tapset_facts; i++) {
		const tapset_fact *f = &tapset_facts[i];
		kver_range r;
		if (f->kernels[0])
			assert_true(kver_range_parse(f->kernels, &r));
		else
			assert_int_equal(f->kind, FACT_HANDLED);
		assert_true(strlen(f->construct) > 0);
		assert_true(strlen(f->breaks) > 20);
		assert_true(strlen(f->evidence) > 20);
		if (f->kind == FACT_DEFINE)
			assert_non_null(strchr(f->construct, '>'));
		if (f->stap[0])
			assert_true(kver_range_parse(f->stap, &r));
		assert_non_null(f->instead);
		const char *sp = strrchr(f->construct, ' ');
		if (f->kind == FACT_TARGET_VAR)
			assert_true(sp && sp[1] == '$' && sp[2]);
		if (f->kind == FACT_ENTRY)
			assert_true(sp && !strcmp(sp, " @entry"));
		if (f->kind == FACT_MEMBER) {
			assert_null(sp);
			const char *arrow = strstr(f->construct, "->");
			assert_true(arrow && arrow > f->construct && arrow[2]);
		}
		if (f->kind != FACT_HANDLED)	/* a warning says what to write instead */
			assert_true(strlen(f->instead) > 10);
	}
}

/* Points as written against a fact's: component by component, '*' on either
 * side within one component, stap's markers aside, the subsystem of a
 * tracepoint optional. */
static void test_fact_point_match(void **state)
{
	(void)state;
	assert_true(fact_point_match("netdev.receive", "netdev.receive"));
	assert_true(fact_point_match("netdev.receive?", "netdev.receive"));
	assert_true(fact_point_match("netdev.receive !", "netdev.receive"));
	assert_false(fact_point_match("netdev.receive.return", "netdev.receive"));
	assert_false(fact_point_match("netdev.receiver", "netdev.receive"));
	assert_true(fact_point_match("nfsd.proc.*", "nfsd.proc.lookup"));
	assert_false(fact_point_match("nfsd.proc.*", "nfsd.proc.lookup.return"));
	assert_true(fact_point_match("nfsd.proc.*.return", "nfsd.proc.lookup.return"));
	assert_true(fact_point_match("nfsd.proc2.read", "nfsd.proc2.*"));
	assert_true(fact_point_match("nfsd.proc*.read", "nfsd.proc2.*"));
	assert_false(fact_point_match("nfsd.proc3.read", "nfsd.proc2.*"));
	assert_true(fact_point_match("syscall.openat.return", "syscall.*.return"));
	assert_false(fact_point_match("nd_syscall.openat.return", "syscall.*.return"));
	assert_false(fact_point_match("syscall.openat", "syscall.*.return"));
	assert_true(fact_point_match("kernel.trace(\"sched:sched_wakeup\")", "kernel.trace(\"sched_wakeup\")"));
	assert_true(fact_point_match("kernel.trace(\"sched_wakeup\")", "kernel.trace(\"sched_wakeup\")"));
	assert_true(fact_point_match("kernel.trace(\"sched:*\")", "kernel.trace(\"sched_wakeup\")"));
	assert_false(fact_point_match("kernel.trace(\"sched:sched_wakeup_new\")", "kernel.trace(\"sched_wakeup\")"));
	/* dots inside an argument do not split */
	assert_true(fact_point_match("module(\"a.b\").function(\"f\")", "module(\"a.b\").function(\"f\")"));
	assert_false(fact_point_match("module(\"a.b\").function(\"f\")", "module(\"a\").b.function(\"f\")"));
}

/* The facts found by stap -p2 on 5.10 and 6.1 (issue 18): each warns at its
 * spec line, for its kernels and its stap releases, with what to write
 * instead; the portable spellings do not warn. */
static const char *const kmem_spec =
	"tool: t\nsummary: s\n"
	"probes:\n"
	"  - on: vm.kmem_cache_alloc\n"
	"    emit: { record: r, columns: { req: { value: bytes_req, type: long }, a: { value: bytes_alloc, type: long } } }\n"
	"  - on: vm.kmalloc\n"	/* its tracepoint still has them */
	"    emit: { record: k, columns: { req: { value: bytes_req, type: long } } }\n";

static void test_fact_kmem_cache_alloc(void **state)
{
	(void)state;
	compiled c;
	compile_for(&c, kmem_spec, "6.1.0-57-cloud-amd64", "4.8");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 2);
	assert_non_null(strstr(c.diag, "t.yaml:5:49: warning: 'vm.kmem_cache_alloc bytes_req' is known to break on kernels >= 6.1 with stap < 5.1, such as 6.1.0-57-cloud-amd64 with stap 4.8: "));
	assert_non_null(strstr(c.diag, "t.yaml:5:86: warning: 'vm.kmem_cache_alloc bytes_alloc' is known to break"));
	assert_non_null(strstr(c.diag, "  hint: instead: stap 5.1 or later"));
	assert_null(strstr(c.diag, "t.yaml:7:"));
	done(&c);
	compile_for(&c, kmem_spec, "5.10.0-32-cloud-amd64", "4.8");
	assert_string_equal(c.diag, "");
	done(&c);
	compile_for(&c, kmem_spec, "6.1.0-57-cloud-amd64", "5.6");	/* its tapset reads $s */
	assert_string_equal(c.diag, "");
	done(&c);
	compile_for(&c, kmem_spec, "6.1.0-57-cloud-amd64", NULL);	/* no stap known: no stap fact */
	assert_string_equal(c.diag, "");
	done(&c);
	compile_for(&c, kmem_spec, "portable", "4.8");
	assert_int_equal(count(c.diag, ": warning: "), 2);
	assert_non_null(strstr(c.diag, "with stap < 5.1, where a portable script may run (with stap 4.8): "));
	done(&c);
}

static const char *const nfsd_spec =
	"tool: t\nsummary: s\n"
	"probes:\n"
	"  - on: nfsd.proc.lookup\n"
	"    emit: { record: a, columns: { v: { value: version, type: long } } }\n"
	"  - on: nfsd.proc.*\n"	/* lookup, read ... all say it: once */
	"    emit: { record: b, columns: { v: '1' } }\n"
	"  - on: nfsd.proc.commit\n"	/* NFSv2 has no commit */
	"    emit: { record: c, columns: { v: '1' } }\n"
	"  - on: nfsd.proc2.read.return\n"
	"    emit: { record: d, columns: { v: '1' } }\n"
	"  - on: { each: [nfsd.proc3.read, nfsd.proc4.read] }\n"
	"    emit: { record: e, columns: { v: '1' } }\n";

static void test_fact_nfsd_v2(void **state)
{
	(void)state;
	compiled c;
	compile_for(&c, nfsd_spec, "6.1.0-57-cloud-amd64", "4.8");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 3);
	assert_non_null(strstr(c.diag, "t.yaml:4:9: warning: 'nfsd.proc.lookup' is known to break on kernels >= 6.1 with stap < 4.9, such as 6.1.0-57-cloud-amd64 with stap 4.8: "));
	assert_non_null(strstr(c.diag, "  hint: instead: nfsd.proc3.lookup and nfsd.proc4.lookup (NFSv3, NFSv4), or stap 4.9 or later"));
	assert_non_null(strstr(c.diag, "t.yaml:6:9: warning: 'nfsd.proc.lookup', which 'nfsd.proc.*' includes, is known to break"));
	assert_non_null(strstr(c.diag, "t.yaml:10:9: warning: 'nfsd.proc2.read.return' is known to break on kernels >= 6.1, such as 6.1.0-57-cloud-amd64: "));
	done(&c);
	compile_for(&c, nfsd_spec, "6.1.0-57-cloud-amd64", "5.6");	/* NFSv2 optional */
	assert_int_equal(count(c.diag, ": warning: "), 1);
	assert_non_null(strstr(c.diag, "t.yaml:10:9: warning: 'nfsd.proc2.read.return'"));
	done(&c);
	compile_for(&c, nfsd_spec, "5.10.0-32-cloud-amd64", "4.8");
	assert_string_equal(c.diag, "");
	done(&c);
}

static const char *const entry_spec =
	"tool: t\nsummary: s\n"
	"probes:\n"
	"  - on: syscall.compat_nanosleep.return\n"
	"    emit: { record: a, columns: { us: 'gettimeofday_us() - @entry(gettimeofday_us())' } }\n"
	"  - on: syscall.read.return\n"
	"    emit: { record: b, columns: { us: 'gettimeofday_us() - @entry(gettimeofday_us())' } }\n"
	"  - on: nd_syscall.read.return\n"
	"    emit: { record: c, columns: { us: 'gettimeofday_us() - @entry(gettimeofday_us())' } }\n"
	"  - on: syscall.compat_nanosleep.return\n"
	"    emit: { record: d, columns: { r: { value: retval, type: long } } }\n";

static void test_fact_entry(void **state)
{
	(void)state;
	compiled c;
	compile_for(&c, entry_spec, "6.1.0-57-cloud-amd64", "4.8");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 1);
	assert_non_null(strstr(c.diag, "t.yaml:5:60: warning: 'syscall.compat_nanosleep.return @entry' is known to break on kernels >= 5.10 with stap < 5.6, such as 6.1.0-57-cloud-amd64 with stap 4.8: "));
	assert_non_null(strstr(c.diag, "\n      emit: { record: a, columns: { us: 'gettimeofday_us() - @entry(gettimeofday_us())' } }\n"
				       "                                                             ^~~~~~\n"));
	assert_non_null(strstr(c.diag, "  hint: instead: kprobe.function(\"__ia32_sys_nanosleep_time32\").return"));
	done(&c);
	/* stap 5.6: every syscall.*.return is the sys_exit tracepoint; one
	 * warning each, the compat fact's own stap range ends there */
	compile_for(&c, entry_spec, "6.1.0-57-cloud-amd64", "5.6");
	assert_int_equal(count(c.diag, ": warning: "), 2);
	assert_non_null(strstr(c.diag, "t.yaml:5:60: warning: 'syscall.*.return @entry' is known to break on kernels >= 5.10 with stap >= 5.6, such as 6.1.0-57-cloud-amd64 with stap 5.6: "));
	assert_non_null(strstr(c.diag, "t.yaml:7:60: warning: 'syscall.*.return @entry'"));
	assert_non_null(strstr(c.diag, "  hint: instead: nd_syscall.NAME.return"));
	done(&c);
}

static const char *const wakeup_spec =
	"tool: t\nsummary: s\n"
	"probes:\n"
	"  - on: kernel.trace(\"sched:sched_wakeup\")\n"
	"    emit: { record: a, columns: { ok: $success } }\n"
	"  - on: scheduler.wakeup\n"
	"    emit: { record: b, columns: { ok: $success } }\n"
	"  - on: kernel.trace(\"sched_wakeup\")\n"	/* guarded: no warning */
	"    emit: { record: c, columns: { ok: '@defined($success) ? $success : 1', p: $p->pid } }\n"
	"  - on: kernel.trace(\"sched_switch\")\n"	/* another point's $success is not this fact */
	"    emit: { record: d, columns: { ok: $success } }\n"
	"  - on:\n"	/* a point's own binding belongs to that point */
	"      first:\n"
	"        - point: kernel.trace(\"sched_waking\")\n"
	"          let: { ok: $success }\n"
	"        - point: kernel.trace(\"sched_wakeup\")\n"
	"          let: { ok: '1' }\n"
	"    emit: { record: e, columns: { ok: ok, v: '@choose_defined($success, 0)' } }\n";

static void test_fact_sched_wakeup_success(void **state)
{
	(void)state;
	compiled c;
	compile_for(&c, wakeup_spec, "5.10.0-32-cloud-amd64", "4.8");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 2);
	assert_non_null(strstr(c.diag, "t.yaml:5:39: warning: 'kernel.trace(\"sched_wakeup\") $success' is known to break on kernels >= 5.10, such as 5.10.0-32-cloud-amd64: "));
	assert_non_null(strstr(c.diag, "t.yaml:7:39: warning: 'scheduler.wakeup $success' is known to break"));
	assert_non_null(strstr(c.diag, "^~~~~~~~\n  hint: instead: 1 (every wakeup it reports succeeded)"));
	done(&c);
	compile_for(&c, wakeup_spec, "7.2.13+deb14-cloud-amd64", "5.6");	/* the kernel's doing */
	assert_int_equal(count(c.diag, ": warning: "), 2);
	done(&c);
}

static const char *const state_spec =
	"tool: t\nsummary: s\n"
	"probes:\n"
	"  - on: kernel.function(\"schedule\")\n"
	"    emit: { record: a, columns: { st: '@cast(task_current(), \"task_struct\", \"kernel\")->state' } }\n"
	"  - on:\n"
	"      first:\n"
	"        - point: kernel.trace(\"sched:sched_switch\")\n"
	"          let: { st: '@cast($prev, \"struct task_struct\", \"kernel<linux/sched.h>\")->state' }\n"
	"        - point: kernel.function(\"finish_task_switch\")\n"
	"          let: { st: '0' }\n"
	"    emit: { record: b, columns: { st: st } }\n"
	"  - on: kernel.function(\"schedule\")\n"	/* both kernels: no warning */
	"    let:\n"
	"      t: task_current()\n"
	"      a: '@choose_defined(@cast(t, \"task_struct\", \"kernel\")->__state, @cast(t, \"task_struct\", \"kernel\")->state)'\n"
	"      b: '@defined(@cast(t, \"task_struct\", \"kernel\")->__state) ? @cast(t, \"task_struct\", \"kernel\")->__state : @cast(t, \"task_struct\", \"kernel\")->state'\n"
	"      c: '@cast(t, \"task_struct\", \"kernel\")->exit_state + @cast(t, \"inode\", \"kernel\")->state'\n"
	"    emit: { record: c, columns: { a: a, b: b, c: c, d: task_state(t) } }\n";

static void test_fact_task_struct_state(void **state)
{
	(void)state;
	compiled c;
	compile_for(&c, state_spec, "6.1.0-57-cloud-amd64", "4.8");
	assert_int_equal(c.rc, 0);
	assert_int_equal(count(c.diag, ": warning: "), 2);
	assert_non_null(strstr(c.diag, "t.yaml:5:86: warning: 'task_struct->state' is known to break on kernels >= 5.14, such as 6.1.0-57-cloud-amd64: "));
	assert_non_null(strstr(c.diag, "^~~~~~~\n  hint: instead: task_state(t), or '@choose_defined("));
	assert_non_null(strstr(c.diag, "t.yaml:9:82: warning: 'task_struct->state'"));
	done(&c);
	compile_for(&c, state_spec, "5.10.0-32-cloud-amd64", "4.8");
	assert_string_equal(c.diag, "");
	done(&c);
}

/* alias_vars: a variable the table lacks, typed; a type for one it has;
 * an unknown name on a known alias hints at the declaration. */
static void test_alias_vars(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\n"
		"probes:\n"
		"  - on: syscall.openat\n"
		"    alias_vars: { filename: string, newvar: long }\n"
		"    emit: { record: r, columns: { path: filename, n: newvar } }\n",
		"6.1.0-56-cloud-amd64");
	assert_string_equal(c.diag, "");
	assert_int_equal(c.rc, 0);
	const char *stp = sb_str(&c.out.stp);
	assert_non_null(strstr(stp, "text_str(filename)"));
	assert_non_null(strstr(stp, "newvar"));
	const char *doc = sb_str(&c.out.doc);
	assert_non_null(strstr(doc, "## Tapset alias variables\n"));
	assert_non_null(strstr(doc, "- `syscall.openat`: `name`, "));
	assert_non_null(strstr(doc, "`filename` (string, declared), `newvar` (long, declared)\n"));
	done(&c);
	compile(&c,
		"tool: t\nsummary: s\n"
		"probes:\n"
		"  - on: syscall.openat\n"
		"    emit: { record: r, columns: { n: { value: zzzq, type: long } } }\n",
		"6.1.0-56-cloud-amd64");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "error: unknown name 'zzzq'\n"));
	assert_non_null(strstr(c.diag, "hint: if your stap's tapset alias sets 'zzzq', declare it on the probe: 'alias_vars: { zzzq: long }'"));
	done(&c);
	compile(&c,
		"tool: t\nsummary: s\n"
		"probes:\n"
		"  - on: kernel.function(\"vfs_read\")\n"
		"    alias_vars: { x: long }\n"
		"    emit: { record: r, columns: { x: x } }\n",
		"6.1.0-56-cloud-amd64");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "error: 'alias_vars' names variables a tapset alias sets"));
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facts_by_kernel),
		cmocka_unit_test(test_facts_table),
		cmocka_unit_test(test_fact_point_match),
		cmocka_unit_test(test_fact_kmem_cache_alloc),
		cmocka_unit_test(test_fact_nfsd_v2),
		cmocka_unit_test(test_fact_entry),
		cmocka_unit_test(test_fact_sched_wakeup_success),
		cmocka_unit_test(test_fact_task_struct_state),
		cmocka_unit_test(test_alias_vars),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
