/* cost.h - what a run's usage meters cost, from a pricing table.
 *
 * Every metric a model recorded with sim_results_meter is a line: its mean
 * quantity over the replications times the unit price of its price key.
 * The total covers the measurement window (duration - warmup); when that is
 * shorter than a month (730 hours) a monthly projection, labelled as one,
 * scales the total linearly (a one-off burst is not monthly: read it as
 * "if this window repeated all month"). A price with volume tiers
 * (pricing.h) is read the same way: the month's volume of its key is the
 * sum of its lines' quantities x 730 h / window; the window pays
 * window / 730 h of that month's tiered cost, shared by quantity.
 */
#ifndef SPILLWAY_REPORTS_COST_H
#define SPILLWAY_REPORTS_COST_H

#include <stdbool.h>
#include <stdio.h>

#include "reports/pricing.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define RPT_MONTH_HOURS 730.0 /* AWS prices monthly usage over 730 hours */

struct rpt_cost_line {
	const struct sim_metric *m; /* the meter */
	const struct price *price;  /* NULL when the table has no such key */
	double quantity;            /* mean over replications */
	double unit_price;          /* usd per unit, NAN without a price */
	double cost;                /* NAN without a price */
	double monthly_volume;      /* tiered price: the month's volume of its
				     * key (all lines), else NAN */
};

struct rpt_cost {
	struct rpt_cost_line *v;    /* owned */
	size_t n;
	double total;               /* over the measurement window */
	double window_h;            /* the measurement window, hours */
	double monthly;             /* total x 730 h / window, NAN when >= a month */
	size_t unconfirmed;         /* lines priced with an unconfirmed price */
	size_t unpriced;            /* lines whose key the table lacks */
};

/* Prices the meters of o. */
void rpt_cost_compute(struct rpt_cost *c, const struct scenario *scn,
		      const struct sim_outcome *o, const struct pricing *p);
void rpt_cost_finish(struct rpt_cost *c);

/* cost.csv: service,resource,dimension,quantity,unit,unit_price_usd,cost_usd,
 * price_status,price_key; then TOTAL rows. 0, or -1 with errno set. */
int rpt_write_cost_csv(const char *path, const struct rpt_cost *c);
/* A short table of the same for the terminal. */
void rpt_print_cost(FILE *f, const struct rpt_cost *c, const struct pricing *p);
/* The scenario's published figures (expect) beside the simulated values:
 * RESOURCE.METRIC means, or monthly_cost.SERVICE (the service's cost lines
 * scaled to 730 hours). Nothing when the scenario has none. */
void rpt_print_published(FILE *f, const struct scenario *scn, const struct sim_outcome *o,
			 const struct rpt_cost *c);
/* The llm_stream resources side by side (conversations, time to first byte
 * and to the last token, cost per 1,000 conversations of the door's meters
 * and its functions'); nothing when there are none. */
void rpt_print_streaming(FILE *f, const struct scenario *scn, const struct sim_outcome *o,
			 const struct rpt_cost *c);

#endif
