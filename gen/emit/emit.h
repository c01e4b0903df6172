/* Emitters: a checked spec -> .stp script text, C parser source text. */
#ifndef STAPGEN_EMIT_H
#define STAPGEN_EMIT_H
#include "../util/strbuf.h"
#include "records.h"

struct lowered;

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

/* The script, from the lowered spec (gen/lower); `a` is for scratch text. */
void emit_stp(strbuf *out, arena *a, const struct lowered *lw, const emit_opts *o);
void emit_doc(strbuf *out, const spec *s, const record_set *rs, const emit_opts *o);
void emit_command(strbuf *out, const spec *s, const emit_opts *o);
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
void emit_parser(strbuf *out, const spec *s, const record_set *rs, const emit_opts *o);

#endif
