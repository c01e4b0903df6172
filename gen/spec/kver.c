#include "kver.h"

#include <string.h>

static const char *num(const char *s, unsigned *out)
{
	if (*s < '0' || *s > '9')
		return NULL;
	unsigned x = 0;
	while (*s >= '0' && *s <= '9') {
		if (x > 100000)
			return NULL;
		x = x * 10 + (unsigned)(*s++ - '0');
	}
	*out = x;
	return s;
}

/* "X.Y" or "X.Y.Z"; *end is what follows. */
static bool version(const char *s, unsigned v[3], const char **end)
{
	v[0] = v[1] = v[2] = 0;
	if (!(s = num(s, &v[0])) || *s != '.' || !(s = num(s + 1, &v[1])))
		return false;
	if (*s == '.' && s[1] >= '0' && s[1] <= '9')
		s = num(s + 1, &v[2]);
	*end = s;
	return s != NULL;
}

/* The version ends the release or is followed by what distributions put
 * after it: "-957.27.2.el7.x86_64", "-91-generic", "+deb12-cloud-amd64",
 * ".el7", "_1", "~bpo12" ("6.1abc" is no release). */
bool kver_parse(const char *release, unsigned v[3])
{
	const char *end;
	return version(release, v, &end) && (!*end || strchr("-+._~", *end));
}

bool kver_range_parse(const char *text, kver_range *r)
{
	memset(r, 0, sizeof *r);
	const char *s = text;
	for (;;) {
		while (*s == ' ')
			s++;
		if (r->n == 2)
			return false;
		kver_cond *c = &r->c[r->n++];
		if (!strncmp(s, "<=", 2))
			c->cmp = -1, s += 2;
		else if (!strncmp(s, ">=", 2))
			c->cmp = 1, s += 2;
		else if (!strncmp(s, "==", 2))
			c->cmp = 0, s += 2;
		else if (*s == '<')
			c->cmp = -2, s++;
		else if (*s == '>')
			c->cmp = 2, s++;
		else if (*s == '=')
			c->cmp = 0, s++;
		else
			return false;
		while (*s == ' ')
			s++;
		const char *end;
		if (!version(s, c->ver, &end))
			return false;
		s = end;
		while (*s == ' ')
			s++;
		if (!*s)
			return true;
		if (*s != ',')
			return false;
		s++;
	}
}

static int vcmp(const unsigned a[3], const unsigned b[3])
{
	for (int i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

bool kver_range_match(const kver_range *r, const unsigned v[3])
{
	for (unsigned i = 0; i < r->n; i++) {
		int c = vcmp(v, r->c[i].ver);
		bool ok;
		switch (r->c[i].cmp) {
		case -2: ok = c < 0; break;
		case -1: ok = c <= 0; break;
		case 0: ok = c == 0; break;
		case 1: ok = c >= 0; break;
		default: ok = c > 0; break;
		}
		if (!ok)
			return false;
	}
	return true;
}

void kver_range_stap(strbuf *sb, const kver_range *r)
{
	static const char *const ops[] = { "<", "<=", "==", ">=", ">" };
	for (unsigned i = 0; i < r->n; i++) {
		const kver_cond *c = &r->c[i];
		sb_printf(sb, "%skernel_v %s \"%u.%u", i ? " && " : "", ops[c->cmp + 2], c->ver[0],
			  c->ver[1]);
		if (c->ver[2])
			sb_printf(sb, ".%u", c->ver[2]);
		sb_putc(sb, '"');
	}
}
