/* test_stats.c - Check tests for sim/stats.c.
 *
 * Every expected value is computed here independently of the code under
 * test: two-pass moments, sorted copies for quantiles, frexp() for bucket
 * edges, hand-worked areas. Random inputs come from gsl_rng_mt19937 with
 * fixed seeds, so a run is reproducible.
 */
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <check.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "sim/stats.h"

/* Relative closeness; exact when expected is 0. */
static bool close_rel(double got, double want, double rel)
{
	return fabs(got - want) <= rel * fabs(want);
}

static gsl_rng *rng_seeded(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);

	ck_assert_ptr_nonnull(r);
	gsl_rng_set(r, seed);
	return r;
}

static double *xmalloc_doubles(size_t n)
{
	double *p = malloc(n * sizeof(*p));

	ck_assert_ptr_nonnull(p);
	return p;
}

/* ------------------------------------------------------------------------ */
/* stats:welford                                                             */

#define W_N 10000

/* Data with a large offset, where the naive sum-of-squares loses digits. */
static void fill_offset_normal(double *x, size_t n, unsigned long seed)
{
	gsl_rng *r = rng_seeded(seed);
	size_t i;

	for (i = 0; i < n; i++)
		x[i] = 1e6 + gsl_ran_gaussian(r, 3.0);
	gsl_rng_free(r);
}

/* Streaming moments agree with the textbook two-pass computation. */
START_TEST(welford_matches_two_pass)
{
	double *x = xmalloc_doubles(W_N);
	double sum = 0.0, ss = 0.0, mean, var, lo, hi;
	struct sim_welford w;
	size_t i;

	fill_offset_normal(x, W_N, 42);
	sim_welford_reset(&w);
	for (i = 0; i < W_N; i++)
		sim_welford_add(&w, x[i]);

	/* Reference: two passes, min and max by scan. */
	lo = hi = x[0];
	for (i = 0; i < W_N; i++) {
		sum += x[i];
		lo = x[i] < lo ? x[i] : lo;
		hi = x[i] > hi ? x[i] : hi;
	}
	mean = sum / W_N;
	for (i = 0; i < W_N; i++)
		ss += (x[i] - mean) * (x[i] - mean);
	var = ss / (W_N - 1);

	/* Not bit-equal: the two orders round differently. 1e-9 on the
	 * variance still catches any formula slip (those are O(1) off). */
	ck_assert_uint_eq(w.n, W_N);
	ck_assert(close_rel(w.mean, mean, 1e-12));
	ck_assert(close_rel(sim_welford_variance(&w), var, 1e-9));
	ck_assert(w.min == lo);
	ck_assert(w.max == hi);
	free(x);
}
END_TEST

/* Exact small cases worked by hand, plus the empty and one-value states. */
START_TEST(welford_small_cases)
{
	struct sim_welford w;

	/* Zeroed storage is a valid empty accumulator. */
	memset(&w, 0, sizeof(w));
	ck_assert(sim_welford_variance(&w) == 0.0);
	sim_welford_add(&w, -4.0);
	ck_assert(w.mean == -4.0 && w.min == -4.0 && w.max == -4.0);
	ck_assert(sim_welford_variance(&w) == 0.0);
	/* {-4, 2, 8}: mean 2, squared deviations 36+0+36, variance 36. */
	sim_welford_add(&w, 2.0);
	sim_welford_add(&w, 8.0);
	ck_assert(w.mean == 2.0);
	ck_assert(sim_welford_variance(&w) == 36.0);
	ck_assert(w.min == -4.0 && w.max == 8.0);
	sim_welford_reset(&w);
	ck_assert_uint_eq(w.n, 0);
	ck_assert(w.mean == 0.0 && w.m2 == 0.0 && w.min == 0.0 && w.max == 0.0);
}
END_TEST

/* Splitting a stream and pooling the parts gives the whole stream. */
START_TEST(welford_merge_halves)
{
	double *x = xmalloc_doubles(W_N);
	struct sim_welford whole = { 0 }, a = { 0 }, b = { 0 }, e = { 0 }, c;
	size_t i, cut = 3333; /* unequal halves exercise the weights */

	fill_offset_normal(x, W_N, 7);
	for (i = 0; i < W_N; i++) {
		sim_welford_add(&whole, x[i]);
		sim_welford_add(i < cut ? &a : &b, x[i]);
	}
	sim_welford_merge(&a, &b);
	ck_assert_uint_eq(a.n, whole.n);
	ck_assert(a.min == whole.min);
	ck_assert(a.max == whole.max);
	ck_assert(close_rel(a.mean, whole.mean, 1e-12));
	ck_assert(close_rel(sim_welford_variance(&a),
			    sim_welford_variance(&whole), 1e-9));

	/* Merging an empty accumulator, either way round, changes nothing. */
	c = whole;
	sim_welford_merge(&c, &e);
	ck_assert(memcmp(&c, &whole, sizeof(c)) == 0);
	sim_welford_merge(&e, &whole);
	ck_assert(memcmp(&e, &whole, sizeof(e)) == 0);

	/* Pooling with itself doubles n, keeps mean, and for the population
	 * second moment m2 exactly doubles. */
	c = whole;
	sim_welford_merge(&c, &c);
	ck_assert_uint_eq(c.n, 2 * whole.n);
	ck_assert(c.mean == whole.mean);
	ck_assert(close_rel(c.m2, 2.0 * whole.m2, 1e-15));
	free(x);
}
END_TEST

/* Suites are named "stats:<tool>" so CK_RUN_SUITE can pick one. */
static Suite *welford_suite(void)
{
	Suite *s = suite_create("stats:welford");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, welford_matches_two_pass);
	tcase_add_test(tc, welford_small_cases);
	tcase_add_test(tc, welford_merge_halves);
	suite_add_tcase(s, tc);
	return s;
}

/* ------------------------------------------------------------------------ */
/* stats:twa                                                                 */

/* A hand-integrated step function; all values are exact in binary. */
START_TEST(twa_piecewise)
{
	struct sim_twa a;

	/* Level 2 on [0,10s), 5 on [10s,30s), 4 on [30s,40s):
	 * area = 20 + 100 + 40 = 160 level*s over 40 s, mean 4. */
	sim_twa_init(&a, 0, 2.0);
	ck_assert(sim_twa_mean(&a, 0) == 2.0);
	sim_twa_set(&a, 10 * SIM_S, 5.0);
	ck_assert(sim_twa_mean(&a, 10 * SIM_S) == 2.0);
	sim_twa_add(&a, 30 * SIM_S, -1.0);
	ck_assert(a.value == 4.0);
	ck_assert(a.area == 120.0 * SIM_S);
	ck_assert(sim_twa_mean(&a, 40 * SIM_S) == 4.0);
	ck_assert(a.max == 5.0);
	/* The open segment counts up to now: at 35 s, (120 + 20) / 35 = 4. */
	ck_assert(sim_twa_mean(&a, 35 * SIM_S) == 4.0);
	/* Two changes at the same instant: the first leaves no area. */
	sim_twa_set(&a, 40 * SIM_S, 100.0);
	sim_twa_set(&a, 40 * SIM_S, 0.0);
	ck_assert(a.area == 160.0 * SIM_S);
	ck_assert(a.max == 100.0);
	/* 160 over 80 s with the level at 0 for the last 40 s. */
	ck_assert(sim_twa_mean(&a, 80 * SIM_S) == 2.0);
}
END_TEST

START_TEST(twa_nonzero_start_and_long_run)
{
	struct sim_twa a;

	/* The window starts at t0, not at 0: 1 on [5ns,7ns), 3 on [7ns,9ns). */
	sim_twa_init(&a, 5, 1.0);
	sim_twa_set(&a, 7, 3.0);
	ck_assert(sim_twa_mean(&a, 9) == 2.0);
	/* A level of 1 for 30 days averages exactly 1. */
	sim_twa_init(&a, SIM_HOUR, 1.0);
	sim_twa_set(&a, 15 * SIM_DAY, 1.0);
	ck_assert(sim_twa_mean(&a, 30 * SIM_DAY + SIM_HOUR) == 1.0);
}
END_TEST

/* Warm-up deletion keeps the level but drops area and max. */
START_TEST(twa_restart)
{
	struct sim_twa a;

	sim_twa_init(&a, 0, 10.0);
	sim_twa_set(&a, 20 * SIM_S, 4.0);
	/* Warm-up ends at 30 s: history (and the old max 10) is forgotten,
	 * the level 4 carries over. */
	sim_twa_restart(&a, 30 * SIM_S);
	ck_assert(a.start == 30 * SIM_S);
	ck_assert(a.last == 30 * SIM_S);
	ck_assert(a.value == 4.0);
	ck_assert(a.area == 0.0);
	ck_assert(a.max == 4.0);
	ck_assert(sim_twa_mean(&a, 30 * SIM_S) == 4.0);
	ck_assert(sim_twa_mean(&a, 50 * SIM_S) == 4.0);
	/* 4 on [30,50), 1 on [50,60): (80 + 10) / 30 = 3. */
	sim_twa_set(&a, 50 * SIM_S, 1.0);
	ck_assert(sim_twa_mean(&a, 60 * SIM_S) == 3.0);
	ck_assert(a.max == 4.0);
}
END_TEST

static Suite *twa_suite(void)
{
	Suite *s = suite_create("stats:twa");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, twa_piecewise);
	tcase_add_test(tc, twa_nonzero_start_and_long_run);
	tcase_add_test(tc, twa_restart);
	suite_add_tcase(s, tc);
	return s;
}

/* ------------------------------------------------------------------------ */
/* stats:hist                                                                */

#define H_N 100000

static const double quantiles[] = {
	0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1,
};
#define N_QUANTILES (sizeof(quantiles) / sizeof(quantiles[0]))

enum sample_kind {
	SAMPLE_EXPONENTIAL,
	SAMPLE_LOGNORMAL_HEAVY,
	SAMPLE_UNIFORM,
	SAMPLE_MANY_ZEROS,
	SAMPLE_WIDE_RANGE,
	SAMPLE_KINDS,
};

static const char *const sample_names[] = {
	"exponential", "lognormal", "uniform", "many zeros", "1e-9..1e6",
};

/* One draw of the given kind; shapes chosen to stress the histogram:
 * long tails, a narrow range, point masses at zero, many decades. */
static double draw(gsl_rng *r, enum sample_kind kind)
{
	switch (kind) {
	case SAMPLE_EXPONENTIAL:
		return gsl_ran_exponential(r, 0.25);
	case SAMPLE_LOGNORMAL_HEAVY:
		/* sigma 2.5: p99.9 is ~2000x the median. */
		return gsl_ran_lognormal(r, -3.0, 2.5);
	case SAMPLE_UNIFORM:
		return gsl_ran_flat(r, 100.0, 200.0);
	case SAMPLE_MANY_ZEROS:
		/* 40% exact zeros (e.g. no queueing), then a service time. */
		if (gsl_rng_uniform(r) < 0.4)
			return 0.0;
		return gsl_ran_exponential(r, 0.01);
	case SAMPLE_WIDE_RANGE:
		/* Log-uniform over fifteen decades. */
		return exp(gsl_ran_flat(r, log(1e-9), log(1e6)));
	default:
		return NAN;
	}
}

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return (a > b) - (a < b);
}

/* Nearest-rank quantile of a sorted array: element ceil(q*n), at least 1
 * (the rank itself is checked by hist_rank_by_hand). */
static double exact_quantile(const double *sorted, size_t n, double q)
{
	return sorted[sim_quantile_rank(q, n) - 1];
}

/* Ranks a person would compute, including products that floating point
 * puts just above a whole number. */
START_TEST(hist_rank_by_hand)
{
	ck_assert_uint_eq(sim_quantile_rank(0.07, 100), 7);
	ck_assert_uint_eq(sim_quantile_rank(0.29, 100), 29);
	ck_assert_uint_eq(sim_quantile_rank(0.5, 3), 2);
	ck_assert_uint_eq(sim_quantile_rank(0.5, 4), 2);
	ck_assert_uint_eq(sim_quantile_rank(0.51, 4), 3);
	ck_assert_uint_eq(sim_quantile_rank(0, 10), 1);
	ck_assert_uint_eq(sim_quantile_rank(1, 10), 10);
	ck_assert_uint_eq(sim_quantile_rank(0.999, 1000000), 999000);
}
END_TEST

/* The headline promise: every reported quantile is within 1% of the
 * exact nearest-rank quantile, for each sample kind (_i is the kind). */
START_TEST(hist_quantiles_within_1pct)
{
	enum sample_kind kind = (enum sample_kind)_i;
	double *x = xmalloc_doubles(H_N);
	gsl_rng *r = rng_seeded(1000 + (unsigned long)kind);
	struct sim_hist h;
	size_t i, j;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	for (i = 0; i < H_N; i++) {
		x[i] = draw(r, kind);
		sim_hist_add(&h, x[i]);
	}
	/* The reference: the sorted sample itself. */
	qsort(x, H_N, sizeof(*x), cmp_double);
	ck_assert_uint_eq(h.n, H_N);
	ck_assert(h.min == x[0]);
	ck_assert(h.max == x[H_N - 1]);
	/* close_rel() with want == 0 demands an exact 0 (many-zeros kind). */
	for (j = 0; j < N_QUANTILES; j++) {
		double want = exact_quantile(x, H_N, quantiles[j]);
		double got = sim_hist_quantile(&h, quantiles[j]);

		ck_assert_msg(close_rel(got, want, 0.01),
			      "%s q=%g: hist %.9g, exact %.9g",
			      sample_names[kind], quantiles[j], got, want);
	}
	sim_hist_finish(&h);
	gsl_rng_free(r);
	free(x);
}
END_TEST

/* The bucket of x, from frexp() rather than from the bits: x = f*2^E with
 * f in [0.5,1), so the bucket is [floor(128f)/128 * 2^E, +2^E/128). */
static double expected_midpoint(double x)
{
	int e;
	double f = frexp(x, &e);
	double lo = ldexp(floor(f * 128.0) / 128.0, e);

	return lo + ldexp(1.0 / 256.0, e);
}

/* The bit-twiddled bucket agrees with frexp() arithmetic everywhere in
 * the covered range, and at the edges between buckets and octaves. */
START_TEST(hist_bucket_edges)
{
	gsl_rng *r = rng_seeded(99);
	struct sim_hist h;
	int i;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	/* With a tiny min and a huge max around it, the median of three is
	 * the middle value's bucket midpoint, unclamped. */
	for (i = 0; i < 20000; i++) {
		double x = ldexp(1.0 + gsl_rng_uniform(r), -40 + (i % 80));
		double want = expected_midpoint(x);

		sim_hist_reset(&h);
		sim_hist_add(&h, 0.0);
		sim_hist_add(&h, x);
		sim_hist_add(&h, 1e300);
		ck_assert_msg(sim_hist_quantile(&h, 0.5) == want,
			      "x=%.17g: got %.17g want %.17g", x,
			      sim_hist_quantile(&h, 0.5), want);
		ck_assert(fabs(want - x) <= x / 128.0);
	}
	/* Edges of the range: 2^-40 has its own bucket, 1.0 sits at the
	 * bottom of [1, 1+1/64), and the value just below 1 in [63/64, 1). */
	sim_hist_reset(&h);
	sim_hist_add(&h, 0.0);
	sim_hist_add(&h, 0x1p-40);
	sim_hist_add(&h, 1.0);
	sim_hist_add(&h, nextafter(1.0, 0.0));
	sim_hist_add(&h, 1e300);
	ck_assert_uint_eq(h.zeros, 1);
	ck_assert(sim_hist_quantile(&h, 0.4) == 0x1p-40 * (1.0 + 1.0 / 128));
	ck_assert(sim_hist_quantile(&h, 0.6) == 1.0 - 1.0 / 256);
	ck_assert(sim_hist_quantile(&h, 0.8) == 1.0 + 1.0 / 128);
	sim_hist_finish(&h);
	gsl_rng_free(r);
}
END_TEST

/* Behaviour outside [2^-40, 2^40): documented, so pinned down here. */
START_TEST(hist_out_of_range)
{
	struct sim_hist h;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	/* Below 2^-40 counts as zero and is reported as 0 (clamped to min):
	 * exact to 2^-40 absolute, not 1% relative. */
	sim_hist_add(&h, 0x1p-41);
	ck_assert(sim_hist_quantile(&h, 1.0) == 0x1p-41);
	sim_hist_add(&h, 0x1p-1074); /* smallest subnormal */
	/* Rank n is the exact max, rank 1 the exact min. */
	ck_assert(sim_hist_quantile(&h, 1.0) == 0x1p-41);
	ck_assert(sim_hist_quantile(&h, 0.0) == 0x1p-1074);
	sim_hist_add(&h, -0.0);
	sim_hist_add(&h, 0.0);
	ck_assert_uint_eq(h.zeros, 4);
	ck_assert_uint_eq(h.n, 4);
	ck_assert(sim_hist_quantile(&h, 0.0) == 0.0);
	ck_assert(sim_hist_quantile(&h, 0.5) == 0.0);
	ck_assert(sim_hist_quantile(&h, 1.0) == 0x1p-41);
	ck_assert(h.max == 0x1p-41);

	/* 2^40 and above share the top bucket [2^40 - 2^33, 2^40), reported
	 * as its midpoint; the exact max is kept in the struct. */
	sim_hist_reset(&h);
	sim_hist_add(&h, 1.0);
	sim_hist_add(&h, 0x1p40);
	sim_hist_add(&h, 0x1p60);
	sim_hist_add(&h, INFINITY);
	ck_assert_uint_eq(sim_hist_bucket(&h, SIM_HIST_BUCKETS - 1), 3);
	ck_assert(h.max == INFINITY);
	ck_assert(sim_hist_quantile(&h, 0.5) == 0x1p40 - 0x1p32);
	ck_assert(sim_hist_quantile(&h, 0.75) == 0x1p40 - 0x1p32);
	ck_assert(sim_hist_quantile(&h, 1.0) == INFINITY);
	/* Just below 2^40 is the same top bucket; alone, the midpoint is
	 * clamped to the value. */
	sim_hist_reset(&h);
	sim_hist_add(&h, nextafter(0x1p40, 0.0));
	ck_assert_uint_eq(sim_hist_bucket(&h, SIM_HIST_BUCKETS - 1), 1);
	ck_assert(sim_hist_quantile(&h, 0.5) == nextafter(0x1p40, 0.0));
	sim_hist_add(&h, 0x1p40 - 0x1p33);
	sim_hist_add(&h, 0x1p40);
	ck_assert(sim_hist_quantile(&h, 0.5) == 0x1p40 - 0x1p32);
	sim_hist_finish(&h);
}
END_TEST

/* No data gives NAN; one value gives that value at every q. */
START_TEST(hist_empty_and_single)
{
	struct sim_hist h;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	ck_assert(isnan(sim_hist_quantile(&h, 0.0)));
	ck_assert(isnan(sim_hist_quantile(&h, 0.5)));
	ck_assert(isnan(sim_hist_quantile(&h, 1.0)));
	/* One value: the clamp to [min, max] makes every quantile exact. */
	sim_hist_add(&h, 0.123456789);
	ck_assert(sim_hist_quantile(&h, 0.0) == 0.123456789);
	ck_assert(sim_hist_quantile(&h, 0.5) == 0.123456789);
	ck_assert(sim_hist_quantile(&h, 1.0) == 0.123456789);
	/* Reset empties it again. */
	sim_hist_reset(&h);
	ck_assert_uint_eq(h.n, 0);
	ck_assert(isnan(sim_hist_quantile(&h, 0.5)));
	sim_hist_finish(&h);
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		ck_assert_ptr_null(h.pages[p]);
}
END_TEST

/* Storage comes an octave at a time: values in [1, 4) take two pages of
 * 64 counters; zeros take none; a merge adds only the source's pages. */
START_TEST(hist_pages_by_octave)
{
	struct sim_hist h, g;
	ck_assert_int_eq(sim_hist_init(&h), 0);
	ck_assert_int_eq(sim_hist_init(&g), 0);
	size_t pages = 0;
	sim_hist_add(&h, 0.0);
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		pages += h.pages[p] != NULL;
	ck_assert_uint_eq(pages, 0);
	sim_hist_add(&h, 1.0);
	sim_hist_add(&h, 1.5);
	sim_hist_add(&h, 3.0);
	sim_hist_add_n(&h, 3.9, 4);
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		pages += h.pages[p] != NULL;
	ck_assert_uint_eq(pages, 2);
	/* 1.0 is bucket 40 x 64 (2^0 is 40 octaves above 2^-40). */
	ck_assert_uint_eq(sim_hist_bucket(&h, 40 * 64), 1);
	ck_assert_uint_eq(sim_hist_bucket(&h, 41 * 64 + 60), 4); /* 3.9 = 2 x 1.95 */
	ck_assert_uint_eq(sim_hist_bucket(&h, 0), 0);
	sim_hist_add(&g, 1000.0);
	sim_hist_merge(&g, &h);
	pages = 0;
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		pages += g.pages[p] != NULL;
	ck_assert_uint_eq(pages, 3);
	ck_assert_uint_eq(g.n, 9);
	ck_assert(sim_hist_quantile(&g, 1.0) == 1000.0);
	sim_hist_finish(&h);
	sim_hist_finish(&g);
}
END_TEST

/* Nearest rank on a small set, checked by hand: {0,0,1,2,3,4,5,6,7,8}. */
START_TEST(hist_nearest_rank)
{
	static const double v[] = { 5, 0, 3, 8, 1, 0, 7, 2, 6, 4 };
	struct sim_hist h;
	size_t i;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	for (i = 0; i < 10; i++)
		sim_hist_add(&h, v[i]);
	ck_assert(sim_hist_quantile(&h, 0.0) == 0.0);  /* rank 1 */
	ck_assert(sim_hist_quantile(&h, 0.2) == 0.0);  /* rank 2 */
	/* rank 3 is 1.0, reported as the midpoint of [1, 1+1/64). */
	ck_assert(sim_hist_quantile(&h, 0.21) == 1.0 + 1.0 / 128);
	ck_assert(sim_hist_quantile(&h, 0.3) == 1.0 + 1.0 / 128);
	ck_assert(sim_hist_quantile(&h, 0.5) == 3.0 + 1.0 / 64); /* rank 5 */
	ck_assert(sim_hist_quantile(&h, 1.0) == 8.0); /* clamped to max */
	sim_hist_finish(&h);
}
END_TEST

/* Per-part histograms merged equal the histogram of all the data,
 * bucket for bucket, for every sample kind. */
START_TEST(hist_merge_equals_union)
{
	gsl_rng *r = rng_seeded(2024);
	struct sim_hist a, b, all, empty;
	size_t i, j;
	int kind;

	ck_assert_int_eq(sim_hist_init(&a), 0);
	ck_assert_int_eq(sim_hist_init(&b), 0);
	ck_assert_int_eq(sim_hist_init(&all), 0);
	ck_assert_int_eq(sim_hist_init(&empty), 0);
	/* The same three histograms are reused (reset) for every kind. */
	for (kind = 0; kind < SAMPLE_KINDS; kind++) {
		sim_hist_reset(&a);
		sim_hist_reset(&b);
		sim_hist_reset(&all);
		for (i = 0; i < 20000; i++) {
			double x = draw(r, (enum sample_kind)kind);

			/* Uneven split: b gets about one value in three. */
			sim_hist_add(gsl_rng_uniform(r) < 0.33 ? &b : &a, x);
			sim_hist_add(&all, x);
		}
		sim_hist_merge(&a, &b);
		/* Merging an empty histogram is a no-op. */
		sim_hist_merge(&a, &empty);
		ck_assert_uint_eq(a.n, all.n);
		ck_assert_uint_eq(a.zeros, all.zeros);
		ck_assert(a.min == all.min);
		ck_assert(a.max == all.max);
		for (j = 0; j < SIM_HIST_BUCKETS; j++)
			ck_assert_uint_eq(sim_hist_bucket(&a, j), sim_hist_bucket(&all, j));
		for (j = 0; j < N_QUANTILES; j++)
			ck_assert(sim_hist_quantile(&a, quantiles[j]) ==
				  sim_hist_quantile(&all, quantiles[j]));
	}
	/* Into an empty histogram: a copy. */
	sim_hist_merge(&empty, &all);
	ck_assert_uint_eq(empty.n, all.n);
	ck_assert(empty.min == all.min && empty.max == all.max);
	for (j = 0; j < SIM_HIST_BUCKETS; j++)
		ck_assert_uint_eq(sim_hist_bucket(&empty, j), sim_hist_bucket(&all, j));
	sim_hist_finish(&a);
	sim_hist_finish(&b);
	sim_hist_finish(&all);
	sim_hist_finish(&empty);
	gsl_rng_free(r);
}
END_TEST

#ifndef NDEBUG
/* A negative value is a caller bug: the assert must fire (SIGABRT). */
START_TEST(hist_negative_asserts)
{
	struct sim_hist h;

	ck_assert_int_eq(sim_hist_init(&h), 0);
	sim_hist_add(&h, -1.0); /* aborts: a caller bug */
	sim_hist_finish(&h);
}
END_TEST
#endif

/* can_fork: the death test needs Check's fork mode (not CK_FORK=no). */
static Suite *hist_suite(bool can_fork)
{
	Suite *s = suite_create("stats:hist");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, hist_rank_by_hand);
	tcase_add_loop_test(tc, hist_quantiles_within_1pct, 0, SAMPLE_KINDS);
	tcase_add_test(tc, hist_bucket_edges);
	tcase_add_test(tc, hist_out_of_range);
	tcase_add_test(tc, hist_empty_and_single);
	tcase_add_test(tc, hist_pages_by_octave);
	tcase_add_test(tc, hist_nearest_rank);
	tcase_add_test(tc, hist_merge_equals_union);
#ifndef NDEBUG
	if (can_fork)
		tcase_add_test_raise_signal(tc, hist_negative_asserts, SIGABRT);
#else
	(void)can_fork;
#endif
	suite_add_tcase(s, tc);
	return s;
}

/* ------------------------------------------------------------------------ */
/* stats:ci                                                                  */

START_TEST(ci_hand_computed)
{
	static const double v[] = { 1, 2, 3, 4, 5 };
	/* s = sqrt(10/4); t(0.975, 4) from tables. */
	const double half = 2.7764451051977987 * sqrt(2.5) / sqrt(5.0);
	struct sim_ci ci;
	double got;

	sim_ci_t95(v, 5, &ci);
	ck_assert_uint_eq(ci.n, 5);
	ck_assert(ci.mean == 3.0);
	ck_assert_double_eq_tol(ci.low, 3.0 - half, 1e-9);
	ck_assert_double_eq_tol(ci.high, 3.0 + half, 1e-9);
	/* Which is 3 -/+ 1.9632431614775610 (= t / sqrt(2)). Check's
	 * _tol macros do not parenthesise, so compare a plain variable. */
	got = ci.high - ci.mean;
	ck_assert_double_eq_tol(got, 1.9632431614775610, 1e-9);
}
END_TEST

/* n < 2 has no spread to estimate; equal values have zero spread. */
START_TEST(ci_degenerate)
{
	static const double one = 42.5;
	static const double same[] = { 7, 7, 7, 7 };
	struct sim_ci ci;

	sim_ci_t95(&one, 1, &ci);
	ck_assert_uint_eq(ci.n, 1);
	ck_assert(ci.mean == 42.5);
	ck_assert(isnan(ci.low) && isnan(ci.high));
	sim_ci_t95(NULL, 0, &ci);
	ck_assert_uint_eq(ci.n, 0);
	ck_assert(isnan(ci.mean) && isnan(ci.low) && isnan(ci.high));
	/* No spread: a zero-width interval. */
	sim_ci_t95(same, 4, &ci);
	ck_assert(ci.mean == 7.0 && ci.low == 7.0 && ci.high == 7.0);
}
END_TEST

/* The interval earns its name: it covers the true mean about 95% of
 * the time for small normal samples (where z would undercover). */
START_TEST(ci_coverage)
{
	const double mu = 10.0, sigma = 2.0;
	gsl_rng *r = rng_seeded(314159);
	double v[10];
	struct sim_ci ci;
	int trial, i, covered = 0;

	for (trial = 0; trial < 2000; trial++) {
		for (i = 0; i < 10; i++)
			v[i] = mu + gsl_ran_gaussian(r, sigma);
		/* Fresh draws per trial: the trials are independent. */
		sim_ci_t95(v, 10, &ci);
		if (ci.low <= mu && mu <= ci.high)
			covered++;
	}
	/* 95% nominal; binomial sd ~0.5%, so 93..97% is a 4-sd band. */
	ck_assert_msg(covered >= 1860 && covered <= 1940,
		      "covered %d of 2000", covered);
	gsl_rng_free(r);
}
END_TEST

static Suite *ci_suite(void)
{
	Suite *s = suite_create("stats:ci");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, ci_hand_computed);
	tcase_add_test(tc, ci_degenerate);
	tcase_add_test(tc, ci_coverage);
	suite_add_tcase(s, tc);
	return s;
}

/* One runner over all four suites; the exit status reports failure. */
int main(void)
{
	SRunner *sr = srunner_create(welford_suite());
	int failed;

	/* The fork mode is known once a runner exists: ask it before
	 * deciding whether the death test can be registered. */
	srunner_add_suite(sr, twa_suite());
	srunner_add_suite(sr, hist_suite(srunner_fork_status(sr) != CK_NOFORK));
	srunner_add_suite(sr, ci_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
