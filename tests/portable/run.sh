#!/bin/sh
# Portable parsers: every parser make tools builds (scripts/make-tools.sh) has
# no dynamic dependencies, and runs in an empty chroot holding only itself and
# its input, printing exactly what it prints outside (stdout, stderr, exit
# status) in each of its formats.  So out/<KVER>/ copied to another x86_64
# host (RHEL 7's glibc 2.17, a busybox guest) runs there.
# usage: run.sh STAPGEN [KVER]; needs root (chroot): exits 77 without it.
set -u
stapgen=$1
kver=${2:-3.10.0-957.27.2.el7.x86_64}
[ "$(id -u)" -eq 0 ] || { echo "portable: SKIP: chroot needs root"; exit 77; }
chroot=$(command -v chroot) || { echo "FAIL: no chroot (coreutils)"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0 n=0
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# shellcheck disable=SC2046 # spec paths have no spaces
./scripts/make-tools.sh "$stapgen" "$kver" "$tmp/out" $(find specs -name '*.yaml' | LC_ALL=C sort) \
	>"$tmp/make.log" 2>&1 || { cat "$tmp/make.log"; echo "FAIL: make-tools.sh"; exit 1; }
ls "$tmp/out/$kver/parsers/"*-parse >/dev/null 2>&1 || { echo "FAIL: no parser built"; exit 1; }

# input.awk over TOOL_parser.c: a valid record of each kind (three rows or
# events, string fields with an escaped tab, stacks of two frames) from the
# parser's own field tables, inside its report blocks; then @end.
cat >"$tmp/input.awk" <<'AWK'
/^static const sg_field [a-z0-9_]*_fields_[a-z0-9_]*\[\] = \{/ {
	cur = $4; sub(/\[\]$/, "", cur); nf[cur] = 0; next }
cur != "" && /^\};/ { cur = ""; next }
cur != "" && /^\t\{ "/ { split($0, a, /[",]+ */); types[cur, ++nf[cur]] = a[3]; names[cur, nf[cur]] = a[2]; next }
/^\t\{ "[a-z0-9_]*", SG_(EVENT|ROW|HIST_LOG2|HIST_LINEAR), / {
	line = $0; gsub(/[{},"]/, " ", line); split(line, k, " +")
	kinds[++nk] = k[2]; cls[nk] = k[3]; flds[nk] = k[4]; lo[nk] = k[6]; rep[nk] = k[9]
	if (k[9] != "NULL" && !(k[9] in seen)) { seen[k[9]] = 1; reps[++nr] = k[9] }
}
function row(i, j,   f, s, t, v) {
	s = "@" kinds[i]
	for (f = 1; f <= nf[flds[i]]; f++) {
		t = types[flds[i], f]
		if (t == "SG_TIME") v = 1700000000 + j
		else if (t == "SG_STRING") v = "s" j "\\tx"
		else if (t == "SG_STACK") v = "f" j "+0x1 [kernel]\\ng+0x2 [kernel]"
		else if (names[flds[i], f] == "bucket") v = cls[i] == "SG_HIST_LOG2" ? 65 + 2 * j : lo[i]
		else v = j + 1
		s = s "\t" v
	}
	print s
}
END {
	printf "@stapgen\t%s\t1\n", tool
	for (i = 1; i <= nk; i++) if (rep[i] == "NULL") for (j = 0; j < 3; j++) row(i, j)
	for (r = 1; r <= nr; r++) {
		printf "@report\t%s\t1700000000\n", reps[r]
		for (i = 1; i <= nk; i++) if (rep[i] == reps[r]) for (j = 0; j < 3; j++) row(i, j)
		printf "@report_end\t%s\n", reps[r]
	}
	print "@end"
}
AWK

for bin in "$tmp/out/$kver/parsers/"*-parse; do
	tool=$(basename "$bin" -parse)
	src=$tmp/out/$kver/parsers/${tool}_parser.c
	if readelf -d "$bin" | grep -q NEEDED; then
		bad "$tool-parse needs shared libraries: $(readelf -d "$bin" | grep NEEDED | sed 's/.*\[//; s/\]//' | tr '\n' ' ')"
	fi
	readelf -lW "$bin" | grep -q INTERP && bad "$tool-parse has a program interpreter (dynamic loader)"
	root=$tmp/root/$tool
	mkdir -p "$root"
	cp "$bin" "$root/$tool-parse"
	LC_ALL=C awk -v tool="$tool" -f "$tmp/input.awk" "$src" >"$root/in"
	fmts="table json csv"
	grep -q 'SG_STACK' "$src" && fmts="$fmts folded svg"
	for fmt in $fmts; do
		n=$((n + 1))
		# the same argv[0] and cwd-relative input inside and outside
		rc_out=0 rc_in=0
		(cd "$root" && env -i TZ=UTC "./$tool-parse" -f "$fmt" in) \
			>"$tmp/out.stdout" 2>"$tmp/out.stderr" || rc_out=$?
		env -i TZ=UTC "$chroot" "$root" "./$tool-parse" -f "$fmt" in \
			>"$tmp/in.stdout" 2>"$tmp/in.stderr" || rc_in=$?
		[ "$rc_out" -eq 0 ] || bad "$tool -f $fmt: exit $rc_out outside the chroot on valid records: $(head -n 3 "$tmp/out.stderr")"
		[ "$rc_in" -eq "$rc_out" ] || bad "$tool -f $fmt: exit $rc_in in the chroot, $rc_out outside: $(head -n 3 "$tmp/in.stderr")"
		cmp -s "$tmp/out.stdout" "$tmp/in.stdout" || bad "$tool -f $fmt: output in the chroot differs: $(diff "$tmp/out.stdout" "$tmp/in.stdout" | head -n 5)"
		cmp -s "$tmp/out.stderr" "$tmp/in.stderr" || bad "$tool -f $fmt: stderr in the chroot differs: $(diff "$tmp/out.stderr" "$tmp/in.stderr" | head -n 5)"
		[ -s "$tmp/out.stdout" ] || bad "$tool -f $fmt: no output"
	done
	# the chroot still holds only the binary and its input
	[ "$(find "$root" -mindepth 1 | wc -l)" -eq 2 ] ||
		bad "$tool: the chroot gained files: $(find "$root" -mindepth 1 | tr '\n' ' ')"
done
echo "portable: $n runs in an empty chroot, $fail failed"
[ "$fail" -eq 0 ]
