/* Warnings about tapset constructs known to break on the kernel a spec is
 * generated for (gen/tables/tapset_facts.def). */
#ifndef STAPGEN_TAPSET_FACTS_H
#define STAPGEN_TAPSET_FACTS_H
#include "../spec/spec.h"
#include "../util/diag.h"

typedef enum { FACT_ALIAS_VAR, FACT_POINT, FACT_DEFINE, FACT_HANDLED } fact_kind;

typedef struct tapset_fact {
	fact_kind kind;
	const char *construct, *kernels, *breaks, *evidence;
} tapset_fact;

extern const tapset_fact tapset_facts[];
extern const unsigned n_tapset_facts;

/* One warning (and a note with the evidence) per use of a construct known
 * to break on kver; a kver that is no version ("portable") may run on any
 * kernel, so every fact applies.  Reads the checked spec only. */
void tapset_facts_check(const spec *s, const char *kver, diag_sink *d);

#endif
