/* dependency.h - an external dependency (a third-party API or downstream
 * service) that functions call: what the callers need.
 *
 * A call takes the dependency's latency and succeeds, or fails: during an
 * outage (after `timeout`, or at once with down: fail_fast), over the rate
 * limit (at once, HTTP 429), or with its failure probability. The caller
 * retries failed calls with the dependency's `retry` policy (as an SDK or
 * HTTP client configured for it would).
 */
#ifndef SPILLWAY_MODELS_DEPENDENCY_H
#define SPILLWAY_MODELS_DEPENDENCY_H

#include <stdbool.h>

#include <gsl/gsl_rng.h>

#include "models/sdk_retry.h"
#include "sim/model.h"
#include "sim/sim.h"

struct dependency;

/* The dependency behind m, or NULL when m is not one. */
struct dependency *dep_from_model(struct model *m);

/* One call now: whether it succeeds, and in *after how long until the
 * caller has the answer. */
bool dep_call(struct dependency *d, struct sim *s, sim_time_t *after);
/* The callers' SDK retry policy (max_attempts, retry_base, retry_max: AWS
 * SDK standard mode by default; delays from sdk_retry_delay). */
const struct sdk_retry *dep_retry(const struct dependency *d);

#endif
