/* plot.h - the gnuplot plots of reports/ (report.c's runs and sweeps).
 *
 * One writer: each plot is a NAME.dat (its data) and a NAME.gp script
 * (PNG, then SVG, with the checksum line spillway report uses to keep a
 * script its user edited) in plots/, drawn by running gnuplot there when
 * it is on PATH. Four shapes: lines against time, clustered bars,
 * one metric against a sweep's points with error bars, and measured points
 * against a simulated band. Internal to reports/: the callers are
 * report.c's run and sweep reports and fit.c's comparisons.
 */
#ifndef SPILLWAY_REPORTS_PLOT_H
#define SPILLWAY_REPORTS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/report.h"

/* One time series of a run (replication 0 of timeseries.csv). */
struct series {
	char *resource, *metric; /* owned */
	double *t, *v;           /* time (s) and value, owned */
	size_t n, cap;
};

/* A line of a plot: a series, or a constant (a limit). */
struct line {
	const struct series *s;
	char label[300];
	double scale;     /* multiplies every value */
	double constant;  /* a horizontal limit line when s is NULL */
};

/* A plot and how drawing it went. */
struct plot {
	const char *name;   /* file stem */
	const char *title;
	const char *subtitle; /* the scenario's name and description */
	const char *ylabel;
	struct line l[32];
	size_t n;
	bool drawn;         /* gnuplot made its pictures */
	bool failed;        /* gnuplot ran on it and failed */
	bool empty;         /* no valid point: left out, nothing written */
};


/* Adds "RES WHAT" (s times scale) to p; nothing when s is NULL or p holds
 * 32 lines. */
void rpt_plot_add_line(struct plot *p, const struct series *s, const char *res,
		       const char *what, double scale);
/* Adds a dashed horizontal line at value. */
void rpt_plot_add_limit(struct plot *p, double value, const char *label);

/* The three shapes, into pdir: 0 (p->drawn, p->failed, p->empty tell how
 * it went; a plot with no valid point is left out with a note), or -1
 * with dr->error set. */
int rpt_plot_lines(struct rpt_draw *dr, const char *pdir, struct plot *p);
/* Bars of rows (labels[r], values[r * ncols + c]), one series per cols[c]. */
int rpt_plot_bars(struct rpt_draw *dr, const char *pdir, struct plot *p,
		  char **labels, double *values, size_t rows,
		  const char *const *cols, size_t ncols);
/* One metric's mean and interval against n labelled points. */
int rpt_plot_points(struct rpt_draw *dr, const char *pdir, struct plot *p,
		    char *const *labels, const double *mean, const double *lo,
		    const double *hi, size_t n);

/* Measured points (x, y) against a simulated mean with its band [lo, hi]
 * (fit.c); NAN values are left as gaps. */
int rpt_plot_band(struct rpt_draw *dr, const char *pdir, struct plot *p,
		  const char *xlabel, const double *x, const double *y,
		  const double *mean, const double *lo, const double *hi, size_t n);
/* dir/plots, made if missing, into pdir. 0, or -1 (dr->error set). */
int rpt_plots_dir(struct rpt_draw *dr, const char *dir, char *pdir, size_t size);
/* Whether gnuplot is on PATH (where execlp looks). */
bool rpt_gnuplot_on_path(void);
/* After the plots: the one warning for a machine without gnuplot. */
void rpt_gnuplot_missing(struct rpt_draw *dr, size_t plots);

/* A note for the user on dr->notes (sanitised). */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void rpt_note(struct rpt_draw *dr, const char *fmt, ...);
/* Records that VERB PATH failed in dr->error, keeping errno (EIO when it
 * says nothing); returns -1. */
int rpt_fail_to(struct rpt_draw *dr, const char *verb, const char *path);

#endif
