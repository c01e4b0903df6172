#!/usr/bin/env python3
"""Deterministic synthetic parser inputs for `make bench`.

usage: bench-gen.py KIND MEGABYTES OUTFILE
  KIND: tcp_conn   @conn events (tcp_conn.stp): awkward command names (tabs,
                   newlines, quotes, backslashes, UTF-8 as \\ooo escapes),
                   IPv4/IPv6 sources
        execve     @exec events (execve.stp): long paths and argument strings
                   with blanks, quotes, tabs and UTF-8
        stacks     sample_bt.stp report blocks of @stacks rows: user + kernel
                   stacks as sprint_ustack()/sprint_stack() print them, deep
                   (up to ~30 frames, MAXSTRINGLEN 2000) and sharing prefixes,
                   a few thousand distinct stacks repeated across blocks
        stacks20k  one sample_bt report block of 20,000 distinct stacks (what
                   a long sample_bt -l 20000 run prints at its end)
The same arguments always give the same bytes (a fixed-seed PRNG, no clock).
"""
import random
import sys


def text_str(s):
    """SystemTap text_str(): C escapes, non-printable and non-ASCII bytes \\ooo."""
    out = []
    for b in s.encode("utf-8"):
        c = chr(b)
        if c == "\t":
            out.append("\\t")
        elif c == "\n":
            out.append("\\n")
        elif c == '"':
            out.append('\\"')
        elif c == "\\":
            out.append("\\\\")
        elif 0x20 <= b < 0x7F:
            out.append(c)
        else:
            out.append("\\%03o" % b)
    return "".join(out)


COMMS = ["sshd", "nginx", "redis-server", "java", "postgres", "node", "python3",
         "red\tis\nserver", 'q"uote\\d', "caf\u00e9", "\u4f60\u597d\u4e16\u754c",
         "kworker/u4:2", "systemd-resolve", "a b c", "\u00fcber-tool", "x"]
IPS = ["10.3.254.119", "192.168.1.17", "2001:db8::1", "::1", "127.0.0.1",
       "fe80::1c2b:3aff:fe4d:5e6f", "172.16.0.254"]


def gen_tcp_conn(rnd, limit, w):
    w("@stapgen\ttcp_conn\t1\n")
    n = 0
    t = 1700000000
    comms = [text_str(c) for c in COMMS]
    while n < limit:
        if rnd.random() < 0.001:
            t += 1
        line = "@conn\t%d\t%d\t%d\t%d\t%s\t%d\t%d\t%s\n" % (
            t, rnd.choice((0, 996, 1000, 65534)), rnd.choice((0, 996, 1000)),
            rnd.choice((0, 994, 1000)), rnd.choice(comms), rnd.randrange(1, 4194304),
            rnd.choice((22, 80, 443, 6379, 5432, 8080)), rnd.choice(IPS))
        w(line)
        n += len(line)
    w("@end\n")


DIRS = ["usr", "lib", "x86_64-linux-gnu", "share", "local", "opt", "var", "cache",
        "node_modules", "@types", "very-long-directory-name-for-testing", "data",
        "\u00e9t\u00e9", "with space", "tab\there", "\u65e5\u672c\u8a9e"]


def gen_execve(rnd, limit, w):
    w("@stapgen\texecve\t1\n")
    n = 0
    t = 1700000000
    while n < limit:
        if rnd.random() < 0.001:
            t += 1
        path = "/" + "/".join(rnd.choice(DIRS) for _ in range(rnd.randrange(2, 14)))
        args = " ".join(rnd.choice(("-v", "--config=/etc/x.conf", '"quoted arg"', "caf\u00e9",
                                    "a\tb", "--name='x y'", path))
                        for _ in range(rnd.randrange(0, 6)))
        line = "@exec\t%d\t%d\t%d\t%d\t%s\t%s\t%s\n" % (
            t, rnd.choice((0, 1000)), rnd.randrange(1, 4194304), rnd.randrange(1, 4194304),
            text_str(rnd.choice(COMMS)), text_str(path), text_str(args))
        w(line)
        n += len(line)
    w("@end\n")


KSYMS = ["schedule", "__schedule", "do_syscall_64", "entry_SYSCALL_64_after_hwframe",
         "ksys_read", "vfs_read", "ext4_file_read_iter", "generic_file_read_iter",
         "filemap_read", "copy_page_to_iter", "tcp_sendmsg", "tcp_sendmsg_locked",
         "tcp_push", "__tcp_push_pending_frames", "tcp_write_xmit", "ip_queue_xmit",
         "__ip_queue_xmit", "ip_finish_output2", "__dev_queue_xmit", "net_rx_action",
         "__napi_poll", "do_epoll_wait", "ep_poll", "schedule_hrtimeout_range",
         "page_fault", "exc_page_fault", "handle_mm_fault", "__handle_mm_fault",
         "do_anonymous_page", "clear_page_erms", "futex_wait", "do_futex"]
USYMS = ["main", "__libc_start_main", "ngx_master_process_cycle", "ngx_worker_process_cycle",
         "ngx_process_events_and_timers", "ngx_epoll_process_events", "ngx_http_process_request",
         "ngx_http_handler", "ngx_http_core_run_phases", "ngx_http_lua_content_handler",
         "lj_BC_FUNCC", "lua_pcall", "std::vector<int, std::allocator<int> >::push_back",
         "operator new(unsigned long)", "malloc", "_int_malloc", "memcpy", "__memmove_avx_unaligned",
         "read", "write", "epoll_wait", "pthread_cond_wait", "caf\u00e9_handler"]


def kframe(rnd, name):
    return " 0xffffffff8%07x : %s+0x%x/0x%x [kernel]" % (
        rnd.randrange(1 << 28), name, rnd.randrange(1, 0x400), rnd.randrange(0x400, 0x800))


def uframe(rnd, name):
    r = rnd.random()
    if r < 0.1:  # unresolved
        return " 0x7f%010x : 0x7f%010x [libc.so.6+0x%x/0x%x]" % (
            rnd.randrange(1 << 40), rnd.randrange(1 << 40), rnd.randrange(1 << 20), 0x1000)
    return " 0x%012x : %s+0x%x/0x%x [%s]" % (
        rnd.randrange(1 << 44), name, rnd.randrange(1, 0x400), rnd.randrange(0x400, 0x800),
        rnd.choice(("nginx", "libc.so.6", "libluajit-5.1.so.2")))


def make_stacks(rnd, count):
    """count distinct (ustack, kstack) pairs, leaf first, sharing prefixes."""
    ufr = [uframe(rnd, rnd.choice(USYMS)) for _ in range(400)]
    kfr = [kframe(rnd, rnd.choice(KSYMS)) for _ in range(300)]
    seen, out = set(), []
    while len(out) < count:
        # a root-first walk through a narrow tree: shared roots, varied leaves
        depth = rnd.randrange(3, 22)
        path = [ufr[min(int(rnd.expovariate(0.9)) + 3 * d, len(ufr) - 1)] for d in range(depth)]
        kdepth = rnd.randrange(0, 12)
        kpath = [kfr[min(int(rnd.expovariate(0.7)) + 4 * d, len(kfr) - 1)] for d in range(kdepth)]
        us = "\n".join(reversed(path))[:1990]
        ks = "\n".join(reversed(kpath))[:1990]
        if (us, ks) in seen:
            continue
        seen.add((us, ks))
        out.append((text_str(us), text_str(ks)))
    return out


def gen_stacks(rnd, limit, w, distinct=3000, block=2000):
    w("@stapgen\tsample_bt\t1\n")
    stacks = make_stacks(rnd, distinct)
    n, t = 0, 1700000000
    while n < limit:
        w("@report\tstacks\t%d\n" % t)
        t += 5
        for i in rnd.sample(range(distinct), min(block, distinct)):
            us, ks = stacks[i]
            line = "@stacks\t%s\t%s\t%d\n" % (us, ks, rnd.randrange(1, 1000))
            w(line)
            n += len(line)
        w("@report_end\tstacks\n")
    w("@end\n")


def gen_stacks20k(rnd, limit, w):
    w("@stapgen\tsample_bt\t1\n@report\tstacks\t1700000000\n")
    for us, ks in make_stacks(rnd, 20000):
        w("@stacks\t%s\t%s\t%d\n" % (us, ks, rnd.randrange(1, 100000)))
    w("@report_end\tstacks\n@end\n")


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    kind, mb, path = sys.argv[1], float(sys.argv[2]), sys.argv[3]
    gens = {"tcp_conn": gen_tcp_conn, "execve": gen_execve, "stacks": gen_stacks,
            "stacks20k": gen_stacks20k}
    if kind not in gens:
        sys.exit(__doc__)
    rnd = random.Random(20261128)
    with open(path, "w", encoding="ascii", newline="\n") as f:
        buf = []
        size = [0]

        def w(s):
            buf.append(s)
            size[0] += 1
            if size[0] >= 4096:
                f.write("".join(buf))
                buf.clear()
                size[0] = 0
        gens[kind](rnd, int(mb * 1e6), w)
        f.write("".join(buf))


if __name__ == "__main__":
    main()
