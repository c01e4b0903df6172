/* stapgen_compile: the pipeline, once (load, check, plan, emit).  See compile.h. */
#include "compile.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "../emit/emit.h"
#include "../lower/record_size.h"
#include "../check/stap_version.h"
#include "../check/tapset_facts.h"
#include "../lower/plan.h"

/* The spec's path lands in comments and C strings: keep it to harmless bytes. */
static const char *shown_path(arena *a, const char *path)
{
	char *shown = arena_strdup(a, path ? path : "");
	for (char *q = shown; *q; q++)
		if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
		      (*q >= '0' && *q <= '9') || strchr("._/+-", *q)))
			*q = '_';
	return shown;
}

/* FNV-1a, 64 bits: tells versions apart, not a defence against a spec
 * author (who writes both versions anyway). */
static uint64_t fnv1a(uint64_t h, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '\r')
			continue;	/* a CRLF spec generates what its LF twin does */
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static void set_id_of(char out[17], const source *src, const char *path, const char *kver)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, path, strlen(path) + 1);
	h = fnv1a(h, kver, strlen(kver) + 1);
	h = fnv1a(h, src->text, src->len);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static int compile(arena *a, const source *src, diag_sink *d, const stapgen_options *o,
		   stapgen_output *out)
{
	spec *s = spec_load(a, src, d);
	if (!s)
		return 1;
	spec_check(a, s, d);
	record_set *rs = arena_alloc(a, sizeof *rs);
	if (!d->errors) {
		tapset_facts_check(s, o->kver, o->stap_version, d);
		unsigned sv[3], kv[3];
		if (o->stap_version && stap_version_parse(o->stap_version, sv))
			stap_version_check(s, sv, o->stap_version, !o->kver || !kver_parse(o->kver, kv), d);
		*rs = records_of(a, s);
		check_record_sizes(s, rs, d);
	}
	out->spec = s;
	if (s->guru && !o->guru)
		diag_error(d, s->tool_loc,
			   "spec '%s' declares 'guru: true'; generating it needs the --guru flag", s->tool);
	if (o->on_checked)
		o->on_checked(s, d, o->ctx);
	if (d->errors || (o->werror && d->warnings))
		return 1;
	if (o->check_only)
		return 0;
	/* everything below reads the checked spec */
	const spec *cs = s;
	emit_opts eo = { o->kver, shown_path(a, src->path), &out->map, out->set_id };
	set_id_of(out->set_id, src, eo.spec_path, o->kver);
	const tool_plan *pl = plan_build(a, cs, rs, o->kver);
	out->unsupported = pl->unsupported;
	if (out->unsupported) {
		sb_printf(&out->stp, "%s\n", out->unsupported->reason);
	} else {
		emit_stp(&out->stp, a, pl, &eo);
		emit_flags(&out->flags, pl, &eo);
	}
	emit_parser(&out->parser, pl, &eo);
	emit_command(&out->command, pl, &eo);
	emit_completion(&out->completion, pl, &eo);
	emit_doc(&out->doc, pl, &eo);
	return 0;
}

int stapgen_compile(arena *a, const source *src, diag_sink *d, const stapgen_options *o,
		    stapgen_output *out)
{
	memset(out, 0, sizeof *out);
	int rc = compile(a, src, d, o, out);
	diag_flush(d);	/* a sorted sink prints now, by position */
	return rc;
}

void stapgen_output_free(stapgen_output *out)
{
	sb_free(&out->stp);
	sb_free(&out->map);
	sb_free(&out->parser);
	sb_free(&out->command);
	sb_free(&out->doc);
	sb_free(&out->completion);
	sb_free(&out->flags);
}
