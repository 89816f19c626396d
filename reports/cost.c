/* cost.c - pricing a run's usage meters (see cost.h). */
#include "reports/cost.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "reports/summary.h"
#include "sim/report_desc.h"
#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/text.h"

#define MAX(a, b) ((a) > (b) ? (a) : (b))

void rpt_cost_compute(struct rpt_cost *c, const struct scenario *scn,
		      const struct sim_outcome *o, const struct pricing *p)
{
	*c = (struct rpt_cost){ 0 };
	c->v = sim_xcalloc(o->results.n ? o->results.n : 1, sizeof(*c->v));
	for (size_t i = 0; i < o->results.n; i++) {
		const struct sim_metric *m = &o->results.v[i];
		if (!m->price_key)
			continue;
		struct rpt_cost_line *l = &c->v[c->n++];
		struct sim_ci ci;
		sim_metric_ci(m, o->results.replications, &ci);
		l->m = m;
		l->monthly_volume = NAN;
		l->quantity = isfinite(ci.mean) ? ci.mean : 0.0;
		l->price = pricing_find(p, m->price_key);
		if (!l->price || strcmp(l->price->unit, m->unit)) {
			/* No price, or one for another unit: not guessed. */
			l->price = NULL;
			l->unit_price = l->cost = NAN;
			c->unpriced++;
			continue;
		}
		l->unit_price = l->price->usd / l->price->per;
		l->cost = l->quantity * l->unit_price;
		if (l->price->status == PRICE_UNCONFIRMED)
			c->unconfirmed++;
	}
	c->window_h = sim_time_to_s(scn->duration - scn->warmup) / 3600.0;
	/* Volume tiers: the month's volume of a key is every line's under it,
	 * this window's usage repeated for 730 hours (as the monthly
	 * projection reads it); the window pays its share of that month's
	 * tiered cost, spread over the lines by quantity. */
	for (size_t i = 0; i < c->n; i++) {
		struct rpt_cost_line *l = &c->v[i];
		if (!l->price || !l->price->tiers.n || !isnan(l->monthly_volume))
			continue;
		double q = 0;
		for (size_t k = i; k < c->n; k++)
			if (c->v[k].price == l->price)
				q += c->v[k].quantity;
		double month = c->window_h > 0 ? q * RPT_MONTH_HOURS / c->window_h : 0;
		double paid = price_tiered_cost(l->price, month) * c->window_h / RPT_MONTH_HOURS;
		for (size_t k = i; k < c->n; k++) {
			struct rpt_cost_line *t = &c->v[k];
			if (t->price != l->price)
				continue;
			t->monthly_volume = month;
			t->unit_price = q > 0 ? paid / q : t->unit_price;
			t->cost = q > 0 ? paid * (t->quantity / q) : 0;
		}
	}
	for (size_t i = 0; i < c->n; i++)
		if (c->v[i].price)
			c->total += c->v[i].cost;
	c->monthly = c->window_h < RPT_MONTH_HOURS
			     ? c->total * RPT_MONTH_HOURS / c->window_h
			     : NAN;
}

void rpt_cost_finish(struct rpt_cost *c)
{
	free(c->v);
	*c = (struct rpt_cost){ 0 };
}

int rpt_write_cost_csv(const char *path, const struct rpt_cost *c)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return -1;
	struct sim_csv w = { .f = f };
	fputs("service,resource,dimension,quantity,unit,unit_price_usd,cost_usd,"
	      "price_status,price_key\n", f);
	for (size_t i = 0; i < c->n; i++) {
		const struct rpt_cost_line *l = &c->v[i];
		sim_csv_text(&w, l->m->service);
		sim_csv_text(&w, l->m->resource);
		sim_csv_text(&w, l->m->metric);
		sim_csv_num(&w, l->quantity);
		sim_csv_text(&w, l->m->unit);
		sim_csv_num(&w, l->unit_price);
		sim_csv_num(&w, l->cost);
		sim_csv_text(&w, l->price ? price_status_name(l->price->status) : "no price");
		sim_csv_text(&w, l->m->price_key);
		sim_csv_end(&w);
	}
	sim_csv_text(&w, "TOTAL");
	sim_csv_text(&w, "");
	sim_csv_text(&w, "measurement window");
	sim_csv_num(&w, c->window_h);
	sim_csv_text(&w, "hour");
	sim_csv_text(&w, "");
	sim_csv_num(&w, c->total);
	sim_csv_text(&w, "");
	sim_csv_text(&w, "");
	sim_csv_end(&w);
	if (isfinite(c->monthly)) {
		sim_csv_text(&w, "TOTAL");
		sim_csv_text(&w, "");
		sim_csv_text(&w, "monthly projection (this window's usage repeated for 730 hours)");
		sim_csv_num(&w, RPT_MONTH_HOURS);
		sim_csv_text(&w, "hour");
		sim_csv_text(&w, "");
		sim_csv_num(&w, c->monthly);
		sim_csv_text(&w, "projection");
		sim_csv_text(&w, "");
		sim_csv_end(&w);
	}
	return rpt_close(f);
}

void rpt_print_cost(FILE *f, const struct rpt_cost *c, const struct pricing *p)
{
	if (!c->n)
		return;
	/* Columns as wide as their longest entry. */
	int ws = 7, wr = 8, wd = 18, wu = 4;
	for (size_t i = 0; i < c->n; i++) {
		const struct sim_metric *m = c->v[i].m;
		ws = MAX(ws, (int)strlen(m->service));
		wr = MAX(wr, (int)strlen(m->resource));
		wd = MAX(wd, (int)strlen(m->metric));
		wu = MAX(wu, (int)strlen(m->unit));
	}
	sim_text_fprintf(f, "\nestimated cost (%s prices, %s):\n", p->region, p->doc.file);
	fprintf(f, "%-*s %-*s %-*s %14s %-*s %12s\n", ws, "service", wr, "resource", wd,
		"dimension", "quantity", wu, "unit", "cost_usd");
	for (size_t i = 0; i < c->n; i++) {
		const struct rpt_cost_line *l = &c->v[i];
		/* The service is the scenario's text: one line, no escapes. */
		char *service = sim_text_dup(l->m->service, SIM_TEXT_LINE);
		fprintf(f, "%-*s %-*s %-*s %14.6g %-*s %12.4f%s\n", ws, service, wr,
			l->m->resource, wd, l->m->metric, l->quantity, wu, l->m->unit,
			l->cost,
			!l->price ? "  (no price)"
			: l->price->status == PRICE_UNCONFIRMED ? "  (UNCONFIRMED price)"
								 : "");
		if (isfinite(l->monthly_volume))
			fprintf(f, "%-*s   tiered: %.6g %s a month in all (this window x 730 h), %.6g USD/%s on average\n",
				ws + wr + wd + 2, "", l->monthly_volume, l->m->unit,
				l->unit_price, l->m->unit);
		free(service);
	}
	fprintf(f, "%-*s %-*s %-*s %14.6g %-*s %12.4f\n", ws, "TOTAL", wr, "", wd,
		"measurement window", c->window_h, wu, "hour", c->total);
	if (isfinite(c->monthly))
		fprintf(f, "%-*s %-*s %-*s %14.6g %-*s %12.2f  (projection)\n", ws, "TOTAL",
			wr, "", wd, "monthly projection", RPT_MONTH_HOURS, wu, "hour",
			c->monthly);
}

/* The mean of RESOURCE.METRIC over the replications, NAN when absent. */
static double mean_of(const struct sim_outcome *o, const char *res, const char *metric)
{
	const struct sim_metric *m = sim_results_find(&o->results, res, metric);
	if (!m)
		return NAN;
	struct sim_ci ci;
	sim_metric_ci(m, o->results.replications, &ci);
	return ci.mean;
}

/* Whether a cost line's resource is in e's cost group. */
static bool group_owns(const struct scn_entry *e, const char *resource)
{
	const char *names[16];
	size_t n = e->ops->report->cost_group ? e->ops->report->cost_group(e, names, 16) : 0;
	for (size_t k = 0; k < n; k++)
		if (!strcmp(names[k], resource))
			return true;
	return false;
}

/* One value of a table column: its kind's format, at its width. */
static void print_cell(FILE *f, const struct model_column *c, double v)
{
	switch (c->kind) {
	case MODEL_COL_MS: fprintf(f, " %*.0fms", c->width, v); break;
	case MODEL_COL_S: fprintf(f, " %*.2fs", c->width, v); break;
	default: fprintf(f, " %*.6g", c->width, v);
	}
}

void rpt_print_streaming(FILE *f, const struct scenario *scn, const struct sim_outcome *o,
			 const struct rpt_cost *c)
{
	const struct model_table *shown = NULL;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct model_table *t = e->ops->report ? e->ops->report->table : NULL;
		if (!t)
			continue;
		if (t != shown) {
			fprintf(f, "\n%s:\n", t->intro);
			fprintf(f, "%-14s %-20s", "resource", t->label_header);
			for (size_t k = 0; k < t->n_cols; k++)
				fprintf(f, " %*s", t->cols[k].header_width, t->cols[k].header);
			fprintf(f, " %12s\n", t->per_1k_header);
			shown = t;
		}
		char what[64];
		t->label(e, what, sizeof(what));
		fprintf(f, "%-14s %-20s", e->name, what);
		for (size_t k = 0; k < t->n_cols; k++)
			print_cell(f, &t->cols[k], mean_of(o, e->name, t->cols[k].metric));
		double first = t->n_cols ? mean_of(o, e->name, t->cols[0].metric) : NAN;
		double usd = 0;
		for (size_t k = 0; k < c->n; k++)
			if (group_owns(e, c->v[k].m->resource))
				usd += c->v[k].cost;
		fprintf(f, " %12.4f\n", first > 0 ? usd / first * 1000 : NAN);
	}
}

void rpt_print_published(FILE *f, const struct scenario *scn, const struct sim_outcome *o,
			 const struct rpt_cost *c)
{
	const struct scn_expect *x = scn->expect.items;
	if (!scn->expect.n)
		return;
	fprintf(f, "\npublished vs simulated (the scenario's expect; report.md has the sources):\n");
	fprintf(f, "%-44s %14s %14s  %-11s  %s\n", "metric", "published", "simulated", "evidence", "agreement");
	const struct cfg_node *list = cfg_get(scn->doc.root, "expect");
	for (size_t i = 0; i < scn->expect.n; i++) {
		bool numeric = list && list->type == CFG_SEQ && i < list->n &&
			       cfg_get(list->items[i], "value");
		const char *dot = strchr(x[i].metric, '.');
		double got = NAN;
		if (dot && !strncmp(x[i].metric, "monthly_cost.", 13)) {
			bool any = false;
			got = 0;
			for (size_t k = 0; k < c->n; k++)
				if (!strcmp(c->v[k].m->service, dot + 1) && isfinite(c->v[k].cost)) {
					got += c->v[k].cost;
					any = true;
				}
			got = any && c->window_h > 0 ? got * RPT_MONTH_HOURS / c->window_h : NAN;
		} else if (dot) {
			char res[300];
			snprintf(res, sizeof(res), "%.*s", (int)(dot - x[i].metric), x[i].metric);
			got = mean_of(o, res, dot + 1);
		}
		char pub[32] = "-", verdict[96] = "compare by eye";
		if (numeric)
			snprintf(pub, sizeof(pub), "%.6g", x[i].value);
		if (numeric && isfinite(got)) {
			double rel = x[i].value ? fabs(got - x[i].value) / fabs(x[i].value) : fabs(got);
			snprintf(verdict, sizeof(verdict), "%s (%+.1f%%; within %.0f%%)",
				 rel <= x[i].within ? "agrees" : "DIFFERS",
				 x[i].value ? 100 * (got - x[i].value) / fabs(x[i].value) : 100 * got,
				 100 * x[i].within);
		}
		sim_text_fprintf(f, "%-44s %14s %14.6g  %-11s  %s\n", x[i].metric, pub, got,
				 scn_evidence_name(x[i].evidence), verdict);
	}
}
