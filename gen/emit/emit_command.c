/* The command a user runs: option parsing in the reference toolkits' style
 * around `stap SCRIPT | TOOL-parse`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../templates/parser/stapgen_rt.h"
#include "../spec/probe_point.h"
#include "../util/text.h"
#include "emit.h"

static void usage_text(strbuf *u, const char *s);

/* 'text' for sh, with embedded quotes closed and reopened. */
static void sh_quote(strbuf *o, const char *s)
{
	sb_putc(o, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			sb_puts(o, "'\\''");
		else
			sb_putc(o, *s);
	}
	sb_putc(o, '\'');
}

/* Does the tool symbolize user-space addresses?  Then stap needs the
 * target's executable and libraries (-d EXE --ldd). */
static bool uses_user_symbols(const spec *s)
{
	static const char *const fns[] = {	/* gen/tables/sym_funcs.def */
#define SYMF(kernel, user) #user,
#include "../tables/sym_funcs.def"
#undef SYMF
		NULL,
	};
	return spec_calls(s, fns);
}

void emit_format_list(strbuf *o, bool stacks, bool all)
{
	static const struct { const char *name; int stack; } f[] = {
#define SG_FMT_NAME(e, name, stack, what) { name, stack },
		SG_FORMATS(SG_FMT_NAME)
#undef SG_FMT_NAME
	};
	enum { N = sizeof f / sizeof *f };
	unsigned n = 0, k = 0;
	for (unsigned i = 0; i < N; i++)
		n += all || stacks || !f[i].stack;
	for (unsigned i = 0; i < N; i++) {
		if (!(all || stacks || !f[i].stack))
			continue;
		sb_printf(o, "%s%s%s", k == 0 ? "" : k + 1 == n ? " or " : ", ", f[i].name,
			  k == 0 ? " (default)" : "");
		k++;
	}
	if (all && f[N - 1].stack)
		sb_puts(o, " (stack tools)");
}

bool tool_has_stacks(const spec *s)
{
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].nemits; j++)
			for (unsigned k = 0; k < s->probes[i].emits[j].ncols; k++)
				if (s->probes[i].emits[j].cols[k].type == COL_STACK)
					return true;
	for (unsigned i = 0; i < s->nreports; i++)
		for (unsigned k = 0; k < s->reports[i].ncols; k++)
			if (s->reports[i].cols[k].type == COL_STACK)
				return true;
	return false;
}

const spec_param *tool_interval_param(const spec *s, const spec_param **count)
{
	*count = NULL;
	for (unsigned i = 0; i < s->nreports; i++)
		if (s->reports[i].every_param && !s->reports[i].every_param->point_arg) {
			const spec_param *c = s->reports[i].count_param;
			if (c && !c->point_arg && c->type == PT_INT)
				*count = c;
			return s->reports[i].every_param;
		}
	return NULL;
}

void emit_usage_line(strbuf *o, const spec *s)
{
	const spec_param *c, *iv = tool_interval_param(s, &c);
	sb_printf(o, "%s [options]", s->tool);
	if (iv)
		sb_printf(o, " [%s%s%s]", iv->name, c ? " [" : "", c ? c->name : "");
	if (iv && c)
		sb_putc(o, ']');
}

/* Does a spec parameter take this flag?  (Only OPT_TARGET rows may be
 * shadowed: the loader refuses the others.) */
bool param_has_flag(const spec *s, const char *flag)
{
	for (unsigned i = 0; i < s->nparams; i++)
		if (s->params[i].flag && !strcmp(s->params[i].flag, flag))
			return true;
	return false;
}

/* Markdown table cell text: no raw '|'. */
static void md_text(strbuf *o, const char *t)
{
	for (; *t; t++) {
		if (*t == '|')
			sb_putc(o, '\\');
		sb_putc(o, *t);
	}
}

/* One option: "  -f FORMAT   help" or a Markdown row (option, parameter,
 * default, meaning: the doc page's table, whose other rows are parameters). */
static void opt_row(strbuf *o, const char *flag, const char *alt, const char *arg, const char *help,
		    bool md, bool stacks, bool all, bool target_only)
{
	char lhs[64];
	snprintf(lhs, sizeof lhs, "%s%s%s%s%s", flag, alt ? ", " : "", alt ? alt : "",
		 arg[0] ? " " : "", arg);
	if (md)
		sb_printf(o, "| `%s` | |%s| ", lhs, help ? " " : " table ");
	else
		sb_printf(o, "  %-22s ", lhs);
	if (help && md)
		md_text(o, help);
	else if (help)
		sb_puts(o, help);
	else
		emit_format_list(o, stacks, all);
	if (all && target_only)
		sb_puts(o, " (tools whose script uses target())");
	sb_puts(o, md ? " |\n" : "\n");
}

void emit_tool_options(strbuf *o, const spec *s, bool target, bool md)
{
	bool stacks = !s || tool_has_stacks(s);
#define OPT(flag, alt, arg, help) opt_row(o, flag, alt, arg, help, md, stacks, !s, false);
#define OPT_TARGET(flag, alt, arg, help)                                               \
	if (!s || (target && !param_has_flag(s, flag)))                                \
		opt_row(o, flag, alt, arg, help, md, stacks, !s, true);
#include "../tables/tool_options.def"
#undef OPT_TARGET
#undef OPT
}

/* One line of the usage text.  Text from the spec is shown escaped where a
 * terminal would not show it as itself (control, C1 and bidirectional
 * characters); it becomes part of a quoted heredoc, which the shell never
 * expands, and the heredoc's delimiter is chosen so that no line equals it
 * (usage_heredoc). */
static void usage_text(strbuf *u, const char *s)
{
	text_escape(u, s, strlen(s), false);
}

/* `cat <<'EOF'` ... `EOF` for the text in u: EOF, or EOF_1, EOF_2 ... when
 * a line of the text is EOF. */
static void usage_heredoc(strbuf *o, const strbuf *u)
{
	const char *body = sb_str(u);
	char delim[32] = "EOF";
	for (unsigned k = 1;; k++) {
		size_t dl = strlen(delim);
		bool clash = false;
		for (const char *l = body; *l && !clash;) {
			const char *nl = strchr(l, '\n');
			size_t ll = nl ? (size_t)(nl - l) : strlen(l);
			clash = ll == dl && !memcmp(l, delim, dl);
			l += ll + (nl != NULL);
		}
		if (!clash)
			break;
		snprintf(delim, sizeof delim, "EOF_%u", k);
	}
	size_t bl = strlen(body);
	sb_printf(o, "\tcat <<'%s'\n%s%s%s\n", delim, body, bl && body[bl - 1] != '\n' ? "\n" : "",
		  delim);
}

/* need_level as the runtime reads it: 0 no, 1 needed, 2 only by a fallback */
static int need_word(need_level n)
{
	return n == NEED_YES ? 1 : n == NEED_MAYBE ? 2 : 0;
}

/* The runtime's check of a parameter's value, by its type. */
static const char *value_check(const spec_param *p)
{
	return param_type_of(p).check;
}

/* tool_opt: one case arm per parameter that has a flag. */
static void emit_tool_opt(strbuf *o, const spec *s)
{
	sb_puts(o, "# tool_opt ARG...: the spec's own options (sg_shift: the words used)\n"
		   "tool_opt() {\n\tcase $1 in\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (!p->flag)
			continue;
		if (p->type == PT_SWITCH) {
			sb_printf(o, "\t%s) sg_setg %s 1; sg_shift=1 ;;\n", p->flag, p->name);
			continue;
		}
		sb_printf(o, "\t%s)\n\t\tsg_val \"$@\"\n", p->flag);
		if (p->point_arg)	/* part of a probe point: checked, never -G */
			sb_printf(o, "\t\t%s %s \"$2\"\n\t\tpp_%u=$2 sg_ppgiven=%s\n",
				  p->type == PT_POINT ? "sg_pointcheck" : "sg_ppcheck", p->flag, p->point_arg, p->flag);
		else
			sb_printf(o, "\t\t%s %s \"$2\"\n\t\tsg_setg %s \"$2\"\n", value_check(p),
				  p->flag, p->name);
		sb_puts(o, "\t\tsg_shift=2 ;;\n");
	}
	sb_puts(o, "\t*) return 1 ;;\n\tesac\n}\n");
}

/* tool_global: -G NAME=VALUE, checked as the parameter's type. */
static void emit_tool_global(strbuf *o, const spec *s)
{
	sb_puts(o, "# tool_global NAME VALUE: -G NAME=VALUE, checked as that parameter\n"
		   "tool_global() {\n\tcase $1 in\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (p->point_arg)
			sb_printf(o, "\t%s) %s -G \"$2\"; pp_%u=$2 sg_ppgiven=-G ;;\n", p->name,
				  p->type == PT_POINT ? "sg_pointcheck" : "sg_ppcheck", p->point_arg);
		else
			sb_printf(o, "\t%s) %s \"-G $1\" \"$2\"; sg_setg \"$1\" \"$2\" ;;\n", p->name,
				  value_check(p));
	}
	sb_puts(o, "\t*) return 1 ;;\n\tesac\n}\n");
}

/* tool_pos: the positional [interval [count]] of the toolkits, for a tool
 * whose report comes every `interval` (sg_npos: the words taken so far). */
static void emit_tool_pos(strbuf *o, const spec *s)
{
	const spec_param *c, *iv = tool_interval_param(s, &c);
	sb_puts(o, "# tool_pos WORD: a positional argument ([interval [count]]), or returns 1\n"
		   "tool_pos() {\n");
	if (!iv) {
		sb_puts(o, "\treturn 1\n}\n");
		return;
	}
	sb_printf(o, "\tcase $sg_npos in\n\t0)\n\t\tsg_pos %s \"$1\"\n", iv->name);
	if (iv->unit_ms)	/* seconds, as the toolkits take it; the parameter is in ms */
		sb_printf(o, "\t\tsg_setg %s \"${1#\"${1%%%%[!0]*}\"}000\" ;;\n", iv->name);
	else
		sb_printf(o, "\t\tsg_setg %s \"$1\" ;;\n", iv->name);
	if (c)
		sb_printf(o, "\t1) sg_uint %s \"$1\"; sg_setg %s \"$1\" ;;\n", c->name, c->name);
	sb_puts(o, "\t*) return 1 ;;\n\tesac\n\tsg_npos=$((sg_npos + 1))\n}\n");
}

/* tool_required: given by their flag or as -G NAME=... */
static void emit_tool_required(strbuf *o, const spec *s)
{
	sb_puts(o, "tool_required() {\n");
	unsigned n = 0;
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (!p->required)
			continue;
		n++;
		if (p->point_arg)
			sb_printf(o, "\t[ -n \"$pp_%u\" ]", p->point_arg);
		else
			sb_printf(o, "\tsg_given_p %s", p->name);
		if (p->flag)
			sb_printf(o, " || sg_die \"%s is required (see --help)\"\n", p->flag);
		else
			sb_printf(o, " || sg_die \"-G %s=VALUE is required (see --help)\"\n", p->name);
	}
	if (!n)
		sb_puts(o, "\t:\n");
	sb_puts(o, "}\n");
}

void emit_command(strbuf *o, const tool_plan *pl, const emit_opts *opt)
{
	const spec *s = pl->s;
	const char *t = s->tool;
	const tool_needs needs = pl->needs;
	const char *const *flags = pl->stap_flags;
	const unsigned nflags = pl->nstap_flags;
	sb_puts(o, "#!/bin/sh\n"
		   "# shellcheck disable=SC2034 # the sg_* settings are read by lib/stapgen-cmd.sh\n");
	sb_printf(o, "# %s: run %s.stp and print its records.\n", t, t);
	sb_printf(o, "# Generated by stapgen from %s for kernel %s.  Do not edit.\n", opt->spec_path,
		  opt->kver);
	sb_puts(o, "# The tool's options and needs are here; the rest is lib/stapgen-cmd.sh.\n");
	/* -f: the word lists are split, never globbed */
	sb_puts(o, "set -euf\nunset CDPATH\n");
	/* the kernel module's name when built (-m): at most 55 bytes */
	sb_printf(o, "tool=%s sg_mod=%.55s\nspec=", t, t);
	sh_quote(o, opt->spec_path);
	sb_puts(o, "\ngen_kver=");
	sh_quote(o, opt->kver);
	/* the set's id: its script and parser carry it too (sg_pin) */
	sb_printf(o, "\nset_id=%s\n", opt->set_id ? opt->set_id : "");
	sb_puts(o, "sg_version=" STAPGEN_VERSION "\n");
	{	/* the line shown once the probes are armed: the summary, escaped */
		strbuf sum = STRBUF_INIT;
		usage_text(&sum, s->summary ? s->summary : "");
		sb_puts(o, "# shellcheck disable=SC2016,SC1003 # text: never expanded\nsg_summary=");
		sh_quote(o, sb_str(&sum));
		sb_putc(o, '\n');
		sb_free(&sum);
	}

	strbuf words = STRBUF_INIT;	/* each flag one quoted word */
	for (unsigned i = 0; i < nflags; i++) {
		if (i)
			sb_putc(&words, ' ');
		sh_quote(&words, flags[i]);
	}
	sb_puts(o, "sg_flags=");
	sh_quote(o, sb_str(&words));
	sb_free(&words);
	sb_putc(o, '\n');
	{	/* -f: the formats this tool's records have */
		strbuf pat = STRBUF_INIT;
		bool stacks = tool_has_stacks(s);
#define SG_FMT_PAT(e, name, stack, what) \
		if (stacks || !stack) \
			sb_printf(&pat, "%s%s", pat.len ? "|" : "", name);
		SG_FORMATS(SG_FMT_PAT)
#undef SG_FMT_PAT
		sb_printf(o, "sg_formats='%s'\n", sb_str(&pat));
		sb_free(&pat);
	}
	/* sg_needtarget: a filter holds only for the target: -p or -c is required */
	sb_printf(o, "sg_target=%d sg_usyms=%d sg_needtarget=%d\n", needs.target,
		  needs.target && uses_user_symbols(s), needs.target_required);
	sb_printf(o, "sg_need_kprobes=%d sg_need_uprobes=%d sg_need_kdebug=%d\n",
		  need_word(needs.kprobes), need_word(needs.uprobes), need_word(needs.kdebug));
	{	/* the binary whose symbol table a function uprobe needs, and
		 * whose SDT notes a .mark point needs (the preflight checks
		 * them): a literal path, or the probe point argument that holds
		 * it (sg_ubin_pp, 0: none) */
		unsigned upp = 0;
		const char *ulit = "";
		if (!needs.usyms && !needs.umarks[0]) {
			/* nothing to check in it */
		} else if (!strncmp(needs.ubinary, "@param(", 7)) {
			size_t nl = strcspn(needs.ubinary + 7, ")");
			for (unsigned i = 0; i < s->nparams; i++)
				if (strlen(s->params[i].name) == nl &&
				    !strncmp(s->params[i].name, needs.ubinary + 7, nl))
					upp = s->params[i].point_arg;
		} else if (needs.ubinary[0] == '"') {
			ulit = needs.ubinary_path;
		}
		sb_printf(o, "sg_ubin_pp=%u sg_ubin=", upp);
		sh_quote(o, ulit);
		sb_printf(o, " sg_usymtab=%d sg_umarks=", needs.usyms);
		sh_quote(o, needs.umarks);
		sb_putc(o, '\n');
	}
	sb_printf(o, "sg_npp=%u\n", s->npoint_args);
	if (s->npoint_args) {
		/* a probe point's value: a strict allow-list (probe_point.h), so
		 * it stays one word and inside the probe point's string */
		sb_printf(o, "sg_ppchars='%s' sg_ppmax=%d\n", PP_PARAM_CHARS, PP_PARAM_MAX);
		for (unsigned i = 0; i < s->nparams; i++)
			if (s->params[i].point_arg) {
				sb_printf(o, "pp_%u=", s->params[i].point_arg);
				const char *def = pl->params[i].def;
				sh_quote(o, def ? def : "");
				sb_putc(o, '\n');
			}
	}

	strbuf u = STRBUF_INIT;
	sb_puts(&u, "usage: ");
	emit_usage_line(&u, s);
	sb_puts(&u, "\n\n");
	usage_text(&u, s->summary ? s->summary : "");
	sb_puts(&u, "\n");
	if (needs.target_required)
		sb_puts(&u, "It traces one process: -p PID or -c 'CMD' is required.\n");
	if (s->description && *s->description) {	/* line by line, each escaped */
		sb_putc(&u, '\n');
		for (const char *l = s->description; *l;) {
			size_t n = strcspn(l, "\n");
			text_escape(&u, l, n, false);
			sb_putc(&u, '\n');
			l += n + (l[n] == '\n');
		}
	}
	if (s->nexamples) {	/* as the toolkits show them: the line, what it does */
		sb_puts(&u, "\nexamples:\n");
		for (unsigned i = 0; i < s->nexamples; i++) {
			size_t at = u.len;
			sb_puts(&u, "  ");
			usage_text(&u, s->examples[i].run);
			while (u.len - at < 32)
				sb_putc(&u, ' ');
			sb_puts(&u, " # ");
			usage_text(&u, s->examples[i].what);
			sb_putc(&u, '\n');
		}
	}
	/* the tool's own options first, then every tool's */
	if (s->nparams)
		sb_puts(&u, "\noptions:\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		char lhs[96];
		const char *arg = param_type_of(p).arg;
		if (p->flag && p->type == PT_SWITCH)
			snprintf(lhs, sizeof lhs, "%s", p->flag);
		else if (p->flag)
			snprintf(lhs, sizeof lhs, "%s %s", p->flag, arg);
		else
			snprintf(lhs, sizeof lhs, "-G %s=%s", p->name, arg);
		sb_printf(&u, "  %-22s ", lhs);
		usage_text(&u, p->help ? p->help : "");
		if (p->point_arg)
			sb_puts(&u, " (in the probe points: stap's argument; a built module keeps its own)");
		if (p->required) {
			sb_puts(&u, " (required)\n");
			continue;
		}
		sb_puts(&u, " (default: ");
		const plan_param *pp = plan_param_of(pl, p);
		if (pp->str) {
			/* as a C-style string: a newline in it shows as \n */
			sb_putc(&u, '"');
			text_escape(&u, pp->def, strlen(pp->def), true);
			sb_puts(&u, "\")\n");
		} else {
			sb_printf(&u, "%s)\n", pp->def);
		}
	}
	sb_puts(&u, "\ncommon options:\n");
	emit_tool_options(&u, s, needs.target, false);
	if (nflags) {
		sb_puts(&u, "\nstap runs with:");
		for (unsigned i = 0; i < nflags; i++) {
			sb_putc(&u, ' ');
			usage_text(&u, flags[i]);
		}
		sb_putc(&u, '\n');
	}
	sb_printf(&u, "\nexit status: 0 done; 1 not ready (--check says why) or stap failed (its status);\n"
		      "2 bad options; 3 the parser found lines it could not use; 4 the records ended\n"
		      "before the script's end report; 5 stap reported lost data.\n");
	sb_puts(o, "usage() {\n");
	usage_heredoc(o, &u);
	sb_free(&u);
	sb_puts(o, "}\n");
	emit_tool_opt(o, s);
	emit_tool_global(o, s);
	emit_tool_required(o, s);
	emit_tool_pos(o, s);
	/* the runtime, from this command's own directory: never PATH or $PWD */
	sb_puts(o, "case $0 in */*) sg_here=${0%/*} ;; *) sg_here=. ;; esac\n"
		   "case $sg_here in /*) ;; *) sg_here=./$sg_here ;; esac\n"
		   "sg_here=$(cd -P \"$sg_here\" && pwd -P) || exit 2\n"
		   "[ -r \"$sg_here/lib/stapgen-cmd.sh\" ] ||\n"
		   "\t{ echo \"$tool: missing $sg_here/lib/stapgen-cmd.sh (stapgen writes it beside the command)\" >&2; exit 2; }\n"
		   "# shellcheck source=/dev/null\n"
		   ". \"$sg_here/lib/stapgen-cmd.sh\"\n"
		   "sg_main \"$@\"\n");
}
