/* Errors for constructs the stap a script is generated for does not accept
 * yet (gen/tables/stap_versions.def), each at the spec line it comes from. */
#ifndef STAPGEN_STAP_VERSION_H
#define STAPGEN_STAP_VERSION_H
#include <stdbool.h>

#include "../spec/spec.h"
#include "../util/diag.h"

typedef enum { SV_FUNC, SV_POINT, SV_OP, SV_SCRIPT } stap_version_kind;

typedef struct stap_version_fact {
	stap_version_kind kind;
	const char *construct, *first, *evidence;
} stap_version_fact;

extern const stap_version_fact stap_version_facts[];
extern const unsigned n_stap_version_facts;

/* "4.4", "4.0", "3.3.1" -> v (missing parts 0); false if not N.N[.N]. */
bool stap_version_parse(const char *s, unsigned v[3]);

/* One error per use of a construct newer than stap v (portable: the
 * kernel release is no version, so %( kernel_v %) alternatives are
 * emitted).  Reads the checked spec only. */
void stap_version_check(const spec *s, const unsigned v[3], const char *vtext, bool portable,
			diag_sink *d);

#endif
