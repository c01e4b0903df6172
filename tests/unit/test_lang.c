/* The spec language's correctness: names that collide, statistics of
 * empty aggregates in report rows, diagnostics that agree with each other. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <ctype.h>
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

static void compile(compiled *c, const char *text)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	FILE *f = open_memstream(&c->diag, &c->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *copy = arena_strdup(&c->a, text);
	source *src = source_new(&c->a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = "6.1.0-56-cloud-amd64" };
	c->rc = stapgen_compile(&c->a, src, &d, &o, &c->out);
	fclose(f);
}

static void done(compiled *c)
{
	free(c->diag);
	stapgen_output_free(&c->out);
	arena_free(&c->a);
}

/* ---- no local captures a global ----------------------------------------- */

/* Every kind of name a spec gives, and `bucket`, the histogram loop's own
 * local: each pair of them spelled the same is either refused at a
 * location or generated without a local of a global's name. */
enum { N_PARAM, N_STATE, N_AGG, N_LET, N_COL, N_KEY, N_SKEY, N_RCOL, N_BUCKET, N_KINDS };
static const char *const default_names[N_KINDS] = {
	"pname", "smap", "agg", "lval", "ecol", "akey", "skey", "rcol", "bucket",
};
static const char *const kind_names[N_KINDS] = {
	"parameter", "state", "aggregate", "let", "column", "key", "state key", "report column",
	"(bucket)",
};

static void collision_spec(char *buf, size_t n, const char *const *nm)
{
	snprintf(buf, n,
		 "tool: t\nsummary: s\n"
		 "params:\n  %1$s: { type: string, default: \"\", help: h }\n"
		 "state:\n  %2$s: { key: { %7$s: long }, value: long }\n"
		 "aggregates:\n  %3$s: { key: { %6$s: string } }\n"
		 "probes:\n"
		 "  - on: kernel.function(\"vfs_read\")\n"
		 "    store: { '%2$s[tid()]': 1 }\n"
		 "  - on: kernel.function(\"vfs_read\").return\n"
		 "    let: { %4$s: execname() }\n"
		 "    where: '%1$s == \"\" || %4$s == %1$s'\n"
		 "    collect: { '%3$s[%4$s]': 1 }\n"
		 "    emit: { record: r, columns: { %5$s: %4$s } }\n"
		 "reports:\n"
		 "  - { name: top, every: 1s, from: %3$s, sort: %6$s, columns: { %8$s: %6$s, n: '@count(%3$s)' } }\n"
		 "  - { name: open, every: 1s, from: %2$s, columns: { %7$s: %7$s, v: %2$s } }\n"
		 "  - { name: h, every: 1s, histogram: { of: %3$s, kind: log2 } }\n",
		 nm[N_PARAM], nm[N_STATE], nm[N_AGG], nm[N_LET], nm[N_COL], nm[N_KEY], nm[N_SKEY],
		 nm[N_RCOL]);
}

static bool is_word(const char *s, size_t n, const char *const *set, unsigned nset)
{
	for (unsigned i = 0; i < nset; i++)
		if (strlen(set[i]) == n && !strncmp(set[i], s, n))
			return true;
	return false;
}

/* A local or loop variable of the script named like one of its globals:
 * returns the line, or NULL.  Locals are what foreach binds (`[a, b-]`,
 * `bucket`) and what a line assigns by bare name (`x = ...`). */
static const char *local_captures_global(arena *a, const char *stp)
{
	const char *globals[64];
	unsigned ng = 0;
	for (const char *l = stp; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, "global ", 7) && ng < 64) {
			size_t n = strspn(l + 7, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
			globals[ng++] = arena_strndup(a, l + 7, n);
		}
	assert_true(ng > 0);
	for (const char *l = stp; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		const char *p = l;
		while (*p == '\t')
			p++;
		if (p == l)
			continue;	/* only statements */
		const char *fe = strstr(p, "foreach (");
		if (fe && fe < strchr(p, '\n')) {
			const char *v = fe + 9, *end = strstr(v, " in ");
			if (*v == '[')
				v++;
			while (v < end) {
				size_t n = strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
				if (n && is_word(v, n, globals, ng))
					return l;
				v += n;
				v += strspn(v, "+-], ");
				if (!n && !strchr("+-], ", *v))
					break;
			}
			continue;
		}
		size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
		if (n && !strncmp(p + n, " = ", 3) && is_word(p, n, globals, ng))
			return l;
	}
	return NULL;
}

/* A located error: "t.yaml:LINE:COL: error: ". */
static bool has_located_error(const char *diag)
{
	for (const char *p = diag; (p = strstr(p, "t.yaml:")); p++) {
		const char *q = p + 7;
		if (!isdigit((unsigned char)*q))
			continue;
		q += strspn(q, "0123456789");
		if (*q++ != ':' || !isdigit((unsigned char)*q))
			continue;
		q += strspn(q, "0123456789");
		if (!strncmp(q, ": error: ", 9))
			return true;
	}
	return false;
}

static void test_no_local_captures_a_global(void **state)
{
	(void)state;
	char buf[4096];
	compiled c;
	/* the spec itself is clean */
	collision_spec(buf, sizeof buf, default_names);
	compile(&c, buf);
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_int_equal(c.rc, 0);
	assert_null(local_captures_global(&c.a, sb_str(&c.out.stp)));
	done(&c);
	unsigned generated = 0;
	for (unsigned i = 0; i < N_KINDS; i++)
		for (unsigned j = i + 1; j < N_KINDS; j++) {
			const char *nm[N_KINDS];
			memcpy(nm, default_names, sizeof nm);
			nm[i] = nm[j] = j == N_BUCKET ? "bucket" : "same";
			collision_spec(buf, sizeof buf, nm);
			compile(&c, buf);
			if (c.rc) {
				if (!has_located_error(c.diag))
					fail_msg("%s and %s named alike: refused without a location:\n%s",
						 kind_names[i], kind_names[j], c.diag);
			} else {
				generated++;
				const char *bad = local_captures_global(&c.a, sb_str(&c.out.stp));
				if (bad)
					fail_msg("%s and %s named alike: a local is a global: %.*s", kind_names[i],
						 kind_names[j], (int)strcspn(bad, "\n"), bad);
			}
			done(&c);
		}
	/* most pairs are no conflict; the ones that were (a report key like a
	 * parameter or a map, a parameter named bucket) are generated too */
	assert_true(generated >= 25);
	const char *nm[N_KINDS];
	memcpy(nm, default_names, sizeof nm);
	nm[N_PARAM] = nm[N_KEY] = "comm";
	collision_spec(buf, sizeof buf, nm);
	compile(&c, buf);
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_int_equal(c.rc, 0);
	done(&c);
}

/* Rows of two aggregates sorted by a key: stap takes one sort directive,
 * on the key (`[pid-] in _t_sort-` is a parse error). */
static void test_key_sort_of_two_aggregates(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\naggregates:\n"
		    "  reads: { key: { pid: long } }\n  writes: { key: { pid: long } }\n"
		    "probes:\n  - on: timer.profile\n    collect: { 'reads[pid()]': 1, 'writes[pid()]': 1 }\n"
		    "reports:\n  - { name: t, from: [reads, writes], sort: pid, columns: { pid: pid } }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_non_null(strstr(sb_str(&c.out.stp), "\tforeach ([pid-] in _t_sort)\n"));
	done(&c);
}

/* ---- reports of scalar aggregates ---------------------------------------- */

static const char *const sizes_spec =
	"tool: t\nsummary: s\naggregates: { reads: {}, writes: {} }\n"
	"probes:\n"
	"  - { on: vfs.read.return, collect: { reads: bytes_read } }\n"
	"  - { on: vfs.write.return, collect: { writes: bytes_written } }\n"
	"reports:\n"
	"  - { name: sizes, every: 1s, from: [reads, writes], columns: { avg_read: '@avg(reads)', max_write: '@max(writes)' } }\n"
	"  - { name: counts, every: 1s, from: [reads, writes], columns: { n: '@count(reads)', bytes: '@sum(writes)' } }\n";

/* Item 2: with reads empty and writes not, the row must not read
 * @avg(reads): each statistic is guarded by its own aggregate's count. */
static void test_scalar_row_guards_each_aggregate(void **state)
{
	(void)state;
	compiled c;
	compile(&c, sizes_spec);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "@count(reads) ? @avg(reads) : 0"));
	assert_non_null(strstr(t, "@count(writes) ? @max(writes) : 0"));
	assert_non_null(strstr(t, "@count(writes) ? @sum(writes) : 0"));
	/* no unguarded statistic anywhere */
	for (const char *p = t; (p = strstr(p, "@avg(")); p++)
		assert_true(p - t > 16 && !strncmp(p - 16, "@count(reads) ? ", 16));
	done(&c);
}

/* Item 3: counters print their zeros in an idle interval: the row is not
 * under `if (@count(...))`. */
static void test_scalar_counts_print_zeros(void **state)
{
	(void)state;
	compiled c;
	compile(&c, sizes_spec);
	const char *t = strstr(sb_str(&c.out.stp), "function _report_counts()");
	assert_non_null(t);
	assert_non_null(strstr(t, "\tprintf(\"@report\\tcounts\\t%d\\n\", gettimeofday_s())\n"
				  "\tprintf(\"@counts\\t%d\\t%d\\n\", @count(reads), @count(writes) ? @sum(writes) : 0)\n"));
	assert_null(strstr(sb_str(&c.out.stp), "if (@count("));
	done(&c);
}

/* ---- @defined inside a longer condition -------------------------------- */

/* stap 4.8 resolves $rq in `@defined($rq) && $rq->x` before folding the
 * false @defined; under `@defined($rq) ? ... : 0` (its own idiom) it folds
 * first.  Filters, `when` and `exit` are lowered so, negated readably. */
static void test_defined_guards_the_rest(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\nprobes:\n"
		    "  - on: kernel.function(\"blk_mq_start_request\")\n"
		    "    where: [ '@defined($rq) && $rq->__data_len > 0',"
		    " 'pid() > 1 && @defined($rq->q) && $rq->q != 0 && $rq->tag >= 0', '@defined($rq)' ]\n"
		    "    emit: { record: r, when: '!@defined($rq) || $rq->tag < 0', columns: { n: '1' } }\n"
		    "    exit: '@defined($rq) && $rq->tag == 7'\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "\tif (@defined($rq) ? $rq->__data_len <= 0 : 1)\n\t\tnext\n"
				  "\tif (pid() <= 1 || (@defined($rq->q) ? $rq->q == 0 || $rq->tag < 0 : 1))\n\t\tnext\n"
				  "\tif (!@defined($rq))\n\t\tnext\n"
				  "\tif (@defined($rq) ? $rq->tag < 0 : 1)\n"));
	assert_non_null(strstr(t, "\tif (@defined($rq) ? $rq->tag == 7 : 0)\n\t\texit()\n"));
	/* nowhere is a $var beside a @defined outside its guard */
	assert_null(strstr(t, "!@defined($rq) ||"));
	assert_null(strstr(t, "@defined($rq) &&"));
	done(&c);
}

/* A constant of the tapsets (BIO_READ) is read by name, in probes and
 * reports alike, and printed as is: stap pulls in the file defining it.  A
 * global that is no constant (a map) stays unknown, with a hint. */
static void test_tapset_constants(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\naggregates: { n: {} }\nprobes:\n"
		    "  - on: ioblock.request\n"
		    "    where: 'rw == BIO_READ'\n"
		    "    collect: { n: 'size + FAULT_FLAG_WRITE' }\n"
		    "reports:\n  - { name: r, from: [n], columns: { c: '@count(n)', w: BIO_WRITE } }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_int_equal(c.rc, 0);
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "\tif (rw != BIO_READ)\n\t\tnext\n"));
	assert_non_null(strstr(t, "n <<< size + FAULT_FLAG_WRITE"));
	assert_non_null(strstr(t, ", BIO_WRITE)"));
	/* a tapset constant is no global of the script's own */
	assert_null(strstr(t, "global BIO_READ"));
	done(&c);
	compile(&c, "tool: t\nsummary: s\nprobes:\n"
		    "  - on: begin\n    emit: { record: r, columns: { n: ActiveOpens } }\n");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "error: unknown name 'ActiveOpens'"));
	assert_non_null(strstr(c.diag, "is no constant"));
	done(&c);
}

/* `wrap: true`: stap's wrapping arrays, sized or not (`global m%[N]`) */
static void test_wrapping_maps(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\n"
		    "state: { start: { key: [long], value: long, size: 1024, wrap: true } }\n"
		    "aggregates: { lat: { key: { pid: long }, wrap: true }, n: { key: { pid: long } } }\n"
		    "probes:\n  - on: kprobe.function(\"vfs_read\")\n"
		    "    store: { 'start[tid()]': gettimeofday_us() }\n"
		    "    collect: { 'lat[pid()]': '1', 'n[pid()]': '1' }\n"
		    "reports:\n  - { name: r, from: [lat, n], columns: { pid: pid, c: '@count(lat)', d: '@count(n)', s: 'start[pid]' } }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "\nglobal start%[1024]\t"));
	assert_non_null(strstr(t, "\nglobal lat%\t"));
	assert_non_null(strstr(t, "\nglobal n\t"));
	done(&c);
	compile(&c, "tool: t\nsummary: s\naggregates: { n: { wrap: true } }\nprobes:\n"
		    "  - on: kprobe.function(\"vfs_read\")\n    collect: { n: '1' }\n");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "t.yaml:3:20: error: 'wrap' needs a map with keys"));
	done(&c);
}

/* store/collect/delete with `when`: only on the events where it holds; a
 * condition reading a map the probe writes sees it as the event found it,
 * whatever the order of the writes; a conditional collect leaves the
 * aggregate possibly empty for what follows */
static void test_conditional_writes(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\n"
		    "state: { st: { key: [long], value: long } }\n"
		    "aggregates: { big: { key: { comm: string } } }\n"
		    "probes:\n  - on: kprobe.function(\"vfs_read\")\n"
		    "    let: { n: 'int_arg(3)' }\n"
		    "    store: { 'st[tid()]': { value: 'st[tid()] + 1', when: 'st[tid()] < 3' } }\n"
		    "    collect: { 'big[execname()]': { value: n, when: n > 4096 } }\n"
		    "    delete: [ { entry: 'st[tid()]', when: 'st[tid()] >= 3' } ]\n"
		    "    emit: { record: e, columns: { mx: '@max(big[execname()])' } }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	/* both conditions read st, which the probe writes: computed first */
	const char *w1 = strstr(t, "\t__when1 = st[tid()] < 3\n");
	const char *w2 = strstr(t, "\t__when2 = st[tid()] >= 3\n");
	const char *wr = strstr(t, "\tif (__when1)\n\t\tst[tid()] = st[tid()] + 1\n");
	assert_non_null(w1);
	assert_non_null(w2);
	assert_non_null(wr);
	assert_true(w1 < wr && w2 < wr);
	assert_non_null(strstr(t, "\tif (n > 4096)\n\t\tbig[execname()] <<< n\n"));
	assert_non_null(strstr(t, "\tif (__when2)\n\t\tdelete st[tid()]\n"));
	/* the collect may not have run: the read is guarded */
	assert_null(strstr(t, "printf(\"@e\\t%d\\n\", @max(big[execname()]))"));
	done(&c);
	compile(&c, "tool: t\nsummary: s\nstate: { m: { key: [long] } }\nprobes:\n"
		    "  - on: kprobe.function(\"vfs_read\")\n"
		    "    store: { 'm[tid()]': { value: 1 } }\n"
		    "    delete: [ { entry: 'm[pid()]' } ]\n");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "t.yaml:6:26: error: a conditional entry of 'store' is missing required key 'when'"));
	assert_non_null(strstr(c.diag, "t.yaml:7:15: error: a conditional delete is missing required key 'when'"));
	done(&c);
}

/* on_error: the report prints also when a run-time error stops the run
 * (stap skips the end probes then); the same reports at both ends share
 * one probe */
static void test_report_on_error(void **state)
{
	(void)state;
	compiled c;
	const char *head = "tool: t\nsummary: s\naggregates: { a: { key: { pid: long } }, b: { key: { pid: long } } }\n"
			   "probes:\n  - on: kprobe.function(\"vfs_read\")\n    collect: { 'a[pid()]': '1', 'b[pid()]': '1' }\n"
			   "reports:\n";
	char text[1024];
	snprintf(text, sizeof text, "%s  - { name: ra, from: a, on_error: true, columns: { pid: pid, n: '@count(a)' } }\n"
		 "  - { name: rb, from: b, on_error: true, columns: { pid: pid, n: '@count(b)' } }\n", head);
	compile(&c, text);
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_non_null(strstr(sb_str(&c.out.stp), "\nprobe end, error\n{\n\t_report_ra()\n\t_report_rb()\n\tprintf(\"@end\\n\")\n}\n"));
	assert_null(strstr(sb_str(&c.out.stp), "\nprobe error\n"));
	done(&c);
	snprintf(text, sizeof text, "%s  - { name: ra, from: a, on_error: true, columns: { pid: pid, n: '@count(a)' } }\n"
		 "  - { name: rb, from: b, columns: { pid: pid, n: '@count(b)' } }\n", head);
	compile(&c, text);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "\nprobe end\n{\n\t_report_ra()\n\t_report_rb()\n\tprintf(\"@end\\n\")\n}\n"));
	assert_non_null(strstr(t, "\nprobe error\n{\n\t_report_ra()\n\tprintf(\"@end\\n\")\n}\n"));
	done(&c);
	snprintf(text, sizeof text, "%s  - { name: ra, from: a, columns: { pid: pid, n: '@count(a)' } }\n", head);
	compile(&c, text);
	assert_null(strstr(sb_str(&c.out.stp), "error"));
	done(&c);
}

/* guru side effects: `set` writes target variables, `call` calls functions
 * for their effect, each maybe under `when`, after the writes and before
 * the records */
static void test_guru_side_effects(void **state)
{
	(void)state;
	compiled c;
	memset(&c, 0, sizeof c);
	arena_init(&c.a);
	FILE *f = open_memstream(&c.diag, &c.diaglen);
	diag_sink d;
	diag_init(&d, f);
	const char *text = "tool: t\nsummary: s\nguru: true\nstate: { n: { value: long } }\nprobes:\n"
			   "  - on: kernel.function(\"vfs_read\").return\n"
			   "    set: { '$return': { value: -5, when: 'pid() == 12345' } }\n"
			   "    call: [ 'raise(10)' ]\n"
			   "    store: { n: n + 1 }\n"
			   "    emit: { record: r, columns: { ret: $return } }\n";
	char *copy = arena_strdup(&c.a, text);
	source *src = source_new(&c.a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = "6.1.0-56-cloud-amd64", .guru = true };
	c.rc = stapgen_compile(&c.a, src, &d, &o, &c.out);
	fclose(f);
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_non_null(strstr(sb_str(&c.out.stp), "\tn = n + 1\n\tif (pid() == 12345)\n\t\t$return = -5\n\traise(10)\n"
						   "\tprintf(\"@r\\t%d\\n\", $return)\n"));
	done(&c);
	/* not a guru spec: refused, where each is written */
	compile(&c, "tool: t\nsummary: s\nprobes:\n  - on: kernel.function(\"vfs_read\").return\n"
		    "    set: { '$return': -5 }\n    call: [ 'raise(10)' ]\n");
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "t.yaml:5:13: error: writing a target variable changes the traced code's state"));
	assert_non_null(strstr(c.diag, "t.yaml:6:14: error: function 'raise' changes kernel state; it needs guru mode"));
	done(&c);
}

/* The command's preflight gets each marker the .mark points name, once,
 * and no symbol-table check for a marker-only tool; a wildcard is stap's */
static void test_marker_needs(void **state)
{
	(void)state;
	compiled c;
	compile(&c, "tool: t\nsummary: s\nprobes:\n"
		    "  - on: process(\"/usr/bin/python3.11\").mark(\"gc__start\")\n    emit: { record: a, columns: { n: '1' } }\n"
		    "  - on: process(\"/usr/bin/python3.11\").mark(\"gc__start\")\n    emit: { record: b, columns: { n: '1' } }\n"
		    "  - on: process(\"/usr/bin/python3.11\").mark(\"gc__done\")\n    emit: { record: c, columns: { n: '1' } }\n"
		    "  - on: process(\"/usr/bin/python3.11\").mark(\"gc__*\")\n    emit: { record: d, columns: { n: '1' } }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_non_null(strstr(sb_str(&c.out.command),
			       "sg_ubin_pp=0 sg_ubin='/usr/bin/python3.11' sg_usymtab=0 sg_umarks='gc__start gc__done'\n"));
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_local_captures_a_global),
		cmocka_unit_test(test_key_sort_of_two_aggregates),
		cmocka_unit_test(test_scalar_row_guards_each_aggregate),
		cmocka_unit_test(test_scalar_counts_print_zeros),
		cmocka_unit_test(test_defined_guards_the_rest),
		cmocka_unit_test(test_tapset_constants),
		cmocka_unit_test(test_wrapping_maps),
		cmocka_unit_test(test_marker_needs),
		cmocka_unit_test(test_conditional_writes),
		cmocka_unit_test(test_report_on_error),
		cmocka_unit_test(test_guru_side_effects),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
