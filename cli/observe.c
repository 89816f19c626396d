/* observe.c - measured series bound to a scenario's simulated ones (see
 * observe.h). */
#include "cli/observe.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include "cli/cli.h"
#include "sim/alloc.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "sim/text.h"

void observe_push(char ***v, size_t *n, const char *arg)
{
	*v = sim_xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = sim_xstrdup(arg);
}

/* What the scenario's models record: every (resource, metric, kind). */
struct listing {
	struct track *v;
	size_t n;
};

static void list_one(void *ctx, const struct sim_sample *x)
{
	struct listing *l = ctx;
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].resource, x->resource) && !strcmp(l->v[i].metric, x->metric))
			return;
	l->v = sim_xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct track){ sim_xstrdup(x->resource), sim_xstrdup(x->metric),
				       x->kind, NULL, NULL };
}

static void tracks_free(struct track *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].resource);
		free(v[i].metric);
		free(v[i].v);
		free(v[i].w);
	}
	free(v);
}

static const char *kind_name(int kind)
{
	return kind == SIM_SERIES_COUNT ? "a count of events per sample"
	       : kind == SIM_SERIES_MEAN ? "a mean over the events of each sample"
					 : "a level";
}

/* Whether statistic stat applies to a series of this kind; else the
 * statistics that do, in *ok. */
static bool stat_fits(int kind, int stat, const char **ok)
{
	switch (kind) {
	case SIM_SERIES_COUNT:
		*ok = "Sum";
		return stat == OBS_STAT_SUM;
	case SIM_SERIES_MEAN:
		*ok = "Average, Sum or SampleCount";
		return stat == OBS_STAT_AVERAGE || stat == OBS_STAT_SUM ||
		       stat == OBS_STAT_SAMPLECOUNT;
	default:
		*ok = "Average, Maximum, Minimum or pNN";
		return stat == OBS_STAT_AVERAGE || stat == OBS_STAT_MAXIMUM ||
		       stat == OBS_STAT_MINIMUM || stat == OBS_STAT_PERCENTILE;
	}
}

/* The track of (resource, metric) in ob, added from the listing. */
static size_t use_track(struct observe *ob, const struct track *t)
{
	for (size_t i = 0; i < ob->ntr; i++)
		if (!strcmp(ob->tr[i].resource, t->resource) && !strcmp(ob->tr[i].metric, t->metric))
			return i;
	ob->tr = sim_xrealloc(ob->tr, (ob->ntr + 1) * sizeof(*ob->tr));
	ob->tr[ob->ntr] = (struct track){ sim_xstrdup(t->resource), sim_xstrdup(t->metric),
					  t->kind, NULL, NULL };
	return ob->ntr++;
}

/* Parses RESOURCE.METRIC[:STAT] against the listing: the track's index in
 * l and the statistic (OBS_STAT_UNSTATED when none); -1 after a message
 * naming `what`. */
static long parse_spec(const char *spec, const struct listing *l, const char *what,
		       int *stat, double *pct)
{
	char buf[600];
	snprintf(buf, sizeof(buf), "%s", spec);
	*stat = OBS_STAT_UNSTATED;
	*pct = 0;
	char *colon = strrchr(buf, ':');
	if (colon && !strchr(colon, '}')) {
		if (obs_parse_stat(colon + 1, stat, pct)) {
			sim_text_fprintf(stderr, "spillway: %s: '%s' is not a statistic (Sum, Average, Maximum, Minimum, SampleCount or pNN such as p99)\n",
					 what, colon + 1);
			return -1;
		}
		*colon = 0;
	}
	char *dot = strchr(buf, '.');
	if (!dot) {
		sim_text_fprintf(stderr, "spillway: %s: expected RESOURCE.METRIC[:STAT], e.g. orders-queue.NumberOfMessagesSent:Sum\n",
				 what);
		return -1;
	}
	*dot = 0;
	const char *res = buf, *met = dot + 1;
	bool res_known = false;
	for (size_t i = 0; i < l->n; i++) {
		if (strcmp(l->v[i].resource, res))
			continue;
		res_known = true;
		if (!strcmp(l->v[i].metric, met))
			return (long)i;
	}
	const char **names = sim_xcalloc(l->n + 1, sizeof(*names));
	size_t k = 0;
	for (size_t i = 0; i < l->n; i++)
		if (res_known ? !strcmp(l->v[i].resource, res) : (i == 0 || strcmp(l->v[i].resource, l->v[i - 1].resource)))
			names[k++] = res_known ? l->v[i].metric : l->v[i].resource;
	const char *hint = diag_suggest(res_known ? met : res, names);
	sim_text_fprintf(stderr, "spillway: %s: the scenario %s '%s'%s%s%s\n", what,
			 res_known ? "records no metric" : "has no resource",
			 res_known ? met : res, hint ? " (did you mean '" : "",
			 hint ? hint : "", hint ? "'?)" : "");
	free(names);
	return -1;
}

static bool listed(char *const *v, size_t n, const char *id, size_t *at)
{
	for (size_t i = 0; i < n; i++) {
		const char *eq = strchr(v[i], '=');
		size_t len = eq ? (size_t)(eq - v[i]) : strlen(v[i]);
		if (strlen(id) == len && !strncmp(v[i], id, len)) {
			if (at)
				*at = i;
			return true;
		}
	}
	return false;
}

/* Fills b's name, unit and statistic checks; false after a message. */
static bool finish_bound(struct observe *ob, struct bound *b, const char *where)
{
	const struct track *t = &ob->tr[b->track];
	if (b->stat == OBS_STAT_UNSTATED) {
		b->stat = t->kind == SIM_SERIES_COUNT ? OBS_STAT_SUM : OBS_STAT_AVERAGE;
		b->assumed = true;
	}
	const char *ok;
	char sn[32];
	obs_stat_name(b->stat, b->percentile, sn, sizeof(sn));
	if (!stat_fits(t->kind, b->stat, &ok)) {
		sim_text_fprintf(stderr, "spillway: %s: %s.%s is %s; its %s cannot be simulated (use %s)\n",
				 where, t->resource, t->metric, kind_name(t->kind), sn, ok);
		return false;
	}
	snprintf(b->name, sizeof(b->name), "%s.%s:%s", t->resource, t->metric, sn);
	snprintf(b->unit, sizeof(b->unit), "%s per %g s", sn, b->period);
	return true;
}

/* The sample interval for the bound periods: 0 after a message. */
static double choose_interval(const struct observe *ob)
{
	double pmin = INFINITY;
	bool minutes = true;
	for (size_t i = 0; i < ob->nb; i++) {
		double p = ob->b[i].period;
		pmin = fmin(pmin, p);
		minutes = minutes && fabs(p / 60 - round(p / 60)) < 1e-9;
	}
	double d = minutes ? 60 : pmin;
	for (size_t i = 0; i < ob->nb; i++) {
		double r = ob->b[i].period / d;
		if (fabs(r - round(r)) > 1e-6) {
			sim_text_fprintf(stderr, "spillway: %s: series %s has a period of %g s, not a multiple of %g s (the other series' period); compare them separately\n",
					 ob->obs.file ? ob->obs.file : "export", ob->b[i].name,
					 ob->b[i].period, d);
			return 0;
		}
	}
	return d;
}

int observe_open(struct observe *ob, const struct observe_opts *o,
		 const struct scenario *scn)
{
	*ob = (struct observe){ 0 };
	struct diag d;
	diag_init(&d);
	int rc = obs_load(&ob->obs, o->file, &d);
	diag_print(&d, stderr);
	diag_finish(&d);
	if (rc)
		return EXIT_INPUT;
	ob->loaded = true;
	ob->t0 = ob->obs.t0;
	struct listing l = { 0 };
	if (sim_run_each_series(scn, list_one, &l)) {
		sim_text_fprintf(stderr, "spillway: %s: the scenario does not link\n", scn->doc.file);
		return EXIT_INPUT;
	}
	rc = 0;
	for (size_t i = 0; i < o->n_maps && !rc; i++) {
		const char *eq = strchr(o->maps[i], '=');
		char id[300];
		snprintf(id, sizeof(id), "%.*s", eq ? (int)(eq - o->maps[i]) : 0, o->maps[i]);
		if (!eq || !obs_find_id(&ob->obs, id)) {
			sim_text_fprintf(stderr, eq ? "spillway: --map %s: %s has no series with Id '%s'\n"
						    : "spillway: --map %s: expected ID=RESOURCE.METRIC[:STAT]\n",
					 o->maps[i], o->file, id);
			rc = EXIT_INPUT;
		}
	}
	for (size_t i = 0; i < o->n_skips && !rc; i++) {
		if (!obs_find_id(&ob->obs, o->skips[i])) {
			sim_text_fprintf(stderr, "spillway: --skip %s: %s has no series with that Id\n",
					 o->skips[i], o->file);
			rc = EXIT_INPUT;
		}
	}
	double pmin = 0;
	for (size_t i = 0; i < ob->obs.n; i++)
		if (ob->obs.s[i].period > 0 && (pmin == 0 || ob->obs.s[i].period < pmin))
			pmin = ob->obs.s[i].period;
	for (size_t i = 0; i < ob->obs.n && !rc; i++) {
		const struct obs_series *s = &ob->obs.s[i];
		if (listed(o->skips, o->n_skips, s->id, NULL))
			continue;
		char where[600];
		snprintf(where, sizeof(where), "%s: series '%s' (Label '%s')", o->file, s->id,
			 s->label ? s->label : "");
		struct bound b = { .s = s, .stat = s->stat, .percentile = s->percentile,
				   .period = s->period > 0 ? s->period : pmin };
		size_t at;
		long t = -1;
		if (listed(o->maps, o->n_maps, s->id, &at)) {
			int st;
			double pct;
			t = parse_spec(strchr(o->maps[at], '=') + 1, &l, where, &st, &pct);
			if (t >= 0 && st != OBS_STAT_UNSTATED) {
				b.stat = st;
				b.percentile = pct;
			}
		} else {
			size_t hits = 0;
			for (size_t k = 0; k < l.n; k++) {
				if (!obs_match(s, l.v[k].resource, l.v[k].metric))
					continue;
				if (hits++ == 0)
					t = (long)k;
				else if (hits == 2)
					sim_text_fprintf(stderr, "spillway: %s names more than one simulated series: %s.%s and %s.%s; say which with --map %s=RESOURCE.METRIC\n",
							 where, l.v[t].resource, l.v[t].metric,
							 l.v[k].resource, l.v[k].metric, s->id);
			}
			/* A label that names a metric only (CloudWatch's default
			 * label is the metric's name): the one resource that
			 * records it. */
			for (size_t k = 0; hits == 0 && k < l.n; k++) {
				bool named = false;
				for (size_t w = 0; w < s->n_words && !named; w++)
					named = !strcmp(s->words[w], l.v[k].metric);
				if (!named)
					continue;
				size_t others = 0;
				for (size_t q = 0; q < l.n; q++)
					others += q != k && !strcmp(l.v[q].metric, l.v[k].metric);
				if (others == 0) {
					hits = 1;
					t = (long)k;
					b.inferred = true;
				}
			}
			char who[300] = "";
			for (size_t k = 0; hits == 0 && k < l.n; k++)
				for (size_t w = 0; w < s->n_words; w++)
					if (!strcmp(s->words[w], l.v[k].metric) &&
					    strlen(who) + strlen(l.v[k].resource) + 3 < sizeof(who))
						snprintf(who + strlen(who), sizeof(who) - strlen(who),
							 "%s%s", *who ? ", " : "", l.v[k].resource);
			if (hits == 0 && *who)
				sim_text_fprintf(stderr, "spillway: %s: the label names a metric but no resource, and several record it (%s); name one in the label or with --map %s=RESOURCE.METRIC[:STAT]\n",
						 where, who, s->id);
			else if (hits == 0)
				sim_text_fprintf(stderr, "spillway: %s: unknown label: it names no resource and metric of the scenario (label words: a resource name or Dimension=NAME, and a metric it records, e.g. 'orders-queue NumberOfMessagesSent Sum'); map it with --map %s=RESOURCE.METRIC[:STAT] or leave it out with --skip %s\n",
						 where, s->id, s->id);
			if (hits != 1)
				t = -1;
		}
		if (t < 0) {
			rc = EXIT_INPUT;
			break;
		}
		if (!(b.period > 0)) {
			sim_text_fprintf(stderr, "spillway: %s: one point and no other series to take a period from\n",
					 where);
			rc = EXIT_INPUT;
			break;
		}
		b.track = use_track(ob, &l.v[t]);
		if (!finish_bound(ob, &b, where)) {
			rc = EXIT_INPUT;
			break;
		}
		b.n = s->n;
		b.y = s->v;
		b.t = sim_xcalloc(s->n ? s->n : 1, sizeof(*b.t));
		for (size_t k = 0; k < s->n; k++)
			b.t[k] = s->t[k] - ob->t0;
		ob->b = sim_xrealloc(ob->b, (ob->nb + 1) * sizeof(*ob->b));
		ob->b[ob->nb++] = b;
	}
	tracks_free(l.v, l.n);
	if (!rc && ob->nb == 0) {
		sim_text_fprintf(stderr, "spillway: %s: no series left to compare\n", o->file);
		rc = EXIT_INPUT;
	}
	if (!rc) {
		ob->interval = choose_interval(ob);
		if (ob->interval <= 0)
			rc = EXIT_INPUT;
	}
	if (!rc) {
		for (size_t i = 0; i < ob->nb; i++)
			for (size_t k = 0; k < ob->b[i].n; k++)
				ob->window = fmax(ob->window, ob->b[i].t[k] + ob->b[i].period);
		ob->samples = (size_t)llround(ob->window / ob->interval) + 1;
	}
	return rc;
}

int observe_open_grid(struct observe *ob, char *const *specs, size_t n,
		      const struct scenario *scn, double period, double window,
		      double t0)
{
	*ob = (struct observe){ .t0 = t0 };
	struct listing l = { 0 };
	if (sim_run_each_series(scn, list_one, &l)) {
		sim_text_fprintf(stderr, "spillway: %s: the scenario does not link\n", scn->doc.file);
		return EXIT_INPUT;
	}
	int rc = 0;
	size_t points = (size_t)floor(window / period + 1e-9);
	for (size_t i = 0; i < (n ? n : l.n) && !rc; i++) {
		struct bound b = { .period = period };
		long t;
		char where[700];
		if (n) {
			snprintf(where, sizeof(where), "--series %s", specs[i]);
			t = parse_spec(specs[i], &l, where, &b.stat, &b.percentile);
		} else {
			t = (long)i;
			snprintf(where, sizeof(where), "%s.%s", l.v[i].resource, l.v[i].metric);
		}
		if (t < 0) {
			rc = EXIT_INPUT;
			break;
		}
		b.track = use_track(ob, &l.v[t]);
		if (!finish_bound(ob, &b, where)) {
			rc = EXIT_INPUT;
			break;
		}
		b.n = points;
		b.t = sim_xcalloc(points ? points : 1, sizeof(*b.t));
		for (size_t k = 0; k < points; k++)
			b.t[k] = (double)k * period;
		ob->b = sim_xrealloc(ob->b, (ob->nb + 1) * sizeof(*ob->b));
		ob->b[ob->nb++] = b;
	}
	tracks_free(l.v, l.n);
	if (!rc) {
		ob->interval = choose_interval(ob);
		if (ob->interval <= 0)
			rc = EXIT_INPUT;
		ob->window = (double)points * period;
		ob->samples = (size_t)llround(ob->window / ob->interval) + 1;
	}
	return rc;
}

void observe_sets(const struct observe *ob, char sets[3][64])
{
	snprintf(sets[0], 64, "duration=%.9gs", ob->window);
	snprintf(sets[1], 64, "sample_interval=%.9gs", ob->interval);
	snprintf(sets[2], 64, "warmup=0s");
}

/* The capture: every sample of a track into its arrays. */
static void take(void *ctx, const struct sim_sample *x)
{
	struct observe *ob = ctx;
	double k = round(sim_time_to_s(x->t) / ob->interval);
	if (k < 0 || k >= (double)ob->samples || x->replication >= ob->reps)
		return;
	for (size_t i = 0; i < ob->ntr; i++) {
		struct track *t = &ob->tr[i];
		if (strcmp(t->metric, x->metric) || strcmp(t->resource, x->resource))
			continue;
		size_t at = x->replication * ob->samples + (size_t)k;
		t->v[at] = x->value;
		t->w[at] = x->weight;
		return;
	}
}

/* The statistic of bound b over replication r's samples for point i. */
static double aggregate(const struct observe *ob, const struct bound *b, size_t r,
			size_t i, double *scratch)
{
	const struct track *t = &ob->tr[b->track];
	long first = lround(b->t[i] / ob->interval);
	long m = lround(b->period / ob->interval);
	/* A level: the samples inside [T, T+P); a count or mean: those
	 * closing the intervals of (T, T+P]. */
	if (t->kind != SIM_SERIES_LEVEL)
		first++;
	if (first < 0 || first + m > (long)ob->samples)
		return NAN;
	const double *v = t->v + r * ob->samples + first;
	const double *w = t->w + r * ob->samples + first;
	double acc = 0, wsum = 0, lo = INFINITY, hi = -INFINITY;
	size_t k = 0;
	for (long j = 0; j < m; j++) {
		if (!isfinite(v[j]))
			continue;
		if (t->kind == SIM_SERIES_MEAN) {
			acc += v[j] * w[j];
			wsum += w[j];
			continue;
		}
		acc += v[j];
		lo = fmin(lo, v[j]);
		hi = fmax(hi, v[j]);
		scratch[k++] = v[j];
	}
	switch (b->stat) {
	case OBS_STAT_SUM:
		return acc;
	case OBS_STAT_SAMPLECOUNT:
		return wsum;
	case OBS_STAT_AVERAGE:
		if (t->kind == SIM_SERIES_MEAN)
			return wsum > 0 ? acc / wsum : NAN;
		return k ? acc / (double)k : NAN;
	case OBS_STAT_MAXIMUM:
		return k ? hi : NAN;
	case OBS_STAT_MINIMUM:
		return k ? lo : NAN;
	case OBS_STAT_PERCENTILE:
		if (!k)
			return NAN;
		gsl_sort(scratch, 1, k);
		return gsl_stats_quantile_from_sorted_data(scratch, 1, k, b->percentile / 100);
	}
	return NAN;
}

int observe_run(struct observe *ob, const struct scenario *scn, size_t reps)
{
	ob->reps = reps;
	size_t cells = reps * ob->samples;
	for (size_t i = 0; i < ob->ntr; i++) {
		struct track *t = &ob->tr[i];
		free(t->v);
		free(t->w);
		t->v = sim_xcalloc(cells, sizeof(*t->v));
		t->w = sim_xcalloc(cells, sizeof(*t->w));
		for (size_t k = 0; k < cells; k++)
			t->v[k] = NAN;
	}
	struct scenario *s = (struct scenario *)scn;
	s->replications = (int64_t)reps;
	struct sim_run_options opt = { .capture = take, .capture_ctx = ob,
				       .interrupt = &cli_signal };
	struct diag d;
	diag_init(&d);
	struct sim_outcome out;
	int rc = sim_run_scenario(scn, &opt, &d, &out);
	sim_outcome_finish(&out);
	diag_print(&d, stderr);
	diag_finish(&d);
	if (rc)
		return rc;
	long most = lround(ob->window / ob->interval) + 1;
	double *scratch = sim_xcalloc((size_t)most, sizeof(*scratch));
	for (size_t i = 0; i < ob->nb; i++) {
		struct bound *b = &ob->b[i];
		free(b->sim);
		b->sim = sim_xcalloc(reps * (b->n ? b->n : 1), sizeof(*b->sim));
		for (size_t r = 0; r < reps; r++)
			for (size_t k = 0; k < b->n; k++)
				b->sim[r * b->n + k] = aggregate(ob, b, r, k, scratch);
	}
	free(scratch);
	return 0;
}

void observe_compared(const struct observe *ob, size_t i, struct rpt_compared *c)
{
	const struct bound *b = &ob->b[i];
	*c = (struct rpt_compared){ .name = b->name, .id = b->s ? b->s->id : b->name,
				    .unit = b->unit, .t0 = ob->t0, .period = b->period,
				    .n = b->n, .t = b->t, .y = b->y, .reps = ob->reps,
				    .sim = b->sim };
}

void observe_finish(struct observe *ob)
{
	for (size_t i = 0; i < ob->nb; i++) {
		free(ob->b[i].t);
		free(ob->b[i].sim);
	}
	free(ob->b);
	tracks_free(ob->tr, ob->ntr);
	if (ob->loaded)
		obs_finish(&ob->obs);
	*ob = (struct observe){ 0 };
}
