/* pricing.h - unit prices from a data file (reports/pricing/REGION.yaml).
 *
 * A pricing file maps price keys ("lambda.requests", "nat_gateway.gb", ...)
 * to a price in USD per `per` units of `unit`, with where it comes from:
 * the FACTS row, the source URL, the date it was read and how well it is
 * sourced (confirmed, partial, unconfirmed). Models meter usage under these
 * keys (sim_results_meter); reports/cost.c multiplies. The file is checked
 * like a scenario: unknown keys, a missing or negative price, a bad status
 * are errors with file:line:col.
 *
 * A price may have volume `tiers` (AWS's data transfer): a list of
 * {up_to, usd} over the month's volume in its unit, the last without
 * up_to. The volume is the sum of every meter under the key (AWS
 * aggregates it over the account); reports/cost.c scales a run's window
 * to a month to find it (price_tiered_cost).
 */
#ifndef SPILLWAY_REPORTS_PRICING_H
#define SPILLWAY_REPORTS_PRICING_H

#include <stddef.h>

#include "sim/cfg.h"
#include "sim/schema.h"
#include "sim/diag.h"
#include "sim/scenario.h"

enum price_status {
	PRICE_CONFIRMED,
	PRICE_PARTIAL,
	PRICE_UNCONFIRMED,
};

/* One volume tier: usd per `per` units for the monthly volume up to
 * up_to units (the last tier: up_to 0, no upper end). */
struct price_tier {
	double up_to;
	double usd;
};

struct price {
	const char *key;     /* points into the file's tree */
	double usd;          /* per `per` units */
	double per;
	const char *unit;
	const char *fact;    /* FACTS.md row */
	const char *source;  /* URL */
	const char *as_of;   /* when it was read */
	int status;          /* enum price_status */
	struct scn_list tiers; /* struct price_tier, ascending; none: flat usd */
};

struct pricing {
	struct cfg_doc doc;  /* the file, owned */
	const char *region;
	const char *currency;
	struct price *v;     /* owned */
	size_t n;
};

/* The pricing file a scenario uses: its `pricing:` (relative to the
 * scenario's directory), else REGION.yaml in the first of the pricing
 * directories that has it ($SPILLWAY_PRICING_DIR, then the installed and
 * source directories). NULL, with an error in d, when there is none.
 * Returns a malloc'ed path. */
char *pricing_path(const struct scenario *scn, struct diag *d);

/* Loads and checks path; 0, or -1 with the problems in d. */
int pricing_load(struct pricing *p, const char *path, struct diag *d);
void pricing_finish(struct pricing *p);

/* The price of key, or NULL (also for a NULL key). */
const struct price *pricing_find(const struct pricing *p, const char *key);

/* What `volume` units cost in one month under p: its tiers, or usd/per
 * each without tiers. */
double price_tiered_cost(const struct price *p, double volume);

/* "confirmed", "partial" or "UNCONFIRMED". */
const char *price_status_name(int status);

#endif
