/* stats.h - running statistics for one replication and across replications.
 *
 * Part of the engine layer (sim/): knows nothing about AWS. Four tools:
 *  - sim_welford: streaming mean / variance / min / max (Welford 1962),
 *  - sim_twa:     time-weighted average of a level (queue length, busy servers),
 *  - sim_hist:    a mergeable log-bucket histogram for quantiles with a
 *                 relative error of at most 1% (bucket index read straight from
 *                 the bits of the double: no log() on the hot path),
 *  - sim_ci_t95:  Student-t 95% confidence interval across replications.
 * All structs live in caller storage; none allocates except sim_hist, whose
 * buckets are owned by the histogram (sim_hist_finish frees them).
 */
#ifndef SPILLWAY_SIM_STATS_H
#define SPILLWAY_SIM_STATS_H

#include <assert.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "sim/time.h"

/* Streaming mean and variance. Zero-initialised storage is a valid empty
 * accumulator (sim_welford_reset does the same). */
struct sim_welford {
	uint64_t n;  /* observations */
	double mean; /* running mean */
	double m2;   /* sum of squared deviations from the mean */
	double min;  /* smallest observation (0 when n == 0) */
	double max;  /* largest observation (0 when n == 0) */
};

void sim_welford_reset(struct sim_welford *w);
void sim_welford_add(struct sim_welford *w, double x);
/* Pools b into a (Chan et al. parallel formula). */
void sim_welford_merge(struct sim_welford *a, const struct sim_welford *b);
/* Unbiased sample variance; 0 when n < 2. */
double sim_welford_variance(const struct sim_welford *w);

/* Time-weighted average of a piecewise-constant level. */
struct sim_twa {
	sim_time_t start; /* start of the observation window */
	sim_time_t last;  /* time of the last change */
	double value;     /* current level */
	double area;      /* integral of the level over [start, last], in level*ns */
	double max;       /* largest level seen in the window */
};

/* Starts a window at t0 with level v0. */
void sim_twa_init(struct sim_twa *a, sim_time_t t0, double v0);
/* The level becomes v at time now (now >= last). */
void sim_twa_set(struct sim_twa *a, sim_time_t now, double v);
/* Adds delta to the level at time now. */
void sim_twa_add(struct sim_twa *a, sim_time_t now, double delta);
/* Mean level over [start, now]; the current level when now == start. */
double sim_twa_mean(const struct sim_twa *a, sim_time_t now);
/* Forgets the history before now, keeping the current level (warm-up deletion). */
void sim_twa_restart(struct sim_twa *a, sim_time_t now);

/* Log-bucket histogram of non-negative values. Zero is counted exactly; a
 * positive value falls in a bucket [m*2^e, (m+1/64)*2^e) and is reported as
 * the bucket midpoint, so any quantile is within 0.8% of an observation of
 * that rank. Values below 2^-40 (about 1e-12) count as zero; values above
 * 2^40 land in the top bucket (the exact max is kept separately). */
#define SIM_HIST_BUCKETS (80 * 64) /* 64 buckets per octave, 2^-40 .. 2^40 */
/* The buckets come one octave (a page of 64 counters, 512 bytes) at a
 * time, when a value first lands in it: a histogram of values spanning a
 * few octaves takes a few KB, not 40 (40,000 tenants' dwell histograms). */
#define SIM_HIST_PAGE 64
#define SIM_HIST_PAGES (SIM_HIST_BUCKETS / SIM_HIST_PAGE)

struct sim_hist {
	uint64_t *pages[SIM_HIST_PAGES]; /* each NULL or an owned page of
			      SIM_HIST_PAGE counters (in the struct, so a
			      count costs no more loads than a flat array) */
	uint64_t zeros;    /* observations equal to 0 (or below the range) */
	uint64_t n;        /* all observations */
	double min;        /* smallest observation */
	double max;        /* largest observation */
};

/* An empty histogram; allocates nothing (zeroed storage is one too).
 * Returns 0. Running out of memory later, in add or merge, goes to
 * sim_out_of_memory. */
int sim_hist_init(struct sim_hist *h);
void sim_hist_finish(struct sim_hist *h);
/* Empties the histogram, keeping its storage. */
void sim_hist_reset(struct sim_hist *h);
/* The count of bucket i (0 .. SIM_HIST_BUCKETS-1). */
uint64_t sim_hist_bucket(const struct sim_hist *h, size_t i);
/* Records x >= 0 (negative values are a caller bug and assert). */
void sim_hist_add(struct sim_hist *h, double x);

/* The bucket key of a double (see stats.c): its bits shifted right by
 * 46, less the key of 2^-40, the smallest bucketed value. */
#define SIM_HIST__SHIFT 46
#define SIM_HIST__KEY_LO ((uint64_t)(1023 - 40) << 6)
/* Makes page p of h (out of line: once per octave). */
uint64_t *sim_hist__page(struct sim_hist *h, size_t p);

/* Adds n observations equal to x. Hot path, once per observation, inline:
 * no log(), no division: a compare, a shift, a subtract and a clamp. */
static inline void sim_hist_add_n(struct sim_hist *h, double x, uint64_t n)
{
	uint64_t bits, i;

	/* Also rejects NaN. */
	assert(x >= 0.0);
	if (n == 0)
		return;
	/* Like sim_welford, min and max read 0 while the histogram is empty. */
	if (h->n == 0) {
		h->min = x;
		h->max = x;
	} else {
		if (x < h->min)
			h->min = x;
		if (x > h->max)
			h->max = x;
	}
	h->n += n;
	/* Zero, -0.0, subnormals and tiny values (below 2^-40): counted,
	 * not bucketed. */
	if (x < 0x1p-40) {
		h->zeros += n;
		return;
	}
	memcpy(&bits, &x, sizeof(bits));
	i = (bits >> SIM_HIST__SHIFT) - SIM_HIST__KEY_LO;
	/* 2^40 and above (including +inf) share the top bucket. */
	if (i > SIM_HIST_BUCKETS - 1)
		i = SIM_HIST_BUCKETS - 1;
	uint64_t *page = h->pages[i / SIM_HIST_PAGE];
	if (__builtin_expect(!page, 0))
		page = sim_hist__page(h, i / SIM_HIST_PAGE);
	page[i % SIM_HIST_PAGE] += n;
}
/* dst += src. */
void sim_hist_merge(struct sim_hist *dst, const struct sim_hist *src);
/* The nearest rank of quantile q among n sorted values: ceil(q*n) clamped
 * to [1, n], computed so that a product such as 0.07 * 100 gives 7. */
uint64_t sim_quantile_rank(double q, uint64_t n);

/* Nearest-rank quantile: the observation of rank ceil(q*n) (rank 1 for q=0),
 * approximated by its bucket midpoint clamped to [min, max]; ranks 1 and
 * n give the exact min and max. q in [0,1].
 * Returns NAN when the histogram is empty. */
double sim_hist_quantile(const struct sim_hist *h, double q);

/* Student-t 95% confidence interval of the mean of n values. For n < 2 the
 * bounds are NAN (there is no spread to estimate); the mean is still set. */
struct sim_ci {
	double mean; /* sample mean */
	double low;  /* lower bound of the 95% interval */
	double high; /* upper bound of the 95% interval */
	size_t n;    /* number of values */
};

void sim_ci_t95(const double *values, size_t n, struct sim_ci *out);

#endif
