/* sweep.h - what `spillway sweep` (what-if grids, sweep.c) and `spillway
 * plan` (the cheapest point meeting requirements, plan.c) share.
 *
 * Both run points of a grid (cli/grid.h) as ordinary runs, each into its
 * own directory under the sweep's, and read their results back from the
 * files. Points run on -j worker processes (fork); which worker runs a
 * point changes nothing in it, and the collected outputs are written in
 * point order, so the output is byte-identical whatever -j is.
 *
 * plan judges each point with the requirements (cli/require.h) and keeps
 * the best feasible one by the objective (total cost, a metric's mean, or
 * drain_time). With --search bisect and one --vary it assumes that, along
 * the listed values, feasibility changes at most once and the objective is
 * monotone: then the best feasible point is an end of the list or the last
 * feasible point before the change, which bisection finds in about
 * log2(n) runs instead of n.
 *
 * Beyond one machine: built with MPI (meson finds OpenMPI), `mpirun -n N
 * spillway sweep ...` spreads the points over the ranks (point k on rank
 * k mod N, each rank running its points one after another) into one
 * directory that every rank sees (a shared file system); rank 0 creates
 * it, gathers and writes. The files are the same as with -j 1. plan's
 * bisection runs on rank 0 alone (each step needs the one before).
 */
#ifndef SPILLWAY_CLI_SWEEP_H
#define SPILLWAY_CLI_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "cli/grid.h"
#include "cli/require.h"
#include "sim/results.h"

/* This process's place among MPI ranks (rank 0 of 1 without MPI). */
struct ranks {
	int rank;
	int size;
};

struct opts {
	struct cli base;
	struct vary *v;
	size_t nv;
	long long jobs;
	char *print;
	struct requirement *req;
	size_t nreq;
	const char *minimize;
	bool bisect;
};

/* What sweep and plan set up alike: their options, this process's rank,
 * and the grid's points in order. */
struct session {
	struct opts o;
	struct ranks rk;
	bool lead;       /* rank 0: gathers and writes */
	size_t total;    /* points in the grid */
	size_t *ks;      /* 0 .. total-1 */
};

/* The worst of every rank's status. */
int ranks_worst(const struct ranks *r, int rc);

/* Rank 0's text to every rank (the shared temporary directory). */
void ranks_share(const struct ranks *r, char *buf, size_t size);

/* Prints a requirement error with a caret under the column. */
void sweep_req_error(const char *text, size_t col, const char *msg);

/* Checks every point's scenario (and its memory and disk needs, on the
 * file system of dir) before anything runs: 0, or -1 with the problems
 * printed. */
int sweep_check_points(const struct opts *o, const size_t *ks, size_t n,
		       const char *dir);

/* Runs the points ks[0..n) into root/points/, on `jobs` worker processes.
 * 0, or EXIT_RUN when a point failed. */
int sweep_run_points(const struct opts *o, const size_t *ks, size_t n,
		     size_t total, const char *root, long long jobs, bool progress);

/* Runs the points ks[0..n) on this process's share: every point on -j
 * workers alone, point ks[i] on rank i mod size under MPI. Returns the
 * worst status of all ranks. */
int sweep_run_spread(const struct opts *o, const struct ranks *rk,
		     const size_t *ks, size_t n, size_t total, const char *root,
		     bool progress);

/* The values of point k, for humans: "a=1 b=none". */
void sweep_point_label(char *buf, size_t size, const struct opts *o, size_t k);

int sweep_write_manifest(const char *path, const struct opts *o, size_t total,
			 const char *kind);

/* Default output directory: out/NAME-SUFFIX. */
int sweep_default_dir(struct opts *o, const char *suffix, char *dir, size_t size);

/* Makes root (with its marker) and root/points; 0 or -1 (with a
 * message). */
int sweep_make_tmp(const char *dir, char *tmp, size_t size);

/* Reads the results of points ks[0..n) under root into r[ks[i]]; 0, or
 * -1 with a message. */
int sweep_load_results(const char *root, const size_t *ks, size_t n,
		       size_t total, struct point_result *r);

/* 0 ready, 1 after --help, -1 on bad options (nothing to close then). */
int sweep_session_open(struct session *ss, int argc, char **argv, bool plan);

void sweep_session_close(struct session *ss);

/* Rank 0 makes the temporary directory beside dir (sweep_make_tmp) and
 * every rank learns its name in tmp; false when it could not be made. */
bool sweep_share_tmp(const struct session *ss, const char *dir, char *tmp, size_t size);

/* Parses --minimize as a requirement's left side (plan.c): 0, or -1 after
 * a message; scn and pr NULL check the syntax only. */
int plan_minimize_check(const struct opts *o, const struct scenario *scn,
			const struct point_result *pr);

#endif
