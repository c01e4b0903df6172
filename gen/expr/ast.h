/* Expressions written inside specs: filters, values, keys, report columns. */
#ifndef STAPGEN_AST_H
#define STAPGEN_AST_H
#include <stddef.h>
#include <stdint.h>

#include "../util/arena.h"
#include "../util/diag.h"
#include "../util/source.h"
#include "../util/strbuf.h"

typedef enum {
	VT_UNKNOWN = 0,	/* not yet checked, or error already reported */
	VT_LONG,
	VT_STRING,
	VT_STACK,	/* a backtrace: a string stap can print/symbolize */
	VT_STAT,	/* a statistics aggregate (only inside @count/@sum/...) */
	VT_VOID,
} vtype;
const char *vtype_name(vtype t);

typedef enum {
	E_INT,		/* ival */
	E_STR,		/* sval (decoded bytes, slen) */
	E_IDENT,	/* name: parameter, named value, key column, alias variable */
	E_TARGET,	/* name: $var (without '$'); "return" for $return */
	E_MEMBER,	/* a->name : a is E_TARGET/E_MEMBER/E_INDEX/E_CAST/E_IDENT */
	E_INDEX,	/* a[args...]: target array element or state-map lookup */
	E_CALL,		/* name(args...): tapset function */
	E_UNARY,	/* op a : '-', '!', '~', '&' (address of a target) */
	E_BINARY,	/* a op b : see expr_op */
	E_TERNARY,	/* a ? b : c */
	E_CAST,		/* @cast(a, "type"[, "module"]) : sval=type, name=module or NULL */
	E_DEFINED,	/* @defined(a) */
	E_ENTRY,	/* @entry(a) */
	E_CHOOSE,	/* @choose_defined(a, b) */
	E_AGG,		/* @count/@sum/@min/@max/@avg(a) : op = agg_fn */
	E_IN,		/* [args...] in name : key membership in a state map */
} expr_kind;

typedef enum {
	OP_NONE = 0,
	OP_NEG, OP_NOT, OP_BITNOT,
	OP_MUL, OP_DIV, OP_MOD, OP_ADD, OP_SUB, OP_CONCAT /* '.' */,
	OP_SHL, OP_SHR, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
	OP_BITAND, OP_BITXOR, OP_BITOR, OP_AND, OP_OR,
	OP_MATCH /* '=~' */, OP_NMATCH /* '!~' */,	/* string =~ "regex literal" */
	OP_ADDR,	/* unary '&': &$var->field, &@cast(p, "T")->field */
} expr_op;

typedef enum {
	AGG_NONE = 0,
#define AGG(e, text) AGG_##e,
#include "../tables/aggs.def"
#undef AGG
	AGG_END
} agg_fn;
/* "@count", ...; "@count" for anything else. */
const char *agg_fn_text(int fn);

typedef struct expr expr;
struct expr {
	expr_kind kind;
	srcloc loc;		/* the node's own token: operator, name, '$', '@' */
	srcloc span;		/* whole expression, for underlining */
	vtype type;		/* filled by the checker */
	int op;			/* expr_op or agg_fn */
	int64_t ival;
	const char *sval;	/* E_STR bytes / E_CAST type */
	size_t slen;
	const char *name;	/* identifier, target name, function, member, module */
	expr *a, *b, *c;
	expr **args;
	size_t nargs;
	/* Filled by the checker / emitter: the name this node is printed as in
	 * the .stp (e.g. a renamed local), or NULL to print `name`. */
	const char *emit_name;
	int bind;		/* checker's resolution, meaning defined by check env */
	const void *bind_ptr;
};

/* Maps a byte offset of the expression text to a position in the spec file
 * (the text is a YAML scalar; see yaml_scalar_loc). */
typedef struct expr_locmap {
	srcloc (*at)(const void *ctx, size_t off);
	const void *ctx;
} expr_locmap;

/* Hostile-input limits: longer texts and deeper trees are rejected with an
 * error (the printer, walker and checker recurse at most this deep). */
#define EXPR_MAX_LEN (64 * 1024)
#define EXPR_MAX_DEPTH 256

/* Parses one expression.  Syntax errors are reported to d with the exact
 * location; returns NULL then.  Never prints to stdout, never aborts. */
expr *expr_parse(arena *a, const char *text, size_t len, expr_locmap map,
		 diag_sink *d);

/* Writes e as stap source, fully and minimally parenthesized so that the
 * meaning is preserved; strings are written as escaped stap literals. */
void expr_print_stap(strbuf *sb, const expr *e);
/* Escapes bytes as the body of a stap "string literal". */
void stap_string_literal(strbuf *sb, const char *s, size_t n);

/* The source text of an expr_op ("&&", "<<", ...); "?" if unknown. */
const char *expr_op_text(int op);

/* Walks every node (pre-order). */
void expr_walk(const expr *e, void (*fn)(const expr *node, void *ctx), void *ctx);

#endif
