/* state_machine.c - an AWS Step Functions standard workflow as a resource
 * (see state_machine.h): a cap on running executions, an execution time,
 * failures, a failure queue and scheduled replays of it.
 *
 * The design is BASF Digital Farming's imagery pipeline (seed "Efficient
 * satellite imagery supply with AWS Serverless at BASF Digital Farming
 * GmbH"): an SQS buffer, an EventBridge pipe, and Step Functions whose
 * number of executions is limited "to prioritize and limit" cost; a failed
 * execution pushes its request to an SQS failure queue, from which an API
 * endpoint replays it.
 *
 * What AWS documents and what is assumed here (FACTS.md has no Step
 * Functions rows, so nothing below is a FACTS figure):
 *  - StartExecution fails with ExecutionLimitExceeded when "the maximum
 *    number of running executions has been reached" (API reference). AWS's
 *    own quota is account-wide (open executions of standard workflows,
 *    1,000,000 per account and region on the service-quotas page); the
 *    per-state-machine cap the seed describes is the design's, so
 *    max_concurrent_executions is the scenario's choice and defaults to
 *    none.
 *  - An execution's time is the workload's (downloads, processing):
 *    execution_time has no default.
 *  - The downstream being down is modelled at the end of an execution: an
 *    execution that ends inside an outage window fails (its last step, the
 *    provider call or the ingestion, is what failed). Executions that end
 *    after the window succeed even if they started inside it.
 *  - Billing is per state transition ($0.025 per 1,000 for standard
 *    workflows, reports/pricing/us-east-1.yaml); how many an execution makes
 *    depends on the state machine's definition: transitions_per_execution,
 *    default 5, UNCONFIRMED. They are metered when the execution starts.
 *
 * Replay `[{at, to}]`: at each time every message visible in the failure
 * queue then is received, deleted (a hand-off, not a delivery) and sent to
 * the queue `to` with its original sent_at, so its dwell counts from the
 * tenant's first send. Messages that fail again and land in the failure
 * queue after the replay began wait for the next replay.
 *
 * Execution records come from a free list grown in chunks: no allocation per
 * execution once the peak number running has been reached.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "models/state_machine.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

struct sm_outage {
	sim_time_t at;  /* start of the window */
	sim_time_t dur; /* its length */
};

struct sm_replay {
	sim_time_t at;  /* when */
	const char *to; /* sqs queue name, scenario-owned */
};

struct sm_config {
	int64_t max_concurrent;      /* SCN_UNLIMITED: none */
	struct sim_dist exec_time;   /* seconds */
	double failure_rate;         /* chance an execution fails */
	struct scn_list outages;     /* struct sm_outage */
	const char *failure_queue;   /* NULL: none */
	int64_t transitions;         /* per execution, for the meter */
	struct scn_list replay;      /* struct sm_replay */
};

#define F(...) SCN_FIELD(struct sm_config, __VA_ARGS__)

static const struct scn_field outage_fields[] = {
	{ .key = "at", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .offset = offsetof(struct sm_outage, at),
	  .help = "when the downstream goes down" },
	{ .key = "for", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .exclusive_min = true, .offset = offsetof(struct sm_outage, dur),
	  .help = "how long it stays down" },
};

static const struct scn_schema outage_schema = { "outage", outage_fields, 2, NULL };

static const struct scn_field replay_fields[] = {
	{ .key = "at", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .offset = offsetof(struct sm_replay, at),
	  .help = "when the failure queue is replayed" },
	{ .key = "to", .kind = SCN_NAME, .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .offset = offsetof(struct sm_replay, to),
	  .help = "the sqs queue the replayed messages are sent to" },
};

static const struct scn_schema replay_schema = { "replay", replay_fields, 2, NULL };

static const struct scn_field sm_fields[] = {
	/* Not a FACTS figure: the cap is the design's (seed, BASF), AWS's
	 * ExecutionLimitExceeded quota is account-wide. */
	F("max_concurrent_executions", SCN_INT, SCN_F_NONE, 1, 1e9, "none",
	  max_concurrent, "executions running at once; StartExecution beyond it fails "
	  "with ExecutionLimitExceeded (none: no cap)"),
	{ .key = "execution_time", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .offset = offsetof(struct sm_config, exec_time),
	  .help = "how long one execution runs (a duration or a distribution)" },
	F("failure_rate", SCN_FRACTION, 0, 0, 1, "0%", failure_rate,
	  "chance an execution fails (outside outages)"),
	{ .key = "outages", .kind = SCN_LIST, .sub = &outage_schema,
	  .elem_size = sizeof(struct sm_outage), .flags = SCN_F_OPTIONAL,
	  .min = 1, .max = 0, .offset = offsetof(struct sm_config, outages),
	  .help = "windows the downstream is down: executions ending inside one fail "
		  "([{at: 30m, for: 20m}])" },
	F("failure_queue", SCN_NAME, SCN_F_NONE, 1, 0, "none", failure_queue,
	  "sqs queue a failed execution's message is sent to (none: the message is lost, "
	  "counted as the tenant's failed)"),
	/* No FACTS row: depends on the definition (BASF's imagery workflow
	 * has a choice, two or three Lambda tasks and a success state). */
	F("transitions_per_execution", SCN_INT, SCN_F_UNCONFIRMED, 1, 1e6, "5",
	  transitions, "state transitions billed per execution (UNCONFIRMED: depends on "
	  "the definition)"),
	{ .key = "replay", .kind = SCN_LIST, .sub = &replay_schema,
	  .elem_size = sizeof(struct sm_replay), .flags = SCN_F_OPTIONAL,
	  .min = 1, .max = 0, .offset = offsetof(struct sm_config, replay),
	  .help = "times every message visible in failure_queue is moved to queue `to` "
		  "([{at: 3h, to: buffer}])" },
};

static void sm_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct sm_config *c = obj;
	if (c->replay.n && !c->failure_queue)
		scn_error_key(ctx, node, "replay",
			      "replays the failure queue: needs a failure_queue");
}

static const struct scn_schema sm_schema = {
	.name = "state_machine",
	.fields = sm_fields,
	.n = sizeof(sm_fields) / sizeof(sm_fields[0]),
	.check = sm_check,
};

/* One running execution. */
struct exec {
	struct state_machine *sm; /* owner */
	struct exec *next;        /* free-list link while unused */
	struct sim_msg msg;       /* its input */
	sim_time_t started;       /* when it started */
	bool fail;                /* the failure_rate draw */
};

#define EXEC_CHUNK 256

struct exec_chunk {
	struct exec_chunk *next;   /* older chunk */
	struct exec e[EXEC_CHUNK]; /* records, on the free list or running */
};

struct state_machine {
	struct model base;            /* must be first */
	const struct sm_config *cfg;  /* scenario-owned */
	gsl_rng *rng;                 /* execution times and failure draws */
	struct sqs *fq;               /* failure queue, or NULL */
	struct model *fq_model;       /* the same, as a model (accept) */
	struct model **replay_to;     /* per replay entry */
	struct exec *free;            /* unused records */
	struct exec_chunk *chunks;    /* every record, for destroy */
	long running;                 /* executions running now */
	struct sim_twa level;         /* running executions over time */
	struct sim_hist time_h;       /* execution times, seconds */
	/* Measurement window counters. */
	uint64_t started, succeeded, failed, throttled, replayed, lost;
	/* Lifetime counters, for the conservation check. */
	uint64_t life_started, life_ended;
};

struct state_machine *state_machine_from_model(struct model *m)
{
	return m && m->ops == &state_machine_ops ? (struct state_machine *)m : NULL;
}

long state_machine_running(const struct state_machine *sm)
{
	return sm->running;
}

static struct exec *exec_get(struct state_machine *sm)
{
	if (!sm->free) {
		struct exec_chunk *c = sim_xcalloc(1, sizeof(*c));
		c->next = sm->chunks;
		sm->chunks = c;
		for (size_t i = 0; i < EXEC_CHUNK; i++) {
			c->e[i].next = sm->free;
			sm->free = &c->e[i];
		}
	}
	struct exec *x = sm->free;
	sm->free = x->next;
	return x;
}

static bool in_outage(const struct sm_config *c, sim_time_t t)
{
	const struct sm_outage *o = c->outages.items;
	for (size_t i = 0; i < c->outages.n; i++)
		if (t >= o[i].at && t - o[i].at < o[i].dur)
			return true;
	return false;
}

static void on_end(struct sim *s, void *target, uint64_t arg)
{
	struct exec *x = target;
	struct state_machine *sm = x->sm;
	struct sim_run *run = sm->base.run;
	bool measuring = run->measuring;
	(void)arg;
	sm->running--;
	sm->life_ended++;
	sim_twa_set(&sm->level, s->now, (double)sm->running);
	if (measuring)
		sim_hist_add(&sm->time_h, sim_time_to_s(s->now - x->started));
	struct sim_msg msg = x->msg;
	bool fail = x->fail || in_outage(sm->cfg, s->now);
	x->next = sm->free;
	sm->free = x;
	if (!fail) {
		if (measuring)
			sm->succeeded++;
		sim_run_delivered(run, &msg);
		return;
	}
	if (measuring)
		sm->failed++;
	if (sm->fq_model) {
		/* The request and its error go to the failure queue (seed,
		 * step 10); not lost: a replay can deliver it. */
		sm->fq_model->ops->accept(sm->fq_model, s, &msg);
		return;
	}
	if (measuring)
		sm->lost++;
	sim_run_tenant(run, msg.tenant)->failed++;
}

bool state_machine_start(struct state_machine *sm, struct sim *s,
			 const struct sim_msg *msg)
{
	const struct sm_config *c = sm->cfg;
	bool measuring = sm->base.run->measuring;
	if (c->max_concurrent != SCN_UNLIMITED && sm->running >= c->max_concurrent) {
		if (measuring)
			sm->throttled++;
		return false;
	}
	struct exec *x = exec_get(sm);
	x->sm = sm;
	x->msg = *msg;
	x->started = s->now;
	/* Both draws at the start, in a fixed order, so the stream does not
	 * depend on the order in which executions end. */
	sim_time_t d = sim_dist_sample_time(&c->exec_time, sm->rng);
	x->fail = c->failure_rate > 0 && gsl_rng_uniform(sm->rng) < c->failure_rate;
	sm->running++;
	sm->life_started++;
	if (measuring)
		sm->started++;
	sim_twa_set(&sm->level, s->now, (double)sm->running);
	sim_schedule_in(s, d, on_end, x, 0);
	return true;
}

/* A direct StartExecution (a tenant calling the API): refused on arrival
 * when at the cap; the caller does not retry. */
static void sm_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct state_machine *sm = (struct state_machine *)m;
	if (!state_machine_start(sm, s, msg))
		sim_run_rejected(m->run, msg);
}

/* Moves every message visible in the failure queue now to the replay's
 * queue. Bounded by the count visible at the start, so a message cannot be
 * replayed twice by one replay. */
static void on_replay(struct sim *s, void *target, uint64_t arg)
{
	struct state_machine *sm = target;
	struct model *to = sm->replay_to[arg];
	size_t left = sqs_visible(sm->fq);
	struct sqs_received buf[10];
	while (left > 0) {
		size_t got = sqs_receive(sm->fq, s, buf, left < 10 ? left : 10, 0);
		if (!got)
			break;
		for (size_t i = 0; i < got; i++) {
			if (!sqs_delete(sm->fq, s, SQS_HAND_OFF, &buf[i], NULL, 1))
				continue;
			if (sm->base.run->measuring)
				sm->replayed++;
			to->ops->accept(to, s, &buf[i].msg);
		}
		left -= got < left ? got : left;
	}
}

static struct model *sm_create(const void *config, const char *name,
			       struct sim_run *run)
{
	struct state_machine *sm = sim_xcalloc(1, sizeof(*sm));
	sm->cfg = config;
	sm->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				 "executions");
	sm->replay_to = sim_xcalloc(sm->cfg->replay.n ? sm->cfg->replay.n : 1,
				    sizeof(*sm->replay_to));
	if (sim_hist_init(&sm->time_h)) {
		sim_out_of_memory(sizeof(struct sim_hist));
	}
	return &sm->base;
}

static int sm_link(struct model *m, struct sim_run *run)
{
	struct state_machine *sm = (struct state_machine *)m;
	const struct sm_config *c = sm->cfg;
	char path[300];
	int rc = 0;
	if (c->failure_queue) {
		snprintf(path, sizeof(path), "resources.%s.failure_queue", m->name);
		sm->fq_model = sim_run_find_typed(run, cfg_get(m->node, "failure_queue"), path,
					  c->failure_queue, &sqs_ops, "an sqs queue");
		if (sm->fq_model)
			sm->fq = sqs_from_model(sm->fq_model);
		else
			rc = -1;
	}
	const struct sm_replay *r = c->replay.items;
	const struct cfg_node *list = cfg_get(m->node, "replay");
	for (size_t i = 0; i < c->replay.n; i++) {
		const struct cfg_node *at = cfg_get(list->items[i], "to");
		snprintf(path, sizeof(path), "resources.%s.replay[%zu].to", m->name, i);
		struct model *q = sim_run_find_typed(run, at, path, r[i].to, &sqs_ops,
					     "an sqs queue");
		if (q && q == sm->fq_model) {
			diag_error(run->diag, at->file, at->line, at->col,
				   "%s: '%s' is the failure queue itself", path, r[i].to);
			q = NULL;
		}
		if (!q)
			rc = -1;
		sm->replay_to[i] = q;
	}
	return rc;
}

static void sm_start(struct model *m, struct sim *s)
{
	struct state_machine *sm = (struct state_machine *)m;
	const struct sm_replay *r = sm->cfg->replay.items;
	sim_twa_init(&sm->level, s->now, 0);
	for (size_t i = 0; i < sm->cfg->replay.n; i++)
		sim_schedule(s, r[i].at > s->now ? r[i].at : s->now, on_replay, sm, i);
}

static void sm_restart(struct model *m, struct sim *s)
{
	struct state_machine *sm = (struct state_machine *)m;
	sm->started = sm->succeeded = sm->failed = sm->throttled = 0;
	sm->replayed = sm->lost = 0;
	sim_twa_restart(&sm->level, s->now);
	sim_hist_reset(&sm->time_h);
}

static void sm_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct state_machine *sm = (struct state_machine *)m;
	sim_recorder_put(rec, s->now, m->name, METRIC_RUNNING_EXECUTIONS, (double)sm->running);
}

static void sm_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct state_machine *sm = (struct state_machine *)m;
	const char *n = m->name;
	/* Every execution started has ended or still runs. */
	if (sm->life_started != sm->life_ended + (uint64_t)sm->running) {
		sim_run_fail(m->run, "%s: %llu executions started, %llu ended, %ld running",
			     n, (unsigned long long)sm->life_started,
			     (unsigned long long)sm->life_ended, sm->running);
		return;
	}
	sim_results_put(res, n, "ExecutionsStarted", "count", (double)sm->started);
	sim_results_put(res, n, "ExecutionsSucceeded", "count", (double)sm->succeeded);
	sim_results_put(res, n, METRIC_EXECUTIONS_FAILED, "count", (double)sm->failed);
	sim_results_put(res, n, "ExecutionsLost", "count", (double)sm->lost);
	sim_results_put(res, n, "ExecutionThrottled", "count", (double)sm->throttled);
	sim_results_put(res, n, METRIC_RUNNING_EXECUTIONS, "executions",
			sim_twa_mean(&sm->level, s->now));
	sim_results_put(res, n, METRIC_RUNNING_EXECUTIONS METRIC_MAX, "executions", sm->level.max);
	sim_results_put(res, n, "RunningExecutionsAtEnd", "executions", (double)sm->running);
	sim_results_put(res, n, "ExecutionTime.p50", "s", sim_hist_quantile(&sm->time_h, 0.5));
	sim_results_put(res, n, "ExecutionTime.p99", "s", sim_hist_quantile(&sm->time_h, 0.99));
	if (sm->cfg->replay.n)
		sim_results_put(res, n, METRIC_REPLAYED, "count", (double)sm->replayed);
	sim_results_meter(res, n, "AWS Step Functions", "StateTransitions",
			  "state transition", "stepfunctions.transitions",
			  (double)sm->started * (double)sm->cfg->transitions);
}

static void sm_destroy(struct model *m)
{
	struct state_machine *sm = (struct state_machine *)m;
	if (!sm)
		return;
	while (sm->chunks) {
		struct exec_chunk *c = sm->chunks;
		sm->chunks = c->next;
		free(c);
	}
	sim_hist_finish(&sm->time_h);
	gsl_rng_free(sm->rng);
	free(sm->replay_to);
	free(sm);
}

/* What the reports read of a state machine (sim/report_desc.h): where
 * failed executions go, and their replays. */
static void state_machine_facts(const struct scenario *scn, const struct scn_entry *e,
				struct model_facts *f)
{
	(void)scn;
	const char *fq = desc_scalar(e->node, "failure_queue");
	f->roles = MODEL_WORKFLOW;
	f->failure_queue = fq && strcmp(fq, "none") ? fq : NULL;
}

static void state_machine_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *fq = cfg_get(e->node, "failure_queue");
	if (!fq || fq->type != CFG_SCALAR || !strcmp(fq->value, "none"))
		return;
	k->edge(k, e->name, fq->value, "failed executions", NULL);
	const struct cfg_node *rp = cfg_get(e->node, "replay");
	for (size_t i = 0; rp && rp->type == CFG_SEQ && i < rp->n; i++) {
		const struct cfg_node *to = cfg_get(rp->items[i], "to");
		const struct cfg_node *at = cfg_get(rp->items[i], "at");
		char how[300];
		snprintf(how, sizeof(how), "replay at %s",
			 at && at->type == CFG_SCALAR ? at->value : "?");
		k->edge(k, fq->value, to && to->type == CFG_SCALAR ? to->value : "", how, NULL);
	}
}

static const struct model_report state_machine_report = {
	.facts = state_machine_facts,
	.edges = state_machine_edges,
};

const struct model_ops state_machine_ops = {
	.name = "state_machine",
	.help = "Step Functions standard workflow: execution cap, execution time, "
		"failures, failure queue and replay",
	.schema = &sm_schema,
	.config_size = sizeof(struct sm_config),
	.create = sm_create,
	.link = sm_link,
	.start = sm_start,
	.restart = sm_restart,
	.sample = sm_sample,
	.finish = sm_finish,
	.destroy = sm_destroy,
	.accept = sm_accept,
	.report = &state_machine_report,
};
