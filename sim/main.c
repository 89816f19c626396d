/* main.c - the spillway command line: the only place that wires the engine,
 * the model registry and the report writers together.
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
#include <sys/stat.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/tenants.h"
#include "reports/cost.h"
#include "reports/pricing.h"
#include "reports/report.h"
#include "reports/review.h"
#include "reports/summary.h"
#include "sim/cli.h"
#include "sim/diag.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sha256.h"

#ifndef SPILLWAY_VERSION
#define SPILLWAY_VERSION "0.1.0"
#endif


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
		fprintf(stderr, "spillway: help: no type named '%s'; types: scenario, tenant", only);
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
		fprintf(stderr, "spillway: %s: expected a whole number from %lld to %lld, got '%s'\n",
			opt, min, max, s);
		return -1;
	}
	*out = v;
	return 0;
}

/* Parses the options of run / check; returns 0, 1 for --help, or -1. */
static int parse_cli(int argc, char **argv, bool is_run, struct cli *cli)
{
	enum { OPT_SEED = 256, OPT_REPS, OPT_SET, OPT_NO_REVIEW, OPT_NO_WHATIF, OPT_MEMORY };
	static const struct option run_opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "replications", required_argument, NULL, OPT_REPS },
		{ "set", required_argument, NULL, OPT_SET },
		{ "quiet", no_argument, NULL, 'q' },
		{ "no-review", no_argument, NULL, OPT_NO_REVIEW },
		{ "no-whatif", no_argument, NULL, OPT_NO_WHATIF },
		{ "memory-limit", required_argument, NULL, OPT_MEMORY },
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
			if (!strcmp(optarg, "none")) {
				cli->memory_limit = -1;
			} else if (sim_parse_size(optarg, &cli->memory_limit) ||
				   cli->memory_limit <= 0) {
				fprintf(stderr, "spillway %s: --memory-limit: expected a size such as 4GB, or none, got '%s'\n",
					cmd, optarg);
				return -1;
			}
			break;
		case 'h':
			fputs(is_run ? usage_run : usage_check, stdout);
			return 1;
		case ':':
			fprintf(stderr, "spillway %s: option '%s' needs a value (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		default:
			fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
				cmd, argv[optind - 1], cmd);
			return -1;
		}
	}
	if (optind < argc)
		cli->scenario = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "spillway %s: unexpected argument '%s' (one scenario at a time)\n",
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
		fprintf(stderr, "spillway: %zu errors in %s\n", d.errors,
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
		printf("%s: ok: scenario '%s', %zu tenant%s, %zu resource%s, %lld replication%s of %gs\n",
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

/* Output directory handling ---------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *sb, int flag,
			struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int cli_remove_tree(const char *path)
{
	return nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* mkdir -p for the parents of path (not path itself). */
int cli_make_parents(const char *path)
{
	char buf[4096];
	if (strlen(path) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(buf, path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return 0;
}

/* An existing DIR may be replaced only when it is empty or holds a
 * previous run (manifest.json): never wipe a user's other files. */
bool cli_replaceable(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT;
	bool empty = true;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		empty = false;
		break;
	}
	closedir(d);
	if (empty)
		return true;
	char path[4200];
	snprintf(path, sizeof(path), "%s/manifest.json", dir);
	return access(path, F_OK) == 0;
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
	printf("outputs in %s/ (summary.csv, summary.json, tenants.csv, cost.csv, "
	       "timeseries.csv, scenario.resolved.yaml, manifest.json; unless "
	       "--no-review: report.html, report.md, findings.json, plots/)\n", dir);
}

/* Loads cli's scenario with its overrides, runs it and writes its outputs
 * into dir (through a temporary directory moved into place when all files
 * are complete). print: the summary and cost tables on stdout and notes on
 * stderr. Returns the exit status (0, EXIT_RUN or EXIT_INPUT). */
int cli_install(const char *tmp, const char *dir)
{
	char old[4300];
	snprintf(old, sizeof(old), "%s.old-%ld", dir, (long)getpid());
	bool had_old = access(dir, F_OK) == 0;
	if (had_old && rename(dir, old)) {
		fprintf(stderr, "spillway: cannot replace %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (rename(tmp, dir)) {
		fprintf(stderr, "spillway: cannot move %s to %s: %s\n", tmp, dir,
			strerror(errno));
		if (had_old)
			rename(old, dir);
		return -1;
	}
	if (had_old)
		cli_remove_tree(old);
	return 0;
}

volatile sig_atomic_t cli_signal;

static void on_signal(int sig)
{
	cli_signal = sig;
}

void cli_catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
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

/* Leftovers of runs into dir that were killed outright (SIGKILL, power
 * loss): DIR.tmp-PID (unfinished outputs) is removed; DIR.old-PID (the
 * previous outputs, moved aside for the instant of the swap) goes back to
 * DIR when DIR is missing. Only for processes that no longer exist. */
void cli_clean_stale(const char *dir)
{
	char parent[4096], base[4096];
	const char *slash = strrchr(dir, '/');
	snprintf(parent, sizeof(parent), "%.*s", slash ? (int)(slash - dir) : 1,
		 slash ? dir : ".");
	if (slash && slash == dir)
		snprintf(parent, sizeof(parent), "/");
	snprintf(base, sizeof(base), "%s", slash ? slash + 1 : dir);
	DIR *d = opendir(parent);
	if (!d)
		return;
	size_t len = strlen(base);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, base, len) || e->d_name[len] != '.')
			continue;
		const char *tail = e->d_name + len + 1;
		bool tmp = !strncmp(tail, "tmp-", 4), old = !strncmp(tail, "old-", 4);
		if (!tmp && !old)
			continue;
		char *end;
		long pid = strtol(tail + 4, &end, 10);
		if (*end || pid <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char path[8200];
		snprintf(path, sizeof(path), "%s/%s", parent, e->d_name);
		if (old && access(dir, F_OK) != 0 && rename(path, dir) == 0) {
			fprintf(stderr, "spillway: note: restored %s from %s (a run killed while replacing it)\n",
				dir, path);
			continue;
		}
		if (cli_remove_tree(path) == 0)
			fprintf(stderr, "spillway: note: removed %s, left by a run that was killed (process %ld)\n",
				path, pid);
	}
	closedir(d);
}

/* Bytes of memory a run may need at most, per message that can be waiting
 * at once: a queue's record (about 40 bytes: README "Benchmark") and its
 * share of the event heap. */
#define BYTES_PER_MESSAGE 64.0

/* Refuses (false, after a message) a scenario whose messages could need
 * more memory than the limit if they all waited at once: the tenants'
 * expected messages over the horizon, or the queues' initial backlogs. */
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
	double msgs = 0;
	for (size_t i = 0; i < scn->n_tenants; i++)
		msgs += tenant_expected_messages(scn->tenants[i].config, scn->duration);
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct cfg_node *b = cfg_get(scn->resources[i].node, "initial_backlog");
		const struct cfg_node *n = b ? cfg_get(b, "count") : NULL;
		if (n && n->value)
			msgs += strtod(n->value, NULL);
	}
	double need = msgs * BYTES_PER_MESSAGE;
	if (need <= limit)
		return true;
	fprintf(stderr, "%s: error: this run may need up to %.3g GB of memory (%.3g messages "
		"within the %.6g s horizon, at %.0f B each if they all wait at once), more "
		"than %s (%.3g GB). Shorten `duration`, lower the rates or burst counts, "
		"send in cohorts (a tenant's `cohort`), or raise the limit with "
		"--memory-limit SIZE (none: no limit)\n",
		cli->scenario, need / 1e9, msgs, sim_time_to_s(scn->duration),
		BYTES_PER_MESSAGE, what, limit / 1e9);
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
	if (!memory_fits(cli, &scn))
		goto out_scn;
	cli_clean_stale(dir);
	if (!cli_replaceable(dir)) {
		fprintf(stderr, "spillway: %s: exists and is not a spillway output directory (no manifest.json); choose another -o\n",
			dir);
		goto out_scn;
	}
	if (sim_sha256_file(cli->scenario, sha)) {
		fprintf(stderr, "spillway: %s: %s\n", cli->scenario, strerror(errno));
		goto out_scn;
	}
	rc = EXIT_RUN;
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", dir, (long)getpid());
	if (cli_make_parents(dir) || mkdir(tmp, 0777)) {
		fprintf(stderr, "spillway: cannot create %s: %s\n", tmp, strerror(errno));
		goto out_scn;
	}

	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", tmp);
	FILE *f = fopen(path, "w");
	if (!f || cfg_emit(f, scn.doc.root,
			   "Resolved scenario: every default filled in; this is what was simulated.") ||
	    fclose(f)) {
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}

	snprintf(path, sizeof(path), "%s/timeseries.csv", tmp);
	FILE *ts = fopen(path, "w");
	if (!ts) {
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
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
			fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
				cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		else if (r == -3)
			fprintf(stderr, "spillway: run failed; nothing written\n");
		else
			fprintf(stderr, "spillway: cannot write %s: %s\n", path,
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
			fprintf(stderr, "spillway: cannot write %s: %s\n", path,
				strerror(errno));
			sim_outcome_finish(&o);
			goto out_tmp;
		}
	}

	struct findings found = { 0 };
	bool no_gnuplot = false;
	if (!cli->no_review &&
	    (cli_review(cli, &scn, &pricing, tmp, &found) ||
	     rpt_write_report(tmp, &scn, &found, &no_gnuplot))) {
		fprintf(stderr, "spillway: cannot write the report in %s: %s\n", tmp,
			strerror(errno));
		findings_free(&found);
		sim_outcome_finish(&o);
		goto out_tmp;
	}
	if (no_gnuplot)
		fprintf(stderr, "spillway: warning: gnuplot did not run (is it installed?): "
			"plots/ holds the scripts and data, not the pictures\n");
	/* The last moment to give up: from here the outputs go in place
	 * whole, with the signals held for the two renames. */
	hold_signals(true);
	if (cli_signal) {
		hold_signals(false);
		fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
			cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
		findings_free(&found);
		sim_outcome_finish(&o);
		goto out_tmp;
	}
	int installed = cli_install(tmp, dir);
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
				fprintf(stderr, "%s %s", i ? "," : "", unconfirmed[i]);
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
	cli_remove_tree(tmp);
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
		cli_catch_signals();
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
	fprintf(stderr, "spillway: unknown command '%s'%s%s%s (see spillway --help)\n",
		cmd, hint ? " (did you mean '" : "", hint ? hint : "",
		hint ? "'?)" : "");
	return EXIT_INPUT;
}
