/* test_report.c - what spillway writes for people and spreadsheets, through
 * the command as a user runs it: the regression tests of hostile text in
 * CSV files and rendered outputs, of edited plot scripts, of gnuplot's
 * messages and of a full disk.
 *
 *   report:csv      cost.csv with a `service` holding a comma, quotes, a
 *                   line break and a formula, and a formula-like price key:
 *                   quoted and guarded, every row whole, read back whole by
 *                   the report; a sweep over formula-like values reads its
 *                   points' quoted files back and guards its own cells
 *   report:text     ESC, BEL, C1 and long multi-byte UTF-8 in the scenario:
 *                   SVG, HTML, Markdown, gnuplot scripts, JSON and the
 *                   terminal get valid UTF-8, no control characters, titles
 *                   cut between characters; the terminal's tables clean
 *   report:scripts  `spillway report` keeps a .gp its user edited (or wrote)
 *                   and rewrites its own unchanged
 *   report:gnuplot  a plot with no valid point is left out, saying so,
 *                   without starting gnuplot; gnuplot failing on a plot is
 *                   named with its message; neither claims that gnuplot is
 *                   missing
 *   report:errors   a full disk while writing the report: the path and "No
 *                   space left on device", not "Input/output error"
 *   report:json     summary.json and manifest.json from their writers, and
 *                   every JSON file of a run and a plan of a scenario whose
 *                   path holds a quote, a backslash, a control character
 *                   and invalid UTF-8, read back with jansson: keys in
 *                   order, the text repaired, numbers as summary.csv has
 *                   them, null for NaN; a failed write's errno
 */
#include <check.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

#include "reports/summary.h"
#include "sim/csv.h"
#include "sim/sha256.h"
#include "sim/text.h"

static char tmpdir[256];
static char out_text[1 << 16], err_text[1 << 16];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spillway-report-XXXXXX");
	ck_assert(mkdtemp(tmpdir) != NULL);
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Runs `ENV spillway ARGS` (ARGS already shell-quoted; ENV such as
 * "PATH=/nonexistent" or ""), keeps stdout and stderr in out_text and
 * err_text, returns the exit status. */
static int spillway_env(const char *env, const char *args)
{
	char cmd[4000], outf[300], errf[300];
	snprintf(outf, sizeof(outf), "%s/stdout", tmpdir);
	snprintf(errf, sizeof(errf), "%s/stderr", tmpdir);
	snprintf(cmd, sizeof(cmd), "%s %s %s >%s 2>%s", env, SPILLWAY_BIN, args, outf, errf);
	int st = system(cmd);
	harness_slurp(outf, out_text, sizeof(out_text));
	harness_slurp(errf, err_text, sizeof(err_text));
	remove(outf);
	remove(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static int spillway(const char *args)
{
	return spillway_env("", args);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static bool have_gnuplot(const char *test)
{
	if (system("command -v gnuplot >/dev/null 2>&1") == 0)
		return true;
	fprintf(stderr, "%s: gnuplot is not installed: skipped\n", test);
	return false;
}

/* Whether the file at path is valid UTF-8 without control characters
 * (TAB and LF allowed). */
static bool file_is_clean(const char *path)
{
	static char text[1 << 20];
	size_t n = harness_slurp(path, text, sizeof(text));
	return n > 0 && strlen(text) == n && sim_text_is_clean(text, SIM_TEXT_LINES);
}

/* report:csv -------------------------------------------------------------- */

START_TEST(cost_csv_quotes_and_guards)
{
	static char text[1 << 16];
	char args[1024], path[600];
	snprintf(args, sizeof(args), "run tests/fixtures/hostile-text.yaml -o %s/h", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/h/cost.csv", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	/* The service's row: one record, the formula guarded in quotes. */
	static const char row[] =
		"\n\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\"), \"\"Inc\"\"\a\n"
		"TOTAL,,measurement window,1,hour,,999,,\",search,InstanceHours,"
		"0.03333333333,instance-hour,2,0.06666666667,confirmed,"
		"\"'@SUM(1+1)*cmd|' /C calc'!A0, \"\"key\"\"\"\n";
	ck_assert_msg(strstr(text, row), "%.2000s", text);
	/* Every record has the header's nine cells; the first is the service
	 * as the scenario wrote it. */
	FILE *f = fopen(path, "r");
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	long n, records = 0;
	bool seen = false;
	while ((n = sim_csv_read(&r)) > 0) {
		ck_assert_int_eq(n, 9);
		records++;
		if (!strcmp(r.cells[1], "search")) {
			ck_assert_str_eq(r.cells[0], "=HYPERLINK(\"http://x\",\"y\"), \"Inc\"\a\n"
						     "TOTAL,,measurement window,1,hour,,999,,");
			ck_assert_str_eq(r.cells[8], "@SUM(1+1)*cmd|' /C calc'!A0, \"key\"");
			seen = true;
		}
		if (!strcmp(r.cells[0], "TOTAL") && !strcmp(r.cells[2], "measurement window"))
			ck_assert_str_ne(r.cells[6], "999");
	}
	ck_assert_int_eq(n, 0);
	ck_assert(seen);
	ck_assert_int_eq(records, 7); /* the header, 4 meters, 2 totals */
	sim_csv_reader_finish(&r);
	fclose(f);
	/* The report reads it back whole: the service in one cell, its
	 * resource in the next. */
	snprintf(path, sizeof(path), "%s/h/report.html", tmpdir);
	static char html[1 << 20];
	ck_assert(harness_slurp(path, html, sizeof(html)) > 0);
	ck_assert_msg(strstr(html, "<td>=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;), &quot;Inc&quot;"
				   "\xE2\x90\x87\nTOTAL,,measurement window,1,hour,,999,,</td><td>search</td>"),
		      "%.2000s", html);
	/* The terminal's cost table: the same service on one line. */
	ck_assert_msg(strstr(out_text, "\n=HYPERLINK(\"http://x\",\"y\"), \"Inc\"\xE2\x90\x87 TOTAL,,"
				       "measurement window,1,hour,,999,, search"), "%.2000s", out_text);
}
END_TEST

/* A sweep reads its points' quoted files back and writes its own cells
 * through the same writer: a formula-like value guarded, a negative number
 * plain, the cost the points' real total. */
START_TEST(sweep_reads_quoted_cells_back)
{
	static char text[1 << 20], cost[1 << 16];
	char args[1024], path[600];
	snprintf(args, sizeof(args),
		 "sweep tests/fixtures/hostile-text.yaml --vary 'description=-0.5,=1+2' -q -o %s/s",
		 tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/s/sweep.csv", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(!strncmp(text, "point,description,resource,metric,mean,ci95_low,ci95_high,unit\n", 63));
	ck_assert_msg(strstr(text, "\n0,-0.5,jobs,NumberOfMessagesSent,"), "%.2000s", text);
	ck_assert_msg(strstr(text, "\n1,\"'=1+2\",jobs,NumberOfMessagesSent,"), "%.2000s", text);
	/* The cost column: point 0's TOTAL as its cost.csv has it. */
	snprintf(path, sizeof(path), "%s/s/points/0/cost.csv", tmpdir);
	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	char total[64] = "";
	while (sim_csv_read(&r) > 0)
		if (!strcmp(r.cells[0], "TOTAL") && !strcmp(r.cells[2], "measurement window"))
			snprintf(total, sizeof(total), "%s", r.cells[6]);
	sim_csv_reader_finish(&r);
	fclose(f);
	ck_assert_str_ne(total, "");
	ck_assert_str_ne(total, "999");
	snprintf(cost, sizeof(cost), "\n0,-0.5,cost,total_usd,%s,,,USD\n", total);
	ck_assert_msg(strstr(text, cost), "%s not in %.2000s", cost, text);
}
END_TEST

/* report:text ------------------------------------------------------------- */

START_TEST(rendered_text_is_valid_utf8_without_controls)
{
	static char text[1 << 16];
	char args[1024], path[600];
	bool gnuplot = have_gnuplot("report:text");
	snprintf(args, sizeof(args), "run tests/fixtures/hostile-text.yaml -o %s/h", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	/* The terminal: nothing to interpret, valid UTF-8. */
	ck_assert_msg(sim_text_is_clean(out_text, SIM_TEXT_LINES), "%.2000s", out_text);
	ck_assert_msg(sim_text_is_clean(err_text, SIM_TEXT_LINES), "%.2000s", err_text);
	static const char *const files[] = {
		"report.html", "report.md", "plots/queue-depth.gp", "plots/age-of-oldest.gp",
		"plots/concurrency.gp", "plots/dwell.gp", "plots/dwell.dat", "plots/cost.gp",
		"plots/queue-depth.svg", "plots/dwell.svg", "plots/cost.svg",
	};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		if (!gnuplot && strstr(files[i], ".svg"))
			continue;
		snprintf(path, sizeof(path), "%s/h/%s", tmpdir, files[i]);
		ck_assert_msg(file_is_clean(path), "%s: invalid UTF-8 or a control character",
			      files[i]);
	}
	/* JSON: valid UTF-8, control characters escaped. */
	static const char *const json[] = { "manifest.json", "findings.json", "summary.json" };
	for (size_t i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/h/%s", tmpdir, json[i]);
		size_t n = harness_slurp(path, text, sizeof(text));
		ck_assert_msg(n > 0 && sim_text_is_clean(text, SIM_TEXT_LINES), "%s", json[i]);
	}
	/* The title: escapes as symbols, the C1 control as U+FFFD, the
	 * description cut to 200 bytes between two characters. */
	snprintf(path, sizeof(path), "%s/h/plots/queue-depth.gp", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert_msg(strstr(text, "\nset title 'Queue depth (in a dead-letter queue: dead-lettered) - "
			     "hostile: \xE2\x90\x9B[31mred\xE2\x90\x9B[0m, a bell\xE2\x90\x87 and a C1 "
			     "\xEF\xBF\xBD: Z\xC3\xBCrich\xE2\x80\x93Gen\xC3\xA8ve \xC3\x86\xC3\x98\xC3\x85 "
			     "\xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86"
			     "\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88 \xE2\x98\x83 Z\xC3\xBCrich\xE2\x80\x93"
			     "Gen\xC3\xA8ve \xC3\x86\xC3\x98\xC3\x85 \xE2\x9C\x93 \xE6\x97\xA5\xE6\x9C\xAC"
			     "\xE8\xAA\x9E\xE3\x81\xAE\xE3\x83\x86\xE3\x82\xAD\xE3\x82\xB9\xE3\x83\x88 "
			     "\xE2\x98\x83 Z\xC3\xBCrich\xE2\x80\x93Gen\xC3\xA8ve \xC3\x86\xC3\x98\xC3\x85 "
			     "\xE2\x9C\x93 \xE2\x80\xA6'\n"), "%.2000s", text);
	/* The HTML keeps the whole description, the escapes as symbols. */
	snprintf(path, sizeof(path), "%s/h/report.html", tmpdir);
	static char html[1 << 20];
	ck_assert(harness_slurp(path, html, sizeof(html)) > 0);
	ck_assert(strstr(html, "<p>\xE2\x90\x9B[31mred\xE2\x90\x9B[0m, a bell\xE2\x90\x87 and a C1 "
			       "\xEF\xBF\xBD: Z\xC3\xBC"));
	ck_assert(strstr(html, "\xE2\x98\x83 end</p>"));
}
END_TEST

/* The terminal's other tables (the streaming doors side by side) print
 * through the same path and stay clean. */
START_TEST(terminal_tables_are_clean)
{
	char args[1024];
	snprintf(args, sizeof(args), "run scenarios/llm-streaming.yaml --no-review -o %s/l", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	ck_assert_msg(strstr(out_text, "\nstreaming options (TTFB and time to last token"),
		      "%.2000s", out_text);
	ck_assert_msg(strstr(out_text, "\nchat_ws        websocket sync "), "%.2000s", out_text);
	ck_assert(sim_text_is_clean(out_text, SIM_TEXT_LINES));
}
END_TEST

/* report:scripts ---------------------------------------------------------- */

/* Whether the script's first line holds the SHA-256 of the rest. */
static bool checksum_holds(const char *text)
{
	static const char head[] = "# spillway sha256 ";
	const char *nl = strchr(text, '\n');
	if (strncmp(text, head, sizeof(head) - 1) || !nl)
		return false;
	char hex[65];
	sim_sha256_mem(nl + 1, strlen(nl + 1), hex);
	return !strncmp(text + sizeof(head) - 1, hex, 64);
}

START_TEST(edited_script_is_kept)
{
	static char theirs[1 << 16], mine[(1 << 16) + 64], other[1 << 16], text[(1 << 16) + 64];
	char args[1024], path[600], other_path[600];
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/r/plots/queue-depth.gp", tmpdir);
	snprintf(other_path, sizeof(other_path), "%s/r/plots/age-of-oldest.gp", tmpdir);
	ck_assert(harness_slurp(path, theirs, sizeof(theirs)) > 0);
	ck_assert(harness_slurp(other_path, other, sizeof(other)) > 0);
	/* The user restyles one script, as the README suggests, and redraws. */
	snprintf(mine, sizeof(mine), "%sset border lw 3 # mine\n", theirs);
	FILE *f = fopen(path, "w");
	fputs(mine, f);
	fclose(f);
	snprintf(args, sizeof(args), "report %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert_str_eq(text, mine);
	ck_assert_msg(strstr(err_text, "spillway: note: plots/queue-depth.gp was edited: kept and "
				       "used as it is (remove it to get spillway's script back)\n"),
		      "%.2000s", err_text);
	/* The unedited one is spillway's again, byte for byte; both carry
	 * the checksum of the rest of the file on their first line. */
	ck_assert(harness_slurp(other_path, text, sizeof(text)) > 0);
	ck_assert_str_eq(text, other);
	ck_assert(!strstr(err_text, "age-of-oldest.gp"));
	ck_assert(checksum_holds(theirs));
	ck_assert(checksum_holds(other));
	/* A script without the checksum line is the user's too. */
	f = fopen(other_path, "w");
	fputs("plot 'age-of-oldest.dat' using 1:2\n", f);
	fclose(f);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	ck_assert(harness_slurp(other_path, text, sizeof(text)) > 0);
	ck_assert_str_eq(text, "plot 'age-of-oldest.dat' using 1:2\n");
	/* Removed, it comes back as spillway wrote it. */
	remove(path);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert_str_eq(text, theirs);
}
END_TEST

/* spillway report on a run whose review re-simulated a fix: the what-if's
 * result is read back from whatif/, so report.md and findings.json come
 * out byte for byte as the run wrote them. */
START_TEST(report_reads_the_whatif_back)
{
	char args[1200], path[600];
	static char before[1 << 17], after[1 << 17], json[1 << 17], json2[1 << 17];
	snprintf(args, sizeof(args), "run scenarios/custom-retry.yaml --replications 1 -q -o %s/r",
		 tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/r/whatif/RTY1-4/manifest.json", tmpdir);
	ck_assert_msg(exists(path), "%s", path);
	snprintf(path, sizeof(path), "%s/r/report.md", tmpdir);
	ck_assert(harness_slurp(path, before, sizeof(before)) > 0);
	ck_assert_msg(strstr(before, "What-if (re-simulated): on\\_failure={retry: scheduler"),
		      "%.3000s", before);
	snprintf(path, sizeof(path), "%s/r/findings.json", tmpdir);
	ck_assert(harness_slurp(path, json, sizeof(json)) > 0);
	snprintf(args, sizeof(args), "report %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/r/report.md", tmpdir);
	ck_assert(harness_slurp(path, after, sizeof(after)) > 0);
	ck_assert_msg(!strcmp(after, before), "report.md is not as the run wrote it");
	snprintf(path, sizeof(path), "%s/r/findings.json", tmpdir);
	ck_assert(harness_slurp(path, json2, sizeof(json2)) > 0);
	ck_assert_msg(!strcmp(json2, json), "findings.json is not as the run wrote it");
}
END_TEST

/* report:gnuplot ---------------------------------------------------------- */

START_TEST(plot_without_points_is_left_out)
{
	static char text[1 << 16];
	char args[1024], path[600];
	if (!have_gnuplot("report:gnuplot"))
		return;
	snprintf(args, sizeof(args), "run tests/fixtures/undelivered.yaml -q -o %s/u", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	ck_assert_msg(strstr(err_text, "spillway: note: plot dwell (Dwell time per tenant (send to "
				       "done)) left out: it has no valid point\n"), "%.2000s", err_text);
	ck_assert_msg(!strstr(err_text, "gnuplot"), "%.2000s", err_text);
	snprintf(path, sizeof(path), "%s/u/plots/dwell.gp", tmpdir);
	ck_assert(!exists(path));
	snprintf(path, sizeof(path), "%s/u/plots/queue-depth.svg", tmpdir);
	ck_assert(exists(path));
	snprintf(path, sizeof(path), "%s/u/report.md", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(!strstr(text, "plots/dwell"));
	ck_assert(strstr(text, "plots/queue-depth.svg"));
	ck_assert(!strstr(text, "gnuplot could not run"));
}
END_TEST

/* The same in a sweep: a column with no value at any point (the queue
 * never drains) is left out of the sweep's plots; the table is printed. */
START_TEST(sweep_plot_without_points_is_left_out)
{
	static char text[1 << 16];
	char args[1024], path[600];
	if (!have_gnuplot("report:gnuplot"))
		return;
	snprintf(args, sizeof(args),
		 "sweep tests/fixtures/undelivered.yaml --vary 'duration=1m,2m' "
		 "--print jobs.DrainTime,jobs.NumberOfMessagesSent -o %s/s", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	ck_assert_msg(strstr(err_text, "spillway: note: plot sweep-1 (jobs.DrainTime against "
				       "duration) left out: it has no valid point\n"), "%.2000s", err_text);
	ck_assert_msg(!strstr(err_text, "gnuplot"), "%.2000s", err_text);
	ck_assert_msg(strstr(out_text, "point  duration"), "%.2000s", out_text);
	snprintf(path, sizeof(path), "%s/s/report.md", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(!strstr(text, "plots/sweep-1."));
	ck_assert(strstr(text, "plots/sweep-2.svg"));
}
END_TEST

/* gnuplot fails on a plot (here: its PNG cannot be written, a directory
 * is in the way): the plot and gnuplot's message are named, and nothing
 * claims gnuplot is missing. */
START_TEST(gnuplot_failure_names_the_plot)
{
	static char text[1 << 16];
	char args[1024], path[600];
	if (!have_gnuplot("report:gnuplot"))
		return;
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/r", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	snprintf(path, sizeof(path), "%s/r/plots/queue-depth.png", tmpdir);
	ck_assert_int_eq(remove(path), 0);
	ck_assert_int_eq(mkdir(path, 0777), 0);
	snprintf(args, sizeof(args), "report %s/r", tmpdir);
	ck_assert_int_eq(spillway(args), 0);
	ck_assert_msg(strstr(err_text, "spillway: warning: gnuplot failed on plot queue-depth (Queue "
				       "depth (in a dead-letter queue: dead-lettered)): "),
		      "%.2000s", err_text);
	ck_assert_msg(strstr(err_text, "; see plots/gnuplot.log\n"), "%.2000s", err_text);
	ck_assert_msg(!strstr(err_text, "installed"), "%.2000s", err_text);
	ck_assert_msg(!strstr(err_text, "age-of-oldest"), "%.2000s", err_text);
	snprintf(path, sizeof(path), "%s/r/report.md", tmpdir);
	ck_assert(harness_slurp(path, text, sizeof(text)) > 0);
	ck_assert(strstr(text, "[script](plots/queue-depth.gp)) (gnuplot failed on this plot: see "
			       "plots/gnuplot.log)"));
	ck_assert(!strstr(text, "gnuplot could not run"));
}
END_TEST

/* report:errors ----------------------------------------------------------- */

/* report.md on a device that is always full: the cause and the file. */
START_TEST(full_disk_names_cause_and_file)
{
	char args[1024], path[600], want[1200];
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	snprintf(path, sizeof(path), "%s/r/report.md", tmpdir);
	ck_assert_int_eq(remove(path), 0);
	ck_assert_int_eq(symlink("/dev/full", path), 0);
	snprintf(args, sizeof(args), "report %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 1);
	snprintf(want, sizeof(want),
		 "spillway report: cannot write %s/r/report.md: No space left on device\n", tmpdir);
	ck_assert_msg(strstr(err_text, want), "%.2000s", err_text);
}
END_TEST

/* A real full file system, where the kernel allows a private mount (root
 * in a mount namespace): the report names the file and the cause. */
START_TEST(full_tmpfs_names_cause_and_file)
{
	char cmd[4000];
	if (system("unshare --mount true >/dev/null 2>&1") != 0) {
		fprintf(stderr, "report:errors: no private mounts here (unshare --mount): "
			"the tmpfs case was skipped\n");
		return;
	}
	char args[1024];
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/r", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	/* The run's files fit; the report's then find the disk full. */
	const char *t = tmpdir;
	snprintf(cmd, sizeof(cmd),
		 "unshare --mount sh -c 'mkdir -p %s/m && mount -t tmpfs -o size=2m tmpfs %s/m && "
		 "cp -r %s/r %s/m/r && rm -rf %s/m/r/plots %s/m/r/report.md %s/m/r/report.html && "
		 "(dd if=/dev/zero of=%s/m/fill bs=4k 2>/dev/null; true) && "
		 "PATH=/nonexistent %s report %s/m/r; echo \"status $?\"' "
		 ">%s/out 2>&1", t, t, t, t, t, t, t, t, SPILLWAY_BIN, t, t);
	ck_assert_int_eq(system(cmd), 0);
	char path[600];
	snprintf(path, sizeof(path), "%s/out", tmpdir);
	harness_slurp(path, err_text, sizeof(err_text));
	char want[700];
	snprintf(want, sizeof(want), "spillway report: cannot create %s/m/r/plots: No space left on device\n"
		 "status 1\n", tmpdir);
	if (!strstr(err_text, want)) {
		/* A directory may still fit: then the first file does not. */
		snprintf(want, sizeof(want), "spillway report: cannot write %s/m/r/plots/", tmpdir);
		ck_assert_msg(strstr(err_text, want), "%.2000s", err_text);
	}
	ck_assert_msg(strstr(err_text, ": No space left on device\nstatus 1\n"), "%.2000s", err_text);
	ck_assert_msg(!strstr(err_text, "Input/output error") && !strstr(err_text, "Success"),
		      "%.2000s", err_text);
}
END_TEST

/* Each way a report can fail to be written or read, on a copy of a run:
 * the exit status and the one message, naming the file and the cause. */
START_TEST(report_failures_name_file_and_cause)
{
	static const struct {
		const char *what;  /* done in the copy $D (a shell command) */
		int status;
		const char *line;  /* what stderr holds, D standing for the copy */
	} cases[] = {
		{ "ln -sf /dev/full $D/findings.json", 1,
		  "spillway report: cannot write D/findings.json: No space left on device\n" },
		{ "ln -sf /dev/full $D/report.html", 1,
		  "spillway report: cannot write D/report.html: No space left on device\n" },
		{ "rm $D/report.html && mkdir $D/report.html", 1,
		  "spillway report: cannot write D/report.html: Is a directory\n" },
		{ "rm $D/report.md && mkdir $D/report.md", 1,
		  "spillway report: cannot write D/report.md: Is a directory\n" },
		{ "rm $D/plots/queue-depth.dat && mkdir $D/plots/queue-depth.dat", 1,
		  "spillway report: cannot write D/plots/queue-depth.dat: Is a directory\n" },
		{ "ln -sf /dev/full $D/plots/dwell.dat", 1,
		  "spillway report: cannot write D/plots/dwell.dat: No space left on device\n" },
		{ "rm $D/plots/cost.dat && mkdir $D/plots/cost.dat", 1,
		  "spillway report: cannot write D/plots/cost.dat: Is a directory\n" },
		{ "rm $D/plots/queue-depth.gp && mkdir $D/plots/queue-depth.gp", 1,
		  "spillway report: cannot read D/plots/queue-depth.gp: Is a directory\n" },
		{ "cd $D/plots && rm queue-depth.gp && ln -s queue-depth.gp queue-depth.gp", 1,
		  "spillway report: cannot read D/plots/queue-depth.gp: Too many levels of symbolic links\n" },
		{ "rm -r $D/plots && touch $D/plots", 1,
		  "spillway report: cannot write D/plots/queue-depth.dat: Not a directory\n" },
		{ "rm $D/summary.csv", 1,
		  "spillway report: cannot read the results in D: No such file or directory\n" },
		{ "printf 'resource,metric\\n\"open,x\\n' > $D/summary.csv", 1,
		  "spillway report: cannot read the results in D: Invalid argument\n" },
		{ "rm $D/scenario.resolved.yaml", 2,
		  "spillway report: D is not a finished spillway run\n" },
	};
	char cmd[4000], dir[600], args[1024], want[1200];
	snprintf(args, sizeof(args), "run tests/fixtures/review.yaml -q -o %s/base", tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(dir, sizeof(dir), "%s/c%zu", tmpdir, i);
		snprintf(cmd, sizeof(cmd), "cp -r %s/base %s && D=%s && %s", tmpdir, dir, dir,
			 cases[i].what);
		ck_assert_msg(system(cmd) == 0, "%s", cmd);
		snprintf(args, sizeof(args), "report %s", dir);
		int st = spillway_env("PATH=/nonexistent", args);
		/* The line with the copy's path for its " D". */
		const char *at = strstr(cases[i].line, " D");
		ck_assert(at != NULL);
		snprintf(want, sizeof(want), "%.*s%s%s", (int)(at + 1 - cases[i].line),
			 cases[i].line, dir, at + 2);
		if (st != cases[i].status || !strstr(err_text, want))
			fail_add(&f, "%s: status %d, stderr: %.300s", cases[i].what, st, err_text);
	}
	FAILS_CHECK(f);
}
END_TEST

/* report:json ------------------------------------------------------------- */

#define FFFD "\xEF\xBF\xBD"

/* The file at path parsed (the test fails when it does not parse). */
static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	ck_assert_msg(doc != NULL, "%s:%d:%d: %s", path, e.line, e.column, e.text);
	return doc;
}

/* Whether o's keys are keys[0..n), in that order. */
static void keys_are(const json_t *o, const char *const *keys, size_t n)
{
	ck_assert_msg(json_is_object(o), "not an object");
	ck_assert_uint_eq(json_object_size(o), n);
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)o, k, v)
		ck_assert_str_eq(k, keys[i++]);
}

static const char *text_at(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	ck_assert_msg(json_is_string(v), "%s is not a string", key);
	return json_string_value(v);
}

/* x as the CSV writers write it (%.10g), read back. */
static double as_written(double x)
{
	char buf[32];
	snprintf(buf, sizeof(buf), "%.10g", x);
	return strtod(buf, NULL);
}

static const char *const summary_keys[] = { "resource", "metric", "mean", "ci95_low",
					    "ci95_high", "unit", "replications" };

START_TEST(summary_and_manifest_read_back)
{
	char hostile[] = "q\"b\\c\x01\x1B\xFF", wait[] = "WaitTime", other[] = "r",
	     drain[] = "DrainTime", count[] = "Count";
	double v0[] = { 1.5, 2.5, 3.25 }, v1[] = { NAN, NAN, NAN }, v2[] = { 7, 7, 7 };
	struct sim_metric m[] = {
		{ .resource = hostile, .metric = wait, .unit = "s", .values = v0 },
		{ .resource = other, .metric = drain, .unit = "s", .values = v1 },
		{ .resource = other, .metric = count, .unit = "count", .values = v2 },
	};
	struct sim_outcome o = { .results = { .v = m, .n = 3, .replications = 3 },
				 .events = 123456789012ULL, .ties = 6 };
	char path[600];
	snprintf(path, sizeof(path), "%s/summary.json", tmpdir);
	ck_assert_int_eq(rpt_write_summary_json(path, &o), 0);
	json_t *doc = load_json(path);
	ck_assert(json_is_array(doc));
	ck_assert_uint_eq(json_array_size(doc), 3);
	for (size_t i = 0; i < 3; i++)
		keys_are(json_array_get(doc, i), summary_keys, 7);
	const json_t *r0 = json_array_get(doc, 0), *r1 = json_array_get(doc, 1),
		     *r2 = json_array_get(doc, 2);
	ck_assert_str_eq(text_at(r0, "resource"), "q\"b\\c\x01\x1B" FFFD);
	ck_assert_str_eq(text_at(r0, "metric"), "WaitTime");
	ck_assert_str_eq(text_at(r0, "unit"), "s");
	struct sim_ci ci;
	sim_metric_ci(&m[0], 3, &ci);
	ck_assert(json_is_real(json_object_get(r0, "mean")));
	ck_assert_double_eq(json_number_value(json_object_get(r0, "mean")), as_written(ci.mean));
	ck_assert_double_eq(json_number_value(json_object_get(r0, "ci95_low")), as_written(ci.low));
	ck_assert_double_eq(json_number_value(json_object_get(r0, "ci95_high")), as_written(ci.high));
	ck_assert_int_eq(json_integer_value(json_object_get(r0, "replications")), 3);
	/* Never reported: NaN, written as null. */
	ck_assert(json_is_null(json_object_get(r1, "mean")));
	ck_assert(json_is_null(json_object_get(r1, "ci95_low")));
	ck_assert(json_is_null(json_object_get(r1, "ci95_high")));
	ck_assert_int_eq(json_integer_value(json_object_get(r1, "replications")), 0);
	/* A whole number as %.10g writes it: "7", not "7.0". */
	ck_assert(json_is_integer(json_object_get(r2, "mean")));
	ck_assert_int_eq(json_integer_value(json_object_get(r2, "mean")), 7);
	json_decref(doc);

	struct scenario scn = { .name = "n\"\\\x1B\xC3", .seed = 42,
				.duration = sim_time_from_s(100), .warmup = sim_time_from_s(0.5),
				.replications = 3, .sample_interval = sim_time_from_s(0.001) };
	char assumed[] = "resources.q.delay", *assumed_v[] = { assumed };
	scn.assumed = assumed_v;
	scn.n_assumed = 1;
	static const char *const sets[] = { "description=\"x\\y\"" }, *const prices[] = { "k" };
	struct rpt_manifest man = { .version = "0.1.0", .scenario_path = "p\xFF\t.yaml",
				    .scenario_sha256 = "abc", .sets = sets, .n_sets = 1,
				    .unconfirmed_prices = prices, .n_unconfirmed_prices = 1 };
	static const char *const keys[] = {
		"spillway_version", "scenario", "scenario_sha256", "name", "seed",
		"replications", "duration_s", "warmup_s", "sample_interval_s", "set",
		"unconfirmed_defaults", "pricing", "unconfirmed_prices", "events",
		"same_time_events", "files",
	};
	static const char *const files[] = { "scenario.resolved.yaml", "timeseries.csv",
					     "summary.csv", "summary.json", "tenants.csv",
					     "cost.csv" };
	snprintf(path, sizeof(path), "%s/manifest.json", tmpdir);
	for (int priced = 0; priced < 2; priced++) {
		man.pricing = priced ? "pricing/x\".yaml" : NULL;
		ck_assert_int_eq(rpt_write_manifest(path, &scn, &o, &man), 0);
		doc = load_json(path);
		if (priced) {
			keys_are(doc, keys, 16);
			ck_assert_str_eq(text_at(doc, "pricing"), "pricing/x\".yaml");
		} else {
			/* Without a pricing file: no "pricing", no cost.csv. */
			json_t *k = json_array();
			for (size_t i = 0; i < 16; i++)
				if (strcmp(keys[i], "pricing"))
					json_array_append_new(k, json_string(keys[i]));
			const char *kv[15];
			for (size_t i = 0; i < 15; i++)
				kv[i] = json_string_value(json_array_get(k, i));
			keys_are(doc, kv, 15);
			json_decref(k);
		}
		ck_assert_str_eq(text_at(doc, "spillway_version"), "0.1.0");
		ck_assert_str_eq(text_at(doc, "scenario"), "p" FFFD "\t.yaml");
		ck_assert_str_eq(text_at(doc, "scenario_sha256"), "abc");
		ck_assert_str_eq(text_at(doc, "name"), "n\"\\\x1B" FFFD);
		ck_assert_int_eq(json_integer_value(json_object_get(doc, "seed")), 42);
		ck_assert_int_eq(json_integer_value(json_object_get(doc, "replications")), 3);
		ck_assert(json_is_integer(json_object_get(doc, "duration_s")));
		ck_assert_int_eq(json_integer_value(json_object_get(doc, "duration_s")), 100);
		ck_assert_double_eq(json_number_value(json_object_get(doc, "warmup_s")), 0.5);
		ck_assert_double_eq(json_number_value(json_object_get(doc, "sample_interval_s")), 0.001);
		ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "set"), 0)),
				 "description=\"x\\y\"");
		ck_assert_str_eq(json_string_value(json_array_get(
					 json_object_get(doc, "unconfirmed_defaults"), 0)),
				 "resources.q.delay");
		ck_assert_str_eq(json_string_value(json_array_get(
					 json_object_get(doc, "unconfirmed_prices"), 0)), "k");
		ck_assert_int_eq(json_integer_value(json_object_get(doc, "events")), 123456789012LL);
		ck_assert_int_eq(json_integer_value(json_object_get(doc, "same_time_events")), 6);
		const json_t *fl = json_object_get(doc, "files");
		ck_assert_uint_eq(json_array_size(fl), priced ? 6 : 5);
		for (size_t i = 0; i < json_array_size(fl); i++)
			ck_assert_str_eq(json_string_value(json_array_get(fl, i)), files[i]);
		json_decref(doc);
	}

	/* Failures: -1 and the cause in errno. */
	snprintf(path, sizeof(path), "%s/none/summary.json", tmpdir);
	errno = 0;
	ck_assert_int_eq(rpt_write_summary_json(path, &o), -1);
	ck_assert_int_eq(errno, ENOENT);
	errno = 0;
	ck_assert_int_eq(rpt_write_summary_json("/dev/full", &o), -1);
	ck_assert_int_eq(errno, ENOSPC);
	errno = 0;
	ck_assert_int_eq(rpt_write_manifest("/dev/full", &scn, &o, &man), -1);
	ck_assert_int_eq(errno, ENOSPC);
}
END_TEST

/* The JSON files of a run and of a plan of a scenario found through a path
 * with a quote, a backslash, a control character and invalid UTF-8. */
START_TEST(run_and_plan_json_read_back)
{
	char cmd[2000], path[800], args[2000];
	static const char name[] = "q\"b\\c\x01\xFF.yaml";
	static const char repaired[] = "q\"b\\c\x01" FFFD ".yaml";
	/* The fixture's pricing file is found beside the scenario's path. */
	snprintf(cmd, sizeof(cmd), "cd '%s' && ln -s '%s/tests/fixtures/pricing' pricing && "
		 "ln -s '%s/tests/fixtures/hostile-text.yaml' '%s'", tmpdir, SOURCE_DIR,
		 SOURCE_DIR, name);
	ck_assert_int_eq(system(cmd), 0);
	snprintf(args, sizeof(args), "run '%s/%s' -q -o %s/r --set 'description=a\"b\\c' "
		 "--set replications=1", tmpdir, name, tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);

	snprintf(path, sizeof(path), "%s/r/manifest.json", tmpdir);
	json_t *doc = load_json(path);
	char want[800];
	snprintf(want, sizeof(want), "%s/%s", tmpdir, repaired);
	ck_assert_str_eq(text_at(doc, "scenario"), want);
	ck_assert_str_eq(text_at(doc, "name"), "hostile");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "set"), 0)),
			 "description=a\"b\\c");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "replications")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "duration_s")), 120);
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(doc, "files"), 5)),
			 "cost.csv");
	json_decref(doc);

	/* summary.json: the rows of summary.csv, the same numbers; one
	 * replication, so no interval: null. */
	snprintf(path, sizeof(path), "%s/r/summary.json", tmpdir);
	doc = load_json(path);
	snprintf(path, sizeof(path), "%s/r/summary.csv", tmpdir);
	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, f);
	ck_assert_int_gt(sim_csv_read(&rd), 0);
	size_t n = 0;
	bool sent = false;
	while (sim_csv_read(&rd) > 0) {
		const json_t *row = json_array_get(doc, n++);
		ck_assert_msg(row != NULL, "summary.json has fewer rows than summary.csv");
		keys_are(row, summary_keys, 7);
		ck_assert_str_eq(text_at(row, "resource"), rd.cells[0]);
		ck_assert_str_eq(text_at(row, "metric"), rd.cells[1]);
		ck_assert_str_eq(text_at(row, "unit"), rd.cells[5]);
		for (size_t c = 2; c < 5; c++) {
			const json_t *v = json_object_get(row, summary_keys[c]);
			if (!*rd.cells[c] || !strcmp(rd.cells[c], "nan")) {
				ck_assert_msg(json_is_null(v), "%s.%s %s", rd.cells[0],
					      rd.cells[1], summary_keys[c]);
				continue;
			}
			ck_assert_msg(json_is_number(v), "%s.%s %s", rd.cells[0], rd.cells[1],
				      summary_keys[c]);
			ck_assert_double_eq(json_number_value(v), strtod(rd.cells[c], NULL));
		}
		ck_assert(json_is_null(json_object_get(row, "ci95_low")));
		if (!strcmp(rd.cells[0], "jobs") && !strcmp(rd.cells[1], "NumberOfMessagesSent")) {
			ck_assert_int_eq(json_integer_value(json_object_get(row, "mean")), 584);
			sent = true;
		}
	}
	sim_csv_reader_finish(&rd);
	fclose(f);
	ck_assert(sent);
	ck_assert_uint_eq(json_array_size(doc), n);
	json_decref(doc);

	/* findings.json: the queue without a dead-letter queue (no fix), the
	 * small batches (a fix and its what-if). */
	static const char *const finding_keys[] = { "id", "severity", "title", "resource",
						    "finding", "rationale", "source", "fix",
						    "what_if" };
	snprintf(path, sizeof(path), "%s/r/findings.json", tmpdir);
	doc = load_json(path);
	ck_assert_uint_eq(json_array_size(doc), 2);
	const json_t *x0 = json_array_get(doc, 0), *x1 = json_array_get(doc, 1);
	keys_are(x0, finding_keys, 9);
	keys_are(x1, finding_keys, 9);
	ck_assert_str_eq(text_at(x0, "id"), "SQS1");
	ck_assert_str_eq(text_at(x0, "severity"), "warning");
	ck_assert_str_eq(text_at(x0, "resource"), "jobs");
	ck_assert(strstr(text_at(x0, "source"), "\"Redrive\""));
	ck_assert(json_is_null(json_object_get(x0, "fix")));
	ck_assert(json_is_null(json_object_get(x0, "what_if")));
	ck_assert_str_eq(text_at(x1, "id"), "ESM2");
	ck_assert_str_eq(text_at(x1, "fix"), "resources.fn.event_sources[0].maximum_batching_window=1s");
	ck_assert(!strncmp(text_at(x1, "what_if"), "maximum_batching_window=1s: dead-lettered ", 42));
	json_decref(doc);

	/* plan.json and the plan's manifest. */
	snprintf(args, sizeof(args), "plan '%s/%s' -q -j 1 -o %s/p --vary "
		 "resources.fn.memory=128MB,256MB --require 'jobs.NumberOfMessagesSent>0'",
		 tmpdir, name, tmpdir);
	ck_assert_int_eq(spillway_env("PATH=/nonexistent", args), 0);
	static const char *const plan_keys[] = { "scenario", "minimize", "search", "points",
						 "simulated", "chosen", "runners_up", "rejected",
						 "not_simulated" };
	static const char *const point_keys[] = { "point", "values", "objective" };
	snprintf(path, sizeof(path), "%s/p/plan.json", tmpdir);
	doc = load_json(path);
	keys_are(doc, plan_keys, 9);
	ck_assert_str_eq(text_at(doc, "scenario"), want);
	ck_assert_str_eq(text_at(doc, "minimize"), "cost");
	ck_assert_str_eq(text_at(doc, "search"), "grid");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "points")), 2);
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "simulated")), 2);
	const json_t *chosen = json_object_get(doc, "chosen");
	keys_are(chosen, point_keys, 3);
	ck_assert_int_eq(json_integer_value(json_object_get(chosen, "point")), 0);
	ck_assert_str_eq(text_at(chosen, "values"), "resources.fn.memory=128MB");
	ck_assert(json_number_value(json_object_get(chosen, "objective")) > 0);
	const json_t *ru = json_object_get(doc, "runners_up");
	ck_assert_uint_eq(json_array_size(ru), 1);
	keys_are(json_array_get(ru, 0), point_keys, 3);
	ck_assert_int_eq(json_integer_value(json_object_get(json_array_get(ru, 0), "point")), 1);
	ck_assert(json_number_value(json_object_get(json_array_get(ru, 0), "objective")) >
		  json_number_value(json_object_get(chosen, "objective")));
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "rejected")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "not_simulated")), 0);
	json_decref(doc);
	static const char *const sweep_keys[] = { "spillway_version", "command", "scenario",
						  "scenario_sha256", "set", "vary", "points" };
	snprintf(path, sizeof(path), "%s/p/manifest.json", tmpdir);
	doc = load_json(path);
	keys_are(doc, sweep_keys, 7);
	ck_assert_str_eq(text_at(doc, "command"), "plan");
	ck_assert_str_eq(text_at(doc, "scenario"), want);
	ck_assert_uint_eq(strlen(text_at(doc, "scenario_sha256")), 64);
	ck_assert_uint_eq(json_array_size(json_object_get(doc, "set")), 0);
	const json_t *vary = json_array_get(json_object_get(doc, "vary"), 0);
	ck_assert_str_eq(text_at(vary, "path"), "resources.fn.memory");
	ck_assert_str_eq(json_string_value(json_array_get(json_object_get(vary, "values"), 1)),
			 "256MB");
	ck_assert_int_eq(json_integer_value(json_object_get(doc, "points")), 2);
	json_decref(doc);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("report");
	TCase *tc = tcase_create("report:csv");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, cost_csv_quotes_and_guards);
	tcase_add_test(tc, sweep_reads_quoted_cells_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("report:text");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, rendered_text_is_valid_utf8_without_controls);
	tcase_add_test(tc, terminal_tables_are_clean);
	suite_add_tcase(s, tc);
	tc = tcase_create("report:scripts");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, edited_script_is_kept);
	tcase_add_test(tc, report_reads_the_whatif_back);
	suite_add_tcase(s, tc);
	tc = tcase_create("report:gnuplot");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, plot_without_points_is_left_out);
	tcase_add_test(tc, gnuplot_failure_names_the_plot);
	tcase_add_test(tc, sweep_plot_without_points_is_left_out);
	suite_add_tcase(s, tc);
	tc = tcase_create("report:errors");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, full_disk_names_cause_and_file);
	tcase_add_test(tc, full_tmpfs_names_cause_and_file);
	tcase_add_test(tc, report_failures_name_file_and_cause);
	suite_add_tcase(s, tc);
	tc = tcase_create("report:json");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, summary_and_manifest_read_back);
	tcase_add_test(tc, run_and_plan_json_read_back);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
