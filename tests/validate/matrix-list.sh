#!/bin/sh
# tests/validate/matrix-list.sh — mk/matrix.list is the one list of kernels
# and toolchains: the make variables built from it (KERNELS, P1_KVERS,
# VALIDATE_TOOLCHAINS, LIVE_KERNELS) hold every row, and toolchain.sh knows
# every toolchain row (and no other).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cd "$root" || exit 1
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }
rows() { awk -v k="$1" '{ sub(/#.*/, "") } $1 == k { print '"$2"' }' mk/matrix.list | tr '\n' ' ' | sed 's/ $//'; }
var() { env -u KERNELS -u P1_KVERS -u VALIDATE_TOOLCHAINS -u LIVE_KERNELS make -s --no-print-directory "print-$1" | sed 's/^ *//'; }
same() { # what want got
	if [ "$2" = "$3" ]; then ok "$1: $3"; else bad "$1: want '$2', got '$3'"; fi
}
same KERNELS "$(rows kernel '$2')" "$(var KERNELS)"
same LIVE_KERNELS "$(rows kernel '$2 ":" $3')" "$(var LIVE_KERNELS)"
same P1_KVERS "$(rows p1 '$2')" "$(var P1_KVERS)"
same VALIDATE_TOOLCHAINS "$(rows toolchain '$2' | sed 's/^host //')" "$(var VALIDATE_TOOLCHAINS)"
[ -n "$(rows kernel '$2')" ] && [ -n "$(rows p1 '$2')" ] || bad "mk/matrix.list has no kernel or p1 rows"
# every chroot toolchain has a format and packages; extra rows name a toolchain
for tc in $(rows toolchain '$2'); do
	[ "$tc" = host ] && continue
	n=$(rows toolchain '$2 == "'"$tc"'" ? NF : ""' | tr -d ' ')
	if [ "${n:-0}" -ge 4 ]; then ok "toolchain $tc: format and packages"; else bad "toolchain $tc: no format or packages"; fi
done
for tc in $(rows extra '$2'); do
	case " $(rows toolchain '$2') " in *" $tc "*) ok "extra $tc: a toolchain";; *) bad "extra $tc: no such toolchain";; esac
done
# toolchain.sh refuses a toolchain the list does not have, naming the list
err=$(STAPGEN_CACHE=$(mktemp -d) sh scripts/live/toolchain.sh id no-such-tc 6.1.0-1-amd64 2>&1)
case $err in *"unknown toolchain 'no-such-tc'"*"host sid"*) ok "toolchain.sh: an unknown toolchain is refused";;
*) bad "toolchain.sh on an unknown toolchain said: $err";; esac
[ $fails -eq 0 ] || { echo "matrix-list: $fails failed" >&2; exit 1; }
echo "matrix-list: all passed"
