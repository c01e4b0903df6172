#!/bin/sh
# tests/layers/run.sh — the generator's stages include only stages below
# them: util < yaml < expr < spec < check < lower < emit < explain, compile,
# main.  gen/tables holds data every stage may read.  A stage that includes
# a higher one (lowering an emitter's helper, the loader the checker's
# flags) fails here with the line.  With --self-test, a fake tree with one
# upward include must fail.
set -u
here=$(cd "$(dirname "$0")" && pwd)
gen=${1:-$here/../../gen}
rank() {
	case $1 in
	util) echo 0 ;; yaml) echo 1 ;; expr) echo 2 ;; spec) echo 3 ;; check) echo 4 ;;
	lower) echo 5 ;; emit) echo 6 ;; explain) echo 7 ;; compile) echo 8 ;;
	tables) echo -1 ;; *) echo "" ;;
	esac
}
check_tree() {
	bad=0
	for f in "$1"/*/*.[chly]; do
		[ -f "$f" ] || continue
		from=$(basename "$(dirname "$f")")
		rf=$(rank "$from")
		[ -n "$rf" ] || { echo "layers: $f: stage '$from' has no rank (add it to tests/layers/run.sh)" >&2; bad=1; continue; }
		[ "$rf" -ge 0 ] || continue
		grep -n '#include "\.\./[a-z_]*/' "$f" | while IFS= read -r line; do
			to=$(printf '%s\n' "$line" | sed 's|.*#include "\.\./\([a-z_]*\)/.*|\1|')
			rt=$(rank "$to")
			if [ -z "$rt" ] || [ "$rt" -gt "$rf" ]; then
				echo "layers: $f:${line%%:*}: $from includes $to, a later stage" >&2
				echo x
			fi
		done | grep -q x && bad=1
	done
	return $bad
}
if [ "${1:-}" = --self-test ]; then
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/lower" "$t/emit"
	printf '#include "../emit/records.h"\n' >"$t/lower/lower.h"
	printf '#include "../lower/lower.h"\n' >"$t/emit/emit.h"
	if check_tree "$t" 2>/dev/null; then echo "layers: self-test: an upward include passed" >&2; exit 1; fi
	rm "$t/lower/lower.h"
	check_tree "$t" || { echo "layers: self-test: a downward include failed" >&2; exit 1; }
	echo "layers: self-test ok"
	exit 0
fi
check_tree "$gen" || exit 1
echo "layers: every include goes down the pipeline"
