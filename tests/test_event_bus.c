/* test_event_bus.c - EventBridge event buses: rules route by tenant exactly
 * and by match share within a binomial interval, a bus-to-bus hop adds
 * exactly one delivery latency, oversize events are refused, failed
 * attempts are retried by the policy and then dead-lettered or dropped,
 * and every copy is accounted for. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "models/registry.h"
#include "tests/harness.h"

#define ROUTING "tests/fixtures/event_bus.yaml"
#define RETRY "tests/fixtures/event_bus-retry.yaml"
#define BAD_LINK "tests/fixtures/event_bus-bad-link.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* Copies a bus made = handed over + dead-lettered + dropped + pending. */
static void assert_conserved(const struct sim_outcome *o, const char *bus,
			     double copies)
{
	double out = value(o, bus, "SuccessfulInvocations") +
		     value(o, bus, "DeadLetterInvocations") +
		     value(o, bus, "Dropped") + value(o, bus, "PendingInvocations");
	ck_assert_msg(out == copies, "%s: %g copies, %g accounted for", bus, copies, out);
	ck_assert_double_eq(value(o, bus, "IngestedEvents"),
			    value(o, bus, "MatchedEvents") +
				    value(o, bus, "UnmatchedEvents"));
}

START_TEST(tenants_route_exactly)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(ROUTING, NULL, 0, &scn, &o);
	double sent_a = (double)o.tenants[0].sent;
	double sent_b = (double)o.tenants[1].sent;
	ck_assert(sent_a >= 6000 && sent_b >= 6000);
	ck_assert_double_eq(value(&o, "src", "IngestedEvents"), sent_a + sent_b);
	/* Every event of a reaches `direct`, none of b's; b's go to `hop`. The
	 * last 50 ms of sends are still on their way at the end. */
	double direct = value(&o, "direct", "Arrivals");
	double hopped = value(&o, "hop", "IngestedEvents");
	ck_assert_msg(direct <= sent_a && direct >= sent_a - 1, "direct %g of %g", direct, sent_a);
	ck_assert_msg(hopped <= sent_b && hopped >= sent_b - 1, "hop %g of %g", hopped, sent_b);
	ck_assert_double_eq(value(&o, "hop", "SuccessfulInvocations") +
				    value(&o, "hop", "PendingInvocations"),
			    hopped);
	/* Only the rule to `hop` is cross-account. */
	ck_assert_double_eq(value(&o, "src", "CrossAccountInvocations"), hopped);
	/* Every event matches (rules 1 or 2 match each tenant). */
	ck_assert_double_eq(value(&o, "src", "UnmatchedEvents"), 0);
	/* What src handed over reached its targets; the rest (sent in the
	 * last 50 ms: at most one event per tenant, and its sampled copy) is
	 * pending. */
	double handed = value(&o, "src", "SuccessfulInvocations");
	ck_assert_double_eq(handed, direct + hopped + value(&o, "sampled", "Arrivals"));
	ck_assert(value(&o, "src", "PendingInvocations") <= 4);
	assert_conserved(&o, "hop", hopped);
	ck_assert_double_eq(value(&o, "src", "Dropped"), 0);
	ck_assert_int_eq(o.tenants[0].failed + o.tenants[0].dead_lettered, 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(match_share_is_binomial)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(ROUTING, NULL, 0, &scn, &o);
	/* 30% of n events: within 4 standard deviations of 0.3 n (the
	 * arrivals of the last 50 ms are left out of n). */
	double n = value(&o, "src", "IngestedEvents") - 2;
	double got = value(&o, "sampled", "Arrivals");
	double sd = sqrt(n * 0.3 * 0.7);
	ck_assert_msg(fabs(got - 0.3 * n) < 4 * sd + 2, "%g of %g matched 30%%", got, n);
	harness_done(&scn, &o);
	/* A rule for no one's events leaves them unmatched, and not
	 * delivered: sent = unmatched. */
	const char *sets[] = { "resources.src.rules=[{target: direct, match: 0%}]" };
	harness_run(ROUTING, sets, 1, &scn, &o);
	double ingested = value(&o, "src", "IngestedEvents");
	ck_assert_double_eq(value(&o, "src", "UnmatchedEvents"), ingested);
	ck_assert_double_eq(value(&o, "src", "MatchedEvents"), 0);
	ck_assert_int_eq(o.tenants[0].delivered + o.tenants[1].delivered, 0);
	ck_assert_int_eq(o.tenants[0].failed + o.tenants[0].rejected, 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(hop_adds_one_latency)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(ROUTING, NULL, 0, &scn, &o);
	/* Constant 50 ms per hop: direct deliveries take 50 ms, through the
	 * second bus 100 ms, measured from the tenant's send. */
	ck_assert_double_eq_tol(value(&o, "src", "DeliveryLatency.p50"), 50, 1e-6);
	ck_assert_double_eq_tol(value(&o, "src", "DeliveryLatency.max"), 50, 1e-6);
	ck_assert_double_eq_tol(value(&o, "hop", "DeliveryLatency.p50"), 100, 1e-6);
	ck_assert_double_eq_tol(value(&o, "hop", "DeliveryLatency.p99"), 100, 1e-6);
	ck_assert_double_eq_tol(value(&o, "hop", "DeliveryLatency.max"), 100, 1e-6);
	/* Each bus's own share: 50 ms from ingestion to the attempt. */
	ck_assert_double_eq_tol(value(&o, "hop", "IngestionToInvocationStartLatency.p50"),
				50, 1e-6);
	/* Tenant dwell adds the station's 1 ms. */
	ck_assert_double_eq_tol(o.tenants[1].dwell.max, 0.101, 1e-9);
	harness_done(&scn, &o);
	/* A rule's own latency replaces the bus's for that rule only. */
	const char *sets[] = {
		"resources.src.rules=[{target: direct, tenants: a, latency: 20ms}, {target: hop, tenants: b}]",
	};
	harness_run(ROUTING, sets, 1, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "src", "DeliveryLatency.max"), 20, 1e-6);
	ck_assert_double_eq_tol(value(&o, "hop", "DeliveryLatency.p50"), 100, 1e-6);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(oversize_events_rejected)
{
	/* 300 KB is over the 256 KB entry limit: every event of a is refused;
	 * b's 1 KB events pass. */
	const char *sets[] = { "tenants.a.message_size=300KB" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(ROUTING, sets, 1, &scn, &o);
	ck_assert_int_eq(o.tenants[0].rejected, o.tenants[0].sent);
	ck_assert_int_eq(o.tenants[0].delivered, 0);
	ck_assert_double_eq(value(&o, "src", "RejectedEvents"), (double)o.tenants[0].sent);
	ck_assert_double_eq(value(&o, "src", "IngestedEvents"), (double)o.tenants[1].sent);
	ck_assert_int_eq(o.tenants[1].rejected, 0);
	ck_assert_double_eq(value(&o, "direct", "Arrivals"), 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(put_events_rate_throttles)
{
	/* 20 events/s offered, 5/s allowed (plus one second of burst). */
	const char *sets[] = { "resources.src.put_events_rate=5/s" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(ROUTING, sets, 1, &scn, &o);
	double in = value(&o, "src", "IngestedEvents");
	ck_assert_msg(in >= 3000 && in <= 3006, "%g ingested", in);
	ck_assert_double_eq(value(&o, "src", "ThrottledEvents"),
			    (double)(o.tenants[0].rejected + o.tenants[1].rejected));
	harness_done(&scn, &o);
}
END_TEST

START_TEST(retries_then_dead_letter)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(RETRY, NULL, 0, &scn, &o);
	/* 100 copies x (1 attempt + 3 retries), all failed, all to the DLQ. */
	ck_assert_int_eq(o.tenants[0].sent, 100);
	ck_assert_double_eq(value(&o, "bus", "InvocationAttempts"), 400);
	ck_assert_double_eq(value(&o, "bus", "RetryInvocationAttempts"), 300);
	ck_assert_double_eq(value(&o, "bus", "DeadLetterInvocations"), 100);
	ck_assert_double_eq(value(&o, "bus", "SuccessfulInvocations"), 0);
	ck_assert_double_eq(value(&o, "bus", "Invocations"), 0);
	ck_assert_double_eq(value(&o, "bus", "FailedInvocations"), 0);
	ck_assert_double_eq(value(&o, "bus", "PendingInvocations"), 0);
	ck_assert_double_eq(value(&o, "dlq", "NumberOfMessagesSent"), 100);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 100);
	ck_assert_int_eq(o.tenants[0].delivered + o.tenants[0].failed, 0);
	ck_assert_double_eq(value(&o, "st", "Arrivals"), 0);
	assert_conserved(&o, "bus", 100);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(retries_then_dropped)
{
	const char *sets[] = { "resources.bus.rules[0].dead_letter=none",
			       "resources.bus.rules[0].retry.max_retry_attempts=0" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(RETRY, sets, 2, &scn, &o);
	/* No retries, no DLQ: one attempt each, then lost. */
	ck_assert_double_eq(value(&o, "bus", "InvocationAttempts"), 100);
	ck_assert_double_eq(value(&o, "bus", "RetryInvocationAttempts"), 0);
	ck_assert_double_eq(value(&o, "bus", "FailedInvocations"), 100);
	ck_assert_double_eq(value(&o, "bus", "Dropped"), 100);
	ck_assert_double_eq(value(&o, "bus", "DeadLetterInvocations"), 0);
	ck_assert_int_eq(o.tenants[0].failed, 100);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 0);
	assert_conserved(&o, "bus", 100);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(retries_recover_and_age_limits)
{
	/* Half the attempts fail: with 185 retries every copy gets through;
	 * the failed attempts are geometric, mean 100 in all (sd ~14). */
	const char *half[] = { "resources.bus.rules[0].failure_rate=50%",
			       "resources.bus.rules[0].retry.max_retry_attempts=185" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(RETRY, half, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "bus", "SuccessfulInvocations"), 100);
	ck_assert_int_eq(o.tenants[0].delivered, 100);
	double retries = value(&o, "bus", "RetryInvocationAttempts");
	ck_assert_msg(retries > 100 - 60 && retries < 100 + 60, "%g retries", retries);
	ck_assert_double_eq(value(&o, "bus", "InvocationAttempts"), 100 + retries);
	assert_conserved(&o, "bus", 100);
	harness_done(&scn, &o);
	/* Always failing, 185 retries allowed but only 60 s of age: each copy
	 * gives up within a minute, after a handful of retries (backoff 1, 2,
	 * 4 ... 32 s at most, jittered). */
	const char *aged[] = { "resources.bus.rules[0].retry={max_retry_attempts: 185, max_event_age: 60s, base: 1s, max_delay: 32s}" };
	harness_run(RETRY, aged, 1, &scn, &o);
	retries = value(&o, "bus", "RetryInvocationAttempts");
	ck_assert_double_eq(value(&o, "bus", "DeadLetterInvocations"), 100);
	ck_assert_msg(retries >= 100 * 3 && retries <= 100 * 60, "%g retries", retries);
	ck_assert_int_eq(o.tenants[0].dead_lettered, 100);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(link_errors)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, BAD_LINK, NULL, 0, &spillway_registry, &d), 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
	static const char *const want[] = {
		BAD_LINK ":12:33: error: resources.a.rules[0].tenants: no tenant named 'ap'",
		BAD_LINK ":13:18: error: resources.a.rules[1].target: no resource named 'sinc' (did you mean 'sink'?)",
		BAD_LINK ":14:18: error: resources.a.rules[2].target: 'acct' is of type account, which takes no events",
		BAD_LINK ":15:18: error: resources.a.rules[3].target: events would come back to 'a' through 'b' (a loop of buses)",
		BAD_LINK ":15:34: error: resources.a.rules[3].dead_letter: 'sink' is of type station, not an sqs queue",
		BAD_LINK ":19:18: error: resources.b.rules[0].target: events would come back to 'b' through 'a' (a loop of buses)",
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	for (size_t i = 0; i < d.n && i < n; i++)
		ck_assert_str_eq(d.v[i].text, want[i]);
	ck_assert_uint_eq(d.n, n);
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("event_bus");
	TCase *tc = tcase_create("event_bus:routing");
	tcase_add_test(tc, tenants_route_exactly);
	tcase_add_test(tc, match_share_is_binomial);
	tcase_add_test(tc, hop_adds_one_latency);
	tcase_add_test(tc, oversize_events_rejected);
	tcase_add_test(tc, put_events_rate_throttles);
	tcase_add_test(tc, link_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("event_bus:retry");
	tcase_add_test(tc, retries_then_dead_letter);
	tcase_add_test(tc, retries_then_dropped);
	tcase_add_test(tc, retries_recover_and_age_limits);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
