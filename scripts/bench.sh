#!/bin/sh
# make bench: parser throughput per output format, against baselines on the
# same input in the same run.  Not a test: it prints figures, never fails on
# them.  usage: bench.sh STAPGEN
#   BENCH_MB=48     size of each synthetic input (scripts/bench-gen.py)
#   BENCH_RUNS=3    runs per measurement; the fastest counts
#   RT_DIR=templates/parser   the runtime to build the parsers with
#   PARSER_LDFLAGS=-static    how they link (as make tools: PARSER_LDFLAGS= for dynamic)
# Inputs are cached in build/bench/ (regenerated when bench-gen.py changes).
set -eu
stapgen=$1
mb=${BENCH_MB:-48}
runs=${BENCH_RUNS:-3}
rt=${RT_DIR:-templates/parser}
dir=build/bench
mkdir -p "$dir"
CC=${CC:-cc}

# ---- inputs ----------------------------------------------------------------
stamp=$(cksum <scripts/bench-gen.py | cut -d' ' -f1)-$mb
for k in tcp_conn execve stacks stacks20k; do
	if [ "$(cat "$dir/$k.stamp" 2>/dev/null)" != "$stamp" ]; then
		echo "bench: generating $dir/$k.in" >&2
		python3 scripts/bench-gen.py "$k" "$mb" "$dir/$k.in"
		echo "$stamp" >"$dir/$k.stamp"
	fi
done

# ---- parsers (as make tools builds them) -----------------------------------
out=$dir/out
rm -rf "$out"
"$stapgen" --kver bench --out "$out" specs/net/tcp_conn.yaml specs/syscall/execve.yaml \
	specs/cpu/sample_bt.yaml >/dev/null 2>&1 || true
for t in tcp_conn execve sample_bt; do
	[ -e "$out/parsers/${t}_parser.c" ] || { echo "bench: no parser for $t" >&2; exit 1; }
	# shellcheck disable=SC2086 # PARSER_LDFLAGS: make-tools.sh's, static by default
	$CC -std=c11 -O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes ${PARSER_LDFLAGS--static} -I"$rt" \
		-o "$dir/$t-parse" "$out/parsers/${t}_parser.c" "$rt"/stapgen_rt*.c
done

# ---- measuring -------------------------------------------------------------
# run INPUT CMD...: "wall_s cpu_s rss_kib" (scripts/bench-run.py: the best of
# $runs runs, CMD <INPUT >/dev/null under /usr/bin/time -f %M)
run() {
	in=$1
	shift
	python3 scripts/bench-run.py "$runs" "$in" "$@"
}

# Baselines: naive reshaping of the same tab-separated records (no unescaping,
# no validation): what the parser has to beat.
MAWK_JSON='$1=="@conn"{printf "{\"kind\":\"conn\",\"time\":%s,\"euid\":%s,\"uid\":%s,\"gid\":%s,\"comm\":\"%s\",\"pid\":%s,\"port\":%s,\"source\":\"%s\"}\n",$2,$3,$4,$5,$6,$7,$8,$9}'
MAWK_CSV='$1=="@conn"{$1="conn";print}'
MAWK_FOLD='$1=="@stacks"{c[$2 FS $3]+=$4} END{for(k in c) print k, c[k]}'
PY_JSON='import sys, json
keys = ("time","euid","uid","gid","comm","pid","port","source")
out = sys.stdout.write
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    if f[0] == "@conn":
        d = {"kind": "conn"}
        d.update(zip(keys, f[1:]))
        out(json.dumps(d) + "\n")'

load=$(cut -d' ' -f1-3 /proc/loadavg)
printf '# %s, %s cores, load average before: %s; best of %s runs\n' \
	"$(date -u +%Y-%m-%dT%H:%MZ)" "$(nproc)" "$load" "$runs"
printf '# MB/s = input MB / seconds: wall clock, and CPU (user + system: less\n'
printf '# inflated by other load); x = ratio to the baseline on the same input\n'
printf '%-32s %6s %8s %8s %8s %8s %8s\n' "what" "MB" "wall" "CPU" "RSS KiB" "x wall" "x CPU"

# line LABEL INPUT BASELINE_RESULT RESULT
line() {
	awk -v l="$1" -v b="$(wc -c <"$2")" -v base="$3" -v r="$4" 'BEGIN {
		split(r, x, " "); mb = b / 1e6
		w = mb / x[1]; c = mb / (x[2] > 0 ? x[2] : 1e-9)
		xw = "-"; xc = "-"
		if (base != "") {
			split(base, y, " ")
			xw = sprintf("%.2f", w / (mb / y[1])); xc = sprintf("%.2f", c / (mb / (y[2] > 0 ? y[2] : 1e-9)))
		}
		printf "%-32s %6.1f %8.0f %8.0f %8d %8s %8s\n", l, mb, w, c, x[3], xw, xc }'
}

in=$dir/tcp_conn.in
mj=$(run "$in" mawk -F'\t' "$MAWK_JSON")
line "baseline: mawk TSV->JSON" "$in" "" "$mj"
r=$(run "$in" python3 -c "$PY_JSON")
line "baseline: python3 json" "$in" "$mj" "$r"
mc=$(run "$in" mawk -F'\t' -v OFS=, "$MAWK_CSV")
line "baseline: mawk TSV->CSV" "$in" "" "$mc"
for f in json csv table; do
	r=$(run "$in" "$dir/tcp_conn-parse" -f $f)
	line "tcp_conn -f $f" "$in" "$([ $f = csv ] && echo "$mc" || echo "$mj")" "$r"
done
in=$dir/execve.in
me=$(run "$in" mawk -F'\t' -v OFS=, '$1=="@exec"{$1="exec";print}')
line "baseline: mawk TSV->CSV" "$in" "" "$me"
for f in json csv table; do
	r=$(run "$in" "$dir/execve-parse" -f $f)
	line "execve -f $f" "$in" "$me" "$r"
done
in=$dir/stacks.in
mf=$(run "$in" mawk -F'\t' "$MAWK_FOLD")
line "baseline: mawk sum by stack" "$in" "" "$mf"
for f in folded svg json; do
	r=$(run "$in" "$dir/sample_bt-parse" -f $f)
	line "sample_bt -f $f" "$in" "$mf" "$r"
done
in=$dir/stacks20k.in
rf=$(run "$in" "$dir/sample_bt-parse" -f folded)
line "sample_bt 20k stacks -f folded" "$in" "" "$rf"
rs=$(run "$in" "$dir/sample_bt-parse" -f svg)
line "sample_bt 20k stacks -f svg" "$in" "" "$rs"
awk -v a="$rs" -v b="$rf" 'BEGIN { split(a, x, " "); split(b, y, " ")
	printf "svg of 20,000 distinct stacks beyond folding: %.3f s wall, %.3f s CPU\n", x[1] - y[1], x[2] - y[2] }'
# RSS against input size: the same records twice over
cat "$dir/tcp_conn.in" "$dir/tcp_conn.in" >"$dir/x2.in"
r=$(run "$dir/x2.in" "$dir/tcp_conn-parse" -f json)
line "tcp_conn -f json, input x2" "$dir/x2.in" "" "$r"
cat "$dir/stacks.in" "$dir/stacks.in" >"$dir/x2.in"
for f in folded svg; do
	r=$(run "$dir/x2.in" "$dir/sample_bt-parse" -f $f)
	line "sample_bt -f $f, input x2" "$dir/x2.in" "" "$r"
done
rm -f "$dir/x2.in"
printf '# load average after: %s\n' "$(cut -d' ' -f1-3 /proc/loadavg)"
