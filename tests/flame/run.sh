#!/bin/sh
# Flame graph tests (make check): builds the sample_bt and sample_bt_off_cpu
# parsers and runs check_svg.py (structure, escaping, options, folded input,
# --diff; goldens tests/flame/*.svg, UPDATE=1 rewrites them).  The browser
# test is browser.sh (make check-browser).
set -u
stapgen=$1
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
"$stapgen" --kver flame-test --out "$tmp/out" specs/cpu/sample_bt.yaml specs/cpu/sample_bt_off_cpu.yaml \
	2>/dev/null || { echo "FAIL: generator"; exit 1; }
cflags="-std=c11 -O1 -g -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes ${PARSER_CFLAGS:-}"
# shellcheck disable=SC2086 # cflags is a list of options
CC=$CC ./scripts/rt-objs.sh "$tmp/rt" $cflags || { echo "FAIL: the parser runtime does not compile"; exit 1; }
# shellcheck disable=SC2086
for t in sample_bt sample_bt_off_cpu; do
	$CC $cflags -Itemplates/parser -o "$tmp/$t" "$tmp/out/parsers/${t}_parser.c" "$tmp"/rt/*.o ||
		{ echo "FAIL: $t parser does not compile"; exit 1; }
done
GOLDEN_UPDATE_CMD="UPDATE=1 $0 $1" python3 "$here/check_svg.py" "$tmp/sample_bt" "$tmp/sample_bt_off_cpu" "$here"
