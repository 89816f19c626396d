/* test_calibrate.c - compare, calibrate and export against a known truth
 * (tests/fixtures/calibrate/truth.yaml), and the error measures.
 *
 * The truth's export is made with another seed than the scenario's, so
 * the measurement is one more realisation, not a copy of the runs it is
 * compared with.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "reports/fit.h"

#define TRUTH "tests/fixtures/calibrate/truth.yaml"
#define SERIES                                                                  \
	"--series orders.NumberOfMessagesSent --series order-writer.Duration "  \
	"--series order-writer.ConcurrentExecutions:Maximum "                   \
	"--series order-table.ConsumedWriteCapacityUnits "                      \
	"--series order-table.WriteThrottleEvents "                             \
	"--series orders.ApproximateNumberOfMessagesVisible:Average"

static char dir[256];

static void setup(void)
{
	snprintf(dir, sizeof(dir), "/tmp/spillway-calib-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd))
		fprintf(stderr, "cannot remove %s\n", dir);
}

/* Runs `spillway ARGS` (stdout and stderr into dir/out, dir/err): the exit
 * status; stderr's text in err when not NULL. */
static int spillway(const char *args, char *err, size_t size)
{
	char cmd[4096], e[400];
	snprintf(e, sizeof(e), "%s/err", dir);
	snprintf(cmd, sizeof(cmd), "%s %s >'%s/out' 2>'%s'", SPILLWAY_BIN, args, dir, e);
	int st = system(cmd);
	if (err)
		harness_slurp(e, err, size);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool memcheck(void)
{
	return getenv("SPILLWAY_TEST_MEMCHECK") != NULL;
}

/* dir/obs.json: the truth's export, seed 99. */
static void export_truth(void)
{
	char args[1024];
	snprintf(args, sizeof(args), "export " TRUTH " --seed 99 --start 2026-11-30T10:00:00Z "
		 SERIES " -o '%s/obs.json'", dir);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
}

/* dir/NAME: the truth with `from` replaced by `to` (each once, in order). */
static void variant(const char *name, const char *const *from, const char *const *to,
		    size_t n)
{
	static char text[8192], out[8192];
	size_t len = harness_slurp(TRUTH, text, sizeof(text));
	ck_assert_uint_gt(len, 0);
	for (size_t i = 0; i < n; i++) {
		char *at = strstr(text, from[i]);
		ck_assert_msg(at, "%s not in the truth", from[i]);
		snprintf(out, sizeof(out), "%.*s%s%s", (int)(at - text), text, to[i],
			 at + strlen(from[i]));
		snprintf(text, sizeof(text), "%s", out);
	}
	char path[400];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	harness_put(path, text);
}

/* The cell `col` of the first row of csv file path whose first cell is
 * key (or whose row is row number `key` when key is NULL): a number. */
static double cell(const char *path, const char *key, int col)
{
	static char text[1 << 18];
	ck_assert_uint_gt(harness_slurp(path, text, sizeof(text)), 0);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, key, strlen(key)) || line[strlen(key)] != ',')
			continue;
		char *p = line;
		for (int c = 0; c < col && p; c++) {
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		ck_assert_ptr_nonnull(p);
		return strtod(p, NULL);
	}
	ck_abort_msg("no row %s in %s", key, path);
	return NAN;
}

/* The text cell `col` of the row of path whose first cell is key. */
static const char *text_cell(const char *path, const char *key, int col)
{
	static char text[1 << 18], out[256];
	ck_assert_uint_gt(harness_slurp(path, text, sizeof(text)), 0);
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		if (strncmp(line, key, strlen(key)) || line[strlen(key)] != ',')
			continue;
		char *p = line;
		for (int c = 0; c < col && p; c++) {
			p = strchr(p, ',');
			p = p ? p + 1 : NULL;
		}
		ck_assert_ptr_nonnull(p);
		size_t n = strcspn(p, ",");
		snprintf(out, sizeof(out), "%.*s", (int)n, p);
		return out;
	}
	ck_abort_msg("no row %s in %s", key, path);
	return NULL;
}

/* Two values guessed wrong (the function's mean 100 ms for 60, the
 * table's capacity 90 for 60) are fitted back from the truth's export,
 * each within 10%. */
START_TEST(recovers_two_values_within_10_percent)
{
	export_truth();
	static const char *const from[] = { "name: calibrate-truth", "mean: 60ms",
					    "write_capacity: 60" };
	static const char *const to[] = { "name: guess", "mean: 100ms", "write_capacity: 90" };
	variant("guess.yaml", from, to, 3);
	char args[1024], err[4096], path[400];
	/* Under memcheck a short budget: the code paths, not the fit. */
	snprintf(args, sizeof(args),
		 "calibrate '%s/guess.yaml' --observed '%s/obs.json' -q -o '%s/cal'%s "
		 "--fit resources.order-writer.duration.per_message.gamma.mean "
		 "--fit resources.order-table.write_capacity",
		 dir, dir, dir, memcheck() ? " --budget 6 -r 1" : "");
	ck_assert_int_eq(spillway(args, err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/cal/fit.csv", dir);
	double mean = cell(path, "resources.order-writer.duration.per_message.gamma.mean", 5);
	double wcu = cell(path, "resources.order-table.write_capacity", 5);
	if (!memcheck()) {
		ck_assert_msg(fabs(mean - 60) <= 6, "duration mean fitted %g ms, truth 60", mean);
		ck_assert_msg(fabs(wcu - 60) <= 6, "write capacity fitted %g, truth 60", wcu);
		/* The interval is there and positive. */
		ck_assert_double_gt(cell(path, "resources.order-writer.duration.per_message.gamma.mean", 6), 0);
	}
	/* The fitted scenario: the values in place, the comment block on top,
	 * and it loads. */
	static char text[16384];
	snprintf(path, sizeof(path), "%s/cal/scenario.fitted.yaml", dir);
	ck_assert_uint_gt(harness_slurp(path, text, sizeof(text)), 0);
	ck_assert_msg(!strncmp(text, "# Calibrated by spillway calibrate", 34), "%.200s", text);
	char want[64];
	snprintf(want, sizeof(want), "write_capacity: %.0f\n", wcu);
	ck_assert_msg(strstr(text, want), "no '%s' in %s", want, text);
	snprintf(want, sizeof(want), "mean: %.6gms,", mean);
	ck_assert_msg(strstr(text, want), "no '%s' in %s", want, text);
	if (!memcheck())
		ck_assert_ptr_null(strstr(text, "{mean: 100ms"));
	ck_assert_ptr_nonnull(strstr(text, ": 100ms -> "));
	snprintf(args, sizeof(args), "check '%s'", path);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
	/* Every evaluation is logged, the budget respected. */
	snprintf(path, sizeof(path), "%s/cal/evaluations.csv", dir);
	double evals = cell(path, "1", 3);
	ck_assert(isfinite(evals));
	snprintf(path, sizeof(path), "%s/cal/fit.json", dir);
	static char json[8192];
	ck_assert_uint_gt(harness_slurp(path, json, sizeof(json)), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"evaluations\""));
}
END_TEST

/* The truth against its own export (another seed): every series within
 * the run-to-run noise; the same with the table's capacity at 90 instead
 * of 60: the throttling, the backlog and the capacity consumed beyond it,
 * their largest errors while the truth throttles (10:30-10:47). */
START_TEST(truth_within_noise_perturbed_beyond)
{
	export_truth();
	char args[1024], path[400];
	const char *reps = memcheck() ? " -r 3" : "";
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s/obs.json' -q -o '%s/c1'%s",
		 dir, dir, reps);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/c1/errors.csv", dir);
	static const char *const names[] = {
		"orders.NumberOfMessagesSent:Sum", "order-writer.Duration:Average",
		"order-writer.ConcurrentExecutions:Maximum",
		"order-table.ConsumedWriteCapacityUnits:Sum",
		"order-table.WriteThrottleEvents:Sum",
		"orders.ApproximateNumberOfMessagesVisible:Average",
	};
	for (size_t i = 0; i < 6 && !memcheck(); i++) {
		ck_assert_str_eq(text_cell(path, names[i], 19), "yes");
		ck_assert_double_eq(cell(path, names[i], 3), 60);
	}
	/* Arrivals are the same process: no bias beyond 2%. */
	ck_assert_double_lt(fabs(cell(path, names[0], 7)), 0.02);

	static const char *const from[] = { "write_capacity: 60" };
	static const char *const to[] = { "write_capacity: 90" };
	variant("wcu90.yaml", from, to, 1);
	snprintf(args, sizeof(args), "compare '%s/wcu90.yaml' --observed '%s/obs.json' -q -o '%s/c2'%s",
		 dir, dir, dir, reps);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
	snprintf(path, sizeof(path), "%s/c2/errors.csv", dir);
	for (size_t i = 3; i < 6 && !memcheck(); i++) {
		ck_assert_str_eq(text_cell(path, names[i], 19), "no");
		const char *t = text_cell(path, names[i], 11);
		ck_assert_msg(strcmp(t, "2026-11-30T10:30:00Z") >= 0 &&
			      strcmp(t, "2026-11-30T10:47:00Z") <= 0,
			      "%s: largest error at %s", names[i], t);
	}
	/* Too few throttles: the bias is negative. */
	ck_assert_double_lt(cell(path, names[4], 7), -0.5);
	/* compare.csv has every point of every series. */
	snprintf(path, sizeof(path), "%s/c2/compare.csv", dir);
	static char text[1 << 18];
	size_t n = harness_slurp(path, text, sizeof(text)), lines = 0;
	for (size_t i = 0; i < n; i++)
		lines += text[i] == '\n';
	ck_assert_uint_eq(lines, 1 + 6 * 60);
}
END_TEST

/* A scenario whose tenant replays the export's counts exactly gives them
 * back through compare: every point of NumberOfMessagesSent, no error. */
START_TEST(exact_replay_compares_to_zero_error)
{
	export_truth();
	char path[400], text[2048], args[1024];
	snprintf(path, sizeof(path), "%s/replay.yaml", dir);
	snprintf(text, sizeof(text),
		 "name: replay\nseed: 5\nduration: 1h\nreplications: 1\n"
		 "tenants:\n  shop:\n    target: orders\n    arrivals:\n"
		 "      observed: {file: obs.json, resource: orders, metric: NumberOfMessagesSent, spread: exact}\n"
		 "resources:\n  orders:\n    type: sqs\n");
	harness_put(path, text);
	snprintf(args, sizeof(args), "compare '%s' --observed '%s/obs.json' -q -o '%s/c' "
		 "--skip m2 --skip m3 --skip m4 --skip m5 --skip m6 -r 2", path, dir, dir);
	char err[4096];
	ck_assert_msg(spillway(args, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "%s/c/errors.csv", dir);
	ck_assert_double_eq(cell(path, "orders.NumberOfMessagesSent:Sum", 3), 60);
	ck_assert_double_eq(cell(path, "orders.NumberOfMessagesSent:Sum", 8), 0); /* RMSE */
	ck_assert_double_eq(cell(path, "orders.NumberOfMessagesSent:Sum", 4), 0); /* MAPE */
}
END_TEST

/* The export binds back whatever its paging: pages of 7 points, read as
 * one series each; and export never replaces a file. */
START_TEST(paged_export_binds_back)
{
	char args[1024], path[400], err[4096];
	snprintf(args, sizeof(args), "export " TRUTH " --seed 3 --page-points 7 " SERIES
		 " --period 5m -o '%s/paged.json'", dir);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s/paged.json' -q -r 2 -o '%s/c'",
		 dir, dir);
	ck_assert_msg(spillway(args, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "%s/c/errors.csv", dir);
	/* 12 periods of 5 minutes, every one there. */
	ck_assert_double_eq(cell(path, "orders.NumberOfMessagesSent:Sum", 3), 12);
	ck_assert_double_eq(cell(path, "orders.NumberOfMessagesSent:Sum", 2), 300);
	/* The file is there: export refuses, and leaves it as it was. */
	struct stat a, b;
	snprintf(path, sizeof(path), "%s/paged.json", dir);
	ck_assert_int_eq(stat(path, &a), 0);
	snprintf(args, sizeof(args), "export " TRUTH " -o '%s'", path);
	ck_assert_int_eq(spillway(args, err, sizeof(err)), 2);
	ck_assert_ptr_nonnull(strstr(err, "exists"));
	ck_assert_int_eq(stat(path, &b), 0);
	ck_assert_int_eq(a.st_size, b.st_size);
	/* CSV too, read back the same way. */
	snprintf(args, sizeof(args), "export " TRUTH " --seed 3 --format csv --series "
		 "orders.NumberOfMessagesSent -o '%s/obs.csv'", dir);
	ck_assert_int_eq(spillway(args, NULL, 0), 0);
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s/obs.csv' -q -r 2 -o '%s/c3'",
		 dir, dir);
	ck_assert_msg(spillway(args, err, sizeof(err)) == 0, "%s", err);
}
END_TEST

struct bad {
	const char *args;   /* after "compare TRUTH --observed DIR/obs.json" */
	const char *expect; /* in stderr */
};

/* Bindings that cannot be made exit 2 naming the series. */
START_TEST(bad_bindings_exit_2)
{
	export_truth();
	static const struct bad cases[] = {
		{ "--map m1=orders.NoSuchMetric", "records no metric 'NoSuchMetric'" },
		{ "--map m1=ordres.NumberOfMessagesSent", "did you mean 'orders'" },
		{ "--map m9=orders.NumberOfMessagesSent", "has no series with Id 'm9'" },
		{ "--map m1", "expected ID=RESOURCE.METRIC" },
		{ "--map m1=orders.NumberOfMessagesSent:Average",
		  "a count of events per sample; its Average cannot be simulated (use Sum)" },
		{ "--map m1=orders.NumberOfMessagesSent:Median", "'Median' is not a statistic" },
		{ "--map m2=order-writer.Duration:Maximum", "(use Average, Sum or SampleCount)" },
		{ "--map m6=orders.ApproximateNumberOfMessagesVisible:Sum",
		  "(use Average, Maximum, Minimum or pNN)" },
		{ "--skip m7", "--skip m7: " },
		{ "--skip m1 --skip m2 --skip m3 --skip m4 --skip m5 --skip m6",
		  "no series left to compare" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[1024], err[4096];
		snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s/obs.json' -q -o '%s/x' %s",
			 dir, dir, cases[i].args);
		int rc = spillway(args, err, sizeof(err));
		if (rc != 2 || !strstr(err, cases[i].expect))
			fail_add(&f, "%s: exit %d, %s", cases[i].args, rc, err);
	}
	/* A label that names nothing of the scenario. */
	char path[400], args[1024], err[4096];
	snprintf(path, sizeof(path), "%s/odd.json", dir);
	harness_put(path, "{\"MetricDataResults\": [{\"Id\": \"q1\", \"Label\": \"billing Spend Sum\","
			  " \"Timestamps\": [\"2026-11-30T10:00:00Z\", \"2026-11-30T10:01:00Z\"],"
			  " \"Values\": [1, 2], \"StatusCode\": \"Complete\"}]}");
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s' -q -o '%s/x'", path, dir);
	int rc = spillway(args, err, sizeof(err));
	if (rc != 2 || !strstr(err, "odd.json: series 'q1' (Label 'billing Spend Sum'): unknown label"))
		fail_add(&f, "unknown label: exit %d, %s", rc, err);
	/* A label with a metric only: bound to the one resource recording it,
	 * refused when several do. */
	snprintf(path, sizeof(path), "%s/bare.json", dir);
	harness_put(path, "{\"MetricDataResults\": [{\"Id\": \"q1\", \"Label\": \"WriteThrottleEvents\","
			  " \"Timestamps\": [\"2026-11-30T10:00:00Z\", \"2026-11-30T10:01:00Z\"],"
			  " \"Values\": [0, 0]}]}");
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s' -r 2 -o '%s/bare'", path, dir);
	rc = spillway(args, err, sizeof(err));
	char out[8192];
	snprintf(path, sizeof(path), "%s/out", dir);
	harness_slurp(path, out, sizeof(out));
	if (rc != 0 || !strstr(out, "q1           -> order-table.WriteThrottleEvents:Sum (statistic not stated: Sum assumed)") ||
	    !strstr(out, "order-table is the only one recording WriteThrottleEvents"))
		fail_add(&f, "bare label: exit %d, %s %s", rc, out, err);
	snprintf(path, sizeof(path), "%s/bare2.json", dir);
	harness_put(path, "{\"MetricDataResults\": [{\"Id\": \"q1\", \"Label\": \"ConcurrentExecutions Maximum\","
			  " \"Timestamps\": [\"2026-11-30T10:00:00Z\", \"2026-11-30T10:01:00Z\"],"
			  " \"Values\": [0, 0]}]}");
	snprintf(args, sizeof(args), "compare " TRUTH " --observed '%s' -q -o '%s/x'", path, dir);
	rc = spillway(args, err, sizeof(err));
	if (rc != 2 || !strstr(err, "several record it (order-writer, account)"))
		fail_add(&f, "ambiguous label: exit %d, %s", rc, err);
	/* Bad --fit paths. */
	static const struct bad fits[] = {
		{ "--fit resources.nothing.here", "has no value at resources.nothing.here" },
		{ "--fit resources.order-writer.duration",
		  "is a map, not a number; name one of its values" },
		{ "--fit resources.orders.message_retention", "its default applies" },
		{ "--fit resources.order-table.write_capacity=90..30", "LOW < HIGH" },
		{ "--fit resources.order-table.write_capacity=10ms..90ms", "LOW < HIGH" },
		{ "--fit resources.order-table.write_capacity=0..100000000",
		  "the scenario refuses" },
		{ "", "at least one --fit PATH" },
	};
	for (size_t i = 0; i < sizeof(fits) / sizeof(fits[0]); i++) {
		snprintf(args, sizeof(args), "calibrate " TRUTH " --observed '%s/obs.json' -q -o '%s/x' %s",
			 dir, dir, fits[i].args);
		rc = spillway(args, err, sizeof(err));
		if (rc != 2 || !strstr(err, fits[i].expect))
			fail_add(&f, "%s: exit %d, %s", fits[i].args, rc, err);
	}
	/* Nothing was written. */
	snprintf(path, sizeof(path), "%s/x", dir);
	if (access(path, F_OK) == 0)
		fail_add(&f, "%s written", path);
	FAILS_CHECK(f);
}
END_TEST

/* Command lines that cannot run exit 2 with one line naming the option;
 * --help exits 0; export writes to standard output without -o. */
START_TEST(command_lines)
{
	export_truth();
	static const struct bad cases[] = {
		{ "compare", "expected one SCENARIO" },
		{ "compare " TRUTH " " TRUTH " --observed X", "expected one SCENARIO" },
		{ "compare " TRUTH, "--observed FILE is required" },
		{ "calibrate " TRUTH, "--observed FILE is required" },
		{ "compare " TRUTH " --observed O -r 0", "--replications" },
		{ "compare " TRUTH " --observed O --seed x", "--seed" },
		{ "compare " TRUTH " --observed O --fit a.b", "unknown option '--fit'" },
		{ "compare " TRUTH " --observed O --series a.b", "unknown option '--series'" },
		{ "compare " TRUTH " --observed O --bogus", "unknown option '--bogus'" },
		{ "compare " TRUTH " --observed", "option '--observed' needs a value" },
		{ "export " TRUTH " --observed O", "unknown option '--observed'" },
		{ "export " TRUTH " --map a=b", "unknown option '--map'" },
		{ "export " TRUTH " --skip a", "unknown option '--skip'" },
		{ "export " TRUTH " -r 3", "unknown option '-r'" },
		{ "export " TRUTH " --period 1.5s", "--period: expected a whole number of seconds" },
		{ "export " TRUTH " --period soon", "--period: expected a whole number of seconds" },
		{ "export " TRUTH " --start yesterday", "--start: expected an ISO 8601 time" },
		{ "export " TRUTH " --page-points 0", "--page-points" },
		{ "export " TRUTH " --format xml", "--format: expected json or csv" },
		{ "export " TRUTH " --fit a.b", "unknown option '--fit'" },
		{ "export " TRUTH " --series orders", "expected RESOURCE.METRIC[:STAT]" },
		{ "export " TRUTH " --series orders.Nothing", "records no metric 'Nothing'" },
		{ "export " TRUTH " --period 2h", "holds no whole period of 7200 s" },
		{ "export " TRUTH " --series orders.NumberOfMessagesSent --period 90s --series "
		  "order-writer.Duration --period 90s", "" },
		{ "calibrate " TRUTH " --observed O --budget 2", "--budget" },
		{ "calibrate " TRUTH " --observed O --period 60s", "unknown option '--period'" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char args[1024], err[4096];
		/* O stands for the truth's export. */
		snprintf(args, sizeof(args), "%s", cases[i].args);
		char *o = strstr(args, " O");
		if (o && (o[2] == ' ' || o[2] == 0)) {
			char rest[600];
			snprintf(rest, sizeof(rest), "%s", o + 2);
			snprintf(o, sizeof(args) - (size_t)(o - args), " '%s/obs.json'%s", dir, rest);
		}
		int rc = spillway(args, err, sizeof(err));
		bool want0 = !*cases[i].expect;
		if (want0 ? rc != 0 : rc != 2 || !strstr(err, cases[i].expect))
			fail_add(&f, "%s: exit %d, %s", cases[i].args, rc, err);
	}
	static const char *const helps[] = { "compare --help", "calibrate --help", "export --help" };
	for (size_t i = 0; i < 3; i++) {
		char out[8192], path[400];
		int rc = spillway(helps[i], NULL, 0);
		snprintf(path, sizeof(path), "%s/out", dir);
		harness_slurp(path, out, sizeof(out));
		if (rc != 0 || strncmp(out, "Usage: spillway ", 16))
			fail_add(&f, "%s: exit %d, %.80s", helps[i], rc, out);
	}
	/* export on standard output, JSON and CSV. */
	char out[1 << 16], path[400];
	snprintf(path, sizeof(path), "%s/out", dir);
	if (spillway("export " TRUTH " --series order-table.WriteThrottleEvents --period 10m", NULL, 0) ||
	    !harness_slurp(path, out, sizeof(out)) ||
	    !strstr(out, "\"Label\": \"order-table WriteThrottleEvents Sum\"") ||
	    !strstr(out, "\"2026-01-01T00:50:00Z\""))
		fail_add(&f, "export json on stdout: %.300s", out);
	if (spillway("export " TRUTH " --format csv --series order-writer.Duration:SampleCount "
		     "--period 30m --start 2026-11-30T10:00:00+01:00", NULL, 0) ||
	    !harness_slurp(path, out, sizeof(out)) ||
	    strncmp(out, "timestamp,resource,metric,value,statistic\n"
			 "2026-11-30T09:00:00Z,order-writer,Duration,", 85) ||
	    !strstr(out, ",SampleCount\n2026-11-30T09:30:00Z,"))
		fail_add(&f, "export csv on stdout: %.300s", out);
	if (f.n) fputs(f.text, stderr);
	FAILS_CHECK(f);
}
END_TEST

/* Bounds in the value's unit, a value fitted alone on a tiny budget: the
 * fit stays inside the bounds, the table says so, and the interval is
 * there or said to be missing. */
START_TEST(bounds_with_units)
{
	export_truth();
	char args[1024], path[400], err[4096];
	snprintf(args, sizeof(args),
		 "calibrate " TRUTH " --observed '%s/obs.json' -o '%s/b' -r 1 --budget 8 "
		 "--fit resources.order-writer.duration.per_message.gamma.mean=50ms..70ms",
		 dir, dir);
	ck_assert_msg(spillway(args, err, sizeof(err)) == 0, "%s", err);
	snprintf(path, sizeof(path), "%s/b/fit.csv", dir);
	double v = cell(path, "resources.order-writer.duration.per_message.gamma.mean", 5);
	ck_assert_double_ge(v, 50);
	ck_assert_double_le(v, 70);
	ck_assert_str_eq(text_cell(path, "resources.order-writer.duration.per_message.gamma.mean", 1), "ms");
	char out[8192];
	snprintf(path, sizeof(path), "%s/out", dir);
	harness_slurp(path, out, sizeof(out));
	ck_assert_ptr_nonnull(strstr(out, "50..70ms"));
	snprintf(path, sizeof(path), "%s/err", dir);
	harness_slurp(path, err, sizeof(err));
	ck_assert_ptr_nonnull(strstr(err, "spillway calibrate: evaluation 1/8  loss "));
}
END_TEST

/* The measures on a hand-made comparison: three points, three
 * replications (exact values). */
START_TEST(measures_are_exact)
{
	static const double t[] = { 0, 60, 120 };
	static const double y[] = { 10, 0, 20 };
	/* Replications: point means 12, 1, 15. */
	static const double sim[] = { 11, 1, 14,
				      12, 0, 15,
				      13, 2, 16 };
	struct rpt_compared c = { .name = "a.B:Sum", .id = "m1", .unit = "", .t0 = 0,
				  .period = 60, .n = 3, .t = t, .y = y, .reps = 3,
				  .sim = sim };
	struct rpt_fit_errors e;
	rpt_fit_errors(&c, &e);
	ck_assert_uint_eq(e.points, 3);
	ck_assert_uint_eq(e.mape_skipped, 1);
	ck_assert_double_eq_tol(e.mape, (0.2 + 0.25) / 2, 1e-12);
	ck_assert_double_eq_tol(e.bias, (2 + 1 - 5) / 3.0, 1e-12);
	ck_assert_double_eq_tol(e.rel_bias, -2 / 30.0, 1e-12);
	ck_assert_double_eq_tol(e.rmse, sqrt((4 + 1 + 25) / 3.0), 1e-12);
	ck_assert_double_eq_tol(e.scale, 10, 1e-12);
	ck_assert_double_eq_tol(e.nrmse, sqrt(10.0) / 10, 1e-12);
	ck_assert_double_eq(e.peak_err, -5);
	ck_assert_double_eq(e.peak_err_t, 120);
	ck_assert_double_eq(e.y_peak, 20);
	ck_assert_double_eq(e.m_peak, 15);
	/* Band: mean +- t(0.975, 2) sd sqrt(4/3), sd = 1 at every point. */
	double m, lo, hi;
	rpt_fit_point(&c, 0, &m, &lo, &hi);
	ck_assert_double_eq_tol(hi - m, 4.302652729911275 * sqrt(4.0 / 3), 1e-9);
	/* y = 20 against 15 +- 4.97 is out; 10 and 0 are in. */
	ck_assert_double_eq_tol(e.in_band, 2 / 3.0, 1e-12);
	/* Run-to-run, each replication against the others' mean, over the
	 * scale 10: sqrt(1.5)/10, sqrt(0.75)/10 and 1.5/10; the limit is
	 * their mean + t(0.995, 2) sd sqrt(4/3). */
	ck_assert_double_eq_tol(e.noise_median, sqrt(1.5) / 10, 1e-12);
	ck_assert_double_eq_tol(e.noise_limit, 0.4840147070392418, 1e-6);
	ck_assert(e.within_noise); /* 0.316 */
	/* One replication: no band, no noise. */
	c.reps = 1;
	rpt_fit_errors(&c, &e);
	ck_assert(isnan(e.noise_median) && isnan(e.noise_limit) && !e.within_noise);
	ck_assert_double_eq(e.in_band, 0); /* the band is the point itself */
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("calibrate");
	TCase *tc = tcase_create("recovery");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, recovers_two_values_within_10_percent);
	suite_add_tcase(s, tc);
	tc = tcase_create("compare");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, truth_within_noise_perturbed_beyond);
	tcase_add_test(tc, exact_replay_compares_to_zero_error);
	suite_add_tcase(s, tc);
	tc = tcase_create("export");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, paged_export_binds_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("bind");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, bad_bindings_exit_2);
	tcase_add_test(tc, command_lines);
	tcase_add_test(tc, bounds_with_units);
	suite_add_tcase(s, tc);
	tc = tcase_create("measures");
	tcase_add_test(tc, measures_are_exact);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
