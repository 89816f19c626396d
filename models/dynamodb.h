/* dynamodb.h - the calls other models make on a DynamoDB table.
 *
 * A caller (a Lambda function's per-message calls) makes one request at the
 * current simulated time; the table admits it or throttles it
 * (ProvisionedThroughputExceededException), and counts both. Retrying is
 * the caller's business, with the table's SDK retry policy
 * (ddb_retry_delay), as an AWS SDK does.
 */
#ifndef SPILLWAY_MODELS_DYNAMODB_H
#define SPILLWAY_MODELS_DYNAMODB_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "models/sdk_retry.h"
#include "sim/model.h"
#include "sim/sim.h"

struct ddb;

enum ddb_op {
	DDB_READ,
	DDB_WRITE,
};

/* The table behind a model, or NULL when m is not a dynamodb resource. */
struct ddb *ddb_from_model(struct model *m);

/* One request of item_bytes at the current time: it costs
 * ceil(item_bytes / 1 KiB) write units or ceil(item_bytes / 4 KiB) read
 * units (at least 1). Returns true when admitted (the units are consumed),
 * false when throttled (counted in WriteThrottleEvents /
 * ReadThrottleEvents and ThrottledRequests). */
bool ddb_request(struct ddb *t, struct sim *s, enum ddb_op op,
		 uint32_t item_bytes);

/* The units one request of item_bytes costs: ceil(item_bytes / 1024) for a
 * write, ceil(item_bytes / 4096) for a read, at least 1. */
uint32_t ddb_units(enum ddb_op op, uint32_t item_bytes);

/* The current capacity of one kind of request at s->now, in units per
 * second: the provisioned capacity (after any auto scaling), or for an
 * on-demand table the admitted rate limit (2x the previous peak, at most
 * 40,000). This is what the ProvisionedRead/WriteCapacityUnits metrics
 * show. */
int64_t ddb_capacity(struct ddb *t, const struct sim *s, enum ddb_op op);

/* The number of partitions the requests of that kind are spread over at
 * s->now. */
int64_t ddb_partitions(struct ddb *t, const struct sim *s, enum ddb_op op);

/* SDK retry policy of callers of this table (its sdk_retry settings:
 * botocore legacy by default; delays from sdk_retry_delay). */
const struct sdk_retry *ddb_retry(const struct ddb *t);

#endif
