/* fixed.c - a provisioned resource billed by the hour whether used or not:
 * an OpenSearch domain's nodes, an EC2 fleet, a database cluster.
 *
 * It has no dynamics: `count` instances run for the whole measurement
 * window and are metered as InstanceHours = count x hours of the window,
 * priced at the pricing table's `price_key` under `service`. It also takes
 * records (accept): anything sent to it (a Firehose stream's deliveries,
 * a tenant) is counted and delivered at once, so a fixed OpenSearch domain
 * can be the end of a pipeline. It models no capacity: an overloaded domain
 * does not slow down or refuse anything.
 *
 * Prices are not in FACTS: the pricing file's opensearch.* and ec2.* keys
 * are UNCONFIRMED placeholders; give your instance types' prices with
 * `pricing: FILE`.
 *
 * `service` and `price_key` point into the scenario's YAML tree: the
 * results that carry them must not outlive the scenario (every caller
 * frees the outcome before the scenario).
 */
#include <stdlib.h>

#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/run.h"

struct fixed_config {
	const char *service;   /* billing service, e.g. "Amazon OpenSearch Service" */
	int64_t count;         /* instances (nodes) */
	const char *price_key; /* pricing table key of one instance-hour */
};

#define F(...) SCN_FIELD(struct fixed_config, __VA_ARGS__)

static const struct scn_field fixed_fields[] = {
	F("service", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, service,
	  "service on the bill, e.g. \"Amazon OpenSearch Service\", \"Amazon EC2\""),
	F("count", SCN_INT, 0, 1, 1e6, "1", count,
	  "instances (nodes) billed every hour of the window"),
	F("price_key", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, price_key,
	  "pricing table key of one instance-hour, e.g. opensearch.instance_hour"),
};

static const struct scn_schema fixed_schema = {
	.name = "fixed",
	.fields = fixed_fields,
	.n = sizeof(fixed_fields) / sizeof(fixed_fields[0]),
};

static void fixed_configure(void *config, const struct cfg_node *node,
			    struct scn_ctx *ctx)
{
	const struct fixed_config *c = config;
	if (c->service && !c->service[0])
		scn_error_key(ctx, node, "service", "must not be empty");
	if (c->price_key && !c->price_key[0])
		scn_error_key(ctx, node, "price_key", "must not be empty");
}

struct fixed {
	struct model base;             /* must be first */
	const struct fixed_config *cfg;
	sim_time_t window_start;       /* start of the measurement window */
	uint64_t received;             /* records taken in the window */
	double bytes;                  /* their bytes */
	uint64_t tick_received;        /* since the last sample */
};

static void fixed_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct fixed *f = (struct fixed *)m;
	(void)s;
	uint64_t w = sim_msg_weight(msg);
	f->received += w;
	f->tick_received += w;
	f->bytes += (double)msg->size * (double)w;
	sim_run_delivered(m->run, msg);
}

static struct model *fixed_create(const void *config, const char *name,
				  struct sim_run *run)
{
	struct fixed *f = sim_xcalloc(1, sizeof(*f));
	f->cfg = config;
	(void)name;
	(void)run;
	return &f->base;
}

static void fixed_start(struct model *m, struct sim *s)
{
	((struct fixed *)m)->window_start = s->now;
}

static void fixed_restart(struct model *m, struct sim *s)
{
	struct fixed *f = (struct fixed *)m;
	f->window_start = s->now;
	f->received = 0;
	f->bytes = 0;
}

static void fixed_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct fixed *f = (struct fixed *)m;
	sim_recorder_count(rec, s->now, m->name, "Received", (double)f->tick_received);
	f->tick_received = 0;
}

static void fixed_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct fixed *f = (struct fixed *)m;
	double hours = sim_time_to_s(s->now - f->window_start) / 3600.0;
	sim_results_put(res, m->name, "Received", "count", (double)f->received);
	sim_results_put(res, m->name, "ReceivedBytes", "bytes", f->bytes);
	sim_results_put(res, m->name, "Instances", "count", (double)f->cfg->count);
	sim_results_meter(res, m->name, f->cfg->service, "InstanceHours",
			  "instance-hour", f->cfg->price_key,
			  (double)f->cfg->count * hours);
}

static void fixed_destroy(struct model *m)
{
	free(m);
}

const struct model_ops fixed_ops = {
	.name = "fixed",
	.help = "provisioned resource billed per instance-hour whether used or not "
		"(OpenSearch domain, EC2 fleet); a sink for records",
	.schema = &fixed_schema,
	.config_size = sizeof(struct fixed_config),
	.configure = fixed_configure,
	.create = fixed_create,
	.start = fixed_start,
	.restart = fixed_restart,
	.sample = fixed_sample,
	.finish = fixed_finish,
	.destroy = fixed_destroy,
	.accept = fixed_accept,
	.cohorts = true,
};
