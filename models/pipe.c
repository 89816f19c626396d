/* pipe.c - an EventBridge pipe from an SQS queue to a Step Functions state
 * machine (see pipe.h): the "SQS buffer -> EventBridge Pipes -> Step
 * Functions" of BASF Digital Farming's imagery pipeline (seed "Efficient
 * satellite imagery supply with AWS Serverless at BASF Digital Farming
 * GmbH": "when the Step Functions concurrency limit is reached, the
 * invocation will be retried automatically").
 *
 * Each of `pollers` receive loops:
 *   1. ReceiveMessage (long polling, poll_wait) up to batch_size messages;
 *   2. StartExecution for each message held, in order, stopping at the
 *      first refusal (the rest would be refused at the same instant); every
 *      started message is deleted from the queue at once (the execution now
 *      owns it: the tenant's delivery is counted when it succeeds);
 *   3. messages refused with ExecutionLimitExceeded are retried after a
 *      backoff, retry_base doubling up to retry_max (deterministic: no
 *      jitter), while the poller holds them; when the next try would come
 *      at or after their visibility timeout, or after maximum_retry_attempts
 *      retries, the poller gives them up (GaveUp): they come back when their
 *      visibility timeout passes, with a higher receive count (so the
 *      queue's dead-letter policy can take them), and the poller pauses for
 *      the backoff before receiving again;
 *   4. back to 1.
 *
 * What AWS documents (no FACTS rows for Pipes; EventBridge Pipes user guide,
 * "Amazon Simple Queue Service as a source" and "error handling"):
 *  - an SQS source is polled in batches of up to 10 by default, with a batch
 *    window of up to 5 minutes; a batch is one invocation of the target.
 *    Here every message is its own execution, so a batch_size above 1 only
 *    changes how many messages a poller holds; the default 1 is where AWS
 *    and this model agree (one execution per request, as BASF needs);
 *  - retryable failures (throttling is one) are retried automatically, for
 *    an SQS source "an indefinite number of times" until the record
 *    expires, without counting against the queue's maximum receive count.
 *    The backoff is not documented: retry_base 1s and retry_max 60s are
 *    UNCONFIRMED. maximum_retry_attempts defaults to 185, EventBridge's
 *    documented default for a *rule* target's retry policy, not a Pipes
 *    figure (a pipe's MaximumRetryAttempts applies to stream sources only):
 *    UNCONFIRMED. Holding a message past its visibility timeout is not
 *    possible here (the pipe does not extend it), and a message given up
 *    does count a receive: choose a visibility timeout that covers the
 *    backoff;
 *  - how many pollers a pipe runs on an SQS source is not documented:
 *    pollers, default 1, UNCONFIRMED; the long-poll wait neither ("might
 *    wait for up to 20 seconds"): poll_wait 20s, UNCONFIRMED.
 * Billing: Pipes requests "after filtering", each 64 KB chunk of a batch one
 * request (reports/pricing/us-east-1.yaml, unconfirmed price): metered per
 * batch received; retries of a throttled batch are not billed again
 * (UNCONFIRMED). The pipe's SQS DeleteMessage calls are hand-offs
 * (SQS_HAND_OFF), one billed request each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/pipe.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "models/state_machine.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/run.h"

#define CHUNK_64KB 65536u /* a Pipes request per 64 KB of payload */

struct pipe_config {
	const char *source;        /* sqs queue name */
	const char *target;        /* state_machine name */
	int64_t batch_size;        /* messages a poller holds */
	int64_t pollers;           /* receive loops */
	sim_time_t poll_wait;      /* long-poll wait */
	sim_time_t retry_base;     /* first backoff after a refusal */
	sim_time_t retry_max;      /* backoff cap */
	int64_t max_retries;       /* maximum_retry_attempts */
};

#define F(...) SCN_FIELD(struct pipe_config, __VA_ARGS__)

static const struct scn_field pipe_fields[] = {
	F("source", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, source,
	  "the sqs queue polled"),
	F("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, target,
	  "the state_machine started, one execution per message"),
	/* Pipes user guide, SQS source: up to 10 per batch by default; here a
	 * message is one execution, so 1 (see the file's comment). */
	F("batch_size", SCN_INT, 0, 1, 10, "1", batch_size,
	  "messages a poller receives and holds at a time"),
	F("pollers", SCN_INT, SCN_F_UNCONFIRMED, 1, 1000, "1", pollers,
	  "concurrent receive loops (UNCONFIRMED: not documented for Pipes)"),
	F("poll_wait", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 20, "20s", poll_wait,
	  "long-poll wait of each receive (UNCONFIRMED; SQS allows up to 20s)"),
	F("retry_base", SCN_DURATION, SCN_F_UNCONFIRMED, 0.001, 3600, "1s", retry_base,
	  "first retry delay after a throttled StartExecution, doubling (UNCONFIRMED)"),
	F("retry_max", SCN_DURATION, SCN_F_UNCONFIRMED, 0.001, 3600, "60s", retry_max,
	  "longest retry delay (UNCONFIRMED)"),
	F("maximum_retry_attempts", SCN_INT, SCN_F_UNCONFIRMED, 0, 10000, "185", max_retries,
	  "retries of a throttled message before the poller gives it up (UNCONFIRMED: "
	  "185 is EventBridge's default for rule targets)"),
};

static void pipe_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct pipe_config *c = obj;
	if (c->retry_max < c->retry_base)
		scn_error_key(ctx, node, "retry_max", "must be at least retry_base");
}

static const struct scn_schema pipe_schema = {
	.name = "pipe",
	.fields = pipe_fields,
	.n = sizeof(pipe_fields) / sizeof(pipe_fields[0]),
	.check = pipe_check,
};

enum pstate {
	P_POLLING, /* long-polling an empty queue */
	P_NEXT,    /* done with its messages: receives again (an event, so a
		      drain of thousands does not recurse) */
	P_BACKOFF, /* holding refused messages until the retry */
	P_RESTING, /* gave messages up: pauses before receiving again */
};

struct poller {
	struct sqs_waiter waiter;   /* must be first: wake() gets it back */
	struct pipe *p;             /* owner */
	struct sim_timer timer;     /* poll wait, next poll, backoff or rest */
	enum pstate state;
	struct sqs_received *batch; /* batch_size slots */
	bool *started;              /* per held message */
	size_t n;                   /* messages received */
	size_t left;                /* of them not started yet */
	int64_t retries;            /* retries of this batch so far */
	sim_time_t delay;           /* current backoff, 0 before a refusal */
	sim_time_t deadline;        /* the batch's visibility timeout */
};

struct pipe {
	struct model base;          /* must be first */
	const struct pipe_config *cfg; /* scenario-owned */
	struct sqs *q;              /* source */
	struct state_machine *sm;   /* target */
	struct poller *w;           /* cfg->pollers */
	/* Measurement window. */
	uint64_t received, started, throttled, retries, gave_up, requests;
	uint64_t t_started, t_throttled; /* since the last sample */
	/* Lifetime, for the conservation check. */
	uint64_t life_received, life_started, life_gave_up;
};

struct pipe *pipe_from_model(struct model *m)
{
	return m && m->ops == &pipe_ops ? (struct pipe *)m : NULL;
}

static void on_timer(struct sim *s, void *target, uint64_t arg);
static void poll(struct poller *w, struct sim *s);

static void on_wake(struct sqs_waiter *waiter, struct sim *s)
{
	struct poller *w = (struct poller *)waiter;
	/* Overtaken by the poller's own timer at the same instant: stale. */
	if (w->waiter.waiting || w->state != P_POLLING)
		return;
	sim_timer_cancel(s, &w->timer);
	poll(w, s);
}

/* StartExecution for the held messages not started yet. */
static void deliver(struct poller *w, struct sim *s)
{
	struct pipe *p = w->p;
	bool measuring = p->base.run->measuring;
	for (size_t i = 0; i < w->n && w->left; i++) {
		if (w->started[i])
			continue;
		if (!state_machine_start(p->sm, s, &w->batch[i].msg)) {
			if (measuring) {
				p->throttled++;
				p->t_throttled++;
			}
			break;
		}
		w->started[i] = true;
		w->left--;
		p->life_started++;
		if (measuring) {
			p->started++;
			p->t_started++;
		}
		/* The execution owns the message now: a hand-off, not the
		 * tenant's delivery. */
		sqs_delete(p->q, s, SQS_HAND_OFF, &w->batch[i], NULL, 1);
	}
	if (!w->left) {
		w->state = P_NEXT;
		sim_timer_start(s, &w->timer, s->now, on_timer, w, P_NEXT);
		return;
	}
	w->delay = w->delay ? w->delay * 2 : p->cfg->retry_base;
	if (w->delay > p->cfg->retry_max)
		w->delay = p->cfg->retry_max;
	if (w->retries >= p->cfg->max_retries || s->now + w->delay >= w->deadline) {
		/* Give up: the messages come back at their visibility
		 * timeout. */
		p->life_gave_up += w->left;
		if (measuring)
			p->gave_up += w->left;
		w->left = 0;
		w->state = P_RESTING;
		sim_timer_start(s, &w->timer, s->now + w->delay, on_timer, w, P_RESTING);
		return;
	}
	w->retries++;
	if (measuring)
		p->retries++;
	w->state = P_BACKOFF;
	sim_timer_start(s, &w->timer, s->now + w->delay, on_timer, w, P_BACKOFF);
}

static void poll(struct poller *w, struct sim *s)
{
	struct pipe *p = w->p;
	size_t got = sqs_receive(p->q, s, w->batch, (size_t)p->cfg->batch_size, 0);
	if (!got) {
		w->state = P_POLLING;
		/* Nothing although something is receivable (the in-flight
		 * limit, a FIFO group busy): the poll just ends empty. */
		if (!sqs_receivable(p->q))
			sqs_wait(p->q, s, &w->waiter);
		sim_timer_start(s, &w->timer, s->now + p->cfg->poll_wait, on_timer, w,
				P_POLLING);
		return;
	}
	uint64_t bytes = 0;
	for (size_t i = 0; i < got; i++)
		bytes += w->batch[i].msg.size;
	w->n = w->left = got;
	w->retries = 0;
	w->delay = 0;
	w->deadline = s->now + sqs_visibility_timeout(p->q);
	memset(w->started, 0, got * sizeof(*w->started));
	p->life_received += got;
	if (p->base.run->measuring) {
		p->received += got;
		p->requests += bytes > CHUNK_64KB ? (bytes + CHUNK_64KB - 1) / CHUNK_64KB : 1;
	}
	deliver(w, s);
}

static void on_timer(struct sim *s, void *target, uint64_t arg)
{
	struct poller *w = target;
	switch ((enum pstate)arg) {
	case P_POLLING:
		/* The long poll ended with nothing: an empty receive. */
		sqs_unwait(w->p->q, &w->waiter);
		sqs_count_empty_receive(w->p->q);
		poll(w, s);
		break;
	case P_BACKOFF:
		deliver(w, s);
		break;
	case P_NEXT:
	case P_RESTING:
		poll(w, s);
		break;
	}
}

static struct model *pipe_create(const void *config, const char *name,
				 struct sim_run *run)
{
	struct pipe *p = sim_xcalloc(1, sizeof(*p));
	(void)name;
	(void)run;
	p->cfg = config;
	p->w = sim_xcalloc((size_t)p->cfg->pollers, sizeof(*p->w));
	for (int64_t i = 0; i < p->cfg->pollers; i++) {
		struct poller *w = &p->w[i];
		w->p = p;
		w->waiter.wake = on_wake;
		w->batch = sim_xcalloc((size_t)p->cfg->batch_size, sizeof(*w->batch));
		w->started = sim_xcalloc((size_t)p->cfg->batch_size, sizeof(*w->started));
	}
	return &p->base;
}

static int pipe_link(struct model *m, struct sim_run *run)
{
	struct pipe *p = (struct pipe *)m;
	char path[300];
	int rc = 0;
	snprintf(path, sizeof(path), "resources.%s.source", m->name);
	struct model *x = sim_run_find_typed(run, cfg_get(m->node, "source"), path,
				     p->cfg->source, &sqs_ops, "an sqs queue");
	p->q = x ? sqs_from_model(x) : NULL;
	if (!p->q)
		rc = -1;
	snprintf(path, sizeof(path), "resources.%s.target", m->name);
	x = sim_run_find_typed(run, cfg_get(m->node, "target"), path, p->cfg->target,
		       &state_machine_ops, "a state_machine");
	p->sm = x ? state_machine_from_model(x) : NULL;
	if (!p->sm)
		rc = -1;
	return rc;
}

static void pipe_start(struct model *m, struct sim *s)
{
	struct pipe *p = (struct pipe *)m;
	for (int64_t i = 0; i < p->cfg->pollers; i++)
		poll(&p->w[i], s);
}

static void pipe_restart(struct model *m, struct sim *s)
{
	struct pipe *p = (struct pipe *)m;
	(void)s;
	p->received = p->started = p->throttled = p->retries = 0;
	p->gave_up = p->requests = 0;
}

static void pipe_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct pipe *p = (struct pipe *)m;
	sim_recorder_count(rec, s->now, m->name, "Started", (double)p->t_started);
	sim_recorder_count(rec, s->now, m->name, METRIC_TARGET_THROTTLED, (double)p->t_throttled);
	p->t_started = p->t_throttled = 0;
}

static void pipe_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct pipe *p = (struct pipe *)m;
	const char *n = m->name;
	uint64_t held = 0;
	(void)s;
	for (int64_t i = 0; i < p->cfg->pollers; i++)
		held += p->w[i].left;
	/* Every message received was started, given up, or is held now. */
	if (p->life_received != p->life_started + p->life_gave_up + held) {
		sim_run_fail(m->run, "%s: %llu messages received, %llu started, %llu given up, %llu held",
			     n, (unsigned long long)p->life_received,
			     (unsigned long long)p->life_started,
			     (unsigned long long)p->life_gave_up, (unsigned long long)held);
		return;
	}
	sim_results_put(res, n, "Received", "count", (double)p->received);
	sim_results_put(res, n, "Started", "count", (double)p->started);
	sim_results_put(res, n, METRIC_TARGET_THROTTLED, "count", (double)p->throttled);
	sim_results_put(res, n, "Retries", "count", (double)p->retries);
	sim_results_put(res, n, "GaveUp", "count", (double)p->gave_up);
	sim_results_put(res, n, "HeldAtEnd", "messages", (double)held);
	sim_results_meter(res, n, "Amazon EventBridge", "PipeRequests", "request",
			  "pipes.requests", (double)p->requests);
}

static void pipe_destroy(struct model *m)
{
	struct pipe *p = (struct pipe *)m;
	if (!p)
		return;
	for (int64_t i = 0; i < p->cfg->pollers; i++) {
		free(p->w[i].batch);
		free(p->w[i].started);
	}
	free(p->w);
	free(p);
}

/* Messages from the source queue go on to the target state machine. */
static bool pipe_route(struct model *m, size_t i, struct model_route *r)
{
	struct pipe *p = (struct pipe *)m;
	if (i > 0)
		return false;
	r->from = sim_run_find(m->run, p->cfg->source);
	r->to = sim_run_find(m->run, p->cfg->target);
	r->moves = true;
	r->at = cfg_get(m->node, "target");
	snprintf(r->path, sizeof(r->path), "resources.%s.target", m->name);
	return true;
}

/* The architecture edge of a pipe (sim/report_desc.h). */
static void pipe_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *src = cfg_get(e->node, "source");
	const struct cfg_node *tgt = cfg_get(e->node, "target");
	if (src && tgt && src->type == CFG_SCALAR && tgt->type == CFG_SCALAR) {
		char how[600];
		snprintf(how, sizeof(how), "pipe %s", e->name);
		k->edge(k, src->value, tgt->value, how, NULL);
	}
}

static const struct model_report pipe_report = {
	.edges = pipe_edges,
};

const struct model_ops pipe_ops = {
	.name = "pipe",
	.help = "EventBridge pipe from an sqs queue to a state_machine, retrying throttled starts",
	.schema = &pipe_schema,
	.config_size = sizeof(struct pipe_config),
	.create = pipe_create,
	.link = pipe_link,
	.start = pipe_start,
	.restart = pipe_restart,
	.sample = pipe_sample,
	.finish = pipe_finish,
	.destroy = pipe_destroy,
	.route = pipe_route,
	.report = &pipe_report,
};
