/* fit.h - measured against simulated series: the error measures, the
 * files and the plots of `spillway compare` and `spillway calibrate`.
 *
 * A compared series is one measured series (its points, at the start of
 * each period) and, per point, the simulated value of every replication
 * (the same statistic over the same period). Over replications each point
 * has a mean and a 95% band: mean +- t(0.975, R-1) * sd * sqrt(1 + 1/R),
 * the interval a further replication falls in (a prediction interval,
 * assuming normal spread), since the measurement is one realisation too.
 *
 * Error measures of the measured values y_i against the simulated means
 * m_i, over the points where both exist:
 *   MAPE     mean of |m_i - y_i| / |y_i| over the points with y_i != 0
 *            (the others are counted in mape_skipped)
 *   bias     mean of m_i - y_i, and relative: sum(m - y) / sum |y|
 *   RMSE     sqrt(mean (m_i - y_i)^2); NRMSE = RMSE / mean |y| (RMSE
 *            itself when every y_i is 0: scale 1)
 *   peak     the point with the largest |m_i - y_i|: its time and signed
 *            error; and the peaks of y and m with their times
 *   in band  the share of points whose y_i is inside the band
 *   noise    the run-to-run NRMSE: each replication against the mean of
 *            the others, on the same scale; its median over replications,
 *            and the 99% limit for one more replication: mean + t(0.995,
 *            R-1) * sd * sqrt(1 + 1/R) of those R values (three or more
 *            replications). An NRMSE at or below the limit is "within
 *            noise": the measurement differs from the simulation no more
 *            than another replication would.
 */
#ifndef SPILLWAY_REPORTS_FIT_H
#define SPILLWAY_REPORTS_FIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "reports/report.h"

struct rpt_compared {
	const char *name;   /* "orders-queue.NumberOfMessagesSent:Sum" */
	const char *id;     /* the export's Id */
	const char *unit;   /* for the y axis; may be "" */
	double t0;          /* seconds since the epoch of time 0 */
	double period;      /* seconds */
	size_t n;           /* measured points */
	const double *t;    /* seconds from t0, per point */
	const double *y;    /* measured values */
	size_t reps;        /* replications */
	const double *sim;  /* sim[r * n + i]: replication r, point i; NAN when
			       the replication has no value there */
};

struct rpt_fit_errors {
	size_t points;        /* points with both a measured and a simulated value */
	size_t mape_skipped;  /* of them, measured 0 (left out of MAPE) */
	double mape;          /* ratio (0.05: 5%); NAN when no point counts */
	double bias;          /* in the series' units */
	double rel_bias;      /* ratio */
	double rmse, nrmse;   /* nrmse: ratio */
	double scale;         /* mean |y| (1 when all are 0) */
	double peak_err;      /* signed, at peak_err_t */
	double peak_err_t;    /* seconds from t0 */
	double y_peak, y_peak_t, m_peak, m_peak_t;
	double in_band;       /* ratio */
	double noise_median;  /* run-to-run NRMSE; NAN with one replication */
	double noise_limit;   /* its 99% limit; NAN under three replications */
	bool within_noise;
};

/* Mean, low and high of the band at point i of c (NAN when no replication
 * has a value). */
void rpt_fit_point(const struct rpt_compared *c, size_t i, double *mean,
		   double *lo, double *hi);
void rpt_fit_errors(const struct rpt_compared *c, struct rpt_fit_errors *e);

/* Writes dir/compare.csv (series,id,time,offset_s,observed,simulated_mean,
 * band_low,band_high), dir/errors.csv (one row per series, the measures
 * above) and a plot per series in dir/plots (measured points against the
 * simulated mean and band). 0, or -1 with dr->error set. */
int rpt_write_compare(const char *dir, const char *title,
		      const struct rpt_compared *c, size_t n,
		      struct rpt_draw *dr);

/* The table of error measures, for a terminal. */
void rpt_print_errors(FILE *f, const struct rpt_compared *c, size_t n);

#endif
