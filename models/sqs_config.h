/* sqs_config.h - the scenario keys of an sqs resource and the checks of
 * its links, internal to the sqs model (sqs_config.c). The keys land in
 * struct sqs_config (sqs_store.h).
 */
#ifndef SPILLWAY_MODELS_SQS_CONFIG_H
#define SPILLWAY_MODELS_SQS_CONFIG_H

#include "models/sqs_store.h"
#include "sim/schema.h"

struct sim_run;

/* The schema of an sqs resource (model_ops.schema). */
extern const struct scn_schema sqs_schema;

/* model_ops.link: finds the dead-letter queue and the initial backlog's
 * tenant, reporting each error at its key; 0, or -1 after an error. */
int sqs__link(struct model *m, struct sim_run *run);

#endif
