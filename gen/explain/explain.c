#include "explain.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../util/arena.h"
#include "../util/diag.h"
#include "../util/source.h"
#include "../util/strbuf.h"
#include "../util/text.h"

typedef struct map_entry {
	unsigned l0, c0, l1, c1;	/* script range */
	const char *path;		/* spec file */
	unsigned line, col, len;
} map_entry;

typedef struct spec_file {
	const char *path;
	source *src;
} spec_file;

/* A regular file of at most max bytes into out.  Anything else -- a
 * directory, a FIFO (opened without blocking: nobody may be writing),
 * /dev/zero, a file over the limit -- is refused: -1, the reason in *why. */
static int read_regular(const char *path, size_t max, strbuf *out, const char **why)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		*why = strerror(errno);
		return -1;
	}
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		*why = S_ISDIR(st.st_mode) ? "is a directory" : "not a regular file";
		close(fd);
		return -1;
	}
	if ((unsigned long long)st.st_size > max) {
		*why = "too large";
		close(fd);
		return -1;
	}
	char buf[65536];
	for (;;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			*why = strerror(errno);
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		if (out->len + (size_t)r > max) {	/* it grew while we read */
			*why = "too large";
			close(fd);
			return -1;
		}
		sb_putn(out, buf, (size_t)r);
	}
	close(fd);
	return 0;
}

/* Map lines: "L0:C0-L1:C1<TAB>SPEC:LINE:COL:LEN"; others are skipped. */
static void parse_map(arena *a, const char *text, size_t len, ptrvec *entries)
{
	char line[4096], file[4096];
	for (size_t i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;
		if (n < sizeof line) {
			memcpy(line, text + i, n);
			line[n] = '\0';
			map_entry m;
			if (sscanf(line, "%u:%u-%u:%u\t%4095[^:]:%u:%u:%u", &m.l0, &m.c0, &m.l1, &m.c1,
				   file, &m.line, &m.col, &m.len) == 8) {
				map_entry *e = arena_alloc(a, sizeof *e);
				*e = m;
				e->path = arena_strdup(a, file);
				ptrvec_push(a, entries, e);
			}
		}
		i += n + 1;
	}
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

/* The spec a map entry names, read once; NULL (shown without an excerpt)
 * when it is not a regular file within the generator's spec limit, or
 * after EXPLAIN_MAX_SPECS different files. */
static source *spec_source(arena *a, ptrvec *files, const char *path)
{
	for (size_t i = 0; i < files->len; i++) {
		spec_file *f = files->items[i];
		if (!strcmp(f->path, path))
			return f->src;
	}
	if (files->len >= EXPLAIN_MAX_SPECS)
		return NULL;
	spec_file *f = arena_alloc(a, sizeof *f);
	f->path = arena_strdup(a, path);
	strbuf sb = STRBUF_INIT;
	const char *why;
	if (!read_regular(path, EXPLAIN_MAX_SPEC_BYTES, &sb, &why)) {
		char *text = arena_strndup(a, sb_str(&sb), sb.len);
		f->src = source_new(a, f->path, text, sb.len);
	}
	sb_free(&sb);
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

/* One line of stap's stderr into buf (NUL-terminated, without the '\n'):
 * 1, or 0 at the end of the input, -1 past EXPLAIN_MAX_INPUT_BYTES.  A line
 * longer than cap - 1 bytes is read to its end and *over set. */
static int read_line(FILE *in, char *buf, size_t cap, size_t *total, int *over)
{
	size_t n = 0;
	int c, any = 0;
	*over = 0;
	while ((c = getc_unlocked(in)) != EOF) {
		any = 1;
		if (++*total > EXPLAIN_MAX_INPUT_BYTES)
			return -1;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = (char)c;
		else
			*over = 1;
	}
	buf[n] = '\0';
	return any;
}

static int explain(const ptrvec *entries, const char *base, FILE *in, FILE *out, arena *a)
{
	size_t blen = strlen(base);
	ptrvec files = { 0 };
	diag_sink d;
	diag_init(&d, out);
	int mapped = 0, rc, over;
	unsigned located = 0;
	size_t total = 0;
	char *buf = malloc(EXPLAIN_MAX_LINE + 1);
	strbuf msgb = STRBUF_INIT;
	if (!buf) {
		fputs("stapgen: error: out of memory\n", stderr);
		return -1;
	}
	while (d.errors <= d.max_errors &&
	       (rc = read_line(in, buf, EXPLAIN_MAX_LINE + 1, &total, &over)) > 0) {
		if (over)
			continue;	/* not stap's: its lines are short */
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
		if (++located > EXPLAIN_MAX_LOCATED) {
			fprintf(out, "stapgen: more than %d lines name a place in the script, stopping\n",
				EXPLAIN_MAX_LOCATED);
			break;
		}
		const map_entry *m = lookup(entries, line, col);
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
		const char *suggestion = NULL;
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
				char *save = NULL;
				for (char *tok = strtok_r(list, ", ", &save); tok && nc < 512;
				     tok = strtok_r(NULL, ", ", &save))
					cands[nc++] = tok;
				suggestion = diag_suggest(want, cands, nc);
			}
		}
		sb_reset(&msgb);
		sb_puts(&msgb, msg);
		if (suggestion)
			sb_printf(&msgb, "; did you mean '%s'?", suggestion);
		source *src = spec_source(a, &files, m->path);
		srcloc sl = { src, m->line, m->col, m->len };
		if (src) {
			sl = refine(src, sl, sb_str(&msgb));
			diag_error(&d, sl, "stap: %s", sb_str(&msgb));
		} else {
			/* as diag_error would, without the excerpt */
			if (++d.errors > d.max_errors) {
				fputs("stapgen: too many errors, stopping output\n", out);
				break;
			}
			text_fputs(out, m->path);
			fprintf(out, ":%u:%u: error: stap: ", m->line, m->col);
			text_fputs(out, sb_str(&msgb));
			fputc('\n', out);
		}
		mapped++;
	}
	free(buf);
	sb_free(&msgb);
	if (rc < 0) {
		fprintf(stderr, "stapgen: error: stap's output is larger than %u bytes; stopped reading\n",
			EXPLAIN_MAX_INPUT_BYTES);
		return -1;
	}
	return mapped;
}

int explain_stap_errors_map(const char *map_text, size_t map_len, const char *script, FILE *in,
			    FILE *out)
{
	arena a;
	arena_init(&a);
	ptrvec entries = { 0 };
	parse_map(&a, map_text, map_len, &entries);
	int n = explain(&entries, script, in, out, &a);
	arena_free(&a);
	return n;
}

int explain_stap_errors(const char *map_path, FILE *in, FILE *out)
{
	strbuf map = STRBUF_INIT;
	const char *why;
	if (read_regular(map_path, EXPLAIN_MAX_MAP_BYTES, &map, &why)) {
		strbuf shown = STRBUF_INIT;
		text_escape(&shown, map_path, strlen(map_path), false);
		if (!strcmp(why, "too large"))
			fprintf(stderr, "stapgen: error: source map %s is larger than %u bytes\n",
				sb_str(&shown), EXPLAIN_MAX_MAP_BYTES);
		else
			fprintf(stderr, "stapgen: error: cannot read source map %s: %s\n", sb_str(&shown),
				why);
		sb_free(&shown);
		sb_free(&map);
		return -1;
	}
	/* the script the map belongs to: <tool>.stp for <tool>.stp.map */
	const char *base = strrchr(map_path, '/');
	base = base ? base + 1 : map_path;
	size_t blen = strlen(base);
	if (blen > 4 && !strcmp(base + blen - 4, ".map"))
		blen -= 4;
	char *script = strndup(base, blen);
	int n = script ? explain_stap_errors_map(sb_str(&map), map.len, script, in, out) : -1;
	free(script);
	sb_free(&map);
	return n;
}
