/* registry.h - every resource type spillway knows, in one table.
 *
 * Adding a resource type: write models/<type>.c exporting its
 * `const struct model_ops`, declare it here and add one line to the table in
 * registry.c. Nothing else in the engine changes. A type written inside
 * another type's entries (model_ops.within, e.g. an event source under its
 * function) goes in the `peers` table instead.
 */
#ifndef SPILLWAY_MODELS_REGISTRY_H
#define SPILLWAY_MODELS_REGISTRY_H

#include "sim/model.h"

extern const struct model_ops station_ops; /* station.c */
extern const struct model_ops sqs_ops;     /* sqs.c */
extern const struct model_ops lambda_ops;   /* lambda.c */
extern const struct model_ops esm_ops;      /* esm.c: under a lambda's event_sources */
extern const struct model_ops account_ops;  /* account.c */
extern const struct model_ops dynamodb_ops; /* dynamodb.c */
extern const struct model_ops nat_gateway_ops; /* nat_gateway.c */
extern const struct model_ops vpc_endpoint_ops; /* vpc_endpoint.c */
extern const struct model_ops pods_ops;     /* pods.c */
extern const struct model_ops dependency_ops; /* dependency.c */
extern const struct model_ops pipe_ops;     /* pipe.c */
extern const struct model_ops state_machine_ops; /* state_machine.c */
extern const struct model_ops event_bus_ops; /* event_bus.c */
extern const struct model_ops kafka_topic_ops, kafka_event_source_ops; /* kafka.c */
extern const struct model_ops firehose_ops; /* firehose.c */
extern const struct model_ops sns_topic_ops; /* sns.c */
extern const struct model_ops fixed_ops;    /* fixed.c */
extern const struct model_ops llm_stream_ops; /* stream.c */
extern const struct model_ops tenant_ops;  /* tenants.c */

/* The registry the scenario loader and the CLI use. */
extern const struct model_registry spillway_registry;

#endif
