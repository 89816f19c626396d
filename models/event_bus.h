/* event_bus.h - an Amazon EventBridge event bus: rules that match events
 * and deliver a copy of each to their targets.
 *
 * Tenants (or another bus, through one of its rules) put events on the bus
 * with the generic model_ops.accept (PutEvents). Each rule that matches an
 * event delivers a copy to its target after a delivery latency: an sqs
 * queue, a lambda function, pods, a station, or another event bus (a
 * bus-to-bus hop, the only cross-account route before November 2024). A
 * failed delivery attempt is retried with exponential backoff and jitter
 * until the rule's retry policy runs out, then goes to the rule's
 * dead-letter queue or is dropped.
 *
 * Other models need nothing from a bus but accept(); the downcast below is
 * for link-time checks (a rule aiming at another bus, loops of buses).
 */
#ifndef SPILLWAY_MODELS_EVENT_BUS_H
#define SPILLWAY_MODELS_EVENT_BUS_H

#include "sim/model.h"

struct event_bus;

/* The bus behind m, or NULL when m is not an event_bus resource. */
struct event_bus *event_bus_from_model(struct model *m);

#endif
