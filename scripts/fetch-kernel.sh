#!/bin/sh
# fetch-kernel.sh — fetch one Debian kernel's debuginfo + headers WITHOUT
# installing anything, and assemble a tree that `stap -r DIR` accepts.
#
# usage: fetch-kernel.sh [--prime-only|--headers-only] KERNEL
#   KERNEL  a Debian meta package (linux-image-cloud-amd64-dbg,
#           linux-image-6.12-cloud-amd64-dbg, ...) resolved through apt, or an
#           exact release (6.1.0-56-cloud-amd64) whose -dbg package is fetched;
#           SUITE/KERNEL (bullseye/linux-image-cloud-amd64-dbg) resolves it in
#           that Debian suite through a private apt configuration (sources
#           list, lists and status under $STAPGEN_CACHE/apt/SUITE: nothing is
#           added to the host's apt); without SUITE/ the host's apt is asked.
#   --prime-only  only (re)build the tracepoint-query cache of a ready tree.
#   --headers-only  only (re)assemble the headers-only tree of a ready tree.
#
# Environment: STAPGEN_CACHE (default ~/.cache/stapgen).  Layout:
#   $STAPGEN_CACHE/kernels/.debs/*.deb          downloaded packages (kept)
#   $STAPGEN_CACHE/kernels/<KVER>/root/         the unpacked packages
#   $STAPGEN_CACHE/kernels/<KVER>/build         -> the tree to pass to stap -r
#   $STAPGEN_CACHE/kernels/<KVER>/stap/         SYSTEMTAP_DIR for this kernel
#   $STAPGEN_CACHE/kernels/<KVER>/.stapgen-ready   written last (see below)
#   $STAPGEN_CACHE/kernels/<KVER>/.stapgen-primed  tracepoint cache built
#   $STAPGEN_CACHE/kernels/<KVER>/headers-only/  the same packages as a host
#       without debuginfo has them: build -> the tree (no vmlinux with DWARF,
#       no module debuginfo), root/boot/System.map-<KVER>, stap-<TOOLCHAIN>/
#       (primed by toolchain.sh when a validate column needs it), .stapgen-ready
#   $STAPGEN_CACHE/kernels/by-meta/<META>       -> ../<KVER>
#   $STAPGEN_CACHE/kernels/by-meta/<SUITE>/<META> -> ../../<KVER>
#   $STAPGEN_CACHE/apt/<SUITE>/                 that suite's apt configuration
#
# Crash safety: packages are downloaded into a private temporary directory and
# moved into .debs only once apt-get has verified them; the tree is unpacked
# and assembled in a temporary directory that contains its ready stamp and is
# renamed into place in one step.  An interrupted run therefore leaves at most
# a .unpack.* / .dl.* directory (removed by the next run), never a tree that
# counts as ready.  The tracepoint cache is built in stap.tmp and renamed.
#
# The resolved KVER is printed as the last line of stdout; progress goes to
# stderr.
set -eu

FORMAT=3            # bump when the assembly below changes: old trees re-assemble
HO_FORMAT=1         # the same for the headers-only tree
prime_only=0 ho_only=0
case ${1:-} in
--prime-only) prime_only=1; shift ;;
--headers-only) ho_only=1; shift ;;
esac
[ $# -eq 1 ] || { echo "usage: $0 [--prime-only|--headers-only] [SUITE/]META-PACKAGE|KVER" >&2; exit 2; }
entry=$1
cache=${STAPGEN_CACHE:-$HOME/.cache/stapgen}
kdir=$cache/kernels
mkdir -p "$kdir/.debs" "$kdir/by-meta"

t0=$(date +%s)
say() { echo "fetch-kernel: [$(( $(date +%s) - t0 ))s] $*" >&2; }
die() { echo "fetch-kernel: error: $*" >&2; exit 1; }

suite=
case $entry in
*/*) suite=${entry%%/*}; spec=${entry#*/} ;;
*) spec=$entry ;;
esac
case $suite in *[!a-z0-9-]*) die "bad suite name '$suite'" ;; esac
case $spec in *[!A-Za-z0-9.+_-]*|'') die "bad kernel name '$spec'" ;; esac

# The archive the host's apt uses (deb822 or one-line format), without its
# security suites: the other suites are fetched from the same place.
mirror() {
	{
		sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | tr ' ' '\n' | grep -v -e security -e '^$' | head -n1
}

# A suite's own apt: sources list, lists, cache and an empty dpkg status in
# $cache/apt/SUITE, used through APT_CONFIG by every apt call below.  Snapshot
# archives serve Release files past their Valid-Until: not checked.  The
# lists are refreshed at most once an hour.
if [ -n "$suite" ]; then
	ad=$cache/apt/$suite
	mkdir -p "$ad/lists/partial" "$ad/archives/partial"
	[ -e "$ad/status" ] || : >"$ad/status"
	m=$(mirror)
	[ -n "$m" ] || die "no Debian archive in the host's apt sources to fetch '$suite' from"
	kr=/usr/share/keyrings/debian-archive-keyring.gpg
	echo "deb [signed-by=$kr] $m $suite main" >"$ad/sources.list.tmp"
	mv "$ad/sources.list.tmp" "$ad/sources.list"
	cat >"$ad/apt.conf" <<EOF
Dir::Etc::SourceList "$ad/sources.list";
Dir::Etc::SourceParts "$ad/none";
Dir::State::Lists "$ad/lists";
Dir::State::status "$ad/status";
Dir::Cache "$ad";
Dir::Cache::archives "$ad/archives";
Acquire::Check-Valid-Until "false";
Acquire::Languages "none";
EOF
	export APT_CONFIG="$ad/apt.conf"
	exec 9>"$ad/.lock"
	flock 9
	if [ -z "$(find "$ad/lists" -maxdepth 1 -name '*_Packages*' -mmin -60 2>/dev/null | head -n1)" ]; then
		say "$suite: apt-get update (private lists in $ad)"
		apt-get update -q >"$ad/update.log" 2>&1 ||
			say "$suite: apt-get update failed (see $ad/update.log); using the lists as they are"
	fi
	flock -u 9
fi

# ---- resolve KERNEL to (dbg package, version, KVER) --------------------------
apt_ok=1
resolve_meta() {
	# "Depends: linux-image-6.1.0-56-cloud-amd64-dbg (= 6.1.192-2)" in apt-cache show
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Depends:.*\(linux-image-[^ ,]*-dbg\) (= \([^)]*\)).*/\1 \2/p' | head -n1
}
case $spec in
linux-image-*-dbg)
	r=$(resolve_meta "$spec") || r=
	if [ -n "$r" ]; then
		dbg=${r% *}; ver=${r#* }
	elif apt-cache show --no-all-versions "$spec" >/dev/null 2>&1; then
		dbg=$spec                 # already an exact ABI package
		ver=$(apt-cache show --no-all-versions "$dbg" | sed -n 's/^Version: //p' | head -n1)
	else
		apt_ok=0; dbg=; ver=
	fi
	;;
*)
	dbg=linux-image-$spec-dbg
	ver=$(apt-cache show --no-all-versions "$dbg" 2>/dev/null | sed -n 's/^Version: //p' | head -n1) || ver=
	[ -n "$ver" ] || apt_ok=0
	;;
esac

if [ $apt_ok = 0 ]; then
	# No apt metadata (offline, or lists not downloaded): reuse what we have.
	case $spec in
	linux-image-*) kver=$(basename "$(readlink "$kdir/by-meta/$entry" 2>/dev/null || true)") ;;
	*) kver=$spec ;;
	esac
	if [ -n "$kver" ] && [ -e "$kdir/$kver/.stapgen-ready" ]; then
		say "apt cannot resolve $spec; reusing cached $kver"
	else
		die "cannot resolve $spec with apt-cache (run 'apt-get update' as root, and check that the package exists for this release)"
	fi
else
	kver=${dbg#linux-image-}; kver=${kver%-dbg}
fi
dest=$kdir/$kver

# One fetch per kernel at a time (make -j, two terminals, CI retries).
exec 9>"$kdir/.lock-$kver"
if ! flock -n 9; then
	say "$kver: waiting for another fetch of the same kernel"
	flock 9
fi

ready() { [ -e "$dest/.stapgen-ready" ] && grep -qx "format=$FORMAT" "$dest/.stapgen-ready"; }

# ---- prime stap's tracepoint-query cache ------------------------------------
# stap builds one query module per trace-event header (all of them, whatever
# tracepoint is asked for) and caches the result, failures included, under
# $SYSTEMTAP_DIR/cache keyed on the build tree's path and timestamps.  Doing it
# once here keeps parallel validation cells from each compiling ~150 modules.
# Failed queries are cached too, so the cache is private to this tree (and
# discarded with it), never ~/.systemtap.
prime() {
	tc=$(dirname "$0")/live/toolchain.sh
	# a stamp from other priming code is primed again (toolchain.sh)
	"$tc" primed host "$dest" && return 0
	rm -rf "$dest/stap.tmp"
	mkdir -p "$dest/stap.tmp"
	say "$kver: building stap's tracepoint cache (one-off: ~180 small kbuild modules, 1.5-6 min on 2 cores)"
	# through the host toolchain: with the patched runtime where this kernel
	# needs it (stap keys tracepoint queries on the runtime too), so the -p2
	# cells and the live module builds share this one cache
	"$tc" prime host "$kver" "$dest/stap.tmp"
	res=$(sed -n 's/^tracepoints=//p' "$dest/stap.tmp/.stapgen-primed")
	[ "$res" = ok ] || say "$kver: note: tracepoints: $res (ordered '!' fallbacks still work)"
	rm -rf "$dest/stap"
	mv "$dest/stap.tmp" "$dest/stap"
	# the stamp is the tree's (make's prerequisite of the -p2 cells)
	mv "$dest/stap/.stapgen-primed" "$dest/.stapgen-primed.tmp"
	mv "$dest/.stapgen-primed.tmp" "$dest/.stapgen-primed"
	say "$kver: tracepoint cache ready ($(sed -n 's/^failed_headers=//p' "$dest/.stapgen-primed") trace-event headers do not build for this kernel)"
}

# ---- the headers-only tree ---------------------------------------------------
# What a production host has: linux-headers-<KVER> and its -common and kbuild
# packages, System.map from the image package in /boot, no vmlinux with
# DWARF, no module debuginfo.  Made from the unpacked packages of the tree:
# the arch directory (1-2 MB) is copied, because its Makefile includes
# ../linux-headers-<ABI>-common by a relative path and its scripts link to
# ../../lib/linux-kbuild-<X.Y>: those are linked, System.map hard-linked.
# Assembled in .headers-only.XXXXXX (ready stamp inside) and renamed.
ho_ready() { grep -qsx "format=$HO_FORMAT" "$dest/headers-only/.stapgen-ready"; }
headers_only() {
	ho_ready && return 0
	rm -rf "$dest"/.headers-only.* 2>/dev/null || :
	w=$(mktemp -d "$dest/.headers-only.XXXXXX")
	trap 'rm -rf "$w"' EXIT
	trap 'exit 130' INT TERM HUP
	mkdir -p "$w/root/usr/src" "$w/root/usr/lib" "$w/root/boot"
	for d in "$dest/root/usr/src"/*; do
		n=$(basename "$d")
		[ "$n" = "linux-headers-$kver" ] || ln -s "../../../../root/usr/src/$n" "$w/root/usr/src/$n"
	done
	for d in "$dest/root/usr/lib"/linux-kbuild-*; do
		[ -e "$d" ] && ln -s "../../../../root/usr/lib/$(basename "$d")" "$w/root/usr/lib/"
	done
	hb=$w/root/usr/src/linux-headers-$kver
	cp -a "$dest/root/usr/src/linux-headers-$kver" "$hb"
	# the links to the debuginfo go; the package's own BTF-only vmlinux
	# (6.12+: moved aside in the full tree) is back where a host has it
	rm -f "$hb/vmlinux" "$hb/modules-debug" "$hb/System.map"
	[ -e "$hb/vmlinux.headers" ] && mv "$hb/vmlinux.headers" "$hb/vmlinux"
	map=$(readlink -f "$dest/build/System.map")
	[ -s "$map" ] || die "$kver: no System.map in $dest/build"
	ln "$map" "$w/root/boot/System.map-$kver" 2>/dev/null || cp "$map" "$w/root/boot/System.map-$kver"
	ln "$w/root/boot/System.map-$kver" "$hb/System.map"
	bad=$(find "$w" -type l \( -lname '/*' -o -lname '*lib/debug*' \) | head -n3)
	[ -z "$bad" ] || die "$kver: headers-only tree: links to the host or the debuginfo: $bad"
	ln -s "root/usr/src/linux-headers-$kver" "$w/build"
	{
		echo "format=$HO_FORMAT"
		echo "kver=$kver"
		echo "from=$(sed -n 's/^fetched=//p' "$dest/.stapgen-ready")"
	} >"$w/.stapgen-ready"
	# an older one goes aside (removed below, or by the next run)
	[ -e "$dest/headers-only" ] && mv "$dest/headers-only" "$w.old"
	chmod 755 "$w"
	mv "$w" "$dest/headers-only"
	trap - EXIT
	rm -rf "$w.old"
	say "$kver: headers-only tree ready: stap -r $dest/headers-only/build"
}

if [ $prime_only = 1 ]; then
	ready || die "$kver is not fetched (run make kernels)"
	prime
	echo "$kver"; exit 0
fi
if [ $ho_only = 1 ]; then
	ready || die "$kver is not fetched (run make kernels)"
	headers_only
	echo "$kver"; exit 0
fi

set_meta_link() {
	case $spec in linux-image-*)
		up=..
		if [ -n "$suite" ]; then mkdir -p "$kdir/by-meta/$suite"; up=../..; fi
		ln -sfn "$up/$kver" "$kdir/by-meta/.$suite.$spec.tmp"
		mv -T "$kdir/by-meta/.$suite.$spec.tmp" "$kdir/by-meta/$entry";;
	esac
}

if ready; then
	say "$kver: cached at $dest"
	set_meta_link
	prime
	headers_only
	echo "$kver"; exit 0
fi

# ---- which packages --------------------------------------------------------
[ $apt_ok = 1 ] || die "cannot fetch $kver without apt metadata"
hdr=linux-headers-$kver
deps=$(apt-cache depends "$hdr=$ver" 2>/dev/null |
	sed -n 's/^ *Depends: \(linux-\(headers\|kbuild\)-[^ <>]*\)$/\1/p')
[ -n "$deps" ] || die "cannot resolve the dependencies of $hdr=$ver"
pkgs="$dbg $hdr $deps"
say "$kver: packages (version $ver): $(echo $pkgs)"

# Clean what an interrupted run may have left behind.
rm -rf "$kdir"/.dl.* "$kdir"/.unpack."$kver".* "$kdir"/.old."$kver".* 2>/dev/null || true

# ---- download (apt-get download verifies the archive's checksums) ------------
# Debian's file names: <pkg>_<version with ':' as %3a>_<arch>.deb
vesc=$(echo "$ver" | sed 's/:/%3a/')
deb_of() {
	for f in "$kdir/.debs/${1}_${vesc}_"*.deb; do
		[ -e "$f" ] && { echo "$f"; return 0; }
	done
	return 1
}
n=0; total=$(echo "$pkgs" | wc -w)
for p in $pkgs; do
	n=$((n + 1))
	if deb_of "$p" >/dev/null; then
		say "$kver: [$n/$total] have $p"
		continue
	fi
	size=$(apt-cache show --no-all-versions "$p=$ver" 2>/dev/null | sed -n 's/^Size: //p' | head -n1)
	say "$kver: [$n/$total] downloading $p ($(( ${size:-0} / 1048576 )) MB)"
	tmpd=$(mktemp -d "$kdir/.dl.XXXXXX")
	# As root, apt's _apt sandbox user cannot write into ~root: say so ourselves.
	sandbox=
	[ "$(id -u)" = 0 ] && sandbox="-o APT::Sandbox::User=root"
	if ! (cd "$tmpd" && apt-get download $sandbox "$p=$ver" >&2); then
		rm -rf "$tmpd"; die "download of $p=$ver failed"
	fi
	mv "$tmpd"/*.deb "$kdir/.debs/"
	rmdir "$tmpd"
done

# ---- unpack + assemble, in a temporary directory ----------------------------
work=$(mktemp -d "$kdir/.unpack.$kver.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP
n=0
for p in $pkgs; do
	n=$((n + 1))
	deb=$(deb_of "$p") || die "lost $p"
	say "$kver: [$n/$total] unpacking $(basename "$deb")"
	dpkg-deb -x "$deb" "$work/root"
done

src=$work/root/usr/src
b=$src/linux-headers-$kver
[ -d "$b" ] || die "no build tree in $hdr"
common=$(for d in $deps; do case $d in linux-headers-*-common*) echo "$d";; esac; done | head -n1)
{ [ -n "$common" ] && [ -d "$src/$common" ]; } || die "no -common headers among: $deps"
[ -f "$work/root/usr/lib/debug/boot/vmlinux-$kver" ] || die "no vmlinux in $dbg"

# 1. Debian's arch Makefile includes the -common one by absolute path
#    (/usr/src/...): point it at the unpacked copy, relatively, so kbuild (which
#    stap runs to build its tracepoint queries) works wherever the cache lives.
sed -i "s|^include /usr/src/\\($common\\)/Makefile|include ../\\1/Makefile|" "$b/Makefile"
grep -q "^include \\.\\./$common/Makefile" "$b/Makefile" || die "unexpected $b/Makefile"
#    7.x's also sets KBUILD_OUTPUT to its /usr/src path: this tree instead.
sed -i 's|^KBUILD_OUTPUT=/usr/src/.*|KBUILD_OUTPUT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))|' "$b/Makefile"
# 2. The trace-event headers (include/trace/events/*.h) live in -common: stap
#    globs them under <build>/ and <build>/source/.
ln -s "../$common" "$b/source"
# 3. vmlinux with DWARF and its System.map (6.12's headers ship a BTF-only
#    vmlinux for module BTF: keep it aside).
[ -e "$b/vmlinux" ] && mv "$b/vmlinux" "$b/vmlinux.headers"
ln -s "../../lib/debug/boot/vmlinux-$kver" "$b/vmlinux"
#    7.x ships no System.map: made from the DWARF vmlinux (stap reads the
#    kernel's function symbol table from it).
if [ -f "$work/root/usr/lib/debug/boot/System.map-$kver" ]; then
	ln -s "../../lib/debug/boot/System.map-$kver" "$b/System.map"
elif [ ! -e "$b/System.map" ]; then
	say "$kver: no System.map in the packages: nm of vmlinux"
	nm -n "$work/root/usr/lib/debug/boot/vmlinux-$kver" | grep -v ' [aUNw] ' >"$b/System.map" ||
		die "cannot list vmlinux's symbols"
fi
# 4. Debian's include/config/kernel.release holds the upstream version
#    (6.1.192) while `uname -r` on such a host is the ABI name
#    (6.1.0-56-cloud-amd64), which is what stap sees there: use that.
uts=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$b/include/generated/utsrelease.h")
[ "$uts" = "$kver" ] || die "UTS_RELEASE '$uts' != '$kver'"
mv "$b/include/config/kernel.release" "$b/include/config/kernel.release.debian"
echo "$kver" >"$b/include/config/kernel.release"
# 5. Module debuginfo: stap -r DIR searches DIR for *.ko.
ln -s "../../lib/debug/lib/modules/$kver" "$b/modules-debug"
# Every symlink must stay inside the tree (absolute ones would point at the host).
bad=$(find "$work/root/usr/src" "$work/root/usr/lib/debug/boot" -type l -lname '/*' | head -n3)
[ -z "$bad" ] || die "absolute symlinks left in the tree: $bad"
ln -s "root/usr/src/linux-headers-$kver" "$work/build"

{
	echo "format=$FORMAT"
	echo "kver=$kver"
	echo "version=$ver"
	echo "suite=$suite"
	echo "packages=$pkgs"
	echo "fetched=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$work/.stapgen-ready"

# Swap into place: the old tree (if any: an older format) goes aside first.
if [ -e "$dest" ]; then
	old=$(mktemp -d "$kdir/.old.$kver.XXXXXX")
	mv "$dest" "$old/"
fi
chmod 755 "$work"
mv "$work" "$dest"
trap - EXIT
[ -n "${old:-}" ] && rm -rf "$old"
set_meta_link
say "$kver: tree ready: stap -r $dest/build"
prime
headers_only
echo "$kver"
