/* libFuzzer harness: arbitrary bytes as the output of a stap script, read
 * with sg_reader and written with sg_writer, for a tool descriptor with an
 * event kind, a report row kind, a log2 and a linear histogram, and a stack
 * event and stack row kind (for the folded and SVG flame graph formats), and
 * an event kind with two IP address fields (SG_INET: IPv6 text rewritten).
 *
 * The first byte picks the format (bits 0-2: 0 table, 1 json, 2 csv,
 * 3 folded, 4 svg, 5-7 all five) and, with bit 3, a descriptor whose linear
 * histogram sits at the edges of int64 (as a spec with min/max near the
 * limits produces); with bit 4 instead the generated tcp_conn parser (its
 * golden copy, tests/golden/tools/tcp_conn_parser.c), whose reader and
 * writers of its own (stapgen_rt_kind.h) then run in sg_main's modes; the
 * rest is the input.
 *
 * Invariant: every input line is either delivered as a record or counted as
 * dropped; the only other dropped input is a report block's missing
 * @report_end, reported at a @report, @stapgen or @end or at the end of the
 * input (lines <= records + dropped <= lines + those records + 1).  The
 * reader says the run ended exactly when the last record was @end. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "stapgen_rt.h"
#include "stapgen_rt_int.h" /* sg_writer_reader: the modes sg_main sets */

/* tcp_conn_tool and tcp_conn_code, the per-kind code as generated */
#define STAPGEN_NO_MAIN
#include "../golden/tools/tcp_conn_parser.c"

static const sg_field conn_fields[] = {
	{ "comm", SG_STRING, "COMM", 16 },
	{ "pid", SG_LONG, "PID", 0 },
	{ "time", SG_TIME, "TIME", 0 },
};
static const sg_field top_fields[] = {
	{ "name", SG_STRING, NULL, 0 },
	{ "pid", SG_LONG, "PID", 6 },
	{ "kb", SG_LONG, "KB", 0 },
};
static const sg_field lat_fields[] = {
	{ "dev", SG_STRING, "DEV", 0 },
	{ "bucket", SG_LONG, NULL, 0 },
	{ "count", SG_LONG, NULL, 0 },
};
static const sg_field lin_fields[] = {
	{ "pid", SG_LONG, "PID", 0 },
	{ "bucket", SG_LONG, NULL, 0 },
	{ "count", SG_LONG, NULL, 0 },
};

static const sg_field smp_fields[] = {
	{ "ustack", SG_STACK, "USTACK", 0 },
	{ "kstack", SG_STACK, "KSTACK", 0 },
};
static const sg_field stk_fields[] = {
	{ "comm", SG_STRING, "COMM", 0 },
	{ "stack", SG_STACK, "STACK", 0 },
	{ "us", SG_LONG, "US", 0 },
	{ "n", SG_LONG, "N", 0 },
};

static const sg_field sock_fields[] = {
	{ "saddr", SG_INET, "SADDR", 39 },
	{ "port", SG_LONG, "PORT", 0 },
	{ "daddr", SG_INET, "DADDR", 0 },
};

static const sg_kind kinds[] = {
	{ "conn", SG_EVENT, conn_fields, 3, 0, 0, 0, NULL },
	{ "top", SG_ROW, top_fields, 3, 0, 0, 0, "top" },
	{ "lat", SG_HIST_LOG2, lat_fields, 3, 0, 0, 0, "latency" },
	{ "lin", SG_HIST_LINEAR, lin_fields, 3, 0, 100, 10, "sizes" },
	{ "smp", SG_EVENT, smp_fields, 2, 0, 0, 0, NULL },
	{ "stk", SG_ROW, stk_fields, 4, 0, 0, 0, "stacks" },
	{ "sock", SG_EVENT, sock_fields, 3, 0, 0, 0, NULL },
};
static const sg_kind kinds_edge[] = {
	{ "conn", SG_EVENT, conn_fields, 3, 0, 0, 0, NULL },
	{ "top", SG_ROW, top_fields, 3, 0, 0, 0, "top" },
	{ "lat", SG_HIST_LOG2, lat_fields, 3, 0, 0, 0, "latency" },
	{ "lin", SG_HIST_LINEAR, lin_fields, 3, LLONG_MIN + 1, LLONG_MAX,
	  (long long)(ULLONG_MAX / 1000), "sizes" },
	{ "smp", SG_EVENT, smp_fields, 2, 0, 0, 0, NULL },
	{ "stk", SG_ROW, stk_fields, 4, 0, 0, 0, "stacks" },
	{ "sock", SG_EVENT, sock_fields, 3, 0, 0, 0, NULL },
};
static const sg_tool tool = { "fuzz", "specs/fuzz.yaml", kinds, 7 };
static const sg_tool tool_edge = { "fuzz", "specs/fuzz.yaml", kinds_edge, 7 };

static FILE *devnull;

static void one(const uint8_t *data, size_t size, const sg_tool *t, const sg_kind_code *code,
		sg_format fmt)
{
	/* fmemopen refuses size 0 on some libcs: give it a byte it never reads */
	static char empty[1];
	FILE *in = fmemopen(size ? (void *)data : empty, size ? size : 1, "r");
	if (!in)
		abort();
	if (!size)
		(void)fgetc(in);
	sg_reader *r = sg_reader_new(in, "fuzz.out", t, devnull);
	sg_writer *w = sg_writer_new(devnull, t, fmt);
	if (!r || !w)
		abort();
	if (code) { /* as sg_main_code runs a generated parser */
		sg_writer_reader(w, r);
		sg_reader_code(r, code);
		sg_writer_code(w, code);
	}
	const sg_kind *k;
	const sg_value *v;
	unsigned long closers = 0;
	const sg_kind *last = NULL;
	while (sg_reader_next(r, &k, &v) == 1) {
		closers += k == &sg_kind_report || k == &sg_kind_stapgen || k == &sg_kind_end;
		last = k;
		sg_writer_record(w, k, v);
	}
	sg_writer_finish(w);
	unsigned long lines = 0;
	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (size && data[size - 1] != '\n')
		lines++;
	unsigned long got = sg_reader_records(r) + sg_reader_dropped(r);
	if (got < lines || got > lines + closers + 1) {
		fprintf(stderr, "fuzz_rt: %lu lines, %lu records + %lu dropped\n", lines,
			sg_reader_records(r), sg_reader_dropped(r));
		abort();
	}
	/* a run is complete exactly when its last record is @end */
	if (!sg_reader_ended(r) != (last != &sg_kind_end)) {
		fprintf(stderr, "fuzz_rt: ended %d, but the last record was %s\n", sg_reader_ended(r),
			last ? last->name : "none");
		abort();
	}
	if (sg_reader_error(r) || sg_writer_error(w)) {
		fprintf(stderr, "fuzz_rt: reader or writer error\n");
		abort();
	}
	sg_writer_free(w);
	sg_reader_free(r);
	fclose(in);
}

/* The same bytes as folded stacks: one graph, and (split in two) a
 * differential one; never an I/O or allocation error. */
static void folded(const uint8_t *data, size_t size, int inverted)
{
	static char empty[1];
	size_t half = size / 2;
	sg_svg_opts o = { .inverted = inverted, .normalize = inverted };
	FILE *a = fmemopen(size ? (void *)data : empty, size ? size : 1, "r");
	if (!a)
		abort();
	if (!size)
		(void)fgetc(a);
	if (sg_svg_folded(devnull, &o, a, "a", NULL, NULL, devnull) == 1)
		abort();
	fclose(a);
	if (half < 1)
		return;
	a = fmemopen((void *)data, half, "r");
	FILE *b = fmemopen((void *)(data + half), size - half, "r");
	if (!a || !b)
		abort();
	if (sg_svg_folded(devnull, &o, a, "a", b, "b", devnull) == 1)
		abort();
	fclose(a);
	fclose(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (!devnull && !(devnull = fopen("/dev/null", "w")))
		abort();
	const sg_tool *t = data[0] & 16 ? &tcp_conn_tool : data[0] & 8 ? &tool_edge : &tool;
	const sg_kind_code *code = data[0] & 16 ? tcp_conn_code : NULL;
	unsigned f = data[0] & 7;
	for (unsigned fmt = SG_FMT_TABLE; fmt <= SG_FMT_SVG; fmt++)
		if (f > SG_FMT_SVG || f == fmt)
			one(data + 1, size - 1, t, code, (sg_format)fmt);
	if (f >= SG_FMT_SVG)
		folded(data + 1, size - 1, data[0] & 8);
	return 0;
}
