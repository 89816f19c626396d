/* sqs.c - an Amazon SQS standard queue: SendMessage, ReceiveMessage,
 * DeleteMessage, ChangeMessageVisibility, delay, retention, in-flight limit,
 * long-poll waiters and a dead-letter queue (redrive). The calls other models
 * make are in sqs.h; tenants send through model_ops.accept.
 *
 * A message is in exactly one of four places:
 *   delayed    accepted, visible after `delay` (a FIFO: the delay is constant,
 *              so due times are in accept order; one timer for the head),
 *   visible    a FIFO ring of ids in the order they became visible; receive
 *              takes from the head, returning messages go to the back,
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

#include "models/registry.h"
#include "models/sqs.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/run.h"

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
};

static const struct scn_schema sqs_schema = {
	.name = "sqs",
	.fields = sqs_fields,
	.n = sizeof(sqs_fields) / sizeof(sqs_fields[0]),
};

enum msg_state {
	ST_FREE,
	ST_DELAYED,
	ST_VISIBLE,
	ST_IN_FLIGHT,      /* in flight, its deadline in the ring */
	ST_IN_FLIGHT_SIDE, /* in flight, its deadline changed: in the side list */
};

#define NONE UINT32_MAX
#define MAX_RECEIVES ((1u << 28) - 1)

/* One message in the pool. */
struct msg_rec {
	struct sim_msg msg;        /* as sent */
	uint32_t link;             /* in flight: receipt of the current receive; free: next free id */
	unsigned int receives : 28;/* ApproximateReceiveCount (saturating) */
	unsigned int state : 4;    /* enum msg_state */
};

_Static_assert(sizeof(struct msg_rec) == 24, "message record must stay 24 bytes");

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
};

/* The message pool ------------------------------------------------------ */

/* Grows the pool to hold at least `want` records. New records are not
 * touched: rec_take hands them out in order above the high-water mark, so
 * pages of a doubled pool become resident only when used. */
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
		id = (uint32_t)q->n_hwm++;
	}
	struct msg_rec *r = &q->recs[id];
	r->msg = *msg;
	r->link = NONE;
	r->receives = 0;
	q->n_used++;
	q->emptied_at = -1;
	return id;
}

static void rec_free(struct sqs *q, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	r->state = ST_FREE;
	r->link = q->free_head;
	q->free_head = id;
	if (--q->n_used == 0)
		q->emptied_at = q->base.run->sim.now;
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
	return q->recs[q->vis[i]].msg.sent_at;
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
	sim_time_t x = q->recs[id].msg.sent_at;
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
	return id;
}

/* Oldest sent_at among visible messages; the ring must not be empty. */
static sim_time_t oldest_visible(const struct sqs *q)
{
	return sent_at_pos(q, q->sp[q->sp_head].first);
}

/* In-flight deadlines ------------------------------------------------------- */

static void fl_push(struct sqs *q, struct flight e)
{
	if (q->fl_len == q->fl_cap) {
		size_t cap = q->fl_cap ? q->fl_cap * 2 : 64;
		struct flight *v = sim_xrealloc(NULL, cap * sizeof(*v));
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
static void fl_trim(struct sqs *q)
{
	while (q->fl_len && !fl_current(q, &q->fl[q->fl_head])) {
		q->fl_head = (q->fl_head + 1) & (q->fl_cap - 1);
		q->fl_len--;
	}
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
 * stale). */
static void leave_flight(struct sqs *q, uint32_t id)
{
	if (q->recs[id].state == ST_IN_FLIGHT_SIDE)
		side_remove(q, id);
	q->n_flight--;
}

/* Moving messages ------------------------------------------------------------ */

static void on_deadline(struct sim *s, void *target, uint64_t arg);
static void on_delay(struct sim *s, void *target, uint64_t arg);
static void on_expiry(struct sim *s, void *target, uint64_t arg);

static bool expired(const struct sqs *q, const struct msg_rec *r, sim_time_t now)
{
	return now >= sim_time_add(r->msg.sent_at, q->cfg->message_retention);
}

/* Drops message id at retention expiry. */
static void drop_expired(struct sqs *q, uint32_t id)
{
	struct sim_run *run = q->base.run;
	sim_run_tenant(run, q->recs[id].msg.tenant)->expired++;
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

/* Message id becomes visible now, at the back of the ring; wakes the
 * longest waiting consumer. */
static void make_visible(struct sqs *q, struct sim *s, uint32_t id)
{
	q->recs[id].state = ST_VISIBLE;
	ring_push(q, id);
	if (q->v_len > q->win.max_visible)
		q->win.max_visible = q->v_len;
	/* The retention timer follows the head: start it when this message is
	 * the head, unless it is already due earlier (left from a head that
	 * was received since: it fires, finds nothing and re-arms). */
	if (q->v_len == 1) {
		sim_time_t at = sim_time_add(q->recs[id].msg.sent_at,
					     q->cfg->message_retention);
		if (at < sim_timer_due(s, &q->t_expiry))
			sim_timer_start(s, &q->t_expiry, at, on_expiry, q, 0);
	}
	struct sqs_waiter *w = q->w_first;
	if (w) {
		unlink_waiter(q, w);
		sim_schedule(s, s->now, on_wake, w, 0);
	}
}

/* A message arrives (a send, a redrive or the initial backlog). */
static void enqueue(struct sqs *q, struct sim *s, const struct sim_msg *msg)
{
	uint32_t id = rec_take(q, msg);
	if (q->cfg->delay <= 0) {
		make_visible(q, s, id);
		return;
	}
	q->recs[id].state = ST_DELAYED;
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
		struct sim_msg msg = r->msg;
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
		q->fl_head = (q->fl_head + 1) & (q->fl_cap - 1);
		q->fl_len--;
		leave_flight(q, id);
		give_back(q, s, id);
	}
	for (size_t i = 0; i < q->side_n;) {
		if (q->side[i].deadline > s->now) {
			i++;
			continue;
		}
		uint32_t id = q->side[i].id;
		leave_flight(q, id); /* swaps the last entry into i */
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
		if (expired(q, &q->recs[id], s->now))
			drop_expired(q, id);
		else
			make_visible(q, s, id);
	}
	if (q->d_len)
		sim_timer_start(s, &q->t_delay, q->dl[q->d_head].due, on_delay,
				q, 0);
}

static void on_expiry(struct sim *s, void *target, uint64_t arg)
{
	struct sqs *q = target;
	(void)arg;
	while (q->v_len && expired(q, &q->recs[q->vis[q->v_head]], s->now))
		drop_expired(q, ring_pop(q));
	if (q->v_len)
		sim_timer_start(s, &q->t_expiry,
				sim_time_add(q->recs[q->vis[q->v_head]].msg.sent_at,
					     q->cfg->message_retention),
				on_expiry, q, 0);
}

/* The API of sqs.h ------------------------------------------------------------ */

struct sqs *sqs_from_model(struct model *m)
{
	return m && m->ops == &sqs_ops ? (struct sqs *)m : NULL;
}

size_t sqs_receive(struct sqs *q, struct sim *s, struct sqs_received *out,
		   size_t max, uint64_t max_bytes)
{
	if (!max)
		return 0;
	if (q->n_flight >= IN_FLIGHT_LIMIT) {
		q->win.over_limit++;
		return 0;
	}
	size_t n = 0;
	uint64_t bytes = 0;
	sim_time_t deadline = sim_time_add(s->now, q->cfg->visibility_timeout);
	while (n < max && q->v_len && q->n_flight < IN_FLIGHT_LIMIT) {
		uint32_t id = q->vis[q->v_head];
		struct msg_rec *r = &q->recs[id];
		if (expired(q, r, s->now)) {
			drop_expired(q, ring_pop(q));
			continue;
		}
		if (max_bytes && n && bytes + r->msg.size > max_bytes)
			break;
		ring_pop(q);
		bytes += r->msg.size;
		r->state = ST_IN_FLIGHT;
		if (r->receives < MAX_RECEIVES)
			r->receives++;
		if (++q->receipt == 0)
			q->receipt = 1;
		r->link = q->receipt;
		q->n_flight++;
		fl_push(q, (struct flight){ deadline, id, q->receipt });
		out[n++] = (struct sqs_received){
			.id = id,
			.receipt = q->receipt,
			.receive_count = r->receives,
			.msg = r->msg,
		};
	}
	q->win.received += n;
	q->tick.received += n;
	if (n)
		arm_deadline(q, s);
	return n;
}

void sqs_count_empty_receive(struct sqs *q)
{
	q->win.empty++;
	q->tick.empty++;
}

size_t sqs_visible(const struct sqs *q)
{
	return q->v_len;
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
	if (q->v_len) {
		sim_schedule(s, s->now, on_wake, w, 0);
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

bool sqs_delete(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	(void)s;
	if (!in_flight(q, id, receipt))
		return false;
	leave_flight(q, id);
	q->win.deleted++;
	q->tick.deleted++;
	q->life_deleted++;
	sim_run_delivered(q->base.run, &q->recs[id].msg);
	rec_free(q, id);
	return true;
}

bool sqs_change_visibility(struct sqs *q, struct sim *s, uint32_t id,
			   uint32_t receipt, sim_time_t timeout)
{
	SIM_ASSERT(s, timeout >= 0);
	if (!in_flight(q, id, receipt))
		return false;
	if (timeout == 0) {
		leave_flight(q, id);
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
	q->win.sent++;
	q->tick.sent++;
	q->life_sent++;
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
	int64_t n = q->cfg->backlog_count;
	if (n <= 0)
		return;
	/* Sized exactly: a large backlog then costs 32 bytes a record plus
	 * a ring slot, with no doubling slack in the pool. */
	pool_reserve(q, (size_t)n);
	ring_reserve(q, (size_t)n);
	for (int64_t i = 0; i < n; i++) {
		struct sim_msg msg = tenant_make_message(m->run, q->backlog_tenant,
							 s->now);
		make_visible(q, s, rec_take(q, &msg));
	}
	q->life_backlog += (uint64_t)n;
}

static void sqs_restart(struct model *m, struct sim *s)
{
	struct sqs *q = (struct sqs *)m;
	(void)s;
	q->win = (struct sqs_counts){ .max_visible = q->v_len };
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
	}
	free(q->recs);
	free(q->vis);
	free(q->sp);
	free(q->dl);
	free(q->fl);
	free(q->side);
	free(q);
}

const struct model_ops sqs_ops = {
	.name = "sqs",
	.help = "SQS standard queue: visibility timeout, delay, retention, dead-letter queue",
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
};
