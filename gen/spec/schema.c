#include "schema.h"

#include "../util/strbuf.h"
#include "../util/text.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static srcloc whole(const ynode *n)
{
	srcloc l = n->loc;
	if (n->kind == YN_SCALAR && n->len && n->style == YS_PLAIN && n->len < 200)
		l.len = (unsigned)n->len;
	return l;
}

void schema_check_keys(schema_ctx *c, const ynode *map, const char *what,
		       const char *const *allowed)
{
	size_t n = 0;
	while (allowed[n])
		n++;
	for (size_t i = 0; i < map->npairs; i++) {
		const ynode *k = map->pairs[i].key;
		bool ok = false;
		for (size_t j = 0; j < n && !ok; j++)
			ok = strcmp(k->str, allowed[j]) == 0;
		if (ok)
			continue;
		const char *sug = diag_suggest(k->str, allowed, n);
		if (sug)
			diag_error(c->d, whole(k), "unknown key '%s' in %s; did you mean '%s'?",
				   k->str, what, sug);
		else {
			strbuf sb = STRBUF_INIT;
			for (size_t j = 0; j < n; j++)
				sb_printf(&sb, "%s%s", j ? ", " : "", allowed[j]);
			diag_error(c->d, whole(k), "unknown key '%s' in %s (expected one of: %s)",
				   k->str, what, sb_str(&sb));
			sb_free(&sb);
		}
	}
}

bool schema_is_map(schema_ctx *c, const ynode *n, const char *what)
{
	if (n->kind == YN_MAP)
		return true;
	diag_error(c->d, whole(n), "%s must be a mapping, not a %s", what,
		   ynode_kind_name(n));
	return false;
}

bool schema_require(schema_ctx *c, const ynode *map, const char *key, const char *what)
{
	if (ynode_get(map, key))
		return true;
	diag_error(c->d, map->loc, "%s is missing required key '%s'", what, key);
	return false;
}

const char *schema_string(schema_ctx *c, const ynode *n, const char *what)
{
	if (n->kind != YN_SCALAR) {
		diag_error(c->d, whole(n), "%s must be a string, not a %s", what,
			   ynode_kind_name(n));
		return NULL;
	}
	if (memchr(n->str, '\0', n->len)) {
		diag_error(c->d, whole(n), "%s contains a NUL byte", what);
		return NULL;
	}
	return n->str;
}

bool schema_int(schema_ctx *c, const ynode *n, const char *what, int64_t *out)
{
	if (n->kind != YN_SCALAR || n->style != YS_PLAIN || n->len == 0) {
		diag_error(c->d, whole(n), "%s must be an integer", what);
		return false;
	}
	char *end;
	errno = 0;
	long long v = strtoll(n->str, &end, 0);
	if (*end || errno == ERANGE || !(isdigit((unsigned char)n->str[0]) ||
					 n->str[0] == '-')) {
		diag_error(c->d, whole(n), "%s must be an integer, not '%s'", what, n->str);
		return false;
	}
	*out = v;
	return true;
}

bool schema_bool(schema_ctx *c, const ynode *n, const char *what, bool *out)
{
	if (n->kind == YN_SCALAR && n->style == YS_PLAIN) {
		if (!strcmp(n->str, "true")) {
			*out = true;
			return true;
		}
		if (!strcmp(n->str, "false")) {
			*out = false;
			return true;
		}
	}
	diag_error(c->d, whole(n), "%s must be true or false", what);
	return false;
}

bool schema_duration(schema_ctx *c, const ynode *n, const char *what, int64_t *ms)
{
	if (n->kind != YN_SCALAR || n->len == 0 || !isdigit((unsigned char)n->str[0]))
		goto bad;
	char *end;
	errno = 0;
	long long v = strtoll(n->str, &end, 10);
	if (errno == ERANGE || v > 100000000LL)
		goto bad;
	int64_t mult;
	if (!strcmp(end, "ms"))
		mult = 1;
	else if (!strcmp(end, "s"))
		mult = 1000;
	else if (!strcmp(end, "m"))
		mult = 60000;
	else if (!strcmp(end, "h"))
		mult = 3600000;
	else if (!*end) {
		diag_error(c->d, whole(n), "%s '%s' needs a unit: ms, s, m or h (e.g. %ss)",
			   what, n->str, n->str);
		return false;
	} else
		goto bad;
	if (v == 0) {
		diag_error(c->d, whole(n), "%s must be greater than zero", what);
		return false;
	}
	*ms = v * mult;
	return true;
bad:
	diag_error(c->d, whole(n), "%s must be a duration such as 5s or 200ms", what);
	return false;
}

int schema_enum(schema_ctx *c, const ynode *n, const char *what,
		const char *const *choices)
{
	size_t k = 0;
	while (choices[k])
		k++;
	if (n->kind == YN_SCALAR)
		for (size_t i = 0; i < k; i++)
			if (!strcmp(n->str, choices[i]))
				return (int)i;
	strbuf sb = STRBUF_INIT;
	for (size_t i = 0; i < k; i++)
		sb_printf(&sb, "%s%s", i ? ", " : "", choices[i]);
	const char *sug = n->kind == YN_SCALAR ? diag_suggest(n->str, choices, k) : NULL;
	if (sug)
		diag_error(c->d, whole(n), "invalid %s '%s'; did you mean '%s'?", what,
			   n->str, sug);
	else
		diag_error(c->d, whole(n), "invalid %s (expected one of: %s)", what, sb_str(&sb));
	sb_free(&sb);
	return -1;
}

static const char *const stap_keywords[] = {
#define KW(w) w,
#include "../tables/keywords.def"
#undef KW
	NULL,
};

static const struct tapset_global {
	const char *name;
	bool constant;	/* public, set to an integer literal: readable by name */
} tapset_globals[] = {
#define TG(n, k) { n, k },
#include "../tables/tapset_globals.def"
#undef TG
};

static int cmp_global(const void *a, const void *b)
{
	return strcmp((const char *)a, ((const struct tapset_global *)b)->name);
}

static const struct tapset_global *tapset_global(const char *s)
{
	return bsearch(s, tapset_globals, sizeof tapset_globals / sizeof tapset_globals[0],
		       sizeof tapset_globals[0], cmp_global);
}

bool stap_is_tapset_global(const char *s)
{
	return tapset_global(s) != NULL;
}

bool stap_is_tapset_constant(const char *s)
{
	const struct tapset_global *g = tapset_global(s);
	return g && g->constant;
}

bool stap_is_keyword(const char *s)
{
	for (size_t i = 0; stap_keywords[i]; i++)
		if (!strcmp(s, stap_keywords[i]))
			return true;
	return false;
}

bool schema_ident(schema_ctx *c, const ynode *n, const char *what, const char **out)
{
	const char *s = schema_string(c, n, what);
	if (!s)
		return false;
	size_t len = n->len;
	bool ok = len > 0 && len <= 64 && isalpha((unsigned char)s[0]);
	for (size_t i = 1; ok && i < len; i++)
		ok = isalnum((unsigned char)s[i]) || s[i] == '_';
	if (!ok) {
		if (len && s[0] == '_')
			diag_error(c->d, whole(n), "%s '%.64s' may not start with '_' (reserved for generated names)",
				   what, s);
		else
			diag_error(c->d, whole(n), "%s '%.64s' is not a valid name (letters, digits and '_', starting with a letter, at most 64)",
				   what, s);
		return false;
	}
	if (stap_is_keyword(s)) {
		diag_error(c->d, whole(n), "%s '%s' is a SystemTap keyword", what, s);
		return false;
	}
	/* A script name equal to a tapset global would silently alias it. */
	if (stap_is_tapset_global(s)) {
		diag_error(c->d, whole(n), "%s '%s' is a global variable of the SystemTap tapsets; choose another name",
			   what, s);
		return false;
	}
	*out = s;
	return true;
}

const ynode *const *schema_list(schema_ctx *c, const ynode *n, size_t *count)
{
	if (n->kind == YN_SEQ) {
		*count = n->nitems;
		return (const ynode *const *)n->items;
	}
	const ynode **one = arena_alloc(c->a, sizeof *one);
	one[0] = n;
	*count = 1;
	return one;
}

const char *schema_line(schema_ctx *c, const ynode *n, const char *what)
{
	const char *s = schema_string(c, n, what);
	if (!s)
		return NULL;
	/* it reaches terminals (the tool's -h, table headers, diagnostics):
	 * no control characters (C0, DEL, C1 such as CSI) and no
	 * bidirectional controls, which reorder the text after them */
	size_t bad = text_find_unsafe(s, n->len);
	if (bad < n->len) {
		unsigned long cp = (unsigned char)s[bad];
		text_utf8(s, bad, n->len, &cp);
		diag_error(c->d, yaml_scalar_loc(n, bad),
			   "%s must be one line of text without control characters (U+%04lX)%s", what, cp,
			   cp > 0x9F ? ": a bidirectional control reorders what a terminal shows" : "");
		return NULL;
	}
	if (n->len > 200) {
		diag_error(c->d, n->loc, "%s is longer than 200 bytes", what);
		return NULL;
	}
	return s;
}

const char *schema_text(schema_ctx *c, const ynode *n, const char *what)
{
	const char *s = schema_string(c, n, what);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n->len;) {
		size_t bad = text_find_unsafe(s + i, n->len - i) + i;
		if (bad >= n->len)
			break;
		if (s[bad] == '\n' || s[bad] == '\t') {
			i = bad + 1;
			continue;
		}
		unsigned long cp = (unsigned char)s[bad];
		text_utf8(s, bad, n->len, &cp);
		diag_error(c->d, yaml_scalar_loc(n, bad),
			   "%s may hold line breaks and tabs but no other control characters (U+%04lX)%s", what,
			   cp, cp > 0x9F ? ": a bidirectional control reorders what a terminal shows" : "");
		return NULL;
	}
	return s;
}
