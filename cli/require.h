/* require.h - requirements on a run's results, as `spillway plan` takes
 * them: `RESOURCE.METRIC OP VALUE`.
 *
 *   progress-dlq.NumberOfMessagesSent<=100
 *   programs.WriteThrottleEvents==0
 *   progress-calc.Duration.p99<500ms          (metric names may hold dots)
 *   tenants.bulk-upload.dwell_p99<=15m        (a tenant's tenants.csv column)
 *   tenants.*.dwell_p99<=60s                  (every tenant)
 *   tenants.bulk-upload.dead_lettered<=0.01%  (a share of the tenant's sent)
 *   drain_time<=15m                           (the longest DrainTime of the
 *                                              queues tenants send to)
 *
 * OP is <=, <, >=, > or ==. VALUE is a number, or a duration (in seconds)
 * or a size (in bytes) with its unit; a percentage only for a tenant's
 * counts. A requirement holds at a point only if the pessimistic end of the
 * metric's 95% interval meets it (the upper end for <= and <, the lower for
 * >= and >, both for ==; the mean when there is one replication).
 */
#ifndef SPILLWAY_CLI_REQUIRE_H
#define SPILLWAY_CLI_REQUIRE_H

#include <stdbool.h>
#include <stddef.h>

#include "sim/scenario.h"
#include "sim/results.h"

enum req_op { REQ_LE, REQ_LT, REQ_GE, REQ_GT, REQ_EQ };

enum req_kind {
	REQ_METRIC,  /* RESOURCE.METRIC */
	REQ_TENANT,  /* tenants.NAME.FIELD, NAME may be * */
	REQ_DRAIN,   /* drain_time */
};

struct requirement {
	char *text;        /* as given, owned */
	int kind;          /* enum req_kind */
	char *resource;    /* REQ_METRIC: resource; REQ_TENANT: tenant or "*" */
	char *metric;      /* metric or tenant field */
	int op;            /* enum req_op */
	double value;      /* base units; a share (0..1) when percent */
	bool percent;
	size_t metric_col; /* where the metric starts in text (0-based) */
};

/* Parses text. 0, or -1 with a message and the 0-based column of the
 * offending character. */
int req_parse(struct requirement *r, const char *text, char *err, size_t errlen,
	      size_t *col);
/* Checks that the names exist in the scenario and the results: 0, or -1
 * with a message and a column. */
int req_check(const struct requirement *r, const struct scenario *scn,
	      const struct point_result *pr, char *err, size_t errlen, size_t *col);
void req_free(struct requirement *r);

/* The value the requirement is judged on (the pessimistic end; for
 * tenants.* the worst tenant) and whether it holds; *slack is how far it is
 * from failing, in the metric's units (negative when it fails). */
bool req_eval(const struct requirement *r, const struct scenario *scn,
	      const struct point_result *pr, double *judged, double *slack);

/* "<=" and the like. */
const char *req_op_name(int op);

#endif
