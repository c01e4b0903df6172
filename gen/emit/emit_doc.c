/* A tool's documentation page (Markdown), from the same spec. */
#include <stdlib.h>
#include <string.h>

#include "../check/alias_vars.h"
#include "../spec/probe_point.h"
#include "emit.h"

static const char *type_name(col_type t)
{
	switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case COL_##e: return doc;
#include "../tables/col_types.def"
#undef COLT
	case COL_AUTO: break;
	}
	return "long";
}

/* Markdown table cells: no raw '|' or newlines from spec text. */
static void md_cell(strbuf *o, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			sb_puts(o, "\\|");
		else if (*s == '\n' || *s == '\r')
			sb_putc(o, ' ');
		else
			sb_putc(o, *s);
	}
}

/* Text as inline code (double backticks if it holds one; one line). */
static void md_code_text(strbuf *o, const char *t)
{
	bool tick = strchr(t, '`') != NULL;
	sb_puts(o, tick ? "`` " : "`");
	for (; *t; t++)
		sb_putc(o, *t == '\n' || *t == '\r' ? ' ' : *t);
	sb_puts(o, tick ? " ``" : "`");
}

/* An expression as inline code. */
static void md_code(strbuf *o, const expr *e)
{
	strbuf t = STRBUF_INIT;
	expr_print_stap(&t, e);
	md_code_text(o, sb_str(&t));
	sb_free(&t);
}

/* " for which `c1` or `c2`": the `when`s of the emits that print an
 * event record, if every one of them has one. */
static void event_conditions(strbuf *o, const record_kind *k)
{
	for (unsigned i = 0; i < k->nemits; i++)
		if (!k->emits[i]->when)
			return;
	for (unsigned i = 0; i < k->nemits; i++) {
		sb_puts(o, i ? " or " : " for which ");
		md_code(o, k->emits[i]->when);
	}
}

/* The variables each tapset alias the tool probes sets (the table from
 * the SystemTap 4.8 tapsets), and those the spec declares. */
static void alias_section(strbuf *o, const spec *s)
{
	enum { MAX_SHOWN = 64 };	/* bounded: a spec may have thousands of probes */
	const char *shown[MAX_SHOWN];
	unsigned nshown = 0;
	bool any = false;
	for (unsigned i = 0; i < s->nprobes; i++) {
		const spec_probe *p = &s->probes[i];
		for (unsigned j = 0; j < p->npoints; j++) {
			const char *pt = p->points[j].text;
			if (!probe_point_is_alias(pt))
				continue;
			bool seen = false;	/* each alias once */
			for (unsigned k = 0; k < nshown && !seen; k++)
				seen = !strcmp(shown[k], pt);
			if (seen && !p->navars)
				continue;
			if (nshown == MAX_SHOWN) {
				sb_puts(o, "- ...\n");
				goto out;
			}
			shown[nshown++] = pt;
			if (!any)
				sb_puts(o, "## Tapset alias variables\n\n"
					   "Set by the tapset aliases this tool probes (SystemTap 4.8), usable in the spec's expressions:\n\n");
			any = true;
			const char *v = alias_vars(pt);
			sb_printf(o, "- `%s`: ", pt);
			if (!v) {
				sb_puts(o, "not in stapgen's table (its variables pass unchecked)");
			} else {
				char buf[4096];
				const char *names[256];
				size_t n = alias_var_list(v, names, 256, buf, sizeof buf);
				for (size_t k = 0; k < n; k++)
					sb_printf(o, "%s`%s`", k ? ", " : "", names[k]);
			}
			for (unsigned k = 0; k < p->navars; k++)
				sb_printf(o, "%s`%s` (%s, declared)", k || v ? ", " : "; ",
					  p->avars[k].name, p->avars[k].type == VT_STRING ? "string" : "long");
			sb_putc(o, '\n');
		}
	}
out:
	if (any)
		sb_putc(o, '\n');
}

/* Before a run, stap's run modes, exit status. */
static void run_modes(strbuf *o, const spec *s, const char *t, const tool_needs *n)
{
	sb_puts(o, "## Before the first run\n\n");
	sb_printf(o, "`%s --check` lists what the tool needs and whether this host has it; every run "
		     "checks first (`--no-check` skips it).  This tool needs: a kernel with loadable "
		     "modules", t);
	if (n->kprobes == NEED_YES)
		sb_puts(o, " and kprobes (`CONFIG_KPROBES`)");
	if (n->uprobes == NEED_YES)
		sb_puts(o, " and uprobes (`CONFIG_UPROBES`)");
	sb_puts(o, "; the kernel build tree (Debian: `linux-headers-$(uname -r)`)");
	if (n->kdebug == NEED_YES)
		sb_puts(o, "; the kernel's debuginfo, a vmlinux with DWARF (`linux-image-$(uname -r)-dbg`; "
			   "BTF is not enough for stap)");
	else if (n->kdebug == NEED_MAYBE)
		sb_puts(o, "; the kernel's debuginfo only if a fallback probe point is used "
			   "(`linux-image-$(uname -r)-dbg`)");
	sb_puts(o, "; a stap whose tested kernel range includes this kernel (`systemtap`).\n"
		   "`STAPGEN_ROOT=DIR` makes the check look under DIR instead of `/` (for tests).\n\n");
	sb_puts(o, "## Run modes\n\n```\n");
	char l[7][200];
	const char *c[7];
	unsigned k = 0;
	snprintf(l[k], sizeof l[k], "%s -t 30", t);
	c[k++] = "30 s, then the end report";
	if (n->target) {
		snprintf(l[k], sizeof l[k], "%s -c 'CMD ARGS'", t);
		c[k++] = "run CMD and trace it (target() is its pid)";
	}
	snprintf(l[k], sizeof l[k], "%s -F", t);
	c[k++] = "flight recorder: the probes stay loaded, output is buffered";
	snprintf(l[k], sizeof l[k], "staprun -A %.55s | parsers/%s-parse", t, t);
	c[k++] = "attach (Ctrl-\\ detaches again, Ctrl-C stops)";
	snprintf(l[k], sizeof l[k], "%s -F -o /var/tmp/%s.out -S 10,5", t, t);
	c[k++] = "in the background, into 10 MB files, the last 5 kept";
	snprintf(l[k], sizeof l[k], "%s --build-module /srv/mods", t);
	c[k++] = "once, where stap, the build tree and debuginfo are";
	snprintf(l[k], sizeof l[k], "%s --module /srv/mods/%.55s.ko", t, t);
	c[k++] = "then on any host of that kernel: staprun only";
	for (unsigned i = 0; i < k; i++)
		sb_printf(o, "%-52s # %s\n", l[i], c[i]);
	sb_puts(o, "```\n\n");
	sb_puts(o, "With `--module`, parameter options and `-G NAME=VALUE` become the module's options "
		   "(`staprun MODULE.ko NAME=VALUE`, as `stap -G` sets them); `-F` becomes `staprun -L` "
		   "(or `-D` with `-o`).\n\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		if (!p->point_arg)
			continue;
		sb_printf(o, "`%s` is part of the probe points: the command passes it as stap's argument "
			     "`@%u` (`stap %s.stp ... VALUE`), so stap compiles it in.  A module built with "
			     "`--build-module` probes the value given then; `--module` runs it as built and "
			     "refuses `%s`.  The value may hold only `A-Z a-z 0-9 _ * ? . @ / : + -`.\n\n",
			  p->flag ? p->flag : p->name, p->point_arg, t, p->flag ? p->flag : "-G NAME=VALUE");
	}
	sb_puts(o, "Exit status: 0 done; 1 not ready (see `--check`); stap's status when it fails; "
		   "2 bad options; 3 the parser found lines it could not use; 4 the records ended before "
		   "the script's end report (the run was cut off); 5 stap reported lost data.\n\n");
}

/* One line: headers only, or debuginfo and why (the same analysis as the
 * script's "Kernel debuginfo:" line and the command's --check). */
static void requirements(strbuf *o, const tool_needs *n, const char *spec_path)
{
	sb_puts(o, "**Requirements:** ");
	if (n->kdebug == NEED_NO)
		sb_puts(o, "the kernel headers only (the build tree, `linux-headers-$(uname -r)`); "
			   "no kernel debuginfo.");
	else if (n->kdebug == NEED_MAYBE)
		sb_puts(o, "the kernel headers (`linux-headers-$(uname -r)`); the kernel's debuginfo only "
			   "where a probe's first alternative does not resolve on this kernel and a "
			   "DWARF fallback is used.");
	else {
		sb_puts(o, "the kernel headers and the kernel's debuginfo (a vmlinux with DWARF)");
		if (n->kdebug_why[0])
			sb_printf(o, ": %s (`%s:%u`)", n->kdebug_why, spec_path, n->kdebug_line);
		sb_putc(o, '.');
	}
	if (n->usyms || n->umark) {
		sb_printf(o, "  In user space (`%s`):", n->ubinary);
		if (n->usyms)
			sb_puts(o, " the binary's symbol table (a binary stripped of its symbols probes nothing "
				   "by name: install its `-dbgsym`/`-dbg` package)");
		if (n->udebug != NEED_NO)
			sb_puts(o, n->udebug == NEED_YES ? " and its DWARF (a `$var` is read by name)"
							 : " and its DWARF where a fallback point reads a `$var`");
		if (n->umark)
			sb_printf(o, "%s its SDT markers (`readelf -n` lists them under `.note.stapsdt`)",
				  n->usyms ? ";" : "");
		sb_putc(o, '.');
	}
	sb_puts(o, "\n\n");
}

/* A histogram's FIELDS: one vocabulary for JSON (the keys, then buckets[]
 * of {low, high, count}), CSV (a row per bucket: the keys, low, high,
 * count) and the table (bcc's "usecs : count distribution" header over
 * "low -> high : count |***|" rows, the keys as key=value above it). */
static void hist_fields(strbuf *o, const record_kind *k)
{
	unsigned nk = k->nfields - 2;
	const record_field *b = &k->fields[nk];
	for (unsigned j = 0; j < nk; j++) {
		sb_printf(o, "| `%s` | %s |  | ", k->fields[j].name, type_name(k->fields[j].type));
		md_cell(o, k->fields[j].title);
		sb_puts(o, "= |\n");
	}
	sb_puts(o, "| `buckets` | list of {`low`, `high`, `count`} |  |  |\n");
	for (int end = 0; end < 2; end++) {
		sb_printf(o, "| `%s` | long | ", end ? "high" : "low");
		md_cell(o, b->unit ? b->unit : "");
		sb_puts(o, " | ");
		md_cell(o, b->title);
		sb_puts(o, " |\n");
	}
	sb_puts(o, "| `count` | long |  | ");
	md_cell(o, k->fields[nk + 1].title);
	sb_puts(o, " |\n\n");
	sb_puts(o, "JSON: one object per histogram, its buckets with a count in `buckets`; CSV: "
		   "one row per bucket.  A bucket holds `low` to `high` - 1 (the table prints "
		   "`low -> high-1` under the unit word, with the count and a bar scaled to the "
		   "largest count); an unbounded end is null in JSON, an empty cell in CSV, "
		   "`<high` or `>=low` in the table.\n\n");
}

/* An earlier point with the same text and note (a YAML anchor shares one
 * `on:` between probes): listed once. */
static bool note_seen(const spec *s, unsigned pi, unsigned pj)
{
	const spec_point *pt = &s->probes[pi].points[pj];
	for (unsigned i = 0; i <= pi; i++)
		for (unsigned j = 0; j < s->probes[i].npoints && (i < pi || j < pj); j++) {
			const spec_point *q = &s->probes[i].points[j];
			if (q->note && !strcmp(q->note, pt->note) && !strcmp(q->text, pt->text))
				return true;
		}
	return false;
}

/* The spec's notes on its probe alternatives: what a headers-only kprobe or
 * tracepoint sees differently from the DWARF point it stands in for. */
static void alternatives(strbuf *o, const spec *s)
{
	bool any = false;
	for (unsigned i = 0; i < s->nprobes; i++)
		for (unsigned j = 0; j < s->probes[i].npoints; j++) {
			const spec_point *pt = &s->probes[i].points[j];
			if (!pt->note || note_seen(s, i, j))
				continue;
			if (!any)
				sb_puts(o, "**Probe alternatives** (stap uses the first that resolves on "
					   "the kernel):\n\n");
			any = true;
			sb_puts(o, "- ");
			md_code_text(o, pt->text);
			sb_puts(o, ": ");
			md_cell(o, pt->note);
			sb_putc(o, '\n');
		}
	if (any)
		sb_putc(o, '\n');
}

void emit_doc(strbuf *o, const tool_plan *pl, const emit_opts *opt)
{
	const spec *s = pl->s;
	const record_set *rs = pl->rs;
	const char *t = s->tool;
	const tool_needs needs = pl->needs;
	sb_printf(o, "# %s\n\n", t);
	md_cell(o, s->summary);
	sb_puts(o, "\n\n");
	if (s->description) {
		sb_puts(o, s->description);
		if (s->description[0] && s->description[strlen(s->description) - 1] != '\n')
			sb_putc(o, '\n');
		sb_putc(o, '\n');
	}
	sb_printf(o, "Generated by stapgen from `%s` for kernel %s.\n\n", opt->spec_path, opt->kver);
	requirements(o, &needs, opt->spec_path);
	alternatives(o, s);
	sb_puts(o, "## Usage\n\n```\n");
	emit_usage_line(o, s);
	sb_printf(o, "\nstap %s.stp [-G name=value ...]", t);
	for (unsigned i = 0; i < s->nparams; i++)	/* stap's @1 @2 ..., in order */
		for (unsigned j = 0; j < s->nparams; j++)
			if (s->params[j].point_arg == i + 1)
				sb_printf(o, " %s", s->params[j].name);
	sb_printf(o, " | parsers/%s-parse [-f FORMAT]\n```\n\n", t);
	if (s->nexamples) {
		sb_puts(o, "Examples:\n\n```\n");
		for (unsigned i = 0; i < s->nexamples; i++)
			sb_printf(o, "%-32s # %s\n", s->examples[i].run, s->examples[i].what);
		sb_puts(o, "```\n\n");
	}
	if (needs.target_required)
		sb_puts(o, "It traces one process: `-p PID` or `-c 'CMD'` is required (its probes' filters "
			   "compare with `target()`); without one it refuses to start (exit status 2).\n\n");
	{
		const spec_param *c, *iv = tool_interval_param(s, &c);
		if (iv && c)
			sb_printf(o, "`%s [options] INTERVAL COUNT`, as in the toolkits: INTERVAL seconds sets "
				  "`%s`, COUNT sets `%s`.\n\n", t, iv->name, c->name);
		else if (iv)
			sb_printf(o, "`%s [options] INTERVAL`, as in the toolkits: INTERVAL seconds sets `%s`.\n\n",
				  t, iv->name);
	}
	sb_puts(o, "| option | parameter | default | meaning |\n|---|---|---|---|\n");
	for (unsigned i = 0; i < s->nparams; i++) {
		const spec_param *p = &s->params[i];
		const plan_param *pp = &pl->params[i];
		sb_printf(o, "| `%s` | `%s` | ", p->flag ? p->flag : "-G", p->name);
		if (p->type == PT_SWITCH) {
			sb_printf(o, "%s | ", strcmp(pp->def ? pp->def : "0", "0") ? "on" : "off");
			md_cell(o, p->help);
			sb_puts(o, " |\n");
			continue;
		}
		if (!pp->def) {
			sb_puts(o, "required");
		} else if (pp->str) {
			sb_puts(o, "`");
			md_cell(o, pp->def);
			sb_puts(o, "`");
		} else
			sb_printf(o, "%s%s", pp->def, param_type_of(p).unit);
		sb_puts(o, " | ");
		md_cell(o, p->help);
		sb_puts(o, " |\n");
	}
	/* every tool's own options (gen/tables/tool_options.def) */
	emit_tool_options(o, s, needs.target, true);
	sb_putc(o, '\n');
	if (pl->nstap_flags) {
		sb_puts(o, "stap runs with");
		for (unsigned i = 0; i < pl->nstap_flags; i++)
			sb_printf(o, " `%s`", pl->stap_flags[i]);
		sb_puts(o, ".\n\n");
	}
	run_modes(o, s, t, &needs);
	sb_puts(o, "## Output\n\n");
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		const char *what = k->cls == REC_EVENT ? "one record per event" : "rows of a report";
		switch (k->cls) {
#define HIST(e, name, fn, doc) case REC_HIST_##e: what = doc; break;
#include "../tables/hist_kinds.def"
#undef HIST
		default: break;
		}
		const spec_report *kr = k->report;
		sb_printf(o, "`@%s`: %s", k->name, what);
		if (kr && !kr->hist && kr->nfrom == 1 && kr->from_maps && kr->from_maps[0] &&
		    !kr->from_maps[0]->is_agg)
			sb_printf(o, ", one row per entry of `%s` at that time (state the probes keep: "
				     "entries not deleted yet)", kr->from[0]);
		if (k->cls == REC_EVENT)
			event_conditions(o, k);
		if (k->report) {
			const spec_report *r = k->report;
			if (r->every_param)
				sb_printf(o, ", every `%s` %s", r->every_param->name,
					  r->every_param->unit_ms ? "ms" : "seconds");
			else if (r->every_lit)
				sb_printf(o, ", every %lld ms", (long long)r->every_lit);
			if (r->at_end)
				sb_puts(o, r->every_param || r->every_lit ? " and at the end" : ", at the end");
			if (r->on_error)
				sb_puts(o, ", and when a run-time error stops the run");
			if (r->limit_param)
				sb_printf(o, ", top `%s` (0: all)", r->limit_param->name);
			else if (r->limit_lit)
				sb_printf(o, ", top %lld", (long long)r->limit_lit);
		}
		sb_puts(o, ".\n\n| field | type | unit | table title |\n|---|---|---|---|\n");
		if (k->cls != REC_EVENT && k->cls != REC_ROW) {
			hist_fields(o, k);
			continue;
		}
		for (unsigned j = 0; j < k->nfields; j++) {
			sb_printf(o, "| `%s` | %s | ", k->fields[j].name, type_name(k->fields[j].type));
			/* the column's unit; none: a count or a name */
			md_cell(o, k->fields[j].unit ? k->fields[j].unit : "");
			sb_puts(o, " | ");
			md_cell(o, k->fields[j].title);
			sb_puts(o, " |\n");
		}
		sb_putc(o, '\n');
	}
	alias_section(o, s);
	if (s->nunsupported) {
		sb_puts(o, "## Kernels\n\nNot supported:\n\n");
		for (unsigned i = 0; i < s->nunsupported; i++) {
			sb_printf(o, "- `%s`: ", s->unsupported[i].range_text);
			md_cell(o, s->unsupported[i].reason);
			sb_putc(o, '\n');
		}
		sb_putc(o, '\n');
	}
}
