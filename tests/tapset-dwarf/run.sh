#!/bin/sh
# Checks TF_DWARF of gen/tables/tapset_funcs.def against real stap: each
# function of sample.txt is called from a `probe begin` and elaborated
# (stap -p2, which resolves @cast types: header ones by compiling a small
# module) against a kernel tree with headers but no DWARF.  TF_DWARF must
# predict a failure, its absence a pass.  A function that fails is tried
# again against FULL, the same kernel with its DWARF, from a kernel.function
# probe (a @cast without a module resolves only in a DWARF probe's context:
# from begin or a kprobe it fails with the DWARF too): failing there too
# ("fail-both", e.g. a member the kernel renamed) is not the DWARF's doing,
# and agrees with no TF_DWARF.  Slow (seconds per function) and needs the
# kernel cache: not part of make check.
#
#   tests/tapset-dwarf/run.sh [TREE [FULL]]
#
# TREE defaults to the headers-only 6.1.0-57 tree of ~/.cache/stapgen, FULL
# to its full tree (skipped if it has no vmlinux).
# Writes results.tsv (function, flag, stap result, agree, first error) next
# to this script; exits 1 if any function disagrees.  At most 2 stap runs at
# once (JOBS=N to change).
set -eu
LC_ALL=C; export LC_ALL
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
DEF=$ROOT/gen/tables/tapset_funcs.def

if [ "${1:-}" = --one ]; then	# one function: prints its results.tsv row
	tree=$2; full=$3; fn=$4
	name=${fn%/*}; nargs=${fn#*/}
	row=$(grep "^TF($name, [A-Z]*, $nargs," "$DEF" || true)
	[ -n "$row" ] || { printf '%s\t?\tnot in table\tno\t\n' "$fn"; exit 0; }
	ret=$(printf '%s\n' "$row" | cut -d, -f2 | tr -d ' ')
	args=
	for i in 1 2 3 4; do
		[ "$i" -le "$nargs" ] || break
		t=$(printf '%s\n' "$row" | cut -d, -f$((i + 3)) | tr -d ' ')
		case $t in STRING) a='""' ;; *) a=0 ;; esac
		args=${args:+$args, }$a
	done
	case $ret in
	VOID) body="$name($args)" ;;
	*) body="println($name($args))" ;;
	esac
	case $row in *TF_DWARF*) flag=dwarf ;; *) flag=- ;; esac
	home=$(mktemp -d "${TMPDIR:-/tmp}/tapset-dwarf.XXXXXX")
	if HOME=$home stap -p2 -r "$tree" -e "probe begin { $body }" >"$home/out" 2>"$home/err"; then
		res=pass; err=
	else
		res=fail
		err=$(grep -m1 -E 'error|ERROR' "$home/err" | cut -c1-160 | tr '\t' ' ')
		if [ -f "$full/vmlinux" ] &&
			! HOME=$home stap -p2 -r "$full" -e "probe kernel.function(\"vfs_read\") { $body }" \
				>/dev/null 2>"$home/err.full"; then
			res=fail-both
			err="$err / with DWARF: $(grep -m1 -E 'error|ERROR' "$home/err.full" | cut -c1-160 | tr '\t' ' ')"
		fi
	fi
	rm -rf "$home"
	if { [ "$flag" = dwarf ] && [ "$res" = fail ]; } || { [ "$flag" = - ] && [ "$res" != fail ]; }; then
		agree=yes
	else
		agree=no
	fi
	printf '%s\t%s\t%s\t%s\t%s\n' "$fn" "$flag" "$res" "$agree" "$err"
	exit 0
fi

TREE=${1:-$HOME/.cache/stapgen/kernels/6.1.0-57-cloud-amd64/headers-only/build}
[ -f "$TREE/Makefile" ] || { echo "tapset-dwarf: no kernel tree at $TREE" >&2; exit 77; }
[ ! -e "$TREE/vmlinux" ] || { echo "tapset-dwarf: $TREE has a vmlinux: not headers-only" >&2; exit 2; }
FULL=${2:-$(dirname "$(dirname "$TREE")")/build}
command -v stap >/dev/null || { echo "tapset-dwarf: no stap" >&2; exit 77; }

OUT=$HERE/results.tsv
TMP=$(mktemp "${TMPDIR:-/tmp}/tapset-dwarf.XXXXXX")
trap 'rm -f "$TMP"' EXIT
grep -v -e '^#' -e '^$' "$HERE/sample.txt" |
	xargs -P "${JOBS:-2}" -n 1 "$0" --one "$TREE" "$FULL" > "$TMP"
{
	printf '# tests/tapset-dwarf/run.sh on %s (%s)\n' "$(basename "$(dirname "$(dirname "$TREE")")")" "$(stap -V 2>&1 | head -n 1)"
	printf '# function\tTF_DWARF\tstap -p2 (fail-both: fails with the DWARF too)\tagree\tfirst error\n'
	sort "$TMP"
} > "$OUT"
n=$(grep -vc '^#' "$OUT")
ok=$(awk -F'\t' '!/^#/ && $4 == "yes"' "$OUT" | wc -l)
echo "tapset-dwarf: $ok/$n agree ($OUT)"
# the weaker figure: TF_DWARF predicts pass/fail on the headers-only tree
hp=$(awk -F'\t' '!/^#/ && (($2 == "dwarf") == ($3 != "pass"))' "$OUT" | wc -l)
echo "tapset-dwarf: $hp/$n predicted pass/fail on the headers-only tree"
awk -F'\t' '!/^#/ && $4 != "yes" { print "  disagrees: " $0 }' "$OUT"
[ "$ok" -eq "$n" ]
