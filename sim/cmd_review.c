/* cmd_review.c - the review of a run: the rules of reports/review.c on the
 * scenario and its results, each fixable finding re-simulated with its fix
 * (the what-if), and findings.json beside the other outputs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "reports/pricing.h"
#include "reports/report.h"
#include "reports/review.h"
#include "sim/alloc.h"
#include "sim/cli.h"
#include "sim/sweep.h"

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

static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
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
	int err = ferror(out);
	return fclose(out) || err ? -1 : 0;
}

void cli_print_findings(FILE *f, const struct findings *x)
{
	for (size_t i = 0; i < x->n; i++) {
		const struct finding *v = &x->v[i];
		fprintf(f, "%-7s %-4s %s: %s (%s)\n", severity_name(v->rule->severity),
			v->rule->id, v->resource, v->text, v->rule->title);
		if (v->fix)
			fprintf(f, "             fix: --set '%s'\n", v->fix);
		if (v->whatif)
			fprintf(f, "             what-if: %s\n", v->whatif);
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
	"the what-if runs under whatif/); simulates nothing.\n";

int cmd_report(int argc, char **argv)
{
	if (argc != 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		fputs(usage_report, argc == 2 ? stdout : stderr);
		return argc == 2 ? 0 : EXIT_INPUT;
	}
	const char *dir = argv[1];
	char path[4400];
	snprintf(path, sizeof(path), "%s/scenario.resolved.yaml", dir);
	struct cli c = { .scenario = path };
	struct scenario scn;
	struct pricing pricing;
	if (cli_load(&c, &scn, &pricing)) {
		fprintf(stderr, "spillway report: %s is not a finished spillway run\n", dir);
		return EXIT_INPUT;
	}
	struct point_result pr;
	int rc = EXIT_RUN;
	struct findings found = { 0 };
	if (point_result_load(&pr, dir)) {
		fprintf(stderr, "spillway report: cannot read the results in %s: %s\n", dir,
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
	bool no_gnuplot = false;
	snprintf(path, sizeof(path), "%s/findings.json", dir);
	if (write_findings_json(path, &found) ||
	    rpt_write_report(dir, &scn, &found, &no_gnuplot)) {
		fprintf(stderr, "spillway report: cannot write in %s: %s\n", dir, strerror(errno));
		goto out;
	}
	if (no_gnuplot)
		fprintf(stderr, "spillway: warning: gnuplot did not run (is it installed?): "
			"plots/ holds the scripts and data, not the pictures\n");
	printf("report in %s/ (report.md, report.html, findings.json, plots/)\n", dir);
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
		fprintf(stderr, "spillway: cannot read the results in %s: %s\n", dir,
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
		struct point_result wpr;
		if (r || point_result_load(&wpr, wdir)) {
			fprintf(stderr, "spillway: the what-if run with --set '%s' failed\n", f->fix);
			rc = -1;
			break;
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
		fprintf(stderr, "spillway: cannot write %s: %s\n", path, strerror(errno));
		rc = -1;
	}
	return rc;
}
