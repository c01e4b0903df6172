/* stapgen_compile, the lowering pass and the spec walker: the checked spec
 * is only read after checking, compiling is repeatable, and walks over a
 * probe's expressions see all of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "compile/compile.h"
#include "emit/emit.h"
#include "lower/lower.h"

/* Every feature the lowering pass rewrites: values with kernel
 * alternatives used late, negated filters, deletes moved up, reports over
 * several aggregates (guards), a scalar aggregate in keyed rows. */
static const char *const busy_spec =
	"tool: busy\nsummary: s\n"
	"params:\n  top: { type: int, default: 5, help: h }\n"
	"state:\n  start: { key: [long], value: long }\n"
	"aggregates:\n"
	"  reads: { key: { pid: long } }\n"
	"  writes: { key: { pid: long } }\n"
	"  total: {}\n"
	"probes:\n"
	"  - on: kernel.function(\"vfs_read\")\n"
	"    store: { 'start[tid()]': gettimeofday_us() }\n"
	"  - on: kernel.function(\"vfs_read\").return\n"
	"    let:\n"
	"      t0: 'start[tid()]'\n"
	"      n:\n"
	"        - { kernel: '< 5.0', value: '$return' }\n"
	"        - '$return + 0'\n"
	"    where: [ 't0 != 0', 'n > 0 && !(pid() == 1 || n < 2)' ]\n"
	"    collect: { 'reads[pid()]': n, 'writes[pid()]': n, total: n }\n"
	"    delete: [ 'start[tid()]' ]\n"
	"    emit: { record: r, columns: { n: n, d: 'gettimeofday_us() - t0' } }\n"
	"reports:\n"
	"  - name: top\n    every: 2s\n    from: [reads, writes]\n"
	"    sort: { by: '@sum(reads) + @sum(writes)', order: desc }\n    limit: top\n"
	"    columns: { pid: pid, r: '@sum(reads)', w: '@max(writes)', all: '@sum(total)' }\n"
	"  - name: one\n    from: reads\n    sort: '@count(reads)'\n"
	"    columns: { pid: pid, c: '@count(reads)', a: '@avg(total)' }\n";

/* Several records per probe, under `when` (an if/else pair, values only
 * one branch prints), and one record kind emitted by two probes. */
static const char *const opens_spec =
	"tool: opens\nsummary: s\n"
	"state:\n  names: { key: [long], value: string }\n"
	"probes:\n"
	"  - on: kernel.function(\"do_sys_openat2\")\n"
	"    store: { 'names[tid()]': 'user_string_quoted($filename)' }\n"
	"  - on: kernel.function(\"do_sys_openat2\").return\n"
	"    let: { fd: $return, name: 'names[tid()]', flags: '@entry($how->flags)', err: 'errno_str(fd)' }\n"
	"    where: '[tid()] in names'\n"
	"    delete: [ 'names[tid()]' ]\n"
	"    emit:\n"
	"      - { record: open, when: 'fd >= 0', columns: { fd: fd, flags: flags, path: name } }\n"
	"      - { record: open_failed, when: 'fd < 0', columns: { error: err, path: name } }\n"
	"  - on: kernel.function(\"do_sys_open\").return\n"
	"    emit:\n"
	"      record: open\n"
	"      when: '$return >= 0'\n"
	"      columns: { fd: $return, flags: '@entry($flags)', path: 'user_string_quoted(@entry($filename))' }\n";

/* ---- a structural dump of a checked spec ---------------------------------- */

static void dump_expr(strbuf *sb, const expr *e, int depth)
{
	if (!e) {
		sb_puts(sb, "-");
		return;
	}
	sb_printf(sb, "(%p k%d op%d t%d b%d %p %s %s %lld %zu:", (const void *)e, e->kind, e->op,
		  e->type, e->bind, e->bind_ptr, e->name ? e->name : "", e->emit_name ? e->emit_name : "",
		  (long long)e->ival, e->nargs);
	if (e->sval)
		sb_putn(sb, e->sval, e->slen);
	sb_printf(sb, " @%u:%u/%u:%u ", e->loc.line, e->loc.col, e->span.line, e->span.col);
	dump_expr(sb, e->a, depth + 1);
	dump_expr(sb, e->b, depth + 1);
	dump_expr(sb, e->c, depth + 1);
	for (size_t i = 0; i < e->nargs; i++)
		dump_expr(sb, e->args[i], depth + 1);
	sb_puts(sb, ")");
}

static void dump_site(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	strbuf *sb = ctx;
	sb_printf(sb, "\n  site %d[%u] ", site, idx);
	dump_expr(sb, e, 0);
}

static void dump_spec(strbuf *sb, const spec *s)
{
	for (unsigned i = 0; i < s->nprobes; i++) {
		const spec_probe *p = &s->probes[i];
		sb_printf(sb, "probe %u points %u\n", i, p->npoints);
		for (unsigned j = 0; j < p->nlets; j++)
			sb_printf(sb, "  let %s used %d e %p nalts %u\n", p->lets[j].name, p->lets[j].used,
				  (const void *)p->lets[j].e, p->lets[j].nalts);
		for (unsigned j = 0; j < p->nstores; j++)
			sb_printf(sb, "  store map %p\n", (const void *)p->stores[j].map);
		for (unsigned j = 0; j < p->ncollects; j++)
			sb_printf(sb, "  collect map %p\n", (const void *)p->collects[j].map);
		for (unsigned k = 0; k < p->nemits; k++) {
			sb_printf(sb, "  emit %s when %p\n", p->emits[k].record, (const void *)p->emits[k].when);
			for (unsigned j = 0; j < p->emits[k].ncols; j++)
				sb_printf(sb, "  col %s type %d\n", p->emits[k].cols[j].name,
					  p->emits[k].cols[j].type);
		}
		probe_exprs(p, dump_site, sb);
		sb_putc(sb, '\n');
	}
	for (unsigned i = 0; i < s->nreports; i++) {
		const spec_report *r = &s->reports[i];
		sb_printf(sb, "report %s sort %p\n", r->name, (const void *)r->sort);
		for (unsigned j = 0; j < r->nfrom; j++)
			sb_printf(sb, "  from %p\n", (const void *)r->from_maps[j]);
		for (unsigned j = 0; j < r->ncols; j++)
			sb_printf(sb, "  col %s type %d e %p\n", r->cols[j].name, r->cols[j].type,
				  (const void *)r->cols[j].e);
		report_exprs(r, dump_site, sb);
		sb_putc(sb, '\n');
	}
}

static void dump_checked(const spec *s, diag_sink *d, void *ctx)
{
	(void)d;
	dump_spec(ctx, s);
}

typedef struct compiled {
	arena a;
	char *diag;
	size_t diaglen;
	int rc;
	stapgen_output out;
} compiled;

static void compile(compiled *c, const char *text, const char *kver, strbuf *checked_dump)
{
	memset(c, 0, sizeof *c);
	arena_init(&c->a);
	FILE *f = open_memstream(&c->diag, &c->diaglen);
	diag_sink d;
	diag_init(&d, f);
	char *copy = arena_strdup(&c->a, text);
	source *src = source_new(&c->a, "t.yaml", copy, strlen(copy));
	stapgen_options o = { .kver = kver };
	if (checked_dump) {
		o.on_checked = dump_checked;
		o.ctx = checked_dump;
	}
	c->rc = stapgen_compile(&c->a, src, &d, &o, &c->out);
	fclose(f);
}

static void done(compiled *c)
{
	free(c->diag);
	stapgen_output_free(&c->out);
	arena_free(&c->a);
}

/* Emitting reads the checked spec and writes nothing to it: the spec is
 * the same, node for node, before and after lowering and emitting. */
static void test_checked_spec_unchanged(void **state)
{
	(void)state;
	static const char *const kvers[] = { "6.1.0-56-cloud-amd64", "portable", "4.19.0" };
	for (size_t k = 0; k < sizeof kvers / sizeof *kvers; k++) {
		strbuf before = STRBUF_INIT, after = STRBUF_INIT;
		compiled c;
		compile(&c, busy_spec, kvers[k], &before);
		assert_string_equal(c.diag ? c.diag : "", "");
		assert_int_equal(c.rc, 0);
		/* the rewrites happened (in the lowered copy) */
		assert_non_null(strstr(sb_str(&c.out.stp), "[pid] in reads ? @sum(reads[pid]) : 0"));
		assert_non_null(strstr(sb_str(&c.out.stp), "@count(total) ? @avg(total) : 0"));
		dump_spec(&after, c.out.spec);
		assert_string_equal(sb_str(&before), sb_str(&after));
		/* and once more from the same checked spec */
		record_set rs = records_of(&c.a, c.out.spec);
		strbuf again = STRBUF_INIT;
		emit_opts eo = { kvers[k], "t.yaml", NULL, c.out.set_id };
		emit_stp(&again, &c.a, plan_build(&c.a, c.out.spec, &rs, kvers[k]), &eo);
		assert_string_equal(sb_str(&again), sb_str(&c.out.stp));
		sb_free(&after);
		dump_spec(&after, c.out.spec);
		assert_string_equal(sb_str(&before), sb_str(&after));
		sb_free(&again);
		sb_free(&before);
		sb_free(&after);
		done(&c);
	}
}

/* Compiling the same text twice gives the same files. */
static void test_compile_twice(void **state)
{
	(void)state;
	compiled c1, c2;
	compile(&c1, busy_spec, "portable", NULL);
	compile(&c2, busy_spec, "portable", NULL);
	assert_int_equal(c1.rc, 0);
	assert_int_equal(c2.rc, 0);
	assert_string_equal(sb_str(&c1.out.stp), sb_str(&c2.out.stp));
	assert_string_equal(sb_str(&c1.out.map), sb_str(&c2.out.map));
	assert_string_equal(sb_str(&c1.out.parser), sb_str(&c2.out.parser));
	assert_string_equal(sb_str(&c1.out.command), sb_str(&c2.out.command));
	assert_string_equal(sb_str(&c1.out.doc), sb_str(&c2.out.doc));
	done(&c1);
	done(&c2);
}

/* Lowering, checked on the text: values come right before their first use,
 * a filter is negated readably, and the delete moves up before the filters
 * once the only value reading the map is computed. */
static void test_lowered_order(void **state)
{
	(void)state;
	compiled c;
	compile(&c, busy_spec, "6.1.0-56-cloud-amd64", NULL);
	const char *t = sb_str(&c.out.stp);
	const char *t0 = strstr(t, "\tt0 = start[tid()]\n");
	const char *del = strstr(t, "\tdelete start[tid()]\n");
	const char *f1 = strstr(t, "\tif (t0 == 0)\n");
	const char *n = strstr(t, "\tn = $return + 0\n");
	const char *f2 = strstr(t, "\tif (n <= 0 || (pid() == 1 || n < 2))\n");
	assert_non_null(t0);
	assert_non_null(del);
	assert_non_null(f1);
	assert_non_null(n);
	assert_non_null(f2);
	assert_true(t0 < del && del < f1 && f1 < n && n < f2);
	done(&c);
}

/* A delete stays after a store into the same map: moving it up would
 * delete the entry before the store writes it again. */
static void test_delete_after_store(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\n"
		"state:\n  m: { key: [long], value: long }\n"
		"probes:\n"
		"  - on: kernel.function(\"vfs_read\")\n"
		"    let: { v: 'm[tid()]' }\n"
		"    where: 'v >= 0'\n"
		"    store: { 'm[tid()]': 'v + 1' }\n"
		"    delete: [ 'm[tid()]' ]\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	const char *st = strstr(t, "\tm[tid()] = v + 1\n");
	const char *del = strstr(t, "\tdelete m[tid()]\n");
	assert_non_null(st);
	assert_non_null(del);
	assert_true(st < del);
	done(&c);
}

/* One record kind however many probes emit it; an if/else pair with the
 * values each branch alone prints inside it, the values both print before. */
static void test_emit_list_and_shared_record(void **state)
{
	(void)state;
	static const char *const kvers[] = { "6.1.0-56-cloud-amd64", "portable" };
	for (size_t v = 0; v < sizeof kvers / sizeof *kvers; v++) {
		strbuf before = STRBUF_INIT, after = STRBUF_INIT;
		compiled c;
		compile(&c, opens_spec, kvers[v], &before);
		assert_string_equal(c.diag ? c.diag : "", "");
		assert_int_equal(c.rc, 0);
		record_set rs = records_of(&c.a, c.out.spec);
		assert_int_equal(rs.nkinds, 2);
		assert_string_equal(rs.kinds[0].name, "open");
		assert_int_equal(rs.kinds[0].nfields, 3);
		assert_ptr_equal(rs.kinds[0].probe, &c.out.spec->probes[1]);
		assert_string_equal(rs.kinds[1].name, "open_failed");
		assert_int_equal(rs.kinds[0].nemits, 2);
		assert_ptr_equal(rs.kinds[0].emits[0], &c.out.spec->probes[1].emits[0]);
		assert_ptr_equal(rs.kinds[0].emits[1], &c.out.spec->probes[2].emits[0]);
		assert_int_equal(rs.kinds[1].nemits, 1);
		assert_int_equal(rs.nevents, 2);
		assert_ptr_equal(record_event_kind(&rs, "open"), &rs.kinds[0]);
		assert_ptr_equal(record_event_kind(&rs, "open_failed"), &rs.kinds[1]);
		assert_null(record_event_kind(&rs, "nosuch"));

		const lowered *lw = lower_spec(&c.a, c.out.spec, &rs, kvers[v]);
		const lprobe *lp = &lw->probes[1];
		const lstmt *recs[2] = { NULL, NULL };
		unsigned nrec = 0;
		for (unsigned i = 0; i < lp->nstmts; i++)
			if (lp->stmts[i].kind == LS_RECORD && nrec < 2)
				recs[nrec++] = &lp->stmts[i];
		assert_int_equal(nrec, 2);
		assert_ptr_equal(recs[0]->rec, &rs.kinds[0]);
		assert_ptr_equal(recs[1]->rec, &rs.kinds[1]);
		assert_non_null(recs[0]->when);
		assert_false(recs[0]->els);
		assert_true(recs[1]->els);
		assert_int_equal(recs[0]->ninner, 1);
		assert_string_equal(recs[0]->inner[0].name, "flags");
		assert_int_equal(recs[1]->ninner, 1);
		assert_string_equal(recs[1]->inner[0].name, "err");
		/* the record's columns as written, for the source map */
		assert_ptr_equal(recs[1]->origins[1], c.out.spec->probes[1].emits[1].cols[1].e);
		/* the second probe's `open`: its own values, the same kind */
		const lprobe *lp2 = &lw->probes[2];
		assert_int_equal(lp2->nstmts, 1);
		assert_ptr_equal(lp2->stmts[0].rec, &rs.kinds[0]);
		assert_false(lp2->stmts[0].els);

		const char *t = sb_str(&c.out.stp);
		const char *name = strstr(t, "\tname = names[tid()]\n");
		const char *fd = strstr(t, "\tfd = $return\n");
		const char *ifp = strstr(t, "\tif (fd >= 0) {\n\t\tflags = @entry($how->flags)\n\t\tprintf(\"@open\\t%d\\t%d\\t%s\\n\", fd, flags, text_str(name))\n");
		const char *els = strstr(t, "\t} else {\n\t\terr = errno_str(fd)\n\t\tprintf(\"@open_failed\\t%s\\t%s\\n\", text_str(err), text_str(name))\n\t}\n");
		const char *del = strstr(t, "\tdelete names[tid()]\n");
		assert_non_null(name);
		assert_non_null(fd);
		assert_non_null(ifp);
		assert_non_null(els);
		assert_non_null(del);
		assert_true(name < fd && fd < ifp && ifp < els && els < del);
		assert_non_null(strstr(t, "\tif ($return >= 0)\n\t\tprintf(\"@open\\t%d\\t%d\\t%s\\n\",\n"));
		/* one record kind in the parser */
		const char *ps = sb_str(&c.out.parser);
		const char *d1 = strstr(ps, "static void opens_decode_open(");
		const char *s1 = strstr(ps, "typedef struct opens_rec_open {");
		assert_non_null(d1);
		assert_non_null(s1);
		assert_null(strstr(d1 + 1, "static void opens_decode_open("));
		assert_null(strstr(s1 + 1, "typedef struct opens_rec_open {"));
		/* the doc page says when each record is printed */
		assert_non_null(strstr(sb_str(&c.out.doc),
				       "`@open`: one record per event for which `fd >= 0` or `$return >= 0`.\n"));
		assert_non_null(strstr(sb_str(&c.out.doc),
				       "`@open_failed`: one record per event for which `fd < 0`.\n"));
		/* lowering wrote nothing into the checked spec */
		dump_spec(&after, c.out.spec);
		assert_string_equal(sb_str(&before), sb_str(&after));
		sb_free(&before);
		sb_free(&after);
		done(&c);
	}
}

/* Records under conditions that are not an if/else pair are separate ifs;
 * a value only some of them print is computed in each branch that does. */
static void test_emit_separate_ifs(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\n"
		"probes:\n"
		"  - on: kernel.function(\"vfs_read\").return\n"
		"    let: { ret: $return, f: '$file->f_flags' }\n"
		"    emit:\n"
		"      - { record: neg, when: 'ret < 0', columns: { ret: ret } }\n"
		"      - { record: pos, when: 'ret > 0', columns: { ret: ret, f: f } }\n"
		"      - { record: all, columns: { f: f } }\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_string_equal(c.diag ? c.diag : "", "");
	assert_non_null(strstr(sb_str(&c.out.stp),
			       "\tret = $return\n"
			       "\tif (ret < 0)\n"
			       "\t\tprintf(\"@neg\\t%d\\n\", ret)\n"
			       "\tif (ret > 0) {\n"
			       "\t\tf = $file->f_flags\n"
			       "\t\tprintf(\"@pos\\t%d\\t%d\\n\", ret, f)\n"
			       "\t}\n"
			       "\tf = $file->f_flags\n"
			       "\tprintf(\"@all\\t%d\\n\", f)\n"));
	done(&c);
}

/* ---- the walker ------------------------------------------------------------ */

static void count_site(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	(void)e;
	(void)idx;
	((unsigned *)ctx)[site]++;
}

static void test_walker_sees_every_site(void **state)
{
	(void)state;
	compiled c;
	compile(&c, busy_spec, "6.1.0-56-cloud-amd64", NULL);
	unsigned n[SX_REPORT_COLUMN + 1] = { 0 };
	for (unsigned i = 0; i < c.out.spec->nprobes; i++)
		probe_exprs(&c.out.spec->probes[i], count_site, n);
	for (unsigned i = 0; i < c.out.spec->nreports; i++)
		report_exprs(&c.out.spec->reports[i], count_site, n);
	assert_int_equal(n[SX_LET], 3);	/* t0, and both alternatives of n */
	assert_int_equal(n[SX_FILTER], 2);
	assert_int_equal(n[SX_STORE_TARGET], 1);
	assert_int_equal(n[SX_STORE_VALUE], 1);
	assert_int_equal(n[SX_COLLECT_TARGET], 3);
	assert_int_equal(n[SX_COLLECT_VALUE], 3);
	assert_int_equal(n[SX_DELETE], 1);
	assert_int_equal(n[SX_EMIT_COLUMN], 2);
	assert_int_equal(n[SX_REPORT_SORT], 2);
	assert_int_equal(n[SX_REPORT_COLUMN], 7);
	assert_int_equal(n[SX_EMIT_WHEN], 0);
	assert_int_equal(n[SX_EXIT], 0);
	done(&c);
	/* every record's condition and columns */
	compile(&c, opens_spec, "6.1.0-56-cloud-amd64", NULL);
	memset(n, 0, sizeof n);
	for (unsigned i = 0; i < c.out.spec->nprobes; i++)
		probe_exprs(&c.out.spec->probes[i], count_site, n);
	assert_int_equal(n[SX_EMIT_WHEN], 3);
	assert_int_equal(n[SX_EMIT_COLUMN], 8);
	done(&c);
}

/* The command's -p (offered where target() is used) loads user-space
 * symbols whenever any expression symbolizes user addresses, wherever it
 * sits (here: only in a filter and in a value's second alternative). */
static void test_user_symbols_anywhere(void **state)
{
	(void)state;
	static const char *const specs[] = {
		"tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
		"    where: [ 'usymname(uaddr()) != \"\"', 'pid() == target()' ]\n"
		"    emit: { record: r, columns: { a: '1' } }\n",
		"tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
		"    where: pid() == target()\n"
		"    let:\n      v:\n        - { kernel: '< 3.0', value: '\"\"' }\n"
		"        - 'sprint_ustack(ubacktrace())'\n"
		"    emit: { record: r, columns: { v: v } }\n",
	};
	for (size_t i = 0; i < sizeof specs / sizeof *specs; i++) {
		compiled c;
		compile(&c, specs[i], "6.1.0-56-cloud-amd64", NULL);
		assert_string_equal(c.diag ? c.diag : "", "");
		assert_non_null(strstr(sb_str(&c.out.command), "sg_usyms=1"));
		done(&c);
	}
}

/* A report over one aggregate sorted by another's statistic (or by an
 * expression) sorts through a temporary array, declared global; the other
 * aggregate may lack a row's key, so it is guarded. */
static void test_sort_by_other_aggregate(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\naggregates:\n"
		"  reads: { key: { pid: long } }\n  writes: { key: { pid: long } }\n"
		"probes:\n  - on: timer.profile\n    collect: { 'reads[pid()]': 1, 'writes[pid()]': 1 }\n"
		"reports:\n"
		"  - { name: a, from: reads, sort: '@sum(writes)', columns: { pid: pid, w: '@sum(writes)' } }\n"
		"  - { name: b, from: reads, sort: '@sum(reads) * 2', columns: { pid: pid } }\n"
		"  - { name: c, from: reads, sort: '@sum(reads)', columns: { pid: pid } }\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	assert_non_null(strstr(t, "global _a_sort\nglobal _b_sort\n\n"));
	assert_null(strstr(t, "_c_sort"));
	assert_non_null(strstr(t, "\t\t_a_sort[pid] = [pid] in writes ? @sum(writes[pid]) : 0\n"
				  "\tforeach ([pid] in _a_sort-)\n"
				  "\t\tprintf(\"@a\\t%d\\t%d\\n\", pid, [pid] in writes ? @sum(writes[pid]) : 0)\n"));
	assert_non_null(strstr(t, "\t\t_b_sort[pid] = @sum(reads[pid]) * 2\n"));
	assert_non_null(strstr(t, "\tforeach ([pid] in reads @sum-)\n"));
	done(&c);
}

/* ---- item 6: limit 0, required parameters --------------------------------- */

static void test_limit_zero_means_all(void **state)
{
	(void)state;
	compiled c;
	compile(&c,
		"tool: t\nsummary: s\nparams:\n  top: { default: 0, help: h, flag: -l }\n"
		"aggregates:\n  a: { key: { pid: long } }\n"
		"probes:\n  - on: timer.profile\n    collect: { 'a[pid()]': 1 }\n"
		"reports:\n"
		"  - { name: p, from: a, limit: top, columns: { pid: pid } }\n"
		"  - { name: z, from: a, limit: 0, columns: { pid: pid } }\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	/* stap's `limit 0` prints nothing: 0 must mean no limit */
	assert_non_null(strstr(t, "foreach ([pid] in a limit (top ? top : 0x7fffffffffffffff))\n"));
	const char *z = strstr(t, "function _report_z()");
	assert_non_null(z);
	assert_null(strstr(z, "limit"));
	done(&c);
	compile(&c,
		"tool: t\nsummary: s\naggregates:\n  a: { key: { pid: long } }\n"
		"probes:\n  - on: timer.profile\n    collect: { 'a[pid()]': 1 }\n"
		"reports:\n  - { name: z, from: a, limit: -1, columns: { pid: pid } }\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "'limit' must be 0 (all rows) or more"));
	done(&c);
}

static const char *const required_spec =
	"tool: req\nsummary: s\nparams:\n"
	"  port: { type: int, required: true, help: Local port, flag: --port }\n"
	"  who: { type: string, required: true, help: Command }\n"
	"probes:\n  - on: kernel.function(\"vfs_read\")\n"
	"    where: 'port == 0 || execname() == who'\n"
	"    emit: { record: r, columns: { p: pid() } }\n";

/* Runs the generated command with args; returns its exit status, stderr in err. */
static int run_command(const compiled *c, const char *args, char *err, size_t errsz)
{
	char dir[] = "/tmp/stapgen-cmd-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[128], cmd[512];
	snprintf(path, sizeof path, "%s/req", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(sb_str(&c->out.command), f);
	fclose(f);
	/* the runtime it sources, where stapgen writes it */
	snprintf(path, sizeof path, "%s/lib", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof path, "%s/lib/stapgen-cmd.sh", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(stapgen_cmd_runtime, 1, stapgen_cmd_runtime_len, f), stapgen_cmd_runtime_len);
	fclose(f);
	snprintf(path, sizeof path, "%s/req", dir);
	/* a stap that says it was reached */
	snprintf(cmd, sizeof cmd, "printf '#!/bin/sh\\nexit 42\\n' >%s/stap && chmod +x %s/stap", dir, dir);
	assert_int_equal(system(cmd), 0);
	snprintf(cmd, sizeof cmd, "PATH=%s:$PATH /bin/sh %s %s 2>%s/err >/dev/null", dir, path, args,
		 dir);
	int rc = system(cmd);
	snprintf(path, sizeof path, "%s/err", dir);
	f = fopen(path, "r");
	size_t n = f ? fread(err, 1, errsz - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static void test_required_params(void **state)
{
	(void)state;
	compiled c;
	compile(&c, required_spec, "6.1.0-56-cloud-amd64", NULL);
	assert_string_equal(c.diag ? c.diag : "", "");
	const char *t = sb_str(&c.out.stp);
	/* the script: an unset value, checked before the run starts */
	assert_non_null(strstr(t, "global port = 0x8000000000000000\t# required\n"));
	const char *b = strstr(t, "probe begin\n{\n\tif (port == 0x8000000000000000)\n"
				  "\t\terror(\"req: parameter port is required (--port, or stap -G port=VALUE)\")\n"
				  "\tif (who == \"\")\n"
				  "\t\terror(\"req: parameter who is required (stap -G who=VALUE)\")\n"
				  "\tprintf(\"@stapgen");
	assert_non_null(b);
	assert_non_null(strstr(sb_str(&c.out.command), "  --port N               Local port (required)\n"));
	assert_non_null(strstr(sb_str(&c.out.doc), "| `--port` | `port` | required | Local port |"));
	/* the command refuses to start, naming what is missing */
	char err[4096];
	assert_int_equal(run_command(&c, "", err, sizeof err), 2);
	assert_string_equal(err, "req: --port is required (see --help)\n");
	assert_int_equal(run_command(&c, "--port 80", err, sizeof err), 2);
	assert_string_equal(err, "req: -G who=VALUE is required (see --help)\n");
	assert_int_equal(run_command(&c, "-h", err, sizeof err), 0);
	/* both given: it runs stap */
	assert_int_equal(run_command(&c, "--no-check --raw -G port=80 -G who=sshd", err, sizeof err), 42);
	assert_int_equal(run_command(&c, "--no-check --raw --port 80 -G who=sshd", err, sizeof err), 42);
	done(&c);
	/* no default with required, no required switch */
	compile(&c,
		"tool: t\nsummary: s\nparams:\n"
		"  a: { type: int, required: true, default: 1, help: h }\n"
		"  b: { type: switch, required: true, help: h }\n"
		"  c: { type: int, help: h }\n"
		"probes:\n  - on: begin\n    emit: { record: r, columns: { a: a } }\n",
		"6.1.0-56-cloud-amd64", NULL);
	assert_int_equal(c.rc, 1);
	assert_non_null(strstr(c.diag, "t.yaml:4:35: error: a required parameter has no 'default': it must be given"));
	assert_non_null(strstr(c.diag, "t.yaml:5:22: error: a switch cannot be required: it is off unless given"));
	assert_non_null(strstr(c.diag, "parameter 'c' needs a 'default' (or 'required: true')"));
	done(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checked_spec_unchanged),
		cmocka_unit_test(test_compile_twice),
		cmocka_unit_test(test_lowered_order),
		cmocka_unit_test(test_delete_after_store),
		cmocka_unit_test(test_emit_list_and_shared_record),
		cmocka_unit_test(test_emit_separate_ifs),
		cmocka_unit_test(test_walker_sees_every_site),
		cmocka_unit_test(test_user_symbols_anywhere),
		cmocka_unit_test(test_sort_by_other_aggregate),
		cmocka_unit_test(test_limit_zero_means_all),
		cmocka_unit_test(test_required_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
