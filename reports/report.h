/* report.h - plots (gnuplot, PNG and SVG) and the review report
 * (report.md, and report.html with everything inline: no network) of a
 * finished run, drawn from its output files.
 *
 * Plots: queue depth, age of the oldest message, concurrency against its
 * limit, throttles, DynamoDB consumption against capacity (replication 0
 * of timeseries.csv), per-tenant dwell (tenants.csv) and the cost
 * breakdown (cost.csv). Each plot's .gp script and .dat data stay in
 * plots/ beside its .png and .svg, so it can be restyled and redrawn.
 * Without gnuplot the scripts are still written and the report says the
 * pictures are missing: a warning, not a failure.
 *
 * Everything that comes from the scenario is escaped: for gnuplot (single
 * quotes doubled, no newlines, no enhanced-text markup) and for HTML.
 */
#ifndef SPILLWAY_REPORTS_REPORT_H
#define SPILLWAY_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/review.h"
#include "sim/scenario.h"

/* Draws dir/plots/ and writes dir/report.md and dir/report.html for the
 * run in dir. *no_gnuplot is set when the pictures could not be drawn.
 * 0, or -1 with errno set. */
int rpt_write_report(const char *dir, const struct scenario *scn,
		     const struct findings *f, bool *no_gnuplot);

/* A sweep's report: for each (resource, metric) in cols, a plot of its
 * mean and 95% interval (error bars) against the points (labelled with
 * their values), plus the total cost; report.md and report.html in dir
 * with the table of points. */
int rpt_write_sweep_report(const char *dir, const char *scenario,
			   const char *varied, char *const *labels,
			   const struct point_result *r, size_t npoints,
			   const char *const (*cols)[2], size_t ncols,
			   bool *no_gnuplot);

/* s escaped for HTML text and attributes. */
void rpt_html_escape(FILE *out, const char *s);
/* s as a gnuplot single-quoted string, quotes included. */
void rpt_gnuplot_string(FILE *out, const char *s);

#endif
