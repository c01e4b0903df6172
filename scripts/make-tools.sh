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
# (each renamed over the old one: a make tools running beside this one keeps
# compiling; only files no longer in templates/ go)
for f in "$out"/parsers/stapgen_rt*.[ch]; do
	[ -e "$f" ] && [ ! -e "templates/parser/$(basename "$f")" ] && rm -f "$f"
done
for p in templates/parser/stapgen_rt*.[ch]; do
	f=$(basename "$p")
	tmp=$(mktemp "$out/parsers/.$f.XXXXXX")
	cp "$p" "$tmp" && mv -f "$tmp" "$out/parsers/$f"
done
CC=${CC:-cc}
export CC
cflags="-std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes"
# Parsers link statically, so out/<KVER>/ copied to any x86_64 Linux host runs
# (dynamic ones need the build host's glibc: 2.34 on Debian 12, where RHEL 7
# has 2.17).  Static glibc, not musl: as fast as the dynamic build, musl's
# stdio and malloc made them 2-5x slower (docs/performance.md); no NSS,
# iconv or dlopen in the runtime, which static glibc cannot do.
# PARSER_LDFLAGS= links them dynamically.
ldflags=${PARSER_LDFLAGS--static}
# the runtime is compiled once, then linked into every parser
rt=$(mktemp -d "$out/parsers/.rt.XXXXXX") || exit 1
trap 'rm -rf "$rt"' EXIT
trap 'exit 130' INT TERM
# shellcheck disable=SC2086 # cflags is a list of words
"$(dirname "$0")/rt-objs.sh" "$rt" $cflags || {
	echo "make-tools: error: the parser runtime does not compile" >&2; exit 1; }
# shellcheck disable=SC2086 # ldflags is a list of words
if [ -n "$ldflags" ] && ! printf 'int main(void) { return 0; }\n' |
	$CC -x c -o "$rt/probe" $ldflags - 2>"$rt/probe.err"; then
	echo "make-tools: error: $CC $ldflags cannot link: no static C library (Debian/Ubuntu: libc6-dev; RHEL: glibc-static); PARSER_LDFLAGS= links the parsers dynamically (they then need this host's glibc or newer):" >&2
	sed 's/^/  /' "$rt/probe.err" >&2
	exit 1
fi
command -v flock >/dev/null || { echo "make-tools: error: flock is not installed (util-linux)" >&2; exit 1; }
# A tool's parser is compiled from a copy of its source and renamed in under
# the tool's lock (stapgen's, OUT/.TOOL.lock) only if that source is still
# the current one: another run may have written another version meanwhile
# (it then installs its own); so the parser is always of its set.
n=0
for src in "$out"/parsers/*_parser.c; do
	[ -e "$src" ] || continue
	tool=$(basename "$src" _parser.c)
	bin=$out/parsers/$tool-parse
	lock=$out/.$tool.lock
	if [ ! -f "$lock" ] || [ -L "$lock" ]; then continue; fi	# not written by stapgen
	snap=$rt/${tool}_parser.c
	cp "$src" "$snap" || { rc=1; continue; }
	tmp=$(mktemp "$out/parsers/.$tool-parse.XXXXXX")
	# shellcheck disable=SC2086
	if $CC $cflags $ldflags -I"$out/parsers" -o "$tmp" "$snap" "$rt"/*.o; then
		# shellcheck disable=SC2016 # expanded by that sh, from its arguments
		if flock "$lock" sh -c 'if cmp -s "$1" "$2"; then mv -f "$3" "$4"; else rm -f "$3"; fi' \
			sh "$snap" "$src" "$tmp" "$bin"; then
			n=$((n + 1))
		else
			rm -f "$tmp"; rc=1
		fi
	else
		rm -f "$tmp"
		echo "make-tools: error: generated parser $src does not compile" >&2
		rc=1
	fi
	rm -f "$snap"
done
# Doc pages gain the output of the latest live run on this kernel (make live).
for ex in "$outroot/live/$kver/examples/"*.md; do
	[ -f "$ex" ] || continue
	tool=$(basename "$ex" .md)
	page=$out/doc/$tool.md
	if [ ! -f "$page" ] || [ ! -f "$out/.$tool.lock" ]; then continue; fi
	# under the tool's lock, and once: a run beside this one may have added them
	# shellcheck disable=SC2016
	flock "$out/.$tool.lock" sh -c 'tail -n "$(wc -l <"$2")" "$1" | cmp -s - "$2" && exit
		tmp=$(mktemp "$1.XXXXXX") && { cat "$1"; echo; cat "$2"; } >"$tmp" && mv -f "$tmp" "$1"' \
		sh "$page" "$ex"
done
# ... and their probe cost, from the benchmark's table (make bench-overhead
# writes docs/overhead.tsv; scripts/overhead-section.awk words it)
here=$(cd "$(dirname "$0")" && pwd)
tsv=${STAPGEN_OVERHEAD:-$here/../docs/overhead.tsv}
if [ -f "$tsv" ]; then
	# shellcheck disable=SC2013 # tool names are identifiers: one word each
	for tool in $(awk -F '\t' 'NR > 1 && !seen[$1]++ { print $1 }' "$tsv"); do
		page=$out/doc/$tool.md
		if [ ! -f "$page" ] || [ ! -f "$out/.$tool.lock" ]; then continue; fi
		sec=$(mktemp "$out/.$tool.overhead.XXXXXX") || { rc=1; continue; }
		awk -v tool="$tool" -f "$here/overhead-section.awk" "$tsv" >"$sec"
		# shellcheck disable=SC2016
		flock "$out/.$tool.lock" sh -c 'grep -q "^## Overhead$" "$1" && exit
			tmp=$(mktemp "$1.XXXXXX") && { cat "$1"; echo; cat "$2"; } >"$tmp" && mv -f "$tmp" "$1"' \
			sh "$page" "$sec"
		rm -f "$sec"
	done
fi
nstp=$(ls "$out"/*.stp 2>/dev/null | wc -l)
nuns=$(ls "$out"/*.unsupported 2>/dev/null | wc -l)
echo "make tools: $out: $nstp scripts, $nuns unsupported, $n parsers compiled$( [ $rc -ne 0 ] && echo ', with ERRORS')"
exit "$rc"
