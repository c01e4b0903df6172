/* stapgen_rt_staplog.c - what stap's stderr says was lost (sg_stap_log).
 *
 * A tool's records cannot show what never reached them: records dropped
 * because the transport buffers were full, probe hits skipped, handlers
 * stopped by an error, a full map.  stap says so on its stderr, in words
 * that scroll past; this reads those words (SystemTap 4.8's runtime and
 * translator texts, prefixed "WARNING: " / "ERROR: " by staprun) and sums
 * them up, one line per kind of loss. */
#include "stapgen_rt_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>

/* Bytes of a line looked at; the rest of a longer line is skipped. */
#define SL_LINE 4096

/* Kinds of loss, X(ENUM, label, what one is, what several are, what it
 * means); a kind without a count (NULL) is said once. */
#define SL_KINDS(X)                                                                             \
    X(TRANSPORT, "lost data", "transport failure", "transport failures",                        \
      "records dropped: stap's buffers were full; stap -s MB raises them")                      \
    X(PRINTBUF, "lost data", "record without print buffer space",                               \
      "records without print buffer space", "not printed")                                      \
    X(SKIPPED, "skipped probes", "probe hit not run", "probe hits not run",                     \
      "their records are missing")                                                              \
    X(ERRORS, "probe errors", "handler stopped at an error", "handlers stopped at an error",    \
      "the rest of each handler did not run; see stap's ERROR lines")                           \
    X(ARRAY, "array overflow", "entry refused by a full map", "entries refused by a full map",  \
      "MAXMAPENTRIES or the map's size limit: they were not stored")                            \
    X(AGG, "aggregation overflow", "value not stored", "values not stored", "an aggregate was full") \
    X(MAXACTION, "MAXACTION exceeded", "handler stopped", "handlers stopped",                   \
      "a handler ran too many statements")                                                      \
    X(OVERLOAD, "stopped early: probe overhead exceeded stap's threshold", NULL, NULL,          \
      "the run ended before its time: STP_OVERLOAD_THRESHOLD per STP_OVERLOAD_INTERVAL")        \
    X(MAXSKIP, "stopped early: too many skipped probes (MAXSKIPPED)", NULL, NULL,               \
      "the run ended before its time")

enum {
#define SL_ENUM(e, label, one, many, why) SL_##e,
    SL_KINDS(SL_ENUM)
#undef SL_ENUM
        SL_NKINDS
};

static const struct {
    const char *label, *one, *many, *why;
} sl_kinds[] = {
#define SL_INFO(e, label, one, many, why) {label, one, many, why},
    SL_KINDS(SL_INFO)
#undef SL_INFO
};

/* The reasons stap gives in "Skipped due to REASON: N", by prefix. */
static const char *const sl_reasons[][2] = {
    {"global '", "lock timeout"},
    {"low stack", "low stack"},
    {"reentrancy", "reentrancy"},
    {"uprobe register failure", "uprobe register failure"},
    {"uprobe unregister failure", "uprobe unregister failure"},
    {"missed kretprobe", "missed kretprobe"},
    {"missed kprobe", "missed kprobe"},
};
#define SL_NREASONS (sizeof sl_reasons / sizeof sl_reasons[0])

typedef struct sl_state {
    unsigned long long n[SL_NKINDS];
    int seen[SL_NKINDS];
    unsigned long long reason[SL_NREASONS];
    int skipped_total; /* "Number of errors: N, skipped probes: M" was seen */
} sl_state;

static void sl_add(unsigned long long *a, unsigned long long b)
{
    *a = b > ULLONG_MAX - *a ? ULLONG_MAX : *a + b;
}

/* The decimal number at *p (saturating), *p moved past it; 0 if none. */
static int sl_num(const char **p, unsigned long long *v)
{
    const char *s = *p;
    unsigned long long x = 0;
    if (!isdigit((unsigned char)*s))
        return 0;
    for (; isdigit((unsigned char)*s); s++) {
        unsigned d = (unsigned)(*s - '0');
        x = x > (ULLONG_MAX - d) / 10 ? ULLONG_MAX : x * 10 + d;
    }
    *p = s;
    *v = x;
    return 1;
}

static int sl_prefix(const char **p, const char *pre)
{
    size_t n = strlen(pre);
    if (strncmp(*p, pre, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* The number after the last ": " of s, or 0. */
static int sl_last_num(const char *s, unsigned long long *v)
{
    const char *c = NULL, *q;
    for (q = s; (q = strstr(q, ": ")) != NULL; q += 2)
        c = q + 2;
    return c && sl_num(&c, v) && *c == '\0';
}

static void sl_hit(sl_state *st, int kind, unsigned long long n)
{
    st->seen[kind] = 1;
    sl_add(&st->n[kind], n);
}

/* One line of stap's stderr, NUL-terminated, colour escapes removed. */
static void sl_line(sl_state *st, const char *s)
{
    unsigned long long a, b;
    size_t i;
    if (sl_prefix(&s, "WARNING: ")) {
        if (sl_prefix(&s, "There were ")) {
            if (sl_num(&s, &a) && sl_prefix(&s, " transport failures"))
                sl_hit(st, SL_TRANSPORT, a);
        } else if (sl_prefix(&s, "Number of errors: ")) {
            if (sl_num(&s, &a) && sl_prefix(&s, ", skipped probes: ") && sl_num(&s, &b)) {
                if (a)
                    sl_hit(st, SL_ERRORS, a);
                if (b)
                    sl_hit(st, SL_SKIPPED, b);
                st->skipped_total = 1;
            }
        } else if (sl_prefix(&s, "Skipped due to ")) {
            for (i = 0; i < SL_NREASONS; i++)
                if (strncmp(s, sl_reasons[i][0], strlen(sl_reasons[i][0])) == 0)
                    break;
            if (i < SL_NREASONS && sl_last_num(s, &a))
                sl_add(&st->reason[i], a);
        }
        return;
    }
    if (!sl_prefix(&s, "ERROR: "))
        return;
    if (strncmp(s, "Array overflow, check ", 22) == 0)
        sl_hit(st, SL_ARRAY, 1);
    else if (strncmp(s, "aggregation overflow", 20) == 0)
        sl_hit(st, SL_AGG, 1);
    else if (strncmp(s, "MAXACTION exceeded", 18) == 0)
        sl_hit(st, SL_MAXACTION, 1);
    else if (strncmp(s, "Couldn't reserve any print buffer space", 39) == 0)
        sl_hit(st, SL_PRINTBUF, 1);
    else if (strncmp(s, "probe overhead (", 16) == 0 && strstr(s, ") exceeded threshold ("))
        sl_hit(st, SL_OVERLOAD, 1);
    else if (strncmp(s, "Skipped too many probes, check MAXSKIPPED", 41) == 0)
        sl_hit(st, SL_MAXSKIP, 1);
}

/* Removes ESC [ ... final-byte sequences (stap colours its words when told
 * to, SYSTEMTAP_COLOR) and a trailing CR. */
static void sl_clean(char *s, size_t *n)
{
    size_t i, j = 0;
    for (i = 0; i < *n; i++) {
        if (s[i] == '\033' && i + 1 < *n && s[i + 1] == '[') {
            for (i += 2; i < *n && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7e);
                 i++)
                ;
            continue;
        }
        s[j++] = s[i];
    }
    if (j && s[j - 1] == '\r')
        j--;
    s[j] = '\0';
    *n = j;
}

int sg_stap_log(FILE *in, const char *prog, FILE *diag)
{
    sl_state st;
    char line[SL_LINE + 1];
    size_t n = 0, i;
    int c, any = 0, lost = 0;
    memset(&st, 0, sizeof st);
    if (!in)
        return 1;
    for (;;) {
        c = getc(in);
        if (c == EOF || c == '\n') {
            if (n || c == '\n') {
                sl_clean(line, &n);
                sl_line(&st, line);
            }
            n = 0;
            if (c == EOF)
                break;
            continue;
        }
        if (n < SL_LINE)
            line[n++] = (char)c;
    }
    if (ferror(in))
        return 1;
    /* no total line (stap killed before it): the reasons are the count */
    if (!st.skipped_total)
        for (i = 0; i < SL_NREASONS; i++)
            if (st.reason[i])
                sl_hit(&st, SL_SKIPPED, st.reason[i]);
    for (i = 0; i < SL_NKINDS; i++) {
        size_t j;
        if (!st.seen[i])
            continue;
        lost = 1;
        if (!diag)
            continue;
        fprintf(diag, "%s: %s", prog ? prog : "stap", sl_kinds[i].label);
        if (sl_kinds[i].one)
            fprintf(diag, ": %llu %s", st.n[i], st.n[i] == 1 ? sl_kinds[i].one : sl_kinds[i].many);
        fprintf(diag, " (%s", sl_kinds[i].why);
        if (i == SL_SKIPPED)
            for (j = 0, any = 0; j < SL_NREASONS; j++)
                if (st.reason[j])
                    fprintf(diag, "%s%s: %llu", any++ ? ", " : "; ", sl_reasons[j][1],
                            st.reason[j]);
        fputs(")\n", diag);
    }
    return lost ? SG_EXIT_LOSS : 0;
}
