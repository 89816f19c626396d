/* report.c - `spillway report DIR`: redraws a finished run's plots and
 * report from its files, keeping gnuplot scripts the user edited, and the
 * what-ifs of its review from DIR/whatif/.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "cli/outdir.h"
#include "models/registry.h"
#include "reports/pricing.h"
#include "reports/report.h"
#include "reports/review.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/results.h"
#include "sim/scenario.h"
#include "sim/text.h"

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
	cli_headline_of(scn, &wpr, &after);
	char text[1024];
	cli_describe(text, sizeof(text), f->fix, base, &after);
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
	cli_headline_of(&scn, &pr, &base);
	for (size_t i = 0; i < found.n; i++)
		if (found.v[i].fix)
			whatif_from_dir(&scn, dir, i, &found.v[i], &base);
	point_result_free(&pr);
	struct rpt_draw draw = { .notes = stderr };
	snprintf(path, sizeof(path), "%s/findings.json", dir);
	if (cli_write_findings_json(path, &found)) {
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

