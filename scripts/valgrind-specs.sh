#!/bin/sh
# make valgrind: memcheck of the generator over every spec given (and every
# golden error and language spec and hostile spec in tests/), one run per spec plus one
# run over all of them together.  Zero errors and zero leaks of any kind, or
# it fails.  Output goes to a temporary directory; the spec's own exit
# status (0, or 1 for the error specs) does not matter here, valgrind's does.
# The runs are independent: one per core at a time.
# usage: valgrind-specs.sh STAPGEN SPEC...
#        valgrind-specs.sh --one STAPGEN SPEC...   (one run; what xargs calls)
set -u
if [ "${1:-}" = --one ]; then
	stapgen=$2
	shift 2
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT INT TERM
	# --error-exitcode=99 so the generator's own status 1 (a bad spec) is
	# not taken for a valgrind finding.
	rc=0
	valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=all \
		--errors-for-leak-kinds=all --track-origins=yes --error-exitcode=99 \
		--log-file="$tmp/vg.log" "$stapgen" --kver 6.1.0-56-cloud-amd64 --out "$tmp/out" "$@" \
		>/dev/null 2>"$tmp/stderr" || rc=$?
	if [ "$rc" -ge 2 ] || [ -s "$tmp/vg.log" ]; then
		what=$1
		[ $# -gt 1 ] && what="all specs in one run"
		# one write, so parallel runs' reports do not interleave
		{ echo "FAIL: valgrind: $what (exit $rc):"; head -n 60 "$tmp/vg.log"; } >"$tmp/report"
		cat "$tmp/report"
		exit 1
	fi
	exit 0
fi
stapgen=$1
shift
command -v valgrind >/dev/null 2>&1 ||
	{ echo "valgrind-specs: error: valgrind is not installed (make deps)" >&2; exit 2; }
extra=$(find tests/golden/errors tests/golden/lang tests/hostile/specs tests/hostile/valid -name '*.yaml' 2>/dev/null | LC_ALL=C sort)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# shellcheck disable=SC2086 # extra is a list of repository paths (no blanks)
printf '%s\n' "$@" $extra >"$tmp/list"
n=$(($(wc -l <"$tmp/list") + 1))
{
	xargs -P "$(nproc 2>/dev/null || echo 1)" -I{} "$0" --one "$stapgen" {} <"$tmp/list"
	# all specs in one process: state carried from one spec to the next
	"$0" --one "$stapgen" "$@"
} | tee "$tmp/out"
fail=$(grep -c '^FAIL: valgrind:' "$tmp/out")
echo "valgrind: $n runs, $fail with errors or leaks"
[ "$fail" -eq 0 ]
