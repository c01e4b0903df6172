#include "probe_point.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>

#include "probe_ctx.h"

static int name_char(int c)
{
	return isalnum(c) || c == '_' || c == '*';
}

size_t probe_point_validate(const char *s, size_t len, const char **why)
{
	size_t i = 0;
	if (len == 0) {
		*why = "empty probe point";
		return 1;
	}
	for (;;) {
		size_t start = i;
		/* `@param(NAME)` first: a whole probe point the command's option gives */
		if (start == 0 && len > 7 && !memcmp(s, "@param(", 7)) {
			i = 7;
			while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
				i++;
			if (i == 7 || !isalpha((unsigned char)s[7])) {
				*why = "expected a parameter name in @param(...)";
				return i + 1;
			}
			if (i >= len || s[i] != ')') {
				*why = "expected ')' after the @param name";
				return i + 1;
			}
			i++;
			goto next;
		}
		while (i < len && name_char((unsigned char)s[i]))
			i++;
		if (i == start) {
			*why = "expected a probe point component name";
			return i + 1;
		}
		if (i < len && s[i] == '(') {
			i++;
			if (len - i > 7 && !memcmp(s + i, "@param(", 7)) {
				i += 7;
				size_t ns = i;
				while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
					i++;
				if (i == ns || !isalpha((unsigned char)s[ns])) {
					*why = "expected a parameter name in @param(...)";
					return i + 1;
				}
				if (i >= len || s[i] != ')') {
					*why = "expected ')' after the @param name";
					return i + 1;
				}
				i++;
			} else if (i < len && s[i] == '"') {
				i++;
				while (i < len && s[i] != '"') {
					unsigned char c = (unsigned char)s[i];
					if (c == '\\' || c < 0x20 || c >= 0x7f) {
						*why = "character not allowed in a probe point string";
						return i + 1;
					}
					i++;
				}
				if (i >= len) {
					*why = "unterminated string in probe point";
					return i + 1;
				}
				i++;
			} else {
				size_t ds = i;
				while (i < len && (isalnum((unsigned char)s[i])))
					i++;
				if (i == ds) {
					*why = "expected a \"string\" or a number";
					return i + 1;
				}
			}
			if (i >= len || s[i] != ')') {
				*why = "expected ')'";
				return i + 1;
			}
			i++;
		}
	next:
		if (i == len)
			return 0;
		if (s[i] == '?' && i + 1 == len)
			return 0;
		if (s[i] != '.') {
			*why = "unexpected character in probe point";
			return i + 1;
		}
		i++;
	}
}

const char *probe_point_param(const char *s, const char **name, size_t *nlen)
{
	bool str = false;
	for (; *s; s++) {
		if (*s == '"')
			str = !str;
		else if (!str && !strncmp(s, "@param(", 7)) {
			*name = s + 7;
			*nlen = strcspn(*name, ")");
			return s;
		}
	}
	return NULL;
}

const char *probe_point_param_value_bad(const char *v)
{
	if (!*v)
		return "it is empty";
	if (strlen(v) > PP_PARAM_MAX)
		return "it is longer than 256 bytes";
	if (v[strspn(v, PP_PARAM_CHARS)])
		return "it holds a character outside A-Z a-z 0-9 _ * ? . @ / : + -";
	return NULL;
}

const char *probe_point_value_bad(const char *v)
{
	const char *why;
	if (!*v)
		return "it is empty";
	if (strlen(v) > PP_PARAM_MAX)
		return "it is longer than 256 bytes";
	if (v[strspn(v, PP_POINT_CHARS)])
		return "it holds a character outside A-Z a-z 0-9 _ * ? . @ / : + - \" ( )";
	if (strchr(v, '@'))
		return "a parameter cannot stand inside it";
	if (probe_point_validate(v, strlen(v), &why))
		return why;
	if (v[strlen(v) - 1] == '?')
		return "it cannot end in '?'";
	return NULL;
}

static int starts(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static int ends(const char *s, const char *p)
{
	size_t n = strlen(s), m = strlen(p);
	if (n && s[n - 1] == '?')
		n--;
	return n >= m && strncmp(s + n - m, p, m) == 0;
}

static const probe_family families[] = {
#define PF(prefix, contains, kind, ctx, ret, needs, what, example) \
	{ prefix, contains, kind, ctx, ret, needs, what, example },
#include "../tables/probe_families.def"
#undef PF
};

unsigned probe_family_count(void)
{
	return sizeof families / sizeof *families;
}

const probe_family *probe_family_at(unsigned i)
{
	return i < probe_family_count() ? &families[i] : NULL;
}

const probe_family *probe_point_family(const char *s)
{
	unsigned n = probe_family_count();
	for (unsigned i = 0; i + 1 < n; i++)
		if (starts(s, families[i].prefix) &&
		    (!families[i].contains || strstr(s, families[i].contains)))
			return &families[i];
	return &families[n - 1];	/* "": every other point */
}

int probe_point_is_alias(const char *s)
{
	return probe_point_family(s)->kind == PF_ALIAS;
}

unsigned probe_point_ctx(const char *s)
{
	const probe_family *f = probe_point_family(s);
	return ends(s, ".return") ? f->ctx_return : f->ctx;
}
