/* fit.c - measured against simulated series (see fit.h). */
#include "reports/fit.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "reports/plot.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/observed.h"
#include "sim/text.h"

/* Mean and sample standard deviation of the finite values among
 * sim[r * n + i] over replications other than `skip` (SIZE_MAX: none);
 * returns how many there were. */
static size_t point_stats(const struct rpt_compared *c, size_t i, size_t skip,
			  double *mean, double *sd)
{
	double sum = 0, sq = 0;
	size_t k = 0;
	for (size_t r = 0; r < c->reps; r++) {
		double v = c->sim[r * c->n + i];
		if (r == skip || !isfinite(v))
			continue;
		k++;
		sum += v;
	}
	*mean = k ? sum / (double)k : NAN;
	for (size_t r = 0; r < c->reps; r++) {
		double v = c->sim[r * c->n + i];
		if (r != skip && isfinite(v))
			sq += (v - *mean) * (v - *mean);
	}
	*sd = k > 1 ? sqrt(sq / (double)(k - 1)) : 0;
	return k;
}

void rpt_fit_point(const struct rpt_compared *c, size_t i, double *mean,
		   double *lo, double *hi)
{
	double sd;
	size_t k = point_stats(c, i, SIZE_MAX, mean, &sd);
	if (k < 2) {
		*lo = *hi = *mean;
		return;
	}
	double h = gsl_cdf_tdist_Pinv(0.975, (double)(k - 1)) * sd *
		   sqrt(1 + 1 / (double)k);
	*lo = *mean - h;
	*hi = *mean + h;
}

/* RMSE of a against b (NAN entries skipped), divided by scale. */
static double nrmse(const double *a, const double *b, size_t n, double scale)
{
	double sq = 0;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isfinite(a[i]) || !isfinite(b[i]))
			continue;
		sq += (a[i] - b[i]) * (a[i] - b[i]);
		k++;
	}
	return k ? sqrt(sq / (double)k) / scale : NAN;
}

void rpt_fit_errors(const struct rpt_compared *c, struct rpt_fit_errors *e)
{
	*e = (struct rpt_fit_errors){ .mape = NAN, .bias = NAN, .rel_bias = NAN,
				      .rmse = NAN, .nrmse = NAN, .scale = 1,
				      .peak_err = NAN, .peak_err_t = NAN,
				      .y_peak = NAN, .y_peak_t = NAN, .m_peak = NAN,
				      .m_peak_t = NAN, .in_band = NAN,
				      .noise_median = NAN, .noise_limit = NAN };
	double *m = sim_xcalloc(c->n ? c->n : 1, sizeof(*m));
	double ape = 0, dev = 0, sq = 0, absy = 0, inside = 0;
	size_t nape = 0;
	for (size_t i = 0; i < c->n; i++) {
		double lo, hi;
		rpt_fit_point(c, i, &m[i], &lo, &hi);
		double y = c->y[i];
		if (isfinite(y) && (!isfinite(e->y_peak) || y > e->y_peak)) {
			e->y_peak = y;
			e->y_peak_t = c->t[i];
		}
		if (isfinite(m[i]) && (!isfinite(e->m_peak) || m[i] > e->m_peak)) {
			e->m_peak = m[i];
			e->m_peak_t = c->t[i];
		}
		if (!isfinite(y) || !isfinite(m[i]))
			continue;
		double d = m[i] - y;
		e->points++;
		dev += d;
		sq += d * d;
		absy += fabs(y);
		if (y != 0) {
			ape += fabs(d) / fabs(y);
			nape++;
		} else {
			e->mape_skipped++;
		}
		if (y >= lo && y <= hi)
			inside++;
		if (!isfinite(e->peak_err) || fabs(d) > fabs(e->peak_err)) {
			e->peak_err = d;
			e->peak_err_t = c->t[i];
		}
	}
	if (e->points) {
		double k = (double)e->points;
		e->scale = absy > 0 ? absy / k : 1;
		e->bias = dev / k;
		e->rel_bias = absy > 0 ? dev / absy : NAN;
		e->rmse = sqrt(sq / k);
		e->nrmse = e->rmse / e->scale;
		e->in_band = inside / k;
		if (nape)
			e->mape = ape / (double)nape;
	}
	/* Run-to-run: each replication against the mean of the others. */
	if (c->reps > 1 && e->points) {
		double *noise = sim_xcalloc(c->reps, sizeof(*noise));
		double *others = sim_xcalloc(c->n ? c->n : 1, sizeof(*others));
		size_t nn = 0;
		for (size_t r = 0; r < c->reps; r++) {
			for (size_t i = 0; i < c->n; i++) {
				double sd;
				point_stats(c, i, r, &others[i], &sd);
				if (!isfinite(c->y[i]))
					others[i] = NAN;
			}
			double v = nrmse(c->sim + r * c->n, others, c->n, e->scale);
			if (isfinite(v))
				noise[nn++] = v;
		}
		if (nn) {
			gsl_sort(noise, 1, nn);
			e->noise_median = gsl_stats_median_from_sorted_data(noise, 1, nn);
		}
		if (nn > 2) {
			double mean = gsl_stats_mean(noise, 1, nn);
			double sd = gsl_stats_sd_m(noise, 1, nn, mean);
			e->noise_limit = mean + gsl_cdf_tdist_Pinv(0.995, (double)(nn - 1)) *
						sd * sqrt(1 + 1 / (double)nn);
			e->within_noise = e->nrmse <= e->noise_limit;
		}
		free(others);
		free(noise);
	}
	free(m);
}

/* "10:42:00Z (+42m)" for an offset from t0. */
static const char *when(const struct rpt_compared *c, double t, char *buf, size_t size)
{
	if (!isfinite(t)) {
		snprintf(buf, size, "-");
		return buf;
	}
	char iso[40];
	obs_format_time(c->t0 + t, iso, sizeof(iso));
	snprintf(buf, size, "%s (+%gm)", iso, t / 60);
	return buf;
}

void rpt_print_errors(FILE *f, const struct rpt_compared *c, size_t n)
{
	sim_text_fprintf(f, "%-50s %6s %7s %8s %7s %17s %7s  %s\n", "series", "points",
			 "MAPE", "bias", "NRMSE", "run-to-run (99%)", "in band",
			 "largest error (at)");
	for (size_t s = 0; s < n; s++) {
		struct rpt_fit_errors e;
		rpt_fit_errors(&c[s], &e);
		char at[80], mape[16], bias[16], nr[16], noise[24], band[16];
		snprintf(mape, sizeof(mape), isfinite(e.mape) ? "%.1f%%" : "-", 100 * e.mape);
		snprintf(bias, sizeof(bias), isfinite(e.rel_bias) ? "%+.1f%%" : "%+.3g",
			 isfinite(e.rel_bias) ? 100 * e.rel_bias : e.bias);
		snprintf(nr, sizeof(nr), isfinite(e.nrmse) ? "%.1f%%" : "-", 100 * e.nrmse);
		if (isfinite(e.noise_limit))
			snprintf(noise, sizeof(noise), "%.1f%% (%.1f%%)%s", 100 * e.noise_median,
				 100 * e.noise_limit, e.within_noise ? "" : " *");
		else
			snprintf(noise, sizeof(noise), "-");
		snprintf(band, sizeof(band), isfinite(e.in_band) ? "%.0f%%" : "-",
			 100 * e.in_band);
		char err[32];
		snprintf(err, sizeof(err), "%+.4g", e.peak_err);
		sim_text_fprintf(f, "%-50s %6zu %7s %8s %7s %17s %7s  %s at %s\n", c[s].name,
				 e.points, mape, bias, nr, noise, band, err,
				 when(&c[s], e.peak_err_t, at, sizeof(at)));
	}
}

static int write_points(const char *dir, const struct rpt_compared *c, size_t n,
			struct rpt_draw *dr)
{
	char path[4600];
	snprintf(path, sizeof(path), "%s/compare.csv", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return rpt_fail_to(dr, "write", path);
	struct sim_csv w = { f, false };
	fputs("series,id,time,offset_s,observed,simulated_mean,band_low,band_high\n", f);
	for (size_t s = 0; s < n; s++) {
		for (size_t i = 0; i < c[s].n; i++) {
			double m, lo, hi;
			char iso[40];
			rpt_fit_point(&c[s], i, &m, &lo, &hi);
			sim_csv_text(&w, c[s].name);
			sim_csv_text(&w, c[s].id);
			sim_csv_text(&w, obs_format_time(c[s].t0 + c[s].t[i], iso, sizeof(iso)));
			sim_csv_num(&w, c[s].t[i]);
			sim_csv_num(&w, c[s].y[i]);
			sim_csv_num(&w, m);
			sim_csv_num(&w, lo);
			sim_csv_num(&w, hi);
			sim_csv_end(&w);
		}
	}
	if (rpt_close(f))
		return rpt_fail_to(dr, "write", path);
	snprintf(path, sizeof(path), "%s/errors.csv", dir);
	f = fopen(path, "w");
	if (!f)
		return rpt_fail_to(dr, "write", path);
	w = (struct sim_csv){ f, false };
	fputs("series,id,period_s,points,mape,mape_skipped,bias,relative_bias,rmse,nrmse,"
	      "largest_error,largest_error_time,observed_peak,observed_peak_time,"
	      "simulated_peak,simulated_peak_time,in_band,noise_nrmse_median,"
	      "noise_nrmse_limit99,within_noise\n", f);
	for (size_t s = 0; s < n; s++) {
		struct rpt_fit_errors e;
		rpt_fit_errors(&c[s], &e);
		char a[40], b[40], d[40];
		sim_csv_text(&w, c[s].name);
		sim_csv_text(&w, c[s].id);
		sim_csv_num(&w, c[s].period);
		sim_csv_num(&w, (double)e.points);
		sim_csv_num(&w, e.mape);
		sim_csv_num(&w, (double)e.mape_skipped);
		sim_csv_num(&w, e.bias);
		sim_csv_num(&w, e.rel_bias);
		sim_csv_num(&w, e.rmse);
		sim_csv_num(&w, e.nrmse);
		sim_csv_num(&w, e.peak_err);
		sim_csv_text(&w, isfinite(e.peak_err_t)
			     ? obs_format_time(c[s].t0 + e.peak_err_t, a, sizeof(a)) : "");
		sim_csv_num(&w, e.y_peak);
		sim_csv_text(&w, isfinite(e.y_peak_t)
			     ? obs_format_time(c[s].t0 + e.y_peak_t, b, sizeof(b)) : "");
		sim_csv_num(&w, e.m_peak);
		sim_csv_text(&w, isfinite(e.m_peak_t)
			     ? obs_format_time(c[s].t0 + e.m_peak_t, d, sizeof(d)) : "");
		sim_csv_num(&w, e.in_band);
		sim_csv_num(&w, e.noise_median);
		sim_csv_num(&w, e.noise_limit);
		sim_csv_text(&w, isfinite(e.noise_limit) ? (e.within_noise ? "yes" : "no") : "");
		sim_csv_end(&w);
	}
	if (rpt_close(f))
		return rpt_fail_to(dr, "write", path);
	return 0;
}

/* A file stem from a series name: letters, digits, - and _ kept, the rest
 * as _, with its index in front (names may differ only in what is cut). */
static void stem(char *out, size_t size, size_t index, const char *name)
{
	int k = snprintf(out, size, "compare-%02zu-", index + 1);
	size_t j = k > 0 ? (size_t)k : 0;
	for (const char *p = name; *p && j + 1 < size && j < 100; p++) {
		char ch = *p;
		bool keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			    (ch >= '0' && ch <= '9') || ch == '-' || ch == '_';
		out[j++] = keep ? ch : '_';
	}
	out[j] = 0;
}

int rpt_write_compare(const char *dir, const char *title,
		      const struct rpt_compared *c, size_t n, struct rpt_draw *dr)
{
	if (write_points(dir, c, n, dr))
		return -1;
	char pdir[4600];
	if (rpt_plots_dir(dr, dir, pdir, sizeof(pdir)))
		return -1;
	dr->no_gnuplot = !rpt_gnuplot_on_path();
	for (size_t s = 0; s < n; s++) {
		size_t k = c[s].n ? c[s].n : 1;
		double *x = sim_xcalloc(k, sizeof(*x)), *m = sim_xcalloc(k, sizeof(*m));
		double *lo = sim_xcalloc(k, sizeof(*lo)), *hi = sim_xcalloc(k, sizeof(*hi));
		for (size_t i = 0; i < c[s].n; i++) {
			x[i] = c[s].t[i] / 60;
			rpt_fit_point(&c[s], i, &m[i], &lo[i], &hi[i]);
		}
		char name[160], ttl[400], start[40], xl[80];
		stem(name, sizeof(name), s, c[s].name);
		snprintf(ttl, sizeof(ttl), "%s", c[s].name);
		snprintf(xl, sizeof(xl), "minutes from %s",
			 obs_format_time(c[s].t0, start, sizeof(start)));
		struct plot p = { .name = name, .title = ttl, .subtitle = title,
				  .ylabel = c[s].unit && *c[s].unit ? c[s].unit : c[s].name };
		int rc = rpt_plot_band(dr, pdir, &p, xl, x, c[s].y, m, lo, hi, c[s].n);
		free(x);
		free(m);
		free(lo);
		free(hi);
		if (rc)
			return -1;
	}
	if (dr->no_gnuplot)
		rpt_gnuplot_missing(dr, n);
	return 0;
}
