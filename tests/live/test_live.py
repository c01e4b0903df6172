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
        self.assertEqual(len(warm), live.BENCH_WARMUP * sum(len(v) for _, _, v in live.BENCH))
        self.assertTrue(all(".w" in t["id"] for t in warm))
        self.assertEqual(len(ts) - len(warm), live.BENCH_ROUNDS * sum(len(v) for _, _, v in live.BENCH))
        self.assertEqual(len({t["id"] for t in ts}), len(ts))

    def test_verdict(self):
        self.assertIsNone(live.bench_verdict([100, 110, 105], [50, 60, 55]))
        # a tool round within none's spread: a figure, however close
        self.assertIsNone(live.bench_verdict([100, 110, 105], [108, 120, 125]))
        self.assertIn("more with the tool", live.bench_verdict([100, 110, 105], [111, 120, 125]))
        self.assertIn("fewer than 3", live.bench_verdict([100, 110], [50, 60, 55]))


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
