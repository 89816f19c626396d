/* pods.c - container consumers of an SQS queue, autoscaled on its length
 * (the Kubernetes HPA on an external metric, as KEDA feeds it), with an
 * optional Spark work model.
 *
 * Each pod takes one work item at a time: ReceiveMessage (waiting while the
 * queue is empty), processing, DeleteMessage, next. A pod starts pod_start
 * after it is asked for, plus node_start when no node has room for it
 * (pods_per_node a node); nodes are metered by the hour. Processing takes
 * `duration`, or with `spark` the time to process the item's data
 * (item_size, drawn per item):
 *   local mode: one pod is a local-mode Spark on one instance: nothing is
 *     shuffled remotely, gb / gb_per_hour;
 *   cluster mode: one consumer drives a cluster of `instances`; with data
 *     spread at random the share (n-1)/n is shuffled remotely, and a remote
 *     shuffle of all the data adds shuffle_penalty of the processing time
 *     (the seed post: "100-200%"; 150% by default), so the time is
 *     gb / (n gb_per_hour) x (1 + penalty (n-1)/n) and the throughput per
 *     instance falls as n grows (seed "Nielsen").
 * The autoscaler's arithmetic is in pods.h; its defaults in FACTS 8.
 * pod_start and node_start are not documented figures (UNCONFIRMED).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/describe.h"
#include "models/pods.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

/* The autoscaler ---------------------------------------------------------------- */

int64_t hpa_step(struct hpa *h, sim_time_t now, int64_t current, double metric)
{
	/* Compared as a double first: a huge queue over a tiny target does
	 * not fit an int64. */
	double raw = ceil(metric / h->target - 1e-9);
	int64_t want = raw > (double)h->max ? h->max : (int64_t)raw;
	if (current > 0) {
		double ratio = metric / ((double)current * h->target);
		if (fabs(ratio - 1.0) <= h->tolerance)
			want = current;
	}
	if (want < h->min)
		want = h->min;
	if (want > h->max)
		want = h->max;
	/* Remember the recommendation; forget those older than the window. */
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		h->rec_at = sim_xrealloc(h->rec_at, h->cap * sizeof(*h->rec_at));
		h->rec = sim_xrealloc(h->rec, h->cap * sizeof(*h->rec));
	}
	h->rec_at[h->n] = now;
	h->rec[h->n++] = want;
	size_t drop = 0;
	while (drop < h->n && h->rec_at[drop] <= now - h->stabilization)
		drop++;
	memmove(h->rec_at, h->rec_at + drop, (h->n - drop) * sizeof(*h->rec_at));
	memmove(h->rec, h->rec + drop, (h->n - drop) * sizeof(*h->rec));
	h->n -= drop;
	if (want < current) {
		/* Scale down to the highest recommendation of the window. */
		int64_t top = want;
		for (size_t i = 0; i < h->n; i++)
			if (h->rec[i] > top)
				top = h->rec[i];
		return top < current ? top : current;
	}
	/* Scale up by at most max(100%, 4 pods) a period. */
	int64_t cap = current + (current > 4 ? current : 4);
	return want > cap ? cap : want;
}

void hpa_free(struct hpa *h)
{
	free(h->rec_at);
	free(h->rec);
	h->rec_at = NULL;
	h->rec = NULL;
	h->n = h->cap = 0;
}

double spark_shuffle_share(int64_t n)
{
	return n > 1 ? (double)(n - 1) / (double)n : 0.0;
}

double spark_hours(double gb, int64_t n, double gb_per_hour, double penalty)
{
	return gb / ((double)n * gb_per_hour) * (1 + penalty * spark_shuffle_share(n));
}

/* Configuration ------------------------------------------------------------------ */

static const char *const mode_names[] = { "local", "cluster", NULL };

struct pods_config {
	const char *queue;
	struct sim_dist duration;     /* seconds per item, without spark */
	int64_t replicas;             /* fixed, or the start with autoscaling */
	int64_t pods_per_node;
	sim_time_t pod_start;
	sim_time_t node_start;
	bool spark;
	int mode;                     /* 0 local, 1 cluster */
	int64_t instances;            /* cluster size */
	double gb_per_hour;           /* in-memory processing per instance */
	double penalty;               /* a full remote shuffle adds this */
	struct sim_dist item_size;    /* bytes of data per work item */
	bool autoscale;
	double target;
	int64_t min, max;
	double tolerance;
	sim_time_t sync;
	sim_time_t stabilization;
	bool on_in_flight;
};

#define F(...) SCN_FIELD(struct pods_config, __VA_ARGS__)

static const struct scn_field spark_fields[] = {
	{ .key = "mode", .kind = SCN_ENUM, .names = mode_names, .dflt = "local",
	  .min = 1, .max = 0, .offset = offsetof(struct pods_config, mode),
	  .help = "local: one pod is a local-mode Spark on one instance; cluster: "
		  "one consumer drives a cluster of `instances`" },
	F("instances", SCN_INT, 0, 1, 100000, "1", instances,
	  "cluster mode: instances in the cluster"),
	F("gb_per_hour", SCN_NUMBER, SCN_F_REQUIRED, 1e-9, 1e9, NULL, gb_per_hour,
	  "GB an instance processes an hour with nothing shuffled remotely"),
	/* Seed "Nielsen": remote shuffle adds "100-200%" to processing time. */
	F("shuffle_penalty", SCN_FRACTION, 0, 0, 100, "150%", penalty,
	  "processing time a remote shuffle of all the data adds"),
	{ .key = "item_size", .kind = SCN_DIST, .unit = SIM_UNIT_SIZE,
	  .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .offset = offsetof(struct pods_config, item_size),
	  .help = "data of one work item (a size or a size distribution)" },
};

static const struct scn_schema spark_schema = { "spark", spark_fields, 5, NULL };

static const struct scn_field hpa_fields[] = {
	/* KEDA aws-sqs-queue queueLength: target messages per pod (FACTS 8). */
	F("target", SCN_NUMBER, SCN_F_REQUIRED, 1e-9, 1e9, NULL, target,
	  "queue messages per pod (Nielsen: 2; KEDA's default 5)"),
	F("min", SCN_INT, 0, 0, 100000, "1", min, "fewest pods"),
	/* KEDA maxReplicaCount default 100 (FACTS 8). */
	F("max", SCN_INT, 0, 1, 100000, "100", max, "most pods"),
	/* FACTS 8 "Tolerance": 0.1. */
	F("tolerance", SCN_FRACTION, 0, 0, 1, "10%", tolerance,
	  "no change while metric / (pods x target) is within this of 1"),
	/* FACTS 8 "Sync period": 15 s. */
	F("sync_period", SCN_DURATION, 0, 1, 3600, "15s", sync,
	  "how often the autoscaler decides"),
	/* FACTS 8 "Downscale stabilization": 300 s. */
	F("stabilization", SCN_DURATION, 0, 0, 86400, "300s", stabilization,
	  "scale down only to the highest recommendation of this window"),
	/* FACTS 8 "KEDA actual messages": scaleOnInFlight. */
	F("scale_on_in_flight", SCN_BOOL, 0, 0, 0, "false", on_in_flight,
	  "count in-flight messages too (KEDA's scaleOnInFlight); else visible only"),
};

/* The bounds must be in order (DynamoDB's auto scaling refuses the same;
 * KEDA's minReplicaCount must not exceed maxReplicaCount). */
static void hpa_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct pods_config *c = obj;
	if (c->max < c->min)
		scn_error_key(ctx, node, "max", "must be at least min (%lld), got %lld",
			      (long long)c->min, (long long)c->max);
}

static const struct scn_schema hpa_schema = { "autoscaling", hpa_fields, 7, hpa_check };

static const struct scn_field pods_fields[] = {
	F("queue", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, queue, "the sqs queue the pods pull from"),
	{ .key = "duration", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "1s", .min = 1, .max = 0,
	  .offset = offsetof(struct pods_config, duration),
	  .help = "processing time of one item (without spark)" },
	F("replicas", SCN_INT, 0, 0, 100000, "1", replicas,
	  "pods (the starting count with autoscaling)"),
	F("pods_per_node", SCN_INT, 0, 1, 1000, "1", pods_per_node,
	  "pods a node holds; nodes are billed by the hour"),
	F("pod_start", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "10s", pod_start,
	  "from asked for to pulling work, on a node with room (UNCONFIRMED)"),
	F("node_start", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "90s", node_start,
	  "more when a new node is needed (UNCONFIRMED)"),
	{ .key = "spark", .kind = SCN_TABLE, .flags = SCN_F_NONE, .dflt = "none",
	  .sub = &spark_schema, .offset = offsetof(struct pods_config, spark),
	  .help = "none, or the Spark work model: {mode, instances, gb_per_hour, shuffle_penalty, item_size}" },
	{ .key = "autoscaling", .kind = SCN_TABLE, .flags = SCN_F_NONE, .dflt = "none",
	  .sub = &hpa_schema, .offset = offsetof(struct pods_config, autoscale),
	  .help = "none (fixed replicas), or the HPA on the queue's length" },
};

static const struct scn_schema pods_schema = {
	.name = "pods",
	.fields = pods_fields,
	.n = sizeof(pods_fields) / sizeof(pods_fields[0]),
};

/* Runtime --------------------------------------------------------------------- */

enum pstate { P_STARTING, P_POLLING, P_BUSY, P_STOPPED };

struct pods;

struct pod {
	struct sqs_waiter w;      /* first: the wake callback casts back */
	struct pods *p;
	size_t idx;               /* its index in pods.pod */
	enum pstate state;
	bool retiring;            /* stop after the current item */
	struct sim_timer t;
	struct sqs_received item;
	double gb;
};

/* The pods pod_add and pod_remove choose from, as bit sets over their
 * indices: stopped (the first is reused), polling, starting, and busy
 * but not retiring (the last of the first non-empty of these three is
 * stopped). A busy pod that is retiring is in none. A query scans 64 pods
 * a word, so scaling 10^5 pods up or down no longer scans every pod for
 * each pod added or removed. */
enum pset { SET_STOPPED, SET_POLLING, SET_STARTING, SET_BUSY, N_SETS };

struct pods {
	struct model base;        /* must be first */
	const struct pods_config *cfg;
	struct sqs *q;
	gsl_rng *rng;
	struct pod **pod;         /* every pod ever made, reused when stopped */
	size_t n_pod;
	size_t cap_pod;           /* allocated slots of pod */
	uint64_t *set[N_SETS];    /* cap_pod / 64 words each */
	int64_t alive;            /* not stopped */
	int64_t busy;
	int64_t nodes;
	struct hpa hpa;
	struct sim_timer t_sync;
	struct sim_twa nodes_avg, alive_avg, busy_avg;
	int64_t peak;
	uint64_t items;
	double gb;
	uint64_t t_items;         /* since the last sample */
};

static void pod_poll(struct pod *d, struct sim *s);

static int set_of(enum pstate state, bool retiring)
{
	switch (state) {
	case P_STOPPED:
		return SET_STOPPED;
	case P_POLLING:
		return SET_POLLING;
	case P_STARTING:
		return SET_STARTING;
	default:
		return retiring ? -1 : SET_BUSY;
	}
}

/* Moves d to state (and retiring), keeping the sets up to date. */
static void pod_set(struct pod *d, enum pstate state, bool retiring)
{
	struct pods *p = d->p;
	uint64_t bit = 1ull << (d->idx % 64);
	int k = set_of(d->state, d->retiring);
	if (k >= 0)
		p->set[k][d->idx / 64] &= ~bit;
	d->state = state;
	d->retiring = retiring;
	k = set_of(state, retiring);
	if (k >= 0)
		p->set[k][d->idx / 64] |= bit;
}

/* The lowest (or, with last, highest) pod in set k, or NULL. */
static struct pod *set_pick(const struct pods *p, int k, bool last)
{
	size_t nw = (p->n_pod + 63) / 64;
	for (size_t j = 0; j < nw; j++) {
		size_t w = last ? nw - 1 - j : j;
		uint64_t x = p->set[k][w];
		if (x)
			return p->pod[w * 64 + (size_t)(last ? 63 - __builtin_clzll(x)
							      : __builtin_ctzll(x))];
	}
	return NULL;
}

static void on_pod_timer(struct sim *s, void *target, uint64_t arg)
{
	struct pod *d = target;
	struct pods *p = d->p;
	(void)arg;
	if (d->state == P_STARTING) {
		pod_poll(d, s);
		return;
	}
	/* An item is done. */
	sqs_delete(p->q, s, SQS_DELETE, &d->item, NULL, 1);
	if (p->base.run->measuring) {
		p->items++;
		p->t_items++;
		p->gb += d->gb;
	}
	p->busy--;
	sim_twa_set(&p->busy_avg, s->now, (double)p->busy);
	if (d->retiring) {
		pod_set(d, P_STOPPED, false);
		return;
	}
	pod_poll(d, s);
}

static void on_pod_wake(struct sqs_waiter *w, struct sim *s)
{
	struct pod *d = (struct pod *)w;
	if (d->state == P_POLLING)
		pod_poll(d, s);
}

static void pod_poll(struct pod *d, struct sim *s)
{
	struct pods *p = d->p;
	const struct pods_config *c = p->cfg;
	if (!sqs_receive(p->q, s, &d->item, 1, 0)) {
		pod_set(d, P_POLLING, false);
		sqs_wait(p->q, s, &d->w);
		return;
	}
	pod_set(d, P_BUSY, false);
	p->busy++;
	sim_twa_set(&p->busy_avg, s->now, (double)p->busy);
	double secs;
	if (c->spark) {
		d->gb = sim_dist_sample(&c->item_size, p->rng) / 1e9;
		int64_t n = c->mode == 1 ? c->instances : 1;
		secs = spark_hours(d->gb, n, c->gb_per_hour, c->penalty) * 3600.0;
	} else {
		d->gb = 0;
		secs = sim_dist_sample(&c->duration, p->rng);
	}
	sim_timer_start(s, &d->t, sim_time_add(s->now, sim_time_from_s(secs)), on_pod_timer, d, 0);
}

/* Instances the pods occupy: nodes, or the cluster. */
static int64_t instances(const struct pods *p)
{
	return p->cfg->spark && p->cfg->mode == 1 ? p->cfg->instances * p->alive : p->nodes;
}

static void set_nodes(struct pods *p, struct sim *s)
{
	int64_t per = p->cfg->pods_per_node;
	p->nodes = (p->alive + per - 1) / per;
	sim_twa_set(&p->nodes_avg, s->now, (double)instances(p));
	sim_twa_set(&p->alive_avg, s->now, (double)p->alive);
	if (p->alive > p->peak)
		p->peak = p->alive;
}

/* Starts one pod; it pulls work after pod_start, plus node_start when it
 * needed a new node. */
static void pod_add(struct pods *p, struct sim *s)
{
	struct pod *d = set_pick(p, SET_STOPPED, false);
	if (!d) {
		if (p->n_pod == p->cap_pod) {
			size_t cap = p->cap_pod ? 2 * p->cap_pod : 64;
			p->pod = sim_xrealloc(p->pod, cap * sizeof(*p->pod));
			for (int k = 0; k < N_SETS; k++) {
				p->set[k] = sim_xrealloc(p->set[k], cap / 64 * sizeof(uint64_t));
				memset(p->set[k] + p->cap_pod / 64, 0,
				       (cap - p->cap_pod) / 64 * sizeof(uint64_t));
			}
			p->cap_pod = cap;
		}
		d = sim_xcalloc(1, sizeof(*d));
		d->p = p;
		d->w.wake = on_pod_wake;
		d->idx = p->n_pod;
		d->state = P_STOPPED;
		p->pod[p->n_pod++] = d;
		p->set[SET_STOPPED][d->idx / 64] |= 1ull << (d->idx % 64);
	}
	int64_t before = p->nodes;
	p->alive++;
	set_nodes(p, s);
	pod_set(d, P_STARTING, false);
	sim_time_t delay = p->cfg->pod_start + (p->nodes > before ? p->cfg->node_start : 0);
	sim_timer_start(s, &d->t, s->now + delay, on_pod_timer, d, 0);
}

/* Stops one pod: an idle one at once, else one starting, else a busy one
 * after its item. */
static void pod_remove(struct pods *p, struct sim *s)
{
	static const enum pset order[] = { SET_POLLING, SET_STARTING, SET_BUSY };
	for (size_t o = 0; o < 3; o++) {
		struct pod *d = set_pick(p, order[o], true);
		if (!d)
			continue;
		if (d->state == P_BUSY) {
			pod_set(d, P_BUSY, true);
		} else {
			sqs_unwait(p->q, &d->w);
			sim_timer_cancel(s, &d->t);
			pod_set(d, P_STOPPED, false);
		}
		p->alive--;
		set_nodes(p, s);
		return;
	}
}

static void on_sync(struct sim *s, void *target, uint64_t arg)
{
	struct pods *p = target;
	(void)arg;
	double metric = (double)sqs_visible(p->q) +
			(p->cfg->on_in_flight ? (double)sqs_in_flight(p->q) : 0.0);
	int64_t want = hpa_step(&p->hpa, s->now, p->alive, metric);
	while (p->alive < want)
		pod_add(p, s);
	while (p->alive > want)
		pod_remove(p, s);
	sim_timer_start(s, &p->t_sync, s->now + p->cfg->sync, on_sync, p, 0);
}

static struct model *pods_create(const void *config, const char *name,
				 struct sim_run *run)
{
	struct pods *p = sim_xcalloc(1, sizeof(*p));
	p->cfg = config;
	p->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name, "work");
	p->hpa = (struct hpa){ .target = p->cfg->target, .tolerance = p->cfg->tolerance,
			       .min = p->cfg->min, .max = p->cfg->max,
			       .stabilization = p->cfg->stabilization };
	return &p->base;
}

static int pods_link(struct model *m, struct sim_run *run)
{
	struct pods *p = (struct pods *)m;
	char path[300];
	snprintf(path, sizeof(path), "resources.%s.queue", m->name);
	p->q = sqs_from_model(sim_run_find_typed(run, cfg_get(m->node, "queue"), path,
						 p->cfg->queue, &sqs_ops, "an sqs queue"));
	return p->q ? 0 : -1;
}

static void pods_start(struct model *m, struct sim *s)
{
	struct pods *p = (struct pods *)m;
	sim_twa_init(&p->nodes_avg, s->now, 0);
	sim_twa_init(&p->alive_avg, s->now, 0);
	sim_twa_init(&p->busy_avg, s->now, 0);
	int64_t n = p->cfg->replicas;
	if (p->cfg->autoscale) {
		if (n < p->cfg->min)
			n = p->cfg->min;
		if (n > p->cfg->max)
			n = p->cfg->max;
	}
	for (int64_t i = 0; i < n; i++)
		pod_add(p, s);
	if (p->cfg->autoscale)
		sim_timer_start(s, &p->t_sync, s->now + p->cfg->sync, on_sync, p, 0);
}

static void pods_restart(struct model *m, struct sim *s)
{
	struct pods *p = (struct pods *)m;
	sim_twa_restart(&p->nodes_avg, s->now);
	sim_twa_restart(&p->alive_avg, s->now);
	sim_twa_restart(&p->busy_avg, s->now);
	p->items = 0;
	p->gb = 0;
	p->peak = p->alive;
}

static void pods_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct pods *p = (struct pods *)m;
	sim_recorder_put(rec, s->now, m->name, METRIC_PODS, (double)p->alive);
	sim_recorder_put(rec, s->now, m->name, METRIC_PODS_BUSY, (double)p->busy);
	sim_recorder_put(rec, s->now, m->name, "Instances", (double)instances(p));
	sim_recorder_count(rec, s->now, m->name, "ItemsProcessed", (double)p->t_items);
	p->t_items = 0;
}

static void pods_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct pods *p = (struct pods *)m;
	const struct pods_config *c = p->cfg;
	const char *n = m->name;
	double hours = sim_time_to_s(s->now - m->run->scn->warmup) / 3600.0;
	double inst_hours = sim_twa_mean(&p->nodes_avg, s->now) * hours;
	int64_t per_pod = c->spark && c->mode == 1 ? c->instances : 1;
	double busy_hours = sim_twa_mean(&p->busy_avg, s->now) * hours * (double)per_pod;
	sim_results_put(res, n, "ItemsProcessed", "count", (double)p->items);
	sim_results_put(res, n, METRIC_PODS, "pods", sim_twa_mean(&p->alive_avg, s->now));
	sim_results_put(res, n, METRIC_PODS METRIC_MAX, "pods", (double)p->peak);
	if (c->spark) {
		sim_results_put(res, n, "GBProcessed", "GB", p->gb);
		/* Throughput of an instance while it works, and what the data
		 * costs in instance-hours (x the instance price = cost per GB). */
		sim_results_put(res, n, "GBPerInstanceHour", "GB/h",
				busy_hours > 0 ? p->gb / busy_hours : NAN);
		sim_results_put(res, n, "InstanceHoursPerGB", "hours/GB",
				p->gb > 0 ? inst_hours / p->gb : NAN);
		sim_results_put(res, n, "ShuffledFraction", "ratio",
				spark_shuffle_share(c->mode == 1 ? c->instances : 1));
	}
	sim_results_meter(res, n, "Amazon EC2", "InstanceHours", "instance-hour",
			  "ec2.instance_hour", inst_hours);
}

static void pods_destroy(struct model *m)
{
	struct pods *p = (struct pods *)m;
	if (!p)
		return;
	if (m->run) {
		sim_timer_cancel(&m->run->sim, &p->t_sync);
		for (size_t i = 0; i < p->n_pod; i++)
			sim_timer_cancel(&m->run->sim, &p->pod[i]->t);
	}
	for (size_t i = 0; i < p->n_pod; i++)
		free(p->pod[i]);
	free(p->pod);
	for (int k = 0; k < N_SETS; k++)
		free(p->set[k]);
	hpa_free(&p->hpa);
	gsl_rng_free(p->rng);
	free(p);
}

/* What the reports show of a deployment (sim/report_desc.h): its pods and
 * the queue they pull from. */
static const struct model_series pods_series[] = {
	{ &plot_pods, METRIC_PODS, "pods", false },
	{ &plot_pods, METRIC_PODS_BUSY, "pods busy", false },
};

static void pods_plot(const struct scenario *scn, const struct scn_entry *e,
		      struct model_plot_sink *k)
{
	(void)scn;
	const struct cfg_node *q = cfg_get(e->node, "queue");
	if (q && q->type == CFG_SCALAR)
		k->series(k, &plot_pods, q->value, METRIC_VISIBLE, "visible", 1);
}

static const struct model_report pods_report = {
	.series = pods_series,
	.n_series = sizeof(pods_series) / sizeof(pods_series[0]),
	.plot = pods_plot,
};

const struct model_ops pods_ops = {
	.name = "pods",
	.help = "container consumers of a queue, HPA-autoscaled on its length; Spark local or cluster mode",
	.schema = &pods_schema,
	.config_size = sizeof(struct pods_config),
	.create = pods_create,
	.link = pods_link,
	.start = pods_start,
	.restart = pods_restart,
	.sample = pods_sample,
	.finish = pods_finish,
	.destroy = pods_destroy,
	.report = &pods_report,
};
