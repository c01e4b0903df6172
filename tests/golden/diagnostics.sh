#!/bin/sh
# Diagnostics golden file, in the manner of jq's tests: tests/golden/
# diagnostics.test holds many small failing specs, each a "### title" line,
# the spec, a "---" line and the exact output of `stapgen --check t.yaml`
# for it: "exit N", then stderr.  Cases are separated by blank lines.
# A spec whose first line is "# stapgen: OPTIONS" is checked with those
# options too (e.g. --stap-version 4.0).
# UPDATE=1 rewrites the expectations in place (review the diff).
# A mismatch names the first differing line of diagnostics.test (lib.sh).
set -u
stapgen=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by golden_fail
golden_update_cmd="UPDATE=1 $0 $1"
file=$here/diagnostics.test
name=$(dirname "$0")/diagnostics.test	# as the user opens it
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
# split: case N -> $tmp/N.title, $tmp/N.yaml, $tmp/N.expected, and
# $tmp/N.off: the line of its "---" (line k of N.expected is off + k)
awk -v dir="$tmp" '
	function close_case() { if (n) { close(y); close(e) } }
	/^### / { close_case(); n++; part = "spec"; t = dir "/" n ".title";
		print substr($0, 5) > t; close(t)
		y = dir "/" n ".yaml"; e = dir "/" n ".expected"; printf "" > y; printf "" > e; next }
	!n { next }	# the header comment
	part == "spec" && $0 == "---" { part = "exp"; o = dir "/" n ".off"; print FNR > o; close(o); next }
	part == "spec" { print > y; next }
	{ print > e }
	END { close_case(); print n > (dir "/count") }' "$file"
count=$(cat "$tmp/count")
fail=0
: >"$tmp/new"
sed -n '1,/^### /p' "$file" | sed '$d' >"$tmp/new"	# the header, kept by UPDATE
i=1
while [ "$i" -le "$count" ]; do
	# blank lines at the end of an expectation only separate cases
	sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' "$tmp/$i.expected" >"$tmp/$i.want"
	mkdir -p "$tmp/run$i"
	cp "$tmp/$i.yaml" "$tmp/run$i/t.yaml"
	rc=0
	args=$(sed -n '1s/^# stapgen: //p' "$tmp/$i.yaml")
	# shellcheck disable=SC2086  # a word list on purpose
	(cd "$tmp/run$i" && LC_ALL=C "$stapgen" --check --color=never $args t.yaml) >/dev/null 2>"$tmp/err" || rc=$?
	{ echo "exit $rc"; cat "$tmp/err"; } >"$tmp/$i.got"
	if [ "${UPDATE:-0}" = 1 ]; then
		{ echo "### $(cat "$tmp/$i.title")"; cat "$tmp/$i.yaml"; echo "---"; cat "$tmp/$i.got"
		  [ "$i" -lt "$count" ] && echo; } >>"$tmp/new"
	elif ! cmp -s "$tmp/$i.want" "$tmp/$i.got"; then
		golden_fail "diagnostics.test: $(cat "$tmp/$i.title"):" "$tmp/$i.want" "$tmp/$i.got" "$name" \
			"$(cat "$tmp/$i.off" 2>/dev/null || echo 0)" 0
		fail=$((fail + 1))
	fi
	[ "$rc" -eq 1 ] || { echo "FAIL: diagnostics.test: $(cat "$tmp/$i.title"): exit $rc, not 1"; fail=$((fail + 1)); }
	i=$((i + 1))
done
[ "${UPDATE:-0}" = 1 ] && cp "$tmp/new" "$file"
echo "diagnostics: $count cases, $fail failed"
[ "$fail" -eq 0 ] && [ "$count" -gt 0 ]
