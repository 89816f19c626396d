/* test_safety.c - the spillway command stopped or refused: the memory
 * guard refuses an oversized scenario with a message saying what to change
 * and writes nothing; SIGINT and SIGTERM during a long run leave the
 * earlier outputs untouched and exit 130 / 143; a run killed with SIGKILL
 * leaves DIR.tmp-PID, which the next run into DIR removes. */
#include <check.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tests/harness.h"

#define QUICK "scenarios/mmc-c10-rho0.8.yaml"

static char tmpdir[256], out[300], err_path[300];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/spillway-safety-XXXXXX");
	ck_assert(mkdtemp(tmpdir) != NULL);
	snprintf(out, sizeof(out), "%s/out", tmpdir);
	snprintf(err_path, sizeof(err_path), "%s/stderr", tmpdir);
}

static void teardown(void)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Starts spillway with argv (NULL-terminated), stderr to err_path. */
static pid_t start(const char *const *argv)
{
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int null = open("/dev/null", O_WRONLY);
		dup2(fd, 2);
		dup2(null, 1);
		execv(SPILLWAY_BIN, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Waits for pid; its exit status, or 128 + the signal that killed it. */
static int finish(pid_t pid)
{
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static int run(const char *const *argv)
{
	return finish(start(argv));
}

static char *read_err(void)
{
	static char buf[8192];
	FILE *f = fopen(err_path, "r");
	size_t n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = '\0';
	if (f)
		fclose(f);
	return buf;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}


/* The earlier outputs: a quick run into out, and a copy of its manifest. */
static void earlier_outputs(void)
{
	const char *argv[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(argv), 0);
	char cmd[700];
	snprintf(cmd, sizeof(cmd), "cp '%s/manifest.json' '%s/manifest.before'", out, tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

/* Starts a run into out that takes minutes, and waits (up to 60 s) until
 * its temporary directory out.tmp-PID exists: it is simulating. */
static pid_t start_long(char *tmp, size_t size)
{
	const char *argv[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review",
			       "--set", "duration=1000h", NULL };
	pid_t pid = start(argv);
	snprintf(tmp, size, "%s.tmp-%ld", out, (long)pid);
	for (int i = 0; i < 600 && !exists(tmp); i++) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	ck_assert_msg(exists(tmp), "%s never appeared", tmp);
	return pid;
}

static void assert_earlier_outputs_intact(void)
{
	char a[700], b[700], cmd[1500];
	snprintf(a, sizeof(a), "%s/manifest.json", out);
	snprintf(b, sizeof(b), "%s/manifest.before", tmpdir);
	snprintf(cmd, sizeof(cmd), "cmp -s '%s' '%s'", a, b);
	ck_assert_msg(system(cmd) == 0, "the earlier outputs changed");
}

START_TEST(memory_guard_refuses_an_oversized_scenario)
{
	const char *huge[] = { SPILLWAY_BIN, "run", "scenarios/wellright.yaml", "-o", out,
			       "--set",
			       "tenants.bulk-upload.arrivals={burst: {count: 1000000000000, at: 1m}}",
			       NULL };
	ck_assert_int_eq(run(huge), 2);
	const char *e = read_err();
	ck_assert_msg(strstr(e, "scenarios/wellright.yaml: error: this run may need up to 6.4e+04 GB of memory (1e+12 messages") != NULL, "%s", e);
	ck_assert_msg(strstr(e, "send in cohorts") && strstr(e, "--memory-limit SIZE"), "%s", e);
	ck_assert(!exists(out));
	/* The limit is the user's to set: 10 MB refuses WellRight's 1 M
	 * messages (64 MB at most), none lets it through the guard. */
	const char *small[] = { SPILLWAY_BIN, "check", "scenarios/wellright.yaml", NULL };
	ck_assert_int_eq(run(small), 0);
	const char *capped[] = { SPILLWAY_BIN, "run", "scenarios/wellright.yaml", "-o", out,
				 "--memory-limit", "10MB", NULL };
	ck_assert_int_eq(run(capped), 2);
	ck_assert(strstr(read_err(), "more than the --memory-limit (0.01 GB)") != NULL);
	ck_assert(!exists(out));
	const char *bad[] = { SPILLWAY_BIN, "run", QUICK, "--memory-limit", "lots", NULL };
	ck_assert_int_eq(run(bad), 2);
	ck_assert(strstr(read_err(), "--memory-limit: expected a size such as 4GB, or none, got 'lots'") != NULL);
}
END_TEST

/* The guard follows the architecture's edges: a 2 M burst into a topic
 * with three queue subscribers makes 8 M messages in all (512 MB), which
 * counting the tenant's messages alone (128 MB) would let through. */
START_TEST(memory_guard_follows_fan_out)
{
	const char *argv[] = { SPILLWAY_BIN, "run", "tests/fixtures/fanout.yaml", "-o", out,
			       "--memory-limit", "300MB", NULL };
	ck_assert_int_eq(run(argv), 2);
	const char *e = read_err();
	ck_assert_msg(strstr(e, "this run may need up to 0.512 GB of memory (2e+06 messages "
			       "within the 600 s horizon, and 6e+06 copies made of them on the "
			       "way, the most, 2e+06, into 'a'") != NULL, "%s", e);
	ck_assert(!exists(out));
}
END_TEST

static void stop_with(int sig, int want)
{
	earlier_outputs();
	char tmp[400];
	pid_t pid = start_long(tmp, sizeof(tmp));
	ck_assert_int_eq(kill(pid, sig), 0);
	ck_assert_int_eq(finish(pid), want);
	assert_earlier_outputs_intact();
	ck_assert_msg(!exists(tmp), "%s left behind", tmp);
	ck_assert(strstr(read_err(), "left as it was") != NULL);
}

START_TEST(sigint_leaves_the_earlier_outputs_and_exits_130)
{
	stop_with(SIGINT, 130);
}
END_TEST

START_TEST(sigterm_leaves_the_earlier_outputs_and_exits_143)
{
	stop_with(SIGTERM, 143);
}
END_TEST

START_TEST(sigkill_leftovers_are_cleaned_by_the_next_run)
{
	earlier_outputs();
	char tmp[400];
	pid_t pid = start_long(tmp, sizeof(tmp));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(finish(pid), 128 + SIGKILL);
	/* Killed outright: the earlier outputs and the named leftover. */
	assert_earlier_outputs_intact();
	ck_assert(exists(tmp));
	const char *again[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(again), 0);
	ck_assert_msg(!exists(tmp), "%s not cleaned", tmp);
	ck_assert(strstr(read_err(), "left by a run that was killed") != NULL);
	char manifest[400];
	snprintf(manifest, sizeof(manifest), "%s/manifest.json", out);
	ck_assert(exists(manifest));
}
END_TEST

/* A scenario of 40,000 tenants (about two seconds to load and link): a
 * SIGTERM while it loads ends spillway at once, by the signal, with
 * nothing written, instead of being held until the simulation starts. */
START_TEST(a_signal_while_loading_ends_the_run_at_once)
{
	char path[400];
	snprintf(path, sizeof(path), "%s/many.yaml", tmpdir);
	FILE *f = fopen(path, "w");
	ck_assert(f != NULL);
	fputs("name: many\nduration: 10m\nreplications: 1\ntenants:\n", f);
	for (int i = 0; i < 40000; i++)
		fprintf(f, "  t%d:\n    target: desk\n    arrivals: {poisson: {rate: 1/h}}\n", i);
	fputs("resources:\n  desk:\n    type: station\n    servers: 1\n"
	      "    service: {exponential: {mean: 1s}}\n", f);
	ck_assert_int_eq(fclose(f), 0);
	const char *argv[] = { SPILLWAY_BIN, "run", path, "-o", out, "-q", NULL };
	struct timespec t0, t1, pause = { 0, 200000000 };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	pid_t pid = start(argv);
	nanosleep(&pause, NULL);
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double took = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM,
		      "status %d after %.1f s: not ended by the signal", st, took);
	ck_assert_msg(took < 10, "took %.1f s to stop", took);
	ck_assert(!exists(out));
}
END_TEST

/* Processes whose command line names path (a sweep's parent and its
 * workers, which are forks of it). */
static int processes_naming(const char *path)
{
	int n = 0;
	DIR *d = opendir("/proc");
	ck_assert(d != NULL);
	struct dirent *e;
	while ((e = readdir(d))) {
		char file[300], buf[4096];
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(file, sizeof(file), "/proc/%s/cmdline", e->d_name);
		FILE *f = fopen(file, "r");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
		for (size_t i = 0; i < len; i++)
			if (!buf[i])
				buf[i] = ' ';
		buf[len] = '\0';
		n += strstr(buf, path) != NULL;
	}
	closedir(d);
	return n;
}

/* Starts a sweep of two long points on two workers and waits until both
 * are simulating. */
static pid_t start_long_sweep(char *tmp, size_t size)
{
	const char *argv[] = { SPILLWAY_BIN, "sweep", QUICK, "-o", out, "-q", "-j", "2",
			       "--set", "duration=1000h", "--vary",
			       "resources.desk.servers=11,12", NULL };
	pid_t pid = start(argv);
	snprintf(tmp, size, "%s.tmp-%ld", out, (long)pid);
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "test $(ls -d '%s'/points/*.tmp-* 2>/dev/null | wc -l) = 2", tmp);
	for (int i = 0; i < 600 && system(cmd) != 0; i++) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	ck_assert_msg(system(cmd) == 0, "the points never started");
	return pid;
}

/* A sweep's workers do not outlive their parent: killed outright, the
 * workers stop; sent SIGTERM alone, it passes it on and cleans up. */
START_TEST(a_sweep_parent_takes_its_workers_along)
{
	char tmp[400];
	pid_t pid = start_long_sweep(tmp, sizeof(tmp));
	ck_assert_int_eq(kill(pid, SIGKILL), 0);
	ck_assert_int_eq(finish(pid), 128 + SIGKILL);
	int left = -1;
	for (int i = 0; i < 100 && (left = processes_naming(out)) != 0; i++) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	ck_assert_msg(left == 0, "%d workers still running 10 s after their parent died", left);
	char cmd[500];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	ck_assert_int_eq(system(cmd), 0);

	pid = start_long_sweep(tmp, sizeof(tmp));
	ck_assert_int_eq(kill(pid, SIGTERM), 0);
	ck_assert_int_eq(finish(pid), 143);
	ck_assert_msg(!exists(tmp), "%s left behind", tmp);
	ck_assert_int_eq(processes_naming(out), 0);
	ck_assert(strstr(read_err(), "left as it was") != NULL);
}
END_TEST

/* The time series is estimated before the run: a 1 ms sample interval over
 * 30 days (tens of terabytes) is refused, as is a run past --disk-limit,
 * with nothing written. */
START_TEST(disk_guard_refuses_a_huge_time_series)
{
	const char *huge[] = { SPILLWAY_BIN, "run", "scenarios/wellright.yaml", "-o", out, "-q",
			       "--set", "sample_interval=1ms", "--set", "duration=30d", NULL };
	alarm(60); /* the old code starts writing terabytes */
	ck_assert_int_eq(run(huge), 2);
	alarm(0);
	const char *e = read_err();
	ck_assert_msg(strstr(e, "scenarios/wellright.yaml: error: this run may write up to "
			       "3.18e+04 GB into ") &&
		      strstr(e, "(timeseries.csv: 37 rows every 1ms over 30d, 3 replications, "
				"and the plots' copy of one)"), "%s", e);
	ck_assert(!exists(out));
	const char *capped[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q",
				 "--disk-limit", "1MB", NULL };
	ck_assert_int_eq(run(capped), 2);
	ck_assert_msg(strstr(read_err(), "more than the --disk-limit (0.001 GB)") != NULL, "%s",
		      read_err());
	ck_assert(!exists(out));
	const char *sweep[] = { SPILLWAY_BIN, "sweep", QUICK, "-o", out, "-q", "--disk-limit",
				"1MB", "--vary", "resources.desk.servers=11,12", NULL };
	ck_assert_int_eq(run(sweep), 2);
	ck_assert(!exists(out));
	const char *bad[] = { SPILLWAY_BIN, "run", QUICK, "--disk-limit", "lots", NULL };
	ck_assert_int_eq(run(bad), 2);
	ck_assert(strstr(read_err(), "--disk-limit: expected a size such as 4GB, or none, got 'lots'") != NULL);
}
END_TEST

/* Memory that runs out all the same (the guard off, the address space
 * capped at 1 GB): exit 1 with a message, nothing left behind, instead of
 * an abort leaving DIR.tmp-PID. (AddressSanitizer needs terabytes of
 * address space: not under it.) */
START_TEST(out_of_memory_fails_the_run_cleanly)
{
#if defined(__SANITIZE_ADDRESS__)
	return;
#endif
	char path[400];
	snprintf(path, sizeof(path), "%s/oom.yaml", tmpdir);
	harness_put(path, "name: oom\nduration: 1h\nreplications: 1\ntenants:\n  t:\n"
		  "    target: q\n    arrivals: {burst: {count: 40000000, at: 1s}}\n"
		  "resources:\n  q:\n    type: sqs\n");
	pid_t pid = fork();
	ck_assert(pid >= 0);
	if (pid == 0) {
		struct rlimit lim = { 1L << 30, 1L << 30 };
		setrlimit(RLIMIT_AS, &lim);
		int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 2);
		execl(SPILLWAY_BIN, SPILLWAY_BIN, "run", path, "-o", out, "-q", "--no-review",
		      "--memory-limit", "none", (char *)NULL);
		_exit(127);
	}
	ck_assert_int_eq(finish(pid), 1);
	ck_assert_msg(strstr(read_err(), "spillway: out of memory (allocating ") &&
		      strstr(read_err(), "nothing written"), "%s", read_err());
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "ls -d '%s'* 2>/dev/null | grep -q .", out);
	ck_assert_msg(system(cmd) != 0, "something left at %s", out);
}
END_TEST

/* A loop with no delay fails the run (exit 1, nothing left behind) with a
 * message naming its resources; two million messages at one instant that
 * all move on are no stall. */
START_TEST(a_loop_at_one_instant_fails_the_run)
{
	const char *loop[] = { SPILLWAY_BIN, "run", "tests/fixtures/stall-loop.yaml", "-o", out,
			       "-q", "--no-review", NULL };
	alarm(60); /* the old code spins here until killed */
	ck_assert_int_eq(run(loop), 1);
	alarm(0);
	const char *e = read_err();
	ck_assert_msg(strstr(e, "no progress in simulated time: ") &&
		      strstr(e, "without a message sent, delivered or lost; the resources busy "
				"meanwhile: 'buffer' (NumberOfMessagesSent), 'imagery', "
				"'imagery-pipe' (Started)") &&
		      strstr(e, "spillway: run failed (the simulation could not go on); "
				"nothing written\n"), "%s", e);
	ck_assert(!exists(out));
	char tmp[400];
	snprintf(tmp, sizeof(tmp), "ls -d '%s'.* 2>/dev/null | grep -q .", out);
	ck_assert_msg(system(tmp) != 0, "something left beside %s", out);
	const char *busy[] = { SPILLWAY_BIN, "run", "tests/fixtures/busy-instant.yaml", "-o",
			       out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(busy), 0);
}
END_TEST

/* A function reading a FIFO queue in small batches: the run is reviewed
 * whole (exit 0): no batching window is suggested for it (its what-if
 * failed, and failed the run with "cannot write the report ...: Success"). */
START_TEST(a_fifo_consumer_is_reviewed_whole)
{
	const char *argv[] = { SPILLWAY_BIN, "run", "tests/fixtures/fifo-small-batches.yaml",
			       "-o", out, "-q", NULL };
	ck_assert_int_eq(run(argv), 0);
	char path[400], text[65536] = "";
	snprintf(path, sizeof(path), "%s/findings.json", out);
	FILE *f = fopen(path, "r");
	ck_assert(f != NULL);
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	text[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(text, "\"SQS1\"") && !strstr(text, "\"ESM2\""), "%s", text);
	ck_assert_msg(!strstr(read_err(), "what-if"), "%s", read_err());
	snprintf(path, sizeof(path), "%s/report.html", out);
	ck_assert(exists(path));
}
END_TEST



/* A directory that merely holds a manifest.json is the user's: run, sweep
 * and plan refuse it (exit 2) and leave every file in it. */
START_TEST(a_foreign_directory_with_a_manifest_is_kept)
{
	char path[700];
	ck_assert_int_eq(mkdir(out, 0777), 0);
	snprintf(path, sizeof(path), "%s/manifest.json", out);
	harness_put(path, "{}\n");
	snprintf(path, sizeof(path), "%s/index.html", out);
	harness_put(path, "x\n");
	const char *runs[][12] = {
		{ SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL },
		{ SPILLWAY_BIN, "sweep", QUICK, "-o", out, "-q", "--vary",
		  "resources.desk.servers=11,12", NULL },
		{ SPILLWAY_BIN, "plan", QUICK, "-o", out, "-q", "--vary",
		  "resources.desk.servers=11,12", "--require", "desk.WaitTime<=1s", NULL },
	};
	for (size_t i = 0; i < 3; i++) {
		ck_assert_int_eq(run(runs[i]), 2);
		ck_assert_msg(strstr(read_err(), "is not a spillway output directory (it has no "
					       ".spillway-output marker)") != NULL, "%s", read_err());
		ck_assert_msg(exists(path), "%s: %s deleted", runs[i][1], path);
	}
}
END_TEST

/* A file the user put into an earlier output keeps that output from being
 * replaced; without it the output is replaced as before. */
START_TEST(a_user_file_in_an_earlier_output_is_kept)
{
	earlier_outputs();
	char notes[700], plot[700];
	snprintf(notes, sizeof(notes), "%s/notes.txt", out);
	harness_put(notes, "mine\n");
	const char *again[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(again), 2);
	ck_assert_msg(strstr(read_err(), "holds notes.txt, which spillway did not write") != NULL,
		      "%s", read_err());
	ck_assert(exists(notes));
	ck_assert_int_eq(unlink(notes), 0);
	ck_assert_int_eq(run(again), 0);
	/* In plots/ too. */
	const char *reviewed[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", NULL };
	ck_assert_int_eq(run(reviewed), 0);
	snprintf(plot, sizeof(plot), "%s/plots/mine.txt", out);
	harness_put(plot, "mine\n");
	ck_assert_int_eq(run(again), 2);
	ck_assert(exists(plot));
	ck_assert_int_eq(unlink(plot), 0);
	/* A plot script the user edited (as the README invites) is theirs. */
	char cmd[800];
	snprintf(cmd, sizeof(cmd), "echo \"set title 'mine'\" >> '%s/plots/queue-depth.gp'", out);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(run(reviewed), 2);
	ck_assert_msg(strstr(read_err(), "plots/queue-depth.gp was edited since spillway wrote it"),
		      "%s", read_err());
	snprintf(cmd, sizeof(cmd), "grep -q \"title 'mine'\" '%s/plots/queue-depth.gp'", out);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* DIR.tmp-N and DIR.old-N of a process that is gone are cleaned up only
 * when they carry spillway's marker. */
START_TEST(leftover_names_without_the_marker_are_kept)
{
	long pid = harness_dead_pid();
	char tmp[700], old[700], path[800];
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", out, pid);
	snprintf(old, sizeof(old), "%s.old-%ld", out, pid);
	ck_assert_int_eq(mkdir(tmp, 0777), 0);
	ck_assert_int_eq(mkdir(old, 0777), 0);
	snprintf(path, sizeof(path), "%s/data", tmp);
	harness_put(path, "user data\n");
	snprintf(path, sizeof(path), "%s/data", old);
	harness_put(path, "user data\n");
	const char *argv[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(argv), 0);
	snprintf(path, sizeof(path), "%s/data", tmp);
	ck_assert_msg(exists(path), "%s deleted", path);
	snprintf(path, sizeof(path), "%s/data", old);
	ck_assert_msg(exists(path), "%s deleted", path);
	/* out is a fresh run, not the user's DIR.old-N put back. */
	snprintf(path, sizeof(path), "%s/manifest.json", out);
	ck_assert(exists(path));
	/* A marker of another process in DIR.tmp-N is not this one's. */
	snprintf(path, sizeof(path), "%s/.spillway-output", tmp);
	char text[200];
	snprintf(text, sizeof(text), "spillway output directory\npid %ld\n"
		 "token 0123456789abcdef0123456789abcdef\n", pid + 1);
	harness_put(path, text);
	ck_assert_int_eq(run(argv), 0);
	snprintf(path, sizeof(path), "%s/data", tmp);
	ck_assert_msg(exists(path), "%s deleted", path);
}
END_TEST

/* `spillway report` rewrites report files only in a finished spillway run:
 * the same files without the marker are the user's. */
START_TEST(report_writes_only_into_spillway_runs)
{
	earlier_outputs();
	char cmd[800], path[500];
	snprintf(cmd, sizeof(cmd), "rm '%s/.spillway-output' && echo mine > '%s/report.md'", out, out);
	ck_assert_int_eq(system(cmd), 0);
	const char *argv[] = { SPILLWAY_BIN, "report", out, NULL };
	ck_assert_int_eq(run(argv), 2);
	ck_assert_msg(strstr(read_err(), "is not a finished spillway run"), "%s", read_err());
	snprintf(cmd, sizeof(cmd), "grep -qx mine '%s/report.md'", out);
	ck_assert_msg(system(cmd) == 0, "report.md rewritten");
	snprintf(path, sizeof(path), "%s/report.html", out);
	ck_assert(!exists(path));
}
END_TEST

/* Names that are no directory of their own, and symbolic links, are
 * refused before anything runs. */
START_TEST(odd_output_names_are_refused)
{
	const char *empty[] = { SPILLWAY_BIN, "run", QUICK, "-o", "", "-q", NULL };
	ck_assert_int_eq(run(empty), 2);
	ck_assert_msg(strstr(read_err(), "spillway: '' does not name a directory of its own") != NULL,
		      "%s", read_err());
	char target[700];
	snprintf(target, sizeof(target), "%s/target", tmpdir);
	ck_assert_int_eq(mkdir(target, 0777), 0);
	ck_assert_int_eq(symlink(target, out), 0);
	const char *link[] = { SPILLWAY_BIN, "run", QUICK, "-o", out, "-q", "--no-review", NULL };
	ck_assert_int_eq(run(link), 2);
	ck_assert_msg(strstr(read_err(), "is a symbolic link (to ") != NULL, "%s", read_err());
	struct stat st;
	ck_assert_int_eq(lstat(out, &st), 0);
	ck_assert(S_ISLNK(st.st_mode));
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("safety");
	TCase *guard = tcase_create("safety:guards");
	tcase_add_checked_fixture(guard, setup, teardown);
	tcase_add_test(guard, memory_guard_refuses_an_oversized_scenario);
	tcase_add_test(guard, memory_guard_follows_fan_out);
	tcase_add_test(guard, a_loop_at_one_instant_fails_the_run);
	tcase_add_test(guard, disk_guard_refuses_a_huge_time_series);
	tcase_add_test(guard, out_of_memory_fails_the_run_cleanly);
	suite_add_tcase(s, guard);
	TCase *sig = tcase_create("safety:signals");
	tcase_add_checked_fixture(sig, setup, teardown);
	tcase_add_test(sig, sigint_leaves_the_earlier_outputs_and_exits_130);
	tcase_add_test(sig, sigterm_leaves_the_earlier_outputs_and_exits_143);
	tcase_add_test(sig, sigkill_leftovers_are_cleaned_by_the_next_run);
	tcase_add_test(sig, a_signal_while_loading_ends_the_run_at_once);
	tcase_add_test(sig, a_sweep_parent_takes_its_workers_along);
	tcase_set_timeout(sig, 300);
	suite_add_tcase(s, sig);
	TCase *rev = tcase_create("safety:review");
	tcase_add_checked_fixture(rev, setup, teardown);
	tcase_add_test(rev, a_fifo_consumer_is_reviewed_whole);
	tcase_set_timeout(rev, 300);
	suite_add_tcase(s, rev);
	TCase *own = tcase_create("safety:ownership");
	tcase_add_checked_fixture(own, setup, teardown);
	tcase_add_test(own, a_foreign_directory_with_a_manifest_is_kept);
	tcase_add_test(own, a_user_file_in_an_earlier_output_is_kept);
	tcase_add_test(own, leftover_names_without_the_marker_are_kept);
	tcase_add_test(own, odd_output_names_are_refused);
	tcase_add_test(own, report_writes_only_into_spillway_runs);
	tcase_set_timeout(own, 300);
	suite_add_tcase(s, own);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
