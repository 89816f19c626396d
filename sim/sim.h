/* sim.h - the event loop: a clock and a set of pending events.
 *
 * Engine layer (sim/): knows nothing about AWS or any model. Pending events
 * live in an array-backed 4-ary min-heap ordered by (at, seq), where seq is
 * a per-sim insertion counter: events due at the same instant run in the
 * order they were scheduled, so a run is bit-for-bit reproducible.
 *
 * An event is a small record (handler, target, 64-bit argument) in a slab;
 * the heap holds 16-byte (time, key) entries pointing at the records, so
 * sifting moves little and compares within a cache line. The engine owns the
 * records, never their targets. Scheduling allocates nothing once the heap
 * has grown to its working size (it doubles when full).
 *
 * Events that may be cancelled (visibility timeouts, batching windows) are
 * started through a struct sim_timer embedded in the owner: the heap keeps
 * the timer's slot index up to date, so cancel and reschedule are O(log n).
 *
 * The sim is passed explicitly; there are no globals, so two sims can run
 * side by side in one process.
 */
#ifndef SPILLWAY_SIM_SIM_H
#define SPILLWAY_SIM_SIM_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

struct sim;

/* An event handler: runs at sim->now == the event's time. */
typedef void sim_event_fn(struct sim *s, void *target, uint64_t arg);

/* A cancellable event slot, embedded in caller storage and zero-initialised
 * (or sim_timer_init). pos is 0 when idle, else the heap slot index + 1. */
struct sim_timer {
	uint32_t pos; /* 1-based heap index while pending, 0 when idle */
};

/* One pending event's record: where it goes and what it carries. Records
 * live in a slab beside the heap and never move while pending. */
struct sim_event {
	sim_event_fn *fn;        /* handler */
	void *target;            /* handler's object; not owned */
	uint64_t arg;            /* handler's argument */
	struct sim_timer *timer; /* owning timer, or NULL for plain events */
};

/* One heap entry: the firing time and a key packing the insertion sequence
 * number (high bits: the tie-break), a timer flag and the record's slab
 * index. 16 bytes, so the four children of a node share a cache line. */
struct sim_entry {
	sim_time_t at;
	uint64_t key;
};

struct sim {
	sim_time_t now;          /* current simulated time */
	uint64_t seq;            /* next insertion sequence number (renumbered
				  * from 0 when it would overflow the key) */
	struct sim_entry *heap;  /* 4-ary min-heap of pending events */
	struct sim_event *ev;    /* event records, indexed by the entries' keys */
	uint32_t *slots;         /* slots[n..cap): free record indices */
	uint32_t n;              /* pending events */
	uint32_t cap;            /* heap, record and slot capacity */
	uint64_t executed;       /* events run so far */
	uint64_t ties;           /* events that ran at the same time as the previous one */
	sim_time_t last_at;      /* time of the previous event, -1 before the first */
	uint64_t seed;           /* scenario seed, printed by SIM_ASSERT */
	unsigned replication;    /* replication index, printed by SIM_ASSERT */
	bool stop;               /* set by sim_stop: sim_run_until returns early */
	bool running;            /* a handler is running (sim_step) */
	sim_time_t until;        /* sim_run_until's bound, SIM_TIME_MAX outside */
	bool vacant;             /* while a handler runs: heap[0] is the running
				  * event's spent entry, to be replaced by the
				  * next push or removed after the handler */
	const volatile sig_atomic_t *interrupt; /* when it reads non-zero (a
				  * signal handler's flag), sim_run_until returns
				  * within 4,096 events; NULL: never */
	/* The stall watch: a run whose clock stands still for more than
	 * stall_limit events (counted every 4,096) asks on_stall, which
	 * returns a new limit, or 0 to stop the run there (sim_run_until
	 * then returns with stalled set). */
	uint64_t stall_limit;    /* 0: no watch */
	uint64_t (*on_stall)(struct sim *s, void *ctx, uint64_t events);
	void *stall_ctx;         /* on_stall's context */
	bool stalled;            /* on_stall stopped the run */
	bool full;               /* SIM_MAX_PENDING events were pending and one
				  * more was scheduled: it was dropped and the
				  * run stopped (the caller must discard it) */
	sim_time_t instant;      /* where the clock stood at the last check */
	uint64_t instant_from;   /* events executed when it got there */
};

/* The most events that can be pending at once. */
#define SIM_MAX_PENDING ((1u << 27) - 1)

/* Prepares an empty sim at time 0. Returns 0, or -1 when out of memory. */
int sim_init(struct sim *s, uint64_t seed, unsigned replication);
/* Frees the event heap; pending events are dropped (their targets are not
 * touched). */
void sim_finish(struct sim *s);

/* Schedules fn(s, target, arg) at absolute time at (>= now: scheduling into
 * the past is a bug and asserts). */
void sim_schedule(struct sim *s, sim_time_t at, sim_event_fn *fn, void *target,
		  uint64_t arg);
/* Schedules after a delay from now (saturating at SIM_TIME_MAX). */
static inline void sim_schedule_in(struct sim *s, sim_time_t delay,
				   sim_event_fn *fn, void *target, uint64_t arg)
{
	sim_schedule(s, sim_time_add(s->now, delay), fn, target, arg);
}

static inline void sim_timer_init(struct sim_timer *t)
{
	t->pos = 0;
}

static inline bool sim_timer_is_pending(const struct sim_timer *t)
{
	return t->pos != 0;
}

/* Starts t to fire at time at; a pending t is moved (it keeps no old firing)
 * and takes a new sequence number, as if cancelled and started again. */
void sim_timer_start(struct sim *s, struct sim_timer *t, sim_time_t at,
		     sim_event_fn *fn, void *target, uint64_t arg);
/* Cancels a pending timer; returns whether it was pending. */
bool sim_timer_cancel(struct sim *s, struct sim_timer *t);
/* Time a pending timer fires at; SIM_TIME_MAX when idle. */
sim_time_t sim_timer_due(const struct sim *s, const struct sim_timer *t);

/* For a handler about to schedule its own follow-up at `at` (an arrival
 * process's next arrival): when that event would run next anyway (before
 * every pending event, within sim_run_until's bound, with no stop or
 * interrupt asked), moves the clock to `at`, counts it as an executed
 * event and returns true; the handler then does the follow-up's work
 * itself, saving a trip through the heap. Otherwise returns false and the
 * handler schedules it as usual. The order of events is the same either
 * way. Only inside a handler; false elsewhere. */
bool sim_claim(struct sim *s, sim_time_t at);

/* Runs the earliest pending event; returns false when none is left. */
bool sim_step(struct sim *s);
/* Runs every event due at or before until, then sets now = until (unless
 * sim_stop was called, in which case now stays at the stopping event). */
void sim_run_until(struct sim *s, sim_time_t until);
/* Makes sim_run_until return after the current event. */
static inline void sim_stop(struct sim *s)
{
	s->stop = true;
}

/* Time of the earliest pending event, SIM_TIME_MAX when none. */
static inline sim_time_t sim_next_time(const struct sim *s)
{
	if (!s->vacant)
		return s->n ? s->heap[0].at : SIM_TIME_MAX;
	/* Inside a handler the root is spent: the next is among its
	 * children (at most four, the heap's arity). */
	sim_time_t t = SIM_TIME_MAX;
	for (uint32_t i = 1; i < s->n && i <= 4; i++)
		if (s->heap[i].at < t)
			t = s->heap[i].at;
	return t;
}

/* Invariant checks that stay on in release builds: a failure prints the
 * condition, the place, the simulated time and the seed, then aborts. */
#define SIM_ASSERT(s, cond)                                                    \
	((cond) ? (void)0                                                      \
		: sim_assert_fail((s), #cond, __FILE__, __LINE__, __func__))

_Noreturn void sim_assert_fail(const struct sim *s, const char *expr,
			       const char *file, int line, const char *func);

#endif
