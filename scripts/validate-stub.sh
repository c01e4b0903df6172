#!/bin/sh
# validate-stub.sh — a minimal "build tree" for a kernel release we cannot
# fetch, just enough for `stap -p1 -r DIR`: stap reads the release from
# include/config/kernel.release (so %( kernel_v / kernel_vr %) conditionals
# are evaluated for it) and insists on .config and Module.symvers existing.
#
# usage: validate-stub.sh RELEASE DIR
# CONFIG_* conditionals see an empty .config unless a real one is provided as
# $STAPGEN_CACHE/configs/config-RELEASE (e.g. copied from /boot of such a host).
set -eu
rel=$1 dir=$2
cfg=${STAPGEN_CACHE:-$HOME/.cache/stapgen}/configs/config-$rel
tmp=$dir.tmp
rm -rf "$tmp"
mkdir -p "$tmp/include/config" "$tmp/stap"
if [ -f "$cfg" ]; then
	cp "$cfg" "$tmp/.config"
else
	echo "# stapgen p1 stub for $rel: no real .config (CONFIG_* conditionals see nothing set)" >"$tmp/.config"
fi
: >"$tmp/Module.symvers"
echo "$rel" >"$tmp/include/config/kernel.release"
echo "release=$rel config=$( [ -f "$cfg" ] && echo "$cfg" || echo none)" >"$tmp/.stapgen-stub"
rm -rf "$dir"
mv "$tmp" "$dir"
