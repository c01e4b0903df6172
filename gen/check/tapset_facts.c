#include "tapset_facts.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

#include "../expr/ast.h"
#include "../spec/kver.h"
#include "../util/strbuf.h"
#include "check_expr.h"
#include "stap_version.h"

const tapset_fact tapset_facts[] = {
#define FACT(k, c, kv, sv, b, i, e) { k, c, kv, sv, b, i, e },
#include "../tables/tapset_facts.def"
#undef FACT
};
const unsigned n_tapset_facts = sizeof tapset_facts / sizeof tapset_facts[0];

/* A warning given once per spot: facts that share their text (the nfsd.proc
 * aliases) and all match one wildcard point say it once. */
typedef struct warned {
	srcloc loc;
	const char *breaks;
} warned;

typedef struct fact_state {
	const char *kver, *stap;
	bool portable;
	unsigned v[3];
	diag_sink *d;
	warned *w;
	size_t nw, capw;
} fact_state;

typedef struct fact_ctx {
	const tapset_fact *f;
	fact_state *st;
	kver_range r;		/* the fact's kernels */
	/* the construct: "POINT WHAT" (point NULL: a bare "WHAT") */
	char *point;
	const char *what;
	/* the nodes stap never resolves where they break: inside @defined(),
	 * @choose_defined(), a branch of `@defined(..) ? a : b` */
	const expr **guarded;
	size_t nguarded, capguarded;
} fact_ctx;

static void warn(fact_ctx *c, srcloc l, const char *name)
{
	fact_state *st = c->st;
	const tapset_fact *f = c->f;
	for (size_t i = 0; i < st->nw; i++)
		if (st->w[i].loc.src == l.src && st->w[i].loc.line == l.line &&
		    st->w[i].loc.col == l.col && !strcmp(st->w[i].breaks, f->breaks))
			return;
	if (st->nw == st->capw) {
		st->capw = st->capw ? 2 * st->capw : 8;
		warned *nw = realloc(st->w, st->capw * sizeof *nw);
		if (!nw) {
			fputs("stapgen: fatal: out of memory\n", stderr);
			exit(1);
		}
		st->w = nw;
	}
	st->w[st->nw++] = (warned){ l, f->breaks };
	strbuf on = STRBUF_INIT;
	if (f->kernels[0])
		sb_printf(&on, "kernels %s", f->kernels);
	else
		sb_puts(&on, "every kernel");
	if (f->stap[0])
		sb_printf(&on, " with stap %s", f->stap);
	if (st->portable && f->stap[0])
		diag_warning(st->d, l, "%s is known to break on %s, where a portable script may run (with stap %s): %s",
			     name, sb_str(&on), st->stap, f->breaks);
	else if (st->portable)
		diag_warning(st->d, l, "%s is known to break on %s, where a portable script may run: %s",
			     name, sb_str(&on), f->breaks);
	else if (f->stap[0])
		diag_warning(st->d, l, "%s is known to break on %s, such as %s with stap %s: %s",
			     name, sb_str(&on), st->kver, st->stap, f->breaks);
	else
		diag_warning(st->d, l, "%s is known to break on %s, such as %s: %s",
			     name, sb_str(&on), st->kver, f->breaks);
	sb_free(&on);
	if (f->instead[0])
		diag_hint(st->d, "instead: %s", f->instead);
	diag_hint(st->d, "evidence: %s", f->evidence);
}

static void warn_construct(fact_ctx *c, srcloc l)
{
	strbuf name = STRBUF_INIT;
	sb_printf(&name, "'%s'", c->f->construct);
	warn(c, l, sb_str(&name));
	sb_free(&name);
}

/* The components of a point as written, each NUL-terminated, in sb: split
 * at the dots outside quotes and parentheses, stap's '?'/'!' dropped, and
 * kernel.trace("SYS:NAME") written kernel.trace("NAME"). */
static unsigned components(strbuf *sb, const char *text)
{
	size_t len = strlen(text);
	while (len && strchr("?! ", text[len - 1]))
		len--;
	unsigned n = 1, depth = 0;
	bool quoted = false, start = true;
	for (size_t i = 0; i < len; i++) {
		char ch = text[i];
		if (start && len - i > 7 && !strncmp(text + i, "trace(\"", 7)) {
			sb_putn(sb, text + i, 7);
			i += 7;
			size_t j = i;
			while (j < len && text[j] != '"' && text[j] != ':')
				j++;
			if (j < len && text[j] == ':')
				i = j + 1;	/* the subsystem */
			depth++;
			quoted = true;
			start = false;
			i--;
			continue;
		}
		start = false;
		if (quoted) {
			if (ch == '\\' && i + 1 < len) {
				sb_putc(sb, ch);
				ch = text[++i];
			} else if (ch == '"') {
				quoted = false;
			}
		} else if (ch == '"') {
			quoted = true;
		} else if (ch == '(') {
			depth++;
		} else if (ch == ')' && depth) {
			depth--;
		} else if (ch == '.' && !depth) {
			sb_putc(sb, '\0');
			n++;
			start = true;
			continue;
		}
		sb_putc(sb, ch);
	}
	sb_putc(sb, '\0');
	return n;
}

bool fact_point_match(const char *text, const char *pattern)
{
	strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	unsigned na = components(&a, text), nb = components(&b, pattern);
	bool same = na == nb;
	const char *p = a.buf, *q = b.buf;
	for (unsigned i = 0; same && i < na; i++) {
		same = !fnmatch(p, q, 0) || !fnmatch(q, p, 0);
		p += strlen(p) + 1;
		q += strlen(q) + 1;
	}
	sb_free(&a);
	sb_free(&b);
	return same;
}

/* Whether the script generated for this kernel has point pt. */
static bool point_generated(const fact_ctx *c, const spec_point *pt)
{
	const fact_state *st = c->st;
	if (!pt->range.n)
		return true;
	if (!st->portable)
		return kver_range_match(&pt->range, st->v);
	/* portable: %( kernel_v %) keeps it off kernels from the fact's lower
	 * bound on (facts are ">= X" ranges) */
	return !c->r.n || kver_range_match(&pt->range, c->r.c[0].ver);
}

static bool point_on(const fact_ctx *c, const spec_point *pt)
{
	return point_generated(c, pt) && (!c->point || fact_point_match(pt->text, c->point));
}

static void guard_add(const expr *e, void *ctx)
{
	fact_ctx *c = ctx;
	if (c->nguarded == c->capguarded) {
		c->capguarded = c->capguarded ? 2 * c->capguarded : 16;
		const expr **ng = realloc(c->guarded, c->capguarded * sizeof *ng);
		if (!ng) {
			fputs("stapgen: fatal: out of memory\n", stderr);
			exit(1);
		}
		c->guarded = ng;
	}
	c->guarded[c->nguarded++] = e;
}

static void find_defined(const expr *e, void *ctx)
{
	if (e->kind == E_DEFINED)
		*(bool *)ctx = true;
}

static void guard_find(const expr *e, void *ctx)
{
	if (e->kind == E_DEFINED || e->kind == E_CHOOSE) {
		expr_walk(e, guard_add, ctx);
	} else if (e->kind == E_TERNARY) {
		bool cond = false;
		expr_walk(e->a, find_defined, &cond);
		if (cond) {
			expr_walk(e->b, guard_add, ctx);
			expr_walk(e->c, guard_add, ctx);
		}
	}
}

static bool guarded(const fact_ctx *c, const expr *e)
{
	for (size_t i = 0; i < c->nguarded; i++)
		if (c->guarded[i] == e)
			return true;
	return false;
}

/* @cast(p, "TYPE") or "struct TYPE" */
static bool cast_to(const expr *e, const char *type, size_t n)
{
	if (e->kind != E_CAST || !e->sval)
		return false;
	const char *t = e->sval;
	size_t len = e->slen;
	if (len > 7 && !strncmp(t, "struct ", 7)) {
		t += 7;
		len -= 7;
	}
	return len == n && !strncmp(t, type, n);
}

static void node(const expr *e, void *ctx)
{
	fact_ctx *c = ctx;
	const char *what = c->what;
	srcloc l = e->loc;
	switch (c->f->kind) {
	case FACT_ALIAS_VAR:
		if (e->kind == E_IDENT && e->bind == NAME_ALIASVAR && !strcmp(e->name, what)) {
			l.len = (unsigned)strlen(e->name);
			warn_construct(c, l);
		}
		break;
	case FACT_TARGET_VAR:
		if (e->kind == E_TARGET && !strcmp(e->name, what + 1) && !guarded(c, e)) {
			l.len = (unsigned)strlen(e->name) + 1;
			warn_construct(c, l);
		}
		break;
	case FACT_ENTRY:
		if (e->kind == E_ENTRY) {
			l.len = 6;	/* @entry */
			warn_construct(c, l);
		}
		break;
	case FACT_MEMBER: {
		const char *arrow = strstr(what, "->");
		if (e->kind == E_MEMBER && e->a && !strcmp(e->name, arrow + 2) &&
		    cast_to(e->a, what, (size_t)(arrow - what)) && !guarded(c, e))
			warn_construct(c, l);
		break;
	}
	case FACT_POINT:
	case FACT_DEFINE:
	case FACT_HANDLED:
		break;
	}
}

typedef struct root_ctx {
	fact_ctx *c;
	const spec_probe *p;
	bool any;		/* some point of the probe is the fact's */
} root_ctx;

static void root(const expr *e, spec_site site, unsigned idx, void *ctx)
{
	root_ctx *r = ctx;
	fact_ctx *c = r->c;
	/* a point's own bindings are evaluated at that point only */
	if (site == SX_POINT_LET ? !point_on(c, &r->p->points[idx]) : !r->any)
		return;
	c->nguarded = 0;
	if (c->f->kind == FACT_TARGET_VAR || c->f->kind == FACT_MEMBER)
		expr_walk(e, guard_find, c);
	expr_walk(e, node, c);
}

static void probe_uses(fact_ctx *c, const spec_probe *p)
{
	root_ctx r = { c, p, false };
	for (unsigned k = 0; k < p->npoints && !r.any; k++)
		r.any = point_on(c, &p->points[k]);
	probe_exprs(p, root, &r);
}

static void point_uses(fact_ctx *c, const spec_probe *p)
{
	const char *con = c->f->construct;
	for (unsigned k = 0; k < p->npoints; k++) {
		const spec_point *pt = &p->points[k];
		if (!point_generated(c, pt) || !fact_point_match(pt->text, con))
			continue;
		strbuf name = STRBUF_INIT;
		if (strchr(pt->text, '*') && !strchr(con, '*'))
			sb_printf(&name, "'%s', which '%s' includes,", con, pt->text);
		else if (!strchr(pt->text, '*') && strchr(con, '*'))
			sb_printf(&name, "'%s'", pt->text);
		else
			sb_printf(&name, "'%s'", con);
		warn(c, pt->loc, sb_str(&name));
		sb_free(&name);
	}
}

/* "-DNAME=V" against "NAME>N": V > N. */
static bool define_over(const char *opt, const char *construct)
{
	const char *gt = strchr(construct, '>');
	if (!gt || strncmp(opt, "-D", 2))
		return false;
	size_t n = (size_t)(gt - construct);
	if (strncmp(opt + 2, construct, n) || opt[2 + n] != '=')
		return false;
	return strtoull(opt + 3 + n, NULL, 0) > strtoull(gt + 1, NULL, 10);
}

/* A fact limited to some stap releases: whether the stap is one of them. */
static bool stap_in(const tapset_fact *f, const char *stap)
{
	unsigned sv[3];
	kver_range r;
	if (!f->stap[0])
		return true;
	return stap && stap_version_parse(stap, sv) && kver_range_parse(f->stap, &r) &&
	       kver_range_match(&r, sv);
}

void tapset_facts_check(const spec *s, const char *kver, const char *stap_version,
			diag_sink *d)
{
	fact_state st = { .kver = kver, .stap = stap_version, .d = d };
	st.portable = !kver || !kver_parse(kver, st.v);
	for (unsigned i = 0; i < n_tapset_facts; i++) {
		const tapset_fact *f = &tapset_facts[i];
		fact_ctx c = { .f = f, .st = &st, .what = f->construct };
		if (f->kind == FACT_HANDLED || (f->kernels[0] && !kver_range_parse(f->kernels, &c.r)))
			continue;	/* r.n == 0: every kernel */
		if ((!st.portable && !kver_range_match(&c.r, st.v)) || !stap_in(f, stap_version))
			continue;
		const char *sp = strrchr(f->construct, ' ');
		if (sp && f->kind != FACT_POINT) {
			c.point = strndup(f->construct, (size_t)(sp - f->construct));
			if (!c.point) {
				fputs("stapgen: fatal: out of memory\n", stderr);
				exit(1);
			}
			c.what = sp + 1;
		}
		switch (f->kind) {
		case FACT_ALIAS_VAR:
		case FACT_TARGET_VAR:
		case FACT_ENTRY:
		case FACT_MEMBER:
			for (unsigned p = 0; p < s->nprobes; p++)
				probe_uses(&c, &s->probes[p]);
			break;
		case FACT_POINT:
			for (unsigned p = 0; p < s->nprobes; p++)
				point_uses(&c, &s->probes[p]);
			break;
		case FACT_DEFINE:
			for (unsigned k = 0; k < s->nstap_options; k++)
				if (define_over(s->stap_options[k], f->construct))
					warn_construct(&c, s->stap_option_locs[k]);
			break;
		case FACT_HANDLED:
			break;
		}
		free(c.point);
		free(c.guarded);
	}
	free(st.w);
}
