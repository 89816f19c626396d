/* grid.h - what `spillway sweep` and `spillway plan` share: the grid of
 * varied values (a point's results are read back through sim/results.h).
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
#ifndef SPILLWAY_CLI_GRID_H
#define SPILLWAY_CLI_GRID_H

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

#endif
