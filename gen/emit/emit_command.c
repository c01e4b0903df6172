/* The command a user runs: option parsing in the reference toolkits' style
 * around `stap SCRIPT | TOOL-parse`. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../templates/parser/stapgen_rt.h"
#include "../spec/probe_point.h"
#include "../util/text.h"
#include "emit.h"

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
	static const char *const fns[] = { "ubacktrace", "sprint_ubacktrace", "sprint_ustack",
					   "print_ustack", "ucallers", "usymname", "usymdata",
					   "print_ubacktrace", NULL };
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

/* The command runs the script and the parser of its own set only: make
 * tools may be replacing them while it starts (stapgen and make-tools.sh
 * rename a set in under a lock, one file at a time).  Each is opened once
 * and used through that descriptor (/proc/$$/fd/N: the same file even if
 * renamed over), after checking it carries the set's id; on a mismatch it
 * waits for the writer, or runs the command that replaced this one. */
static void pin_set(strbuf *o, const char *id)
{
	sb_printf(o, "set_id=%s\n", id);
	sb_puts(o, "# run only this command's set: the script and the parser are opened once and\n"
		   "# must carry set_id (make tools may be replacing them right now)\n"
		   "pin() {\n"
		   "\trun_script=$script run_parse=$parse\n"
		   "\texec 7<&- 8<&-\n"
		   "\tif [ -e \"$script\" ]; then\n"
		   "\t\tcommand exec 7<\"$script\" || return 1\n"
		   "\t\trun_script=/proc/$$/fd/7\n"
		   "\t\thead -n 12 \"$run_script\" | grep -qF \"(stapgen set $set_id).\" || return 1\n"
		   "\tfi\n"
		   "\tif [ -e \"$parse\" ]; then\n"
		   "\t\tcommand exec 8<\"$parse\" || return 1\n"
		   "\t\trun_parse=/proc/$$/fd/8\n"
		   "\t\tgrep -qaF \"stapgen set $set_id\" \"$run_parse\" || return 1\n"
		   "\tfi\n"
		   "}\n"
		   "tries=${STAPGEN_SET_TRIES:-0}\n"
		   "until pin; do\n"
		   "\ttries=$((tries + 1))\n"
		   "\tif [ \"$tries\" -gt 10 ]; then\n"
		   "\t\techo \"$tool: $script or $parse is not of this command's set $set_id (make tools)\" >&2\n"
		   "\t\texit 1\n"
		   "\tfi\n"
		   "\tif ! grep -qxF \"set_id=$set_id\" \"$0\"; then\n"
		   "\t\texport STAPGEN_SET_TRIES=\"$tries\"\n"
		   "\t\texec \"$0\" \"$@\"\n"
		   "\tfi\n"
		   "\t[ \"$tries\" -le 3 ] || sleep 1\n"
		   "done\n");
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

/* The preflight: only the checks this tool needs (tool_needs_of). */
static void emit_preflight(strbuf *o, const spec *s, const emit_opts *opt)
{
	tool_needs n = tool_needs_of(s, opt->kver);
	unsigned kv[3];
	sb_puts(o, "# ---- preflight: what this tool needs from the host (--check runs it alone).\n"
		   "# STAPGEN_ROOT=DIR looks for the files below under DIR instead of / (tests).\n"
		   "root=${STAPGEN_ROOT:-}\n"
		   "rel=$(uname -r)\n"
		   "bad=0 pkgs=''\n"
		   "say() { if [ \"$check\" = 1 ]; then echo \"$tool: $*\"; else echo \"$tool: $*\" >&2; fi; }\n"
		   "ok() { [ \"$check\" = 0 ] || echo \"$tool: ok: $*\"; }\n"
		   "# miss WHAT [DEBIAN-PACKAGE]\n"
		   "miss() { bad=1; say \"missing: $1\"; [ -z \"${2:-}\" ] || pkgs=\"$pkgs $2\"; }\n");
	if (n.kprobes || n.uprobes)
		sb_puts(o, "# kfeature CONFIG_X SYMBOL WHAT [warn]: is the kernel built with CONFIG_X?\n"
			   "kfeature() {\n"
			   "\tif [ -r \"$root/boot/config-$rel\" ]; then\n"
			   "\t\thave=$(grep -c \"^$1=y\" \"$root/boot/config-$rel\" || :)\n"
			   "\telif [ -r \"$root/proc/config.gz\" ]; then\n"
			   "\t\thave=$(gzip -dc \"$root/proc/config.gz\" | grep -c \"^$1=y\" || :)\n"
			   "\telif [ -r \"$root/proc/kallsyms\" ]; then\n"
			   "\t\thave=$(grep -c \" [Tt] $2\\$\" \"$root/proc/kallsyms\" || :)\n"
			   "\telse\n"
			   "\t\tsay \"warning: cannot tell whether this kernel has $1 (no /boot/config-$rel, /proc/config.gz or /proc/kallsyms)\"\n"
			   "\t\treturn\n"
			   "\tfi\n"
			   "\tif [ \"$have\" != 0 ]; then\n"
			   "\t\tok \"$3 ($1)\"\n"
			   "\telif [ -n \"${4:-}\" ]; then\n"
			   "\t\tsay \"warning: this kernel has no $1: $3 (only for fallback probe points)\"\n"
			   "\telse\n"
			   "\t\tmiss \"$3: this kernel is built without $1 (no package adds it: it needs a kernel built with $1=y)\"\n"
			   "\tfi\n"
			   "}\n");
	sb_puts(o, "preflight() {\n");
	if (kver_parse(opt->kver, kv)) {
		sb_puts(o, "\tcase $rel in \"$gen_kver\") ;; *) say \"warning: generated for kernel $gen_kver, this one is $rel (make tools KVER=$rel)\";; esac\n");
	}
	sb_puts(o, "\tif [ \"$use_parse\" = 1 ]; then\n"
		   "\t\tif [ -x \"$run_parse\" ]; then ok \"parser $parse\"; else miss \"the parser $parse (make tools builds it)\"; fi\n"
		   "\tfi\n"
		   "\tif [ -z \"$build\" ]; then\n"
		   "\t\tif [ -e \"$root/proc/modules\" ]; then\n"
		   "\t\t\tok \"loadable kernel modules\"\n"
		   "\t\telse\n"
		   "\t\t\tmiss \"loadable kernel modules (no /proc/modules): the tool runs as a kernel module, this kernel is built without CONFIG_MODULES\"\n"
		   "\t\tfi\n"
		   "\t\t[ \"$(id -u)\" = 0 ] || say \"warning: not root: staprun needs root or the stapusr group\"\n");
	if (n.kprobes)
		sb_printf(o, "\t\tkfeature CONFIG_KPROBES register_kprobe \"kprobes, for kernel function probes\"%s\n",
			  n.kprobes == NEED_MAYBE ? " warn" : "");
	if (n.uprobes)
		sb_printf(o, "\t\tkfeature CONFIG_UPROBES uprobe_register \"uprobes, for user-space probes\"%s\n",
			  n.uprobes == NEED_MAYBE ? " warn" : "");
	sb_puts(o, "\tfi\n"
		   "\tif [ -n \"$module\" ]; then\n"
		   "\t\tif command -v staprun >/dev/null; then ok \"staprun\"; else miss \"staprun, which runs a built module\" systemtap-runtime; fi\n"
		   "\t\tif [ -r \"$module\" ]; then ok \"module $module\"; else miss \"the module $module\"; fi\n"
		   "\t\treturn\n"
		   "\tfi\n"
		   "\tif [ -e \"$root/lib/modules/$rel/build/.config\" ]; then\n"
		   "\t\tok \"kernel build tree /lib/modules/$rel/build\"\n"
		   "\telse\n"
		   "\t\tmiss \"the kernel build tree /lib/modules/$rel/build (stap compiles the tool against it)\" \"linux-headers-$rel\"\n"
		   "\tfi\n");
	if (n.kdebug) {
		sb_puts(o, "\tdbg=''\n"
			   "\tfor f in /usr/lib/debug/boot/vmlinux-$rel /usr/lib/debug/lib/modules/$rel/vmlinux \\\n"
			   "\t\t/boot/vmlinux-$rel /lib/modules/$rel/build/vmlinux; do\n"
			   "\t\tif [ -z \"$dbg\" ] && [ -e \"$root$f\" ]; then dbg=$f; fi\n"
			   "\tdone\n"
			   "\tif [ -n \"$dbg\" ]; then\n"
			   "\t\tok \"kernel debuginfo $dbg\"\n"
			   "\telif [ -n \"${DEBUGINFOD_URLS:-}\" ]; then\n"
			   "\t\tsay \"warning: no local kernel debuginfo: stap will ask debuginfod ($DEBUGINFOD_URLS)\"\n");
		if (n.kdebug == NEED_MAYBE)
			sb_puts(o, "\telse\n"
				   "\t\tsay \"warning: no kernel debuginfo (vmlinux with DWARF): only needed if a fallback probe point is used (linux-image-$rel-dbg)\"\n");
		else
			sb_puts(o, "\telse\n"
				   "\t\tmiss \"the kernel's debuginfo, a vmlinux with DWARF (BTF is not enough for stap): the tool probes kernel functions or reads kernel structures\" \"linux-image-$rel-dbg\"\n");
		sb_puts(o, "\tfi\n");
	}
	sb_puts(o, "\tif ! command -v stap >/dev/null; then\n"
		   "\t\tmiss \"stap\" systemtap\n"
		   "\t\treturn\n"
		   "\tfi\n"
		   "\tver=$(stap -V 2>&1 || :)\n"
		   "\ttop=$(echo \"$ver\" | sed -n 's/^tested kernel versions: .*\\.\\.\\. *//p')\n"
		   "\tif [ -z \"$top\" ]; then\n"
		   "\t\tsay \"warning: cannot tell which kernels this stap supports (stap -V)\"\n"
		   "\telif awk -v a=\"$rel\" -v b=\"$top\" 'BEGIN { split(a, x, /[.-]/); split(b, y, /[.-]/)\n"
		   "\t\texit !(x[1] + 0 > y[1] + 0 || (x[1] + 0 == y[1] + 0 && x[2] + 0 > y[2] + 0)) }'; then\n"
		   "\t\tmiss \"a stap that knows this kernel: $(echo \"$ver\" | sed -n 's/^Systemtap translator\\/driver (version \\([^/ ]*\\).*/stap \\1/p') is tested up to $top, this kernel is $rel: a newer systemtap (a later Debian release's)\"\n"
		   "\telse\n"
		   "\t\tok \"stap (tested up to $top)\"\n"
		   "\tfi\n"
		   "}\n");
}

void emit_command(strbuf *o, const spec *s, const emit_opts *opt)
{
	const char *t = s->tool;
	tool_needs needs = tool_needs_of(s, opt->kver);
	bool opt_c = needs.target && !param_has_flag(s, "-c");
	sb_puts(o, "#!/bin/sh\n");
	sb_printf(o, "# %s: run %s.stp and print its records.\n", t, t);
	sb_printf(o, "# Generated by stapgen from %s for kernel %s.  Do not edit.\n", opt->spec_path,
		  opt->kver);
	/* -f: the option lists below are split into words, never globbed */
	sb_puts(o, "set -euf\n");
	sb_printf(o, "tool=%s\n", t);
	sb_puts(o, "here=$(cd \"$(dirname \"$0\")\" && pwd)\n");
	sb_printf(o, "script=$here/%s.stp\nparse=$here/parsers/%s-parse\n", t, t);
	/* the kernel module's name when built (-m): at most 55 bytes */
	sb_printf(o, "mod=%.55s\n", t);
	sb_puts(o, "gen_kver=");
	sh_quote(o, opt->kver);
	sb_putc(o, '\n');
	if (opt->set_id)
		pin_set(o, opt->set_id);
	else
		sb_puts(o, "run_script=$script run_parse=$parse\n");
	strbuf u = STRBUF_INIT;
	sb_printf(&u, "usage: %s [options]\n\n", t);
	usage_text(&u, s->summary ? s->summary : "");
	sb_puts(&u, "\n");
	if (s->description && *s->description) {	/* line by line, each escaped */
		sb_putc(&u, '\n');
		for (const char *l = s->description; *l;) {
			size_t n = strcspn(l, "\n");
			text_escape(&u, l, n, false);
			sb_putc(&u, '\n');
			l += n + (l[n] == '\n');
		}
	}
	sb_puts(&u, "\noptions:\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		char lhs[96];
		const char *arg = p->type == PT_STRING ? "STR" : p->type == PT_INT ? "N"
				: p->type == PT_SWITCH ? "" : p->unit_ms ? "MS" : "SECONDS";
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
		if (p->type == PT_STRING) {
			/* as a C-style string: a newline in it shows as \n */
			const char *v = p->sval ? p->sval : "";
			sb_putc(&u, '"');
			text_escape(&u, v, strlen(v), true);
			sb_puts(&u, "\")\n");
		} else {
			sb_printf(&u, "%lld)\n", (long long)p->ival);
		}
	}
	emit_tool_options(&u, s, needs.target, false);
	unsigned nflags;
	const char **flags = stap_run_flags(s, &nflags);
	if (nflags) {
		sb_puts(&u, "\nstap runs with:");
		for (unsigned i = 0; i < nflags; i++) {
			sb_putc(&u, ' ');
			usage_text(&u, flags[i]);
		}
		sb_putc(&u, '\n');
	}
	sb_printf(&u, "\nexit status: 0 done; 1 not ready (--check says why) or stap failed (its status);\n"
		      "2 bad options; 3 the parser found lines it could not use.\n");
	sb_puts(o, "usage() {\n");
	usage_heredoc(o, &u);
	sb_free(&u);
	sb_puts(o, "}\n");
	sb_puts(o, "stap_args='' syms='' gvars='' fmt=table secs='' raw=0 pid='' cmd='' out='' size='' bg=0\n"
		   "build='' module='' check=0 nocheck=0\n");
	if (s->npoint_args) {
		/* a probe point's value: a strict allow-list (probe_point.h), so
		 * it stays one word and inside the probe point's string */
		sb_printf(o, "ppcheck() {\n"
			     "\tcase $2 in ''|*[!%s]*) echo \"$tool: $1: '$2': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -\" >&2; exit 2;; esac\n"
			     "\t[ ${#2} -le %d ] || { echo \"$tool: $1: longer than %d bytes\" >&2; exit 2; }\n"
			     "}\nppgiven=''\n", PP_PARAM_CHARS, PP_PARAM_MAX, PP_PARAM_MAX);
		for (unsigned i = 0; i < s->nparams; i++)
			if (s->params[i].point_arg) {
				sb_printf(o, "pp_%u=", s->params[i].point_arg);
				sh_quote(o, s->params[i].required || !s->params[i].sval ? "" : s->params[i].sval);
				sb_putc(o, '\n');
			}
	}
	/* -f svg: the flame graph's subtitle is the command line */
	sb_printf(o, "cmdline=\"%s${*:+ $*}\"\n", t);
	sb_puts(o, "while [ $# -gt 0 ]; do\n\tcase $1 in\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (!p->flag)
			continue;
		if (p->type == PT_SWITCH) {
			sb_printf(o, "\t%s) gvars=\"$gvars -G %s=1\"; shift;;\n", p->flag, p->name);
			continue;
		}
		sb_printf(o, "\t%s)\n\t\t[ $# -ge 2 ] || { echo \"%s: %s needs a value\" >&2; exit 2; }\n",
			  p->flag, t, p->flag);
		if (p->point_arg) {	/* part of a probe point: checked, never -G */
			sb_printf(o, "\t\tppcheck %s \"$2\"; pp_%u=$2; ppgiven=%s; shift 2;;\n", p->flag,
				  p->point_arg, p->flag);
			continue;
		}
		if (p->type != PT_STRING)
			sb_printf(o, "\t\tcase $2 in ''|*[!0-9]*) echo \"%s: %s takes a number\" >&2; exit 2;; esac\n",
				  t, p->flag);
		else	/* the value is one word of stap's command line */
			sb_printf(o, "\t\tcase $2 in *[[:space:]\\'\\\"]*) echo \"%s: %s: spaces and quotes are not allowed\" >&2; exit 2;; esac\n",
				  t, p->flag);
		sb_printf(o, "\t\tgvars=\"$gvars -G %s=$2\"; shift 2;;\n", p->name);
	}
	if (needs.target && !param_has_flag(s, "-p")) {	/* -p only where target() means it */
		sb_puts(o, "\t-p) [ $# -ge 2 ] || { usage >&2; exit 2; }\n"
			   "\t\tcase $2 in ''|*[!0-9]*) echo \"bad PID '$2'\" >&2; exit 2;; esac\n");
		if (uses_user_symbols(s))
			sb_puts(o, "\t\texe=$(readlink -f \"/proc/$2/exe\") || { echo \"no process $2\" >&2; exit 1; }\n"
				   "\t\t# user-space symbols: the executable and its shared libraries\n"
				   "\t\tsyms=\"-d $exe --ldd\"\n");
		sb_puts(o, "\t\tpid=$2; shift 2;;\n");
	}
	if (opt_c && uses_user_symbols(s))	/* the libraries CMD loads, too */
		sb_puts(o, "\t-c) [ $# -ge 2 ] || { usage >&2; exit 2; }; cmd=$2; syms=--ldd; shift 2;;\n");
	else if (opt_c)
		sb_puts(o, "\t-c) [ $# -ge 2 ] || { usage >&2; exit 2; }; cmd=$2; shift 2;;\n");
	sb_puts(o, ""
		   "\t-t) [ $# -ge 2 ] || { usage >&2; exit 2; }; secs=$2; shift 2;;\n"
		   "\t-a) [ $# -ge 2 ] || { usage >&2; exit 2; }; stap_args=\"$stap_args $2\"; shift 2;;\n"
		   "\t-f) [ $# -ge 2 ] || { usage >&2; exit 2; }; fmt=$2; shift 2;;\n"
		   "\t--raw) raw=1; shift;;\n"
		   "\t-o) [ $# -ge 2 ] || { usage >&2; exit 2; }; out=$2; shift 2;;\n"
		   "\t-S) [ $# -ge 2 ] || { usage >&2; exit 2; }\n");
	sb_printf(o, "\t\tcase $2 in ''|*[!0-9,]*|,*|*,|*,*,*) echo \"%s: -S takes SIZE or SIZE,N\" >&2; exit 2;; esac\n", t);
	sb_puts(o, ""
		   "\t\tsize=$2; shift 2;;\n"
		   "\t-F|--background) bg=1; shift;;\n"
		   "\t--build-module) [ $# -ge 2 ] || { usage >&2; exit 2; }; build=$2; shift 2;;\n"
		   "\t--module) [ $# -ge 2 ] || { usage >&2; exit 2; }; module=$2; shift 2;;\n"
		   "\t--check) check=1; shift;;\n"
		   "\t--no-check) nocheck=1; shift;;\n"
		   "\t-d) cat \"$run_script\"; exit 0;;\n"
		   "\t-h|--help) usage; exit 0;;\n"
		   "\t-G) [ $# -ge 2 ] || { usage >&2; exit 2; }");
	sb_puts(o, s->npoint_args ? "\n" : "; ");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (p->point_arg)	/* -G NAME=VALUE of a probe point parameter */
			sb_printf(o, "\t\tcase $2 in %s=*) ppcheck -G \"${2#%s=}\"; pp_%u=${2#%s=}; ppgiven=-G; shift 2; continue;; esac\n",
				  p->name, p->name, p->point_arg, p->name);
	}
	sb_puts(o, s->npoint_args ? "\t\tgvars=\"$gvars -G $2\"; shift 2;;\n" : "gvars=\"$gvars -G $2\"; shift 2;;\n");
	sb_printf(o, "\t*) echo \"%s: unknown option '$1'\" >&2; usage >&2; exit 2;;\n\tesac\ndone\n", t);
	/* required parameters: given by their flag or as -G NAME=... */
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (!p->required)
			continue;
		if (p->point_arg) {
			sb_printf(o, "[ -n \"$pp_%u\" ] || { echo \"%s: %s is required (see --help)\" >&2; exit 2; }\n",
				  p->point_arg, t, p->flag ? p->flag : p->name);
			continue;
		}
		sb_printf(o, "case \"$gvars \" in *\" -G %s=\"*) ;; *)\n\techo \"%s: ", p->name, t);
		if (p->flag)
			sb_printf(o, "%s", p->flag);
		else
			sb_printf(o, "-G %s=VALUE", p->name);
		sb_puts(o, " is required (see --help)\" >&2; exit 2;;\nesac\n");
	}
	sb_puts(o, "die() { echo \"$tool: $*\" >&2; exit 2; }\n"
		   "[ -z \"$pid\" ] || [ -z \"$cmd\" ] || die \"-p and -c exclude each other\"\n"
		   "[ -z \"$size\" ] || [ -n \"$out\" ] || die \"-S needs -o FILE\"\n");
	{	/* -f: the formats this tool's records have */
		strbuf pat = STRBUF_INIT;
		bool stacks = tool_has_stacks(s);
#define SG_FMT_PAT(e, name, stack, what) \
		if (stacks || !stack) \
			sb_printf(&pat, "%s%s", pat.len ? "|" : "", name);
		SG_FORMATS(SG_FMT_PAT)
#undef SG_FMT_PAT
		sb_printf(o, "case $fmt in %s) ;; *) die \"-f: '$fmt': the formats of this tool are %s\";; esac\n",
			  sb_str(&pat), sb_str(&pat));
		sb_free(&pat);
	}
	sb_puts(o, ""
		   "[ -z \"$secs\" ] || [ \"$bg\" = 0 ] || die \"-t and -F exclude each other\"\n"
		   "[ -z \"$build\" ] || [ -z \"$module\" ] || die \"--build-module and --module exclude each other\"\n"
		   "[ -z \"$module\" ] || [ -z \"$stap_args\" ] || die \"-a: stap options do not apply to a built module (give them to --build-module)\"\n"
		   "use_parse=1\n"
		   "if [ \"$raw\" = 1 ] || [ -n \"$out\" ] || [ \"$bg\" = 1 ] || [ -n \"$build\" ]; then use_parse=0; fi\n");
	if (s->npoint_args) {
		sb_puts(o, "# the probe points are compiled into a module: its pattern is the one it was built with\n"
			   "[ -z \"$module\" ] || [ -z \"$ppgiven\" ] || die \"$ppgiven: a module built with --build-module probes the pattern it was built with; give $ppgiven to --build-module\"\n");
		/* stap SCRIPT ARG...: words without spaces (ppcheck), never globbed (set -f) */
		sb_puts(o, "ppargs=\"");
		for (unsigned i = 1; i <= s->npoint_args; i++)
			sb_printf(o, "%s$pp_%u", i > 1 ? " " : "", i);
		sb_puts(o, "\"\n");
	}
	sb_puts(o, "opts=");
	strbuf so = STRBUF_INIT;
	for (unsigned i = 0; i < nflags; i++)
		sb_printf(&so, "%s%s", i ? " " : "", flags[i]);
	free(flags);
	sh_quote(o, sb_str(&so));
	sb_free(&so);
	sb_puts(o, "\n");
	emit_preflight(o, s, opt);
	sb_puts(o, "if [ \"$check\" = 1 ] || [ \"$nocheck\" = 0 ]; then\n"
		   "\tpreflight\n"
		   "\t[ -z \"$pkgs\" ] || say \"to fix: apt-get install$pkgs\"\n"
		   "\tif [ \"$check\" = 1 ]; then\n"
		   "\t\t[ \"$bad\" = 1 ] || echo \"$tool: ready\"\n"
		   "\t\texit \"$bad\"\n"
		   "\tfi\n"
		   "\t[ \"$bad\" = 0 ] || { echo \"$tool: not ready (--check lists what it needs; --no-check runs anyway)\" >&2; exit 1; }\n"
		   "fi\n");
	sb_puts(o, "\n# ---- the run: the command line, as words\n"
		   "# shellcheck disable=SC2086 # the option lists are meant to split into words\n"
		   "if [ -n \"$build\" ]; then\n"
		   "\tmkdir -p \"$build\"\n"
		   "\t(cd \"$build\" && stap -p4 -m \"$mod\" $opts $stap_args $syms $gvars \"$run_script\"");
	sb_puts(o, s->npoint_args ? " $ppargs" : "");
	sb_puts(o, " >/dev/null) || exit\n"
		   "\techo \"$tool: built $build/$mod.ko; run it (staprun, no compiler needed): $0 --module $build/$mod.ko [options]\" >&2\n"
		   "\texit 0\n"
		   "fi\n"
		   "if [ -n \"$module\" ]; then\n"
		   "\tset -- staprun\n"
		   "\tmname=$(basename \"$module\" .ko)\n"
		   "else\n"
		   "\t# shellcheck disable=SC2086\n"
		   "\tset -- stap $opts $stap_args $syms\n"
		   "\tmname=$mod\n"
		   "fi\n"
		   "[ -z \"$pid\" ] || set -- \"$@\" -x \"$pid\"\n"
		   "[ -z \"$cmd\" ] || set -- \"$@\" -c \"$cmd\"\n"
		   "[ -z \"$out\" ] || set -- \"$@\" -o \"$out\"\n"
		   "[ -z \"$size\" ] || set -- \"$@\" -S \"$size\"\n"
		   "if [ -n \"$module\" ]; then\n"
		   "\t# staprun -D (in the background, into -o FILE) or -L (load, start, detach)\n"
		   "\tif [ \"$bg\" = 1 ] && [ -n \"$out\" ]; then set -- \"$@\" -D; elif [ \"$bg\" = 1 ]; then set -- \"$@\" -L; fi\n"
		   "\tset -- \"$@\" \"$module\"\n"
		   "\t# the parameters as module options: -G NAME=VALUE becomes NAME=VALUE\n"
		   "\tfor g in $gvars; do [ \"$g\" = -G ] || set -- \"$@\" \"$g\"; done\n"
		   "else\n"
		   "\t[ \"$bg\" = 0 ] || set -- \"$@\" -F -m \"$mod\"\n"
		   "\t# shellcheck disable=SC2086\n"
		   "\tset -- \"$@\" $gvars \"$run_script\"");
	sb_puts(o, s->npoint_args ? " $ppargs\n" : "\n");
	sb_puts(o, "fi\n"
		   "if [ \"$bg\" = 1 ]; then\n"
		   "\t\"$@\" || exit\n"
		   "\tif [ -n \"$out\" ]; then\n"
		   "\t\techo \"$tool: running in the background, records into $out (with -S: $out.N); parse: $parse FILE; stop: kill PID, the pid printed above\" >&2\n"
		   "\telse\n"
		   "\t\techo \"$tool: running in the background; attach: staprun -A $mname | $parse -f $fmt (Ctrl-\\\\ detaches again, Ctrl-C stops it)\" >&2\n"
		   "\tfi\n"
		   "\texit 0\n"
		   "fi\n"
		   "# SIGINT lets stap run its end probes: the final report is printed.\n"
		   "# --foreground: Ctrl-C still reaches stap (which takes a relayed second\n"
		   "# SIGINT as one, as under sudo); the status is stap's, not 124.\n"
		   "[ -z \"$secs\" ] || set -- timeout --foreground --preserve-status -s INT \"$secs\" \"$@\"\n"
		   "if [ \"$use_parse\" = 0 ]; then\n"
		   "\t\"$@\" || exit\n"
		   "\texit 0\n"
		   "fi\n"
		   "# -f svg: the flame graph's subtitle is the command line\n"
		   "parse_out() {\n"
		   "\tif [ \"$fmt\" = svg ]; then \"$run_parse\" -f svg --subtitle \"$cmdline\"; else \"$run_parse\" -f \"$fmt\"; fi\n"
		   "}\n"
		   "# POSIX sh has no pipefail: each side of the pipe reports its exit status\n"
		   "# on fd 3.  Ctrl-C is for stap alone (it then runs its end probes): the\n"
		   "# shells wait (a trap, which their children do not inherit) and the\n"
		   "# parser ignores it, reading on until stap is done.\n"
		   "trap : INT\n"
		   "exec 4>&1\n"
		   "st=$(trap : INT\n"
		   "\t{ { trap : INT; s=0; \"$@\" 3>&- 4>&- || s=$?; echo \"stap=$s\" >&3; } |\n"
		   "\t{ trap '' INT; p=0; parse_out >&4 3>&- 4>&- || p=$?; echo \"parse=$p\" >&3; }; } 3>&1)\n"
		   "exec 4>&-\n"
		   "s=1 p=1\n"
		   "for w in $st; do\n"
		   "\tcase $w in stap=*) s=${w#stap=};; parse=*) p=${w#parse=};; esac\n"
		   "done\n"
		   "[ \"$s\" = 0 ] || { echo \"$tool: stap failed (exit status $s)\" >&2; exit \"$s\"; }\n"
		   "[ \"$p\" = 0 ] || { echo \"$tool: the parser exited with status $p\" >&2; exit \"$p\"; }\n");
}
