#!/bin/sh
# tests/validate/sources.sh — scripts/kernel-source.sh on small fake trees
# (no stap, no real kernel): parsing of dir:/rpm:/deb: entries, layout
# detection (RHEL, Debian split, lib/modules/REL/build links, headers
# only, several releases), the assembled tree of a dir: and a deb: source,
# and tests/validate/source-agree.py on hand-written matrices.
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ks=$root/scripts/kernel-source.sh
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }

# ---- entries ----------------------------------------------------------------
for e in 'dir:/x' 'rpm:/r/*.rpm' 'deb:/d/*'; do
	[ "$("$ks" --parse "$e")" = "${e%%:*} ${e#*:}" ] || bad "parse $e: $("$ks" --parse "$e" 2>&1)"
done
ok "dir:, rpm:, deb: entries parse into kind and pattern"
for e in 'dir:' 'rpm:' 'tar:/x' '/x' 'linux-image-cloud-amd64-dbg'; do
	if "$ks" --parse "$e" >/dev/null 2>"$t/err"; then bad "parse '$e' accepted"
	else grep -q "^kernel-source: error: '$e': " "$t/err" || bad "parse '$e': $(cat "$t/err")"; fi
done
ok "empty and unknown kinds are rejected, the entry named"

# ---- fake trees -----------------------------------------------------------------
rel=6.1.0-99-fake
# RHEL: usr/src/kernels/REL, lib/modules/REL/build -> /usr/src/kernels/REL
mkrhel() {
	k=$1/usr/src/kernels/$rel
	mkdir -p "$k/include/generated" "$k/include/config" "$k/include/trace/events" "$1/lib/modules/$rel"
	echo 'all:' >"$k/Makefile"; : >"$k/.config"; echo "$rel" >"$k/include/config/kernel.release"
	printf '#define UTS_RELEASE "%s"\n' "$rel" >"$k/include/generated/utsrelease.h"
	ln -s "/usr/src/kernels/$rel" "$1/lib/modules/$rel/build"
}
# Debian: arch headers including -common's Makefile, scripts in kbuild
mkdebian() {
	a=$1/usr/src/linux-headers-$rel c=$1/usr/src/linux-headers-6.1.0-99-common
	mkdir -p "$a/include/config" "$c/include/trace/events" "$1/usr/lib/linux-kbuild-6.1/scripts"
	echo "include /usr/src/linux-headers-6.1.0-99-common/Makefile" >"$a/Makefile"
	echo 'all:' >"$c/Makefile"; : >"$a/.config"; echo 6.1.999 >"$a/include/config/kernel.release"
	ln -s ../../lib/linux-kbuild-6.1/scripts "$a/scripts"
}
mkrhel "$t/rhel"
d=$("$ks" --detect "$t/rhel") || bad "detect rhel: $d"
want="release=$rel
build=usr/src/kernels/$rel
common=
vmlinux=
modules=
sysmap=
trace=build"
[ "$d" = "$want" ] && ok "RHEL layout, headers only: the build tree through lib/modules/REL/build (an absolute link, ROOT's)" || bad "detect rhel: $d"
mkdir -p "$t/rhel/usr/lib/debug/lib/modules/$rel/kernel"
: >"$t/rhel/usr/lib/debug/lib/modules/$rel/vmlinux"
: >"$t/rhel/usr/src/kernels/$rel/System.map"
d=$("$ks" --detect "$t/rhel")
echo "$d" | grep -qx "vmlinux=usr/lib/debug/lib/modules/$rel/vmlinux" && echo "$d" | grep -qx "modules=usr/lib/debug/lib/modules/$rel" &&
	echo "$d" | grep -qx "sysmap=usr/src/kernels/$rel/System.map" &&
	ok "RHEL debuginfo: usr/lib/debug/lib/modules/REL/vmlinux" || bad "detect rhel debuginfo: $d"
# the same tree without the link: usr/src/kernels/REL itself
rm -r "$t/rhel/lib"
"$ks" --detect "$t/rhel" | grep -qx "build=usr/src/kernels/$rel" && ok "RHEL: usr/src/kernels/REL without lib/modules" || bad "rhel without link"

mkdebian "$t/deb"
d=$("$ks" --detect "$t/deb") || bad "detect debian: $d"
echo "$d" | grep -qx "build=usr/src/linux-headers-$rel" && echo "$d" | grep -qx "common=usr/src/linux-headers-6.1.0-99-common" &&
	echo "$d" | grep -qx "trace=common" && echo "$d" | grep -qx "vmlinux=" &&
	ok "Debian layout: the arch headers (not -common), -common from its Makefile, headers only" || bad "detect debian: $d"
mkdir -p "$t/deb/usr/lib/debug/boot"
: >"$t/deb/usr/lib/debug/boot/vmlinux-$rel"; : >"$t/deb/usr/lib/debug/boot/System.map-$rel"
d=$("$ks" --detect "$t/deb")
echo "$d" | grep -qx "vmlinux=usr/lib/debug/boot/vmlinux-$rel" && echo "$d" | grep -qx "sysmap=usr/lib/debug/boot/System.map-$rel" &&
	ok "Debian/Ubuntu debuginfo: usr/lib/debug/boot/vmlinux-REL" || bad "detect debian debuginfo: $d"

# refusals: nothing, two releases, a tree whose UTS_RELEASE is another
mkdir -p "$t/empty/usr/src"
"$ks" --detect "$t/empty" >/dev/null 2>"$t/err" && bad "empty root accepted" ||
	{ grep -q 'no kernel build tree' "$t/err" && ok "a root without a build tree: error"; } || bad "empty: $(cat "$t/err")"
cp -a "$t/rhel" "$t/two"
cp -a "$t/two/usr/src/kernels/$rel" "$t/two/usr/src/kernels/5.14.0-1.el9.x86_64"
sed -i 's/6.1.0-99-fake/5.14.0-1.el9.x86_64/' "$t/two/usr/src/kernels/5.14.0-1.el9.x86_64/include/generated/utsrelease.h"
"$ks" --detect "$t/two" >/dev/null 2>"$t/err" && bad "two releases accepted" ||
	{ grep -q "several releases:  *5.14.0-1.el9.x86_64 6.1.0-99-fake" "$t/err" && ok "two releases in one root: error naming both"; } || bad "two: $(cat "$t/err")"
mv "$t/two/usr/src/kernels/5.14.0-1.el9.x86_64" "$t/two/usr/src/kernels/5.14.0-2.el9.x86_64"
rm -r "$t/two/usr/src/kernels/$rel"
"$ks" --detect "$t/two" >/dev/null 2>"$t/err" && bad "UTS mismatch accepted" ||
	{ grep -q "UTS_RELEASE '5.14.0-1.el9.x86_64', but the tree is named '5.14.0-2.el9.x86_64'" "$t/err" && ok "UTS_RELEASE other than the tree's name: error"; } || bad "uts: $(cat "$t/err")"

# ---- assembly (no priming: stap is not run) ---------------------------------------
export STAPGEN_CACHE=$t/cache
mkrhel "$t/r2"
mkdir -p "$t/r2/usr/lib/debug/lib/modules/$rel"; : >"$t/r2/usr/lib/debug/lib/modules/$rel/vmlinux"; : >"$t/r2/usr/src/kernels/$rel/System.map"
id=$("$ks" --no-prime "dir:$t/r2" 2>"$t/err" | tail -n1)
kd=$t/cache/kernels/$id
[ "$id" = "$rel@dir" ] && [ "$(readlink "$kd/build/vmlinux")" = "../../../lib/debug/lib/modules/$rel/vmlinux" ] &&
	[ "$(readlink -f "$kd/build/vmlinux")" = "$t/r2/usr/lib/debug/lib/modules/$rel/vmlinux" ] &&
	[ -d "$kd/build/include/trace/events" ] && grep -qx "source=dir:$t/r2" "$kd/.stapgen-ready" &&
	[ "$(readlink "$t/cache/kernels/by-source/$(printf '%s' "dir:$t/r2" | sha256sum | cut -c1-16)")" = "../$id" ] &&
	ok "dir: a copy of the build tree, its vmlinux linked to ROOT's, found through by-source/" || bad "dir assembly: $id $(cat "$t/err")"
# unchanged: nothing done; changed input: assembled again
m1=$(stat -c %Y "$kd/.stapgen-ready")
sleep 1
"$ks" --no-prime "dir:$t/r2" >/dev/null 2>&1
[ "$(stat -c %Y "$kd/.stapgen-ready")" = "$m1" ] && ok "an unchanged source is not assembled again" || bad "re-assembled for nothing"
echo 'CONFIG_X=y' >>"$t/r2/usr/src/kernels/$rel/.config"
"$ks" --no-prime "dir:$t/r2" >/dev/null 2>&1
[ "$(stat -c %Y "$kd/.stapgen-ready")" != "$m1" ] && ok "a changed source is assembled again" || bad "change not seen"
# another entry of the same release and kind
cp -a "$t/r2" "$t/r3"
"$ks" --no-prime "dir:$t/r3" >/dev/null 2>"$t/err" && bad "second dir: source of one release accepted" ||
	{ grep -q "$rel@dir is already the tree of 'dir:$t/r2'" "$t/err" && ok "one source per kind and release: error"; } || bad "dup: $(cat "$t/err")"

# deb: packages of the Debian layout (dpkg-deb -b of the fake tree)
mkdebian "$t/dp"
mkdir -p "$t/dp/DEBIAN" "$t/debs"
printf 'Package: linux-headers-%s\nVersion: 6.1.999-1\nArchitecture: all\nMaintainer: t <t@t>\nDescription: t\n' "$rel" >"$t/dp/DEBIAN/control"
dpkg-deb -b -Zgzip "$t/dp" "$t/debs/h.deb" >/dev/null
id=$("$ks" --no-prime "deb:$t/debs/*.deb" 2>"$t/err" | tail -n1)
kd=$t/cache/kernels/$id
[ "$id" = "$rel@deb" ] && grep -qx "include ../linux-headers-6.1.0-99-common/Makefile" "$kd/build/Makefile" &&
	[ "$(readlink "$kd/build/source")" = ../linux-headers-6.1.0-99-common ] &&
	[ "$(cat "$kd/build/include/config/kernel.release")" = "$rel" ] && [ ! -e "$kd/build/vmlinux" ] &&
	grep -qx 'debuginfo=none' "$kd/.stapgen-ready" && grep -qx "packages=linux-headers-$rel=6.1.999-1" "$kd/.stapgen-ready" &&
	[ -z "$(find "$kd/root" -type l -lname '/*')" ] &&
	ok "deb: unpacked, -common included relatively, source/ linked, kernel.release is the tree's name, headers only" ||
	bad "deb assembly: $id $(cat "$t/err")"
"$ks" --no-prime "deb:$t/debs/*.rpm" >/dev/null 2>"$t/err" && bad "no match accepted" ||
	{ grep -q "no file matches" "$t/err" && ok "a glob matching nothing: error"; } || bad "nomatch: $(cat "$t/err")"

# ---- source-agree.py ---------------------------------------------------------------
m() {	# VDIR: a matrix.json with a Debian column, its headers-only one and sources
	mkdir -p "$1"
	cat >"$1/matrix.json"
}
m "$t/a" <<EOF
{"kernels": [{"release": "R", "check": "p2"}, {"release": "R@headers-only", "check": "p2", "tree": "headers-only"},
  {"release": "R@rpm", "check": "p2", "source": "rpm:/x/*.rpm", "kernel": "R", "debuginfo": "usr/lib/debug/x"},
  {"release": "R@deb", "check": "p2", "tree": "headers-only", "source": "deb:/d/*", "kernel": "R", "debuginfo": "none"}],
 "tools": ["a", "b"],
 "cells": [{"column": "R", "tool": "a", "status": "pass"}, {"column": "R@headers-only", "tool": "a", "status": "gap"},
  {"column": "R@rpm", "tool": "a", "status": "pass"}, {"column": "R@deb", "tool": "a", "status": "gap"},
  {"column": "R", "tool": "b", "status": "unsupported"}, {"column": "R@headers-only", "tool": "b", "status": "unsupported"},
  {"column": "R@rpm", "tool": "b", "status": "not-run"}, {"column": "R@deb", "tool": "b", "status": "unsupported"}]}
EOF
python3 "$here/source-agree.py" "$t/a" >"$t/out" 2>&1 &&
	grep -q '^source-agree: R@rpm (rpm:/x/\*.rpm) vs R: 1 of 1 verdicts the same (1 pass), 1 not run$' "$t/out" &&
	grep -q '^source-agree: R@deb (deb:/d/\*) vs R@headers-only: 2 of 2 verdicts the same (1 gap, 1 unsupported)$' "$t/out" &&
	ok "source-agree: the same verdicts (a headers-only source against the headers-only column)" || bad "agree: $(cat "$t/out")"
sed -i 's/"column": "R@rpm", "tool": "a", "status": "pass"/"column": "R@rpm", "tool": "a", "status": "FAIL"/' "$t/a/matrix.json"
python3 "$here/source-agree.py" "$t/a" >"$t/out" 2>&1 && bad "a different verdict accepted" ||
	{ grep -q '^source-agree: DIFFERS: a on R@rpm (rpm:/x/\*.rpm): FAIL, but pass on R$' "$t/out" && ok "source-agree: a different verdict fails, named"; } || bad "differs: $(cat "$t/out")"
sed -i 's/"release": "R@headers-only"/"release": "R@x"/' "$t/a/matrix.json"
python3 "$here/source-agree.py" "$t/a" >"$t/out" 2>&1 && bad "missing reference accepted" ||
	{ grep -q 'R@deb (deb:/d/\*): no reference column R@headers-only' "$t/out" && ok "source-agree: no reference column fails"; } || bad "noref: $(cat "$t/out")"

# ---- the matrix names a source column's source ----------------------------------
v=$t/v R=6.1.0-98-test
mkdir -p "$v/cells/$R" "$v/cells/$R@rpm" "$t/kc/$R@rpm"
printf 'format=1\nkver=%s@rpm\nrelease=%s\nkind=rpm\nsource=rpm:/x/*.rpm\ndebuginfo=usr/lib/debug/lib/modules/%s/vmlinux\nversion=6.1.98-1\npackages=kernel-devel=6.1.98-1 kernel-debuginfo=6.1.98-1\n' "$R" "$R" "$R" >"$t/kc/$R@rpm/.stapgen-ready"
for c in "$R" "$R@rpm"; do
	printf 'kernel=%s\ntool=a\nmode=p2\nstap=4.8/0.188\nstatus=pass\nseconds=1\nexit=0\n' "$c" >"$v/cells/$c/a.rec"
	printf 'kernel=%s\ntool=b\nmode=p2\nstatus=unsupported\nreason=no\nseconds=0\n' "$c" >"$v/cells/$c/b.rec"
done
printf 'kernel=%s@rpm\ntool=c\nmode=p2\nstatus=not-run\nreason=a kernel.trace tool\nseconds=0\n' "$R" >"$v/cells/$R@rpm/c.rec"
printf 'kernel=%s\ntool=c\nmode=p2\nstatus=pass\nseconds=1\nexit=0\n' "$R" >"$v/cells/$R/c.rec"
KCACHE=$t/kc "$root/scripts/validate-matrix.sh" "$v" "p2:$R src:$R@rpm" "a b c" >"$t/vm.out" 2>&1 &&
	grep -q "^| 2 | \`$R\` | stap -p2, tree from \`rpm:/x/\*.rpm\` (debuginfo \`usr/lib/debug/lib/modules/$R/vmlinux\`) | .* | 6.1.98-1 |" "$v/matrix.md" &&
	grep -q "| 2: $R p2 from rpm (stap 4.8) |" "$v/matrix.md" && grep -q "^| c | pass 1s | not run |" "$v/matrix.md" &&
	python3 "$here/matrix-agree.py" "$v" && python3 "$here/source-agree.py" "$v" >/dev/null &&
	ok "matrix: a source column names its source and package version; md and json agree; verdicts agree" ||
	bad "source column: $(cat "$t/vm.out" "$v/matrix.md")"
[ $fails = 0 ] || exit 1
echo "kernel sources: all passed"
