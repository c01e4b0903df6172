/* The engine of resolve-inlines and resolve-src-lines; see resolve.h. */
#include "resolve.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <gelf.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Longer lines are copied through unchanged, so memory stays bounded. */
#ifndef RS_MAX_LINE
#define RS_MAX_LINE (16u << 20)
#endif
/* The address cache is emptied when it reaches this many entries. */
#define RS_CACHE_MAX (1u << 18)

/* ---- the libdwfl session -------------------------------------------------- */

typedef struct {
    const char *name; /* into the module's symbol table strings */
    unsigned long long addr, size;
    int rank; /* binding: global 2, weak 1, local 0 */
    int func; /* STT_FUNC or STT_GNU_IFUNC */
} sym_ent;

/* A module's function symbols by name (symbol+offset frames) and by address
 * (dwfl_module_addrinfo scans the whole table on every call). */
typedef struct {
    sym_ent *v, *byaddr;
    size_t n;
} sym_index;

static sym_index *module_index(Dwfl_Module *mod);
static const sym_ent *sym_at(Dwfl_Module *mod, const sym_index *ix, unsigned long long a);

typedef struct {
    unsigned long long pc; /* the runtime address */
    int adjust;            /* looked up as a return address */
    int used;
    rs_loc *loc; /* NULL: nothing there */
} cache_ent;

typedef struct {
    Dwfl *dwfl;
    Dwfl_Callbacks cb;
    char *debugpath;
    int elf_mode;            /* -e: one file, addresses less bias */
    unsigned long long bias; /* -b */
    cache_ent *cache;
    size_t cap, count;
    const char *debugdir; /* --debug-dir, or /usr/lib/debug */
    /* -p: the process, and its maps as read at the start */
    int pid, foreign;
    char *root; /* "/proc/PID/root" if foreign, else NULL */
    hlp_sb mapsbuf;
    hlp_map *maps;
    size_t nmaps;
} session;

/* The callbacks below get no argument of ours: there is one session. */
static session *the_session;

/* ---- opening files without trusting them ------------------------------------ */

/* -p: a module's ELF file, read through /proc/PID/map_files (the very file
 * mapped, also in another mount namespace or when deleted), never a FIFO
 * or device (hlp_mapped_open).  libdwfl's dwfl_linux_proc_find_elf would
 * open the path the process sees, here, with a blocking open(). */
static int proc_find_elf(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr base,
                         char **file_name, Elf **elfp)
{
    session *s = the_session;
    Dwarf_Addr lo = 0, hi = 0;
    hlp_mapped f;
    size_t i;
    int fd;
    if (name[0] != '/') /* "[vdso: PID]": libdwfl reads it from memory */
        return dwfl_linux_proc_find_elf(mod, ud, name, base, file_name, elfp);
    dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
    for (i = 0; i < s->nmaps; i++)
        if (strcmp(s->maps[i].name, name) == 0 && s->maps[i].start >= lo && s->maps[i].end <= hi)
            break;
    if (i == s->nmaps) {
        hlp_err("process %d: %s: not in its maps any more: not read", s->pid, name);
        return -1;
    }
    hlp_mapped_open(s->pid, s->foreign, &s->maps[i], &f);
    if (f.fd < 0) { /* memfd or shm without map_files, a device: silently */
        if (!f.anon && !f.special)
            hlp_err("process %d: %s: %s", s->pid, name, f.why);
        hlp_mapped_free(&f);
        return -1;
    }
    if (f.deleted)
        hlp_err("process %d: %s: deleted or replaced since it was mapped: the mapped file is read",
                s->pid, name);
    /* the name debug files are searched beside (a memfd's has no
     * directory: what is found there must still match its build-id) */
    *file_name = hlp_xstrdup(f.hostpath ? f.hostpath : f.path);
    fd = f.fd;
    f.fd = -1;
    hlp_mapped_free(&f);
    return fd;
}

/* The CRC-32 (IEEE, as .gnu_debuglink uses) of the file at fd. */
static int file_crc(int fd, GElf_Word *crc)
{
    static unsigned long tab[256];
    unsigned char buf[65536];
    unsigned long c = 0xffffffffUL;
    ssize_t r, k;
    unsigned i, j;
    if (!tab[1])
        for (i = 0; i < 256; i++) {
            unsigned long v = i;
            for (j = 0; j < 8; j++)
                v = v & 1 ? 0xedb88320UL ^ (v >> 1) : v >> 1;
            tab[i] = v;
        }
    if (lseek(fd, 0, SEEK_SET) != 0)
        return 0;
    while ((r = read(fd, buf, sizeof buf)) != 0) {
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return 0;
        }
        for (k = 0; k < r; k++)
            c = tab[(c ^ buf[k]) & 0xff] ^ (c >> 8);
    }
    *crc = (GElf_Word)(c ^ 0xffffffffUL);
    return 1;
}

/* The build-id of the ELF file at fd into id (at most 64 bytes). */
static size_t fd_build_id(int fd, unsigned char *id)
{
    Elf *e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    const void *p;
    ssize_t n = e ? dwelf_elf_gnu_build_id(e, &p) : -1;
    size_t r = 0;
    if (n > 0 && n <= 64) {
        memcpy(id, p, (size_t)n);
        r = (size_t)n;
    }
    if (e)
        elf_end(e);
    return r;
}

/* 1 if file's .gnu_debugaltlink names alt (a dwz multi-file): its
 * build-id into id, *n. */
static int alt_link(const char *file, const char *alt, unsigned char *id, size_t *n)
{
    const char *why;
    int fd = hlp_open_file(file, &why), found = 0;
    Elf *e;
    Elf_Scn *scn = NULL;
    size_t shstr;
    if (fd < 0)
        return 0;
    e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (e && elf_getshdrstrndx(e, &shstr) == 0)
        while (!found && (scn = elf_nextscn(e, scn)) != NULL) {
            GElf_Shdr sh;
            const char *nm;
            Elf_Data *d;
            size_t len;
            if (!gelf_getshdr(scn, &sh) || !(nm = elf_strptr(e, shstr, sh.sh_name)) ||
                strcmp(nm, ".gnu_debugaltlink") != 0 || !(d = elf_getdata(scn, NULL)) ||
                !d->d_buf)
                continue;
            len = strnlen(d->d_buf, d->d_size);
            if (len < d->d_size && strcmp(d->d_buf, alt) == 0 && d->d_size - len - 1 <= 64) {
                *n = d->d_size - len - 1;
                memcpy(id, (const char *)d->d_buf + len + 1, *n);
                found = *n > 0;
            }
        }
    if (e)
        elf_end(e);
    close(fd);
    return found;
}

/* Separate debug files.  libdwfl's dwfl_standard_find_debuginfo opens the
 * .gnu_debuglink candidates beside the file with a blocking open(): a FIFO
 * put there by the file's owner would hang us.  So: build-id under the
 * debug directories (absolute ones, chosen by root) by libdwfl; the
 * debuglink (or dwz .gnu_debugaltlink) candidates here, with
 * hlp_open_file and the same checks (build-id, else the CRC); then, with
 * DEBUGINFOD_URLS, libdwfl again without names: build-id and debuginfod. */
static int safe_find_debuginfo(Dwfl_Module *mod, void **ud, const char *modname, GElf_Addr base,
                               const char *file_name, const char *link, GElf_Word crc,
                               char **debuginfo_file_name)
{
    session *s = the_session;
    const unsigned char *bits = NULL;
    unsigned char want[64], got[64];
    size_t nwant = 0, rootlen = s->root ? strlen(s->root) : 0;
    GElf_Addr vaddr;
    GElf_Word got32;
    int fd, alt = 0, k, nbits;
    const char *urls;
    fd = dwfl_build_id_find_debuginfo(mod, ud, modname, base, file_name, link, crc,
                                      debuginfo_file_name);
    if (fd >= 0)
        return fd;
    /* a container's own debug directory, by build-id */
    if (s->root && !(link && crc == 0) &&
        (nbits = dwfl_module_build_id(mod, &bits, &vaddr)) > 1 && nbits <= 64) {
        hlp_sb cand = {0};
        const char *why;
        int j;
        hlp_sb_printf(&cand, "%s%s/.build-id/%02x/", s->root, s->debugdir, bits[0]);
        for (j = 1; j < nbits; j++)
            hlp_sb_printf(&cand, "%02x", bits[j]);
        hlp_sb_puts(&cand, ".debug");
        if ((fd = hlp_open_file(cand.s, &why)) >= 0) {
            if (fd_build_id(fd, got) == (size_t)nbits && memcmp(got, bits, (size_t)nbits) == 0) {
                *debuginfo_file_name = cand.s;
                return fd;
            }
            close(fd);
        }
        hlp_sb_free(&cand);
    }
    if (link && *link && file_name) {
        hlp_sb cand = {0};
        /* the directory as the process sees it, and as seen from here */
        const char *hdir = file_name, *hslash = strrchr(file_name, '/'), *pdir, *pslash;
        size_t hlen = hslash ? (size_t)(hslash - hdir) : 0, plen;
        pdir = rootlen && strncmp(hdir, s->root, rootlen) == 0 ? hdir + rootlen : hdir;
        pslash = strrchr(pdir, '/');
        plen = pslash ? (size_t)(pslash - pdir) : 0;
        alt = crc == 0 && alt_link(file_name, link, want, &nwant);
        if (!alt && (nbits = dwfl_module_build_id(mod, &bits, &vaddr)) > 0 && nbits <= 64) {
            memcpy(want, bits, (size_t)nbits);
            nwant = (size_t)nbits;
        }
        for (k = 0; k < 5; k++) {
            const char *why;
            cand.len = 0;
            if (link[0] == '/') { /* an absolute alt link */
                if (k == 0)
                    hlp_sb_printf(&cand, "%s%s", s->root ? s->root : "", link);
                else if (k == 1 && s->root)
                    hlp_sb_puts(&cand, link);
                else
                    break;
            } else if (k == 0) {
                hlp_sb_printf(&cand, "%.*s/%s", (int)hlen, hdir, link);
            } else if (k == 1) {
                hlp_sb_printf(&cand, "%.*s/.debug/%s", (int)hlen, hdir, link);
            } else if (k == 2) {
                hlp_sb_printf(&cand, "%s%.*s/%s", s->debugdir, (int)plen, pdir, link);
            } else if (k == 3 && s->root) {
                hlp_sb_printf(&cand, "%s%s%.*s/%s", s->root, s->debugdir, (int)plen, pdir, link);
            } else {
                break;
            }
            if (strcmp(cand.s, file_name) == 0 || (fd = hlp_open_file(cand.s, &why)) < 0)
                continue;
            if (nwant ? fd_build_id(fd, got) == nwant && memcmp(got, want, nwant) == 0
                      : !alt && file_crc(fd, &got32) && got32 == crc) {
                *debuginfo_file_name = cand.s;
                return fd;
            }
            close(fd);
        }
        hlp_sb_free(&cand);
    }
    urls = getenv("DEBUGINFOD_URLS");
    if (!alt && urls && *urls)
        return dwfl_standard_find_debuginfo(mod, ud, modname, base, NULL, NULL, 0,
                                            debuginfo_file_name);
    errno = 0;
    return -1;
}

static int session_begin(session *s, const char *debugdir)
{
    the_session = s;
    s->debugdir = debugdir ? debugdir : "/usr/lib/debug";
    memset(&s->cb, 0, sizeof s->cb);
    s->cb.find_debuginfo = safe_find_debuginfo;
    s->cb.section_address = dwfl_offline_section_address;
    if (debugdir) {
        /* the same search as the default, with DIR for /usr/lib/debug */
        size_t n = strlen(debugdir);
        s->debugpath = hlp_xmalloc(n + 9);
        memcpy(s->debugpath, ":.debug:", 8);
        memcpy(s->debugpath + 8, debugdir, n + 1);
        s->cb.debuginfo_path = &s->debugpath;
    }
    s->cb.find_elf = s->elf_mode ? dwfl_build_id_find_elf : proc_find_elf;
    s->dwfl = dwfl_begin(&s->cb);
    if (!s->dwfl) {
        hlp_err("libdwfl: %s", dwfl_errmsg(-1));
        return 0;
    }
    return 1;
}

static int preload(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    GElf_Addr bias;
    /* open every ELF file now: a process that exits later can't matter */
    (void)dwfl_module_getelf(mod, &bias);
    return DWARF_CB_OK;
}

static int open_pid(session *s, int pid)
{
    char path[64];
    int rc;
    snprintf(path, sizeof path, "/proc/%d/maps", pid);
    if (!hlp_maps_read(pid, &s->mapsbuf, &s->maps, &s->nmaps))
        return 0;
    s->pid = pid;
    s->foreign = hlp_pid_foreign(pid);
    if (s->foreign) {
        s->root = hlp_xmalloc(sizeof path);
        snprintf(s->root, sizeof path, "/proc/%d/root", pid);
    }
    dwfl_report_begin(s->dwfl);
    rc = dwfl_linux_proc_report(s->dwfl, pid);
    if (rc != 0) {
        hlp_err("process %d: cannot read its mappings: %s", pid,
                rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
        dwfl_report_end(s->dwfl, NULL, NULL);
        return 0;
    }
    if (dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
        hlp_err("process %d: %s", pid, dwfl_errmsg(-1));
        return 0;
    }
    dwfl_getmodules(s->dwfl, preload, NULL, 0);
    return 1;
}

static int open_elf(session *s, const char *file)
{
    const char *why;
    int fd = hlp_open_file(file, &why);
    Elf *e;
    GElf_Ehdr eh;
    int type = -1;
    if (fd < 0) {
        hlp_err("'%s': %s", file, why);
        return 0;
    }
    e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
    if (e && elf_kind(e) == ELF_K_ELF && gelf_getehdr(e, &eh))
        type = eh.e_type;
    if (e)
        elf_end(e);
    if (type != ET_EXEC && type != ET_DYN) {
        hlp_err("'%s': %s", file,
                type < 0 ? "not an ELF file" : "not an executable or shared object");
        close(fd);
        return 0;
    }
    /* placed at its link-time addresses: -b is subtracted from each input
     * address instead, which works for ET_EXEC as well as ET_DYN */
    dwfl_report_begin(s->dwfl);
    if (!dwfl_report_elf(s->dwfl, file, file, fd, 0, true)) {
        hlp_err("'%s': %s", file, dwfl_errmsg(-1));
        close(fd);
        dwfl_report_end(s->dwfl, NULL, NULL);
        return 0;
    }
    dwfl_report_end(s->dwfl, NULL, NULL);
    return 1;
}

static int free_index(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    sym_index *ix = *ud;
    if (ix) {
        free(ix->v);
        free(ix->byaddr);
        free(ix);
        *ud = NULL;
    }
    return DWARF_CB_OK;
}

static void cache_clear(session *s)
{
    size_t i;
    for (i = 0; i < s->cap; i++)
        if (s->cache[i].used)
            free(s->cache[i].loc);
    memset(s->cache, 0, s->cap * sizeof *s->cache);
    s->count = 0;
}

static void session_end(session *s)
{
    if (s->cache) {
        cache_clear(s);
        free(s->cache);
    }
    if (s->dwfl) {
        dwfl_getmodules(s->dwfl, free_index, NULL, 0);
        dwfl_end(s->dwfl);
    }
    free(s->debugpath);
    free(s->root);
    free(s->maps);
    hlp_sb_free(&s->mapsbuf);
}

/* ---- looking up one address -------------------------------------------- */

static const char *die_name(Dwarf_Die *die)
{
    Dwarf_Attribute a;
    /* integrate: an inlined or concrete instance has its name in the
     * abstract origin */
    return dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &a));
}

/* The call site (DW_AT_call_file / DW_AT_call_line) of an inlined DIE. */
static void call_site(Dwarf_Die *cu, Dwarf_Die *die, const char **file, int *line)
{
    Dwarf_Attribute a;
    Dwarf_Word idx, ln;
    Dwarf_Files *files;
    size_t nfiles;
    *file = NULL;
    *line = 0;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_line, &a), &ln) == 0 && ln <= INT32_MAX)
        *line = (int)ln;
    if (dwarf_formudata(dwarf_attr(die, DW_AT_call_file, &a), &idx) == 0 &&
        dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && idx < nfiles)
        *file = dwarf_filesrc(files, idx, NULL, NULL);
}

/* The function DIEs (subprograms and inlined subroutines) that contain pc,
 * outermost first, below parent: the out-of-line function, then each
 * function inlined into the one before.  One walk down the DIE tree, into
 * the children of the one scope that holds pc at each level (libdw's
 * dwarf_getscopes continues from an inlined instance into its abstract
 * definition instead, and dwarf_getscopes_die searches the whole unit
 * again).  1 if a scope holding pc was found. */
static int scope_walk(Dwarf_Die *parent, Dwarf_Addr pc, Dwarf_Die *fn, size_t *k, int depth)
{
    Dwarf_Die child, unit;
    Dwarf_Attribute at;
    if (depth > 512 || dwarf_child(parent, &child) != 0)
        return 0;
    do {
        switch (dwarf_tag(&child)) {
        case DW_TAG_subprogram:
        case DW_TAG_inlined_subroutine:
        case DW_TAG_entry_point:
        case DW_TAG_lexical_block:
        case DW_TAG_try_block:
        case DW_TAG_catch_block:
            if (dwarf_haspc(&child, pc) != 1)
                break;
            if (dwarf_tag(&child) == DW_TAG_subprogram ||
                dwarf_tag(&child) == DW_TAG_inlined_subroutine) {
                if (*k < RS_MAX_SCOPES) {
                    fn[(*k)++] = child;
                } else { /* too deep: keep the innermost */
                    memmove(fn, fn + 1, (RS_MAX_SCOPES - 1) * sizeof *fn);
                    fn[RS_MAX_SCOPES - 1] = child;
                }
            }
            scope_walk(&child, pc, fn, k, depth + 1);
            return 1;
        case DW_TAG_namespace:
        case DW_TAG_module:
            if (scope_walk(&child, pc, fn, k, depth + 1))
                return 1;
            break;
        case DW_TAG_imported_unit: /* dwz: DIEs shared between units */
            if (dwarf_formref_die(dwarf_attr(&child, DW_AT_import, &at), &unit) &&
                scope_walk(&unit, pc, fn, k, depth + 1))
                return 1;
            break;
        default:
            break;
        }
    } while (dwarf_siblingof(&child, &child) == 0);
    return 0;
}

/* Fills loc for module address a (pc is the runtime one, for output). */
static rs_loc *lookup(session *s, unsigned long long a, unsigned long long pc)
{
    Dwfl_Module *mod = dwfl_addrmodule(s->dwfl, a);
    rs_loc *loc;
    const sym_ent *se;
    Dwarf_Addr bias = 0;
    Dwarf_Die *cu;
    Dwfl_Line *ln;
    Dwarf_Addr lo = 0, hi = 0;
    if (!mod)
        return NULL;
    /* dwfl_addrmodule can answer for addresses past every module */
    dwfl_module_info(mod, NULL, &lo, &hi, NULL, NULL, NULL, NULL);
    if (a < lo || a >= hi)
        return NULL;
    loc = hlp_xcalloc(1, sizeof *loc);
    loc->pc = pc;
    loc->module = dwfl_module_info(mod, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
    if ((se = sym_at(mod, module_index(mod), a)) != NULL) {
        loc->sym = se->name;
        loc->symoff = a - se->addr;
        loc->symsize = se->size;
    }
    cu = dwfl_module_addrdie(mod, a, &bias);
    if (cu) {
        Dwarf_Die fn[RS_MAX_SCOPES];
        size_t k = 0, j;
        scope_walk(cu, a - bias, fn, &k, 0);
        loc->n = k;
        for (j = 0; j < k; j++)
            loc->s[j].name = die_name(&fn[j]);
        /* an inlined scope's call site is where its caller is */
        for (j = 1; j < k; j++)
            if (dwarf_tag(&fn[j]) == DW_TAG_inlined_subroutine)
                call_site(cu, &fn[j], &loc->s[j - 1].file, &loc->s[j - 1].line);
    }
    ln = dwfl_module_getsrc(mod, a);
    if (ln) {
        int line = 0;
        const char *file = dwfl_lineinfo(ln, NULL, &line, NULL, NULL, NULL);
        if (file) {
            if (loc->n == 0)
                loc->n = 1; /* a line table without DIEs: the symbol names it */
            loc->s[loc->n - 1].file = file;
            loc->s[loc->n - 1].line = line;
        }
    }
    return loc;
}

static size_t hash_addr(unsigned long long a, int adjust)
{
    a ^= a >> 33;
    a *= 0xff51afd7ed558ccdULL;
    a ^= a >> 33;
    return (size_t)a ^ (size_t)adjust;
}

static size_t cache_slot(const session *s, unsigned long long pc, int adjust)
{
    size_t i;
    for (i = hash_addr(pc, adjust) & (s->cap - 1); s->cache[i].used; i = (i + 1) & (s->cap - 1))
        if (s->cache[i].pc == pc && s->cache[i].adjust == adjust)
            break;
    return i;
}

/* The cached lookup of runtime address pc; adjust: a return address, look
 * up the call instruction before it.  NULL if no module has it. */
static const rs_loc *resolve_pc(session *s, unsigned long long pc, int adjust)
{
    unsigned long long a = pc;
    size_t i;
    adjust = adjust != 0;
    if (!s->cache) {
        s->cap = 1024;
        s->cache = hlp_xcalloc(s->cap, sizeof *s->cache);
    }
    i = cache_slot(s, pc, adjust);
    if (s->cache[i].used)
        return s->cache[i].loc;
    if (s->count >= RS_CACHE_MAX) {
        cache_clear(s);
        i = cache_slot(s, pc, adjust);
    } else if ((s->count + 1) * 2 > s->cap) {
        cache_ent *old = s->cache;
        size_t oldcap = s->cap, j;
        s->cap *= 2;
        s->cache = hlp_xcalloc(s->cap, sizeof *s->cache);
        for (j = 0; j < oldcap; j++)
            if (old[j].used)
                s->cache[cache_slot(s, old[j].pc, old[j].adjust)] = old[j];
        free(old);
        i = cache_slot(s, pc, adjust);
    }
    s->cache[i].used = 1;
    s->cache[i].pc = pc;
    s->cache[i].adjust = adjust;
    s->cache[i].loc = NULL;
    s->count++;
    if (s->elf_mode) {
        if (a < s->bias)
            return NULL;
        a -= s->bias;
    }
    if (adjust && a > 0)
        a--;
    s->cache[i].loc = lookup(s, a, pc);
    return s->cache[i].loc;
}

/* ---- symbol+offset frames ------------------------------------------------- */

static int cmp_sym(const void *a, const void *b)
{
    const sym_ent *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->addr > y->addr) - (x->addr < y->addr);
}

/* by address; at one address the preferred name first: sized, global,
 * then by name so the choice does not depend on the table's order */
static int cmp_addr(const void *a, const void *b)
{
    const sym_ent *x = a, *y = b;
    if (x->addr != y->addr)
        return x->addr < y->addr ? -1 : 1;
    if ((x->size != 0) != (y->size != 0))
        return x->size ? -1 : 1;
    if (x->rank != y->rank)
        return y->rank - x->rank;
    return strcmp(x->name, y->name);
}

static sym_index *module_index(Dwfl_Module *mod)
{
    void **ud;
    sym_index *ix;
    int n, i;
    dwfl_module_info(mod, &ud, NULL, NULL, NULL, NULL, NULL, NULL);
    if (*ud)
        return *ud;
    ix = hlp_xcalloc(1, sizeof *ix);
    n = dwfl_module_getsymtab(mod);
    if (n > 0) {
        ix->v = hlp_xcalloc((size_t)n, sizeof *ix->v);
        for (i = 0; i < n; i++) {
            GElf_Sym sym;
            GElf_Addr addr;
            GElf_Word shndx;
            const char *name = dwfl_module_getsym_info(mod, i, &sym, &addr, &shndx, NULL, NULL);
            int t, b;
            if (!name || !*name || name[0] == '$' || sym.st_shndx == SHN_UNDEF ||
                sym.st_shndx == SHN_ABS || shndx == (GElf_Word)-1)
                continue;
            t = GELF_ST_TYPE(sym.st_info);
            if (t != STT_FUNC && t != STT_GNU_IFUNC && t != STT_NOTYPE)
                continue;
            b = GELF_ST_BIND(sym.st_info);
            ix->v[ix->n].name = name;
            ix->v[ix->n].addr = addr;
            ix->v[ix->n].size = sym.st_size;
            ix->v[ix->n].rank = b == STB_GLOBAL ? 2 : b == STB_WEAK ? 1 : 0;
            ix->v[ix->n].func = t != STT_NOTYPE;
            ix->n++;
        }
        ix->byaddr = hlp_xcalloc(ix->n, sizeof *ix->byaddr);
        memcpy(ix->byaddr, ix->v, ix->n * sizeof *ix->v);
        qsort(ix->v, ix->n, sizeof *ix->v, cmp_sym);
        qsort(ix->byaddr, ix->n, sizeof *ix->byaddr, cmp_addr);
    }
    *ud = ix;
    return ix;
}

/* 1 if module address a is in an executable section. */
static int in_text(Dwfl_Module *mod, unsigned long long a)
{
    Dwarf_Addr off = a, bias;
    GElf_Shdr sh;
    Elf_Scn *scn = dwfl_module_address_section(mod, &off, &bias);
    return scn && gelf_getshdr(scn, &sh) && (sh.sh_flags & SHF_EXECINSTR);
}

/* The symbol containing a: the nearest sized one that covers it (looking
 * back a little past smaller symbols nested in it), else the nearest
 * sizeless function before it, with no sized symbol in between, when a is
 * code (hand-written assembly often has no .size).  NULL if none. */
static const sym_ent *sym_at(Dwfl_Module *mod, const sym_index *ix, unsigned long long a)
{
    size_t lo = 0, hi = ix->n, i, k;
    const sym_ent *sizeless = NULL;
    int blocked = 0;
    while (lo < hi) { /* the first entry above a */
        size_t mid = lo + (hi - lo) / 2;
        if (ix->byaddr[mid].addr <= a)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (i = lo, k = 0; i > 0 && k < 64; i--, k++) {
        const sym_ent *e = &ix->byaddr[i - 1];
        if (e->size && a - e->addr < e->size) {
            /* the first at this address sorts best */
            while (i > 1 && ix->byaddr[i - 2].addr == e->addr &&
                   a - e->addr < ix->byaddr[i - 2].size)
                e = &ix->byaddr[--i - 1];
            return e;
        }
        if (e->size)
            blocked = 1; /* a ends past this one: the gap is not the one before's */
        else if (e->func && !sizeless && !blocked)
            sizeless = e;
    }
    return sizeless && in_text(mod, a) ? sizeless : NULL;
}

typedef struct {
    const char *mod;
    size_t modlen;
    char *name; /* NUL-terminated copy */
    int found;
    unsigned long long addr;
} sym_query;

static int module_matches(const char *modname, const char *m, size_t n)
{
    const char *base;
    if (!modname)
        return 0;
    if (strlen(modname) == n && memcmp(modname, m, n) == 0)
        return 1;
    base = strrchr(modname, '/');
    base = base ? base + 1 : modname;
    return strlen(base) == n && memcmp(base, m, n) == 0;
}

static int find_sym_cb(Dwfl_Module *mod, void **ud, const char *name, Dwarf_Addr start, void *arg)
{
    sym_query *q = arg;
    sym_index *ix;
    sym_ent key;
    size_t lo, hi;
    if (q->mod && !module_matches(name, q->mod, q->modlen))
        return DWARF_CB_OK;
    ix = module_index(mod);
    key.name = q->name;
    lo = 0;
    hi = ix->n;
    while (lo < hi) { /* the first entry with this name */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(ix->v[mid].name, key.name) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < ix->n && strcmp(ix->v[lo].name, key.name) == 0) {
        q->found = 1;
        q->addr = ix->v[lo].addr;
        return DWARF_CB_ABORT;
    }
    return DWARF_CB_OK;
}

/* The module address of NAME+OFF in module MOD (or any module). */
static int find_sym(session *s, const char *name, size_t namelen, const char *mod, size_t modlen,
                    unsigned long long off, unsigned long long *pc)
{
    sym_query q;
    q.mod = mod;
    q.modlen = modlen;
    q.name = hlp_xmalloc(namelen + 1);
    memcpy(q.name, name, namelen);
    q.name[namelen] = '\0';
    q.found = 0;
    q.addr = 0;
    dwfl_getmodules(s->dwfl, find_sym_cb, &q, 0);
    free(q.name);
    if (!q.found || q.addr > ULLONG_MAX - off)
        return 0;
    *pc = q.addr + off;
    if (s->elf_mode) {
        if (*pc > ULLONG_MAX - s->bias)
            return 0;
        *pc += s->bias;
    }
    return 1;
}

/* ---- frame syntax --------------------------------------------------------- */

enum { FR_NONE, FR_ADDR, FR_SYM };

typedef struct {
    int kind;
    unsigned long long addr; /* FR_ADDR */
    const char *sym;         /* FR_SYM: name+off */
    size_t symlen;
    unsigned long long off;
    const char *mod; /* "[module]" text, or NULL */
    size_t modlen;
    int symbolic;
    size_t addrlen; /* FR_ADDR: length of the "0x..." at the start */
} parsed;

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* "0xHEX" at t[0..n): its length, value in *v; 0 if none or too big. */
static size_t hex_at(const char *t, size_t n, unsigned long long *v)
{
    size_t h;
    if (n < 3 || t[0] != '0' || (t[1] != 'x' && t[1] != 'X'))
        return 0;
    h = hlp_hex(t + 2, n - 2, v);
    return h ? h + 2 : 0;
}

/* A trailing " [module]" (or "_[module]", the folded spelling) on t[0..*n):
 * strips it, remembering the module name (less a "+0xOFF/..." tail). */
static void strip_module(const char *t, size_t *n, parsed *p)
{
    size_t i, e;
    if (*n < 3 || t[*n - 1] != ']')
        return;
    for (i = *n - 1; i > 0; i--)
        if (t[i] == '[' && (is_blank(t[i - 1]) || t[i - 1] == '_'))
            break;
    if (i == 0)
        return;
    p->mod = t + i + 1;
    for (e = i + 1; e < *n - 1 && t[e] != '+'; e++)
        ;
    p->modlen = e - (i + 1);
    *n = i - 1;
    while (*n > 0 && is_blank(t[*n - 1]))
        (*n)--;
}

/* "name+0xOFF[/0xLEN]" exactly, after strip_module. */
static int parse_symoff(const char *t, size_t n, parsed *p)
{
    size_t i;
    for (i = 1; i + 3 < n; i++) {
        unsigned long long off, len;
        size_t h, e;
        if (t[i] != '+' || t[i + 1] != '0' || (t[i + 2] != 'x' && t[i + 2] != 'X'))
            continue;
        h = hlp_hex(t + i + 3, n - i - 3, &off);
        if (!h)
            continue;
        e = i + 3 + h;
        if (e < n && t[e] == '/') {
            size_t l = hex_at(t + e + 1, n - e - 1, &len);
            if (!l)
                continue;
            e += 1 + l;
        }
        if (e != n)
            continue;
        p->kind = FR_SYM;
        p->sym = t;
        p->symlen = i;
        p->off = off;
        p->symbolic = 1;
        return 1;
    }
    return 0;
}

static void parse_frame(const char *t, size_t n, parsed *p)
{
    unsigned long long v, off;
    size_t h, r;
    memset(p, 0, sizeof *p);
    if (n == 0 || memchr(t, ';', n))
        return;
    h = hex_at(t, n, &v);
    if (h) {
        p->addrlen = h;
        if (h == n) {
            p->kind = FR_ADDR;
            p->addr = v;
            return;
        }
        if (t[h] == '+') { /* "0xBASE+OFF": OFF hex with 0x, else decimal */
            size_t l = hex_at(t + h + 1, n - h - 1, &off);
            if (!l) {
                for (l = 0, off = 0; h + 1 + l < n && t[h + 1 + l] >= '0' && t[h + 1 + l] <= '9';
                     l++) {
                    if (off > (ULLONG_MAX - 9) / 10)
                        return;
                    off = off * 10 + (unsigned)(t[h + 1 + l] - '0');
                }
            }
            if (!l || h + 1 + l != n || v > ULLONG_MAX - off)
                return;
            p->kind = FR_ADDR;
            p->addr = v + off;
            return;
        }
        r = h;
        while (r < n && is_blank(t[r]))
            r++;
        if (r + 1 <= n && t[r] == ':' && r > h) {
            /* "0xADDR : symdata" */
            size_t m;
            r++;
            while (r < n && is_blank(t[r]))
                r++;
            p->kind = FR_ADDR;
            p->addr = v;
            m = n - r;
            if (m) {
                parsed q;
                memset(&q, 0, sizeof q);
                strip_module(t + r, &m, &q);
                p->mod = q.mod;
                p->modlen = q.modlen;
                /* "0xADDR [mod+0xOFF]" after the colon names nothing */
                p->symbolic = m > 0 && !hex_at(t + r, m, &off);
            }
            return;
        }
        if ((r > h && r < n && (t[r] == '[' || t[r] == '(')) ||
            (t[h] == '_' && h + 1 < n && t[h + 1] == '[')) {
            /* "0xADDR [module+0xOFF/0xLEN]", "0xADDR (inexact)" */
            p->kind = FR_ADDR;
            p->addr = v;
            return;
        }
        return;
    }
    {
        size_t m = n;
        parsed q;
        memset(&q, 0, sizeof q);
        strip_module(t, &m, &q);
        if (m && parse_symoff(t, m, &q)) {
            *p = q;
            return;
        }
    }
}

/* The runtime address of a parsed frame; 0 if none. */
static int frame_pc(session *s, const parsed *p, unsigned long long *pc)
{
    if (p->kind == FR_ADDR) {
        *pc = p->addr;
        return 1;
    }
    if (p->kind == FR_SYM)
        return find_sym(s, p->sym, p->symlen, p->mod, p->modlen, p->off, pc);
    return 0;
}

/* ---- output helpers for the commands -------------------------------------- */

void rs_stack_head(hlp_sb *out, const rs_frame *f, const rs_loc *loc)
{
    hlp_sb_put(out, f->indent, f->indentlen);
    if (f->addrtext)
        hlp_sb_put(out, f->addrtext, f->addrlen);
    else
        hlp_sb_printf(out, "0x%016llx", loc->pc);
    hlp_sb_puts(out, " : ");
}

void rs_stack_tail(hlp_sb *out, const rs_loc *loc)
{
    if (loc->module) {
        hlp_sb_puts(out, " [");
        hlp_sb_puts(out, loc->module);
        hlp_sb_putc(out, ']');
    }
}

const char *rs_outer_name(const rs_loc *loc)
{
    if (loc->sym)
        return loc->sym;
    return loc->n ? loc->s[0].name : NULL;
}

int rs_put_srcline(hlp_sb *out, const rs_loc *loc, size_t i)
{
    if (i >= loc->n || !loc->s[i].file)
        return 0;
    hlp_sb_printf(out, "%s:%d", loc->s[i].file, loc->s[i].line);
    return 1;
}

/* ---- the input loop -------------------------------------------------------- */

typedef struct {
    session *s;
    const rs_command *cmd;
    const rs_opts *o;
    int return_addrs; /* -r: frames other than the leaf are return addresses */
    int prev_frame;   /* stack input: the line before was a frame */
} ctx;

/* A folded line: FRAMES, blanks, a count (digits, maybe a '.').  *stack_end
 * is where the frames end. */
static int is_folded(const char *t, size_t n, size_t *stack_end)
{
    size_t j = n, digits = 0, dots = 0;
    while (j > 0 && ((t[j - 1] >= '0' && t[j - 1] <= '9') || t[j - 1] == '.')) {
        if (t[j - 1] == '.')
            dots++;
        else
            digits++;
        j--;
    }
    if (!digits || dots > 1 || j == 0 || !is_blank(t[j - 1]))
        return 0;
    while (j > 0 && is_blank(t[j - 1]))
        j--;
    if (j == 0 || is_blank(t[0]))
        return 0;
    *stack_end = j;
    return 1;
}

static void do_folded(ctx *c, hlp_sb *out, const char *t, size_t n, size_t end)
{
    size_t a = 0;
    while (a <= end) {
        size_t b = a;
        parsed p;
        unsigned long long pc;
        const rs_loc *loc;
        while (b < end && t[b] != ';')
            b++;
        parse_frame(t + a, b - a, &p);
        if (a > 0)
            hlp_sb_putc(out, ';');
        if (p.kind != FR_NONE && frame_pc(c->s, &p, &pc) &&
            (loc = resolve_pc(c->s, pc, c->return_addrs && b < end))) {
            rs_frame f;
            size_t mark = out->len;
            memset(&f, 0, sizeof f);
            f.text = t + a;
            f.len = b - a;
            f.symbolic = p.symbolic;
            if (!c->cmd->folded(out, &f, loc, c->o)) {
                out->len = mark;
                hlp_sb_put(out, t + a, b - a);
            }
        } else {
            hlp_sb_put(out, t + a, b - a);
        }
        if (b >= end)
            break;
        a = b + 1;
    }
    hlp_sb_put(out, t + end, n - end);
}

static void do_stack(ctx *c, hlp_sb *out, const char *t, size_t n)
{
    size_t a = 0, b = n;
    parsed p;
    unsigned long long pc;
    const rs_loc *loc;
    int caller = c->prev_frame;
    while (a < n && is_blank(t[a]))
        a++;
    while (b > a && is_blank(t[b - 1]))
        b--;
    parse_frame(t + a, b - a, &p);
    c->prev_frame = p.kind != FR_NONE;
    if (p.kind != FR_NONE && frame_pc(c->s, &p, &pc) &&
        (loc = resolve_pc(c->s, pc, c->return_addrs && caller))) {
        rs_frame f;
        size_t mark = out->len;
        memset(&f, 0, sizeof f);
        f.text = t + a;
        f.len = b - a;
        f.symbolic = p.symbolic;
        f.indent = t;
        f.indentlen = a;
        if (p.kind == FR_ADDR) {
            f.addrtext = t + a;
            f.addrlen = p.addrlen;
        }
        if (c->cmd->stack(out, &f, loc, c->o)) {
            hlp_sb_put(out, t + b, n - b);
            return;
        }
        out->len = mark;
    }
    hlp_sb_put(out, t, n);
}

/* Reads all of in, writes out.  0 on success, 1 on a read error. */
static int run(ctx *c, FILE *in, const char *in_name, FILE *out)
{
    hlp_sb line = {0}, res = {0};
    int ch, live, warned = 0, rc = 0;
    unsigned long long lineno = 0;
    struct stat st;
    live = !(fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode));
    for (;;) {
        int nl = 0, overlong = 0;
        line.len = 0;
        while ((ch = getc_unlocked(in)) != EOF) {
            if (ch == '\n') {
                nl = 1;
                break;
            }
            if (line.len >= RS_MAX_LINE) {
                overlong = 1;
                hlp_sb_putc(&line, (char)ch);
                break;
            }
            hlp_sb_putc(&line, (char)ch);
        }
        if (ch == EOF && line.len == 0)
            break;
        lineno++;
        if (overlong) {
            /* copied through as it is: too long to keep in memory */
            if (!warned++)
                hlp_err("%s:%llu: line longer than %u bytes, copied unchanged", in_name, lineno,
                        (unsigned)RS_MAX_LINE);
            fwrite(line.s, 1, line.len, out);
            while ((ch = getc_unlocked(in)) != EOF) {
                putc_unlocked(ch, out);
                if (ch == '\n')
                    break;
            }
            c->prev_frame = 0;
            if (ch == EOF)
                break;
            continue;
        }
        res.len = 0;
        if (memchr(line.s, '\0', line.len)) {
            hlp_sb_put(&res, line.s, line.len); /* binary garbage: as it is */
            c->prev_frame = 0;
        } else {
            /* a CRLF line ending is kept, and not part of the count */
            size_t end, len = line.len - (line.len && line.s[line.len - 1] == '\r');
            if (is_folded(line.s, len, &end)) {
                do_folded(c, &res, line.s, len, end);
                c->prev_frame = 0;
            } else {
                do_stack(c, &res, line.s, len);
            }
            hlp_sb_put(&res, line.s + len, line.len - len);
        }
        if (nl)
            hlp_sb_putc(&res, '\n');
        fwrite(res.s, 1, res.len, out);
        if (live)
            fflush(out);
        if (ch == EOF)
            break;
    }
    if (ferror(in)) {
        hlp_err("%s: read error: %s", in_name, strerror(errno));
        rc = 1;
    }
    hlp_sb_free(&line);
    hlp_sb_free(&res);
    return rc;
}

/* ---- main ------------------------------------------------------------------ */

static void usage(FILE *f, const rs_command *cmd)
{
    fprintf(f,
            "usage: %s (-p PID | -e FILE [-b BIAS]) [options] [INPUT...]\n"
            "%s\n"
            "Input: folded stacks ('frame;frame;frame COUNT' lines, as flame graph\n"
            "tools use) or SystemTap stack output (one frame a line, as print_ustack\n"
            "prints it), from the INPUT files or standard input.  Frames given as\n"
            "'0xADDR', '0xADDR+OFF', '0xADDR : symbol...' or 'symbol+0xOFF[/0xLEN]\n"
            "[module]' are looked up; other frames and lines are copied unchanged.\n"
            "  -p, --pid PID        addresses are in process PID (its /proc/PID/maps)\n"
            "  -e, --exe FILE       addresses are in the ELF file FILE ...\n"
            "  -b, --bias BIAS      ... loaded at BIAS (address = file address + BIAS;\n"
            "                       default 0)\n"
            "  -r, --return-addresses  frames other than the leaf are return addresses:\n"
            "                       look up the call before them (ADDR-1)\n"
            "      --debug-dir DIR  separate debug files under DIR (default /usr/lib/debug)\n"
            "%s"
            "  -o, --output FILE    write to FILE (only once complete) instead of stdout\n"
            "  -h, --help           show this help\n"
            "DWARF is read from the file itself or a separate debug file (build-id or\n"
            ".gnu_debuglink); with DEBUGINFOD_URLS set, libdw may also fetch it.\n"
            "Exit status: 0 done, 1 runtime error (no such process, not an ELF file,\n"
            "I/O error), 2 usage error.\n",
            cmd->name, cmd->what, cmd->usage_extra);
}

int rs_main(int argc, char **argv, const rs_command *cmd)
{
    const char *pidarg = NULL, *exe = NULL, *biasarg = NULL, *outpath = NULL, *debugdir = NULL;
    const char **inputs;
    size_t ninputs = 0, k;
    int i, only_files = 0, pid = 0, rc = 0;
    rs_opts o;
    session s;
    ctx c;
    FILE *out;

    hlp_set_prog(argc > 0 ? argv[0] : NULL, cmd->name);
    memset(&o, 0, sizeof o);
    memset(&s, 0, sizeof s);
    inputs = hlp_xcalloc((size_t)(argc > 0 ? argc : 1), sizeof *inputs);
    memset(&c, 0, sizeof c);
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *val = NULL;
        int m;
        if (only_files || a[0] != '-' || a[1] == '\0') {
            inputs[ninputs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_files = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            free(inputs);
            usage(stdout, cmd);
            return fflush(stdout) == 0 && !ferror(stdout) ? HLP_OK : HLP_ERR;
        }
        if (strcmp(a, "-r") == 0 || strcmp(a, "--return-addresses") == 0) {
            c.return_addrs = 1;
            continue;
        }
        if (cmd->has_i && (strcmp(a, "-i") == 0 || strcmp(a, "--inlines") == 0)) {
            o.inlines = 1;
            continue;
        }
        if ((m = hlp_opt(argc, argv, &i, 'p', "pid", &val)) ||
            (m = hlp_opt(argc, argv, &i, 'e', "exe", &val)) ||
            (m = hlp_opt(argc, argv, &i, 'b', "bias", &val)) ||
            (m = hlp_opt(argc, argv, &i, 'o', "output", &val)) ||
            (m = hlp_opt(argc, argv, &i, 0, "debug-dir", &val))) {
            if (m < 0) {
                hlp_err("option '%s' needs a value", a);
                goto usage_err;
            }
            if (a[1] == 'p' || strncmp(a, "--pid", 5) == 0)
                pidarg = val;
            else if (a[1] == 'e' || strncmp(a, "--exe", 5) == 0)
                exe = val;
            else if (a[1] == 'b' || strncmp(a, "--bias", 6) == 0)
                biasarg = val;
            else if (a[1] == 'o' || strncmp(a, "--output", 8) == 0)
                outpath = val;
            else
                debugdir = val;
            continue;
        }
        hlp_err("unknown option '%s'", a);
        goto usage_err;
    }
    if (!pidarg == !exe) {
        hlp_err(pidarg ? "-p and -e exclude each other" : "give -p PID or -e FILE");
        goto usage_err;
    }
    if (pidarg && !hlp_parse_pid(pidarg, &pid)) {
        hlp_err("bad PID '%s'", pidarg);
        goto usage_err;
    }
    if (biasarg && !exe) {
        hlp_err("-b goes with -e");
        goto usage_err;
    }
    if (biasarg && !hlp_parse_u64(biasarg, &s.bias)) {
        hlp_err("bad bias '%s' (a number, 0x... for hex)", biasarg);
        goto usage_err;
    }
    if (debugdir && debugdir[0] != '/') {
        hlp_err("--debug-dir needs an absolute path");
        goto usage_err;
    }

    elf_version(EV_CURRENT);
    s.elf_mode = exe != NULL;
    if (!session_begin(&s, debugdir) || !(exe ? open_elf(&s, exe) : open_pid(&s, pid))) {
        session_end(&s);
        free(inputs);
        return HLP_ERR;
    }
    /* every input must open before any output is made */
    for (k = 0; k < ninputs; k++)
        if (strcmp(inputs[k], "-") != 0 && access(inputs[k], R_OK) != 0) {
            hlp_err("cannot open '%s': %s", inputs[k], strerror(errno));
            session_end(&s);
            free(inputs);
            return HLP_ERR;
        }
    out = hlp_out_open(outpath);
    if (!out) {
        session_end(&s);
        free(inputs);
        return HLP_ERR;
    }
    c.s = &s;
    c.cmd = cmd;
    c.o = &o;
    if (ninputs == 0)
        rc |= run(&c, stdin, "<stdin>", out);
    for (k = 0; k < ninputs && !rc; k++) {
        FILE *in = stdin;
        const char *name = "<stdin>";
        if (strcmp(inputs[k], "-") != 0) {
            in = fopen(inputs[k], "r");
            name = inputs[k];
            if (!in) {
                hlp_err("cannot open '%s': %s", inputs[k], strerror(errno));
                rc = 1;
                break;
            }
        }
        c.prev_frame = 0;
        rc |= run(&c, in, name, out);
        if (in != stdin)
            fclose(in);
    }
    rc |= hlp_out_close(out, !rc);
    session_end(&s);
    free(inputs);
    return rc ? HLP_ERR : HLP_OK;

usage_err:
    free(inputs);
    fprintf(stderr, "usage: %s (-p PID | -e FILE [-b BIAS]) [options] [INPUT...]  (--help for more)\n",
            cmd->name);
    return HLP_USAGE;
}
