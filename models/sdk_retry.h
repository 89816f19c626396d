/* sdk_retry.h - how an AWS SDK retries a throttled or failed request: a
 * number of attempts in all, and before each retry a delay drawn uniformly
 * ("full jitter") below an exponentially growing bound,
 *     delay = rand(0, 1) x min(base x 2^(attempt - 1), max_delay)
 * (FACTS 5, "SDK retry, standard mode":
 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html;
 * "SDK retry, botocore legacy":
 * https://github.com/boto/botocore/blob/develop/botocore/data/_retry.json).
 * The callers' defaults differ (DynamoDB's table: botocore legacy, 10
 * attempts from 50 ms; a dependency: standard mode, 3 attempts from 1 s);
 * they are in each caller's schema. */
#ifndef SPILLWAY_MODELS_SDK_RETRY_H
#define SPILLWAY_MODELS_SDK_RETRY_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "sim/time.h"

/* A retry policy, as a caller's config holds it (scenario keys). */
struct sdk_retry {
	int64_t max_attempts; /* attempts in all, the first included */
	sim_time_t base;      /* delay bound of the first retry */
	sim_time_t max_delay; /* the bound stops growing there */
};

/* The delay before retrying after failed attempt `attempt` (1: the first
 * attempt failed), drawn from r. */
sim_time_t sdk_retry_delay(const struct sdk_retry *p, int attempt, gsl_rng *r);

#endif
