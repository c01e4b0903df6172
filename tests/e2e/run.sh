#!/bin/sh
# End-to-end test on the real SystemTap BPF runtime (docs/e2e.md).
#
# Generates the specs under tests/e2e/specs/ for this machine's kernel, runs
# each generated script with `stap --runtime=bpf -c TARGET` against a small
# traced program, feeds stdout to the generated parser (-f json) and compares
# the records with tests/e2e/expected/.  Then it compiles a matrix of one-
# construct specs (tests/e2e/specs/bpf/) under the BPF runtime and reports
# which generated constructs it accepts and the exact stap message for those
# it refuses.
#
# usage: tests/e2e/run.sh [STAPGEN]        (from anywhere; default build/stapgen)
# environment:
#   E2E_STRICT=1     an expected failure (XFAIL) counts as a failure
#   E2E_MATRIX=0     skip the construct matrix
#   E2E_SETUP=0      do not prepare the host (setup-bpf-host.sh) when needed
#   E2E_TIMEOUT=N    seconds before a stap run is stopped with SIGINT (60)
#   E2E_KEEP=1       keep the work directory
#   CC               compiler for the target, the shim and the parsers (cc)
# exit status: 0 passed, 1 failed, 77 skipped (the reason is printed).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
stapgen=${1:-build/stapgen}
case $stapgen in /*) ;; *) stapgen=$root/$stapgen ;; esac
CC=${CC:-cc}
strict=${E2E_STRICT:-0}
tmo=${E2E_TIMEOUT:-60}
# systemtap 4.8's BPF user_string_n() still has a debugging call in it
# (tapset/bpf/uconversions.stp: `call -, printf, "hello from the new bpf
# assembler"`): every user_string() in a BPF probe prints this text, with no
# newline, in front of whatever the script prints next.  It is removed from
# the output before parsing, and counted.
stap_noise='hello from the new bpf assembler'

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1fs", b - a }'; }
say() { printf '%s\n' "$*"; }
skip() { say "SKIP: e2e: $*"; exit 77; }

t_start=$(now)

# ---- can this host run it at all? ------------------------------------------
[ "$(uname -s)" = Linux ] || skip "not Linux"
[ -x "$stapgen" ] || { say "FAIL: e2e: no generator at $stapgen (make build/stapgen)"; exit 1; }
[ "$(id -u)" -eq 0 ] || skip "needs root: BPF programs, uprobes through tracefs"
command -v stap >/dev/null 2>&1 || skip "stap is not installed (apt-get install systemtap)"
command -v stapbpf >/dev/null 2>&1 || skip "stapbpf is not installed (systemtap's BPF runtime)"
command -v timeout >/dev/null 2>&1 || skip "timeout(1) is missing (coreutils)"
if ! "$here/setup-bpf-host.sh" --check 2>/dev/null; then
	if [ "${E2E_SETUP:-1}" = 0 ]; then
		"$here/setup-bpf-host.sh" --check
		skip "host not prepared for stap --runtime=bpf; run tests/e2e/setup-bpf-host.sh as root"
	fi
	"$here/setup-bpf-host.sh" ||
		skip "host preparation failed (tests/e2e/setup-bpf-host.sh, messages above)"
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/stapgen-e2e.XXXXXX") || exit 1
if [ "${E2E_KEEP:-0}" = 1 ]; then
	say "e2e: work directory $tmp (kept)"
else
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
fi
kver=$(uname -r)

$CC -std=c11 -g -O0 -Wall -Wextra -o "$tmp/target" "$here/target.c" ||
	{ say "FAIL: e2e: target.c does not compile"; exit 1; }
$CC -std=c11 -shared -fPIC -O2 -Wall -Wextra -o "$tmp/setrlimit_shim.so" \
	"$here/setrlimit_shim.c" -ldl ||
	{ say "FAIL: e2e: setrlimit_shim.c does not compile"; exit 1; }
target=$tmp/target
# Other work may relink the generator while this runs: use a snapshot.
cp "$stapgen" "$tmp/stapgen" || exit 1
stapgen=$tmp/stapgen

# run_stap NAME SCRIPT: stap --runtime=bpf -c TARGET SCRIPT > NAME.out 2> NAME.err.
# The shim reaches stapbpf through the environment stap passes on to it.
# Sets run_rc (stap's status, 124 = stopped by SIGINT after E2E_TIMEOUT) and
# run_time.
run_stap() {
	t0=$(now)
	run_rc=0
	LD_PRELOAD=$tmp/setrlimit_shim.so timeout -s INT -k 10 "$tmo" \
		stap --runtime=bpf -c "$target" "$2" >"$tmp/$1.out" 2>"$tmp/$1.err" || run_rc=$?
	run_time=$(since "$t0")
}

# The first stap message that explains a failure: a parse/semantic error, a
# loader error, or the verifier's last complaint.
stap_reason() {
	for re in '^(parse|semantic) error:' '^invalid func' '^Error loading' '^ERROR:' 'error:'; do
		grep -m1 -E "$re" "$1" && return
	done
	grep -v -E '^(Pass [0-9]|Tip:|WARNING: /usr/bin/stapbpf exited)' "$1" | tail -n 1
}

# ---- smoke: does the BPF runtime work here at all? --------------------------
cat >"$tmp/smoke.stp" <<EOF
global calls, sum
probe process("$target").function("work") { calls++; sum += \$n }
probe end { printf("calls=%d sum=%d\n", calls, sum) }
EOF
run_stap smoke "$tmp/smoke.stp"
if [ "$run_rc" -ne 0 ] && [ "$run_rc" -ne 124 ] || ! grep -q '^calls=' "$tmp/smoke.out"; then
	say "e2e: stap --runtime=bpf failed on a 3-line uprobe script:"
	sed 's/^/  | /' "$tmp/smoke.err" | tail -n 15
	skip "the BPF runtime does not run here: $(stap_reason "$tmp/smoke.err")"
fi
stapv=$(stap -V 2>&1 | sed -n '1s/.*(version \([^/,)]*\).*/\1/p')
say "e2e: kernel $kver, systemtap $stapv, BPF smoke test: $(cat "$tmp/smoke.out") in $run_time"

# ---- generate and build ------------------------------------------------------
# gen NAME SPEC: the spec with @TARGET@ replaced -> $tmp/gen/NAME.yaml ->
# stapgen -> $tmp/out/<tool>.stp; sets gen_tool.  build_parser NAME TOOL:
# compiled exactly as scripts/make-tools.sh does, $tmp/out/parsers/TOOL-parse.
mkdir -p "$tmp/gen" "$tmp/out/parsers"
cp templates/parser/stapgen_rt*.[ch] "$tmp/out/parsers/"
pcflags="-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes"
# shellcheck disable=SC2086 # pcflags is a list of options
CC=$CC ./scripts/rt-objs.sh "$tmp/rt" $pcflags || { say "FAIL: the parser runtime does not compile"; exit 1; }
gen() {
	sed "s|@TARGET@|$target|g" "$2" >"$tmp/gen/$1.yaml"
	gen_tool=$(sed -n 's/^tool:[[:space:]]*\([A-Za-z0-9_]*\).*/\1/p' "$2" | head -n 1)
	"$stapgen" --kver "$kver" --out "$tmp/out" "$tmp/gen/$1.yaml" >"$tmp/$1.gen" 2>&1 || {
		say "FAIL: $1: stapgen failed:"; sed 's/^/  | /' "$tmp/$1.gen"; return 1; }
}
build_parser() {
	# shellcheck disable=SC2086
	$CC $pcflags -I"$tmp/out/parsers" -o "$tmp/out/parsers/$2-parse" "$tmp/out/parsers/${2}_parser.c" \
		"$tmp"/rt/*.o >"$tmp/$1.cc" 2>&1 || {
		say "FAIL: $1: the generated parser does not compile:"; sed 's/^/  | /' "$tmp/$1.cc"; return 1; }
}

# parse NAME TOOL: strip stap 4.8's debugging text from NAME.out, then
# TOOL-parse -f json -> NAME.json, NAME.perr; sets parse_rc and noise.
parse() {
	noise=$(grep -o "$stap_noise" "$tmp/$1.out" | wc -l | tr -d ' ')
	sed "s/$stap_noise//g" "$tmp/$1.out" >"$tmp/$1.clean"
	parse_rc=0
	"$tmp/out/parsers/$2-parse" -f json "$tmp/$1.clean" >"$tmp/$1.json" 2>"$tmp/$1.perr" || parse_rc=$?
}

npass=0 nfail=0 nxfail=0

# e2e NAME: the whole chain for tests/e2e/specs/NAME.yaml against
# tests/e2e/expected/NAME.json.  XFAIL_OK=1: a refusal by the BPF runtime is
# an expected failure (the generator has no BPF mode yet).
e2e() {
	name=$1
	gen "$name" "$here/specs/$name.yaml" || { nfail=$((nfail + 1)); return; }
	tool=$gen_tool
	build_parser "$name" "$tool" || { nfail=$((nfail + 1)); return; }
	t_run0=$(date +%s)
	run_stap "$name" "$tmp/out/$tool.stp"
	t_run1=$(date +%s)
	if [ "$run_rc" -ne 0 ] && [ "$run_rc" -ne 124 ]; then
		reason=$(stap_reason "$tmp/$name.err")
		if [ "${XFAIL_OK:-0}" = 1 ] && [ "$strict" != 1 ] &&
			grep -q -E '^(parse|semantic) error:|bpf program load failed' "$tmp/$name.err"; then
			say "XFAIL: $name: the BPF runtime refuses the generated script ($run_time):"
			say "  $reason"
			nxfail=$((nxfail + 1))
		else
			say "FAIL: $name: stap --runtime=bpf exited with $run_rc ($run_time):"
			sed 's/^/  | /' "$tmp/$name.err" | grep -v 'R[0-9]*=' | tail -n 15
			nfail=$((nfail + 1))
		fi
		return
	fi
	[ "$run_rc" -eq 124 ] &&
		say "  note: $name: stapbpf missed the target's exit; stopped by SIGINT after ${tmo}s"
	parse "$name" "$tool"
	# Reports carry the epoch of the run: check it, then compare without it.
	bad_ts=$(grep -o '"ts":[0-9-]*' "$tmp/$name.json" | cut -d: -f2 |
		awk -v a="$t_run0" -v b="$t_run1" '$1 < a - 2 || $1 > b + 2' | head -n 1)
	sed 's/"ts":[0-9-]*/"ts":TS/g' "$tmp/$name.json" >"$tmp/$name.got"
	ok=1
	if ! diff -u "$here/expected/$name.json" "$tmp/$name.got" >"$tmp/$name.diff"; then
		ok=0
		say "FAIL: $name: the generated parser's records differ from expected/$name.json:"
		sed 's/^/  | /' "$tmp/$name.diff" | head -n 40
	fi
	if [ "$parse_rc" -ne 0 ] || [ -s "$tmp/$name.perr" ]; then
		ok=0
		say "FAIL: $name: the generated parser dropped lines (exit $parse_rc):"
		sed 's/^/  | /' "$tmp/$name.perr" | head -n 20
	fi
	if [ -n "$bad_ts" ]; then
		ok=0
		say "FAIL: $name: report epoch $bad_ts is not the time of the run ($t_run0..$t_run1)"
	fi
	if [ $ok -eq 1 ]; then
		say "PASS: $name: $(wc -l <"$tmp/$name.got" | tr -d ' ') records as expected ($run_time)"
		npass=$((npass + 1))
	else
		say "  stap ran $run_time; its stdout: $tmp/$name.out (E2E_KEEP=1 keeps it)"
		nfail=$((nfail + 1))
	fi
	[ "$noise" -gt 0 ] &&
		say "  note: $name: removed $noise x '$stap_noise' (systemtap 4.8 BPF user_string())"
	return 0
}

# The spec as a user would write it: one record per call with the name,
# count/sum/min/max and a log2 histogram at the end.
XFAIL_OK=1 e2e uprobe_calls
# The same facts in constructs the BPF runtime accepts from today's generator.
XFAIL_OK=0 e2e uprobe_calls_bpf

# ---- construct matrix ----------------------------------------------------------
nm=0 nm_changed=0
if [ "${E2E_MATRIX:-1}" != 0 ]; then
	say "BPF construct matrix (tests/e2e/specs/bpf/; stap --runtime=bpf, first message):"
	for spec in "$here"/specs/bpf/*.yaml; do
		[ -e "$spec" ] || continue
		name=bpf_$(basename "$spec" .yaml)
		nm=$((nm + 1))
		expect=$(sed -n 's/^# bpf-expect: //p' "$spec" | head -n 1)
		gen "$name" "$spec" || { nfail=$((nfail + 1)); continue; }
		tool=$gen_tool
		# Translate first (cheap); run only what translates, so that load-time
		# refusals (the verifier) show too.
		got='' detail=''
		if ! stap --runtime=bpf -p4 "$tmp/out/$tool.stp" >/dev/null 2>"$tmp/$name.err"; then
			got="reject $(stap_reason "$tmp/$name.err")"
		else
			run_stap "$name" "$tmp/out/$tool.stp"
			if [ "$run_rc" -ne 0 ] && [ "$run_rc" -ne 124 ]; then
				got="reject $(stap_reason "$tmp/$name.err")"
			elif ! build_parser "$name" "$tool"; then
				got="parser does not compile"
			else
				parse "$name" "$tool"
				nrec=$(wc -l <"$tmp/$name.json" | tr -d ' ')
				if [ "$parse_rc" -ne 0 ]; then
					got="garbled $(head -n 1 "$tmp/$name.perr")"
				else
					got="ok $nrec"
				fi
				[ "$noise" -gt 0 ] && detail=" (+$noise x stap debug text removed)"
			fi
		fi
		case $expect in
		"reject "*) want=${expect#reject } ;;
		*) want= ;;
		esac
		if [ "$got" = "$expect" ] ||
			{ [ -n "$want" ] && case $got in "reject "*"$want"*) true ;; *) false ;; esac; }; then
			printf '  %-22s %s%s\n' "${name#bpf_}" "$got" "$detail"
		else
			printf '  %-22s %s%s   <- CHANGED, expected: %s\n' "${name#bpf_}" "$got" "$detail" "$expect"
			nm_changed=$((nm_changed + 1))
			# A construct that ran before and no longer does is a regression.
			case $expect in ok*) nfail=$((nfail + 1)) ;; esac
		fi
	done
fi

summary="$npass passed, $nfail failed, $nxfail expected failures"
[ "$nm" -gt 0 ] && summary="$summary; matrix: $nm constructs, $nm_changed changed"
say "e2e: $summary ($(since "$t_start"))"
[ "$nfail" -eq 0 ]
