#!/bin/sh
# validate-gen.sh — generate every tool's script for each kernel release into
# the validation area, touching only the files whose content changed (so make
# re-validates exactly the cells whose script changed).
#
# usage: validate-gen.sh STAPGEN GENDIR "KVER..." SPEC...
#   For each KVER runs `STAPGEN --guru --kver KVER --out GENDIR/KVER.new SPEC...`
#   (a fresh directory), then syncs GENDIR/KVER/<tool>.stp, <tool>.flags and
#   <tool>.unsupported
#   from it: new or changed files are moved in, identical ones are left alone
#   (mtime kept), files of tools the generator no longer produces are removed.
#   Writes GENDIR/KVER/.tools (tool names, one a line) and
#   GENDIR/KVER/.gen.log (the generator's messages, also shown on stderr).
# Exit status: 0, or 1 if the generator reported an error for some release.
set -u
stapgen=$1 gendir=$2 kvers=$3
shift 3
status=0
for kver in $kvers; do
	dir=$gendir/$kver new=$gendir/$kver.new
	rm -rf "$new"
	mkdir -p "$dir" "$new"
	rc=0
	"$stapgen" --guru --kver "$kver" --out "$new" "$@" >"$dir/.gen.log" 2>&1 || rc=$?
	if [ -s "$dir/.gen.log" ]; then
		sed "s|^|validate: stapgen --kver $kver: |" "$dir/.gen.log" >&2
	fi
	[ $rc = 0 ] || status=1
	if [ $rc -ge 2 ]; then rm -rf "$new"; continue; fi
	# One checksum pass over both sides decides what to move and what to drop.
	# shellcheck disable=SC2046
	sha256sum $(for f in "$new"/*.stp "$new"/*.flags "$new"/*.unsupported "$dir"/*.stp "$dir"/*.flags "$dir"/*.unsupported; do
		[ -e "$f" ] && echo "$f"; done) </dev/null 2>/dev/null |
	awk -v new="$new/" -v dir="$dir/" '
		{ sum = $1; path = substr($0, 67) }
		index(path, new) == 1 { n = substr(path, length(new) + 1); N[n] = sum; next }
		{ n = substr(path, length(dir) + 1); D[n] = sum }
		END {
			printf "" > (dir ".tools")
			for (n in N) {
				t = n; if (sub(/\.(stp|unsupported)$/, "", t)) print t > (dir ".tools")
				if (D[n] != N[n]) print "mv " n
			}
			for (n in D) if (!(n in N)) print "rm " n
		}' >"$dir/.sync"
	while read -r op name; do
		case $op in
		mv) mv -f "$new/$name" "$dir/$name" ;;
		rm) rm -f "$dir/$name" ;;
		esac
	done <"$dir/.sync"
	[ -s "$dir/.sync" ] && echo "validate: $kver: $(wc -l <"$dir/.sync") generated file(s) changed"
	# source maps follow their scripts (cells don't depend on them)
	for m in "$new"/*.stp.map; do
		[ -e "$m" ] && mv -f "$m" "$dir/"
	done
	rm -rf "$new" "$dir/.sync"
done
exit $status
