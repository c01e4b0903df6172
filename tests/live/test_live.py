#!/usr/bin/python3
"""Unit tests of the live-run checker (tests/live/live.py): conditions,
fact substitution, failure messages, and the validation of live: sections.
No kernel needed: `make check` runs these."""
import os
import subprocess
import sys
import contextlib
import tempfile
import textwrap
import threading
import unittest
from unittest import mock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import live  # noqa: E402


def result(rows, facts=None, **kw):
    r = {"present": True, "facts": facts or {}, "rows": rows, "rc": 0, "work_rc": 0, "work_out": "",
         "parse_rc": 0, "parse_err": "", "harness": "", "load_rc": 0, "stderr_tail": "", "table": "",
         "seconds": 1}
    r.update(kw)
    return r


CONN = [{"kind": "conn", "port": 18080, "pid": 104, "comm": "live-work", "source": "127.0.0.1"},
        {"kind": "conn", "port": 22, "pid": 1, "comm": "sshd", "source": "10.0.0.1"}]


class KernelFilter(unittest.TestCase):
    def test_prefix_ends_at_a_component(self):
        m = live.kernel_matches
        self.assertTrue(m("6.1.0-57-cloud-amd64", "6.1"))
        self.assertTrue(m("6.1.0-57-cloud-amd64", "6.1."))
        self.assertTrue(m("6.1.0-57-cloud-amd64", "6.1.0-57-cloud-amd64"))
        self.assertFalse(m("6.12.118+deb12-cloud-amd64", "6.1"))
        self.assertTrue(m("6.12.118+deb12-cloud-amd64", "6.12"))
        self.assertFalse(m("5.10.0-32-cloud-amd64", "6.1"))
        self.assertFalse(m("6.1", "6.1.0"))

    def test_toolchains_come_from_the_matrix_list(self):
        names = live.matrix_toolchains()
        self.assertEqual(names[0], "host")
        self.assertIn("sid", names)
        # every kernel row's live toolchain is a toolchain row
        with open(os.path.join(live.ROOT, "mk", "matrix.list"), encoding="utf-8") as f:
            rows = [ln.split("#", 1)[0].split() for ln in f]
        kernels = [w for w in rows if w and w[0] == "kernel"]
        self.assertTrue(kernels)
        for w in kernels:
            self.assertEqual(len(w), 3, w)
            self.assertIn(w[2], names, w)
        # and live.py's --toolchain takes exactly those
        r = subprocess.run([sys.executable, live.__file__, "run", "--kver", "x", "--toolchain", "nope"],
                           capture_output=True, text=True)
        self.assertEqual(r.returncode, 2)
        for n in names:
            self.assertIn("'%s'" % n, r.stderr)


class Conditions(unittest.TestCase):
    def test_scalars(self):
        self.assertTrue(live.holds(18080, "18080"))
        self.assertTrue(live.holds("127.0.0.1", "127.0.0.1"))
        self.assertFalse(live.holds("127.0.0.1", "127.0.0.10"))
        self.assertTrue(live.holds("0x10", 16))      # numbers compare as numbers
        self.assertFalse(live.holds(True, 1))        # YAML true is not the number 1

    def test_ops(self):
        self.assertTrue(live.holds({"ge": 5, "le": 7}, 6))
        self.assertFalse(live.holds({"ge": 5, "le": 7}, 8))
        self.assertTrue(live.holds({"approx": 1000, "within": "5%"}, 1040))
        self.assertFalse(live.holds({"approx": 1000, "within": "5%"}, 1060))
        self.assertTrue(live.holds({"approx": 1000, "within": 100}, 1099))
        self.assertTrue(live.holds({"match": r"^__udp4_lib_rcv\+0x"}, "__udp4_lib_rcv+0x9a2/0xc30 [kernel]"))
        self.assertTrue(live.holds({"any": ["TCP_SYN_SENT", "TCP_SYN_RECV"]}, "TCP_SYN_RECV"))
        self.assertFalse(live.holds({"ne": 3}, 3))
        self.assertFalse(live.holds({"gt": 1}, "not a number"))

    def test_facts(self):
        self.assertEqual(live.subst({"pid": "{server_pid}"}, {"server_pid": "104"}), {"pid": "104"})
        with self.assertRaises(KeyError):
            live.subst("{nope}", {})


class Expectations(unittest.TestCase):
    def test_pass(self):
        t = {"expect": [{"record": "conn", "where": {"port": 18080, "pid": "{server_pid}"}, "count": 1},
                        {"record": "conn", "where": {"port": 18081}, "count": 0}]}
        self.assertEqual(live.check_test(t, result(CONN, {"server_pid": "104"})), [])

    def test_missed_expectation_is_named(self):
        t = {"expect": [{"record": "conn", "where": {"port": 18080, "comm": "nginx"}, "count": 1,
                         "why": "the accepting process"}]}
        fails = live.check_test(t, result(CONN))
        self.assertEqual(len(fails), 1)
        self.assertIn("expect[0] conn (port == 18080, comm == 'nginx') [the accepting process]", fails[0])
        self.assertIn("0 matching row(s), wanted == 1; 2 conn row(s) in all", fails[0])
        self.assertIn('"comm": "live-work"', fails[0])          # the rows the tool did print

    def test_default_count_is_at_least_one(self):
        t = {"expect": [{"record": "conn", "where": {"port": 9}}]}
        self.assertIn("wanted >= 1", live.check_test(t, result(CONN))[0])

    def test_sum_over_rows_and_histograms(self):
        rows = [{"kind": "top", "comm": "dd", "write_kb": 600}, {"kind": "top", "comm": "dd", "write_kb": 424}]
        t = {"expect": [{"record": "top", "where": {"comm": "dd"}, "sum": {"write_kb": 1024}}]}
        self.assertEqual(live.check_test(t, result(rows)), [])
        t["expect"][0]["sum"]["write_kb"] = 1000
        self.assertIn("sum of write_kb over 2 row(s) is 1024, wanted == 1000", live.check_test(t, result(rows))[0])

    def test_run_failures_are_reported(self):
        t = {"expect": []}
        fails = live.check_test(t, result([], rc=1, stderr_tail="ERROR: probe overhead exceeded"))
        self.assertIn("staprun exited 1: ERROR: probe overhead exceeded", fails[0])
        self.assertIn("parser exited 3", live.check_test(t, result([], parse_rc=3, parse_err="line 4: bad"))[0])

    def test_missing_fact(self):
        t = {"expect": [{"record": "conn", "where": {"pid": "{server_pid}"}}]}
        self.assertIn("the workload reported no fact 'server_pid'", live.check_test(t, result(CONN))[0])


SPEC = """\
tool: t
summary: s
params:
  destport: { type: int, default: 0, help: h, flag: --port }
  quiet: { type: int, default: 0, help: h }
probes:
  - on: kernel.function("inet_csk_accept").return
    emit:
      record: conn
      columns:
        port: { value: '1' }
live:
%s
"""


class SpecValidation(unittest.TestCase):
    def load(self, live_text):
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(SPEC % textwrap.indent(textwrap.dedent(live_text), "  "))
        try:
            return live.load_tests(f.name)
        finally:
            os.unlink(f.name)

    def assertError(self, text, message, line=None):
        with self.assertRaises(live.SpecError) as cm:
            self.load(text)
        self.assertIn(message, str(cm.exception))
        if line:
            self.assertRegex(str(cm.exception), r"\.yaml:%d: " % line)

    def test_good(self):
        _, tests = self.load("params: { destport: 1 }\nrun: x\nexpect: [{ record: conn, where: { port: 1 } }]\n")
        self.assertEqual(tests[0]["id"], "t.0")

    def test_unknown_record(self):
        self.assertError("run: x\nexpect: [{ record: cnn }]\n", "no record 'cnn' (the spec's records: conn)")

    def test_unknown_column(self):
        self.assertError("run: x\nexpect:\n  - record: conn\n    where: { prot: 1 }\n",
                         "record 'conn' has no column 'prot' (has: port)", line=15)

    def test_unknown_param(self):
        self.assertError("params: { dport: 1 }\nrun: x\nexpect: []\n", "no parameter 'dport' in the spec")

    def test_unknown_condition(self):
        self.assertError("run: x\nexpect: [{ record: conn, where: { port: { gte: 1 } } }]\n",
                         "unknown condition 'gte'")

    def test_mode(self):
        self.assertError("run: x\nmode: y\nexpect: []\n", "mode is bg (default), c (staprun -c)")

    def test_via(self):
        self.assertError("run: x\nvia: stap\nexpect: []\n", "via is staprun (default")
        self.assertError("run: x\nvia: command\nexpect: []\n", "via: command needs mode: c")
        self.assertError("run: x\nvia: command\nmode: bg\nexpect: []\n", "or x (its -p PID)")
        _, tests = self.load("run: x\nvia: command\nmode: x\nexpect: []\n")
        self.assertEqual(tests[0]["mode"], "x")
        _, tests = self.load("run: x\nvia: command\nmode: c\nparams: { destport: 80, quiet: 1 }\nexpect: []\n")
        # each parameter by its flag, or -G NAME=VALUE without one
        self.assertEqual(tests[0]["argv"], ["--port", "80", "-G", "quiet=1"])
        # a probe point's parameter is the module's (--build-module), not the run's
        with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as f:
            f.write(SPEC.replace('kernel.function("inet_csk_accept").return', 'process(@param(quiet)).function("f")')
                    % "  run: x\n  via: command\n  mode: x\n  params: { destport: 80, quiet: 1 }\n  expect: []\n")
        try:
            _, tests = live.load_tests(f.name)
        finally:
            os.unlink(f.name)
        self.assertEqual(tests[0]["argv"], ["--port", "80"])
        self.assertIn("the command exited 1", live.check_test({"expect": [], "via": "command"},
                                                              result([], rc=1))[0])

    def test_not_triggerable_stands_alone(self):
        _, tests = self.load("not_triggerable: needs a real NIC\n")
        self.assertEqual(tests[0]["not_triggerable"], "needs a real NIC")
        self.assertError("not_triggerable: r\nrun: x\n", "'not_triggerable: REASON' stands alone")


class Bench(unittest.TestCase):
    def test_warmup_rounds_are_run_and_left_out(self):
        ts = live.bench_tests()
        warm = [t for t in ts if t["warmup"]]
        hits = [t for t in ts if t.get("hits")]
        self.assertEqual(len(warm), live.BENCH_WARMUP * sum(len(v) for _, _, v in live.BENCH))
        self.assertTrue(all(".w" in t["id"] for t in warm))
        # one -t round per variant with a module, on the _hits module
        self.assertEqual(len(hits), sum(1 for _, _, v in live.BENCH for x in v if x[1]))
        self.assertTrue(all(t["module"].endswith(live.BENCH_HITS_SUFFIX) for t in hits))
        self.assertEqual(len(ts) - len(warm) - len(hits), live.BENCH_ROUNDS * sum(len(v) for _, _, v in live.BENCH))
        self.assertEqual(len({t["id"] for t in ts}), len(ts))

    def test_only(self):
        with mock.patch.dict(os.environ, {"BENCH_ONLY": "nethist"}):
            self.assertEqual({t["tool"] for t in live.bench_tests()}, {"nethist"})
        with mock.patch.dict(os.environ, {"BENCH_ONLY": "nosuch"}), self.assertRaises(SystemExit):
            live.bench_tests()

    def test_hit_report(self):
        text = ("@end\n----- probe hit report: \n"
                "begin, (t.stp:3:1), hits: 1, cycles: 500min/500avg/500max, variance: 0, from: begin, index: 0\n"
                "vfs.read.return, (t.stp:8:1), hits: 300, cycles: 100min/200avg/900max, variance: 9, from: x, index: 1\n"
                "kernel.function(\"vfs_write@fs/read_write.c:564\").return, (t.stp:9:1), hits: 100, cycles: 50min/600avg/700max, variance: 9, from: y, index: 2\n"
                "timer.s(1), (t.stp:20:1), hits: 3, cycles: 1min/9999avg/99999max, variance: 0, from: z, index: 3\n"
                "----- refresh report:\n")
        hits, cyc = live.parse_hit_report(text)
        self.assertEqual(hits, 400)
        self.assertEqual(cyc, (300 * 200 + 100 * 600) / 400)
        self.assertIsNone(live.parse_hit_report("@end\n"))

    def test_figures(self):
        variants = [("none", None, "none", {}), ("generated", "g", "x", {}), ("hand-written", "h", "x", {})]
        res = {("f", "none"): [1000, 1010, 990, None], ("f", "generated"): [500, 510, 490],
               ("f", "hand-written"): [600, 590, 610]}
        fg = live.bench_figures("f", variants, res, {("f", "generated"): (500, 1000, 42.0)})
        g, h = fg["variants"]["generated"], fg["variants"]["hand-written"]
        self.assertAlmostEqual(g["added_us_per_op"], (3 / 500 - 3 / 1000) * 1e6)
        self.assertAlmostEqual(h["added_us_per_op"], (3 / 600 - 3 / 1000) * 1e6)
        self.assertAlmostEqual(g["cost_ratio"], g["added_us_per_op"] / h["added_us_per_op"])
        self.assertEqual(g["hits_per_op"], 2)
        self.assertAlmostEqual(g["added_us_per_hit"], g["added_us_per_op"] / 2)
        self.assertNotIn("hits_per_op", h)
        # a tool faster than every round without it: no figure, no ratio
        res[("f", "generated")] = [1100, 1200, 1150]
        fg = live.bench_figures("f", variants, res, {})
        self.assertIn("more with the tool", fg["variants"]["generated"]["invalid"])
        self.assertNotIn("cost_ratio", fg["variants"]["generated"])

    def test_verdict(self):
        self.assertIsNone(live.bench_verdict([100, 110, 105], [50, 60, 55]))
        # a tool round within none's spread: a figure, however close
        self.assertIsNone(live.bench_verdict([100, 110, 105], [108, 120, 125]))
        self.assertIn("more with the tool", live.bench_verdict([100, 110, 105], [111, 120, 125]))
        self.assertIn("fewer than 3", live.bench_verdict([100, 110], [50, 60, 55]))


class Overhead(unittest.TestCase):
    """docs/overhead.tsv: written by the benchmark, read by the doc pages
    (scripts/overhead-section.awk) and the matrix JSON."""
    def summary(self):
        variants = dict((fam, v) for fam, _, v in live.BENCH)["accessed_files"]
        res = {("accessed_files", "none"): [1000, 1010, 990]}
        for v, _, _, _ in variants[1:]:
            res[("accessed_files", v)] = [500, 510, 490] if "full" not in v else [400, 390, 410]
        res[("accessed_files", "hand-written")] = [520, 530, 510]
        hits = {("accessed_files", v): (500, 2000, 100.0) for v, m, _, _ in variants if m}
        return {"accessed_files": live.bench_figures("accessed_files", variants, res, hits)}

    def test_rows_and_merge(self):
        rows = live.overhead_rows("6.1.0-57-cloud-amd64", "stap 4.8", "2026-12-07", self.summary())
        # the tool's variants, never the hand-written one
        self.assertEqual([r["variant"] for r in rows], ["generated -b", "generated, full paths"])
        self.assertEqual(rows[0]["hits_per_op"], "4.00")
        self.assertEqual(rows[0]["op"], "a 4 KiB pwrite() and pread() of one file")
        self.assertIn("accessed-files", rows[0]["original"])
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "o.tsv")
            other = dict(rows[0], tool="nethist", variant="generated")
            live.publish_overhead([other], p)
            live.publish_overhead(rows, p)
            live.publish_overhead(rows, p)     # again: replaced, not added
            with open(p) as f:
                lines = f.read().splitlines()
            self.assertEqual(lines[0].split("\t"), live.OVERHEAD_COLS)
            self.assertEqual([l.split("\t")[:2] for l in lines[1:]],
                             [["accessed_files", "generated -b"], ["accessed_files", "generated, full paths"],
                              ["nethist", "generated"]])
            out = subprocess.run(["awk", "-v", "tool=accessed_files", "-f",
                                  os.path.join(live.ROOT, "scripts/overhead-section.awk"), p],
                                 stdout=subprocess.PIPE, text=True, check=True).stdout
            self.assertTrue(out.startswith("## Overhead\n\nOVERHEAD: %s us of guest time per probe hit, %.2fx"
                                           % (rows[0]["added_us_per_hit"], float(rows[0]["cost_ratio"]))), out)
            self.assertIn("(with -b, which prints what the original prints)", out)
            self.assertIn("| full paths | %s us per op | 4.00 hits per op | " % rows[1]["added_us_per_op"], out)
            self.assertIn("on 6.1.0-57-cloud-amd64 (stap 4.8), 2026-12-07", out)
            none = subprocess.run(["awk", "-v", "tool=iotop", "-f",
                                   os.path.join(live.ROOT, "scripts/overhead-section.awk"), p],
                                  stdout=subprocess.PIPE, text=True, check=True).stdout
            self.assertEqual(none, "")

    def test_agreement_with_the_last_run(self):
        """A run is held to the last one's rows: each median inside the
        other's [min-max], for the tool, no tool and the original."""
        rows = live.overhead_rows("6.1.0-57-cloud-amd64", "stap 4.8", "2026-12-07", self.summary())
        self.assertEqual((rows[0]["ops"], rows[0]["ops_range"]), ("500", "490-510"))
        self.assertEqual((rows[0]["none_ops"], rows[0]["none_range"]), ("1000", "990-1010"))
        self.assertEqual((rows[0]["original_ops"], rows[0]["original_range"]), ("520", "510-530"))
        lines, agreed, compared = live.bench_agreement(rows, rows)
        self.assertEqual((agreed, compared), (2, 2))
        moved = [dict(r, ops="470", ops_range="460-480") if r["variant"] == "generated -b" else r for r in rows]
        lines, agreed, compared = live.bench_agreement(rows, moved)
        self.assertEqual((agreed, compared), (1, 2))
        self.assertIn("| accessed_files | generated -b | 500 [490-510] / 470 [460-480] **no** |", lines[0])
        # another kernel, or a row of a run that kept no ops: not compared
        other = [dict(r, kernel="5.10.0-32-amd64") for r in rows]
        self.assertEqual(live.bench_agreement(other, rows)[1:], (0, 0))
        old = [dict(r, ops="", ops_range="") for r in rows]
        self.assertEqual(live.bench_agreement(old, rows)[1:], (0, 0))

    def test_older_table_reads(self):
        """A table written before the ops columns reads, the new columns empty."""
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "o.tsv")
            head = live.OVERHEAD_COLS[:live.OVERHEAD_COLS.index("ops")]
            with open(p, "w") as f:
                f.write("\t".join(head) + "\n" + "\t".join(["iotop", "generated"] + ["x"] * (len(head) - 2)) + "\n")
            r = live.read_overhead(p)
            self.assertEqual((r[0]["tool"], r[0]["invalid"], r[0]["ops"]), ("iotop", "x", ""))
            with open(p, "w") as f:
                f.write("name\tvalue\n")
            with self.assertRaises(SystemExit):
                live.read_overhead(p)

    def test_committed_table(self):
        """docs/overhead.tsv, when there, has the header and a row per
        measured tool variant with the columns filled the benchmark fills."""
        if not os.path.exists(live.OVERHEAD_TSV):
            self.skipTest("no docs/overhead.tsv")
        with open(live.OVERHEAD_TSV) as f:
            lines = f.read().splitlines()
        self.assertEqual(lines[0].split("\t"), live.OVERHEAD_COLS)
        for l in lines[1:]:
            r = dict(zip(live.OVERHEAD_COLS, l.split("\t")))
            self.assertEqual(len(l.split("\t")), len(live.OVERHEAD_COLS), l)
            self.assertIn(r["tool"], {fam for fam, _, _ in live.BENCH})
            self.assertTrue(r["invalid"] or r["added_us_per_op"], l)


class Specs(unittest.TestCase):
    def test_every_tool_has_a_live_test(self):
        for p in live.all_specs():
            spec, tests = live.load_tests(p)
            self.assertTrue(tests, "%s has no live: section" % p)

    def test_plan_flags(self):
        """The options and needs come from TOOL.flags, not the header comment."""
        with tempfile.TemporaryDirectory() as d:
            stp = os.path.join(d, "t.stp")
            with open(stp, "w") as f:
                f.write("#!/usr/bin/env stap\n#\n# Run with: -DNOT=1\n"
                        "#\n# Kernel debuginfo: not needed (the build tree is enough).\n\nprobe begin {}\n")
            with self.assertRaises(SystemExit):
                live.script_flags(stp)
            with open(os.path.join(d, "t.flags"), "w") as f:
                f.write("tool=t\nstap_flags=-DMAXACTION=100 -d kernel -g\ndebuginfo=needed\n")
            self.assertEqual(live.script_flags(stp), ["-DMAXACTION=100", "-d", "kernel", "-g"])
            self.assertFalse(live.headers_only_ok(stp))
            with open(os.path.join(d, "t.flags"), "w") as f:
                f.write("tool=t\nstap_flags=\ndebuginfo=only-if-fallback\n")
            self.assertEqual(live.script_flags(stp), [])
            self.assertTrue(live.headers_only_ok(stp))

    def test_hand_written_scripts_have_no_plan(self):
        for n in ("seed_nethist", "seed_accessed_files"):
            stp = os.path.join(live.ROOT, "tests/live/bench", n + ".stp")
            self.assertIsNone(live.plan_of(stp))
            self.assertFalse(live.headers_only_ok(stp))


class Libs(unittest.TestCase):
    """The guest gets the libraries of what it runs: none for make tools'
    static parsers (ldd fails on them), libc for a dynamic program."""

    def build(self, d, name, *flags):
        src = os.path.join(d, "m.c")
        with open(src, "w") as f:
            f.write("int main(void) { return 0; }\n")
        out = os.path.join(d, name)
        subprocess.run(["cc", "-o", out, src] + list(flags), check=True)
        return out

    def test_static_and_dynamic(self):
        with tempfile.TemporaryDirectory() as d:
            self.assertEqual(live.libs_of("/", self.build(d, "static", "-static")), [])
            libs = live.libs_of("/", self.build(d, "dynamic"))
            self.assertTrue(any("libc.so" in lib for lib in libs), libs)


class CpuSlots(unittest.TestCase):
    """make live's CPU slots: one holder per core, and a waiting guest goes
    before waiting builds."""

    def setUp(self):
        self.saved = live.CACHE
        live.CACHE = tempfile.mkdtemp()

    def tearDown(self):
        import shutil
        shutil.rmtree(live.CACHE)
        live.CACHE = self.saved

    def test_guest_goes_first(self):
        order, got = [], threading.Event()

        def take(who, release):
            with live.cpu_slot(guest=(who == "guest")):
                order.append(who)
                got.set()
                release.wait(10)

        held = [live.cpu_slot() for _ in range(os.cpu_count() or 1)]
        for h in held:
            h.__enter__()
        free_b, free_g = threading.Event(), threading.Event()
        b = threading.Thread(target=take, args=("build", free_b))
        g = threading.Thread(target=take, args=("guest", free_g))
        b.start()
        g.start()
        # on a failure below: let both threads finish before tearDown
        def cleanup():
            free_b.set()
            free_g.set()
            while held:
                held.pop().__exit__(None, None, None)
            b.join(10)
            g.join(10)
        self.addCleanup(cleanup)
        # both wait: every slot is held (1 s of their polling at 0.2 s)
        self.assertFalse(got.wait(1))
        # one slot frees: the guest takes it, the build keeps waiting
        held.pop().__exit__(None, None, None)
        self.assertTrue(got.wait(10))
        got.clear()
        self.assertEqual(order, ["guest"])
        self.assertFalse(got.wait(1))
        # the guest is done: its slot goes to the build
        free_g.set()
        g.join(10)
        self.assertTrue(got.wait(10))
        self.assertEqual(order, ["guest", "build"])


if __name__ == "__main__":
    unittest.main()
