#!/bin/sh
# make valgrind: memcheck of the generator over every spec given (and every
# golden error and language spec and hostile spec in tests/), one run per spec plus one
# run over all of them together.  Zero errors and zero leaks of any kind, or
# it fails.  Output goes to a temporary directory; the spec's own exit
# status (0, or 1 for the error specs) does not matter here, valgrind's does.
# usage: valgrind-specs.sh STAPGEN SPEC...
set -u
stapgen=$1
shift
command -v valgrind >/dev/null 2>&1 ||
	{ echo "valgrind-specs: error: valgrind is not installed (make deps)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
vg() {
	# --error-exitcode=99 so the generator's own status 1 (a bad spec) is
	# not taken for a valgrind finding.
	valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --track-origins=yes --error-exitcode=99 \
		--log-file="$tmp/vg.log" "$stapgen" --kver 6.1.0-56-cloud-amd64 --out "$tmp/out" "$@" \
		>/dev/null 2>"$tmp/stderr"
}
extra=$(find tests/golden/errors tests/golden/lang tests/hostile/specs tests/hostile/valid -name '*.yaml' 2>/dev/null | LC_ALL=C sort)
fail=0 n=0
for spec in "$@" $extra; do
	n=$((n + 1))
	rc=0
	vg "$spec" || rc=$?
	if [ "$rc" -ge 2 ] || [ -s "$tmp/vg.log" ]; then
		echo "FAIL: valgrind: $spec (exit $rc):"
		head -n 60 "$tmp/vg.log"
		fail=$((fail + 1))
	fi
done
# all specs in one process: state carried from one spec to the next
n=$((n + 1))
rc=0
vg "$@" || rc=$?
if [ "$rc" -ge 2 ] || [ -s "$tmp/vg.log" ]; then
	echo "FAIL: valgrind: all specs in one run (exit $rc):"
	head -n 60 "$tmp/vg.log"
	fail=$((fail + 1))
fi
echo "valgrind: $n runs, $fail with errors or leaks"
[ "$fail" -eq 0 ]
