/* main.c - the spillway command line: the only place that wires the engine,
 * the model registry and the report writers together. Its parts, in order:
 * the shared command-line helpers and `run`, `check` and `help`; the review
 * of a run (what-ifs, findings.json); `sweep`, `plan` and `report`.
 *
 *   spillway run SCENARIO [-o DIR] [--seed N] [--replications N]
 *                [--set PATH=VALUE]... [--quiet]
 *   spillway check SCENARIO [--set PATH=VALUE]...
 *   spillway help [TYPE]
 *   spillway --help | --version | --list-models
 *
 * Exit status: 0 success, 1 run failure, 2 bad input (scenario or usage).
 * A run writes into a temporary directory beside DIR and renames it into
 * place only when every file is complete, so a failed run never leaves a
 * half-written output beside an old one.
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/outdir.h"
#include "models/registry.h"
#include "models/tenants.h"
#include "reports/cost.h"
#include "reports/pricing.h"
#include "reports/report.h"
#include "reports/review.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/diag.h"
#include "sim/require.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sha256.h"
#include "sim/sweep.h"
#include "sim/text.h"

#ifdef SPILLWAY_MPI
#include <mpi.h>
#endif

/* What the parts below share. */

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
/* tmp is being written (until cli_written): the out-of-memory exit
 * removes it. */
void cli_writing(const char *tmp);
void cli_written(void);

/* Parses a whole number for option opt; -1 with a message when it is not
 * one in [min, max]. */
int cli_parse_ll(const char *opt, const char *s, long long min, long long max,
		 long long *out);
/* Loads, overrides, links and prices cli's scenario (problems on stderr):
 * 0, or -1 with nothing to free. */
int cli_load(struct cli *cli, struct scenario *scn, struct pricing *pricing);
/* Runs cli's scenario into dir (below); the exit status. */
int cli_run_to_dir(struct cli *cli, const char *dir, bool print);
/* Whether output may go to dir (cli/outdir.h's rules); false after a
 * message on stderr saying what was found. */
bool cli_output_ok(const char *dir);

/* The review of the run in dir (below): the findings, each
 * fix re-simulated under dir/whatif/, and dir/findings.json. 0 or -1. */
struct findings;
int cli_review(struct cli *cli, const struct scenario *scn,
	       const struct pricing *p, const char *dir, struct findings *out);
void cli_print_findings(FILE *f, const struct findings *x);

int cmd_sweep(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_plan(int argc, char **argv);

static const char usage_main[] =
	"Usage: spillway COMMAND [OPTIONS]\n"
	"\n"
	"A deterministic discrete-event simulator and capacity planner for\n"
	"serverless queue architectures.\n"
	"\n"
	"Commands:\n"
	"  run SCENARIO     simulate a scenario and write its outputs\n"
	"  check SCENARIO   validate a scenario without simulating it\n"
	"  sweep SCENARIO --vary PATH=V1,V2,...\n"
	"                   run every point of a grid of values (what-if)\n"
	"  plan SCENARIO --vary ... --require EXPR\n"
	"                   the cheapest point of a grid meeting requirements\n"
	"  report DIR       redraw a finished run's plots and report\n"
	"  help [TYPE]      the scenario format: top-level keys, tenants, and\n"
	"                   the keys of each resource type (or of TYPE only)\n"
	"\n"
	"Options:\n"
	"  -h, --help       this help (spillway COMMAND --help for a command)\n"
	"  -V, --version    print the version\n"
	"      --list-models  list the resource types\n"
	"\n"
	"Exit status: 0 success, 1 run failure, 2 bad input.\n";

static const char usage_run[] =
	"Usage: spillway run SCENARIO [OPTIONS]\n"
	"\n"
	"Simulates SCENARIO (a YAML file) and writes, into the output directory:\n"
	"  scenario.resolved.yaml  the scenario with every default filled in\n"
	"  timeseries.csv          time_s,replication,resource,metric,value\n"
	"  summary.csv, .json      resource,metric,mean,ci95_low,ci95_high,unit\n"
	"                          (mean and Student-t 95%% interval over replications)\n"
	"  tenants.csv             per tenant: sent, delivered, rejected, failed,\n"
	"                          dead_lettered, expired, dwell p50/p95/p99/max\n"
	"  cost.csv                service,resource,dimension,quantity,unit,\n"
	"                          unit_price_usd,cost_usd,price_status,price_key:\n"
	"                          usage priced from the pricing file (the scenario's\n"
	"                          pricing:, else reports/pricing/REGION.yaml), with\n"
	"                          totals and a monthly projection\n"
	"  manifest.json           version, seed, replications, scenario SHA-256,\n"
	"                          pricing file\n"
	"  findings.json           the review: rule, severity, finding, rationale,\n"
	"                          source, fix and its re-simulated what-if\n"
	"  report.md, report.html  the review report (HTML self-contained)\n"
	"  plots/                  gnuplot PNG and SVG with their .gp and .dat\n"
	"  whatif/                 the re-simulations of the fixes\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR        output directory (default: out/NAME, NAME from\n"
	"                          the scenario); an existing spillway output or\n"
	"                          empty directory there is replaced\n"
	"      --seed N            override the scenario's seed\n"
	"      --replications N    override the number of replications\n"
	"      --set PATH=VALUE    override any scenario value, e.g.\n"
	"                          --set resources.desk.servers=4\n"
	"                          --set 'tenants.web.arrivals={poisson: {rate: 5/s}}'\n"
	"                          (repeatable; VALUE is YAML)\n"
	"  -q, --quiet             print nothing but errors\n"
	"      --no-whatif         review without re-simulating the fixes\n"
	"      --no-review         no findings, report or plots\n"
	"      --memory-limit SIZE refuse a scenario that may need more memory than\n"
	"                          SIZE (e.g. 4GB; none: no limit; default: half\n"
	"                          of this machine's memory)\n"
	"      --disk-limit SIZE   refuse a run that may write more than SIZE\n"
	"                          (timeseries.csv and the plots' data; none: no\n"
	"                          limit; default: half of the free space where\n"
	"                          it writes)\n"
	"  -h, --help              this help\n"
	"\n"
	"Progress is shown on stderr when it is a terminal. Exit status: 0 success,\n"
	"1 run failure (nothing is written), 2 bad input (nothing is written),\n"
	"130 / 143 stopped by SIGINT (Ctrl-C) / SIGTERM: the outputs are written\n"
	"into DIR.tmp-PID and moved into place only when complete, so an\n"
	"interrupted run leaves DIR as it was; one killed outright leaves\n"
	"DIR.tmp-PID, which the next run into DIR removes.\n";

static const char usage_check[] =
	"Usage: spillway check SCENARIO [--set PATH=VALUE]...\n"
	"\n"
	"Validates SCENARIO: YAML syntax, every key, unit and range, the\n"
	"references between tenants and resources, and its pricing file.\n"
	"Lists every problem found as\n"
	"FILE:LINE:COL: error: PATH: message. Simulates nothing, writes nothing.\n"
	"Exit status: 0 valid, 2 invalid.\n";

static const char usage_help[] =
	"Usage: spillway help [TYPE]\n"
	"\n"
	"Prints the scenario format reference: every key with its kind, default,\n"
	"range and meaning; for TYPE (e.g. station or tenant) only that part.\n";

static void list_models(FILE *f)
{
	for (size_t i = 0; spillway_registry.types[i]; i++)
		fprintf(f, "%-14s %s\n", spillway_registry.types[i]->name,
			spillway_registry.types[i]->help);
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(usage_help, stdout);
		return 0;
	}
	const char *only = argc > 1 ? argv[1] : NULL;
	bool found = false;
	if (!only || !strcmp(only, "scenario")) {
		puts("Top level:");
		scn_print_reference(stdout, &scenario_schema, 2);
		puts("  tenants              map, optional\n      tenant name -> tenant settings (below)");
		puts("  resources            map, required\n      resource name -> resource settings, each with type: (below)");
		found = true;
	}
	if (!only || !strcmp(only, "tenant")) {
		puts("\nTenant (tenants.NAME):");
		scn_print_reference(stdout, spillway_registry.tenant->schema, 2);
		found = true;
	}
	for (size_t i = 0; spillway_registry.types[i]; i++) {
		const struct model_ops *ops = spillway_registry.types[i];
		if (only && strcmp(only, ops->name))
			continue;
		printf("\nResource type %s (resources.NAME with type: %s): %s\n",
		       ops->name, ops->name, ops->help);
		scn_print_reference(stdout, ops->schema, 2);
		found = true;
	}
	if (!only) {
		puts("\nValues: durations 250ms 30s 15m 2h 14d; sizes 512B 256KB 1MB 6MiB;");
		puts("rates 200/s 12000/m 5/h; fractions 0.7 or 70%; distributions: a constant");
		puts("or {exponential: {mean}}, {lognormal: {median, p99}} or {lognormal: {mu, sigma}},");
		puts("{gamma: {mean, cv}}, {uniform: {min, max}}, {normal: {mean, sd}} (truncated at 0),");
		puts("{pareto: {shape, scale}}, {empirical: {file}} (one value per line).");
	}
	if (!found) {
		sim_text_fprintf(stderr, "spillway: help: no type named '%s'; types: scenario, tenant", only);
		for (size_t i = 0; spillway_registry.types[i]; i++)
			fprintf(stderr, ", %s", spillway_registry.types[i]->name);
		fputc('\n', stderr);
		return EXIT_INPUT;
	}
	return 0;
}

int cli_parse_ll(const char *opt, const char *s, long long min,
		 long long max, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max) {
		sim_text_fprintf(stderr, "spillway: %s: expected a whole number from %lld to %lld, got '%s'\n",
			opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

int cli_parse_limit(const char *cmd, const char *opt, const char *arg, double *out)
{
	if (!strcmp(arg, "none")) {
		*out = -1;
		return 0;
	}
	if (sim_parse_size(arg, out) == 0 && *out > 0)
		return 0;
	fprintf(stderr, "spillway %s: %s: expected a size such as 4GB, or none, got '%s'\n",
		cmd, opt, arg);
	return -1;
}

/* Parses the options of run / check; returns 0, 1 for --help, or -1. */
static int parse_cli(int argc, char **argv, bool is_run, struct cli *cli)
{
	enum { OPT_SEED = 256, OPT_REPS, OPT_SET, OPT_NO_REVIEW, OPT_NO_WHATIF, OPT_MEMORY,
	       OPT_DISK };
	static const struct option run_opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "replications", required_argument, NULL, OPT_REPS },
		{ "set", required_argument, NULL, OPT_SET },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-review", no_argument, NULL, OPT_NO_REVIEW },
		{ "no-whatif", no_argument, NULL, OPT_NO_WHATIF },
		{ "memory-limit", required_argument, NULL, OPT_MEMORY },
		{ "disk-limit", required_argument, NULL, OPT_DISK },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const struct option check_opts[] = {
		{ "set", required_argument, NULL, OPT_SET },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = is_run ? "run" : "check";
	cli->sets = calloc((size_t)argc, sizeof(*cli->sets));
	if (!cli->sets)
		return -1;
	optind = 1;
	opterr = 0;
	int c;
	/* glibc's getopt_long permutes argv, so options may come before or
	 * after the scenario path. */
	while ((c = getopt_long(argc, argv, is_run ? ":o:qh" : ":h",
				is_run ? run_opts : check_opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			cli->output = optarg;
			break;
		case OPT_SEED:
			if (cli_parse_ll("--seed", optarg, 0, 9007199254740992LL, &cli->seed))
				return -1;
			cli->has_seed = true;
			break;
		case OPT_REPS:
			if (cli_parse_ll("--replications", optarg, 1, 100000, &cli->replications))
				return -1;
			break;
		case OPT_SET:
			cli->sets[cli->n_sets++] = optarg;
			break;
		case 'q':
			cli->quiet = true;
			break;
		case OPT_NO_REVIEW:
			cli->no_review = true;
			break;
		case OPT_NO_WHATIF:
			cli->no_whatif = true;
			break;
		case OPT_MEMORY:
			if (cli_parse_limit(cmd, "--memory-limit", optarg, &cli->memory_limit))
				return -1;
			break;
		case OPT_DISK:
			if (cli_parse_limit(cmd, "--disk-limit", optarg, &cli->disk_limit))
				return -1;
			break;
		case 'h':
			fputs(is_run ? usage_run : usage_check, stdout);
			return 1;
		case ':':
			sim_text_fprintf(stderr, "spillway %s: option '%s' needs a value (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		default:
			sim_text_fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		}
	}
	if (optind < argc)
		cli->scenario = argv[optind++];
	if (optind < argc) {
		sim_text_fprintf(stderr, "spillway %s: unexpected argument '%s' (one scenario at a time)\n",
			cmd, argv[optind]);
		return -1;
	}
	if (!cli->scenario) {
		fprintf(stderr, "spillway %s: missing SCENARIO (see spillway %s --help)\n",
			cmd, cmd);
		return -1;
	}
	return 0;
}

/* Loads the scenario, links it (without running) and loads its pricing
 * file; every problem goes to stderr. 0, or -1 with nothing to free. */
int cli_load(struct cli *cli, struct scenario *scn, struct pricing *pricing)
{
	struct diag d;
	diag_init(&d);
	int rc = -1;
	/* --seed and --replications are --set in disguise, so they show in
	 * the resolved scenario. */
	char seed_set[64], reps_set[64];
	const char **sets = calloc(cli->n_sets + 2, sizeof(*sets));
	if (!sets)
		goto out;
	size_t n = 0;
	for (size_t i = 0; i < cli->n_sets; i++)
		sets[n++] = cli->sets[i];
	if (cli->has_seed) {
		snprintf(seed_set, sizeof(seed_set), "seed=%lld", cli->seed);
		sets[n++] = seed_set;
	}
	if (cli->replications) {
		snprintf(reps_set, sizeof(reps_set), "replications=%lld",
			 cli->replications);
		sets[n++] = reps_set;
	}
	if (scenario_load(scn, cli->scenario, sets, n, &spillway_registry, &d))
		goto out;
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome o;
	int lrc = sim_run_scenario(scn, &opt, &d, &o);
	sim_outcome_finish(&o);
	char *ppath = lrc ? NULL : pricing_path(scn, &d);
	if (lrc || !ppath || pricing_load(pricing, ppath, &d)) {
		free(ppath);
		scenario_finish(scn);
		goto out;
	}
	free(ppath);
	rc = 0;
out:
	diag_print(&d, stderr);
	if (rc && d.errors > 1)
		sim_text_fprintf(stderr, "spillway: %zu errors in %s\n", d.errors,
			cli->scenario);
	diag_finish(&d);
	free(sets);
	return rc;
}

static int cmd_check(int argc, char **argv)
{
	struct cli cli = { 0 };
	int p = parse_cli(argc, argv, false, &cli);
	if (p) {
		free(cli.sets);
		return p > 0 ? 0 : EXIT_INPUT;
	}
	struct scenario scn;
	struct pricing pricing;
	int rc = cli_load(&cli, &scn, &pricing) ? EXIT_INPUT : 0;
	if (!rc) {
		pricing_finish(&pricing);
		sim_text_fprintf(stdout, "%s: ok: scenario '%s', %zu tenant%s, %zu resource%s, %lld replication%s of %gs\n",
		       cli.scenario, scn.name, scn.n_tenants,
		       scn.n_tenants == 1 ? "" : "s", scn.n_resources,
		       scn.n_resources == 1 ? "" : "s", (long long)scn.replications,
		       scn.replications == 1 ? "" : "s", sim_time_to_s(scn.duration));
		struct findings found = { 0 };
		review_static(&scn, &found);
		if (found.n) {
			puts("findings that need no simulation (run it for the rest):");
			cli_print_findings(stdout, &found);
		}
		findings_free(&found);
		scenario_finish(&scn);
	}
	free(cli.sets);
	return rc;
}

static void print_summary(const struct scenario *scn, const struct sim_outcome *o,
			  const char *dir)
{
	printf("%-16s %-26s %14s %14s %14s  %s\n", "resource", "metric", "mean",
	       "ci95_low", "ci95_high", "unit");
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		printf("%-16s %-26s %14.6g %14.6g %14.6g  %s\n", m->resource,
		       m->metric, ci.mean, ci.low, ci.high, m->unit);
	}
	rpt_print_tenants(stdout, scn, o);
	sim_text_fprintf(stdout, "outputs in %s/ (summary.csv, summary.json, tenants.csv, cost.csv, "
	       "timeseries.csv, scenario.resolved.yaml, manifest.json; unless "
	       "--no-review: report.html, report.md, findings.json, plots/)\n", dir);
}

volatile sig_atomic_t cli_signal;
static volatile sig_atomic_t cleanup_pending;

static void on_signal(int sig)
{
	cli_signal = sig;
	if (!cleanup_pending) {
		/* Nothing written yet: end as the signal would. */
		signal(sig, SIG_DFL);
		raise(sig);
	}
}

void cli_catch_signals(bool restart)
{
	struct sigaction sa = { .sa_handler = on_signal,
				.sa_flags = restart ? SA_RESTART : 0 };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_cleanup_pending(void)
{
	cleanup_pending = 1;
}

/* The temporary directories this process is writing, outermost first (a
 * run, its what-ifs), for the out-of-memory exit. */
static char writing[4][4200];
static int n_writing;

void cli_writing(const char *tmp)
{
	if (n_writing < 4)
		snprintf(writing[n_writing], sizeof(writing[0]), "%s", tmp);
	n_writing++;
}

void cli_written(void)
{
	if (n_writing > 0)
		n_writing--;
}

/* Memory ran out (sim_out_of_memory): what was being written goes, and
 * the command ends as a failed run rather than an abort. */
static _Noreturn void on_out_of_memory(size_t size)
{
	fprintf(stderr, "spillway: out of memory (allocating %zu bytes): the run needs more "
		"memory than this machine gives it, although its estimate passed the "
		"memory guard (--memory-limit); nothing written\n", size);
	for (int i = (n_writing < 4 ? n_writing : 4) - 1; i >= 0; i--)
		outdir_remove(writing[i]);
	_exit(EXIT_RUN);
}

/* Blocks (true) or unblocks SIGINT and SIGTERM, around the renames that
 * put a finished run in place. */
static void hold_signals(bool hold)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigprocmask(hold ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
}

bool cli_output_ok(const char *dir)
{
	char why[4800];
	if (outdir_is_replaceable(dir, why, sizeof(why)))
		return true;
	sim_text_fprintf(stderr, "spillway: %s\n", why);
	return false;
}

/* Bytes of memory a run may need at most, per message that can be waiting
 * at once: a queue's record (about 40 bytes: README "Benchmark") and its
 * share of the event heap. */
#define BYTES_PER_MESSAGE 64.0
/* Per tenant: its instance, random streams and scenario nodes (about 12 KB
 * measured with 40,000 tenants), and two dwell histograms (the
 * replication's and the run's), counted as if their dwell times spanned
 * every octave (they take 512 bytes an octave they reach). */
#define BYTES_PER_TENANT (16384.0 + 2.0 * SIM_HIST_BUCKETS * sizeof(uint64_t))

/* What the memory guard counted. */
struct flow {
	double sent;      /* messages the tenants send, and initial backlogs */
	double made;      /* messages in all: those, and the new ones that
			     resources make of them */
	const char *most; /* the resource that makes the most */
	double most_n;    /* how many */
};

/* Messages over the horizon: the tenants' and the initial backlogs, and
 * the new messages resources make of them along the routes the models
 * declare (every subscriber of a topic gets a copy of every message; a
 * function's call sends `count` per message; a bus rule sends what it
 * matches). A poller's route (an event source, a pipe) moves messages on
 * and makes none, but what it takes flows on downstream. Routes form no
 * cycle (the link refuses one), so one pass in topological order adds
 * them up. */
static void count_flow(const struct scenario *scn, struct flow *f)
{
	*f = (struct flow){ 0 };
	struct diag d;
	diag_init(&d);
	struct sim_run run;
	if (sim_run_open(&run, scn, 0, &d) == 0) {
		size_t n = run.n_resources, nr = 0, cap = 0;
		double *in = sim_xcalloc(n ? n : 1, sizeof(*in));
		struct model_route *r = NULL;
		for (size_t i = 0; i < scn->n_tenants; i++) {
			const struct cfg_node *t = cfg_get(scn->tenants[i].node, "target");
			struct model *m = t && t->value ? sim_run_find(&run, t->value) : NULL;
			double x = tenant_expected_messages(scn->tenants[i].config, scn->duration);
			x = isnan(x) ? INFINITY : x;
			f->sent += x;
			if (m && m->index < n && run.resources[m->index] == m)
				in[m->index] += x;
		}
		double *made = sim_xcalloc(n ? n : 1, sizeof(*made));
		for (size_t i = 0; i < n; i++) {
			const struct cfg_node *b = cfg_get(scn->resources[i].node, "initial_backlog");
			const struct cfg_node *c = b ? cfg_get(b, "count") : NULL;
			double x = c && c->value ? strtod(c->value, NULL) : 0;
			f->sent += x;
			in[i] += x;
			struct model *m = run.resources[i];
			for (size_t k = 0; m->ops->route; k++) {
				if (nr == cap) {
					cap = cap ? 2 * cap : 16;
					r = sim_xrealloc(r, cap * sizeof(*r));
				}
				r[nr] = (struct model_route){ .from = m };
				if (!m->ops->route(m, k, &r[nr]))
					break;
				bool inside = r[nr].from && r[nr].to && r[nr].from->index < n &&
					      r[nr].to->index < n &&
					      run.resources[r[nr].from->index] == r[nr].from &&
					      run.resources[r[nr].to->index] == r[nr].to;
				nr += inside;
			}
		}
		/* Kahn's order: a resource passes its messages on once every
		 * route into it has been added. */
		size_t *indeg = sim_xcalloc(n ? n : 1, sizeof(*indeg));
		size_t *order = sim_xcalloc(n ? n : 1, sizeof(*order));
		size_t head = 0, tail = 0;
		for (size_t k = 0; k < nr; k++)
			indeg[r[k].to->index]++;
		for (size_t i = 0; i < n; i++)
			if (!indeg[i])
				order[tail++] = i;
		while (head < tail) {
			size_t i = order[head++];
			for (size_t k = 0; k < nr; k++) {
				if (r[k].from->index != i)
					continue;
				size_t j = r[k].to->index;
				double x = in[i] * (r[k].copies > 0 ? r[k].copies : 1);
				in[j] += x;
				made[j] += r[k].moves ? 0 : x;
				if (--indeg[j] == 0)
					order[tail++] = j;
			}
		}
		f->made = f->sent;
		for (size_t i = 0; i < n; i++) {
			f->made += made[i];
			if (made[i] > f->most_n) {
				f->most_n = made[i];
				f->most = scn->resources[i].name;
			}
		}
		free(made);
		free(order);
		free(indeg);
		free(r);
		free(in);
	}
	sim_run_close(&run);
	diag_finish(&d);
}

/* Refuses (false, after a message) a scenario that could need more memory
 * than the limit: every message reaching a resource waiting at once (a
 * bound, not a forecast), and the tenants' own share. */
static bool memory_fits(const struct cli *cli, const struct scenario *scn)
{
	if (cli->memory_limit < 0)
		return true;
	double limit = cli->memory_limit;
	const char *what = "the --memory-limit";
	if (limit == 0) {
		long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
		if (pages <= 0 || page <= 0)
			return true;
		limit = (double)pages * (double)page / 2;
		what = "half of this machine's memory";
	}
	struct flow f;
	count_flow(scn, &f);
	double tenants = (double)scn->n_tenants * BYTES_PER_TENANT;
	double need = f.made * BYTES_PER_MESSAGE + tenants;
	if (need <= limit)
		return true;
	char where[400] = "";
	if (f.made > f.sent && f.most)
		snprintf(where, sizeof(where), ", and %.3g copies made of them on the "
			 "way, the most, %.3g, into '%s'", f.made - f.sent, f.most_n, f.most);
	fprintf(stderr, "%s: error: this run may need up to %.3g GB of memory (%.3g messages "
		"within the %.6g s horizon%s, at %.0f B each if they all wait at once; "
		"%zu tenant%s at %.0f KB each), more than %s (%.3g GB). Shorten `duration`, "
		"lower the rates, burst counts or fan-out, send in cohorts (a tenant's "
		"`cohort`), or raise the limit with --memory-limit SIZE (none: no limit)\n",
		cli->scenario, need / 1e9, f.sent, sim_time_to_s(scn->duration), where,
		BYTES_PER_MESSAGE, scn->n_tenants, scn->n_tenants == 1 ? "" : "s",
		BYTES_PER_TENANT / 1024, what, limit / 1e9);
	return false;
}

/* Refuses (false, after a message) a run whose time series (and the
 * plots' copy of replication 0) may take more than the limit on the
 * file system where dir goes. */
static bool disk_fits(const struct cli *cli, const struct scenario *scn, const char *dir)
{
	if (cli->disk_limit < 0)
		return true;
	double limit = cli->disk_limit;
	const char *what = "the --disk-limit";
	if (limit == 0) {
		/* The nearest directory that exists: dir or an ancestor. */
		char at[4096];
		snprintf(at, sizeof(at), "%s", dir);
		struct statvfs fs;
		while (statvfs(at, &fs)) {
			char *slash = strrchr(at, '/');
			if (!slash || slash == at) {
				snprintf(at, sizeof(at), slash ? "/" : ".");
				if (statvfs(at, &fs))
					return true;
				break;
			}
			*slash = '\0';
		}
		limit = (double)fs.f_bavail * (double)fs.f_frsize / 2;
		what = "half of the free space there";
	}
	size_t rows;
	double bytes;
	sim_run_sample_size(scn, &rows, &bytes);
	double samples = floor((double)scn->duration / (double)scn->sample_interval) + 1;
	double reps = (double)scn->replications;
	double need = bytes * samples * (reps + 1) + 16e6;
	if (need <= limit)
		return true;
	char interval[64], duration[64];
	sim_format_duration(interval, sizeof(interval), scn->sample_interval);
	sim_format_duration(duration, sizeof(duration), scn->duration);
	fprintf(stderr, "%s: error: this run may write up to %.3g GB into %s (timeseries.csv: "
		"%zu rows every %s over %s, %.0f replication%s, and the plots' copy of "
		"one), more than %s (%.3g GB). Raise `sample_interval`, shorten `duration`, "
		"run fewer replications, or set the limit with --disk-limit SIZE (none: no "
		"limit)\n", cli->scenario, need / 1e9, dir, rows, interval, duration, reps,
		reps == 1 ? "" : "s", what, limit / 1e9);
	return false;
}

int cli_run_to_dir(struct cli *cli, const char *dir, bool print)
{
	struct scenario scn;
	struct pricing pricing;
	struct rpt_cost cost = { 0 };
	const char **unconfirmed = NULL;
	char tmp[4200], path[4300], sha[65] = "";
	int rc = EXIT_INPUT;
	if (cli_load(cli, &scn, &pricing))
		return EXIT_INPUT;
	if (!memory_fits(cli, &scn) || !disk_fits(cli, &scn, dir))
		goto out_scn;
	outdir_clean_stale(dir);
	if (!cli_output_ok(dir))
		goto out_scn;
	if (sim_sha256_file(cli->scenario, sha)) {
		fprintf(stderr, "spillway: %s: %s\n", cli->scenario, strerror(errno));
		goto out_scn;
	}
	rc = EXIT_RUN;
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dir, (long)getpid());
	cli_cleanup_pending();
	if (outdir_create(tmp)) {
		fprintf(stderr, "spillway: cannot create %s: %s\n", tmp, strerror(errno));
		goto out_scn;
	}
	cli_writing(tmp);

	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", tmp);
	FILE *f = fopen(path, "w");
	if (!f || cfg_emit(f, scn.doc.root,
			   "Resolved scenario: every default filled in; this is what was simulated.") ||
	    fclose(f)) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}

	snprintf(path, sizeof(path), "%s/timeseries.csv", tmp);
	FILE *ts = fopen(path, "w");
	if (!ts) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	static char tsbuf[1 << 16];
	setvbuf(ts, tsbuf, _IOFBF, sizeof(tsbuf));
	struct sim_run_options opt = {
		.timeseries = ts,
		.progress = print && isatty(STDERR_FILENO),
		.interrupt = &cli_signal,
	};
	struct diag d;
	diag_init(&d);
	struct sim_outcome o;
	int r = sim_run_scenario(&scn, &opt, &d, &o);
	diag_print(&d, stderr);
	diag_finish(&d);
	if (fclose(ts) || r) {
		if (r == -4)
			sim_text_fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
				cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		else if (r == -3)
			fprintf(stderr, "spillway: run failed; nothing written\n");
		else
			sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path,
				strerror(errno ? errno : EIO));
		sim_outcome_finish(&o);
		goto out_tmp;
	}

	rpt_cost_compute(&cost, &scn, &o, &pricing);
	unconfirmed = calloc(cost.n + 1, sizeof(*unconfirmed));
	size_t n_unconfirmed = 0;
	for (size_t i = 0; unconfirmed && i < cost.n; i++) {
		const struct price *pr = cost.v[i].price;
		if (!pr || pr->status != PRICE_UNCONFIRMED)
			continue;
		bool seen = false;
		for (size_t k = 0; k < n_unconfirmed; k++)
			seen |= !strcmp(unconfirmed[k], pr->key);
		if (!seen)
			unconfirmed[n_unconfirmed++] = pr->key;
	}
	struct rpt_manifest man = {
		.version = SPILLWAY_VERSION,
		.scenario_path = cli->scenario,
		.scenario_sha256 = sha,
		.sets = cli->sets,
		.n_sets = cli->n_sets,
		.pricing = pricing.doc.file,
		.unconfirmed_prices = unconfirmed,
		.n_unconfirmed_prices = n_unconfirmed,
	};
	static const char *const names[] = { "summary.csv", "summary.json",
					     "tenants.csv", "cost.csv",
					     "manifest.json" };
	for (size_t i = 0; i < 5; i++) {
		snprintf(path, sizeof(path), "%s/%s", tmp, names[i]);
		int w = i == 0 ? rpt_write_summary_csv(path, &o)
			: i == 1 ? rpt_write_summary_json(path, &o)
			: i == 2 ? rpt_write_tenants_csv(path, &scn, &o)
			: i == 3 ? rpt_write_cost_csv(path, &cost)
			: rpt_write_manifest(path, &scn, &o, &man);
		if (w) {
			sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path,
				strerror(errno));
			sim_outcome_finish(&o);
			goto out_tmp;
		}
	}

	struct findings found = { 0 };
	struct rpt_draw draw = { .notes = stderr };
	/* cli_review says itself what failed. */
	int reported = cli->no_review ? 0 : cli_review(cli, &scn, &pricing, tmp, &found);
	if (!cli->no_review && !reported && rpt_write_report(tmp, &scn, &found, &draw)) {
		sim_text_fprintf(stderr, "spillway: cannot %s: %s\n", draw.error,
				 strerror(errno));
		reported = -1;
	}
	if (reported) {
		findings_free(&found);
		sim_outcome_finish(&o);
		goto out_tmp;
	}
	/* The last moment to give up: from here the outputs go in place
	 * whole, with the signals held for the two renames. */
	hold_signals(true);
	if (cli_signal) {
		hold_signals(false);
		sim_text_fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
			cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		findings_free(&found);
		sim_outcome_finish(&o);
		goto out_tmp;
	}
	int installed = outdir_install(tmp, dir);
	if (!installed)
		cli_written();
	hold_signals(false);
	if (installed) {
		findings_free(&found);
		sim_outcome_finish(&o);
		goto out_tmp;
	}
	if (print) {
		print_summary(&scn, &o, dir);
		rpt_print_cost(stdout, &cost, &pricing);
		rpt_print_streaming(stdout, &scn, &o, &cost);
		rpt_print_published(stdout, &scn, &o, &cost);
		if (found.n) {
			puts("\nfindings (findings.json):");
			cli_print_findings(stdout, &found);
		}
		if (n_unconfirmed) {
			fputs("spillway: note: prices not backed by a source (UNCONFIRMED) in use:", stderr);
			for (size_t i = 0; i < n_unconfirmed; i++)
				sim_text_fprintf(stderr, "%s %s", i ? "," : "", unconfirmed[i]);
			fputs(" (see cost.csv; give your own with pricing: FILE)\n", stderr);
		}
	}
	findings_free(&found);
	if (print) {
		/* Cohort mode's known error: throttles near a limit. */
		long cohort = 1;
		uint64_t refused = 0;
		for (size_t i = 0; i < scn.n_tenants; i++) {
			const struct cfg_node *c = cfg_get(scn.tenants[i].node, "cohort");
			long n = c && c->value ? strtol(c->value, NULL, 10) : 1;
			cohort = n > cohort ? n : cohort;
			refused += o.tenants[i].rejected;
		}
		if (cohort > 1 && refused)
			fprintf(stderr, "spillway: note: cohort mode (up to %ld messages a cohort) with "
				"throttled messages: throttle counts are within 5%% only where every "
				"limit met holds at least 200 cohorts (a concurrency of %ld or more); "
				"compare with a smaller cohort (README, \"Cohort mode\")\n",
				cohort, 200 * cohort);
		for (size_t i = 0; i < scn.n_assumed; i++)
			fprintf(stderr, "%s%s%s", i ? ", " : "spillway: note: defaults not backed by AWS documentation (UNCONFIRMED) in use: ",
				scn.assumed[i], i + 1 == scn.n_assumed ? "\n" : "");
		fprintf(stderr, "spillway: %llu events in %.2fs (%.3g events/s)\n",
			(unsigned long long)o.events, o.wall_s,
			o.wall_s > 0 ? (double)o.events / o.wall_s : 0.0);
	}
	sim_outcome_finish(&o);
	rc = 0;
	goto out_scn;
out_tmp:
	outdir_remove(tmp);
	cli_written();
	if (cli_signal)
		rc = 128 + cli_signal;
out_scn:
	rpt_cost_finish(&cost);
	free(unconfirmed);
	pricing_finish(&pricing);
	scenario_finish(&scn);
	return rc;
}

static int cmd_run(int argc, char **argv)
{
	struct cli cli = { 0 };
	char dir[4096];
	int p = parse_cli(argc, argv, true, &cli);
	if (p) {
		free(cli.sets);
		return p > 0 ? 0 : EXIT_INPUT;
	}
	if (cli.output) {
		snprintf(dir, sizeof(dir), "%s", cli.output);
	} else {
		/* The scenario's name picks the directory: peek at it. */
		struct scenario scn;
		struct pricing pricing;
		if (cli_load(&cli, &scn, &pricing)) {
			free(cli.sets);
			return EXIT_INPUT;
		}
		snprintf(dir, sizeof(dir), "out/%s", scn.name);
		pricing_finish(&pricing);
		scenario_finish(&scn);
	}
	size_t len = strlen(dir);
	while (len > 1 && dir[len - 1] == '/')
		dir[--len] = '\0';
	int rc = cli_run_to_dir(&cli, dir, !cli.quiet);
	free(cli.sets);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_main, stderr);
		return EXIT_INPUT;
	}
	const char *cmd = argv[1];
	sim_alloc_on_failure(on_out_of_memory);
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(usage_main, stdout);
		return 0;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("spillway %s\n", SPILLWAY_VERSION);
#ifdef SPILLWAY_MPI
		puts("built with MPI: mpirun -n N spillway sweep|plan ... spreads the points over N ranks");
#endif
		return 0;
	}
	if (!strcmp(cmd, "--list-models")) {
		list_models(stdout);
		return 0;
	}
	if (!strcmp(cmd, "run") || !strcmp(cmd, "sweep") || !strcmp(cmd, "plan"))
		cli_catch_signals(true);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(cmd, "check"))
		return cmd_check(argc - 1, argv + 1);
	if (!strcmp(cmd, "sweep"))
		return cmd_sweep(argc - 1, argv + 1);
	if (!strcmp(cmd, "plan"))
		return cmd_plan(argc - 1, argv + 1);
	if (!strcmp(cmd, "report"))
		return cmd_report(argc - 1, argv + 1);
	if (!strcmp(cmd, "help"))
		return cmd_help(argc - 1, argv + 1);
	static const char *const cmds[] = { "run", "check", "sweep", "plan", "report",
					    "help", NULL };
	const char *hint = diag_suggest(cmd, cmds);
	sim_text_fprintf(stderr, "spillway: unknown command '%s'%s%s%s (see spillway --help)\n",
		cmd, hint ? " (did you mean '" : "", hint ? hint : "",
		hint ? "'?)" : "");
	return EXIT_INPUT;
}

/* The review of a run: the rules of reports/review.c on the
 * scenario and its results, each fixable finding re-simulated with its fix
 * (the what-if), and findings.json beside the other outputs.
 */

/* The headline numbers a what-if compares. */
struct headline {
	double dead;      /* messages dead-lettered (the tenants') */
	double expired;   /* messages lost to the retention (the tenants') */
	double drain;     /* the longest DrainTime of the queues tenants use */
	double throttles; /* DynamoDB and Lambda throttles */
	double cost;      /* the window's total */
};

static void headline_of(const struct scenario *scn, const struct point_result *pr,
			struct headline *h)
{
	*h = (struct headline){ 0, 0, 0, 0, pr->cost };
	for (size_t t = 0; t < pr->nt; t++) {
		h->dead += isfinite(pr->t[t].dead_lettered) ? pr->t[t].dead_lettered : 0;
		h->expired += isfinite(pr->t[t].expired) ? pr->t[t].expired : 0;
	}
	for (size_t i = 0; i < pr->n; i++) {
		const struct pr_metric *m = &pr->m[i];
		double x = isfinite(m->mean) ? m->mean : 0;
		if (!strcmp(m->metric, "WriteThrottleEvents") ||
			 !strcmp(m->metric, "ReadThrottleEvents"))
			h->throttles += x;
		else if (!strcmp(m->metric, "Throttles") && strcmp(m->resource, "account"))
			h->throttles += x;
	}
	for (size_t t = 0; t < scn->n_tenants; t++) {
		const struct cfg_node *target = cfg_get(scn->tenants[t].node, "target");
		const struct pr_metric *m = target ? point_metric(pr, target->value, "DrainTime") : NULL;
		if (m && (isnan(m->mean) || m->mean > h->drain))
			h->drain = m->mean;
	}
}

/* "12m27s", "never" for NAN. */
static void fmt_duration(char *buf, size_t size, double s)
{
	if (isnan(s))
		snprintf(buf, size, "not drained");
	else if (s >= 60)
		snprintf(buf, size, "%.0fm%02.0fs", floor(s / 60), fmod(s, 60));
	else
		snprintf(buf, size, "%.1fs", s);
}

static void describe(char *buf, size_t size, const char *fix,
		     const struct headline *a, const struct headline *b)
{
	char d1[32], d2[32];
	fmt_duration(d1, sizeof(d1), a->drain);
	fmt_duration(d2, sizeof(d2), b->drain);
	const char *eq = strrchr(fix, '.');
	char lost[96] = "";
	if (a->expired > 0 || b->expired > 0)
		snprintf(lost, sizeof(lost), "; expired %.0f -> %.0f", a->expired, b->expired);
	snprintf(buf, size,
		 "%s: dead-lettered %.0f -> %.0f%s; drain %s -> %s; throttles %.0f -> %.0f; cost $%.2f -> $%.2f",
		 eq ? eq + 1 : fix, a->dead, b->dead, lost, d1, d2, a->throttles, b->throttles,
		 a->cost, b->cost);
}

/* s as a JSON string: valid UTF-8 first (sim/text.h), then escaped. */
static void json_str(FILE *f, const char *s)
{
	char *clean = sim_text_dup(s, SIM_TEXT_UTF8);
	fputc('"', f);
	for (const char *p = clean; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
	free(clean);
}

static int write_findings_json(const char *path, const struct findings *f)
{
	FILE *out = fopen(path, "w");
	if (!out)
		return -1;
	fputs("[\n", out);
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		fputs("  {\"id\": ", out);
		json_str(out, x->rule->id);
		fputs(", \"severity\": ", out);
		json_str(out, severity_name(x->rule->severity));
		fputs(", \"title\": ", out);
		json_str(out, x->rule->title);
		fputs(", \"resource\": ", out);
		json_str(out, x->resource);
		fputs(", \"finding\": ", out);
		json_str(out, x->text);
		fputs(", \"rationale\": ", out);
		json_str(out, x->rule->rationale);
		fputs(", \"source\": ", out);
		json_str(out, x->rule->source);
		fputs(", \"fix\": ", out);
		if (x->fix)
			json_str(out, x->fix);
		else
			fputs("null", out);
		fputs(", \"what_if\": ", out);
		if (x->whatif)
			json_str(out, x->whatif);
		else
			fputs("null", out);
		fputs(i + 1 < f->n ? "},\n" : "}\n", out);
	}
	fputs("]\n", out);
	return rpt_close(out);
}

void cli_print_findings(FILE *f, const struct findings *x)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct finding *v = &x->v[i];
		sim_text_fprintf(f, "%-7s %-4s %s: %s (%s)\n", severity_name(v->rule->severity),
			v->rule->id, v->resource, v->text, v->rule->title);
		if (v->fix)
			sim_text_fprintf(f, "             fix: --set '%s'\n", v->fix);
		if (v->whatif)
			sim_text_fprintf(f, "             what-if: %s\n", v->whatif);
	}
}

/* The what-if text of finding i from its saved run under dir/whatif/. */
static void whatif_from_dir(const struct scenario *scn, const char *dir, size_t i,
			    struct finding *f, const struct headline *base)
{
	char wdir[4400];
	snprintf(wdir, sizeof(wdir), "%s/whatif/%s-%zu", dir, f->rule->id, i);
	struct point_result wpr;
	if (point_result_load(&wpr, wdir))
		return;
	struct headline after;
	headline_of(scn, &wpr, &after);
	char text[1024];
	describe(text, sizeof(text), f->fix, base, &after);
	f->whatif = sim_xstrdup(text);
	point_result_free(&wpr);
}

static const char usage_report[] =
	"Usage: spillway report DIR\n"
	"\n"
	"Redraws the plots and rewrites report.md, report.html and findings.json\n"
	"of the run in DIR from its files (scenario.resolved.yaml, the CSVs and\n"
	"the what-if runs under whatif/); simulates nothing. A plots/NAME.gp you\n"
	"edited is kept and drawn as it is (remove it to get spillway's back).\n";

int cmd_report(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_report, argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : EXIT_INPUT;
	}
	const char *dir = argv[1];
	char path[4400], why[4400];
	/* It writes into dir: only into spillway's own. */
	if (!outdir_is_output(dir, why, sizeof(why))) {
		sim_text_fprintf(stderr, "spillway report: %s; it rewrites only what spillway wrote\n", why);
		return EXIT_INPUT;
	}
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	struct cli c = { .scenario = path };
	struct scenario scn;
	struct pricing pricing;
	if (cli_load(&c, &scn, &pricing)) {
		sim_text_fprintf(stderr, "spillway report: %s is not a finished spillway run\n", dir);
		return EXIT_INPUT;
	}
	struct point_result pr;
	int rc = EXIT_RUN;
	struct findings found = { 0 };
	if (point_result_load(&pr, dir)) {
		sim_text_fprintf(stderr, "spillway report: cannot read the results in %s: %s\n", dir,
			strerror(errno));
		goto out;
	}
	review_static(&scn, &found);
	review_evidence(&scn, &pr, &pricing, &found);
	struct headline base;
	headline_of(&scn, &pr, &base);
	for (size_t i = 0; i < found.n; i++)
		if (found.v[i].fix)
			whatif_from_dir(&scn, dir, i, &found.v[i], &base);
	point_result_free(&pr);
	struct rpt_draw draw = { .notes = stderr };
	snprintf(path, sizeof(path), "%s/findings.json", dir);
	if (write_findings_json(path, &found)) {
		sim_text_fprintf(stderr, "spillway report: cannot write %s: %s\n", path,
				 strerror(errno));
		goto out;
	}
	if (rpt_write_report(dir, &scn, &found, &draw)) {
		sim_text_fprintf(stderr, "spillway report: cannot %s: %s\n", draw.error,
				 strerror(errno));
		goto out;
	}
	sim_text_fprintf(stdout, "report in %s/ (report.md, report.html, findings.json, plots/)\n", dir);
	rc = 0;
out:
	findings_free(&found);
	pricing_finish(&pricing);
	scenario_finish(&scn);
	return rc;
}

int cli_review(struct cli *cli, const struct scenario *scn, const struct pricing *p,
	       const char *dir, struct findings *out)
{
	struct point_result pr;
	*out = (struct findings){ 0 };
	if (point_result_load(&pr, dir)) {
		sim_text_fprintf(stderr, "spillway: cannot read the results in %s: %s\n", dir,
			strerror(errno));
		return -1;
	}
	review_static(scn, out);
	review_evidence(scn, &pr, p, out);
	struct headline base;
	headline_of(scn, &pr, &base);
	int rc = 0;
	for (size_t i = 0; i < out->n && !cli->no_whatif; i++) {
		struct finding *f = &out->v[i];
		if (!f->fix)
			continue;
		char wdir[4700], wroot[4400];
		snprintf(wroot, sizeof(wroot), "%s/whatif", dir);
		snprintf(wdir, sizeof(wdir), "%s/%s-%zu", wroot, f->rule->id, i);
		mkdir(wroot, 0777);
		struct cli w = *cli;
		w.quiet = true;
		w.no_review = true;
		w.sets = sim_xcalloc(cli->n_sets + 1, sizeof(*w.sets));
		memcpy(w.sets, cli->sets, cli->n_sets * sizeof(*w.sets));
		w.sets[w.n_sets++] = f->fix;
		int r = cli_run_to_dir(&w, wdir, false);
		free(w.sets);
		if (cli_signal) {
			rc = -1;
			break;
		}
		struct point_result wpr;
		if (r || point_result_load(&wpr, wdir)) {
			/* The finding stands; only its what-if is missing. */
			char text[512];
			snprintf(text, sizeof(text), "could not be simulated (%s; see the messages "
				 "printed with the run)",
				 r == EXIT_INPUT ? "the fix was refused as input" : "its run failed");
			fprintf(stderr, "spillway: warning: %s: the what-if with --set '%s' %s\n",
				f->rule->id, f->fix, text);
			f->whatif = sim_xstrdup(text);
			continue;
		}
		struct headline after;
		headline_of(scn, &wpr, &after);
		char text[1024];
		describe(text, sizeof(text), f->fix, &base, &after);
		f->whatif = sim_xstrdup(text);
		point_result_free(&wpr);
	}
	point_result_free(&pr);
	char path[4400];
	snprintf(path, sizeof(path), "%s/findings.json", dir);
	if (!rc && write_findings_json(path, out)) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

/* `spillway sweep` (what-if grids) and `spillway plan` (the
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
	sim_text_fprintf(stderr, "spillway: --require '%s': %s\n", text, msg);
	fprintf(stderr, "  %s\n  %*s^\n", text, (int)col, "");
}

static int minimize_check(const struct opts *o, const struct scenario *scn,
			  const struct point_result *pr);

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
				req_error(optarg, col, err);
				return -1;
			}
			o->nreq++;
			break;
		}
		case OPT_MIN:
			if (!plan)
				goto other_command;
			o->minimize = optarg;
			if (minimize_check(o, NULL, NULL))
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

static bool memory_fits(const struct cli *cli, const struct scenario *scn);
static bool disk_fits(const struct cli *cli, const struct scenario *scn, const char *dir);

/* Checks every point's scenario (and its memory and disk needs, on the
 * file system of dir) before anything runs: 0, or -1 with the problems
 * printed. */
static int check_points(const struct opts *o, const size_t *ks, size_t n,
			const char *dir)
{
	for (size_t i = 0; i < n; i++) {
		struct point p;
		point_make(&p, o, ks[i]);
		struct scenario scn;
		struct pricing pricing;
		int rc = cli_load(&p.cli, &scn, &pricing);
		if (!rc) {
			if (!memory_fits(&p.cli, &scn) || !disk_fits(&p.cli, &scn, dir))
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
			n_writing = 0; /* the sweep's directory is the parent's */
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

static void json_field(FILE *f, const char *s)
{
	json_str(f, s);
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
	return cli_output_ok(dir) ? 0 : -1;
}

/* Makes root (with its marker) and root/points; 0 or -1 (with a
 * message). */
static int make_tmp(const char *dir, char *tmp, size_t size)
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

/* Reads the results of points ks[0..n) under root into r[ks[i]]; 0, or
 * -1 with a message. */
static int load_results(const char *root, const size_t *ks, size_t n,
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
	int rc = default_dir(&o, "sweep", dir, sizeof(dir)) || check_points(&o, ks, total, dir)
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
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (write_manifest(path, &o, total, "sweep")) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
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
		struct rpt_draw draw = { .notes = stderr };
		int w = rpt_write_sweep_report(tmp, o.base.scenario, varied, labels, r, total,
					       (const char *const (*)[2])cols, nc, &draw);
		for (size_t k = 0; k < total; k++)
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
	if (!o.base.quiet) {
		print_table(&o, r, total);
		sim_text_fprintf(stdout, "outputs in %s/ (sweep.csv, report.md, report.html, plots/, manifest.json, points/)\n", dir);
	}
	rc = 0;
	goto out;
out_tmp:
	if (lead)
		outdir_remove(tmp);
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

/* Parses --minimize as a requirement's left side ("RESOURCE.METRIC",
 * "tenants.NAME.FIELD", "drain_time"; "cost" is none); with pr, also
 * checks that the point reports it. 0, or -1 after a message. */
static int minimize_check(const struct opts *o, const struct scenario *scn,
			  const struct point_result *pr)
{
	if (!strcmp(o->minimize, "cost"))
		return 0;
	struct requirement q;
	char err[512], text[600];
	size_t col = 0;
	snprintf(text, sizeof(text), "%s<=0", o->minimize);
	int rc = req_parse(&q, text, err, sizeof(err), &col);
	if (!rc) {
		rc = pr ? req_check(&q, scn, pr, err, sizeof(err), &col) : 0;
		req_free(&q);
	}
	if (rc) {
		fprintf(stderr, "spillway plan: --minimize '%s': %s (expected cost, "
			"drain_time, RESOURCE.METRIC or tenants.NAME.FIELD)\n", o->minimize, err);
		fprintf(stderr, "  %s\n  %*s^\n", o->minimize, (int)col, "");
	}
	return rc ? -1 : 0;
}

static int evaluate(struct opts *o, const struct scenario *scn,
		    const struct point_result *r, size_t k, struct judged *j)
{
	char err[512];
	size_t col;
	if (j[k].value)
		return 0; /* judged already */
	if (minimize_check(o, scn, &r[k]))
		return EXIT_INPUT;
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
	if (!default_dir(&o, "plan", dir, sizeof(dir)) && !check_points(&o, ks, total, dir) &&
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
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
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
	if (cli_signal || outdir_install(tmp, dir))
		goto out_tmp;
	if (!o.base.quiet) {
		snprintf(path, sizeof(path), "%s/plan.md", dir);
		FILE *in = fopen(path, "r");
		char line[1024];
		while (in && fgets(line, sizeof(line), in))
			sim_text_fputs(line, stdout, SIM_TEXT_LINES);
		if (in)
			fclose(in);
		sim_text_fprintf(stdout, "outputs in %s/ (plan.md, plan.json, manifest.json, points/)\n", dir);
	}
	rc = 0;
	goto out;
out_tmp:
	if (lead)
		outdir_remove(tmp);
	if (cli_signal) {
		fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
			cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		rc = 128 + cli_signal;
	}
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
