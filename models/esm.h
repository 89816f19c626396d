/* esm.h - the SQS event source mapping of a Lambda function (on-demand
 * mode, or provisioned mode with provisioned_pollers): pollers that receive
 * batches from a queue and invoke the function. Configured under a lambda's
 * event_sources; the function owns its mappings and forwards the model
 * operations to them. */
#ifndef SPILLWAY_MODELS_ESM_H
#define SPILLWAY_MODELS_ESM_H

#include <stdbool.h>
#include <stdint.h>

#include "models/lambda.h"
#include "sim/run.h"
#include "sim/schema.h"

struct esm_config {
	const char *queue;                 /* the sqs resource polled */
	int64_t batch_size;                /* messages per invocation at most */
	sim_time_t maximum_batching_window;/* gather up to this long */
	int64_t maximum_concurrency;       /* SCN_UNLIMITED or 2..1000 */
	int64_t concurrency_ceiling;       /* on-demand ceiling (1,250 or 1,000) */
	int64_t scale_up_per_minute;       /* +300 per minute */
	int64_t initial_concurrency;       /* 5 batches at first */
	sim_time_t poll_wait;              /* long-poll wait */
	sim_time_t backoff_base;           /* first retry delay after a throttle */
	sim_time_t backoff_max;            /* longest retry delay */
	bool provisioned;                  /* provisioned_pollers is a map (else none: on-demand) */
	int64_t min_pollers;               /* provisioned_pollers.min, 2..200 */
	int64_t max_pollers;               /* provisioned_pollers.max, 2..10000 */
	int64_t pollers_per_epu;           /* provisioned_pollers.pollers_per_epu (UNCONFIRMED) */
	bool on_failure;                   /* on_failure is a map: scheduler retries */
	int retry;                         /* on_failure.retry: 0 scheduler */
	int backoff;                       /* 0 exponential, 1 linear */
	sim_time_t retry_base;             /* first retry delay */
	int64_t max_retries;
	const char *retry_dlq;             /* queue past max_retries */
	sim_time_t scheduler_delay;        /* delivery delay after the minute */
};

extern const struct scn_schema esm_schema;

struct esm;

struct esm *esm_create(const struct esm_config *cfg, struct lambda *fn,
		       const char *name, struct sim_run *run);
/* Resolves the queue; reports problems at node (the event source's map). */
int esm_link(struct esm *e, struct sim_run *run, const struct cfg_node *node,
	     const char *who);
void esm_start(struct esm *e, struct sim *s);
void esm_restart(struct esm *e, struct sim *s);
void esm_sample(struct esm *e, struct sim *s, struct sim_recorder *rec);
void esm_finish(struct esm *e, struct sim *s, struct sim_results *res);
void esm_destroy(struct esm *e);

#endif
