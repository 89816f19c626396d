/* sqs_store.c - the structures an SQS queue's messages live in: the record
 * pool, the visible ring with its oldest-message deque, the in-flight
 * deadline ring and side list, the delayed FIFO (sqs_store.h). They keep
 * messages where sqs.c puts them; what moves a message is there.
 */
#include <stdlib.h>
#include <string.h>

#include "models/sqs_store.h"
#include "sim/alloc.h"
#include "sim/run.h"

/* The message a record holds, written field by field into *m (a whole
 * struct built on the stack and copied is read back wider than it was
 * written: a store-forwarding stall on the receive path). */
void sqs__rec_msg_into(const struct msg_rec *r, struct sim_msg *m)
{
	m->sent_at = r->sent_at;
	m->tenant = r->tenant;
	m->size = r->size;
	m->group = r->group;
	m->retries = r->retries;
	m->weight = 0;
}

struct sim_msg sqs__rec_msg(const struct msg_rec *r)
{
	struct sim_msg m;
	sqs__rec_msg_into(r, &m);
	return m;
}

/* The message pool ------------------------------------------------------ */

/* Grows the pool to hold at least `want` records. New records are not
 * touched: rec_take hands them out in order above the high-water mark, so
 * pages of a doubled pool become resident only when used. */
#define PREFAULT_BYTES ((size_t)1 << 20)


void sqs__pool_reserve(struct sqs *q, size_t want)
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

uint32_t sqs__rec_take(struct sqs *q, const struct sim_msg *msg)
{
	uint32_t id = q->free_head;
	if (id != NONE) {
		q->free_head = q->recs[id].link;
	} else {
		if (q->n_hwm == q->n_recs)
			sqs__pool_reserve(q, q->n_recs + 1);
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

void sqs__rec_free(struct sqs *q, uint32_t id)
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

void sqs__ring_reserve(struct sqs *q, size_t want)
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
void sqs__ring_push(struct sqs *q, uint32_t id)
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
		sqs__ring_reserve(q, q->v_len + 1);
	q->vis_tenant[q->recs[id].tenant]++;
	uint64_t p = q->v_popped + q->v_len;
	q->vis[(q->v_head + q->v_len++) & (q->v_cap - 1)] = id;
	if (q->sp_len && span_at(q, q->sp_len - 1)->end == p)
		span_at(q, q->sp_len - 1)->end++;
	else
		span_push(q, p);
}

/* Removes and returns the head of the ring (which must not be empty). */
uint32_t sqs__ring_pop(struct sqs *q)
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

sim_time_t sqs__ring_oldest(const struct sqs *q)
{
	return sent_at_pos(q, q->sp[q->sp_head].first);
}

/* In-flight deadlines ------------------------------------------------------- */

void sqs__fl_push(struct sqs *q, struct flight e)
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

void sqs__fl_pop(struct sqs *q)
{
	q->fl_head = (q->fl_head + 1) & (q->fl_cap - 1);
	q->fl_len--;
	if (q->fl_len > LOOKAHEAD)
		__builtin_prefetch(&q->recs[q->fl[(q->fl_head + LOOKAHEAD) &
						  (q->fl_cap - 1)].id]);
}

void sqs__fl_trim(struct sqs *q)
{
	while (q->fl_len && !fl_current(q, &q->fl[q->fl_head]))
		sqs__fl_pop(q);
}

size_t sqs__side_find(const struct sqs *q, uint32_t id)
{
	for (size_t i = 0; i < q->side_n; i++)
		if (q->side[i].id == id)
			return i;
	return SIZE_MAX;
}

void sqs__side_remove(struct sqs *q, uint32_t id)
{
	size_t i = sqs__side_find(q, id);
	q->side[i] = q->side[--q->side_n];
}

void sqs__side_add(struct sqs *q, struct flight e)
{
	if (q->side_n == q->side_cap) {
		q->side_cap = q->side_cap ? q->side_cap * 2 : 16;
		q->side = sim_xrealloc(q->side, q->side_cap * sizeof(*q->side));
	}
	q->side[q->side_n++] = e;
}

/* Delayed messages --------------------------------------------------------- */

void sqs__delayed_push(struct sqs *q, sim_time_t due, uint32_t id)
{
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
	q->dl[(q->d_head + q->d_len++) & (q->d_cap - 1)] = (struct delayed){ due, id };
}

uint32_t sqs__delayed_pop(struct sqs *q)
{
	uint32_t id = q->dl[q->d_head].id;
	q->d_head = (q->d_head + 1) & (q->d_cap - 1);
	q->d_len--;
	return id;
}
