#!/usr/bin/env python3
"""kind_input.py TOOL_parser.c SEED: deterministic random input for the
parser TOOL_parser.c, from its own kind and field tables, for
tests/parsers/kind_code.sh: records of every kind with values the reader
keeps as text, parses, rewrites or refuses (canonical and other numbers,
escapes, UTF-8 and bytes that are not, IPv4 and IPv6 addresses, backtraces),
lines with a field too many or too few, unknown kinds, report blocks for
the rows and histogram buckets, and @end at the end."""
import random
import re
import sys

src, seed = sys.argv[1], int(sys.argv[2])
rng = random.Random(seed)
c = open(src, encoding="utf-8").read()
tool = re.search(r'^const sg_tool ([a-z0-9_]+)_tool = ', c, re.M).group(1)
tables = {m.group(1): re.findall(r'\{ "([a-z0-9_]+)", (SG_[A-Z]+)', m.group(2))
          for m in re.finditer(r'static const sg_field ([a-z0-9_]+)\[\] = \{(.*?)\n\};', c, re.S)}
kinds = []
for m in re.finditer(r'\{ "([a-z0-9_]+)", SG_(EVENT|ROW|HIST_LOG2|HIST_LINEAR), ([a-z0-9_]+), '
                     r'\d+, [^,]+, [^,]+, [^,]+, (NULL|"[^"]*") \}', c):
    report = None if m.group(4) == "NULL" else m.group(4)[1:-1]
    kinds.append((m.group(1), m.group(2), tables[m.group(3)], report))
if not kinds:
    sys.exit("kind_input.py: %s: no kinds found" % src)

CANON = ["0", "1", "7", "42", "1000", "65534", "1636955", "-1", "-42", "4294967295",
         "1700000000", "12345678", "123456789", "9999999999999999", "-9999999999999999"]
OTHER = ["007", "-0", "00", "+5", "12345678901234567", "9223372036854775807",
         "-9223372036854775808", "9223372036854775808", "-9223372036854775809",
         "99999999999999999999", "", "12a", "-", "1.5", " 1", "0x10", "1e3"]


def number(kind):
    r = rng.random()
    if r < 0.03:
        return rng.choice(OTHER)
    if kind == "SG_TIME" and r < 0.7:
        return str(1700000000 + rng.randrange(4))
    if r < 0.5:
        return rng.choice(CANON)
    return str(rng.randrange(-10 ** rng.randrange(1, 19), 10 ** rng.randrange(1, 19)))


PIECES = ["a", "nginx", "systemd-resolve", "kworker/u4:2", " ", "  two  blanks ", ",", "\\\"",
          "\\\\", "\\t", "\\n", "\\r", "\\a", "\\b", "\\f", "\\v", "'quoted'",
          "\\303\\251", "\\346\\227\\245\\346\\234\\254", "\\360\\237\\230\\200",  # é 日本 😀
          "\\377", "\\300\\200", "\\355\\240\\200", "\\302\\205", "\\342\\200\\250",
          "\\342\\200\\256", "\\330\\234", "\\177", "\\001", "\\000", "\\u00e9",
          "\\u2028", "\\U0001F600", "\\x41", "\\xff", "x" * 17, "y" * 40, "/usr/lib/x86_64-linux-gnu",
          "--config=/etc/x.conf", "\\033[31m"]
BAD = ["\\q", "\\9", "\\", "\\38", "\\400", "\\u12", "\\UD800DC00", "\\uD800", "\\x4",
       "\x01", "\x7f", "\xc3\xa9", "\xff"]


def string():
    if rng.random() < 0.02:
        return "".join(rng.choice(PIECES) for _ in range(rng.randrange(3))) + rng.choice(BAD)
    return "".join(rng.choice(PIECES) for _ in range(rng.randrange(0, 6)))


ADDRS = ["127.0.0.1", "10.3.254.119", "192.168.1.17", "::1", "::", "2001:db8::1",
         "fe80::1c2b:3aff:fe4d:5e6f", "0000:0000:0000:0000:0000:ffff:7f00:0001",
         "0000:0000:0000:0000:0000:0000:0000:0001", "2001:0db8:0000:0000:0001:0000:0000:0001",
         "::ffff:10.1.2.3", "1:2:3:4:5:6:7:8", "1::2:0:0:3", "*unknown address family*",
         "1:2", ":::", "12345::", "::1.2.3.4.5", "ABCD:EF01::", ""]


def stack():
    frames = ["schedule+0x25/0x80 [kernel]", " 0xffffffff81234567 : do_syscall_64+0x5c/0xa0 [kernel]",
              "0x7f3a2c1d4e5f [libc.so.6+0x1e4e5f]", "0x7f3a2c1d4e5f", "main+0x1a [a.out]",
              "<no user backtrace at kernel.function(\\\"x\\\")>", "std::vector<int>::push_back+0x3"]
    return "\\n".join(rng.choice(frames) for _ in range(rng.randrange(0, 5)))


def value(name, typ, cls):
    if name == "bucket" and cls.startswith("HIST"):
        return str(rng.choice([0, 1, 2, 3, 5, 64, 65, 70, 127, 128, -1]))
    if typ in ("SG_LONG", "SG_TIME"):
        return number(typ)
    if typ == "SG_INET":
        return rng.choice(ADDRS) if rng.random() < 0.97 else string()
    if typ == "SG_STACK":
        return stack()
    return string()


def record(kind):
    name, cls, fields, _ = kind
    vals = [value(f, t, cls) for f, t in fields]
    r = rng.random()
    if r < 0.01:
        vals.append("extra")
    elif r < 0.02 and vals:
        vals.pop()
    return "\t".join(["@" + name] + vals)


out = ["@stapgen\t%s\t1" % tool]
events = [k for k in kinds if k[3] is None]
reports = sorted({k[3] for k in kinds if k[3] is not None})
for _ in range(rng.randrange(150, 250)):
    r = rng.random()
    if events and r < (0.8 if reports else 0.99):
        out.append(record(rng.choice(events)))
    elif r < 0.01 or not reports:
        out.append("@nosuchkind\t1\t2")
    elif r < 0.97:
        rep = rng.choice(reports)
        out.append("@report\t%s\t%s" % (rep, 1700000000 + rng.randrange(3)))
        rows = [k for k in kinds if k[3] == rep]
        for _ in range(rng.randrange(0, 12)):
            out.append(record(rng.choice(rows)))
        out.append("@report_end\t" + rep)
    elif events:
        out.append(record(rng.choice(events)))
out.append("@end")
sys.stdout.buffer.write(("\n".join(out) + "\n").encode("utf-8", "surrogateescape"))
