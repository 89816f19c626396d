/* sim.c - the event loop and its 4-ary heap (see sim.h for the contract).
 *
 * Why a 4-ary heap: with four children per node the tree is half as deep as
 * a binary heap and the children of a node share a cache line or two, which
 * pays off when the heap holds thousands of pending timers (libev measures
 * the same effect). Entries are 48-byte records moved by value; when an entry
 * belongs to a struct sim_timer, every move writes the new slot back into the
 * timer, which is what makes cancellation O(log n) without a hash table.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>

#define ARITY 4

_Noreturn void sim_assert_fail(const struct sim *s, const char *expr,
			       const char *file, int line, const char *func)
{
	if (s)
		fprintf(stderr,
			"%s:%d %s: assertion failed: %s @t=%.9fs, seed=%llu, replication=%u\n",
			file, line, func, expr, sim_time_to_s(s->now),
			(unsigned long long)s->seed, s->replication);
	else
		fprintf(stderr, "%s:%d %s: assertion failed: %s\n", file, line,
			func, expr);
	abort();
}

int sim_init(struct sim *s, uint64_t seed, unsigned replication)
{
	*s = (struct sim){ .seed = seed, .replication = replication,
			   .last_at = -1 };
	s->cap = 64;
	s->heap = malloc(s->cap * sizeof(*s->heap));
	return s->heap ? 0 : -1;
}

void sim_finish(struct sim *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->heap[i].timer)
			s->heap[i].timer->pos = 0;
	free(s->heap);
	s->heap = NULL;
	s->n = s->cap = 0;
}

/* The single ordering rule: earlier time first, then earlier insertion. */
static inline bool before(const struct sim_event *a, const struct sim_event *b)
{
	return a->at < b->at || (a->at == b->at && a->seq < b->seq);
}

static inline void place(struct sim *s, uint32_t i, const struct sim_event *e)
{
	s->heap[i] = *e;
	if (e->timer)
		e->timer->pos = i + 1;
}

static void sift_up(struct sim *s, uint32_t i, struct sim_event e)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		if (!before(&e, &s->heap[parent]))
			break;
		place(s, i, &s->heap[parent]);
		i = parent;
	}
	place(s, i, &e);
}

static void sift_down(struct sim *s, uint32_t i, struct sim_event e)
{
	for (;;) {
		uint32_t first = i * ARITY + 1;
		if (first >= s->n)
			break;
		uint32_t last = first + ARITY < s->n ? first + ARITY : s->n;
		uint32_t best = first;
		for (uint32_t c = first + 1; c < last; c++)
			if (before(&s->heap[c], &s->heap[best]))
				best = c;
		if (!before(&s->heap[best], &e))
			break;
		place(s, i, &s->heap[best]);
		i = best;
	}
	place(s, i, &e);
}

static void grow(struct sim *s)
{
	uint32_t cap = s->cap * 2;
	struct sim_event *h = realloc(s->heap, (size_t)cap * sizeof(*h));
	if (!h) {
		fprintf(stderr, "spillway: out of memory for %u pending events\n",
			cap);
		abort();
	}
	s->heap = h;
	s->cap = cap;
}

static void push(struct sim *s, struct sim_event e)
{
	SIM_ASSERT(s, e.at >= s->now);
	if (s->n == s->cap)
		grow(s);
	sift_up(s, s->n++, e);
}

/* Removes the entry at slot i and restores the heap. */
static void remove_at(struct sim *s, uint32_t i)
{
	struct sim_event last = s->heap[--s->n];
	if (i == s->n)
		return;
	if (i > 0 && before(&last, &s->heap[(i - 1) / ARITY]))
		sift_up(s, i, last);
	else
		sift_down(s, i, last);
}

void sim_schedule(struct sim *s, sim_time_t at, sim_event_fn *fn, void *target,
		  uint64_t arg)
{
	push(s, (struct sim_event){ at, s->seq++, fn, target, arg, NULL });
}

void sim_timer_start(struct sim *s, struct sim_timer *t, sim_time_t at,
		     sim_event_fn *fn, void *target, uint64_t arg)
{
	sim_timer_cancel(s, t);
	push(s, (struct sim_event){ at, s->seq++, fn, target, arg, t });
}

bool sim_timer_cancel(struct sim *s, struct sim_timer *t)
{
	if (!t->pos)
		return false;
	uint32_t i = t->pos - 1;
	SIM_ASSERT(s, i < s->n && s->heap[i].timer == t);
	t->pos = 0;
	remove_at(s, i);
	return true;
}

sim_time_t sim_timer_due(const struct sim *s, const struct sim_timer *t)
{
	return t->pos ? s->heap[t->pos - 1].at : SIM_TIME_MAX;
}

bool sim_step(struct sim *s)
{
	if (!s->n)
		return false;
	struct sim_event e = s->heap[0];
	struct sim_event last = s->heap[--s->n];
	if (s->n)
		sift_down(s, 0, last);
	if (e.timer)
		e.timer->pos = 0;
	SIM_ASSERT(s, e.at >= s->now);
	s->ties += e.at == s->last_at;
	s->last_at = e.at;
	s->now = e.at;
	s->executed++;
	e.fn(s, e.target, e.arg);
	return true;
}

void sim_run_until(struct sim *s, sim_time_t until)
{
	s->stop = false;
	while (s->n && s->heap[0].at <= until) {
		sim_step(s);
		if (s->stop)
			return;
	}
	if (until > s->now)
		s->now = until;
}
