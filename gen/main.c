/* stapgen: YAML tool specs -> SystemTap scripts and C result parsers. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <pwd.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "check/stap_version.h"
#include "compile/compile.h"
#include "emit/emit.h"
#include "explain/explain.h"
#include "util/arena.h"
#include "util/diag.h"
#include "util/source.h"
#include "util/strbuf.h"
#include "util/text.h"

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
	"      --stap-version V  generate for stap release V (e.g. 4.0): a construct\n"
	"                      that release does not accept yet is an error at the\n"
	"                      spec line that needs it (default: the version of\n"
	"                      the stap in PATH; none there: no check)\n"
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
	const char *stap_version;	/* NULL: no stap-version check */
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

/* A directory stapgen writes through must be one only root or the caller
 * can change: else its owner, or anyone for a group/world-writable one,
 * can swap the generated command (which root runs) after it is written.
 * `ours`: stapgen makes this one (the output directory, parsers/, doc/), so
 * a symbolic link there is refused whoever owns it; above it, a link owned
 * by root or the caller (/var/run) is followed.  0, or -1 after a message. */
static void refuse(const char *path, const char *why, const struct stat *st)
{
	struct passwd *pw = getpwuid(st->st_uid);
	fputs("stapgen: error: refusing to write through ", stderr);
	text_fputs(stderr, path);
	fprintf(stderr, ": %s (owner %s, uid %u", why, pw ? pw->pw_name : "?", (unsigned)st->st_uid);
	if (S_ISLNK(st->st_mode))
		fputs(")\n", stderr);
	else
		fprintf(stderr, ", mode %04o); only root or you may own it, without group or world "
			"write\n", (unsigned)(st->st_mode & 07777));
}

static int check_dir(const char *path, int ours)
{
	struct stat st;
	if (lstat(path, &st))
		return 0;	/* not there yet: mkdirs makes it, 0755 */
	uid_t me = geteuid();
	if (S_ISLNK(st.st_mode)) {
		if (ours || (st.st_uid != 0 && st.st_uid != me)) {
			refuse(path, "a symbolic link where a directory is expected", &st);
			return -1;
		}
		if (stat(path, &st))
			return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return 0;	/* mkdirs reports it */
	if (st.st_uid != 0 && st.st_uid != me) {
		refuse(path, "owned by another user", &st);
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		refuse(path, "writable by others (group or world, no sticky bit)", &st);
		return -1;
	}
	return 0;
}

/* Every existing directory on the way to path, and path itself (ours). */
static int check_path(const char *path)
{
	char tmp[4096];
	size_t n = strlen(path);
	if (n >= sizeof tmp)
		return 0;	/* mkdirs refuses it */
	memcpy(tmp, path, n + 1);
	while (n > 1 && tmp[n - 1] == '/')
		tmp[--n] = '\0';
	for (char *p = tmp + 1; *p; p++)
		if (*p == '/' && p[-1] != '/') {
			*p = '\0';
			int r = check_dir(tmp, 0);
			*p = '/';
			if (r)
				return -1;
		}
	return check_dir(tmp, 1);
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
static int commit_outputs(out_file *f, size_t n, int ok, const char *stale_bin)
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
	/* the compiled parser of the old source goes first: a reader then
	 * finds no parser rather than one of another set */
	if (ok && stale_bin && unlink(stale_bin) && errno != ENOENT) {
		fprintf(stderr, "stapgen: error: removing %s: %s\n", stale_bin, strerror(errno));
		ok = 0;
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

/* Two runs writing one tool (make -j, two make tools, another version of
 * the spec) take turns: a tool's set is renamed in under an exclusive
 * flock(2) on OUT/.TOOL.lock, which make-tools.sh holds too while it
 * installs the compiled parser.  The fd, or -1 after a message. */
static int lock_tool(const char *outdir, const char *tool)
{
	char path[4096];
	if ((size_t)snprintf(path, sizeof path, "%s/.%s.lock", outdir, tool) >= sizeof path) {
		fprintf(stderr, "stapgen: error: output path too long: %s\n", outdir);
		return -1;
	}
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fprintf(stderr, "stapgen: error: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (flock(fd, LOCK_EX))
		if (errno != EINTR) {
			fprintf(stderr, "stapgen: error: cannot lock %s: %s\n", path, strerror(errno));
			close(fd);
			return -1;
		}
	return fd;
}

/* Does the file at path hold exactly data? */
static int same_content(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 0;
	struct stat st;
	int same = !fstat(fd, &st) && S_ISREG(st.st_mode) && (size_t)st.st_size == len;
	char buf[65536];
	for (size_t off = 0; same && off < len;) {
		ssize_t r = read(fd, buf, sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0 || (size_t)r > len - off || memcmp(buf, data + off, (size_t)r))
			same = 0;
		else
			off += (size_t)r;
	}
	close(fd);
	return same;
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

/* The version of the stap in PATH ("4.8" of "Systemtap translator/driver
 * (version 4.8/0.188, ...)") into buf; NULL if there is none. */
static const char *host_stap_version(char *buf, size_t n)
{
	FILE *p = popen("stap -V 2>&1", "r");
	if (!p)
		return NULL;
	char line[512] = "";
	if (!fgets(line, sizeof line, p))
		line[0] = 0;
	while (fgetc(p) != EOF)
		;	/* the rest, so stap never sees a closed pipe */
	pclose(p);
	const char *v = strstr(line, "(version ");
	if (!v)
		return NULL;
	v += 9;
	size_t len = strcspn(v, "/,) \n");
	if (len == 0 || len >= n)
		return NULL;
	memcpy(buf, v, len);
	buf[len] = 0;
	/* "4.8" of "4.8.1-rc": the releases the table names */
	unsigned sv[3];
	return stap_version_parse(buf, sv) ? buf : NULL;
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
	stapgen_options so = { o->kver, o->guru, o->werror, o->check_only, o->stap_version,
			       check_unique, seen };
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
	char *cdir = arena_printf(&a, "%s/completion", o->outdir);
	char *stp_name = arena_printf(&a, "%s.stp", s->tool);
	char *uns_name = arena_printf(&a, "%s.unsupported", s->tool);
	char *par_name = arena_printf(&a, "%s_parser.c", s->tool);
	char *doc_name = arena_printf(&a, "%s.md", s->tool);
	char *map_name = arena_printf(&a, "%s.stp.map", s->tool);
	char *comp_name = arena_printf(&a, "%s.bash", s->tool);
	char *flags_name = arena_printf(&a, "%s.flags", s->tool);
	rc = 2;
	out_file files[8];	/* stp, parser, doc, map, flags, command, runtime, completion */
	size_t nfiles = 0;
	memset(files, 0, sizeof files);
	/* directories this run creates go again if it fails */
	const char *dirs[] = { o->outdir, pdir, ddir, ldir, cdir };
	int existed[5];
	for (size_t i = 0; i < 5; i++)
		existed[i] = access(dirs[i], F_OK) == 0;
	if (check_dir(pdir, 1) || check_dir(ddir, 1) || check_dir(ldir, 1) || check_dir(cdir, 1)) {
		/* said why */
	} else if (mkdirs(pdir) || mkdirs(ddir) || mkdirs(ldir) || mkdirs(cdir)) {
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
			 (u || !write_tmp(&files[nfiles++], o->outdir, flags_name, sb_str(&res.flags),
					  res.flags.len, 0644)) &&
			 (u || !write_tmp(&files[nfiles++], o->outdir, s->tool, sb_str(&res.command),
					  res.command.len, 0755)) &&
			 /* every command's runtime: the same text for each tool */
			 (u || !write_tmp(&files[nfiles++], ldir, "stapgen-cmd.sh", stapgen_cmd_runtime,
					  stapgen_cmd_runtime_len, 0644)) &&
			 (u || !write_tmp(&files[nfiles++], cdir, comp_name, sb_str(&res.completion),
					  res.completion.len, 0644));
		int lk = ok ? lock_tool(o->outdir, s->tool) : -1;
		if (lk < 0)
			ok = 0;
		/* a parser compiled from another source is not of this set */
		char *bin = arena_printf(&a, "%s/%s-parse", pdir, s->tool);
		if (ok && same_content(files[1].path, sb_str(&res.parser), res.parser.len))
			bin = NULL;
		if (!commit_outputs(files, nfiles, ok, bin)) {
			/* the other outcome's files, from an earlier run, are now stale */
			if (u) {
				unlink(arena_printf(&a, "%s/%s", o->outdir, stp_name));
				unlink(arena_printf(&a, "%s/%s", o->outdir, map_name));
				unlink(arena_printf(&a, "%s/%s", o->outdir, flags_name));
				unlink(arena_printf(&a, "%s/%s", o->outdir, s->tool));
				unlink(arena_printf(&a, "%s/%s", cdir, comp_name));
			} else {
				unlink(arena_printf(&a, "%s/%s", o->outdir, uns_name));
			}
			rc = 0;
		}
		if (lk >= 0)
			close(lk);	/* and with it the lock */
	}
	for (size_t i = 5; rc && i-- > 0;)
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
		{ "stap-version", required_argument, NULL, 'S' },
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
		case 'S': o.stap_version = optarg; break;
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
	unsigned sv[3];
	char hostv[32];
	if (o.stap_version && !stap_version_parse(o.stap_version, sv)) {
		fputs("stapgen: error: --stap-version takes a stap release such as 4.0 or 4.4, not '", stderr);
		text_fputs(stderr, o.stap_version);
		fputs("'\n", stderr);
		return 2;
	}
	if (!o.stap_version)
		o.stap_version = host_stap_version(hostv, sizeof hostv);
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
	if (!o.check_only && check_path(o.outdir))
		return 2;
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
