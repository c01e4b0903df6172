#!/bin/sh
# tests/command/headers_only.sh STAPGEN: every tool's --check on a host with
# the kernel headers and no debuginfo (a fake Debian 12 root) says "ready"
# exactly when its plan (TOOL.flags, beside the script) says
# debuginfo=not-needed (or only-if-fallback); a tool that prints kernel
# symbols (debuginfo=symbols) builds without it but needs it for the symbols
# (docs/headers-only.md).  make validate holds that word to `stap -p2` on
# each kernel's headers-only tree, both ways (scripts/validate-cell.sh): so
# --check, the plan and stap cannot drift.
set -u
stapgen=${1:?usage: headers_only.sh STAPGEN}
case $stapgen in /*) ;; *) stapgen=$(pwd)/$stapgen ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

rel=6.1.0-57-cloud-amd64
"$stapgen" -k "$rel" -o "$tmp/out" specs/*/*.yaml >/dev/null 2>"$tmp/gen.err" ||
	{ echo "FAIL: generation: $(head -n 5 "$tmp/gen.err")"; exit 1; }
mkdir -p "$tmp/bin" "$tmp/root/etc" "$tmp/root/proc" "$tmp/root/boot" "$tmp/root/lib/modules/$rel/build"
# shellcheck disable=SC2016 # the stand-ins' own $1 and $@
printf '#!/bin/sh\ncase $1 in -r) echo %s ;; -m) echo x86_64 ;; *) exec /bin/uname "$@" ;; esac\n' "$rel" >"$tmp/bin/uname"
# shellcheck disable=SC2016
printf '#!/bin/sh\ncase $1 in -V) echo "Systemtap translator/driver (version 4.8/0.188)"; echo "tested kernel versions: 2.6.32 ... 6.2";; esac\n' >"$tmp/bin/stap"
chmod +x "$tmp/bin/uname" "$tmp/bin/stap"
printf 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n' >"$tmp/root/etc/os-release"
: >"$tmp/root/proc/modules"
: >"$tmp/root/lib/modules/$rel/build/.config"
printf 'CONFIG_KPROBES=y\nCONFIG_UPROBES=y\n' >"$tmp/root/boot/config-$rel"

ready=0 total=0
for stp in "$tmp"/out/*.stp; do
	tool=$(basename "$stp" .stp)
	[ -x "$tmp/out/$tool" ] || continue
	total=$((total + 1))
	# a stand-in parser of the command's set (compiling 28 is not the point)
	id=$(sed -n 's/^set_id=//p' "$tmp/out/$tool")
	printf '#!/bin/sh\n# stapgen set %s\n' "$id" >"$tmp/out/parsers/$tool-parse"
	chmod +x "$tmp/out/parsers/$tool-parse"
	said=$(sed -n 's/^debuginfo=//p' "$tmp/out/$tool.flags" 2>/dev/null | head -n 1)
	case $said in
	not-needed | only-if-fallback) want=0 ;;
	needed | symbols) want=1 ;;
	*) bad "$tool: no debuginfo= in $tool.flags"; continue ;;
	esac
	# the command carries the same analysis
	lv=$(sed -n 's/.*sg_need_kdebug=\([0-9]\).*/\1/p' "$tmp/out/$tool")
	case $said/$lv in not-needed/0 | only-if-fallback/2 | needed/1 | symbols/1) ;;
	*) bad "$tool: its plan says debuginfo=$said, the command's sg_need_kdebug=$lv" ;;
	esac
	# the user-space binary it probes is there, as on a host it runs on
	ub=$(sed -n 's/^user_binary=//p' "$tmp/out/$tool.flags")
	if [ -n "$ub" ] && [ -f "$ub" ] && [ ! -e "$tmp/root$ub" ]; then
		mkdir -p "$tmp/root${ub%/*}" && cp "$ub" "$tmp/root$ub"
	fi
	n=$((n + 1))
	rc=0
	STAPGEN_ROOT=$tmp/root PATH="$tmp/bin:$PATH" sh "$tmp/out/$tool" --check >"$tmp/check.out" 2>&1 || rc=$?
	if [ "$rc" != "$want" ]; then
		bad "$tool --check without debuginfo: exit $rc, expected $want (its plan says debuginfo=$said): $(grep -v ': ok: ' "$tmp/check.out" | head -n 3)"
	elif [ "$want" = 1 ] && ! grep -q "missing: the kernel's debuginfo" "$tmp/check.out"; then
		bad "$tool --check: not ready, but not for the debuginfo: $(grep -v ': ok: ' "$tmp/check.out" | head -n 3)"
	elif [ "$want" = 1 ] && ! grep -q "to fix: apt-get install linux-image-$rel-dbg" "$tmp/check.out"; then
		bad "$tool --check does not name the debuginfo package: $(grep -v ': ok: ' "$tmp/check.out" | head -n 3)"
	fi
	[ "$want" = 0 ] && ready=$((ready + 1))
done
[ "$total" -ge 28 ] || bad "only $total tools generated"
[ $fails = 0 ] || exit 1
echo "headers-only --check: $n checks, 0 failed ($ready of $total tools ready without debuginfo)"
