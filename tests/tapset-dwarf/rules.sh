#!/bin/sh
# The TF_DWARF rules of scripts/gen-tapset-funcs.sh on a small fake tapset
# directory (fake/): each function there exercises one rule, expected.txt
# says whether it gets TF_DWARF.  Also: private functions stay out of the
# table.  Fast, no stap needed: part of make check.
#
#   tests/tapset-dwarf/rules.sh [GENERATOR]   (default scripts/gen-tapset-funcs.sh)
set -eu
LC_ALL=C; export LC_ALL
HERE=$(cd "$(dirname "$0")" && pwd)
GEN=${1:-$HERE/../../scripts/gen-tapset-funcs.sh}
TMP=$(mktemp "${TMPDIR:-/tmp}/tapset-rules.XXXXXX")
trap 'rm -f "$TMP"' EXIT

"$GEN" "$HERE/fake" > "$TMP" 2>/dev/null
fail=0
n=0
while IFS='	' read -r name want; do
	case $name in '#'*|'') continue ;; esac
	n=$((n + 1))
	row=$(grep "^TF($name," "$TMP" || true)
	case $row in
	'') got=absent ;;
	*TF_DWARF*) got=dwarf ;;
	*) got=- ;;
	esac
	if [ "$got" != "$want" ]; then
		echo "tapset-dwarf rules: $name: TF_DWARF $got, expected $want" >&2
		fail=1
	fi
done < "$HERE/expected.txt"
for priv in priv_dw priv30_dw; do
	if grep -q "^TF($priv," "$TMP"; then
		echo "tapset-dwarf rules: private $priv is in the table" >&2
		fail=1
	fi
done
[ "$(grep -c '^TF(' "$TMP")" -eq "$n" ] || {
	echo "tapset-dwarf rules: $(grep -c '^TF(' "$TMP") functions in the table, expected.txt has $n" >&2
	fail=1
}
[ "$fail" -eq 0 ] && echo "tapset-dwarf rules: $n functions as expected"
exit "$fail"
