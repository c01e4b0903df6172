/* Shared pieces of the helper commands; see hlp.h. */
#include "hlp.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
