#!/bin/sh
# kernel-source.sh — a kernel tree from the user's own files, assembled
# WITHOUT installing anything into a tree `stap -r DIR` accepts.
#
# usage: kernel-source.sh [--no-prime] ENTRY   assemble (if needed), prime, print the id
#        kernel-source.sh --prime-id ID        build the tracepoint cache of tree ID
#        kernel-source.sh --parse ENTRY        print "KIND PATTERN" (or fail)
#        kernel-source.sh --detect ROOT        print the layout found in ROOT (key=value)
#   ENTRY  dir:ROOT   a directory laid out as an installed system
#          rpm:GLOB   kernel-devel, kernel-debuginfo(-common) RPMs: rpm2cpio | cpio
#          deb:GLOB   .deb and Ubuntu .ddeb files: dpkg-deb -x
#          (GLOB: shell glob, no spaces; every file it matches is unpacked)
#
# Layouts found in ROOT (the first that holds a build tree, per release):
#   build tree  ROOT/lib/modules/REL/build (a link: absolute targets are
#               ROOT's), ROOT/usr/src/kernels/REL (RHEL),
#               ROOT/usr/src/linux-headers-REL (Debian/Ubuntu: its -common
#               tree from the Makefile's include line)
#   debuginfo   ROOT/usr/lib/debug/lib/modules/REL/vmlinux (RHEL),
#               ROOT/usr/lib/debug/boot/vmlinux-REL (Debian -dbg, Ubuntu
#               -dbgsym), or none: a headers-only tree
# ROOT must hold exactly one release.
#
# Cache ($STAPGEN_CACHE/kernels, as scripts/fetch-kernel.sh's):
#   REL@KIND/              the tree, KIND = dir, rpm or deb (one per kind and release)
#     root/                rpm/deb: the unpacked files; dir: copies of the
#                          build trees, links to ROOT's debuginfo
#     build -> root/...    give this to stap -r
#     stap/                SYSTEMTAP_DIR (tracepoint cache), .stapgen-primed
#     .stapgen-ready       format, release, source, inputs, layout, packages
#   by-source/<sha of ENTRY> -> ../REL@KIND   (make finds the id without work)
# An entry whose inputs changed (files, sizes, mtimes) is assembled again.
# Assembled in .src.XXXXXX (ready stamp inside) and renamed into place.
# The id is the last line of stdout; progress goes to stderr.
set -eu
FORMAT=1
here=$(cd "$(dirname "$0")" && pwd)
t0=$(date +%s)
say() { echo "kernel-source: [$(( $(date +%s) - t0 ))s] $*" >&2; }
die() { echo "kernel-source: error: $*" >&2; exit 1; }

# ---- ENTRY: KIND and PATTERN ---------------------------------------------------
parse() {
	case $1 in
	dir:?* | rpm:?* | deb:?*) ;;
	dir: | rpm: | deb:) die "'$1': nothing after '${1%:}:'" ;;
	*) die "'$1': not a kernel source (dir:ROOT, rpm:GLOB or deb:GLOB)" ;;
	esac
	p=${1#*:}
	case $p in *[[:space:]]*) die "'$1': a space in the path (not supported)" ;; esac
	echo "${1%%:*} $p"
}

# ---- layout detection ---------------------------------------------------------
# The target of link ROOT/$2 as a path relative to ROOT (one level: an
# absolute target is ROOT's, never the host's).
inroot() {
	t=$(readlink "$1/$2") || return 1
	case $t in /*) p=$t ;; *) p=/$(dirname "$2")/$t ;; esac
	p=$(realpath -ms "$p")
	echo "${p#/}"
}
# is ROOT/$2 a build tree (the arch part: a -common tree has neither file)
is_build() {
	[ -f "$1/$2/Makefile" ] && { [ -f "$1/$2/.config" ] || [ -f "$1/$2/include/generated/utsrelease.h" ]; }
}
# prints release=, build=, common=, vmlinux=, modules=, sysmap=, trace=
detect() {
	r=$1
	[ -d "$r" ] || die "$r: not a directory"
	found=
	add() {	# REL PATH
		case " $found " in *" $1="*) return 0 ;; esac
		found="$found $1=$2"
	}
	for m in "$r"/lib/modules/*/build; do
		[ -e "$m" ] || [ -L "$m" ] || continue
		rel=$(basename "$(dirname "$m")")
		if [ -L "$m" ]; then b=$(inroot "$r" "${m#"$r"/}") || continue
		else b=${m#"$r"/}; fi
		is_build "$r" "$b" && add "$rel" "$b"
	done
	for b in "$r"/usr/src/kernels/*; do
		is_build "$r" "${b#"$r"/}" && add "$(basename "$b")" "${b#"$r"/}"
	done
	for b in "$r"/usr/src/linux-headers-*; do
		[ -L "$b" ] && continue
		is_build "$r" "${b#"$r"/}" && add "$(basename "$b" | sed 's/^linux-headers-//')" "${b#"$r"/}"
	done
	set -- $found
	[ $# -gt 0 ] || die "$r: no kernel build tree (looked for lib/modules/REL/build, usr/src/kernels/REL, usr/src/linux-headers-REL with a Makefile and .config)"
	[ $# -eq 1 ] || die "$r: several releases: $(for f; do printf ' %s' "${f%%=*}"; done) (one per source)"
	rel=${1%%=*} b=${1#*=}
	case $rel in *[!A-Za-z0-9._+~-]*) die "$r: unusable release name '$rel'" ;; esac
	uts=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' "$r/$b/include/generated/utsrelease.h" 2>/dev/null) || uts=
	[ -z "$uts" ] || [ "$uts" = "$rel" ] || die "$r/$b: UTS_RELEASE '$uts', but the tree is named '$rel'"
	echo "release=$rel"
	echo "build=$b"
	# Debian/Ubuntu: the arch Makefile includes the -common one
	c=$(sed -n 's,^include \(/usr/src/\|\.\./\)\([^/]*\)/Makefile$,\2,p' "$r/$b/Makefile" | head -n1)
	if [ -n "$c" ]; then
		[ -d "$r/$(dirname "$b")/$c" ] || die "$r/$b/Makefile includes $c, not in $r/$(dirname "$b")"
		echo "common=$(dirname "$b")/$c"
	else
		echo "common="
	fi
	v=
	for f in "usr/lib/debug/lib/modules/$rel/vmlinux" "usr/lib/debug/boot/vmlinux-$rel"; do
		[ -f "$r/$f" ] && { v=$f; break; }
	done
	echo "vmlinux=$v"
	m=
	[ -n "$v" ] && [ -d "$r/usr/lib/debug/lib/modules/$rel" ] && m=usr/lib/debug/lib/modules/$rel
	echo "modules=$m"
	s=
	for f in "$b/System.map" "boot/System.map-$rel" "usr/lib/debug/boot/System.map-$rel"; do
		[ -f "$r/$f" ] && { s=$f; break; }
	done
	echo "sysmap=$s"
	# where stap finds include/trace/events: the tree, or its source/ (-common)
	t=
	if [ -d "$r/$b/include/trace/events" ]; then t=build
	elif [ -n "$c" ] && [ -d "$r/$(dirname "$b")/$c/include/trace/events" ]; then t=common
	fi
	echo "trace=$t"
}

# relative link target from directory $1 to path $2 (both absolute)
rel() { realpath -ms --relative-to="$1" "$2"; }

case ${1:-} in
--parse) [ $# -eq 2 ] || die "usage: $0 --parse ENTRY"; parse "$2"; exit 0 ;;
--detect) [ $# -eq 2 ] || die "usage: $0 --detect ROOT"; detect "$2"; exit 0 ;;
esac
prime=1
cache=${STAPGEN_CACHE:-$HOME/.cache/stapgen}
kdir=$cache/kernels
# the tracepoint cache, as fetch-kernel.sh's (stap.tmp, renamed)
do_prime() {
	[ "$prime" = 1 ] || return 0
	d=$kdir/$1
	"$here/live/toolchain.sh" primed host "$d" && return 0
	rm -rf "$d/stap.tmp"; mkdir -p "$d/stap.tmp"
	say "$1: building stap's tracepoint cache (one-off, 1.5-6 min)"
	"$here/live/toolchain.sh" prime host "$1" "$d/stap.tmp"
	rm -rf "$d/stap"; mv "$d/stap.tmp" "$d/stap"
	mv "$d/stap/.stapgen-primed" "$d/.stapgen-primed.tmp"
	mv "$d/.stapgen-primed.tmp" "$d/.stapgen-primed"
	say "$1: tracepoint cache ready ($(sed -n 's/^failed_headers=//p' "$d/.stapgen-primed") trace-event headers do not build)"
}
if [ "${1:-}" = --prime-id ]; then
	[ $# -eq 2 ] || die "usage: $0 --prime-id ID"
	grep -qsx "format=$FORMAT" "$kdir/$2/.stapgen-ready" || die "$2: no kernel source tree of that name"
	do_prime "$2"
	exit 0
fi
[ "${1:-}" = --no-prime ] && { prime=0; shift; }
[ $# -eq 1 ] || die "usage: $0 [--no-prime] dir:ROOT|rpm:GLOB|deb:GLOB"
entry=$1
kp=$(parse "$entry")
kind=${kp%% *} pat=${kp#* }
mkdir -p "$kdir/by-source"
key=$(printf '%s' "$entry" | sha256sum | cut -c1-16)

# ---- the inputs: what the stamp records, to see a change ------------------------
case $kind in
dir)
	[ -d "$pat" ] || die "$entry: no such directory"
	src=$(cd "$pat" && pwd -P)
	files=$src ;;
*)
	# shellcheck disable=SC2086  # the glob is expanded on purpose
	set -- $pat
	[ -e "$1" ] || die "$entry: no file matches"
	for f; do [ -f "$f" ] || die "$entry: $f: not a file"; done
	files=$(for f; do realpath "$f"; done | LC_ALL=C sort)
	for f in $files; do
		case $kind:$f in
		rpm:*.rpm | deb:*.deb | deb:*.ddeb) ;;
		*) die "$entry: $f: not a .$kind file" ;;
		esac
	done ;;
esac
# a directory: its layout's key files; packages: every file
inputs() {
	if [ "$kind" = dir ]; then
		d=$(detect "$src") || return 1
		b=$(echo "$d" | sed -n 's/^build=//p'); v=$(echo "$d" | sed -n 's/^vmlinux=//p')
		(cd "$src" && stat -L -c '%n %s %Y' "$b/Makefile" "$b/.config" ${v:+"$v"})
	else
		# shellcheck disable=SC2086
		stat -L -c '%n %s %Y' $files
	fi | sha256sum | cut -c1-16
}
ikey=$(inputs) || exit 1

ready() { [ -n "$1" ] && grep -qsx "format=$FORMAT" "$kdir/$1/.stapgen-ready" && grep -qsx "inputs=$ikey" "$kdir/$1/.stapgen-ready"; }
id=$(basename "$(readlink "$kdir/by-source/$key" 2>/dev/null || true)")


if ready "$id"; then
	do_prime "$id"
	echo "$id"; exit 0
fi

exec 9>"$kdir/.lock-source-$key"
flock 9
rm -rf "$kdir"/.src."$key".* 2>/dev/null || :
w=$(mktemp -d "$kdir/.src.$key.XXXXXX")
trap 'rm -rf "$w"' EXIT
trap 'exit 130' INT TERM HUP
mkdir -p "$w/root"
pkgs='' ver=''

# ---- unpack --------------------------------------------------------------------
case $kind in
rpm)
	for f in $files; do
		say "unpacking $(basename "$f")"
		# cpio: no absolute names, never over an existing newer file
		rpm2cpio "$f" | (cd "$w/root" && cpio -idm --quiet --no-absolute-filenames) ||
			die "$f: rpm2cpio | cpio failed"
		q=$(rpm -qp --nosignature --qf '%{NAME}=%{VERSION}-%{RELEASE}' "$f" 2>/dev/null) || q=$(basename "$f")
		pkgs="$pkgs $q"
	done
	root=$w/root ;;
deb)
	for f in $files; do
		say "unpacking $(basename "$f")"
		dpkg-deb -x "$f" "$w/root" || die "$f: dpkg-deb -x failed"
		q=$(dpkg-deb -f "$f" Package Version | sed -n 's/^Package: //p;s/^Version: //p' | paste -sd=) || q=$(basename "$f")
		pkgs="$pkgs $q"
	done
	root=$w/root ;;
dir) root=$src ;;
esac
lay=$(detect "$root") || exit 1
get() { echo "$lay" | sed -n "s/^$1=//p"; }
rl=$(get release) b=$(get build) c=$(get common) v=$(get vmlinux) m=$(get modules) s=$(get sysmap) tr=$(get trace)
id=$rl@$kind
say "$entry: release $rl, build tree $b${c:+ (+ $c)}, debuginfo ${v:-none}"
for p in $pkgs; do ver=${p#*=}; break; done

# dir: copies of the build trees (they get edited), links to the debuginfo
if [ "$kind" = dir ]; then
	for t in "$b" $c; do
		mkdir -p "$w/root/$(dirname "$t")"
		cp -a "$root/$t" "$w/root/$t"
	done
	# Debian's scripts/ and tools/ link to ../../lib/linux-kbuild-X.Y
	for k in "$root"/usr/lib/linux-kbuild-*; do
		[ -d "$k" ] || continue
		mkdir -p "$w/root/usr/lib"; cp -a "$k" "$w/root/usr/lib/"
	done
	for t in $m $v $s; do
		[ -e "$w/root/$t" ] && continue
		case $t in "$b"/*) continue ;; esac
		mkdir -p "$w/root/$(dirname "$t")"
		ln -s "$root/$t" "$w/root/$t"
	done
fi

# ---- assemble, as fetch-kernel.sh does for Debian's packages -------------------
B=$w/root/$b
# 1. a split tree's include of its -common Makefile: relative
if [ -n "$c" ]; then
	sed -i "s|^include /usr/src/\\($(basename "$c")\\)/Makefile|include ../\\1/Makefile|" "$B/Makefile"
	[ -e "$B/source" ] || [ -L "$B/source" ] || ln -s "../$(basename "$c")" "$B/source"
fi
#    KBUILD_OUTPUT=/usr/src/... (Debian 7.x): this tree
sed -i 's|^KBUILD_OUTPUT=/usr/src/.*|KBUILD_OUTPUT := $(patsubst %/,%,$(dir $(abspath $(lastword $(MAKEFILE_LIST)))))|' "$B/Makefile"
# 2. vmlinux with DWARF (a BTF-only one of the headers goes aside), module
#    debuginfo (stap -r DIR searches DIR), System.map
if [ -n "$v" ]; then
	{ [ -e "$B/vmlinux" ] && [ ! -L "$B/vmlinux" ]; } && mv "$B/vmlinux" "$B/vmlinux.headers"
	ln -sfn "$(rel "$B" "$w/root/$v")" "$B/vmlinux"
	[ -z "$m" ] || ln -sfn "$(rel "$B" "$w/root/$m")" "$B/modules-debug"
fi
if [ ! -e "$B/System.map" ]; then
	if [ -n "$s" ]; then ln -sfn "$(rel "$B" "$w/root/$s")" "$B/System.map"
	elif [ -n "$v" ]; then
		say "$id: no System.map: nm of vmlinux"
		nm -n "$w/root/$v" | grep -v ' [aUNw] ' >"$B/System.map" || die "cannot list vmlinux's symbols"
	fi
fi
# 3. the release stap sees (kernel_vr) is the tree's name, as uname -r says
#    (Debian's kernel.release holds the upstream version)
kr=$B/include/config/kernel.release
if [ "$(cat "$kr" 2>/dev/null)" != "$rl" ]; then
	[ -f "$kr" ] && mv "$kr" "$kr.orig"
	mkdir -p "$(dirname "$kr")"
	echo "$rl" >"$kr"
fi
# 4. absolute links in the trees are the installed system's: into root/
for t in "$b" $c; do
	find "$w/root/$t" -type l -lname '/*' | while read -r l; do
		a=$w/root$(readlink "$l")
		[ -e "$a" ] || die "$l -> $(readlink "$l"): not in $entry"
		ln -sfn "$(rel "$(dirname "$l")" "$a")" "$l"
	done
done
ln -s "root/$b" "$w/build"
{
	echo "format=$FORMAT"
	echo "kver=$id"
	echo "release=$rl"
	echo "kind=$kind"
	echo "source=$entry"
	echo "inputs=$ikey"
	echo "build=$b${c:+ + $c}"
	echo "debuginfo=${v:-none}"
	echo "trace=${tr:-none}"
	echo "version=${ver:--}"
	echo "packages=$(echo $pkgs)"
	echo "fetched=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} >"$w/.stapgen-ready"
chmod 755 "$w"
dest=$kdir/$id
# one tree per (release, kind): another entry's is not replaced
o=$(sed -n 's/^source=//p' "$dest/.stapgen-ready" 2>/dev/null) || o=
[ -z "$o" ] || [ "$o" = "$entry" ] || die "$id is already the tree of '$o' (one source per kind and release; rm -rf $dest to replace it)"
[ -e "$dest" ] && mv "$dest" "$w.old"
mv "$w" "$dest"
trap - EXIT
rm -rf "$w.old"
ln -sfn "../$id" "$kdir/by-source/.$key.tmp"
mv -T "$kdir/by-source/.$key.tmp" "$kdir/by-source/$key"
say "$id: tree ready: stap -r $dest/build"
flock -u 9
do_prime "$id"
echo "$id"
