"""One vocabulary (issue 20): a tool's doc page FIELDS list exactly the keys
its parser's JSON gives each record kind (a histogram's buckets[] keys
included), its CSV header is kind[,report,ts] and the union of those fields
(`buckets` is JSON's list, not a column), and the table's titles are the
doc's: a histogram's "UNIT : count distribution" header, its key=value
title line, a row or event kind's column titles.
Usage: doc_fields.py TOOL.md OUT.json OUT.csv OUT.table TOOL"""
import csv, json, re, sys

doc, js, cs, tb, tool = sys.argv[1:]
kinds, order, cur = {}, [], None
text = open(doc, encoding="utf-8").read()
out = text.split("\n## Output\n", 1)[1].split("\n## ", 1)[0]
for line in out.splitlines():
    m = re.match(r"^`@([a-z0-9_]+)`: (.*)", line)
    if m:
        cur = m.group(1)
        kinds[cur] = {"hist": "histogram" in m.group(2), "fields": []}
        order.append(cur)
        continue
    m = re.match(r"^\| `([a-z0-9_]+)` \|([^|]*)\|([^|]*)\|([^|]*)\|$", line)
    if m and cur:
        kinds[cur]["fields"].append((m.group(1), m.group(4).strip()))
bad = []
seen = {}
for line in open(js, encoding="utf-8"):
    o = json.loads(line)
    k = o["kind"]
    keys = set(o) - {"kind", "report", "ts"}
    for b in o.get("buckets", []):
        keys |= set(b)
    seen.setdefault(k, set()).update(keys)
for k in order:
    want = {f for f, _ in kinds[k]["fields"]}
    got = seen.get(k)
    if got is None:
        bad.append(f"@{k}: no JSON record")
    elif got != want:
        bad.append(f"@{k}: doc FIELDS {sorted(want)} but JSON keys {sorted(got)}")
for k in set(seen) - set(order):
    bad.append(f"@{k}: in the JSON, not on the doc page")
# CSV: one header, the doc's fields in order of first appearance
with open(cs, newline="", encoding="utf-8") as fh:
    head = next(csv.reader(fh))
union = []
for k in order:
    for f, _ in kinds[k]["fields"]:
        if f != "buckets" and f not in union:
            union.append(f)
rest = head[3:] if head[1:3] == ["report", "ts"] else head[1:]
if head[0] != "kind" or rest != union:
    bad.append(f"CSV header {head} is not kind[,report,ts] + {union}")
# the table's titles
lines = open(tb, encoding="utf-8").read().splitlines()
for k in order:
    f = dict(kinds[k]["fields"])
    if kinds[k]["hist"]:
        unit = f.get("low")
        hdr = [l for l in lines if re.fullmatch(r" *(\S+) +: count +distribution", l)]
        if f.get("high") != unit or f.get("count") != "count":
            bad.append(f"@{k}: doc titles low/high/count {f.get('low')}/{f.get('high')}/{f.get('count')}")
        if not any(h.split()[0] == unit for h in hdr):
            bad.append(f"@{k}: no table header '{unit} : count distribution' ({hdr[:1]})")
        keys = [t for n, t in kinds[k]["fields"] if n not in ("buckets", "low", "high", "count")]
        title = [l for l in lines if l.split(" ")[0] == k]
        if not title or [w.split("=")[0] + "=" for w in title[0].split()[1:]] != keys:
            bad.append(f"@{k}: table title line {title[:1]} does not show the keys {keys}")
    else:
        titles = [t for _, t in kinds[k]["fields"]]
        if not any(l.split() in (titles, ["KIND"] + titles) for l in lines):
            bad.append(f"@{k}: no table header of the doc's titles {titles}")
for b in bad[:8]:
    print(f"FAIL: {tool} fields: {b}")
sys.exit(1 if bad else 0)
