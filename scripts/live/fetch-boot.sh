#!/bin/sh
# fetch-boot.sh — the bootable image of a fetched kernel, for the live runs.
#
# usage: fetch-boot.sh KVER
#
# Downloads linux-image-<KVER>-unsigned (vmlinuz and plain modules: CONFIG_KPROBES=y,
# signatures not enforced), or linux-image-<KVER> where there is no -unsigned (7.x) at the same Debian version as the kernel's debuginfo
# tree (from its .stapgen-ready stamp), and unpacks it next to that tree:
#   $STAPGEN_CACHE/kernels/<KVER>/boot/vmlinuz
#   $STAPGEN_CACHE/kernels/<KVER>/boot/lib/modules/<KVER>/...   (.ko.xz decompressed)
#   $STAPGEN_CACHE/kernels/<KVER>/boot/.stapgen-ready           written last
# Same rules as fetch-kernel.sh: nothing installed, a lock per kernel, built in a
# temporary directory and renamed into place, so an interrupted run never leaves
# an image that counts as ready.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 KVER" >&2; exit 2; }
kver=$1
cache=${STAPGEN_CACHE:-$HOME/.cache/stapgen}
kdir=$cache/kernels
dest=$kdir/$kver/boot
t0=$(date +%s)
say() { echo "fetch-boot: [$(( $(date +%s) - t0 ))s] $kver: $*" >&2; }
die() { echo "fetch-boot: error: $kver: $*" >&2; exit 1; }

[ -e "$kdir/$kver/.stapgen-ready" ] || die "no debuginfo tree (run make kernels first)"
[ -e "$dest/.stapgen-ready" ] && exit 0
ver=$(sed -n 's/^version=//p' "$kdir/$kver/.stapgen-ready")
# a kernel from another suite: that suite's private apt (fetch-kernel.sh)
suite=$(sed -n 's/^suite=//p' "$kdir/$kver/.stapgen-ready")
if [ -n "$suite" ]; then
	[ -e "$cache/apt/$suite/apt.conf" ] || die "no apt configuration for suite $suite (run make kernels)"
	export APT_CONFIG="$cache/apt/$suite/apt.conf"
fi
exec 9>"$kdir/.lock-boot-$kver"
flock -n 9 || { say "waiting for another fetch"; flock 9; }
[ -e "$dest/.stapgen-ready" ] && exit 0

# linux-image-<KVER>-unsigned holds vmlinuz and the modules; sid's 7.x has
# no -unsigned package but splits the image into linux-binary-<KVER>
# (vmlinuz) and linux-modules-<KVER> (Debian does not enforce module
# signatures, and QEMU boots it without Secure Boot).
pkgs=linux-image-$kver-unsigned
if ! apt-cache show --no-all-versions "$pkgs=$ver" >/dev/null 2>&1 &&
	apt-cache show --no-all-versions "linux-binary-$kver=$ver" >/dev/null 2>&1; then
	pkgs="linux-binary-$kver linux-modules-$kver"
fi
vesc=$(echo "$ver" | sed 's/:/%3a/')
deb_of() {
	for f in "$kdir/.debs/${1}_${vesc}_"*.deb; do [ -e "$f" ] && { echo "$f"; return 0; }; done
	return 1
}
for pkg in $pkgs; do
	deb_of "$pkg" >/dev/null && continue
	size=$(apt-cache show --no-all-versions "$pkg=$ver" 2>/dev/null | sed -n 's/^Size: //p' | head -n1)
	[ -n "$size" ] || die "apt cannot find $pkg=$ver (run 'apt-get update')"
	say "downloading $pkg ($(( size / 1048576 )) MB)"
	tmpd=$(mktemp -d "$kdir/.dl.XXXXXX")
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	# shellcheck disable=SC2086
	(cd "$tmpd" && apt-get download $sandbox "$pkg=$ver" >&2) || { rm -rf "$tmpd"; die "download failed"; }
	mv "$tmpd"/*.deb "$kdir/.debs/"
	rmdir "$tmpd"
done

work=$(mktemp -d "$kdir/$kver/.boot.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
for pkg in $pkgs; do
	deb=$(deb_of "$pkg") || die "lost $pkg"
	say "unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$work/root"
done
pkg=$pkgs
# /boot/vmlinuz-<KVER>, or (7.x) /usr/lib/modules/<KVER>/vmlinuz
for v in "$work/root/boot/vmlinuz-$kver" "$work/root/usr/lib/modules/$kver/vmlinuz" ""; do
	[ -z "$v" ] && die "no vmlinuz-$kver in $pkg"
	[ -f "$v" ] && break
done
mv "$v" "$work/vmlinuz"
mkdir -p "$work/lib"
mv "$work/root/lib/modules" "$work/lib/" 2>/dev/null ||
	mv "$work/root/usr/lib/modules" "$work/lib/"
rm -rf "$work/root"
# busybox insmod takes plain .ko: 6.12's image ships .ko.xz
n=$(find "$work/lib/modules/$kver" -name '*.ko.xz' | wc -l)
if [ "$n" -gt 0 ]; then
	say "decompressing $n modules"
	find "$work/lib/modules/$kver" -name '*.ko.xz' -print0 | xargs -0 -r -P2 -n 200 xz -d
fi
# The package has no modules.dep (depmod runs at install): make one, so the
# initramfs builder can follow dependencies.
depmod -b "$work" "$kver" || die "depmod failed"
{ echo "packages=$pkgs"; echo "version=$ver"; echo "fetched=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; } >"$work/.stapgen-ready"
rm -rf "$dest"
chmod 755 "$work"
mv "$work" "$dest"
trap - EXIT
say "ready: $dest/vmlinuz"
