/* test_scenario.c - loading scenarios: every broken fixture gives exactly
 * its expected messages (file:line:col and path), defaults are filled in and
 * written back, --set overrides reach any value, and the shipped scenarios
 * all load.
 *
 * Fixtures: tests/fixtures/bad/NAME.yaml with the expected stderr lines in
 * NAME.expect, written by hand (at least 100 of them: YAML syntax, types,
 * ranges of every resource type, unknown keys, dangling references, loops,
 * absurd magnitudes, binary junk). A directory or a missing file cannot be
 * a fixture (the loop reads *.yaml files), so they have tests of their own. The test runs from the source root, so the
 * paths in messages are relative to it.
 */
#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tests/harness.h"

#include "models/registry.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define BAD "tests/fixtures/bad"

/* Loads and links path as `spillway check` does; returns the diagnostics
 * as one string (caller frees) and the status in *rc. */
static char *load_messages(const char *path, const char *const *sets,
			   size_t n_sets, int *rc)
{
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	*rc = scenario_load(&scn, path, sets, n_sets, &spillway_registry, &d);
	if (*rc == 0) {
		struct sim_run_options opt = { .link_only = true };
		struct sim_outcome o;
		*rc = sim_run_scenario(&scn, &opt, &d, &o);
		sim_outcome_finish(&o);
		scenario_finish(&scn);
	}
	char *buf;
	size_t len;
	FILE *f = open_memstream(&buf, &len);
	diag_print(&d, f);
	fclose(f);
	diag_finish(&d);
	return buf;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	ck_assert_msg(f != NULL, "cannot open %s", path);
	char *buf = calloc(1, 1 << 16);
	size_t n = fread(buf, 1, (1 << 16) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

START_TEST(every_bad_fixture_gives_its_exact_messages)
{
	DIR *dir = opendir(BAD);
	ck_assert(dir != NULL);
	struct dirent *e;
	int checked = 0, mismatches = 0;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		char yaml[512], expect[512];
		snprintf(yaml, sizeof(yaml), BAD "/%s", e->d_name);
		snprintf(expect, sizeof(expect), BAD "/%.*s.expect",
			 (int)(len - 5), e->d_name);
		int rc;
		char *got = load_messages(yaml, NULL, 0, &rc);
		char *want = slurp(expect);
		/* Report every mismatch before failing, not just the first. */
		if (rc == 0 || strcmp(got, want)) {
			fprintf(stderr, "%s (rc %d):\n got: %s want: %s", yaml, rc,
				got, want);
			mismatches++;
		}
		free(got);
		free(want);
		checked++;
	}
	closedir(dir);
	ck_assert_int_eq(mismatches, 0);
	ck_assert_int_ge(checked, 100);
}
END_TEST

START_TEST(missing_file_is_reported)
{
	int rc;
	char *got = load_messages(BAD "/no-such-file.yaml", NULL, 0, &rc);
	ck_assert_int_ne(rc, 0);
	ck_assert_str_eq(got, BAD "/no-such-file.yaml: error: cannot open: No such file or directory\n");
	free(got);
}
END_TEST

/* fopen opens a directory; reading it fails (EISDIR), which libyaml
 * reported as a bare "input error". */
START_TEST(directory_is_reported)
{
	int rc;
	char *got = load_messages(BAD, NULL, 0, &rc);
	ck_assert_int_ne(rc, 0);
	ck_assert_str_eq(got, BAD ": error: is a directory; expected a YAML file\n");
	free(got);
}
END_TEST

/* A FIFO (or a device) is refused at once: opening a FIFO with no writer
 * blocked forever. */
START_TEST(fifo_is_refused)
{
	char dir[] = "/tmp/spillway-fifo-XXXXXX", path[64];
	ck_assert(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	int rc;
	alarm(20); /* the old code waits here forever */
	char *got = load_messages(path, NULL, 0, &rc);
	alarm(0);
	ck_assert_int_ne(rc, 0);
	char want[160];
	snprintf(want, sizeof(want), "%s: error: is a FIFO (pipe); expected a YAML file\n", path);
	ck_assert_str_eq(got, want);
	free(got);
	unlink(path);
	rmdir(dir);
}
END_TEST

/* Samples read from a file (relative to the scenario; comments, blank
 * lines, spaces and a trailing comma ignored): every service is 2 s. */
START_TEST(empirical_samples_are_read)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run("tests/fixtures/empirical.yaml", NULL, 0, &scn, &o);
	const struct sim_metric *m = sim_results_find(&o.results, "desk", "SojournTime");
	ck_assert(m != NULL);
	ck_assert_double_eq(m->values[0], 2.0);
	m = sim_results_find(&o.results, "desk", "SojournTime.max");
	ck_assert_double_eq(m->values[0], 2.0);
	harness_done(&scn, &o);
}
END_TEST

/* A path through a file that is not a directory. */
START_TEST(path_through_a_file_is_reported)
{
	int rc;
	char *got = load_messages(BAD "/empty.yaml/x.yaml", NULL, 0, &rc);
	ck_assert_int_ne(rc, 0);
	ck_assert_str_eq(got, BAD "/empty.yaml/x.yaml: error: cannot open: Not a directory\n");
	free(got);
}
END_TEST

START_TEST(set_reaches_nested_values_and_lists)
{
	struct diag d;
	struct scenario scn;
	const char *sets[] = {
		"resources.desk.servers=3",
		"tenants.customers.arrivals={schedule: [{at: 0s, rate: 1/s}, {at: 1h, rate: 2/s}]}",
		"tenants.customers.arrivals.schedule[1].rate=7/s",
		"seed=99",
	};
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, "scenarios/mm1-rho0.5.yaml", sets, 4,
				       &spillway_registry, &d), 0);
	ck_assert_int_eq(scn.seed, 99);
	const struct cfg_node *desk = cfg_get(cfg_get(scn.doc.root, "resources"), "desk");
	ck_assert_str_eq(cfg_get(desk, "servers")->value, "3");
	const struct cfg_node *sched = cfg_get(cfg_get(cfg_get(cfg_get(
		scn.doc.root, "tenants"), "customers"), "arrivals"), "schedule");
	ck_assert_int_eq(sched->n, 2);
	ck_assert_str_eq(cfg_get(sched->items[1], "rate")->value, "7/s");
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

START_TEST(set_errors_name_the_assignment)
{
	static const struct {
		const char *set;
		const char *msg;
	} cases[] = {
		{ "resources.desk.sevrers=2",
		  "--set: error: resources.desk: unknown key 'sevrers' (did you mean 'servers'?)\n" },
		{ "resources.desk.servers",
		  "--set: error: expected PATH=VALUE (e.g. resources.desk.servers=4), got 'resources.desk.servers'\n" },
		{ "resources..servers=2", "--set: error: malformed path 'resources..servers'\n" },
		{ "tenants.customers.arrivals.poisson.rate[3]=2/s",
		  "--set: error: tenants.customers.arrivals.poisson.rate[3]: index [3] is out of range (the list has 0 items)\n" },
		{ "duration=-5s", "--set: error: duration: must be greater than 0s, got '-5s'\n" },
		{ "resources.desk.servers={a: [1, 2}",
		  "--set: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;
		char *got = load_messages("scenarios/mm1-rho0.5.yaml", &cases[i].set, 1, &rc);
		ck_assert_int_ne(rc, 0);
		ck_assert_msg(!strcmp(got, cases[i].msg), "--set %s:\n got: %s want: %s",
			      cases[i].set, got, cases[i].msg);
		free(got);
	}
}
END_TEST

START_TEST(defaults_are_filled_and_marked)
{
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, "scenarios/md1-rho0.7.yaml", NULL, 0,
				       &spillway_registry, &d), 0);
	const struct cfg_node *root = scn.doc.root;
	/* Written in the file: not marked. */
	ck_assert(!cfg_get(root, "duration")->filled);
	/* Defaults: present in the tree, marked, with the documented value. */
	ck_assert(cfg_get(root, "region")->filled);
	ck_assert_str_eq(cfg_get(root, "region")->value, "us-east-1");
	const struct cfg_node *desk = cfg_get(cfg_get(root, "resources"), "desk");
	ck_assert(cfg_get(desk, "capacity")->filled);
	ck_assert_str_eq(cfg_get(desk, "capacity")->value, "none");
	const struct cfg_node *t = cfg_get(cfg_get(root, "tenants"), "customers");
	ck_assert_str_eq(cfg_get(t, "work_factor")->value, "1");
	ck_assert_str_eq(cfg_get(t, "message_size")->value, "1KB");
	/* Constant service parsed to exactly 1 s. */
	ck_assert_int_eq(scn.duration, 400000 * SIM_S);
	/* Resolved YAML round-trips: it loads again to the same values. */
	char path[] = "/tmp/spillway-resolved-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	ck_assert_int_eq(cfg_emit(f, root, "test"), 0);
	fclose(f);
	struct scenario again;
	ck_assert_int_eq(scenario_load(&again, path, NULL, 0, &spillway_registry, &d), 0);
	ck_assert_int_eq(again.duration, scn.duration);
	ck_assert_int_eq(again.seed, scn.seed);
	ck_assert_str_eq(again.name, scn.name);
	scenario_finish(&again);
	remove(path);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* Without name:, the file name without its extension, lower-cased, with
 * other characters turned into '-'. */
START_TEST(default_name_comes_from_the_file)
{
	char dir[] = "/tmp/spillway-name-XXXXXX";
	ck_assert(mkdtemp(dir) != NULL);
	char path[256];
	snprintf(path, sizeof(path), "%s/Load Test.v2.yaml", dir);
	FILE *f = fopen(path, "w");
	fputs("duration: 10s\nresources:\n  desk: {type: station, service: 1s}\n", f);
	fclose(f);
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, path, NULL, 0, &spillway_registry, &d), 0);
	ck_assert_str_eq(scn.name, "load-test.v2");
	ck_assert_uint_eq(scn.n_tenants, 0);
	scenario_finish(&scn);
	diag_finish(&d);
	remove(path);
	rmdir(dir);
}
END_TEST

START_TEST(shipped_scenarios_all_load)
{
	const char *dirs[] = { "scenarios", "bench" };
	int loaded = 0;
	for (size_t k = 0; k < 2; k++) {
		DIR *dir = opendir(dirs[k]);
		ck_assert(dir != NULL);
		struct dirent *e;
		while ((e = readdir(dir))) {
			size_t len = strlen(e->d_name);
			if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
				continue;
			char path[512];
			snprintf(path, sizeof(path), "%s/%s", dirs[k], e->d_name);
			int rc;
			char *got = load_messages(path, NULL, 0, &rc);
			ck_assert_msg(rc == 0 && !got[0], "%s: %s", path, got);
			free(got);
			loaded++;
		}
		closedir(dir);
	}
	ck_assert_int_ge(loaded, 7);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("scenario");
	TCase *bad = tcase_create("scenario:errors");
	tcase_add_test(bad, every_bad_fixture_gives_its_exact_messages);
	tcase_add_test(bad, missing_file_is_reported);
	tcase_add_test(bad, directory_is_reported);
	tcase_add_test(bad, fifo_is_refused);
	tcase_add_test(bad, empirical_samples_are_read);
	tcase_add_test(bad, path_through_a_file_is_reported);
	tcase_add_test(bad, set_errors_name_the_assignment);
	suite_add_tcase(s, bad);
	TCase *set = tcase_create("scenario:set");
	tcase_add_test(set, set_reaches_nested_values_and_lists);
	suite_add_tcase(s, set);
	TCase *def = tcase_create("scenario:defaults");
	tcase_add_test(def, defaults_are_filled_and_marked);
	tcase_add_test(def, default_name_comes_from_the_file);
	tcase_add_test(def, shipped_scenarios_all_load);
	suite_add_tcase(s, def);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
