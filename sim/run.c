/* run.c - the replication driver, the recorder and the result tables. */
#include "sim/run.h"

#include "sim/alloc.h"
#include "sim/csv.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Recorder ------------------------------------------------------------------ */

/* Appends the decimal digits of v to p; returns the new end. */
static char *put_u64(char *p, uint64_t v)
{
	char tmp[24];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*p++ = tmp[--n];
	return p;
}

static void record(struct sim_recorder *rec, sim_time_t t, const char *resource,
		   const char *metric, double value, double weight, int kind)
{
	if (rec->capture) {
		struct sim_sample x = { t, rec->replication, resource, metric,
					value, weight, kind };
		rec->capture(rec->capture_ctx, &x);
		return;
	}
	if (!rec->f || (kind == SIM_SERIES_MEAN && !(weight > 0)))
		return;
	/* Rows are formatted by hand: printf of a double dominated the cost
	 * of sampling. Times are whole nanoseconds (written exactly with nine
	 * decimals); values that are whole numbers (counts, levels) are
	 * written as integers, others with %.10g. Names go through the CSV
	 * writer's quoting and guard (sim/csv.h); a name longer than 200
	 * bytes (none is: the loader keeps them short) is cut. */
	char buf[2 * SIM_CSV_CELL_MAX(200) + 96], *p = buf;
	size_t lr = strlen(resource), lm = strlen(metric);
	lr = lr > 200 ? 200 : lr;
	lm = lm > 200 ? 200 : lm;
	p = put_u64(p, (uint64_t)(t / SIM_S));
	*p++ = '.';
	char frac[10];
	uint64_t ns = (uint64_t)(t % SIM_S);
	for (int i = 8; i >= 0; i--, ns /= 10)
		frac[i] = (char)('0' + ns % 10);
	memcpy(p, frac, 9);
	p += 9;
	*p++ = ',';
	p = put_u64(p, rec->replication);
	*p++ = ',';
	p = sim_csv_cell_put(p, resource, lr);
	*p++ = ',';
	p = sim_csv_cell_put(p, metric, lm);
	*p++ = ',';
	if (value == floor(value) && fabs(value) < 1e15) {
		if (value < 0) {
			*p++ = '-';
			value = -value;
		}
		p = put_u64(p, (uint64_t)value);
	} else {
		p += snprintf(p, 32, "%.10g", value);
	}
	*p++ = '\n';
	if (fwrite(buf, 1, (size_t)(p - buf), rec->f) != (size_t)(p - buf) &&
	    !rec->error)
		rec->error = errno ? errno : EIO;
}

void sim_recorder_put(struct sim_recorder *rec, sim_time_t t,
		      const char *resource, const char *metric, double value)
{
	record(rec, t, resource, metric, value, 1, SIM_SERIES_LEVEL);
}

void sim_recorder_count(struct sim_recorder *rec, sim_time_t t,
			const char *resource, const char *metric, double count)
{
	record(rec, t, resource, metric, count, 1, SIM_SERIES_COUNT);
}

void sim_recorder_mean(struct sim_recorder *rec, sim_time_t t,
		       const char *resource, const char *metric, double mean,
		       double n)
{
	record(rec, t, resource, metric, mean, n, SIM_SERIES_MEAN);
}

/* Results ------------------------------------------------------------------- */

const struct sim_metric *sim_results_find(const struct sim_results *res,
					  const char *resource,
					  const char *metric)
{
	for (size_t i = 0; i < res->n; i++)
		if (!strcmp(res->v[i].resource, resource) &&
		    !strcmp(res->v[i].metric, metric))
			return &res->v[i];
	return NULL;
}

void sim_results_put(struct sim_results *res, const char *resource,
		     const char *metric, const char *unit, double value)
{
	struct sim_metric *m = (struct sim_metric *)sim_results_find(res, resource, metric);
	if (!m) {
		if (res->n == res->cap) {
			res->cap = res->cap ? res->cap * 2 : 32;
			res->v = sim_xrealloc(res->v, res->cap * sizeof(*res->v));
		}
		m = &res->v[res->n++];
		m->resource = sim_xstrdup(resource);
		m->metric = sim_xstrdup(metric);
		m->unit = unit;
		m->values = sim_xrealloc(NULL, res->replications * sizeof(double));
		for (size_t i = 0; i < res->replications; i++)
			m->values[i] = NAN;
		m->service = NULL;
		m->price_key = NULL;
	}
	m->values[res->current] = value;
}

void sim_results_meter(struct sim_results *res, const char *resource,
		       const char *service, const char *dimension,
		       const char *unit, const char *price_key, double quantity)
{
	sim_results_put(res, resource, dimension, unit, quantity);
	struct sim_metric *m =
		(struct sim_metric *)sim_results_find(res, resource, dimension);
	m->service = service;
	m->price_key = price_key;
}

void sim_metric_ci(const struct sim_metric *m, size_t replications,
		   struct sim_ci *ci)
{
	double *v = sim_xrealloc(NULL, (replications ? replications : 1) * sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < replications; i++)
		if (!isnan(m->values[i]))
			v[n++] = m->values[i];
	sim_ci_t95(v, n, ci);
	free(v);
}

void sim_results_finish(struct sim_results *res)
{
	for (size_t i = 0; i < res->n; i++) {
		free(res->v[i].resource);
		free(res->v[i].metric);
		free(res->v[i].values);
	}
	free(res->v);
	*res = (struct sim_results){ 0 };
}

/* Tenants ------------------------------------------------------------------- */

void sim_run_delivered(struct sim_run *run, const struct sim_msg *msg)
{
	struct sim_tenant_stats *t = &run->tstats[msg->tenant];
	uint64_t w = sim_msg_weight(msg);
	t->delivered += w;
	if (run->measuring)
		sim_hist_add_n(&t->dwell, sim_time_to_s(run->sim.now - msg->sent_at), w);
}

void sim_run_rejected(struct sim_run *run, const struct sim_msg *msg)
{
	run->tstats[msg->tenant].rejected += sim_msg_weight(msg);
}

void sim_run_failed(struct sim_run *run, const struct sim_msg *msg)
{
	run->tstats[msg->tenant].failed += sim_msg_weight(msg);
}

void sim_run_fail(struct sim_run *run, const char *fmt, ...)
{
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (!run->failed)
		diag_error(run->diag, NULL, 0, 0,
			   "replication %u, t=%.9fs, seed %lld: %s",
			   run->replication, sim_time_to_s(run->sim.now),
			   (long long)run->scn->seed, msg);
	run->failed = true;
	sim_stop(&run->sim);
}

void sim_run_adopt(struct sim_run *run, struct model *m,
		   const struct model_ops *ops, const char *name)
{
	if (!m)
		sim_out_of_memory(0);
	m->ops = ops;
	m->name = name;
	m->node = NULL;
	m->owner = NULL;
	m->index = (unsigned)(run->n_resources + run->n_peers + run->n_implicit);
	m->run = run;
	run->implicit = sim_xrealloc(run->implicit,
				     (run->n_implicit + 1) * sizeof(*run->implicit));
	run->implicit[run->n_implicit++] = m;
}

bool sim_run_peer_route(struct model *owner, size_t i, struct model_route *r)
{
	struct sim_run *run = owner->run;
	for (size_t k = 0; k < run->n_peers; k++) {
		struct model *p = run->peers[k];
		if (p->owner != owner || !p->ops->route)
			continue;
		for (size_t j = 0;; j++, i--) {
			struct model_route x = { .from = p };
			if (!p->ops->route(p, j, &x))
				break;
			if (i == 0) {
				*r = x;
				return true;
			}
		}
	}
	return false;
}

struct model *sim_run_find(const struct sim_run *run, const char *name)
{
	for (size_t i = 0; i < run->n_resources; i++)
		if (!strcmp(run->resources[i]->name, name))
			return run->resources[i];
	return NULL;
}

/* The resource `name` of type `want` ("what" in messages, e.g. "an sqs
 * queue"), or NULL after a link error at node `at` naming `path`: no such
 * resource (with the closest name of that type), or one of another type. */
struct model *sim_run_find_typed(struct sim_run *run, const struct cfg_node *at,
				  const char *path, const char *name,
				  const struct model_ops *want, const char *what)
{
	struct model *x = sim_run_find(run, name);
	if (x && x->ops == want)
		return x;
	if (x) {
		diag_error(run->diag, at->file, at->line, at->col,
			   "%s: '%s' is of type %s, not %s", path, name, x->ops->name, what);
		return NULL;
	}
	const char *h = sim_run_suggest(run, name, want);
	if (h)
		diag_error(run->diag, at->file, at->line, at->col,
			   "%s: no resource named '%s' (did you mean '%s'?)", path, name, h);
	else
		diag_error(run->diag, at->file, at->line, at->col,
			   "%s: no resource named '%s'", path, name);
	return NULL;
}

const char *sim_run_suggest(const struct sim_run *run, const char *name,
			    const struct model_ops *want)
{
	const char **names = sim_xcalloc(run->n_resources + 1, sizeof(*names));
	size_t k = 0;
	for (size_t i = 0; i < run->n_resources; i++)
		if (!want || run->resources[i]->ops == want)
			names[k++] = run->resources[i]->name;
	const char *h = diag_suggest(name, names);
	free(names);
	return h;
}

/* The driver ----------------------------------------------------------------- */

struct driver {
	struct sim_run run;
	struct sim_recorder rec;
	sim_time_t interval;
	sim_time_t duration;
	bool progress;
	struct diag *diag; /* where link problems and broken invariants go */
	double started;   /* wall clock at the start of the run */
	double last_print;/* wall clock of the last progress line */
	size_t replications;
	uint64_t progress_mark; /* the tenants' outcomes at the last stall check */
};

static double wall_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* The stall watch ------------------------------------------------------------ */

/* Events at one instant with no message sent, delivered, refused, failed,
 * dead-lettered or expired, before the run is judged stuck. Far beyond
 * what a legitimate instant takes (a burst of a million messages at one
 * instant sends one with every few events), so only a loop with no delay
 * in it gets there: a failure queue feeding its own pipe with a zero
 * execution time, pollers with no wait. */
#define STALL_EVENTS 1000000
/* Events watched to see which resources the loop runs through. */
#define STALL_WATCH 65536

/* One sampled value, as the resources report it. */
struct sampled {
	const char *resource; /* the model's name (scenario-owned) */
	char *metric;         /* owned */
	double value;
};

struct samples {
	struct sampled *v;
	size_t n, cap;
};

static void capture(void *ctx, const struct sim_sample *y)
{
	struct samples *x = ctx;
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 64;
		x->v = sim_xrealloc(x->v, x->cap * sizeof(*x->v));
	}
	x->v[x->n++] = (struct sampled){ y->resource, sim_xstrdup(y->metric), y->value };
}

/* Every resource's sample (and the tenants', with tenants), to fn. */
static void sample_each(struct sim_run *run, bool tenants,
			void (*fn)(void *ctx, const struct sim_sample *x), void *ctx)
{
	struct sim_recorder rec = { .capture = fn, .capture_ctx = ctx };
	size_t n = run->n_order + run->n_implicit + (tenants ? run->n_tenants : 0);
	for (size_t i = 0; i < n; i++) {
		struct model *m = i < run->n_order ? run->order[i]
				: i < run->n_order + run->n_implicit
					? run->implicit[i - run->n_order]
					: run->tenants[i - run->n_order - run->n_implicit];
		if (m->ops->sample)
			m->ops->sample(m, &run->sim, &rec);
	}
}

/* Every resource's sample (and the tenants', with tenants), into x. */
static void sample_all(struct sim_run *run, struct samples *x, bool tenants)
{
	sample_each(run, tenants, capture, x);
}

static void samples_free(struct samples *x)
{
	for (size_t i = 0; i < x->n; i++)
		free(x->v[i].metric);
	free(x->v);
}

/* Every message outcome of the tenants so far. */
static uint64_t outcomes(const struct sim_run *run)
{
	uint64_t n = 0;
	for (size_t i = 0; i < run->n_tenants; i++) {
		const struct sim_tenant_stats *t = &run->tstats[i];
		n += t->sent + t->delivered + t->rejected + t->failed +
		     t->dead_lettered + t->expired;
	}
	return n;
}

/* sim's on_stall: the clock has stood still for `events`. While messages
 * still come and go, the watch goes on; when none has for STALL_EVENTS,
 * the run fails, naming the resources whose samples change over
 * STALL_WATCH more events while the clock stands still. */
static uint64_t on_stall(struct sim *s, void *ctx, uint64_t events)
{
	struct driver *dr = ctx;
	uint64_t now = outcomes(&dr->run);
	if (now != dr->progress_mark) {
		dr->progress_mark = now;
		return events + STALL_EVENTS;
	}
	struct samples a = { 0 }, b = { 0 };
	sample_all(&dr->run, &a, false);
	sim_time_t at = s->now;
	for (int i = 0; i < STALL_WATCH && s->n && s->heap[0].at == at; i++)
		sim_step(s);
	sample_all(&dr->run, &b, false);
	/* Busy: a sampled value that changed (and is not zero); then the
	 * resources at either end of a busy resource's routes (a state
	 * machine that samples only its running executions, say). */
	struct sim_run *run = &dr->run;
	size_t n = run->n_resources;
	const char **why = sim_xcalloc(n ? n : 1, sizeof(*why));
	for (size_t i = 0; i < b.n; i++) {
		const struct sampled *y = &b.v[i];
		if (y->value == 0 || !isfinite(y->value))
			continue;
		bool changed = true;
		for (size_t j = 0; j < a.n && changed; j++)
			if (a.v[j].resource == y->resource && !strcmp(a.v[j].metric, y->metric))
				changed = a.v[j].value != y->value;
		for (size_t k = 0; changed && k < n; k++)
			if (run->resources[k]->name == y->resource && !why[k])
				why[k] = y->metric;
	}
	bool *busy = sim_xcalloc(n ? n : 1, sizeof(*busy));
	for (size_t k = 0; k < n; k++)
		busy[k] = why[k] != NULL;
	for (size_t k = 0; k < n; k++) {
		struct model *m = run->resources[k];
		for (size_t i = 0; m->ops->route; i++) {
			struct model_route r = { .from = m };
			if (!m->ops->route(m, i, &r))
				break;
			bool in = r.from && r.from->index < n && run->resources[r.from->index] == r.from;
			bool out = r.to && r.to->index < n && run->resources[r.to->index] == r.to;
			if (in && out && (why[k] || why[r.from->index]))
				busy[r.from->index] = busy[r.to->index] = true;
		}
	}
	char names[400] = "";
	size_t named = 0;
	for (size_t k = 0; k < n; k++) {
		if (!busy[k])
			continue;
		size_t len = strlen(names);
		if (named < 8 && why[k])
			snprintf(names + len, sizeof(names) - len, "%s'%s' (%s)",
				 named ? ", " : "", run->resources[k]->name, why[k]);
		else if (named < 8)
			snprintf(names + len, sizeof(names) - len, "%s'%s'",
				 named ? ", " : "", run->resources[k]->name);
		named++;
	}
	free(busy);
	free(why);
	samples_free(&a);
	samples_free(&b);
	sim_run_fail(&dr->run, "no progress in simulated time: %llu events at this instant "
		     "without a message sent, delivered or lost; %s%s%s. A loop with no delay "
		     "in it (a zero execution or processing time, failures sent back to their "
		     "own source, a poll with no wait) never lets the clock move",
		     (unsigned long long)(events + STALL_WATCH),
		     named ? "the resources busy meanwhile: " : "no resource's samples changed",
		     names, named > 8 ? ", ..." : "");
	return 0;
}

void sim_run_sample_size(const struct scenario *scn, size_t *rows, double *bytes)
{
	struct diag d;
	diag_init(&d);
	struct sim_run run;
	struct samples x = { 0 };
	*rows = 0;
	*bytes = 0;
	if (sim_run_open(&run, scn, 0, &d) == 0) {
		sim_run_start(&run, false);
		sample_all(&run, &x, true);
		/* A row: time with nine decimals (up to 19 characters), the
		 * replication, the names, a value (up to 17), separators. */
		for (size_t i = 0; i < x.n; i++)
			*bytes += 19.0 + 6 + 17 + 5 + (double)strlen(x.v[i].resource) +
				  (double)strlen(x.v[i].metric);
		*rows = x.n;
	}
	samples_free(&x);
	sim_run_close(&run);
	diag_finish(&d);
}

int sim_run_each_series(const struct scenario *scn,
			void (*fn)(void *ctx, const struct sim_sample *x), void *ctx)
{
	struct diag d;
	diag_init(&d);
	struct sim_run run;
	int rc = sim_run_open(&run, scn, 0, &d);
	if (rc == 0) {
		sim_run_start(&run, false);
		sample_each(&run, true, fn, ctx);
	}
	sim_run_close(&run);
	diag_finish(&d);
	return rc;
}

static void on_sample(struct sim *s, void *target, uint64_t arg)
{
	struct driver *dr = target;
	(void)arg;
	for (size_t i = 0; i < dr->run.n_order; i++) {
		struct model *m = dr->run.order[i];
		if (m->ops->sample)
			m->ops->sample(m, s, &dr->rec);
	}
	for (size_t i = 0; i < dr->run.n_implicit; i++) {
		struct model *m = dr->run.implicit[i];
		if (m->ops->sample)
			m->ops->sample(m, s, &dr->rec);
	}
	for (size_t i = 0; i < dr->run.n_tenants; i++) {
		struct model *m = dr->run.tenants[i];
		if (m->ops->sample)
			m->ops->sample(m, s, &dr->rec);
	}
	if (s->now <= dr->duration - dr->interval)
		sim_schedule_in(s, dr->interval, on_sample, dr, 0);
}

static void restart_stats(struct driver *dr)
{
	struct sim_run *run = &dr->run;
	run->measuring = true;
	for (size_t i = 0; i < run->n_order; i++)
		if (run->order[i]->ops->restart)
			run->order[i]->ops->restart(run->order[i], &run->sim);
	for (size_t i = 0; i < run->n_implicit; i++)
		if (run->implicit[i]->ops->restart)
			run->implicit[i]->ops->restart(run->implicit[i], &run->sim);
	for (size_t i = 0; i < run->n_tenants; i++) {
		if (run->tenants[i]->ops->restart)
			run->tenants[i]->ops->restart(run->tenants[i], &run->sim);
		struct sim_tenant_stats *t = &run->tstats[i];
		t->sent = t->delivered = t->rejected = t->failed = 0;
		t->dead_lettered = t->expired = 0;
		sim_hist_reset(&t->dwell);
	}
}

static void on_warmup_end(struct sim *s, void *target, uint64_t arg)
{
	(void)s;
	(void)arg;
	restart_stats(target);
}

static void print_progress(struct driver *dr, bool final)
{
	double now = wall_now();
	if (!final && now - dr->last_print < 0.25)
		return;
	dr->last_print = now;
	double frac = (double)dr->run.sim.now / (double)dr->duration;
	fprintf(stderr, "\rspillway: replication %u/%zu %5.1f%%  %.1fs elapsed%s",
		dr->run.replication + 1, dr->replications, 100 * frac,
		now - dr->started, final ? "\n" : "");
}

static void on_progress(struct sim *s, void *target, uint64_t arg)
{
	struct driver *dr = target;
	(void)arg;
	print_progress(dr, false);
	sim_time_t step = dr->duration / 200 + 1;
	if (s->now + step <= dr->duration)
		sim_schedule_in(s, step, on_progress, dr, 0);
}

static struct model *create(const struct scn_entry *e, unsigned index,
			    struct sim_run *run)
{
	struct model *m = e->ops->create(e->config, e->name, run);
	if (!m)
		sim_out_of_memory(e->ops->config_size);
	m->ops = e->ops;
	m->name = e->name;
	m->node = e->node;
	m->index = index;
	m->run = run;
	return m;
}

static void destroy_models(struct sim_run *run)
{
	for (size_t i = 0; i < run->n_tenants; i++)
		if (run->tenants[i])
			run->tenants[i]->ops->destroy(run->tenants[i]);
	for (size_t i = 0; i < run->n_resources; i++)
		if (run->resources[i])
			run->resources[i]->ops->destroy(run->resources[i]);
	for (size_t i = 0; i < run->n_peers; i++)
		if (run->peers[i])
			run->peers[i]->ops->destroy(run->peers[i]);
	free(run->peers);
	free(run->order);
	run->peers = run->order = NULL;
	run->n_peers = run->n_order = 0;
	for (size_t i = 0; i < run->n_implicit; i++)
		run->implicit[i]->ops->destroy(run->implicit[i]);
	free(run->implicit);
	free(run->tenants);
	free(run->resources);
	run->implicit = NULL;
	run->n_implicit = 0;
	run->tenants = NULL;
	run->resources = NULL;
}

/* Routes between resources, by the index of the resource they leave. */
struct route_graph {
	struct model_route *v; /* every route, grouped by from */
	size_t *first;         /* per resource: its routes are v[first[i]..first[i + 1]) */
};

/* Depth-first search from resource i for a route back onto the path
 * (colour 1: on the path, 2: done); stack holds the routes taken. Reports
 * the first loop found and returns true. */
static bool find_loop(struct sim_run *run, const struct route_graph *g, size_t i,
		      unsigned char *colour, const struct model_route **stack,
		      size_t depth)
{
	colour[i] = 1;
	for (size_t k = g->first[i]; k < g->first[i + 1]; k++) {
		const struct model_route *r = &g->v[k];
		size_t j = r->to->index;
		stack[depth] = r;
		if (colour[j] == 1) {
			/* The loop is the routes from the one leaving j. */
			size_t s = 0;
			while (stack[s]->from != r->to)
				s++;
			char names[512];
			snprintf(names, sizeof(names), "%s", r->to->name);
			for (size_t q = s; q <= depth; q++)
				snprintf(names + strlen(names), sizeof(names) - strlen(names),
					 " -> %s", stack[q]->to->name);
			diag_error(run->diag, r->at->file, r->at->line, r->at->col,
				   "%s: messages would go round a loop forever (%s)",
				   r->path, names);
			return true;
		}
		if (colour[j] == 0 &&
		    find_loop(run, g, j, colour, stack, depth + 1))
			return true;
	}
	colour[i] = 2;
	return false;
}

/* Refuses a cycle of routes (a topic subscribed to a function that
 * publishes back to it, two streams delivering into each other...): every
 * message on it would be passed round until the end of the run, never
 * delivered, with events growing without bound. */
static void check_loops(struct sim_run *run)
{
	size_t n = run->n_resources, nv = 0, cap = 0;
	struct route_graph g = { NULL, sim_xcalloc(n + 1, sizeof(size_t)) };
	for (size_t i = 0; i < n; i++) {
		struct model *m = run->resources[i];
		SIM_ASSERT(NULL, m->index == i);
		for (size_t k = 0; m->ops->route; k++) {
			struct model_route r = { .from = m };
			if (!m->ops->route(m, k, &r))
				break;
			/* Only routes between the scenario's resources. */
			if (!r.from || !r.to || r.from->index >= n ||
			    r.to->index >= n || run->resources[r.to->index] != r.to)
				continue;
			if (nv == cap) {
				cap = cap ? 2 * cap : 16;
				g.v = sim_xrealloc(g.v, cap * sizeof(*g.v));
			}
			g.v[nv++] = r;
		}
	}
	/* Group by the resource the route leaves (a stable counting sort). */
	struct model_route *sorted = sim_xcalloc(nv ? nv : 1, sizeof(*sorted));
	for (size_t k = 0; k < nv; k++)
		g.first[g.v[k].from->index + 1]++;
	for (size_t i = 0; i < n; i++)
		g.first[i + 1] += g.first[i];
	size_t *next = sim_xcalloc(n + 1, sizeof(*next));
	memcpy(next, g.first, (n + 1) * sizeof(*next));
	for (size_t k = 0; k < nv; k++)
		sorted[next[g.v[k].from->index]++] = g.v[k];
	free(next);
	free(g.v);
	g.v = sorted;
	unsigned char *colour = sim_xcalloc(n ? n : 1, 1);
	const struct model_route **stack = sim_xcalloc(n ? n : 1, sizeof(*stack));
	for (size_t i = 0; i < n; i++)
		if (colour[i] == 0 && find_loop(run, &g, i, colour, stack, 0))
			break;
	free(stack);
	free(colour);
	free(g.v);
	free(g.first);
}

int sim_run_open(struct sim_run *run, const struct scenario *scn, unsigned rep,
		 struct diag *d)
{
	*run = (struct sim_run){ .scn = scn, .replication = rep, .diag = d, .cohort = 1 };
	if (sim_init(&run->sim, (uint64_t)scn->seed, rep))
		sim_out_of_memory(0);
	run->n_resources = scn->n_resources;
	run->n_tenants = scn->n_tenants;
	run->tstats = sim_xcalloc(scn->n_tenants, sizeof(*run->tstats));
	run->resources = sim_xcalloc(scn->n_resources, sizeof(*run->resources));
	run->tenants = sim_xcalloc(scn->n_tenants, sizeof(*run->tenants));
	for (size_t i = 0; i < scn->n_resources; i++)
		run->resources[i] = create(&scn->resources[i], (unsigned)i, run);
	run->n_peers = scn->n_peers;
	run->peers = sim_xcalloc(scn->n_peers, sizeof(*run->peers));
	run->n_order = scn->n_resources + scn->n_peers;
	run->order = sim_xcalloc(run->n_order, sizeof(*run->order));
	for (size_t i = 0, k = 0, o = 0; i < scn->n_resources; i++) {
		run->order[o++] = run->resources[i];
		for (; k < scn->n_peers && scn->peers[k].owner == i; k++) {
			struct model *p = create(&scn->peers[k],
						 (unsigned)(scn->n_resources + k), run);
			p->owner = run->resources[i];
			run->peers[k] = run->order[o++] = p;
		}
	}
	for (size_t i = 0; i < scn->n_tenants; i++)
		run->tenants[i] = create(&scn->tenants[i], (unsigned)i, run);

	size_t before = d->errors;
	for (size_t i = 0; i < run->n_order; i++)
		if (run->order[i]->ops->link)
			run->order[i]->ops->link(run->order[i], run);
	for (size_t i = 0; i < run->n_tenants; i++)
		if (run->tenants[i]->ops->link)
			run->tenants[i]->ops->link(run->tenants[i], run);
	if (d->errors == before)
		check_loops(run);
	return d->errors == before ? SIM_RUN_OK : SIM_RUN_LINK_ERROR;
}

void sim_run_start(struct sim_run *run, bool tenants)
{
	for (size_t i = 0; i < run->n_order; i++)
		if (run->order[i]->ops->start)
			run->order[i]->ops->start(run->order[i], &run->sim);
	for (size_t i = 0; i < run->n_implicit; i++)
		if (run->implicit[i]->ops->start)
			run->implicit[i]->ops->start(run->implicit[i], &run->sim);
	for (size_t i = 0; tenants && i < run->n_tenants; i++)
		if (run->tenants[i]->ops->start)
			run->tenants[i]->ops->start(run->tenants[i], &run->sim);
}

bool sim_run_finish_models(struct sim_run *run, struct sim_results *res)
{
	res->current = run->replication;
	for (size_t i = 0; i < run->n_order; i++)
		if (run->order[i]->ops->finish)
			run->order[i]->ops->finish(run->order[i], &run->sim, res);
	for (size_t i = 0; i < run->n_implicit; i++)
		if (run->implicit[i]->ops->finish)
			run->implicit[i]->ops->finish(run->implicit[i], &run->sim, res);
	for (size_t i = 0; i < run->n_tenants; i++)
		if (run->tenants[i]->ops->finish)
			run->tenants[i]->ops->finish(run->tenants[i], &run->sim, res);
	return !run->failed;
}

void sim_run_close(struct sim_run *run)
{
	/* The event heap first: it clears the positions of pending timers,
	 * which live inside the models. */
	sim_finish(&run->sim);
	destroy_models(run);
	for (size_t i = 0; run->tstats && i < run->n_tenants; i++)
		sim_hist_finish(&run->tstats[i].dwell);
	free(run->tstats);
	run->tstats = NULL;
}

/* One replication; an enum sim_run_status. */
static int replicate(struct driver *dr, const struct scenario *scn,
		     unsigned rep, const struct sim_run_options *opt,
		     struct sim_outcome *out)
{
	struct sim_run *run = &dr->run;
	int rc = sim_run_open(run, scn, rep, dr->diag);
	dr->rec.replication = rep;
	if (rc || opt->link_only)
		goto out;
	sim_run_start(run, true);
	if (scn->warmup > 0)
		sim_schedule(&run->sim, scn->warmup, on_warmup_end, dr, 0);
	else
		run->measuring = true;
	if (dr->rec.f || dr->rec.capture)
		sim_schedule(&run->sim, 0, on_sample, dr, 0);
	if (dr->progress)
		sim_schedule(&run->sim, 0, on_progress, dr, 0);

	run->sim.interrupt = opt->interrupt;
	run->sim.stall_limit = STALL_EVENTS;
	run->sim.on_stall = on_stall;
	run->sim.stall_ctx = dr;
	dr->progress_mark = UINT64_MAX;
	sim_run_until(&run->sim, scn->duration);
	if (run->sim.full)
		sim_run_fail(run, "more than %u events pending at once, the most the engine "
			     "holds (a message each waiting on its own timer, say); lower the "
			     "load or send in cohorts (a tenant's `cohort`)", SIM_MAX_PENDING);
	if (opt->interrupt && *opt->interrupt) {
		rc = SIM_RUN_INTERRUPTED;
		goto out;
	}
	if (run->failed) {
		rc = SIM_RUN_FAILED;
		goto out;
	}
	if (dr->progress)
		print_progress(dr, rep + 1 == dr->replications);
	if (!sim_run_finish_models(run, &out->results)) {
		rc = SIM_RUN_FAILED;
		goto out;
	}
	for (size_t i = 0; i < scn->n_tenants; i++) {
		struct sim_tenant_stats *a = &out->tenants[i];
		const struct sim_tenant_stats *b = &run->tstats[i];
		a->sent += b->sent;
		a->delivered += b->delivered;
		a->rejected += b->rejected;
		a->failed += b->failed;
		a->dead_lettered += b->dead_lettered;
		a->expired += b->expired;
		sim_hist_merge(&a->dwell, &b->dwell);
	}
	out->events += run->sim.executed;
	out->ties += run->sim.ties;
	if (dr->rec.error)
		rc = SIM_RUN_WRITE_ERROR;
out:
	sim_run_close(run);
	return rc;
}

static void free_tenant_stats(struct sim_tenant_stats *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		sim_hist_finish(&t[i].dwell);
	free(t);
}

const char *sim_run_strerror(int status)
{
	switch (status) {
	case SIM_RUN_OK:
		return "success";
	case SIM_RUN_WRITE_ERROR:
		return "the time series could not be written";
	case SIM_RUN_LINK_ERROR:
		return "the scenario does not link";
	case SIM_RUN_FAILED:
		return "the simulation could not go on";
	case SIM_RUN_INTERRUPTED:
		return "interrupted by a signal";
	}
	return "unknown run status";
}

int sim_run_scenario(const struct scenario *scn,
		     const struct sim_run_options *opt, struct diag *d,
		     struct sim_outcome *out)
{
	*out = (struct sim_outcome){ 0 };
	size_t reps = opt->link_only ? 1 : (size_t)scn->replications;
	out->results.replications = reps;
	out->n_tenants = scn->n_tenants;
	out->tenants = sim_xrealloc(NULL, (scn->n_tenants ? scn->n_tenants : 1) *
					      sizeof(*out->tenants));
	struct driver *dr = sim_xrealloc(NULL, sizeof(*dr));
	*dr = (struct driver){
		.rec = { .f = opt->timeseries, .capture = opt->capture,
			 .capture_ctx = opt->capture_ctx },
		.interval = scn->sample_interval,
		.duration = scn->duration,
		.progress = opt->progress,
		.replications = reps,
	};
	dr->diag = d;
	for (size_t i = 0; i < scn->n_tenants; i++)
		out->tenants[i] = (struct sim_tenant_stats){ 0 };
	if (dr->rec.f)
		fputs("time_s,replication,resource,metric,value\n", dr->rec.f);
	double t0 = wall_now();
	dr->started = t0;
	dr->last_print = t0;
	int rc = 0;
	for (size_t r = 0; r < reps && rc == 0; r++)
		rc = replicate(dr, scn, (unsigned)r, opt, out);
	out->wall_s = wall_now() - t0;
	free(dr);
	return rc;
}

void sim_outcome_finish(struct sim_outcome *out)
{
	sim_results_finish(&out->results);
	free_tenant_stats(out->tenants, out->n_tenants);
	*out = (struct sim_outcome){ 0 };
}
