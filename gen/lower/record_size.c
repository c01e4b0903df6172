/* Record sizes: every record is one printf, and stap prints at most
 * STP_PRINTF_MAX bytes of one printf; a spec whose record can be longer is
 * refused here, at generation, rather than merged into the next record at
 * run time. */
#include "record_size.h"

#include <stdlib.h>
#include <string.h>

long spec_maxstringlen(const spec *s, const srcloc **loc)
{
	static const char pre[] = "-DMAXSTRINGLEN=";
	if (loc)
		*loc = NULL;
	for (unsigned i = 0; i < s->nstap_options; i++)
		if (!strncmp(s->stap_options[i], pre, sizeof pre - 1)) {
			if (loc)
				*loc = &s->stap_option_locs[i];
			/* checked by spec_load: decimal, 1 - 65536 */
			return strtol(s->stap_options[i] + sizeof pre - 1, NULL, 10);
		}
	return STAP_MAXSTRINGLEN_DEFAULT;
}

unsigned long record_max_bytes(const record_kind *k, long maxstringlen)
{
	/* "@NAME", then "\tFIELD" per field, then "\n" */
	unsigned long n = 1 + strlen(k->name) + 1;
	for (unsigned i = 0; i < k->nfields; i++) {
		const record_field *f = &k->fields[i];
		if (col_is_str(f->type))
			n += 1 + (unsigned long)(maxstringlen - 1);
		else
			n += 1 + 20;	/* %d of an int64: "-9223372036854775808" */
	}
	return n;
}

static srcloc record_loc(const spec *s, const record_kind *k)
{
	if (k->cls == REC_EVENT && k->nemits)
		return k->emits[0]->loc;
	if (k->report)
		return k->report->loc;
	return s->tool_loc;
}

void check_record_sizes(const spec *s, const record_set *rs, diag_sink *d)
{
	const srcloc *mloc;
	long msl = spec_maxstringlen(s, &mloc);
	for (unsigned i = 0; i < rs->nkinds; i++) {
		const record_kind *k = &rs->kinds[i];
		unsigned long n = record_max_bytes(k, msl), fixed;
		unsigned nstr = 0;
		if (n <= STP_PRINTF_MAX)
			continue;
		for (unsigned j = 0; j < k->nfields; j++)
			nstr += col_is_str(k->fields[j].type);
		fixed = n - (unsigned long)nstr * (unsigned long)(msl - 1);
		diag_error(d, record_loc(s, k),
			   "record '%s' can be %lu bytes long (%u string or stack column%s of up to "
			   "MAXSTRINGLEN - 1 = %ld bytes each); stap prints at most %d bytes of one printf "
			   "and cuts the rest, newline included, so the record would run into the next",
			   k->name, n, nstr, nstr == 1 ? "" : "s", msl - 1, STP_PRINTF_MAX);
		if (nstr && fixed < STP_PRINTF_MAX)
			diag_hint(d, "%s MAXSTRINGLEN to at most %lu in stap_options (-DMAXSTRINGLEN=%lu%s), "
				  "or split the columns into several records", mloc ? "lower" : "set",
				  (STP_PRINTF_MAX - fixed) / nstr + 1, (STP_PRINTF_MAX - fixed) / nstr + 1,
				  mloc ? "" : "; stap's default is 512");
		else
			diag_hint(d, "split the columns into several records");
		if (mloc)
			diag_note(d, *mloc, "MAXSTRINGLEN is set here");
	}
}
