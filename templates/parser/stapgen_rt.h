/* stapgen_rt.h - runtime shared by every generated stapgen result parser.
 *
 * make tools copies the runtime, stapgen_rt*.[ch] (this header, the internal
 * stapgen_rt_int.h, and stapgen_rt.c with its stapgen_rt_*.c: the command
 * line, reader, text, one writer per output format), next to each generated
 * <tool>_parser.c; build a parser with `cc <tool>_parser.c stapgen_rt*.c`.
 * Self-contained: C11 + libc (plus localtime_r/fileno/read from POSIX), no
 * project headers.
 *
 * Wire format (protocol v1), one record per line:
 *   @<kind>\t<field>\t<field>...\n
 * long/time fields are decimal int64; string fields are SystemTap text_str()
 * output (\a \b \f \n \r \t \v \" \\ \ooo \uXXXX \UXXXXXXXX escapes).
 * Built-in kinds: @stapgen <tool> <version>, @report <name> <epoch>,
 * @report_end <name>, @end.  Every other line is dropped, counted and
 * reported on the diagnostics stream as "<input>:<line>: dropped: <reason>".
 */
#ifndef STAPGEN_RT_H
#define STAPGEN_RT_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SG_PROTOCOL_VERSION 1
/* The protocol's own record kinds: @stapgen TOOL VERSION starts a run,
 * @report NAME EPOCH / @report_end NAME frame a report, @end ends a run.
 * They are the rows of gen/tables/wire_tags.def, which stapgen_rt_tables.h
 * (generated; shipped with the runtime) carries: a reader does
 *   #define WIRE(name, fields, meaning) ...
 *   #include "stapgen_rt_tables.h"
 *   #undef WIRE
 * stapgen writes them and refuses tool records of these names. */
/* Names the JSON and CSV writers add to records, X(name): no field may use them. */
#define SG_RESERVED_FIELDS(X) X(kind) X(report) X(ts)
/* Longest accepted line, in bytes, not counting the '\n'. */
#define SG_MAX_LINE 65536
/* Most bytes of records a writer buffers for one report block (table, JSON,
 * CSV): past it, the block so far is printed and the rest follows as another
 * block with the same report name and time, so memory stays bounded however
 * long a report runs without its @report_end. */
#ifndef SG_MAX_BLOCK_BYTES
#define SG_MAX_BLOCK_BYTES (16u << 20)
#endif
/* How many dropped-line messages a reader prints before it only counts. */
#define SG_DIAG_MAX 20

/* SG_STACK: a string on the wire (text_str() escaped, like SG_STRING) holding a
 * SystemTap symbolic backtrace as sprint_backtrace(), sprint_ubacktrace(),
 * sprint_stack() or sprint_ustack() return it: one frame per line, leaf first,
 * e.g. "schedule+0x25 [kernel]", " 0xffffffff81234567 : schedule+0x25/0x80
 * [kernel]", "0x7f3a2c1d4e5f [libc.so.6+0x1e4e5f]" or "0x7f3a2c1d4e5f".  Its
 * frame names (see "folded" below) are what the table shows; JSON and CSV get
 * the string as is.
 *
 * SG_INET: an IP address, a string on the wire (escaped like SG_STRING) as
 * SystemTap's format_ipaddr() prints it.  IPv6 text (stap prints all eight
 * groups, "0000:0000:0000:0000:0000:ffff:7f00:0001") is delivered in its
 * RFC 5952 form, "::1", "fe80::1", IPv4-mapped "::ffff:127.0.0.1" (what ss
 * prints); IPv4 "a.b.c.d" and any other text ("*unknown address family*")
 * as it came. */
/* The column types: the rows of gen/tables/col_types.def (SG_TIME: epoch
 * seconds on the wire). */
typedef enum {
#define COLT(e, name, str, sg, doc, word, need) SG_##e,
#include "stapgen_rt_tables.h"
#undef COLT
    SG_NTYPES
} sg_type;

typedef struct sg_field {
    const char *name;   /* JSON key / CSV column */
    sg_type type;
    const char *title;  /* table header; NULL = name */
    int width;          /* table width hint (a minimum), 0 = auto */
} sg_field;

/* A record's class: an event, a report row, or one histogram kind per row
 * of gen/tables/hist_kinds.def (SG_HIST_LOG2, SG_HIST_LINEAR). */
typedef enum {
    SG_EVENT,
    SG_ROW,
#define HIST(e, name, fn, doc) SG_HIST_##e,
#include "stapgen_rt_tables.h"
#undef HIST
    SG_NCLASSES
} sg_class;

typedef struct sg_kind {
    const char *name;            /* wire tag without '@' */
    sg_class cls;
    const sg_field *fields;
    size_t nfields;              /* for HIST_*: key fields + "bucket" + "count" as the last two */
    long long lin_lo, lin_hi, lin_step;  /* SG_HIST_LINEAR */
    const char *report;          /* report name this row kind belongs to, NULL for events */
} sg_kind;

typedef struct sg_tool {
    const char *name;
    const char *spec_path;
    const sg_kind *kinds;
    size_t nkinds;
} sg_tool;

/* One field value.  long/time: l.  string: s/slen (s is NUL-terminated but
 * may contain NUL bytes; trust slen).  s is valid until the next read. */
typedef struct sg_value {
    long long l;
    const char *s;
    size_t slen;
} sg_value;

/* Output formats, X(ENUM, name, stack tools only, what it prints); the first is
 * the default.  The parser's -f and the tool command's help come from here. */
#define SG_FORMATS(X)                                                              \
    X(TABLE, "table", 0, "aligned columns and histograms")                         \
    X(JSON, "json", 0, "one JSON object per line")                                 \
    X(CSV, "csv", 0, "RFC 4180")                                                   \
    X(FOLDED, "folded", 1, "stack records as 'root;...;leaf COUNT' lines")        \
    X(SVG, "svg", 1, "a flame graph of the stack records")

typedef enum {
#define SG_FMT_ENUM(e, name, stack, what) SG_FMT_##e,
    SG_FORMATS(SG_FMT_ENUM)
#undef SG_FMT_ENUM
    SG_NFORMATS
} sg_format;

/* ---- reader --------------------------------------------------------------- */
typedef struct sg_reader sg_reader;

/* in_name is used in diagnostics; diag may be NULL (silent).  Returns NULL on
 * allocation failure or an inconsistent tool descriptor (reported on diag).
 * The reader reads `in` in large blocks (read(2) on its descriptor when stdio
 * has buffered nothing of it yet): do not read `in` yourself meanwhile. */
sg_reader *sg_reader_new(FILE *in, const char *in_name, const sg_tool *tool, FILE *diag);
/* 1: a record (kind = a tool kind or one of the built-ins below), 0: EOF.
 * Dropped lines are reported and skipped internally. */
int sg_reader_next(sg_reader *r, const sg_kind **kind, const sg_value **vals);
unsigned long sg_reader_dropped(const sg_reader *r);
unsigned long sg_reader_records(const sg_reader *r);
/* Nonzero if reading stopped on an I/O error (ferror on the input). */
int sg_reader_error(const sg_reader *r);
/* Nonzero if the last record read was @end: the script's end report came,
 * the run was not cut off (killed, detached, a file of a run still going). */
int sg_reader_ended(const sg_reader *r);
/* Lines read so far (records and dropped lines). */
unsigned long sg_reader_lines(const sg_reader *r);
void sg_reader_free(sg_reader *r);

/* Built-in kinds.  Fields: stapgen = tool (string), version (long);
 * report = report (string), ts (time); report_end = report (string); end = none. */
#define WIRE(n, fields, what) extern const sg_kind sg_kind_##n;
#include "stapgen_rt_tables.h"
#undef WIRE

/* Histogram bucket bounds: [*low, *high).  Each function returns a mask:
 * bit 0 set = *low is valid (else unbounded below), bit 1 = *high is valid. */
int sg_hist_bounds(const sg_kind *k, long long bucket, long long *low, long long *high);
/* Number of valid buckets (0..n-1) of a histogram kind: 128 for LOG2,
 * N + 2 for LINEAR with N = ceil((hi - lo) / step). */
long long sg_hist_nbuckets(const sg_kind *k);

/* ---- writer ---------------------------------------------------------------
 * Events stream as they arrive.  SG_ROW / SG_HIST_* records are buffered from
 * @report to @report_end (or the next @report, @end, @stapgen, finish) and
 * printed grouped by kind in first-seen order (histograms: one per key set,
 * key sets in first-seen order, buckets ascending, duplicates summed).  Rows
 * outside a report block form an implicit block named by kind->report with no
 * timestamp (JSON "ts":null, CSV empty).
 *   table: header per event kind (again after a report block); a KIND column
 *          when the tool has several event kinds; blocks start with
 *          "== <report> <local time> ==" and every section ends with an empty
 *          line; histograms as bcc's ("usecs : count distribution" over
 *          "lo -> hi : n |***|" rows, hi inclusive; runs of > 3 empty
 *          buckets elided with "~"; LINEAR under/overflow "<lo" / ">=x").
 *   json:  {"kind":..,[ "report":..,"ts":.., ]fields...}; histograms carry
 *          "buckets":[{"low":L,"high":H,"count":C}] with null for unbounded.
 *          A string that is not valid UTF-8: U+FFFD for each bad byte, then
 *          "NAME.hex":"<all its bytes in hex>"; valid UTF-8 is exact.
 *   csv:   RFC 4180 with CRLF; one header for the stream: kind[,report,ts]
 *          and the union of the tool's kinds' columns (histograms:
 *          keys...,low,high,count); a cell a kind lacks is empty.
 *   In all three an SG_STACK value is a string: JSON and CSV print the raw
 *   backtrace (newlines escaped / quoted); the table prints its frame names
 *   root first, ';'-separated, as in the folded format below.
 *   folded: the input of flame graph tools (flamegraph.pl, inferno,
 *          speedscope): only SG_ROW and SG_EVENT records of kinds with at
 *          least one SG_STACK field count, everything else is ignored.  One
 *          line "frame;frame;...;frame COUNT\n" per distinct stack, root first.
 *          COUNT is the first SG_LONG field after the kind's first SG_STACK
 *          field (1 if there is none); records with COUNT <= 0 are skipped.
 *          Frame name of a backtrace line: surrounding blanks trimmed, an
 *          "0xADDR : " prefix dropped, then an unresolved "0xADDR" (with or
 *          without " [module+0xOFF...]") stays that address, else the name is
 *          what precedes the first "+0xOFF" (followed by "/0xLEN", a blank or
 *          the end), else what precedes a " [module]" suffix, else the line.
 *          In names, ';', blanks and control characters become '_' and bytes
 *          that are not UTF-8 "\ooo".  Empty lines and SystemTap's "<no ...
 *          backtrace ...>" markers are no frames.  Several SG_STACK fields of a
 *          kind are joined in field order, the first one at the root: declare
 *          the user stack before the kernel stack.  Non-empty parts are
 *          separated by a "-" frame (FlameGraph's convention, drawn grey):
 *          "main;ngx_process_events;-;entry_SYSCALL_64;do_syscall_64 7".  A
 *          record whose stacks yield no frame counts as "[unknown]".  Equal
 *          stacks are summed (saturating) within a report block; events over
 *          the whole input and printed by sg_writer_finish.  Lines are sorted
 *          frame by frame (bytewise within a frame, a shorter stack first).
 *   svg:   one self-contained, interactive flame graph SVG (inline script
 *          and style, nothing external), printed by sg_writer_finish:
 *          titled with the tool name (or sg_svg_opts.title, a subtitle under
 *          it), one graph per report block with stack rows and one for all
 *          stack events (each with an "all" root frame), from the folded
 *          data; frames sorted alphabetically per level, width proportional
 *          to COUNT, frames under 0.1 px omitted, colour a hash of the name
 *          in the frame's palette (user, kernel, the "-" separator; off-CPU
 *          when the unit is time; --diff), <title> tooltips
 *          "name (N samples, P%)" (", kernel" for kernel frames).  Frames of
 *          kernel backtraces (a line names [kernel] or starts 0xffff) are
 *          kernel frames, as are those above a "-" frame and, in folded
 *          input, names ending in "_[k]".  The script zooms (click), resets,
 *          searches (regular expression or substring) and shows the frame
 *          under the pointer on a details line. */
typedef struct sg_writer sg_writer;

sg_writer *sg_writer_new(FILE *out, const sg_tool *tool, sg_format fmt);
/* Also accepts the built-ins.  Values are copied when they must be buffered. */
void sg_writer_record(sg_writer *w, const sg_kind *k, const sg_value *v);
/* Flushes a report block cut short by EOF (folded: also the summed events;
 * svg: the whole document, once), then fflush()es the stream. */
void sg_writer_finish(sg_writer *w);
/* Nonzero after an allocation failure (some output was lost). */
int sg_writer_error(const sg_writer *w);
/* Frees without printing: call sg_writer_finish first. */
void sg_writer_free(sg_writer *w);

/* Options of the svg writer (sg_writer_svg); zero = the defaults. */
typedef struct sg_svg_opts {
    int width;            /* image width in px, 0 = 1200 */
    int inverted;         /* icicle: roots at the top */
    const char *title;    /* NULL = the tool's name */
    const char *subtitle; /* NULL = none */
    const char *unit;     /* what COUNT counts: NULL = "samples"; a time unit
                           * (s, ms, us, ns) gives the off-CPU palette */
    int normalize;        /* sg_svg_folded diff: the first file's counts
                           * scaled to the second's total */
} sg_svg_opts;

/* Sets the svg options (copied; strings must outlive the writer); writers of
 * other formats ignore them. */
void sg_writer_svg(sg_writer *w, const sg_svg_opts *o);

/* Standalone flame graphs from folded stacks ("frame;...;frame COUNT" lines):
 * of a (b NULL), or the differential graph of a -> b (b's widths; red where b
 * grew, blue where it shrank).  Returns like sg_main: 0, 3 (lines dropped,
 * reported on diag), 1 (I/O error or out of memory). */
int sg_svg_folded(FILE *out, const sg_svg_opts *o, FILE *a, const char *aname, FILE *b,
                  const char *bname, FILE *diag);

/* Exit statuses of sg_main besides 0, 1 (I/O error) and 2 (usage error). */
#define SG_EXIT_DROPPED 3 /* some lines were dropped (everything valid printed) */
#define SG_EXIT_CUT 4     /* the input ended before @end: figures incomplete */
#define SG_EXIT_LOSS 5    /* sg_stap_log: stap reported lost data */

/* Reads stap's stderr (as saved by `stap ... 2>FILE`) from in and prints on
 * diag one line per kind of loss it reports, "PROG: KIND: N WHAT (MEANING)":
 * transport failures (records dropped), prints without buffer space,
 * skipped probes (with stap's reasons), probe errors, array and aggregation
 * overflows, MAXACTION, and runs stopped by the overload protection or
 * MAXSKIPPED.  The texts are SystemTap 4.8's ("WARNING: There were N
 * transport failures. ...", "WARNING: Number of errors: N, skipped probes:
 * M", "ERROR: Array overflow, check MAXMAPENTRIES ...", "ERROR: probe
 * overhead (...) exceeded threshold (...) ..."); colour escapes are
 * ignored, lines are looked at up to 4 KiB, memory is constant.  Returns 0
 * (nothing lost), SG_EXIT_LOSS, or 1 on a read error. */
int sg_stap_log(FILE *in, const char *prog, FILE *diag);

/* Whole program: [-f table|json|csv|folded|svg] [-o FILE] [FILE|-], svg options
 * --width N, --inverted, --title T, --subtitle T, --unit U, and the folded
 * modes --from-folded [FILE] and --diff A B; --help; exit 0 = all
 * lines were records or built-ins and the last record was @end,
 * SG_EXIT_CUT = the input ended without @end (one line on stderr says so;
 * it wins over SG_EXIT_DROPPED), SG_EXIT_DROPPED = some lines were dropped
 * (still printed everything valid), 2 = usage error, 1 = I/O error. */
int sg_main(int argc, char **argv, const sg_tool *tool);
/* The same with the tool's svg defaults (the generator passes the unit of
 * a count column with 'unit:'); the command line's options override them. */
int sg_main_svg(int argc, char **argv, const sg_tool *tool, const sg_svg_opts *svg);

#ifdef __cplusplus
}
#endif

#endif /* STAPGEN_RT_H */
