#!/bin/sh
# tests/validate/run.sh — validate-cell.sh and validate-matrix.sh with the real
# stap at -p1 (no kernel tree needed): a cell that passes, one that fails
# twice (FAIL, both attempts recorded), one whose stap fails only the first
# time (pass, marked as a second attempt), and the matrix's closing lines,
# which must name each failure (CI keeps only the tail of its log); and the
# text of every kind of matrix cell, matrix.md against matrix.json
# (tests/validate/matrix-agree.py).
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
fails=0
ok() { echo "ok: $1"; }
bad() { echo "FAIL: $1" >&2; fails=$((fails + 1)); }
kver=6.1.0-99-test
sd=$t/gen/$kver
mkdir -p "$sd"
"$root/scripts/validate-stub.sh" "$kver" "$t/tree" >/dev/null || { bad "validate-stub.sh"; exit 1; }
# the options come from the plan beside the script (TOOL.flags), never from
# its header comment (stap would refuse this one)
printf '#\n# Run with: --no-such-option\nprobe begin { println("hi"); exit() }\n' >"$sd/good.stp"
printf 'probe begin { exit() }\nprobe begin { x = }\n' >"$sd/broken.stp"
cp "$sd/good.stp" "$sd/flaky.stp"
for tool in good broken flaky; do
	printf 'tool=%s\nstap_flags=-DMAXACTION=100\ndebuginfo=not-needed\n' "$tool" >"$sd/$tool.flags"
done

# a stap that fails the first time it runs flaky.stp, then is the real one
real=$(command -v stap) || { echo "skip: no stap"; exit 77; }
mkdir -p "$t/bin"
cat >"$t/bin/stap" <<EOS
#!/bin/sh
for a; do case \$a in */flaky.stp) [ -e "$t/flaked" ] || { : >"$t/flaked"; echo "ERROR: simulated cache race" >&2; exit 1; } ;; esac; done
exec "$real" "\$@"
EOS
chmod +x "$t/bin/stap"

for tool in good broken flaky; do
	PATH=$t/bin:$PATH "$root/scripts/validate-cell.sh" p1 "$kver" "$tool" "$sd" "$t/tree" "$t/sd" \
		"$t/cells/$kver/$tool" >"$t/$tool.line" 2>&1
done
rec() { sed -n "s/^$2=//p" "$t/cells/$kver/$1.rec"; }
[ "$(rec good status)" = pass ] && [ -z "$(rec good first_attempt)" ] && ok "a passing cell is a plain pass" || bad "good: $(cat "$t/good.line")"
[ "$(rec good flags)" = -DMAXACTION=100 ] && ok "stap's options are the plan's (TOOL.flags), not the header's" ||
	bad "good flags: $(rec good flags)"
# a script without its plan (an older stapgen's output) is a FAIL that says so
mkdir -p "$t/noplan"
cp "$sd/good.stp" "$t/noplan/noplan.stp"
PATH=$t/bin:$PATH "$root/scripts/validate-cell.sh" p1 "$kver" noplan "$t/noplan" "$t/tree" "$t/sd" \
	"$t/noplan-cell/noplan" >"$t/noplan.line" 2>&1
[ "$(sed -n 's/^status=//p' "$t/noplan-cell/noplan.rec")" = FAIL ] &&
	grep -q '^error=no noplan.flags beside the script' "$t/noplan-cell/noplan.rec" &&
	ok "a script without TOOL.flags is a FAIL naming the file" || bad "noplan: $(cat "$t/noplan-cell/noplan.rec")"
[ "$(rec broken status)" = FAIL ] && rec broken first_attempt | grep -q '^exit 1: .*parse error' &&
	[ -f "$t/cells/$kver/broken.first.log" ] && ok "a cell failing twice is FAIL, the first attempt kept" || bad "broken: $(cat "$t/cells/$kver/broken.rec")"
grep -q 'broken: FAIL: .*parse error' "$t/broken.line" && ok "its line says why" || bad "broken line: $(cat "$t/broken.line")"
[ "$(rec flaky status)" = pass ] && rec flaky first_attempt | grep -q 'simulated cache race' &&
	grep -q 'p1 pass on the second attempt (first: exit 1: ERROR: simulated cache race' "$t/flaky.line" &&
	ok "a cell passing on the second attempt says so" || bad "flaky: $(cat "$t/flaky.line")"

# the matrix JSON carries each tool's probe cost from the benchmark's table
printf 'tool\tvariant\top\tkernel\tstap\tdate\tadded_us_per_op\thits_per_op\tadded_us_per_hit\tcycles_per_hit\tcost_ratio\toriginal\tinvalid\n' >"$t/ovh.tsv"
printf 'good\tgenerated -b\tan op\t%s\tstap 4.8\t2026-12-07\t37.31\t4.00\t9.327\t22609\t1.095\tthe "seed"\t\n' "$kver" >>"$t/ovh.tsv"
printf 'good\tgenerated, more\tan op\t%s\tstap 4.8\t2026-12-07\t\t\t\t\t\tthe "seed"\tfewer than 3 good rounds\n' "$kver" >>"$t/ovh.tsv"
out=$(KCACHE=$t/none STAPGEN_OVERHEAD=$t/ovh.tsv "$root/scripts/validate-matrix.sh" "$t" "p1:$kver" "good broken flaky" 2>&1); rc=$?
[ $rc = 1 ] && ok "the matrix fails on a FAIL cell" || bad "matrix exit $rc"
python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))["overhead"]
assert len(o) == 2, o
assert o[0]["tool"] == "good" and o[0]["cost_ratio"] == 1.095 and o[0]["hits_per_op"] == 4.0, o[0]
assert o[0]["original"] == "the \"seed\"", o[0]
assert o[1]["cost_ratio"] is None and o[1]["invalid"] == "fewer than 3 good rounds", o[1]
' "$t/matrix.json" && ok "matrix.json carries docs/overhead.tsv" || bad "matrix.json overhead: $(grep -A8 overhead "$t/matrix.json")"
last=$(printf '%s\n' "$out" | tail -n 1)
case $last in "validate: 3 cells: 0 pass, 2 p1 pass, 0 unsupported, 1 FAIL;"*) ok "summary last" ;; *) bad "last line: $last" ;; esac
printf '%s\n' "$out" | grep -q "^validate: FAIL broken on $kver: .*parse error" &&
	printf '%s\n' "$out" | grep -q '^validate:   | .*parse error' &&
	ok "the failure and the end of its stap output close the log" || bad "tail: $out"
printf '%s\n' "$out" | grep -q "^validate: warning: passed on the second attempt: flaky on $kver" &&
	grep -q 'flaky | p1 pass .* (second attempt; first: exit 1' "$t/matrix.md" &&
	ok "second attempts are listed, in the log and the matrix" || bad "retry listing: $out"
# p2: a tracepoint whose query failure stap cached (an empty object) does
# not resolve; the second attempt runs on a private copy of the cache without
# cached failures, and what built there replaces the failure in the shared
# cache.  The stand-in "stap" plays that cache: an empty query object fails
# the probe point, a missing one is built.
pk=6.1.0-98-test
mkdir -p "$t/p2/bin" "$t/p2/cache/kernels/$pk/build" "$t/p2/gen/$pk"
printf 'probe kernel.trace("raw_syscalls:sys_enter") { exit() }\n' >"$t/p2/gen/$pk/tp.stp"
printf 'tool=tp\nstap_flags=\ndebuginfo=not-needed\n' >"$t/p2/gen/$pk/tp.flags"
sc=$t/p2/cache/kernels/$pk/stap/cache/ab
mkdir -p "$sc"
: >"$sc/tracequery_1.o"
printf 'Header Path: %s/include/trace/events/syscalls.h\n' "$t/p2/cache/kernels/$pk/build" >"$sc/tracequery_1_hash.log"
printf 'prime=2\ntracepoints=ok\nfailed_headers=1\n' >"$t/p2/cache/kernels/$pk/.stapgen-primed"
cat >"$t/p2/bin/stap" <<EOS
#!/bin/sh
case "\$1" in -V) exec "$real" -V ;; esac
o=\$SYSTEMTAP_DIR/cache/ab/tracequery_1.o
if [ -e "\$o" ] && [ ! -s "\$o" ]; then
	echo "semantic error: while resolving probe point: identifier 'kernel' at tp.stp:1:7" >&2
	exit 1
fi
[ -e "\$o" ] || echo ELF >"\$o"
echo "# probes"
EOS
chmod +x "$t/p2/bin/stap"
sdir=$t/p2/cache/kernels/$pk/stap
PATH=$t/p2/bin:$PATH STAPGEN_CACHE=$t/p2/cache "$root/scripts/validate-cell.sh" p2 "$pk" tp \
	"$t/p2/gen/$pk" "$t/p2/cache/kernels/$pk/build" "$sdir" "$t/p2/cells/$pk/tp" >"$t/tp.line" 2>&1
prec() { sed -n "s/^$1=//p" "$t/p2/cells/$pk/tp.rec"; }
[ "$(prec status)" = pass ] && prec retry_cache | grep -q 'without its 1 cached tracepoint-query failures; built this time (now in the shared cache too): trace/events/syscalls.h' &&
	[ -s "$sc/tracequery_1.o" ] && [ -z "$(ls -d "$sdir".retry.* 2>/dev/null)" ] &&
	ok "a cached tracepoint-query failure is rebuilt on the second attempt and healed" ||
	bad "p2 retry: $(cat "$t/tp.line" "$t/p2/cells/$pk/tp.rec" 2>&1)"

# a live column where a LIVE_TOOLS run checked only one tool: the others
# are "not run", not failures
mkdir -p "$t/l/cells/$kver@live"
printf 'kernel=%s\ntool=good\nmode=live\nstatus=pass\nseconds=1\n' "$kver" >"$t/l/cells/$kver@live/good.rec"
out=$(KCACHE=$t/none "$root/scripts/validate-matrix.sh" "$t/l" "live:$kver@live" "good broken" 2>&1); rc=$?
[ $rc = 0 ] && printf '%s\n' "$out" | grep -q ' 0 FAIL, 1 not run (LIVE_TOOLS, VALIDATE_SOURCE_NO_TRACE);' &&
	grep -q '^| broken | not run |' "$t/l/matrix.md" &&
	ok "live tests a run left out are 'not run'" || bad "live not run: exit $rc: $out"

# Every kind of cell the matrix renders, written in the record formats of
# validate-cell.sh (p2, p1: pass, second attempt, unsupported, FAIL, timeout)
# and live.py (pass, not-triggerable, FAIL), plus the records that are
# missing (p2: FAIL "no result recorded"; live: "not run").  Each cell's text
# in matrix.md is checked exactly, and matrix.md against matrix.json.
m=$t/m k1=6.1.0-97-test p1k=3.10.0-1.test
c2=$m/cells/$k1 cs=$m/cells/$k1@sid c1=$m/cells/$p1k cl=$m/cells/$k1@live
mkdir -p "$c2" "$cs" "$c1" "$cl"
r() {	# CELLDIR TOOL KERNEL MODE KEY=VALUE...: a record
	f=$1/$2.rec; printf 'kernel=%s\ntool=%s\nmode=%s\nstap=4.8/0.188\n' "$3" "$2" "$4" >"$f"
	shift 4; printf '%s\n' "$@" >>"$f"
}
r "$c2" alpha $k1 p2 status=pass seconds=1.5 max_rss_kb=1000 exit=0 'probes=kernel.function("x")'
r "$cs" alpha $k1 p2 status=pass seconds=3 exit=0 'first_attempt=exit 1: ERROR: simulated race (full output: a.first.log)'
r "$c1" alpha $p1k p1 status=pass seconds=0.3 exit=0
r "$cl" alpha $k1 live status=pass tests=2 seconds=12
r "$c2" beta $k1 p2 status=FAIL seconds=2.5 exit=1 \
	"error=semantic error: while resolving probe point: identifier 'kernel' at /g/beta.stp:3:7" \
	location=/g/beta.stp:3:7 'source=probe kernel.function("nosuch")' 'detail=semantic error: no match'
r "$cs" beta $k1 p2 status=unsupported 'reason=needs 6.2 (a | b)' seconds=0
r "$c1" beta $p1k p1 status=pass seconds=0.4 exit=0 'first_attempt=exit 1: ERROR: x'
r "$cl" beta $k1 live status=not-triggerable 'reason=no such hardware' seconds=0
r "$c2" gamma $k1 p2 status=FAIL seconds=600 exit=124 'error=timeout after 600s'
# (gamma@sid: no record)
r "$c1" gamma $p1k p1 status=FAIL seconds=0.2 exit=1 "error=parse error: expected 'probe' at /g/gamma.stp:2:1" \
	location=/g/gamma.stp:2:1 'spec_error=specs/gamma.yaml:12:5: error: in probe: x'
# shellcheck disable=SC2016  # backquotes in the error are data
r "$cl" gamma $k1 live status=FAIL 'error=t1: field `pid` is 0 | want > 0' location=specs/gamma.yaml:40 seconds=7
: >"$cl/.done"
# (delta@live: no record, a LIVE_TOOLS run)
r "$c2" delta $k1 p2 status=unsupported 'reason=no tracepoint' seconds=0
r "$cs" delta $k1 p2 status=pass seconds=1 exit=0
r "$c1" delta $p1k p1 status=unsupported 'reason=no tracepoint' seconds=0
KCACHE=$t/none "$root/scripts/validate-matrix.sh" "$m" "p2:$k1 p2:$k1@sid p1:$p1k live:$k1@live" "alpha beta gamma delta" >"$t/m.out" 2>&1
rc=$?
[ $rc = 1 ] && ok "matrix of every cell kind: exit 1 (it has FAILs)" || bad "matrix of every cell kind: exit $rc: $(cat "$t/m.out")"
python3 "$here/matrix-agree.py" "$m" --dump >"$t/m.cells" 2>"$t/m.agree" &&
	ok "matrix.md and matrix.json agree cell by cell" || bad "md/json disagree: $(cat "$t/m.agree")"
tab=$(printf '\t')
cat >"$t/m.want" <<EOF
alpha${tab}$k1${tab}pass 1.5s
alpha${tab}$k1@sid${tab}pass 3s (second attempt; first: exit 1: ERROR: simulated race (full output: a.first.log))
alpha${tab}$p1k${tab}p1 pass 0.3s
alpha${tab}$k1@live${tab}live pass 12s
beta${tab}$k1${tab}**FAIL** 2.5s: semantic error: while resolving probe point: identifier 'kernel'; semantic error: no match at \`/g/beta.stp:3:7\`
beta${tab}$k1@sid${tab}unsupported: needs 6.2 (a \| b)
beta${tab}$p1k${tab}p1 pass 0.4s (second attempt; first: exit 1: ERROR: x)
beta${tab}$k1@live${tab}not triggerable: no such hardware
delta${tab}$k1${tab}unsupported: no tracepoint
delta${tab}$k1@sid${tab}pass 1s
delta${tab}$p1k${tab}unsupported: no tracepoint
delta${tab}$k1@live${tab}not run
gamma${tab}$k1${tab}**FAIL** 600s: timeout after 600s
gamma${tab}$k1@sid${tab}**FAIL**: no result recorded
gamma${tab}$p1k${tab}**FAIL** 0.2s: parse error: expected 'probe' at \`/g/gamma.stp:2:1\`; spec: \`specs/gamma.yaml:12:5\`
gamma${tab}$k1@live${tab}**FAIL** 7s: t1: field 'pid' is 0 \| want > 0 at \`specs/gamma.yaml:40\`
EOF
diff "$t/m.want" "$t/m.cells" >"$t/m.diff" && ok "every cell of matrix.md says what its record says" ||
	bad "matrix.md cells (want vs got): $(cat "$t/m.diff")"
grep -q "^16 cells: 4 pass, 2 p1 pass, 4 unsupported, 5 FAIL\." "$m/matrix.md" &&
	tail -n 1 "$t/m.out" | grep -q '^validate: 16 cells: 4 pass, 2 p1 pass, 4 unsupported, 5 FAIL, 1 not run' &&
	ok "the summary counts them" || bad "summary: $(grep cells: "$m/matrix.md"; tail -n 1 "$t/m.out")"

# headers-only cells (VALIDATE_TREE=headers-only): a failing tool whose
# script says it needs debuginfo is a "gap", run once; one that says "not
# needed" is a FAIL (run twice, as any claimed cell); the matrix renders
# them, counts the passes per column and does not fail on gaps.
hk=6.1.0-96-test
h=$t/h
mkdir -p "$h/bin" "$h/gen/$hk" "$h/tree" "$h/sd"
cat >"$h/bin/stap" <<EOS
#!/bin/sh
case "\$1" in -V) exec "$real" -V ;; esac
for a; do case \$a in */ok*.stp) echo "# probes"; exit 0 ;; esac; done
echo "semantic error: missing x86_64 kernel/module debuginfo [man warning::debuginfo] under '$h/tree'" >&2
echo "semantic error: while resolving probe point: identifier 'kernel' at x.stp:3:7" >&2
exit 1
EOS
chmod +x "$h/bin/stap"
for n in needed okneeded notneeded oknotneeded maybe; do
	case $n in
	*notneeded) d=not-needed ;;
	maybe) d=only-if-fallback ;;
	*) d='needed\ndebuginfo_why=kernel.function("f") is a DWARF probe point' ;;
	esac
	printf "# %s\\nprobe begin { exit() }\\n" "$n" >"$h/gen/$hk/$n.stp"
	printf "tool=%s\\nstap_flags=\\ndebuginfo=$d\\n" "$n" >"$h/gen/$hk/$n.flags"
done
printf 'needs 7.0\n' >"$h/gen/$hk/unsup.unsupported"
for n in needed okneeded notneeded oknotneeded unsup maybe; do
	PATH=$h/bin:$PATH STAPGEN_CACHE=$h/cache VALIDATE_TREE=headers-only "$root/scripts/validate-cell.sh" p2 "$hk" "$n" \
		"$h/gen/$hk" "$h/tree" "$h/sd" "$h/cells/$hk@headers-only/$n" >"$h/$n.line" 2>&1
done
hrec() { sed -n "s/^$2=//p" "$h/cells/$hk@headers-only/$1.rec"; }
[ "$(hrec needed status)" = gap ] && [ "$(hrec needed tree)" = headers-only ] &&
	[ ! -e "$h/cells/$hk@headers-only/needed.first.log" ] &&
	hrec needed error | grep -q 'missing x86_64 kernel/module debuginfo' &&
	grep -q "needed: gap (needs debuginfo): semantic error: missing x86_64" "$h/needed.line" &&
	ok "headers-only: a tool needing debuginfo that fails is a gap, run once" ||
	bad "headers-only gap: $(cat "$h/needed.line" "$h/cells/$hk@headers-only/needed.rec")"
[ "$(hrec notneeded status)" = FAIL ] && [ -n "$(hrec notneeded first_attempt)" ] &&
	[ "$(hrec maybe status)" = FAIL ] && [ "$(hrec maybe debuginfo)" = only-if-fallback ] &&
	[ "$(hrec oknotneeded status)" = pass ] && [ "$(hrec unsup status)" = unsupported ] &&
	ok "headers-only: a tool whose script says 'not needed' or 'only if a fallback' FAILs there" ||
	bad "headers-only claimed: $(cat "$h/notneeded.line" "$h/oknotneeded.line" "$h/maybe.line")"
# the other drift: the script asks for debuginfo, stap does without
[ "$(hrec okneeded status)" = FAIL ] && [ "$(hrec okneeded debuginfo)" = needed ] &&
	hrec okneeded error | grep -q "^passes without debuginfo, yet its plan says debuginfo=needed " &&
	ok "headers-only: a tool whose script says 'needed' and that passes there FAILs" ||
	bad "headers-only unclaimed pass: $(cat "$h/okneeded.line" "$h/cells/$hk@headers-only/okneeded.rec")"
rm "$h/cells/$hk@headers-only/maybe.rec"
mkdir -p "$h/cells/$hk"
for n in needed okneeded notneeded oknotneeded; do
	printf 'kernel=%s\ntool=%s\nmode=p2\nstatus=pass\nseconds=1\n' "$hk" "$n" >"$h/cells/$hk/$n.rec"
done
printf 'kernel=%s\ntool=unsup\nmode=p2\nstatus=unsupported\nreason=needs 7.0\nseconds=0\n' "$hk" >"$h/cells/$hk/unsup.rec"
KCACHE=$t/none "$root/scripts/validate-matrix.sh" "$h" "p2:$hk ho:$hk@headers-only" "needed okneeded notneeded oknotneeded unsup" >"$h/m.out" 2>&1
rc=$?
python3 "$here/matrix-agree.py" "$h" --dump >"$h/m.cells" 2>"$h/m.agree" &&
	ok "headers-only: matrix.md and matrix.json agree" || bad "headers-only md/json: $(cat "$h/m.agree")"
cat >"$h/m.want" <<EOF
needed${tab}$hk${tab}pass 1s
needed${tab}$hk@headers-only${tab}gap (needs debuginfo): semantic error: missing x86_64 kernel/module debuginfo [man warning::debuginfo] under '$h/tree'
notneeded${tab}$hk${tab}pass 1s
notneeded${tab}$hk@headers-only${tab}**FAIL** $(hrec notneeded seconds)s: semantic error: missing x86_64 kernel/module debuginfo [man warning::debuginfo] under '$h/tree' at \`x.stp:3:7\`
okneeded${tab}$hk${tab}pass 1s
okneeded${tab}$hk@headers-only${tab}**FAIL** $(hrec okneeded seconds)s: passes without debuginfo, yet its plan says debuginfo=needed (its --check would ask for debuginfo)
oknotneeded${tab}$hk${tab}pass 1s
oknotneeded${tab}$hk@headers-only${tab}pass $(hrec oknotneeded seconds)s
unsup${tab}$hk${tab}unsupported: needs 7.0
unsup${tab}$hk@headers-only${tab}unsupported: needs 7.0
EOF
diff "$h/m.want" "$h/m.cells" >"$h/m.diff" && ok "headers-only: every cell's text" || bad "headers-only cells (want vs got): $(cat "$h/m.diff")"
[ $rc = 1 ] && grep -q "^validate: headers-only: 1 of 5 pass on $hk@host (stap [0-9.]*): 1 gap (needs debuginfo), 2 FAIL, 1 unsupported$" "$h/m.out" &&
	tail -n 1 "$h/m.out" | grep -q '^validate: 10 cells: 5 pass, 0 p1 pass, 2 unsupported, 2 FAIL, 1 headers-only gaps;' &&
	grep -q '^- headers-only: 1 of 5 pass on' "$h/matrix.md" &&
	ok "headers-only: pass count per column; the claimed FAIL fails the matrix" || bad "headers-only summary: exit $rc: $(cat "$h/m.out")"
rm "$h/cells/$hk@headers-only/notneeded.rec"
cp "$h/cells/$hk@headers-only/needed.rec" "$h/cells/$hk@headers-only/notneeded.rec"
sed -i 's/^tool=needed/tool=notneeded/' "$h/cells/$hk@headers-only/notneeded.rec"
sed 's/^tool=needed/tool=okneeded/' "$h/cells/$hk@headers-only/needed.rec" >"$h/cells/$hk@headers-only/okneeded.rec"
KCACHE=$t/none "$root/scripts/validate-matrix.sh" "$h" "p2:$hk ho:$hk@headers-only" "needed okneeded notneeded oknotneeded unsup" >"$h/m.out" 2>&1 &&
	ok "headers-only: gaps alone do not fail the matrix" || bad "headers-only gaps: exit $?: $(cat "$h/m.out")"

# A toolchain column's cell for a spec that uses a construct newer than that
# stap (gen/tables/stap_versions.def) is unsupported, naming the fact; no
# stap runs.  The toolchain is a stamp only (no chroot is built).
v=$t/stapver
mkdir -p "$v/cache/toolchains/bullseye" "$v/spec"
printf 'format=2\nstap=4.4\n' >"$v/cache/toolchains/bullseye/.stapgen-ready"
printf 'tool: umod_t\nsummary: s\nprobes:\n  - on: timer.s(1)\n    emit: { record: s, columns: { n: %s } }\n' \
	"'umodaddr(0)'" >"$v/spec/umod_t.yaml"
if "$root/build/stapgen" --stap-version 4.8 -k "$kver" -o "$v/gen" "$v/spec/umod_t.yaml" 2>"$v/gen.err"; then
	STAPGEN_CACHE=$v/cache STAPGEN=$root/build/stapgen VALIDATE_TOOLCHAIN=bullseye PATH=/nonexistent:$PATH \
		"$root/scripts/validate-cell.sh" p2 "$kver" umod_t "$v/gen" /nonexistent /nonexistent "$v/cells/umod_t" >"$v/line" 2>&1
	grep -qx "reason=stap 4.4: 'umodaddr' needs stap 4.5 or later; generating for stap 4.4" "$v/cells/umod_t.rec" &&
		grep -qx 'status=unsupported' "$v/cells/umod_t.rec" && grep -q "umod_t: unsupported: stap 4.4: 'umodaddr'" "$v/line" &&
		ok "a toolchain cell is unsupported by the stap-version fact its spec hits" ||
		bad "stap-version cell: $(cat "$v/line" "$v/cells/umod_t.rec" 2>&1)"
else
	bad "stap-version cell: generating: $(cat "$v/gen.err")"
fi
[ $fails = 0 ] || exit 1
echo "validate scripts: all passed"
