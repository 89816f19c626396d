/* results.c - a run's results read back from its files (see results.h). */
#include "sim/results.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/csv.h"


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
