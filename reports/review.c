/* review.c - the review rules (see review.h).
 *
 * Rules read the facts the resource types give of the resolved scenario
 * (sim/report_desc.h: roles such as queue or function, limits, timeouts,
 * event sources) and the run's summary metrics; they know no resource
 * type by name and no model's keys.
 */
#include "reports/review.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/report_desc.h"
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
	{ "LAM1", "reserved concurrency below, or too close above, the event sources' maximum concurrency",
	  SEV_WARNING, false,
	  "the mappings may run more batches than the function may, and they do "
	  "not account for its reserved concurrency: their view of the "
	  "invocations in flight lags the function's, so a reservation only a "
	  "little above their maximum still throttles; the excess is throttled "
	  "and retried",
	  "FACTS 1 \"MaximumConcurrency vs reserved concurrency\", FACTS 3 \"ESM vs reserved concurrency\"; https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html ; https://www.repost.aws/knowledge-center/lambda-sqs-scaling" },
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

/* The facts ------------------------------------------------------------------ */

/* What the resource types say of the scenario's resources (their review
 * facts, sim/report_desc.h), and the event sources polling its queues. */
struct view {
	const struct scenario *scn;
	struct model_facts *f;        /* one per resource, in order */
	struct model_poller *src;     /* every poller, by resource, in order */
	size_t ns;
};

static void view_load(struct view *v, const struct scenario *scn)
{
	*v = (struct view){ .scn = scn };
	v->f = sim_xcalloc(scn->n_resources ? scn->n_resources : 1, sizeof(*v->f));
	size_t cap = 0;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct model_report *r = e->ops->report;
		model_facts_init(&v->f[i]);
		if (r && r->facts)
			r->facts(scn, e, &v->f[i]);
		for (size_t k = 0; r && r->poller; k++) {
			if (v->ns == cap) {
				cap = cap ? 2 * cap : 16;
				v->src = sim_xrealloc(v->src, cap * sizeof(*v->src));
			}
			if (!r->poller(e, k, &v->src[v->ns]))
				break;
			v->ns++;
		}
	}
}

static void view_free(struct view *v)
{
	free(v->f);
	free(v->src);
}

/* The facts of the resource named name, NULL when there is none. */
static const struct model_facts *facts(const struct view *v, const char *name)
{
	for (size_t i = 0; name && i < v->scn->n_resources; i++)
		if (!strcmp(v->scn->resources[i].name, name))
			return &v->f[i];
	return NULL;
}

/* Whether the resource named name plays role. */
static bool plays(const struct view *v, const char *name, unsigned role)
{
	const struct model_facts *f = facts(v, name);
	return f && (f->roles & role);
}

static bool is_dlq(const struct view *v, const char *queue)
{
	for (size_t i = 0; i < v->scn->n_resources; i++)
		if (v->f[i].dead_letter && !strcmp(v->f[i].dead_letter, queue))
			return true;
	return false;
}

/* Whether an event source polls queue. */
static bool polled(const struct view *v, const char *queue)
{
	for (size_t i = 0; i < v->ns; i++)
		if (v->src[i].queue && !strcmp(v->src[i].queue, queue))
			return true;
	return false;
}

/* The most fn may reserve: its account's concurrency limit (the only
 * account resource, the one it names, or the default) less the other
 * functions' reservations in it and what the account keeps unreserved. */
static double account_room(const struct view *v, const struct model_facts *fn)
{
	double limit = fn->default_limit;
	const char *account = NULL;
	for (size_t i = 0; i < v->scn->n_resources; i++) {
		const char *name = v->scn->resources[i].name;
		if (!(v->f[i].roles & MODEL_ACCOUNT) || (fn->account && strcmp(fn->account, name)))
			continue;
		limit = v->f[i].concurrency_limit;
		account = name;
		break;
	}
	double others = 0;
	for (size_t i = 0; i < v->scn->n_resources; i++) {
		const struct model_facts *e = &v->f[i];
		if (e == fn || !(e->roles & MODEL_FUNCTION))
			continue;
		const char *in = e->account;
		if ((in && account && strcmp(in, account)) || (in && !account))
			continue;
		others += e->reserved > 0 ? e->reserved : 0;
	}
	return limit - others - fn->unreserved;
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

/* SQS7: tenants sending messages near the queue's size limit. */
static void near_size_limit(const struct scenario *scn, const char *queue,
			    const struct model_facts *q, struct findings *out)
{
	for (size_t t = 0; t < scn->n_tenants; t++) {
		const struct scn_entry *te = &scn->tenants[t];
		struct model_facts tf;
		model_facts_init(&tf);
		if (te->ops->report && te->ops->report->facts)
			te->ops->report->facts(scn, te, &tf);
		double b;
		if (!tf.target || strcmp(tf.target, queue) || !tf.message_size_text ||
		    sim_parse_size(tf.message_size_text, &b))
			continue;
		if (b > 0.8 * q->max_size)
			add(out, "SQS7", queue, NULL,
			    "tenant '%s' sends %s messages, %.0f%% of max_message_size %s",
			    te->name, tf.message_size_text, 100 * b / q->max_size,
			    q->max_size_text);
	}
}

void review_static(const struct scenario *scn, struct findings *out)
{
	struct view v;
	view_load(&v, scn);
	for (size_t i = 0; i < scn->n_resources; i++) {
		const char *name = scn->resources[i].name;
		const struct model_facts *q = &v.f[i];
		if (!(q->roles & MODEL_QUEUE))
			continue;
		if (!q->dead_letter && !is_dlq(&v, name) && polled(&v, name))
			add(out, "SQS1", name, NULL,
			    "no dead_letter: a message that keeps failing is retried until it expires");
		double mrc = q->max_receive_count;
		if (q->dead_letter && mrc >= 1 && mrc < 5)
			add(out, "SQS4", name, NULL,
			    "max_receive_count is %g; at least 5 is recommended", mrc);
		if (q->max_size_text)
			near_size_limit(scn, name, q, out);
	}
	for (size_t i = 0; i < v.ns; i++) {
		const struct model_poller *p = &v.src[i];
		const struct model_facts *q = facts(&v, p->queue), *fn = facts(&v, p->consumer);
		double vt = q ? q->visibility_timeout : NAN;
		double ft = fn ? fn->timeout : NAN;
		if (isfinite(vt) && isfinite(ft) && vt < 6 * ft && vt >= ft)
			add(out, "SQS2", p->queue, NULL,
			    "visibility timeout %gs is under 6 x the timeout of '%s' (%gs)",
			    vt, p->consumer, ft);
	}
	/* RTY1, SQS8: a consumer of a dependency with outage windows. */
	for (size_t i = 0; i < v.ns; i++) {
		const struct model_poller *p = &v.src[i];
		const struct model_facts *q = facts(&v, p->queue), *fn = facts(&v, p->consumer);
		double outage = fn ? fn->downstream_outage : 0;
		if (!(outage > 0) || !q)
			continue;
		double keep = q->retention;
		if (isfinite(keep) && keep < outage) {
			char keep_fix[512];
			snprintf(keep_fix, sizeof(keep_fix), "resources.%s.%s=14d", p->queue,
				 q->retention_key ? q->retention_key : "?");
			add(out, "SQS8", p->queue, outage < 14 * 86400.0 ? keep_fix : NULL,
			    "message_retention %gs is shorter than the %gs outage of a dependency of '%s'",
			    keep, outage, p->consumer);
		}
		double vt = q->visibility_timeout;
		double mrc = q->max_receive_count;
		if (p->retries || !q->dead_letter || !(mrc >= 1) || !(mrc * vt < outage))
			continue;
		char fix[600];
		snprintf(fix, sizeof(fix),
			 "%s.on_failure={retry: scheduler, backoff: exponential, base: 1m, max_retries: %d, dead_letter: %s}",
			 p->path, retries_spanning(outage), q->dead_letter);
		add(out, "RTY1", p->queue, fix,
		    "%g receives %gs apart span %gs; a dependency of '%s' is down for %gs",
		    mrc, vt, mrc * vt, p->consumer, outage);
	}
	/* EVB1, SFN1: where failed work goes. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct model_report *r = e->ops->report;
		struct model_delivery d;
		if (v.f[i].roles & MODEL_ROUTER) {
			for (size_t k = 0; r && r->delivery && r->delivery(e, k, &d); k++)
				/* A hop to another router is judged on its rules. */
				if (!d.dead_lettered && !plays(&v, d.target, MODEL_ROUTER))
					add(out, "EVB1", e->name, NULL, "%s (to '%s') has no dead_letter",
					    d.path, d.target ? d.target : "?");
		} else if ((v.f[i].roles & MODEL_WORKFLOW) && !v.f[i].failure_queue) {
			add(out, "SFN1", e->name, NULL,
			    "no failure_queue: failed executions' inputs are lost");
		}
	}
	/* LAM1: per function, reserved vs the sum of its sources' maximum. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const char *name = scn->resources[i].name;
		const struct model_facts *fn = &v.f[i];
		if (!(fn->roles & MODEL_FUNCTION))
			continue;
		double reserved = fn->reserved;
		double sum = 0;
		bool capped = false;
		for (size_t k = 0; k < v.ns; k++) {
			if (strcmp(v.src[k].consumer, name))
				continue;
			double mc = v.src[k].max_concurrency;
			if (mc > 0) {
				sum += mc;
				capped = true;
			}
		}
		if (reserved >= 0 && capped && reserved < sum) {
			/* The fix may reserve only what the account has room for:
			 * its limit less the others' reservations and what it
			 * keeps unreserved. */
			double room = account_room(&v, fn);
			double to = sum < room ? sum : room;
			char fix[512];
			snprintf(fix, sizeof(fix), "resources.%s.%s=%.0f", name,
				 fn->reserved_key ? fn->reserved_key : "?", to);
			if (to > reserved)
				add(out, "LAM1", name, fix,
				    "reserved concurrency %g is below the %g concurrent batches its event sources may run%s",
				    reserved, sum, to < sum ? " (the account has room for no more than the fix)" : "");
			else
				add(out, "LAM1", name, NULL,
				    "reserved concurrency %g is below the %g concurrent batches its event sources may run, and the account has no room for more: lower their maximum_concurrency",
				    reserved, sum);
		}
	}
	view_free(&v);
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
	struct view v;
	view_load(&v, scn);
	double table_throttles = 0;
	const char *throttled_table = NULL;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const char *name = scn->resources[i].name;
		const struct model_facts *f = &v.f[i];
		if (f->roles & MODEL_TABLE) {
			double w = mean(pr, name, METRIC_WRITE_THROTTLES);
			double r = mean(pr, name, METRIC_READ_THROTTLES);
			double t = (isfinite(w) ? w : 0) + (isfinite(r) ? r : 0);
			if (t > 0) {
				add(out, "DDB1", name, NULL,
				    "%.0f throttled requests (%.0f writes, %.0f reads)", t,
				    isfinite(w) ? w : 0, isfinite(r) ? r : 0);
				table_throttles += t;
				throttled_table = name;
			}
		} else if (f->roles & MODEL_QUEUE) {
			double dlq = mean(pr, name, METRIC_MOVED_TO_DLQ);
			double exp = mean(pr, name, METRIC_EXPIRED);
			if ((isfinite(dlq) && dlq > 0) || (isfinite(exp) && exp > 0))
				add(out, "SQS5", name, NULL,
				    "%.0f messages dead-lettered and %.0f expired per replication",
				    isfinite(dlq) ? dlq : 0, isfinite(exp) ? exp : 0);
			double drain = mean(pr, name, METRIC_DRAIN_TIME);
			double keep = f->retention;
			if (isfinite(keep) && ((isfinite(drain) && drain > keep) ||
					       (isfinite(exp) && exp > 0)))
				add(out, "SQS6", name, NULL,
				    "the backlog took %gs to drain; retention is %gs",
				    drain, keep);
		} else if (f->roles & MODEL_DATA_PATH) {
			double gb = mean(pr, name, METRIC_DATA_PROCESSED);
			const struct price *nat = pricing_find(p, f->price_key);
			const struct price *vpce = pricing_find(p, f->cheaper_price_key);
			if (isfinite(gb) && gb > 0 && nat && vpce) {
				double save = gb * (nat->usd / nat->per - vpce->usd / vpce->per);
				add(out, "NET1", name, NULL,
				    "%.4g GB through the NAT gateway: an interface endpoint would "
				    "cost $%.2f less for this window (before its hourly charge), and "
				    "70%% compression would save $%.2f of NAT processing",
				    gb, save, 0.7 * gb * nat->usd / nat->per);
			}
		}
	}
	/* The account limit: the (last) account resource's, else the default
	 * account of the functions. */
	double limit = NAN;
	const char *account = NULL;
	for (size_t i = 0; i < scn->n_resources; i++)
		if (v.f[i].roles & MODEL_ACCOUNT) {
			limit = v.f[i].concurrency_limit;
			account = scn->resources[i].name;
		}
	for (size_t i = 0; i < scn->n_resources && !account; i++)
		if (v.f[i].roles & MODEL_FUNCTION) {
			limit = v.f[i].default_limit;
			account = v.f[i].default_account;
		}
	double peak = account ? mean(pr, account, METRIC_CONCURRENT_EXECUTIONS METRIC_MAX) : NAN;
	double acc_thr = account ? mean(pr, account, METRIC_THROTTLES) : NAN;
	if (isfinite(peak) && peak >= limit)
		add(out, "LAM2", account, NULL,
		    "concurrent executions reached the limit of %g (%.0f throttles)", limit,
		    isfinite(acc_thr) ? acc_thr : 0);
	/* LAM1 on evidence: a reservation at or above the mappings' maximum
	 * that still throttled. */
	for (size_t i = 0; i < scn->n_resources; i++) {
		const char *name = scn->resources[i].name;
		const struct model_facts *fn = &v.f[i];
		if (!(fn->roles & MODEL_FUNCTION) || fn->reserved < 0)
			continue;
		double sum = 0;
		for (size_t k = 0; k < v.ns; k++)
			if (!strcmp(v.src[k].consumer, name) && v.src[k].max_concurrency > 0)
				sum += v.src[k].max_concurrency;
		double thr = mean(pr, name, METRIC_THROTTLES);
		if (sum <= 0 || fn->reserved < sum || !isfinite(thr) || thr <= 0)
			continue;
		/* A margin of a third, at least 10, within what the account
		 * has room for; the what-if shows whether it is enough. */
		double want = ceil(sum * 4 / 3) > sum + 10 ? ceil(sum * 4 / 3) : sum + 10;
		double room = account_room(&v, fn);
		double to = want < room ? want : room;
		char fix[512];
		snprintf(fix, sizeof(fix), "resources.%s.%s=%.0f", name,
			 fn->reserved_key ? fn->reserved_key : "?", to);
		add(out, "LAM1", name, to > fn->reserved ? fix : NULL,
		    "reserved concurrency %g is only %g above the %g concurrent batches its event sources may run, "
		    "and %.0f invocations were throttled: the mappings do not account for the reservation",
		    fn->reserved, fn->reserved - sum, sum, thr);
	}
	double hours = sim_time_to_s(scn->duration - scn->warmup) / 3600.0;
	for (size_t i = 0; i < v.ns; i++) {
		const struct model_poller *src = &v.src[i];
		const char *fn = src->consumer;
		double fn_thr = mean(pr, fn, METRIC_THROTTLES);
		double mc = src->max_concurrency;
		bool downstream = table_throttles > 0 || (isfinite(fn_thr) && fn_thr > 0);
		if (mc < 0 && downstream && !src->provisioned) {
			double fpeak = mean(pr, fn, METRIC_CONCURRENT_EXECUTIONS METRIC_MAX);
			char fix[600];
			snprintf(fix, sizeof(fix), "%s.maximum_concurrency=%.0f", src->path,
				 round2(isfinite(fpeak) ? fpeak / 8 : 100) > 1000
					 ? 1000 : round2(isfinite(fpeak) ? fpeak / 8 : 100));
			add(out, "ESM1", fn, fix,
			    "no maximum_concurrency on the mapping from '%s' while %s throttles",
			    src->queue, throttled_table ? throttled_table : fn);
		}
		double events, invocations = mean(pr, fn, METRIC_INVOCATIONS);
		events = mean(pr, src->metrics, METRIC_POLLED_EVENTS);
		double bs = src->batch_size;
		double window = src->batching_window;
		/* An ordered queue's event source takes no batching window. */
		const struct model_facts *q = facts(&v, src->queue);
		bool ordered = q && q->ordered;
		if (isfinite(events) && isfinite(invocations) && !ordered &&
		    invocations > 10000 * hours && bs > 1 && window == 0 &&
		    events / invocations < bs / 2) {
			char fix[600];
			snprintf(fix, sizeof(fix), "%s.maximum_batching_window=1s", src->path);
			add(out, "ESM2", fn, fix,
			    "%.0f invocations of %.2f messages on average (batch_size %g) with no batching window",
			    invocations, events / invocations, bs);
		}
	}
	view_free(&v);
}
