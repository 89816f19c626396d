/* dynamodb.c - a DynamoDB table: capacity, throttling and SDK retry policy.
 *
 * Callers (a Lambda function's per-message calls) make requests through
 * ddb_request() (see dynamodb.h); the table admits or throttles each one at
 * once. Reads and writes are two independent lanes, each with:
 *
 *  - a table bucket. Provisioned: a token bucket refilled continuously at the
 *    provisioned capacity, holding up to burst_window of it (burst capacity)
 *    and full at t = 0 (the table was idle before the scenario). On-demand:
 *    a bucket of one second at the current limit, 2x the previous peak,
 *    where the peak is the most units consumed in any whole second that
 *    ended at least 30 minutes ago (new table: limits 4,000 WRU/s and
 *    12,000 RRU/s), capped at the table quota of 40,000 units/s. A new
 *    peak raises the limit only 30 minutes after it was reached: AWS
 *    documents that traffic above 2x the previous peak within 30 minutes
 *    may throttle and that growth should be spread over 30 minutes or
 *    more (FACTS 5, "On-demand scaling"), and a measured one-minute ramp
 *    on a new table could not pass about 4,000 writes/s (validation case
 *    dynamodb-ondemand-peak) where an instantly rising limit would let it
 *    through. Until then the pending peaks wait in a queue (strictly
 *    rising, at most one a second: at most 1,800).
 *  - partitions, each capped at 1,000 WCU/s and 3,000 RCU/s with no burst
 *    credit: a bucket of that rate holding one second. Provisioned: n =
 *    ceil(RCU/3000 + WCU/1000) partitions shared by both lanes. On-demand:
 *    ceil(limit/1000) for writes, ceil(limit/3000) for reads. Partitions
 *    split when capacity grows and never merge (a modelling choice: FACTS
 *    has no row on merging; keeping the count only matters to hot keys).
 *
 * A request passes only when both its table bucket and its partition
 * bucket hold its units; otherwise it is throttled and nothing is consumed.
 *
 * Partitions. A share hot_key_share of the requests goes to one hot
 * partition (partition 0); the rest is spread evenly over all n partitions.
 * "Evenly" is taken literally, as a fluid: such a request takes units/n
 * from every partition, not units from one random partition (a random
 * choice would throttle below the table's capacity from chance imbalance
 * alone, which is not the effect this parameter is about). Every partition
 * then receives the same even share, and partition 0 the hot share on top,
 * so partition 0 always holds the fewest tokens and is the only partition
 * that can refuse a request: it is the one partition bucket kept. To keep
 * units/n exact, its tokens are counted in units of 1/(n * 10^9). The draw
 * hot or not comes from the table's "partition" stream, only when
 * 0 < hot_key_share < 1.
 *
 * Tokens are integers: a table bucket counts nano-units (10^-9 units), so
 * a rate of c units/s is c nano-units per nanosecond, and the results are
 * exact (the burst of a 100 WCU table with a 300 s window is exactly 30,000
 * units). Windows (seconds, minutes) are aligned on whole simulated seconds
 * and minutes and rolled lazily when the table is next used.
 *
 * Auto scaling (provisioned only): every 60 s each lane's utilization over
 * the last minute (consumed / 60 / capacity) is compared with the target.
 * After 2 consecutive minutes above it the capacity becomes
 * ceil(consumed per second / target); after 15 consecutive minutes more
 * than 20% below it (utilization < 0.8 x target), the same formula scales
 * in. Both are bounded by min and max; the buckets' rates and sizes change
 * at once (scaling in trims the burst credit to the new size). Application
 * Auto Scaling's limits on the number of scale-ins per day are not
 * modelled.
 *
 * Not modelled: reads cost as strongly consistent (eventually consistent
 * reads would cost half), transactions (2x), the linear read/write mix of a
 * partition's capacity (each lane has its own per-partition cap), adaptive
 * capacity beyond the per-partition cap, items above 400 KB (they simply
 * cost their units).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/dynamodb.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

enum billing {
	BILLING_PROVISIONED,
	BILLING_ON_DEMAND,
};

struct ddb_config {
	int billing;               /* enum billing */
	int64_t read_capacity;     /* RCU; 0 when absent (on_demand) */
	int64_t write_capacity;    /* WCU; 0 when absent (on_demand) */
	bool autoscaling;          /* a map was given */
	double target_utilization; /* autoscaling target, fraction */
	int64_t as_min;            /* autoscaling bounds, both lanes */
	int64_t as_max;
	double hot_key_share;      /* share of requests on the hot partition */
	struct sdk_retry retry;    /* sdk_retry */
	sim_time_t burst_window;   /* unused capacity kept, provisioned */
};

/* Per-partition limit: 3,000 RCU and 1,000 WCU per second (FACTS 5,
 * "Per-partition limit");
 * https://www.repost.aws/knowledge-center/on-demand-table-throttling-dynamodb */
#define PART_READ_UNITS 3000
#define PART_WRITE_UNITS 1000
/* On-demand, new table: sustains up to 4,000 WRU/s and 12,000 RRU/s at
 * once (FACTS 5, "On-demand, new table");
 * https://docs.amazonaws.cn/en_us/amazondynamodb/latest/developerguide/pre-warming-on-demand-capacity-mode.html */
#define ONDEMAND_NEW_WRITE 4000
#define ONDEMAND_NEW_READ 12000
/* On-demand table default quota: 40,000 read and 40,000 write units per
 * second (FACTS 5, "On-demand table default cap");
 * https://docs.amazonaws.cn/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html */
#define ONDEMAND_TABLE_MAX 40000
/* On-demand growth: a peak counts towards the limit 30 minutes after it
 * (FACTS 5, "On-demand scaling": "may throttle if > 2x previous peak
 * within 30 min; spread growth over >= 30 min");
 * https://docs.amazonaws.cn/amazondynamodb/latest/developerguide/on-demand-capacity-mode.html */
#define ONDEMAND_GROWTH_DELAY (30 * SIM_MIN)
/* Pending peaks: one a second at most, for 30 minutes. */
#define ONDEMAND_PENDING 1801
/* Auto scaling: out after 2 consecutive minutes above target, in after 15
 * consecutive minutes at least 20% below it (FACTS 5, "Auto scaling
 * delays"); https://www.repost.aws/knowledge-center/dynamodb-auto-scaling */
#define AS_OUT_MINUTES 2
#define AS_IN_MINUTES 15
/* "20% below target" read as relative: utilization < 0.8 x target (with
 * a 70% target, below 56%); the source does not say whether it means 20
 * points instead. */
#define AS_IN_MARGIN 0.8
/* Units: a write unit is one write/s of up to 1 KB, a read unit one
 * strongly consistent read/s of up to 4 KB (FACTS 5, "Units");
 * https://aws.amazon.com/dynamodb/pricing/provisioned/ */
#define WRITE_UNIT_BYTES 1024
#define READ_UNIT_BYTES 4096
/* Sanity bound on capacities (keeps every token count inside int64). */
#define MAX_CAPACITY 1000000

#define F(...) SCN_FIELD(struct ddb_config, __VA_ARGS__)

static const char *const billing_names[] = { "provisioned", "on_demand", NULL };

static const struct scn_field autoscaling_fields[] = {
	/* 70% is the console default; the 20%..90% range is UNCONFIRMED
	 * (FACTS 5, "Target utilization range"; no source, only the 70%
	 * example seen). */
	F("target_utilization", SCN_FRACTION, SCN_F_UNCONFIRMED, 0.2, 0.9, "70%",
	  target_utilization,
	  "consumed / provisioned to aim at (70% console default; the 20%..90% range is UNCONFIRMED)"),
	F("min", SCN_INT, SCN_F_REQUIRED, 1, MAX_CAPACITY, NULL, as_min,
	  "least capacity units, for reads and for writes"),
	F("max", SCN_INT, SCN_F_REQUIRED, 1, MAX_CAPACITY, NULL, as_max,
	  "most capacity units, for reads and for writes"),
};

static const struct scn_schema autoscaling_schema = {
	.name = "autoscaling",
	.fields = autoscaling_fields,
	.n = sizeof(autoscaling_fields) / sizeof(autoscaling_fields[0]),
};

static const struct scn_field retry_fields[] = {
	/* botocore legacy mode (the boto3 default) gives DynamoDB 10 attempts
	 * (FACTS 5, "SDK retry, botocore legacy");
	 * https://github.com/boto/botocore/blob/develop/botocore/data/_retry.json */
	F("max_attempts", SCN_INT, 0, 1, 100, "10", retry.max_attempts,
	  "attempts in all, the first included (botocore legacy default for DynamoDB)"),
	/* Same row: exponential from a 0.05 s base, growth 2. */
	F("base_delay", SCN_DURATION, 0, 0, 3600, "50ms", retry.base,
	  "delay bound of the first retry; doubles with each retry"),
	/* Standard mode caps the delay at 20 s (FACTS 5, "SDK retry,
	 * standard mode");
	 * https://docs.aws.amazon.com/sdkref/latest/guide/feature-retry-behavior.html */
	F("max_delay", SCN_DURATION, 0, 0, 3600, "20s", retry.max_delay,
	  "cap on the delay bound (standard-mode cap)"),
};

static const struct scn_schema retry_schema = {
	.name = "sdk_retry",
	.fields = retry_fields,
	.n = sizeof(retry_fields) / sizeof(retry_fields[0]),
};

static const struct scn_field ddb_fields[] = {
	{ .key = "billing", .kind = SCN_ENUM, .min = 1, .max = 0,
	  .dflt = "provisioned", .names = billing_names,
	  .offset = offsetof(struct ddb_config, billing),
	  .help = "capacity mode: provisioned capacity units, or on_demand (pay per request)" },
	F("read_capacity", SCN_INT, SCN_F_OPTIONAL, 1, MAX_CAPACITY, NULL,
	  read_capacity,
	  "provisioned read capacity units (RCU); required with billing: provisioned, not allowed with on_demand"),
	F("write_capacity", SCN_INT, SCN_F_OPTIONAL, 1, MAX_CAPACITY, NULL,
	  write_capacity,
	  "provisioned write capacity units (WCU); required with billing: provisioned, not allowed with on_demand"),
	{ .key = "autoscaling", .kind = SCN_TABLE, .flags = SCN_F_NONE,
	  .dflt = "none", .sub = &autoscaling_schema,
	  .offset = offsetof(struct ddb_config, autoscaling),
	  .help = "none, or target tracking of read and write capacity (provisioned only)" },
	F("hot_key_share", SCN_FRACTION, 0, 0, 1, "0%", hot_key_share,
	  "share of requests that go to one hot partition; the rest spread evenly"),
	{ .key = "sdk_retry", .kind = SCN_TABLE, .sub = &retry_schema,
	  .help = "retry policy of the table's callers: full jitter, exponential, capped" },
	/* Burst capacity: up to 300 s of unused capacity is kept (FACTS 5,
	 * "Burst capacity"); at least 1 s so that the bucket holds one
	 * second of capacity.
	 * https://docs.aws.amazon.com/fr_fr/amazondynamodb/latest/developerguide/burst-adaptive-capacity.html */
	F("burst_window", SCN_DURATION, 0, 1, 3600, "300s", burst_window,
	  "provisioned: unused capacity kept for bursts, in seconds of capacity"),
};

static const struct scn_schema ddb_schema = {
	.name = "dynamodb",
	.fields = ddb_fields,
	.n = sizeof(ddb_fields) / sizeof(ddb_fields[0]),
};

/* Reports msg at key `sub` of the map `key` of node (or at `key`, or at
 * node when absent), naming the path key.sub. */
static void error_at(struct scn_ctx *ctx, const struct cfg_node *node,
		     const char *key, const char *sub, const char *msg)
{
	char path[64];
	const struct cfg_node *at = cfg_get(node, key);
	if (sub && at && cfg_get(at, sub))
		at = cfg_get(at, sub);
	struct cfg_node where = *node;
	if (at) {
		where.line = at->line;
		where.col = at->col;
	}
	snprintf(path, sizeof(path), "%s%s%s", key, sub ? "." : "", sub ? sub : "");
	scn_error_key(ctx, &where, path, "%s", msg);
}

static void ddb_configure(void *config, const struct cfg_node *node,
			  struct scn_ctx *ctx)
{
	const struct ddb_config *c = config;
	static const char *const caps[] = { "read_capacity", "write_capacity" };
	const int64_t v[] = { c->read_capacity, c->write_capacity };
	char msg[128];
	if (c->billing == BILLING_ON_DEMAND) {
		for (int i = 0; i < 2; i++)
			if (v[i])
				error_at(ctx, node, caps[i], NULL,
					 "applies only to billing: provisioned");
		if (c->autoscaling)
			error_at(ctx, node, "autoscaling", NULL,
				 "applies only to billing: provisioned (use none)");
		return;
	}
	for (int i = 0; i < 2; i++)
		if (!v[i])
			scn_error(ctx, node,
				  "missing required key '%s' (billing is provisioned)",
				  caps[i]);
	if (!c->autoscaling)
		return;
	if (c->as_max < c->as_min) {
		snprintf(msg, sizeof(msg), "must be at least min (%lld), got %lld",
			 (long long)c->as_min, (long long)c->as_max);
		error_at(ctx, node, "autoscaling", "max", msg);
		return;
	}
	for (int i = 0; i < 2; i++) {
		if (!v[i] || (v[i] >= c->as_min && v[i] <= c->as_max))
			continue;
		snprintf(msg, sizeof(msg),
			 "must be within autoscaling min and max (%lld..%lld), got %lld",
			 (long long)c->as_min, (long long)c->as_max,
			 (long long)v[i]);
		error_at(ctx, node, caps[i], NULL, msg);
	}
}

/* A token bucket of integer ticks, refilled continuously. */
struct bucket {
	int64_t level;   /* ticks held */
	int64_t size;    /* most ticks held */
	int64_t rate;    /* ticks per nanosecond */
	sim_time_t last; /* time of the last refill */
};

static void bucket_refill(struct bucket *b, sim_time_t now)
{
	sim_time_t dt = now - b->last;
	int64_t room = b->size - b->level;
	b->last = now;
	if (dt <= 0 || room <= 0)
		return;
	if (b->rate == 0)
		return;
	if (dt > room / b->rate)
		b->level = b->size;
	else
		b->level += b->rate * dt;
}

/* One kind of request: reads or writes. */
struct lane {
	int64_t capacity;      /* provisioned units/s, or the on-demand limit */
	int64_t part_units;    /* per-partition cap, units/s */
	int64_t partitions;    /* n */
	struct bucket table;   /* nano-units */
	struct bucket hot;     /* partition 0, in units of 1/(n * 10^9) */

	sim_time_t sec_start;  /* current whole second */
	int64_t sec_units;     /* consumed in it */
	int64_t sec_meas;      /* consumed in it since the warm-up end */
	int64_t peak;          /* on-demand previous peak, units in a second */
	struct pending_peak {  /* on-demand peaks not yet 30 minutes old */
		sim_time_t at;
		int64_t units;
	} *pend;               /* ring of ONDEMAND_PENDING, owned */
	size_t pend_head, pend_n;
	int64_t peak_meas;     /* most units in one second since the warm-up */

	sim_time_t min_start;  /* current whole minute */
	int64_t min_units;     /* consumed in it */
	int64_t last_minute;   /* consumed in the previous minute */
	int above;             /* consecutive minutes above target */
	int below;             /* consecutive minutes well below target */

	uint64_t consumed;     /* units, since the warm-up end */
	uint64_t throttled;    /* requests, since the warm-up end */
	uint64_t tick_consumed;/* since the previous sample */
	uint64_t tick_throttled;
	struct sim_twa cap_avg;/* capacity over the measurement window */
};

struct ddb {
	struct model base;             /* must be first */
	const struct ddb_config *cfg;  /* scenario-owned */
	gsl_rng *rng;                  /* "partition" stream */
	bool on_demand;
	struct lane lane[2];           /* indexed by enum ddb_op */
};

static int64_t ceil_div(int64_t a, int64_t b)
{
	return (a + b - 1) / b;
}

/* Sets the table bucket of l to capacity cap from now on. */
static void set_table_rate(struct ddb *t, struct lane *l, int64_t cap,
			   sim_time_t now)
{
	bucket_refill(&l->table, now);
	l->capacity = cap;
	l->table.rate = cap;
	/* At most 10^6 units/s over 3,600 s: 3.6e18 nano-units, within
	 * int64 (the product saturates anyway). */
	l->table.size = sim_time_mul(t->on_demand ? SIM_S : t->cfg->burst_window, cap);
	if (l->table.level > l->table.size)
		l->table.level = l->table.size;
}

/* Sets the partition count of l to n (>= the current count) from now on. */
static void set_partitions(struct lane *l, int64_t n, sim_time_t now)
{
	struct bucket *h = &l->hot;
	int64_t old = l->partitions;
	bucket_refill(h, now);
	if (old && n != old)
		h->level = h->level / old * n + h->level % old * n / old;
	l->partitions = n;
	h->rate = l->part_units * n;
	h->size = sim_time_mul(SIM_S, l->part_units * n);
	if (!old || h->level > h->size)
		h->level = h->size;
}

/* Provisioned: ceil(RCU/3000 + WCU/1000), never fewer than now. */
static void provisioned_partitions(struct ddb *t, sim_time_t now)
{
	struct lane *r = &t->lane[DDB_READ], *w = &t->lane[DDB_WRITE];
	int64_t n = ceil_div(r->capacity * PART_WRITE_UNITS +
				     w->capacity * PART_READ_UNITS,
			     PART_READ_UNITS * PART_WRITE_UNITS);
	if (n < 1)
		n = 1;
	for (int op = 0; op < 2; op++)
		if (n > t->lane[op].partitions)
			set_partitions(&t->lane[op], n, now);
}

/* On-demand: the limit 2x the peak (capped), partitions from the limit. */
static void on_demand_limit(struct ddb *t, struct lane *l, sim_time_t now)
{
	int64_t limit = 2 * l->peak;
	if (limit > ONDEMAND_TABLE_MAX)
		limit = ONDEMAND_TABLE_MAX;
	if (limit != l->capacity) {
		set_table_rate(t, l, limit, now);
		sim_twa_set(&l->cap_avg, now, (double)limit);
	}
	int64_t n = ceil_div(limit, l->part_units);
	if (n > l->partitions)
		set_partitions(l, n, now);
}

/* On-demand: the pending peaks that are 30 minutes old by now raise the
 * limit, each from the moment it came of age (in order: they are). */
static void mature(struct ddb *t, struct lane *l, sim_time_t now)
{
	while (l->pend_n) {
		const struct pending_peak *p = &l->pend[l->pend_head];
		if (p->at + ONDEMAND_GROWTH_DELAY > now)
			break;
		sim_time_t when = p->at + ONDEMAND_GROWTH_DELAY;
		l->peak = p->units;
		l->pend_head = (l->pend_head + 1) % ONDEMAND_PENDING;
		l->pend_n--;
		on_demand_limit(t, l, when);
	}
}

/* On-demand: a second that ended at `at` with `units` consumed, above
 * every peak so far, waits to raise the limit. */
static void push_peak(struct lane *l, sim_time_t at, int64_t units)
{
	int64_t top = l->pend_n
		? l->pend[(l->pend_head + l->pend_n - 1) % ONDEMAND_PENDING].units
		: l->peak;
	if (units <= top)
		return;
	/* One a second over 30 minutes fits; a full ring cannot happen. */
	if (l->pend_n == ONDEMAND_PENDING)
		return;
	l->pend[(l->pend_head + l->pend_n) % ONDEMAND_PENDING] =
		(struct pending_peak){ at, units };
	l->pend_n++;
}

/* Closes the whole seconds and minutes of l that ended by now. */
static void roll(struct ddb *t, struct lane *l, sim_time_t now)
{
	if (t->on_demand)
		mature(t, l, now);
	if (now >= l->sec_start + SIM_S) {
		sim_time_t end = l->sec_start + SIM_S;
		if (l->sec_meas > l->peak_meas)
			l->peak_meas = l->sec_meas;
		if (t->on_demand) {
			/* That peak counts 30 minutes after its second
			 * ended (which may already be by now). */
			push_peak(l, end, l->sec_units);
			mature(t, l, now);
		}
		l->sec_units = l->sec_meas = 0;
		l->sec_start = now - now % SIM_S;
	}
	if (now >= l->min_start + SIM_MIN) {
		l->last_minute = now < l->min_start + 2 * SIM_MIN ? l->min_units : 0;
		l->min_units = 0;
		l->min_start = now - now % SIM_MIN;
	}
}

uint32_t ddb_units(enum ddb_op op, uint32_t item_bytes)
{
	uint64_t per = op == DDB_WRITE ? WRITE_UNIT_BYTES : READ_UNIT_BYTES;
	uint64_t u = ((uint64_t)item_bytes + per - 1) / per;
	return u ? (uint32_t)u : 1;
}

bool ddb_request(struct ddb *t, struct sim *s, enum ddb_op op,
		 uint32_t item_bytes)
{
	struct lane *l = &t->lane[op];
	int64_t units = ddb_units(op, item_bytes);
	sim_time_t now = s->now;
	roll(t, l, now);
	bool hot = false;
	double share = t->cfg->hot_key_share;
	if (share >= 1)
		hot = true;
	else if (share > 0)
		hot = gsl_rng_uniform(t->rng) < share;
	bucket_refill(&l->table, now);
	bucket_refill(&l->hot, now);
	/* A request above one partition's second never fits (and the
	 * products below stay small). */
	int64_t need = units <= l->part_units ? units * SIM_S : 0;
	int64_t part = hot ? need * l->partitions : need;
	bool ok = units <= l->part_units && l->table.level >= need &&
		  l->hot.level >= part;
	if (!ok) {
		l->tick_throttled++;
		if (t->base.run->measuring)
			l->throttled++;
		return false;
	}
	l->table.level -= need;
	l->hot.level -= part;
	l->sec_units += units;
	l->min_units += units;
	l->tick_consumed += (uint64_t)units;
	if (t->base.run->measuring) {
		l->sec_meas += units;
		l->consumed += (uint64_t)units;
	}
	return true;
}

/* Auto scaling, every minute: one lane. */
static void autoscale(struct ddb *t, struct lane *l, sim_time_t now)
{
	const struct ddb_config *c = t->cfg;
	roll(t, l, now);
	double used = (double)l->last_minute / 60.0; /* units per second */
	double target = c->target_utilization;
	double cap = (double)l->capacity;
	l->above = used > target * cap ? l->above + 1 : 0;
	l->below = used < AS_IN_MARGIN * target * cap ? l->below + 1 : 0;
	if (l->above < AS_OUT_MINUTES && l->below < AS_IN_MINUTES)
		return;
	l->above = l->below = 0;
	/* ceil(used / target); the tolerance keeps 4200/60/0.7 at 100. */
	double want = ceil(used / target - 1e-9);
	int64_t n = want < (double)c->as_min ? c->as_min
		    : want > (double)c->as_max ? c->as_max : (int64_t)want;
	if (n == l->capacity)
		return;
	set_table_rate(t, l, n, now);
	sim_twa_set(&l->cap_avg, now, (double)n);
	provisioned_partitions(t, now);
}

static void on_minute(struct sim *s, void *target, uint64_t arg)
{
	struct ddb *t = target;
	(void)arg;
	for (int op = 0; op < 2; op++)
		autoscale(t, &t->lane[op], s->now);
	sim_schedule_in(s, SIM_MIN, on_minute, t, 0);
}

static struct model *ddb_create(const void *config, const char *name,
				struct sim_run *run)
{
	const struct ddb_config *c = config;
	struct ddb *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = c;
	t->on_demand = c->billing == BILLING_ON_DEMAND;
	/* Made here rather than in start: other models may call the table
	 * from their own start. */
	t->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication,
				name, "partition");
	if (!t->rng) {
		free(t);
		return NULL;
	}
	t->lane[DDB_READ].part_units = PART_READ_UNITS;
	t->lane[DDB_WRITE].part_units = PART_WRITE_UNITS;
	if (t->on_demand) {
		/* The previous peak of a new table is half its first limit. */
		t->lane[DDB_READ].peak = ONDEMAND_NEW_READ / 2;
		t->lane[DDB_WRITE].peak = ONDEMAND_NEW_WRITE / 2;
		for (int op = 0; op < 2; op++) {
			t->lane[op].pend = sim_xcalloc(ONDEMAND_PENDING,
						       sizeof(*t->lane[op].pend));
			on_demand_limit(t, &t->lane[op], 0);
		}
	} else {
		set_table_rate(t, &t->lane[DDB_READ], c->read_capacity, 0);
		set_table_rate(t, &t->lane[DDB_WRITE], c->write_capacity, 0);
		provisioned_partitions(t, 0);
	}
	/* Idle before the scenario: every bucket starts full. */
	for (int op = 0; op < 2; op++) {
		struct lane *l = &t->lane[op];
		l->table.level = l->table.size;
		l->hot.level = l->hot.size;
		sim_twa_init(&l->cap_avg, 0, (double)l->capacity);
	}
	return &t->base;
}

static void ddb_start(struct model *m, struct sim *s)
{
	struct ddb *t = (struct ddb *)m;
	if (t->cfg->autoscaling && !t->on_demand)
		sim_schedule_in(s, SIM_MIN, on_minute, t, 0);
}

static void ddb_restart(struct model *m, struct sim *s)
{
	struct ddb *t = (struct ddb *)m;
	for (int op = 0; op < 2; op++) {
		struct lane *l = &t->lane[op];
		roll(t, l, s->now);
		l->consumed = l->throttled = 0;
		l->sec_meas = l->peak_meas = 0;
		sim_twa_restart(&l->cap_avg, s->now);
	}
}

static void ddb_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct ddb *t = (struct ddb *)m;
	struct lane *r = &t->lane[DDB_READ], *w = &t->lane[DDB_WRITE];
	roll(t, r, s->now);
	roll(t, w, s->now);
	sim_recorder_count(rec, s->now, m->name, METRIC_CONSUMED_WCU,
			   (double)w->tick_consumed);
	sim_recorder_count(rec, s->now, m->name, METRIC_CONSUMED_RCU,
			   (double)r->tick_consumed);
	sim_recorder_count(rec, s->now, m->name, METRIC_WRITE_THROTTLES,
			   (double)w->tick_throttled);
	sim_recorder_count(rec, s->now, m->name, METRIC_READ_THROTTLES,
			   (double)r->tick_throttled);
	sim_recorder_count(rec, s->now, m->name, "ThrottledRequests",
			   (double)(w->tick_throttled + r->tick_throttled));
	sim_recorder_put(rec, s->now, m->name, METRIC_PROVISIONED_WCU,
			 (double)w->capacity);
	sim_recorder_put(rec, s->now, m->name, METRIC_PROVISIONED_RCU,
			 (double)r->capacity);
	w->tick_consumed = w->tick_throttled = 0;
	r->tick_consumed = r->tick_throttled = 0;
}

static void ddb_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct ddb *t = (struct ddb *)m;
	struct lane *r = &t->lane[DDB_READ], *w = &t->lane[DDB_WRITE];
	for (int op = 0; op < 2; op++) {
		struct lane *l = &t->lane[op];
		roll(t, l, s->now);
		/* The second in progress counts as far as it went. */
		if (l->sec_meas > l->peak_meas)
			l->peak_meas = l->sec_meas;
	}
	sim_results_put(res, m->name, METRIC_CONSUMED_WCU, "units",
			(double)w->consumed);
	sim_results_put(res, m->name, METRIC_CONSUMED_RCU, "units",
			(double)r->consumed);
	sim_results_put(res, m->name, METRIC_WRITE_THROTTLES, "count",
			(double)w->throttled);
	sim_results_put(res, m->name, METRIC_READ_THROTTLES, "count",
			(double)r->throttled);
	sim_results_put(res, m->name, "ThrottledRequests", "count",
			(double)(w->throttled + r->throttled));
	sim_results_put(res, m->name, "PeakWriteUnitsPerSecond", "units/s",
			(double)w->peak_meas);
	sim_results_put(res, m->name, "PeakReadUnitsPerSecond", "units/s",
			(double)r->peak_meas);
	sim_results_put(res, m->name, METRIC_PROVISIONED_WCU, "units/s",
			sim_twa_mean(&w->cap_avg, s->now));
	sim_results_put(res, m->name, METRIC_PROVISIONED_RCU, "units/s",
			sim_twa_mean(&r->cap_avg, s->now));
	/* Usage: on-demand bills the request units consumed; provisioned
	 * bills capacity-unit-hours, whatever is consumed (FACTS 5, "On-demand
	 * price" and "Provisioned price"). */
	if (t->on_demand) {
		sim_results_meter(res, m->name, "Amazon DynamoDB", "WriteRequestUnits",
				  "WRU", "dynamodb.write_request_units", (double)w->consumed);
		sim_results_meter(res, m->name, "Amazon DynamoDB", "ReadRequestUnits",
				  "RRU", "dynamodb.read_request_units", (double)r->consumed);
	} else {
		double hours = sim_time_to_s(s->now - m->run->scn->warmup) / 3600.0;
		sim_results_meter(res, m->name, "Amazon DynamoDB", "WriteCapacityUnitHours",
				  "WCU-hour", "dynamodb.wcu_hour",
				  sim_twa_mean(&w->cap_avg, s->now) * hours);
		sim_results_meter(res, m->name, "Amazon DynamoDB", "ReadCapacityUnitHours",
				  "RCU-hour", "dynamodb.rcu_hour",
				  sim_twa_mean(&r->cap_avg, s->now) * hours);
	}
}

static void ddb_destroy(struct model *m)
{
	struct ddb *t = (struct ddb *)m;
	if (!t)
		return;
	gsl_rng_free(t->rng);
	free(t->lane[DDB_READ].pend);
	free(t->lane[DDB_WRITE].pend);
	free(t);
}

struct ddb *ddb_from_model(struct model *m)
{
	return m && m->ops == &dynamodb_ops ? (struct ddb *)m : NULL;
}

const struct sdk_retry *ddb_retry(const struct ddb *t)
{
	return &t->cfg->retry;
}

int64_t ddb_capacity(struct ddb *t, const struct sim *s, enum ddb_op op)
{
	roll(t, &t->lane[op], s->now);
	return t->lane[op].capacity;
}

int64_t ddb_partitions(struct ddb *t, const struct sim *s, enum ddb_op op)
{
	roll(t, &t->lane[op], s->now);
	return t->lane[op].partitions;
}

/* What the reports show of a table (sim/report_desc.h). */
static const struct model_series dynamodb_series[] = {
	{ &plot_throttles, METRIC_WRITE_THROTTLES, "write throttles", false },
	{ &plot_throttles, METRIC_READ_THROTTLES, "read throttles", false },
	{ &plot_table_capacity, METRIC_CONSUMED_WCU, "writes consumed", true },
	{ &plot_table_capacity, METRIC_PROVISIONED_WCU, "write capacity", false },
	{ &plot_table_capacity, METRIC_CONSUMED_RCU, "reads consumed", true },
	{ &plot_table_capacity, METRIC_PROVISIONED_RCU, "read capacity", false },
};

static void dynamodb_facts(const struct scenario *scn, const struct scn_entry *e,
			   struct model_facts *f)
{
	(void)scn;
	(void)e;
	f->roles = MODEL_TABLE;
}

static const struct model_report dynamodb_report = {
	.series = dynamodb_series,
	.n_series = sizeof(dynamodb_series) / sizeof(dynamodb_series[0]),
	.facts = dynamodb_facts,
};

const struct model_ops dynamodb_ops = {
	.name = "dynamodb",
	.help = "DynamoDB table: provisioned (burst, auto scaling) or on-demand capacity, hot partitions, throttling",
	.schema = &ddb_schema,
	.config_size = sizeof(struct ddb_config),
	.configure = ddb_configure,
	.create = ddb_create,
	.start = ddb_start,
	.restart = ddb_restart,
	.sample = ddb_sample,
	.finish = ddb_finish,
	.destroy = ddb_destroy,
	.report = &dynamodb_report,
};
