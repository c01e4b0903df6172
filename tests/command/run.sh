#!/bin/sh
# The generated tool commands (out/<KVER>/<tool>): they run as root, so no
# text from a spec may become shell code.  For the commands of every spec in
# specs/ and tests/golden/lang/, every valid spec of the hostile corpus
# (tests/hostile/valid/ and the big ones tests/hostile/gen.sh writes) and the
# crafted specs in tests/command/specs/:
#   - `sh -n` and `shellcheck -s sh` (every severity) pass;
#   - `TOOL -h`, under dash and bash, exits 0, creates no file (the crafted
#     specs try to `touch pwned_*` from every text field) and prints the
#     summary and each parameter's help;
#   - with a stand-in `stap` on PATH, options reach stap (or staprun, for
#     --module) as the words they should be, and a string value that would
#     split is refused;
#   - exit status: the command fails when stap or the parser fails;
#   - preflight (--check) against fake roots (STAPGEN_ROOT).
# usage: run.sh STAPGEN
set -u
stapgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
kver=6.1.0-56-cloud-amd64
export LC_ALL=C
fail=0 n=0
bad() { printf 'FAIL: %s\n' "$*"; fail=$((fail + 1)); }

command -v shellcheck >/dev/null || { echo "FAIL: shellcheck is not installed (make deps)"; exit 1; }
"$here/../hostile/gen.sh" "$tmp/gen" || { echo "FAIL: gen.sh"; exit 1; }
specs=$(find specs "$here/specs" tests/golden/lang "$here/../hostile/valid" "$tmp/gen/valid" -name '*.yaml' | LC_ALL=C sort)
# shellcheck disable=SC2086
"$stapgen" --kver "$kver" --out "$tmp/out" $specs 2>"$tmp/stderr" ||
	{ bad "generating:"; cat "$tmp/stderr"; }
cmds=$(find "$tmp/out" -maxdepth 1 -type f -perm -u+x | LC_ALL=C sort)
[ "$(echo "$cmds" | wc -l)" -eq "$(echo "$specs" | wc -l)" ] || bad "not one command per spec"

# ---- static checks: all commands in one shellcheck run ---------------------
for c in $cmds; do
	n=$((n + 1))
	sh -n "$c" 2>"$tmp/err" || bad "$(basename "$c"): sh -n: $(head -n 3 "$tmp/err")"
done
n=$((n + 1))
# shellcheck disable=SC2086
shellcheck -s sh -S style $cmds "$tmp/out/lib/stapgen-cmd.sh" >"$tmp/sc" 2>&1 || { bad "shellcheck:"; head -n 60 "$tmp/sc"; }

# ---- -h runs nothing ------------------------------------------------------------
# the spec's texts as shown by -h: the summary and every help, one per line
texts() {
	"$stapgen" --kver "$kver" --check "$1" >/dev/null 2>&1 || return
	sed -n -e 's/^summary: *//p' -e 's/^    help: *//p' "$1"
}
for sh in dash bash; do
	command -v "$sh" >/dev/null || continue
	for c in $cmds; do
		n=$((n + 1))
		tool=$(basename "$c")
		rm -rf "$tmp/cwd"
		mkdir "$tmp/cwd"
		rc=0
		(cd "$tmp/cwd" && "$sh" "$c" -h >"$tmp/help" 2>"$tmp/err") || rc=$?
		[ "$rc" -eq 0 ] || bad "$tool -h ($sh): exit $rc: $(head -n 2 "$tmp/err")"
		[ -s "$tmp/err" ] && bad "$tool -h ($sh): stderr: $(head -n 2 "$tmp/err")"
		[ -z "$(ls -A "$tmp/cwd")" ] || bad "$tool -h ($sh) created files: $(ls -A "$tmp/cwd" | tr '\n' ' ')"
		head -n 1 "$tmp/help" | grep -qx "usage: $tool \[options\]\( \[interval\( \[count\]\)\?\]\)\?" || bad "$tool -h ($sh): no usage line"
		grep -q -- "^  -h, --help  " "$tmp/help" || bad "$tool -h ($sh): help text cut short"
	done
done
# the toolkits' conventions (issue 20): -h lists the tool's own options, then
# the common ones; -V prints one line; an unknown option is one line naming -h
for c in $cmds; do
	n=$((n + 1))
	tool=$(basename "$c")
	sh "$c" -h >"$tmp/help" 2>&1
	grep -q -- '^  -V, --version  ' "$tmp/help" || bad "$tool -h: no -V, --version"
	own=$(grep -n '^options:$' "$tmp/help" | cut -d: -f1)
	common=$(grep -n '^common options:$' "$tmp/help" | cut -d: -f1)
	[ -n "$common" ] || bad "$tool -h: no 'common options:' block"
	[ -z "$own" ] || [ -z "$common" ] || [ "$own" -lt "$common" ] || bad "$tool -h: its own options after the common ones"
	v=$(sh "$c" -V 2>&1)
	case $v in "$tool (stapgen "[0-9]*", from "*" for kernel $kver, set "*")") ;; *) bad "$tool -V: '$v'" ;; esac
	[ "$(sh "$c" --no-such-option 2>&1)" = "$tool: unknown option '--no-such-option' (see $tool -h)" ] ||
		bad "$tool --no-such-option: $(sh "$c" --no-such-option 2>&1 | head -n 3)"
done
# the crafted specs' texts arrive verbatim (those without escapes)
for spec in "$here"/specs/*.yaml; do
	tool=$(basename "$spec" .yaml)
	case $tool in inject_*) ;; *) continue ;; esac
	sh "$tmp/out/$tool" -h >"$tmp/help" 2>&1
	n=$((n + 1))
	for text in 'EOF' '$(touch pwned_summary) `touch pwned_summary2` '"'"' " ; touch pwned_summary3 \' \
		"'; touch pwned_switch; echo '" '(default: "x\nEOF\ntouch pwned_default\ncat <<'"'EOF'"'\n")' \
		'(default: "\e]0;retitled\x07\u009B2J\u202E")'; do
		case $tool in
		inject_summary_eof) [ "$text" = EOF ] || continue ;;
		inject_default) case $text in *pwned_default*) ;; *) continue ;; esac ;;
		inject_text) case $text in EOF|*pwned_default*) continue ;; esac ;;
		esac
		grep -qF -- "$text" "$tmp/help" || bad "$tool -h does not show: $text"
	done
done

# ---- options reach stap as words ------------------------------------------------
mkdir -p "$tmp/bin"
cat >"$tmp/bin/stap" <<'STAP'
#!/bin/sh
for a in "$@"; do printf '[%s]' "$a"; done
echo
STAP
chmod +x "$tmp/bin/stap"
cp "$tmp/bin/stap" "$tmp/bin/staprun"
args() {
	c=$tmp/out/$1
	shift
	# stap runs the command's private copy of its set's script (TMPDIR/TOOL.XXXXXX/TOOL.stp)
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$c" --no-check --raw "$@" 2>&1 |
		sed -e "s|$tmp/out/||g" -e "s|\[${TMPDIR:-/tmp}/[^]/]*/\([^]/]*\.stp\)\]|[\1]|" -e 1q)
}
check_args() {
	n=$((n + 1))
	want=$1
	shift
	got=$(args "$@" 2>&1)
	[ "$got" = "$want" ] || bad "$* -> '$got', expected '$want'"
}
check_args '[-G][s=abc][-G][sw=1][inject_text.stp]' inject_text --s abc --sw
check_args "inject_text: --s: spaces, quotes, backslashes and control characters are not allowed" inject_text --s 'a b'
check_args "inject_text: --s: spaces, quotes, backslashes and control characters are not allowed" inject_text --s "a'b"
check_args '[-G][s=*][inject_text.stp]' inject_text --s '*'
check_args '[-v][-G][d=7][inject_text.stp]' inject_text -a -v -G d=7
check_args '[/m/inject_text.ko][d=7][s=abc][sw=1]' inject_text --module /m/inject_text.ko -G d=7 --s abc --sw
# -p PID only for tools whose script uses target()
check_args '[-v][-x][1][needs_tracepoint.stp]' needs_tracepoint -p 1 -a -v
check_args '[-x][1][/m/x.ko]' needs_tracepoint -p 1 --module /m/x.ko
check_args "inject_text: unknown option '-p' (see inject_text -h)" inject_text -p 1
# -f: only the formats the tool's records have
check_args "inject_text: -f: 'svg': the formats of this tool are table|json|csv" inject_text -f svg
check_args '[-L][m.ko][s=abc]' inject_text -F --module m.ko --s abc
check_args '[-o][f][-S][10,3][-D][m.ko]' inject_text -F -o f -S 10,3 --module m.ko
check_args '[-o][f][-S][10,3][-F][-m][inject_text][inject_text.stp]' inject_text -F -o f -S 10,3
check_args '[-F][-m][inject_text][-G][sw=1][inject_text.stp]' inject_text --background --sw
check_args "inject_text: -S needs -o FILE" inject_text -S 10
check_args "inject_text: -S takes SIZE or SIZE,N" inject_text -o f -S 10,
check_args "inject_text: -a: stap options do not apply to a built module (give them to --build-module)" \
	inject_text --module m.ko -a -v
# a probe point parameter: stap's positional argument, allow-listed, not for a built module
check_args '[point_arg.stp][vfs_read*]' point_arg
check_args '[point_arg.stp][tcp_*@net/ipv4/tcp.c:1]' point_arg --pattern 'tcp_*@net/ipv4/tcp.c:1'
check_args '[point_arg.stp][foo?]' point_arg -G 'pattern=foo?'
check_args "point_arg: --pattern: 'a;b': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -" point_arg --pattern 'a;b'
check_args "point_arg: --pattern: '\$(touch pwned_pp)': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -" point_arg --pattern '$(touch pwned_pp)'
check_args "point_arg: --pattern: 'a\")': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -" point_arg --pattern 'a")'
check_args "point_arg: -G: '': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -" point_arg -G pattern=
check_args '[m.ko]' point_arg --module m.ko
# a whole probe point (type: point): the grammar, never a condition, a second point or statements
check_args '[point_whole.stp][kernel.function("vfs_read")]' point_whole
check_args '[point_whole.stp][module("ext4").function("ext4_*")]' point_whole -P 'module("ext4").function("ext4_*")'
check_args '[point_whole.stp][kernel.statement("*@fs/read_write.c:450")]' point_whole -G 'point=kernel.statement("*@fs/read_write.c:450")'
check_args '[point_whole.stp][timer.s(5)]' point_whole -P 'timer.s(5)'
pw_bad="not a probe point: NAME[(\"STRING\")|(N)] joined by '.', such as module(\"ext4\").function(\"ext4_*\") (a string takes only A-Z a-z 0-9 _ * ? . @ / : + -)"
for v in 'kernel.function("x")if(1)' 'begin{system("id")}' 'kernel.function("x"),begin' 'kernel.function("a b")' \
	'kernel.function("a"' 'kernel.function(x)' 'a..b' 'a.' 'kernel.function("x")?' '$(touch pwned_pp)' \
	'kernel.function("x\")' "kernel.function(\"x';id;'\")"; do
	check_args "point_whole: -P: '$v': $pw_bad" point_whole -P "$v"
done
check_args "point_whole: -P: empty: a probe point such as kernel.function(\"vfs_*\")" point_whole -P ''
check_args "point_whole: -P: a module built with --build-module probes the pattern it was built with; give -P to --build-module" \
	point_whole --module m.ko -P 'kernel.function("x")'
check_args "point_param: --trigger is required (see --help)" point_param
check_args '[point_param.stp][vfs_read*][ksys_read]' point_param --trigger ksys_read
check_args "point_arg: --pattern: a module built with --build-module probes the pattern it was built with; give --pattern to --build-module" \
	point_arg --module m.ko --pattern x
# -c CMD only for tools whose script uses target(); one word for stap
check_args '[-c][ls -l /][needs_tracepoint.stp]' needs_tracepoint -c 'ls -l /'
check_args "needs_tracepoint: -p and -c exclude each other" needs_tracepoint -c ls -p 1
check_args "inject_text: unknown option '-c' (see inject_text -h)" inject_text -c ls
check_args "inject_text: unknown option '--nope' (see inject_text -h)" inject_text --nope
# the toolkits' positional [interval [count]] (issue 20): tools with a
# report every `interval`; the words set those parameters, as -G does
check_args '[-G][interval=1][-G][count=3][biolatency.stp]' biolatency 1 3
check_args '[-G][count=2][-G][interval=1][-G][count=3][biolatency.stp]' biolatency -c 2 1 3
check_args '[-G][interval=2][iotop.stp]' iotop 2
check_args "biolatency: unexpected argument '4' (see biolatency -h)" biolatency 1 3 4
check_args "iotop: unexpected argument '3' (see iotop -h)" iotop 2 3
check_args "biolatency: interval: takes a number above 0" biolatency 0
check_args "biolatency: count: 'x': takes a number" biolatency 1 x
check_args "biolatency: interval: 'x;y': takes a number" biolatency 'x;y'
check_args "tcp_conn: unexpected argument '5' (see tcp_conn -h)" tcp_conn 5
# a tool whose filters compare with target() refuses to start without a
# target, naming the options (issue 20); one whose filter is
# `target() == 0 || ...` runs without
check_args "sample_bt: -p PID or -c 'CMD' is required: the tool traces one process (its probes' filters compare with target())" sample_bt -k
check_args "sample_bt_vfs: -p PID or -c 'CMD' is required: the tool traces one process (its probes' filters compare with target())" sample_bt_vfs
check_args "needs_tracepoint: -p PID or -c 'CMD' is required: the tool traces one process (its probes' filters compare with target())" needs_tracepoint
check_args '[-c][true][needs_tracepoint.stp]' needs_tracepoint -c true
check_args '[-DMAXMAPENTRIES=16384][accessed_files.stp]' accessed_files
n=$((n + 1))
grep -q "^It traces one process: -p PID or -c 'CMD' is required.$" "$tmp/out/sample_bt" || bad "sample_bt -h does not say it needs -p or -c"
# every spec's examples (issue 20): -h shows them, and each one's option
# parsing runs against the stand-in stap, which it must reach (-p PID: a
# live process of ours stands in for the example's)
sleep 60 &
ep=$!
for spec in specs/*/*.yaml; do
	tool=$(sed -n 's/^tool: *//p' "$spec")
	sh "$tmp/out/$tool" -h | sed -n '/^examples:$/,/^$/p' | sed -e '1d' -e '/^$/d' -e 's/^  //' -e 's/ *# .*$//' >"$tmp/examples"
	n=$((n + 1))
	[ -s "$tmp/examples" ] || bad "$tool -h shows no examples"
	while IFS= read -r run; do
		n=$((n + 1))
		eval "set -- $run"
		[ "$1" = "$tool" ] || { bad "$tool: an example runs '$1'"; continue; }
		shift
		w=''
		for a in "$@"; do
			if [ "$w" = -p ]; then a=$ep; fi
			w=$a
			set -- "$@" "$a"
			shift
		done
		rc=0
		out=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/$tool" --no-check --raw "$@" 2>"$tmp/stderr") || rc=$?
		[ "$rc" = 0 ] && case $out in '['*) true ;; *) false ;; esac ||
			bad "$tool: example '$run' (-p $ep): exit $rc: $(head -n 2 "$tmp/stderr") $out"
	done <"$tmp/examples"
done
kill "$ep" 2>/dev/null
wait "$ep" 2>/dev/null
# ---- untrusted values reach stap as the one argument they mean (issue 16) --------
# argv_of TOOL ARG...: the stand-in's argv line (no path stripping), and the
# command's stderr in $tmp/argv.err
argv_of() {
	c=$tmp/out/$1
	shift
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$c" --no-check --raw "$@" 2>"$tmp/argv.err" | grep '^\[' | head -n 1)
}
# has_words LINE WORD...: LINE holds the WORDs as consecutive arguments
has_words() {
	l=$1
	shift
	w=''
	for x in "$@"; do w="$w[$x]"; done
	case $l in *"$w"*) return 0 ;; esac
	return 1
}
# refuse STATUS TEXT TOOL ARG...: exits STATUS, says TEXT, runs no stap
refuse() {
	n=$((n + 1))
	want=$1 text=$2
	shift 2
	t=$1
	shift
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/$t" --no-check --raw "$@" >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = "$want" ] || bad "$t $*: exit $rc, expected $want: $(head -n 2 "$tmp/stderr")"
	grep -qF -- "$text" "$tmp/stderr" || bad "$t $*: stderr lacks '$text': $(head -n 2 "$tmp/stderr")"
	! grep -q '^\[' "$tmp/stdout" || bad "$t $*: stap ran: $(head -n 1 "$tmp/stdout")"
}
# 1. the traced process's executable path: a directory named like options
# spawn PATH: runs a copy of sleep(1) at PATH; its pid in $!
spawn() { cp /bin/sleep "$1" && { "$1" 60 & }; }
hd="$tmp/a -o $tmp/X -g -I $tmp/t"
mkdir -p "$hd"
spawn "$hd/sleep"
hp=$!
spawn "$tmp/x (deleted)"
lp=$!
spawn "$tmp/gone"
gp=$!
spawn "$tmp/swapped"
sp=$!
sleep 0.3
rm "$tmp/gone"
cp /bin/true "$tmp/swapped.new" && mv -f "$tmp/swapped.new" "$tmp/swapped"
for tool in sample_bt sample_bt_off_cpu sample_bt_vfs; do
	n=$((n + 1))
	got=$(argv_of "$tool" -p "$hp")
	has_words "$got" -d "$hd/sleep" || bad "$tool -p: the executable is not one -d argument: $got"
	has_words "$got" -x "$hp" || bad "$tool -p: no -x PID: $got"
	for opt in -g -o -I --ldd "$tmp/X"; do
		case $got in *"[$opt]"*) bad "$tool -p: the process's path added '$opt' to stap's argv: $got" ;; esac
	done
done
n=$((n + 1))
got=$(argv_of sample_bt -p "$lp")
has_words "$got" -d "$tmp/x (deleted)" || bad "sample_bt -p: a live file named 'x (deleted)' is not loaded: $got"
n=$((n + 1))
got=$(argv_of sample_bt -p "$gp")
case $got in *gone*|*'(deleted)'*) bad "sample_bt -p: a deleted executable reached stap: $got" ;; esac
has_words "$got" -x "$gp" || bad "sample_bt -p (deleted exe): stap did not run: $got"
grep -q "warning: no symbols for $tmp/gone (deleted)" "$tmp/argv.err" || bad "sample_bt -p: no warning for a deleted executable: $(cat "$tmp/argv.err")"
n=$((n + 1))
got=$(argv_of sample_bt -p "$sp")
case $got in *swapped*) bad "sample_bt -p: a replaced executable's new file reached stap: $got" ;; esac
grep -q "warning: no symbols for $tmp/swapped" "$tmp/argv.err" || bad "sample_bt -p: no warning for a replaced executable: $(cat "$tmp/argv.err")"
kill "$hp" "$lp" "$gp" "$sp" 2>/dev/null
wait "$hp" "$lp" "$gp" "$sp" 2>/dev/null
refuse 1 "sample_bt: -p: no process 999999999" sample_bt -p 999999999
refuse 2 "sample_bt: -p: '1 -g': takes a number" sample_bt -p '1 -g'
# 2. -G NAME=VALUE is one global, checked as its parameter
refuse 2 "tcp_conn: -G destport: '1 -o $tmp/P -c touch $tmp/P': takes a number" tcp_conn -G "destport=1 -o $tmp/P -c touch $tmp/P"
refuse 2 "tcp_conn: -G: '-c/tmp/evil.sh': takes NAME=VALUE" tcp_conn --module m.ko -G -c/tmp/evil.sh
refuse 2 "tcp_conn: -G: 'nosuch': this tool has no such parameter" tcp_conn --module m.ko -G nosuch=1
refuse 2 "inject_text: -G s: spaces, quotes, backslashes and control characters are not allowed" inject_text -G 's=a b'
refuse 2 "inject_text: -G s: spaces, quotes, backslashes and control characters are not allowed" inject_text --module m.ko -G 's=a -c/tmp/x'
check_args '[m.ko][s=a=b]' inject_text --module m.ko -G 's=a=b'
check_args '[-G][s=a=b][inject_text.stp]' inject_text -G 's=a=b'
# 8. every option value checked, and passed as one argument
for v in -5 abc --help 0 '' '1 2' 99999999999999999999; do
	refuse 2 "inject_text: -t: " inject_text -t "$v"
done
refuse 2 "inject_text: -t needs a value" inject_text -t
refuse 2 "inject_text: --module: '-V': a module file, NAME.ko" inject_text --module -V
check_args '[./-V.ko]' inject_text --module -V.ko
refuse 2 "inject_text: -o: an empty file name" inject_text -o ''
check_args '[-o][-x][inject_text.stp]' inject_text -o -x
refuse 2 "inject_text: -G: '-V': takes NAME=VALUE" inject_text -G -V
# CDPATH with '.': cd prints the directory it chose; the script path stays one word
n=$((n + 1))
got=$(cd "$tmp" && CDPATH=".:$tmp" PATH="$tmp/bin:$PATH" sh out/inject_text --no-check --raw 2>/dev/null)
case $got in "[${TMPDIR:-/tmp}/inject_text."*"/inject_text.stp]") ;; *) bad "CDPATH=.: stap got '$got'" ;; esac
# -f svg: the parser gets the command line as the flame graph's subtitle
# (it carries the command's set: the command runs no parser of another set)
cat >"$tmp/out/parsers/sample_bt-parse" <<PARSE
#!/bin/sh
[ "\$1" != --stap-log ] || exit 0
[ "\$1" != --armed ] || shift 2
# stapgen set $(sed -n 's/^set_id=//p' "$tmp/out/sample_bt")
cat >/dev/null
for a in "\$@"; do printf '[%s]' "\$a"; done
echo
PARSE
chmod +x "$tmp/out/parsers/sample_bt-parse"
n=$((n + 1))
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/sample_bt" --no-check -c true -k -l 5 -f svg 2>/dev/null)
[ "$got" = '[-f][svg][--subtitle][sample_bt --no-check -c true -k -l 5 -f svg]' ] || bad "sample_bt -f svg -> '$got'"
n=$((n + 1))
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/sample_bt" --no-check -c true -f folded 2>/dev/null)
[ "$got" = '[-f][folded]' ] || bad "sample_bt -f folded -> '$got'"
[ -z "$(ls -A "$tmp/cwd")" ] || bad "option tests created files: $(ls -A "$tmp/cwd")"


# ---- --build-module: stap -p4 -m in DIR ----------------------------------------
n=$((n + 1))
cat >"$tmp/bin/stap" <<'STAP'
#!/bin/sh
# stand-in: at -p4 writes MODULE.ko into the current directory, as stap does
m=''
while [ $# -gt 0 ]; do [ "$1" = -m ] && m=$2; shift; done
[ -n "$m" ] && echo module >"$m.ko"
STAP
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/inject_text" --no-check --build-module "$tmp/mods" 2>&1) ||
	bad "--build-module failed: $got"
[ -s "$tmp/mods/inject_text.ko" ] || bad "--build-module: no $tmp/mods/inject_text.ko ($got)"
case $got in *"--module $tmp/mods/inject_text.ko"*) ;; *) bad "--build-module does not say how to run it: $got";; esac
[ -z "$(ls -A "$tmp/cwd")" ] || bad "option tests created files: $(ls -A "$tmp/cwd")"
# a probe point parameter is compiled into the module: stap -p4 gets it as its argument
n=$((n + 1))
cat >"$tmp/bin/stap" <<'STAP'
#!/bin/sh
for a in "$@"; do printf '[%s]' "${a##*/}" >&2; done
m=''
while [ $# -gt 0 ]; do [ "$1" = -m ] && m=$2; shift; done
[ -n "$m" ] && echo module >"$m.ko"
STAP
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/point_arg" --no-check --build-module "$tmp/mods" --pattern 'tcp_*' 2>&1)
# the script: the command's private copy of it
case $got in *'[point_arg.stp][tcp_*]'*) ;; *) bad "point_arg --build-module --pattern: $got";; esac

# ---- exit status: stap's and the parser's --------------------------------------
# The real stap cannot load modules on this host (no CONFIG_MODULES), so
# these tests put shell-script stand-ins for stap first in PATH: one that
# fails as stap does without a kernel build tree, one whose records the parser
# cannot use, one that prints a run and one that runs until SIGINT (-t).
CC=${CC:-cc}
mkdir -p "$tmp/out/parsers"
# shellcheck disable=SC2086 # PARSER_CFLAGS is a list of options
CC=$CC ./scripts/rt-objs.sh "$tmp/rt" -std=c11 -O1 ${PARSER_CFLAGS:-} || bad "the parser runtime does not compile"
for t in tcp_conn needs_tracepoint biolatency ip_nf_top ufunclatency; do
	# shellcheck disable=SC2086
	$CC -std=c11 -O1 ${PARSER_CFLAGS:-} -Itemplates/parser -o "$tmp/out/parsers/$t-parse" \
		"$tmp/out/parsers/${t}_parser.c" "$tmp"/rt/*.o || bad "$t parser does not compile"
done
stub() {
	printf '#!/bin/sh\n%s\n' "$1" >"$tmp/bin/stap"
	chmod +x "$tmp/bin/stap"
}
# exit_is STATUS STDERR-TEXT ARGS...: tcp_conn ARGS exits STATUS, says TEXT
exit_is() {
	n=$((n + 1))
	want=$1 text=$2
	shift 2
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/tcp_conn" "$@" >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = "$want" ] || bad "tcp_conn $*: exit $rc, expected $want: $(head -n 3 "$tmp/stderr")"
	[ -z "$text" ] || grep -qF -- "$text" "$tmp/stderr" || bad "tcp_conn $*: stderr lacks '$text': $(head -n 3 "$tmp/stderr")"
}
stub 'echo "Checking \"/lib/modules/$(uname -r)/build/.config\" failed with error: No such file or directory" >&2; exit 1'
exit_is 1 'tcp_conn: stap failed (exit status 1)' --no-check --port 6379 -t 5
exit_is 1 'build/.config" failed' --no-check --raw
exit_is 1 'build/.config" failed' --no-check -o "$tmp/records"
exit_is 1 'build/.config" failed' --no-check -F
stub 'echo garbage; echo @end; exit 0'
exit_is 3 'tcp_conn: the parser exited with status 3' --no-check
# a run whose output stops before the end report (@end): the parser says so, exit 4
stub 'printf "@stapgen\ttcp_conn\t1\n@conn\t1700000000\t0\t0\t0\tsshd\t812\t22\t10.3.254.119\n"'
exit_is 4 "input ended before the script's end report (@end): the run was cut off" --no-check
stub 'printf "@stapgen\ttcp_conn\t1\n@conn\t1700000000\t0\t0\t0\tsshd\t812\t22\t10.3.254.119\n@end\n"'
exit_is 0 '' --no-check
grep -q '^TIME ' "$tmp/stdout" && grep -q 'sshd *812' "$tmp/stdout" || bad "tcp_conn: no table from a good run: $(head -n 2 "$tmp/stdout")"
exit_is 0 '' --no-check -f json
# the same run on a host whose tools are busybox's (the live guests', and
# minimal hosts'): nothing GNU-only in the runtime
n=$((n + 1))
if command -v busybox >/dev/null; then
	mkdir -p "$tmp/bb"
	for a in $(busybox --list); do ln -sf "$(command -v busybox)" "$tmp/bb/$a"; done
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$tmp/bb" busybox sh "$tmp/out/tcp_conn" --no-check >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = 0 ] && grep -q 'sshd *812' "$tmp/stdout" ||
		bad "tcp_conn under busybox: exit $rc: $(head -n 3 "$tmp/stderr")"
	# what the command shows of a value is escaped, not all '?' (busybox's tr)
	n=$((n + 1))
	got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$tmp/bb" busybox sh "$tmp/out/tcp_conn" -f "$(printf 'no-such.1\033')" 2>&1)
	[ "$got" = "tcp_conn: -f: 'no-such.1?': the formats of this tool are table|json|csv" ] || bad "busybox: a shown value: $got"
else
	bad "busybox is not installed (make deps)"
fi
# -t under busybox's tools (its timeout has no --foreground): the command's
# own timer sends SIGINT; stap prints its end report; the status is stap's
n=$((n + 1))
stub 'trap "printf \"@conn\t1700000000\t0\t0\t0\tat_sigint\t812\t22\t10.0.0.1\n@end\n\"; exit 0" INT
printf "@stapgen\ttcp_conn\t1\n"; i=0; while [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done; exit 7'
if command -v busybox >/dev/null; then
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$tmp/bb" busybox sh "$tmp/out/tcp_conn" --no-check -t 1 >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = 0 ] && grep -q 'at_sigint' "$tmp/stdout" ||
		bad "tcp_conn -t 1 under busybox: exit $rc: $(head -n 3 "$tmp/stdout" "$tmp/stderr")"
fi
# stap's reports of lost data: one line, exit 5 (stap's status when it failed)
stub 'printf "@stapgen\ttcp_conn\t1\n@end\n"; echo "WARNING: There were 12 transport failures. Try stap -s to increase the buffer size from 16." >&2'
exit_is 5 "tcp_conn-parse: lost data: 12 transport failures (records dropped: stap's buffers were full; stap -s MB raises them)" --no-check
exit_is 5 'tcp_conn-parse: lost data: 12 transport failures' --no-check --raw
stub 'printf "@stapgen\ttcp_conn\t1\n@end\n"; echo "WARNING: Number of errors: 2, skipped probes: 3" >&2'
exit_is 5 'tcp_conn-parse: skipped probes: 3 probe hits not run (their records are missing)' --no-check
exit_is 5 'tcp_conn-parse: probe errors: 2 handlers stopped at an error' --no-check
stub 'printf "@stapgen\ttcp_conn\t1\n"; echo "ERROR: Array overflow, check MAXMAPENTRIES near identifier '"'"'m'"'"' at x.stp:3:5" >&2; exit 1'
exit_is 1 'tcp_conn-parse: array overflow: 1 entry refused by a full map' --no-check
stub 'printf "@stapgen\ttcp_conn\t1\n@end\n"; echo "WARNING: something harmless" >&2'
exit_is 0 '' --no-check
n=$((n + 1))
grep -q 'lost data\|skipped probes\|overflow' "$tmp/stderr" && bad "tcp_conn: a harmless warning reported as lost data"
grep -q 'WARNING: something harmless' "$tmp/stderr" || bad "tcp_conn: stap's stderr is not shown: $(cat "$tmp/stderr")"
# -t: timeout's SIGINT ends stap, which prints its end report and exits 0: so does the command
stub 'trap "printf \"@conn\t1700000000\t0\t0\t0\tat_sigint\t812\t22\t10.0.0.1\n@end\n\"; exit 0" INT
printf "@stapgen\ttcp_conn\t1\n"; while :; do sleep 0.1; done'
exit_is 0 '' --no-check -t 1
n=$((n + 1))
grep -q 'at_sigint' "$tmp/stdout" || bad "tcp_conn -t 1: the record printed at SIGINT is missing: $(head -n 2 "$tmp/stdout")"
# -t counts from the moment the probes are armed (the script's first record,
# @stapgen, reaches the parser), not from stap's start, which includes
# compiling: a stand-in that takes 2 s to start (SIGINT then ends it with
# nothing, as it would stap) still gets its whole second (issue 20); the
# armed line comes from the summary, on stderr.
stub 'trap "exit 1" INT
i=0; while [ $i -lt 20 ]; do sleep 0.1; i=$((i + 1)); done
trap "printf \"@conn\t1700000000\t0\t0\t0\tat_sigint\t812\t22\t10.0.0.1\n@end\n\"; exit 0" INT
printf "@stapgen\ttcp_conn\t1\n"; while :; do sleep 0.1; done'
exit_is 0 'Tracing: Log accepted TCP connections (time, ids, command, port, peer address)... Hit Ctrl-C to end.' --no-check -t 1
n=$((n + 1))
grep -q 'at_sigint' "$tmp/stdout" || bad "tcp_conn -t 1, a slow start: the run ended before the probes were armed: $(head -n 2 "$tmp/stdout" "$tmp/stderr")"
if command -v busybox >/dev/null; then
	n=$((n + 1))
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$tmp/bb" busybox sh "$tmp/out/tcp_conn" --no-check -t 1 >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = 0 ] && grep -q 'at_sigint' "$tmp/stdout" && grep -q '^Tracing: ' "$tmp/stderr" ||
		bad "tcp_conn -t 1 under busybox, a slow start: exit $rc: $(head -n 3 "$tmp/stdout" "$tmp/stderr")"
fi
stub 'trap "printf \"@conn\t1700000000\t0\t0\t0\tat_sigint\t812\t22\t10.0.0.1\n@end\n\"; exit 0" INT
printf "@stapgen\ttcp_conn\t1\n"; while :; do sleep 0.1; done'
# Ctrl-C (SIGINT to the whole process group, as a terminal sends it): stap
# runs its end probes, the parser (which ignores it) prints their records,
# and the command exits with stap's status, under dash and bash.
# With -t 60, Ctrl-C still ends the run at once.
# -T: the same with a timeout(1) that has no --foreground (busybox's): the
# command's own timer.
mkdir -p "$tmp/oldtimeout"
printf '#!/bin/sh\necho "timeout: unrecognized option: foreground" >&2; exit 1\n' >"$tmp/oldtimeout/timeout"
chmod +x "$tmp/oldtimeout/timeout"
for sh in dash bash dash-t bash-t dash-T bash-T; do
	p=$tmp/bin:$PATH
	case $sh in *-t) sh=${sh%-t} t=60 ;; *-T) sh=${sh%-T} t=60 p=$tmp/oldtimeout:$p ;; *) t=0 ;; esac
	command -v "$sh" >/dev/null || continue
	n=$((n + 1))
	got=$(PATH="$p" python3 - "$sh" "$tmp/out/tcp_conn" "$t" <<'PY' 2>&1
import os, signal, subprocess, sys, time
def child():
    signal.signal(signal.SIGINT, signal.SIG_DFL)   # not ignored, as under a terminal
    os.setsid()
args = [sys.argv[1], sys.argv[2], "--no-check"]
if sys.argv[3] != "0":
    args += ["-t", sys.argv[3]]
p = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=child)
time.sleep(1)
os.killpg(p.pid, signal.SIGINT)
out = p.communicate(timeout=20)[0].decode()
print("rc=%d" % p.returncode)
print(out)
PY
)
	case $got in rc=0*at_sigint*) ;; *) bad "Ctrl-C ($sh, -t $t, PATH=$p): $got";; esac
done
# the timer's SIGINT, and a stap that ends first: no timer is left behind
for sh in dash bash; do
	n=$((n + 1))
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/oldtimeout:$tmp/bin:$PATH" "$sh" "$tmp/out/tcp_conn" --no-check -t 1 >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	[ "$rc" = 0 ] && grep -q 'at_sigint' "$tmp/stdout" || bad "tcp_conn -t 1 ($sh, own timer): exit $rc: $(head -n 3 "$tmp/stdout" "$tmp/stderr")"
done
stub 'printf "@stapgen\ttcp_conn\t1\n@end\n"; exit 0'
n=$((n + 1))
rc=0
(cd "$tmp/cwd" && PATH="$tmp/oldtimeout:$tmp/bin:$PATH" sh "$tmp/out/tcp_conn" --no-check -t 5 >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
[ "$rc" = 0 ] || bad "tcp_conn -t 5 (own timer), stap ends first: exit $rc: $(head -n 3 "$tmp/stderr")"
sleep 1.5
# (its argv: sh -c SCRIPT sh SECS FILE MESSAGE stap ...)
! ps -eo args | grep -q '^sh -c p=\$\$ n=\$1.* sh 5 .* stap .*/tcp_conn\.stp' || bad "the -t timer outlived stap: $(ps -eo pid,args | grep 'p=\$\$')"

# ---- preflight: --check against fake roots (STAPGEN_ROOT) -----------------------
# A stand-in uname in $tmp/ubin reports the release in $tmp/rel (the
# distributions' own), so each fake root is that distribution's host.
mkdir -p "$tmp/ubin"
cat >"$tmp/ubin/uname" <<UNAME
#!/bin/sh
case \$1 in -r) cat "$tmp/rel" ;; -m) echo x86_64 ;; *) exec uname "\$@" ;; esac
UNAME
chmod +x "$tmp/ubin/uname"
PATH_UNAME="$tmp/ubin:$tmp/bin:$PATH"
rel=6.1.0-56-cloud-amd64
echo "$rel" >"$tmp/rel"
root=$tmp/root
stub 'case $1 in -V) echo "Systemtap translator/driver (version 9.9/0.188)"; echo "tested kernel versions: 2.6.32 ... 99.1.0";; esac'
# os_release TEXT: the fake root's /etc/os-release
os_release() { mkdir -p "$root/etc" && printf '%s\n' "$1" >"$root/etc/os-release"; }
DEBIAN12='PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
VERSION_ID="12"
VERSION_CODENAME=bookworm
ID=debian'
# bare REL: a root with modules, kprobes and an os-release, nothing to build with
bare() {
	rm -rf "$root"
	echo "$1" >"$tmp/rel"
	mkdir -p "$root/proc" "$root/boot"
	: >"$root/proc/modules"
	printf 'CONFIG_KPROBES=y\nCONFIG_UPROBES=y\n' >"$root/boot/config-$1"
	os_release "$DEBIAN12"
}
mkroot() {
	bare "$rel"
	mkdir -p "$root/lib/modules/$rel/build" "$root/usr/lib/debug/boot"
	: >"$root/lib/modules/$rel/build/.config"
	: >"$root/usr/lib/debug/boot/vmlinux-$rel"
}
# touch_in FILE...: creates each FILE (a path on the host) in the fake root
touch_in() { for f in "$@"; do mkdir -p "$root${f%/*}" && : >"$root$f"; done; }
# check_is TOOL STATUS TEXT...: TOOL --check under the fake root exits STATUS, prints each TEXT
check_is() {
	tool=$1 want=$2
	shift 2
	n=$((n + 1))
	rc=0
	(cd "$tmp/cwd" && STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/out/$tool" --check >"$tmp/stdout" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || bad "$tool --check: exit $rc, expected $want: $(grep -v ': ok: ' "$tmp/stdout" | head -n 3)"
	for text in "$@"; do
		grep -qF -- "$text" "$tmp/stdout" || bad "$tool --check does not say '$text': $(head -n 20 "$tmp/stdout")"
	done
}
# lacks TEXT...: the last check's output says none of them
lacks() {
	n=$((n + 1))
	for text in "$@"; do
		! grep -qF -- "$text" "$tmp/stdout" || bad "--check says '$text': $(head -n 20 "$tmp/stdout")"
	done
}
mkroot
# a tool that needs debuginfo whatever the kernel: tcp_conn's command with
# sg_need_kdebug=1 (tcp_conn itself has a headers-only kprobe first)
sed "s/sg_need_kdebug=[0-9]/sg_need_kdebug=1/" "$tmp/out/tcp_conn" >"$tmp/out/dwarf_only"
check_is dwarf_only 0 "tcp_conn: ready" "ok: kernel debuginfo /usr/lib/debug/boot/vmlinux-$rel" "ok: kprobes"
# the release is the one the tool was generated for: no warning
lacks "generated for kernel"
rm "$root/usr/lib/debug/boot/vmlinux-$rel"
check_is dwarf_only 1 "missing: the kernel's debuginfo /usr/lib/debug/boot/vmlinux-$rel" "to fix: apt-get install linux-image-$rel-dbg"
# headers only: tcp_conn is ready, and says where debuginfo would still serve
check_is tcp_conn 0 "tcp_conn: ready" "warning: no kernel debuginfo" "only needed if a fallback probe point is used"
mkdir -p "$root/usr/lib/debug/lib/modules/$rel" && : >"$root/usr/lib/debug/lib/modules/$rel/vmlinux"
check_is dwarf_only 0 "ok: kernel debuginfo /usr/lib/debug/lib/modules/$rel/vmlinux"
rm "$root/lib/modules/$rel/build/.config"
check_is tcp_conn 1 "missing: the kernel build tree /lib/modules/$rel/build" "to fix: apt-get install linux-headers-$rel"
mkroot
echo '# CONFIG_KPROBES is not set' >"$root/boot/config-$rel"
check_is tcp_conn 1 "missing: kprobes, for kernel function probes: this kernel is built without CONFIG_KPROBES"
rm "$root/boot/config-$rel"
printf 'ffffffff81000000 T _stext\nffffffff81200000 T register_kprobe\n' >"$root/proc/kallsyms"
check_is tcp_conn 0 "ok: kprobes"
rm "$root/proc/modules"
check_is tcp_conn 1 "missing: loadable kernel modules"
# a tracepoint-only tool asks for neither debuginfo nor kprobes
mkroot
rm "$root/usr/lib/debug/boot/vmlinux-$rel" "$root/boot/config-$rel"
check_is needs_tracepoint 0 "needs_tracepoint: ready"
n=$((n + 1))
! grep -q 'debuginfo\|kprobes' "$tmp/stdout" || bad "needs_tracepoint --check asks for DWARF or kprobes: $(cat "$tmp/stdout")"
# a netfilter hook (ip_nf_top) needs neither kprobes nor debuginfo
# (gen/tables/probe_families.def): ready on a kernel without CONFIG_KPROBES
mkroot
rm "$root/usr/lib/debug/boot/vmlinux-$rel"
echo '# CONFIG_KPROBES is not set' >"$root/boot/config-$rel"
check_is ip_nf_top 0 "ip_nf_top: ready"
lacks "kprobes" "debuginfo"

# ---- each distribution's packages, paths and commands (issue 17) ----------------
# The generator's sg_need_kdebug (0 no, 1 needed, 2 only for a fallback
# probe point) is the contract: copies of tcp_conn with each level.
for lv in 0 1 2; do
	sed "s/sg_need_kdebug=[0-9]/sg_need_kdebug=$lv/" "$tmp/out/tcp_conn" >"$tmp/out/kdebug$lv"
	chmod +x "$tmp/out/kdebug$lv"
done
# distro NAME REL TREE DEBUGINFO OS-RELEASE FIX-LINE...: on a bare root of
# that distribution, --check names the build tree and debuginfo paths it
# installs and the FIX-LINEs (its packages and commands); with the files at
# those paths the tool is ready; a tool that needs debuginfo only for a
# fallback probe point warns (with the command) but is ready; one that needs
# none does not mention it.
distro() {
	d=$1 drel=$2 dtree=$3 ddbg=$4 dos=$5
	shift 5
	bare "$drel"
	os_release "$dos"
	check_is kdebug1 1 "missing: the kernel build tree $dtree " "missing: the kernel's debuginfo $ddbg," "$@"
	n=$((n + 1))
	# every message one line, each starting with the tool's name; nothing of Debian's elsewhere
	! grep -v '^tcp_conn: ' "$tmp/stdout" | grep -q . || bad "$d: a message of several lines: $(cat "$tmp/stdout")"
	case $d in debian* | ubuntu* | mint*) ;; *) lacks apt-get -dbg ;; esac
	touch_in "$dtree/.config"
	check_is kdebug1 1 "ok: kernel build tree $dtree"
	lacks "missing: the kernel build tree"
	check_is kdebug2 0 "warning: no kernel debuginfo ($ddbg, a vmlinux with DWARF): only needed if a fallback probe point is used (to install: "
	check_is kdebug0 0 "tcp_conn: ready"
	lacks debuginfo
	touch_in "$ddbg"
	check_is kdebug1 0 "ok: kernel debuginfo $ddbg" "tcp_conn: ready"
}
r=3.10.0-957.27.2.el7.x86_64
distro rhel7 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'NAME="Red Hat Enterprise Linux Server"
VERSION="7.9 (Maipo)"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="7.9"' \
	"missing: the kernel build tree /usr/src/kernels/$r (stap compiles the tool against it: kernel-devel-$r)" \
	"tcp_conn: to fix: yum install kernel-devel-$r" \
	"tcp_conn: to fix: debuginfo-install kernel-$r (it enables the debuginfo repository and installs kernel-debuginfo-$r kernel-debuginfo-common-x86_64-$r)" \
	"tcp_conn: note: on RHEL the debuginfo repository comes with the subscription: subscription-manager repos --enable=rhel-7-server-debug-rpms"
distro centos7 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'NAME="CentOS Linux"
ID="centos"
ID_LIKE="rhel fedora"
VERSION_ID="7"' \
	"tcp_conn: to fix: yum install kernel-devel-$r" "tcp_conn: to fix: debuginfo-install kernel-$r "
lacks subscription-manager
r=5.14.0-362.8.1.el9_3.x86_64
distro rhel9 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'NAME="Red Hat Enterprise Linux"
ID="rhel"
ID_LIKE="fedora"
VERSION_ID="9.3"' \
	"tcp_conn: to fix: dnf install kernel-devel-$r" \
	"tcp_conn: to fix: dnf debuginfo-install kernel-$r (it enables the debuginfo repository and installs kernel-debuginfo-$r kernel-debuginfo-common-x86_64-$r)" \
	"subscription-manager repos --enable=rhel-9-for-x86_64-baseos-debug-rpms"
distro rocky9 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'ID="rocky"
ID_LIKE="rhel centos fedora"
VERSION_ID="9.3"' \
	"tcp_conn: to fix: dnf install kernel-devel-$r" "tcp_conn: to fix: dnf debuginfo-install kernel-$r "
distro alma8 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'ID="almalinux"
ID_LIKE="rhel centos fedora"
VERSION_ID="8.9"' \
	"tcp_conn: to fix: dnf install kernel-devel-$r"
r=6.5.6-300.fc39.x86_64
distro fedora39 "$r" "/usr/src/kernels/$r" "/usr/lib/debug/lib/modules/$r/vmlinux" 'NAME="Fedora Linux"
VERSION="39 (Server Edition)"
ID=fedora
VERSION_ID=39' \
	"tcp_conn: to fix: dnf install kernel-devel-$r" \
	"tcp_conn: to fix: dnf debuginfo-install kernel-$r (it enables the debuginfo repository and installs kernel-debuginfo-$r kernel-debuginfo-common-x86_64-$r)"
lacks subscription-manager
r=5.15.0-91-generic
UBUNTU2204='PRETTY_NAME="Ubuntu 22.04.3 LTS"
NAME="Ubuntu"
VERSION_ID="22.04"
VERSION_CODENAME=jammy
ID=ubuntu
ID_LIKE=debian'
distro ubuntu2204 "$r" "/lib/modules/$r/build" "/usr/lib/debug/boot/vmlinux-$r" "$UBUNTU2204" \
	"missing: the kernel build tree /lib/modules/$r/build (stap compiles the tool against it: linux-headers-$r)" \
	"tcp_conn: to fix: apt-get install linux-headers-$r linux-image-$r-dbgsym" \
	"tcp_conn: note: linux-image-$r-dbgsym is in Ubuntu's debug symbol archive (ddebs), which apt does not have by default: apt-get install ubuntu-dbgsym-keyring, add the ddebs archive's suites jammy and jammy-updates under /etc/apt/sources.list.d/, apt-get update"
distro mint21 "$r" "/lib/modules/$r/build" "/usr/lib/debug/boot/vmlinux-$r" 'ID=linuxmint
ID_LIKE="ubuntu debian"
VERSION_CODENAME=virginia' \
	"tcp_conn: to fix: apt-get install linux-headers-$r linux-image-$r-dbgsym"
r=6.1.0-18-amd64
distro debian12 "$r" "/lib/modules/$r/build" "/usr/lib/debug/boot/vmlinux-$r" "$DEBIAN12" \
	"tcp_conn: to fix: apt-get install linux-headers-$r linux-image-$r-dbg"
lacks ddebs dbgsym
r=5.14.21-150500.55.39-default
v=5.14.21-150500.55.39
distro sles15 "$r" "/usr/src/linux-$v-obj/x86_64/default" "/usr/lib/debug/boot/vmlinux-$r.debug" 'NAME="SLES"
VERSION="15-SP5"
VERSION_ID="15.5"
ID="sles"
ID_LIKE="suse"' \
	"missing: the kernel build tree /usr/src/linux-$v-obj/x86_64/default (stap compiles the tool against it: kernel-default-devel-$v)" \
	"tcp_conn: to fix: zypper --plus-content debug install kernel-default-devel-$v kernel-default-debuginfo-$v"
distro leap155 "$r" "/usr/src/linux-$v-obj/x86_64/default" "/usr/lib/debug/boot/vmlinux-$r.debug" 'ID="opensuse-leap"
ID_LIKE="suse opensuse"
VERSION_ID="15.5"' \
	"tcp_conn: to fix: zypper --plus-content debug install kernel-default-devel-$v kernel-default-debuginfo-$v"
# only the build tree missing: no debuginfo repository in the command
bare "$r"
os_release 'ID="sles"'
touch_in "/usr/lib/debug/boot/vmlinux-$r.debug"
check_is kdebug1 1 "tcp_conn: to fix: zypper install kernel-default-devel-$v"
bare 3.10.0-957.27.2.el7.x86_64
os_release 'ID="centos"'
touch_in /usr/src/kernels/3.10.0-957.27.2.el7.x86_64/.config
check_is kdebug1 1 "tcp_conn: to fix: debuginfo-install kernel-3.10.0-957.27.2.el7.x86_64 "
lacks "yum install"
# /usr/lib/os-release when /etc has none
bare "$r"
rm "$root/etc/os-release"
mkdir -p "$root/usr/lib" && printf 'ID="sles"\n' >"$root/usr/lib/os-release"
check_is kdebug1 1 "tcp_conn: to fix: zypper --plus-content debug install kernel-default-devel-$v kernel-default-debuginfo-$v"
# a distribution stapgen does not know, and none at all: the gaps, no package names
for dos in 'ID=arch' ''; do
	bare 6.6.7-arch1-1
	if [ -n "$dos" ]; then os_release "$dos"; else rm "$root/etc/os-release"; fi
	check_is kdebug1 1 "missing: the kernel build tree /lib/modules/6.6.7-arch1-1/build (stap compiles the tool against it)" \
		"tcp_conn: to fix: install this kernel's build tree and debuginfo from this distribution's packages: stapgen names the packages of Debian, Ubuntu, RHEL, CentOS, Rocky, Alma, Oracle Linux, Fedora and SUSE, not of this one (ID=${dos#ID=}"
	lacks apt-get yum dnf zypper
done
# os-release is text, never run: hostile values are not executed, break no
# quoting and reach the terminal escaped
for dos in 'ID=$(touch pwned_id)' 'ID="rhel"; touch pwned_id2; "' "ID='x'\\''\$(touch pwned_id3)'" \
	'ID=`touch pwned_id4`' "$(printf 'ID=\033]0;retitled\007\nID_LIKE="debian $(touch pwned_like)"')" \
	'ID="debian' 'ID=ubuntu debian' 'ID=RHEL'; do
	bare 5.15.0-91-generic
	os_release "$dos"
	check_is kdebug1 1 "to fix: install this kernel's build tree"
	n=$((n + 1))
	[ -z "$(ls -A "$tmp/cwd")" ] || bad "os-release '$dos' ran: $(ls -A "$tmp/cwd")"
	rm -f "$tmp/cwd"/*
	! LC_ALL=C grep -q "$(printf '[\001-\010\013-\037\177]')" "$tmp/stdout" || bad "os-release '$dos': a control byte reached the terminal: $(od -c "$tmp/stdout" | head -n 5)"
done
bare 5.15.0-91-generic
os_release "$(printf 'ID=\033]0;retitled\007')"
check_is kdebug1 1 "not of this one (ID=?]0;retitled? in /etc/os-release)"

# ---- `biolatency 1 3`: three one-second intervals (issue 20).  The
# stand-in stap runs the script's timer as the script writes it (checked
# first: probe timer.s(1), a report every `interval` ticks, exit() after
# `count` reports) with the -G values it is given, ticking without sleeping;
# the command prints each report as a histogram.
n=$((n + 1))
sed -n '/^probe timer.s(1)$/,/^}$/p' "$tmp/out/biolatency.stp" >"$tmp/timer"
printf '%s\n' 'probe timer.s(1)' '{' '	if (!interval || ++_latency_ticks < interval)' '		next' \
	'	_latency_ticks = 0' '	_report_latency()' '	if (count && ++_latency_reports >= count)' '		exit()' '}' |
	cmp -s - "$tmp/timer" || bad "biolatency.stp's timer is not the one the stand-in runs: $(cat "$tmp/timer")"
stub 'iv=1 cnt=0
for a in "$@"; do case $a in interval=*) iv=${a#*=} ;; count=*) cnt=${a#*=} ;; esac; done
printf "@stapgen\tbiolatency\t1\n"
ticks=0 k=0 r=0
while [ "$ticks" -lt 100 ]; do
	ticks=$((ticks + 1)) k=$((k + 1))
	[ "$k" -lt "$iv" ] && continue
	k=0 r=$((r + 1))
	printf "@report\tlatency\t%d\n@latency\t6\t%d\n@report_end\tlatency\n" $((1700000000 + ticks)) "$r"
	[ "$cnt" -gt 0 ] && [ "$r" -ge "$cnt" ] && break
done
printf "@end\n"
echo "$ticks" >"'"$tmp"'/ticks"'
# intervals SECS COUNT TICKS TS...: `biolatency SECS COUNT` ran TICKS
# one-second ticks and printed COUNT histograms, at the seconds TS (after
# 1700000000)
intervals() {
	n=$((n + 1))
	rm -f "$tmp/ticks"
	rc=0
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/biolatency" --no-check -f json "$1" "$2" >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
	got=$(sed -n 's/.*"ts":17000000\([0-9]*\)[,}].*/\1/p' "$tmp/stdout" | tr '\n' ' ')
	want="$1 $2 $3"
	shift 3
	[ "$rc" = 0 ] && [ "$(cat "$tmp/ticks" 2>/dev/null) $got" = "${want##* } $* " ] ||
		bad "biolatency $want: exit $rc, $(cat "$tmp/ticks" 2>/dev/null) ticks, histograms at $got(expected ${want##* } ticks, at $*): $(head -n 3 "$tmp/stderr" "$tmp/stdout")"
}
intervals 1 3 3 01 02 03
intervals 2 3 6 02 04 06

# ---- releases as users write them (issue 17): a tool generated for KVER serves
# the running release REL when KVER is REL up to one of its . - + _ ~
# rel_ok KVER REL [warn]: no warning (or the warning) that the tool is another kernel's
rel_ok() {
	n=$((n + 1))
	k=$1 r=$2
	[ -d "$tmp/k/$k" ] || "$stapgen" --kver "$k" --out "$tmp/k/$k" "$here/specs/needs_tracepoint.yaml" 2>/dev/null || bad "generating for KVER=$k"
	echo "$r" >"$tmp/rel"
	out=$(STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/k/$k/needs_tracepoint" --check 2>&1)
	case ${3:-},$out in
	warn,*"warning: generated for kernel $k, this one is $r (make tools KVER=$r)"*) ;;
	warn,*) bad "KVER=$k on $r: no warning: $out" ;;
	*"generated for kernel"*) bad "KVER=$k on $r: a false warning: $out" ;;
	esac
}
rel_ok 3.10.0-957 3.10.0-957.27.2.el7.x86_64
rel_ok 3.10.0-957.27.2.el7.x86_64 3.10.0-957.27.2.el7.x86_64
rel_ok 3.10.0-957.27.2.el7 3.10.0-957.27.2.el7.x86_64
rel_ok 5.15.0-91-generic 5.15.0-91-generic
rel_ok 5.15.0-91 5.15.0-91-generic
rel_ok 6.12.117+deb12-cloud-amd64 6.12.117+deb12-cloud-amd64
rel_ok 3.10.0-957 3.10.0-9570.el7.x86_64 warn
rel_ok 3.10.0-957 3.10.0-1160.el7.x86_64 warn
rel_ok 5.15.0-91-generic 5.15.0-92-generic warn
rel_ok 5.15.0-91-generic 5.15.0-91 warn
rel_ok 6.1 6.12.0 warn

# ---- the rest of the preflight
rel=6.1.0-56-cloud-amd64
mkroot
# a stap older than the kernel
stub 'case $1 in -V) echo "Systemtap translator/driver (version 4.8/0.188)"; echo "tested kernel versions: 2.6.32 ... 3.0.0";; esac'
check_is needs_tracepoint 1 "missing: a stap that knows this kernel: stap 4.8 is tested up to 3.0.0"
# a prebuilt module needs staprun, not stap, the build tree or debuginfo
n=$((n + 1))
rc=0
(STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/out/tcp_conn" --check --module "$tmp/mods/inject_text.ko" >"$tmp/stdout" 2>&1) || rc=$?
[ "$rc" = 0 ] || bad "tcp_conn --check --module: exit $rc: $(cat "$tmp/stdout")"
# the run refuses to start when not ready, naming the fix
n=$((n + 1))
rm -rf "$root/lib/modules"
rc=0
(cd "$tmp/cwd" && STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/out/tcp_conn" >"$tmp/stdout" 2>"$tmp/stderr") || rc=$?
[ "$rc" = 1 ] && grep -q "linux-headers-$rel" "$tmp/stderr" && grep -q 'not ready' "$tmp/stderr" ||
	bad "tcp_conn not ready: exit $rc: $(cat "$tmp/stderr")"
# a function uprobe's binary: its symbol table, or its debug file by build
# id; exported functions only (.dynsym) is a warning, none a miss; each
# names the package with the symbols (dpkg -S, a stub here)
mkroot
stub 'case $1 in -V) echo "Systemtap translator/driver (version 9.9/0.188)"; echo "tested kernel versions: 2.6.32 ... 99.1.0";; esac'
printf '#!/bin/sh\ncase $2 in /opt/dynonly | /opt/stripped) echo "coreutils: $2" ;; *) exit 1 ;; esac\n' >"$tmp/bin/dpkg"
chmod +x "$tmp/bin/dpkg"
mkdir -p "$root/opt"
printf 'int main(void) { return 0; }\n' | $CC -x c -o "$root/opt/withsyms" - || bad "cc: a binary with symbols"
cp /bin/true "$root/opt/dynonly"
objcopy -R .symtab -R .dynsym /bin/true "$root/opt/stripped" || bad "objcopy: a stripped binary"
# ucheck BINARY STATUS TEXT...: ufunclatency --check --binary BINARY
ucheck() {
	ub=$1 want=$2
	shift 2
	n=$((n + 1))
	rc=0
	(cd "$tmp/cwd" && STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/out/ufunclatency" --check --binary "$ub" >"$tmp/stdout" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || bad "ufunclatency --check --binary $ub: exit $rc, expected $want: $(grep -v ': ok: ' "$tmp/stdout" | head -n 3)"
	for text in "$@"; do
		grep -qF -- "$text" "$tmp/stdout" || bad "ufunclatency --check --binary $ub does not say '$text': $(head -n 20 "$tmp/stdout")"
	done
}
ucheck /opt/withsyms 0 "ok: symbol table of /opt/withsyms" "ufunclatency: ready"
ucheck /opt/stripped 1 "missing: a symbol table in /opt/stripped: it is stripped (no .symtab, no .dynsym)" \
	"its symbols: apt-get install coreutils-dbgsym, from Debian's debug archive (its bookworm-debug suite"
ucheck /opt/dynonly 0 "warning: /opt/dynonly has no symbol table (.symtab), only its exported functions (.dynsym)" \
	"apt-get install coreutils-dbgsym" "ufunclatency: ready"
ucheck /opt/nosuch 1 "missing: the binary /opt/nosuch the tool probes (no such file)"
# the package manager does not know the file: the message says so
cp "$root/opt/stripped" "$root/opt/unowned"
ucheck /opt/unowned 1 "apt-get install PACKAGE-dbgsym" "the package manager does not know the file"
# its separate debug file, by build id, is as good as a symbol table
bid=$(LC_ALL=C readelf -n /bin/true | sed -n 's/^ *Build ID: *//p')
mkdir -p "$root/usr/lib/debug/.build-id/${bid%"${bid#??}"}"
: >"$root/usr/lib/debug/.build-id/${bid%"${bid#??}"}/${bid#??}.debug"
ucheck /opt/stripped 0 "ok: debug symbols of /opt/stripped (/usr/lib/debug/.build-id/" "ufunclatency: ready"
# a .mark point's binary: each SDT marker the spec names among its notes
# (pythongc: gc__start, gc__done); a note written by hand in sys/sdt.h's
# layout, so the test needs no systemtap-sdt-dev
printf '%s\n' '__asm__(".pushsection .note.stapsdt,\"\",\"note\"\n"' \
	'".balign 4\n.4byte 2f-1f, 4f-3f, 3\n1: .asciz \"stapsdt\"\n2: .balign 4\n"' \
	'"3: .8byte 0, 0, 0\n.asciz \"python\"\n.asciz \"gc__start\"\n.asciz \"\"\n4: .balign 4\n.popsection\n");' \
	'int main(void) { return 0; }' | $CC -x c -o "$root/opt/onemark" - || bad "cc: a binary with an SDT note"
# mcheck BINARY STATUS TEXT...: pythongc --check --binary BINARY
mcheck() {
	ub=$1 want=$2
	shift 2
	n=$((n + 1))
	rc=0
	(cd "$tmp/cwd" && STAPGEN_ROOT=$root PATH="$PATH_UNAME" sh "$tmp/out/pythongc" --check --binary "$ub" >"$tmp/stdout" 2>&1) || rc=$?
	[ "$rc" = "$want" ] || bad "pythongc --check --binary $ub: exit $rc, expected $want: $(grep -v ': ok: ' "$tmp/stdout" | head -n 3)"
	for text in "$@"; do
		grep -qF -- "$text" "$tmp/stdout" || bad "pythongc --check --binary $ub does not say '$text': $(head -n 20 "$tmp/stdout")"
	done
}
mcheck /opt/onemark 1 "ok: SDT marker gc__start in /opt/onemark" \
	"missing: the SDT marker gc__done in /opt/onemark: readelf -n lists no such marker"
# no symbol check for a marker tool: a stripped interpreter is fine
! grep -q "symbol table" "$tmp/stdout" || bad "pythongc --check looks for a symbol table: $(grep 'symbol table' "$tmp/stdout")"
mcheck /opt/withsyms 1 "missing: the SDT marker gc__start in /opt/withsyms" "missing: the SDT marker gc__done in /opt/withsyms"
mcheck /opt/nosuch 1 "missing: the binary /opt/nosuch the tool probes (no such file)"
rm "$tmp/bin/dpkg"
[ -z "$(ls -A "$tmp/cwd")" ] || bad "exit/preflight tests created files: $(ls -A "$tmp/cwd")"

echo "commands: $n checks, $fail failed"
[ "$fail" -eq 0 ]
