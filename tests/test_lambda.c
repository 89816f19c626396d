/* test_lambda.c - the Lambda function and its SQS event source mapping,
 * pinned with small deterministic scenarios (constant durations, no cold
 * starts unless a test is about them): redelivery and dead-lettering,
 * batching windows, maximum concurrency, reserved concurrency and
 * throttling, on-demand scale-up, provisioned mode (per-poller caps, warm
 * start, scaling, ceiling, EPU metering, configuration errors), parallel
 * batches, timeouts, environments and the scaling rate, synchronous
 * invocations. */
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "reports/summary.h"
#include "sim/run.h"
#include "sim/scenario.h"

#include "tests/harness.h"

#define PIPE "tests/fixtures/pipeline.yaml"

struct run {
	struct scenario scn;
	struct sim_outcome out;
};

static void run(struct run *r, const char *const *sets, size_t n)
{
	harness_run(PIPE, sets, n, &r->scn, &r->out);
}

static void done(struct run *r)
{
	harness_done(&r->scn, &r->out);
}

/* A metric of replication 0. */
static double get(const struct run *r, const char *resource, const char *metric)
{
	const struct sim_metric *m = sim_results_find(&r->out.results, resource, metric);
	ck_assert_msg(m != NULL, "no metric %s.%s", resource, metric);
	return m->values[0];
}

START_TEST(poison_message_received_max_receive_count_times_then_dead_lettered)
{
	const char *s[] = { "tenants.t.failure_rate=100%" };
	struct run r;
	run(&r, s, 1);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesReceived"), 3);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesMovedToDLQ"), 1);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 0);
	ck_assert_double_eq(get(&r, "dlq", "ApproximateNumberOfMessagesVisible"), 1);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 3);
	ck_assert_double_eq(get(&r, "fn", "Errors"), 3);
	ck_assert_uint_eq(r.out.tenants[0].dead_lettered, 1);
	ck_assert_uint_eq(r.out.tenants[0].delivered, 0);
	done(&r);
}
END_TEST

START_TEST(failed_message_is_retried_after_the_visibility_timeout)
{
	/* Fails twice (error_rate 100% until... ) -- instead: a 2-item batch
	 * with item failures reported: the good one is deleted at once, the
	 * bad one comes back at 30 s, 60 s, then goes to the DLQ. */
	const char *s[] = { "tenants.t.arrivals={burst: {count: 1, at: 0s}}",
			    "tenants.t.failure_rate=100%",
			    "resources.fn.report_batch_item_failures=true",
			    "tenants.ok={target: q, arrivals: {burst: {count: 1, at: 0s}}}" };
	struct run r;
	run(&r, s, 4);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 1);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesMovedToDLQ"), 1);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesReceived"), 4);
	/* With item failures reported, the invocations are not errors. */
	ck_assert_double_eq(get(&r, "fn", "Errors"), 0);
	/* The good message: received at 0 s, done after 2 x 100 ms. */
	ck_assert_double_eq_tol(r.out.tenants[1].dwell.max, 0.2, 1e-9);
	done(&r);
}
END_TEST

START_TEST(batching_window_holds_a_partial_batch)
{
	/* One poller (several would share the trickle of messages between
	 * their batches, as Lambda's pollers do). */
	const char *s[] = { "tenants.t.arrivals={burst: {count: 3, at: 0s}}",
			    "resources.q.dead_letter.max_receive_count=5",
			    "resources.fn.event_sources[0].maximum_batching_window=2s",
			    "resources.fn.event_sources[0].initial_concurrency=1",
			    "resources.fn.event_sources[0].concurrency_ceiling=1" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 1);
	/* Invoked at 2 s with all three, 100 ms each: the batch is deleted
	 * when the invocation returns, at 2.3 s. */
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.min, 2.3, 1e-9);
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.max, 2.3, 1e-9);
	done(&r);
	/* A full batch does not wait for the window. */
	const char *full[] = { "tenants.t.arrivals={burst: {count: 10, at: 0s}}",
			       s[2], s[3], s[4] };
	run(&r, full, 4);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 1);
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.max, 1.0, 1e-9);
	done(&r);
	/* Several pollers split the messages: 3 batches of one. */
	const char *many[] = { s[0], s[1], s[2] };
	run(&r, many, 3);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 3);
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.max, 2.1, 1e-9);
	done(&r);
}
END_TEST

START_TEST(maximum_concurrency_is_never_exceeded)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 10000, at: 0s}}",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.timeout=15s",
			    "resources.fn.event_sources[0].maximum_concurrency=7",
			    "duration=90s" };
	struct run r;
	run(&r, s, 5);
	/* 5 batches, then the first scaling decision (61 s) to the cap. */
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 7);
	ck_assert_double_le(get(&r, "fn/q", "Concurrency.max"), 7);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 0);
	done(&r);
}
END_TEST

START_TEST(reserved_concurrency_throttles_and_receive_counts_rise)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 100, at: 0s}}",
			    "resources.q.dead_letter.max_receive_count=1000",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.event_sources[0].batch_size=1",
			    "resources.fn.reserved_concurrency=2",
			    "resources.fn.release_lag=0s" };
	struct run r;
	run(&r, s, 6);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 2);
	ck_assert_double_gt(get(&r, "fn", "Throttles"), 0);
	/* Each throttle backs the mapping off (error_backoff_cut; FACTS 1,
	 * "Backoff on throttle"): exactly this many with constant timings. */
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 31);
	ck_assert_double_eq(get(&r, "fn/q", "ThrottledInvokes"), 31);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesReceived"), 106);
	/* Throttled batches go back to the queue: more receives than messages. */
	ck_assert_double_gt(get(&r, "q", "NumberOfMessagesReceived"), 100);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 100);
	done(&r);
}
END_TEST

/* A FIFO queue, a function with 4 in-handler workers reporting failed
 * items: a batch's messages run 4 at a time, so a message after a failed
 * one may already have succeeded when the failure is known. The mapping
 * still deletes only up to the first failure (FACTS 1, "Partial batch
 * response"): every group keeps its order. */
START_TEST(fifo_partial_batch_stops_at_the_first_failure)
{
	const char *s[] = { "resources.handler.duration.workers=4",
			    "resources.handler.report_batch_item_failures=true",
			    "tenants.a.failure_rate=20%",
			    "tenants.b.failure_rate=20%",
			    "resources.handler.release_lag=0s" };
	struct scenario scn;
	struct sim_outcome out;
	harness_run("tests/fixtures/fifo-pipeline.yaml", s, 5, &scn, &out);
	const struct sim_metric *m;
#define PIN(res, name, v)                                                      \
	m = sim_results_find(&out.results, res, name);                         \
	ck_assert_msg(m != NULL, "no metric %s.%s", res, name);                \
	ck_assert_double_eq(m->values[0], v)
	PIN("orders", "OutOfOrderDeletes", 0);
	PIN("orders", "NumberOfMessagesDeleted", 7);
	PIN("orders", "NumberOfMessagesReceived", 32);
	PIN("handler", "Invocations", 4);
	PIN("handler", "Errors", 0);
	PIN("handler", "FailedMessages", 16);
	PIN("handler/orders", "DeletedEventCount", 7);
	PIN("handler/orders", "FailedInvokeEventCount", 25);
#undef PIN
	harness_done(&scn, &out);
}
END_TEST

/* The mapping written under its function is a resource of its own: the
 * loader adopts it right after the function, named FUNCTION/QUEUE, and its
 * type is not a resource type of its own (not in the registry's types). */
START_TEST(event_source_is_adopted_as_a_peer_of_its_function)
{
	struct run r;
	run(&r, NULL, 0);
	ck_assert_uint_eq(r.scn.n_resources, 3);
	ck_assert_uint_eq(r.scn.n_peers, 1);
	ck_assert_str_eq(r.scn.peers[0].name, "fn/q");
	ck_assert_str_eq(r.scn.resources[r.scn.peers[0].owner].name, "fn");
	ck_assert_ptr_eq(r.scn.peers[0].ops, &esm_ops);
	ck_assert_ptr_null(model_registry_find(&spillway_registry, "sqs_event_source"));
	ck_assert_double_eq(get(&r, "fn/q", "DeletedEventCount"), 1);
	done(&r);
}
END_TEST

/* A failed invocation (not reported per item) makes the mapping give up
 * error_backoff_cut of its concurrency, at most once per
 * error_backoff_holdoff, and recover at scale_up_per_minute (FACTS 1,
 * "Backoff on function error"). Every invocation fails after 1 s: at 1 s
 * the first of the five failures cuts 5 to 2.5 (3 batches run); the
 * ceiling is back at 5 by 1.5 s and the next second's tick starts two
 * more. The holdoff of 10 s lets no other cut through: 5 + 3 + 9 x 5
 * invocations start by 10 s. */
START_TEST(function_errors_cut_the_mapping_concurrency)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 100000, at: 0s}}",
			    "resources.q.dead_letter.max_receive_count=1000",
			    "resources.fn.error_rate=100%",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.event_sources[0].batch_size=1",
			    "resources.fn.event_sources[0].error_backoff_cut=50%",
			    "resources.fn.event_sources[0].error_backoff_holdoff=10s",
			    "duration=10s" };
	struct run r;
	run(&r, s, 8);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 5 + 3 + 9 * 5);
	done(&r);
	/* No cut: 10 x 5. */
	const char *none[] = { s[0], s[1], s[2], s[3], s[4],
			       "resources.fn.event_sources[0].error_backoff_cut=0%", s[6], s[7] };
	run(&r, none, 8);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 55);
	done(&r);
	/* The same errors reported per item (ReportBatchItemFailures) do not
	 * back the mapping off (FACTS 1, "Partial batch effect on scaling"). */
	const char *items[] = { s[0], s[1], "tenants.t.failure_rate=100%", s[3], s[4], s[5], s[6], s[7],
				"resources.fn.report_batch_item_failures=true" };
	run(&r, items, 9);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 55);
	ck_assert_double_eq(get(&r, "fn", "FailedMessages"), 50);
	done(&r);
}
END_TEST

/* Invocation errors hold the mapping far below the concurrency a backlog
 * would give it, and it scales up again once they stop. */
START_TEST(errors_hold_the_mapping_down_until_they_stop)
{
	const char *s[] = { "tenants.t.arrivals={constant: {rate: 400/s}}",
			    "resources.q.dead_letter.max_receive_count=1000",
			    "resources.fn.duration.per_message=50ms",
			    "resources.fn.event_sources[0].batch_size=1",
			    "tenants.t.failure_rate=10%",
			    "duration=5m", "warmup=2m" };
	struct run r;
	run(&r, s, 7);
	double failing = get(&r, "fn/q", "Concurrency");
	done(&r);
	const char *ok[] = { s[0], s[1], s[2], s[3], "tenants.t.failure_rate=0%", s[5], s[6] };
	run(&r, ok, 7);
	double healthy = get(&r, "fn/q", "Concurrency");
	done(&r);
	/* Healthy: the decision at 61 s took it to 305, enough to empty the
	 * queue, so no decision followed. */
	ck_assert_double_eq(healthy, 305);
	ck_assert_msg(failing > 2 && failing < 40, "with 10%% errors: %g", failing);
}
END_TEST

/* On-demand scaling decisions come every scale_interval (60 s) while
 * messages wait, each adding scale_up_per_minute x interval / 1 min. */
START_TEST(on_demand_scale_up_is_5_then_300_a_minute)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 1000000, at: 0s}}",
			    "resources.fn.duration.per_message=10s",
			    "resources.fn.timeout=15s",
			    "resources.fn.event_sources[0].batch_size=1",
			    "duration=150s" };
	struct run r;
	run(&r, s, 5);
	/* Messages are seen waiting at the 1 s tick: decisions at 61 s and
	 * 121 s. */
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 5 + 2 * 300);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 5 + 2 * 300);
	done(&r);
	/* The pre-2023 rate, as a parameter: +60 a decision. */
	const char *old[] = { s[0], s[1], s[2], s[3], s[4],
			      "resources.fn.event_sources[0].scale_up_per_minute=60" };
	run(&r, old, 6);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 5 + 2 * 60);
	done(&r);
	/* Decisions every second from the first tick that saw messages (1 s):
	 * +5 at 2 s, 3 s, ..., 20 s. */
	const char *smooth[] = { s[0], s[1], s[2], s[3], "duration=20s",
				 "resources.fn.event_sources[0].scale_interval=1s" };
	run(&r, smooth, 6);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 5 + 5 * 19);
	done(&r);
}
END_TEST

/* ScaleUpTime: from the first message polled (0.01 s) to the first time
 * the invocations in flight reach 90% of their plateau (100/s x 1 s = 100):
 * the decision at 61 s. */
START_TEST(scale_up_time_is_the_first_decision_that_covers_the_load)
{
	const char *s[] = { "tenants.t.arrivals={constant: {rate: 100/s}}",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.event_sources[0].batch_size=1",
			    "duration=10m" };
	struct run r;
	run(&r, s, 4);
	ck_assert_double_eq_tol(get(&r, "fn/q", "ScaleUpTime"), 60.99, 1e-9);
	done(&r);
}
END_TEST

/* Filter criteria: messages that do not match are deleted without an
 * invocation and counted as FilteredOutEventCount. */
START_TEST(filter_criteria_delete_what_they_do_not_pass)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 10000, at: 0s}}",
			    "resources.fn.duration.per_message=10ms",
			    "resources.fn.event_sources[0].filter_criteria={match: 30%}",
			    "duration=10m" };
	struct run r;
	run(&r, s, 4);
	double out = get(&r, "fn/q", "FilteredOutEventCount");
	double invoked = get(&r, "fn/q", "InvokedEventCount");
	/* Binomial(10,000, 70%): sd 45.8; 4 sd either side. */
	ck_assert_msg(fabs(out - 7000) < 4 * 45.8, "filtered %g", out);
	ck_assert_double_eq(out + invoked, 10000);
	ck_assert_double_eq(get(&r, "fn/q", "PolledEventCount"), 10000);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 10000);
	done(&r);
}
END_TEST

START_TEST(parallel_workers_divide_the_duration)
{
	/* Full batches of 20 from a backlog: per_batch + ceil(20 / workers)
	 * rounds of 200 ms. */
	const char *s[] = { "tenants.t.arrivals={burst: {count: 400, at: 0s}}",
			    "resources.fn.duration={per_batch: 4ms, per_message: 200ms, workers: 4}",
			    "resources.fn.event_sources[0]={queue: q, batch_size: 20, maximum_batching_window: 1s}" };
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 20);
	ck_assert_double_eq_tol(get(&r, "fn", "Duration"), 1004, 1e-6);
	ck_assert_double_eq_tol(get(&r, "fn", "Duration.max"), 1004, 1e-6);
	done(&r);
	const char *one[] = { s[0], s[1], s[2], "resources.fn.duration.workers=1" };
	run(&r, one, 4);
	ck_assert_double_eq_tol(get(&r, "fn", "Duration"), 4004, 1e-6);
	done(&r);
	/* 3 workers: 7 rounds. */
	const char *three[] = { s[0], s[1], s[2], "resources.fn.duration.workers=3" };
	run(&r, three, 4);
	ck_assert_double_eq_tol(get(&r, "fn", "Duration"), 1404, 1e-6);
	done(&r);
}
END_TEST

/* At the same message rate, 4 workers need about a quarter of the
 * concurrent executions of 1 worker. */
START_TEST(parallel_workers_cut_concurrency)
{
	const char *s[] = { "tenants.t.arrivals={constant: {rate: 100/s}}",
			    "resources.fn.duration={per_batch: 4ms, per_message: 200ms, workers: 4}",
			    "resources.fn.event_sources[0]={queue: q, batch_size: 20, maximum_batching_window: 1s, scale_interval: 1s}",
			    "duration=5m", "warmup=1m" };
	struct run r;
	run(&r, s, 5);
	double four = get(&r, "fn", "ConcurrentExecutions");
	done(&r);
	const char *one[] = { s[0], s[1], s[2], s[3], s[4], "resources.fn.duration.workers=1" };
	run(&r, one, 6);
	double single = get(&r, "fn", "ConcurrentExecutions");
	done(&r);
	/* One worker: 100 messages/s x 0.2 s = 20 busy executions at least. */
	ck_assert_double_ge(single, 20);
	ck_assert_msg(single / four > 3.5 && single / four < 4.5,
		      "1 worker %.3f, 4 workers %.3f", single, four);
}
END_TEST

START_TEST(timeout_kills_the_invocation)
{
	const char *s[] = { "resources.fn.duration.per_message=10s",
			    "resources.fn.timeout=5s" };
	struct run r;
	run(&r, s, 2);
	/* Killed at 5 s three times, then dead-lettered. */
	ck_assert_double_eq(get(&r, "fn", "Timeouts"), 3);
	ck_assert_double_eq(get(&r, "fn", "Errors"), 3);
	ck_assert_double_eq_tol(get(&r, "fn", "Duration.max"), 5000, 1e-6);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesMovedToDLQ"), 1);
	done(&r);
}
END_TEST

START_TEST(environments_are_reused_until_keep_warm)
{
	/* One message a second, 100 ms each: one environment serves all. */
	const char *s[] = { "tenants.t={target: fn, arrivals: {constant: {rate: 1/s}}}",
			    "resources.fn.cold_start=300ms", "duration=100s" };
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 1);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 100);
	/* The one sent at 100 s is still running when the run ends. */
	ck_assert_uint_eq(r.out.tenants[0].delivered, 99);
	done(&r);
	/* Reclaimed after 500 ms idle: every invocation starts cold. */
	const char *cold[] = { s[0], s[1], s[2], "resources.fn.keep_warm=500ms" };
	run(&r, cold, 4);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 100);
	done(&r);
}
END_TEST

START_TEST(environments_retire_at_max_lifetime)
{
	/* One message a second from t = 1 s, 100 ms each, on one environment
	 * that dies 30 s after its start: new ones at 1, 31, 61 and 91 s. */
	const char *s[] = { "tenants.t={target: fn, arrivals: {constant: {rate: 1/s}}}",
			    "resources.fn.max_lifetime=30s", "duration=100s" };
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 4);
	ck_assert_double_eq(get(&r, "fn", "EnvironmentsRetired"), 3);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 100);
	ck_assert_double_eq_tol(get(&r, "fn", "ColdStartProbability"), 0.04, 1e-12);
	done(&r);
	/* An idle environment dies at its age too: one every 10 s, a 25 s
	 * lifetime: the environment born at 10 s dies idle at 35 s, so 40 s
	 * starts cold, and so do 70 s and 100 s. */
	const char *i[] = { "tenants.t={target: fn, arrivals: {constant: {rate: 0.1/s}}}",
			    "resources.fn.max_lifetime=25s", "duration=100s" };
	run(&r, i, 3);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 10);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 4);
	done(&r);
	/* An environment in use past its lifetime ends its invocation first:
	 * 20 s invocations on a 30 s lifetime, one every 25 s from 25 s: the
	 * first environment (25 s) takes the one at 50 s too (25 s old) and is
	 * retired when it ends at 70 s; 75 s starts a second, which the one at
	 * 100 s reuses. */
	const char *l[] = { "tenants.t={target: fn, arrivals: {constant: {rate: 0.04/s}}}",
			    "resources.fn.max_lifetime=30s", "resources.fn.timeout=30s",
			    "resources.fn.duration.per_message=20s", "duration=100s" };
	run(&r, l, 5);
	ck_assert_double_eq(get(&r, "fn", "Invocations"), 4);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 2);
	ck_assert_double_eq(get(&r, "fn", "EnvironmentsRetired"), 1);
	done(&r);
}
END_TEST

START_TEST(idle_environments_outlive_keep_warm_while_the_function_is_invoked)
{
	/* Two at once at 0 s make two environments; two more at 20.5 min need
	 * both again. A trickle of one a minute keeps the function invoked on
	 * the newest environment only, so the other stays idle for 20.5 min:
	 * kept (keep_warm_busy 25 min) -> 2 cold starts; with keep_warm_busy
	 * 0 it goes after keep_warm (5 min) -> 3; with no trickle the function
	 * is quiet and both go after 5 min -> 4. */
	const char *s[] = { "tenants.t={target: fn, arrivals: {burst: {count: 2, at: 0s}}}",
			    "tenants.b={target: fn, arrivals: {burst: {count: 2, at: 1230s}}}",
			    "resources.fn.keep_warm=5m", "duration=21m",
			    "tenants.c={target: fn, arrivals: {constant: {rate: 1/min}}}" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 2);
	done(&r);
	const char *s0[] = { s[0], s[1], s[2], s[3], s[4],
			     "resources.fn.keep_warm_busy=0s" };
	run(&r, s0, 6);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 3);
	done(&r);
	run(&r, s, 4);
	ck_assert_double_eq(get(&r, "fn", "ColdStarts"), 4);
	done(&r);
}
END_TEST

START_TEST(release_lag_keeps_environments_counted_after_the_return)
{
	/* An event source with at most 2 batches re-invokes as soon as an
	 * invocation returns. With 50 ms of release lag the limits still count
	 * the returned environments (the concurrent executions do not: never
	 * above 2), so a reserved concurrency of 2 throttles; without the lag
	 * it does not. */
	const char *s[] = { "tenants.t.arrivals={burst: {count: 200, at: 0s}}",
			    "resources.q.dead_letter.max_receive_count=1000",
			    "resources.fn.event_sources[0].batch_size=1",
			    "resources.fn.event_sources[0].maximum_concurrency=2",
			    "resources.fn.release_lag=50ms" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 0);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 2);
	done(&r);
	const char *res[] = { s[0], s[1], s[2], s[3], s[4],
			      "resources.fn.reserved_concurrency=2" };
	run(&r, res, 6);
	ck_assert_double_gt(get(&r, "fn", "Throttles"), 0);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 2);
	done(&r);
	/* No lag: no throttle at the same reservation. */
	const char *none[] = { s[0], s[1], s[2], s[3], "resources.fn.reserved_concurrency=2",
			       "resources.fn.release_lag=0s" };
	run(&r, none, 6);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 0);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 2);
	done(&r);
}
END_TEST

/* The Duration of one invocation (ms) and its GB-seconds, at the settings
 * `sets` on top of: one message at 1 s, per_message 1 s, no cold start. */
static void one_call(const char *const *sets, size_t n, double *ms, double *gbs)
{
	const char *base[16] = { "tenants.t={target: fn, arrivals: {burst: {count: 1, at: 1s}}}",
				 "resources.fn.duration.per_message=1s",
				 "resources.fn.timeout=30s", "duration=60s" };
	for (size_t i = 0; i < n; i++)
		base[4 + i] = sets[i];
	struct run r;
	run(&r, base, 4 + n);
	*ms = get(&r, "fn", "Duration");
	*gbs = get(&r, "fn", "GBSeconds");
	done(&r);
}

START_TEST(cpu_part_scales_with_the_vcpu_share_of_memory)
{
	double ms, gbs;
	/* No cpu_share: memory changes nothing (the old behaviour). */
	const char *none[] = { "resources.fn.memory=512MB" };
	one_call(none, 1, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 1000, 1e-6);
	ck_assert_double_eq_tol(gbs, 1.0 * 512 / 1024, 1e-12);
	/* Half CPU measured at 1,024 MB, run at 512 MB: the CPU half takes
	 * twice as long: 0.5 + 0.5 x 2 = 1.5 s. */
	const char *half[] = { "resources.fn.memory=512MB", "resources.fn.duration.cpu_share=50%",
			       "resources.fn.duration.at_memory=1024MB" };
	one_call(half, 3, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 1500, 1e-6);
	ck_assert_double_eq_tol(gbs, 1.5 * 512 / 1024, 1e-12);
	/* At 3,008 MB single-threaded code gets one vCPU, not 1.70:
	 * 0.5 + 0.5 x (1024 / 1769) s. */
	const char *big[] = { "resources.fn.memory=3008MB", half[1], half[2] };
	one_call(big, 3, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 500 + 500 * 1024.0 / 1769, 1e-6);
	/* Two threads use the 1.70 vCPUs: 0.5 + 0.5 x (1024 / 3008) s. */
	const char *two[] = { big[0], half[1], half[2], "resources.fn.duration.threads=2" };
	one_call(two, 4, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 500 + 500 * 1024.0 / 3008, 1e-6);
	/* Six threads at 10,240 MB: 5.79 vCPUs (memory / 1,769 MB). */
	const char *six[] = { "resources.fn.memory=10240MB", "resources.fn.duration.cpu_share=100%",
			      "resources.fn.duration.at_memory=1769MB",
			      "resources.fn.duration.threads=6" };
	one_call(six, 4, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 1000 * 1769.0 / 10240, 1e-6);
	/* at_memory defaults to the function's own: nothing scales. */
	const char *own[] = { "resources.fn.memory=256MB", half[1] };
	one_call(own, 2, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 1000, 1e-6);
	/* per_batch scales as per_message does: 1 s each, half CPU, measured
	 * at 256 MB, run at 128 MB: 2 x (0.5 + 0.5 x 2) = 3 s. */
	const char *pb[] = { "resources.fn.memory=128MB", "resources.fn.duration.per_batch=1s",
			     half[1], "resources.fn.duration.at_memory=256MB" };
	one_call(pb, 4, &ms, &gbs);
	ck_assert_double_eq_tol(ms, 3000, 1e-6);
}
END_TEST

/* The memory AWS Lambda Power Tuning asks for: `spillway plan` over
 * scenarios/power-tuning.yaml's memories, the cheapest per invocation
 * whose Duration is at most 1.5 s, at cpu_share `share`; the chosen
 * point's values ("resources.fn.memory=...") into out. */
static void cheapest_fast_enough(const char *share, char *out, size_t size)
{
	char dir[] = "/tmp/spillway-power-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[2048];
	snprintf(cmd, sizeof(cmd),
		 "%s plan scenarios/power-tuning.yaml -q -j 1 -o %s/plan "
		 "--vary resources.fn.memory=128MB,256MB,512MB,1024MB,1536MB,2048MB,3008MB "
		 "--set resources.fn.duration.cpu_share=%s "
		 "--require 'fn.Duration<=1500' --minimize fn.CostPerInvocation",
		 SPILLWAY_BIN, dir, share);
	ck_assert_int_eq(system(cmd), 0);
	char path[300];
	snprintf(path, sizeof(path), "%s/plan/plan.json", dir);
	json_error_t e;
	json_t *plan = json_load_file(path, 0, &e);
	ck_assert_msg(plan != NULL, "plan.json:%d: %s", e.line, e.text);
	const char *v = json_string_value(json_object_get(json_object_get(plan, "chosen"), "values"));
	ck_assert_ptr_nonnull(v);
	snprintf(out, size, "%s", v);
	json_decref(plan);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}

START_TEST(power_tuning_answer_moves_with_the_cpu_share)
{
	/* 4 s at 128 MB. 95% CPU: 512 MB gives 0.2 + 3.8 / 4 = 1.15 s, the
	 * cheapest within 1.5 s (256 MB: 2.1 s). 80% CPU: 512 MB gives
	 * 0.8 + 3.2 / 4 = 1.6 s, too slow; 1,024 MB 1.2 s. */
	char a[200], b[200];
	cheapest_fast_enough("95%", a, sizeof(a));
	ck_assert_str_eq(a, "resources.fn.memory=512MB");
	cheapest_fast_enough("80%", b, sizeof(b));
	ck_assert_str_eq(b, "resources.fn.memory=1024MB");
}
END_TEST

START_TEST(power_tuning_sweep_prints_duration_and_cost_per_invocation)
{
	char dir[] = "/tmp/spillway-sweep-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(dir));
	char cmd[2048], path[300], text[1 << 16];
	snprintf(cmd, sizeof(cmd),
		 "%s sweep scenarios/power-tuning.yaml -j 1 -o %s/s "
		 "--vary resources.fn.memory=128MB,1024MB,3008MB > %s/out.txt",
		 SPILLWAY_BIN, dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/out.txt", dir);
	ck_assert_uint_gt(harness_slurp(path, text, sizeof(text)), 0);
	ck_assert_ptr_nonnull(strstr(text, "fn.Duration"));
	ck_assert_ptr_nonnull(strstr(text, "fn.CostPerInvocation"));
	/* Durations: 0.2 + 3.8 s at 128 MB; at 1,024 MB 0.2 + 3.8 / 8 s; at
	 * 3,008 MB single-threaded code stops at one vCPU (1,769 MB). */
	ck_assert_ptr_nonnull(strstr(text, " 4000 "));
	ck_assert_ptr_nonnull(strstr(text, " 675 "));
	ck_assert_ptr_nonnull(strstr(text, " 474.958 "));
	snprintf(path, sizeof(path), "%s/s/sweep.csv", dir);
	ck_assert_uint_gt(harness_slurp(path, text, sizeof(text)), 0);
	/* 128 MB: $0.20 per million requests + 4 s x 0.125 GB at
	 * $0.0000166667 per GB-s (FACTS 3). */
	ck_assert_ptr_nonnull(strstr(text, "0,128MB,fn,CostPerInvocation,8.49"));
	/* Both curves are plotted against the points. */
	snprintf(cmd, sizeof(cmd), "grep -l 'CostPerInvocation' %s/s/plots/*.gp >/dev/null && "
		 "grep -l 'Duration' %s/s/plots/*.gp >/dev/null", dir, dir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(new_environments_limited_to_1000_per_10_seconds)
{
	const char *s[] = { "tenants.t={target: fn, arrivals: {burst: {count: 2000, at: 0s}}}",
			    "resources.acct={type: account, concurrency_limit: 5000}",
			    "resources.fn.duration.per_message=60s",
			    "resources.fn.timeout=2m", "resources.q.visibility_timeout=5m",
			    "duration=30s" };
	struct run r;
	run(&r, s, 6);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 1000);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 1000);
	ck_assert_uint_eq(r.out.tenants[0].rejected, 1000);
	done(&r);
}
END_TEST

START_TEST(synchronous_invocations_beyond_reserved_are_rejected)
{
	/* 10/s of 1 s work on 5 reserved: half are throttled (HTTP 429). */
	const char *s[] = { "tenants.t={target: fn, arrivals: {constant: {rate: 10/s}}}",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.reserved_concurrency=5", "duration=100s",
			    "resources.fn.release_lag=0s" };
	struct run r;
	run(&r, s, 5);
	const struct sim_tenant_stats *t = &r.out.tenants[0];
	ck_assert_uint_eq(t->sent, 1000);
	ck_assert_uint_eq(t->sent, t->delivered + t->rejected + 5);
	/* In each second the arrivals at .1-.5 start and those at .6-1.0
	 * find all 5 busy: 500 throttled; the 5 started at 99.1-99.5 s are
	 * still running at 100 s. */
	ck_assert_uint_eq(t->rejected, 500);
	ck_assert_uint_eq(t->delivered, 495);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 5);
	done(&r);
}
END_TEST

/* A throttled call is retried by the SDK; after max_attempts the message
 * fails. One write unit a second and no delay between attempts: the first
 * message's write takes the only unit, the second's three attempts are all
 * throttled at the same instant. */
START_TEST(calls_send_the_message_on_to_a_second_queue)
{
	/* fn sends every message to q2 (its `calls` target takes messages),
	 * where fn2 consumes it: q deletes it as a hand-off, and the tenant's
	 * delivery and dwell are counted once, at the end of the second hop.
	 * One message: fn takes 100 ms, fn2 100 ms; the mapping polls at once
	 * both times, so the dwell is exactly 0.2 s. */
	const char *s[] = {
		"resources.fn.calls=[{target: q2}]",
		"resources.q2={type: sqs}",
		"resources.fn2={type: lambda, timeout: 5s, cold_start: 0s, "
		"duration: {per_batch: 0s, per_message: 100ms}, "
		"event_sources: [{queue: q2, batch_size: 10}]}",
	};
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 1);
	ck_assert_double_eq(get(&r, "q2", "NumberOfMessagesSent"), 1);
	ck_assert_double_eq(get(&r, "q2", "NumberOfMessagesDeleted"), 1);
	ck_assert_double_eq(get(&r, "fn2", "Invocations"), 1);
	ck_assert_uint_eq(r.out.tenants[0].sent, 1);
	ck_assert_uint_eq(r.out.tenants[0].delivered, 1);
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.max, 0.2, 1e-9);
	done(&r);
}
END_TEST

START_TEST(sdk_gives_up_after_max_attempts)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 2, at: 0s}}",
			    "resources.tbl={type: dynamodb, write_capacity: 1, read_capacity: 1, burst_window: 1s, sdk_retry: {max_attempts: 3, base_delay: 0s}}",
			    "resources.fn.calls=[{target: tbl, op: write}]",
			    "resources.fn.duration.per_message=0s",
			    "resources.fn.report_batch_item_failures=true",
			    "resources.fn.event_sources[0].initial_concurrency=1",
			    "resources.fn.event_sources[0].concurrency_ceiling=1",
			    "duration=1s" };
	struct run r;
	run(&r, s, 8);
	ck_assert_double_eq(get(&r, "tbl", "WriteThrottleEvents"), 3);
	ck_assert_double_eq(get(&r, "tbl", "ConsumedWriteCapacityUnits"), 1);
	ck_assert_double_eq(get(&r, "fn", "FailedMessages"), 1);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 1);
	done(&r);
}
END_TEST

START_TEST(messages_are_conserved)
{
	/* Random durations and failures: every message is accounted for. */
	const char *s[] = { "tenants.t.arrivals={poisson: {rate: 50/s}}",
			    "tenants.t.failure_rate=5%",
			    "resources.fn.duration.per_message={exponential: {mean: 50ms}}",
			    "resources.fn.report_batch_item_failures=true",
			    "resources.fn.reserved_concurrency=3", "duration=5m",
			    "replications=2", "resources.fn.release_lag=0s" };
	struct run r;
	run(&r, s, 8);
	const struct sim_tenant_stats *t = &r.out.tenants[0];
	double left = 0;
	for (size_t i = 0; i < 2; i++) {
		const struct sim_metric *v = sim_results_find(&r.out.results, "q", "ApproximateNumberOfMessagesVisible");
		const struct sim_metric *nv = sim_results_find(&r.out.results, "q", "ApproximateNumberOfMessagesNotVisible");
		const struct sim_metric *dl = sim_results_find(&r.out.results, "q", "ApproximateNumberOfMessagesDelayed");
		left += v->values[i] + nv->values[i] + dl->values[i];
	}
	ck_assert_double_eq((double)t->sent,
			    (double)(t->delivered + t->dead_lettered + t->expired) + left);
	ck_assert_uint_gt(t->dead_lettered, 0);
	done(&r);
}
END_TEST

/* Provisioned mode -------------------------------------------------------- */

#define ES "resources.fn.event_sources[0]."
#define BOTH "tests/fixtures/provisioned-both.yaml"

/* 10 concurrent invokes per poller: 2 pollers, 10 s batches from a
 * backlog, never more than 20 at once (on-demand would climb from 5 by 5 a
 * second). */
START_TEST(provisioned_concurrency_is_10_per_poller)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 10000, at: 0s}}",
			    "resources.fn.duration.per_message=1s",
			    "resources.fn.timeout=15s",
			    ES "provisioned_pollers={min: 2, max: 2}",
			    "duration=60s" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 20);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 20);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers"), 2);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers.max"), 2);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 0);
	/* The 20 long polls take one message each as the burst arrives at
	 * 0 s; from 1 s, full batches of 10 every 10 s: 20 + 6 x 200
	 * received, of which the 20 and 5 x 200 are done by 60 s. */
	ck_assert_double_eq(get(&r, "fn/q", "PolledEventCount"), 1220);
	ck_assert_double_eq(get(&r, "fn/q", "DeletedEventCount"), 1020);
	done(&r);
}
END_TEST

/* 1 MB/s per poller: 2 pollers receive 2,000,000 B a second. 250 KB
 * messages fill that exactly (8 a second, 61 whole seconds in [0, 60]).
 * 300 KB messages do not divide it: a receive takes at least one message,
 * so a second can go one message over, and the next second gives it back. */
START_TEST(provisioned_bytes_are_1MB_per_second_per_poller)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 10000, at: 0s}}",
			    "tenants.t.message_size=250KB",
			    "resources.q.max_message_size=1MiB",
			    "resources.fn.duration.per_message=10ms",
			    ES "provisioned_pollers={min: 2, max: 2}",
			    "duration=60s" };
	struct run r;
	run(&r, s, 6);
	ck_assert_double_eq(get(&r, "fn/q", "PeakPolledBytesPerSecond"), 2000000);
	ck_assert_double_eq(get(&r, "fn/q", "PolledEventCount"), 8 * 61);
	done(&r);
	const char *odd[] = { s[0], "tenants.t.message_size=300KB", s[2], s[3], s[4], s[5] };
	run(&r, odd, 6);
	double peak = get(&r, "fn/q", "PeakPolledBytesPerSecond");
	double bytes = get(&r, "fn/q", "PolledEventCount") * 300000;
	ck_assert_double_gt(peak, 2000000);
	ck_assert_double_le(peak, 2000000 + 300000);
	ck_assert_double_le(bytes, 61 * 2000000.0 + 300000);
	ck_assert_double_gt(bytes, 61 * 2000000.0 - 300000);
	done(&r);
	/* Five pollers: 5 MB a second, 20 messages of 250 KB. */
	const char *five[] = { s[0], s[1], s[2], s[3],
			       ES "provisioned_pollers={min: 5, max: 5}", s[5] };
	run(&r, five, 6);
	ck_assert_double_eq(get(&r, "fn/q", "PeakPolledBytesPerSecond"), 5000000);
	ck_assert_double_eq(get(&r, "fn/q", "PolledEventCount"), 20 * 61);
	done(&r);
}
END_TEST

/* 10 receive calls a second per poller: with batches of one message that
 * take 10 ms, 20 workers could run 2,000 batches a second; 2 pollers make
 * 20 calls, so 20 messages a second. */
START_TEST(provisioned_receives_are_10_calls_per_second_per_poller)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 10000, at: 0s}}",
			    "resources.fn.duration.per_message=10ms",
			    ES "batch_size=1",
			    ES "provisioned_pollers={min: 2, max: 2}",
			    "duration=60s" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn/q", "PeakReceiveCallsPerSecond"), 20);
	ck_assert_double_eq(get(&r, "fn/q", "PolledEventCount"), 20 * 61);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 20);
	done(&r);
}
END_TEST

/* Warm at min from time 0: 50 pollers hold 500 long polls, so a burst of
 * 500 one-second messages is done 1 s after it arrives; on-demand starts at
 * 5 batches. */
START_TEST(provisioned_starts_warm_at_min)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 500, at: 0s}}",
			    "resources.fn.duration.per_message=1s",
			    ES "batch_size=1",
			    ES "provisioned_pollers={min: 50, max: 50}",
			    "duration=2m" };
	struct run r;
	run(&r, s, 5);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 500);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency"), 500);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers"), 50);
	ck_assert_uint_eq(r.out.tenants[0].delivered, 500);
	ck_assert_double_eq_tol(r.out.tenants[0].dwell.max, 1.0, 1e-9);
	done(&r);
	const char *od[] = { s[0], s[1], s[2], s[4] };
	run(&r, od, 4);
	ck_assert_double_lt(get(&r, "fn", "ConcurrentExecutions.max"), 500);
	ck_assert_double_gt(r.out.tenants[0].dwell.max, 10);
	done(&r);
}
END_TEST

/* While messages wait the target grows by 1,000 batches a minute (100
 * pollers), applied each second, up to max pollers; then back down to min
 * once the receives come back empty. */
START_TEST(provisioned_scales_up_1000_per_minute_toward_max)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 1000000, at: 0s}}",
			    "resources.fn.duration.per_message=10s",
			    "resources.fn.timeout=15s",
			    "resources.acct={type: account, concurrency_limit: 100000}",
			    ES "batch_size=1",
			    ES "provisioned_pollers={min: 2, max: 2000}",
			    "duration=60s" };
	struct run r;
	run(&r, s, 7);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 20 + 1000);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 20 + 1000);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers.max"), 2 + 100);
	ck_assert_double_eq(get(&r, "fn", "Throttles"), 0);
	done(&r);
	/* max: 50 pollers stops it at 500. */
	const char *capped[] = { s[0], s[1], s[2], s[3], s[4],
				 ES "provisioned_pollers={min: 2, max: 50}", s[6] };
	run(&r, capped, 7);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 500);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers.max"), 50);
	done(&r);
	/* A backlog of 20,000 quick messages drains in 15 s (26 pollers at
	 * most); the pollers fall back to 2 when the long polls that follow
	 * come back empty, 20 s later, so the hour costs little more than 2
	 * poller-hours (2.18). */
	const char *down[] = { "tenants.t.arrivals={burst: {count: 20000, at: 0s}}",
			       "resources.fn.duration.per_message=100ms",
			       s[5], "duration=1h" };
	run(&r, down, 4);
	ck_assert_double_gt(get(&r, "fn/q", "ProvisionedPollers.max"), 10);
	ck_assert_double_eq(get(&r, "q", "NumberOfMessagesDeleted"), 20000);
	ck_assert_double_lt(get(&r, "fn/q", "EventPollerUnit-hours"), 2.5);
	ck_assert_double_ge(get(&r, "fn/q", "EventPollerUnit-hours"), 2);
	done(&r);
}
END_TEST

/* 20,000 concurrent batches at most, whatever max says (10,000 pollers
 * would be 100,000): from 200 pollers (2,000) it takes 18 minutes. */
START_TEST(provisioned_ceiling_is_20000)
{
	const char *s[] = { "tenants.t.arrivals={burst: {count: 1000000, at: 0s}}",
			    "resources.fn.duration.per_message=14m",
			    "resources.fn.timeout=15m",
			    "resources.q.visibility_timeout=1h",
			    "resources.acct={type: account, concurrency_limit: 100000}",
			    ES "batch_size=1",
			    ES "provisioned_pollers={min: 200, max: 10000}",
			    "duration=25m" };
	struct run r;
	run(&r, s, 8);
	ck_assert_double_eq(get(&r, "fn/q", "Concurrency.max"), 20000);
	ck_assert_double_eq(get(&r, "fn", "ConcurrentExecutions.max"), 20000);
	ck_assert_double_eq(get(&r, "fn/q", "ProvisionedPollers.max"), 2000);
	done(&r);
}
END_TEST

/* EventPollerUnit-hours = poller-hours / pollers_per_epu, over the
 * measurement window, exactly for a constant count. */
START_TEST(provisioned_epu_hours_are_poller_hours)
{
	const char *s[] = { ES "provisioned_pollers={min: 4, max: 4}", "duration=1h" };
	struct run r;
	run(&r, s, 2);
	ck_assert_double_eq(get(&r, "fn/q", "EventPollerUnit-hours"), 4);
	const struct sim_metric *m =
		sim_results_find(&r.out.results, "fn/q", "EventPollerUnit-hours");
	ck_assert_str_eq(m->service, "AWS Lambda");
	ck_assert_str_eq(m->price_key, "lambda.epu_hour");
	ck_assert_str_eq(m->unit, "EPU-hour");
	done(&r);
	const char *warm[] = { s[0], "duration=3h", "warmup=1h" };
	run(&r, warm, 3);
	ck_assert_double_eq(get(&r, "fn/q", "EventPollerUnit-hours"), 8);
	done(&r);
	const char *per[] = { ES "provisioned_pollers={min: 4, max: 4, pollers_per_epu: 2}",
			      "duration=90m" };
	run(&r, per, 2);
	ck_assert_double_eq(get(&r, "fn/q", "EventPollerUnit-hours"), 3);
	done(&r);
	/* On-demand mappings meter no pollers. */
	run(&r, NULL, 0);
	ck_assert_ptr_null(sim_results_find(&r.out.results, "fn/q", "EventPollerUnit-hours"));
	ck_assert_ptr_null(sim_results_find(&r.out.results, "fn/q", "ProvisionedPollers"));
	done(&r);
}
END_TEST

/* Provisioned pollers and maximum concurrency together are rejected, at
 * the provisioned_pollers value; so is max below min. */
START_TEST(provisioned_configuration_errors)
{
	static const struct {
		const char *path;
		const char *set;
		const char *expect;
	} cases[] = {
		{ BOTH, NULL,
		  BOTH ":16:30: error: resources.fn.event_sources[0].provisioned_pollers: not with maximum_concurrency (AWS rejects a mapping with both)" },
		{ BOTH, ES "provisioned_pollers={min: 30, max: 20}",
		  "--set: error: resources.fn.event_sources[0].provisioned_pollers: not with maximum_concurrency (AWS rejects a mapping with both)" },
		{ PIPE, ES "provisioned_pollers={min: 30, max: 20}",
		  "--set: error: resources.fn.event_sources[0].provisioned_pollers.max: must be at least min (30), got 20" },
		{ PIPE, ES "provisioned_pollers={min: 1}",
		  "--set: error: resources.fn.event_sources[0].provisioned_pollers.min: must be between 2 and 200, got '1'" },
		{ PIPE, ES "provisioned_pollers={max: 10001}",
		  "--set: error: resources.fn.event_sources[0].provisioned_pollers.max: must be between 2 and 10000, got '10001'" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct scenario scn;
		struct diag d;
		diag_init(&d);
		const char *set[] = { cases[i].set };
		int rc = scenario_load(&scn, cases[i].path, set, cases[i].set ? 1 : 0,
				       &spillway_registry, &d);
		if (rc == 0)
			scenario_finish(&scn);
		if (rc == 0 || d.n < 1 || strcmp(d.v[0].text, cases[i].expect))
			fail_add(&f, "case %zu: rc %d, %zu messages, first '%s'", i, rc,
				 d.n, d.n ? d.v[0].text : "");
		diag_finish(&d);
	}
	FAILS_CHECK(f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("lambda");
	TCase *esm = tcase_create("esm:behaviour");
	tcase_set_timeout(esm, 300);
	tcase_add_test(esm, poison_message_received_max_receive_count_times_then_dead_lettered);
	tcase_add_test(esm, failed_message_is_retried_after_the_visibility_timeout);
	tcase_add_test(esm, batching_window_holds_a_partial_batch);
	tcase_add_test(esm, maximum_concurrency_is_never_exceeded);
	tcase_add_test(esm, on_demand_scale_up_is_5_then_300_a_minute);
	tcase_add_test(esm, messages_are_conserved);
	tcase_add_test(esm, fifo_partial_batch_stops_at_the_first_failure);
	tcase_add_test(esm, event_source_is_adopted_as_a_peer_of_its_function);
	tcase_add_test(esm, function_errors_cut_the_mapping_concurrency);
	tcase_add_test(esm, errors_hold_the_mapping_down_until_they_stop);
	tcase_add_test(esm, scale_up_time_is_the_first_decision_that_covers_the_load);
	tcase_add_test(esm, filter_criteria_delete_what_they_do_not_pass);
	suite_add_tcase(s, esm);
	TCase *prov = tcase_create("esm:provisioned");
	tcase_set_timeout(prov, 300);
	tcase_add_test(prov, provisioned_concurrency_is_10_per_poller);
	tcase_add_test(prov, provisioned_bytes_are_1MB_per_second_per_poller);
	tcase_add_test(prov, provisioned_receives_are_10_calls_per_second_per_poller);
	tcase_add_test(prov, provisioned_starts_warm_at_min);
	tcase_add_test(prov, provisioned_scales_up_1000_per_minute_toward_max);
	tcase_add_test(prov, provisioned_ceiling_is_20000);
	tcase_add_test(prov, provisioned_epu_hours_are_poller_hours);
	tcase_add_test(prov, provisioned_configuration_errors);
	suite_add_tcase(s, prov);
	TCase *fn = tcase_create("lambda:behaviour");
	tcase_set_timeout(fn, 300);
	tcase_add_test(fn, reserved_concurrency_throttles_and_receive_counts_rise);
	tcase_add_test(fn, parallel_workers_divide_the_duration);
	tcase_add_test(fn, parallel_workers_cut_concurrency);
	tcase_add_test(fn, timeout_kills_the_invocation);
	tcase_add_test(fn, environments_are_reused_until_keep_warm);
	tcase_add_test(fn, environments_retire_at_max_lifetime);
	tcase_add_test(fn, idle_environments_outlive_keep_warm_while_the_function_is_invoked);
	tcase_add_test(fn, release_lag_keeps_environments_counted_after_the_return);
	tcase_add_test(fn, cpu_part_scales_with_the_vcpu_share_of_memory);
	tcase_add_test(fn, power_tuning_answer_moves_with_the_cpu_share);
	tcase_add_test(fn, power_tuning_sweep_prints_duration_and_cost_per_invocation);
	tcase_add_test(fn, new_environments_limited_to_1000_per_10_seconds);
	tcase_add_test(fn, synchronous_invocations_beyond_reserved_are_rejected);
	tcase_add_test(fn, sdk_gives_up_after_max_attempts);
	tcase_add_test(fn, calls_send_the_message_on_to_a_second_queue);
	suite_add_tcase(s, fn);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
