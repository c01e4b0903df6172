#!/bin/sh
# Regenerates gen/check/tapset_funcs.def, the table of SystemTap tapset
# function signatures the expression checker uses, from installed tapsets.
#
#   scripts/gen-tapset-funcs.sh [TAPSET_DIR] > gen/check/tapset_funcs.def
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
#    NEEDS_EVENT for functions about the current task/probe point.
set -eu

TAPSET=${1:-/usr/share/systemtap/tapset}
ARCH=${ARCH:-x86_64}
export LC_ALL=C

if [ ! -d "$TAPSET" ]; then
	echo "gen-tapset-funcs: no tapset directory '$TAPSET'" >&2
	exit 1
fi

FILES=
for f in "$TAPSET/$ARCH"/*.stp "$TAPSET/linux/$ARCH"/*.stp \
	"$TAPSET"/linux/*.stp "$TAPSET"/*.stp; do
	[ -f "$f" ] && FILES="$FILES $f"
done
[ -n "$FILES" ] || { echo "gen-tapset-funcs: no .stp files under $TAPSET" >&2; exit 1; }

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
TMP=$(mktemp "${TMPDIR:-/tmp}/gen-tapset-funcs.XXXXXX")
trap 'rm -f "$TMP"' EXIT

# shellcheck disable=SC2086
awk -v overrides="$OVERRIDES" '
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
FNR == 1 { mode = "top"; file = FILENAME }
{
	line = $0
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
	if (mode == "body") { scan_body(line); next }

	# top level
	s = strip_strings(line)
	if (s ~ /^[ \t]*function[ \t]+[A-Za-z_]/) {
		sig = line
		cur_guru = 0
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
		body_kind = "c"
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		if (index(substr(r, 3), "%}")) { mode = "top"; finish(); return }
		mode = "ccode"; guru_probe = 1
		return
	}
	if (substr(r, 1, 2) == "%(" && fret != "") {
		# a body chosen by the preprocessor: the declared type is enough
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		mode = "top"; finish(); return
	}
	if (substr(r, 1, 1) == "{") {
		body_kind = "stap"; depth = 0; valued = 0
		if (r ~ /\/\* *guru *\*\//) cur_guru = 1
		mode = "body"; scan_body(r)
		return
	}
	warn(file ": " fname ": unexpected text after signature, skipped")
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
function finish(    ret, i, o, parts, oargs, flags, key, rec, a, untyped) {
	pending = 0
	if (fname == "" ) return
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
	sub(/^\|/, "", flags)
	if (flags == "") flags = "0"
	key = fname "|" fnargs
	rec = ret a ", " flags
	if (key in SEEN) {
		if (SEEN[key] != rec) warn(file ": " fname "/" fnargs ": differs from an earlier definition, first kept")
		return
	}
	SEEN[key] = rec
	printf "%s|%d|TF(%s, %s, %d%s, %s)\n", fname, fnargs, fname, ret, fnargs, a, flags
}
' $FILES > "$TMP"

{
	echo "/* Generated by scripts/gen-tapset-funcs.sh from the SystemTap tapsets"
	echo " * (${VERSION:-unknown stap version}, ARCH=$ARCH).  Do not edit: regenerate."
	echo " *"
	echo " * TF(name, return, nargs, arg1, arg2, arg3, arg4, flags): types are"
	echo " * vtype names without VT_; unused arguments are VOID.  Sorted by name"
	echo " * (strcmp order) then arity; overloads are adjacent. */"
	sort -t'|' -k1,1 -k2,2n "$TMP" | cut -d'|' -f3-
}
