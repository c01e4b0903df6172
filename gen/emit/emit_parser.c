/* The C result parser emitter: typed records for one tool, built on the
 * runtime in templates/parser/stapgen_rt.[ch]. */
#include <stdint.h>
#include <string.h>

#include "emit.h"

static const char *sg_type(col_type t)
{
	switch (t) {
#define COLT(e, name, str, sg, doc, word, need) case COL_##e: return sg;
#include "../tables/col_types.def"
#undef COLT
	case COL_AUTO: break;
	}
	return "SG_LONG";
}

static const char *sg_class(record_class c)
{
	switch (c) {
	case REC_EVENT: return "SG_EVENT";
	case REC_ROW: return "SG_ROW";
#define HIST(e, name, fn, doc) case REC_HIST_##e: return "SG_HIST_" #e;
#include "../tables/hist_kinds.def"
#undef HIST
	}
	return "SG_EVENT";
}

/* A C string literal for text that came from a spec (titles, paths). */
static void c_string(strbuf *o, const char *s)
{
	sb_putc(o, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			sb_printf(o, "\\%c", *p);
		else if (*p == '\n')
			sb_puts(o, "\\n");
		else if (*p == '\r')
			sb_puts(o, "\\r");
		else if (*p < 0x20 || *p >= 0x7f || *p == '?')	/* '?': no trigraphs */
			sb_printf(o, "\\%03o", *p);
		else
			sb_putc(o, (char)*p);
	}
	sb_putc(o, '"');
}

/* A long long constant and ", ".  INT64_MIN has no literal of its own in C:
 * -9223372036854775808LL is minus a constant too large for long long. */
static void c_ll(strbuf *o, int64_t v)
{
	if (v == INT64_MIN)
		sb_puts(o, "(-9223372036854775807LL - 1), ");
	else
		sb_printf(o, "%lldLL, ", (long long)v);
}

/* C names.  The parser runtime owns sg_ and SG_ (a tool may not be named
 * so: spec_load refuses it); everything generated for tool T starts with
 * T_ and then a word that keeps the kinds of names apart, so no spec name
 * can make two of them equal, or equal a C keyword or a macro of the
 * headers:
 *   T_tool T_kinds T_handlers T_parse       the tool
 *   T_rec_R T_fields_R T_decode_R           record R
 *   f_C, len_C (members of T_rec_R)         column C, its length
 *   on_R (members of T_handlers)            the callback for record R */
/* The unit of the COUNT of the first record kind with a stack column (the
 * first long column after its first stack column), NULL if it has none. */
static const char *stack_unit(const record_set *rs)
{
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		unsigned j = 0;
		if (k->cls != REC_EVENT && k->cls != REC_ROW)
			continue;
		while (j < k->nfields && k->fields[j].type != COL_STACK)
			j++;
		if (j == k->nfields)
			continue;
		while (++j < k->nfields)
			if (k->fields[j].type == COL_LONG)
				return k->fields[j].unit;
		return NULL;
	}
	return NULL;
}

/* ---- per-kind code (templates/parser/stapgen_rt_kind.h) --------------------
 * What the runtime's generic reader and writers look up for every field of
 * every record, the type of each field, the JSON keys, the table widths, is
 * known here: each kind gets a reader of its fields, each event kind a
 * writer per format, with the call for each field chosen now and the fixed
 * text as string literals.  Their output is the generic code's, byte for
 * byte (tests/parsers/kind_code.sh). */

/* A name the JSON and CSV writers print as it is (they would escape
 * anything else): spec names are identifiers, this says so here. */
static bool plain_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

/* Every name of event kind k is plain, and it has fields: it gets writers. */
static bool has_writers(const record_kind *k)
{
	if (k->cls != REC_EVENT || !k->nfields || !plain_name(k->name))
		return false;
	for (unsigned j = 0; j < k->nfields; j++)
		if (!plain_name(k->fields[j].name))
			return false;
	return true;
}

/* The table writer prints stacks through the runtime (folded frames). */
static bool has_table_writer(const record_kind *k)
{
	if (!has_writers(k))
		return false;
	for (unsigned j = 0; j < k->nfields; j++)
		if (k->fields[j].type == COL_STACK)
			return false;
	return true;
}

/* "char *o = sg_out_room(w, FIXED + PER_BYTE * (v[4].slen + v[7].slen));"
 * (the lengths of the kind's strings) and the NULL check. */
static void out_room(strbuf *o, const record_kind *k, size_t fixed, unsigned per_byte)
{
	strbuf lens = STRBUF_INIT;
	unsigned nstr = 0;
	for (unsigned j = 0; j < k->nfields; j++)
		if (col_is_str(k->fields[j].type))
			sb_printf(&lens, "%sv[%u].slen", nstr++ ? " + " : "", j);
	sb_printf(o, "\tchar *o = sg_out_room(w, %zu", fixed);
	if (nstr)
		sb_printf(o, nstr > 1 ? " + %u * (%s)" : " + %u * %s", per_byte, sb_str(&lens));
	sb_free(&lens);
	sb_puts(o, ");\n\tif (!o)\n\t\treturn;\n");
}

/* "\to = SG_PUT(o, LITERAL);\n"; returns the text's length. */
static size_t put_text(strbuf *o, const char *text)
{
	sb_puts(o, "\to = SG_PUT(o, ");
	c_string(o, text);
	sb_puts(o, ");\n");
	return strlen(text);
}

static void emit_reader(strbuf *o, const char *t, const record_kind *k)
{
	unsigned ninet = 0;
	sb_printf(o, "/* The fields of a @%s line into values; 0: the line is dropped */\n"
		     "static int %s_read_%s(sg_line *ln)\n{\n\treturn ", k->name, t, k->name);
	for (unsigned j = 0; j < k->nfields; j++) {
		const record_field *f = &k->fields[j];
		if (j)
			sb_printf(o, " &&\t/* %s */\n\t       ", k->fields[j - 1].name);
		switch (f->type) {
		case COL_LONG: sb_printf(o, "sg_read_long(ln, %u)", j); break;
		case COL_TIME: sb_printf(o, "sg_read_time(ln, %u)", j); break;
		case COL_INET: sb_printf(o, "sg_read_inet(ln, %u, %u)", j, ninet++); break;
		default: sb_printf(o, "sg_read_str(ln, %u)", j); break; /* string, stack */
		}
	}
	sb_printf(o, ";\t/* %s */\n}\n\n", k->fields[k->nfields - 1].name);
}

/* {"kind":"K","F":V,...}: sg_put_num writes 24 bytes of a number, a string
 * takes 6 bytes a byte at most and 2 more for its "F.hex" (the key, 16 bytes
 * of the writer's 16-byte stores and the quotes on top). */
/* A writer function around its body: room for the record first (fixed
 * bytes, per_byte for each byte of its strings), then the body, then the
 * end.  what: the comment's text after "a @KIND". */
static void put_writer(strbuf *o, const char *fmt, const char *what, const char *t, const record_kind *k,
		       size_t fixed, unsigned per_byte, const strbuf *body)
{
	sb_printf(o, "/* -f %s: a @%s %s */\n"
		     "static void %s_%s_%s(sg_writer *w, const sg_value *v)\n{\n",
		  fmt, k->name, what, t, fmt, k->name);
	out_room(o, k, fixed, per_byte);
	sb_puts(o, sb_str(body));
	sb_puts(o, "\tsg_out_end(w, o);\n}\n\n");
}

static void emit_json(strbuf *o, const char *t, const record_kind *k)
{
	strbuf body = STRBUF_INIT, text = STRBUF_INIT;
	size_t fixed = 0;
	sb_printf(&text, "{\"kind\":\"%s\"", k->name);
	for (unsigned j = 0; j < k->nfields; j++) {
		const record_field *f = &k->fields[j];
		sb_printf(&text, ",\"%s\":", f->name);
		fixed += put_text(&body, sb_str(&text));
		sb_reset(&text);
		if (col_is_str(f->type)) {
			sb_printf(&text, ",\"%s.hex\":", f->name);
			sb_printf(&body, "\to = sg_json_text(o, &v[%u], ", j);
			c_string(&body, sb_str(&text));
			sb_puts(&body, ");\n");
			fixed += 20 + text.len;
			sb_reset(&text);
		} else {
			sb_printf(&body, "\to = sg_put_num(o, &v[%u]);\n", j);
			fixed += 24;
		}
	}
	fixed += put_text(&body, "}\n");
	put_writer(o, "json", "event", t, k, fixed, 8, &body);
	sb_free(&body);
	sb_free(&text);
}

/* K,V,...\r\n under the stream's header (the runtime calls it when that is
 * the kind's own columns): a string takes 2 bytes a byte, its quotes and
 * the writer's 16-byte stores. */
static void emit_csv(strbuf *o, const char *t, const record_kind *k)
{
	strbuf body = STRBUF_INIT, text = STRBUF_INIT;
	size_t fixed = 0;
	sb_printf(&text, "%s,", k->name);
	fixed += put_text(&body, sb_str(&text));
	for (unsigned j = 0; j < k->nfields; j++) {
		if (j) {
			sb_puts(&body, "\t*o++ = ',';\n");
			fixed++;
		}
		if (col_is_str(k->fields[j].type)) {
			sb_printf(&body, "\to = sg_csv_text(o, &v[%u]);\n", j);
			fixed += 18;
		} else {
			sb_printf(&body, "\to = sg_put_num(o, &v[%u]);\n", j);
			fixed += 24;
		}
	}
	fixed += put_text(&body, "\r\n");
	put_writer(o, "csv", "event", t, k, fixed, 2, &body);
	sb_free(&body);
	sb_free(&text);
}

/* The display width of UTF-8 text as the table writer counts it. */
static size_t text_width(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xC0u) != 0x80u)
			n++;
	return n;
}

/* A column's width in the table's event rows: its title's, its width:
 * hint if more, and a time's 19 ("YYYY-MM-DD HH:MM:SS"). */
static size_t table_width(const record_field *f)
{
	size_t wd = text_width(f->title);
	if (f->width > 0 && (size_t)f->width > wd)
		wd = (size_t)f->width;
	if (f->type == COL_TIME && wd < 19)
		wd = 19;
	return wd;
}

/* One row under the runtime's header: columns padded to their width
 * (numbers right-aligned, the last column not padded) and two blanks
 * apart; with several event kinds a KIND column first (kind_w wide).  A
 * cell takes its width, the 32 bytes of a padding store and at most 24
 * bytes (a number), 64 (a time) or 16 and 4 a byte (text). */
static void emit_table(strbuf *o, const char *t, const record_kind *k, size_t kind_w)
{
	strbuf body = STRBUF_INIT, text = STRBUF_INIT;
	size_t fixed = 1;
	if (kind_w) {
		sb_printf(&text, "%-*s  ", (int)kind_w, k->name);
		fixed += put_text(&body, sb_str(&text));
	}
	for (unsigned j = 0; j < k->nfields; j++) {
		const record_field *f = &k->fields[j];
		size_t wd = table_width(f);
		bool last = j + 1 == k->nfields;
		if (j)
			fixed += put_text(&body, "  ");
		switch (f->type) {
		case COL_LONG:
			sb_printf(&body, "\to = sg_table_num(o, &v[%u], %zu);", j, wd);
			fixed += 24;
			break;
		case COL_TIME:
			sb_printf(&body, "\to = sg_table_time(w, o, &v[%u], %zu);", j, last ? 0 : wd);
			fixed += 64;
			break;
		default:
			sb_printf(&body, "\to = sg_table_text(o, &v[%u], %zu);", j, last ? 0 : wd);
			fixed += 16;
			break;
		}
		sb_printf(&body, "\t/* %s */\n", f->name);
		fixed += wd + 32;
	}
	sb_puts(&body, "\t*o++ = '\\n';\n");
	put_writer(o, "table", "row under its header", t, k, fixed, 4, &body);
	sb_free(&body);
	sb_free(&text);
}

/* The KIND column's width when the tool has several event kinds, else 0. */
static size_t kind_column(const record_set *rs)
{
	size_t nev = 0, wd = 4;
	for (unsigned i = 0; i < rs->nkinds; i++)
		if (rs->kinds[i].cls == REC_EVENT) {
			nev++;
			if (strlen(rs->kinds[i].name) > wd)
				wd = strlen(rs->kinds[i].name);
		}
	return nev > 1 ? wd : 0;
}

static void emit_kind_code(strbuf *o, const char *t, const record_kind *k, size_t kind_w)
{
	if (!k->nfields)
		return;
	emit_reader(o, t, k);
	if (has_table_writer(k))
		emit_table(o, t, k, kind_w);
	if (has_writers(k)) {
		emit_json(o, t, k);
		emit_csv(o, t, k);
	}
}

/* T_WHAT_K, or NULL without it; after sep */
static void code_ref(strbuf *o, const char *sep, bool has, const char *t, const char *what,
		     const char *k)
{
	if (has)
		sb_printf(o, "%s%s_%s_%s", sep, t, what, k);
	else
		sb_printf(o, "%sNULL", sep);
}

static void emit_code_table(strbuf *o, const char *t, const record_set *rs)
{
	sb_printf(o, "/* Each kind's own code, in %s_kinds' order (stapgen_rt_kind.h) */\n"
		     "static const sg_kind_code %s_code[] = {\n", t, t);
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		code_ref(o, "\t{ ", k->nfields > 0, t, "read", k->name);
		code_ref(o, ", ", has_table_writer(k), t, "table", k->name);
		code_ref(o, ", ", has_writers(k), t, "json", k->name);
		code_ref(o, ", ", has_writers(k), t, "csv", k->name);
		sb_puts(o, " },\n");
	}
	sb_puts(o, "};\n\n");
}

void emit_parser(strbuf *o, const tool_plan *pl, const emit_opts *opt)
{
	const spec *s = pl->s;
	const record_set *rs = pl->rs;
	const char *t = s->tool, *svg_unit;
	size_t kind_w = kind_column(rs);
	sb_printf(o, "/*\n * %s_parser.c — result parser for the %s SystemTap tool.\n", t, t);
	sb_printf(o, " *\n * Generated by stapgen from %s.  Do not edit: change the spec and\n"
		     " * regenerate.  Reads exactly what %s.stp prints (protocol 1) and\n"
		     " * writes it as a table, JSON lines or CSV; see --help.  Compile with\n"
		     " * -DSTAPGEN_NO_MAIN to use %s_parse() from other code: record R\n"
		     " * arrives as a %s_rec_R, column C as its member f_C (len_C: the\n"
		     " * length of a string).\n */\n",
		  opt->spec_path, t, t, t);
	sb_puts(o, "#include <stddef.h>\n#include <stdio.h>\n\n#include \"stapgen_rt.h\"\n"
		   "#include \"stapgen_rt_kind.h\"\n\n");

	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		sb_printf(o, "/* @%s: %s */\n", k->name,
			  k->cls == REC_EVENT ? "one event"
			  : k->cls == REC_ROW ? "one row of a periodic report"
					      : "one histogram bucket");
		sb_printf(o, "typedef struct %s_rec_%s {\n", t, k->name);
		for (unsigned j = 0; j < k->nfields; j++) {
			const record_field *f = &k->fields[j];
			if (col_is_str(f->type))
				sb_printf(o, "\tconst char *f_%s;\t/* not NUL-safe: use len_%s */\n"
					     "\tsize_t len_%s;\n", f->name, f->name, f->name);
			else
				sb_printf(o, "\tlong long f_%s;%s\n", f->name,
					  f->type == COL_TIME ? "\t/* epoch seconds */" : "");
		}
		sb_printf(o, "} %s_rec_%s;\n\n", t, k->name);
		sb_printf(o, "static const sg_field %s_fields_%s[] = {\n", t, k->name);
		for (unsigned j = 0; j < k->nfields; j++) {
			const record_field *f = &k->fields[j];
			sb_printf(o, "\t{ \"%s\", %s, ", f->name, sg_type(f->type));
			c_string(o, f->title);
			sb_printf(o, ", %d },\n", f->width);
		}
		sb_puts(o, "};\n\n");
		emit_kind_code(o, t, k, kind_w);
	}
	sb_printf(o, "static const sg_kind %s_kinds[] = {\n", t);
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		sb_printf(o, "\t{ \"%s\", %s, %s_fields_%s, %u, ", k->name, sg_class(k->cls), t,
			  k->name, k->nfields);
		c_ll(o, k->lin_lo);
		c_ll(o, k->lin_hi);
		c_ll(o, k->lin_step);
		if (k->report)
			sb_printf(o, "\"%s\" },\n", k->report->name);
		else
			sb_puts(o, "NULL },\n");
	}
	sb_puts(o, "};\n\n");
	sb_printf(o, "const sg_tool %s_tool = {\n\t\"%s\", ", t, t);
	c_string(o, opt->spec_path);
	sb_printf(o, ",\n\t%s_kinds, sizeof %s_kinds / sizeof %s_kinds[0],\n};\n\n", t, t, t);
	if (opt->set_id)
		sb_printf(o, "/* the tool command runs this parser only with a script of its set */\n"
			     "const char %s_set[] = \"stapgen set %s\";\n\n", t, opt->set_id);
	svg_unit = stack_unit(rs);
	if (svg_unit) {
		sb_printf(o, "/* -f svg: the stack records' COUNT is '%s' (its column's unit) */\n"
			     "const sg_svg_opts %s_svg = { .unit = ", svg_unit, t);
		c_string(o, svg_unit);
		sb_puts(o, " };\n\n");
	}

	emit_code_table(o, t, rs);

	/* Typed handlers */
	sb_printf(o, "/* One callback per record kind; NULL callbacks skip the kind. */\n"
		     "typedef struct %s_handlers {\n", t);
	for (unsigned i = 0; i < rs->nkinds; i++)
		sb_printf(o, "\tvoid (*on_%s)(const %s_rec_%s *rec, void *ctx);\n", rs->kinds[i].name,
			  t, rs->kinds[i].name);
	sb_printf(o, "} %s_handlers;\n\n", t);
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		sb_printf(o, "static void %s_decode_%s(const sg_value *v, %s_rec_%s *r)\n{\n", t,
			  k->name, t, k->name);
		for (unsigned j = 0; j < k->nfields; j++) {
			const record_field *f = &k->fields[j];
			if (col_is_str(f->type))
				sb_printf(o, "\tr->f_%s = v[%u].s;\n\tr->len_%s = v[%u].slen;\n", f->name,
					  j, f->name, j);
			else
				sb_printf(o, "\tr->f_%s = v[%u].l;\n", f->name, j);
		}
		sb_puts(o, "}\n\n");
	}
	sb_printf(o, "/* Reads records until EOF, calling h for each.  Returns the number of\n"
		     " * input lines dropped (reported on diag), or -1 on allocation failure. */\n"
		     "long %s_parse(FILE *in, const char *in_name, FILE *diag,\n"
		     "\t\tconst %s_handlers *h, void *ctx)\n{\n", t, t);
	sb_printf(o, "\tsg_reader *r = sg_reader_new(in, in_name, &%s_tool, diag);\n", t);
	sb_printf(o, "\tif (!r)\n\t\treturn -1;\n\tsg_reader_code(r, %s_code);\n", t);
	sb_puts(o, "\tconst sg_kind *k;\n\tconst sg_value *v;\n"
		   "\twhile (sg_reader_next(r, &k, &v) == 1) {\n");
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const char *kn = rs->kinds[i].name;
		sb_printf(o, "\t\t%sif (k == &%s_kinds[%u] && h->on_%s) {\n", i ? "else " : "", t, i, kn);
		sb_printf(o, "\t\t\t%s_rec_%s rec;\n\t\t\t%s_decode_%s(v, &rec);\n\t\t\th->on_%s(&rec, ctx);\n\t\t}\n",
			  t, kn, t, kn, kn);
	}
	sb_puts(o, "\t}\n\tlong dropped = (long)sg_reader_dropped(r);\n\tsg_reader_free(r);\n"
		   "\treturn dropped;\n}\n\n");
	sb_puts(o, "#ifndef STAPGEN_NO_MAIN\nint main(int argc, char **argv)\n{\n");
	if (svg_unit)
		sb_printf(o, "\treturn sg_main_code(argc, argv, &%s_tool, &%s_svg, %s_code);\n}\n#endif\n",
			  t, t, t);
	else
		sb_printf(o, "\treturn sg_main_code(argc, argv, &%s_tool, NULL, %s_code);\n}\n#endif\n",
			  t, t);
}
