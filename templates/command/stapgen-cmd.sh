# stapgen-cmd.sh: the runtime every generated tool command sources (POSIX sh).
# shellcheck shell=sh disable=SC2154 # the command sets tool, sg_flags ... first
#
# A command defines its own part first, then sources this file from its own
# directory (never through PATH or the current directory) and calls sg_main:
#   tool gen_kver spec          names; the kernel release it was generated for
#   sg_mod                      the module's name when built (-m)
#   set_id                      the id stapgen gave this tool's set of files
#   sg_version                  the version of stapgen that wrote it (-V)
#   sg_summary                  the spec's summary ("Tracing: ..." once armed)
#   sg_flags                    stap's flags, as quoted words (sg_q form)
#   sg_formats                  its -f formats, '|'-separated
#   sg_target sg_usyms          1: -p/-c offered; 1: load user symbols for -p/-c
#   sg_needtarget               1: a probe's filter is X == target(): -p/-c required
#   sg_need_kprobes sg_need_uprobes sg_need_kdebug
#                               0 no, 1 needed, 2 only by a fallback probe point
#   sg_npp                      number of probe point arguments (pp_1 ...)
#   sg_ubin sg_ubin_pp          the binary the function or .mark points probe: its
#                               path, or the probe point argument holding it (0: none)
#   sg_usymtab sg_umarks        1: function points need its symbol table; the SDT
#                               markers the .mark points name (blank-separated)
#   sg_ppchars sg_ppmax         the bytes and length a probe point argument may have
#   usage                       prints -h
#   tool_opt ARG...             one of the spec's options: sets sg_shift, or returns 1
#   tool_global NAME VALUE      -G NAME=VALUE, checked as that parameter, or returns 1
#   tool_required               exits 2 when a required parameter is missing
#   tool_pos WORD               a positional [interval [count]] (sg_npos so far), or returns 1
#
# Every value that comes from the command line, /proc or stap reaches stap or
# staprun as exactly one argument: words are collected as quoted text
# (sg_push) and only `eval "set -- ..."` turns them back into arguments.
# Exit status: 0 done; 1 not ready, or stap failed (its status); 2 bad
# options; 3 the parser found lines it could not use; 4 the records ended
# before the script's end report; 5 stap reported lost data.
sg_abi=1
unset CDPATH

# sg_q VALUE: sg_qv is VALUE as one single-quoted shell word.
sg_q() {
	sg_s=$1 sg_qv=
	while :; do
		case $sg_s in
		*\'*) sg_qv="$sg_qv${sg_s%%\'*}'\\''"; sg_s=${sg_s#*\'} ;;
		*) break ;;
		esac
	done
	sg_qv="'$sg_qv$sg_s'"
}
# sg_push LIST WORD...: appends each WORD to the list variable LIST.
sg_push() {
	sg_l=$1
	shift
	for sg_w in "$@"; do
		sg_q "$sg_w"
		eval "$sg_l=\"\${$sg_l} \$sg_qv\""
	done
}
# sg_shown TEXT: TEXT with every byte a terminal would act on as '?'
# (printable ASCII as a range: busybox's tr -c '[:print:]' turns every byte)
sg_shown() { printf '%s' "$1" | LC_ALL=C tr -c '\040-\176' '?'; }
sg_die() { echo "$tool: $*" >&2; exit 2; }
sg_warn() { echo "$tool: warning: $*" >&2; }
# sg_val OPTION ARG...: the option has a value
sg_val() { [ $# -ge 2 ] || sg_die "$1 needs a value (see $sg_prog -h)"; }
# sg_uint WHAT VALUE: a decimal number, at most 18 digits
sg_uint() {
	case $2 in
	'' | *[!0-9]* | ???????????????????*) sg_die "$1: '$(sg_shown "$2")': takes a number" ;;
	esac
}
# sg_pos WHAT VALUE: a number above 0
sg_pos() {
	sg_uint "$1" "$2"
	case $2 in *[!0]*) ;; *) sg_die "$1: takes a number above 0" ;; esac
}
# sg_str WHAT VALUE: a string parameter: one word of a module's option
# string, where the kernel splits at spaces and takes quotes
sg_str() {
	case $2 in
	*[[:space:]\'\"\\]* | *[![:print:]]*) sg_die "$1: spaces, quotes, backslashes and control characters are not allowed" ;;
	esac
}
# sg_setg NAME VALUE: a script global, for stap (-G) and for staprun
sg_setg() {
	sg_push sg_gstap -G "$1=$2"
	sg_push sg_gmod "$1=$2"
	sg_given="$sg_given $1 "
}
sg_given_p() { case $sg_given in *" $1 "*) return 0 ;; esac; return 1; }
# sg_ppcheck WHAT VALUE: a probe point's value: a strict allow-list, so it
# stays one word and inside the probe point's string
# (sg_ppchars, sg_ppmax: the generator's table of them)
sg_ppcheck() {
	case $2 in
	'' | *[!$sg_ppchars]*) sg_die "$1: '$(sg_shown "$2")': a probe point pattern takes only A-Z a-z 0-9 _ * ? . @ / : + -" ;;
	esac
	[ ${#2} -le "$sg_ppmax" ] || sg_die "$1: longer than $sg_ppmax bytes"
}
# sg_pointcheck WHAT VALUE: a whole probe point (a `type: point` parameter,
# stap's $1): the generator's grammar, name[("string")|(N)] joined by '.',
# the string's bytes those of sg_ppchars, so that the value can only be one
# probe point: never a condition (`if (...)`), a second point (`,`) or
# statements, and one word of the shell
sg_pointcheck() {
	sg_pc=$2
	[ -n "$sg_pc" ] || sg_die "$1: empty: a probe point such as kernel.function(\"vfs_*\")"
	[ ${#sg_pc} -le "$sg_ppmax" ] || sg_die "$1: longer than $sg_ppmax bytes"
	while :; do
		sg_pn=${sg_pc%%[!A-Za-z0-9_*]*}
		[ -n "$sg_pn" ] || sg_pointbad "$1" "$2"
		sg_pc=${sg_pc#"$sg_pn"}
		case $sg_pc in
		'("'*)
			sg_pc=${sg_pc#'("'}
			sg_ps=${sg_pc%%'"'*}
			[ "$sg_ps" != "$sg_pc" ] || sg_pointbad "$1" "$2"
			case $sg_ps in *[!$sg_ppchars]*) sg_pointbad "$1" "$2" ;; esac
			sg_pc=${sg_pc#"$sg_ps"'"'}
			case $sg_pc in ')'*) sg_pc=${sg_pc#')'} ;; *) sg_pointbad "$1" "$2" ;; esac ;;
		'('*)
			sg_pc=${sg_pc#'('}
			sg_ps=${sg_pc%%[!0-9]*}
			[ -n "$sg_ps" ] || sg_pointbad "$1" "$2"
			sg_pc=${sg_pc#"$sg_ps"}
			case $sg_pc in ')'*) sg_pc=${sg_pc#')'} ;; *) sg_pointbad "$1" "$2" ;; esac ;;
		esac
		case $sg_pc in
		'') return 0 ;;
		.*) sg_pc=${sg_pc#.} ;;
		*) sg_pointbad "$1" "$2" ;;
		esac
	done
}
sg_pointbad() {
	sg_die "$1: '$(sg_shown "$2")': not a probe point: NAME[(\"STRING\")|(N)] joined by '.', such as module(\"ext4\").function(\"ext4_*\") (a string takes only A-Z a-z 0-9 _ * ? . @ / : + -)"
}
# sg_path VALUE: VALUE as a path no program takes for an option
sg_path() {
	case $1 in -*) sg_pv=./$1 ;; *) sg_pv=$1 ;; esac
}

# sg_maps_syms PID: -d FILE for every executable file PID has mapped, if the
# file at that path is the one mapped (/proc/PID/map_files): a path in another
# mount namespace, or replaced since, names another file, and a FIFO or a
# device is never opened.  The traced process chooses its paths: each is one
# argument, and what is shown of it is escaped.
sg_maps_syms() {
	sg_seen=' '
	[ -r "/proc/$1/maps" ] || { sg_warn "cannot read /proc/$1/maps: no user-space symbols"; return 0; }
	# shellcheck disable=SC2034 # the offset is read to reach the fields after it
	while read -r sg_r sg_perm sg_off sg_dev sg_ino sg_p; do
		case $sg_perm in *x*) ;; *) continue ;; esac
		case $sg_p in /*) ;; *) continue ;; esac
		[ "$sg_ino" != 0 ] || continue
		case $sg_seen in *" $sg_dev:$sg_ino "*) continue ;; esac
		sg_seen="$sg_seen$sg_dev:$sg_ino "
		# -ef (same device and inode): dash, bash and busybox sh have it
		# shellcheck disable=SC3013
		if [ -f "$sg_p" ] && [ "$sg_p" -ef "/proc/$1/map_files/$sg_r" ]; then
			sg_push sg_syms -d "$sg_p"
		else
			sg_warn "no symbols for $(sg_shown "$sg_p"): the file at that path is not the one process $1 has mapped (deleted or replaced since, or in another mount namespace)"
		fi
	done <"/proc/$1/maps"
}

# ---- preflight: what the tool needs from the host (--check runs it alone).
# STAPGEN_ROOT=DIR looks for the files below under DIR instead of / (tests).
sg_say() { if [ "$sg_check" = 1 ]; then echo "$tool: $*"; else echo "$tool: $*" >&2; fi; }
sg_ok() { [ "$sg_check" = 0 ] || echo "$tool: ok: $*"; }
# sg_miss WHAT [PACKAGE...]: the packages go into the install line (sg_fix)
sg_miss() {
	sg_bad=1
	sg_say "missing: $1"
	shift
	for sg_w in "$@"; do sg_pkgs="$sg_pkgs $sg_w"; done
}
# sg_osval VALUE: sg_v is an os-release VALUE without its quotes, or '' if
# it is not of the form os-release gives IDs (a-z 0-9 . _ -, and spaces
# between ID_LIKE's words).  The file is text, never sourced.
sg_osval() {
	sg_v=$1
	case $sg_v in
	\"*\") sg_v=${sg_v#\"} sg_v=${sg_v%\"} ;;
	\'*\') sg_v=${sg_v#\'} sg_v=${sg_v%\'} ;;
	esac
	case $sg_v in *[!a-z0-9._\ -]*) sg_v='' ;; esac
}
# sg_distro: which distribution's packages and paths to name, from
# /etc/os-release (else /usr/lib/os-release): its ID, else the first word
# of ID_LIKE stapgen knows.  Sets sg_os (debian ubuntu rh suse, '' unknown),
# sg_osname (what is shown), the build tree (sg_tree) and debuginfo path
# (sg_dbgpath) it installs, and their packages (sg_hpkg, sg_dpkg).
sg_distro() {
	sg_id='' sg_like='' sg_osver='' sg_code='' sg_os='' sg_rawid=''
	sg_f=$sg_root/etc/os-release
	[ -f "$sg_f" ] || sg_f=$sg_root/usr/lib/os-release
	if [ -f "$sg_f" ] && [ -r "$sg_f" ]; then
		while IFS= read -r sg_line || [ -n "$sg_line" ]; do
			case $sg_line in
			ID=*) sg_rawid=${sg_line#ID=}; sg_osval "$sg_rawid"; case $sg_v in *' '*) sg_v='' ;; esac; sg_id=$sg_v ;;
			ID_LIKE=*) sg_osval "${sg_line#ID_LIKE=}"; sg_like=$sg_v ;;
			VERSION_ID=*) sg_osval "${sg_line#VERSION_ID=}"; sg_osver=${sg_v%%.*} ;;
			VERSION_CODENAME=*) sg_osval "${sg_line#VERSION_CODENAME=}"; sg_code=$sg_v ;;
			esac
		done <"$sg_f"
	fi
	case $sg_osver in '' | *[!0-9]*) sg_osver=0 ;; esac
	for sg_w in $sg_id $sg_like; do
		case $sg_w in
		debian) sg_os=debian ;;
		ubuntu) sg_os=ubuntu ;;
		rhel | centos | rocky | almalinux | ol | fedora) sg_os=rh ;;
		sles | sled | suse | opensuse*) sg_os=suse ;;
		*) continue ;;
		esac
		break
	done
	sg_osname=${sg_id:-$(sg_shown "$sg_rawid")}
	sg_arch=$(uname -m)
	sg_tree=/lib/modules/$sg_rel/build
	case $sg_os in
	debian | ubuntu)
		sg_hpkg=linux-headers-$sg_rel sg_dbgpath=/usr/lib/debug/boot/vmlinux-$sg_rel
		if [ "$sg_os" = debian ]; then sg_dpkg=linux-image-$sg_rel-dbg; else sg_dpkg=linux-image-$sg_rel-dbgsym; fi ;;
	rh)
		sg_tree=/usr/src/kernels/$sg_rel sg_hpkg=kernel-devel-$sg_rel
		sg_dbgpath=/usr/lib/debug/lib/modules/$sg_rel/vmlinux
		sg_dpkg="kernel-debuginfo-$sg_rel kernel-debuginfo-common-$sg_arch-$sg_rel"
		# yum up to RHEL 7 (and Amazon Linux 2), dnf since
		if [ "$sg_id" != fedora ] && [ "$sg_osver" -le 7 ]; then sg_pm=yum; else sg_pm=dnf; fi ;;
	suse)
		# REL is VERSION-FLAVOR: 5.14.21-150500.55.39-default
		sg_tree=/usr/src/linux-${sg_rel%-*}-obj/$sg_arch/${sg_rel##*-}
		sg_hpkg=kernel-${sg_rel##*-}-devel-${sg_rel%-*}
		sg_dbgpath=/usr/lib/debug/boot/vmlinux-$sg_rel.debug
		sg_dpkg=kernel-${sg_rel##*-}-debuginfo-${sg_rel%-*} ;;
	*) sg_hpkg='' sg_dpkg='' sg_dbgpath=/usr/lib/debug/lib/modules/$sg_rel/vmlinux ;;
	esac
}
# sg_dfix: sg_dcmd is the command that installs the kernel's debuginfo
sg_dfix() {
	case $sg_os in
	debian) sg_dcmd="apt-get install $sg_dpkg" ;;
	ubuntu) sg_dcmd="apt-get install $sg_dpkg, from Ubuntu's ddebs archive" ;;
	rh) if [ "$sg_pm" = yum ]; then sg_dcmd=debuginfo-install; else sg_dcmd='dnf debuginfo-install'; fi
		sg_dcmd="$sg_dcmd kernel-$sg_rel (it enables the debuginfo repository and installs $sg_dpkg)" ;;
	suse) sg_dcmd="zypper --plus-content debug install $sg_dpkg" ;;
	*) sg_dcmd="this distribution's debuginfo package of kernel $sg_rel" ;;
	esac
}
# sg_fix: how to install what is missing (sg_pkgs), one line a command
sg_fix() {
	[ -n "$sg_pkgs" ] || [ "$sg_kmiss" = 1 ] || return 0
	sg_sys='' sg_dbg=''
	for sg_w in $sg_pkgs; do
		case " $sg_dpkg " in *" $sg_w "*) sg_dbg="$sg_dbg $sg_w" ;; *) sg_sys="$sg_sys $sg_w" ;; esac
	done
	sg_dfix
	case $sg_os in
	debian | ubuntu)
		sg_say "to fix: apt-get install$sg_sys$sg_dbg"
		[ "$sg_os" = debian ] || [ -z "$sg_dbg" ] ||
			sg_say "note: $sg_dpkg is in Ubuntu's debug symbol archive (ddebs), which apt does not have by default: apt-get install ubuntu-dbgsym-keyring, add the ddebs archive's suites ${sg_code:-CODENAME} and ${sg_code:-CODENAME}-updates under /etc/apt/sources.list.d/, apt-get update" ;;
	rh)
		[ -z "$sg_sys" ] || sg_say "to fix: $sg_pm install$sg_sys"
		if [ -n "$sg_dbg" ]; then
			sg_say "to fix: $sg_dcmd"
			if [ "$sg_id" = rhel ]; then
				if [ "$sg_osver" -le 7 ]; then sg_w=rhel-$sg_osver-server-debug-rpms; else sg_w=rhel-$sg_osver-for-$sg_arch-baseos-debug-rpms; fi
				sg_say "note: on RHEL the debuginfo repository comes with the subscription: subscription-manager repos --enable=$sg_w"
			fi
		fi ;;
	suse)
		if [ -n "$sg_dbg" ]; then sg_w='zypper --plus-content debug install'; else sg_w='zypper install'; fi
		sg_say "to fix: $sg_w$sg_sys$sg_dbg" ;;
	*)
		sg_say "to fix: install this kernel's build tree and debuginfo from this distribution's packages${sg_sys:+, and$sg_sys}: stapgen names the packages of Debian, Ubuntu, RHEL, CentOS, Rocky, Alma, Oracle Linux, Fedora and SUSE, not of this one (ID=${sg_osname:-none} in /etc/os-release)" ;;
	esac
}
# sg_relmatch GEN REL: a tool generated for release GEN serves release REL:
# the same, or GEN is REL up to one of its . - + _ ~ (3.10.0-957 and
# 3.10.0-957.el7 serve 3.10.0-957.27.2.el7.x86_64, 3.10.0-9 does not)
sg_relmatch() {
	case $2 in "$1" | "$1"[-.+_~]*) return 0 ;; esac
	return 1
}
# sg_kfeature CONFIG_X SYMBOL WHAT LEVEL: is the kernel built with CONFIG_X?
sg_kfeature() {
	if [ -r "$sg_root/boot/config-$sg_rel" ]; then
		sg_have=$(grep -c "^$1=y" "$sg_root/boot/config-$sg_rel" || :)
	elif [ -r "$sg_root/proc/config.gz" ]; then
		sg_have=$(gzip -dc "$sg_root/proc/config.gz" | grep -c "^$1=y" || :)
	elif [ -r "$sg_root/proc/kallsyms" ]; then
		sg_have=$(grep -c " [Tt] $2\$" "$sg_root/proc/kallsyms" || :)
	else
		sg_say "warning: cannot tell whether this kernel has $1 (no /boot/config-$sg_rel, /proc/config.gz or /proc/kallsyms)"
		return 0
	fi
	if [ "$sg_have" != 0 ]; then
		sg_ok "$3 ($1)"
	elif [ "$4" = 2 ]; then
		sg_say "warning: this kernel has no $1: $3 (only for fallback probe points)"
	else
		sg_miss "$3: this kernel is built without $1 (no package adds it: it needs a kernel built with $1=y)"
	fi
}
# sg_upkg PATH: sg_up is how to install PATH's debug symbols on this
# distribution, naming its package when the package manager knows the file.
sg_upkg() {
	sg_pk=''
	case $sg_os in
	debian | ubuntu)
		for sg_w in "$1" "${1#/usr}" "/usr$1"; do
			[ -n "$sg_pk" ] || sg_pk=$(dpkg -S "$sg_w" 2>/dev/null | sed -n '/^diversion /d; s/[:,].*//p' | head -n 1) || sg_pk=''
		done ;;
	rh | suse) sg_pk=$(rpm -qf --qf '%{NAME}\n' "$1" 2>/dev/null | head -n 1) || sg_pk='' ;;
	esac
	case $sg_pk in *[!a-zA-Z0-9.+_-]*) sg_pk='' ;; esac
	case $sg_os in
	debian) sg_up="apt-get install ${sg_pk:-PACKAGE}-dbgsym, from Debian's debug archive (its ${sg_code:-CODENAME}-debug suite; a few packages have ${sg_pk:-PACKAGE}-dbg instead)" ;;
	ubuntu) sg_up="apt-get install ${sg_pk:-PACKAGE}-dbgsym, from Ubuntu's ddebs archive" ;;
	rh) sg_up="debuginfo-install ${sg_pk:-PACKAGE}" ;;
	suse) sg_up="zypper --plus-content debug install ${sg_pk:-PACKAGE}-debuginfo" ;;
	*) sg_up="this distribution's debug symbols of ${sg_pk:-the package that has it}" ;;
	esac
	[ -n "$sg_pk" ] || sg_up="$sg_up (PACKAGE: the one that has it; the package manager does not know the file)"
}
# sg_ucheck: the binary the user-space points probe exists, is an ELF
# file, and has what they need: a symbol table for function points
# (sg_usymcheck), each SDT marker the .mark points name (sg_umarkcheck).
sg_ucheck() {
	sg_ub=$sg_ubin
	[ "$sg_ubin_pp" = 0 ] || eval "sg_ub=\${pp_$sg_ubin_pp}"
	[ -n "$sg_ub" ] || return 0
	sg_us=$(sg_shown "$sg_ub")
	case $sg_ub in */*) ;; *) sg_ub=$(command -v -- "$sg_ub" 2>/dev/null) || sg_ub=$sg_us ;; esac	# stap looks a bare name up in PATH
	if [ ! -f "$sg_root$sg_ub" ]; then
		sg_miss "the binary $sg_us the tool probes (no such file)"
		return 0
	fi
	if ! command -v readelf >/dev/null; then
		sg_say "warning: cannot tell whether $sg_us has what the tool probes (no readelf: binutils)"
		return 0
	fi
	[ "$sg_usymtab" = 0 ] || sg_usymcheck
	[ -z "$sg_umarks" ] || sg_umarkcheck
}
# sg_usymcheck: stap finds a function uprobe's function by name in the
# binary's symbol table (.symtab), its separate debug file (by build id), or
# only among the exported ones (.dynsym); none of them: nothing to probe.
sg_usymcheck() {
	if ! sg_sec=$(LC_ALL=C readelf -S -W "$sg_root$sg_ub" 2>/dev/null); then
		sg_miss "the binary $sg_us the tool probes: not an ELF file (readelf -S fails)"
		return 0
	fi
	case $sg_sec in *' .symtab '*) sg_ok "symbol table of $sg_us"; return 0 ;; esac
	sg_bid=$(LC_ALL=C readelf -n "$sg_root$sg_ub" 2>/dev/null | sed -n 's/^ *Build ID: *\([0-9a-f][0-9a-f]*\)$/\1/p' | head -n 1) || sg_bid=''
	if [ -n "$sg_bid" ]; then
		sg_w=/usr/lib/debug/.build-id/$(printf '%.2s' "$sg_bid")/${sg_bid#??}.debug
		if [ -f "$sg_root$sg_w" ]; then sg_ok "debug symbols of $sg_us ($sg_w)"; return 0; fi
	fi
	sg_upkg "$sg_ub"
	case $sg_sec in
	*' .dynsym '*) sg_say "warning: $sg_us has no symbol table (.symtab), only its exported functions (.dynsym): a function it does not export is not found; its symbols: $sg_up" ;;
	*) sg_miss "a symbol table in $sg_us: it is stripped (no .symtab, no .dynsym), so no function in it can be probed by name; its symbols: $sg_up" ;;
	esac
}
# sg_umarkcheck: a .mark point needs its SDT marker among the binary's
# notes (.note.stapsdt, as readelf -n lists them): a program built without
# its markers has nothing to probe there.
sg_umarkcheck() {
	if ! sg_notes=$(LC_ALL=C readelf -n "$sg_root$sg_ub" 2>/dev/null); then
		sg_miss "the binary $sg_us the tool probes: not an ELF file (readelf -n fails)"
		return 0
	fi
	for sg_w in $sg_umarks; do
		case $sg_notes in
		*"Name: $sg_w
"*) sg_ok "SDT marker $sg_w in $sg_us" ;;
		*) sg_miss "the SDT marker $sg_w in $sg_us: readelf -n lists no such marker (a build without its SDT markers: sys/sdt.h, CPython's --with-dtrace)" ;;
		esac
	done
}
sg_preflight() {
	case $gen_kver in
	[0-9]*.[0-9]*)
		sg_relmatch "$gen_kver" "$sg_rel" ||
			sg_say "warning: generated for kernel $gen_kver, this one is $(sg_shown "$sg_rel") (make tools KVER=$(sg_shown "$sg_rel"))" ;;
	esac
	sg_distro
	if [ "$sg_use_parse" = 1 ]; then
		if [ -x "$sg_parse" ]; then sg_ok "parser $sg_parse"; else sg_miss "the parser $sg_parse (make tools builds it)"; fi
	fi
	if [ -z "$sg_build" ]; then
		if [ -e "$sg_root/proc/modules" ]; then
			sg_ok "loadable kernel modules"
		else
			sg_miss "loadable kernel modules (no /proc/modules): the tool runs as a kernel module, this kernel is built without CONFIG_MODULES"
		fi
		[ "$(id -u)" = 0 ] || sg_say "warning: not root: staprun needs root or the stapusr group"
		[ "$sg_need_kprobes" = 0 ] || sg_kfeature CONFIG_KPROBES register_kprobe "kprobes, for kernel function probes" "$sg_need_kprobes"
		[ "$sg_need_uprobes" = 0 ] || sg_kfeature CONFIG_UPROBES uprobe_register "uprobes, for user-space probes" "$sg_need_uprobes"
	fi
	if [ -n "$sg_module" ]; then
		if command -v staprun >/dev/null; then sg_ok "staprun"; else sg_miss "staprun, which runs a built module" systemtap-runtime; fi
		if [ -f "$sg_module" ] && [ -r "$sg_module" ]; then sg_ok "module $(sg_shown "$sg_module")"; else sg_miss "the module $(sg_shown "$sg_module") (a readable file)"; fi
		return 0
	fi
	# the distribution's tree, and /lib/modules/REL/build (a link to it there)
	if [ -e "$sg_root$sg_tree/.config" ]; then
		sg_ok "kernel build tree $sg_tree"
	elif [ -e "$sg_root/lib/modules/$sg_rel/build/.config" ]; then
		sg_ok "kernel build tree /lib/modules/$sg_rel/build"
	else
		sg_kmiss=1
		sg_miss "the kernel build tree $sg_tree (stap compiles the tool against it${sg_hpkg:+: $sg_hpkg})" ${sg_hpkg:+"$sg_hpkg"}
	fi
	if [ "$sg_need_kdebug" != 0 ]; then
		sg_dbg=''
		for sg_f in "$sg_dbgpath" "/usr/lib/debug/boot/vmlinux-$sg_rel" "/usr/lib/debug/lib/modules/$sg_rel/vmlinux" \
			"/usr/lib/debug/boot/vmlinux-$sg_rel.debug" "/boot/vmlinux-$sg_rel" "/lib/modules/$sg_rel/build/vmlinux"; do
			if [ -z "$sg_dbg" ] && [ -e "$sg_root$sg_f" ]; then sg_dbg=$sg_f; fi
		done
		if [ -n "$sg_dbg" ]; then
			sg_ok "kernel debuginfo $sg_dbg"
		elif [ -n "${DEBUGINFOD_URLS:-}" ]; then
			sg_say "warning: no local kernel debuginfo: stap will ask debuginfod ($(sg_shown "$DEBUGINFOD_URLS"))"
		elif [ "$sg_need_kdebug" = 2 ]; then
			sg_dfix
			sg_say "warning: no kernel debuginfo ($sg_dbgpath, a vmlinux with DWARF): only needed if a fallback probe point is used (to install: $sg_dcmd)"
		else
			sg_kmiss=1
			# shellcheck disable=SC2086 # sg_dpkg: its packages, as words
			sg_miss "the kernel's debuginfo $sg_dbgpath, a vmlinux with DWARF (BTF is not enough for stap): the tool probes kernel functions or reads kernel structures${sg_dpkg:+ ($sg_dpkg)}" $sg_dpkg
		fi
	fi
	[ "$sg_need_uprobes" = 0 ] || sg_ucheck
	if ! command -v stap >/dev/null; then
		sg_miss "stap" systemtap
		return 0
	fi
	sg_ver=$(stap -V 2>&1 || :)
	sg_top=$(echo "$sg_ver" | sed -n 's/^tested kernel versions: .*\.\.\. *//p')
	if [ -z "$sg_top" ]; then
		sg_say "warning: cannot tell which kernels this stap supports (stap -V)"
	elif awk -v a="$sg_rel" -v b="$sg_top" 'BEGIN { split(a, x, /[.-]/); split(b, y, /[.-]/)
		exit !(x[1] + 0 > y[1] + 0 || (x[1] + 0 == y[1] + 0 && x[2] + 0 > y[2] + 0)) }'; then
		sg_miss "a stap that knows this kernel: $(echo "$sg_ver" | sed -n 's/^Systemtap translator\/driver (version \([^/ ]*\).*/stap \1/p') is tested up to $sg_top, this kernel is $sg_rel: a newer systemtap (a later release of this distribution's, or one built from source)"
	else
		sg_ok "stap (tested up to $sg_top)"
	fi
}

# ---- this command's own set of files
# sg_pin: opens the script and the parser once and checks that they carry
# set_id (make tools may be replacing them right now, one rename at a time);
# sg_run copies them from those descriptors into its private directory, so a
# file renamed over later is not the one run.  sg_run_script and
# sg_run_parse name what to run.
sg_pin() {
	sg_run_script=$sg_script sg_run_parse=$sg_parse
	exec 7<&- 8<&-
	if [ -e "$sg_script" ]; then
		command exec 7<"$sg_script" || return 1
		sg_run_script=/proc/$$/fd/7
		head -n 12 "$sg_run_script" | grep -qF "(stapgen set $set_id)." || return 1
	fi
	if [ -e "$sg_parse" ]; then
		command exec 8<"$sg_parse" || return 1
		sg_run_parse=/proc/$$/fd/8
		# a binary: NUL bytes as line ends, for a grep that stops at them (busybox)
		tr '\000' '\n' <"$sg_run_parse" | grep -qF "stapgen set $set_id" || return 1
	fi
}
# sg_pin_set ARG...: waits for a writer to finish; runs the command that
# replaced this one, if it was replaced
sg_pin_set() {
	sg_tries=${STAPGEN_SET_TRIES:-0}
	until sg_pin; do
		sg_tries=$((sg_tries + 1))
		if [ "$sg_tries" -gt 10 ]; then
			echo "$tool: $sg_script or $sg_parse is not of this command's set $set_id (make tools)" >&2
			exit 1
		fi
		if ! grep -qxF "set_id=$set_id" "$0"; then
			export STAPGEN_SET_TRIES="$sg_tries"
			exec "$0" "$@"
		fi
		[ "$sg_tries" -le 3 ] || sleep 1
	done
}

# ---- the command line
# sg_named: the usage text with the command named as installed (sg_prog):
# its usage line and example lines start with the tool's name (an
# example's "# what" column stays where it was)
sg_named() {
	if [ "$sg_prog" = "$tool" ]; then cat; return; fi
	sg_w='' sg_i=${#tool}
	while [ "$sg_i" -lt ${#sg_prog} ]; do sg_w="$sg_w " sg_i=$((sg_i + 1)); done
	sed -e "s/^usage: $tool /usage: $sg_prog /" -e "s/^  $tool\$/  $sg_prog/" \
		-e "/^  $tool /{s/^  $tool /  $sg_prog /;s/$sg_w\( #\)/\1/;}"
}
sg_main() {
	case $sg_abi in 1) ;; *) echo "$tool: this command needs stapgen-cmd.sh ABI 1" >&2; exit 2 ;; esac
	# STAPGEN_PROG: the name make install's bin/ wrapper runs the tool as
	# (TOOL-stap), for -h and "see ... -h"; not passed on to what it runs
	sg_prog=$tool
	case ${STAPGEN_PROG:-} in '' | *[!A-Za-z0-9_.+-]*) ;; *) sg_prog=$STAPGEN_PROG ;; esac
	unset STAPGEN_PROG
	sg_script=$sg_here/$tool.stp sg_parse=$sg_here/parsers/$tool-parse
	sg_pin_set "$@"
	sg_a='' sg_syms='' sg_gstap='' sg_gmod='' sg_given=' ' sg_pp='' sg_ppgiven=''
	sg_fmt=table sg_secs='' sg_raw=0 sg_pid='' sg_cmd='' sg_out='' sg_size='' sg_bg=0
	# shellcheck disable=SC2034 # sg_npos: read by the command's tool_pos
	sg_build='' sg_module='' sg_check=0 sg_nocheck=0 sg_npos=0
	# -f svg: the flame graph's subtitle is the command line
	sg_cmdline="$tool${*:+ $*}"
	while [ $# -gt 0 ]; do
		sg_shift=0
		if tool_opt "$@"; then
			shift "$sg_shift"
			continue
		fi
		case $1 in
		-p)
			[ "$sg_target" = 1 ] || sg_die "unknown option '-p' (see $sg_prog -h)"
			sg_val "$@"
			sg_uint -p "$2"
			[ -d "/proc/$2" ] || { echo "$tool: -p: no process $2" >&2; exit 1; }
			sg_pid=$2
			shift 2 ;;
		-c)
			[ "$sg_target" = 1 ] || sg_die "unknown option '-c' (see $sg_prog -h)"
			sg_val "$@"
			[ -n "$2" ] || sg_die "-c: an empty command"
			sg_cmd=$2
			shift 2 ;;
		-t) sg_val "$@"; sg_pos -t "$2"; sg_secs=$2; shift 2 ;;
		-a)
			sg_val "$@"
			# root's own stap options: split into words, never globbed (set -f)
			for sg_w in $2; do sg_push sg_a "$sg_w"; done
			shift 2 ;;
		-f) sg_val "$@"; sg_fmt=$2; shift 2 ;;
		--raw) sg_raw=1; shift ;;
		-o) sg_val "$@"; [ -n "$2" ] || sg_die "-o: an empty file name"; sg_out=$2; shift 2 ;;
		-S)
			sg_val "$@"
			case $2 in '' | *[!0-9,]* | ,* | *, | *,*,*) sg_die "-S takes SIZE or SIZE,N" ;; esac
			sg_size=$2
			shift 2 ;;
		-F | --background) sg_bg=1; shift ;;
		--build-module) sg_val "$@"; [ -n "$2" ] || sg_die "--build-module: an empty directory name"; sg_build=$2; shift 2 ;;
		--module)
			sg_val "$@"
			case $2 in *.ko) ;; *) sg_die "--module: '$(sg_shown "$2")': a module file, NAME.ko" ;; esac
			sg_module=$2
			shift 2 ;;
		--check) sg_check=1; shift ;;
		--no-check) sg_nocheck=1; shift ;;
		-d) cat "$sg_run_script"; exit 0 ;;
		-h | --help) usage | sg_named; exit 0 ;;
		-V | --version) echo "$tool (stapgen $sg_version, from $spec for kernel $gen_kver, set $set_id)"; exit 0 ;;
		-G)
			sg_val "$@"
			case $2 in
			[A-Za-z_]*=*) ;;
			*) sg_die "-G: '$(sg_shown "$2")': takes NAME=VALUE" ;;
			esac
			sg_n=${2%%=*}
			case $sg_n in *[!A-Za-z0-9_]*) sg_die "-G: '$(sg_shown "$sg_n")': not a parameter name" ;; esac
			tool_global "$sg_n" "${2#*=}" || sg_die "-G: '$sg_n': this tool has no such parameter (see $sg_prog -h)"
			shift 2 ;;
		*)
			case $1 in -*) sg_die "unknown option '$(sg_shown "$1")' (see $sg_prog -h)" ;; esac
			# the toolkits' [interval [count]], for tools with periodic reports
			if tool_pos "$1"; then shift; continue; fi
			sg_die "unexpected argument '$(sg_shown "$1")' (see $sg_prog -h)" ;;
		esac
	done
	tool_required
	[ -z "$sg_pid" ] || [ -z "$sg_cmd" ] || sg_die "-p and -c exclude each other"
	# a tool whose filters hold only for the target traces nothing without one
	[ "$sg_needtarget" = 0 ] || [ -n "$sg_pid$sg_cmd" ] || [ "$sg_check" = 1 ] || [ -n "$sg_build" ] ||
		sg_die "-p PID or -c 'CMD' is required: the tool traces one process (its probes' filters compare with target())"
	[ -z "$sg_size" ] || [ -n "$sg_out" ] || sg_die "-S needs -o FILE"
	case "|$sg_formats|" in
	*"|$sg_fmt|"*) ;;
	*) sg_die "-f: '$(sg_shown "$sg_fmt")': the formats of this tool are $sg_formats" ;;
	esac
	[ -z "$sg_secs" ] || [ "$sg_bg" = 0 ] || sg_die "-t and -F exclude each other"
	[ -z "$sg_build" ] || [ -z "$sg_module" ] || sg_die "--build-module and --module exclude each other"
	[ -z "$sg_module" ] || [ -z "$sg_a" ] || sg_die "-a: stap options do not apply to a built module (give them to --build-module)"
	if [ "$sg_npp" -gt 0 ]; then
		[ -z "$sg_module" ] || [ -z "$sg_ppgiven" ] ||
			sg_die "$sg_ppgiven: a module built with --build-module probes the pattern it was built with; give $sg_ppgiven to --build-module"
		sg_i=1
		while [ "$sg_i" -le "$sg_npp" ]; do
			eval "sg_push sg_pp \"\$pp_$sg_i\""
			sg_i=$((sg_i + 1))
		done
	fi
	sg_use_parse=1
	if [ "$sg_raw" = 1 ] || [ -n "$sg_out" ] || [ "$sg_bg" = 1 ] || [ -n "$sg_build" ]; then sg_use_parse=0; fi
	sg_root=${STAPGEN_ROOT:-}
	sg_bad=0 sg_pkgs='' sg_kmiss=0
	if [ "$sg_check" = 1 ] || [ "$sg_nocheck" = 0 ]; then
		sg_rel=$(uname -r)
		sg_preflight
		sg_fix
		if [ "$sg_check" = 1 ]; then
			[ "$sg_bad" = 1 ] || echo "$tool: ready"
			exit "$sg_bad"
		fi
		[ "$sg_bad" = 0 ] || { echo "$tool: not ready (--check lists what it needs; --no-check runs anyway)" >&2; exit 1; }
	fi
	# user-space symbols: what the process has mapped (-p), or what CMD loads (-c)
	if [ "$sg_usyms" = 1 ] && [ -z "$sg_module" ]; then
		if [ -n "$sg_pid" ]; then sg_maps_syms "$sg_pid"; elif [ -n "$sg_cmd" ]; then sg_push sg_syms --ldd; fi
	fi
	# shellcheck disable=SC2119
	sg_run
}

# ---- the run: the command line, as words
# sg_argv: sg_words, the program to run and its arguments, as quoted words
sg_argv() {
	sg_words=''
	if [ -n "$sg_build" ]; then
		sg_push sg_words stap -p4 -m "$sg_mod"
		sg_words="$sg_words $sg_flags $sg_a $sg_syms $sg_gstap"
		sg_push sg_words "$sg_run_script"
		sg_words="$sg_words $sg_pp"
		return 0
	fi
	if [ -n "$sg_module" ]; then
		sg_words=staprun
	else
		sg_words="stap $sg_flags $sg_a $sg_syms"
	fi
	[ -z "$sg_pid" ] || sg_push sg_words -x "$sg_pid"
	[ -z "$sg_cmd" ] || sg_push sg_words -c "$sg_cmd"
	[ -z "$sg_out" ] || sg_push sg_words -o "$sg_out"
	[ -z "$sg_size" ] || sg_push sg_words -S "$sg_size"
	if [ -n "$sg_module" ]; then
		# staprun -D (in the background, into -o FILE) or -L (load, start, detach)
		if [ "$sg_bg" = 1 ] && [ -n "$sg_out" ]; then sg_words="$sg_words -D"; elif [ "$sg_bg" = 1 ]; then sg_words="$sg_words -L"; fi
		sg_path "$sg_module"
		# the parameters as module options NAME=VALUE, as stap -G sets them
		sg_push sg_words "$sg_pv"
		sg_words="$sg_words $sg_gmod"
	else
		[ "$sg_bg" = 0 ] || sg_push sg_words -F -m "$sg_mod"
		sg_words="$sg_words $sg_gstap"
		sg_push sg_words "$sg_run_script"
		sg_words="$sg_words $sg_pp"
	fi
	# The watcher (sg_watch) runs the command; a parsed run's parser
	# creates sg_tmp/armed on the script's first record (its begin probe:
	# the probes are armed): then "Tracing: ..." is shown, and -t SECONDS
	# counts from there, not from stap's start (which includes compiling).
	# Unparsed runs (--raw, -o) have no such signal: -t counts from the start.
	if [ "$sg_bg" = 0 ] && { [ -n "$sg_secs" ] || [ "$sg_use_parse" = 1 ]; }; then
		sg_cmdwords=$sg_words
		sg_words=''
		if [ "$sg_use_parse" = 1 ]; then
			sg_push sg_words sh -c "$sg_watch" sh "${sg_secs:-0}" "$sg_tmp/armed" \
				"Tracing: $sg_summary... Hit Ctrl-C to end."
		else
			sg_push sg_words sh -c "$sg_watch" sh "$sg_secs" '' ''
		fi
		sg_words="$sg_words $sg_cmdwords"
	fi
}
# sg_watch: sh -c's script: SECS FILE MESSAGE PROGRAM ARG... runs PROGRAM
# in this process (exec: it stays in the foreground, gets Ctrl-C itself,
# and its status is the command's).  In the background it waits for FILE
# (none: it does not wait), shows MESSAGE on fd 5 (the terminal's stderr),
# then after SECS seconds (0: never) sends PROGRAM SIGINT, which lets stap
# run its end probes: the final report is printed.  Each tick it checks
# that the process is still PROGRAM (its pid and start time,
# /proc/PID/stat's 22nd field): it never signals a process that took
# PROGRAM's pid, and ends within a tick of it.  It holds none of PROGRAM's
# files (the pipe to the parser, stderr's log).  No GNU timeout: busybox's
# has no --foreground, and it would count from stap's start.
# shellcheck disable=SC2016 # expanded by that sh, not here
sg_watch='p=$$ n=$1 f=$2 m=$3
shift 3
started() {
	s=
	read -r st <"/proc/$p/stat" || return 0
	set -- ${st##*[)]}
	[ $# -ge 20 ] || return 0
	s=${20}
}
started
t=$s
(
	# a tick of 0.2 s where sleep takes fractions (GNU, busybox), else 1 s
	if sleep 0.01 2>/dev/null; then d=0.2 k=5; else d=1 k=1; fi
	tick() {
		sleep "$d"
		started
		[ -n "$t" ] && [ "$s" = "$t" ] || exit 0
	}
	if [ -n "$f" ]; then
		until [ -e "$f" ]; do tick; done
		printf "%s\n" "$m" >&5
	fi
	exec 5>&-
	[ "$n" -gt 0 ] || exit 0
	i=0
	while [ "$i" -lt $((n * k)) ]; do
		tick
		i=$((i + 1))
	done
	kill -s INT "$p"
) </dev/null >/dev/null 2>&1 &
exec "$@" 5>&-'

# shellcheck disable=SC2120 # its arguments are sg_argv's words (eval set --)
sg_run() {
	# a private directory: this set's script and parser, and stap's stderr
	sg_tmp=$(mktemp -d "${TMPDIR:-/tmp}/$tool.XXXXXX") || exit 1
	trap 'rm -rf "$sg_tmp"' EXIT
	if [ "$sg_run_script" != "$sg_script" ]; then
		cat "$sg_run_script" >"$sg_tmp/$tool.stp" || exit 1
		sg_run_script=$sg_tmp/$tool.stp
	fi
	if [ "$sg_run_parse" != "$sg_parse" ]; then
		cat "$sg_run_parse" >"$sg_tmp/$tool-parse" && chmod 700 "$sg_tmp/$tool-parse" || exit 1
		sg_run_parse=$sg_tmp/$tool-parse
	fi
	exec 7<&- 8<&-
	sg_argv
	eval "set -- $sg_words"
	if [ -n "$sg_build" ]; then
		sg_path "$sg_build"
		mkdir -p "$sg_pv"
		(cd "$sg_pv" && "$@" >/dev/null) || exit
		echo "$tool: built $sg_build/$sg_mod.ko; run it (staprun, no compiler needed): $0 --module $sg_build/$sg_mod.ko [options]" >&2
		exit 0
	fi
	if [ -n "$sg_module" ]; then
		sg_mname=${sg_module##*/}
		sg_mname=${sg_mname%.ko}
	else
		sg_mname=$sg_mod
	fi
	if [ "$sg_bg" = 1 ]; then
		"$@" || exit
		if [ -n "$sg_out" ]; then
			echo "$tool: running in the background, records into $sg_out (with -S: $sg_out.N); parse: $sg_parse FILE; stop: kill PID, the pid printed above" >&2
		else
			echo "$tool: running in the background; attach: staprun -A $sg_mname | $sg_parse -f $sg_fmt (Ctrl-\\ detaches again, Ctrl-C stops it)" >&2
		fi
		exit 0
	fi
	# stap's stderr goes to the terminal as it comes and into a log, read
	# for what stap says it lost once the run is over
	mkfifo "$sg_tmp/err" || exit 1
	(trap '' INT; exec tee "$sg_tmp/err.log" <"$sg_tmp/err" >&2) &
	sg_tee=$!
	trap : INT
	if [ "$sg_use_parse" = 0 ]; then
		sg_s=0
		"$@" 2>"$sg_tmp/err" || sg_s=$?
		wait "$sg_tee" || :
		sg_end "$sg_s" 0
	fi
	# POSIX sh has no pipefail: each side of the pipe reports its exit status
	# on fd 3.  Ctrl-C is for stap alone (it then runs its end probes): the
	# shells wait (a trap, which their children do not inherit) and the
	# parser ignores it, reading on until stap is done.
	exec 4>&1
	sg_st=$(trap : INT
		{ { trap : INT; s=0; "$@" 5>&2 2>"$sg_tmp/err" 3>&- 4>&- || s=$?; echo "stap=$s" >&3; } |
		{ trap '' INT; p=0; sg_parse_out >&4 3>&- 4>&- || p=$?; echo "parse=$p" >&3; }; } 3>&1)
	exec 4>&-
	wait "$sg_tee" || :
	sg_s=1 sg_p=1
	for sg_w in $sg_st; do
		case $sg_w in stap=*) sg_s=${sg_w#stap=} ;; parse=*) sg_p=${sg_w#parse=} ;; esac
	done
	sg_end "$sg_s" "$sg_p"
}
sg_parse_out() {
	if [ "$sg_fmt" = svg ]; then
		"$sg_run_parse" --armed "$sg_tmp/armed" -f svg --subtitle "$sg_cmdline"
	else
		"$sg_run_parse" --armed "$sg_tmp/armed" -f "$sg_fmt"
	fi
}
# sg_end STAP-STATUS PARSER-STATUS: the command's exit status.  What stap
# says it lost (transport failures, skipped probes, a full map ...) the
# parser sums up from stap's stderr, one line a kind (TOOL-parse --stap-log).
sg_end() {
	sg_lost=0
	if [ -x "$sg_run_parse" ]; then
		"$sg_run_parse" --stap-log "$sg_tmp/err.log" || sg_lost=$?
	elif [ -s "$sg_tmp/err.log" ]; then
		sg_warn "no parser $sg_parse: what stap may have lost is not counted (make tools builds it)"
	fi
	[ "$1" = 0 ] || { echo "$tool: stap failed (exit status $1)" >&2; exit "$1"; }
	[ "$sg_lost" = 0 ] || exit "$sg_lost"
	[ "$2" = 0 ] || { echo "$tool: the parser exited with status $2" >&2; exit "$2"; }
	exit 0
}
