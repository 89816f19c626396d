/* sdk_retry.c - the AWS SDK's retry delays (see sdk_retry.h). */
#include "models/sdk_retry.h"

#include "sim/sim.h"

sim_time_t sdk_retry_delay(const struct sdk_retry *p, int attempt, gsl_rng *r)
{
	SIM_ASSERT(NULL, attempt >= 1);
	/* base x 2^(attempt - 1) in whole nanoseconds, doubling only while
	 * under the cap, so it cannot overflow. */
	sim_time_t bound = p->base;
	for (int i = 1; i < attempt && bound > 0 && bound < p->max_delay; i++)
		bound *= 2;
	if (bound > p->max_delay)
		bound = p->max_delay;
	return (sim_time_t)(gsl_rng_uniform(r) * (double)bound + 0.5);
}
