/* Expression scanner, parser, printer and walker. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "expr/ast.h"

/* ---- fixture: a one-line fake spec, diagnostics captured --------------- */

typedef struct fx {
	arena a;
	char *out;
	size_t outlen;
	FILE *f;
	diag_sink d;
} fx;

static srcloc at_line1(const void *ctx, size_t off)
{
	return source_loc_at((const source *)ctx, off);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	arena_init(&f->a);
	f->f = open_memstream(&f->out, &f->outlen);
	diag_init(&f->d, f->f);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fx *f = *state;
	fclose(f->f);
	free(f->out);
	arena_free(&f->a);
	free(f);
	return 0;
}

static expr *parse_n(fx *f, const char *text, size_t len)
{
	source *src = source_new(&f->a, "spec.yaml", text, len);
	expr_locmap m = { at_line1, src };
	return expr_parse(&f->a, text, len, m, &f->d);
}

static expr *parse(fx *f, const char *text)
{
	return parse_n(f, text, strlen(text));
}

static const char *diags(fx *f)
{
	fflush(f->f);
	return f->out ? f->out : "";
}

static void reset_diags(fx *f)
{
	fclose(f->f);
	free(f->out);
	f->out = NULL;
	f->f = open_memstream(&f->out, &f->outlen);
	diag_init(&f->d, f->f);
}

static char *print(const expr *e)
{
	strbuf sb = STRBUF_INIT;
	expr_print_stap(&sb, e);
	char *s = strdup(sb_str(&sb));
	sb_free(&sb);
	return s;
}

/* Structural equality, ignoring locations and checker fields.  A negative
 * literal (from 0xfff...) prints as -N and reads back as -(N). */
static bool same(const expr *x, const expr *y)
{
	if (!x || !y)
		return x == y;
	if (x->kind == E_INT && x->ival < 0 && x->ival != INT64_MIN &&
	    y->kind == E_UNARY && y->op == OP_NEG && y->a && y->a->kind == E_INT)
		return y->a->ival == -x->ival;
	if (x->kind != y->kind || x->op != y->op || x->ival != y->ival ||
	    x->slen != y->slen || x->nargs != y->nargs)
		return false;
	if ((x->sval == NULL) != (y->sval == NULL) ||
	    (x->sval && memcmp(x->sval, y->sval, x->slen)))
		return false;
	if ((x->name == NULL) != (y->name == NULL) ||
	    (x->name && strcmp(x->name, y->name)))
		return false;
	if (!same(x->a, y->a) || !same(x->b, y->b) || !same(x->c, y->c))
		return false;
	for (size_t i = 0; i < x->nargs; i++)
		if (!same(x->args[i], y->args[i]))
			return false;
	return true;
}

/* Parses in, expects the stap text out, and that out parses back to the
 * same tree and prints identically. */
static void roundtrip(fx *f, const char *in, const char *out)
{
	expr *e = parse(f, in);
	if (!e)
		fail_msg("parse of '%s' failed: %s", in, diags(f));
	char *p = print(e);
	if (strcmp(p, out))
		fail_msg("'%s' printed as '%s', expected '%s'", in, p, out);
	expr *e2 = parse(f, p);
	if (!e2)
		fail_msg("reparse of '%s' failed: %s", p, diags(f));
	if (!same(e, e2))
		fail_msg("'%s' printed as '%s', which reads as a different tree", in, p);
	char *p2 = print(e2);
	assert_string_equal(p, p2);
	free(p);
	free(p2);
	assert_int_equal(f->d.errors, 0);
}

/* Parsing fails with exactly this diagnostic output. */
static void parse_error(fx *f, const char *in, const char *want)
{
	reset_diags(f);
	expr *e = parse(f, in);
	if (e)
		fail_msg("'%s' parsed, expected an error", in);
	assert_string_equal(diags(f), want);
	assert_int_equal(f->d.errors, 1);
}

static void parse_error_n(fx *f, const char *in, size_t n, const char *want)
{
	reset_diags(f);
	assert_null(parse_n(f, in, n));
	assert_string_equal(diags(f), want);
	assert_int_equal(f->d.errors, 1);
}

/* ---- literals and tokens ------------------------------------------------ */

static void test_integers(void **state)
{
	fx *f = *state;
	static const struct { const char *in; int64_t v; } cases[] = {
		{ "0", 0 }, { "42", 42 }, { "0x1f", 31 }, { "0XFF", 255 },
		{ "017", 15 }, { "00", 0 },
		{ "9223372036854775807", INT64_MAX },
		{ "0x7fffffffffffffff", INT64_MAX },
		{ "0xffffffffffffffff", -1 },
		{ "0x8000000000000000", INT64_MIN },
		{ "01777777777777777777777", -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		expr *e = parse(f, cases[i].in);
		assert_non_null(e);
		assert_int_equal(e->kind, E_INT);
		assert_true(e->ival == cases[i].v);
	}
	assert_int_equal(f->d.errors, 0);
}

static void test_strings(void **state)
{
	fx *f = *state;
	expr *e = parse(f, "\"a\\tb\\n\\\"q\\\"\\\\\\101\\x42\\x4a\\0\\r\\a\\b\\f\\v\\'\"");
	assert_non_null(e);
	assert_int_equal(e->kind, E_STR);
	static const char want[] = "a\tb\n\"q\"\\ABJ\0\r\a\b\f\v'";
	assert_int_equal(e->slen, sizeof want - 1);
	assert_memory_equal(e->sval, want, sizeof want - 1);

	e = parse(f, "\"\"");
	assert_non_null(e);
	assert_int_equal(e->slen, 0);
	assert_string_equal(e->sval, "");

	/* raw bytes: UTF-8, a tab and a newline are kept as they are */
	e = parse(f, "\"caf\xc3\xa9\t\nx\"");
	assert_non_null(e);
	assert_int_equal(e->slen, 8);
	assert_memory_equal(e->sval, "caf\xc3\xa9\t\nx", 8);

	/* \x takes at most two digits, octal at most three */
	e = parse(f, "\"\\x414\\1234\"");
	assert_non_null(e);
	assert_int_equal(e->slen, 4);
	assert_memory_equal(e->sval, "A4S4", 4);
	assert_int_equal(f->d.errors, 0);
}

static void test_names_and_forms(void **state)
{
	fx *f = *state;
	expr *e = parse(f, "$sk");
	assert_int_equal(e->kind, E_TARGET);
	assert_string_equal(e->name, "sk");

	e = parse(f, "$return");
	assert_int_equal(e->kind, E_TARGET);
	assert_string_equal(e->name, "return");

	e = parse(f, "$$parms$");
	assert_int_equal(e->kind, E_TARGET);
	assert_string_equal(e->name, "$parms$");

	e = parse(f, "index");	/* starts like the keyword `in` */
	assert_int_equal(e->kind, E_IDENT);
	assert_string_equal(e->name, "index");

	e = parse(f, "@cast(sk, \"inet_sock\")->inet_sport");
	assert_int_equal(e->kind, E_MEMBER);
	assert_string_equal(e->name, "inet_sport");
	assert_int_equal(e->a->kind, E_CAST);
	assert_string_equal(e->a->sval, "inet_sock");
	assert_null(e->a->name);
	assert_int_equal(e->a->a->kind, E_IDENT);

	e = parse(f, "@cast(p, \"task_struct\", \"kernel<linux/sched.h>\")->pid");
	assert_string_equal(e->a->name, "kernel<linux/sched.h>");

	e = parse(f, "@defined($rq->q)");
	assert_int_equal(e->kind, E_DEFINED);
	assert_int_equal(e->a->kind, E_MEMBER);

	e = parse(f, "@entry(gettimeofday_us())");
	assert_int_equal(e->kind, E_ENTRY);
	assert_int_equal(e->a->kind, E_CALL);
	assert_int_equal(e->a->nargs, 0);

	e = parse(f, "@choose_defined($a, 0)");
	assert_int_equal(e->kind, E_CHOOSE);
	assert_int_equal(e->b->kind, E_INT);

	static const struct { const char *in; int fn; } aggs[] = {
		{ "@count(x)", AGG_COUNT }, { "@sum(x)", AGG_SUM }, { "@min(x)", AGG_MIN },
		{ "@max(x)", AGG_MAX }, { "@avg(x)", AGG_AVG },
	};
	for (size_t i = 0; i < 5; i++) {
		e = parse(f, aggs[i].in);
		assert_int_equal(e->kind, E_AGG);
		assert_int_equal(e->op, aggs[i].fn);
		assert_string_equal(e->a->name, "x");
	}

	e = parse(f, "start[$rq, 1]");
	assert_int_equal(e->kind, E_INDEX);
	assert_int_equal(e->nargs, 2);
	assert_string_equal(e->a->name, "start");

	e = parse(f, "[pid(), 2] in m");
	assert_int_equal(e->kind, E_IN);
	assert_string_equal(e->name, "m");
	assert_int_equal(e->nargs, 2);
	assert_int_equal(e->args[0]->kind, E_CALL);

	e = parse(f, "tid() in m");
	assert_int_equal(e->kind, E_IN);
	assert_int_equal(e->nargs, 1);

	e = parse(f, "kernel_string($p, \"?\")");
	assert_int_equal(e->kind, E_CALL);
	assert_string_equal(e->name, "kernel_string");
	assert_int_equal(e->nargs, 2);

	e = parse(f, "execname() =~ \"^nginx\"");
	assert_int_equal(e->kind, E_BINARY);
	assert_int_equal(e->op, OP_MATCH);
	e = parse(f, "execname() !~ \"x\"");
	assert_int_equal(e->op, OP_NMATCH);
	assert_int_equal(f->d.errors, 0);
}

/* Every node's loc is its own token, its span the whole subexpression;
 * offsets map through the locmap (here: column = offset + 1). */
static void test_locations(void **state)
{
	fx *f = *state;
	expr *e = parse(f, "a + foo(1, $b->c) * 2");
	assert_int_equal(e->op, OP_ADD);
	assert_int_equal(e->loc.col, 3);
	assert_int_equal(e->loc.len, 1);
	assert_int_equal(e->span.col, 1);
	assert_int_equal(e->span.len, 21);
	expr *mul = e->b;
	assert_int_equal(mul->loc.col, 19);
	assert_int_equal(mul->span.col, 5);
	assert_int_equal(mul->span.len, 17);
	expr *call = mul->a;
	assert_int_equal(call->kind, E_CALL);
	assert_int_equal(call->loc.col, 5);
	assert_int_equal(call->loc.len, 3);
	assert_int_equal(call->span.len, 13);
	expr *mem = call->args[1];
	assert_int_equal(mem->kind, E_MEMBER);
	assert_int_equal(mem->loc.col, 14);	/* "->c" */
	assert_int_equal(mem->loc.len, 3);
	assert_int_equal(mem->a->loc.col, 12);	/* "$b" */
	assert_int_equal(mem->a->loc.len, 2);
	assert_int_equal(e->loc.line, 1);
	assert_string_equal(e->loc.src->path, "spec.yaml");

	e = parse(f, "(x)");	/* parentheses belong to no node */
	assert_int_equal(e->loc.col, 2);

	e = parse(f, "[k] in m");
	assert_int_equal(e->loc.col, 8);	/* the map name */
	assert_int_equal(e->span.col, 1);
	assert_int_equal(e->span.len, 8);

	e = parse(f, "c ? \"s\" : x");
	assert_int_equal(e->loc.col, 3);
	assert_int_equal(e->b->loc.len, 3);
}

/* The expression sits inside a bigger file: positions and the excerpt
 * come from the file through the locmap. */
typedef struct embed {
	const source *src;
	size_t base;
} embed;

static srcloc at_embedded(const void *ctx, size_t off)
{
	const embed *em = ctx;
	return source_loc_at(em->src, em->base + off);
}

static void test_locmap_into_file(void **state)
{
	fx *f = *state;
	static const char file[] =
		"tool: x\n"
		"filter: \"sk != 0 && (destport == 0 || port == )\"\n";
	source *src = source_new(&f->a, "specs/net/tcp_conn.yaml", file, sizeof file - 1);
	const char *text = strchr(file, '"') + 1;
	embed em = { src, (size_t)(text - file) };
	size_t len = strchr(text, '"') - text;
	expr_locmap m = { at_embedded, &em };
	reset_diags(f);
	assert_null(expr_parse(&f->a, text, len, m, &f->d));
	assert_string_equal(diags(f),
		"specs/net/tcp_conn.yaml:2:47: error: syntax error, unexpected ')', expecting expression\n"
		"  filter: \"sk != 0 && (destport == 0 || port == )\"\n"
		"                                                ^\n");
}

static void test_no_locmap(void **state)
{
	fx *f = *state;
	expr_locmap none = { NULL, NULL };
	reset_diags(f);
	assert_null(expr_parse(&f->a, "a +", 3, none, &f->d));
	assert_string_equal(diags(f),
		"stapgen: error: syntax error, unexpected end of expression, expecting expression\n");
	assert_null(expr_parse(&f->a, NULL, 0, none, &f->d));
}

/* ---- precedence and printing --------------------------------------------- */

static void test_precedence(void **state)
{
	fx *f = *state;
	static const char *const cases[][2] = {
		/* the brief's examples */
		{ "sk != 0 && (destport == 0 || port == destport)",
		  "sk != 0 && (destport == 0 || port == destport)" },
		{ "gettimeofday_us() - t0", "gettimeofday_us() - t0" },
		{ "$return", "$return" },
		{ "@cast(sk, \"inet_sock\")->inet_sport", "@cast(sk, \"inet_sock\")->inet_sport" },
		{ "$rq->q->disk->disk_name", "$rq->q->disk->disk_name" },
		{ "execname()", "execname()" },
		{ "@sum(io_read) / 1024", "@sum(io_read) / 1024" },
		{ "start[$rq]", "start[$rq]" },
		/* C-like levels; redundant parentheses go away */
		{ "((a))", "a" },
		{ "a + (b * c)", "a + b * c" },
		{ "(a + b) * c", "(a + b) * c" },
		{ "a - (b - c)", "a - (b - c)" },
		{ "(a - b) - c", "a - b - c" },
		{ "a || b && c", "a || b && c" },
		{ "(a || b) && c", "(a || b) && c" },
		{ "a | b ^ c & d", "a | b ^ c & d" },
		{ "((a | b) ^ c) & d", "((a | b) ^ c) & d" },
		{ "a << 1 + 2", "a << 1 + 2" },
		{ "(a << 1) + 2", "(a << 1) + 2" },
		{ "a < b << 1", "a < b << 1" },
		{ "-a * b", "-a * b" },
		{ "-(a * b)", "-(a * b)" },
		{ "!a && b", "!a && b" },
		{ "!(a && b)", "!(a && b)" },
		{ "~a->b", "~a->b" },
		{ "-$a->b[1]->c", "-$a->b[1]->c" },
		/* comparisons: C groups == below <, stap puts them on one level */
		{ "a == b < c", "a == (b < c)" },
		{ "(a == b) < c", "(a == b) < c" },
		{ "a < b == c", "a < b == c" },
		{ "a == b == c", "a == b == c" },
		{ "a == (b == c)", "a == (b == c)" },
		/* `.` sits with + - here, below them in stap */
		{ "a . b . c", "a . b . c" },
		{ "a . (b . c)", "a . (b . c)" },
		{ "a . b + c", "(a . b) + c" },
		{ "a + b . c", "a + b . c" },
		{ "a . b * c", "a . b * c" },
		{ "a . b << c", "a . b << c" },
		{ "a . (b << c)", "a . (b << c)" },
		{ "(a . b) == c", "a . b == c" },
		/* ?: is right-associative and lowest */
		{ "a ? b : c ? d : e", "a ? b : c ? d : e" },
		{ "(a ? b : c) ? d : e", "(a ? b : c) ? d : e" },
		{ "a ? b ? c : d : e", "a ? b ? c : d : e" },
		{ "a || b ? c : d", "a || b ? c : d" },
		{ "a ? b : (c || d)", "a ? b : c || d" },
		{ "(a ? b : c) + 1", "(a ? b : c) + 1" },
		{ "f(a ? b : c, d)", "f(a ? b : c, d)" },
		/* `in` sits between & and the comparisons, as in stap */
		{ "[a, b] in m", "[a, b] in m" },
		{ "k in m", "[k] in m" },
		{ "a & b in m", "a & [b] in m" },
		{ "(a & b) in m", "[(a & b)] in m" },	/* stap reads keys at == level */
		{ "[a || b, c ? d : e, f] in m", "[(a || b), (c ? d : e), f] in m" },
		{ "a == b in m", "[a == b] in m" },
		{ "x + ([k] in m)", "x + ([k] in m)" },
		{ "!([k] in m)", "!([k] in m)" },
		{ "[k] in m && x", "[k] in m && x" },
		{ "m[[k] in n]", "m[[k] in n]" },
		/* unary chains never glue into -- or !~ */
		{ "- -x", "- -x" },
		{ "-(-x)", "- -x" },
		{ "-(-5)", "- -5" },
		{ "! ~x", "! ~x" },
		{ "!(~x)", "! ~x" },
		{ "~-x", "~-x" },
		{ "!!x", "!!x" },
		{ "1 - -1", "1 - -1" },
		{ "a- -b", "a - -b" },
		/* spacing is normalized */
		{ "  f( 1 ,2 )", "f(1, 2)" },
		{ "m[ 1,\t2 ]", "m[1, 2]" },
		{ "@cast( p ,\"t\" , \"m\" )->x", "@cast(p, \"t\", \"m\")->x" },
		{ "@count(x)+@min(x)", "@count(x) + @min(x)" },
		{ "0x10 + 010", "0x10 + 010" },
		{ "0xffffffffffffffff", "0xffffffffffffffff" },
		{ "0x8000000000000000", "0x8000000000000000" },
		{ "execname() =~ \"^ng\" || a !~ \"b\"", "execname() =~ \"^ng\" || a !~ \"b\"" },
		{ "@entry($a) + @defined($b) + @choose_defined($c, 1)",
		  "@entry($a) + @defined($b) + @choose_defined($c, 1)" },
		{ "$$vars . $$return", "$$vars . $$return" },
		/* unary '&' (address of a target) binds like - ! ~, over the whole
		 * postfix chain, and never glues into && */
		{ "&$iph->saddr", "&$iph->saddr" },
		{ "& $skb", "&$skb" },
		{ "&$a->b[1]->c", "&$a->b[1]->c" },
		{ "&@cast(p, \"ipv6hdr\", \"kernel\")->saddr", "&@cast(p, \"ipv6hdr\", \"kernel\")->saddr" },
		{ "f(&$iph->saddr, AF_INET6())", "f(&$iph->saddr, AF_INET6())" },
		{ "a & &$b", "a & &$b" },
		{ "a&&$b", "a && $b" },
		{ "& &$x", "& &$x" },
		{ "&(&$x)", "& &$x" },
		{ "-&$x", "-&$x" },
		{ "!&$x", "!&$x" },
		{ "&$x + 4", "&$x + 4" },
		{ "&($x + 4)", "&($x + 4)" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		roundtrip(f, cases[i][0], cases[i][1]);
}

static void test_string_literal_escaping(void **state)
{
	(void)state;
	static const struct { const char *in; size_t n; const char *out; } cases[] = {
		{ "plain", 5, "plain" },
		{ "a\"b", 3, "a\\\"b" },
		{ "back\\slash", 10, "back\\\\slash" },
		{ "nl\ntab\t", 7, "nl\\ntab\\t" },
		{ "\r\001\x1f\x7f", 4, "\\015\\001\\037\\177" },
		{ "nul\0" "1", 5, "nul\\0001" },
		{ "caf\xc3\xa9", 5, "caf\xc3\xa9" },
		{ "what?\?!", 7, "what?\\077!" },
		{ "???", 3, "?\\077?" },
		{ "%d\x01", 3, "%d\\001" },
		{ "", 0, "" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		strbuf sb = STRBUF_INIT;
		stap_string_literal(&sb, cases[i].in, cases[i].n);
		assert_string_equal(sb_str(&sb), cases[i].out);
		sb_free(&sb);
	}
}

/* Any byte string survives print -> parse unchanged and cannot end the
 * literal early. */
static void test_string_roundtrip_all_bytes(void **state)
{
	fx *f = *state;
	char bytes[256];
	for (int i = 0; i < 256; i++)
		bytes[i] = (char)i;
	expr s = { .kind = E_STR, .sval = bytes, .slen = sizeof bytes };
	char *p = print(&s);
	expr *e = parse(f, p);
	assert_non_null(e);
	assert_int_equal(e->kind, E_STR);
	assert_int_equal(e->slen, 256);
	assert_memory_equal(e->sval, bytes, 256);
	/* the only quotes are the delimiters; every other one is escaped */
	size_t len = strlen(p);
	assert_int_equal(p[0], '"');
	assert_int_equal(p[len - 1], '"');
	for (size_t i = 1; i + 1 < len; i++) {
		assert_true((unsigned char)p[i] >= 0x20 && p[i] != 0x7f);
		if (p[i] == '\\')
			i++;
		else
			assert_true(p[i] != '"');
	}
	free(p);
}

static void test_print_built_trees(void **state)
{
	(void)state;
	expr a = { .kind = E_IDENT, .name = "a" }, b = { .kind = E_IDENT, .name = "b" };
	expr c = { .kind = E_IDENT, .name = "c" };
	expr neg = { .kind = E_INT, .ival = -5 };
	expr min = { .kind = E_INT, .ival = INT64_MIN };

	expr sub = { .kind = E_BINARY, .op = OP_SUB, .a = &a, .b = &neg };
	char *p = print(&sub);
	assert_string_equal(p, "a - -5");
	free(p);

	expr un = { .kind = E_UNARY, .op = OP_NEG, .a = &neg };
	p = print(&un);
	assert_string_equal(p, "- -5");
	free(p);

	expr mem = { .kind = E_MEMBER, .name = "x", .a = &neg };
	p = print(&mem);
	assert_string_equal(p, "(-5)->x");
	free(p);

	expr un2 = { .kind = E_UNARY, .op = OP_NEG, .a = &min };
	p = print(&un2);
	assert_string_equal(p, "-0x8000000000000000");
	free(p);

	/* emit_name replaces a name, or a whole node printed as a name */
	expr id = { .kind = E_IDENT, .name = "port", .emit_name = "__param_port" };
	expr cmp = { .kind = E_BINARY, .op = OP_EQ, .a = &id, .b = &b };
	p = print(&cmp);
	assert_string_equal(p, "__param_port == b");
	free(p);
	expr ent = { .kind = E_ENTRY, .a = &a, .emit_name = "__entry_1" };
	p = print(&ent);
	assert_string_equal(p, "__entry_1");
	free(p);
	expr *keys[] = { &a, &b };
	expr in = { .kind = E_IN, .name = "m", .emit_name = "g_m", .args = keys, .nargs = 2 };
	p = print(&in);
	assert_string_equal(p, "[a, b] in g_m");
	free(p);

	/* concatenation under + needs parentheses only for stap */
	expr cat = { .kind = E_BINARY, .op = OP_CONCAT, .a = &a, .b = &b };
	expr add = { .kind = E_BINARY, .op = OP_ADD, .a = &cat, .b = &c };
	p = print(&add);
	assert_string_equal(p, "(a . b) + c");
	free(p);
	expr add2 = { .kind = E_BINARY, .op = OP_ADD, .a = &a, .b = &cat };
	p = print(&add2);
	assert_string_equal(p, "a + (a . b)");
	free(p);

	/* a missing child and an over-deep hand-built chain print as text stap
	 * rejects instead of crashing */
	expr hole = { .kind = E_UNARY, .op = OP_NOT };
	p = print(&hole);
	assert_string_equal(p, "!/* missing expression */");
	free(p);
	enum { DEEP = 5000 };
	expr *chain = calloc(DEEP, sizeof *chain);
	for (size_t i = 0; i < DEEP; i++) {
		chain[i].kind = E_UNARY;
		chain[i].op = OP_BITNOT;
		chain[i].a = i + 1 < DEEP ? &chain[i + 1] : &a;
	}
	p = print(&chain[0]);
	assert_non_null(strstr(p, "/* expression too deep */"));
	free(p);
	free(chain);
}

/* ---- walker ----------------------------------------------------------- */

static void collect(const expr *e, void *ctx)
{
	strbuf *sb = ctx;
	switch (e->kind) {
	case E_IDENT: case E_CALL: case E_IN: sb_puts(sb, e->name); break;
	case E_INT: sb_printf(sb, "%lld", (long long)e->ival); break;
	case E_BINARY: sb_putc(sb, 'B'); break;
	case E_TERNARY: sb_putc(sb, 'T'); break;
	case E_INDEX: sb_putc(sb, 'I'); break;
	default: sb_putc(sb, '?'); break;
	}
	sb_putc(sb, ' ');
}

static void count(const expr *e, void *ctx)
{
	(void)e;
	(*(size_t *)ctx)++;
}

static void test_walk(void **state)
{
	fx *f = *state;
	expr *e = parse(f, "a ? f(b, 1 + c) : m[d, e] + ([g] in h)");
	strbuf sb = STRBUF_INIT;
	expr_walk(e, collect, &sb);
	assert_string_equal(sb_str(&sb), "T a f b B 1 c B I m d e h g ");
	sb_free(&sb);

	size_t n = 0;
	expr_walk(NULL, count, &n);
	assert_int_equal(n, 0);

	/* no recursion: a hand-built chain far deeper than any parse */
	enum { DEEP = 200000 };
	expr *chain = calloc(DEEP, sizeof *chain);
	for (size_t i = 0; i < DEEP; i++) {
		chain[i].kind = E_UNARY;
		chain[i].a = i + 1 < DEEP ? &chain[i + 1] : NULL;
	}
	expr_walk(chain, count, &n);
	assert_int_equal(n, DEEP);
	free(chain);
}

/* ---- errors: the full diagnostic text --------------------------------- */

static void test_syntax_errors(void **state)
{
	fx *f = *state;
	parse_error(f, "$sk->)",
		"spec.yaml:1:6: error: syntax error, unexpected ')', expecting identifier\n"
		"  $sk->)\n"
		"       ^\n");
	parse_error(f, "a +",
		"spec.yaml:1:4: error: syntax error, unexpected end of expression, expecting expression\n"
		"  a +\n"
		"     ^\n");
	parse_error(f, "f(a,)",
		"spec.yaml:1:5: error: syntax error, unexpected ')', expecting expression\n"
		"  f(a,)\n"
		"      ^\n");
	parse_error(f, "port destport",
		"spec.yaml:1:6: error: syntax error, unexpected identifier 'destport', expecting end of expression\n"
		"  port destport\n"
		"       ^~~~~~~~\n");
	parse_error(f, "pid(",
		"spec.yaml:1:5: error: syntax error, unexpected end of expression, expecting expression\n"
		"  pid(\n"
		"      ^\n");
	parse_error(f, "(a",
		"spec.yaml:1:3: error: syntax error, unexpected end of expression, expecting ')'\n"
		"  (a\n"
		"    ^\n");
	parse_error(f, "m[1 2]",
		"spec.yaml:1:5: error: syntax error, unexpected integer '2', expecting ']' or ','\n"
		"  m[1 2]\n"
		"      ^\n");
	parse_error(f, "a ? b",
		"spec.yaml:1:6: error: syntax error, unexpected end of expression, expecting ':'\n"
		"  a ? b\n"
		"       ^\n");
	parse_error(f, "[a, b]",
		"spec.yaml:1:7: error: syntax error, unexpected end of expression, expecting 'in'\n"
		"  [a, b]\n"
		"        ^\n");
	parse_error(f, "k in 5",
		"spec.yaml:1:6: error: syntax error, unexpected integer '5', expecting identifier\n"
		"  k in 5\n"
		"       ^\n");
	parse_error(f, "@cast(p)->x",
		"spec.yaml:1:8: error: syntax error, unexpected ')', expecting ','\n"
		"  @cast(p)->x\n"
		"         ^\n");
	parse_error(f, "@cast(p, t)",
		"spec.yaml:1:10: error: syntax error, unexpected identifier 't', expecting string\n"
		"  @cast(p, t)\n"
		"           ^\n");
	parse_error(f, "@sum x",
		"spec.yaml:1:6: error: syntax error, unexpected identifier 'x', expecting '('\n"
		"  @sum x\n"
		"       ^\n");
	parse_error(f, "\"a\" \"b\"",
		"spec.yaml:1:5: error: syntax error, unexpected string, expecting end of expression\n"
		"  \"a\" \"b\"\n"
		"      ^~~\n");
	parse_error(f, "a ) b",
		"spec.yaml:1:3: error: syntax error, unexpected ')', expecting end of expression\n"
		"  a ) b\n"
		"    ^\n");
	parse_error(f, "$x->",
		"spec.yaml:1:5: error: syntax error, unexpected end of expression, expecting identifier\n"
		"  $x->\n"
		"      ^\n");
	parse_error(f, "$x $y",
		"spec.yaml:1:4: error: syntax error, unexpected target variable '$y', expecting end of expression\n"
		"  $x $y\n"
		"     ^~\n");
	/* `!~` is one token, as in stap: write `! ~x` */
	parse_error(f, "!~x",
		"spec.yaml:1:1: error: syntax error, unexpected '!~', expecting expression\n"
		"  !~x\n"
		"  ^~\n");
	parse_error(f, "",
		"spec.yaml:1:1: error: empty expression\n"
		"  \n"
		"  ^\n");
	parse_error(f, " \t ",
		"spec.yaml:1:1: error: empty expression\n"
		"   \t \n"
		"  ^\n");
	parse_error(f, "next + 1",
		"spec.yaml:1:1: error: 'next' is a SystemTap keyword and cannot be used as a name\n"
		"  next + 1\n"
		"  ^~~~\n");
	parse_error(f, "[k] in global",
		"spec.yaml:1:8: error: 'global' is a SystemTap keyword and cannot be used as a name\n"
		"  [k] in global\n"
		"         ^~~~~~\n");
	/* keywords are fine as member names */
	reset_diags(f);
	roundtrip(f, "$p->next->limit", "$p->next->limit");
}

static void test_lexical_errors(void **state)
{
	fx *f = *state;
	parse_error(f, "a # b",
		"spec.yaml:1:3: error: unexpected character '#'\n"
		"  a # b\n"
		"    ^\n");
	parse_error(f, "x == \xc3\xa9",
		"spec.yaml:1:6: error: unexpected byte 0xc3\n"
		"  x == \xc3\xa9\n"
		"       ^\n");
	parse_error(f, "a\001b",
		"spec.yaml:1:2: error: unexpected byte 0x01\n"
		"  a?b\n"
		"   ^\n");
	parse_error_n(f, "a\0b", 3,
		"spec.yaml:1:2: error: NUL byte in expression\n"
		"  a?b\n"
		"   ^\n");
	parse_error_n(f, "\"a\0b\"", 5,
		"spec.yaml:1:3: error: NUL byte in string literal\n"
		"  \"a?b\"\n"
		"    ^\n");
	parse_error(f, "x == \"abc",
		"spec.yaml:1:6: error: unterminated string literal\n"
		"  x == \"abc\n"
		"       ^\n");
	parse_error(f, "\"abc\\",
		"spec.yaml:1:1: error: unterminated string literal\n"
		"  \"abc\\\n"
		"  ^\n");
	parse_error(f, "\"abc\\\"",
		"spec.yaml:1:1: error: unterminated string literal\n"
		"  \"abc\\\"\n"
		"  ^\n");
	parse_error(f, "s == \"a\\qb\"",
		"spec.yaml:1:8: error: unknown escape sequence '\\q' in string\n"
		"  s == \"a\\qb\"\n"
		"         ^~\n");
	parse_error(f, "\"\\\001\"",
		"spec.yaml:1:2: error: unknown escape sequence in string: '\\' followed by byte 0x01\n"
		"  \"\\?\"\n"
		"   ^~\n");
	parse_error(f, "\"ab\\xg\"",
		"spec.yaml:1:4: error: '\\x' is not followed by hexadecimal digits\n"
		"  \"ab\\xg\"\n"
		"     ^~\n");
	parse_error(f, "\"\\400\"",
		"spec.yaml:1:2: error: octal escape '\\400' is out of range (more than \\377)\n"
		"  \"\\400\"\n"
		"   ^~~~\n");
	parse_error(f, "1.5",
		"spec.yaml:1:1: error: floating-point numbers are not supported\n"
		"  1.5\n"
		"  ^~~\n");
	parse_error(f, "0x",
		"spec.yaml:1:1: error: hexadecimal integer '0x' has no digits\n"
		"  0x\n"
		"  ^~\n");
	parse_error(f, "0x1g",
		"spec.yaml:1:4: error: invalid digit 'g' in hexadecimal integer '0x1g'\n"
		"  0x1g\n"
		"     ^\n");
	parse_error(f, "x + 09",
		"spec.yaml:1:6: error: invalid digit '9' in octal integer '09' (a leading 0 means octal)\n"
		"  x + 09\n"
		"       ^\n");
	parse_error(f, "12abc",
		"spec.yaml:1:3: error: invalid digit 'a' in decimal integer '12abc'\n"
		"  12abc\n"
		"    ^\n");
	parse_error(f, "9223372036854775808",
		"spec.yaml:1:1: error: integer '9223372036854775808' is out of range (the largest is 9223372036854775807)\n"
		"  9223372036854775808\n"
		"  ^~~~~~~~~~~~~~~~~~~\n");
	parse_error(f, "0x10000000000000000",
		"spec.yaml:1:1: error: integer '0x10000000000000000' does not fit in 64 bits\n"
		"  0x10000000000000000\n"
		"  ^~~~~~~~~~~~~~~~~~~\n");
	parse_error(f, "02000000000000000000000",
		"spec.yaml:1:1: error: integer '02000000000000000000000' does not fit in 64 bits\n"
		"  02000000000000000000000\n"
		"  ^~~~~~~~~~~~~~~~~~~~~~~\n");
	parse_error(f, "port = 80",
		"spec.yaml:1:6: error: '=' is assignment; use '==' to compare\n"
		"  port = 80\n"
		"       ^\n");
	parse_error(f, "n++",
		"spec.yaml:1:2: error: '++' is not allowed: expressions cannot modify variables\n"
		"  n++\n"
		"   ^~\n");
	parse_error(f, "--n",
		"spec.yaml:1:1: error: '--' is not allowed: expressions cannot modify variables\n"
		"  --n\n"
		"  ^~\n");
	parse_error(f, "n <<= 1",
		"spec.yaml:1:3: error: '<<=' is not allowed: expressions cannot assign\n"
		"  n <<= 1\n"
		"    ^~~\n");
	parse_error(f, "s .= \"x\"",
		"spec.yaml:1:3: error: '.=' is not allowed: expressions cannot assign\n"
		"  s .= \"x\"\n"
		"    ^~\n");
	parse_error(f, "a <<< 1",
		"spec.yaml:1:3: error: '<<<' (adding to an aggregate) is not allowed in an expression\n"
		"  a <<< 1\n"
		"    ^~~\n");
	parse_error(f, "$1 + 1",
		"spec.yaml:1:1: error: positional parameter '$1' is not supported; declare a parameter in the spec\n"
		"  $1 + 1\n"
		"  ^~\n");
	parse_error(f, "$ x",
		"spec.yaml:1:1: error: '$' must be followed by a target variable name\n"
		"  $ x\n"
		"  ^\n");
	parse_error(f, "@ x",
		"spec.yaml:1:1: error: '@' must be followed by an operator name such as @cast or @sum\n"
		"  @ x\n"
		"  ^\n");
	parse_error(f, "@cats(p, \"t\")->x",
		"spec.yaml:1:1: error: unknown operator '@cats'; did you mean '@cast'?\n"
		"  @cats(p, \"t\")->x\n"
		"  ^~~~~\n");
	parse_error(f, "@hist_log(x)",
		"spec.yaml:1:1: error: unknown operator '@hist_log' (expressions support @cast, @defined, @entry, @choose_defined, @count, @sum, @min, @max and @avg)\n"
		"  @hist_log(x)\n"
		"  ^~~~~~~~~\n");
}

static void test_limits(void **state)
{
	fx *f = *state;
	char *buf = malloc(EXPR_MAX_LEN + 16);

	/* length */
	memset(buf, ' ', EXPR_MAX_LEN + 1);
	buf[0] = '1';
	reset_diags(f);
	assert_null(parse_n(f, buf, EXPR_MAX_LEN + 1));
	assert_non_null(strstr(diags(f),
		"spec.yaml:1:1: error: expression is too long (65537 bytes; at most 65536)\n"));
	assert_int_equal(f->d.errors, 1);
	/* exactly at the limit is fine */
	reset_diags(f);
	assert_non_null(parse_n(f, buf, EXPR_MAX_LEN));

	/* parentheses: 256 levels parse, 257 do not */
	size_t n = 0;
	for (int i = 0; i < EXPR_MAX_DEPTH; i++)
		buf[n++] = '(';
	buf[n++] = '1';
	for (int i = 0; i < EXPR_MAX_DEPTH; i++)
		buf[n++] = ')';
	buf[n] = '\0';
	reset_diags(f);
	assert_non_null(parse(f, buf));
	memmove(buf + 1, buf, n + 1);
	buf[0] = '(';
	buf[n + 1] = ')';
	buf[n + 2] = '\0';
	reset_diags(f);
	assert_null(parse(f, buf));
	assert_non_null(strstr(diags(f),
		"spec.yaml:1:257: error: expression is nested too deeply (more than 256 levels)\n"));
	assert_int_equal(f->d.errors, 1);
	free(buf);
}

/* Deep input of every shape ends in one clear error, never a crash. */
static void test_hostile_nesting(void **state)
{
	fx *f = *state;
	static const struct { const char *unit, *core, *tail; size_t reps; } shapes[] = {
		{ "(", "1", ")", 300 },
		{ "[", "1", "] in m", 300 },
		{ "f(", "1", ")", 300 },
		{ "m[", "1", "]", 300 },
		{ "@entry(", "1", ")", 300 },
		{ "!", "1", "", 300 },
		{ "- ", "1", "", 300 },
		{ "~", "1", "", 20000 },
		{ "a?", "1", ":1", 300 },
		{ "a?", "1", ":1", 10000 },
		{ "1+", "1", "", 300 },
		{ "1+", "1", "", 30000 },
		{ "x.", "y", "", 300 },
		{ "", "$a", "->b", 300 },
		{ "", "a", "[1]", 300 },
	};
	for (size_t s = 0; s < sizeof shapes / sizeof *shapes; s++) {
		strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < shapes[s].reps; i++)
			sb_puts(&sb, shapes[s].unit);
		sb_puts(&sb, shapes[s].core);
		for (size_t i = 0; i < shapes[s].reps; i++)
			sb_puts(&sb, shapes[s].tail);
		reset_diags(f);
		expr *e = parse_n(f, sb.buf, sb.len);
		if (e)
			fail_msg("shape %zu parsed", s);
		assert_int_equal(f->d.errors, 1);
		assert_non_null(strstr(diags(f),
			"error: expression is nested too deeply (more than 256 levels)\n"));
		sb_free(&sb);
	}
}

/* The exact position of the depth error for parentheses: the 257th '('. */
static void test_depth_error_position(void **state)
{
	fx *f = *state;
	strbuf sb = STRBUF_INIT;
	for (int i = 0; i < EXPR_MAX_DEPTH + 1; i++)
		sb_putc(&sb, '(');
	sb_putc(&sb, '1');
	for (int i = 0; i < EXPR_MAX_DEPTH + 1; i++)
		sb_putc(&sb, ')');
	reset_diags(f);
	assert_null(parse_n(f, sb.buf, sb.len));
	assert_non_null(strstr(diags(f),
		"spec.yaml:1:257: error: expression is nested too deeply (more than 256 levels)\n"));
	sb_free(&sb);

	/* a left-nested chain is reported at its innermost operand */
	strbuf ch = STRBUF_INIT;
	sb_puts(&ch, "1");
	for (int i = 0; i < EXPR_MAX_DEPTH; i++)
		sb_puts(&ch, "+1");
	reset_diags(f);
	assert_null(parse_n(f, ch.buf, ch.len));
	assert_non_null(strstr(diags(f),
		"spec.yaml:1:1: error: expression is nested too deeply (more than 256 levels)\n"));
	sb_free(&ch);
	/* one operator less is fine */
	ch = (strbuf)STRBUF_INIT;
	sb_puts(&ch, "1");
	for (int i = 0; i < EXPR_MAX_DEPTH - 1; i++)
		sb_puts(&ch, "+1");
	reset_diags(f);
	assert_non_null(parse_n(f, ch.buf, ch.len));
	sb_free(&ch);
}

/* ---- property tests over generated input ------------------------------ */

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Random token soup: whatever parses must print, reparse to the same tree
 * and print identically; whatever does not must report exactly one error. */
static void test_token_soup(void **state)
{
	fx *f = *state;
	static const char *const toks[] = {
		"a", "b", "m", "f", "$x", "$return", "1", "0x10", "\"s\\n\"", "(", ")",
		"[", "]", ",", "?", ":", "+", "-", "*", "/", "%", ".", "<<", ">>", "<",
		"<=", ">", ">=", "==", "!=", "&", "^", "|", "&&", "||", "!", "~", "->",
		"in", "@cast", "@defined", "@entry", "@sum", "@count", "=~", "!~",
		"\"t\"", "@choose_defined", "execname", "(", ")", "(", ")",
	};
	enum { NT = sizeof toks / sizeof *toks };
	unsigned parsed = 0;
	for (int iter = 0; iter < 20000; iter++) {
		strbuf sb = STRBUF_INIT;
		unsigned n = 1 + rnd() % 12;
		for (unsigned i = 0; i < n; i++) {
			sb_puts(&sb, toks[rnd() % NT]);
			sb_putc(&sb, ' ');
		}
		reset_diags(f);
		expr *e = parse_n(f, sb.buf, sb.len);
		if (e) {
			parsed++;
			assert_int_equal(f->d.errors, 0);
			char *p = print(e);
			expr *e2 = parse(f, p);
			if (!e2 || !same(e, e2))
				fail_msg("'%s' printed as '%s' which reads differently", sb.buf, p);
			char *p2 = print(e2);
			assert_string_equal(p, p2);
			free(p);
			free(p2);
		} else {
			if (f->d.errors != 1)
				fail_msg("'%s': %u errors: %s", sb.buf, f->d.errors, diags(f));
		}
		sb_free(&sb);
		if (iter % 2000 == 1999) {	/* keep the arena small */
			arena_free(&f->a);
			arena_init(&f->a);
		}
	}
	assert_true(parsed > 200);
}

/* Random trees of every node kind: the minimally parenthesized text must
 * read back as the very same tree. */
static expr *gen_tree(arena *a, unsigned depth)
{
	static const char *const names[] = { "a", "b", "cnt", "m" };
	static const int binops[] = {
		OP_MUL, OP_DIV, OP_MOD, OP_ADD, OP_SUB, OP_CONCAT, OP_SHL, OP_SHR,
		OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE, OP_BITAND, OP_BITXOR,
		OP_BITOR, OP_AND, OP_OR, OP_MATCH, OP_NMATCH,
	};
	expr *e = arena_alloc(a, sizeof *e);
	unsigned pick = depth == 0 ? rnd() % 4 : rnd() % 16;
	switch (pick) {
	case 0:
		e->kind = E_INT;
		e->ival = rnd() % 1000;
		break;
	case 1:
		e->kind = E_IDENT;
		e->name = names[rnd() % 4];
		break;
	case 2:
		e->kind = E_STR;
		e->sval = "q\"\n";
		e->slen = 3;
		break;
	case 3:
		e->kind = E_TARGET;
		e->name = rnd() % 2 ? "x" : "return";
		break;
	case 4:
		e->kind = E_UNARY;
		e->op = OP_NEG + (int)(rnd() % 3);
		e->a = gen_tree(a, depth - 1);
		break;
	case 5:
		e->kind = E_TERNARY;
		e->a = gen_tree(a, depth - 1);
		e->b = gen_tree(a, depth - 1);
		e->c = gen_tree(a, depth - 1);
		break;
	case 6: case 7:
	case 8: case 9: {
		e->kind = E_BINARY;
		e->op = binops[rnd() % (sizeof binops / sizeof *binops)];
		e->a = gen_tree(a, depth - 1);
		e->b = gen_tree(a, depth - 1);
		break;
	}
	case 10: case 11: {
		e->kind = rnd() % 2 ? E_IN : E_CALL;
		e->name = e->kind == E_IN ? "m" : "f";
		e->nargs = e->kind == E_IN ? 1 + rnd() % 2 : rnd() % 3;
		e->args = arena_alloc(a, (e->nargs + 1) * sizeof *e->args);
		for (size_t i = 0; i < e->nargs; i++)
			e->args[i] = gen_tree(a, depth - 1);
		break;
	}
	case 12: {
		e->kind = E_INDEX;
		expr *base = arena_alloc(a, sizeof *base);
		base->kind = E_IDENT;
		base->name = "m";
		e->a = base;
		e->nargs = 1 + rnd() % 2;
		e->args = arena_alloc(a, e->nargs * sizeof *e->args);
		for (size_t i = 0; i < e->nargs; i++)
			e->args[i] = gen_tree(a, depth - 1);
		break;
	}
	case 13: {
		e->kind = E_MEMBER;
		e->name = "f";
		expr *t = arena_alloc(a, sizeof *t);
		t->kind = E_TARGET;
		t->name = "p";
		e->a = t;
		break;
	}
	case 14:
		e->kind = E_AGG;
		e->op = AGG_COUNT + (int)(rnd() % 5);
		e->a = gen_tree(a, depth - 1);
		break;
	default:
		e->kind = E_CAST;
		e->a = gen_tree(a, depth - 1);
		e->sval = "task_struct";
		e->slen = 11;
		break;
	}
	return e;
}

static void test_random_trees(void **state)
{
	fx *f = *state;
	for (int iter = 0; iter < 5000; iter++) {
		expr *t = gen_tree(&f->a, 1 + rnd() % 6);
		char *p = print(t);
		reset_diags(f);
		expr *e = parse(f, p);
		if (!e)
			fail_msg("'%s' does not parse: %s", p, diags(f));
		if (!same(t, e))
			fail_msg("'%s' reads as a different tree", p);
		free(p);
		if (iter % 500 == 499) {
			arena_free(&f->a);
			arena_init(&f->a);
		}
	}
}

/* Random bytes: no crash, one error or a tree. */
static void test_random_bytes(void **state)
{
	fx *f = *state;
	static const char alphabet[] = "ab$@()[]\"\\'+-*/%.<>=!~&|^?:,;#01x9 \t\n\x01\x80\xff";
	char buf[64];
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = rnd() % sizeof buf;
		for (size_t i = 0; i < n; i++)
			buf[i] = (rnd() % 8) ? alphabet[rnd() % (sizeof alphabet - 1)] : (char)rnd();
		reset_diags(f);
		expr *e = parse_n(f, buf, n);
		if (e)
			assert_int_equal(f->d.errors, 0);
		else
			assert_int_equal(f->d.errors, 1);
		if (iter % 2000 == 1999) {
			arena_free(&f->a);
			arena_init(&f->a);
		}
	}
}

static void test_vtype_names(void **state)
{
	(void)state;
	assert_string_equal(vtype_name(VT_UNKNOWN), "unknown");
	assert_string_equal(vtype_name(VT_LONG), "long");
	assert_string_equal(vtype_name(VT_STRING), "string");
	assert_string_equal(vtype_name(VT_STACK), "stack");
	assert_string_equal(vtype_name(VT_STAT), "statistics");
	assert_string_equal(vtype_name(VT_VOID), "void");
	assert_string_equal(vtype_name((vtype)99), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_integers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_strings, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_and_forms, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locmap_into_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_locmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_precedence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_literal_escaping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_string_roundtrip_all_bytes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_print_built_trees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_walk, setup, teardown),
		cmocka_unit_test_setup_teardown(test_syntax_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lexical_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hostile_nesting, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth_error_position, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_soup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_trees, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_bytes, setup, teardown),
		cmocka_unit_test(test_vtype_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
