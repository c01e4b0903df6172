/* libyaml events -> ynode tree, with exact locations and hostile-input
 * limits.  The whole load stops at the first error. */
#include "yaml_tree.h"
#include "../util/text.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <yaml.h>

#include "yaml_scalar.h"

#define DEFAULT_MAX_FILE ((size_t)1 << 20)
#define DEFAULT_MAX_DEPTH 64u
#define DEFAULT_MAX_NODES ((size_t)100000)
#define DEFAULT_MAX_SCALAR ((size_t)64 << 10)
/* libyaml's scanner does work proportional to the flow depth for every
 * token, so nesting is quadratic: 10000 levels already take a second. */
#define HARD_MAX_DEPTH 1000u

/* Open-addressing hash set of indices (stored +1, 0 = empty).  The hash
 * is seeded per load so a spec cannot be crafted to make every key collide. */
typedef struct idxset {
	size_t *slots;
	size_t cap, used;
	uint64_t seed;
} idxset;

typedef struct frame {
	ynode *node;
	ypair *pairs;		/* YN_MAP */
	ynode **items;		/* YN_SEQ */
	size_t n, cap;
	ynode *key;		/* mapping: key waiting for its value */
	idxset keys;		/* mapping: indices into pairs, by key */
	size_t anchor;		/* index into loader.anchors, or SIZE_MAX */
	size_t nodes_before;
	unsigned height;	/* collection levels in this subtree */
	int block_indent;	/* libyaml's indent inside it, for | and > */
} frame;

typedef struct anchor {
	const char *name;
	size_t namelen;
	ynode *node;
	size_t size;		/* nodes in the subtree */
	unsigned height;
	int done;		/* an alias to an open anchor would be a cycle */
} anchor;

typedef struct loader {
	arena *a;
	const source *src;
	diag_sink *d;
	yaml_limits lim;
	yaml_parser_t *p;
	frame *stack;
	size_t depth, stackcap;
	size_t nodes;
	anchor *anchors;
	size_t nanchors, anchorcap;
	idxset anchor_names;
	uint64_t seed;
	ynode *root;
	/* libyaml marks count characters; this converts them to bytes */
	int ascii;
	size_t ci, bo;
} loader;

/* ---- positions ---------------------------------------------------------- */

static size_t utf8_width(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
}

/* Marks come in nearly increasing order, so a cursor that walks forward or
 * back from the previous answer is cheap. */
static size_t mark_off(loader *L, yaml_mark_t m)
{
	const unsigned char *t = (const unsigned char *)L->src->text;
	size_t n = L->src->len;
	if (L->ascii)
		return m.index < n ? m.index : n;
	while (L->ci < m.index && L->bo < n) {
		L->bo += utf8_width(t[L->bo]);
		L->ci++;
	}
	while (L->ci > m.index && L->bo > 0) {
		do
			L->bo--;
		while (L->bo > 0 && (t[L->bo] & 0xC0) == 0x80);
		L->ci--;
	}
	return L->bo < n ? L->bo : n;
}

static srcloc loc_at(const loader *L, size_t off)
{
	srcloc l = source_loc_at(L->src, off);
	l.len = 1;
	return l;
}

static void error_at(loader *L, srcloc loc, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void error_at(loader *L, srcloc loc, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	diag_error(L->d, loc, "%s", msg);
}

/* A value quoted in a message: short, one line, control bytes hidden. */
static const char *shown(char *buf, size_t size, const char *s, size_t len)
{
	size_t max = size - 4, k = 0;
	int cut = len > max;
	if (cut) {
		len = max;
		while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;	/* don't split a UTF-8 character */
	}
	for (size_t i = 0; i < len; i++)
		buf[k++] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	if (cut)
		buf[k++] = '.', buf[k++] = '.', buf[k++] = '.';
	buf[k] = '\0';
	return buf;
}

/* ---- the raw text, before libyaml sees it ------------------------------- */

/* Length of the valid UTF-8 sequence at t[i] (non-ASCII lead), 0 if bad;
 * *cp gets the code point. */
static size_t utf8_decode(const unsigned char *t, size_t n, size_t i,
			  unsigned long *cp)
{
	unsigned char c = t[i];
	size_t w;
	unsigned long v, min;
	if (c >= 0xC2 && c <= 0xDF)
		w = 2, v = c & 0x1F, min = 0x80;
	else if (c >= 0xE0 && c <= 0xEF)
		w = 3, v = c & 0x0F, min = 0x800;
	else if (c >= 0xF0 && c <= 0xF4)
		w = 4, v = c & 0x07, min = 0x10000;
	else
		return 0;
	if (n - i < w)
		return 0;
	for (size_t k = 1; k < w; k++) {
		if ((t[i + k] & 0xC0) != 0x80)
			return 0;
		v = v << 6 | (t[i + k] & 0x3F);
	}
	if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
		return 0;
	*cp = v;
	return w;
}

/* What libyaml would reject with a vague position, we reject here at the
 * exact byte: NULs, bad UTF-8, characters YAML does not allow.  A lone CR
 * is a line break to libyaml but not to our line index, so it goes too. */
static int check_text(loader *L)
{
	const unsigned char *t = (const unsigned char *)L->src->text;
	size_t n = L->src->len;
	L->ascii = 1;
	for (size_t i = 0; i < n;) {
		unsigned char c = t[i];
		if (c == 0) {
			error_at(L, loc_at(L, i), "NUL byte in file");
			return 0;
		}
		if (c == '\r' && (i + 1 == n || t[i + 1] != '\n')) {
			error_at(L, loc_at(L, i),
				 "carriage return without line feed; use LF or CRLF line endings");
			return 0;
		}
		if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7F) {
			error_at(L, loc_at(L, i),
				 "control character 0x%02X is not allowed in YAML", c);
			return 0;
		}
		if (c < 0x80) {
			i++;
			continue;
		}
		L->ascii = 0;
		unsigned long cp = 0;
		size_t w = utf8_decode(t, n, i, &cp);
		if (!w) {
			if (c < 0xC2 || c > 0xF4)
				error_at(L, loc_at(L, i), "invalid UTF-8 byte 0x%02X", c);
			else
				error_at(L, loc_at(L, i),
					 "invalid UTF-8 sequence starting with byte 0x%02X", c);
			return 0;
		}
		if ((cp < 0xA0 && cp != 0x85) || cp == 0xFFFE || cp == 0xFFFF) {
			error_at(L, loc_at(L, i),
				 "control character U+%04lX is not allowed in YAML", cp);
			return 0;
		}
		/* "Trojan Source": shown as themselves they reorder the text
		 * after them, so a reviewer would read another spec than the
		 * one that is compiled (comments included) */
		if (cp >= 0xA0 && text_cp_unsafe(cp)) {
			error_at(L, loc_at(L, i),
				 "bidirectional control character U+%04lX is not allowed: it changes the order in which the text after it is displayed",
				 cp);
			return 0;
		}
		i += w;
	}
	return 1;
}

/* ---- hash sets ---------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t seed, const char *s, size_t len)
{
	uint64_t h = 1469598103934665603ull ^ seed;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 1099511628211ull;
	/* FNV's low bits depend only on low bits: mix before masking */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdull;
	h ^= h >> 33;
	return h;
}

/* Gives the stored key at index idx. */
typedef const char *(*key_of_fn)(const void *ctx, size_t idx, size_t *len);

static size_t *set_slot(idxset *set, const char *s, size_t len,
			key_of_fn key_of, const void *ctx)
{
	size_t mask = set->cap - 1;
	for (size_t i = hash_bytes(set->seed, s, len) & mask;; i = (i + 1) & mask) {
		size_t *slot = &set->slots[i];
		size_t klen;
		if (!*slot)
			return slot;
		const char *k = key_of(ctx, *slot - 1, &klen);
		if (klen == len && memcmp(k, s, len) == 0)
			return slot;
	}
}

/* Makes room for one more entry. */
static void set_reserve(arena *a, idxset *set, key_of_fn key_of, const void *ctx)
{
	if (set->cap && (set->used + 1) * 2 <= set->cap)
		return;
	idxset grown = { NULL, set->cap ? set->cap * 2 : 16, set->used, set->seed };
	grown.slots = arena_alloc(a, grown.cap * sizeof *grown.slots);
	for (size_t i = 0; i < set->cap; i++) {
		if (!set->slots[i])
			continue;
		size_t klen;
		const char *k = key_of(ctx, set->slots[i] - 1, &klen);
		*set_slot(&grown, k, klen, key_of, ctx) = set->slots[i];
	}
	*set = grown;
}

static const char *pair_key(const void *ctx, size_t idx, size_t *len)
{
	const ynode *k = ((const frame *)ctx)->pairs[idx].key;
	*len = k->len;
	return k->str;
}

static const char *anchor_key(const void *ctx, size_t idx, size_t *len)
{
	const anchor *an = &((const loader *)ctx)->anchors[idx];
	*len = an->namelen;
	return an->name;
}

static uint64_t random_seed(void)
{
	uint64_t seed = 0;
	if (getrandom(&seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed)
		seed = (uint64_t)(uintptr_t)&seed ^ (uint64_t)time(NULL);
	return seed;
}

/* ---- anchors and aliases ------------------------------------------------ */

static size_t anchor_define(loader *L, const char *name, ynode *node)
{
	if (L->nanchors == L->anchorcap) {
		size_t ncap = L->anchorcap ? L->anchorcap * 2 : 16;
		L->anchors = arena_realloc(L->a, L->anchors,
					   L->anchorcap * sizeof *L->anchors,
					   ncap * sizeof *L->anchors);
		L->anchorcap = ncap;
	}
	size_t idx = L->nanchors++;
	size_t len = strlen(name);
	L->anchors[idx] = (anchor){ arena_strndup(L->a, name, len), len, node, 1, 0, 0 };
	/* the set indexes distinct names; a redefinition takes the slot over */
	set_reserve(L->a, &L->anchor_names, anchor_key, L);
	size_t *s = set_slot(&L->anchor_names, name, len, anchor_key, L);
	if (!*s)
		L->anchor_names.used++;
	*s = idx + 1;
	return idx;
}

static anchor *anchor_find(loader *L, const char *name)
{
	if (!L->anchor_names.cap)
		return NULL;
	size_t *s = set_slot(&L->anchor_names, name, strlen(name), anchor_key, L);
	return *s ? &L->anchors[*s - 1] : NULL;
}

/* ---- building the tree -------------------------------------------------- */

static frame *top(loader *L)
{
	return L->depth ? &L->stack[L->depth - 1] : NULL;
}

static int count_nodes(loader *L, size_t more, srcloc loc)
{
	if (more > L->lim.max_nodes || L->nodes > L->lim.max_nodes - more) {
		error_at(L, loc, "too many nodes (limit %zu)", L->lim.max_nodes);
		return 0;
	}
	L->nodes += more;
	return 1;
}

static int check_key_is_scalar(loader *L, ynode_kind kind, srcloc loc)
{
	frame *f = top(L);
	if (f && f->node->kind == YN_MAP && !f->key && kind != YN_SCALAR) {
		error_at(L, loc, "mapping key must be a scalar, not a %s",
			 kind == YN_MAP ? "mapping" : "sequence");
		return 0;
	}
	return 1;
}

/* Hands a finished node (of `height` collection levels) to its parent. */
static int attach(loader *L, ynode *n, unsigned height)
{
	frame *f = top(L);
	if (!f) {
		L->root = n;
		return 1;
	}
	if (f->height < height + 1)
		f->height = height + 1;
	if (f->node->kind == YN_SEQ) {
		if (f->n == f->cap) {
			size_t ncap = f->cap ? f->cap * 2 : 8;
			f->items = arena_realloc(L->a, f->items, f->cap * sizeof *f->items,
						 ncap * sizeof *f->items);
			f->cap = ncap;
		}
		f->items[f->n++] = n;
		return 1;
	}
	if (f->key) {
		if (f->n == f->cap) {
			size_t ncap = f->cap ? f->cap * 2 : 8;
			f->pairs = arena_realloc(L->a, f->pairs, f->cap * sizeof *f->pairs,
						 ncap * sizeof *f->pairs);
			f->cap = ncap;
		}
		f->pairs[f->n++] = (ypair){ f->key, n };
		f->key = NULL;
		return 1;
	}
	if (!check_key_is_scalar(L, n->kind, n->loc))
		return 0;
	set_reserve(L->a, &f->keys, pair_key, f);
	size_t *slot = set_slot(&f->keys, n->str, n->len, pair_key, f);
	if (*slot) {
		char buf[64];
		const ynode *first = f->pairs[*slot - 1].key;
		error_at(L, n->loc, "duplicate key '%s'", shown(buf, sizeof buf, n->str, n->len));
		diag_note(L->d, first->loc, "first defined here");
		return 0;
	}
	*slot = f->n + 1;	/* where the pair will land */
	f->keys.used++;
	f->key = n;
	return 1;
}

/* Bytes of white space at t[i]: blanks and libyaml's line breaks, which
 * include NEL, LS and PS. */
static size_t space_len(const char *t, size_t i, size_t end)
{
	const unsigned char *u = (const unsigned char *)t;
	if (u[i] == ' ' || u[i] == '\t' || u[i] == '\r' || u[i] == '\n')
		return 1;
	if (u[i] == 0xC2 && i + 1 < end && u[i + 1] == 0x85)
		return 2;
	if (u[i] == 0xE2 && i + 2 < end && u[i + 1] == 0x80 &&
	    (u[i + 2] == 0xA8 || u[i + 2] == 0xA9))
		return 3;
	return 0;
}

/* An anchor or tag comes before the scalar token; skip to the token.  An
 * anchor name is [0-9A-Za-z_-] and need not be followed by a space. */
static size_t skip_properties(const loader *L, size_t i, size_t end)
{
	const char *t = L->src->text;
	size_t sp;
	while (i < end && (t[i] == '&' || t[i] == '!')) {
		if (t[i] == '&') {
			i++;
			while (i < end && (isalnum((unsigned char)t[i]) || t[i] == '_' || t[i] == '-'))
				i++;
		} else if (i + 1 < end && t[i + 1] == '<') {	/* !<verbatim> */
			while (i < end && t[i] != '>')
				i++;
			i++;
		} else {
			while (i < end && !space_len(t, i, end))
				i++;
		}
		for (;;) {
			while (i < end && (sp = space_len(t, i, end)) != 0)
				i += sp;
			if (i < end && t[i] == '#')
				while (i < end && t[i] != '\n')
					i++;
			else
				break;
		}
	}
	return i < end ? i : end;
}

static yscalar_style style_of(yaml_scalar_style_t s)
{
	switch (s) {
	case YAML_SINGLE_QUOTED_SCALAR_STYLE: return YS_SINGLE;
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE: return YS_DOUBLE;
	case YAML_LITERAL_SCALAR_STYLE: return YS_LITERAL;
	case YAML_FOLDED_SCALAR_STYLE: return YS_FOLDED;
	default: return YS_PLAIN;
	}
}

static int on_scalar(loader *L, const yaml_event_t *e)
{
	size_t start = mark_off(L, e->start_mark), end = mark_off(L, e->end_mark);
	size_t len = e->data.scalar.length;
	srcloc tag_loc = { 0 };
	if (e->data.scalar.tag) {
		/* the tag as written: the first '!' of the properties */
		size_t t = start;
		while (t < end && L->src->text[t] != '!')
			t++;
		tag_loc = loc_at(L, t);
		size_t w = 0;
		while (t + w < end && !space_len(L->src->text, t + w, end))
			w++;
		tag_loc.len = (unsigned)(w ? w : 1);
	}
	if (e->data.scalar.anchor || e->data.scalar.tag)
		start = skip_properties(L, start, end);
	srcloc loc = loc_at(L, start);
	size_t line_len;
	source_line(L->src, loc.line, &line_len);
	/* underline the token, up to the end of its first line */
	size_t room = line_len >= loc.col ? line_len - loc.col + 1 : 1;
	size_t tok = end > start ? end - start : 1;
	loc.len = (unsigned)(tok < room ? tok : room);

	if (!count_nodes(L, 1, loc))
		return 0;
	if (len > L->lim.max_scalar_bytes) {
		error_at(L, loc, "scalar too long (%zu bytes; limit %zu)", len,
			 L->lim.max_scalar_bytes);
		return 0;
	}
	ynode *n = arena_alloc(L->a, sizeof *n);
	n->kind = YN_SCALAR;
	n->loc = loc;
	n->style = style_of(e->data.scalar.style);
	n->str = arena_strndup(L->a, (const char *)e->data.scalar.value, len);
	n->len = len;
	n->content_off = start;
	if (e->data.scalar.tag) {
		n->tag = arena_strdup(L->a, (const char *)e->data.scalar.tag);
		n->tag_loc = tag_loc;
	}
	unsigned *map = arena_alloc(L->a, (len + 1) * sizeof *map);
	frame *f = top(L);
	if (yscalar_walk(L->src->text, start, end, n->style,
			 f ? f->block_indent : -1, n->str, len, map))
		n->offmap = map;
	/* an escaped \0 would silently cut every C string made from it */
	const char *nul = memchr(n->str, '\0', len);
	if (nul) {
		error_at(L, yaml_scalar_loc(n, (size_t)(nul - n->str)),
			 "NUL character in a value");
		return 0;
	}
	if (e->data.scalar.anchor) {
		size_t idx = anchor_define(L, (const char *)e->data.scalar.anchor, n);
		L->anchors[idx].done = 1;
	}
	return attach(L, n, 0);
}

static int on_alias(loader *L, const yaml_event_t *e)
{
	const char *name = (const char *)e->data.alias.anchor;
	srcloc loc = loc_at(L, mark_off(L, e->start_mark));
	loc.len = (unsigned)strlen(name) + 1;
	char buf[64];
	anchor *an = anchor_find(L, name);
	if (!an) {
		error_at(L, loc, "undefined alias '%s'", shown(buf, sizeof buf, name, strlen(name)));
		return 0;
	}
	if (!an->done) {
		error_at(L, loc, "alias '%s' refers to a node that contains it",
			 shown(buf, sizeof buf, name, strlen(name)));
		return 0;
	}
	if (L->depth + an->height > L->lim.max_depth) {
		error_at(L, loc, "nesting too deep (limit %u)", L->lim.max_depth);
		return 0;
	}
	if (!count_nodes(L, an->size, loc))
		return 0;
	/* shares the anchored subtree; only the top node says where it is used */
	ynode *n = arena_alloc(L->a, sizeof *n);
	*n = *an->node;
	n->loc = loc;
	return attach(L, n, an->height);
}

/* libyaml's scanner indentation inside a block collection: the column of
 * its first key or '-' (an indentless sequence's end mark is past the '-'). */
static int block_indent_of(loader *L, const yaml_event_t *e, ynode_kind kind)
{
	int block = kind == YN_MAP
			    ? e->data.mapping_start.style == YAML_BLOCK_MAPPING_STYLE
			    : e->data.sequence_start.style == YAML_BLOCK_SEQUENCE_STYLE;
	if (!block)
		return YSCALAR_INDENT_UNKNOWN;
	const char *t = L->src->text;
	size_t off = mark_off(L, e->end_mark);
	if (kind == YN_SEQ && !(off < L->src->len && t[off] == '-')) {
		if (off == 0 || t[off - 1] != '-')
			return YSCALAR_INDENT_UNKNOWN;
		off--;
	}
	unsigned col = source_loc_at(L->src, off).col;
	return col - 1 < INT_MAX ? (int)(col - 1) : YSCALAR_INDENT_UNKNOWN;
}

static int on_start(loader *L, const yaml_event_t *e, ynode_kind kind)
{
	srcloc loc = loc_at(L, mark_off(L, e->start_mark));
	if (!check_key_is_scalar(L, kind, loc))
		return 0;
	if (L->depth >= L->lim.max_depth) {
		error_at(L, loc, "nesting too deep (limit %u)", L->lim.max_depth);
		return 0;
	}
	if (!count_nodes(L, 1, loc))
		return 0;
	if (L->depth == L->stackcap) {
		size_t ncap = L->stackcap ? L->stackcap * 2 : 16;
		L->stack = arena_realloc(L->a, L->stack, L->stackcap * sizeof *L->stack,
					 ncap * sizeof *L->stack);
		L->stackcap = ncap;
	}
	ynode *n = arena_alloc(L->a, sizeof *n);
	n->kind = kind;
	n->loc = loc;
	frame *f = &L->stack[L->depth++];
	memset(f, 0, sizeof *f);
	f->keys.seed = L->seed;
	f->node = n;
	f->anchor = SIZE_MAX;
	f->nodes_before = L->nodes - 1;
	f->height = 1;
	f->block_indent = block_indent_of(L, e, kind);
	const yaml_char_t *name = kind == YN_MAP ? e->data.mapping_start.anchor
						 : e->data.sequence_start.anchor;
	if (name)
		f->anchor = anchor_define(L, (const char *)name, n);
	return 1;
}

static int on_end(loader *L)
{
	frame f = L->stack[--L->depth];
	ynode *n = f.node;
	if (n->kind == YN_MAP) {
		n->pairs = f.pairs;
		n->npairs = f.n;
	} else {
		n->items = f.items;
		n->nitems = f.n;
	}
	if (f.anchor != SIZE_MAX) {
		anchor *an = &L->anchors[f.anchor];
		an->size = L->nodes - f.nodes_before;
		an->height = f.height;
		an->done = 1;
	}
	return attach(L, n, f.height);
}

/* ---- libyaml errors ----------------------------------------------------- */

static int in_indentation(const loader *L, size_t off)
{
	const char *t = L->src->text;
	while (off > 0 && t[off - 1] != '\n') {
		if (t[off - 1] != ' ' && t[off - 1] != '\t')
			return 0;
		off--;
	}
	return 1;
}

/* libyaml's wording, made to say what is wrong in our terms. */
static const struct {
	const char *problem, *message;
} rewordings[] = {
	{ "found unknown escape character", "unknown escape sequence in double-quoted string" },
	{ "could not find expected ':'", "expected ':' after a mapping key" },
	{ "did not find expected key", "did not find expected key (check the indentation)" },
	{ "did not find expected '-' indicator",
	  "did not find expected '-' (check the indentation of the sequence)" },
	{ "mapping values are not allowed in this context",
	  "unexpected ':' (check the indentation, or quote a value that contains ': ')" },
	{ "did not find expected node content", "expected a value here" },
};

static void report_parser_error(loader *L)
{
	const yaml_parser_t *p = L->p;
	const char *problem = p->problem ? p->problem : "invalid YAML";
	const char *context = p->context;
	if (p->error == YAML_MEMORY_ERROR) {
		error_at(L, loc_at(L, 0), "out of memory while parsing YAML");
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		error_at(L, loc_at(L, p->problem_offset), "%s", problem);
		return;
	}
	size_t off = mark_off(L, p->problem_mark);
	size_t coff = context ? mark_off(L, p->context_mark) : off;
	const char *t = L->src->text;
	if (off < L->src->len && t[off] == '\t') {
		if (in_indentation(L, off))
			error_at(L, loc_at(L, off),
				 "tab character used for indentation; YAML allows only spaces");
		else
			error_at(L, loc_at(L, off), "tab character not allowed here; use spaces");
		return;
	}
	if (context && strstr(context, "quoted scalar") &&
	    strstr(problem, "end of stream")) {
		error_at(L, loc_at(L, coff), "unterminated quoted string");
		return;
	}
	if (strcmp(problem, "found character that cannot start any token") == 0 &&
	    off < L->src->len && (t[off] == '@' || t[off] == '`')) {
		error_at(L, loc_at(L, off),
			 "'%c' is reserved and cannot start a plain value; quote the value",
			 t[off]);
		return;
	}
	if (strstr(problem, "escape code") || strstr(problem, "hexdecimal")) {
		/* libyaml points past the \u; the escape starts at the backslash */
		for (size_t k = 0; k < 10 && k < off; k++)
			if (t[off - k - 1] == '\\') {
				off -= k + 1;
				break;
			}
	}
	const char *msg = problem;
	for (size_t i = 0; i < sizeof rewordings / sizeof *rewordings; i++)
		if (strcmp(problem, rewordings[i].problem) == 0)
			msg = rewordings[i].message;
	error_at(L, loc_at(L, off), "%s", msg);
	if (context && coff != off)
		diag_note(L->d, loc_at(L, coff), "%s that starts here", context);
}

/* ---- driver ------------------------------------------------------------- */

static int on_event(loader *L, const yaml_event_t *e, int *docs)
{
	switch (e->type) {
	case YAML_DOCUMENT_START_EVENT:
		if ((*docs)++) {
			error_at(L, loc_at(L, mark_off(L, e->start_mark)),
				 "multiple YAML documents in one spec; only one is allowed");
			return 0;
		}
		return 1;
	case YAML_SCALAR_EVENT:
		return on_scalar(L, e);
	case YAML_ALIAS_EVENT:
		return on_alias(L, e);
	case YAML_SEQUENCE_START_EVENT:
		return on_start(L, e, YN_SEQ);
	case YAML_MAPPING_START_EVENT:
		return on_start(L, e, YN_MAP);
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return on_end(L);
	default:
		return 1;
	}
}

static ynode *parse(loader *L)
{
	int docs = 0;
	for (;;) {
		yaml_event_t e;
		if (!yaml_parser_parse(L->p, &e)) {
			report_parser_error(L);
			return NULL;
		}
		int ok = on_event(L, &e, &docs);
		int done = e.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&e);
		if (!ok)
			return NULL;
		if (done)
			break;
	}
	ynode *r = L->root;
	if (!r || (r->kind == YN_SCALAR && r->style == YS_PLAIN && r->len == 0)) {
		error_at(L, loc_at(L, 0), "empty spec");
		return NULL;
	}
	return r;
}

ynode *yaml_load(arena *a, const source *src, const yaml_limits *lim, diag_sink *d)
{
	loader L = { 0 };
	L.a = a;
	L.src = src;
	L.d = d;
	if (lim)
		L.lim = *lim;
	if (!L.lim.max_file_bytes)
		L.lim.max_file_bytes = DEFAULT_MAX_FILE;
	if (L.lim.max_file_bytes > UINT_MAX - 1)	/* offsets are unsigned */
		L.lim.max_file_bytes = UINT_MAX - 1;
	if (!L.lim.max_depth)
		L.lim.max_depth = DEFAULT_MAX_DEPTH;
	if (L.lim.max_depth > HARD_MAX_DEPTH)
		L.lim.max_depth = HARD_MAX_DEPTH;
	if (!L.lim.max_nodes)
		L.lim.max_nodes = DEFAULT_MAX_NODES;
	if (!L.lim.max_scalar_bytes)
		L.lim.max_scalar_bytes = DEFAULT_MAX_SCALAR;

	if (src->len > L.lim.max_file_bytes) {
		error_at(&L, loc_at(&L, 0), "file too large (%zu bytes; limit %zu)",
			 src->len, L.lim.max_file_bytes);
		return NULL;
	}
	if (!check_text(&L))
		return NULL;
	L.seed = random_seed();
	L.anchor_names.seed = L.seed;

	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		error_at(&L, loc_at(&L, 0), "out of memory while parsing YAML");
		return NULL;
	}
	/* libyaml skips a leading BOM and starts counting after it (setting
	 * the encoding instead would count it as indentation) */
	if (src->len >= 3 && memcmp(src->text, "\xef\xbb\xbf", 3) == 0)
		L.bo = 3;
	yaml_parser_set_input_string(&p, (const unsigned char *)src->text, src->len);
	L.p = &p;
	ynode *root = parse(&L);
	yaml_parser_delete(&p);
	return root;
}

srcloc yaml_scalar_loc(const ynode *n, size_t off)
{
	srcloc none = { 0 };
	if (!n)
		return none;
	if (n->kind != YN_SCALAR || !n->offmap || !n->loc.src) {
		srcloc l = n->loc;
		l.len = 1;
		return l;
	}
	if (off > n->len)
		off = n->len;
	srcloc l = source_loc_at(n->loc.src, n->offmap[off]);
	l.len = 1;
	return l;
}

const ypair *ynode_get(const ynode *map, const char *key)
{
	if (!map || map->kind != YN_MAP)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i < map->npairs; i++) {
		const ynode *k = map->pairs[i].key;
		if (k->len == len && memcmp(k->str, key, len) == 0)
			return &map->pairs[i];
	}
	return NULL;
}

const char *ynode_kind_name(const ynode *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case YN_MAP: return "mapping";
	case YN_SEQ: return "sequence";
	case YN_SCALAR: return "scalar";
	}
	return "node";
}
