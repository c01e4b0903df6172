#!/bin/sh
# Hostile input: the generator and the generated parsers against malformed,
# huge, deep, binary and adversarial input.  For every case it asserts the
# exit status, a located diagnostic, bounded resources and an untouched
# output directory:
#
#   specs (tests/hostile/specs/*.yaml and the big ones gen.sh writes):
#     exit 1; the first stderr line is "FILE:LINE:COL: error: ..." at the
#     LINE:COL and with the words given in expected-specs.txt; no stderr line
#     longer than 1000 bytes and at most 64 KiB of stderr; a pre-existing
#     output directory is unchanged (names, sizes, modes, times, contents).
#   valid oddities (tests/hostile/valid/*.yaml, CRLF copies of every spec,
#     big specs within the limits): exit 0, the parsers they generate
#     compile, CRLF output = LF output.
#   usage and I/O errors: exit 2, output directory unchanged, no hang.
#   parallel runs into one output directory: same files as one serial run.
#   parser inputs (tests/hostile/parser/TOOL-*.in and gen.sh's): the exit
#     status, dropped lines reported as "FILE:LINE: dropped: ..." at the
#     lines given in expected-parser.txt, and every valid record delivered
#     (the JSON line count), in all output formats.
#   resources, for every run: CPU time (user + system, which does not depend
#     on how busy the machine is) under 2 s and peak RSS under 100 MB; a run
#     still going after 20 s of wall time is killed and fails as a hang.
# usage: run.sh STAPGEN
set -u
stapgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
root=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
kver=6.1.0-56-cloud-amd64
max_cpu_ms=2000
max_rss_kb=102400
hang_s=20
export LC_ALL=C
fail=0 n=0

CC=${CC:-cc}
$CC -std=c11 -O1 -o "$tmp/rusage" "$here/rusage.c" || { echo "FAIL: rusage helper"; exit 1; }
"$here/gen.sh" "$tmp/gen" || { echo "FAIL: gen.sh"; exit 1; }

bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# run NAME CMD...: runs under the resource monitor, stdout/stderr to
# $tmp/stdout, $tmp/stderr; sets rc, cpu, wall, rss and checks the bounds.
run() {
	name=$1
	shift
	n=$((n + 1))
	"$tmp/rusage" "$tmp/ru" "$hang_s" "$@" >"$tmp/stdout" 2>"$tmp/stderr" <"${run_in:-/dev/null}"
	read -r rc cpu wall rss <"$tmp/ru"
	[ "$rc" -eq 124 ] && bad "$name: still running after ${hang_s}s (a hang)"
	[ "$rc" -ge 128 ] && bad "$name: died of signal $((rc - 128))"
	[ "$cpu" -lt "$max_cpu_ms" ] || bad "$name: used ${cpu} ms of CPU (limit $max_cpu_ms)"
	[ "$rss" -lt "$max_rss_kb" ] || bad "$name: peak RSS ${rss} KB (limit $max_rss_kb)"
	echo "$rc ${cpu}ms ${wall}ms ${rss}KB $name" >>"$tmp/resources"
}

# names, sizes, modes, mtimes and contents of everything under a directory
# (with "files": only of what is not a directory -- a write that fails after
# its temporary file was made still changes the directory's mtime)
snapshot() {
	(cd "$1" && { if [ "${2:-}" = files ]; then find . ! -type d -print0; else find . -print0; fi; } |
		LC_ALL=C sort -z | xargs -0 stat -c '%n %s %a %Y.%y' &&
		find . -type f -print0 | LC_ALL=C sort -z | xargs -0 cksum)
}

# ---- specs that must be rejected --------------------------------------------
out=$tmp/out
"$stapgen" --kver "$kver" --out "$out" specs/net/tcp_conn.yaml specs/io/biolatency.yaml ||
	{ echo "FAIL: cannot populate the output directory"; exit 1; }
snapshot "$out" >"$tmp/snap.before"
for spec in "$here"/specs/*.yaml "$tmp"/gen/specs/*.yaml; do
	base=$(basename "$spec")
	# shown as a path relative to the repository where it is one
	case $spec in "$root"/*) spec=${spec#"$root"/} ;; esac
	exp=$(grep "^$base " "$here/expected-specs.txt" | cut -d' ' -f2-)
	[ -n "$exp" ] || { bad "$base: no line in expected-specs.txt"; continue; }
	at=${exp%% *} words=${exp#* }
	run "$base" "$stapgen" --kver "$kver" --out "$out" "$spec"
	[ "$rc" -eq 1 ] || bad "$base: exit $rc, expected 1"
	first=$(head -n 1 "$tmp/stderr")
	case $first in
	"$spec:$at: error: "*) ;;
	*) bad "$base: first diagnostic is not '$spec:$at: error: ...': $(printf '%.200s' "$first")" ;;
	esac
	for w in $words; do
		case $first in *"$w"*) ;; *) bad "$base: diagnostic does not mention '$w': $(printf '%.200s' "$first")" ;; esac
	done
	# nothing a terminal would act on: C0 controls but tab and newline,
	# DEL, C1 controls (CSI U+009B...), bidirectional controls
	LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' \
		"$tmp/stderr" && bad "$base: raw control characters on stderr"
	long=$(awk 'length($0) > 1000 { print NR; exit }' "$tmp/stderr")
	[ -z "$long" ] || bad "$base: stderr line $long is longer than 1000 bytes"
	[ "$(wc -c <"$tmp/stderr")" -le 65536 ] || bad "$base: more than 64 KiB of diagnostics"
	[ -s "$tmp/stdout" ] && bad "$base: wrote to stdout"
	snapshot "$out" >"$tmp/snap.after"
	cmp -s "$tmp/snap.before" "$tmp/snap.after" || bad "$base: the output directory changed"
done

# ---- usage and I/O errors: exit 2 -------------------------------------------
mkfifo "$tmp/fifo"
mkdir -p "$tmp/adir"
: >"$tmp/afile"
usage() {
	name=$1
	want=$2
	shift 2
	run "$name" "$@"
	[ "$rc" -eq "$want" ] || bad "$name: exit $rc, expected $want ($(head -n 1 "$tmp/stderr"))"
	[ -s "$tmp/stderr" ] || bad "$name: no message"
	snapshot "$out" $snapmode >"$tmp/snap.after"
	cmp -s "$tmp/snap.before" "$tmp/snap.after" || bad "$name: the output directory changed"
}
snapmode=
usage no-arguments 2 "$stapgen"
usage unknown-option 2 "$stapgen" --frobnicate specs/net/tcp_conn.yaml
usage missing-option-value 2 "$stapgen" specs/net/tcp_conn.yaml --out
usage bad-kver 2 "$stapgen" --kver ../../etc --out "$out" specs/net/tcp_conn.yaml
usage missing-file 2 "$stapgen" --kver "$kver" --out "$out" "$tmp/no/such.yaml"
usage directory 2 "$stapgen" --kver "$kver" --out "$out" "$tmp/adir"
usage out-under-a-file 2 "$stapgen" --kver "$kver" --out "$tmp/afile/out" specs/net/tcp_conn.yaml
# a FIFO nobody writes to reads as empty: no hang
usage fifo 1 "$stapgen" --kver "$kver" --out "$out" "$tmp/fifo"
# a file in the way of one output: nothing of the tool is replaced
rm "$out/parsers/biolatency_parser.c"
mkdir "$out/parsers/biolatency_parser.c"
snapmode=files
snapshot "$out" $snapmode >"$tmp/snap.before"
usage output-blocked-by-directory 2 "$stapgen" --kver "$kver" --out "$out" specs/io/biolatency.yaml
# (.TOOL.lock, the tool's lock file, stays: it is empty)
ls -a "$out" "$out/parsers" "$out/doc" 2>/dev/null | grep -v '\.lock$' | grep -q '^\.[^.]' && bad "temporary files left in $out"

# ---- stapgen --explain: stap's stderr and the map are untrusted too -------------
# explain NAME WANT_RC STDIN_CMD MAP: `stapgen --explain MAP` under the
# resource monitor, its stdin a FIFO that STDIN_CMD writes to
mkfifo "$tmp/feed"
explain() {
	name=explain-$1 want=$2 feed=$3 map=$4
	sh -c "$feed" >"$tmp/feed" 2>/dev/null &
	feeder=$!
	run_in=$tmp/feed run "$name" "$stapgen" --explain "$map"
	kill "$feeder" 2>/dev/null
	wait "$feeder" 2>/dev/null
	[ "$rc" -eq "$want" ] || bad "$name: exit $rc, expected $want ($(head -n 1 "$tmp/stderr"))"
	LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' \
		"$tmp/stdout" "$tmp/stderr" && bad "$name: raw control characters in the output"
	[ "$(wc -c <"$tmp/stdout")" -le 65536 ] || bad "$name: more than 64 KiB of output"
}
emap=$tmp/explain/tcp_conn.stp.map
mkdir -p "$tmp/explain"
"$stapgen" --kver "$kver" --out "$tmp/explain" specs/net/tcp_conn.yaml
alt="semantic error: unable to find member '__sk_commn' for struct sock (alternatives: __sk_common, sk_lock): operator '->' at out/tcp_conn.stp:29:40"
# 1 GiB of mapped errors: 50 shown, then "too many errors" and reading stops
explain alternatives-1g 1 "yes \"$alt\" | head -c 1073741824" "$emap"
grep -q "too many errors" "$tmp/stdout" || bad "explain-alternatives-1g: no 'too many errors'"
[ "$(grep -c ': error: stap: ' "$tmp/stdout")" -eq 50 ] || bad "explain-alternatives-1g: not 50 errors shown"
# 1 GiB of other lines, and of one line without a newline: stops at the input limit
explain noise-1g 2 "yes 'WARNING: something else entirely' | head -c 1073741824" "$emap"
grep -q "larger than" "$tmp/stderr" || bad "explain-noise-1g: no message about the limit"
explain one-line-1g 2 "head -c 1073741824 /dev/zero" "$emap"
# maps that are not regular files: exit 2 at once, no hang
explain map-dev-zero 2 "echo" /dev/zero
explain map-directory 2 "echo" "$tmp/adir"
explain map-fifo 2 "echo" "$tmp/fifo"
explain map-missing 2 "echo" "$tmp/no/such.map"
truncate -s 20M "$tmp/explain/big.stp.map"
explain map-too-large 2 "echo" "$tmp/explain/big.stp.map"
# a map whose spec is a FIFO, /dev/zero or a directory: the error without an excerpt
printf '27:9-27:58\t%s:17:40:49\n' "$tmp/fifo" >"$tmp/explain/f.stp.map"
explain spec-fifo 1 "echo \"semantic error: x: operator '->' at f.stp:27:40\"" "$tmp/explain/f.stp.map"
grep -q "fifo:17:40: error: stap: x" "$tmp/stdout" || bad "explain-spec-fifo: $(head -n 1 "$tmp/stdout")"
printf '27:9-27:58\t/dev/zero:17:40:49\n' >"$tmp/explain/z.stp.map"
explain spec-dev-zero 1 "echo \"semantic error: x: operator '->' at z.stp:27:40\"" "$tmp/explain/z.stp.map"
# terminal escapes in stap's message (it quotes names from the script) come out escaped
explain escapes 1 "printf 'semantic error: \\033]0;pwned\\007 \\302\\233 \\342\\200\\256: operator at tcp_conn.stp:29:40\\n'" "$emap"
grep -q 'stap: \\e\]0;pwned\\x07 \\u009B \\u202E' "$tmp/stdout" || bad "explain-escapes: $(head -n 1 "$tmp/stdout")"

# ---- valid oddities -----------------------------------------------------------
for spec in "$here"/valid/*.yaml "$tmp"/gen/valid/*.yaml; do
	base=$(basename "$spec")
	run "$base" "$stapgen" --kver "$kver" --out "$tmp/valid-out" "$spec"
	[ "$rc" -eq 0 ] || bad "$base: exit $rc, expected 0: $(head -n 3 "$tmp/stderr")"
done
# what they generate compiles (e.g. int64 edges as C constants)
CC=$CC ./scripts/rt-objs.sh "$tmp/rt0" -std=c11 -O0 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes ||
	bad "the parser runtime does not compile"
for src in "$tmp"/valid-out/parsers/*_parser.c; do
	n=$((n + 1))
	$CC -std=c11 -O0 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Itemplates/parser \
		-o "$tmp/valid-parse" "$src" "$tmp"/rt0/*.o ||
		bad "$(basename "$src"): generated parser does not compile"
done
# CRLF line endings: every spec, converted, generates the same files
mkdir -p "$tmp/lf" "$tmp/crlf"
for spec in $(find specs -name '*.yaml' | LC_ALL=C sort); do
	base=$(basename "$spec")
	cp "$spec" "$tmp/lf/$base"
	sed 's/$/\r/' "$spec" >"$tmp/crlf/$base"
	(cd "$tmp/lf" && "$stapgen" --kver "$kver" --out o "$base" 2>/dev/null)
	lfrc=$?
	cd "$tmp/crlf" || exit 1
	run "crlf-$base" "$stapgen" --kver "$kver" --out o "$base"
	cd "$root" || exit 1
	[ "$rc" -eq "$lfrc" ] || bad "crlf-$base: exit $rc, with LF $lfrc"
done
diff -r "$tmp/lf/o" "$tmp/crlf/o" >"$tmp/diff" || { bad "CRLF specs generate different files:"; head -n 20 "$tmp/diff"; }

# ---- parallel generation into one directory -------------------------------------
specs=$(find specs -name '*.yaml' | LC_ALL=C sort)
"$stapgen" --kver "$kver" --out "$tmp/serial" $specs 2>/dev/null
for round in 1 2 3; do
	pids=
	for j in 1 2 3 4; do
		"$stapgen" --kver "$kver" --out "$tmp/parallel" $specs 2>/dev/null &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
done
n=$((n + 1))
diff -r "$tmp/serial" "$tmp/parallel" >"$tmp/diff" || { bad "parallel runs differ from a serial run:"; head -n 20 "$tmp/diff"; }

# ---- generated result parsers ------------------------------------------------------
"$stapgen" --kver "$kver" --out "$tmp/p" $specs 2>/dev/null
# shellcheck disable=SC2086 # PARSER_CFLAGS is a list of options
CC=$CC ./scripts/rt-objs.sh "$tmp/rt1" -std=c11 -O1 -Wall -Wextra -Werror ${PARSER_CFLAGS:-} ||
	bad "the parser runtime does not compile"
for src in "$tmp"/p/parsers/*_parser.c; do
	tool=$(basename "$src" _parser.c)
	$CC -std=c11 -O1 -Wall -Wextra -Werror ${PARSER_CFLAGS:-} -Itemplates/parser \
		-o "$tmp/p/$tool-parse" "$src" "$tmp"/rt1/*.o ||
		bad "$tool parser does not compile"
done
for in in "$here"/parser/*.in "$tmp"/gen/parser/*.in; do
	base=$(basename "$in")
	tool=${base%%-*}
	case $in in "$root"/*) in=${in#"$root"/} ;; esac
	exp=$(grep "^$base " "$here/expected-parser.txt" | cut -d' ' -f2-)
	[ -n "$exp" ] || { bad "$base: no line in expected-parser.txt"; continue; }
	set -- $exp
	want_rc=$1 want_lines=$2 want_records=$3
	for fmt in json table csv folded svg; do
		run "$base -f $fmt" "$tmp/p/$tool-parse" -f "$fmt" "$in"
		[ "$rc" -eq "$want_rc" ] || bad "$base -f $fmt: exit $rc, expected $want_rc"
		got=$(sed -n "s|^$in:\([0-9]*\): dropped: .*|\1|p" "$tmp/stderr" | tr '\n' ',' | sed 's/,$//')
		[ "${got:--}" = "$want_lines" ] || bad "$base -f $fmt: dropped lines '${got:--}', expected '$want_lines'"
		other=$(grep -v -e "^$in:[0-9]*: dropped: " -e "^$in: [0-9]* lines dropped in total" \
			-e "^$in:[0-9]*: warning: " -e ": $in: input ended before the script's end report (@end): " \
			-e ": $in: the input is empty: " "$tmp/stderr" | head -n 1)
		cut=$(grep -c -e ": input ended before the script's end report (@end)" -e ": the input is empty: " "$tmp/stderr")
		if [ "$want_rc" -eq 4 ]; then
			[ "$cut" -eq 1 ] || bad "$base -f $fmt: $cut lines say the run was cut off, expected 1"
		else
			[ "$cut" -eq 0 ] || bad "$base -f $fmt: says the run was cut off"
		fi
		[ -z "$other" ] || bad "$base -f $fmt: unexpected diagnostic: $other"
		if [ "$fmt" = json ]; then
			[ "$(wc -l <"$tmp/stdout")" -eq "$want_records" ] ||
				bad "$base: $(wc -l <"$tmp/stdout") JSON records, expected $want_records"
			cp "$tmp/stdout" "$tmp/json.$base"
		fi
	done
done
# CRLF parser input: the same records as with LF
for in in "$here"/parser/*-crlf.in; do
	[ -e "$in" ] || continue
	base=$(basename "$in")
	tool=${base%%-*}
	tr -d '\r' <"$in" >"$tmp/lf.in"
	"$tmp/p/$tool-parse" -f json "$tmp/lf.in" >"$tmp/lf.json" 2>/dev/null
	n=$((n + 1))
	cmp -s "$tmp/lf.json" "$tmp/json.$base" || bad "$base: CRLF input gives other records than LF"
done

if [ "${VERBOSE:-0}" = 1 ]; then
	echo "exit cpu wall maxrss name"
	cat "$tmp/resources"
fi
worst_cpu=$(awk '{ c = $2 + 0; if (c >= m) { m = c; w = $0 } } END { print w }' "$tmp/resources")
worst_rss=$(awk '{ r = $4 + 0; if (r >= m) { m = r; w = $0 } } END { print w }' "$tmp/resources")
echo "hostile: $n checks, $fail failed (most CPU: $worst_cpu; most memory: $worst_rss)"
[ "$fail" -eq 0 ]
