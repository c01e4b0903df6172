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

/* /proc/PID/maps is read whole; a process with more mapped text than this
 * is not one we can help with. */
#define MAPS_MAX (64u << 20)

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
    int fd = open(path, O_RDONLY | O_CLOEXEC), ok = 0;
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

static int same_file(const char *a, const char *b)
{
    struct stat x, y;
    return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
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

static void report(opts *o, enum status st, const char *path, const char *detail)
{
    static const char *const names[] = {"ok", "remote", "missing", "error"};
    fprintf(o->out, "%-8s %s (%s)\n", names[st], path, detail);
    if (st == ST_ERROR && o->out != stdout)
        hlp_err("%s: %s", path, detail); /* the output file may never appear */
    if (st == ST_MISSING)
        o->nmissing++;
    if (st == ST_ERROR)
        o->nerrors++;
    o->nfiles++;
}

/* Checks one file.  quiet_nonelf: mapped data files (locale archives,
 * caches) are skipped rather than reported. */
static void check_file(opts *o, const char *path, int quiet_nonelf)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
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
    if (fd < 0) {
        hlp_sb_printf(&detail, "cannot open: %s", strerror(errno));
        report(o, ST_ERROR, path, detail.s);
        hlp_sb_free(&detail);
        return;
    }
    e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (!e || elf_kind(e) != ELF_K_ELF) {
        if (!quiet_nonelf)
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

    /* a separate debug file by build-id: DIR/.build-id/xx/rest.debug */
    if (st != ST_OK && idn > 1) {
        hlp_sb_printf(&cand, "%s/.build-id/%.2s/%s.debug", o->debugdir, idhex, idhex + 2);
        if (file_has_dwarf(cand.s, id, (size_t)idn)) {
            st = ST_OK;
            hlp_sb_printf(&detail, "build-id: %s", cand.s);
        }
    }
    /* by .gnu_debuglink: beside the file, in .debug/, under DIR */
    if (st != ST_OK && linkname) {
        const char *slash = strrchr(path, '/');
        size_t dlen = slash ? (size_t)(slash - path) : 0;
        int k;
        for (k = 0; k < 3 && st != ST_OK; k++) {
            cand.len = 0;
            if (k == 0)
                hlp_sb_printf(&cand, "%.*s/%s", (int)dlen, path, linkname);
            else if (k == 1)
                hlp_sb_printf(&cand, "%.*s/.debug/%s", (int)dlen, path, linkname);
            else
                hlp_sb_printf(&cand, "%s%.*s/%s", o->debugdir, (int)dlen, path, linkname);
            if (!same_file(cand.s, path) && file_has_dwarf(cand.s, idn ? id : NULL, (size_t)idn)) {
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
        if (o->use_dpkg && package_of(path, &pkg))
            hlp_sb_printf(&detail, "; package %s: install %s-dbgsym (or %s-dbg)", pkg.s, pkg.s,
                          pkg.s);
        else if (o->use_dpkg)
            hlp_sb_puts(&detail, "; no Debian package owns it");
        hlp_sb_free(&pkg);
    }
    report(o, st, path, detail.s);
    hlp_sb_free(&cand);
    hlp_sb_free(&detail);
    free(linkname);
}

/* ---- a process's files ------------------------------------------------------ */

/* Reads /proc/PID/maps whole (so a process exiting half-way cannot cut it)
 * and checks each mapped file once, in the order they first appear. */
static int check_pid(opts *o, int pid)
{
    char path[64], buf[65536];
    hlp_sb maps = {0};
    char **seen = NULL;
    size_t nseen = 0, i;
    int fd;
    ssize_t r;
    char *line;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hlp_err("process %d: cannot read %s: %s", pid, path,
                errno == ENOENT ? "no such process" : strerror(errno));
        return 0;
    }
    while ((r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            hlp_err("process %d: reading %s: %s", pid, path, strerror(errno));
            close(fd);
            hlp_sb_free(&maps);
            return 0;
        }
        if (maps.len + (size_t)r > MAPS_MAX) {
            hlp_err("process %d: %s is larger than %u bytes", pid, path, (unsigned)MAPS_MAX);
            close(fd);
            hlp_sb_free(&maps);
            return 0;
        }
        hlp_sb_put(&maps, buf, (size_t)r);
    }
    close(fd);
    if (!maps.len) {
        /* a zombie or a kernel thread has no mappings */
        hlp_err("process %d has no mappings (exited, or a kernel thread)", pid);
        return 0;
    }
    /* "start-end perms offset dev inode   path": the path is the 6th field */
    for (line = maps.s; line && *line;) {
        char *nl = strchr(line, '\n'), *p = line;
        int field;
        size_t len;
        if (nl)
            *nl = '\0';
        for (field = 0; field < 5 && *p; field++) {
            while (*p && *p != ' ')
                p++;
            while (*p == ' ')
                p++;
        }
        len = strlen(p);
        if (field == 5 && p[0] == '/') {
            int deleted = len > 10 && strcmp(p + len - 10, " (deleted)") == 0;
            for (i = 0; i < nseen && strcmp(seen[i], p) != 0; i++)
                ;
            if (i == nseen) {
                char **grown = realloc(seen, (nseen + 1) * sizeof *seen);
                if (!grown) {
                    hlp_err("out of memory");
                    exit(HLP_ERR);
                }
                seen = grown;
                seen[nseen++] = p;
                if (deleted)
                    report(o, ST_ERROR, p, "deleted since it was mapped: cannot be checked");
                else
                    check_file(o, p, 1);
            }
        }
        line = nl ? nl + 1 : NULL;
    }
    free(seen);
    hlp_sb_free(&maps);
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
            "  error    the file cannot be read, is not ELF, or was deleted\n"
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
    for (k = 0; k < nfiles; k++)
        check_file(&o, files[k], 0);
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
