#!/bin/sh
# toolchain.sh — the stap toolchains that build modules for the live runs.
#
# usage: toolchain.sh ensure TOOLCHAIN KVER   build/verify what TOOLCHAIN needs for KVER
#        toolchain.sh stap TOOLCHAIN KVER ARGS...   run that stap against KVER's tree
#        toolchain.sh root TOOLCHAIN                 print the root whose staprun/libc the guest uses
#        toolchain.sh id TOOLCHAIN KVER              one line naming the stap (for cache keys, matrix)
#        toolchain.sh sysdir TOOLCHAIN KVER          SYSTEMTAP_DIR for it, its tracepoint cache primed
#        toolchain.sh prime TOOLCHAIN KVER DIR       prime DIR as SYSTEMTAP_DIR (writes its stamp)
#        toolchain.sh primed TOOLCHAIN DIR           exit 0 if DIR was primed by this code
#        toolchain.sh failed-headers TOOLCHAIN DIR   headers whose tracepoint query DIR caches as failed
#        toolchain.sh forget-failures TOOLCHAIN DIR  delete those cached failures
#
# TOOLCHAIN:
#   host  the host's stap (Debian bookworm: 4.8).  For kernels whose
#         include/linux/task_work.h has task_work_cancel_func() (>= 6.11, and
#         Debian's 6.1.x through a stable backport), a copy of its runtime with
#         scripts/live/stap-4.8-task_work_cancel_func.patch applied, passed
#         with -R; other kernels get the runtime as installed.
#   (the toolchains are rows of mk/matrix.list, with each chroot's packages)
#   sid   Debian sid's stap (5.6) with gcc-12 and gcc-16, in a debootstrap chroot built
#         once into $STAPGEN_CACHE/toolchains/sid (needs root: chroot, mounts).
#         The cache is bind-mounted at the same path inside, so tree paths
#         and SYSTEMTAP_DIR mean the same on both sides.
#   bullseye  Debian bullseye's stap (4.4) with gcc-10, a chroot built the
#         same way into $STAPGEN_CACHE/toolchains/bullseye: the oldest stap
#         this machine reaches (-p2 cells only: its -p4 fails on 5.10).
#         6.1's kbuild passes gcc-12 options (-mharden-sls=all,
#         -ftrivial-auto-var-init=zero) that gcc-10 rejects, so every type
#         and tracepoint query failed: the chroot also gets bookworm's
#         gcc-12 (and with it bookworm's libc; stap 4.4 runs on it).
#
# Each kernel's kbuild calls the compiler its .kernelvariables names (gcc-10
# for 5.10, gcc-12 for 6.x, gcc-16 for 7.x).  Where a toolchain lacks it, its
# gcc-12 stands in, through a directory of links put first in PATH; `id`
# says so, and the matrix shows it.
#
# STAPGEN_TREE=headers-only: KVER's headers-only tree (fetch-kernel.sh), as
# a host without debuginfo has it: sysdir and prime use its own caches
# (kernels/KVER/headers-only/stap-TOOLCHAIN), and sid's stap sees its
# System.map at /boot/System.map-KVER, where stap 5.6 looks for it (stap
# 4.8 reads the tree's own).
#
# Fixtures follow the kernel fixtures' rules: a lock each, built in a
# temporary directory and renamed into place with a ready stamp written last.
set -eu
cache=${STAPGEN_CACHE:-$HOME/.cache/stapgen}
tdir=$cache/toolchains
here=$(cd "$(dirname "$0")" && pwd)
patch=$here/stap-4.8-task_work_cancel_func.patch
say() { echo "toolchain: $*" >&2; }
die() { echo "toolchain: error: $*" >&2; exit 1; }
[ $# -ge 2 ] || die "usage: $0 ensure|stap|root|id TOOLCHAIN [KVER] [ARGS...]"
cmd=$1 tc=$2
shift 2
mkdir -p "$tdir"
ho=
case ${STAPGEN_TREE:-} in
'') ;;
headers-only) ho=/headers-only ;;
*) die "STAPGEN_TREE: unknown tree '$STAPGEN_TREE' (headers-only)" ;;
esac

# The mirror debootstrap uses: the first non-security archive the host's apt
# is configured with (deb822 or one-line format).
mirror() {
	{
		sed -n 's/^URIs:[[:space:]]*//p' /etc/apt/sources.list.d/*.sources 2>/dev/null
		sed -n 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^[:space:]]*\).*/\2/p' \
			/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null
	} | tr ' ' '\n' | grep -v -e security -e '^$' | head -n1
}

# Run a command in chroot toolchain $1 (sid, bullseye), in a private mount
# namespace so the bind mounts vanish with it.
in_root() {
	root=$tdir/$1/root
	shift
	unshare -m sh -eu -c '
		root=$1 cache=$2 cwd=$3; shift 3
		mount --rbind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mkdir -p "$root$cache"
		mount --bind "$cache" "$root$cache"
		# the working directory too (scripts passed by relative path)
		case $cwd/ in "$cache"/*) ;; *) mkdir -p "$root$cwd"; mount --bind "$cwd" "$root$cwd";; esac
		# a headers-only tree: its /boot (System.map-KVER) over the chroot /boot
		if [ -n "${STAPGEN_BOOT:-}" ]; then mkdir -p "$root/boot"; mount --bind "$STAPGEN_BOOT" "$root/boot"; fi
		exec chroot "$root" sh -c "cd \"\$0\" && exec \"\$@\"" "$cwd" "$@"' sh "$root" "$cache" "$PWD" "$@"
}

# The chroot toolchains, from mk/matrix.list (one row each): their Debian
# suite is their name; FORMAT is bumped there when a package list changes,
# and the chroot is rebuilt.
list=$here/../../mk/matrix.list
[ -r "$list" ] || die "cannot read $list"
# row KEYWORD NAME: the fields after the name of that row (empty if none)
row() { awk -v k="$1" -v n="$2" '{ sub(/#.*/, "") } $1 == k && $2 == n { $1 = $2 = ""; sub(/^ +/, ""); print; exit }' "$list"; }
chroot_format() { row toolchain "$1" | cut -d' ' -f1; }
chroot_pkgs() { row toolchain "$1" | cut -d' ' -f2-; }
# "SUITE PACKAGES" installed from another suite, pinned below the chroot's own
chroot_extra() { row extra "$1"; }
chroot_ready() { grep -qsx "format=$(chroot_format "$1")" "$tdir/$1/.stapgen-ready"; }

ensure_chroot() {
	c=$1
	chroot_ready "$c" && return 0
	[ "$(id -u)" = 0 ] || die "the $c toolchain needs root (debootstrap, chroot)"
	command -v debootstrap >/dev/null || die "debootstrap is not installed (apt-get install debootstrap)"
	exec 8>"$tdir/.lock-$c"
	flock -n 8 || { say "$c: waiting for another build"; flock 8; }
	chroot_ready "$c" && return 0
	m=$(mirror)
	[ -n "$m" ] || die "no Debian mirror in the host's apt sources"
	rm -rf "$tdir/.$c".*
	work=$(mktemp -d "$tdir/.$c.XXXXXX")
	t0=$(date +%s)
	say "$c: debootstrap (minbase, ~1 min)"
	debootstrap --variant=minbase "$c" "$work/root" "$m" >"$work/debootstrap.log" 2>&1 ||
		die "debootstrap failed: see $work/debootstrap.log"
	say "$c: installing $(chroot_pkgs "$c") ($(( $(date +%s) - t0 ))s)"
	# The reachable snapshot serves a sid Release file past its Valid-Until.
	if ! unshare -m sh -c 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
		chroot "$1" sh -c "apt-get -q -o Acquire::Check-Valid-Until=false update &&
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $2"' \
		sh "$work/root" "$(chroot_pkgs "$c")" >"$work/install.log" 2>&1; then
		die "installing stap in the $c chroot failed: see $work/install.log"
	fi
	x=$(chroot_extra "$c")
	if [ -n "$x" ]; then
		say "$c: installing ${x#* } from ${x%% *} ($(( $(date +%s) - t0 ))s)"
		echo "deb $m ${x%% *} main" >"$work/root/etc/apt/sources.list.d/${x%% *}.list"
		printf 'Package: *\nPin: release n=%s\nPin-Priority: 100\n' "${x%% *}" \
			>"$work/root/etc/apt/preferences.d/${x%% *}"
		unshare -m sh -c 'mount -t proc proc "$1/proc" && mount --rbind /dev "$1/dev" &&
			chroot "$1" sh -c "apt-get -q update && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -q --no-install-recommends -t $2 $3"' sh "$work/root" "${x%% *}" "${x#* }" \
			>>"$work/install.log" 2>&1 || die "installing ${x#* } in the $c chroot failed: see $work/install.log"
	fi
	v=$(chroot "$work/root" stap -V 2>&1 | sed -n '1s/.*(version \([^/,)]*\).*/\1/p')
	{ echo "format=$(chroot_format "$c")"; echo "stap=$v"; echo "mirror-suite=$c"; echo "built=$(date -u +%Y-%m-%dT%H:%M:%SZ)"; } >"$work/.stapgen-ready"
	rm -rf "${tdir:?}/$c"
	mv "$work" "$tdir/$c"
	say "$c: ready, stap $v ($(( $(date +%s) - t0 ))s)"
}

# The compiler KVER's kbuild calls: gcc-N.
kernel_cc() {
	sed -n 's/^CC[[:space:]]*=.*\(gcc-[0-9][0-9]*\).*/\1/p' "$cache/kernels/$1/build/.kernelvariables" 2>/dev/null | head -n1
}

# For a toolchain whose root (/ or the chroot) lacks KVER's compiler: a
# directory (path as seen inside that root; '' = the host) holding gcc-N and
# x86_64-linux-gnu-gcc-N as links to its gcc-12 (bullseye's: gcc-10).
# Prints nothing when the compiler is there.
cc_shim() {
	r=$1 cc=$(kernel_cc "$2")
	[ -n "$cc" ] || return 0
	[ -x "$r/usr/bin/$cc" ] && return 0
	sub=$(stand_in "$r")
	# the host's in the cache; a chroot's inside it
	if [ -z "$r" ]; then d=$tdir/cc/$cc; else d=/usr/local/lib/stapgen-cc/$cc; fi
	if [ ! -e "$r$d/$cc" ]; then
		mkdir -p "$r$d"
		ln -sfn "/usr/bin/$sub" "$r$d/$cc"
		ln -sfn "/usr/bin/$sub" "$r$d/x86_64-linux-gnu-$cc"
	fi
	echo "$d"
}

# the compiler standing in for a missing one in root $1
stand_in() { if [ -x "$1/usr/bin/gcc-12" ]; then echo gcc-12; else echo gcc-10; fi; }

# "gcc-12 for gcc-10" (a stand-in), or the compiler's name.
cc_note() {
	cc=$(kernel_cc "$2")
	if [ -n "$(cc_shim "$1" "$2")" ]; then echo "$(stand_in "$1") for $cc"; else echo "${cc:-gcc}"; fi
}

# The runtime directory host stap needs for KVER ('' = the installed one).
host_runtime() {
	kver=$1
	h=$cache/kernels/$kver/build
	grep -qs 'task_work_cancel_func' "$h/include/linux/task_work.h" "$h/source/include/linux/task_work.h" || return 0
	v=$(stap -V 2>&1 | sed -n '1s/.*(version \([^/,)]*\).*/\1/p')
	key=$(cat "$patch" | sha256sum | cut -c1-12)
	rt=$tdir/host-runtime-$v-$key
	if [ ! -e "$rt/.stapgen-ready" ]; then
		exec 8>"$tdir/.lock-host-runtime"
		flock 8
		if [ ! -e "$rt/.stapgen-ready" ]; then
			work=$(mktemp -d "$tdir/.rt.XXXXXX")
			cp -a /usr/share/systemtap/runtime "$work/runtime"
			(cd "$work/runtime" && patch -s -p1 --no-backup-if-mismatch) <"$patch" ||
				die "the runtime patch does not apply to stap $v's runtime"
			echo "patch=$key" >"$work/.stapgen-ready"
			rm -rf "$rt"
			mv "$work" "$rt"
			say "host: patched runtime ready: $rt/runtime"
		fi
		flock -u 8
	fi
	echo "$rt/runtime"
}

stap_id() {
	case $tc in
	host) v=$(stap -V 2>&1 | sed -n '1s/.*(version \([^/,)]*\).*/\1/p')
	      rt=$(host_runtime "$1")
	      if [ -n "$rt" ]; then echo "stap $v (host) + task_work_cancel_func patch, $(cc_note "" "$1")"
	      else echo "stap $v (host), $(cc_note "" "$1")"; fi ;;
	*) echo "stap $(sed -n 's/^stap=//p' "$tdir/$tc/.stapgen-ready") ($tc chroot), $(cc_note "$tdir/$tc/root" "$1")" ;;
	esac
}

# stap caches tracepoint queries (failures too) under SYSTEMTAP_DIR, keyed on
# the tree: one directory per (kernel, toolchain), primed once before
# parallel stap runs share it.  PRIME_FORMAT is in every primed stamp: a
# cache primed by other code is primed again.
PRIME_FORMAT=2

# The headers whose tracepoint query is cached as a failure (an empty
# object) in SYSTEMTAP_DIR $1, one per line, sorted.
failed_headers() {
	find "$1/cache" -name 'tracequery_*.o' -size 0 2>/dev/null | while read -r o; do
		sed -n 's/^Header Path: //p' "${o%.o}_hash.log" 2>/dev/null | sed 's,.*/include/,,'
	done | sort
}

# Deletes the cached failures of SYSTEMTAP_DIR $1: stap builds them again.
forget_failures() {
	find "$1/cache" -name 'tracequery_*.o' -size 0 | while read -r o; do
		rm -f "$o" "${o%.o}_hash.log"
	done
}

# prime KVER DIR (its variables are its own: sysdir's d, kd and kver
# survive it): builds stap's tracepoint queries for KVER with this
# toolchain into SYSTEMTAP_DIR=DIR (new or empty) and writes DIR's stamp.
# A header that fails is built a second time, verbosely: a failure is cached
# for good, so one that came from a busy machine (and not from the header)
# must not stay; the second build's compiler errors are kept in
# DIR/prime-errors.txt, the headers that still fail in
# DIR/failed-headers.txt.
prime() {
	pk=$1 pd=$2
	pkd=$cache/kernels/$pk$ho
	probe='probe kernel.trace("sched:sched_switch") { println($next->pid) }'
	SYSTEMTAP_DIR=$pd "$0" stap "$tc" "$pk" -p2 -r "$pkd/build" -e "$probe" \
		>/dev/null 2>"$pd/prime.log" && r=ok || r=FAIL
	failed_headers "$pd" >"$pd/failed-first.txt"
	recovered=
	# every query failing is the toolchain's, not the machine's (stap 4.8
	# on >= 6.12: COUNT_ARGS clashes): a second build would fail the same
	nq=$(find "$pd/cache" -name 'tracequery_*.o' | wc -l)
	if [ -s "$pd/failed-first.txt" ] && [ "$(wc -l <"$pd/failed-first.txt")" -lt "$nq" ]; then
		forget_failures "$pd"
		# --vp 04: pass 2 at verbosity 4 shows kbuild's output
		SYSTEMTAP_DIR=$pd "$0" stap "$tc" "$pk" -p2 --vp 04 -r "$pkd/build" -e "$probe" \
			>/dev/null 2>"$pd/prime2.log" && r=ok
		grep -E '(error|Error [0-9]+):' "$pd/prime2.log" | head -n 400 >"$pd/prime-errors.txt" || :
		gzip -f "$pd/prime2.log"
		failed_headers "$pd" >"$pd/failed-headers.txt"
		recovered=$(comm -23 "$pd/failed-first.txt" "$pd/failed-headers.txt" | tr '\n' ' ')
		rm -f "$pd/failed-first.txt"
		[ -z "$recovered" ] || say "$pk: $(stap_id "$pk"): tracepoint queries that failed once and built the second time: $recovered"
	else
		mv "$pd/failed-first.txt" "$pd/failed-headers.txt"
		[ ! -s "$pd/failed-headers.txt" ] ||
			echo "not built a second time: every query failed (see prime.log)" >"$pd/prime-errors.txt"
	fi
	[ $r = ok ] || r="FAIL (kernel.trace probes do not resolve with $(stap_id "$pk"); see ${pd%.tmp}/prime.log)"
	{
		echo "prime=$PRIME_FORMAT"
		echo "tracepoints=$r"
		echo "failed_headers=$(wc -l <"$pd/failed-headers.txt")"
		echo "recovered=$recovered"
	} >"$pd/.stapgen-primed"
}

primed() { grep -qsx "prime=$PRIME_FORMAT" "$1/.stapgen-primed"; }

sysdir() {
	kver=$1
	kd=$cache/kernels/$kver
	[ -e "$kd/.stapgen-ready" ] || die "kernel $kver is not fetched (make kernels)"
	if [ -n "$ho" ]; then
		[ -e "$kd$ho/.stapgen-ready" ] || "$here/../fetch-kernel.sh" --headers-only "$kver" >/dev/null
		kd=$kd$ho
	fi
	# the host's is fetch-kernel.sh's, primed through this script's host
	# toolchain when the kernel is fetched (a headers-only tree's: below)
	d=$kd/stap-$tc
	if [ "$tc" = host ] && [ -z "$ho" ]; then
		primed "$kd" || "$here/../fetch-kernel.sh" --prime-only "$kver" >/dev/null
		echo "$kd/stap"; return 0
	fi
	if ! primed "$d"; then
		exec 7>"$kd/.lock-prime-$tc"
		flock 7
		if ! primed "$d"; then
			rm -rf "$d.tmp"; mkdir -p "$d.tmp"
			say "$kver${ho:+ ($ho tree)}: priming $(stap_id "$kver")'s tracepoint cache (one-off, 1.5-6 min)"
			(prime "$kver" "$d.tmp")  # a subshell: nothing of it leaks into sysdir
			rm -rf "$d"; mv "$d.tmp" "$d"
		fi
		flock -u 7
	fi
	echo "$d"
}

[ -n "$(row toolchain "$tc")" ] ||
	die "unknown toolchain '$tc' (mk/matrix.list has: $(awk '$1 == "toolchain" { printf "%s%s", s, $2; s = " " }' "$list"))"
case $cmd:$tc in
sysdir:*) [ "$tc" = host ] || ensure_chroot "$tc"; sysdir "$1" ;;
# prime TOOLCHAIN KVER DIR (fetch-kernel.sh's host cache: it renames DIR)
prime:*) [ "$tc" = host ] || ensure_chroot "$tc"; prime "$1" "$2" ;;
primed:*) primed "$1" ;;
failed-headers:*) failed_headers "$1" ;;
forget-failures:*) forget_failures "$1" ;;
ensure:host) host_runtime "$1" >/dev/null ;;
ensure:*) ensure_chroot "$tc" ;;
stap:host)
	kver=$1; shift
	rt=$(host_runtime "$kver")
	shim=$(cc_shim "" "$kver")
	[ -z "$shim" ] || PATH=$shim:$PATH
	if [ -n "$rt" ]; then exec stap -R "$rt" "$@"; else exec stap "$@"; fi ;;
stap:*)
	kver=$1; shift
	ensure_chroot "$tc"
	shim=$(cc_shim "$tdir/$tc/root" "$kver")
	# stap 5.6 takes the kernel's functions from /boot/System.map-KVER, not
	# the build tree's System.map: without it no kprobe or uretprobe check
	# sees the kernel ("process return probes not available")
	if [ -n "$ho" ]; then
		export STAPGEN_BOOT="$cache/kernels/$kver$ho/root/boot"
	elif sm=$(readlink -f "$cache/kernels/$kver/build/System.map" 2>/dev/null) && [ -f "$sm" ]; then
		# a /boot of one link, System.map-KVER (the cache is at the same
		# path inside, so the absolute link resolves there too)
		bd=$cache/kernels/$kver/sysmap-boot
		if [ "$(readlink "$bd/System.map-$kver" 2>/dev/null)" != "$sm" ]; then
			mkdir -p "$bd" && ln -sfn "$sm" "$bd/.System.map.$$" && mv -f "$bd/.System.map.$$" "$bd/System.map-$kver"
		fi
		export STAPGEN_BOOT="$bd"
	fi
	in_root "$tc" env PATH="${shim:+$shim:}/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin" stap "$@" ;;
root:host) echo / ;;
root:*) ensure_chroot "$tc"; echo "$tdir/$tc/root" ;;
id:*) stap_id "$1" ;;
*) die "unknown command or toolchain: $cmd $tc" ;;
esac
