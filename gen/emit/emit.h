/* Emitters: a tool's plan (gen/lower/plan.h) -> .stp script, C parser
 * source, tool command, doc page and the plan's sidecar (TOOL.flags). */
#ifndef STAPGEN_EMIT_H
#define STAPGEN_EMIT_H
#include "../util/strbuf.h"
#include "../lower/plan.h"

/* stapgen's version: `stapgen -V`, and each tool command's -V */
#define STAPGEN_VERSION "0.1.0"

typedef struct emit_opts {
	const char *kver;	/* kernel release the script is generated for */
	const char *spec_path;	/* as shown in headers (relative, stable) */
	strbuf *map;		/* if set, the .stp's source map is written here */
	/* the tool's set: its command runs a script and a parser only when
	 * they carry the same id (16 hex digits; see stapgen_output) */
	const char *set_id;
} emit_opts;

/* The script; `a` is for scratch text. */
void emit_stp(strbuf *out, arena *a, const tool_plan *pl, const emit_opts *o);
void emit_doc(strbuf *out, const tool_plan *pl, const emit_opts *o);
void emit_command(strbuf *out, const tool_plan *pl, const emit_opts *o);
/* The command's bash completion (completion/TOOL.bash): a function and
 * `complete -F _stapgen_TOOL TOOL`, the line make install renames. */
void emit_completion(strbuf *out, const tool_plan *pl, const emit_opts *o);
/* TOOL.flags, beside the script: key=value lines for scripts to read (the
 * stap options, what the tool needs), so none parses the script's header. */
void emit_flags(strbuf *out, const tool_plan *pl, const emit_opts *o);
/* The runtime every command sources (templates/command/stapgen-cmd.sh),
 * written beside the commands as lib/stapgen-cmd.sh. */
extern const char stapgen_cmd_runtime[];
extern const size_t stapgen_cmd_runtime_len;
/* "table (default), json or csv", and folded/svg when `stacks` (SG_FORMATS);
 * with all: every format, the stack ones marked "(stack tools)" */
void emit_format_list(strbuf *out, bool stacks, bool all);
/* The parameters a periodic report's `every:` and `count:` name (the first
 * such report): the command's positional [interval [count]].  NULL: none. */
const spec_param *tool_interval_param(const spec *s, const spec_param **count);
/* "TOOL [options]", with " [interval [count]]" when the tool has them */
void emit_usage_line(strbuf *out, const spec *s);
/* Does the tool print stack columns (then -f folded and svg apply)? */
bool tool_has_stacks(const spec *s);
/* The tool command's own options (gen/tables/tool_options.def) as its
 * --help lists them (md false) or as Markdown table rows (md true): for
 * spec s, those it offers; for s NULL, every one (docs/commands.md's table). */
void emit_tool_options(strbuf *out, const spec *s, bool target, bool md);
/* Does one of the spec's parameters take this command-line flag? */
bool param_has_flag(const spec *s, const char *flag);
void emit_parser(strbuf *out, const tool_plan *pl, const emit_opts *o);

#endif
