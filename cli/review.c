/* review.c - the review of a run: the rules of reports/review.c on the
 * scenario and its results, each fixable finding re-simulated with its fix
 * (the what-if) under DIR/whatif/, and findings.json beside the other
 * outputs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "reports/pricing.h"
#include "reports/review.h"
#include "reports/summary.h"
#include "sim/alloc.h"
#include "sim/json.h"
#include "sim/metrics.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/text.h"


void cli_headline_of(const struct scenario *scn, const struct point_result *pr,
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
		if (!strcmp(m->metric, METRIC_WRITE_THROTTLES) ||
			 !strcmp(m->metric, METRIC_READ_THROTTLES))
			h->throttles += x;
		else if (!strcmp(m->metric, METRIC_THROTTLES) && strcmp(m->resource, "account"))
			h->throttles += x;
	}
	for (size_t t = 0; t < scn->n_tenants; t++) {
		const struct cfg_node *target = cfg_get(scn->tenants[t].node, "target");
		const struct pr_metric *m = target ? point_metric(pr, target->value, METRIC_DRAIN_TIME) : NULL;
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

void cli_describe(char *buf, size_t size, const char *fix,
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

int cli_write_findings_json(const char *path, const struct findings *f)
{
	json_t *doc = sim_json_array();
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		json_t *o = sim_json_object();
		sim_json_set(o, "id", sim_json_text(x->rule->id));
		sim_json_set(o, "severity", sim_json_text(severity_name(x->rule->severity)));
		sim_json_set(o, "title", sim_json_text(x->rule->title));
		sim_json_set(o, "resource", sim_json_text(x->resource));
		sim_json_set(o, "finding", sim_json_text(x->text));
		sim_json_set(o, "rationale", sim_json_text(x->rule->rationale));
		sim_json_set(o, "source", sim_json_text(x->rule->source));
		sim_json_set(o, "fix", x->fix ? sim_json_text(x->fix) : sim_json_null());
		sim_json_set(o, "what_if", x->whatif ? sim_json_text(x->whatif) : sim_json_null());
		sim_json_push(doc, o);
	}
	return rpt_write_json(path, doc);
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
	cli_headline_of(scn, &pr, &base);
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
		cli_headline_of(scn, &wpr, &after);
		char text[1024];
		cli_describe(text, sizeof(text), f->fix, &base, &after);
		f->whatif = sim_xstrdup(text);
		point_result_free(&wpr);
	}
	point_result_free(&pr);
	char path[4400];
	snprintf(path, sizeof(path), "%s/findings.json", dir);
	if (!rc && cli_write_findings_json(path, out)) {
		sim_text_fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	return rc;
}

