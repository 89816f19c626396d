/* dist.c - probability distributions: constructors, sampling, exact moments.
 *
 * Every sample comes from a gsl_ran_* function (or, for the empirical
 * family, gsl_rng_uniform_int) on the caller's stream, so a run is exactly
 * reproducible from its seeds. Constructors refuse parameters for which the
 * distribution does not exist or GSL cannot sample it, and leave *d
 * untouched when they do; sim_dist_sample therefore has no checks left to
 * make and is a single switch with no allocation.
 *
 * sim_dist_mean and sim_dist_variance are closed forms, not estimates; the
 * truncated normal is the only family that needs care, see trunc_normal().
 */
#include "sim/dist.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

/* Standardised truncation points alpha above this use the continued
 * fraction in trunc_normal(), with this many terms. Checked against
 * 120-digit arithmetic: the phi / Q formulas are within 1e-14 up to
 * alpha = 2 and then lose ~eps * alpha^4 to cancellation (5e-13 at 4.9);
 * the fraction is within a few ulps from alpha = 2 up to 1e10. */
#define TAIL_ALPHA 2.0
#define TAIL_TERMS 200

/* The largest n gsl_rng_uniform_int accepts from a 32-bit generator such as
 * mt19937 (it needs n <= max - min). */
#define EMPIRICAL_MAX_N 4294967295.0

static const char *const kind_names[] = {
	[SIM_DIST_CONSTANT] = "constant",
	[SIM_DIST_EXPONENTIAL] = "exponential",
	[SIM_DIST_LOGNORMAL] = "lognormal",
	[SIM_DIST_GAMMA] = "gamma",
	[SIM_DIST_UNIFORM] = "uniform",
	[SIM_DIST_NORMAL] = "normal",
	[SIM_DIST_PARETO] = "pareto",
	[SIM_DIST_EMPIRICAL] = "empirical",
};

/* Fills *d with a two-parameter family; the constructors validate first. */
static int set(struct sim_dist *d, enum sim_dist_kind kind, double a, double b)
{
	d->kind = kind;
	d->a = a;
	d->b = b;
	d->values = NULL;
	d->n_values = 0;
	d->max = INFINITY;
	return 0;
}

int sim_dist_constant(struct sim_dist *d, double value)
{
	if (!isfinite(value))
		return -1;
	return set(d, SIM_DIST_CONSTANT, value, 0);
}

int sim_dist_exponential(struct sim_dist *d, double mean)
{
	if (!(isfinite(mean) && mean > 0))
		return -1;
	return set(d, SIM_DIST_EXPONENTIAL, mean, 0);
}

/* sigma == 0 is allowed: the constant exp(mu), sampled the same way. */
int sim_dist_lognormal(struct sim_dist *d, double mu, double sigma)
{
	if (!(isfinite(mu) && isfinite(sigma) && sigma >= 0))
		return -1;
	return set(d, SIM_DIST_LOGNORMAL, mu, sigma);
}

/* The median of a lognormal is exp(mu) and its quantile p is
 * exp(mu + sigma * z_p), which gives mu and sigma from the two. */
int sim_dist_lognormal_median_p99(struct sim_dist *d, double median, double p99)
{
	double z99 = gsl_cdf_ugaussian_Pinv(0.99);

	if (!(median > 0 && p99 > median && isfinite(p99)))
		return -1;
	/* log(p99) - log(median), not log(p99 / median): the ratio can
	 * overflow when median is tiny. */
	return sim_dist_lognormal(d, log(median), (log(p99) - log(median)) / z99);
}

/* GSL takes shape k = 1/cv^2 and scale theta = mean * cv^2 (mean k theta,
 * sd sqrt(k) theta = cv * mean); both must come out finite and positive. */
int sim_dist_gamma(struct sim_dist *d, double mean, double cv)
{
	double shape = 1 / (cv * cv);
	double scale = mean * cv * cv;

	if (!(isfinite(mean) && mean > 0 && isfinite(cv) && cv > 0))
		return -1;
	if (!(isfinite(shape) && isfinite(scale) && scale > 0))
		return -1;
	return set(d, SIM_DIST_GAMMA, mean, cv);
}

int sim_dist_uniform(struct sim_dist *d, double min, double max)
{
	if (!(isfinite(min) && isfinite(max) && max >= min))
		return -1;
	return set(d, SIM_DIST_UNIFORM, min, max);
}

/* Normal(mean, sd) conditioned on x >= 0. With sd == 0 it is the constant
 * mean, which must then be >= 0 (otherwise there is no mass at x >= 0).
 * GSL's tail sampler squares alpha = -mean / sd, so that must not overflow.
 * Samples lose about eps * alpha^2 of relative precision to the sum
 * mean + tail, which only matters for absurd alphas (> 1e4). */
int sim_dist_normal(struct sim_dist *d, double mean, double sd)
{
	if (!(isfinite(mean) && isfinite(sd) && sd >= 0))
		return -1;
	if (sd == 0 ? mean < 0 : !(fabs(mean / sd) < 1e150))
		return -1;
	return set(d, SIM_DIST_NORMAL, mean, sd);
}

int sim_dist_pareto(struct sim_dist *d, double shape, double scale)
{
	if (!(isfinite(shape) && shape > 0 && isfinite(scale) && scale > 0))
		return -1;
	return set(d, SIM_DIST_PARETO, shape, scale);
}

/* On success the distribution owns values (freed by sim_dist_finish); on
 * failure nothing is taken and the caller still owns them. */
int sim_dist_empirical(struct sim_dist *d, double *values, size_t n)
{
	size_t i;

	if (!values || n < 1 || (double)n > EMPIRICAL_MAX_N)
		return -1;
	for (i = 0; i < n; i++)
		if (!isfinite(values[i]))
			return -1;
	set(d, SIM_DIST_EMPIRICAL, 0, 0);
	d->values = values;
	d->n_values = n;
	return 0;
}

void sim_dist_finish(struct sim_dist *d)
{
	free(d->values);
	d->values = NULL;
	d->n_values = 0;
}

/* dst and src must be different structs. dst is untouched on failure. */
int sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src)
{
	double *values = NULL;

	if (src->values && src->n_values) {
		if (src->n_values > SIZE_MAX / sizeof(*values))
			return -1;
		values = malloc(src->n_values * sizeof(*values));
		if (!values)
			return -1;
		memcpy(values, src->values, src->n_values * sizeof(*values));
	}
	*dst = *src;
	dst->values = values;
	return 0;
}

void sim_dist_cap(struct sim_dist *d, double max)
{
	d->max = max;
}

/* The draw of the family itself, uncapped. */
static double draw(const struct sim_dist *d, gsl_rng *r)
{
	double x;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return d->a;
	case SIM_DIST_EXPONENTIAL:
		return gsl_ran_exponential(r, d->a);
	case SIM_DIST_LOGNORMAL:
		/* gsl_ran_lognormal's own normal draw is the Box-Muller polar
		 * method (a log and a square root per draw); GSL's ziggurat
		 * draws the same N(0, 1) several times faster. */
		return exp(d->a + d->b * gsl_ran_gaussian_ziggurat(r, 1.0));
	case SIM_DIST_GAMMA:
		return gsl_ran_gamma(r, 1 / (d->b * d->b), d->a * d->b * d->b);
	case SIM_DIST_UNIFORM:
		return gsl_ran_flat(r, d->a, d->b);
	case SIM_DIST_NORMAL:
		if (d->b == 0)
			return d->a;
		/* The N(0, sd) tail beyond -mean, shifted by mean: x >= 0 by
		 * construction (GSL resamples, for either sign of mean). The
		 * max only absorbs rounding in GSL's x * sd, a few ulps. */
		x = d->a + gsl_ran_gaussian_tail(r, -d->a, d->b);
		return x > 0 ? x : 0;
	case SIM_DIST_PARETO:
		return gsl_ran_pareto(r, d->a, d->b);
	case SIM_DIST_EMPIRICAL:
		return d->values[gsl_rng_uniform_int(r, d->n_values)];
	}
	return NAN;
}

double sim_dist_sample(const struct sim_dist *d, gsl_rng *r)
{
	double x = draw(d, r);

	/* Written so that NaN fails the first test and becomes 0. */
	if (x <= d->max)
		return x;
	return x > d->max ? d->max : 0.0;
}

/* Mean and variance of Normal(mean, sd) truncated to x >= 0.
 *
 * With Z standard normal, alpha = -mean / sd and lambda = E[Z | Z >= alpha]
 * = phi(alpha) / Q(alpha), the textbook results are
 *	E[X]   = mean + sd * lambda
 *	Var[X] = sd^2 * (1 + alpha * lambda - lambda^2).
 * Far in the upper tail Q(alpha) underflows (alpha > 37) and, before that,
 * the variance is a small difference of large terms (~ 1/alpha^2 out of
 * alpha^2). There lambda = alpha + delta, with the continued fraction of
 * Mills' ratio
 *	delta = 1 / (alpha + w),  w = 2 / (alpha + 3 / (alpha + 4 / ...)),
 * and both results follow without cancellation:
 *	E[X]   = sd * delta                (mean + sd * alpha is 0)
 *	Var[X] = sd^2 * delta * (w - delta)  (= 1 - delta * (alpha + delta)). */
static void trunc_normal(double mean, double sd, double *m, double *v)
{
	double alpha, lambda, delta, w;
	int k;

	if (sd == 0) {
		*m = mean;
		*v = 0;
		return;
	}
	alpha = -mean / sd;
	if (alpha <= TAIL_ALPHA) {
		lambda = gsl_ran_ugaussian_pdf(alpha) / gsl_cdf_ugaussian_Q(alpha);
		*m = mean + sd * lambda;
		*v = sd * sd * (1 + alpha * lambda - lambda * lambda);
		return;
	}
	/* Evaluated from the deepest term up; w is the value after k = 2. */
	w = 0;
	for (k = TAIL_TERMS; k >= 2; k--)
		w = k / (alpha + w);
	delta = 1 / (alpha + w);
	*m = sd * delta;
	*v = sd * sd * delta * (w - delta);
}

/* Population mean and variance of the empirical values, by two passes; the
 * second pass subtracts its own rounding error (the corrected two-pass
 * algorithm of Chan, Golub and LeVeque). */
static void empirical_moments(const struct sim_dist *d, double *m, double *v)
{
	double n = (double)d->n_values;
	double sum = 0, dev = 0, sq = 0;
	size_t i;

	for (i = 0; i < d->n_values; i++)
		sum += d->values[i];
	*m = sum / n;
	for (i = 0; i < d->n_values; i++) {
		double e = d->values[i] - *m;

		dev += e;
		sq += e * e;
	}
	*v = (sq - dev * dev / n) / n;
	if (*v < 0)
		*v = 0;
}

double sim_dist_mean(const struct sim_dist *d)
{
	double m, v;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
	case SIM_DIST_EXPONENTIAL:
	case SIM_DIST_GAMMA:
		return d->a;
	case SIM_DIST_LOGNORMAL:
		return exp(d->a + d->b * d->b / 2);
	case SIM_DIST_UNIFORM:
		return d->a / 2 + d->b / 2; /* (a + b) / 2 could overflow */
	case SIM_DIST_NORMAL:
		trunc_normal(d->a, d->b, &m, &v);
		return m;
	case SIM_DIST_PARETO:
		return d->a > 1 ? d->a * d->b / (d->a - 1) : INFINITY;
	case SIM_DIST_EMPIRICAL:
		empirical_moments(d, &m, &v);
		return m;
	}
	return NAN;
}

double sim_dist_variance(const struct sim_dist *d)
{
	double m, v, s2;

	switch (d->kind) {
	case SIM_DIST_CONSTANT:
		return 0;
	case SIM_DIST_EXPONENTIAL:
		return d->a * d->a;
	case SIM_DIST_LOGNORMAL:
		/* (e^{s^2} - 1) e^{2 mu + s^2}; expm1 keeps small sigmas exact. */
		s2 = d->b * d->b;
		return expm1(s2) * exp(2 * d->a + s2);
	case SIM_DIST_GAMMA:
		return (d->a * d->b) * (d->a * d->b);
	case SIM_DIST_UNIFORM:
		return (d->b - d->a) * (d->b - d->a) / 12;
	case SIM_DIST_NORMAL:
		trunc_normal(d->a, d->b, &m, &v);
		return v;
	case SIM_DIST_PARETO:
		if (d->a <= 2)
			return INFINITY;
		return d->b * d->b * d->a / ((d->a - 1) * (d->a - 1) * (d->a - 2));
	case SIM_DIST_EMPIRICAL:
		empirical_moments(d, &m, &v);
		return v;
	}
	return NAN;
}

const char *sim_dist_kind_name(enum sim_dist_kind kind)
{
	if ((unsigned)kind >= sizeof(kind_names) / sizeof(kind_names[0]))
		return "unknown";
	return kind_names[kind];
}
