/* Type checking of spec expressions and the tapset function table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "check/check_expr.h"

/* ---- a fake spec: the names an expression can see ----------------------- */

static const struct fake_name {
	const char *name;
	name_kind kind;
	vtype type;
	unsigned nkeys;
	vtype keys[3];
	const char *stap_name;
} names[] = {
	{ "comm", NAME_PARAM, VT_STRING, 0, { 0 }, "__p_comm" },
	{ "destport", NAME_PARAM, VT_LONG, 0, { 0 }, NULL },
	{ "port", NAME_VALUE, VT_LONG, 0, { 0 }, "__l_port" },
	{ "sk", NAME_VALUE, VT_LONG, 0, { 0 }, NULL },
	{ "name", NAME_KEY, VT_STRING, 0, { 0 }, NULL },
	{ "stack", NAME_VALUE, VT_STACK, 0, { 0 }, NULL },
	{ "start", NAME_STATE, VT_LONG, 1, { VT_LONG }, "g_start" },
	{ "owner", NAME_STATE, VT_STRING, 2, { VT_LONG, VT_STRING }, NULL },
	{ "t0", NAME_STATE, VT_LONG, 0, { 0 }, NULL },
	{ "io_read", NAME_AGG, VT_LONG, 1, { VT_STRING }, NULL },
	{ "lat", NAME_AGG, VT_LONG, 0, { 0 }, NULL },
	{ "filename", NAME_ALIASVAR, VT_STRING, 0, { 0 }, NULL },
	{ "anyvar", NAME_ALIASVAR, VT_UNKNOWN, 0, { 0 }, NULL },
};
#define NNAMES (sizeof names / sizeof *names)

static bool fake_lookup(void *ctx, const char *name, name_info *out)
{
	(void)ctx;
	for (size_t i = 0; i < NNAMES; i++)
		if (!strcmp(names[i].name, name)) {
			out->kind = names[i].kind;
			out->type = names[i].type;
			out->nkeys = names[i].nkeys;
			for (unsigned k = 0; k < names[i].nkeys; k++)
				out->keys[k] = names[i].keys[k];
			out->stap_name = names[i].stap_name;
			out->ptr = &names[i];
			return true;
		}
	return false;
}

static size_t fake_candidates(void *ctx, const char **out, size_t max)
{
	(void)ctx;
	size_t n = 0;
	for (size_t i = 0; i < NNAMES && n < max; i++)
		out[n++] = names[i].name;
	return n;
}

/* ---- fixture ------------------------------------------------------------ */

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

static void reset_diags(fx *f)
{
	if (f->f) {
		fclose(f->f);
		free(f->out);
		f->out = NULL;
	}
	f->f = open_memstream(&f->out, &f->outlen);
	diag_init(&f->d, f->f);
}

static int setup(void **state)
{
	fx *f = calloc(1, sizeof *f);
	arena_init(&f->a);
	reset_diags(f);
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

static const char *diags(fx *f)
{
	fflush(f->f);
	return f->out ? f->out : "";
}

static expr *parse(fx *f, const char *text)
{
	size_t len = strlen(text);
	source *src = source_new(&f->a, "spec.yaml", text, len);
	expr_locmap m = { at_line1, src };
	reset_diags(f);
	expr *e = expr_parse(&f->a, text, len, m, &f->d);
	if (!e)
		fail_msg("'%s' does not parse: %s", text, diags(f));
	return e;
}

static vtype check(fx *f, expr *e, unsigned flags)
{
	check_env env = { fake_lookup, fake_candidates, NULL, flags, NULL };
	reset_diags(f);
	return check_expr(e, &env, &f->d);
}

/* The expression checks clean with this type. */
static void ok(fx *f, const char *text, unsigned flags, vtype want)
{
	expr *e = parse(f, text);
	vtype t = check(f, e, flags);
	if (f->d.errors)
		fail_msg("'%s': unexpected errors:\n%s", text, diags(f));
	if (t != want)
		fail_msg("'%s' has type %s, expected %s", text, vtype_name(t), vtype_name(want));
	assert_int_equal(e->type, t);
}

/* The checker reports exactly this text and returns VT_UNKNOWN. */
static void bad(fx *f, const char *text, unsigned flags, const char *want)
{
	expr *e = parse(f, text);
	vtype t = check(f, e, flags);
	if (strcmp(diags(f), want))
		fail_msg("'%s':\n--- got:\n%s--- expected:\n%s", text, diags(f), want);
	assert_int_equal(t, VT_UNKNOWN);
}

#define TGT CTX_TARGET
#define RET (CTX_TARGET | CTX_RETURN | CTX_ENTRY)
#define REP (CTX_REPORT | CTX_NO_EVENT)

/* ---- types -------------------------------------------------------------- */

static void test_types(void **state)
{
	fx *f = *state;
	static const struct { const char *text; unsigned flags; vtype t; } cases[] = {
		{ "1", 0, VT_LONG },
		{ "\"s\"", 0, VT_STRING },
		{ "destport", 0, VT_LONG },
		{ "comm", 0, VT_STRING },
		{ "name", 0, VT_STRING },
		{ "filename", 0, VT_STRING },
		{ "stack", 0, VT_STACK },
		{ "t0", 0, VT_LONG },	/* a state without keys is a scalar */
		{ "execname()", 0, VT_STRING },
		{ "pid()", 0, VT_LONG },
		{ "gettimeofday_us() - t0", 0, VT_LONG },
		{ "sk != 0 && (destport == 0 || port == destport)", 0, VT_LONG },
		{ "comm . \"-\" . execname()", 0, VT_STRING },
		{ "comm == execname()", 0, VT_LONG },
		{ "comm < \"m\"", 0, VT_LONG },
		{ "execname() =~ \"^ng\"", 0, VT_LONG },
		{ "execname() !~ \"^ng\"", 0, VT_LONG },
		{ "!port", 0, VT_LONG },
		{ "-port * ~3 % 7 << 1 >> 2 | 1 ^ 2 & 3", 0, VT_LONG },
		{ "port ? comm : execname()", 0, VT_STRING },
		{ "port ? 1 : 2", 0, VT_LONG },
		{ "port ? stack : comm", 0, VT_STRING },
		{ "port ? stack : stack", 0, VT_STACK },
		{ "start[pid()]", 0, VT_LONG },
		{ "owner[1, \"x\"]", 0, VT_STRING },
		{ "owner[1, stack]", 0, VT_STRING },
		{ "[tid()] in start", 0, VT_LONG },
		{ "tid() in start", 0, VT_LONG },
		{ "[1, comm] in owner", 0, VT_LONG },
		{ "[execname()] in io_read", 0, VT_LONG },
		{ "kernel_string(sk)", 0, VT_STRING },
		{ "kernel_string(sk, \"?\")", 0, VT_STRING },
		{ "backtrace()", 0, VT_STACK },
		{ "ubacktrace()", 0, VT_STACK },
		{ "sprint_ubacktrace()", 0, VT_STRING },
		{ "sprint_stack(backtrace())", 0, VT_STRING },
		{ "strlen(stack)", 0, VT_LONG },
		{ "stack == backtrace()", 0, VT_LONG },
		{ "stack . \"\\n\"", 0, VT_STRING },
		{ "sprint(port)", 0, VT_STRING },
		{ "sprintf(\"%d:%s %5.2x %-*d %%\", port, comm, 1, 4, 2)", 0, VT_STRING },
		{ "print_backtrace()", 0, VT_VOID },	/* allowed only at top level */
		{ "anyvar + 1", 0, VT_LONG },	/* untyped tapset variable */
		{ "anyvar", 0, VT_UNKNOWN },
		/* target expressions */
		{ "$sk", TGT, VT_LONG },
		{ "$rq->q->disk->disk_name", TGT, VT_LONG },
		{ "kernel_string($rq->q->disk->disk_name)", TGT, VT_STRING },
		{ "$argv[0]", TGT, VT_LONG },
		{ "$p->arr[port]->x", TGT, VT_LONG },
		{ "$$parms", TGT, VT_STRING },
		{ "@cast(sk, \"inet_sock\")->inet_sport", 0, VT_LONG },
		{ "@cast(sk, \"inet_sock\", \"kernel\")->inet_sport", TGT, VT_LONG },
		{ "@defined($sk->sk_v6_daddr)", TGT, VT_LONG },
		{ "@defined(@cast(sk, \"sock\")->x)", 0, VT_LONG },
		{ "@choose_defined($a, 0)", TGT, VT_LONG },
		{ "$return", RET, VT_LONG },
		{ "$return", CTX_RETURN, VT_LONG },
		{ "$$return", RET, VT_STRING },
		{ "@entry(gettimeofday_us())", RET, VT_LONG },
		{ "gettimeofday_us() - @entry(gettimeofday_us())", RET, VT_LONG },
		{ "@entry(comm)", RET, VT_STRING },
		{ "@entry(pointer_arg(1))", CTX_ENTRY, VT_LONG },	/* a kprobe's .return */
		/* reports */
		{ "@sum(io_read) / 1024", REP, VT_LONG },
		{ "@count(lat) + @min(lat) + @max(lat) + @avg(lat)", REP, VT_LONG },
		{ "@sum(io_read[name])", REP, VT_LONG },
		{ "@count(io_read[\"x\"]) ? name : \"-\"", REP, VT_STRING },
		/* statistics in probes (item 3): keyed ones with their key */
		{ "@avg(io_read[execname()]) / 1024", 0, VT_LONG },
		{ "@count(lat) + @min(lat) + @max(lat) + @avg(lat)", 0, VT_LONG },
		/* guru mode */
		{ "set_kernel_long(sk, 0)", CTX_GURU, VT_VOID },
		{ "task_ns_pid(task_current())", CTX_GURU, VT_LONG },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		ok(f, cases[i].text, cases[i].flags, cases[i].t);
}

static void test_node_types_and_binding(void **state)
{
	fx *f = *state;
	expr *e = parse(f, "port == destport && comm == execname() && start[pid()] > 0");
	assert_int_equal(check(f, e, 0), VT_LONG);
	expr *cmp1 = e->a->a, *cmp2 = e->a->b, *cmp3 = e->b;
	assert_int_equal(cmp1->a->type, VT_LONG);
	assert_int_equal(cmp1->a->bind, NAME_VALUE);
	assert_ptr_equal(cmp1->a->bind_ptr, &names[2]);
	assert_string_equal(cmp1->a->emit_name, "__l_port");
	assert_int_equal(cmp1->b->bind, NAME_PARAM);
	assert_null(cmp1->b->emit_name);
	assert_int_equal(cmp2->a->type, VT_STRING);
	assert_int_equal(cmp2->b->type, VT_STRING);
	expr *idx = cmp3->a;
	assert_int_equal(idx->kind, E_INDEX);
	assert_int_equal(idx->type, VT_LONG);
	assert_int_equal(idx->a->bind, NAME_STATE);
	assert_string_equal(idx->a->emit_name, "g_start");
	assert_int_equal(idx->args[0]->type, VT_LONG);

	/* the printer uses the checker's names */
	strbuf sb = STRBUF_INIT;
	expr_print_stap(&sb, e);
	assert_string_equal(sb_str(&sb),
		"__l_port == destport && __p_comm == execname() && g_start[pid()] > 0");
	sb_free(&sb);

	e = parse(f, "[pid()] in start");
	check(f, e, 0);
	assert_int_equal(e->bind, NAME_STATE);
	assert_string_equal(e->emit_name, "g_start");
	sb = (strbuf)STRBUF_INIT;
	expr_print_stap(&sb, e);
	assert_string_equal(sb_str(&sb), "[pid()] in g_start");
	sb_free(&sb);

	e = parse(f, "@sum(io_read)");
	assert_int_equal(check(f, e, REP), VT_LONG);
	assert_int_equal(e->a->type, VT_STAT);
	assert_int_equal(e->a->bind, NAME_AGG);
	assert_ptr_equal(e->a->bind_ptr, &names[9]);

	e = parse(f, "@avg(io_read[name])");
	assert_int_equal(check(f, e, REP), VT_LONG);
	assert_int_equal(e->a->type, VT_STAT);
	assert_int_equal(e->a->a->type, VT_STAT);
	assert_int_equal(e->a->a->bind, NAME_AGG);

	/* a NULL expression, an env without callbacks */
	assert_int_equal(check_expr(NULL, NULL, &f->d), VT_UNKNOWN);
	e = parse(f, "x + 1");
	reset_diags(f);
	assert_int_equal(check_expr(e, NULL, &f->d), VT_UNKNOWN);
	assert_string_equal(diags(f),
		"spec.yaml:1:1: error: unknown name 'x'\n"
		"  x + 1\n"
		"  ^\n");
}

/* ---- errors: full text --------------------------------------------------- */

static void test_unknown_names(void **state)
{
	fx *f = *state;
	bad(f, "prot == 80", 0,
	    "spec.yaml:1:1: error: unknown name 'prot'; did you mean 'port'?\n"
	    "  prot == 80\n"
	    "  ^~~~\n");
	bad(f, "sk != 0 && destprot == 0", 0,
	    "spec.yaml:1:12: error: unknown name 'destprot'; did you mean 'destport'?\n"
	    "  sk != 0 && destprot == 0\n"
	    "             ^~~~~~~~\n");
	bad(f, "zzz", 0,
	    "spec.yaml:1:1: error: unknown name 'zzz'\n"
	    "  zzz\n"
	    "  ^~~\n");
	bad(f, "execname == comm", 0,
	    "spec.yaml:1:1: error: unknown name 'execname'; did you mean 'execname()'?\n"
	    "  execname == comm\n"
	    "  ^~~~~~~~\n");
	bad(f, "kernel_string", 0,
	    "spec.yaml:1:1: error: unknown name 'kernel_string'; 'kernel_string' is a function: call it as kernel_string(...)\n"
	    "  kernel_string\n"
	    "  ^~~~~~~~~~~~~\n");
	bad(f, "strat[1]", 0,
	    "spec.yaml:1:1: error: unknown name 'strat'; did you mean 'start'?\n"
	    "  strat[1]\n"
	    "  ^~~~~\n");
	bad(f, "[1] in strat", 0,
	    "spec.yaml:1:8: error: unknown name 'strat'; did you mean 'start'?\n"
	    "  [1] in strat\n"
	    "         ^~~~~\n");
	/* every error is reported, not just the first */
	bad(f, "prot + destprot + zzz", 0,
	    "spec.yaml:1:1: error: unknown name 'prot'; did you mean 'port'?\n"
	    "  prot + destprot + zzz\n"
	    "  ^~~~\n"
	    "spec.yaml:1:8: error: unknown name 'destprot'; did you mean 'destport'?\n"
	    "  prot + destprot + zzz\n"
	    "         ^~~~~~~~\n"
	    "spec.yaml:1:19: error: unknown name 'zzz'\n"
	    "  prot + destprot + zzz\n"
	    "                    ^~~\n");
}

static void test_functions(void **state)
{
	fx *f = *state;
	bad(f, "execnmae() == comm", 0,
	    "spec.yaml:1:1: error: unknown function 'execnmae'; did you mean 'execname'?\n"
	    "  execnmae() == comm\n"
	    "  ^~~~~~~~\n");
	bad(f, "printf(\"%d\", 1)", 0,
	    "spec.yaml:1:1: error: unknown function 'printf'; did you mean 'sprintf'?\n"
	    "  printf(\"%d\", 1)\n"
	    "  ^~~~~~\n");
	/* a swap of neighbouring letters beats other two-edit candidates */
	bad(f, "eiud()", 0,
	    "spec.yaml:1:1: error: unknown function 'eiud'; did you mean 'euid'?\n"
	    "  eiud()\n"
	    "  ^~~~\n");
	bad(f, "xyzzy_frob(1)", 0,
	    "spec.yaml:1:1: error: unknown function 'xyzzy_frob'\n"
	    "  xyzzy_frob(1)\n"
	    "  ^~~~~~~~~~\n");
	/* internal tapset names are never suggested */
	bad(f, "_tcp_skb_dport(1)", 0,
	    "spec.yaml:1:1: error: unknown function '_tcp_skb_dport'\n"
	    "  _tcp_skb_dport(1)\n"
	    "  ^~~~~~~~~~~~~~\n");
	bad(f, "port(1)", 0,
	    "spec.yaml:1:1: error: 'port' is a value, not a function\n"
	    "  port(1)\n"
	    "  ^~~~\n");
	bad(f, "pid(1) > 0", 0,
	    "spec.yaml:1:1: error: function 'pid' takes 0 arguments, 1 given\n"
	    "  pid(1) > 0\n"
	    "  ^~~\n");
	bad(f, "ntohs()", 0,
	    "spec.yaml:1:1: error: function 'ntohs' takes 1 argument, 0 given\n"
	    "  ntohs()\n"
	    "  ^~~~~\n");
	bad(f, "kernel_string(1, \"a\", 3)", 0,
	    "spec.yaml:1:1: error: function 'kernel_string' takes 1 or 2 arguments, 3 given\n"
	    "  kernel_string(1, \"a\", 3)\n"
	    "  ^~~~~~~~~~~~~\n");
	bad(f, "ansi_set_color()", 0,
	    "spec.yaml:1:1: error: function 'ansi_set_color' takes 1, 2 or 3 arguments, 0 given\n"
	    "  ansi_set_color()\n"
	    "  ^~~~~~~~~~~~~~\n");
	bad(f, "kernel_string(comm)", 0,
	    "spec.yaml:1:15: error: argument 1 of 'kernel_string' must be long, got string\n"
	    "  kernel_string(comm)\n"
	    "                ^~~~\n");
	bad(f, "kernel_string(sk, port + 1)", 0,
	    "spec.yaml:1:19: error: argument 2 of 'kernel_string' must be string, got long\n"
	    "  kernel_string(sk, port + 1)\n"
	    "                    ^~~~~~~~\n");
	bad(f, "strlen(print_backtrace())", 0,
	    "spec.yaml:1:8: error: function 'print_backtrace' returns no value\n"
	    "  strlen(print_backtrace())\n"
	    "         ^~~~~~~~~~~~~~~\n");
	bad(f, "1 + print_backtrace()", 0,
	    "spec.yaml:1:5: error: function 'print_backtrace' returns no value\n"
	    "  1 + print_backtrace()\n"
	    "      ^~~~~~~~~~~~~~~\n");
	bad(f, "set_kernel_long(sk, 0)", 0,
	    "spec.yaml:1:1: error: function 'set_kernel_long' changes kernel state; it needs guru mode\n"
	    "  set_kernel_long(sk, 0)\n"
	    "  ^~~~~~~~~~~~~~~\n");
	bad(f, "system(\"reboot\")", TGT,
	    "spec.yaml:1:1: error: function 'system' changes kernel state; it needs guru mode\n"
	    "  system(\"reboot\")\n"
	    "  ^~~~~~\n");
	bad(f, "task_ns_pid(task_current())", 0,
	    "spec.yaml:1:1: error: function 'task_ns_pid' needs guru mode\n"
	    "  task_ns_pid(task_current())\n"
	    "  ^~~~~~~~~~~\n");
	bad(f, "execname() . \":\" . sprint(pid())", CTX_NO_EVENT,
	    "spec.yaml:1:1: error: function 'execname' describes the probed event; it has no meaning in begin, end, timer or report probes\n"
	    "  execname() . \":\" . sprint(pid())\n"
	    "  ^~~~~~~~\n"
	    "spec.yaml:1:27: error: function 'pid' describes the probed event; it has no meaning in begin, end, timer or report probes\n"
	    "  execname() . \":\" . sprint(pid())\n"
	    "                            ^~~\n");
	/* errors inside arguments of a bad call are still found */
	bad(f, "execnam(prot)", 0,
	    "spec.yaml:1:1: error: unknown function 'execnam'; did you mean 'execname'?\n"
	    "  execnam(prot)\n"
	    "  ^~~~~~~\n"
	    "spec.yaml:1:9: error: unknown name 'prot'; did you mean 'port'?\n"
	    "  execnam(prot)\n"
	    "          ^~~~\n");
}

static void test_sprintf(void **state)
{
	fx *f = *state;
	bad(f, "sprintf(\"%d %s\", port)", 0,
	    "spec.yaml:1:1: error: the format of 'sprintf' takes 2 arguments, 1 given\n"
	    "  sprintf(\"%d %s\", port)\n"
	    "  ^~~~~~~\n");
	bad(f, "sprintf(\"%d %s\", comm, port)", 0,
	    "spec.yaml:1:18: error: argument 2 of 'sprintf' must be long for its format, got string\n"
	    "  sprintf(\"%d %s\", comm, port)\n"
	    "                   ^~~~\n"
	    "spec.yaml:1:24: error: argument 3 of 'sprintf' must be string for its format, got long\n"
	    "  sprintf(\"%d %s\", comm, port)\n"
	    "                         ^~~~\n");
	bad(f, "sprintf(comm)", 0,
	    "spec.yaml:1:9: error: the format of 'sprintf' must be a string literal\n"
	    "  sprintf(comm)\n"
	    "          ^~~~\n");
	bad(f, "sprintf(\"%q\", 1)", 0,
	    "spec.yaml:1:9: error: unknown conversion '%q' in the format of 'sprintf'\n"
	    "  sprintf(\"%q\", 1)\n"
	    "          ^~~~\n");
	bad(f, "sprintf(\"100%\")", 0,
	    "spec.yaml:1:9: error: the format of 'sprintf' ends with a lone '%'\n"
	    "  sprintf(\"100%\")\n"
	    "          ^~~~~~\n");
	bad(f, "sprintf()", 0,
	    "spec.yaml:1:1: error: function 'sprintf' takes at least 1 argument, 0 given\n"
	    "  sprintf()\n"
	    "  ^~~~~~~\n");
	bad(f, "sprint(1, 2)", 0,
	    "spec.yaml:1:1: error: function 'sprint' takes 1 argument, 2 given\n"
	    "  sprint(1, 2)\n"
	    "  ^~~~~~\n");
}

static void test_operators(void **state)
{
	fx *f = *state;
	bad(f, "comm + 1", 0,
	    "spec.yaml:1:6: error: operator '+' needs long operands, got string and long\n"
	    "  comm + 1\n"
	    "       ^\n");
	bad(f, "comm + execname()", 0,
	    "spec.yaml:1:6: error: operator '+' needs long operands, got string and string; use '.' to concatenate strings\n"
	    "  comm + execname()\n"
	    "       ^\n");
	bad(f, "port . comm", 0,
	    "spec.yaml:1:6: error: operator '.' needs string operands, got long and string; convert numbers with sprint()\n"
	    "  port . comm\n"
	    "       ^\n");
	bad(f, "port == comm", 0,
	    "spec.yaml:1:6: error: cannot compare long with string\n"
	    "  port == comm\n"
	    "       ^~\n");
	bad(f, "comm && 1", 0,
	    "spec.yaml:1:6: error: operator '&&' needs long operands, got string and long\n"
	    "  comm && 1\n"
	    "       ^~\n");
	bad(f, "!comm", 0,
	    "spec.yaml:1:1: error: operator '!' needs a long operand, got string\n"
	    "  !comm\n"
	    "  ^\n");
	bad(f, "-name", 0,
	    "spec.yaml:1:1: error: operator '-' needs a long operand, got string\n"
	    "  -name\n"
	    "  ^\n");
	bad(f, "comm ? 1 : 2", 0,
	    "spec.yaml:1:6: error: the condition of '?:' must be long, got string\n"
	    "  comm ? 1 : 2\n"
	    "       ^\n");
	bad(f, "port ? 1 : comm", 0,
	    "spec.yaml:1:6: error: the branches of '?:' have different types: long and string\n"
	    "  port ? 1 : comm\n"
	    "       ^\n");
	bad(f, "port =~ \"x\"", 0,
	    "spec.yaml:1:6: error: operator '=~' needs a string on its left, got long\n"
	    "  port =~ \"x\"\n"
	    "       ^~\n");
	bad(f, "comm !~ comm", 0,
	    "spec.yaml:1:9: error: the right side of '!~' must be a string literal (a regular expression)\n"
	    "  comm !~ comm\n"
	    "          ^~~~\n");
	/* one error per mistake: the parents of a bad node stay quiet */
	bad(f, "(prot + 1) * 2 == comm", 0,
	    "spec.yaml:1:2: error: unknown name 'prot'; did you mean 'port'?\n"
	    "  (prot + 1) * 2 == comm\n"
	    "   ^~~~\n"
	    "spec.yaml:1:16: error: cannot compare long with string\n"
	    "  (prot + 1) * 2 == comm\n"
	    "                 ^~\n");
}

/* unary '&': the address of a target variable or field, a long */
static void test_address_of(void **state)
{
	fx *f = *state;
	ok(f, "&$iph->saddr", TGT, VT_LONG);
	ok(f, "&$skb", TGT, VT_LONG);
	ok(f, "&$a->b[2]", TGT, VT_LONG);
	ok(f, "&@cast(sk, \"ipv6hdr\", \"kernel\")->saddr", TGT, VT_LONG);
	ok(f, "format_ipaddr(&$iph->saddr, AF_INET6())", TGT, VT_STRING);
	ok(f, "&$iph->saddr + 4", TGT, VT_LONG);
	bad(f, "&1", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of an integer\n"
	    "  &1\n"
	    "  ^~\n");
	bad(f, "&execname()", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a function call\n"
	    "  &execname()\n"
	    "  ^~~~~~~~~~~\n");
	bad(f, "&sk", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a named value or parameter\n"
	    "  &sk\n"
	    "  ^~~\n"
	    "  hint: 'sk' holds a copy; for a field it points to, write &@cast(sk, \"TYPE\")->field\n");
	bad(f, "&($x + 1)", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a computed value\n"
	    "  &($x + 1)\n"
	    "  ^~~~~~~~~\n");
	bad(f, "& &$x", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a computed value\n"
	    "  & &$x\n"
	    "  ^~~~~\n");
	bad(f, "&@cast(sk, \"sock\")", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a bare @cast() (no field)\n"
	    "  &@cast(sk, \"sock\")\n"
	    "  ^~~~~~~~~~~~~~~~~~\n");
	bad(f, "&start[1]", TGT,
	    "spec.yaml:1:1: error: '&' takes the address of a target variable or field ($var, $var->field, @cast(p, \"T\")->field), not of a map entry\n"
	    "  &start[1]\n"
	    "  ^~~~~~~~~\n");
	bad(f, "&$return", RET,
	    "spec.yaml:1:1: error: '&' cannot take the address of '$return'\n"
	    "  &$return\n"
	    "  ^~~~~~~~\n");
	/* the operand's own errors come first, and only once */
	bad(f, "&$x->y", 0,
	    "spec.yaml:1:2: error: target variable '$x' needs a kernel/module/process function or tracepoint probe\n"
	    "  &$x->y\n"
	    "   ^~\n"
	    "  hint: kprobes, process.begin/.end, timer.profile and perf probes have no $vars; a kprobe reads its arguments with pointer_arg(N), int_arg(N), ulong_arg(N) and its return value with returnval()\n");
}

static void test_contexts(void **state)
{
	fx *f = *state;
	bad(f, "$sk != 0", 0,
	    "spec.yaml:1:1: error: target variable '$sk' needs a kernel/module/process function or tracepoint probe\n"
	    "  $sk != 0\n"
	    "  ^~~\n"
	    "  hint: kprobes, process.begin/.end, timer.profile and perf probes have no $vars; a kprobe reads its arguments with pointer_arg(N), int_arg(N), ulong_arg(N) and its return value with returnval()\n");
	bad(f, "$skb->len", CTX_MAYBE_TARGET,
	    "spec.yaml:1:1: error: target variable '$skb' needs a kernel/module/process function or tracepoint probe\n"
	    "  $skb->len\n"
	    "  ^~~~\n"
	    "  hint: only some of the probe's points have $vars: give each point a 'let' that binds the value its own way ({ point: ..., let: { skb: ... } })\n");
	/* a kprobe .return: @entry() yes, $return no (returnval()) */
	bad(f, "$return", CTX_ENTRY,
	    "spec.yaml:1:1: error: '$return' is only available in .return probes\n"
	    "  $return\n"
	    "  ^~~~~~~\n"
	    "  hint: a kprobe's .return reads its return value with returnval()\n");
	bad(f, "$$vars", CTX_NO_EVENT,
	    "spec.yaml:1:1: error: target variable '$$vars' needs a kernel/module/process function or tracepoint probe\n"
	    "  $$vars\n"
	    "  ^~~~~~\n");
	bad(f, "kernel_string($rq->q->disk->disk_name)", 0,
	    "spec.yaml:1:15: error: target variable '$rq' needs a kernel/module/process function or tracepoint probe\n"
	    "  kernel_string($rq->q->disk->disk_name)\n"
	    "                ^~~\n"
	    "  hint: kprobes, process.begin/.end, timer.profile and perf probes have no $vars; a kprobe reads its arguments with pointer_arg(N), int_arg(N), ulong_arg(N) and its return value with returnval()\n");
	bad(f, "$return < 0", TGT,
	    "spec.yaml:1:1: error: '$return' is only available in .return probes\n"
	    "  $return < 0\n"
	    "  ^~~~~~~\n");
	bad(f, "$return < 0", CTX_ENTRY,
	    "spec.yaml:1:1: error: '$return' is only available in .return probes\n"
	    "  $return < 0\n"
	    "  ^~~~~~~\n"
	    "  hint: a kprobe's .return reads its return value with returnval()\n");
	bad(f, "gettimeofday_us() - @entry(gettimeofday_us())", TGT,
	    "spec.yaml:1:21: error: @entry is only available in .return probes\n"
	    "  gettimeofday_us() - @entry(gettimeofday_us())\n"
	    "                      ^~~~~~\n");
	bad(f, "@defined(sk)", TGT,
	    "spec.yaml:1:1: error: @defined needs a target expression ($var, $var->field or @cast(...)->field)\n"
	    "  @defined(sk)\n"
	    "  ^~~~~~~~\n");
	bad(f, "@defined($sk)", 0,
	    "spec.yaml:1:10: error: target variable '$sk' needs a kernel/module/process function or tracepoint probe\n"
	    "  @defined($sk)\n"
	    "           ^~~\n"
	    "  hint: kprobes, process.begin/.end, timer.profile and perf probes have no $vars; a kprobe reads its arguments with pointer_arg(N), int_arg(N), ulong_arg(N) and its return value with returnval()\n");
	bad(f, "@cast(comm, \"sock\")->x", 0,
	    "spec.yaml:1:7: error: @cast needs a pointer (long), got string\n"
	    "  @cast(comm, \"sock\")->x\n"
	    "        ^~~~\n");
	bad(f, "@cast(sk, \"\")->x", 0,
	    "spec.yaml:1:1: error: @cast needs a type name\n"
	    "  @cast(sk, \"\")->x\n"
	    "  ^~~~~\n");
	bad(f, "sk->inet_sport", 0,
	    "spec.yaml:1:3: error: '->' applies to target variables and @cast(); 'sk' is a value: write @cast(sk, \"TYPE\")->inet_sport\n"
	    "  sk->inet_sport\n"
	    "    ^~~~~~~~~~~~\n");
	bad(f, "skk->inet_sport", 0,
	    "spec.yaml:1:1: error: unknown name 'skk'; did you mean 'sk'?\n"
	    "  skk->inet_sport\n"
	    "  ^~~\n");
	bad(f, "pid()->x", 0,
	    "spec.yaml:1:6: error: '->' applies to target variables and @cast() only\n"
	    "  pid()->x\n"
	    "       ^~~\n");
	bad(f, "@choose_defined($a, comm)", TGT,
	    "spec.yaml:1:1: error: the arguments of @choose_defined have different types: long and string\n"
	    "  @choose_defined($a, comm)\n"
	    "  ^~~~~~~~~~~~~~~\n");
}

static void test_maps_and_aggregates(void **state)
{
	fx *f = *state;
	/* item 3: statistics in a probe, with the key a report row would give */
	bad(f, "@sum(io_read) / 1024", 0,
	    "spec.yaml:1:6: error: aggregate 'io_read' has 1 key: in a probe write @sum(io_read[...])\n"
	    "  @sum(io_read) / 1024\n"
	    "       ^~~~~~~\n");
	bad(f, "@count(port)", REP,
	    "spec.yaml:1:8: error: 'port' is a value, not an aggregate; '@count' needs an aggregate\n"
	    "  @count(port)\n"
	    "         ^~~~\n");
	bad(f, "@max(start[1])", REP,
	    "spec.yaml:1:6: error: 'start' is a state map, not an aggregate; '@max' needs an aggregate\n"
	    "  @max(start[1])\n"
	    "       ^~~~~\n");
	bad(f, "@avg(port + 1)", REP,
	    "spec.yaml:1:6: error: '@avg' needs the name of an aggregate\n"
	    "  @avg(port + 1)\n"
	    "       ^~~~~~~~\n");
	bad(f, "@min(io_raed)", REP,
	    "spec.yaml:1:6: error: unknown name 'io_raed'; did you mean 'io_read'?\n"
	    "  @min(io_raed)\n"
	    "       ^~~~~~~\n");
	bad(f, "@sum(io_read[1])", REP,
	    "spec.yaml:1:14: error: key 1 of 'io_read' must be string, got long\n"
	    "  @sum(io_read[1])\n"
	    "               ^\n");
	bad(f, "io_read / 1024", REP,
	    "spec.yaml:1:1: error: aggregate 'io_read' can only be read with @count, @sum, @min, @max or @avg\n"
	    "  io_read / 1024\n"
	    "  ^~~~~~~\n");
	bad(f, "lat > 0", 0,
	    "spec.yaml:1:1: error: aggregate 'lat' can only be read with @count, @sum, @min, @max or @avg\n"
	    "  lat > 0\n"
	    "  ^~~\n");
	bad(f, "io_read[name]", REP,
	    "spec.yaml:1:1: error: aggregate 'io_read' can only be read with @count, @sum, @min, @max or @avg\n"
	    "  io_read[name]\n"
	    "  ^~~~~~~\n");
	bad(f, "start + 1", 0,
	    "spec.yaml:1:1: error: state map 'start' takes 1 key: write start[...]\n"
	    "  start + 1\n"
	    "  ^~~~~\n");
	bad(f, "start[1, 2]", 0,
	    "spec.yaml:1:1: error: state map 'start' takes 1 key, 2 given\n"
	    "  start[1, 2]\n"
	    "  ^~~~~\n");
	bad(f, "owner[comm, 1]", 0,
	    "spec.yaml:1:7: error: key 1 of 'owner' must be long, got string\n"
	    "  owner[comm, 1]\n"
	    "        ^~~~\n"
	    "spec.yaml:1:13: error: key 2 of 'owner' must be string, got long\n"
	    "  owner[comm, 1]\n"
	    "              ^\n");
	bad(f, "t0[1]", 0,
	    "spec.yaml:1:1: error: state map 't0' takes 0 keys, 1 given\n"
	    "  t0[1]\n"
	    "  ^~\n");
	bad(f, "port[1]", 0,
	    "spec.yaml:1:1: error: 'port' is a value, not a map; it cannot be indexed\n"
	    "  port[1]\n"
	    "  ^~~~\n");
	bad(f, "pid()[1]", 0,
	    "spec.yaml:1:6: error: only state maps, aggregates and target variables can be indexed\n"
	    "  pid()[1]\n"
	    "       ^\n");
	bad(f, "$argv[0, 1]", TGT,
	    "spec.yaml:1:6: error: a target array takes 1 index, 2 given\n"
	    "  $argv[0, 1]\n"
	    "       ^\n");
	bad(f, "$argv[comm]", TGT,
	    "spec.yaml:1:7: error: an array index must be long, got string\n"
	    "  $argv[comm]\n"
	    "        ^~~~\n");
	bad(f, "[comm] in start", 0,
	    "spec.yaml:1:2: error: key 1 of 'start' must be long, got string\n"
	    "  [comm] in start\n"
	    "   ^~~~\n");
	bad(f, "[1, 2] in start", 0,
	    "spec.yaml:1:11: error: state map 'start' takes 1 key, 2 given\n"
	    "  [1, 2] in start\n"
	    "            ^~~~~\n");
	bad(f, "[1] in port", 0,
	    "spec.yaml:1:8: error: 'port' is a value, not a map; 'in' needs a state map or an aggregate\n"
	    "  [1] in port\n"
	    "         ^~~~\n");
}

/* A hand-built tree deeper than any parse is refused, not recursed into. */
static void test_deep_built_tree(void **state)
{
	fx *f = *state;
	enum { DEEP = 100000 };
	expr *chain = calloc(DEEP, sizeof *chain);
	for (size_t i = 0; i < DEEP; i++) {
		chain[i].kind = E_UNARY;
		chain[i].op = OP_NEG;
		if (i + 1 < DEEP) {
			chain[i].a = &chain[i + 1];
		} else {
			chain[i].kind = E_INT;
		}
	}
	reset_diags(f);
	check_env env = { fake_lookup, fake_candidates, NULL, 0, NULL };
	assert_int_equal(check_expr(chain, &env, &f->d), VT_UNKNOWN);
	assert_int_equal(f->d.errors, 1);
	assert_string_equal(diags(f),
		"stapgen: error: expression is nested too deeply (more than 256 levels)\n");
	free(chain);
}

/* ---- the tapset table ---------------------------------------------------- */

static void test_tapset_table(void **state)
{
	(void)state;
	const tapset_func *f = tapset_func_lookup("execname");
	assert_non_null(f);
	assert_string_equal(f->name, "execname");
	assert_int_equal(f->ret, VT_STRING);
	assert_int_equal(f->nargs, 0);
	assert_true(f->flags & TF_NEEDS_EVENT);

	size_t n;
	f = tapset_func_overloads("kernel_string", &n);
	assert_int_equal(n, 2);
	assert_int_equal(f[0].nargs, 1);
	assert_int_equal(f[0].args[0], VT_LONG);
	assert_int_equal(f[1].nargs, 2);
	assert_int_equal(f[1].args[1], VT_STRING);
	assert_ptr_equal(tapset_func_lookup("kernel_string"), f);

	f = tapset_func_lookup("backtrace");
	assert_int_equal(f->ret, VT_STACK);
	assert_true(f->flags & TF_STACK);
	f = tapset_func_lookup("ubacktrace");
	assert_int_equal(f->ret, VT_STACK);
	f = tapset_func_lookup("sprint_backtrace");
	assert_int_equal(f->ret, VT_STRING);
	assert_true(f->flags & TF_STACK);
	f = tapset_func_lookup("callers");
	assert_int_equal(f->ret, VT_STACK);
	assert_int_equal(f->nargs, 1);

	static const char *const guru[] = {
		"set_kernel_long", "set_kernel_string", "set_user_int", "raise", "panic",
		"system", "mdelay", "udelay", "printk", "dump_stack", "set_returnval",
	};
	for (size_t i = 0; i < sizeof guru / sizeof *guru; i++) {
		f = tapset_func_lookup(guru[i]);
		if (!f)
			fail_msg("%s missing", guru[i]);
		if ((f->flags & (TF_GURU | TF_WRITES)) != (TF_GURU | TF_WRITES))
			fail_msg("%s is not marked guru+writes", guru[i]);
	}
	f = tapset_func_lookup("task_ns_pid");
	assert_int_equal(f->flags & (TF_GURU | TF_WRITES), TF_GURU);
	f = tapset_func_lookup("gettimeofday_us");
	assert_int_equal(f->flags, TF_VOLATILE);
	/* clocks, counters and random numbers are volatile; the task's are not */
	static const char *const volatile_fns[] = { "local_clock_ns", "cpu_clock_us", "get_cycles",
						    "jiffies", "randint", "ktime_get_ns" };
	for (size_t i = 0; i < sizeof volatile_fns / sizeof *volatile_fns; i++) {
		f = tapset_func_lookup(volatile_fns[i]);
		if (!f || !(f->flags & TF_VOLATILE))
			fail_msg("%s is not marked volatile", volatile_fns[i]);
	}
	assert_false(tapset_func_lookup("pid")->flags & TF_VOLATILE);
	assert_false(tapset_func_lookup("execname")->flags & TF_VOLATILE);
	assert_non_null(tapset_func_lookup("__tcp_skb_dport"));

	assert_null(tapset_func_lookup("no_such_function"));
	assert_null(tapset_func_lookup(""));
	assert_null(tapset_func_lookup(NULL));
	assert_null(tapset_func_overloads("zzzzzz", &n));
	assert_int_equal(n, 0);
	assert_null(tapset_func_overloads("AAA", NULL));
}

/* TF_DWARF in the committed table (scripts/gen-tapset-funcs.sh; checked
 * against stap on a headers-only tree by tests/tapset-dwarf/run.sh). */
static void test_tapset_dwarf(void **state)
{
	(void)state;
	static const char *const dwarf[] = {
		"__file_filename",	/* @cast(.., "file", "kernel") */
		"NFS_I",		/* module chain "kernel:nfs" */
		"fullpath_struct_path",	/* calls task_dentry_path() */
		"task_rlimit_nofile",	/* calls a private function */
		"Py3Object_Repr",	/* @cast without a module */
	};
	static const char *const headers[] = {
		"inet_get_ip_source",	/* kernel<net/ip.h><net/inet_sock.h> */
		"execname",		/* embedded C */
		"__ip_skb_saddr",	/* a header @cast in a macro */
		"__get_skb_tcphdr",	/* the DWARF branch is for kernel_v < 2.6.21 */
		"real_mount",		/* only under @defined(DWARF) */
		"task_execname", "pid", "kernel_string",
	};
	for (size_t i = 0; i < sizeof dwarf / sizeof *dwarf; i++) {
		const tapset_func *f = tapset_func_lookup(dwarf[i]);
		assert_non_null(f);
		if (!(f->flags & TF_DWARF))
			fail_msg("%s: no TF_DWARF", dwarf[i]);
	}
	for (size_t i = 0; i < sizeof headers / sizeof *headers; i++) {
		const tapset_func *f = tapset_func_lookup(headers[i]);
		assert_non_null(f);
		if (f->flags & TF_DWARF)
			fail_msg("%s: TF_DWARF", headers[i]);
	}
}

/* Sorted by (name, arity), unique, args beyond nargs are VOID: what the
 * bsearch and the overload walk rely on. */
static void test_tapset_table_order(void **state)
{
	(void)state;
	const char *names_buf[4096];
	size_t n = tapset_func_names(names_buf, 4096);
	assert_true(n > 400);
	for (size_t i = 0; i < n; i++) {
		assert_true(names_buf[i][0] != '_');
		if (i)
			assert_true(strcmp(names_buf[i - 1], names_buf[i]) < 0);
		size_t k;
		const tapset_func *f = tapset_func_overloads(names_buf[i], &k);
		assert_non_null(f);
		for (size_t j = 0; j < k; j++) {
			assert_string_equal(f[j].name, names_buf[i]);
			if (j)
				assert_true(f[j - 1].nargs < f[j].nargs);
			assert_true(f[j].nargs <= 4);
			for (unsigned a = 0; a < 4; a++)
				if (a >= f[j].nargs)
					assert_int_equal(f[j].args[a], VT_VOID);
				else
					assert_true(f[j].args[a] == VT_LONG || f[j].args[a] == VT_STRING);
		}
	}
	/* a small buffer is filled, not overrun */
	const char *few[3] = { NULL, NULL, NULL };
	assert_int_equal(tapset_func_names(few, 2), 2);
	assert_null(few[2]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_node_types_and_binding, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_functions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sprintf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operators, setup, teardown),
		cmocka_unit_test_setup_teardown(test_address_of, setup, teardown),
		cmocka_unit_test_setup_teardown(test_contexts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_maps_and_aggregates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_deep_built_tree, setup, teardown),
		cmocka_unit_test(test_tapset_table),
		cmocka_unit_test(test_tapset_dwarf),
		cmocka_unit_test(test_tapset_table_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
