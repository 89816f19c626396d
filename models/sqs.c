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
 * Files: the queue's state and the structures that hold its messages are
 * in sqs_store.h/.c (with their memory costs), the message groups of FIFO
 * and fair queues in sqs_groups.h/.c, the scenario keys and link checks in
 * sqs_config.h/.c; this file moves messages between places and is the
 * model.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/describe.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "models/sqs_config.h"
#include "models/sqs_groups.h"
#include "models/sqs_store.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/run.h"
#include "sim/units.h"

/* In-flight messages per standard queue ("In-flight, standard" in FACTS):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html */
#define IN_FLIGHT_LIMIT SQS_MAX_IN_FLIGHT

/* A request is billed per 64 KB chunk of its payload ("64 KB chunking" in
 * FACTS 4): https://cloudburn.io/blog/amazon-sqs-pricing */
#define BILL_CHUNK 65536u
#define MAX_RECEIVES ((1u << 11) - 1) /* above max_receive_count's 1,000 */

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

/* Whether (id, receipt) names a message in flight now. */
static bool in_flight(const struct sqs *q, uint32_t id, uint32_t receipt)
{
	if (id >= q->n_hwm)
		return false;
	const struct msg_rec *r = &q->recs[id];
	return (r->state == ST_IN_FLIGHT || r->state == ST_IN_FLIGHT_SIDE) &&
	       r->link == receipt;
}

static void wake_one(struct sqs *q, struct sim *s);

/* Takes message id out of flight (its deadline entry is dropped or left
 * stale). A FIFO group with nothing left in flight is ready again. */
static void leave_flight(struct sqs *q, struct sim *s, uint32_t id)
{
	if (q->recs[id].state == ST_IN_FLIGHT_SIDE)
		sqs__side_remove(q, id);
	if (q->grouped) {
		uint32_t gi = q->recs[id].group;
		sqs__group_left(q, gi, s->now);
		q->n_flight--;
		if (sqs__group_sync(q, gi))
			wake_one(q, s);
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
	sqs__rec_free(q, id);
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
	sqs__group_push(q, id);
	if (q->v_len > q->win.max_visible)
		q->win.max_visible = q->v_len;
	sim_time_t at = sim_time_add(r->sent_at, q->cfg->message_retention);
	if (at < sim_timer_due(s, &q->t_expiry))
		sim_timer_start(s, &q->t_expiry, at, on_expiry, q, 0);
	if (sqs__group_sync(q, r->group) || !q->cfg->fifo)
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
	sqs__ring_push(q, id);
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
	uint32_t id = sqs__rec_take(q, msg);
	if (q->grouped)
		sqs__group_at(q, msg->group)->last_sent = s->now;
	if (q->cfg->delay <= 0) {
		make_visible(q, s, id);
		return;
	}
	q->recs[id].state = ST_DELAYED;
	if (q->grouped)
		q->g[msg->group].delayed++;
	sim_time_t due = sim_time_add(s->now, q->cfg->delay);
	sqs__delayed_push(q, due, id);
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
		struct sim_msg msg = sqs__rec_msg(r);
		sqs__rec_free(q, id);
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
	sqs__fl_trim(q);
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
		sqs__fl_trim(q);
		if (!q->fl_len || q->fl[q->fl_head].deadline > s->now)
			break;
		uint32_t id = q->fl[q->fl_head].id;
		sqs__fl_pop(q);
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
		uint32_t id = sqs__delayed_pop(q);
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
			drop_expired(q, sqs__group_pop(q, gi));
			dropped = true;
		}
		if (dropped) {
			if (q->cfg->fair && !g->visible)
				sqs__group_set_noisy(q, gi, false);
			if (sqs__group_sync(q, gi))
				wake_one(q, s);
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
		drop_expired(q, sqs__ring_pop(q));
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
		sqs__group_took(q, r->group, s->now);
	}
	q->n_flight++;
	sqs__fl_push(q, (struct flight){ deadline, id, q->receipt });
	out->id = id;
	out->receipt = q->receipt;
	out->receive_count = r->receives;
	sqs__rec_msg_into(r, &out->msg);
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
		uint32_t gi = sqs__group_next(q);
		if (gi == NONE)
			break;
		struct qgroup *g = &q->g[gi];
		bool full = false;
		do {
			struct msg_rec *r = &q->recs[g->head];
			if (expired(q, r, s->now)) {
				drop_expired(q, sqs__group_pop(q, gi));
				continue;
			}
			if (max_bytes && n && bytes + r->size > max_bytes) {
				full = true;
				break;
			}
			bytes += r->size;
			take(q, s, sqs__group_pop(q, gi), deadline, &out[n++]);
		} while (fifo && n < max && g->visible && q->n_flight < IN_FLIGHT_LIMIT);
		if (q->cfg->fair)
			sqs__group_check_share(q, s, gi);
		if (sqs__group_sync(q, gi))
			wake_one(q, s);
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
				drop_expired(q, sqs__ring_pop(q));
				continue;
			}
			if (max_bytes && n && bytes + r->size > max_bytes)
				break;
			sqs__ring_pop(q);
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
	struct sim_msg msg = sqs__rec_msg(&q->recs[id]);
	if (done)
		sim_run_delivered(q->base.run, &msg);
	if (q->cfg->fifo)
		sqs__group_deleted(q, id);
	sqs__rec_free(q, id);
	return true;
}

size_t sqs_delete(struct sqs *q, struct sim *s, enum sqs_disposition how,
		  const struct sqs_received *items, const bool *skip, size_t n)
{
	size_t calls = 0, deleted = 0;
	bool done = how == SQS_DELETE;
	/* The records were last read at the receive: ask for them all first,
	 * so their cache misses overlap instead of queueing. */
	if (n > 1)
		for (size_t i = 0; i < n; i++)
			if (items[i].id < q->n_recs)
				__builtin_prefetch(&q->recs[items[i].id]);
	for (size_t i = 0; i < n; i++) {
		if (skip && skip[i])
			continue;
		calls++;
		deleted += delete_msg(q, s, items[i].id, items[i].receipt, done);
	}
	/* DeleteMessageBatch takes 10 entries per request; DeleteMessage is
	 * one request. */
	if (how != SQS_REMOVE)
		q->win.requests += (calls + 9) / 10;
	return deleted;
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
		q->side[sqs__side_find(q, id)].deadline = deadline;
	} else {
		/* The ring entry goes stale (the record is no longer
		 * ST_IN_FLIGHT); the new deadline lives in the side list. */
		r->state = ST_IN_FLIGHT_SIDE;
		sqs__side_add(q, (struct flight){ deadline, id, receipt });
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

/* Oldest sent_at among visible messages (there must be one). */
static sim_time_t oldest_visible(const struct sqs *q)
{
	return q->grouped ? sqs__groups_oldest(q) : sqs__ring_oldest(q);
}

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

static int sqs_link(struct model *m, struct sim_run *run)
{
	return sqs__link(m, run);
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
		sqs__fair_start(q, s);
	int64_t n = c->backlog_count;
	if (n <= 0)
		return;
	/* Sized exactly: a large backlog then costs 32 bytes a record plus
	 * a ring slot, with no doubling slack in the pool. */
	sqs__pool_reserve(q, (size_t)n);
	if (!q->grouped)
		sqs__ring_reserve(q, (size_t)n);
	for (int64_t i = 0; i < n; i++) {
		struct sim_msg msg = tenant_make_message(m->run, q->backlog_tenant,
							 s->now);
		if ((double)msg.size > c->max_message_size) {
			/* Could not have been sent: rejected like a send. */
			q->win.rejected++;
			sim_run_rejected(m->run, &msg);
			continue;
		}
		uint32_t id = sqs__rec_take(q, &msg);
		if (q->grouped)
			sqs__group_at(q, msg.group)->last_sent = s->now;
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
	sim_recorder_count(rec, s->now, name, "NumberOfMessagesSent",
			   (double)q->tick.sent);
	sim_recorder_count(rec, s->now, name, "NumberOfMessagesReceived",
			   (double)q->tick.received);
	sim_recorder_count(rec, s->now, name, "NumberOfMessagesDeleted",
			   (double)q->tick.deleted);
	sim_recorder_count(rec, s->now, name, "NumberOfEmptyReceives",
			   (double)q->tick.empty);
	q->tick = (struct sqs_counts){ 0 };
	if (q->cfg->fair)
		sqs__fair_sample(q, s, rec);
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
