/* lambda.h - the calls an event source mapping makes on a Lambda function
 * (Invoke with a batch of messages), and the account both draw on. */
#ifndef SPILLWAY_MODELS_LAMBDA_H
#define SPILLWAY_MODELS_LAMBDA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/sqs.h"
#include "sim/model.h"
#include "sim/sim.h"

struct lambda;

/* What an invocation reports back to its caller. */
enum lambda_outcome {
	LAMBDA_OK,        /* every item succeeded */
	LAMBDA_PARTIAL,   /* some items failed, reported per item (report_batch_item_failures) */
	LAMBDA_ERROR,     /* the invocation failed as a whole (error, timeout, or an item
			     failure without report_batch_item_failures) */
};

/* Called when an invocation started by lambda_invoke ends. failed[i] says
 * whether item i failed (meaningful for LAMBDA_PARTIAL). */
typedef void lambda_done_fn(void *ctx, struct sim *s, enum lambda_outcome outcome,
			    const bool *failed);

/* A batch handed to an invocation: owned by the caller until done() runs. */
struct lambda_batch {
	const struct sqs_received *items; /* the messages */
	size_t n;                         /* how many */
	bool *failed;                     /* n flags, written by the function */
	lambda_done_fn *done;             /* completion callback */
	void *ctx;                        /* its argument */
	bool ordered;                     /* FIFO: no message starts after one
					     has failed (the rest fail too) */
	uint64_t admitted;                /* written by lambda_invoke: of a
					     cohort's weight, how many run (the
					     rest were throttled) */
};

/* Invoke (synchronous, from an event source mapping): starts an
 * invocation now if the concurrency limits and the scaling rate allow it,
 * returning true (done() will run later); returns false when throttled
 * (counted in Throttles; nothing else happens). */
bool lambda_invoke(struct lambda *fn, struct sim *s, struct lambda_batch *b);
/* lambda_invoke where each item's compute time is `work` instead of a draw
 * from the function's per_message distribution (0: exactly lambda_invoke).
 * A separate call rather than a lambda_batch field, so that batches built
 * with positional initializers stay complete (llm_stream: stream.c). */
bool lambda_invoke_work(struct lambda *fn, struct sim *s, struct lambda_batch *b,
			sim_time_t work);

/* Whether the function sends its messages on (a `calls` target that takes
 * messages): its callers then hand messages over instead of counting them
 * delivered. */
bool lambda_forwards(const struct lambda *fn);

/* Whether the function reports failed items (ReportBatchItemFailures). */
bool lambda_reports_item_failures(const struct lambda *fn);

/* The function's timeout (an ESM needs it to check the queue's visibility
 * timeout against it). */
sim_time_t lambda_timeout(const struct lambda *fn);

/* The function behind m, or NULL when m is not a lambda resource (for an
 * event source mapping configured as its own resource, e.g. Kafka's). */
struct lambda *lambda_from_model(struct model *m);

#endif
