/* require.c - parsing and judging requirements (see require.h). */
#include "cli/require.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/text.h"
#include "sim/units.h"

static const char *const op_names[] = { "<=", "<", ">=", ">", "==" };

const char *req_op_name(int op)
{
	return op_names[op];
}

/* The tenant fields a requirement may name, as tenants.csv has them. */
static const char *const tenant_fields[] = {
	"sent", "delivered", "rejected", "failed", "dead_lettered", "expired",
	"dwell_p50", "dwell_p95", "dwell_p99", "dwell_max", NULL,
};

static bool is_count(const char *field)
{
	return strncmp(field, "dwell_", 6) != 0;
}

static bool name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.' || c == '*';
}

int req_parse(struct requirement *r, const char *text, char *err, size_t errlen,
	      size_t *col)
{
	*r = (struct requirement){ 0 };
	size_t i = 0, n = strlen(text);
	while (i < n && name_char(text[i]))
		i++;
	size_t name_end = i;
	if (name_end == 0) {
		*col = 0;
		return sim_text_fail(err, errlen, "expected RESOURCE.METRIC, tenants.NAME.FIELD or drain_time");
	}
	size_t op_at = i;
	int op = -1;
	if (!strncmp(text + i, "<=", 2))
		op = REQ_LE, i += 2;
	else if (!strncmp(text + i, ">=", 2))
		op = REQ_GE, i += 2;
	else if (!strncmp(text + i, "==", 2))
		op = REQ_EQ, i += 2;
	else if (text[i] == '<')
		op = REQ_LT, i++;
	else if (text[i] == '>')
		op = REQ_GT, i++;
	if (op < 0) {
		*col = op_at;
		return sim_text_fail(err, errlen, "expected <=, <, >=, > or == after the metric");
	}
	const char *value = text + i;
	if (!*value) {
		*col = i;
		return sim_text_fail(err, errlen, "expected a value after %s", op_names[op]);
	}
	char *name = strndup(text, name_end);
	r->op = op;
	if (!strcmp(name, "drain_time")) {
		r->kind = REQ_DRAIN;
		r->metric = name;
	} else {
		char *dot = strchr(name, '.');
		if (!dot || dot == name || !dot[1]) {
			*col = dot ? (size_t)(dot - name) + 1 : name_end;
			free(name);
			return sim_text_fail(err, errlen, "expected RESOURCE.METRIC (a dot between them)");
		}
		*dot = '\0';
		if (!strcmp(name, "tenants")) {
			char *dot2 = strchr(dot + 1, '.');
			if (!dot2 || !dot2[1]) {
				*col = dot2 ? (size_t)(dot2 - name) + 1 : name_end;
				free(name);
				return sim_text_fail(err, errlen, "expected tenants.NAME.FIELD");
			}
			*dot2 = '\0';
			r->kind = REQ_TENANT;
			r->resource = sim_xstrdup(dot + 1);
			r->metric = sim_xstrdup(dot2 + 1);
			r->metric_col = (size_t)(dot2 - name) + 1;
			bool known = false;
			for (size_t k = 0; tenant_fields[k]; k++)
				known |= !strcmp(tenant_fields[k], r->metric);
			if (!known) {
				*col = r->metric_col;
				free(name);
				sim_text_fail(err, errlen,
				     "unknown tenant field '%s'; expected sent, delivered, rejected, failed, dead_lettered, expired or dwell_p50/p95/p99/max",
				     r->metric);
				req_free(r);
				return -1;
			}
			free(name);
		} else {
			r->kind = REQ_METRIC;
			r->resource = name;
			r->metric = sim_xstrdup(dot + 1);
			r->metric_col = (size_t)(dot - name) + 1;
		}
	}
	/* The value: a number, or a duration or size with its unit, or a
	 * percentage of a tenant's sent. */
	double v;
	size_t len = strlen(value);
	if (len > 1 && value[len - 1] == '%') {
		if (r->kind != REQ_TENANT || !is_count(r->metric) ||
		    sim_parse_fraction(value, &v)) {
			*col = i;
			req_free(r);
			return sim_text_fail(err, errlen,
				    "a percentage is a share of the tenant's sent, for tenants.NAME.COUNT only");
		}
		r->percent = true;
	} else if (sim_parse_number(value, &v) && sim_parse_duration_s(value, &v) &&
		   sim_parse_size(value, &v)) {
		*col = i;
		req_free(r);
		return sim_text_fail(err, errlen,
			    "expected a number, a duration (15m) or a size (1MB), got '%s'",
			    value);
	}
	r->value = v;
	r->text = sim_xstrdup(text);
	return 0;
}

void req_free(struct requirement *r)
{
	free(r->text);
	free(r->resource);
	free(r->metric);
	*r = (struct requirement){ 0 };
}

int req_check(const struct requirement *r, const struct scenario *scn,
	      const struct point_result *pr, char *err, size_t errlen, size_t *col)
{
	switch (r->kind) {
	case REQ_TENANT:
		if (strcmp(r->resource, "*") && scenario_find_tenant(scn, r->resource) < 0) {
			*col = strlen("tenants.");
			return sim_text_fail(err, errlen, "no tenant named '%s'", r->resource);
		}
		return 0;
	case REQ_DRAIN:
		return 0;
	default:
		break;
	}
	bool resource = false;
	for (size_t i = 0; i < pr->n; i++) {
		if (strcmp(pr->m[i].resource, r->resource))
			continue;
		resource = true;
		if (!strcmp(pr->m[i].metric, r->metric))
			return 0;
	}
	*col = resource ? r->metric_col : 0;
	return resource ? sim_text_fail(err, errlen, "'%s' reports no metric '%s'", r->resource,
			       r->metric)
			: sim_text_fail(err, errlen, "no resource named '%s'", r->resource);
}

/* Whether x meets op v. */
static bool meets(double x, int op, double v)
{
	switch (op) {
	case REQ_LE:
		return x <= v;
	case REQ_LT:
		return x < v;
	case REQ_GE:
		return x >= v;
	case REQ_GT:
		return x > v;
	default:
		return x == v;
	}
}

/* How far x is from failing op v (negative when it fails; -inf for NAN:
 * a metric not reported, or a queue that never drained, fails). */
static double slack_of(double x, int op, double v)
{
	if (isnan(x))
		return -INFINITY;
	switch (op) {
	case REQ_LE:
	case REQ_LT:
		return v - x;
	case REQ_GE:
	case REQ_GT:
		return x - v;
	default:
		return -fabs(x - v);
	}
}

/* The value judged for a metric: the pessimistic end of its interval
 * (the mean with one replication). */
static double judged_value(const struct pr_metric *m, int op, double v)
{
	double lo = isnan(m->low) ? m->mean : m->low;
	double hi = isnan(m->high) ? m->mean : m->high;
	switch (op) {
	case REQ_LE:
	case REQ_LT:
		return hi;
	case REQ_GE:
	case REQ_GT:
		return lo;
	default:
		/* ==: the end farther from the value. */
		return fabs(hi - v) > fabs(lo - v) ? hi : lo;
	}
}

static double tenant_value(const struct pr_tenant *t, const char *field, bool percent)
{
	double x = !strcmp(field, "sent") ? t->sent
		   : !strcmp(field, "delivered") ? t->delivered
		   : !strcmp(field, "rejected") ? t->rejected
		   : !strcmp(field, "failed") ? t->failed
		   : !strcmp(field, "dead_lettered") ? t->dead_lettered
		   : !strcmp(field, "expired") ? t->expired
		   : !strcmp(field, "dwell_p50") ? t->dwell_p50
		   : !strcmp(field, "dwell_p95") ? t->dwell_p95
		   : !strcmp(field, "dwell_p99") ? t->dwell_p99
						 : t->dwell_max;
	if (percent)
		x = t->sent > 0 ? x / t->sent : 0;
	return x;
}

bool req_eval(const struct requirement *r, const struct scenario *scn,
	      const struct point_result *pr, double *judged, double *slack)
{
	*judged = NAN;
	*slack = -INFINITY;
	if (r->kind == REQ_METRIC) {
		const struct pr_metric *m = point_metric(pr, r->resource, r->metric);
		if (!m)
			return false;
		*judged = judged_value(m, r->op, r->value);
		*slack = slack_of(*judged, r->op, r->value);
		return *slack > -INFINITY && meets(*judged, r->op, r->value);
	}
	bool any = false, ok = true;
	if (r->kind == REQ_DRAIN) {
		/* The worst queue the tenants send to. */
		for (size_t t = 0; t < scn->n_tenants; t++) {
			const struct cfg_node *target = cfg_get(scn->tenants[t].node, "target");
			const struct pr_metric *m = target
				? point_metric(pr, target->value, METRIC_DRAIN_TIME) : NULL;
			if (!m)
				continue;
			double x = judged_value(m, r->op, r->value);
			double s = slack_of(x, r->op, r->value);
			if (!any || s < *slack) {
				*slack = s;
				*judged = x;
			}
			any = true;
			ok &= s > -INFINITY && meets(x, r->op, r->value);
		}
		return any && ok;
	}
	/* Tenants: the worst of those named. */
	for (size_t t = 0; t < pr->nt; t++) {
		if (strcmp(r->resource, "*") && strcmp(r->resource, pr->t[t].name))
			continue;
		double x = tenant_value(&pr->t[t], r->metric, r->percent);
		double s = slack_of(x, r->op, r->value);
		if (!any || s < *slack) {
			*slack = s;
			*judged = x;
		}
		any = true;
		ok &= s > -INFINITY && meets(x, r->op, r->value);
	}
	return any && ok;
}
