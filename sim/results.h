/* results.h - a run's results read back from its output files
 * (summary.csv, tenants.csv, cost.csv), the kernel's results API for the
 * readers above it: the sweep and plan commands, reports and reviews.
 * Points run in other processes, or on other machines sharing the
 * directory, are read the same way.
 */
#ifndef SPILLWAY_SIM_RESULTS_H
#define SPILLWAY_SIM_RESULTS_H

#include <stddef.h>

/* One summary row, as read back. The texts keep the file's digits, so
 * copying them gives byte-identical output. */
struct pr_metric {
	char *resource, *metric, *unit;
	char *mean_s, *low_s, *high_s;   /* as written */
	double mean, low, high;          /* NAN when empty */
};

/* One tenants.csv row (means per replication, dwell in seconds). */
struct pr_tenant {
	char *name;
	double sent, delivered, rejected, failed, dead_lettered, expired;
	double dwell_p50, dwell_p95, dwell_p99, dwell_max;
};

struct point_result {
	struct pr_metric *m;
	size_t n;
	struct pr_tenant *t;
	size_t nt;
	char *cost_s;        /* total for the window, as written */
	double cost;         /* NAN when there is no cost.csv */
};

/* Reads dir/summary.csv, and dir/tenants.csv and dir/cost.csv when they
 * are there, with sim/csv.h's reader (quoted cells come back as they were
 * before quoting). 0, or -1 with errno set (summary.csv missing or empty,
 * a read error, a quoted cell left open). */
int point_result_load(struct point_result *r, const char *dir);
void point_result_free(struct point_result *r);
const struct pr_metric *point_metric(const struct point_result *r,
				     const char *resource, const char *metric);

#endif
