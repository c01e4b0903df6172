#!/bin/sh
# Parser tests: script-format input -> each generated parser -> expected
# table, JSON lines and CSV.  tests/parsers/<tool>/<case>.in gives the input;
# <case>.table, <case>.json, <case>.csv the outputs, <case>.stderr the
# diagnostics and <case>.rc the exit status.  UPDATE=1 rewrites them.
set -u
stapgen=$1
here=$(dirname "$0")
. "$here/../golden/lib.sh"	# golden_fail: the first differing line, the update command
# shellcheck disable=SC2034 # read by golden_fail
golden_update_cmd="UPDATE=1 $0 $1"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
"$stapgen" --kver parser-test --out "$tmp/out" $(find specs -name '*.yaml' | LC_ALL=C sort) 2>/dev/null ||
	{ echo "FAIL: generator"; exit 1; }
# shellcheck disable=SC2086 # PARSER_CFLAGS is a list of options
CC=$CC ./scripts/rt-objs.sh "$tmp/rt" -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	${PARSER_CFLAGS:-} || { echo "FAIL: the parser runtime does not compile"; exit 1; }
fail=0 n=0
for dir in "$here"/*/; do
	tool=$(basename "$dir")
	src=$tmp/out/parsers/${tool}_parser.c
	[ -e "$src" ] || { echo "FAIL: no parser generated for $tool"; fail=$((fail + 1)); continue; }
	$CC -std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes ${PARSER_CFLAGS:-} \
		-Itemplates/parser -o "$tmp/$tool-parse" "$src" "$tmp"/rt/*.o ||
		{ echo "FAIL: $tool parser does not compile"; fail=$((fail + 1)); continue; }
	for in in "$dir"*.in; do
		[ -e "$in" ] || continue
		case_=${in%.in}
		for fmt in table json csv; do
			n=$((n + 1))
			rc=0
			TZ=UTC "$tmp/$tool-parse" -f "$fmt" "$in" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
			# the parser names itself by its path: keep only its name
			sed "s|^$tmp/||" "$tmp/stderr" >"$tmp/stderr.n" && mv "$tmp/stderr.n" "$tmp/stderr"
			if [ "${UPDATE:-0}" = 1 ]; then
				cp "$tmp/stdout" "$case_.$fmt"
				[ "$fmt" = table ] && { cp "$tmp/stderr" "$case_.stderr"; echo "$rc" >"$case_.rc"; }
				continue
			fi
			if ! cmp -s "$case_.$fmt" "$tmp/stdout"; then
				golden_fail "$tool/$(basename "$case_") -f $fmt:" "$case_.$fmt" "$tmp/stdout" "$case_.$fmt" 0 40
				fail=$((fail + 1))
			fi
			if [ "$fmt" = table ]; then
				if ! cmp -s "$case_.stderr" "$tmp/stderr"; then
					golden_fail "$tool/$(basename "$case_") stderr:" "$case_.stderr" "$tmp/stderr" \
						"$case_.stderr" 0 0
					fail=$((fail + 1))
				fi
				[ "$rc" = "$(cat "$case_.rc")" ] || {
					echo "FAIL: $tool/$(basename "$case_"): exit $rc, expected $(cat "$case_.rc") ($case_.rc)"
					echo "to update: $golden_update_cmd"
					fail=$((fail + 1)); }
			fi
		done
	done
done
echo "parsers: $n checks, $fail failed"
[ "$fail" -eq 0 ]
