/* station.c - a plain queueing station: c servers, a FIFO waiting room and an
 * optional limit K on the number in the system (M/G/c/K in Kendall's terms).
 *
 * This is the generic model the engine is validated with: its exact results
 * are known for Poisson arrivals (Erlang C for M/M/c, the Erlang-type formula
 * for M/M/c/K, Pollaczek-Khinchine for M/D/1), so the scenarios in
 * scenarios/ compare it with queueing theory. No AWS semantics here.
 *
 * An arrival that finds K customers in the system is blocked (counted, never
 * served). Otherwise it starts service at once if a server is free, or waits
 * in FIFO order. A service time is a draw of `service` multiplied by the
 * message's work factor.
 *
 * Memory: waiting customers live in a ring buffer and customers in service in
 * a slot pool with a free list; both grow geometrically and are reused, so
 * the hot path does not allocate. Events carry the slot index.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/registry.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

struct station_config {
	int64_t servers;         /* c, or SCN_UNLIMITED for infinite */
	int64_t capacity;        /* K, or SCN_UNLIMITED for none */
	struct sim_dist service; /* service time, seconds */
};

#define F(...) SCN_FIELD(struct station_config, __VA_ARGS__)

static const struct scn_field station_fields[] = {
	F("servers", SCN_INT, SCN_F_INFINITE, 1, 1e7, "1", servers,
	  "number of servers c, or infinite"),
	F("capacity", SCN_INT, SCN_F_NONE, 1, 1e9, "none", capacity,
	  "most customers in the system (waiting + in service); arrivals beyond are blocked"),
	{ .key = "service", .kind = SCN_DIST, .flags = SCN_F_REQUIRED,
	  .min = 1, .max = 0, .unit = SIM_UNIT_DURATION,
	  .offset = offsetof(struct station_config, service),
	  .help = "service time distribution (multiplied by the tenant's work_factor)" },
};

static const struct scn_schema station_schema = {
	.name = "station",
	.fields = station_fields,
	.n = sizeof(station_fields) / sizeof(station_fields[0]),
};

static void station_configure(void *config, const struct cfg_node *node,
			      struct scn_ctx *ctx)
{
	const struct station_config *c = config;
	if (c->capacity == SCN_UNLIMITED)
		return;
	if (c->servers == SCN_UNLIMITED)
		scn_error_key(ctx, node, "capacity",
			      "must be none when servers is infinite, got %lld",
			      (long long)c->capacity);
	else if (c->capacity < c->servers)
		scn_error_key(ctx, node, "capacity",
			      "must be at least servers (%lld), got %lld",
			      (long long)c->servers, (long long)c->capacity);
}

/* A customer: the message and when it reached the station. */
struct customer {
	struct sim_msg msg;
	sim_time_t arrived;
};

struct station {
	struct model base;                 /* must be first */
	const struct station_config *cfg;  /* scenario-owned */
	gsl_rng *rng;                      /* service-time stream */
	int64_t servers;                   /* c, INT64_MAX when infinite */
	int64_t capacity;                  /* K, INT64_MAX when none */
	int64_t busy;                      /* customers in service */

	struct customer *queue;            /* FIFO ring of waiting customers */
	size_t q_head;                     /* index of the oldest */
	size_t q_len;                      /* waiting customers */
	size_t q_cap;                      /* ring size, a power of two */

	struct customer *slots;            /* customers in service */
	uint32_t *free_slots;              /* stack of unused slot indices */
	size_t n_free;
	size_t n_slots;

	/* Statistics over the measurement window. */
	struct sim_welford wait;           /* waiting times, s */
	struct sim_welford sojourn;        /* times in system, s */
	struct sim_hist wait_h;
	struct sim_hist sojourn_h;
	struct sim_twa queue_len;          /* waiting customers */
	struct sim_twa in_system;          /* waiting + in service */
	struct sim_twa busy_servers;       /* in service */
	uint64_t arrivals;
	uint64_t blocked;
	uint64_t completed;
	sim_time_t window_start;

	/* Counters since the last time-series sample. */
	uint64_t tick_arrivals;
	uint64_t tick_blocked;
	uint64_t tick_completed;
};

static void queue_grow(struct station *st)
{
	size_t cap = st->q_cap * 2;
	struct customer *q = sim_xrealloc(NULL, cap * sizeof(*q));
	for (size_t i = 0; i < st->q_len; i++)
		q[i] = st->queue[(st->q_head + i) & (st->q_cap - 1)];
	free(st->queue);
	st->queue = q;
	st->q_head = 0;
	st->q_cap = cap;
}

static uint32_t slot_take(struct station *st)
{
	if (!st->n_free) {
		size_t n = st->n_slots ? st->n_slots * 2 : 16;
		st->slots = sim_xrealloc(st->slots, n * sizeof(*st->slots));
		st->free_slots = sim_xrealloc(st->free_slots, n * sizeof(*st->free_slots));
		for (size_t i = n; i > st->n_slots; i--)
			st->free_slots[st->n_free++] = (uint32_t)(i - 1);
		st->n_slots = n;
	}
	return st->free_slots[--st->n_free];
}

static void on_departure(struct sim *s, void *target, uint64_t arg);

/* Puts customer c into service now, in slot `slot`. */
static void serve(struct station *st, struct sim *s, uint32_t slot)
{
	const struct customer *c = &st->slots[slot];
	sim_time_t d;
	double factor = tenant_work_factor(st->base.run, c->msg.tenant);
	if (factor == 1.0)
		d = sim_dist_sample_time(&st->cfg->service, st->rng);
	else
		d = sim_time_from_s(sim_dist_sample(&st->cfg->service, st->rng) *
				    factor);
	if (st->base.run->measuring) {
		double w = sim_time_to_s(s->now - c->arrived);
		sim_welford_add(&st->wait, w);
		sim_hist_add(&st->wait_h, w);
	}
	sim_schedule_in(s, d, on_departure, st, slot);
}

static void station_accept(struct model *m, struct sim *s,
			   const struct sim_msg *msg)
{
	struct station *st = (struct station *)m;
	int64_t n = st->busy + (int64_t)st->q_len;
	st->arrivals++;
	st->tick_arrivals++;
	if (n >= st->capacity) {
		st->blocked++;
		st->tick_blocked++;
		sim_run_rejected(m->run, msg);
		return;
	}
	sim_twa_set(&st->in_system, s->now, (double)(n + 1));
	if (st->busy < st->servers) {
		uint32_t slot = slot_take(st);
		st->slots[slot] = (struct customer){ *msg, s->now };
		sim_twa_set(&st->busy_servers, s->now, (double)++st->busy);
		serve(st, s, slot);
		return;
	}
	if (st->q_len == st->q_cap)
		queue_grow(st);
	st->queue[(st->q_head + st->q_len) & (st->q_cap - 1)] =
		(struct customer){ *msg, s->now };
	sim_twa_set(&st->queue_len, s->now, (double)++st->q_len);
}

static void on_departure(struct sim *s, void *target, uint64_t arg)
{
	struct station *st = target;
	uint32_t slot = (uint32_t)arg;
	const struct customer *c = &st->slots[slot];
	struct sim_run *run = st->base.run;
	st->completed++;
	st->tick_completed++;
	if (run->measuring) {
		double t = sim_time_to_s(s->now - c->arrived);
		sim_welford_add(&st->sojourn, t);
		sim_hist_add(&st->sojourn_h, t);
	}
	sim_run_delivered(run, &c->msg);
	sim_twa_set(&st->in_system, s->now,
		    (double)(st->busy - 1 + (int64_t)st->q_len));
	if (st->q_len) {
		/* The slot passes straight to the oldest waiting customer. */
		st->slots[slot] = st->queue[st->q_head];
		st->q_head = (st->q_head + 1) & (st->q_cap - 1);
		sim_twa_set(&st->queue_len, s->now, (double)--st->q_len);
		serve(st, s, slot);
		return;
	}
	st->free_slots[st->n_free++] = slot;
	sim_twa_set(&st->busy_servers, s->now, (double)--st->busy);
}

static struct model *station_create(const void *config, const char *name,
				    struct sim_run *run)
{
	const struct station_config *cfg = config;
	struct station *st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->cfg = cfg;
	st->servers = cfg->servers == SCN_UNLIMITED ? INT64_MAX : cfg->servers;
	st->capacity = cfg->capacity == SCN_UNLIMITED ? INT64_MAX : cfg->capacity;
	st->q_cap = 64;
	st->queue = sim_xrealloc(NULL, st->q_cap * sizeof(*st->queue));
	if (sim_hist_init(&st->wait_h) || sim_hist_init(&st->sojourn_h)) {
		sim_out_of_memory(sizeof(struct sim_hist));
	}
	(void)name;
	(void)run;
	return &st->base;
}

static void station_restart(struct model *m, struct sim *s)
{
	struct station *st = (struct station *)m;
	sim_welford_reset(&st->wait);
	sim_welford_reset(&st->sojourn);
	sim_hist_reset(&st->wait_h);
	sim_hist_reset(&st->sojourn_h);
	sim_twa_restart(&st->queue_len, s->now);
	sim_twa_restart(&st->in_system, s->now);
	sim_twa_restart(&st->busy_servers, s->now);
	st->arrivals = st->blocked = st->completed = 0;
	st->window_start = s->now;
}

static void station_start(struct model *m, struct sim *s)
{
	struct station *st = (struct station *)m;
	st->rng = sim_rng_stream((uint64_t)m->run->scn->seed, m->run->replication,
				 m->name, "service");
	if (!st->rng) {
		sim_out_of_memory(sizeof(gsl_rng));
	}
	sim_twa_init(&st->queue_len, s->now, 0);
	sim_twa_init(&st->in_system, s->now, 0);
	sim_twa_init(&st->busy_servers, s->now, 0);
	st->window_start = s->now;
}

static void station_sample(struct model *m, struct sim *s,
			   struct sim_recorder *rec)
{
	struct station *st = (struct station *)m;
	sim_recorder_put(rec, s->now, m->name, METRIC_QUEUE_LENGTH, (double)st->q_len);
	sim_recorder_put(rec, s->now, m->name, METRIC_IN_SYSTEM,
			 (double)(st->busy + (int64_t)st->q_len));
	sim_recorder_put(rec, s->now, m->name, METRIC_BUSY_SERVERS, (double)st->busy);
	sim_recorder_count(rec, s->now, m->name, "Arrivals", (double)st->tick_arrivals);
	sim_recorder_count(rec, s->now, m->name, "Blocked", (double)st->tick_blocked);
	sim_recorder_count(rec, s->now, m->name, METRIC_COMPLETED, (double)st->tick_completed);
	st->tick_arrivals = st->tick_blocked = st->tick_completed = 0;
}

static void put_quantiles(struct sim_results *res, const char *name,
			  const char *metric, const struct sim_welford *w,
			  const struct sim_hist *h)
{
	char key[64];
	sim_results_put(res, name, metric, "s", w->n ? w->mean : NAN);
	static const struct {
		const char *suffix;
		double q;
	} qs[] = { { "p50", 0.50 }, { "p95", 0.95 }, { "p99", 0.99 } };
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		snprintf(key, sizeof(key), "%s.%s", metric, qs[i].suffix);
		sim_results_put(res, name, key, "s", sim_hist_quantile(h, qs[i].q));
	}
	snprintf(key, sizeof(key), "%s.max", metric);
	sim_results_put(res, name, key, "s", w->n ? w->max : NAN);
}

static void station_finish(struct model *m, struct sim *s,
			   struct sim_results *res)
{
	struct station *st = (struct station *)m;
	double window = sim_time_to_s(s->now - st->window_start);
	put_quantiles(res, m->name, "WaitTime", &st->wait, &st->wait_h);
	put_quantiles(res, m->name, "SojournTime", &st->sojourn, &st->sojourn_h);
	sim_results_put(res, m->name, METRIC_QUEUE_LENGTH, "customers",
			sim_twa_mean(&st->queue_len, s->now));
	sim_results_put(res, m->name, METRIC_IN_SYSTEM, "customers",
			sim_twa_mean(&st->in_system, s->now));
	double busy = sim_twa_mean(&st->busy_servers, s->now);
	sim_results_put(res, m->name, METRIC_BUSY_SERVERS, "servers", busy);
	sim_results_put(res, m->name, METRIC_UTILIZATION, "ratio",
			st->servers == INT64_MAX ? NAN : busy / (double)st->servers);
	sim_results_put(res, m->name, "Arrivals", "count", (double)st->arrivals);
	sim_results_put(res, m->name, "ArrivalRate", "1/s",
			window > 0 ? (double)st->arrivals / window : NAN);
	sim_results_put(res, m->name, METRIC_COMPLETED, "count", (double)st->completed);
	sim_results_put(res, m->name, "Blocked", "count", (double)st->blocked);
	sim_results_put(res, m->name, "BlockingProbability", "ratio",
			st->arrivals ? (double)st->blocked / (double)st->arrivals
				     : NAN);
}

static void station_destroy(struct model *m)
{
	struct station *st = (struct station *)m;
	if (!st)
		return;
	gsl_rng_free(st->rng);
	sim_hist_finish(&st->wait_h);
	sim_hist_finish(&st->sojourn_h);
	free(st->queue);
	free(st->slots);
	free(st->free_slots);
	free(st);
}

/* What the reports show of a station (sim/report_desc.h). */
static const struct model_series station_series[] = {
	{ &plot_queue_depth, METRIC_QUEUE_LENGTH, "waiting", false },
	{ &plot_queue_depth, METRIC_IN_SYSTEM, "in the system", false },
	{ &plot_concurrency, METRIC_BUSY_SERVERS, "busy servers", false },
};

static const struct model_report station_report = {
	.series = station_series,
	.n_series = sizeof(station_series) / sizeof(station_series[0]),
};

const struct model_ops station_ops = {
	.name = "station",
	.help = "queueing station: c servers (or infinite), FIFO waiting room, optional capacity K",
	.schema = &station_schema,
	.config_size = sizeof(struct station_config),
	.configure = station_configure,
	.create = station_create,
	.start = station_start,
	.restart = station_restart,
	.sample = station_sample,
	.finish = station_finish,
	.destroy = station_destroy,
	.accept = station_accept,
	.report = &station_report,
};
