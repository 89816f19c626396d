/* sim.c - the event loop and its 4-ary heap (see sim.h for the contract).
 *
 * Why a 4-ary heap: with four children per node the tree is half as deep as
 * a binary heap, and with 16-byte entries the four children of a node fill
 * one cache line, so choosing the earliest child reads one line (libev
 * measures the same effect). The entries carry only (time, key); the
 * handler, target and argument stay put in a slab record named by the key,
 * read once when the event runs. When an entry belongs to a struct
 * sim_timer (a flag in the key says so), every move writes the new slot
 * back into the timer, which is what makes cancellation O(log n) without a
 * hash table.
 *
 * The key is seq << 28 | timer flag << 27 | record index: the sequence
 * number decides ties, and the low bits never matter since sequence
 * numbers are unique. Past 2^36 insertions the pending entries are
 * renumbered in order (sorted, a sorted array is a heap), which keeps the
 * order exact however long a run is.
 *
 * While a handler runs, its spent entry stays at the root (`vacant`): most
 * handlers schedule a follow-up, which then takes the root's place and
 * sinks from there, one sift instead of a removal and an insertion. A
 * handler may also run a follow-up itself (sim_claim) when it would be the
 * next event anyway. Neither changes the order: with unique keys, any heap
 * pops the same sequence.
 */
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>

#include "sim/alloc.h"

#define ARITY 4
#define SEQ_SHIFT 28
#define SEQ_LIMIT (1ull << 36)
#define TIMER_FLAG (1ull << 27)
#define SLOT_MASK SIM_MAX_PENDING

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
			   .last_at = -1, .until = SIM_TIME_MAX };
	s->cap = 64;
	s->heap = malloc(s->cap * sizeof(*s->heap));
	s->ev = malloc(s->cap * sizeof(*s->ev));
	s->slots = malloc(s->cap * sizeof(*s->slots));
	if (!s->heap || !s->ev || !s->slots) {
		sim_finish(s);
		return -1;
	}
	for (uint32_t i = 0; i < s->cap; i++)
		s->slots[i] = i;
	return 0;
}

void sim_finish(struct sim *s)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (s->heap[i].key & TIMER_FLAG)
			s->ev[s->heap[i].key & SLOT_MASK].timer->pos = 0;
	free(s->heap);
	free(s->ev);
	free(s->slots);
	s->heap = NULL;
	s->ev = NULL;
	s->slots = NULL;
	s->n = s->cap = 0;
}

/* The single ordering rule: earlier time first, then earlier insertion.
 * Equal times are rare, so the branch on them is predicted well and the
 * common case is one compare (feeding a conditional move when choosing a
 * child); a branch-free form that always compares both words measured
 * 20% slower over a whole run (WellRight, bench/wellright). */
static inline bool before(const struct sim_entry *a, const struct sim_entry *b)
{
	if (__builtin_expect(a->at != b->at, 1))
		return a->at < b->at;
	return a->key < b->key;
}

static inline void place(struct sim *s, uint32_t i, struct sim_entry e)
{
	s->heap[i] = e;
	if (e.key & TIMER_FLAG)
		s->ev[e.key & SLOT_MASK].timer->pos = i + 1;
}

static void sift_up(struct sim *s, uint32_t i, struct sim_entry e)
{
	while (i > 0) {
		uint32_t parent = (i - 1) / ARITY;
		if (!before(&e, &s->heap[parent]))
			break;
		place(s, i, s->heap[parent]);
		i = parent;
	}
	place(s, i, e);
}

/* The earliest of the children [first, first + ARITY) when all exist. */
static inline uint32_t earliest4(const struct sim_entry *h, uint32_t first)
{
	uint32_t a = before(&h[first + 1], &h[first]) ? first + 1 : first;
	uint32_t b = before(&h[first + 3], &h[first + 2]) ? first + 3 : first + 2;
	return before(&h[b], &h[a]) ? b : a;
}

static void sift_down(struct sim *s, uint32_t i, struct sim_entry e)
{
	const struct sim_entry *h = s->heap;
	for (;;) {
		uint32_t first = i * ARITY + 1;
		uint32_t best;
		if (first + ARITY <= s->n) {
			best = earliest4(h, first);
		} else {
			if (first >= s->n)
				break;
			best = first;
			for (uint32_t c = first + 1; c < s->n; c++)
				if (before(&h[c], &h[best]))
					best = c;
		}
		if (!before(&h[best], &e))
			break;
		place(s, i, h[best]);
		i = best;
	}
	place(s, i, e);
}

/* Doubles the capacity; false (with full and stop set) past the most the
 * keys can index. */
static bool grow(struct sim *s)
{
	if (s->cap > SLOT_MASK / 2) {
		s->full = true;
		s->stop = true;
		return false;
	}
	uint32_t cap = s->cap * 2;
	s->heap = sim_xrealloc(s->heap, (size_t)cap * sizeof(*s->heap));
	s->ev = sim_xrealloc(s->ev, (size_t)cap * sizeof(*s->ev));
	s->slots = sim_xrealloc(s->slots, (size_t)cap * sizeof(*s->slots));
	for (uint32_t i = s->cap; i < cap; i++)
		s->slots[i] = i;
	s->cap = cap;
	return true;
}

static int entry_cmp(const void *a, const void *b)
{
	const struct sim_entry *x = a, *y = b;
	return before(x, y) ? -1 : before(y, x);
}

/* Gives the pending entries sequence numbers 0..n-1 in their order. */
static void renumber(struct sim *s)
{
	qsort(s->heap, s->n, sizeof(*s->heap), entry_cmp);
	for (uint32_t i = 0; i < s->n; i++) {
		uint64_t low = s->heap[i].key & ((1ull << SEQ_SHIFT) - 1);
		place(s, i, (struct sim_entry){ s->heap[i].at,
						(uint64_t)i << SEQ_SHIFT | low });
	}
	s->seq = s->n;
}

static void push(struct sim *s, sim_time_t at, sim_event_fn *fn, void *target,
		 uint64_t arg, struct sim_timer *timer)
{
	SIM_ASSERT(s, at >= s->now);
	if (s->n == s->cap && !s->vacant && !grow(s))
		return; /* full: the run stops (the event is dropped) */
	if (s->seq >= SEQ_LIMIT)
		renumber(s);
	if (s->vacant) {
		/* The running event's entry is still at the root: the new
		 * one takes its place and record, and sinks from there. */
		s->vacant = false;
		uint32_t slot = (uint32_t)(s->heap[0].key & SLOT_MASK);
		s->ev[slot] = (struct sim_event){ fn, target, arg, timer };
		uint64_t key = s->seq++ << SEQ_SHIFT | (timer ? TIMER_FLAG : 0) | slot;
		sift_down(s, 0, (struct sim_entry){ at, key });
		return;
	}
	uint32_t slot = s->slots[s->n];
	s->ev[slot] = (struct sim_event){ fn, target, arg, timer };
	uint64_t key = s->seq++ << SEQ_SHIFT | (timer ? TIMER_FLAG : 0) | slot;
	sift_up(s, s->n++, (struct sim_entry){ at, key });
}

/* Removes the entry at slot i and restores the heap; returns its record
 * index, which is free again. */
static uint32_t remove_at(struct sim *s, uint32_t i)
{
	uint32_t slot = (uint32_t)(s->heap[i].key & SLOT_MASK);
	struct sim_entry last = s->heap[--s->n];
	s->slots[s->n] = slot;
	if (i == s->n)
		return slot;
	if (i > 0 && before(&last, &s->heap[(i - 1) / ARITY]))
		sift_up(s, i, last);
	else
		sift_down(s, i, last);
	return slot;
}

void sim_schedule(struct sim *s, sim_time_t at, sim_event_fn *fn, void *target,
		  uint64_t arg)
{
	push(s, at, fn, target, arg, NULL);
}

void sim_timer_start(struct sim *s, struct sim_timer *t, sim_time_t at,
		     sim_event_fn *fn, void *target, uint64_t arg)
{
	sim_timer_cancel(s, t);
	push(s, at, fn, target, arg, t);
}

bool sim_timer_cancel(struct sim *s, struct sim_timer *t)
{
	if (!t->pos)
		return false;
	uint32_t i = t->pos - 1;
	SIM_ASSERT(s, i < s->n && (s->heap[i].key & TIMER_FLAG) &&
			      s->ev[s->heap[i].key & SLOT_MASK].timer == t);
	t->pos = 0;
	remove_at(s, i);
	return true;
}

sim_time_t sim_timer_due(const struct sim *s, const struct sim_timer *t)
{
	return t->pos ? s->heap[t->pos - 1].at : SIM_TIME_MAX;
}

/* Starts loading the targets of the events likely to run next (the root's
 * children: the next one is among them unless the running handler
 * schedules an earlier one) while the current handler runs: targets are
 * scattered objects (a queue, an invocation), and one that has left the
 * cache costs a miss when its event runs. */
static inline void prefetch_next(const struct sim *s)
{
	uint32_t end = s->n < ARITY + 1 ? s->n : ARITY + 1;
	for (uint32_t c = 1; c < end; c++)
		__builtin_prefetch(s->ev[s->heap[c].key & SLOT_MASK].target);
}

bool sim_step(struct sim *s)
{
	if (!s->n)
		return false;
	sim_time_t at = s->heap[0].at;
	struct sim_event e = s->ev[s->heap[0].key & SLOT_MASK];
	if (e.timer) {
		e.timer->pos = 0;
		s->heap[0].key &= ~TIMER_FLAG;
	}
	SIM_ASSERT(s, at >= s->now);
	s->ties += at == s->last_at;
	s->last_at = at;
	s->now = at;
	s->executed++;
	/* The entry stays at the root while the handler runs, earliest of
	 * all, so nothing moves above it: the handler's first new event
	 * replaces it (one partial sift instead of a removal from the root
	 * and an insertion at the bottom); if it schedules none, the entry
	 * is removed afterwards. */
	s->vacant = true;
	s->running = true;
	prefetch_next(s);
	e.fn(s, e.target, e.arg);
	s->running = false;
	if (s->vacant) {
		s->vacant = false;
		remove_at(s, 0);
	}
	return true;
}

bool sim_claim(struct sim *s, sim_time_t at)
{
	SIM_ASSERT(s, at >= s->now);
	if (!s->running || s->stop || at > s->until || at >= sim_next_time(s) ||
	    (s->interrupt && *s->interrupt))
		return false;
	s->ties += at == s->last_at;
	s->last_at = at;
	s->now = at;
	s->executed++;
	return true;
}

void sim_run_until(struct sim *s, sim_time_t until)
{
	s->stop = false;
	s->until = until;
	uint64_t check = s->executed + 4096;
	while (s->n && s->heap[0].at <= until) {
		sim_step(s);
		if (s->stop)
			break;
		if (s->executed >= check) {
			check = s->executed + 4096;
			if (s->interrupt && *s->interrupt) {
				s->stop = true;
				break;
			}
			if (s->now != s->instant) {
				s->instant = s->now;
				s->instant_from = s->executed;
			} else if (s->stall_limit &&
				   s->executed - s->instant_from > s->stall_limit) {
				uint64_t events = s->executed - s->instant_from;
				s->stall_limit = s->on_stall ? s->on_stall(s, s->stall_ctx, events) : 0;
				if (!s->stall_limit) {
					s->stalled = true;
					s->stop = true;
					break;
				}
			}
		}
	}
	s->until = SIM_TIME_MAX;
	if (s->stop)
		return;
	if (until > s->now)
		s->now = until;
}
