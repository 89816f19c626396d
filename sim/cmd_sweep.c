/* cmd_sweep.c - `spillway sweep` (what-if grids) and `spillway plan` (the
 * cheapest point meeting requirements).
 *
 * Both run points of a grid (sim/sweep.h) as ordinary runs, each into its
 * own directory under the sweep's, and read their results back from the
 * files. Points run on -j worker processes (fork); which worker runs a
 * point changes nothing in it, and the collected outputs are written in
 * point order, so the output is byte-identical whatever -j is.
 *
 * plan judges each point with the requirements (sim/require.h) and keeps
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
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "reports/pricing.h"
#include "reports/report.h"
#include "sim/alloc.h"
#include "sim/cli.h"
#include "sim/require.h"
#include "sim/sha256.h"
#include "sim/sweep.h"

#ifdef SPILLWAY_MPI
#include <mpi.h>
#endif

/* This process's place among MPI ranks (rank 0 of 1 without MPI). */
struct ranks {
	int rank;
	int size;
};

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
static int ranks_worst(const struct ranks *r, int rc)
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
static void ranks_share(const struct ranks *r, char *buf, size_t size)
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
	"                          not zero everywhere)\n"
	"  -o, --output DIR        output directory\n"
	"      --seed N, --replications N, --set PATH=VALUE   as for run\n"
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
	"  --set PATH=VALUE, -q, --quiet, -h, --help   as for sweep\n"
	"\n"
	"Exit status: 0 success (also when no point is feasible: plan.md says\n"
	"so), 1 a point failed, 2 bad input.\n";

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
static void req_error(const char *text, size_t col, const char *msg)
{
	fprintf(stderr, "spillway: --require '%s': %s\n", text, msg);
	fprintf(stderr, "  %s\n  %*s^\n", text, (int)col, "");
}

/* Parses the options of sweep (plan false) or plan; 0, 1 for --help, -1. */
static int parse(int argc, char **argv, bool plan, struct opts *o)
{
	enum { OPT_SEED = 256, OPT_REPS, OPT_SET, OPT_VARY, OPT_PRINT, OPT_REQ,
	       OPT_MIN, OPT_SEARCH };
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
	int c;
	char err[512];
	while ((c = getopt_long(argc, argv, ":o:j:qh", opts, NULL)) != -1) {
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
				fprintf(stderr, "spillway %s: %s\n", cmd, err);
				return -1;
			}
			o->nv++;
			break;
		case OPT_PRINT:
			if (plan)
				goto unknown;
			o->print = optarg;
			break;
		case OPT_REQ: {
			if (!plan)
				goto unknown;
			size_t col = 0;
			o->req = sim_xrealloc(o->req, (o->nreq + 1) * sizeof(*o->req));
			if (req_parse(&o->req[o->nreq], optarg, err, sizeof(err), &col)) {
				req_error(optarg, col, err);
				return -1;
			}
			o->nreq++;
			break;
		}
		case OPT_MIN:
			if (!plan)
				goto unknown;
			o->minimize = optarg;
			break;
		case OPT_SEARCH:
			if (!plan)
				goto unknown;
			if (strcmp(optarg, "grid") && strcmp(optarg, "bisect")) {
				fprintf(stderr, "spillway plan: --search: expected grid or bisect, got '%s'\n",
					optarg);
				return -1;
			}
			o->bisect = !strcmp(optarg, "bisect");
			break;
		case 'q':
			o->base.quiet = true;
			break;
		case 'h':
			fputs(plan ? usage_plan : usage_sweep, stdout);
			return 1;
		case ':':
			fprintf(stderr, "spillway %s: option '%s' needs a value (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		default:
		unknown:
			fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		}
	}
	if (optind < argc)
		o->base.scenario = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "spillway %s: unexpected argument '%s'\n", cmd, argv[optind]);
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

/* Checks every point's scenario before anything runs: 0, or -1 with the
 * problems printed. */
static int check_points(const struct opts *o, const size_t *ks, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct point p;
		point_make(&p, o, ks[i]);
		struct scenario scn;
		struct pricing pricing;
		int rc = cli_load(&p.cli, &scn, &pricing);
		if (!rc) {
			pricing_finish(&pricing);
			scenario_finish(&scn);
		} else {
			fprintf(stderr, "spillway: (at the point");
			for (size_t d = 0; d < p.n; d++)
				fprintf(stderr, " %s", p.sets[d]);
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
static int run_points(const struct opts *o, const size_t *ks, size_t n,
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
	size_t done = 0;
	unsigned char msg;
	while (read(fds[0], &msg, 1) == 1) {
		done++;
		if (progress)
			fprintf(stderr, "\rspillway: %zu/%zu points", done, n);
	}
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
static int run_spread(const struct opts *o, const struct ranks *rk,
		      const size_t *ks, size_t n, size_t total, const char *root,
		      bool progress)
{
	if (rk->size == 1)
		return run_points(o, ks, n, total, root, o->jobs, progress);
	size_t *mine = sim_xcalloc(n ? n : 1, sizeof(*mine));
	size_t m = 0;
	for (size_t i = (size_t)rk->rank; i < n; i += (size_t)rk->size)
		mine[m++] = ks[i];
	int rc = run_points(o, mine, m, total, root, 1, progress && rk->rank == 0);
	free(mine);
	return ranks_worst(rk, rc);
}

/* A CSV field: quoted when it holds a comma, a quote or a newline. */
static void csv_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_field(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			fputc('\\', f);
		if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	}
	fputc('"', f);
}

/* The values of point k, for humans: "a=1 b=none". */
static void point_label(char *buf, size_t size, const struct opts *o, size_t k)
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
	fputs("point", f);
	for (size_t i = 0; i < o->nv; i++) {
		fputc(',', f);
		csv_field(f, o->v[i].path);
	}
	fputs(",resource,metric,mean,ci95_low,ci95_high,unit\n", f);
	size_t idx[64];
	for (size_t k = 0; k < total; k++) {
		grid_point(o->v, o->nv, k, idx);
		for (size_t j = 0; j <= r[k].n; j++) {
			fprintf(f, "%zu", k);
			for (size_t i = 0; i < o->nv; i++) {
				fputc(',', f);
				csv_field(f, o->v[i].values[idx[i]]);
			}
			if (j < r[k].n) {
				const struct pr_metric *m = &r[k].m[j];
				fprintf(f, ",%s,%s,%s,%s,%s,%s\n", m->resource, m->metric,
					m->mean_s, m->low_s, m->high_s, m->unit);
			} else {
				fprintf(f, ",cost,total_usd,%s,,,USD\n",
					r[k].cost_s ? r[k].cost_s : "");
			}
		}
	}
	int err = ferror(f);
	return fclose(f) || err ? -1 : 0;
}

static int write_manifest(const char *path, const struct opts *o, size_t total,
			  const char *kind)
{
	char sha[65] = "";
	if (sim_sha256_file(o->base.scenario, sha))
		return -1;
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fprintf(f, "{\n  \"spillway_version\": \"%s\",\n  \"command\": \"%s\",\n  \"scenario\": ",
		SPILLWAY_VERSION, kind);
	json_field(f, o->base.scenario);
	fprintf(f, ",\n  \"scenario_sha256\": \"%s\",\n  \"set\": [", sha);
	for (size_t i = 0; i < o->base.n_sets; i++) {
		if (i)
			fputs(", ", f);
		json_field(f, o->base.sets[i]);
	}
	fputs("],\n  \"vary\": [", f);
	for (size_t i = 0; i < o->nv; i++) {
		fputs(i ? ", {\"path\": " : "{\"path\": ", f);
		json_field(f, o->v[i].path);
		fputs(", \"values\": [", f);
		for (size_t j = 0; j < o->v[i].n; j++) {
			if (j)
				fputs(", ", f);
			json_field(f, o->v[i].values[j]);
		}
		fputs("]}", f);
	}
	fprintf(f, "],\n  \"points\": %zu\n}\n", total);
	int err = ferror(f);
	return fclose(f) || err ? -1 : 0;
}

/* The columns sweep prints when --print is not given. */
static bool headline(const char *metric)
{
	static const char *const names[] = {
		"NumberOfMessagesMovedToDLQ", "DrainTime", "WriteThrottleEvents",
		"ReadThrottleEvents", "Throttles", "WaitTime", NULL,
	};
	for (size_t i = 0; names[i]; i++)
		if (!strcmp(metric, names[i]))
			return true;
	return false;
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
			if (!headline(r[0].m[j].metric))
				continue;
			bool nonzero = false;
			for (size_t k = 0; k < total; k++) {
				const struct pr_metric *m = point_metric(&r[k], r[0].m[j].resource,
									 r[0].m[j].metric);
				nonzero |= m && m->mean != 0;
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
	for (size_t i = 0; i < o->nv; i++)
		printf("  %-14.40s", strrchr(o->v[i].path, '.') ? strrchr(o->v[i].path, '.') + 1
							 : o->v[i].path);
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
		for (size_t i = 0; i < o->nv; i++)
			printf("  %-14.40s", o->v[i].values[idx[i]]);
		for (size_t c = 0; c < nc; c++) {
			const struct pr_metric *m = point_metric(&r[k], cols[c][0], cols[c][1]);
			printf("  %*.6g", width[c], m ? m->mean : NAN);
		}
		printf("  %12.4f\n", r[k].cost);
	}
}

/* Default output directory: out/NAME-SUFFIX. */
static int default_dir(struct opts *o, const char *suffix, char *dir, size_t size)
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
	if (!cli_replaceable(dir)) {
		fprintf(stderr, "spillway: %s: exists and is not a spillway output directory (no manifest.json); choose another -o\n",
			dir);
		return -1;
	}
	return 0;
}

/* Makes root and root/points; 0 or -1 (with a message). */
static int make_tmp(const char *dir, char *tmp, size_t size)
{
	char points[4400];
	cli_clean_stale(dir);
	snprintf(tmp, size, "%s.tmp-%ld", dir, (long)getpid());
	snprintf(points, sizeof(points), "%s/points", tmp);
	if (cli_make_parents(dir) || mkdir(tmp, 0777) || mkdir(points, 0777)) {
		fprintf(stderr, "spillway: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	return 0;
}

/* Reads the results of points ks[0..n) under root into r[ks[i]]; 0, or
 * -1 with a message. */
static int load_results(const char *root, const size_t *ks, size_t n,
			size_t total, struct point_result *r)
{
	for (size_t i = 0; i < n; i++) {
		char pd[4400];
		point_dir(pd, sizeof(pd), root, ks[i], total);
		if (point_result_load(&r[ks[i]], pd)) {
			fprintf(stderr, "spillway: cannot read the results in %s: %s\n", pd,
				strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* What sweep and plan set up alike: their options, this process's rank,
 * and the grid's points in order. */
struct session {
	struct opts o;
	struct ranks rk;
	bool lead;       /* rank 0: gathers and writes */
	size_t total;    /* points in the grid */
	size_t *ks;      /* 0 .. total-1 */
};

/* 0 ready, 1 after --help, -1 on bad options (nothing to close then). */
static int session_open(struct session *ss, int argc, char **argv, bool plan)
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

static void session_close(struct session *ss)
{
	free(ss->ks);
	opts_free(&ss->o);
	ranks_finish(&ss->rk);
}

int cmd_sweep(int argc, char **argv)
{
	struct session ss;
	int p = session_open(&ss, argc, argv, false);
	if (p)
		return p > 0 ? 0 : EXIT_INPUT;
	struct opts o = ss.o;
	struct ranks rk = ss.rk;
	bool lead = ss.lead;
	size_t total = ss.total;
	size_t *ks = ss.ks;
	char dir[4096], tmp[4200] = "", path[4400];
	struct point_result *r = sim_xcalloc(total, sizeof(*r));
	int rc = default_dir(&o, "sweep", dir, sizeof(dir)) || check_points(&o, ks, total)
			 ? EXIT_INPUT : 0;
	if ((rc = ranks_worst(&rk, rc)))
		goto out;
	if (lead && make_tmp(dir, tmp, sizeof(tmp)))
		tmp[0] = '\0';
	ranks_share(&rk, tmp, sizeof(tmp));
	rc = EXIT_RUN;
	if (!tmp[0])
		goto out;
	if (run_spread(&o, &rk, ks, total, total, tmp,
		       !o.base.quiet && isatty(STDERR_FILENO)))
		goto out_tmp;
	if (!lead) {
		rc = 0;
		goto out;
	}
	if (load_results(tmp, ks, total, total, r))
		goto out_tmp;
	snprintf(path, sizeof(path), "%s/sweep.csv", tmp);
	if (write_sweep_csv(path, &o, r, total)) {
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (write_manifest(path, &o, total, "sweep")) {
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	{
		/* The sweep's report: each shown metric against the points. */
		const char *cols[64][2];
		size_t nc = select_cols(&o, r, total, cols);
		char **labels = sim_xcalloc(total, sizeof(*labels));
		char varied[1024] = "";
		size_t idx[64];
		for (size_t i = 0; i < o.nv; i++)
			snprintf(varied + strlen(varied), sizeof(varied) - strlen(varied), "%s%s",
				 i ? " / " : "", o.v[i].path);
		for (size_t k = 0; k < total; k++) {
			char l[1024] = "";
			grid_point(o.v, o.nv, k, idx);
			for (size_t i = 0; i < o.nv; i++)
				snprintf(l + strlen(l), sizeof(l) - strlen(l), "%s%s", i ? "/" : "",
					 o.v[i].values[idx[i]]);
			labels[k] = sim_xstrdup(l);
		}
		bool no_gnuplot = false;
		int w = rpt_write_sweep_report(tmp, o.base.scenario, varied, labels, r, total,
					       (const char *const (*)[2])cols, nc, &no_gnuplot);
		for (size_t k = 0; k < total; k++)
			free(labels[k]);
		free(labels);
		if (w) {
			fprintf(stderr, "spillway: cannot write the sweep report in %s\n", tmp);
			goto out_tmp;
		}
		if (no_gnuplot)
			fprintf(stderr, "spillway: warning: gnuplot did not run (is it installed?): "
				"plots/ holds the scripts and data, not the pictures\n");
	}
	if (cli_signal || cli_install(tmp, dir))
		goto out_tmp;
	if (!o.base.quiet) {
		print_table(&o, r, total);
		printf("outputs in %s/ (sweep.csv, report.md, report.html, plots/, manifest.json, points/)\n", dir);
	}
	rc = 0;
	goto out;
out_tmp:
	if (lead)
		cli_remove_tree(tmp);
	if (cli_signal) {
		fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
			cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		rc = 128 + cli_signal;
	}
out:
	for (size_t k = 0; k < total; k++)
		point_result_free(&r[k]);
	free(r);
	session_close(&ss);
	return rc;
}

/* plan -------------------------------------------------------------------- */

struct judged {
	bool run;           /* simulated */
	bool feasible;
	double objective;   /* NAN when unknown */
	double *value;      /* per requirement: the value judged */
	double *slack;      /* per requirement */
	bool *ok;           /* per requirement: met */
};

static double objective(const struct opts *o, const struct scenario *scn,
			const struct point_result *r)
{
	if (!strcmp(o->minimize, "cost"))
		return r->cost;
	struct requirement q;
	char err[256];
	size_t col;
	char text[600];
	snprintf(text, sizeof(text), "%s<=0", o->minimize);
	if (req_parse(&q, text, err, sizeof(err), &col))
		return NAN;
	double v, s;
	req_eval(&q, scn, r, &v, &s);
	/* The mean, not the pessimistic end, for a metric to minimize. */
	if (q.kind == REQ_METRIC) {
		const struct pr_metric *m = point_metric(r, q.resource, q.metric);
		v = m ? m->mean : NAN;
	}
	req_free(&q);
	return v;
}

/* Runs point k (when not yet run) and judges it. 0, or an exit status. */
static int judge(struct opts *o, const char *tmp, size_t k, size_t total,
		 struct point_result *r, struct judged *j, size_t *runs)
{
	if (j[k].run)
		return 0;
	int rc = run_points(o, &k, 1, total, tmp, 1, false);
	if (rc)
		return rc;
	(*runs)++;
	return load_results(tmp, &k, 1, total, r) ? EXIT_RUN : 0;
}

static int evaluate(struct opts *o, const struct scenario *scn,
		    const struct point_result *r, size_t k, struct judged *j)
{
	char err[512];
	size_t col;
	j[k].run = true;
	j[k].feasible = true;
	j[k].value = sim_xcalloc(o->nreq, sizeof(double));
	j[k].slack = sim_xcalloc(o->nreq, sizeof(double));
	j[k].ok = sim_xcalloc(o->nreq, sizeof(bool));
	for (size_t i = 0; i < o->nreq; i++) {
		if (req_check(&o->req[i], scn, &r[k], err, sizeof(err), &col)) {
			req_error(o->req[i].text, col, err);
			return EXIT_INPUT;
		}
		j[k].ok[i] = req_eval(&o->req[i], scn, &r[k], &j[k].value[i],
				      &j[k].slack[i]);
		j[k].feasible &= j[k].ok[i];
	}
	j[k].objective = objective(o, scn, &r[k]);
	return 0;
}

/* Whether point a is better than b (both feasible): a lower objective;
 * NAN is worst; ties go to the earlier point. */
static bool better(const struct judged *j, size_t a, size_t b)
{
	double x = j[a].objective, y = j[b].objective;
	if (isnan(x) != isnan(y))
		return !isnan(x);
	return x < y || (x == y && a < b);
}

static void write_plan(FILE *md, FILE *js, const struct opts *o,
		       const struct judged *j, size_t total, size_t runs,
		       long best)
{
	char label[1024];
	fprintf(md, "# Plan for %s\n\n", o->base.scenario);
	fprintf(md, "Minimize: %s. Requirements (met by the pessimistic end of each 95%% interval):\n\n",
		o->minimize);
	for (size_t i = 0; i < o->nreq; i++)
		fprintf(md, "- `%s`\n", o->req[i].text);
	fprintf(md, "\nSearch: %s; %zu of the %zu grid points simulated.%s\n\n",
		o->bisect ? "bisection" : "the whole grid", runs, total,
		o->bisect ? " Bisection assumes feasibility changes at most once along "
			    "the listed values and the objective is monotone; points not "
			    "simulated were ruled out by that assumption." : "");
	fputs("{\n  \"scenario\": ", js);
	json_field(js, o->base.scenario);
	fputs(",\n  \"minimize\": ", js);
	json_field(js, o->minimize);
	fprintf(js, ",\n  \"search\": \"%s\",\n  \"points\": %zu,\n  \"simulated\": %zu,\n",
		o->bisect ? "bisect" : "grid", total, runs);
	if (best < 0) {
		fputs("## Answer\n\nNo simulated point meets every requirement.\n\n", md);
		fputs("  \"chosen\": null,\n", js);
	} else {
		point_label(label, sizeof(label), o, (size_t)best);
		fprintf(md, "## Answer\n\nPoint %ld: `%s`, %s %.6g.\n\nMargins (how far each requirement is from failing):\n\n",
			best, label, o->minimize, j[best].objective);
		for (size_t i = 0; i < o->nreq; i++)
			fprintf(md, "- `%s`: judged %.6g, margin %.6g\n", o->req[i].text,
				j[best].value[i], j[best].slack[i]);
		fprintf(js, "  \"chosen\": {\"point\": %ld, \"values\": ", best);
		json_field(js, label);
		fprintf(js, ", \"objective\": %.10g},\n", j[best].objective);
	}
	/* Runners-up: the next feasible points by objective. */
	fputs("\n## Runners-up\n\n", md);
	fputs("  \"runners_up\": [", js);
	size_t shown = 0;
	bool *used = sim_xcalloc(total, sizeof(*used));
	if (best >= 0)
		used[best] = true;
	for (; shown < 3; shown++) {
		long next = -1;
		for (size_t k = 0; k < total; k++)
			if (j[k].run && j[k].feasible && !used[k] &&
			    (next < 0 || better(j, k, (size_t)next)))
				next = (long)k;
		if (next < 0)
			break;
		used[next] = true;
		point_label(label, sizeof(label), o, (size_t)next);
		fprintf(md, "- point %ld: `%s`, %s %.6g\n", next, label, o->minimize,
			j[next].objective);
		fprintf(js, "%s{\"point\": %ld, \"values\": ", shown ? ", " : "", next);
		json_field(js, label);
		fprintf(js, ", \"objective\": %.10g}", j[next].objective);
	}
	if (!shown)
		fputs("None.\n", md);
	free(used);
	fputs("],\n  \"rejected\": [", js);
	fputs("\n## Rejected\n\n", md);
	bool first = true;
	for (size_t k = 0; k < total; k++) {
		if (!j[k].run || j[k].feasible)
			continue;
		point_label(label, sizeof(label), o, k);
		fprintf(md, "- point %zu: `%s`:", k, label);
		fprintf(js, "%s{\"point\": %zu, \"values\": ", first ? "" : ", ", k);
		json_field(js, label);
		fputs(", \"failed\": [", js);
		bool f1 = true;
		for (size_t i = 0; i < o->nreq; i++) {
			if (j[k].ok[i])
				continue;
			fprintf(md, " `%s` (judged %.6g, short by %.6g)", o->req[i].text,
				j[k].value[i], -j[k].slack[i]);
			fprintf(js, "%s", f1 ? "" : ", ");
			json_field(js, o->req[i].text);
			f1 = false;
		}
		fputs("\n", md);
		fputs("]}", js);
		first = false;
	}
	if (first)
		fputs("None.\n", md);
	fputs("],\n  \"not_simulated\": [", js);
	first = true;
	for (size_t k = 0; k < total; k++) {
		if (j[k].run)
			continue;
		fprintf(js, "%s%zu", first ? "" : ", ", k);
		first = false;
	}
	fputs("]\n}\n", js);
}

int cmd_plan(int argc, char **argv)
{
	struct session ss;
	int p = session_open(&ss, argc, argv, true);
	if (p)
		return p > 0 ? 0 : EXIT_INPUT;
	struct opts o = ss.o;
	struct ranks rk = ss.rk;
	bool lead = ss.lead;
	size_t total = ss.total;
	size_t *ks = ss.ks;
	char dir[4096], tmp[4200] = "", path[4400];
	int rc = EXIT_INPUT;
	struct point_result *r = sim_xcalloc(total, sizeof(*r));
	struct judged *j = sim_xcalloc(total, sizeof(*j));
	struct scenario scn;
	struct pricing pricing;
	bool have_scn = false;
	size_t runs = 0;
	long best = -1;
	if (!default_dir(&o, "plan", dir, sizeof(dir)) && !check_points(&o, ks, total) &&
	    !cli_load(&o.base, &scn, &pricing)) {
		have_scn = true;
		rc = 0;
	}
	if ((rc = ranks_worst(&rk, rc)))
		goto out;
	if (lead && make_tmp(dir, tmp, sizeof(tmp)))
		tmp[0] = '\0';
	ranks_share(&rk, tmp, sizeof(tmp));
	rc = EXIT_RUN;
	if (!tmp[0])
		goto out;
	if (!o.bisect) {
		if ((rc = run_spread(&o, &rk, ks, total, total, tmp,
				     !o.base.quiet && isatty(STDERR_FILENO))))
			goto out_tmp;
		if (!lead)
			goto out;
		runs = total;
		rc = EXIT_RUN;
		if (load_results(tmp, ks, total, total, r))
			goto out_tmp;
		for (size_t k = 0; k < total; k++)
			if ((rc = evaluate(&o, &scn, r, k, j)))
				goto out_tmp;
	} else {
		/* Each step needs the one before: rank 0 alone. */
		if (!lead) {
			rc = 0;
			goto out;
		}
		size_t lo = 0, hi = total - 1;
		if ((rc = judge(&o, tmp, lo, total, r, j, &runs)) ||
		    (rc = evaluate(&o, &scn, r, lo, j)) ||
		    (rc = judge(&o, tmp, hi, total, r, j, &runs)) ||
		    (rc = evaluate(&o, &scn, r, hi, j)))
			goto out_tmp;
		if (j[lo].feasible != j[hi].feasible) {
			/* Find the last feasible point before the change. */
			size_t f = j[lo].feasible ? lo : hi, g = j[lo].feasible ? hi : lo;
			while (f + 1 != g && g + 1 != f) {
				size_t mid = f < g ? f + (g - f) / 2 : g + (f - g) / 2;
				if ((rc = judge(&o, tmp, mid, total, r, j, &runs)) ||
				    (rc = evaluate(&o, &scn, r, mid, j)))
					goto out_tmp;
				if (j[mid].feasible)
					f = mid;
				else
					g = mid;
			}
		}
	}
	rc = EXIT_RUN;
	for (size_t k = 0; k < total; k++)
		if (j[k].run && j[k].feasible && (best < 0 || better(j, k, (size_t)best)))
			best = (long)k;
	snprintf(path, sizeof(path), "%s/plan.md", tmp);
	FILE *md = fopen(path, "w");
	snprintf(path, sizeof(path), "%s/plan.json", tmp);
	FILE *js = fopen(path, "w");
	if (!md || !js) {
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		if (md)
			fclose(md);
		if (js)
			fclose(js);
		goto out_tmp;
	}
	write_plan(md, js, &o, j, total, runs, best);
	int bad = ferror(md) | ferror(js);
	bad |= fclose(md) | fclose(js);
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (bad || write_manifest(path, &o, total, "plan")) {
		fprintf(stderr, "spillway: cannot write the plan in %s\n", tmp);
		goto out_tmp;
	}
	if (cli_install(tmp, dir))
		goto out_tmp;
	if (!o.base.quiet) {
		snprintf(path, sizeof(path), "%s/plan.md", dir);
		FILE *in = fopen(path, "r");
		char line[1024];
		while (in && fgets(line, sizeof(line), in))
			fputs(line, stdout);
		if (in)
			fclose(in);
		printf("outputs in %s/ (plan.md, plan.json, manifest.json, points/)\n", dir);
	}
	rc = 0;
	goto out;
out_tmp:
	if (lead)
		cli_remove_tree(tmp);
out:
	if (have_scn) {
		pricing_finish(&pricing);
		scenario_finish(&scn);
	}
	for (size_t k = 0; k < total; k++) {
		point_result_free(&r[k]);
		free(j[k].value);
		free(j[k].slack);
		free(j[k].ok);
	}
	free(r);
	free(j);
	session_close(&ss);
	return rc;
}
