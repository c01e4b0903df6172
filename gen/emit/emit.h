/* Emitters: a checked spec -> .stp script text, C parser source text. */
#ifndef STAPGEN_EMIT_H
#define STAPGEN_EMIT_H
#include "../util/strbuf.h"
#include "records.h"

struct lowered;

typedef struct emit_opts {
	const char *kver;	/* kernel release the script is generated for */
	const char *spec_path;	/* as shown in headers (relative, stable) */
	strbuf *map;		/* if set, the .stp's source map is written here */
} emit_opts;

/* The script, from the lowered spec (gen/lower); `a` is for scratch text. */
void emit_stp(strbuf *out, arena *a, const struct lowered *lw, const emit_opts *o);
void emit_doc(strbuf *out, const spec *s, const record_set *rs, const emit_opts *o);
void emit_command(strbuf *out, const spec *s, const emit_opts *o);
/* "table (default), json, ... or svg (stack tools)" (SG_FORMATS) */
void emit_format_list(strbuf *out);
/* Does one of the spec's parameters take this command-line flag? */
bool param_has_flag(const spec *s, const char *flag);
void emit_parser(strbuf *out, const spec *s, const record_set *rs, const emit_opts *o);

#endif
