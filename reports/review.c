/* review.c - the review rules (see review.h).
 *
 * Rules read the resolved scenario (every default filled in, so a key is
 * always there unless it is an optional table) and the run's summary
 * metrics; they know the resource types by name and nothing of the
 * models' internals.
 */
#include "reports/review.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/units.h"

const struct rule review_rules[] = {
	{ "SQS1", "queue without a dead-letter queue", SEV_WARNING, false,
	  "a message that always fails is received again and again until its "
	  "retention ends: it costs invocations and hides behind healthy traffic",
	  "FACTS 4 \"Redrive\"; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html" },
	{ "SQS2", "visibility timeout under 6x the function timeout", SEV_WARNING, false,
	  "a batch throttled or retried inside the function can outlive the "
	  "visibility timeout: its messages come back while still being worked on",
	  "FACTS 1 \"Visibility timeout guidance\"; https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html" },
	{ "SQS3", "function timeout over the visibility timeout", SEV_ERROR, false,
	  "AWS rejects the event source mapping; spillway refuses to load such a "
	  "scenario (exit status 2)",
	  "FACTS 1 \"Visibility timeout guidance\"; https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html" },
	{ "ESM1", "SQS trigger without maximum concurrency while downstream throttles",
	  SEV_WARNING, true,
	  "the mapping scales up to 1,250 concurrent batches whatever the "
	  "function calls can take; throttled calls lengthen invocations and "
	  "fail messages into the dead-letter queue",
	  "FACTS 1 \"ScalingConfig.MaximumConcurrency\"; https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html" },
	{ "LAM1", "reserved concurrency below the event sources' maximum concurrency",
	  SEV_WARNING, false,
	  "the mappings may run more batches than the function may: the excess "
	  "is throttled and retried",
	  "FACTS 1 \"MaximumConcurrency vs reserved concurrency\"; https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html" },
	{ "SQS4", "max_receive_count under 5", SEV_WARNING, false,
	  "a message throttled a few times (not failed) is dead-lettered",
	  "FACTS 1 \"DLQ maxReceiveCount guidance\"; https://aws.github.io/modern-data-architecture-accelerator/typedocs/interfaces/_aws-mdaa_dataops-lambda-l3-construct.QueueDlqProps.html" },
	{ "SQS5", "messages dead-lettered or expired", SEV_WARNING, true,
	  "work that was sent did not get done",
	  "simulated" },
	{ "SQS6", "retention shorter than the simulated drain", SEV_ERROR, true,
	  "messages waiting longer than the retention are dropped",
	  "FACTS 4 \"Retention\"; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html" },
	{ "DDB1", "DynamoDB throttling", SEV_WARNING, true,
	  "throttled requests are retried by the SDK (longer invocations) and "
	  "fail after the last attempt",
	  "FACTS 5 \"Per-partition limit\", \"Burst capacity\"; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html" },
	{ "LAM2", "a function at the account's concurrency limit", SEV_WARNING, true,
	  "every function in the account shares the limit: one burst throttles "
	  "the others",
	  "FACTS 3 \"Default account concurrency\"; https://docs.aws.amazon.com/lambda/latest/dg/limits.html" },
	{ "NET1", "NAT gateway data a VPC endpoint or compression would save on",
	  SEV_INFO, true,
	  "a NAT gateway charges per GB processed; an interface endpoint charges "
	  "less per GB, and compressed payloads cross fewer GB",
	  "FACTS 6 \"NAT data processing\", \"Interface endpoint data\"; https://aws.amazon.com/privatelink/pricing/" },
	{ "SQS7", "message sizes near the queue's limit", SEV_WARNING, false,
	  "a payload that grows a little is rejected at SendMessage",
	  "FACTS 4 \"Max message size (current)\"; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html" },
	{ "ESM2", "high-volume small batches with no batching window", SEV_INFO, true,
	  "every invocation and every receive is billed: a batching window "
	  "fills batches at the cost of a little latency (judged: more than "
	  "10,000 invocations an hour averaging under half of batch_size)",
	  "FACTS 1 \"MaximumBatchingWindowInSeconds\"; https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html" },
	{ "RTY1", "visibility-timeout retries shorter than a dependency's outage",
	  SEV_WARNING, false,
	  "a message fails at each receive while the dependency is down: after "
	  "max_receive_count receives, max_receive_count x visibility_timeout "
	  "apart, it is dead-lettered before the outage ends; a scheduler retry "
	  "with exponential backoff spans the outage",
	  "seed \"Create a serverless custom retry mechanism for stateless queue consumers\"; FACTS 4 \"Redrive\"" },
	{ "EVB1", "event bus rule without a dead-letter queue", SEV_WARNING, false,
	  "an event whose delivery keeps failing is retried for up to 24 hours "
	  "and then dropped without a trace",
	  "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html" },
	{ "SFN1", "state machine without a failure queue", SEV_WARNING, false,
	  "a failed execution's input is lost: nothing can replay it once the "
	  "cause is fixed",
	  "seed \"Efficient satellite imagery supply ... BASF\" (failure queue with replay)" },
	{ "SQS8", "retention shorter than a dependency's outage", SEV_ERROR, false,
	  "messages that wait out the outage in the queue expire and are lost",
	  "FACTS 4 \"Retention\"; https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-messages.html" },
};

const size_t review_n_rules = sizeof(review_rules) / sizeof(review_rules[0]);

const char *severity_name(int severity)
{
	return severity == SEV_ERROR ? "error" : severity == SEV_WARNING ? "warning" : "info";
}

static const struct rule *rule(const char *id)
{
	for (size_t i = 0; i < review_n_rules; i++)
		if (!strcmp(review_rules[i].id, id))
			return &review_rules[i];
	return NULL;
}

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
static void add(struct findings *out, const char *id, const char *resource,
		const char *fix, const char *fmt, ...)
{
	char text[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	out->v = sim_xrealloc(out->v, (out->n + 1) * sizeof(*out->v));
	out->v[out->n++] = (struct finding){
		.rule = rule(id), .resource = sim_xstrdup(resource),
		.text = sim_xstrdup(text), .fix = fix ? sim_xstrdup(fix) : NULL,
	};
}

void findings_free(struct findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->v[i].resource);
		free(f->v[i].text);
		free(f->v[i].fix);
		free(f->v[i].whatif);
	}
	free(f->v);
	*f = (struct findings){ 0 };
}

/* Reading the resolved scenario ---------------------------------------------- */

static const char *type_of(const struct scn_entry *e)
{
	const struct cfg_node *t = cfg_get(e->node, "type");
	return t && t->type == CFG_SCALAR ? t->value : "";
}

static const struct scn_entry *resource(const struct scenario *scn, const char *name)
{
	for (size_t i = 0; i < scn->n_resources; i++)
		if (!strcmp(scn->resources[i].name, name))
			return &scn->resources[i];
	return NULL;
}

static const char *scalar(const struct cfg_node *map, const char *key)
{
	const struct cfg_node *n = cfg_get(map, key);
	return n && n->type == CFG_SCALAR ? n->value : NULL;
}

/* A duration key in seconds, NAN when absent. */
static double seconds(const struct cfg_node *map, const char *key)
{
	const char *v = scalar(map, key);
	double s;
	return v && !sim_parse_duration_s(v, &s) ? s : NAN;
}

/* A whole number, or -1 for none / absent. */
static double count(const struct cfg_node *map, const char *key)
{
	const char *v = scalar(map, key);
	double x;
	return v && !sim_parse_number(v, &x) ? x : -1;
}

/* The most fn may reserve: its account's concurrency_limit (the only
 * account resource, the one it names, or AWS's default 1,000) less the
 * other functions' reservations in it and the 100 kept unreserved. */
static double account_room(const struct scenario *scn, const struct scn_entry *fn)
{
	const char *want = scalar(fn->node, "account");
	double limit = 1000;
	const char *account = NULL;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *a = &scn->resources[i];
		if (strcmp(type_of(a), "account") || (want && strcmp(want, a->name)))
			continue;
		limit = count(a->node, "concurrency_limit");
		account = a->name;
		break;
	}
	double others = 0;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		if (e == fn || strcmp(type_of(e), "lambda"))
			continue;
		const char *in = scalar(e->node, "account");
		if ((in && account && strcmp(in, account)) || (in && !account))
			continue;
		double r = count(e->node, "reserved_concurrency");
		others += r > 0 ? r : 0;
	}
	return limit - others - 100;
}

static bool is_dlq(const struct scenario *scn, const char *queue)
{
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct cfg_node *dl = cfg_get(scn->resources[i].node, "dead_letter");
		const char *t = dl ? scalar(dl, "target") : NULL;
		if (t && !strcmp(t, queue))
			return true;
	}
	return false;
}

/* Each (function, event source index, source map) in the scenario. */
struct source {
	const struct scn_entry *fn;
	size_t index;
	const struct cfg_node *map;
};

static size_t sources(const struct scenario *scn, struct source *out, size_t max)
{
	size_t n = 0;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct cfg_node *list = cfg_get(e->node, "event_sources");
		if (strcmp(type_of(e), "lambda") || !list || list->type != CFG_SEQ)
			continue;
		for (size_t k = 0; k < list->n && n < max; k++)
			out[n++] = (struct source){ e, k, list->items[k] };
	}
	return n;
}

/* Whether an event source polls queue. */
static bool polled(const struct source *src, size_t ns, const char *queue)
{
	for (size_t i = 0; i < ns; i++) {
		const char *q = scalar(src[i].map, "queue");
		if (q && !strcmp(q, queue))
			return true;
	}
	return false;
}

/* The longest outage window of the dependencies fn calls, in seconds (0:
 * none). */
static double longest_outage(const struct scenario *scn, const struct scn_entry *fn)
{
	const struct cfg_node *calls = cfg_get(fn->node, "calls");
	double most = 0;
	for (size_t k = 0; calls && calls->type == CFG_SEQ && k < calls->n; k++) {
		const char *t = scalar(calls->items[k], "target");
		const struct scn_entry *d = t ? resource(scn, t) : NULL;
		const struct cfg_node *o = d && !strcmp(type_of(d), "dependency")
						   ? cfg_get(d->node, "outages") : NULL;
		for (size_t j = 0; o && o->type == CFG_SEQ && j < o->n; j++) {
			double len = seconds(o->items[j], "for");
			if (len > most)
				most = len;
		}
	}
	return most;
}

/* Exponential retries from one minute whose delays add up past the outage
 * (one more than needed), at most 31. */
static int retries_spanning(double outage)
{
	int k = 0;
	for (double spanned = 0; spanned < outage && k < 31; k++)
		spanned += 60 * pow(2, k);
	return k < 31 ? k + 1 : 31;
}

void review_static(const struct scenario *scn, struct findings *out)
{
	struct source src[256];
	size_t ns = sources(scn, src, 256);
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		if (strcmp(type_of(e), "sqs"))
			continue;
		const struct cfg_node *dl = cfg_get(e->node, "dead_letter");
		if (!dl && !is_dlq(scn, e->name) && polled(src, ns, e->name))
			add(out, "SQS1", e->name, NULL,
			    "no dead_letter: a message that keeps failing is retried until it expires");
		double mrc = dl ? count(dl, "max_receive_count") : -1;
		if (dl && mrc >= 1 && mrc < 5)
			add(out, "SQS4", e->name, NULL,
			    "max_receive_count is %g; at least 5 is recommended", mrc);
		double limit;
		const char *lim = scalar(e->node, "max_message_size");
		if (lim && !sim_parse_size(lim, &limit)) {
			for (size_t t = 0; t < scn->n_tenants; t++) {
				const char *target = scalar(scn->tenants[t].node, "target");
				const char *size = scalar(scn->tenants[t].node, "message_size");
				double b;
				if (!target || strcmp(target, e->name) || !size ||
				    sim_parse_size(size, &b))
					continue;
				if (b > 0.8 * limit)
					add(out, "SQS7", e->name, NULL,
					    "tenant '%s' sends %s messages, %.0f%% of max_message_size %s",
					    scn->tenants[t].name, size, 100 * b / limit, lim);
			}
		}
	}
	for (size_t i = 0; i < ns; i++) {
		const char *qname = scalar(src[i].map, "queue");
		const struct scn_entry *q = qname ? resource(scn, qname) : NULL;
		double vt = q ? seconds(q->node, "visibility_timeout") : NAN;
		double ft = seconds(src[i].fn->node, "timeout");
		if (isfinite(vt) && isfinite(ft) && vt < 6 * ft && vt >= ft)
			add(out, "SQS2", qname, NULL,
			    "visibility timeout %gs is under 6 x the timeout of '%s' (%gs)",
			    vt, src[i].fn->name, ft);
	}
	/* RTY1, SQS8: a consumer of a dependency with outage windows. */
	for (size_t i = 0; i < ns; i++) {
		double outage = longest_outage(scn, src[i].fn);
		const char *qname = scalar(src[i].map, "queue");
		const struct scn_entry *q = qname ? resource(scn, qname) : NULL;
		if (!(outage > 0) || !q)
			continue;
		double keep = seconds(q->node, "message_retention");
		char keep_fix[512];
		/* FACTS 4 "Retention": 14 days at most. */
		snprintf(keep_fix, sizeof(keep_fix), "resources.%s.message_retention=14d", qname);
		if (isfinite(keep) && keep < outage)
			add(out, "SQS8", qname, outage < 14 * 86400.0 ? keep_fix : NULL,
			    "message_retention %gs is shorter than the %gs outage of a dependency of '%s'",
			    keep, outage, src[i].fn->name);
		const struct cfg_node *of = cfg_get(src[i].map, "on_failure");
		const struct cfg_node *dl = cfg_get(q->node, "dead_letter");
		double vt = seconds(q->node, "visibility_timeout");
		double mrc = dl ? count(dl, "max_receive_count") : -1;
		if ((of && of->type == CFG_MAP) || !dl || !(mrc >= 1) || !(mrc * vt < outage))
			continue;
		char fix[512];
		snprintf(fix, sizeof(fix),
			 "resources.%s.event_sources[%zu].on_failure={retry: scheduler, backoff: exponential, base: 1m, max_retries: %d, dead_letter: %s}",
			 src[i].fn->name, src[i].index, retries_spanning(outage),
			 scalar(dl, "target"));
		add(out, "RTY1", qname, fix,
		    "%g receives %gs apart span %gs; a dependency of '%s' is down for %gs",
		    mrc, vt, mrc * vt, src[i].fn->name, outage);
	}
	/* EVB1, SFN1: where failed work goes. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		if (!strcmp(type_of(e), "event_bus")) {
			const struct cfg_node *rules = cfg_get(e->node, "rules");
			for (size_t k = 0; rules && rules->type == CFG_SEQ && k < rules->n; k++) {
				const char *dl = scalar(rules->items[k], "dead_letter");
				const char *t = scalar(rules->items[k], "target");
				const struct scn_entry *te = t ? resource(scn, t) : NULL;
				/* A hop to another bus is judged on that bus's rules. */
				if ((!dl || !strcmp(dl, "none")) &&
				    !(te && !strcmp(type_of(te), "event_bus")))
					add(out, "EVB1", e->name, NULL,
					    "rules[%zu] (to '%s') has no dead_letter", k, t ? t : "?");
			}
		} else if (!strcmp(type_of(e), "state_machine")) {
			const char *fq = scalar(e->node, "failure_queue");
			if (!fq || !strcmp(fq, "none"))
				add(out, "SFN1", e->name, NULL,
				    "no failure_queue: failed executions' inputs are lost");
		}
	}
	/* LAM1: per function, reserved vs the sum of its sources' maximum. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		if (strcmp(type_of(e), "lambda"))
			continue;
		double reserved = count(e->node, "reserved_concurrency");
		double sum = 0;
		bool capped = false;
		for (size_t k = 0; k < ns; k++) {
			if (src[k].fn != e)
				continue;
			double mc = count(src[k].map, "maximum_concurrency");
			if (mc > 0) {
				sum += mc;
				capped = true;
			}
		}
		if (reserved >= 0 && capped && reserved < sum) {
			/* The fix may reserve only what the account has room for:
			 * its limit less the others' reservations and the 100 AWS
			 * keeps unreserved (account.c). */
			double room = account_room(scn, e);
			double to = sum < room ? sum : room;
			char fix[512];
			snprintf(fix, sizeof(fix), "resources.%s.reserved_concurrency=%.0f",
				 e->name, to);
			if (to > reserved)
				add(out, "LAM1", e->name, fix,
				    "reserved concurrency %g is below the %g concurrent batches its event sources may run%s",
				    reserved, sum, to < sum ? " (the account has room for no more than the fix)" : "");
			else
				add(out, "LAM1", e->name, NULL,
				    "reserved concurrency %g is below the %g concurrent batches its event sources may run, and the account has no room for more: lower their maximum_concurrency",
				    reserved, sum);
		}
	}
}

/* The simulated evidence ------------------------------------------------------- */

static double mean(const struct point_result *pr, const char *res, const char *metric)
{
	const struct pr_metric *m = point_metric(pr, res, metric);
	return m ? m->mean : NAN;
}

/* Two significant digits, at least 2 (a maximum_concurrency to try). */
static double round2(double x)
{
	if (x < 2)
		return 2;
	double p = pow(10, floor(log10(x)) - 1);
	return floor(x / p) * p;
}

void review_evidence(const struct scenario *scn, const struct point_result *pr,
		     const struct pricing *p, struct findings *out)
{
	struct source src[256];
	size_t ns = sources(scn, src, 256);
	double ddb_throttles = 0;
	const char *throttled_table = NULL;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const char *type = type_of(e);
		if (!strcmp(type, "dynamodb")) {
			double w = mean(pr, e->name, "WriteThrottleEvents");
			double r = mean(pr, e->name, "ReadThrottleEvents");
			double t = (isfinite(w) ? w : 0) + (isfinite(r) ? r : 0);
			if (t > 0) {
				add(out, "DDB1", e->name, NULL,
				    "%.0f throttled requests (%.0f writes, %.0f reads)", t,
				    isfinite(w) ? w : 0, isfinite(r) ? r : 0);
				ddb_throttles += t;
				throttled_table = e->name;
			}
		} else if (!strcmp(type, "sqs")) {
			double dlq = mean(pr, e->name, "NumberOfMessagesMovedToDLQ");
			double exp = mean(pr, e->name, "NumberOfMessagesExpired");
			if ((isfinite(dlq) && dlq > 0) || (isfinite(exp) && exp > 0))
				add(out, "SQS5", e->name, NULL,
				    "%.0f messages dead-lettered and %.0f expired per replication",
				    isfinite(dlq) ? dlq : 0, isfinite(exp) ? exp : 0);
			double drain = mean(pr, e->name, "DrainTime");
			double keep = seconds(e->node, "message_retention");
			if (isfinite(keep) && ((isfinite(drain) && drain > keep) ||
					       (isfinite(exp) && exp > 0)))
				add(out, "SQS6", e->name, NULL,
				    "the backlog took %gs to drain; retention is %gs",
				    drain, keep);
		} else if (!strcmp(type, "nat_gateway")) {
			double gb = mean(pr, e->name, "DataProcessed");
			const struct price *nat = pricing_find(p, "nat_gateway.gb");
			const struct price *vpce = pricing_find(p, "vpc_endpoint.gb");
			if (isfinite(gb) && gb > 0 && nat && vpce) {
				double save = gb * (nat->usd / nat->per - vpce->usd / vpce->per);
				add(out, "NET1", e->name, NULL,
				    "%.4g GB through the NAT gateway: an interface endpoint would "
				    "cost $%.2f less for this window (before its hourly charge), and "
				    "70%% compression would save $%.2f of NAT processing",
				    gb, save, 0.7 * gb * nat->usd / nat->per);
			}
		}
	}
	/* The account limit. */
	double limit = 1000; /* FACTS 3 "Default account concurrency" */
	const char *account = "account";
	for (size_t i = 0; i < scn->n_resources; i++)
		if (!strcmp(type_of(&scn->resources[i]), "account")) {
			limit = count(scn->resources[i].node, "concurrency_limit");
			account = scn->resources[i].name;
		}
	double peak = mean(pr, account, "ConcurrentExecutions.max");
	double acc_thr = mean(pr, account, "Throttles");
	if (isfinite(peak) && peak >= limit)
		add(out, "LAM2", account, NULL,
		    "concurrent executions reached the limit of %g (%.0f throttles)", limit,
		    isfinite(acc_thr) ? acc_thr : 0);
	for (size_t i = 0; i < ns; i++) {
		const char *fn = src[i].fn->name;
		double fn_thr = mean(pr, fn, "Throttles");
		double mc = count(src[i].map, "maximum_concurrency");
		bool downstream = ddb_throttles > 0 || (isfinite(fn_thr) && fn_thr > 0);
		const struct cfg_node *pp = cfg_get(src[i].map, "provisioned_pollers");
		bool provisioned = pp && pp->type == CFG_MAP;
		if (mc < 0 && downstream && !provisioned) {
			double fpeak = mean(pr, fn, "ConcurrentExecutions.max");
			char fix[512];
			snprintf(fix, sizeof(fix),
				 "resources.%s.event_sources[%zu].maximum_concurrency=%.0f",
				 fn, src[i].index,
				 round2(isfinite(fpeak) ? fpeak / 8 : 100) > 1000
					 ? 1000 : round2(isfinite(fpeak) ? fpeak / 8 : 100));
			add(out, "ESM1", fn, fix,
			    "no maximum_concurrency on the mapping from '%s' while %s throttles",
			    scalar(src[i].map, "queue"),
			    throttled_table ? throttled_table : fn);
		}
		double events, invocations = mean(pr, fn, "Invocations");
		char res[600];
		snprintf(res, sizeof(res), "%s/%s", fn, scalar(src[i].map, "queue"));
		events = mean(pr, res, "PolledEventCount");
		double bs = count(src[i].map, "batch_size");
		double window = seconds(src[i].map, "maximum_batching_window");
		/* A FIFO queue's mapping takes no batching window. */
		const struct scn_entry *q = resource(scn, scalar(src[i].map, "queue"));
		const char *fifo = q ? scalar(q->node, "fifo") : NULL;
		bool ordered = fifo && !strcmp(fifo, "true");
		double hours = sim_time_to_s(scn->duration - scn->warmup) / 3600.0;
		if (isfinite(events) && isfinite(invocations) && !ordered &&
		    invocations > 10000 * hours && bs > 1 && window == 0 &&
		    events / invocations < bs / 2) {
			char fix[512];
			snprintf(fix, sizeof(fix),
				 "resources.%s.event_sources[%zu].maximum_batching_window=1s",
				 fn, src[i].index);
			add(out, "ESM2", fn, fix,
			    "%.0f invocations of %.2f messages on average (batch_size %g) with no batching window",
			    invocations, events / invocations, bs);
		}
	}
}
