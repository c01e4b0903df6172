/* resolve-src-lines: rewrites each address frame of folded stacks or stack
 * output as "function (file:line)" (OpenResty's resolve-src-lines).  The
 * engine is resolve.c. */
#include "resolve.h"

#include <string.h>

/* "function (file:line)" of scope i; "function" without line info. */
static void put_scope(hlp_sb *out, const rs_loc *loc, size_t i)
{
    const char *name = loc->s[i].name;
    if (!name)
        name = i == 0 ? rs_outer_name(loc) : NULL;
    hlp_sb_puts(out, name ? name : "??");
    if (loc->s[i].file) {
        hlp_sb_puts(out, " (");
        rs_put_srcline(out, loc, i);
        hlp_sb_putc(out, ')');
    }
}

static int src_folded(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o)
{
    size_t i;
    if (loc->n == 0) {
        /* no DWARF: the symbol's name, or the frame as it was */
        if (f->symbolic || !loc->sym)
            return 0;
        hlp_sb_puts(out, loc->sym);
        return 1;
    }
    for (i = o->inlines ? 0 : loc->n - 1; i < loc->n; i++) {
        if (i > 0 && o->inlines)
            hlp_sb_putc(out, ';');
        put_scope(out, loc, i);
    }
    return 1;
}

static int src_stack(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o)
{
    size_t i, first;
    if (loc->n == 0) {
        if (f->symbolic || !loc->sym)
            return 0;
        rs_stack_head(out, f, loc);
        hlp_sb_printf(out, "%s+0x%llx/0x%llx", loc->sym, loc->symoff, loc->symsize);
        rs_stack_tail(out, loc);
        return 1;
    }
    /* leaf first: the innermost scope's line comes first */
    first = o->inlines ? 0 : loc->n - 1;
    for (i = loc->n; i-- > first;) {
        rs_stack_head(out, f, loc);
        put_scope(out, loc, i);
        rs_stack_tail(out, loc);
        if (i > first)
            hlp_sb_putc(out, '\n');
    }
    return 1;
}

static const rs_command cmd = {
    "resolve-src-lines",
    "  -i, --inlines        one frame per inlined function too, each with its\n"
    "                       call site (like addr2line -i)\n",
    "Rewrites each frame as 'function (file:line)': the innermost function at\n"
    "the address (an inlined one if it was inlined) and the source line of the\n"
    "address.  Folded frames stay folded, a stack line stays one line ('0xADDR :\n"
    "function (file:line) [module]').  Without line information the function\n"
    "name alone is printed.",
    1,
    src_folded,
    src_stack,
};

int main(int argc, char **argv)
{
    return rs_main(argc, argv, &cmd);
}
