/* test_tenants.c - arrival processes and work factors, observed through a
 * station with infinite servers (so every arrival is counted and served at
 * once). Deterministic processes are checked exactly; Poisson-based ones
 * against their exact expected counts with a 95% interval. */
#define _GNU_SOURCE /* mkstemps */
#include <check.h>
#include <math.h>
#include <malloc.h>
#include <stdlib.h>
#include <unistd.h>

#include "tests/harness.h"

#include "models/registry.h"
#include "reports/summary.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define BASE "scenarios/mm1-rho0.5.yaml"

struct run {
	struct scenario scn;
	struct sim_outcome out;
};

/* The M/M/1 scenario turned into an infinite-server station with a 1 s
 * constant service, then the given overrides. */
static void run(struct run *r, const char *const *extra, size_t n_extra)
{
	const char *sets[16] = { "resources.desk.servers=infinite",
				 "resources.desk.service=1s", "warmup=0s" };
	size_t n = 3;
	for (size_t i = 0; i < n_extra; i++)
		sets[n++] = extra[i];
	harness_run(BASE, sets, n, &r->scn, &r->out);
}

static void done(struct run *r)
{
	harness_done(&r->scn, &r->out);
}

static const struct sim_metric *metric(const struct run *r, const char *name)
{
	const struct sim_metric *m = sim_results_find(&r->out.results, "desk", name);
	ck_assert(m != NULL);
	return m;
}

START_TEST(constant_rate_is_exact)
{
	/* 2/s for 100 s: arrivals at 0.5 s, 1 s, ..., 100 s. */
	const char *s[] = { "tenants.customers.arrivals={constant: {rate: 2/s}}",
			    "duration=100s", "replications=2" };
	struct run r;
	run(&r, s, 3);
	const struct sim_metric *a = metric(&r, "Arrivals");
	ck_assert_double_eq(a->values[0], 200);
	ck_assert_double_eq(a->values[1], 200);
	/* Those of 99.5 s and 100 s are still in their 1 s of service. */
	ck_assert_double_eq(metric(&r, "Completed")->values[0], 198);
	done(&r);
}
END_TEST

START_TEST(burst_spreads_count_evenly)
{
	/* 1000 messages over [10 s, 20 s): one every 10 ms; by 15 s exactly
	 * those with 10 + i/100 <= 15, i.e. i = 0..500. */
	const char *s[] = {
		"tenants.customers.arrivals={burst: {count: 1000, at: 10s, over: 10s}}",
		"duration=15s", "replications=2",
	};
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq(metric(&r, "Arrivals")->values[0], 501);
	done(&r);
	/* All at once, then nothing more. */
	const char *all[] = {
		"tenants.customers.arrivals={burst: {count: 1000, at: 10s}}",
		"duration=60s", "replications=2",
	};
	run(&r, all, 3);
	ck_assert_double_eq(metric(&r, "Arrivals")->values[0], 1000);
	ck_assert_double_eq(metric(&r, "SojournTime.max")->values[0], 1);
	ck_assert_double_eq(r.out.tenants[0].sent, 2000);
	done(&r);
}
END_TEST

START_TEST(work_factor_scales_service)
{
	const char *s[] = { "tenants.customers.work_factor=3", "duration=1000s",
			    "replications=2" };
	struct run r;
	run(&r, s, 3);
	ck_assert_double_eq_tol(metric(&r, "SojournTime")->values[0], 3, 1e-9);
	ck_assert_double_eq_tol(metric(&r, "SojournTime.max")->values[1], 3, 1e-9);
	done(&r);
}
END_TEST

/* Checks that the exact expected count lies in the 95% interval of the
 * simulated Arrivals and within tol of it. */
static void expect_count(const struct run *r, double exact, double tol)
{
	struct sim_ci ci;
	sim_metric_ci(metric(r, "Arrivals"), r->out.results.replications, &ci);
	ck_assert_msg(ci.low <= exact && exact <= ci.high &&
			      fabs(ci.mean - exact) <= tol * exact,
		      "arrivals %.1f [%.1f, %.1f], exact %.1f", ci.mean, ci.low,
		      ci.high, exact);
}

START_TEST(poisson_mean_count)
{
	const char *s[] = { "tenants.customers.arrivals={poisson: {rate: 20/s}}",
			    "duration=1000s", "replications=20" };
	struct run r;
	run(&r, s, 3);
	expect_count(&r, 20000, 0.01);
	done(&r);
}
END_TEST

START_TEST(schedule_follows_its_steps)
{
	/* Nothing for 100 s, then 10/s for 100 s, then 0, then 40/s. */
	const char *s[] = {
		"tenants.customers.arrivals={schedule: [{at: 100s, rate: 10/s}, {at: 200s, rate: 0/s}, {at: 300s, rate: 40/s}]}",
		"duration=400s", "replications=20",
	};
	struct run r;
	run(&r, s, 3);
	expect_count(&r, 1000 + 4000, 0.02);
	done(&r);
	const char *quiet[] = { s[0], "duration=100s", "replications=2" };
	run(&r, quiet, 3);
	ck_assert_double_eq(metric(&r, "Arrivals")->values[0], 0);
	done(&r);
	const char *pause[] = { s[0], "duration=300s", "warmup=200s", "replications=2" };
	run(&r, pause, 4);
	ck_assert_double_eq(metric(&r, "Arrivals")->values[0], 0);
	done(&r);
}
END_TEST

START_TEST(diurnal_integrates_its_rate)
{
	/* mean 10/s, amplitude 50%, period 1000 s, peak at 250 s. Over the
	 * first 500 s the expected count is 10*500 + 5 * 1000/pi. */
	const char *s[] = {
		"tenants.customers.arrivals={diurnal: {mean: 10/s, amplitude: 50%, peak_at: 250s, period: 1000s}}",
		"duration=500s", "replications=30",
	};
	struct run r;
	run(&r, s, 3);
	expect_count(&r, 5000 + 5 * 1000 / 3.14159265358979323846, 0.02);
	done(&r);
	/* A whole period averages to the mean. */
	const char *whole[] = { s[0], "duration=1000s", "replications=30" };
	run(&r, whole, 3);
	expect_count(&r, 10000, 0.02);
	done(&r);
}
END_TEST

/* 20,000 tenants that have sent nothing yet cost their instance and
 * streams, not a histogram each (their buckets come with their first
 * delivery): well under 24 KB a tenant once linked. */
START_TEST(many_tenants_cost_little_memory)
{
	enum { N = 20000 };
	char path[] = "/tmp/spillway-tenants-XXXXXX.yaml";
	int fd = mkstemps(path, 5);
	ck_assert(fd >= 0);
	FILE *f = fdopen(fd, "w");
	ck_assert(f != NULL);
	fputs("name: many\nduration: 10m\nreplications: 1\ntenants:\n", f);
	for (int i = 0; i < N; i++)
		fprintf(f, "  t%d:\n    target: desk\n    arrivals: {poisson: {rate: 1/h}}\n%s",
			i, i % 2 ? "    group: shared\n" : "");
	fputs("resources:\n  desk:\n    type: station\n    servers: 1\n"
	      "    service: {exponential: {mean: 1s}}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	struct diag d;
	diag_init(&d);
	struct scenario scn;
	ck_assert_int_eq(scenario_load(&scn, path, NULL, 0, &spillway_registry, &d), 0);
	struct mallinfo2 before = mallinfo2();
	struct sim_run run;
	ck_assert_int_eq(sim_run_open(&run, &scn, 0, &d), 0);
	struct mallinfo2 after = mallinfo2();
	double per = ((double)after.uordblks - (double)before.uordblks) / N;
	/* mallinfo2 counts glibc's heap (AddressSanitizer and valgrind have
	 * their own allocators and report nothing here). */
	ck_assert_msg(per < 24 * 1024, "%.0f bytes a tenant", per);
	sim_run_close(&run);
	scenario_finish(&scn);
	diag_finish(&d);
	unlink(path);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("tenants");
	TCase *det = tcase_create("tenants:deterministic");
	tcase_add_test(det, constant_rate_is_exact);
	tcase_add_test(det, burst_spreads_count_evenly);
	tcase_add_test(det, work_factor_scales_service);
	suite_add_tcase(s, det);
	TCase *mem = tcase_create("tenants:memory");
	tcase_add_test(mem, many_tenants_cost_little_memory);
	tcase_set_timeout(mem, 120);
	suite_add_tcase(s, mem);
	TCase *poi = tcase_create("tenants:poisson");
	tcase_add_test(poi, poisson_mean_count);
	tcase_add_test(poi, schedule_follows_its_steps);
	tcase_add_test(poi, diurnal_integrates_its_rate);
	suite_add_tcase(s, poi);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
