/* test_station.c - the station model against queueing theory.
 *
 * Each validation scenario in scenarios/ is run as shipped; its exact
 * values are computed here from the textbook formulas (Erlang C for M/M/c,
 * the birth-death solution for M/M/c/K, Pollaczek-Khinchine for M/D/1), not
 * copied from a run. Every simulated mean must be within 2% of the exact
 * value and the exact value inside the reported 95% interval; Little's law
 * L = lambda W must hold within 1% in every replication.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "tests/harness.h"

#include "models/registry.h"
#include "reports/summary.h"
#include "sim/run.h"
#include "sim/scenario.h"

struct exact {
	double wq;     /* mean wait in queue, s */
	double w;      /* mean time in system, s */
	double lq;     /* mean number waiting */
	double l;      /* mean number in system */
	double util;   /* busy servers / c */
	double pblock; /* blocking probability */
};

/* M/M/c via the Erlang B recursion (stable for large c). */
static struct exact mmc(int c, double lambda, double mu)
{
	double a = lambda / mu, rho = a / c, b = 1;
	for (int k = 1; k <= c; k++)
		b = a * b / (k + a * b);
	double erlang_c = b / (1 - rho * (1 - b));
	double wq = erlang_c / (c * mu - lambda);
	return (struct exact){ wq, wq + 1 / mu, lambda * wq,
			       lambda * (wq + 1 / mu), rho, 0 };
}

/* M/M/c/K from the stationary distribution of the birth-death chain. */
static struct exact mmck(int c, int k, double lambda, double mu)
{
	double a = lambda / mu, p[256], sum = 0, term = 1;
	ck_assert_int_lt(k, 256);
	for (int n = 0; n <= k; n++) {
		if (n > 0)
			term *= a / (n <= c ? n : c);
		p[n] = term;
		sum += term;
	}
	double l = 0, lq = 0, busy = 0;
	for (int n = 0; n <= k; n++) {
		p[n] /= sum;
		l += n * p[n];
		lq += (n > c ? n - c : 0) * p[n];
		busy += (n < c ? n : c) * p[n];
	}
	double accepted = lambda * (1 - p[k]);
	return (struct exact){ lq / accepted, l / accepted, lq, l, busy / c, p[k] };
}

/* M/D/1 (Pollaczek-Khinchine with zero service variance). */
static struct exact md1(double lambda, double d)
{
	double rho = lambda * d, wq = rho * d / (2 * (1 - rho));
	return (struct exact){ wq, wq + d, lambda * wq, lambda * (wq + d), rho, 0 };
}

struct run {
	struct scenario scn;
	struct sim_outcome out;
};

static void run_scenario(const char *path, struct run *r)
{
	harness_run(path, NULL, 0, &r->scn, &r->out);
}

static void finish_run(struct run *r)
{
	harness_done(&r->scn, &r->out);
}

/* Checks one metric: within tol of exact (relative) and exact inside the
 * 95% interval. */
static void check_metric(const struct run *r, const char *metric, double exact,
			 double tol)
{
	const struct sim_metric *m = sim_results_find(&r->out.results, "desk", metric);
	ck_assert_msg(m != NULL, "no metric %s", metric);
	struct sim_ci ci;
	sim_metric_ci(m, r->out.results.replications, &ci);
	double rel = fabs(ci.mean - exact) / exact;
	ck_assert_msg(rel <= tol,
		      "%s %s: simulated %.6g vs exact %.6g (%.2f%% off, limit %.1f%%)",
		      r->scn.name, metric, ci.mean, exact, 100 * rel, 100 * tol);
	ck_assert_msg(ci.low <= exact && exact <= ci.high,
		      "%s %s: exact %.6g outside the 95%% interval [%.6g, %.6g]",
		      r->scn.name, metric, exact, ci.low, ci.high);
}

/* Little's law, replication by replication: L = lambda_accepted * W and
 * Lq = lambda_accepted * Wq within 1%. */
static void check_little(const struct run *r)
{
	const struct sim_results *res = &r->out.results;
	const struct sim_metric *l = sim_results_find(res, "desk", "InSystem");
	const struct sim_metric *lq = sim_results_find(res, "desk", "QueueLength");
	const struct sim_metric *w = sim_results_find(res, "desk", "SojournTime");
	const struct sim_metric *wq = sim_results_find(res, "desk", "WaitTime");
	const struct sim_metric *lam = sim_results_find(res, "desk", "ArrivalRate");
	const struct sim_metric *pb = sim_results_find(res, "desk", "BlockingProbability");
	for (size_t i = 0; i < res->replications; i++) {
		double accepted = lam->values[i] * (1 - pb->values[i]);
		double rel = fabs(l->values[i] - accepted * w->values[i]) / l->values[i];
		ck_assert_msg(rel <= 0.01, "%s rep %zu: L %.6g vs lambda W %.6g",
			      r->scn.name, i, l->values[i], accepted * w->values[i]);
		rel = fabs(lq->values[i] - accepted * wq->values[i]) / lq->values[i];
		ck_assert_msg(rel <= 0.01, "%s rep %zu: Lq %.6g vs lambda Wq %.6g",
			      r->scn.name, i, lq->values[i], accepted * wq->values[i]);
	}
}

static void check_all(const char *path, struct exact e)
{
	struct run r;
	if (getenv("SPILLWAY_TEST_MEMCHECK")) {
		/* Under valgrind (meson test --setup valgrind): the same model
		 * paths over a horizon short enough for memcheck; the
		 * statistics are checked by the other builds. */
		const char *sets[] = { "replications=2", "duration=2000s", "warmup=100s" };
		harness_run(path, sets, 3, &r.scn, &r.out);
		check_little(&r);
		finish_run(&r);
		return;
	}
	run_scenario(path, &r);
	check_metric(&r, "WaitTime", e.wq, 0.02);
	check_metric(&r, "SojournTime", e.w, 0.02);
	check_metric(&r, "QueueLength", e.lq, 0.02);
	check_metric(&r, "InSystem", e.l, 0.02);
	check_metric(&r, "Utilization", e.util, 0.02);
	if (e.pblock > 0)
		check_metric(&r, "BlockingProbability", e.pblock, 0.02);
	check_little(&r);
	finish_run(&r);
}

START_TEST(mm1_rho_0_5)
{
	check_all("scenarios/mm1-rho0.5.yaml", mmc(1, 0.5, 1));
}
END_TEST

START_TEST(mm1_rho_0_9)
{
	check_all("scenarios/mm1-rho0.9.yaml", mmc(1, 0.9, 1));
}
END_TEST

START_TEST(mmc_c10_rho_0_8)
{
	check_all("scenarios/mmc-c10-rho0.8.yaml", mmc(10, 8, 1));
}
END_TEST

START_TEST(mmc_c100_rho_0_9)
{
	check_all("scenarios/mmc-c100-rho0.9.yaml", mmc(100, 90, 1));
}
END_TEST

START_TEST(mmck_c2_k5)
{
	check_all("scenarios/mmck-c2-k5.yaml", mmck(2, 5, 2, 1));
}
END_TEST

START_TEST(md1_rho_0_7)
{
	check_all("scenarios/md1-rho0.7.yaml", md1(0.7, 1));
}
END_TEST

/* The exact formulas themselves, on textbook values, so a wrong formula
 * here cannot make a wrong model pass. */
START_TEST(formulas_match_textbook_values)
{
	/* M/M/1: Wq = rho/(mu - lambda). */
	ck_assert_double_eq_tol(mmc(1, 0.9, 1).wq, 9.0, 1e-12);
	/* Erlang C(2, 1) = 1/3: Wq = (1/3)/(2 - 1). */
	ck_assert_double_eq_tol(mmc(2, 1, 1).wq, 1.0 / 3, 1e-12);
	/* M/M/1/1 is Erlang's loss system: B = a/(1+a). */
	ck_assert_double_eq_tol(mmck(1, 1, 2, 1).pblock, 2.0 / 3, 1e-12);
	/* M/M/2/5 at a = 2: p_n = 1/11, then 2/11 each. */
	ck_assert_double_eq_tol(mmck(2, 5, 2, 1).pblock, 2.0 / 11, 1e-12);
	ck_assert_double_eq_tol(mmck(2, 5, 2, 1).l, 30.0 / 11, 1e-12);
	/* M/D/1 waits half as long as M/M/1 at the same load. */
	ck_assert_double_eq_tol(md1(0.7, 1).wq, mmc(1, 0.7, 1).wq / 2, 1e-12);
}
END_TEST

/* Infinite servers: nobody waits and the mean number busy is lambda/mu
 * (M/G/inf, insensitive to the service distribution). */
START_TEST(infinite_servers_never_queue)
{
	struct run r;
	const char *sets[] = { "resources.desk.servers=infinite",
			       "resources.desk.service={gamma: {mean: 2s, cv: 0.5}}",
			       "tenants.customers.arrivals.poisson.rate=5/s",
			       "duration=20000s", "warmup=100s" };
	harness_run("scenarios/mm1-rho0.5.yaml", sets, 5, &r.scn, &r.out);
	const struct sim_metric *wq = sim_results_find(&r.out.results, "desk", "WaitTime");
	for (size_t i = 0; i < r.out.results.replications; i++)
		ck_assert_double_eq(wq->values[i], 0);
	const struct sim_metric *busy = sim_results_find(&r.out.results, "desk", "BusyServers");
	struct sim_ci ci;
	sim_metric_ci(busy, r.out.results.replications, &ci);
	ck_assert_msg(ci.low <= 10 && 10 <= ci.high && fabs(ci.mean - 10) < 0.2,
		      "busy %.4g [%.4g, %.4g], exact 10", ci.mean, ci.low, ci.high);
	finish_run(&r);
}
END_TEST

static Suite *suite(void)
{
	const struct {
		const char *name;
		const TTest *test;
	} cases[] = {
		{ "station:formulas", formulas_match_textbook_values },
		{ "station:mm1-rho0.5", mm1_rho_0_5 },
		{ "station:mm1-rho0.9", mm1_rho_0_9 },
		{ "station:mmc-c10-rho0.8", mmc_c10_rho_0_8 },
		{ "station:mmc-c100-rho0.9", mmc_c100_rho_0_9 },
		{ "station:mmck-c2-k5", mmck_c2_k5 },
		{ "station:md1-rho0.7", md1_rho_0_7 },
		{ "station:infinite", infinite_servers_never_queue },
	};
	Suite *s = suite_create("station");
	/* One case per scenario, so meson can run them in parallel
	 * (CK_RUN_CASE selects one). */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		TCase *tc = tcase_create(cases[i].name);
		tcase_set_timeout(tc, 1800);
		_tcase_add_test(tc, cases[i].test, 0, 0, 0, 1);
		suite_add_tcase(s, tc);
	}
	return s;
}

int main(void)
{
	return harness_main(suite());
}
