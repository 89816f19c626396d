/* test_dependency.c - an external dependency called by a function: its
 * latency lengthens invocations exactly, an outage window fails the calls
 * made inside it (and only those), retries follow the policy, and the rate
 * limit refuses calls beyond it. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "tests/harness.h"

#define FIXTURE "tests/fixtures/dependency.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

START_TEST(latency_lengthens_invocations)
{
	const char *sets[] = { "resources.api.outages=[{at: 1h, for: 1m}]" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	/* 20 ms of work, then a 100 ms call: 120 ms each, none failed. */
	ck_assert_double_eq_tol(value(&o, "fn", "Duration"), 120, 1e-9);
	ck_assert_double_eq(value(&o, "api", "FailedCalls"), 0);
	ck_assert_double_eq(value(&o, "jobs", "NumberOfMessagesMovedToDLQ"), 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(outage_fails_calls_inside_it)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	double down = value(&o, "api", "CallsWhileDown");
	ck_assert_double_eq(value(&o, "api", "FailedCalls"), down);
	/* Messages sent in [2m, 4m) at one a second: 120 of them, each
	 * received within the window at least once; those sent before 3 min
	 * are received three times inside it (30 s apart) and dead-lettered;
	 * the others succeed once it is up again. */
	ck_assert(down >= 120);
	double dlq = value(&o, "jobs", "NumberOfMessagesMovedToDLQ");
	ck_assert(dlq > 0 && dlq < 120);
	/* Everything is accounted for: delivered or dead-lettered. */
	ck_assert_double_eq(value(&o, "jobs", "NumberOfMessagesSent"),
			    value(&o, "jobs", "NumberOfMessagesDeleted") + dlq +
				    value(&o, "jobs", "ApproximateNumberOfMessagesVisible") +
				    value(&o, "jobs", "ApproximateNumberOfMessagesNotVisible"));
	harness_done(&scn, &o);
	/* With three attempts 1 s apart (at most) inside the invocation, the
	 * calls still fail during a 2-minute outage: the same messages die. */
	const char *sets[] = { "resources.api.max_attempts=3", "resources.api.retry_base=1s" };
	harness_run(FIXTURE, sets, 2, &scn, &o);
	ck_assert(value(&o, "api", "CallsWhileDown") > down);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(rate_limit_refuses_beyond_it)
{
	/* Half a call a second allowed, one a second made (refused messages
	 * come back and call again), no outage: what gets through over the 600 s
	 * is the rate's 300 calls, plus the one token the bucket starts with. */
	const char *sets[] = { "resources.api.outages=[{at: 1h, for: 1m}]",
			       "resources.api.rate_limit=0.5/s" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 2, &scn, &o);
	double calls = value(&o, "api", "Calls");
	double limited = value(&o, "api", "RateLimitedCalls");
	ck_assert(limited > 0);
	ck_assert_msg(calls - limited >= 300 && calls - limited <= 301, "%g calls, %g refused",
		      calls, limited);
	harness_done(&scn, &o);
}
END_TEST

#define RETRY "tests/fixtures/custom-retry.yaml"

/* The message's sends to the queue by the end of a run of `duration`. */
static double sends_by(const char *duration, const char *backoff, double *pending,
		       double *dead)
{
	char d[64], b[64];
	snprintf(d, sizeof(d), "duration=%s", duration);
	snprintf(b, sizeof(b), "resources.fn.event_sources[0].on_failure.backoff=%s", backoff);
	const char *sets[] = { d, b };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(RETRY, sets, 2, &scn, &o);
	double sent = value(&o, "jobs", "NumberOfMessagesSent");
	*pending = value(&o, "fn/jobs", "RetriesPending");
	*dead = (double)o.tenants[0].dead_lettered;
	harness_done(&scn, &o);
	return sent;
}

START_TEST(scheduled_retries_round_up_to_the_minute)
{
	/* Exponential, base 1 min: the first failure (at 20 ms) is re-sent at
	 * 60.02 s rounded up to 120 s; the second (120.02 s) at 240.02 s, so
	 * 300 s; the third failure is past max_retries 2: dead-lettered at once.
	 * Without the rounding the re-sends would come at 60.02 and 180.04 s. */
	double pending, dead;
	ck_assert_double_eq(sends_by("119s", "exponential", &pending, &dead), 1);
	ck_assert_double_eq(pending, 1);
	ck_assert_double_eq(sends_by("121s", "exponential", &pending, &dead), 2);
	ck_assert_double_eq(sends_by("299s", "exponential", &pending, &dead), 2);
	ck_assert_double_eq(pending, 1);
	ck_assert_double_eq(dead, 0);
	ck_assert_double_eq(sends_by("301s", "exponential", &pending, &dead), 3);
	ck_assert_double_eq(pending, 0);
	ck_assert_double_eq(dead, 1);
	/* Linear: 60.02 -> 120 s, then 120.02 + 120 -> 300 s as well; a third
	 * retry (max_retries 3) at 300.02 + 180 -> 540 s, not 780 s. */
	ck_assert_double_eq(sends_by("301s", "linear", &pending, &dead), 3);
	char d[64];
	struct scenario scn;
	struct sim_outcome o;
	const char *sets[] = { "resources.fn.event_sources[0].on_failure.backoff=linear",
			       "resources.fn.event_sources[0].on_failure.max_retries=3",
			       d };
	snprintf(d, sizeof(d), "duration=%s", "541s");
	harness_run(RETRY, sets, 3, &scn, &o);
	ck_assert_double_eq(value(&o, "jobs", "NumberOfMessagesSent"), 4);
	ck_assert_double_eq(value(&o, "fn/jobs", "SchedulerInvocations"), 3);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 1);
	ck_assert_double_eq(value(&o, "jobs-dlq", "NumberOfMessagesSent"), 1);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(scheduled_retry_delivers_after_the_outage)
{
	/* The API is back at 3 min: the message fails at 0 and 120 s and
	 * succeeds when re-sent at 300 s; its dwell counts from the first send,
	 * and the retry count it carried does not stop it. */
	const char *sets[] = { "resources.api.outages=[{at: 0s, for: 3m}]" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(RETRY, sets, 1, &scn, &o);
	ck_assert_int_eq(o.tenants[0].delivered, 1);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 0);
	double dwell = o.tenants[0].dwell.max;
	ck_assert_msg(dwell > 300 && dwell < 301, "dwell %g s", dwell);
	ck_assert_double_eq(value(&o, "fn/jobs", "SchedulerInvocations"), 2);
	ck_assert_double_eq(value(&o, "fn/jobs", "RetriesPending"), 0);
	harness_done(&scn, &o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dependency");
	TCase *tc = tcase_create("dependency:calls");
	tcase_add_test(tc, latency_lengthens_invocations);
	tcase_add_test(tc, outage_fails_calls_inside_it);
	tcase_add_test(tc, rate_limit_refuses_beyond_it);
	suite_add_tcase(s, tc);
	tc = tcase_create("dependency:scheduler_retry");
	tcase_add_test(tc, scheduled_retries_round_up_to_the_minute);
	tcase_add_test(tc, scheduled_retry_delivers_after_the_outage);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
