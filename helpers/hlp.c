/* Shared pieces of the helper commands; see hlp.h. */
#include "hlp.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

const char *hlp_prog = "helper";

void hlp_set_prog(const char *argv0, const char *fallback)
{
    const char *s;
    if (!argv0 || !*argv0) {
        hlp_prog = fallback;
        return;
    }
    s = strrchr(argv0, '/');
    hlp_prog = s && s[1] ? s + 1 : argv0;
}

void hlp_err(const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "%s: ", hlp_prog);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static void oom(void)
{
    hlp_err("out of memory");
    exit(HLP_ERR);
}

void *hlp_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        oom();
    return p;
}

void *hlp_xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (!p)
        oom();
    return p;
}

char *hlp_xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = hlp_xmalloc(n);
    memcpy(p, s, n);
    return p;
}

static void sb_grow(hlp_sb *b, size_t extra)
{
    size_t need, cap;
    char *p;
    if (extra > SIZE_MAX / 2 - b->len)
        oom();
    need = b->len + extra + 1;
    if (need <= b->cap)
        return;
    cap = b->cap ? b->cap : 256;
    while (cap < need)
        cap *= 2;
    p = realloc(b->s, cap);
    if (!p)
        oom();
    b->s = p;
    b->cap = cap;
}

void hlp_sb_put(hlp_sb *b, const char *s, size_t n)
{
    sb_grow(b, n);
    if (n)
        memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void hlp_sb_puts(hlp_sb *b, const char *s)
{
    hlp_sb_put(b, s, strlen(s));
}

void hlp_sb_putc(hlp_sb *b, char c)
{
    hlp_sb_put(b, &c, 1);
}

void hlp_sb_printf(hlp_sb *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    char small[256];
    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        hlp_sb_put(b, small, (size_t)n);
        return;
    }
    sb_grow(b, (size_t)n);
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void hlp_sb_free(hlp_sb *b)
{
    free(b->s);
    b->s = NULL;
    b->len = b->cap = 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

size_t hlp_hex(const char *s, size_t n, unsigned long long *v)
{
    unsigned long long x = 0;
    size_t i;
    int d;
    for (i = 0; i < n && (d = hexval(s[i])) >= 0; i++) {
        if (x >> 60)
            return 0; /* would not fit 64 bits */
        x = x << 4 | (unsigned)d;
    }
    if (i)
        *v = x;
    return i;
}

int hlp_parse_u64(const char *s, unsigned long long *v)
{
    unsigned long long x = 0;
    size_t n;
    if (!s || !*s)
        return 0;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        n = strlen(s + 2);
        return n && hlp_hex(s + 2, n, v) == n;
    }
    for (; *s; s++) {
        if (*s < '0' || *s > '9' || x > (ULLONG_MAX - (unsigned)(*s - '0')) / 10)
            return 0;
        x = x * 10 + (unsigned)(*s - '0');
    }
    *v = x;
    return 1;
}

int hlp_parse_pid(const char *s, int *pid)
{
    unsigned long long v;
    if (!s || !*s || s[0] == '0' || !hlp_parse_u64(s, &v) || v > INT_MAX)
        return 0;
    *pid = (int)v;
    return 1;
}

int hlp_opt(int argc, char **argv, int *i, char s, const char *lng, const char **val)
{
    const char *a = argv[*i];
    size_t ll = strlen(lng);
    if (s && a[0] == '-' && a[1] == s) {
        if (a[2]) {
            *val = a + 2;
            return 1;
        }
    } else if (a[0] == '-' && a[1] == '-' && strncmp(a + 2, lng, ll) == 0 &&
               (a[2 + ll] == '\0' || a[2 + ll] == '=')) {
        if (a[2 + ll] == '=') {
            *val = a + 3 + ll;
            return 1;
        }
    } else {
        return 0;
    }
    if (*i + 1 >= argc)
        return -1;
    *val = argv[++*i];
    return 1;
}

/* ---- output that appears whole or not at all ---------------------------- */

static char *out_tmp;   /* the temporary file while one is open */
static char *out_final; /* its final name */

static void out_on_signal(int sig)
{
    /* unlink() is async-signal-safe; then die of the same signal */
    if (out_tmp)
        unlink(out_tmp);
    signal(sig, SIG_DFL);
    raise(sig);
}

FILE *hlp_out_open(const char *path)
{
    static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGPIPE};
    size_t n, i;
    int fd;
    FILE *f;
    struct stat st;
    if (!path || strcmp(path, "-") == 0)
        return stdout;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        /* a device or FIFO cannot be replaced by rename: write to it */
        f = fopen(path, "w");
        if (!f)
            hlp_err("cannot open '%s': %s", path, strerror(errno));
        return f;
    }
    n = strlen(path);
    out_tmp = hlp_xmalloc(n + 8);
    memcpy(out_tmp, path, n);
    memcpy(out_tmp + n, ".XXXXXX", 8);
    fd = mkstemp(out_tmp);
    if (fd < 0) {
        hlp_err("cannot create a temporary file for '%s': %s", path, strerror(errno));
        free(out_tmp);
        out_tmp = NULL;
        return NULL;
    }
    f = fdopen(fd, "w");
    if (!f) {
        hlp_err("cannot open '%s': %s", out_tmp, strerror(errno));
        close(fd);
        unlink(out_tmp);
        free(out_tmp);
        out_tmp = NULL;
        return NULL;
    }
    {
        /* mkstemp makes 0600; give the result the mode fopen would */
        mode_t um = umask(0);
        umask(um);
        if (fchmod(fd, 0666 & ~um) != 0) {
            /* harmless: the file stays private */
        }
    }
    out_final = hlp_xstrdup(path);
    for (i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        signal(sigs[i], out_on_signal);
    return f;
}

int hlp_out_close(FILE *f, int ok)
{
    int rc = 0;
    if (fflush(f) != 0 || ferror(f)) {
        hlp_err("write error: %s", strerror(errno));
        rc = 1;
    }
    if (f == stdout)
        return rc;
    if (fclose(f) != 0 && !rc) {
        hlp_err("write error: %s", strerror(errno));
        rc = 1;
    }
    if (out_tmp) {
        if (ok && !rc && rename(out_tmp, out_final) != 0) {
            hlp_err("cannot rename '%s' to '%s': %s", out_tmp, out_final, strerror(errno));
            rc = 1;
        }
        if (!ok || rc)
            unlink(out_tmp);
        free(out_tmp);
        free(out_final);
        out_tmp = out_final = NULL;
    }
    return rc;
}

/* ---- files on an untrusted host ---------------------------------------- */

const char *hlp_kind(unsigned mode)
{
    if (S_ISFIFO(mode))
        return "a FIFO";
    if (S_ISCHR(mode))
        return "a character device";
    if (S_ISBLK(mode))
        return "a block device";
    if (S_ISSOCK(mode))
        return "a socket";
    if (S_ISDIR(mode))
        return "a directory";
    return "not a regular file";
}

static char why_buf[160];

static const char *why_kind(unsigned mode)
{
    snprintf(why_buf, sizeof why_buf, "%s, not a regular file: not read", hlp_kind(mode));
    return why_buf;
}

static const char *why_errno(int e)
{
    snprintf(why_buf, sizeof why_buf, "cannot open: %s", strerror(e));
    return why_buf;
}

int hlp_open_file(const char *path, const char **why)
{
    struct stat st;
    int fd, fl;
    /* stat first: opening a device can have effects even without reading */
    if (stat(path, &st) != 0) {
        *why = why_errno(errno);
        return -1;
    }
    if (!S_ISREG(st.st_mode)) {
        *why = why_kind(st.st_mode);
        return -1;
    }
    /* O_NONBLOCK: a FIFO put there since the stat must not block open() */
    fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        *why = why_errno(errno);
        return -1;
    }
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        *why = why_kind(st.st_mode);
        close(fd);
        return -1;
    }
    fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
    return fd;
}

void hlp_sb_escaped(hlp_sb *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c == 0x7f || c == '\\')
            hlp_sb_printf(b, "\\%03o", c);
        else
            hlp_sb_putc(b, (char)c);
    }
}

/* /proc/PID/maps is read whole; a process with more mappings than this is
 * not one the helpers can help with. */
#define MAPS_MAX (64u << 20)

/* A decimal or hex field of a maps line at *p, then the blank after it. */
static int maps_num(char **p, int hex, char stop, unsigned long long *v)
{
    size_t n = 0;
    unsigned long long x = 0;
    char *s = *p;
    if (hex) {
        n = hlp_hex(s, strlen(s), &x);
    } else {
        for (; s[n] >= '0' && s[n] <= '9'; n++) {
            if (x > (ULLONG_MAX - (unsigned)(s[n] - '0')) / 10)
                return 0;
            x = x * 10 + (unsigned)(s[n] - '0');
        }
    }
    if (!n || s[n] != stop)
        return 0;
    *v = x;
    *p = s + n + 1;
    return 1;
}

int hlp_maps_read(int pid, hlp_sb *buf, hlp_map **maps, size_t *n)
{
    char path[64], chunk[65536];
    int fd;
    ssize_t r;
    size_t cap = 0;
    char *line;
    *maps = NULL;
    *n = 0;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        hlp_err("process %d: cannot read %s: %s", pid, path,
                errno == ENOENT ? "no such process" : strerror(errno));
        return 0;
    }
    while ((r = read(fd, chunk, sizeof chunk)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            hlp_err("process %d: reading %s: %s", pid, path, strerror(errno));
            close(fd);
            return 0;
        }
        if (buf->len + (size_t)r > MAPS_MAX) {
            hlp_err("process %d: %s is larger than %u bytes", pid, path, (unsigned)MAPS_MAX);
            close(fd);
            return 0;
        }
        hlp_sb_put(buf, chunk, (size_t)r);
    }
    close(fd);
    if (!buf->len) {
        /* a zombie or a kernel thread has no mappings */
        hlp_err("process %d has no mappings (exited, or a kernel thread)", pid);
        return 0;
    }
    /* "start-end perms offset major:minor inode   name"; the kernel writes
     * a newline in a name as \012, so each mapping is one line */
    for (line = buf->s; line && *line;) {
        char *nl = strchr(line, '\n'), *p = line;
        unsigned long long maj, min;
        hlp_map m;
        if (nl)
            *nl = '\0';
        memset(&m, 0, sizeof m);
        if (maps_num(&p, 1, '-', &m.start) && maps_num(&p, 1, ' ', &m.end) &&
            (p = strchr(p, ' ')) != NULL && (p++, maps_num(&p, 1, ' ', &m.offset)) &&
            maps_num(&p, 1, ':', &maj) && maps_num(&p, 1, ' ', &min) &&
            (maps_num(&p, 0, ' ', &m.inode) || maps_num(&p, 0, '\0', &m.inode))) {
            if (p > line && p[-1] == '\0')
                p--; /* a line without a name */
            while (*p == ' ')
                p++;
            m.major = (unsigned)maj;
            m.minor = (unsigned)min;
            m.name = p;
            if (*n == cap) {
                hlp_map *g;
                cap = cap ? 2 * cap : 64;
                g = realloc(*maps, cap * sizeof *g);
                if (!g)
                    oom();
                *maps = g;
            }
            (*maps)[(*n)++] = m;
        }
        line = nl ? nl + 1 : NULL;
    }
    return 1;
}

int hlp_pid_foreign(int pid)
{
    char a[64], b[64];
    struct stat x, y;
    snprintf(a, sizeof a, "/proc/%d/root", pid);
    if (stat(a, &x) != 0 || stat("/", &y) != 0 || x.st_dev != y.st_dev || x.st_ino != y.st_ino)
        return 1;
    snprintf(b, sizeof b, "/proc/%d/ns/mnt", pid);
    if (stat(b, &x) != 0 || stat("/proc/self/ns/mnt", &y) != 0)
        return 0; /* no namespaces in this kernel: one file system */
    return x.st_ino != y.st_ino || x.st_dev != y.st_dev;
}

static const char deleted_tail[] = " (deleted)";

static int ends_deleted(const char *s, size_t n)
{
    size_t k = sizeof deleted_tail - 1;
    return n > k && memcmp(s + n - k, deleted_tail, k) == 0;
}

/* The kernel escapes only the newline in maps names (as \012). */
static char *maps_unescape(const char *s)
{
    hlp_sb b = {0};
    hlp_sb_puts(&b, "");
    for (; *s; s++) {
        if (strncmp(s, "\\012", 4) == 0) {
            hlp_sb_putc(&b, '\n');
            s += 3;
        } else {
            hlp_sb_putc(&b, *s);
        }
    }
    return b.s;
}

/* memfd, SysV shm and shared /dev/zero mappings: memory on the kernel's
 * internal tmpfs, named so by the kernel, never reachable by that path. */
static int anon_name(const char *s)
{
    size_t n = strlen(s), i;
    if (!ends_deleted(s, n))
        return 0;
    n -= sizeof deleted_tail - 1;
    if (strncmp(s, "/memfd:", 7) == 0)
        return 1;
    if (n == 13 && strncmp(s, "/SYSV", 5) == 0) {
        for (i = 5; i < 13 && strchr("0123456789abcdef", s[i]); i++)
            ;
        return i == 13;
    }
    return n == 9 && strncmp(s, "/dev/zero", 9) == 0;
}

static char *host_path(int pid, int foreign, const char *path)
{
    hlp_sb b = {0};
    if (foreign)
        hlp_sb_printf(&b, "/proc/%d/root", pid);
    hlp_sb_puts(&b, path);
    return b.s;
}

/* 1 if st is the mapped file: map_files' stat if there was one, else the
 * maps line's device and inode. */
static int is_mapped(const struct stat *st, const struct stat *mst, const hlp_map *m)
{
    if (mst)
        return st->st_dev == mst->st_dev && st->st_ino == mst->st_ino;
    return st->st_ino == m->inode && major(st->st_dev) == m->major &&
           minor(st->st_dev) == m->minor;
}

void hlp_mapped_open(int pid, int foreign, const hlp_map *m, hlp_mapped *f)
{
    char mf[96];
    struct stat mst, st;
    int have_mf, i, matched = -1;
    char *cand[4] = {NULL, NULL, NULL, NULL};
    memset(f, 0, sizeof *f);
    f->fd = -1;
    snprintf(mf, sizeof mf, "/proc/%d/map_files/%llx-%llx", pid, m->start, m->end);
    have_mf = stat(mf, &mst) == 0;
    /* which path is the mapped file: the name unescaped or as written
     * (a real backslash), with or without the " (deleted)" the kernel
     * adds, or none (deleted or replaced since it was mapped) */
    cand[0] = maps_unescape(m->name);
    cand[1] = hlp_xstrdup(m->name);
    for (i = 0; i < 2; i++) {
        size_t n = strlen(cand[i]);
        if (ends_deleted(cand[i], n)) {
            cand[i + 2] = hlp_xstrdup(cand[i]);
            cand[i + 2][n - (sizeof deleted_tail - 1)] = '\0';
        }
    }
    for (i = 0; i < 4 && matched < 0; i++) {
        char *hp;
        if (!cand[i])
            continue;
        hp = host_path(pid, foreign, cand[i]);
        if (stat(hp, &st) == 0 && is_mapped(&st, have_mf ? &mst : NULL, m))
            matched = i;
        free(hp);
    }
    if (matched < 0 && anon_name(m->name)) {
        f->anon = 1;
        f->path = cand[2];
        cand[2] = NULL;
    } else {
        i = matched >= 0 ? matched : cand[2] ? 2 : 0;
        f->path = cand[i];
        cand[i] = NULL;
        f->hostpath = host_path(pid, foreign, f->path);
        f->deleted = matched < 0;
    }
    for (i = 0; i < 4; i++)
        free(cand[i]);
    if (have_mf && !S_ISREG(mst.st_mode)) {
        f->special = 1; /* a device's memory (a GPU, a frame buffer) */
        return;
    }
    if (have_mf)
        f->fd = hlp_open_file(mf, &f->why);
    if (f->fd < 0 && f->path && !f->deleted) {
        f->fd = hlp_open_file(f->hostpath, &f->why);
        /* the path may have been renamed over between the stat and here */
        if (f->fd >= 0 && (fstat(f->fd, &st) != 0 || !is_mapped(&st, have_mf ? &mst : NULL, m))) {
            close(f->fd);
            f->fd = -1;
            f->deleted = 1;
        }
    }
    if (f->fd < 0 && f->deleted)
        f->why = have_mf ? "deleted or replaced since it was mapped, and its mapping is gone"
                         : "deleted or replaced since it was mapped, and /proc/PID/map_files "
                           "(root only) cannot be read: cannot be checked";
}

void hlp_mapped_free(hlp_mapped *f)
{
    if (f->fd >= 0)
        close(f->fd);
    free(f->path);
    free(f->hostpath);
    f->fd = -1;
    f->path = f->hostpath = NULL;
}
