/* test_orchestration.c - an SQS buffer, an EventBridge pipe and a Step
 * Functions state machine (BASF's imagery design): the execution cap is
 * never passed, refused starts are retried by the pipe until they start,
 * executions ending in an outage land in the failure queue and a replay
 * delivers them, and every message is accounted for. The fixture is
 * deterministic (constant times, a burst at 0 s), so counts are exact. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "models/registry.h"
#include "sim/diag.h"
#include "tests/harness.h"

#define FIXTURE "tests/fixtures/orchestration.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* orchestration:state_machine ---------------------------------------------- */

START_TEST(cap_is_never_exceeded)
{
	/* 20 requests at 0 s, 5 executions of 60 s at a time: the pipe starts
	 * 5 at 0 s; the 6th is refused at 0, 1, 3, 7, 15 and 31 s (backoff 1,
	 * 2, 4, 8, 16, 32 s) and started at 63 s with the next four; again at
	 * 126 s and 189 s. Six refusals per round of five, three rounds. */
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "RunningExecutions.max"), 5);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsStarted"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsSucceeded"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionThrottled"), 18);
	/* The histogram's buckets are 1/64 wide (relative). */
	ck_assert_double_eq_tol(value(&o, "flow", "ExecutionTime.p99"), 60, 60 / 64.0);
	/* 5 x 60 s in each of [0, 60), [63, 123), [126, 186), [189, 249) s
	 * of the 1,800 s. */
	ck_assert_double_eq_tol(value(&o, "flow", "RunningExecutions"), 20 * 60 / 1800.0, 1e-12);
	ck_assert_double_eq(value(&o, "flow", "StateTransitions"), 100);
	ck_assert_int_eq(o.tenants[0].delivered, 20);
	ck_assert_double_eq_tol(o.tenants[0].dwell.max, 249, 1e-9);
	harness_done(&scn, &o);

	/* Other caps, more pollers and batches: the peak is the cap exactly. */
	static const char *const caps[] = { "1", "3", "7", "19" };
	static const char *const shapes[][2] = {
		{ "resources.pipe.pollers=1", "resources.pipe.batch_size=1" },
		{ "resources.pipe.pollers=4", "resources.pipe.batch_size=3" },
		{ "resources.pipe.pollers=10", "resources.pipe.batch_size=10" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		for (size_t j = 0; j < sizeof(shapes) / sizeof(shapes[0]); j++) {
			char cap[80];
			snprintf(cap, sizeof(cap), "resources.flow.max_concurrent_executions=%s",
				 caps[i]);
			const char *sets[] = { cap, shapes[j][0], shapes[j][1], "duration=3h" };
			harness_run(FIXTURE, sets, 4, &scn, &o);
			double peak = value(&o, "flow", "RunningExecutions.max");
			if (peak != atof(caps[i]) || o.tenants[0].delivered != 20)
				fail_add(&f, "cap %s, %s, %s: peak %g, %llu delivered", caps[i],
					 shapes[j][0], shapes[j][1], peak,
					 (unsigned long long)o.tenants[0].delivered);
			harness_done(&scn, &o);
		}
	}
	FAILS_CHECK(f);
}
END_TEST

/* 60 requests, one a second from 0 s; executions of 10 s, no cap; the
 * provider is down from 30 s to 50 s, so the executions started at 20..39 s
 * (ending at 30..49 s) fail: 20 of them. */
static const char *const outage_sets[] = {
	"tenants.app.arrivals={burst: {count: 60, over: 60s}}",
	"resources.flow.max_concurrent_executions=none",
	"resources.flow.execution_time=10s",
	"resources.flow.outages=[{at: 30s, for: 20s}]",
	"resources.flow.replay=[{at: 5m, to: buffer}]",
};

START_TEST(outage_failures_go_to_the_failure_queue)
{
	/* Before the replay (the run ends at 4 min): 40 delivered, 20 wait in
	 * the failure queue, none lost. */
	const char *sets[6];
	memcpy(sets, outage_sets, sizeof(outage_sets));
	sets[5] = "duration=4m";
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 6, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsFailed"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsSucceeded"), 40);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsLost"), 0);
	ck_assert_double_eq(value(&o, "flow", "Replayed"), 0);
	ck_assert_double_eq(value(&o, "failures", "NumberOfMessagesSent"), 20);
	double waiting = value(&o, "failures", "ApproximateNumberOfMessagesVisible");
	ck_assert_double_eq(waiting, 20);
	ck_assert_int_eq(o.tenants[0].sent, 60);
	ck_assert_int_eq(o.tenants[0].delivered, 40);
	ck_assert_int_eq(o.tenants[0].failed, 0);
	/* Conservation: sent = delivered + in the failure queue + in the
	 * buffer + held or running. */
	ck_assert_double_eq((double)o.tenants[0].sent,
			    (double)o.tenants[0].delivered + waiting +
				    value(&o, "buffer", "ApproximateNumberOfMessagesVisible") +
				    value(&o, "buffer", "ApproximateNumberOfMessagesNotVisible") +
				    value(&o, "flow", "RunningExecutionsAtEnd"));
	harness_done(&scn, &o);
}
END_TEST

START_TEST(replay_after_the_outage_delivers)
{
	/* The replay at 5 min moves the 20 to the buffer; they run from 300 s
	 * to 310 s and succeed: all 60 delivered, the last (sent at 20 s)
	 * after 290 s. */
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, outage_sets, 5, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "Replayed"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsStarted"), 80);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsFailed"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsSucceeded"), 60);
	ck_assert_double_eq(value(&o, "flow", "RunningExecutions.max"), 20);
	ck_assert_double_eq(value(&o, "failures", "ApproximateNumberOfMessagesVisible"), 0);
	ck_assert_double_eq(value(&o, "failures", "NumberOfMessagesDeleted"), 20);
	ck_assert_double_eq(value(&o, "buffer", "NumberOfMessagesSent"), 80);
	ck_assert_double_eq(value(&o, "pipe", "Started"), 80);
	ck_assert_int_eq(o.tenants[0].delivered, 60);
	ck_assert_int_eq(o.tenants[0].failed, 0);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 0);
	ck_assert_double_eq_tol(o.tenants[0].dwell.max, 290, 1e-9);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(failures_without_a_failure_queue_are_lost)
{
	const char *sets[6];
	memcpy(sets, outage_sets, 4 * sizeof(*sets));
	sets[4] = "resources.flow.failure_queue=none";
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 5, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsFailed"), 20);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsLost"), 20);
	ck_assert_int_eq(o.tenants[0].delivered, 40);
	ck_assert_int_eq(o.tenants[0].failed, 20);
	harness_done(&scn, &o);
	/* failure_rate 100%: every execution fails, into the queue. */
	const char *all[] = { "resources.flow.failure_rate=100%" };
	harness_run(FIXTURE, all, 1, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsFailed"), 20);
	ck_assert_double_eq(value(&o, "failures", "ApproximateNumberOfMessagesVisible"), 20);
	ck_assert_int_eq(o.tenants[0].delivered, 0);
	ck_assert_int_eq(o.tenants[0].failed, 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(direct_start_is_rejected_at_the_cap)
{
	/* A tenant calling StartExecution itself: 5 of the 20 start, the
	 * other 15 are refused on arrival (nobody retries them). */
	const char *sets[] = { "tenants.app.target=flow" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	ck_assert_double_eq(value(&o, "flow", "ExecutionsStarted"), 5);
	ck_assert_double_eq(value(&o, "flow", "ExecutionThrottled"), 15);
	ck_assert_int_eq(o.tenants[0].delivered, 5);
	ck_assert_int_eq(o.tenants[0].rejected, 15);
	ck_assert_double_eq(value(&o, "pipe", "Received"), 0);
	harness_done(&scn, &o);
}
END_TEST

/* orchestration:pipe ------------------------------------------------------- */

START_TEST(throttled_start_is_retried_until_it_starts)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	ck_assert_double_eq(value(&o, "pipe", "Received"), 20);
	ck_assert_double_eq(value(&o, "pipe", "Started"), 20);
	ck_assert_double_eq(value(&o, "pipe", "TargetThrottled"), 18);
	ck_assert_double_eq(value(&o, "pipe", "Retries"), 18);
	ck_assert_double_eq(value(&o, "pipe", "GaveUp"), 0);
	ck_assert_double_eq(value(&o, "pipe", "PipeRequests"), 20);
	/* Each message received once and deleted once it started. */
	ck_assert_double_eq(value(&o, "buffer", "NumberOfMessagesReceived"), 20);
	ck_assert_double_eq(value(&o, "buffer", "NumberOfMessagesDeleted"), 20);
	ck_assert_int_eq(o.tenants[0].delivered, 20);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 0);
	ck_assert_int_eq(o.tenants[0].failed, 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(gives_up_before_the_visibility_timeout)
{
	/* A 20 s visibility timeout: the 6th message is refused at 0, 1, 3, 7
	 * and 15 s; the next retry (31 s) would come after it returns, so the
	 * poller gives it up at 15 s and it comes back at 20 s. Everything
	 * still starts eventually; with a dead-letter queue after two
	 * receives, the given-up messages are dead-lettered instead. */
	const char *sets[] = { "resources.buffer.visibility_timeout=20s" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	/* 6 give-ups in all: a regression value (deterministic, but the
	 * interleaving of returns, rests and retries is long to derive). */
	double gave = value(&o, "pipe", "GaveUp");
	ck_assert_double_eq(gave, 6);
	ck_assert_double_eq(value(&o, "pipe", "Received"), 20 + gave);
	ck_assert_double_eq(value(&o, "buffer", "NumberOfMessagesReceived"), 20 + gave);
	ck_assert_double_eq(value(&o, "flow", "RunningExecutions.max"), 5);
	ck_assert_int_eq(o.tenants[0].delivered, 20);
	harness_done(&scn, &o);

	const char *dlq[] = { "resources.buffer.visibility_timeout=20s",
			      "resources.buffer.dead_letter={target: failures, max_receive_count: 1}" };
	harness_run(FIXTURE, dlq, 2, &scn, &o);
	gave = value(&o, "pipe", "GaveUp");
	ck_assert_double_eq(gave, 5);
	ck_assert_double_eq((double)o.tenants[0].dead_lettered, gave);
	ck_assert_int_eq(o.tenants[0].delivered + o.tenants[0].dead_lettered, 20);
	harness_done(&scn, &o);

	/* No retries at all: the first refusal gives the message up, and it
	 * waits out the 10 min visibility timeout: 5 start at 0 s, the other
	 * 15 are given up one a second (the poller rests 1 s after each);
	 * five start as they return at 600..604 s and the next ten are given
	 * up again, five start at 1,205 s, the last five at 1,810 s: 15 + 10
	 * + 5 refusals, each one given up. */
	const char *none[] = { "resources.pipe.maximum_retry_attempts=0", "duration=1h" };
	harness_run(FIXTURE, none, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "pipe", "Retries"), 0);
	ck_assert_double_eq(value(&o, "pipe", "GaveUp"), 30);
	ck_assert_double_eq(value(&o, "pipe", "TargetThrottled"), 30);
	ck_assert_int_eq(o.tenants[0].delivered, 20);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(names_are_checked_at_link)
{
	/* A scenario file with wrong names: each error at its value's place. */
	static const char yaml[] =
		"name: bad\n"
		"duration: 1m\n"
		"tenants:\n"
		"  app: {target: buffer, arrivals: {burst: {count: 1}}}\n"
		"resources:\n"
		"  buffer: {type: sqs}\n"
		"  failures: {type: sqs}\n"
		"  flow:\n"
		"    type: state_machine\n"
		"    execution_time: 1s\n"
		"    failure_queue: pipe\n"
		"    replay: [{at: 1m, to: bufer}]\n"
		"  pipe: {type: pipe, source: flow, target: buffer}\n";
	char path[] = "/tmp/spillway-orchestration-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, yaml, sizeof(yaml) - 1), (ssize_t)(sizeof(yaml) - 1));
	close(fd);
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	int rc = scenario_load(&scn, path, NULL, 0, &spillway_registry, &d);
	ck_assert_int_eq(rc, 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
	char want[4][200];
	snprintf(want[0], sizeof(want[0]),
		 "%s:11:20: error: resources.flow.failure_queue: 'pipe' is of type pipe, not an sqs queue", path);
	snprintf(want[1], sizeof(want[1]),
		 "%s:12:27: error: resources.flow.replay[0].to: no resource named 'bufer' (did you mean 'buffer'?)", path);
	snprintf(want[2], sizeof(want[2]),
		 "%s:13:30: error: resources.pipe.source: 'flow' is of type state_machine, not an sqs queue", path);
	snprintf(want[3], sizeof(want[3]),
		 "%s:13:44: error: resources.pipe.target: 'buffer' is of type sqs, not a state_machine", path);
	unlink(path);
	struct fails f = { 0 };
	if (d.n != 4)
		fail_add(&f, "%zu diagnostics, not 4", d.n);
	for (size_t i = 0; i < d.n && i < 4; i++)
		if (strcmp(d.v[i].text, want[i]))
			fail_add(&f, "got  %s\nwant %s", d.v[i].text, want[i]);
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
	FAILS_CHECK(f);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("orchestration");
	TCase *tc = tcase_create("orchestration:state_machine");
	tcase_add_test(tc, cap_is_never_exceeded);
	tcase_add_test(tc, outage_failures_go_to_the_failure_queue);
	tcase_add_test(tc, replay_after_the_outage_delivers);
	tcase_add_test(tc, failures_without_a_failure_queue_are_lost);
	tcase_add_test(tc, direct_start_is_rejected_at_the_cap);
	suite_add_tcase(s, tc);
	tc = tcase_create("orchestration:pipe");
	tcase_add_test(tc, throttled_start_is_retried_until_it_starts);
	tcase_add_test(tc, gives_up_before_the_visibility_timeout);
	tcase_add_test(tc, names_are_checked_at_link);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
