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
 */
#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "tests/harness.h"

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
	return s;
}

int main(void)
{
	return harness_main(suite());
}
