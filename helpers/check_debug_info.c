/* check-debug-info: for the executable and every library a process has
 * mapped (or for ELF files named on the command line), tells whether DWARF
 * is available for it and where, and for the ones without it, which Debian
 * package would provide it (OpenResty's check-debug-info). */
#include "hlp.h"

#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum status { ST_OK, ST_REMOTE, ST_MISSING, ST_ERROR };

typedef struct {
    const char *debugdir; /* /usr/lib/debug or --debug-dir */
    int use_dpkg;
    unsigned nfiles, nmissing, nerrors;
    FILE *out;
} opts;

/* ---- DWARF in one file ---------------------------------------------------- */

/* 1 if the ELF file at fd has DWARF with at least one unit. */
static int elf_has_dwarf(Elf *e)
{
    Dwarf *dw = dwarf_begin_elf(e, DWARF_C_READ, NULL);
    Dwarf_Off off = 0, next;
    size_t hsize;
    int ok;
    if (!dw)
        return 0;
    ok = dwarf_nextcu(dw, off, &next, &hsize, NULL, NULL, NULL) == 0;
    dwarf_end(dw);
    return ok;
}

/* 1 if PATH is an ELF file with DWARF; its build-id must be ID if given
 * (a stale debug file of another build does not count). */
static int file_has_dwarf(const char *path, const unsigned char *id, size_t idlen)
{
    const char *why;
    int fd = hlp_open_file(path, &why), ok = 0;
    Elf *e;
    if (fd < 0)
        return 0;
    e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (e && elf_kind(e) == ELF_K_ELF) {
        const void *fid;
        ssize_t n = dwelf_elf_gnu_build_id(e, &fid);
        ok = (!id || n <= 0 || ((size_t)n == idlen && memcmp(fid, id, idlen) == 0)) &&
             elf_has_dwarf(e);
    }
    if (e)
        elf_end(e);
    close(fd);
    return ok;
}

static void hex_id(char *buf, const unsigned char *id, size_t n)
{
    static const char hx[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++) {
        buf[2 * i] = hx[id[i] >> 4];
        buf[2 * i + 1] = hx[id[i] & 15];
    }
    buf[2 * n] = '\0';
}

static int same_file(const char *a, const struct stat *y)
{
    struct stat x;
    return stat(a, &x) == 0 && x.st_dev == y->st_dev && x.st_ino == y->st_ino;
}

/* Where the debuginfod client keeps what it fetched (its documented
 * order: $DEBUGINFOD_CACHE_PATH, $XDG_CACHE_HOME, ~/.cache). */
static void debuginfod_cache(hlp_sb *b, const char *idhex)
{
    const char *p = getenv("DEBUGINFOD_CACHE_PATH");
    b->len = 0;
    if (p && *p)
        hlp_sb_printf(b, "%s", p);
    else if ((p = getenv("XDG_CACHE_HOME")) && *p)
        hlp_sb_printf(b, "%s/debuginfod_client", p);
    else if ((p = getenv("HOME")) && *p)
        hlp_sb_printf(b, "%s/.cache/debuginfod_client", p);
    else
        return;
    hlp_sb_printf(b, "/%s/debuginfo", idhex);
}

/* ---- Debian package of a file --------------------------------------------- */

/* "pkg[:arch][, pkg2...]: PATH" lines of `dpkg-query -S PATH`: the first
 * package into *pkg.  0 if dpkg does not know the file. */
static int dpkg_owner(const char *path, hlp_sb *pkg)
{
    int fds[2], status = 0, got = 0;
    pid_t child;
    posix_spawn_file_actions_t fa;
    char *argv[] = {"dpkg-query", "-S", NULL, NULL};
    hlp_sb outb = {0};
    char buf[4096];
    ssize_t r;
    size_t i;
    argv[2] = (char *)path;
    if (pipe(fds) != 0)
        return 0;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
    posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&fa, fds[0]);
    posix_spawn_file_actions_addclose(&fa, fds[1]);
    if (posix_spawnp(&child, "dpkg-query", &fa, NULL, argv, environ) != 0) {
        posix_spawn_file_actions_destroy(&fa);
        close(fds[0]);
        close(fds[1]);
        return 0;
    }
    posix_spawn_file_actions_destroy(&fa);
    close(fds[1]);
    while ((r = read(fds[0], buf, sizeof buf)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (outb.len < 65536)
            hlp_sb_put(&outb, buf, (size_t)r);
    }
    close(fds[0]);
    while (waitpid(child, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && outb.len) {
        /* skip "diversion by ..." lines: the owner line has "pkg: /path" */
        char *line = outb.s;
        while (line && *line) {
            char *nl = strchr(line, '\n');
            if (nl)
                *nl = '\0';
            if (strncmp(line, "diversion ", 10) != 0) {
                for (i = 0; line[i] && line[i] != ':' && line[i] != ',' && line[i] != ' '; i++)
                    ;
                if (i > 0) {
                    pkg->len = 0;
                    hlp_sb_put(pkg, line, i);
                    got = 1;
                    break;
                }
            }
            line = nl ? nl + 1 : NULL;
        }
    }
    hlp_sb_free(&outb);
    return got;
}

/* The package owning path, also under its other usrmerge spelling
 * (/lib <-> /usr/lib and the like) and its real path. */
static int package_of(const char *path, hlp_sb *pkg)
{
    static const char *const pairs[][2] = {
        {"/usr/lib/", "/lib/"}, {"/usr/lib64/", "/lib64/"}, {"/usr/lib32/", "/lib32/"},
        {"/usr/bin/", "/bin/"}, {"/usr/sbin/", "/sbin/"},
    };
    hlp_sb alt = {0};
    char *real;
    size_t i;
    int got = dpkg_owner(path, pkg);
    for (i = 0; !got && i < sizeof pairs / sizeof pairs[0]; i++) {
        const char *a = pairs[i][0], *b = pairs[i][1];
        size_t la = strlen(a), lb = strlen(b);
        alt.len = 0;
        if (strncmp(path, a, la) == 0) {
            hlp_sb_puts(&alt, b);
            hlp_sb_puts(&alt, path + la);
        } else if (strncmp(path, b, lb) == 0) {
            hlp_sb_puts(&alt, a);
            hlp_sb_puts(&alt, path + lb);
        } else {
            continue;
        }
        got = dpkg_owner(alt.s, pkg);
    }
    hlp_sb_free(&alt);
    if (!got && (real = realpath(path, NULL)) != NULL) {
        if (strcmp(real, path) != 0)
            got = package_of(real, pkg);
        free(real);
    }
    return got;
}

/* ---- one file -------------------------------------------------------------- */

/* Paths are printed escaped (hlp_sb_escaped): a newline in a name must not
 * make two lines of one. */
static void report(opts *o, enum status st, const char *path, const char *detail)
{
    static const char *const names[] = {"ok", "remote", "missing", "error"};
    hlp_sb b = {0};
    hlp_sb_escaped(&b, path);
    fprintf(o->out, "%-8s %s (%s)\n", names[st], b.s, detail);
    if (st == ST_ERROR && o->out != stdout)
        hlp_err("%s: %s", b.s, detail); /* the output file may never appear */
    hlp_sb_free(&b);
    if (st == ST_MISSING)
        o->nmissing++;
    if (st == ST_ERROR)
        o->nerrors++;
    o->nfiles++;
}

/* A file to check: a FILE argument or a process's mapped file. */
typedef struct {
    const char *path;     /* as printed: the process's view of it */
    int fd;               /* open on it (hlp_open_file or map_files) */
    const char *hostpath; /* path from here, for the debug files beside it;
                             NULL if it has none (a memfd) */
    const char *root;     /* "/proc/PID/root" for a process in another
                             mount namespace, else NULL */
    int pkg;              /* ask dpkg about path (it names a file here) */
    int quiet_nonelf;     /* mapped data files (locale archives, caches)
                             are skipped rather than reported */
    const char *note;     /* appended to the detail, or NULL */
} target;

/* Checks one file; closes t->fd. */
static void check_file(opts *o, const target *t)
{
    const char *path = t->path;
    int fd = t->fd;
    struct stat self;
    Elf *e;
    const void *idp = NULL;
    unsigned char id[64];
    char idhex[2 * sizeof id + 1];
    ssize_t idn = 0;
    const char *link = NULL;
    char *linkname = NULL;
    GElf_Word crc;
    hlp_sb cand = {0}, detail = {0};
    enum status st = ST_MISSING;
    if (fstat(fd, &self) != 0)
        memset(&self, 0, sizeof self);
    e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!e || elf_kind(e) != ELF_K_ELF) {
        if (!t->quiet_nonelf)
            report(o, ST_ERROR, path, "not an ELF file");
        if (e)
            elf_end(e);
        close(fd);
        return;
    }
    idn = dwelf_elf_gnu_build_id(e, &idp);
    if (idn > 0 && (size_t)idn <= sizeof id) {
        memcpy(id, idp, (size_t)idn);
        hex_id(idhex, id, (size_t)idn);
    } else {
        idn = 0;
    }
    link = dwelf_elf_gnu_debuglink(e, &crc);
    if (link && *link && !strchr(link, '/'))
        linkname = hlp_xstrdup(link);
    if (elf_has_dwarf(e)) {
        st = ST_OK;
        hlp_sb_puts(&detail, "DWARF in the file");
    }
    elf_end(e);
    close(fd);

    /* a separate debug file by build-id: DIR/.build-id/xx/rest.debug, and
     * for a process in a container the container's DIR too (the build-id
     * must match, so a file planted there cannot pass) */
    if (st != ST_OK && idn > 1) {
        int k;
        for (k = 0; k < (t->root ? 2 : 1) && st != ST_OK; k++) {
            cand.len = 0;
            hlp_sb_printf(&cand, "%s%s/.build-id/%.2s/%s.debug", k ? t->root : "", o->debugdir,
                          idhex, idhex + 2);
            if (file_has_dwarf(cand.s, id, (size_t)idn)) {
                st = ST_OK;
                hlp_sb_printf(&detail, "build-id: %s", cand.s);
            }
        }
    }
    /* by .gnu_debuglink: beside the file, in .debug/, under DIR (and the
     * container's DIR) */
    if (st != ST_OK && linkname && t->hostpath) {
        const char *hp = t->hostpath, *slash = strrchr(hp, '/'), *pslash = strrchr(path, '/');
        size_t dlen = slash ? (size_t)(slash - hp) : 0, plen = pslash ? (size_t)(pslash - path) : 0;
        int k;
        for (k = 0; k < 4 && st != ST_OK; k++) {
            cand.len = 0;
            if (k == 0)
                hlp_sb_printf(&cand, "%.*s/%s", (int)dlen, hp, linkname);
            else if (k == 1)
                hlp_sb_printf(&cand, "%.*s/.debug/%s", (int)dlen, hp, linkname);
            else if (k == 2)
                hlp_sb_printf(&cand, "%s%.*s/%s", o->debugdir, (int)plen, path, linkname);
            else if (t->root)
                hlp_sb_printf(&cand, "%s%s%.*s/%s", t->root, o->debugdir, (int)plen, path,
                              linkname);
            else
                break;
            if (!same_file(cand.s, &self) && file_has_dwarf(cand.s, idn ? id : NULL, (size_t)idn)) {
                st = ST_OK;
                hlp_sb_printf(&detail, "debuglink: %s", cand.s);
            }
        }
    }
    /* what debuginfod already fetched, or could */
    if (st != ST_OK && idn > 0) {
        const char *urls = getenv("DEBUGINFOD_URLS");
        debuginfod_cache(&cand, idhex);
        if (cand.len && file_has_dwarf(cand.s, id, (size_t)idn)) {
            st = ST_OK;
            hlp_sb_printf(&detail, "debuginfod cache: %s", cand.s);
        } else if (urls && *urls) {
            st = ST_REMOTE;
            hlp_sb_printf(&detail, "not here; debuginfod (DEBUGINFOD_URLS=%s) may have build-id %s",
                          urls, idhex);
        }
    }
    if (st == ST_MISSING) {
        hlp_sb pkg = {0};
        hlp_sb_puts(&detail, "no DWARF");
        if (idn > 0)
            hlp_sb_printf(&detail, ", build-id %s", idhex);
        if (o->use_dpkg && !t->pkg)
            hlp_sb_puts(&detail, t->root ? "; package not asked: the process is in another mount namespace"
                                         : "; package not asked: no file here has this path");
        else if (o->use_dpkg && package_of(path, &pkg))
            hlp_sb_printf(&detail, "; package %s: install %s-dbgsym (or %s-dbg)", pkg.s, pkg.s,
                          pkg.s);
        else if (o->use_dpkg)
            hlp_sb_puts(&detail, "; no Debian package owns it");
        hlp_sb_free(&pkg);
    }
    if (t->note)
        hlp_sb_printf(&detail, "; %s", t->note);
    report(o, st, path, detail.s);
    hlp_sb_free(&cand);
    hlp_sb_free(&detail);
    free(linkname);
}

/* ---- a process's files ------------------------------------------------------ */

/* Checks each file process pid has mapped once (by device and inode), in
 * the order they first appear, reading each through
 * /proc/PID/map_files: the very file mapped, whatever its path shows now
 * or in which mount namespace it lies. */
static int check_pid(opts *o, int pid)
{
    hlp_sb maps = {0}, note = {0}, root = {0};
    hlp_map *v;
    size_t n, i, j;
    int foreign;
    if (!hlp_maps_read(pid, &maps, &v, &n)) {
        hlp_sb_free(&maps);
        return 0;
    }
    foreign = hlp_pid_foreign(pid);
    if (foreign)
        hlp_sb_printf(&root, "/proc/%d/root", pid);
    for (i = 0; i < n; i++) {
        hlp_mapped f;
        target t;
        if (v[i].name[0] != '/')
            continue; /* anonymous, [heap], [stack], [vdso] */
        for (j = 0; j < i && !(v[j].name[0] == '/' && v[j].inode == v[i].inode &&
                               v[j].major == v[i].major && v[j].minor == v[i].minor);
             j++)
            ;
        if (j < i)
            continue;
        hlp_mapped_open(pid, foreign, &v[i], &f);
        /* memfd/shm memory is checked only if it holds ELF; a device's
         * memory not at all */
        if (f.special || (f.anon && f.fd < 0)) {
            hlp_mapped_free(&f);
            continue;
        }
        if (f.fd < 0) {
            report(o, ST_ERROR, f.path, f.why);
            hlp_mapped_free(&f);
            continue;
        }
        note.len = 0;
        if (f.anon)
            hlp_sb_puts(&note, "memory, no file: its mapping was read");
        else if (f.deleted)
            hlp_sb_puts(&note, "deleted or replaced since it was mapped: the mapped file was read");
        memset(&t, 0, sizeof t);
        t.path = f.path;
        t.fd = f.fd;
        f.fd = -1; /* check_file closes it */
        t.hostpath = f.hostpath;
        t.root = foreign ? root.s : NULL;
        t.pkg = !foreign && !f.deleted && !f.anon;
        t.quiet_nonelf = 1;
        t.note = note.len ? note.s : NULL;
        check_file(o, &t);
        hlp_mapped_free(&f);
    }
    free(v);
    hlp_sb_free(&maps);
    hlp_sb_free(&note);
    hlp_sb_free(&root);
    return 1;
}

/* ---- main -------------------------------------------------------------------- */

static void usage(FILE *f)
{
    fprintf(f,
            "usage: %s (-p PID | FILE...) [--debug-dir DIR] [--no-dpkg] [-o FILE]\n"
            "Tells, for the executable and every library process PID has mapped (from\n"
            "/proc/PID/maps), or for each ELF FILE, whether DWARF debug information is\n"
            "available, and where:\n"
            "  ok       DWARF in the file, or a separate debug file found by build-id\n"
            "           (DIR/.build-id/xx/yyyy.debug), by .gnu_debuglink (beside the\n"
            "           file, in its .debug/ directory, or under DIR), or in the\n"
            "           debuginfod client's cache\n"
            "  remote   not here, but DEBUGINFOD_URLS is set: a debuginfod server may\n"
            "           have it (not asked)\n"
            "  missing  none: the Debian package owning the file (dpkg-query -S) is\n"
            "           named, with the debug package to install (PKG-dbgsym, or\n"
            "           PKG-dbg for the packages that ship one)\n"
            "  error    the file cannot be read, is not a regular file (a FIFO, a\n"
            "           device), is not ELF, or was deleted and cannot be read\n"
            "  -p, --pid PID        check process PID's executable and libraries\n"
            "      --debug-dir DIR  where separate debug files are (default /usr/lib/debug)\n"
            "      --no-dpkg        do not ask dpkg which package owns a file\n"
            "  -o, --output FILE    write to FILE (only once complete) instead of stdout\n"
            "  -h, --help           show this help\n"
            "Exit status: 0 DWARF for every file (or remote), 3 some missing,\n"
            "1 runtime error (no such process, a FILE not readable or not ELF),\n"
            "2 usage error.\n",
            hlp_prog);
}

int main(int argc, char **argv)
{
    const char *pidarg = NULL, *outpath = NULL;
    const char **files;
    size_t nfiles = 0, k;
    int i, only_files = 0, pid = 0, rc, ok = 1;
    unsigned nerr_before;
    opts o;

    hlp_set_prog(argc > 0 ? argv[0] : NULL, "check-debug-info");
    memset(&o, 0, sizeof o);
    o.debugdir = "/usr/lib/debug";
    o.use_dpkg = 1;
    files = hlp_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *files);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int m;
        if (only_files || a[0] != '-' || a[1] == '\0') {
            files[nfiles++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(files);
            usage(stdout);
            return fflush(stdout) == 0 && !ferror(stdout) ? HLP_OK : HLP_ERR;
        }
        if (strcmp(a, "--no-dpkg") == 0) {
            o.use_dpkg = 0;
            continue;
        }
        if ((m = hlp_opt(argc, argv, &i, 'p', "pid", &val)) != 0 ||
            (m = hlp_opt(argc, argv, &i, 'o', "output", &val)) != 0 ||
            (m = hlp_opt(argc, argv, &i, 0, "debug-dir", &val)) != 0) {
            if (m < 0) {
                hlp_err("option '%s' needs a value", a);
                goto usage_err;
            }
            if (a[1] == 'p' || strncmp(a, "--pid", 5) == 0)
                pidarg = val;
            else if (a[1] == 'o' || strncmp(a, "--output", 8) == 0)
                outpath = val;
            else
                o.debugdir = val;
            continue;
        }
        hlp_err("unknown option '%s'", a);
        goto usage_err;
    }
    if (!pidarg == !nfiles) {
        hlp_err(pidarg ? "-p and FILE arguments exclude each other" : "give -p PID or FILEs");
        goto usage_err;
    }
    if (pidarg && !hlp_parse_pid(pidarg, &pid)) {
        hlp_err("bad PID '%s'", pidarg);
        goto usage_err;
    }
    if (o.debugdir[0] != '/') {
        hlp_err("--debug-dir needs an absolute path");
        goto usage_err;
    }
    elf_version(EV_CURRENT);
    o.out = hlp_out_open(outpath);
    if (!o.out) {
        free(files);
        return HLP_ERR;
    }
    if (pidarg)
        ok = check_pid(&o, pid);
    nerr_before = o.nerrors;
    for (k = 0; k < nfiles; k++) {
        const char *why;
        target t;
        memset(&t, 0, sizeof t);
        t.path = t.hostpath = files[k];
        t.pkg = 1;
        t.fd = hlp_open_file(files[k], &why);
        if (t.fd < 0)
            report(&o, ST_ERROR, files[k], why);
        else
            check_file(&o, &t);
    }
    /* a FILE that cannot be checked is an error; in a process, a mapping
     * that vanished is only reported */
    if (nfiles && o.nerrors > nerr_before)
        ok = 0;
    rc = hlp_out_close(o.out, ok);
    free(files);
    if (rc || !ok)
        return HLP_ERR;
    return o.nmissing ? 3 : HLP_OK;

usage_err:
    free(files);
    fprintf(stderr, "usage: %s (-p PID | FILE...) [options]  (--help for more)\n", hlp_prog);
    return HLP_USAGE;
}
