/* sqs_config.c - the scenario keys of an sqs resource (its schema, with
 * the AWS defaults and limits and where they come from) and the checks of
 * its links: the dead-letter queue (another sqs queue of the same type, no
 * cycle of dead-letter queues) and the initial backlog's tenant
 * (sqs_config.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "models/sqs_config.h"
#include "sim/alloc.h"
#include "sim/run.h"

#define F(...) SCN_FIELD(struct sqs_config, __VA_ARGS__)

static const struct scn_field dead_letter_fields[] = {
	F("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, dlq,
	  "the sqs resource messages move to"),
	/* Range 1-1000 ("DLQ maxReceiveCount guidance" in FACTS):
	 * https://aws.github.io/modern-data-architecture-accelerator/typedocs/interfaces/_aws-mdaa_dataops-lambda-l3-construct.QueueDlqProps.html */
	F("max_receive_count", SCN_INT, SCN_F_REQUIRED, 1, 1000, NULL,
	  max_receive_count,
	  "receives after which a message whose visibility timeout passes moves to the target"),
};

static const struct scn_schema dead_letter_schema = {
	.name = "dead_letter",
	.fields = dead_letter_fields,
	.n = sizeof(dead_letter_fields) / sizeof(dead_letter_fields[0]),
};

static const struct scn_field backlog_fields[] = {
	F("count", SCN_INT, SCN_F_REQUIRED, 1, 1e9, NULL, backlog_count,
	  "messages visible at time 0"),
	F("tenant", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, backlog_tenant,
	  "the tenant they belong to (their size and work factor; counted as its sent)"),
};

static const struct scn_schema backlog_schema = {
	.name = "initial_backlog",
	.fields = backlog_fields,
	.n = sizeof(backlog_fields) / sizeof(backlog_fields[0]),
};

/* Fair queues ("SQS fair queues" in FACTS):
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues.html
 * https://docs.amazonaws.cn/en_us/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-fair-queues-detailed.html
 * AWS calls the thresholds approximate: they are parameters. */
static const struct scn_field fair_fields[] = {
	F("in_flight_share", SCN_FRACTION, 0, 0, 1, "10%", noisy_share,
	  "a group is noisy above this share of the queue's in-flight messages..."),
	F("min_in_flight", SCN_INT, 0, 1, 1e6, "30", noisy_min_in_flight,
	  "...with at least this many of its own in flight"),
	F("time_share", SCN_FRACTION, 0, 0, 1, "10%", noisy_time_share,
	  "or above this share of recent processing (in-flight) time"),
	/* How recent "recent processing time" is: not documented. */
	F("window", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 86400, "1m", noisy_window,
	  "time constant of the moving average behind time_share (UNCONFIRMED: not documented)"),
	F("quiet_after", SCN_DURATION, 0, 1, 86400, "5m", quiet_after,
	  "a noisy group that sends nothing this long is quiet again"),
};

static const struct scn_schema fair_schema = {
	.name = "fair",
	.fields = fair_fields,
	.n = sizeof(fair_fields) / sizeof(fair_fields[0]),
};

static void sqs_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx);

static const struct scn_field sqs_fields[] = {
	/* Default 30 s, 0-12 h ("Visibility timeout" in FACTS):
	 * https://docs.aws.amazon.com/cli/v1/reference/sqs/change-message-visibility.html */
	F("visibility_timeout", SCN_DURATION, 0, 0, 43200, "30s",
	  visibility_timeout,
	  "a received message is invisible this long unless deleted"),
	/* Default 4 d, 60 s-14 d ("Retention" in FACTS):
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
	F("message_retention", SCN_DURATION, 0, 60, 1209600, "4d",
	  message_retention, "a message is dropped this long after it was sent"),
	/* Default 0 s, 0-15 min ("Delay queue / message timer" in FACTS):
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html */
	F("delay", SCN_DURATION, 0, 0, 900, "0s", delay,
	  "a sent message becomes visible this long after it arrives"),
	/* Default 256 KiB, 1 KiB-1 MiB ("Max message size (current)" in FACTS):
	 * https://pub.dev/documentation/pulumi_aws/latest/sqs/Queue/maxMessageSize.html */
	F("max_message_size", SCN_SIZE, 0, 1024, 1048576, "256KiB",
	  max_message_size, "larger messages are rejected"),
	/* Redrive on ReceiveCount ("Redrive" in FACTS):
	 * https://app.unpkg.com/@pulumi/aws@7.4.0/files/sqs/redrive.d.ts */
	{ .key = "dead_letter", .kind = SCN_TABLE, .flags = SCN_F_OPTIONAL,
	  .sub = &dead_letter_schema, .min = 1, .max = 0,
	  .help = "redrive policy: {target, max_receive_count}" },
	{ .key = "initial_backlog", .kind = SCN_TABLE, .flags = SCN_F_OPTIONAL,
	  .sub = &backlog_schema, .min = 1, .max = 0,
	  .help = "messages already waiting at the start: {count, tenant}" },
	/* FIFO ordering, one in-flight batch per group ("FIFO queues" in
	 * FACTS): https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html */
	F("fifo", SCN_BOOL, 0, 0, 0, "false", fifo,
	  "FIFO queue: order kept within a message group, whose later messages "
	  "wait while any of it is in flight"),
	/* "FIFO high-throughput mode" in FACTS:
	 * https://mdsite.deno.dev/https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html */
	F("high_throughput", SCN_BOOL, 0, 0, 0, "false", high_throughput,
	  "FIFO high-throughput mode: api_rate defaults to 70,000/s (us-east-1, "
	  "us-west-2, eu-west-1) instead of 300/s"),
	/* "FIFO throughput (normal)" in FACTS, 300 calls/s per action:
	 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/troubleshooting-fifo-throttling-issues.html */
	{ .key = "api_rate", .kind = SCN_RATE, .flags = SCN_F_OPTIONAL, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct sqs_config, api_rate),
	  .help = "FIFO: calls per second per action (SendMessage, ReceiveMessage) "
		  "before ThrottlingException; default 300/s (each tenant message "
		  "is one SendMessage; a receive takes up to 10)" },
	{ .key = "fair", .kind = SCN_TABLE, .flags = SCN_F_SWITCH, .dflt = "false",
	  .sub = &fair_schema, .offset = offsetof(struct sqs_config, fair),
	  .help = "fair queue: messages of quiet groups (the tenant's group) are "
		  "received before those of noisy ones" },
};

const struct scn_schema sqs_schema = {
	.name = "sqs",
	.fields = sqs_fields,
	.n = sizeof(sqs_fields) / sizeof(sqs_fields[0]),
	.check = sqs_check,
};

/* A standard queue may be fair; a FIFO queue has its own throughput. */
static void sqs_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct sqs_config *c = obj;
	if (c->fifo && c->fair)
		scn_error_key(ctx, cfg_get(node, "fair"), "fair",
			      "a fair queue is a standard queue: not with fifo: true");
	if (!c->fifo && c->high_throughput)
		scn_error_key(ctx, cfg_get(node, "high_throughput"), "high_throughput",
			      "only FIFO queues have a high-throughput mode (set fifo: true)");
	if (!c->fifo && c->api_rate > 0)
		scn_error_key(ctx, cfg_get(node, "api_rate"), "api_rate",
			      "only FIFO queues limit API calls (set fifo: true)");
}

/* A link error at key `key` of the table `sub` of this resource, with the
 * position of the key's value. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void link_error(struct model *m, const char *sub, const char *key,
		       const char *fmt, ...)
{
	const struct cfg_node *n = cfg_get(cfg_get(m->node, sub), key);
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_error(m->run->diag, n->file, n->line, n->col,
		   "resources.%s.%s.%s: %s", m->name, sub, key, msg);
}

/* " (did you mean 'x'?)" for the closest of names (NULL-terminated), or "". */
static void hint(char *buf, size_t size, const char *word,
		 const char *const *names)
{
	const char *h = diag_suggest(word, names);
	if (h)
		snprintf(buf, size, " (did you mean '%s'?)", h);
	else
		buf[0] = '\0';
}

/* The queue the dead_letter of m names, when that is another sqs queue. */
static struct model *dlq_of(struct sim_run *run, const struct model *m)
{
	const char *name = ((const struct sqs *)m)->cfg->dlq;
	struct model *t = name ? sim_run_find(run, name) : NULL;
	return t && t != m && t->ops == &sqs_ops ? t : NULL;
}

/* A chain of dead-letter queues that comes back to m (a -> b -> a): refused
 * like a queue that is its own dead-letter queue. Each queue has at most
 * one dead-letter queue, so following the chain from m finds the cycle if
 * m is on one, within as many steps as there are resources; it is reported
 * once, at the queue of the cycle that comes first in the scenario. */
static bool dlq_cycle(struct model *m, struct sim_run *run)
{
	struct model *t = dlq_of(run, m);
	size_t steps = 0;
	while (t && t != m && t->index > m->index && steps++ < run->n_resources)
		t = dlq_of(run, t);
	if (t != m)
		return false;
	char names[512];
	snprintf(names, sizeof(names), "%s", m->name);
	t = m;
	do {
		t = dlq_of(run, t);
		snprintf(names + strlen(names), sizeof(names) - strlen(names),
			 " -> %s", t->name);
	} while (t != m);
	link_error(m, "dead_letter", "target",
		   "the dead-letter queues form a cycle (%s); a queue cannot be its own dead-letter queue, even through others",
		   names);
	return true;
}

int sqs__link(struct model *m, struct sim_run *run)
{
	struct sqs *q = (struct sqs *)m;
	const struct sqs_config *c = q->cfg;
	char h[300];
	int rc = 0;
	if (c->dlq) {
		struct model *t = sim_run_find(run, c->dlq);
		if (!t) {
			/* Suggest among the other queues. */
			const char **names = sim_xcalloc(run->n_resources + 1,
							 sizeof(*names));
			size_t k = 0;
			for (size_t i = 0; i < run->n_resources; i++)
				if (run->resources[i] != m &&
				    run->resources[i]->ops == &sqs_ops)
					names[k++] = run->resources[i]->name;
			hint(h, sizeof(h), c->dlq, names);
			free(names);
			link_error(m, "dead_letter", "target",
				   "no resource named '%s'%s", c->dlq, h);
			rc = -1;
		} else if (t == m) {
			link_error(m, "dead_letter", "target",
				   "a queue cannot be its own dead-letter queue");
			rc = -1;
		} else if (t->ops != &sqs_ops) {
			link_error(m, "dead_letter", "target",
				   "'%s' is a %s, not an sqs queue", c->dlq,
				   t->ops->name);
			rc = -1;
		} else if (((struct sqs *)t)->cfg->fifo != c->fifo) {
			/* "Redrive" in FACTS: the dead-letter queue's type must
			 * match its source's. */
			link_error(m, "dead_letter", "target",
				   "'%s' is a %s queue; the dead-letter queue of a %s queue must be %s too",
				   c->dlq, c->fifo ? "standard" : "FIFO",
				   c->fifo ? "FIFO" : "standard",
				   c->fifo ? "FIFO" : "standard");
			rc = -1;
		} else if (dlq_cycle(m, run)) {
			rc = -1;
		} else {
			q->dlq = (struct sqs *)t;
		}
	}
	if (c->backlog_tenant) {
		long t = scenario_find_tenant(run->scn, c->backlog_tenant);
		if (t < 0) {
			const char **names = sim_xcalloc(run->scn->n_tenants + 1,
							 sizeof(*names));
			for (size_t i = 0; i < run->scn->n_tenants; i++)
				names[i] = run->scn->tenants[i].name;
			hint(h, sizeof(h), c->backlog_tenant, names);
			free(names);
			link_error(m, "initial_backlog", "tenant",
				   "no tenant named '%s'%s", c->backlog_tenant, h);
			rc = -1;
		} else {
			q->backlog_tenant = (uint32_t)t;
		}
	}
	return rc;
}
