/* registry.c - the table of resource types (see registry.h). */
#include "models/registry.h"

static const struct model_ops *const types[] = {
	&station_ops,
	&sqs_ops,
	&lambda_ops,
	&account_ops,
	&dynamodb_ops,
	&nat_gateway_ops,
	&vpc_endpoint_ops,
	&pods_ops,
	&dependency_ops,
	&pipe_ops,
	&state_machine_ops,
	&event_bus_ops,
	&kafka_topic_ops,
	&kafka_event_source_ops,
	&firehose_ops,
	&sns_topic_ops,
	&fixed_ops,
	&llm_stream_ops,
	NULL,
};

/* Written inside other types' entries: not listed as resource types. */
static const struct model_ops *const peers[] = {
	&esm_ops,
	NULL,
};

const struct model_registry spillway_registry = {
	.types = types,
	.tenant = &tenant_ops,
	.peers = peers,
};
