/* Shared pieces of the helper commands (check-debug-info, resolve-inlines,
 * resolve-src-lines): messages, a string builder, number parsing, option
 * values and an output file that only appears once it is complete. */
#ifndef STAPGEN_HLP_H
#define STAPGEN_HLP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

/* Exit statuses shared by the helpers. */
enum { HLP_OK = 0, HLP_ERR = 1, HLP_USAGE = 2 };

/* The program name used in messages (basename of argv[0]). */
extern const char *hlp_prog;
void hlp_set_prog(const char *argv0, const char *fallback);

/* "PROG: message" on stderr. */
void hlp_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte string; on allocation failure it exits (status 1): the
 * helpers have no useful way to go on without memory. */
typedef struct {
    char *s;
    size_t len, cap;
} hlp_sb;

void hlp_sb_put(hlp_sb *b, const char *s, size_t n);
void hlp_sb_puts(hlp_sb *b, const char *s);
void hlp_sb_putc(hlp_sb *b, char c);
void hlp_sb_printf(hlp_sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void hlp_sb_free(hlp_sb *b);
void *hlp_xmalloc(size_t n);
void *hlp_xcalloc(size_t n, size_t size);
char *hlp_xstrdup(const char *s);

/* Parses an unsigned number, "0x" hex or decimal, the whole of s.
 * 1 on success, 0 on garbage or overflow. */
int hlp_parse_u64(const char *s, unsigned long long *v);
/* Parses a PID (1 .. INT_MAX).  1 on success. */
int hlp_parse_pid(const char *s, int *pid);
/* Hex digits at s[0..n) with overflow check: returns the count of digits
 * used (0 if none or if the value does not fit 64 bits). */
size_t hlp_hex(const char *s, size_t n, unsigned long long *v);

/* Matches argv[*i] against -s / --lng; takes the value from "-sVAL",
 * "--lng=VAL" or the next argument.  1 matched, 0 not, -1 value missing. */
int hlp_opt(int argc, char **argv, int *i, char s, const char *lng, const char **val);

/* Output to PATH (or stdout when PATH is NULL or "-"): written to a
 * temporary file beside PATH and renamed over it by hlp_out_close(ok=1),
 * so PATH never holds partial output; removed on failure or on SIGINT,
 * SIGTERM, SIGHUP or SIGPIPE.  NULL (and a message) on error. */
FILE *hlp_out_open(const char *path);
/* Finishes the output: 0 on success, 1 on a write error (reported). */
int hlp_out_close(FILE *f, int ok);

/* ---- files on an untrusted host --------------------------------------- */

/* Opens PATH read-only without ever blocking: anything but a regular file
 * (a FIFO, a device, a socket, a directory) is refused before it is opened
 * (stat), and a FIFO swapped in meanwhile cannot block the open either
 * (O_NONBLOCK, then fstat; O_NONBLOCK is cleared again).  Returns the fd,
 * or -1 with *why set to a phrase: "a FIFO, not a regular file: not read"
 * or "cannot open: REASON" (static storage, valid until the next call). */
int hlp_open_file(const char *path, const char **why);
/* "a FIFO", "a character device", ... for a non-regular file's mode. */
const char *hlp_kind(unsigned mode);

/* Appends s with control characters and '\\' as \ooo (as the kernel
 * prints a newline in /proc/PID/maps: \012), so a hostile file name can
 * neither split an output line nor write escape sequences to a terminal. */
void hlp_sb_escaped(hlp_sb *b, const char *s);

/* One line of /proc/PID/maps. */
typedef struct {
    unsigned long long start, end, offset, inode;
    unsigned major, minor;
    const char *name; /* the kernel's text: a newline in it is "\012", a
                         deleted file ends in " (deleted)"; "" if none */
} hlp_map;

/* Reads /proc/PID/maps whole (so a process exiting half-way cannot cut it)
 * into buf and parses it into *maps (*n of them; free *maps).  0 (and a
 * message naming the process) on error. */
int hlp_maps_read(int pid, hlp_sb *buf, hlp_map **maps, size_t *n);

/* 1 if process pid sees another file system than this one (another mount
 * namespace or root): its paths then do not name files here. */
int hlp_pid_foreign(int pid);

/* A file a process has mapped, as it sees it. */
typedef struct {
    int fd;         /* open, read-only, a regular file; -1 if not opened */
    char *path;     /* the process's path of it (unescaped, without the
                       " (deleted)" the kernel adds); for anon, the
                       kernel's name ("/memfd:NAME") */
    char *hostpath; /* the same path seen from here: PATH, or
                       /proc/PID/root/PATH for a foreign process; NULL
                       for anon */
    int deleted;    /* the file at path is not the mapped one any more */
    int anon;       /* memfd, SysV shm or shared /dev/zero: memory, not a file */
    int special;    /* the mapped file is not a regular file (a device) */
    const char *why; /* fd == -1 && !special && !anon: why it is not open */
} hlp_mapped;

/* Opens the file of mapping m of process pid (foreign: hlp_pid_foreign's
 * answer): through
 * /proc/PID/map_files/START-END (exactly the mapped file, even when it was
 * deleted or lies in another mount namespace; needs CAP_SYS_ADMIN), else
 * through /proc/PID/root/PATH if that is still the mapped file (same
 * inode).  Never blocks (hlp_open_file).  Free with hlp_mapped_free(). */
void hlp_mapped_open(int pid, int foreign, const hlp_map *m, hlp_mapped *f);
void hlp_mapped_free(hlp_mapped *f);

#endif
