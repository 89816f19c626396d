/* cli.h - what the commands share (sim/main.c defines these; sim/cmd_sweep.c
 * uses them for sweep and plan). The command line is the one place that
 * wires the engine, the models and the reports together. */
#ifndef SPILLWAY_SIM_CLI_H
#define SPILLWAY_SIM_CLI_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct pricing; /* reports/pricing.h: only pointers here */
#include "sim/scenario.h"

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
};

/* The signal (SIGINT, SIGTERM) that asked the command to stop, 0 while
 * none; set once cli_catch_signals has run. A run that sees it removes
 * its temporary directory and exits 128 + the signal. */
extern volatile sig_atomic_t cli_signal;
void cli_catch_signals(void);
/* Removes what runs into dir killed outright left (DIR.tmp-PID of dead
 * processes), putting back DIR.old-PID when DIR is missing. */
void cli_clean_stale(const char *dir);

/* Parses a whole number for option opt; -1 with a message when it is not
 * one in [min, max]. */
int cli_parse_ll(const char *opt, const char *s, long long min, long long max,
		 long long *out);
/* Loads, overrides, links and prices cli's scenario (problems on stderr):
 * 0, or -1 with nothing to free. */
int cli_load(struct cli *cli, struct scenario *scn, struct pricing *pricing);
/* Runs cli's scenario into dir (see sim/main.c); the exit status. */
int cli_run_to_dir(struct cli *cli, const char *dir, bool print);
/* Whether dir may be replaced (absent, empty, or an earlier output with a
 * manifest.json). */
bool cli_replaceable(const char *dir);
int cli_remove_tree(const char *path);
int cli_make_parents(const char *path);
/* Moves the finished tmp directory to dir, replacing an earlier dir; 0 or
 * -1 (with a message). */
int cli_install(const char *tmp, const char *dir);

struct findings;
/* The review of the run in dir (see sim/cmd_review.c): the findings, each
 * fix re-simulated under dir/whatif/, and dir/findings.json. 0 or -1. */
int cli_review(struct cli *cli, const struct scenario *scn,
	       const struct pricing *p, const char *dir, struct findings *out);
void cli_print_findings(FILE *f, const struct findings *x);

int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plan(int argc, char **argv);

#endif
