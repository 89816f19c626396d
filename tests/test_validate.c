/* test_validate.c - `spillway validate` on the fixture cases of
 * tests/fixtures/validation: the rows it prints (exact, the fixture's
 * scenario is deterministic), exit 1 for a failing check, exit 2 with
 * FILE:LINE:COL for a malformed case and for a reference to a metric or
 * run that does not exist and for an override its scenario refuses,
 * --fast, --kind and --list, and a temporary directory
 * that is gone afterwards. */
#include <check.h>
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "tests/harness.h"

#define FIX SOURCE_DIR "/tests/fixtures/validation"

static char tmpdir[256];
static char out_text[16384];
static char err_text[8192];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spillway-validate-test-XXXXXX");
	ck_assert(mkdtemp(tmpdir) != NULL);
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs `spillway validate ARGS` with TMPDIR at the test's directory;
 * stdout in out_text, stderr in err_text; the exit status. */
static int validate(const char *args)
{
	char cmd[3000], outf[300], errf[300];
	snprintf(outf, sizeof(outf), "%s/stdout", tmpdir);
	snprintf(errf, sizeof(errf), "%s/stderr", tmpdir);
	snprintf(cmd, sizeof(cmd), "TMPDIR='%s' %s validate %s >%s 2>%s", tmpdir, SPILLWAY_BIN,
		 args, outf, errf);
	int st = system(cmd);
	harness_slurp(outf, out_text, sizeof(out_text));
	harness_slurp(errf, err_text, sizeof(err_text));
	remove(outf);
	remove(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Entries of tmpdir (the runs' temporary directory must be gone). */
static int entries(void)
{
	DIR *d = opendir(tmpdir);
	ck_assert(d != NULL);
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

START_TEST(csv_rows_are_the_checks)
{
	ck_assert_int_eq(validate("--cases " FIX "/ok --format csv -j 1"), 0);
	ck_assert_str_eq(out_text,
		"case,measurement,published,simulated,error_pct,difference,tolerance,verdict,evidence,kind,source\n"
		"alpha,utilization at 0.5 s,0.5,0.4995,-0.1,-0.0005,1%,PASS,independent,theory,https://example.org/alpha\n"
		"alpha,utilization ratio,1.6,1.6,0,0,0.01,PASS,input,theory,https://example.org/alpha\n"
		"alpha,utilization in percent,80,79.92,-0.1,-0.08,1%,PASS,independent,theory,https://example.org/alpha\n"
		"alpha,customers sent over the run,1000,1000,0,0,1%,PASS,independent,theory,https://example.org/alpha\n"
		"beta,no waiting with constant arrivals,0,0,,0,0.001,PASS,independent,measurement,\"a formula, not a URL\"\n");
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(table_and_summary)
{
	ck_assert_int_eq(validate("--cases " FIX "/ok -j 2"), 0);
	ck_assert_msg(strstr(out_text,
		"alpha  utilization ratio                           1.6           1.6     +0.0%      ±0.01  PASS     input\n"),
		"%s", out_text);
	ck_assert_msg(strstr(out_text,
		"beta   no waiting with constant arrivals             0             0        +0     ±0.001  PASS     independent\n"),
		"%s", out_text);
	/* alpha is theory: only beta's check counts as a real-platform one. */
	ck_assert_msg(strstr(out_text,
		"2 cases, 5 checks: 5 pass, 0 fail, 0 known gaps; independent real-platform checks: 1 of 1 pass; input-determined: 1; 3 runs in "),
		"%s", out_text);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(failing_check_exits_1)
{
	ck_assert_int_eq(validate(FIX "/fail/gamma.yaml"), 1);
	ck_assert_msg(strstr(out_text, "0.7        0.4995    -28.6%        10%  FAIL     independent\n"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, "0.5        0.4995     -0.1%         1%  PASS     independent\n"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, "1 case, 2 checks: 1 pass, 1 fail, 0 known gaps;"), "%s", out_text);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

/* A check with a stated gap that misses is GAP, counted apart, and the
 * run still succeeds; a gap that is met passes. */
START_TEST(known_gap_is_reported_not_failed)
{
	ck_assert_int_eq(validate(FIX "/gap/delta.yaml"), 0);
	ck_assert_msg(strstr(out_text, "0.7        0.4995    -28.6%        10%  GAP      independent\n"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, "0.5        0.4995     -0.1%         1%  PASS     independent\n"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, "1 case, 2 checks: 1 pass, 0 fail, 1 known gap;"), "%s", out_text);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

/* Each malformed reference, tolerance or run list is exit 2 with its
 * place and what was expected, before or after the runs. */
START_TEST(bad_references_exit_2_with_their_place)
{
	static const struct { const char *file, *error; } bad[] = {
		{ "factor.yaml", ":9:16: error: checks[0].simulated: expected a number after ' * ', got 'x'" },
		{ "no-metric.yaml", ":9:16: error: checks[0].simulated: expected RESOURCE.METRIC after 'base:', got 'desk'" },
		{ "no-run.yaml", ":9:16: error: checks[0].simulated: expected RUN:RESOURCE.METRIC, got 'desk.Utilization'" },
		{ "resource.yaml", ":9:16: error: checks[0].simulated: run 'base' has no resource named 'nobody'" },
		{ "run-name.yaml", ":5:5: error: runs.a:b: a run's name may hold neither ':' nor spaces" },
		{ "run-scalar.yaml", ":4:9: error: runs.base: expected a map {scenario, set, seed, replications}, got 'desk'" },
		{ "runs-list.yaml", ":3:7: error: runs: expected a map of run names to {scenario, set, seed, replications}, got a list" },
		{ "service.yaml", ":9:16: error: checks[0].simulated: run 'base' bills no service 'Nothing' (cost.csv)" },
		{ "set-item.yaml", ":6:11: error: runs.base: set[0]: expected \"PATH=VALUE\", got 'servers'" },
		{ "set-scalar.yaml", ":6:10: error: runs.base.set: expected a list of \"PATH=VALUE\", got 'resources.desk.servers=2'" },
		{ "tenant-field.yaml", ":9:16: error: checks[0].simulated: unknown tenant field 'waiting'; expected sent, delivered, rejected, failed, dead_lettered, expired or dwell_p50/p95/p99/max" },
		{ "tenant-form.yaml", ":9:16: error: checks[0].simulated: expected tenants.NAME.FIELD, got 'tenants.customers'" },
		{ "tenant-name.yaml", ":9:16: error: checks[0].simulated: run 'base' has no tenant named 'nobody'" },
		{ "top-list.yaml", ":1:1: error: expected a map of case settings (title, source, runs, checks) at the top level" },
		{ "no-runs.yaml", ":1:1: error: runs: missing: expected a map of run names to {scenario, set, seed, replications}" },
		{ "tolerance.yaml", ":10:16: error: checks[0].tolerance: expected N% (relative) or a number (absolute) not below 0, got '-3%'" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char args[512], want[1024];
		snprintf(args, sizeof(args), "-q %s/refs/%s", FIX, bad[i].file);
		snprintf(want, sizeof(want), "%s/refs/%s%s\n", FIX, bad[i].file, bad[i].error);
		int rc = validate(args);
		const char *nl = strchr(err_text, '\n');
		size_t len = nl ? (size_t)(nl - err_text) + 1 : strlen(err_text);
		if (rc != 2 || strlen(want) != len || strncmp(err_text, want, len))
			fail_add(&f, "%s: exit %d, stderr '%s'", bad[i].file, rc, err_text);
	}
	FAILS_CHECK(f);
}
END_TEST

/* --format md: a Markdown table linking each case to its source. */
START_TEST(markdown_rows_link_their_source)
{
	ck_assert_int_eq(validate("--cases " FIX "/ok --format md -j 1"), 0);
	ck_assert_msg(strstr(out_text,
		"| [alpha](https://example.org/alpha) | utilization ratio | 1.6 | 1.6 | +0.0% | ±0.01 | PASS | input |\n"),
		"%s", out_text);
	ck_assert_msg(strstr(out_text, "| case | measurement | published | simulated | error | tolerance | verdict | evidence |\n"),
		      "%s", out_text);
}
END_TEST

START_TEST(malformed_case_exits_2_with_its_place)
{
	ck_assert_int_eq(validate(FIX "/bad/malformed.yaml"), 2);
	ck_assert_str_eq(err_text, SOURCE_DIR "/tests/fixtures/validation/bad/malformed.yaml:8:16: "
			 "error: checks[0].published: expected a number, got 'half'\n");
	ck_assert_str_eq(out_text, "");
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(unknown_metric_exits_2_naming_case_and_check)
{
	ck_assert_int_eq(validate(FIX "/bad/unknown-metric.yaml"), 2);
	ck_assert_msg(strstr(err_text, "/tests/fixtures/validation/bad/unknown-metric.yaml:9:16: "
			     "error: checks[0].simulated: 'desk' reports no metric 'Utilisation' (run 'base')\n"),
		      "%s", err_text);
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(unknown_run_exits_2_before_running)
{
	ck_assert_int_eq(validate(FIX "/bad/unknown-run.yaml"), 2);
	ck_assert_msg(strstr(err_text, "/tests/fixtures/validation/bad/unknown-run.yaml:9:16: "
			     "error: checks[0].simulated: no run named 'bsae' (runs: base)\n"),
		      "%s", err_text);
	ck_assert_str_eq(out_text, "");
}
END_TEST

START_TEST(refused_override_exits_2_naming_the_run)
{
	ck_assert_int_eq(validate(FIX "/bad/bad-set.yaml"), 2);
	ck_assert_msg(strstr(err_text, "--set: error: resources.desk: unknown key 'servrs' (did you mean 'servers'?)\n"),
		      "%s", err_text);
	ck_assert_msg(strstr(err_text, "/tests/fixtures/validation/bad/bad-set.yaml:5:5: error: runs.base: the scenario "),
		      "%s", err_text);
	ck_assert_str_eq(out_text, "");
	ck_assert_int_eq(entries(), 0);
}
END_TEST

START_TEST(fast_keeps_the_fast_cases)
{
	ck_assert_int_eq(validate("--cases " FIX "/ok --fast --format csv"), 0);
	ck_assert_msg(strstr(out_text, "\nalpha,") && !strstr(out_text, "\nbeta,"), "%s", out_text);
	ck_assert_int_eq(validate("--cases " FIX "/ok --list"), 0);
	ck_assert_msg(strstr(out_text, "alpha ") && strstr(out_text, "beta "), "%s", out_text);
	ck_assert_int_eq(validate("--cases " FIX "/ok --list --fast"), 0);
	ck_assert_msg(strstr(out_text, "alpha ") && !strstr(out_text, "beta "), "%s", out_text);
	ck_assert_msg(strstr(out_text, "fast theory       2 runs   3 replications  4 checks  fixture, a passing fast case\n"),
		      "%s", out_text);
	ck_assert_int_eq(validate("--cases " FIX "/ok --list --kind measurement"), 0);
	ck_assert_msg(!strstr(out_text, "alpha ") && strstr(out_text, "beta "), "%s", out_text);
	ck_assert_int_eq(validate("--cases " FIX "/ok --list --kind theory"), 0);
	ck_assert_msg(strstr(out_text, "alpha ") && !strstr(out_text, "beta "), "%s", out_text);
	ck_assert_int_eq(validate("--kind platform"), 2);
}
END_TEST

START_TEST(bad_usage_exits_2)
{
	ck_assert_int_eq(validate("--cases " FIX "/ok nosuch"), 2);
	ck_assert_msg(strstr(err_text, "no case named 'nosuch'"), "%s", err_text);
	ck_assert_int_eq(validate("--format xml"), 2);
	ck_assert_int_eq(validate("--jobs 0"), 2);
	ck_assert_int_eq(validate("--help"), 0);
	ck_assert_msg(strstr(out_text, "Usage: spillway validate"), "%s", out_text);
	ck_assert_int_eq(validate("--jobs"), 2);
	/* A directory without cases, and one that does not exist. */
	char args[400];
	snprintf(args, sizeof(args), "--cases %s", tmpdir);
	ck_assert_int_eq(validate(args), 2);
	ck_assert_msg(strstr(err_text, "spillway validate: no validation cases found (no *.yaml in "),
		      "%s", err_text);
	ck_assert_int_eq(validate("--cases " FIX "/nosuchdir"), 2);
	ck_assert_msg(strstr(err_text, "/nosuchdir: No such file or directory"), "%s", err_text);
}
END_TEST

/* window_cost and monthly_cost: the service's cost over the run, and
 * scaled to 730 hours (exactly 26,280 times a 100 s run's). */
START_TEST(cost_references_read_cost_csv)
{
	ck_assert_int_eq(validate("-q --format csv " FIX "/costs/queue-cost.yaml"), 0);
	ck_assert_msg(strstr(out_text, "queue-cost,\"the queue's cost over the run, in cents\",0.04,0.04,"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, "queue-cost,a month (730 h) of it against the run (100 s),26280,26280,"),
		      "%s", out_text);
	ck_assert_msg(strstr(out_text, ",0.01%,PASS,input,measurement,https://example.org/costs\n"),
		      "%s", out_text);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("validate");
	TCase *rows = tcase_create("rows");
	tcase_add_checked_fixture(rows, setup, teardown);
	tcase_set_timeout(rows, 120);
	tcase_add_test(rows, csv_rows_are_the_checks);
	tcase_add_test(rows, table_and_summary);
	tcase_add_test(rows, failing_check_exits_1);
	tcase_add_test(rows, known_gap_is_reported_not_failed);
	tcase_add_test(rows, markdown_rows_link_their_source);
	tcase_add_test(rows, cost_references_read_cost_csv);
	suite_add_tcase(s, rows);
	TCase *input = tcase_create("input");
	tcase_add_checked_fixture(input, setup, teardown);
	tcase_set_timeout(input, 120);
	tcase_add_test(input, malformed_case_exits_2_with_its_place);
	tcase_add_test(input, unknown_metric_exits_2_naming_case_and_check);
	tcase_add_test(input, unknown_run_exits_2_before_running);
	tcase_add_test(input, refused_override_exits_2_naming_the_run);
	tcase_add_test(input, bad_usage_exits_2);
	tcase_add_test(input, bad_references_exit_2_with_their_place);
	suite_add_tcase(s, input);
	TCase *sel = tcase_create("select");
	tcase_add_checked_fixture(sel, setup, teardown);
	tcase_set_timeout(sel, 120);
	tcase_add_test(sel, fast_keeps_the_fast_cases);
	suite_add_tcase(s, sel);
	return harness_main(s);
}
