/* summary.c - CSV and JSON writers for run results (see summary.h). */
#include "reports/summary.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/csv.h"
#include "sim/text.h"

static void json_num(FILE *f, double x)
{
	if (isfinite(x))
		fprintf(f, "%.10g", x);
	else
		fputs("null", f);
}

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

int rpt_write_summary_json(const char *path, const struct sim_outcome *o)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("[\n", f);
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		fputs("  {\"resource\": ", f);
		sim_text_json(f, m->resource);
		fputs(", \"metric\": ", f);
		sim_text_json(f, m->metric);
		fputs(", \"mean\": ", f);
		json_num(f, ci.mean);
		fputs(", \"ci95_low\": ", f);
		json_num(f, ci.low);
		fputs(", \"ci95_high\": ", f);
		json_num(f, ci.high);
		fputs(", \"unit\": ", f);
		sim_text_json(f, m->unit);
		fprintf(f, ", \"replications\": %zu}%s\n", ci.n,
			i + 1 < o->results.n ? "," : "");
	}
	fputs("]\n", f);
	return rpt_close(f);
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

int rpt_write_manifest(const char *path, const struct scenario *scn,
		       const struct sim_outcome *o,
		       const struct rpt_manifest *m)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	fputs("{\n  \"spillway_version\": ", f);
	sim_text_json(f, m->version);
	fputs(",\n  \"scenario\": ", f);
	sim_text_json(f, m->scenario_path);
	fputs(",\n  \"scenario_sha256\": ", f);
	sim_text_json(f, m->scenario_sha256);
	fputs(",\n  \"name\": ", f);
	sim_text_json(f, scn->name);
	fprintf(f, ",\n  \"seed\": %lld", (long long)scn->seed);
	fprintf(f, ",\n  \"replications\": %lld", (long long)scn->replications);
	fprintf(f, ",\n  \"duration_s\": %.10g", sim_time_to_s(scn->duration));
	fprintf(f, ",\n  \"warmup_s\": %.10g", sim_time_to_s(scn->warmup));
	fprintf(f, ",\n  \"sample_interval_s\": %.10g",
		sim_time_to_s(scn->sample_interval));
	fputs(",\n  \"set\": [", f);
	for (size_t i = 0; i < m->n_sets; i++) {
		sim_text_json(f, m->sets[i]);
		if (i + 1 < m->n_sets)
			fputs(", ", f);
	}
	fputs("]", f);
	fputs(",\n  \"unconfirmed_defaults\": [", f);
	for (size_t i = 0; i < scn->n_assumed; i++) {
		sim_text_json(f, scn->assumed[i]);
		if (i + 1 < scn->n_assumed)
			fputs(", ", f);
	}
	fputs("]", f);
	if (m->pricing) {
		fputs(",\n  \"pricing\": ", f);
		sim_text_json(f, m->pricing);
	}
	fputs(",\n  \"unconfirmed_prices\": [", f);
	for (size_t i = 0; i < m->n_unconfirmed_prices; i++) {
		sim_text_json(f, m->unconfirmed_prices[i]);
		if (i + 1 < m->n_unconfirmed_prices)
			fputs(", ", f);
	}
	fputs("]", f);
	fprintf(f, ",\n  \"events\": %llu", (unsigned long long)o->events);
	fprintf(f, ",\n  \"same_time_events\": %llu", (unsigned long long)o->ties);
	fputs(",\n  \"files\": [\"scenario.resolved.yaml\", \"timeseries.csv\", "
	      "\"summary.csv\", \"summary.json\", \"tenants.csv\"", f);
	if (m->pricing)
		fputs(", \"cost.csv\"", f);
	fputs("]\n}\n", f);
	return rpt_close(f);
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
