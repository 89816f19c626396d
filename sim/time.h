/* time.h - simulated time: signed 64-bit nanoseconds since the start of a run.
 *
 * Integer time keeps a run bit-for-bit reproducible; doubles from GSL samples
 * are converted once, at the edge, by sim_time_from_s (round to nearest,
 * saturating at SIM_TIME_MAX). */
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

/* Seconds (a GSL sample) to nanoseconds; negative and NaN become 0. */
static inline sim_time_t sim_time_from_s(double s)
{
	if (!(s > 0.0))
		return 0;
	if (s >= 9.2e9)
		return SIM_TIME_MAX;
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

#endif
