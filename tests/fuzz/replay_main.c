/* A main() for the libFuzzer harnesses without libFuzzer: runs the fuzz
 * target once on each file named on the command line (as libFuzzer does
 * when given files), so regression inputs replay under any compiler, with
 * or without sanitizers, in `make check`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int main(int argc, char **argv)
{
	int rc = 0;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			rc = 2;
			continue;
		}
		size_t cap = 4096, n = 0;
		uint8_t *buf = malloc(cap);
		for (;;) {
			if (!buf) {
				fputs("replay: out of memory\n", stderr);
				return 2;
			}
			n += fread(buf + n, 1, cap - n, f);
			if (n < cap)
				break;
			uint8_t *nb = realloc(buf, cap * 2);
			if (!nb)
				free(buf);
			buf = nb;
			cap *= 2;
		}
		if (ferror(f)) {
			perror(argv[i]);
			rc = 2;
		} else {
			/* an exact-size copy, so a read past the end is caught */
			uint8_t *exact = malloc(n ? n : 1);
			if (!exact) {
				fputs("replay: out of memory\n", stderr);
				return 2;
			}
			memcpy(exact, buf, n);
			LLVMFuzzerTestOneInput(exact, n);
			free(exact);
		}
		free(buf);
		fclose(f);
	}
	return rc;
}
