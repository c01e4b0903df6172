#!/usr/bin/env python3
"""source-agree.py VDIR: every kernel-source column of VDIR/matrix.json (a
dir:/rpm:/deb: entry of KERNELS, "source" in kernels[]) gives, tool by tool,
the verdict (status) of its reference column: the fetched Debian tree of the
same release (RELEASE), or its headers-only column (RELEASE@headers-only)
for a source without debuginfo.  Cells the source column did not run
("not run") are left out; any other difference, a missing reference column,
or a source column without a single cell run is an error (exit 1).  Prints
one line per source column."""
import json
import sys


def main():
    vdir = sys.argv[1]
    js = json.load(open(vdir + "/matrix.json", encoding="utf-8"))
    cols = [k["release"] for k in js["kernels"]]
    status = {}
    for c in js["cells"]:
        status[(c["column"], c["tool"])] = c.get("status")
    bad = []
    srcs = [k for k in js["kernels"] if "source" in k]
    if not srcs:
        bad.append("no kernel-source column in %s/matrix.json" % vdir)
    for k in srcs:
        col = k["release"]
        ref = k["kernel"] + ("@headers-only" if k.get("debuginfo") == "none" else "")
        if ref not in cols:
            bad.append("%s (%s): no reference column %s in the matrix" % (col, k["source"], ref))
            continue
        same, skipped, count = 0, 0, {}
        for t in js["tools"]:
            s, r = status.get((col, t)), status.get((ref, t))
            if s == "not-run":
                skipped += 1
                continue
            if s != r:
                bad.append("%s on %s (%s): %s, but %s on %s" % (t, col, k["source"], s, r, ref))
                continue
            same += 1
            count[s] = count.get(s, 0) + 1
        if same == 0:
            bad.append("%s (%s): no cell run" % (col, k["source"]))
        print("source-agree: %s (%s) vs %s: %d of %d verdicts the same (%s)%s" % (
            col, k["source"], ref, same, len(js["tools"]) - skipped,
            ", ".join("%d %s" % (n, s) for s, n in sorted(count.items())),
            ", %d not run" % skipped if skipped else ""))
    for b in bad:
        print("source-agree: DIFFERS: " + b, file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
