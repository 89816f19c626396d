/* lambda.c - an AWS Lambda function: concurrency, execution environments,
 * cold starts, invocation duration, errors, per-message calls to DynamoDB
 * and payloads through network hops. Its SQS event source mappings
 * (event_sources) are resources of their own (esm.c) that the loader takes
 * from this entry.
 *
 * Concurrency. An invocation needs one execution environment for its whole
 * duration. It runs only if the function is under its reserved concurrency
 * (when it has one) or the account's unreserved pool has room (account.c),
 * and if an idle environment exists or a new one may be created: at most
 * 1,000 new environments per 10 s per function, refilled continuously
 * (FACTS 3, "Per-function scaling rate":
 * https://docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html).
 * Otherwise it is throttled (HTTP 429).
 *
 * Environments. A new environment pays a cold start (cold_start; no AWS
 * figure exists, the default follows a third-party benchmark: FACTS 3,
 * "Cold start duration", UNCONFIRMED). Idle environments are reused newest
 * first (as SimFaaS models Lambda), so surplus ones age out after keep_warm
 * (not documented by AWS: UNCONFIRMED, a parameter).
 *
 * Duration. One invocation runs per_batch, then its messages spread over
 * `workers` in-handler workers (each takes the next message when free); a
 * message takes per_message times its tenant's work_factor, then makes its
 * `calls` one after another. A throttled DynamoDB call is retried by the SDK
 * after a delay (sdk_retry.h); after max_attempts the message fails. A message
 * also fails with its tenant's failure_rate. The whole invocation fails
 * with error_rate, or when it runs past `timeout` (killed). Memory gives the
 * vCPU share (1,769 MB = 1 vCPU: FACTS 3, "Memory -> vCPU") and the GB-s.
 *
 * Network. A call to a nat_gateway or vpc_endpoint sends `bytes` through
 * it (netpath.h). With `compression`, those bytes shrink by `ratio` and
 * each message first spends cpu_per_mb per MB compressing, scaled from the
 * vCPU share it was measured at to this function's (both capped at one
 * vCPU: compressing is one thread).
 *
 * Billing (meters in finish): requests, and GB-seconds of the billed
 * duration, which rounds each invocation up to 1 ms including the INIT
 * phase of a cold start (FACTS 3, "Billing granularity").
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/account.h"
#include "models/describe.h"
#include "models/dynamodb.h"
#include "models/lambda.h"
#include "models/dependency.h"
#include "models/netpath.h"
#include "models/registry.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/stats.h"
#include "sim/units.h"

enum arch { ARCH_X86_64, ARCH_ARM64 };
static const char *const arch_names[] = { "x86_64", "arm64", NULL };
enum call_op { CALL_READ, CALL_WRITE };
static const char *const op_names[] = { "read", "write", NULL };

struct call_config {
	const char *target;  /* a dynamodb table, or a network hop */
	int op;              /* enum call_op */
	int64_t count;       /* requests per message */
	double item_size;    /* bytes per request (dynamodb) */
	double bytes;        /* payload per request (network hop) */
};

struct lambda_config {
	double memory;                   /* bytes */
	int architecture;                /* enum arch */
	sim_time_t timeout;
	int64_t reserved_concurrency;    /* SCN_UNLIMITED: none */
	const char *account;             /* account resource, or NULL */
	struct sim_dist cold_start;      /* seconds */
	sim_time_t keep_warm;
	sim_time_t keep_warm_busy;
	struct sim_dist max_lifetime;    /* seconds */
	sim_time_t release_lag;
	struct sim_dist per_batch;       /* seconds */
	struct sim_dist per_message;     /* seconds */
	int64_t workers;                 /* in-handler parallelism */
	double cpu_share;                /* of per_batch and per_message */
	double cpu_at_memory;            /* memory they were measured at, 0: ours */
	int64_t threads;                 /* vCPUs the CPU part can use */
	double error_rate;
	bool report_batch_item_failures;
	struct scn_list calls;           /* struct call_config */
	struct scn_list event_sources;   /* left empty: the loader makes each
					    element a resource (esm.c) */
	bool compress;                   /* compression is given */
	double compress_ratio;           /* payload bytes saved */
	sim_time_t compress_cpu_per_mb;  /* CPU time per MB compressed */
	double compress_at_memory;       /* memory it was measured at, 0: ours */
};

#define F(...) SCN_FIELD(struct lambda_config, __VA_ARGS__)
#define C(...) SCN_FIELD(struct call_config, __VA_ARGS__)

static const struct scn_field call_fields[] = {
	C("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, target,
	  "the dynamodb table called, or the nat_gateway or vpc_endpoint the "
	  "payload goes through"),
	{ .key = "op", .kind = SCN_ENUM, .names = op_names, .dflt = "write",
	  .min = 1, .max = 0, .offset = offsetof(struct call_config, op),
	  .help = "read or write" },
	C("count", SCN_INT, 0, 1, 1000, "1", count, "requests per message"),
	/* FACTS 5 "Units": a write unit is 1 KB, a read unit 4 KB. */
	C("item_size", SCN_SIZE, 0, 1, 400000, "1KB", item_size,
	  "dynamodb: item size per request (write units = ceil(size / 1 KB))"),
	C("bytes", SCN_SIZE, SCN_F_OPTIONAL, 1, 1e12, NULL, bytes,
	  "network hop: payload per request before compression (default: the "
	  "message's own size)"),
};
static const struct scn_schema call_schema = { "call", call_fields, 5, NULL };

#define Z(...) SCN_FIELD(struct lambda_config, __VA_ARGS__)

/* Compressing payloads before they cross the network (seed post
 * "Optimizing network footprint in serverless applications"). */
static const struct scn_field compression_fields[] = {
	Z("ratio", SCN_FRACTION, SCN_F_REQUIRED, 0, 1, NULL, compress_ratio,
	  "share of the payload bytes compression removes (JSON: ~70%)"),
	Z("cpu_per_mb", SCN_DURATION, SCN_F_REQUIRED, 0, 3600, NULL,
	  compress_cpu_per_mb,
	  "CPU time to compress 1 MB of payload, measured at at_memory"),
	Z("at_memory", SCN_SIZE, SCN_F_OPTIONAL, 128e6, 10240e6, NULL,
	  compress_at_memory,
	  "memory cpu_per_mb was measured at (default: this function's); the "
	  "time scales with the vCPU share, memory / 1,769MB, up to one vCPU"),
};
static const struct scn_schema compression_schema = {
	"compression", compression_fields, 3, NULL
};

static const struct scn_field duration_fields[] = {
	{ .key = "per_batch", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "0s", .min = 1, .max = 0,
	  .offset = offsetof(struct lambda_config, per_batch),
	  .help = "fixed time per invocation" },
	{ .key = "per_message", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "100ms", .min = 1, .max = 0,
	  .offset = offsetof(struct lambda_config, per_message),
	  .help = "time per message (times the tenant's work_factor)" },
	F("workers", SCN_INT, 0, 1, 1000, "1", workers,
	  "messages processed in parallel inside one invocation"),
	F("cpu_share", SCN_FRACTION, 0, 0, 1, "0%", cpu_share,
	  "share of per_batch and per_message that is CPU work (scales with "
	  "the vCPU share memory buys); the rest is I/O and does not"),
	F("at_memory", SCN_SIZE, SCN_F_OPTIONAL, 128e6, 10240e6, NULL, cpu_at_memory,
	  "memory per_batch and per_message were measured at (default: this "
	  "function's)"),
	F("threads", SCN_INT, 0, 1, 6, "1", threads,
	  "vCPUs the CPU part can use (single-threaded code: 1, nothing "
	  "gained past one vCPU)"),
};
static const struct scn_schema duration_schema = { "duration", duration_fields, 6, NULL };

/* The elements of event_sources are the SQS event source mappings' (esm.c,
 * model_ops.within): the loader walks them with that type's schema. */
static const struct scn_schema event_source_schema = { "event source", NULL, 0, NULL };

static const struct scn_field lambda_fields[] = {
	/* FACTS 3 "Memory -> vCPU": 128-10,240 MB; 128 MB is AWS's default. */
	F("memory", SCN_SIZE, 0, 128e6, 10240e6, "128MB", memory,
	  "memory (1,769MB = one vCPU); sets the GB-s"),
	{ .key = "architecture", .kind = SCN_ENUM, .names = arch_names,
	  .dflt = "x86_64", .min = 1, .max = 0,
	  .offset = offsetof(struct lambda_config, architecture),
	  .help = "x86_64 or arm64 (price)" },
	/* FACTS 3 "Max timeout": 15 min; 3 s is AWS's default. */
	F("timeout", SCN_DURATION, 0, 0.001, 900, "3s", timeout,
	  "an invocation running longer is killed (an error)"),
	F("reserved_concurrency", SCN_INT, SCN_F_NONE, 0, 1e7, "none",
	  reserved_concurrency, "concurrency set aside for this function (floor and ceiling)"),
	F("account", SCN_NAME, SCN_F_OPTIONAL, 1, 0, NULL, account,
	  "account resource (default: the only one, or an implicit 1,000)"),
	/* FACTS 3 "Cold start duration": UNCONFIRMED; third-party avg
	 * 240-300 ms, p90 570-640 ms (Node.js, 256 MB). */
	{ .key = "cold_start", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "{lognormal: {median: 270ms, p99: 1150ms}}", .min = 1, .max = 0,
	  .flags = SCN_F_UNCONFIRMED,
	  .offset = offsetof(struct lambda_config, cold_start),
	  .help = "initialisation of a new environment (UNCONFIRMED default, from a third-party benchmark)" },
	F("keep_warm", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 86400, "7m", keep_warm,
	  "an idle environment is reclaimed after this (UNCONFIRMED: AWS does not document it)"),
	/* The same study's traces (below): with one environment (0.002-0.008
	 * requests/s) no environment is reused after more than 10.5 min idle,
	 * as their expiry experiment measured; at 0.016-0.1/s, with two
	 * others in use, the third is reused after up to 25.4 min idle (1,284-
	 * 1,525 s the longest per run). */
	F("keep_warm_busy", SCN_DURATION, 0, 0, 86400, "25m", keep_warm_busy,
	  "while the function is still invoked (within keep_warm), an idle "
	  "environment is kept this long (at least keep_warm)"),
	/* AWS: "Lambda terminates execution environments every few hours to
	 * allow for runtime updates and maintenance - even for functions that
	 * are invoked continuously"
	 * (https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html),
	 * with no figure. The figure is from the environment lifetimes in
	 * Mahmoudi & Khazaei, "Performance Modeling of Serverless Computing
	 * Platforms" (IEEE TCC 2020), traces experiments/results/res-01-*.csv of
	 * https://github.com/pacslab/serverless-performance-modeling: 128 MB,
	 * us-east-1, 2020; in the runs at 0.05-0.1 requests/s the environments
	 * in constant use die at ages of 1.5-2.05 h, none older than 2.05 h. */
	{ .key = "max_lifetime", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "{uniform: {min: 90m, max: 123m}}", .min = 1, .max = 0,
	  .offset = offsetof(struct lambda_config, max_lifetime),
	  .help = "an environment is retired (after its current invocation) at this age, "
		  "drawn when it starts: AWS recycles environments every few hours even "
		  "under continuous load" },
	/* Not documented. The knowledge-center article on SQS scaling warns
	 * that a mapping does not account for reserved concurrency
	 * (FACTS 3, "ESM vs reserved concurrency"); van der Merwe measured a
	 * mapping capped at 60 throttled up to 56 times a minute by a
	 * reservation of 70 (50 ms function). 4 ms is the lag at which the
	 * scenario built from that set-up (validation/scenarios/esm-caps.yaml)
	 * throttles as often: a fitted value.
	 * https://www.rehanvdm.com/blog/sqs-lambda-esm-scaling-behaviour--experiment-esm-and-lambda-concurrency-uploads */
	F("release_lag", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 3600, "4ms", release_lag,
	  "after an invocation returns, its environment still counts against the "
	  "reserved and account limits this long, though it no longer counts as a "
	  "concurrent execution (UNCONFIRMED: fitted to one measurement)"),
	{ .key = "duration", .kind = SCN_TABLE, .sub = &duration_schema,
	  .min = 1, .max = 0, .help = "per_batch + messages spread over workers" },
	F("error_rate", SCN_FRACTION, 0, 0, 1, "0%", error_rate,
	  "chance a whole invocation fails"),
	F("report_batch_item_failures", SCN_BOOL, 0, 1, 0, "false",
	  report_batch_item_failures,
	  "return failed messages only (ReportBatchItemFailures) instead of failing the batch"),
	{ .key = "calls", .kind = SCN_LIST, .sub = &call_schema,
	  .elem_size = sizeof(struct call_config), .flags = SCN_F_OPTIONAL,
	  .offset = offsetof(struct lambda_config, calls), .min = 1, .max = 0,
	  .help = "downstream requests made for every message" },
	{ .key = "event_sources", .kind = SCN_LIST, .sub = &event_source_schema,
	  .flags = SCN_F_OPTIONAL,
	  .offset = offsetof(struct lambda_config, event_sources), .min = 1, .max = 0,
	  .help = "SQS event source mappings" },
	{ .key = "compression", .kind = SCN_TABLE, .flags = SCN_F_NONE,
	  .dflt = "none", .sub = &compression_schema,
	  .offset = offsetof(struct lambda_config, compress),
	  .help = "compress payloads sent through network hops: fewer bytes, "
		  "longer processing" },
};

static const struct scn_schema lambda_schema = {
	.name = "lambda",
	.fields = lambda_fields,
	.n = sizeof(lambda_fields) / sizeof(lambda_fields[0]),
};

/* FACTS 3 "Per-function scaling rate": 1,000 new environments per 10 s. */
#define NEW_ENV_BURST 1000.0
#define NEW_ENV_RATE 100.0 /* per second */

/* One in-handler worker of an invocation. */
struct hworker {
	uint32_t item;    /* message being processed */
	uint32_t call;    /* index into calls */
	uint32_t rep;     /* repetition of that call */
	uint32_t attempt; /* attempts of the current request */
	bool waiting;     /* a dependency call is out; its answer is `ok` */
	bool ok;
};

/* What a worker needs of each message, copied from the caller's batch when
 * the invocation starts: the batch's own memory is cold by the time each
 * message's work ends, the invocation's is warmer (and one place). */
struct item_rt {
	uint32_t tenant;
	uint32_t size;
	bool failed;      /* copied back to the batch at the end */
};

/* One running invocation (a slot in the function's pool). The fields every
 * message's event reads come first, together. */
struct invocation {
	uint32_t gen;               /* bumps when the slot is reused */
	uint32_t next;              /* next message to hand to a worker */
	uint32_t busy;              /* workers still processing */
	uint32_t n;                 /* messages in the batch */
	struct lambda *fn;          /* owner: the invocation's events target it */
	struct item_rt *it;         /* n entries (capacity it_cap) */
	sim_time_t deadline;        /* handler start + timeout */
	sim_time_t work;            /* fixed compute time per item, 0: per_message */
	bool killing;               /* the kill at the deadline is scheduled */
	bool ordered;               /* the batch's `ordered` */
	bool cold;
	bool reserved;              /* drew on the function's reservation */
	uint32_t slot;              /* its index in fn->inv */
	uint32_t it_cap;
	struct lambda_batch *b;     /* the caller's batch */
	sim_time_t handler_start;   /* after the cold start */
	sim_time_t init;            /* the cold start (INIT), 0 when warm */
	int64_t cold_n;             /* of its weight, environments started cold */
	int64_t weight;             /* invocations it stands for (a cohort's) */
	sim_time_t *dies;           /* weight entries: when each of its
				       environments reaches max_lifetime */
	int64_t dies_cap;
	struct hworker hw[];        /* `workers` entries */
};

struct sync_call;

/* An idle execution environment. */
struct env {
	sim_time_t since;   /* idle since */
	sim_time_t dies;    /* reaches its max_lifetime */
};

struct call_rt {
	struct ddb *table;      /* a dynamodb call, or */
	struct netpath *hop;    /* a payload through a network hop, or */
	struct dependency *dep; /* a call to an external dependency, or */
	struct model *fwd;      /* a message sent on (to a queue, stream, bus...) */
	enum ddb_op op;
	int64_t count;
	uint32_t bytes;         /* dynamodb item size */
	double send;            /* hop: bytes sent per request, compressed;
				   0: the message's size */
};

struct lambda {
	struct model base;               /* must be first */
	const struct lambda_config *cfg;
	bool forwards;                   /* some call sends the message on */
	struct account *account;
	struct call_rt *calls;
	size_t n_calls;
	double compress_s;               /* compression time per message */
	double compress_per_byte;        /* more per byte of the message */
	double keep;                     /* share of hop bytes left after compression */
	double time_scale;               /* per_batch and per_message at our
					    memory / as measured (cpu_share) */
	gsl_rng *rng;                    /* durations, failures */
	bool reserved;                   /* has reserved concurrency */
	int64_t in_use;                  /* executions the limits count */
	int64_t lagging;                 /* of them, returned but not yet released
					    (release_lag): not concurrent executions */
	/* Environments: idle ones in a ring, newest at the top. */
	struct env *idle;
	size_t idle_head, idle_n, idle_cap;
	sim_time_t last_invoked;         /* the last invocation's start */
	sim_time_t idle_dies_min;        /* at most the earliest `dies` in the
					    ring (exact after a purge) */
	gsl_rng *env_rng;                /* lifetimes */
	uint64_t retired;                /* environments retired at max_lifetime */
	double tokens;                   /* new-environment tokens */
	sim_time_t tokens_at;            /* when tokens was last brought up to date */
	/* Invocation slots. */
	struct invocation **inv;
	uint32_t *free_inv;
	size_t n_inv, n_free;
	/* Metrics (window) */
	uint64_t invocations, errors, throttles, timeouts, cold_starts, items_failed;
	int64_t peak;
	struct sim_twa level;
	struct sim_welford duration_ms;
	struct sim_hist duration_h;
	double billed_ms;
	uint64_t t_invocations, t_errors, t_throttles, t_cold;
	double t_dur_ms, t_dur_n;        /* Duration of invocations ended this tick */
	struct sync_call *sync_free;     /* tenant invocations: free records */
	struct sync_call *sync_all;      /* every record, for destroy */
};

/* FACTS 3 "Memory -> vCPU": "At 1,769 MB, a function has the equivalent of
 * one vCPU", up to 6 vCPUs at 10,240 MB
 * (https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html).
 * The vCPUs that code using `threads` of them gets at `memory` bytes. */
#define MB_PER_VCPU 1769e6
#define MAX_VCPUS 6.0
static double vcpu_share(double memory, double threads)
{
	double share = memory / MB_PER_VCPU;
	if (share > threads)
		share = threads;
	return share < MAX_VCPUS ? share : MAX_VCPUS;
}

static double gb(const struct lambda *fn)
{
	/* Lambda bills memory in MB as configured: 1024 MB = 1 GB. */
	return fn->cfg->memory / 1e6 / 1024.0;
}

bool lambda_reports_item_failures(const struct lambda *fn)
{
	return fn->cfg->report_batch_item_failures;
}

sim_time_t lambda_timeout(const struct lambda *fn)
{
	return fn->cfg->timeout;
}

/* Environments ---------------------------------------------------------------- */

/* Drops the idle environments that reached their max_lifetime, wherever
 * they are in the ring (O(idle); runs only when one may have). */
static void purge_expired(struct lambda *fn, sim_time_t now)
{
	size_t kept = 0;
	sim_time_t lo = SIM_TIME_MAX;
	for (size_t i = 0; i < fn->idle_n; i++) {
		struct env e = fn->idle[(fn->idle_head + i) % fn->idle_cap];
		if (e.dies <= now) {
			fn->retired++;
			continue;
		}
		if (e.dies < lo)
			lo = e.dies;
		fn->idle[(fn->idle_head + kept++) % fn->idle_cap] = e;
	}
	fn->idle_n = kept;
	fn->idle_dies_min = lo;
}

/* Drops (oldest first) the idle environments idle for keep_warm when the
 * function has not been invoked for keep_warm either, or for
 * keep_warm_busy when it has; and those that reached their max_lifetime. */
static void reclaim(struct lambda *fn, sim_time_t now)
{
	if (fn->idle_n && fn->idle_dies_min <= now)
		purge_expired(fn, now);
	const struct lambda_config *c = fn->cfg;
	bool quiet = sim_time_add(fn->last_invoked, c->keep_warm) <= now;
	sim_time_t keep = quiet || c->keep_warm_busy < c->keep_warm ? c->keep_warm
								       : c->keep_warm_busy;
	while (fn->idle_n && sim_time_add(fn->idle[fn->idle_head].since, keep) <= now) {
		fn->idle_head = (fn->idle_head + 1) % fn->idle_cap;
		fn->idle_n--;
	}
}

/* An environment whose invocation ended at `now` becomes idle, or is
 * retired when it has reached its max_lifetime. */
static void idle_push(struct lambda *fn, sim_time_t now, sim_time_t dies)
{
	if (dies <= now) {
		fn->retired++;
		return;
	}
	if (fn->idle_n == fn->idle_cap) {
		size_t cap = fn->idle_cap ? fn->idle_cap * 2 : 64;
		struct env *v = sim_xcalloc(cap, sizeof(*v));
		for (size_t i = 0; i < fn->idle_n; i++)
			v[i] = fn->idle[(fn->idle_head + i) % fn->idle_cap];
		free(fn->idle);
		fn->idle = v;
		fn->idle_head = 0;
		fn->idle_cap = cap;
	}
	if (!fn->idle_n || dies < fn->idle_dies_min)
		fn->idle_dies_min = dies;
	fn->idle[(fn->idle_head + fn->idle_n++) % fn->idle_cap] = (struct env){ now, dies };
}

/* Takes n environments (n > 1: a cohort's invocations): the newest idle
 * ones, and new ones for the rest if the scaling rate allows, writing when
 * each reaches its max_lifetime into dies[0..n). Returns how many are new
 * (cold), or -1 (taking nothing) when there are not enough. */
static int64_t take_environments(struct lambda *fn, sim_time_t now, int64_t n,
				 sim_time_t *dies)
{
	reclaim(fn, now);
	int64_t warm = (int64_t)fn->idle_n < n ? (int64_t)fn->idle_n : n;
	int64_t cold = n - warm;
	if (cold) {
		fn->tokens += sim_time_to_s(now - fn->tokens_at) * NEW_ENV_RATE;
		if (fn->tokens > NEW_ENV_BURST)
			fn->tokens = NEW_ENV_BURST;
		fn->tokens_at = now;
		if (fn->tokens < (double)cold)
			return -1;
		fn->tokens -= (double)cold;
	}
	for (int64_t k = 0; k < warm; k++)
		dies[k] = fn->idle[(fn->idle_head + fn->idle_n - 1 - (size_t)k) % fn->idle_cap].dies;
	fn->idle_n -= (size_t)warm;
	for (int64_t k = warm; k < n; k++)
		dies[k] = sim_time_add(now, sim_dist_sample_time(&fn->cfg->max_lifetime,
								 fn->env_rng));
	return cold;
}

/* Invocations -------------------------------------------------------------- */

static void on_item(struct sim *s, void *target, uint64_t arg);
static void on_timeout(struct sim *s, void *target, uint64_t arg);
static void on_start(struct sim *s, void *target, uint64_t arg);
static void start_workers(struct lambda *fn, struct sim *s, uint32_t slot,
			  sim_time_t from);

/* Event arguments (the target is the invocation): worker (low 32 bits) |
 * the invocation's generation (high 32), so a stale event is recognised. */
static uint64_t pack(uint32_t worker, uint32_t gen)
{
	return (uint64_t)worker | (uint64_t)gen << 32;
}

/* Schedules fn_ev for worker w of invocation `slot` at `at`, or, when that
 * is past the invocation's deadline, its kill at the deadline instead: an
 * invocation has no timeout timer of its own, since nothing it does after
 * its deadline matters. */
static void at_or_kill(struct lambda *fn, struct sim *s, uint32_t slot,
		       uint32_t w, sim_time_t at, sim_event_fn *fn_ev)
{
	struct invocation *v = fn->inv[slot];
	if (at <= v->deadline) {
		sim_schedule(s, at, fn_ev, v, pack(w, v->gen));
		return;
	}
	if (!v->killing) {
		v->killing = true;
		sim_schedule(s, v->deadline, on_timeout, v, pack(0, v->gen));
	}
}

static uint32_t slot_take(struct lambda *fn)
{
	if (!fn->n_free) {
		fn->inv = sim_xrealloc(fn->inv, (fn->n_inv + 1) * sizeof(*fn->inv));
		fn->free_inv = sim_xrealloc(fn->free_inv, (fn->n_inv + 1) * sizeof(*fn->free_inv));
		struct invocation *v = sim_xcalloc(1, sizeof(*v) +
			(size_t)fn->cfg->workers * sizeof(v->hw[0]));
		v->fn = fn;
		v->slot = (uint32_t)fn->n_inv;
		fn->inv[fn->n_inv] = v;
		fn->free_inv[fn->n_free++] = (uint32_t)fn->n_inv++;
	}
	return fn->free_inv[--fn->n_free];
}

bool lambda_invoke(struct lambda *fn, struct sim *s, struct lambda_batch *b)
{
	return lambda_invoke_work(fn, s, b, 0);
}

bool lambda_invoke_work(struct lambda *fn, struct sim *s, struct lambda_batch *b,
			sim_time_t work)
{
	bool reserved = fn->reserved;
	/* A cohort's message is its weight's invocations at once, sharing one
	 * duration: as many run as the concurrency and the scaling rate allow
	 * (b->admitted), the rest are throttled. */
	int64_t w = b->n == 1 ? (int64_t)sim_msg_weight(&b->items[0].msg) : 1;
	b->admitted = 0;
	if (w > 1) {
		int64_t room = reserved ? fn->cfg->reserved_concurrency - fn->in_use
					: account_unreserved_free(fn->account);
		reclaim(fn, s->now);
		fn->tokens += sim_time_to_s(s->now - fn->tokens_at) * NEW_ENV_RATE;
		if (fn->tokens > NEW_ENV_BURST)
			fn->tokens = NEW_ENV_BURST;
		fn->tokens_at = s->now;
		int64_t envs = (int64_t)fn->idle_n + (int64_t)floor(fn->tokens);
		int64_t k = room < envs ? room : envs;
		if (k <= 0)
			goto throttle;
		if (k < w) {
			fn->throttles += (uint64_t)(w - k);
			fn->t_throttles += (uint64_t)(w - k);
			account_count_throttles(fn->account, (uint64_t)(w - k));
			w = k;
		}
	}
	if (reserved ? fn->in_use + w > fn->cfg->reserved_concurrency
		     : !account_acquire_n(fn->account, s, false, w))
		goto throttle;
	if (reserved)
		account_acquire_n(fn->account, s, true, w);
	uint32_t slot = slot_take(fn);
	struct invocation *v = fn->inv[slot];
	if (w > v->dies_cap) {
		v->dies_cap = w;
		v->dies = sim_xrealloc(v->dies, (size_t)w * sizeof(*v->dies));
	}
	int64_t cold = take_environments(fn, s->now, w, v->dies);
	if (cold < 0) {
		fn->free_inv[fn->n_free++] = slot;
		account_release_n(fn->account, s, reserved, w);
		goto throttle;
	}
	v->b = b;
	SIM_ASSERT(s, b->n <= UINT32_MAX);
	v->n = (uint32_t)b->n;
	if (v->n > v->it_cap) {
		v->it_cap = v->n;
		v->it = sim_xrealloc(v->it, v->it_cap * sizeof(*v->it));
	}
	for (uint32_t i = 0; i < v->n; i++)
		v->it[i] = (struct item_rt){ b->items[i].msg.tenant,
					     b->items[i].msg.size, b->failed[i] };
	v->ordered = b->ordered;
	v->gen++;
	v->next = 0;
	v->busy = 0;
	v->cold = cold > 0;
	v->reserved = reserved;
	v->weight = w;
	b->admitted = (uint64_t)w;
	fn->in_use += w;
	fn->last_invoked = s->now;
	if (fn->in_use - fn->lagging > fn->peak)
		fn->peak = fn->in_use - fn->lagging;
	sim_twa_set(&fn->level, s->now, (double)(fn->in_use - fn->lagging));
	fn->invocations += (uint64_t)w;
	fn->t_invocations += (uint64_t)w;
	sim_time_t init = 0;
	if (v->cold) {
		/* In a cohort, the warm ones wait for the cold ones' INIT
		 * too (one shared duration); only the cold ones bill it. */
		init = sim_dist_sample_time(&fn->cfg->cold_start, fn->rng);
		fn->cold_starts += (uint64_t)cold;
		fn->t_cold += (uint64_t)cold;
	}
	v->cold_n = cold;
	v->handler_start = sim_time_add(s->now, init);
	v->init = init;
	sim_time_t per_batch = sim_dist_sample_time(&fn->cfg->per_batch, fn->rng);
	if (fn->time_scale != 1)
		per_batch = sim_time_from_s(sim_time_to_s(per_batch) * fn->time_scale);
	v->deadline = sim_time_add(v->handler_start, fn->cfg->timeout);
	v->killing = false;
	v->work = work;
	start_workers(fn, s, slot, sim_time_add(v->handler_start, per_batch));
	return true;
throttle:
	fn->throttles += (uint64_t)w;
	fn->t_throttles += (uint64_t)w;
	account_count_throttles(fn->account, (uint64_t)w);
	return false;
}

/* The environments of invocation `slot` stop counting as in use: they
 * become idle (or retire), and the slot is free. */
static void release(struct lambda *fn, struct sim *s, uint32_t slot)
{
	struct invocation *v = fn->inv[slot];
	fn->in_use -= v->weight;
	if (fn->cfg->release_lag > 0)
		fn->lagging -= v->weight;
	sim_twa_set(&fn->level, s->now, (double)(fn->in_use - fn->lagging));
	account_release_n(fn->account, s, v->reserved, v->weight);
	for (int64_t k = 0; k < v->weight; k++)
		idle_push(fn, s->now, v->dies[k]);
	fn->free_inv[fn->n_free++] = slot;
}

/* release_lag after an invocation returned. */
static void on_release(struct sim *s, void *target, uint64_t arg)
{
	struct invocation *v = target;
	SIM_ASSERT(s, v->gen == (uint32_t)(arg >> 32));
	release(v->fn, s, v->slot);
}

/* Ends invocation `slot` now with the given outcome. */
static void finish_invocation(struct lambda *fn, struct sim *s, uint32_t slot,
			      enum lambda_outcome outcome)
{
	struct invocation *v = fn->inv[slot];
	v->gen++; /* any pending event of this invocation is now stale */
	double ms = sim_time_to_s(s->now - v->handler_start) * 1e3;
	fn->t_dur_ms += ms * (double)v->weight;
	fn->t_dur_n += (double)v->weight;
	if (fn->base.run->measuring) {
		sim_welford_add(&fn->duration_ms, ms);
		sim_hist_add_n(&fn->duration_h, ms, (uint64_t)v->weight);
		/* FACTS 3 "Billing granularity": rounded up to 1 ms; the INIT
		 * phase of a cold start is billed too. */
		fn->billed_ms += (double)v->weight * ceil(ms - 1e-9) +
				 (double)v->cold_n * ceil(ms + sim_time_to_s(v->init) * 1e3 - 1e-9) -
				 (double)v->cold_n * ceil(ms - 1e-9);
	}
	if (outcome == LAMBDA_ERROR) {
		fn->errors += (uint64_t)v->weight;
		fn->t_errors += (uint64_t)v->weight;
	}
	struct lambda_batch *b = v->b;
	if (fn->cfg->release_lag > 0) {
		/* The limits keep counting the slot (and its environments)
		 * until then; the invocation itself is over. */
		fn->lagging += v->weight;
		sim_twa_set(&fn->level, s->now, (double)(fn->in_use - fn->lagging));
		sim_schedule(s, sim_time_add(s->now, fn->cfg->release_lag), on_release, v,
			     pack(0, v->gen));
	} else
		release(fn, s, slot);
	for (uint32_t i = 0; i < v->n; i++)
		b->failed[i] = v->it[i].failed;
	b->done(b->ctx, s, outcome, b->failed);
}

/* All messages done: decide the outcome. */
static void complete(struct lambda *fn, struct sim *s, uint32_t slot)
{
	struct invocation *v = fn->inv[slot];
	size_t bad = 0;
	for (uint32_t i = 0; i < v->n; i++)
		bad += v->it[i].failed;
	fn->items_failed += bad * (size_t)v->weight;
	enum lambda_outcome o = LAMBDA_OK;
	if (fn->cfg->error_rate > 0 && gsl_rng_uniform(fn->rng) < fn->cfg->error_rate)
		o = LAMBDA_ERROR;
	else if (bad)
		o = fn->cfg->report_batch_item_failures ? LAMBDA_PARTIAL : LAMBDA_ERROR;
	finish_invocation(fn, s, slot, o);
}

/* Worker w of the invocation takes its next message at time `from` (now,
 * or when the handler's per-batch work ends), or stops. */
static void next_item(struct lambda *fn, struct sim *s, uint32_t slot,
		      uint32_t w, sim_time_t from)
{
	struct invocation *v = fn->inv[slot];
	if (v->next >= v->n) {
		if (--v->busy == 0)
			complete(fn, s, slot);
		return;
	}
	struct hworker *h = &v->hw[w];
	h->item = v->next++;
	h->call = 0;
	h->rep = 0;
	h->attempt = 0;
	h->waiting = false;
	struct item_rt *m = &v->it[h->item];
	double t = (v->work ? sim_time_to_s(v->work)
			    : sim_dist_sample(&fn->cfg->per_message, fn->rng) * fn->time_scale *
				      tenant_work_factor(fn->base.run, m->tenant)) +
		   fn->compress_s + fn->compress_per_byte * m->size;
	double fail = tenant_failure_rate(fn->base.run, m->tenant);
	if (fail > 0 && gsl_rng_uniform(fn->rng) < fail)
		m->failed = true;
	at_or_kill(fn, s, slot, w, sim_time_add(from, sim_time_from_s(t)), on_item);
}

/* An empty batch's per-batch work is over. */
static void on_start(struct sim *s, void *target, uint64_t arg)
{
	struct invocation *v = target;
	if (v->gen != (uint32_t)(arg >> 32))
		return;
	complete(v->fn, s, v->slot);
}

/* Hands the first messages to the workers, who start at `from` (after the
 * cold start and the per-batch work): each worker's first event is the end
 * of its first message, so the per-batch phase costs no event of its own. */
static void start_workers(struct lambda *fn, struct sim *s, uint32_t slot,
			  sim_time_t from)
{
	struct invocation *v = fn->inv[slot];
	uint32_t workers = (uint32_t)fn->cfg->workers;
	if (workers > v->n)
		workers = v->n;
	v->busy = workers;
	if (workers == 0) {
		at_or_kill(fn, s, slot, 0, from, on_start);
		return;
	}
	for (uint32_t w = 0; w < workers; w++)
		next_item(fn, s, slot, w, from);
}

/* A message's compute time is over (or a retry delay has passed): make its
 * remaining calls. */
static void on_item(struct sim *s, void *target, uint64_t arg)
{
	struct invocation *v = target;
	if (v->gen != (uint32_t)(arg >> 32))
		return;
	struct lambda *fn = v->fn;
	uint32_t slot = v->slot;
	uint32_t w = (uint32_t)arg;
	struct hworker *h = &v->hw[w];
	while (!v->it[h->item].failed && h->call < fn->n_calls) {
		const struct call_rt *c = &fn->calls[h->call];
		if (c->fwd) {
			/* The message goes on, keeping its tenant and send
			 * time: its delivery is counted where it ends. */
			for (int64_t k = 0; k < c->count; k++)
				c->fwd->ops->accept(c->fwd, s, &v->b->items[h->item].msg);
			h->call++;
			continue;
		}
		if (c->hop) {
			double bytes = c->send > 0 ? c->send
				       : v->it[h->item].size * fn->keep;
			netpath_send(c->hop, bytes * (double)c->count);
			h->call++;
			continue;
		}
		const struct sdk_retry *policy;
		bool ok;
		if (c->dep) {
			if (!h->waiting) {
				sim_time_t after;
				h->attempt++;
				h->ok = dep_call(c->dep, s, &after);
				h->waiting = true;
				at_or_kill(fn, s, slot, w, sim_time_add(s->now, after), on_item);
				return;
			}
			/* The answer to the call that went out. */
			h->waiting = false;
			ok = h->ok;
			policy = dep_retry(c->dep);
		} else {
			h->attempt++;
			ok = ddb_request(c->table, s, c->op, c->bytes);
			policy = ddb_retry(c->table);
		}
		if (ok) {
			h->attempt = 0;
			if (++h->rep == c->count) {
				h->rep = 0;
				h->call++;
			}
			continue;
		}
		/* The SDK retries after a delay, up to max_attempts in all. */
		if ((int64_t)h->attempt >= policy->max_attempts) {
			v->it[h->item].failed = true;
			break;
		}
		at_or_kill(fn, s, slot, w,
			   sim_time_add(s->now, sdk_retry_delay(policy, (int)h->attempt, fn->rng)),
			   on_item);
		return;
	}
	if (v->ordered && v->it[h->item].failed) {
		/* Ordered (FIFO) batches stop at the first failure: the
		 * messages not started yet fail with it. */
		for (; v->next < v->n; v->next++)
			v->it[v->next].failed = true;
	}
	next_item(fn, s, slot, w, s->now);
}

static void on_timeout(struct sim *s, void *target, uint64_t arg)
{
	struct invocation *v = target;
	if (v->gen != (uint32_t)(arg >> 32))
		return;
	v->fn->timeouts += (uint64_t)v->weight;
	finish_invocation(v->fn, s, v->slot, LAMBDA_ERROR);
}

/* Synchronous invocations from tenants --------------------------------------- */

/* A tenant's direct invocation: a batch of one message, from a pool of
 * the function's own (reused, so steady traffic allocates nothing). */
struct sync_call {
	struct lambda_batch b;
	struct sqs_received item;
	bool failed;
	struct lambda *fn;
	struct sync_call *next_free;
	struct sync_call *next_all;
};

static void sync_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		      const bool *failed)
{
	struct sync_call *c = ctx;
	struct lambda *fn = c->fn;
	(void)s;
	if (outcome == LAMBDA_OK && !failed[0]) {
		/* A message sent on is delivered where it ends. */
		if (!fn->forwards)
			sim_run_delivered(fn->base.run, &c->item.msg);
	}
	else
		sim_run_failed(fn->base.run, &c->item.msg);
	c->next_free = fn->sync_free;
	fn->sync_free = c;
}

static void lambda_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct lambda *fn = (struct lambda *)m;
	struct sync_call *c = fn->sync_free;
	if (c) {
		fn->sync_free = c->next_free;
	} else {
		c = sim_xcalloc(1, sizeof(*c));
		c->fn = fn;
		c->next_all = fn->sync_all;
		fn->sync_all = c;
	}
	c->item = (struct sqs_received){ .receive_count = 1, .msg = *msg };
	c->failed = false;
	c->b = (struct lambda_batch){ &c->item, 1, &c->failed, sync_done, c, false, 0 };
	if (!lambda_invoke(fn, s, &c->b)) {
		/* HTTP 429 to the caller. */
		sim_run_rejected(m->run, msg);
		c->next_free = fn->sync_free;
		fn->sync_free = c;
		return;
	}
	if (c->b.admitted < sim_msg_weight(msg)) {
		/* Part of a cohort throttled: the rest goes on as a smaller one. */
		struct sim_msg refused = *msg;
		refused.weight = (uint16_t)(sim_msg_weight(msg) - c->b.admitted);
		sim_run_rejected(m->run, &refused);
		c->item.msg.weight = (uint16_t)c->b.admitted;
	}
}

/* Model operations ------------------------------------------------------------ */

static struct model *lambda_create(const void *config, const char *name,
				   struct sim_run *run)
{
	const struct lambda_config *cfg = config;
	struct lambda *fn = sim_xcalloc(1, sizeof(*fn));
	fn->cfg = cfg;
	fn->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				 "invocations");
	fn->env_rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				     "environments");
	fn->reserved = cfg->reserved_concurrency != SCN_UNLIMITED;
	fn->time_scale = 1;
	fn->tokens = NEW_ENV_BURST;
	if (sim_hist_init(&fn->duration_h)) {
		sim_out_of_memory(sizeof(struct sim_hist));
	}
	return &fn->base;
}

static int lambda_link(struct model *m, struct sim_run *run)
{
	struct lambda *fn = (struct lambda *)m;
	const struct lambda_config *cfg = fn->cfg;
	char who[300];
	int rc = 0;
	snprintf(who, sizeof(who), "resources.%s", m->name);
	fn->account = account_for(run, cfg->account,
				  cfg_get(m->node, "account") ? cfg_get(m->node, "account")
							      : m->node, who);
	if (!fn->account)
		return -1;
	if (fn->reserved &&
	    account_reserve(fn->account, cfg->reserved_concurrency,
			    cfg_get(m->node, "reserved_concurrency"), who))
		rc = -1;
	fn->n_calls = cfg->calls.n;
	fn->calls = sim_xcalloc(fn->n_calls, sizeof(*fn->calls));
	const struct call_config *cc = cfg->calls.items;
	const struct cfg_node *list = cfg_get(m->node, "calls");
	/* Compression time scales with the vCPU share, capped at one vCPU
	 * (compressing is one thread). */
	double share = vcpu_share(cfg->memory, 1);
	double at = cfg->compress_at_memory > 0 ? cfg->compress_at_memory : cfg->memory;
	double at_share = vcpu_share(at, 1);
	/* The CPU part of the duration, measured at cpu_at_memory, scaled. */
	fn->time_scale = 1;
	if (cfg->cpu_share > 0) {
		double mem = cfg->cpu_at_memory > 0 ? cfg->cpu_at_memory : cfg->memory;
		double th = (double)cfg->threads;
		fn->time_scale = 1 - cfg->cpu_share +
				 cfg->cpu_share * vcpu_share(mem, th) / vcpu_share(cfg->memory, th);
	}
	for (size_t i = 0; i < fn->n_calls; i++) {
		struct model *t = sim_run_find(run, cc[i].target);
		struct call_rt *c = &fn->calls[i];
		c->table = t ? ddb_from_model(t) : NULL;
		c->hop = t ? netpath_from_model(t) : NULL;
		c->dep = t ? dep_from_model(t) : NULL;
		c->count = cc[i].count;
		/* Any other resource that takes messages: the function sends
		 * the message on to it (SendMessage, PutRecord, PutEvents...). */
		if (t && !c->table && !c->hop && !c->dep && t->ops->accept && t != m) {
			c->fwd = t;
			fn->forwards = true;
			continue;
		}
		if (!c->table && !c->hop && !c->dep) {
			const struct cfg_node *at_n = cfg_get(list->items[i], "target");
			const char *h = t ? NULL : sim_run_suggest(run, cc[i].target, NULL);
			diag_error(run->diag, at_n->file, at_n->line, at_n->col,
				   "%s.calls[%zu].target: %s '%s'%s%s%s", who, i,
				   t == m ? "a function cannot send to itself:"
				   : t ? "takes no messages (not a dynamodb table, network hop, dependency or a resource that accepts messages):"
				       : "no resource named",
				   cc[i].target, h ? " (did you mean '" : "",
				   h ? h : "", h ? "'?)" : "");
			rc = -1;
			continue;
		}
		if (c->dep)
			continue;
		if (c->hop) {
			fn->keep = cfg->compress ? 1 - cfg->compress_ratio : 1;
			c->send = cc[i].bytes * fn->keep;
			double per_byte = cfg->compress
				? sim_time_to_s(cfg->compress_cpu_per_mb) / 1e6 * at_share / share
				: 0;
			if (cc[i].bytes > 0)
				fn->compress_s += (double)c->count * cc[i].bytes * per_byte;
			else
				fn->compress_per_byte += (double)c->count * per_byte;
			continue;
		}
		c->op = cc[i].op == CALL_READ ? DDB_READ : DDB_WRITE;
		c->bytes = (uint32_t)cc[i].item_size;
	}
	for (size_t i = 0; run->cohort > 1 && i < fn->n_calls; i++) {
		if (fn->calls[i].fwd || (!fn->calls[i].table && !fn->calls[i].hop &&
					 !fn->calls[i].dep))
			continue;
		const struct cfg_node *at_n = cfg_get(list->items[i], "target");
		diag_error(run->diag, at_n->file, at_n->line, at_n->col,
			   "%s.calls[%zu].target: cohort mode (a tenant's `cohort`) weighs messages, not a function's calls to '%s' (only calls that send the message on)",
			   who, i, cc[i].target);
		rc = -1;
	}
	return rc;
}

static void lambda_start(struct model *m, struct sim *s)
{
	struct lambda *fn = (struct lambda *)m;
	fn->tokens_at = s->now;
	sim_twa_init(&fn->level, s->now, 0);
}

static void lambda_restart(struct model *m, struct sim *s)
{
	struct lambda *fn = (struct lambda *)m;
	fn->invocations = fn->errors = fn->throttles = fn->timeouts = 0;
	fn->cold_starts = fn->items_failed = 0;
	fn->retired = 0;
	fn->peak = fn->in_use - fn->lagging;
	fn->billed_ms = 0;
	sim_twa_restart(&fn->level, s->now);
	sim_welford_reset(&fn->duration_ms);
	sim_hist_reset(&fn->duration_h);
}

static void lambda_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct lambda *fn = (struct lambda *)m;
	reclaim(fn, s->now);
	sim_recorder_put(rec, s->now, m->name, METRIC_CONCURRENT_EXECUTIONS,
			 (double)(fn->in_use - fn->lagging));
	sim_recorder_put(rec, s->now, m->name, "Environments",
			 (double)(fn->in_use + (int64_t)fn->idle_n));
	sim_recorder_count(rec, s->now, m->name, METRIC_INVOCATIONS, (double)fn->t_invocations);
	sim_recorder_count(rec, s->now, m->name, "Errors", (double)fn->t_errors);
	sim_recorder_count(rec, s->now, m->name, METRIC_THROTTLES, (double)fn->t_throttles);
	sim_recorder_count(rec, s->now, m->name, "ColdStarts", (double)fn->t_cold);
	sim_recorder_mean(rec, s->now, m->name, METRIC_DURATION,
			  fn->t_dur_n > 0 ? fn->t_dur_ms / fn->t_dur_n : 0, fn->t_dur_n);
	fn->t_invocations = fn->t_errors = fn->t_throttles = fn->t_cold = 0;
	fn->t_dur_ms = fn->t_dur_n = 0;
}

static void lambda_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct lambda *fn = (struct lambda *)m;
	const char *n = m->name;
	sim_results_put(res, n, METRIC_INVOCATIONS, "count", (double)fn->invocations);
	sim_results_put(res, n, "Errors", "count", (double)fn->errors);
	sim_results_put(res, n, METRIC_THROTTLES, "count", (double)fn->throttles);
	sim_results_put(res, n, "Timeouts", "count", (double)fn->timeouts);
	sim_results_put(res, n, "ColdStarts", "count", (double)fn->cold_starts);
	sim_results_put(res, n, "ColdStartProbability", "ratio",
			fn->invocations ? (double)fn->cold_starts / (double)fn->invocations : NAN);
	sim_results_put(res, n, "EnvironmentsRetired", "count", (double)fn->retired);
	sim_results_put(res, n, "FailedMessages", "count", (double)fn->items_failed);
	sim_results_put(res, n, METRIC_CONCURRENT_EXECUTIONS, "executions",
			sim_twa_mean(&fn->level, s->now));
	sim_results_put(res, n, METRIC_CONCURRENT_EXECUTIONS METRIC_MAX, "executions", (double)fn->peak);
	sim_results_put(res, n, METRIC_DURATION, "ms",
			fn->duration_ms.n ? fn->duration_ms.mean : NAN);
	sim_results_put(res, n, METRIC_DURATION METRIC_P50, "ms", sim_hist_quantile(&fn->duration_h, 0.5));
	sim_results_put(res, n, METRIC_DURATION METRIC_P99, "ms", sim_hist_quantile(&fn->duration_h, 0.99));
	sim_results_put(res, n, METRIC_DURATION METRIC_MAX, "ms",
			fn->duration_ms.n ? fn->duration_ms.max : NAN);
	sim_results_put(res, n, "BilledDuration", "s", fn->billed_ms / 1e3);
	/* Usage (FACTS 3, "Price, requests" and "Price, ... duration"). */
	sim_results_meter(res, n, "AWS Lambda", "Requests", "request",
			  "lambda.requests", (double)fn->invocations);
	sim_results_meter(res, n, "AWS Lambda", "GBSeconds", "GB-second",
			  fn->cfg->architecture == ARCH_ARM64 ? "lambda.duration.arm64"
							      : "lambda.duration.x86_64",
			  fn->billed_ms / 1e3 * gb(fn));
}

static void lambda_destroy(struct model *m)
{
	struct lambda *fn = (struct lambda *)m;
	if (!fn)
		return;
	for (size_t i = 0; i < fn->n_inv; i++) {
		free(fn->inv[i]->it);
		free(fn->inv[i]->dies);
		free(fn->inv[i]);
	}
	while (fn->sync_all) {
		struct sync_call *c = fn->sync_all;
		fn->sync_all = c->next_all;
		free(c);
	}
	free(fn->inv);
	free(fn->free_inv);
	free(fn->idle);
	free(fn->calls);
	gsl_rng_free(fn->rng);
	gsl_rng_free(fn->env_rng);
	sim_hist_finish(&fn->duration_h);
	free(fn);
}

/* The calls that send the message on, then the routes of the resources
 * this entry holds (the queues its event sources poll into it). */
static bool lambda_route(struct model *m, size_t i, struct model_route *r)
{
	struct lambda *fn = (struct lambda *)m;
	if (i < fn->n_calls) {
		r->to = fn->calls[i].fwd;
		r->copies = (double)fn->calls[i].count;
		r->at = cfg_get(cfg_get(m->node, "calls")->items[i], "target");
		snprintf(r->path, sizeof(r->path), "resources.%s.calls[%zu].target",
			 m->name, i);
		return true;
	}
	return sim_run_peer_route(m, i - fn->n_calls, r);
}

/* What the reports show of a function (sim/report_desc.h). */
static const struct model_series lambda_series[] = {
	{ &plot_concurrency, METRIC_CONCURRENT_EXECUTIONS, "concurrent", false },
	{ &plot_throttles, METRIC_THROTTLES, "throttles", false },
};

/* Its reserved concurrency, a limit line. */
static void lambda_plot(const struct scenario *scn, const struct scn_entry *e,
			struct model_plot_sink *k)
{
	(void)scn;
	const struct cfg_node *rc = cfg_get(e->node, "reserved_concurrency");
	double res;
	if (rc && rc->type == CFG_SCALAR && !sim_parse_number(rc->value, &res)) {
		char label[300];
		snprintf(label, sizeof(label), "%s reserved concurrency", e->name);
		k->limit(k, &plot_concurrency, res, label);
	}
}

/* The account's limit (the last account resource's, else AWS's default
 * 1,000), once under every function's lines. */
static void lambda_plot_end(const struct scenario *scn, struct model_plot_sink *k)
{
	double account = 1000;
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct scn_entry *e = &scn->resources[i];
		const struct cfg_node *lim = cfg_get(e->node, "concurrency_limit");
		if (e->ops == &account_ops && lim)
			account = strtod(lim->value, NULL);
	}
	k->limit(k, &plot_concurrency, account, "account concurrency limit");
}

static void lambda_facts(const struct scenario *scn, const struct scn_entry *e,
			 struct model_facts *f)
{
	f->roles = MODEL_FUNCTION;
	f->timeout = desc_seconds(e->node, "timeout");
	f->reserved = desc_count(e->node, "reserved_concurrency");
	f->reserved_key = "reserved_concurrency";
	f->account = desc_scalar(e->node, "account");
	f->default_account = "account";  /* account_for()'s implicit account */
	f->default_limit = 1000;         /* FACTS 3 "Default account concurrency" */
	f->unreserved = 100;             /* AWS keeps 100 unreserved (account.c) */
	/* The longest outage of what it calls. */
	const struct cfg_node *calls = cfg_get(e->node, "calls");
	for (size_t k = 0; calls && calls->type == CFG_SEQ && k < calls->n; k++) {
		const struct scn_entry *d =
			desc_resource(scn, desc_scalar(calls->items[k], "target"));
		if (!d || d->ops == &lambda_ops || !d->ops->report || !d->ops->report->facts)
			continue;
		struct model_facts df;
		model_facts_init(&df);
		d->ops->report->facts(scn, d, &df);
		if (df.outage > f->downstream_outage)
			f->downstream_outage = df.outage;
	}
}

static bool lambda_poller(const struct scn_entry *e, size_t i, struct model_poller *p)
{
	const struct cfg_node *list = cfg_get(e->node, "event_sources");
	if (!list || list->type != CFG_SEQ || i >= list->n)
		return false;
	const struct cfg_node *map = list->items[i];
	const struct cfg_node *of = cfg_get(map, "on_failure");
	const struct cfg_node *pp = cfg_get(map, "provisioned_pollers");
	*p = (struct model_poller){
		.consumer = e->name,
		.queue = desc_scalar(map, "queue"),
		.max_concurrency = desc_count(map, "maximum_concurrency"),
		.batch_size = desc_count(map, "batch_size"),
		.batching_window = desc_seconds(map, "maximum_batching_window"),
		.retries = of && of->type == CFG_MAP,
		.provisioned = pp && pp->type == CFG_MAP,
	};
	snprintf(p->path, sizeof(p->path), "resources.%s.event_sources[%zu]", e->name, i);
	snprintf(p->metrics, sizeof(p->metrics), "%s/%s", e->name,
		 p->queue ? p->queue : "");
	return true;
}

/* Its event sources (and their scheduler retries' dead-letter queues),
 * then its calls. */
static void lambda_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *src = cfg_get(e->node, "event_sources");
	for (size_t i = 0; src && src->type == CFG_SEQ && i < src->n; i++) {
		const struct cfg_node *q = cfg_get(src->items[i], "queue");
		k->edge(k, q ? q->value : "", e->name, NULL, src->items[i]);
	}
	for (size_t i = 0; src && src->type == CFG_SEQ && i < src->n; i++) {
		const struct cfg_node *of = cfg_get(src->items[i], "on_failure");
		const struct cfg_node *ofd = of ? cfg_get(of, "dead_letter") : NULL;
		const struct cfg_node *q = cfg_get(src->items[i], "queue");
		if (ofd && ofd->type == CFG_SCALAR)
			k->edge(k, q ? q->value : "", ofd->value,
				"scheduler retries, then dead-letter queue", NULL);
	}
	const struct cfg_node *calls = cfg_get(e->node, "calls");
	for (size_t i = 0; calls && calls->type == CFG_SEQ && i < calls->n; i++) {
		const struct cfg_node *c = cfg_get(calls->items[i], "target");
		k->edge(k, e->name, c ? c->value : "", NULL, calls->items[i]);
	}
}

static const struct model_report lambda_report = {
	.series = lambda_series,
	.n_series = sizeof(lambda_series) / sizeof(lambda_series[0]),
	.plot = lambda_plot,
	.plot_end = lambda_plot_end,
	.facts = lambda_facts,
	.poller = lambda_poller,
	.edges = lambda_edges,
};

const struct model_ops lambda_ops = {
	.name = "lambda",
	.help = "AWS Lambda function: concurrency, cold starts, batches from SQS event sources, calls to DynamoDB",
	.schema = &lambda_schema,
	.config_size = sizeof(struct lambda_config),
	.create = lambda_create,
	.link = lambda_link,
	.start = lambda_start,
	.restart = lambda_restart,
	.sample = lambda_sample,
	.finish = lambda_finish,
	.destroy = lambda_destroy,
	.accept = lambda_accept,
	.cohorts = true,
	.route = lambda_route,
	.report = &lambda_report,
};

struct lambda *lambda_from_model(struct model *m)
{
	return m && m->ops == &lambda_ops ? (struct lambda *)m : NULL;
}

bool lambda_forwards(const struct lambda *fn)
{
	return fn->forwards;
}
