/* esm.c - the Lambda event source mapping for SQS, on-demand and
 * provisioned mode.
 *
 * A resource of its own (esm_ops, named FUNCTION/QUEUE), written under its
 * function's event_sources: the loader takes each element as a resource
 * (model_ops.within) that the run driver runs right after the function. It
 * calls the queue (receive, wait, delete, hand off: sqs.h) and the
 * function (invoke and its outcome: lambda.h); neither calls it.
 *
 * Pollers ("workers" here) each loop: ReceiveMessage (long polling),
 * gather a batch, Invoke the function, delete what succeeded, repeat. How
 * many run at once is the mapping's concurrency:
 *   - 5 concurrent batches when messages appear, then up to +300 per minute
 *     while messages wait (FACTS 1, "Initial concurrency" and "Scale-up
 *     rate": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html);
 *   - a ceiling of 1,250 by default; the current English page says 1,000,
 *     so it is a parameter (FACTS 1, "Max concurrent batches per ESM");
 *   - maximum_concurrency 2..1000 caps it (FACTS 1,
 *     https://docs.aws.amazon.com/lambda/latest/dg/API_ScalingConfig.html);
 *   - a poller whose long poll comes back empty retires, down to 5, or to 2
 *     without maximum_concurrency (FACTS 1, "Scale-down at low traffic");
 *   - a throttled or failed invocation lowers the concurrency by one
 *     ("gradually reduces", FACTS 1, "Backoff on throttle" / "on function
 *     error": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-errorhandling.html),
 *     except failures reported per item with ReportBatchItemFailures
 *     (FACTS 1, "Partial batch effect on scaling").
 * A throttled batch is retried with exponential backoff until the batch's
 * visibility timeout would pass; then it is dropped and its messages return
 * to the queue when their timeout passes, with a higher receive count. The
 * backoff delays are not documented by AWS: they are parameters
 * (backoff_base, backoff_max), UNCONFIRMED. The long-poll wait of the
 * mapping is not documented either (SQS allows up to 20 s: FACTS 1, "Long
 * polling"): poll_wait, default 20 s, UNCONFIRMED.
 * A batch is invoked when it is full, when the batching window ends, or when
 * the next message would take it past 6 MB (FACTS 1, "Invoke trigger").
 * On a FIFO queue a receive returns messages only from groups with nothing in
 * flight, so the mapping's useful concurrency is at most the number of
 * groups with messages waiting (FACTS 1, "FIFO queues"); it scales up only
 * while such a group waits, batch_size is at most 10, there is no batching
 * window, and a partial batch failure returns the first failed message and
 * every one after it.
 *
 * Provisioned mode (provisioned_pollers: {min, max}; FACTS 2, AWS News Blog
 * "AWS Lambda enhances SQS processing with new provisioned mode", Nov 2025:
 * https://aws.amazon.com/blogs/aws/aws-lambda-enhances-sqs-processing-with-new-provisioned-mode-3x-faster-scaling-16x-higher-capacity)
 * keeps the same workers (one per concurrent batch) but sizes them by
 * pollers. Each poller handles at most 10 concurrent invokes, 1 MB/s of
 * message payload and 10 ReceiveMessage calls per second (FACTS 2,
 * "Per-poller capacity": https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-parameters.html),
 * so with P pollers:
 *   - the target concurrency is 10 P batches, at most 20,000 (FACTS 2,
 *     "Max concurrency"); the on-demand concurrency_ceiling and
 *     initial_concurrency do not apply;
 *   - received bytes and receive calls are counted per whole second of
 *     simulated time against P x 1 MB and P x 10. A receive is made only
 *     while both allowances last; it asks for no more messages than the calls
 *     left can return (10 per call, FACTS 4 "Batch") and no more bytes than
 *     are left, but SQS hands over at least one message, so a second can
 *     end up to one message over its bytes: that overshoot is taken from the
 *     next second's allowance (a token bucket refilled once a second, with
 *     debt). A long poll is one call however long it waits; a worker that
 *     finds the allowance spent invokes what it holds, or, holding nothing,
 *     polls again at the next whole second;
 *   - the pollers start warm at min at time 0 and, while messages wait, the
 *     target grows by 1,000 concurrency a minute (FACTS 2, "Scaling speed"),
 *     i.e. 100 pollers a minute, applied each second as on-demand, up to
 *     max pollers. P is the target / 10 rounded up. Scale-down mirrors
 *     on-demand (an empty long poll, a throttle or a failure lowers the
 *     target by one batch), down to 10 min;
 *   - maximum_concurrency is rejected with it (FACTS 2, "Mutual exclusion":
 *     https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html).
 * Pollers are billed in Event Poller Units: the mapping meters
 * EventPollerUnit-hours = poller-hours / pollers_per_epu over the
 * measurement window. How many SQS pollers make one EPU is not documented
 * (FACTS 2, "Pollers per EPU for SQS": not found): pollers_per_epu, default
 * 1, UNCONFIRMED. Its price is the pricing table's business.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "models/lambda.h"
#include "models/poller_budget.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/schema.h"
#include "sim/stats.h"

/* One mapping's settings: an element of its function's event_sources. */
struct esm_config {
	const char *queue;                 /* the sqs resource polled */
	int64_t batch_size;                /* messages per invocation at most */
	sim_time_t maximum_batching_window;/* gather up to this long */
	int64_t maximum_concurrency;       /* SCN_UNLIMITED or 2..1000 */
	int64_t concurrency_ceiling;       /* on-demand ceiling (1,250 or 1,000) */
	int64_t scale_up_per_minute;       /* +300 per minute */
	int64_t initial_concurrency;       /* 5 batches at first */
	sim_time_t poll_wait;              /* long-poll wait */
	sim_time_t backoff_base;           /* first retry delay after a throttle */
	sim_time_t backoff_max;            /* longest retry delay */
	sim_time_t scale_interval;         /* on-demand: time between scaling decisions */
	double error_cut;                  /* error backoff: share cut per step */
	sim_time_t error_holdoff;          /* error backoff: one cut per this long at most */
	bool filtered;                     /* filter_criteria is a map */
	double filter_match;               /* filter_criteria.match: share passed on */
	bool provisioned;                  /* provisioned_pollers is a map (else none: on-demand) */
	int64_t min_pollers;               /* provisioned_pollers.min, 2..200 */
	int64_t max_pollers;               /* provisioned_pollers.max, 2..10000 */
	int64_t pollers_per_epu;           /* provisioned_pollers.pollers_per_epu (UNCONFIRMED) */
	bool on_failure;                   /* on_failure is a map: scheduler retries */
	int retry;                         /* on_failure.retry: 0 scheduler */
	int backoff;                       /* 0 exponential, 1 linear */
	sim_time_t retry_base;             /* first retry delay */
	int64_t max_retries;
	const char *retry_dlq;             /* queue past max_retries */
	sim_time_t scheduler_delay;        /* delivery delay after the minute */
};

#define SIX_MB (6u * 1000u * 1000u) /* FACTS 7, "Lambda sync payload": 6 MB */

/* Provisioned mode, FACTS 2 "Per-poller capacity" (services-sqs-parameters.html):
 * per poller 10 concurrent invokes, 1 MB/s (read as 1,000,000 B, as every
 * MB in spillway), 10 polling API calls per second. */
#define POLLER_INVOKES 10
#define POLLER_BYTES_PER_S 1000000
#define POLLER_CALLS_PER_S 10
/* FACTS 2 "Scaling speed": up to 1,000 concurrent executions per minute. */
#define PROVISIONED_SCALE_PER_MINUTE 1000
/* FACTS 2 "Max concurrency": up to 20,000. */
#define PROVISIONED_CEILING 20000
/* FACTS 4 "Batch": ReceiveMessage returns at most 10 messages per call. */
#define MESSAGES_PER_CALL 10

#define F(...) SCN_FIELD(struct esm_config, __VA_ARGS__)

static const struct scn_field provisioned_fields[] = {
	/* FACTS 2 "MinimumPollers (SQS)": default 2, minimum 2, max 200
	 * (https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html). */
	F("min", SCN_INT, 0, 2, 200, "2", min_pollers,
	  "pollers kept at all times, warm from the start"),
	/* FACTS 2 "MaximumPollers (SQS)": default 200; 2..2,000 on the
	 * parameters page, 2..10,000 in the newer API reference: the wider
	 * range is accepted. */
	F("max", SCN_INT, 0, 2, 10000, "200", max_pollers,
	  "most pollers (2..2,000 on AWS's parameters page, 2..10,000 in the newer API reference)"),
	/* FACTS 2 "Pollers per EPU for SQS": not found. */
	F("pollers_per_epu", SCN_INT, SCN_F_UNCONFIRMED, 1, 1000, "1", pollers_per_epu,
	  "pollers billed as one Event Poller Unit (UNCONFIRMED: not documented for SQS)"),
};

static const struct scn_schema provisioned_schema = {
	.name = "provisioned_pollers",
	.fields = provisioned_fields,
	.n = sizeof(provisioned_fields) / sizeof(provisioned_fields[0]),
};

/* Event filtering (FACTS 1 has no row; the seed "ESM metrics" post:
 * FilteredOutEventCount counts events not sent to the function because they
 * match no filter criteria; for SQS, Lambda deletes such messages:
 * https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html). */
static const struct scn_field filter_fields[] = {
	F("match", SCN_FRACTION, 0, 0, 1, "100%", filter_match,
	  "share of messages the filter criteria pass to the function; the rest are deleted uninvoked"),
};

static const struct scn_schema filter_schema = { "filter_criteria", filter_fields, 1, NULL };

static const char *const retry_names[] = { "scheduler", NULL };
static const char *const backoff_names[] = { "exponential", "linear", NULL };

/* Custom retry through a scheduler (seed "Create a serverless custom retry
 * mechanism for stateless queue consumers"): a failed message is deleted
 * and re-sent at the scheduled time, whose granularity is one minute. */
static const struct scn_field failure_fields[] = {
	{ .key = "retry", .kind = SCN_ENUM, .names = retry_names, .dflt = "scheduler",
	  .min = 1, .max = 0, .offset = offsetof(struct esm_config, retry),
	  .help = "scheduler: re-send failed messages at a scheduled time" },
	{ .key = "backoff", .kind = SCN_ENUM, .names = backoff_names, .dflt = "exponential",
	  .min = 1, .max = 0, .offset = offsetof(struct esm_config, backoff),
	  .help = "exponential: base x 2^retries; linear: base x (retries + 1)" },
	F("base", SCN_DURATION, 0, 0, 86400, "1m", retry_base,
	  "the first retry's delay"),
	F("max_retries", SCN_INT, 0, 0, 31, "5", max_retries,
	  "re-sends before the message goes to dead_letter"),
	F("dead_letter", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, retry_dlq,
	  "the sqs queue a message goes to past max_retries"),
	F("delivery_delay", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "0s", scheduler_delay,
	  "the scheduler's delay after the whole minute (UNCONFIRMED)"),
};

static const struct scn_schema failure_schema = { "on_failure", failure_fields, 6, NULL };

static const struct scn_field esm_fields[] = {
	F("queue", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, queue,
	  "the sqs queue polled"),
	/* FACTS 1 "BatchSize": default 10, max 10,000 for standard queues. */
	F("batch_size", SCN_INT, 0, 1, 10000, "10", batch_size,
	  "most messages per invocation"),
	/* FACTS 1 "MaximumBatchingWindowInSeconds": 0-300 s, default 0. */
	F("maximum_batching_window", SCN_DURATION, 0, 0, 300, "0s",
	  maximum_batching_window,
	  "gather a batch this long at most (batch_size > 10 needs >= 1s)"),
	/* FACTS 1 "ScalingConfig.MaximumConcurrency": 2-1,000. */
	F("maximum_concurrency", SCN_INT, SCN_F_NONE, 2, 1000, "none",
	  maximum_concurrency, "most concurrent batches, or none"),
	/* FACTS 1 "Max concurrent batches per ESM": 1,250 (blog) vs 1,000 (docs). */
	F("concurrency_ceiling", SCN_INT, SCN_F_UNCONFIRMED, 1, 20000, "1250", concurrency_ceiling,
	  "on-demand ceiling of concurrent batches (AWS documents 1,250 and 1,000)"),
	/* FACTS 1 "Scale-up rate (current)": +300 per minute since 2023-11-06. */
	F("scale_up_per_minute", SCN_INT, 0, 1, 100000, "300", scale_up_per_minute,
	  "concurrent batches added per minute while messages wait (60 before Nov 2023)"),
	/* FACTS 1 "Initial concurrency": five batches at a time. */
	F("initial_concurrency", SCN_INT, 0, 1, 1000, "5", initial_concurrency,
	  "concurrent batches when messages appear"),
	F("poll_wait", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 20, "20s", poll_wait,
	  "long-poll wait of each receive (UNCONFIRMED: AWS does not document it; SQS allows up to 20s)"),
	F("backoff_base", SCN_DURATION, SCN_F_UNCONFIRMED, 0.001, 3600, "1s", backoff_base,
	  "first retry delay after a throttled invoke, doubling (UNCONFIRMED: not documented)"),
	F("backoff_max", SCN_DURATION, SCN_F_UNCONFIRMED, 0.001, 3600, "30s", backoff_max,
	  "longest retry delay after throttled invokes (UNCONFIRMED: not documented)"),
	/* AWS writes "up to 300 more ... per minute" (FACTS 1, "Scale-up
	 * rate"); the measured ramp-ups of van der Merwe (batch size 1, 100 to
	 * 600 ms functions) rise in steps about a minute apart:
	 * https://rehanvdm.com/blog/sqs-lambda-esm-scaling-behaviour--experiment-lambda-time-vs-batch-size */
	F("scale_interval", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 3600, "60s", scale_interval,
	  "on-demand: time between scaling decisions, each adding scale_up_per_minute x interval / 1m "
	  "while messages wait (UNCONFIRMED: from measured ramp-ups; 1s scales smoothly)"),
	/* "Lambda throttles function scaling when invocation errors occur"
	 * and backs off gradually (FACTS 1, "Backoff on function error"); how
	 * much is not documented. Both values are fitted to van der Merwe's
	 * measured concurrency at 1% and 5% errors (50 ms function, no cap):
	 * https://www.rehanvdm.com/blog/sqs-lambda-esm-scaling-behaviour--experiment-esm-and-lambda-errors */
	F("error_backoff_cut", SCN_FRACTION, SCN_F_UNCONFIRMED, 0, 1, "8%", error_cut,
	  "share of its concurrency the mapping gives up at a failed or throttled invocation "
	  "(UNCONFIRMED: fitted to measurements)"),
	F("error_backoff_holdoff", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "200ms", error_holdoff,
	  "at most one backoff cut this often; between cuts the concurrency recovers at "
	  "scale_up_per_minute (UNCONFIRMED: fitted to measurements)"),
	{ .key = "filter_criteria", .kind = SCN_TABLE, .flags = SCN_F_NONE,
	  .dflt = "none", .sub = &filter_schema,
	  .offset = offsetof(struct esm_config, filtered),
	  .help = "none, or {match: SHARE}: messages the filter criteria do not pass are deleted "
		  "without an invocation (FilteredOutEventCount)" },
	/* FACTS 2: provisioned mode (Nov 2025); none keeps on-demand mode. */
	{ .key = "provisioned_pollers", .kind = SCN_TABLE, .flags = SCN_F_NONE,
	  .dflt = "none", .sub = &provisioned_schema,
	  .offset = offsetof(struct esm_config, provisioned),
	  .help = "none (on-demand mode), or provisioned mode with {min, max} pollers (not with maximum_concurrency)" },
	{ .key = "on_failure", .kind = SCN_TABLE, .flags = SCN_F_NONE,
	  .dflt = "none", .sub = &failure_schema,
	  .offset = offsetof(struct esm_config, on_failure),
	  .help = "none (failed messages return after the visibility timeout), or "
		  "{retry: scheduler, backoff, base, max_retries, dead_letter, delivery_delay}" },
};

static void esm_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct esm_config *c = obj;
	/* FACTS 1 "MaximumBatchingWindowInSeconds": BatchSize > 10 requires a
	 * window of at least 1 s. */
	if (c->batch_size > 10 && c->maximum_batching_window < SIM_S)
		scn_error_key(ctx, node, "maximum_batching_window",
			      "must be at least 1s when batch_size is over 10 (batch_size %lld; a FIFO queue allows 10 at most)",
			      (long long)c->batch_size);
	if (c->backoff_max < c->backoff_base)
		scn_error_key(ctx, node, "backoff_max",
			      "must be at least backoff_base");
	if (!c->provisioned)
		return;
	/* FACTS 2 "Mutual exclusion": provisioned mode and MaximumConcurrency
	 * cannot both be set. */
	if (c->maximum_concurrency != SCN_UNLIMITED)
		scn_error_key(ctx, node, "provisioned_pollers",
			      "not with maximum_concurrency (AWS rejects a mapping with both)");
	if (c->max_pollers < c->min_pollers) {
		/* At the max key inside the map, named by its dotted path. */
		const struct cfg_node *pp = cfg_get(node, "provisioned_pollers");
		const struct cfg_node *at = pp ? cfg_get(pp, "max") : NULL;
		struct cfg_node where = *node;
		if (at || pp) {
			where.file = (at ? at : pp)->file;
			where.line = (at ? at : pp)->line;
			where.col = (at ? at : pp)->col;
		}
		scn_error_key(ctx, &where, "provisioned_pollers.max",
			      "must be at least min (%lld), got %lld",
			      (long long)c->min_pollers, (long long)c->max_pollers);
	}
}

static const struct scn_schema esm_schema = {
	.name = "event source",
	.fields = esm_fields,
	.n = sizeof(esm_fields) / sizeof(esm_fields[0]),
	.check = esm_check,
};

enum wstate {
	W_IDLE,      /* not running */
	W_POLLING,   /* long-polling an empty queue */
	W_GATHERING, /* holding a partial batch within the batching window */
	W_INVOKING,  /* the function is running the batch */
	W_BACKOFF,   /* waiting to retry a throttled invoke */
	W_RESTING,   /* gave a throttled batch up: polls again after a pause */
	W_PACED,     /* provisioned: the pollers' allowance for this second is
			spent; polls again at the next whole second */
};

struct esm_worker {
	struct sqs_waiter waiter;   /* must be first: wake() gets it back */
	struct esm *e;              /* owner */
	struct sim_timer timer;     /* poll wait, window end or backoff */
	enum wstate state;
	struct sqs_received *batch; /* batch_size slots */
	bool *failed;               /* per item, written by the function */
	size_t n;                   /* messages held */
	uint64_t bytes;             /* their payload */
	sim_time_t window_end;      /* end of the batching window */
	sim_time_t deadline;        /* when the first message's visibility ends */
	sim_time_t backoff;         /* current retry delay, 0 before a throttle */
	bool call_open;             /* a (long-poll) receive call is charged and
				       still waiting: its messages need no new call */
	struct lambda_batch lb;     /* handed to the function */
};

struct esm {
	struct model base;          /* must be first */
	const struct esm_config *cfg;
	struct lambda *fn;
	struct sqs *q;
	char *name;                 /* "<function>/<queue>" for metrics */
	struct sim_run *run;
	struct esm_worker **w;      /* workers ever started, reused */
	size_t n_workers;
	int64_t target;             /* concurrency the mapping aims at */
	int64_t active;             /* workers running */
	int64_t floor;              /* scale-down floor */
	int64_t ceiling;            /* min(concurrency_ceiling, maximum_concurrency);
				       provisioned: min(10 max, 20,000) */
	int64_t scale_per_minute;   /* target added per minute while messages wait */
	int64_t step_accum;         /* scale-up remainder, in 1/60 batches */
	int64_t peak;               /* highest target in the window */
	/* On-demand scaling and error backoff: */
	sim_time_t next_step;       /* next scaling decision, 0: no messages waited */
	double allowed;             /* backoff ceiling at last_cut; INFINITY: none */
	sim_time_t last_cut;        /* the last backoff cut */
	bool cut_once;              /* a cut has happened (last_cut is valid) */
	/* Invocations in flight and how fast they grew (ScaleUpTime): */
	int64_t invoking;
	sim_time_t began;           /* the first message polled in the window, or -1 */
	sim_time_t *rise_t;         /* times of new highs of invoking */
	int64_t *rise_v;            /* and their values */
	size_t n_rise, cap_rise;
	struct sim_twa tail;        /* in flight over the window's last quarter */
	gsl_rng *rng;               /* filter criteria */
	struct sim_twa level;       /* time average of active workers */
	uint64_t polled, invoked, failed_invoke, deleted, throttled, filtered;
	uint64_t t_polled, t_invoked, t_failed, t_deleted, t_filtered; /* since last sample */
	/* Scheduler retries (cfg->on_failure): */
	struct model *retry_dlq;    /* past max_retries */
	struct resend *resends;     /* re-sends not yet due */
	size_t n_resends;
	uint64_t scheduled;         /* scheduler invocations (window) */
	/* Provisioned mode only (cfg->provisioned): */
	int64_t pollers;            /* ceil(target / 10), within [min, max] */
	struct sim_twa plevel;      /* pollers over time: average, max, poller-ns */
	struct poller_budget budget; /* payload bytes and receive calls per second */
};

static void worker_begin(struct esm_worker *w, struct sim *s);

/* The backoff ceiling now: cut at last_cut, recovering since then at the
 * scale-up rate; INFINITY once it is back at the target. */
static double allowed_at(struct esm *e, sim_time_t now)
{
	if (e->allowed == INFINITY)
		return INFINITY;
	double a = e->allowed + (double)e->scale_per_minute / 60.0 *
					sim_time_to_s(now - e->last_cut);
	if (a >= (double)e->target)
		e->allowed = a = INFINITY;
	return a;
}

/* The concurrency the mapping runs now: its target, or less while it backs
 * off after errors (never under its floor). */
static int64_t running_target(struct esm *e, sim_time_t now)
{
	double allowed = allowed_at(e, now);
	if (!(allowed < (double)e->target))
		return e->target;
	int64_t a = (int64_t)ceil(allowed);
	return a < e->floor ? e->floor : a;
}

/* A message the scheduler will re-send. */
struct resend {
	struct esm *e;
	struct sim_msg msg;
	struct resend *prev, *next;
};

static void on_resend(struct sim *s, void *target, uint64_t arg)
{
	struct resend *r = target;
	struct esm *e = r->e;
	(void)arg;
	if (r->prev)
		r->prev->next = r->next;
	else
		e->resends = r->next;
	if (r->next)
		r->next->prev = r->prev;
	e->n_resends--;
	struct sim_msg m = r->msg;
	free(r);
	struct model *q = sim_run_find(e->run, e->cfg->queue);
	q->ops->accept(q, s, &m);
}

/* Seconds before the scheduler re-sends a message retried k times. */
static double backoff_s(const struct esm_config *c, uint32_t k)
{
	double base = sim_time_to_s(c->retry_base);
	return c->backoff == 0 ? base * pow(2, (double)k) : base * (double)(k + 1);
}

/* A failed message: deleted from the queue and re-sent at the scheduled
 * time (rounded up to the next whole minute, plus the delivery delay), or
 * past max_retries sent to the dead-letter queue. */
static void schedule_retry(struct esm *e, struct sim *s, const struct sqs_received *item)
{
	const struct esm_config *c = e->cfg;
	if (!sqs_delete(e->q, s, SQS_REMOVE, item, NULL, 1))
		return;
	struct sim_msg m = item->msg;
	if ((int64_t)m.retries >= c->max_retries) {
		sim_run_tenant(e->run, m.tenant)->dead_lettered++;
		e->retry_dlq->ops->accept(e->retry_dlq, s, &m);
		return;
	}
	sim_time_t at = sim_time_add(s->now, sim_time_from_s(backoff_s(c, m.retries)));
	if (at < SIM_TIME_MAX - SIM_MIN - c->scheduler_delay)
		at = (at + SIM_MIN - 1) / SIM_MIN * SIM_MIN + c->scheduler_delay;
	m.retries++;
	struct resend *r = sim_xcalloc(1, sizeof(*r));
	*r = (struct resend){ e, m, NULL, e->resends };
	if (e->resends)
		e->resends->prev = r;
	e->resends = r;
	e->n_resends++;
	if (e->run->measuring)
		e->scheduled++;
	sim_schedule(s, at, on_resend, r, 0);
}
static void poll(struct esm_worker *w, struct sim *s);

static struct model *esm_create(const void *config, const char *name,
				struct sim_run *run)
{
	const struct esm_config *cfg = config;
	struct esm *e = sim_xcalloc(1, sizeof(*e));
	e->cfg = cfg;
	e->name = sim_xstrdup(name);
	e->run = run;
	e->allowed = INFINITY;
	e->began = -1;
	if (cfg->filtered)
		e->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
					"filter");
	if (cfg->provisioned) {
		/* maximum_concurrency is excluded by esm_check, min <= max. */
		e->ceiling = cfg->max_pollers * POLLER_INVOKES;
		if (e->ceiling > PROVISIONED_CEILING)
			e->ceiling = PROVISIONED_CEILING;
		e->floor = cfg->min_pollers * POLLER_INVOKES;
		e->scale_per_minute = PROVISIONED_SCALE_PER_MINUTE;
		return &e->base;
	}
	e->scale_per_minute = cfg->scale_up_per_minute;
	e->ceiling = cfg->concurrency_ceiling;
	if (cfg->maximum_concurrency != SCN_UNLIMITED &&
	    cfg->maximum_concurrency < e->ceiling)
		e->ceiling = cfg->maximum_concurrency;
	e->floor = cfg->maximum_concurrency == SCN_UNLIMITED ? 2 : cfg->initial_concurrency;
	if (e->floor > e->ceiling)
		e->floor = e->ceiling;
	return &e->base;
}

/* The mapping's place in its function's entry, for messages:
 * resources.FUNCTION.event_sources[i]. */
static void esm_path(const struct model *m, char *buf, size_t size)
{
	const struct cfg_node *list = cfg_get(m->owner->node, "event_sources");
	size_t i = 0;
	while (list && i < list->n && list->items[i] != m->node)
		i++;
	snprintf(buf, size, "resources.%s.event_sources[%zu]", m->owner->name, i);
}

static int esm_link(struct model *m, struct sim_run *run)
{
	struct esm *e = (struct esm *)m;
	const struct cfg_node *node = m->node;
	char who[400];
	esm_path(m, who, sizeof(who));
	e->fn = lambda_from_model(m->owner);
	SIM_ASSERT(NULL, e->fn);
	const struct cfg_node *at = cfg_get(node, "queue");
	char path[600];
	snprintf(path, sizeof(path), "%s.queue", who);
	e->q = sqs_from_model(sim_run_find_typed(run, at, path, e->cfg->queue,
						 &sqs_ops, "an sqs queue"));
	if (!e->q)
		return -1;
	/* FACTS 1 "Visibility timeout guidance": the mapping rejects a
	 * function timeout longer than the queue's visibility timeout. */
	if (sqs_is_fifo(e->q)) {
		/* FACTS 1 "BatchSize" (10 at most on FIFO) and
		 * "MaximumBatchingWindowInSeconds" (not supported on FIFO). */
		const struct cfg_node *k = cfg_get(node, "batch_size");
		if (e->cfg->batch_size > 10) {
			diag_error(run->diag, k->file, k->line, k->col,
				   "%s.batch_size: %lld is more than 10, the most a FIFO queue ('%s') allows",
				   who, (long long)e->cfg->batch_size, e->cfg->queue);
			return -1;
		}
		k = cfg_get(node, "maximum_batching_window");
		if (e->cfg->maximum_batching_window > 0) {
			diag_error(run->diag, k->file, k->line, k->col,
				   "%s.maximum_batching_window: a FIFO queue ('%s') takes no batching window (0s)",
				   who, e->cfg->queue);
			return -1;
		}
	}
	if (e->cfg->on_failure) {
		const struct cfg_node *f = cfg_get(node, "on_failure");
		const struct cfg_node *k = cfg_get(f, "dead_letter");
		snprintf(path, sizeof(path), "%s.on_failure.dead_letter", who);
		struct model *d = sim_run_find_typed(run, k, path, e->cfg->retry_dlq,
						     &sqs_ops, "an sqs queue");
		if (!d)
			return -1;
		if (sqs_is_fifo(e->q)) {
			diag_error(run->diag, f->file, f->line, f->col,
				   "%s.on_failure: scheduler retries re-send messages out of order; '%s' is a FIFO queue (use a standard queue, or on_failure: none)",
				   who, e->cfg->queue);
			return -1;
		}
		e->retry_dlq = d;
	}
	if (lambda_timeout(e->fn) > sqs_visibility_timeout(e->q)) {
		char a[32], b[32];
		diag_error(run->diag, at->file, at->line, at->col,
			   "%s.queue: the function timeout (%s) is longer than the visibility timeout of '%s' (%s); AWS rejects this mapping",
			   who, sim_format_duration(a, sizeof(a), lambda_timeout(e->fn)),
			   e->cfg->queue,
			   sim_format_duration(b, sizeof(b), sqs_visibility_timeout(e->q)));
		return -1;
	}
	return 0;
}

/* Workers ------------------------------------------------------------------ */

static void on_wake(struct sqs_waiter *waiter, struct sim *s)
{
	struct esm_worker *w = (struct esm_worker *)waiter;
	/* A wake can be overtaken by the worker's own timer at the same
	 * instant: by then the worker has moved on (or waits again, linked
	 * afresh), and this wake is stale. */
	if (w->waiter.waiting || (w->state != W_POLLING && w->state != W_GATHERING))
		return;
	sim_timer_cancel(s, &w->timer);
	poll(w, s);
}

static struct esm_worker *worker_new(struct esm *e)
{
	struct esm_worker *w = sim_xcalloc(1, sizeof(*w));
	w->e = e;
	w->waiter.wake = on_wake;
	w->batch = sim_xcalloc((size_t)e->cfg->batch_size, sizeof(*w->batch));
	w->failed = sim_xcalloc((size_t)e->cfg->batch_size, sizeof(*w->failed));
	return w;
}

/* Starts idle workers until the running target run. */
static void fill(struct esm *e, struct sim *s)
{
	int64_t want = running_target(e, s->now);
	for (size_t i = 0; i < e->n_workers && e->active < want; i++) {
		if (e->w[i]->state != W_IDLE)
			continue;
		e->active++;
		worker_begin(e->w[i], s);
	}
	while (e->active < want) {
		e->w = sim_xrealloc(e->w, (e->n_workers + 1) * sizeof(*e->w));
		struct esm_worker *w = worker_new(e);
		e->w[e->n_workers++] = w;
		e->active++;
		worker_begin(w, s);
	}
	sim_twa_set(&e->level, s->now, (double)e->active);
}

/* Provisioned: the pollers follow the target, 10 batches each. */
static void pollers_update(struct esm *e, sim_time_t now)
{
	if (!e->cfg->provisioned)
		return;
	int64_t p = (e->target + POLLER_INVOKES - 1) / POLLER_INVOKES;
	if (p < e->cfg->min_pollers)
		p = e->cfg->min_pollers;
	if (p > e->cfg->max_pollers)
		p = e->cfg->max_pollers;
	if (p == e->pollers)
		return;
	e->pollers = p;
	sim_twa_set(&e->plevel, now, (double)p);
}

static void lower_target(struct esm *e, sim_time_t now)
{
	if (e->target > e->floor) {
		e->target--;
		pollers_update(e, now);
	}
}

/* A failed or throttled invocation. On-demand, the mapping cuts the
 * concurrency it runs by error_backoff_cut, at most once per
 * error_backoff_holdoff, and stops scaling up until it has recovered
 * (on_scale). Provisioned mode lowers its target by one batch. */
static void back_off(struct esm *e, sim_time_t now)
{
	if (e->cfg->provisioned) {
		lower_target(e, now);
		return;
	}
	if (e->cut_once && now - e->last_cut < e->cfg->error_holdoff)
		return;
	double cur = allowed_at(e, now);
	if (cur > (double)e->target)
		cur = (double)e->target;
	double next = cur * (1 - e->cfg->error_cut);
	e->allowed = next < (double)e->floor ? (double)e->floor : next;
	e->last_cut = now;
	e->cut_once = true;
}

/* Ends a cycle: the worker retires when more run than the target, else
 * starts over. */
static void cycle_end(struct esm_worker *w, struct sim *s)
{
	struct esm *e = w->e;
	w->backoff = 0;
	if (e->active > running_target(e, s->now)) {
		w->state = W_IDLE;
		e->active--;
		sim_twa_set(&e->level, s->now, (double)e->active);
		return;
	}
	worker_begin(w, s);
}

static void on_timer(struct sim *s, void *target, uint64_t arg);
static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed);

/* Invocations in flight change by d; a new high is remembered with its
 * time (ScaleUpTime). */
static void rise(struct esm *e, sim_time_t now, int d)
{
	e->invoking += d;
	sim_twa_set(&e->tail, now, (double)e->invoking);
	if (d < 0 || (e->n_rise && e->invoking <= e->rise_v[e->n_rise - 1]))
		return;
	if (e->n_rise == e->cap_rise) {
		e->cap_rise = e->cap_rise ? 2 * e->cap_rise : 64;
		e->rise_t = sim_xrealloc(e->rise_t, e->cap_rise * sizeof(*e->rise_t));
		e->rise_v = sim_xrealloc(e->rise_v, e->cap_rise * sizeof(*e->rise_v));
	}
	e->rise_t[e->n_rise] = now;
	e->rise_v[e->n_rise++] = e->invoking;
}

static void invoke(struct esm_worker *w, struct sim *s)
{
	struct esm *e = w->e;
	w->lb = (struct lambda_batch){ w->batch, w->n, w->failed, on_done, w,
				       sqs_is_fifo(e->q), 0 };
	memset(w->failed, 0, w->n * sizeof(*w->failed));
	if (lambda_invoke(e->fn, s, &w->lb)) {
		w->state = W_INVOKING;
		e->invoked += w->n;
		e->t_invoked += w->n;
		rise(e, s->now, +1);
		return;
	}
	e->failed_invoke += w->n;
	e->t_failed += w->n;
	e->throttled++;
	back_off(e, s->now);
	w->backoff = w->backoff ? w->backoff * 2 : e->cfg->backoff_base;
	if (w->backoff > e->cfg->backoff_max)
		w->backoff = e->cfg->backoff_max;
	if (s->now + w->backoff >= w->deadline) {
		/* Give up: the messages come back when their timeout passes.
		 * The worker pauses for the backoff before polling again, so
		 * that a short visibility timeout cannot make it receive and
		 * drop the whole queue in one instant. */
		w->state = W_RESTING;
		sim_timer_start(s, &w->timer, s->now + w->backoff, on_timer, w,
				W_RESTING);
		return;
	}
	w->state = W_BACKOFF;
	sim_timer_start(s, &w->timer, s->now + w->backoff, on_timer, w, W_BACKOFF);
}

/* Filter criteria: of the n messages just received, those that do not
 * match are deleted (one DeleteMessageBatch) and never invoked. Returns how
 * many are kept, moved to the front. */
static size_t filter(struct esm *e, struct sim *s, struct sqs_received *got, size_t n)
{
	size_t kept = 0;
	for (size_t i = 0; i < n; i++) {
		if (gsl_rng_uniform(e->rng) < e->cfg->filter_match) {
			struct sqs_received t = got[kept];
			got[kept++] = got[i];
			got[i] = t;
		}
	}
	if (kept < n) {
		sqs_delete(e->q, s, SQS_DELETE, got + kept, NULL, n - kept);
		e->filtered += n - kept;
		e->t_filtered += n - kept;
	}
	return kept;
}

static void poll(struct esm_worker *w, struct sim *s)
{
	struct esm *e = w->e;
	size_t room = (size_t)e->cfg->batch_size - w->n;
	uint64_t max_bytes = SIX_MB > w->bytes ? SIX_MB - w->bytes : 1;
	bool paced = false; /* provisioned: the allowance cut this receive short */
	if (e->cfg->provisioned) {
		uint64_t bytes = poller_budget_left(&e->budget, s->now,
						    (uint64_t)e->pollers * POLLER_BYTES_PER_S);
		int64_t calls = e->pollers * POLLER_CALLS_PER_S - e->budget.calls;
		if (w->call_open)
			calls++; /* the waiting call returns up to 10 of its own */
		if (calls <= 0 || bytes == 0) {
			w->call_open = false;
			if (w->n) {
				invoke(w, s);
				return;
			}
			w->state = W_PACED;
			sim_timer_start(s, &w->timer, (s->now / SIM_S + 1) * SIM_S,
					on_timer, w, W_PACED);
			return;
		}
		if ((uint64_t)calls * MESSAGES_PER_CALL < room) {
			room = (size_t)calls * MESSAGES_PER_CALL;
			paced = true;
		}
		if (bytes < max_bytes) {
			max_bytes = bytes;
			paced = true;
		}
	}
	size_t got = sqs_receive(e->q, s, w->batch + w->n, room, max_bytes);
	if (e->cfg->provisioned) {
		/* One call per 10 messages, at least one; the first 10 of a
		 * call already waiting are its own. */
		int64_t calls = got ? (int64_t)((got + MESSAGES_PER_CALL - 1) / MESSAGES_PER_CALL) : 1;
		if (w->call_open)
			calls--;
		e->budget.calls += calls;
		for (size_t i = w->n; i < w->n + got; i++)
			e->budget.bytes += w->batch[i].msg.size;
		/* A call that returned nothing waits on (a long poll). */
		w->call_open = got == 0;
	}
	e->polled += got;
	e->t_polled += got;
	if (got && e->began < 0)
		e->began = s->now;
	if (got && e->cfg->filtered)
		got = filter(e, s, w->batch + w->n, got);
	if (got) {
		if (w->n == 0) {
			w->deadline = s->now + sqs_visibility_timeout(e->q);
			w->window_end = s->now + e->cfg->maximum_batching_window;
		}
		for (size_t i = w->n; i < w->n + got; i++)
			w->bytes += w->batch[i].msg.size;
		w->n += got;
	}
	/* Full: batch_size reached, 6 MB reached, or the receive stopped
	 * short while messages wait (the next one would pass 6 MB, the
	 * queue is at its in-flight limit, or the pollers' allowance for
	 * this second ran out). */
	bool full = w->n == (size_t)e->cfg->batch_size || w->bytes >= SIX_MB ||
		    ((got < room || paced) && sqs_receivable(e->q));
	if (w->n && (full || s->now >= w->window_end)) {
		invoke(w, s);
		return;
	}
	w->state = w->n ? W_GATHERING : W_POLLING;
	/* Nothing received although a receive could return something: the
	 * queue's in-flight limit, or a FIFO queue's call limit. Waiting on
	 * the queue would wake at once; the poll simply ends empty after its
	 * wait. */
	if (!(got == 0 && sqs_receivable(e->q)))
		sqs_wait(e->q, s, &w->waiter);
	sim_timer_start(s, &w->timer,
			w->n ? w->window_end : s->now + e->cfg->poll_wait,
			on_timer, w, w->state);
}

static void worker_begin(struct esm_worker *w, struct sim *s)
{
	w->n = 0;
	w->bytes = 0;
	w->backoff = 0;
	poll(w, s);
}

static void on_timer(struct sim *s, void *target, uint64_t arg)
{
	struct esm_worker *w = target;
	struct esm *e = w->e;
	switch ((enum wstate)arg) {
	case W_POLLING:
		/* The long poll ended with nothing: an empty receive. */
		sqs_unwait(e->q, &w->waiter);
		sqs_count_empty_receive(e->q);
		w->call_open = false;
		lower_target(e, s->now);
		cycle_end(w, s);
		break;
	case W_GATHERING:
		sqs_unwait(e->q, &w->waiter);
		w->call_open = false;
		invoke(w, s);
		break;
	case W_PACED:
		poll(w, s);
		break;
	case W_BACKOFF:
		invoke(w, s);
		break;
	case W_RESTING:
		cycle_end(w, s);
		break;
	default:
		break;
	}
}

static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed)
{
	struct esm_worker *w = ctx;
	struct esm *e = w->e;
	size_t bad = 0;
	rise(e, s->now, -1);
	/* FIFO: the batch counts as processed up to its first failure; that
	 * message and every later one return (FACTS 1, "Partial batch
	 * response"), so the group keeps its order. */
	bool ordered = sqs_is_fifo(e->q);
	bool stopped = false;
	/* w->failed becomes "not deleted" (the function is done with it). */
	for (size_t i = 0; i < w->n; i++) {
		if (ordered && outcome == LAMBDA_PARTIAL && failed[i])
			stopped = true;
		bool ok = outcome == LAMBDA_OK ||
			  (outcome == LAMBDA_PARTIAL && !failed[i] && !stopped);
		w->failed[i] = !ok;
		bad += !ok;
	}
	/* The mapping deletes with DeleteMessageBatch. */
	size_t deleted = sqs_delete(e->q, s, lambda_forwards(e->fn) ? SQS_HAND_OFF : SQS_DELETE,
				    w->batch, w->failed, w->n);
	if (e->cfg->on_failure)
		for (size_t i = 0; i < w->n; i++)
			if (w->failed[i])
				schedule_retry(e, s, &w->batch[i]);
	e->deleted += deleted;
	e->t_deleted += deleted;
	e->failed_invoke += bad;
	e->t_failed += bad;
	if (outcome == LAMBDA_ERROR && !lambda_reports_item_failures(e->fn))
		back_off(e, s->now);
	cycle_end(w, s);
}

/* Scaling ------------------------------------------------------------------ */

/* Once a second. On-demand: while messages wait and the mapping is not
 * backing off, a scaling decision every scale_interval adds
 * scale_up_per_minute x interval / 1 min; while backing off, the allowed
 * concurrency recovers by scale_up_per_minute / 60 a second until it is
 * back at the target. Provisioned: while messages wait, 1,000 / 60 a
 * second. */
static void on_scale(struct sim *s, void *target, uint64_t arg)
{
	struct esm *e = target;
	(void)arg;
	bool waiting = sqs_receivable(e->q);
	int64_t add = 0;
	if (e->cfg->provisioned) {
		if (waiting && e->target < e->ceiling) {
			e->step_accum += e->scale_per_minute;
			add = e->step_accum / 60;
			e->step_accum %= 60;
		}
	} else if (allowed_at(e, s->now) < (double)e->target) {
		e->next_step = 0;
	} else if (!waiting || e->target >= e->ceiling) {
		e->next_step = 0;
	} else if (!e->next_step) {
		e->next_step = sim_time_add(s->now, e->cfg->scale_interval);
	} else if (s->now >= e->next_step) {
		/* interval x per-minute / 1 min, the remainder carried. */
		int64_t iv = e->cfg->scale_interval / SIM_S;
		e->step_accum += e->scale_per_minute * iv;
		add = e->step_accum / 60;
		e->step_accum %= 60;
		e->next_step = sim_time_add(s->now, e->cfg->scale_interval);
	}
	if (add) {
		e->target += add;
		if (e->target > e->ceiling)
			e->target = e->ceiling;
		if (e->target > e->peak)
			e->peak = e->target;
		pollers_update(e, s->now);
	}
	if (e->active < running_target(e, s->now))
		fill(e, s);
	sim_schedule_in(s, SIM_S, on_scale, e, 0);
}

/* The plateau ScaleUpTime is measured against: the window's last quarter. */
static void on_tail(struct sim *s, void *target, uint64_t arg)
{
	struct esm *e = target;
	(void)arg;
	sim_twa_restart(&e->tail, s->now);
}

static void esm_start(struct model *m, struct sim *s)
{
	struct esm *e = (struct esm *)m;
	e->target = e->cfg->initial_concurrency < e->ceiling
			    ? e->cfg->initial_concurrency : e->ceiling;
	if (e->cfg->provisioned) {
		/* Warm from the start: min pollers, 10 batches each. */
		e->target = e->floor;
		e->pollers = e->cfg->min_pollers;
		sim_twa_init(&e->plevel, s->now, (double)e->pollers);
		poller_budget_start(&e->budget, s->now);
	}
	e->peak = e->target;
	sim_twa_init(&e->level, s->now, 0);
	sim_twa_init(&e->tail, s->now, 0);
	const struct scenario *scn = e->run->scn;
	sim_schedule(s, scn->warmup + (scn->duration - scn->warmup) / 4 * 3, on_tail, e, 0);
	fill(e, s);
	sim_schedule_in(s, SIM_S, on_scale, e, 0);
}

static void esm_restart(struct model *m, struct sim *s)
{
	struct esm *e = (struct esm *)m;
	e->polled = e->invoked = e->failed_invoke = e->deleted = e->throttled = 0;
	e->scheduled = e->filtered = 0;
	/* ScaleUpTime counts from the window's first poll. */
	e->began = -1;
	e->n_rise = 0;
	if (e->invoking)
		rise(e, s->now, 0);
	e->peak = e->target;
	sim_twa_restart(&e->level, s->now);
	if (e->cfg->provisioned) {
		sim_twa_restart(&e->plevel, s->now);
		poller_budget_restart(&e->budget);
	}
}

static void esm_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct esm *e = (struct esm *)m;
	sim_recorder_put(rec, s->now, e->name, "Concurrency", (double)e->active);
	sim_recorder_count(rec, s->now, e->name, "PolledEventCount", (double)e->t_polled);
	sim_recorder_count(rec, s->now, e->name, "InvokedEventCount", (double)e->t_invoked);
	sim_recorder_count(rec, s->now, e->name, "FailedInvokeEventCount", (double)e->t_failed);
	sim_recorder_count(rec, s->now, e->name, "DeletedEventCount", (double)e->t_deleted);
	if (e->cfg->filtered)
		sim_recorder_count(rec, s->now, e->name, "FilteredOutEventCount",
				   (double)e->t_filtered);
	if (e->cfg->provisioned)
		sim_recorder_put(rec, s->now, e->name, "ProvisionedPollers",
				 (double)e->pollers);
	e->t_polled = e->t_invoked = e->t_failed = e->t_deleted = e->t_filtered = 0;
}

static void esm_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct esm *e = (struct esm *)m;
	sim_results_put(res, e->name, "PolledEventCount", "count", (double)e->polled);
	sim_results_put(res, e->name, "InvokedEventCount", "count", (double)e->invoked);
	sim_results_put(res, e->name, "FailedInvokeEventCount", "count",
			(double)e->failed_invoke);
	sim_results_put(res, e->name, "DeletedEventCount", "count", (double)e->deleted);
	sim_results_put(res, e->name, "ThrottledInvokes", "count", (double)e->throttled);
	sim_results_put(res, e->name, "Concurrency", "batches",
			sim_twa_mean(&e->level, s->now));
	sim_results_put(res, e->name, "Concurrency.max", "batches", (double)e->peak);
	if (e->cfg->filtered)
		sim_results_put(res, e->name, "FilteredOutEventCount", "count",
				(double)e->filtered);
	/* How long after the window's first poll the invocations in flight
	 * first reached 90% of their plateau, their mean over the window's
	 * last quarter (a run that ends at a steady stream). */
	double plateau = sim_twa_mean(&e->tail, s->now);
	size_t r = 0;
	while (r < e->n_rise && (double)e->rise_v[r] < 0.9 * plateau)
		r++;
	if (e->began >= 0 && plateau > 0 && r < e->n_rise) {
		sim_time_t at = e->rise_t[r] > e->began ? e->rise_t[r] - e->began : 0;
		sim_results_put(res, e->name, "ScaleUpTime", "s", sim_time_to_s(at));
	}
	if (e->cfg->on_failure) {
		sim_results_put(res, e->name, "RetriesPending", "messages",
				(double)e->n_resends);
		/* The most delay the schedule can add to a message that is
		 * delivered: every backoff, each rounded up by under a minute,
		 * plus the scheduler's delay. */
		const struct esm_config *c = e->cfg;
		double bound = 0;
		for (int64_t k = 0; k < c->max_retries; k++)
			bound += backoff_s(c, (uint32_t)k) + 60 + sim_time_to_s(c->scheduler_delay);
		sim_results_put(res, e->name, "RetryDelayBound", "s", bound);
		/* EventBridge Scheduler invocations (price not in FACTS). */
		sim_results_meter(res, e->name, "Amazon EventBridge", "SchedulerInvocations",
				  "invocation", "scheduler.invocations", (double)e->scheduled);
	}
	if (!e->cfg->provisioned)
		return;
	/* The second in progress counts too. */
	uint64_t peak_bytes = poller_budget_peak_bytes(&e->budget);
	int64_t peak_calls = poller_budget_peak_calls(&e->budget);
	sim_results_put(res, e->name, "ProvisionedPollers", "pollers",
			sim_twa_mean(&e->plevel, s->now));
	sim_results_put(res, e->name, "ProvisionedPollers.max", "pollers",
			e->plevel.max);
	sim_results_put(res, e->name, "PeakPolledBytesPerSecond", "B/s",
			(double)peak_bytes);
	sim_results_put(res, e->name, "PeakReceiveCallsPerSecond", "calls/s",
			(double)peak_calls);
	/* Poller-seconds over the measurement window, in EPU-hours. */
	double poller_ns = e->plevel.area +
			   e->plevel.value * (double)(s->now - e->plevel.last);
	sim_results_meter(res, e->name, "AWS Lambda", "EventPollerUnit-hours",
			  "EPU-hour", "lambda.epu_hour",
			  poller_ns / (double)SIM_HOUR / (double)e->cfg->pollers_per_epu);
}

static void esm_destroy(struct model *m)
{
	struct esm *e = (struct esm *)m;
	if (!e)
		return;
	while (e->resends) {
		struct resend *r = e->resends;
		e->resends = r->next;
		free(r);
	}
	for (size_t i = 0; i < e->n_workers; i++) {
		free(e->w[i]->batch);
		free(e->w[i]->failed);
		free(e->w[i]);
	}
	free(e->w);
	free(e->rise_t);
	free(e->rise_v);
	if (e->rng)
		gsl_rng_free(e->rng);
	free(e->name);
	free(e);
}

/* The queue the mapping polls into its function: messages move, none are
 * made. */
static bool esm_route(struct model *m, size_t i, struct model_route *r)
{
	struct esm *e = (struct esm *)m;
	if (i > 0)
		return false;
	char who[sizeof(r->path) - sizeof(".queue") + 1];
	esm_path(m, who, sizeof(who));
	r->from = sim_run_find(m->run, e->cfg->queue);
	r->to = m->owner;
	r->moves = true;
	r->at = cfg_get(m->node, "queue");
	snprintf(r->path, sizeof(r->path), "%s.queue", who);
	return true;
}

/* "FUNCTION/QUEUE", the name its metrics go under. */
static void esm_name(const void *config, const char *owner, char *buf, size_t size)
{
	const struct esm_config *c = config;
	snprintf(buf, size, "%s/%s", owner, c->queue);
}

static const struct model_within esm_within = {
	.owner = &lambda_ops,
	.key = "event_sources",
	.help = "SQS event source mappings",
	.name = esm_name,
};

const struct model_ops esm_ops = {
	.name = "sqs_event_source",
	.help = "SQS event source mapping of a Lambda function (written under its event_sources)",
	.schema = &esm_schema,
	.config_size = sizeof(struct esm_config),
	.create = esm_create,
	.link = esm_link,
	.start = esm_start,
	.restart = esm_restart,
	.sample = esm_sample,
	.finish = esm_finish,
	.destroy = esm_destroy,
	.route = esm_route,
	.within = &esm_within,
};
