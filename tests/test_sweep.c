/* test_sweep.c - what sweep and plan are built from: --vary values and
 * grids, requirements (parsing with the offending column, judging on the
 * pessimistic end of an interval), and common random numbers. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include "cli/grid.h"
#include "cli/require.h"
#include "models/registry.h"
#include "sim/results.h"

/* sweep:vary ----------------------------------------------------------------- */

START_TEST(vary_lists_ranges_and_maps)
{
	char err[256];
	struct vary v;
	ck_assert_int_eq(vary_parse(&v, "a.b=none,25, 50 ,{x: 1, y: 2}", err, sizeof(err)), 0);
	ck_assert_str_eq(v.path, "a.b");
	ck_assert_uint_eq(v.n, 4);
	ck_assert_str_eq(v.values[0], "none");
	ck_assert_str_eq(v.values[2], "50");
	ck_assert_str_eq(v.values[3], "{x: 1, y: 2}");
	vary_free(&v);
	/* Found by fuzzing: a long range (74,068 values) must stay linear;
	 * under the sanitizers it took over 10 s growing one by one. */
	ck_assert_int_eq(vary_parse(&v, "rr=.0..44440: .6", err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 74067);
	ck_assert_str_eq(v.values[74066], "44439.6");
	vary_free(&v);
	ck_assert_int_eq(vary_parse(&v, "d=1s..3s:500ms,10s", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "range '1s..3s:500ms': A, B and STEP must have the same unit");
	ck_assert_int_eq(vary_parse(&v, "d=1s..3s:1s,10s", err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 4);
	ck_assert_str_eq(v.values[1], "2s");
	ck_assert_str_eq(v.values[3], "10s");
	vary_free(&v);
	/* Commas inside YAML quotes do not split (nor brackets count). */
	ck_assert_int_eq(vary_parse(&v, "s='a,b',\"c,{d\\\",e\",'it''s, ok',f", err,
				    sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 4);
	ck_assert_str_eq(v.values[0], "'a,b'");
	ck_assert_str_eq(v.values[1], "\"c,{d\\\",e\"");
	ck_assert_str_eq(v.values[2], "'it''s, ok'");
	ck_assert_str_eq(v.values[3], "f");
	vary_free(&v);
	ck_assert_int_eq(vary_parse(&v, "c=25..400:25", err, sizeof(err)), 0);
	ck_assert_uint_eq(v.n, 16);
	ck_assert_str_eq(v.values[15], "400");
	vary_free(&v);
	static const char *const bad[][2] = {
		{ "novalue", "--vary 'novalue': expected PATH=V1,V2,... or PATH=A..B:STEP" },
		{ "a=1,,2", "--vary 'a=1,,2': an empty value" },
		{ "a={x: 1", "--vary 'a={x: 1': unbalanced braces" },
		{ "a='x,y", "--vary 'a='x,y': a quote (') is not closed" },
		{ "a=5..1:1", "range '5..1:1': expected A <= B and STEP > 0" },
		{ "a=1..x:1", "range '1..x:1': expected A..B:STEP with numbers" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_int_eq(vary_parse(&v, bad[i][0], err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i][1]);
	}
}
END_TEST

START_TEST(grid_first_vary_slowest)
{
	char err[256];
	struct vary v[2];
	ck_assert_int_eq(vary_parse(&v[0], "a=1,2,3", err, sizeof(err)), 0);
	ck_assert_int_eq(vary_parse(&v[1], "b=x,y", err, sizeof(err)), 0);
	ck_assert_uint_eq(grid_size(v, 2), 6);
	size_t idx[2];
	grid_point(v, 2, 0, idx);
	ck_assert(idx[0] == 0 && idx[1] == 0);
	grid_point(v, 2, 1, idx);
	ck_assert(idx[0] == 0 && idx[1] == 1);
	grid_point(v, 2, 5, idx);
	ck_assert(idx[0] == 2 && idx[1] == 1);
	vary_free(&v[0]);
	vary_free(&v[1]);
}
END_TEST

/* sweep:require ----------------------------------------------------------------- */

START_TEST(requirement_parse_errors_point_at_the_character)
{
	static const struct {
		const char *text;
		size_t col;
		const char *msg;
	} cases[] = {
		{ "<=3", 0, "expected RESOURCE.METRIC, tenants.NAME.FIELD or drain_time" },
		{ "q.Depth=3", 7, "expected <=, <, >=, > or == after the metric" },
		{ "q.Depth<=", 9, "expected a value after <=" },
		{ "q.Depth<=3x", 9, "expected a number, a duration (15m) or a size (1MB), got '3x'" },
		{ "qDepth<=3", 6, "expected RESOURCE.METRIC (a dot between them)" },
		{ "tenants.a.dwell<=1s", 10, "unknown tenant field 'dwell'; expected sent, delivered, rejected, failed, dead_lettered, expired or dwell_p50/p95/p99/max" },
		{ "q.Depth<=1%", 9, "a percentage is a share of the tenant's sent, for tenants.NAME.COUNT only" },
		{ "tenants.a.dwell_p99<=1%", 21, "a percentage is a share of the tenant's sent, for tenants.NAME.COUNT only" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct requirement r;
		char err[256];
		size_t col = 999;
		if (req_parse(&r, cases[i].text, err, sizeof(err), &col) != -1 ||
		    col != cases[i].col || strcmp(err, cases[i].msg))
			fail_add(&f, "%s: col %zu, '%s'", cases[i].text, col, err);
	}
	FAILS_CHECK(f);
}
END_TEST

/* A point's results by hand: one metric with an interval, two tenants. */
static struct pr_metric metrics[] = {
	{ .resource = "programs", .metric = "WriteThrottleEvents", .mean = 2, .low = -1, .high = 5 },
	{ .resource = "fn", .metric = "Duration.p99", .mean = 0.4, .low = 0.38, .high = 0.42 },
	{ .resource = "q", .metric = "DrainTime", .mean = 600, .low = NAN, .high = NAN },
};
static struct pr_tenant tenants[] = {
	{ .name = "a", .sent = 1000, .dead_lettered = 1, .dwell_p99 = 30 },
	{ .name = "b", .sent = 100, .dead_lettered = 0, .dwell_p99 = 90 },
};

static bool holds(const struct scenario *scn, const char *text, double *judged)
{
	struct point_result pr = { .m = metrics, .n = 3, .t = tenants, .nt = 2 };
	struct requirement r;
	char err[256];
	size_t col;
	ck_assert_msg(req_parse(&r, text, err, sizeof(err), &col) == 0, "%s: %s", text, err);
	double slack;
	bool ok = req_eval(&r, scn, &pr, judged, &slack);
	req_free(&r);
	return ok;
}

START_TEST(requirements_judge_the_pessimistic_end)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, "tests/fixtures/sqs-groups.yaml", NULL, 0,
				       &spillway_registry, &d), 0);
	double x;
	/* <= judges the upper end (5), >= the lower (-1), == the farther. */
	ck_assert(!holds(&scn, "programs.WriteThrottleEvents<=4", &x));
	ck_assert_double_eq(x, 5);
	ck_assert(holds(&scn, "programs.WriteThrottleEvents<=5", &x));
	ck_assert(!holds(&scn, "programs.WriteThrottleEvents<5", &x));
	ck_assert(!holds(&scn, "programs.WriteThrottleEvents>=0", &x));
	ck_assert_double_eq(x, -1);
	ck_assert(!holds(&scn, "programs.WriteThrottleEvents==2", &x));
	ck_assert(holds(&scn, "fn.Duration.p99<=420ms", &x));
	ck_assert(!holds(&scn, "fn.Duration.p99<=419ms", &x));
	/* One replication: no interval, the mean. */
	ck_assert(holds(&scn, "q.DrainTime<=10m", &x));
	ck_assert(!holds(&scn, "q.DrainTime<10m", &x));
	/* A metric the point lacks fails. */
	ck_assert(!holds(&scn, "q.Nothing<=1", &x));
	/* Tenants: a share of sent; every tenant with *. */
	ck_assert(holds(&scn, "tenants.a.dead_lettered<=0.1%", &x));
	ck_assert_double_eq_tol(x, 0.001, 1e-15);
	ck_assert(!holds(&scn, "tenants.a.dead_lettered<=0.09%", &x));
	ck_assert(holds(&scn, "tenants.b.dwell_p99<=90s", &x));
	ck_assert(!holds(&scn, "tenants.*.dwell_p99<=60s", &x));
	ck_assert_double_eq(x, 90);
	ck_assert(holds(&scn, "tenants.*.dwell_p99<=2m", &x));
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* drain_time: the worst DrainTime of the queues the tenants send to (all
 * four send to `work`; the dead-letter queue's does not count), at its
 * pessimistic end; a point without one fails. */
START_TEST(drain_time_judges_the_tenants_queues)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, "tests/fixtures/sqs-groups.yaml", NULL, 0,
				       &spillway_registry, &d), 0);
	struct pr_metric m[] = {
		{ .resource = "work", .metric = "DrainTime", .mean = 600, .low = 550, .high = 650 },
		{ .resource = "dlq", .metric = "DrainTime", .mean = 5000, .low = 4000, .high = 6000 },
	};
	struct point_result pr = { .m = m, .n = 2 };
	static const struct {
		const char *text;
		bool holds;
		double judged;
	} cases[] = {
		{ "drain_time<=11m", true, 650 },
		{ "drain_time<=10m", false, 650 },
		{ "drain_time>=9m", true, 550 },
		{ "drain_time>560s", false, 550 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct requirement r;
		char err[256];
		size_t col;
		ck_assert_msg(req_parse(&r, cases[i].text, err, sizeof(err), &col) == 0, "%s: %s",
			      cases[i].text, err);
		ck_assert_int_eq(req_check(&r, &scn, &pr, err, sizeof(err), &col), 0);
		double judged = 0, slack;
		ck_assert_msg(req_eval(&r, &scn, &pr, &judged, &slack) == cases[i].holds, "%s",
			      cases[i].text);
		ck_assert_double_eq(judged, cases[i].judged);
		/* Without the queue's DrainTime nothing is judged: it fails. */
		struct point_result none = { .m = m + 1, .n = 1 };
		ck_assert(!req_eval(&r, &scn, &none, &judged, &slack));
		req_free(&r);
	}
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* sweep:crn --------------------------------------------------------------------- */

/* Two nearby points of M/M/1 (service mean 0.5 s and 0.55 s): with the
 * same seed at both (common random numbers, as sweep runs them) the
 * per-replication difference of the mean wait varies much less than with
 * independent streams (another seed at the second point). */
START_TEST(common_random_numbers_sharpen_differences)
{
	const char *a[] = { "resources.desk.service={exponential: {mean: 500ms}}",
			    "replications=12", "duration=20000s", "warmup=500s" };
	const char *b[] = { "resources.desk.service={exponential: {mean: 550ms}}",
			    "replications=12", "duration=20000s", "warmup=500s" };
	const char *b_ind[] = { "resources.desk.service={exponential: {mean: 550ms}}",
				"replications=12", "duration=20000s", "warmup=500s",
				"seed=999" };
	struct scenario sa, sb, sc;
	struct sim_outcome oa, ob, oc;
	harness_run("scenarios/mm1-rho0.5.yaml", a, 4, &sa, &oa);
	harness_run("scenarios/mm1-rho0.5.yaml", b, 4, &sb, &ob);
	harness_run("scenarios/mm1-rho0.5.yaml", b_ind, 5, &sc, &oc);
	const double *wa = sim_results_find(&oa.results, "desk", "WaitTime")->values;
	const double *wb = sim_results_find(&ob.results, "desk", "WaitTime")->values;
	const double *wc = sim_results_find(&oc.results, "desk", "WaitTime")->values;
	double d1[12], d2[12], m1 = 0, m2 = 0;
	for (int i = 0; i < 12; i++) {
		d1[i] = wb[i] - wa[i];
		d2[i] = wc[i] - wa[i];
		m1 += d1[i] / 12;
		m2 += d2[i] / 12;
	}
	double v1 = 0, v2 = 0;
	for (int i = 0; i < 12; i++) {
		v1 += (d1[i] - m1) * (d1[i] - m1) / 11;
		v2 += (d2[i] - m2) * (d2[i] - m2) / 11;
	}
	ck_assert_msg(v1 * 4 < v2, "variance of the difference: CRN %g, independent %g", v1, v2);
	/* And it estimates the exact difference: M/M/1 with arrival rate
	 * 0.5/s has Wq = 0.5 s^2 / (1 - 0.5 s): 0.2086 - 0.1667 s. */
	double exact = 0.5 * 0.55 * 0.55 / (1 - 0.5 * 0.55) - 0.5 * 0.5 * 0.5 / (1 - 0.5 * 0.5);
	ck_assert_double_eq_tol(m1, exact, 0.1 * exact);
	harness_done(&sa, &oa);
	harness_done(&sb, &ob);
	harness_done(&sc, &oc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sweep");
	TCase *tc = tcase_create("sweep:vary");
	tcase_add_test(tc, vary_lists_ranges_and_maps);
	tcase_add_test(tc, grid_first_vary_slowest);
	suite_add_tcase(s, tc);
	tc = tcase_create("sweep:require");
	tcase_add_test(tc, requirement_parse_errors_point_at_the_character);
	tcase_add_test(tc, requirements_judge_the_pessimistic_end);
	tcase_add_test(tc, drain_time_judges_the_tenants_queues);
	suite_add_tcase(s, tc);
	tc = tcase_create("sweep:crn");
	tcase_add_test(tc, common_random_numbers_sharpen_differences);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
