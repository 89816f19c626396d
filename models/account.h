/* account.h - the AWS account's Lambda concurrency, shared by every
 * function of a scenario. */
#ifndef SPILLWAY_MODELS_ACCOUNT_H
#define SPILLWAY_MODELS_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/model.h"
#include "sim/run.h"

struct account;

/* The account functions draw on: the account resource named `name`, or
 * when name is NULL the scenario's only account resource, or else an
 * implicit account with the default limit (created once per replication).
 * NULL (after reporting at `where`) when the name is unknown or when several
 * accounts exist and none is named. */
struct account *account_for(struct sim_run *run, const char *name,
			    const struct cfg_node *where, const char *who);

/* Sets aside n executions for a function with reserved concurrency (at link
 * time). Reports an error at `where` when fewer than 100 would remain
 * unreserved (AWS keeps 100 for functions without a reservation). */
int account_reserve(struct account *a, int64_t n, const struct cfg_node *where,
		    const char *who);

/* Takes one concurrent execution: from the function's reservation (the
 * caller has checked it) when reserved is true, else from the unreserved
 * pool; false when the pool is exhausted. */
bool account_acquire(struct account *a, struct sim *s, bool reserved);
void account_release(struct account *a, struct sim *s, bool reserved);
/* The same for n executions at once (a cohort's invocations): all or none. */
bool account_acquire_n(struct account *a, struct sim *s, bool reserved, int64_t n);
void account_release_n(struct account *a, struct sim *s, bool reserved, int64_t n);
/* Unreserved executions free now. */
int64_t account_unreserved_free(const struct account *a);
/* Counts n throttles of any function of the account. */
void account_count_throttle(struct account *a);
void account_count_throttles(struct account *a, uint64_t n);

#endif
