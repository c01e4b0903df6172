#!/bin/sh
# The generated tool commands (out/<KVER>/<tool>): they run as root, so no
# text from a spec may become shell code.  For the commands of every spec in
# specs/, every valid spec of the hostile corpus (tests/hostile/valid/ and the
# big ones tests/hostile/gen.sh writes) and the crafted specs in
# tests/command/specs/:
#   - `sh -n` and `shellcheck -s sh` (every severity) pass;
#   - `TOOL -h`, under dash and bash, exits 0, creates no file (the crafted
#     specs try to `touch pwned_*` from every text field) and prints the
#     summary and each parameter's help;
#   - with a stand-in `stap` on PATH, options reach stap as the words they
#     should be, and a string value that would split is refused.
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
specs=$(find specs "$here/specs" "$here/../hostile/valid" "$tmp/gen/valid" -name '*.yaml' | LC_ALL=C sort)
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
shellcheck -s sh -S style $cmds >"$tmp/sc" 2>&1 || { bad "shellcheck:"; head -n 60 "$tmp/sc"; }

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
		head -n 1 "$tmp/help" | grep -qx "usage: $tool \[options\]" || bad "$tool -h ($sh): no usage line"
		grep -q -- "^  -h, --help  " "$tmp/help" || bad "$tool -h ($sh): help text cut short"
	done
done
# the crafted specs' texts arrive verbatim (those without escapes)
for spec in "$here"/specs/*.yaml; do
	tool=$(basename "$spec" .yaml)
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
args() {
	c=$tmp/out/$1
	shift
	(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$c" --raw "$@" 2>&1 | sed -e "s|$tmp/out/||g" -e 1q)
}
check_args() {
	n=$((n + 1))
	want=$1
	shift
	got=$(args "$@" 2>&1)
	[ "$got" = "$want" ] || bad "$* -> '$got', expected '$want'"
}
check_args '[-G][s=abc][-G][sw=1][inject_text.stp]' inject_text --s abc --sw
check_args "inject_text: --s: spaces and quotes are not allowed" inject_text --s 'a b'
check_args "inject_text: --s: spaces and quotes are not allowed" inject_text --s "a'b"
check_args '[-G][s=*][inject_text.stp]' inject_text --s '*'
check_args '[-x][42][-v][-G][d=7][inject_text.stp]' inject_text -p 42 -a -v -G d=7
check_args "inject_text: unknown option '--nope'" inject_text --nope
# -f svg: the parser gets the command line as the flame graph's subtitle
cat >"$tmp/out/parsers/sample_bt-parse" <<'PARSE'
#!/bin/sh
cat >/dev/null
for a in "$@"; do printf '[%s]' "$a"; done
echo
PARSE
chmod +x "$tmp/out/parsers/sample_bt-parse"
n=$((n + 1))
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/sample_bt" -k -l 5 -f svg 2>&1)
[ "$got" = '[-f][svg][--subtitle][sample_bt -k -l 5 -f svg]' ] || bad "sample_bt -f svg -> '$got'"
n=$((n + 1))
got=$(cd "$tmp/cwd" && PATH="$tmp/bin:$PATH" sh "$tmp/out/sample_bt" -f folded 2>&1)
[ "$got" = '[-f][folded]' ] || bad "sample_bt -f folded -> '$got'"
[ -z "$(ls -A "$tmp/cwd")" ] || bad "option tests created files: $(ls -A "$tmp/cwd")"

echo "commands: $n checks, $fail failed"
[ "$fail" -eq 0 ]
