/* compare.c - `spillway compare` (a scenario against a monitoring export)
 * and `spillway export` (a run's series as such an export), with what
 * calibrate.c shares: options, loading, the output directory.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli/cli.h"
#include "cli/observe.h"
#include "cli/obscmd.h"
#include "cli/outdir.h"
#include "models/registry.h"
#include "reports/fit.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/json.h"
#include "sim/scenario.h"
#include "sim/sha256.h"
#include "sim/text.h"
#include "sim/units.h"

static const char usage_compare[] =
	"Usage: spillway compare SCENARIO --observed FILE [OPTIONS]\n"
	"\n"
	"Runs SCENARIO over the window of a monitoring export (the JSON that\n"
	"`aws cloudwatch get-metric-data` prints, or a CSV of\n"
	"timestamp,resource,metric,value[,statistic]) and compares each measured\n"
	"series with the simulated one: the same statistic over the same\n"
	"periods, in every replication. Time 0 is the export's earliest\n"
	"timestamp; the scenario's duration becomes the export's span.\n"
	"\n"
	"Options:\n"
	"  --observed FILE      the export (required)\n"
	"  --map ID=RESOURCE.METRIC[:STAT]\n"
	"                       bind the export's series ID to a scenario series\n"
	"                       (when its label does not name one, or names the\n"
	"                       real resource by another name); repeatable\n"
	"  --skip ID            leave the export's series ID out; repeatable\n"
	"  -r, --replications N replications (default 10)\n"
	"      --seed N         base seed (default: the scenario's)\n"
	"      --set PATH=VALUE override a scenario value; repeatable\n"
	"  -o, --output DIR     output directory (default out/NAME-compare)\n"
	"  -q, --quiet          no table on stdout\n"
	"  -h, --help           this help\n"
	"\n"
	"Per series it prints and writes (errors.csv): points compared, MAPE\n"
	"(points measured as 0 left out), bias (relative to the measured total),\n"
	"NRMSE (RMSE over the mean measured value), the run-to-run NRMSE (each\n"
	"replication against the mean of the others: its median, and in\n"
	"brackets the 99% limit for one more replication; an NRMSE at or below\n"
	"the limit is within noise, '*' marks one beyond), the share of\n"
	"points inside the simulated 95% band, and the largest error with its\n"
	"time. compare.csv holds every point (observed, simulated mean, band);\n"
	"plots/ one picture per series.\n"
	"\n"
	"Exit status: 0 done, 1 a run failed, 2 bad input (scenario, export,\n"
	"options).\n";

static const char usage_export[] =
	"Usage: spillway export SCENARIO [OPTIONS]\n"
	"\n"
	"Runs one replication of SCENARIO and writes its series as a CloudWatch\n"
	"export would hold them: the JSON of `aws cloudwatch get-metric-data`\n"
	"(MetricDataResults with Id, Label, Timestamps newest first, Values,\n"
	"StatusCode), or CSV. Periods with no value (a mean over no events) are\n"
	"left out, as CloudWatch does. For trying compare and calibrate on a\n"
	"known truth.\n"
	"\n"
	"Options:\n"
	"  --series RESOURCE.METRIC[:STAT]\n"
	"                       a series to write (default: every series the\n"
	"                       scenario records, each with its natural\n"
	"                       statistic); repeatable\n"
	"  --period DURATION    the period of every point (default 60s)\n"
	"  --start TIME         the timestamp of time 0, ISO 8601 (default\n"
	"                       2026-01-01T00:00:00Z)\n"
	"  --page-points N      at most N points per series in each page (JSON\n"
	"                       objects one after another, as paging gives them)\n"
	"  --format json|csv    (default json)\n"
	"      --seed N         base seed (default: the scenario's)\n"
	"      --set PATH=VALUE override a scenario value; repeatable\n"
	"  -o, --output FILE    where to write (default: standard output); an\n"
	"                       existing file is not replaced\n"
	"  -h, --help           this help\n"
	"\n"
	"Labels read \"RESOURCE METRIC STAT\", which compare binds back.\n";

enum {
	OPT_OBSERVED = 256, OPT_MAP, OPT_SKIP, OPT_SEED, OPT_SET, OPT_SERIES,
	OPT_PERIOD, OPT_START, OPT_PAGE, OPT_FORMAT, OPT_FIT, OPT_BUDGET,
};

int obscmd_parse(struct obscmd *c, const char *name, const char *usage,
		 int argc, char **argv)
{
	static const struct option opts[] = {
		{ "observed", required_argument, NULL, OPT_OBSERVED },
		{ "map", required_argument, NULL, OPT_MAP },
		{ "skip", required_argument, NULL, OPT_SKIP },
		{ "replications", required_argument, NULL, 'r' },
		{ "seed", required_argument, NULL, OPT_SEED },
		{ "set", required_argument, NULL, OPT_SET },
		{ "output", required_argument, NULL, 'o' },
		{ "series", required_argument, NULL, OPT_SERIES },
		{ "period", required_argument, NULL, OPT_PERIOD },
		{ "start", required_argument, NULL, OPT_START },
		{ "page-points", required_argument, NULL, OPT_PAGE },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "fit", required_argument, NULL, OPT_FIT },
		{ "budget", required_argument, NULL, OPT_BUDGET },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	/* Which options each command takes. */
	const bool is_export = !strcmp(name, "export"), is_cal = !strcmp(name, "calibrate");
	*c = (struct obscmd){ .name = name, .reps = is_cal ? 3 : 10, .period = 60,
			      .budget = 100, .page_points = 0 };
	obs_parse_time("2026-01-01T00:00:00Z", &c->start);
	optind = 1;
	opterr = 0;
	int ch, li = -1;
	while ((ch = getopt_long(argc, argv, ":r:o:qh", opts, &li)) != -1) {
		bool ok = true;
		switch (ch) {
		case OPT_OBSERVED:
			ok = !is_export;
			c->oo.file = optarg;
			break;
		case OPT_MAP:
			ok = !is_export;
			observe_push(&c->oo.maps, &c->oo.n_maps, optarg);
			break;
		case OPT_SKIP:
			ok = !is_export;
			observe_push(&c->oo.skips, &c->oo.n_skips, optarg);
			break;
		case 'r':
			ok = !is_export;
			if (ok && cli_parse_ll("--replications", optarg, 1, 1000, &c->reps))
				return EXIT_INPUT;
			break;
		case OPT_SEED:
			if (cli_parse_ll("--seed", optarg, 0, 9007199254740991LL, &c->seed))
				return EXIT_INPUT;
			c->has_seed = true;
			break;
		case OPT_SET:
			observe_push(&c->sets, &c->n_sets, optarg);
			break;
		case 'o':
			c->output = optarg;
			break;
		case OPT_SERIES:
			ok = is_export;
			observe_push(&c->series, &c->n_series, optarg);
			break;
		case OPT_PERIOD: {
			ok = is_export;
			double p;
			if (ok && (sim_parse_duration_s(optarg, &p) || !(p >= 1) || p != floor(p))) {
				sim_text_fprintf(stderr, "spillway %s: --period: expected a whole number of seconds of at least 1s (60s, 5m), got '%s'\n",
						 name, optarg);
				return EXIT_INPUT;
			}
			c->period = p;
			break;
		}
		case OPT_START:
			ok = is_export;
			if (ok && obs_parse_time(optarg, &c->start)) {
				sim_text_fprintf(stderr, "spillway %s: --start: expected an ISO 8601 time such as 2026-11-30T10:00:00Z, got '%s'\n",
						 name, optarg);
				return EXIT_INPUT;
			}
			break;
		case OPT_PAGE:
			ok = is_export;
			if (ok && cli_parse_ll("--page-points", optarg, 1, 100000000, &c->page_points))
				return EXIT_INPUT;
			break;
		case OPT_FORMAT:
			ok = is_export;
			if (ok && strcmp(optarg, "json") && strcmp(optarg, "csv")) {
				sim_text_fprintf(stderr, "spillway %s: --format: expected json or csv, got '%s'\n",
						 name, optarg);
				return EXIT_INPUT;
			}
			c->csv = ok && !strcmp(optarg, "csv");
			break;
		case OPT_FIT:
			ok = is_cal;
			observe_push(&c->fits, &c->n_fits, optarg);
			break;
		case OPT_BUDGET:
			ok = is_cal;
			if (ok && cli_parse_ll("--budget", optarg, 4, 100000, &c->budget))
				return EXIT_INPUT;
			break;
		case 'q':
			c->quiet = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 1;
		case ':':
			sim_text_fprintf(stderr, "spillway %s: option '%s' needs a value (see spillway %s --help)\n",
					 name, argv[optind - 1], name);
			return EXIT_INPUT;
		default:
			sim_text_fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
					 name, argv[optind - 1], name);
			return EXIT_INPUT;
		}
		if (!ok) {
			char opt[40];
			if (li >= 0)
				snprintf(opt, sizeof(opt), "--%s", opts[li].name);
			else
				snprintf(opt, sizeof(opt), "-%c", ch);
			sim_text_fprintf(stderr, "spillway %s: unknown option '%s' (see spillway %s --help)\n",
					 name, opt, name);
			return EXIT_INPUT;
		}
		li = -1;
	}
	if (optind != argc - 1) {
		sim_text_fprintf(stderr, "spillway %s: expected one SCENARIO (see spillway %s --help)\n",
				 name, name);
		return EXIT_INPUT;
	}
	c->scenario = argv[optind];
	if (!is_export && !c->oo.file) {
		sim_text_fprintf(stderr, "spillway %s: --observed FILE is required (see spillway %s --help)\n",
				 name, name);
		return EXIT_INPUT;
	}
	return 0;
}

void obscmd_finish(struct obscmd *c)
{
	char **lists[] = { c->sets, c->oo.maps, c->oo.skips, c->series, c->fits };
	size_t ns[] = { c->n_sets, c->oo.n_maps, c->oo.n_skips, c->n_series, c->n_fits };
	for (size_t k = 0; k < 5; k++) {
		for (size_t i = 0; i < ns[k]; i++)
			free(lists[k][i]);
		free(lists[k]);
	}
}

int obscmd_load(const struct obscmd *c, const char *const *extra, size_t n_extra,
		struct scenario *scn, bool quiet)
{
	const char **sets = sim_xcalloc(c->n_sets + n_extra + 1, sizeof(*sets));
	size_t n = 0;
	char seed[64];
	for (size_t i = 0; i < c->n_sets; i++)
		sets[n++] = c->sets[i];
	if (c->has_seed) {
		snprintf(seed, sizeof(seed), "seed=%lld", c->seed);
		sets[n++] = seed;
	}
	for (size_t i = 0; i < n_extra; i++)
		sets[n++] = extra[i];
	struct diag d;
	diag_init(&d);
	int rc = scenario_load(scn, c->scenario, sets, n, &spillway_registry, &d);
	if (!quiet || rc)
		diag_print(&d, stderr);
	diag_finish(&d);
	free(sets);
	return rc;
}

int obscmd_begin_dir(const struct obscmd *c, const struct scenario *scn,
		     char *dir, size_t dsize, char *tmp, size_t tsize)
{
	if (c->output)
		snprintf(dir, dsize, "%s", c->output);
	else
		snprintf(dir, dsize, "out/%s-%s", scn->name, c->name);
	outdir_clean_stale(dir);
	if (!cli_output_ok(dir))
		return -1;
	snprintf(tmp, tsize, "%s.tmp-%ld", dir, (long)getpid());
	cli_cleanup_pending();
	if (outdir_make_parents(tmp) || outdir_create(tmp)) {
		sim_text_fprintf(stderr, "spillway: cannot create %s: %s\n", tmp, strerror(errno));
		return -1;
	}
	cli_writing(tmp);
	return 0;
}

/* A JSON array of the n strings v. */
static json_t *strings(char *const *v, size_t n)
{
	json_t *a = sim_json_array();
	for (size_t i = 0; i < n; i++)
		sim_json_push(a, sim_json_text(v[i]));
	return a;
}

json_t *obscmd_manifest(const struct obscmd *c, const struct observe *ob)
{
	char sha[65] = "", osha[65] = "", iso[40];
	sim_sha256_file(c->scenario, sha);
	json_t *m = sim_json_object();
	sim_json_set(m, "spillway_version", sim_json_text(SPILLWAY_VERSION));
	sim_json_set(m, "command", sim_json_text(c->name));
	sim_json_set(m, "scenario", sim_json_text(c->scenario));
	sim_json_set(m, "scenario_sha256", sim_json_text(sha));
	sim_json_set(m, "set", strings(c->sets, c->n_sets));
	if (c->oo.file) {
		sim_sha256_file(c->oo.file, osha);
		sim_json_set(m, "observed", sim_json_text(c->oo.file));
		sim_json_set(m, "observed_sha256", sim_json_text(osha));
		sim_json_set(m, "map", strings(c->oo.maps, c->oo.n_maps));
		sim_json_set(m, "skip", strings(c->oo.skips, c->oo.n_skips));
	}
	sim_json_set(m, "replications", sim_json_int((long long)ob->reps));
	sim_json_set(m, "time_zero", sim_json_text(obs_format_time(ob->t0, iso, sizeof(iso))));
	sim_json_set(m, "window_s", sim_json_num(ob->window));
	sim_json_set(m, "sample_interval_s", sim_json_num(ob->interval));
	json_t *series = sim_json_array();
	for (size_t i = 0; i < ob->nb; i++) {
		const struct bound *b = &ob->b[i];
		json_t *s = sim_json_object();
		char sn[32];
		sim_json_set(s, "id", sim_json_text(b->s ? b->s->id : b->name));
		sim_json_set(s, "label", sim_json_text(b->s ? b->s->label : b->name));
		sim_json_set(s, "resource", sim_json_text(ob->tr[b->track].resource));
		sim_json_set(s, "metric", sim_json_text(ob->tr[b->track].metric));
		sim_json_set(s, "statistic", sim_json_text(obs_stat_name(b->stat, b->percentile, sn, sizeof(sn))));
		sim_json_set(s, "statistic_assumed", json_boolean(b->assumed));
		sim_json_set(s, "resource_inferred", json_boolean(b->inferred));
		sim_json_set(s, "period_s", sim_json_num(b->period));
		sim_json_set(s, "points", sim_json_int((long long)b->n));
		if (b->s) {
			sim_json_set(s, "missing_periods", sim_json_int((long long)b->s->missing));
			sim_json_set(s, "partial_data", json_boolean(b->s->partial));
		}
		sim_json_push(series, s);
	}
	sim_json_set(m, "series", series);
	return m;
}

int obscmd_write_json(const char *path, json_t *j)
{
	int rc = rpt_write_json(path, j);
	if (rc)
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path,
				 strerror(errno ? errno : EIO));
	return rc ? -1 : 0;
}

int obscmd_end_dir(const char *tmp, const char *dir, int rc)
{
	if (rc == 0 && !cli_signal && outdir_install(tmp, dir) == 0) {
		cli_written();
		return 0;
	}
	return cli_abandon(tmp, dir, rc ? rc : EXIT_RUN);
}

void obscmd_say_bound(const struct observe *ob, bool quiet)
{
	if (quiet)
		return;
	char iso[40];
	sim_text_fprintf(stdout, "window: %g min from %s, sampled every %g s\n",
			 ob->window / 60, obs_format_time(ob->t0, iso, sizeof(iso)),
			 ob->interval);
	for (size_t i = 0; i < ob->nb; i++) {
		const struct bound *b = &ob->b[i];
		char sn[32];
		sim_text_fprintf(stdout, "  %-12s -> %s%s%s%s\n", b->s->id, b->name,
				 b->assumed ? " (statistic not stated: " : "",
				 b->assumed ? obs_stat_name(b->stat, b->percentile, sn, sizeof(sn)) : "",
				 b->assumed ? " assumed)" : "");
		if (b->inferred)
			sim_text_fprintf(stdout, "  %-12s    the label names no resource: %s is the only one recording %s\n",
					 "", ob->tr[b->track].resource, ob->tr[b->track].metric);
		if (b->s->missing)
			sim_text_fprintf(stdout, "  %-12s    %zu period(s) with no point: left out of the measures\n",
					 "", b->s->missing);
		if (b->s->partial)
			sim_text_fprintf(stdout, "  %-12s    the export said PartialData: some points may be missing\n", "");
	}
}

int cmd_compare(int argc, char **argv)
{
	struct obscmd c;
	int rc = obscmd_parse(&c, "compare", usage_compare, argc, argv);
	if (rc) {
		obscmd_finish(&c);
		return rc == 1 ? 0 : rc;
	}
	struct scenario scn;
	struct observe ob = { 0 };
	char dir[4096], tmp[4200], path[4300];
	rc = EXIT_INPUT;
	if (obscmd_load(&c, NULL, 0, &scn, false))
		goto out;
	rc = observe_open(&ob, &c.oo, &scn);
	scenario_finish(&scn);
	if (rc)
		goto out;
	char sets[3][64];
	observe_sets(&ob, sets);
	const char *extra[] = { sets[0], sets[1], sets[2] };
	rc = EXIT_INPUT;
	if (obscmd_load(&c, extra, 3, &scn, true))
		goto out;
	if (obscmd_begin_dir(&c, &scn, dir, sizeof(dir), tmp, sizeof(tmp)))
		goto out_scn;
	obscmd_say_bound(&ob, c.quiet);
	rc = observe_run(&ob, &scn, (size_t)c.reps);
	if (rc) {
		rc = obscmd_end_dir(tmp, dir, EXIT_RUN);
		goto out_scn;
	}
	rc = obscmd_write_outputs(&c, &ob, &scn, tmp);
	if (!rc) {
		snprintf(path, sizeof(path), "%s/manifest.json", tmp);
		rc = obscmd_write_json(path, obscmd_manifest(&c, &ob)) ? EXIT_RUN : 0;
	}
	rc = obscmd_end_dir(tmp, dir, rc);
	if (!rc && !c.quiet)
		sim_text_fprintf(stdout, "outputs in %s/ (compare.csv, errors.csv, plots/, manifest.json)\n", dir);
out_scn:
	scenario_finish(&scn);
out:
	observe_finish(&ob);
	obscmd_finish(&c);
	return rc;
}

int obscmd_write_outputs(const struct obscmd *c, const struct observe *ob,
			 const struct scenario *scn, const char *tmp)
{
	struct rpt_compared *cs = sim_xcalloc(ob->nb, sizeof(*cs));
	for (size_t i = 0; i < ob->nb; i++)
		observe_compared(ob, i, &cs[i]);
	if (!c->quiet) {
		sim_text_fprintf(stdout, "\n%zu replications; per series (simulated mean against observed):\n",
				 ob->reps);
		rpt_print_errors(stdout, cs, ob->nb);
	}
	struct rpt_draw dr = { .notes = stderr };
	char title[600];
	const char *base = strrchr(c->oo.file, '/');
	snprintf(title, sizeof(title), "%s against %s", scn->name, base ? base + 1 : c->oo.file);
	int rc = rpt_write_compare(tmp, title, cs, ob->nb, &dr);
	if (rc)
		sim_text_fprintf(stderr, "spillway: cannot %s\n", dr.error);
	free(cs);
	return rc ? EXIT_RUN : 0;
}

/* export ------------------------------------------------------------------ */

/* The page p of the export: for each series, its points (newest first)
 * from p * per on, at most per of them (all when per is 0). */
static json_t *export_page(const struct observe *ob, size_t p, size_t per, bool *more)
{
	json_t *page = sim_json_object(), *results = sim_json_array();
	*more = false;
	for (size_t i = 0; i < ob->nb; i++) {
		const struct bound *b = &ob->b[i];
		const struct track *t = &ob->tr[b->track];
		json_t *ts = sim_json_array(), *vs = sim_json_array();
		size_t skip = per ? p * per : 0, taken = 0;
		for (size_t k = b->n; k-- > 0;) {
			double v = b->sim[k];
			if (!isfinite(v))
				continue;
			if (skip) {
				skip--;
				continue;
			}
			if (per && taken == per) {
				*more = true;
				break;
			}
			char iso[40];
			sim_json_push(ts, sim_json_text(obs_format_time(ob->t0 + b->t[k], iso, sizeof(iso))));
			sim_json_push(vs, sim_json_num(v));
			taken++;
		}
		char id[32], label[700], sn[32];
		snprintf(id, sizeof(id), "m%zu", i + 1);
		snprintf(label, sizeof(label), "%s %s %s", t->resource, t->metric,
			 obs_stat_name(b->stat, b->percentile, sn, sizeof(sn)));
		json_t *r = sim_json_object();
		sim_json_set(r, "Id", sim_json_text(id));
		sim_json_set(r, "Label", sim_json_text(label));
		sim_json_set(r, "Timestamps", ts);
		sim_json_set(r, "Values", vs);
		sim_json_set(r, "StatusCode", sim_json_text("Complete"));
		sim_json_push(results, r);
	}
	sim_json_set(page, "MetricDataResults", results);
	sim_json_set(page, "Messages", sim_json_array());
	return page;
}

static int export_write(const struct obscmd *c, const struct observe *ob, FILE *f)
{
	if (c->csv) {
		fputs("timestamp,resource,metric,value,statistic\n", f);
		for (size_t i = 0; i < ob->nb; i++) {
			const struct bound *b = &ob->b[i];
			const struct track *t = &ob->tr[b->track];
			char sn[32], iso[40];
			obs_stat_name(b->stat, b->percentile, sn, sizeof(sn));
			for (size_t k = 0; k < b->n; k++) {
				if (!isfinite(b->sim[k]))
					continue;
				struct sim_csv w = { f, false };
				sim_csv_text(&w, obs_format_time(ob->t0 + b->t[k], iso, sizeof(iso)));
				sim_csv_text(&w, t->resource);
				sim_csv_text(&w, t->metric);
				fprintf(f, ",%.12g", b->sim[k]);
				w.in_row = true;
				sim_csv_text(&w, sn);
				sim_csv_end(&w);
			}
		}
		return 0;
	}
	bool more = true;
	for (size_t p = 0; more; p++) {
		json_t *page = export_page(ob, p, (size_t)c->page_points, &more);
		int rc = sim_json_dumpf(page, f);
		json_decref(page);
		if (rc)
			return -1;
	}
	return 0;
}

int cmd_export(int argc, char **argv)
{
	struct obscmd c;
	int rc = obscmd_parse(&c, "export", usage_export, argc, argv);
	if (rc) {
		obscmd_finish(&c);
		return rc == 1 ? 0 : rc;
	}
	struct scenario scn;
	struct observe ob = { 0 };
	rc = EXIT_INPUT;
	if (c.output && access(c.output, F_OK) == 0) {
		sim_text_fprintf(stderr, "spillway export: %s exists; spillway does not replace a file it did not make here (remove it, or name another)\n",
				 c.output);
		goto out;
	}
	if (obscmd_load(&c, NULL, 0, &scn, false))
		goto out;
	double window = sim_time_to_s(scn.duration);
	rc = observe_open_grid(&ob, c.series, c.n_series, &scn, c.period, window, c.start);
	scenario_finish(&scn);
	if (rc)
		goto out;
	if (ob.nb == 0 || ob.b[0].n == 0) {
		sim_text_fprintf(stderr, "spillway export: %s: the duration holds no whole period of %g s\n",
				 c.scenario, c.period);
		rc = EXIT_INPUT;
		goto out;
	}
	char sets[3][64];
	observe_sets(&ob, sets);
	const char *extra[] = { sets[0], sets[1], sets[2] };
	rc = EXIT_INPUT;
	if (obscmd_load(&c, extra, 3, &scn, true))
		goto out;
	rc = observe_run(&ob, &scn, 1);
	scenario_finish(&scn);
	if (rc) {
		rc = EXIT_RUN;
		goto out;
	}
	if (!c.output) {
		rc = export_write(&c, &ob, stdout) || fflush(stdout) ? EXIT_RUN : 0;
		goto out;
	}
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp-%ld", c.output, (long)getpid());
	FILE *f = fopen(tmp, "wx");
	if (!f) {
		sim_text_fprintf(stderr, "spillway export: cannot write %s: %s\n", tmp, strerror(errno));
		rc = EXIT_RUN;
		goto out;
	}
	rc = export_write(&c, &ob, f);
	if (rpt_close(f) || rc || link(tmp, c.output)) {
		sim_text_fprintf(stderr, "spillway export: cannot write %s: %s\n", c.output,
				 strerror(errno ? errno : EIO));
		rc = EXIT_RUN;
	}
	unlink(tmp);
out:
	observe_finish(&ob);
	obscmd_finish(&c);
	return rc;
}
