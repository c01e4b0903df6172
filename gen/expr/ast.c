/* Expression entry point (scanner + parser), stap printer and walker. */
#include "expr/ast.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parser.h"
#include "lexer.h"

const char *vtype_name(vtype t)
{
	switch (t) {
	case VT_UNKNOWN: return "unknown";
	case VT_LONG: return "long";
	case VT_STRING: return "string";
	case VT_STACK: return "stack";
	case VT_STAT: return "statistics";
	case VT_VOID: return "void";
	}
	return "unknown";
}

/* ---- parsing ------------------------------------------------------------ */

/* Reports the first node deeper than EXPR_MAX_DEPTH (left-nested chains
 * such as 1+1+...+1 are deep without stressing the parser).  Recursion
 * stops at the limit. */
static bool depth_ok(expr_pctx *ctx, const expr *e, unsigned depth)
{
	if (!e)
		return true;
	if (depth > EXPR_MAX_DEPTH) {
		ctx->errors++;
		srcloc l = e->loc;
		diag_error(ctx->d, l, "expression is nested too deeply (more than %d levels)",
			   EXPR_MAX_DEPTH);
		return false;
	}
	if (!depth_ok(ctx, e->a, depth + 1) || !depth_ok(ctx, e->b, depth + 1) ||
	    !depth_ok(ctx, e->c, depth + 1))
		return false;
	for (size_t i = 0; i < e->nargs; i++)
		if (!depth_ok(ctx, e->args[i], depth + 1))
			return false;
	return true;
}

expr *expr_parse(arena *a, const char *text, size_t len, expr_locmap map,
		 diag_sink *d)
{
	expr_pctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.a = a;
	ctx.d = d;
	ctx.map = map;
	ctx.text = text ? text : "";
	ctx.len = text ? len : 0;

	if (ctx.len > EXPR_MAX_LEN) {
		expr_span_error(&ctx, 0, 1,
				"expression is too long (%zu bytes; at most %d)",
				ctx.len, EXPR_MAX_LEN);
		return NULL;
	}
	size_t i = 0;
	while (i < ctx.len && strchr(" \t\r\n\f\v", ctx.text[i]) && ctx.text[i])
		i++;
	if (i == ctx.len) {
		expr_span_error(&ctx, 0, 0, "empty expression");
		return NULL;
	}

	yyscan_t scanner;
	if (expr_yylex_init_extra(&ctx, &scanner)) {
		fputs("stapgen: fatal: cannot create the expression scanner\n", stderr);
		exit(1);
	}
	YY_BUFFER_STATE buf = expr_yy_scan_bytes(ctx.text, (int)ctx.len, scanner);
	int rc = expr_yyparse(scanner, &ctx);
	expr_yy_delete_buffer(buf, scanner);
	expr_yylex_destroy(scanner);

	if (rc != 0 || ctx.errors || !ctx.result)
		return NULL;
	if (!depth_ok(&ctx, ctx.result, 1))
		return NULL;
	return ctx.result;
}

/* ---- printing ----------------------------------------------------------- */

/* Binding strength, higher binds tighter.  The printer parenthesizes a
 * child whenever either reading could group it differently: ours (C-like,
 * the grammar in parser.y) or stap's (all comparisons on one level, `.`
 * below + and -). */
enum {
	P_LOWEST = 0, P_TERNARY = 1, P_OR, P_AND, P_BITOR, P_BITXOR, P_BITAND,
	P_IN, P_EQ, P_REL, P_SHIFT, P_CONCAT_STAP, P_ADD, P_MUL, P_UNARY, P_POSTFIX,
};

static int op_prec(int op, bool stap)
{
	switch (op) {
	case OP_OR: return P_OR;
	case OP_AND: return P_AND;
	case OP_BITOR: return P_BITOR;
	case OP_BITXOR: return P_BITXOR;
	case OP_BITAND: return P_BITAND;
	case OP_EQ: case OP_NE: case OP_MATCH: case OP_NMATCH: return P_EQ;
	case OP_LT: case OP_LE: case OP_GT: case OP_GE: return stap ? P_EQ : P_REL;
	case OP_SHL: case OP_SHR: return P_SHIFT;
	case OP_CONCAT: return stap ? P_CONCAT_STAP : P_ADD;
	case OP_ADD: case OP_SUB: return P_ADD;
	case OP_MUL: case OP_DIV: case OP_MOD: return P_MUL;
	}
	return P_POSTFIX;
}

static bool prints_as_name(const expr *e)
{
	return e->emit_name &&
	       (e->kind == E_IDENT || e->kind == E_TARGET || e->kind == E_ENTRY ||
		e->kind == E_AGG || e->kind == E_CAST);
}

static int prec(const expr *e, bool stap)
{
	if (prints_as_name(e))
		return P_POSTFIX;
	switch (e->kind) {
	case E_INT:
		return e->ival < 0 && e->ival != INT64_MIN ? P_UNARY : P_POSTFIX;
	case E_UNARY: return P_UNARY;
	case E_BINARY: return op_prec(e->op, stap);
	case E_TERNARY: return P_TERNARY;
	case E_IN: return P_IN;
	default: return P_POSTFIX;
	}
}

const char *expr_op_text(int op)
{
	switch (op) {
	case OP_NEG: return "-";
	case OP_NOT: return "!";
	case OP_BITNOT: return "~";
	case OP_MUL: return "*";
	case OP_DIV: return "/";
	case OP_MOD: return "%";
	case OP_ADD: return "+";
	case OP_SUB: return "-";
	case OP_CONCAT: return ".";
	case OP_SHL: return "<<";
	case OP_SHR: return ">>";
	case OP_LT: return "<";
	case OP_LE: return "<=";
	case OP_GT: return ">";
	case OP_GE: return ">=";
	case OP_EQ: return "==";
	case OP_NE: return "!=";
	case OP_BITAND: return "&";
	case OP_BITXOR: return "^";
	case OP_BITOR: return "|";
	case OP_AND: return "&&";
	case OP_OR: return "||";
	case OP_MATCH: return "=~";
	case OP_NMATCH: return "!~";
	case OP_ADDR: return "&";
	}
	return "?";
}

const char *agg_fn_text(int fn)
{
	static const char *const text[] = {
#define AGG(e, t) [AGG_##e] = t,
#include "../tables/aggs.def"
#undef AGG
	};
	return fn > AGG_NONE && fn < AGG_END ? text[fn] : text[AGG_COUNT];
}

void stap_string_literal(strbuf *sb, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '\\': sb_puts(sb, "\\\\"); continue;
		case '"': sb_puts(sb, "\\\""); continue;
		case '\n': sb_puts(sb, "\\n"); continue;
		case '\t': sb_puts(sb, "\\t"); continue;
		case '?':	/* no C trigraph can form in the generated code */
			if (i + 1 < n && s[i + 1] == '?') {
				sb_puts(sb, "?\\077");
				i++;
				continue;
			}
			break;
		default:
			break;
		}
		if (c < 0x20 || c == 0x7f)
			sb_printf(sb, "\\%03o", c);
		else
			sb_putc(sb, (char)c);
	}
}

static void print_rec(strbuf *sb, const expr *e, unsigned depth);

/* Prints c, in parentheses unless it binds at least as tightly as
 * min_ours in our grammar and min_stap in stap's. */
static void print_child(strbuf *sb, const expr *c, int min_ours, int min_stap,
			unsigned depth)
{
	bool paren = c && (prec(c, false) < min_ours || prec(c, true) < min_stap);
	if (paren)
		sb_putc(sb, '(');
	print_rec(sb, c, depth + 1);
	if (paren)
		sb_putc(sb, ')');
}

/* min_stap: stap reads the keys of `[k, ...] in m` at comparison level,
 * other lists as full expressions. */
static void print_list(strbuf *sb, expr *const *args, size_t n, int min_stap,
		       unsigned depth)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(sb, ", ");
		print_child(sb, args[i], P_LOWEST, min_stap, depth);
	}
}

static void print_quoted(strbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	stap_string_literal(sb, s ? s : "", s ? n : 0);
	sb_putc(sb, '"');
}

static void print_rec(strbuf *sb, const expr *e, unsigned depth)
{
	if (!e) {
		sb_puts(sb, "/* missing expression */");
		return;
	}
	/* Parsed trees are at most EXPR_MAX_DEPTH deep; a deeper hand-built
	 * tree gets text stap rejects rather than a stack overflow here. */
	if (depth > 4 * EXPR_MAX_DEPTH) {
		sb_puts(sb, "/* expression too deep */");
		return;
	}
	if (prints_as_name(e)) {
		sb_puts(sb, e->emit_name);
		return;
	}
	const char *name = e->emit_name ? e->emit_name : e->name ? e->name : "";
	switch (e->kind) {
	case E_INT:
		if (e->sval && e->slen) {	/* hex or octal, as the spec wrote it */
			sb_putn(sb, e->sval, e->slen);
			return;
		}
		if (e->ival == INT64_MIN)
			sb_puts(sb, "0x8000000000000000");
		else
			sb_printf(sb, "%" PRId64, e->ival);
		return;
	case E_STR:
		print_quoted(sb, e->sval, e->slen);
		return;
	case E_IDENT:
		sb_puts(sb, name);
		return;
	case E_TARGET:
		sb_putc(sb, '$');
		sb_puts(sb, e->name ? e->name : "");
		return;
	case E_MEMBER:
		print_child(sb, e->a, P_POSTFIX, P_POSTFIX, depth);
		sb_puts(sb, "->");
		sb_puts(sb, e->name ? e->name : "");
		return;
	case E_INDEX:
		print_child(sb, e->a, P_POSTFIX, P_POSTFIX, depth);
		sb_putc(sb, '[');
		print_list(sb, e->args, e->nargs, P_LOWEST, depth);
		sb_putc(sb, ']');
		return;
	case E_CALL:
		sb_puts(sb, name);
		sb_putc(sb, '(');
		print_list(sb, e->args, e->nargs, P_LOWEST, depth);
		sb_putc(sb, ')');
		return;
	case E_UNARY: {
		const char *op = expr_op_text(e->op);
		sb_puts(sb, op);
		size_t at = sb->len;
		print_child(sb, e->a, P_UNARY, P_UNARY, depth);
		/* "- -x", "! ~x" and "& &x" must not glue into "--", "!~" or "&&" */
		if (sb->len > at) {
			char next = sb->buf[at];
			if ((op[0] == '-' && next == '-') || (op[0] == '!' && next == '~') ||
			    (op[0] == '&' && next == '&')) {
				sb_putc(sb, ' ');
				memmove(sb->buf + at + 1, sb->buf + at, sb->len - at - 1);
				sb->buf[at] = ' ';
			}
		}
		return;
	}
	case E_BINARY: {
		int po = op_prec(e->op, false), ps = op_prec(e->op, true);
		print_child(sb, e->a, po, ps, depth);
		sb_putc(sb, ' ');
		sb_puts(sb, expr_op_text(e->op));
		sb_putc(sb, ' ');
		print_child(sb, e->b, po + 1, ps + 1, depth);
		return;
	}
	case E_TERNARY:
		print_child(sb, e->a, P_TERNARY + 1, P_TERNARY + 1, depth);
		sb_puts(sb, " ? ");
		print_child(sb, e->b, P_LOWEST, P_LOWEST, depth);
		sb_puts(sb, " : ");
		print_child(sb, e->c, P_TERNARY, P_TERNARY, depth);
		return;
	case E_CAST:
		sb_puts(sb, "@cast(");
		print_child(sb, e->a, P_LOWEST, P_LOWEST, depth);
		sb_puts(sb, ", ");
		print_quoted(sb, e->sval, e->slen);
		if (e->name) {
			sb_puts(sb, ", ");
			print_quoted(sb, e->name, strlen(e->name));
		}
		sb_putc(sb, ')');
		return;
	case E_DEFINED:
	case E_ENTRY:
		sb_puts(sb, e->kind == E_DEFINED ? "@defined(" : "@entry(");
		print_child(sb, e->a, P_LOWEST, P_LOWEST, depth);
		sb_putc(sb, ')');
		return;
	case E_CHOOSE:
		sb_puts(sb, "@choose_defined(");
		print_child(sb, e->a, P_LOWEST, P_LOWEST, depth);
		sb_puts(sb, ", ");
		print_child(sb, e->b, P_LOWEST, P_LOWEST, depth);
		sb_putc(sb, ')');
		return;
	case E_AGG:
		sb_puts(sb, agg_fn_text(e->op));
		sb_putc(sb, '(');
		print_child(sb, e->a, P_LOWEST, P_LOWEST, depth);
		sb_putc(sb, ')');
		return;
	case E_IN:
		sb_putc(sb, '[');
		print_list(sb, e->args, e->nargs, P_EQ, depth);
		sb_puts(sb, "] in ");
		sb_puts(sb, name);
		return;
	}
	sb_puts(sb, "/* unknown expression */");
}

void expr_print_stap(strbuf *sb, const expr *e)
{
	print_rec(sb, e, 0);
}

/* ---- walking ------------------------------------------------------------ */

/* Iterative, so no input can exhaust the C stack. */
void expr_walk(const expr *e, void (*fn)(const expr *node, void *ctx), void *ctx)
{
	if (!e)
		return;
	size_t cap = 64, n = 0;
	const expr **stack = malloc(cap * sizeof *stack);
	if (!stack) {
		fputs("stapgen: fatal: out of memory\n", stderr);
		exit(1);
	}
	stack[n++] = e;
	while (n) {
		const expr *x = stack[--n];
		fn(x, ctx);
		size_t need = n + 3 + x->nargs;
		if (need > cap) {
			while (cap < need)
				cap *= 2;
			const expr **ns = realloc(stack, cap * sizeof *stack);
			if (!ns) {
				free(stack);
				fputs("stapgen: fatal: out of memory\n", stderr);
				exit(1);
			}
			stack = ns;
		}
		/* pushed in reverse so a, b, c, args[0..] come out in order */
		for (size_t i = x->nargs; i-- > 0;)
			if (x->args[i])
				stack[n++] = x->args[i];
		if (x->c)
			stack[n++] = x->c;
		if (x->b)
			stack[n++] = x->b;
		if (x->a)
			stack[n++] = x->a;
	}
	free(stack);
}
