/* stream.c - an LLM response streamed through one of three serverless front
 * doors, side by side (seed post "Serverless strategies for streaming LLM
 * responses"; SEED-FIGURES "LLM streaming"). See stream.h.
 *
 * Response model. A conversation request (a tenant's message) asks for one
 * response: the first token after `first_token`, then `tokens` tokens at
 * `tokens_per_second`. The Lambda function `function` generates it: one
 * invocation whose compute time is first_token + tokens / tokens_per_second,
 * drawn per request (lambda_invoke_work), so the function's concurrency,
 * cold starts, timeout and GB-seconds all apply. The generation starts
 * when that work starts: done() minus the work, which includes a cold
 * start and the function's per_batch (its `calls`, if any, are assumed to
 * come after the generation).
 *
 * Doors (what the client sees; `setup` is the client's connection and
 * request latency, added to both times):
 *  - function_url: Lambda response streaming, nothing in between (the
 *    post's "excellent TTFB ... no intermediate buffering"). TTFB = setup +
 *    wait for an environment + first_token. The response fails only if it
 *    outlives the function's own timeout (up to 15 min, FACTS 3).
 *  - websocket: API Gateway WebSocket. Each conversation opens a connection
 *    (500 new connections/s per account and Region, raisable: FACTS 7
 *    "WebSocket"; one second of burst, UNCONFIRMED) and sends one message
 *    (10,000 requests/s per account and Region, burst 5,000: FACTS 7 "API
 *    GW account throttle"; this bucket is the resource's own, not shared
 *    with other APIs of the account). The route integration times out at
 *    29 s, not raisable for WebSocket (FACTS 7 "Integration timeout"):
 *    The handler posts each token to the connection (@connections), as
 *    the post's LLMHandler does: TTFB = first_token + post_latency. Every
 *    post (tokens + a completion message) is a request against the
 *    10,000/s bucket, charged when the generation ends (an approximation
 *    of posts spread over it); a conversation with posts refused fails.
 *      mode sync   (default; the post's design) the route integration
 *                  invokes the handler synchronously and waits for it: a
 *                  generation longer than 29 s fails behind the
 *                  integration (the post's "Timeout management" warning);
 *      mode async  the handler is invoked asynchronously and the route
 *                  returns at once, so long generations complete.
 *    A connection lives at most 2 h (FACTS 7 "WebSocket").
 *  - appsync: the startStream mutation's resolver (the optional
 *    `request_function`, else a fixed `request_work`) returns a session id
 *    at once; the job crosses a queue (the post's SQS, here a fixed
 *    `queue_latency`, UNCONFIRMED) to `function`, which publishes each
 *    token as a publishToken mutation pushed to the subscription. AppSync's
 *    30 s limit (FACTS 7 "AppSync") applies to the request resolver only,
 *    so long responses complete.
 *
 * Accounting. Completed conversations are delivered (tenant dwell = send ->
 * last token leaves the function); failed ones (function error or timeout,
 * integration or resolver timeout, refused posts) count as the tenant's
 * failed; refused ones (connection or request rate, function throttled)
 * as rejected. Conversations = Completed + Failed + Throttles + InFlight.
 * TTFB and time to last token are recorded for completed conversations.
 *
 * Billing (meters in finish): WebSocket messages and connection-minutes;
 * AppSync requests (startStream + one publishToken per token and one to
 * complete), real-time updates (one per publish) and connection-minutes.
 * A connection lasts from the request to the last token, plus `linger`.
 * Tokens of failed generations are not metered. Prices: UNCONFIRMED rows
 * at the end of reports/pricing/us-east-1.yaml. The function's own Lambda
 * cost is metered by the lambda resource.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/lambda.h"
#include "models/registry.h"
#include "models/stream.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

enum door { DOOR_FUNCTION_URL, DOOR_WEBSOCKET, DOOR_APPSYNC };
static const char *const door_names[] = { "function_url", "websocket", "appsync", NULL };
enum ws_mode { WS_SYNC, WS_ASYNC };
static const char *const mode_names[] = { "sync", "async", NULL };

/* FACTS 7 "Integration timeout": 50 ms - 29 s, not raisable for WebSocket. */
#define WS_INTEGRATION_TIMEOUT ((sim_time_t)29 * 1000000000)
/* FACTS 7 "WebSocket": connection duration at most 2 h. */
#define WS_MAX_CONNECTION ((sim_time_t)2 * 3600 * 1000000000)
/* A sanity bound on the tokens of one response (no model answers with a
 * billion tokens): with it, a response's generation time is bounded and
 * its posts are counted exactly in doubles. Draws stop there too. */
#define MAX_TOKENS 1e9
/* FACTS 7 "AppSync": 30 s hard limit on request execution. */
#define APPSYNC_RESOLVER_LIMIT ((sim_time_t)30 * 1000000000)

struct stream_config {
	const char *function;          /* the lambda generating the response */
	int door;                      /* enum door */
	int mode;                      /* enum ws_mode (websocket) */
	struct sim_dist first_token;   /* seconds to the first token */
	double tokens_per_second;      /* generation speed after the first */
	struct sim_dist tokens;        /* tokens per response */
	sim_time_t setup;              /* client connection + request latency */
	sim_time_t post_latency;       /* a token post / publish to the client */
	sim_time_t linger;             /* connection kept after the last token */
	double connection_rate;        /* websocket: new connections/s */
	double request_rate;           /* websocket: account requests/s */
	double request_burst;          /* websocket: its bucket */
	const char *request_function;  /* appsync: startStream's lambda, or NULL */
	sim_time_t request_work;       /* appsync: the request resolver's work */
	sim_time_t queue_latency;      /* appsync: the queue hop */
};

#define F(...) SCN_FIELD(struct stream_config, __VA_ARGS__)

static const struct scn_field stream_fields[] = {
	F("function", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, function,
	  "the lambda function that generates the response (its timeout, "
	  "concurrency and cost apply)"),
	{ .key = "door", .kind = SCN_ENUM, .names = door_names,
	  .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .offset = offsetof(struct stream_config, door),
	  .help = "function_url (response streaming), websocket (API Gateway) or "
		  "appsync (subscriptions fed through a queue)" },
	{ .key = "mode", .kind = SCN_ENUM, .names = mode_names, .dflt = "sync",
	  .min = 1, .max = 0, .offset = offsetof(struct stream_config, mode),
	  .help = "websocket: sync (the route integration waits for the handler "
		  "posting the tokens; fails past 29 s) or async (it returns at once)" },
	{ .key = "first_token", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .flags = SCN_F_REQUIRED, .min = 1, .max = 0,
	  .offset = offsetof(struct stream_config, first_token),
	  .help = "time from the start of the generation to the first token" },
	F("tokens_per_second", SCN_NUMBER, SCN_F_REQUIRED, 0, 1e9,
	  NULL, tokens_per_second, "generation speed after the first token"),
	{ .key = "tokens", .kind = SCN_DIST, .unit = SIM_UNIT_NUMBER,
	  .flags = SCN_F_REQUIRED, .min = 0, .max = MAX_TOKENS,
	  .offset = offsetof(struct stream_config, tokens),
	  .help = "tokens per response (a number or a distribution; rounded)" },
	F("setup", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "50ms", setup,
	  "client connection and request latency, added to both times "
	  "(UNCONFIRMED default)"),
	F("post_latency", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "20ms",
	  post_latency, "websocket and appsync: a token posted or published "
	  "reaching the client (UNCONFIRMED default)"),
	F("linger", SCN_DURATION, 0, 0, 7200, "0s", linger,
	  "websocket and appsync: the client keeps the connection this long "
	  "after the last token (connection-minutes)"),
	/* FACTS 7 "WebSocket": 500 new connections/s per account and Region. */
	F("connection_rate", SCN_RATE, 0, 0, 1e9, "500/s", connection_rate,
	  "websocket: new connections per second (one second of burst)"),
	/* FACTS 7 "API GW account throttle": 10,000 RPS, burst 5,000. */
	F("request_rate", SCN_RATE, 0, 0, 1e9, "10000/s", request_rate,
	  "websocket: requests per second: the prompts (a bucket of request_burst) "
	  "and the @connections posts (counted in each whole second, no burst)"),
	F("request_burst", SCN_NUMBER, 0, 1, 1e9, "5000", request_burst,
	  "websocket: the prompts' bucket size"),
	F("request_function", SCN_NAME, SCN_F_OPTIONAL, 1, 0, NULL, request_function,
	  "appsync: the lambda behind startStream (default: none, the resolver "
	  "takes request_work)"),
	F("request_work", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 900, "20ms",
	  request_work, "appsync: work of the request resolver (returns a session "
	  "id and enqueues the job; UNCONFIRMED default)"),
	F("queue_latency", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "50ms",
	  queue_latency, "appsync: the queue hop between the request and the "
	  "processing function (UNCONFIRMED default)"),
};

static const struct scn_schema stream_schema = {
	.name = "llm_stream",
	.fields = stream_fields,
	.n = sizeof(stream_fields) / sizeof(stream_fields[0]),
};

/* A token bucket: `rate` a second, holding at most `cap`. */
struct bucket {
	double rate;
	double cap;
	double tokens;
	sim_time_t at; /* when tokens was last brought up to date */
};

/* Takes up to n tokens now; returns how many it took (all or, with
 * partial, as many as there are; without partial, n or 0). */
static double bucket_take(struct bucket *b, sim_time_t now, double n, bool partial)
{
	b->tokens += b->rate * sim_time_to_s(now - b->at);
	if (b->tokens > b->cap)
		b->tokens = b->cap;
	b->at = now;
	double take = b->tokens >= n ? n : partial ? floor(b->tokens) : 0;
	b->tokens -= take;
	return take;
}

/* Posts to the connections, counted per whole second of simulated time
 * against the request rate: a conversation's tokens are spread evenly over
 * its generation, booked when the generation ends (its done()), so each
 * second's posts are limited to `request_rate` without a burst. The ring
 * covers more than a connection's 2 h. */
#define POST_RING 8192
struct post_sec {
	int64_t sec;  /* the second this slot counts, -1 when unused */
	double n;     /* posts booked in it */
};

enum phase { PH_REQUEST, PH_QUEUED, PH_GENERATE };

/* Books n posts spread evenly over [t0, t1] (one at t1 when t1 == t0)
 * against `rate` per whole second; returns how many found room. */
static double posts_book(struct post_sec *ring, double rate, sim_time_t t0, sim_time_t t1,
			 double n)
{
	double a = sim_time_to_s(t0), b = sim_time_to_s(t1), took = 0;
	for (int64_t k = (int64_t)floor(a); k <= (int64_t)floor(b); k++) {
		double share = b > a ? n * (fmin(b, (double)k + 1) - fmax(a, (double)k)) / (b - a)
				     : n;
		struct post_sec *p = &ring[k % POST_RING];
		if (p->sec != k)
			*p = (struct post_sec){ .sec = k, .n = 0 };
		double take = fmin(share, fmax(0, rate - p->n));
		p->n += take;
		took += take;
	}
	return took;
}

struct stream;

/* One conversation in flight: its invocation's batch of one, from a pool
 * of the resource's own (reused, so steady traffic allocates nothing). */
struct conv {
	struct lambda_batch b;    /* handed to the function */
	struct sqs_received item; /* the request */
	bool failed;              /* written by the function */
	struct stream *st;
	sim_time_t at;            /* accepted */
	sim_time_t first;         /* first_token drawn */
	sim_time_t work;          /* the whole generation */
	double tokens;            /* tokens drawn */
	enum phase phase;
	struct conv *next_free;
	struct conv *next_all;
};

struct stream {
	struct model base;              /* must be first */
	const struct stream_config *cfg;
	struct lambda *fn;
	struct lambda *request_fn;      /* appsync, or NULL */
	gsl_rng *rng;                   /* first token, tokens */
	struct bucket conn, req;        /* websocket */
	struct post_sec *posts;         /* websocket: POST_RING seconds */
	struct conv *free_conv;
	struct conv *all_conv;
	uint64_t in_flight;
	/* Metrics (window) */
	uint64_t conversations, completed, failed, timeouts, throttles, post_throttles;
	struct sim_hist ttfb_ms, ttlt_s;
	double messages, requests, updates, conn_s;
	uint64_t t_completed, t_failed, t_throttles;
};

static struct conv *conv_get(struct stream *st)
{
	struct conv *c = st->free_conv;
	if (c) {
		st->free_conv = c->next_free;
	} else {
		c = sim_xcalloc(1, sizeof(*c));
		c->st = st;
		c->next_all = st->all_conv;
		st->all_conv = c;
	}
	st->in_flight++;
	return c;
}

static void conv_put(struct stream *st, struct conv *c)
{
	st->in_flight--;
	c->next_free = st->free_conv;
	st->free_conv = c;
}

static void refuse(struct stream *st, const struct sim_msg *msg)
{
	st->throttles++;
	st->t_throttles++;
	sim_run_rejected(st->base.run, msg);
}

/* The connection's time, for connection-minutes. */
static void connection_ends(struct stream *st, struct sim *s, const struct conv *c)
{
	if (st->cfg->door != DOOR_FUNCTION_URL)
		st->conn_s += sim_time_to_s(s->now - c->at + st->cfg->linger);
}

static void conv_fail(struct stream *st, struct sim *s, struct conv *c, bool timeout)
{
	st->failed++;
	st->t_failed++;
	if (timeout)
		st->timeouts++;
	connection_ends(st, s, c);
	sim_run_tenant(st->base.run, c->item.msg.tenant)->failed++;
	conv_put(st, c);
}

static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed);

/* Starts the generation now; false (after counting the refusal) when the
 * function throttles. */
static bool generate(struct stream *st, struct sim *s, struct conv *c)
{
	c->phase = PH_GENERATE;
	c->b = (struct lambda_batch){ .items = &c->item, .n = 1, .failed = &c->failed,
				      .done = on_done, .ctx = c, .ordered = false };
	c->failed = false;
	if (lambda_invoke_work(st->fn, s, &c->b, c->work))
		return true;
	refuse(st, &c->item.msg);
	conv_put(st, c);
	return false;
}

/* appsync: the job has crossed the queue to the processing function. */
static void on_queued(struct sim *s, void *target, uint64_t arg)
{
	struct conv *c = target;
	(void)arg;
	generate(c->st, s, c);
}

static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed)
{
	struct conv *c = ctx;
	struct stream *st = c->st;
	const struct stream_config *cfg = st->cfg;
	bool ok = outcome == LAMBDA_OK && !failed[0];
	sim_time_t elapsed = s->now - c->at;
	if (c->phase == PH_REQUEST) {
		/* The startStream resolver: FACTS 7 "AppSync", 30 s. */
		if (!ok || elapsed > APPSYNC_RESOLVER_LIMIT) {
			conv_fail(st, s, c, ok || cfg->request_work >= lambda_timeout(st->request_fn));
			return;
		}
		c->phase = PH_QUEUED;
		sim_schedule_in(s, cfg->queue_latency, on_queued, c, 0);
		return;
	}
	if (!ok) {
		conv_fail(st, s, c, c->work >= lambda_timeout(st->fn));
		return;
	}
	sim_time_t start = s->now - c->work; /* the generation began */
	sim_time_t first = cfg->setup + (start - c->at) + c->first;
	sim_time_t last = cfg->setup + elapsed;
	double posts = c->tokens + 1; /* the tokens and a completion message */
	switch (cfg->door) {
	case DOOR_FUNCTION_URL:
		break;
	case DOOR_WEBSOCKET:
		if (cfg->mode == WS_SYNC && elapsed > WS_INTEGRATION_TIMEOUT) {
			/* The route integration waited for the handler and
			 * gave up at 29 s: the client gets an error. */
			st->messages += 1;
			conv_fail(st, s, c, true);
			return;
		}
		{
			/* The tokens from the first to the last, then the
			 * completion message. */
			double took = posts_book(st->posts, cfg->request_rate,
						 start + c->first, s->now, posts - 1) +
				      posts_book(st->posts, cfg->request_rate, s->now,
						 s->now, 1);
			st->messages += took;
			if (posts - took >= 0.5) {
				st->post_throttles += (uint64_t)llround(posts - took);
				conv_fail(st, s, c, false);
				return;
			}
		}
		first += cfg->post_latency;
		last += cfg->post_latency;
		break;
	case DOOR_APPSYNC:
		st->requests += posts;
		st->updates += posts;
		first += cfg->post_latency;
		last += cfg->post_latency;
		break;
	}
	if (cfg->door == DOOR_WEBSOCKET && elapsed + cfg->linger > WS_MAX_CONNECTION) {
		conv_fail(st, s, c, true);
		return;
	}
	st->completed++;
	st->t_completed++;
	sim_hist_add(&st->ttfb_ms, sim_time_to_s(first) * 1e3);
	sim_hist_add(&st->ttlt_s, sim_time_to_s(last));
	connection_ends(st, s, c);
	sim_run_delivered(st->base.run, &c->item.msg);
	conv_put(st, c);
}

static void stream_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct stream *st = (struct stream *)m;
	const struct stream_config *cfg = st->cfg;
	st->conversations++;
	if (cfg->door == DOOR_WEBSOCKET) {
		/* A new connection, then the request message on it. */
		if (!bucket_take(&st->conn, s->now, 1, false) ||
		    !bucket_take(&st->req, s->now, 1, false)) {
			refuse(st, msg);
			return;
		}
		st->messages += 1;
	}
	struct conv *c = conv_get(st);
	c->item = (struct sqs_received){ .receive_count = 1, .msg = *msg };
	c->at = s->now;
	c->first = sim_dist_sample_time(&cfg->first_token, st->rng);
	double n = round(sim_dist_sample(&cfg->tokens, st->rng));
	c->tokens = n > 0 ? n : 0;
	c->work = sim_time_add(c->first, sim_time_from_s(c->tokens / cfg->tokens_per_second));
	if (cfg->door != DOOR_APPSYNC) {
		generate(st, s, c);
		return;
	}
	st->requests += 1; /* startStream */
	if (!st->request_fn) {
		c->phase = PH_QUEUED;
		sim_schedule_in(s, cfg->request_work + cfg->queue_latency, on_queued, c, 0);
		return;
	}
	c->phase = PH_REQUEST;
	c->b = (struct lambda_batch){ .items = &c->item, .n = 1, .failed = &c->failed,
				      .done = on_done, .ctx = c, .ordered = false };
	c->failed = false;
	if (!lambda_invoke_work(st->request_fn, s, &c->b, cfg->request_work)) {
		refuse(st, msg);
		conv_put(st, c);
	}
}

/* Model operations ------------------------------------------------------------ */

/* Whether the scenario itself sets key (not a default the schema filled). */
static bool given(const struct cfg_node *node, const char *key)
{
	const struct cfg_node *v = cfg_get(node, key);
	return v && !v->filled;
}

static void stream_configure(void *config, const struct cfg_node *node,
			     struct scn_ctx *ctx)
{
	const struct stream_config *c = config;
	if (c->tokens_per_second <= 0 && cfg_get(node, "tokens_per_second"))
		scn_error_key(ctx, node, "tokens_per_second", "must be above 0");
	/* Defaults of another door's keys are not assumptions of this one. */
	if (c->door != DOOR_APPSYNC) {
		scn_unassume(ctx, "request_work");
		scn_unassume(ctx, "queue_latency");
	}
	if (c->door == DOOR_FUNCTION_URL)
		scn_unassume(ctx, "post_latency");
	if (c->door != DOOR_WEBSOCKET && given(node, "mode"))
		scn_error_key(ctx, node, "mode", "applies only to door: websocket");
	if (c->door != DOOR_APPSYNC) {
		static const char *const keys[] = { "request_function", "request_work",
						    "queue_latency" };
		for (size_t i = 0; i < 3; i++)
			if (given(node, keys[i]))
				scn_error_key(ctx, node, keys[i],
					      "applies only to door: appsync");
	} else if (c->request_work > APPSYNC_RESOLVER_LIMIT) {
		scn_error_key(ctx, node, "request_work",
			      "longer than AppSync's 30 s resolver limit");
	}
	if (c->door == DOOR_APPSYNC || c->door == DOOR_FUNCTION_URL) {
		static const char *const keys[] = { "connection_rate", "request_rate",
						    "request_burst" };
		for (size_t i = 0; i < 3; i++)
			if (given(node, keys[i]))
				scn_error_key(ctx, node, keys[i],
					      "applies only to door: websocket");
	}
}

static struct model *stream_create(const void *config, const char *name,
				   struct sim_run *run)
{
	const struct stream_config *cfg = config;
	struct stream *st = sim_xcalloc(1, sizeof(*st));
	st->cfg = cfg;
	st->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				 "responses");
	/* One second of new connections in hand (UNCONFIRMED: AWS gives no
	 * burst for the connection rate), at least one. */
	st->conn = (struct bucket){ .rate = cfg->connection_rate,
				    .cap = cfg->connection_rate > 1 ? cfg->connection_rate : 1 };
	st->conn.tokens = st->conn.cap;
	st->req = (struct bucket){ .rate = cfg->request_rate, .cap = cfg->request_burst,
				   .tokens = cfg->request_burst };
	if (cfg->door == DOOR_WEBSOCKET) {
		st->posts = sim_xcalloc(POST_RING, sizeof(*st->posts));
		for (size_t i = 0; i < POST_RING; i++)
			st->posts[i].sec = -1;
	}
	if (sim_hist_init(&st->ttfb_ms) || sim_hist_init(&st->ttlt_s)) {
		sim_out_of_memory(sizeof(struct sim_hist));
	}
	return &st->base;
}

static int stream_link(struct model *m, struct sim_run *run)
{
	struct stream *st = (struct stream *)m;
	char path[300];
	int rc = 0;
	snprintf(path, sizeof(path), "resources.%s.function", m->name);
	struct model *x = sim_run_find_typed(run, cfg_get(m->node, "function"), path,
					     st->cfg->function, &lambda_ops,
					     "a lambda function");
	st->fn = x ? lambda_from_model(x) : NULL;
	if (!st->fn)
		rc = -1;
	if (st->cfg->request_function) {
		snprintf(path, sizeof(path), "resources.%s.request_function", m->name);
		x = sim_run_find_typed(run, cfg_get(m->node, "request_function"), path,
				       st->cfg->request_function, &lambda_ops,
				       "a lambda function");
		st->request_fn = x ? lambda_from_model(x) : NULL;
		if (!st->request_fn)
			rc = -1;
	}
	return rc;
}

static void stream_start(struct model *m, struct sim *s)
{
	struct stream *st = (struct stream *)m;
	st->conn.at = st->req.at = s->now;
}

static void stream_restart(struct model *m, struct sim *s)
{
	struct stream *st = (struct stream *)m;
	(void)s;
	/* Conversations still in flight belong to the window they end in. */
	st->conversations = st->in_flight;
	st->completed = st->failed = st->timeouts = st->throttles = 0;
	st->post_throttles = 0;
	st->messages = st->requests = st->updates = st->conn_s = 0;
	sim_hist_reset(&st->ttfb_ms);
	sim_hist_reset(&st->ttlt_s);
}

static void stream_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct stream *st = (struct stream *)m;
	sim_recorder_put(rec, s->now, m->name, "InFlight", (double)st->in_flight);
	sim_recorder_count(rec, s->now, m->name, METRIC_COMPLETED, (double)st->t_completed);
	sim_recorder_count(rec, s->now, m->name, METRIC_FAILED, (double)st->t_failed);
	sim_recorder_count(rec, s->now, m->name, METRIC_THROTTLES, (double)st->t_throttles);
	st->t_completed = st->t_failed = st->t_throttles = 0;
}

static void stream_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct stream *st = (struct stream *)m;
	const char *n = m->name;
	(void)s;
	sim_results_put(res, n, METRIC_CONVERSATIONS, "count", (double)st->conversations);
	sim_results_put(res, n, METRIC_COMPLETED, "count", (double)st->completed);
	sim_results_put(res, n, METRIC_FAILED, "count", (double)st->failed);
	sim_results_put(res, n, "Timeouts", "count", (double)st->timeouts);
	sim_results_put(res, n, METRIC_THROTTLES, "count", (double)st->throttles);
	sim_results_put(res, n, "InFlight", "count", (double)st->in_flight);
	static const double q[] = { 0.5, 0.95, 0.99 };
	static const char *const ttfb[] = { METRIC_TIME_TO_FIRST_BYTE METRIC_P50,
					    METRIC_TIME_TO_FIRST_BYTE METRIC_P95,
					    METRIC_TIME_TO_FIRST_BYTE METRIC_P99 };
	static const char *const ttlt[] = { METRIC_TIME_TO_LAST_TOKEN METRIC_P50,
					    METRIC_TIME_TO_LAST_TOKEN METRIC_P95,
					    METRIC_TIME_TO_LAST_TOKEN METRIC_P99 };
	for (size_t i = 0; i < 3; i++)
		sim_results_put(res, n, ttfb[i], "ms", sim_hist_quantile(&st->ttfb_ms, q[i]));
	for (size_t i = 0; i < 3; i++)
		sim_results_put(res, n, ttlt[i], "s", sim_hist_quantile(&st->ttlt_s, q[i]));
	switch (st->cfg->door) {
	case DOOR_WEBSOCKET:
		sim_results_put(res, n, "PostThrottles", "count", (double)st->post_throttles);
		sim_results_meter(res, n, "Amazon API Gateway", "WebSocketMessages",
				  "message", "apigw.websocket_messages", st->messages);
		sim_results_meter(res, n, "Amazon API Gateway", "WebSocketConnectionMinutes",
				  "connection-minute", "apigw.websocket_connection_minutes",
				  st->conn_s / 60);
		break;
	case DOOR_APPSYNC:
		sim_results_meter(res, n, "AWS AppSync", "Requests", "request",
				  "appsync.requests", st->requests);
		sim_results_meter(res, n, "AWS AppSync", "RealtimeUpdates", "message",
				  "appsync.realtime_updates", st->updates);
		sim_results_meter(res, n, "AWS AppSync", "ConnectionMinutes",
				  "connection-minute", "appsync.connection_minutes",
				  st->conn_s / 60);
		break;
	default:
		/* Function URLs cost nothing beyond the function. */
		break;
	}
}

static void stream_destroy(struct model *m)
{
	struct stream *st = (struct stream *)m;
	if (!st)
		return;
	while (st->all_conv) {
		struct conv *c = st->all_conv;
		st->all_conv = c->next_all;
		free(c);
	}
	gsl_rng_free(st->rng);
	free(st->posts);
	sim_hist_finish(&st->ttfb_ms);
	sim_hist_finish(&st->ttlt_s);
	free(st);
}

/* What the reports show of a streaming door (sim/report_desc.h): the
 * doors side by side after the cost, each with its door's meters and its
 * functions' per 1,000 conversations. */
static const struct model_column stream_columns[] = {
	{ "convers.", 9, METRIC_CONVERSATIONS, MODEL_COL_COUNT, 9 },
	{ "complete", 9, METRIC_COMPLETED, MODEL_COL_COUNT, 9 },
	{ "failed", 8, METRIC_FAILED, MODEL_COL_COUNT, 8 },
	{ "refused", 8, METRIC_THROTTLES, MODEL_COL_COUNT, 8 },
	{ "ttfb_p50", 9, METRIC_TIME_TO_FIRST_BYTE METRIC_P50, MODEL_COL_MS, 8 },
	{ "ttfb_p95", 9, METRIC_TIME_TO_FIRST_BYTE METRIC_P95, MODEL_COL_MS, 8 },
	{ "ttfb_p99", 9, METRIC_TIME_TO_FIRST_BYTE METRIC_P99, MODEL_COL_MS, 8 },
	{ "last_p50", 9, METRIC_TIME_TO_LAST_TOKEN METRIC_P50, MODEL_COL_S, 8 },
	{ "last_p99", 9, METRIC_TIME_TO_LAST_TOKEN METRIC_P99, MODEL_COL_S, 8 },
};

/* "door", or "websocket MODE". */
static void stream_label(const struct scn_entry *e, char *buf, size_t size)
{
	const struct cfg_node *door = cfg_get(e->node, "door");
	const struct cfg_node *mode = cfg_get(e->node, "mode");
	bool ws = door && door->value && !strcmp(door->value, "websocket");
	snprintf(buf, size, "%s%s%s", door && door->value ? door->value : "?",
		 ws && mode && mode->value ? " " : "",
		 ws && mode && mode->value ? mode->value : "");
}

static const struct model_table stream_table = {
	.intro = "streaming options (TTFB and time to last token of completed "
		 "conversations; cost = the door's meters and its functions')",
	.label_header = "door",
	.cols = stream_columns,
	.n_cols = sizeof(stream_columns) / sizeof(stream_columns[0]),
	.per_1k_header = "usd_per_1k",
	.label = stream_label,
};

/* The door's own meters and its functions' (function, request_function). */
static size_t stream_cost_group(const struct scn_entry *e, const char **names, size_t max)
{
	static const char *const keys[] = { "function", "request_function" };
	size_t n = 0;
	if (n < max)
		names[n++] = e->name;
	for (size_t k = 0; k < 2 && n < max; k++) {
		const char *v = desc_scalar(e->node, keys[k]);
		if (v)
			names[n++] = v;
	}
	return n;
}

static const struct model_report llm_stream_report = {
	.table = &stream_table,
	.cost_group = stream_cost_group,
};

const struct model_ops llm_stream_ops = {
	.name = "llm_stream",
	.help = "LLM response streaming through a function URL, API Gateway WebSocket or AppSync: TTFB, timeouts, cost",
	.schema = &stream_schema,
	.config_size = sizeof(struct stream_config),
	.configure = stream_configure,
	.create = stream_create,
	.link = stream_link,
	.start = stream_start,
	.restart = stream_restart,
	.sample = stream_sample,
	.finish = stream_finish,
	.destroy = stream_destroy,
	.accept = stream_accept,
	.report = &llm_stream_report,
};
