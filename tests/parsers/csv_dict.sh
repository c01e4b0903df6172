#!/bin/sh
# Every tool's CSV read by Python's csv.DictReader: one header for the
# stream, each row's kind known, each cell of its kind's columns filled and
# every other cell empty (a header mid-stream would put data under the
# wrong names: strace_open's ENOENT under fd).  Then doc_fields.py: the doc
# page's FIELDS are the JSON's keys, the CSV's header and the table's titles.
set -u
stapgen=$1
here=$(dirname "$0")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
CC=${CC:-cc}
# shellcheck disable=SC2046 # the spec paths have no blanks
"$stapgen" --kver parser-test --out "$tmp/out" $(find specs -name '*.yaml' | LC_ALL=C sort) 2>/dev/null ||
	{ echo "FAIL: generator"; exit 1; }
CC=$CC ./scripts/rt-objs.sh "$tmp/rt" -std=c11 -O1 -g -Wall -Wextra -Werror >/dev/null ||
	{ echo "FAIL: the parser runtime does not compile"; exit 1; }
fail=0 n=0
for src in "$tmp"/out/parsers/*_parser.c; do
	tool=$(basename "$src" _parser.c)
	n=$((n + 1))
	$CC -std=c11 -O1 -Itemplates/parser -o "$tmp/p" "$src" "$tmp"/rt/*.o ||
		{ echo "FAIL: $tool parser does not compile"; fail=$((fail + 1)); continue; }
	LC_ALL=C awk -v tool="$tool" -f "$here/input.awk" "$src" >"$tmp/in"
	for fmt in csv json table; do
		TZ=UTC "$tmp/p" -f $fmt "$tmp/in" >"$tmp/$fmt" 2>"$tmp/err" || true
	done
	ok=1
	python3 "$here/doc_fields.py" "$tmp/out/doc/$tool.md" "$tmp/json" "$tmp/csv" "$tmp/table" "$tool" ||
		ok=0
	python3 - "$src" "$tmp/csv" "$tool" <<'PY' || ok=0
import csv, re, sys
src, path, tool = sys.argv[1:]
c = open(src).read()
tables = {m.group(1): re.findall(r'\{ "([a-z0-9_]+)", (SG_[A-Z]+)', m.group(2))
          for m in re.finditer(r'static const sg_field ([a-z0-9_]+)\[\] = \{(.*?)\n\};', c, re.S)}
kinds = {}
for m in re.finditer(r'\{ "([a-z0-9_]+)", SG_(EVENT|ROW|HIST_LOG2|HIST_LINEAR), ([a-z0-9_]+),', c):
    f = tables[m.group(3)]
    cols = [x[0] for x in f]
    if m.group(2).startswith('HIST'):
        cols = cols[:-2] + ['low', 'high', 'count']
    kinds[m.group(1)] = (m.group(2), cols)
bad = []
with open(path, newline='') as fh:
    rows = list(csv.DictReader(fh))
seen = set()
for i, r in enumerate(rows, 2):
    if None in r or None in r.values():
        bad.append(f"line {i}: {len(r)} cells do not match the header"); continue
    k = r['kind']
    if k not in kinds:
        bad.append(f"line {i}: kind {k!r} unknown (a header mid-stream?)"); continue
    seen.add(k)
    cls, cols = kinds[k]
    for name, v in r.items():
        if name in ('kind', 'report', 'ts'):
            if name != 'kind' and (v != '') != (cls != 'EVENT'):
                bad.append(f"line {i}: {k}: {name}={v!r}")
        elif (name in cols) != (v != ''):
            bad.append(f"line {i}: {k}: column {name}={v!r}")
missing = set(kinds) - seen
if missing:
    bad.append(f"kinds without rows: {sorted(missing)}")
for b in bad[:5]:
    print(f"FAIL: {tool} csv: {b}")
sys.exit(1 if bad else 0)
PY
	[ "$ok" = 1 ] || fail=$((fail + 1))
done
echo "csv_dict: $n tools, $fail failed"
[ "$fail" -eq 0 ]
