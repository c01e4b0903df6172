#!/bin/sh
# Replays every regression input (tests/fuzz/regress/<harness>/*), the
# committed fuzzing corpus (tests/fuzz/corpus/<harness>/*, the minimized
# corpus of the long runs) and the seed corpora through the harnesses built without libFuzzer (a plain main()
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
	# the corpus in batches (one process per file would take minutes);
	# on a failure, file by file to name the input
	if [ -d "$here/corpus/$h" ]; then
		c=$(find "$here/corpus/$h" -type f | wc -l)
		n=$((n + c))
		if ! find "$here/corpus/$h" -type f -print0 | LC_ALL=C sort -z |
			xargs -0 -n 500 "$bindir/$h" >"$tmp/log" 2>&1; then
			for f in "$here/corpus/$h"/*; do
				"$bindir/$h" "$f" >"$tmp/log" 2>&1 && continue
				echo "FAIL: $h $f:"
				head -n 30 "$tmp/log"
				fail=$((fail + 1))
			done
		fi
	fi
done
echo "fuzz replay: $n inputs, $fail failed"
[ "$fail" -eq 0 ]
