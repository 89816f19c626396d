/* firehose.h - an Amazon Data Firehose stream: records in, batches out.
 *
 * Producers (tenants, an sns_topic subscription, later a lambda function's
 * calls) put records with the generic model_ops.accept (PutRecord; a
 * PutRecordBatch is modelled as its records). The stream buffers them and
 * flushes a batch when its buffer_size is reached or buffer_interval has
 * passed since the batch's first record, whichever comes first; after a
 * delivery latency each record of the batch goes to the destination's
 * accept (which counts it delivered), or, with no destination, counts as
 * delivered there and then.
 *
 * Other models need nothing from a stream but accept(); the downcast is for
 * link-time checks.
 */
#ifndef SPILLWAY_MODELS_FIREHOSE_H
#define SPILLWAY_MODELS_FIREHOSE_H

#include "sim/model.h"

struct firehose;

/* The stream behind m, or NULL when m is not a firehose resource. */
struct firehose *firehose_from_model(struct model *m);

#endif
