/* test_streams.c - Firehose streams, SNS topics and fixed resources, with
 * constant arrivals so every count is exact: a stream flushes every
 * buffer_interval at a low rate and exactly when buffer_size is reached at
 * a high one, put_rate throttles exactly what the token bucket refuses,
 * DataFreshness stays within interval + delivery latency, a topic makes
 * subscribers x messages copies, a fixed resource bills count x hours of
 * the window, and every record is accounted for. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "models/registry.h"
#include "tests/harness.h"

#define FIXTURE "tests/fixtures/streams.yaml"
#define FIXED "tests/fixtures/streams-fixed.yaml"
#define BAD_LINK "tests/fixtures/streams-bad-link.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* Tenant index by name in the fixture's order. */
static const struct sim_tenant_stats *tenant(const struct scenario *scn,
					     const struct sim_outcome *o,
					     const char *name)
{
	long t = scenario_find_tenant(scn, name);
	ck_assert_msg(t >= 0, "no tenant %s", name);
	return &o->tenants[t];
}

/* Accepted = delivered + still buffered, and sent = accepted + refused. */
static void assert_conserved(const struct sim_outcome *o, const char *fh,
			     double sent)
{
	double in = value(o, fh, "IncomingRecords");
	ck_assert_double_eq(in, value(o, fh, "DeliveryToDestination.Records") +
					value(o, fh, "BufferedRecords.end"));
	ck_assert_double_eq(sent, in + value(o, fh, "ThrottledRecords") +
					  value(o, fh, "RejectedRecords"));
}

START_TEST(flush_by_interval)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	/* Records at 0.25 s steps to 600 s: batch k opens at 60(k-1)+0.25 s,
	 * is flushed 60 s later with 240 records and delivered 1 s after
	 * that; the tenth (opened at 540.25 s) is still buffering at 600 s. */
	ck_assert_double_eq(value(&o, "low", "IncomingRecords"), 2400);
	ck_assert_double_eq(value(&o, "low", "FlushesByInterval"), 9);
	ck_assert_double_eq(value(&o, "low", "FlushesBySize"), 0);
	ck_assert_double_eq(value(&o, "low", "DeliveryToDestination.Success"), 9);
	ck_assert_double_eq(value(&o, "low", "DeliveryToDestination.Records"), 9 * 240);
	ck_assert_double_eq(value(&o, "low", "BufferedRecords.end"), 240);
	/* The oldest record of each batch waited the interval, then the
	 * latency: exactly 61 s, never more than interval + latency. */
	ck_assert_double_eq_tol(value(&o, "low", "DataFreshness"), 61, 1e-9);
	ck_assert(value(&o, "low", "DataFreshness.max") <= 60 + 1 + 1e-9);
	/* Held: a full batch while it is on its way, plus the 4 records the
	 * next batch took in that second. */
	ck_assert_double_eq(value(&o, "low", "BufferedRecords.max"), 240 + 4);
	assert_conserved(&o, "low", (double)tenant(&scn, &o, "slow")->sent);
	/* No destination: the stream delivers the records itself. */
	ck_assert_int_eq(tenant(&scn, &o, "slow")->delivered, 9 * 240);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(flush_by_size)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	/* 1,000 records of 1 KiB a second against 1 MiB: a flush with
	 * exactly 1,024 records every 1.024 s, never by the 60 s interval.
	 * 600,000 records make 585 flushes; the last (599.04 s) is still on
	 * its way at 600 s. */
	double in = value(&o, "high", "IncomingRecords");
	ck_assert_double_eq(in, 600000);
	ck_assert_double_eq(value(&o, "high", "FlushesBySize"), 585);
	ck_assert_double_eq(value(&o, "high", "FlushesByInterval"), 0);
	ck_assert_double_eq(value(&o, "high", "DeliveryToDestination.Success"), 584);
	ck_assert_double_eq(value(&o, "high", "DeliveryToDestination.Records"), 584 * 1024);
	ck_assert_double_eq(value(&o, "high", "DeliveryToDestination.Bytes"),
			    584.0 * 1024 * 1024);
	ck_assert_double_eq(value(&o, "high", "BufferedRecords.end"), in - 584 * 1024);
	/* The oldest record waited for 1,023 more (1.023 s), then 1 s. */
	double fresh = value(&o, "high", "DataFreshness.max");
	ck_assert_msg(fresh <= 1.024 + 1 + 1e-9 && fresh >= 2.023 - 1e-6, "freshness %g", fresh);
	/* Each record went to the domain, which counts it delivered. */
	ck_assert_double_eq(value(&o, "domain", "Received"), 584 * 1024);
	ck_assert_int_eq(tenant(&scn, &o, "fast")->delivered, 584 * 1024);
	assert_conserved(&o, "high", (double)tenant(&scn, &o, "fast")->sent);
	/* Billed: every 1 KiB record as 5 KiB, GB = 2^30 bytes. */
	ck_assert_double_eq_tol(value(&o, "high", "IngestedGB"),
				in * 5120 / 1073741824.0, 1e-9);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(put_rate_throttles_the_excess)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	/* The documented rule, replayed: a bucket of one second (2 tokens),
	 * full at 0, refilled at 2/s; a record takes a token or is refused. */
	double tokens = 2, last = 0, want = 0;
	for (int k = 1; k <= 2400; k++) {
		double t = k / 4.0;
		tokens += 2 * (t - last);
		if (tokens > 2)
			tokens = 2;
		last = t;
		if (tokens >= 1) {
			tokens -= 1;
			want++;
		}
	}
	double in = value(&o, "capped", "IncomingRecords");
	ck_assert_double_eq(in, want);
	ck_assert_double_eq(value(&o, "capped", "ThrottledRecords"), 2400 - want);
	/* About the rate's 1,200 over 600 s, within one second of burst. */
	ck_assert(fabs(in - 1200) <= 2);
	const struct sim_tenant_stats *t = tenant(&scn, &o, "limited");
	ck_assert_int_eq(t->rejected, 2400 - (uint64_t)want);
	assert_conserved(&o, "capped", (double)t->sent);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(sns_fans_out_to_every_subscriber)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	double pub = value(&o, "topic", "NumberOfMessagesPublished");
	ck_assert_double_eq(pub, 6000);
	ck_assert_double_eq(pub, (double)tenant(&scn, &o, "pub")->sent);
	/* Three copies of each message: delivered, or on their way (the
	 * message sent at 600 s, 20 ms before its copies arrive). */
	double got = value(&o, "topic", "NumberOfNotificationsDelivered");
	double pending = value(&o, "topic", "PendingNotifications");
	ck_assert_double_eq(got + pending, 3 * pub);
	ck_assert_double_eq(pending, 3);
	double a = value(&o, "sub-a", "Received");
	double b = value(&o, "sub-b", "Received");
	double fh = value(&o, "sub-fh", "IncomingRecords");
	ck_assert_double_eq(a, pub - 1);
	ck_assert_double_eq(b, pub - 1);
	ck_assert_double_eq(fh, pub - 1);
	ck_assert_double_eq(a + b + fh, got);
	/* Every copy counts for the tenant where it ends. */
	ck_assert_int_eq(tenant(&scn, &o, "pub")->delivered,
			 (uint64_t)(a + b + value(&o, "sub-fh", "DeliveryToDestination.Records")));
	/* One request per message of up to 64 KB. */
	ck_assert_double_eq(value(&o, "topic", "Requests"), pub);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(sns_link_errors)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, BAD_LINK, NULL, 0, &spillway_registry, &d), 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
	static const char *const want[] = {
		"resources.topic.subscribers[0].target: no resource named 'sinc' (did you mean 'sink'?)",
		"resources.topic.subscribers[1].target: a topic cannot subscribe to itself: 'topic'",
		"resources.stream.destination: a stream cannot deliver into itself: 'stream'",
	};
	size_t n = sizeof(want) / sizeof(want[0]);
	ck_assert_uint_eq(d.errors, n);
	for (size_t i = 0; i < n; i++) {
		bool found = false;
		for (size_t k = 0; k < d.n; k++)
			found |= strstr(d.v[k].text, want[i]) != NULL;
		ck_assert_msg(found, "missing: %s", want[i]);
	}
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

START_TEST(fixed_bills_count_times_hours)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXED, NULL, 0, &scn, &o);
	/* A 1.5 h window (2 h less 30 min of warm-up). */
	ck_assert_double_eq_tol(value(&o, "domain", "InstanceHours"), 3 * 1.5, 1e-12);
	ck_assert_double_eq_tol(value(&o, "fleet", "InstanceHours"), 2 * 1.5, 1e-12);
	ck_assert_double_eq(value(&o, "fleet", "Received"), 0);
	/* A sink: what it received in the window is what the tenant got
	 * delivered in it (about 5,400 records). */
	double got = value(&o, "domain", "Received");
	ck_assert_double_eq(got, (double)o.tenants[0].delivered);
	ck_assert(fabs(got - 5400) <= 1);
	const struct sim_metric *m = sim_results_find(&o.results, "domain", "InstanceHours");
	ck_assert_str_eq(m->service, "Amazon OpenSearch Service");
	ck_assert_str_eq(m->price_key, "opensearch.instance_hour");
	harness_done(&scn, &o);
	/* The 10-minute fixture: 3 nodes x 1/6 h. */
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "domain", "InstanceHours"), 0.5, 1e-12);
	ck_assert_double_eq_tol(value(&o, "sub-a", "InstanceHours"), 1.0 / 6, 1e-12);
	harness_done(&scn, &o);
}
END_TEST

#define LLM "tests/fixtures/stream.yaml"

START_TEST(llm_doors_exact_times)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(LLM, NULL, 0, &scn, &o);
	/* No cold starts, constant responses: 500 ms to the first token, 400
	 * tokens at 40/s (10.5 s); setup 50 ms, posts 20 ms, AppSync's
	 * request 20 ms and queue 50 ms. */
	static const struct { const char *r; double ttfb_ms, last_s; } v[] = {
		{ "url", 550, 10.55 }, { "ws", 570, 10.57 }, { "ws_async", 570, 10.57 },
		{ "as", 640, 10.64 },
	};
	for (size_t i = 0; i < 4; i++) {
		ck_assert_double_eq(value(&o, v[i].r, "Conversations"), 20);
		ck_assert_double_eq(value(&o, v[i].r, "Completed"), 20);
		ck_assert_double_eq_tol(value(&o, v[i].r, "TimeToFirstByte.p50"), v[i].ttfb_ms,
					v[i].ttfb_ms * 0.01);
		ck_assert_double_eq_tol(value(&o, v[i].r, "TimeToFirstByte.p99"), v[i].ttfb_ms,
					v[i].ttfb_ms * 0.01);
		ck_assert_double_eq_tol(value(&o, v[i].r, "TimeToLastToken.p50"), v[i].last_s,
					v[i].last_s * 0.01);
	}
	/* Metering: WebSocket, the prompt and 400 tokens + a completion
	 * posted; AppSync, startStream and 401 publishToken mutations, each
	 * pushed to the subscriber. */
	ck_assert_double_eq(value(&o, "ws_async", "WebSocketMessages"), 20 * 402);
	ck_assert_double_eq(value(&o, "as", "Requests"), 20 * 402);
	ck_assert_double_eq(value(&o, "as", "RealtimeUpdates"), 20 * 401);
	/* A connection lasts from the request to the generation's end: 10.5 s. */
	ck_assert_double_eq_tol(value(&o, "ws_async", "WebSocketConnectionMinutes"),
				20 * 10.5 / 60, 1e-9);
	ck_assert_int_eq(tenant(&scn, &o, "url_app")->delivered, 20);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(llm_long_response_fails_behind_the_websocket_integration)
{
	/* 1,200 tokens: a 30.5 s generation. The synchronous WebSocket route
	 * gives up at 29 s; the function URL, the asynchronous route and
	 * AppSync (whose 30 s limit covers only the request) complete. */
	const char *sets[] = { "resources.url.tokens=1200", "resources.ws.tokens=1200",
			       "resources.ws_async.tokens=1200", "resources.as.tokens=1200" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(LLM, sets, 4, &scn, &o);
	ck_assert_double_eq(value(&o, "ws", "Completed"), 0);
	ck_assert_double_eq(value(&o, "ws", "Failed"), 20);
	ck_assert_double_eq(value(&o, "ws", "Timeouts"), 20);
	ck_assert_int_eq(tenant(&scn, &o, "ws_app")->failed, 20);
	static const char *const ok[] = { "url", "ws_async", "as" };
	for (size_t i = 0; i < 3; i++) {
		ck_assert_double_eq(value(&o, ok[i], "Completed"), 20);
		ck_assert_double_eq(value(&o, ok[i], "Failed"), 0);
	}
	ck_assert_double_eq_tol(value(&o, "url", "TimeToLastToken.p50"), 30.55, 0.3);
	harness_done(&scn, &o);
}
END_TEST

/* Responses of (nearly) a billion tokens at 1e-300 tokens a second, or a
 * heavy tail of tokens at 40 a second: every generation outlives the
 * function's 5 min timeout, at every door, and fails as a timeout. Before,
 * the generation time wrapped negative: a negative histogram value (an
 * abort) at the function URL and AppSync, an endless loop over the
 * WebSocket's seconds. */
START_TEST(llm_endless_generations_time_out)
{
	static const char *const doors[] = { "url", "ws", "ws_async", "as" };
	for (int k = 0; k < 2; k++) {
		char sets[9][96];
		const char *p[9];
		for (size_t i = 0; i < 4; i++) {
			snprintf(sets[2 * i], sizeof(sets[0]), "resources.%s.tokens=%s", doors[i],
				 k ? "{pareto: {shape: 1e-6, scale: 1}}" : "1e9");
			snprintf(sets[2 * i + 1], sizeof(sets[0]), "resources.%s.tokens_per_second=%s",
				 doors[i], k ? "40" : "1e-300");
		}
		snprintf(sets[8], sizeof(sets[0]), "duration=10m");
		for (size_t i = 0; i < 9; i++)
			p[i] = sets[i];
		struct scenario scn;
		struct sim_outcome o;
		harness_run(LLM, p, 9, &scn, &o);
		for (size_t i = 0; i < 4; i++) {
			ck_assert_double_eq(value(&o, doors[i], "Conversations"), 20);
			ck_assert_double_eq(value(&o, doors[i], "Completed"), 0);
			ck_assert_double_eq(value(&o, doors[i], "Failed"), 20);
			ck_assert_double_eq(value(&o, doors[i], "Timeouts"), 20);
		}
		harness_done(&scn, &o);
	}
}
END_TEST

START_TEST(llm_websocket_rates)
{
	/* 600 conversations at once: one second of new connections (500)
	 * is in hand, the other 100 are refused. The 500 generate together
	 * at 40 tokens/s each, 20,000 posts a second against 10,000: the
	 * first half booked get through, the rest fail. At 10 tokens/s and
	 * 100 tokens (5,000 posts/s, 10.5 s) all 500 complete. */
	const char *sets[] = { "tenants.ws_app.arrivals={burst: {count: 600, at: 0s}}" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(LLM, sets, 1, &scn, &o);
	ck_assert_double_eq(value(&o, "ws", "Conversations"), 600);
	ck_assert_double_eq(value(&o, "ws", "Throttles"), 100);
	ck_assert_double_eq(value(&o, "ws", "Completed"), 250);
	ck_assert_double_eq(value(&o, "ws", "Failed"), 250);
	ck_assert_int_eq(tenant(&scn, &o, "ws_app")->rejected, 100);
	harness_done(&scn, &o);
	const char *slow[] = { "tenants.ws_app.arrivals={burst: {count: 600, at: 0s}}",
			       "resources.ws.tokens_per_second=10", "resources.ws.tokens=100" };
	harness_run(LLM, slow, 3, &scn, &o);
	ck_assert_double_eq(value(&o, "ws", "Completed"), 500);
	ck_assert_double_eq(value(&o, "ws", "PostThrottles"), 0);
	harness_done(&scn, &o);
}
END_TEST

#define COHORT "tests/fixtures/cohort.yaml"

/* The mean over replications of RESOURCE.METRIC. */
static double mean(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	struct sim_ci ci;
	sim_metric_ci(x, o->results.replications, &ci);
	return ci.mean;
}

START_TEST(cohort_counts_as_its_weight)
{
	/* A burst of 1,003 messages in cohorts of 10: 101 cohorts, the last
	 * of 3. Nothing throttles: every count is exact, in messages. */
	const char *sets[] = {
		"tenants.scan.arrivals={burst: {count: 1003, at: 1s, over: 10s}}",
		"tenants.scan.cohort=10", "warmup=0s", "replications=1",
		"resources.enrich.reserved_concurrency=500",
		"resources.enrich.duration.per_message=100ms",
	};
	struct scenario scn;
	struct sim_outcome o;
	harness_run(COHORT, sets, 6, &scn, &o);
	const struct sim_tenant_stats *t = tenant(&scn, &o, "scan");
	ck_assert_uint_eq(t->sent, 1003);
	ck_assert_uint_eq(t->delivered, 1003);
	ck_assert_uint_eq(t->dwell.n, 1003);
	ck_assert_double_eq(value(&o, "topic", "Requests"), 1003);
	ck_assert_double_eq(value(&o, "enrich", "Invocations"), 1003);
	ck_assert_double_eq(value(&o, "enrich", "Throttles"), 0);
	/* 1,003 invocations of 100 ms at 128 MB (cold starts add their INIT
	 * on the environments started cold, each billed once). */
	double cold = value(&o, "enrich", "ColdStarts");
	ck_assert_double_eq_tol(value(&o, "enrich", "GBSeconds"),
				(1003 * 0.1 + cold * 0.2) * 0.125, 1e-6);
	ck_assert_double_eq(value(&o, "stream", "IncomingRecords"), 1003);
	ck_assert_double_eq_tol(value(&o, "stream", "IngestedGB"), 1003 * 5120 / 1073741824.0,
				1e-12);
	ck_assert_double_eq(value(&o, "domain", "Received"), 1003);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(cohort_partly_throttled)
{
	/* 30 reserved executions and one cohort of 50 at once: 30 run, 20
	 * are throttled (the tenant's rejected), and the 30 go on. */
	const char *sets[] = {
		"tenants.scan.arrivals={burst: {count: 50, at: 1s}}",
		"tenants.scan.cohort=50", "warmup=0s", "replications=1",
		"resources.enrich.reserved_concurrency=30",
	};
	struct scenario scn;
	struct sim_outcome o;
	harness_run(COHORT, sets, 5, &scn, &o);
	const struct sim_tenant_stats *t = tenant(&scn, &o, "scan");
	ck_assert_uint_eq(t->sent, 50);
	ck_assert_uint_eq(t->rejected, 20);
	ck_assert_uint_eq(t->delivered, 30);
	ck_assert_double_eq(value(&o, "enrich", "Invocations"), 30);
	ck_assert_double_eq(value(&o, "enrich", "Throttles"), 20);
	ck_assert_double_eq(value(&o, "enrich", "ConcurrentExecutions.max"), 30);
	ck_assert_double_eq(value(&o, "domain", "Received"), 30);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(cohort_error_within_5_percent)
{
	/* The reference (README "Cohort mode"): message by message, and in
	 * cohorts of 5 (the 900 reserved executions hold 180 cohorts; the
	 * load is a third above them). Throttles, dwell p50 and p99, and the
	 * billed quantities agree within 5%. */
	struct scenario scn;
	struct sim_outcome one, five;
	harness_run(COHORT, NULL, 0, &scn, &one);
	const struct sim_tenant_stats a = *tenant(&scn, &one, "scan");
	double a50 = sim_hist_quantile(&a.dwell, 0.5), a99 = sim_hist_quantile(&a.dwell, 0.99);
	double a_gbs = mean(&one, "enrich", "GBSeconds"), a_req = mean(&one, "enrich", "Invocations");
	double a_gb = mean(&one, "stream", "IngestedGB");
	harness_done(&scn, &one);
	const char *sets[] = { "tenants.scan.cohort=5" };
	harness_run(COHORT, sets, 1, &scn, &five);
	const struct sim_tenant_stats *b = tenant(&scn, &five, "scan");
	struct fails f = { 0 };
	struct { const char *what; double msg, coh; } v[] = {
		{ "throttled", (double)a.rejected, (double)b->rejected },
		{ "dwell p50", a50, sim_hist_quantile(&b->dwell, 0.5) },
		{ "dwell p99", a99, sim_hist_quantile(&b->dwell, 0.99) },
		{ "GB-seconds", a_gbs, mean(&five, "enrich", "GBSeconds") },
		{ "invocations", a_req, mean(&five, "enrich", "Invocations") },
		{ "firehose GB", a_gb, mean(&five, "stream", "IngestedGB") },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
		if (!(fabs(v[i].coh - v[i].msg) <= 0.05 * fabs(v[i].msg)))
			fail_add(&f, " %s: %g by message, %g in cohorts of 5", v[i].what,
				 v[i].msg, v[i].coh);
	/* Not a vacuous comparison: a quarter of the invocations throttle. */
	ck_assert_msg(a.rejected > a.sent / 5, "throttled %llu of %llu",
		      (unsigned long long)a.rejected, (unsigned long long)a.sent);
	harness_done(&scn, &five);
	FAILS_CHECK(f);
}
END_TEST

START_TEST(cohort_needs_weighted_resources)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	const char *sets[] = { "tenants.scan.cohort=10", "resources.q={type: sqs}",
			       "resources.table={type: dynamodb, billing: on_demand}",
			       "resources.enrich.calls=[{target: stream}, {target: table}]" };
	ck_assert_int_eq(scenario_load(&scn, COHORT, sets, 4, &spillway_registry, &d), 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
	static const char *const want[] = {
		"tenants.scan.cohort: cohort mode needs every resource to take weighted messages; 'q' (type sqs) does not",
		"resources.enrich.calls[1].target: cohort mode (a tenant's `cohort`) weighs messages, not a function's calls to 'table'",
	};
	for (size_t i = 0; i < 2; i++) {
		bool found = false;
		for (size_t k = 0; k < d.n; k++)
			found |= strstr(d.v[k].text, want[i]) != NULL;
		ck_assert_msg(found, "missing: %s", want[i]);
	}
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("streams");
	TCase *tc = tcase_create("streams:firehose");
	tcase_add_test(tc, flush_by_interval);
	tcase_add_test(tc, flush_by_size);
	tcase_add_test(tc, put_rate_throttles_the_excess);
	suite_add_tcase(s, tc);
	tc = tcase_create("streams:sns");
	tcase_add_test(tc, sns_fans_out_to_every_subscriber);
	tcase_add_test(tc, sns_link_errors);
	suite_add_tcase(s, tc);
	tc = tcase_create("streams:llm");
	tcase_add_test(tc, llm_doors_exact_times);
	tcase_add_test(tc, llm_long_response_fails_behind_the_websocket_integration);
	tcase_add_test(tc, llm_endless_generations_time_out);
	tcase_add_test(tc, llm_websocket_rates);
	suite_add_tcase(s, tc);
	tc = tcase_create("streams:cohort");
	tcase_add_test(tc, cohort_counts_as_its_weight);
	tcase_add_test(tc, cohort_partly_throttled);
	tcase_add_test(tc, cohort_error_within_5_percent);
	tcase_add_test(tc, cohort_needs_weighted_resources);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	tc = tcase_create("streams:fixed");
	tcase_add_test(tc, fixed_bills_count_times_hours);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
