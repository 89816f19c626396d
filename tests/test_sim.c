/* test_sim.c - the event loop: heap order against a sorted reference, FIFO
 * among equal times, cancellation and rescheduling of timers (from outside
 * and inside handlers), claimed follow-ups, the clock. */
#include <check.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

#include <gsl/gsl_rng.h>

#include "sim/alloc.h"
#include "sim/run.h"
#include "sim/sim.h"

/* What a handler saw: its insertion id and the time it ran at. */
struct trace {
	uint64_t ids[20000];
	sim_time_t at[20000];
	size_t n;
};

static void record(struct sim *s, void *target, uint64_t arg)
{
	struct trace *t = target;
	t->ids[t->n] = arg;
	t->at[t->n++] = s->now;
}

struct ref {
	sim_time_t at;
	uint64_t id;
};

static int ref_cmp(const void *a, const void *b)
{
	const struct ref *x = a, *y = b;
	if (x->at != y->at)
		return x->at < y->at ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

/* Runs every pending event and checks they ran in the order of the stable
 * sort of ref by (time, id). */
static void run_against(struct sim *s, const struct trace *tr, struct ref *ref,
			size_t n)
{
	qsort(ref, n, sizeof(ref[0]), ref_cmp);
	sim_run_until(s, SIM_TIME_MAX - 1);
	ck_assert_uint_eq(tr->n, n);
	for (size_t i = 0; i < n; i++) {
		ck_assert_uint_eq(tr->ids[i], ref[i].id);
		ck_assert_int_eq(tr->at[i], ref[i].at);
	}
}

/* Many events drawn from only 50 distinct times: the run order must be the
 * stable sort by (time, insertion order). */
START_TEST(heap_matches_sorted_reference)
{
	static struct trace tr;
	static struct ref ref[20000];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 1234 + (unsigned long)_i);
	struct sim s;
	ck_assert_int_eq(sim_init(&s, 1, 0), 0);
	tr.n = 0;
	size_t n = 20000;
	for (size_t i = 0; i < n; i++) {
		sim_time_t at = (sim_time_t)gsl_rng_uniform_int(r, 50) * SIM_MS;
		ref[i] = (struct ref){ at, i };
		sim_schedule(&s, at, record, &tr, i);
	}
	run_against(&s, &tr, ref, n);
	ck_assert_uint_eq(s.executed, n);
	/* 50 distinct times: every other event is a tie. */
	ck_assert_uint_eq(s.ties, n - 50);
	sim_finish(&s);
	gsl_rng_free(r);
}
END_TEST

/* Sequence numbers wrap after 2^36 insertions: the pending events are
 * renumbered in order. Run order and timer positions must survive it. */
START_TEST(order_survives_sequence_renumbering)
{
	static struct trace tr;
	static struct ref ref[20000];
	struct sim_timer t[10];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 4321);
	struct sim s;
	ck_assert_int_eq(sim_init(&s, 1, 0), 0);
	s.seq = (1ull << 36) - 5000; /* renumbers at the 5001st insertion */
	tr.n = 0;
	size_t n = 0;
	/* Arguments are insertion indices, so the expected order is the sort
	 * by (time, argument) of what was not cancelled. */
	for (uint64_t i = 0; i < 10; i++) {
		sim_time_t at = (sim_time_t)(i % 5) * SIM_MS;
		sim_timer_init(&t[i]);
		sim_timer_start(&s, &t[i], at, record, &tr, i);
		if (i % 2)
			ref[n++] = (struct ref){ at, i };
	}
	for (uint64_t i = 10; i < 20000; i++) {
		sim_time_t at = (sim_time_t)gsl_rng_uniform_int(r, 50) * SIM_MS;
		ref[n++] = (struct ref){ at, i };
		sim_schedule(&s, at, record, &tr, i);
	}
	/* Renumbered: the 5000 pending then got 0..4999. */
	ck_assert_uint_eq(s.seq, 20000);
	for (int i = 0; i < 10; i += 2)
		ck_assert(sim_timer_cancel(&s, &t[i]));
	run_against(&s, &tr, ref, n);
	for (int i = 0; i < 10; i++)
		ck_assert(!sim_timer_is_pending(&t[i]));
	sim_finish(&s);
	gsl_rng_free(r);
}
END_TEST

/* Interleaves scheduling with running: events scheduled by handlers for
 * the current instant run after those already due then (FIFO). */
struct chain {
	struct trace *tr;
	int left;
};

static void spawn(struct sim *s, void *target, uint64_t arg)
{
	struct chain *c = target;
	record(s, c->tr, arg);
	if (c->left-- > 0)
		sim_schedule(s, s->now, spawn, c, arg + 100);
}

START_TEST(same_time_events_scheduled_in_handlers_run_last)
{
	static struct trace tr;
	struct sim s;
	struct chain c = { &tr, 1 };
	tr.n = 0;
	sim_init(&s, 1, 0);
	sim_schedule(&s, 5, spawn, &c, 1);
	sim_schedule(&s, 5, record, &tr, 2);
	sim_schedule(&s, 5, record, &tr, 3);
	sim_run_until(&s, 10);
	ck_assert_uint_eq(tr.n, 4);
	ck_assert_uint_eq(tr.ids[0], 1);
	ck_assert_uint_eq(tr.ids[1], 2);
	ck_assert_uint_eq(tr.ids[2], 3);
	ck_assert_uint_eq(tr.ids[3], 101);
	ck_assert_int_eq(s.now, 10);
	sim_finish(&s);
}
END_TEST

START_TEST(cancel_removes_only_that_timer)
{
	static struct trace tr;
	struct sim s;
	struct sim_timer t[100];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 99);
	tr.n = 0;
	sim_init(&s, 1, 0);
	for (int i = 0; i < 100; i++) {
		sim_timer_init(&t[i]);
		ck_assert(!sim_timer_is_pending(&t[i]));
		sim_timer_start(&s, &t[i],
				(sim_time_t)gsl_rng_uniform_int(r, 10) * SIM_S,
				record, &tr, (uint64_t)i);
		sim_schedule(&s, (sim_time_t)gsl_rng_uniform_int(r, 10) * SIM_S,
			     record, &tr, 1000 + (uint64_t)i);
	}
	/* Cancel the odd timers; cancelling twice reports false. */
	for (int i = 1; i < 100; i += 2) {
		ck_assert(sim_timer_cancel(&s, &t[i]));
		ck_assert(!sim_timer_cancel(&s, &t[i]));
		ck_assert(!sim_timer_is_pending(&t[i]));
	}
	ck_assert_uint_eq(s.n, 150);
	sim_run_until(&s, 100 * SIM_S);
	ck_assert_uint_eq(tr.n, 150);
	sim_time_t last = 0;
	for (size_t k = 0; k < tr.n; k++) {
		ck_assert(tr.ids[k] >= 1000 || tr.ids[k] % 2 == 0);
		ck_assert_int_ge(tr.at[k], last);
		last = tr.at[k];
	}
	for (int i = 0; i < 100; i++)
		ck_assert(!sim_timer_is_pending(&t[i]));
	sim_finish(&s);
	gsl_rng_free(r);
}
END_TEST

START_TEST(restart_moves_a_pending_timer)
{
	static struct trace tr;
	struct sim s;
	struct sim_timer a, b;
	tr.n = 0;
	sim_init(&s, 1, 0);
	sim_timer_init(&a);
	sim_timer_init(&b);
	sim_timer_start(&s, &a, 10, record, &tr, 1);
	sim_timer_start(&s, &b, 20, record, &tr, 2);
	ck_assert_int_eq(sim_timer_due(&s, &a), 10);
	/* Restarting replaces the old firing: a fires once, at 30. */
	sim_timer_start(&s, &a, 30, record, &tr, 3);
	ck_assert_int_eq(sim_timer_due(&s, &a), 30);
	ck_assert_uint_eq(s.n, 2);
	sim_run_until(&s, 100);
	ck_assert_uint_eq(tr.n, 2);
	ck_assert_uint_eq(tr.ids[0], 2);
	ck_assert_uint_eq(tr.ids[1], 3);
	ck_assert_int_eq(tr.at[1], 30);
	ck_assert_int_eq(sim_timer_due(&s, &a), SIM_TIME_MAX);
	sim_finish(&s);
}
END_TEST

/* Random interleaving of start / cancel / restart against a brute-force
 * model of which timers are pending and when they fire. */
START_TEST(random_timer_operations_match_model)
{
	static struct trace tr;
	struct sim s;
	enum { N = 64 };
	struct sim_timer t[N];
	sim_time_t due[N];
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(r, 7);
	tr.n = 0;
	sim_init(&s, 1, 0);
	for (int i = 0; i < N; i++) {
		sim_timer_init(&t[i]);
		due[i] = -1;
	}
	for (int step = 0; step < 5000; step++) {
		int i = (int)gsl_rng_uniform_int(r, N);
		if (gsl_rng_uniform(r) < 0.6) {
			sim_time_t at = s.now + (sim_time_t)gsl_rng_uniform_int(r, 1000);
			sim_timer_start(&s, &t[i], at, record, &tr, (uint64_t)i);
			due[i] = at;
		} else {
			ck_assert_int_eq(sim_timer_cancel(&s, &t[i]), due[i] >= 0);
			due[i] = -1;
		}
		for (int k = 0; k < N; k++)
			ck_assert_int_eq(sim_timer_due(&s, &t[k]),
					 due[k] >= 0 ? due[k] : SIM_TIME_MAX);
		if (step % 10 == 9) {
			size_t before = tr.n;
			sim_time_t until = s.now + 300;
			sim_run_until(&s, until);
			for (size_t k = before; k < tr.n; k++) {
				ck_assert_int_eq(tr.at[k], due[tr.ids[k]]);
				due[tr.ids[k]] = -1;
			}
			if (tr.n > 15000)
				tr.n = 0;
		}
	}
	sim_finish(&s);
	gsl_rng_free(r);
}
END_TEST

/* Handlers that schedule, cancel and restart timers (their own included)
 * and read sim_next_time while they run, against a brute-force model of the
 * pending set: every event must run in (time, insertion) order and the
 * engine's view from inside a handler must be the model's. */
enum { MADE_MAX = 3000, N_TIMERS = 24 };

struct live {
	sim_time_t at;
	uint64_t seq;
	bool pending;
};

static struct {
	struct live ev[MADE_MAX + 8];
	size_t n;                   /* events ever made */
	uint64_t seq;
	struct sim_timer t[N_TIMERS];
	size_t t_ev[N_TIMERS];      /* the model event of a pending timer */
	gsl_rng *r;
	size_t ran;
} M;

static void act(struct sim *s, void *target, uint64_t arg);

static size_t model_add(sim_time_t at)
{
	ck_assert_uint_lt(M.n, sizeof(M.ev) / sizeof(M.ev[0]));
	M.ev[M.n] = (struct live){ at, M.seq++, true };
	return M.n++;
}

/* The pending model event that must run first, or SIZE_MAX. */
static size_t model_first(void)
{
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < M.n; i++)
		if (M.ev[i].pending &&
		    (best == SIZE_MAX || M.ev[i].at < M.ev[best].at ||
		     (M.ev[i].at == M.ev[best].at && M.ev[i].seq < M.ev[best].seq)))
			best = i;
	return best;
}

static void random_actions(struct sim *s, int rounds)
{
	for (int k = 0; k < rounds && M.n < MADE_MAX; k++) {
		double u = gsl_rng_uniform(M.r);
		sim_time_t at = s->now + (sim_time_t)gsl_rng_uniform_int(M.r, 40);
		if (u < 0.45) {
			size_t e = model_add(at);
			sim_schedule(s, at, act, NULL, e << 8 | 0xff);
		} else {
			size_t i = gsl_rng_uniform_int(M.r, N_TIMERS);
			if (sim_timer_is_pending(&M.t[i]))
				M.ev[M.t_ev[i]].pending = false;
			if (u < 0.8) {
				size_t e = model_add(at);
				M.t_ev[i] = e;
				sim_timer_start(s, &M.t[i], at, act, NULL, e << 8 | i);
			} else {
				sim_timer_cancel(s, &M.t[i]);
			}
		}
	}
}

static void act(struct sim *s, void *target, uint64_t arg)
{
	(void)target;
	size_t e = arg >> 8;
	ck_assert_uint_eq(model_first(), e);
	ck_assert_int_eq(M.ev[e].at, s->now);
	M.ev[e].pending = false;
	if ((arg & 0xff) != 0xff)
		ck_assert(!sim_timer_is_pending(&M.t[arg & 0xff]));
	size_t next = model_first();
	ck_assert_int_eq(sim_next_time(s), next == SIZE_MAX ? SIM_TIME_MAX : M.ev[next].at);
	M.ran++;
	if (M.n < MADE_MAX)
		random_actions(s, 1 + (int)gsl_rng_uniform_int(M.r, 3));
	next = model_first();
	ck_assert_int_eq(sim_next_time(s), next == SIZE_MAX ? SIM_TIME_MAX : M.ev[next].at);
}

START_TEST(handlers_scheduling_and_cancelling_match_model)
{
	struct sim s;
	M.n = M.seq = M.ran = 0;
	M.r = gsl_rng_alloc(gsl_rng_mt19937);
	gsl_rng_set(M.r, 99 + (unsigned long)_i);
	sim_init(&s, 1, 0);
	for (int i = 0; i < N_TIMERS; i++)
		sim_timer_init(&M.t[i]);
	random_actions(&s, 64);
	sim_run_until(&s, SIM_TIME_MAX - 1);
	ck_assert_uint_eq(model_first(), SIZE_MAX);
	ck_assert_uint_gt(M.ran, MADE_MAX / 2);
	ck_assert_uint_eq(s.executed, M.ran);
	sim_finish(&s);
	gsl_rng_free(M.r);
}
END_TEST

/* A source that emits every `gap` (an arrival process) beside a ticker
 * every 7: with sim_claim the source runs its next emissions itself when
 * nothing else is due first; the trace (who ran when) and the event count
 * must be those of plain scheduling. */
struct source {
	struct trace *tr;
	sim_time_t gap;
	int left;
	bool claim;
	int claimed;
};

static void emit(struct sim *s, void *target, uint64_t arg)
{
	struct source *src = target;
	for (;;) {
		record(s, src->tr, arg);
		if (--src->left <= 0)
			return;
		sim_time_t at = s->now + src->gap;
		arg++;
		if (!src->claim || !sim_claim(s, at)) {
			sim_schedule(s, at, emit, src, arg);
			return;
		}
		src->claimed++;
	}
}

static void tick(struct sim *s, void *target, uint64_t arg)
{
	record(s, target, arg);
	if (arg < 1000 + 40)
		sim_schedule_in(s, 7, tick, target, arg + 1);
}

static void run_source(struct trace *tr, bool claim, struct source *src,
		       uint64_t *executed)
{
	struct sim s;
	tr->n = 0;
	*src = (struct source){ tr, 3, 100, claim, 0 };
	sim_init(&s, 1, 0);
	sim_schedule(&s, 0, emit, src, 0);
	sim_schedule(&s, 0, tick, tr, 1000);
	/* Until 200 (the bound stops claims too), then the rest. */
	sim_run_until(&s, 200);
	ck_assert_int_eq(s.now, 200);
	ck_assert_int_le(tr->at[tr->n - 1], 200);
	sim_run_until(&s, SIM_TIME_MAX - 1);
	*executed = s.executed;
	sim_finish(&s);
}

START_TEST(claim_keeps_the_order_of_plain_scheduling)
{
	static struct trace plain, claimed;
	struct source a, b;
	uint64_t n_plain, n_claimed;
	run_source(&plain, false, &a, &n_plain);
	run_source(&claimed, true, &b, &n_claimed);
	ck_assert_uint_eq(a.claimed, 0);
	/* The source's events at multiples of 3 that are not also ticks
	 * (multiples of 7, scheduled earlier) nor past the bound of 200. */
	ck_assert_int_gt(b.claimed, 50);
	ck_assert_uint_eq(claimed.n, plain.n);
	ck_assert_uint_eq(n_claimed, n_plain);
	for (size_t i = 0; i < plain.n; i++) {
		ck_assert_uint_eq(claimed.ids[i], plain.ids[i]);
		ck_assert_int_eq(claimed.at[i], plain.at[i]);
	}
}
END_TEST

static void try_claim(struct sim *s, void *target, uint64_t arg)
{
	bool *ok = target;
	if (arg == 1)
		sim_stop(s);
	ok[arg] = sim_claim(s, s->now + 1);
}

START_TEST(claim_refuses_outside_handlers_and_past_limits)
{
	struct sim s;
	bool ok[4] = { true, true, true, true };
	sim_init(&s, 1, 0);
	/* Not inside a handler. */
	ck_assert(!sim_claim(&s, 5));
	ck_assert_int_eq(s.now, 0);
	/* An event due at the claimed time was scheduled first. */
	sim_schedule(&s, 10, try_claim, ok, 0);
	sim_schedule(&s, 11, try_claim, ok, 3);
	sim_run_until(&s, 10);
	ck_assert(!ok[0]);
	/* After sim_stop. */
	sim_schedule(&s, 10, try_claim, ok, 1);
	sim_run_until(&s, 100);
	ck_assert(!ok[1]);
	/* Past the run's bound (11 + 1 > 11). */
	sim_run_until(&s, 11);
	ck_assert(!ok[3]);
	ck_assert_int_eq(s.now, 11);
	/* Nothing pending, within the bound: claimed. */
	sim_schedule(&s, 20, try_claim, ok, 2);
	sim_run_until(&s, 100);
	ck_assert(ok[2]);
	sim_finish(&s);
}
END_TEST

START_TEST(run_until_advances_clock_and_stop_interrupts)
{
	static struct trace tr;
	struct sim s;
	tr.n = 0;
	sim_init(&s, 1, 0);
	sim_run_until(&s, 7 * SIM_S);
	ck_assert_int_eq(s.now, 7 * SIM_S);
	ck_assert(!sim_step(&s));
	sim_schedule_in(&s, SIM_TIME_MAX, record, &tr, 1);
	ck_assert_int_eq(sim_next_time(&s), SIM_TIME_MAX);
	sim_finish(&s);
}
END_TEST

static void record_nothing(struct sim *s, void *target, uint64_t arg)
{
	(void)s;
	(void)target;
	(void)arg;
}

/* A handler that schedules itself again at the same instant, forever. */
static void spin(struct sim *s, void *target, uint64_t arg)
{
	(void)target;
	sim_schedule(s, s->now, spin, NULL, arg);
}

struct watch {
	int calls;           /* on_stall calls */
	uint64_t events[4];  /* the events it was told of */
	int allow;           /* calls that raise the limit before it says stop */
};

static uint64_t watcher(struct sim *s, void *ctx, uint64_t events)
{
	(void)s;
	struct watch *w = ctx;
	if (w->calls < 4)
		w->events[w->calls] = events;
	return w->calls++ < w->allow ? events + 50000 : 0;
}

/* The clock standing still past stall_limit events asks on_stall; a new
 * limit lets the run go on, 0 stops it with stalled set, at that instant. */
START_TEST(stall_watch_stops_a_loop_at_one_instant)
{
	struct sim s;
	struct watch w = { .allow = 1 };
	sim_init(&s, 1, 0);
	s.stall_limit = 100000;
	s.on_stall = watcher;
	s.stall_ctx = &w;
	sim_schedule(&s, 3 * SIM_S, spin, NULL, 0);
	sim_run_until(&s, 10 * SIM_S);
	ck_assert(s.stalled);
	ck_assert_int_eq(s.now, 3 * SIM_S);
	ck_assert_int_eq(w.calls, 2);
	/* Checked every 4,096 events: the first check past each limit. */
	ck_assert_uint_eq(w.events[0], 102400);
	ck_assert_uint_eq(w.events[1], 155648);
	sim_finish(&s);

	/* Events that move the clock never stall, however many. */
	sim_init(&s, 1, 0);
	s.stall_limit = 1000;
	s.on_stall = watcher;
	s.stall_ctx = &w;
	w = (struct watch){ 0 };
	for (int i = 0; i < 100000; i++)
		sim_schedule(&s, (sim_time_t)i, record_nothing, NULL, 0);
	sim_run_until(&s, SIM_S);
	ck_assert(!s.stalled);
	ck_assert_int_eq(w.calls, 0);
	ck_assert_int_eq(s.now, SIM_S);
	sim_finish(&s);
}
END_TEST

/* Memory that cannot be had: the hook hears the size asked for (the CLI's
 * removes its temporary directory and exits 1); without a hook, abort. In
 * children, since both end the process. (AddressSanitizer reports such a
 * request itself: not under it.) */
static void exit_with_size_class(size_t size)
{
	exit(size == SIZE_MAX / 2 ? 3 : 4);
}

static int child_status(int hook, int which)
{
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		(void)!freopen("/dev/null", "w", stderr);
		if (hook)
			sim_alloc_on_failure(exit_with_size_class);
		void *p = which == 0 ? sim_xrealloc(NULL, SIZE_MAX / 2)
				     : sim_xcalloc(SIZE_MAX / 2, 1);
		free(p);
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

/* A run's status names what failed. */
START_TEST(run_statuses_name_what_failed)
{
	ck_assert_str_eq(sim_run_strerror(SIM_RUN_OK), "success");
	ck_assert_str_eq(sim_run_strerror(SIM_RUN_WRITE_ERROR),
			 "the time series could not be written");
	ck_assert_str_eq(sim_run_strerror(SIM_RUN_LINK_ERROR), "the scenario does not link");
	ck_assert_str_eq(sim_run_strerror(SIM_RUN_FAILED), "the simulation could not go on");
	ck_assert_str_eq(sim_run_strerror(SIM_RUN_INTERRUPTED), "interrupted by a signal");
	ck_assert_str_eq(sim_run_strerror(-5), "unknown run status");
	ck_assert_str_eq(sim_run_strerror(1), "unknown run status");
}
END_TEST

START_TEST(out_of_memory_goes_to_the_hook_or_aborts)
{
#if defined(__SANITIZE_ADDRESS__)
	return;
#endif
	for (int which = 0; which < 2; which++) {
		int st = child_status(1, which);
		ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 3, "status %d", st);
		st = child_status(0, which);
		ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT, "status %d", st);
	}
	char *d = sim_xstrdup("kept");
	ck_assert_str_eq(d, "kept");
	free(d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sim");
	TCase *heap = tcase_create("sim:heap");
	tcase_add_loop_test(heap, heap_matches_sorted_reference, 0, 5);
	tcase_add_test(heap, same_time_events_scheduled_in_handlers_run_last);
	tcase_add_test(heap, order_survives_sequence_renumbering);
	suite_add_tcase(s, heap);
	TCase *cancel = tcase_create("sim:cancel");
	tcase_add_test(cancel, cancel_removes_only_that_timer);
	tcase_add_test(cancel, restart_moves_a_pending_timer);
	tcase_add_test(cancel, random_timer_operations_match_model);
	tcase_add_loop_test(cancel, handlers_scheduling_and_cancelling_match_model, 0, 3);
	suite_add_tcase(s, cancel);
	TCase *claim = tcase_create("sim:claim");
	tcase_add_test(claim, claim_keeps_the_order_of_plain_scheduling);
	tcase_add_test(claim, claim_refuses_outside_handlers_and_past_limits);
	suite_add_tcase(s, claim);
	TCase *clock = tcase_create("sim:clock");
	tcase_add_test(clock, run_until_advances_clock_and_stop_interrupts);
	tcase_add_test(clock, stall_watch_stops_a_loop_at_one_instant);
	suite_add_tcase(s, clock);
	TCase *status = tcase_create("sim:status");
	tcase_add_test(status, run_statuses_name_what_failed);
	suite_add_tcase(s, status);
	TCase *alloc = tcase_create("sim:alloc");
	tcase_add_test(alloc, out_of_memory_goes_to_the_hook_or_aborts);
	suite_add_tcase(s, alloc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
