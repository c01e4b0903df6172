#!/bin/sh
# repackage-kernel.sh — the test fixtures of the dir:/rpm:/deb: kernel
# sources (scripts/kernel-source.sh): one fetched Debian kernel's packages,
# repackaged as other distributions ship a kernel.
#
# usage: repackage-kernel.sh KVER OUT [--headers-only]
#   KVER  a tree fetched by scripts/fetch-kernel.sh (its .debs and root/)
#   OUT   written (atomically, each part with a stamp keyed by its inputs):
#     OUT/rhel-root/   RHEL's layout: usr/src/kernels/KVER (one merged build
#                      tree: -common, the arch headers, kbuild's scripts and
#                      tools), lib/modules/KVER/{build,source} ->
#                      /usr/src/kernels/KVER (absolute, as installed), the
#                      DWARF vmlinux and modules (*.ko.debug) in
#                      usr/lib/debug/lib/modules/KVER (hard links of root/)
#     OUT/rpm/         kernel-devel, kernel-debuginfo,
#                      kernel-debuginfo-common-x86_64 RPMs of rhel-root
#                      (rpmbuild, payload uncompressed: fast to build and read)
#     OUT/deb/         the Debian header .debs (hard links) and the -dbg
#                      package as an Ubuntu-style
#                      linux-image-KVER-dbgsym_VERSION_amd64.ddeb (its
#                      control member rewritten, its data member as it is)
#   --headers-only  no debuginfo anywhere (no kernel-debuginfo RPMs, no .ddeb,
#                   no usr/lib/debug): what CI validates when time is short
# Prints OUT.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 KVER OUT [--headers-only]" >&2; exit 2; }
kver=$1 out=$2 ho=${3:-}
die() { echo "repackage-kernel: error: $*" >&2; exit 1; }
say() { echo "repackage-kernel: $*" >&2; }
cache=${STAPGEN_CACHE:-$HOME/.cache/stapgen}
kd=$cache/kernels/$kver
st=$kd/.stapgen-ready
[ -f "$st" ] || die "$kver is not fetched (make kernels)"
ver=$(sed -n 's/^version=//p' "$st")
# (fetch-kernel.sh's packages= may go on over more lines, without '=')
pkgs=$(awk '/^packages=/ { sub(/^packages=/, ""); on = 1; print; next } /=/ { on = 0 } on' "$st")
vesc=$(echo "$ver" | sed 's/:/%3a/')
deb_of() { for f in "$cache/kernels/.debs/${1}_${vesc}_"*.deb; do [ -e "$f" ] && { echo "$f"; return 0; }; done; return 1; }
dbg='' hdrs=''
for p in $pkgs; do
	f=$(deb_of "$p") || die "no .deb of $p in $cache/kernels/.debs"
	case $p in *-dbg) dbg=$f ;; *) hdrs="$hdrs $f" ;; esac
done
[ -n "$dbg" ] || die "no -dbg package among: $pkgs"
upv=${ver%-*} rpmrel=${ver##*-}
mkdir -p "$out"
# the key of every part: the packages, this script, the variant
key=$({ stat -L -c '%n %s %Y' $hdrs "$dbg"; sha256sum <"$0"; echo "$ho"; } | sha256sum | cut -c1-16)
ok() { grep -qsx "key=$key" "$out/$1/.stapgen-ready"; }
# build into $out/.$1.tmp, stamp, rename
begin() { rm -rf "$out/.$1.tmp" "$out/.$1.old"; mkdir -p "$out/.$1.tmp"; }
commit() {
	echo "key=$key" >"$out/.$1.tmp/.stapgen-ready"
	[ -e "$out/$1" ] && mv "$out/$1" "$out/.$1.old"
	mv "$out/.$1.tmp" "$out/$1"
	rm -rf "$out/.$1.old"
}

# ---- RHEL's layout ----------------------------------------------------------
if ! ok rhel-root; then
	say "rhel-root: usr/src/kernels/$kver from $(echo $hdrs | wc -w) header packages"
	begin rhel-root
	r=$out/.rhel-root.tmp
	x=$r/.x
	for f in $hdrs; do dpkg-deb -x "$f" "$x"; done
	common=$(cd "$x/usr/src" && ls -d linux-headers-*-common* | head -n1)
	[ -n "$common" ] || die "no -common headers"
	K=$r/usr/src/kernels/$kver
	mkdir -p "$K"
	cp -a "$x/usr/src/$common/." "$K/"
	rm -f "$K/scripts" "$K/tools"
	for k in scripts tools; do cp -a "$x/usr/lib/linux-kbuild-"*"/$k" "$K/$k"; done
	# the arch part over it, but its Makefile (the include of -common's)
	a=$x/usr/src/linux-headers-$kver
	rm -f "$a/Makefile" "$a/scripts" "$a/tools"
	cp -a "$a/." "$K/"
	# RHEL's kernel.release is `uname -r`
	echo "$kver" >"$K/include/config/kernel.release"
	ln "$kd/root/usr/lib/debug/boot/System.map-$kver" "$K/System.map"
	rm -rf "$x"
	mkdir -p "$r/lib/modules/$kver"
	ln -s "/usr/src/kernels/$kver" "$r/lib/modules/$kver/build"
	ln -s "/usr/src/kernels/$kver" "$r/lib/modules/$kver/source"
	if [ "$ho" != --headers-only ]; then
		d=$r/usr/lib/debug/lib/modules/$kver
		mkdir -p "$d"
		cp -al "$kd/root/usr/lib/debug/lib/modules/$kver/kernel" "$kd/root/usr/lib/debug/lib/modules/$kver/vdso" "$d/"
		ln "$kd/root/usr/lib/debug/boot/vmlinux-$kver" "$d/vmlinux"
		find "$d/kernel" -name '*.ko' -exec sh -c 'for f; do mv "$f" "$f.debug"; done' sh {} +
		mkdir -p "$r/usr/src/debug/kernel-$upv"
		cp "$K/.config" "$r/usr/src/debug/kernel-$upv/config"
	fi
	commit rhel-root
fi

# ---- RPMs --------------------------------------------------------------------
if ! ok rpm; then
	command -v rpmbuild >/dev/null || die "rpmbuild is not installed (apt-get install rpm)"
	begin rpm
	t=$out/.rpm.tmp/.top
	mkdir -p "$t/SPECS"
	R=$out/rhel-root
	sub() {	# NAME SUMMARY PATH...: one subpackage's spec
		n=$1 s=$2; shift 2
		printf '%%package -n %s\nSummary: %s\n%%description -n %s\n%s\n%%files -n %s\n' "$n" "$s" "$n" "$s" "$n"
		for p; do echo "$p"; done
	}
	{
		cat <<EOF
# not rebuilt from sources: Debian's binaries in RHEL's file layout
%define __os_install_post %{nil}
%define debug_package %{nil}
%define _build_id_links none
%define _binary_payload w0.ufdio
%define _binary_filedigest_algorithm 8
Name: kernel
Version: $upv
Release: $rpmrel
Summary: Debian $ver's kernel files in RHEL's layout (stapgen test fixture)
License: GPL-2.0-only
AutoReqProv: no
%description
stapgen's test fixture.
%install
mkdir -p %{buildroot}
cp -al $R/usr $R/lib %{buildroot}/
rm -f %{buildroot}/.stapgen-ready
EOF
		sub kernel-devel "kernel build tree" "/usr/src/kernels/$kver" "/lib/modules/$kver/build" "/lib/modules/$kver/source"
		if [ "$ho" != --headers-only ]; then
			sub kernel-debuginfo "kernel debuginfo" "/usr/lib/debug/lib/modules/$kver"
			sub kernel-debuginfo-common-x86_64 "kernel debuginfo sources" "/usr/src/debug/kernel-$upv"
		fi
	} >"$t/SPECS/kernel.spec"
	say "rpm: rpmbuild ($( [ "$ho" = --headers-only ] && echo kernel-devel || echo kernel-devel, kernel-debuginfo, -common))"
	rpmbuild -bb --quiet --define "_topdir $t" --define "_rpmdir $t/RPMS" \
		--define "_build_name_fmt %%{NAME}-%%{VERSION}-%%{RELEASE}.%%{ARCH}.rpm" \
		"$t/SPECS/kernel.spec" >"$out/.rpm.tmp/rpmbuild.log" 2>&1 ||
		die "rpmbuild failed: $(tail -n 5 "$out/.rpm.tmp/rpmbuild.log")"
	mv "$t/RPMS/"*.rpm "$out/.rpm.tmp/"
	rm -rf "$t"
	commit rpm
fi

# ---- .debs and the .ddeb -------------------------------------------------------
if ! ok deb; then
	begin deb
	d=$out/.deb.tmp
	for f in $hdrs; do ln "$f" "$d/" 2>/dev/null || cp "$f" "$d/"; done
	if [ "$ho" != --headers-only ]; then
		x=$d/.x
		mkdir -p "$x/c"
		(cd "$x" && ar x "$dbg")
		tar -xf "$x/control.tar.xz" -C "$x/c"
		pn=linux-image-$kver-dbgsym
		sed -i -e "s/^Package: .*/Package: $pn/" \
			-e "s/^Description: .*/Description: debug symbols for linux-image-$kver (Ubuntu-style ddeb, stapgen test fixture)/" "$x/c/control"
		(cd "$x/c" && tar -cJf ../control.tar.xz --owner=0 --group=0 .)
		(cd "$x" && ar rc "$d/${pn}_${vesc}_amd64.ddeb" debian-binary control.tar.xz data.tar.xz)
		rm -rf "$x"
	fi
	commit deb
fi
echo "$out"
