/*
 * The traced program of the end-to-end test (tests/e2e/run.sh, docs/e2e.md).
 * Built with -g -O0 so that work() is a real function with DWARF for its
 * parameters; stap probes process("<absolute path>").function("work").
 *
 * The calls are fixed; tests/e2e/expected/ holds what the generated parsers
 * must make of them.  `target --list` prints them (name TAB n per line) for
 * a human reading a failure.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct call {
	const char *name;
	int n;
};

/* Every byte class the output protocol must carry: TAB, newline, double
 * quote, backslash, UTF-8 (2- and 3-byte sequences), the empty string, plain
 * ASCII.  The n are distinct (specs key by n) and not all in one bucket. */
static const struct call calls[] = {
	{ "plain", 1 },
	{ "tab\there", 2 },
	{ "new\nline", 3 },
	{ "say \"hi\"", 5 },
	{ "back\\slash", 8 },
	{ "caf\xc3\xa9 \xe2\x82\xac", 13 },
	{ "a\tb\nc\"d\\e\xc3\xa9", 21 },
	{ "", 0 },
	{ "big", 1000 },
	{ "plain", 100 },
};

volatile long sink;

__attribute__((noinline)) void work(const char *name, int n)
{
	sink += (long)strlen(name) + n;
}

static void nap(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

int main(int argc, char **argv)
{
	char buf[64];
	cpu_set_t one;
	int cpu;

	(void)argv;
	if (argc > 1) {
		for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++)
			printf("%s\t%d\n", calls[i].name, calls[i].n);
		return 0;
	}
	/* stapbpf reads one perf buffer per CPU: stay on one CPU so the
	 * per-call records arrive in call order. */
	cpu = sched_getcpu();
	if (cpu >= 0) {
		CPU_ZERO(&one);
		CPU_SET(cpu, &one);
		(void)sched_setaffinity(0, sizeof one, &one);
	}
	/* stapbpf -c (systemtap 4.8) resumes this process before it enables
	 * the probes and before it installs its SIGCHLD handler: calls made
	 * at once are lost, and an exit that early leaves stapbpf waiting
	 * forever.  Give it time on both ends. */
	nap(300);
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		/* BPF probes cannot fault pages in: a string literal on a
		 * .rodata page this process has not touched yet reads as a
		 * copy fault.  A stack copy is resident. */
		snprintf(buf, sizeof buf, "%s", calls[i].name);
		work(buf, calls[i].n);
	}
	nap(300);
	return 0;
}
