/* report.h - plots (gnuplot, PNG and SVG) and the review report
 * (report.md, and report.html with everything inline: no network) of a
 * finished run, drawn from its output files.
 *
 * Plots: queue depth, age of the oldest message, concurrency against its
 * limit, throttles, DynamoDB consumption against capacity (replication 0
 * of timeseries.csv), per-tenant dwell (tenants.csv) and the cost
 * breakdown (cost.csv). Each plot's .gp script and .dat data stay in
 * plots/ beside its .png and .svg, so it can be restyled and redrawn
 * (`spillway report DIR` keeps a script its user edited). Without gnuplot
 * the scripts are still written and the report says the pictures are
 * missing: a warning, not a failure.
 *
 * Everything that comes from the scenario is sanitised (sim/text.h: valid
 * UTF-8, control characters replaced, cut between characters) and then
 * escaped: for gnuplot (single quotes doubled, no newlines, no
 * enhanced-text markup), for Markdown and for HTML.
 */
#ifndef SPILLWAY_REPORTS_REPORT_H
#define SPILLWAY_REPORTS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/review.h"
#include "sim/scenario.h"

/* How drawing went, for the caller. Notes for the user go to `notes` as
 * they come, one line each, beginning "spillway: note:" or "spillway:
 * warning:": a plot with no valid point (all its values missing) left out
 * and gnuplot not even started on it; a .gp script that was edited kept
 * and used as it is; gnuplot failing on a plot (which, and its message);
 * gnuplot missing (once). */
struct rpt_draw {
	FILE *notes;        /* where notes go (stderr), or NULL: nowhere */
	bool no_gnuplot;    /* gnuplot is not on PATH: no pictures were drawn */
	size_t failed;      /* plots gnuplot ran on and failed */
	size_t left_out;    /* plots left out for want of a valid point */
	size_t kept;        /* edited .gp scripts kept */
	char error[4700];   /* after a failure: what failed, a verb and a
			     * path ("write out/x/report.md") */
};

/* Draws dir/plots/ and writes dir/report.md and dir/report.html for the
 * run in dir. Each plot's script is written with a first line holding the
 * SHA-256 of the rest; a script there whose line is missing or no longer
 * matches (its user edited it) is kept and used as it is. 0, or -1 with
 * errno set to the cause (ENOSPC when the disk is full) and draw->error
 * naming what failed. */
int rpt_write_report(const char *dir, const struct scenario *scn,
		     const struct findings *f, struct rpt_draw *draw);

/* A sweep's report: for each (resource, metric) in cols, a plot of its
 * mean and 95% interval (error bars) against the points (labelled with
 * their values), plus the total cost; report.md and report.html in dir
 * with the table of points. Returns and notes as rpt_write_report. */
int rpt_write_sweep_report(const char *dir, const char *scenario,
			   const char *varied, char *const *labels,
			   const struct point_result *r, size_t npoints,
			   const char *const (*cols)[2], size_t ncols,
			   struct rpt_draw *draw);

/* Whether the plot script at path is as spillway wrote it (its checksum
 * line matches the rest); false for one its user edited or wrote, and for
 * one that cannot be read. */
bool rpt_script_is_spillways(const char *path);

/* s sanitised and escaped for HTML text and attributes. */
void rpt_html_escape(FILE *out, const char *s);
/* s sanitised, on one line, as a gnuplot single-quoted string, quotes
 * included. */
void rpt_gnuplot_string(FILE *out, const char *s);

#endif
