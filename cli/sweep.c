/* sweep.c - `spillway sweep`, and what `spillway plan` shares with it
 * (see sweep.h): options, the points' runs on worker processes or MPI
 * ranks, sweep.csv and the manifest.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/outdir.h"
#include "cli/sweep.h"
#include "models/registry.h"
#include "reports/report.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/diag.h"
#include "sim/json.h"
#include "sim/metrics.h"
#include "sim/scenario.h"
#include "sim/sha256.h"
#include "sim/text.h"

/* A derived metric of the points: a resource's cost (its cost.csv lines)
 * per invocation (its Invocations), the figure Power Tuning plots against
 * memory. */
#define METRIC_COST_PER_INVOCATION "CostPerInvocation"

#ifdef SPILLWAY_MPI
#include <mpi.h>
#endif


/* Joins MPI when started by mpirun (its environment says so), else runs
 * alone: spillway without mpirun never touches MPI. */
static void ranks_start(struct ranks *r)
{
	*r = (struct ranks){ 0, 1 };
#ifdef SPILLWAY_MPI
	if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") &&
	    !getenv("PMIX_RANK"))
		return;
	MPI_Init(NULL, NULL);
	MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
	MPI_Comm_size(MPI_COMM_WORLD, &r->size);
#endif
}

static void ranks_finish(const struct ranks *r)
{
#ifdef SPILLWAY_MPI
	int on = 0;
	MPI_Initialized(&on);
	if (on)
		MPI_Finalize();
#endif
	(void)r;
}

/* The worst of every rank's status. */
int ranks_worst(const struct ranks *r, int rc)
{
#ifdef SPILLWAY_MPI
	if (r->size > 1) {
		int all = rc;
		MPI_Allreduce(&rc, &all, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
		return all;
	}
#endif
	(void)r;
	return rc;
}

/* Rank 0's text to every rank (the shared temporary directory). */
void ranks_share(const struct ranks *r, char *buf, size_t size)
{
#ifdef SPILLWAY_MPI
	if (r->size > 1)
		MPI_Bcast(buf, (int)size, MPI_CHAR, 0, MPI_COMM_WORLD);
#endif
	(void)r;
	(void)buf;
	(void)size;
}

static const char usage_sweep[] =
	"Usage: spillway sweep SCENARIO --vary PATH=V1,V2,... [--vary ...] [OPTIONS]\n"
	"\n"
	"Runs SCENARIO at every point of a grid of values (several --vary make a\n"
	"grid) and writes, into the output directory (default out/NAME-sweep):\n"
	"  sweep.csv       point,<each varied PATH>,resource,metric,mean,ci95_low,\n"
	"                  ci95_high,unit: every summary metric of every point,\n"
	"                  and cost,total_usd from its cost.csv\n"
	"  points/NNN/     each point's usual run outputs\n"
	"  manifest.json   the sweep: scenario, varied paths, points\n"
	"Every point uses the scenario's seed: common random numbers, so the\n"
	"differences between points are not noise. The output is byte-identical\n"
	"whatever -j is.\n"
	"\n"
	"Values: a list V1,V2,... of YAML values (commas inside {} or [] do not\n"
	"split), `none`, or a range A..B:STEP (A, B, STEP with one unit: 1s..5s:1s).\n"
	"\n"
	"Options:\n"
	"      --vary PATH=VALUES  a dimension of the grid (repeatable)\n"
	"  -j, --jobs N            worker processes (default: the number of cores)\n"
	"      --print R.M,...     metrics to print per point (default: dead-letter,\n"
	"                          drain-time, throttle and wait metrics that are\n"
	"                          not zero everywhere, and Duration and\n"
	"                          CostPerInvocation where they differ)\n"
	"  -o, --output DIR        output directory\n"
	"      --seed N, --replications N, --set PATH=VALUE,\n"
	"      --memory-limit SIZE, --disk-limit SIZE   as for run (each point)\n"
	"  -q, --quiet             print nothing but errors\n"
	"  -h, --help              this help\n"
	"\n"
	"Exit status: 0 success, 1 a point failed (nothing is written), 2 bad input.\n";

static const char usage_plan[] =
	"Usage: spillway plan SCENARIO --vary ... --require EXPR [--require ...]\n"
	"                     [--minimize cost|drain_time|RESOURCE.METRIC] [OPTIONS]\n"
	"\n"
	"Finds the point of the grid that meets every requirement and minimizes\n"
	"the objective (default: the total cost of the measurement window). A\n"
	"point meets a requirement only if the pessimistic end of the metric's\n"
	"95% interval does. Writes plan.md and plan.json (the choice, its\n"
	"margins, the runners-up, why the other points failed) and the points'\n"
	"outputs into the output directory (default out/NAME-plan).\n"
	"\n"
	"Requirements: RESOURCE.METRIC OP VALUE with OP one of <= < >= > ==:\n"
	"  programs.WriteThrottleEvents==0   progress-calc.Duration.p99<500ms\n"
	"  tenants.NAME.dwell_p99<=15m       tenants.*.dwell_p99<=60s\n"
	"  tenants.NAME.dead_lettered<=0.01%% (a share of the tenant's sent)\n"
	"  drain_time<=15m                   (the longest DrainTime of the queues\n"
	"                                     the tenants send to)\n"
	"\n"
	"Options:\n"
	"      --vary PATH=VALUES  as for sweep (repeatable)\n"
	"      --require EXPR      a requirement (repeatable)\n"
	"      --minimize WHAT     cost, drain_time or RESOURCE.METRIC (its mean)\n"
	"      --search grid|bisect  grid: run every point (default); bisect: one\n"
	"                          --vary along which feasibility changes at most\n"
	"                          once and the objective is monotone: fewer runs\n"
	"  -j, --jobs N, -o, --output DIR, --seed N, --replications N,\n"
	"  --set PATH=VALUE, --memory-limit SIZE, --disk-limit SIZE,\n"
	"  -q, --quiet, -h, --help   as for sweep\n"
	"\n"
	"Exit status: 0 success (also when no point is feasible: plan.md says\n"
	"so), 1 a point failed, 2 bad input.\n";

static void opts_free(struct opts *o)
{
	for (size_t i = 0; i < o->nv; i++)
		vary_free(&o->v[i]);
	for (size_t i = 0; i < o->nreq; i++)
		req_free(&o->req[i]);
	free(o->v);
	free(o->req);
	free(o->base.sets);
}

/* Prints a requirement error with a caret under the column. */
void sweep_req_error(const char *text, size_t col, const char *msg)
{
	sim_text_fprintf(stderr, "spillway: --require '%s': %s\n", text, msg);
	fprintf(stderr, "  %s\n  %*s^\n", text, (int)col, "");
}

/* Parses the options of sweep (plan false) or plan; 0, 1 for --help, -1. */
static int parse(int argc, char **argv, bool plan, struct opts *o)
{
	enum { OPT_SEED = 256, OPT_REPS, OPT_SET, OPT_VARY, OPT_PRINT, OPT_REQ,
	       OPT_MIN, OPT_SEARCH, OPT_MEMORY, OPT_DISK };
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "jobs", required_argument, NULL, 'j' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "replications", required_argument, NULL, OPT_REPS },
		{ "set", required_argument, NULL, OPT_SET },
		{ "vary", required_argument, NULL, OPT_VARY },
		{ "print", required_argument, NULL, OPT_PRINT },
		{ "require", required_argument, NULL, OPT_REQ },
		{ "minimize", required_argument, NULL, OPT_MIN },
		{ "search", required_argument, NULL, OPT_SEARCH },
		{ "memory-limit", required_argument, NULL, OPT_MEMORY },
		{ "disk-limit", required_argument, NULL, OPT_DISK },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = plan ? "plan" : "sweep";
	*o = (struct opts){ .minimize = "cost" };
	o->base.sets = sim_xcalloc((size_t)argc + 1, sizeof(*o->base.sets));
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	o->jobs = cores > 0 ? cores : 1;
	optind = 1;
	opterr = 0;
	int c, li = -1;
	char err[512];
	while ((c = getopt_long(argc, argv, ":o:j:qh", opts, &li)) != -1) {
		switch (c) {
		case 'o':
			o->base.output = optarg;
			break;
		case 'j':
			if (cli_parse_ll("--jobs", optarg, 1, 1024, &o->jobs))
				return -1;
			break;
		case OPT_SEED:
			if (cli_parse_ll("--seed", optarg, 0, 9007199254740992LL, &o->base.seed))
				return -1;
			o->base.has_seed = true;
			break;
		case OPT_REPS:
			if (cli_parse_ll("--replications", optarg, 1, 100000,
					 &o->base.replications))
				return -1;
			break;
		case OPT_SET:
			o->base.sets[o->base.n_sets++] = optarg;
			break;
		case OPT_VARY:
			o->v = sim_xrealloc(o->v, (o->nv + 1) * sizeof(*o->v));
			if (vary_parse(&o->v[o->nv], optarg, err, sizeof(err))) {
				sim_text_fprintf(stderr, "spillway %s: %s\n", cmd, err);
				return -1;
			}
			o->nv++;
			break;
		case OPT_PRINT:
			if (plan)
				goto other_command;
			o->print = optarg;
			break;
		case OPT_REQ: {
			if (!plan)
				goto other_command;
			size_t col = 0;
			o->req = sim_xrealloc(o->req, (o->nreq + 1) * sizeof(*o->req));
			if (req_parse(&o->req[o->nreq], optarg, err, sizeof(err), &col)) {
				sweep_req_error(optarg, col, err);
				return -1;
			}
			o->nreq++;
			break;
		}
		case OPT_MIN:
			if (!plan)
				goto other_command;
			o->minimize = optarg;
			if (plan_minimize_check(o, NULL, NULL))
				return -1;
			break;
		case OPT_SEARCH:
			if (!plan)
				goto other_command;
			if (strcmp(optarg, "grid") && strcmp(optarg, "bisect")) {
				sim_text_fprintf(stderr, "spillway plan: --search: expected grid or bisect, got '%s'\n",
					optarg);
				return -1;
			}
			o->bisect = !strcmp(optarg, "bisect");
			break;
		case OPT_MEMORY:
			if (cli_parse_limit(cmd, "--memory-limit", optarg, &o->base.memory_limit))
				return -1;
			break;
		case OPT_DISK:
			if (cli_parse_limit(cmd, "--disk-limit", optarg, &o->base.disk_limit))
				return -1;
			break;
		case 'q':
			o->base.quiet = true;
			break;
		case 'h':
			fputs(plan ? usage_plan : usage_sweep, stdout);
			return 1;
		case ':':
			sim_text_fprintf(stderr, "spillway %s: option '%s' needs a value (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		other_command: /* li is set: only long options get here */
			sim_text_fprintf(stderr, "spillway %s: --%s is an option of spillway %s (see spillway %s --help)\n",
				cmd, opts[li].name, plan ? "sweep" : "plan", cmd);
			return -1;
		default:
			sim_text_fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		}
	}
	if (optind < argc)
		o->base.scenario = argv[optind++];
	if (optind < argc) {
		sim_text_fprintf(stderr, "spillway %s: unexpected argument '%s'\n", cmd, argv[optind]);
		return -1;
	}
	if (!o->base.scenario) {
		fprintf(stderr, "spillway %s: missing SCENARIO (see spillway %s --help)\n",
			cmd, cmd);
		return -1;
	}
	if (!o->nv) {
		fprintf(stderr, "spillway %s: nothing to vary: give --vary PATH=V1,V2,...\n", cmd);
		return -1;
	}
	if (plan && !o->nreq) {
		fprintf(stderr, "spillway plan: no requirement: give --require EXPR\n");
		return -1;
	}
	if (o->bisect && o->nv != 1) {
		fprintf(stderr, "spillway plan: --search bisect takes exactly one --vary\n");
		return -1;
	}
	if (grid_size(o->v, o->nv) > 100000) {
		fprintf(stderr, "spillway %s: %zu points is more than 100000\n", cmd,
			grid_size(o->v, o->nv));
		return -1;
	}
	return 0;
}

/* The options of point k: the base's, with one --set per varied path. */
struct point {
	struct cli cli;
	char **sets;    /* owned "PATH=VALUE" texts */
	size_t n;
};

static void point_make(struct point *p, const struct opts *o, size_t k)
{
	size_t idx[64];
	grid_point(o->v, o->nv, k, idx);
	p->cli = o->base;
	p->cli.quiet = true;
	p->cli.no_review = true;
	p->cli.sets = sim_xcalloc(o->base.n_sets + o->nv + 1, sizeof(*p->cli.sets));
	memcpy(p->cli.sets, o->base.sets, o->base.n_sets * sizeof(*p->cli.sets));
	p->sets = sim_xcalloc(o->nv, sizeof(*p->sets));
	p->n = o->nv;
	for (size_t i = 0; i < o->nv; i++) {
		const char *val = o->v[i].values[idx[i]];
		size_t len = strlen(o->v[i].path) + strlen(val) + 2;
		p->sets[i] = sim_xrealloc(NULL, len);
		snprintf(p->sets[i], len, "%s=%s", o->v[i].path, val);
		p->cli.sets[o->base.n_sets + i] = p->sets[i];
	}
	p->cli.n_sets = o->base.n_sets + o->nv;
}

static void point_free(struct point *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->sets[i]);
	free(p->sets);
	free(p->cli.sets);
}

static void point_dir(char *buf, size_t size, const char *root, size_t k,
		      size_t total)
{
	/* Zero-padded to the width of the last point, so they sort. */
	char last[32], num[64];
	int width = snprintf(last, sizeof(last), "%zu", total - 1);
	int len = snprintf(num, sizeof(num), "%zu", k);
	memmove(num + (width - len), num, (size_t)len + 1);
	memset(num, '0', (size_t)(width - len));
	snprintf(buf, size, "%s/points/%s", root, num);
}

/* Checks every point's scenario (and its memory and disk needs, on the
 * file system of dir) before anything runs: 0, or -1 with the problems
 * printed. */
int sweep_check_points(const struct opts *o, const size_t *ks, size_t n,
		       const char *dir)
{
	for (size_t i = 0; i < n; i++) {
		struct point p;
		point_make(&p, o, ks[i]);
		struct scenario scn;
		struct pricing pricing;
		int rc = cli_load(&p.cli, &scn, &pricing);
		if (!rc) {
			if (!cli_memory_fits(&p.cli, &scn) || !cli_disk_fits(&p.cli, &scn, dir))
				rc = -1;
			pricing_finish(&pricing);
			scenario_finish(&scn);
		}
		if (rc) {
			fprintf(stderr, "spillway: (at the point");
			for (size_t d = 0; d < p.n; d++)
				sim_text_fprintf(stderr, " %s", p.sets[d]);
			fprintf(stderr, ")\n");
		}
		point_free(&p);
		if (rc)
			return -1;
	}
	return 0;
}

/* Runs the points ks[0..n) into root/points/, on `jobs` worker processes.
 * 0, or EXIT_RUN when a point failed. */
int sweep_run_points(const struct opts *o, const size_t *ks, size_t n,
		     size_t total, const char *root, long long jobs, bool progress)
{
	if (jobs > (long long)n)
		jobs = (long long)n;
	if (jobs <= 1) {
		int rc = 0;
		for (size_t i = 0; i < n && !rc && !cli_signal; i++) {
			struct point p;
			char dir[4400];
			point_make(&p, o, ks[i]);
			point_dir(dir, sizeof(dir), root, ks[i], total);
			rc = cli_run_to_dir(&p.cli, dir, false);
			point_free(&p);
			if (progress)
				fprintf(stderr, "\rspillway: %zu/%zu points", i + 1, n);
		}
		if (progress)
			fputc('\n', stderr);
		return rc ? EXIT_RUN : 0;
	}
	int fds[2];
	if (pipe(fds)) {
		fprintf(stderr, "spillway: pipe: %s\n", strerror(errno));
		return EXIT_RUN;
	}
	fflush(NULL);
	pid_t parent = getpid();
	pid_t *pids = sim_xcalloc((size_t)jobs, sizeof(*pids));
	for (long long w = 0; w < jobs; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			fprintf(stderr, "spillway: fork: %s\n", strerror(errno));
			jobs = w;
			break;
		}
		if (pids[w] == 0) {
			close(fds[0]);
			cli_writing_forget(); /* the sweep's directory is the parent's */
			/* A worker outlives no parent: when it dies, even by
			 * SIGKILL, the worker is asked to stop. */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				raise(SIGTERM);
			int bad = 0;
			for (size_t i = (size_t)w; i < n && !cli_signal; i += (size_t)jobs) {
				struct point p;
				char dir[4400];
				point_make(&p, o, ks[i]);
				point_dir(dir, sizeof(dir), root, ks[i], total);
				int rc = cli_run_to_dir(&p.cli, dir, false);
				point_free(&p);
				unsigned char msg = rc ? 1 : 0;
				bad |= rc;
				if (write(fds[1], &msg, 1) != 1)
					bad = 1;
			}
			fflush(NULL);
			_exit(bad ? EXIT_RUN : 0);
		}
	}
	close(fds[1]);
	/* A signal to this process alone (kill PID) is passed on to the
	 * workers, which stop and clean up; then the pipe ends. */
	cli_catch_signals(false);
	size_t done = 0;
	unsigned char msg;
	bool passed_on = false;
	for (;;) {
		ssize_t got = read(fds[0], &msg, 1);
		if (got == 1) {
			done++;
			if (progress)
				fprintf(stderr, "\rspillway: %zu/%zu points", done, n);
		} else if (got < 0 && errno == EINTR) {
			if (cli_signal && !passed_on) {
				for (long long w = 0; w < jobs; w++)
					kill(pids[w], (int)cli_signal);
				passed_on = true;
			}
		} else {
			break;
		}
	}
	cli_catch_signals(true);
	if (progress)
		fputc('\n', stderr);
	close(fds[0]);
	int rc = done == n ? 0 : EXIT_RUN;
	for (long long w = 0; w < jobs; w++) {
		int st;
		if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			rc = EXIT_RUN;
	}
	free(pids);
	return rc;
}

/* Runs the points ks[0..n) on this process's share: every point on -j
 * workers alone, point ks[i] on rank i mod size under MPI. Returns the
 * worst status of all ranks. */
int sweep_run_spread(const struct opts *o, const struct ranks *rk,
		     const size_t *ks, size_t n, size_t total, const char *root,
		     bool progress)
{
	if (rk->size == 1)
		return sweep_run_points(o, ks, n, total, root, o->jobs, progress);
	size_t *mine = sim_xcalloc(n ? n : 1, sizeof(*mine));
	size_t m = 0;
	for (size_t i = (size_t)rk->rank; i < n; i += (size_t)rk->size)
		mine[m++] = ks[i];
	int rc = sweep_run_points(o, mine, m, total, root, 1, progress && rk->rank == 0);
	free(mine);
	return ranks_worst(rk, rc);
}

/* The values of point k, for humans: "a=1 b=none". */
void sweep_point_label(char *buf, size_t size, const struct opts *o, size_t k)
{
	size_t idx[64], len = 0;
	grid_point(o->v, o->nv, k, idx);
	buf[0] = '\0';
	for (size_t i = 0; i < o->nv && len < size; i++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s=%s", i ? " " : "",
					o->v[i].path, o->v[i].values[idx[i]]);
}

static int write_sweep_csv(const char *path, const struct opts *o,
			   const struct point_result *r, size_t total)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct sim_csv w = { .f = f };
	sim_csv_text(&w, "point");
	for (size_t i = 0; i < o->nv; i++)
		sim_csv_text(&w, o->v[i].path);
	static const char *const cols[] = { "resource", "metric", "mean", "ci95_low",
					     "ci95_high", "unit" };
	for (size_t i = 0; i < 6; i++)
		sim_csv_text(&w, cols[i]);
	sim_csv_end(&w);
	size_t idx[64];
	for (size_t k = 0; k < total; k++) {
		grid_point(o->v, o->nv, k, idx);
		for (size_t j = 0; j <= r[k].n; j++) {
			char point[32];
			snprintf(point, sizeof(point), "%zu", k);
			sim_csv_text(&w, point);
			for (size_t i = 0; i < o->nv; i++)
				sim_csv_text(&w, o->v[i].values[idx[i]]);
			/* The numbers as the point's files wrote them. */
			const struct pr_metric *m = j < r[k].n ? &r[k].m[j] : NULL;
			sim_csv_text(&w, m ? m->resource : "cost");
			sim_csv_text(&w, m ? m->metric : "total_usd");
			sim_csv_text(&w, m ? m->mean_s : r[k].cost_s);
			sim_csv_text(&w, m ? m->low_s : "");
			sim_csv_text(&w, m ? m->high_s : "");
			sim_csv_text(&w, m ? m->unit : "USD");
			sim_csv_end(&w);
		}
	}
	return rpt_close(f);
}

int sweep_write_manifest(const char *path, const struct opts *o, size_t total,
			 const char *kind)
{
	char sha[65] = "";
	if (sim_sha256_file(o->base.scenario, sha))
		return -1;
	json_t *doc = sim_json_object();
	sim_json_set(doc, "spillway_version", sim_json_text(SPILLWAY_VERSION));
	sim_json_set(doc, "command", sim_json_text(kind));
	sim_json_set(doc, "scenario", sim_json_text(o->base.scenario));
	sim_json_set(doc, "scenario_sha256", sim_json_text(sha));
	json_t *sets = sim_json_array();
	for (size_t i = 0; i < o->base.n_sets; i++)
		sim_json_push(sets, sim_json_text(o->base.sets[i]));
	sim_json_set(doc, "set", sets);
	json_t *vary = sim_json_array();
	for (size_t i = 0; i < o->nv; i++) {
		json_t *v = sim_json_object(), *values = sim_json_array();
		sim_json_set(v, "path", sim_json_text(o->v[i].path));
		for (size_t j = 0; j < o->v[i].n; j++)
			sim_json_push(values, sim_json_text(o->v[i].values[j]));
		sim_json_set(v, "values", values);
		sim_json_push(vary, v);
	}
	sim_json_set(doc, "vary", vary);
	sim_json_set(doc, "points", sim_json_int((long long)total));
	return rpt_write_json(path, doc);
}

/* The columns sweep prints when --print is not given: 1, shown when not
 * zero at every point; 2, shown when not the same at every point (a
 * function's duration and cost per invocation: the Power Tuning picture
 * when memory varies). */
static int headline(const char *metric)
{
	static const char *const names[] = {
		METRIC_MOVED_TO_DLQ, METRIC_DRAIN_TIME, METRIC_WRITE_THROTTLES,
		METRIC_READ_THROTTLES, METRIC_THROTTLES, METRIC_WAIT_TIME, NULL,
	};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(metric, names[i]))
			return 1;
	return !strcmp(metric, METRIC_DURATION) ||
	       !strcmp(metric, METRIC_COST_PER_INVOCATION) ? 2 : 0;
}

/* The metrics a sweep shows: --print's list, or the headline metrics not
 * zero at every point (of point 0's metrics, which every point shares). */
static size_t select_cols(const struct opts *o, const struct point_result *r,
			  size_t total, const char *cols[64][2])
{
	size_t nc = 0;
	if (o->print) {
		char *list = sim_xstrdup(o->print), *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t && nc < 64;
		     t = strtok_r(NULL, ",", &save)) {
			for (size_t j = 0; j < r[0].n; j++) {
				char name[600];
				snprintf(name, sizeof(name), "%s.%s", r[0].m[j].resource,
					 r[0].m[j].metric);
				if (!strcmp(name, t)) {
					cols[nc][0] = r[0].m[j].resource;
					cols[nc++][1] = r[0].m[j].metric;
				}
			}
		}
		free(list);
	} else {
		for (size_t j = 0; j < r[0].n && nc < 64; j++) {
			int h = headline(r[0].m[j].metric);
			if (!h)
				continue;
			bool nonzero = false;
			for (size_t k = 0; k < total; k++) {
				const struct pr_metric *m = point_metric(&r[k], r[0].m[j].resource,
									 r[0].m[j].metric);
				nonzero |= h == 1 ? m && m->mean != 0
						  : m && m->mean != r[0].m[j].mean;
			}
			if (nonzero) {
				cols[nc][0] = r[0].m[j].resource;
				cols[nc++][1] = r[0].m[j].metric;
			}
		}
	}
	return nc;
}

static void print_table(const struct opts *o, const struct point_result *r,
			size_t total)
{
	const char *cols[64][2];
	size_t nc = select_cols(o, r, total, cols);
	printf("%-5s", "point");
	char cell[41]; /* a varied path or value: at most 40 bytes, whole characters */
	for (size_t i = 0; i < o->nv; i++) {
		sim_text_clean(cell, sizeof(cell), strrchr(o->v[i].path, '.')
				   ? strrchr(o->v[i].path, '.') + 1 : o->v[i].path, SIM_TEXT_LINE);
		printf("  %-14s", cell);
	}
	int width[64];
	for (size_t c = 0; c < nc; c++) {
		char name[600];
		snprintf(name, sizeof(name), "%s.%s", cols[c][0], cols[c][1]);
		width[c] = (int)strlen(name) > 12 ? (int)strlen(name) : 12;
		printf("  %*s", width[c], name);
	}
	printf("  %12s\n", "cost_usd");
	size_t idx[64];
	for (size_t k = 0; k < total; k++) {
		grid_point(o->v, o->nv, k, idx);
		printf("%-5zu", k);
		for (size_t i = 0; i < o->nv; i++) {
			sim_text_clean(cell, sizeof(cell), o->v[i].values[idx[i]], SIM_TEXT_LINE);
			printf("  %-14s", cell);
		}
		for (size_t c = 0; c < nc; c++) {
			const struct pr_metric *m = point_metric(&r[k], cols[c][0], cols[c][1]);
			printf("  %*.6g", width[c], m ? m->mean : NAN);
		}
		printf("  %12.4f\n", r[k].cost);
	}
}

/* Default output directory: out/NAME-SUFFIX. */
int sweep_default_dir(struct opts *o, const char *suffix, char *dir, size_t size)
{
	if (o->base.output) {
		snprintf(dir, size, "%s", o->base.output);
	} else {
		struct scenario scn;
		struct pricing pricing;
		if (cli_load(&o->base, &scn, &pricing))
			return -1;
		snprintf(dir, size, "out/%s-%s", scn.name, suffix);
		pricing_finish(&pricing);
		scenario_finish(&scn);
	}
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	return cli_output_ok(dir) ? 0 : -1;
}

/* Makes root (with its marker) and root/points; 0 or -1 (with a
 * message). */
int sweep_make_tmp(const char *dir, char *tmp, size_t size)
{
	char points[4400];
	outdir_clean_stale(dir);
	snprintf(tmp, size, "%s.tmp-%ld", dir, (long)getpid());
	snprintf(points, sizeof(points), "%s/points", tmp);
	cli_cleanup_pending();
	if (outdir_create(tmp) || mkdir(points, 0777)) {
		fprintf(stderr, "spillway: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	cli_writing(tmp);
	return 0;
}

/* Adds RESOURCE.CostPerInvocation to r for every resource of r that counts
 * Invocations and has priced cost lines in dir/cost.csv (a missing or
 * unreadable cost.csv adds nothing). */
static void add_cost_per_invocation(struct point_result *r, const char *dir)
{
	char path[4500];
	snprintf(path, sizeof(path), "%s/cost.csv", dir);
	FILE *in = fopen(path, "r");
	if (!in)
		return;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, in);
	size_t n = r->n, nl = 0;
	char **res = NULL;
	double *usd = NULL;
	long c = sim_csv_read(&rd); /* the header */
	while (c > 0 && (c = sim_csv_read(&rd)) > 0) {
		if (c < 7 || !strcmp(rd.cells[0], "TOTAL") || !*rd.cells[6])
			continue;
		res = sim_xrealloc(res, (nl + 1) * sizeof(*res));
		usd = sim_xrealloc(usd, (nl + 1) * sizeof(*usd));
		res[nl] = sim_xstrdup(rd.cells[1]);
		usd[nl++] = strtod(rd.cells[6], NULL);
	}
	sim_csv_reader_finish(&rd);
	fclose(in);
	for (size_t j = 0; j < n; j++) {
		if (strcmp(r->m[j].metric, METRIC_INVOCATIONS) || !(r->m[j].mean > 0))
			continue;
		double cost = 0;
		bool any = false;
		for (size_t i = 0; i < nl; i++)
			if (!strcmp(res[i], r->m[j].resource)) {
				cost += usd[i];
				any = true;
			}
		if (!any)
			continue;
		char num[64];
		snprintf(num, sizeof(num), "%.10g", cost / r->m[j].mean);
		r->m = sim_xrealloc(r->m, (r->n + 1) * sizeof(*r->m));
		r->m[r->n++] = (struct pr_metric){
			.resource = sim_xstrdup(r->m[j].resource),
			.metric = sim_xstrdup(METRIC_COST_PER_INVOCATION),
			.unit = sim_xstrdup("USD"), .mean_s = sim_xstrdup(num),
			.low_s = sim_xstrdup(""), .high_s = sim_xstrdup(""),
			.mean = cost / r->m[j].mean, .low = NAN, .high = NAN,
		};
	}
	for (size_t i = 0; i < nl; i++)
		free(res[i]);
	free(res);
	free(usd);
}

/* Reads the results of points ks[0..n) under root into r[ks[i]]; 0, or
 * -1 with a message. */
int sweep_load_results(const char *root, const size_t *ks, size_t n,
		       size_t total, struct point_result *r)
{
	for (size_t i = 0; i < n; i++) {
		char pd[4400];
		point_dir(pd, sizeof(pd), root, ks[i], total);
		if (point_result_load(&r[ks[i]], pd)) {
			sim_text_fprintf(stderr, "spillway: cannot read the results in %s: %s\n", pd,
				strerror(errno));
			return -1;
		}
		add_cost_per_invocation(&r[ks[i]], pd);
	}
	return 0;
}

/* 0 ready, 1 after --help, -1 on bad options (nothing to close then). */
int sweep_session_open(struct session *ss, int argc, char **argv, bool plan)
{
	int p = parse(argc, argv, plan, &ss->o);
	if (p) {
		opts_free(&ss->o);
		return p;
	}
	ranks_start(&ss->rk);
	ss->lead = ss->rk.rank == 0;
	ss->total = grid_size(ss->o.v, ss->o.nv);
	ss->ks = sim_xcalloc(ss->total, sizeof(*ss->ks));
	for (size_t k = 0; k < ss->total; k++)
		ss->ks[k] = k;
	return 0;
}

bool sweep_share_tmp(const struct session *ss, const char *dir, char *tmp, size_t size)
{
	if (ss->lead && sweep_make_tmp(dir, tmp, size))
		tmp[0] = '\0';
	ranks_share(&ss->rk, tmp, size);
	return tmp[0] != '\0';
}

void sweep_session_close(struct session *ss)
{
	free(ss->ks);
	opts_free(&ss->o);
	ranks_finish(&ss->rk);
}

int cmd_sweep(int argc, char **argv)
{
	struct session ss;
	int p = sweep_session_open(&ss, argc, argv, false);
	if (p)
		return p > 0 ? 0 : EXIT_INPUT;
	char dir[4096], tmp[4200] = "", path[4400];
	struct point_result *r = sim_xcalloc(ss.total, sizeof(*r));
	int rc = sweep_default_dir(&ss.o, "sweep", dir, sizeof(dir)) ||
			 sweep_check_points(&ss.o, ss.ks, ss.total, dir)
			 ? EXIT_INPUT : 0;
	if ((rc = ranks_worst(&ss.rk, rc)))
		goto out;
	rc = EXIT_RUN;
	if (!sweep_share_tmp(&ss, dir, tmp, sizeof(tmp)))
		goto out;
	if (sweep_run_spread(&ss.o, &ss.rk, ss.ks, ss.total, ss.total, tmp,
			     !ss.o.base.quiet && isatty(STDERR_FILENO)))
		goto out_tmp;
	if (!ss.lead) {
		rc = 0;
		goto out;
	}
	if (sweep_load_results(tmp, ss.ks, ss.total, ss.total, r))
		goto out_tmp;
	snprintf(path, sizeof(path), "%s/sweep.csv", tmp);
	if (write_sweep_csv(path, &ss.o, r, ss.total)) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (sweep_write_manifest(path, &ss.o, ss.total, "sweep")) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	{
		/* The sweep's report: each shown metric against the points. */
		const char *cols[64][2];
		size_t nc = select_cols(&ss.o, r, ss.total, cols);
		char **labels = sim_xcalloc(ss.total, sizeof(*labels));
		char varied[1024] = "";
		size_t idx[64];
		for (size_t i = 0; i < ss.o.nv; i++)
			snprintf(varied + strlen(varied), sizeof(varied) - strlen(varied), "%s%s",
				 i ? " / " : "", ss.o.v[i].path);
		for (size_t k = 0; k < ss.total; k++) {
			char l[1024] = "";
			grid_point(ss.o.v, ss.o.nv, k, idx);
			for (size_t i = 0; i < ss.o.nv; i++)
				snprintf(l + strlen(l), sizeof(l) - strlen(l), "%s%s", i ? "/" : "",
					 ss.o.v[i].values[idx[i]]);
			labels[k] = sim_xstrdup(l);
		}
		struct rpt_draw draw = { .notes = stderr };
		int w = rpt_write_sweep_report(tmp, ss.o.base.scenario, varied, labels, r, ss.total,
					       (const char *const (*)[2])cols, nc, &draw);
		for (size_t k = 0; k < ss.total; k++)
			free(labels[k]);
		free(labels);
		if (w) {
			sim_text_fprintf(stderr, "spillway: cannot %s: %s\n", draw.error,
					 strerror(errno));
			goto out_tmp;
		}
	}
	if (cli_signal || outdir_install(tmp, dir))
		goto out_tmp;
	if (!ss.o.base.quiet) {
		print_table(&ss.o, r, ss.total);
		sim_text_fprintf(stdout, "outputs in %s/ (sweep.csv, report.md, report.html, plots/, manifest.json, points/)\n", dir);
	}
	rc = 0;
	goto out;
out_tmp:
	rc = cli_abandon(ss.lead ? tmp : NULL, dir, rc);
out:
	for (size_t k = 0; k < ss.total; k++)
		point_result_free(&r[k]);
	free(r);
	sweep_session_close(&ss);
	return rc;
}

