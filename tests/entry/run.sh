#!/bin/sh
# The generator's front ends reach the pipeline only through stapgen_compile():
# gen/main.c and the fuzzers must call it and none of the stages it runs, so
# what the tests and the fuzzers exercise is what stapgen runs.  (fuzz_expr
# also drives the expression parser and checker directly, below that.)
# usage: run.sh BUILD_DIR CC CFLAGS...
set -u
build=$1 cc=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
for h in fuzz_spec fuzz_expr; do
	$cc "$@" -c -o "$tmp/$h.o" tests/fuzz/$h.c || { echo "FAIL: $h.c does not compile"; exit 1; }
done
stages='spec_load spec_check records_of lower_spec emit_stp emit_parser emit_command emit_doc'
fail=0 n=0
for obj in "$build/gen/main.o" "$tmp/fuzz_spec.o" "$tmp/fuzz_expr.o"; do
	name=$(basename "$obj" .o)
	undef=$(nm -u "$obj" | awk '{ print $NF }')
	n=$((n + 1))
	echo "$undef" | grep -qx stapgen_compile || { echo "FAIL: $name does not call stapgen_compile"; fail=$((fail + 1)); }
	for s in $stages; do
		n=$((n + 1))
		if echo "$undef" | grep -qx "$s"; then
			echo "FAIL: $name calls $s itself instead of going through stapgen_compile"
			fail=$((fail + 1))
		fi
	done
done
echo "entry: $n checks, $fail failed"
[ "$fail" -eq 0 ]
