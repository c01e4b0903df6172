/*
 * The traced program of the end-to-end test (tests/e2e/run.sh).  Built with
 * -g -O0 so that work() exists as a real function with DWARF for its
 * parameters; stap probes process("<abs path>").function("work").
 *
 * The calls are fixed: run.sh's expectations list the same names and values.
 * With an argument it prints the calls as JSON-escaped expectations instead,
 * which is how expected.json was made (see docs/e2e.md).
 */
#include <stdio.h>
#include <string.h>

struct call {
	const char *name;
	int n;
};

/* Every byte class the output protocol must carry: TAB, newline, double
 * quote, backslash, UTF-8 (2- and 3-byte sequences), plus plain ASCII. */
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

int main(int argc, char **argv)
{
	char buf[64];

	(void)argv;
	for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
		if (argc > 1) {
			printf("%s\t%d\n", calls[i].name, calls[i].n);
			continue;
		}
		/* BPF probes cannot fault pages in: a string literal in a
		 * .rodata page the process has not touched yet reads as a
		 * copy fault.  A stack copy is resident. */
		snprintf(buf, sizeof buf, "%s", calls[i].name);
		work(buf, calls[i].n);
	}
	return 0;
}
