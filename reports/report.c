/* report.c - plots and the review report of a run (see report.h). */
#include "reports/report.h"
#include "reports/cost.h"
#include "reports/plot.h"
#include "reports/summary.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/csv.h"
#include "sim/metrics.h"
#include "sim/sha256.h"
#include "sim/results.h"
#include "sim/text.h"
#include "sim/units.h"

/* Escaping ------------------------------------------------------------------ */

/* Every text below is sanitised (sim/text.h: valid UTF-8, no control
 * characters) before it is escaped for its format. */

void rpt_html_escape(FILE *out, const char *s)
{
	char *clean = sim_text_dup(s, SIM_TEXT_LINES);
	for (const char *c = clean; *c; c++) {
		switch (*c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*c, out);
		}
	}
	free(clean);
}

/* Markdown: the same, on one line, plus the characters that start markup,
 * so a name shows as written. */
static void md_escape(FILE *out, const char *s)
{
	char *clean = sim_text_dup(s, SIM_TEXT_LINE);
	for (const char *c = clean; *c; c++) {
		if (strchr("\\`*_[]<>|#", *c))
			fputc('\\', out);
		fputc(*c, out);
	}
	free(clean);
}

/* The time series ------------------------------------------------------------- */

struct tseries {
	struct series *s;
	size_t n;
};

static struct series *series_get(struct tseries *ts, const char *res, const char *metric)
{
	for (size_t i = 0; i < ts->n; i++)
		if (!strcmp(ts->s[i].resource, res) && !strcmp(ts->s[i].metric, metric))
			return &ts->s[i];
	return NULL;
}

/* Reads replication 0 of dir/timeseries.csv. */
static void tseries_load(struct tseries *ts, const char *dir)
{
	*ts = (struct tseries){ 0 };
	char path[4400];
	snprintf(path, sizeof(path), "%s/timeseries.csv", dir);
	FILE *in = fopen(path, "r");
	if (!in)
		return;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, in);
	long n = sim_csv_read(&rd); /* the header */
	while (n > 0) {
		n = sim_csv_read(&rd);
		char **f = rd.cells;
		if (n != 5 || strcmp(f[1], "0"))
			continue;
		struct series *s = series_get(ts, f[2], f[3]);
		if (!s) {
			ts->s = sim_xrealloc(ts->s, (ts->n + 1) * sizeof(*ts->s));
			s = &ts->s[ts->n++];
			*s = (struct series){ .resource = sim_xstrdup(f[2]),
					      .metric = sim_xstrdup(f[3]) };
		}
		if (s->n == s->cap) {
			s->cap = s->cap ? s->cap * 2 : 256;
			s->t = sim_xrealloc(s->t, s->cap * sizeof(*s->t));
			s->v = sim_xrealloc(s->v, s->cap * sizeof(*s->v));
		}
		s->t[s->n] = strtod(f[0], NULL);
		s->v[s->n++] = strtod(f[4], NULL);
	}
	sim_csv_reader_finish(&rd);
	fclose(in);
}

static void tseries_free(struct tseries *ts)
{
	for (size_t i = 0; i < ts->n; i++) {
		free(ts->s[i].resource);
		free(ts->s[i].metric);
		free(ts->s[i].t);
		free(ts->s[i].v);
	}
	free(ts->s);
}

/* Plots ------------------------------------------------------------------------ */

#define RPT_MAX_PLOTS 32 /* a run's plots at most: the types', dwell and cost */

/* The time-series plots the resource types draw on (sim/report_desc.h),
 * gathered in rank order: the sink their hooks put lines into. */
struct plot_set {
	struct model_plot_sink sink;
	struct tseries *ts;
	double interval;                 /* seconds between samples */
	const char *sub;                 /* every plot's subtitle */
	struct plot *plots;              /* max of them */
	const struct model_plot **of;    /* what each of plots is */
	size_t n, max;
};

/* The plot for p, made (in rank order) on first use; NULL when full. */
static struct plot *plot_for(struct plot_set *ps, const struct model_plot *p)
{
	size_t at = ps->n;
	for (size_t i = 0; i < ps->n; i++) {
		if (ps->of[i] == p)
			return &ps->plots[i];
		if (at == ps->n && ps->of[i]->rank > p->rank)
			at = i;
	}
	if (ps->n == ps->max)
		return NULL;
	memmove(&ps->plots[at + 1], &ps->plots[at], (ps->n - at) * sizeof(*ps->plots));
	memmove(&ps->of[at + 1], &ps->of[at], (ps->n - at) * sizeof(*ps->of));
	ps->n++;
	ps->of[at] = p;
	ps->plots[at] = (struct plot){ .name = p->name, .title = p->title,
				       .ylabel = p->ylabel, .subtitle = ps->sub };
	return &ps->plots[at];
}

static void sink_series(struct model_plot_sink *k, const struct model_plot *p,
			const char *resource, const char *metric, const char *what,
			double scale)
{
	struct plot_set *ps = (struct plot_set *)k;
	struct plot *pl = plot_for(ps, p);
	if (pl)
		rpt_plot_add_line(pl, series_get(ps->ts, resource, metric), resource, what, scale);
}

static void sink_limit(struct model_plot_sink *k, const struct model_plot *p,
		       double value, const char *label)
{
	struct plot *pl = plot_for((struct plot_set *)k, p);
	if (pl)
		rpt_plot_add_limit(pl, value, label);
}

/* The plots of a run into plots (at most max); how many, or -1 (dr->error
 * set). Plots with no valid point are left out. */
static long draw_plots(struct rpt_draw *dr, const char *pdir, const struct scenario *scn,
		       const struct point_result *pr, struct tseries *ts,
		       struct plot *plots, size_t max)
{
	/* Static: the plots keep pointing at it after this returns. The
	 * description is cut between characters. */
	static char sub[400];
	int len = snprintf(sub, sizeof(sub), "%s%s", scn->name,
			   scn->description && *scn->description ? ": " : "");
	if (len > 0 && (size_t)len < sizeof(sub))
		sim_text_clean(sub + len, sizeof(sub) - (size_t)len, scn->description,
			       SIM_TEXT_LINE);
	struct plot_set ps = {
		.sink = { .series = sink_series, .limit = sink_limit },
		.ts = ts, .interval = sim_time_to_s(scn->sample_interval), .sub = sub,
		.plots = plots, .of = sim_xcalloc(max, sizeof(*ps.of)),
		.max = max > 2 ? max - 2 : 0, /* room for dwell and cost */
	};
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct model_report *d = e->ops->report;
		for (size_t k = 0; d && k < d->n_series; k++) {
			const struct model_series *s = &d->series[k];
			sink_series(&ps.sink, s->plot, e->name, s->metric, s->what,
				    s->per_second ? 1 / ps.interval : 1);
		}
		if (d && d->plot)
			d->plot(scn, e, &ps.sink);
	}
	/* Once per type, in the order the types first appear. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct model_ops *ops = scn->resources[i].ops;
		bool seen = false;
		for (size_t j = 0; j < i && !seen; j++)
			seen = scn->resources[j].ops == ops;
		if (!seen && ops->report && ops->report->plot_end)
			ops->report->plot_end(scn, &ps.sink);
	}
	free(ps.of);
	size_t n = ps.n, kept = 0;
	for (size_t i = 0; i < n; i++) {
		bool has = false;
		for (size_t k = 0; k < plots[i].n; k++)
			has |= plots[i].l[k].s != NULL;
		if (!has)
			continue;
		plots[kept] = plots[i];
		if (rpt_plot_lines(dr, pdir, &plots[kept]))
			return -1;
		kept += !plots[kept].empty;
	}
	/* Per-tenant dwell and the cost breakdown: bars. */
	if (pr->nt && kept < max) {
		struct plot *p = &plots[kept];
		*p = (struct plot){ .name = "dwell", .title = "Dwell time per tenant (send to done)",
				    .ylabel = "seconds", .subtitle = sub };
		char **labels = sim_xcalloc(pr->nt, sizeof(*labels));
		double *v = sim_xcalloc(pr->nt * 3, sizeof(*v));
		for (size_t t = 0; t < pr->nt; t++) {
			labels[t] = pr->t[t].name;
			v[t * 3] = pr->t[t].dwell_p50;
			v[t * 3 + 1] = pr->t[t].dwell_p95;
			v[t * 3 + 2] = pr->t[t].dwell_p99;
		}
		static const char *const cols[] = { "p50", "p95", "p99" };
		int rc = rpt_plot_bars(dr, pdir, p, labels, v, pr->nt, cols, 3);
		free(labels);
		free(v);
		if (rc)
			return -1;
		kept += !p->empty;
	}
	return (long)kept;
}

/* Cost lines from dir/cost.csv, for the breakdown and the table. */
struct cost_row {
	char *service, *resource, *dimension, *quantity, *unit, *price, *cost, *status;
};

static size_t load_cost(const char *dir, struct cost_row **out)
{
	char path[4400];
	snprintf(path, sizeof(path), "%s/cost.csv", dir);
	FILE *in = fopen(path, "r");
	*out = NULL;
	if (!in)
		return 0;
	size_t n = 0;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, in);
	long k = sim_csv_read(&rd); /* the header */
	while (k > 0) {
		k = sim_csv_read(&rd);
		char **f = rd.cells;
		if (k < 7)
			continue;
		*out = sim_xrealloc(*out, (n + 1) * sizeof(**out));
		(*out)[n++] = (struct cost_row){
			sim_xstrdup(f[0]), sim_xstrdup(f[1]), sim_xstrdup(f[2]),
			sim_xstrdup(f[3]), sim_xstrdup(f[4]), sim_xstrdup(f[5]),
			sim_xstrdup(f[6]), sim_xstrdup(k > 7 ? f[7] : ""),
		};
	}
	sim_csv_reader_finish(&rd);
	fclose(in);
	return n;
}

/* What `service` costs a month: its lines' cost over the measurement
 * window scaled to 730 hours (NAN when it has no line). */
static double monthly_cost_of(const struct cost_row *v, size_t n, const char *service)
{
	double sum = 0, window_h = NAN;
	bool any = false;
	for (size_t i = 0; i < n; i++) {
		if (!strcmp(v[i].service, "TOTAL") && !strcmp(v[i].dimension, "measurement window"))
			window_h = strtod(v[i].quantity, NULL);
		if (strcmp(v[i].service, service) || !*v[i].cost)
			continue;
		sum += strtod(v[i].cost, NULL);
		any = true;
	}
	return any && window_h > 0 ? sum * RPT_MONTH_HOURS / window_h : NAN;
}

static void free_cost(struct cost_row *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].service);
		free(v[i].resource);
		free(v[i].dimension);
		free(v[i].quantity);
		free(v[i].unit);
		free(v[i].price);
		free(v[i].cost);
		free(v[i].status);
	}
	free(v);
}

/* The two documents ------------------------------------------------------------ */

struct doc {
	FILE *md;
	FILE *html;
};

/* Closes both documents. 0, or -1 with the first failure's cause in errno
 * and its path in dr->error. */
static int docs_close(struct rpt_draw *dr, struct doc *d, const char *mdpath,
		      const char *htmlpath)
{
	int rc = 0, e = 0;
	if (rpt_close(d->md)) {
		rc = rpt_fail_to(dr, "write", mdpath);
		e = errno;
	}
	if (rpt_close(d->html) && !rc) {
		rc = rpt_fail_to(dr, "write", htmlpath);
		e = errno;
	}
	errno = e;
	return rc;
}

static void heading(struct doc *d, int level, const char *text)
{
	fprintf(d->md, "\n%.*s ", level, "######");
	md_escape(d->md, text);
	fputs("\n\n", d->md);
	fprintf(d->html, "<h%d>", level);
	rpt_html_escape(d->html, text);
	fprintf(d->html, "</h%d>\n", level);
}

static void para(struct doc *d, const char *text)
{
	md_escape(d->md, text);
	fputs("\n\n", d->md);
	fputs("<p>", d->html);
	rpt_html_escape(d->html, text);
	fputs("</p>\n", d->html);
}

static void table_head(struct doc *d, const char *const *cols, size_t n)
{
	fputc('|', d->md);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', d->md);
		md_escape(d->md, cols[i]);
		fputs(" |", d->md);
	}
	fputs("\n|", d->md);
	for (size_t i = 0; i < n; i++)
		fputs("---|", d->md);
	fputs("\n", d->md);
	fputs("<table><tr>", d->html);
	for (size_t i = 0; i < n; i++) {
		fputs("<th>", d->html);
		rpt_html_escape(d->html, cols[i]);
		fputs("</th>", d->html);
	}
	fputs("</tr>\n", d->html);
}

static void table_row(struct doc *d, const char *const *cells, size_t n)
{
	fputc('|', d->md);
	for (size_t i = 0; i < n; i++) {
		fputc(' ', d->md);
		md_escape(d->md, cells[i] ? cells[i] : "");
		fputs(" |", d->md);
	}
	fputs("\n", d->md);
	fputs("<tr>", d->html);
	for (size_t i = 0; i < n; i++) {
		fputs("<td>", d->html);
		rpt_html_escape(d->html, cells[i] ? cells[i] : "");
		fputs("</td>", d->html);
	}
	fputs("</tr>\n", d->html);
}

static void table_end(struct doc *d)
{
	fputs("\n", d->md);
	fputs("</table>\n", d->html);
}

/* A flow-style rendering of a YAML node (for arrivals and the like). */
static void flow(char *buf, size_t size, const struct cfg_node *n)
{
	size_t len = 0;
	if (!n) {
		snprintf(buf, size, "-");
		return;
	}
	if (n->type == CFG_SCALAR) {
		snprintf(buf, size, "%s", n->value ? n->value : "");
		return;
	}
	buf[0] = '\0';
	len += (size_t)snprintf(buf + len, size - len, n->type == CFG_MAP ? "{" : "[");
	for (size_t i = 0; i < n->n && len < size; i++) {
		char inner[512];
		flow(inner, sizeof(inner), n->type == CFG_MAP ? n->pairs[i].value : n->items[i]);
		if (n->type == CFG_MAP)
			len += (size_t)snprintf(buf + len, size - len, "%s%s: %s", i ? ", " : "",
						n->pairs[i].key, inner);
		else
			len += (size_t)snprintf(buf + len, size - len, "%s%s", i ? ", " : "", inner);
	}
	if (len < size)
		snprintf(buf + len, size - len, n->type == CFG_MAP ? "}" : "]");
}

/* The architecture table: the rows the types' edge hooks give. */
struct edge_rows {
	struct model_edge_sink sink;
	struct doc *d;
};

static void edge_row(struct model_edge_sink *k, const char *from, const char *to,
		     const char *how, const struct cfg_node *node)
{
	char text[600];
	if (!how) {
		flow(text, sizeof(text), node);
		how = text;
	}
	const char *cells[] = { from, to, how };
	table_row(((struct edge_rows *)k)->d, cells, 3);
}

/* Inlines dir/plots/NAME.svg into the HTML (no XML prologue). */
static void inline_svg(FILE *html, const char *dir, const char *name)
{
	char path[4600], line[4096];
	snprintf(path, sizeof(path), "%s/plots/%s.svg", dir, name);
	FILE *in = fopen(path, "r");
	if (!in)
		return;
	bool started = false;
	while (fgets(line, sizeof(line), in)) {
		if (!started && !strstr(line, "<svg"))
			continue;
		started = true;
		fputs(line, html);
	}
	fclose(in);
}

/* The page's head (title from the scenario, escaped) and style. */
static void html_head(struct doc *d, const char *what, const char *name)
{
	fprintf(d->html, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>%s: ", what);
	rpt_html_escape(d->html, name);
	fputs("</title>\n<style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
	      "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #bbb;padding:3px 8px;text-align:left}"
	      "th{background:#eee}.error{color:#a00}.warning{color:#a60}.info{color:#066}"
	      "svg{max-width:100%;height:auto}</style></head><body>\n", d->html);
}

/* The plots: linked from the Markdown, inline in the HTML. */
static void plots_section(struct doc *d, const char *dir, const struct plot *plots,
			  size_t n, bool no_gnuplot)
{
	heading(d, 2, "Plots");
	if (no_gnuplot)
		para(d, "gnuplot could not run on this machine: the plot scripts and their data are in plots/; run gnuplot NAME.gp there to draw them.");
	for (size_t i = 0; i < n; i++) {
		if (plots[i].empty)
			continue;
		fputs("![", d->md);
		md_escape(d->md, plots[i].title);
		fprintf(d->md, "](plots/%s.svg) ([PNG](plots/%s.png), [script](plots/%s.gp))%s\n\n",
			plots[i].name, plots[i].name, plots[i].name,
			plots[i].failed ? " (gnuplot failed on this plot: see plots/gnuplot.log)" : "");
		fputs("<figure>", d->html);
		if (plots[i].drawn)
			inline_svg(d->html, dir, plots[i].name);
		fputs("<figcaption>", d->html);
		rpt_html_escape(d->html, plots[i].title);
		fprintf(d->html, " (<a href=\"plots/%s.png\">PNG</a>, <a href=\"plots/%s.gp\">script</a>)%s</figcaption></figure>\n",
			plots[i].name, plots[i].name,
			plots[i].failed ? " (gnuplot failed on this plot: see plots/gnuplot.log)" : "");
	}
	fputs("</body></html>\n", d->html);
}

static const char *const headline_metrics[] = {
	METRIC_MOVED_TO_DLQ, METRIC_EXPIRED, METRIC_DRAIN_TIME, METRIC_MAX_VISIBLE,
	METRIC_THROTTLES, METRIC_CONCURRENT_EXECUTIONS METRIC_MAX, METRIC_DURATION METRIC_P99,
	METRIC_WRITE_THROTTLES, METRIC_READ_THROTTLES, METRIC_WAIT_TIME, METRIC_SOJOURN_TIME,
	METRIC_UTILIZATION, METRIC_POLLER_UNIT_HOURS,
	/* Retries, outages and orchestration. */
	METRIC_SCHEDULER_INVOCATIONS, METRIC_RETRIES_PENDING, METRIC_OUT_OF_ORDER_DELETES,
	METRIC_FAILED_CALLS, METRIC_DELIVERY_LATENCY METRIC_P50,
	METRIC_DELIVERY_LATENCY METRIC_P99, METRIC_DEAD_LETTER_INVOCATIONS, METRIC_DROPPED,
	METRIC_RUNNING_EXECUTIONS METRIC_MAX, METRIC_EXECUTIONS_FAILED, METRIC_REPLAYED,
	METRIC_TARGET_THROTTLED, NULL,
};

static bool is_headline(const char *metric)
{
	for (size_t i = 0; headline_metrics[i]; i++)
		if (!strcmp(metric, headline_metrics[i]))
			return true;
	return false;
}

int rpt_write_report(const char *dir, const struct scenario *scn,
		     const struct findings *f, struct rpt_draw *dr)
{
	struct point_result pr;
	char pdir[4400], mdpath[4400], htmlpath[4400];
	dr->error[0] = '\0';
	dr->no_gnuplot = !rpt_gnuplot_on_path();
	if (point_result_load(&pr, dir))
		return rpt_fail_to(dr, "read the results in", dir);
	if (rpt_plots_dir(dr, dir, pdir, sizeof(pdir))) {
		point_result_free(&pr);
		return -1;
	}
	struct tseries ts;
	tseries_load(&ts, dir);
	/* The types' plots, dwell, and the cost after them. */
	struct plot *plots = sim_xcalloc(RPT_MAX_PLOTS + 1, sizeof(*plots));
	long drawn = draw_plots(dr, pdir, scn, &pr, &ts, plots, RPT_MAX_PLOTS);
	if (drawn < 0) {
		int e = errno;
		free(plots);
		point_result_free(&pr);
		tseries_free(&ts);
		errno = e;
		return -1;
	}
	size_t np = (size_t)drawn;
	struct cost_row *cost;
	size_t nc = load_cost(dir, &cost);
	size_t lines = 0;
	for (size_t i = 0; i < nc; i++)
		lines += strcmp(cost[i].service, "TOTAL") != 0;
	if (lines) {
		/* The cost breakdown: one bar per priced line. */
		struct plot *p = &plots[np];
		*p = (struct plot){ .name = "cost", .title = "Cost of the measurement window", .ylabel = "USD" };
		char **labels = sim_xcalloc(lines, sizeof(*labels));
		double *v = sim_xcalloc(lines, sizeof(*v));
		size_t k = 0;
		for (size_t i = 0; i < nc; i++) {
			if (!strcmp(cost[i].service, "TOTAL"))
				continue;
			size_t len = strlen(cost[i].resource) + strlen(cost[i].dimension) + 2;
			labels[k] = sim_xrealloc(NULL, len);
			snprintf(labels[k], len, "%s %s", cost[i].resource, cost[i].dimension);
			v[k++] = *cost[i].cost ? strtod(cost[i].cost, NULL) : 0;
		}
		static const char *const cols[] = { "USD" };
		int e = 0;
		if (rpt_plot_bars(dr, pdir, p, labels, v, lines, cols, 1))
			e = errno;
		else
			np += !p->empty;
		for (size_t i = 0; i < lines; i++)
			free(labels[i]);
		free(labels);
		free(v);
		if (e) {
			free(plots);
			point_result_free(&pr);
			tseries_free(&ts);
			free_cost(cost, nc);
			errno = e;
			return -1;
		}
	}
	rpt_gnuplot_missing(dr, np);

	struct doc d = { NULL, NULL };
	snprintf(mdpath, sizeof(mdpath), "%s/report.md", dir);
	snprintf(htmlpath, sizeof(htmlpath), "%s/report.html", dir);
	if (!(d.md = fopen(mdpath, "w")) || !(d.html = fopen(htmlpath, "w"))) {
		rpt_fail_to(dr, "write", d.md ? htmlpath : mdpath);
		int e = errno;
		if (d.md)
			fclose(d.md);
		free(plots);
		point_result_free(&pr);
		tseries_free(&ts);
		free_cost(cost, nc);
		errno = e;
		return -1;
	}
	html_head(&d, "spillway", scn->name);
	fputs("# spillway report: ", d.md);
	md_escape(d.md, scn->name);
	fputs("\n\n", d.md);
	fputs("<h1>spillway report: ", d.html);
	rpt_html_escape(d.html, scn->name);
	fputs("</h1>\n", d.html);
	if (scn->description && *scn->description)
		para(&d, scn->description);

	heading(&d, 2, "What was simulated");
	char text[2048];
	snprintf(text, sizeof(text),
		 "%lld replications of %g s (statistics after a %g s warm-up), seed %lld, sampled every %g s.",
		 (long long)scn->replications, sim_time_to_s(scn->duration),
		 sim_time_to_s(scn->warmup), (long long)scn->seed,
		 sim_time_to_s(scn->sample_interval));
	para(&d, text);
	static const char *const tcols[] = { "tenant", "sends to", "arrivals", "message size", "group" };
	table_head(&d, tcols, 5);
	for (size_t t = 0; t < scn->n_tenants; t++) {
		const struct scn_entry *te = &scn->tenants[t];
		const struct cfg_node *an = NULL, *sn = NULL;
		const char *target = NULL, *group = te->name;
		if (te->ops->report && te->ops->report->describe)
			te->ops->report->describe(te, &target, &an, &sn, &group);
		char arr[1024], size[256], grp[512];
		flow(arr, sizeof(arr), an);
		flow(size, sizeof(size), sn);
		snprintf(grp, sizeof(grp), "%s", group);
		const char *cells[] = { te->name, target ? target : "", arr, size, grp };
		table_row(&d, cells, 5);
	}
	table_end(&d);
	heading(&d, 3, "Architecture");
	static const char *const lcols[] = { "from", "to", "how" };
	table_head(&d, lcols, 3);
	struct edge_rows rows = { .sink = { .edge = edge_row }, .d = &d };
	for (size_t t = 0; t < scn->n_tenants; t++) {
		const struct model_report *r = scn->tenants[t].ops->report;
		if (r && r->edges)
			r->edges(&scn->tenants[t], &rows.sink);
	}
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct model_report *r = scn->resources[i].ops->report;
		if (r && r->edges)
			r->edges(&scn->resources[i], &rows.sink);
	}
	table_end(&d);
	static const char *const rcols[] = { "resource", "type" };
	table_head(&d, rcols, 2);
	for (size_t i = 0; i < scn->n_resources; i++) {
		const char *cells[] = { scn->resources[i].name, scn->resources[i].ops->name };
		table_row(&d, cells, 2);
	}
	table_end(&d);

	heading(&d, 2, "Key metrics");
	static const char *const mcols[] = { "resource", "metric", "mean", "95% interval", "unit" };
	table_head(&d, mcols, 5);
	for (size_t i = 0; i < pr.n; i++) {
		const struct pr_metric *m = &pr.m[i];
		if (!is_headline(m->metric))
			continue;
		char ci[128];
		snprintf(ci, sizeof(ci), "%s .. %s", *m->low_s ? m->low_s : "-",
			 *m->high_s ? m->high_s : "-");
		const char *cells[] = { m->resource, m->metric, *m->mean_s ? m->mean_s : "-", ci, m->unit };
		table_row(&d, cells, 5);
	}
	table_end(&d);

	const struct cfg_node *expect = cfg_get(scn->doc.root, "expect");
	if (scn->expect.n) {
		heading(&d, 2, "Published vs simulated");
		static const char *const ecols[] = { "metric", "published", "simulated (mean)", "agreement", "evidence", "source" };
		table_head(&d, ecols, 6);
		const struct scn_expect *x = scn->expect.items;
		for (size_t i = 0; i < scn->expect.n; i++) {
			const char *dot = strchr(x[i].metric, '.');
			char res[300] = "";
			if (dot)
				snprintf(res, sizeof(res), "%.*s", (int)(dot - x[i].metric), x[i].metric);
			const struct pr_metric *m = dot ? point_metric(&pr, res, dot + 1) : NULL;
			bool numeric = expect && expect->type == CFG_SEQ && i < expect->n &&
				       cfg_get(expect->items[i], "value");
			char sim[64], verdict[160];
			snprintf(sim, sizeof(sim), "%s", m && *m->mean_s ? m->mean_s : "not reported");
			double got = m ? m->mean : NAN;
			if (!strcmp(res, "monthly_cost")) {
				/* monthly_cost.SERVICE: the service's lines a month. */
				got = monthly_cost_of(cost, nc, dot + 1);
				if (isfinite(got))
					snprintf(sim, sizeof(sim), "%.0f USD a month", got);
			}
			if (!numeric || !isfinite(got))
				snprintf(verdict, sizeof(verdict), "compare by eye");
			else {
				double rel = x[i].value ? fabs(got - x[i].value) / fabs(x[i].value)
							: fabs(got);
				snprintf(verdict, sizeof(verdict), "%s (%.1f%% off; within %.0f%%)",
					 rel <= x[i].within ? "agrees" : "DIFFERS", 100 * rel,
					 100 * x[i].within);
			}
			const char *cells[] = { x[i].metric, x[i].published, sim, verdict,
						scn_evidence_name(x[i].evidence), x[i].source };
			table_row(&d, cells, 6);
		}
		table_end(&d);
	}

	heading(&d, 2, "Cost");
	if (nc) {
		static const char *const ccols[] = { "service", "resource", "dimension", "quantity", "unit", "unit price (USD)", "cost (USD)", "price" };
		table_head(&d, ccols, 8);
		for (size_t i = 0; i < nc; i++) {
			const char *cells[] = { cost[i].service, cost[i].resource, cost[i].dimension,
						cost[i].quantity, cost[i].unit, cost[i].price,
						cost[i].cost, cost[i].status };
			table_row(&d, cells, 8);
		}
		table_end(&d);
	} else {
		para(&d, "No cost.csv in this run.");
	}

	heading(&d, 2, "Findings");
	if (!f->n)
		para(&d, "No review rule found anything.");
	for (size_t i = 0; i < f->n; i++) {
		const struct finding *x = &f->v[i];
		snprintf(text, sizeof(text), "%s %s: %s (%s)", x->rule->id,
			 severity_name(x->rule->severity), x->rule->title, x->resource);
		fprintf(d.md, "\n### ");
		md_escape(d.md, text);
		fprintf(d.md, "\n\n");
		fprintf(d.html, "<h3 class=\"%s\">", severity_name(x->rule->severity));
		rpt_html_escape(d.html, text);
		fputs("</h3>\n", d.html);
		para(&d, x->text);
		snprintf(text, sizeof(text), "Why: %s. Source: %s.", x->rule->rationale, x->rule->source);
		para(&d, text);
		if (x->fix) {
			snprintf(text, sizeof(text), "Fix: --set '%s'.", x->fix);
			para(&d, text);
		}
		if (x->whatif) {
			snprintf(text, sizeof(text), "What-if (re-simulated): %s.", x->whatif);
			para(&d, text);
		}
	}

	plots_section(&d, dir, plots, np, dr->no_gnuplot);
	free(plots);
	point_result_free(&pr);
	tseries_free(&ts);
	free_cost(cost, nc);
	return docs_close(dr, &d, mdpath, htmlpath);
}

/* Sweeps ----------------------------------------------------------------------- */

int rpt_write_sweep_report(const char *dir, const char *scenario,
			   const char *varied, char *const *labels,
			   const struct point_result *r, size_t npoints,
			   const char *const (*cols)[2], size_t ncols,
			   struct rpt_draw *dr)
{
	char pdir[4400], mdpath[4400], htmlpath[4400];
	dr->error[0] = '\0';
	dr->no_gnuplot = !rpt_gnuplot_on_path();
	if (rpt_plots_dir(dr, dir, pdir, sizeof(pdir)))
		return -1;
	size_t nplots = ncols + 1, shown = 0;
	struct plot *plots = sim_xcalloc(nplots, sizeof(*plots));
	char (*names)[64] = sim_xcalloc(nplots, sizeof(*names));
	char (*titles)[700] = sim_xcalloc(nplots, sizeof(*titles));
	double *mean = sim_xcalloc(npoints, sizeof(double));
	double *lo = sim_xcalloc(npoints, sizeof(double));
	double *hi = sim_xcalloc(npoints, sizeof(double));
	int rc = 0;
	for (size_t c = 0; c < nplots && !rc; c++) {
		for (size_t k = 0; k < npoints; k++) {
			const struct pr_metric *m = c < ncols ? point_metric(&r[k], cols[c][0], cols[c][1]) : NULL;
			mean[k] = c < ncols ? (m ? m->mean : NAN) : r[k].cost;
			lo[k] = c < ncols && m ? m->low : NAN;
			hi[k] = c < ncols && m ? m->high : NAN;
		}
		snprintf(names[c], sizeof(names[c]), "sweep-%zu", c + 1);
		if (c < ncols)
			snprintf(titles[c], sizeof(titles[c]), "%s.%s against %s", cols[c][0],
				 cols[c][1], varied);
		else
			snprintf(titles[c], sizeof(titles[c]), "Cost of the window (USD) against %s", varied);
		plots[c] = (struct plot){ .name = names[c], .title = titles[c],
					  .ylabel = c < ncols ? cols[c][1] : "USD",
					  .subtitle = scenario };
		rc = rpt_plot_points(dr, pdir, &plots[c], labels, mean, lo, hi, npoints);
		shown += !plots[c].empty;
	}
	if (!rc)
		rpt_gnuplot_missing(dr, shown);
	struct doc d = { NULL, NULL };
	snprintf(mdpath, sizeof(mdpath), "%s/report.md", dir);
	snprintf(htmlpath, sizeof(htmlpath), "%s/report.html", dir);
	if (!rc && (!(d.md = fopen(mdpath, "w")) || !(d.html = fopen(htmlpath, "w")))) {
		rc = rpt_fail_to(dr, "write", d.md ? htmlpath : mdpath);
		int e = errno;
		if (d.md)
			fclose(d.md);
		errno = e;
	}
	if (!rc) {
		html_head(&d, "spillway sweep", scenario);
		char text[800];
		snprintf(text, sizeof(text), "spillway sweep: %s", scenario);
		heading(&d, 1, text);
		snprintf(text, sizeof(text), "%zu points varying %s, every point with the scenario's seed (common random numbers). Means with their 95%% intervals; each point's full outputs are under points/.",
			 npoints, varied);
		para(&d, text);
		const char **hcols = sim_xcalloc(ncols + 3, sizeof(*hcols));
		char (*hnames)[600] = sim_xcalloc(ncols + 3, sizeof(*hnames));
		hcols[0] = "point";
		hcols[1] = "values";
		for (size_t c = 0; c < ncols; c++) {
			snprintf(hnames[c], sizeof(hnames[c]), "%s.%s", cols[c][0], cols[c][1]);
			hcols[c + 2] = hnames[c];
		}
		hcols[ncols + 2] = "cost (USD)";
		table_head(&d, hcols, ncols + 3);
		char (*cells)[128] = sim_xcalloc(ncols + 3, sizeof(*cells));
		const char **cp = sim_xcalloc(ncols + 3, sizeof(*cp));
		for (size_t k = 0; k < npoints; k++) {
			snprintf(cells[0], sizeof(cells[0]), "%zu", k);
			cp[0] = cells[0];
			cp[1] = labels[k];
			for (size_t c = 0; c < ncols; c++) {
				const struct pr_metric *m = point_metric(&r[k], cols[c][0], cols[c][1]);
				snprintf(cells[c + 2], sizeof(cells[c + 2]), "%s [%s, %s]",
					 m && *m->mean_s ? m->mean_s : "-", m && *m->low_s ? m->low_s : "-",
					 m && *m->high_s ? m->high_s : "-");
				cp[c + 2] = cells[c + 2];
			}
			snprintf(cells[ncols + 2], sizeof(cells[ncols + 2]), "%s",
				 r[k].cost_s ? r[k].cost_s : "-");
			cp[ncols + 2] = cells[ncols + 2];
			table_row(&d, cp, ncols + 3);
		}
		table_end(&d);
		free(cells);
		free(cp);
		free(hcols);
		free(hnames);
		plots_section(&d, dir, plots, nplots, dr->no_gnuplot);
		rc = docs_close(dr, &d, mdpath, htmlpath);
	}
	int e = errno;
	free(plots);
	free(names);
	free(titles);
	free(mean);
	free(lo);
	free(hi);
	errno = e;
	return rc;
}
