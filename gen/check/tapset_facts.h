/* Warnings about tapset constructs known to break on the kernel a spec is
 * generated for (gen/tables/tapset_facts.def). */
#ifndef STAPGEN_TAPSET_FACTS_H
#define STAPGEN_TAPSET_FACTS_H
#include "../spec/spec.h"
#include "../util/diag.h"

typedef enum {
	FACT_ALIAS_VAR, FACT_TARGET_VAR, FACT_ENTRY, FACT_MEMBER, FACT_POINT, FACT_DEFINE,
	FACT_HANDLED
} fact_kind;

typedef struct tapset_fact {
	fact_kind kind;
	const char *construct, *kernels, *stap, *breaks, *instead, *evidence;
} tapset_fact;

extern const tapset_fact tapset_facts[];
extern const unsigned n_tapset_facts;

/* One warning (and hints: what to write instead, the evidence) per use of a
 * construct known to break on kver; a kver that is no version ("portable")
 * may run on any kernel, so every fact applies.  A fact limited to some stap
 * releases applies when stap_version (the stap the script is generated for,
 * NULL: not known) is one of them.  Reads the checked spec only. */
void tapset_facts_check(const spec *s, const char *kver, const char *stap_version,
			diag_sink *d);

/* Whether the probe point as written (text, '?'/'!' aside) and pattern name
 * a common point: component by component, a '*' on either side matching
 * within one component; kernel.trace("SYS:NAME") is kernel.trace("NAME"). */
bool fact_point_match(const char *text, const char *pattern);

#endif
