/* test_cli.c - the spillway command as a user runs it: byte-identical
 * outputs for the same seed, exit status 2 with a one-line file:line:col
 * message on bad input and nothing written (and every broken fixture in
 * tests/fixtures/bad with exactly its .expect lines), an earlier output
 * left intact by a failed run, and the help texts. */
#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

static char tmpdir[256];
static char err_text[8192];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spillway-cli-XXXXXX");
	ck_assert(mkdtemp(tmpdir) != NULL);
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs `spillway ARGS` (ARGS already shell-quoted), keeps stderr in
 * err_text, returns the exit status. */
static int spillway(const char *args)
{
	char cmd[3000], errf[300];
	snprintf(errf, sizeof(errf), "%s/stderr", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s %s >/dev/null 2>%s", SPILLWAY_BIN, args, errf);
	int st = system(cmd);
	FILE *f = fopen(errf, "r");
	size_t n = f ? fread(err_text, 1, sizeof(err_text) - 1, f) : 0;
	err_text[n] = '\0';
	if (f)
		fclose(f);
	remove(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* cmp -s of two files. */
static bool same_file(const char *a, const char *b)
{
	char cmd[2100];
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	return system(cmd) == 0;
}

static const char *const files[] = { "scenario.resolved.yaml", "timeseries.csv",
				     "summary.csv", "summary.json",
				     "tenants.csv", "manifest.json" };

#define SHORT "scenarios/mmc-c10-rho0.8.yaml --set duration=3000s --set warmup=100s"

START_TEST(same_seed_gives_identical_files)
{
	char args[1024], a[512], b[512];
	snprintf(args, sizeof(args), "run " SHORT " -q -o %s/a", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(args, sizeof(args), "run " SHORT " -q -o %s/b", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(args, sizeof(args), "run " SHORT " -q --seed 777 -o %s/c", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(a, sizeof(a), "%s/a/%s", tmpdir, files[i]);
		snprintf(b, sizeof(b), "%s/b/%s", tmpdir, files[i]);
		ck_assert_msg(same_file(a, b), "%s differs between two runs", files[i]);
	}
	/* Another seed: different numbers (and a different resolved seed). */
	static const char *const differ[] = { "timeseries.csv", "summary.csv",
					      "tenants.csv", "scenario.resolved.yaml" };
	for (size_t i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "%s/a/%s", tmpdir, differ[i]);
		snprintf(b, sizeof(b), "%s/c/%s", tmpdir, differ[i]);
		ck_assert_msg(!same_file(a, b), "%s same under another seed", differ[i]);
	}
}
END_TEST

START_TEST(run_subcommand_is_needed)
{
	ck_assert_int_eq(spillway("scenarios/mm1-rho0.5.yaml"), 2);
	ck_assert_str_eq(err_text,
			 "spillway: unknown command 'scenarios/mm1-rho0.5.yaml' (see spillway --help)\n");
}
END_TEST

/* Each bad input: status 2, exactly one line naming file:line:col, and no
 * output directory. */
START_TEST(bad_input_exits_2_and_writes_nothing)
{
	static const struct {
		const char *args;
		const char *line;
	} cases[] = {
		{ "tests/fixtures/bad/misspelt-key.yaml",
		  "tests/fixtures/bad/misspelt-key.yaml:7:5: error: resources.desk: unknown key 'sevrers' (did you mean 'servers'?)\n" },
		{ "tests/fixtures/bad/negative-rate.yaml",
		  "tests/fixtures/bad/negative-rate.yaml:6:23: error: tenants.web.arrivals.poisson.rate: must be greater than 0/s, got '-5/s'\n" },
		{ "tests/fixtures/bad/missing-unit.yaml",
		  "tests/fixtures/bad/missing-unit.yaml:1:11: error: duration: expected a duration with a unit (ns, us, ms, s, m, h, d), e.g. 250ms or 1.5s, got '3600'\n" },
		{ "tests/fixtures/bad/yaml-syntax.yaml",
		  "tests/fixtures/bad/yaml-syntax.yaml:4:1: error: YAML syntax error: did not find expected ',' or '}' while parsing a flow mapping that starts at line 3, column 8\n" },
		{ "tests/fixtures/bad/does-not-exist.yaml",
		  "tests/fixtures/bad/does-not-exist.yaml: error: cannot open: No such file or directory\n" },
		{ "scenarios/mm1-rho0.5.yaml --set resources.desk.servers=-1",
		  "--set: error: resources.desk.servers: must be between 1 and 10000000, got '-1'\n" },
		{ "scenarios/mm1-rho0.5.yaml --seed x",
		  "spillway: --seed: expected a whole number from 0 to 9007199254740992, got 'x'\n" },
		{ "scenarios/mm1-rho0.5.yaml --set pricing=../tests/fixtures/pricing/missing-price.yaml",
		  "scenarios/../tests/fixtures/pricing/missing-price.yaml:6:5: error: prices.lambda.requests: missing required key 'usd'\n" },
		{ "scenarios/mm1-rho0.5.yaml --frobnicate",
		  "spillway run: unknown option '--frobnicate' (see spillway run --help)\n" },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[1024], out[512];
		snprintf(out, sizeof(out), "%s/out%zu", tmpdir, i);
		snprintf(args, sizeof(args), "run %s -o %s", cases[i].args, out);
		ck_assert_int_eq(spillway(args), 2);
		ck_assert_msg(!strcmp(err_text, cases[i].line), "%s:\n got: %s want: %s",
			      cases[i].args, err_text, cases[i].line);
		ck_assert_msg(!exists(out), "%s: output directory was created", cases[i].args);
		/* check reports the same, with the same status. */
		if (strstr(cases[i].args, "--seed") || strstr(cases[i].args, "--frob"))
			continue;
		snprintf(args, sizeof(args), "check %s", cases[i].args);
		ck_assert_int_eq(spillway(args), 2);
		ck_assert_str_eq(err_text, cases[i].line);
	}
}
END_TEST

/* Reads a whole file into a malloc'd string ("" when it cannot). */
static char *read_all(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	char chunk[4096];
	size_t n;
	while (f && (n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		fwrite(chunk, 1, n, m);
	fclose(m);
	if (f)
		fclose(f);
	return buf;
}

/* Every broken fixture through the command: `spillway check` exits 2,
 * prints nothing on stdout, on stderr exactly the .expect lines and, with
 * more than one error, the summary line; and writes nothing. It runs in an
 * empty directory whose `tests` links to the source's, so the messages
 * name the same relative paths as the .expect files. */
START_TEST(every_bad_fixture_exits_2_with_its_messages)
{
	char work[512], link[600], cmd[4096], path[600];
	snprintf(work, sizeof(work), "%s/cwd", tmpdir);
	ck_assert_int_eq(mkdir(work, 0777), 0);
	snprintf(link, sizeof(link), "%s/tests", work);
	ck_assert_int_eq(symlink(SOURCE_DIR "/tests", link), 0);
	/* Four at a time (each is a process start, slow under the
	 * sanitizers); NAME.yaml leaves NAME.out, NAME.err and NAME.rc in
	 * tmpdir. */
	snprintf(cmd, sizeof(cmd),
		 "cd '%s' && ls tests/fixtures/bad | grep '[.]yaml$' | "
		 "xargs -P 4 -I '{}' sh -c '%s check \"tests/fixtures/bad/$1\" "
		 ">\"$2/$1.out\" 2>\"$2/$1.err\"; echo $? >\"$2/$1.rc\"' sh '{}' '%s'",
		 work, SPILLWAY_BIN, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	DIR *dir = opendir(SOURCE_DIR "/tests/fixtures/bad");
	ck_assert(dir != NULL);
	struct dirent *e;
	int checked = 0, mismatches = 0;
	while ((e = readdir(dir))) {
		size_t len = strlen(e->d_name);
		if (len < 6 || strcmp(e->d_name + len - 5, ".yaml"))
			continue;
		snprintf(path, sizeof(path), "%s/%s.rc", tmpdir, e->d_name);
		char *status = read_all(path);
		int rc = status[0] ? atoi(status) : -1;
		free(status);
		snprintf(path, sizeof(path), SOURCE_DIR "/tests/fixtures/bad/%.*s.expect",
			 (int)(len - 5), e->d_name);
		char *expect = read_all(path);
		int lines = 0;
		for (const char *p = expect; *p; p++)
			lines += *p == '\n';
		char *want = NULL;
		size_t want_len = 0;
		FILE *w = open_memstream(&want, &want_len);
		fputs(expect, w);
		if (lines > 1)
			fprintf(w, "spillway: %d errors in tests/fixtures/bad/%s\n", lines,
				e->d_name);
		fclose(w);
		snprintf(path, sizeof(path), "%s/%s.err", tmpdir, e->d_name);
		char *err = read_all(path);
		snprintf(path, sizeof(path), "%s/%s.out", tmpdir, e->d_name);
		char *out = read_all(path);
		/* Report every mismatch before failing, not just the first. */
		if (rc != 2 || strcmp(err, want) || out[0] || lines == 0) {
			fprintf(stderr, "%s: status %d\n got: %s%s want: %s", e->d_name, rc,
				out, err, want);
			mismatches++;
		}
		free(expect);
		free(want);
		free(err);
		free(out);
		checked++;
	}
	closedir(dir);
	ck_assert_int_eq(mismatches, 0);
	ck_assert_int_ge(checked, 100);
	/* Nothing written where it ran: only the link is there. */
	snprintf(cmd, sizeof(cmd), "test \"$(ls -A '%s')\" = tests", work);
	ck_assert_msg(system(cmd) == 0, "spillway check wrote into its directory");
}
END_TEST

START_TEST(failed_run_leaves_previous_output_alone)
{
	char args[1024], path[512];
	snprintf(args, sizeof(args), "run " SHORT " -q -o %s/keep", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/keep/summary.csv", tmpdir);
	ck_assert(exists(path));
	snprintf(args, sizeof(args), "run tests/fixtures/bad/misspelt-key.yaml -q -o %s/keep", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert(exists(path));
	/* A second good run replaces it; no temporary directories are left. */
	snprintf(args, sizeof(args), "run " SHORT " -q --seed 5 -o %s/keep", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "test $(ls '%s' | wc -l) -eq 1", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(refuses_to_replace_a_foreign_directory)
{
	char args[1024], path[512];
	snprintf(path, sizeof(path), "%s/mine", tmpdir);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(path, sizeof(path), "%s/mine/notes.txt", tmpdir);
	FILE *f = fopen(path, "w");
	fputs("precious\n", f);
	fclose(f);
	snprintf(args, sizeof(args), "run " SHORT " -q -o %s/mine", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert(strstr(err_text, "is not a spillway output directory") != NULL);
	ck_assert(exists(path));
}
END_TEST

START_TEST(help_and_version)
{
	ck_assert_int_eq(spillway("--help"), 0);
	ck_assert_int_eq(spillway("run --help"), 0);
	ck_assert_int_eq(spillway("check --help"), 0);
	ck_assert_int_eq(spillway("help station"), 0);
	/* A function's event sources are a type of their own (adopted as its
	 * peers), yet their keys are listed under the function's. */
	char cmd[600];
	snprintf(cmd, sizeof(cmd), "%s help lambda | grep -A3 '^  event_sources ' | "
		 "grep -q '^      queue                name, required'", SPILLWAY_BIN);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(spillway("--version"), 0);
	ck_assert_int_eq(spillway("help nosuchtype"), 2);
	ck_assert_int_eq(spillway("runn x.yaml"), 2);
	ck_assert_str_eq(err_text, "spillway: unknown command 'runn' (did you mean 'run'?) (see spillway --help)\n");
	ck_assert_int_eq(spillway("check scenarios/md1-rho0.7.yaml"), 0);
}
END_TEST

/* Each wrong command line: status 2, one line naming the option and what
 * it expected (never the value as if it were an option), nothing written. */
START_TEST(command_line_errors_name_the_option)
{
#define S "scenarios/mm1-rho0.5.yaml"
	static const struct {
		const char *args;
		const char *line;
	} cases[] = {
		{ "run " S " -o", "spillway run: option '-o' needs a value (see spillway run --help)\n" },
		{ "run " S " other.yaml", "spillway run: unexpected argument 'other.yaml' (one scenario at a time)\n" },
		{ "run -q", "spillway run: missing SCENARIO (see spillway run --help)\n" },
		{ "run " S " --memory-limit 5XB",
		  "spillway run: --memory-limit: expected a size such as 4GB, or none, got '5XB'\n" },
		{ "sweep " S " --vary", "spillway sweep: option '--vary' needs a value (see spillway sweep --help)\n" },
		{ "sweep " S " --vary a=1 other", "spillway sweep: unexpected argument 'other'\n" },
		{ "sweep --vary a=1", "spillway sweep: missing SCENARIO (see spillway sweep --help)\n" },
		{ "sweep " S, "spillway sweep: nothing to vary: give --vary PATH=V1,V2,...\n" },
		{ "sweep " S " --vary a=", "spillway sweep: --vary 'a=': an empty value\n" },
		{ "sweep " S " --vary a=1 --bogus",
		  "spillway sweep: unknown option '--bogus' (see spillway sweep --help)\n" },
		{ "sweep " S " --vary a=1 --search grid",
		  "spillway sweep: --search is an option of spillway plan (see spillway sweep --help)\n" },
		{ "sweep " S " --vary a=1 --require x",
		  "spillway sweep: --require is an option of spillway plan (see spillway sweep --help)\n" },
		{ "sweep " S " --vary a=1 --minimize=cost",
		  "spillway sweep: --minimize is an option of spillway plan (see spillway sweep --help)\n" },
		{ "plan " S " --vary a=1 --print desk",
		  "spillway plan: --print is an option of spillway sweep (see spillway plan --help)\n" },
		{ "sweep " S " --vary a=1 --seed -3",
		  "spillway: --seed: expected a whole number from 0 to 9007199254740992, got '-3'\n" },
		{ "sweep " S " --vary a=1 --replications 0",
		  "spillway: --replications: expected a whole number from 1 to 100000, got '0'\n" },
		{ "sweep " S " --vary a=1 --disk-limit 0",
		  "spillway sweep: --disk-limit: expected a size such as 4GB, or none, got '0'\n" },
		{ "sweep " S " --vary a=1 --memory-limit lots",
		  "spillway sweep: --memory-limit: expected a size such as 4GB, or none, got 'lots'\n" },
		{ "sweep " S " --vary resources.desk.servers=1..1000:1 --vary seed=1..1000:1",
		  "spillway sweep: 1000000 points is more than 100000\n" },
		{ "plan " S " --vary resources.desk.servers=1,2",
		  "spillway plan: no requirement: give --require EXPR\n" },
		{ "plan " S " --vary resources.desk.servers=1,2 --vary seed=1,2 --require 'desk.WaitTime<1s' --search bisect",
		  "spillway plan: --search bisect takes exactly one --vary\n" },
		{ "plan " S " --vary resources.desk.servers=1,2 --require 'desk.WaitTime<1s' --search dfs",
		  "spillway plan: --search: expected grid or bisect, got 'dfs'\n" },
	};
#undef S
	char args[1024], out[512];
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* -o OUT right after the command, before what is wrong. */
		size_t w = strcspn(cases[i].args, " ");
		snprintf(args, sizeof(args), "%.*s -o %s%s", (int)w, cases[i].args, out,
			 cases[i].args + w);
		ck_assert_msg(spillway(args) == 2, "%s: not status 2", cases[i].args);
		ck_assert_msg(!strcmp(err_text, cases[i].line), "%s:\n got: %s want: %s",
			      cases[i].args, err_text, cases[i].line);
		ck_assert_msg(!exists(out), "%s: output directory was created", cases[i].args);
	}
	/* Usage on stdout with status 0 when asked for, on stderr with 2 when
	 * the command line is wrong. */
	ck_assert_int_eq(spillway("sweep --help"), 0);
	ck_assert_int_eq(spillway("plan --help"), 0);
	ck_assert_int_eq(spillway("report --help"), 0);
	ck_assert_int_eq(spillway("help"), 0);
	ck_assert_int_eq(spillway("report"), 2);
	ck_assert(!strncmp(err_text, "Usage: spillway report DIR\n", 27));
	ck_assert_int_eq(spillway("report a b"), 2);
	ck_assert(!strncmp(err_text, "Usage: spillway report DIR\n", 27));
	ck_assert_int_eq(spillway(""), 2);
	ck_assert(!strncmp(err_text, "Usage: spillway ", 16));
}
END_TEST

/* Without -o, outputs go to out/NAME, out/NAME-sweep and out/NAME-plan in
 * the working directory; a plan no point meets says so, names every
 * rejected point, and exits 0. */
START_TEST(default_output_directories)
{
	char cmd[2048], path[600];
	const char *x = "--set duration=2000s --set warmup=100s --set replications=2 -j 1";
	snprintf(cmd, sizeof(cmd),
		 "cd %s && %s run %s/scenarios/mm1-rho0.5.yaml --set duration=2000s "
		 "--set warmup=100s --set replications=2 -q >/dev/null 2>&1 && "
		 "%s sweep %s/scenarios/mm1-rho0.5.yaml %s -q --vary resources.desk.servers=1,2 "
		 ">/dev/null 2>&1 && "
		 "%s plan %s/scenarios/mm1-rho0.5.yaml %s --vary resources.desk.servers=1,2 "
		 "--require 'desk.WaitTime<1ns' >stdout 2>&1",
		 tmpdir, SPILLWAY_BIN, SOURCE_DIR, SPILLWAY_BIN, SOURCE_DIR, x, SPILLWAY_BIN,
		 SOURCE_DIR, x);
	ck_assert_int_eq(system(cmd), 0);
	const char *dirs[] = { "mm1-rho0.5", "mm1-rho0.5-sweep", "mm1-rho0.5-plan" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/out/%s/manifest.json", tmpdir, dirs[i]);
		ck_assert_msg(exists(path), "%s", path);
	}
	static char text[1 << 14];
	snprintf(path, sizeof(path), "%s/stdout", tmpdir);
	harness_slurp(path, text, sizeof(text));
	ck_assert_msg(strstr(text, "## Answer\n\nNo simulated point meets every requirement.\n"), "%s", text);
	ck_assert_msg(strstr(text, "- point 0: `resources.desk.servers=1`: `desk.WaitTime<1ns` (judged "), "%s", text);
	ck_assert_msg(strstr(text, "- point 1: `resources.desk.servers=2`: `desk.WaitTime<1ns` (judged "), "%s", text);
	ck_assert_msg(strstr(text, "outputs in out/mm1-rho0.5-plan/ (plan.md, plan.json, manifest.json, points/)\n"),
		      "%s", text);
	snprintf(path, sizeof(path), "%s/out/mm1-rho0.5-plan/plan.json", tmpdir);
	json_error_t e;
	json_t *plan = json_load_file(path, 0, &e);
	ck_assert_msg(plan != NULL, "plan.json:%d: %s", e.line, e.text);
	ck_assert(json_is_null(json_object_get(plan, "chosen")));
	ck_assert_uint_eq(json_array_size(json_object_get(plan, "runners_up")), 0);
	const json_t *rejected = json_object_get(plan, "rejected");
	ck_assert_uint_eq(json_array_size(rejected), 2);
	for (size_t i = 0; i < 2; i++) {
		const json_t *r = json_array_get(rejected, i);
		ck_assert_int_eq(json_integer_value(json_object_get(r, "point")), (json_int_t)i);
		ck_assert_str_eq(json_string_value(json_object_get(r, "values")),
				 i ? "resources.desk.servers=2" : "resources.desk.servers=1");
		const json_t *failed = json_object_get(r, "failed");
		ck_assert_uint_eq(json_array_size(failed), 1);
		ck_assert_str_eq(json_string_value(json_array_get(failed, 0)), "desk.WaitTime<1ns");
	}
	json_decref(plan);
}
END_TEST

/* Options that are accepted take effect: --seed and --replications show in
 * the resolved scenario, a trailing slash on -o is not part of the name,
 * limits of "none" and --no-whatif run; a plan ranks its runners-up by the
 * objective it minimizes. */
START_TEST(accepted_options_take_effect)
{
	char args[1500], path[600];
	static char text[1 << 15];
	const char *x = "--set duration=2000s --set warmup=100s";
	ck_assert_int_eq(spillway("help --help"), 0);
	snprintf(args, sizeof(args),
		 "run scenarios/mm1-rho0.5.yaml %s --seed 7 --replications 3 --memory-limit none "
		 "--disk-limit none --no-whatif -q -o %s/r/", x, tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/r/scenario.resolved.yaml", tmpdir);
	harness_slurp(path, text, sizeof(text));
	ck_assert_msg(strstr(text, "\nseed: 7\n") && strstr(text, "\nreplications: 3\n"), "%.2000s", text);
	snprintf(args, sizeof(args),
		 "sweep scenarios/mm1-rho0.5.yaml %s --seed 7 --replications 2 --memory-limit 1GB "
		 "--disk-limit 1GB -j 1 -q --vary resources.desk.servers=1,2 -o %s/s/", x, tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/s/points/0/scenario.resolved.yaml", tmpdir);
	harness_slurp(path, text, sizeof(text));
	ck_assert_msg(strstr(text, "\nseed: 7\n") && strstr(text, "\nreplications: 2\n"), "%.2000s", text);
	/* Nothing beside the two outputs (no "r/.tmp-N"-style names). */
	snprintf(args, sizeof(args), "test \"$(ls -A %s | tr '\\n' ' ')\" = 'r s '", tmpdir);
	ck_assert_int_eq(system(args), 0);
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml %s --replications 2 -j 1 -q "
		 "--vary resources.desk.servers=1,3,2 --require 'desk.WaitTime<100s' "
		 "--minimize desk.WaitTime -o %s/p", x, tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/p/plan.md", tmpdir);
	harness_slurp(path, text, sizeof(text));
	const char *answer = strstr(text, "Point 1: `resources.desk.servers=3`, desk.WaitTime ");
	const char *two = strstr(text, "- point 2: `resources.desk.servers=2`, desk.WaitTime ");
	const char *one = strstr(text, "- point 0: `resources.desk.servers=1`, desk.WaitTime ");
	ck_assert_msg(answer && two && one && answer < two && two < one, "%.3000s", text);
}
END_TEST

/* sweep: the same files whatever the number of worker processes. */
START_TEST(sweep_identical_for_any_jobs)
{
	char args[4096], a[600], b[600];
	snprintf(a, sizeof(a), "%s/j1", tmpdir);
	snprintf(b, sizeof(b), "%s/j2", tmpdir);
	static const char *const common =
		"scenarios/mm1-rho0.5.yaml --set duration=3000s --set replications=3 "
		"--vary 'resources.desk.service={uniform: {min: 250ms, max: 750ms}},{exponential: {mean: 1s}},1s' -q";
	snprintf(args, sizeof(args), "sweep %s -j 1 -o %s", common, a);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(args, sizeof(args), "sweep %s -j 2 -o %s", common, b);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(args, sizeof(args), "diff -r '%s' '%s' >/dev/null", a, b);
	ck_assert_int_eq(system(args), 0);
	/* One row per point and metric, the value in its own column, quoted
	 * when it holds a comma. */
	char path[700], line[512];
	snprintf(path, sizeof(path), "%s/sweep.csv", a);
	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	ck_assert(fgets(line, sizeof(line), f));
	ck_assert_str_eq(line, "point,resources.desk.service,resource,metric,mean,ci95_low,ci95_high,unit\n");
	ck_assert(fgets(line, sizeof(line), f));
	static const char prefix[] = "0,\"{uniform: {min: 250ms, max: 750ms}}\",desk,";
	ck_assert_msg(!strncmp(line, prefix, sizeof(prefix) - 1), "%s", line);
	fclose(f);
	snprintf(path, sizeof(path), "%s/points/2/summary.csv", a);
	ck_assert(exists(path));
}
END_TEST

/* Under mpirun the points spread over the ranks and the files are the
 * same as with -j 1 (when spillway was built with MPI and mpirun exists;
 * otherwise there is nothing to compare and the test says so). */
START_TEST(sweep_identical_under_mpirun)
{
	char args[4096], a[600], b[600];
	if (system("command -v mpirun >/dev/null 2>&1") != 0 ||
	    system(SPILLWAY_BIN " --version | grep -q MPI") != 0) {
		fprintf(stderr, "cli:sweep: no mpirun or no MPI in spillway: mpirun comparison skipped\n");
		return;
	}
	snprintf(a, sizeof(a), "%s/j1", tmpdir);
	snprintf(b, sizeof(b), "%s/mpi", tmpdir);
	static const char *const common =
		"scenarios/mm1-rho0.5.yaml --set duration=3000s --set replications=3 "
		"--vary resources.desk.servers=1..4:1 -q";
	snprintf(args, sizeof(args), "sweep %s -j 1 -o %s", common, a);
	ck_assert_int_eq(spillway(args), 0);
	/* Leak checkers see OpenMPI's own allocations at exit: not ours. */
	snprintf(args, sizeof(args),
		 "ASAN_OPTIONS=detect_leaks=0 mpirun -n 2 --oversubscribe --allow-run-as-root "
		 "%s sweep %s -o %s >/dev/null 2>&1", SPILLWAY_BIN, common, b);
	ck_assert_int_eq(system(args), 0);
	snprintf(args, sizeof(args), "diff -r '%s' '%s' >/dev/null", a, b);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

/* plan: bisection finds the grid's answer with fewer runs on a monotone
 * case (M/M/c, lambda 8/s: utilization 8/c falls with c, so only c = 9
 * has it at least 85%; the wait falls with c, so the boundary is best). */
START_TEST(plan_bisection_matches_grid)
{
	char args[4096], a[600], b[600], path[700];
	static const char *const common =
		"scenarios/mmc-c10-rho0.8.yaml --set duration=5000s --set warmup=100s "
		"--set replications=4 --vary resources.desk.servers=9..16:1 "
		"--require 'desk.Utilization>=0.85' --minimize desk.WaitTime -q";
	snprintf(a, sizeof(a), "%s/grid", tmpdir);
	snprintf(b, sizeof(b), "%s/bisect", tmpdir);
	snprintf(args, sizeof(args), "plan %s -o %s", common, a);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(args, sizeof(args), "plan %s --search bisect -o %s", common, b);
	ck_assert_int_eq(spillway(args), 0);
	const char *dirs[2] = { a, b };
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/plan.json", dirs[i]);
		json_error_t e;
		json_t *plan = json_load_file(path, 0, &e);
		ck_assert_msg(plan != NULL, "plan.json:%d: %s", e.line, e.text);
		const json_t *chosen = json_object_get(plan, "chosen");
		ck_assert_int_eq(json_integer_value(json_object_get(chosen, "point")), 0);
		ck_assert_str_eq(json_string_value(json_object_get(chosen, "values")),
				 "resources.desk.servers=9");
		ck_assert(json_is_number(json_object_get(chosen, "objective")));
		ck_assert_str_eq(json_string_value(json_object_get(plan, "search")),
				 i ? "bisect" : "grid");
		ck_assert_int_eq(json_integer_value(json_object_get(plan, "points")), 8);
		/* The grid runs all 8; bisection the ends (9, 16), then 12 and 10. */
		ck_assert_int_eq(json_integer_value(json_object_get(plan, "simulated")), i ? 4 : 8);
		const json_t *skipped = json_object_get(plan, "not_simulated");
		static const json_int_t not_run[] = { 2, 4, 5, 6 };
		ck_assert_uint_eq(json_array_size(skipped), i ? 4 : 0);
		for (size_t k = 0; k < json_array_size(skipped); k++)
			ck_assert_int_eq(json_integer_value(json_array_get(skipped, k)), not_run[k]);
		json_decref(plan);
	}
}
END_TEST

/* Requirements that do not parse: status 2, the message with a caret. */
START_TEST(plan_rejects_bad_requirements)
{
	char args[1024];
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml --vary resources.desk.servers=1,2 "
		 "--require 'desk.WaitTime<=5x' -o %s/p", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert_str_eq(err_text,
			 "spillway: --require 'desk.WaitTime<=5x': expected a number, a duration (15m) or a size (1MB), got '5x'\n"
			 "  desk.WaitTime<=5x\n"
			 "                 ^\n");
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml --set duration=2000s --vary resources.desk.servers=1,2 "
		 "--require 'desk.Waiting<=5s' -o %s/p", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert_str_eq(err_text,
			 "spillway: --require 'desk.Waiting<=5s': 'desk' reports no metric 'Waiting'\n"
			 "  desk.Waiting<=5s\n"
			 "       ^\n");
	/* An objective no point reports is bad input, not a choice on NaN. */
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml --set duration=2000s --vary resources.desk.servers=1,2 "
		 "--require 'desk.WaitTime<=5s' --minimize desk.Nothing -o %s/p", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert_str_eq(err_text,
			 "spillway plan: --minimize 'desk.Nothing': 'desk' reports no metric 'Nothing' "
			 "(expected cost, drain_time, RESOURCE.METRIC or tenants.NAME.FIELD)\n"
			 "  desk.Nothing\n"
			 "       ^\n");
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml --vary resources.desk.servers=1,2 "
		 "--require 'desk.WaitTime<=5s' --minimize 'desk.' -o %s/p", tmpdir);
	ck_assert_int_eq(spillway(args), 2);
	ck_assert_msg(strstr(err_text, "spillway plan: --minimize 'desk.': expected RESOURCE.METRIC"),
		      "%s", err_text);
	snprintf(args, sizeof(args), "%s/p", tmpdir);
	ck_assert(!exists(args));
	/* Bisection over one value judges it once (it leaked the second
	 * judgement). */
	snprintf(args, sizeof(args),
		 "plan scenarios/mm1-rho0.5.yaml --set duration=2000s --set replications=2 "
		 "--vary resources.desk.servers=2 --require 'desk.WaitTime<=5s' --search bisect "
		 "-q -o %s/b", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
}
END_TEST

/* Free text from the scenario shows literally in the report and the plot
 * scripts, and nothing in it runs. */
START_TEST(report_shows_scenario_text_literally)
{
	char args[4096], path[700];
	static char text[1 << 20];
	remove("/tmp/spillway-pwned-1");
	remove("/tmp/spillway-pwned-2");
	snprintf(args, sizeof(args), "run tests/fixtures/nasty-names.yaml -q -o %s/n", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/n/report.html", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(!strstr(text, "<script"));
	ck_assert(!strstr(text, "<img"));
	ck_assert(!strstr(text, "<i>group"));
	ck_assert(strstr(text, "&lt;script&gt;alert(1)&lt;/script&gt;"));
	ck_assert(strstr(text, "&lt;img src=x onerror=alert(2)&gt; `rm -rf /`"));
	ck_assert(strstr(text, "&lt;i&gt;group&lt;/i&gt; &#39;g&#39; `g`"));
	snprintf(path, sizeof(path), "%s/n/report.md", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(strstr(text, "\\<img src=x onerror=alert(2)\\> \\`rm -rf /\\`"));
	/* The gnuplot title: quotes doubled, the newline gone, all inside
	 * one single-quoted string (where gnuplot expands nothing). */
	snprintf(path, sizeof(path), "%s/n/plots/queue-depth.gp", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert_msg(strstr(text, "set title 'Queue depth (in a dead-letter queue: dead-lettered) - nasty: It''s a \"test\" <script>alert(1)</script> `touch /tmp/spillway-pwned-1` '' system(\"touch /tmp/spillway-pwned-2\")  second line & more'\n"),
		      "%s", text);
	ck_assert(!exists("/tmp/spillway-pwned-1"));
	ck_assert(!exists("/tmp/spillway-pwned-2"));
}
END_TEST

/* Without gnuplot: a warning, the scripts and data, no pictures, status 0;
 * `spillway report` redraws the same report from the files. */
START_TEST(no_gnuplot_is_a_warning)
{
	char args[4096], path[700];
	static char a[1 << 20], b[1 << 20];
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/g", tmpdir);
	/* Run by hand: the test's own PATH must not reach gnuplot. */
	char cmd[8400];
	snprintf(cmd, sizeof(cmd), "PATH=/nonexistent %s %s >/dev/null 2>%s/err",
		 SPILLWAY_BIN, args, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/err", tmpdir);
	ck_assert(harness_slurp(path, a, sizeof(a)) > 0);
	ck_assert_msg(strstr(a, "spillway: warning: gnuplot not found on PATH (is it installed?)"), "%s", a);
	snprintf(path, sizeof(path), "%s/g/plots/queue-depth.gp", tmpdir);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/g/plots/queue-depth.dat", tmpdir);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/g/plots/queue-depth.png", tmpdir);
	ck_assert(!exists(path));
	snprintf(path, sizeof(path), "%s/g/report.md", tmpdir);
	ck_assert(harness_slurp(path, a, sizeof(a)) > 0);
	ck_assert(strstr(a, "gnuplot could not run on this machine"));
	/* report re-renders the same text from the files. */
	snprintf(args, sizeof(args), "PATH=/nonexistent %s report %s/g >/dev/null 2>&1",
		 SPILLWAY_BIN, tmpdir);
	ck_assert_int_eq(system(args), 0);
	ck_assert(harness_slurp(path, b, sizeof(b)) > 0);
	ck_assert_str_eq(a, b);
}
END_TEST

/* report.html renders in a headless browser: the title is there and the
 * screenshot is not blank. Skipped, saying why, without chromium. */
START_TEST(report_renders_in_chromium)
{
	char args[4096], path[700], shot[700];
	static char text[1 << 20];
	if (system("command -v chromium >/dev/null 2>&1") != 0) {
		fprintf(stderr, "cli:report: chromium is not installed: the browser check was skipped\n");
		return;
	}
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/r", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	const char *abs = tmpdir; /* mkdtemp under /tmp: absolute */
	snprintf(shot, sizeof(shot), "%s/shot.png", abs);
	snprintf(path, sizeof(path), "%s/dom.html", abs);
	snprintf(args, sizeof(args),
		 "timeout 120 chromium --headless --no-sandbox --disable-gpu --window-size=1200,1600 "
		 "--screenshot='%s' 'file://%s/r/report.html' >/dev/null 2>&1 && "
		 "timeout 120 chromium --headless --no-sandbox --disable-gpu --dump-dom "
		 "'file://%s/r/report.html' >'%s' 2>/dev/null",
		 shot, abs, abs, path);
	ck_assert_int_eq(system(args), 0);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert_msg(strstr(text, "<title>spillway: review</title>"), "%.300s", text);
	snprintf(args, sizeof(args), "python3 tests/png_not_blank.py '%s'", shot);
	ck_assert_int_eq(system(args), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cli");
	TCase *det = tcase_create("cli:determinism");
	tcase_add_checked_fixture(det, setup, teardown);
	tcase_set_timeout(det, 300);
	tcase_add_test(det, same_seed_gives_identical_files);
	suite_add_tcase(s, det);
	TCase *bad = tcase_create("cli:errors");
	tcase_add_checked_fixture(bad, setup, teardown);
	tcase_set_timeout(bad, 300);
	tcase_add_test(bad, run_subcommand_is_needed);
	tcase_add_test(bad, bad_input_exits_2_and_writes_nothing);
	tcase_add_test(bad, every_bad_fixture_exits_2_with_its_messages);
	tcase_add_test(bad, failed_run_leaves_previous_output_alone);
	tcase_add_test(bad, refuses_to_replace_a_foreign_directory);
	suite_add_tcase(s, bad);
	TCase *sweep = tcase_create("cli:sweep");
	tcase_add_checked_fixture(sweep, setup, teardown);
	tcase_set_timeout(sweep, 600);
	tcase_add_test(sweep, sweep_identical_for_any_jobs);
	tcase_add_test(sweep, plan_bisection_matches_grid);
	tcase_add_test(sweep, sweep_identical_under_mpirun);
	tcase_add_test(sweep, plan_rejects_bad_requirements);
	suite_add_tcase(s, sweep);
	TCase *report = tcase_create("cli:report");
	tcase_add_checked_fixture(report, setup, teardown);
	tcase_set_timeout(report, 600);
	tcase_add_test(report, report_shows_scenario_text_literally);
	tcase_add_test(report, report_renders_in_chromium);
	tcase_add_test(report, no_gnuplot_is_a_warning);
	suite_add_tcase(s, report);
	TCase *help = tcase_create("cli:help");
	tcase_add_checked_fixture(help, setup, teardown);
	tcase_set_timeout(help, 300);
	tcase_add_test(help, help_and_version);
	tcase_add_test(help, command_line_errors_name_the_option);
	tcase_add_test(help, default_output_directories);
	tcase_add_test(help, accepted_options_take_effect);
	suite_add_tcase(s, help);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
