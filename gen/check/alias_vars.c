#include "alias_vars.h"

#include <stdlib.h>
#include <string.h>

typedef struct alias_entry {
	const char *name, *vars;
} alias_entry;

static const alias_entry table[] = {
#define ALIAS(n, v) { n, v },
#include "../tables/alias_vars.def"
#undef ALIAS
};

static int cmp(const void *k, const void *e)
{
	return strcmp((const char *)k, ((const alias_entry *)e)->name);
}

const char *alias_vars(const char *alias)
{
	char name[256];
	size_t n = strlen(alias);
	if (n >= sizeof name)
		return NULL;
	memcpy(name, alias, n + 1);
	if (n && name[n - 1] == '?')	/* optional marker is not part of the name */
		name[n - 1] = '\0';
	const alias_entry *e = bsearch(name, table, sizeof table / sizeof table[0],
				       sizeof table[0], cmp);
	return e ? e->vars : NULL;
}

bool alias_has_var(const char *vars, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = vars; (p = strstr(p, name)); p += n)
		if ((p == vars || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
	return false;
}

size_t alias_var_list(const char *vars, const char **out, size_t max, char *buf, size_t bufsz)
{
	size_t n = strlen(vars), k = 0;
	if (n >= bufsz)
		n = bufsz - 1;
	memcpy(buf, vars, n);
	buf[n] = '\0';
	for (char *tok = strtok(buf, " "); tok && k < max; tok = strtok(NULL, " "))
		out[k++] = tok;
	return k;
}
