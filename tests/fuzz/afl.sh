#!/bin/sh
# make fuzz-afl: runs AFL++ on one harness for AFL_SECONDS, seeded like the
# libFuzzer runs (tests/fuzz/seeds.sh) plus the committed corpus, with the
# harness's dictionary.  A crash or hang found fails the run; the inputs
# are in BUILD/afl/<harness>/default/{crashes,hangs}/.
# usage: afl.sh BUILD HARNESS
set -u
build=$1 h=$2
secs=${AFL_SECONDS:-600}
here=$(dirname "$0")
seeds=$(mktemp -d "$build/afl-seeds.XXXXXX") || exit 1
trap 'rm -rf "$seeds"' EXIT INT TERM
"$here/seeds.sh" "$seeds/all" || exit 1
mkdir -p "$seeds/in"
cp "$seeds/all/$h"/* "$seeds/in/" 2>/dev/null
[ -d "$here/corpus/$h" ] && cp "$here/corpus/$h"/* "$seeds/in/" 2>/dev/null
out=$build/afl/$h
mkdir -p "$out"
dict=
[ -e "$here/$h.dict" ] && dict="-x $here/$h.dict"
# -m none: ASan reserves terabytes of virtual memory; -t: per input, ms
AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 \
ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=0:allocator_may_return_null=1 \
	afl-fuzz -V "$secs" -m none -t 10000 -i "$seeds/in" -o "$out" $dict -- "$build/fuzz/$h" \
	>"$out.log" 2>&1
rc=$?
stats=$out/default/fuzzer_stats
[ -e "$stats" ] && grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|bitmap_cvg)' "$stats" | sed 's/^/   /'
crashes=$(ls "$out/default/crashes" 2>/dev/null | grep -vc README)
hangs=$(ls "$out/default/hangs" 2>/dev/null | wc -l)
if [ "$rc" -ne 0 ] || [ "${crashes:-0}" -gt 0 ] || [ "${hangs:-0}" -gt 0 ]; then
	echo "FAIL: afl-fuzz $h: exit $rc, $crashes crashes, $hangs hangs; log: $out.log"
	exit 1
fi
echo "afl: $h ran clean"
