/* test_rng.c - random streams: one per (seed, replication, resource,
 * purpose), reproducible, distinct, and independent of what else the
 * scenario holds (adding a resource leaves another resource's draws and
 * results unchanged). */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include <gsl/gsl_rng.h>

#include "models/registry.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/scenario.h"

static void draws(gsl_rng *r, unsigned long *out, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
	gsl_rng_free(r);
}

START_TEST(same_coordinates_same_stream)
{
	unsigned long a[100], b[100];
	draws(sim_rng_stream(42, 3, "desk", "service"), a, 100);
	draws(sim_rng_stream(42, 3, "desk", "service"), b, 100);
	ck_assert(!memcmp(a, b, sizeof(a)));
}
END_TEST

START_TEST(each_coordinate_changes_the_stream)
{
	unsigned long base[50], other[50];
	draws(sim_rng_stream(42, 3, "desk", "service"), base, 50);
	struct {
		uint64_t seed;
		unsigned rep;
		const char *res, *purpose;
	} v[] = {
		{ 43, 3, "desk", "service" }, { 42, 4, "desk", "service" },
		{ 42, 3, "desk2", "service" }, { 42, 3, "desk", "arrivals" },
		/* Names are delimited: ("de","skservice") is not ("desk","service"). */
		{ 42, 3, "de", "skservice" },
	};
	for (size_t k = 0; k < sizeof(v) / sizeof(v[0]); k++) {
		draws(sim_rng_stream(v[k].seed, v[k].rep, v[k].res, v[k].purpose),
		      other, 50);
		size_t same = 0;
		for (size_t i = 0; i < 50; i++)
			same += other[i] == base[i];
		ck_assert_msg(same < 3, "variant %zu shares %zu of 50 draws", k, same);
	}
}
END_TEST

/* Streams of neighbouring replications look uncorrelated: the sample
 * correlation of 10^5 paired uniforms is within 4 standard errors of 0. */
START_TEST(neighbouring_streams_uncorrelated)
{
	gsl_rng *a = sim_rng_stream(1, 0, "desk", "service");
	gsl_rng *b = sim_rng_stream(1, 1, "desk", "service");
	const int n = 100000;
	double sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
	for (int i = 0; i < n; i++) {
		double x = gsl_rng_uniform(a), y = gsl_rng_uniform(b);
		sx += x, sy += y, sxy += x * y, sxx += x * x, syy += y * y;
	}
	double cov = sxy / n - (sx / n) * (sy / n);
	double r = cov / sqrt((sxx / n - (sx / n) * (sx / n)) *
			      (syy / n - (sy / n) * (sy / n)));
	ck_assert_double_lt(fabs(r), 4 / sqrt(n));
	gsl_rng_free(a);
	gsl_rng_free(b);
}
END_TEST

/* Runs scenarios/mm1-rho0.5.yaml shortened, with extra --set lines. */
static void run(const char *const *extra, size_t n_extra,
		struct sim_outcome *out, struct scenario *scn)
{
	const char *sets[8] = { "duration=2000s", "warmup=0s", "replications=3" };
	size_t n = 3;
	for (size_t i = 0; i < n_extra; i++)
		sets[n++] = extra[i];
	harness_run("scenarios/mm1-rho0.5.yaml", sets, n, scn, out);
}

/* Every desk metric of every replication, bit for bit. */
static bool desk_identical(const struct sim_outcome *a, const struct sim_outcome *b)
{
	size_t compared = 0;
	for (size_t i = 0; i < a->results.n; i++) {
		const struct sim_metric *m = &a->results.v[i];
		if (strcmp(m->resource, "desk"))
			continue;
		const struct sim_metric *o = sim_results_find(&b->results, "desk", m->metric);
		ck_assert(o != NULL);
		if (memcmp(m->values, o->values, a->results.replications * sizeof(double)))
			return false;
		compared++;
	}
	ck_assert_uint_ge(compared, 10);
	return true;
}

START_TEST(adding_a_resource_leaves_others_unchanged)
{
	struct scenario s1, s2, s3;
	struct sim_outcome o1, o2, o3;
	run(NULL, 0, &o1, &s1);
	const char *more[] = {
		"resources.annex={type: station, servers: 2, service: {exponential: {mean: 3s}}}",
		"tenants.batch={target: annex, arrivals: {poisson: {rate: 0.4/s}}}",
	};
	run(more, 2, &o2, &s2);
	ck_assert(desk_identical(&o1, &o2));
	/* The annex really ran. */
	const struct sim_metric *annex = sim_results_find(&o2.results, "annex", "Arrivals");
	ck_assert(annex && annex->values[0] > 0);
	/* Changing the annex's settings still leaves the desk alone. */
	const char *changed[] = { more[0], more[1], "resources.annex.servers=5" };
	run(changed, 3, &o3, &s3);
	ck_assert(desk_identical(&o1, &o3));
	harness_done(&s1, &o1);
	harness_done(&s2, &o2);
	harness_done(&s3, &o3);
}
END_TEST

START_TEST(same_seed_same_results_other_seed_differs)
{
	struct scenario s1, s2, s3;
	struct sim_outcome o1, o2, o3;
	run(NULL, 0, &o1, &s1);
	run(NULL, 0, &o2, &s2);
	ck_assert(desk_identical(&o1, &o2));
	const char *seed[] = { "seed=12345" };
	run(seed, 1, &o3, &s3);
	ck_assert(!desk_identical(&o1, &o3));
	/* Replications differ from one another. */
	const struct sim_metric *w = sim_results_find(&o1.results, "desk", "WaitTime");
	ck_assert(w->values[0] != w->values[1] && w->values[1] != w->values[2]);
	harness_done(&s1, &o1);
	harness_done(&s2, &o2);
	harness_done(&s3, &o3);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("rng");
	TCase *streams = tcase_create("rng:streams");
	tcase_add_test(streams, same_coordinates_same_stream);
	tcase_add_test(streams, each_coordinate_changes_the_stream);
	tcase_add_test(streams, neighbouring_streams_uncorrelated);
	suite_add_tcase(s, streams);
	TCase *ind = tcase_create("rng:independence");
	tcase_add_test(ind, adding_a_resource_leaves_others_unchanged);
	tcase_add_test(ind, same_seed_same_results_other_seed_differs);
	suite_add_tcase(s, ind);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
