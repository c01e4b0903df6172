#!/usr/bin/python3
"""live.py - run every tool for real on a real kernel in QEMU, check its values.

usage: live.py run --kver KVER --toolchain TOOLCHAIN (a row of mk/matrix.list) [--out DIR] [--tools T,...]
       live.py lint                      check every spec's live: section
       live.py matrix DIR...             merge verdicts into out/validation/matrix.{md,json}

One `run` is one kernel: generate every script for KVER, build each tool's
module with the toolchain's stap (-p4 -r TREE -m NAME, cached by hash of
script + tree + stap), pack an initramfs (busybox, staprun/stapio and their
libraries, the modules, the parsers, the workload), boot the kernel's real
image once under TCG, run every test in it, bring the raw output and parsed
JSON back, and decide pass/fail here against the expectations in each
spec's `live:` section (docs/live.md).
"""
import argparse
import base64
import concurrent.futures
import contextlib
import fcntl
import hashlib
import io
import json
import os
import re
import statistics
import shlex
import shutil
import struct
import subprocess
import sys
import tarfile
import tempfile
import time

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CACHE = os.environ.get("STAPGEN_CACHE") or os.path.expanduser("~/.cache/stapgen")
STAPGEN = os.path.join(ROOT, os.environ.get("BUILD", "build"), "stapgen")
T0 = time.time()


def say(msg):
    print("live: [%3ds] %s" % (time.time() - T0, msg), file=sys.stderr, flush=True)


def matrix_toolchains():
    """The toolchain names of mk/matrix.list (the kernels' and toolchains'
    one list), host first."""
    names = []
    with open(os.path.join(ROOT, "mk", "matrix.list"), encoding="utf-8") as f:
        for line in f:
            w = line.split("#", 1)[0].split()
            if len(w) >= 2 and w[0] == "toolchain":
                names.append(w[1])
    return names


def kernel_matches(kver, prefix):
    """A test's `kernels:` entry names a release or a release's leading
    components: "6.1" is 6.1.0-57-cloud-amd64, not 6.12.118 (a prefix must end
    where a component does)."""
    return kver == prefix or (kver.startswith(prefix) and
                              (prefix[-1] in ".-+~" or kver[len(prefix)] in ".-+~"))


def die(msg):
    print("live: error: " + msg, file=sys.stderr)
    sys.exit(1)


@contextlib.contextmanager
def cpu_slot(guest=False):
    """Hold one of this machine's CPU slots (one per core, a flock on
    CACHE/cpu-slots/N) shared by every live.py running here.  A stap -p4
    build and a guest (one TCG vCPU thread) each hold one, so make live can
    build one kernel's modules while another kernel's guest runs without
    either taking a core from the other: the guest's timing stays as it is
    when it runs alone, and no core idles while a guest runs.  A guest goes
    first: while one waits (a shared flock on CACHE/cpu-slots/guest), builds
    take no free slot, or a busy build pool would keep it waiting for all
    its modules (seen: 231 s)."""
    d = os.path.join(CACHE, "cpu-slots")
    os.makedirs(d, exist_ok=True)
    waiting = open(os.path.join(d, "guest"), "w")
    try:
        if guest:
            fcntl.flock(waiting, fcntl.LOCK_SH)
        while True:
            if not guest:
                try:    # no guest waiting?
                    fcntl.flock(waiting, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    fcntl.flock(waiting, fcntl.LOCK_UN)
                except BlockingIOError:
                    time.sleep(0.2)
                    continue
            for i in range(os.cpu_count() or 1):
                f = open(os.path.join(d, str(i)), "w")
                try:
                    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    f.close()
                    continue
                waiting.close()
                try:
                    yield
                finally:
                    f.close()
                return
            time.sleep(0.2)
    finally:
        waiting.close()


# ---- specs and their live: sections -------------------------------------------

class LineLoader(yaml.SafeLoader):
    """Keeps each mapping's line, so errors point into the spec."""


def _map_with_line(loader, node):
    m = loader.construct_mapping(node, deep=True)
    return LMap(m, node.start_mark.line + 1)


class LMap(dict):
    def __init__(self, m, line):
        super().__init__(m)
        self.line = line


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _map_with_line)

CONDS = {"eq", "ne", "ge", "gt", "le", "lt", "approx", "within", "match", "contains", "any"}
TEST_KEYS = {"name", "params", "run", "mode", "via", "expect", "kernels", "expect_fail", "not_triggerable"}
EXPECT_KEYS = {"record", "where", "count", "sum", "why"}
META_COLS = {"kind", "report", "ts", "samples", "buckets", "low_min", "high_max"}


class SpecError(Exception):
    pass


def spec_records(spec):
    """record name -> set of columns, from the spec's emit: and reports:."""
    recs = {}
    for p in spec.get("probes") or []:
        emits = p.get("emit")
        for e in (emits if isinstance(emits, list) else [emits] if emits else []):
            recs.setdefault(e["record"], set()).update((e.get("columns") or {}).keys())
    for r in spec.get("reports") or []:
        cols = set((r.get("columns") or {}).keys())
        if "histogram" in r:
            cols |= {"buckets", "samples", "low_min", "high_max"}
            # a keyed aggregate: one histogram per key, the key columns named
            key = ((spec.get("aggregates") or {}).get(r["histogram"].get("of")) or {}).get("key")
            if isinstance(key, dict):
                cols |= set(key)
        recs.setdefault(r["name"], set()).update(cols)
    return recs


def load_tests(path):
    """The live tests of one spec, validated against the spec itself."""
    with open(path, encoding="utf-8") as f:
        spec = yaml.load(f, Loader=LineLoader)
    live = spec.get("live")
    if live is None:
        return spec, []
    where = lambda node: "%s:%d" % (os.path.relpath(path, ROOT), getattr(node, "line", 0))
    tests = live if isinstance(live, list) else [live]
    recs = spec_records(spec)
    params = set((spec.get("params") or {}).keys())
    out = []
    for i, t in enumerate(tests):
        if not isinstance(t, dict):
            raise SpecError("%s: live[%d]: a test is a mapping" % (where(live), i))
        bad = set(t) - TEST_KEYS
        if bad:
            raise SpecError("%s: live test: unknown key '%s' (known: %s)"
                            % (where(t), sorted(bad)[0], ", ".join(sorted(TEST_KEYS))))
        if "not_triggerable" in t:
            if set(t) - {"not_triggerable", "kernels"} or not str(t["not_triggerable"]).strip():
                raise SpecError("%s: live test: 'not_triggerable: REASON' stands alone" % where(t))
        elif "run" not in t or "expect" not in t:
            raise SpecError("%s: live test: 'run' and 'expect' are required" % where(t))
        for p in (t.get("params") or {}):
            if p not in params:
                raise SpecError("%s: live test: no parameter '%s' in the spec (has: %s)"
                                % (where(t), p, ", ".join(sorted(params)) or "none"))
        if t.get("mode", "bg") not in ("bg", "c", "x", "flight"):
            raise SpecError("%s: live test: mode is bg (default), c (staprun -c), x (staprun -x) "
                            "or flight (staprun -L, then -A)" % where(t))
        if t.get("via", "staprun") not in ("staprun", "command"):
            raise SpecError("%s: live test: via is staprun (default: the harness runs the module) or "
                            "command (the generated command, as a user runs it)" % where(t))
        if t.get("via") == "command" and t.get("mode") not in ("c", "x"):
            raise SpecError("%s: live test: via: command needs mode: c (the command's -c CMD) "
                            "or x (its -p PID)" % where(t))
        for e in t.get("expect", []):
            bad = set(e) - EXPECT_KEYS
            if bad:
                raise SpecError("%s: expectation: unknown key '%s' (known: %s)"
                                % (where(e), sorted(bad)[0], ", ".join(sorted(EXPECT_KEYS))))
            r = e.get("record")
            if r not in recs:
                raise SpecError("%s: expectation: no record '%s' (the spec's records: %s)"
                                % (where(e), r, ", ".join(sorted(recs))))
            for col in list((e.get("where") or {}).keys()) + list((e.get("sum") or {}).keys()):
                if col not in recs[r] | META_COLS:
                    raise SpecError("%s: expectation: record '%s' has no column '%s' (has: %s)"
                                    % (where(e), r, col, ", ".join(sorted(recs[r]))))
            for c in [e.get("count")] + list((e.get("where") or {}).values()) + list((e.get("sum") or {}).values()):
                if isinstance(c, dict) and set(c) - CONDS:
                    raise SpecError("%s: expectation: unknown condition '%s' (known: %s)"
                                    % (where(e), sorted(set(c) - CONDS)[0], ", ".join(sorted(CONDS))))
        t = dict(t)
        t["id"] = "%s.%d" % (spec["tool"], i)
        t["tool"] = spec["tool"]
        t["spec"] = os.path.relpath(path, ROOT)
        t["line"] = getattr(tests[i], "line", 0)
        if t.get("via") == "command":
            # the command line a user types: each parameter by its flag; a
            # probe point's parameter is built into the module the harness
            # passes as --module (the user's --build-module run)
            # (YAML 1.1 reads the key `on` as true)
            points = " ".join(str(p.get("on", p.get(True, ""))) for p in spec.get("probes") or [])
            t["argv"] = []
            for k, v in (t.get("params") or {}).items():
                if "@param(%s)" % k in points:
                    continue
                flag = spec["params"][k].get("flag")
                t["argv"] += [flag, str(v)] if flag else ["-G", "%s=%s" % (k, v)]
        out.append(t)
    return spec, out


def all_specs(extra=()):
    specs = []
    for d, _, files in os.walk(os.path.join(ROOT, "specs")):
        specs += [os.path.join(d, f) for f in files if f.endswith(".yaml")]
    return sorted(specs) + list(extra)


# ---- conditions ---------------------------------------------------------------

def subst(v, facts):
    if isinstance(v, str):
        def rep(m):
            if m.group(1) not in facts:
                raise KeyError(m.group(1))
            return facts[m.group(1)]
        return re.sub(r"\{([A-Za-z_][A-Za-z0-9_]*)\}", rep, v)
    if isinstance(v, list):
        return [subst(x, facts) for x in v]
    if isinstance(v, dict):
        return {k: subst(x, facts) for k, x in v.items()}
    return v


def as_num(v):
    if isinstance(v, bool):
        return None
    if isinstance(v, (int, float)):
        return v
    try:
        return float(v) if "." in str(v) else int(str(v), 0)
    except (TypeError, ValueError):
        return None


def holds(cond, val):
    """Does the value satisfy the condition (a scalar: equality; a mapping of ops)?"""
    if not isinstance(cond, dict):
        cond = {"eq": cond}
    for op, ref in cond.items():
        if op == "within":
            continue
        if op in ("eq", "ne"):
            a, b = as_num(val), as_num(ref)
            same = (a == b) if a is not None and b is not None else str(val) == str(ref)
            if same != (op == "eq"):
                return False
        elif op in ("ge", "gt", "le", "lt", "approx"):
            a, b = as_num(val), as_num(ref)
            if a is None or b is None:
                return False
            if op == "approx":
                tol = str(cond.get("within", "5%"))
                t = abs(b) * float(tol[:-1]) / 100 if tol.endswith("%") else float(tol)
                if abs(a - b) > t:
                    return False
            elif not {"ge": a >= b, "gt": a > b, "le": a <= b, "lt": a < b}[op]:
                return False
        elif op == "match":
            if not re.search(str(ref), str(val)):
                return False
        elif op == "contains":
            if str(ref) not in str(val):
                return False
        elif op == "any":
            if not any(holds(r, val) for r in ref):
                return False
    return True


def describe(cond):
    if not isinstance(cond, dict):
        return "== %r" % (cond,)
    parts = []
    for op, ref in cond.items():
        if op == "within":
            continue
        sym = {"eq": "==", "ne": "!=", "ge": ">=", "gt": ">", "le": "<=", "lt": "<"}.get(op)
        if sym:
            parts.append("%s %r" % (sym, ref))
        elif op == "approx":
            parts.append("~ %r (within %s)" % (ref, cond.get("within", "5%")))
        else:
            parts.append("%s %r" % (op, ref))
    return " and ".join(parts)


def check_test(t, res):
    """Failed expectations of one test, as messages (empty: pass)."""
    fails = []
    facts = res["facts"]
    rows = res["rows"]
    if res["rc"] != 0:
        fails.append("%s exited %s: %s" % ("the command" if t.get("via") == "command" else "staprun",
                                           res["rc"], res["stderr_tail"]))
    if res.get("work_rc", 0) != 0:
        fails.append("workload exited %s: %s" % (res["work_rc"], res["work_out"][-300:]))
    if res["parse_rc"] != 0:
        fails.append("parser exited %s: %s" % (res["parse_rc"], res["parse_err"][-300:]))
    if res.get("load_rc"):
        fails.append("staprun -L exited %s: %s" % (res["load_rc"], res["stderr_tail"]))
    if res.get("harness"):
        fails.append(res["harness"].strip())
    for n, e in enumerate(t["expect"]):
        try:
            e = subst(e, facts)
        except KeyError as k:
            fails.append("expect[%d]: the workload reported no fact %s" % (n, k))
            continue
        cand = [r for r in rows if r.get("kind") == e["record"]]
        where = e.get("where") or {}
        match = [r for r in cand if all(c in r and holds(v, r[c]) for c, v in where.items())]
        wdesc = ", ".join("%s %s" % (c, describe(v)) for c, v in where.items()) or "any"
        label = "expect[%d] %s (%s)" % (n, e["record"], wdesc)
        if e.get("why"):
            label += " [%s]" % e["why"]
        count = e.get("count", {"ge": 1})
        if not holds(count, len(match)):
            near = cand[:3]
            fails.append("%s: %d matching row(s), wanted %s; %d %s row(s) in all%s"
                         % (label, len(match), describe(count), len(cand), e["record"],
                            "; first: " + "; ".join(json.dumps(r, sort_keys=True)[:300] for r in near)
                            if near else ""))
            continue
        for col, cond in (e.get("sum") or {}).items():
            total = sum(as_num(r.get(col)) or 0 for r in match)
            if not holds(cond, total):
                fails.append("%s: sum of %s over %d row(s) is %s, wanted %s"
                             % (label, col, len(match), total, describe(cond)))
    return fails


# ---- the run ---------------------------------------------------------------------

def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def toolchain(*args, **kw):
    return subprocess.run([os.path.join(ROOT, "scripts/live/toolchain.sh")] + list(args),
                          check=True, stdout=subprocess.PIPE, text=True, **kw).stdout.strip()


def file_hash(*paths, extra=""):
    h = hashlib.sha256(extra.encode())
    for p in paths:
        with open(p, "rb") as f:
            h.update(f.read())
    return h.hexdigest()[:16]


def plan_of(script):
    """The plan stapgen writes beside a script (TOOL.flags: key=value lines):
    its stap options and needs.  None for the hand-written scripts of
    tests/live/bench, which have none; a generated script without one is an
    error (an older stapgen's output: regenerate)."""
    path = script[:-len(".stp")] + ".flags" if script.endswith(".stp") else script + ".flags"
    if not os.path.exists(path):
        if os.path.dirname(os.path.abspath(script)) == os.path.join(ROOT, "tests/live/bench") or \
                os.path.abspath(script).startswith(os.path.join(STAP_EXAMPLES, "")):
            return None
        raise SystemExit("live: %s: no %s beside it (regenerate the tools)" % (script, os.path.basename(path)))
    plan = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            k, sep, v = line.rstrip("\n").partition("=")
            if sep:
                plan.setdefault(k, v)
    return plan


def script_flags(script):
    """The stap options the script runs with, from its plan (as
    validate-cell.sh reads them): -g for a guru spec, and for embedded C."""
    plan = plan_of(script)
    flags = (plan or {}).get("stap_flags", "").split()
    with open(script, encoding="utf-8", errors="replace") as f:
        if "%{" in f.read() and "-g" not in flags:
            flags.append("-g")
    return flags


def headers_only_ok(script):
    """Whether the script's plan says it builds without the kernel's
    debuginfo (debuginfo=not-needed, or only-if-fallback): such a module is
    built on the headers-only tree, as a host without debuginfo builds it."""
    plan = plan_of(script)
    return bool(plan) and plan.get("debuginfo") in ("not-needed", "only-if-fallback")


def build_module(kver, tc, name, script, sysdir, stap_id, extra=(), tree="build", args=()):
    """stap -p4 -m NAME for KVER, with the script's own flags (and extra);
    cached by script + flags + tree + stap.  TREE: "build" (the full tree)
    or "headers-only" (kernels/KVER/headers-only/build, its own cache)."""
    kdir = os.path.join(CACHE, "kernels", kver)
    env = dict(os.environ, SYSTEMTAP_DIR=sysdir)
    if tree == "headers-only":
        kdir = os.path.join(kdir, "headers-only")
        env["STAPGEN_TREE"] = "headers-only"
    # a uprobe module holds the probed binary's addresses: the binary (a
    # point argument or the plan's default) is part of the key, so a rebuilt
    # workload is not probed at its old offsets
    ubins = [a for a in list(args) + [(plan_of(script) or {}).get("user_binary", "")]
             if a.startswith("/") and os.path.isfile(a)]
    key = file_hash(script, os.path.join(kdir, ".stapgen-ready"), *ubins,
                    extra=stap_id + name + " ".join(extra) + tree + "\0".join(args))
    cdir = os.path.join(CACHE, "modules", kver)
    ko = os.path.join(cdir, "%s-%s.ko" % (name, key))
    if os.path.exists(ko):
        return ko, 0.0, True
    os.makedirs(cdir, exist_ok=True)
    with cpu_slot(), tempfile.TemporaryDirectory(dir=cdir, prefix=".build.") as tmp:
        t0 = time.time()
        shutil.copy(script, os.path.join(tmp, name + ".stp"))
        p = subprocess.run([os.path.join(ROOT, "scripts/live/toolchain.sh"), "stap", tc, kver,
                            "-p4", "-r", os.path.join(kdir, "build"), "-m", name]
                           + script_flags(script) + list(extra) + [name + ".stp"] + list(args),
                           cwd=tmp, env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if p.returncode != 0 or not os.path.exists(os.path.join(tmp, name + ".ko")):
            return None, time.time() - t0, p.stdout
        os.replace(os.path.join(tmp, name + ".ko"), ko)
    return ko, time.time() - t0, False


def has_interp(path):
    """Whether the ELF file PATH names a program interpreter (is dynamically
    linked): make tools' parsers are static, and ldd fails on those."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:  # only 64-bit ELF here
            return True
        end = "<" if h[5] == 1 else ">"
        phoff, = struct.unpack(end + "Q", h[32:40])
        phentsize, phnum = struct.unpack(end + "HH", h[54:58])
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            p_type, = struct.unpack(end + "I", f.read(4))
            if p_type == 3:  # PT_INTERP
                return True
    return False


def libs_of(root, binary):
    """Shared libraries (paths inside ROOT) that BINARY (a path inside ROOT) needs."""
    if not has_interp(os.path.join(root, binary.lstrip("/"))):
        return []
    cmd = ["ldd", binary] if root == "/" else ["chroot", root, "ldd", binary]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, check=True).stdout
    libs = re.findall(r"(/\S+) \(0x", out)
    return sorted(set(libs))


def add_file(stage, src, dst):
    d = os.path.join(stage, dst.lstrip("/"))
    os.makedirs(os.path.dirname(d), exist_ok=True)
    shutil.copy2(src, d, follow_symlinks=True)


PYTHON = "/usr/bin/python3.11"


def python_path(tc):
    """Debian's python3.11 where the guest runs it and stap reads it: its own
    path when the host's stap builds the modules; a copy under the cache
    (which a chroot sees at the same path) for a chroot's stap, whose root
    has no python3.11 (sid's 3.14 has no function__entry markers)."""
    return PYTHON if tc == "host" else os.path.join(CACHE, "uprobe-bin", "python3.11")
PYTHON_FILES = ["/usr/lib/python3.11/os.py", "/usr/lib/python3.11/encodings/__init__.py",
                "/usr/lib/python3.11/encodings/aliases.py", "/usr/lib/python3.11/encodings/utf_8.py"]


def workload_path(kver):
    """Where the workload is, on the host and in the guest alike: uprobe
    modules name the binary by path (stap -p4 reads it, the guest runs it).
    Under the cache, which the toolchain chroots see at the same path."""
    return os.path.join(CACHE, "uprobe-bin", kver, "live-work")


def point_args(script, params):
    """The test's values of the script's probe point parameters, as stap's
    positional arguments (global NAME = %( $# >= N %? @N ...), in order."""
    args = {}
    with open(script, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"global (\w+) = %\( \$# >= (\d+) %\? @\d+ %: (\S+) %\)", line)
            if m:
                args[int(m.group(2))] = str(params[m.group(1)]) if m.group(1) in params else \
                    m.group(3).strip('"')
    return [args[k] for k in sorted(args)]


def build_image(out, kver, tc, modules, tests, parsers):
    stage = os.path.join(out, "initramfs")
    shutil.rmtree(stage, ignore_errors=True)
    os.makedirs(stage)
    root = toolchain("root", tc)
    busybox = shutil.which("busybox") or "/bin/busybox"
    add_file(stage, busybox, "/bin/busybox")
    for d in ("bin", "sbin", "usr/bin", "usr/sbin"):
        os.makedirs(os.path.join(stage, d), exist_ok=True)
    applets = subprocess.run([busybox, "--list-full"], stdout=subprocess.PIPE, text=True,
                             check=True).stdout.split()
    for a in applets:
        p = os.path.join(stage, a)
        if not os.path.lexists(p):
            os.makedirs(os.path.dirname(p), exist_ok=True)
            os.symlink("/bin/busybox", p)
    # staprun/stapio at their own paths (stapio runs 'staprun -d' by path)
    need = set()
    for b in ("/usr/bin/staprun", "/usr/lib/systemtap/stapio"):
        rb = os.path.join(root, b.lstrip("/"))
        if os.path.lexists(os.path.join(stage, b.lstrip("/"))):
            os.unlink(os.path.join(stage, b.lstrip("/")))
        add_file(stage, rb, b)
        need |= set(libs_of(root, b))
    for p in parsers:
        add_file(stage, p, "/live/parsers/" + os.path.basename(p))
        need |= set(libs_of("/", p))
    # generated commands, next to their parsers as make tools lays them out
    for t in tests:
        if t.get("via") == "command":
            gdir = os.path.join(out, "gen", kver)
            add_file(stage, os.path.join(gdir, t["tool"]), "/live/cmd/" + t["tool"])
            add_file(stage, os.path.join(gdir, "parsers", t["tool"] + "-parse"),
                     "/live/cmd/parsers/%s-parse" % t["tool"])
            add_file(stage, os.path.join(gdir, "lib", "stapgen-cmd.sh"), "/live/cmd/lib/stapgen-cmd.sh")
    for lib in need:
        add_file(stage, os.path.join(root, lib.lstrip("/")), lib)
    add_file(stage, os.path.join(out, "live-work"), "/live/bin/live-work")
    # uprobe tests probe the workload by the path their module was built
    # with: the guest has it there too
    add_file(stage, os.path.join(out, "live-work"), workload_path(kver))
    if any("python3" in t.get("run", "") for t in tests):
        # Debian's python3.11 (its SDT markers) and what it reads to start
        # with -I -S: the encodings package and os.py (its prefix landmark)
        add_file(stage, PYTHON, python_path(tc))
        # the libraries the toolchain root gave staprun stay (a chroot's libc
        # is newer than the host's, and staprun needs its symbols)
        # (merged /usr: sid's ldd names /usr/lib/..., the host's /lib/...)
        for lib in libs_of("/", PYTHON):
            alt = lib[4:] if lib.startswith("/usr/") else "/usr" + lib
            if not any(os.path.lexists(os.path.join(stage, x.lstrip("/"))) for x in (lib, alt)):
                add_file(stage, lib, lib)
        for f in PYTHON_FILES:
            add_file(stage, f, f)
    for name, ko in modules.items():
        add_file(stage, ko, "/live/modules/%s.ko" % name)
    # kernel modules the workloads need, dependencies first
    kmods = os.path.join(CACHE, "kernels", kver, "boot", "lib", "modules", kver)
    deps = {}
    with open(os.path.join(kmods, "modules.dep")) as f:
        for line in f:
            k, _, v = line.partition(":")
            deps[os.path.basename(k)[:-3]] = (k, v.split())
    order = []

    def want(m):
        k, ds = deps[m]
        for d in ds:
            want(os.path.basename(d)[:-3])
        if k not in order:
            order.append(k)
    for m in ("loop",):
        if m in deps:
            want(m)
    for k in order:
        add_file(stage, os.path.join(kmods, k), "/lib/modules/%s/%s" % (kver, k))
    with open(os.path.join(stage, "live", "modules.load"), "w") as f:
        f.write("".join("/lib/modules/%s/%s\n" % (kver, k) for k in order))
    add_file(stage, os.path.join(ROOT, "tests/live/guest-init.sh"), "/init")
    os.chmod(os.path.join(stage, "init"), 0o755)
    with open(os.path.join(stage, "live", "plan.sh"), "w") as f:
        f.write("# generated by tests/live/live.py for %s\n" % kver)
        for t in tests:
            if t.get("via") == "command":
                # the command's -c CMD (cmd) or -p PID of the started run (cmdx)
                mode = "cmdx" if t.get("mode") == "x" else "cmd"
                opts = " ".join(shlex.quote(a) for a in t["argv"])
            else:
                mode = t.get("mode", "bg")
                opts = " ".join(shlex.quote("%s=%s" % (k, v)) for k, v in (t.get("params") or {}).items())
            f.write("run_test %s %s %s %s %s\n" % (shlex.quote(t["id"]), shlex.quote(t["module"]),
                                                   mode, shlex.quote(t["run"]), opts))
    img = os.path.join(out, "initrd.gz")
    with open(img + ".tmp", "wb") as f:
        files = subprocess.run("cd %s && find . | LC_ALL=C sort" % shlex.quote(stage), shell=True,
                               stdout=subprocess.PIPE, check=True).stdout
        cpio = subprocess.Popen(["cpio", "-o", "-H", "newc", "--quiet", "-D", stage],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        gz = subprocess.Popen(["gzip", "-1"], stdin=cpio.stdout, stdout=f)
        cpio.stdin.write(files)
        cpio.stdin.close()
        cpio.stdout.close()
        if cpio.wait() or gz.wait():
            die("building the initramfs failed")
    os.replace(img + ".tmp", img)
    return img


def boot(out, kver, img, timeout):
    vmlinuz = os.path.join(CACHE, "kernels", kver, "boot", "vmlinuz")
    con = os.path.join(out, "console.log")
    resf = os.path.join(out, "results.b64")
    for f in (con, resf):
        if os.path.exists(f):
            os.unlink(f)
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "1024", "-smp", "1",
           "-display", "none", "-monitor", "none", "-no-reboot",
           "-serial", "file:" + con, "-serial", "file:" + resf,
           "-kernel", vmlinuz, "-initrd", img,
           "-append", "console=ttyS0 panic=-1 oops=panic loglevel=4"]
    with cpu_slot(guest=True):
        t0 = time.time()
        try:
            subprocess.run(cmd, timeout=timeout, stdin=subprocess.DEVNULL, check=False)
            hung = False
        except subprocess.TimeoutExpired:
            hung = True
        took = time.time() - t0
    data = open(resf, "rb").read() if os.path.exists(resf) else b""
    resdir = os.path.join(out, "results")
    shutil.rmtree(resdir, ignore_errors=True)
    os.makedirs(resdir)
    # one block per finished test; a truncated last block (guest killed) is skipped
    for m in re.finditer(rb"==STAPGEN-RESULTS-BEGIN== [^\r\n]*\r?\n(.*?)==STAPGEN-RESULTS-END==", data, re.S):
        try:
            raw = base64.b64decode(re.sub(rb"\s", b"", m.group(1)))
            with tarfile.open(fileobj=io.BytesIO(raw)) as tf:
                for member in tf.getmembers():
                    if member.name.startswith("/") or ".." in member.name.split("/") or \
                            not (member.isfile() or member.isdir()):
                        raise tarfile.TarError("unsafe member %r" % member.name)
                tf.extractall(resdir)
        except (ValueError, tarfile.TarError) as e:
            say("%s: a damaged result block: %s" % (kver, e))
    return hung, took, b"==STAPGEN-DONE==" in data


def read(path, default=""):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()
    except OSError:
        return default


def collect(resdir, t):
    d = os.path.join(resdir, t["id"])
    facts = {}
    for line in read(os.path.join(d, "facts")).splitlines():
        k, _, v = line.partition("=")
        facts[k] = v
    rows = []
    for line in read(os.path.join(d, "json")).splitlines():
        try:
            r = json.loads(line)
        except ValueError:
            continue
        if "buckets" in r:
            r["samples"] = sum(b.get("count", 0) for b in r["buckets"])
            # the range the samples lie in: [low_min, high_max)
            used = [b for b in r["buckets"] if b.get("count")]
            if used:
                r["low_min"] = min(b["low"] for b in used)
                r["high_max"] = max(b["high"] for b in used)
        rows.append(r)
    num = lambda s, dflt: int(s.strip()) if s.strip().lstrip("-").isdigit() else dflt
    err = read(os.path.join(d, "stderr"))
    err_lines = [l for l in err.splitlines() if not l.startswith("staprun:") and not l.startswith("stapio:")
                 and "dbug" not in l]
    return {
        "present": os.path.isdir(d),
        "facts": facts, "rows": rows,
        "rc": num(read(os.path.join(d, "rc")), -1),
        "work_rc": num(read(os.path.join(d, "work.rc"), "0"), 0),
        "work_out": read(os.path.join(d, "work.out")),
        "parse_rc": num(read(os.path.join(d, "parse.rc")), -1),
        "parse_err": read(os.path.join(d, "parse.stderr")),
        "harness": read(os.path.join(d, "harness")),
        "load_rc": num(read(os.path.join(d, "load.rc"), "0"), 0),
        "stderr_tail": " / ".join(err_lines[-3:])[-400:],
        "table": read(os.path.join(d, "table")),
        "seconds": num(read(os.path.join(d, "seconds")), -1),
    }


BENCH_SECONDS = 3
BENCH_ROUNDS = 5
# family: (workload, [(variant, module, mode, params)]) -- the generated tool
# against the hand-written script it replaces, on the same job.  A variant
# "generated" or "generated OPTIONS" prints what the hand-written one
# prints; a "generated, WHAT" variant prints more (the tool's default where
# that differs): its extra cost is then stated beside the figure.
BENCH = [
    ("accessed_files", "live-work bench-io %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        # the seed prints file names (__file_filename()): -b
        ("generated -b", "accessed_files", "x", {"basename": 1}),
        ("generated, full paths", "accessed_files", "x", {}),
        ("hand-written", "seed_accessed_files", "x", {}),
        # the original against itself: the ratio's noise floor in this guest
        ("hand-written, again", "seed_accessed_files", "x", {})]),
    # round trips (64 bytes each way) on port 4000 / 4001: a fixed number
    # of segments, reads and writes per op, which a byte stream is not
    ("tcp_recv_queue", "live-work bench-pingpong 4000 %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "tcp_recv_queue", "bg", {"destport": 4000}),
        ("hand-written", "seed_tcp_recv_queue", "bg", {})]),
    ("nethist", "live-work bench-pingpong 4001 %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "nethist", "bg", {"interval": 0}),
        ("hand-written", "seed_nethist", "bg", {})]),
    # SystemTap's own examples (systemtap-doc: STAP_EXAMPLES), the scripts
    # these tools replace, each run as its doc says
    ("iotop", "live-work bench-io %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "iotop", "bg", {}),
        ("hand-written", "ex_iotop", "bg", {})]),
    ("traceio", "live-work bench-io %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "traceio", "bg", {"interval": 1}),     # traceio.stp prints every second
        ("hand-written", "ex_traceio", "bg", {})]),
    # on the ext2 file system of loop0: disktop counts only files with a device
    ("disktop", "cd /mnt/disk && live-work bench-io %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "disktop", "bg", {}),
        ("hand-written", "ex_disktop", "bg", {})]),
    ("nettop", "live-work bench-pingpong 4002 %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "nettop", "bg", {}),
        ("hand-written", "ex_nettop", "bg", {})]),
    # user space (issue 22): no hand-written counterpart in the seeds; the
    # figure is what a probed call costs the traced program
    ("ucalls", "{workload} bench-ufuncs %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "ucalls", "x", {"binary": "{workload}", "func": "live_work_tick"})]),
    ("umalloc", "{workload} bench-malloc %d" % BENCH_SECONDS, [
        ("none", None, "none", {}),
        ("generated", "umalloc", "x", {"binary": "{workload}"})]),
]
# where the hand-written counterparts come from: the seeds' scripts
# (tests/live/bench, kept as the seeds print them) and SystemTap's examples,
# read from the systemtap-doc package, never copied here
STAP_EXAMPLES = os.environ.get("STAP_EXAMPLES", "/usr/share/systemtap/examples")
BENCH_EXAMPLES = {"ex_iotop": "io/iotop.stp", "ex_traceio": "io/traceio.stp",
                  "ex_disktop": "io/disktop.stp", "ex_nettop": "network/nettop.stp"}
BENCH_ORIGINALS = {
    "accessed_files": "OpenResty's accessed-files, as the seeds print it (tests/live/bench/seed_accessed_files.stp)",
    "tcp_recv_queue": "OpenResty's tcp-recv-queue, as the seeds print it (tests/live/bench/seed_tcp_recv_queue.stp)",
    "nethist": "the seeds' nethist.stp (tests/live/bench/seed_nethist.stp)",
    "iotop": "SystemTap's examples/io/iotop.stp (systemtap-doc)",
    "traceio": "SystemTap's examples/io/traceio.stp (systemtap-doc)",
    "disktop": "SystemTap's examples/io/disktop.stp (systemtap-doc)",
    "nettop": "SystemTap's examples/network/nettop.stp (systemtap-doc)",
}


def hand_written(module):
    """Whether a benchmark module is a hand-written counterpart (a seed's
    script or a SystemTap example), its _hits build included."""
    base = module[:-len(BENCH_HITS_SUFFIX)] if module.endswith(BENCH_HITS_SUFFIX) else module
    return base.startswith("seed_") or base in BENCH_EXAMPLES


# what one op of each workload is, for the doc pages' OVERHEAD lines
BENCH_OPS = {"bench-io": "a 4 KiB pwrite() and pread() of one file",
             "bench-pingpong": "a 64-byte round trip over loopback TCP",
             "bench-ufuncs": "a call of live_work_tick()",
             "bench-malloc": "a malloc(64) and its free()"}
# docs/overhead.tsv: the figures the doc pages and the matrix JSON show
OVERHEAD_TSV = os.path.join(ROOT, "docs", "overhead.tsv")
OVERHEAD_COLS = ["tool", "variant", "op", "kernel", "stap", "date", "added_us_per_op", "hits_per_op",
                 "added_us_per_hit", "cycles_per_hit", "cost_ratio", "original", "invalid",
                 # the rounds' ops, median and min-max, of the variant, of no
                 # tool and of the original: the next run is held to them
                 "ops", "ops_range", "none_ops", "none_range", "original_ops", "original_range"]

# the module of a variant's probe-hit round: the same script built with
# stap -t, which prints each probe's hits and cycles when it unloads
BENCH_HITS_SUFFIX = "_hits"


# rounds run first and left out of the figures: the guest's page cache,
# the loopback path and each module's first load warm up there
BENCH_WARMUP = 1


def bench_families():
    """BENCH, or the families BENCH_ONLY=a,b names."""
    only = [f for f in os.environ.get("BENCH_ONLY", "").split(",") if f]
    unknown = set(only) - {fam for fam, _, _ in BENCH}
    if unknown:
        die("BENCH_ONLY: no such benchmark family: %s" % ", ".join(sorted(unknown)))
    return [b for b in BENCH if not only or b[0] in only]


def bench_tests():
    tests = []
    fams = bench_families()

    def test(fam, run, name, mod, mode, params, rnd, **kw):
        return dict({"id": "bench.%s.%s.%s" % (fam, name.replace(", ", "-").replace(" ", "-"), rnd),
                     "tool": fam, "module": mod or "none", "warmup": False,
                     "mode": mode, "run": run, "params": params, "expect": [], "bench": name,
                     "spec": "tests/live/live.py", "line": 0}, **kw)
    for r in range(-BENCH_WARMUP, BENCH_ROUNDS):
        for fam, run, variants in fams:
            # rotate the order each round: no variant always runs first
            k = r % len(variants)
            vs = variants[k:] + variants[:k]
            for name, mod, mode, params in vs:
                tests.append(test(fam, run, name, mod, mode, params, r if r >= 0 else "w%d" % -r,
                                  warmup=r < 0))
    # one untimed round per tool variant, built with -t: its probe hits
    for fam, run, variants in fams:
        for name, mod, mode, params in variants:
            if mod:
                tests.append(test(fam, run, name, mod + BENCH_HITS_SUFFIX, mode, params, "hits", hits=True))
    return tests


HIT_LINE = re.compile(r"^(?P<pp>.*), \((?P<loc>.*)\), hits: (?P<hits>\d+), cycles: (?P<min>\d+)min/(?P<avg>\d+)avg/(?P<max>\d+)max")


def parse_hit_report(text):
    """stap -t's probe hit report -> (hits, cycles per hit) over the probes
    an event fires (not begin, end, error or the report timers), or None
    when the report is missing."""
    if "----- probe hit report:" not in text:
        return None
    hits = cycles = 0
    for line in text.split("----- probe hit report:", 1)[1].splitlines():
        m = HIT_LINE.match(line.strip())
        if not m or re.match(r"(begin|end|error|timer\.)", m.group("pp")):
            continue
        n = int(m.group("hits"))
        hits += n
        cycles += n * int(m.group("avg"))
    return hits, (cycles / hits if hits else 0.0)


def bench_verdict(xs_none, xs_tool):
    """Why a (none, tool) pair of round counts is no figure, or None: too
    few rounds, or the workload did more with the tool loaded than in every
    round without it (beyond none's spread: the harness, not the tool,
    decides such a number)."""
    if len(xs_none) < 3 or len(xs_tool) < 3:
        return "fewer than 3 good rounds (none %d, tool %d)" % (len(xs_none), len(xs_tool))
    if min(xs_tool) > max(xs_none):
        return "the workload did more with the tool than in every round without it"
    return None


def bench_figures(fam, variants, res, hits):
    """The figures of one family from its rounds' op counts (res[(fam,
    variant)]: a list, None for a failed round) and its hit rounds
    (hits[(fam, variant)]: (ops, hits, cycles per hit))."""
    import statistics
    good = {v: [x for x in res.get((fam, v), []) if x] for v, _, _, _ in variants}
    med = {v: statistics.median(xs) if xs else None for v, xs in good.items()}
    n = med.get("none")
    hand = "hand-written" if "hand-written" in good else None
    out = {"none": n, "medians": med, "spread": {v: [min(xs), max(xs)] if xs else None for v, xs in good.items()},
           "raw": {v: res.get((fam, v)) for v, _, _, _ in variants}, "variants": {}}
    for v, mod, _, _ in variants:
        if not mod:
            continue
        why = bench_verdict(good["none"], good[v])
        g = None if why else med[v]
        f = {"median": g, "invalid": why}
        # the guest time the tool adds to one op: BENCH_SECONDS/ops with it
        # minus without; per probe hit, by the hit round's hits per op
        f["added_us_per_op"] = (BENCH_SECONDS / g - BENCH_SECONDS / n) * 1e6 if n and g else None
        h = hits.get((fam, v))
        if h and h[0]:
            f["hits_per_op"] = h[1] / h[0]
            f["cycles_per_hit"] = h[2]
            if f["added_us_per_op"] is not None and h[1]:
                f["added_us_per_hit"] = f["added_us_per_op"] / f["hits_per_op"]
        out["variants"][v] = f
    # cost ratio: each tool variant's added time per op over the hand-written's
    hf = out["variants"].get(hand) if hand else None
    for v, f in out["variants"].items():
        if v != hand and hf and hf["added_us_per_op"] and f["added_us_per_op"] is not None:
            f["cost_ratio"] = f["added_us_per_op"] / hf["added_us_per_op"]
    return out


def bench_op(run):
    """What one op of a BENCH workload command is."""
    for w, what in BENCH_OPS.items():
        if re.search(r"(^|\s)%s(\s|$)" % re.escape(w), run):
            return what
    return run


def overhead_rows(kver, stap_id, date, summary):
    """docs/overhead.tsv rows of one benchmark run: one per tool variant."""
    rows = []
    for fam, run, variants in BENCH:
        fg = summary.get(fam)
        if not fg:
            continue
        # the rounds' ops of a variant (no tool and the original included)
        med = lambda w: "%.0f" % fg["medians"][w] if fg["medians"].get(w) is not None else ""
        rng = lambda w: "%d-%d" % tuple(fg["spread"][w]) if fg["spread"].get(w) else ""
        for v, mod, _, _ in variants:
            f = fg["variants"].get(v)
            if not mod or hand_written(mod) or f is None:
                continue
            num = lambda k, spec: spec % f[k] if f.get(k) is not None else ""
            rows.append({"tool": fam, "variant": v, "op": bench_op(run), "kernel": kver, "stap": stap_id,
                         "date": date, "added_us_per_op": num("added_us_per_op", "%.2f"),
                         "hits_per_op": num("hits_per_op", "%.2f"), "added_us_per_hit": num("added_us_per_hit", "%.3f"),
                         "cycles_per_hit": num("cycles_per_hit", "%.0f"), "cost_ratio": num("cost_ratio", "%.3f"),
                         "original": BENCH_ORIGINALS.get(fam, ""), "invalid": f.get("invalid") or "",
                         "ops": med(v), "ops_range": rng(v), "none_ops": med("none"), "none_range": rng("none"),
                         "original_ops": med("hand-written"), "original_range": rng("hand-written")})
    return rows


def read_overhead(path=None):
    """The rows of docs/overhead.tsv, as dicts; a table of an earlier
    release (fewer columns, by its own header) reads with the missing
    columns empty."""
    path = path or OVERHEAD_TSV
    if not os.path.exists(path):
        return []
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    head = lines[0].split("\t") if lines else []
    if head[:3] != OVERHEAD_COLS[:3] or set(head) - set(OVERHEAD_COLS):
        die("%s: not an overhead table (its header is not %s)" % (path, " ".join(OVERHEAD_COLS)))
    return [dict({c: "" for c in OVERHEAD_COLS}, **dict(zip(head, l.split("\t")))) for l in lines[1:] if l.strip()]


def bench_agreement(prev, rows):
    """This run against the last one (docs/overhead.tsv before this run):
    per tool variant, whether each run's median of the variant's ops, of
    no tool's and of the original's lies in the other's [min-max].
    Returns (lines, agreed, compared); rows of another kernel or stap, or
    of a run that kept no ops, are not compared."""
    def span(r):
        a, _, b = r.partition("-")
        return (int(a), int(b)) if a.isdigit() and b.isdigit() else None
    def inside(med, r):
        return bool(med) and med.isdigit() and r is not None and r[0] <= int(med) <= r[1]
    old = {(r["tool"], r["variant"]): r for r in prev}
    lines, agreed, compared = [], 0, 0
    for r in rows:
        p = old.get((r["tool"], r["variant"]))
        if not p or not p.get("ops_range") or (p["kernel"], p["stap"]) != (r["kernel"], r["stap"]):
            continue
        cells, ok = [], True
        for k, rk in (("ops", "ops_range"), ("none_ops", "none_range"), ("original_ops", "original_range")):
            if not r[k] and not p[k]:
                cells.append("-")
                continue
            both = inside(r[k], span(p[rk])) and inside(p[k], span(r[rk]))
            ok = ok and both
            cells.append("%s [%s] / %s [%s] %s" % (p[k] or "-", p[rk] or "-", r[k] or "-", r[rk] or "-",
                                                  "yes" if both else "**no**"))
        compared += 1
        agreed += ok
        lines.append("| %s | %s | %s | %s / %s | %s |" % (r["tool"], r["variant"], " | ".join(cells),
                                                       p["cost_ratio"] or "-", r["cost_ratio"] or "-",
                                                       "yes" if ok else "**no**"))
    return lines, agreed, compared


def publish_overhead(rows, path=None):
    """Merges a run's rows into docs/overhead.tsv: the tools it measured
    replace their rows, the others stay as they were."""
    path = path or OVERHEAD_TSV
    measured = {r["tool"] for r in rows}
    keep = [r for r in read_overhead(path) if r["tool"] not in measured]
    clean = lambda v: str(v).replace("\t", " ").replace("\n", " ")
    body = sorted(keep + rows, key=lambda r: (r["tool"], r["variant"]))
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\t".join(OVERHEAD_COLS) + "\n")
        for r in body:
            f.write("\t".join(clean(r.get(c, "")) for c in OVERHEAD_COLS) + "\n")
    os.replace(tmp, path)


def bench_report(out, kver, stap_id, tests):
    res, hits = {}, {}
    for t in tests:
        if t.get("warmup"):
            continue
        r = collect(os.path.join(out, "results"), t)
        ops = as_num(r["facts"].get("ops"))
        ok = r["present"] and r["rc"] == 0 and r.get("work_rc", 0) == 0 and ops
        if t.get("hits"):
            h = parse_hit_report(read(os.path.join(out, "results", t["id"], "raw")))
            if ok and h:
                hits[(t["tool"], t["bench"])] = (ops, h[0], h[1])
            continue
        res.setdefault((t["tool"], t["bench"]), []).append(ops if ok else None)
    lines = ["# Overhead of the generated tools against the seeds' hand-written scripts", "",
             "Measured by `make bench-overhead` on %s (%s), %s, in a QEMU TCG guest (1 vCPU):"
             % (kver, stap_id, time.strftime("%Y-%m-%d", time.gmtime())),
             "the same workload for %d s with no tool, with the generated tool and with the" % BENCH_SECONDS,
             "hand-written script; median and [min-max] of %d rounds after %d warm-up round(s)" % (BENCH_ROUNDS, BENCH_WARMUP),
             "(order rotated each round). A tool whose every round beats every round without it",
             "is reported INVALID, not as a figure. Modules are built with -DSTP_NO_OVERLOAD:",
             "under TCG stap's overload protection stops every syscall-heavy run.",
             "Throughput is the workload's own count of ops (write+read pairs, 64-byte TCP round",
             "trips, calls of live_work_tick(), or malloc(64)+free pairs). 'added us/op' is the",
             "guest time a tool adds to one op (from the medians); 'hits/op' comes from one more",
             "round per variant with the script built with stap -t, which counts each probe's hits",
             "(begin, end and timer probes left out) and their cycles.", "",
             "| tool | workload | variant | ops in %d s | added us/op | hits/op | added us/hit | cycles/hit (stap -t) | cost / hand-written's |" % BENCH_SECONDS,
             "|---|---|---|---|---|---|---|---|---|"]
    summary = {}
    for fam, run, variants in bench_families():
        fg = summary[fam] = bench_figures(fam, variants, res, hits)
        for v, mod, _, _ in variants:
            xs = [x for x in res.get((fam, v), []) if x]
            f = fg["variants"].get(v, {})
            if f.get("invalid"):
                ops = "INVALID: %s" % f["invalid"]
            else:
                ops = "%.0f [%.0f-%.0f]" % (statistics.median(xs), min(xs), max(xs)) if xs else "failed"
            fmt = lambda k, spec="%.2f": spec % f[k] if f.get(k) is not None else "-"
            lines.append("| %s | `%s` | %s | %s | %s | %s | %s | %s | %s |" % (
                fam, run.replace("{workload}", "live-work"), v, ops, fmt("added_us_per_op"),
                fmt("hits_per_op"), fmt("added_us_per_hit", "%.3f"), fmt("cycles_per_hit", "%.0f"),
                fmt("cost_ratio", "%.3f")))
    lines += ["", "'cost / hand-written's' is a variant's added time per op over the hand-written",
              "script's: 1.00 means equal cost, above 1.05 misses the goal. A variant named",
              "'generated, ...' prints more than the hand-written script (full paths, say): its",
              "ratio states what the extra output costs.",
              "Under TCG every instruction is emulated: the absolute times are many times a real",
              "CPU's, and only ratios measured in the same guest compare (docs/performance.md)."]
    with open(os.path.join(out, "overhead.json"), "w") as f:
        json.dump({"kernel": kver, "stap": stap_id, "date": time.strftime("%Y-%m-%d", time.gmtime()),
                   "seconds": BENCH_SECONDS, "rounds": BENCH_ROUNDS, "tools": summary},
                  f, indent=1, sort_keys=True)
    rows = overhead_rows(kver, stap_id, time.strftime("%Y-%m-%d", time.gmtime()), summary)
    prev = read_overhead()
    agree, agreed, compared = bench_agreement(prev, rows)
    if compared:
        ran = {(x["tool"], x["variant"]) for x in rows}
        dates = sorted({r["date"] for r in prev if (r["tool"], r["variant"]) in ran})
        lines += ["", "## Against the last run (docs/overhead.tsv of %s)" % ", ".join(dates), "",
                  "Each cell: the last run's median [min-max] / this run's. A variant agrees when every",
                  "median lies in the other run's [min-max].", "",
                  "| tool | variant | tool's ops | no tool's ops | original's ops | cost ratio, last / this | agree |",
                  "|---|---|---|---|---|---|---|"] + agree + [
                  "", "%d of %d variants agree with the last run." % (agreed, compared)]
    else:
        lines += ["", "No earlier run on %s with %s in docs/overhead.tsv to compare with." % (kver, stap_id)]
    with open(os.path.join(out, "overhead.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))
    publish_overhead(rows)
    say("%s: figures written to %s (doc pages and the matrix read them)" % (kver, os.path.relpath(OVERHEAD_TSV, ROOT)))


def cmd_run(a):
    kver, tc = a.kver, a.toolchain
    out = os.path.abspath(a.out or os.path.join(ROOT, "out", "live", kver + ("-bench" if a.bench else "")))
    os.makedirs(out, exist_ok=True)
    kdir = os.path.join(CACHE, "kernels", kver)
    if not os.path.exists(os.path.join(kdir, ".stapgen-ready")):
        die("kernel %s is not fetched (make kernels)" % kver)
    sh([os.path.join(ROOT, "scripts/live/fetch-boot.sh"), kver])
    toolchain("ensure", tc, kver)
    stap_id = toolchain("id", tc, kver)
    say("%s: toolchain %s" % (kver, stap_id))

    # tests, from the specs (and the harness's own self-test specs)
    extra = [os.path.join(ROOT, "tests/live/selftest", f)
             for f in sorted(os.listdir(os.path.join(ROOT, "tests/live/selftest")))] if a.selftest else []
    tests, paths = [], {}
    for p in ([] if a.bench else all_specs(extra)):
        try:
            spec, ts = load_tests(p)
        except SpecError as e:
            die(str(e))
        for t in ts:
            ks = t.get("kernels")
            if ks and not any(kernel_matches(kver, str(k)) for k in ks):
                continue
            if a.tools and t["tool"] not in a.tools.split(","):
                continue
            t["module"] = t["tool"]
            tests.append(t)
            if "not_triggerable" in t:
                continue
            paths[t["tool"]] = p
    if a.bench:
        tests = bench_tests()
        for p in all_specs():
            with open(p, encoding="utf-8") as f:
                if yaml.safe_load(f)["tool"] in {t["module"] for t in tests}:
                    paths[os.path.basename(p)] = p
    if not tests:
        die("no live tests selected")
    if a.repeat > 1:
        # flake hunting: each test N times in the same guest, ids ID~1..ID~N
        tests = [dict(t, id="%s~%d" % (t["id"], k)) for t in tests for k in range(1, a.repeat + 1)]

    # generate scripts + parsers for this kernel
    gen = os.path.join(out, "gen")
    shutil.rmtree(gen, ignore_errors=True)
    p = subprocess.run([os.path.join(ROOT, "scripts/make-tools.sh"), STAPGEN, kver, gen]
                       + sorted(set(paths.values())), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, cwd=ROOT)
    if p.returncode:
        die("generation failed:\n" + p.stdout)
    gdir = os.path.join(gen, kver)
    sh(["cc", "-static", "-O2", "-Wall", "-Wextra", "-Werror", "-pthread", "-o",
        os.path.join(out, "live-work"), os.path.join(ROOT, "tests/live/workload.c")])
    wp = workload_path(kver)
    os.makedirs(os.path.dirname(wp), exist_ok=True)
    shutil.copy2(os.path.join(out, "live-work"), wp + ".tmp")
    os.replace(wp + ".tmp", wp)
    py = python_path(tc)
    if py != PYTHON and any("{python}" in str(t) for t in tests):
        os.makedirs(os.path.dirname(py), exist_ok=True)
        shutil.copy2(PYTHON, py + ".tmp")
        os.replace(py + ".tmp", py)

    def subst(v):
        return str(v).replace("{workload}", wp).replace("{python}", py)
    for t in tests:
        if "run" in t:
            t["run"] = subst(t["run"])
        if t.get("params"):
            t["params"] = {k: subst(v) for k, v in t["params"].items()}
        if t.get("argv"):
            t["argv"] = [subst(a) for a in t["argv"]]

    # tracepoint cache for this (kernel, stap): primed once, before parallel builds
    sysdir = toolchain("sysdir", tc, kver)

    # modules, in parallel within the memory budget (~0.6 GB per stap)
    runs = [t for t in tests if "not_triggerable" not in t]
    names = sorted({t["module"] for t in runs} - {"none"})
    scripts = {n: os.path.join(gdir, n + ".stp") for n in names}
    for n in names:
        base = n[:-len(BENCH_HITS_SUFFIX)] if a.bench and n.endswith(BENCH_HITS_SUFFIX) else n
        if base in BENCH_EXAMPLES:
            scripts[n] = os.path.join(STAP_EXAMPLES, BENCH_EXAMPLES[base])
            if not os.path.isfile(scripts[n]):
                die("%s: not found: install systemtap-doc (SystemTap's examples), or set STAP_EXAMPLES"
                    % scripts[n])
        elif base.startswith("seed_"):
            scripts[n] = os.path.join(ROOT, "tests/live/bench", base + ".stp")
        else:
            scripts[n] = os.path.join(gdir, base + ".stp")
    jobs = a.jobs or max(1, min(os.cpu_count() or 1,
                                int(re.search(r"MemAvailable:\s+(\d+)", read("/proc/meminfo")).group(1)) // 614400))
    say("%s: building %d modules, %d at a time" % (kver, len(names), jobs))
    modules, build_fail, build_secs = {}, {}, {}
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        # the benchmark measures cost: stap's overload protection would stop
        # every syscall-heavy run under TCG (tool and hand-written alike)
        extra = ["-DSTP_NO_OVERLOAD"] if a.bench else []
        # --headers-only: every module whose script builds without debuginfo
        # is built on the headers-only tree (with that tree's primed cache)
        trees = {n: "headers-only" if a.headers_only and not hand_written(n) and headers_only_ok(scripts[n])
                 else "build" for n in names}
        if a.headers_only:
            ho_sysdir = toolchain("sysdir", tc, kver, env=dict(os.environ, STAPGEN_TREE="headers-only"))
            say("%s: %d of %d modules built on the headers-only tree" %
                (kver, sum(t == "headers-only" for t in trees.values()), len(names)))
        # probe point parameters: the first test's values (one module per tool)
        pargs = {}
        for t in runs:
            if t["module"] in scripts and t["module"] not in pargs and not hand_written(t["module"]):
                pargs[t["module"]] = point_args(scripts[t["module"]], t.get("params") or {})
        # a benchmark's hit round: the same script with stap -t (BENCH_HITS_SUFFIX)
        futs = {ex.submit(build_module, kver, tc, n, scripts[n],
                          ho_sysdir if trees[n] == "headers-only" else sysdir, stap_id,
                          extra + (["-t"] if a.bench and n.endswith(BENCH_HITS_SUFFIX) else []), trees[n],
                          pargs.get(n, ())): n
                for n in names}
        done = 0
        for f in concurrent.futures.as_completed(futs):
            n = futs[f]
            ko, secs, info = f.result()
            done += 1
            if ko:
                modules[n] = ko
                build_secs[n] = secs
                say("%s: [%d/%d] %s.ko %s" % (kver, done, len(names), n,
                                              "cached" if info is True else "built in %.0fs" % secs))
            else:
                build_fail[n] = "\n".join(l for l in info.splitlines() if "error" in l.lower())[:600] or info[-600:]
                say("%s: [%d/%d] %s: stap -p4 FAILED: %s" % (kver, done, len(names), n, build_fail[n][:200]))

    runnable = [t for t in runs if t["module"] in modules or t["module"] == "none"]
    parsers = [os.path.join(gdir, "parsers", m + "-parse") for m in sorted({t["module"] for t in runnable})
               if os.path.exists(os.path.join(gdir, "parsers", m + "-parse"))]
    img = build_image(out, kver, tc, modules, runnable, parsers)
    say("%s: initramfs %.1f MB, booting (%d tests)" % (kver, os.path.getsize(img) / 1e6, len(runnable)))
    hung, took, got = boot(out, kver, img, a.timeout)
    say("%s: guest %s after %.0fs" % (kver, "KILLED (hung)" if hung else "stopped", took))

    if a.bench:
        bench_report(out, kver, stap_id, runs)
        return 0

    verdicts = []
    for t in runs:
        v = {"id": t["id"], "tool": t["tool"], "name": t.get("name", ""), "spec": t["spec"],
             "tree": trees.get(t["module"], "build"),
             "line": t["line"], "kernel": kver, "stap": stap_id, "expect_fail": t.get("expect_fail") or ""}
        if t["module"] in build_fail:
            v.update(status="FAIL", fails=["stap -p4 failed: " + build_fail[t["module"]]])
        else:
            res = collect(os.path.join(out, "results"), t)
            if not res["present"]:
                v.update(status="FAIL", fails=["no result from the guest (%s)" %
                                               ("guest killed at the time bound" if hung else "see console.log")])
            else:
                fails = check_test(t, res)
                v.update(status="FAIL" if fails else "pass", fails=fails, seconds=res["seconds"],
                         rows=len(res["rows"]), table=res["table"][:4000],
                         module_build_s=round(build_secs.get(t["module"], 0), 1))
        verdicts.append(v)
    with open(os.path.join(out, "verdicts.json.tmp"), "w") as f:
        json.dump({"kernel": kver, "stap": stap_id, "boot_seconds": round(took, 1), "hung": hung,
                   "tests": verdicts}, f, indent=1, sort_keys=True)
    os.replace(os.path.join(out, "verdicts.json.tmp"), os.path.join(out, "verdicts.json"))

    write_cells(kver, stap_id, tests, verdicts, all_tools(), a.tools)
    write_examples(out, kver, stap_id, runs, verdicts)

    # one write: another kernel's run may be printing next to this one
    rc, report = 0, []
    width = max([28] + [len(v["id"]) + 1 + len(v["name"]) for v in verdicts])
    for v in verdicts:
        ok = (v["status"] == "pass") != bool(v["expect_fail"])
        if v["expect_fail"] and v["status"] == "FAIL" and not any(v["expect_fail"] in m for m in v["fails"]):
            ok = False
            v["fails"].append("self-test: the failure does not name %r" % v["expect_fail"])
        tag = v["status"] if not v["expect_fail"] else ("expected FAIL" if v["status"] == "FAIL" else "UNEXPECTED pass")
        label = v["id"] + (" " + v["name"] if v["name"] else "")
        report.append("live: %-*s %-13s %s%s" % (width, label, tag, kver,
                                                " (headers only)" if v["tree"] == "headers-only" else ""))
        report += ["      %s:%d: %s" % (v["spec"], v["line"], m) for m in v.get("fails", [])]
        v["ok"] = ok
        if not ok:
            rc = 1
    sys.stdout.write("".join(l + "\n" for l in report))
    sys.stdout.flush()
    n_ok = sum(1 for v in verdicts if v.get("ok"))
    say("%s: %d/%d as expected; %.0fs in all" % (kver, n_ok, len(verdicts), time.time() - T0))
    return rc


def all_tools():
    tools = {}
    for p in all_specs():
        with open(p, encoding="utf-8") as f:
            spec = yaml.safe_load(f)
        tools[spec["tool"]] = p
    return tools


def write_cells(kver, stap_id, tests, verdicts, tools, only):
    """One record per tool for the matrix: out/validation/cells/<KVER>@live/<tool>.rec."""
    cdir = os.path.join(ROOT, "out", "validation", "cells", kver + "@live")
    os.makedirs(cdir, exist_ok=True)
    flat = lambda x: re.sub(r"[\t\r\n]+", " ", str(x))
    for tool in sorted(tools):
        if only and tool not in only.split(","):
            continue
        vs = [v for v in verdicts if v["tool"] == tool and not v["expect_fail"]]
        nt = [t for t in tests if t["tool"] == tool and "not_triggerable" in t]
        rec = [("kernel", kver), ("tool", tool), ("mode", "live"), ("stap", stap_id)]
        if nt:
            rec += [("status", "not-triggerable"), ("reason", nt[0]["not_triggerable"]), ("seconds", 0)]
        elif not vs:
            rec += [("status", "FAIL"), ("error", "no live test (add a live: section to %s)"
                                         % os.path.relpath(tools[tool], ROOT)), ("seconds", 0)]
        else:
            bad = [v for v in vs if v["status"] != "pass"]
            secs = sum(max(v.get("seconds", 0), 0) for v in vs)
            if bad:
                rec += [("status", "FAIL"), ("error", "%s: %s" % (bad[0]["id"], "; ".join(bad[0]["fails"])[:600])),
                        ("location", "%s:%d" % (bad[0]["spec"], bad[0]["line"]))]
            else:
                rec += [("status", "pass"), ("tests", len(vs))]
            rec.append(("seconds", secs))
        with open(os.path.join(cdir, tool + ".rec.tmp"), "w") as f:
            f.write("".join("%s=%s\n" % (k, flat(v)) for k, v in rec))
        os.replace(os.path.join(cdir, tool + ".rec.tmp"), os.path.join(cdir, tool + ".rec"))
    open(os.path.join(cdir, ".done"), "w").close()


def write_examples(out, kver, stap_id, tests, verdicts):
    """Each tool's doc page section "Example": the table its latest passing live
    run printed, with the kernel and workload named (scripts/make-tools.sh
    appends out/live/<KVER>/examples/<tool>.md to out/<KVER>/doc/<tool>.md)."""
    edir = os.path.join(out, "examples")
    os.makedirs(edir, exist_ok=True)
    by_id = {v["id"]: v for v in verdicts}
    done = set()
    for t in tests:
        v = by_id.get(t["id"])
        # a test through the generated command has no table (it asked for -f json)
        if not v or v["status"] != "pass" or v["expect_fail"] or t["tool"] in done or not v.get("table"):
            continue
        done.add(t["tool"])
        table = v.get("table", "").rstrip("\n")
        if len(table) > 3000:
            table = table[:3000].rsplit("\n", 1)[0] + "\n..."
        opts = " ".join("%s=%s" % kv for kv in (t.get("params") or {}).items())
        how = {"c": "staprun -c '%s' %s.ko %s" % (t["run"], t["tool"], opts),
               "x": "staprun -x PID %s.ko %s  (PID: %s)" % (t["tool"], opts, t["run"]),
               "flight": "staprun -L %s.ko %s; %s; staprun -A %s" % (t["tool"], opts, t["run"], t["tool"])
               }.get(t.get("mode", "bg"), "staprun %s.ko %s  (while running: %s)" % (t["tool"], opts, t["run"]))
        lines = ["## Example", "",
                 "From `make live` on %s, %s, %s:" % (kver, stap_id, time.strftime("%Y-%m-%d", time.gmtime())),
                 "", "```", how.replace("  ", " ").strip(), "```", "", "```", table, "```", ""]
        with open(os.path.join(edir, t["tool"] + ".md.tmp"), "w") as f:
            f.write("\n".join(lines))
        os.replace(os.path.join(edir, t["tool"] + ".md.tmp"), os.path.join(edir, t["tool"] + ".md"))


def cmd_lint(a):
    n = 0
    for p in all_specs([os.path.join(ROOT, "tests/live/selftest", f)
                        for f in sorted(os.listdir(os.path.join(ROOT, "tests/live/selftest")))]):
        try:
            _, ts = load_tests(p)
        except SpecError as e:
            print("live: " + str(e), file=sys.stderr)
            return 1
        n += len(ts)
    print("live: %d tests, all well-formed" % n)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run")
    r.add_argument("--kver", required=True)
    r.add_argument("--toolchain", required=True, choices=matrix_toolchains())
    r.add_argument("--out")
    r.add_argument("--tools", help="comma-separated tool names (default: all with live tests)")
    r.add_argument("--jobs", type=int, default=0)
    r.add_argument("--timeout", type=int, default=900, help="seconds before a guest counts as hung")
    r.add_argument("--headers-only", action="store_true",
                   help="build each module whose script needs no debuginfo on the kernel's headers-only tree")
    r.add_argument("--repeat", type=int, default=1, help="run each selected test N times (flake hunting)")
    r.add_argument("--no-selftest", dest="selftest", action="store_false")
    r.add_argument("--bench", action="store_true",
                   help="instead of the tests: the overhead benchmark (generated vs hand-written)")
    sub.add_parser("lint")
    pb = sub.add_parser("publish", help="write docs/overhead.tsv from a benchmark run's overhead.json")
    pb.add_argument("json", help="out/live/KVER-bench/overhead.json")
    a = ap.parse_args()
    return {"run": cmd_run, "lint": cmd_lint, "publish": cmd_publish}[a.cmd](a)


def cmd_publish(a):
    with open(a.json, encoding="utf-8") as f:
        j = json.load(f)
    publish_overhead(overhead_rows(j["kernel"], j["stap"], j.get("date", ""), j["tools"]))
    print("live: %s written" % os.path.relpath(OVERHEAD_TSV, ROOT))
    return 0


if __name__ == "__main__":
    sys.exit(main())
