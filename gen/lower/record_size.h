/* The longest line each record can print, against what stap's runtime
 * prints in one piece. */
#ifndef STAPGEN_RECORD_SIZE_H
#define STAPGEN_RECORD_SIZE_H
#include "records.h"

/* SystemTap's runtime formats one printf into a buffer of STP_BUFFER_SIZE
 * bytes (runtime/transport/transport.h, 8192 in 4.8 and 5.x) and cuts what
 * is longer (vsprintf.c: num_bytes clamped): a longer record loses its
 * newline and runs into the next one. */
#define STP_PRINTF_MAX 8192
/* stap's MAXSTRINGLEN on 64-bit (runtime_defines.h) */
#define STAP_MAXSTRINGLEN_DEFAULT 512

/* MAXSTRINGLEN as the spec's stap_options set it (*loc: that option), or
 * stap's default (*loc: NULL). */
long spec_maxstringlen(const spec *s, const srcloc **loc);
/* Bytes of record k's longest line, '\n' included, strings at their longest
 * (text_str() output: at most MAXSTRINGLEN - 1 bytes). */
unsigned long record_max_bytes(const record_kind *k, long maxstringlen);
/* An error at each record whose longest line exceeds STP_PRINTF_MAX. */
void check_record_sizes(const spec *s, const record_set *rs, diag_sink *d);

#endif
