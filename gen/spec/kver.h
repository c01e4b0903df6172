/* Kernel releases and version ranges: "6.1.0-56-cloud-amd64" is 6.1.0; a
 * range is one or two comparisons, "< 6.12" or ">= 4.18, < 6.0". */
#ifndef STAPGEN_KVER_H
#define STAPGEN_KVER_H
#include <stdbool.h>

#include "../util/strbuf.h"

typedef struct kver_cond {
	int cmp;		/* -2 <, -1 <=, 0 ==, 1 >=, 2 > */
	unsigned ver[3];
} kver_cond;

typedef struct kver_range {
	kver_cond c[2];
	unsigned n;		/* 0 = every kernel */
} kver_range;

/* Leading "X.Y[.Z]" of a release, up to its end or one of - + . _ ~
 * ("3.10.0-957.27.2.el7.x86_64" is 3.10.0); false when it has none
 * ("portable"). */
bool kver_parse(const char *release, unsigned v[3]);
bool kver_range_parse(const char *text, kver_range *r);
bool kver_range_match(const kver_range *r, const unsigned v[3]);
/* The range as a stap preprocessor condition: kernel_v >= "4.18" && ... */
void kver_range_stap(strbuf *sb, const kver_range *r);

#endif
