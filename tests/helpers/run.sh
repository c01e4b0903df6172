#!/bin/sh
# Tests of check-debug-info, resolve-inlines and resolve-src-lines against
# real ELF files built here: tests/helpers/prog.c compiled with and without
# -g, with (-O2, always_inline) and without (-O0, noinline) inlining, split
# into a stripped file plus a debug file found by build-id or debuglink.
# Each variant runs; it prints the addresses of marker instructions inside
# the (inlined) functions, and the helpers must turn them into the exact
# function names, inline chains and file:line the source says.
#
# usage: run.sh HELPER_DIR
#   HELPER_WRAP  a command every helper runs under (make valgrind-helpers);
#                it, or a sanitizer, exits 99 when it finds something
#   PROG_CC      compiler of the test program (default cc: the expected
#                chains are gcc's)
#   KEEP=1       keep the temporary directory (for debugging)
set -u
bin=$1
here=$(cd "$(dirname "$0")" && pwd)
wrap=${HELPER_WRAP:-}
PROG_CC=${PROG_CC:-cc}
unset DEBUGINFOD_URLS DEBUGINFOD_CACHE_PATH
# a sanitizer's finding must not pass for the exit status 1 a test expects
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}exitcode=99"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}exitcode=99:print_stacktrace=1"
export LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}exitcode=99"
case $(uname -m) in
x86_64 | aarch64) ;;
*) echo "helpers: SKIP: no marker instruction for $(uname -m)"; exit 0 ;;
esac
for t in readelf objcopy nm; do
	command -v $t >/dev/null 2>&1 || { echo "helpers: FAIL: $t (binutils) missing"; exit 1; }
done

tmp=$(mktemp -d)
bgpids=
cleanup() {
	for p in $bgpids; do kill "$p" 2>/dev/null; done
	rm -rf "$tmp"
}
trap cleanup EXIT; [ -n "${KEEP:-}" ] && trap "echo kept $tmp" EXIT
trap 'exit 1' INT TERM
fail=0 n=0

# ---- the test program's variants ------------------------------------------
cp "$here/prog.c" "$tmp/prog.c"
src=$tmp/prog.c
cc_() { # NAME FLAGS...
	name=$1
	shift
	$PROG_CC "$@" -o "$tmp/$name" "$src" || { echo "helpers: FAIL: cannot build $name"; exit 1; }
}
cc_ inl_g -g -O2 -DINLINE
cc_ inl -O2 -DINLINE
cc_ o0_g -g -O0
cc_ o0 -O0
build_id() { readelf -n "$1" | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p'; }
# split by build-id: the debug file under a private /usr/lib/debug
cp "$tmp/inl_g" "$tmp/split"
objcopy --only-keep-debug "$tmp/split" "$tmp/split.dbg"
objcopy --strip-debug "$tmp/split"
id=$(build_id "$tmp/split")
[ -n "$id" ] || { echo "helpers: FAIL: no build-id in the test program"; exit 1; }
idfile=$tmp/debug/.build-id/$(echo "$id" | cut -c1-2)/$(echo "$id" | cut -c3-).debug
mkdir -p "$(dirname "$idfile")"
mv "$tmp/split.dbg" "$idfile"
# split by .gnu_debuglink, the debug file beside it
cp "$tmp/inl_g" "$tmp/link"
objcopy --only-keep-debug "$tmp/link" "$tmp/link.debug"
objcopy --strip-debug --add-gnu-debuglink="$tmp/link.debug" "$tmp/link"
linkid=$(build_id "$tmp/link")

# start each variant; NAME_pid, NAME_leaf ... from what it prints
start() { start_cmd "$1" "$tmp/$1"; }
start_cmd() { # NAME COMMAND...
	v=$1
	shift
	"$@" >"$tmp/$v.out" &
	bgpids="$bgpids $!"
	i=0
	while ! grep -q '^main ' "$tmp/$v.out" 2>/dev/null; do
		i=$((i + 1))
		[ $i -gt 100 ] && { echo "helpers: FAIL: $v did not start"; exit 1; }
		sleep 0.05
	done
	for k in pid leaf mid outer outer_entry main; do
		eval "${v}_$k=\$(awk -v k=$k '\$1 == k { print \$2 }' \"\$tmp/\$v.out\")"
	done
}
for v in inl_g inl o0_g o0 split link; do start $v; done

# lines of the markers and calls in the source
line_of() { grep -n "$1" "$src" | head -n 1 | cut -d: -f1; }
L_LEAF=$(line_of MARK_LEAF)
L_MID=$(line_of MARK_MID)
L_OUTER=$(line_of MARK_OUTER)
L_CALL_MID=$(line_of '= mid_twice(x)')
L_CALL_LEAF=$(line_of '= leaf_add(x)')
hex() { printf '0x%x' "$1"; }
# nm: "ADDR SIZE TYPE NAME"
sym_size() { nm -S "$1" | awk -v s="$2" '$4 == s { print "0x" $2 }' | sed 's/0x0*/0x/'; }
sym_addr() { nm "$1" | awk -v s="$2" '$3 == s { print "0x" $1 }' | sed 's/0x0*/0x/'; }
# the load bias: start of the mapping of the file at offset 0
bias_of() { awk -v p="$2" '$6 == p && $3 == "00000000" { print "0x" substr($1, 1, index($1, "-") - 1); exit }' "/proc/$1/maps"; }

# ---- running a helper --------------------------------------------------------
# h CMD ARGS... < input: stdout in $tmp/stdout, stderr in $tmp/stderr, $rc
# (a helper that hangs is stopped after 120 s: exit 124, a failure)
h() {
	c=$1
	shift
	rc=0
	timeout 120 $wrap "$bin/$c" "$@" >"$tmp/stdout" 2>"$tmp/stderr" || rc=$?
	if [ "$rc" = 99 ]; then
		echo "FAIL: $c $*: valgrind or a sanitizer reported errors:"
		head -n 40 "$tmp/stderr"
		fail=$((fail + 1))
	fi
}
# expect NAME WANT_RC WANT_STDOUT (after h)
expect() {
	n=$((n + 1))
	printf '%s\n' "$3" >"$tmp/want"
	if [ "$rc" != "$2" ] || ! cmp -s "$tmp/want" "$tmp/stdout"; then
		echo "FAIL: $1 (exit $rc, want $2)"
		diff "$tmp/want" "$tmp/stdout" | head -n 20
		head -n 5 "$tmp/stderr"
		fail=$((fail + 1))
	fi
}
# expect_err NAME WANT_RC PATTERN: stderr must match PATTERN (grep -E)
expect_err() {
	n=$((n + 1))
	if [ "$rc" != "$2" ] || ! grep -Eq -- "$3" "$tmp/stderr"; then
		echo "FAIL: $1 (exit $rc, want $2, stderr /$3/):"
		head -n 5 "$tmp/stderr"
		fail=$((fail + 1))
	fi
}

# ---- resolve-inlines / resolve-src-lines: -O2, inlined, with DWARF -------------
P=$inl_g_pid
F=$tmp/inl_g
h resolve-inlines -p "$P" <<EOF
$inl_g_main;$inl_g_outer;$inl_g_leaf 5
$inl_g_mid 2
EOF
expect "inlines: folded chains" 0 "main;outer_entry;outer_entry;mid_twice;leaf_add 5
outer_entry;mid_twice 2"
printf '%s 2\r\n %s\r\n' "$inl_g_mid" "$inl_g_mid" | h resolve-inlines -p "$P"
expect "inlines: CRLF lines" 0 "$(printf 'outer_entry;mid_twice 2\r\n %s : mid_twice [%s]\n %s : outer_entry+%s/%s [%s]\r' \
	"$inl_g_mid" "$F" "$inl_g_mid" "$(hex $((inl_g_mid - inl_g_outer_entry)))" "$(sym_size "$F" outer_entry)" "$F")"

h resolve-src-lines -p "$P" <<EOF
$inl_g_leaf 3
$inl_g_mid;$inl_g_outer 1
EOF
expect "src-lines: folded" 0 "leaf_add ($src:$L_LEAF) 3
mid_twice ($src:$L_MID);outer_entry ($src:$L_OUTER) 1"

h resolve-src-lines -i -p "$P" <<EOF
$inl_g_leaf 3
EOF
expect "src-lines -i: call sites" 0 \
	"outer_entry ($src:$L_CALL_MID);mid_twice ($src:$L_CALL_LEAF);leaf_add ($src:$L_LEAF) 3"

# stack output as print_ustack prints it, leaf first
size=$(sym_size "$F" outer_entry)
moff=$(hex $((inl_g_mid - inl_g_outer_entry)))
h resolve-inlines -p "$P" <<EOF
 $inl_g_leaf : outer_entry+0x0/$size [$F]
 $inl_g_mid
	5

garbage line
EOF
expect "inlines: stack lines" 0 " $inl_g_leaf : leaf_add [$F]
 $inl_g_leaf : mid_twice [$F]
 $inl_g_leaf : outer_entry+0x0/$size [$F]
 $inl_g_mid : mid_twice [$F]
 $inl_g_mid : outer_entry+$moff/$size [$F]
	5

garbage line"

h resolve-src-lines -p "$P" <<EOF
 $inl_g_leaf : outer_entry+0x0/$size [$F]
 $inl_g_outer [inl_g+0x1234]
	5
EOF
expect "src-lines: stack lines" 0 " $inl_g_leaf : leaf_add ($src:$L_LEAF) [$F]
 $inl_g_outer : outer_entry ($src:$L_OUTER) [$F]
	5"

h resolve-src-lines -i -p "$P" <<EOF
 $inl_g_mid
EOF
expect "src-lines -i: stack lines" 0 " $inl_g_mid : mid_twice ($src:$L_MID) [$F]
 $inl_g_mid : outer_entry ($src:$L_CALL_MID) [$F]"

# symbol+offset frames (module by path, by basename, or none), 0xBASE+OFF
h resolve-inlines -p "$P" <<EOF
main;outer_entry+$moff 4
outer_entry+$moff/$size [inl_g]
$inl_g_outer_entry+$moff;$(hex $inl_g_outer_entry)+$((inl_g_mid - inl_g_outer_entry)) 1
outer_entry+$moff [/no/such/module]
EOF
expect "inlines: symbol+offset frames" 0 "main;outer_entry+$moff;mid_twice 4
0x$(printf '%016x' "$inl_g_mid") : mid_twice [$F]
outer_entry+$moff/$size [inl_g]
outer_entry;mid_twice;outer_entry;mid_twice 1
outer_entry+$moff [/no/such/module]"

# -r: callers are return addresses (look up ADDR-1), the leaf is not
oend=$(hex $((inl_g_outer_entry + size)))
h resolve-inlines -r -p "$P" <<EOF
$oend;$inl_g_leaf 1
EOF
expect "inlines -r: return addresses" 0 "outer_entry;outer_entry;mid_twice;leaf_add 1"

# -e FILE -b BIAS with the process's addresses; -e FILE with file addresses
bias=$(bias_of "$P" "$F")
h resolve-inlines -e "$F" -b "$bias" <<EOF
$inl_g_main;$inl_g_outer;$inl_g_leaf 5
EOF
expect "inlines -e -b" 0 "main;outer_entry;outer_entry;mid_twice;leaf_add 5"
h resolve-src-lines -e "$F" <<EOF
$(sym_addr "$F" outer_entry) 1
EOF
expect "src-lines -e (file addresses)" 0 "leaf_add ($src:$L_LEAF) 1"
h resolve-inlines -e "$F" -b "$bias" <<EOF
0x10;$(hex $((bias - 1))) 1
EOF
expect "inlines -e: addresses outside the file" 0 "0x10;$(hex $((bias - 1))) 1"

# -o: the file appears complete
h resolve-inlines -p "$P" -o "$tmp/o.folded" <<EOF
$inl_g_mid 2
EOF
n=$((n + 1))
if [ "$rc" != 0 ] || [ -s "$tmp/stdout" ] || [ "$(cat "$tmp/o.folded" 2>/dev/null)" != "outer_entry;mid_twice 2" ]; then
	echo "FAIL: -o FILE (exit $rc)"
	fail=$((fail + 1))
fi

# ---- without DWARF, without inlining --------------------------------------------
h resolve-inlines -p "$inl_pid" <<EOF
$inl_main;$inl_leaf 1
EOF
expect "inlines: no -g: ELF symbols" 0 "main;outer_entry 1"
h resolve-src-lines -p "$inl_pid" <<EOF
$inl_leaf 1
 $inl_leaf
EOF
expect "src-lines: no -g: names only" 0 "outer_entry 1
 $inl_leaf : outer_entry+0x0/$(sym_size "$tmp/inl" outer_entry) [$tmp/inl]"

h resolve-inlines -p "$o0_g_pid" <<EOF
$o0_g_main;$o0_g_outer;$o0_g_mid;$o0_g_leaf 1
EOF
expect "inlines: -O0: no inlining" 0 "main;outer_entry;mid_twice;leaf_add 1"
h resolve-src-lines -i -p "$o0_g_pid" <<EOF
$o0_g_outer;$o0_g_mid;$o0_g_leaf 1
EOF
src0="outer_entry ($src:$L_OUTER);mid_twice ($src:$L_MID);leaf_add ($src:$L_LEAF) 1"
expect "src-lines: -O0" 0 "$src0"
h resolve-src-lines -p "$o0_pid" <<EOF
$o0_outer;$o0_mid;$o0_leaf 1
EOF
expect "src-lines: -O0, no -g" 0 "outer_entry;mid_twice;leaf_add 1"

# ---- separate debug files ---------------------------------------------------------
h resolve-inlines -p "$split_pid" <<EOF
$split_leaf 1
EOF
expect "inlines: stripped, no debug dir" 0 "outer_entry 1"
h resolve-inlines -p "$split_pid" --debug-dir "$tmp/debug" <<EOF
$split_leaf 1
EOF
expect "inlines: debug file by build-id" 0 "outer_entry;mid_twice;leaf_add 1"
h resolve-src-lines -p "$link_pid" <<EOF
$link_leaf 1
EOF
expect "src-lines: debug file by debuglink" 0 "leaf_add ($src:$L_LEAF) 1"

# ---- a process that exits while its stacks are read ---------------------------------
cp "$tmp/inl_g" "$tmp/gone"
start gone
mkfifo "$tmp/fifo"
$wrap "$bin/resolve-inlines" -p "$gone_pid" <"$tmp/fifo" >"$tmp/gone.res" 2>"$tmp/gone.err" &
rpid=$!
trap '' PIPE # if the helper dies early, fail below rather than here
exec 5>"$tmp/fifo"
echo "$gone_leaf 1" >&5
i=0 # the first line is out: the process's mappings have been read
while [ ! -s "$tmp/gone.res" ] && [ $i -lt 600 ]; do
	sleep 0.05
	i=$((i + 1))
done
kill "$gone_pid"
wait "$gone_pid" 2>/dev/null
echo "$gone_mid 2" >&5
exec 5>&-
rc=0
wait "$rpid" || rc=$?
cp "$tmp/gone.res" "$tmp/stdout"
cp "$tmp/gone.err" "$tmp/stderr"
expect "inlines: process exits mid-run" 0 "outer_entry;mid_twice;leaf_add 1
outer_entry;mid_twice 2"

# ---- hostile input --------------------------------------------------------------------
# none of these frames resolve: the output must be the input
{
	printf '0x;0x0;0xffffffffffffffff;0x10000000000000000000 1\n'
	printf ';;;; 3\n : \n[]\n+0x\nsym+0x1/0x\nsym+0x10000000000000000000 [inl_g]\n'
	printf 'no_such_function+0x10 [inl_g]\n0x1+99999999999999999999999 2\n'
	printf ' 0x1 : \n 0xdeadbeef : ??\n\t\t\n12\n 5\nnul\000byte 0x%x 1\n' "$inl_g_leaf"
	printf 'x\r\n'
	i=0
	while [ $i -lt 2000 ]; do printf '0x1;'; i=$((i + 1)); done
	printf '0x2 7\n'
	printf 'no newline at the end %s' "$inl_g_leaf"
} >"$tmp/garbage"
for c in resolve-inlines resolve-src-lines; do
	h $c -p "$P" "$tmp/garbage"
	n=$((n + 1))
	cmp -s "$tmp/garbage" "$tmp/stdout" || { echo "FAIL: $c: garbage not copied unchanged"; fail=$((fail + 1)); }
	[ "$rc" = 0 ] || { echo "FAIL: $c: garbage: exit $rc"; fail=$((fail + 1)); }
done
# a line longer than the 16 MiB limit is copied unchanged, the rest resolved
{
	head -c 17000000 /dev/zero | tr '\0' 'a'
	printf ';0x%x 1\n%s 1\n' "$inl_g_leaf" "$inl_g_mid"
} >"$tmp/huge"
h resolve-inlines -p "$P" "$tmp/huge"
n=$((n + 1))
if [ "$rc" != 0 ] || [ "$(tail -n 1 "$tmp/stdout")" != "outer_entry;mid_twice 1" ] ||
	[ "$(head -n 1 "$tmp/stdout" | cmp - "$tmp/huge" 2>&1 | grep -c differ)" != 0 ] ||
	! grep -q "copied unchanged" "$tmp/stderr"; then
	echo "FAIL: huge line (exit $rc)"
	head -n 3 "$tmp/stderr"
	fail=$((fail + 1))
fi
head -c 200000 /dev/urandom >"$tmp/random"
for c in resolve-inlines resolve-src-lines; do
	h $c -e "$F" "$tmp/random"
	n=$((n + 1))
	[ "$rc" = 0 ] || { echo "FAIL: $c: random bytes: exit $rc"; fail=$((fail + 1)); }
done

# ---- errors ---------------------------------------------------------------------------------
cc -c -o "$tmp/obj.o" "$src"
for c in resolve-inlines resolve-src-lines; do
	h $c </dev/null
	expect_err "$c: no -p/-e" 2 "give -p PID or -e FILE"
	h $c -p 1 -e "$F" </dev/null
	expect_err "$c: -p and -e" 2 "exclude each other"
	h $c -p "$P" -b 0x10 </dev/null
	expect_err "$c: -b without -e" 2 "-b goes with -e"
	h $c -e "$F" -b 0xzz </dev/null
	expect_err "$c: bad bias" 2 "bad bias"
	h $c -p 0 </dev/null
	expect_err "$c: bad PID" 2 "bad PID"
	h $c -p "$P" --frobnicate </dev/null
	expect_err "$c: unknown option" 2 "unknown option"
	h $c -p
	expect_err "$c: missing value" 2 "needs a value"
	h $c --help
	n=$((n + 1))
	{ [ "$rc" = 0 ] && grep -q '^usage: ' "$tmp/stdout"; } || { echo "FAIL: $c --help"; fail=$((fail + 1)); }
	h $c -p 2147483647 </dev/null
	expect_err "$c: no such process" 1 "no such process"
	h $c -e /etc/passwd -o "$tmp/never" </dev/null
	expect_err "$c: not ELF" 1 "not an ELF file"
	h $c -e "$tmp/obj.o" </dev/null
	expect_err "$c: relocatable object" 1 "not an executable or shared object"
	h $c -e "$tmp/nonexistent" </dev/null
	expect_err "$c: no such file" 1 "cannot open"
	h $c -e "$F" -o "$tmp/never" "$tmp/nonexistent-input"
	expect_err "$c: no such input" 1 "cannot open"
	printf '0x1 1\n' >"$tmp/one"
	h $c -e "$F" -o /dev/full "$tmp/one"
	expect_err "$c: write error" 1 "write error"
	n=$((n + 1))
	if ls "$tmp" | grep -q '^never'; then
		echo "FAIL: $c: an output file was left after an error: $(ls "$tmp" | grep '^never')"
		fail=$((fail + 1))
	fi
done

# ---- check-debug-info ----------------------------------------------------------------------------
h check-debug-info -p "$P" --no-dpkg
n=$((n + 1))
if [ "$rc" != 0 ] && [ "$rc" != 3 ]; then
	echo "FAIL: check-debug-info -p: exit $rc"
	fail=$((fail + 1))
fi
n=$((n + 1))
if [ "$(head -n 1 "$tmp/stdout")" != "ok       $F (DWARF in the file)" ] ||
	! grep -Eq '^(ok|missing) +/.*/libc\.so\.6 \(' "$tmp/stdout"; then
	echo "FAIL: check-debug-info -p: executable or libc line:"
	cat "$tmp/stdout"
	fail=$((fail + 1))
fi
# libc's package, when its DWARF is missing here
if grep -q '^missing .*/libc\.so\.6' "$tmp/stdout"; then
	h check-debug-info -p "$P"
	n=$((n + 1))
	grep -q '^missing .*/libc\.so\.6 .*package libc6: install libc6-dbgsym (or libc6-dbg)' "$tmp/stdout" ||
		{ echo "FAIL: check-debug-info: libc6 package"; cat "$tmp/stdout"; fail=$((fail + 1)); }
fi
inlid=$(build_id "$tmp/inl")
h check-debug-info "$tmp/inl"
expect "check-debug-info: no -g" 3 "missing  $tmp/inl (no DWARF, build-id $inlid; no Debian package owns it)"
h check-debug-info --no-dpkg "$tmp/inl" "$tmp/o0_g"
expect "check-debug-info: files" 3 "missing  $tmp/inl (no DWARF, build-id $inlid)
ok       $tmp/o0_g (DWARF in the file)"
h check-debug-info --no-dpkg "$tmp/split"
expect "check-debug-info: stripped" 3 "missing  $tmp/split (no DWARF, build-id $id)"
h check-debug-info --debug-dir "$tmp/debug" "$tmp/split"
expect "check-debug-info: build-id" 0 "ok       $tmp/split (build-id: $idfile)"
h check-debug-info -p "$split_pid" --debug-dir "$tmp/debug" --no-dpkg
n=$((n + 1))
[ "$(head -n 1 "$tmp/stdout")" = "ok       $tmp/split (build-id: $idfile)" ] ||
	{ echo "FAIL: check-debug-info -p: build-id"; cat "$tmp/stdout"; fail=$((fail + 1)); }
h check-debug-info "$tmp/link"
expect "check-debug-info: debuglink" 0 "ok       $tmp/link (debuglink: $tmp/link.debug)"
# a debug file of another build does not count
objcopy --only-keep-debug "$tmp/o0_g" "$tmp/link.debug" # the -O0 build's
h check-debug-info --no-dpkg "$tmp/link"
expect "check-debug-info: debuglink to another build" 3 \
	"missing  $tmp/link (no DWARF, build-id $linkid)"
export DEBUGINFOD_URLS=http://debuginfod.invalid DEBUGINFOD_CACHE_PATH="$tmp/cache"
h check-debug-info --no-dpkg "$tmp/split"
unset DEBUGINFOD_URLS
expect "check-debug-info: debuginfod" 0 "remote   $tmp/split (not here; debuginfod (DEBUGINFOD_URLS=http://debuginfod.invalid) may have build-id $id)"
mkdir -p "$tmp/cache/$id"
cp "$idfile" "$tmp/cache/$id/debuginfo"
h check-debug-info --no-dpkg "$tmp/split"
unset DEBUGINFOD_CACHE_PATH
expect "check-debug-info: debuginfod cache" 0 "ok       $tmp/split (debuginfod cache: $tmp/cache/$id/debuginfo)"
h check-debug-info --no-dpkg /etc/passwd "$tmp/o0_g"
expect "check-debug-info: not ELF" 1 "error    /etc/passwd (not an ELF file)
ok       $tmp/o0_g (DWARF in the file)"
h check-debug-info "$tmp/nonexistent" -o "$tmp/never"
expect_err "check-debug-info: no file, no output" 1 "nonexistent: cannot open"
n=$((n + 1))
[ ! -e "$tmp/never" ] || { echo "FAIL: check-debug-info: output left after an error"; fail=$((fail + 1)); }
h check-debug-info -o "$tmp/cdi.out" "$tmp/o0_g"
n=$((n + 1))
[ "$rc" = 0 ] && [ "$(cat "$tmp/cdi.out")" = "ok       $tmp/o0_g (DWARF in the file)" ] ||
	{ echo "FAIL: check-debug-info -o"; fail=$((fail + 1)); }
h check-debug-info -p 2147483647
expect_err "check-debug-info: no such process" 1 "no such process"
h check-debug-info
expect_err "check-debug-info: no arguments" 2 "give -p PID or FILEs"
h check-debug-info -p "$P" "$tmp/o0_g"
expect_err "check-debug-info: -p and FILE" 2 "exclude each other"
h check-debug-info -p abc
expect_err "check-debug-info: bad PID" 2 "bad PID"
h check-debug-info --debug-dir rel "$tmp/o0_g"
expect_err "check-debug-info: relative debug dir" 2 "absolute"
h check-debug-info --help
n=$((n + 1))
{ [ "$rc" = 0 ] && grep -q '^usage: ' "$tmp/stdout"; } || { echo "FAIL: check-debug-info --help"; fail=$((fail + 1)); }
h check-debug-info "$tmp/random" "$tmp/huge"
expect "check-debug-info: garbage files" 1 "error    $tmp/random (not an ELF file)
error    $tmp/huge (not an ELF file)"

# ---- an untrusted host: FIFOs, other mount namespaces, odd mappings --------------------------
# A helper run by root must not hang on a FIFO wherever a path comes from,
# and must read the file a process has mapped, not what its path names here.
limit=60 # these hung before the fix: fail rather than wait for ever
# must_have NAME LINE: a line of stdout is LINE
must_have() {
	n=$((n + 1))
	grep -Fxq -- "$2" "$tmp/stdout" || {
		printf "FAIL: %s (exit %s): no line '%s' in:\n" "$1" "$rc" "$2"
		head -n 20 "$tmp/stdout"
		head -n 5 "$tmp/stderr"
		fail=$((fail + 1))
	}
}
# must_not NAME PATTERN: no line of stdout matches PATTERN (grep -E)
must_not() {
	n=$((n + 1))
	if grep -Eq -- "$2" "$tmp/stdout"; then
		echo "FAIL: $1: output has /$2/:"
		grep -E -- "$2" "$tmp/stdout" | head -n 5
		fail=$((fail + 1))
	fi
}
mkfifo "$tmp/fifo2"
h check-debug-info --no-dpkg "$tmp/fifo2"
expect "check-debug-info: a FIFO argument" 1 "error    $tmp/fifo2 (a FIFO, not a regular file: not read)"
h check-debug-info --no-dpkg /dev/null
expect "check-debug-info: a device argument" 1 "error    /dev/null (a character device, not a regular file: not read)"
for c in resolve-inlines resolve-src-lines; do
	h $c -e "$tmp/fifo2" </dev/null
	expect_err "$c: -e FIFO" 1 "fifo2': a FIFO, not a regular file"
done
# a .gnu_debuglink naming a FIFO beside the file (its owner can put one there)
mkdir "$tmp/fl"
cp "$tmp/link" "$tmp/fl/link"
mkfifo "$tmp/fl/link.debug"
h check-debug-info --no-dpkg "$tmp/fl/link"
expect "check-debug-info: debuglink to a FIFO" 3 "missing  $tmp/fl/link (no DWARF, build-id $linkid)"
h resolve-src-lines -e "$tmp/fl/link" <<EOF
$(sym_addr "$tmp/fl/link" outer_entry) 1
EOF
expect "src-lines -e: debuglink to a FIFO" 0 "outer_entry 1"
start_cmd fl "$tmp/fl/link"
h resolve-inlines -p "$fl_pid" <<EOF
$fl_leaf 1
EOF
expect "inlines -p: debuglink to a FIFO" 0 "outer_entry 1"

# A mapping's file that the file at its path here does not match: run as
# root in a mount namespace of its own (unshare), as a container would.
if unshare --mount true 2>/dev/null; then
	# here: $tmp/ct/prog is another program (host_func, no -g); the process
	# sees prog.c's -g build at that path, on a tmpfs of its own
	mkdir "$tmp/ct"
	$PROG_CC -O0 -o "$tmp/ct/prog" "$here/other.c" || { echo "helpers: FAIL: cannot build other.c"; exit 1; }
	start_cmd ct unshare --mount sh -c 'mount -t tmpfs stapgen "$1" && cp "$2" "$1/prog" && exec "$1/prog"' \
		sh "$tmp/ct" "$tmp/inl_g"
	h check-debug-info -p "$ct_pid"
	n=$((n + 1))
	[ "$(head -n 1 "$tmp/stdout")" = "ok       $tmp/ct/prog (DWARF in the file)" ] ||
		{ echo "FAIL: check-debug-info -p: another mount namespace (exit $rc):"; cat "$tmp/stdout"; fail=$((fail + 1)); }
	h resolve-src-lines -p "$ct_pid" <<EOF
$ct_leaf 1
EOF
	expect "src-lines -p: another mount namespace" 0 "leaf_add ($src:$L_LEAF) 1"
	h resolve-inlines -p "$ct_pid" <<EOF
$ct_main;$ct_leaf 1
EOF
	expect "inlines -p: another mount namespace" 0 "main;outer_entry;mid_twice;leaf_add 1"
	# here: a FIFO; the process runs a binary bind-mounted over it
	mkfifo "$tmp/fifoexe"
	start_cmd ff unshare --mount sh -c 'mount --bind "$2" "$1" && exec "$1"' sh "$tmp/fifoexe" "$tmp/inl_g"
	h check-debug-info -p "$ff_pid" --no-dpkg
	n=$((n + 1))
	[ "$(head -n 1 "$tmp/stdout")" = "ok       $tmp/fifoexe (DWARF in the file)" ] ||
		{ echo "FAIL: check-debug-info -p: mapped at a path that is a FIFO here (exit $rc):"; cat "$tmp/stdout"; fail=$((fail + 1)); }
	h resolve-inlines -p "$ff_pid" <<EOF
$ff_mid 1
EOF
	expect "inlines -p: mapped at a path that is a FIFO here" 0 "outer_entry;mid_twice 1"
	h resolve-src-lines -p "$ff_pid" <<EOF
$ff_mid 1
EOF
	expect "src-lines -p: mapped at a path that is a FIFO here" 0 "mid_twice ($src:$L_MID) 1"
	# a file only the process's namespace has, without DWARF: dpkg here
	# knows nothing about it
	mkdir "$tmp/ct2"
	$PROG_CC -o "$tmp/maps" "$here/maps.c" || { echo "helpers: FAIL: cannot build maps.c"; exit 1; }
	start_cmd ct2 unshare --mount sh -c 'mount -t tmpfs stapgen "$1" && cp "$2" "$1/lib" && exec "$3" "$1/lib"' \
		sh "$tmp/ct2" "$tmp/inl" "$tmp/maps"
	h check-debug-info -p "$ct2_pid"
	must_have "check-debug-info -p: no package asked for another namespace's file" \
		"missing  $tmp/ct2/lib (no DWARF, build-id $(build_id "$tmp/inl"); package not asked: the process is in another mount namespace)"
else
	echo "helpers: SKIP: unshare --mount not permitted: the mount namespace tests did not run"
fi

# the file a process runs was replaced since: the mapped one is read
cp "$tmp/inl_g" "$tmp/rp"
start rp
$PROG_CC -O0 -o "$tmp/rp.new" "$here/other.c" && mv "$tmp/rp.new" "$tmp/rp"
h resolve-src-lines -p "$rp_pid" <<EOF
$rp_leaf 1
EOF
expect "src-lines -p: executable replaced since" 0 "leaf_add ($src:$L_LEAF) 1"
expect_err "src-lines -p: executable replaced: says so" 0 "rp \(deleted\): deleted or replaced since it was mapped"

# memfd, SysV shm, /dev/zero; a live file named 'x (deleted)'; a newline in
# a name; a file replaced since it was mapped; ELF bytes in a memfd
$PROG_CC -o "$tmp/maps" "$here/maps.c" || { echo "helpers: FAIL: cannot build maps.c"; exit 1; }
cp "$tmp/o0_g" "$tmp/x (deleted)"
nl='
'
cp "$tmp/o0_g" "$tmp/nl${nl}name"
cp "$tmp/o0_g" "$tmp/rep"
start_cmd mp "$tmp/maps" "$tmp/x (deleted)" "$tmp/nl${nl}name" "$tmp/rep" -e "$tmp/o0_g"
cp "$tmp/inl" "$tmp/rep.new" && mv "$tmp/rep.new" "$tmp/rep"
h check-debug-info -p "$mp_pid" --no-dpkg
must_have "check-debug-info: a live file named 'x (deleted)'" "ok       $tmp/x (deleted) (DWARF in the file)"
must_have "check-debug-info: a newline in a name" "ok       $tmp/nl\\012name (DWARF in the file)"
must_have "check-debug-info: a file replaced since it was mapped" \
	"ok       $tmp/rep (DWARF in the file; deleted or replaced since it was mapped: the mapped file was read)"
must_have "check-debug-info: ELF in a memfd" \
	"ok       /memfd:stapgen-elf (DWARF in the file; memory, no file: its mapping was read)"
must_not "check-debug-info: memfd, SysV shm, /dev/zero are not files" "stapgen-data|/SYSV|/dev/zero|^error"

echo "helpers: $n tests, $fail failed"
[ "$fail" -eq 0 ]
