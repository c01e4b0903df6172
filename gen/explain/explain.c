#include "explain.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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

/* A location "FILE:LINE:COL" after one of the line's " at "s; FILE may be
 * empty: stap then means the file it named last.  *at points at " at ". */
static int find_loc(const char *s, char *file, size_t cap, unsigned *line, unsigned *col,
		    const char **at)
{
	for (const char *p = strstr(s, " at "); p; p = strstr(p + 4, " at ")) {
		const char *t = p + 4, *e = t;
		while (*e && *e != ' ' && *e != '\t')
			e++;
		/* the last two ':'-separated fields are the line and column */
		const char *c2 = e;
		while (c2 > t && c2[-1] != ':')
			c2--;
		if (c2 == t)
			continue;
		const char *c1 = c2 - 1;
		while (c1 > t && c1[-1] != ':')
			c1--;
		if (c1 == t || (size_t)(c1 - 1 - t) >= cap)
			continue;
		char *end;
		unsigned long l = strtoul(c1, &end, 10), c;
		if (end != c2 - 1 || end == c1)
			continue;
		c = strtoul(c2, &end, 10);
		if (end != e || end == c2 || l > 10000000 || c > 10000000)
			continue;
		memcpy(file, t, (size_t)(c1 - 1 - t));
		file[c1 - 1 - t] = '\0';
		*line = (unsigned)l;
		*col = (unsigned)c;
		*at = p;
		return 1;
	}
	return 0;
}

/* file is the script: "tool.stp" or ".../tool.stp" */
static int is_script(const char *file, const char *base)
{
	size_t fl = strlen(file), bl = strlen(base);
	return fl >= bl && !strcmp(file + fl - bl, base) && (fl == bl || file[fl - bl - 1] == '/');
}

typedef struct tapset_file {
	const char *path;
	const char *text;	/* NULL: not readable */
	size_t len;
} tapset_file;

#define EXPLAIN_MAX_TAPSETS 8
#define EXPLAIN_MAX_TAPSET_BYTES (1u << 20)

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* The definitions of one tapset file: each `function NAME` or `probe NAME
 * =` (its '=' on its line or the next) from its header line up to a `}` in
 * column 1 or the next `function`/`probe` header.  fn(ctx, is_alias, name,
 * name_len, def, def_len) for each, def starting at its header line. */
typedef void (*def_fn)(void *ctx, int is_alias, const char *name, size_t nlen, const char *body, size_t blen);

static void each_def(const tapset_file *f, def_fn fn, void *ctx)
{
	const char *s = f->text, *end = s + f->len;
	const char *name = NULL, *body = NULL;
	size_t nlen = 0;
	int alias = 0;
	while (s < end) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *p = s;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		int isfn = le - p > 9 && !strncmp(p, "function", 8) && (p[8] == ' ' || p[8] == '\t');
		int ispr = le - p > 6 && !strncmp(p, "probe", 5) && (p[5] == ' ' || p[5] == '\t');
		if ((isfn || ispr || *s == '}') && name) {
			fn(ctx, alias, name, nlen, body, (size_t)(s - body));
			name = NULL;
		}
		if (isfn || ispr) {
			p += isfn ? 9 : 6;
			while (p < le && (*p == ' ' || *p == '\t'))
				p++;
			const char *n0 = p;
			while (p < le && (ident_char(*p) || (ispr && *p == '.')))
				p++;
			const char *q = p;
			while (q < le && (*q == ' ' || *q == '\t'))
				q++;
			/* an alias opens with '=' on its line or the next */
			const char *nx = nl ? nl + 1 : end;
			while (nx < end && (*nx == ' ' || *nx == '\t'))
				nx++;
			int isal = ispr && ((q < le && *q == '=') || (q == le && nx < end && *nx == '='));
			if (p > n0 && (isfn || isal)) {
				name = n0;
				nlen = (size_t)(p - n0);
				body = s;
				alias = isal;
			}
		}
		s = le + 1;
	}
	if (name)
		fn(ctx, alias, name, nlen, body, (size_t)(end - body));
}

typedef struct def_at {
	const char *pos;	/* line_at's place: the definitions come in order */
	unsigned pos_line;
	unsigned line;		/* 1-based */
	char *name;
	size_t cap;
	int *is_alias;
} def_at;

/* The line of `at`, counted on from the last place asked for. */
static unsigned line_at(def_at *d, const char *at)
{
	for (; d->pos < at; d->pos++)
		d->pos_line += *d->pos == '\n';
	return d->pos_line;
}

static void def_holding(void *ctx, int is_alias, const char *name, size_t nlen, const char *def, size_t dlen)
{
	def_at *d = ctx;
	if (line_at(d, def) > d->line || line_at(d, def + dlen) <= d->line || nlen >= d->cap)
		return;
	memcpy(d->name, name, nlen);
	d->name[nlen] = '\0';
	*d->is_alias = is_alias;
}

/* The tapset function or probe alias whose definition holds `line` of a
 * tapset file stap named, into name ("" when none): the last `function N`
 * or `probe N =` header at or before the line, unless a `}` in column 1
 * closed it.  *is_alias tells which. */
static void enclosing_def(arena *a, ptrvec *tapsets, const char *path, unsigned line, char *name,
			  size_t cap, int *is_alias)
{
	name[0] = '\0';
	size_t pl = strlen(path);
	if (pl < 4 || strcmp(path + pl - 4, ".stp"))
		return;	/* macros (.stpm) are expanded where they are used */
	tapset_file *f = NULL;
	for (size_t i = 0; i < tapsets->len && !f; i++)
		if (!strcmp(((tapset_file *)tapsets->items[i])->path, path))
			f = tapsets->items[i];
	if (!f) {
		if (tapsets->len >= EXPLAIN_MAX_TAPSETS)
			return;
		f = arena_alloc(a, sizeof *f);
		f->path = arena_strdup(a, path);
		f->text = NULL;
		f->len = 0;
		strbuf sb = STRBUF_INIT;
		const char *why;
		if (!read_regular(path, EXPLAIN_MAX_TAPSET_BYTES, &sb, &why)) {
			f->text = arena_strndup(a, sb_str(&sb), sb.len);
			f->len = sb.len;
		}
		sb_free(&sb);
		ptrvec_push(a, tapsets, f);
	}
	if (!f->text)
		return;
	def_at d = { f->text, 1, line, name, cap, is_alias };
	name[0] = '\0';
	each_def(f, def_holding, &d);
}

/* What find_use looks for. */
enum { USE_FUNCTION, USE_ALIAS, USE_VARIABLE };

/* Where the spec uses tapset function `name` (followed by '('), alias
 * `name` (also "syscall.x" for "dw_syscall.x") or an alias's variable
 * `name` (a bare name: no '(', '.', '$' or '@' around it): the first mapped
 * range whose text holds it. */
static int find_use(arena *a, const ptrvec *entries, ptrvec *files, const char *name, int mode,
		    srcloc *out)
{
	int alias = mode == USE_ALIAS;
	const char *names[2] = { name, NULL };
	const char *us = strchr(name, '_'), *dot = strchr(name, '.');
	if (alias && us && dot && us < dot)
		names[1] = us + 1;	/* dw_syscall.open -> syscall.open */
	for (size_t i = 0; i < entries->len; i++) {
		const map_entry *m = entries->items[i];
		source *src = spec_source(a, files, m->path);
		if (!src)
			continue;
		size_t len;
		const char *line = source_line(src, m->line, &len);
		if (!line || !m->col || m->col - 1 >= len)
			continue;
		size_t from = m->col - 1, to = from + m->len < len ? from + m->len : len;
		for (int k = 0; k < 2 && names[k]; k++) {
			size_t n = strlen(names[k]);
			for (size_t j = from; j + n <= to; j++) {
				if (memcmp(line + j, names[k], n) || (j > 0 && (ident_char(line[j - 1]) ||
										  line[j - 1] == '.')))
					continue;
				if (mode == USE_VARIABLE && j > 0 && (line[j - 1] == '$' || line[j - 1] == '@'))
					continue;
				char next = j + n < len ? line[j + n] : '\0';
				if (mode == USE_FUNCTION ? next != '(' : ident_char(next) || next == '.' || next == '(')
					continue;
				*out = (srcloc){ src, m->line, (unsigned)j + 1, (unsigned)n };
				return 1;
			}
		}
	}
	return 0;
}

/* ---- following alias variables to the functions that compute them ------
 * An error inside a tapset function the spec never calls by name came in
 * through an alias variable: vfs.read.return sets `devname =
 * __find_bdevname(...)`, which calls bdevname().  The tapset tree the error
 * names (its path up to "/tapset/") is read once, bounded;
 * the functions that reach the failing one are followed (EXPLAIN_MAX_DEPTH
 * calls deep), then the alias bodies' `VAR = ...` lines that call one of
 * them give the variables to look for in the spec. */
#define EXPLAIN_MAX_TREE_FILES 1024
#define EXPLAIN_MAX_TREE_BYTES (16u << 20)
#define EXPLAIN_MAX_DEPTH 4
#define EXPLAIN_MAX_REACH 64

typedef struct tapset_tree {
	const char *root;
	ptrvec files;		/* tapset_file, .stp only */
	size_t bytes;
} tapset_tree;

static void tree_read(arena *a, tapset_tree *t, const char *dir, int depth)
{
	DIR *d = depth <= 3 ? opendir(dir) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d)) && t->files.len < EXPLAIN_MAX_TREE_FILES && t->bytes < EXPLAIN_MAX_TREE_BYTES) {
		if (e->d_name[0] == '.')
			continue;
		char path[4096];
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		struct stat st;
		if (lstat(path, &st))
			continue;
		size_t nl = strlen(e->d_name);
		if (S_ISDIR(st.st_mode)) {
			tree_read(a, t, path, depth + 1);
		} else if (S_ISREG(st.st_mode) && nl > 4 && !strcmp(e->d_name + nl - 4, ".stp")) {
			strbuf sb = STRBUF_INIT;
			const char *why;
			if (!read_regular(path, EXPLAIN_MAX_TAPSET_BYTES, &sb, &why) &&
			    t->bytes + sb.len <= EXPLAIN_MAX_TREE_BYTES) {
				tapset_file *f = arena_alloc(a, sizeof *f);
				f->path = arena_strdup(a, path);
				f->text = arena_strndup(a, sb_str(&sb), sb.len);
				f->len = sb.len;
				t->bytes += sb.len;
				ptrvec_push(a, &t->files, f);
			}
			sb_free(&sb);
		}
	}
	closedir(d);
}

/* Whether s[0..n) calls one of names[] (`NAME (`, not `x.NAME(` or `$NAME`). */
static int calls_any(const char *s, size_t n, char *const *names, size_t nnames)
{
	for (size_t k = 0; k < nnames; k++) {
		size_t m = strlen(names[k]);
		for (size_t i = 0; i + m < n; i++) {
			if (memcmp(s + i, names[k], m) || (i && (ident_char(s[i - 1]) || strchr(".$@", s[i - 1]))))
				continue;
			size_t j = i + m;
			while (j < n && (s[j] == ' ' || s[j] == '\t'))
				j++;
			if (j < n && s[j] == '(')
				return 1;
		}
	}
	return 0;
}

typedef struct reach {
	arena *a;
	char *names[EXPLAIN_MAX_REACH];	/* the failing function and those that call it */
	size_t n;
	int grew;
	char *var;			/* alias variables found: the first one the spec uses wins */
	size_t cap;
	const ptrvec *entries;
	ptrvec *files;
	srcloc *use;
	int found;
} reach;

static void reach_callers(void *ctx, int is_alias, const char *name, size_t nlen, const char *body, size_t blen)
{
	reach *r = ctx;
	if (is_alias || r->n >= EXPLAIN_MAX_REACH || nlen >= 128)
		return;
	for (size_t k = 0; k < r->n; k++)
		if (strlen(r->names[k]) == nlen && !memcmp(r->names[k], name, nlen))
			return;
	if (calls_any(body, blen, r->names, r->n)) {
		r->names[r->n++] = arena_strndup(r->a, name, nlen);
		r->grew = 1;
	}
}

static void reach_vars(void *ctx, int is_alias, const char *name, size_t nlen, const char *body, size_t blen)
{
	reach *r = ctx;
	(void)name;
	(void)nlen;
	if (!is_alias || r->found)
		return;
	for (const char *s = body, *end = body + blen; s < end && !r->found;) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end, *p = s;
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		const char *v0 = p;
		while (p < le && ident_char(*p))
			p++;
		size_t vl = (size_t)(p - v0);
		while (p < le && (*p == ' ' || *p == '\t'))
			p++;
		/* `VAR = EXPR` (not `==`), VAR a public name */
		if (vl && vl < r->cap && vl < 128 && p < le && *p == '=' && (p + 1 == le || p[1] != '=') &&
		    v0[0] != '_' && calls_any(p + 1, (size_t)(le - p - 1), r->names, r->n)) {
			char var[128];
			memcpy(var, v0, vl);
			var[vl] = '\0';
			if (find_use(r->a, r->entries, r->files, var, USE_VARIABLE, r->use)) {
				memcpy(r->var, var, vl + 1);
				r->found = 1;
			}
		}
		s = le + 1;
	}
}

/* A line of stap's as it came, but escaped: tabs are kept. */
static void put_verbatim(FILE *out, const char *s, size_t n)
{
	strbuf b = STRBUF_INIT;
	for (size_t i = 0; i < n; i++) {
		size_t j = i;
		while (j < n && s[j] != '\t')
			j++;
		text_escape(&b, s + i, j - i, false);
		if (j < n)
			sb_putc(&b, '\t');
		i = j;
	}
	fputs(sb_str(&b), out);
	fputc('\n', out);
	sb_free(&b);
}

typedef enum { BK_OTHER, BK_ERROR, BK_WARNING } block_kind;

static block_kind classify(const char *h)
{
	if (!strncmp(h, "WARNING:", 8))
		return BK_WARNING;
	/* "semantic error:", "parse error:", "ERROR:", "... failed with error:" */
	return strcasestr(h, "error:") ? BK_ERROR : BK_OTHER;
}

#define EXPLAIN_MAX_BLOCK 16384	/* lines of one stap message kept to pass it on */
#define EXPLAIN_MAX_WARNINGS 50

typedef struct explainer {
	const ptrvec *entries;
	const char *base;
	ptrvec files, tapsets;
	arena *a;
	diag_sink d;
	FILE *out;
	strbuf block;		/* header line, continuation lines, '\n'-separated */
	size_t nlines;
	char lastfile[4096];	/* stap's ":L:C" means this file */
	unsigned located, nwarnings;
	int stop;
	unsigned shown[32][3];	/* tapset pointers printed: line, col, message hash */
	unsigned nshown;
	strbuf msgb, hdr;
	struct tapset_tree *tree;	/* read once, for find_var_use */
} explainer;

/* The spec's use of an alias variable whose value reaches tapset function
 * fn (the error's place: "FILE:L:C"), its name into var. */
static int find_var_use(explainer *x, const char *where, const char *fn, srcloc *use, char *var, size_t cap)
{
	char root[4096];
	const char *colon = strchr(where, ':');
	size_t n = colon ? (size_t)(colon - where) : strlen(where);
	if (n >= sizeof root)
		return 0;
	memcpy(root, where, n);
	root[n] = '\0';
	char *t = strstr(root, "/tapset/");
	if (!t)
		return 0;	/* only a tapset tree is read, never a directory stap's output names */
	t[7] = '\0';
	if (!x->tree || strcmp(x->tree->root, root)) {
		x->tree = arena_alloc(x->a, sizeof *x->tree);
		x->tree->root = arena_strdup(x->a, root);
		tree_read(x->a, x->tree, root, 0);
	}
	reach r = { .a = x->a, .n = 1, .var = var, .cap = cap, .entries = x->entries, .files = &x->files, .use = use };
	r.names[0] = arena_strdup(x->a, fn);
	for (int depth = 0; depth < EXPLAIN_MAX_DEPTH; depth++) {
		r.grew = 0;
		for (size_t i = 0; i < x->tree->files.len; i++)
			each_def(x->tree->files.items[i], reach_callers, &r);
		if (!r.grew)
			break;
	}
	for (size_t i = 0; i < x->tree->files.len && !r.found; i++)
		each_def(x->tree->files.items[i], reach_vars, &r);
	return r.found;
}

static unsigned hash(const char *s)
{
	unsigned h = 2166136261u;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* stap's message without its severity prefix and its script location, with
 * "did you mean" from stap's own list: "(similar: ...)" is ranked by stap,
 * its first entry is taken; "(alternatives: ...)" is every member, the
 * closest is taken. */
static void stap_message(explainer *x, char *msg)
{
	if (!strncmp(msg, "semantic error: ", 16))
		msg += 16;
	else if (!strncmp(msg, "WARNING: ", 9))
		msg += 9;
	char *op = strstr(msg, ": operator");
	if (!op)
		op = strstr(msg, ": identifier");
	if (op && op != msg)
		*op = '\0';
	for (size_t n = strlen(msg); n && msg[n - 1] == ' '; n--)
		msg[n - 1] = '\0';
	const char *suggestion = NULL;
	int ranked = 0;
	char *alt = strstr(msg, " (alternatives: ");
	size_t skip = 16;
	if (!alt) {
		alt = strstr(msg, " (similar: ");
		skip = 11;
		ranked = alt != NULL;
	}
	if (alt) {
		const char *q = strchr(msg, '\'');
		const char *qe = q ? strchr(q + 1, '\'') : NULL;
		char *list = alt + skip;
		char *close = strchr(list, ')');
		if (close)
			*close = '\0';
		*alt = '\0';
		if (q && qe && qe < alt && qe - q < 128) {
			char want[130];
			memcpy(want, q + 1, (size_t)(qe - q - 1));
			want[qe - q - 1] = '\0';
			const char *cands[512];
			size_t nc = 0;
			char *save = NULL;
			for (char *tok = strtok_r(list, ", ", &save); tok && nc < 512;
			     tok = strtok_r(NULL, ", ", &save))
				cands[nc++] = tok;
			suggestion = ranked ? (nc ? cands[0] : NULL) : diag_suggest(want, cands, nc);
		}
	}
	sb_reset(&x->msgb);
	sb_puts(&x->msgb, msg);
	if (suggestion)
		sb_printf(&x->msgb, "; did you mean '%s'?", suggestion);
}

/* An error that is not mapped to the spec: counted, shown as stap wrote it. */
static int count_error(explainer *x)
{
	if (++x->d.errors > x->d.max_errors) {
		fputs("stapgen: too many errors, stopping output\n", x->out);
		x->stop = 1;
		return 0;
	}
	return 1;
}

static void put_block(explainer *x)
{
	const char *s = sb_str(&x->block), *e = s + x->block.len;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(e - s);
		put_verbatim(x->out, s, n);
		s += n + 1;
	}
}

static void flush_block(explainer *x)
{
	if (!x->block.len || x->stop)
		goto done;
	char *text = x->block.buf;
	char *nl = strchr(text, '\n');
	sb_reset(&x->hdr);	/* reused: nothing is kept per message */
	sb_putn(&x->hdr, text, nl ? (size_t)(nl - text) : strlen(text));
	char *header = x->hdr.buf;
	block_kind kind = classify(header);
	/* every location in the block, in order: the script's mapped one wins */
	const map_entry *m = NULL;
	char *at_hdr = NULL;
	char tfile[4096] = "", tname[256] = "", tvar[128] = "";
	int talias = 0;
	unsigned lineno = 0, lookups = 0;
	for (char *s = text; s && *s; s = nl ? nl + 1 : NULL, lineno++) {
		nl = strchr(s, '\n');
		if (nl)
			*nl = '\0';
		const char *t = s + strspn(s, " \t");
		char file[4096];
		unsigned l, c;
		const char *at;
		int found = strncmp(t, "source:", 7) && find_loc(s, file, sizeof file, &l, &c, &at);
		if (nl)
			*nl = '\n';
		if (!found)
			continue;
		if (!file[0])
			strcpy(file, x->lastfile);
		else
			strcpy(x->lastfile, file);
		if (++x->located > EXPLAIN_MAX_LOCATED) {
			fprintf(x->out, "stapgen: more than %d lines name a place in the script, stopping\n",
				EXPLAIN_MAX_LOCATED);
			x->stop = 1;
			goto done;
		}
		if (is_script(file, x->base)) {
			const map_entry *me = lookup(x->entries, l, c);
			if (me && !m) {
				m = me;
				if (lineno == 0)
					at_hdr = header + (at - s);
			}
		} else if (kind == BK_ERROR && !tname[0] && ++lookups <= 8) {	/* bounded work */
			enclosing_def(x->a, &x->tapsets, file, l, tname, sizeof tname, &talias);
			if (tname[0])
				snprintf(tfile, sizeof tfile, "%s:%u:%u", file, l, c);
		}
	}
	if (kind == BK_OTHER || (kind == BK_WARNING && x->nwarnings >= EXPLAIN_MAX_WARNINGS))
		goto done;	/* warnings are bounded like errors, but do not stop reading */
	if (m) {
		if (kind == BK_WARNING)
			x->nwarnings++;
		if (at_hdr)
			*at_hdr = '\0';	/* keep stap's message, not its script location */
		stap_message(x, header);
		source *src = spec_source(x->a, &x->files, m->path);
		srcloc sl = { src, m->line, m->col, m->len };
		if (src) {
			sl = refine(src, sl, sb_str(&x->msgb));
			diag_report(&x->d, kind == BK_ERROR ? DIAG_ERROR : DIAG_WARNING, sl, "stap: %s",
				    sb_str(&x->msgb));
			if (x->d.errors > x->d.max_errors)
				x->stop = 1;
		} else if (kind == BK_WARNING) {
			text_fputs(x->out, m->path);
			fprintf(x->out, ":%u:%u: warning: stap: ", m->line, m->col);
			text_fputs(x->out, sb_str(&x->msgb));
			fputc('\n', x->out);
		} else if (count_error(x)) {
			/* as diag_error would, without the excerpt */
			text_fputs(x->out, m->path);
			fprintf(x->out, ":%u:%u: error: stap: ", m->line, m->col);
			text_fputs(x->out, sb_str(&x->msgb));
			fputc('\n', x->out);
		}
		goto done;
	}
	if (kind != BK_ERROR)
		goto done;	/* unmapped warnings: stap's own noise */
	srcloc use;
	if (tname[0] && (find_use(x->a, x->entries, &x->files, tname, talias ? USE_ALIAS : USE_FUNCTION, &use) ||
			  (!talias && find_var_use(x, tfile, tname, &use, tvar, sizeof tvar)))) {
		/* a tapset error the spec's alias or function call brought in */
		char f[4096];
		unsigned l, c;
		const char *at;
		if (find_loc(header, f, sizeof f, &l, &c, &at))
			header[at - header] = '\0';	/* the location's " at ", not the message's */
		stap_message(x, header);
		unsigned h = hash(sb_str(&x->msgb));
		int dup = 0;
		for (unsigned i = 0; i < x->nshown && !dup; i++)
			dup = x->shown[i][0] == use.line && x->shown[i][1] == use.col && x->shown[i][2] == h;
		if (!dup) {
			if (tvar[0])
				diag_error(&x->d, use, "stap: %s (in tapset function '%s', %s, reached through "
					   "the alias variable '%s')", sb_str(&x->msgb), tname, tfile, tvar);
			else
				diag_error(&x->d, use, "stap: %s (in tapset %s '%s', %s)", sb_str(&x->msgb),
					   talias ? "probe alias" : "function", tname, tfile);
			if (x->nshown < 32) {
				x->shown[x->nshown][0] = use.line;
				x->shown[x->nshown][1] = use.col;
				x->shown[x->nshown++][2] = h;
			}
			if (x->d.errors > x->d.max_errors) {
				x->stop = 1;
				goto done;
			}
		} else if (!count_error(x)) {
			goto done;
		}
		put_block(x);
		goto done;
	}
	if (count_error(x))
		put_block(x);
done:
	sb_reset(&x->block);
	x->nlines = 0;
}

static int explain(const ptrvec *entries, const char *base, FILE *in, FILE *out, arena *a)
{
	explainer x = { .entries = entries, .base = base, .a = a, .out = out };
	diag_init(&x.d, out);
	int rc, over;
	size_t total = 0;
	char *buf = malloc(EXPLAIN_MAX_LINE + 1);
	char *failed = NULL;	/* "Pass 2: analysis failed.": shown when nothing else is */
	if (!buf) {
		fputs("stapgen: error: out of memory\n", stderr);
		return -1;
	}
	while (!x.stop && (rc = read_line(in, buf, EXPLAIN_MAX_LINE + 1, &total, &over)) > 0) {
		if (over)
			continue;	/* not stap's: its lines are short */
		int cont = buf[0] == ' ' || buf[0] == '\t';
		if (!cont || !buf[0])
			flush_block(&x);
		if (!buf[0] || x.stop)
			continue;
		if (!cont && !strncmp(buf, "Pass ", 5) && strstr(buf, " failed")) {
			if (!failed)
				failed = arena_strdup(a, buf);
			continue;
		}
		if (cont && !x.block.len)
			continue;	/* a continuation of something not kept */
		if (x.block.len + strlen(buf) + 1 > EXPLAIN_MAX_BLOCK)
			continue;
		if (x.block.len)
			sb_putc(&x.block, '\n');
		sb_puts(&x.block, buf);
		x.nlines++;
	}
	if (rc >= 0)
		flush_block(&x);
	if (rc >= 0 && !x.stop && !x.d.errors && failed && count_error(&x))
		put_verbatim(out, failed, strlen(failed));
	free(buf);
	sb_free(&x.block);
	sb_free(&x.msgb);
	sb_free(&x.hdr);
	if (rc < 0) {
		fprintf(stderr, "stapgen: error: stap's output is larger than %u bytes; stopped reading\n",
			EXPLAIN_MAX_INPUT_BYTES);
		return -1;
	}
	return (int)x.d.errors;
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
