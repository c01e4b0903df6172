#!/bin/sh
# Golden tests.
#  tools/:  the generated .stp, its source map (.stp.map), .flags, the parser
#           source, the doc page, the command and its bash completion for
#           every spec in specs/, for a fixed kernel release, must match
#           byte for byte.
#  errors/: each NAME.yaml must fail with exactly NAME.expected on stderr
#           (first line of NAME.expected: "exit N").
# UPDATE=1 rewrites the expectations (review the diff before committing).
# A mismatch names the golden's first differing line (tests/golden/lib.sh).
set -u
stapgen=$1
here=$(dirname "$0")
. "$here/lib.sh"
# shellcheck disable=SC2034 # read by golden_fail
golden_update_cmd="UPDATE=1 $0 $1"
kver=6.1.0-56-cloud-amd64
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0

LC_ALL=C "$stapgen" --kver "$kver" --out "$tmp/out" $(find specs -name '*.yaml' | LC_ALL=C sort) \
	2>"$tmp/stderr" || { echo "FAIL: generating specs/:"; cat "$tmp/stderr"; exit 1; }
for f in "$tmp"/out/*.stp "$tmp"/out/*.stp.map "$tmp"/out/*.flags "$tmp"/out/parsers/*_parser.c "$tmp"/out/doc/*.md "$tmp"/out/completion/*.bash $(find "$tmp/out" -maxdepth 1 -type f -perm -u+x | LC_ALL=C sort); do
	name=$(basename "$f")
	case $name in *.*) ;; *) name=$name.cmd;; esac	# the tool commands
	n=$((n + 1))
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$f" "$here/tools/$name"
	elif ! cmp -s "$here/tools/$name" "$f"; then
		golden_fail "tools/$name differs from the generated file:" "$here/tools/$name" "$f" \
			"$here/tools/$name" 0 60
		fail=$((fail + 1))
	fi
done
for exp in "$here"/tools/*; do
	[ -e "$tmp/out/$(basename "$exp" .cmd)" ] || [ -e "$tmp/out/parsers/$(basename "$exp")" ] ||
		[ -e "$tmp/out/doc/$(basename "$exp")" ] || [ -e "$tmp/out/completion/$(basename "$exp")" ] || {
		echo "FAIL: tools/$(basename "$exp") was not generated (its spec is gone? git rm it)"
		fail=$((fail + 1)); }
done

for spec in "$here"/errors/*.yaml; do
	[ -e "$spec" ] || continue
	n=$((n + 1))
	base=${spec%.yaml}
	rel=tests/golden/errors/$(basename "$spec")
	rc=0
	LC_ALL=C "$stapgen" --kver "$kver" --out "$tmp/err-out" "$rel" >"$tmp/out.txt" 2>"$tmp/err.txt" || rc=$?
	{ echo "exit $rc"; cat "$tmp/err.txt"; } >"$tmp/actual"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/actual" "$base.expected"
	elif ! cmp -s "$base.expected" "$tmp/actual"; then
		golden_fail "errors/$(basename "$spec"):" "$base.expected" "$tmp/actual" "$base.expected" 0 0
		fail=$((fail + 1))
	fi
	# nothing a terminal would act on reaches stderr (C0 but tab/LF, DEL, C1, bidi)
	if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xd8\x9c|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$tmp/err.txt"; then
		echo "FAIL: errors/$(basename "$spec"): raw control characters on stderr"
		fail=$((fail + 1))
	fi
	if [ "$rc" -ne 0 ] && [ -n "$(ls -A "$tmp/err-out" 2>/dev/null | grep -v '^parsers$')" ]; then
		echo "FAIL: errors/$(basename "$spec"): a failing spec wrote output"
		fail=$((fail + 1))
	fi
	rm -rf "$tmp/err-out"
done

# lang/: specs that exercise the spec language (not tools); corpus/: scripts
# of SystemTap's examples written as specs (docs/corpus.md).  NAME.yaml must
# generate exactly NAME.stp, NAME.stp.map, NAME_parser.c, NAME.md and the
# command NAME.cmd, and the parser must compile.
for spec in "$here"/lang/*.yaml "$here"/corpus/*.yaml; do
	[ -e "$spec" ] || continue
	base=${spec%.yaml}
	name=$(basename "$base")
	dir=$(basename "$(dirname "$spec")")
	rm -rf "$tmp/lang"
	LC_ALL=C "$stapgen" --kver "$kver" --out "$tmp/lang" "tests/golden/$dir/$name.yaml" 2>"$tmp/stderr" ||
		{ echo "FAIL: $dir/$name.yaml:"; cat "$tmp/stderr"; fail=$((fail + 1)); continue; }
	cp "$tmp/lang/$name" "$tmp/lang/$name.cmd"	# the command
	for f in "$tmp/lang/$name.stp" "$tmp/lang/$name.stp.map" "$tmp/lang/parsers/${name}_parser.c" "$tmp/lang/doc/$name.md" "$tmp/lang/$name.cmd"; do
		n=$((n + 1))
		if [ "${UPDATE:-0}" = 1 ]; then
			cp "$f" "$here/$dir/"
		elif ! cmp -s "$here/$dir/$(basename "$f")" "$f"; then
			golden_fail "$dir/$(basename "$f") differs from the generated file:" \
				"$here/$dir/$(basename "$f")" "$f" "$here/$dir/$(basename "$f")" 0 60
			fail=$((fail + 1))
		fi
	done
	n=$((n + 1))
	${CC:-cc} -std=c11 -fsyntax-only -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
		-Itemplates/parser "$tmp/lang/parsers/${name}_parser.c" ||
		{ echo "FAIL: $dir/${name}_parser.c does not compile"; fail=$((fail + 1)); }
done

# explain/: real stap 4.8 stderr on a generated script (NAME.stderr, or
# NAME.CASE.stderr, for the spec NAME.yaml; tapset paths written @TAPSET@ and
# served by explain/tapset/, stand-ins holding the definitions' line numbers)
# must give exactly NAME[.CASE].expected ("exit N", then stdout).
for err in "$here"/explain/*.stderr; do
	[ -e "$err" ] || continue
	case_=$(basename "$err" .stderr)
	name=${case_%%.*}
	n=$((n + 1))
	rm -rf "$tmp/explain"
	LC_ALL=C "$stapgen" --kver 6.18.44 --out "$tmp/explain" "tests/golden/explain/$name.yaml" 2>"$tmp/stderr" ||
		{ echo "FAIL: explain/$name.yaml:"; cat "$tmp/stderr"; fail=$((fail + 1)); continue; }
	rc=0
	sed 's#@TAPSET@#tests/golden/explain/tapset#g' "$err" |
		LC_ALL=C "$stapgen" --explain "$tmp/explain/$name.stp.map" >"$tmp/out.txt" 2>&1 || rc=$?
	{ echo "exit $rc"; cat "$tmp/out.txt"; } >"$tmp/actual"
	if [ "${UPDATE:-0}" = 1 ]; then
		cp "$tmp/actual" "$here/explain/$case_.expected"
	elif ! cmp -s "$here/explain/$case_.expected" "$tmp/actual"; then
		golden_fail "explain/$case_:" "$here/explain/$case_.expected" "$tmp/actual" \
			"$here/explain/$case_.expected" 0 0
		fail=$((fail + 1))
	fi
done

# Determinism: a second run into a fresh directory is byte-identical.
env -i PATH="$PATH" LANG=de_DE.UTF-8 TZ=Asia/Tokyo "$stapgen" --kver "$kver" --out "$tmp/out2" \
	$(find specs -name '*.yaml' | LC_ALL=C sort -r) 2>/dev/null
if ! diff -r "$tmp/out" "$tmp/out2" >/dev/null; then
	echo "FAIL: generating twice (other locale, TZ, spec order) differs"
	fail=$((fail + 1))
fi
n=$((n + 1))

echo "golden: $n checks, $fail failed"
[ "$fail" -eq 0 ]
