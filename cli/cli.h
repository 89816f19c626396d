/* cli.h - what the command files of the spillway executable share: the
 * options of one scenario run, exit statuses, loading, signals, the guards
 * and the review. Only cli/ includes models/ and reports/.
 */
#ifndef SPILLWAY_CLI_CLI_H
#define SPILLWAY_CLI_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct scenario;
struct pricing;

enum { EXIT_RUN = 1, EXIT_INPUT = 2 };

/* Options of one scenario run. */
struct cli {
	const char *scenario;
	const char *output;
	const char **sets;
	size_t n_sets;
	long long seed;
	bool has_seed;
	long long replications;
	bool quiet;
	bool no_review;   /* no findings (what-if runs, sweep points) */
	bool no_whatif;   /* findings without re-simulating their fixes */
	double memory_limit; /* bytes a run may plan to use; 0: the default
				(half of physical memory), < 0: none */
	double disk_limit;   /* bytes a run may plan to write; 0: the default
				(half of the free space where it writes), < 0: none */
};

/* Parses the SIZE of --memory-limit / --disk-limit (or none: -1) into
 * *out; -1 after a message. */
int cli_parse_limit(const char *cmd, const char *opt, const char *arg, double *out);

/* The signal (SIGINT, SIGTERM) that asked the command to stop, 0 while
 * none; set once cli_catch_signals has run. A run that sees it removes
 * its temporary directory and exits 128 + the signal. Until the command
 * has made a temporary directory (cli_cleanup_pending) there is nothing to
 * clean up, and a signal ends the process at once, whatever it is doing
 * (loading, linking). restart: whether interrupted system calls resume
 * (a parent waiting for its workers wants them not to). */
extern volatile sig_atomic_t cli_signal;
void cli_catch_signals(bool restart);
void cli_cleanup_pending(void);
/* "stopped by SIGINT; DIR left as it was" on stderr. */
void cli_say_stopped(const char *dir);
/* A command giving up on its output dir: removes tmp (unless NULL) and,
 * when a signal asked it to stop, says so and returns 128 + the signal;
 * otherwise returns rc. */
int cli_abandon(const char *tmp, const char *dir, int rc);
/* tmp is being written (until cli_written): the out-of-memory exit
 * removes it. */
void cli_writing(const char *tmp);
void cli_written(void);
/* Forgets every directory being written (a worker: they are its
 * parent's). */
void cli_writing_forget(void);

/* Parses a whole number for option opt; -1 with a message when it is not
 * one in [min, max]. */
int cli_parse_ll(const char *opt, const char *s, long long min, long long max,
		 long long *out);
/* Loads, overrides, links and prices cli's scenario (problems on stderr):
 * 0, or -1 with nothing to free. */
int cli_load(struct cli *cli, struct scenario *scn, struct pricing *pricing);
/* Runs cli's scenario into dir (run.c); the exit status. */
int cli_run_to_dir(struct cli *cli, const char *dir, bool print);
/* Whether output may go to dir (cli/outdir.h's rules); false after a
 * message on stderr saying what was found. */
bool cli_output_ok(const char *dir);

/* The review of the run in dir (review.c): the findings, each
 * fix re-simulated under dir/whatif/, and dir/findings.json. 0 or -1. */
struct findings;
int cli_review(struct cli *cli, const struct scenario *scn,
	       const struct pricing *p, const char *dir, struct findings *out);
void cli_print_findings(FILE *f, const struct findings *x);
/* Writes the findings to path as JSON; 0, or -1 after a message. */
int cli_write_findings_json(const char *path, const struct findings *f);

/* Ends the process as a failed run when memory runs out
 * (sim_alloc_on_failure): what was being written goes (cli_writing). */
_Noreturn void cli_out_of_memory(size_t size);

/* The guards (guards.c): whether cli's scenario fits the memory limit and
 * whether its outputs into dir fit the disk limit; false after a message
 * on stderr. */
bool cli_memory_fits(const struct cli *cli, const struct scenario *scn);
bool cli_disk_fits(const struct cli *cli, const struct scenario *scn, const char *dir);

/* The headline numbers a what-if compares. */
struct headline {
	double dead;      /* messages dead-lettered (the tenants') */
	double expired;   /* messages lost to the retention (the tenants') */
	double drain;     /* the longest DrainTime of the queues tenants use */
	double throttles; /* DynamoDB and Lambda throttles */
	double cost;      /* the window's total */
};
/* The headline numbers of the results pr of scn. */
struct point_result;
void cli_headline_of(const struct scenario *scn, const struct point_result *pr,
		     struct headline *h);
/* The what-if text of fix: the headline numbers before (a) and after (b). */
void cli_describe(char *buf, size_t size, const char *fix,
		  const struct headline *a, const struct headline *b);

/* The commands: argv[0] is the command's name; the exit status. */
int cmd_run(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_validate(int argc, char **argv);


#endif
