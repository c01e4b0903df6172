/* The shared lists (the .def files in gen/tables, the SG_ lists in
 * stapgen_rt.h): for every entry, the generator, the runtime and the docs
 * (README.md and the docs/ pages of doc_files) agree.  A list edited in
 * one place only fails here.  Links the runtime (see the Makefile). */
#include "../../templates/parser/stapgen_rt.h"
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/check_expr.h"
#include "check/tapset_facts.h"
#include "compile/compile.h"
#include "emit/emit.h"
#include "expr/ast.h"
#include "spec/probe_point.h"

/* The user's docs: the README and the pages it links for the reference. */
static const char *const doc_files[] = {
	"README.md", "docs/spec-reference.md", "docs/protocol.md", "docs/commands.md",
};
#define DOC_FILES "README.md, docs/spec-reference.md, docs/protocol.md or docs/commands.md"
static char *readme;

static int setup(void **state)
{
	(void)state;
	static char buf[1 << 19];
	size_t n = 0;
	for (size_t i = 0; i < sizeof doc_files / sizeof *doc_files; i++) {
		FILE *f = fopen(doc_files[i], "r");
		if (!f)
			return -1;
		n += fread(buf + n, 1, sizeof buf - 1 - n, f);
		fclose(f);
		if (n >= sizeof buf - 1)
			return -1;	/* the docs outgrew the buffer: raise it */
		buf[n++] = '\n';
	}
	buf[n] = '\0';
	readme = buf;
	return 0;
}

static void in_readme(const char *what)
{
	if (!strstr(readme, what))
		fail_msg("none of " DOC_FILES " mentions '%s'", what);
}

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

static void expect_error(const char *text, const char *msg)
{
	compiled c;
	compile(&c, text);
	if (c.rc == 0 || !c.diag || !strstr(c.diag, msg))
		fail_msg("expected '%s' for:\n%s\ngot:\n%s", msg, text, c.diag ? c.diag : "");
	done(&c);
}

static srcloc no_loc(const void *ctx, size_t off)
{
	(void)ctx;
	(void)off;
	return (srcloc){ 0 };
}

/* ---- aggregate functions --------------------------------------------------- */

static void test_aggs(void **state)
{
	(void)state;
	static const struct { int fn; const char *text; } aggs[] = {
#define AGG(e, text) { AGG_##e, text },
#include "tables/aggs.def"
#undef AGG
	};
	for (size_t i = 0; i < sizeof aggs / sizeof *aggs; i++) {
		const char *t = aggs[i].text;
		in_readme(t);
		assert_string_equal(agg_fn_text(aggs[i].fn), t);
		/* the lexer knows it, the printer writes it back */
		arena a;
		arena_init(&a);
		diag_sink d;
		diag_init(&d, NULL);
		char *src = arena_printf(&a, "%s(reads)", t);
		expr *e = expr_parse(&a, src, strlen(src), (expr_locmap){ no_loc, NULL }, &d);
		assert_non_null(e);
		assert_int_equal(e->kind, E_AGG);
		assert_int_equal(e->op, aggs[i].fn);
		strbuf sb = STRBUF_INIT;
		expr_print_stap(&sb, e);
		assert_string_equal(sb_str(&sb), src);
		sb_free(&sb);
		arena_free(&a);
		/* and a report sorted by it iterates the aggregate with it */
		compiled c;
		char text[1024];
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\naggregates:\n  a: { key: { pid: long } }\n"
			 "probes:\n  - on: timer.profile\n    collect: { 'a[pid()]': 1 }\n"
			 "reports:\n  - name: top\n    from: a\n    sort: '%s(a)'\n"
			 "    columns: { pid: pid, v: '%s(a)' }\n", t, t);
		compile(&c, text);
		assert_int_equal(c.rc, 0);
		char want[64];
		snprintf(want, sizeof want, "foreach ([pid] in a %s-)", t);	/* desc: the default */
		assert_non_null(strstr(sb_str(&c.out.stp), want));
		done(&c);
	}
}

/* ---- column types ---------------------------------------------------------- */

/* Each type: the docs name it, a spec may declare it, and the parser and
 * the doc page get its runtime type and its text. */
static void test_col_types(void **state)
{
	(void)state;
	static const struct { const char *name, *sg, *doc; int str, rt; } types[] = {
#define COLT(e, name, str, sg, doc, word, need) { name, sg, doc, str, SG_##e },	/* the runtime has it */
#include "tables/col_types.def"
#undef COLT
	};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++) {
		char want[256];
		snprintf(want, sizeof want, "`%s`", types[i].name);
		in_readme(want);
		compiled c;
		char text[1024];
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
			 "    emit: { record: r, columns: { c: { value: '%s', type: %s } } }\n",
			 types[i].str ? "execname()" : "pid()", types[i].name);
		compile(&c, text);
		assert_string_equal(c.diag ? c.diag : "", "");
		snprintf(want, sizeof want, "{ \"c\", %s,", types[i].sg);
		assert_non_null(strstr(sb_str(&c.out.parser), want));
		snprintf(want, sizeof want, "| `c` | %s |", types[i].doc);
		assert_non_null(strstr(sb_str(&c.out.doc), want));
		assert_non_null(strstr(sb_str(&c.out.stp), types[i].str ? "text_str(execname())" : "pid())"));
		done(&c);
		/* a value of the other kind is refused */
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
			 "    emit: { record: r, columns: { c: { value: '%s', type: %s } } }\n",
			 types[i].str ? "pid()" : "execname()", types[i].name);
		compile(&c, text);
		assert_non_null(c.diag);
		assert_non_null(strstr(c.diag, "error:"));
		done(&c);
	}
}

/* ---- histogram kinds ------------------------------------------------------- */

static void test_hist_kinds(void **state)
{
	(void)state;
	static const struct { const char *name, *fn, *doc; int cls; } kinds[] = {
#define HIST(e, name, fn, doc) { name, fn, doc, SG_HIST_##e },	/* the runtime has it */
#include "tables/hist_kinds.def"
#undef HIST
	};
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		char want[64];
		snprintf(want, sizeof want, "kind: %s", kinds[i].name);
		in_readme(want);
		compiled c;
		char text[1024];
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\naggregates:\n  lat: {}\n"
			 "probes:\n  - on: timer.profile\n    collect: { lat: 1 }\n"
			 "reports:\n  - name: h\n"
			 "    histogram: { of: lat, kind: %s%s }\n",
			 kinds[i].name, i ? ", min: 0, max: 10, step: 1" : "");
		compile(&c, text);
		assert_string_equal(c.diag ? c.diag : "", "");
		snprintf(want, sizeof want, "foreach (bucket in %s(lat", kinds[i].fn);
		assert_non_null(strstr(sb_str(&c.out.stp), want));
		assert_non_null(strstr(sb_str(&c.out.doc), kinds[i].doc));
		snprintf(want, sizeof want, "\"h\", %s,",
			 kinds[i].cls == SG_HIST_LOG2 ? "SG_HIST_LOG2" : "SG_HIST_LINEAR");
		assert_non_null(strstr(sb_str(&c.out.parser), want));
		done(&c);
	}
}

/* ---- output formats ---------------------------------------------------------- */

static const sg_field one_field[] = { { "n", SG_LONG, "N", 0 } };
static const sg_kind one_kind[] = { { "r", SG_EVENT, one_field, 1, 0, 0, 0, NULL } };
static const sg_tool one_tool = { "t", "t.yaml", one_kind, 1 };

static void test_formats(void **state)
{
	(void)state;
	compiled c;	/* a stack tool: it offers every format */
	compile(&c, "tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
		    "    emit: { record: r, columns: { s: { value: 'sprint_backtrace()', type: stack } } }\n");
	assert_int_equal(c.rc, 0);
	static const char *const formats[] = {
#define SG_FMT_NAME(e, name, stack, what) name,
		SG_FORMATS(SG_FMT_NAME)
#undef SG_FMT_NAME
	};
	strbuf bar = STRBUF_INIT;
	for (size_t i = 0; i < SG_NFORMATS; i++) {
		const char *name = formats[i];
		sb_printf(&bar, "%s%s", i ? "|" : "", name);
		assert_non_null(strstr(sb_str(&c.out.command), name));
		assert_non_null(strstr(sb_str(&c.out.doc), name));
		/* the runtime takes it */
		char path[] = "/tmp/stapgen-tables-XXXXXX";
		int fd = mkstemp(path);
		assert_true(fd >= 0);
		assert_int_equal(write(fd, "@end\n", 5), 5); /* a complete (empty) run */
		close(fd);
		char *argv[] = { "p", "-f", (char *)(uintptr_t)name, "-o", "/dev/null", path, NULL };
		assert_int_equal(sg_main(6, argv, &one_tool), 0);
		unlink(path);
	}
	char want[128];
	snprintf(want, sizeof want, "`-f %s`", sb_str(&bar));
	in_readme(want);
	sb_free(&bar);
	done(&c);
}

/* ---- the wire protocol ----------------------------------------------------- */

static void test_builtin_kinds(void **state)
{
	(void)state;
	static const struct { const char *name; const sg_kind *rt; } kinds[] = {
#define WIRE(n, fields, what) { #n, &sg_kind_##n },	/* the runtime has it */
#include "tables/wire_tags.def"
#undef WIRE
	};
	compiled c;
	compile(&c, "tool: t\nsummary: s\naggregates:\n  a: {}\n"
		    "probes:\n  - on: timer.profile\n    collect: { a: 1 }\n"
		    "reports:\n  - name: r\n    from: a\n    columns: { n: '@count(a)' }\n");
	assert_string_equal(c.diag ? c.diag : "", "");
	for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
		const char *n = kinds[i].name;
		assert_string_equal(kinds[i].rt->name, n);
		char want[64];
		snprintf(want, sizeof want, "`@%s", n);
		in_readme(want);
		snprintf(want, sizeof want, "printf(\"@%s\\", n);	/* the script prints it */
		assert_non_null(strstr(sb_str(&c.out.stp), want));
		char text[512];
		snprintf(text, sizeof text, "tool: t\nsummary: s\nprobes:\n  - on: begin\n"
					    "    emit: { record: %s, columns: { n: '1' } }\n", n);
		expect_error(text, "is reserved for the output protocol");
	}
	char want[64];
	snprintf(want, sizeof want, "printf(\"@stapgen\\tt\\t%d\\n\")", SG_PROTOCOL_VERSION);
	assert_non_null(strstr(sb_str(&c.out.stp), want));
	done(&c);
}

static void test_reserved_fields(void **state)
{
	(void)state;
	static const char *const names[] = {
#define SG_FIELD_NAME(n) #n,
		SG_RESERVED_FIELDS(SG_FIELD_NAME)
#undef SG_FIELD_NAME
	};
	/* what the JSON writer adds to a report row */
	static const sg_field f[] = { { "v", SG_LONG, "V", 0 } };
	static const sg_kind k[] = { { "row", SG_ROW, f, 1, 0, 0, 0, "rep" } };
	static const sg_tool tool = { "t", NULL, k, 1 };
	char *out = NULL;
	size_t len = 0;
	FILE *o = open_memstream(&out, &len);
	sg_writer *w = sg_writer_new(o, &tool, SG_FMT_JSON);
	sg_value rv[2] = { { 0, "rep", 3 }, { 7, NULL, 0 } };
	sg_writer_record(w, &sg_kind_report, rv);
	sg_value v = { 1, NULL, 0 };
	sg_writer_record(w, &k[0], &v);
	sg_writer_finish(w);
	sg_writer_free(w);
	fclose(o);
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char want[64];
		snprintf(want, sizeof want, "\"%s\":", names[i]);
		if (!strstr(out, want))
			fail_msg("the JSON writer does not add '%s': %s", names[i], out);
		char text[512];
		snprintf(text, sizeof text, "tool: t\nsummary: s\nprobes:\n  - on: begin\n"
					    "    emit: { record: r, columns: { %s: '1' } }\n", names[i]);
		expect_error(text, "is reserved for the output formats");
	}
	free(out);
}

/* ---- probe families ------------------------------------------------------------ */

/* Each row (gen/tables/probe_families.def): its example is of the family
 * (no earlier row hides it), its context and needs are consistent, and the
 * readers follow it: the checker's context, the command's needs line, the
 * doc page's alias list. */
static void test_probe_families(void **state)
{
	(void)state;
	unsigned n = probe_family_count();
	assert_true(n > 0);
	const probe_family *last = probe_family_at(n - 1);
	assert_string_equal(last->prefix, "");	/* every point has a family */
	assert_null(last->contains);
	for (unsigned i = 0; i < n; i++) {
		const probe_family *f = probe_family_at(i);
		assert_non_null(f->what);
		assert_true(f->what[0]);
		assert_int_equal(strncmp(f->example, f->prefix, strlen(f->prefix)), 0);
		if (probe_point_family(f->example) != f)
			fail_msg("probe family row %u (%s): its example %s is taken by row '%s'", i,
				 f->prefix, f->example, probe_point_family(f->example)->prefix);
		assert_int_equal(probe_point_is_alias(f->example), f->kind == PF_ALIAS);
		assert_int_equal(probe_point_ctx(f->example), f->ctx);
		/* no event, no facility: begin, end and timers need nothing */
		if (f->ctx & CTX_NO_EVENT) {
			assert_int_equal(f->needs, 0);
			assert_int_equal(f->ctx_return, f->ctx);
		}
		/* a .return point may read no less than the entry */
		assert_int_equal(f->ctx & ~f->ctx_return & ~(unsigned)CTX_NO_EVENT, 0);
		/* the tool's command asks for exactly the row's needs */
		compiled c;
		char text[1024];
		/* a point from the command line needs its parameter */
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\n%sprobes:\n  - on: '%s'\n"
			 "    emit: { record: r, columns: { n: '1' } }\n",
			 strncmp(f->example, "@param(", 7) ? "" :
			 "params: { point: { type: point, default: 'kernel.function(\"vfs_read\")', help: h } }\n",
			 f->example);
		compile(&c, text);
		if (c.rc != 0)
			fail_msg("row %u's example %s does not compile:\n%s", i, f->example,
				 c.diag ? c.diag : "");
		char want[128];
		snprintf(want, sizeof want, "sg_need_kprobes=%d sg_need_uprobes=%d sg_need_kdebug=%d\n",
			 !!(f->needs & PF_KPROBES), !!(f->needs & PF_UPROBES), !!(f->needs & PF_KDEBUG));
		if (!strstr(sb_str(&c.out.command), want))
			fail_msg("row %u (%s): the command does not say %s", i, f->example, want);
		/* and the user-space preflight reads the binary's symbols or notes */
		assert_int_equal(strstr(sb_str(&c.out.stp), "the binary's symbol table") != NULL,
				 !!(f->needs & PF_USYMS));
		assert_int_equal(strstr(sb_str(&c.out.stp), "SDT markers") != NULL, !!(f->needs & PF_UMARK));
		/* the doc page lists the tapset aliases a tool probes */
		snprintf(want, sizeof want, "`%s`", f->example);
		const char *doc = sb_str(&c.out.doc);
		const char *al = strstr(doc, "alias");
		assert_int_equal(al && strstr(al, want) != NULL, f->kind == PF_ALIAS);
		done(&c);
	}
}

/* Each wire tag (gen/tables/wire_tags.def): the runtime's reader takes a
 * line of it as that built-in kind.  In table order the tags make a run
 * (@stapgen, @report, @report_end, @end), so no framing drops one. */
static void test_wire_tags_reader(void **state)
{
	(void)state;
	static const sg_kind *const kinds[] = {
#define WIRE(n, fields, what) &sg_kind_##n,
#include "tables/wire_tags.def"
#undef WIRE
	};
	enum { N = sizeof kinds / sizeof *kinds };
	char *in = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&in, &len);
	for (size_t i = 0; i < N; i++) {
		fprintf(f, "@%s", kinds[i]->name);
		for (size_t j = 0; j < kinds[i]->nfields; j++)	/* tool t, version 1, report t */
			fputs(kinds[i]->fields[j].type == SG_STRING ? "\tt" : "\t1", f);
		fputc('\n', f);
	}
	fclose(f);
	FILE *rd_in = fmemopen(in, len, "r");
	sg_reader *r = sg_reader_new(rd_in, "t", &one_tool, NULL);
	assert_non_null(r);
	for (size_t i = 0; i < N; i++) {
		const sg_kind *got = NULL;
		const sg_value *v;
		assert_int_equal(sg_reader_next(r, &got, &v), 1);
		if (got != kinds[i])
			fail_msg("the reader does not take @%s as its built-in kind", kinds[i]->name);
	}
	assert_int_equal(sg_reader_dropped(r), 0);
	sg_reader_free(r);
	fclose(rd_in);
	free(in);
}

/* ---- symbol functions ---------------------------------------------------------- */

/* A call of one as a column value, in a timer.profile probe (the target's,
 * with user): the compiled tool.  NULL when the function returns nothing
 * (it cannot be a value: no reader sees it in a spec). */
static bool sym_call(compiled *c, const char *fn, bool user)
{
	const tapset_func *f = tapset_func_lookup(fn);
	if (!f)
		fail_msg("%s (gen/tables/sym_funcs.def) is not a tapset function", fn);
	if (f->ret == VT_VOID)
		return false;
	char args[64] = "";
	for (unsigned i = 0; i < f->nargs && i < 4; i++) {
		strcat(args, i ? ", " : "");
		strcat(args, f->args[i] == VT_STRING ? "\"x\"" : "0");
	}
	char text[1024];
	snprintf(text, sizeof text,
		 "tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
		 "    emit: { record: r, columns: { %s v: '%s(%s)' } }\n",
		 user ? "p: target()," : "", fn, args);
	compile(c, text);
	if (c->rc != 0)
		fail_msg("a call of %s does not compile:\n%s", fn, c->diag ? c->diag : "");
	return true;
}

/* Every row: both functions are tapset functions; a kernel one runs stap
 * with -d kernel and asks for vmlinux, a user one loads the target's
 * symbols (the command's sg_usyms). */
static void test_sym_funcs(void **state)
{
	(void)state;
	static const char *const fns[][2] = {
#define SYMF(kernel, user) { #kernel, #user },
#include "tables/sym_funcs.def"
#undef SYMF
	};
	unsigned seen = 0;
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
		compiled c;
		if (sym_call(&c, fns[i][0], false)) {
			if (!strstr(sb_str(&c.out.stp), "# Run with: -d kernel"))
				fail_msg("%s(): the script does not run with -d kernel", fns[i][0]);
			assert_non_null(strstr(sb_str(&c.out.command), "sg_need_kdebug=1"));
			done(&c);
			seen++;
		}
		if (sym_call(&c, fns[i][1], true)) {
			if (!strstr(sb_str(&c.out.command), "sg_usyms=1"))
				fail_msg("%s(): the command does not load the target's symbols", fns[i][1]);
			done(&c);
			seen++;
		}
	}
	assert_true(seen > 0);
}

/* ---- parameter types ------------------------------------------------------------ */

/* Every row, and a duration in ms: the loader takes the name, and the
 * command's check and --help, the .stp's comment and the doc page's
 * default show the row's texts. */
static void test_param_types(void **state)
{
	(void)state;
	static const struct { const char *name; int str; const char *check, *arg, *arg_ms, *word, *word_ms, *unit, *unit_ms; } rows[] = {
#define PTYPE(e, name, str, check, arg, arg_ms, word, word_ms, unit, unit_ms) \
	{ name, str, check, arg, arg_ms, word, word_ms, unit, unit_ms },
#include "tables/param_types.def"
#undef PTYPE
	};
	for (size_t i = 0; i < 2 * sizeof rows / sizeof *rows; i++) {
		size_t r = i / 2;
		bool ms = i % 2;
		if (ms && !rows[r].arg_ms && !rows[r].word_ms && !rows[r].unit_ms)
			continue;	/* no unit: nothing else to check */
		/* a point parameter is a probe's point: one of its own */
		bool point = !strcmp(rows[r].name, "point");
		const char *def = point ? "'kernel.function(\"vfs_read\")'" : rows[r].str ? "abc"
				: !strcmp(rows[r].name, "switch") ? "false"
				: !strcmp(rows[r].name, "duration") ? (ms ? "7ms" : "7s") : "7";
		compiled c;
		char text[1024];
		snprintf(text, sizeof text,
			 "tool: t\nsummary: s\nparams:\n  v: { type: %s, default: %s, help: h, flag: --vv%s }\n"
			 "probes:\n  - on: %s\n    emit: { record: r, columns: { v: v } }\n",
			 rows[r].name, def, ms ? ", unit: ms" : "", point ? "'@param(v).return'" : "timer.profile");
		compile(&c, text);
		if (c.rc != 0)
			fail_msg("a %s parameter does not compile:\n%s", rows[r].name, c.diag ? c.diag : "");
		const char *arg = ms && rows[r].arg_ms ? rows[r].arg_ms : rows[r].arg;
		const char *word = ms && rows[r].word_ms ? rows[r].word_ms : rows[r].word;
		const char *unit = ms && rows[r].unit_ms ? rows[r].unit_ms : rows[r].unit;
		char want[128];
		snprintf(want, sizeof want, "#   v            %-8s h", word);
		if (!strstr(sb_str(&c.out.stp), want))
			fail_msg("%s: the .stp does not say '%s'", rows[r].name, want);
		snprintf(want, sizeof want, "  --vv%s%s ", *arg ? " " : "", arg);
		if (!strstr(sb_str(&c.out.command), want))
			fail_msg("%s: --help does not say '%s'", rows[r].name, want);
		if (*arg) {	/* a switch takes no value to check */
			snprintf(want, sizeof want, "\t\t%s --vv \"$2\"\n", rows[r].check);
			if (!strstr(sb_str(&c.out.command), want))
				fail_msg("%s: the command does not check with '%s'", rows[r].name, want);
		}
		if (!rows[r].str && *arg) {
			snprintf(want, sizeof want, "| 7%s |", unit);
			if (!strstr(sb_str(&c.out.doc), want))
				fail_msg("%s: the doc page does not say '%s'", rows[r].name, want);
		}
		done(&c);
	}
}

/* ---- keywords ------------------------------------------------------------------ */

static void test_keywords(void **state)
{
	(void)state;
	static const char *const words[] = {
#define KW(w) w,
#include "tables/keywords.def"
#undef KW
	};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++) {
		char text[512];
		snprintf(text, sizeof text, "tool: t\nsummary: s\nparams:\n  %s: { default: 1, help: h }\n"
					    "probes:\n  - on: begin\n    emit: { record: r, columns: { n: '1' } }\n",
			 words[i]);
		expect_error(text, "is a SystemTap keyword");
		/* and no expression reads it as a name */
		arena a;
		arena_init(&a);
		diag_sink d;
		diag_init(&d, NULL);
		char *src = arena_printf(&a, "%s + 1", words[i]);
		assert_null(expr_parse(&a, src, strlen(src), (expr_locmap){ no_loc, NULL }, &d));
		arena_free(&a);
	}
}

/* ---- the tool command's own options ------------------------------------------- */

static void test_tool_options(void **state)
{
	(void)state;
	static const struct { const char *flag, *alt; bool target; } opts[] = {
#define OPT(flag, alt, arg, help) { flag, alt, false },
#define OPT_TARGET(flag, alt, arg, help) { flag, alt, true },
#include "tables/tool_options.def"
#undef OPT_TARGET
#undef OPT
	};
	/* a tool that uses target(): it offers every option */
	compiled c, plain;
	compile(&c, "tool: t\nsummary: s\nprobes:\n  - on: begin\n"
		    "    emit: { record: r, columns: { n: 'target()' } }\n");
	assert_int_equal(c.rc, 0);
	compile(&plain, "tool: t\nsummary: s\nprobes:\n  - on: begin\n"
			"    emit: { record: r, columns: { n: '1' } }\n");
	assert_int_equal(plain.rc, 0);
	/* the common options' case arms are the runtime's, in sg_main */
	const char *rt = strstr(stapgen_cmd_runtime, "\nsg_main() {\n");
	assert_non_null(rt);
	size_t rtlen = (size_t)(strstr(rt, "\n}\n") - rt);
	char *main_fn = strndup(rt, rtlen);
	assert_non_null(strstr(sb_str(&c.out.command), "sg_target=1"));
	assert_non_null(strstr(sb_str(&plain.out.command), "sg_target=0"));
	for (size_t i = 0; i < sizeof opts / sizeof *opts; i++) {
		if (opts[i].target) {
			/* only for tools that use target(); a parameter may take the flag */
			char arm[64];
			snprintf(arm, sizeof arm, "`%s ", opts[i].flag);
			assert_null(strstr(sb_str(&plain.out.doc), arm));
			char text[512];
			snprintf(text, sizeof text,
				 "tool: t\nsummary: s\nparams:\n  x: { default: 1, help: h, flag: '%s' }\n"
				 "probes:\n  - on: begin\n    emit: { record: r, columns: { n: 'target() + x' } }\n",
				 opts[i].flag);
			compiled p;
			compile(&p, text);
			assert_int_equal(p.rc, 0);
			/* the parameter's arm, in tool_opt, which runs first */
			snprintf(arm, sizeof arm, "\t%s)", opts[i].flag);
			const char *first = strstr(sb_str(&p.out.command), arm);
			assert_non_null(first);
			assert_null(strstr(first + 1, arm));
			done(&p);
		}
		const char *spell[] = { opts[i].flag, opts[i].alt };
		for (size_t j = 0; j < 2 && spell[j]; j++) {
			char want[64], want2[64];
			/* a case arm: "\t\t-p)" or "\t\t-h | --help)" */
			snprintf(want, sizeof want, j ? "| %s)" : "\n\t\t%s)", spell[j]);
			snprintf(want2, sizeof want2, "\n\t\t%s |", spell[j]);
			if (!strstr(main_fn, want) && (j || !strstr(main_fn, want2)))
				fail_msg("the command runtime has no case arm for %s", spell[j]);
			snprintf(want, sizeof want, "`%s", spell[j]);
			if (!j)
				in_readme(want);
			assert_non_null(strstr(sb_str(&c.out.doc), spell[j]));
			char text[512];
			snprintf(text, sizeof text,
				 "tool: t\nsummary: s\nparams:\n  x: { default: 1, help: h, flag: '%s' }\n"
				 "probes:\n  - on: begin\n    emit: { record: r, columns: { n: '1' } }\n",
				 spell[j]);
			if (!opts[i].target)
				expect_error(text, "is one of every tool's own options");
		}
	}
	/* every case arm of the runtime is a table row */
	for (const char *l = main_fn; (l = strstr(l, "\n\t\t-"));) {
		l += 3;
		size_t n = strcspn(l, ")\n");
		if (l[n] != ')')
			continue;
		char arm[64];
		snprintf(arm, sizeof arm, "%.*s", (int)(n < 63 ? n : 63), l);
		for (char *w = strtok(arm, "| "); w; w = strtok(NULL, "| ")) {
			bool found = false;
			for (size_t i = 0; i < sizeof opts / sizeof *opts && !found; i++)
				found = !strcmp(w, opts[i].flag) || (opts[i].alt && !strcmp(w, opts[i].alt));
			if (!found)
				fail_msg("the runtime's option %s is not in tool_options.def", w);
		}
	}
	free(main_fn);
	done(&c);
	done(&plain);
}

/* One title per meaning (gen/tables/col_titles.def): a column computed by
 * one of its functions, directly, through a named value or as an
 * aggregate's key, titled otherwise is warned about; no spec in specs/ is. */
static void test_col_titles(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"tool: t\nsummary: s\nprobes:\n  - on: syscall.read\n"
		"    emit: { record: r, columns: { c: { value: 'execname()', title: CMD } } }\n",
		"tool: t\nsummary: s\nprobes:\n  - on: syscall.read\n    let: { who: 'pid()' }\n"
		"    emit: { record: r, columns: { p: { value: who, title: PROC } } }\n",
		"tool: t\nsummary: s\naggregates:\n  n: { key: { command: string } }\n"
		"probes:\n  - on: syscall.read\n    collect: { 'n[execname()]': 1 }\n"
		"reports:\n  - name: top\n    from: n\n    sort: '@count(n)'\n"
		"    columns: { command: { value: command, title: COMMAND }, count: '@count(n)' }\n",
	};
	static const char *const want[] = { "every tool titles execname() 'COMM'",
					    "every tool titles pid() 'PID'",
					    "column 'command' is execname(), titled 'COMMAND'" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		compiled c;
		compile(&c, bad[i]);
		if (c.rc || !c.diag || !strstr(c.diag, want[i]))
			fail_msg("expected '%s' for:\n%s\ngot:\n%s", want[i], bad[i], c.diag ? c.diag : "");
		done(&c);
	}
	compiled ok;
	compile(&ok, "tool: t\nsummary: s\nprobes:\n  - on: syscall.read\n"
		     "    emit: { record: r, columns: { comm: 'execname()', n: { value: 'pid()', title: PID } } }\n");
	assert_int_equal(ok.rc, 0);
	assert_true(!ok.diag || !strstr(ok.diag, "every tool titles"));
	done(&ok);
	FILE *ls = popen("find specs -name '*.yaml' | LC_ALL=C sort", "r");
	assert_non_null(ls);
	char path[512];
	unsigned n = 0;
	while (fgets(path, sizeof path, ls)) {
		path[strcspn(path, "\n")] = '\0';
		FILE *f = fopen(path, "r");
		assert_non_null(f);
		static char buf[1 << 17];
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		compiled c;
		compile(&c, buf);
		if (c.diag && strstr(c.diag, "every tool titles"))
			fail_msg("%s: a title differs from gen/tables/col_titles.def:\n%s", path, c.diag);
		done(&c);
		n++;
	}
	pclose(ls);
	assert_true(n >= 20);
}

/* Item 11: docs/commands.md's table of the command's options is the one the doc
 * pages use, from the same function; -h shows the description; -f offers
 * folded and svg only to tools with stack columns. */
static void test_tool_options_agree(void **state)
{
	(void)state;
	strbuf t = STRBUF_INIT;
	emit_tool_options(&t, NULL, true, true);
	if (!strstr(readme, sb_str(&t)))
		fail_msg("docs/commands.md's table of the command's options is not:\n%s", sb_str(&t));
	sb_free(&t);
	compiled c, st;
	compile(&c, "tool: t\nsummary: s\ndescription: |\n  first line\n  second line\n"
		    "probes:\n  - on: begin\n    emit: { record: r, columns: { n: '1' } }\n");
	assert_int_equal(c.rc, 0);
	const char *cmd = sb_str(&c.out.command);
	assert_non_null(strstr(cmd, "\nfirst line\nsecond line\n"));
	assert_non_null(strstr(cmd, "-f FORMAT              table (default), json or csv\n"));
	assert_non_null(strstr(cmd, "sg_formats='table|json|csv'\n"));
	assert_non_null(strstr(cmd, "sg_target=0"));
	assert_null(strstr(sb_str(&c.out.doc), "`-p "));
	compile(&st, "tool: t\nsummary: s\nprobes:\n  - on: timer.profile\n"
		     "    emit: { record: r, columns: { s: { value: 'sprint_backtrace()', type: stack } } }\n");
	assert_int_equal(st.rc, 0);
	assert_non_null(strstr(sb_str(&st.out.command), "table (default), json, csv, folded or svg\n"));
	assert_non_null(strstr(sb_str(&st.out.doc), "table (default), json, csv, folded or svg |"));
	done(&c);
	done(&st);
}

/* docs/spec-reference.md's table of tapset facts has a row for each fact,
 * with its kernel range and stap range ("all": every stap); one row may list
 * several constructs that share both ("`a`, `b` | >= 6.1 | < 4.9 |"). */
static void in_facts_row(const char *construct, const char *kernels, const char *stap)
{
	char tail[96];
	snprintf(tail, sizeof tail, " | %s | %s |", kernels, stap[0] ? stap : "all");
	size_t n = strlen(construct);
	for (const char *p = readme; (p = strstr(p, construct)); p += n) {
		const char *bol = p, *eol = strchr(p, '\n');
		while (bol > readme && bol[-1] != '\n')
			bol--;
		if (strncmp(bol, "| ", 2) || !eol)
			continue;
		/* the constructs column: up to the first " | " after it */
		const char *end = strstr(p + n, " | ");
		if (end && end < eol && !strncmp(end, tail, strlen(tail)))
			return;
	}
	fail_msg("docs/spec-reference.md has no row '%s ...%s'", construct, tail);
}

static void test_tapset_facts(void **state)
{
	(void)state;
	for (unsigned i = 0; i < n_tapset_facts; i++) {
		const tapset_fact *f = &tapset_facts[i];
		if (f->kind == FACT_HANDLED) {
			in_readme("-d kernel");
			continue;
		}
		char want[160];
		const char *gt = strchr(f->construct, '>');
		if (f->kind == FACT_DEFINE)
			snprintf(want, sizeof want, "`-D%.*s` over %s", (int)(gt - f->construct),
				 f->construct, gt + 1);
		else
			snprintf(want, sizeof want, "`%s`", f->construct);
		in_facts_row(want, f->kernels, f->stap);
	}
}

/* Functions a script defines itself: none shadows a tapset function (stap
 * would see two definitions once that tapset file is pulled in), each is
 * found by the checker's lookup, and docs/spec-reference.md lists each with its summary. */
static const char *const tapset_names[] = {
#define TF(n, r, na, a1, a2, a3, a4, fl) #n,
#include "tables/tapset_funcs.def"
#undef TF
};

static void test_script_funcs(void **state)
{
	(void)state;
	assert_true(script_func_count() > 0);
	for (unsigned i = 0; i < script_func_count(); i++) {
		const char *sum, *def;
		const tapset_func *f = script_func(i, &sum, &def);
		assert_non_null(f);
		for (size_t j = 0; j < sizeof tapset_names / sizeof *tapset_names; j++)
			if (!strcmp(tapset_names[j], f->name))
				fail_msg("script function %s is also a tapset function", f->name);
		assert_ptr_equal(tapset_func_lookup(f->name), f);
		assert_true(f->flags & TF_SCRIPT);
		char want[256];
		snprintf(want, sizeof want, "function %s:", f->name);
		assert_non_null(strstr(def, want));
		snprintf(want, sizeof want, "`%s()`: %s", f->name, sum);
		in_readme(want);
	}
	assert_int_equal(script_func_index("cmdline_str"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_funcs),
		cmocka_unit_test(test_probe_families),
		cmocka_unit_test(test_param_types),
		cmocka_unit_test(test_sym_funcs),
		cmocka_unit_test(test_wire_tags_reader),
		cmocka_unit_test(test_aggs),
		cmocka_unit_test(test_hist_kinds),
		cmocka_unit_test(test_col_types),
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_builtin_kinds),
		cmocka_unit_test(test_reserved_fields),
		cmocka_unit_test(test_keywords),
		cmocka_unit_test(test_tool_options),
		cmocka_unit_test(test_col_titles),
		cmocka_unit_test(test_tool_options_agree),
		cmocka_unit_test(test_tapset_facts),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
