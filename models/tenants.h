/* tenants.h - what other models may ask about a tenant. */
#ifndef SPILLWAY_MODELS_TENANTS_H
#define SPILLWAY_MODELS_TENANTS_H

#include <stdint.h>

#include "sim/run.h"

/* How much longer than the function's per-message time one of the tenant's
 * messages takes to process (its work_factor). */
double tenant_work_factor(const struct sim_run *run, uint32_t tenant);

/* The chance that one of the tenant's messages fails processing
 * (its failure_rate). */
double tenant_failure_rate(const struct sim_run *run, uint32_t tenant);

/* A message of the tenant as it would send it at time `at` (size drawn from
 * its message_size stream). For messages already waiting at the start
 * (a queue's initial_backlog). Counts the tenant's sent. */
struct sim_msg tenant_make_message(struct sim_run *run, uint32_t tenant,
				   sim_time_t at);

/* The messages (cohorts, in cohort mode) a tenant configured by `config`
 * sends over [0, horizon): the mean for random arrivals. For resource
 * guards before a run. */
double tenant_expected_messages(const void *config, sim_time_t horizon);

#endif
