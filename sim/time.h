/* time.h - simulated time: signed 64-bit nanoseconds since the start of a run.
 *
 * Integer time keeps a run bit-for-bit reproducible; doubles from GSL samples
 * are converted once, at the edge, by sim_time_from_s (round to nearest).
 *
 * Bounds. No time arithmetic may overflow, and that rests on three limits
 * rather than on each model's care:
 *  - SIM_DURATION_MAX (1e9 s, about 31.7 years) bounds every duration a
 *    scenario states (the horizon, a timeout, a distribution's parameters:
 *    sim/schema.c refuses more) and every duration drawn from a
 *    distribution (sim_dist_sample_time clamps to it). A time `now` is at
 *    most the horizon, so now + a few such durations fits easily.
 *  - SIM_TIME_FAR (2^61 ns, about 73 years) is where conversions from
 *    seconds (sim_time_from_s) saturate: past every horizon, so an event
 *    there never runs, and small enough that a time plus three such values
 *    stays below SIM_TIME_MAX. Products and ratios computed in doubles (a
 *    duration times a work factor, tokens over a rate) are therefore safe
 *    once converted.
 *  - sim_time_add and sim_time_mul saturate at SIM_TIME_MAX, the "never"
 *    of timers. Models combine times and durations with sim_time_add
 *    wherever a term is not bounded as above, and integer durations with
 *    counts through sim_time_mul, never with a plain `*`. */
#ifndef SPILLWAY_SIM_TIME_H
#define SPILLWAY_SIM_TIME_H

#include <math.h>
#include <stdint.h>

typedef int64_t sim_time_t;

#define SIM_NS ((sim_time_t)1)
#define SIM_US ((sim_time_t)1000)
#define SIM_MS ((sim_time_t)1000000)
#define SIM_S ((sim_time_t)1000000000)
#define SIM_MIN (60 * SIM_S)
#define SIM_HOUR (3600 * SIM_S)
#define SIM_DAY (86400 * SIM_S)
#define SIM_TIME_MAX INT64_MAX

/* The longest duration a scenario may state or a distribution may draw. */
#define SIM_DURATION_MAX_S 1e9
#define SIM_DURATION_MAX (1000000000 * SIM_S)
/* Where conversions and products saturate: beyond every horizon. */
#define SIM_TIME_FAR ((sim_time_t)1 << 61)

/* Seconds (a GSL sample) to nanoseconds, rounded to nearest; negative and
 * NaN become 0, values past SIM_TIME_FAR (and +inf) SIM_TIME_FAR. */
static inline sim_time_t sim_time_from_s(double s)
{
	if (!(s > 0.0))
		return 0;
	if (s >= 0x1p61 * 1e-9)
		return SIM_TIME_FAR;
	/* Positive, so adding one half and truncating rounds to nearest
	 * (llround is a library call on the hot path). */
	return (sim_time_t)(s * 1e9 + 0.5);
}

static inline double sim_time_to_s(sim_time_t t)
{
	return (double)t * 1e-9;
}

/* a + b, saturating at SIM_TIME_MAX (both non-negative). */
static inline sim_time_t sim_time_add(sim_time_t a, sim_time_t b)
{
	return a > SIM_TIME_MAX - b ? SIM_TIME_MAX : a + b;
}

/* t * n for a duration (or any count of nanoseconds) t >= 0 and a count
 * n >= 0, saturating at SIM_TIME_MAX like sim_time_add (negative arguments
 * count as 0). */
static inline sim_time_t sim_time_mul(sim_time_t t, int64_t n)
{
	if (t <= 0 || n <= 0)
		return 0;
	return t > SIM_TIME_MAX / n ? SIM_TIME_MAX : t * n;
}

#endif
