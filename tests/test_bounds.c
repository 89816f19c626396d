/* test_bounds.c - the bounds that keep time arithmetic from overflowing
 * (sim/time.h, sim/dist.h, sim/schema.c): the time helpers saturate where
 * they say; the schema refuses durations past 1e9 s anywhere (scalars and
 * distribution parameters), compares whole numbers exactly and caps every
 * distribution's draws; and scenarios with heavy-tailed draws at those
 * bounds run to their horizon in every model that takes a duration
 * distribution (they aborted on "at >= s->now" or hung before: issue 17).
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_rng.h>

#include "models/registry.h"
#include "sim/dist.h"
#include "sim/scenario.h"
#include "sim/schema.h"
#include "sim/time.h"
#include "tests/harness.h"

/* bounds:time ---------------------------------------------------------- */

START_TEST(from_s_saturates_past_every_horizon)
{
	ck_assert(SIM_TIME_FAR > SIM_DURATION_MAX);
	/* A time (at most the horizon) plus three saturated values fits. */
	ck_assert(SIM_DURATION_MAX <= SIM_TIME_MAX - 3 * SIM_TIME_FAR);
	ck_assert_int_eq(sim_time_from_s(1e9), SIM_DURATION_MAX);
	ck_assert_int_eq(sim_time_from_s(1.5), 1500000000);
	ck_assert_int_eq(sim_time_from_s(0.4e-9), 0);
	ck_assert_int_eq(sim_time_from_s(0.6e-9), 1);
	ck_assert_int_eq(sim_time_from_s(2e9), 2000000000 * SIM_S);
	ck_assert_int_eq(sim_time_from_s(3e9), SIM_TIME_FAR);
	ck_assert_int_eq(sim_time_from_s(1e300), SIM_TIME_FAR);
	ck_assert_int_eq(sim_time_from_s(INFINITY), SIM_TIME_FAR);
	ck_assert_int_eq(sim_time_from_s(NAN), 0);
	ck_assert_int_eq(sim_time_from_s(-1e300), 0);
}
END_TEST

START_TEST(mul_and_add_saturate)
{
	ck_assert_int_eq(sim_time_mul(SIM_S, 10), 10 * SIM_S);
	ck_assert_int_eq(sim_time_mul(3600 * SIM_S, 1000000), 3600 * SIM_S * 1000000);
	ck_assert_int_eq(sim_time_mul(SIM_DURATION_MAX, 10), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_mul(SIM_TIME_MAX, 2), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_mul(SIM_TIME_MAX, 1), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_mul(SIM_TIME_MAX / 3, 3), SIM_TIME_MAX / 3 * 3);
	ck_assert_int_eq(sim_time_mul(SIM_TIME_MAX / 3 + 1, 3), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_mul(0, INT64_MAX), 0);
	ck_assert_int_eq(sim_time_mul(-SIM_S, 5), 0);
	ck_assert_int_eq(sim_time_mul(SIM_S, -5), 0);
	ck_assert_int_eq(sim_time_add(SIM_TIME_MAX - 1, 1), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_add(SIM_TIME_MAX - 1, 2), SIM_TIME_MAX);
	ck_assert_int_eq(sim_time_add(SIM_DURATION_MAX, SIM_TIME_FAR),
			 SIM_DURATION_MAX + SIM_TIME_FAR);
}
END_TEST

/* Samples: capped at the distribution's cap; durations at 1e9 s whatever
 * the cap. A pareto with shape 1e-6 draws past 1e9 s nearly every time
 * (P = 1 - 1e-9^1e-6, about 0.99998); old sim_dist_sample_time returned
 * INT64_MAX for them. */
START_TEST(samples_stop_at_the_cap_and_durations_at_1e9s)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	struct sim_dist d;
	ck_assert_int_eq(sim_dist_pareto(&d, 1e-6, 1.0), 0);
	ck_assert(isinf(d.max));
	int at_max = 0;
	for (int i = 0; i < 1000; i++) {
		sim_time_t t = sim_dist_sample_time(&d, r);
		ck_assert(t >= SIM_S && t <= SIM_DURATION_MAX);
		at_max += t == SIM_DURATION_MAX;
	}
	ck_assert_int_eq(at_max, 1000);
	sim_dist_cap(&d, 60.0);
	for (int i = 0; i < 1000; i++)
		ck_assert(sim_dist_sample(&d, r) == 60.0);
	ck_assert(sim_dist_mean(&d) == INFINITY); /* moments ignore the cap */
	struct sim_dist c;
	ck_assert_int_eq(sim_dist_copy(&c, &d), 0);
	ck_assert(c.max == 60.0);
	/* Below the cap, draws are the family's own. */
	ck_assert_int_eq(sim_dist_uniform(&d, 1.0, 2.0), 0);
	sim_dist_cap(&d, 2.0);
	for (int i = 0; i < 1000; i++) {
		double x = sim_dist_sample(&d, r);
		ck_assert(x >= 1.0 && x <= 2.0);
	}
	gsl_rng_free(r);
}
END_TEST

/* bounds:schema -------------------------------------------------------- */

struct obj {
	sim_time_t dur;
	int64_t count;
	int64_t big;            /* a range wider than int64 */
	int64_t free;           /* no range */
	struct sim_dist wait;   /* durations, no range of its own */
	struct sim_dist size;   /* sizes, 0..1 GiB */
	struct sim_dist tokens; /* numbers, no range */
};

static const struct scn_field fields[] = {
	{ .key = "dur", .kind = SCN_DURATION, .min = 0, .max = 1e12, .dflt = "1s",
	  .offset = offsetof(struct obj, dur) },
	{ .key = "count", .kind = SCN_INT, .min = -9007199254740992.0,
	  .max = 9007199254740992.0, .dflt = "1", .offset = offsetof(struct obj, count) },
	{ .key = "big", .kind = SCN_INT, .min = -1e300, .max = 1e300, .dflt = "0",
	  .offset = offsetof(struct obj, big) },
	{ .key = "free", .kind = SCN_INT, .min = 1, .max = 0, .dflt = "0",
	  .offset = offsetof(struct obj, free) },
	{ .key = "wait", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION, .min = 1, .max = 0,
	  .dflt = "1s", .offset = offsetof(struct obj, wait) },
	{ .key = "size", .kind = SCN_DIST, .unit = SIM_UNIT_SIZE, .min = 0,
	  .max = 1073741824.0, .dflt = "1KB", .offset = offsetof(struct obj, size) },
	{ .key = "tokens", .kind = SCN_DIST, .unit = SIM_UNIT_NUMBER, .min = 1, .max = 0,
	  .dflt = "1", .offset = offsetof(struct obj, tokens) },
};

static const struct scn_schema schema = { "bounds", fields, 7, NULL };

/* Walks the YAML text against the schema above; returns the messages (one
 * a line, caller frees) and fills *o (freed here). */
static char *walk(const char *yaml, struct obj *o)
{
	struct diag d;
	diag_init(&d);
	struct cfg_node *n = cfg_parse_string(yaml, "t.yaml", &d);
	ck_assert(n != NULL);
	struct scn_ctx ctx = { .diag = &d };
	memset(o, 0, sizeof(*o));
	scn_walk(&schema, n, o, NULL, &ctx);
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	diag_print(&d, f);
	fclose(f);
	diag_finish(&d);
	for (size_t i = 0; i < ctx.n_assumed; i++)
		free(ctx.assumed[i]);
	free(ctx.assumed);
	cfg_free(n);
	return buf;
}

START_TEST(durations_stop_at_1e9s_in_scalars_and_parameters)
{
	static const struct {
		const char *yaml;
		const char *want; /* "" when accepted */
	} cases[] = {
		/* 1e9 s itself is accepted (it read as 1e18 * 1e-9 > 1e9). */
		{ "{dur: 1e9s}", "" },
		{ "{dur: 1000000000000000000ns}", "" },
		{ "{dur: 1000000000000000001ns}",
		  "t.yaml: error: dur: must be at most 1000000000s, got '1000000000000000001ns'\n" },
		{ "{dur: 1e300s}", "t.yaml: error: dur: must be at most 1000000000s, got '1e300s'\n" },
		{ "{wait: 1e9s}", "" },
		{ "{wait: 1e10s}", "t.yaml: error: wait: must be at most 1000000000s, got '1e10s'\n" },
		{ "{wait: {uniform: {min: 0s, max: 1e9s}}}", "" },
		{ "{wait: {uniform: {min: 0s, max: 1e308s}}}",
		  "t.yaml: error: wait.uniform.max: must be at most 1000000000s, got '1e308s'\n" },
		{ "{wait: {normal: {mean: -1e9s, sd: 1s}}}", "" },
		{ "{wait: {normal: {mean: -2e9s, sd: 1s}}}",
		  "t.yaml: error: wait.normal.mean: must be at least -1000000000s, got '-2e9s'\n" },
		/* Unitless parameters are not bounded: their draws are capped. */
		{ "{wait: {lognormal: {mu: 1e300, sigma: 1e300}}}", "" },
		{ "{wait: {pareto: {shape: 1e-300, scale: 1e9s}}}", "" },
		{ "{size: {exponential: {mean: 2e15B}}}",
		  "t.yaml: error: size.exponential.mean: must be at most 1000000GB, got '2e15B'\n" },
		{ "{tokens: 1e15}", "" },
		{ "{tokens: 1e16}", "t.yaml: error: tokens: must be at most 1e+15, got '1e16'\n" },
	};
	struct fails fl = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct obj o;
		char *got = walk(cases[i].yaml, &o);
		if (strcmp(got, cases[i].want))
			fail_add(&fl, "%s: got '%s', want '%s'", cases[i].yaml, got,
				 cases[i].want);
		free(got);
		scn_free(&schema, &o);
	}
	FAILS_CHECK(fl);
}
END_TEST

START_TEST(caps_come_from_the_range_or_the_unit)
{
	struct obj o;
	char *got = walk("{wait: {pareto: {shape: 0.01, scale: 1s}}, "
			 "size: {pareto: {shape: 0.01, scale: 1KB}}, "
			 "tokens: {exponential: {mean: 400}}}", &o);
	ck_assert_str_eq(got, "");
	ck_assert(o.wait.max == SIM_DURATION_MAX_S);
	ck_assert(o.size.max == 1073741824.0);
	ck_assert(o.tokens.max == SCN_NUMBER_MAX);
	free(got);
	scn_free(&schema, &o);
}
END_TEST

/* Whole numbers are compared with their range exactly: through a double,
 * 2^53 + 1 rounds to 2^53 and passed a maximum of 2^53. */
START_TEST(whole_numbers_are_compared_exactly)
{
	static const struct {
		const char *yaml;
		const char *want;
		int64_t value;
	} cases[] = {
		{ "{count: 9007199254740992}", "", 9007199254740992 },
		{ "{count: 9007199254740993}",
		  "t.yaml: error: count: must be at most 9007199254740992, got '9007199254740993'\n", 0 },
		{ "{count: -9007199254740992}", "", -9007199254740992 },
		{ "{count: -9007199254740993}",
		  "t.yaml: error: count: must be at least -9007199254740992, got '-9007199254740993'\n", 0 },
		{ "{count: 9223372036854775807}",
		  "t.yaml: error: count: must be at most 9007199254740992, got '9223372036854775807'\n", 0 },
		{ "{count: -9223372036854775808}",
		  "t.yaml: error: count: must be at least -9007199254740992, got '-9223372036854775808'\n", 0 },
		/* A range past int64 either side, and none at all. */
		{ "{big: 9223372036854775807}", "", 0 },
		{ "{big: -9223372036854775808}", "", 0 },
		{ "{free: -5}", "", 0 },
	};
	struct fails fl = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct obj o;
		char *got = walk(cases[i].yaml, &o);
		if (strcmp(got, cases[i].want) ||
		    (!got[0] && cases[i].value && o.count != cases[i].value))
			fail_add(&fl, "%s: got '%s' (%lld), want '%s'", cases[i].yaml, got,
				 (long long)o.count, cases[i].want);
		free(got);
		scn_free(&schema, &o);
	}
	FAILS_CHECK(fl);
}
END_TEST

/* The distribution parser's own messages, each at its parameter. */
START_TEST(distribution_errors_name_the_parameter)
{
	static const struct {
		const char *yaml, *want;
	} cases[] = {
		{ "{wait: [1s]}", "t.yaml: error: wait: expected a constant or a map with one distribution (exponential, lognormal, gamma, uniform, normal, pareto or empirical)\n" },
		{ "{wait: {zzz: {mean: 1s}}}", "t.yaml: error: wait: unknown distribution 'zzz'; expected one of exponential, lognormal, gamma, uniform, normal, pareto, empirical\n" },
		{ "{wait: {expnential: {mean: 1s}}}", "t.yaml: error: wait: unknown distribution 'expnential' (did you mean 'exponential'?)\n" },
		{ "{wait: {lognormal: {x: 1}}}", "t.yaml: error: wait.lognormal: expected {median: X, p99: Y} or {mu: a, sigma: b}\n" },
		{ "{wait: {gamma: {x: 1s}}}", "t.yaml: error: wait.gamma: expected {mean: ..., cv: ...}\n" },
		{ "{wait: {exponential: {x: 1s}}}", "t.yaml: error: wait.exponential: expected {mean: ...}\n" },
		{ "{wait: {exponential: {mean: 1s, meen: 2s}}}", "t.yaml: error: wait.exponential: unknown key 'meen' (did you mean 'mean'?)\n" },
		{ "{wait: {exponential: {mean: 1s, zzzz: 2s}}}", "t.yaml: error: wait.exponential: unknown key 'zzzz'\n" },
		{ "{wait: {lognormal: {mu: 1}}}", "t.yaml: error: wait.lognormal: missing 'sigma'\n" },
		{ "{wait: {lognormal: {mu: 0, sigma: -1}}}", "t.yaml: error: wait.lognormal: sigma must not be negative, got '-1'\n" },
		{ "{wait: {lognormal: {median: 2s, p99: 1s}}}", "t.yaml: error: wait.lognormal: needs 0 < median < p99, got median '2s' and p99 '1s'\n" },
		{ "{wait: {gamma: {mean: 1s, cv: 0}}}", "t.yaml: error: wait.gamma: needs mean > 0 and cv > 0, got mean '1s' and cv '0'\n" },
		{ "{wait: {normal: {mean: 1s, sd: -1s}}}", "t.yaml: error: wait.normal: sd must not be negative, got '-1s'\n" },
		{ "{wait: {pareto: {shape: 0, scale: 1s}}}", "t.yaml: error: wait.pareto: needs shape > 0 and scale > 0, got shape '0' and scale '1s'\n" },
		{ "{wait: {uniform: {min: 2s, max: 1s}}}", "t.yaml: error: wait.uniform: needs 0 <= min <= max, got min '2s' and max '1s'\n" },
		{ "{wait: {exponential: {mean: 0s}}}", "t.yaml: error: wait.exponential: the mean must be greater than 0, got '0s'\n" },
		{ "{wait: {exponential: {mean: [1]}}}", "t.yaml: error: wait.exponential.mean: expected a duration with a unit (ns, us, ms, s, m, h, d), e.g. 250ms or 1.5s, got a list\n" },
		{ "{wait: {empirical: {file: [a]}}}", "t.yaml: error: wait.empirical: expected a file name\n" },
		{ "{wait: -1s}", "t.yaml: error: wait: must not be negative, got '-1s'\n" },
		{ "{size: {exponential: {mean: 2GiB}}}", "t.yaml: error: size: the mean must be at most 1GiB, got 2GiB\n" },
	};
	struct fails fl = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct obj o;
		char *got = walk(cases[i].yaml, &o);
		if (strcmp(got, cases[i].want))
			fail_add(&fl, "%s: got '%s', want '%s'", cases[i].yaml, got,
				 cases[i].want);
		free(got);
		scn_free(&schema, &o);
	}
	FAILS_CHECK(fl);
}
END_TEST

/* Empirical samples past the unit's bound are capped like any draw. */
START_TEST(empirical_draws_are_capped_too)
{
	char path[] = "/tmp/spillway-bounds-XXXXXX";
	int fd = mkstemp(path);
	ck_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	fputs("# seconds\n1ns\n\n  1e300s ,\n2s # two\n", f);
	fclose(f);
	char yaml[128];
	snprintf(yaml, sizeof(yaml), "{wait: {empirical: {file: %s}}}", path);
	struct obj o;
	char *got = walk(yaml, &o);
	ck_assert_str_eq(got, "");
	free(got);
	ck_assert_uint_eq(o.wait.n_values, 3);
	ck_assert(o.wait.max == SIM_DURATION_MAX_S);
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	int capped = 0;
	for (int i = 0; i < 300; i++) {
		sim_time_t t = sim_dist_sample_time(&o.wait, r);
		ck_assert(t == 1 || t == 2 * SIM_S || t == SIM_DURATION_MAX);
		capped += t == SIM_DURATION_MAX;
	}
	ck_assert(capped > 50 && capped < 150);
	gsl_rng_free(r);
	scn_free(&schema, &o);
	/* A file with nothing in it. */
	f = fopen(path, "w");
	fputs("# nothing\n", f);
	fclose(f);
	got = walk(yaml, &o);
	char want[256];
	snprintf(want, sizeof(want), "t.yaml: error: wait.empirical: '%s' holds no values\n", path);
	ck_assert_str_eq(got, want);
	free(got);
	scn_free(&schema, &o);
	remove(path);
}
END_TEST

/* Every numeric key of every type has a finite range within the unit's
 * bound, so that every count and size feeding arithmetic is bounded where
 * the schema is written, not only where the walker adds its own bound. */
static void check_ranges(const struct scn_schema *sc, const char *where,
			 struct fails *fl)
{
	for (size_t i = 0; i < sc->n; i++) {
		const struct scn_field *f = &sc->fields[i];
		if (f->sub)
			check_ranges(f->sub, where, fl);
		double bound = f->kind == SCN_DURATION ? SIM_DURATION_MAX_S
			       : f->kind == SCN_INT ? 9007199254740992.0
			       : f->kind == SCN_SIZE ? SCN_SIZE_MAX
			       : f->kind == SCN_RATE || f->kind == SCN_NUMBER ? 1e9
			       : f->kind == SCN_FRACTION ? 100 : -1;
		if (bound < 0)
			continue;
		/* The one unbounded number: a published figure to compare. */
		if (!strcmp(f->key, "value") && !strcmp(sc->name, "expect"))
			continue;
		if (!(f->min <= f->max && f->max <= bound && isfinite(f->min)))
			fail_add(fl, "%s: %s.%s has range %g..%g (bound %g)", where,
				 sc->name, f->key, f->min, f->max, bound);
	}
}

START_TEST(every_numeric_key_has_a_bounded_range)
{
	struct fails fl = { 0 };
	for (size_t i = 0; spillway_registry.types[i]; i++)
		check_ranges(spillway_registry.types[i]->schema,
			     spillway_registry.types[i]->name, &fl);
	check_ranges(spillway_registry.tenant->schema, "tenant", &fl);
	check_ranges(&scenario_schema, "top level", &fl);
	FAILS_CHECK(fl);
}
END_TEST

/* bounds:runs ---------------------------------------------------------- */

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* A function whose every message takes "forever" (a pareto of shape 1e-6
 * draws past 1e9 s about 99.998% of the time): each invocation is killed
 * at its 10 s timeout. Before, the draw became INT64_MAX and its end time
 * wrapped negative ("at >= s->now"). Through Kafka, as the issue reported. */
START_TEST(endless_messages_time_out_through_kafka)
{
	const char *sets[] = { "resources.fn.duration.per_message={pareto: {shape: 1e-6, scale: 1s}}" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run("tests/fixtures/kafka.yaml", sets, 1, &scn, &o);
	/* Every batch ended by its timeout, but the last of each of the 4
	 * partitions, still running at the horizon. */
	double inv = value(&o, "fn", "Invocations");
	ck_assert(inv > 4);
	ck_assert_double_eq(value(&o, "fn", "Timeouts"), inv - 4);
	ck_assert_double_eq(value(&o, "fn", "Errors"), inv - 4);
	ck_assert_double_eq_tol(value(&o, "fn", "Duration.max"), 10000, 1e-6);
	harness_done(&scn, &o);
}
END_TEST

/* A dependency answering after (nearly) forever: the calling function is
 * killed at its timeout; before, now + INT64_MAX wrapped. */
START_TEST(endless_dependency_calls_time_out)
{
	const char *sets[] = { "resources.api.latency={pareto: {shape: 1e-6, scale: 1s}}",
			       "resources.api.outages=[{at: 1h, for: 1m}]" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run("tests/fixtures/dependency.yaml", sets, 2, &scn, &o);
	/* 5 at a time (maximum_concurrency), 10 s each, over 10 minutes: 300
	 * invocations, the last 5 still running at the horizon. */
	double inv = value(&o, "fn", "Invocations");
	ck_assert_double_eq(inv, 300);
	ck_assert_double_eq(value(&o, "fn", "Timeouts"), inv - 5);
	ck_assert_double_eq(value(&o, "api", "Calls"), inv);
	harness_done(&scn, &o);
}
END_TEST

/* A cold start that never ends: the invocations start and never finish
 * within the horizon (their INIT is 1e9 s); before, handler start + timeout
 * wrapped. */
START_TEST(endless_cold_starts_never_finish)
{
	const char *sets[] = { "resources.fn.cold_start={pareto: {shape: 1e-6, scale: 1s}}",
			       "resources.fn.event_sources[0].maximum_concurrency=2" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run("tests/fixtures/dependency.yaml", sets, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "fn", "Invocations"), 2);
	ck_assert_double_eq(value(&o, "fn", "ColdStarts"), 2);
	ck_assert_double_eq(value(&o, "fn", "Timeouts"), 0);
	ck_assert_double_eq(value(&o, "api", "Calls"), 0);
	harness_done(&scn, &o);
}
END_TEST

/* Spark pods at 1e-9 GB an hour: an item would take longer than any
 * horizon; the pods stay busy. Before, now + INT64_MAX wrapped. */
START_TEST(endless_spark_items_keep_the_pods_busy)
{
	const char *sets[] = { "resources.workers.spark.gb_per_hour=1e-9" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run("scenarios/nielsen.yaml", sets, 1, &scn, &o);
	ck_assert_double_eq(value(&o, "workers", "ItemsProcessed"), 0);
	harness_done(&scn, &o);
}
END_TEST

/* Message sizes drawn from a heavy tail stop at the key's maximum, 1 GiB
 * (they saturated at 4 GiB - 1 before): a fixed sink receives exactly
 * 2^30 bytes a record. */
START_TEST(heavy_tailed_sizes_stop_at_1GiB)
{
	const char *sets[] = { "tenants.app.message_size={pareto: {shape: 1e-6, scale: 1B}}" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run("tests/fixtures/streams-fixed.yaml", sets, 1, &scn, &o);
	double n = value(&o, "domain", "Received");
	ck_assert(n > 0);
	ck_assert_double_eq(value(&o, "domain", "ReceivedBytes"), n * 1073741824.0);
	harness_done(&scn, &o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("bounds");
	TCase *tc = tcase_create("bounds:time");
	tcase_add_test(tc, from_s_saturates_past_every_horizon);
	tcase_add_test(tc, mul_and_add_saturate);
	tcase_add_test(tc, samples_stop_at_the_cap_and_durations_at_1e9s);
	suite_add_tcase(s, tc);
	tc = tcase_create("bounds:schema");
	tcase_add_test(tc, durations_stop_at_1e9s_in_scalars_and_parameters);
	tcase_add_test(tc, caps_come_from_the_range_or_the_unit);
	tcase_add_test(tc, whole_numbers_are_compared_exactly);
	tcase_add_test(tc, distribution_errors_name_the_parameter);
	tcase_add_test(tc, empirical_draws_are_capped_too);
	tcase_add_test(tc, every_numeric_key_has_a_bounded_range);
	suite_add_tcase(s, tc);
	tc = tcase_create("bounds:runs");
	tcase_add_test(tc, endless_messages_time_out_through_kafka);
	tcase_add_test(tc, endless_dependency_calls_time_out);
	tcase_add_test(tc, endless_cold_starts_never_finish);
	tcase_add_test(tc, endless_spark_items_keep_the_pods_busy);
	tcase_add_test(tc, heavy_tailed_sizes_stop_at_1GiB);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
