/* The records a tool prints: one description from which both the .stp's
 * printf formats and the C parser's structs and decoders are emitted, so
 * the two cannot drift apart. */
#ifndef STAPGEN_RECORDS_H
#define STAPGEN_RECORDS_H
#include "../spec/spec.h"

typedef enum {
	REC_EVENT,
	REC_ROW,
#define HIST(e, name, fn, doc) REC_HIST_##e,
#include "../tables/hist_kinds.def"
#undef HIST
} record_class;

typedef struct record_field {
	const char *name;
	col_type type;		/* COL_LONG, COL_STRING or COL_TIME */
	const char *title;	/* table header */
	int width;
	const expr *value;	/* NULL for histogram key/bucket/count fields */
	const char *unit;	/* the column's 'unit', NULL if none */
} record_field;

typedef struct record_kind {
	const char *name;	/* wire tag: @name */
	record_class cls;
	record_field *fields;
	unsigned nfields;
	const spec_probe *probe;	/* REC_EVENT: the first probe that emits it */
	const spec_emit *const *emits;	/* REC_EVENT: every emit that prints it, in spec order */
	unsigned nemits;
	const spec_report *report;	/* the others */
	int64_t lin_lo, lin_hi, lin_step;
} record_kind;

typedef struct record_set {
	record_kind *kinds;
	unsigned nkinds;
	const record_kind **events;	/* the REC_EVENT kinds, sorted by name */
	unsigned nevents;
} record_set;

record_set records_of(arena *a, const spec *s);
/* The event record (emitted by probes) of this name, or NULL. */
const record_kind *record_event_kind(const record_set *rs, const char *name);

/* Does any expression of the spec (values, filters' lets, collects, columns)
 * call one of these functions (a NULL-terminated list)? */
bool spec_calls(const spec *s, const char *const fns[]);

/* The stap options a script is run (and built) with: the spec's
 * stap_options, plus what the script's constructs need (*n of them, in a).
 * plan_build asks once; the emitters read the plan's. */
const char *const *stap_run_flags(arena *a, const spec *s, unsigned *n);

/* What running a tool needs from the host, for the command's preflight:
 * NEED_NO, NEED_MAYBE (only some fallback probe points need it: a warning)
 * or NEED_YES.  Probe points lowering left out for the target kernel are
 * left out (a portable script counts every point). */
typedef enum { NEED_NO, NEED_MAYBE, NEED_YES } need_level;
typedef struct tool_needs {
	need_level kdebug;	/* the kernel's DWARF: kernel.function, tapset aliases, @cast */
	need_level kprobes;	/* CONFIG_KPROBES: kernel.function, kprobe.*, tapset aliases */
	need_level uprobes;	/* CONFIG_UPROBES: process(...).function/statement/mark */
	bool target;		/* the script uses target(): -p / -c */
	/* a probe's filter holds only for the target (X == target(), not
	 * under ||): without -p/-c the tool would trace nothing */
	bool target_required;
	/* kdebug == NEED_YES: the first construct that needs it, and its spec
	 * line (0: none known) */
	char kdebug_why[200];
	unsigned kdebug_line;
	/* kdebug is NEED_YES only for correct kernel symbols: the script
	 * builds without debuginfo (its output names the wrong functions) */
	bool ksyms_only;
	/* user space: a process(...).function/.statement point needs the
	 * binary's symbol table (usyms), its DWARF when the probe reads a
	 * $var by name (udebug); a .mark point its SDT notes (umark).
	 * ubinary: the first such point's process argument as the spec
	 * wrote it ("/usr/bin/python3.11", @param(binary)) */
	bool usyms, umark;
	need_level udebug;
	char ubinary[120];
	/* the path stap resolves without arguments: the literal, or the
	 * parameter's default ("" when neither is known) */
	char ubinary_path[260];
	/* the SDT markers the .mark points name, blank-separated, each once
	 * (names of [A-Za-z0-9_] only; the preflight looks them up) */
	char umarks[200];
} tool_needs;
struct lowered;
tool_needs tool_needs_of(const spec *s, const struct lowered *lw);
/* Does this filter hold only when X == target() (through && only)? */
bool filter_needs_target(const expr *e);

/* The printf conversion for a field: %d or %s (strings go through text_str). */
const char *record_field_conv(const record_field *f);
/* A histogram's unit as bcc names it in its header: us -> usecs; NULL -> value. */
const char *hist_unit_word(const char *unit);

#endif
