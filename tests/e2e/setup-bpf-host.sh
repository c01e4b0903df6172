#!/bin/sh
# Prepare this host for `stap --runtime=bpf` on a kernel without a build tree
# or loadable modules.  Idempotent; run as root.  Nothing that already exists
# is changed:
#   - debugfs on /sys/kernel/debug, tracefs on /sys/kernel/tracing (uprobes
#     are registered through tracefs' uprobe_events);
#   - /lib/modules/$(uname -r)/build/.config        from /proc/config.gz
#   - /lib/modules/$(uname -r)/build/Module.symvers empty (stap only opens it)
#   - /lib/modules/$(uname -r)/build/System.map     from /proc/kallsyms
# usage: setup-bpf-host.sh [--check]   (--check: report only, exit 1 if unprepared)
set -u
check=0
[ "${1:-}" = --check ] && check=1
kver=$(uname -r)
build=/lib/modules/$kver/build
missing=0

say() { printf 'setup-bpf-host: %s\n' "$*" >&2; }

is_mounted() { # TYPE DIR
	awk -v t="$1" -v d="$2" '$2 == d && $3 == t { f = 1 } END { exit !f }' /proc/mounts
}

mount_fs() { # TYPE DIR
	if is_mounted "$1" "$2"; then
		return 0
	fi
	if [ $check -eq 1 ]; then
		say "$1 is not mounted on $2"; missing=1; return 0
	fi
	mkdir -p "$2" 2>/dev/null
	if mount -t "$1" "$1" "$2"; then
		say "mounted $1 on $2"
	else
		say "error: cannot mount $1 on $2"; missing=1
	fi
}

make_file() { # NAME (then the content comes from gen_NAME)
	f=$build/$1
	if [ -e "$f" ]; then
		return 0
	fi
	if [ $check -eq 1 ]; then
		say "$f is missing"; missing=1; return 0
	fi
	mkdir -p "$build" || { missing=1; return 0; }
	tmp=$(mktemp "$build/.$1.XXXXXX") || { missing=1; return 0; }
	if "$2" >"$tmp"; then
		chmod 644 "$tmp"; mv -f "$tmp" "$f" && say "created $f"
	else
		rm -f "$tmp"; say "error: cannot create $f"; missing=1
	fi
}

gen_config() {
	[ -r /proc/config.gz ] || { say "/proc/config.gz is not readable (CONFIG_IKCONFIG_PROC)"; return 1; }
	gzip -dc /proc/config.gz
}
gen_symvers() { :; }
gen_sysmap() {
	# kallsyms: "ADDR TYPE NAME [MODULE]"; System.map has no module column.
	# Addresses read as zeros mean kptr_restrict hides them: useless to stap.
	awk 'NR == 1 && $1 ~ /^0+$/ { bad = 1; exit 1 } NF >= 3 { print $1, $2, $3 }
	     END { if (bad) exit 1 }' /proc/kallsyms
}

if [ $check -eq 0 ] && [ "$(id -u)" -ne 0 ]; then
	say "error: must run as root (mounts and writes /lib/modules)"; exit 1
fi
mount_fs debugfs /sys/kernel/debug
mount_fs tracefs /sys/kernel/tracing
make_file .config gen_config
make_file Module.symvers gen_symvers
make_file System.map gen_sysmap
exit $missing
