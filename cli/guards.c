/* guards.c - what a run may take before it starts: the memory its
 * messages, tenants and fan-out need at most, and the disk its time series
 * will fill; a run past either limit is refused (exit 2) with what was
 * counted (--memory-limit, --disk-limit).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cli/cli.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/diag.h"
#include "sim/model.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/stats.h"
#include "sim/text.h"

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
bool cli_memory_fits(const struct cli *cli, const struct scenario *scn)
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
bool cli_disk_fits(const struct cli *cli, const struct scenario *scn, const char *dir)
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

