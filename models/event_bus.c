/* event_bus.c - an Amazon EventBridge event bus: rules, delivery latency,
 * target retries, dead-letter queues (see event_bus.h).
 *
 * An accepted event (PutEvents) is checked against every rule in order; a
 * rule matches when the event's tenant is one of its `tenants` (when it
 * names any) and a uniform draw falls under its `match` share, a stand-in
 * for an event pattern that selects that share of the traffic. Each match
 * becomes a pending delivery: after a latency draw the bus makes an
 * attempt, which fails with the rule's failure_rate. A failed attempt is
 * retried after rand x min(base x 2^(k-1), max_delay) (full jitter) while
 * retries and the event's age allow; then the copy goes to the rule's
 * dead-letter queue, or is dropped. A successful attempt hands the copy to
 * the target's accept(), unchanged: its sent_at stays the tenant's, so a
 * bus-to-bus hop carries the end-to-end clock along, and the last bus of a
 * chain measures the whole path (DeliveryLatency).
 *
 * AWS behaviour encoded (read 2026-11):
 *  - Retry policy: "By default, EventBridge retries sending the event for
 *    24 hours and up to 185 times with an exponential back off and jitter";
 *    MaximumRetryAttempts 0-185, MaximumEventAgeInSeconds 60-86400
 *    (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html,
 *    API RetryPolicy). The backoff's base and cap are not published:
 *    UNCONFIRMED defaults.
 *  - Dead-letter queues are standard SQS queues (eb-rule-dlq.html).
 *  - Entries are limited to 256 KB (SEED-FIGURES, "SQS and EventBridge
 *    256 KB"); larger ones are refused.
 *  - Delivery latency: the seeds report EventBridge's P99 end-to-end
 *    latency cut from 2,235 ms to 129.33 ms (SEED-FIGURES, "EventBridge");
 *    that is the default's p99. The median is not published (UNCONFIRMED).
 *  - Cross-account targets (seed post "Introducing cross-account targets
 *    for Amazon EventBridge Event Buses", 2024-11): a rule may target a
 *    queue or function in another account directly, where before it had to
 *    target a bus there, whose own rule delivered: one hop fewer.
 *  - Pricing: custom events at $1.00 per million, each 64 KB chunk of an
 *    event counted as one (eventbridge.events; cross-account events sent to
 *    another bus are billed as events on that bus).
 *  - Metric names follow AWS/Events in CloudWatch where one exists.
 *
 * Pending deliveries are records from slabs of DELIVERY_SLAB, recycled
 * through a free list: no allocation per event once the slabs cover the
 * deliveries in flight.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/event_bus.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

/* One rule of the bus (and its target's retry policy). */
struct eb_rule_config {
	const char *target;          /* resource the copies go to */
	double match;                /* share of the events it matches */
	const char *tenants;         /* "a, b": only their events; NULL: all */
	struct sim_dist latency;     /* seconds; the bus's when absent */
	bool cross_account;          /* target in another account */
	int64_t max_retries;         /* MaximumRetryAttempts */
	sim_time_t max_age;          /* MaximumEventAgeInSeconds */
	sim_time_t retry_base;       /* backoff scale (UNCONFIRMED) */
	sim_time_t retry_max;        /* longest backoff (UNCONFIRMED) */
	const char *dead_letter;     /* sqs queue, NULL: none */
	double failure_rate;         /* chance an attempt fails */
};

struct eb_config {
	struct sim_dist latency;     /* seconds, per delivery (one hop) */
	double max_event_size;       /* bytes */
	double put_events_rate;      /* events/s, 0: no limit */
	struct scn_list rules;       /* struct eb_rule_config */
};

#define R(...) SCN_FIELD(struct eb_rule_config, __VA_ARGS__)

static const struct scn_field retry_fields[] = {
	R("max_retry_attempts", SCN_INT, 0, 0, 185, "185", max_retries,
	  "retries after the first attempt (MaximumRetryAttempts; AWS default 185)"),
	R("max_event_age", SCN_DURATION, 0, 60, 86400, "24h", max_age,
	  "no attempt is made once the event is this old on the bus "
	  "(MaximumEventAgeInSeconds; AWS default 24h)"),
	/* Not published: AWS says only "exponential back off and jitter". A
	 * 15 min cap spreads 185 full-jitter retries (7.5 min apart on
	 * average) over about the documented 24 hours. */
	R("base", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "1s", retry_base,
	  "backoff scale: retry k waits rand x min(base x 2^(k-1), max_delay) "
	  "(UNCONFIRMED)"),
	R("max_delay", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 86400, "15m", retry_max,
	  "longest backoff before one retry (UNCONFIRMED)"),
};

static const struct scn_schema retry_schema = {
	"retry", retry_fields, sizeof(retry_fields) / sizeof(retry_fields[0]), NULL
};

static const struct scn_field rule_fields[] = {
	R("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, target,
	  "where matching events go: an sqs queue, a lambda function, another "
	  "event_bus (a hop), pods or a station"),
	R("match", SCN_FRACTION, 0, 0, 1, "100%", match,
	  "share of the (tenants') events the rule's pattern matches, drawn per event"),
	R("tenants", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, tenants,
	  "only these tenants' events match: a name, or names separated by "
	  "commas (default: every tenant)"),
	{ .key = "latency", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .flags = SCN_F_OPTIONAL, .min = 1, .max = 0,
	  .offset = offsetof(struct eb_rule_config, latency),
	  .help = "ingestion to delivery for this rule (default: the bus's latency)" },
	R("cross_account", SCN_BOOL, 0, 1, 0, "false", cross_account,
	  "the target is in another account (counted in CrossAccountInvocations)"),
	{ .key = "retry", .kind = SCN_TABLE, .sub = &retry_schema, .min = 1,
	  .max = 0, .help = "the target's retry policy" },
	R("dead_letter", SCN_NAME, SCN_F_NONE, 1, 0, "none", dead_letter,
	  "standard sqs queue for copies whose retries ran out (none: dropped)"),
	R("failure_rate", SCN_FRACTION, 0, 0, 1, "0%", failure_rate,
	  "chance a delivery attempt fails (target unavailable, throttled, "
	  "missing permissions)"),
};

static const struct scn_schema rule_schema = {
	"rule", rule_fields, sizeof(rule_fields) / sizeof(rule_fields[0]), NULL
};

#define F(...) SCN_FIELD(struct eb_config, __VA_ARGS__)

static const struct scn_field eb_fields[] = {
	/* SEED-FIGURES "EventBridge": P99 end-to-end 129.33 ms; the median
	 * is our guess. */
	{ .key = "latency", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "{lognormal: {median: 50ms, p99: 129.33ms}}",
	  .flags = SCN_F_UNCONFIRMED, .min = 1, .max = 0,
	  .offset = offsetof(struct eb_config, latency),
	  .help = "ingestion to delivery, per hop (p99 129.33 ms from the seeds; "
		  "the median is UNCONFIRMED)" },
	/* SEED-FIGURES "Network footprint": SQS and EventBridge 256 KB. */
	F("max_event_size", SCN_SIZE, 0, 1, 262144, "256KiB", max_event_size,
	  "larger events are refused (rejected)"),
	/* The PutEvents quota is per account and Region and adjustable; FACTS
	 * has no figure for it, so by default there is no limit (a
	 * modelling choice, not a claim about AWS: give the account's quota
	 * to see throttling). */
	F("put_events_rate", SCN_RATE, SCN_F_NONE, 0, 1e9, "none", put_events_rate,
	  "events per second PutEvents accepts (one second of burst); more are "
	  "throttled (rejected); none: no limit (the real quota is per account "
	  "and Region, UNCONFIRMED)"),
	{ .key = "rules", .kind = SCN_LIST, .sub = &rule_schema,
	  .elem_size = sizeof(struct eb_rule_config), .flags = SCN_F_REQUIRED,
	  .offset = offsetof(struct eb_config, rules), .min = 1, .max = 0,
	  .help = "rules, each delivering the events it matches to one target" },
};

static const struct scn_schema eb_schema = {
	.name = "event_bus",
	.fields = eb_fields,
	.n = sizeof(eb_fields) / sizeof(eb_fields[0]),
};

/* A rule without its own latency takes a copy of the bus's, so the run
 * only ever looks at the rule's (scn_free frees both). */
static void eb_configure(void *config, const struct cfg_node *node,
			 struct scn_ctx *ctx)
{
	struct eb_config *c = config;
	const struct cfg_node *list = cfg_get(node, "rules");
	struct eb_rule_config *r = c->rules.items;
	for (size_t i = 0; i < c->rules.n; i++) {
		if (cfg_get(list->items[i], "latency"))
			continue;
		if (sim_dist_copy(&r[i].latency, &c->latency))
			scn_error(ctx, list->items[i], "out of memory");
	}
}

/* Runtime ---------------------------------------------------------------------- */

struct eb_rule {
	const struct eb_rule_config *cfg;
	struct model *target;
	bool to_bus;             /* the target is a bus: a hop, not a delivery */
	struct model *dlq;       /* dead-letter queue, or NULL */
	bool *tenants;           /* per tenant index: matches; NULL: all do */
};

/* One copy of an event on its way to one rule's target. */
struct delivery {
	struct event_bus *bus;
	struct sim_msg msg;      /* as it arrived (sent_at is the tenant's) */
	sim_time_t ingested;     /* when it arrived on this bus */
	uint32_t rule;           /* index into the bus's rules */
	uint32_t attempts;       /* attempts made so far */
	struct delivery *next;   /* free list link */
};

#define DELIVERY_SLAB 256

struct slab {
	struct slab *next;
	struct delivery d[DELIVERY_SLAB];
};

/* Counters of a window (the measurement window, or one sample interval). */
struct eb_counts {
	uint64_t ingested;       /* events accepted */
	uint64_t chunks;         /* billed 64 KB chunks of them */
	uint64_t too_large;      /* refused: over max_event_size */
	uint64_t throttled;      /* refused: over put_events_rate */
	uint64_t matched;        /* events that matched at least one rule */
	uint64_t unmatched;      /* events that matched none */
	uint64_t attempts;       /* delivery attempts (InvocationAttempts) */
	uint64_t retries;        /* attempts after a copy's first */
	uint64_t delivered;      /* successful attempts */
	uint64_t dropped;        /* copies given up with no DLQ */
	uint64_t dead_lettered;  /* copies sent to a DLQ */
	uint64_t cross;          /* successful attempts of cross-account rules */
};

struct event_bus {
	struct model base;             /* must be first */
	const struct eb_config *cfg;
	struct eb_rule *rules;
	size_t n_rules;
	gsl_rng *match_rng;            /* rule matching */
	gsl_rng *latency_rng;          /* delivery latency */
	gsl_rng *fail_rng;             /* failed attempts and backoff jitter */
	double tokens;                 /* PutEvents token bucket */
	sim_time_t tokens_at;
	struct delivery *free;         /* recycled delivery records */
	struct slab *slabs;            /* every record, for destroy */
	uint64_t pending;              /* copies not yet delivered or given up */
	struct eb_counts win;          /* since the warm-up */
	struct eb_counts tick;         /* since the last sample */
	/* Whole replication, for conservation: copies = delivered +
	 * dead-lettered + dropped + pending. */
	uint64_t life_copies, life_delivered, life_dlq, life_dropped;
	struct sim_welford delivery_w; /* ms, delivery to a non-bus target */
	struct sim_hist delivery_h;    /* ms, the same */
	struct sim_welford ingest_w;   /* ms, ingestion to first attempt */
	struct sim_hist ingest_h;      /* ms, the same */
};

struct event_bus *event_bus_from_model(struct model *m)
{
	return m && m->ops == &event_bus_ops ? (struct event_bus *)m : NULL;
}

static struct delivery *delivery_get(struct event_bus *b)
{
	if (!b->free) {
		struct slab *sl = sim_xcalloc(1, sizeof(*sl));
		sl->next = b->slabs;
		b->slabs = sl;
		for (size_t i = 0; i < DELIVERY_SLAB; i++) {
			sl->d[i].next = b->free;
			b->free = &sl->d[i];
		}
	}
	struct delivery *d = b->free;
	b->free = d->next;
	b->pending++;
	return d;
}

static void delivery_put(struct event_bus *b, struct delivery *d)
{
	d->next = b->free;
	b->free = d;
	b->pending--;
}

/* Counts into the measurement window and the sample interval at once. */
#define COUNT(b, member, n) ((b)->win.member += (n), (b)->tick.member += (n))

/* The copy's retries or age ran out: to the DLQ, or dropped. */
static void give_up(struct event_bus *b, struct sim *s, struct delivery *d)
{
	const struct eb_rule *r = &b->rules[d->rule];
	struct sim_msg msg = d->msg;
	delivery_put(b, d);
	struct sim_tenant_stats *t = sim_run_tenant(b->base.run, msg.tenant);
	if (r->dlq) {
		COUNT(b, dead_lettered, 1);
		b->life_dlq++;
		t->dead_lettered++;
		r->dlq->ops->accept(r->dlq, s, &msg);
	} else {
		COUNT(b, dropped, 1);
		b->life_dropped++;
		t->failed++;
	}
}

/* Retry k (k >= 1) waits rand x min(base x 2^(k-1), max_delay). */
static sim_time_t backoff(const struct eb_rule_config *c, uint32_t k, gsl_rng *rng)
{
	double cap = sim_time_to_s(c->retry_base) * pow(2, (double)k - 1);
	double max = sim_time_to_s(c->retry_max);
	return sim_time_from_s(gsl_rng_uniform(rng) * (cap < max ? cap : max));
}

static void on_attempt(struct sim *s, void *target, uint64_t arg)
{
	struct delivery *d = target;
	struct event_bus *b = d->bus;
	const struct eb_rule *r = &b->rules[d->rule];
	const struct eb_rule_config *c = r->cfg;
	(void)arg;
	COUNT(b, attempts, 1);
	if (d->attempts == 0) {
		double ms = sim_time_to_s(s->now - d->ingested) * 1e3;
		sim_welford_add(&b->ingest_w, ms);
		sim_hist_add(&b->ingest_h, ms);
	} else {
		COUNT(b, retries, 1);
	}
	d->attempts++;
	if (c->failure_rate > 0 && gsl_rng_uniform(b->fail_rng) < c->failure_rate) {
		/* attempts - 1 retries made so far. */
		if ((int64_t)d->attempts - 1 < c->max_retries) {
			sim_time_t at = sim_time_add(s->now, backoff(c, d->attempts, b->fail_rng));
			if (at - d->ingested <= c->max_age) {
				sim_schedule(s, at, on_attempt, d, 0);
				return;
			}
		}
		give_up(b, s, d);
		return;
	}
	struct sim_msg msg = d->msg;
	delivery_put(b, d);
	COUNT(b, delivered, 1);
	b->life_delivered++;
	if (c->cross_account)
		COUNT(b, cross, 1);
	if (!r->to_bus) {
		double ms = sim_time_to_s(s->now - msg.sent_at) * 1e3;
		sim_welford_add(&b->delivery_w, ms);
		sim_hist_add(&b->delivery_h, ms);
	}
	r->target->ops->accept(r->target, s, &msg);
}

static void eb_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct event_bus *b = (struct event_bus *)m;
	const struct eb_config *c = b->cfg;
	if ((double)msg->size > c->max_event_size) {
		COUNT(b, too_large, 1);
		sim_run_rejected(m->run, msg);
		return;
	}
	if (c->put_events_rate > 0) {
		/* One second of events in hand, and at least one event. */
		double cap = c->put_events_rate > 1 ? c->put_events_rate : 1;
		b->tokens += c->put_events_rate * sim_time_to_s(s->now - b->tokens_at);
		if (b->tokens > cap)
			b->tokens = cap;
		b->tokens_at = s->now;
		if (b->tokens < 1) {
			COUNT(b, throttled, 1);
			sim_run_rejected(m->run, msg);
			return;
		}
		b->tokens -= 1;
	}
	COUNT(b, ingested, 1);
	COUNT(b, chunks, msg->size > 65536 ? (msg->size + 65535u) / 65536u : 1);
	bool matched = false;
	for (size_t i = 0; i < b->n_rules; i++) {
		const struct eb_rule *r = &b->rules[i];
		if (r->tenants && !r->tenants[msg->tenant])
			continue;
		/* A draw only for partial rules: a rule matching everything
		 * leaves the stream (and the other rules' draws) alone. */
		if (r->cfg->match < 1 && !(gsl_rng_uniform(b->match_rng) < r->cfg->match))
			continue;
		matched = true;
		struct delivery *d = delivery_get(b);
		d->bus = b;
		d->msg = *msg;
		d->ingested = s->now;
		d->rule = (uint32_t)i;
		d->attempts = 0;
		b->life_copies++;
		sim_schedule_in(s, sim_dist_sample_time(&r->cfg->latency, b->latency_rng),
				on_attempt, d, 0);
	}
	if (matched)
		COUNT(b, matched, 1);
	else
		COUNT(b, unmatched, 1);
}

/* Model operations ------------------------------------------------------------ */

static struct model *eb_create(const void *config, const char *name,
			       struct sim_run *run)
{
	struct event_bus *b = sim_xcalloc(1, sizeof(*b));
	b->cfg = config;
	uint64_t seed = (uint64_t)run->scn->seed;
	b->match_rng = sim_rng_stream(seed, run->replication, name, "match");
	b->latency_rng = sim_rng_stream(seed, run->replication, name, "latency");
	b->fail_rng = sim_rng_stream(seed, run->replication, name, "failures");
	if (!b->match_rng || !b->latency_rng || !b->fail_rng ||
	    sim_hist_init(&b->delivery_h) || sim_hist_init(&b->ingest_h)) {
		sim_out_of_memory(sizeof(struct sim_hist));
	}
	b->tokens = b->cfg->put_events_rate > 1 ? b->cfg->put_events_rate : 1;
	b->n_rules = b->cfg->rules.n;
	b->rules = sim_xcalloc(b->n_rules, sizeof(*b->rules));
	const struct eb_rule_config *rc = b->cfg->rules.items;
	for (size_t i = 0; i < b->n_rules; i++)
		b->rules[i].cfg = &rc[i];
	return &b->base;
}

/* Whether events from bus `from` can reach bus `to` through rules aiming
 * at buses (by configuration: other buses may not be linked yet). visited
 * is indexed by resource index. Depth is bounded by the number of buses. */
static bool reaches(struct sim_run *run, struct event_bus *from,
		    const struct event_bus *to, bool *visited)
{
	if (from == to)
		return true;
	if (visited[from->base.index])
		return false;
	visited[from->base.index] = true;
	for (size_t i = 0; i < from->n_rules; i++) {
		struct event_bus *next =
			event_bus_from_model(sim_run_find(run, from->rules[i].cfg->target));
		if (next && reaches(run, next, to, visited))
			return true;
	}
	return false;
}

/* A link error at key `key` of rules[i]. */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void rule_error(struct model *m, struct sim_run *run, size_t i,
		       const char *key, const char *fmt, ...)
{
	const struct cfg_node *rule = cfg_get(m->node, "rules")->items[i];
	const struct cfg_node *n = cfg_get(rule, key);
	if (!n)
		n = rule;
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(run->diag, n->file, n->line, n->col,
		   "resources.%s.rules[%zu].%s: %s", m->name, i, key, msg);
}

/* " (did you mean 'x'?)" among the resources, or "". */
static void resource_hint(char *buf, size_t size, const char *name,
			  const struct sim_run *run)
{
	const char **names = sim_xcalloc(run->n_resources + 1, sizeof(*names));
	for (size_t i = 0; i < run->n_resources; i++)
		names[i] = run->resources[i]->name;
	const char *h = diag_suggest(name, names);
	if (h)
		snprintf(buf, size, " (did you mean '%s'?)", h);
	else
		buf[0] = '\0';
	free(names);
}

/* Parses a rule's "a, b" tenant list into per-tenant flags. */
static int link_tenants(struct model *m, struct sim_run *run, size_t i,
			struct eb_rule *r)
{
	const char *p = r->cfg->tenants;
	if (!p)
		return 0;
	r->tenants = sim_xcalloc(run->scn->n_tenants ? run->scn->n_tenants : 1,
				 sizeof(*r->tenants));
	size_t named = 0;
	int rc = 0;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (!*p)
			break;
		const char *e = p;
		while (*e && *e != ',' && *e != ' ' && *e != '\t')
			e++;
		char name[256];
		snprintf(name, sizeof(name), "%.*s", (int)(e - p), p);
		long t = scenario_find_tenant(run->scn, name);
		if (t < 0) {
			rule_error(m, run, i, "tenants", "no tenant named '%s'", name);
			rc = -1;
		} else {
			r->tenants[t] = true;
			named++;
		}
		p = e;
	}
	if (!named && !rc) {
		rule_error(m, run, i, "tenants", "expected tenant names separated by commas");
		rc = -1;
	}
	return rc;
}

static int eb_link(struct model *m, struct sim_run *run)
{
	struct event_bus *b = (struct event_bus *)m;
	int rc = 0;
	for (size_t i = 0; i < b->n_rules; i++) {
		struct eb_rule *r = &b->rules[i];
		const struct eb_rule_config *c = r->cfg;
		struct model *t = sim_run_find(run, c->target);
		if (!t) {
			char h[300];
			resource_hint(h, sizeof(h), c->target, run);
			rule_error(m, run, i, "target", "no resource named '%s'%s",
				   c->target, h);
			rc = -1;
		} else if (t == m) {
			rule_error(m, run, i, "target",
				   "a rule cannot send the bus's events back to the bus itself");
			rc = -1;
		} else if (!t->ops->accept) {
			rule_error(m, run, i, "target",
				   "'%s' is of type %s, which takes no events",
				   c->target, t->ops->name);
			rc = -1;
		} else {
			r->target = t;
			r->to_bus = event_bus_from_model(t) != NULL;
		}
		if (r->to_bus) {
			bool *visited = sim_xcalloc(run->n_resources + 1, sizeof(*visited));
			if (reaches(run, event_bus_from_model(t), b, visited)) {
				rule_error(m, run, i, "target",
					   "events would come back to '%s' through '%s' (a loop of buses)",
					   m->name, c->target);
				rc = -1;
			}
			free(visited);
		}
		if (c->dead_letter) {
			struct model *d = sim_run_find(run, c->dead_letter);
			struct sqs *q = sqs_from_model(d);
			if (!d) {
				char h[300];
				resource_hint(h, sizeof(h), c->dead_letter, run);
				rule_error(m, run, i, "dead_letter", "no resource named '%s'%s",
					   c->dead_letter, h);
				rc = -1;
			} else if (!q) {
				rule_error(m, run, i, "dead_letter",
					   "'%s' is of type %s, not an sqs queue", c->dead_letter,
					   d->ops->name);
				rc = -1;
			} else if (sqs_is_fifo(q)) {
				rule_error(m, run, i, "dead_letter",
					   "'%s' is a FIFO queue; EventBridge dead-letter queues are standard queues",
					   c->dead_letter);
				rc = -1;
			} else {
				r->dlq = d;
			}
		}
		if (link_tenants(m, run, i, r))
			rc = -1;
	}
	return rc;
}

static void eb_restart(struct model *m, struct sim *s)
{
	struct event_bus *b = (struct event_bus *)m;
	(void)s;
	b->win = (struct eb_counts){ 0 };
	sim_welford_reset(&b->delivery_w);
	sim_welford_reset(&b->ingest_w);
	sim_hist_reset(&b->delivery_h);
	sim_hist_reset(&b->ingest_h);
}

static void eb_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct event_bus *b = (struct event_bus *)m;
	const struct eb_counts *t = &b->tick;
	const char *n = m->name;
	sim_recorder_count(rec, s->now, n, "IngestedEvents", (double)t->ingested);
	sim_recorder_count(rec, s->now, n, "MatchedEvents", (double)t->matched);
	sim_recorder_count(rec, s->now, n, "InvocationAttempts", (double)t->attempts);
	sim_recorder_count(rec, s->now, n, "RetryInvocationAttempts", (double)t->retries);
	sim_recorder_count(rec, s->now, n, "FailedInvocations", (double)t->dropped);
	sim_recorder_count(rec, s->now, n, METRIC_DEAD_LETTER_INVOCATIONS, (double)t->dead_lettered);
	sim_recorder_put(rec, s->now, n, "PendingInvocations", (double)b->pending);
	b->tick = (struct eb_counts){ 0 };
}

static void put_quantiles(struct sim_results *res, const char *n, const char *metric,
			  const struct sim_hist *h)
{
	static const struct {
		const char *suffix;
		double q;
	} qs[] = { { "p50", 0.50 }, { "p95", 0.95 }, { "p99", 0.99 } };
	char name[128];
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++) {
		snprintf(name, sizeof(name), "%s.%s", metric, qs[i].suffix);
		sim_results_put(res, n, name, "ms", sim_hist_quantile(h, qs[i].q));
	}
	snprintf(name, sizeof(name), "%s.max", metric);
	sim_results_put(res, n, name, "ms", h->n ? h->max : NAN);
}

static void eb_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct event_bus *b = (struct event_bus *)m;
	const struct eb_counts *w = &b->win;
	const char *n = m->name;
	(void)s;
	if (b->life_copies != b->life_delivered + b->life_dlq + b->life_dropped + b->pending)
		sim_run_fail(m->run,
			     "%s: events not conserved: copies %llu != delivered %llu + dead-lettered %llu + dropped %llu + pending %llu",
			     n, (unsigned long long)b->life_copies,
			     (unsigned long long)b->life_delivered,
			     (unsigned long long)b->life_dlq,
			     (unsigned long long)b->life_dropped,
			     (unsigned long long)b->pending);
	sim_results_put(res, n, "IngestedEvents", "count", (double)w->ingested);
	sim_results_put(res, n, "RejectedEvents", "count", (double)w->too_large);
	sim_results_put(res, n, "ThrottledEvents", "count", (double)w->throttled);
	sim_results_put(res, n, "MatchedEvents", "count", (double)w->matched);
	sim_results_put(res, n, "UnmatchedEvents", "count", (double)w->unmatched);
	sim_results_put(res, n, "InvocationAttempts", "count", (double)w->attempts);
	/* CloudWatch's Invocations: successful and permanently failed, not
	 * retried attempts, not dead-lettered copies. */
	sim_results_put(res, n, METRIC_INVOCATIONS, "count", (double)(w->delivered + w->dropped));
	sim_results_put(res, n, "SuccessfulInvocations", "count", (double)w->delivered);
	sim_results_put(res, n, "FailedInvocations", "count", (double)w->dropped);
	sim_results_put(res, n, "RetryInvocationAttempts", "count", (double)w->retries);
	sim_results_put(res, n, METRIC_DEAD_LETTER_INVOCATIONS, "count", (double)w->dead_lettered);
	sim_results_put(res, n, METRIC_DROPPED, "count", (double)w->dropped);
	sim_results_put(res, n, "CrossAccountInvocations", "count", (double)w->cross);
	sim_results_put(res, n, "PendingInvocations", "count", (double)b->pending);
	sim_results_put(res, n, "IngestionToInvocationStartLatency", "ms",
			b->ingest_w.n ? b->ingest_w.mean : NAN);
	put_quantiles(res, n, "IngestionToInvocationStartLatency", &b->ingest_h);
	sim_results_put(res, n, METRIC_DELIVERY_LATENCY, "ms",
			b->delivery_w.n ? b->delivery_w.mean : NAN);
	put_quantiles(res, n, "DeliveryLatency", &b->delivery_h);
	sim_results_meter(res, n, "Amazon EventBridge", "Events", "event",
			  "eventbridge.events", (double)w->chunks);
}

static void eb_destroy(struct model *m)
{
	struct event_bus *b = (struct event_bus *)m;
	if (!b)
		return;
	while (b->slabs) {
		struct slab *next = b->slabs->next;
		free(b->slabs);
		b->slabs = next;
	}
	for (size_t i = 0; i < b->n_rules; i++)
		free(b->rules[i].tenants);
	free(b->rules);
	sim_hist_finish(&b->delivery_h);
	sim_hist_finish(&b->ingest_h);
	gsl_rng_free(b->match_rng);
	gsl_rng_free(b->latency_rng);
	gsl_rng_free(b->fail_rng);
	free(b);
}

/* Each rule sends the events it matches to its target. */
static bool eb_route(struct model *m, size_t i, struct model_route *r)
{
	struct event_bus *b = (struct event_bus *)m;
	if (i >= b->n_rules)
		return false;
	r->to = b->rules[i].target;
	r->at = cfg_get(cfg_get(m->node, "rules")->items[i], "target");
	snprintf(r->path, sizeof(r->path), "resources.%s.rules[%zu].target",
		 m->name, i);
	return true;
}

/* What the reports read of a bus (sim/report_desc.h): its rules. */
static void event_bus_facts(const struct scenario *scn, const struct scn_entry *e,
			    struct model_facts *f)
{
	(void)scn;
	(void)e;
	f->roles = MODEL_ROUTER;
}

static bool event_bus_delivery(const struct scn_entry *e, size_t i,
			       struct model_delivery *d)
{
	const struct cfg_node *rules = cfg_get(e->node, "rules");
	if (!rules || rules->type != CFG_SEQ || i >= rules->n)
		return false;
	const char *dl = desc_scalar(rules->items[i], "dead_letter");
	snprintf(d->path, sizeof(d->path), "rules[%zu]", i);
	d->target = desc_scalar(rules->items[i], "target");
	d->dead_lettered = dl && strcmp(dl, "none");
	return true;
}

/* Each rule, and its dead-letter queue. */
static void event_bus_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *rules = cfg_get(e->node, "rules");
	for (size_t i = 0; rules && rules->type == CFG_SEQ && i < rules->n; i++) {
		const struct cfg_node *r = rules->items[i];
		const struct cfg_node *t = cfg_get(r, "target");
		const struct cfg_node *rd = cfg_get(r, "dead_letter");
		k->edge(k, e->name, t ? t->value : "", NULL, r);
		if (rd && rd->type == CFG_SCALAR && strcmp(rd->value, "none"))
			k->edge(k, e->name, rd->value, "rule dead-letter queue", NULL);
	}
}

static const struct model_report event_bus_report = {
	.facts = event_bus_facts,
	.delivery = event_bus_delivery,
	.edges = event_bus_edges,
};

const struct model_ops event_bus_ops = {
	.name = "event_bus",
	.help = "Amazon EventBridge event bus: rules matching events to targets, "
		"delivery latency, retries, dead-letter queues",
	.schema = &eb_schema,
	.config_size = sizeof(struct eb_config),
	.configure = eb_configure,
	.create = eb_create,
	.link = eb_link,
	.restart = eb_restart,
	.sample = eb_sample,
	.finish = eb_finish,
	.destroy = eb_destroy,
	.accept = eb_accept,
	.route = eb_route,
	.report = &event_bus_report,
};
