#!/bin/sh
# Regenerates gen/tables/tapset_funcs.def, the table of SystemTap tapset
# function signatures the expression checker uses, from installed tapsets.
#
#   scripts/gen-tapset-funcs.sh [TAPSET_DIR] > gen/tables/tapset_funcs.def
#
# TAPSET_DIR defaults to /usr/share/systemtap/tapset; ARCH (default x86_64)
# picks the architecture subdirectories.  The output is checked in so the
# build does not depend on the host's tapsets.  It is deterministic: sorted
# by name then arity, no dates.  What it had to guess or skip is reported on
# stderr.
#
# Rules:
#  - public (non-`private`) `function name[:type] (arg[:type], ...)` lines in
#    TAPSET/$ARCH/*.stp, TAPSET/linux/$ARCH/*.stp, TAPSET/linux/*.stp and
#    TAPSET/*.stp; the first definition of a name/arity wins (so the
#    architecture's own definitions take precedence);
#  - untyped arguments are long unless listed in OVERRIDES; an untyped return
#    is void for embedded-C bodies and for script bodies without a valued
#    `return`; otherwise it comes from OVERRIDES or the function is skipped;
#  - more than 4 arguments: skipped (the table holds at most 4);
#  - flags: GURU for embedded C tagged /* guru */, for *guru*.stp files and
#    for `system`; WRITES for the ones that change kernel/process state;
#    STACK for backtrace producers (raw ones return the `stack` type);
#    NEEDS_EVENT for functions about the current task/probe point;
#    VOLATILE for clocks, counters and random numbers (two reads in one
#    event differ: lowering computes such a value once);
#  - DWARF: the function reads the kernel's DWARF, so it fails to compile
#    against a kernel tree with headers only (checked against real stap by
#    tests/tapset-dwarf/run.sh).  A script body (of a public or private
#    function) is DWARF when, with comments, string literals and embedded C
#    left out, and the @defines of TAPSET/**/*.stpm and of its own file
#    expanded, it has
#      @cast(X, "T") (no module: the kernel's DWARF), or @cast(X, "T", M)
#      where no alternative of the module chain M ("kernel:nfs") names a
#      header ("kernel<linux/sched.h>") and one is not a user-space path
#      (@container_of and @module_container_of are @casts once expanded);
#      @var(...); a target variable $name;
#    or calls a DWARF function (the private one of its file, else any
#    public one of that name; to a fixed point).  Embedded-C bodies are not
#    DWARF: they compile against the headers.  A name/arity is DWARF if any
#    of its definitions is.
#    What stap folds away does not count.  @defined(X) of an X it cannot
#    resolve is false, not an error (stap 4.8, headers-only 6.1: `probe
#    begin { println(@defined(@cast(0, "file", "kernel")->f_path)) }`
#    passes -p2), so X never counts; `if (@defined(X)) S1 else S2` and
#    `@defined(X) ? A : B` (so @choose_defined(X, B)) keep only S2 / B when
#    X is DWARF (the function compiles but takes its fallback: DWARF_WHY
#    marks these); other conditions on @defined keep both branches.  Preprocessor
#    conditions are decided when every kernel from KMIN (3.10) on agrees
#    (kernel_v, kernel_vr; arch, runtime, systemtap_v exactly), else both
#    branches count.
#    DWARF_WHY=FILE writes each table function's reason (or -) to FILE.
set -eu

TAPSET=${1:-/usr/share/systemtap/tapset}
ARCH=${ARCH:-x86_64}
export LC_ALL=C

if [ ! -d "$TAPSET" ]; then
	echo "gen-tapset-funcs: no tapset directory '$TAPSET'" >&2
	exit 1
fi

FILES=
# The macro files come first: the DWARF rules expand their @defines.
for f in "$TAPSET"/*.stpm "$TAPSET/$ARCH"/*.stpm "$TAPSET"/linux/*.stpm \
	"$TAPSET/linux/$ARCH"/*.stpm; do
	[ -f "$f" ] && FILES="$FILES $f"
done
for f in "$TAPSET/$ARCH"/*.stp "$TAPSET/linux/$ARCH"/*.stp \
	"$TAPSET"/linux/*.stp "$TAPSET"/*.stp; do
	[ -f "$f" ] && FILES="$FILES $f"
done
case $FILES in *.stp\ *|*.stp) ;; *) false ;; esac || { echo "gen-tapset-funcs: no .stp files under $TAPSET" >&2; exit 1; }

# name=ret:arg,arg  (for functions whose types the tapsets leave out)
OVERRIDES='
WIFEXITED=long:long
WEXITSTATUS=long:long
WTERMSIG=long:long
WIFSIGNALED=long:long
WCOREDUMP=long:long
WIFSTOPPED=long:long
WSTOPSIG=long:long
WIFCONTINUED=long:long
signal_str=string:long
sa_handler_str=string:long
syscall_name=string:long
syscall_num=long:string
tz_ctime=string:long
fullpath_struct_nameidata=string:long
target_set_pid=long:long
qs_time=long:
sprint_syms=string:string
sprint_usyms=string:string
bio_rw_str=string:long
tz_gmtoff=long:
tz_name=string:
user_string_n_nofault=string:long,long
'

VERSION=$( (stap -V 2>&1 || true) | head -n 1)
# systemtap_v in the tapsets' preprocessor conditions: the installed stap's
STAPV=$(printf '%s\n' "$VERSION" | sed -n 's/.*version \([0-9][0-9.]*\).*/\1/p')
# the oldest kernel the tools target: kernel_v conditions are decided over
# every kernel from it on
KMIN=${KMIN:-3.10}
TMP=$(mktemp "${TMPDIR:-/tmp}/gen-tapset-funcs.XXXXXX")
trap 'rm -f "$TMP"' EXIT

# shellcheck disable=SC2086
awk -v overrides="$OVERRIDES" -v why="${DWARF_WHY:-}" -v kmin="$KMIN" -v stapv="$STAPV" -v arch="$ARCH" '
function trim(s) { sub(/^[ \t\r\n]+/, "", s); sub(/[ \t\r\n]+$/, "", s); return s }
function warn(msg) { print "gen-tapset-funcs: " msg > "/dev/stderr" }
# Removes string literals, then reports whether the text opens a comment.
function strip_strings(s) { gsub(/"([^"\\]|\\.)*"/, "\"\"", s); return s }
BEGIN {
	n = split(overrides, ov, "\n")
	for (i = 1; i <= n; i++) {
		if (ov[i] == "") continue
		split(ov[i], kv, "=")
		OV[kv[1]] = kv[2]
	}
	mode = "top"	# top | ccode | comment | sig | body | await
}
FNR == 1 { mode = "top"; file = FILENAME; stpm = (file ~ /\.stpm$/) }
{
	line = $0
	if (mode == "define") { define_line(line); next }
	if (mode == "ppbody") {
		cbody = cbody "\n" line; DBODY[cur_def] = cbody
		ppdepth += pp_depth(line)
		if (ppdepth <= 0) mode = "top"
		next
	}
	if (mode == "ccode") {
		if (guru_probe > 0) {	# the line after %{ may carry the tag
			if (line ~ /\/\* *guru *\*\//) cur_guru = 1
			guru_probe--
		}
		if (index(line, "%}")) { mode = "top"; if (pending) finish() }
		next
	}
	if (mode == "comment") {
		if (index(line, "*/")) mode = "top"
		next
	}
	if (mode == "sig") {
		sig = sig " " line
		if (index(line, ")")) { mode = "await"; rest = substr(sig, index(sig, ")") + 1); after_sig(rest) }
		next
	}
	if (mode == "await") { after_sig(line); next }
	if (mode == "body") { cbody = cbody "\n" line; scan_body(line); next }

	# top level
	s = strip_strings(line)
	if (s ~ /^[ \t]*@define[ \t]/) {
		dtext = ""; ddepth = 0; dopen = 0; mode = "define"; define_line(line)
		next
	}
	if (!stpm && s ~ /^[ \t]*((private|@__private30)[ \t]+)?function[ \t]+[A-Za-z_]/) {
		sig = line
		cur_guru = 0
		cur_priv = (s !~ /^[ \t]*function/)
		if (index(line, ")")) { rest = substr(sig, index(sig, ")") + 1); mode = "await"; after_sig(rest) }
		else mode = "sig"
		next
	}
	if (s ~ /^[ \t]*%\{/ && !index(s, "%}")) { mode = "ccode"; guru_probe = 0; next }
	t = s
	while ((p = index(t, "/*")) > 0) {
		t = substr(t, p + 2)
		q = index(t, "*/")
		if (!q) { mode = "comment"; break }
		t = substr(t, q + 2)
	}
}
# What follows the closing parenthesis of a signature: a body or nothing yet.
function after_sig(rest,    r) {
	r = trim(rest)
	if (r == "") return		# body starts on a later line
	pending = 1
	parse_sig(sig)
	if (substr(r, 1, 2) == "%{") {
		body_kind = "c"; cbody = ""
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		if (index(substr(r, 3), "%}")) { mode = "top"; finish(); return }
		mode = "ccode"; guru_probe = 1
		return
	}
	if (substr(r, 1, 2) == "%(" && fret != "") {
		# a body chosen by the preprocessor: the declared type is enough;
		# the DWARF rules read it up to its closing %)
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		body_kind = "pp"; cbody = r
		finish()
		ppdepth = pp_depth(r); mode = ppdepth > 0 ? "ppbody" : "top"
		return
	}
	if (substr(r, 1, 1) == "{") {
		body_kind = "stap"; depth = 0; valued = 0; cbody = r
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		mode = "body"; scan_body(r)
		return
	}
	if (!cur_priv) warn(file ": " fname ": unexpected text after signature, skipped")
	pending = 0; mode = "top"
}
function scan_body(text,    s, i, c) {
	s = strip_strings(text)
	if (s ~ /(^|[^A-Za-z0-9_])return[ \t(]+[^ \t;}]/) valued = 1
	for (i = 1; i <= length(s); i++) {
		c = substr(s, i, 1)
		if (c == "{") depth++
		else if (c == "}") { depth--; if (depth == 0) { mode = "top"; finish(); return } }
	}
}
# Fills fname, fret ("" when untyped), fnargs, fargs[1..], fprivate.
function parse_sig(text,    head, args, n, i, a, p) {
	head = substr(text, 1, index(text, "(") - 1)
	args = substr(text, index(text, "(") + 1)
	args = substr(args, 1, index(args, ")") - 1)
	head = trim(head)
	sub(/^(private|@__private30)[ \t]+/, "", head)
	sub(/^function[ \t]+/, "", head)
	p = index(head, ":")
	if (p) { fname = trim(substr(head, 1, p - 1)); fret = trim(substr(head, p + 1)) }
	else { fname = trim(head); fret = "" }
	fnargs = 0
	args = trim(args)
	if (args != "") {
		n = split(args, a, ",")
		for (i = 1; i <= n; i++) {
			a[i] = trim(a[i])
			p = index(a[i], ":")
			fargs[i] = p ? trim(substr(a[i], p + 1)) : ""
		}
		fnargs = n
	}
}
function vt(t) {
	if (t == "long") return "LONG"
	if (t == "string") return "STRING"
	return ""
}
function finish(    ret, i, o, parts, oargs, flags, key, rec, a, untyped, d) {
	pending = 0
	if (fname == "" ) return
	# every definition, private or not in the table, for the DWARF rules
	d = ++NDEF; cur_def = d
	DNAME[d] = fname; DFILE[d] = file; DPRIV[d] = cur_priv; DNARGS[d] = fnargs
	DKIND[d] = body_kind; DBODY[d] = cbody
	if (cur_priv) return
	untyped = 0
	if (fname in OV) {
		split(OV[fname], parts, ":")
		o = parts[1]
		split(parts[2], oargs, ",")
	}
	if (fret != "") ret = vt(fret)
	else if (fname in OV) ret = vt(o)
	else if (body_kind == "c" || !valued) ret = "VOID"
	else { warn(file ": " fname ": untyped return value, skipped"); return }
	if (ret == "") { warn(file ": " fname ": return type " fret ", skipped"); return }
	if (fnargs > 4) { warn(file ": " fname ": " fnargs " arguments, skipped"); return }
	a = ""
	for (i = 1; i <= 4; i++) {
		if (i > fnargs) { a = a ", VOID"; continue }
		t = vt(fargs[i])
		if (fargs[i] == "") {
			t = (fname in OV && oargs[i] != "") ? vt(oargs[i]) : "LONG"
			if (!(fname in OV)) untyped = 1
		}
		if (t == "") { warn(file ": " fname ": argument type " fargs[i] ", skipped"); return }
		a = a ", " t
	}
	if (untyped) warn(file ": " fname ": untyped argument taken as long")
	flags = ""
	if (cur_guru || file ~ /guru[^\/]*\.stp$/ || fname == "system") flags = flags "|TF_GURU"
	if (fname ~ /^_*set_/ || fname ~ /^(system|raise|panic|mdelay|udelay|printk|dump_stack)$/) {
		if (flags !~ /TF_GURU/) flags = flags "|TF_GURU"
		flags = flags "|TF_WRITES"
	}
	if (fname ~ /^(backtrace|ubacktrace|callers|ucallers|task_backtrace)$/) {
		flags = flags "|TF_STACK"
		if (ret == "STRING") ret = "STACK"
	}
	if (fname ~ /^(sprint_backtrace|sprint_ubacktrace|sprint_stack|sprint_ustack|print_backtrace|print_ubacktrace|print_stack|print_ustack)$/)
		flags = flags "|TF_STACK"
	if (fname ~ /^(pid|tid|ppid|pgrp|sid|execname|pexecname|uid|gid|euid|egid|cmdline_str|cmdline_args|cmdline_arg|cmdline_argv|pp|ppfunc|probefunc|probemod|caller|caller_addr|backtrace|ubacktrace|callers|ucallers|sprint_backtrace|sprint_ubacktrace|print_backtrace|print_ubacktrace|task_current|addr|uaddr|register|u_register|user_mode|is_return|probe_type|ns_pid|ns_tid|ns_ppid|ns_pgid|ns_sid|ns_uid|ns_gid|ns_euid|ns_egid|returnval|returnstr|int_arg|uint_arg|long_arg|ulong_arg|longlong_arg|ulonglong_arg|pointer_arg|s32_arg|u32_arg|s64_arg|u64_arg)$/)
		flags = flags "|TF_NEEDS_EVENT"
	if (fname ~ /^(gettimeofday_|local_clock_|cpu_clock_|ktime_get_|read_stopwatch_)/ || fname ~ /^(get_cycles|jiffies|randint)$/)
		flags = flags "|TF_VOLATILE"
	sub(/^\|/, "", flags)
	if (flags == "") flags = "0"
	key = fname "|" fnargs
	rec = ret a ", " flags
	if (key in SEEN) {
		if (SEEN[key] != rec) warn(file ": " fname "/" fnargs ": differs from an earlier definition, first kept")
		return
	}
	SEEN[key] = rec
	NOUT++; OUTKEY[NOUT] = key; OUTFL[NOUT] = flags
	OUT[NOUT] = sprintf("%s|%d|TF(%s, %s, %d%s, ", fname, fnargs, fname, ret, fnargs, a)
}
# ---- TF_DWARF -------------------------------------------------------------
function lastidx(s, pat,    p, k) {
	p = 0
	while ((k = index(substr(s, p + 1), pat)) > 0) p += k
	return p
}
function vcmp(a, b,    x, y, n, i) {	# compares versions "3.10.0" and "4.8"
	n = split(a, x, /[.-]/); i = split(b, y, /[.-]/); if (i > n) n = i
	for (i = 1; i <= n; i++) {
		if (x[i] + 0 < y[i] + 0) return -1
		if (x[i] + 0 > y[i] + 0) return 1
	}
	return 0
}
# A preprocessor condition over every kernel from kmin on: 1 true, 0 false,
# -1 unknown (CONFIG_*, kernel_v within the range, anything else).
function pp_eval(c,    o, a, no, na, i, j, r, v, and, or, var, op, val) {
	or = 0
	no = split(c, o, /\|\|/)
	for (i = 1; i <= no; i++) {
		and = 1
		na = split(o[i], a, /&&/)
		for (j = 1; j <= na; j++) {
			v = -1
			if (match(a[j], /^[ \t\n]*[a-z_]+[ \t\n]*(==|!=|<=|>=|<|>)[ \t\n]*"[0-9]+"[ \t\n]*$/)) {
				var = a[j]; sub(/^[ \t\n]*/, "", var); sub(/[ \t\n=!<>].*/, "", var)
				op = a[j]; sub(/^[^=!<>]*/, "", op); sub(/[^=!<>].*/, "", op)
				val = a[j]; sub(/^[^"]*/, "", val); val = lit(val)
				v = pp_atom(var, op, val)
			}
			if (v == 0) { and = 0; break }
			if (v == -1) and = -1
		}
		if (and == 1) return 1
		if (and == -1) or = -1
	}
	return or
}
function pp_atom(var, op, val,    c) {
	if (var == "arch" || var == "runtime" || var == "systemtap_v") {
		if (var == "systemtap_v" && stapv == "") return -1
		c = var == "arch" ? arch : var == "runtime" ? "kernel" : stapv
		c = (var == "systemtap_v") ? vcmp(c, val) : (c == val ? 0 : 1)
		if (op == "==") return c == 0
		if (op == "!=") return c != 0
		if (var != "systemtap_v") return -1
		if (op == "<") return c < 0
		if (op == "<=") return c <= 0
		if (op == ">") return c > 0
		return c >= 0
	}
	if (var != "kernel_v" && var != "kernel_vr") return -1
	c = vcmp(val, kmin)	# every kernel k >= kmin
	if (op == "<") return c <= 0 ? 0 : -1
	if (op == "<=" || op == "==") return c < 0 ? 0 : -1
	if (op == ">" || op == "!=") return c < 0 ? 1 : -1
	return c <= 0 ? 1 : -1
}
# Keeps the branch of each %( COND %? A %: B %) that COND picks on every
# kernel from kmin on; both when it depends on the kernel or its config.
function pp_resolve(t,    p, rest, q, seg, cq, c, body, ce, th, el, r) {
	while ((p = lastidx(t, "%(")) > 0) {
		rest = substr(t, p + 2)
		q = index(rest, "%)")
		if (!q) break
		seg = substr(rest, 1, q - 1)
		cq = index(seg, "%?")
		c = cq ? substr(seg, 1, cq - 1) : ""
		body = cq ? substr(seg, cq + 2) : seg
		ce = index(body, "%:")
		th = ce ? substr(body, 1, ce - 1) : body
		el = ce ? substr(body, ce + 2) : ""
		r = pp_eval(c)
		t = substr(t, 1, p - 1) " " (r == 1 ? th : r == 0 ? el : th " " el) " " substr(rest, q + 2)
	}
	return t
}
# Stap folds `if (@defined(X)) S1 [else S2]` to S2 and `@defined(X) ? A : B`
# (so @choose_defined(X, B)) to B when X cannot be resolved; X needing the
# DWARF cannot be without it: S1 and A go (FOLDS counts them: the function
# compiles but takes its fallback).
function fold_defined(t,    out, pre, rest, n, args, e, s1, i, c, depth, m) {
	t = fold_ternary(t)
	out = ""
	while (match(t, /if[ \t\n]*\([ \t\n]*@defined[ \t\n]*\(/)) {
		pre = RSTART > 1 ? substr(t, RSTART - 1, 1) : ""
		out = out substr(t, 1, RSTART - 1)
		m = substr(t, RSTART, RLENGTH)
		rest = substr(t, RSTART + RLENGTH)
		n = split_args(rest, args); e = ARGEND
		if (pre ~ /[A-Za-z0-9_]/ || n != 1 || direct_dwarf(args[1]) == "" || \
		    !match(substr(rest, e + 1), /^[ \t\n]*\)[ \t\n]*/)) {
			out = out m; t = rest; continue
		}
		s1 = substr(rest, e + 1 + RLENGTH)
		# the statement S1: a block, or up to ; or a newline outside brackets
		depth = 0
		for (i = 1; i <= length(s1); i++) {
			c = substr(s1, i, 1)
			if (c == "{" || c == "(" || c == "[") depth++
			else if (c == "}" || c == ")" || c == "]") { depth--; if (depth == 0 && c == "}" && substr(s1, 1, 1) == "{") break }
			else if (depth == 0 && (c == ";" || c == "\n")) break
		}
		s1 = substr(s1, i + 1)
		if (match(s1, /^[ \t\n;]*else[^A-Za-z0-9_]/)) s1 = substr(s1, RLENGTH)
		FOLDS++
		t = " " s1
	}
	return out t
}
function fold_ternary(t,    out, m, rest, n, args, e, a, i, c, depth, q) {
	out = ""
	while (match(t, /@defined[ \t\n]*\(/)) {
		out = out substr(t, 1, RSTART - 1)
		m = substr(t, RSTART, RLENGTH)
		rest = substr(t, RSTART + RLENGTH)
		n = split_args(rest, args); e = ARGEND
		if (n != 1 || !match(substr(rest, e + 1), /^[ \t\n]*\?/) || direct_dwarf(args[1]) == "") {
			out = out m; t = rest; continue
		}
		a = substr(rest, e + 1)
		a = substr(a, index(a, "?") + 1)
		# A ends at its ":" (nested ?: and brackets skipped)
		depth = 0; q = 0
		for (i = 1; i <= length(a); i++) {
			c = substr(a, i, 1)
			if (c == "(" || c == "[" || c == "{") depth++
			else if (c == ")" || c == "]" || c == "}") depth--
			else if (depth == 0 && c == "?") q++
			else if (depth == 0 && c == ":") { if (q == 0) break; q-- }
		}
		if (i > length(a)) { out = out m; t = rest; continue }
		FOLDS++
		t = " " substr(a, i + 1)
	}
	return out t
}
# How much a line opens (+) or closes (-) preprocessor conditionals %( %).
function pp_depth(line,    s, o, c) {
	s = strip_strings(line); sub(/(#|\/\/).*/, "", s)
	o = gsub(/%\(/, "", s); c = gsub(/%\)/, "", s)
	return o - c
}
# An @define: its text runs up to the %) that closes its first %(.
function define_line(line,    s, p) {
	dtext = dtext line "\n"
	s = strip_strings(line); sub(/(#|\/\/).*/, "", s)
	if (index(s, "%(")) dopen = 1
	ddepth += pp_depth(line)
	if (dopen && ddepth <= 0) {
		mode = "top"
		NMAC++; MACTEXT[NMAC] = dtext; MACSCOPE[NMAC] = stpm ? "" : file
	}
}
# The text the DWARF rules read: comments and embedded C dropped, each
# string literal replaced by "N" with its text in STR[N] (so neither a
# comment nor a string that mentions @cast or $x counts).
function clean(s,    o, i, n, c, c2, j, rest) {
	o = ""; n = length(s); i = 1
	while (i <= n) {
		rest = substr(s, i)
		if (!match(rest, /["#\/%]/)) { o = o rest; break }
		o = o substr(rest, 1, RSTART - 1)
		i += RSTART - 1
		c = substr(s, i, 1); c2 = substr(s, i + 1, 1)
		if (c == "\"") {
			for (j = i + 1; j <= n; j++) {
				c = substr(s, j, 1)
				if (c == "\\") j++
				else if (c == "\"") break
			}
			STR[++NSTR] = substr(s, i + 1, j - i - 1)
			o = o "\"" NSTR "\""
			i = j + 1
		} else if (c == "#" || (c == "/" && c2 == "/")) {
			j = index(substr(s, i), "\n")
			if (!j) break
			i += j - 1
		} else if ((c == "/" && c2 == "*") || (c == "%" && c2 == "{")) {
			j = index(substr(s, i + 2), c == "/" ? "*/" : "%}")
			if (!j) break
			o = o " "; i += j + 3
		} else { o = o c; i++ }
	}
	return o
}
function lit(a) {	# the text of a string literal argument, or "\001"
	a = trim(a)
	if (a ~ /^"[0-9]+"$/) return STR[substr(a, 2, length(a) - 2)]
	return "\001"
}
# Splits the arguments of a call whose "(" precedes s into arr[1..n] at
# top-level commas; ARGEND = the position of its ")" in s (0: none).
function split_args(s, arr,    i, n, c, depth, start, k) {
	depth = 0; start = 1; k = 0; n = length(s); ARGEND = 0
	for (i = 1; i <= n; i++) {
		c = substr(s, i, 1)
		if (c == "(" || c == "[" || c == "{") depth++
		else if ((c == ")" || c == "]" || c == "}") && depth > 0) depth--
		else if (c == ")") { ARGEND = i; break }
		else if (c == "," && depth == 0) { arr[++k] = substr(s, start, i - start); start = i + 1 }
	}
	if (!ARGEND) return -1
	if (k > 0 || trim(substr(s, start, i - start)) != "") arr[++k] = substr(s, start, i - start)
	return k
}
function parse_macro(raw, scope,    t, name, params, hasp, p, q, key) {
	t = clean(raw)
	sub(/^[ \t\n]*@define[ \t\n]+/, "", t)
	if (!match(t, /^[A-Za-z_][A-Za-z0-9_]*/)) return
	name = substr(t, 1, RLENGTH); t = substr(t, RLENGTH + 1)
	params = ""; hasp = 0
	if (match(t, /^[ \t\n]*\(/)) {
		q = index(t, ")"); hasp = 1
		params = substr(t, RLENGTH + 1, q - RLENGTH - 1); t = substr(t, q + 1)
		gsub(/[ \t\n]/, "", params)
	}
	p = index(t, "%(")
	if (!p) return
	t = substr(t, p + 2)
	for (q = length(t) - 1; q > 0 && substr(t, q, 2) != "%)"; q--) ;
	key = scope SUBSEP name
	MBODY[key] = substr(t, 1, q - 1); MPARAMS[key] = params; MHASP[key] = hasp
}
# Replaces each @param of a macro body by its argument.
function subst(body, params, args, np,    pn, out, name, i, found) {
	split(params, pn, ",")
	out = ""
	while (match(body, /@[A-Za-z_][A-Za-z0-9_]*/)) {
		name = substr(body, RSTART + 1, RLENGTH - 1)
		out = out substr(body, 1, RSTART - 1)
		found = 0
		for (i = 1; i <= np; i++) if (pn[i] == name) { out = out " " args[i] " "; found = 1; break }
		if (!found) out = out "@" name
		body = substr(body, RSTART + RLENGTH)
	}
	return out body
}
# Expands the tapset macros of t (the own @defines of the file first).
function expand(t, scope,    out, name, rest, key, args, n, guard) {
	out = ""
	while (match(t, /@[A-Za-z_][A-Za-z0-9_]*/)) {
		name = substr(t, RSTART + 1, RLENGTH - 1)
		out = out substr(t, 1, RSTART - 1)
		rest = substr(t, RSTART + RLENGTH)
		key = ((scope, name) in MBODY) ? scope SUBSEP name : ("" SUBSEP name)
		if (!(key in MBODY) || ++guard > 2000) { out = out "@" name; t = rest; continue }
		n = 0
		if (MHASP[key]) {
			if (!match(rest, /^[ \t\n]*\(/)) { out = out "@" name; t = rest; continue }
			rest = substr(rest, RLENGTH + 1)
			n = split_args(rest, args)
			if (n < 0) { out = out "@" name; t = rest; continue }
			rest = substr(rest, ARGEND + 1)
		}
		t = subst(MBODY[key], MPARAMS[key], args, n) rest
	}
	return out t
}
function mod_dwarf(m,    n, alt, i) {
	n = split(m, alt, ":")
	for (i = 1; i <= n; i++) if (index(alt[i], "<")) return 0	# a header fallback
	for (i = 1; i <= n; i++) if (substr(alt[i], 1, 1) != "/") return 1
	return 0	# user-space binaries only: not the DWARF of the kernel
}
# Why expanded text t reads the DWARF itself ("" if it does not).
function direct_dwarf(t,    out, rest, args, n, m) {
	# @defined(X) is false, not an error, when X cannot be resolved
	out = ""
	while (match(t, /@defined[ \t\n]*\(/)) {
		out = out substr(t, 1, RSTART + RLENGTH - 1)
		rest = substr(t, RSTART + RLENGTH)
		if (split_args(rest, args) < 0) { t = rest; break }
		t = substr(rest, ARGEND)
	}
	t = out t
	if (match(t, /\$[A-Za-z_$]/)) return "target variable " substr(t, RSTART, RLENGTH + 10)
	if (match(t, /@var[ \t\n]*\(/)) return "@var"
	while (match(t, /@cast[ \t\n]*\(/)) {
		t = substr(t, RSTART + RLENGTH)
		n = split_args(t, args)
		if (n < 0) return "unbalanced @cast"
		if (n < 3) return "@cast(.., \"" lit(args[2]) "\") without a module"
		m = lit(args[3])
		if (m == "\001") return "@cast with a module that is not a literal: " trim(args[3])
		if (mod_dwarf(m)) return "@cast(.., \"" lit(args[2]) "\", \"" m "\")"
	}
	return ""
}
# The defined functions t calls, as " name name ... ".
function calls_of(t,    out, name, pre) {
	out = " "
	while (match(t, /[A-Za-z_][A-Za-z0-9_]*[ \t\n]*\(/)) {
		name = substr(t, RSTART, RLENGTH); sub(/[ \t\n]*\($/, "", name)
		pre = RSTART > 1 ? substr(t, RSTART - 1, 1) : ""
		if (pre !~ /[@$.A-Za-z0-9_]/ && !(RSTART > 2 && substr(t, RSTART - 2, 2) == "->") \
		    && (name in HASDEF) && !index(out, " " name " "))
			out = out name " "
		t = substr(t, RSTART + RLENGTH)
	}
	return out
}
# The definitions a call of name from file f reaches: the private
# one of f, else every public one.
function targets(name, f) {
	if ((f, name) in PRIVDEFS) return PRIVDEFS[f, name]
	return PUBDEFS[name]
}
END {
	for (i = 1; i <= NMAC; i++) parse_macro(MACTEXT[i], MACSCOPE[i])
	for (d = 1; d <= NDEF; d++) {
		HASDEF[DNAME[d]] = 1
		if (DPRIV[d]) PRIVDEFS[DFILE[d], DNAME[d]] = PRIVDEFS[DFILE[d], DNAME[d]] " " d
		else PUBDEFS[DNAME[d]] = PUBDEFS[DNAME[d]] " " d
	}
	for (d = 1; d <= NDEF; d++) {
		WHY[d] = ""; CALLS[d] = " "
		if (DKIND[d] == "c") continue	# embedded C compiles against headers
		FOLDS = 0
		t = fold_defined(pp_resolve(expand(clean(DBODY[d]), DFILE[d])))
		FOLDED[d] = FOLDS
		WHY[d] = direct_dwarf(t)
		CALLS[d] = calls_of(t)
	}
	# a caller of a DWARF function is DWARF: to a fixed point
	do {
		changed = 0
		for (d = 1; d <= NDEF; d++) {
			if (WHY[d] != "") continue
			nc = split(CALLS[d], cl, " ")
			for (i = 1; i <= nc && WHY[d] == ""; i++) {
				nt = split(targets(cl[i], DFILE[d]), tg, " ")
				for (j = 1; j <= nt; j++)
					if (WHY[tg[j]] != "") { WHY[d] = "calls " cl[i] "()"; changed = 1; break }
			}
		}
	} while (changed)
	for (d = 1; d <= NDEF; d++) {
		if (DPRIV[d]) continue
		key = DNAME[d] "|" DNARGS[d]
		if (WHY[d] != "") { if (!(key in KEYWHY)) KEYWHY[key] = WHY[d] }
		else KEYCLEAN[key] = 1
		if (FOLDED[d]) KEYFOLD[key] = 1
	}
	for (k = 1; k <= NOUT; k++) {
		fl = OUTFL[k]
		if (OUTKEY[k] in KEYWHY) {
			fl = (fl == "0" ? "" : fl "|") "TF_DWARF"
			if (OUTKEY[k] in KEYCLEAN) warn(OUTKEY[k] ": only some definitions need the DWARF; taken as TF_DWARF")
		}
		printf "%s%s)\n", OUT[k], fl
		if (why != "") {
			split(OUTKEY[k], kk, "|")
			printf "%s/%s\t%s%s\n", kk[1], kk[2], (OUTKEY[k] in KEYWHY) ? KEYWHY[OUTKEY[k]] : "-", \
			    (OUTKEY[k] in KEYFOLD) ? " (an @defined test of the DWARF folds to its fallback)" : "" > why
		}
	}
}
' $FILES > "$TMP"

{
	echo "/* Generated by scripts/gen-tapset-funcs.sh from the SystemTap tapsets"
	echo " * (${VERSION:-unknown stap version}, ARCH=$ARCH).  Do not edit: regenerate."
	echo " *"
	echo " * TF(name, return, nargs, arg1, arg2, arg3, arg4, flags): types are"
	echo " * vtype names without VT_; unused arguments are VOID.  Sorted by name"
	echo " * (strcmp order) then arity; overloads are adjacent.  flags: TF_* of"
	echo " * gen/check/check_expr.h; TF_DWARF follows the rules of the script. */"
	sort -t'|' -k1,1 -k2,2n "$TMP" | cut -d'|' -f3-
}
