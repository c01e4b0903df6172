/* stapgen: YAML tool specs -> SystemTap scripts and C result parsers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "compile/compile.h"
#include "emit/emit.h"
#include "explain/explain.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"
#include "util/strbuf.h"
#include "util/text.h"

#define STAPGEN_VERSION "0.1.0"
#define MAX_SPEC_BYTES (1024 * 1024)

static const char usage[] =
	"usage: stapgen [options] SPEC.yaml...\n"
	"\n"
	"Compiles SystemTap tool specs into <tool>.stp scripts and <tool>_parser.c\n"
	"result parsers.  A spec with errors produces nothing; the others are still\n"
	"generated and the exit status is 1.\n"
	"\n"
	"options:\n"
	"  -k, --kver RELEASE  kernel release to generate for (default: uname -r)\n"
	"  -o, --out DIR       write into DIR (default: out/RELEASE)\n"
	"  -c, --check         check the specs only; write nothing\n"
	"  -g, --guru          allow specs that declare 'guru: true'\n"
	"  -W, --werror        treat warnings as errors\n"
	"      --color[=WHEN]  colour diagnostics: auto (default: on a terminal,\n"
	"                      unless NO_COLOR is set), always or never\n"
	"  -e, --explain MAP   read stap's errors on stdin for the script whose\n"
	"                      source map is MAP (<tool>.stp.map); print them\n"
	"                      against the spec lines they came from; errors it\n"
	"                      cannot map are passed on as stap wrote them\n"
	"                      (exit 1 when stap's output held an error)\n"
	"  -h, --help          show this help\n"
	"  -V, --version       show the version\n"
	"\n"
	"exit status: 0 success, 1 a spec had errors, 2 usage or I/O error\n";

typedef struct opts {
	const char *kver;
	const char *outdir;
	int check_only, guru, werror;
	int color;
} opts;

static int valid_kver(const char *k)
{
	if (!*k || strlen(k) > 128 || !strcmp(k, ".") || !strcmp(k, ".."))
		return 0;
	for (const char *p = k; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || strchr("._+-~", *p)))
			return 0;
	return 1;
}

/* A file name as shown in a message: escape sequences in it are escaped. */
static const char *shown(arena *a, const char *path)
{
	strbuf b = STRBUF_INIT;
	text_escape(&b, path, strlen(path), false);
	char *r = arena_strdup(a, sb_str(&b));
	sb_free(&b);
	return r;
}

/* Whole file into the arena; refuses huge files before reading them.
 * NULL with *status = 2 for an I/O problem (cannot open, a directory, read
 * error), 1 for a spec too large to be one. */
static char *read_file(arena *a, const char *path, size_t *len, int *status)
{
	*status = 2;
	/* O_NONBLOCK: opening a FIFO nobody writes to must not hang; reads
	 * block again below, and a FIFO without a writer reads as empty */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		fprintf(stderr, "%s: error: cannot open: %s\n", shown(a, path), strerror(errno));
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: error: is a directory\n", shown(a, path));
		close(fd);
		return NULL;
	}
	int fl = fcntl(fd, F_GETFL);
	if (fl != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	if (S_ISREG(st.st_mode) && st.st_size > MAX_SPEC_BYTES) {
		fprintf(stderr, "%s:1:1: error: spec is larger than %d bytes\n", shown(a, path),
			MAX_SPEC_BYTES);
		close(fd);
		*status = 1;
		return NULL;
	}
	size_t cap = 64 * 1024, n = 0;
	char *buf = arena_alloc(a, cap + 1);
	for (;;) {
		if (n == cap) {
			if (cap > MAX_SPEC_BYTES) {
				fprintf(stderr, "%s:1:1: error: spec is larger than %d bytes\n", shown(a, path),
					MAX_SPEC_BYTES);
				close(fd);
				*status = 1;
				return NULL;
			}
			buf = arena_realloc(a, buf, cap + 1, cap * 2 + 1);
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: error: read failed: %s\n", shown(a, path), strerror(errno));
			close(fd);
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	if (n > MAX_SPEC_BYTES) {
		fprintf(stderr, "%s:1:1: error: spec is larger than %d bytes\n", shown(a, path), MAX_SPEC_BYTES);
		*status = 1;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static int mkdirs(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		return -1;
	memcpy(tmp, path, n + 1);
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(tmp, 0755) && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* One output file, first written in full to a temporary file in the same
 * directory and then renamed over the real name (see commit_outputs). */
typedef struct out_file {
	char path[4096], tmp[4096];
	int written;
} out_file;

static int write_tmp(out_file *f, const char *dir, const char *name, const char *data,
		     size_t len, mode_t mode)
{
	f->written = 0;
	if ((size_t)snprintf(f->path, sizeof f->path, "%s/%s", dir, name) >= sizeof f->path ||
	    (size_t)snprintf(f->tmp, sizeof f->tmp, "%s/.%s.XXXXXX", dir, name) >= sizeof f->tmp) {
		fprintf(stderr, "stapgen: error: output path too long: %s/%s\n", dir, name);
		return -1;
	}
	int fd = mkstemp(f->tmp);
	if (fd < 0) {
		fprintf(stderr, "stapgen: error: cannot create %s: %s\n", f->tmp, strerror(errno));
		return -1;
	}
	size_t off = 0;
	while (off < len) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			fprintf(stderr, "stapgen: error: writing %s: %s\n", f->path,
				w < 0 ? strerror(errno) : "short write");
			close(fd);
			unlink(f->tmp);
			return -1;
		}
		off += (size_t)w;
	}
	if (fchmod(fd, mode) || close(fd)) {
		fprintf(stderr, "stapgen: error: writing %s: %s\n", f->path, strerror(errno));
		unlink(f->tmp);
		return -1;
	}
	f->written = 1;
	return 0;
}

/* A tool's files appear together or not at all: all of them are written to
 * temporary files first, and renamed only when every one was written, so a
 * failure (disk full, permissions) leaves the output directory as it was.
 * Each rename(2) is atomic: readers and parallel builds see the old file or
 * the new one, never half of one. */
static int commit_outputs(out_file *f, size_t n, int ok)
{
	/* the one way a rename into place fails once the files are written:
	 * a directory in the way (it would fail after the others moved) */
	for (size_t i = 0; ok && i < n; i++) {
		struct stat st;
		if (lstat(f[i].path, &st) == 0 && S_ISDIR(st.st_mode)) {
			fprintf(stderr, "stapgen: error: cannot write %s: is a directory\n", f[i].path);
			ok = 0;
		}
	}
	for (size_t i = 0; ok && i < n; i++)
		if (rename(f[i].tmp, f[i].path)) {
			fprintf(stderr, "stapgen: error: writing %s: %s\n", f[i].path, strerror(errno));
			ok = 0;
		} else {
			f[i].written = 0;
		}
	for (size_t i = 0; i < n; i++)
		if (f[i].written)
			unlink(f[i].tmp);
	return ok ? 0 : -1;
}

typedef struct done_tool {
	char *name;
	const char *path;
} done_tool;

typedef struct seen_tools {
	done_tool *v;
	size_t n;
} seen_tools;

/* Tool names are unique across the specs of one run. */
static void check_unique(const spec *s, diag_sink *d, void *ctx)
{
	const seen_tools *seen = ctx;
	if (!s->tool)
		return;
	for (size_t i = 0; i < seen->n; i++)
		if (!strcmp(seen->v[i].name, s->tool)) {
			diag_error(d, s->tool_loc, "tool '%s' is also defined by %s", s->tool,
				   seen->v[i].path);
			return;
		}
}

static int compile_one(const char *path, const opts *o, seen_tools *seen)
{
	arena a;
	arena_init(&a);
	a.limit = 256u * 1024 * 1024;
	diag_sink d;
	diag_init(&d, stderr);
	d.sorted = 1;	/* by position, once the spec is compiled */
	d.color = o->color;
	int rc = 1;
	size_t len;
	stapgen_output res;
	memset(&res, 0, sizeof res);
	char *text = read_file(&a, path, &len, &rc);
	if (!text)
		goto out;
	source *src = source_new(&a, path, text, len);
	stapgen_options so = { o->kver, o->guru, o->werror, o->check_only, check_unique, seen };
	rc = stapgen_compile(&a, src, &d, &so, &res);
	if (rc)
		goto out;
	const spec *s = res.spec;
	seen->v[seen->n++] = (done_tool){ strdup(s->tool), path };
	if (o->check_only)
		goto out;
	const spec_unsupported *u = res.unsupported;
	char *pdir = arena_printf(&a, "%s/parsers", o->outdir);
	char *ddir = arena_printf(&a, "%s/doc", o->outdir);
	char *ldir = arena_printf(&a, "%s/lib", o->outdir);
	char *stp_name = arena_printf(&a, "%s.stp", s->tool);
	char *uns_name = arena_printf(&a, "%s.unsupported", s->tool);
	char *par_name = arena_printf(&a, "%s_parser.c", s->tool);
	char *doc_name = arena_printf(&a, "%s.md", s->tool);
	char *map_name = arena_printf(&a, "%s.stp.map", s->tool);
	rc = 2;
	out_file files[6];
	size_t nfiles = 0;
	memset(files, 0, sizeof files);
	/* directories this run creates go again if it fails */
	const char *dirs[] = { o->outdir, pdir, ddir, ldir };
	int existed[4];
	for (size_t i = 0; i < 4; i++)
		existed[i] = access(dirs[i], F_OK) == 0;
	if (mkdirs(pdir) || mkdirs(ddir) || mkdirs(ldir)) {
		fprintf(stderr, "stapgen: error: cannot create %s: %s\n", o->outdir, strerror(errno));
	} else {
		int ok = !write_tmp(&files[nfiles++], o->outdir, u ? uns_name : stp_name,
				    sb_str(&res.stp), res.stp.len, 0644) &&
			 !write_tmp(&files[nfiles++], pdir, par_name, sb_str(&res.parser),
				    res.parser.len, 0644) &&
			 !write_tmp(&files[nfiles++], ddir, doc_name, sb_str(&res.doc), res.doc.len,
				    0644) &&
			 (u || !write_tmp(&files[nfiles++], o->outdir, map_name, sb_str(&res.map),
					  res.map.len, 0644)) &&
			 (u || !write_tmp(&files[nfiles++], o->outdir, s->tool, sb_str(&res.command),
					  res.command.len, 0755)) &&
			 /* every command's runtime: the same text for each tool */
			 (u || !write_tmp(&files[nfiles++], ldir, "stapgen-cmd.sh", stapgen_cmd_runtime,
					  stapgen_cmd_runtime_len, 0644));
		if (!commit_outputs(files, nfiles, ok)) {
			/* the other outcome's file, from an earlier run, is now stale */
			char *stale = arena_printf(&a, "%s/%s", o->outdir, u ? stp_name : uns_name);
			unlink(stale);
			rc = 0;
		}
	}
	for (size_t i = 4; rc && i-- > 0;)
		if (!existed[i])
			rmdir(dirs[i]);	/* only if still empty */
out:
	stapgen_output_free(&res);
	arena_free(&a);
	return rc;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "kver", required_argument, NULL, 'k' }, { "out", required_argument, NULL, 'o' },
		{ "check", no_argument, NULL, 'c' },	{ "guru", no_argument, NULL, 'g' },
		{ "werror", no_argument, NULL, 'W' },	{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },	{ "explain", required_argument, NULL, 'e' },
		{ "color", optional_argument, NULL, 'C' },
		{ NULL, 0, NULL, 0 },
	};
	opts o = { 0 };
	const char *color = "auto";
	int c;
	while ((c = getopt_long(argc, argv, "k:o:cgWhVe:", longopts, NULL)) != -1) {
		switch (c) {
		case 'k': o.kver = optarg; break;
		case 'o': o.outdir = optarg; break;
		case 'c': o.check_only = 1; break;
		case 'g': o.guru = 1; break;
		case 'W': o.werror = 1; break;
		case 'C': color = optarg ? optarg : "always"; break;
		case 'h': fputs(usage, stdout); return 0;
		case 'V': puts("stapgen " STAPGEN_VERSION); return 0;
		case 'e': {
			int n = explain_stap_errors(optarg, stdin, stdout);
			return n < 0 ? 2 : n > 0 ? 1 : 0;	/* n: errors shown; < 0: explain said why */
		}
		default: fputs(usage, stderr); return 2;
		}
	}
	o.color = diag_color_choice(color, isatty(STDERR_FILENO), getenv("NO_COLOR"));
	if (o.color < 0) {
		fprintf(stderr, "stapgen: error: --color takes auto, always or never, not '%s'\n", color);
		return 2;
	}
	if (optind >= argc) {
		fputs("stapgen: error: no spec files given\n", stderr);
		fputs(usage, stderr);
		return 2;
	}
	struct utsname un;
	if (!o.kver)
		o.kver = uname(&un) == 0 ? un.release : "unknown";
	if (!valid_kver(o.kver)) {
		fputs("stapgen: error: invalid kernel release '", stderr);
		text_fputs(stderr, o.kver);
		fputs("'\n", stderr);
		return 2;
	}
	char outbuf[4096];
	if (!o.outdir) {
		snprintf(outbuf, sizeof outbuf, "out/%s", o.kver);
		o.outdir = outbuf;
	}
	size_t nspecs = (size_t)(argc - optind);
	seen_tools seen = { calloc(nspecs + 1, sizeof *seen.v), 0 };
	if (!seen.v)
		return 2;
	int rc = 0;
	for (int i = optind; i < argc; i++) {
		int r = compile_one(argv[i], &o, &seen);
		if (r > rc)
			rc = r;
	}
	for (size_t i = 0; i < seen.n; i++)
		free(seen.v[i].name);
	free(seen.v);
	return rc;
}
