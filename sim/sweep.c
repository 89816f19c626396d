/* sweep.c - grids of varied values and point results (see sweep.h). */
#include "sim/sweep.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/units.h"

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void push(struct vary *v, const char *s, size_t len)
{
	/* Capacity doubles at powers of two (from 4): a long range stays
	 * linear (found by fuzzing: 74,000 values took seconds). */
	size_t n = v->n;
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		v->values = sim_xrealloc(v->values, (n ? 2 * n : 4) * sizeof(*v->values));
	v->values[v->n++] = strndup(s, len);
}

/* Splits a number with an optional unit suffix: "250ms" -> 250, "ms". */
static int split_unit(const char *s, double *x, const char **unit)
{
	char *end;
	errno = 0;
	*x = strtod(s, &end);
	if (end == s || errno || !isfinite(*x))
		return -1;
	*unit = end;
	return 0;
}

/* A..B:STEP: 0 when s is a range (expanded into v), 1 when it is not a
 * range, -1 on a malformed range. */
static int expand_range(struct vary *v, const char *s, char *err, size_t errlen)
{
	const char *dots = strstr(s, "..");
	const char *colon = dots ? strchr(dots, ':') : NULL;
	if (!dots || !colon || strchr(s, '{') || strchr(s, '['))
		return 1;
	char a_s[64], b_s[64];
	size_t la = (size_t)(dots - s), lb = (size_t)(colon - dots - 2);
	if (la >= sizeof(a_s) || lb >= sizeof(b_s))
		return fail(err, errlen, "range '%s' too long", s);
	memcpy(a_s, s, la);
	a_s[la] = '\0';
	memcpy(b_s, dots + 2, lb);
	b_s[lb] = '\0';
	double a, b, step;
	const char *ua, *ub, *us;
	if (split_unit(a_s, &a, &ua) || split_unit(b_s, &b, &ub) ||
	    split_unit(colon + 1, &step, &us))
		return fail(err, errlen, "range '%s': expected A..B:STEP with numbers", s);
	if (strcmp(ua, ub) || strcmp(ua, us))
		return fail(err, errlen, "range '%s': A, B and STEP must have the same unit", s);
	if (step <= 0 || b < a)
		return fail(err, errlen, "range '%s': expected A <= B and STEP > 0", s);
	double count = floor((b - a) / step + 1e-9) + 1;
	if (count > 100000)
		return fail(err, errlen, "range '%s' has more than 100000 values", s);
	for (double i = 0; i < count; i++) {
		char buf[96];
		int len = snprintf(buf, sizeof(buf), "%.10g%s", a + i * step, ua);
		push(v, buf, (size_t)len);
	}
	return 0;
}

int vary_parse(struct vary *v, const char *arg, char *err, size_t errlen)
{
	*v = (struct vary){ 0 };
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return fail(err, errlen, "--vary '%s': expected PATH=V1,V2,... or PATH=A..B:STEP", arg);
	v->path = strndup(arg, (size_t)(eq - arg));
	const char *s = eq + 1;
	int depth = 0;
	char quote = 0; /* inside a YAML '...' or "..." scalar */
	const char *start = s;
	for (const char *p = s;; p++) {
		if (quote) {
			if (!*p) {
				vary_free(v);
				return fail(err, errlen, "--vary '%s': a quote (%c) is not closed",
					    arg, quote);
			}
			if (quote == '"' && *p == '\\' && p[1])
				p++; /* an escape: "a\"b" */
			else if (*p == quote)
				quote = 0; /* '' inside '...' closes and reopens */
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			size_t len = (size_t)(p - start);
			while (len && (*start == ' '))
				start++, len--;
			while (len && start[len - 1] == ' ')
				len--;
			if (!len) {
				vary_free(v);
				return fail(err, errlen, "--vary '%s': an empty value", arg);
			}
			char *item = strndup(start, len);
			int r = expand_range(v, item, err, errlen);
			if (r == 1)
				push(v, item, len);
			free(item);
			if (r < 0) {
				vary_free(v);
				return -1;
			}
			if (!*p)
				break;
			start = p + 1;
		}
	}
	if (depth != 0) {
		vary_free(v);
		return fail(err, errlen, "--vary '%s': unbalanced braces", arg);
	}
	return 0;
}

void vary_free(struct vary *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->values[i]);
	free(v->values);
	free(v->path);
	*v = (struct vary){ 0 };
}

size_t grid_size(const struct vary *v, size_t n)
{
	size_t k = 1;
	for (size_t i = 0; i < n; i++)
		k *= v[i].n;
	return k;
}

void grid_point(const struct vary *v, size_t n, size_t k, size_t *idx)
{
	for (size_t i = n; i-- > 0;) {
		idx[i] = k % v[i].n;
		k /= v[i].n;
	}
}

/* CSV reading ------------------------------------------------------------ */

static double num(const char *s)
{
	if (!*s)
		return NAN;
	return strtod(s, NULL);
}

static FILE *open_in(const char *dir, const char *name)
{
	char path[4200];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return fopen(path, "r");
}

/* Reads the rows of dir/name after its header through row(), skipping a
 * row of fewer than min or more than max cells. 0 (also when an optional
 * file is missing), or -1 with errno set. */
static int load_rows(struct point_result *r, const char *dir, const char *name,
		     bool optional, long min, long max,
		     void (*row)(struct point_result *, char **))
{
	FILE *in = open_in(dir, name);
	if (!in)
		return optional && errno == ENOENT ? 0 : -1;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, in);
	long n = sim_csv_read(&rd); /* the header */
	if (n == 0 && !optional) {
		n = -1;
		errno = EINVAL;
	}
	while (n > 0) {
		n = sim_csv_read(&rd);
		if (n >= min && n <= max)
			row(r, rd.cells);
	}
	int e = errno;
	sim_csv_reader_finish(&rd);
	fclose(in);
	errno = e;
	return n < 0 ? -1 : 0;
}

static void summary_row(struct point_result *r, char **f)
{
	r->m = sim_xrealloc(r->m, (r->n + 1) * sizeof(*r->m));
	r->m[r->n++] = (struct pr_metric){
		.resource = sim_xstrdup(f[0]), .metric = sim_xstrdup(f[1]),
		.mean_s = sim_xstrdup(f[2]), .low_s = sim_xstrdup(f[3]),
		.high_s = sim_xstrdup(f[4]), .unit = sim_xstrdup(f[5]),
		.mean = num(f[2]), .low = num(f[3]), .high = num(f[4]),
	};
}

static void tenant_row(struct point_result *r, char **f)
{
	r->t = sim_xrealloc(r->t, (r->nt + 1) * sizeof(*r->t));
	r->t[r->nt++] = (struct pr_tenant){
		.name = sim_xstrdup(f[0]), .sent = num(f[1]),
		.delivered = num(f[2]), .rejected = num(f[3]),
		.failed = num(f[4]), .dead_lettered = num(f[5]),
		.expired = num(f[6]), .dwell_p50 = num(f[7]),
		.dwell_p95 = num(f[8]), .dwell_p99 = num(f[9]),
		.dwell_max = num(f[10]),
	};
}

static void cost_row(struct point_result *r, char **f)
{
	if (!strcmp(f[0], "TOTAL") && !strcmp(f[2], "measurement window")) {
		free(r->cost_s);
		r->cost_s = sim_xstrdup(f[6]);
		r->cost = num(f[6]);
	}
}

int point_result_load(struct point_result *r, const char *dir)
{
	*r = (struct point_result){ .cost = NAN };
	if (load_rows(r, dir, "summary.csv", false, 6, 6, summary_row) ||
	    load_rows(r, dir, "tenants.csv", true, 11, 11, tenant_row) ||
	    load_rows(r, dir, "cost.csv", true, 7, 64, cost_row)) {
		int e = errno;
		point_result_free(r);
		errno = e;
		return -1;
	}
	return 0;
}

void point_result_free(struct point_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct pr_metric *m = &r->m[i];
		free(m->resource);
		free(m->metric);
		free(m->unit);
		free(m->mean_s);
		free(m->low_s);
		free(m->high_s);
	}
	for (size_t i = 0; i < r->nt; i++)
		free(r->t[i].name);
	free(r->m);
	free(r->t);
	free(r->cost_s);
	*r = (struct point_result){ 0 };
}

const struct pr_metric *point_metric(const struct point_result *r,
				     const char *resource, const char *metric)
{
	for (size_t i = 0; i < r->n; i++)
		if (!strcmp(r->m[i].resource, resource) && !strcmp(r->m[i].metric, metric))
			return &r->m[i];
	return NULL;
}
