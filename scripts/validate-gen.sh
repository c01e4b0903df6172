#!/bin/sh
# validate-gen.sh — generate every tool's script for one kernel release into
# the validation area, touching only the files whose content changed (so make
# re-validates exactly the cells whose script changed).
#
# usage: validate-gen.sh STAPGEN KVER DIR SPEC...
#   Runs `STAPGEN --guru --kver KVER --out DIR.new SPEC...` (a fresh directory),
#   then syncs DIR/<tool>.stp and DIR/<tool>.unsupported from it: new or
#   changed files are moved in, identical ones are left alone, files for
#   tools the generator no longer produces are removed.  Writes DIR/.tools
#   (one tool name per line) and DIR/.gen.log (the generator's messages).
# Exit status: the generator's (0 ok, 1 some spec had errors, 2 fatal).
set -u
stapgen=$1 kver=$2 dir=$3
shift 3
new=$dir.new
rm -rf "$new"
mkdir -p "$dir" "$new"
rc=0
"$stapgen" --guru --kver "$kver" --out "$new" "$@" >"$dir/.gen.log" 2>&1 || rc=$?
if [ -s "$dir/.gen.log" ]; then
	sed "s|^|validate: stapgen --kver $kver: |" "$dir/.gen.log" >&2
fi
if [ $rc -ge 2 ]; then
	rm -rf "$new"
	exit $rc
fi
changed=0
(cd "$new" && ls) | sed -n '/\.\(stp\|unsupported\)$/p' | LC_ALL=C sort >"$dir/.files.tmp"
while read -r b; do
	if ! cmp -s "$new/$b" "$dir/$b"; then
		mv -f "$new/$b" "$dir/$b"
		changed=$((changed + 1))
	fi
done <"$dir/.files.tmp"
for f in "$dir"/*.stp "$dir"/*.unsupported; do
	[ -e "$f" ] || continue
	grep -qxF "${f##*/}" "$dir/.files.tmp" || { rm -f "$f"; changed=$((changed + 1)); }
done
sed 's/\.\(stp\|unsupported\)$//' "$dir/.files.tmp" | LC_ALL=C sort -u >"$dir/.tools.tmp"
rm -f "$dir/.files.tmp"
cmp -s "$dir/.tools.tmp" "$dir/.tools" && rm -f "$dir/.tools.tmp" || mv -f "$dir/.tools.tmp" "$dir/.tools"
rm -rf "$new"
[ $changed -gt 0 ] && echo "validate: $kver: $changed generated file(s) changed"
exit $rc
