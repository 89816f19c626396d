/* kafka.h - an Apache Kafka topic (Amazon MSK, Confluent Cloud or
 * self-managed: the broker side is the same here) and the calls its one
 * consumer, the Lambda Kafka event source mapping (kafka_event_source, in
 * kafka.c too), makes on it.
 *
 * Tenants produce through the generic model_ops.accept: a record of the
 * tenant's message size times the topic format's size factor is appended to
 * one partition (round robin, or by message group with partition_by: key)
 * and gets the partition's next offset. Records stay until the consumer
 * reads them (kafka_take) or until they are older than the retention, when
 * they are dropped unread. A consumer reads each partition from its head, in
 * offset order.
 */
#ifndef SPILLWAY_MODELS_KAFKA_H
#define SPILLWAY_MODELS_KAFKA_H

#include <stddef.h>
#include <stdint.h>

#include "sim/model.h"
#include "sim/sim.h"

struct kafka_topic;

/* One record in a partition. */
struct kafka_record {
	sim_time_t at;      /* appended (the log's timestamp, for retention) */
	uint64_t offset;    /* position in its partition, from 0 */
	uint32_t json_size; /* the producer's JSON size (the tenant's message size) */
	struct sim_msg msg; /* the tenant's message; msg.size is the record's
			       size in the topic's format */
};

/* Called when a record is appended to `partition` (synchronously, from the
 * producer's accept). */
typedef void kafka_listen_fn(void *ctx, struct sim *s, size_t partition);

/* The topic behind m, or NULL when m is not a kafka_topic. */
struct kafka_topic *kafka_topic_from_model(struct model *m);

/* Makes fn(ctx, ...) the topic's consumer. A topic has one consumer in
 * this model: -1 when it has one already, else 0. */
int kafka_topic_subscribe(struct kafka_topic *t, kafka_listen_fn *fn, void *ctx);

size_t kafka_topic_partitions(const struct kafka_topic *t);
/* Records waiting (unread) in partition p, and their size in the format
 * and as JSON. */
size_t kafka_backlog(const struct kafka_topic *t, size_t p);
uint64_t kafka_backlog_bytes(const struct kafka_topic *t, size_t p);
uint64_t kafka_backlog_json_bytes(const struct kafka_topic *t, size_t p);
/* The i-th unread record of partition p (i < kafka_backlog); the pointer is
 * good until the next append, take or expiry. */
const struct kafka_record *kafka_peek(const struct kafka_topic *t, size_t p, size_t i);
/* Reads the first n unread records of partition p (the consumer's fetch):
 * they leave the topic; the consumer owns what it copied of them. */
void kafka_take(struct kafka_topic *t, size_t p, size_t n);

/* Whole topic: unread records and their bytes now; record bytes ever
 * appended in this replication (not reset by the warm-up, for rates). */
uint64_t kafka_topic_waiting(const struct kafka_topic *t);
uint64_t kafka_topic_waiting_bytes(const struct kafka_topic *t);
uint64_t kafka_topic_appended_bytes(const struct kafka_topic *t);
/* Most records unread at once in the measurement window. */
uint64_t kafka_topic_peak_waiting(const struct kafka_topic *t);
/* Lifetime counts (not reset by the warm-up), for conservation checks:
 * records appended and records dropped at retention. */
uint64_t kafka_topic_appended(const struct kafka_topic *t);
uint64_t kafka_topic_expired(const struct kafka_topic *t);

#endif
