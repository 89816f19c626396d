/* test_dynamodb.c - the DynamoDB table model, driven request by request.
 *
 * Each test loads a one-table scenario, builds a replication by hand (as
 * sim/run.c replicate() does: create, start) and schedules ddb_request
 * calls at chosen times, so every count below is exact: request times are
 * picked so that the token arithmetic has no remainder.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/harness.h"

#include "models/dynamodb.h"
#include "models/registry.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/scenario.h"

/* A table in a hand-built replication, and what its requests got. */
struct tb {
	struct scenario scn;
	struct diag d;
	struct sim_run run;
	struct model *m;
	struct ddb *t;
	char dir[64];
	char path[128];
	uint64_t admitted;  /* requests admitted since the last take() */
	uint64_t throttled; /* requests throttled since the last take() */
};

/* Writes a scenario with one dynamodb resource `t` holding the lines of
 * `settings` and loads it; returns scenario_load's status (the messages
 * stay in b->d). */
static int tb_load(struct tb *b, const char *settings)
{
	memset(b, 0, sizeof(*b));
	snprintf(b->dir, sizeof(b->dir), "/tmp/spillway-ddb-XXXXXX");
	ck_assert(mkdtemp(b->dir) != NULL);
	snprintf(b->path, sizeof(b->path), "%s/table.yaml", b->dir);
	FILE *f = fopen(b->path, "w");
	ck_assert(f != NULL);
	fputs("name: ddb-test\nduration: 1h\nreplications: 1\n"
	      "resources:\n  t:\n    type: dynamodb\n", f);
	for (const char *p = settings; *p;) {
		size_t n = strcspn(p, "\n");
		fprintf(f, "    %.*s\n", (int)n, p);
		p += n + (p[n] == '\n');
	}
	fclose(f);
	diag_init(&b->d);
	return scenario_load(&b->scn, b->path, NULL, 0, &spillway_registry, &b->d);
}

static void tb_unlink(struct tb *b)
{
	remove(b->path);
	rmdir(b->dir);
}

/* Loads the table and starts a replication of it at t = 0. */
static void tb_open(struct tb *b, const char *settings)
{
	int rc = tb_load(b, settings);
	diag_print(&b->d, stderr);
	ck_assert_int_eq(rc, 0);
	struct sim_run *run = &b->run;
	ck_assert_int_eq(sim_run_open(run, &b->scn, 0, &b->d), 0);
	run->measuring = true;
	sim_run_start(run, false);
	struct model *m = run->resources[0];
	b->m = m;
	b->t = ddb_from_model(m);
	ck_assert(b->t != NULL);
}

static void tb_close(struct tb *b)
{
	sim_run_close(&b->run);
	scenario_finish(&b->scn);
	diag_finish(&b->d);
	tb_unlink(b);
}

/* An event argument: count requests of op with item_bytes each. */
static uint64_t req_arg(enum ddb_op op, uint32_t bytes, uint32_t count)
{
	return (uint64_t)count << 33 | (uint64_t)op << 32 | bytes;
}

static void on_request(struct sim *s, void *target, uint64_t arg)
{
	struct tb *b = target;
	enum ddb_op op = (enum ddb_op)(arg >> 32 & 1);
	uint32_t bytes = (uint32_t)arg;
	for (uint64_t i = 0; i < arg >> 33; i++) {
		if (ddb_request(b->t, s, op, bytes))
			b->admitted++;
		else
			b->throttled++;
	}
}

/* n + 1 requests at from, from + step, ..., from + n * step. */
static void every(struct tb *b, sim_time_t from, sim_time_t step, int64_t n,
		  enum ddb_op op, uint32_t bytes)
{
	for (int64_t k = 0; k <= n; k++)
		sim_schedule(&b->run.sim, from + k * step, on_request, b,
			     req_arg(op, bytes, 1));
}

/* count requests at one instant. */
static void burst(struct tb *b, sim_time_t at, uint32_t count, enum ddb_op op,
		  uint32_t bytes)
{
	sim_schedule(&b->run.sim, at, on_request, b, req_arg(op, bytes, count));
}

static void run_until(struct tb *b, sim_time_t t)
{
	sim_run_until(&b->run.sim, t);
}

/* Admitted requests since the last call (and resets both counters). */
static uint64_t take(struct tb *b)
{
	uint64_t a = b->admitted;
	b->admitted = b->throttled = 0;
	return a;
}

static double result(struct tb *b, const char *metric)
{
	struct sim_results res = { .replications = 1 };
	b->m->ops->finish(b->m, &b->run.sim, &res);
	const struct sim_metric *m = sim_results_find(&res, "t", metric);
	ck_assert_msg(m != NULL, "no metric %s", metric);
	double v = m->values[0];
	sim_results_finish(&res);
	return v;
}

#define MS SIM_MS
#define S SIM_S

/* dynamodb:bucket ------------------------------------------------------------ */

/* 100 WCU, 300 s window, full at t = 0, one write per ms (under the
 * 1,000/s partition cap, far above the table's 100/s): over [0, t] the
 * table admits its 30,000 units of burst and 100/s of refill, exactly
 * 100 * 300 + 100 * t. */
START_TEST(burst_then_refill_exactly)
{
	struct tb b;
	tb_open(&b, "read_capacity: 100\nwrite_capacity: 100\nburst_window: 300s");
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 1);
	every(&b, 0, MS, 40000, DDB_WRITE, 1000);
	run_until(&b, 40 * S);
	ck_assert_uint_eq(b.throttled, 40001 - 34000);
	ck_assert_uint_eq(take(&b), 100 * 300 + 100 * 40);
	/* Idle 150 s: 15,000 units come back, then 100/s more over 20 s. */
	every(&b, 190 * S, MS, 20000, DDB_WRITE, 1000);
	run_until(&b, 210 * S);
	ck_assert_uint_eq(take(&b), 15000 + 100 * 20);
	/* Idle 600 s: the bucket holds 300 s of capacity, no more. */
	every(&b, 810 * S, MS, 40000, DDB_WRITE, 1000);
	run_until(&b, 850 * S);
	ck_assert_uint_eq(take(&b), 100 * 300 + 100 * 40);
	ck_assert_double_eq(result(&b, "ConsumedWriteCapacityUnits"),
			    34000 + 17000 + 34000);
	ck_assert_double_eq(result(&b, "ConsumedReadCapacityUnits"), 0);
	tb_close(&b);

	/* Reads work the same way: 4 KB items, 100 RCU, 60 s window, t = 10. */
	tb_open(&b, "read_capacity: 100\nwrite_capacity: 100\nburst_window: 60s");
	every(&b, 0, MS, 10000, DDB_READ, 4096);
	run_until(&b, 10 * S);
	ck_assert_uint_eq(take(&b), 100 * 60 + 100 * 10);
	ck_assert_double_eq(result(&b, "ReadThrottleEvents"), 10001 - 7000);
	ck_assert_double_eq(result(&b, "WriteThrottleEvents"), 0);
	tb_close(&b);
}
END_TEST

START_TEST(item_size_sets_the_units)
{
	static const struct {
		enum ddb_op op;
		uint32_t bytes;
		uint32_t units;
	} rows[] = {
		{ DDB_WRITE, 0, 1 }, { DDB_WRITE, 1, 1 }, { DDB_WRITE, 1024, 1 },
		{ DDB_WRITE, 1025, 2 }, { DDB_WRITE, 2048, 2 },
		{ DDB_WRITE, 400 * 1024, 400 }, { DDB_READ, 0, 1 },
		{ DDB_READ, 4096, 1 }, { DDB_READ, 4097, 2 },
		{ DDB_READ, 400 * 1024, 100 },
		{ DDB_WRITE, UINT32_MAX, 4194304 }, { DDB_READ, UINT32_MAX, 1048576 },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint32_t u = ddb_units(rows[i].op, rows[i].bytes);
		if (u != rows[i].units)
			fail_add(&f, "%s of %u B: %u units, want %u",
				 rows[i].op == DDB_WRITE ? "write" : "read",
				 rows[i].bytes, u, rows[i].units);
	}
	FAILS_CHECK(f);

	/* A 100 WCU table with a 1 s window holds 100 units: fifty 1 KB + 1 B
	 * writes (2 WCU each), then throttles; the same for 4 KB + 1 B reads. */
	struct tb b;
	tb_open(&b, "read_capacity: 100\nwrite_capacity: 100\nburst_window: 1s");
	burst(&b, 0, 51, DDB_WRITE, 1025);
	burst(&b, 0, 51, DDB_READ, 4097);
	run_until(&b, 0);
	ck_assert_uint_eq(b.admitted, 100);
	ck_assert_uint_eq(b.throttled, 2);
	ck_assert_double_eq(result(&b, "ConsumedWriteCapacityUnits"), 100);
	ck_assert_double_eq(result(&b, "ConsumedReadCapacityUnits"), 100);
	/* Half a second later, 50 units are back: 25 such writes. */
	take(&b);
	burst(&b, 500 * MS, 30, DDB_WRITE, 1025);
	run_until(&b, 500 * MS);
	ck_assert_uint_eq(take(&b), 25);
	/* An item larger than a partition's second (1,000 WCU) never fits. */
	tb_close(&b);
	tb_open(&b, "read_capacity: 100\nwrite_capacity: 10000");
	burst(&b, 0, 1, DDB_WRITE, 1000 * 1024 + 1);
	burst(&b, 0, 1, DDB_WRITE, 1000 * 1024);
	run_until(&b, 0);
	ck_assert_uint_eq(b.admitted, 1);
	ck_assert_uint_eq(b.throttled, 1);
	tb_close(&b);
}
END_TEST

/* Counts since the previous sample; totals and per-second peaks since the
 * warm-up end. */
START_TEST(metrics_count_and_restart)
{
	struct tb b;
	tb_open(&b, "read_capacity: 100\nwrite_capacity: 100\nburst_window: 1s");
	char *text = NULL;
	size_t len = 0;
	struct sim_recorder rec = { .f = open_memstream(&text, &len) };
	ck_assert(rec.f != NULL);
	burst(&b, 0, 150, DDB_WRITE, 1000);
	burst(&b, 2 * S, 30, DDB_READ, 100);
	run_until(&b, 10 * S);
	b.m->ops->sample(b.m, &b.run.sim, &rec);
	run_until(&b, 20 * S);
	b.m->ops->sample(b.m, &b.run.sim, &rec);
	fclose(rec.f);
	ck_assert_str_eq(text,
			 "10.000000000,0,t,ConsumedWriteCapacityUnits,100\n"
			 "10.000000000,0,t,ConsumedReadCapacityUnits,30\n"
			 "10.000000000,0,t,WriteThrottleEvents,50\n"
			 "10.000000000,0,t,ReadThrottleEvents,0\n"
			 "10.000000000,0,t,ThrottledRequests,50\n"
			 "10.000000000,0,t,ProvisionedWriteCapacityUnits,100\n"
			 "10.000000000,0,t,ProvisionedReadCapacityUnits,100\n"
			 "20.000000000,0,t,ConsumedWriteCapacityUnits,0\n"
			 "20.000000000,0,t,ConsumedReadCapacityUnits,0\n"
			 "20.000000000,0,t,WriteThrottleEvents,0\n"
			 "20.000000000,0,t,ReadThrottleEvents,0\n"
			 "20.000000000,0,t,ThrottledRequests,0\n"
			 "20.000000000,0,t,ProvisionedWriteCapacityUnits,100\n"
			 "20.000000000,0,t,ProvisionedReadCapacityUnits,100\n");
	free(text);
	ck_assert_double_eq(result(&b, "ConsumedWriteCapacityUnits"), 100);
	ck_assert_double_eq(result(&b, "ThrottledRequests"), 50);
	ck_assert_double_eq(result(&b, "PeakWriteUnitsPerSecond"), 100);
	ck_assert_double_eq(result(&b, "PeakReadUnitsPerSecond"), 30);
	ck_assert_double_eq(result(&b, "ProvisionedWriteCapacityUnits"), 100);
	/* The warm-up ends at 20 s: totals start again. */
	b.m->ops->restart(b.m, &b.run.sim);
	burst(&b, 21 * S, 40, DDB_WRITE, 1000);
	burst(&b, 22 * S, 30, DDB_WRITE, 1000);
	burst(&b, 22 * S + 999 * MS, 30, DDB_WRITE, 1000);
	run_until(&b, 30 * S);
	ck_assert_double_eq(result(&b, "ConsumedWriteCapacityUnits"), 100);
	ck_assert_double_eq(result(&b, "ConsumedReadCapacityUnits"), 0);
	ck_assert_double_eq(result(&b, "ThrottledRequests"), 0);
	ck_assert_double_eq(result(&b, "PeakWriteUnitsPerSecond"), 60);
	ck_assert_double_eq(result(&b, "PeakReadUnitsPerSecond"), 0);
	tb_close(&b);
}
END_TEST

/* A table in a whole run: no tenant can target it, but the driver creates,
 * samples and finishes it. */
START_TEST(runs_in_a_scenario)
{
	struct tb b;
	ck_assert_int_eq(tb_load(&b, "billing: on_demand"), 0);
	scenario_finish(&b.scn);
	diag_finish(&b.d);
	struct scenario scn;
	struct sim_outcome out;
	const char *sets[] = { "duration=10m", "replications=2" };
	harness_run(b.path, sets, 2, &scn, &out);
	const struct sim_metric *m =
		sim_results_find(&out.results, "t", "ProvisionedWriteCapacityUnits");
	ck_assert(m != NULL);
	ck_assert_double_eq(m->values[0], 4000);
	ck_assert_double_eq(m->values[1], 4000);
	m = sim_results_find(&out.results, "t", "ProvisionedReadCapacityUnits");
	ck_assert_double_eq(m->values[0], 12000);
	harness_done(&scn, &out);
	tb_unlink(&b);
}
END_TEST

/* dynamodb:partitions -------------------------------------------------------- */

START_TEST(partition_count)
{
	static const struct {
		int rcu, wcu, n;
	} rows[] = {
		{ 1, 1, 1 }, { 100, 100, 1 }, { 3000, 1, 2 }, { 2997, 1, 1 },
		{ 1, 3000, 4 }, { 2999, 2000, 3 }, { 3000, 1000, 2 },
		{ 6000, 2000, 4 }, { 12000, 4000, 8 }, { 1000000, 1000000, 1334 },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char s[128];
		snprintf(s, sizeof(s), "read_capacity: %d\nwrite_capacity: %d",
			 rows[i].rcu, rows[i].wcu);
		struct tb b;
		tb_open(&b, s);
		int64_t nr = ddb_partitions(b.t, &b.run.sim, DDB_READ);
		int64_t nw = ddb_partitions(b.t, &b.run.sim, DDB_WRITE);
		if (nr != rows[i].n || nw != rows[i].n)
			fail_add(&f, "%d RCU + %d WCU: %lld / %lld partitions, want %d",
				 rows[i].rcu, rows[i].wcu, (long long)nr,
				 (long long)nw, rows[i].n);
		tb_close(&b);
	}
	FAILS_CHECK(f);
}
END_TEST

/* 3,000 WCU (+ 1 RCU: 4 partitions), 2,000 writes/s for 10 s. */
static uint64_t hot_run(const char *share, uint64_t *throttled)
{
	char s[160];
	snprintf(s, sizeof(s),
		 "read_capacity: 1\nwrite_capacity: 3000\nhot_key_share: %s", share);
	struct tb b;
	tb_open(&b, s);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 4);
	every(&b, 0, 500 * SIM_US, 20000, DDB_WRITE, 1000);
	run_until(&b, 10 * S);
	*throttled = b.throttled;
	uint64_t a = b.admitted;
	tb_close(&b);
	return a;
}

START_TEST(hot_partition_throttles_below_table_capacity)
{
	uint64_t thr;
	/* All on one partition: it passes its full second (1,000) and then
	 * 1,000/s, though the table has 3,000/s and 900,000 of burst. */
	ck_assert_uint_eq(hot_run("100%", &thr), 1000 + 1000 * 10);
	ck_assert_uint_eq(thr, 20001 - 11000);
	/* Spread evenly: 500/s per partition, nothing throttled. */
	ck_assert_uint_eq(hot_run("0%", &thr), 20001);
	ck_assert_uint_eq(thr, 0);
	/* 50%: the hot partition takes 1,000 + 250 per second. */
	uint64_t a = hot_run("50%", &thr);
	ck_assert_uint_gt(thr, 0);
	ck_assert_uint_eq(a + thr, 20001);
	uint64_t thr2;
	ck_assert_uint_eq(hot_run("50%", &thr2), a);
	ck_assert_uint_eq(thr2, thr);
	/* 30%: 600 + 350 per second, under the cap. */
	ck_assert_uint_eq(hot_run("30%", &thr), 20001);
}
END_TEST

/* dynamodb:ondemand ---------------------------------------------------------- */

START_TEST(new_table_limits)
{
	struct tb b;
	tb_open(&b, "billing: on_demand");
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 4000);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_READ), 12000);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 4);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_READ), 4);
	burst(&b, 0, 4001, DDB_WRITE, 1000);
	run_until(&b, 0);
	ck_assert_uint_eq(b.throttled, 1);
	ck_assert_uint_eq(take(&b), 4000);
	burst(&b, 0, 12001, DDB_READ, 4000);
	run_until(&b, 0);
	ck_assert_uint_eq(b.throttled, 1);
	ck_assert_uint_eq(take(&b), 12000);
	tb_close(&b);
}
END_TEST

/* A peak raises the limit 30 minutes after its second ends (FACTS 5,
 * "On-demand scaling"): 3,000 writes/s for 5 s leave the limit at 4,000
 * until 1 s + 30 min, then 6,000. */
START_TEST(limit_follows_twice_the_peak)
{
	struct tb b;
	tb_open(&b, "billing: on_demand");
	/* 3,000 writes/s for 5 s (exactly 3,000 in each whole second). */
	for (int64_t k = 0; k < 5 * 3000; k++)
		sim_schedule(&b.run.sim, k * S / 3000, on_request, &b,
			     req_arg(DDB_WRITE, 1000, 1));
	run_until(&b, 5 * S);
	ck_assert_uint_eq(b.throttled, 0);
	ck_assert_uint_eq(take(&b), 15000);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 4000);
	run_until(&b, S + 30 * SIM_MIN - 1);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 4000);
	run_until(&b, S + 30 * SIM_MIN);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 6000);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 6);
	/* Reads keep their own limit. */
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_READ), 12000);
	/* A burst after a quiet second: exactly the new limit passes. */
	sim_time_t at = 32 * SIM_MIN;
	burst(&b, at, 6001, DDB_WRITE, 1000);
	run_until(&b, at);
	ck_assert_uint_eq(b.throttled, 1);
	ck_assert_uint_eq(take(&b), 6000);
	ck_assert_double_eq(result(&b, "PeakWriteUnitsPerSecond"), 6000);
	tb_close(&b);
}
END_TEST

/* Within 30 minutes a burst gets no more than the old limit, however
 * long it lasts: 5,000 writes a second for a minute pass 4,000 a second;
 * the peak of 4,000 doubles the limit 30 minutes after each second, the
 * first at 1 s + 30 min. */
START_TEST(a_new_peak_waits_30_minutes)
{
	struct tb b;
	tb_open(&b, "billing: on_demand");
	uint64_t got = 0;
	for (int k = 0; k < 60; k++) {
		burst(&b, k * S, 5000, DDB_WRITE, 1000);
		run_until(&b, k * S);
		got += take(&b);
	}
	ck_assert_uint_eq(got, 60 * 4000);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 4000);
	run_until(&b, S + 30 * SIM_MIN);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 8000);
	tb_close(&b);
}
END_TEST

/* Bursts 30 minutes and 2 s apart double the limit each time (each
 * peak comes of age 1 s before the next burst, whose bucket then has
 * filled), up to the quota. */
START_TEST(limit_is_capped_at_the_table_quota)
{
	struct tb b;
	tb_open(&b, "billing: on_demand");
	uint64_t got[6];
	for (int k = 0; k < 6; k++) {
		sim_time_t at = k * (30 * SIM_MIN + 2 * S);
		burst(&b, at, 100000, DDB_WRITE, 1000);
		run_until(&b, at);
		got[k] = take(&b);
		ck_assert_int_le(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 40000);
	}
	ck_assert_uint_eq(got[0], 4000);
	ck_assert_uint_eq(got[1], 8000);
	ck_assert_uint_eq(got[2], 16000);
	ck_assert_uint_eq(got[3], 32000);
	ck_assert_uint_eq(got[4], 40000);
	ck_assert_uint_eq(got[5], 40000);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 40000);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 40);
	tb_close(&b);
}
END_TEST

/* dynamodb:autoscaling ------------------------------------------------------- */

#define SCALED "read_capacity: 100\nwrite_capacity: 100\n" \
	       "autoscaling: {target_utilization: 70%, min: 10, max: 1000}"

START_TEST(scales_out_after_two_minutes_above)
{
	struct tb b;
	tb_open(&b, SCALED);
	/* 80 writes/s (80% of 100) from t = 0: above the 70% target. */
	every(&b, 0, 12500 * SIM_US, 80 * 200, DDB_WRITE, 1000);
	run_until(&b, 60 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 100);
	run_until(&b, 120 * S - 1);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 100);
	run_until(&b, 120 * S);
	/* ceil(80 / 0.7) */
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 115);
	/* 80/115 = 69.6%: stays. */
	run_until(&b, 200 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 115);
	ck_assert_uint_eq(b.throttled, 0);
	/* Reads were idle: 15 minutes below target, then down to min. */
	run_until(&b, 900 * S - 1);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_READ), 100);
	run_until(&b, 900 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_READ), 10);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 115);
	tb_close(&b);
}
END_TEST

START_TEST(one_minute_above_is_not_enough)
{
	struct tb b;
	tb_open(&b, SCALED);
	/* 80/s for the first minute, then 50/s (under 80% of the target). */
	every(&b, 0, 12500 * SIM_US, 80 * 60 - 1, DDB_WRITE, 1000);
	every(&b, 60 * S, 20 * MS, 50 * 1000, DDB_WRITE, 1000);
	run_until(&b, 121 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 100);
	/* Minutes 1..15 below: scaled in at 16 min to ceil(50 / 0.7). */
	run_until(&b, 960 * S - 1);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 100);
	run_until(&b, 960 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 72);
	ck_assert_uint_eq(b.throttled, 0);
	tb_close(&b);
}
END_TEST

/* Scaling out past a partition's share splits partitions; max bounds it. */
START_TEST(scaling_splits_partitions_and_keeps_bounds)
{
	struct tb b;
	tb_open(&b, "read_capacity: 1\nwrite_capacity: 900\nburst_window: 1s\n"
		    "autoscaling: {target_utilization: 50%, min: 1, max: 1500}");
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 1);
	/* 900 writes/s: 100% utilization, want 1,800, max 1,500. */
	every(&b, 0, SIM_S / 900, 900 * 180, DDB_WRITE, 1000);
	run_until(&b, 120 * S);
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_WRITE), 1500);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_WRITE), 2);
	ck_assert_int_eq(ddb_partitions(b.t, &b.run.sim, DDB_READ), 2);
	/* The read lane scaled in to min meanwhile? Not before 15 minutes. */
	ck_assert_int_eq(ddb_capacity(b.t, &b.run.sim, DDB_READ), 1);
	run_until(&b, 180 * S);
	ck_assert_uint_eq(b.throttled, 0);
	tb_close(&b);
}
END_TEST

/* dynamodb:retry ------------------------------------------------------------- */

static void check_delays(struct ddb *t, int attempt, sim_time_t cap,
			 gsl_rng *r)
{
	double sum = 0;
	sim_time_t lo = SIM_TIME_MAX, hi = 0;
	const int n = 100000;
	for (int i = 0; i < n; i++) {
		sim_time_t d = sdk_retry_delay(ddb_retry(t), attempt, r);
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
		sum += (double)d;
	}
	ck_assert_int_ge(lo, 0);
	ck_assert_int_le(hi, cap);
	double mean = sum / n;
	ck_assert_msg(fabs(mean - (double)cap / 2) <= 0.01 * (double)cap / 2,
		      "attempt %d: mean %.0f ns, cap %lld ns", attempt, mean,
		      (long long)cap);
	/* Full jitter uses the whole range. */
	ck_assert_int_lt(lo, cap / 100);
	ck_assert_int_gt(hi, cap - cap / 100);
}

START_TEST(full_jitter_within_the_cap)
{
	struct tb b;
	tb_open(&b, "read_capacity: 1\nwrite_capacity: 1");
	ck_assert_int_eq((int)ddb_retry(b.t)->max_attempts, 10);
	gsl_rng *r = sim_rng_stream(1, 0, "caller", "retry");
	static const struct {
		int attempt;
		sim_time_t cap;
	} rows[] = {
		{ 1, 50 * MS }, { 2, 100 * MS }, { 5, 800 * MS },
		{ 9, 12800 * MS }, { 10, 20 * S }, { 40, 20 * S },
		{ 100000, 20 * S },
	};
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		check_delays(b.t, rows[i].attempt, rows[i].cap, r);
	tb_close(&b);

	tb_open(&b, "read_capacity: 1\nwrite_capacity: 1\n"
		    "sdk_retry: {max_attempts: 3, base_delay: 1s, max_delay: 5s}");
	ck_assert_int_eq((int)ddb_retry(b.t)->max_attempts, 3);
	check_delays(b.t, 1, S, r);
	check_delays(b.t, 3, 4 * S, r);
	check_delays(b.t, 4, 5 * S, r);
	tb_close(&b);

	tb_open(&b, "read_capacity: 1\nwrite_capacity: 1\nsdk_retry: {base_delay: 0s}");
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(sdk_retry_delay(ddb_retry(b.t), 1000000, r), 0);
	tb_close(&b);
	gsl_rng_free(r);
}
END_TEST

/* dynamodb:config ------------------------------------------------------------ */

START_TEST(config_errors)
{
	static const struct {
		const char *settings;
		const char *message; /* after "file:line:col: " */
	} rows[] = {
		{ "write_capacity: 5",
		  "error: resources.t: missing required key 'read_capacity' (billing is provisioned)" },
		{ "read_capacity: 5",
		  "error: resources.t: missing required key 'write_capacity' (billing is provisioned)" },
		{ "billing: on_demand\nread_capacity: 5",
		  "error: resources.t.read_capacity: applies only to billing: provisioned" },
		{ "billing: on_demand\nautoscaling: {min: 1, max: 2}",
		  "error: resources.t.autoscaling: applies only to billing: provisioned (use none)" },
		{ "billing: ondemand",
		  "error: resources.t.billing: expected one of provisioned, on_demand, got 'ondemand' (did you mean 'on_demand'?)" },
		{ "read_capacity: 5\nwrite_capacity: 0",
		  "error: resources.t.write_capacity: must be between 1 and 1000000, got '0'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nautoscaling: yes",
		  "error: resources.t.autoscaling: expected a map of settings or 'none', got 'yes'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nautoscaling: {min: 1}",
		  "error: resources.t.autoscaling: missing required key 'max'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nautoscaling: {min: 10, max: 2}",
		  "error: resources.t.autoscaling.max: must be at least min (10), got 2" },
		{ "read_capacity: 5\nwrite_capacity: 15\nautoscaling: {min: 10, max: 20}",
		  "error: resources.t.read_capacity: must be within autoscaling min and max (10..20), got 5" },
		{ "read_capacity: 5\nwrite_capacity: 5\nautoscaling: {target_utilization: 95%, min: 1, max: 9}",
		  "error: resources.t.autoscaling.target_utilization: must be between 20% and 90%, got '95%'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nhot_key_share: 1.5",
		  "error: resources.t.hot_key_share: must be between 0% and 100%, got '1.5'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nburst_window: 0s",
		  "error: resources.t.burst_window: must be between 1s and 1h, got '0s'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nsdk_retry: {max_attempts: 0}",
		  "error: resources.t.sdk_retry.max_attempts: must be between 1 and 100, got '0'" },
		{ "read_capacity: 5\nwrite_capacity: 5\nsdk_retry: {max_atempts: 3}",
		  "error: resources.t.sdk_retry: unknown key 'max_atempts' (did you mean 'max_attempts'?)" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct tb b;
		int rc = tb_load(&b, rows[i].settings);
		const char *got = b.d.n ? b.d.v[0].text : "(nothing)";
		const char *msg = strstr(got, "error: ");
		if (rc == 0 || b.d.n != 1 || !msg || strcmp(msg, rows[i].message))
			fail_add(&f, "row %zu: %zu messages, first '%s'", i, b.d.n, got);
		if (rc == 0)
			scenario_finish(&b.scn);
		diag_finish(&b.d);
		tb_unlink(&b);
	}
	FAILS_CHECK(f);

	/* Defaults are written back. */
	struct tb b;
	ck_assert_int_eq(tb_load(&b, "read_capacity: 5\nwrite_capacity: 5\n"
				     "autoscaling: {min: 1, max: 9}"), 0);
	const struct cfg_node *t = cfg_get(cfg_get(b.scn.doc.root, "resources"), "t");
	ck_assert_str_eq(cfg_get(t, "billing")->value, "provisioned");
	ck_assert_str_eq(cfg_get(cfg_get(t, "autoscaling"), "target_utilization")->value, "70%");
	ck_assert_str_eq(cfg_get(t, "hot_key_share")->value, "0%");
	ck_assert_str_eq(cfg_get(t, "burst_window")->value, "300s");
	const struct cfg_node *retry = cfg_get(t, "sdk_retry");
	ck_assert_str_eq(cfg_get(retry, "max_attempts")->value, "10");
	ck_assert_str_eq(cfg_get(retry, "base_delay")->value, "50ms");
	ck_assert_str_eq(cfg_get(retry, "max_delay")->value, "20s");
	scenario_finish(&b.scn);
	diag_finish(&b.d);
	tb_unlink(&b);
	ck_assert_int_eq(tb_load(&b, "billing: on_demand"), 0);
	t = cfg_get(cfg_get(b.scn.doc.root, "resources"), "t");
	ck_assert_str_eq(cfg_get(t, "autoscaling")->value, "none");
	ck_assert(cfg_get(t, "read_capacity") == NULL);
	scenario_finish(&b.scn);
	diag_finish(&b.d);
	tb_unlink(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("dynamodb");
	TCase *c = tcase_create("dynamodb:bucket");
	tcase_add_test(c, burst_then_refill_exactly);
	tcase_add_test(c, item_size_sets_the_units);
	tcase_add_test(c, metrics_count_and_restart);
	tcase_add_test(c, runs_in_a_scenario);
	suite_add_tcase(s, c);
	c = tcase_create("dynamodb:partitions");
	tcase_add_test(c, partition_count);
	tcase_add_test(c, hot_partition_throttles_below_table_capacity);
	suite_add_tcase(s, c);
	c = tcase_create("dynamodb:ondemand");
	tcase_add_test(c, new_table_limits);
	tcase_add_test(c, limit_follows_twice_the_peak);
	tcase_add_test(c, a_new_peak_waits_30_minutes);
	tcase_add_test(c, limit_is_capped_at_the_table_quota);
	suite_add_tcase(s, c);
	c = tcase_create("dynamodb:autoscaling");
	tcase_add_test(c, scales_out_after_two_minutes_above);
	tcase_add_test(c, one_minute_above_is_not_enough);
	tcase_add_test(c, scaling_splits_partitions_and_keeps_bounds);
	suite_add_tcase(s, c);
	c = tcase_create("dynamodb:retry");
	tcase_add_test(c, full_jitter_within_the_cap);
	suite_add_tcase(s, c);
	c = tcase_create("dynamodb:config");
	tcase_add_test(c, config_errors);
	suite_add_tcase(s, c);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
