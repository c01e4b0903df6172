#!/bin/sh
# make tools: run the generator over every spec for one kernel release, then
# compile each generated parser (with -Werror: generated C must be clean).
# usage: make-tools.sh STAPGEN KVER OUTROOT SPEC...
set -u
stapgen=$1 kver=$2 outroot=$3
shift 3
out=$outroot/$kver
rc=0
"$stapgen" --kver "$kver" --out "$out" "$@" || rc=$?
[ "$rc" -ge 2 ] && exit "$rc"
mkdir -p "$out/parsers"
# The runtime (templates/parser/stapgen_rt*.[ch]) travels with the parsers so
# out/<KVER>/parsers/ builds anywhere: cc TOOL_parser.c stapgen_rt*.c.
rm -f "$out"/parsers/stapgen_rt*.[ch]
for p in templates/parser/stapgen_rt*.[ch]; do
	f=$(basename "$p")
	tmp=$(mktemp "$out/parsers/.$f.XXXXXX")
	cp "$p" "$tmp" && mv -f "$tmp" "$out/parsers/$f"
done
CC=${CC:-cc}
export CC
cflags="-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes"
# the runtime is compiled once, then linked into every parser
rt=$(mktemp -d "$out/parsers/.rt.XXXXXX") || exit 1
trap 'rm -rf "$rt"' EXIT
trap 'exit 130' INT TERM
# shellcheck disable=SC2086 # cflags is a list of words
"$(dirname "$0")/rt-objs.sh" "$rt" $cflags || {
	echo "make-tools: error: the parser runtime does not compile" >&2; exit 1; }
n=0
for src in "$out"/parsers/*_parser.c; do
	[ -e "$src" ] || continue
	tool=$(basename "$src" _parser.c)
	bin=$out/parsers/$tool-parse
	tmp=$(mktemp "$out/parsers/.$tool-parse.XXXXXX")
	# shellcheck disable=SC2086
	if $CC $cflags -I"$out/parsers" -o "$tmp" "$src" "$rt"/*.o; then
		mv -f "$tmp" "$bin"
		n=$((n + 1))
	else
		rm -f "$tmp"
		echo "make-tools: error: generated parser $src does not compile" >&2
		rc=1
	fi
done
# Doc pages gain the output of the latest live run on this kernel (make live).
for ex in "$outroot/live/$kver/examples/"*.md; do
	[ -f "$ex" ] || continue
	page=$out/doc/$(basename "$ex")
	[ -f "$page" ] || continue
	tmp=$(mktemp "$out/doc/.page.XXXXXX")
	{ cat "$page"; echo; cat "$ex"; } >"$tmp" && mv -f "$tmp" "$page"
done
nstp=$(ls "$out"/*.stp 2>/dev/null | wc -l)
nuns=$(ls "$out"/*.unsupported 2>/dev/null | wc -l)
echo "make tools: $out: $nstp scripts, $nuns unsupported, $n parsers compiled$( [ $rc -ne 0 ] && echo ', with ERRORS')"
exit "$rc"
