/* review.h - architecture review rules, evaluated on a scenario (the
 * resolved YAML, every default filled in) and on a run's results.
 *
 * Each rule has an ID, a severity, a rationale and a source (as cdk-nag
 * does). Rules that need no simulation run in `spillway check`; the others
 * use the simulated evidence (summary metrics, tenants, cost). A finding
 * that has a fix names it as a --set; the command line re-simulates the
 * scenario with the fix and records what changed (the what-if).
 */
#ifndef SPILLWAY_REPORTS_REVIEW_H
#define SPILLWAY_REPORTS_REVIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/pricing.h"
#include "sim/scenario.h"
#include "sim/results.h"

enum severity { SEV_ERROR, SEV_WARNING, SEV_INFO };

struct rule {
	const char *id;        /* e.g. "SQS1" */
	const char *title;
	int severity;          /* enum severity */
	bool needs_run;        /* judged on simulated evidence */
	const char *rationale;
	const char *source;    /* FACTS row and URL */
};

struct finding {
	const struct rule *rule;
	char *resource;        /* where, owned */
	char *text;            /* what was found, owned */
	char *fix;             /* "PATH=VALUE" that fixes it, or NULL; owned */
	char *whatif;          /* what re-simulating with fix changed, or NULL */
};

struct findings {
	struct finding *v;
	size_t n;
};

extern const struct rule review_rules[];
extern const size_t review_n_rules;

/* The rules that need no simulation. */
void review_static(const struct scenario *scn, struct findings *out);
/* The rules judged on a run's results (pricing for dollar figures). */
void review_evidence(const struct scenario *scn, const struct point_result *pr,
		     const struct pricing *p, struct findings *out);
void findings_free(struct findings *f);

const char *severity_name(int severity);

#endif
