/* sqs.c - an Amazon SQS queue, standard, fair or FIFO: SendMessage,
 * ReceiveMessage, DeleteMessage, ChangeMessageVisibility, delay, retention,
 * in-flight limit, long-poll waiters and a dead-letter queue (redrive). The
 * calls other models make are in sqs.h; tenants send through
 * model_ops.accept.
 *
 * A message is in exactly one of four places:
 *   delayed    accepted, visible after `delay` (a FIFO: the delay is constant,
 *              so due times are in accept order; one timer for the head),
 *   visible    standard queue: a FIFO ring of ids in the order they became
 *              visible; receive takes from the head, returning messages go
 *              to the back. FIFO and fair queues ("grouped"): a list per
 *              message group in arrival order, and a heap of the groups a
 *              receive may serve next, by their oldest message (FIFO: the
 *              groups with nothing in flight; fair: the quiet groups, the
 *              noisy ones being served only when it is empty),
 *   in flight  received, invisible until its deadline (now + visibility
 *              timeout, or what ChangeMessageVisibility set); deadlines in
 *              a FIFO ring (receives come in time order and the timeout is
 *              fixed, so deadlines do too) with one timer for the head, and
 *              the few that ChangeMessageVisibility moved in a side list,
 *   gone       deleted, moved to the dead-letter queue, or expired.
 * Conservation over a whole replication, checked in finish:
 *   sent + redriven in + initial backlog
 *     = deleted + moved to DLQ + expired + visible + in flight + delayed.
 *
 * Memory: a message is one 24-byte record in a pool (an array grown by
 * doubling with realloc; freed records go on a free list threaded through
 * the records, never-used ones are handed out above a high-water mark so a
 * doubled pool's pages are touched only when used) plus a 4-byte slot in
 * the visible ring: a backlog costs 28 bytes a message, plus the unused
 * half of an array after it doubled (address space, not resident memory,
 * for large arrays). A delayed message has a 16-byte (due, id) entry instead
 * of the ring slot; an in-flight message a 16-byte ring entry (at most
 * 120,000 of them). Deletes leave their ring entry behind, to be skipped
 * when it reaches the head (the record's receipt no longer matches), so the
 * ring holds at most the receives of one visibility timeout.
 *
 * Timers are lazy where that saves event-heap work: a deleted message does
 * not move the deadline timer, which finds nothing due when it fires and
 * re-arms for the earliest remaining deadline; the retention timer follows
 * the head of the visible ring the same way.
 *
 * Modelling choices, each with its reason:
 *  - Redrive happens when the deadline of a receive passes and the receive
 *    count has reached max_receive_count: the message was processed that
 *    many times, as with AWS, which moves it when ReceiveCount would exceed
 *    maxReceiveCount (at the next receive attempt). ChangeMessageVisibility
 *    to 0 counts as the deadline passing now.
 *  - A redriven message keeps its struct sim_msg (sent_at included), enters
 *    the dead-letter queue as a new message there (receive count 0, the
 *    queue's delay applies) and is not counted as NumberOfMessagesSent
 *    there; its size is not checked against the dead-letter queue's
 *    max_message_size (the limit is SendMessage's).
 *  - Retention counts from sent_at, in the dead-letter queue too (AWS: the
 *    expiry of a message is based on its original enqueue timestamp). An
 *    expired message is dropped when it reaches the head of the visible
 *    ring (a timer follows the head, so an unconsumed queue expires on
 *    time), when it would become visible after a delay or a visibility
 *    timeout, or when a receive finds it; one that returned behind younger
 *    messages is dropped when it reaches the head.
 *  - ApproximateAgeOfOldestMessage is now - the oldest sent_at among visible
 *    messages, kept exactly by a monotone deque over the visible ring (see
 *    struct span). AWS resets the age of a message moved to a dead-letter
 *    queue and stops reporting a message received three times; here the
 *    age is its sent_at in every queue.
 *  - Receipt handles count receives per queue in 32 bits (skipping 0); a
 *    stale receipt could only be mistaken for a current one 2^32 receives
 *    later on the same record.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/describe.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/run.h"
#include "sim/units.h"

/* In-flight messages per standard queue ("In-flight, standard" in FACTS):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html */
#define IN_FLIGHT_LIMIT SQS_MAX_IN_FLIGHT

struct sqs_config {
	sim_time_t visibility_timeout; /* in flight this long after a receive */
	sim_time_t message_retention;  /* dropped this long after sent_at */
	sim_time_t delay;              /* invisible this long after a send */
	double max_message_size;       /* bytes; larger sends are rejected */
	const char *dlq;               /* dead_letter.target, NULL when absent */
	int64_t max_receive_count;     /* dead_letter.max_receive_count */
	int64_t backlog_count;         /* initial_backlog.count, 0 when absent */
	const char *backlog_tenant;    /* initial_backlog.tenant */
	bool fifo;                     /* FIFO queue */
	bool high_throughput;          /* FIFO high-throughput mode */
	double api_rate;               /* FIFO: calls/s per action; 0: the default */
	bool fair;                     /* fair queue (the fair table is on) */
	double noisy_share;            /* fair.in_flight_share */
	int64_t noisy_min_in_flight;   /* fair.min_in_flight */
	double noisy_time_share;       /* fair.time_share */
	sim_time_t noisy_window;       /* fair.window */
	sim_time_t quiet_after;        /* fair.quiet_after */
};

#define F(k, kind_, fl, lo, hi, def, member, text)                             \
	{ .key = k, .kind = kind_, .flags = fl, .min = lo, .max = hi,          \
	  .dflt = def, .offset = offsetof(struct sqs_config, member),          \
	  .help = text }

static const struct scn_field dead_letter_fields[] = {
	F("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, dlq,
	  "the sqs resource messages move to"),
	/* Range 1-1000 ("DLQ maxReceiveCount guidance" in FACTS):
	 * https://aws.github.io/modern-data-architecture-accelerator/typedocs/interfaces/_aws-mdaa_dataops-lambda-l3-construct.QueueDlqProps.html */
	F("max_receive_count", SCN_INT, SCN_F_REQUIRED, 1, 1000, NULL,
	  max_receive_count,
	  "receives after which a message whose visibility timeout passes moves to the target"),
};

static const struct scn_schema dead_letter_schema = {
	.name = "dead_letter",
	.fields = dead_letter_fields,
	.n = sizeof(dead_letter_fields) / sizeof(dead_letter_fields[0]),
};

static const struct scn_field backlog_fields[] = {
	F("count", SCN_INT, SCN_F_REQUIRED, 1, 1e9, NULL, backlog_count,
	  "messages visible at time 0"),
	F("tenant", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, backlog_tenant,
	  "the tenant they belong to (their size and work factor; counted as its sent)"),
};

static const struct scn_schema backlog_schema = {
	.name = "initial_backlog",
	.fields = backlog_fields,
	.n = sizeof(backlog_fields) / sizeof(backlog_fields[0]),
};

/* Fair queues ("SQS fair queues" in FACTS):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html
 * https://docs.amazonaws.cn/en_us/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html
 * AWS calls the thresholds approximate: they are parameters. */
static const struct scn_field fair_fields[] = {
	F("in_flight_share", SCN_FRACTION, 0, 0, 1, "10%", noisy_share,
	  "a group is noisy above this share of the queue's in-flight messages..."),
	F("min_in_flight", SCN_INT, 0, 1, 1e6, "30", noisy_min_in_flight,
	  "...with at least this many of its own in flight"),
	F("time_share", SCN_FRACTION, 0, 0, 1, "10%", noisy_time_share,
	  "or above this share of recent processing (in-flight) time"),
	/* How recent "recent processing time" is: not documented. */
	F("window", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 86400, "1m", noisy_window,
	  "time constant of the moving average behind time_share (UNCONFIRMED: not documented)"),
	F("quiet_after", SCN_DURATION, 0, 1, 86400, "5m", quiet_after,
	  "a noisy group that sends nothing this long is quiet again"),
};

static const struct scn_schema fair_schema = {
	.name = "fair",
	.fields = fair_fields,
	.n = sizeof(fair_fields) / sizeof(fair_fields[0]),
};

static void sqs_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx);

static const struct scn_field sqs_fields[] = {
	/* Default 30 s, 0-12 h ("Visibility timeout" in FACTS):
	 * https://docs.aws.amazon.com/cli/v1/reference/sqs/change-message-visibility.html */
	F("visibility_timeout", SCN_DURATION, 0, 0, 43200, "30s",
	  visibility_timeout,
	  "a received message is invisible this long unless deleted"),
	/* Default 4 d, 60 s-14 d ("Retention" in FACTS):
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
	F("message_retention", SCN_DURATION, 0, 60, 1209600, "4d",
	  message_retention, "a message is dropped this long after it was sent"),
	/* Default 0 s, 0-15 min ("Delay queue / message timer" in FACTS):
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html */
	F("delay", SCN_DURATION, 0, 0, 900, "0s", delay,
	  "a sent message becomes visible this long after it arrives"),
	/* Default 256 KiB, 1 KiB-1 MiB ("Max message size (current)" in FACTS):
	 * https://pub.dev/documentation/pulumi_aws/latest/sqs/Queue/maxMessageSize.html */
	F("max_message_size", SCN_SIZE, 0, 1024, 1048576, "256KiB",
	  max_message_size, "larger messages are rejected"),
	/* Redrive on ReceiveCount ("Redrive" in FACTS):
	 * https://app.unpkg.com/@pulumi/aws@7.4.0/files/sqs/redrive.d.ts */
	{ .key = "dead_letter", .kind = SCN_TABLE, .flags = SCN_F_OPTIONAL,
	  .sub = &dead_letter_schema, .min = 1, .max = 0,
	  .help = "redrive policy: {target, max_receive_count}" },
	{ .key = "initial_backlog", .kind = SCN_TABLE, .flags = SCN_F_OPTIONAL,
	  .sub = &backlog_schema, .min = 1, .max = 0,
	  .help = "messages already waiting at the start: {count, tenant}" },
	/* FIFO ordering, one in-flight batch per group ("FIFO queues" in
	 * FACTS): https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html */
	F("fifo", SCN_BOOL, 0, 0, 0, "false", fifo,
	  "FIFO queue: order kept within a message group, whose later messages "
	  "wait while any of it is in flight"),
	/* "FIFO high-throughput mode" in FACTS:
	 * https://mdsite.deno.dev/https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
	F("high_throughput", SCN_BOOL, 0, 0, 0, "false", high_throughput,
	  "FIFO high-throughput mode: api_rate defaults to 70,000/s (us-east-1, "
	  "us-west-2, eu-west-1) instead of 300/s"),
	/* "FIFO throughput (normal)" in FACTS, 300 calls/s per action:
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-fifo-throttling-issues.html */
	{ .key = "api_rate", .kind = SCN_RATE, .flags = SCN_F_OPTIONAL, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct sqs_config, api_rate),
	  .help = "FIFO: calls per second per action (SendMessage, ReceiveMessage) "
		  "before ThrottlingException; default 300/s (each tenant message "
		  "is one SendMessage; a receive takes up to 10)" },
	{ .key = "fair", .kind = SCN_TABLE, .flags = SCN_F_SWITCH, .dflt = "false",
	  .sub = &fair_schema, .offset = offsetof(struct sqs_config, fair),
	  .help = "fair queue: messages of quiet groups (the tenant's group) are "
		  "received before those of noisy ones" },
};

static const struct scn_schema sqs_schema = {
	.name = "sqs",
	.fields = sqs_fields,
	.n = sizeof(sqs_fields) / sizeof(sqs_fields[0]),
	.check = sqs_check,
};

/* A standard queue may be fair; a FIFO queue has its own throughput. */
static void sqs_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct sqs_config *c = obj;
	if (c->fifo && c->fair)
		scn_error_key(ctx, cfg_get(node, "fair"), "fair",
			      "a fair queue is a standard queue: not with fifo: true");
	if (!c->fifo && c->high_throughput)
		scn_error_key(ctx, cfg_get(node, "high_throughput"), "high_throughput",
			      "only FIFO queues have a high-throughput mode (set fifo: true)");
	if (!c->fifo && c->api_rate > 0)
		scn_error_key(ctx, cfg_get(node, "api_rate"), "api_rate",
			      "only FIFO queues limit API calls (set fifo: true)");
}

enum msg_state {
	ST_FREE,
	ST_DELAYED,
	ST_VISIBLE,
	ST_IN_FLIGHT,      /* in flight, its deadline in the ring */
	ST_IN_FLIGHT_SIDE, /* in flight, its deadline changed: in the side list */
};

#define NONE UINT32_MAX
/* A request is billed per 64 KB chunk of its payload ("64 KB chunking" in
 * FACTS 4): https://cloudburn.io/blog/amazon-sqs-pricing */
#define BILL_CHUNK 65536u
#define MAX_RECEIVES ((1u << 11) - 1) /* above max_receive_count's 1,000 */

/* One message in the pool: the struct sim_msg it was sent as, packed
 * with the queue's own fields into 24 bytes (a backlog of millions is
 * mostly these). A size fits 21 bits because SendMessage takes 1 MiB at
 * most (larger messages are rejected before they are stored); tenants are
 * at most 2^24. */
struct msg_rec {
	sim_time_t sent_at;
	uint32_t group;
	uint32_t link;              /* in flight: receipt of the current receive;
				       visible in a grouped queue: next of its
				       group; free: next free id */
	unsigned int tenant : 24;
	unsigned int state : 3;     /* enum msg_state */
	unsigned int retries : 5;   /* sim_msg.retries, saturating at 31 */
	unsigned int size : 21;     /* bytes */
	unsigned int receives : 11; /* ApproximateReceiveCount (saturating) */
};

_Static_assert(sizeof(struct msg_rec) == 24, "message record must stay 24 bytes");

#define MAX_TENANTS (1u << 24)
#define MAX_SIZE ((1u << 21) - 1)

/* The message a record holds, written field by field into *m (a whole
 * struct built on the stack and copied is read back wider than it was
 * written: a store-forwarding stall on the receive path). */
static void rec_msg_into(const struct msg_rec *r, struct sim_msg *m)
{
	m->sent_at = r->sent_at;
	m->tenant = r->tenant;
	m->size = r->size;
	m->group = r->group;
	m->retries = r->retries;
	m->weight = 0;
}

static struct sim_msg rec_msg(const struct msg_rec *r)
{
	struct sim_msg m;
	rec_msg_into(r, &m);
	return m;
}

/* One message group of a FIFO or fair queue. Its visible messages form a
 * list in arrival order (vseq) through the records' link field: new ones
 * join the back, returning ones go back to their place (in a FIFO queue,
 * the front), so the list is always in vseq order. */
struct qgroup {
	uint32_t head, tail;   /* visible messages, NONE when none */
	uint32_t visible;
	uint32_t in_flight;
	uint32_t delayed;
	uint32_t hpos;         /* 1-based place in the ready heap, 0: not in it */
	bool noisy;            /* fair: served after the quiet groups */
	sim_time_t last_sent;  /* fair: when it last sent */
	sim_time_t busy_at;    /* fair: busy is up to date at this time */
	double busy;           /* fair: in-flight message-seconds so far */
	double busy_seen;      /* fair: busy at the last detection pass */
	double busy_recent;    /* fair: moving sum of recent busy */
	uint32_t done_seq;     /* FIFO: arrival number of the last deleted */
	bool done_any;         /* FIFO: done_seq is set */
};

/* A FIFO queue's call budget for one action (a token bucket holding up to
 * one second of calls). */
struct api_bucket {
	double tokens;
	sim_time_t at;
};

/* One in-flight deadline. Receives happen in time order and the
 * visibility timeout is fixed, so deadlines come in order: a FIFO ring
 * holds them, and deletes leave their entry behind to be skipped when it
 * reaches the head (an entry is current while its record is in flight
 * under the same receipt). The few deadlines moved by
 * ChangeMessageVisibility go to a small side list instead. */
struct flight {
	sim_time_t deadline; /* when it becomes visible again */
	uint32_t id;         /* its record */
	uint32_t receipt;    /* the receive it belongs to */
};

/* One delayed message: visible at `due`. */
struct delayed {
	sim_time_t due;
	uint32_t id;
};

/* A run of consecutive positions [first, end) of the visible ring, all in
 * the monotone deque of suffix minima of sent_at: each is no younger than
 * every message behind it. The deque's front is the oldest visible message.
 * Messages usually become visible in sent_at order, so one span covers the
 * whole ring and the deque costs nothing per message. Positions are
 * absolute (counted from the first message ever made visible). */
struct span {
	uint64_t first;
	uint64_t end;
};

/* Counters of the measurement window (zeroed at the end of the warm-up). */
struct sqs_counts {
	uint64_t sent;       /* NumberOfMessagesSent */
	uint64_t received;   /* NumberOfMessagesReceived */
	uint64_t deleted;    /* NumberOfMessagesDeleted */
	uint64_t empty;      /* NumberOfEmptyReceives */
	uint64_t to_dlq;     /* NumberOfMessagesMovedToDLQ */
	uint64_t expired;    /* NumberOfMessagesExpired */
	uint64_t rejected;   /* NumberOfMessagesRejected */
	uint64_t throttled;  /* FIFO: calls refused with ThrottlingException */
	uint64_t requests;   /* billed requests (64 KB chunks) */
	uint64_t over_limit; /* OverLimit */
	size_t max_visible;  /* MaxNumberOfMessagesVisible */
};

struct sqs {
	struct model base;            /* must be first */
	const struct sqs_config *cfg; /* scenario-owned */
	struct sqs *dlq;              /* dead-letter queue, or NULL */
	uint32_t backlog_tenant;      /* tenant index of initial_backlog */

	struct msg_rec *recs;         /* message pool */
	size_t n_recs;                /* pool size */
	size_t n_hwm;                 /* records ever handed out (the rest untouched) */
	size_t n_faulted;             /* records [0, n_faulted) prefaulted */
	size_t n_used;                /* records not free */
	uint32_t free_head;           /* first freed record, NONE when none */

	uint32_t *vis;                /* visible ring of ids, oldest first */
	size_t v_head, v_len, v_cap;  /* v_cap a power of two */
	uint64_t v_popped;            /* absolute position of the head */

	struct span *sp;              /* monotone deque over the ring */
	size_t sp_head, sp_len, sp_cap;

	struct delayed *dl;           /* delayed messages, in due order */
	size_t d_head, d_len, d_cap;

	struct flight *fl;            /* in-flight deadlines, FIFO ring */
	size_t fl_head, fl_len, fl_cap;/* fl_cap a power of two */
	struct flight *side;          /* changed deadlines, unordered */
	size_t side_n, side_cap;
	uint32_t n_flight;            /* messages in flight */
	uint32_t receipt;             /* last receipt handed out */

	struct sqs_waiter *w_first;   /* long pollers, in arrival order */
	struct sqs_waiter *w_last;

	struct sim_timer t_deadline;  /* earliest in-flight deadline */
	struct sim_timer t_delay;     /* head of the delayed FIFO */
	struct sim_timer t_expiry;    /* retention of the visible head */

	/* FIFO and fair queues: visible messages by group, not in the ring. */
	bool grouped;
	uint32_t vseq;                /* next arrival number */
	uint64_t out_of_order;        /* FIFO: deletes out of group order */
	uint32_t *seq;                /* grouped: each record's arrival number
					 (FIFO order), beside the pool */
	struct qgroup *g;             /* by run-wide group index */
	size_t n_g;
	uint32_t *ready;              /* min-heap of groups by head vseq: FIFO:
					 those with visible and none in flight;
					 fair: quiet ones with visible */
	size_t n_ready, ready_cap;
	size_t n_noisy;               /* fair: groups marked noisy */
	sim_time_t busy_at;           /* fair: the queue's in-flight integral */
	double busy, busy_seen, busy_recent;
	struct sim_timer t_detect;    /* fair: the detection pass */
	double api_rate;              /* FIFO: calls/s per action */
	struct api_bucket send_b, recv_b;

	/* Per tenant (run-wide index). */
	uint32_t *vis_tenant;         /* visible messages */
	bool *seen_tenant;            /* ever held a message of the tenant */
	uint64_t *in_tenant;          /* arrived (sent, redriven in, backlog) */
	uint64_t *out_tenant;         /* left (deleted, to the DLQ, expired) */
	size_t n_tenants;

	struct sqs_counts win;        /* measurement window */
	struct sqs_counts tick;       /* since the last sample */

	/* Lifetime of the replication, for the conservation check. */
	uint64_t life_sent;           /* accepted sends */
	uint64_t life_in;             /* redriven in from other queues */
	uint64_t life_backlog;        /* initial backlog */
	uint64_t life_deleted;
	uint64_t life_to_dlq;
	uint64_t life_expired;
	sim_time_t emptied_at;        /* when the last message left, -1 while any remain */
	sim_time_t busy_since;        /* when the queue last stopped being empty */
	sim_time_t drain;             /* length of the last busy period that ended, -1: none */
};

/* The message pool ------------------------------------------------------ */

/* Grows the pool to hold at least `want` records. New records are not
 * touched: rec_take hands them out in order above the high-water mark, so
 * pages of a doubled pool become resident only when used. */
#define PREFAULT_BYTES ((size_t)1 << 20)

/* Rings are read in order but name records all over the pool (ids are
 * reused): asking for the record a few places ahead has it in cache by the
 * time it is reached. */
#define LOOKAHEAD 16

static void pool_reserve(struct sqs *q, size_t want)
{
	if (want <= q->n_recs)
		return;
	size_t n = q->n_recs ? q->n_recs * 2 : 64;
	if (n < want)
		n = want;
	if (n > NONE)
		n = NONE;
	SIM_ASSERT(NULL, want <= n);
	q->recs = sim_xrealloc(q->recs, n * sizeof(*q->recs));
	if (q->grouped)
		q->seq = sim_xrealloc(q->seq, n * sizeof(*q->seq));
	q->n_recs = n;
}

static uint32_t rec_take(struct sqs *q, const struct sim_msg *msg)
{
	uint32_t id = q->free_head;
	if (id != NONE) {
		q->free_head = q->recs[id].link;
	} else {
		if (q->n_hwm == q->n_recs)
			pool_reserve(q, q->n_recs + 1);
		if (q->n_hwm == q->n_faulted) {
			/* Map the next records in one go (PREFAULT_BYTES at a
			 * time, so at most that much is mapped unused). */
			size_t n = PREFAULT_BYTES / sizeof(*q->recs);
			if (n > q->n_recs - q->n_hwm)
				n = q->n_recs - q->n_hwm;
			sim_prefault(&q->recs[q->n_hwm], n * sizeof(*q->recs));
			q->n_faulted = q->n_hwm + n;
		}
		id = (uint32_t)q->n_hwm++;
		/* A burst fills the pool in order: ask for the lines ahead. */
		if (q->n_hwm + LOOKAHEAD < q->n_recs)
			__builtin_prefetch(&q->recs[q->n_hwm + LOOKAHEAD], 1);
	}
	SIM_ASSERT(NULL, msg->size <= MAX_SIZE && msg->tenant < MAX_TENANTS);
	/* One whole-record store: at the growing end of the pool the line is
	 * not in cache, and setting bit-fields one by one would first wait
	 * to read it. */
	const struct msg_rec nr = {
		.sent_at = msg->sent_at,
		.group = msg->group,
		.link = NONE,
		.tenant = msg->tenant,
		.state = ST_FREE,
		.retries = msg->retries < 31 ? msg->retries : 31,
		.size = msg->size,
		.receives = 0,
	};
	memcpy(&q->recs[id], &nr, sizeof(nr));
	if (q->seq)
		q->seq[id] = q->vseq++;
	if (msg->tenant < q->n_tenants) {
		q->in_tenant[msg->tenant]++;
		q->seen_tenant[msg->tenant] = true;
	}
	if (q->n_used++ == 0)
		q->busy_since = q->base.run->sim.now;
	q->emptied_at = -1;
	return id;
}

static void rec_free(struct sqs *q, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	if (r->tenant < q->n_tenants)
		q->out_tenant[r->tenant]++;
	r->state = ST_FREE;
	r->link = q->free_head;
	q->free_head = id;
	if (--q->n_used == 0) {
		q->emptied_at = q->base.run->sim.now;
		q->drain = q->emptied_at - q->busy_since;
	}
}

/* The visible ring and its oldest-message deque ---------------------------- */

static void ring_reserve(struct sqs *q, size_t want)
{
	if (want <= q->v_cap)
		return;
	size_t old = q->v_cap, cap = old ? old : 64;
	while (cap < want)
		cap *= 2;
	/* realloc (a large block is remapped, not copied), then move the
	 * part that wrapped around to just after the old end. */
	q->vis = sim_xrealloc(q->vis, cap * sizeof(*q->vis));
	sim_prefault(q->vis + old, (cap - old) * sizeof(*q->vis)); /* it was full */
	if (q->v_head + q->v_len > old) {
		size_t wrapped = q->v_head + q->v_len - old;
		SIM_ASSERT(NULL, old + wrapped <= cap);
		memcpy(q->vis + old, q->vis, wrapped * sizeof(*q->vis));
	}
	q->v_cap = cap;
}

/* sent_at of the visible message at absolute position p. */
static sim_time_t sent_at_pos(const struct sqs *q, uint64_t p)
{
	size_t i = (q->v_head + (size_t)(p - q->v_popped)) & (q->v_cap - 1);
	return q->recs[q->vis[i]].sent_at;
}

static struct span *span_at(struct sqs *q, size_t i)
{
	return &q->sp[(q->sp_head + i) & (q->sp_cap - 1)];
}

static void span_push(struct sqs *q, uint64_t p)
{
	if (q->sp_len == q->sp_cap) {
		size_t cap = q->sp_cap ? q->sp_cap * 2 : 16;
		struct span *v = sim_xrealloc(NULL, cap * sizeof(*v));
		for (size_t i = 0; i < q->sp_len; i++)
			v[i] = *span_at(q, i);
		free(q->sp);
		q->sp = v;
		q->sp_head = 0;
		q->sp_cap = cap;
	}
	*span_at(q, q->sp_len++) = (struct span){ p, p + 1 };
}

/* Appends id (already ST_VISIBLE) to the back of the ring. */
static void ring_push(struct sqs *q, uint32_t id)
{
	sim_time_t x = q->recs[id].sent_at;
	/* Drop the deque's members younger than x: x is older than them and
	 * stays longer, so they can no longer be the oldest. */
	while (q->sp_len) {
		struct span *b = span_at(q, q->sp_len - 1);
		if (sent_at_pos(q, b->first) > x) {
			q->sp_len--;
			continue;
		}
		if (sent_at_pos(q, b->end - 1) > x) {
			/* The span is sorted: cut it at the first younger one. */
			uint64_t lo = b->first + 1, hi = b->end - 1;
			while (lo < hi) {
				uint64_t mid = lo + (hi - lo) / 2;
				if (sent_at_pos(q, mid) > x)
					hi = mid;
				else
					lo = mid + 1;
			}
			b->end = lo;
		}
		break;
	}
	if (q->v_len == q->v_cap)
		ring_reserve(q, q->v_len + 1);
	q->vis_tenant[q->recs[id].tenant]++;
	uint64_t p = q->v_popped + q->v_len;
	q->vis[(q->v_head + q->v_len++) & (q->v_cap - 1)] = id;
	if (q->sp_len && span_at(q, q->sp_len - 1)->end == p)
		span_at(q, q->sp_len - 1)->end++;
	else
		span_push(q, p);
}

/* Removes and returns the head of the ring (which must not be empty). */
static uint32_t ring_pop(struct sqs *q)
{
	uint32_t id = q->vis[q->v_head];
	struct span *f = span_at(q, 0);
	if (f->first == q->v_popped && ++f->first == f->end) {
		q->sp_head = (q->sp_head + 1) & (q->sp_cap - 1);
		q->sp_len--;
	}
	q->v_head = (q->v_head + 1) & (q->v_cap - 1);
	q->v_len--;
	q->v_popped++;
	q->vis_tenant[q->recs[id].tenant]--;
	return id;
}

/* Oldest sent_at among visible messages (there must be one). A grouped
 * queue takes the oldest head of a group: within a group, arrival order is
 * send order except for messages redriven into a dead-letter queue. */
static sim_time_t oldest_visible(const struct sqs *q)
{
	if (!q->grouped)
		return sent_at_pos(q, q->sp[q->sp_head].first);
	sim_time_t t = SIM_TIME_MAX;
	for (size_t gi = 0; gi < q->n_g; gi++)
		if (q->g[gi].visible && q->recs[q->g[gi].head].sent_at < t)
			t = q->recs[q->g[gi].head].sent_at;
	return t;
}

/* Message groups (FIFO and fair queues) ------------------------------------ */

static struct qgroup *group_at(struct sqs *q, uint32_t gi)
{
	if (gi >= q->n_g) {
		size_t n = q->n_g ? q->n_g : 16;
		while (n <= gi)
			n *= 2;
		q->g = sim_xrealloc(q->g, n * sizeof(*q->g));
		for (size_t i = q->n_g; i < n; i++)
			q->g[i] = (struct qgroup){ .head = NONE, .tail = NONE,
						   .last_sent = -1 };
		q->n_g = n;
	}
	return &q->g[gi];
}

/* Whether group a's head arrived before group b's (both have visible
 * messages). Arrival numbers are compared modulo 2^32: exact while the
 * messages waiting in a queue span fewer than 2^31 arrivals. */
static bool ready_before(const struct sqs *q, uint32_t a, uint32_t b)
{
	uint32_t va = q->seq[q->g[a].head], vb = q->seq[q->g[b].head];
	return va != vb ? (int32_t)(va - vb) < 0 : a < b;
}

static void ready_place(struct sqs *q, size_t i, uint32_t gi)
{
	q->ready[i] = gi;
	q->g[gi].hpos = (uint32_t)i + 1;
}

static void ready_up(struct sqs *q, size_t i, uint32_t gi)
{
	while (i > 0) {
		size_t parent = (i - 1) / 2;
		if (!ready_before(q, gi, q->ready[parent]))
			break;
		ready_place(q, i, q->ready[parent]);
		i = parent;
	}
	ready_place(q, i, gi);
}

static void ready_down(struct sqs *q, size_t i, uint32_t gi)
{
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= q->n_ready)
			break;
		if (c + 1 < q->n_ready && ready_before(q, q->ready[c + 1], q->ready[c]))
			c++;
		if (!ready_before(q, q->ready[c], gi))
			break;
		ready_place(q, i, q->ready[c]);
		i = c;
	}
	ready_place(q, i, gi);
}

static void wake_one(struct sqs *q, struct sim *s);

/* Puts group gi in or out of the ready heap, or moves it when its head
 * changed, after anything about it changed. A FIFO group that becomes
 * ready wakes one waiting consumer: it can serve one receive. */
static void group_sync(struct sqs *q, struct sim *s, uint32_t gi)
{
	struct qgroup *g = &q->g[gi];
	bool want = g->visible > 0 &&
		    (q->cfg->fifo ? g->in_flight == 0 : !g->noisy);
	if (!want) {
		if (!g->hpos)
			return;
		size_t i = g->hpos - 1;
		g->hpos = 0;
		uint32_t last = q->ready[--q->n_ready];
		if (i == q->n_ready)
			return;
		if (i > 0 && ready_before(q, last, q->ready[(i - 1) / 2]))
			ready_up(q, i, last);
		else
			ready_down(q, i, last);
		return;
	}
	if (g->hpos) {
		size_t i = g->hpos - 1;
		if (i > 0 && ready_before(q, gi, q->ready[(i - 1) / 2]))
			ready_up(q, i, gi);
		else
			ready_down(q, i, gi);
		return;
	}
	if (q->n_ready == q->ready_cap) {
		q->ready_cap = q->ready_cap ? q->ready_cap * 2 : 16;
		q->ready = sim_xrealloc(q->ready, q->ready_cap * sizeof(*q->ready));
	}
	ready_up(q, q->n_ready++, gi);
	if (q->cfg->fifo)
		wake_one(q, s);
}

/* Adds visible message id to its group's list at its place in arrival
 * order: the back for a new message, back where it was for a returning one
 * (found by walking from the front: it is among the oldest). */
static void group_push(struct sqs *q, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	struct qgroup *g = group_at(q, r->group);
	uint32_t v = q->seq[id];
	if (g->tail == NONE || (int32_t)(q->seq[g->tail] - v) < 0) {
		r->link = NONE;
		if (g->tail == NONE)
			g->head = id;
		else
			q->recs[g->tail].link = id;
		g->tail = id;
	} else if ((int32_t)(v - q->seq[g->head]) < 0) {
		r->link = g->head;
		g->head = id;
	} else {
		uint32_t p = g->head;
		while ((int32_t)(q->seq[q->recs[p].link] - v) < 0)
			p = q->recs[p].link;
		r->link = q->recs[p].link;
		q->recs[p].link = id;
	}
	g->visible++;
	q->v_len++;
	q->vis_tenant[r->tenant]++;
}

/* Takes the front message off group gi's list. */
static uint32_t group_pop(struct sqs *q, uint32_t gi)
{
	struct qgroup *g = &q->g[gi];
	uint32_t id = g->head;
	g->head = q->recs[id].link;
	if (g->head == NONE)
		g->tail = NONE;
	g->visible--;
	q->v_len--;
	q->vis_tenant[q->recs[id].tenant]--;
	return id;
}

/* Fair queues: brings a group's (and the queue's) in-flight integral up
 * to now before its in-flight count changes. */
static void busy_update(struct sqs *q, struct qgroup *g, sim_time_t now)
{
	g->busy += (double)g->in_flight * sim_time_to_s(now - g->busy_at);
	g->busy_at = now;
	q->busy += (double)q->n_flight * sim_time_to_s(now - q->busy_at);
	q->busy_at = now;
}

static void set_noisy(struct sqs *q, struct sim *s, uint32_t gi, bool noisy)
{
	struct qgroup *g = &q->g[gi];
	if (g->noisy == noisy)
		return;
	g->noisy = noisy;
	if (noisy)
		q->n_noisy++;
	else
		q->n_noisy--;
	group_sync(q, s, gi);
}

/* Fair queues, rule 1 (concurrency share): more than in_flight_share of
 * the queue's in-flight messages and at least min_in_flight of its own.
 * Only a group with a backlog is noisy: one whose backlog drained is quiet
 * again at once. */
static void check_share(struct sqs *q, struct sim *s, uint32_t gi)
{
	struct qgroup *g = &q->g[gi];
	if (!g->visible) {
		set_noisy(q, s, gi, false);
		return;
	}
	if (!g->noisy && g->in_flight >= q->cfg->noisy_min_in_flight &&
	    (double)g->in_flight > q->cfg->noisy_share * (double)q->n_flight &&
	    s->now - g->last_sent < q->cfg->quiet_after)
		set_noisy(q, s, gi, true);
}

/* The detection pass runs this often (AWS detects in a distributed way;
 * the exact cadence is not published, and only the processing-time rule
 * and the silence rule wait for it). */
#define DETECT_EVERY SIM_S

static void on_detect(struct sim *s, void *target, uint64_t arg)
{
	struct sqs *q = target;
	(void)arg;
	double decay = exp(-sim_time_to_s(DETECT_EVERY) /
			   sim_time_to_s(q->cfg->noisy_window));
	q->busy += (double)q->n_flight * sim_time_to_s(s->now - q->busy_at);
	q->busy_at = s->now;
	q->busy_recent = q->busy_recent * decay + (q->busy - q->busy_seen);
	q->busy_seen = q->busy;
	for (uint32_t gi = 0; gi < q->n_g; gi++) {
		struct qgroup *g = &q->g[gi];
		if (g->last_sent < 0)
			continue;
		g->busy += (double)g->in_flight * sim_time_to_s(s->now - g->busy_at);
		g->busy_at = s->now;
		g->busy_recent = g->busy_recent * decay + (g->busy - g->busy_seen);
		g->busy_seen = g->busy;
		if (g->noisy && (!g->visible ||
				 s->now - g->last_sent >= q->cfg->quiet_after)) {
			set_noisy(q, s, gi, false);
			continue;
		}
		/* Rule 2 (processing-time share). */
		if (!g->noisy && g->visible && q->busy_recent > 0 &&
		    g->busy_recent > q->cfg->noisy_time_share * q->busy_recent &&
		    s->now - g->last_sent < q->cfg->quiet_after)
			set_noisy(q, s, gi, true);
	}
	sim_timer_start(s, &q->t_detect, s->now + DETECT_EVERY, on_detect, q, 0);
}

/* The group a fair queue serves next: the quiet group with the oldest
 * head, else the noisy group with the fewest in flight (then the oldest
 * head). NONE when nothing is visible. */
static uint32_t fair_pick(const struct sqs *q)
{
	if (q->n_ready)
		return q->ready[0];
	uint32_t best = NONE;
	if (!q->n_noisy)
		return NONE;
	for (uint32_t gi = 0; gi < q->n_g; gi++) {
		const struct qgroup *g = &q->g[gi];
		if (!g->noisy || !g->visible)
			continue;
		if (best == NONE || g->in_flight < q->g[best].in_flight ||
		    (g->in_flight == q->g[best].in_flight && ready_before(q, gi, best)))
			best = gi;
	}
	return best;
}

/* FIFO: one call of an action, if the budget allows (one second of calls
 * at most in hand). */
static bool api_call(struct sqs *q, struct api_bucket *b, sim_time_t now)
{
	b->tokens += q->api_rate * sim_time_to_s(now - b->at);
	if (b->tokens > q->api_rate)
		b->tokens = q->api_rate;
	b->at = now;
	if (b->tokens < 1.0)
		return false;
	b->tokens -= 1.0;
	return true;
}

/* When the next call of an action will be allowed. */
static sim_time_t api_next(const struct sqs *q, const struct api_bucket *b,
			   sim_time_t now)
{
	double t = b->tokens + q->api_rate * sim_time_to_s(now - b->at);
	return t >= 1.0 ? now : now + sim_time_from_s((1.0 - t) / q->api_rate) + 1;
}

/* In-flight deadlines ------------------------------------------------------- */

static void fl_push(struct sqs *q, struct flight e)
{
	if (q->fl_len == q->fl_cap) {
		size_t cap = q->fl_cap ? q->fl_cap * 2 : 64;
		struct flight *v = sim_xrealloc(NULL, cap * sizeof(*v));
		sim_prefault(v, cap * sizeof(*v)); /* the ring was full */
		for (size_t i = 0; i < q->fl_len; i++)
			v[i] = q->fl[(q->fl_head + i) & (q->fl_cap - 1)];
		free(q->fl);
		q->fl = v;
		q->fl_head = 0;
		q->fl_cap = cap;
	}
	q->fl[(q->fl_head + q->fl_len++) & (q->fl_cap - 1)] = e;
}

/* Whether ring entry e still stands for its message's deadline. */
static bool fl_current(const struct sqs *q, const struct flight *e)
{
	const struct msg_rec *r = &q->recs[e->id];
	return r->state == ST_IN_FLIGHT && r->link == e->receipt;
}

/* Drops entries at the head of the ring that no longer count. */
/* Drops the head of the in-flight ring. */
static void fl_pop(struct sqs *q)
{
	q->fl_head = (q->fl_head + 1) & (q->fl_cap - 1);
	q->fl_len--;
	if (q->fl_len > LOOKAHEAD)
		__builtin_prefetch(&q->recs[q->fl[(q->fl_head + LOOKAHEAD) &
						  (q->fl_cap - 1)].id]);
}

static void fl_trim(struct sqs *q)
{
	while (q->fl_len && !fl_current(q, &q->fl[q->fl_head]))
		fl_pop(q);
}

static size_t side_find(const struct sqs *q, uint32_t id)
{
	for (size_t i = 0; i < q->side_n; i++)
		if (q->side[i].id == id)
			return i;
	return SIZE_MAX;
}

static void side_remove(struct sqs *q, uint32_t id)
{
	size_t i = side_find(q, id);
	q->side[i] = q->side[--q->side_n];
}

/* Whether (id, receipt) names a message in flight now. */
static bool in_flight(const struct sqs *q, uint32_t id, uint32_t receipt)
{
	if (id >= q->n_hwm)
		return false;
	const struct msg_rec *r = &q->recs[id];
	return (r->state == ST_IN_FLIGHT || r->state == ST_IN_FLIGHT_SIDE) &&
	       r->link == receipt;
}

/* Takes message id out of flight (its deadline entry is dropped or left
 * stale). A FIFO group with nothing left in flight is ready again. */
static void leave_flight(struct sqs *q, struct sim *s, uint32_t id)
{
	if (q->recs[id].state == ST_IN_FLIGHT_SIDE)
		side_remove(q, id);
	if (q->grouped) {
		uint32_t gi = q->recs[id].group;
		struct qgroup *g = &q->g[gi];
		if (q->cfg->fair)
			busy_update(q, g, s->now);
		g->in_flight--;
		q->n_flight--;
		group_sync(q, s, gi);
		return;
	}
	q->n_flight--;
}

/* Moving messages ------------------------------------------------------------ */

static void on_deadline(struct sim *s, void *target, uint64_t arg);
static void on_delay(struct sim *s, void *target, uint64_t arg);
static void on_expiry(struct sim *s, void *target, uint64_t arg);

static bool expired(const struct sqs *q, const struct msg_rec *r, sim_time_t now)
{
	return now >= sim_time_add(r->sent_at, q->cfg->message_retention);
}

/* Drops message id at retention expiry. */
static void drop_expired(struct sqs *q, uint32_t id)
{
	struct sim_run *run = q->base.run;
	sim_run_tenant(run, q->recs[id].tenant)->expired++;
	q->win.expired++;
	q->life_expired++;
	rec_free(q, id);
}

static void on_wake(struct sim *s, void *target, uint64_t arg)
{
	struct sqs_waiter *w = target;
	(void)arg;
	w->wake(w, s);
}

static void unlink_waiter(struct sqs *q, struct sqs_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		q->w_first = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		q->w_last = w->prev;
	w->prev = w->next = NULL;
	w->waiting = false;
}

/* Wakes the consumer that has waited longest, if any. */
static void wake_one(struct sqs *q, struct sim *s)
{
	struct sqs_waiter *w = q->w_first;
	if (w) {
		unlink_waiter(q, w);
		sim_schedule(s, s->now, on_wake, w, 0);
	}
}

/* Message id becomes visible now, in a grouped queue at its place in its
 * group; wakes the longest waiting consumer (FIFO: when its group becomes
 * ready). */
static void make_visible_grouped(struct sqs *q, struct sim *s, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	r->state = ST_VISIBLE;
	group_push(q, id);
	if (q->v_len > q->win.max_visible)
		q->win.max_visible = q->v_len;
	sim_time_t at = sim_time_add(r->sent_at, q->cfg->message_retention);
	if (at < sim_timer_due(s, &q->t_expiry))
		sim_timer_start(s, &q->t_expiry, at, on_expiry, q, 0);
	group_sync(q, s, r->group);
	if (!q->cfg->fifo)
		wake_one(q, s);
}

/* Message id becomes visible now, at the back of the ring; wakes the
 * longest waiting consumer. */
static void make_visible(struct sqs *q, struct sim *s, uint32_t id)
{
	if (q->grouped) {
		make_visible_grouped(q, s, id);
		return;
	}
	q->recs[id].state = ST_VISIBLE;
	ring_push(q, id);
	if (q->v_len > q->win.max_visible)
		q->win.max_visible = q->v_len;
	/* The retention timer follows the head: start it when this message is
	 * the head, unless it is already due earlier (left from a head that
	 * was received since: it fires, finds nothing and re-arms). */
	if (q->v_len == 1) {
		sim_time_t at = sim_time_add(q->recs[id].sent_at,
					     q->cfg->message_retention);
		if (at < sim_timer_due(s, &q->t_expiry))
			sim_timer_start(s, &q->t_expiry, at, on_expiry, q, 0);
	}
	wake_one(q, s);
}

/* A message arrives (a send, a redrive or the initial backlog). */
static void enqueue(struct sqs *q, struct sim *s, const struct sim_msg *msg)
{
	uint32_t id = rec_take(q, msg);
	if (q->grouped)
		group_at(q, msg->group)->last_sent = s->now;
	if (q->cfg->delay <= 0) {
		make_visible(q, s, id);
		return;
	}
	q->recs[id].state = ST_DELAYED;
	if (q->grouped)
		q->g[msg->group].delayed++;
	if (q->d_len == q->d_cap) {
		size_t cap = q->d_cap ? q->d_cap * 2 : 64;
		struct delayed *v = sim_xrealloc(NULL, cap * sizeof(*v));
		for (size_t i = 0; i < q->d_len; i++)
			v[i] = q->dl[(q->d_head + i) & (q->d_cap - 1)];
		free(q->dl);
		q->dl = v;
		q->d_head = 0;
		q->d_cap = cap;
	}
	sim_time_t due = sim_time_add(s->now, q->cfg->delay);
	q->dl[(q->d_head + q->d_len++) & (q->d_cap - 1)] = (struct delayed){ due, id };
	if (!sim_timer_is_pending(&q->t_delay))
		sim_timer_start(s, &q->t_delay, due, on_delay, q, 0);
}

/* The in-flight message id (already out of the heap) is due: expired,
 * moved to the dead-letter queue, or visible again. */
static void give_back(struct sqs *q, struct sim *s, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	if (expired(q, r, s->now)) {
		drop_expired(q, id);
		return;
	}
	if (q->dlq && r->receives >= q->cfg->max_receive_count) {
		struct sim_msg msg = rec_msg(r);
		rec_free(q, id);
		sim_run_tenant(q->base.run, msg.tenant)->dead_lettered++;
		q->win.to_dlq++;
		q->life_to_dlq++;
		q->dlq->life_in++;
		enqueue(q->dlq, s, &msg);
		return;
	}
	make_visible(q, s, id);
}

/* Starts the deadline timer for the earliest current deadline if it is
 * before the timer's. */
static void arm_deadline(struct sqs *q, struct sim *s)
{
	fl_trim(q);
	sim_time_t next = q->fl_len ? q->fl[q->fl_head].deadline : SIM_TIME_MAX;
	for (size_t i = 0; i < q->side_n; i++)
		if (q->side[i].deadline < next)
			next = q->side[i].deadline;
	if (next < sim_timer_due(s, &q->t_deadline))
		sim_timer_start(s, &q->t_deadline, next, on_deadline, q, 0);
}

static void on_deadline(struct sim *s, void *target, uint64_t arg)
{
	struct sqs *q = target;
	(void)arg;
	for (;;) {
		fl_trim(q);
		if (!q->fl_len || q->fl[q->fl_head].deadline > s->now)
			break;
		uint32_t id = q->fl[q->fl_head].id;
		fl_pop(q);
		leave_flight(q, s, id);
		give_back(q, s, id);
	}
	for (size_t i = 0; i < q->side_n;) {
		if (q->side[i].deadline > s->now) {
			i++;
			continue;
		}
		uint32_t id = q->side[i].id;
		leave_flight(q, s, id); /* swaps the last entry into i */
		give_back(q, s, id);
	}
	arm_deadline(q, s);
}

static void on_delay(struct sim *s, void *target, uint64_t arg)
{
	struct sqs *q = target;
	(void)arg;
	while (q->d_len && q->dl[q->d_head].due <= s->now) {
		uint32_t id = q->dl[q->d_head].id;
		q->d_head = (q->d_head + 1) & (q->d_cap - 1);
		q->d_len--;
		if (q->grouped)
			q->g[q->recs[id].group].delayed--;
		if (expired(q, &q->recs[id], s->now))
			drop_expired(q, id);
		else
			make_visible(q, s, id);
	}
	if (q->d_len)
		sim_timer_start(s, &q->t_delay, q->dl[q->d_head].due, on_delay,
				q, 0);
}

/* Grouped queues: drops the expired heads of every group and follows
 * the earliest remaining head. */
static void expire_groups(struct sqs *q, struct sim *s)
{
	sim_time_t next = SIM_TIME_MAX;
	for (uint32_t gi = 0; gi < q->n_g; gi++) {
		struct qgroup *g = &q->g[gi];
		if (!g->visible)
			continue;
		bool dropped = false;
		while (g->visible && expired(q, &q->recs[g->head], s->now)) {
			drop_expired(q, group_pop(q, gi));
			dropped = true;
		}
		if (dropped) {
			if (q->cfg->fair && !g->visible)
				set_noisy(q, s, gi, false);
			group_sync(q, s, gi);
		}
		if (g->visible) {
			sim_time_t at = sim_time_add(q->recs[g->head].sent_at,
						     q->cfg->message_retention);
			if (at < next)
				next = at;
		}
	}
	if (next != SIM_TIME_MAX)
		sim_timer_start(s, &q->t_expiry, next, on_expiry, q, 0);
}

static void on_expiry(struct sim *s, void *target, uint64_t arg)
{
	struct sqs *q = target;
	(void)arg;
	if (q->grouped) {
		expire_groups(q, s);
		return;
	}
	while (q->v_len && expired(q, &q->recs[q->vis[q->v_head]], s->now))
		drop_expired(q, ring_pop(q));
	if (q->v_len)
		sim_timer_start(s, &q->t_expiry,
				sim_time_add(q->recs[q->vis[q->v_head]].sent_at,
					     q->cfg->message_retention),
				on_expiry, q, 0);
}

/* The API of sqs.h ------------------------------------------------------------ */

struct sqs *sqs_from_model(struct model *m)
{
	return m && m->ops == &sqs_ops ? (struct sqs *)m : NULL;
}

/* Message id (taken off the visible set) becomes in flight until
 * `deadline`; written to *out. */
static void take(struct sqs *q, struct sim *s, uint32_t id, sim_time_t deadline,
		 struct sqs_received *out)
{
	struct msg_rec *r = &q->recs[id];
	r->state = ST_IN_FLIGHT;
	if (r->receives < MAX_RECEIVES)
		r->receives++;
	if (++q->receipt == 0)
		q->receipt = 1;
	r->link = q->receipt;
	if (q->grouped) {
		struct qgroup *g = &q->g[r->group];
		if (q->cfg->fair)
			busy_update(q, g, s->now);
		g->in_flight++;
	}
	q->n_flight++;
	fl_push(q, (struct flight){ deadline, id, q->receipt });
	out->id = id;
	out->receipt = q->receipt;
	out->receive_count = r->receives;
	rec_msg_into(r, &out->msg);
}

/* ReceiveMessage on a grouped queue. FIFO: from the ready group with the
 * oldest head, as many as it has, then the next ready group. Fair: one
 * message at a time from fair_pick (quiet groups oldest first, then the
 * noisy group with the fewest in flight). */
static size_t receive_grouped(struct sqs *q, struct sim *s,
			      struct sqs_received *out, size_t max,
			      uint64_t max_bytes, sim_time_t deadline)
{
	size_t n = 0;
	uint64_t bytes = 0;
	bool fifo = q->cfg->fifo;
	while (n < max && q->n_flight < IN_FLIGHT_LIMIT) {
		uint32_t gi = fifo ? (q->n_ready ? q->ready[0] : NONE) : fair_pick(q);
		if (gi == NONE)
			break;
		struct qgroup *g = &q->g[gi];
		bool full = false;
		do {
			struct msg_rec *r = &q->recs[g->head];
			if (expired(q, r, s->now)) {
				drop_expired(q, group_pop(q, gi));
				continue;
			}
			if (max_bytes && n && bytes + r->size > max_bytes) {
				full = true;
				break;
			}
			bytes += r->size;
			take(q, s, group_pop(q, gi), deadline, &out[n++]);
		} while (fifo && n < max && g->visible && q->n_flight < IN_FLIGHT_LIMIT);
		if (q->cfg->fair)
			check_share(q, s, gi);
		group_sync(q, s, gi);
		if (full)
			break;
	}
	return n;
}

size_t sqs_receive(struct sqs *q, struct sim *s, struct sqs_received *out,
		   size_t max, uint64_t max_bytes)
{
	if (!max)
		return 0;
	if (q->cfg->fifo && !api_call(q, &q->recv_b, s->now)) {
		q->win.throttled++;
		return 0;
	}
	if (q->n_flight >= IN_FLIGHT_LIMIT) {
		q->win.over_limit++;
		return 0;
	}
	size_t n = 0;
	sim_time_t deadline = sim_time_add(s->now, q->cfg->visibility_timeout);
	if (q->grouped) {
		n = receive_grouped(q, s, out, max, max_bytes, deadline);
	} else {
		uint64_t bytes = 0;
		while (n < max && q->v_len && q->n_flight < IN_FLIGHT_LIMIT) {
			uint32_t id = q->vis[q->v_head];
			if (q->v_len > LOOKAHEAD)
				__builtin_prefetch(&q->recs[q->vis[(q->v_head + LOOKAHEAD) &
								   (q->v_cap - 1)]]);
			struct msg_rec *r = &q->recs[id];
			if (expired(q, r, s->now)) {
				drop_expired(q, ring_pop(q));
				continue;
			}
			if (max_bytes && n && bytes + r->size > max_bytes)
				break;
			ring_pop(q);
			bytes += r->size;
			take(q, s, id, deadline, &out[n++]);
		}
	}
	q->win.received += n;
	q->tick.received += n;
	if (n) {
		arm_deadline(q, s);
		/* One request, more if the payload spans several chunks (a
		 * receive that ends empty is billed by sqs_count_empty_receive). */
		uint64_t bytes = 0;
		for (size_t i = 0; i < n; i++)
			bytes += out[i].msg.size;
		q->win.requests += bytes > BILL_CHUNK ? (bytes + BILL_CHUNK - 1) / BILL_CHUNK : 1;
	}
	return n;
}

void sqs_count_empty_receive(struct sqs *q)
{
	q->win.empty++;
	q->tick.empty++;
	q->win.requests++;
}

size_t sqs_visible(const struct sqs *q)
{
	return q->v_len;
}

bool sqs_receivable(const struct sqs *q)
{
	return q->cfg->fifo ? q->n_ready > 0 : q->v_len > 0;
}

size_t sqs_in_flight(const struct sqs *q)
{
	return q->n_flight;
}

size_t sqs_delayed(const struct sqs *q)
{
	return q->d_len;
}

void sqs_wait(struct sqs *q, struct sim *s, struct sqs_waiter *w)
{
	SIM_ASSERT(s, !w->waiting && w->wake);
	if (sqs_receivable(q)) {
		/* A FIFO queue out of receive calls wakes the consumer when
		 * the next call is allowed. */
		sim_time_t at = q->cfg->fifo ? api_next(q, &q->recv_b, s->now) : s->now;
		sim_schedule(s, at, on_wake, w, 0);
		return;
	}
	w->waiting = true;
	w->next = NULL;
	w->prev = q->w_last;
	if (q->w_last)
		q->w_last->next = w;
	else
		q->w_first = w;
	q->w_last = w;
}

void sqs_unwait(struct sqs *q, struct sqs_waiter *w)
{
	if (w->waiting)
		unlink_waiter(q, w);
}

/* DeleteMessage without billing it; `done` counts the tenant's delivery. */
static bool delete_msg(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt,
		       bool done)
{
	if (!in_flight(q, id, receipt))
		return false;
	leave_flight(q, s, id);
	q->win.deleted++;
	q->tick.deleted++;
	q->life_deleted++;
	struct sim_msg msg = rec_msg(&q->recs[id]);
	if (done)
		sim_run_delivered(q->base.run, &msg);
	if (q->cfg->fifo) {
		/* The order check: a group's messages are deleted in the
		 * order they arrived. */
		struct qgroup *g = &q->g[msg.group];
		uint32_t v = q->seq[id];
		if (g->done_any && (int32_t)(v - g->done_seq) < 0)
			q->out_of_order++;
		g->done_seq = v;
		g->done_any = true;
	}
	rec_free(q, id);
	return true;
}

static bool delete_one(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	return delete_msg(q, s, id, receipt, true);
}

bool sqs_hand_off(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	q->win.requests++;
	return delete_msg(q, s, id, receipt, false);
}

bool sqs_remove(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	return delete_msg(q, s, id, receipt, false);
}

bool sqs_delete(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	q->win.requests++;
	return delete_one(q, s, id, receipt);
}

static size_t delete_batch(struct sqs *q, struct sim *s, const struct sqs_received *items,
			   const bool *skip, size_t n, bool done)
{
	size_t calls = 0, deleted = 0;
	/* The records were last read at the receive: ask for them all first,
	 * so their cache misses overlap instead of queueing. */
	for (size_t i = 0; i < n; i++)
		if (items[i].id < q->n_recs)
			__builtin_prefetch(&q->recs[items[i].id]);
	for (size_t i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		calls++;
		deleted += delete_msg(q, s, items[i].id, items[i].receipt, done);
	}
	/* DeleteMessageBatch takes 10 entries per request. */
	q->win.requests += (calls + 9) / 10;
	return deleted;
}

size_t sqs_delete_batch(struct sqs *q, struct sim *s,
			const struct sqs_received *items, const bool *skip,
			size_t n)
{
	return delete_batch(q, s, items, skip, n, true);
}

size_t sqs_hand_off_batch(struct sqs *q, struct sim *s, const struct sqs_received *items,
			  const bool *skip, size_t n)
{
	return delete_batch(q, s, items, skip, n, false);
}

bool sqs_change_visibility(struct sqs *q, struct sim *s, uint32_t id,
			   uint32_t receipt, sim_time_t timeout)
{
	SIM_ASSERT(s, timeout >= 0);
	q->win.requests++;
	if (!in_flight(q, id, receipt))
		return false;
	if (timeout == 0) {
		leave_flight(q, s, id);
		give_back(q, s, id);
		return true;
	}
	sim_time_t deadline = sim_time_add(s->now, timeout);
	struct msg_rec *r = &q->recs[id];
	if (r->state == ST_IN_FLIGHT_SIDE) {
		q->side[side_find(q, id)].deadline = deadline;
	} else {
		/* The ring entry goes stale (the record is no longer
		 * ST_IN_FLIGHT); the new deadline lives in the side list. */
		r->state = ST_IN_FLIGHT_SIDE;
		if (q->side_n == q->side_cap) {
			q->side_cap = q->side_cap ? q->side_cap * 2 : 16;
			q->side = sim_xrealloc(q->side, q->side_cap * sizeof(*q->side));
		}
		q->side[q->side_n++] = (struct flight){ deadline, id, receipt };
	}
	/* A later deadline than the timer's is found when it fires. */
	arm_deadline(q, s);
	return true;
}

bool sqs_is_fifo(const struct sqs *q)
{
	return q->cfg->fifo;
}

sim_time_t sqs_visibility_timeout(const struct sqs *q)
{
	return q->cfg->visibility_timeout;
}

/* Model operations ------------------------------------------------------------ */

static void sqs_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct sqs *q = (struct sqs *)m;
	if ((double)msg->size > q->cfg->max_message_size) {
		q->win.rejected++;
		sim_run_rejected(m->run, msg);
		return;
	}
	if (q->cfg->fifo && !api_call(q, &q->send_b, s->now)) {
		/* ThrottlingException: the message is not accepted. */
		q->win.throttled++;
		sim_run_rejected(m->run, msg);
		return;
	}
	q->win.sent++;
	q->tick.sent++;
	q->life_sent++;
	q->win.requests += msg->size > BILL_CHUNK
				   ? (msg->size + BILL_CHUNK - 1) / BILL_CHUNK : 1;
	enqueue(q, s, msg);
}

static struct model *sqs_create(const void *config, const char *name,
				struct sim_run *run)
{
	struct sqs *q = calloc(1, sizeof(*q));
	if (!q)
		return NULL;
	q->cfg = config;
	q->free_head = NONE;
	q->emptied_at = -1;
	q->drain = -1;
	(void)name;
	(void)run;
	return &q->base;
}

/* A link error at key `key` of the table `sub` of this resource, with the
 * position of the key's value. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void link_error(struct model *m, const char *sub, const char *key,
		       const char *fmt, ...)
{
	const struct cfg_node *n = cfg_get(cfg_get(m->node, sub), key);
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(m->run->diag, n->file, n->line, n->col,
		   "resources.%s.%s.%s: %s", m->name, sub, key, msg);
}

/* " (did you mean 'x'?)" for the closest of names (NULL-terminated), or "". */
static void hint(char *buf, size_t size, const char *word,
		 const char *const *names)
{
	const char *h = diag_suggest(word, names);
	if (h)
		snprintf(buf, size, " (did you mean '%s'?)", h);
	else
		buf[0] = '\0';
}

/* The queue the dead_letter of m names, when that is another sqs queue. */
static struct model *dlq_of(struct sim_run *run, const struct model *m)
{
	const char *name = ((const struct sqs *)m)->cfg->dlq;
	struct model *t = name ? sim_run_find(run, name) : NULL;
	return t && t != m && t->ops == &sqs_ops ? t : NULL;
}

/* A chain of dead-letter queues that comes back to m (a -> b -> a): refused
 * like a queue that is its own dead-letter queue. Each queue has at most
 * one dead-letter queue, so following the chain from m finds the cycle if
 * m is on one, within as many steps as there are resources; it is reported
 * once, at the queue of the cycle that comes first in the scenario. */
static bool dlq_cycle(struct model *m, struct sim_run *run)
{
	struct model *t = dlq_of(run, m);
	size_t steps = 0;
	while (t && t != m && t->index > m->index && steps++ < run->n_resources)
		t = dlq_of(run, t);
	if (t != m)
		return false;
	char names[512];
	snprintf(names, sizeof(names), "%s", m->name);
	t = m;
	do {
		t = dlq_of(run, t);
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 " -> %s", t->name);
	} while (t != m);
	link_error(m, "dead_letter", "target",
		   "the dead-letter queues form a cycle (%s); a queue cannot be its own dead-letter queue, even through others",
		   names);
	return true;
}

static int sqs_link(struct model *m, struct sim_run *run)
{
	struct sqs *q = (struct sqs *)m;
	const struct sqs_config *c = q->cfg;
	char h[300];
	int rc = 0;
	if (c->dlq) {
		struct model *t = sim_run_find(run, c->dlq);
		if (!t) {
			/* Suggest among the other queues. */
			const char **names = sim_xcalloc(run->n_resources + 1,
							 sizeof(*names));
			size_t k = 0;
			for (size_t i = 0; i < run->n_resources; i++)
				if (run->resources[i] != m &&
				    run->resources[i]->ops == &sqs_ops)
					names[k++] = run->resources[i]->name;
			hint(h, sizeof(h), c->dlq, names);
			free(names);
			link_error(m, "dead_letter", "target",
				   "no resource named '%s'%s", c->dlq, h);
			rc = -1;
		} else if (t == m) {
			link_error(m, "dead_letter", "target",
				   "a queue cannot be its own dead-letter queue");
			rc = -1;
		} else if (t->ops != &sqs_ops) {
			link_error(m, "dead_letter", "target",
				   "'%s' is a %s, not an sqs queue", c->dlq,
				   t->ops->name);
			rc = -1;
		} else if (((struct sqs *)t)->cfg->fifo != c->fifo) {
			/* "Redrive" in FACTS: the dead-letter queue's type must
			 * match its source's. */
			link_error(m, "dead_letter", "target",
				   "'%s' is a %s queue; the dead-letter queue of a %s queue must be %s too",
				   c->dlq, c->fifo ? "standard" : "FIFO",
				   c->fifo ? "FIFO" : "standard",
				   c->fifo ? "FIFO" : "standard");
			rc = -1;
		} else if (dlq_cycle(m, run)) {
			rc = -1;
		} else {
			q->dlq = (struct sqs *)t;
		}
	}
	if (c->backlog_tenant) {
		long t = scenario_find_tenant(run->scn, c->backlog_tenant);
		if (t < 0) {
			const char **names = sim_xcalloc(run->scn->n_tenants + 1,
							 sizeof(*names));
			for (size_t i = 0; i < run->scn->n_tenants; i++)
				names[i] = run->scn->tenants[i].name;
			hint(h, sizeof(h), c->backlog_tenant, names);
			free(names);
			link_error(m, "initial_backlog", "tenant",
				   "no tenant named '%s'%s", c->backlog_tenant, h);
			rc = -1;
		} else {
			q->backlog_tenant = (uint32_t)t;
		}
	}
	return rc;
}

static void sqs_start(struct model *m, struct sim *s)
{
	struct sqs *q = (struct sqs *)m;
	const struct sqs_config *c = q->cfg;
	q->n_tenants = m->run->n_tenants;
	if (q->n_tenants > MAX_TENANTS) {
		sim_run_fail(m->run, "%s: more than %u tenants", m->name, MAX_TENANTS);
		q->n_tenants = 0;
	}
	q->vis_tenant = sim_xcalloc(q->n_tenants, sizeof(*q->vis_tenant));
	q->seen_tenant = sim_xcalloc(q->n_tenants, sizeof(*q->seen_tenant));
	q->in_tenant = sim_xcalloc(q->n_tenants, sizeof(*q->in_tenant));
	q->out_tenant = sim_xcalloc(q->n_tenants, sizeof(*q->out_tenant));
	q->grouped = c->fifo || c->fair;
	if (c->fifo) {
		/* 300 calls/s per action, or 70,000/s in high-throughput mode
		 * (us-east-1, us-west-2, eu-west-1): FACTS "FIFO throughput
		 * (normal)" and "FIFO high-throughput mode". */
		q->api_rate = c->api_rate > 0 ? c->api_rate
			      : c->high_throughput ? 70000.0 : 300.0;
		q->send_b = q->recv_b = (struct api_bucket){ q->api_rate, s->now };
	}
	if (c->fair)
		sim_timer_start(s, &q->t_detect, s->now + DETECT_EVERY, on_detect, q, 0);
	int64_t n = c->backlog_count;
	if (n <= 0)
		return;
	/* Sized exactly: a large backlog then costs 32 bytes a record plus
	 * a ring slot, with no doubling slack in the pool. */
	pool_reserve(q, (size_t)n);
	if (!q->grouped)
		ring_reserve(q, (size_t)n);
	for (int64_t i = 0; i < n; i++) {
		struct sim_msg msg = tenant_make_message(m->run, q->backlog_tenant,
							 s->now);
		if ((double)msg.size > c->max_message_size) {
			/* Could not have been sent: rejected like a send. */
			q->win.rejected++;
			sim_run_rejected(m->run, &msg);
			continue;
		}
		uint32_t id = rec_take(q, &msg);
		if (q->grouped)
			group_at(q, msg.group)->last_sent = s->now;
		make_visible(q, s, id);
		q->life_backlog++;
	}
}

static void sqs_restart(struct model *m, struct sim *s)
{
	struct sqs *q = (struct sqs *)m;
	(void)s;
	q->win = (struct sqs_counts){ .max_visible = q->v_len };
}

/* The fair-queue metrics: quiet groups are the ones not marked noisy. */
static void sample_fair(struct sqs *q, struct sim *s, struct sim_recorder *rec)
{
	const char *name = q->base.name;
	uint64_t vis = 0, flight = 0, delayed = 0;
	sim_time_t oldest = SIM_TIME_MAX;
	for (size_t gi = 0; gi < q->n_g; gi++) {
		const struct qgroup *g = &q->g[gi];
		if (g->noisy)
			continue;
		vis += g->visible;
		flight += g->in_flight;
		delayed += g->delayed;
		if (g->visible && q->recs[g->head].sent_at < oldest)
			oldest = q->recs[g->head].sent_at;
	}
	sim_recorder_put(rec, s->now, name, "ApproximateNumberOfNoisyGroups",
			 (double)q->n_noisy);
	sim_recorder_put(rec, s->now, name,
			 "ApproximateNumberOfMessagesVisibleInQuietGroups", (double)vis);
	sim_recorder_put(rec, s->now, name,
			 "ApproximateNumberOfMessagesNotVisibleInQuietGroups",
			 (double)flight);
	sim_recorder_put(rec, s->now, name,
			 "ApproximateNumberOfMessagesDelayedInQuietGroups",
			 (double)delayed);
	sim_recorder_put(rec, s->now, name,
			 "ApproximateAgeOfOldestMessageInQuietGroups",
			 oldest == SIM_TIME_MAX ? 0.0 : sim_time_to_s(s->now - oldest));
}

static void sqs_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct sqs *q = (struct sqs *)m;
	const char *name = m->name;
	sim_recorder_put(rec, s->now, name, "ApproximateNumberOfMessagesVisible",
			 (double)q->v_len);
	sim_recorder_put(rec, s->now, name, "ApproximateNumberOfMessagesNotVisible",
			 (double)q->n_flight);
	sim_recorder_put(rec, s->now, name, "ApproximateNumberOfMessagesDelayed",
			 (double)q->d_len);
	sim_recorder_put(rec, s->now, name, "ApproximateAgeOfOldestMessage",
			 q->v_len ? sim_time_to_s(s->now - oldest_visible(q)) : 0.0);
	sim_recorder_put(rec, s->now, name, "NumberOfMessagesSent",
			 (double)q->tick.sent);
	sim_recorder_put(rec, s->now, name, "NumberOfMessagesReceived",
			 (double)q->tick.received);
	sim_recorder_put(rec, s->now, name, "NumberOfMessagesDeleted",
			 (double)q->tick.deleted);
	sim_recorder_put(rec, s->now, name, "NumberOfEmptyReceives",
			 (double)q->tick.empty);
	q->tick = (struct sqs_counts){ 0 };
	if (q->cfg->fair)
		sample_fair(q, s, rec);
	/* Each tenant's visible backlog, for tenants that used the queue. */
	for (size_t t = 0; t < q->n_tenants; t++) {
		if (!q->seen_tenant[t])
			continue;
		char metric[300];
		snprintf(metric, sizeof(metric),
			 "ApproximateNumberOfMessagesVisible{tenant=%s}",
			 m->run->tenants[t]->name);
		sim_recorder_put(rec, s->now, name, metric, (double)q->vis_tenant[t]);
	}
}

/* Conservation per tenant: what arrived = what left + the records still
 * held, counted afresh from the pool. */
static void check_tenants(struct sqs *q)
{
	if (!q->n_tenants)
		return;
	uint64_t *held = sim_xcalloc(q->n_tenants, sizeof(*held));
	/* The records still held, by tenant (none when the queue is empty,
	 * which sqs_finish has checked against the counts: no scan). */
	for (size_t id = 0; q->n_used && id < q->n_hwm; id++)
		if (q->recs[id].state != ST_FREE && q->recs[id].tenant < q->n_tenants)
			held[q->recs[id].tenant]++;
	for (size_t t = 0; t < q->n_tenants; t++) {
		if (q->in_tenant[t] == q->out_tenant[t] + held[t])
			continue;
		sim_run_fail(q->base.run,
			     "%s: messages of tenant '%s' not conserved: arrived %llu != left %llu + held %llu",
			     q->base.name, q->base.run->tenants[t]->name,
			     (unsigned long long)q->in_tenant[t],
			     (unsigned long long)q->out_tenant[t],
			     (unsigned long long)held[t]);
		break;
	}
	free(held);
}

static void sqs_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct sqs *q = (struct sqs *)m;
	const char *name = m->name;
	(void)s;
	uint64_t in = q->life_sent + q->life_in + q->life_backlog;
	uint64_t out = q->life_deleted + q->life_to_dlq + q->life_expired +
		       q->v_len + q->n_flight + q->d_len;
	if (in != out || q->n_used != q->v_len + q->n_flight + q->d_len)
		sim_run_fail(m->run,
			     "%s: messages not conserved: sent %llu + redriven in %llu + backlog %llu != deleted %llu + moved to DLQ %llu + expired %llu + visible %zu + in flight %u + delayed %zu (records in use %zu)",
			     name, (unsigned long long)q->life_sent,
			     (unsigned long long)q->life_in,
			     (unsigned long long)q->life_backlog,
			     (unsigned long long)q->life_deleted,
			     (unsigned long long)q->life_to_dlq,
			     (unsigned long long)q->life_expired, q->v_len,
			     q->n_flight, q->d_len, q->n_used);
	check_tenants(q);
	const struct sqs_counts *w = &q->win;
	sim_results_put(res, name, "NumberOfMessagesSent", "count", (double)w->sent);
	sim_results_put(res, name, "NumberOfMessagesReceived", "count",
			(double)w->received);
	sim_results_put(res, name, "NumberOfMessagesDeleted", "count",
			(double)w->deleted);
	sim_results_put(res, name, "NumberOfEmptyReceives", "count", (double)w->empty);
	sim_results_put(res, name, "NumberOfMessagesMovedToDLQ", "count",
			(double)w->to_dlq);
	sim_results_put(res, name, "NumberOfMessagesExpired", "count",
			(double)w->expired);
	sim_results_put(res, name, "NumberOfMessagesRejected", "count",
			(double)w->rejected);
	sim_results_put(res, name, "OverLimit", "count", (double)w->over_limit);
	if (q->cfg->fifo) {
		sim_results_put(res, name, "Throttled", "count", (double)w->throttled);
		/* Whole replication: deletes that overtook an earlier message of
		 * their group (0 unless ordering is broken). */
		sim_results_put(res, name, "OutOfOrderDeletes", "count",
				(double)q->out_of_order);
	}
	/* Usage: every API request, empty receives included (FACTS 4,
	 * "Price, standard" / "Price, FIFO"); a fair queue's surcharge is
	 * UNCONFIRMED (FACTS 4, "Fair-queue surcharge"). */
	sim_results_meter(res, name, "Amazon SQS", "Requests", "request",
			  q->cfg->fifo ? "sqs.requests.fifo" : "sqs.requests.standard",
			  (double)w->requests);
	if (q->cfg->fair)
		sim_results_meter(res, name, "Amazon SQS", "FairQueueRequests",
				  "request", "sqs.requests.fair_surcharge",
				  (double)w->requests);
	if (q->cfg->fair)
		sim_results_put(res, name, "ApproximateNumberOfNoisyGroups", "groups",
				(double)q->n_noisy);
	sim_results_put(res, name, "MaxNumberOfMessagesVisible", "messages",
			(double)q->win.max_visible);
	sim_results_put(res, name, "ApproximateNumberOfMessagesVisible",
			"messages", (double)q->v_len);
	sim_results_put(res, name, "ApproximateNumberOfMessagesNotVisible",
			"messages", (double)q->n_flight);
	sim_results_put(res, name, "ApproximateNumberOfMessagesDelayed",
			"messages", (double)q->d_len);
	/* When the queue last became empty (nothing visible, in flight or
	 * delayed): the end of a burst's drain. Empty when never used or
	 * not empty at the end. */
	sim_results_put(res, name, "EmptiedAt", "s",
			q->emptied_at >= 0 ? sim_time_to_s(q->emptied_at) : NAN);
	/* How long the last backlog took to clear, from the first message
	 * into an empty queue to the queue empty again (a burst's drain
	 * time): 0 when never used, empty (NAN) when not empty at the end. */
	sim_results_put(res, name, "DrainTime", "s",
			q->n_used ? NAN : q->drain >= 0 ? sim_time_to_s(q->drain) : 0.0);
}

static void sqs_destroy(struct model *m)
{
	struct sqs *q = (struct sqs *)m;
	if (!q)
		return;
	/* The run's sim outlives its models and forgets pending timers when
	 * it finishes, writing into them: take ours out first. */
	if (m->run) {
		sim_timer_cancel(&m->run->sim, &q->t_deadline);
		sim_timer_cancel(&m->run->sim, &q->t_delay);
		sim_timer_cancel(&m->run->sim, &q->t_expiry);
		sim_timer_cancel(&m->run->sim, &q->t_detect);
	}
	free(q->g);
	free(q->ready);
	free(q->vis_tenant);
	free(q->seen_tenant);
	free(q->in_tenant);
	free(q->out_tenant);
	free(q->recs);
	free(q->seq);
	free(q->vis);
	free(q->sp);
	free(q->dl);
	free(q->fl);
	free(q->side);
	free(q);
}

/* What the reports show of a queue (sim/report_desc.h). */
static const struct model_series sqs_series[] = {
	{ &plot_queue_depth, METRIC_VISIBLE, "visible", false },
	{ &plot_queue_depth, METRIC_NOT_VISIBLE, "in flight", false },
	{ &plot_age_of_oldest, METRIC_AGE_OF_OLDEST, "oldest", false },
};

static void sqs_facts(const struct scenario *scn, const struct scn_entry *e,
		      struct model_facts *f)
{
	(void)scn;
	const struct cfg_node *dl = cfg_get(e->node, "dead_letter");
	double limit;
	const char *lim = desc_scalar(e->node, "max_message_size");
	f->roles = MODEL_QUEUE;
	f->dead_letter = dl ? desc_scalar(dl, "target") : NULL;
	f->max_receive_count = dl ? desc_count(dl, "max_receive_count") : -1;
	if (lim && !sim_parse_size(lim, &limit)) {
		f->max_size_text = lim;
		f->max_size = limit;
	}
	f->visibility_timeout = desc_seconds(e->node, "visibility_timeout");
	f->retention = desc_seconds(e->node, "message_retention");
	f->retention_key = "message_retention"; /* FACTS 4 "Retention": 14 days at most */
	const char *fifo = desc_scalar(e->node, "fifo");
	f->ordered = fifo && !strcmp(fifo, "true");
}

static void sqs_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *dl = cfg_get(e->node, "dead_letter");
	const struct cfg_node *dt = dl ? cfg_get(dl, "target") : NULL;
	if (dt)
		k->edge(k, e->name, dt->value, "dead-letter queue", NULL);
}

static const struct model_report sqs_report = {
	.series = sqs_series,
	.n_series = sizeof(sqs_series) / sizeof(sqs_series[0]),
	.facts = sqs_facts,
	.edges = sqs_edges,
};

const struct model_ops sqs_ops = {
	.name = "sqs",
	.help = "SQS queue (standard, fair or FIFO): visibility timeout, delay, retention, dead-letter queue",
	.schema = &sqs_schema,
	.config_size = sizeof(struct sqs_config),
	.create = sqs_create,
	.link = sqs_link,
	.start = sqs_start,
	.restart = sqs_restart,
	.sample = sqs_sample,
	.finish = sqs_finish,
	.destroy = sqs_destroy,
	.accept = sqs_accept,
	.report = &sqs_report,
};
