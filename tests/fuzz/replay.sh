#!/bin/sh
# Replays every regression input (tests/fuzz/regress/<harness>/*) and the
# seed corpora through the harnesses built without libFuzzer (a plain main()
# that runs the fuzz target on each file).  With a sanitizer build (make
# check-asan) a bug that comes back is reported as such.
# usage: replay.sh BINDIR HARNESS...
set -u
bindir=$1
shift
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
"$here/seeds.sh" "$tmp/seeds" || exit 1
fail=0 n=0
for h in "$@"; do
	for f in "$here"/regress/"$h"/* "$tmp"/seeds/"$h"/*; do
		[ -f "$f" ] || continue
		n=$((n + 1))
		if ! "$bindir/$h" "$f" >"$tmp/log" 2>&1; then
			echo "FAIL: $h $f:"
			head -n 30 "$tmp/log"
			fail=$((fail + 1))
		fi
	done
done
echo "fuzz replay: $n inputs, $fail failed"
[ "$fail" -eq 0 ]
