#!/bin/sh
# make dist: stapgen-VERSION.tar.gz, the tracked files of this checkout plus
# bison's and flex's output in gen/expr/generated/ (the autotools convention),
# so building from it needs only a C compiler, make and libyaml.  The Makefile
# uses those files unless gen/expr/parser.y or lexer.l is newer than them.
# Reproducible: sorted, owner 0, every file dated at the last commit.
# usage: dist.sh GENDIR OUTDIR  (GENDIR: BUILD/gen/expr, holding parser.[ch], lexer.[ch])
set -eu
gendir=$1 outdir=$2
git rev-parse --is-inside-work-tree >/dev/null 2>&1 ||
	{ echo "dist: error: not a git checkout (the tarball holds its tracked files)" >&2; exit 1; }
for f in parser.c parser.h lexer.c lexer.h; do
	[ -f "$gendir/$f" ] || { echo "dist: error: $gendir/$f missing (make it first)" >&2; exit 1; }
done
ver=$(sed -n 's/^#define STAPGEN_VERSION "\(.*\)"$/\1/p' gen/emit/emit.h)
[ -n "$ver" ] || { echo "dist: error: no STAPGEN_VERSION in gen/emit/emit.h" >&2; exit 1; }
name=stapgen-$ver
stage=$(mktemp -d) tmp=
trap 'rm -rf "$stage" ${tmp:+"$tmp"}' EXIT
trap 'exit 130' INT TERM
mkdir "$stage/$name"
# through files, not pipes: a tar that fails (a tracked file deleted) stops it
git ls-files -z >"$stage/files"
tar cf "$stage/src.tar" --null --no-recursion -T "$stage/files"
tar xf "$stage/src.tar" -C "$stage/$name"
mkdir "$stage/$name/gen/expr/generated"
cp "$gendir"/parser.c "$gendir"/parser.h "$gendir"/lexer.c "$gendir"/lexer.h "$stage/$name/gen/expr/generated/"
echo "$(git rev-parse HEAD)$(git diff --quiet HEAD -- || echo ' (with uncommitted changes)')" >"$stage/$name/DIST-COMMIT"
mkdir -p "$outdir"
tar cf "$stage/$name.tar" -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner \
	--mtime="@$(git log -1 --format=%ct)" "$name"
tmp=$(mktemp "$outdir/.$name.tar.gz.XXXXXX")
gzip -n -9 -c "$stage/$name.tar" >"$tmp"
mv -f "$tmp" "$outdir/$name.tar.gz"
tmp=
echo "dist: $outdir/$name.tar.gz"
