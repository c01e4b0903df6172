#!/bin/sh
# tests/validate/run.sh — validate-cell.sh and validate-matrix.sh with the real
# stap at -p1 (no kernel tree needed): a cell that passes, one that fails
# twice (FAIL, both attempts recorded), one whose stap fails only the first
# time (pass, marked as a second attempt), and the matrix's closing lines,
# which must name each failure (CI keeps only the tail of its log).
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
printf 'probe begin { println("hi"); exit() }\n' >"$sd/good.stp"
printf 'probe begin { exit() }\nprobe begin { x = }\n' >"$sd/broken.stp"
cp "$sd/good.stp" "$sd/flaky.stp"

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
[ "$(rec broken status)" = FAIL ] && rec broken first_attempt | grep -q '^exit 1: .*parse error' &&
	[ -f "$t/cells/$kver/broken.first.log" ] && ok "a cell failing twice is FAIL, the first attempt kept" || bad "broken: $(cat "$t/cells/$kver/broken.rec")"
grep -q 'broken: FAIL: .*parse error' "$t/broken.line" && ok "its line says why" || bad "broken line: $(cat "$t/broken.line")"
[ "$(rec flaky status)" = pass ] && rec flaky first_attempt | grep -q 'simulated cache race' &&
	grep -q 'p1 pass on the second attempt (first: exit 1: ERROR: simulated cache race' "$t/flaky.line" &&
	ok "a cell passing on the second attempt says so" || bad "flaky: $(cat "$t/flaky.line")"

out=$(KCACHE=$t/none "$root/scripts/validate-matrix.sh" "$t" "p1:$kver" "good broken flaky" 2>&1); rc=$?
[ $rc = 1 ] && ok "the matrix fails on a FAIL cell" || bad "matrix exit $rc"
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
[ $rc = 0 ] && printf '%s\n' "$out" | grep -q ' 0 FAIL, 1 live not run (LIVE_TOOLS);' &&
	grep -q '^| broken | not run |' "$t/l/matrix.md" &&
	ok "live tests a run left out are 'not run'" || bad "live not run: exit $rc: $out"
[ $fails = 0 ] || exit 1
echo "validate scripts: all passed"
