/* dependency.c - an external dependency: latency, a rate limit, outages and
 * a failure probability (see dependency.h).
 *
 * The rate limit is a token bucket holding one second of calls; a call over
 * it fails at once (429). During an outage `{at, for}` a call fails after
 * `timeout` (the caller's client gives up), or at once with down:
 * fail_fast. Otherwise it takes a latency draw and fails with
 * failure_rate. The retry policy is the caller's client's, declared here
 * because it belongs to this API: full jitter, as AWS SDKs' standard mode
 * (FACTS 5, "SDK retry, standard mode").
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "models/dependency.h"
#include "models/describe.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"

struct outage {
	sim_time_t at;
	sim_time_t dur;
};

static const char *const down_names[] = { "timeout", "fail_fast", NULL };

struct dep_config {
	struct sim_dist latency;      /* seconds */
	double rate_limit;            /* calls/s, 0 none */
	struct scn_list outages;      /* struct outage */
	int down;                     /* 0 timeout, 1 fail fast */
	sim_time_t timeout;
	double failure_rate;
	struct sdk_retry retry;       /* max_attempts, retry_base, retry_max */
};

#define F(...) SCN_FIELD(struct dep_config, __VA_ARGS__)

static const struct scn_field outage_fields[] = {
	{ .key = "at", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .offset = offsetof(struct outage, at), .help = "when it goes down" },
	{ .key = "for", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .exclusive_min = true, .offset = offsetof(struct outage, dur),
	  .help = "how long it stays down" },
};

static const struct scn_schema outage_schema = { "outage", outage_fields, 2, NULL };

static const struct scn_field dep_fields[] = {
	{ .key = "latency", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION, .dflt = "50ms",
	  .min = 1, .max = 0, .offset = offsetof(struct dep_config, latency),
	  .help = "time a call takes when the dependency is up" },
	{ .key = "rate_limit", .kind = SCN_RATE, .flags = SCN_F_OPTIONAL, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct dep_config, rate_limit),
	  .help = "calls per second it accepts (one second of burst); more fail at once (429)" },
	{ .key = "outages", .kind = SCN_LIST, .sub = &outage_schema,
	  .elem_size = sizeof(struct outage), .flags = SCN_F_OPTIONAL, .min = 1, .max = 0,
	  .offset = offsetof(struct dep_config, outages),
	  .help = "windows it is down: [{at: 30m, for: 20m}]" },
	{ .key = "down", .kind = SCN_ENUM, .names = down_names, .dflt = "timeout",
	  .min = 1, .max = 0, .offset = offsetof(struct dep_config, down),
	  .help = "a call while down: timeout (fails after `timeout`) or fail_fast" },
	F("timeout", SCN_DURATION, 0, 0.001, 900, "3s", timeout,
	  "how long a caller waits for a dependency that is down"),
	F("failure_rate", SCN_FRACTION, 0, 0, 1, "0%", failure_rate,
	  "chance a call fails while it is up"),
	/* FACTS 5 "SDK retry, standard mode": 3 attempts, full jitter, 20 s cap. */
	F("max_attempts", SCN_INT, 0, 1, 100, "3", retry.max_attempts,
	  "attempts of one request before the caller gives up"),
	F("retry_base", SCN_DURATION, 0, 0, 3600, "1s", retry.base,
	  "retry delay scale: rand x min(base x 2^(attempt-1), retry_max)"),
	F("retry_max", SCN_DURATION, 0, 0, 3600, "20s", retry.max_delay,
	  "longest retry delay"),
};

static const struct scn_schema dep_schema = {
	.name = "dependency",
	.fields = dep_fields,
	.n = sizeof(dep_fields) / sizeof(dep_fields[0]),
};

struct dependency {
	struct model base;          /* must be first */
	const struct dep_config *cfg;
	gsl_rng *rng;
	double tokens;
	sim_time_t tokens_at;
	uint64_t calls, failed, limited, down;
};

bool dep_call(struct dependency *d, struct sim *s, sim_time_t *after)
{
	const struct dep_config *c = d->cfg;
	bool measuring = d->base.run->measuring;
	if (measuring)
		d->calls++;
	const struct outage *o = c->outages.items;
	for (size_t i = 0; i < c->outages.n; i++) {
		if (s->now >= o[i].at && s->now < o[i].at + o[i].dur) {
			*after = c->down ? 0 : c->timeout;
			if (measuring) {
				d->down++;
				d->failed++;
			}
			return false;
		}
	}
	if (c->rate_limit > 0) {
		/* One second of calls in hand, and at least one call. */
		double cap = c->rate_limit > 1 ? c->rate_limit : 1;
		d->tokens += c->rate_limit * sim_time_to_s(s->now - d->tokens_at);
		if (d->tokens > cap)
			d->tokens = cap;
		d->tokens_at = s->now;
		if (d->tokens < 1) {
			*after = 0;
			if (measuring) {
				d->limited++;
				d->failed++;
			}
			return false;
		}
		d->tokens -= 1;
	}
	*after = sim_dist_sample_time(&c->latency, d->rng);
	if (c->failure_rate > 0 && gsl_rng_uniform(d->rng) < c->failure_rate) {
		if (measuring)
			d->failed++;
		return false;
	}
	return true;
}

const struct sdk_retry *dep_retry(const struct dependency *d)
{
	return &d->cfg->retry;
}

struct dependency *dep_from_model(struct model *m)
{
	return m && m->ops == &dependency_ops ? (struct dependency *)m : NULL;
}

static struct model *dep_create(const void *config, const char *name,
				struct sim_run *run)
{
	struct dependency *d = sim_xcalloc(1, sizeof(*d));
	d->cfg = config;
	d->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name, "calls");
	d->tokens = d->cfg->rate_limit > 1 ? d->cfg->rate_limit : 1;
	return &d->base;
}

static void dep_restart(struct model *m, struct sim *s)
{
	struct dependency *d = (struct dependency *)m;
	(void)s;
	d->calls = d->failed = d->limited = d->down = 0;
}

static void dep_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct dependency *d = (struct dependency *)m;
	(void)s;
	sim_results_put(res, m->name, "Calls", "count", (double)d->calls);
	sim_results_put(res, m->name, METRIC_FAILED_CALLS, "count", (double)d->failed);
	sim_results_put(res, m->name, "RateLimitedCalls", "count", (double)d->limited);
	sim_results_put(res, m->name, "CallsWhileDown", "count", (double)d->down);
}

static void dep_destroy(struct model *m)
{
	struct dependency *d = (struct dependency *)m;
	if (!d)
		return;
	gsl_rng_free(d->rng);
	free(d);
}

/* What the review reads of a dependency (sim/report_desc.h): its longest
 * outage window. */
static void dependency_facts(const struct scenario *scn, const struct scn_entry *e,
			     struct model_facts *f)
{
	(void)scn;
	const struct cfg_node *o = cfg_get(e->node, "outages");
	f->roles = MODEL_DEPENDENCY;
	for (size_t j = 0; o && o->type == CFG_SEQ && j < o->n; j++) {
		double len = desc_seconds(o->items[j], "for");
		if (len > f->outage)
			f->outage = len;
	}
}

static const struct model_report dependency_report = {
	.facts = dependency_facts,
};

const struct model_ops dependency_ops = {
	.name = "dependency",
	.help = "external API or downstream service: latency, rate limit, outages, failures",
	.schema = &dep_schema,
	.config_size = sizeof(struct dep_config),
	.create = dep_create,
	.restart = dep_restart,
	.finish = dep_finish,
	.destroy = dep_destroy,
	.report = &dependency_report,
};
