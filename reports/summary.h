/* summary.h - the tabular outputs of a run: summary.csv, summary.json,
 * tenants.csv and manifest.json.
 *
 * Reports read only what the run recorded (struct sim_outcome), never model
 * internals. Every writer returns 0, or -1 with errno set; the caller names
 * the path in its error message. CSV files go through sim/csv.h (quoted
 * and guarded text, numbers in a fixed format, %.10g) and JSON files
 * through sim/json.h (jansson; the same %.10g, null for NaN) so the same
 * run gives byte-identical files.
 */
#ifndef SPILLWAY_REPORTS_SUMMARY_H
#define SPILLWAY_REPORTS_SUMMARY_H

#include <stdio.h>

#include "sim/json.h"
#include "sim/run.h"
#include "sim/scenario.h"

/* resource,metric,mean,ci95_low,ci95_high,unit: one row per metric over all
 * replications (empty interval bounds with a single replication). */
int rpt_write_summary_csv(const char *path, const struct sim_outcome *o);
/* The same rows as a JSON array of objects (null for missing numbers). */
int rpt_write_summary_json(const char *path, const struct sim_outcome *o);
/* tenant,sent,delivered,rejected,failed,dead_lettered,expired,dwell_p50_s,...:
 * counts are means per replication; dwell quantiles come from the dwell
 * histograms merged over all replications. */
/* The tenants' table (means per replication, as tenants.csv) on f. */
void rpt_print_tenants(FILE *f, const struct scenario *scn, const struct sim_outcome *o);
int rpt_write_tenants_csv(const char *path, const struct scenario *scn,
			  const struct sim_outcome *o);

struct rpt_manifest {
	const char *version;        /* spillway version */
	const char *scenario_path;  /* as given on the command line */
	const char *scenario_sha256;/* of the file's bytes */
	const char *const *sets;    /* --set assignments applied */
	size_t n_sets;
	const char *pricing;        /* pricing file used, or NULL */
	const char *const *unconfirmed_prices; /* price keys used that are unconfirmed */
	size_t n_unconfirmed_prices;
};

int rpt_write_manifest(const char *path, const struct scenario *scn,
		       const struct sim_outcome *o,
		       const struct rpt_manifest *m);

/* fclose with the stream's error state: 0, or -1 with errno set to the
 * cause (a write's failure shows again when fclose flushes; EIO when no
 * cause is known). */
int rpt_close(FILE *f);
/* doc (sim/json.h) written to path, then freed (in either case): 0, or -1
 * with errno set. */
int rpt_write_json(const char *path, json_t *doc);


#endif
