/* TOOL.flags: the plan's facts that scripts act on, as key=value lines
 * (no quoting: every value is one line of safe text), so that
 * scripts/validate-cell.sh, tests/live/live.py and the tests read them here
 * and never parse the script's header comment, which is for people. */
#include <string.h>

#include "emit.h"

static const char *level_word(need_level l)
{
	return l == NEED_NO ? "no" : l == NEED_MAYBE ? "maybe" : "yes";
}

void emit_flags(strbuf *o, const tool_plan *pl, const emit_opts *opt)
{
	const spec *s = pl->s;
	const tool_needs *n = &pl->needs;
	sb_printf(o, "tool=%s\nset_id=%s\nkver=%s\n", s->tool, opt->set_id ? opt->set_id : "",
		  opt->kver);
	/* every option stap needs for the script: -g for a guru spec too */
	sb_puts(o, "stap_flags=");
	for (unsigned i = 0; i < pl->nstap_flags; i++)
		sb_printf(o, "%s%s", i ? " " : "", pl->stap_flags[i]);
	if (s->guru)
		sb_puts(o, pl->nstap_flags ? " -g" : "-g");
	sb_printf(o, "\nguru=%d\n", s->guru ? 1 : 0);
	/* the kernel's debuginfo: not-needed (the build tree is enough),
	 * only-if-fallback (a fallback probe point needs it), symbols (the
	 * script builds without it; kernel symbols need vmlinux), needed */
	sb_printf(o, "debuginfo=%s\n",
		  n->kdebug == NEED_NO ? "not-needed" : n->kdebug == NEED_MAYBE ? "only-if-fallback"
		  : n->ksyms_only ? "symbols" : "needed");
	if (n->kdebug == NEED_YES && n->kdebug_why[0])
		sb_printf(o, "debuginfo_why=%s\ndebuginfo_at=%s:%u\n", n->kdebug_why, opt->spec_path,
			  n->kdebug_line);
	sb_printf(o, "kprobes=%s\nuprobes=%s\n", level_word(n->kprobes), level_word(n->uprobes));
	sb_printf(o, "target=%d\ntarget_required=%d\n", n->target, n->target_required);
	/* the binary a uprobe script's stap -p2 reads (validate-cell.sh); a path
	 * with a control character is left out rather than break the format */
	bool safe = n->ubinary_path[0] != '\0';
	for (const char *c = n->ubinary_path; *c; c++)
		safe &= (unsigned char)*c >= 0x20 && *c != 0x7f;
	if (safe)
		sb_printf(o, "user_binary=%s\n", n->ubinary_path);
}
