/* stats.c - running statistics: Welford moments, time-weighted averages,
 * log-bucket histograms and Student-t confidence intervals (see stats.h).
 *
 * Everything here is deterministic: no clocks, no randomness, and the only
 * floating-point library calls are sqrt() and the GSL t quantile, which are
 * off the per-event hot path.
 */
#include "sim/stats.h"

#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "sim/alloc.h"

/* ------------------------------------------------------------------------ */
/* Welford                                                                   */

/* All-zero is the empty state, matching zero-initialised storage. */
void sim_welford_reset(struct sim_welford *w)
{
	memset(w, 0, sizeof(*w));
}

/* One Welford step: update the mean by d/n and m2 by d times the new
 * deviation, which avoids the cancellation of sum(x^2) - n*mean^2. */
void sim_welford_add(struct sim_welford *w, double x)
{
	double d;

	w->n++;
	/* The first value sets min and max, so an empty 0 never leaks in. */
	if (w->n == 1) {
		w->min = x;
		w->max = x;
	} else {
		if (x < w->min)
			w->min = x;
		if (x > w->max)
			w->max = x;
	}
	/* d and (x - new mean) share a sign, so m2 never goes negative. */
	d = x - w->mean;
	w->mean += d / (double)w->n;
	w->m2 += d * (x - w->mean);
}

/* Pools b into a; exact for n, min and max, and for mean and m2 up to
 * rounding (Chan et al. 1979). */
void sim_welford_merge(struct sim_welford *a, const struct sim_welford *b)
{
	double na, nb, n, d;

	/* An empty side would bring its 0 min/max in: copy or skip. */
	if (b->n == 0)
		return;
	if (a->n == 0) {
		*a = *b;
		return;
	}
	/* Chan, Golub & LeVeque: combine the two means and m2 terms with a
	 * correction for the distance between the means. Locals first, so
	 * that a == b (pooling with itself) works. */
	na = (double)a->n;
	nb = (double)b->n;
	n = na + nb;
	d = b->mean - a->mean;
	a->mean += d * (nb / n);
	a->m2 += b->m2 + d * d * (na * nb / n);
	if (b->min < a->min)
		a->min = b->min;
	if (b->max > a->max)
		a->max = b->max;
	a->n += b->n;
}

double sim_welford_variance(const struct sim_welford *w)
{
	if (w->n < 2)
		return 0.0;
	return w->m2 / (double)(w->n - 1);
}

/* ------------------------------------------------------------------------ */
/* Time-weighted average                                                     */

/* Area is kept in level*ns as a double: a day at level 1000 is ~1e17,
 * far beyond int64-exact products but well within double's relative
 * precision, and it never overflows. */
void sim_twa_init(struct sim_twa *a, sim_time_t t0, double v0)
{
	a->start = t0;
	a->last = t0;
	a->value = v0;
	a->area = 0.0;
	a->max = v0;
}

void sim_twa_set(struct sim_twa *a, sim_time_t now, double v)
{
	assert(now >= a->last);
	/* Close the segment [last, now) at the old level, then switch. */
	a->area += a->value * (double)(now - a->last);
	a->last = now;
	a->value = v;
	if (v > a->max)
		a->max = v;
}

void sim_twa_add(struct sim_twa *a, sim_time_t now, double delta)
{
	sim_twa_set(a, now, a->value + delta);
}

double sim_twa_mean(const struct sim_twa *a, sim_time_t now)
{
	double area;

	assert(now >= a->last);
	if (now <= a->start)
		return a->value;
	/* The open segment [last, now) counts at the current level. */
	area = a->area + a->value * (double)(now - a->last);
	return area / (double)(now - a->start);
}

/* Warm-up deletion: the window restarts at now with the level (and so
 * the max) it has then; the current level is not reset to 0. */
void sim_twa_restart(struct sim_twa *a, sim_time_t now)
{
	sim_twa_init(a, now, a->value);
}

/* ------------------------------------------------------------------------ */
/* Histogram                                                                 */

/*
 * A positive double is sign(1) | exponent(11) | mantissa(52). Shifting its
 * bits right by 46 keeps the biased exponent and the top 6 mantissa bits:
 * a key that grows monotonically with the value, with 64 keys per octave,
 * each covering [m*2^e, (m+1/64)*2^e). The bucket index is that key minus
 * the key of 2^-40, so a lookup is a memcpy, a shift and a subtraction.
 */
#define HIST_SHIFT SIM_HIST__SHIFT
#define HIST_SUB_BITS 6
#define HIST_EXP_LO (-40)
#define HIST_EXP_HI 40
#define HIST_KEY_LO SIM_HIST__KEY_LO
#define HIST_TOP (SIM_HIST_BUCKETS - 1)

_Static_assert(SIM_HIST_BUCKETS ==
		       (HIST_EXP_HI - HIST_EXP_LO) << HIST_SUB_BITS,
	       "SIM_HIST_BUCKETS must cover 2^-40 .. 2^40 at 64 per octave");
_Static_assert(sizeof(double) == sizeof(uint64_t), "IEEE-754 binary64 double");

_Static_assert(HIST_KEY_LO == (uint64_t)(1023 + HIST_EXP_LO) << HIST_SUB_BITS,
	       "the header's key of 2^-40");

/* Lower edge of bucket i (exact: it is a double with zero low bits). */
static double hist_edge(uint64_t i)
{
	uint64_t bits = (i + HIST_KEY_LO) << HIST_SHIFT;
	double x;

	memcpy(&x, &bits, sizeof(x));
	return x;
}

/* The pages are the only allocations in this module. */
int sim_hist_init(struct sim_hist *h)
{
	*h = (struct sim_hist){ 0 };
	return 0;
}

/* Frees the pages; a second finish is harmless. */
void sim_hist_finish(struct sim_hist *h)
{
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		free(h->pages[p]);
	*h = (struct sim_hist){ 0 };
}

void sim_hist_reset(struct sim_hist *h)
{
	for (size_t p = 0; p < SIM_HIST_PAGES; p++)
		if (h->pages[p])
			memset(h->pages[p], 0, SIM_HIST_PAGE * sizeof(**h->pages));
	h->zeros = 0;
	h->n = 0;
	h->min = 0.0;
	h->max = 0.0;
}

uint64_t sim_hist_bucket(const struct sim_hist *h, size_t i)
{
	const uint64_t *page = h->pages[i / SIM_HIST_PAGE];
	return page ? page[i % SIM_HIST_PAGE] : 0;
}

/* Makes page p (out of line: once per octave, and kept off the add's
 * path so that the add stays small enough to inline). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static uint64_t *hist_new_page(struct sim_hist *h, size_t p)
{
	return h->pages[p] = sim_xcalloc(SIM_HIST_PAGE, sizeof(**h->pages));
}

uint64_t *sim_hist__page(struct sim_hist *h, size_t p)
{
	return hist_new_page(h, p);
}

/* The counter of bucket i, its page made when missing. */
static uint64_t *hist_counter(struct sim_hist *h, uint64_t i)
{
	uint64_t *page = h->pages[i / SIM_HIST_PAGE];
	if (!page)
		page = hist_new_page(h, i / SIM_HIST_PAGE);
	return &page[i % SIM_HIST_PAGE];
}

void sim_hist_add(struct sim_hist *h, double x)
{
	sim_hist_add_n(h, x, 1);
}

/* Bucket-wise sum: the merge of two histograms is bit-for-bit the
 * histogram of the union, so per-replication histograms pool exactly. */
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src)
{
	size_t i;

	if (src->n == 0)
		return;
	if (dst->n == 0) {
		dst->min = src->min;
		dst->max = src->max;
	} else {
		if (src->min < dst->min)
			dst->min = src->min;
		if (src->max > dst->max)
			dst->max = src->max;
	}
	for (i = 0; i < SIM_HIST_BUCKETS; i += SIM_HIST_PAGE) {
		const uint64_t *page = src->pages[i / SIM_HIST_PAGE];
		for (size_t k = 0; page && k < SIM_HIST_PAGE; k++)
			if (page[k])
				*hist_counter(dst, i + k) += page[k];
	}
	dst->zeros += src->zeros;
	dst->n += src->n;
}

/* Clamps the estimate v to the observed range, so that a quantile never
 * leaves [min, max] (and a one-value histogram answers exactly). */
static double hist_clamp(const struct sim_hist *h, double v)
{
	if (v < h->min)
		return h->min;
	if (v > h->max)
		return h->max;
	return v;
}

/* Walks the counts in value order (zeros first, then the buckets) to the
 * one that holds rank k. A linear scan of 5120 counters: fine for
 * reporting, which is not on the hot path. */
uint64_t sim_quantile_rank(double q, uint64_t n)
{
	/* q*n in floating point can land just above a whole number
	 * (0.07 * 100 = 7.000000000000001): forgive a relative 1e-9 so that
	 * such products round to the rank a person would compute. */
	double r = q * (double)n;
	r = ceil(r - 1e-9 * r);
	if (!(r >= 1.0))
		return n ? 1 : 0;
	if (r >= (double)n)
		return n;
	return (uint64_t)r;
}

double sim_hist_quantile(const struct sim_hist *h, double q)
{
	uint64_t k, seen;
	size_t i;

	if (h->n == 0)
		return NAN;
	k = sim_quantile_rank(q, h->n);
	/* The extremes are known exactly. */
	if (k == h->n)
		return h->max;
	if (k == 1)
		return h->min;

	/* Rank among the zeros: report 0 (a value below 2^-40 may hide
	 * there, so clamp to min as everywhere else). */
	if (k <= h->zeros)
		return hist_clamp(h, 0.0);
	seen = h->zeros;
	for (i = 0; i < SIM_HIST_BUCKETS; i++) {
		seen += sim_hist_bucket(h, i);
		if (seen >= k)
			break;
	}
	/* Counts add up to n, so the walk always stops on a bucket. */
	assert(i < SIM_HIST_BUCKETS);
	return hist_clamp(h, 0.5 * (hist_edge(i) + hist_edge(i + 1)));
}

/* ------------------------------------------------------------------------ */
/* Confidence interval                                                       */

/* mean -/+ t(0.975, n-1) * s / sqrt(n), s the sample standard deviation.
 * n == 0 has no mean either, so everything is NAN (values may be NULL). */
void sim_ci_t95(const double *values, size_t n, struct sim_ci *out)
{
	double sum = 0.0, ss = 0.0, mean, s, t, half;
	size_t i;

	out->n = n;
	out->low = NAN;
	out->high = NAN;
	if (n == 0) {
		out->mean = NAN;
		return;
	}
	/* Two passes: n is a replication count, so exactness beats speed. */
	for (i = 0; i < n; i++)
		sum += values[i];
	mean = sum / (double)n;
	out->mean = mean;
	if (n < 2)
		return;
	for (i = 0; i < n; i++)
		ss += (values[i] - mean) * (values[i] - mean);
	s = sqrt(ss / (double)(n - 1));
	t = gsl_cdf_tdist_Pinv(0.975, (double)(n - 1));
	half = t * s / sqrt((double)n);
	out->low = mean - half;
	out->high = mean + half;
}
