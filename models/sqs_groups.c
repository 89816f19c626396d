/* sqs_groups.c - message groups of FIFO and fair SQS queues
 * (sqs_groups.h).
 *
 * A grouped queue keeps its visible messages in one list per message group
 * (through the records' link field, in arrival order) and a binary min-heap
 * of the groups a receive may serve next, by the arrival number of their
 * oldest visible message (ties: the lower group index):
 *   FIFO  the groups with visible messages and none in flight: a group
 *         blocks while any of its messages is in flight, so its order is
 *         kept;
 *   fair  the quiet groups with visible messages; the noisy ones are served
 *         only when no quiet group has any, the one with the fewest in
 *         flight first.
 * A fair group becomes noisy (rule 1) when it holds more than in_flight_share
 * of the queue's in-flight messages and at least min_in_flight of its own,
 * or (rule 2, at the detection pass every second) more than time_share of
 * the recent in-flight time, a moving sum with time constant `window`; it
 * is quiet again once its backlog drained or it sent nothing for
 * quiet_after.
 */
#include <math.h>

#include "models/sqs_groups.h"
#include "sim/alloc.h"
#include "sim/run.h"

struct qgroup *sqs__group_at(struct sqs *q, uint32_t gi)
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

bool sqs__group_sync(struct sqs *q, uint32_t gi)
{
	struct qgroup *g = &q->g[gi];
	bool want = g->visible > 0 &&
		    (q->cfg->fifo ? g->in_flight == 0 : !g->noisy);
	if (!want) {
		if (!g->hpos)
			return false;
		size_t i = g->hpos - 1;
		g->hpos = 0;
		uint32_t last = q->ready[--q->n_ready];
		if (i == q->n_ready)
			return false;
		if (i > 0 && ready_before(q, last, q->ready[(i - 1) / 2]))
			ready_up(q, i, last);
		else
			ready_down(q, i, last);
		return false;
	}
	if (g->hpos) {
		size_t i = g->hpos - 1;
		if (i > 0 && ready_before(q, gi, q->ready[(i - 1) / 2]))
			ready_up(q, i, gi);
		else
			ready_down(q, i, gi);
		return false;
	}
	if (q->n_ready == q->ready_cap) {
		q->ready_cap = q->ready_cap ? q->ready_cap * 2 : 16;
		q->ready = sim_xrealloc(q->ready, q->ready_cap * sizeof(*q->ready));
	}
	ready_up(q, q->n_ready++, gi);
	return q->cfg->fifo;
}

void sqs__group_push(struct sqs *q, uint32_t id)
{
	struct msg_rec *r = &q->recs[id];
	struct qgroup *g = sqs__group_at(q, r->group);
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

uint32_t sqs__group_pop(struct sqs *q, uint32_t gi)
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

void sqs__group_set_noisy(struct sqs *q, uint32_t gi, bool noisy)
{
	struct qgroup *g = &q->g[gi];
	if (g->noisy == noisy)
		return;
	g->noisy = noisy;
	if (noisy)
		q->n_noisy++;
	else
		q->n_noisy--;
	(void)sqs__group_sync(q, gi); /* a fair group: no wake */
}

/* Fair queues, rule 1 (concurrency share): more than in_flight_share of
 * the queue's in-flight messages and at least min_in_flight of its own.
 * Only a group with a backlog is noisy: one whose backlog drained is quiet
 * again at once. */
void sqs__group_check_share(struct sqs *q, struct sim *s, uint32_t gi)
{
	struct qgroup *g = &q->g[gi];
	if (!g->visible) {
		sqs__group_set_noisy(q, gi, false);
		return;
	}
	if (!g->noisy && g->in_flight >= q->cfg->noisy_min_in_flight &&
	    (double)g->in_flight > q->cfg->noisy_share * (double)q->n_flight &&
	    s->now - g->last_sent < q->cfg->quiet_after)
		sqs__group_set_noisy(q, gi, true);
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
			sqs__group_set_noisy(q, gi, false);
			continue;
		}
		/* Rule 2 (processing-time share). */
		if (!g->noisy && g->visible && q->busy_recent > 0 &&
		    g->busy_recent > q->cfg->noisy_time_share * q->busy_recent &&
		    s->now - g->last_sent < q->cfg->quiet_after)
			sqs__group_set_noisy(q, gi, true);
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

/* The group a receive serves next, NONE when none: FIFO, the ready group
 * with the oldest head; fair, fair_pick. */
uint32_t sqs__group_next(const struct sqs *q)
{
	if (q->cfg->fifo)
		return q->n_ready ? q->ready[0] : NONE;
	return fair_pick(q);
}

void sqs__group_took(struct sqs *q, uint32_t gi, sim_time_t now)
{
	struct qgroup *g = &q->g[gi];
	if (q->cfg->fair)
		busy_update(q, g, now);
	g->in_flight++;
}

void sqs__group_left(struct sqs *q, uint32_t gi, sim_time_t now)
{
	struct qgroup *g = &q->g[gi];
	if (q->cfg->fair)
		busy_update(q, g, now);
	g->in_flight--;
}

void sqs__group_deleted(struct sqs *q, uint32_t id)
{
	/* The order check: a group's messages are deleted in the order they
	 * arrived. */
	struct qgroup *g = &q->g[q->recs[id].group];
	uint32_t v = q->seq[id];
	if (g->done_any && (int32_t)(v - g->done_seq) < 0)
		q->out_of_order++;
	g->done_seq = v;
	g->done_any = true;
}

sim_time_t sqs__groups_oldest(const struct sqs *q)
{
	sim_time_t t = SIM_TIME_MAX;
	for (size_t gi = 0; gi < q->n_g; gi++)
		if (q->g[gi].visible && q->recs[q->g[gi].head].sent_at < t)
			t = q->recs[q->g[gi].head].sent_at;
	return t;
}

void sqs__fair_start(struct sqs *q, struct sim *s)
{
	sim_timer_start(s, &q->t_detect, s->now + DETECT_EVERY, on_detect, q, 0);
}

void sqs__fair_sample(struct sqs *q, struct sim *s, struct sim_recorder *rec)
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
