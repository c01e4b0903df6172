#!/usr/bin/env python3
"""Fuzzer of the generated tool commands (issue 16).

The invariant: every value a user gives, and every path a traced process
has mapped, reaches stap or staprun as exactly the argument its option
means, never as an option of its own; a value the command does not take
ends the command with exit status 2 and a message, before stap runs.

Each command runs under tests/fuzz/cmd/harness.sh (one dash process per
tool, its runtime sourced once), which prints the command line the tool
would run.  This side builds random and hostile command lines, computes
from its own model of the options which command line that must be, and
compares.  Processes with hostile executable paths (option-like directory
names, quotes, newlines, '(deleted)', a deleted and a replaced binary) are
started for -p.

usage: fuzz_cmd.py STAPGEN [--execs N] [--seed S] [--replay FILE] [--save FILE]
  --replay FILE  run the cases of FILE (JSON lines: {"tool":..., "args":[...]})
                 and no random ones; exit 1 on a finding
  --save FILE    append the findings to FILE, as replayable cases
"""
import argparse
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
KVER = "6.1.0-56-cloud-amd64"
SPECS = ["specs/cpu/sample_bt.yaml", "specs/net/tcp_conn.yaml", "tests/command/specs/inject_text.yaml",
         "tests/command/specs/point_arg.yaml", "tests/command/specs/needs_tracepoint.yaml"]
HOSTILE = ["", " ", "-", "--", "-g", "-o /tmp/X", "-c/tmp/evil.sh", "--help", "-V", "-h", "a b", "'", '"',
           "\\", "$(touch /tmp/pwned_fuzz)", "`touch /tmp/pwned_fuzz`", "\n", "x\n-g", "*", "?", "[", "~",
           "%s%n", "\x1b[2J", "\x01", "\u00e9", "\u202e", "1", "0", "-5", "42", "99999999999999999999",
           "1,2", "10,3", ",", "m.ko", "-V.ko", "/m/x.ko", "./a b.ko", "x=1", "=", "s=a b",
           "destport=1 -o /tmp/P", "table", "json", "svg", "folded", "a;b", "tcp_*", "vfs_read*",
           "-x", "-d", "--ldd", "-I /tmp/t", "-Gx=1", "user=1", "top=5", "d=7", "sw=1", "pattern=foo?"]
ALPHA = "abcz019 -_=./,'\"\\$`*?[]~;&|<>(){}\t\n\x1b\x7f"


class Tool:
    """What the fuzzer's model needs of one generated command."""

    def __init__(self, out, name):
        self.name = name
        self.path = os.path.join(out, name)
        text = open(self.path, encoding="utf-8", errors="surrogateescape").read()
        self.here = os.path.realpath(out)
        self.script = os.path.join(self.here, name + ".stp")
        self.flags = shlex.split(shlex.split(re.search(r"^sg_flags=(.*)$", text, re.M).group(1))[0])
        self.mod = re.search(r"^tool=\S+ sg_mod=(\S+)$", text, re.M).group(1)
        self.target = "sg_target=1" in text
        self.summary = shlex.split(re.search(r"^sg_summary=(.*)$", text, re.M).group(1))[0].encode(
            "utf-8", "surrogateescape")
        rt = open(os.path.join(out, "lib", "stapgen-cmd.sh"), encoding="utf-8", errors="surrogateescape").read()
        self.watch = re.search(r"^sg_watch='([^']*)'$", rt, re.M).group(1).encode("utf-8", "surrogateescape")
        self.usyms = "sg_usyms=1" in text
        self.formats = re.search(r"^sg_formats='([^']*)'", text, re.M).group(1).split("|")
        self.pp = {}   # N -> default
        for m in re.finditer(r"^pp_(\d+)=(.*)$", text, re.M):
            self.pp[int(m.group(1))] = shlex.split(m.group(2))[0] if m.group(2) != "''" else ""
        opt = text[text.index("tool_opt() {"):text.index("tool_global() {")]
        glob = text[text.index("tool_global() {"):text.index("tool_required() {")]
        self.switches, self.valued = {}, {}   # flag -> global name; flag -> ("g", name) / ("pp", N)
        for m in re.finditer(r"^\t(-\S+)\) sg_setg (\w+) 1; sg_shift=1 ;;$", opt, re.M):
            self.switches[m.group(1)] = m.group(2)
        for m in re.finditer(r"^\t(-[^)\s]+)\)\n\t\tsg_val \"\$@\"\n(.*?)sg_shift=2 ;;", opt, re.M | re.S):
            body = m.group(2)
            pp = re.search(r"pp_(\d+)=\$2", body)
            g = re.search(r"sg_setg (\w+) \"\$2\"", body)
            self.valued[m.group(1)] = ("pp", int(pp.group(1))) if pp else ("g", g.group(1))
        self.globals = {}   # name -> ("g", name) / ("pp", N)
        for m in re.finditer(r"^\t(\w+)\) (.*)$", glob, re.M):
            pp = re.search(r"pp_(\d+)=\$2", m.group(2))
            self.globals[m.group(1)] = ("pp", int(pp.group(1))) if pp else ("g", m.group(1))


def maps_syms(pid):
    """The -d arguments the command must give for -p PID (its own rule)."""
    out, seen = [], set()
    try:
        lines = open("/proc/%d/maps" % pid, "rb").read().split(b"\n")
    except OSError:
        return out
    for line in lines:
        f = line.split(None, 5)
        if len(f) < 6:
            continue
        rng, perm, _, dev, ino, p = f
        p = p.strip(b" \t")
        if b"x" not in perm or not p.startswith(b"/") or ino == b"0":
            continue
        if (dev, ino) in seen:
            continue
        seen.add((dev, ino))
        mf = b"/proc/%d/map_files/%s" % (pid, rng)
        try:
            if os.path.isfile(p) and os.path.samefile(p, mf):
                out += [b"-d", p]
        except OSError:
            pass
    return out


def split_ifs(s):
    return [w for w in re.split(rb"[ \t\n]+", s) if w]


def expected(tool, args, pids):
    """The command line the tool must run for args, if it accepts them."""
    a, syms, gstap, gmod = [], [], [], []
    pid = cmd = out = size = build = module = secs = None
    bg = raw = False
    pp = dict(tool.pp)

    def setparam(kind, what, val):
        """A parameter given by its flag or -G: a probe point's value, or a global."""
        if kind == "pp":
            pp[what] = val.decode("utf-8", "surrogateescape")
        else:
            gstap.extend([b"-G", what.encode() + b"=" + val])
            gmod.append(what.encode() + b"=" + val)

    i = 0
    while i < len(args):
        o = args[i]
        v = args[i + 1] if i + 1 < len(args) else None
        s = o.decode("utf-8", "surrogateescape")
        if s in tool.switches:
            setparam("g", tool.switches[s], b"1")
            i += 1
        elif s in tool.valued:
            setparam(*tool.valued[s], v)
            i += 2
        elif s == "-G":
            name, _, val = v.partition(b"=")
            setparam(*tool.globals[name.decode()], val)
            i += 2
        elif s in ("--raw", "--no-check"):
            raw = raw or s == "--raw"
            i += 1
        elif s in ("-F", "--background"):
            bg = True
            i += 1
        else:
            if s == "-p":
                pid = v
            elif s == "-c":
                cmd = v
            elif s == "-t":
                secs = v
            elif s == "-a":
                a += split_ifs(v)
            elif s == "-o":
                out = v
            elif s == "-S":
                size = v
            elif s == "--build-module":
                build = v
            elif s == "--module":
                module = v
            elif s == "-f":
                pass
            else:
                raise ValueError("model: no option %r" % s)
            i += 2
    if tool.usyms and module is None:
        if pid is not None:
            syms = maps_syms(int(pid))
        elif cmd is not None:
            syms = [b"--ldd"]
    flags = [f.encode() for f in tool.flags]
    ppw = [pp[k].encode("utf-8", "surrogateescape") for k in sorted(pp)]
    script = tool.script.encode()
    if build is not None:
        return [b"stap", b"-p4", b"-m", tool.mod.encode()] + flags + a + syms + gstap + [script] + ppw
    w = [b"staprun"] if module is not None else [b"stap"] + flags + a + syms
    if pid is not None:
        w += [b"-x", pid]
    if cmd is not None:
        w += [b"-c", cmd]
    if out is not None:
        w += [b"-o", out]
    if size is not None:
        w += [b"-S", size]
    if module is not None:
        if bg:
            w.append(b"-D" if out is not None else b"-L")
        w.append(b"./" + module if module.startswith(b"-") else module)
        w += gmod
    else:
        if bg:
            w += [b"-F", b"-m", tool.mod.encode()]
        w += gstap + [script] + ppw
    # the watcher: a parsed run waits for the parser's armed file, shows the
    # summary line, then counts -t; an unparsed one counts -t from the start
    parsed = not (raw or out is not None or bg)
    if parsed:
        w = [b"sh", b"-c", tool.watch, b"sh", secs or b"0", b"/SGTMP/armed",
             b"Tracing: " + tool.summary + b"... Hit Ctrl-C to end."] + w
    elif secs is not None and not bg:
        w = [b"sh", b"-c", tool.watch, b"sh", secs, b"", b""] + w
    return w


class Harness:
    def __init__(self, tool, cwd):
        self.tool = tool
        self.p = subprocess.Popen(["dash", os.path.join(HERE, "harness.sh"), tool.path], cwd=cwd,
                                  stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  env=dict(os.environ, LC_ALL="C", PATH="/usr/bin:/bin"))

    def run(self, cases):
        data = b""
        for args in cases:
            data += b"set --" + b"".join(b" " + sh_quote(x) for x in args) + b"\n#END\n"
        self.p.stdin.write(data)
        self.p.stdin.flush()
        return [self.read_one() for _ in cases]

    def read_one(self):
        r = self.p.stdout
        argv = None
        line = r.readline()
        if line.startswith(b"ARGV "):
            rest = line[5:]
            n = int(rest.split(b" ", 1)[0])
            buf = rest[len(str(n)):]
            argv = []
            for _ in range(n):
                while b":" not in buf:
                    buf += r.readline()
                assert buf[0:1] == b" ", buf[:40]
                ln, _, buf = buf[1:].partition(b":")
                ln = int(ln)
                while len(buf) < ln + 1:
                    buf += r.readline()
                argv.append(buf[:ln])
                buf = buf[ln:]
            assert buf == b"\n", buf[:40]
            line = r.readline()
        m = re.match(rb"RC (\d+) (\d)\n", line)
        if not m:
            raise RuntimeError("harness protocol: %r" % line[:200])
        return int(m.group(1)), m.group(2) == b"1", argv


def sh_quote(b):
    return b"'" + b.replace(b"'", b"'\\''") + b"'"


def rand_value(rng, pids):
    k = rng.random()
    if k < 0.45:
        return rng.choice(HOSTILE).encode()
    if k < 0.55:
        return str(rng.choice(pids)).encode()
    if k < 0.7:
        return str(rng.randint(0, 10 ** rng.randint(1, 20))).encode()
    n = rng.randint(0, 24)
    s = "".join(rng.choice(ALPHA) for _ in range(n))
    if rng.random() < 0.2:
        s = bytes(rng.randint(1, 255) for _ in range(rng.randint(1, 8))).decode("latin-1")
    return s.encode("utf-8", "surrogateescape")


def rand_case(rng, tool, pids):
    opts = ["-t", "-a", "-f", "-o", "-S", "--build-module", "--module", "-G", "--raw", "-F",
            "--background"] + list(tool.switches) + list(tool.valued)
    if tool.target:
        opts += ["-p", "-p", "-c"]
    args = [b"--no-check"]
    for _ in range(rng.randint(0, 5)):
        o = rng.choice(opts)
        args.append(o.encode())
        if o in ("--raw", "-F", "--background") or o in tool.switches:
            continue
        if o == "-G" and rng.random() < 0.7:
            name = rng.choice(list(tool.globals) + ["nosuch", "", "1x", "a-b"])
            v = name.encode() + b"=" + rand_value(rng, pids)
        elif o == "-p" and rng.random() < 0.8:
            v = str(rng.choice(pids)).encode()
        elif o == "-f" and rng.random() < 0.7:
            v = rng.choice(tool.formats).encode()
        elif o == "-t" and rng.random() < 0.5:
            v = str(rng.randint(1, 100)).encode()
        elif o == "--module" and rng.random() < 0.5:
            v = rand_value(rng, pids) + b".ko"
        else:
            v = rand_value(rng, pids)
        if rng.random() < 0.03:
            continue   # the option's value missing at the end
        args.append(v)
    return args


def check(tool, args, res, pids):
    rc, err, argv = res
    if argv is not None:
        if rc != 0:
            return "ran stap but exited %d" % rc
        try:
            want = expected(tool, args, pids)
        except (KeyError, ValueError, AttributeError) as e:
            return "the command ran a command line the model refuses (%s): %r" % (e, argv)
        if argv != want:
            return "command line %r, expected %r" % (argv, want)
        return None
    if rc == 2:
        return None if err else "exit 2 without a message"
    if rc == 1 and err:
        return None   # -p: no such process
    if rc == 0 and err:
        return None   # -h, -V, -d: a value left out made the next value an option
    return "exit %d (message: %s) and no command line" % (rc, err)


def make_procs(tmp):
    """Processes whose executables sit at hostile paths; returns their pids."""
    names = ["a -o %s/X -g -I %s/t" % (tmp, tmp), "new\nline", "q'uote\"d", "$(touch pwned)", "-dash",
             "sp ace ", "\x1b[2J"]
    procs = []
    for n in names:
        d = os.path.join(tmp, "p", n)
        os.makedirs(d, exist_ok=True)
        exe = os.path.join(d, "sleep")
        shutil.copy("/bin/sleep", exe)
        procs.append(subprocess.Popen([exe, "600"]))
    for n in ("x (deleted)", "gone", "swapped"):
        exe = os.path.join(tmp, "p", n)
        shutil.copy("/bin/sleep", exe)
        procs.append(subprocess.Popen([exe, "600"]))
    time.sleep(0.3)
    os.unlink(os.path.join(tmp, "p", "gone"))
    shutil.copy("/bin/true", os.path.join(tmp, "p", "swapped.new"))
    os.rename(os.path.join(tmp, "p", "swapped.new"), os.path.join(tmp, "p", "swapped"))
    return procs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("stapgen")
    ap.add_argument("--execs", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--replay")
    ap.add_argument("--save")
    o = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="fuzz_cmd.")
    procs = []
    try:
        out = os.path.join(tmp, "out")
        subprocess.run([o.stapgen, "--kver", KVER, "--out", out] + [os.path.join(ROOT, s) for s in SPECS],
                       check=True, stderr=subprocess.DEVNULL)
        tools = {}
        for s in SPECS:
            n = os.path.basename(s)[:-5]
            tools[n] = Tool(out, n)
        procs = make_procs(tmp)
        pids = [p.pid for p in procs] + [999999999]
        cwd = os.path.join(tmp, "cwd")
        os.mkdir(cwd)
        hs = {n: Harness(t, cwd) for n, t in tools.items()}
        findings = 0
        execs = ran = 0
        for f in ("/tmp/pwned_fuzz", "/tmp/X", "/tmp/P"):
            if os.path.exists(f):
                os.unlink(f)
        t0 = time.time()
        if o.replay:
            cases = [json.loads(l) for l in open(o.replay) if l.strip()]
            for c in cases:
                # "@PIDn": the n-th process with a hostile executable path
                args = [str(pids[int(a[4:])]).encode() if re.fullmatch(r"@PID\d+", a)
                        else a.encode("utf-8", "surrogateescape") for a in c["args"]]
                res = hs[c["tool"]].run([args])[0]
                execs += 1
                ran += res[2] is not None
                bad = check(tools[c["tool"]], args, res, pids)
                if bad:
                    findings += 1
                    print("FINDING: %s %r: %s" % (c["tool"], args, bad))
        else:
            rng = random.Random(o.seed)
            names = sorted(tools)
            while execs < o.execs:
                n = rng.choice(names)
                batch = [rand_case(rng, tools[n], pids) for _ in range(min(200, o.execs - execs))]
                for args, res in zip(batch, hs[n].run(batch)):
                    execs += 1
                    ran += res[2] is not None
                    bad = check(tools[n], args, res, pids)
                    if bad:
                        findings += 1
                        if findings <= 20:
                            print("FINDING: %s %r: %s" % (n, args, bad))
                        if o.save:
                            with open(o.save, "a") as f:
                                f.write(json.dumps({"tool": n, "args": [a.decode("utf-8", "surrogateescape")
                                                                         for a in args]}) + "\n")
                if execs % 100000 < 200:
                    print("fuzz_cmd: %d executions, %d findings, %.0f/s" % (execs, findings, execs / (time.time() - t0)),
                          file=sys.stderr)
        for h in hs.values():
            h.p.stdin.close()
            h.p.wait()
        pwned = os.listdir(cwd) + [f for f in ("/tmp/pwned_fuzz", "/tmp/X", "/tmp/P") if os.path.exists(f)]
        if pwned:
            findings += 1
            print("FINDING: files created: %s" % pwned)
        print("fuzz_cmd: %d executions (%d reached stap or staprun, the rest refused), %d findings, %.1f s"
              % (execs, ran, findings, time.time() - t0))
        return 1 if findings else 0
    finally:
        for p in procs:
            p.kill()
            p.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
