#!/bin/sh
# make dist's tarball builds stapgen and generates every tool with no bison or
# flex: its gen/expr/generated/ stands in for them.  Runs make tools in the
# unpacked tarball with a PATH of symlinks to every program on PATH except
# bison, flex, yacc and lex; its out/ must equal the checkout's.
# usage: run.sh STAPGEN [KVER]; outside a git checkout (a tarball) exits 77.
set -u
stapgen=$1
kver=${2:-3.10.0-957.27.2.el7.x86_64}
git rev-parse --is-inside-work-tree >/dev/null 2>&1 || { echo "dist: SKIP: not a git checkout"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

make -s --no-print-directory dist DISTDIR="$tmp" >"$tmp/dist.log" 2>&1 || { cat "$tmp/dist.log"; echo "FAIL: make dist"; exit 1; }
set -- "$tmp"/stapgen-*.tar.gz
[ -f "$1" ] || { echo "FAIL: make dist made no tarball"; exit 1; }
mkdir "$tmp/src"
tar xzf "$1" -C "$tmp/src" || { echo "FAIL: the tarball does not unpack"; exit 1; }
src=$(echo "$tmp"/src/stapgen-*)
for f in parser.c parser.h lexer.c lexer.h; do
	[ -s "$src/gen/expr/generated/$f" ] || bad "the tarball lacks gen/expr/generated/$f"
done

# PATH without the parser generators
mkdir "$tmp/bin"
IFS=:
for d in $PATH; do
	[ -d "$d" ] || continue
	for p in "$d"/*; do
		n=${p##*/}
		case $n in bison* | yacc* | byacc* | flex* | lex | lex++) continue ;; esac
		[ -x "$p" ] && [ ! -e "$tmp/bin/$n" ] && ln -s "$p" "$tmp/bin/$n"
	done
done
unset IFS
for g in bison flex yacc lex; do
	PATH=$tmp/bin command -v "$g" >/dev/null && bad "$g is still on the test's PATH"
done

# from git: bison 3.6 builds it (RHEL 9 has 3.7.4; gen/expr/parser.y says why not 3.0)
req=$(sed -n 's/^%require "\(.*\)"$/\1/p' gen/expr/parser.y)
[ "$(printf '%s\n3.7.4\n' "$req" | sort -V | tail -n 1)" = 3.7.4 ] ||
	bad "gen/expr/parser.y requires bison $req, newer than RHEL 9's 3.7.4"
# make tools' packages: bison and flex from git only
make -n deps-tools | grep -q 'bison' || bad "make tools does not ask for bison in a checkout"
(cd "$src" && make -n deps-tools) | grep -E 'bison|flex' && bad "make tools asks for bison or flex in the tarball"
(cd "$src" && make -n deps) | grep -E 'bison|flex' && bad "make deps asks for bison or flex in the tarball"
# make tools, as a user would run it
(cd "$src" && PATH=$tmp/bin make -j2 tools KVER="$kver") >"$tmp/build.log" 2>&1 ||
	{ tail -n 20 "$tmp/build.log"; bad "make tools in the unpacked tarball failed without bison and flex"; }
grep -E '(^|[ /+])(bison|flex) ' "$tmp/build.log" && bad "the tarball's build ran bison or flex"
for f in parser.c lexer.c; do
	cmp -s "$src/gen/expr/generated/$f" "$src/build/gen/expr/$f" || bad "build/gen/expr/$f is not the tarball's"
done
# the same tools as the checkout generates
# shellcheck disable=SC2046 # spec paths have no spaces
./scripts/make-tools.sh "$stapgen" "$kver" "$tmp/ref" $(find specs -name '*.yaml' | LC_ALL=C sort) >/dev/null 2>&1 ||
	bad "make-tools.sh in the checkout"
nspec=$(find specs -name '*.yaml' | wc -l)
nstp=$(find "$src/out/$kver" -maxdepth 1 -name '*.stp' | wc -l)
nbin=$(find "$src/out/$kver/parsers" -name '*-parse' | wc -l)
if [ "$nstp" -ne "$nspec" ] || [ "$nbin" -ne "$nspec" ]; then
	bad "the tarball generated $nstp scripts and $nbin parsers for $nspec specs"
fi
diff -r -x '*-parse' -x '.*.lock' "$tmp/ref/$kver" "$src/out/$kver" >"$tmp/diff" ||
	{ head -n 20 "$tmp/diff"; bad "the tarball's tools differ from the checkout's"; }
echo "dist: $(basename "$1"): built and generated $nstp tools without bison or flex, $fail failed"
[ "$fail" -eq 0 ]
