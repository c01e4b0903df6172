#!/bin/sh
# selftest.sh STAPGEN: the golden runners' failure report (lib.sh), on a
# copy of tests/golden in a temporary tree with one golden corrupted: the
# .stp.map of a tool, then a line of diagnostics.test.  Each run must fail,
# name the file and the line with the expected and generated text, and end
# with the update command; that command, run as printed, makes it pass.
set -u
stapgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
bad() { echo "FAIL: golden selftest: $*"; fail=$((fail + 1)); }
# has FILE TEXT: FILE holds the line TEXT
has() { n=$((n + 1)); grep -qxF -- "$2" "$1" || { bad "no line '$2' in:"; sed 's/^/  | /' "$1"; }; }

mkdir -p "$tmp/tree/tests"
cp -R "$root/tests/golden" "$tmp/tree/tests/golden"
cp -R "$root/specs" "$tmp/tree/specs"	# find does not follow a link
ln -s "$root/templates" "$tmp/tree/templates"
cd "$tmp/tree" || exit 1

# ---- run.sh: line 3 of a source map's golden ----
map=tests/golden/tools/biolatency.stp.map
orig=$(sed -n 3p "$map")
sed '3s/.*/3:1-3:2	corrupted/' "$map" >"$tmp/map" && cp "$tmp/map" "$map"
rc=0
sh tests/golden/run.sh "$stapgen" >"$tmp/out" 2>&1 || rc=$?
n=$((n + 1))
[ "$rc" -eq 1 ] || bad "run.sh exit $rc on a corrupted golden, not 1"
has "$tmp/out" "FAIL: tools/biolatency.stp.map differs from the generated file:"
has "$tmp/out" "$map:3: expected: 3:1-3:2	corrupted"
has "$tmp/out" "$map:3: got:      $orig"
has "$tmp/out" "-3:1-3:2	corrupted"
has "$tmp/out" "+$orig"
has "$tmp/out" "to update: UPDATE=1 tests/golden/run.sh $stapgen"
sed -n '/^FAIL/,/^to update/p' "$tmp/out" >"$tmp/run.msg"
# the printed command, run as printed, updates the golden
cmd=$(sed -n 's/^to update: //p' "$tmp/out" | head -n 1)
n=$((n + 1))
if ! { sh -c "$cmd" >/dev/null 2>&1 && sh tests/golden/run.sh "$stapgen" >/dev/null 2>&1 &&
	cmp -s "$map" "$root/$map"; }; then bad "'$cmd' did not restore $map"; fi

# ---- diagnostics.sh: the first line of a case's expected stderr ----
d=tests/golden/diagnostics.test
line=$(awk '$0 == "---" { print NR + 2; exit }' "$d")
orig=$(sed -n "${line}p" "$d")
sed "${line}s/.*/t.yaml:1:1: error: corrupted/" "$d" >"$tmp/d" && cp "$tmp/d" "$d"
rc=0
sh tests/golden/diagnostics.sh "$stapgen" >"$tmp/out" 2>&1 || rc=$?
n=$((n + 1))
[ "$rc" -eq 1 ] || bad "diagnostics.sh exit $rc on a corrupted golden, not 1"
has "$tmp/out" "$d:$line: expected: t.yaml:1:1: error: corrupted"
has "$tmp/out" "$d:$line: got:      $orig"
has "$tmp/out" "to update: UPDATE=1 tests/golden/diagnostics.sh $stapgen"
sed -n '/^FAIL/,/^to update/p' "$tmp/out" >"$tmp/diag.msg"
cmd=$(sed -n 's/^to update: //p' "$tmp/out" | head -n 1)
n=$((n + 1))
if ! { sh -c "$cmd" >/dev/null 2>&1 && sh tests/golden/diagnostics.sh "$stapgen" >/dev/null 2>&1 &&
	cmp -s "$d" "$root/$d"; }; then bad "'$cmd' did not restore $d"; fi

if [ "$fail" -ne 0 ] || [ "${VERBOSE:-0}" = 1 ]; then
	echo "run.sh's message:"; cat "$tmp/run.msg"
	echo "diagnostics.sh's message:"; cat "$tmp/diag.msg"
fi
echo "golden selftest: $n checks, $fail failed"
[ "$fail" -eq 0 ]
