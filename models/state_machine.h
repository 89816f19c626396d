/* state_machine.h - an AWS Step Functions standard workflow: what the
 * callers (an EventBridge pipe, models/pipe.c) need.
 *
 * StartExecution either starts an execution now or is refused with
 * ExecutionLimitExceeded while max_concurrent_executions run. An execution
 * takes an execution_time draw; it fails when it ends inside an outage
 * window of the downstream it works against, or with failure_rate. A
 * succeeded execution's message is delivered (the tenant's dwell ends
 * there); a failed one is sent to the failure queue with its sent_at kept,
 * from which `replay` moves it back to a queue later, or, without a failure
 * queue, counts as the tenant's failed (lost).
 */
#ifndef SPILLWAY_MODELS_STATE_MACHINE_H
#define SPILLWAY_MODELS_STATE_MACHINE_H

#include <stdbool.h>

#include "sim/model.h"
#include "sim/sim.h"

struct state_machine;

/* The state machine behind m, or NULL when m is not one. */
struct state_machine *state_machine_from_model(struct model *m);

/* StartExecution with msg as its input (copied). false: refused with
 * ExecutionLimitExceeded (max_concurrent_executions are running; counted
 * as ExecutionThrottled), the caller still holds the message; true: the
 * execution runs and owns the message's outcome. */
bool state_machine_start(struct state_machine *sm, struct sim *s,
			 const struct sim_msg *msg);

/* Executions running now. */
long state_machine_running(const struct state_machine *sm);

#endif
