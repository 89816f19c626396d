/* sns.c - an Amazon SNS standard topic: fan-out of every published message
 * to every subscription.
 *
 * A message accepted now (Publish) becomes one pending notification per
 * subscriber; each is handed, unchanged (its sent_at stays the tenant's),
 * to the subscriber's accept() after its own latency draw, so the
 * subscriber counts it delivered. N subscribers and M messages make N x M
 * notifications: each copy counts as a delivery in the tenant's totals,
 * as with an event bus's rules.
 *
 * AWS behaviour encoded (read 2026-11; none of it is in FACTS):
 *  - Maximum message size 256 KiB (UNCONFIRMED here; the SNS quota page
 *    gives 256 KB); larger messages are refused.
 *  - Delivery latency is not published (UNCONFIRMED default).
 *  - Pricing: publishes at $0.50 per million requests, each 64 KB chunk of a
 *    message counted as one request (price key sns.requests, UNCONFIRMED).
 *    Deliveries to Lambda functions and SQS queues carry no delivery charge
 *    (UNCONFIRMED: third-party pages list HTTP at $0.60/M, email and SMS
 *    separately; those protocols are not modelled), so there is no meter
 *    for notifications.
 *
 * Not modelled: filter policies (every subscriber gets every message),
 * delivery retries and failures, FIFO topics, raw message delivery.
 *
 * Pending notifications live in a slot pool (growing array + free stack),
 * reused: no allocation per message once it covers the copies in flight.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/run.h"

struct sns_sub_config {
	const char *target; /* resource the copies go to */
};

struct sns_config {
	struct scn_list subs;     /* struct sns_sub_config */
	struct sim_dist latency;  /* seconds, publish to delivery */
	double max_size;          /* bytes */
};

static const struct scn_field sub_fields[] = {
	{ .key = "target", .kind = SCN_NAME, .flags = SCN_F_REQUIRED, .min = 1,
	  .max = 0, .offset = offsetof(struct sns_sub_config, target),
	  .help = "resource that receives a copy of every message (lambda, sqs, "
		  "firehose, station, ...)" },
};

static const struct scn_schema sub_schema = { "subscriber", sub_fields, 1, NULL };

static const struct scn_field sns_fields[] = {
	{ .key = "subscribers", .kind = SCN_LIST, .sub = &sub_schema,
	  .elem_size = sizeof(struct sns_sub_config), .flags = SCN_F_REQUIRED,
	  .min = 1, .max = 0, .offset = offsetof(struct sns_config, subs),
	  .help = "subscriptions: [{target: NAME}, ...]; each gets every message" },
	/* Not published: a guess of tens of milliseconds. */
	{ .key = "latency", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "20ms", .flags = SCN_F_UNCONFIRMED, .min = 1, .max = 0,
	  .offset = offsetof(struct sns_config, latency),
	  .help = "publish to delivery, per subscriber (UNCONFIRMED)" },
	{ .key = "max_message_size", .kind = SCN_SIZE, .flags = SCN_F_UNCONFIRMED,
	  .min = 1, .max = 262144, .dflt = "256KiB",
	  .offset = offsetof(struct sns_config, max_size),
	  .help = "larger messages are refused (rejected) (UNCONFIRMED)" },
};

static const struct scn_schema sns_schema = {
	.name = "sns_topic",
	.fields = sns_fields,
	.n = sizeof(sns_fields) / sizeof(sns_fields[0]),
};

/* Runtime ---------------------------------------------------------------------- */

/* One notification on its way. */
struct sns_copy {
	struct sim_msg msg; /* as published */
	uint32_t sub;       /* subscriber index */
};

struct sns_counts {
	uint64_t published;  /* NumberOfMessagesPublished */
	uint64_t chunks;     /* billed 64 KB requests */
	uint64_t too_large;  /* refused */
	uint64_t delivered;  /* NumberOfNotificationsDelivered */
};

struct sns_topic {
	struct model base;        /* must be first */
	const struct sns_config *cfg;
	struct model **subs;      /* per subscriber */
	size_t n_subs;
	gsl_rng *rng;             /* latency */
	struct sns_copy *slots;   /* pending notifications */
	uint32_t *free;           /* stack of unused slots */
	size_t n_free;
	size_t n_slots;
	uint64_t pending;
	struct sns_counts win;    /* since the warm-up */
	struct sns_counts tick;   /* since the last sample */
	uint64_t life_copies, life_delivered; /* whole replication, weighted */
	uint64_t pending_w;       /* pending notifications, weighted */
};

#define COUNT(t, member, n) ((t)->win.member += (n), (t)->tick.member += (n))

static uint32_t slot_take(struct sns_topic *t)
{
	if (!t->n_free) {
		size_t n = t->n_slots ? t->n_slots * 2 : 64;
		t->slots = sim_xrealloc(t->slots, n * sizeof(*t->slots));
		t->free = sim_xrealloc(t->free, n * sizeof(*t->free));
		for (size_t i = n; i > t->n_slots; i--)
			t->free[t->n_free++] = (uint32_t)(i - 1);
		t->n_slots = n;
	}
	t->pending++;
	return t->free[--t->n_free];
}

static void on_notify(struct sim *s, void *target, uint64_t arg)
{
	struct sns_topic *t = target;
	uint32_t k = (uint32_t)arg;
	struct sns_copy c = t->slots[k];
	t->free[t->n_free++] = k;
	t->pending--;
	COUNT(t, delivered, sim_msg_weight(&c.msg));
	t->life_delivered += sim_msg_weight(&c.msg);
	t->pending_w -= sim_msg_weight(&c.msg);
	struct model *sub = t->subs[c.sub];
	sub->ops->accept(sub, s, &c.msg);
}

static void sns_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct sns_topic *t = (struct sns_topic *)m;
	uint64_t w = sim_msg_weight(msg); /* a cohort: w publishes */
	if ((double)msg->size > t->cfg->max_size) {
		COUNT(t, too_large, w);
		sim_run_rejected(m->run, msg);
		return;
	}
	COUNT(t, published, w);
	COUNT(t, chunks, w * (msg->size > 65536 ? (msg->size + 65535u) / 65536u : 1));
	for (size_t i = 0; i < t->n_subs; i++) {
		uint32_t k = slot_take(t);
		t->slots[k] = (struct sns_copy){ *msg, (uint32_t)i };
		t->life_copies += w;
		t->pending_w += w;
		sim_schedule_in(s, sim_dist_sample_time(&t->cfg->latency, t->rng),
				on_notify, t, k);
	}
}

/* Model operations ------------------------------------------------------------ */

static struct model *sns_create(const void *config, const char *name,
				struct sim_run *run)
{
	struct sns_topic *t = sim_xcalloc(1, sizeof(*t));
	t->cfg = config;
	t->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				"latency");
	if (!t->rng) {
		sim_out_of_memory(sizeof(gsl_rng));
	}
	t->n_subs = t->cfg->subs.n;
	t->subs = sim_xcalloc(t->n_subs, sizeof(*t->subs));
	return &t->base;
}

static int sns_link(struct model *m, struct sim_run *run)
{
	struct sns_topic *t = (struct sns_topic *)m;
	const struct sns_sub_config *sc = t->cfg->subs.items;
	const struct cfg_node *list = cfg_get(m->node, "subscribers");
	int rc = 0;
	for (size_t i = 0; i < t->n_subs; i++) {
		const struct cfg_node *at = cfg_get(list->items[i], "target");
		if (!at)
			at = list->items[i];
		struct model *x = sim_run_find(run, sc[i].target);
		const char *why = NULL;
		const char *hint = NULL;
		if (!x) {
			const char **names = sim_xcalloc(run->n_resources + 1, sizeof(*names));
			for (size_t k = 0; k < run->n_resources; k++)
				names[k] = run->resources[k]->name;
			hint = diag_suggest(sc[i].target, names);
			free(names);
			why = "no resource named";
		} else if (x == m) {
			why = "a topic cannot subscribe to itself:";
		} else if (!x->ops->accept) {
			why = "takes no messages:";
		}
		if (why) {
			diag_error(run->diag, at->file, at->line, at->col,
				   "resources.%s.subscribers[%zu].target: %s '%s'%s%s%s",
				   m->name, i, why, sc[i].target,
				   hint ? " (did you mean '" : "", hint ? hint : "",
				   hint ? "'?)" : "");
			rc = -1;
			continue;
		}
		t->subs[i] = x;
	}
	return rc;
}

static void sns_restart(struct model *m, struct sim *s)
{
	struct sns_topic *t = (struct sns_topic *)m;
	(void)s;
	t->win = (struct sns_counts){ 0 };
}

static void sns_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct sns_topic *t = (struct sns_topic *)m;
	const char *n = m->name;
	sim_recorder_count(rec, s->now, n, "NumberOfMessagesPublished",
			   (double)t->tick.published);
	sim_recorder_count(rec, s->now, n, "NumberOfNotificationsDelivered",
			   (double)t->tick.delivered);
	sim_recorder_put(rec, s->now, n, "PendingNotifications", (double)t->pending_w);
	t->tick = (struct sns_counts){ 0 };
}

static void sns_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct sns_topic *t = (struct sns_topic *)m;
	const struct sns_counts *w = &t->win;
	const char *n = m->name;
	(void)s;
	if (t->life_copies != t->life_delivered + t->pending_w)
		sim_run_fail(m->run,
			     "%s: notifications not conserved: copies %llu != delivered %llu + pending %llu",
			     n, (unsigned long long)t->life_copies,
			     (unsigned long long)t->life_delivered,
			     (unsigned long long)t->pending_w);
	sim_results_put(res, n, "NumberOfMessagesPublished", "count", (double)w->published);
	sim_results_put(res, n, "RejectedMessages", "count", (double)w->too_large);
	sim_results_put(res, n, "NumberOfNotificationsDelivered", "count",
			(double)w->delivered);
	sim_results_put(res, n, "PendingNotifications", "count", (double)t->pending_w);
	sim_results_put(res, n, "Subscribers", "count", (double)t->n_subs);
	sim_results_meter(res, n, "Amazon SNS", "Requests", "request", "sns.requests",
			  (double)w->chunks);
}

static void sns_destroy(struct model *m)
{
	struct sns_topic *t = (struct sns_topic *)m;
	if (!t)
		return;
	free(t->subs);
	free(t->slots);
	free(t->free);
	gsl_rng_free(t->rng);
	free(t);
}

/* Every message goes to every subscriber. */
static bool sns_route(struct model *m, size_t i, struct model_route *r)
{
	struct sns_topic *t = (struct sns_topic *)m;
	if (i >= t->n_subs)
		return false;
	r->to = t->subs[i];
	r->at = cfg_get(cfg_get(m->node, "subscribers")->items[i], "target");
	snprintf(r->path, sizeof(r->path), "resources.%s.subscribers[%zu].target",
		 m->name, i);
	return true;
}

const struct model_ops sns_topic_ops = {
	.name = "sns_topic",
	.help = "Amazon SNS standard topic: fan-out of every message to every subscriber",
	.schema = &sns_schema,
	.config_size = sizeof(struct sns_config),
	.create = sns_create,
	.link = sns_link,
	.restart = sns_restart,
	.sample = sns_sample,
	.finish = sns_finish,
	.destroy = sns_destroy,
	.accept = sns_accept,
	.cohorts = true,
	.route = sns_route,
};
