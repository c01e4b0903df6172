/* gen/yaml: tree building, scalar offset maps, errors, hostile input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "yaml/yaml_tree.h"

/* ---- fixture: one arena, diagnostics captured in memory ---------------- */

typedef struct ctx {
	arena a;
	FILE *mem;
	char *out;	/* diagnostics printed so far */
	size_t outlen;
	diag_sink d;
	const source *src;
} ctx;

static ctx *C;

static int setup(void **state)
{
	C = calloc(1, sizeof *C);
	arena_init(&C->a);
	C->mem = open_memstream(&C->out, &C->outlen);
	diag_init(&C->d, C->mem);
	*state = C;
	return 0;
}

static int teardown(void **state)
{
	fclose(C->mem);
	free(C->out);
	arena_free(&C->a);
	free(C);
	C = NULL;
	return 0;
}

static ynode *load_n(const char *text, size_t len, const yaml_limits *lim)
{
	char *copy = arena_strndup(&C->a, text, len);
	C->src = source_new(&C->a, "t.yaml", copy, len);
	ynode *r = yaml_load(&C->a, C->src, lim, &C->d);
	fflush(C->mem);
	return r;
}

static ynode *load(const char *text)
{
	return load_n(text, strlen(text), NULL);
}

static ynode *load_l(const char *text, const yaml_limits *lim)
{
	return load_n(text, strlen(text), lim);
}

/* Forget earlier diagnostics, for several loads in one test. */
static void reset(void)
{
	rewind(C->mem);
	fflush(C->mem);
	C->d.errors = 0;
}

static const char *diags(void)
{
	fflush(C->mem);
	return C->out ? C->out : "";
}

/* Loading must fail with exactly one error whose first line is `first`. */
static void expect_error(const ynode *r, const char *first)
{
	assert_null(r);
	assert_int_equal(C->d.errors, 1);
	const char *out = diags();
	const char *nl = strchr(out, '\n');
	size_t n = nl ? (size_t)(nl - out) : strlen(out);
	char *line = arena_strndup(&C->a, out, n);
	assert_string_equal(line, first);
}

static const ynode *val(const ynode *map, const char *key)
{
	const ypair *p = ynode_get(map, key);
	if (!p)
		fail_msg("no key '%s'", key);
	return p->value;
}

#define AT(n, off, l, c) do {                                         \
		srcloc at_ = yaml_scalar_loc((n), (off));               \
		if (at_.line != (l) || at_.col != (c))                  \
			fail_msg("offset %zu: got %u:%u, want %u:%u",    \
				 (size_t)(off), at_.line, at_.col, (l), (c)); \
	} while (0)

/* LF -> CRLF, for checking that CRLF files give identical positions. */
static char *crlf(const char *s)
{
	size_t n = 0;
	for (const char *p = s; *p; p++)
		n += *p == '\n' ? 2 : 1;
	char *o = arena_alloc(&C->a, n + 1), *q = o;
	for (const char *p = s; *p; p++) {
		if (*p == '\n')
			*q++ = '\r';
		*q++ = *p;
	}
	return o;
}

/* ---- tree --------------------------------------------------------------- */

static void test_tree(void **state)
{
	const ynode *r = load("name: tcp_conn\n"
			      "probes:\n"
			      "  - point: kernel.function(\"tcp_connect\")\n"
			      "    where: pid() == 1\n"
			      "flow: {a: [1, 2], b: x}\n");
	assert_non_null(r);
	assert_int_equal(C->d.errors, 0);
	assert_int_equal(r->kind, YN_MAP);
	assert_int_equal(r->npairs, 3);
	assert_string_equal(ynode_kind_name(r), "mapping");
	assert_string_equal(val(r, "name")->str, "tcp_conn");
	assert_null(ynode_get(r, "nope"));
	assert_null(ynode_get(val(r, "name"), "x"));

	const ynode *probes = val(r, "probes");
	assert_int_equal(probes->kind, YN_SEQ);
	assert_string_equal(ynode_kind_name(probes), "sequence");
	assert_int_equal(probes->nitems, 1);
	assert_int_equal(probes->loc.line, 3);
	assert_int_equal(probes->loc.col, 3);
	const ynode *p0 = probes->items[0];
	assert_int_equal(p0->loc.line, 3);
	assert_int_equal(p0->loc.col, 5);
	const ynode *where = val(p0, "where");
	assert_string_equal(ynode_kind_name(where), "scalar");
	assert_string_equal(where->str, "pid() == 1");
	assert_int_equal(where->len, 10);
	assert_int_equal(where->style, YS_PLAIN);
	assert_int_equal(where->loc.line, 4);
	assert_int_equal(where->loc.col, 12);
	assert_int_equal(where->loc.len, 10);

	const ynode *point = val(p0, "point");
	assert_int_equal(point->style, YS_PLAIN);
	assert_string_equal(point->str, "kernel.function(\"tcp_connect\")");

	const ynode *flow = val(r, "flow");
	assert_int_equal(flow->loc.col, 7);
	const ynode *a = val(flow, "a");
	assert_int_equal(a->nitems, 2);
	assert_string_equal(a->items[1]->str, "2");
	assert_int_equal(a->items[1]->loc.col, 15);
	assert_int_equal(r->pairs[2].key->loc.line, 5);
	assert_string_equal(ynode_kind_name(NULL), "nothing");
}

static void test_scalar_styles_recorded(void **state)
{
	const ynode *r = load("a: x\nb: 'x'\nc: \"x\"\nd: |\n  x\ne: >\n  x\n");
	assert_non_null(r);
	assert_int_equal(val(r, "a")->style, YS_PLAIN);
	assert_int_equal(val(r, "b")->style, YS_SINGLE);
	assert_int_equal(val(r, "c")->style, YS_DOUBLE);
	assert_int_equal(val(r, "d")->style, YS_LITERAL);
	assert_int_equal(val(r, "e")->style, YS_FOLDED);
	/* the node starts at the quote or the indicator */
	assert_int_equal(val(r, "b")->loc.col, 4);
	assert_int_equal(val(r, "d")->loc.line, 4);
	assert_int_equal(val(r, "d")->loc.col, 4);
}

/* ---- scalar offset maps ------------------------------------------------- */

/* Every style, checked once with LF and once with CRLF line endings: a CR
 * before LF is not a column, so the expected positions are the same. */
static const char styles_doc[] =
	"where: \"execnmae() == \\\"x\\\"\"\n"		/* 1 */
	"esc: \"a\\tb\\x41\\u00e9\\U0001F600z\"\n"	/* 2 */
	"brk: \"abc \\\n"					/* 3 */
	"   def\\\n"					/* 4 */
	"  ghi\"\n"						/* 5 */
	"dq: \"one\n"						/* 6 */
	"  two\"\n"						/* 7 */
	"s: 'it''s\n"						/* 8 */
	"  a  test'\n"						/* 9 */
	"p: first line\n"					/* 10 */
	"  second\n"						/* 11 */
	"\n"							/* 12 */
	"  third\n"						/* 13 */
	"script: |\n"						/* 14 */
	"  line one\n"						/* 15 */
	"  line two\n"						/* 16 */
	"    x = execname()\n"					/* 17 */
	"  end\n"						/* 18 */
	"keep: |+2\n"						/* 19 */
	"    indented\n"					/* 20 */
	"  normal\n"						/* 21 */
	"\n"							/* 22 */
	"strip: |-\n"						/* 23 */
	"  a\n"							/* 24 */
	"  b\n"							/* 25 */
	"f: >\n"						/* 26 */
	"  one\n"						/* 27 */
	"  two\n"						/* 28 */
	"\n"							/* 29 */
	"  three\n"						/* 30 */
	"    more\n"					/* 31 */
	"  end\n"						/* 32 */
	"u: \"\xc3\xa9=\\\"x\\\"\"\n";				/* 33 */

static void check_styles(const ynode *r)
{
	assert_non_null(r);
	const ynode *n = val(r, "where");
	assert_string_equal(n->str, "execnmae() == \"x\"");
	AT(n, 0, 1, 9);
	AT(n, 4, 1, 13);	/* the misspelt 'n' */
	AT(n, 14, 1, 23);	/* \" maps to its backslash */
	AT(n, 15, 1, 25);
	AT(n, 16, 1, 26);
	AT(n, 17, 1, 28);	/* end: the closing quote */
	AT(n, 1000, 1, 28);	/* clamped */

	n = val(r, "esc");
	assert_int_equal(n->len, 11);
	assert_memory_equal(n->str, "a\tbA\xc3\xa9\xf0\x9f\x98\x80z", 11);
	AT(n, 0, 2, 7);
	AT(n, 1, 2, 8);		/* \t */
	AT(n, 2, 2, 10);
	AT(n, 3, 2, 11);	/* \x41 */
	AT(n, 4, 2, 15);	/* both bytes of \u00e9 */
	AT(n, 5, 2, 15);
	AT(n, 6, 2, 21);	/* \U0001F600 */
	AT(n, 9, 2, 21);
	AT(n, 10, 2, 31);	/* z after all that */
	AT(n, 11, 2, 32);

	n = val(r, "brk");
	assert_string_equal(n->str, "abc defghi");
	AT(n, 0, 3, 7);
	AT(n, 3, 3, 10);	/* space before the escaped break is kept */
	AT(n, 4, 4, 4);
	AT(n, 6, 4, 6);
	AT(n, 7, 5, 3);
	AT(n, 9, 5, 5);
	AT(n, 10, 5, 6);

	n = val(r, "dq");
	assert_string_equal(n->str, "one two");
	AT(n, 3, 6, 9);		/* folded break -> space, at the break */
	AT(n, 4, 7, 3);

	n = val(r, "s");
	assert_string_equal(n->str, "it's a  test");
	AT(n, 0, 8, 5);
	AT(n, 2, 8, 7);		/* '' -> ' at the first quote */
	AT(n, 3, 8, 9);
	AT(n, 4, 8, 10);
	AT(n, 5, 9, 3);
	AT(n, 7, 9, 5);
	AT(n, 8, 9, 6);
	AT(n, 12, 9, 10);

	n = val(r, "p");
	assert_string_equal(n->str, "first line second\nthird");
	AT(n, 0, 10, 4);
	AT(n, 5, 10, 9);
	AT(n, 10, 10, 14);
	AT(n, 11, 11, 3);
	AT(n, 17, 12, 1);	/* the empty line is the newline */
	AT(n, 18, 13, 3);
	AT(n, 23, 13, 8);

	n = val(r, "script");
	assert_string_equal(n->str, "line one\nline two\n  x = execname()\nend\n");
	AT(n, 0, 15, 3);
	AT(n, 8, 15, 11);
	AT(n, 9, 16, 3);
	AT(n, 18, 17, 3);	/* more-indented: the extra spaces are content */
	AT(n, 22, 17, 7);
	AT(n, 24, 17, 9);	/* 'e' of execname on the block's 3rd line */
	AT(n, 35, 18, 3);
	AT(n, 38, 18, 6);
	AT(n, 39, 19, 1);

	n = val(r, "keep");
	assert_string_equal(n->str, "  indented\nnormal\n\n");
	AT(n, 0, 20, 3);
	AT(n, 2, 20, 5);
	AT(n, 10, 20, 13);
	AT(n, 11, 21, 3);
	AT(n, 17, 21, 9);
	AT(n, 18, 22, 1);
	AT(n, 19, 23, 1);

	n = val(r, "strip");
	assert_string_equal(n->str, "a\nb");
	AT(n, 0, 24, 3);
	AT(n, 1, 24, 4);
	AT(n, 2, 25, 3);
	AT(n, 3, 25, 4);

	n = val(r, "f");
	assert_string_equal(n->str, "one two\nthree\n  more\nend\n");
	AT(n, 0, 27, 3);
	AT(n, 3, 27, 6);
	AT(n, 4, 28, 3);
	AT(n, 7, 29, 1);
	AT(n, 8, 30, 3);
	AT(n, 13, 30, 8);
	AT(n, 14, 31, 3);
	AT(n, 16, 31, 5);
	AT(n, 21, 32, 3);
	AT(n, 24, 32, 6);

	n = val(r, "u");
	assert_string_equal(n->str, "\xc3\xa9=\"x\"");
	AT(n, 0, 33, 5);	/* columns are bytes */
	AT(n, 1, 33, 6);
	AT(n, 2, 33, 7);
	AT(n, 3, 33, 8);
	AT(n, 4, 33, 10);
}

static void test_offsets_lf(void **state)
{
	check_styles(load(styles_doc));
	assert_int_equal(C->d.errors, 0);
}

static void test_offsets_crlf(void **state)
{
	const ynode *r = load(crlf(styles_doc));
	check_styles(r);
	assert_int_equal(C->d.errors, 0);
	assert_int_equal(val(r, "p")->loc.line, 10);
}

static void test_offsets_nested_block(void **state)
{
	/* explicit indentation is relative to the enclosing collection, also
	 * when that collection hides behind an anchor and a tag */
	const ynode *r = load("- |1\n"
			      "  x\n"
			      "- k: >2\n"
			      "     y\n"
			      "    z\n"
			      "- &a !!map\n"
			      "  m: |2\n"
			      "      deep\n"
			      "     text\n");
	assert_non_null(r);
	const ynode *n = r->items[0];
	assert_string_equal(n->str, " x\n");
	AT(n, 0, 2, 2);
	AT(n, 1, 2, 3);
	n = val(r->items[1], "k");
	assert_string_equal(n->str, " y\nz\n");
	AT(n, 0, 4, 5);
	AT(n, 3, 5, 5);
	n = val(r->items[2], "m");
	assert_string_equal(n->str, "  deep\n text\n");
	AT(n, 2, 8, 7);
	AT(n, 8, 9, 6);
}

static void test_offsets_plain_variants(void **state)
{
	/* a flow context, a tagged value, comments around, a BOM */
	const ynode *r = load("\xef\xbb\xbf"
			      "k: [one two, \"x\\\"y\"]  # c\n"
			      "t: !!str\n"
			      "  # why\n"
			      "  tagged value\n"
			      "e:\n");
	assert_non_null(r);
	const ynode *k = val(r, "k");
	assert_string_equal(k->items[0]->str, "one two");
	AT(k->items[0], 4, 1, 12);	/* BOM is 3 bytes of column */
	AT(k->items[1], 1, 1, 19);
	AT(k->items[1], 2, 1, 21);
	const ynode *t = val(r, "t");
	assert_string_equal(t->str, "tagged value");
	assert_int_equal(t->loc.line, 4);
	assert_int_equal(t->loc.col, 3);
	AT(t, 7, 4, 10);
	const ynode *e = val(r, "e");
	assert_int_equal(e->len, 0);
	srcloc l = yaml_scalar_loc(e, 0);
	assert_int_equal(l.line, 5);
	/* not a scalar: the node's own position */
	l = yaml_scalar_loc(k, 3);
	assert_int_equal(l.line, 1);
	assert_int_equal(l.col, 7);
	l = yaml_scalar_loc(NULL, 0);
	assert_null(l.src);

	/* properties in unusual shapes */
	r = load("k: &a:x\n"
		 "m: !<tag:yaml.org,2002:str> verbatim\n"
		 "n: !!str\n"
		 "  \xc2\x85 after a NEL\n");
	assert_non_null(r);
	assert_string_equal(val(r, "k")->str, ":x");	/* anchor names end at ':' */
	AT(val(r, "k"), 1, 1, 7);
	AT(val(r, "m"), 2, 2, 31);
	assert_string_equal(val(r, "n")->str, "after a NEL");
	AT(val(r, "n"), 0, 4, 6);	/* libyaml breaks lines at NEL; we don't */
}

static void test_aliases(void **state)
{
	const ynode *r = load("base: &b\n"
			      "  x: \"hi there\"\n"
			      "copy: *b\n"
			      "s: &s plain\n"
			      "t: *s\n"
			      "s: &s again\n");
	/* s is duplicated on purpose: aliases must not hide that */
	expect_error(r, "t.yaml:6:1: error: duplicate key 's'");

	reset();
	r = load("base: &b\n"
		 "  x: \"hi there\"\n"
		 "copy: *b\n"
		 "s: &s plain\n"
		 "t: *s\n"
		 "*s : key from alias\n");
	assert_non_null(r);
	const ynode *copy = val(r, "copy");
	assert_int_equal(copy->kind, YN_MAP);
	assert_int_equal(copy->loc.line, 3);
	assert_int_equal(copy->loc.col, 7);
	const ynode *x = val(copy, "x");
	assert_string_equal(x->str, "hi there");
	AT(x, 3, 2, 10);	/* characters are where the anchor's text is */
	const ynode *t = val(r, "t");
	assert_string_equal(t->str, "plain");
	assert_int_equal(t->loc.line, 5);
	assert_int_equal(t->loc.col, 4);
	assert_int_equal(t->loc.len, 2);
	AT(t, 1, 4, 8);
	assert_string_equal(val(r, "plain")->str, "key from alias");
}

/* ---- errors ------------------------------------------------------------- */

static void test_duplicate_key(void **state)
{
	const ynode *r = load("name: t\n"
			      "probes:\n"
			      "  - a\n"
			      "probes: x\n");
	assert_null(r);
	assert_int_equal(C->d.errors, 1);
	assert_string_equal(diags(),
			    "t.yaml:4:1: error: duplicate key 'probes'\n"
			    "  probes: x\n"
			    "  ^~~~~~\n"
			    "t.yaml:2:1: note: first defined here\n"
			    "  probes:\n"
			    "  ^~~~~~\n");
}

static void test_duplicate_key_flow_and_quoted(void **state)
{
	/* "a" and a are the same key; reported in source order */
	const ynode *r = load("{x: {b: 1, b: 2}, \"a\": 1, a: 2}\n");
	assert_null(r);
	assert_string_equal(diags(),
			    "t.yaml:1:12: error: duplicate key 'b'\n"
			    "  {x: {b: 1, b: 2}, \"a\": 1, a: 2}\n"
			    "             ^\n"
			    "t.yaml:1:6: note: first defined here\n"
			    "  {x: {b: 1, b: 2}, \"a\": 1, a: 2}\n"
			    "       ^\n");
}

static void test_duplicate_key_many(void **state)
{
	/* a late duplicate among many keys: the hash set must find it */
	char *doc = arena_alloc(&C->a, 5000 * 16);
	size_t n = 0;
	for (int i = 0; i < 5000; i++)
		n += (size_t)sprintf(doc + n, "key%d: %d\n", i, i);
	n += (size_t)sprintf(doc + n, "key1234: again\n");
	expect_error(load_n(doc, n, NULL), "t.yaml:5001:1: error: duplicate key 'key1234'");
	assert_non_null(strstr(diags(), "t.yaml:1235:1: note: first defined here"));
}

static void test_non_scalar_key(void **state)
{
	expect_error(load("? [a, b]\n: c\n"),
		     "t.yaml:1:3: error: mapping key must be a scalar, not a sequence");
	reset();
	expect_error(load("{{a: 1}: c}\n"),
		     "t.yaml:1:2: error: mapping key must be a scalar, not a mapping");
	reset();
	expect_error(load("m: &m {a: 1}\n*m : x\n"),
		     "t.yaml:2:1: error: mapping key must be a scalar, not a mapping");
}

static void test_tabs(void **state)
{
	const ynode *r = load("a:\n\tb: 1\n");
	assert_null(r);
	assert_string_equal(diags(),
			    "t.yaml:2:1: error: tab character used for indentation; "
			    "YAML allows only spaces\n"
			    "  \tb: 1\n"
			    "  ^\n");
	reset();
	expect_error(load("a:\n  - 1\n  \t- 2\n"),
		     "t.yaml:3:3: error: tab character used for indentation; YAML allows only spaces");
	reset();
	expect_error(load("a: |\n  x\n\ty\n"),
		     "t.yaml:3:1: error: tab character used for indentation; YAML allows only spaces");
	/* a tab as separation after ':' is fine */
	reset();
	r = load("a:\tb\n");
	assert_non_null(r);
	assert_string_equal(val(r, "a")->str, "b");
}

static void test_multiple_documents(void **state)
{
	expect_error(load("a: 1\n---\nb: 2\n"),
		     "t.yaml:2:1: error: multiple YAML documents in one spec; only one is allowed");
	reset();
	expect_error(load("--- \na: 1\n...\n---\n"),
		     "t.yaml:4:1: error: multiple YAML documents in one spec; only one is allowed");
	/* an explicit start and end of one document are fine */
	reset();
	assert_non_null(load("---\na: 1\n...\n"));
}

static void test_empty(void **state)
{
	expect_error(load(""), "t.yaml:1:1: error: empty spec");
	reset();
	expect_error(load("# only a comment\n\n"), "t.yaml:1:1: error: empty spec");
	reset();
	expect_error(load("---\n...\n"), "t.yaml:1:1: error: empty spec");
	/* not a mapping is the spec layer's business, not ours */
	reset();
	const ynode *r = load("- a\n");
	assert_non_null(r);
	assert_int_equal(r->kind, YN_SEQ);
	reset();
	r = load("\"\"\n");
	assert_non_null(r);
	assert_int_equal(r->len, 0);
}

static void test_nul(void **state)
{
	const char doc[] = "a: 1\nb: x\0y\n";
	const ynode *r = load_n(doc, sizeof doc - 1, NULL);
	assert_null(r);
	assert_string_equal(diags(), "t.yaml:2:5: error: NUL byte in file\n"
				     "  b: x?y\n"
				     "      ^\n");
	/* an escaped NUL would truncate C strings downstream */
	reset();
	expect_error(load("a: 1\nb: \"xy\\0\"\n"), "t.yaml:2:7: error: NUL character in a value");
}

static void test_invalid_utf8(void **state)
{
	static const struct {
		const char *doc, *first;
	} cases[] = {
		{ "a: \xff\n", "t.yaml:1:4: error: invalid UTF-8 byte 0xFF" },
		{ "a: ok\nb: x\x80\n", "t.yaml:2:5: error: invalid UTF-8 byte 0x80" },
		{ "a: \xc3(\n", "t.yaml:1:4: error: invalid UTF-8 sequence starting with byte 0xC3" },
		{ "a: \xc3", "t.yaml:1:4: error: invalid UTF-8 sequence starting with byte 0xC3" },
		{ "a: \xc0\xaf\n", "t.yaml:1:4: error: invalid UTF-8 byte 0xC0" },	/* overlong */
		{ "a: \xe0\x80\xaf\n", "t.yaml:1:4: error: invalid UTF-8 sequence starting with byte 0xE0" },
		{ "a: \xed\xa0\x80\n", "t.yaml:1:4: error: invalid UTF-8 sequence starting with byte 0xED" },	/* surrogate */
		{ "a: \xf4\x90\x80\x80\n", "t.yaml:1:4: error: invalid UTF-8 sequence starting with byte 0xF4" },
		{ "\xc3\xa9\xc3\xa9: \xfe\n", "t.yaml:1:7: error: invalid UTF-8 byte 0xFE" },
		{ "a: \x01\n", "t.yaml:1:4: error: control character 0x01 is not allowed in YAML" },
		{ "a: \xc2\x80\n", "t.yaml:1:4: error: control character U+0080 is not allowed in YAML" },
		{ "a: 1\rb: 2\n", "t.yaml:1:5: error: carriage return without line feed; use LF or CRLF line endings" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		reset();
		expect_error(load(cases[i].doc), cases[i].first);
	}
}

static void test_syntax_errors(void **state)
{
	expect_error(load("a: \"abc\n  def\n"), "t.yaml:1:4: error: unterminated quoted string");
	reset();
	const ynode *r = load("a:\n  b: 1\n c: 2\n");
	assert_null(r);
	assert_string_equal(diags(),
			    "t.yaml:3:2: error: did not find expected key (check the indentation)\n"
			    "   c: 2\n"
			    "   ^\n"
			    "t.yaml:1:1: note: while parsing a block mapping that starts here\n"
			    "  a:\n"
			    "  ^\n");
	reset();
	expect_error(load("a: b: c\n"),
		     "t.yaml:1:5: error: unexpected ':' (check the indentation, or quote a value that contains ': ')");
	reset();
	expect_error(load("a: \"x\\qy\"\n"),
		     "t.yaml:1:6: error: unknown escape sequence in double-quoted string");
	reset();
	expect_error(load("a: \"x\\ud800\"\n"),
		     "t.yaml:1:6: error: found invalid Unicode character escape code");
	reset();
	expect_error(load("a: @x\n"),
		     "t.yaml:1:4: error: '@' is reserved and cannot start a plain value; quote the value");
	reset();
	expect_error(load("a: [1, 2\nb: 3\n"), "t.yaml:2:2: error: did not find expected ',' or ']'");
	reset();
	expect_error(load("a: *nope\n"), "t.yaml:1:4: error: undefined alias 'nope'");
	reset();
	expect_error(load("a: &r [1, *r]\n"),
		     "t.yaml:1:11: error: alias 'r' refers to a node that contains it");
}

/* ---- limits and hostile input ------------------------------------------- */

static void test_alias_bomb(void **state)
{
	const ynode *r = load("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
			      "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
			      "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
			      "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
			      "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
			      "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
			      "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"
			      "h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
			      "i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n");
	/* levels a..e make 74740 nodes; the first *e crosses 100000 */
	expect_error(r, "t.yaml:6:8: error: too many nodes (limit 100000)");
	assert_true(C->a.used_total < 4u << 20);
}

static void test_alias_bomb_in_keys_and_depth(void **state)
{
	/* aliases count at their expanded depth too */
	yaml_limits lim = { .max_depth = 4 };
	expect_error(load_l("a: &a [[[1]]]\nb: [*a]\n", &lim),
		     "t.yaml:2:5: error: nesting too deep (limit 4)");
	reset();
	assert_non_null(load_l("a: &a [[1]]\nb: [*a]\n", &lim));
}

static void test_deep_nesting(void **state)
{
	size_t n = 10000;
	char *doc = arena_alloc(&C->a, 2 * n + 2);
	memset(doc, '[', n);
	memset(doc + n, ']', n);
	expect_error(load_n(doc, 2 * n, NULL), "t.yaml:1:65: error: nesting too deep (limit 64)");

	reset();
	for (size_t i = 0; i < n; i++)
		memcpy(doc + 2 * i, "- ", 2);
	expect_error(load_n(doc, 2 * n, NULL), "t.yaml:1:129: error: nesting too deep (limit 64)");

	reset();
	for (size_t i = 0; i < n / 4; i++)
		memcpy(doc + 4 * i, "{a: ", 4);
	expect_error(load_n(doc, n, NULL), "t.yaml:1:257: error: nesting too deep (limit 64)");

	/* exactly at the limit is fine */
	reset();
	memset(doc, '[', 64);
	memset(doc + 64, ']', 64);
	const ynode *r = load_n(doc, 128, NULL);
	assert_non_null(r);
	for (int i = 1; i < 64; i++)
		r = r->items[0];
	assert_int_equal(r->nitems, 0);
}

static void test_huge_scalar(void **state)
{
	size_t n = 1000000;	/* one 1 MB line */
	char *doc = arena_alloc(&C->a, n + 1);
	memcpy(doc, "k: ", 3);
	memset(doc + 3, 'x', n - 3);
	expect_error(load_n(doc, n, NULL),
		     "t.yaml:1:4: error: scalar too long (999997 bytes; limit 65536)");
	/* the excerpt of a long line stays short */
	assert_true(strlen(diags()) < 1000);

	reset();
	doc[3] = '"';
	doc[n - 1] = '"';
	expect_error(load_n(doc, n, NULL),
		     "t.yaml:1:4: error: scalar too long (999995 bytes; limit 65536)");

	/* right at the limit is fine, and mapped */
	reset();
	doc[3] = 'x';
	const ynode *r = load_n(doc, 3 + 65536, NULL);
	assert_non_null(r);
	AT(val(r, "k"), 65535, 1, 65539);
}

static void test_file_too_large(void **state)
{
	size_t n = 10u << 20;	/* 10 MB of garbage */
	char *doc = arena_alloc(&C->a, n);
	uint32_t x = 12345;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		doc[i] = (char)(x >> 24);
	}
	expect_error(load_n(doc, n, NULL),
		     "t.yaml:1:1: error: file too large (10485760 bytes; limit 1048576)");
}

static void test_garbage(void **state)
{
	/* 1 MB of random bytes: the first bad byte is reported, no crash */
	size_t n = 1u << 20;
	char *doc = arena_alloc(&C->a, n);
	uint32_t x = 99;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		doc[i] = (char)(x >> 24);
	}
	assert_null(load_n(doc, n, NULL));
	assert_int_equal(C->d.errors, 1);

	/* 1 MB of printable junk gets through to libyaml and fails there */
	static const char junk[] = "ab: -[]{},?:#&*!|>'\"%@` \n\t";
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		doc[i] = junk[(x >> 24) % (sizeof junk - 1)];
	}
	reset();
	assert_null(load_n(doc, n, NULL));
	assert_int_equal(C->d.errors, 1);
}

static char *many_keys(size_t count, size_t *len)
{
	char *doc = arena_alloc(&C->a, count * 20);
	size_t n = 0;
	for (size_t i = 0; i < count; i++)
		n += (size_t)sprintf(doc + n, "k%zu: v\n", i);
	*len = n;
	return doc;
}

static void test_many_keys(void **state)
{
	size_t len;
	char *doc = many_keys(100000, &len);
	/* 100k pairs are 200k nodes: over the default limit */
	expect_error(load_n(doc, len, NULL), "t.yaml:50000:9: error: too many nodes (limit 100000)");

	reset();
	yaml_limits lim = { .max_nodes = 300000, .max_file_bytes = 4u << 20 };
	const ynode *r = load_n(doc, len, &lim);
	assert_non_null(r);
	assert_int_equal(r->npairs, 100000);
	assert_string_equal(ynode_get(r, "k99999")->key->str, "k99999");
	assert_int_equal(ynode_get(r, "k99999")->key->loc.line, 100000);
}

static void test_many_anchors(void **state)
{
	char *doc = arena_alloc(&C->a, 20000 * 40);
	size_t n = 0;
	for (int i = 0; i < 20000; i++)
		n += (size_t)sprintf(doc + n, "k%d: &a%d v%d\n", i, i, i);
	n += (size_t)sprintf(doc + n, "last: *a777\n");
	const ynode *r = load_n(doc, n, NULL);
	assert_non_null(r);
	assert_string_equal(val(r, "last")->str, "v777");
}

static void test_custom_limits(void **state)
{
	yaml_limits lim = { .max_file_bytes = 10 };
	expect_error(load_l("a: 1234567890\n", &lim),
		     "t.yaml:1:1: error: file too large (14 bytes; limit 10)");

	reset();
	lim = (yaml_limits){ .max_depth = 2 };
	expect_error(load_l("a:\n  b:\n    c: 1\n", &lim),
		     "t.yaml:3:5: error: nesting too deep (limit 2)");

	reset();
	lim = (yaml_limits){ .max_nodes = 5 };
	expect_error(load_l("a: 1\nb: 2\nc: 3\n", &lim),
		     "t.yaml:3:1: error: too many nodes (limit 5)");

	reset();
	lim = (yaml_limits){ .max_scalar_bytes = 4 };
	expect_error(load_l("a: |\n  12\n  3\n", &lim),
		     "t.yaml:1:4: error: scalar too long (5 bytes; limit 4)");
	reset();
	assert_non_null(load_l("a: |\n  123\n", &lim));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_tree),
		T(test_scalar_styles_recorded),
		T(test_offsets_lf),
		T(test_offsets_crlf),
		T(test_offsets_nested_block),
		T(test_offsets_plain_variants),
		T(test_aliases),
		T(test_duplicate_key),
		T(test_duplicate_key_flow_and_quoted),
		T(test_duplicate_key_many),
		T(test_non_scalar_key),
		T(test_tabs),
		T(test_multiple_documents),
		T(test_empty),
		T(test_nul),
		T(test_invalid_utf8),
		T(test_syntax_errors),
		T(test_alias_bomb),
		T(test_alias_bomb_in_keys_and_depth),
		T(test_deep_nesting),
		T(test_huge_scalar),
		T(test_file_too_large),
		T(test_garbage),
		T(test_many_keys),
		T(test_many_anchors),
		T(test_custom_limits),
#undef T
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
