/* Grammar of spec expressions: a C-like subset of SystemTap expressions.
 *
 * Precedence, lowest first: ?: (right), ||, &&, |, ^, &, `in`, == != =~ !~,
 * < <= > >=, << >>, + - . (concatenation), * / %, unary - ! ~ &, postfix
 * -> [ ].  stap itself puts all comparisons on one level and `.` below
 * + -; expr_print_stap parenthesizes so that both readings agree.
 *
 * Locations are byte offsets into the expression text; they become file
 * positions through the caller's expr_locmap only when reported. */

/* Bison 3.6 or newer (RHEL 9's 3.7.4, Debian 11's 3.7.5): parse.error
 * custom with yypcontext_expected_tokens() and the YYerror token the scanner
 * returns are 3.6's (api.location.type in C is 3.4's).  3.0 (RHEL 8's 3.0.4)
 * has only parse.error verbose: at most 4 expected tokens, no "expecting
 * expression" for the many an operand may start with, and a lexical error
 * would be reported twice.  There, build from a make dist tarball. */
%require "3.6"
%define api.pure full
%define api.prefix {expr_yy}
%define api.token.prefix {TOK_}
%define api.location.type {expr_span}
%define parse.error custom
%define parse.lac full
%locations
%expect 0

%param {yyscan_t scanner}
%parse-param {expr_pctx *ctx}

%code requires {
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "expr/ast.h"

/* Byte offsets [begin, end) of a token or rule in the expression text. */
typedef struct expr_span {
	size_t begin, end;
} expr_span;

typedef struct expr_list {
	expr **items;
	size_t n, cap;
} expr_list;

/* State shared by the scanner (as its yyextra) and the parser. */
typedef struct expr_pctx {
	arena *a;
	diag_sink *d;
	expr_locmap map;
	const char *text;
	size_t len;
	size_t pos;		/* scanner: offset of the next unread byte */
	unsigned nest;		/* scanner: open '(' and '[' */
	unsigned errors;	/* errors reported while parsing */
	expr *result;
} expr_pctx;

#ifndef YY_TYPEDEF_YY_SCANNER_T
#define YY_TYPEDEF_YY_SCANNER_T
typedef void *yyscan_t;
#endif

/* Position of bytes [begin, end) of the expression in the spec file. */
srcloc expr_span_loc(const expr_pctx *ctx, size_t begin, size_t end);
/* Reports an error at bytes [begin, end) of the expression. */
void expr_span_error(expr_pctx *ctx, size_t begin, size_t end,
		     const char *fmt, ...) __attribute__((format(printf, 4, 5)));
}

%code {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lexer.h"

/* The parser stack grows with right-nested input (unary chains, ?: chains,
 * parentheses); the scanner stops parentheses at EXPR_MAX_DEPTH and this
 * caps the rest.  Overflow is reported as "nested too deeply". */
#define YYMAXDEPTH (16 * EXPR_MAX_DEPTH)

/* A rule spans its first to its last symbol; an empty one sits at the end
 * of what precedes it. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                            \
	do {                                                                   \
		if (N) {                                                       \
			(Cur).begin = YYRHSLOC(Rhs, 1).begin;                  \
			(Cur).end = YYRHSLOC(Rhs, N).end;                      \
		} else {                                                       \
			(Cur).begin = (Cur).end = YYRHSLOC(Rhs, 0).end;        \
		}                                                              \
	} while (0)

static void expr_yyerror(const expr_span *loc, yyscan_t scanner, expr_pctx *ctx,
			 const char *msg);

static expr *mk(expr_pctx *ctx, expr_kind kind, expr_span tok, expr_span span)
{
	expr *e = arena_alloc(ctx->a, sizeof *e);
	e->kind = kind;
	e->loc = expr_span_loc(ctx, tok.begin, tok.end);
	e->span = expr_span_loc(ctx, span.begin, span.end);
	return e;
}

static expr *mk_unary(expr_pctx *ctx, expr_op op, expr_span tok, expr_span span,
		      expr *a)
{
	expr *e = mk(ctx, E_UNARY, tok, span);
	e->op = op;
	e->a = a;
	return e;
}

static expr *mk_binary(expr_pctx *ctx, expr_op op, expr_span tok, expr_span span,
		       expr *a, expr *b)
{
	expr *e = mk(ctx, E_BINARY, tok, span);
	e->op = op;
	e->a = a;
	e->b = b;
	return e;
}

static expr_list *list_new(expr_pctx *ctx)
{
	return arena_alloc(ctx->a, sizeof(expr_list));
}

static expr_list *list_push(expr_pctx *ctx, expr_list *l, expr *e)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 4;
		l->items = arena_realloc(ctx->a, l->items, l->cap * sizeof(expr *),
					 ncap * sizeof(expr *));
		l->cap = ncap;
	}
	l->items[l->n++] = e;
	return l;
}

static void set_args(expr *e, const expr_list *l)
{
	if (l) {
		e->args = l->items;
		e->nargs = l->n;
	}
}

/* Words stap reserves: a spec name spelled like one would produce a
 * script stap cannot parse. */
static bool stap_reserved(const char *s)
{
	static const char *const words[] = {
#define KW(w) w,
#include "tables/keywords.def"
#undef KW
	};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (!strcmp(s, words[i]))
			return true;
	return false;
}

#define RESERVED_CHECK(name, loc)                                              \
	do {                                                                   \
		if (stap_reserved(name)) {                                     \
			expr_span_error(ctx, (loc).begin, (loc).end,           \
					"'%s' is a SystemTap keyword and cannot be used as a name", \
					(name));                               \
			YYERROR;                                               \
		}                                                              \
	} while (0)
}

%union {
	expr *e;
	expr_list *list;
	int64_t num;
	struct { const char *s; size_t n; } str;
	const char *name;
}

%token END 0 "end of expression"
%token <num> INT "integer"
%token <str> STRING "string"
%token <name> IDENT "identifier"
%token <name> TARGET "target variable"
%token CAST "'@cast'" DEFINED "'@defined'" ENTRY "'@entry'"
%token CHOOSE "'@choose_defined'"
%token <num> AGGFN "aggregate function"	/* value: agg_fn */
%token IN "'in'" ARROW "'->'"
%token OROR "'||'" ANDAND "'&&'" EQ "'=='" NE "'!='" MATCH "'=~'" NMATCH "'!~'"
%token LE "'<='" GE "'>='" SHL "'<<'" SHR "'>>'"

%right '?' ':'
%left OROR
%left ANDAND
%left '|'
%left '^'
%left '&'
%precedence IN
%left EQ NE MATCH NMATCH
%left '<' LE '>' GE
%left SHL SHR
%left '+' '-' '.'
%left '*' '/' '%'
%precedence UNARY

%nterm <e> expr postfix primary
%nterm <list> args opt_args

/* Everything lives in the arena: discarding a value frees nothing, but
 * the destructors are declared so the contract is explicit. */
%destructor { (void)$$; } <e> <list> <str> <name>

%%

start:
	expr			{ ctx->result = $1; }
	;

expr:
	postfix
	| expr '?' expr ':' expr {
		$$ = mk(ctx, E_TERNARY, @2, @$);
		$$->a = $1; $$->b = $3; $$->c = $5;
	}
	| expr OROR expr	{ $$ = mk_binary(ctx, OP_OR, @2, @$, $1, $3); }
	| expr ANDAND expr	{ $$ = mk_binary(ctx, OP_AND, @2, @$, $1, $3); }
	| expr '|' expr		{ $$ = mk_binary(ctx, OP_BITOR, @2, @$, $1, $3); }
	| expr '^' expr		{ $$ = mk_binary(ctx, OP_BITXOR, @2, @$, $1, $3); }
	| expr '&' expr		{ $$ = mk_binary(ctx, OP_BITAND, @2, @$, $1, $3); }
	| expr EQ expr		{ $$ = mk_binary(ctx, OP_EQ, @2, @$, $1, $3); }
	| expr NE expr		{ $$ = mk_binary(ctx, OP_NE, @2, @$, $1, $3); }
	| expr MATCH expr	{ $$ = mk_binary(ctx, OP_MATCH, @2, @$, $1, $3); }
	| expr NMATCH expr	{ $$ = mk_binary(ctx, OP_NMATCH, @2, @$, $1, $3); }
	| expr '<' expr		{ $$ = mk_binary(ctx, OP_LT, @2, @$, $1, $3); }
	| expr LE expr		{ $$ = mk_binary(ctx, OP_LE, @2, @$, $1, $3); }
	| expr '>' expr		{ $$ = mk_binary(ctx, OP_GT, @2, @$, $1, $3); }
	| expr GE expr		{ $$ = mk_binary(ctx, OP_GE, @2, @$, $1, $3); }
	| expr SHL expr		{ $$ = mk_binary(ctx, OP_SHL, @2, @$, $1, $3); }
	| expr SHR expr		{ $$ = mk_binary(ctx, OP_SHR, @2, @$, $1, $3); }
	| expr '+' expr		{ $$ = mk_binary(ctx, OP_ADD, @2, @$, $1, $3); }
	| expr '-' expr		{ $$ = mk_binary(ctx, OP_SUB, @2, @$, $1, $3); }
	| expr '.' expr		{ $$ = mk_binary(ctx, OP_CONCAT, @2, @$, $1, $3); }
	| expr '*' expr		{ $$ = mk_binary(ctx, OP_MUL, @2, @$, $1, $3); }
	| expr '/' expr		{ $$ = mk_binary(ctx, OP_DIV, @2, @$, $1, $3); }
	| expr '%' expr		{ $$ = mk_binary(ctx, OP_MOD, @2, @$, $1, $3); }
	| '-' expr %prec UNARY	{ $$ = mk_unary(ctx, OP_NEG, @1, @$, $2); }
	| '!' expr %prec UNARY	{ $$ = mk_unary(ctx, OP_NOT, @1, @$, $2); }
	| '~' expr %prec UNARY	{ $$ = mk_unary(ctx, OP_BITNOT, @1, @$, $2); }
	| '&' expr %prec UNARY	{ $$ = mk_unary(ctx, OP_ADDR, @1, @$, $2); }
	| expr IN IDENT %prec IN {
		RESERVED_CHECK($3, @3);
		$$ = mk(ctx, E_IN, @3, @$);
		$$->name = $3;
		set_args($$, list_push(ctx, list_new(ctx), $1));
	}
	| '[' args ']' IN IDENT {
		RESERVED_CHECK($5, @5);
		$$ = mk(ctx, E_IN, @5, @$);
		$$->name = $5;
		set_args($$, $2);
	}
	;

postfix:
	primary
	| postfix ARROW IDENT {
		expr_span tok = { @2.begin, @3.end };
		$$ = mk(ctx, E_MEMBER, tok, @$);
		$$->a = $1;
		$$->name = $3;
	}
	| postfix '[' args ']' {
		$$ = mk(ctx, E_INDEX, @2, @$);
		$$->a = $1;
		set_args($$, $3);
	}
	;

primary:
	INT			{ $$ = mk(ctx, E_INT, @1, @1); $$->ival = $1;
				  /* keep 0x1f / 0755 as written: masks and modes read better */
				  if (@1.end - @1.begin > 1 && ctx->text[@1.begin] == '0') {
					  $$->sval = arena_strndup(ctx->a, ctx->text + @1.begin,
								   @1.end - @1.begin);
					  $$->slen = @1.end - @1.begin;
				  } }
	| STRING		{
		$$ = mk(ctx, E_STR, @1, @1);
		$$->sval = $1.s;
		$$->slen = $1.n;
	}
	| IDENT			{
		RESERVED_CHECK($1, @1);
		$$ = mk(ctx, E_IDENT, @1, @1);
		$$->name = $1;
	}
	| TARGET		{ $$ = mk(ctx, E_TARGET, @1, @1); $$->name = $1; }
	| IDENT '(' opt_args ')' {
		$$ = mk(ctx, E_CALL, @1, @$);
		$$->name = $1;
		set_args($$, $3);
	}
	| '(' expr ')'		{ $$ = $2; }
	| CAST '(' expr ',' STRING ')' {
		$$ = mk(ctx, E_CAST, @1, @$);
		$$->a = $3;
		$$->sval = $5.s;
		$$->slen = $5.n;
	}
	| CAST '(' expr ',' STRING ',' STRING ')' {
		$$ = mk(ctx, E_CAST, @1, @$);
		$$->a = $3;
		$$->sval = $5.s;
		$$->slen = $5.n;
		$$->name = $7.s;
	}
	| DEFINED '(' expr ')'	{ $$ = mk(ctx, E_DEFINED, @1, @$); $$->a = $3; }
	| ENTRY '(' expr ')'	{ $$ = mk(ctx, E_ENTRY, @1, @$); $$->a = $3; }
	| CHOOSE '(' expr ',' expr ')' {
		$$ = mk(ctx, E_CHOOSE, @1, @$);
		$$->a = $3;
		$$->b = $5;
	}
	| AGGFN '(' expr ')'	{
		$$ = mk(ctx, E_AGG, @1, @$);
		$$->op = (int)$1;
		$$->a = $3;
	}
	;

opt_args:
	%empty			{ $$ = NULL; }
	| args
	;

args:
	expr			{ $$ = list_push(ctx, list_new(ctx), $1); }
	| args ',' expr		{ $$ = list_push(ctx, $1, $3); }
	;

%%

srcloc expr_span_loc(const expr_pctx *ctx, size_t begin, size_t end)
{
	srcloc l = { 0 };
	if (begin > ctx->len)
		begin = ctx->len;
	if (end < begin)
		end = begin;
	if (ctx->map.at)
		l = ctx->map.at(ctx->map.ctx, begin);
	size_t n = end - begin;
	l.len = n > 0xffff ? 0xffff : (unsigned)n;
	return l;
}

void expr_span_error(expr_pctx *ctx, size_t begin, size_t end, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	ctx->errors++;
	diag_error(ctx->d, expr_span_loc(ctx, begin, end), "%s", msg);
}

static void expr_yyerror(const expr_span *loc, yyscan_t scanner, expr_pctx *ctx,
			 const char *msg)
{
	(void)scanner;
	if (!strcmp(msg, "memory exhausted"))
		expr_span_error(ctx, loc->begin, loc->end,
				"expression is nested too deeply (more than %d levels)",
				EXPR_MAX_DEPTH);
	else
		expr_span_error(ctx, loc->begin, loc->end, "%s", msg);
}

/* How a token is named in "unexpected X, expecting Y": the alias without
 * bison's double quotes ("identifier", "'->'", "end of expression"). */
static void put_symbol(strbuf *sb, yysymbol_kind_t sym)
{
	const char *n = yysymbol_name(sym);
	size_t len = strlen(n);
	if (len >= 2 && n[0] == '"' && n[len - 1] == '"')
		sb_putn(sb, n + 1, len - 2);
	else
		sb_puts(sb, n);
}

static int yyreport_syntax_error(const yypcontext_t *yyctx, yyscan_t scanner,
				 expr_pctx *ctx)
{
	(void)scanner;
	enum { NEXP = 64 };
	yysymbol_kind_t exp[NEXP];
	int n = yypcontext_expected_tokens(yyctx, exp, NEXP);
	yysymbol_kind_t tok = yypcontext_token(yyctx);
	const expr_span *loc = yypcontext_location(yyctx);
	strbuf sb = STRBUF_INIT;

	sb_puts(&sb, "syntax error");
	if (tok != YYSYMBOL_YYEMPTY) {
		sb_puts(&sb, ", unexpected ");
		put_symbol(&sb, tok);
		size_t tl = loc->end - loc->begin;
		if ((tok == YYSYMBOL_IDENT || tok == YYSYMBOL_INT ||
		     tok == YYSYMBOL_TARGET) && tl <= 40 && loc->end <= ctx->len)
			sb_printf(&sb, " '%.*s'", (int)tl, ctx->text + loc->begin);
	}
	/* After a complete operand every binary and postfix operator may
	 * follow; naming them all helps nobody, so the list keeps the other
	 * tokens (closers, separators, names), and an expected operand is
	 * just "expression". */
	bool value = false;
	int k = 0;
	yysymbol_kind_t keep[NEXP];
	for (int i = 0; i < n; i++) {
		switch (exp[i]) {
		case YYSYMBOL_INT:
			value = true;
			break;
		case YYSYMBOL_ARROW: case YYSYMBOL_OROR: case YYSYMBOL_ANDAND:
		case YYSYMBOL_EQ: case YYSYMBOL_NE: case YYSYMBOL_MATCH:
		case YYSYMBOL_NMATCH: case YYSYMBOL_LE: case YYSYMBOL_GE:
		case YYSYMBOL_SHL: case YYSYMBOL_SHR: case YYSYMBOL_IN:
			break;
		default: {
			const char *nm = yysymbol_name(exp[i]);
			if (nm[0] == '\'' && strchr("?|^&<>+-.*/%[(", nm[1]) && nm[2] == '\'')
				break;
			keep[k++] = exp[i];
		}
		}
	}
	if (k == 0 && n <= 4) {
		memcpy(keep, exp, (size_t)n * sizeof *exp);
		k = n;
	}
	if (value) {
		sb_puts(&sb, ", expecting expression");
	} else if (k > 0 && k <= 4) {
		for (int i = 0; i < k; i++) {
			sb_puts(&sb, i == 0 ? ", expecting " : " or ");
			put_symbol(&sb, keep[i]);
		}
	}
	expr_span_error(ctx, loc->begin, loc->end, "%s", sb_str(&sb));
	sb_free(&sb);
	return 0;
}
