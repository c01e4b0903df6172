#!/usr/bin/env python3
"""matrix-agree.py VDIR [--dump]: check that VDIR/matrix.md's tool table and
VDIR/matrix.json say the same thing, cell by cell, and that the md summary
line counts what the table shows.  --dump also prints every md cell as
"TOOL<TAB>COLUMN<TAB>TEXT" (for tests that check the exact text).
Exit status 1 with one line per disagreement; usable on a real out/validation."""
import json
import re
import sys


def md_cells(line):
    # split a table row on unescaped '|'
    parts, cur, esc = [], "", False
    for ch in line.strip()[1:]:
        if esc:
            cur += ch
            esc = False
        elif ch == "\\":
            cur += ch
            esc = True
        elif ch == "|":
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    return parts


def expected(cell, mode):
    """The md rendering's class for a json cell: a regex the text must match."""
    st = cell.get("status")
    secs = r"[0-9.]+s"
    if st == "pass":
        word = {"p1": "p1 pass", "live": "live pass"}.get(mode, "pass")
        rx = re.escape(word) + " " + secs
        if cell.get("first_attempt"):
            return rx + r" \(second attempt; first: .*\)$"
        return rx + "$"
    if st == "unsupported":
        return r"unsupported: "
    if st == "not-triggerable":
        return r"not triggerable: "
    if st == "not-run":
        return r"not run$"
    if st == "gap":
        return r"gap \(needs debuginfo\)"
    return r"\*\*FAIL\*\*( " + secs + ")?: "


def main():
    vdir = sys.argv[1]
    dump = "--dump" in sys.argv[2:]
    bad = []
    md = open(vdir + "/matrix.md", encoding="utf-8").read().split("\n")
    js = json.load(open(vdir + "/matrix.json", encoding="utf-8"))
    cols = js["kernels"]
    tools = js["tools"]
    # the tool table: the header row starting "| tool |"
    start = next(i for i, l in enumerate(md) if l.startswith("| tool |"))
    rows = []
    for l in md[start + 2:]:
        if not l.startswith("|"):
            break
        rows.append(md_cells(l))
    if [r[0] for r in rows] != tools:
        bad.append("md rows %s != json tools %s" % ([r[0] for r in rows], tools))
    cells = js["cells"]
    if len(cells) != len(tools) * len(cols):
        bad.append("json has %d cells, %d tools x %d columns" % (len(cells), len(tools), len(cols)))
    count = {}
    for ti, row in enumerate(rows):
        if len(row) != len(cols) + 1:
            bad.append("md row %s has %d cells, %d columns" % (row[0], len(row) - 1, len(cols)))
            continue
        for ci, text in enumerate(row[1:]):
            if dump:
                print("%s\t%s\t%s" % (row[0], cols[ci]["release"], text))
            k = ti * len(cols) + ci
            if k >= len(cells):
                continue
            jc = cells[k]
            where = "%s on %s" % (row[0], cols[ci]["release"])
            if jc.get("tool") != row[0]:
                bad.append("%s: json cell is tool %s" % (where, jc.get("tool")))
            if "column" in jc and jc["column"] != cols[ci]["release"]:
                bad.append("%s: json cell is column %s" % (where, jc["column"]))
            rx = expected(jc, cols[ci]["check"])
            if not re.match(rx, text):
                bad.append("%s: md says %r, json status %s (expected /%s/)" % (where, text, jc.get("status"), rx))
            st = jc.get("status")
            if st == "pass" and cols[ci]["check"] == "p1":
                st = "p1_pass"
            elif st == "not-triggerable":
                st = "unsupported"
            count[st] = count.get(st, 0) + 1
    # the summary line of matrix.md and json's summary: the same counts, and
    # the counts of the cells themselves
    s = js["summary"]
    m = re.search(r"^(\d+) cells: (\d+) pass, (\d+) p1 pass, (\d+) unsupported, (\d+) FAIL", "\n".join(md), re.M)
    if not m:
        bad.append("md: no summary line")
    else:
        got = tuple(int(x) for x in m.groups())
        want = (s["cells"], s["pass"], s["p1_pass"], s["unsupported"], s["fail"])
        if got != want:
            bad.append("md summary %s != json summary %s" % (got, want))
    if s["fail"] != count.get("FAIL", 0):
        bad.append("json summary says %d FAIL, its cells %d" % (s["fail"], count.get("FAIL", 0)))
    if s["pass"] != count.get("pass", 0):
        bad.append("json summary says %d pass, its cells %d" % (s["pass"], count.get("pass", 0)))
    for b in bad:
        print("matrix-agree: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
