/* run.c - `spillway run` and `spillway check`: their options, loading a
 * scenario, running it into a temporary directory installed over the
 * output directory only when complete (cli/outdir.h), and the signals
 * that may stop it.
 *
 * A run writes into a temporary directory beside DIR and renames it into
 * place only when every file is complete, so a failed run never leaves a
 * half-written output beside an old one.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/outdir.h"
#include "models/registry.h"
#include "models/tenants.h"
#include "reports/cost.h"
#include "reports/pricing.h"
#include "reports/report.h"
#include "reports/review.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/sha256.h"
#include "sim/text.h"

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

int cmd_check(int argc, char **argv)
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

void cli_say_stopped(const char *dir)
{
	sim_text_fprintf(stderr, "spillway: stopped by %s; %s left as it was\n",
			 cli_signal == SIGINT ? "SIGINT" : "SIGTERM", dir);
}

int cli_abandon(const char *tmp, const char *dir, int rc)
{
	if (tmp)
		outdir_remove(tmp);
	if (!cli_signal)
		return rc;
	cli_say_stopped(dir);
	return 128 + cli_signal;
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

void cli_writing_forget(void)
{
	n_writing = 0;
}

void cli_written(void)
{
	if (n_writing > 0)
		n_writing--;
}

/* Memory ran out (sim_out_of_memory): what was being written goes, and
 * the command ends as a failed run rather than an abort. */
_Noreturn void cli_out_of_memory(size_t size)
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
	if (!cli_memory_fits(cli, &scn) || !cli_disk_fits(cli, &scn, dir))
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
		if (r == SIM_RUN_INTERRUPTED)
			cli_say_stopped(dir);
		else if (r != SIM_RUN_WRITE_ERROR && r != SIM_RUN_OK)
			fprintf(stderr, "spillway: run failed (%s); nothing written\n",
				sim_run_strerror(r));
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
		cli_say_stopped(dir);
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

int cmd_run(int argc, char **argv)
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

