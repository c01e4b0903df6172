/* Unit tests of the parser runtime (templates/parser/stapgen_rt*.[ch]),
 * linked with it; stapgen_rt_int.h gives the internals tested here. */
#include "../../templates/parser/stapgen_rt_int.h"
#include "../../templates/parser/stapgen_rt.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <ctype.h>
#include <string.h>
#include <time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include <arpa/inet.h>

#include <cmocka.h>

/* ---- a hand-written tool descriptor --------------------------------------- */

static const sg_field conn_fields[] = {
    {"pid", SG_LONG, "PID", 6},
    {"comm", SG_STRING, "COMM", 0},
};
static const sg_field top_fields[] = {
    {"comm", SG_STRING, "COMM", 0},
    {"pid", SG_LONG, "PID", 0},
    {"bytes", SG_LONG, "BYTES", 0},
    {"last", SG_TIME, "LAST", 0},
};
static const sg_field lat_fields[] = {
    {"comm", SG_STRING, "comm", 0},
    {"bucket", SG_LONG, "usecs", 0}, /* the unit word, as stapgen titles a us histogram */
    {"count", SG_LONG, NULL, 0},
};
static const sg_field sz_fields[] = {
    {"bucket", SG_LONG, NULL, 0},
    {"count", SG_LONG, NULL, 0},
};
static const sg_kind t_kinds[] = {
    {"conn", SG_EVENT, conn_fields, 2, 0, 0, 0, NULL},
    {"top", SG_ROW, top_fields, 4, 0, 0, 0, "summary"},
    {"lat", SG_HIST_LOG2, lat_fields, 3, 0, 0, 0, "summary"},
    {"sz", SG_HIST_LINEAR, sz_fields, 2, 0, 100, 10, "summary"},
};
static const sg_tool t_tool = {"tcp_conn", "specs/net/tcp_conn.yaml", t_kinds, 4};
/* t_tool's one CSV header: kind, report and ts (it has reports), then the
 * union of its kinds' columns in order of first appearance: conn's pid and
 * comm, top's bytes and last (its comm and pid are conn's), the buckets'
 * low, high and count.  A cell a kind lacks is empty. */
#define T_CSV_HEAD "kind,report,ts,pid,comm,bytes,last,low,high,count\r\n"

/* a second tool with two event kinds (table gets a KIND column) */
static const sg_field call_fields[] = {
    {"ts", SG_TIME, "TIME", 0},
    {"func", SG_STRING, "FUNC", 0},
};
static const sg_field ret_fields[] = {
    {"func", SG_STRING, "FUNC", 0},
    {"ret", SG_LONG, "RET", 4},
};
static const sg_kind t2_kinds[] = {
    {"call", SG_EVENT, call_fields, 2, 0, 0, 0, NULL},
    {"return", SG_EVENT, ret_fields, 2, 0, 0, 0, NULL},
};
static const sg_tool t2_tool = {"trace_func", NULL, t2_kinds, 2};

/* ---- helpers -------------------------------------------------------------- */

typedef struct run_t {
    char *out, *err;
    size_t outlen, errlen;
    unsigned long dropped, records;
} run_t;

static FILE *open_input(const char *in, size_t len)
{
    FILE *f;
    if (len)
        return fmemopen((void *)(uintptr_t)in, len, "r");
    f = tmpfile();
    return f;
}

static void run_tool(const sg_tool *tool, const char *in, size_t len, sg_format fmt, run_t *r)
{
    FILE *fi = open_input(in, len), *fo, *fe;
    sg_reader *rd;
    sg_writer *w;
    const sg_kind *k;
    const sg_value *v;
    memset(r, 0, sizeof *r);
    assert_non_null(fi);
    fo = open_memstream(&r->out, &r->outlen);
    fe = open_memstream(&r->err, &r->errlen);
    assert_non_null(fo);
    assert_non_null(fe);
    rd = sg_reader_new(fi, "in", tool, fe);
    w = sg_writer_new(fo, tool, fmt);
    assert_non_null(rd);
    assert_non_null(w);
    while (sg_reader_next(rd, &k, &v))
        sg_writer_record(w, k, v);
    sg_writer_finish(w);
    assert_int_equal(sg_writer_error(w), 0);
    assert_int_equal(sg_reader_error(rd), 0);
    r->dropped = sg_reader_dropped(rd);
    r->records = sg_reader_records(rd);
    sg_writer_free(w);
    sg_reader_free(rd);
    fclose(fi);
    fclose(fo);
    fclose(fe);
}

static void run_n(const char *in, size_t len, sg_format fmt, run_t *r)
{
    run_tool(&t_tool, in, len, fmt, r);
}

static void run(const char *in, sg_format fmt, run_t *r) { run_n(in, strlen(in), fmt, r); }

static void run_free(run_t *r)
{
    free(r->out);
    free(r->err);
}

/* Runs and checks output, stderr and the dropped count. */
static void expect(const char *in, sg_format fmt, const char *out, const char *err,
                   unsigned long dropped)
{
    run_t r;
    run(in, fmt, &r);
    assert_string_equal(r.out, out);
    assert_string_equal(r.err, err);
    assert_int_equal(r.dropped, dropped);
    run_free(&r);
}

static int setup_tz(void **state)
{
    (void)state;
    setenv("TZ", "UTC", 1);
    tzset();
    return 0;
}

/* ---- events --------------------------------------------------------------- */

static const char EVENTS[] = "@stapgen\ttcp_conn\t1\n"
                             "@conn\t12\tbash\n"
                             "@conn\t345678\tsshd\n"
                             "@conn\t-1\t\n"
                             "@end\n";

static void test_events_table(void **state)
{
    (void)state;
    expect(EVENTS, SG_FMT_TABLE,
           "   PID  COMM\n"
           "    12  bash\n"
           "345678  sshd\n"
           "    -1  \n",
           "", 0);
}

static void test_events_json(void **state)
{
    (void)state;
    expect(EVENTS, SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":12,\"comm\":\"bash\"}\n"
           "{\"kind\":\"conn\",\"pid\":345678,\"comm\":\"sshd\"}\n"
           "{\"kind\":\"conn\",\"pid\":-1,\"comm\":\"\"}\n",
           "", 0);
}

static void test_events_csv(void **state)
{
    (void)state;
    expect(EVENTS, SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,12,bash,,,,,\r\n"
           "conn,,,345678,sshd,,,,,\r\n"
           "conn,,,-1,,,,,,\r\n",
           "", 0);
}

static void test_records_count(void **state)
{
    run_t r;
    (void)state;
    run(EVENTS, SG_FMT_JSON, &r);
    assert_int_equal(r.records, 5); /* stapgen, 3 x conn, end */
    assert_int_equal(r.dropped, 0);
    run_free(&r);
}

/* The command name with a TAB and a newline from the brief. */
static void test_tab_newline_roundtrip(void **state)
{
    (void)state;
    expect("@conn\t1\tba\\tsh\\nx\n", SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"ba\\tsh\\nx\"}\n", "", 0);
    expect("@conn\t1\tba\\tsh\\nx\n", SG_FMT_TABLE,
           "   PID  COMM\n"
           "     1  ba\\tsh\\nx\n",
           "", 0);
    expect("@conn\t1\tba\\tsh\\nx\n", SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,1,\"ba\tsh\nx\",,,,,\r\n",
           "", 0);
}

/* Every text_str() escape, decoded byte-exactly through the reader API. */
static void test_unescape_values(void **state)
{
    static const char in[] = "@conn\t7\t\\a\\b\\f\\n\\r\\t\\v\\\"\\\\\\000\\101\\377"
                             "\\u00e9\\u20AC\\U0001F600\\u0000\"'?\n";
    static const char want[] = "\a\b\f\n\r\t\v\"\\\0A\377"
                               "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\0\"'?";
    FILE *f = fmemopen((void *)(uintptr_t)in, sizeof in - 1, "r");
    sg_reader *rd;
    const sg_kind *k = NULL;
    const sg_value *v = NULL;
    (void)state;
    assert_non_null(f);
    rd = sg_reader_new(f, "in", &t_tool, stderr);
    assert_non_null(rd);
    assert_int_equal(sg_reader_next(rd, &k, &v), 1);
    assert_ptr_equal(k, &t_kinds[0]);
    assert_int_equal(v[0].l, 7);
    assert_null(v[0].s);
    assert_int_equal(v[1].slen, sizeof want - 1);
    assert_memory_equal(v[1].s, want, sizeof want - 1);
    assert_int_equal(v[1].s[v[1].slen], '\0');
    assert_int_equal(sg_reader_next(rd, &k, &v), 0);
    assert_int_equal(sg_reader_dropped(rd), 0);
    sg_reader_free(rd);
    fclose(f);
}

/* Output is always valid JSON: controls, DEL, NUL, invalid UTF-8. */
static void test_json_escaping(void **state)
{
    (void)state;
    expect("@conn\t1\t\\001\\037\\177\\000x\\\"\\\\/\\u00e9\\303\\050\\355\\240\\200\\360\n",
           SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":1,\"comm\":"
           "\"\\u0001\\u001f\\u007f\\u0000x\\\"\\\\/\xc3\xa9\\ufffd(\\ufffd\\ufffd\\ufffd"
           "\\ufffd\",\"comm.hex\":\"011f7f0078225c2fc3a9c328eda080f0\"}\n",
           "", 0);
    /* the byte \377 and the character U+00FF (\303\277) are told apart: the
     * first is U+FFFD with the bytes in "comm.hex", the second exact */
    expect("@conn\t1\ta\\377\n@conn\t2\ta\\303\\277\n@conn\t3\t\\357\\277\\275\n", SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"a\\ufffd\",\"comm.hex\":\"61ff\"}\n"
           "{\"kind\":\"conn\",\"pid\":2,\"comm\":\"a\xc3\xbf\"}\n"
           "{\"kind\":\"conn\",\"pid\":3,\"comm\":\"\xef\xbf\xbd\"}\n",
           "", 0);
    /* rows in a report block (another path) */
    expect("@report\tsummary\t7\n@top\t\\200x\t1\t2\t0\n@top\tok\t1\t2\t0\n@report_end\tsummary\n",
           SG_FMT_JSON,
           "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":7,"
           "\"comm\":\"\\ufffdx\",\"comm.hex\":\"8078\",\"pid\":1,\"bytes\":2,\"last\":0}\n"
           "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":7,"
           "\"comm\":\"ok\",\"pid\":1,\"bytes\":2,\"last\":0}\n",
           "", 0);
    /* C1 controls and line/paragraph separators are escaped, other UTF-8 kept */
    expect("@conn\t1\t\\u0085\\u2028\\u2029\\u00a0\\U0010FFFF\n", SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"\\u0085\\u2028\\u2029\xc2\xa0\xf4\x8f\xbf\xbf\"}\n",
           "", 0);
    expect("@conn\t1\t\\u0085\\u2028\\u00a0|\n", SG_FMT_TABLE,
           "   PID  COMM\n"
           "     1  \\302\\205\\342\\200\\250\xc2\xa0|\n",
           "", 0);
}

/* Table: unprintable bytes C-escaped, valid UTF-8 kept, widths in code points. */
static void test_table_string_rendering(void **state)
{
    (void)state;
    expect("@report\tsummary\t0\n"
           "@top\t\\u00e9t\\u00e9\t1\t2\t0\n"
           "@top\t\\001\\377\\302\\205\\\\\t3\t4\t0\n"
           "@report_end\tsummary\n",
           SG_FMT_TABLE,
           "== summary 1970-01-01 00:00:00 ==\n"
           "COMM                PID  BYTES  LAST\n"
           "\xc3\xa9t\xc3\xa9                   1      2  1970-01-01 00:00:00\n"
           "\\001\\377\\302\\205\\\\    3      4  1970-01-01 00:00:00\n"
           "\n",
           "", 0);
}

static void test_csv_quoting(void **state)
{
    (void)state;
    expect("@conn\t1\ta,\\\"b\\\"\n@conn\t2\tx\\ry\n@conn\t3\tplain \\\"q\n", SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,1,\"a,\"\"b\"\"\",,,,,\r\n"
           "conn,,,2,\"x\ry\",,,,,\r\n"
           "conn,,,3,\"plain \"\"q\",,,,,\r\n",
           "", 0);
}

/* ---- report rows ---------------------------------------------------------- */

static const char ROWS[] = "@stapgen\ttcp_conn\t1\n"
                           "@report\tsummary\t1700000000\n"
                           "@top\tbash\t12\t4096\t1700000000\n"
                           "@top\tsshd\t345\t10\t1699999999\n"
                           "@report_end\tsummary\n"
                           "@report\tsummary\t1700000005\n"
                           "@report_end\tsummary\n"
                           "@end\n";

static void test_rows_table(void **state)
{
    (void)state;
    expect(ROWS, SG_FMT_TABLE,
           "== summary 2023-11-14 22:13:20 ==\n"
           "COMM  PID  BYTES  LAST\n"
           "bash   12   4096  2023-11-14 22:13:20\n"
           "sshd  345     10  2023-11-14 22:13:19\n"
           "\n"
           "== summary 2023-11-14 22:13:25 ==\n"
           "\n",
           "", 0);
}

static void test_rows_json(void **state)
{
    (void)state;
    expect(ROWS, SG_FMT_JSON,
           "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":1700000000,\"comm\":\"bash\",\"pid\":12,"
           "\"bytes\":4096,\"last\":1700000000}\n"
           "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":1700000000,\"comm\":\"sshd\",\"pid\":345,"
           "\"bytes\":10,\"last\":1699999999}\n",
           "", 0);
}

static void test_rows_csv(void **state)
{
    (void)state;
    expect(ROWS, SG_FMT_CSV,
           T_CSV_HEAD
           "top,summary,1700000000,12,bash,4096,1700000000,,,\r\n"
           "top,summary,1700000000,345,sshd,10,1699999999,,,\r\n",
           "", 0);
}

/* The table's time rendering follows TZ; JSON does not. */
static void test_rows_timezone(void **state)
{
    run_t r;
    (void)state;
    setenv("TZ", "UTC-2", 1); /* POSIX TZ: two hours east of UTC */
    tzset();
    run(ROWS, SG_FMT_TABLE, &r);
    assert_non_null(strstr(r.out, "== summary 2023-11-15 00:13:20 ==\n"));
    assert_non_null(strstr(r.out, "bash   12   4096  2023-11-15 00:13:20\n"));
    run_free(&r);
    run(ROWS, SG_FMT_JSON, &r);
    assert_non_null(strstr(r.out, "\"ts\":1700000000"));
    run_free(&r);
    setup_tz(NULL);
}

/* Events interleaved with report blocks: header again after a block. */
static void test_events_and_blocks_table(void **state)
{
    (void)state;
    expect("@conn\t1\ta\n"
           "@report\tsummary\t0\n"
           "@conn\t2\tb\n" /* an event inside a block streams immediately */
           "@top\tc\t3\t4\t0\n"
           "@report_end\tsummary\n"
           "@conn\t5\td\n",
           SG_FMT_TABLE,
           "   PID  COMM\n"
           "     1  a\n"
           "     2  b\n"
           "\n"
           "== summary 1970-01-01 00:00:00 ==\n"
           "COMM  PID  BYTES  LAST\n"
           "c       3      4  1970-01-01 00:00:00\n"
           "\n"
           "   PID  COMM\n"
           "     5  d\n",
           "", 0);
}

/* Report framing (issue 7, finding 6): rows and buckets outside a block of
 * their report, a @report inside an open block, a stray @report_end and a
 * block cut short are reported as dropped input (exit 3); the records of
 * an unterminated block are still delivered. */
static void test_report_framing(void **state)
{
    (void)state;
    /* a row and a bucket before any @report: dropped */
    expect("@top\tc\t3\t4\t5\n@lat\tx\t1\t1\n@report\tsummary\t0\n@report_end\tsummary\n",
           SG_FMT_JSON, "",
           "in:1: dropped: @top: a row of report \"summary\" outside @report ... @report_end\n"
           "in:2: dropped: @lat: a histogram bucket of report \"summary\" outside @report ... "
           "@report_end\n",
           2);
    /* a row after the block ended */
    expect("@report\tsummary\t0\n@report_end\tsummary\n@top\tc\t3\t4\t5\n", SG_FMT_JSON, "",
           "in:3: dropped: @top: a row of report \"summary\" outside @report ... @report_end\n", 1);
    /* a row inside another report's block */
    expect("@report\tother\t0\n@top\tc\t3\t4\t5\n@report_end\tother\n", SG_FMT_JSON, "",
           "in:2: dropped: @top: a row of report \"summary\" inside report \"other\" (opened at line 1)\n",
           1);
    /* a nested @report: the first block has lost its end; both blocks' rows arrive */
    expect("@report\tsummary\t1\n@top\ta\t1\t1\t1\n@report\tsummary\t2\n@top\tb\t2\t2\t2\n"
           "@report_end\tsummary\n",
           SG_FMT_CSV,
           T_CSV_HEAD
           "top,summary,1,1,a,1,1,,,\r\n"
           "top,summary,2,2,b,2,2,,,\r\n",
           "in:3: dropped: report \"summary\" opened at line 1 has no @report_end before this @report\n",
           1);
    /* stray @report_end: none open, or another report's */
    expect("@report_end\tsummary\n@report\ta\t0\n@report_end\tb\n@report_end\ta\n", SG_FMT_JSON, "",
           "in:1: dropped: @report_end \"summary\" without a @report\n"
           "in:3: dropped: @report_end \"b\" inside report \"a\" (opened at line 2)\n",
           2);
    /* a block cut short: by the end of the input, by @end, by a new run */
    expect("@report\tsummary\t60\n@top\tc\t3\t4\t5\n", SG_FMT_TABLE,
           "== summary 1970-01-01 00:01:00 ==\n"
           "COMM  PID  BYTES  LAST\n"
           "c       3      4  1970-01-01 00:00:05\n"
           "\n",
           "in:2: dropped: report \"summary\" opened at line 1 has no @report_end before the end of "
           "the input\n",
           1);
    expect("@report\tsummary\t0\n@end\n@stapgen\ttcp_conn\t1\n@report\tsummary\t0\n"
           "@stapgen\ttcp_conn\t1\n",
           SG_FMT_JSON, "",
           "in:2: dropped: report \"summary\" opened at line 1 has no @report_end before @end\n"
           "in:5: dropped: report \"summary\" opened at line 4 has no @report_end before @stapgen\n",
           2);
    /* events may come anywhere; a well-framed stream is clean, its CSV
     * one header (no second one mid-stream for the report's rows) */
    expect("@report\tsummary\t0\n@conn\t1\tx\n@top\tc\t3\t4\t5\n@report_end\tsummary\n@conn\t2\ty\n",
           SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,1,x,,,,,\r\n"
           "top,summary,0,3,c,4,5,,,\r\n"
           "conn,,,2,y,,,,,\r\n",
           "", 0);
}

/* Bidirectional overrides (U+202E) in a title or in data never reach a
 * terminal as themselves (issue 7, finding 3): the table escapes them like
 * control characters, JSON writes them as \u escapes. */
static const sg_field bidi_fields[] = {
    {"name", SG_STRING, "A\xe2\x80\xae" "B", 0},
};
static const sg_kind bidi_kinds[] = {
    {"ev", SG_EVENT, bidi_fields, 1, 0, 0, 0, NULL},
};
static const sg_tool bidi_tool = {"bidi", NULL, bidi_kinds, 1};

static void test_bidi_escaped(void **state)
{
    static const char in[] = "@ev\tx\\342\\200\\256y\\033]0;t\\007\n";
    run_t r;
    (void)state;
    run_tool(&bidi_tool, in, sizeof in - 1, SG_FMT_TABLE, &r);
    assert_string_equal(r.out, "A\\342\\200\\256B\n"
                               "x\\342\\200\\256y\\033]0;t\\a\n");
    assert_string_equal(r.err, "");
    run_free(&r);
    run_tool(&bidi_tool, in, sizeof in - 1, SG_FMT_JSON, &r);
    assert_string_equal(r.out, "{\"kind\":\"ev\",\"name\":\"x\\u202ey\\u001b]0;t\\u0007\"}\n");
    run_free(&r);
}

/* ---- histograms ----------------------------------------------------------- */

static const char LOG2[] = "@report\tsummary\t1700000000\n"
                           "@lat\tbash\t65\t3\n"
                           "@lat\tbash\t67\t6\n"
                           "@lat\tsshd\t64\t1\n"
                           "@lat\tbash\t66\t0\n"
                           "@report_end\tsummary\n";

static void test_log2_table(void **state)
{
    (void)state;
    expect(LOG2, SG_FMT_TABLE,
           "== summary 2023-11-14 22:13:20 ==\n"
           "lat comm=bash\n"
           /* bcc's header and rows; 3 of the largest 6 is half the bar */
           "     usecs               : count     distribution\n"
           "         1 -> 1          : 3        |********************                    |\n"
           "         2 -> 3          : 0        |                                        |\n"
           "         4 -> 7          : 6        |****************************************|\n"
           "\n"
           "lat comm=sshd\n"
           "     usecs               : count     distribution\n"
           "         0 -> 0          : 1        |****************************************|\n"
           "\n",
           "", 0);
}

static void test_log2_json(void **state)
{
    (void)state;
    expect(LOG2, SG_FMT_JSON,
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":1700000000,\"comm\":\"bash\","
           "\"buckets\":[{\"low\":1,\"high\":2,\"count\":3},{\"low\":4,\"high\":8,\"count\":6}]}\n"
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":1700000000,\"comm\":\"sshd\","
           "\"buckets\":[{\"low\":0,\"high\":1,\"count\":1}]}\n",
           "", 0);
}

static void test_log2_csv(void **state)
{
    (void)state;
    expect(LOG2, SG_FMT_CSV,
           T_CSV_HEAD
           "lat,summary,1700000000,,bash,,,1,2,3\r\n"
           "lat,summary,1700000000,,bash,,,4,8,6\r\n"
           "lat,summary,1700000000,,sshd,,,0,1,1\r\n",
           "", 0);
}

/* Negative values, out-of-order and duplicate buckets, small bars, gaps.
 * stap's @hist_log puts v < 0 in bucket 128 - (msb(-v) + 1): -1 in 63,
 * -3 and -2 in 62 (runtime/stat-common.c, _stp_val_to_bucket). */
static void test_log2_negative_and_gaps(void **state)
{
    (void)state;
    expect("@report\tsummary\t0\n"
           "@lat\tx\t80\t1\n"  /* [32768, 65536) */
           "@lat\tx\t62\t100\n" /* [-3, -1) */
           "@lat\tx\t63\t40\n"  /* [-1, 0) */
           "@lat\tx\t62\t100\n" /* duplicate: summed */
           "@lat\tx\t66\t0\n"
           "@report_end\tsummary\n",
           SG_FMT_TABLE,
           "== summary 1970-01-01 00:00:00 ==\n"
           "lat comm=x\n"
           "     usecs               : count     distribution\n"
           "        -3 -> -2         : 200      |****************************************|\n"
           "        -1 -> -1         : 40       |********                                |\n"
           "         0 -> 0          : 0        |                                        |\n"
           "         ~\n"
           "     16384 -> 32767      : 0        |                                        |\n"
           /* 1 of 200 is 0.2 of a star: a count shows at least one */
           "     32768 -> 65535      : 1        |*                                       |\n"
           "\n",
           "", 0);
    expect("@report\tsummary\t0\n@lat\tx\t62\t1\n@lat\tx\t61\t2\n@report_end\tsummary\n",
           SG_FMT_JSON,
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":0,\"comm\":\"x\",\"buckets\":["
           "{\"low\":-7,\"high\":-3,\"count\":2},{\"low\":-3,\"high\":-1,\"count\":1}]}\n",
           "", 0);
    expect("@report\tsummary\t0\n@lat\tx\t0\t1\n@lat\tx\t127\t2\n@report_end\tsummary\n", SG_FMT_JSON,
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":0,\"comm\":\"x\",\"buckets\":["
           "{\"low\":-9223372036854775808,\"high\":-9223372036854775807,\"count\":1},"
           "{\"low\":4611686018427387904,\"high\":null,\"count\":2}]}\n",
           "", 0);
    /* 20-digit ends widen both columns (bcc's 64-bit layout: a 20-star bar) */
    expect("@report\tsummary\t0\n@lat\tx\t0\t1\n@lat\tx\t127\t2\n@report_end\tsummary\n",
           SG_FMT_TABLE,
           "== summary 1970-01-01 00:00:00 ==\n"
           "lat comm=x\n"
           "                usecs                          : count     distribution\n"
           " -9223372036854775808 -> -9223372036854775808  : 1        |**********          |\n"
           " -9223372036854775807 -> -4611686018427387904  : 0        |                    |\n"
           "                    ~\n"
           "  2305843009213693952 -> 4611686018427387903   : 0        |                    |\n"
           ">=4611686018427387904                          : 2        |********************|\n"
           "\n",
           "", 0);
}

static const char LINEAR[] = "@report\tsummary\t1700000000\n"
                             "@sz\t11\t1\n"
                             "@sz\t1\t5\n"
                             "@sz\t0\t2\n"
                             "@sz\t12\t9\n" /* the overflow bucket */
                             "@report_end\tsummary\n";

static void test_linear_table(void **state)
{
    (void)state;
    /* @hist_linear(v, 0, 100, 10): 11 payload buckets (100 is inclusive),
     * so bucket 11 is [100, 110) and bucket 12 the overflow. */
    expect(LINEAR, SG_FMT_TABLE,
           "== summary 2023-11-14 22:13:20 ==\n"
           "sz\n"
           /* no unit: bcc's "value"; the open ends as <low and >=high */
           "     value               : count     distribution\n"
           "        <0               : 2        |********                                |\n"
           "         0 -> 9          : 5        |**********************                  |\n"
           "        10 -> 19         : 0        |                                        |\n"
           "         ~\n"
           "        90 -> 99         : 0        |                                        |\n"
           "       100 -> 109        : 1        |****                                    |\n"
           "     >=110               : 9        |****************************************|\n"
           "\n",
           "", 0);
}

static void test_linear_json_csv(void **state)
{
    (void)state;
    expect(LINEAR, SG_FMT_JSON,
           "{\"kind\":\"sz\",\"report\":\"summary\",\"ts\":1700000000,\"buckets\":["
           "{\"low\":null,\"high\":0,\"count\":2},{\"low\":0,\"high\":10,\"count\":5},"
           "{\"low\":100,\"high\":110,\"count\":1},{\"low\":110,\"high\":null,\"count\":9}]}\n",
           "", 0);
    expect(LINEAR, SG_FMT_CSV,
           T_CSV_HEAD
           "sz,summary,1700000000,,,,,,0,2\r\n"
           "sz,summary,1700000000,,,,,0,10,5\r\n"
           "sz,summary,1700000000,,,,,100,110,1\r\n"
           "sz,summary,1700000000,,,,,110,,9\r\n",
           "", 0);
}

static void test_mixed_block(void **state)
{
    (void)state;
    expect("@report\tsummary\t0\n"
           "@lat\ta\t65\t1\n"
           "@top\tt\t1\t2\t0\n"
           "@sz\t3\t4\n"
           "@lat\tb\t66\t2\n"
           "@report_end\tsummary\n",
           SG_FMT_JSON,
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":0,\"comm\":\"a\",\"buckets\":[{\"low\":1,"
           "\"high\":2,\"count\":1}]}\n"
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":0,\"comm\":\"b\",\"buckets\":[{\"low\":2,"
           "\"high\":4,\"count\":2}]}\n"
           "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":0,\"comm\":\"t\",\"pid\":1,\"bytes\":2,"
           "\"last\":0}\n"
           "{\"kind\":\"sz\",\"report\":\"summary\",\"ts\":0,\"buckets\":[{\"low\":20,\"high\":30,"
           "\"count\":4}]}\n",
           "", 0);
}

/* ---- histogram text edge cases (bcc's layout) ----------------------------- */

/* A linear histogram reaching below zero, @hist_linear(v, -20, 20, 10). */
static const sg_field ms_fields[] = {
    {"bucket", SG_LONG, "msecs", 0},
    {"count", SG_LONG, "count", 0},
};
static const sg_kind h_kinds[] = {
    {"lat", SG_HIST_LOG2, lat_fields, 3, 0, 0, 0, "r"},
    {"neg", SG_HIST_LINEAR, ms_fields, 2, -20, 20, 10, "r"},
};
static const sg_tool h_tool = {"hists", NULL, h_kinds, 2};

static void expect_h(const char *in, sg_format fmt, const char *out)
{
    run_t r;
    run_tool(&h_tool, in, strlen(in), fmt, &r);
    assert_string_equal(r.err, "");
    assert_int_equal(r.dropped, 0);
    assert_string_equal(r.out, out);
    run_free(&r);
}

/* Only zero counts: no rows to scale, no header over nothing. */
static void test_hist_empty(void **state)
{
    static const char in[] = "@report\tr\t0\n@lat\tx\t65\t0\n@report_end\tr\n";
    (void)state;
    expect_h(in, SG_FMT_TABLE, "== r 1970-01-01 00:00:00 ==\nlat comm=x\n(no data)\n\n");
    expect_h(in, SG_FMT_JSON,
             "{\"kind\":\"lat\",\"report\":\"r\",\"ts\":0,\"comm\":\"x\",\"buckets\":[]}\n");
    expect_h(in, SG_FMT_CSV, "kind,report,ts,comm,low,high,count\r\n");
}

/* One bucket: the whole bar. */
static void test_hist_one_bucket(void **state)
{
    static const char in[] = "@report\tr\t0\n@neg\t4\t7\n@report_end\tr\n";
    (void)state;
    expect_h(in, SG_FMT_TABLE,
             "== r 1970-01-01 00:00:00 ==\n"
             "neg\n"
             "     msecs               : count     distribution\n"
             "        10 -> 19         : 7        |****************************************|\n"
             "\n");
    expect_h(in, SG_FMT_JSON,
             "{\"kind\":\"neg\",\"report\":\"r\",\"ts\":0,\"buckets\":[{\"low\":10,\"high\":20,"
             "\"count\":7}]}\n");
    expect_h(in, SG_FMT_CSV, "kind,report,ts,comm,low,high,count\r\nneg,r,0,,10,20,7\r\n");
}

/* Negative buckets of a linear histogram, its underflow and overflow. */
static void test_hist_linear_negative(void **state)
{
    static const char in[] = "@report\tr\t0\n@neg\t0\t1\n@neg\t1\t4\n@neg\t2\t8\n@neg\t5\t2\n"
                             "@neg\t6\t1\n@report_end\tr\n";
    (void)state;
    expect_h(in, SG_FMT_TABLE,
             "== r 1970-01-01 00:00:00 ==\n"
             "neg\n"
             "     msecs               : count     distribution\n"
             "      <-20               : 1        |*****                                   |\n"
             "       -20 -> -11        : 4        |********************                    |\n"
             "       -10 -> -1         : 8        |****************************************|\n"
             "         0 -> 9          : 0        |                                        |\n"
             "        10 -> 19         : 0        |                                        |\n"
             "        20 -> 29         : 2        |**********                              |\n"
             "      >=30               : 1        |*****                                   |\n"
             "\n");
    expect_h(in, SG_FMT_JSON,
             "{\"kind\":\"neg\",\"report\":\"r\",\"ts\":0,\"buckets\":["
             "{\"low\":null,\"high\":-20,\"count\":1},{\"low\":-20,\"high\":-10,\"count\":4},"
             "{\"low\":-10,\"high\":0,\"count\":8},{\"low\":20,\"high\":30,\"count\":2},"
             "{\"low\":30,\"high\":null,\"count\":1}]}\n");
}

/* A count wider than bcc's 8 columns widens the column, header included. */
static void test_hist_wide_count(void **state)
{
    static const char in[] = "@report\tr\t0\n@lat\tx\t65\t123456789012\n@lat\tx\t67\t1\n"
                             "@report_end\tr\n";
    (void)state;
    expect_h(in, SG_FMT_TABLE,
             "== r 1970-01-01 00:00:00 ==\n"
             "lat comm=x\n"
             "     usecs               : count         distribution\n"
             "         1 -> 1          : 123456789012 |****************************************|\n"
             "         2 -> 3          : 0            |                                        |\n"
             "         4 -> 7          : 1            |*                                       |\n"
             "\n");
}

/* The bar is count * 40 / the largest count, rounded down, at least one
 * star for a count; the largest need not be the last bucket. */
static void test_hist_bar_scale(void **state)
{
    static const char in[] = "@report\tr\t0\n@lat\tx\t65\t1\n@lat\tx\t66\t10\n@lat\tx\t67\t20\n"
                             "@lat\tx\t68\t40\n@lat\tx\t69\t80\n@lat\tx\t70\t79\n@report_end\tr\n";
    (void)state;
    expect_h(in, SG_FMT_TABLE,
             "== r 1970-01-01 00:00:00 ==\n"
             "lat comm=x\n"
             "     usecs               : count     distribution\n"
             "         1 -> 1          : 1        |*                                       |\n"
             "         2 -> 3          : 10       |*****                                   |\n"
             "         4 -> 7          : 20       |**********                              |\n"
             "         8 -> 15         : 40       |********************                    |\n"
             "        16 -> 31         : 80       |****************************************|\n"
             "        32 -> 63         : 79       |*************************************** |\n"
             "\n");
}

static void test_hist_bounds(void **state)
{
    long long lo = 0, hi = 0;
    static const sg_kind odd = {"odd", SG_HIST_LINEAR, sz_fields, 2, -5, 6, 3, NULL};
    static const sg_kind huge = {"huge", SG_HIST_LINEAR, sz_fields, 2, LLONG_MIN, LLONG_MAX,
                                 LLONG_MAX, NULL};
    (void)state;
    assert_int_equal(sg_hist_nbuckets(&t_kinds[2]), 128);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 64, &lo, &hi), 3);
    assert_true(lo == 0 && hi == 1);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 65, &lo, &hi), 3);
    assert_true(lo == 1 && hi == 2);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 63, &lo, &hi), 3);
    assert_true(lo == -1 && hi == 0);
    /* stap's negative buckets: 62 holds -3..-2, 61 -7..-4, 1 the values
     * down to INT64_MIN + 1, 0 INT64_MIN alone */
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 62, &lo, &hi), 3);
    assert_true(lo == -3 && hi == -1);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 61, &lo, &hi), 3);
    assert_true(lo == -7 && hi == -3);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 1, &lo, &hi), 3);
    assert_true(lo == LLONG_MIN + 1 && hi == 1 - (1LL << 62));
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 0, &lo, &hi), 3);
    assert_true(lo == LLONG_MIN && hi == LLONG_MIN + 1);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 127, &lo, &hi), 1);
    assert_true(lo == 1LL << 62);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], 128, &lo, &hi), -1);
    assert_int_equal(sg_hist_bounds(&t_kinds[2], -1, &lo, &hi), -1);
    assert_int_equal(sg_hist_nbuckets(&t_kinds[3]), 13);
    assert_int_equal(sg_hist_bounds(&t_kinds[3], 0, &lo, &hi), 2);
    assert_true(hi == 0);
    assert_int_equal(sg_hist_bounds(&t_kinds[3], 10, &lo, &hi), 3);
    assert_true(lo == 90 && hi == 100);
    assert_int_equal(sg_hist_bounds(&t_kinds[3], 11, &lo, &hi), 3);
    assert_true(lo == 100 && hi == 110);
    assert_int_equal(sg_hist_bounds(&t_kinds[3], 12, &lo, &hi), 1);
    assert_true(lo == 110);
    /* (6 - -5) / 3 + 1 = 4 regular buckets: [-5,-2) [-2,1) [1,4) [4,7) */
    assert_int_equal(sg_hist_nbuckets(&odd), 6);
    assert_int_equal(sg_hist_bounds(&odd, 4, &lo, &hi), 3);
    assert_true(lo == 4 && hi == 7);
    assert_int_equal(sg_hist_bounds(&odd, 5, &lo, &hi), 1);
    assert_true(lo == 7);
    /* no int64 overflow at the extremes */
    assert_int_equal(sg_hist_nbuckets(&huge), 5);
    assert_int_equal(sg_hist_bounds(&huge, 1, &lo, &hi), 3);
    assert_true(lo == LLONG_MIN && hi == -1);
    assert_int_equal(sg_hist_bounds(&huge, 2, &lo, &hi), 3);
    assert_true(lo == -1 && hi == LLONG_MAX - 1);
    assert_int_equal(sg_hist_bounds(&huge, 3, &lo, &hi), 1);
    assert_true(lo == LLONG_MAX - 1);
    assert_int_equal(sg_hist_bounds(&huge, 4, &lo, &hi), 0); /* lo+3*step overflows */
}

/* ---- hostile input -------------------------------------------------------- */

static void test_hostile_mix(void **state)
{
    static const char in[] =
        "Pass 5: starting run.\n"                                /* 1 */
        "@stapgen\ttcp_conn\t1\n"                                /* 2 ok */
        "WARNING: Number of errors: 0, skipped probes: 2\n"     /* 3 */
        "@conn\t1\tbash\r\n"                                     /* 4 ok (CRLF) */
        "@conn\t1\n"                                             /* 5 */
        "@conn\t1\tbash\textra\n"                                /* 6 */
        "@conn\t9223372036854775808\tx\n"                        /* 7 */
        "@conn\t-9223372036854775808\tx\n"                       /* 8 ok */
        "@conn\t12a\tx\n"                                        /* 9 */
        "@conn\t1\tb\\qx\n"                                      /* 10 */
        "@conn\t1\tb\\12\n"                                      /* 11 */
        "@conn\t1\tb\\u12\n"                                     /* 12 */
        "@nope\t1\n"                                             /* 13 */
        "@conn\t1\tb\0c\n"                                       /* 14 */
        "\x01\xff\xfe binary\n"                                  /* 15 */
        "@conn\t1\tcaf\xc3\xa9\n"                                /* 16 */
        "\n"                                                     /* 17 */
        "@conn\t\t\n"                                            /* 18 */
        "@conn\t+1\tx\n"                                         /* 19 */
        "@conn\t1\tx\\\n"                                        /* 20 */
        "^C@end\n"                                               /* 21 */
        "@end\r\n"                                               /* 22 ok */
        "@conn\t2\tlast";                                        /* 23 truncated */
    run_t r;
    (void)state;
    run_n(in, sizeof in - 1, SG_FMT_JSON, &r);
    assert_string_equal(r.out, "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"bash\"}\n"
                               "{\"kind\":\"conn\",\"pid\":-9223372036854775808,\"comm\":\"x\"}\n");
    assert_string_equal(
        r.err,
        "in:1: dropped: not a record: \"Pass 5: starting run.\"\n"
        "in:3: dropped: not a record: \"WARNING: Number of errors: 0, skipped probes: 2\"\n"
        "in:5: dropped: @conn: expected 2 fields, got 1\n"
        "in:6: dropped: @conn: expected 2 fields, got 3\n"
        "in:7: dropped: @conn: field 'pid': number out of range \"9223372036854775808\"\n"
        "in:9: dropped: @conn: field 'pid': bad number \"12a\"\n"
        "in:10: dropped: @conn: field 'comm': bad escape \"\\\\q\"\n"
        "in:11: dropped: @conn: field 'comm': bad escape \"\\\\12\" (octal needs 3 digits)\n"
        "in:12: dropped: @conn: field 'comm': bad escape \"\\\\u12\" (needs 4 hex digits)\n"
        "in:13: dropped: unknown kind \"@nope\"\n"
        "in:14: dropped: NUL byte in line\n"
        "in:15: dropped: not a record: \"\\001\\377\\376 binary\"\n"
        "in:16: dropped: @conn: field 'comm': unescaped byte 0xc3 in string\n"
        "in:17: dropped: empty line\n"
        "in:18: dropped: @conn: field 'pid': bad number \"\"\n"
        "in:19: dropped: @conn: field 'pid': bad number \"+1\"\n"
        "in:20: dropped: @conn: field 'comm': bad escape \"\\\\\" at end of string\n"
        "in:21: dropped: not a record: \"^C@end\"\n"
        "in:23: dropped: truncated last line (no newline at end of input)\n");
    assert_int_equal(r.dropped, 19);
    assert_int_equal(r.records, 4);
    run_free(&r);
}

static void test_bad_escapes_more(void **state)
{
    (void)state;
    expect("@conn\t1\t\\400\n"
           "@conn\t1\t\\uD800\n"
           "@conn\t1\t\\U00110000\n"
           "@conn\t1\t\\U0001F60\n"
           "@conn\t1\t\\uZZZZ\n"
           "@conn\t1\t\\8\n"
           "@conn\t1\t\\1a\n"
           "@conn\t1\tok\\\\\n",
           SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,1,ok\\,,,,,\r\n",
           "in:1: dropped: @conn: field 'comm': bad escape \"\\\\400\" (octal > \\377)\n"
           "in:2: dropped: @conn: field 'comm': bad escape \"\\\\uD800\" (invalid code point)\n"
           "in:3: dropped: @conn: field 'comm': bad escape \"\\\\U00110000\" (invalid code point)\n"
           "in:4: dropped: @conn: field 'comm': bad escape \"\\\\U0001F60\" (needs 8 hex digits)\n"
           "in:5: dropped: @conn: field 'comm': bad escape \"\\\\u\" (needs 4 hex digits)\n"
           "in:6: dropped: @conn: field 'comm': bad escape \"\\\\8\"\n"
           "in:7: dropped: @conn: field 'comm': bad escape \"\\\\1\" (octal needs 3 digits)\n",
           7);
}

/* stap's BPF runtime writes non-ASCII bytes as \xHH. */
static void test_hex_escapes(void **state)
{
    (void)state;
    expect("@conn\t1\tcaf\\xc3\\xa9\n"
           "@conn\t2\t\\x4\n"
           "@conn\t3\t\\x4g\n"
           "@conn\t4\ta\\x\n",
           SG_FMT_CSV,
           T_CSV_HEAD
           "conn,,,1,caf\xc3\xa9,,,,,\r\n",
           "in:2: dropped: @conn: field 'comm': bad escape \"\\\\x4\" (needs 2 hex digits)\n"
           "in:3: dropped: @conn: field 'comm': bad escape \"\\\\x4g\" (needs 2 hex digits)\n"
           "in:4: dropped: @conn: field 'comm': bad escape \"\\\\x\" (needs 2 hex digits)\n",
           3);
}

static void test_int64_limits(void **state)
{
    (void)state;
    expect("@conn\t9223372036854775807\ta\n"
           "@conn\t-9223372036854775809\tb\n"
           "@conn\t99999999999999999999999\tc\n"
           "@conn\t-0\td\n"
           "@conn\t-\te\n"
           "@conn\t 1\tf\n",
           SG_FMT_JSON,
           "{\"kind\":\"conn\",\"pid\":9223372036854775807,\"comm\":\"a\"}\n"
           "{\"kind\":\"conn\",\"pid\":0,\"comm\":\"d\"}\n",
           "in:2: dropped: @conn: field 'pid': number out of range \"-9223372036854775809\"\n"
           "in:3: dropped: @conn: field 'pid': number out of range \"99999999999999999999999\"\n"
           "in:5: dropped: @conn: field 'pid': bad number \"-\"\n"
           "in:6: dropped: @conn: field 'pid': bad number \" 1\"\n",
           4);
}

static void test_hist_bad_rows(void **state)
{
    (void)state;
    expect("@report\tsummary\t0\n@lat\ta\t-1\t1\n@lat\ta\t128\t1\n@lat\ta\t64\t-3\n@lat\ta\t64\t2\n"
           "@report_end\tsummary\n", SG_FMT_CSV,
           T_CSV_HEAD
           "lat,summary,0,,a,,,0,1,2\r\n",
           "in:2: dropped: @lat: bucket -1 out of range 0..127\n"
           "in:3: dropped: @lat: bucket 128 out of range 0..127\n"
           "in:4: dropped: @lat: negative count -3\n",
           3);
}

static char *make_long_line(size_t body, size_t *len)
{
    char *s = malloc(body + 64);
    size_t n;
    assert_non_null(s);
    memcpy(s, "@conn\t1\t", 8);
    memset(s + 8, 'a', body);
    n = 8 + body;
    s[n++] = '\n';
    memcpy(s + n, "@conn\t2\tok\n", 11);
    n += 11;
    *len = n;
    return s;
}

static void test_overlong_line(void **state)
{
    size_t len;
    char *in = make_long_line(1024 * 1024, &len);
    run_t r;
    (void)state;
    run_n(in, len, SG_FMT_JSON, &r);
    assert_string_equal(r.out, "{\"kind\":\"conn\",\"pid\":2,\"comm\":\"ok\"}\n");
    assert_string_equal(r.err, "in:1: dropped: line longer than 65536 bytes\n");
    assert_int_equal(r.dropped, 1);
    assert_int_equal(r.records, 1);
    run_free(&r);
    free(in);

    /* exactly SG_MAX_LINE bytes is fine, one more is not */
    in = make_long_line(SG_MAX_LINE - 8, &len);
    run_n(in, len, SG_FMT_CSV, &r);
    assert_int_equal(r.dropped, 0);
    assert_int_equal(r.records, 2);
    assert_int_equal(r.outlen, strlen(T_CSV_HEAD) + strlen("conn,,,1,,,,,,\r\n") + SG_MAX_LINE - 8 +
                                   strlen("conn,,,2,ok,,,,,\r\n"));
    run_free(&r);
    free(in);
    in = make_long_line(SG_MAX_LINE - 7, &len);
    run_n(in, len, SG_FMT_CSV, &r);
    assert_int_equal(r.dropped, 1);
    assert_string_equal(r.err, "in:1: dropped: line longer than 65536 bytes\n");
    run_free(&r);
    free(in);

    /* an over-long last line without a newline */
    in = make_long_line(200000, &len);
    run_n(in, 8 + 200000, SG_FMT_CSV, &r);
    assert_int_equal(r.dropped, 1);
    assert_string_equal(r.out, "");
    assert_string_equal(r.err, "in:1: dropped: line longer than 65536 bytes\n");
    run_free(&r);
    free(in);
}

/* The reader takes its input in blocks: by read(2) from a file or a pipe
 * (partial reads), through stdio otherwise.  Lines that cross blocks, lines
 * longer than SG_MAX_LINE that span several, escapes, CRLF and a last line
 * without a newline give the same records and diagnostics every way. */
static void run_stream(FILE *fi, sg_format fmt, run_t *r)
{
    FILE *fo, *fe;
    sg_reader *rd;
    sg_writer *w;
    const sg_kind *k;
    const sg_value *v;
    memset(r, 0, sizeof *r);
    fo = open_memstream(&r->out, &r->outlen);
    fe = open_memstream(&r->err, &r->errlen);
    assert_non_null(fo);
    assert_non_null(fe);
    rd = sg_reader_new(fi, "in", &t_tool, fe);
    w = sg_writer_new(fo, &t_tool, fmt);
    assert_non_null(rd);
    assert_non_null(w);
    while (sg_reader_next(rd, &k, &v))
        sg_writer_record(w, k, v);
    sg_writer_finish(w);
    assert_int_equal(sg_reader_error(rd), 0);
    r->dropped = sg_reader_dropped(rd);
    r->records = sg_reader_records(rd);
    sg_writer_free(w);
    sg_reader_free(rd);
    fclose(fo);
    fclose(fe);
}

static void expect_same_run(const run_t *a, const run_t *b)
{
    assert_int_equal(a->outlen, b->outlen);
    assert_memory_equal(a->out, b->out, a->outlen);
    assert_string_equal(a->err, b->err);
    assert_int_equal(a->dropped, b->dropped);
    assert_int_equal(a->records, b->records);
}

static void test_block_reads(void **state)
{
    sg_sb in = {NULL, 0, 0, 0};
    size_t i, j, off;
    run_t mem, file, pipe_;
    FILE *f;
    int fd[2];
    pid_t pid;
    (void)state;
    /* about 2 MB: record lengths sweep past the read block and SG_MAX_LINE */
    for (i = 0; in.n < 2000000; i++) {
        size_t body = (i * 7919) % 9000 + (i % 37 == 0 ? SG_MAX_LINE - 20 + i % 40 : 0);
        sb_puts(&in, "@conn\t");
        sb_ll(&in, (long long)i);
        sb_puts(&in, "\t");
        for (j = 0; j < body; j++) {
            if (j % 97 == 5)
                sb_puts(&in, j % 2 ? "\\t" : "\\303\\251"); /* a tab, an e-acute */
            else
                sb_putc(&in, (char)('a' + j % 26));
        }
        sb_puts(&in, i % 5 == 0 ? "\r\n" : "\n");
        if (i % 101 == 0)
            sb_puts(&in, "garbage\n");
    }
    sb_puts(&in, "@conn\t1\tno newline");
    assert_false(in.oom);
    run_n(in.p, in.n, SG_FMT_CSV, &mem);
    assert_true(mem.records > 100);
    assert_true(mem.dropped > 10);

    f = tmpfile();
    assert_non_null(f);
    assert_int_equal(fwrite(in.p, 1, in.n, f), in.n);
    rewind(f);
    run_stream(f, SG_FMT_CSV, &file);
    fclose(f);
    expect_same_run(&mem, &file);

    /* a pipe written in odd-sized pieces */
    assert_int_equal(pipe(fd), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fd[0]);
        for (off = 0, j = 1; off < in.n; j = j * 3 % 65521 + 1) {
            size_t n = j < in.n - off ? j : in.n - off;
            ssize_t wr = write(fd[1], in.p + off, n);
            if (wr <= 0)
                _exit(1);
            off += (size_t)wr;
        }
        _exit(0);
    }
    close(fd[1]);
    f = fdopen(fd[0], "r");
    assert_non_null(f);
    run_stream(f, SG_FMT_CSV, &pipe_);
    fclose(f);
    assert_int_equal(waitpid(pid, NULL, 0), pid);
    expect_same_run(&mem, &pipe_);

    run_free(&mem);
    run_free(&file);
    run_free(&pipe_);
    sg_sb_free(&in);
}

static void test_binary_garbage(void **state)
{
    char buf[4096];
    size_t i;
    unsigned x = 12345;
    run_t r;
    (void)state;
    for (i = 0; i < sizeof buf; i++) {
        x = x * 1103515245u + 12345u;
        buf[i] = (char)(x >> 16);
    }
    run_n(buf, sizeof buf, SG_FMT_JSON, &r); /* must not crash; sanitizers watch */
    assert_true(r.dropped > 0);
    assert_int_equal(r.records, 0);
    run_free(&r);
    run_n(buf, sizeof buf, SG_FMT_TABLE, &r);
    run_free(&r);
    /* NUL bytes only */
    memset(buf, 0, 100);
    buf[50] = '\n';
    run_n(buf, 100, SG_FMT_CSV, &r);
    assert_int_equal(r.dropped, 2);
    assert_string_equal(r.err, "in:1: dropped: NUL byte in line\n"
                               "in:2: dropped: truncated last line (no newline at end of input)\n");
    run_free(&r);
}

static void test_crlf_everywhere(void **state)
{
    (void)state;
    expect("@stapgen\ttcp_conn\t1\r\n@report\tsummary\t0\r\n@lat\ta\t65\t1\r\n"
           "@report_end\tsummary\r\n@conn\t1\tx\r\n@end\r\n\r\n",
           SG_FMT_JSON,
           "{\"kind\":\"lat\",\"report\":\"summary\",\"ts\":0,\"comm\":\"a\",\"buckets\":[{\"low\":1,"
           "\"high\":2,\"count\":1}]}\n"
           "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"x\"}\n",
           "in:7: dropped: empty line\n", 1);
}

static void test_empty_input(void **state)
{
    (void)state;
    expect("", SG_FMT_TABLE, "", "", 0);
    expect("", SG_FMT_JSON, "", "", 0);
}

static void test_diag_cap(void **state)
{
    char in[30 * 8 + 1];
    char want[4096];
    size_t i, o = 0;
    (void)state;
    for (i = 0; i < 30; i++)
        memcpy(in + i * 8, "garbage\n", 8);
    in[30 * 8] = '\0';
    for (i = 0; i < SG_DIAG_MAX; i++)
        o += (size_t)snprintf(want + o, sizeof want - o, "in:%zu: dropped: not a record: \"garbage\"\n",
                              i + 1);
    snprintf(want + o, sizeof want - o,
             "in: 30 lines dropped in total, only the first 20 messages shown\n");
    expect(in, SG_FMT_JSON, "", want, 30);
}

static void test_long_snippet(void **state)
{
    (void)state;
    expect("0123456789012345678901234567890123456789012345678901234567890123456789\n",
           SG_FMT_JSON, "",
           "in:1: dropped: not a record: "
           "\"012345678901234567890123456789012345678901234567890123456789...\"\n",
           1);
}

static void test_stapgen_warnings(void **state)
{
    (void)state;
    expect("@stapgen\tother_tool\t2\n@end\n", SG_FMT_JSON, "",
           "in:1: warning: input is from tool \"other_tool\", this parser is for \"tcp_conn\"\n"
           "in:1: warning: protocol version 2, this parser speaks 1\n",
           0);
}

static void test_multi_event_kinds(void **state)
{
    run_t r;
    static const char in[] = "@call\t0\tmain\n@call\t1\tfoo\n@return\tfoo\t-1\n@return\tmain\t0\n";
    (void)state;
    run_tool(&t2_tool, in, sizeof in - 1, SG_FMT_TABLE, &r);
    assert_string_equal(r.out, "KIND    TIME                 FUNC\n"
                               "call    1970-01-01 00:00:00  main\n"
                               "call    1970-01-01 00:00:01  foo\n"
                               "KIND    FUNC   RET\n"
                               "return  foo     -1\n"
                               "return  main     0\n");
    assert_int_equal(r.dropped, 0);
    run_free(&r);
    run_tool(&t2_tool, in, sizeof in - 1, SG_FMT_CSV, &r);
    /* one header, the union of call's and return's columns (csv.DictReader
     * reads the first line as the names of every row's cells) */
    assert_string_equal(r.out, "kind,ts,func,ret\r\n"
                               "call,0,main,\r\n"
                               "call,1,foo,\r\n"
                               "return,,foo,-1\r\n"
                               "return,,main,0\r\n");
    run_free(&r);
}

static void test_bad_descriptors(void **state)
{
    static const sg_kind bad_lin[] = {{"h", SG_HIST_LINEAR, sz_fields, 2, 0, 10, 0, "r"}};
    static const sg_kind bad_hist[] = {{"h", SG_HIST_LOG2, sz_fields, 1, 0, 0, 0, "r"}};
    static const sg_kind bad_name[] = {{NULL, SG_EVENT, NULL, 0, 0, 0, 0, NULL}};
    const sg_tool t1 = {"x", NULL, bad_lin, 1}, t2 = {"x", NULL, bad_hist, 1},
                  t3 = {"x", NULL, bad_name, 1};
    char *err = NULL;
    size_t errlen = 0;
    FILE *fe = open_memstream(&err, &errlen);
    (void)state;
    assert_null(sg_reader_new(stdin, "in", &t1, fe));
    assert_null(sg_reader_new(stdin, "in", &t2, fe));
    assert_null(sg_reader_new(stdin, "in", &t3, fe));
    assert_null(sg_reader_new(stdin, "in", NULL, fe));
    assert_null(sg_writer_new(NULL, &t_tool, SG_FMT_JSON));
    assert_null(sg_writer_new(stdout, &t_tool, (sg_format)(SG_FMT_SVG + 1)));
    {
        static const sg_field stack_count[] = {
            {"bucket", SG_LONG, NULL, 0},
            {"count", SG_STACK, NULL, 0},
        };
        static const sg_field bad_type[] = {{"x", (sg_type)(SG_INET + 1), NULL, 0}};
        static const sg_kind k1[] = {{"h", SG_HIST_LOG2, stack_count, 2, 0, 0, 0, "r"}};
        static const sg_kind k2[] = {{"e", SG_EVENT, bad_type, 1, 0, 0, 0, NULL}};
        const sg_tool t4 = {"x", NULL, k1, 1}, t5 = {"x", NULL, k2, 1};
        assert_null(sg_reader_new(stdin, "in", &t4, fe));
        assert_null(sg_reader_new(stdin, "in", &t5, fe));
    }
    fclose(fe);
    assert_string_equal(err, "stapgen runtime: invalid tool descriptor (kind 'h'): linear histogram "
                             "needs step > 0 and hi >= lo\n"
                             "stapgen runtime: invalid tool descriptor (kind 'h'): histogram kind "
                             "must end with long fields bucket, count\n"
                             "stapgen runtime: invalid tool descriptor (kind ''): kind without a "
                             "name\n"
                             "stapgen runtime: invalid tool descriptor: no kinds\n"
                             "stapgen runtime: invalid tool descriptor (kind 'h'): histogram kind "
                             "must end with long fields bucket, count\n"
                             "stapgen runtime: invalid tool descriptor (kind 'e'): bad field type\n");
    free(err);
}

/* Writer fed directly (as generated code may do): values are copied. */
static void test_writer_copies_values(void **state)
{
    char *out = NULL;
    size_t outlen = 0;
    FILE *fo = open_memstream(&out, &outlen);
    sg_writer *w = sg_writer_new(fo, &t_tool, SG_FMT_JSON);
    char name[8];
    sg_value rep[2], row[4];
    (void)state;
    memset(rep, 0, sizeof rep);
    memset(row, 0, sizeof row);
    rep[0].s = "summary";
    rep[0].slen = 7;
    rep[1].l = 9;
    sg_writer_record(w, &sg_kind_report, rep);
    strcpy(name, "first");
    row[0].s = name;
    row[0].slen = 5;
    row[1].l = 1;
    sg_writer_record(w, &t_kinds[1], row);
    strcpy(name, "xxxxx"); /* must not affect the buffered row */
    row[1].l = 2;
    sg_writer_record(w, &t_kinds[1], row);
    sg_writer_record(w, &sg_kind_end, NULL);
    sg_writer_finish(w);
    sg_writer_free(w);
    fclose(fo);
    assert_string_equal(out, "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":9,\"comm\":\"first\","
                             "\"pid\":1,\"bytes\":0,\"last\":0}\n"
                             "{\"kind\":\"top\",\"report\":\"summary\",\"ts\":9,\"comm\":\"xxxxx\","
                             "\"pid\":2,\"bytes\":0,\"last\":0}\n");
    free(out);
}

/* ---- stacks: SG_STACK, -f folded, -f svg ---------------------------------- */

/* User stack first, kernel stack second: folded root first as
 * ustack_root..ustack_leaf;-;kstack_root..kstack_leaf. */
static const sg_field bt_fields[] = {
    {"ustack", SG_STACK, "USTACK", 0},
    {"kstack", SG_STACK, "KSTACK", 0},
    {"count", SG_LONG, "COUNT", 0},
};
/* COUNT is the first long after the stack (pid comes before it) */
static const sg_field smp_fields[] = {
    {"pid", SG_LONG, "PID", 0},
    {"stack", SG_STACK, "STACK", 0},
    {"comm", SG_STRING, "COMM", 0},
    {"us", SG_LONG, "US", 0},
};
/* no long after the stack: COUNT 1 */
static const sg_field one_fields[] = {
    {"stack", SG_STACK, "STACK", 0},
    {"at", SG_TIME, "TS", 0}, /* not "ts": the CSV's report time (stapgen refuses it) */
};
static const sg_field nost_fields[] = {
    {"comm", SG_STRING, "COMM", 0},
    {"n", SG_LONG, "N", 0},
};
static const sg_field sth_fields[] = {
    {"stack", SG_STACK, "STACK", 0},
    {"bucket", SG_LONG, NULL, 0},
    {"count", SG_LONG, NULL, 0},
};
static const sg_kind s_kinds[] = {
    {"bt", SG_ROW, bt_fields, 3, 0, 0, 0, "stacks"},
    {"smp", SG_EVENT, smp_fields, 4, 0, 0, 0, NULL},
    {"one", SG_EVENT, one_fields, 2, 0, 0, 0, NULL},
    {"top", SG_ROW, nost_fields, 2, 0, 0, 0, "stacks"},
    {"sth", SG_HIST_LOG2, sth_fields, 3, 0, 0, 0, "stacks"},
};
static const sg_tool s_tool = {"sample_bt", "specs/cpu/sample_bt.yaml", s_kinds, 5};

static void run_s(const char *in, sg_format fmt, run_t *r)
{
    run_tool(&s_tool, in, strlen(in), fmt, r);
}

static void expect_s(const char *in, sg_format fmt, const char *out)
{
    run_t r;
    run_s(in, fmt, &r);
    assert_string_equal(r.out, out);
    assert_string_equal(r.err, "");
    assert_int_equal(r.dropped, 0);
    run_free(&r);
}

static void check_frame(const char *line, const char *want)
{
    size_t off = 0, len = 0;
    int got = sg_frame_name(line, strlen(line), &off, &len);
    if (!want) {
        if (got)
            fail_msg("'%s': got frame '%.*s', want none", line, (int)len, line + off);
        return;
    }
    if (!got)
        fail_msg("'%s': no frame, want '%s'", line, want);
    if (len != strlen(want) || memcmp(line + off, want, len) != 0)
        fail_msg("'%s': got '%.*s', want '%s'", line, (int)len, line + off, want);
}

/* Every line shape of SystemTap's _stp_snprint_addr() that the sprint_*
 * backtrace functions produce (runtime/sym.c), plus demangled names. */
static void test_frame_name(void **state)
{
    (void)state;
    /* sprint_backtrace / sprint_ubacktrace: _STP_SYM_SIMPLE */
    check_frame("schedule+0x25 [kernel]", "schedule");
    check_frame("ngx_http_core_run_phases+0x2d [nginx]", "ngx_http_core_run_phases");
    check_frame("main+0x10", "main");
    check_frame("0x7f3a2c1d4e5f [libc.so.6+0x1e4e5f]", "0x7f3a2c1d4e5f");
    check_frame("0x7f3a2c1d4e5f", "0x7f3a2c1d4e5f");
    check_frame("schedule+0x25 [kernel] (inexact)", "schedule");
    check_frame("0xffffffff81234567 (inexact)", "0xffffffff81234567");
    /* sprint_stack / sprint_ustack / sprint_syms: " %s : %s" of symdata() */
    check_frame(" 0xffffffff81234567 : schedule+0x25/0x80 [kernel]", "schedule");
    check_frame(" 0x00005555555551a9 : ngx_http_core_run_phases+0x2d/0x40 [/usr/sbin/nginx]",
                "ngx_http_core_run_phases");
    check_frame(" 0x00007f3a2c1d4e5f : __libc_start_main+0xf3/0x1c0", "__libc_start_main");
    check_frame(" 0x7f3a2c1d4e5f : 0x7f3a2c1d4e5f [libc.so.6+0x1e4e5f/0x1f0000]",
                "0x7f3a2c1d4e5f");
    check_frame(" 0x7f3a2c1d4e5f : 0x7f3a2c1d4e5f", "0x7f3a2c1d4e5f");
    check_frame("0xffffffff81234567 : schedule+0x25/0x80 [kernel]", "schedule");
    check_frame(" 0xffffffff81234567 : ", "0xffffffff81234567");
    /* modules with blanks and brackets, CRLF, tabs */
    check_frame("foo+0x10/0x20 [/opt/my app/bin [x]/srv]", "foo");
    check_frame(" 0x1 : foo+0x10/0x20 [/opt/a b+0x3 c/]", "foo");
    check_frame("foo [/opt/my app/lib [2]/x.so]", "foo");
    check_frame("\tfoo+0x1 [m]\r", "foo");
    /* C++ (demangled): blanks and '+' inside the name */
    check_frame("operator+(int)+0x10/0x20 [a.out]", "operator+(int)");
    check_frame("std::vector<int, std::allocator<int> >::push_back(int const&)+0x1f/0x40 [a.out]",
                "std::vector<int, std::allocator<int> >::push_back(int const&)");
    check_frame("f(int [3])+0x2", "f(int [3])");
    /* names that only look like addresses or offsets */
    check_frame("0xdeadbeef_handler+0x10 [m]", "0xdeadbeef_handler");
    check_frame("name+0xZZ", "name+0xZZ");
    check_frame("name+0x", "name+0x");
    check_frame("+0x10", "+0x10");
    check_frame("0x", "0x");
    check_frame("x", "x");
    /* no frames */
    check_frame("", NULL);
    check_frame(" \t\r", NULL);
    check_frame("<no user backtrace at kernel.function(\"schedule@kernel/sched/core.c:6600\")>",
                NULL);
    check_frame("<no kernel backtrace at timer.profile>", NULL);
}

/* Leaf-first stacks of every frame shape, folded root first. */
static void test_folded_frame_formats(void **state)
{
    (void)state;
    expect_s("@one\tschedule+0x25 [kernel]\\nschedule_hrtimeout_range+0x13 [kernel]\\n"
             "do_epoll_wait+0x4c5 [kernel]\\n__x64_sys_epoll_wait+0x1e [kernel]\\n"
             "do_syscall_64+0x5b [kernel]\\nentry_SYSCALL_64_after_hwframe+0x61 [kernel]\\n\t0\n"
             "@one\t 0x00005555555551a9 : ngx_http_core_run_phases+0x2d/0x40 [/usr/sbin/nginx]\\n"
             " 0x0000555555555100 : ngx_process_events_and_timers+0x99/0x1c0 [/usr/sbin/nginx]\\n"
             " 0x00007f3a2c1d4e5f : 0x7f3a2c1d4e5f [libc.so.6+0x29d90/0x1f0000]\\n"
             " 0x000055555555a000 : main+0x1f/0x80 [/usr/sbin/nginx]\\n\t0\n"
             "@one\t0x7f3a2c1d4e5f\\n0x7f3a2c1d0000 [libc.so.6+0x1234]\\nmain+0x10\t0\n"
             "@one\t 0xffffffff81234567 : schedule+0x25/0x80 [kernel]\\n"
             " 0xffffffff81000100 : entry_SYSCALL_64+0x10/0x20 [kernel]\\n\t0\n"
             "@one\tfoo+0x10/0x20 [/opt/my app/bin [x]/srv]\\n"
             "bar [/opt/my app/lib [2]/x.so]\\nbaz+0x1 [a b]\\n\t0\n",
             SG_FMT_FOLDED,
             "baz;bar;foo 1\n"
             "entry_SYSCALL_64;schedule 1\n"
             "entry_SYSCALL_64_after_hwframe;do_syscall_64;__x64_sys_epoll_wait;do_epoll_wait;"
             "schedule_hrtimeout_range;schedule 1\n"
             "main;0x7f3a2c1d0000;0x7f3a2c1d4e5f 1\n"
             "main;0x7f3a2c1d4e5f;ngx_process_events_and_timers;ngx_http_core_run_phases 1\n");
}

/* Equal folded stacks are summed: within a block for rows, over the whole
 * input for events (printed at the end); sorted frame by frame. */
static void test_folded_sum_and_order(void **state)
{
    (void)state;
    expect_s("@stapgen\tsample_bt\t1\n"
             "@smp\t1\tfoo+0x1\\nmain+0x2\tnginx\t10\n"
             "@report\tstacks\t100\n"
             "@bt\tb+0x1 [x]\\nmain+0x1 [x]\t\t3\n"
             "@bt\tb+0x9/0x10 [x]\\nmain+0x7/0x9 [x]\t\t4\n" /* same frames, other offsets */
             "@bt\tc\\nmain\t\t1\n"
             "@bt\tx\\nmain1\t\t1\n"  /* "main1" sorts after "main;..." */
             "@bt\tmain\t\t2\n"       /* a prefix sorts first */
             "@bt\tmain\t\t0\n"       /* COUNT <= 0: skipped */
             "@bt\tmain\t\t-5\n"
             "@top\tnginx\t99\n"      /* no stack field: ignored */
             "@sth\tmain\t64\t5\n"    /* histograms: ignored */
             "@report_end\tstacks\n"
             "@smp\t2\t 0x1 : foo+0x5/0x9 [nginx]\\n 0x2 : main+0x1/0x9 [nginx]\\n\tnginx\t5\n"
             "@report\tstacks\t101\n"
             "@bt\tb\\nmain\t\t1\n"
             "@report_end\tstacks\n"
             "@one\tfoo\\nmain\t0\n"  /* COUNT 1 */
             "@smp\t3\tzzz\tx\t-1\n"
             "@end\n",
             SG_FMT_FOLDED,
             "main 2\n"
             "main;b 7\n"
             "main;c 1\n"
             "main1;x 1\n"
             "main;b 1\n"
             "main;foo 16\n");
    /* saturating sums */
    expect_s("@one\tf\t0\n@smp\t1\tf\tx\t9223372036854775807\n@smp\t1\tf\tx\t5\n", SG_FMT_FOLDED,
             "f 9223372036854775807\n");
    /* a report block's stacks are summed with the events' and printed at the end */
    expect_s("@report\tstacks\t0\n@bt\tb\\nmain\t\t1\n@smp\t1\tz\tx\t1\n@bt\tb\\nmain\t\t1\n"
             "@report_end\tstacks\n", SG_FMT_FOLDED,
             "main;b 2\nz 1\n");
    expect_s("", SG_FMT_FOLDED, "");
}

/* What a format does differently comes from its row of the format table:
 * the fold state exactly for the stack formats (SG_FORMATS' stack column),
 * and svg options are ignored by a writer of another format (a folded
 * writer once took its fold state for svg's and wrote into it). */
static void test_format_table_behaviour(void **state)
{
    static const int stack[] = {
#define SG_FMT_STACK(e, name, st, what) st,
        SG_FORMATS(SG_FMT_STACK)
#undef SG_FMT_STACK
    };
    static const char in[] = "@stapgen\tsample_bt\t1\n@smp\t1\tfoo\\nmain\tnginx\t10\n"
                             "@one\tbar\\nmain\t0\n@end\n";
    size_t f;
    (void)state;
    for (f = 0; f < SG_NFORMATS; f++) {
        char *out = NULL;
        size_t len = 0;
        FILE *fo = open_memstream(&out, &len), *fi = fmemopen((void *)(uintptr_t)in, sizeof in - 1, "r");
        sg_svg_opts o;
        sg_reader *rd;
        sg_writer *w;
        const sg_kind *k;
        const sg_value *v;
        run_t ref;
        memset(&o, 0, sizeof o);
        o.unit = "us";
        o.width = 300;
        assert_non_null(fo);
        assert_non_null(fi);
        w = sg_writer_new(fo, &s_tool, (sg_format)f);
        rd = sg_reader_new(fi, "in", &s_tool, NULL);
        assert_non_null(w);
        assert_non_null(rd);
        assert_int_equal(sg_writer_fold(w) != NULL, stack[f]);
        sg_writer_reader(w, rd);
        while (sg_reader_next(rd, &k, &v)) {
            sg_writer_record(w, k, v);
            if (f != SG_FMT_SVG)
                sg_writer_svg(w, &o); /* after the fold state exists */
        }
        sg_writer_finish(w);
        assert_int_equal(sg_writer_error(w), 0);
        sg_writer_free(w);
        sg_reader_free(rd);
        fclose(fi);
        fclose(fo);
        if (f != SG_FMT_SVG) {
            run_s(in, (sg_format)f, &ref);
            assert_string_equal(out, ref.out);
            run_free(&ref);
        }
        free(out);
    }
}

/* Two stack fields: user stack (declared first) at the root, "-" between. */
static void test_folded_two_stacks(void **state)
{
    (void)state;
    expect_s("@report\tstacks\t0\n"
             "@bt\t ngx_worker+0x1/0x2 [nginx]\\n main+0x1/0x2 [nginx]\\n\t"
             " 0xffffffff81234567 : schedule+0x25/0x80 [kernel]\\n"
             " 0xffffffff81000100 : entry_SYSCALL_64+0x10/0x20 [kernel]\\n\t5\n"
             "@bt\tngx_worker\\nmain\t\t2\n"                       /* user only */
             "@bt\t\tschedule\\nentry_SYSCALL_64\t3\n"             /* kernel only */
             "@bt\t\t\t4\n"                                        /* neither */
             "@bt\t<no user backtrace at timer.profile>\\n\t\\n\\n\t1\n"
             "@bt\tngx_worker\\nmain\\n\t<no kernel backtrace at timer.profile>\\n\t1\n"
             "@report_end\tstacks\n",
             SG_FMT_FOLDED,
             "[unknown] 5\n"
             "entry_SYSCALL_64;schedule 3\n"
             "main;ngx_worker 3\n"
             "main;ngx_worker;-;entry_SYSCALL_64;schedule 5\n");
}

/* SG_STACK is a string everywhere else: raw in JSON and CSV, folded (root
 * first, one line) in the table, hashed like a string as a histogram key. */
static void test_stack_table_json_csv(void **state)
{
    static const char in[] =
        "@report\tstacks\t0\n"
        "@bt\t 0x1 : ngx_worker+0x1/0x2 [/usr/sbin/nginx]\\n 0x2 : main+0x1/0x2 [/usr/sbin/nginx]\\n"
        "\tschedule+0x25 [kernel]\\nentry_SYSCALL_64+0x10 [kernel]\\n\t5\n"
        "@bt\ta;b c+0x1\\n\"q\",x\t\t2\n"
        "@sth\tf\\nmain\t65\t2\n"
        "@sth\tf+0x1\\nmain\t65\t3\n" /* another key: raw strings differ */
        "@report_end\tstacks\n"
        "@one\tf+0x1 [m]\\nmain+0x2 [m]\t0\n";
    (void)state;
    expect_s(in, SG_FMT_TABLE,
             "== stacks 1970-01-01 00:00:00 ==\n"
             "USTACK           KSTACK                     COUNT\n"
             "main;ngx_worker  entry_SYSCALL_64;schedule      5\n"
             "\"q\",x;a_b_c                                     2\n"
             "\n"
             "sth stack=main;f\n"
             "     value               : count     distribution\n"
             "         1 -> 1          : 2        |****************************************|\n"
             "\n"
             "sth stack=main;f\n"
             "     value               : count     distribution\n"
             "         1 -> 1          : 3        |****************************************|\n"
             "\n"
             "KIND  STACK  TS\n"
             "one   main;f  1970-01-01 00:00:00\n");
    expect_s(in, SG_FMT_JSON,
             "{\"kind\":\"bt\",\"report\":\"stacks\",\"ts\":0,\"ustack\":\" 0x1 : "
             "ngx_worker+0x1/0x2 [/usr/sbin/nginx]\\n 0x2 : main+0x1/0x2 [/usr/sbin/nginx]\\n\","
             "\"kstack\":\"schedule+0x25 [kernel]\\nentry_SYSCALL_64+0x10 [kernel]\\n\","
             "\"count\":5}\n"
             "{\"kind\":\"bt\",\"report\":\"stacks\",\"ts\":0,\"ustack\":\"a;b c+0x1\\n\\\"q\\\",x\","
             "\"kstack\":\"\",\"count\":2}\n"
             "{\"kind\":\"sth\",\"report\":\"stacks\",\"ts\":0,\"stack\":\"f\\nmain\",\"buckets\":"
             "[{\"low\":1,\"high\":2,\"count\":2}]}\n"
             "{\"kind\":\"sth\",\"report\":\"stacks\",\"ts\":0,\"stack\":\"f+0x1\\nmain\",\"buckets\":"
             "[{\"low\":1,\"high\":2,\"count\":3}]}\n"
             "{\"kind\":\"one\",\"stack\":\"f+0x1 [m]\\nmain+0x2 [m]\",\"at\":0}\n");
    expect_s(in, SG_FMT_CSV,
             /* one header: bt's columns, smp's, one's, top's, sth's bounds */
             "kind,report,ts,ustack,kstack,count,pid,stack,comm,us,at,n,low,high\r\n"
             "bt,stacks,0,\" 0x1 : ngx_worker+0x1/0x2 [/usr/sbin/nginx]\n"
             " 0x2 : main+0x1/0x2 [/usr/sbin/nginx]\n\",\"schedule+0x25 [kernel]\n"
             "entry_SYSCALL_64+0x10 [kernel]\n\",5,,,,,,,,\r\n"
             "bt,stacks,0,\"a;b c+0x1\n\"\"q\"\",x\",,2,,,,,,,,\r\n"
             "sth,stacks,0,,,2,,\"f\nmain\",,,,,1,2\r\n"
             "sth,stacks,0,,,3,,\"f+0x1\nmain\",,,,,1,2\r\n"
             "one,,,,,,,\"f+0x1 [m]\nmain+0x2 [m]\",,,0,,,\r\n");
}

/* A minimal XML well-formedness check: one root element, balanced tags,
 * quoted attributes, known entities, valid UTF-8, no control characters. */
static int xml_ok(const char *s, size_t n) /* and CDATA sections */
{
    char stack[64][32];
    size_t depth = 0, i = 0, roots = 0;
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c == '<') {
            size_t j = i + 1, k = 0;
            int close = 0;
            char name[32];
            if (i + 1 < n && s[i + 1] == '?') {
                const char *e = strstr(s + i, "?>");
                if (!e || i != 0)
                    return 0;
                i = (size_t)(e - s) + 2;
                continue;
            }
            if (n - i >= 9 && memcmp(s + i, "<![CDATA[", 9) == 0) {
                const char *e = memmem(s + i + 9, n - i - 9, "]]>", 3);
                if (!e || !depth)
                    return 0;
                for (j = i + 9; s + j < e; j++)
                    if ((unsigned char)s[j] < 0x20 && s[j] != '\n' && s[j] != '\t')
                        return 0;
                i = (size_t)(e - s) + 3;
                continue;
            }
            if (j < n && s[j] == '/') {
                close = 1;
                j++;
            }
            while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '-' || s[j] == ':') &&
                   k < sizeof name - 1)
                name[k++] = s[j++];
            name[k] = '\0';
            if (!k)
                return 0;
            if (close) {
                if (j >= n || s[j] != '>' || !depth || strcmp(stack[depth - 1], name) != 0)
                    return 0;
                depth--;
                i = j + 1;
                continue;
            }
            for (;;) { /* attributes */
                size_t an = 0;
                while (j < n && s[j] == ' ')
                    j++;
                if (j < n && (s[j] == '>' || s[j] == '/'))
                    break;
                while (j < n && (isalnum((unsigned char)s[j]) || s[j] == '-' || s[j] == ':')) {
                    j++;
                    an++;
                }
                if (!an || j + 1 >= n || s[j] != '=' || s[j + 1] != '"')
                    return 0;
                j += 2;
                while (j < n && s[j] != '"') {
                    if (s[j] == '<' || (unsigned char)s[j] < 0x20)
                        return 0;
                    j++;
                }
                if (j >= n)
                    return 0;
                j++;
            }
            if (s[j] == '/') {
                if (j + 1 >= n || s[j + 1] != '>')
                    return 0;
                if (!depth)
                    roots++;
                i = j + 2;
                continue;
            }
            if (depth >= 64)
                return 0;
            if (!depth)
                roots++;
            strcpy(stack[depth++], name);
            i = j + 1;
            continue;
        }
        if (!depth && c != '\n')
            return 0; /* text outside the root */
        if (c == '&') {
            static const char *const ents[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&apos;"};
            size_t e;
            for (e = 0; e < 5; e++)
                if (n - i >= strlen(ents[e]) && memcmp(s + i, ents[e], strlen(ents[e])) == 0)
                    break;
            if (e == 5)
                return 0;
            i += strlen(ents[e]);
            continue;
        }
        if (c == '>' || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
            return 0;
        if (c >= 0x80) {
            unsigned long cp;
            size_t len = sg_utf8_seq((const unsigned char *)s + i, n - i, &cp);
            if (!len || cp == 0xFFFE || cp == 0xFFFF)
                return 0;
            i += len;
            continue;
        }
        i++;
    }
    return depth == 0 && roots == 1;
}

/* xml_ok, plus xmllint when it is installed. */
static void assert_xml(const char *s, size_t n)
{
    char path[] = "/tmp/test_rt_svgXXXXXX", cmd[128];
    int fd = mkstemp(path);
    FILE *f;
    assert_true(xml_ok(s, n));
    assert_true(fd >= 0);
    f = fdopen(fd, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
    snprintf(cmd, sizeof cmd,
             "if command -v xmllint >/dev/null 2>&1; then xmllint --noout %s; fi", path);
    assert_int_equal(system(cmd), 0);
    unlink(path);
}

static void test_xml_ok_checker(void **state)
{
    static const char *const bad[] = {
        "<a>", "<a></b>", "<a>&x;</a>", "<a>x<y</a>", "<a b=c/>", "<a/><b/>", "x<a/>",
        "<a>\xff</a>", "<a>\x01</a>", "<a>\xef\xbf\xbe</a>", "<a b=\"<\"/>",
    };
    size_t i;
    (void)state;
    static const char good[] = "<?xml version=\"1.0\"?>\n<a x=\"1\"><b/>t&amp;\xc3\xa9</a>\n";
    assert_true(xml_ok(good, sizeof good - 1));
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_false(xml_ok(bad[i], strlen(bad[i])));
}

static const char SVG_IN[] =
    "@stapgen\tsample_bt\t1\n"
    "@report\tstacks\t0\n"
    "@bt\t 0x1 : ngx_http_core_run_phases+0x2d/0x40 [nginx]\\n"
    " 0x2 : ngx_process_events_and_timers+0x99/0x1c0 [nginx]\\n 0x3 : main+0x1/0x9 [nginx]\\n"
    "\t 0xffffffff81234567 : schedule+0x25/0x80 [kernel]\\n\t6\n"
    "@bt\tngx_process_events_and_timers+0x1\\nmain+0x1\t\t2\n"
    "@bt\tepoll_wait+0x1\\nmain+0x1\t\t1\n"
    "@bt\tx<&>\\\"'y\\nmain+0x1\t\t1\n"
    "@report_end\tstacks\n"
    "@end\n";

static void test_svg(void **state)
{
    run_t r, r2;
    (void)state;
    run_s(SVG_IN, SG_FMT_SVG, &r);
    assert_string_equal(r.err, "");
    assert_xml(r.out, r.outlen);
    assert_memory_equal(r.out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n<svg ",
                        60);
    assert_non_null(strstr(r.out, "xmlns=\"http://www.w3.org/2000/svg\""));
    /* one fixed script; frame names are only in <title> and <text> */
    assert_non_null(strstr(r.out, "<script type=\"text/ecmascript\"><![CDATA[\n(function () {"));
    assert_null(strstr(strstr(r.out, "<script"), "ngx"));
    assert_null(strstr(strstr(r.out, "<script") + 1, "<script"));
    /* title, block label, root frame */
    assert_non_null(strstr(r.out, ">sample_bt</text>"));
    assert_non_null(strstr(r.out, ">stacks 1970-01-01 00:00:00 (10 samples)</text>"));
    assert_non_null(strstr(r.out, "<title>all (10 samples, 100.00%)</title>"
                                  "<rect x=\"10.0\" y=\""));
    /* main: 10/10; ngx_process_events_and_timers 8 of 10; epoll_wait 1 of 10 */
    assert_non_null(strstr(r.out, "<title>main (10 samples, 100.00%)</title><rect x=\"10.0\""));
    assert_non_null(strstr(r.out, "<title>ngx_process_events_and_timers (8 samples, 80.00%)"));
    assert_non_null(strstr(r.out, "<title>ngx_http_core_run_phases (6 samples, 60.00%)"));
    assert_non_null(strstr(r.out, "<title>schedule (6 samples, 60.00%, kernel)"));
    /* alphabetical per level: epoll_wait (x 10.0, width 118.0) first, then
     * ngx_... from x 128.0 over 944.0 px, then the escaped name */
    assert_non_null(strstr(r.out, "<title>epoll_wait (1 sample, 10.00%)</title><rect x=\"10.0\" "));
    assert_non_null(strstr(r.out, "width=\"118.0\" height=\"15\""));
    assert_non_null(strstr(r.out, "(8 samples, 80.00%)</title><rect x=\"128.0\""));
    assert_non_null(strstr(r.out, "width=\"944.0\" height=\"15\""));
    assert_non_null(strstr(r.out, "<title>x&lt;&amp;&gt;&quot;&apos;y (1 sample, 10.00%)</title>"
                                  "<rect x=\"1072.0\""));
    /* the user/kernel separator frame is grey */
    assert_non_null(strstr(r.out, "<title>- (6 samples, 60.00%)</title>"));
    assert_non_null(strstr(r.out, "fill=\"rgb(160,160,160)\""));
    assert_true(strstr(r.out, "</svg>\n") == r.out + r.outlen - 7);
    /* deterministic */
    run_s(SVG_IN, SG_FMT_SVG, &r2);
    assert_int_equal(r.outlen, r2.outlen);
    assert_memory_equal(r.out, r2.out, r.outlen);
    run_free(&r2);
    run_free(&r);
}

/* Empty input, no stack records, several blocks and events. */
static void test_svg_sections(void **state)
{
    run_t r;
    const char *p;
    (void)state;
    run_s("", SG_FMT_SVG, &r);
    assert_xml(r.out, r.outlen);
    assert_non_null(strstr(r.out, ">no stack samples</text>"));
    run_free(&r);
    run_s("@report\tstacks\t0\n@top\tx\t1\n@sth\tmain\t64\t5\n@report_end\tstacks\n", SG_FMT_SVG,
          &r);
    assert_xml(r.out, r.outlen);
    assert_non_null(strstr(r.out, ">no stack samples</text>"));
    assert_null(strstr(r.out, "<rect x=\"10.0\""));
    run_free(&r);
    run_s("@report\tstacks\t0\n@bt\tf\\nmain\t\t2\n@report_end\tstacks\n"
          "@smp\t1\tg\\nmain\tx\t3\n"
          "@report\tstacks\t60\n@bt\th\\nmain\t\t4\n@report_end\tstacks\n",
          SG_FMT_SVG, &r);
    assert_xml(r.out, r.outlen);
    p = strstr(r.out, ">stacks 1970-01-01 00:00:00 (2 samples)</text>");
    assert_non_null(p);
    p = strstr(p, ">stacks 1970-01-01 00:01:00 (4 samples)</text>");
    assert_non_null(p);
    p = strstr(p, ">events (3 samples)</text>");
    assert_non_null(p);
    assert_null(strstr(r.out, "no stack samples"));
    run_free(&r);
}

/* A very wide graph: frames under 0.1 px are left out, the rest stays. */
static void test_svg_min_width(void **state)
{
    run_t r;
    (void)state;
    run_s("@one\tbig\t0\n@smp\t1\ttiny\\nmain\tx\t1\n@smp\t1\tbig\tx\t100000000\n", SG_FMT_SVG,
          &r);
    assert_xml(r.out, r.outlen);
    assert_non_null(strstr(r.out, "<title>big (100000001 samples, 100.00%)"));
    assert_null(strstr(r.out, "tiny"));
    assert_null(strstr(r.out, "<title>main"));
    run_free(&r);
    /* 5% of 1180 px = 59 px: room for 8 characters, so 6 and ".."; 1% = 11.8
     * px: no text */
    run_s("@smp\t1\taveryverylongname\tx\t5\n@smp\t1\tb\tx\t94\n"
          "@smp\t1\tc\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\tx\t1\n",
          SG_FMT_SVG, &r);
    assert_xml(r.out, r.outlen);
    assert_non_null(strstr(r.out, "width=\"59.0\" height=\"15\" rx=\"2\" ry=\"2\" fill=\"rgb("));
    assert_non_null(strstr(r.out, ">averyv..</text></g>"));
    assert_non_null(strstr(r.out, "<title>c\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9 "
                                  "(1 sample, 1.00%)</title><rect x=\"1178.2\" y=\"60.0\" "
                                  "width=\"11.8\" height=\"15\" rx=\"2\" ry=\"2\" fill=\"rgb("));
    assert_null(strstr(r.out, "\">c\xc3\xa9")); /* no <text> */
    run_free(&r);
}

static char *hostile_stack_input(size_t *len)
{
    size_t cap = 4 * SG_MAX_LINE, n = 0, i;
    char *s = malloc(cap);
    assert_non_null(s);
    /* 10000 frames, leaf first: 270f ... 0 */
    n += (size_t)sprintf(s + n, "@one\t");
    for (i = 10000; i-- > 0;)
        n += (size_t)sprintf(s + n, "%zx\\n", i);
    n += (size_t)sprintf(s + n, "\t0\n");
    /* one frame in a line of exactly SG_MAX_LINE bytes */
    n += (size_t)sprintf(s + n, "@one\t");
    memset(s + n, 'a', SG_MAX_LINE - 11);
    n += SG_MAX_LINE - 11;
    n += (size_t)sprintf(s + n, "+0x1\t0\n");
    /* NUL bytes, invalid UTF-8, ';' and blanks, controls, U+2028, U+FFFE */
    n += (size_t)sprintf(s + n, "@one\tn\\000ul\\nbad\\377\\300utf\\nsemi;colon and space\\t\\v"
                                "+0x1\\nc\\001tl\\u2028\\u00a0x\\nr\\u00e9sum\\u00e9\\357\\277\\276"
                                "\\n\t0\n");
    /* an empty stack and one of blank lines only */
    n += (size_t)sprintf(s + n, "@one\t\t0\n@one\t\\n\\n \\r\\n\t0\n");
    assert_true(n < cap);
    *len = n;
    return s;
}

static void test_stack_hostile(void **state)
{
    size_t len, i;
    char *in = hostile_stack_input(&len), *want, *p;
    run_t r;
    (void)state;
    run_tool(&s_tool, in, len, SG_FMT_FOLDED, &r);
    assert_string_equal(r.err, "");
    assert_int_equal(r.records, 5);
    /* sorted by first byte: '0' < '[' < 'a' < 'r' */
    want = malloc(4 * SG_MAX_LINE);
    assert_non_null(want);
    p = want;
    for (i = 0; i < 10000; i++)
        p += sprintf(p, "%zx%s", i, i + 1 < 10000 ? ";" : " 1\n");
    p += sprintf(p, "[unknown] 2\n");
    memset(p, 'a', SG_MAX_LINE - 11);
    p += SG_MAX_LINE - 11;
    p += sprintf(p, " 1\n");
    sprintf(p, "r\xc3\xa9sum\xc3\xa9\xef\xbf\xbe;c_tl__x;semi_colon_and_space;bad\\377\\300utf;"
               "n_ul 1\n");
    assert_string_equal(r.out, want);
    free(want);
    run_free(&r);

    /* the same in every other format: no crash, one line per record in the
     * table, well-formed SVG */
    run_tool(&s_tool, in, len, SG_FMT_TABLE, &r);
    assert_string_equal(r.err, "");
    for (i = 0, p = r.out; (p = strchr(p, '\n')) != NULL; p++)
        i++;
    assert_int_equal(i, 6); /* header + 5 rows */
    assert_non_null(strstr(r.out, "r\xc3\xa9sum\xc3\xa9\xef\xbf\xbe;c_tl__x;semi_colon_and_space;"
                                  "bad\\377\\300utf;n_ul  "));
    run_free(&r);
    run_tool(&s_tool, in, len, SG_FMT_SVG, &r);
    assert_string_equal(r.err, "");
    assert_xml(r.out, r.outlen);
    assert_non_null(strstr(r.out, "<title>[unknown] (2 samples, 40.00%)</title>"));
    assert_non_null(strstr(r.out, "<title>r\xc3\xa9sum\xc3\xa9? (1 sample, 20.00%)</title>"));
    assert_non_null(strstr(r.out, "<title>bad\\377\\300utf (1 sample, 20.00%)</title>"));
    assert_non_null(strstr(r.out, "<title>270f (1 sample, 20.00%)</title>"));
    run_free(&r);
    run_tool(&s_tool, in, len, SG_FMT_JSON, &r);
    assert_string_equal(r.err, "");
    run_free(&r);
    run_tool(&s_tool, in, len, SG_FMT_CSV, &r);
    assert_string_equal(r.err, "");
    run_free(&r);
    free(in);
}

/* Bad escapes in a stack drop the line like in any string. */
static void test_stack_bad_escape(void **state)
{
    run_t r;
    (void)state;
    run_s("@one\tf\\q\t0\n@one\tf\\nmain\t0\n", SG_FMT_FOLDED, &r);
    assert_string_equal(r.out, "main;f 1\n");
    assert_string_equal(r.err, "in:1: dropped: @one: field 'stack': bad escape \"\\\\q\"\n");
    assert_int_equal(r.dropped, 1);
    run_free(&r);
}

/* The writer fed directly: stacks are folded at once, values not kept. */
static void test_writer_folded_direct(void **state)
{
    char *out = NULL, buf[16];
    size_t outlen = 0;
    FILE *fo = open_memstream(&out, &outlen);
    sg_writer *w;
    sg_value v[3];
    (void)state;
    assert_non_null(fo);
    w = sg_writer_new(fo, &s_tool, SG_FMT_FOLDED);
    assert_non_null(w);
    memset(v, 0, sizeof v);
    strcpy(buf, "f\nmain");
    v[0].s = buf;
    v[0].slen = strlen(buf);
    v[2].l = 2;
    sg_writer_record(w, &s_kinds[0], v); /* no kstack: s NULL */
    strcpy(buf, "xxxxxx");
    sg_writer_record(w, &s_kinds[0], v);
    sg_writer_finish(w);
    sg_writer_finish(w); /* nothing more */
    assert_int_equal(sg_writer_error(w), 0);
    sg_writer_free(w);
    fclose(fo);
    assert_string_equal(out, "main;f 2\nxxxxxx 2\n");
    free(out);
    /* svg: one document even if finish is called twice */
    out = NULL;
    fo = open_memstream(&out, &outlen);
    w = sg_writer_new(fo, &s_tool, SG_FMT_SVG);
    sg_writer_record(w, &s_kinds[0], v);
    sg_writer_finish(w);
    sg_writer_finish(w);
    sg_writer_free(w);
    fclose(fo);
    assert_xml(out, outlen);
    free(out);
}

/* ---- sg_main -------------------------------------------------------------- */

typedef struct main_res {
    int rc;
    char out[8192];
    char err[8192];
} main_res;

static void slurp(const char *path, char *buf, size_t sz)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    if (f) {
        n = fread(buf, 1, sz - 1, f);
        fclose(f);
    }
    buf[n] = '\0';
}

/* Runs sg_main with stdout/stderr redirected to files. */
static void run_main_tool(const sg_tool *tool, const char *const *args, main_res *res)
{
    char *argv[16];
    int argc = 0, so, se, fd;
    char outp[] = "/tmp/test_rt_outXXXXXX", errp[] = "/tmp/test_rt_errXXXXXX";
    while (args[argc]) {
        argv[argc] = (char *)(uintptr_t)args[argc];
        argc++;
    }
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    so = dup(1);
    se = dup(2);
    fd = mkstemp(outp);
    assert_true(fd >= 0);
    dup2(fd, 1);
    close(fd);
    fd = mkstemp(errp);
    assert_true(fd >= 0);
    dup2(fd, 2);
    close(fd);
    res->rc = sg_main(argc, argv, tool);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    slurp(outp, res->out, sizeof res->out);
    slurp(errp, res->err, sizeof res->err);
    unlink(outp);
    unlink(errp);
}

static void run_main(const char *const *args, main_res *res)
{
    run_main_tool(&t_tool, args, res);
}

static void write_file(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static void test_main(void **state)
{
    main_res res;
    char outf[64], inbuf[] = "/tmp/test_rt_inXXXXXX", want[256];
    const char *in = inbuf;
    int fd = mkstemp(inbuf);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_file(in, "@conn\t1\ta\n@end\n");
    {
        const char *a[] = {"p", "-f", "json", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"a\"}\n");
        assert_string_equal(res.err, "");
    }
    {
        const char *a[] = {"p", "--format=csv", "--", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, T_CSV_HEAD "conn,,,1,a,,,,,\r\n");
    }
    {
        const char *a[] = {"p", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, "   PID  COMM\n     1  a\n");
    }
    snprintf(outf, sizeof outf, "/tmp/test_rt_out_%ld.json", (long)getpid());
    {
        const char *a[] = {"p", "-fjson", "-o", outf, in, NULL};
        char buf[256];
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, "");
        slurp(outf, buf, sizeof buf);
        assert_string_equal(buf, "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"a\"}\n");
        unlink(outf);
    }
    /* the parser's own path (numbers and strings copied from the line) */
    write_file(in, "@conn\t1\ta\\377\n@end\n");
    {
        const char *a[] = {"p", "-f", "json", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"a\\ufffd\",\"comm.hex\":\"61ff\"}\n");
    }
    write_file(in, "junk\n@conn\t2\tb\n@end\n");
    {
        const char *a[] = {"p", "--format", "json", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 3);
        assert_string_equal(res.out, "{\"kind\":\"conn\",\"pid\":2,\"comm\":\"b\"}\n");
        snprintf(want, sizeof want, "%s:1: dropped: not a record: \"junk\"\n", in);
        assert_string_equal(res.err, want);
    }
    {
        const char *a[] = {"p", "--help", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_non_null(strstr(res.out, "usage: p [-f table|json|csv|folded|svg] [-o FILE] [FILE|-]\n"));
        assert_non_null(strstr(res.out, "'tcp_conn' (spec specs/net/tcp_conn.yaml)"));
    }
    {
        const char *a[] = {"p", "-f", "xml", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
        assert_string_equal(res.err, "p: unknown format 'xml' (table, json, csv, folded or svg)\n"
                                     "usage: p [-f table|json|csv|folded|svg] [-o FILE] [FILE|-]  "
                                     "(--help for more)\n");
    }
    {
        const char *a[] = {"p", "-f", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
    }
    {
        const char *a[] = {"p", "-x", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
    }
    {
        const char *a[] = {"p", in, in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
    }
    {
        const char *a[] = {"p", "/nonexistent/dir/x", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 1);
        assert_non_null(strstr(res.err, "cannot open '/nonexistent/dir/x'"));
    }
    {
        const char *a[] = {"p", "-o", "/nonexistent/dir/out", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 1);
    }
    {
        const char *a[] = {"p", "-o", "/dev/full", in, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 1);
        assert_non_null(strstr(res.err, "write error"));
    }
    unlink(in);
}

/* A stream without the script's end report (@end last) is a run cut off:
 * everything read is printed, one line says so, exit SG_EXIT_CUT (4). */
static void test_main_cut_off(void **state)
{
    main_res res;
    char inbuf[] = "/tmp/test_rt_inXXXXXX", want[512];
    const char *a[] = {"p", "-f", "json", inbuf, NULL};
    int fd = mkstemp(inbuf);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@conn\t1\ta\n");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_CUT);
    assert_string_equal(res.out, "{\"kind\":\"conn\",\"pid\":1,\"comm\":\"a\"}\n");
    snprintf(want, sizeof want, "p: %s: input ended before the script's end report (@end): the run "
             "was cut off; figures are incomplete\n", inbuf);
    assert_string_equal(res.err, want);
    /* cut in the middle of a line: the line is dropped, 4 wins over 3 */
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@conn\t1\ta\n@conn\t2");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_CUT);
    assert_non_null(strstr(res.err, ":3: dropped: truncated last line"));
    assert_non_null(strstr(res.err, "figures are incomplete\n"));
    /* a run after a complete one, cut off; records after @end */
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@end\n@stapgen\ttcp_conn\t1\n@conn\t1\ta\n");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_CUT);
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@end\n@conn\t1\ta\n");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_CUT);
    /* stap's warnings after @end are dropped lines, not records: 3 */
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@end\nWARNING: Number of errors: 0, skipped probes: 1\n");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_DROPPED);
    /* two complete runs */
    write_file(inbuf, "@stapgen\ttcp_conn\t1\n@end\n@stapgen\ttcp_conn\t1\n@conn\t1\ta\n@end\n");
    run_main(a, &res);
    assert_int_equal(res.rc, 0);
    assert_string_equal(res.err, "");
    /* nothing at all */
    write_file(inbuf, "");
    run_main(a, &res);
    assert_int_equal(res.rc, SG_EXIT_CUT);
    assert_string_equal(res.out, "");
    snprintf(want, sizeof want, "p: %s: the input is empty: the script printed nothing (no @stapgen, "
             "no end report @end); no figures\n", inbuf);
    assert_string_equal(res.err, want);
    /* an open report block cut off: its rows are printed */
    {
        const char *b[] = {"p", inbuf, NULL};
        write_file(inbuf, "@stapgen\tsample_bt\t1\n@report\tstacks\t0\n@bt\tf+0x1 [a]\tg+0x1 [kernel]\t3\n");
        run_main_tool(&s_tool, b, &res);
        assert_int_equal(res.rc, SG_EXIT_CUT);
        assert_non_null(strstr(res.out, "3"));
        assert_non_null(strstr(res.err, "has no @report_end before the end of the input\n"));
        assert_non_null(strstr(res.err, "figures are incomplete\n"));
    }
    {
        const char *h[] = {"p", "--help", NULL};
        run_main(h, &res);
        assert_non_null(strstr(res.out, "4 the input ended before @end"));
    }
    unlink(inbuf);
}

/* sg_stap_log on text in memory: its lines into a malloc'ed string. */
static char *stap_log_of(const char *log, size_t len, int *rc)
{
    FILE *fi, *fo;
    char *out = NULL;
    size_t outn = 0;
    if (len == SIZE_MAX)
        len = strlen(log);
    fi = fmemopen((void *)(uintptr_t)log, len, "r");
    fo = open_memstream(&out, &outn);
    assert_non_null(fi);
    assert_non_null(fo);
    *rc = sg_stap_log(fi, "t-parse", fo);
    fclose(fo);
    fclose(fi);
    return out;
}

/* stap's own texts (SystemTap 4.8: the runtime's _stp_warn/_stp_error
 * through staprun, the translator's end-of-run summary). */
static void test_stap_log(void **state)
{
    int rc;
    char *out;
    static const char log[] =
        "WARNING: probe process(\"/bin/x\").function(\"y\") registration error (rc -5)\n"
        "ERROR: Array overflow, check MAXMAPENTRIES near identifier 'counts' at /tmp/t.stp:12:9\n"
        "ERROR: Array overflow, check size limit (100) near identifier 'seen' at /tmp/t.stp:14:3\n"
        "WARNING: Number of errors: 2, skipped probes: 3\n"
        "WARNING: Skipped due to global '__global_counts' lock timeout: 1\n"
        "WARNING: Skipped due to reentrancy: 2\n"
        "\033[1m\033[35mWARNING:\033[0m There were 12 transport failures. Try stap -s to increase "
        "the buffer size from 16.\r\n"
        "WARNING: /usr/bin/staprun exited with status: 1\n"
        "Pass 5: run failed.  [man error::pass5]\n";
    (void)state;
    out = stap_log_of(log, sizeof log - 1, &rc);
    assert_int_equal(rc, SG_EXIT_LOSS);
    assert_string_equal(out,
        "t-parse: lost data: 12 transport failures (records dropped: stap's buffers were full; "
        "stap -s MB raises them)\n"
        "t-parse: skipped probes: 3 probe hits not run (their records are missing; lock timeout: 1, "
        "reentrancy: 2)\n"
        "t-parse: probe errors: 2 handlers stopped at an error (the rest of each handler did not run; "
        "see stap's ERROR lines)\n"
        "t-parse: array overflow: 2 entries refused by a full map (MAXMAPENTRIES or the map's size "
        "limit: they were not stored)\n");
    free(out);
    /* the run stopped by stap's protections; a kill before the summary:
     * the reasons are the count */
    out = stap_log_of("ERROR: probe overhead (1073741824 cycles) exceeded threshold (500000000 "
                      "cycles) in last 1000000000 cycles\n"
                      "WARNING: Skipped due to missed kprobe on 'kernel.function(\"vfs_read\")': 7\n"
                      "ERROR: Skipped too many probes, check MAXSKIPPED or try again with stap -t for "
                      "more details.\n"
                      "ERROR: MAXACTION exceeded near keyword at /tmp/t.stp:3:5\n"
                      "ERROR: Couldn't reserve any print buffer space\n", SIZE_MAX, &rc);
    assert_int_equal(rc, SG_EXIT_LOSS);
    assert_string_equal(out,
        "t-parse: lost data: 1 record without print buffer space (not printed)\n"
        "t-parse: skipped probes: 7 probe hits not run (their records are missing; missed kprobe: 7)\n"
        "t-parse: MAXACTION exceeded: 1 handler stopped (a handler ran too many statements)\n"
        "t-parse: stopped early: probe overhead exceeded stap's threshold (the run ended before its "
        "time: STP_OVERLOAD_THRESHOLD per STP_OVERLOAD_INTERVAL)\n"
        "t-parse: stopped early: too many skipped probes (MAXSKIPPED) (the run ended before its "
        "time)\n");
    free(out);
    /* a clean run: stap's usual chatter, a zero summary */
    out = stap_log_of("Pass 1: parsed user script and 484 library scripts\n"
                      "WARNING: Number of errors: 0, skipped probes: 0\n"
                      "WARNING: There were  transport failures\n"
                      "ERROR: Array overflow near nothing\n", SIZE_MAX, &rc);
    assert_int_equal(rc, 0);
    assert_true(out == NULL || out[0] == '\0');
    free(out);
    /* hostile: counts past 2^64 saturate, an overlong line, NUL bytes, no
     * final newline */
    {
        size_t n = 100000, len;
        char *big = malloc(n + 200);
        assert_non_null(big);
        memset(big, 'x', n);
        big[10] = '\0';
        len = n + (size_t)sprintf(big + n, "\nWARNING: There were 99999999999999999999999 transport "
                                            "failures. Try");
        out = stap_log_of(big, len, &rc);
        assert_int_equal(rc, SG_EXIT_LOSS);
        assert_non_null(strstr(out, "lost data: 18446744073709551615 transport failures"));
        free(out);
        free(big);
    }
}

static void test_main_stap_log(void **state)
{
    main_res res;
    char inbuf[] = "/tmp/test_rt_inXXXXXX";
    int fd = mkstemp(inbuf);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_file(inbuf, "WARNING: There were 3 transport failures. Try stap -s to increase the buffer "
                      "size from 16.\n");
    {
        const char *a[] = {"p", "--stap-log", inbuf, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, SG_EXIT_LOSS);
        assert_string_equal(res.out, "");
        assert_string_equal(res.err, "p: lost data: 3 transport failures (records dropped: stap's "
                                     "buffers were full; stap -s MB raises them)\n");
    }
    write_file(inbuf, "Pass 5: starting run.\n");
    {
        const char *a[] = {"p", "--stap-log=" , NULL};
        char opt[64];
        snprintf(opt, sizeof opt, "--stap-log=%s", inbuf);
        a[1] = opt;
        run_main(a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.err, "");
    }
    {
        const char *a[] = {"p", "--stap-log", inbuf, inbuf, NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
        assert_non_null(strstr(res.err, "--stap-log FILE takes no other input or output"));
    }
    {
        const char *a[] = {"p", "--stap-log", "/nonexistent/log", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 1);
    }
    {
        const char *a[] = {"p", "--stap-log", NULL};
        run_main(a, &res);
        assert_int_equal(res.rc, 2);
    }
    unlink(inbuf);
}

/* sg_svg_folded on folded text in memory: diag text into *err. */
static char *svg_of_folded(const char *a, const char *b, const sg_svg_opts *o, int *rc, char **err)
{
    FILE *fa = fmemopen((void *)a, strlen(a), "r"), *fb = b ? fmemopen((void *)b, strlen(b), "r") : NULL;
    char *out = NULL;
    size_t outn = 0, errn = 0;
    FILE *fo = open_memstream(&out, &outn), *fe = open_memstream(err, &errn);
    assert_non_null(fa);
    assert_non_null(fo);
    assert_non_null(fe);
    *rc = sg_svg_folded(fo, o, fa, "a", fb, "b", fe);
    fclose(fo);
    fclose(fe);
    fclose(fa);
    if (fb)
        fclose(fb);
    assert_xml(out, outn);
    return out;
}

/* Folded input: counts saturate, bad lines are reported, a line of any
 * length, empty input; the differential graph; options. */
static void test_svg_folded(void **state)
{
    int rc;
    char *out, *err, *big;
    sg_svg_opts o;
    size_t i;
    (void)state;
    memset(&o, 0, sizeof o);
    out = svg_of_folded("m;f 9223372036854775807\nm;f 5\nm;g 1\nm;h 99999999999999999999\n"
                        "m;i x\n", NULL, &o, &rc, &err);
    assert_int_equal(rc, 3);
    assert_non_null(strstr(out, "<title>f (9223372036854775807 samples, 100.00%)</title>"));
    assert_non_null(strstr(err, "a:4: dropped: COUNT too large: m;h 99999999999999999999\n"));
    assert_non_null(strstr(err, "a:5: dropped: COUNT is not a whole number: m;i x\n"));
    free(out);
    free(err);
    /* totals past INT64_MAX: every frame stays, counts exact (the offsets
     * saturated and dropped b and c) */
    out = svg_of_folded("m;a 9223372036854775807\nm;b 9223372036854775807\nc 9223372036854775807\n",
                        NULL, &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "data-s=\"0\" data-n=\"9223372036854775807\"><title>c "
                                "(9223372036854775807 samples, 33.33%)</title>"));
    assert_non_null(strstr(out, "data-s=\"9223372036854775807\" data-n=\"9223372036854775807\"><title>a "
                                "(9223372036854775807 samples, 33.33%)</title>"));
    assert_non_null(strstr(out, "data-s=\"18446744073709551614\" data-n=\"9223372036854775807\"><title>b "
                                "(9223372036854775807 samples, 33.33%)</title>"));
    assert_non_null(strstr(out, "<title>m (18446744073709551614 samples, 66.67%)</title>"));
    assert_non_null(strstr(out, "<title>all (27670116110564327421 samples, 100.00%)</title>"));
    assert_non_null(strstr(out, "data-t=\"27670116110564327421\""));
    free(out);
    free(err);
    /* the same in a --diff, with a decrease past INT64_MAX */
    out = svg_of_folded("m;a 9223372036854775807\nm;b 9223372036854775807\nm;c 9223372036854775807\n",
                        "m;a 1\n", &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "<title>m (1 sample, 100.00%; before: 27670116110564327421, "
                                "-27670116110564327420)</title>"));
    free(out);
    free(err);
    out = svg_of_folded("", NULL, &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, ">no stack samples</text>"));
    assert_string_equal(err, "");
    free(out);
    free(err);
    /* a frame of 200,000 bytes: no line limit, the label is cut */
    big = malloc(200010);
    assert_non_null(big);
    memcpy(big, "m;", 2);
    for (i = 2; i < 200002; i++)
        big[i] = (char)('a' + i % 26);
    memcpy(big + i, " 3\n", 4);
    o.width = 300;
    o.inverted = 1;
    o.title = "<t>";
    o.unit = "ms";
    out = svg_of_folded(big, NULL, &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "width=\"300\""));
    assert_non_null(strstr(out, ">&lt;t&gt;</text>"));
    assert_non_null(strstr(out, " (3 ms, 100.00%)</title>"));
    assert_non_null(strstr(out, "..</text>"));
    /* inverted: the root (data-d 0) is the first row */
    assert_non_null(strstr(out, "data-d=\"0\" data-s=\"0\" data-n=\"3\"><title>all (3 ms, 100.00%)</title>"
                                "<rect x=\"10.0\" y=\"60.0\""));
    free(out);
    free(err);
    free(big);
    /* diff: b's widths, a's counts as "before"; a stack only in a has no frame */
    memset(&o, 0, sizeof o);
    out = svg_of_folded("m;f 4\nm;g 2\nm;gone 6\n", "m;f 6\nm;g 1\n", &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "<title>f (6 samples, 85.71%; before: 4, +2)</title>"));
    assert_non_null(strstr(out, "<title>g (1 sample, 14.29%; before: 2, -1)</title>"));
    assert_non_null(strstr(out, "<title>m (7 samples, 100.00%; before: 12, -5)</title>"));
    assert_non_null(strstr(out, ">b vs a (7 samples; before: 12 samples)</text>"));
    assert_null(strstr(out, "gone"));
    free(out);
    free(err);
    /* all of b's stacks gone: no frames, still a document */
    out = svg_of_folded("m;f 4\n", "", &o, &rc, &err);
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "class=\"f "));
    free(out);
    free(err);
}

/* The svg writer's kernel frames: marked only for svg, not -f folded. */
static void test_svg_kernel(void **state)
{
    run_t r;
    (void)state;
    run_s("@report\tstacks\t0\n@bt\t\tschedule+0x1 [kernel]\\nsys_poll+0x2 [kernel]\t2\n"
          "@bt\tpoll+0x1 [libc.so.6]\\nmain+0x2 [a]\t 0xffffffff81000000 : do_x+0x1/0x2\t3\n@report_end\tstacks\n",
          SG_FMT_SVG, &r);
    assert_non_null(strstr(r.out, "class=\"f k\" data-d=\"2\" data-s=\"3\" data-n=\"2\"><title>schedule (2 samples, 40.00%, kernel)"));
    assert_non_null(strstr(r.out, "<title>do_x (3 samples, 60.00%, kernel)"));
    assert_non_null(strstr(r.out, "class=\"f u\" data-d=\"2\" data-s=\"0\" data-n=\"3\"><title>poll (3 samples, 60.00%)"));
    assert_non_null(strstr(r.out, "class=\"f s\""));
    assert_null(strstr(r.out, "_[k]"));
    run_free(&r);
    run_s("@report\tstacks\t0\n@bt\t\tschedule+0x1 [kernel]\\nsys_poll+0x2 [kernel]\t2\n", SG_FMT_FOLDED,
          &r);
    assert_string_equal(r.out, "sys_poll;schedule 2\n");
    run_free(&r);
}

static void test_main_stacks(void **state)
{
    main_res res;
    char inbuf[] = "/tmp/test_rt_inXXXXXX";
    int fd = mkstemp(inbuf);
    (void)state;
    assert_true(fd >= 0);
    close(fd);
    write_file(inbuf, "@stapgen\tsample_bt\t1\n@report\tstacks\t0\n"
                      "@bt\tf+0x1 [a]\\nmain+0x2 [a]\\n\tschedule+0x1 [kernel]\t3\n"
                      "@bt\tf+0x9 [a]\\nmain+0x2 [a]\\n\tschedule+0x1 [kernel]\t2\n"
                      "@report_end\tstacks\n@end\n");
    {
        const char *a[] = {"p", "-f", "folded", inbuf, NULL};
        run_main_tool(&s_tool, a, &res);
        assert_int_equal(res.rc, 0);
        assert_string_equal(res.out, "main;f;-;schedule 5\n");
        assert_string_equal(res.err, "");
    }
    {
        const char *a[] = {"p", "--format=svg", inbuf, NULL};
        run_main_tool(&s_tool, a, &res);
        assert_int_equal(res.rc, 0);
        assert_xml(res.out, strlen(res.out));
        assert_non_null(strstr(res.out, "<title>schedule (5 samples, 100.00%, kernel)</title>"));
        assert_string_equal(res.err, "");
    }
    {
        const char *a[] = {"p", "-h", NULL};
        run_main_tool(&s_tool, a, &res);
        assert_int_equal(res.rc, 0);
        assert_non_null(strstr(res.out, "folded: stack records as 'root;...;leaf COUNT' lines"));
        assert_non_null(strstr(res.out, "svg: a flame graph of the stack records"));
    }
    write_file(inbuf, "junk\n@report\tstacks\t0\n@bt\tf\tg\t1\n@report_end\tstacks\n@end\n");
    {
        const char *a[] = {"p", "-ffolded", inbuf, NULL};
        run_main_tool(&s_tool, a, &res);
        assert_int_equal(res.rc, 3);
        assert_string_equal(res.out, "f;-;g 1\n");
    }
    unlink(inbuf);
}


/* ---- SG_INET: IP addresses --------------------------------------------------- */

static void test_inet6_canon(void **state)
{
    static const struct { const char *in, *out; } cases[] = {
        /* what stap's format_ipaddr() prints ("%pI6": eight groups in full) */
        {"0000:0000:0000:0000:0000:ffff:7f00:0001", "::ffff:127.0.0.1"},
        {"0000:0000:0000:0000:0000:0000:0000:0001", "::1"},
        {"0000:0000:0000:0000:0000:0000:0000:0000", "::"},
        {"fe80:0000:0000:0000:0000:0000:0000:0001", "fe80::1"},
        {"2001:0db8:0000:0000:0001:0000:0000:0001", "2001:db8::1:0:0:1"}, /* the first of equal runs */
        {"2001:0db8:0000:0001:0000:0000:0000:0001", "2001:db8:0:1::1"},   /* the longest run */
        {"2001:0db8:0000:0001:0001:0001:0001:0001", "2001:db8:0:1:1:1:1:1"}, /* no "::" for one group */
        {"0000:0000:0000:0000:0000:ffff:0a03:fe77", "::ffff:10.3.254.119"},
        {"0000:0000:0000:0000:0000:ffff:0000:0000", "::ffff:0.0.0.0"},
        {"0000:0000:0000:0000:ffff:ffff:7f00:0001", "::ffff:ffff:7f00:1"}, /* not mapped */
        {"0000:0000:0000:0000:0000:0000:7f00:0001", "::7f00:1"},           /* IPv4-compatible: hex */
        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
        {"FE80:0000:0000:0000:ABCD:0000:0000:0000", "fe80::abcd:0:0:0"},
        {"0001:0000:0000:0000:0000:0000:0000:0000", "1::"},
        /* other text forms of RFC 4291, e.g. a newer stap's "%pI6c" */
        {"::1", "::1"},
        {"::ffff:127.0.0.1", "::ffff:127.0.0.1"},
        {"::ffff:7f00:1", "::ffff:127.0.0.1"}, /* longer than it came */
        {"::FFFF:255.255.255.255", "::ffff:255.255.255.255"},
        {"1::2:3:4:5:6:7", "1:0:2:3:4:5:6:7"},  /* longer: "::" for one group */
        {"1:2:3:4:5:6:7::", "1:2:3:4:5:6:7:0"},
        {"0:0:0:0:0:0:1.2.3.4", "::102:304"},
        {"0000:0000:0000:0000:0000:0000:255.255.255.255", "::ffff:ffff"},
        /* not IPv6 text: 0, left as it came */
        {"127.0.0.1", NULL},
        {"*unknown address family*", NULL},
        {"", NULL},
        {":", NULL},
        {"::", "::"},
        {":::", NULL},
        {":1", NULL},
        {"1:", NULL},
        {"::1:", NULL},
        {"1::2::3", NULL},
        {"1:2:3:4:5:6:7", NULL},              /* seven groups, no "::" */
        {"1:2:3:4:5:6:7:8:9", NULL},
        {"1::2:3:4:5:6:7:8", NULL},           /* "::" for no group */
        {"1:2:3:4:5:6:7:8::", NULL},
        {"00000::1", NULL},                   /* five digits */
        {"g::1", NULL},
        {"::1 ", NULL},
        {"::1%lo", NULL},
        {"::ffff:127.0.0.01", NULL},          /* a leading zero */
        {"::ffff:256.0.0.1", NULL},
        {"::ffff:1.2.3", NULL},
        {"::ffff:1.2.3.4.5", NULL},
        {"::1.2.3.4:5", NULL},
        {"1:2:3:4:5:6:7:1.2.3.4", NULL},      /* nine groups */
        {"::ffff:1.2.3.", NULL},
        {"::ffff:.1.2.3", NULL},
        {"::12345.1.1.1", NULL},
        {"0000:0000:0000:0000:0000:0000:0000:0000:", NULL},
        {"0000:0000:0000:0000:0000:0000:0000:00000", NULL}, /* 46 bytes */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char o[SG_INET6_MAX_CANON + 1] = "untouched";
        size_t n = sg_inet6_canon(o, cases[i].in, strlen(cases[i].in));
        if (!cases[i].out) {
            if (n)
                fail_msg("'%s' gave '%s', wanted no address", cases[i].in, o);
            assert_string_equal(o, "untouched");
            continue;
        }
        if (!n || strcmp(o, cases[i].out) || n != strlen(o))
            fail_msg("'%s' gave '%s' (%zu), wanted '%s'", cases[i].in, n ? o : "", n, cases[i].out);
    }
}

/* Against libc: sg_inet6_canon takes what inet_pton(AF_INET6) takes, gives
 * the same address, and the text inet_ntop writes (but for the deprecated
 * IPv4-compatible ::a.b.c.d, which RFC 5952 writes in hex).  Random
 * address-like strings, and mutations of random addresses' texts. */
static void test_inet6_canon_vs_libc(void **state)
{
    static const char alpha[] = "0123456789abcdefABCDEF::::....0000fx %";
    unsigned long long seed = 0x5eed1234abcdULL;
    unsigned long agreed = 0;
    (void)state;
    for (int it = 0; it < 400000; it++) {
        char s[64], o[SG_INET6_MAX_CANON + 1], want[INET6_ADDRSTRLEN];
        unsigned char a[16], b[16];
        size_t n = 0;
        seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
        if (it % 2) { /* a real address written some way, then maybe mutated */
            for (int j = 0; j < 16; j++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                a[j] = (seed >> 40) % 4 ? 0 : (unsigned char)(seed >> 32);
            }
            if (it % 6 == 1)
                memcpy(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12);
            if (it % 4 == 1)
                n = (size_t)sprintf(s, "%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x:%02x%02x",
                                    a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8], a[9], a[10],
                                    a[11], a[12], a[13], a[14], a[15]);
            else
                n = strlen(inet_ntop(AF_INET6, a, s, sizeof s));
            if ((seed >> 20) % 3 == 0 && n) { /* one byte changed, dropped or added */
                size_t at = (size_t)(seed >> 8) % n;
                char c = alpha[(seed >> 30) % (sizeof alpha - 1)];
                switch ((seed >> 50) % 3) {
                case 0: s[at] = c; break;
                case 1: memmove(s + at, s + at + 1, n - at); n--; break;
                default: memmove(s + at + 1, s + at, n - at + 1); s[at] = c; n++; break;
                }
            }
        } else {
            n = (size_t)(seed >> 58) % 48;
            for (size_t j = 0; j < n; j++) {
                seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
                s[j] = alpha[(seed >> 33) % (sizeof alpha - 1)];
            }
        }
        s[n] = '\0';
        size_t got = sg_inet6_canon(o, s, n);
        int ok = inet_pton(AF_INET6, s, b) == 1;
        if (!ok) {
            if (got)
                fail_msg("'%s': libc refuses it, we gave '%s'", s, o);
            continue;
        }
        if (!got)
            fail_msg("'%s': libc takes it, we did not", s);
        assert_int_equal(got, strlen(o));
        assert_int_equal(inet_pton(AF_INET6, o, a), 1);
        if (memcmp(a, b, 16))
            fail_msg("'%s' gave '%s': another address", s, o);
        inet_ntop(AF_INET6, b, want, sizeof want);
        static const unsigned char zero12[12];
        if (!memcmp(b, zero12, 12) && (b[12] | b[13]))
            continue; /* glibc writes ::a.b.c.d */
        if (strcmp(o, want))
            fail_msg("'%s' gave '%s', libc writes '%s'", s, o, want);
        agreed++;
    }
    assert_true(agreed > 100000);
}

static const sg_field inet_fields[] = {
    {"saddr", SG_INET, "SADDR", 0},
    {"port", SG_LONG, "PORT", 0},
    {"daddr", SG_INET, "DADDR", 0},
};
static const sg_kind inet_kinds[] = {
    {"retrans", SG_EVENT, inet_fields, 3, 0, 0, 0, NULL},
    {"pairs", SG_ROW, inet_fields, 3, 0, 0, 0, "pairs"},
};
static const sg_tool inet_tool = {"tcp_retrans", NULL, inet_kinds, 2};

/* Records with address fields, through the reader to each format: IPv6 in
 * RFC 5952 form, IPv4 and other text as it came, escapes undone first;
 * buffered rows keep their addresses past the next record. */
static void test_inet_records(void **state)
{
    static const char in[] =
        "@retrans\t0000:0000:0000:0000:0000:ffff:7f00:0001\t80\t0000:0000:0000:0000:0000:0000:0000:0001\n"
        "@retrans\t127.0.0.1\t22\t*unknown address family*\n"
        "@retrans\t::ffff:7f00:1\t1\t\\060000:0000:0000:0000:0000:0000:0000:0001\n"
        "@retrans\t1::2::3\t2\tfe80:0000:0000:0000:0000:0000:0000:00\\t1\n"
        "@report\tpairs\t0\n"
        "@pairs\tfe80:0000:0000:0000:0000:0000:0000:0001\t3\t0000:0000:0000:0000:0000:ffff:0a00:0001\n"
        "@pairs\t0000:0000:0000:0000:0000:0000:0000:0000\t4\t10.0.0.2\n"
        "@report_end\tpairs\n"
        "@end\n";
    run_t r;
    (void)state;
    run_tool(&inet_tool, in, sizeof in - 1, SG_FMT_JSON, &r);
    assert_string_equal(
        r.out,
        "{\"kind\":\"retrans\",\"saddr\":\"::ffff:127.0.0.1\",\"port\":80,\"daddr\":\"::1\"}\n"
        "{\"kind\":\"retrans\",\"saddr\":\"127.0.0.1\",\"port\":22,\"daddr\":\"*unknown address family*\"}\n"
        "{\"kind\":\"retrans\",\"saddr\":\"::ffff:127.0.0.1\",\"port\":1,\"daddr\":\"::1\"}\n"
        "{\"kind\":\"retrans\",\"saddr\":\"1::2::3\",\"port\":2,\"daddr\":\"fe80:0000:0000:0000:0000:0000:0000:00\\t1\"}\n"
        "{\"kind\":\"pairs\",\"report\":\"pairs\",\"ts\":0,\"saddr\":\"fe80::1\",\"port\":3,\"daddr\":\"::ffff:10.0.0.1\"}\n"
        "{\"kind\":\"pairs\",\"report\":\"pairs\",\"ts\":0,\"saddr\":\"::\",\"port\":4,\"daddr\":\"10.0.0.2\"}\n");
    assert_string_equal(r.err, "");
    assert_int_equal(r.dropped, 0);
    run_free(&r);
    run_tool(&inet_tool, in, sizeof in - 1, SG_FMT_CSV, &r);
    /* one header for events and rows: an event's report and ts are empty */
    assert_true(!strncmp(r.out, "kind,report,ts,saddr,port,daddr\r\n", 33));
    assert_non_null(strstr(r.out, "\nretrans,,,::ffff:127.0.0.1,80,::1\r\n"));
    assert_non_null(strstr(r.out, "pairs,pairs,0,fe80::1,3,::ffff:10.0.0.1\r\n"));
    run_free(&r);
    run_tool(&inet_tool, in, sizeof in - 1, SG_FMT_TABLE, &r);
    assert_non_null(strstr(r.out, "::ffff:127.0.0.1    80  ::1\n"));
    assert_non_null(strstr(r.out, "fe80::1     3  ::ffff:10.0.0.1\n"));
    assert_null(strstr(r.out, "0000:0000:0000:0000:0000:ffff"));
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_events_table),
        cmocka_unit_test(test_events_json),
        cmocka_unit_test(test_events_csv),
        cmocka_unit_test(test_records_count),
        cmocka_unit_test(test_tab_newline_roundtrip),
        cmocka_unit_test(test_unescape_values),
        cmocka_unit_test(test_json_escaping),
        cmocka_unit_test(test_table_string_rendering),
        cmocka_unit_test(test_csv_quoting),
        cmocka_unit_test(test_rows_table),
        cmocka_unit_test(test_rows_json),
        cmocka_unit_test(test_rows_csv),
        cmocka_unit_test(test_rows_timezone),
        cmocka_unit_test(test_events_and_blocks_table),
        cmocka_unit_test(test_report_framing),
        cmocka_unit_test(test_bidi_escaped),
        cmocka_unit_test(test_log2_table),
        cmocka_unit_test(test_log2_json),
        cmocka_unit_test(test_log2_csv),
        cmocka_unit_test(test_log2_negative_and_gaps),
        cmocka_unit_test(test_hist_empty),
        cmocka_unit_test(test_hist_one_bucket),
        cmocka_unit_test(test_hist_linear_negative),
        cmocka_unit_test(test_hist_wide_count),
        cmocka_unit_test(test_hist_bar_scale),
        cmocka_unit_test(test_linear_table),
        cmocka_unit_test(test_linear_json_csv),
        cmocka_unit_test(test_mixed_block),
        cmocka_unit_test(test_hist_bounds),
        cmocka_unit_test(test_hostile_mix),
        cmocka_unit_test(test_bad_escapes_more),
        cmocka_unit_test(test_hex_escapes),
        cmocka_unit_test(test_int64_limits),
        cmocka_unit_test(test_hist_bad_rows),
        cmocka_unit_test(test_overlong_line),
        cmocka_unit_test(test_block_reads),
        cmocka_unit_test(test_binary_garbage),
        cmocka_unit_test(test_crlf_everywhere),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_diag_cap),
        cmocka_unit_test(test_long_snippet),
        cmocka_unit_test(test_stapgen_warnings),
        cmocka_unit_test(test_multi_event_kinds),
        cmocka_unit_test(test_bad_descriptors),
        cmocka_unit_test(test_writer_copies_values),
        cmocka_unit_test(test_main),
        cmocka_unit_test(test_main_cut_off),
        cmocka_unit_test(test_stap_log),
        cmocka_unit_test(test_main_stap_log),
        cmocka_unit_test(test_frame_name),
        cmocka_unit_test(test_folded_frame_formats),
        cmocka_unit_test(test_folded_sum_and_order),
        cmocka_unit_test(test_format_table_behaviour),
        cmocka_unit_test(test_folded_two_stacks),
        cmocka_unit_test(test_stack_table_json_csv),
        cmocka_unit_test(test_xml_ok_checker),
        cmocka_unit_test(test_svg),
        cmocka_unit_test(test_svg_sections),
        cmocka_unit_test(test_svg_min_width),
        cmocka_unit_test(test_svg_folded),
        cmocka_unit_test(test_svg_kernel),
        cmocka_unit_test(test_stack_hostile),
        cmocka_unit_test(test_stack_bad_escape),
        cmocka_unit_test(test_writer_folded_direct),
        cmocka_unit_test(test_main_stacks),
        cmocka_unit_test(test_inet6_canon),
        cmocka_unit_test(test_inet6_canon_vs_libc),
        cmocka_unit_test(test_inet_records),
    };
    return cmocka_run_group_tests(tests, setup_tz, NULL);
}
