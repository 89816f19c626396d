/* pipe.h - an Amazon EventBridge pipe from an SQS queue to a Step Functions
 * state machine (models/state_machine.h).
 *
 * Pollers long-poll the source queue, start one execution per message
 * received (StartExecution, asynchronous: the pipe is done with a message
 * once its execution has started) and delete the messages started. A
 * StartExecution refused with ExecutionLimitExceeded is retried after a
 * backoff while the poller holds the message, until its visibility timeout
 * would pass or the retry attempts run out; then the message is left to
 * return to the queue (and to its redrive policy).
 *
 * Nothing calls into a pipe; it only exports its ops (registry.h) and the
 * downcast below, for tools and tests.
 */
#ifndef SPILLWAY_MODELS_PIPE_H
#define SPILLWAY_MODELS_PIPE_H

#include "sim/model.h"

struct pipe;

/* The pipe behind m, or NULL when m is not one. */
struct pipe *pipe_from_model(struct model *m);

#endif
