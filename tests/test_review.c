/* test_review.c - every review rule on tests/fixtures/review.yaml: the
 * healthy fixture triggers none, one --set per rule triggers it, and
 * settings at the rule's boundary do not. The evidence rules judge a real
 * run of the variant. */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include "models/registry.h"
#include "reports/pricing.h"
#include "reports/review.h"
#include "sim/results.h"

#define FIXTURE "tests/fixtures/review.yaml"

/* A point's results as the files would give them, from an outcome. */
static void to_point(const struct sim_outcome *o, const struct scenario *scn,
		     struct point_result *pr)
{
	*pr = (struct point_result){ .cost = NAN };
	pr->m = calloc(o->results.n + 1, sizeof(*pr->m));
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		pr->m[pr->n++] = (struct pr_metric){
			.resource = m->resource, .metric = m->metric,
			.mean = ci.mean, .low = ci.low, .high = ci.high,
		};
	}
	pr->t = calloc(o->n_tenants + 1, sizeof(*pr->t));
	double reps = (double)o->results.replications;
	for (size_t t = 0; t < o->n_tenants; t++)
		pr->t[pr->nt++] = (struct pr_tenant){
			.name = (char *)scn->tenants[t].name,
			.sent = (double)o->tenants[t].sent / reps,
			.dead_lettered = (double)o->tenants[t].dead_lettered / reps,
		};
}

/* The rule IDs found on the fixture with sets, space-separated; with
 * fixes, the findings' fixes (one per line, owned by the caller). */
static void found_ids_fixes(const char *const *sets, size_t n, char *ids, size_t size,
			    char **fixes)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, n, &scn, &o);
	struct point_result pr;
	to_point(&o, &scn, &pr);
	struct diag d;
	struct pricing p;
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "reports/pricing/us-east-1.yaml", &d), 0);
	struct findings f = { 0 };
	review_static(&scn, &f);
	review_evidence(&scn, &pr, &p, &f);
	ids[0] = '\0';
	size_t len = 0;
	if (fixes)
		*fixes = calloc(1, 1);
	for (size_t i = 0; i < f.n; i++) {
		strncat(ids, " ", size - strlen(ids) - 1);
		strncat(ids, f.v[i].rule->id, size - strlen(ids) - 1);
		if (fixes && f.v[i].fix) {
			size_t add = strlen(f.v[i].fix) + 1;
			*fixes = realloc(*fixes, len + add + 1);
			memcpy(*fixes + len, f.v[i].fix, add - 1);
			(*fixes)[len + add - 1] = '\n';
			len += add;
			(*fixes)[len] = '\0';
		}
	}
	findings_free(&f);
	free(pr.m);
	free(pr.t);
	pricing_finish(&p);
	diag_finish(&d);
	harness_done(&scn, &o);
}

static void found_ids(const char *const *sets, size_t n, char *ids, size_t size)
{
	found_ids_fixes(sets, n, ids, size, NULL);
}

START_TEST(healthy_fixture_has_no_findings)
{
	char ids[256];
	found_ids(NULL, 0, ids, sizeof(ids));
	ck_assert_str_eq(ids, "");
}
END_TEST

static const struct {
	const char *rule;
	const char *sets[7];
	bool fires;
} cases[] = {
	{ "SQS1", { "resources.fn.event_sources[0].queue=bare" }, true },
	{ "SQS2", { "resources.jobs.visibility_timeout=20s" }, true },
	{ "SQS2", { "resources.jobs.visibility_timeout=30s" }, false }, /* = 6 x 5s */
	{ "ESM1", { "resources.fn.event_sources[0].maximum_concurrency=none",
		    "resources.fn.reserved_concurrency=none",
		    "resources.table.write_capacity=1" }, true },
	{ "LAM1", { "resources.fn.reserved_concurrency=5" }, true },
	{ "LAM1", { "resources.fn.reserved_concurrency=10" }, false },
	/* A reservation just at the mappings' maximum, short invocations and
	 * a backlog: the late release of the slots (release_lag) throttles. */
	{ "LAM1", { "resources.fn.reserved_concurrency=10",
		    "tenants.app.arrivals={poisson: {rate: 2000/s}}",
		    "resources.fn.event_sources[0].batch_size=1",
		    "resources.fn.duration.per_message={lognormal: {median: 20ms, p99: 30ms}}",
		    "resources.table.write_capacity=40000" }, true },
	/* The same without the lag: no throttles, no finding. */
	{ "LAM1", { "resources.fn.reserved_concurrency=10",
		    "tenants.app.arrivals={poisson: {rate: 2000/s}}",
		    "resources.fn.event_sources[0].batch_size=1",
		    "resources.fn.duration.per_message={lognormal: {median: 20ms, p99: 30ms}}",
		    "resources.table.write_capacity=40000", "resources.fn.release_lag=0s" }, false },
	/* The account has room for 50 more (150 less 100 kept unreserved). */
	{ "LAM1", { "resources.acct={type: account, concurrency_limit: 150}",
		    "resources.fn.account=acct", "resources.fn.reserved_concurrency=5",
		    "resources.fn.event_sources[0].maximum_concurrency=100" }, true },
	{ "LAM1", { "resources.acct={type: account, concurrency_limit: 100}",
		    "resources.fn.account=acct", "resources.fn.reserved_concurrency=0",
		    "resources.fn.event_sources[0].maximum_concurrency=100" }, true },
	{ "SQS4", { "resources.jobs.dead_letter.max_receive_count=3" }, true },
	{ "SQS4", { "resources.jobs.dead_letter.max_receive_count=5" }, false },
	{ "SQS5", { "tenants.app.failure_rate=100%" }, true },
	{ "SQS6", { "resources.jobs.message_retention=1m",
		    "resources.fn.event_sources[0].maximum_concurrency=2",
		    "resources.fn.duration.per_message=200ms" }, true },
	{ "DDB1", { "resources.table.write_capacity=1" }, true },
	{ "LAM2", { "resources.acct={type: account, concurrency_limit: 100}",
		    "resources.fn.account=acct",
		    "resources.fn.reserved_concurrency=none",
		    "resources.fn.event_sources[0].maximum_concurrency=none",
		    "resources.fn.event_sources[0].batch_size=1",
		    "tenants.app.arrivals={poisson: {rate: 200/s}}",
		    "resources.fn.duration.per_message=1s" }, true },
	{ "NET1", { "resources.fn.calls[1].target=nat" }, true },
	/* No VPC endpoint reaches the internet. */
	{ "NET1", { "resources.fn.calls[1].target=nat", "resources.nat.internet=true" }, false },
	{ "SQS7", { "tenants.app.message_size=250KB" }, true },
	{ "SQS7", { "tenants.app.message_size=200KB" }, false },
	{ "ESM2", { "resources.fn.event_sources[0].maximum_batching_window=0s" }, true },
	/* A FIFO queue's mapping takes no batching window. */
	{ "ESM2", { "resources.fn.event_sources[0].maximum_batching_window=0s",
		    "resources.jobs.fifo=true", "resources.jobs-dlq.fifo=true" }, false },
	{ "RTY1", { "resources.api.outages=[{at: 1m, for: 3m}]" }, true },
	{ "RTY1", { "resources.api.outages=[{at: 1m, for: 2m}]" }, false }, /* = 5 x 30s */
	{ "RTY1", { "resources.api.outages=[{at: 1m, for: 3m}]",
		    "resources.fn.event_sources[0].on_failure={dead_letter: jobs-dlq}" }, false },
	{ "SQS8", { "resources.api.outages=[{at: 1m, for: 3m}]",
		    "resources.jobs.message_retention=2m" }, true },
	{ "SQS8", { "resources.api.outages=[{at: 1m, for: 3m}]",
		    "resources.jobs.message_retention=3m" }, false },
	{ "EVB1", { "resources.bus={type: event_bus, rules: [{target: jobs}]}" }, true },
	{ "EVB1", { "resources.bus={type: event_bus, rules: [{target: jobs, dead_letter: jobs-dlq}]}" },
	  false },
	{ "SFN1", { "resources.sm={type: state_machine, execution_time: 1s}" }, true },
	{ "SFN1", { "resources.sm={type: state_machine, execution_time: 1s, failure_queue: jobs-dlq}" },
	  false },
};

START_TEST(each_rule_fires_on_its_case)
{
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = 0;
		while (n < 7 && cases[i].sets[n])
			n++;
		char ids[256], want[16];
		found_ids(cases[i].sets, n, ids, sizeof(ids));
		snprintf(want, sizeof(want), " %s", cases[i].rule);
		char *at = strstr(ids, want);
		bool fired = at && (at[strlen(want)] == ' ' || !at[strlen(want)]);
		if (fired != cases[i].fires)
			fail_add(&f, "%s (%s): found '%s'", cases[i].rule, cases[i].sets[0], ids);
	}
	FAILS_CHECK(f);
}
END_TEST

/* Every fix a rule offers is valid input: the scenario with the fix on top
 * loads and links (a fix that did not made its what-if fail). */
START_TEST(every_fix_is_valid_input)
{
	struct fails f = { 0 };
	size_t checked = 0;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *sets[8];
		size_t n = 0;
		while (n < 7 && cases[i].sets[n]) {
			sets[n] = cases[i].sets[n];
			n++;
		}
		char ids[256], *fixes;
		found_ids_fixes(sets, n, ids, sizeof(ids), &fixes);
		for (char *fix = strtok(fixes, "\n"); fix; fix = strtok(NULL, "\n")) {
			sets[n] = fix;
			struct scenario scn;
			struct diag d;
			diag_init(&d);
			int rc = scenario_load(&scn, FIXTURE, sets, n + 1, &spillway_registry, &d);
			if (rc == 0) {
				struct sim_run_options opt = { .link_only = true };
				struct sim_outcome o;
				rc = sim_run_scenario(&scn, &opt, &d, &o);
				sim_outcome_finish(&o);
				scenario_finish(&scn);
			}
			if (rc)
				fail_add(&f, "%s (%s): the fix '%s' is refused: %s", cases[i].rule,
					 cases[i].sets[0], fix, d.n ? d.v[0].text : "?");
			checked++;
			diag_finish(&d);
		}
		free(fixes);
	}
	ck_assert_uint_ge(checked, 8);
	FAILS_CHECK(f);
}
END_TEST

/* SQS3 (function timeout over the visibility timeout) is enforced when the
 * scenario loads: AWS rejects such a mapping. */
START_TEST(function_timeout_over_visibility_is_refused)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	const char *sets[] = { "resources.jobs.visibility_timeout=4s" };
	ck_assert_int_eq(scenario_load(&scn, FIXTURE, sets, 1, &spillway_registry, &d), 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome o;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &o), SIM_RUN_LINK_ERROR);
	ck_assert_uint_eq(d.n, 1);
	ck_assert_msg(strstr(d.v[0].text, "the function timeout (5s) is longer than the visibility timeout of 'jobs' (4s); AWS rejects this mapping"),
		      "%s", d.v[0].text);
	sim_outcome_finish(&o);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

START_TEST(every_rule_is_documented)
{
	for (size_t i = 0; i < review_n_rules; i++) {
		const struct rule *r = &review_rules[i];
		ck_assert(r->id && *r->id && r->title && *r->title);
		ck_assert(r->rationale && strlen(r->rationale) > 20);
		ck_assert(r->source && *r->source);
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("review");
	TCase *tc = tcase_create("review:rules");
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, healthy_fixture_has_no_findings);
	tcase_add_test(tc, each_rule_fires_on_its_case);
	tcase_add_test(tc, every_fix_is_valid_input);
	tcase_add_test(tc, function_timeout_over_visibility_is_refused);
	tcase_add_test(tc, every_rule_is_documented);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
