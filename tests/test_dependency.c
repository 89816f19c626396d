/* test_dependency.c - an external dependency called by a function: its
 * latency lengthens invocations exactly, an outage window fails the calls
 * made inside it (and only those), retries follow the policy, and the rate
 * limit refuses calls beyond it. */
#include <check.h>
#include <math.h>

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

static Suite *suite(void)
{
	Suite *s = suite_create("dependency");
	TCase *tc = tcase_create("dependency:calls");
	tcase_add_test(tc, latency_lengthens_invocations);
	tcase_add_test(tc, outage_fails_calls_inside_it);
	tcase_add_test(tc, rate_limit_refuses_beyond_it);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
