/* live-work: the workloads of the live tests, one subcommand each.
 *
 * Runs inside the QEMU guest (static, no libc of the guest needed).  Every
 * subcommand provokes a known number of kernel events and writes what it
 * did as key=value lines to $LIVE_FACTS, so the host can check a tool's
 * records against what really happened (pids, ports, byte counts).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/sdt.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "live-work";

static void die(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", prog);
	vfprintf(stderr, fmt, ap);
	if (errno)
		fprintf(stderr, ": %s", strerror(errno));
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

/* Facts are kept in memory and written at exit by a child process, so the
 * file write is not one of the workload's own events (rw_ratio, iotop and
 * topsys count this process's calls exactly). */
static char facts[8192];
static size_t nfacts;

static void flush_facts(void)
{
	const char *path = getenv("LIVE_FACTS");
	pid_t child;
	if (!nfacts)
		return;
	fflush(NULL);
	child = fork();
	if (child == 0) {
		int fd = path ? open(path, O_WRONLY | O_APPEND | O_CREAT, 0644) : 1;
		if (fd >= 0 && write(fd, facts, nfacts) != (ssize_t)nfacts)
			_exit(1);
		_exit(0);
	}
	if (child > 0)
		waitpid(child, NULL, 0);
	nfacts = 0;
}

static void fact(const char *key, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(facts + nfacts, sizeof facts - nfacts, "%s=", key);
	if (n > 0 && (size_t)n < sizeof facts - nfacts)
		nfacts += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(facts + nfacts, sizeof facts - nfacts, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof facts - nfacts - 1)
		nfacts += (size_t)n;
	facts[nfacts++] = '\n';
}

static long num(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || *end || end == s)
		die("not a number: '%s'", s);
	return v;
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int listener(int port, int backlog)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	if (fd < 0)
		die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0)
		die("listen on port %d", port);
	return fd;
}

static void write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write");
		buf += w;
		n -= (size_t)w;
	}
}

/* tcp [-s BYTES] [-w MS] PORT...: one loopback connection per port; the
 * client sends BYTES, the server waits MS before reading them. */
static int cmd_tcp(int argc, char **argv)
{
	long send = 0, wait_ms = 0;
	int i = 1;
	for (; i + 1 < argc && argv[i][0] == '-'; i += 2) {
		if (!strcmp(argv[i], "-s"))
			send = num(argv[i + 1]);
		else if (!strcmp(argv[i], "-w"))
			wait_ms = num(argv[i + 1]);
		else
			die("tcp: unknown option %s", argv[i]);
	}
	if (i >= argc)
		die("usage: tcp [-s BYTES] [-w MS] PORT...");
	fact("server_pid", "%d", getpid());
	for (int n = 0; i < argc; i++, n++) {
		int port = (int)num(argv[i]);
		int lfd = listener(port, 16);
		pid_t child = fork();
		if (child < 0)
			die("fork");
		if (child == 0) {
			int fd = socket(AF_INET, SOCK_STREAM, 0);
			struct sockaddr_in a = loopback(port);
			if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
				die("connect to port %d", port);
			char *buf = calloc(1, (size_t)send + 1);
			write_all(fd, buf, (size_t)send);
			shutdown(fd, SHUT_WR);
			char c;
			while (read(fd, &c, 1) > 0)
				;
			_exit(0);
		}
		struct sockaddr_in peer;
		socklen_t len = sizeof peer;
		int cfd = accept(lfd, (struct sockaddr *)&peer, &len);
		if (cfd < 0)
			die("accept");
		sleep_ms(wait_ms);
		char buf[65536];
		long got = 0;
		ssize_t r;
		while ((r = read(cfd, buf, sizeof buf)) > 0)
			got += r;
		close(cfd);
		close(lfd);
		waitpid(child, NULL, 0);
		char key[32];
		snprintf(key, sizeof key, "port%d", n);
		fact(key, "%d", port);
		snprintf(key, sizeof key, "client_pid%d", n);
		fact(key, "%d", (int)child);
		snprintf(key, sizeof key, "client_port%d", n);
		fact(key, "%d", ntohs(peer.sin_port));
		snprintf(key, sizeof key, "received%d", n);
		fact(key, "%ld", got);
	}
	return 0;
}

/* A dual-stack listener: AF_INET6 on [::] with IPV6_V6ONLY off (what nginx,
 * sshd and most daemons that bind [::] get), so IPv4 clients arrive as
 * IPv4-mapped peers (::ffff:127.0.0.1). */
static int listener6(int port, int backlog)
{
	int one = 1, off = 0, fd = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port),
				  .sin6_addr = IN6ADDR_ANY_INIT };
	if (fd < 0)
		die("socket(AF_INET6)");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof off) < 0)
		die("IPV6_V6ONLY");
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, backlog) < 0)
		die("listen on [::]:%d", port);
	return fd;
}

/* ::1 (mapped = 0) or ::ffff:127.0.0.1 (mapped = 1), port. */
static struct sockaddr_in6 loopback6(int port, int mapped)
{
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_port = htons((uint16_t)port) };
	if (mapped) {
		a.sin6_addr.s6_addr[10] = 0xff;
		a.sin6_addr.s6_addr[11] = 0xff;
		a.sin6_addr.s6_addr[12] = 127;
		a.sin6_addr.s6_addr[15] = 1;
	} else {
		a.sin6_addr = in6addr_loopback;
	}
	return a;
}

/* tcp6 PORT: a dual-stack listener on [::]:PORT accepts two connections,
 * the first from an IPv4 socket to 127.0.0.1 (its peer: ::ffff:127.0.0.1),
 * the second from an IPv6 socket to ::1. */
static int cmd_tcp6(int argc, char **argv)
{
	if (argc != 2)
		die("usage: tcp6 PORT");
	int port = (int)num(argv[1]);
	int lfd = listener6(port, 16);
	fact("server_pid", "%d", getpid());
	fact("port", "%d", port);
	for (int v6 = 0; v6 < 2; v6++) {
		int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a4 = loopback(port);
		struct sockaddr_in6 a6 = loopback6(port, 0);
		if (fd < 0)
			die("socket");
		if (v6 ? connect(fd, (struct sockaddr *)&a6, sizeof a6)
		       : connect(fd, (struct sockaddr *)&a4, sizeof a4))
			die("connect to %s port %d", v6 ? "::1" : "127.0.0.1", port);
		struct sockaddr_in6 peer;
		socklen_t len = sizeof peer;
		int cfd = accept(lfd, (struct sockaddr *)&peer, &len);
		if (cfd < 0)
			die("accept");
		if (peer.sin6_family != AF_INET6)
			die("accept: peer of family %d on an AF_INET6 listener", peer.sin6_family);
		char text[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, &peer.sin6_addr, text, sizeof text);
		fact(v6 ? "peer_v6" : "peer_v4", "%s", text);
		fact(v6 ? "client_port_v6" : "client_port_v4", "%d", ntohs(peer.sin6_port));
		close(cfd);
		close(fd);
	}
	close(lfd);
	return 0;
}

/* overflow [-6] PORT N: a listener with backlog 1 that never accepts, and N
 * clients: the accept queue overflows, the kernel drops their handshakes
 * and the clients retransmit their SYNs (after 1 s).  -6: the listener is
 * dual-stack on [::], the clients IPv6 sockets, to ::ffff:127.0.0.1 and
 * ::1 in turn. */
static int cmd_overflow(int argc, char **argv)
{
	int six = argc == 4 && !strcmp(argv[1], "-6");
	if (argc != 3 + six)
		die("usage: overflow [-6] PORT N");
	int port = (int)num(argv[1 + six]), n = (int)num(argv[2 + six]);
	int lfd = six ? listener6(port, 1) : listener(port, 1);
	int *fds = calloc((size_t)n, sizeof *fds);
	for (int i = 0; i < n; i++) {
		/* -6: IPv6 sockets, to ::ffff:127.0.0.1 (even i) and ::1 (odd i) */
		struct sockaddr_in a = loopback(port);
		struct sockaddr_in6 a6 = loopback6(port, i % 2 == 0);
		fds[i] = socket(six ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		if (fds[i] < 0)
			die("socket");
		if ((six ? connect(fds[i], (struct sockaddr *)&a6, sizeof a6)
			 : connect(fds[i], (struct sockaddr *)&a, sizeof a)) < 0 &&
		    errno != EINPROGRESS)
			die("connect");
		errno = 0;
	}
	sleep_ms(2500);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	close(lfd);
	fact("port", "%d", port);
	fact("clients", "%d", n);
	return 0;
}

/* write PATH BYTES BS: write a file in BS chunks, then read it back. */
static int cmd_write(int argc, char **argv)
{
	if (argc != 4)
		die("usage: write PATH BYTES BS");
	long bytes = num(argv[2]), bs = num(argv[3]), done = 0, calls = 0;
	char *buf = malloc((size_t)bs);
	memset(buf, 'x', (size_t)bs);
	int fd = open(argv[1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		die("open %s", argv[1]);
	for (; done < bytes; calls++) {
		long n = bytes - done < bs ? bytes - done : bs;
		write_all(fd, buf, (size_t)n);
		done += n;
	}
	close(fd);
	fd = open(argv[1], O_RDONLY);
	long got = 0, rcalls = 0;
	ssize_t r;
	while ((r = read(fd, buf, (size_t)bs)) > 0)
		got += r, rcalls++;
	close(fd);
	fact("read_calls", "%ld", rcalls + 1);
	fact("pid", "%d", getpid());
	fact("written", "%ld", done);
	fact("writes", "%ld", calls);
	fact("read", "%ld", got);
	fact("reads", "%ld", rcalls);
	return 0;
}

/* dio DEV COUNT BS: COUNT O_DIRECT writes of BS bytes, one at a time: one
 * block request each (O_SYNC would add a cache flush request per write). */
static int cmd_dio(int argc, char **argv)
{
	if (argc != 4)
		die("usage: dio DEV COUNT BS");
	long count = num(argv[2]), bs = num(argv[3]);
	void *buf;
	if (posix_memalign(&buf, 4096, (size_t)bs))
		die("posix_memalign");
	memset(buf, 0x5a, (size_t)bs);
	int fd = open(argv[1], O_RDWR | O_DIRECT);
	if (fd < 0)
		die("open %s", argv[1]);
	for (long i = 0; i < count; i++)
		if (pwrite(fd, buf, (size_t)bs, i * bs) != bs)
			die("pwrite");
	close(fd);
	fact("pid", "%d", getpid());
	fact("ios", "%ld", count);
	fact("bytes", "%ld", count * bs);
	return 0;
}

/* exec PATH ARG...: run PATH with exactly these arguments (argv[0] = PATH). */
static int cmd_exec(int argc, char **argv)
{
	if (argc < 2)
		die("usage: exec PATH [ARG...]");
	fact("parent_pid", "%d", getpid());
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		execv(argv[1], argv + 1);
		die("exec %s", argv[1]);
	}
	int st;
	waitpid(child, &st, 0);
	fact("child_pid", "%d", (int)child);
	return 0;
}

/* udp-drop PORT N: N datagrams to a loopback port nobody listens on. */
static int cmd_udp_drop(int argc, char **argv)
{
	if (argc != 3)
		die("usage: udp-drop PORT N");
	int port = (int)num(argv[1]), n = (int)num(argv[2]);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(port);
	for (int i = 0; i < n; i++)
		if (sendto(fd, "drop", 4, 0, (struct sockaddr *)&a, sizeof a) != 4)
			die("sendto");
	sleep_ms(200);
	fact("sent", "%d", n);
	return 0;
}

/* read-zero MS: on CPU in the kernel (read(2) of /dev/zero) for MS. */
static int cmd_read_zero(int argc, char **argv)
{
	if (argc != 2)
		die("usage: read-zero MS");
	long ms = num(argv[1]), calls = 0;
	static char buf[1 << 16];
	int fd = open("/dev/zero", O_RDONLY);
	double end = now_ms() + (double)ms;
	while (now_ms() < end)
		if (read(fd, buf, sizeof buf) > 0)
			calls++;
	fact("pid", "%d", getpid());
	fact("calls", "%ld", calls);
	return 0;
}

/* naps N MS: off CPU, N sleeps of MS each. */
static int cmd_naps(int argc, char **argv)
{
	if (argc != 3)
		die("usage: naps N MS");
	long n = num(argv[1]), ms = num(argv[2]);
	for (long i = 0; i < n; i++)
		sleep_ms(ms);
	fact("pid", "%d", getpid());
	fact("naps", "%ld", n);
	return 0;
}

/* ucalls N MS: the user-space probes' workload.  live_work_nap() is called
 * N times and sleeps MS each time; noinline and external, so it is one
 * symbol a uprobe finds by name.  Each call fires the SDT markers
 * live_work:nap__start(i, ms, "nap") and live_work:nap__done(i). */
__attribute__((noinline)) long live_work_nap(long i, long ms)
{
	const char *what = "nap";
	DTRACE_PROBE3(live_work, nap__start, i, ms, what);
	sleep_ms(ms);
	DTRACE_PROBE1(live_work, nap__done, i);
	__asm__ volatile("" ::: "memory");	/* keep the call and its return */
	return i;
}

static int cmd_ucalls(int argc, char **argv)
{
	if (argc != 3)
		die("usage: ucalls N MS");
	long n = num(argv[1]), ms = num(argv[2]), sum = 0;
	for (long i = 0; i < n; i++)
		sum += live_work_nap(i, ms);
	fact("pid", "%d", getpid());
	fact("ucalls", "%ld", n);
	fact("usum", "%ld", sum);
	return 0;
}

/* ufuncs N MS M: live_work_nap() N times (MS each), then live_work_tick()
 * M times: two functions of known call counts for ucalls. */
__attribute__((noinline)) long live_work_tick(long i)
{
	__asm__ volatile("" ::: "memory");	/* keep the call and its return */
	return i + 1;
}

static int cmd_ufuncs(int argc, char **argv)
{
	if (argc != 4)
		die("usage: ufuncs N MS M");
	long n = num(argv[1]), ms = num(argv[2]), m = num(argv[3]), sum = 0;
	for (long i = 0; i < n; i++)
		sum += live_work_nap(i, ms);
	for (long i = 0; i < m; i++)
		sum += live_work_tick(i);
	fact("pid", "%d", getpid());
	fact("usum", "%ld", sum);
	return 0;
}

/* malloc K S L: K malloc(S) (each written to), then all but L of them
 * freed: L blocks of S bytes outstanding at exit.  The pointers live in a
 * global, so the compiler cannot pair a malloc with its free away. */
static void *blocks[4096];

static int cmd_malloc(int argc, char **argv)
{
	if (argc != 4)
		die("usage: malloc K S L");
	long k = num(argv[1]), size = num(argv[2]), l = num(argv[3]);
	if (k > (long)(sizeof blocks / sizeof blocks[0]) || l > k)
		die("malloc: K at most %zu, L at most K", sizeof blocks / sizeof blocks[0]);
	for (long i = 0; i < k; i++) {
		blocks[i] = malloc((size_t)size);
		if (!blocks[i])
			die("malloc: out of memory");
		memset(blocks[i], (int)i, (size_t)size);
	}
	for (long i = l; i < k; i++)
		free(blocks[i]);
	fact("pid", "%d", getpid());
	fact("allocs", "%ld", k);
	fact("leaked", "%ld", l);
	return 0;
}

/* syscalls N: N getppid(2) calls, in bursts of 500 with a rest after each
 * twice as long as the burst took.  A tool probing every system call spends
 * most of an unbroken getppid loop in its handlers; under QEMU's software
 * emulation the loop lasts long enough for stap's overload check (handlers
 * over half of 10^9 cycles) to stop the tool (CI saw it on 7.2).  Resting
 * keeps any handler below a third of the CPU on any machine speed, and the
 * tool under test keeps stap's protection, as users run it. */
static int cmd_syscalls(int argc, char **argv)
{
	if (argc != 2)
		die("usage: syscalls N");
	long n = num(argv[1]);
	for (long i = 0; i < n;) {
		double t0 = now_ms();
		for (long b = 0; b < 500 && i < n; b++, i++)
			syscall(SYS_getppid);
		long long rest_ns = (long long)((now_ms() - t0) * 2e6);
		struct timespec ts = { (time_t)(rest_ns / 1000000000), (long)(rest_ns % 1000000000) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	fact("pid", "%d", getpid());
	fact("calls", "%ld", n);
	return 0;
}

/* faults PAGES: touch PAGES fresh anonymous pages (one fault each). */
static int cmd_faults(int argc, char **argv)
{
	if (argc != 2)
		die("usage: faults PAGES");
	long pages = num(argv[1]), ps = sysconf(_SC_PAGESIZE);
	volatile char *p = mmap(NULL, (size_t)(pages * ps), PROT_READ | PROT_WRITE,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		die("mmap");
	madvise((void *)p, (size_t)(pages * ps), MADV_NOHUGEPAGE);
	for (long i = 0; i < pages; i++)
		p[i * ps] = 1;
	fact("pid", "%d", getpid());
	fact("pages", "%ld", pages);
	return 0;
}

/* slow-read MS: one read(2) of a pipe that blocks for MS. */
static int cmd_slow_read(int argc, char **argv)
{
	if (argc != 2)
		die("usage: slow-read MS");
	long ms = num(argv[1]);
	int p[2];
	if (pipe(p) < 0)
		die("pipe");
	pid_t child = fork();
	if (child == 0) {
		sleep_ms(ms);
		write_all(p[1], "done", 4);
		_exit(0);
	}
	char buf[8];
	double t0 = now_ms();
	ssize_t r = read(p[0], buf, sizeof buf);
	double took = now_ms() - t0;
	waitpid(child, NULL, 0);
	fact("pid", "%d", getpid());
	fact("bytes", "%zd", r);
	fact("took_ms", "%.0f", took);
	return 0;
}

static long spin_ms;
static void *spin(void *arg)
{
	volatile unsigned long x = 0;
	double end = now_ms() + (double)spin_ms;
	while (now_ms() < end)
		for (int i = 0; i < 10000; i++)
			x += (unsigned long)i;
	return arg;
}

/* threads N MS: N threads each on CPU (user space) for MS. */
static int cmd_threads(int argc, char **argv)
{
	if (argc != 3)
		die("usage: threads N MS");
	int n = (int)num(argv[1]);
	spin_ms = num(argv[2]);
	pthread_t *t = calloc((size_t)n, sizeof *t);
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	fact("pid", "%d", getpid());
	fact("threads", "%d", n);
	return 0;
}

/* bench-io SECONDS: 4 KiB write + read back at the same offset, as many
 * times as fit in SECONDS (ops = pairs done). */
static int cmd_bench_io(int argc, char **argv)
{
	if (argc != 2)
		die("usage: bench-io SECONDS");
	double end = now_ms() + 1000.0 * (double)num(argv[1]);
	static char buf[4096];
	int fd = open("bench-io.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
	long ops = 0;
	if (fd < 0)
		die("open");
	while (now_ms() < end) {
		for (int i = 0; i < 64; i++, ops++)
			if (pwrite(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf ||
			    pread(fd, buf, sizeof buf, 0) != (ssize_t)sizeof buf)
				die("pwrite/pread");
	}
	close(fd);
	fact("pid", "%d", getpid());
	fact("ops", "%ld", ops);
	return 0;
}

/* bench-ufuncs SECONDS: live_work_tick() as many times as fit in SECONDS
 * (ops = calls): one uprobe and one uretprobe hit per op under ucalls. */
static int cmd_bench_ufuncs(int argc, char **argv)
{
	if (argc != 2)
		die("usage: bench-ufuncs SECONDS");
	double end = now_ms() + 1000.0 * (double)num(argv[1]);
	long ops = 0, sum = 0;
	while (now_ms() < end)
		for (int i = 0; i < 64; i++, ops++)
			sum += live_work_tick(i);
	fact("pid", "%d", getpid());
	fact("ops", "%ld", ops);
	fact("usum", "%ld", sum);
	return 0;
}

/* bench-malloc SECONDS: malloc(64) and its free, as many pairs as fit in
 * SECONDS (ops = pairs): under umalloc three probe hits per op (malloc's
 * entry and return, free's entry). */
static int cmd_bench_malloc(int argc, char **argv)
{
	if (argc != 2)
		die("usage: bench-malloc SECONDS");
	double end = now_ms() + 1000.0 * (double)num(argv[1]);
	long ops = 0;
	while (now_ms() < end)
		for (int i = 0; i < 64; i++, ops++) {
			blocks[0] = malloc(64);
			if (!blocks[0])
				die("malloc: out of memory");
			free(blocks[0]);
		}
	fact("pid", "%d", getpid());
	fact("ops", "%ld", ops);
	return 0;
}

/* bench-tcp PORT SECONDS: bytes through one loopback connection in 1 KiB
 * writes (TCP_NODELAY: many small segments), for SECONDS (ops = bytes). */
static int cmd_bench_tcp(int argc, char **argv)
{
	if (argc != 3)
		die("usage: bench-tcp PORT SECONDS");
	int port = (int)num(argv[1]);
	long secs = num(argv[2]);
	int lfd = listener(port, 4);
	pid_t child = fork();
	if (child == 0) {
		int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = loopback(port);
		if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
			die("connect");
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		static char buf[1024];
		double end = now_ms() + 1000.0 * (double)secs;
		while (now_ms() < end)
			write_all(fd, buf, sizeof buf);
		_exit(0);
	}
	int cfd = accept(lfd, NULL, NULL);
	if (cfd < 0)
		die("accept");
	static char buf[65536];
	long bytes = 0;
	ssize_t r;
	while ((r = read(cfd, buf, sizeof buf)) > 0)
		bytes += r;
	waitpid(child, NULL, 0);
	fact("pid", "%d", getpid());
	fact("ops", "%ld", bytes);
	return 0;
}

/* Reads exactly n bytes (a short read is a TCP segment boundary, not the
 * end); 0 at EOF. */
static int read_full(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t r = read(fd, buf + got, n - got);
		if (r <= 0)
			return 0;
		got += (size_t)r;
	}
	return 1;
}

/* bench-pingpong PORT SECONDS: round trips over one loopback connection:
 * 64 bytes to PORT, 64 bytes back, for SECONDS (ops = round trips).  Each
 * op is the same fixed set of events (two data segments, one each way, two
 * reads, two writes), which bytes through a stream are not: how a stream
 * coalesces into segments depends on timing, so its count per byte varies
 * with whatever slows the sender, a tool included. */
static int cmd_bench_pingpong(int argc, char **argv)
{
	if (argc != 3)
		die("usage: bench-pingpong PORT SECONDS");
	int port = (int)num(argv[1]);
	long secs = num(argv[2]);
	int lfd = listener(port, 4);
	pid_t child = fork();
	if (child == 0) {	/* the server side: echo every 64 bytes */
		int one = 1, cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			die("accept");
		setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		char buf[64];
		while (read_full(cfd, buf, sizeof buf))
			write_all(cfd, buf, sizeof buf);
		_exit(0);
	}
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(port);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) < 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	char buf[64] = { 0 };
	long trips = 0;
	double end = now_ms() + 1000.0 * (double)secs;
	while (now_ms() < end) {
		write_all(fd, buf, sizeof buf);
		if (!read_full(fd, buf, sizeof buf))
			die("bench-pingpong: the echo side closed");
		trips++;
	}
	close(fd);
	waitpid(child, NULL, 0);
	fact("pid", "%d", getpid());
	fact("ops", "%ld", trips);
	return 0;
}

static const struct {
	const char *name;
	int (*fn)(int, char **);
} cmds[] = {
	{ "tcp", cmd_tcp },	      { "tcp6", cmd_tcp6 },	      { "overflow", cmd_overflow },   { "write", cmd_write },
	{ "dio", cmd_dio },	      { "exec", cmd_exec },	      { "udp-drop", cmd_udp_drop },
	{ "read-zero", cmd_read_zero }, { "naps", cmd_naps },	      { "syscalls", cmd_syscalls },
	{ "faults", cmd_faults },     { "slow-read", cmd_slow_read }, { "threads", cmd_threads },
	{ "bench-io", cmd_bench_io }, { "bench-tcp", cmd_bench_tcp }, { "ucalls", cmd_ucalls },
	{ "ufuncs", cmd_ufuncs },     { "malloc", cmd_malloc },	      { "bench-ufuncs", cmd_bench_ufuncs },
	{ "bench-malloc", cmd_bench_malloc }, { "bench-pingpong", cmd_bench_pingpong },
};

/* stap 4.8's stapio can drop what the module printed in its reader's last
 * poll interval (200 ms) when the `staprun -c` command exits: the tail of
 * the output and the end report go with it (docs/live.md, "Cut-off
 * output").  Under staprun -c the harness sets LIVE_LINGER_MS, and the
 * workload stays that long after its last event. */
static void linger(void)
{
	const char *ms = getenv("LIVE_LINGER_MS");
	if (ms && *ms)
		sleep_ms(num(ms));
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s COMMAND [ARG...]\ncommands:", prog);
		for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
			fprintf(stderr, " %s", cmds[i].name);
		fputc('\n', stderr);
		return 2;
	}
	atexit(linger);		/* runs last: after the facts are written */
	atexit(flush_facts);
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (!strcmp(argv[1], cmds[i].name))
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "%s: unknown command '%s'\n", prog, argv[1]);
	return 2;
}
