#include "explain.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../util/arena.h"
#include "../util/diag.h"
#include "../util/source.h"
#include "../util/strbuf.h"

typedef struct map_entry {
	unsigned l0, c0, l1, c1;	/* script range */
	const char *path;		/* spec file */
	unsigned line, col, len;
} map_entry;

typedef struct spec_file {
	const char *path;
	source *src;
} spec_file;

static int load_map(arena *a, const char *path, ptrvec *entries)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return -1;
	char buf[4096];
	while (fgets(buf, sizeof buf, f)) {
		map_entry *m = arena_alloc(a, sizeof *m);
		char file[4096];
		if (sscanf(buf, "%u:%u-%u:%u\t%4095[^:]:%u:%u:%u", &m->l0, &m->c0, &m->l1, &m->c1,
			   file, &m->line, &m->col, &m->len) != 8)
			continue;
		m->path = arena_strdup(a, file);
		ptrvec_push(a, entries, m);
	}
	fclose(f);
	return 0;
}

static int before(unsigned l, unsigned c, unsigned l2, unsigned c2)
{
	return l < l2 || (l == l2 && c < c2);
}

/* The narrowest mapped range holding (line, col). */
static const map_entry *lookup(const ptrvec *entries, unsigned line, unsigned col)
{
	const map_entry *best = NULL;
	for (size_t i = 0; i < entries->len; i++) {
		const map_entry *m = entries->items[i];
		if (before(line, col, m->l0, m->c0) || !before(line, col, m->l1, m->c1))
			continue;
		if (!best || before(best->l0, best->c0, m->l0, m->c0) ||
		    (m->l1 < best->l1 || (m->l1 == best->l1 && m->c1 < best->c1)))
			best = m;
	}
	return best;
}

static source *spec_source(arena *a, ptrvec *files, const char *path)
{
	for (size_t i = 0; i < files->len; i++) {
		spec_file *f = files->items[i];
		if (!strcmp(f->path, path))
			return f->src;
	}
	spec_file *f = arena_alloc(a, sizeof *f);
	f->path = arena_strdup(a, path);
	FILE *fp = fopen(path, "rb");
	if (fp) {
		strbuf sb = STRBUF_INIT;
		char buf[8192];
		size_t n;
		while ((n = fread(buf, 1, sizeof buf, fp)) > 0 && sb.len < (1u << 20))
			sb_putn(&sb, buf, n);
		fclose(fp);
		char *text = arena_strndup(a, sb_str(&sb), sb.len);
		f->src = source_new(a, f->path, text, sb.len);
		sb_free(&sb);
	}
	ptrvec_push(a, files, f);
	return f->src;
}

/* stap names the member, function or variable it could not resolve in
 * quotes; point at it inside the spec expression when it is there. */
static srcloc refine(const source *src, srcloc loc, const char *msg)
{
	const char *q = strchr(msg, '\'');
	if (!q)
		return loc;
	const char *e = strchr(q + 1, '\'');
	if (!e || e == q + 1 || e - q > 128)
		return loc;
	char name[130];
	size_t n = (size_t)(e - q - 1);
	memcpy(name, q + 1, n);
	name[n] = '\0';
	size_t len;
	const char *line = source_line(src, loc.line, &len);
	size_t from = loc.col ? loc.col - 1 : 0;
	for (size_t i = from; i + n <= len; i++)
		if (!memcmp(line + i, name, n)) {
			srcloc r = loc;
			r.col = (unsigned)i + 1;
			r.len = (unsigned)n;
			return r;
		}
	return loc;
}

int explain_stap_errors(const char *map_path, FILE *in, FILE *out)
{
	arena a;
	arena_init(&a);
	ptrvec entries = { 0 }, files = { 0 };
	if (load_map(&a, map_path, &entries)) {
		arena_free(&a);
		return -1;
	}
	/* the script the map belongs to: <tool>.stp for <tool>.stp.map */
	const char *base = strrchr(map_path, '/');
	base = base ? base + 1 : map_path;
	size_t blen = strlen(base);
	if (blen > 4 && !strcmp(base + blen - 4, ".map"))
		blen -= 4;
	base = arena_strndup(&a, base, blen);
	diag_sink d;
	diag_init(&d, out);
	int mapped = 0;
	char buf[8192];
	while (fgets(buf, sizeof buf, in)) {
		buf[strcspn(buf, "\n")] = '\0';
		/* "...: operator '->' at /path/tool.stp:27:40" */
		char *at = strstr(buf, " at ");
		char *p = at;
		while (p && !(strstr(p + 4, base) && strchr(p + 4, ':')))
			p = strstr(p + 4, " at ");
		if (!p)
			continue;
		char *loc = strstr(p + 4, base);
		if (!loc || strncmp(loc + blen, ":", 1))
			continue;
		unsigned line, col;
		if (sscanf(loc + blen + 1, "%u:%u", &line, &col) != 2)
			continue;
		const map_entry *m = lookup(&entries, line, col);
		if (!m)
			continue;
		*p = '\0';	/* keep stap's message, not its script location */
		char *msg = buf;
		if (!strncmp(msg, "semantic error: ", 16))
			msg += 16;
		char *op = strstr(msg, ": operator");
		if (!op)
			op = strstr(msg, ": identifier");
		if (op && op != msg)
			*op = '\0';
		/* "(alternatives: a, b, ...)" lists every member: name the closest */
		char *alt = strstr(msg, " (alternatives: ");
		char *suggestion = NULL;
		if (alt) {
			const char *q = strchr(msg, '\'');
			const char *qe = q ? strchr(q + 1, '\'') : NULL;
			char *list = alt + 16;
			char *close = strchr(list, ')');
			if (close)
				*close = '\0';
			*alt = '\0';
			if (q && qe && qe - q < 128) {
				char want[130];
				memcpy(want, q + 1, (size_t)(qe - q - 1));
				want[qe - q - 1] = '\0';
				const char *cands[512];
				size_t nc = 0;
				for (char *tok = strtok(list, ", "); tok && nc < 512; tok = strtok(NULL, ", "))
					cands[nc++] = tok;
				const char *best = diag_suggest(want, cands, nc);
				if (best)
					suggestion = arena_strdup(&a, best);
			}
		}
		if (suggestion)
			msg = arena_printf(&a, "%s; did you mean '%s'?", msg, suggestion);
		source *src = spec_source(&a, &files, m->path);
		srcloc sl = { src, m->line, m->col, m->len };
		if (src)
			sl = refine(src, sl, msg);
		if (src)
			diag_error(&d, sl, "stap: %s", msg);
		else
			fprintf(out, "%s:%u:%u: error: stap: %s\n", m->path, m->line, m->col, msg);
		mapped++;
	}
	arena_free(&a);
	return mapped;
}
