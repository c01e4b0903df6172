#!/bin/sh
# Every generated parser's own per-kind code (stapgen_rt_kind.h: a reader
# per kind, a table, JSON and CSV writer per event kind) prints what the
# runtime's generic code prints: the same stdout, stderr and exit status in
# each format, on random input with valid and broken records of every kind
# (tests/parsers/kind_input.py, KIND_CODE_SEEDS seeds a tool), the parsers
# built once as generated and once with -DSG_NO_KIND_CODE (the runtime
# then ignores the generated code).
set -u
stapgen=$1
here=$(dirname "$0")
seeds=${KIND_CODE_SEEDS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
flags="-std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes ${PARSER_CFLAGS:-}"
# shellcheck disable=SC2046 # the spec paths have no blanks
"$stapgen" --kver parser-test --out "$tmp/out" $(find specs -name '*.yaml' | LC_ALL=C sort) 2>/dev/null ||
	{ echo "FAIL: generator"; exit 1; }
# shellcheck disable=SC2086 # $flags is a list of options
{ CC=$CC ./scripts/rt-objs.sh "$tmp/rt" $flags && CC=$CC ./scripts/rt-objs.sh "$tmp/rt-generic" $flags -DSG_NO_KIND_CODE; } ||
	{ echo "FAIL: the parser runtime does not compile"; exit 1; }
mkdir "$tmp/p" "$tmp/g"
fail=0 n=0
for src in "$tmp"/out/parsers/*_parser.c; do
	tool=$(basename "$src" _parser.c)
	# shellcheck disable=SC2086
	{ $CC $flags -Itemplates/parser -o "$tmp/p/$tool" "$src" "$tmp"/rt/*.o &&
		$CC $flags -Itemplates/parser -o "$tmp/g/$tool" "$src" "$tmp"/rt-generic/*.o; } ||
		{ echo "FAIL: $tool parser does not compile"; fail=$((fail + 1)); continue; }
	fmts="table json csv"
	grep -q 'SG_STACK' "$src" && fmts="$fmts folded svg"
	seed=1
	while [ "$seed" -le "$seeds" ]; do
		python3 "$here/kind_input.py" "$src" "$seed" >"$tmp/in" || { echo "FAIL: $tool: kind_input.py"; exit 1; }
		for fmt in $fmts; do
			n=$((n + 1))
			rcp=0 rcg=0
			TZ=UTC "$tmp/p/$tool" -f "$fmt" "$tmp/in" >"$tmp/p.out" 2>"$tmp/p.err" || rcp=$?
			TZ=UTC "$tmp/g/$tool" -f "$fmt" "$tmp/in" >"$tmp/g.out" 2>"$tmp/g.err" || rcg=$?
			if ! cmp -s "$tmp/p.out" "$tmp/g.out" || ! cmp -s "$tmp/p.err" "$tmp/g.err" || [ "$rcp" != "$rcg" ]; then
				echo "FAIL: $tool -f $fmt, kind_input.py seed $seed: the kinds' own code and the generic code differ (exit $rcp, $rcg)"
				diff "$tmp/g.out" "$tmp/p.out" | head -5
				diff "$tmp/g.err" "$tmp/p.err" | head -5
				cp "$tmp/in" "/tmp/kind_code-$tool-$seed.in" && echo "input kept: /tmp/kind_code-$tool-$seed.in"
				fail=$((fail + 1))
			fi
		done
		seed=$((seed + 1))
	done
done
echo "kind_code: $n checks, $fail failed"
[ "$fail" -eq 0 ]
