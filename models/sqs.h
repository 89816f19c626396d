/* sqs.h - the calls other models make on an SQS standard queue, mirroring
 * the SQS API (ReceiveMessage, DeleteMessage, ChangeMessageVisibility).
 *
 * Tenants send through the generic model_ops.accept (SendMessage). A
 * consumer (the Lambda event source mapping, pods) receives messages, which
 * become in flight until their visibility timeout passes; it deletes the
 * ones it processed. A message whose timeout passes returns to the queue
 * (visible again, to the back), or, once its receive count has reached the
 * dead-letter queue's max_receive_count, moves to that queue.
 *
 * Message handles: `id` names the message inside its queue while it exists;
 * `receipt` names one receive of it. Deleting or changing visibility with a
 * receipt that is no longer current (the message came back and was received
 * again, or was deleted) is ignored and returns false, as SQS does with a
 * stale receipt handle.
 */
#ifndef SPILLWAY_MODELS_SQS_H
#define SPILLWAY_MODELS_SQS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/model.h"
#include "sim/sim.h"

struct sqs;

/* ReceiveMessage returns nothing (OverLimit) while a standard queue has this
 * many messages in flight ("In-flight, standard" in FACTS):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html */
#define SQS_MAX_IN_FLIGHT 120000

/* A consumer waiting for messages (long polling, or filling a batch within
 * its batching window). Embedded in the consumer; the queue links it while
 * it waits. wake() is called once, at the time messages become visible,
 * after the waiter has been unlinked; the consumer then calls sqs_receive. */
struct sqs_waiter {
	void (*wake)(struct sqs_waiter *w, struct sim *s); /* set by the consumer */
	struct sqs_waiter *prev;                            /* queue-owned links */
	struct sqs_waiter *next;
	bool waiting;                                       /* linked now */
};

/* One received message, as ReceiveMessage returns it. */
struct sqs_received {
	uint32_t id;            /* message handle */
	uint32_t receipt;       /* receipt handle of this receive */
	uint32_t receive_count; /* ApproximateReceiveCount, this receive included */
	struct sim_msg msg;     /* sent_at, tenant, size */
};

/* The queue behind a model, or NULL when m is not an sqs resource. */
struct sqs *sqs_from_model(struct model *m);

/* ReceiveMessage: takes up to max visible messages, oldest first, stopping
 * before the total payload would exceed max_bytes (0: no byte limit; at
 * least one message is always taken when one is visible); each becomes in
 * flight until now + the queue's visibility timeout and its receive count
 * goes up. Counts NumberOfMessagesReceived. When the queue already has
 * 120,000 messages in flight nothing is returned and the attempt is counted
 * as OverLimit. Returns the number written to out. An empty result is not
 * counted as an empty receive: a long-polling caller counts one with
 * sqs_count_empty_receive when its wait ends with nothing. */
size_t sqs_receive(struct sqs *q, struct sim *s, struct sqs_received *out,
		   size_t max, uint64_t max_bytes);

/* NumberOfEmptyReceives += 1 (billed like any request). A receive that
 * returns messages is billed by sqs_receive itself: one request per 64 KB
 * of payload, at least one. */
void sqs_count_empty_receive(struct sqs *q);

/* Messages visible now (ApproximateNumberOfMessagesVisible). */
size_t sqs_visible(const struct sqs *q);
/* Whether a receive now could return something: a message is visible (on
 * a FIFO queue: in a group with nothing in flight). */
bool sqs_receivable(const struct sqs *q);
/* Messages in flight now (ApproximateNumberOfMessagesNotVisible), e.g. for
 * an autoscaler that counts visible and in-flight messages. */
size_t sqs_in_flight(const struct sqs *q);
/* Messages waiting out the queue's delay (ApproximateNumberOfMessagesDelayed). */
size_t sqs_delayed(const struct sqs *q);

/* Links w to be woken when a message becomes visible. If one is visible
 * already, w is woken at once (scheduled at the current time). Waiters
 * are woken one per visible message, in the order they started waiting. */
void sqs_wait(struct sqs *q, struct sim *s, struct sqs_waiter *w);
/* Unlinks a waiting w (no-op when it is not waiting). */
void sqs_unwait(struct sqs *q, struct sqs_waiter *w);

/* What a delete says about the message, and how it is billed. */
enum sqs_disposition {
	/* DeleteMessage of a processed message: the tenant's delivery
	 * (dwell time = now - sent_at). */
	SQS_DELETE,
	/* DeleteMessage of a message handed on to another service (a pipe's
	 * target, a replay, a function that sends it on): not the tenant's
	 * delivery. */
	SQS_HAND_OFF,
	/* DeleteMessage of a message the consumer did not process but will
	 * send again itself (a scheduled retry): not the tenant's delivery,
	 * and not billed: it rides in the batch's DeleteMessageBatch. */
	SQS_REMOVE,
};

/* DeleteMessage (n = 1) or DeleteMessageBatch of the items whose skip flag
 * is false (skip NULL: all), each counted in NumberOfMessagesDeleted and
 * as `how` says. Billed one request per 10 items not skipped (so one for a
 * single message), except SQS_REMOVE. Returns how many were deleted: a
 * stale receipt is not (and is billed all the same). */
size_t sqs_delete(struct sqs *q, struct sim *s, enum sqs_disposition how,
		  const struct sqs_received *items, const bool *skip, size_t n);

/* ChangeMessageVisibility: the message becomes visible at now + timeout
 * (0: at once) instead of at its current deadline. false for a stale
 * receipt. */
bool sqs_change_visibility(struct sqs *q, struct sim *s, uint32_t id,
			   uint32_t receipt, sim_time_t timeout);

/* Whether the queue is a FIFO queue. */
bool sqs_is_fifo(const struct sqs *q);

/* The queue's visibility timeout. */
sim_time_t sqs_visibility_timeout(const struct sqs *q);


#endif
