/* The engine shared by resolve-inlines and resolve-src-lines: reads folded
 * stacks or SystemTap stack output, finds the frames that carry an address
 * (or a symbol+offset), looks each one up with libdwfl in a live process's
 * modules (-p PID) or one ELF file (-e FILE -b BIAS) and lets the command
 * rewrite it.  Everything else passes through unchanged. */
#ifndef STAPGEN_RESOLVE_H
#define STAPGEN_RESOLVE_H

#include "hlp.h"

/* Deeper inline nests are cut at the innermost RS_MAX_SCOPES. */
#define RS_MAX_SCOPES 64

/* One function scope at an address: the out-of-line function or one of the
 * functions inlined into it. */
typedef struct {
    const char *name; /* from DWARF; NULL if it has none */
    const char *file; /* where this scope is at the address: the line table's */
    int line;         /* line for the innermost, the call site for the others */
} rs_scope;

/* What is known about one address. */
typedef struct {
    unsigned long long pc;      /* the runtime address (as printed) */
    const char *module;         /* the file it lies in */
    const char *sym;            /* the ELF symbol containing it, or NULL */
    unsigned long long symoff;  /* pc's offset in sym */
    unsigned long long symsize; /* sym's size */
    size_t n;                   /* scopes, outermost first; 0 without DWARF */
    rs_scope s[RS_MAX_SCOPES];
} rs_loc;

/* One frame as found in the input. */
typedef struct {
    const char *text; /* the frame's text (trimmed for stack lines) */
    size_t len;
    int symbolic;          /* the text already names the function */
    const char *indent;    /* stack lines: leading blanks of the line */
    size_t indentlen;
    const char *addrtext;  /* stack lines: the "0x..." the line starts with */
    size_t addrlen;
} rs_frame;

typedef struct rs_opts {
    int inlines; /* resolve-src-lines -i: every scope of the chain */
} rs_opts;

typedef struct {
    const char *name;
    const char *usage_extra; /* command-specific option help, or "" */
    const char *what;        /* a paragraph on what the command prints */
    int has_i;               /* accepts -i / --inlines */
    /* Appends what replaces frame f of a folded line (';'-joined frames).
     * Returns 0 to keep the frame unchanged. */
    int (*folded)(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o);
    /* Appends the lines replacing stack line f (without the last newline).
     * Returns 0 to keep the line unchanged. */
    int (*stack)(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o);
} rs_command;

/* "INDENT 0xADDR : " for a stack line of f at loc. */
void rs_stack_head(hlp_sb *out, const rs_frame *f, const rs_loc *loc);
/* " [MODULE]" */
void rs_stack_tail(hlp_sb *out, const rs_loc *loc);
/* The name of the outermost function: the ELF symbol, else DWARF's. */
const char *rs_outer_name(const rs_loc *loc);
/* "file:line" of scope i, or nothing (returns 0) if unknown. */
int rs_put_srcline(hlp_sb *out, const rs_loc *loc, size_t i);

int rs_main(int argc, char **argv, const rs_command *cmd);

#endif
