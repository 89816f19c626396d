/* firehose.c - an Amazon Data Firehose stream: buffering hints, a put rate,
 * delivery of batches to a destination (see firehose.h).
 *
 * A record accepted now joins the open batch; the first record of a batch
 * starts its interval timer. The batch is flushed when its bytes reach
 * buffer_size (at once, by the record that reached it) or when
 * buffer_interval has passed since its first record, whichever comes first.
 * A flushed batch is delivered after a delivery_latency draw: each of its
 * records goes, in arrival order, to the destination's accept() (a `fixed`
 * OpenSearch domain, a station, ...), which counts it delivered; with no
 * destination the stream counts it delivered itself. A record keeps its
 * tenant's sent_at, so the destination measures the end-to-end dwell.
 *
 * AWS behaviour encoded (read 2026-11):
 *  - Buffering hints: IntervalInSeconds 0-900 (AWS default 300), SizeInMBs
 *    1-128 MiB (AWS default 5); "whichever comes first"
 *    (https://docs.aws.amazon.com/firehose/latest/APIReference/API_BufferingHints.html).
 *    The defaults here are the PackScan seed's, not AWS's: "buffer and
 *    forward enriched events every 60 seconds or upon reaching 5 MB batch
 *    size" (SEED-FIGURES, "PackScan"). AWS calls the hint "hints" and may
 *    deviate from them; we do not.
 *  - The seed's "12,000 PUT requests per second" is one stream's observed
 *    load, not a limit: put_rate is none by default. Firehose's real
 *    per-stream quota (records/s, requests/s, MiB/s, by Region) is not in
 *    FACTS; give it to see ThrottledRecords.
 *  - Record size limit 1,000 KiB (AWS quota page; not in FACTS:
 *    UNCONFIRMED).
 *  - Delivery latency to the destination is not published (UNCONFIRMED).
 *  - Pricing: ingestion per GB, each record rounded up to a 5 KB multiple
 *    ("a 3KB record is billed as 5KB, a 12KB record is billed as 15KB",
 *    AWS pricing page as quoted by third parties; not in FACTS). We round
 *    to 5 KiB and count GB as 2^30 bytes, like the network meters
 *    (UNCONFIRMED either way); price key firehose.ingested_gb.
 *  - Metric names follow AWS/Firehose in CloudWatch.
 *
 * Not modelled: delivery failures and retries (Firehose retries OpenSearch
 * deliveries for a retry duration, then backs up to S3), record
 * transformation by Lambda, dynamic partitioning, compression.
 *
 * Memory: a batch is a growing array of 16-byte records, and batches come
 * from a pool with a free stack; both are reused, so once the pool covers
 * the batches in flight the hot path allocates nothing. Events carry the
 * batch index.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#include "models/firehose.h"
#include "models/registry.h"
#include "sim/alloc.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

/* Billing increment of one record, and the GB of the meter (UNCONFIRMED). */
#define FH_BILL_UNIT 5120u
#define FH_GB 1073741824.0

struct fh_config {
	sim_time_t interval;          /* buffer_interval */
	double size;                  /* buffer_size, bytes */
	double put_rate;              /* records/s, 0: no limit */
	double max_record;            /* bytes */
	const char *destination;      /* resource, NULL: none */
	struct sim_dist latency;      /* seconds, flush to delivery */
};

#define F(...) SCN_FIELD(struct fh_config, __VA_ARGS__)

static const struct scn_field fh_fields[] = {
	/* SEED-FIGURES "PackScan": every 60 s or 5 MB (AWS default 300 s). */
	F("buffer_interval", SCN_DURATION, 0, 0, 900, "60s", interval,
	  "a batch is flushed this long after its first record (IntervalInSeconds, 0-900 s)"),
	/* SEED-FIGURES "PackScan": 5 MB; the API's unit is MiB (1-128). */
	F("buffer_size", SCN_SIZE, 0, 1048576, 134217728, "5MiB", size,
	  "a batch is flushed when its bytes reach this (SizeInMBs, 1-128 MiB)"),
	/* Not a documented default: the seed's 12,000 PUT/s is a load. */
	F("put_rate", SCN_RATE, SCN_F_NONE, 0, 1e9, "none", put_rate,
	  "records per second the stream accepts (one second of burst); more are "
	  "throttled (rejected); none: no limit (the real quota is per stream and "
	  "Region, UNCONFIRMED)"),
	F("max_record_size", SCN_SIZE, SCN_F_UNCONFIRMED, 1, 1024000, "1000KiB",
	  max_record, "larger records are refused (rejected) (UNCONFIRMED)"),
	F("destination", SCN_NAME, SCN_F_NONE, 1, 0, "none", destination,
	  "resource each delivered record goes to (a fixed domain, a station, ...); "
	  "none: records count as delivered when their batch is"),
	{ .key = "delivery_latency", .kind = SCN_DIST, .unit = SIM_UNIT_DURATION,
	  .dflt = "1s", .flags = SCN_F_UNCONFIRMED, .min = 1, .max = 0,
	  .offset = offsetof(struct fh_config, latency),
	  .help = "flush to delivery of a batch (UNCONFIRMED)" },
};

static const struct scn_schema fh_schema = {
	.name = "firehose",
	.fields = fh_fields,
	.n = sizeof(fh_fields) / sizeof(fh_fields[0]),
};

/* Runtime ---------------------------------------------------------------------- */

/* One buffered record: what accept() needs to pass it on. */
struct fh_rec {
	sim_time_t sent_at;  /* the tenant's send time */
	uint32_t tenant;     /* run-wide tenant index */
	uint32_t size;       /* bytes */
	uint32_t weight;     /* records it stands for (cohort mode) */
};

struct fh_batch {
	struct fh_rec *recs; /* owned, grown geometrically, reused */
	size_t n;            /* records in the batch */
	uint64_t w;          /* the records they stand for */
	size_t cap;          /* allocated records */
	double bytes;        /* their bytes */
	sim_time_t opened;   /* arrival of its first (oldest) record */
};

/* Counters of a window (the measurement window, or one sample interval). */
struct fh_counts {
	uint64_t records;          /* IncomingRecords */
	double bytes;              /* IncomingBytes */
	double billed;             /* bytes rounded up to 5 KiB per record */
	uint64_t throttled;        /* refused over put_rate */
	uint64_t too_large;        /* refused over max_record_size */
	uint64_t delivered;        /* records delivered */
	double delivered_bytes;    /* their bytes */
	uint64_t batches;          /* batches delivered */
	uint64_t by_size;          /* flushes because buffer_size was reached */
	uint64_t by_interval;      /* flushes because buffer_interval passed */
};

struct firehose {
	struct model base;          /* must be first */
	const struct fh_config *cfg;
	struct model *dest;         /* destination, or NULL */
	gsl_rng *rng;               /* delivery latency */
	double tokens;              /* put_rate token bucket */
	sim_time_t tokens_at;
	struct fh_batch *batches;   /* pool; indices are stable */
	uint32_t *free;             /* stack of unused batch indices */
	size_t n_free;
	size_t n_batches;
	uint32_t open;              /* batch taking records, UINT32_MAX: none */
	struct sim_timer t_interval; /* the open batch's interval */
	uint64_t held;              /* records accepted, not yet delivered */
	struct sim_twa held_avg;    /* the same, time-weighted */
	struct fh_counts win;       /* since the warm-up */
	struct fh_counts tick;      /* since the last sample */
	uint64_t life_in, life_out; /* whole replication, for conservation */
	struct sim_welford fresh;   /* DataFreshness at delivery, s */
};

#define COUNT(f, member, n) ((f)->win.member += (n), (f)->tick.member += (n))
#define NO_BATCH UINT32_MAX

struct firehose *firehose_from_model(struct model *m)
{
	return m && m->ops == &firehose_ops ? (struct firehose *)m : NULL;
}

static uint32_t batch_take(struct firehose *f, sim_time_t now)
{
	if (!f->n_free) {
		size_t n = f->n_batches ? f->n_batches * 2 : 4;
		f->batches = sim_xrealloc(f->batches, n * sizeof(*f->batches));
		f->free = sim_xrealloc(f->free, n * sizeof(*f->free));
		for (size_t i = f->n_batches; i < n; i++)
			f->batches[i] = (struct fh_batch){ 0 };
		for (size_t i = n; i > f->n_batches; i--)
			f->free[f->n_free++] = (uint32_t)(i - 1);
		f->n_batches = n;
	}
	uint32_t b = f->free[--f->n_free];
	f->batches[b].n = 0;
	f->batches[b].w = 0;
	f->batches[b].bytes = 0;
	f->batches[b].opened = now;
	return b;
}

static void on_delivery(struct sim *s, void *target, uint64_t arg);

/* The open batch leaves the buffer now; `by_size` says why. */
static void flush(struct firehose *f, struct sim *s, bool by_size)
{
	uint32_t b = f->open;
	f->open = NO_BATCH;
	sim_timer_cancel(s, &f->t_interval);
	if (by_size)
		COUNT(f, by_size, 1);
	else
		COUNT(f, by_interval, 1);
	sim_schedule_in(s, sim_dist_sample_time(&f->cfg->latency, f->rng),
			on_delivery, f, b);
}

static void on_interval(struct sim *s, void *target, uint64_t arg)
{
	struct firehose *f = target;
	(void)arg;
	flush(f, s, false);
}

static void on_delivery(struct sim *s, void *target, uint64_t arg)
{
	struct firehose *f = target;
	uint32_t b = (uint32_t)arg;
	struct sim_run *run = f->base.run;
	size_t n = f->batches[b].n;
	uint64_t nw = f->batches[b].w;
	sim_welford_add(&f->fresh, sim_time_to_s(s->now - f->batches[b].opened));
	COUNT(f, batches, 1);
	COUNT(f, delivered, nw);
	COUNT(f, delivered_bytes, f->batches[b].bytes);
	f->life_out += nw;
	f->held -= nw;
	sim_twa_set(&f->held_avg, s->now, (double)f->held);
	for (size_t i = 0; i < n; i++) {
		/* Indexed afresh each time: a destination that puts records
		 * back into this stream may grow the pool (this batch is not
		 * free yet, so its records stay put). */
		const struct fh_rec *r = &f->batches[b].recs[i];
		struct sim_msg msg = { .sent_at = r->sent_at, .tenant = r->tenant,
				       .size = r->size, .weight = (uint16_t)r->weight };
		if (f->dest)
			f->dest->ops->accept(f->dest, s, &msg);
		else
			sim_run_delivered(run, &msg);
	}
	f->free[f->n_free++] = b;
}

static void fh_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct firehose *f = (struct firehose *)m;
	const struct fh_config *c = f->cfg;
	/* A cohort's message is w records, accepted or refused together. */
	uint64_t w = sim_msg_weight(msg);
	if ((double)msg->size > c->max_record) {
		COUNT(f, too_large, w);
		sim_run_rejected(m->run, msg);
		return;
	}
	if (c->put_rate > 0) {
		/* One second of records in hand, and at least one record (or
		 * cohort). */
		double cap = c->put_rate > (double)w ? c->put_rate : (double)w;
		f->tokens += c->put_rate * sim_time_to_s(s->now - f->tokens_at);
		if (f->tokens > cap)
			f->tokens = cap;
		f->tokens_at = s->now;
		if (f->tokens < (double)w) {
			COUNT(f, throttled, w);
			sim_run_rejected(m->run, msg);
			return;
		}
		f->tokens -= (double)w;
	}
	COUNT(f, records, w);
	COUNT(f, bytes, (double)msg->size * (double)w);
	uint32_t units = msg->size ? (msg->size + FH_BILL_UNIT - 1) / FH_BILL_UNIT : 1;
	COUNT(f, billed, (double)units * FH_BILL_UNIT * (double)w);
	f->life_in += w;
	f->held += w;
	sim_twa_set(&f->held_avg, s->now, (double)f->held);
	if (f->open == NO_BATCH) {
		f->open = batch_take(f, s->now);
		sim_timer_start(s, &f->t_interval, sim_time_add(s->now, c->interval),
				on_interval, f, 0);
	}
	struct fh_batch *b = &f->batches[f->open];
	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 64;
		b->recs = sim_xrealloc(b->recs, b->cap * sizeof(*b->recs));
	}
	b->recs[b->n++] = (struct fh_rec){ msg->sent_at, msg->tenant, msg->size, (uint32_t)w };
	b->w += w;
	b->bytes += (double)msg->size * (double)w;
	if (b->bytes >= c->size)
		flush(f, s, true);
}

/* Model operations ------------------------------------------------------------ */

static struct model *fh_create(const void *config, const char *name,
			       struct sim_run *run)
{
	struct firehose *f = sim_xcalloc(1, sizeof(*f));
	f->cfg = config;
	f->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name,
				"latency");
	if (!f->rng) {
		sim_out_of_memory(sizeof(gsl_rng));
	}
	f->tokens = f->cfg->put_rate > 1 ? f->cfg->put_rate : 1;
	f->open = NO_BATCH;
	sim_timer_init(&f->t_interval);
	return &f->base;
}

/* A link error at key `key` of m (or at m when the key is absent). */
static void link_error(struct model *m, struct sim_run *run, const char *key,
		       const char *what, const char *name)
{
	const struct cfg_node *at = cfg_get(m->node, key);
	if (!at)
		at = m->node;
	const char *hint = NULL;
	if (!sim_run_find(run, name)) {
		const char **names = sim_xcalloc(run->n_resources + 1, sizeof(*names));
		for (size_t i = 0; i < run->n_resources; i++)
			names[i] = run->resources[i]->name;
		hint = diag_suggest(name, names);
		free(names);
	}
	diag_error(run->diag, at->file, at->line, at->col,
		   "resources.%s.%s: %s '%s'%s%s%s", m->name, key, what, name,
		   hint ? " (did you mean '" : "", hint ? hint : "", hint ? "'?)" : "");
}

static int fh_link(struct model *m, struct sim_run *run)
{
	struct firehose *f = (struct firehose *)m;
	const char *d = f->cfg->destination;
	if (!d)
		return 0;
	struct model *t = sim_run_find(run, d);
	if (!t) {
		link_error(m, run, "destination", "no resource named", d);
		return -1;
	}
	if (t == m) {
		link_error(m, run, "destination", "a stream cannot deliver into itself:", d);
		return -1;
	}
	if (!t->ops->accept) {
		link_error(m, run, "destination", "takes no records:", d);
		return -1;
	}
	f->dest = t;
	return 0;
}

static void fh_start(struct model *m, struct sim *s)
{
	struct firehose *f = (struct firehose *)m;
	sim_twa_init(&f->held_avg, s->now, 0);
	f->tokens_at = s->now;
}

static void fh_restart(struct model *m, struct sim *s)
{
	struct firehose *f = (struct firehose *)m;
	f->win = (struct fh_counts){ 0 };
	sim_welford_reset(&f->fresh);
	sim_twa_restart(&f->held_avg, s->now);
}

static void fh_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct firehose *f = (struct firehose *)m;
	const struct fh_counts *t = &f->tick;
	const char *n = m->name;
	sim_recorder_count(rec, s->now, n, "IncomingRecords", (double)t->records);
	sim_recorder_count(rec, s->now, n, "IncomingBytes", t->bytes);
	sim_recorder_count(rec, s->now, n, "ThrottledRecords", (double)t->throttled);
	sim_recorder_count(rec, s->now, n, "DeliveryToDestination.Records",
			   (double)t->delivered);
	sim_recorder_count(rec, s->now, n, "DeliveryToDestination.Success",
			   (double)t->batches);
	sim_recorder_put(rec, s->now, n, "BufferedRecords", (double)f->held);
	f->tick = (struct fh_counts){ 0 };
}

static void fh_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct firehose *f = (struct firehose *)m;
	const struct fh_counts *w = &f->win;
	const char *n = m->name;
	if (f->life_in != f->life_out + f->held)
		sim_run_fail(m->run,
			     "%s: records not conserved: accepted %llu != delivered %llu + buffered %llu",
			     n, (unsigned long long)f->life_in,
			     (unsigned long long)f->life_out,
			     (unsigned long long)f->held);
	sim_results_put(res, n, "IncomingRecords", "count", (double)w->records);
	sim_results_put(res, n, "IncomingBytes", "bytes", w->bytes);
	sim_results_put(res, n, "ThrottledRecords", "count", (double)w->throttled);
	sim_results_put(res, n, "RejectedRecords", "count", (double)w->too_large);
	sim_results_put(res, n, "DeliveryToDestination.Records", "count",
			(double)w->delivered);
	sim_results_put(res, n, "DeliveryToDestination.Bytes", "bytes",
			w->delivered_bytes);
	/* CloudWatch reports Success as a ratio; a count of batches is what
	 * a simulation can pin exactly (every delivery succeeds here). */
	sim_results_put(res, n, "DeliveryToDestination.Success", "count",
			(double)w->batches);
	sim_results_put(res, n, "FlushesBySize", "count", (double)w->by_size);
	sim_results_put(res, n, "FlushesByInterval", "count", (double)w->by_interval);
	sim_results_put(res, n, "BufferedRecords", "records",
			sim_twa_mean(&f->held_avg, s->now));
	sim_results_put(res, n, "BufferedRecords.max", "records", f->held_avg.max);
	sim_results_put(res, n, "BufferedRecords.end", "records", (double)f->held);
	sim_results_put(res, n, "DataFreshness", "s", f->fresh.n ? f->fresh.mean : NAN);
	sim_results_put(res, n, "DataFreshness.max", "s", f->fresh.n ? f->fresh.max : NAN);
	sim_results_meter(res, n, "Amazon Data Firehose", "IngestedGB", "GB",
			  "firehose.ingested_gb", w->billed / FH_GB);
}

static void fh_destroy(struct model *m)
{
	struct firehose *f = (struct firehose *)m;
	if (!f)
		return;
	for (size_t i = 0; i < f->n_batches; i++)
		free(f->batches[i].recs);
	free(f->batches);
	free(f->free);
	gsl_rng_free(f->rng);
	free(f);
}

/* Every delivered record goes to the destination. */
static bool fh_route(struct model *m, size_t i, struct model_route *r)
{
	struct firehose *f = (struct firehose *)m;
	if (i > 0)
		return false;
	r->to = f->dest;
	r->at = cfg_get(m->node, "destination");
	snprintf(r->path, sizeof(r->path), "resources.%s.destination", m->name);
	return true;
}

const struct model_ops firehose_ops = {
	.name = "firehose",
	.help = "Amazon Data Firehose stream: buffering by interval and size, put rate, "
		"delivery of batches to a destination",
	.schema = &fh_schema,
	.config_size = sizeof(struct fh_config),
	.create = fh_create,
	.link = fh_link,
	.start = fh_start,
	.restart = fh_restart,
	.sample = fh_sample,
	.finish = fh_finish,
	.destroy = fh_destroy,
	.accept = fh_accept,
	.cohorts = true,
	.route = fh_route,
};
