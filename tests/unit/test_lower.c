/* The lowering pass (gen/lower/lower.c), one test per rewrite it makes, each
 * on a small spec compiled by stapgen_compile() and lowered again from the
 * checked spec; the tests read the lowered statements and expressions
 * (kinds, order, pointers), an expression's text only to name its shape.
 *
 * Rewrite (lower.c)                                       test
 * reports (row_agg, copy with a row_ctx):
 *   aggregate read for the row's key   @sum(a) -> @sum(a[k])   test_row_key_index
 *   absent key reads 0 (another or a second `from`)            test_row_guard_other_aggregate
 *   scalar aggregate in a row: @count(t) ? @avg(t) : 0         test_row_scalar_aggregate
 *   a state map's bare name is the row's value  m -> m[k]      test_row_state_map_value
 *   loop variable `__k` when a global has the key's name       test_loop_var_renamed
 *   histogram: key and bucket variables (loop_var)             test_report_histogram
 *   sort: key_sort, value_sort, direct (foreach ... limit)     test_report_sort_direct
 *   sum sort: a sort array the report fills, no probe total    test_report_sort_total
 *   sort array sized with the sum of `size:`s                  test_report_sort_sizes
 * probes (probe_agg, lower_probe):
 *   statistic in a probe: @count(x[k]) ? @avg(x[k]) : 0       test_probe_stat_guard
 *   ... not after the probe's own collect into x[k]            test_probe_stat_after_collect
 *   script functions the script must define (script_funcs)     test_script_funcs
 *   @defined in an && chain guards the rest (guard_defined)    test_defined_and_chain
 *   !@defined(x) || rest  ->  @defined(x) ? rest : 1           test_defined_or_chain
 *   filters negated: comparisons inverted, `!` dropped         test_negate_comparison_and_not
 *   ... De Morgan over && / ||                                  test_negate_de_morgan
 *   ... a ternary's branches, a constant                        test_negate_ternary_and_constant
 *   ... `!e` where nothing negates cleanly                     test_negate_fallback
 *   values just before their first use; unused ones never     test_let_before_first_use
 *   a value's kernel alternative for the target kernel         test_let_kernel_alternative
 *   portable: every alternative, none chosen (lalt)            test_let_portable_alternatives
 *   delete moved up before the filters after its reader        test_delete_moved_up
 *   ... stays last after a store or a filter reading the map   test_delete_stays
 *   value every record prints computed once before them        test_shared_value_hoisted
 *   record under `when`: its own values inside (inner)         test_record_when_inner
 *   a `when` negating the previous one's: `else` (els)         test_record_else
 *   bindings of each alternative (lower_bindings)              test_bindings_per_point
 *   ... their kernel alternatives, portable or chosen          test_bindings_alternatives
 *   exit: last; constant folded (1: plain exit, 0: none)       test_exit
 *   the target kernel: parsed version, or portable             test_kernel_of_lowering
 * Not reached from a checked spec, so not here: a report without a record
 * kind (lreport.rec NULL) and an emit whose columns differ from its record's
 * (lower_emit skips it); negates_cleanly's depth cut (9 nested &&/||).
 */
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
#include "lower/records.h"
#include "lower/lower.h"

#define KV61 "6.1.0-56-cloud-amd64"

/* A spec compiled and lowered for kver: the one place that calls the
 * pass, so a change of its API is one change here. */
typedef struct lt {
	arena a;
	char *diag;
	size_t diaglen;
	stapgen_output out;
	record_set rs;
	const lowered *lw;
} lt;

static const lowered *lower_text(lt *t, const char *text, const char *kver)
{
	memset(t, 0, sizeof *t);
	arena_init(&t->a);
	FILE *f = open_memstream(&t->diag, &t->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *copy = arena_strdup(&t->a, text);
	source *src = source_new(&t->a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = kver };
	int rc = stapgen_compile(&t->a, src, &d, &o, &t->out);
	fclose(f);
	if (rc != 0 || !t->out.spec)
		fail_msg("the spec does not compile:\n%s", t->diag ? t->diag : "");
	t->rs = records_of(&t->a, t->out.spec);
	t->lw = lower_spec(&t->a, t->out.spec, &t->rs, kver);
	return t->lw;
}

static void done(lt *t)
{
	free(t->diag);
	stapgen_output_free(&t->out);
	arena_free(&t->a);
}

/* An expression as the script prints it (arena text). */
static const char *txt(lt *t, const expr *e)
{
	strbuf sb = STRBUF_INIT;
	expr_print_stap(&sb, e);
	const char *s = arena_strdup(&t->a, sb_str(&sb));
	sb_free(&sb);
	return s;
}

/* The kinds of a probe's statements, one letter each: L(et) F(ilter)
 * S(tore) C(ollect) D(elete) V (set a target variable) K (call) R(ecord)
 * X (exit), in lstmt_kind's order. */
static const char *shape(lt *t, const lprobe *p)
{
	static const char letters[] = "LFSCDVKRX";
	char *s = arena_alloc(&t->a, p->nstmts + 1);
	for (unsigned i = 0; i < p->nstmts; i++)
		s[i] = letters[p->stmts[i].kind];
	s[p->nstmts] = 0;
	return s;
}

/* The i-th statement of kind k in probe p (NULL: none). */
static const lstmt *nth(const lprobe *p, lstmt_kind k, unsigned i)
{
	for (unsigned j = 0; j < p->nstmts; j++)
		if (p->stmts[j].kind == k && i-- == 0)
			return &p->stmts[j];
	return NULL;
}

/* The lowered value of report r's column named col. */
static const expr *rcol(const lowered *lw, unsigned r, const char *col)
{
	const lreport *lr = &lw->reports[r];
	assert_non_null(lr->rec);
	for (unsigned i = 0; i < lr->rec->nfields; i++)
		if (!strcmp(lr->rec->fields[i].name, col))
			return lr->vals[i];
	fail_msg("report %u has no column %s", r, col);
	return NULL;
}

#define HEAD "tool: t\nsummary: s\n"
#define RET "  - on: kernel.function(\"vfs_read\").return\n"
#define EMIT1 "    emit: { record: r, columns: { n: '1' } }\n"

/* ---- reports -------------------------------------------------------------- */

static const char *const two_aggs =
	HEAD "aggregates:\n  reads: { key: { pid: long } }\n  writes: { key: { pid: long } }\n"
	"  total: {}\n"
	"probes:\n" RET "    collect: { 'reads[pid()]': $return, 'writes[pid()]': $return, total: $return }\n"
	"reports:\n"
	"  - { name: one, from: reads, columns: { pid: pid, r: '@sum(reads)', w: '@sum(writes)' } }\n"
	"  - { name: both, from: [reads, writes], columns: { pid: pid, r: '@sum(reads)', w: '@max(writes)',"
	" a: '@avg(total)', n: '@count(total)' } }\n";

static void test_row_key_index(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, two_aggs, KV61);
	const expr *r = rcol(lw, 0, "r");
	assert_int_equal(r->kind, E_AGG);
	assert_int_equal(r->a->kind, E_INDEX);
	assert_string_equal(r->a->a->name, "reads");
	assert_int_equal(r->a->nargs, 1);
	assert_int_equal(r->a->args[0]->kind, E_IDENT);
	assert_string_equal(r->a->args[0]->name, "pid");
	assert_null(r->a->args[0]->emit_name);
	assert_string_equal(txt(&t, r), "@sum(reads[pid])");
	/* a new node: the checked column is the bare aggregate still */
	assert_ptr_not_equal(r, t.out.spec->reports[0].cols[1].e);
	assert_string_equal(txt(&t, t.out.spec->reports[0].cols[1].e), "@sum(reads)");
	done(&t);
}

static void test_row_guard_other_aggregate(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, two_aggs, KV61);
	/* one `from`: its own aggregate has every row's key, another may not */
	const expr *w = rcol(lw, 0, "w");
	assert_int_equal(w->kind, E_TERNARY);
	assert_int_equal(w->a->kind, E_IN);
	assert_string_equal(w->a->name, "writes");
	assert_int_equal(w->b->kind, E_AGG);
	assert_int_equal(w->c->kind, E_INT);
	assert_int_equal(w->c->ival, 0);
	assert_string_equal(txt(&t, w), "[pid] in writes ? @sum(writes[pid]) : 0");
	/* two: rows are the union of their keys, each may lack a row's key */
	assert_string_equal(txt(&t, rcol(lw, 1, "r")), "[pid] in reads ? @sum(reads[pid]) : 0");
	assert_string_equal(txt(&t, rcol(lw, 1, "w")), "[pid] in writes ? @max(writes[pid]) : 0");
	done(&t);
}

static void test_row_scalar_aggregate(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, two_aggs, KV61);
	const expr *a = rcol(lw, 1, "a");
	assert_int_equal(a->kind, E_TERNARY);
	assert_int_equal(a->a->kind, E_AGG);
	assert_int_equal(a->a->op, AGG_COUNT);
	assert_int_equal(a->a->a->kind, E_IDENT);	/* not indexed by the row's key */
	assert_string_equal(txt(&t, a), "@count(total) ? @avg(total) : 0");
	/* @count of an empty aggregate is 0: read as it is */
	assert_string_equal(txt(&t, rcol(lw, 1, "n")), "@count(total)");
	done(&t);
}

static const char *const state_report =
	HEAD "params:\n  top: { default: 5, help: h }\n"
	"state:\n  open: { key: { pid: long, fd: long }, value: string }\n"
	"aggregates:\n  reads: { key: { pid: long, fd: long } }\n"
	"probes:\n"
	"  - on: syscall.openat.return\n    store: { 'open[pid(), retval]': '\"x\"' }\n"
	"  - on: syscall.read\n    where: '[pid(), fd] in open'\n    collect: { 'reads[pid(), fd]': count }\n"
	"reports:\n"
	"  - { name: still, from: [open], sort: { by: open, order: asc }, limit: top,"
	" columns: { pid: pid, fd: fd, path: open, kb: '@sum(reads) / 1024' } }\n"
	"  - { name: byfd, from: [open], sort: { by: fd, order: asc }, columns: { pid: pid, fd: fd } }\n"
	"  - { name: bysum, from: reads, sort: '@sum(reads)', columns: { pid: pid, n: '@sum(reads)' } }\n";

/* Two aggregates collected in two probes, reported every second sorted by
 * SORT (a C string literal), from FROM. */
#define TOTAL_SPEC(aggs, c1, c2, from, sort, more)                                          \
	HEAD "aggregates:\n  r: { key: { pid: long } }\n  w: { key: { pid: long } }\n" aggs     \
	"probes:\n" RET "    collect: { " c1 " }\n"                                         \
	"  - on: kernel.function(\"vfs_write\").return\n    collect: { " c2 " }\n"           \
	"reports:\n  - { name: x, every: 1s, from: " from ", sort: '" sort "', limit: 3,"     \
	" columns: { pid: pid, n: '@count(r)' } }\n" more

static bool clears(const lreport *lr, const char *m)
{
	for (unsigned i = 0; i < lr->nclears; i++)
		if (!strcmp(lr->clears[i], m))
			return true;
	return false;
}

/* A report sorted by a sum of aggregates: the sum is the report's work,
 * never the probes' (no total collected with every event): a sort array
 * filled when the report runs, the collects as written. */
static void test_report_sort_total(void **state)
{
	(void)state;
	static const char *const specs[] = {
		TOTAL_SPEC("", "'r[pid()]': $return", "'w[pid()]': $return", "[r, w]", "@sum(r) + @sum(w)", ""),
		TOTAL_SPEC("", "'r[pid()]': 1", "'w[pid()]': 1", "[w, r]", "@count(r) + @count(w)", ""),
		TOTAL_SPEC("", "'r[pid()]': 1", "'w[pid()]': 1", "[r, w]", "@sum(r) + @count(w)", ""),
		TOTAL_SPEC("", "'r[pid() + 1]': '$return * 2'", "'w[pid()]': $return", "[r, w]", "@sum(r) + @sum(w)", ""),
	};
	for (size_t k = 0; k < sizeof specs / sizeof *specs; k++) {
		lt t;
		const lowered *lw = lower_text(&t, specs[k], KV61);
		assert_false(lw->reports[0].direct);
		assert_string_equal(lw->reports[0].iter, "_x_sort");
		assert_true(clears(&lw->reports[0], "r") && clears(&lw->reports[0], "w"));
		for (unsigned p = 0; p < 2; p++) {	/* one collect each, as written */
			assert_string_equal(shape(&t, &lw->probes[p]), "C");
			assert_string_equal(txt(&t, lw->probes[p].stmts[0].target),
					    p ? "w[pid()]" : k == 3 ? "r[pid() + 1]" : "r[pid()]");
		}
		done(&t);
	}
}

static void test_report_sort_sizes(void **state)
{
	(void)state;
	lt t;
	const char *sized = HEAD "aggregates:\n  r: { key: { pid: long }, size: 100 }\n"
		"  w: { key: { pid: long }, size: 20 }\n  u: { key: { pid: long } }\n"
		"probes:\n" RET "    collect: { 'r[pid()]': 1, 'w[pid()]': 1, 'u[pid()]': 1 }\n"
		"reports:\n"
		"  - { name: x, every: 1s, from: [r, w], sort: '@sum(r) + @sum(w)', columns: { pid: pid } }\n"
		"  - { name: y, from: [r, w], sort: '@sum(r) * @sum(w)', columns: { pid: pid } }\n"
		"  - { name: z, from: [r, u], sort: '@sum(r) * @sum(u)', columns: { pid: pid } }\n";
	const lowered *lw = lower_text(&t, sized, KV61);
	assert_int_equal(t.out.spec->maps[0].size, 100);
	assert_int_equal(t.out.spec->maps[2].size, 0);
	assert_int_equal(lw->reports[0].iter_size, 120);
	assert_int_equal(lw->reports[1].iter_size, 120);
	assert_int_equal(lw->reports[2].iter_size, 0);	/* u: MAXMAPENTRIES */
	done(&t);
	lw = lower_text(&t, HEAD "aggregates:\n  r: { key: { pid: long }, size: 100 }\n"
			"  w: { key: { pid: long }, size: 20 }\n"
			"probes:\n" RET "    collect: { 'r[pid()]': 1, 'w[pid()]': 1 }\n"
			"reports:\n  - { name: x, every: 1s, from: [r, w], sort: '@sum(r) + @sum(w)',"
			" columns: { pid: pid } }\n", KV61);
	assert_int_equal(lw->reports[0].iter_size, 120);
	done(&t);
}

static void test_row_state_map_value(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, state_report, KV61);
	const expr *p = rcol(lw, 0, "path");
	assert_int_equal(p->kind, E_INDEX);
	assert_int_equal(p->nargs, 2);
	assert_int_equal(p->type, VT_STRING);
	assert_string_equal(txt(&t, p), "open[pid, fd]");
	/* an aggregate of the state map's keys: guarded, the key may be absent */
	assert_string_equal(txt(&t, rcol(lw, 0, "kb")),
			    "([pid, fd] in reads ? @sum(reads[pid, fd]) : 0) / 1024");
	done(&t);
}

static void test_report_sort_direct(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, state_report, KV61);
	/* a state map by its own value: `foreach ([k] in m-)` */
	assert_true(lw->reports[0].value_sort);
	assert_true(lw->reports[0].direct);
	assert_null(lw->reports[0].key_sort);
	/* by a key */
	assert_string_equal(lw->reports[1].key_sort, "fd");
	assert_false(lw->reports[1].value_sort);
	assert_true(lw->reports[1].direct);
	/* one aggregate by its own statistic */
	assert_true(lw->reports[2].direct);
	assert_string_equal(txt(&t, lw->reports[2].sort), "@sum(reads[pid, fd])");
	done(&t);
	/* two aggregates: the rows need the temporary array */
	lower_text(&t, HEAD "aggregates:\n  r: { key: { pid: long } }\n  w: { key: { pid: long } }\n"
		   "probes:\n" RET "    collect: { 'r[pid()]': 1, 'w[pid()]': 1 }\n"
		   "reports:\n  - { name: x, from: [r, w], sort: '@count(r)',"
		   " columns: { pid: pid, n: '@count(r)' } }\n"
		   "  - { name: y, from: r, sort: '@count(w)', columns: { pid: pid, n: '@count(w)' } }\n",
		   KV61);
	assert_false(t.lw->reports[0].direct);
	assert_string_equal(txt(&t, t.lw->reports[0].sort), "[pid] in r ? @count(r[pid]) : 0");
	/* sorted by another aggregate's statistic */
	assert_false(t.lw->reports[1].direct);
	done(&t);
}

/* A key spelled like a parameter: stap would bind the loop variable to the
 * global and overwrite it. */
static void test_loop_var_renamed(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "params:\n  pid: { default: 0, help: h }\n"
		"aggregates:\n  reads: { key: { pid: long, comm: string } }\n"
		"probes:\n" RET "    where: 'pid == 0 || pid() == pid'\n"
		"    collect: { 'reads[pid(), execname()]': $return }\n"
		"reports:\n  - { name: r, from: reads, columns: { pid: pid, comm: comm, n: '@sum(reads)' } }\n",
		KV61);
	const lreport *lr = &lw->reports[0];
	assert_string_equal(lr->key_vars[0], "__pid");
	assert_string_equal(lr->key_vars[1], "comm");	/* no global has it */
	const expr *k = rcol(lw, 0, "pid");
	assert_int_equal(k->kind, E_IDENT);
	assert_string_equal(k->name, "pid");
	assert_string_equal(k->emit_name, "__pid");
	assert_null(rcol(lw, 0, "comm")->emit_name);
	const expr *n = rcol(lw, 0, "n");
	assert_string_equal(n->a->args[0]->emit_name, "__pid");
	assert_null(n->a->args[1]->emit_name);
	assert_string_equal(txt(&t, n), "@sum(reads[__pid, comm])");
	done(&t);
}

static void test_report_histogram(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "aggregates:\n  lat: { key: { comm: string } }\n  all: {}\n"
		"probes:\n" RET "    collect: { 'lat[execname()]': $return, all: $return }\n"
		"reports:\n  - { name: h, histogram: { of: lat, kind: log2 } }\n"
		"  - { name: g, histogram: { of: all, kind: log2 } }\n",
		KV61);
	const lreport *h = &lw->reports[0];
	assert_non_null(h->rec);
	assert_string_equal(h->key_vars[0], "comm");
	assert_string_equal(h->bucket_var, "bucket");
	assert_null(h->vals);
	assert_null(h->sort);
	assert_string_equal(lw->reports[1].bucket_var, "bucket");
	done(&t);
	/* a parameter named bucket: the loop's bucket is __bucket */
	lw = lower_text(&t,
		HEAD "params:\n  bucket: { default: 0, help: h }\n"
		"aggregates:\n  all: {}\n"
		"probes:\n" RET "    where: '$return > bucket'\n    collect: { all: $return }\n"
		"reports:\n  - { name: h, histogram: { of: all, kind: log2 } }\n",
		KV61);
	assert_string_equal(lw->reports[0].bucket_var, "__bucket");
	done(&t);
}

/* ---- statistics in probes -------------------------------------------------- */

static const char *const probe_stats =
	HEAD "state:\n  m: { key: [long], value: long }\n"
	"aggregates:\n  lat: { key: { pid: long } }\n  all: {}\n  by: { key: { k: long } }\n"
	"probes:\n"
	"  - on: kernel.function(\"vfs_read\")\n    store: { 'm[tid()]': 1 }\n"
	"  - on: timer.s(1)\n"
	"    emit: { record: tick, columns: { a: '@avg(all)', n: '@count(all)', l: '@min(lat[1])' } }\n"
	RET "    collect: { 'lat[pid()]': $return, all: $return, 'by[m[tid()]]': $return }\n"
	"    emit: { record: ev, columns: { a: '@avg(lat[pid()])', x: '@max(all)', b: '@sum(by[m[tid()]])',"
	" o: '@avg(lat[tid()])' } }\n";

static void test_probe_stat_guard(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, probe_stats, KV61);
	const lstmt *r = nth(&lw->probes[1], LS_RECORD, 0);
	assert_non_null(r);
	const expr *a = r->args[0];
	assert_int_equal(a->kind, E_TERNARY);
	assert_int_equal(a->a->kind, E_AGG);
	assert_int_equal(a->a->op, AGG_COUNT);
	assert_int_equal(a->c->kind, E_INT);
	assert_string_equal(txt(&t, a), "@count(all) ? @avg(all) : 0");
	assert_string_equal(txt(&t, r->args[1]), "@count(all)");
	assert_string_equal(txt(&t, r->args[2]), "@count(lat[1]) ? @min(lat[1]) : 0");
	/* the source map keeps the column as written */
	assert_ptr_equal(r->origins[0], t.out.spec->probes[1].emits[0].cols[0].e);
	done(&t);
}

static void test_probe_stat_after_collect(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, probe_stats, KV61);
	const lstmt *r = nth(&lw->probes[2], LS_RECORD, 0);
	assert_non_null(r);
	/* just collected into: not empty */
	assert_string_equal(txt(&t, r->args[0]), "@avg(lat[pid()])");
	assert_string_equal(txt(&t, r->args[1]), "@max(all)");
	/* a key that reads a map may have changed since: guarded */
	assert_string_equal(txt(&t, r->args[2]), "@count(by[m[tid()]]) ? @sum(by[m[tid()]]) : 0");
	/* another element of the same aggregate: guarded */
	assert_string_equal(txt(&t, r->args[3]), "@count(lat[tid()]) ? @avg(lat[tid()]) : 0");
	done(&t);
}

static void test_script_funcs(void **state)
{
	(void)state;
	lt t;
	int si = script_func_index("cmdline_quoted");
	assert_true(si >= 0);
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RET "    emit: { record: r, columns: { c: 'cmdline_quoted()' } }\n", KV61);
	assert_int_equal(lw->script_funcs, 1u << si);
	done(&t);
	lw = lower_text(&t, HEAD "probes:\n" RET "    emit: { record: r, columns: { c: 'execname()' } }\n",
			KV61);
	assert_int_equal(lw->script_funcs, 0);
	done(&t);
}

/* ---- conditions -------------------------------------------------------------- */

#define RQ "  - on: kernel.function(\"blk_mq_start_request\")\n"

static void test_defined_and_chain(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RQ
		"    emit: { record: r, when: 'pid() > 1 && @defined($rq->q) && $rq->q != 0 && $rq->tag >= 0',"
		" columns: { n: '1' } }\n",
		KV61);
	const expr *w = nth(&lw->probes[0], LS_RECORD, 0)->when;
	/* c1 && (@defined(x) ? rest : 0) */
	assert_int_equal(w->kind, E_BINARY);
	assert_int_equal(w->op, OP_AND);
	assert_string_equal(txt(&t, w->a), "pid() > 1");
	const expr *g = w->b;
	assert_int_equal(g->kind, E_TERNARY);
	assert_int_equal(g->a->kind, E_DEFINED);
	assert_string_equal(txt(&t, g->b), "$rq->q != 0 && $rq->tag >= 0");
	assert_int_equal(g->c->kind, E_INT);
	assert_int_equal(g->c->ival, 0);
	done(&t);
	/* the last link has nothing to guard */
	lw = lower_text(&t, HEAD "probes:\n" RQ
			"    emit: { record: r, when: 'pid() > 1 && @defined($rq)', columns: { n: '1' } }\n",
			KV61);
	assert_string_equal(txt(&t, nth(&lw->probes[0], LS_RECORD, 0)->when), "pid() > 1 && @defined($rq)");
	done(&t);
	/* a chain under `!` or in a ternary's branch is guarded too */
	lw = lower_text(&t, HEAD "probes:\n" RQ
			"    emit: { record: r, when: '!(@defined($rq) && $rq->tag > 0) || (pid() ? @defined($rq->q)"
			" && $rq->q != 0 : 0)', columns: { n: '1' } }\n",
			KV61);
	assert_string_equal(txt(&t, nth(&lw->probes[0], LS_RECORD, 0)->when),
			    "!(@defined($rq) ? $rq->tag > 0 : 0) || (pid() ? @defined($rq->q) ? $rq->q != 0 : 0 : 0)");
	done(&t);
}

static void test_defined_or_chain(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RQ
		"    emit: { record: r, when: '!@defined($rq) || $rq->tag < 0', columns: { n: '1' } }\n", KV61);
	const expr *w = nth(&lw->probes[0], LS_RECORD, 0)->when;
	assert_int_equal(w->kind, E_TERNARY);
	assert_int_equal(w->a->kind, E_DEFINED);
	assert_string_equal(txt(&t, w->b), "$rq->tag < 0");
	assert_int_equal(w->c->kind, E_INT);
	assert_int_equal(w->c->ival, 1);
	done(&t);
}

static void test_negate_comparison_and_not(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
		{ "pid() != 0", "pid() == 0" }, { "pid() == 0", "pid() != 0" },
		{ "pid() < 2", "pid() >= 2" },	{ "pid() >= 2", "pid() < 2" },
		{ "pid() > 2", "pid() <= 2" },	{ "pid() <= 2", "pid() > 2" },
		{ "!(pid() == 1)", "pid() == 1" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char text[512];
		snprintf(text, sizeof text, HEAD "probes:\n" RET "    where: '%s'\n" EMIT1, cases[i][0]);
		lt t;
		const lowered *lw = lower_text(&t, text, KV61);
		const lstmt *f = nth(&lw->probes[0], LS_FILTER, 0);
		assert_non_null(f);
		assert_int_equal(f->value->kind, E_BINARY);	/* no `!` added */
		assert_string_equal(txt(&t, f->value), cases[i][1]);
		assert_ptr_equal(f->origin, t.out.spec->probes[0].filters[0]);
		done(&t);
	}
}

static void test_negate_de_morgan(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RET "    where: '$return > 0 && !(pid() == 1 || $return < 2)'\n" EMIT1, KV61);
	const expr *v = nth(&lw->probes[0], LS_FILTER, 0)->value;
	assert_int_equal(v->kind, E_BINARY);
	assert_int_equal(v->op, OP_OR);
	assert_int_equal(v->b->kind, E_BINARY);
	assert_int_equal(v->b->op, OP_OR);	/* the `!` dropped, not pushed in */
	assert_string_equal(txt(&t, v), "$return <= 0 || (pid() == 1 || $return < 2)");
	done(&t);
}

static void test_negate_ternary_and_constant(void **state)
{
	(void)state;
	lt t;
	/* the @defined guard's ternary: each branch negated */
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RQ "    where: [ '@defined($rq) && $rq->tag > 0', '1' ]\n" EMIT1, KV61);
	const expr *v = nth(&lw->probes[0], LS_FILTER, 0)->value;
	assert_int_equal(v->kind, E_TERNARY);
	assert_string_equal(txt(&t, v), "@defined($rq) ? $rq->tag <= 0 : 1");
	const expr *c = nth(&lw->probes[0], LS_FILTER, 1)->value;
	assert_int_equal(c->kind, E_INT);
	assert_int_equal(c->ival, 0);
	done(&t);
}

static void test_negate_fallback(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RET "    where: [ '$return', 'pid() > 1 && $return' ]\n" EMIT1, KV61);
	const expr *a = nth(&lw->probes[0], LS_FILTER, 0)->value;
	assert_int_equal(a->kind, E_UNARY);
	assert_int_equal(a->op, OP_NOT);
	assert_int_equal(a->a->kind, E_TARGET);
	const expr *b = nth(&lw->probes[0], LS_FILTER, 1)->value;
	assert_int_equal(b->kind, E_UNARY);
	assert_int_equal(b->a->kind, E_BINARY);
	assert_int_equal(b->a->op, OP_AND);	/* no De Morgan: `$return` has no clean negation */
	done(&t);
}

/* ---- probe bodies ------------------------------------------------------------- */

static const char *const lets_spec =
	HEAD "state:\n  start: { key: [long], value: long }\n"
	"probes:\n"
	"  - on: kernel.function(\"vfs_read\")\n    store: { 'start[tid()]': gettimeofday_us() }\n"
	RET "    let:\n"
	"      t0: 'start[tid()]'\n"
	"      unused: 'pid() + 1'\n"
	"      n:\n"
	"        - { kernel: '< 5.0', value: '$return' }\n"
	"        - '$return + 0'\n"
	"    where: [ 't0 != 0', 'n > 0' ]\n"
	"    delete: [ 'start[tid()]' ]\n"
	"    emit: { record: r, columns: { n: n, d: 'gettimeofday_us() - t0' } }\n";

static void test_let_before_first_use(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, lets_spec, KV61);
	const lprobe *p = &lw->probes[1];
	/* t0, (its delete), its filter, then n, n's filter, the record */
	assert_string_equal(shape(&t, p), "LDFLFR");
	assert_string_equal(p->stmts[0].name, "t0");
	assert_string_equal(p->stmts[3].name, "n");
	for (unsigned i = 0; i < p->nstmts; i++)
		if (p->stmts[i].kind == LS_LET)
			assert_string_not_equal(p->stmts[i].name, "unused");
	done(&t);
}

static void test_let_kernel_alternative(void **state)
{
	(void)state;
	static const char *const kv[][2] = { { KV61, "$return + 0" }, { "4.19.0", "$return" } };
	for (size_t i = 0; i < 2; i++) {
		lt t;
		const lowered *lw = lower_text(&t, lets_spec, kv[i][0]);
		const lstmt *n = nth(&lw->probes[1], LS_LET, 1);
		assert_string_equal(n->name, "n");
		assert_int_equal(n->nalts, 0);
		assert_null(n->alts);
		assert_string_equal(txt(&t, n->value), kv[i][1]);
		done(&t);
	}
}

static void test_let_portable_alternatives(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, lets_spec, "portable");
	const lstmt *n = nth(&lw->probes[1], LS_LET, 1);
	assert_string_equal(n->name, "n");
	assert_null(n->value);
	assert_int_equal(n->nalts, 2);
	assert_true(n->alts[0].range->n > 0);
	assert_string_equal(txt(&t, n->alts[0].e), "$return");
	assert_int_equal(n->alts[1].range->n, 0);	/* every other kernel */
	assert_string_equal(txt(&t, n->alts[1].e), "$return + 0");
	done(&t);
}

static void test_delete_moved_up(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, lets_spec, KV61);
	const lprobe *p = &lw->probes[1];
	/* right after the only value that reads start[], before the filters:
	 * a filtered event clears its entry too */
	assert_int_equal(p->stmts[1].kind, LS_DELETE);
	assert_string_equal(txt(&t, p->stmts[1].target), "start[tid()]");
	assert_null(nth(p, LS_DELETE, 1));
	done(&t);
}

static void test_delete_stays(void **state)
{
	(void)state;
	lt t;
	/* a store into the map: deleting first would be undone */
	const lowered *lw = lower_text(&t,
		HEAD "state:\n  m: { key: [long], value: long }\n"
		"probes:\n  - on: kernel.function(\"vfs_read\")\n"
		"    let: { v: 'm[tid()]' }\n    where: 'v >= 0'\n"
		"    store: { 'm[tid()]': 'v + 1' }\n    delete: [ 'm[tid()]' ]\n", KV61);
	assert_string_equal(shape(&t, &lw->probes[0]), "LFSD");
	done(&t);
	/* a filter reads the map */
	lw = lower_text(&t,
		HEAD "state:\n  m: { key: [long], value: long }\n"
		"probes:\n  - on: kernel.function(\"vfs_read\")\n    store: { 'm[tid()]': 1 }\n"
		RET "    let: { v: 'm[tid()]' }\n    where: [ 'v > 0', '[tid()] in m' ]\n"
		"    delete: [ 'm[tid()]' ]\n    emit: { record: r, columns: { v: v } }\n", KV61);
	assert_string_equal(shape(&t, &lw->probes[1]), "LFFRD");
	done(&t);
}

static const char *const opens_spec =
	HEAD "state:\n  names: { key: [long], value: string }\n"
	"probes:\n"
	"  - on: kernel.function(\"do_sys_openat2\")\n"
	"    store: { 'names[tid()]': 'user_string_quoted($filename)' }\n"
	"  - on: kernel.function(\"do_sys_openat2\").return\n"
	"    let: { fd: $return, name: 'names[tid()]', flags: '@entry($how->flags)', err: 'errno_str(fd)' }\n"
	"    emit:\n"
	"      - { record: open, when: 'fd >= 0', columns: { fd: fd, flags: flags, path: name } }\n"
	"      - { record: open_failed, when: 'fd < 0', columns: { error: err, path: name } }\n";

static void test_shared_value_hoisted(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, opens_spec, KV61);
	const lprobe *p = &lw->probes[1];
	/* name: printed by both branches of an if/else, computed once before
	 * (and fd before it: `when` needs it) */
	assert_string_equal(shape(&t, p), "LLRR");
	assert_string_equal(p->stmts[0].name, "name");
	assert_string_equal(p->stmts[1].name, "fd");
	done(&t);
	/* not when no record is sure to be printed */
	lw = lower_text(&t,
		HEAD "probes:\n" RET "    let: { f: '$file->f_flags' }\n    emit:\n"
		"      - { record: a, when: '$return < 0', columns: { f: f } }\n"
		"      - { record: b, when: '$return > 0', columns: { f: f } }\n", KV61);
	assert_string_equal(shape(&t, &lw->probes[0]), "RR");
	done(&t);
}

static void test_record_when_inner(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "probes:\n" RET "    let: { ret: $return, f: '$file->f_flags' }\n    emit:\n"
		"      - { record: neg, when: 'ret < 0', columns: { ret: ret } }\n"
		"      - { record: pos, when: 'ret > 0', columns: { ret: ret, f: f } }\n"
		"      - { record: all, columns: { f: f } }\n", KV61);
	const lprobe *p = &lw->probes[0];
	/* ret for the first `when`; f inside `pos`, again before `all` */
	assert_string_equal(shape(&t, p), "LRRLR");
	const lstmt *neg = &p->stmts[1], *pos = &p->stmts[2], *all = &p->stmts[4];
	assert_int_equal(neg->ninner, 0);
	assert_false(neg->els);
	assert_int_equal(pos->ninner, 1);
	assert_int_equal(pos->inner[0].kind, LS_LET);
	assert_string_equal(pos->inner[0].name, "f");
	assert_false(pos->els);	/* `ret > 0` is no negation of `ret < 0` */
	assert_null(all->when);
	assert_string_equal(p->stmts[3].name, "f");
	assert_ptr_equal(all->rec, record_event_kind(&t.rs, "all"));
	done(&t);
}

static void test_record_else(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, opens_spec, KV61);
	const lstmt *a = nth(&lw->probes[1], LS_RECORD, 0), *b = nth(&lw->probes[1], LS_RECORD, 1);
	assert_false(a->els);
	assert_true(b->els);
	assert_int_equal(a->ninner, 1);
	assert_string_equal(a->inner[0].name, "flags");
	assert_int_equal(b->ninner, 1);
	assert_string_equal(b->inner[0].name, "err");
	assert_ptr_equal(a->rec, record_event_kind(&t.rs, "open"));
	assert_ptr_equal(b->rec, record_event_kind(&t.rs, "open_failed"));
	done(&t);
}

/* ---- bindings of a probe's alternatives ------------------------------------ */

static const char *const bindings_spec =
	HEAD "probes:\n"
	"  - on:\n      first:\n"
	"        - point: kernel.trace(\"tcp:tcp_retransmit_skb\")\n"
	"          kernel: \">= 4.16\"\n"
	"          let: { sk: $sk, skb: $skb }\n"
	"        - point: kprobe.function(\"tcp_retransmit_skb\")\n"
	"          let:\n"
	"            sk: pointer_arg(1)\n"
	"            skb:\n"
	"              - { kernel: \">= 4.0\", value: pointer_arg(2) }\n"
	"              - '0'\n"
	"    where: sk != 0\n"
	"    emit: { record: r, columns: { len: '@cast(skb, \"sk_buff\", \"kernel<linux/skbuff.h>\")->len' } }\n"
	"  - on: timer.s(1)\n    emit: { record: tick, columns: { n: '1' } }\n";

static void test_bindings_per_point(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, bindings_spec, KV61);
	const lprobe *p = &lw->probes[0];
	assert_non_null(p->points);
	for (unsigned j = 0; j < 2; j++) {
		assert_int_equal(p->points[j].nstmts, 2);
		assert_int_equal(p->points[j].stmts[0].kind, LS_LET);
		assert_string_equal(p->points[j].stmts[0].name, "sk");
		assert_string_equal(p->points[j].stmts[1].name, "skb");
	}
	assert_string_equal(txt(&t, p->points[0].stmts[0].value), "$sk");
	assert_string_equal(txt(&t, p->points[1].stmts[0].value), "pointer_arg(1)");
	/* the body reads them; it computes none itself */
	assert_string_equal(shape(&t, p), "FR");
	/* a probe whose points bind nothing */
	assert_null(lw->probes[1].points);
	done(&t);
}

static void test_bindings_alternatives(void **state)
{
	(void)state;
	static const char *const kv[][2] = { { KV61, "pointer_arg(2)" }, { "3.10.0", "0" } };
	for (size_t i = 0; i < 2; i++) {
		lt t;
		const lowered *lw = lower_text(&t, bindings_spec, kv[i][0]);
		const lstmt *skb = &lw->probes[0].points[1].stmts[1];
		assert_int_equal(skb->nalts, 0);
		assert_string_equal(txt(&t, skb->value), kv[i][1]);
		done(&t);
	}
	lt t;
	const lowered *lw = lower_text(&t, bindings_spec, "portable");
	const lstmt *skb = &lw->probes[0].points[1].stmts[1];
	assert_null(skb->value);
	assert_int_equal(skb->nalts, 2);
	assert_string_equal(txt(&t, skb->alts[0].e), "pointer_arg(2)");
	assert_int_equal(skb->alts[1].range->n, 0);
	/* one without alternatives: as written, portable or not */
	assert_string_equal(txt(&t, lw->probes[0].points[1].stmts[0].value), "pointer_arg(1)");
	done(&t);
}

/* ---- exit, and the kernel -------------------------------------------------- */

static void test_exit(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t,
		HEAD "params:\n  count: { type: int, default: 10, help: h }\n"
		"state:\n  seen: { value: long }\n"
		"probes:\n"
		"  - on: vfs.read\n    store: { seen: seen + 1 }\n"
		"    emit: { record: read, columns: { pid: pid() } }\n"
		"    exit: 'count > 0 && seen >= count'\n"
		"  - on: timer.s(60)\n    exit: 1\n"
		"  - on: timer.s(61)\n    exit: 0\n"
		"  - on: kernel.function(\"blk_mq_start_request\")\n    exit: '@defined($rq) && $rq->tag == 7'\n",
		KV61);
	/* after the event's records */
	assert_string_equal(shape(&t, &lw->probes[0]), "SRX");
	const lstmt *x = &lw->probes[0].stmts[2];
	assert_string_equal(txt(&t, x->value), "count > 0 && seen >= count");	/* not negated */
	assert_ptr_equal(x->origin, t.out.spec->probes[0].exit_when);
	/* exit: 1 is a plain exit(), exit: 0 none */
	assert_string_equal(shape(&t, &lw->probes[1]), "X");
	assert_null(lw->probes[1].stmts[0].value);
	assert_string_equal(shape(&t, &lw->probes[2]), "");
	/* a condition, guarded as any */
	assert_string_equal(txt(&t, lw->probes[3].stmts[0].value), "@defined($rq) ? $rq->tag == 7 : 0");
	done(&t);
}

static void test_kernel_of_lowering(void **state)
{
	(void)state;
	lt t;
	const lowered *lw = lower_text(&t, lets_spec, KV61);
	assert_false(lw->portable);
	assert_int_equal(lw->kv[0], 6);
	assert_int_equal(lw->kv[1], 1);
	assert_int_equal(lw->kv[2], 0);
	assert_ptr_equal(lw->s, t.out.spec);
	done(&t);
	lw = lower_text(&t, lets_spec, "portable");
	assert_true(lw->portable);
	done(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_row_key_index),
		cmocka_unit_test(test_row_guard_other_aggregate),
		cmocka_unit_test(test_row_scalar_aggregate),
		cmocka_unit_test(test_row_state_map_value),
		cmocka_unit_test(test_report_sort_direct),
		cmocka_unit_test(test_report_sort_total),
		cmocka_unit_test(test_report_sort_sizes),
		cmocka_unit_test(test_loop_var_renamed),
		cmocka_unit_test(test_report_histogram),
		cmocka_unit_test(test_probe_stat_guard),
		cmocka_unit_test(test_probe_stat_after_collect),
		cmocka_unit_test(test_script_funcs),
		cmocka_unit_test(test_defined_and_chain),
		cmocka_unit_test(test_defined_or_chain),
		cmocka_unit_test(test_negate_comparison_and_not),
		cmocka_unit_test(test_negate_de_morgan),
		cmocka_unit_test(test_negate_ternary_and_constant),
		cmocka_unit_test(test_negate_fallback),
		cmocka_unit_test(test_let_before_first_use),
		cmocka_unit_test(test_let_kernel_alternative),
		cmocka_unit_test(test_let_portable_alternatives),
		cmocka_unit_test(test_delete_moved_up),
		cmocka_unit_test(test_delete_stays),
		cmocka_unit_test(test_shared_value_hoisted),
		cmocka_unit_test(test_record_when_inner),
		cmocka_unit_test(test_record_else),
		cmocka_unit_test(test_bindings_per_point),
		cmocka_unit_test(test_bindings_alternatives),
		cmocka_unit_test(test_exit),
		cmocka_unit_test(test_kernel_of_lowering),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
