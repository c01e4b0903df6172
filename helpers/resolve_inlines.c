/* resolve-inlines: expands each address frame of folded stacks or stack
 * output into the chain of functions inlined at it (OpenResty's
 * resolve-inlines).  The engine is resolve.c. */
#include "resolve.h"

#include <string.h>

/* folded: "outer;inlined1;inlined2", innermost last.  An input frame that
 * already names its function keeps its text as the outer frame. */
static int inl_folded(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o)
{
    const char *outer = rs_outer_name(loc);
    size_t i;
    if (f->symbolic)
        hlp_sb_put(out, f->text, f->len);
    else if (outer)
        hlp_sb_puts(out, outer);
    else
        return 0;
    for (i = 1; i < loc->n; i++) {
        hlp_sb_putc(out, ';');
        hlp_sb_puts(out, loc->s[i].name ? loc->s[i].name : "??");
    }
    return 1;
}

/* stack output (leaf first): one line per inlined function, innermost
 * first, then the line of the function they are inlined into. */
static int inl_stack(hlp_sb *out, const rs_frame *f, const rs_loc *loc, const rs_opts *o)
{
    const char *outer = rs_outer_name(loc);
    size_t i;
    if (!outer && loc->n < 2)
        return 0;
    for (i = loc->n; i-- > 1;) {
        rs_stack_head(out, f, loc);
        hlp_sb_puts(out, loc->s[i].name ? loc->s[i].name : "??");
        rs_stack_tail(out, loc);
        hlp_sb_putc(out, '\n');
    }
    if (f->symbolic) {
        hlp_sb_put(out, f->indent, f->indentlen);
        hlp_sb_put(out, f->text, f->len);
        return 1;
    }
    rs_stack_head(out, f, loc);
    if (loc->sym)
        hlp_sb_printf(out, "%s+0x%llx/0x%llx", loc->sym, loc->symoff, loc->symsize);
    else
        hlp_sb_puts(out, outer ? outer : "??");
    rs_stack_tail(out, loc);
    return 1;
}

static const rs_command cmd = {
    "resolve-inlines",
    "",
    "Expands each frame into the functions inlined at its address: folded\n"
    "frames become 'outer;inlined1;inlined2' (innermost last), a stack line\n"
    "becomes one line per inlined function (innermost first) followed by the\n"
    "line of the function they were inlined into.  Frames at addresses without\n"
    "DWARF get the ELF symbol's name.",
    0,
    inl_folded,
    inl_stack,
};

int main(int argc, char **argv)
{
    return rs_main(argc, argv, &cmd);
}
