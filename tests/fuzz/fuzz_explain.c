/* libFuzzer harness: arbitrary bytes as stap's stderr for `stapgen
 * --explain` (issue 7, finding 4: it is untrusted input, like a spec).
 *
 * First byte: bit 0 clear: the rest is stap's stderr, explained with a fixed
 * source map whose entries point at a spec file (written once into a
 * temporary directory), at a missing file and at /dev/null; bit 0 set: the
 * rest is "MAP\0STDERR", the map taken from the input too (its spec paths
 * are whatever it names: only regular files within the spec limit are read).
 *
 * Invariants: the result is -1 or the number of errors shown (at most 51:
 * 50 shown, the 51st stops it); the output is bounded (51 errors of at most
 * a 64 KiB message and a 300-byte excerpt each) and holds no raw control
 * character but tab and newline, no C1 and no bidirectional control. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "explain/explain.h"

static char spec_path[64];

static const char spec_text[] =
	"tool: t\n"
	"summary: s\n"
	"probes:\n"
	"  - on: kernel.function(\"vfs_read\")\n"
	"    let:\n"
	"      port: '@cast(sk, \"sock\", \"kernel\")->__sk_commn->skc_num'\n"
	"    emit: { record: r, columns: { \xc3\xa9t\xc3\xa9: port } }\n";

static char spec_dir[32];

static void remove_spec(void)
{
	unlink(spec_path);
	rmdir(spec_dir);
}

static void make_spec(void)
{
	if (spec_path[0])
		return;
	char *dir = strcpy(spec_dir, "/tmp/fuzz_explain.XXXXXX");
	if (!mkdtemp(dir))
		abort();
	atexit(remove_spec);
	snprintf(spec_path, sizeof spec_path, "%s/t.yaml", dir);
	FILE *f = fopen(spec_path, "w");
	if (!f || fputs(spec_text, f) < 0 || fclose(f))
		abort();
}

/* a byte a terminal acts on: C0 but tab/newline, DEL, C1, bidi controls */
static int raw_control(const unsigned char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = s[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
			return 1;
		if (c == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
			return 1;
		if (c == 0xd8 && i + 1 < n && s[i + 1] == 0x9c)
			return 1;
		if (c == 0xe2 && i + 2 < n && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0x8e || s[i + 2] == 0x8f || (s[i + 2] >= 0xaa && s[i + 2] <= 0xae)))
			return 1;
		if (c == 0xe2 && i + 2 < n && s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)
			return 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char empty[1];
	make_spec();
	if (size == 0)
		return 0;
	char fixed_map[512];
	const char *map = fixed_map;
	size_t maplen;
	const uint8_t *err = data + 1;
	size_t errlen = size - 1;
	if (data[0] & 1) {
		const uint8_t *z = memchr(err, '\0', errlen);
		map = (const char *)err;
		maplen = z ? (size_t)(z - err) : errlen;
		err = z ? z + 1 : err + errlen;
		errlen = z ? errlen - maplen - 1 : 0;
	} else {
		maplen = (size_t)snprintf(fixed_map, sizeof fixed_map,
					  "4:5-4:40\t%s:4:9:33\n"
					  "27:9-27:58\t%s:6:14:49\n"
					  "27:20-27:30\t%s:6:20:8\n"
					  "30:1-31:1\t/nonexistent/x.yaml:1:1:1\n"
					  "40:1-41:1\t/dev/null:2:3:4\n",
					  spec_path, spec_path, spec_path);
	}
	FILE *in = fmemopen(errlen ? (void *)err : empty, errlen ? errlen : 1, "r");
	if (!in)
		abort();
	if (!errlen)
		(void)fgetc(in);
	char *out = NULL;
	size_t outlen = 0;
	FILE *o = open_memstream(&out, &outlen);
	if (!o)
		abort();
	int n = explain_stap_errors_map(map, maplen, "t.stp", in, o);
	fclose(o);
	fclose(in);
	if (n < -1 || n > 51) {
		fprintf(stderr, "fuzz_explain: result %d\n", n);
		abort();
	}
	if (outlen > 51u * (EXPLAIN_MAX_LINE * 5 + 4096)) {
		fprintf(stderr, "fuzz_explain: %zu bytes of output\n", outlen);
		abort();
	}
	if (raw_control((const unsigned char *)out, outlen)) {
		fprintf(stderr, "fuzz_explain: raw control character in the output:\n%s\n", out);
		abort();
	}
	free(out);
	return 0;
}
