/* sweep.h - what `spillway sweep` and `spillway plan` share: the grid of
 * varied values, and a point's results read back from its output files.
 *
 * --vary PATH=V1,V2,... gives one dimension: values are YAML (split at
 * top-level commas, so {a: 1, b: 2} stays whole), `none`, or a range
 * A..B:STEP of numbers with an optional unit (10..100:10, 1s..5s:500ms is
 * not allowed: A, B and STEP share one unit, 1s..5s:1s). Several --vary
 * make a grid; point k takes the values of the index digits of k, the
 * first --vary varying slowest.
 *
 * Every point runs with the scenario's own seed, so every point sees the
 * same random streams (common random numbers): the same tenants' arrivals
 * and the same per-message draws wherever the model consumes them in the
 * same order, which makes differences between points sharp.
 *
 * A point's results are read back from the files `spillway run` writes
 * (summary.csv, tenants.csv, cost.csv), so points can run in other
 * processes, or on other machines sharing the directory.
 */
#ifndef SPILLWAY_SIM_SWEEP_H
#define SPILLWAY_SIM_SWEEP_H

#include <stddef.h>

struct vary {
	char *path;     /* the scenario path, owned */
	char **values;  /* YAML texts, owned */
	size_t n;
};

/* Parses "PATH=V1,V2,..." (or a range). 0, or -1 with a message. */
int vary_parse(struct vary *v, const char *arg, char *err, size_t errlen);
void vary_free(struct vary *v);

/* Points in the grid of n dimensions (the product of their sizes). */
size_t grid_size(const struct vary *v, size_t n);
/* The value index of each dimension at point k (idx has n entries). */
void grid_point(const struct vary *v, size_t n, size_t k, size_t *idx);

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
