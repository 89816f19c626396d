/* test_dist.c - Check suites for sim/dist.c: sampling against exact moments.
 *
 *   dist:moments    10^6 samples per family and parameter set from a fixed-
 *                   seed mt19937; the sample mean and variance must fall
 *                   within a few standard errors of sim_dist_mean/variance,
 *                   which are themselves checked against values worked out
 *                   independently (closed forms or numerical integration)
 *   dist:lognormal  the median/p99 constructor reproduces both quantiles
 *   dist:validate   constructors refuse bad parameters, leave *d alone
 *   dist:misc       ownership (copy, finish), names, reproducibility
 *
 * Standard errors, for n samples of a distribution with variance s2 and
 * central fourth moment mu4:
 *	mean      sqrt(s2 / n)
 *	variance  sqrt((mu4 - s2^2 (n - 3) / (n - 1)) / n)   (unbiased estimator)
 * The mean must be within 4 of them and the variance within 5. Where mu4 is
 * infinite (Pareto with shape <= 4) the variance is not tested; where the
 * variance is too, neither is the mean.
 */
#include <check.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "sim/dist.h"

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* 10^6 samples put the standard error of the mean at 0.1% of the sd, which
 * is enough to see a wrong parameter mapping, and take a few tens of ms
 * per family at -O2. */
#define N_SAMPLES 1000000
/* Any fixed seed: the test is deterministic, and with it every case lands
 * within about 3 standard errors. Case i uses SEED + i. */
#define SEED 20240611UL
/* The allowed distance, in standard errors (see the top of the file). */
#define MEAN_SE 4.0
#define VAR_SE 5.0

/* ---- failure collection ------------------------------------------------ */

/* A table runs as one test that checks every row and then reports all the
 * rows that failed: a test per row would fork once per row, which costs
 * seconds under AddressSanitizer. */
/* struct fails, fail_add and FAILS_CHECK come from tests/harness.h. */

/* ---- independent references ------------------------------------------- */

/* The truncated normal's moments by numerical integration, sharing no code
 * with dist.c. With alpha = -mean / sd and Y = Z - alpha >= 0 (Z the
 * standard normal given Z >= alpha), X = sd * Y and Y has density
 * proportional to g(y) = exp(-alpha y - y^2 / 2). y = u * scale puts the
 * bulk of g near u ~ 1 whatever alpha is, for the integrator's sake. */
struct tn_param {
	double alpha;
	double scale;
	double center; /* y subtracted before the power */
	int power;
};

static double tn_integrand(double u, void *p)
{
	const struct tn_param *t = p;
	double y = u * t->scale;

	return exp(-t->alpha * y - y * y / 2) * pow(y - t->center, t->power);
}

/* The integral over y >= 0 of (y - center)^power g(y), in units of u.
 * The scale cancels in every ratio taken below, so it is never undone. */
static double tn_integral(struct tn_param *t, int power, double center)
{
	gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
	gsl_function f = { tn_integrand, t };
	gsl_error_handler_t *old;
	double result, err;
	int status;

	t->power = power;
	t->center = center;
	/* GSL's default handler aborts; report a failed integration as a
	 * test failure instead. */
	old = gsl_set_error_handler_off();
	status = gsl_integration_qagiu(&f, 0, 0, 1e-13, 1000, w, &result, &err);
	gsl_set_error_handler(old);
	gsl_integration_workspace_free(w);
	ck_assert_msg(status == 0, "integration failed: %s", gsl_strerror(status));
	return result;
}

/* Mean, variance and central fourth moment of Normal(mean, sd) | X >= 0. */
static void tn_reference(double mean, double sd, double *m, double *v,
			 double *mu4)
{
	struct tn_param t = { -mean / sd, 0, 0, 0 };
	double n0, ybar;

	/* Past alpha ~ 1, g decays like exp(-alpha y): y ~ 1 / alpha. */
	t.scale = t.alpha > 1 ? 1 / t.alpha : 1;
	/* Normaliser, mean, then central moments about that mean. */
	n0 = tn_integral(&t, 0, 0);
	ybar = tn_integral(&t, 1, 0) / n0;
	*m = sd * ybar;
	*v = sd * sd * tn_integral(&t, 2, ybar) / n0;
	*mu4 = pow(sd, 4) * tn_integral(&t, 4, ybar) / n0;
}

/* ---- dist:moments ------------------------------------------------------ */

/* One family and parameter set, with the support [lo, hi] of its samples. */
struct moment_case {
	const char *name;
	enum sim_dist_kind kind;
	double a, b;
	double lo, hi;
};

/* The empirical case's values: a repeated value and an outlier, so that
 * the variance and fourth moment are far from a uniform's. */
static const double emp_values[] = { 1, 2, 2, 3, 10 };

/* Two or three parameter sets per family, chosen to exercise different
 * code paths in GSL (gamma shape below 1, tail and rejection samplers of
 * the Gaussian tail) and the degenerate point masses. */
static const struct moment_case moment_cases[] = {
	{ "constant 3.5", SIM_DIST_CONSTANT, 3.5, 0, 3.5, 3.5 },
	{ "exponential 1", SIM_DIST_EXPONENTIAL, 1, 0, 0, INFINITY },
	{ "exponential 0.25", SIM_DIST_EXPONENTIAL, 0.25, 0, 0, INFINITY },
	{ "lognormal 0, 0.5", SIM_DIST_LOGNORMAL, 0, 0.5, 0, INFINITY },
	{ "lognormal -2, 1", SIM_DIST_LOGNORMAL, -2, 1, 0, INFINITY },
	{ "lognormal 3, 0.1", SIM_DIST_LOGNORMAL, 3, 0.1, 0, INFINITY },
	{ "gamma 2, 0.5", SIM_DIST_GAMMA, 2, 0.5, 0, INFINITY },
	/* Shape 1/4: GSL's small-shape branch. */
	{ "gamma 1, 2", SIM_DIST_GAMMA, 1, 2, 0, INFINITY },
	{ "gamma 0.01, 0.1", SIM_DIST_GAMMA, 0.01, 0.1, 0, INFINITY },
	{ "uniform 0, 1", SIM_DIST_UNIFORM, 0, 1, 0, 1 },
	{ "uniform -3, 5", SIM_DIST_UNIFORM, -3, 5, -3, 5 },
	{ "uniform 2, 2", SIM_DIST_UNIFORM, 2, 2, 2, 2 },
	/* Truncated normals from barely (alpha = -5) to deeply (alpha = 30):
	 * GSL rejection-samples below alpha = 1 and uses its tail sampler
	 * above. sd 0 is the point mass at the mean. */
	{ "normal 10, 2", SIM_DIST_NORMAL, 10, 2, 0, INFINITY },
	{ "normal 1, 1", SIM_DIST_NORMAL, 1, 1, 0, INFINITY },
	{ "normal 0, 1", SIM_DIST_NORMAL, 0, 1, 0, INFINITY },
	{ "normal -2, 1", SIM_DIST_NORMAL, -2, 1, 0, INFINITY },
	{ "normal -1, 0.25", SIM_DIST_NORMAL, -1, 0.25, 0, INFINITY },
	{ "normal -30, 1", SIM_DIST_NORMAL, -30, 1, 0, INFINITY },
	{ "normal 3, 0", SIM_DIST_NORMAL, 3, 0, 3, 3 },
	/* Shape 5: all four moments; 3.5 and 2.5: no fourth moment. */
	{ "pareto 5, 2", SIM_DIST_PARETO, 5, 2, 2, INFINITY },
	{ "pareto 3.5, 1", SIM_DIST_PARETO, 3.5, 1, 1, INFINITY },
	{ "pareto 2.5, 1", SIM_DIST_PARETO, 2.5, 1, 1, INFINITY },
	{ "empirical", SIM_DIST_EMPIRICAL, 0, 0, 1, 10 },
};

/* Mean, variance and central fourth moment of a case, from textbook
 * formulas written out here (or integration, for the truncated normal);
 * INFINITY where the moment does not exist. */
static void reference(const struct moment_case *c, double *m, double *v,
		      double *mu4)
{
	double a = c->a, b = c->b, s2, k;
	int i, n = N_ROWS(emp_values);

	switch (c->kind) {
	case SIM_DIST_CONSTANT:
		*m = a;
		*v = *mu4 = 0;
		return;
	case SIM_DIST_EXPONENTIAL:
		*m = a;
		*v = a * a;
		*mu4 = 9 * pow(a, 4); /* kurtosis 9 */
		return;
	case SIM_DIST_LOGNORMAL:
		s2 = b * b;
		*m = exp(a + s2 / 2);
		*v = (exp(s2) - 1) * exp(2 * a + s2);
		*mu4 = *v * *v *
		       (exp(4 * s2) + 2 * exp(3 * s2) + 3 * exp(2 * s2) - 3);
		return;
	case SIM_DIST_GAMMA:
		k = 1 / (b * b); /* shape; excess kurtosis 6 / k */
		*m = a;
		*v = a * a / k;
		*mu4 = *v * *v * (3 + 6 / k);
		return;
	case SIM_DIST_UNIFORM:
		*m = (a + b) / 2;
		*v = (b - a) * (b - a) / 12;
		*mu4 = pow(b - a, 4) / 80;
		return;
	case SIM_DIST_NORMAL:
		if (b == 0) {
			*m = a;
			*v = *mu4 = 0;
			return;
		}
		tn_reference(a, b, m, v, mu4);
		return;
	case SIM_DIST_PARETO:
		*m = a > 1 ? a * b / (a - 1) : INFINITY;
		*v = a > 2 ? b * b * a / ((a - 1) * (a - 1) * (a - 2)) : INFINITY;
		/* Excess kurtosis 6 (a^3 + a^2 - 6a - 2) / (a (a - 3)(a - 4)). */
		*mu4 = a > 4 ? *v * *v * (3 + 6 * (a * a * a + a * a - 6 * a - 2) /
					  (a * (a - 3) * (a - 4)))
			     : INFINITY;
		return;
	case SIM_DIST_EMPIRICAL:
		*m = *v = *mu4 = 0;
		for (i = 0; i < n; i++)
			*m += emp_values[i] / n;
		for (i = 0; i < n; i++) {
			*v += pow(emp_values[i] - *m, 2) / n;
			*mu4 += pow(emp_values[i] - *m, 4) / n;
		}
		return;
	}
	ck_abort_msg("no reference for %s", c->name);
}

/* Builds the case's distribution through its constructor; the empirical
 * one gets its own malloc'd copy of the values, which it then owns. */
static void make_dist(const struct moment_case *c, struct sim_dist *d)
{
	double *values;
	int rc = -1;

	switch (c->kind) {
	case SIM_DIST_CONSTANT:
		rc = sim_dist_constant(d, c->a);
		break;
	case SIM_DIST_EXPONENTIAL:
		rc = sim_dist_exponential(d, c->a);
		break;
	case SIM_DIST_LOGNORMAL:
		rc = sim_dist_lognormal(d, c->a, c->b);
		break;
	case SIM_DIST_GAMMA:
		rc = sim_dist_gamma(d, c->a, c->b);
		break;
	case SIM_DIST_UNIFORM:
		rc = sim_dist_uniform(d, c->a, c->b);
		break;
	case SIM_DIST_NORMAL:
		rc = sim_dist_normal(d, c->a, c->b);
		break;
	case SIM_DIST_PARETO:
		rc = sim_dist_pareto(d, c->a, c->b);
		break;
	case SIM_DIST_EMPIRICAL:
		values = malloc(sizeof(emp_values));
		ck_assert_ptr_nonnull(values);
		memcpy(values, emp_values, sizeof(emp_values));
		rc = sim_dist_empirical(d, values, N_ROWS(emp_values));
		break;
	}
	ck_assert_msg(rc == 0, "%s: constructor refused", c->name);
}

/* |got - want| within rel relative to want; equal infinities pass. The
 * floor keeps want == 0 from demanding an exact 0 of a computed value. */
static int close_rel(double got, double want, double rel)
{
	if (isinf(want))
		return got == want;
	return fabs(got - want) <= rel * fmax(fabs(want), 1e-300);
}

/* Checks one case: exact moments against the reference, then 10^6 samples
 * against the exact moments. */
static void check_moments(const struct moment_case *c, unsigned long seed,
			  struct fails *f)
{
	double mean, var, mu4;
	double n = N_SAMPLES, m = 0, m2 = 0, lo = INFINITY, hi = -INFINITY;
	double se_mean, se_var, svar, tol;
	struct sim_dist d;
	gsl_rng *r;
	long i;

	make_dist(c, &d);
	reference(c, &mean, &var, &mu4);

	/* The exact moments first: they are what the samples are held to. */
	if (!close_rel(sim_dist_mean(&d), mean, 1e-12))
		fail_add(f, "%s: sim_dist_mean %.17g, want %.17g", c->name,
			 sim_dist_mean(&d), mean);
	if (!close_rel(sim_dist_variance(&d), var, 1e-12) &&
	    !(var == 0 && sim_dist_variance(&d) == 0))
		fail_add(f, "%s: sim_dist_variance %.17g, want %.17g", c->name,
			 sim_dist_variance(&d), var);

	/* Welford's running mean and sum of squared deviations. */
	r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	for (i = 0; i < N_SAMPLES; i++) {
		double x = sim_dist_sample(&d, r);
		double delta = x - m;

		m += delta / (double)(i + 1);
		m2 += delta * (x - m);
		lo = fmin(lo, x);
		hi = fmax(hi, x);
	}
	gsl_rng_free(r);
	sim_dist_finish(&d);
	svar = m2 / (n - 1);

	if (!(lo >= c->lo && hi <= c->hi))
		fail_add(f, "%s: samples in [%.17g, %.17g], support [%g, %g]",
			 c->name, lo, hi, c->lo, c->hi);

	/* A floor of a few ulps for the degenerate cases, whose standard
	 * errors are zero (uniform 2..2 is computed as 2(1-u) + 2u). */
	se_mean = sqrt(var / n);
	tol = MEAN_SE * se_mean + 1e-14 * fabs(mean);
	if (!(fabs(m - mean) <= tol))
		fail_add(f, "%s: sample mean %.10g, exact %.10g, off by %.2f SE",
			 c->name, m, mean, fabs(m - mean) / se_mean);

	if (isinf(mu4))
		return; /* the variance estimate has no standard error */
	se_var = sqrt((mu4 - var * var * (n - 3) / (n - 1)) / n);
	tol = VAR_SE * se_var + 1e-14 * fabs(mean) * fabs(mean);
	if (!(fabs(svar - var) <= tol))
		fail_add(f, "%s: sample variance %.10g, exact %.10g, off by %.2f SE",
			 c->name, svar, var, fabs(svar - var) / se_var);
}

START_TEST(moments_sampled)
{
	struct fails f = { 0 };
	int i;

	/* A seed per case, so that the cases are independent draws. */
	for (i = 0; i < N_ROWS(moment_cases); i++)
		check_moments(&moment_cases[i], SEED + (unsigned long)i, &f);
	FAILS_CHECK(f);
}
END_TEST

/* The truncated normal's closed forms against integration, from alphas
 * where truncation is negligible to far in the tail, where the textbook
 * formula would divide two underflowed numbers. */
START_TEST(moments_normal_exact)
{
	static const double alphas[] = { -8, -3, -1, -0.5, 0, 0.5, 1, 1.9,
					 2, 2.1, 3, 5, 10, 37, 40, 100,
					 1e3, 1e4 };
	int i;

	for (i = 0; i < N_ROWS(alphas); i++) {
		double sd = 0.5, mean = -alphas[i] * sd, m, v, mu4;
		struct sim_dist d;

		ck_assert_int_eq(sim_dist_normal(&d, mean, sd), 0);
		tn_reference(mean, sd, &m, &v, &mu4);
		ck_assert_msg(close_rel(sim_dist_mean(&d), m, 1e-12),
			      "alpha %g: mean %.17g, want %.17g", alphas[i],
			      sim_dist_mean(&d), m);
		ck_assert_msg(close_rel(sim_dist_variance(&d), v, 1e-12),
			      "alpha %g: variance %.17g, want %.17g", alphas[i],
			      sim_dist_variance(&d), v);
	}
	/* Half-normal, in closed form: sqrt(2/pi) and 1 - 2/pi. */
	{
		struct sim_dist d;

		ck_assert_int_eq(sim_dist_normal(&d, 0, 1), 0);
		ck_assert(close_rel(sim_dist_mean(&d), sqrt(2 / M_PI), 1e-14));
		ck_assert(close_rel(sim_dist_variance(&d), 1 - 2 / M_PI, 1e-14));
	}
}
END_TEST

/* Values worked out by hand, Pareto moments that do not exist, and the
 * degenerate ends of the lognormal. */
START_TEST(moments_exact_edges)
{
	double *v = malloc(sizeof(emp_values));
	struct sim_dist d;

	ck_assert_int_eq(sim_dist_exponential(&d, 2), 0);
	ck_assert(sim_dist_mean(&d) == 2 && sim_dist_variance(&d) == 4);
	ck_assert_int_eq(sim_dist_uniform(&d, -3, 5), 0);
	ck_assert(sim_dist_mean(&d) == 1);
	ck_assert(close_rel(sim_dist_variance(&d), 16.0 / 3, 1e-15));
	ck_assert_int_eq(sim_dist_pareto(&d, 5, 2), 0);
	ck_assert(close_rel(sim_dist_mean(&d), 2.5, 1e-15));
	ck_assert(close_rel(sim_dist_variance(&d), 5.0 / 12, 1e-15));
	/* 1, 2, 2, 3, 10: mean 18/5, variance (2.6^2 + 2 1.6^2 + 0.6^2 +
	 * 6.4^2) / 5 = 10.64. */
	ck_assert_ptr_nonnull(v);
	memcpy(v, emp_values, sizeof(emp_values));
	ck_assert_int_eq(sim_dist_empirical(&d, v, N_ROWS(emp_values)), 0);
	ck_assert(close_rel(sim_dist_mean(&d), 3.6, 1e-15));
	ck_assert(close_rel(sim_dist_variance(&d), 10.64, 1e-14));
	sim_dist_finish(&d);

	ck_assert_int_eq(sim_dist_pareto(&d, 1, 3), 0);
	ck_assert(isinf(sim_dist_mean(&d)) && sim_dist_mean(&d) > 0);
	ck_assert(isinf(sim_dist_variance(&d)));
	ck_assert_int_eq(sim_dist_pareto(&d, 0.5, 3), 0);
	ck_assert(isinf(sim_dist_mean(&d)));
	ck_assert_int_eq(sim_dist_pareto(&d, 2, 3), 0);
	ck_assert(close_rel(sim_dist_mean(&d), 6, 1e-15));
	ck_assert(isinf(sim_dist_variance(&d)));
	ck_assert_int_eq(sim_dist_pareto(&d, 3, 2), 0);
	ck_assert(close_rel(sim_dist_mean(&d), 3, 1e-15));
	ck_assert(close_rel(sim_dist_variance(&d), 3, 1e-15));

	/* Lognormal with sigma 0 is the constant e^mu; a tiny sigma keeps
	 * its variance relative accuracy (expm1, not exp - 1). */
	ck_assert_int_eq(sim_dist_lognormal(&d, 1, 0), 0);
	ck_assert(close_rel(sim_dist_mean(&d), M_E, 1e-15));
	ck_assert(sim_dist_variance(&d) == 0);
	ck_assert_int_eq(sim_dist_lognormal(&d, 0, 1e-9), 0);
	ck_assert(close_rel(sim_dist_variance(&d), 1e-18, 1e-9));

	ck_assert_int_eq(sim_dist_gamma(&d, 10, 0.3), 0);
	ck_assert(close_rel(sim_dist_mean(&d), 10, 1e-15));
	ck_assert(close_rel(sim_dist_variance(&d), 9, 1e-15));
}
END_TEST

/* ---- dist:lognormal ---------------------------------------------------- */

/* The two quantiles a scenario gives; the test asks for them back. */
struct quantile_case {
	double median, p99;
};

static const struct quantile_case quantile_cases[] = {
	{ 0.25, 2.0 },     /* a service time: 250ms median, 2s p99 */
	{ 0.1, 0.5 },
	{ 1e6, 1.01e6 },   /* nearly constant */
	{ 0.05, 5.0 },     /* sigma ~ 2: a very long tail */
};

/* Checks one median/p99 pair: the parameters, then the sample quantiles. */
static void check_quantiles(const struct quantile_case *c, unsigned long seed,
			    struct fails *f)
{
	double *x = malloc(N_SAMPLES * sizeof(*x));
	double z99 = gsl_cdf_ugaussian_Pinv(0.99);
	double median, p99;
	struct sim_dist d;
	gsl_rng *r;
	long i;

	ck_assert_ptr_nonnull(x);
	ck_assert_int_eq(sim_dist_lognormal_median_p99(&d, c->median, c->p99), 0);
	/* mu = ln(median), sigma = ln(p99 / median) / z_0.99. */
	if (d.kind != SIM_DIST_LOGNORMAL || !close_rel(d.a, log(c->median), 1e-14) ||
	    !close_rel(d.b, log(c->p99 / c->median) / z99, 1e-12))
		fail_add(f, "%g, %g: kind %d, mu %.17g, sigma %.17g", c->median,
			 c->p99, (int)d.kind, d.a, d.b);

	r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, seed);
	for (i = 0; i < N_SAMPLES; i++)
		x[i] = sim_dist_sample(&d, r);
	gsl_rng_free(r);
	gsl_sort(x, 1, N_SAMPLES);
	median = gsl_stats_quantile_from_sorted_data(x, 1, N_SAMPLES, 0.5);
	p99 = gsl_stats_quantile_from_sorted_data(x, 1, N_SAMPLES, 0.99);
	free(x);

	if (!(fabs(median / c->median - 1) <= 0.01))
		fail_add(f, "median %.6g, asked for %.6g", median, c->median);
	if (!(fabs(p99 / c->p99 - 1) <= 0.02))
		fail_add(f, "p99 %.6g, asked for %.6g", p99, c->p99);
}

START_TEST(lognormal_quantiles)
{
	struct fails f = { 0 };
	int i;

	/* z_0.99 itself, to 16 digits. */
	ck_assert(fabs(gsl_cdf_ugaussian_Pinv(0.99) - 2.3263478740408408) < 1e-15);
	for (i = 0; i < N_ROWS(quantile_cases); i++)
		check_quantiles(&quantile_cases[i], SEED + (unsigned long)i, &f);
	FAILS_CHECK(f);
}
END_TEST

/* ---- dist:validate ----------------------------------------------------- */

/* Which constructor a row calls (the median/p99 one is not a kind). */
enum ctor {
	C_CONSTANT,
	C_EXPONENTIAL,
	C_LOGNORMAL,
	C_LOGNORMAL_MP,
	C_GAMMA,
	C_UNIFORM,
	C_NORMAL,
	C_PARETO,
};

struct ctor_row {
	enum ctor ctor;
	double a, b;
};

static int construct(const struct ctor_row *row, struct sim_dist *d)
{
	switch (row->ctor) {
	case C_CONSTANT:
		return sim_dist_constant(d, row->a);
	case C_EXPONENTIAL:
		return sim_dist_exponential(d, row->a);
	case C_LOGNORMAL:
		return sim_dist_lognormal(d, row->a, row->b);
	case C_LOGNORMAL_MP:
		return sim_dist_lognormal_median_p99(d, row->a, row->b);
	case C_GAMMA:
		return sim_dist_gamma(d, row->a, row->b);
	case C_UNIFORM:
		return sim_dist_uniform(d, row->a, row->b);
	case C_NORMAL:
		return sim_dist_normal(d, row->a, row->b);
	case C_PARETO:
		return sim_dist_pareto(d, row->a, row->b);
	}
	return 99;
}

/* Each family's rule from dist.h, then NaN and infinity in each slot:
 * those would otherwise slip through comparisons such as mean > 0. */
static const struct ctor_row bad_rows[] = {
	/* constant: any finite value. */
	{ C_CONSTANT, NAN, 0 },
	{ C_CONSTANT, INFINITY, 0 },
	/* exponential: mean > 0. */
	{ C_EXPONENTIAL, 0, 0 },
	{ C_EXPONENTIAL, -1, 0 },
	{ C_EXPONENTIAL, NAN, 0 },
	{ C_EXPONENTIAL, INFINITY, 0 },
	/* lognormal: sigma >= 0. */
	{ C_LOGNORMAL, 0, -0.1 },
	{ C_LOGNORMAL, NAN, 1 },
	{ C_LOGNORMAL, 0, NAN },
	{ C_LOGNORMAL, INFINITY, 1 },
	{ C_LOGNORMAL, 0, INFINITY },
	/* lognormal from quantiles: p99 > median > 0. */
	{ C_LOGNORMAL_MP, 0, 1 },
	{ C_LOGNORMAL_MP, -1, 1 },
	{ C_LOGNORMAL_MP, 1, 1 },
	{ C_LOGNORMAL_MP, 2, 1 },
	{ C_LOGNORMAL_MP, 1, INFINITY },
	{ C_LOGNORMAL_MP, NAN, 2 },
	{ C_LOGNORMAL_MP, 1, NAN },
	/* gamma: mean > 0 and cv > 0, with a shape 1/cv^2 that is finite. */
	{ C_GAMMA, 0, 1 },
	{ C_GAMMA, -1, 1 },
	{ C_GAMMA, 1, 0 },
	{ C_GAMMA, 1, -1 },
	{ C_GAMMA, NAN, 1 },
	{ C_GAMMA, 1, NAN },
	{ C_GAMMA, INFINITY, 1 },
	{ C_GAMMA, 1, 1e-200 },
	/* uniform: max >= min, both finite. */
	{ C_UNIFORM, 2, 1 },
	{ C_UNIFORM, NAN, 1 },
	{ C_UNIFORM, 0, NAN },
	{ C_UNIFORM, -INFINITY, 0 },
	{ C_UNIFORM, 0, INFINITY },
	/* normal: sd >= 0; with sd == 0 the mean must be >= 0 (otherwise
	 * nothing is left after truncation), and alpha = -mean / sd must
	 * stay far from overflowing when GSL squares it. */
	{ C_NORMAL, 0, -1 },
	{ C_NORMAL, NAN, 1 },
	{ C_NORMAL, 0, NAN },
	{ C_NORMAL, INFINITY, 1 },
	{ C_NORMAL, 0, INFINITY },
	{ C_NORMAL, -1, 0 },
	{ C_NORMAL, -1, 1e-160 },
	/* pareto: shape > 0 and scale > 0. */
	{ C_PARETO, 0, 1 },
	{ C_PARETO, -1, 1 },
	{ C_PARETO, 1, 0 },
	{ C_PARETO, 1, -1 },
	{ C_PARETO, NAN, 1 },
	{ C_PARETO, 1, NAN },
	{ C_PARETO, INFINITY, 1 },
};

/* Boundary values that must pass: the constructors guard relations and
 * existence, not plausibility (the schema checks signs and ranges). */
static const struct ctor_row good_rows[] = {
	/* A negative constant is the schema's business, not ours. */
	{ C_CONSTANT, 0, 0 },
	{ C_CONSTANT, -1, 0 },
	{ C_EXPONENTIAL, 1e-9, 0 },
	/* sigma 0 is the constant e^mu. */
	{ C_LOGNORMAL, 0, 0 },
	{ C_LOGNORMAL, -3, 2 },
	{ C_LOGNORMAL_MP, 1, 1.0000001 },
	{ C_LOGNORMAL_MP, 1e-3, 1e3 },
	{ C_GAMMA, 1, 1e-3 },
	{ C_GAMMA, 1, 10 },
	/* max == min is a point mass. */
	{ C_UNIFORM, 1, 1 },
	{ C_UNIFORM, -5, 5 },
	/* sd 0 with mean >= 0 is a point mass; a very negative mean only
	 * leaves a thin tail above 0. */
	{ C_NORMAL, 0, 0 },
	{ C_NORMAL, 5, 0 },
	{ C_NORMAL, -3, 1 },
	{ C_NORMAL, -1e4, 1 },
	/* Shapes below 1 have no mean but are valid distributions. */
	{ C_PARETO, 0.5, 1 },
	{ C_PARETO, 10, 1e-3 },
};

START_TEST(validate_rejects)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(bad_rows); i++) {
		const struct ctor_row *row = &bad_rows[i];
		struct sim_dist d, before;

		memset(&d, 0xa5, sizeof(d));
		memcpy(&before, &d, sizeof(d));
		if (construct(row, &d) != -1)
			fail_add(&f, "ctor %d (%g, %g) accepted", (int)row->ctor,
				 row->a, row->b);
		else if (memcmp(&d, &before, sizeof(d)) != 0)
			fail_add(&f, "ctor %d (%g, %g) wrote *d on failure",
				 (int)row->ctor, row->a, row->b);
	}
	FAILS_CHECK(f);
}
END_TEST

START_TEST(validate_accepts)
{
	struct fails f = { 0 };
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int i, k;

	for (i = 0; i < N_ROWS(good_rows); i++) {
		const struct ctor_row *row = &good_rows[i];
		struct sim_dist d;

		memset(&d, 0xa5, sizeof(d));
		if (construct(row, &d) != 0) {
			fail_add(&f, "ctor %d (%g, %g) refused", (int)row->ctor,
				 row->a, row->b);
			continue;
		}
		if (d.values || d.n_values)
			fail_add(&f, "ctor %d (%g, %g) left values set",
				 (int)row->ctor, row->a, row->b);
		/* Whatever is accepted can be sampled: finite values, and a
		 * truncated normal is never negative. */
		for (k = 0; k < 1000; k++) {
			double x = sim_dist_sample(&d, r);

			if (!isfinite(x) || (row->ctor == C_NORMAL && x < 0)) {
				fail_add(&f, "ctor %d (%g, %g) sampled %g",
					 (int)row->ctor, row->a, row->b, x);
				break;
			}
		}
		if (isnan(sim_dist_mean(&d)) || isnan(sim_dist_variance(&d)))
			fail_add(&f, "ctor %d (%g, %g): NaN moments", (int)row->ctor,
				 row->a, row->b);
	}
	gsl_rng_free(r);
	FAILS_CHECK(f);
}
END_TEST

START_TEST(validate_parameters_stored)
{
	struct sim_dist d;

	/* The header's table: which parameter goes in a and which in b.
	 * dist.h documents that layout, so it is part of the interface. */
	ck_assert_int_eq(sim_dist_gamma(&d, 2, 0.5), 0);
	ck_assert(d.kind == SIM_DIST_GAMMA && d.a == 2 && d.b == 0.5);
	ck_assert_int_eq(sim_dist_uniform(&d, -1, 4), 0);
	ck_assert(d.kind == SIM_DIST_UNIFORM && d.a == -1 && d.b == 4);
	ck_assert_int_eq(sim_dist_pareto(&d, 2.5, 0.1), 0);
	ck_assert(d.kind == SIM_DIST_PARETO && d.a == 2.5 && d.b == 0.1);
	ck_assert_int_eq(sim_dist_normal(&d, 1, 0.2), 0);
	ck_assert(d.kind == SIM_DIST_NORMAL && d.a == 1 && d.b == 0.2);
	ck_assert_int_eq(sim_dist_exponential(&d, 3), 0);
	ck_assert(d.kind == SIM_DIST_EXPONENTIAL && d.a == 3 && d.b == 0);
	ck_assert_int_eq(sim_dist_constant(&d, 7), 0);
	ck_assert(d.kind == SIM_DIST_CONSTANT && d.a == 7 && d.b == 0);
}
END_TEST

START_TEST(validate_empirical)
{
	double bad_nan[] = { 1, NAN, 3 };
	double bad_inf[] = { 1, INFINITY };
	struct sim_dist d, before;
	double *one = malloc(sizeof(*one));

	memset(&d, 0xa5, sizeof(d));
	memcpy(&before, &d, sizeof(d));
	ck_assert_int_eq(sim_dist_empirical(&d, NULL, 3), -1);
	ck_assert_int_eq(sim_dist_empirical(&d, bad_nan, 0), -1);
	ck_assert_int_eq(sim_dist_empirical(&d, bad_nan, 3), -1);
	ck_assert_int_eq(sim_dist_empirical(&d, bad_inf, 2), -1);
	ck_assert(memcmp(&d, &before, sizeof(d)) == 0);

	/* n == 1 is fine: every sample is that value. The failures above
	 * took nothing, so stack arrays were safe to pass. */
	ck_assert_ptr_nonnull(one);
	*one = 4.5;
	ck_assert_int_eq(sim_dist_empirical(&d, one, 1), 0);
	ck_assert_ptr_eq(d.values, one);
	ck_assert(sim_dist_mean(&d) == 4.5 && sim_dist_variance(&d) == 0);
	sim_dist_finish(&d);
}
END_TEST

/* ---- dist:misc ---------------------------------------------------------- */

/* Ownership of empirical values: copy duplicates them, finish frees them
 * and leaves the struct safe to finish again. */
START_TEST(misc_copy_finish)
{
	struct sim_dist d, copy, plain, plain_copy;
	double *v = malloc(3 * sizeof(*v));
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int i;

	ck_assert_ptr_nonnull(v);
	v[0] = 1;
	v[1] = 2;
	v[2] = 3;
	ck_assert_int_eq(sim_dist_empirical(&d, v, 3), 0);
	ck_assert_int_eq(sim_dist_copy(&copy, &d), 0);
	ck_assert_ptr_ne(copy.values, d.values);
	ck_assert_uint_eq(copy.n_values, 3);
	/* The copy outlives the original: a shallow copy would be a
	 * use-after-free here, which ASan reports. */
	sim_dist_finish(&d);
	ck_assert_ptr_null(d.values);
	ck_assert_uint_eq(d.n_values, 0);
	sim_dist_finish(&d); /* twice is harmless */
	for (i = 0; i < 100; i++) {
		double x = sim_dist_sample(&copy, r);

		ck_assert(x == 1 || x == 2 || x == 3);
	}
	ck_assert(sim_dist_mean(&copy) == 2);
	sim_dist_finish(&copy);

	/* Non-empirical kinds own nothing; copy and finish are trivial. */
	ck_assert_int_eq(sim_dist_gamma(&plain, 2, 0.5), 0);
	ck_assert_int_eq(sim_dist_copy(&plain_copy, &plain), 0);
	ck_assert_ptr_null(plain_copy.values);
	ck_assert(plain_copy.kind == SIM_DIST_GAMMA && plain_copy.a == 2 &&
		  plain_copy.b == 0.5);
	sim_dist_finish(&plain);
	sim_dist_finish(&plain_copy);
	gsl_rng_free(r);
}
END_TEST

/* The names scenarios use, and a fallback for a corrupt kind. */
START_TEST(misc_names)
{
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_CONSTANT), "constant");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_EXPONENTIAL), "exponential");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_LOGNORMAL), "lognormal");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_GAMMA), "gamma");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_UNIFORM), "uniform");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_NORMAL), "normal");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_PARETO), "pareto");
	ck_assert_str_eq(sim_dist_kind_name(SIM_DIST_EMPIRICAL), "empirical");
	ck_assert_str_eq(sim_dist_kind_name((enum sim_dist_kind)42), "unknown");
}
END_TEST

/* The same seed gives the same samples, and durations convert once. */
START_TEST(misc_reproducible)
{
	struct sim_dist d;
	gsl_rng *r1 = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng *r2 = gsl_rng_alloc(gsl_rng_mt19937);
	int i, k;

	/* Two streams with one seed must agree draw for draw: sampling
	 * depends on the stream alone, with no hidden state in dist.c. */
	for (k = 0; k < N_ROWS(moment_cases); k++) {
		make_dist(&moment_cases[k], &d);
		gsl_rng_set(r1, 7);
		gsl_rng_set(r2, 7);
		for (i = 0; i < 1000; i++) {
			double x1 = sim_dist_sample(&d, r1);
			double x2 = sim_dist_sample(&d, r2);

			/* Not ck_assert: it logs a checkpoint per call. */
			if (x1 != x2)
				ck_abort_msg("%s differs at draw %d", moment_cases[k].name, i);
		}
		sim_dist_finish(&d);
	}
	/* sim_dist_sample_time: seconds to ns, negatives to 0. */
	ck_assert_int_eq(sim_dist_constant(&d, 0.25), 0);
	ck_assert_int_eq(sim_dist_sample_time(&d, r1), 250 * SIM_MS);
	ck_assert_int_eq(sim_dist_constant(&d, -1), 0);
	ck_assert_int_eq(sim_dist_sample_time(&d, r1), 0);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}
END_TEST

/* ---- runner ------------------------------------------------------------ */

/* One runner for all suites; the exit status is what the build checks. */
int main(void)
{
	Suite *moments = suite_create("dist:moments");
	Suite *lognormal = suite_create("dist:lognormal");
	Suite *validate = suite_create("dist:validate");
	Suite *misc = suite_create("dist:misc");
	TCase *tc;
	SRunner *sr;
	int failed;

	/* 10^6 samples per case: quick at -O2, but give sanitizers room. */
	tc = tcase_create("moments");
	tcase_add_test(tc, moments_sampled);
	tcase_add_test(tc, moments_normal_exact);
	tcase_add_test(tc, moments_exact_edges);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(moments, tc);

	tc = tcase_create("quantiles");
	tcase_add_test(tc, lognormal_quantiles);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(lognormal, tc);

	tc = tcase_create("constructors");
	tcase_add_test(tc, validate_rejects);
	tcase_add_test(tc, validate_accepts);
	tcase_add_test(tc, validate_parameters_stored);
	tcase_add_test(tc, validate_empirical);
	suite_add_tcase(validate, tc);

	tc = tcase_create("misc");
	tcase_add_test(tc, misc_copy_finish);
	tcase_add_test(tc, misc_names);
	tcase_add_test(tc, misc_reproducible);
	suite_add_tcase(misc, tc);

	sr = srunner_create(moments);
	srunner_add_suite(sr, lognormal);
	srunner_add_suite(sr, validate);
	srunner_add_suite(sr, misc);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
