/* summary.c - CSV and JSON writers for run results (see summary.h). */
#include "reports/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/csv.h"
#include "sim/json.h"

int rpt_close(FILE *f)
{
	/* A failed write leaves its bytes in the buffer (glibc), so fclose
	 * tries them again and fails with the real cause (ENOSPC, EDQUOT,
	 * EFBIG); errno is cleared first so that nothing older shows. */
	int err = ferror(f);
	errno = 0;
	if (fclose(f) || err) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}

int rpt_write_summary_csv(const char *path, const struct sim_outcome *o)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct sim_csv w = { .f = f };
	fputs("resource,metric,mean,ci95_low,ci95_high,unit\n", f);
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		sim_csv_text(&w, m->resource);
		sim_csv_text(&w, m->metric);
		sim_csv_num(&w, ci.mean);
		sim_csv_num(&w, ci.low);
		sim_csv_num(&w, ci.high);
		sim_csv_text(&w, m->unit);
		sim_csv_end(&w);
	}
	return rpt_close(f);
}

int rpt_write_json(const char *path, json_t *doc)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		int e = errno;
		json_decref(doc);
		errno = e;
		return -1;
	}
	int r = sim_json_dumpf(doc, f);
	int e = errno;
	json_decref(doc);
	if (rpt_close(f))
		return -1;
	errno = e;
	return r;
}

int rpt_write_summary_json(const char *path, const struct sim_outcome *o)
{
	json_t *doc = sim_json_array();
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		json_t *row = sim_json_object();
		sim_json_set(row, "resource", sim_json_text(m->resource));
		sim_json_set(row, "metric", sim_json_text(m->metric));
		sim_json_set(row, "mean", sim_json_num(ci.mean));
		sim_json_set(row, "ci95_low", sim_json_num(ci.low));
		sim_json_set(row, "ci95_high", sim_json_num(ci.high));
		sim_json_set(row, "unit", sim_json_text(m->unit));
		sim_json_set(row, "replications", sim_json_int((long long)ci.n));
		sim_json_push(doc, row);
	}
	return rpt_write_json(path, doc);
}

int rpt_write_tenants_csv(const char *path, const struct scenario *scn,
			  const struct sim_outcome *o)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct sim_csv w = { .f = f };
	double reps = (double)o->results.replications;
	fputs("tenant,sent,delivered,rejected,failed,dead_lettered,expired,"
	      "dwell_p50_s,dwell_p95_s,dwell_p99_s,dwell_max_s\n", f);
	for (size_t i = 0; i < o->n_tenants; i++) {
		const struct sim_tenant_stats *t = &o->tenants[i];
		sim_csv_text(&w, scn->tenants[i].name);
		sim_csv_num(&w, (double)t->sent / reps);
		sim_csv_num(&w, (double)t->delivered / reps);
		sim_csv_num(&w, (double)t->rejected / reps);
		sim_csv_num(&w, (double)t->failed / reps);
		sim_csv_num(&w, (double)t->dead_lettered / reps);
		sim_csv_num(&w, (double)t->expired / reps);
		const double qs[] = { 0.50, 0.95, 0.99 };
		for (size_t k = 0; k < 3; k++)
			sim_csv_num(&w, sim_hist_quantile(&t->dwell, qs[k]));
		sim_csv_num(&w, t->dwell.n ? t->dwell.max : NAN);
		sim_csv_end(&w);
	}
	return rpt_close(f);
}

static json_t *text_list(const char *const *v, size_t n)
{
	json_t *a = sim_json_array();
	for (size_t i = 0; i < n; i++)
		sim_json_push(a, sim_json_text(v[i]));
	return a;
}

int rpt_write_manifest(const char *path, const struct scenario *scn,
		       const struct sim_outcome *o,
		       const struct rpt_manifest *m)
{
	json_t *doc = sim_json_object();
	sim_json_set(doc, "spillway_version", sim_json_text(m->version));
	sim_json_set(doc, "scenario", sim_json_text(m->scenario_path));
	sim_json_set(doc, "scenario_sha256", sim_json_text(m->scenario_sha256));
	sim_json_set(doc, "name", sim_json_text(scn->name));
	sim_json_set(doc, "seed", sim_json_int((long long)scn->seed));
	sim_json_set(doc, "replications", sim_json_int((long long)scn->replications));
	sim_json_set(doc, "duration_s", sim_json_num(sim_time_to_s(scn->duration)));
	sim_json_set(doc, "warmup_s", sim_json_num(sim_time_to_s(scn->warmup)));
	sim_json_set(doc, "sample_interval_s",
		     sim_json_num(sim_time_to_s(scn->sample_interval)));
	sim_json_set(doc, "set", text_list(m->sets, m->n_sets));
	sim_json_set(doc, "unconfirmed_defaults",
		     text_list((const char *const *)scn->assumed, scn->n_assumed));
	if (m->pricing)
		sim_json_set(doc, "pricing", sim_json_text(m->pricing));
	sim_json_set(doc, "unconfirmed_prices",
		     text_list(m->unconfirmed_prices, m->n_unconfirmed_prices));
	sim_json_set(doc, "events", sim_json_int((long long)o->events));
	sim_json_set(doc, "same_time_events", sim_json_int((long long)o->ties));
	static const char *const files[] = { "scenario.resolved.yaml", "timeseries.csv",
					     "summary.csv", "summary.json", "tenants.csv",
					     "cost.csv" };
	sim_json_set(doc, "files", text_list(files, m->pricing ? 6 : 5));
	return rpt_write_json(path, doc);
}

void rpt_print_tenants(FILE *f, const struct scenario *scn, const struct sim_outcome *o)
{
	if (!o->n_tenants)
		return;
	int w = 6;
	for (size_t i = 0; i < o->n_tenants; i++)
		if ((int)strlen(scn->tenants[i].name) > w)
			w = (int)strlen(scn->tenants[i].name);
	double reps = (double)o->results.replications;
	fprintf(f, "\n%-*s %12s %12s %10s %10s %12s %10s %12s %12s %12s\n", w, "tenant",
		"sent", "delivered", "rejected", "failed", "dead_lettered", "expired",
		"dwell_p50_s", "dwell_p99_s", "dwell_max_s");
	for (size_t i = 0; i < o->n_tenants; i++) {
		const struct sim_tenant_stats *t = &o->tenants[i];
		fprintf(f, "%-*s %12.6g %12.6g %10.6g %10.6g %13.6g %10.6g %12.6g %12.6g %12.6g\n",
			w, scn->tenants[i].name, (double)t->sent / reps,
			(double)t->delivered / reps, (double)t->rejected / reps,
			(double)t->failed / reps, (double)t->dead_lettered / reps,
			(double)t->expired / reps, sim_hist_quantile(&t->dwell, 0.50),
			sim_hist_quantile(&t->dwell, 0.99), t->dwell.n ? t->dwell.max : NAN);
	}
}
