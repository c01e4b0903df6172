#!/usr/bin/env python3
"""Times one command for make bench.

usage: bench-run.py RUNS INPUT CMD...
Runs CMD RUNS times with INPUT on standard input and standard output to
/dev/null (exit 0 or 3 accepted: 3 = some lines dropped), each run under
/usr/bin/time -f %M.  Prints "WALL CPU RSS": the fastest wall-clock seconds,
the least CPU seconds (user + system, which a loaded machine inflates less),
and the largest peak RSS in KiB.
"""
import os
import subprocess
import sys
import tempfile
import time


def main():
    runs, path, cmd = int(sys.argv[1]), sys.argv[2], sys.argv[3:]
    best_wall = best_cpu = float("inf")
    rss = 0
    with tempfile.NamedTemporaryFile() as tf:
        for _ in range(runs):
            with open(path, "rb") as fin, open(os.devnull, "wb") as fout:
                t0 = time.perf_counter()
                p = subprocess.Popen(["/usr/bin/time", "-o", tf.name, "-f", "%M"] + cmd,
                                     stdin=fin, stdout=fout, stderr=subprocess.PIPE)
                err = p.stderr.read()
                _, status, ru = os.wait4(p.pid, 0)
                wall = time.perf_counter() - t0
            rc = os.waitstatus_to_exitcode(status)
            if rc not in (0, 3):
                sys.exit("bench: %s failed (%d): %s" % (" ".join(cmd), rc, err.decode(errors="replace")))
            best_wall = min(best_wall, wall)
            best_cpu = min(best_cpu, ru.ru_utime + ru.ru_stime)
            with open(tf.name) as f:
                rss = max(rss, int(f.read().split()[-1]))
    print("%.4f %.4f %d" % (best_wall, best_cpu, rss))


if __name__ == "__main__":
    main()
