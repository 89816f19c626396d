/* plan.c - `spillway plan`: every point of the grid (or a bisection along
 * one --vary) judged by the requirements, the best feasible one by the
 * objective, plan.md and plan.json (see sweep.h).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/outdir.h"
#include "cli/sweep.h"
#include "reports/pricing.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/json.h"
#include "sim/scenario.h"
#include "sim/text.h"

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
	int rc = sweep_run_points(o, &k, 1, total, tmp, 1, false);
	if (rc)
		return rc;
	(*runs)++;
	return sweep_load_results(tmp, &k, 1, total, r) ? EXIT_RUN : 0;
}

/* Parses --minimize as a requirement's left side ("RESOURCE.METRIC",
 * "tenants.NAME.FIELD", "drain_time"; "cost" is none); with pr, also
 * checks that the point reports it. 0, or -1 after a message. */
int plan_minimize_check(const struct opts *o, const struct scenario *scn,
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
	if (plan_minimize_check(o, scn, &r[k]))
		return EXIT_INPUT;
	j[k].run = true;
	j[k].feasible = true;
	j[k].value = sim_xcalloc(o->nreq, sizeof(double));
	j[k].slack = sim_xcalloc(o->nreq, sizeof(double));
	j[k].ok = sim_xcalloc(o->nreq, sizeof(bool));
	for (size_t i = 0; i < o->nreq; i++) {
		if (req_check(&o->req[i], scn, &r[k], err, sizeof(err), &col)) {
			sweep_req_error(o->req[i].text, col, err);
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

/* A feasible point: {"point", "values", "objective"}. */
static json_t *point_json(const struct opts *o, const struct judged *j, size_t k)
{
	char label[1024];
	sweep_point_label(label, sizeof(label), o, k);
	json_t *p = sim_json_object();
	sim_json_set(p, "point", sim_json_int((long long)k));
	sim_json_set(p, "values", sim_json_text(label));
	sim_json_set(p, "objective", sim_json_num(j[k].objective));
	return p;
}

/* plan.md on md; plan.json's document returned. */
static json_t *write_plan(FILE *md, const struct opts *o,
			  const struct judged *j, size_t total, size_t runs,
			  long best)
{
	char label[1024];
	json_t *js = sim_json_object();
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
	sim_json_set(js, "scenario", sim_json_text(o->base.scenario));
	sim_json_set(js, "minimize", sim_json_text(o->minimize));
	sim_json_set(js, "search", sim_json_text(o->bisect ? "bisect" : "grid"));
	sim_json_set(js, "points", sim_json_int((long long)total));
	sim_json_set(js, "simulated", sim_json_int((long long)runs));
	if (best < 0) {
		fputs("## Answer\n\nNo simulated point meets every requirement.\n\n", md);
		sim_json_set(js, "chosen", sim_json_null());
	} else {
		sweep_point_label(label, sizeof(label), o, (size_t)best);
		fprintf(md, "## Answer\n\nPoint %ld: `%s`, %s %.6g.\n\nMargins (how far each requirement is from failing):\n\n",
			best, label, o->minimize, j[best].objective);
		for (size_t i = 0; i < o->nreq; i++)
			fprintf(md, "- `%s`: judged %.6g, margin %.6g\n", o->req[i].text,
				j[best].value[i], j[best].slack[i]);
		sim_json_set(js, "chosen", point_json(o, j, (size_t)best));
	}
	/* Runners-up: the next feasible points by objective. */
	fputs("\n## Runners-up\n\n", md);
	json_t *runners = sim_json_array();
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
		sweep_point_label(label, sizeof(label), o, (size_t)next);
		fprintf(md, "- point %ld: `%s`, %s %.6g\n", next, label, o->minimize,
			j[next].objective);
		sim_json_push(runners, point_json(o, j, (size_t)next));
	}
	if (!shown)
		fputs("None.\n", md);
	free(used);
	sim_json_set(js, "runners_up", runners);
	fputs("\n## Rejected\n\n", md);
	json_t *rejected = sim_json_array();
	for (size_t k = 0; k < total; k++) {
		if (!j[k].run || j[k].feasible)
			continue;
		sweep_point_label(label, sizeof(label), o, k);
		fprintf(md, "- point %zu: `%s`:", k, label);
		json_t *p = sim_json_object(), *failed = sim_json_array();
		sim_json_set(p, "point", sim_json_int((long long)k));
		sim_json_set(p, "values", sim_json_text(label));
		for (size_t i = 0; i < o->nreq; i++) {
			if (j[k].ok[i])
				continue;
			fprintf(md, " `%s` (judged %.6g, short by %.6g)", o->req[i].text,
				j[k].value[i], -j[k].slack[i]);
			sim_json_push(failed, sim_json_text(o->req[i].text));
		}
		fputs("\n", md);
		sim_json_set(p, "failed", failed);
		sim_json_push(rejected, p);
	}
	if (!json_array_size(rejected))
		fputs("None.\n", md);
	sim_json_set(js, "rejected", rejected);
	json_t *skipped = sim_json_array();
	for (size_t k = 0; k < total; k++)
		if (!j[k].run)
			sim_json_push(skipped, sim_json_int((long long)k));
	sim_json_set(js, "not_simulated", skipped);
	return js;
}

int cmd_plan(int argc, char **argv)
{
	struct session ss;
	int p = sweep_session_open(&ss, argc, argv, true);
	if (p)
		return p > 0 ? 0 : EXIT_INPUT;
	char dir[4096], tmp[4200] = "", path[4400];
	int rc = EXIT_INPUT;
	struct point_result *r = sim_xcalloc(ss.total, sizeof(*r));
	struct judged *j = sim_xcalloc(ss.total, sizeof(*j));
	struct scenario scn;
	struct pricing pricing;
	bool have_scn = false;
	size_t runs = 0;
	long best = -1;
	if (!sweep_default_dir(&ss.o, "plan", dir, sizeof(dir)) &&
	    !sweep_check_points(&ss.o, ss.ks, ss.total, dir) &&
	    !cli_load(&ss.o.base, &scn, &pricing)) {
		have_scn = true;
		rc = 0;
	}
	if ((rc = ranks_worst(&ss.rk, rc)))
		goto out;
	rc = EXIT_RUN;
	if (!sweep_share_tmp(&ss, dir, tmp, sizeof(tmp)))
		goto out;
	if (!ss.o.bisect) {
		if ((rc = sweep_run_spread(&ss.o, &ss.rk, ss.ks, ss.total, ss.total, tmp,
					   !ss.o.base.quiet && isatty(STDERR_FILENO))))
			goto out_tmp;
		if (!ss.lead)
			goto out;
		runs = ss.total;
		rc = EXIT_RUN;
		if (sweep_load_results(tmp, ss.ks, ss.total, ss.total, r))
			goto out_tmp;
		for (size_t k = 0; k < ss.total; k++)
			if ((rc = evaluate(&ss.o, &scn, r, k, j)))
				goto out_tmp;
	} else {
		/* Each step needs the one before: rank 0 alone. */
		if (!ss.lead) {
			rc = 0;
			goto out;
		}
		size_t lo = 0, hi = ss.total - 1;
		if ((rc = judge(&ss.o, tmp, lo, ss.total, r, j, &runs)) ||
		    (rc = evaluate(&ss.o, &scn, r, lo, j)) ||
		    (rc = judge(&ss.o, tmp, hi, ss.total, r, j, &runs)) ||
		    (rc = evaluate(&ss.o, &scn, r, hi, j)))
			goto out_tmp;
		if (j[lo].feasible != j[hi].feasible) {
			/* Find the last feasible point before the change. */
			size_t f = j[lo].feasible ? lo : hi, g = j[lo].feasible ? hi : lo;
			while (f + 1 != g && g + 1 != f) {
				size_t mid = f < g ? f + (g - f) / 2 : g + (f - g) / 2;
				if ((rc = judge(&ss.o, tmp, mid, ss.total, r, j, &runs)) ||
				    (rc = evaluate(&ss.o, &scn, r, mid, j)))
					goto out_tmp;
				if (j[mid].feasible)
					f = mid;
				else
					g = mid;
			}
		}
	}
	rc = EXIT_RUN;
	for (size_t k = 0; k < ss.total; k++)
		if (j[k].run && j[k].feasible && (best < 0 || better(j, k, (size_t)best)))
			best = (long)k;
	snprintf(path, sizeof(path), "%s/plan.md", tmp);
	FILE *md = fopen(path, "w");
	if (!md) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		goto out_tmp;
	}
	json_t *js = write_plan(md, &ss.o, j, ss.total, runs, best);
	int bad = rpt_close(md);
	snprintf(path, sizeof(path), "%s/plan.json", tmp);
	bad |= rpt_write_json(path, js);
	snprintf(path, sizeof(path), "%s/manifest.json", tmp);
	if (bad || sweep_write_manifest(path, &ss.o, ss.total, "plan")) {
		fprintf(stderr, "spillway: cannot write the plan in %s\n", tmp);
		goto out_tmp;
	}
	if (cli_signal || outdir_install(tmp, dir))
		goto out_tmp;
	if (!ss.o.base.quiet) {
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
	rc = cli_abandon(ss.lead ? tmp : NULL, dir, rc);
out:
	if (have_scn) {
		pricing_finish(&pricing);
		scenario_finish(&scn);
	}
	for (size_t k = 0; k < ss.total; k++) {
		point_result_free(&r[k]);
		free(j[k].value);
		free(j[k].slack);
		free(j[k].ok);
	}
	free(r);
	free(j);
	sweep_session_close(&ss);
	return rc;
}

