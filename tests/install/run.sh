#!/bin/sh
# make install into a temporary DESTDIR: stapgen, the helpers, every tool of
# one KVER (command, script, compiled parser), bin/ wrappers, man pages that
# `man -l` renders without warnings; the installed command finds its script
# and parser.  Then scripts/install.sh again with only a PREFIX (no DESTDIR),
# so the bin/ wrapper really runs.  And md2man.awk over the hostile specs'
# doc pages: nothing from a spec becomes a roff request or a raw control
# character; every spec's page renders without a groff warning.
# usage: run.sh MAKE
set -u
make=${1:-make}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
kver=6.1.0-56-cloud-amd64
fail=0 n=0
bad() { printf 'FAIL: %s\n' "$*"; fail=$((fail + 1)); }
ok() { n=$((n + 1)); }

dest=$tmp/dest
prefix=/usr/local
# three tools (compiling every parser takes a minute here); every spec's doc
# page goes through md2man below
specs="specs/net/tcp_conn.yaml specs/cpu/sample_bt.yaml specs/syscall/execve.yaml"
$make --no-print-directory install KVER=$kver DESTDIR="$dest" PREFIX=$prefix OUT="$tmp/out" SPECS="$specs" \
	>"$tmp/log" 2>&1 || { bad "make install:"; tail -n 20 "$tmp/log"; exit 1; }
root=$dest$prefix
lib=$root/lib/stapgen/$kver
for f in bin/stapgen bin/check-debug-info bin/resolve-inlines bin/resolve-src-lines; do
	ok
	[ -x "$root/$f" ] || bad "not installed: $f"
done
tools=$(cd "$tmp/out/$kver" && for f in *; do [ -f "$f" ] && [ -x "$f" ] && echo "$f"; done)
[ -n "$tools" ] || bad "no tools generated"
for t in $tools; do
	ok
	for f in "lib/stapgen/$kver/$t" "lib/stapgen/$kver/parsers/$t-parse" "bin/$t"; do
		[ -x "$root/$f" ] || bad "not installed (executable): $f"
	done
	for f in "lib/stapgen/$kver/$t.stp" "share/man/man1/$t.1" "share/doc/stapgen/$kver/$t.md"; do
		[ -f "$root/$f" ] || bad "not installed: $f"
	done
	# the man page renders, without a warning from groff
	man=$root/share/man/man1/$t.1
	MANWIDTH=80 man -l "$man" >"$tmp/man.txt" 2>"$tmp/man.err" || bad "man -l $t.1 fails: $(head -n 3 "$tmp/man.err")"
	[ -s "$tmp/man.err" ] && bad "man -l $t.1: $(head -n 3 "$tmp/man.err")"
	head -n 1 "$tmp/man.txt" | grep -q "^$(echo "$t" | tr '[:lower:]' '[:upper:]')(1)" || bad "$t.1: no header: $(head -n 1 "$tmp/man.txt")"
	grep -q -- "--check" "$tmp/man.txt" || bad "$t.1 lacks the options"
	w=$(preconv "$man" | groff -man -Tutf8 -ww -z 2>&1)
	[ -z "$w" ] || bad "groff warnings for $t.1: $(echo "$w" | head -n 3)"
done
# the wrappers are shell the rest of the tests hold to
ok
# shellcheck disable=SC2046
shellcheck -s sh $(for t in $tools; do echo "$root/bin/$t"; done) || bad "shellcheck of the bin/ wrappers"
# the installed command finds its script and its parser
ok
"$lib/tcp_conn" -d | grep -q '^probe ' || bad "installed tcp_conn -d does not print its script"
ok
STAPGEN_ROOT=$tmp/noroot "$lib/tcp_conn" --check >"$tmp/check.txt" 2>&1
grep -q "ok: parser $lib/parsers/tcp_conn-parse" "$tmp/check.txt" || bad "installed tcp_conn --check: $(cat "$tmp/check.txt")"
ok
printf '@stapgen\ttcp_conn\t1\n@conn\t1700000000\t0\t0\t0\tsshd\t812\t22\t10.3.254.119\n' |
	"$lib/parsers/tcp_conn-parse" -f json | grep -q '"comm":"sshd"' || bad "installed parser"

# without DESTDIR: the bin/ wrapper runs the tool of its KVER (uname -r has none)
ok
p2=$tmp/prefix
./scripts/install.sh "$tmp/out/$kver" "$kver" "" "$p2" build/stapgen >/dev/null || bad "install.sh with PREFIX only"
"$p2/bin/tcp_conn" -d | grep -q '^probe ' || bad "the bin/tcp_conn wrapper does not reach the tool"
ok
rc=0
./scripts/install.sh "$tmp/out/$kver" "$kver" "" "relative" build/stapgen >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || bad "a relative PREFIX is accepted"
ok
rc=0
./scripts/install.sh "$tmp/out/$kver" "x'; touch pwned" "" "$p2" build/stapgen >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || bad "a KVER with a quote is accepted"

# DESTDIR is one argument, whatever it holds: a backtick, quotes, a space,
# $(...) (make's $$ is one $) run nothing and land in the path as written
ok
odd="$tmp/d \`touch pwned1\` \" ' \$(touch pwned2)"
$make --no-print-directory install KVER=$kver DESTDIR="$tmp/d \`touch pwned1\` \" ' \$\$(touch pwned2)" \
	PREFIX=$prefix OUT="$tmp/out" SPECS=specs/syscall/execve.yaml >"$tmp/log2" 2>&1 ||
	bad "make install with an odd DESTDIR: $(tail -n 3 "$tmp/log2")"
[ -x "$odd$prefix/lib/stapgen/$kver/execve" ] || bad "make install with an odd DESTDIR: not installed under it"
for p in pwned1 pwned2; do
	[ ! -e "$p" ] && [ ! -e "$tmp/$p" ] || bad "make install ran a command from DESTDIR ($p)"
	rm -f "$p"
done
ok
rc=0
$make --no-print-directory install KVER=$kver DESTDIR="$tmp/nl
x" PREFIX=$prefix OUT="$tmp/out" SPECS=specs/syscall/execve.yaml >"$tmp/log3" 2>&1 || rc=$?
[ "$rc" != 0 ] && grep -q "may not hold a newline" "$tmp/log3" || bad "a DESTDIR with a newline: $(tail -n 2 "$tmp/log3")"
[ ! -e "$tmp/nl" ] || bad "a DESTDIR with a newline: written"

# md2man over the doc pages of every spec and the hostile ones
ok
# shellcheck disable=SC2046
build/stapgen --kver $kver --out "$tmp/hostile" $(find specs -name '*.yaml') tests/command/specs/*.yaml \
	tests/hostile/valid/*.yaml >/dev/null 2>&1 || bad "generating the specs"
for md in "$tmp"/hostile/doc/*.md; do
	n=$((n + 1))
	LC_ALL=C awk -v date=x -f scripts/md2man.awk "$md" >"$tmp/h.1"
	# a request is a line starting with . or ': only the converter's own
	grep -n "^[.']" "$tmp/h.1" | grep -v "^[0-9]*:\.\(TH\|SH\|PP\|TP\|RS\|RE\|nf\|fi\) \?" &&
		bad "$(basename "$md"): a spec line became a roff request"
	LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\x8e\x8f\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$tmp/h.1" &&
		bad "$(basename "$md"): a control character reached the man page"
	w=$(preconv "$tmp/h.1" | groff -man -Tutf8 -ww -z 2>&1)
	[ -z "$w" ] || bad "groff warnings for $(basename "$md"): $(echo "$w" | head -n 3)"
done

echo "install: $n checks, $fail failed"
[ "$fail" -eq 0 ]
