/* schema.c - the generic walker over struct scn_field tables (see schema.h).
 *
 * One function per value kind turns a YAML node into a stored value or a
 * diagnostic; scn_walk() drives them over a map, handles unknown and missing
 * keys, and writes defaults back into the tree. Nothing here knows any
 * resource type.
 */
#include "sim/schema.h"

#include "sim/alloc.h"
#include "sim/sim.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void scn_error(struct scn_ctx *ctx, const struct cfg_node *node,
	       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_verror_in(ctx->diag, node ? node->file : NULL, node ? node->line : 0,
		       node ? node->col : 0, ctx->path, fmt, ap);
	va_end(ap);
}

void scn_error_key(struct scn_ctx *ctx, const struct cfg_node *map,
		   const char *key, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const struct cfg_node *n = cfg_get(map, key);
	if (!n)
		n = map;
	diag_error(ctx->diag, n->file, n->line, n->col, "%s%s%s: %s", ctx->path,
		   ctx->path[0] ? "." : "", key, msg);
}

const char *scn_got(const struct cfg_node *n, char *buf, size_t size)
{
	if (n->type == CFG_MAP)
		snprintf(buf, size, "%s", n->n ? "a map" : "an empty map");
	else if (n->type == CFG_SEQ)
		snprintf(buf, size, "%s", n->n ? "a list" : "an empty list");
	else if (cfg_is_null(n))
		snprintf(buf, size, "nothing");
	else if (strlen(n->value) > 60)
		snprintf(buf, size, "'%.57s...'", n->value);
	else
		snprintf(buf, size, "'%s'", n->value);
	return buf;
}

/* Pushes ".key" (or "key" at the top, or "[i]") onto ctx->path; returns the
 * old length for pop(). */
static size_t push_key(struct scn_ctx *ctx, const char *key)
{
	size_t len = strlen(ctx->path);
	snprintf(ctx->path + len, sizeof(ctx->path) - len, "%s%s",
		 len ? "." : "", key);
	return len;
}

static size_t push_index(struct scn_ctx *ctx, size_t i)
{
	size_t len = strlen(ctx->path);
	snprintf(ctx->path + len, sizeof(ctx->path) - len, "[%zu]", i);
	return len;
}

static void pop(struct scn_ctx *ctx, size_t len)
{
	ctx->path[len] = '\0';
}

static const char *kind_phrase(const struct scn_field *f)
{
	switch (f->kind) {
	case SCN_BOOL:
		return "true or false";
	case SCN_INT:
		return "a whole number";
	case SCN_NUMBER:
		return "a number";
	case SCN_DURATION:
		return sim_units_expected(SIM_UNIT_DURATION);
	case SCN_SIZE:
		return sim_units_expected(SIM_UNIT_SIZE);
	case SCN_RATE:
		return sim_units_expected(SIM_UNIT_RATE);
	case SCN_FRACTION:
		return sim_units_expected(SIM_UNIT_FRACTION);
	case SCN_STRING:
		return "a string";
	case SCN_NAME:
		return "a name";
	default:
		return "a value";
	}
}

/* Writes a base-unit value the way a user would write it. */
static void format_value(char *buf, size_t size, enum scn_kind kind, double v)
{
	switch (kind) {
	case SCN_DURATION:
		sim_format_duration(buf, size, sim_time_from_s(v));
		break;
	case SCN_SIZE: {
		/* The largest unit that writes the value exactly. */
		static const struct {
			const char *unit;
			double bytes;
		} units[] = { { "GiB", 1073741824.0 }, { "GB", 1e9 },
			      { "MiB", 1048576.0 }, { "MB", 1e6 },
			      { "KiB", 1024.0 }, { "KB", 1e3 } };
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			double q = v / units[i].bytes;
			if (q >= 1 && q == floor(q)) {
				snprintf(buf, size, "%.0f%s", q, units[i].unit);
				return;
			}
		}
		snprintf(buf, size, "%.0fB", v);
		break;
	}
	case SCN_RATE:
		snprintf(buf, size, "%g/s", v);
		break;
	case SCN_FRACTION:
		snprintf(buf, size, "%g%%", v * 100);
		break;
	case SCN_INT:
		snprintf(buf, size, "%.0f", v);
		break;
	default:
		snprintf(buf, size, "%g", v);
	}
}

/* The kind a field's range is written in: a distribution's is the unit of
 * its values. */
static enum scn_kind range_kind(const struct scn_field *f)
{
	if (f->kind != SCN_DIST)
		return f->kind;
	return f->unit == SIM_UNIT_SIZE ? SCN_SIZE
	       : f->unit == SIM_UNIT_DURATION ? SCN_DURATION : SCN_NUMBER;
}

/* Whether the field's maximum is a sanity bound rather than a documented
 * limit: 1e9 or more, or for sizes (in bytes, where 10240MB is Lambda's
 * documented most) 1e12 or more. Messages and help then name only the
 * minimum, or the side that was crossed. */
static bool sanity_max(const struct scn_field *f)
{
	return f->max >= (range_kind(f) == SCN_SIZE ? 1e12 : 1e9);
}

/* The most a value of this unit may be, whatever a field's table says:
 * the one bound that keeps time arithmetic from overflowing (see
 * sim/time.h) and keeps sizes and counts drawn from distributions finite
 * and far from what int64 or uint32 arithmetic could wrap. */
static double unit_bound(enum scn_kind kind)
{
	switch (kind) {
	case SCN_DURATION:
		return SIM_DURATION_MAX_S;
	case SCN_SIZE:
		return SCN_SIZE_MAX;
	case SCN_NUMBER:
		return SCN_NUMBER_MAX;
	default:
		return INFINITY;
	}
}

/* The field's own maximum, or the unit's bound when that is lower (or the
 * field has no range: min > max). Scalars of other kinds have no bound of
 * their unit: their tables give one. */
static double field_max(const struct scn_field *f)
{
	double bound = f->kind == SCN_DURATION || f->kind == SCN_DIST
			       ? unit_bound(range_kind(f)) : INFINITY;
	if (f->min > f->max)
		return bound;
	return f->max < bound ? f->max : bound;
}

/* Reports v (written n->value) out of f's range: below it when low. */
static void range_error(const struct scn_field *f, bool low,
			const struct cfg_node *n, struct scn_ctx *ctx)
{
	char lo[64], hi[64];
	double max = field_max(f);
	format_value(lo, sizeof(lo), range_kind(f), f->min);
	format_value(hi, sizeof(hi), range_kind(f), max);
	if (low && f->exclusive_min)
		scn_error(ctx, n, "must be greater than %s, got '%s'", lo, n->value);
	else if (low && f->min == 0)
		scn_error(ctx, n, "must not be negative, got '%s'", n->value);
	else if (f->min > f->max || sanity_max(f) || max < f->max)
		scn_error(ctx, n, low ? "must be at least %s, got '%s'"
				      : "must be at most %s, got '%s'",
			  low ? lo : hi, n->value);
	else
		scn_error(ctx, n, "must be between %s and %s, got '%s'", lo, hi,
			  n->value);
}

/* Range check in base units; reports and returns false when out of range. */
static bool in_range(const struct scn_field *f, double v,
		     const struct cfg_node *n, struct scn_ctx *ctx)
{
	bool ranged = f->min <= f->max;
	bool low = ranged && (f->exclusive_min ? v <= f->min : v < f->min);
	if (!low && v <= field_max(f))
		return true;
	range_error(f, low, n, ctx);
	return false;
}

/* in_range for a duration, in nanoseconds: compared in seconds, 1e9s
 * would read as 1e18 * 1e-9 > 1e9. The bounds convert exactly enough
 * (to the nearest ns, and 1e9 s is exactly 1e18 ns). */
static bool in_range_ns(const struct scn_field *f, sim_time_t t,
			const struct cfg_node *n, struct scn_ctx *ctx)
{
	bool ranged = f->min <= f->max;
	sim_time_t lo = ranged ? sim_time_from_s(f->min) : 0;
	bool low = ranged && (f->exclusive_min ? t <= lo : t < lo);
	if (!low && t <= sim_time_from_s(field_max(f)))
		return true;
	range_error(f, low, n, ctx);
	return false;
}

/* -1, 0 or 1 as i is below, equal to or above x, compared exactly (a
 * conversion of i to double rounds past 2^53). */
static int cmp_int(long long i, double x)
{
	if (x >= 0x1p63)
		return -1;
	if (x < -0x1p63)
		return 1;
	double t = trunc(x);
	long long ti = (long long)t; /* exact: |t| < 2^63 */
	if (i != ti)
		return i < ti ? -1 : 1;
	return x > t ? -1 : x < t ? 1 : 0;
}

/* in_range for a whole number, exactly. */
static bool in_range_int(const struct scn_field *f, long long i,
			 const struct cfg_node *n, struct scn_ctx *ctx)
{
	if (f->min > f->max)
		return true;
	int c = cmp_int(i, f->min);
	bool low = f->exclusive_min ? c <= 0 : c < 0;
	if (!low && cmp_int(i, f->max) <= 0)
		return true;
	range_error(f, low, n, ctx);
	return false;
}

static bool parse_dist(const struct scn_field *f, struct cfg_node *n,
		       struct sim_dist *out, struct scn_ctx *ctx);

static bool parse_value(const struct scn_field *f, struct cfg_node *n,
			char *obj, struct scn_ctx *ctx);

/* Scalars ------------------------------------------------------------------ */

static bool parse_scalar(const struct scn_field *f, struct cfg_node *n,
			 char *obj, struct scn_ctx *ctx)
{
	void *dst = obj + f->offset;
	const char *s = n->value;
	double v;
	const char *words = (f->flags & SCN_F_NONE) ? " or 'none'"
			  : (f->flags & SCN_F_INFINITE) ? " or 'infinite'" : "";
	if (n->type != CFG_SCALAR || cfg_is_null(n)) {
		char got[80];
		scn_error(ctx, n, "expected %s%s, got %s", kind_phrase(f), words,
			  scn_got(n, got, sizeof(got)));
		return false;
	}
	if ((f->flags & SCN_F_NONE) && !strcmp(s, "none")) {
		if (f->kind == SCN_INT)
			*(int64_t *)dst = SCN_UNLIMITED;
		else if (f->kind == SCN_DURATION)
			*(sim_time_t *)dst = SCN_UNLIMITED;
		else if (f->kind == SCN_STRING || f->kind == SCN_NAME)
			*(const char **)dst = NULL;
		return true;
	}
	if ((f->flags & SCN_F_INFINITE) && !strcmp(s, "infinite")) {
		*(int64_t *)dst = SCN_UNLIMITED;
		return true;
	}
	switch (f->kind) {
	case SCN_BOOL:
		if (!strcmp(s, "true") || !strcmp(s, "false")) {
			*(bool *)dst = s[0] == 't';
			return true;
		}
		break;
	case SCN_INT: {
		long long i;
		if (sim_parse_integer(s, &i)) {
			/* Digits only, but past 64 bits: out of any range,
			 * not "not a whole number". */
			if (sim_parse_number(s, &v) == 0 && !strpbrk(s, ".eE")) {
				if (in_range(f, v, n, ctx))
					scn_error(ctx, n, "too large for a whole number, got '%s'", s);
				return false;
			}
			break;
		}
		if (!in_range_int(f, i, n, ctx))
			return false;
		*(int64_t *)dst = i;
		return true;
	}
	case SCN_NUMBER:
	case SCN_SIZE:
	case SCN_RATE:
	case SCN_FRACTION: {
		enum sim_unit_kind k = f->kind == SCN_SIZE ? SIM_UNIT_SIZE
				     : f->kind == SCN_RATE ? SIM_UNIT_RATE
				     : f->kind == SCN_FRACTION ? SIM_UNIT_FRACTION
				     : SIM_UNIT_NUMBER;
		if (sim_parse_kind(k, s, &v))
			break;
		if (!in_range(f, v, n, ctx))
			return false;
		*(double *)dst = v;
		return true;
	}
	case SCN_DURATION: {
		sim_time_t t;
		if (sim_parse_duration(s, &t)) {
			/* Well written but past 292 years of nanoseconds:
			 * past SIM_DURATION_MAX, so out of range rather than
			 * not a duration. */
			if (sim_parse_duration_s(s, &v) == 0 && !in_range(f, v, n, ctx))
				return false;
			break;
		}
		if (!in_range_ns(f, t, n, ctx))
			return false;
		*(sim_time_t *)dst = t;
		return true;
	}
	case SCN_STRING:
	case SCN_NAME:
		*(const char **)dst = s;
		return true;
	case SCN_ENUM:
		for (int i = 0; f->names[i]; i++) {
			if (!strcmp(s, f->names[i])) {
				*(int *)dst = i;
				return true;
			}
		}
		{
			char list[256] = "";
			for (int i = 0; f->names[i]; i++)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 i ? ", " : "", f->names[i]);
			const char *hint = diag_suggest(s, f->names);
			if (hint)
				scn_error(ctx, n, "expected one of %s, got '%s' (did you mean '%s'?)",
					  list, s, hint);
			else
				scn_error(ctx, n, "expected one of %s, got '%s'",
					  list, s);
		}
		return false;
	default:
		break;
	}
	scn_error(ctx, n, "expected %s%s, got '%s'", kind_phrase(f), words, s);
	return false;
}

/* Distributions --------------------------------------------------------------- */

/* A family's parameters: up to two keys; `plain` marks unitless ones. */
struct family {
	const char *name;
	enum sim_dist_kind kind;
	const char *key[2];
	bool plain[2];
};

static const struct family families[] = {
	{ "exponential", SIM_DIST_EXPONENTIAL, { "mean", NULL }, { false, false } },
	{ "lognormal", SIM_DIST_LOGNORMAL, { "median", "p99" }, { false, false } },
	{ "lognormal", SIM_DIST_LOGNORMAL, { "mu", "sigma" }, { true, true } },
	{ "gamma", SIM_DIST_GAMMA, { "mean", "cv" }, { false, true } },
	{ "uniform", SIM_DIST_UNIFORM, { "min", "max" }, { false, false } },
	{ "normal", SIM_DIST_NORMAL, { "mean", "sd" }, { false, false } },
	{ "pareto", SIM_DIST_PARETO, { "shape", "scale" }, { true, false } },
	{ "empirical", SIM_DIST_EMPIRICAL, { "file", NULL }, { true, false } },
};

static const char *const family_names[] = {
	"exponential", "lognormal", "gamma", "uniform", "normal", "pareto",
	"empirical", NULL,
};

/* Parses a distribution's parameter; one in the field's unit (not
 * `plain`) must be within the unit's bound either side of 0, like any
 * other value of that unit. */
static bool parse_quantity(const struct scn_field *f, bool plain,
			   const struct cfg_node *n, double *out,
			   struct scn_ctx *ctx)
{
	enum sim_unit_kind k = plain ? SIM_UNIT_NUMBER : f->unit;
	if (n->type != CFG_SCALAR || sim_parse_kind(k, n->value, out)) {
		scn_error(ctx, n, "expected %s, got %s%s%s",
			  sim_units_expected(k),
			  n->type == CFG_SCALAR ? "'" : "a ",
			  n->type == CFG_SCALAR ? n->value
			  : n->type == CFG_MAP ? "map" : "list",
			  n->type == CFG_SCALAR ? "'" : "");
		return false;
	}
	double bound = unit_bound(range_kind(f));
	if (!plain && fabs(*out) > bound) {
		char b[64];
		format_value(b, sizeof(b), range_kind(f), bound);
		scn_error(ctx, n, "must be at %s %s%s, got '%s'",
			  *out > 0 ? "most" : "least", *out > 0 ? "" : "-", b,
			  n->value);
		return false;
	}
	return true;
}

/* Reads an empirical sample file: one value per line in the distribution's
 * unit, '#' comments and blank lines ignored. */
static bool load_empirical(const char *file, const struct cfg_node *n,
			   enum sim_unit_kind unit, struct sim_dist *out,
			   struct scn_ctx *ctx)
{
	char path[1024];
	if (file[0] == '/' || !ctx->dir)
		snprintf(path, sizeof(path), "%s", file);
	else
		snprintf(path, sizeof(path), "%s/%s", ctx->dir, file);
	const char *why;
	char buf[256];
	FILE *f = cfg_open_regular(path, CFG_MAX_FILE, "a file of samples", &why, buf,
				   sizeof(buf));
	if (!f) {
		if (why)
			scn_error(ctx, n, "'%s' %s", path, why);
		else
			scn_error(ctx, n, "cannot open '%s': %s", path, strerror(errno));
		return false;
	}
	double *v = NULL;
	size_t len = 0, cap = 0;
	char line[256];
	int lineno = 0;
	bool ok = true;
	while (fgets(line, sizeof(line), f)) {
		lineno++;
		line[strcspn(line, "\r\n#")] = '\0';
		char *s = line;
		while (*s == ' ' || *s == '\t')
			s++;
		char *e = s + strlen(s);
		while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == ','))
			*--e = '\0';
		if (!*s)
			continue;
		double x;
		if (sim_parse_kind(unit, s, &x) || x < 0) {
			diag_error(ctx->diag, path, lineno, 1,
				   "%s: expected %s (not negative), got '%s'",
				   ctx->path, sim_units_expected(unit), s);
			ok = false;
			break;
		}
		if (len == cap) {
			cap = cap ? cap * 2 : 64;
			double *nv = realloc(v, cap * sizeof(*v));
			if (!nv) {
				ok = false;
				break;
			}
			v = nv;
		}
		v[len++] = x;
	}
	fclose(f);
	if (ok && !len) {
		scn_error(ctx, n, "'%s' holds no values", path);
		ok = false;
	}
	if (!ok || sim_dist_empirical(out, v, len)) {
		free(v);
		return false;
	}
	return true;
}

static bool parse_dist(const struct scn_field *f, struct cfg_node *n,
		       struct sim_dist *out, struct scn_ctx *ctx)
{
	double a, b;
	if (n->type == CFG_SCALAR) {
		if (cfg_is_null(n) || sim_parse_kind(f->unit, n->value, &a)) {
			scn_error(ctx, n,
				  "expected %s or a distribution such as {exponential: {mean: ...}}, got '%s'",
				  sim_units_expected(f->unit), n->value);
			return false;
		}
		if (a < 0) {
			scn_error(ctx, n, "must not be negative, got '%s'", n->value);
			return false;
		}
		return !sim_dist_constant(out, a);
	}
	if (n->type != CFG_MAP || n->n != 1) {
		scn_error(ctx, n,
			  "expected a constant or a map with one distribution (exponential, lognormal, gamma, uniform, normal, pareto or empirical)");
		return false;
	}
	const struct cfg_pair *p = &n->pairs[0];
	struct cfg_node *params = p->value;
	size_t old = push_key(ctx, p->key);
	bool ok = false;
	const struct family *fam = NULL;
	const struct family *known = NULL;
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++) {
		if (strcmp(families[i].name, p->key))
			continue;
		if (!known)
			known = &families[i];
		if (params->type == CFG_MAP && params->n >= 1 &&
		    cfg_get(params, families[i].key[0])) {
			fam = &families[i];
			break;
		}
	}
	if (!known) {
		const char *hint = diag_suggest(p->key, family_names);
		struct cfg_node at = *n;
		at.line = p->line;
		at.col = p->col;
		pop(ctx, old);
		if (hint)
			scn_error(ctx, &at, "unknown distribution '%s' (did you mean '%s'?)",
				  p->key, hint);
		else
			scn_error(ctx, &at, "unknown distribution '%s'; expected one of exponential, lognormal, gamma, uniform, normal, pareto, empirical",
				  p->key);
		return false;
	}
	if (!fam) {
		if (!strcmp(p->key, "lognormal"))
			scn_error(ctx, params, "expected {median: X, p99: Y} or {mu: a, sigma: b}");
		else if (known->key[1])
			scn_error(ctx, params, "expected {%s: ..., %s: ...}",
				  known->key[0], known->key[1]);
		else
			scn_error(ctx, params, "expected {%s: ...}", known->key[0]);
		goto out;
	}
	/* Every key must be one of the family's. */
	for (size_t i = 0; i < params->n; i++) {
		const char *k = params->pairs[i].key;
		if ((fam->key[0] && !strcmp(k, fam->key[0])) ||
		    (fam->key[1] && !strcmp(k, fam->key[1])))
			continue;
		const char *cands[3] = { fam->key[0], fam->key[1], NULL };
		const char *hint = diag_suggest(k, cands);
		struct cfg_node at = *params;
		at.line = params->pairs[i].line;
		at.col = params->pairs[i].col;
		scn_error(ctx, &at, "unknown key '%s'%s%s%s", k,
			  hint ? " (did you mean '" : "", hint ? hint : "",
			  hint ? "'?)" : "");
		goto out;
	}
	struct cfg_node *v0 = cfg_get(params, fam->key[0]);
	struct cfg_node *v1 = fam->key[1] ? cfg_get(params, fam->key[1]) : NULL;
	if (fam->key[1] && !v1) {
		scn_error(ctx, params, "missing '%s'", fam->key[1]);
		goto out;
	}
	if (fam->kind == SIM_DIST_EMPIRICAL) {
		if (v0->type != CFG_SCALAR || cfg_is_null(v0)) {
			scn_error(ctx, v0, "expected a file name");
			goto out;
		}
		ok = load_empirical(v0->value, v0, f->unit, out, ctx);
		goto out;
	}
	/* A parameter's own problems name it: service.exponential.mean. */
	size_t at_param = push_key(ctx, fam->key[0]);
	bool parsed = parse_quantity(f, fam->plain[0], v0, &a, ctx);
	pop(ctx, at_param);
	if (!parsed)
		goto out;
	b = 0;
	if (v1) {
		at_param = push_key(ctx, fam->key[1]);
		parsed = parse_quantity(f, fam->plain[1], v1, &b, ctx);
		pop(ctx, at_param);
		if (!parsed)
			goto out;
	}
	switch (fam->kind) {
	case SIM_DIST_EXPONENTIAL:
		ok = !sim_dist_exponential(out, a);
		if (!ok)
			scn_error(ctx, v0, "the mean must be greater than 0, got '%s'", v0->value);
		break;
	case SIM_DIST_LOGNORMAL:
		if (fam->plain[0]) {
			ok = !sim_dist_lognormal(out, a, b);
			if (!ok)
				scn_error(ctx, v1, "sigma must not be negative, got '%s'", v1->value);
		} else {
			ok = !sim_dist_lognormal_median_p99(out, a, b);
			if (!ok)
				scn_error(ctx, params, "needs 0 < median < p99, got median '%s' and p99 '%s'",
					  v0->value, v1->value);
		}
		break;
	case SIM_DIST_GAMMA:
		ok = !sim_dist_gamma(out, a, b);
		if (!ok)
			scn_error(ctx, params, "needs mean > 0 and cv > 0, got mean '%s' and cv '%s'",
				  v0->value, v1->value);
		break;
	case SIM_DIST_UNIFORM:
		ok = a >= 0 && !sim_dist_uniform(out, a, b);
		if (!ok)
			scn_error(ctx, params, "needs 0 <= min <= max, got min '%s' and max '%s'",
				  v0->value, v1->value);
		break;
	case SIM_DIST_NORMAL:
		ok = !sim_dist_normal(out, a, b);
		if (!ok)
			scn_error(ctx, v1, "sd must not be negative, got '%s'", v1->value);
		break;
	case SIM_DIST_PARETO:
		ok = !sim_dist_pareto(out, a, b);
		if (!ok)
			scn_error(ctx, params, "needs shape > 0 and scale > 0, got shape '%s' and scale '%s'",
				  v0->value, v1->value);
		break;
	default:
		break;
	}
out:
	pop(ctx, old);
	return ok;
}

/* Tables, alternatives, lists --------------------------------------------- */

static bool parse_oneof(const struct scn_field *f, struct cfg_node *n,
			char *obj, struct scn_ctx *ctx)
{
	const struct scn_schema *alts = f->sub;
	char list[256] = "";
	for (size_t i = 0; i < alts->n; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			 i ? ", " : "", alts->fields[i].key);
	if (n->type != CFG_MAP || n->n != 1) {
		char got[256];
		scn_got(n, got, sizeof(got));
		if (n->type == CFG_MAP && n->n > 1) {
			/* Name the keys given: "got poisson and constant". */
			got[0] = '\0';
			for (size_t i = 0; i < n->n; i++)
				snprintf(got + strlen(got), sizeof(got) - strlen(got),
					 "%s%s", i == 0 ? "" : i + 1 == n->n ? " and " : ", ",
					 n->pairs[i].key);
		}
		scn_error(ctx, n, "expected exactly one of: %s, got %s", list, got);
		return false;
	}
	const struct cfg_pair *p = &n->pairs[0];
	for (size_t i = 0; i < alts->n; i++) {
		if (strcmp(alts->fields[i].key, p->key))
			continue;
		*(int *)(obj + f->offset) = (int)i;
		size_t old = push_key(ctx, p->key);
		bool ok = parse_value(&alts->fields[i], p->value, obj, ctx);
		pop(ctx, old);
		return ok;
	}
	const char *cands[32];
	size_t k = 0;
	for (size_t i = 0; i < alts->n && k < 31; i++)
		cands[k++] = alts->fields[i].key;
	cands[k] = NULL;
	const char *hint = diag_suggest(p->key, cands);
	struct cfg_node at = *n;
	at.line = p->line;
	at.col = p->col;
	if (hint)
		scn_error(ctx, &at, "unknown key '%s' (did you mean '%s'?)", p->key, hint);
	else
		scn_error(ctx, &at, "unknown key '%s'; expected one of: %s", p->key, list);
	return false;
}

static bool parse_list(const struct scn_field *f, struct cfg_node *n, char *obj,
		       struct scn_ctx *ctx)
{
	struct scn_list *l = (struct scn_list *)(obj + f->offset);
	char got[80];
	if (n->type != CFG_SEQ || n->n == 0) {
		scn_error(ctx, n, "expected a non-empty list, got %s",
			  scn_got(n, got, sizeof(got)));
		return false;
	}
	l->items = calloc(n->n, f->elem_size);
	if (!l->items) {
		scn_error(ctx, n, "out of memory");
		return false;
	}
	l->n = n->n;
	size_t errors = 0;
	for (size_t i = 0; i < n->n; i++) {
		size_t old = push_index(ctx, i);
		char *elem = (char *)l->items + i * f->elem_size;
		if (n->items[i]->type != CFG_MAP) {
			scn_error(ctx, n->items[i], "expected a map of settings, got %s",
				  scn_got(n->items[i], got, sizeof(got)));
			errors++;
		} else {
			errors += scn_walk(f->sub, n->items[i], elem, NULL, ctx);
		}
		pop(ctx, old);
	}
	return errors == 0;
}

static bool parse_value(const struct scn_field *f, struct cfg_node *n,
			char *obj, struct scn_ctx *ctx)
{
	char got[80];
	switch (f->kind) {
	case SCN_DIST: {
		struct sim_dist *d = (struct sim_dist *)(obj + f->offset);
		if (!parse_dist(f, n, d, ctx))
			return false;
		/* A heavy tail may draw anything: samples stop at the
		 * field's maximum, or the unit's bound. */
		sim_dist_cap(d, field_max(f));
		/* A range on a distribution (min < max; most have none)
		 * bounds a constant, and the mean of the others; the unit's
		 * bound applies to a constant in any case. */
		if (d->kind == SIM_DIST_CONSTANT)
			return in_range(f, d->a, n, ctx);
		if (f->min >= f->max)
			return true;
		double mean = sim_dist_mean(d);
		if (isfinite(mean) && mean > f->max) {
			char hi[64], m[64];
			format_value(hi, sizeof(hi), range_kind(f), f->max);
			format_value(m, sizeof(m), range_kind(f), mean);
			scn_error(ctx, n, "the mean must be at most %s, got %s", hi, m);
			return false;
		}
		return true;
	}
	case SCN_TABLE:
		if (f->flags & SCN_F_SWITCH) {
			bool word = n->type == CFG_SCALAR &&
				    (!strcmp(n->value, "true") || !strcmp(n->value, "false"));
			if (!word && n->type != CFG_MAP) {
				scn_error(ctx, n, "expected true, false or a map of settings, got %s",
					  scn_got(n, got, sizeof(got)));
				return false;
			}
			bool on = !word || n->value[0] == 't';
			*(bool *)(obj + f->offset) = on;
			if (!on)
				return true;
			if (word) {
				/* true: a map of defaults, so the resolved
				 * scenario shows every setting. */
				free(n->value);
				n->value = NULL;
				n->type = CFG_MAP;
				n->quoted = false;
			}
		} else if (f->flags & SCN_F_NONE) {
			bool given = n->type == CFG_MAP;
			if (!given && (n->type != CFG_SCALAR || strcmp(n->value, "none"))) {
				scn_error(ctx, n, "expected a map of settings or 'none', got %s",
					  scn_got(n, got, sizeof(got)));
				return false;
			}
			*(bool *)(obj + f->offset) = given;
			if (!given)
				return true;
		} else if (n->type != CFG_MAP) {
			scn_error(ctx, n, "expected a map of settings, got %s",
				  scn_got(n, got, sizeof(got)));
			return false;
		}
		return scn_walk(f->sub, n, obj, NULL, ctx) == 0;
	case SCN_ONEOF:
		return parse_oneof(f, n, obj, ctx);
	case SCN_LIST:
		return parse_list(f, n, obj, ctx);
	default:
		return parse_scalar(f, n, obj, ctx);
	}
}

/* Where a key goes in the resolved scenario: "type" first, then the
 * schema's order, then anything else (sections such as resources). */
static size_t rank(const struct scn_schema *schema, const char *key)
{
	if (!strcmp(key, "type"))
		return 0;
	for (size_t i = 0; i < schema->n; i++)
		if (!strcmp(schema->fields[i].key, key))
			return i + 1;
	return schema->n + 1;
}

/* Stable insertion sort of the map's pairs by rank: maps are small. */
static void order_pairs(const struct scn_schema *schema, struct cfg_node *map)
{
	for (size_t i = 1; i < map->n; i++) {
		struct cfg_pair p = map->pairs[i];
		size_t r = rank(schema, p.key);
		size_t j = i;
		while (j > 0 && rank(schema, map->pairs[j - 1].key) > r) {
			map->pairs[j] = map->pairs[j - 1];
			j--;
		}
		map->pairs[j] = p;
	}
}

size_t scn_walk(const struct scn_schema *schema, struct cfg_node *map, void *obj,
		const char *const *skip, struct scn_ctx *ctx)
{
	size_t before = ctx->diag->errors;
	const char *cands[64];
	size_t nc = 0;
	for (size_t i = 0; i < schema->n && nc < 63; i++)
		cands[nc++] = schema->fields[i].key;
	/* Keys left to the caller are valid here too: offer them ("resource"
	 * at the top level is 'resources' misspelt). */
	for (size_t i = 0; skip && skip[i] && nc < 63; i++)
		cands[nc++] = skip[i];
	cands[nc] = NULL;

	/* Unknown keys first, in file order. */
	for (size_t i = 0; i < map->n; i++) {
		const struct cfg_pair *p = &map->pairs[i];
		bool known = false;
		for (size_t j = 0; j < nc && !known; j++)
			known = !strcmp(cands[j], p->key);
		if (known)
			continue;
		struct cfg_node at = { .file = p->value->file, .line = p->line,
				       .col = p->col };
		if (p->value->line == 0)
			at.line = 0;
		const char *hint = diag_suggest(p->key, cands);
		if (hint)
			scn_error(ctx, &at, "unknown key '%s' (did you mean '%s'?)",
				  p->key, hint);
		else {
			char list[512] = "";
			for (size_t j = 0; j < nc; j++)
				snprintf(list + strlen(list),
					 sizeof(list) - strlen(list), "%s%s",
					 j ? ", " : "", cands[j]);
			scn_error(ctx, &at, "unknown key '%s'; expected one of: %s",
				  p->key, list);
		}
	}

	for (size_t i = 0; i < schema->n; i++) {
		const struct scn_field *f = &schema->fields[i];
		struct cfg_node *v = cfg_get(map, f->key);
		size_t old = push_key(ctx, f->key);
		if (!v) {
			if (f->flags & SCN_F_REQUIRED) {
				pop(ctx, old);
				scn_error(ctx, map, "missing required key '%s'", f->key);
				continue;
			}
			if (f->dflt) {
				struct diag scratch;
				diag_init(&scratch);
				v = cfg_parse_string(f->dflt, map->file, &scratch);
				SIM_ASSERT(NULL, v && scratch.errors == 0);
				diag_finish(&scratch);
				v->filled = true;
				/* A problem with a default value points at the
				 * table that left it out. */
				v->line = map->line;
				v->col = map->col;
				cfg_put(map, f->key, v);
				if (f->flags & SCN_F_UNCONFIRMED) {
					ctx->assumed = sim_xrealloc(ctx->assumed,
						(ctx->n_assumed + 1) * sizeof(*ctx->assumed));
					ctx->assumed[ctx->n_assumed++] = sim_xstrdup(ctx->path);
				}
			} else if (f->kind == SCN_TABLE && !(f->flags & SCN_F_OPTIONAL)) {
				v = cfg_new_map(map->file, map->line, map->col);
				v->filled = true;
				cfg_put(map, f->key, v);
			} else {
				pop(ctx, old);
				continue;
			}
		}
		parse_value(f, v, (char *)obj, ctx);
		pop(ctx, old);
	}
	order_pairs(schema, map);
	if (schema->check && ctx->diag->errors == before)
		schema->check(obj, map, ctx);
	return ctx->diag->errors - before;
}

void scn_free(const struct scn_schema *schema, void *obj)
{
	char *base = obj;
	for (size_t i = 0; i < schema->n; i++) {
		const struct scn_field *f = &schema->fields[i];
		switch (f->kind) {
		case SCN_DIST:
			sim_dist_finish((struct sim_dist *)(base + f->offset));
			break;
		case SCN_TABLE:
			scn_free(f->sub, base);
			break;
		case SCN_ONEOF:
			scn_free(f->sub, base);
			break;
		case SCN_LIST: {
			struct scn_list *l = (struct scn_list *)(base + f->offset);
			for (size_t k = 0; k < l->n; k++)
				scn_free(f->sub, (char *)l->items + k * f->elem_size);
			free(l->items);
			l->items = NULL;
			l->n = 0;
			break;
		}
		default:
			break;
		}
	}
}

static const char *kind_name(const struct scn_field *f)
{
	static const char *const names[] = {
		[SCN_BOOL] = "bool", [SCN_INT] = "integer",
		[SCN_NUMBER] = "number", [SCN_DURATION] = "duration",
		[SCN_SIZE] = "size", [SCN_RATE] = "rate",
		[SCN_FRACTION] = "fraction", [SCN_STRING] = "string",
		[SCN_NAME] = "name", [SCN_ENUM] = "word",
		[SCN_DIST] = "distribution", [SCN_TABLE] = "map",
		[SCN_ONEOF] = "exactly one of the keys below",
		[SCN_LIST] = "list of maps with the keys below",
	};
	if (f->kind == SCN_DIST)
		return f->unit == SIM_UNIT_SIZE ? "size distribution"
		       : f->unit == SIM_UNIT_DURATION ? "duration distribution"
		       : "distribution";
	return names[f->kind];
}

void scn_print_reference(FILE *f, const struct scn_schema *schema, int indent)
{
	for (size_t i = 0; i < schema->n; i++) {
		const struct scn_field *k = &schema->fields[i];
		char range[160] = "", what[400];
		bool scalar = (k->kind <= SCN_FRACTION && k->kind != SCN_BOOL) ||
			      (k->kind == SCN_DIST && k->min < k->max);
		if (scalar && k->min <= k->max) {
			char lo[64], hi[64];
			format_value(lo, sizeof(lo), range_kind(k), k->min);
			format_value(hi, sizeof(hi), range_kind(k), k->max);
			if (sanity_max(k))
				snprintf(range, sizeof(range), ", %s %s",
					 k->exclusive_min ? ">" : ">=", lo);
			else
				snprintf(range, sizeof(range), ", %s%s..%s",
					 k->exclusive_min ? "> " : "", lo, hi);
		}
		const char *words = (k->flags & SCN_F_NONE) ? " or none"
				    : (k->flags & SCN_F_INFINITE) ? " or infinite" : "";
		if (k->kind == SCN_TABLE && (k->flags & SCN_F_SWITCH))
			snprintf(what, sizeof(what),
				 "true, false or a map, default %s (true: the settings below at their defaults)",
				 k->dflt ? k->dflt : "false");
		else if (k->kind == SCN_TABLE && (k->flags & SCN_F_NONE))
			snprintf(what, sizeof(what), "none or a map, default %s",
				 k->dflt ? k->dflt : "none");
		else if (schema == NULL || k->kind == SCN_TABLE || k->kind == SCN_ONEOF ||
		    k->kind == SCN_LIST)
			snprintf(what, sizeof(what), "%s%s", kind_name(k),
				 k->flags & SCN_F_REQUIRED ? ", required" : "");
		else if (k->flags & SCN_F_REQUIRED)
			snprintf(what, sizeof(what), "%s%s, required%s", kind_name(k),
				 words, range);
		else if (k->dflt)
			snprintf(what, sizeof(what), "%s%s, default %s%s", kind_name(k),
				 words, k->dflt, range);
		else
			snprintf(what, sizeof(what), "%s%s, optional%s", kind_name(k),
				 words, range);
		fprintf(f, "%*s%-*s %s\n%*s%s\n", indent, "", 20, k->key, what,
			indent + 4, "", k->help ? k->help : "");
		if (k->kind == SCN_ENUM) {
			fprintf(f, "%*sone of:", indent + 4, "");
			for (int j = 0; k->names[j]; j++)
				fprintf(f, " %s", k->names[j]);
			fputc('\n', f);
		}
		if (k->kind == SCN_TABLE || k->kind == SCN_ONEOF)
			scn_print_reference(f, k->sub, indent + 2);
		if (k->kind == SCN_LIST)
			scn_print_reference(f, k->sub, indent + 4);
	}
}

void scn_unassume(struct scn_ctx *ctx, const char *key)
{
	char path[600];
	snprintf(path, sizeof(path), "%s.%s", ctx->path, key);
	for (size_t i = 0; i < ctx->n_assumed; i++) {
		if (strcmp(ctx->assumed[i], path))
			continue;
		free(ctx->assumed[i]);
		memmove(&ctx->assumed[i], &ctx->assumed[i + 1],
			(ctx->n_assumed - i - 1) * sizeof(*ctx->assumed));
		ctx->n_assumed--;
		return;
	}
}
