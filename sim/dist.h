/* dist.h - probability distributions for service times, sizes and the like.
 *
 * All sampling goes through gsl_ran_*; the caller passes the GSL stream, so
 * each resource draws from its own stream (see rng.h). Parameters are in the
 * distribution's base unit (seconds for durations, bytes for sizes); the
 * sample is in the same unit.
 *
 *   constant     value a
 *   exponential  mean a                         gsl_ran_exponential
 *   lognormal    mu a, sigma b of log(X)       gsl_ran_lognormal
 *                (from median m and p99 q: mu = ln m, sigma = ln(q/m) / z_0.99)
 *   gamma        mean a, coefficient of variation b: shape 1/b^2, scale a*b^2
 *   uniform      min a, max b                  gsl_ran_flat
 *   normal       mean a, sd b, truncated to x >= 0 (resampled, not clamped)
 *   pareto       shape a, scale b (the minimum) gsl_ran_pareto
 *   empirical    uniform choice among n values (owned by the distribution)
 *
 * Every distribution has a cap, `max`: a draw above it is taken to be max
 * (heavy tails such as pareto can draw anything up to +inf). Constructors
 * leave it at +inf; the scenario schema sets it from the key's range or,
 * for keys without one, the unit's sanity bound (sim/schema.c), so no
 * sample ever reaches the models unbounded. Durations are further clamped
 * to SIM_DURATION_MAX by sim_dist_sample_time. The moments
 * (sim_dist_mean, sim_dist_variance) are those of the uncapped family.
 */
#ifndef SPILLWAY_SIM_DIST_H
#define SPILLWAY_SIM_DIST_H

#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "sim/time.h"

enum sim_dist_kind {
	SIM_DIST_CONSTANT,
	SIM_DIST_EXPONENTIAL,
	SIM_DIST_LOGNORMAL,
	SIM_DIST_GAMMA,
	SIM_DIST_UNIFORM,
	SIM_DIST_NORMAL,
	SIM_DIST_PARETO,
	SIM_DIST_EMPIRICAL,
};

struct sim_dist {
	enum sim_dist_kind kind; /* which family */
	double a;                /* first parameter (see the table above) */
	double b;                /* second parameter, 0 when unused */
	double *values;          /* empirical only: owned sample values */
	size_t n_values;         /* empirical only: length of values */
	double max;              /* cap on samples (+inf: none), see above */
};

/* Constructors fill *d; they return 0, or -1 when the parameters are out of
 * range (the caller's schema has already checked signs, so this guards
 * relations such as max >= min or p99 > median). */
int sim_dist_constant(struct sim_dist *d, double value);
int sim_dist_exponential(struct sim_dist *d, double mean);
int sim_dist_lognormal(struct sim_dist *d, double mu, double sigma);
int sim_dist_lognormal_median_p99(struct sim_dist *d, double median, double p99);
int sim_dist_gamma(struct sim_dist *d, double mean, double cv);
int sim_dist_uniform(struct sim_dist *d, double min, double max);
int sim_dist_normal(struct sim_dist *d, double mean, double sd);
int sim_dist_pareto(struct sim_dist *d, double shape, double scale);
/* Takes ownership of values (malloc'd, n >= 1). */
int sim_dist_empirical(struct sim_dist *d, double *values, size_t n);

/* Frees what the distribution owns (empirical values); safe on any kind. */
void sim_dist_finish(struct sim_dist *d);
/* Deep copy (empirical values are duplicated); 0 or -1 on allocation failure. */
int sim_dist_copy(struct sim_dist *dst, const struct sim_dist *src);

/* Sets the cap on samples (see above); max >= 0, or +inf for none. */
void sim_dist_cap(struct sim_dist *d, double max);

/* A sample, at most d->max (a NaN draw, which no family should give, is
 * returned as 0). */
double sim_dist_sample(const struct sim_dist *d, gsl_rng *r);
/* A duration sample: seconds converted to ns once, at most
 * SIM_DURATION_MAX whatever the cap. */
static inline sim_time_t sim_dist_sample_time(const struct sim_dist *d, gsl_rng *r)
{
	sim_time_t t = sim_time_from_s(sim_dist_sample(d, r));
	return t < SIM_DURATION_MAX ? t : SIM_DURATION_MAX;
}

/* Exact mean and variance of the distribution (INFINITY where they do not
 * exist, e.g. pareto with shape <= 1 or <= 2). */
double sim_dist_mean(const struct sim_dist *d);
double sim_dist_variance(const struct sim_dist *d);

/* Family name as written in scenarios ("exponential", ...). */
const char *sim_dist_kind_name(enum sim_dist_kind kind);

#endif
