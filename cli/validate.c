/* validate.c - `spillway validate`: the validation suite. Each case
 * (validation/cases/NAME.yaml) names scenario runs and checks that set a
 * published figure beside a simulated one; validate loads every case,
 * runs the runs (as `spillway run --no-review` would, into a temporary
 * directory it makes and removes, on -j worker processes), reads their
 * results back (sim/results.h) and judges each check against its
 * tolerance.
 *
 * A case file:
 *   title, source, setup     text (title and source required)
 *   kind                     measurement (default) or theory (an exact
 *                            result of queueing theory, not a platform)
 *   fast                     true (default): `validate --fast` runs it
 *   runs: NAME: {scenario, set: [PATH=VALUE...], seed: 1, replications: 1}
 *   checks: [{measurement, published, uncertainty, simulated, tolerance,
 *             evidence: independent|input, note}]
 * simulated is RUN:REF, or RUN:REF OP RUN:REF with OP one of / - +,
 * optionally followed by `* NUMBER`; REF is RESOURCE.METRIC (the mean of
 * summary.csv), tenants.NAME.FIELD (tenants.csv) or monthly_cost.SERVICE
 * (the service's cost.csv lines scaled to 730 hours), as a scenario's
 * expect: and plan's --require spell them, or window_cost.SERVICE (the
 * service's cost over the measurement window, as cost.csv has it).
 *
 * Exit status: 0 every check passes or is a known gap (gap: in the case),
 * 1 a check fails (or a run failed),
 * 2 bad input (a malformed case, an unknown run or metric).
 */
#define _GNU_SOURCE

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/outdir.h"
#include "reports/cost.h"
#include "reports/pricing.h"
#include "sim/alloc.h"
#include "sim/cfg.h"
#include "sim/csv.h"
#include "sim/diag.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/schema.h"
#include "sim/text.h"

#ifndef SPILLWAY_VALIDATION_DIRS
#define SPILLWAY_VALIDATION_DIRS "validation/cases"
#endif

static const char usage_validate[] =
	"Usage: spillway validate [CASE...] [--fast] [-j N] [--format table|csv|md]\n"
	"                         [--kind measurement|theory] [--list] [--cases DIR]\n"
	"\n"
	"Runs the validation suite: each case (validation/cases/NAME.yaml) names\n"
	"scenario runs and checks that set a published figure (a measurement on\n"
	"the real platform, or an exact result of queueing theory) beside the\n"
	"simulated one, with a tolerance. Prints, per check: case, measurement,\n"
	"published, simulated, error (relative, or absolute when the published\n"
	"value is 0), tolerance, verdict (PASS, FAIL, or GAP: a miss the case\n"
	"explains as a known gap of the model, gap: in the case) and evidence\n"
	"(independent: the published value is not an input of the scenario;\n"
	"input: it, or what decides it, is), then a summary line.\n"
	"\n"
	"CASE is a case's name (its file name without .yaml) or a path to a case\n"
	"file; none: every case.\n"
	"\n"
	"Options:\n"
	"      --fast            only the cases marked fast: true (what CI runs)\n"
	"  -j, --jobs N          worker processes (default: the number of cores)\n"
	"      --format F        table (default), csv or md (a Markdown table)\n"
	"      --kind K          only the cases of kind K: measurement (the real\n"
	"                        platform) or theory (exact queueing results)\n"
	"      --list            list the cases without running them\n"
	"      --cases DIR       read the cases from DIR (default: the source\n"
	"                        tree's validation/cases, else the installed one)\n"
	"  -q, --quiet           no progress on stderr\n"
	"  -h, --help            this help\n"
	"\n"
	"Runs go into a temporary directory under $TMPDIR (or /tmp), removed at\n"
	"the end. Exit status: 0 every check passes or is a known gap, 1 a\n"
	"check fails or a run failed, 2 bad input (a malformed case:\n"
	"FILE:LINE:COL: error: ...).\n";

enum { EV_INDEPENDENT, EV_INPUT };
static const char *const evidence_names[] = { "independent", "input", NULL };
enum { KIND_MEASUREMENT, KIND_THEORY };
static const char *const kind_names[] = { "measurement", "theory", NULL };

enum ref_kind { REF_METRIC, REF_TENANT, REF_MONTHLY, REF_WINDOW };

/* One RUN:REF of a check's simulated expression. */
struct vref {
	size_t run;       /* index into the case's runs */
	int kind;         /* enum ref_kind */
	char *resource;   /* resource, tenant or service, owned */
	char *metric;     /* metric or tenant field, owned; NULL for monthly */
};

struct vcheck {
	/* As written (scn_walk). */
	const char *measurement;
	double published;
	const char *uncertainty;
	const char *simulated;
	const char *tolerance;
	int evidence;
	const char *note;
	const char *gap;  /* a known gap: why the model misses it */
	/* Derived. */
	struct vref ref[2];
	size_t nref;
	char op;          /* '/', '-', '+' between the references, 0: one */
	double factor;
	double tol;
	bool tol_rel;
	double value;     /* simulated */
	bool pass;
	bool judged;
};

/* A service's cost over the measurement window (cost.csv). */
struct vcost {
	char *service;
	double usd;
};

struct vrun {
	const char *name;       /* the key in runs:, into the YAML tree */
	const char *scenario;   /* as written */
	int64_t seed;
	int64_t replications;
	const struct cfg_node *node;
	char *path;             /* the scenario's path, owned */
	const char **sets;      /* into the YAML tree, owned array */
	size_t n_sets;
	struct point_result pr;
	struct vcost *costs;
	size_t n_costs;
	double window_h;        /* the measurement window, hours */
	bool loaded;
	int rc;                 /* the run's exit status */
};

struct vcase {
	char *file;             /* owned */
	char *name;             /* file name without .yaml, owned */
	struct cfg_doc doc;
	/* As written (scn_walk). */
	const char *title;
	const char *source;
	const char *setup;
	int kind;
	bool fast;
	struct scn_list checks; /* struct vcheck */
	/* Runs (walked one by one). */
	struct vrun *runs;
	size_t n_runs;
	bool bad;               /* a reference that does not resolve */
};

#define CK(...) SCN_FIELD(struct vcheck, __VA_ARGS__)
static const struct scn_field check_fields[] = {
	CK("measurement", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, measurement,
	   "what was measured, in words"),
	CK("published", SCN_NUMBER, SCN_F_REQUIRED, 1, 0, NULL, published,
	   "the published value (a number)"),
	CK("uncertainty", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, uncertainty,
	   "how well the source knows it (text)"),
	CK("simulated", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, simulated,
	   "RUN:RESOURCE.METRIC, or two joined by / - +, optionally * NUMBER"),
	CK("tolerance", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, tolerance,
	   "N% (relative) or a number (absolute)"),
	{ .key = "evidence", .kind = SCN_ENUM, .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .names = evidence_names, .offset = offsetof(struct vcheck, evidence),
	  .help = "independent (the published value is not an input) or input" },
	CK("note", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, note,
	   "why input-determined, what was fitted, ..."),
	CK("gap", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, gap,
	   "a known gap: what the model lacks to meet it; a miss is GAP, not FAIL"),
};
static const struct scn_schema check_schema = {
	.name = "check",
	.fields = check_fields,
	.n = sizeof(check_fields) / sizeof(check_fields[0]),
};

#define CF(...) SCN_FIELD(struct vcase, __VA_ARGS__)
static const struct scn_field case_fields[] = {
	CF("title", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, title, "what the case is"),
	CF("source", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, source,
	   "where the figures were published (URL)"),
	CF("setup", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, setup,
	   "the source's set-up, and what the scenario inferred"),
	{ .key = "kind", .kind = SCN_ENUM, .min = 1, .max = 0, .dflt = "measurement",
	  .names = kind_names, .offset = offsetof(struct vcase, kind),
	  .help = "measurement (the real platform) or theory (an exact result)" },
	CF("fast", SCN_BOOL, 0, 1, 0, "true", fast, "validate --fast runs it"),
	{ .key = "checks", .kind = SCN_LIST, .sub = &check_schema,
	  .elem_size = sizeof(struct vcheck), .flags = SCN_F_REQUIRED,
	  .offset = offsetof(struct vcase, checks), .min = 1, .max = 0,
	  .help = "published against simulated" },
};
static const struct scn_schema case_schema = {
	.name = "case",
	.fields = case_fields,
	.n = sizeof(case_fields) / sizeof(case_fields[0]),
};

#define RF(...) SCN_FIELD(struct vrun, __VA_ARGS__)
static const struct scn_field run_fields[] = {
	RF("scenario", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, scenario,
	   "the scenario, relative to the case file"),
	RF("seed", SCN_INT, 0, 0, 9007199254740992.0, "1", seed, "the run's seed"),
	RF("replications", SCN_INT, 0, 1, 100000, "1", replications,
	   "replications (the check uses their mean)"),
};
static const struct scn_schema run_schema = {
	.name = "run",
	.fields = run_fields,
	.n = sizeof(run_fields) / sizeof(run_fields[0]),
};

static void ref_free(struct vref *r)
{
	free(r->resource);
	free(r->metric);
}

static void case_free(struct vcase *c)
{
	struct vcheck *k = c->checks.items;
	for (size_t i = 0; i < c->checks.n; i++)
		for (size_t j = 0; j < k[i].nref; j++)
			ref_free(&k[i].ref[j]);
	scn_free(&case_schema, c);
	for (size_t i = 0; i < c->n_runs; i++) {
		struct vrun *r = &c->runs[i];
		free(r->path);
		free(r->sets);
		if (r->loaded)
			point_result_free(&r->pr);
		for (size_t k2 = 0; k2 < r->n_costs; k2++)
			free(r->costs[k2].service);
		free(r->costs);
	}
	free(c->runs);
	cfg_doc_finish(&c->doc);
	free(c->file);
	free(c->name);
}

/* Parses a tolerance: "N%" relative, or a plain number absolute. */
static bool parse_tolerance(const char *s, double *tol, bool *rel)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || errno || !isfinite(v) || v < 0)
		return false;
	*rel = false;
	if (*end == '%') {
		*rel = true;
		v /= 100;
		end++;
	}
	while (*end == ' ')
		end++;
	if (*end)
		return false;
	*tol = v;
	return true;
}

static char *trim_dup(const char *s, size_t n)
{
	while (n && (*s == ' ' || *s == '\t'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	return strndup(s, n);
}

/* Parses one RUN:REF; a message in err when it is not one. */
static bool parse_ref(struct vcase *c, const char *text, struct vref *r, char *err,
		      size_t errlen)
{
	*r = (struct vref){ 0 };
	const char *colon = strchr(text, ':');
	if (!colon || colon == text) {
		sim_text_fail(err, errlen, "expected RUN:RESOURCE.METRIC, got '%s'", text);
		return false;
	}
	size_t rl = (size_t)(colon - text);
	bool found = false;
	for (size_t i = 0; i < c->n_runs && !found; i++)
		if (strlen(c->runs[i].name) == rl && !strncmp(c->runs[i].name, text, rl)) {
			r->run = i;
			found = true;
		}
	if (!found) {
		char list[512] = "";
		for (size_t i = 0; i < c->n_runs; i++)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
				 i ? ", " : "", c->runs[i].name);
		sim_text_fail(err, errlen, "no run named '%.*s' (runs: %s)", (int)rl, text,
			      c->n_runs ? list : "none");
		return false;
	}
	const char *ref = colon + 1;
	const char *dot = strchr(ref, '.');
	if (!dot || dot == ref || !dot[1]) {
		sim_text_fail(err, errlen, "expected RESOURCE.METRIC after '%.*s:', got '%s'",
			      (int)rl, text, ref);
		return false;
	}
	size_t resl = (size_t)(dot - ref);
	if (resl == 7 && !strncmp(ref, "tenants", 7)) {
		const char *dot2 = strchr(dot + 1, '.');
		if (!dot2 || dot2 == dot + 1 || !dot2[1]) {
			sim_text_fail(err, errlen, "expected tenants.NAME.FIELD, got '%s'", ref);
			return false;
		}
		r->kind = REF_TENANT;
		r->resource = strndup(dot + 1, (size_t)(dot2 - dot - 1));
		r->metric = sim_xstrdup(dot2 + 1);
	} else if (resl == 12 && !strncmp(ref, "monthly_cost", 12)) {
		r->kind = REF_MONTHLY;
		r->resource = sim_xstrdup(dot + 1);
	} else if (resl == 11 && !strncmp(ref, "window_cost", 11)) {
		r->kind = REF_WINDOW;
		r->resource = sim_xstrdup(dot + 1);
	} else {
		r->kind = REF_METRIC;
		r->resource = strndup(ref, resl);
		r->metric = sim_xstrdup(dot + 1);
	}
	return true;
}

/* Parses check k's simulated expression and tolerance; problems to ctx. */
static void parse_check(struct vcase *c, struct vcheck *k, const struct cfg_node *node,
			struct scn_ctx *ctx)
{
	char err[600];
	const char *s = k->simulated;
	k->factor = 1;
	const char *star = strstr(s, " * ");
	size_t left = star ? (size_t)(star - s) : strlen(s);
	if (star) {
		char *end;
		const char *num = star + 3;
		while (*num == ' ')
			num++;
		k->factor = strtod(num, &end);
		while (*end == ' ')
			end++;
		if (end == num || *end || !isfinite(k->factor)) {
			scn_error_key(ctx, node, "simulated",
				      "expected a number after ' * ', got '%s'", star + 3);
			return;
		}
	}
	static const char *const ops[] = { " / ", " - ", " + " };
	const char *at = NULL;
	for (size_t i = 0; i < 3; i++) {
		const char *p = strstr(s, ops[i]);
		if (p && p < s + left && (!at || p < at)) {
			at = p;
			k->op = ops[i][1];
		}
	}
	char *a = trim_dup(s, at ? (size_t)(at - s) : left);
	char *b = at ? trim_dup(at + 3, left - (size_t)(at + 3 - s)) : NULL;
	bool ok = parse_ref(c, a, &k->ref[0], err, sizeof(err));
	if (ok)
		k->nref = 1;
	if (ok && b) {
		ok = parse_ref(c, b, &k->ref[1], err, sizeof(err));
		if (ok)
			k->nref = 2;
	}
	if (!ok)
		scn_error_key(ctx, node, "simulated", "%s", err);
	free(a);
	free(b);
	if (!parse_tolerance(k->tolerance, &k->tol, &k->tol_rel))
		scn_error_key(ctx, node, "tolerance",
			      "expected N%% (relative) or a number (absolute) not below 0, got '%s'",
			      k->tolerance);
}

/* Loads and checks one case file: 0, or -1 with the problems in d. */
static int case_load(struct vcase *c, const char *path, struct diag *d)
{
	*c = (struct vcase){ 0 };
	c->file = sim_xstrdup(path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	if (bl > 5 && !strcmp(base + bl - 5, ".yaml"))
		bl -= 5;
	c->name = strndup(base, bl);
	size_t before = d->errors;
	if (cfg_load_file(&c->doc, path, d))
		return -1;
	struct cfg_node *root = c->doc.root;
	if (root->type != CFG_MAP) {
		diag_error(d, c->doc.file, root->line, root->col,
			   "expected a map of case settings (title, source, runs, checks) at the top level");
		return -1;
	}
	char *dir = strrchr(path, '/') ? strndup(path, (size_t)(strrchr(path, '/') - path))
				       : sim_xstrdup(".");
	struct scn_ctx ctx = { .diag = d, .dir = dir };
	static const char *const skip[] = { "runs", NULL };
	/* The runs first: the checks name them. */
	struct cfg_node *runs = cfg_get(root, "runs");
	char got[80];
	if (!runs) {
		diag_error(d, c->doc.file, root->line, root->col,
			   "runs: missing: expected a map of run names to {scenario, set, seed, replications}");
	} else if (runs->type != CFG_MAP || runs->n == 0) {
		scn_error(&ctx, runs, "runs: expected a map of run names to {scenario, set, seed, replications}, got %s",
			  scn_got(runs, got, sizeof(got)));
	} else {
		c->runs = sim_xcalloc(runs->n, sizeof(*c->runs));
		c->n_runs = runs->n;
		for (size_t i = 0; i < runs->n; i++) {
			struct vrun *r = &c->runs[i];
			struct cfg_node *rn = runs->pairs[i].value;
			r->name = runs->pairs[i].key;
			r->node = rn;
			snprintf(ctx.path, sizeof(ctx.path), "runs.%s", r->name);
			if (strchr(r->name, ':') || strchr(r->name, ' ')) {
				scn_error(&ctx, rn, "a run's name may hold neither ':' nor spaces");
				continue;
			}
			if (rn->type != CFG_MAP) {
				scn_error(&ctx, rn, "expected a map {scenario, set, seed, replications}, got %s",
					  scn_got(rn, got, sizeof(got)));
				continue;
			}
			static const char *const rskip[] = { "set", NULL };
			scn_walk(&run_schema, rn, r, rskip, &ctx);
			struct cfg_node *set = cfg_get(rn, "set");
			if (set && set->type != CFG_SEQ) {
				scn_error_key(&ctx, rn, "set", "expected a list of \"PATH=VALUE\", got %s",
					      scn_got(set, got, sizeof(got)));
			} else if (set) {
				r->sets = sim_xcalloc(set->n + 1, sizeof(*r->sets));
				for (size_t j = 0; j < set->n; j++) {
					const struct cfg_node *v = set->items[j];
					if (v->type != CFG_SCALAR || !strchr(v->value, '=')) {
						scn_error(&ctx, v, "set[%zu]: expected \"PATH=VALUE\", got %s",
							  j, scn_got(v, got, sizeof(got)));
						continue;
					}
					r->sets[r->n_sets++] = v->value;
				}
			}
			if (r->scenario) {
				size_t len = strlen(dir) + strlen(r->scenario) + 2;
				r->path = sim_xrealloc(NULL, len);
				if (r->scenario[0] == '/')
					snprintf(r->path, len, "%s", r->scenario);
				else
					snprintf(r->path, len, "%s/%s", dir, r->scenario);
			}
		}
		ctx.path[0] = '\0';
	}
	scn_walk(&case_schema, root, c, skip, &ctx);
	const struct cfg_node *list = cfg_get(root, "checks");
	struct vcheck *k = c->checks.items;
	for (size_t i = 0; list && list->type == CFG_SEQ && i < c->checks.n && i < list->n; i++) {
		if (!k[i].simulated || !k[i].tolerance)
			continue;
		snprintf(ctx.path, sizeof(ctx.path), "checks[%zu]", i);
		parse_check(c, &k[i], list->items[i], &ctx);
	}
	for (size_t i = 0; i < ctx.n_assumed; i++)
		free(ctx.assumed[i]);
	free(ctx.assumed);
	free(dir);
	return d->errors == before ? 0 : -1;
}

/* Checks that every run's scenario loads with its overrides: 0 or -1
 * (problems on stderr). */
static int case_check_runs(struct vcase *c)
{
	int rc = 0;
	for (size_t i = 0; i < c->n_runs; i++) {
		struct vrun *r = &c->runs[i];
		struct cli cli = { .scenario = r->path, .sets = r->sets, .n_sets = r->n_sets,
				   .seed = r->seed, .has_seed = true,
				   .replications = r->replications };
		struct scenario scn;
		struct pricing pricing;
		if (cli_load(&cli, &scn, &pricing)) {
			sim_text_fprintf(stderr, "%s:%d:%d: error: runs.%s: the scenario %s does not load (above)\n",
					 c->file, r->node->line, r->node->col, r->name, r->path);
			rc = -1;
			continue;
		}
		pricing_finish(&pricing);
		scenario_finish(&scn);
	}
	return rc;
}

/* Reads dir/cost.csv's per-service costs and the window's hours. */
static void load_costs(struct vrun *r, const char *dir)
{
	char path[4420];
	snprintf(path, sizeof(path), "%s/cost.csv", dir);
	r->window_h = NAN;
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, f);
	long n;
	bool header = true;
	while ((n = sim_csv_read(&rd)) > 0) {
		if (header || n < 7) {
			header = false;
			continue;
		}
		const char *service = rd.cells[0], *dim = rd.cells[2];
		if (!strcmp(service, "TOTAL")) {
			if (!strcmp(dim, "measurement window"))
				r->window_h = strtod(rd.cells[3], NULL);
			continue;
		}
		char *end;
		double usd = strtod(rd.cells[6], &end);
		if (end == rd.cells[6] || !isfinite(usd))
			continue;
		size_t j = 0;
		while (j < r->n_costs && strcmp(r->costs[j].service, service))
			j++;
		if (j == r->n_costs) {
			r->costs = sim_xrealloc(r->costs, (r->n_costs + 1) * sizeof(*r->costs));
			r->costs[r->n_costs++] = (struct vcost){ sim_xstrdup(service), 0 };
		}
		r->costs[j].usd += usd;
	}
	sim_csv_reader_finish(&rd);
	fclose(f);
}

/* The value of a reference, or NAN with a message in err when the run does
 * not report it. */
static double ref_value(const struct vcase *c, const struct vref *r, char *err,
			size_t errlen)
{
	const struct vrun *run = &c->runs[r->run];
	const struct point_result *pr = &run->pr;
	err[0] = '\0';
	if (r->kind == REF_MONTHLY || r->kind == REF_WINDOW) {
		for (size_t i = 0; i < run->n_costs; i++) {
			if (strcmp(run->costs[i].service, r->resource))
				continue;
			if (r->kind == REF_WINDOW)
				return run->costs[i].usd;
			return isfinite(run->window_h) && run->window_h > 0
			       ? run->costs[i].usd * RPT_MONTH_HOURS / run->window_h : NAN;
		}
		sim_text_fail(err, errlen, "run '%s' bills no service '%s' (cost.csv)", run->name,
			      r->resource);
		return NAN;
	}
	if (r->kind == REF_TENANT) {
		for (size_t i = 0; i < pr->nt; i++) {
			const struct pr_tenant *t = &pr->t[i];
			if (strcmp(t->name, r->resource))
				continue;
			static const char *const fields[] = {
				"sent", "delivered", "rejected", "failed", "dead_lettered",
				"expired", "dwell_p50", "dwell_p95", "dwell_p99", "dwell_max", NULL,
			};
			const double v[] = { t->sent, t->delivered, t->rejected, t->failed,
					     t->dead_lettered, t->expired, t->dwell_p50,
					     t->dwell_p95, t->dwell_p99, t->dwell_max };
			for (size_t j = 0; fields[j]; j++)
				if (!strcmp(fields[j], r->metric))
					return v[j];
			sim_text_fail(err, errlen,
				      "unknown tenant field '%s'; expected sent, delivered, rejected, failed, dead_lettered, expired or dwell_p50/p95/p99/max",
				      r->metric);
			return NAN;
		}
		sim_text_fail(err, errlen, "run '%s' has no tenant named '%s'", run->name, r->resource);
		return NAN;
	}
	bool resource = false;
	for (size_t i = 0; i < pr->n; i++) {
		if (strcmp(pr->m[i].resource, r->resource))
			continue;
		resource = true;
		if (!strcmp(pr->m[i].metric, r->metric))
			return pr->m[i].mean;
	}
	if (resource)
		sim_text_fail(err, errlen, "'%s' reports no metric '%s' (run '%s')", r->resource,
			      r->metric, run->name);
	else
		sim_text_fail(err, errlen, "run '%s' has no resource named '%s'", run->name,
			      r->resource);
	return NAN;
}

/* Computes the checks of c (its runs loaded). Unknown references go to d
 * and mark the case bad. */
static void case_judge(struct vcase *c, struct diag *d)
{
	struct vcheck *k = c->checks.items;
	const struct cfg_node *list = cfg_get(c->doc.root, "checks");
	for (size_t i = 0; i < c->checks.n; i++) {
		double v[2] = { NAN, NAN };
		bool known = true;
		for (size_t j = 0; j < k[i].nref; j++) {
			if (!c->runs[k[i].ref[j].run].loaded) {
				known = false;
				continue;
			}
			char err[600];
			v[j] = ref_value(c, &k[i].ref[j], err, sizeof(err));
			if (err[0]) {
				const struct cfg_node *at = cfg_get(list->items[i], "simulated");
				diag_error(d, c->file, at->line, at->col, "checks[%zu].simulated: %s", i,
					   err);
				c->bad = true;
				known = false;
			}
		}
		double x = v[0];
		if (k[i].nref == 2)
			x = k[i].op == '/' ? v[0] / v[1] : k[i].op == '-' ? v[0] - v[1] : v[0] + v[1];
		x *= k[i].factor;
		k[i].value = known ? x : NAN;
		double diff = fabs(k[i].value - k[i].published);
		double allowed = k[i].tol_rel ? k[i].tol * fabs(k[i].published) : k[i].tol;
		/* A hair of slack for the decimal digits summary.csv keeps. */
		k[i].pass = isfinite(k[i].value) && diff <= allowed * (1 + 1e-9) + 1e-12;
		k[i].judged = known;
	}
}

/* The cases' runs, flattened: case index and run index. */
struct task {
	size_t c, r;
};

static void task_dir(char *buf, size_t size, const char *root, size_t i)
{
	snprintf(buf, size, "%s/%06zu", root, i);
}

static int task_run(struct vcase *cases, const struct task *t, const char *root, size_t i)
{
	struct vrun *r = &cases[t->c].runs[t->r];
	struct cli cli = { .scenario = r->path, .sets = r->sets, .n_sets = r->n_sets,
			   .seed = r->seed, .has_seed = true,
			   .replications = r->replications, .quiet = true,
			   .no_review = true };
	char dir[4400];
	task_dir(dir, sizeof(dir), root, i);
	return cli_run_to_dir(&cli, dir, false);
}

/* Reads task i's results and removes its directory. */
static void task_collect(struct vcase *cases, const struct task *t, const char *root,
			 size_t i, int rc)
{
	struct vrun *r = &cases[t->c].runs[t->r];
	char dir[4400];
	task_dir(dir, sizeof(dir), root, i);
	r->rc = rc;
	if (!rc) {
		if (point_result_load(&r->pr, dir)) {
			sim_text_fprintf(stderr, "spillway validate: cannot read the results in %s: %s\n",
					 dir, strerror(errno));
			r->rc = EXIT_RUN;
		} else {
			r->loaded = true;
			load_costs(r, dir);
		}
	}
	if (!rc)
		outdir_remove(dir);
	if (rc && !cli_signal)
		sim_text_fprintf(stderr, "spillway validate: %s: run '%s' (%s) failed\n",
				 cases[t->c].file, r->name, r->path);
}

static void progress(bool on, size_t done, size_t n)
{
	if (!on)
		return;
	fprintf(stderr, "\rspillway validate: %zu/%zu runs", done, n);
	if (done == n)
		fputc('\n', stderr);
}

/* Runs every task, on jobs worker processes; 0, or EXIT_RUN when a run
 * failed (its results missing). */
static int run_tasks(struct vcase *cases, const struct task *tasks, size_t n,
		     const char *root, long long jobs, bool show)
{
	if (jobs > (long long)n)
		jobs = (long long)n;
	int worst = 0;
	if (jobs <= 1) {
		for (size_t i = 0; i < n && !cli_signal; i++) {
			int rc = task_run(cases, &tasks[i], root, i);
			task_collect(cases, &tasks[i], root, i, rc);
			worst |= rc;
			progress(show, i + 1, n);
		}
		return worst ? EXIT_RUN : 0;
	}
	/* The tasks' indices wait in one pipe that every worker reads (each
	 * read takes one whole index: they were written before the workers
	 * start, 4 bytes at a time); results come back through another. */
	int todo[2], done[2];
	if (n * sizeof(uint32_t) > 65536 || pipe(todo)) {
		fprintf(stderr, "spillway validate: pipe: %s\n", strerror(errno ? errno : E2BIG));
		return EXIT_RUN;
	}
	if (pipe(done)) {
		fprintf(stderr, "spillway validate: pipe: %s\n", strerror(errno));
		close(todo[0]);
		close(todo[1]);
		return EXIT_RUN;
	}
	for (size_t i = 0; i < n; i++) {
		uint32_t idx = (uint32_t)i;
		if (write(todo[1], &idx, sizeof(idx)) != sizeof(idx)) {
			fprintf(stderr, "spillway validate: pipe: %s\n", strerror(errno));
			close(todo[0]);
			close(todo[1]);
			close(done[0]);
			close(done[1]);
			return EXIT_RUN;
		}
	}
	close(todo[1]);
	fflush(NULL);
	pid_t parent = getpid();
	pid_t *pids = sim_xcalloc((size_t)jobs, sizeof(*pids));
	for (long long w = 0; w < jobs; w++) {
		pids[w] = fork();
		if (pids[w] < 0) {
			fprintf(stderr, "spillway validate: fork: %s\n", strerror(errno));
			jobs = w;
			break;
		}
		if (pids[w] == 0) {
			close(done[0]);
			cli_writing_forget(); /* the temporary directory is the parent's */
			prctl(PR_SET_PDEATHSIG, SIGTERM);
			if (getppid() != parent)
				raise(SIGTERM);
			uint32_t idx;
			int bad = 0;
			while (!cli_signal && read(todo[0], &idx, sizeof(idx)) == sizeof(idx)) {
				int rc = task_run(cases, &tasks[idx], root, idx);
				uint32_t msg[2] = { idx, (uint32_t)rc };
				if (write(done[1], msg, sizeof(msg)) != sizeof(msg))
					bad = 1;
			}
			fflush(NULL);
			/* The worker's copy of the task list, which nothing else
			 * points at any more (the rest is the parent's, reachable). */
			free((void *)tasks);
			_exit(bad ? EXIT_RUN : 0);
		}
	}
	close(todo[0]);
	close(done[1]);
	cli_catch_signals(false);
	size_t got_n = 0;
	bool passed_on = false;
	bool *seen = sim_xcalloc(n, sizeof(*seen));
	for (;;) {
		uint32_t msg[2];
		ssize_t got = read(done[0], msg, sizeof(msg));
		if (got == (ssize_t)sizeof(msg) && msg[0] < n && !seen[msg[0]]) {
			seen[msg[0]] = true;
			task_collect(cases, &tasks[msg[0]], root, msg[0], (int)msg[1]);
			worst |= (int)msg[1];
			progress(show, ++got_n, n);
		} else if (got < 0 && errno == EINTR) {
			if (cli_signal && !passed_on) {
				for (long long w = 0; w < jobs; w++)
					kill(pids[w], (int)cli_signal);
				passed_on = true;
			}
		} else if (got <= 0) {
			break;
		}
	}
	cli_catch_signals(true);
	close(done[0]);
	/* A run that never reported (a worker that died) counts as failed. */
	for (size_t i = 0; i < n; i++)
		if (!seen[i]) {
			cases[tasks[i].c].runs[tasks[i].r].rc = EXIT_RUN;
			worst = EXIT_RUN;
		}
	free(seen);
	for (long long w = 0; w < jobs; w++) {
		int st;
		if (waitpid(pids[w], &st, 0) < 0 || !WIFEXITED(st) || WEXITSTATUS(st))
			worst = EXIT_RUN;
	}
	free(pids);
	return worst ? EXIT_RUN : 0;
}

/* The directory the cases are read from. */
static bool find_cases_dir(char *buf, size_t size)
{
	char *dirs = sim_xstrdup(SPILLWAY_VALIDATION_DIRS), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(dirs, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		struct stat st;
		if (!stat(d, &st) && S_ISDIR(st.st_mode)) {
			snprintf(buf, size, "%s", d);
			found = true;
		}
	}
	free(dirs);
	return found;
}

static int yaml_filter(const struct dirent *e)
{
	size_t n = strlen(e->d_name);
	return e->d_name[0] != '.' && n > 5 && !strcmp(e->d_name + n - 5, ".yaml");
}

/* Cell helpers. */
static void fmt_num(char *buf, size_t size, double x)
{
	if (isnan(x))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.6g", x);
}

static void fmt_error(char *buf, size_t size, const struct vcheck *k)
{
	if (!isfinite(k->value))
		snprintf(buf, size, "-");
	else if (k->published != 0)
		snprintf(buf, size, "%+.1f%%", 100 * (k->value - k->published) / fabs(k->published));
	else
		snprintf(buf, size, "%+.3g", k->value - k->published);
}

static void fmt_tol(char *buf, size_t size, const struct vcheck *k)
{
	if (k->tol_rel)
		snprintf(buf, size, "%g%%", 100 * k->tol);
	else
		snprintf(buf, size, "±%g", k->tol);
}

static const char *verdict(const struct vcheck *k)
{
	return !k->judged ? "ERROR" : k->pass ? "PASS" : k->gap ? "GAP" : "FAIL";
}

enum { FMT_TABLE, FMT_CSV, FMT_MD };

/* A Markdown cell: the text on one line, with | and the characters that
 * start Markdown syntax escaped. */
static void md_cell(FILE *f, const char *s)
{
	char *t = sim_text_dup(s, SIM_TEXT_LINE);
	for (const char *p = t; *p; p++) {
		if (strchr("|\\*_`[]<>", *p))
			fputc('\\', f);
		fputc(*p, f);
	}
	free(t);
}

static void print_results(int format, struct vcase **sel, size_t nsel)
{
	static const char *const heads[] = { "case", "measurement", "published", "simulated",
					     "error", "tolerance", "verdict", "evidence" };
	static const char *const csv_heads[] = { "case", "measurement", "published", "simulated",
						 "error_pct", "difference", "tolerance", "verdict",
						 "evidence", "kind", "source" };
	char pub[32], sim[32], err[32], tol[32];
	if (format == FMT_CSV) {
		struct sim_csv w = { .f = stdout };
		for (size_t i = 0; i < 11; i++)
			sim_csv_text(&w, csv_heads[i]);
		sim_csv_end(&w);
		/* Numbers as numbers: error in percent (empty when the published
		 * value is 0), the absolute difference beside it; tolerance as
		 * written. */
		for (size_t c = 0; c < nsel; c++) {
			const struct vcheck *k = sel[c]->checks.items;
			for (size_t i = 0; i < sel[c]->checks.n; i++) {
				sim_csv_text(&w, sel[c]->name);
				sim_csv_text(&w, k[i].measurement);
				sim_csv_num(&w, k[i].published);
				if (isfinite(k[i].value))
					sim_csv_num(&w, k[i].value);
				else
					sim_csv_text(&w, "");
				if (isfinite(k[i].value) && k[i].published != 0)
					sim_csv_num(&w, 100 * (k[i].value - k[i].published) /
							    fabs(k[i].published));
				else
					sim_csv_text(&w, "");
				if (isfinite(k[i].value))
					sim_csv_num(&w, k[i].value - k[i].published);
				else
					sim_csv_text(&w, "");
				sim_csv_text(&w, k[i].tolerance);
				sim_csv_text(&w, verdict(&k[i]));
				sim_csv_text(&w, evidence_names[k[i].evidence]);
				sim_csv_text(&w, kind_names[sel[c]->kind]);
				sim_csv_text(&w, sel[c]->source);
				sim_csv_end(&w);
			}
		}
		return;
	}
	if (format == FMT_MD) {
		puts("| case | measurement | published | simulated | error | tolerance | verdict | evidence |");
		puts("|---|---|---:|---:|---:|---:|---|---|");
		for (size_t c = 0; c < nsel; c++) {
			const struct vcheck *k = sel[c]->checks.items;
			for (size_t i = 0; i < sel[c]->checks.n; i++) {
				fmt_num(pub, sizeof(pub), k[i].published);
				fmt_num(sim, sizeof(sim), k[i].value);
				fmt_error(err, sizeof(err), &k[i]);
				fmt_tol(tol, sizeof(tol), &k[i]);
				fputs("| [", stdout);
				md_cell(stdout, sel[c]->name);
				fputs("](", stdout);
				/* A URL as the link, else the case alone. */
				if (!strncmp(sel[c]->source, "https://", 8) ||
				    !strncmp(sel[c]->source, "http://", 7)) {
					char url[1024];
					sim_text_clean(url, sizeof(url), sel[c]->source, SIM_TEXT_LINE);
					url[strcspn(url, " )")] = '\0';
					fputs(url, stdout);
				} else
					printf("validation/cases/%s.yaml", sel[c]->name);
				fputs(") | ", stdout);
				md_cell(stdout, k[i].measurement);
				printf(" | %s | %s | %s | %s | %s | %s |\n", pub, sim, err, tol,
				       verdict(&k[i]), evidence_names[k[i].evidence]);
			}
		}
		return;
	}
	int wc = 4, wm = 11;
	for (size_t c = 0; c < nsel; c++) {
		int l = (int)strlen(sel[c]->name);
		wc = l > wc ? l : wc;
		const struct vcheck *k = sel[c]->checks.items;
		for (size_t i = 0; i < sel[c]->checks.n; i++) {
			char m[61];
			l = (int)sim_text_clean(m, sizeof(m), k[i].measurement, SIM_TEXT_LINE);
			wm = l > wm ? l : wm;
		}
	}
	wm = wm > 60 ? 60 : wm;
	printf("%-*s  %-*s  %12s  %12s  %8s  %9s  %-7s  %s\n", wc, heads[0], wm, heads[1],
	       heads[2], heads[3], heads[4], heads[5], heads[6], heads[7]);
	for (size_t c = 0; c < nsel; c++) {
		const struct vcheck *k = sel[c]->checks.items;
		for (size_t i = 0; i < sel[c]->checks.n; i++) {
			char m[61], name[200];
			sim_text_clean(m, sizeof(m), k[i].measurement, SIM_TEXT_LINE);
			sim_text_clean(name, sizeof(name), sel[c]->name, SIM_TEXT_LINE);
			fmt_num(pub, sizeof(pub), k[i].published);
			fmt_num(sim, sizeof(sim), k[i].value);
			fmt_error(err, sizeof(err), &k[i]);
			fmt_tol(tol, sizeof(tol), &k[i]);
			/* Pad by characters, not bytes (the ellipsis, ±). */
			int mb = (int)strlen(m), mc = 0;
			for (const char *p = m; *p; p++)
				mc += ((unsigned char)*p & 0xC0) != 0x80;
			int tb = (int)strlen(tol), tcc = 0;
			for (const char *p = tol; *p; p++)
				tcc += ((unsigned char)*p & 0xC0) != 0x80;
			printf("%-*s  %-*s  %12s  %12s  %8s  %*s  %-7s  %s\n", wc, name,
			       wm + (mb - mc), m, pub, sim, err, 9 + (tb - tcc), tol,
			       verdict(&k[i]), evidence_names[k[i].evidence]);
		}
	}
}

static void list_cases(struct vcase **sel, size_t nsel)
{
	for (size_t c = 0; c < nsel; c++) {
		size_t reps = 0;
		for (size_t r = 0; r < sel[c]->n_runs; r++)
			reps += (size_t)sel[c]->runs[r].replications;
		sim_text_fprintf(stdout, "%-32s %-4s %-11s %2zu run%s %3zu replication%s %2zu check%s  %s\n",
				 sel[c]->name, sel[c]->fast ? "fast" : "slow",
				 kind_names[sel[c]->kind], sel[c]->n_runs,
				 sel[c]->n_runs == 1 ? " " : "s", reps, reps == 1 ? " " : "s",
				 sel[c]->checks.n, sel[c]->checks.n == 1 ? " " : "s",
				 sel[c]->title);
	}
}

int cmd_validate(int argc, char **argv)
{
	enum { OPT_FAST = 256, OPT_FORMAT, OPT_LIST, OPT_CASES, OPT_KIND };
	static const struct option opts[] = {
		{ "fast", no_argument, NULL, OPT_FAST },
		{ "jobs", required_argument, NULL, 'j' },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "list", no_argument, NULL, OPT_LIST },
		{ "cases", required_argument, NULL, OPT_CASES },
		{ "kind", required_argument, NULL, OPT_KIND },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	bool fast = false, list = false, quiet = false;
	int format = FMT_TABLE, kind = -1;
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	long long jobs = cores > 0 ? cores : 1;
	const char *cases_dir = NULL;
	optind = 1;
	opterr = 0;
	int ch;
	while ((ch = getopt_long(argc, argv, ":j:qh", opts, NULL)) != -1) {
		switch (ch) {
		case OPT_FAST:
			fast = true;
			break;
		case 'j':
			if (cli_parse_ll("--jobs", optarg, 1, 1024, &jobs))
				return EXIT_INPUT;
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "table"))
				format = FMT_TABLE;
			else if (!strcmp(optarg, "csv"))
				format = FMT_CSV;
			else if (!strcmp(optarg, "md"))
				format = FMT_MD;
			else {
				sim_text_fprintf(stderr, "spillway validate: --format: expected table, csv or md, got '%s'\n",
						 optarg);
				return EXIT_INPUT;
			}
			break;
		case OPT_LIST:
			list = true;
			break;
		case OPT_CASES:
			cases_dir = optarg;
			break;
		case OPT_KIND:
			kind = !strcmp(optarg, "measurement") ? KIND_MEASUREMENT
			       : !strcmp(optarg, "theory") ? KIND_THEORY : -1;
			if (kind < 0) {
				sim_text_fprintf(stderr, "spillway validate: --kind: expected measurement or theory, got '%s'\n",
						 optarg);
				return EXIT_INPUT;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(usage_validate, stdout);
			return 0;
		case ':':
			sim_text_fprintf(stderr, "spillway validate: option '%s' needs a value (see spillway validate --help)\n",
					 argv[optind - 1]);
			return EXIT_INPUT;
		default:
			sim_text_fprintf(stderr, "spillway validate: unknown option '%s' (see spillway validate --help)\n",
					 argv[optind - 1]);
			return EXIT_INPUT;
		}
	}
	char dirbuf[4096];
	if (cases_dir) {
		snprintf(dirbuf, sizeof(dirbuf), "%s", cases_dir);
	} else if (!find_cases_dir(dirbuf, sizeof(dirbuf))) {
		sim_text_fprintf(stderr, "spillway validate: no validation cases found (looked in %s); give --cases DIR\n",
				 SPILLWAY_VALIDATION_DIRS);
		return EXIT_INPUT;
	}
	/* The case files: those named, else every *.yaml of the directory. */
	char **files = NULL;
	size_t nfiles = 0;
	int rc = EXIT_INPUT;
	if (optind < argc) {
		files = sim_xcalloc((size_t)(argc - optind), sizeof(*files));
		for (int i = optind; i < argc; i++) {
			const char *a = argv[i];
			size_t len = strlen(a) + strlen(dirbuf) + 8;
			char *p = sim_xrealloc(NULL, len);
			if (strchr(a, '/') || (strlen(a) > 5 && !strcmp(a + strlen(a) - 5, ".yaml"))) {
				snprintf(p, len, "%s", a);
			} else {
				snprintf(p, len, "%s/%s.yaml", dirbuf, a);
				if (access(p, F_OK)) {
					sim_text_fprintf(stderr, "spillway validate: no case named '%s' in %s (spillway validate --list shows them)\n",
							 a, dirbuf);
					free(p);
					for (size_t j = 0; j < nfiles; j++)
						free(files[j]);
					free(files);
					return EXIT_INPUT;
				}
			}
			files[nfiles++] = p;
		}
	} else {
		struct dirent **ents;
		int n = scandir(dirbuf, &ents, yaml_filter, alphasort);
		if (n < 0) {
			sim_text_fprintf(stderr, "spillway validate: %s: %s\n", dirbuf, strerror(errno));
			return EXIT_INPUT;
		}
		files = sim_xcalloc((size_t)n + 1, sizeof(*files));
		for (int i = 0; i < n; i++) {
			size_t len = strlen(dirbuf) + strlen(ents[i]->d_name) + 2;
			files[nfiles] = sim_xrealloc(NULL, len);
			snprintf(files[nfiles++], len, "%s/%s", dirbuf, ents[i]->d_name);
			free(ents[i]);
		}
		free(ents);
		if (!nfiles) {
			sim_text_fprintf(stderr, "spillway validate: no validation cases found (no *.yaml in %s)\n",
					 dirbuf);
			free(files);
			return EXIT_INPUT;
		}
	}
	struct vcase *cases = sim_xcalloc(nfiles ? nfiles : 1, sizeof(*cases));
	struct vcase **sel = sim_xcalloc(nfiles ? nfiles : 1, sizeof(*sel));
	size_t nsel = 0, nloaded = 0;
	struct task *tasks = NULL;
	char root[4200] = "";
	struct diag d;
	diag_init(&d);
	bool bad = false;
	for (size_t i = 0; i < nfiles; i++) {
		bad |= case_load(&cases[i], files[i], &d) != 0;
		nloaded = i + 1;
	}
	diag_print(&d, stderr);
	if (bad) {
		if (d.errors > 1)
			fprintf(stderr, "spillway validate: %zu errors\n", d.errors);
		goto out;
	}
	for (size_t i = 0; i < nfiles; i++)
		if ((!fast || cases[i].fast) && (kind < 0 || cases[i].kind == kind))
			sel[nsel++] = &cases[i];
	if (list) {
		list_cases(sel, nsel);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < nsel; i++)
		bad |= case_check_runs(sel[i]) != 0;
	if (bad)
		goto out;
	size_t ntasks = 0;
	for (size_t i = 0; i < nsel; i++)
		ntasks += sel[i]->n_runs;
	tasks = sim_xcalloc(ntasks ? ntasks : 1, sizeof(*tasks));
	/* The slow cases' runs first, so that the long runs do not end up
	 * alone at the end on one worker. */
	ntasks = 0;
	for (int slow = 1; slow >= 0; slow--)
		for (size_t i = 0; i < nsel; i++)
			for (size_t r = 0; r < sel[i]->n_runs && sel[i]->fast != slow; r++)
				tasks[ntasks++] = (struct task){ (size_t)(sel[i] - cases), r };
	const char *tmpdir = getenv("TMPDIR");
	snprintf(root, sizeof(root), "%s/spillway-validate-XXXXXX",
		 tmpdir && *tmpdir ? tmpdir : "/tmp");
	cli_cleanup_pending();
	if (!mkdtemp(root)) {
		sim_text_fprintf(stderr, "spillway validate: cannot create %s: %s\n", root,
				 strerror(errno));
		root[0] = '\0';
		rc = EXIT_RUN;
		goto out;
	}
	cli_writing(root);
	int run_rc = run_tasks(cases, tasks, ntasks, root, jobs,
			       !quiet && isatty(STDERR_FILENO));
	if (cli_signal) {
		fprintf(stderr, "spillway validate: stopped by %s; nothing judged\n",
			cli_signal == SIGINT ? "SIGINT" : "SIGTERM");
		rc = 128 + cli_signal;
		goto out;
	}
	struct diag dj;
	diag_init(&dj);
	for (size_t i = 0; i < nsel; i++)
		case_judge(sel[i], &dj);
	diag_print(&dj, stderr);
	size_t checks = 0, pass = 0, fail = 0, gaps = 0, indep = 0, indep_pass = 0, input = 0;
	for (size_t i = 0; i < nsel; i++) {
		const struct vcheck *k = sel[i]->checks.items;
		bad |= sel[i]->bad;
		for (size_t j = 0; j < sel[i]->checks.n; j++) {
			checks++;
			pass += k[j].pass;
			gaps += !k[j].pass && k[j].judged && k[j].gap;
			fail += !k[j].pass && !(k[j].judged && k[j].gap);
			bool platform = sel[i]->kind == KIND_MEASUREMENT;
			indep += platform && k[j].evidence == EV_INDEPENDENT;
			indep_pass += platform && k[j].evidence == EV_INDEPENDENT && k[j].pass;
			input += k[j].evidence == EV_INPUT;
		}
	}
	diag_finish(&dj);
	print_results(format, sel, nsel);
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double wall = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
	if (format != FMT_CSV) {
		printf("%s%zu case%s, %zu check%s: %zu pass, %zu fail, %zu known gap%s; independent real-platform checks: %zu of %zu pass; input-determined: %zu; %zu run%s in %.1f s\n",
		       format == FMT_MD ? "\n" : "", nsel, nsel == 1 ? "" : "s", checks,
		       checks == 1 ? "" : "s", pass, fail, gaps, gaps == 1 ? "" : "s",
		       indep_pass, indep, input, ntasks,
		       ntasks == 1 ? "" : "s", wall);
	}
	rc = bad ? EXIT_INPUT : run_rc ? EXIT_RUN : fail ? EXIT_RUN : 0;
out:
	if (root[0]) {
		outdir_remove(root);
		cli_written();
	}
	diag_finish(&d);
	for (size_t i = 0; i < nloaded; i++)
		case_free(&cases[i]);
	for (size_t i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	free(cases);
	free(sel);
	free(tasks);
	return rc;
}
