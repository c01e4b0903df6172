#!/bin/sh
# make fuzz: runs each libFuzzer harness for FUZZ_SECONDS with an RSS limit
# of FUZZ_RSS_MB, seeded from the repository (tests/fuzz/seeds.sh).  The
# corpus each run grows is kept in BUILD/corpus/<harness>/ for the next run.
# A crash, leak, timeout or memory blow-up fails the run; its input is in
# BUILD/crashes/<harness>/ -- fix the bug, then keep the input as
# tests/fuzz/regress/<harness>/<name> so `make check` replays it.
# usage: run.sh BUILD HARNESS...
set -u
build=$1
shift
secs=${FUZZ_SECONDS:-60}
rss=${FUZZ_RSS_MB:-100}
here=$(dirname "$0")
mkdir -p "$build"
seeds=$(mktemp -d "$build/seeds.XXXXXX") || exit 1
trap 'rm -rf "$seeds"' EXIT INT TERM
"$here/seeds.sh" "$seeds" || exit 1
# ASan's quarantine would otherwise hold up to 256 MB of freed memory (16 MB
# still costs ~25 MB of RSS with the fuzz_spec corpus loaded) and
# count against the RSS limit; leaks are errors.
ASAN_OPTIONS=${ASAN_OPTIONS:-quarantine_size_mb=4:detect_leaks=1:allocator_may_return_null=1}
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export ASAN_OPTIONS UBSAN_OPTIONS
fail=0
for h in "$@"; do
	bin=$build/fuzz/$h
	corpus=$build/corpus/$h
	crashes=$build/crashes/$h
	mkdir -p "$corpus" "$crashes"
	dict=
	[ -e "$here/$h.dict" ] && dict=-dict=$here/$h.dict
	echo "== $h: ${secs}s, rss limit ${rss} MB"
	log=$build/$h.log
	rc=0
	# -timeout: one input must be handled in well under a second; 10 s
	# under ASan+UBSan is a hang.  -max_len: specs may be 1 MiB, but the
	# fuzzer's mutations are most useful on small inputs.
	"$bin" -max_total_time="$secs" -rss_limit_mb="$rss" -malloc_limit_mb="$rss" \
		-timeout=10 -max_len=16384 -print_final_stats=1 $dict \
		-artifact_prefix="$crashes/" "$corpus" "$seeds/$h" >"$log" 2>&1 || rc=$?
	grep -E '^(#[0-9]+.*DONE|stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)' "$log" |
		sed 's/^/   /'
	echo "   corpus: $(ls "$corpus" | wc -l) inputs"
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: $h found a problem (exit $rc); log: $log; inputs:"
		ls "$crashes" | sed "s|^|   $crashes/|"
		grep -E 'ERROR|SUMMARY|runtime error|==[0-9]+==' "$log" | head -n 10
		fail=$((fail + 1))
	fi
done
[ "$fail" -eq 0 ] && echo "fuzz: all harnesses ran clean"
[ "$fail" -eq 0 ]
