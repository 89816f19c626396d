/* kafka.c - a Kafka topic (type kafka_topic) and the Lambda Kafka event
 * source mapping in provisioned mode (type kafka_event_source).
 *
 * Seed: "Introducing AWS Lambda native support for Avro and Protobuf
 * formatted Apache Kafka events" (AWS Compute Blog, Julian Wood;
 * https://aws.amazon.com/blogs/compute/introducing-aws-lambda-native-support-for-avro-and-protobuf-formatted-apache-kafka-events/):
 * Avro and Protobuf "provide 50-80% smaller message sizes" than JSON; the
 * mapping validates records against a schema registry (provisioned mode
 * only), sends records failing validation to the failure destination,
 * filters records before invoking, and hands the function either the
 * SOURCE bytes ("a base64-encoded string") or JSON.
 *
 * The topic. A record is the tenant's message (its JSON form) times the
 * format's size factor: json 1; avro 0.35 and protobuf 0.30 by default,
 * inside the seed's "50-80% smaller" (SEED-FIGURES: "Avro/Protobuf messages
 * 50-80% smaller than JSON"), which gives a range and no value per format:
 * both are parameters, UNCONFIRMED. Records go to partitions round robin
 * (Kafka's producer without a key) or by a hash of the message group
 * (partition_by: key, the default partitioner with a key), and get the
 * partition's next offset. The retention defaults to 7 days, Kafka's broker
 * default log.retention.hours = 168. Kafka deletes whole log segments some
 * time after they pass the retention; here each unread record is dropped
 * exactly when it passes it (ExpiredRecords, the tenant's `expired`), which
 * is simpler and drops slightly earlier. Read records leave the topic (the
 * only consumer has committed past them), so a topic has one consumer here:
 * AWS allows several mappings (consumer groups) per topic.
 *
 * The event source mapping, provisioned mode only (the only mode where
 * AWS validates schemas). Each poller handles at most 5 MB/s of record
 * bytes and 5 concurrent invokes (FACTS 2, "Generic event poller": "API
 * text is for Kafka/MSK (5 MB/s or 5 concurrent invokes)",
 * https://docs.aws.amazon.com/lambda/latest/api/API_ProvisionedPollerConfig.html,
 * kafka-scaling-modes.html). With P pollers:
 *   - at most 5 P batches are in flight, and at most one per partition
 *     (Kafka's order within a partition: a partition's next batch is read
 *     after the previous one is done);
 *   - record bytes read are counted per whole second against P x 5 MB; the
 *     first record of a batch is read even past it, and the overshoot is
 *     taken from the next second (poller_budget.h, shared with esm.c);
 *   - every scale_interval the pollers are set to what the last interval
 *     needed: max(the incoming byte rate plus the unread bytes spread over
 *     one interval, over 5 MB/s; the partitions with work, over 5), within
 *     [min, max]. AWS documents neither the interval nor the rule (they are
 *     simpler than esm.c's SQS scaling, on purpose): scale_interval is a
 *     parameter, UNCONFIRMED.
 * A batch is invoked when batch_size records wait, when the payload would
 * pass 6 MB (FACTS 7, "Lambda sync payload"), or when the batching window
 * has passed since its first record was appended. The payload is what the
 * function receives: SOURCE, base64 of the record (4/3 of its bytes), or
 * JSON, the JSON size (the seed's "Event record format").
 * Before invoking, each record fails schema validation with probability
 * validation_failure_rate and goes to the failure destination
 * (OnFailureDestinationDeliveredEventCount; the tenant's dead_lettered),
 * or is dropped when there is none (the tenant's failed); a valid record
 * is filtered out with probability `filter` (committed without
 * invocation: FilteredOutEventCount; it counts as the tenant's delivery).
 * What an SQS destination receives is modelled as the record itself (AWS
 * sends an invocation record with metadata; its size is not in FACTS).
 * A failed invocation (error, timeout, or any failed record) retries the
 * whole batch after `backoff`, in place (the partition waits), up to
 * maximum_retry_attempts; then the batch goes to the failure destination
 * like invalid records. AWS documents neither Kafka's retry pause nor a
 * per-record partial-batch response here: backoff is UNCONFIRMED, and a
 * batch succeeds or fails as a whole. A throttled invoke is retried after
 * `backoff` too. AWS's defaults (batch size 100, window 500 ms, infinite
 * retries, pollers 1..200) are not in FACTS: UNCONFIRMED defaults.
 * Pollers are billed in Event Poller Units: EventPollerUnit-hours =
 * poller-hours / pollers_per_epu (not documented in FACTS: UNCONFIRMED,
 * default 1), priced at lambda.epu_hour.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "models/kafka.h"
#include "models/lambda.h"
#include "models/poller_budget.h"
#include "models/registry.h"
#include "models/sqs.h"
#include "sim/alloc.h"
#include "sim/metrics.h"
#include "sim/rng.h"
#include "sim/run.h"
#include "sim/stats.h"

#define SIX_MB (6u * 1000u * 1000u) /* FACTS 7, "Lambda sync payload": 6 MB */
/* FACTS 2 "Generic event poller": 5 MB/s or 5 concurrent invokes (Kafka). */
#define POLLER_BYTES_PER_S 5000000
#define POLLER_INVOKES 5

/* The topic ------------------------------------------------------------------ */

enum kafka_format { FMT_JSON, FMT_AVRO, FMT_PROTOBUF };
static const char *const format_names[] = { "json", "avro", "protobuf", NULL };
static const char *const partition_by_names[] = { "round_robin", "key", NULL };

struct topic_config {
	int64_t partitions;
	sim_time_t retention;
	int format;           /* enum kafka_format */
	double avro_factor;   /* size_factor.avro */
	double protobuf_factor; /* size_factor.protobuf */
	int partition_by;     /* 0 round robin, 1 by message group */
};

#define TF(...) SCN_FIELD(struct topic_config, __VA_ARGS__)

/* SEED-FIGURES "Avro/Protobuf messages 50-80% smaller than JSON": a range,
 * no figure per format. */
static const struct scn_field factor_fields[] = {
	TF("avro", SCN_FRACTION, SCN_F_UNCONFIRMED, 0.01, 1, "0.35", avro_factor,
	   "size of an Avro record over its JSON size (UNCONFIRMED: the seed gives 50-80% smaller)"),
	TF("protobuf", SCN_FRACTION, SCN_F_UNCONFIRMED, 0.01, 1, "0.30", protobuf_factor,
	   "size of a Protobuf record over its JSON size (UNCONFIRMED: the seed gives 50-80% smaller)"),
};

static const struct scn_schema factor_schema = { "size_factor", factor_fields, 2, NULL };

static const struct scn_field topic_fields[] = {
	/* Kafka's broker default num.partitions is 1; a topic is usually
	 * created with more. */
	TF("partitions", SCN_INT, 0, 1, 10000, "1", partitions,
	   "partitions of the topic (Kafka's default num.partitions is 1)"),
	/* Kafka's log.retention.hours default: 168 (7 days). */
	TF("retention", SCN_DURATION, 0, 1, 1e9, "7d", retention,
	   "unread records older than this are dropped (Kafka's default: 168 h)"),
	{ .key = "format", .kind = SCN_ENUM, .names = format_names, .dflt = "json",
	  .min = 1, .max = 0, .offset = offsetof(struct topic_config, format),
	  .help = "record format: json, avro or protobuf (the record is the message size x its size_factor)" },
	{ .key = "size_factor", .kind = SCN_TABLE, .sub = &factor_schema,
	  .offset = 0, .help = "record size over JSON size per binary format: {avro, protobuf}" },
	{ .key = "partition_by", .kind = SCN_ENUM, .names = partition_by_names,
	  .dflt = "round_robin", .min = 1, .max = 0,
	  .offset = offsetof(struct topic_config, partition_by),
	  .help = "round_robin (no record key), or key: by a hash of the message group" },
};

static const struct scn_schema topic_schema = {
	.name = "kafka_topic",
	.fields = topic_fields,
	.n = sizeof(topic_fields) / sizeof(topic_fields[0]),
};

/* One partition: a ring of unread records. */
struct partition {
	struct kafka_record *r; /* cap slots */
	size_t head, n, cap;
	uint64_t next_offset;   /* offset of the next record appended */
	uint64_t bytes;         /* record bytes unread */
	uint64_t json_bytes;    /* their JSON size */
	size_t hpos;            /* 1 + its slot in the topic's heap, 0 when empty */
};

struct kafka_topic {
	struct model base;           /* must be first */
	const struct topic_config *cfg;
	double factor;               /* the format's size factor */
	struct partition *p;
	size_t np;
	size_t rr;                   /* next partition, round robin */
	kafka_listen_fn *listen;     /* the consumer, or NULL */
	void *listen_ctx;
	struct sim_timer expiry;     /* the oldest unread record's retention end */
	size_t *heap;                /* partitions with unread records, see below */
	size_t nheap;
	uint64_t waiting, waiting_bytes, peak_waiting;
	uint64_t appended_bytes;     /* lifetime */
	uint64_t l_in, l_expired;    /* lifetime records in, expired */
	uint64_t in, in_bytes, in_json, expired; /* window */
	uint64_t t_in, t_expired;    /* since the last sample */
};

struct kafka_topic *kafka_topic_from_model(struct model *m)
{
	return m && m->ops == &kafka_topic_ops ? (struct kafka_topic *)m : NULL;
}

int kafka_topic_subscribe(struct kafka_topic *t, kafka_listen_fn *fn, void *ctx)
{
	if (t->listen)
		return -1;
	t->listen = fn;
	t->listen_ctx = ctx;
	return 0;
}

size_t kafka_topic_partitions(const struct kafka_topic *t) { return t->np; }
size_t kafka_backlog(const struct kafka_topic *t, size_t p) { return t->p[p].n; }
uint64_t kafka_backlog_bytes(const struct kafka_topic *t, size_t p) { return t->p[p].bytes; }
uint64_t kafka_backlog_json_bytes(const struct kafka_topic *t, size_t p) { return t->p[p].json_bytes; }
uint64_t kafka_topic_waiting(const struct kafka_topic *t) { return t->waiting; }
uint64_t kafka_topic_waiting_bytes(const struct kafka_topic *t) { return t->waiting_bytes; }
uint64_t kafka_topic_appended_bytes(const struct kafka_topic *t) { return t->appended_bytes; }
uint64_t kafka_topic_peak_waiting(const struct kafka_topic *t) { return t->peak_waiting; }
uint64_t kafka_topic_appended(const struct kafka_topic *t) { return t->l_in; }
uint64_t kafka_topic_expired(const struct kafka_topic *t) { return t->l_expired; }

const struct kafka_record *kafka_peek(const struct kafka_topic *t, size_t p, size_t i)
{
	const struct partition *q = &t->p[p];
	SIM_ASSERT(NULL, i < q->n);
	return &q->r[(q->head + i) % q->cap];
}

/* The partitions with unread records form a binary min-heap by the time of
 * their head record, then their index: the oldest unread record, whose
 * retention ends first, is the root's head. Records arrive in time order,
 * so a partition's head is its oldest; a head only moves later (a read or
 * an expiry) and a partition enters when a record reaches it empty. An
 * expiry then costs O(log partitions), not a scan of every partition
 * (which made 10,000 partitions with records expiring unread take minutes). */
static bool heap_before(const struct kafka_topic *t, size_t a, size_t b)
{
	const struct partition *x = &t->p[a], *y = &t->p[b];
	sim_time_t ta = x->r[x->head].at, tb = y->r[y->head].at;
	return ta != tb ? ta < tb : a < b;
}

static void heap_place(struct kafka_topic *t, size_t slot, size_t part)
{
	t->heap[slot] = part;
	t->p[part].hpos = slot + 1;
}

static void heap_sift(struct kafka_topic *t, size_t slot)
{
	size_t part = t->heap[slot];
	while (slot > 0 && heap_before(t, part, t->heap[(slot - 1) / 2])) {
		heap_place(t, slot, t->heap[(slot - 1) / 2]);
		slot = (slot - 1) / 2;
	}
	for (;;) {
		size_t c = 2 * slot + 1;
		if (c >= t->nheap)
			break;
		if (c + 1 < t->nheap && heap_before(t, t->heap[c + 1], t->heap[c]))
			c++;
		if (!heap_before(t, t->heap[c], part))
			break;
		heap_place(t, slot, t->heap[c]);
		slot = c;
	}
	heap_place(t, slot, part);
}

/* Drops the head record of partition q. */
static void pop_head(struct kafka_topic *t, struct partition *q)
{
	const struct kafka_record *r = &q->r[q->head];
	q->bytes -= r->msg.size;
	q->json_bytes -= r->json_size;
	t->waiting--;
	t->waiting_bytes -= r->msg.size;
	q->head = (q->head + 1) % q->cap;
	q->n--;
	size_t slot = q->hpos - 1;
	if (q->n) {
		heap_sift(t, slot); /* its head is later now */
		return;
	}
	q->hpos = 0;
	if (slot != --t->nheap) {
		heap_place(t, slot, t->heap[t->nheap]);
		heap_sift(t, slot);
	}
}

void kafka_take(struct kafka_topic *t, size_t p, size_t n)
{
	SIM_ASSERT(NULL, n <= t->p[p].n);
	for (size_t i = 0; i < n; i++)
		pop_head(t, &t->p[p]);
}

static void on_expiry(struct sim *s, void *target, uint64_t arg);

/* Arms the expiry timer at the retention end of the oldest unread record. */
static void expiry_arm(struct kafka_topic *t, struct sim *s)
{
	if (!t->nheap) {
		sim_timer_cancel(s, &t->expiry);
		return;
	}
	const struct partition *q = &t->p[t->heap[0]];
	sim_timer_start(s, &t->expiry, sim_time_add(q->r[q->head].at, t->cfg->retention),
			on_expiry, t, 0);
}

static void on_expiry(struct sim *s, void *target, uint64_t arg)
{
	struct kafka_topic *t = target;
	(void)arg;
	while (t->nheap) {
		struct partition *q = &t->p[t->heap[0]];
		if (sim_time_add(q->r[q->head].at, t->cfg->retention) > s->now)
			break;
		sim_run_tenant(t->base.run, q->r[q->head].msg.tenant)->expired++;
		pop_head(t, q);
		t->l_expired++;
		if (t->base.run->measuring)
			t->expired++;
		t->t_expired++;
	}
	expiry_arm(t, s);
}

/* A 32-bit mix (murmur3's finalizer) of the message group, for the key
 * partitioner (Kafka hashes the key with murmur2; any good hash will do). */
static uint32_t mix32(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static void topic_accept(struct model *m, struct sim *s, const struct sim_msg *msg)
{
	struct kafka_topic *t = (struct kafka_topic *)m;
	size_t pi;
	if (t->cfg->partition_by) {
		pi = mix32(msg->group) % t->np;
	} else {
		pi = t->rr;
		t->rr = (t->rr + 1) % t->np;
	}
	struct partition *q = &t->p[pi];
	if (q->n == q->cap) {
		/* Grow the ring, unwrapping it. */
		size_t cap = q->cap ? 2 * q->cap : 64;
		struct kafka_record *r = sim_xcalloc(cap, sizeof(*r));
		for (size_t i = 0; i < q->n; i++)
			r[i] = q->r[(q->head + i) % q->cap];
		free(q->r);
		q->r = r;
		q->cap = cap;
		q->head = 0;
	}
	double size = ceil((double)msg->size * t->factor - 1e-6);
	struct kafka_record *r = &q->r[(q->head + q->n) % q->cap];
	r->at = s->now;
	r->offset = q->next_offset++;
	r->json_size = msg->size;
	r->msg = *msg;
	r->msg.size = size < 1 ? 1 : (uint32_t)size;
	if (q->n++ == 0) {
		/* The partition holds unread records again. */
		heap_place(t, t->nheap++, pi);
		heap_sift(t, t->nheap - 1);
	}
	q->bytes += r->msg.size;
	q->json_bytes += r->json_size;
	t->waiting++;
	t->waiting_bytes += r->msg.size;
	t->appended_bytes += r->msg.size;
	t->l_in++;
	t->t_in++;
	if (m->run->measuring) {
		t->in++;
		t->in_bytes += r->msg.size;
		t->in_json += r->json_size;
		if (t->waiting > t->peak_waiting)
			t->peak_waiting = t->waiting;
	}
	if (!sim_timer_is_pending(&t->expiry))
		sim_timer_start(s, &t->expiry, sim_time_add(s->now, t->cfg->retention),
				on_expiry, t, 0);
	if (t->listen)
		t->listen(t->listen_ctx, s, pi);
}

static struct model *topic_create(const void *config, const char *name,
				  struct sim_run *run)
{
	const struct topic_config *c = config;
	struct kafka_topic *t = sim_xcalloc(1, sizeof(*t));
	(void)name;
	(void)run;
	t->cfg = c;
	t->np = (size_t)c->partitions;
	t->p = sim_xcalloc(t->np, sizeof(*t->p));
	t->heap = sim_xcalloc(t->np, sizeof(*t->heap));
	t->factor = c->format == FMT_AVRO ? c->avro_factor
		    : c->format == FMT_PROTOBUF ? c->protobuf_factor : 1.0;
	return &t->base;
}

static void topic_restart(struct model *m, struct sim *s)
{
	struct kafka_topic *t = (struct kafka_topic *)m;
	(void)s;
	t->in = t->in_bytes = t->in_json = t->expired = 0;
	t->peak_waiting = t->waiting;
}

static void topic_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct kafka_topic *t = (struct kafka_topic *)m;
	sim_recorder_count(rec, s->now, m->name, "RecordsIn", (double)t->t_in);
	sim_recorder_count(rec, s->now, m->name, "ExpiredRecords", (double)t->t_expired);
	sim_recorder_put(rec, s->now, m->name, "RecordsWaiting", (double)t->waiting);
	t->t_in = t->t_expired = 0;
}

static void topic_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct kafka_topic *t = (struct kafka_topic *)m;
	(void)s;
	sim_results_put(res, m->name, "RecordsIn", "count", (double)t->in);
	sim_results_put(res, m->name, "BytesIn", "B", (double)t->in_bytes);
	sim_results_put(res, m->name, "JsonBytesIn", "B", (double)t->in_json);
	sim_results_put(res, m->name, "SizeFactor", "ratio", t->factor);
	sim_results_put(res, m->name, "ExpiredRecords", "count", (double)t->expired);
	sim_results_put(res, m->name, "RecordsWaiting", "count", (double)t->waiting);
	sim_results_put(res, m->name, "RecordsWaiting.max", "count", (double)t->peak_waiting);
}

static void topic_destroy(struct model *m)
{
	struct kafka_topic *t = (struct kafka_topic *)m;
	if (!t)
		return;
	for (size_t i = 0; i < t->np; i++)
		free(t->p[i].r);
	free(t->p);
	free(t->heap);
	free(t);
}

const struct model_ops kafka_topic_ops = {
	.name = "kafka_topic",
	.help = "Kafka topic (MSK): partitions, retention, record format json/avro/protobuf",
	.schema = &topic_schema,
	.config_size = sizeof(struct topic_config),
	.create = topic_create,
	.restart = topic_restart,
	.sample = topic_sample,
	.finish = topic_finish,
	.destroy = topic_destroy,
	.accept = topic_accept,
};

/* The event source mapping ------------------------------------------------------ */

static const char *const record_format_names[] = { "source", "json", NULL };

struct kesm_config {
	const char *topic;
	const char *function;
	int64_t batch_size;
	sim_time_t window;
	int64_t min_pollers;
	int64_t max_pollers;
	int64_t pollers_per_epu;
	sim_time_t scale_interval;
	double filter;
	double validation_failure_rate;
	const char *failure_destination; /* NULL or "none": none */
	int64_t max_retries;          /* SCN_UNLIMITED: infinite */
	sim_time_t backoff;
	int record_format;            /* 0 SOURCE (base64), 1 JSON */
};

#define KF(...) SCN_FIELD(struct kesm_config, __VA_ARGS__)

static const struct scn_field kpoller_fields[] = {
	/* AWS's Kafka range (min 1..200, default 1) is not in FACTS, whose
	 * rows are SQS's (FACTS 2 "MinimumPollers (SQS)": 2..200). */
	KF("min", SCN_INT, SCN_F_UNCONFIRMED, 1, 200, "1", min_pollers,
	   "pollers kept at all times (UNCONFIRMED default for Kafka)"),
	/* FACTS 2 "MaximumPollers (SQS)": default 200, up to 2,000 or 10,000. */
	KF("max", SCN_INT, 0, 1, 10000, "200", max_pollers, "most pollers"),
	KF("pollers_per_epu", SCN_INT, SCN_F_UNCONFIRMED, 1, 1000, "1", pollers_per_epu,
	   "pollers billed as one Event Poller Unit (UNCONFIRMED)"),
	KF("scale_interval", SCN_DURATION, SCN_F_UNCONFIRMED, 1, 3600, "1m", scale_interval,
	   "how often the pollers are resized to the last interval's need (UNCONFIRMED: not documented)"),
};

static const struct scn_schema kpoller_schema = {
	"provisioned_pollers", kpoller_fields,
	sizeof(kpoller_fields) / sizeof(kpoller_fields[0]), NULL
};

static const struct scn_field kesm_fields[] = {
	KF("topic", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, topic, "the kafka_topic consumed"),
	KF("function", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, function,
	   "the lambda function invoked"),
	/* AWS's Kafka defaults (batch 100, window 500 ms) are not in FACTS. */
	KF("batch_size", SCN_INT, SCN_F_UNCONFIRMED, 1, 10000, "100", batch_size,
	   "most records per invocation (UNCONFIRMED default)"),
	KF("maximum_batching_window", SCN_DURATION, SCN_F_UNCONFIRMED, 0, 300, "500ms", window,
	   "invoke when the oldest waiting record is this old (UNCONFIRMED default)"),
	{ .key = "provisioned_pollers", .kind = SCN_TABLE, .sub = &kpoller_schema,
	  .offset = 0,
	  .help = "provisioned mode (the only mode modelled): {min, max, pollers_per_epu, scale_interval}" },
	KF("filter", SCN_FRACTION, 0, 0, 1, "0", filter,
	   "share of records the filter drops before invoking"),
	KF("validation_failure_rate", SCN_FRACTION, 0, 0, 1, "0", validation_failure_rate,
	   "share of records failing schema validation (to failure_destination)"),
	KF("failure_destination", SCN_NAME, SCN_F_OPTIONAL, 1, 0, NULL, failure_destination,
	   "sqs queue for invalid records and batches out of retries, or none"),
	KF("maximum_retry_attempts", SCN_INT, SCN_F_INFINITE | SCN_F_UNCONFIRMED, 0, 10000,
	   "infinite", max_retries,
	   "retries of a failed batch before it goes to failure_destination (UNCONFIRMED default)"),
	KF("backoff", SCN_DURATION, SCN_F_UNCONFIRMED, 0.001, 3600, "1s", backoff,
	   "pause before retrying a failed or throttled batch (UNCONFIRMED: not documented)"),
	{ .key = "event_record_format", .kind = SCN_ENUM, .names = record_format_names,
	  .dflt = "source", .min = 1, .max = 0,
	  .offset = offsetof(struct kesm_config, record_format),
	  .help = "what the function receives: source (base64 of the record) or json" },
};

static void kesm_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct kesm_config *c = obj;
	if (c->max_pollers < c->min_pollers)
		scn_error_key(ctx, node, "provisioned_pollers",
			      "max (%lld) must be at least min (%lld)",
			      (long long)c->max_pollers, (long long)c->min_pollers);
}

static const struct scn_schema kesm_schema = {
	.name = "kafka_event_source",
	.fields = kesm_fields,
	.n = sizeof(kesm_fields) / sizeof(kesm_fields[0]),
	.check = kesm_check,
};

enum kpstate {
	KP_IDLE,     /* nothing unread */
	KP_GATHER,   /* records unread, batching window running */
	KP_READY,    /* a batch is due, waiting for a poller (invokes or bytes) */
	KP_INVOKING, /* the function runs the batch */
	KP_BACKOFF,  /* pausing before retrying the batch */
};

/* One partition's consumer. */
struct kpart {
	struct kesm *e;
	size_t idx;                 /* partition */
	enum kpstate state;
	struct sim_timer timer;     /* window end or backoff */
	struct sqs_received *items; /* the batch being invoked, batch_size slots */
	bool *failed;
	size_t n;
	uint64_t attempts;          /* invokes of this batch that failed */
	uint64_t next_offset;       /* lowest offset the next batch may hold */
	bool queued;                /* in the ready FIFO */
	struct lambda_batch lb;
};

struct kesm {
	struct model base;          /* must be first */
	const struct kesm_config *cfg;
	struct kafka_topic *t;
	struct lambda *fn;
	struct model *dest;         /* failure destination, or NULL */
	gsl_rng *rng;
	struct kpart *p;
	size_t np;
	size_t *ready;              /* FIFO of partitions in KP_READY, np slots */
	size_t r_head, r_n;
	int64_t pollers;
	int64_t inflight;           /* batches holding an invoke slot */
	struct sim_twa plevel;      /* pollers over time */
	struct sim_timer pace;      /* next whole second, when bytes ran out */
	bool serving;               /* try_serve is running (no re-entry) */
	struct poller_budget budget; /* record bytes read per second */
	uint64_t last_appended;     /* topic bytes appended at the last scaling */
	/* window counters */
	uint64_t polled, filtered, invalid, invoked, failed_invoke, dest_sent,
		 dropped, invocations, throttled, out_of_order;
	uint64_t t_polled, t_invoked, t_failed; /* since the last sample */
	/* lifetime counters, for conservation */
	uint64_t l_polled, l_filtered, l_invalid, l_ok, l_gaveup;
};

static void try_serve(struct kesm *e, struct sim *s);
static void batch_invoke(struct kpart *k, struct sim *s);

static uint32_t payload_size(const struct kesm *e, const struct kafka_record *r)
{
	if (e->cfg->record_format == 1)
		return r->json_size;
	return (r->msg.size + 2) / 3 * 4; /* base64 */
}

/* Whether a batch is due now: full by count or payload, or the window of
 * its oldest record has passed. */
static bool batch_due(const struct kesm *e, const struct kpart *k, struct sim *s)
{
	size_t n = kafka_backlog(e->t, k->idx);
	if (!n)
		return false;
	if (n >= (size_t)e->cfg->batch_size)
		return true;
	uint64_t payload = e->cfg->record_format == 1
				   ? kafka_backlog_json_bytes(e->t, k->idx)
				   : kafka_backlog_bytes(e->t, k->idx) * 4 / 3;
	if (payload >= SIX_MB)
		return true;
	return sim_time_add(kafka_peek(e->t, k->idx, 0)->at, e->cfg->window) <= s->now;
}

static void on_part_timer(struct sim *s, void *target, uint64_t arg);

static void make_ready(struct kpart *k, struct sim *s)
{
	struct kesm *e = k->e;
	sim_timer_cancel(s, &k->timer);
	k->state = KP_READY;
	if (!k->queued) {
		e->ready[(e->r_head + e->r_n) % e->np] = k->idx;
		e->r_n++;
		k->queued = true;
	}
	try_serve(e, s);
}

/* The partition has no batch: gather the next one if records wait. */
static void gather(struct kpart *k, struct sim *s)
{
	struct kesm *e = k->e;
	if (!kafka_backlog(e->t, k->idx)) {
		k->state = KP_IDLE;
		return;
	}
	if (batch_due(e, k, s)) {
		make_ready(k, s);
		return;
	}
	k->state = KP_GATHER;
	sim_timer_start(s, &k->timer,
			sim_time_add(kafka_peek(e->t, k->idx, 0)->at, e->cfg->window),
			on_part_timer, k, KP_GATHER);
}

static void on_record(void *ctx, struct sim *s, size_t partition)
{
	struct kesm *e = ctx;
	struct kpart *k = &e->p[partition];
	if (k->state == KP_IDLE)
		gather(k, s);
	else if (k->state == KP_GATHER && batch_due(e, k, s))
		make_ready(k, s);
}

static uint64_t bytes_left(struct kesm *e, sim_time_t now)
{
	return poller_budget_left(&e->budget, now,
				  (uint64_t)e->pollers * POLLER_BYTES_PER_S);
}

/* Sends one record to the failure destination, or drops it. */
static void to_destination(struct kesm *e, struct sim *s, const struct sim_msg *msg)
{
	bool m = e->base.run->measuring;
	if (e->dest) {
		sim_run_tenant(e->base.run, msg->tenant)->dead_lettered++;
		if (m)
			e->dest_sent++;
		e->dest->ops->accept(e->dest, s, msg);
	} else {
		sim_run_tenant(e->base.run, msg->tenant)->failed++;
		if (m)
			e->dropped++;
	}
}

/* The partition's batch is over (done, or nothing to invoke). */
static void batch_end(struct kpart *k, struct sim *s, bool held_slot)
{
	struct kesm *e = k->e;
	k->n = 0;
	k->attempts = 0;
	if (held_slot)
		e->inflight--;
	gather(k, s);
	try_serve(e, s);
}

/* Reads the partition's next batch and invokes it (a poller is free). */
static void batch_start(struct kpart *k, struct sim *s)
{
	struct kesm *e = k->e;
	bool m = e->base.run->measuring;
	size_t avail = kafka_backlog(e->t, k->idx);
	uint64_t left = bytes_left(e, s->now);
	size_t take = 0;
	uint64_t payload = 0, bytes = 0;
	while (take < avail && take < (size_t)e->cfg->batch_size) {
		const struct kafka_record *r = kafka_peek(e->t, k->idx, take);
		uint32_t pl = payload_size(e, r);
		if (take && (payload + pl > SIX_MB || bytes + r->msg.size > left))
			break;
		payload += pl;
		bytes += r->msg.size;
		take++;
	}
	e->budget.bytes += bytes;
	k->n = 0;
	for (size_t i = 0; i < take; i++) {
		const struct kafka_record *r = kafka_peek(e->t, k->idx, i);
		if (r->offset < k->next_offset) {
			if (m)
				e->out_of_order++;
			sim_run_fail(e->base.run, "%s: partition %zu read offset %llu after %llu",
				     e->base.name, k->idx, (unsigned long long)r->offset,
				     (unsigned long long)k->next_offset);
		}
		k->next_offset = r->offset + 1;
		e->l_polled++;
		if (m) {
			e->polled++;
			e->t_polled++;
		}
		/* Filtering runs on the deserialized record, after validation
		 * would have rejected it (the seed: filters "operate on the
		 * JSON-formatted events after deserialization"). */
		if (e->cfg->validation_failure_rate > 0 &&
		    gsl_rng_uniform(e->rng) < e->cfg->validation_failure_rate) {
			e->l_invalid++;
			if (m)
				e->invalid++;
			to_destination(e, s, &r->msg);
			continue;
		}
		if (e->cfg->filter > 0 && gsl_rng_uniform(e->rng) < e->cfg->filter) {
			e->l_filtered++;
			if (m)
				e->filtered++;
			sim_run_delivered(e->base.run, &r->msg);
			continue;
		}
		struct sqs_received *it = &k->items[k->n++];
		*it = (struct sqs_received){ .id = (uint32_t)r->offset, .receipt = 0,
					     .receive_count = 1, .msg = r->msg };
		it->msg.size = payload_size(e, r);
	}
	kafka_take(e->t, k->idx, take);
	if (!k->n) {
		batch_end(k, s, false);
		return;
	}
	e->inflight++;
	batch_invoke(k, s);
}

static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed);

static void batch_invoke(struct kpart *k, struct sim *s)
{
	struct kesm *e = k->e;
	bool m = e->base.run->measuring;
	k->lb = (struct lambda_batch){ k->items, k->n, k->failed, on_done, k, true, 0 };
	memset(k->failed, 0, k->n * sizeof(*k->failed));
	for (size_t i = 0; i < k->n; i++)
		k->items[i].receive_count = (uint32_t)k->attempts + 1;
	if (lambda_invoke(e->fn, s, &k->lb)) {
		k->state = KP_INVOKING;
		if (m) {
			e->invocations++;
			e->invoked += k->n;
		}
		e->t_invoked += k->n;
		return;
	}
	if (m)
		e->throttled++;
	k->state = KP_BACKOFF;
	sim_timer_start(s, &k->timer, sim_time_add(s->now, e->cfg->backoff),
			on_part_timer, k, KP_BACKOFF);
}

static void on_done(void *ctx, struct sim *s, enum lambda_outcome outcome,
		    const bool *failed)
{
	struct kpart *k = ctx;
	struct kesm *e = k->e;
	bool bad = outcome != LAMBDA_OK;
	for (size_t i = 0; i < k->n && !bad; i++)
		bad = failed[i];
	if (!bad) {
		/* A function that sends records on hands them over. */
		for (size_t i = 0; i < k->n && !lambda_forwards(e->fn); i++)
			sim_run_delivered(e->base.run, &k->items[i].msg);
		e->l_ok += k->n;
		batch_end(k, s, true);
		return;
	}
	if (e->base.run->measuring)
		e->failed_invoke += k->n;
	e->t_failed += k->n;
	k->attempts++;
	if (e->cfg->max_retries == SCN_UNLIMITED ||
	    k->attempts <= (uint64_t)e->cfg->max_retries) {
		k->state = KP_BACKOFF;
		sim_timer_start(s, &k->timer, sim_time_add(s->now, e->cfg->backoff),
				on_part_timer, k, KP_BACKOFF);
		return;
	}
	for (size_t i = 0; i < k->n; i++)
		to_destination(e, s, &k->items[i].msg);
	e->l_gaveup += k->n;
	batch_end(k, s, true);
}

static void on_part_timer(struct sim *s, void *target, uint64_t arg)
{
	struct kpart *k = target;
	if (arg == KP_GATHER) {
		/* Records may have expired in the meantime. */
		if (!kafka_backlog(k->e->t, k->idx))
			k->state = KP_IDLE;
		else
			make_ready(k, s);
	} else if (arg == KP_BACKOFF) {
		batch_invoke(k, s);
	}
}

static void on_pace(struct sim *s, void *target, uint64_t arg)
{
	(void)arg;
	try_serve(target, s);
}

/* Starts ready partitions, oldest first, while a poller has an invoke slot
 * and bytes left this second. */
static void try_serve(struct kesm *e, struct sim *s)
{
	/* A batch ending inside the loop queues its partition again; the
	 * loop picks it up, instead of recursing once per empty batch. */
	if (e->serving)
		return;
	e->serving = true;
	while (e->r_n && e->inflight < e->pollers * POLLER_INVOKES) {
		if (!bytes_left(e, s->now)) {
			if (!sim_timer_is_pending(&e->pace))
				sim_timer_start(s, &e->pace, (s->now / SIM_S + 1) * SIM_S,
						on_pace, e, 0);
			break;
		}
		struct kpart *k = &e->p[e->ready[e->r_head]];
		e->r_head = (e->r_head + 1) % e->np;
		e->r_n--;
		k->queued = false;
		if (!kafka_backlog(e->t, k->idx)) {
			k->state = KP_IDLE; /* expired while it waited */
			continue;
		}
		batch_start(k, s);
	}
	e->serving = false;
}

/* Every scale_interval: pollers for the byte rate (incoming, plus the unread
 * bytes over one interval) and for the partitions with work. */
static void on_scale(struct sim *s, void *target, uint64_t arg)
{
	struct kesm *e = target;
	(void)arg;
	double secs = sim_time_to_s(e->cfg->scale_interval);
	uint64_t appended = kafka_topic_appended_bytes(e->t);
	double rate = (double)(appended - e->last_appended) / secs +
		      (double)kafka_topic_waiting_bytes(e->t) / secs;
	e->last_appended = appended;
	int64_t busy = 0;
	for (size_t i = 0; i < e->np; i++)
		busy += e->p[i].state != KP_IDLE;
	int64_t by_bytes = (int64_t)ceil(rate / POLLER_BYTES_PER_S - 1e-9);
	int64_t by_invokes = (busy + POLLER_INVOKES - 1) / POLLER_INVOKES;
	int64_t p = by_bytes > by_invokes ? by_bytes : by_invokes;
	if (p < e->cfg->min_pollers)
		p = e->cfg->min_pollers;
	if (p > e->cfg->max_pollers)
		p = e->cfg->max_pollers;
	if (p != e->pollers) {
		/* The second so far is counted against the old allowance. */
		poller_budget_roll(&e->budget, s->now,
				   (uint64_t)e->pollers * POLLER_BYTES_PER_S);
		e->pollers = p;
		sim_twa_set(&e->plevel, s->now, (double)p);
		try_serve(e, s);
	}
	sim_schedule_in(s, e->cfg->scale_interval, on_scale, e, 0);
}

static struct model *kesm_create(const void *config, const char *name,
				 struct sim_run *run)
{
	struct kesm *e = sim_xcalloc(1, sizeof(*e));
	e->cfg = config;
	e->rng = sim_rng_stream((uint64_t)run->scn->seed, run->replication, name, "records");
	return &e->base;
}

static int kesm_link(struct model *m, struct sim_run *run)
{
	struct kesm *e = (struct kesm *)m;
	const struct kesm_config *c = e->cfg;
	char path[300];
	int rc = 0;
	snprintf(path, sizeof(path), "resources.%s.topic", m->name);
	struct model *x = sim_run_find_typed(run, cfg_get(m->node, "topic"), path,
					     c->topic, &kafka_topic_ops, "a kafka_topic");
	e->t = x ? kafka_topic_from_model(x) : NULL;
	if (!e->t) {
		rc = -1;
	} else if (kafka_topic_subscribe(e->t, on_record, e)) {
		const struct cfg_node *at = cfg_get(m->node, "topic");
		diag_error(run->diag, at->file, at->line, at->col,
			   "%s: topic '%s' already has an event source (one consumer per topic in this model)",
			   path, c->topic);
		rc = -1;
	}
	snprintf(path, sizeof(path), "resources.%s.function", m->name);
	x = sim_run_find_typed(run, cfg_get(m->node, "function"), path, c->function,
			       &lambda_ops, "a lambda function");
	e->fn = x ? lambda_from_model(x) : NULL;
	if (!e->fn)
		rc = -1;
	if (c->failure_destination && strcmp(c->failure_destination, "none") != 0) {
		snprintf(path, sizeof(path), "resources.%s.failure_destination", m->name);
		e->dest = sim_run_find_typed(run, cfg_get(m->node, "failure_destination"),
					     path, c->failure_destination, &sqs_ops,
					     "an sqs queue");
		if (!e->dest)
			rc = -1;
	}
	if (rc)
		return rc;
	e->np = kafka_topic_partitions(e->t);
	e->p = sim_xcalloc(e->np, sizeof(*e->p));
	e->ready = sim_xcalloc(e->np, sizeof(*e->ready));
	for (size_t i = 0; i < e->np; i++) {
		e->p[i].e = e;
		e->p[i].idx = i;
		e->p[i].items = sim_xcalloc((size_t)c->batch_size, sizeof(*e->p[i].items));
		e->p[i].failed = sim_xcalloc((size_t)c->batch_size, sizeof(*e->p[i].failed));
	}
	return 0;
}

static void kesm_start(struct model *m, struct sim *s)
{
	struct kesm *e = (struct kesm *)m;
	e->pollers = e->cfg->min_pollers;
	sim_twa_init(&e->plevel, s->now, (double)e->pollers);
	poller_budget_start(&e->budget, s->now);
	sim_schedule_in(s, e->cfg->scale_interval, on_scale, e, 0);
}

static void kesm_restart(struct model *m, struct sim *s)
{
	struct kesm *e = (struct kesm *)m;
	e->polled = e->filtered = e->invalid = e->invoked = e->failed_invoke = 0;
	e->dest_sent = e->dropped = e->invocations = e->throttled = e->out_of_order = 0;
	poller_budget_restart(&e->budget);
	sim_twa_restart(&e->plevel, s->now);
}

static void kesm_sample(struct model *m, struct sim *s, struct sim_recorder *rec)
{
	struct kesm *e = (struct kesm *)m;
	sim_recorder_count(rec, s->now, m->name, METRIC_POLLED_EVENTS, (double)e->t_polled);
	sim_recorder_count(rec, s->now, m->name, "InvokedEventCount", (double)e->t_invoked);
	sim_recorder_count(rec, s->now, m->name, "FailedInvokeEventCount", (double)e->t_failed);
	sim_recorder_put(rec, s->now, m->name, "ProvisionedPollers", (double)e->pollers);
	sim_recorder_put(rec, s->now, m->name, "OffsetLag", (double)kafka_topic_waiting(e->t));
	e->t_polled = e->t_invoked = e->t_failed = 0;
}

static void kesm_finish(struct model *m, struct sim *s, struct sim_results *res)
{
	struct kesm *e = (struct kesm *)m;
	/* Conservation: every record appended is expired, unread, or was
	 * read; every record read was filtered, invalid, delivered, given up
	 * or is in a batch now. */
	uint64_t held = 0;
	for (size_t i = 0; i < e->np; i++)
		held += e->p[i].n;
	if (kafka_topic_appended(e->t) !=
	    kafka_topic_expired(e->t) + kafka_topic_waiting(e->t) + e->l_polled)
		sim_run_fail(m->run, "%s: topic records not conserved", m->name);
	if (e->l_polled != e->l_filtered + e->l_invalid + e->l_ok + e->l_gaveup + held)
		sim_run_fail(m->run, "%s: polled records not conserved", m->name);
	uint64_t peak = poller_budget_peak_bytes(&e->budget);
	sim_results_put(res, m->name, METRIC_POLLED_EVENTS, "count", (double)e->polled);
	sim_results_put(res, m->name, "FilteredOutEventCount", "count", (double)e->filtered);
	sim_results_put(res, m->name, "ValidationFailedEventCount", "count", (double)e->invalid);
	sim_results_put(res, m->name, "InvokedEventCount", "count", (double)e->invoked);
	sim_results_put(res, m->name, "FailedInvokeEventCount", "count", (double)e->failed_invoke);
	sim_results_put(res, m->name, "OnFailureDestinationDeliveredEventCount", "count",
			(double)e->dest_sent);
	sim_results_put(res, m->name, "DroppedEventCount", "count", (double)e->dropped);
	sim_results_put(res, m->name, METRIC_INVOCATIONS, "count", (double)e->invocations);
	sim_results_put(res, m->name, "ThrottledInvokes", "count", (double)e->throttled);
	sim_results_put(res, m->name, "OutOfOrderRecords", "count", (double)e->out_of_order);
	sim_results_put(res, m->name, "OffsetLag", "records",
			(double)kafka_topic_peak_waiting(e->t));
	sim_results_put(res, m->name, "PeakPolledBytesPerSecond", "B/s", (double)peak);
	sim_results_put(res, m->name, "ProvisionedPollers", "pollers",
			sim_twa_mean(&e->plevel, s->now));
	sim_results_put(res, m->name, "ProvisionedPollers.max", "pollers", e->plevel.max);
	double poller_ns = e->plevel.area +
			   e->plevel.value * (double)(s->now - e->plevel.last);
	sim_results_meter(res, m->name, "AWS Lambda", METRIC_POLLER_UNIT_HOURS,
			  "EPU-hour", "lambda.epu_hour",
			  poller_ns / (double)SIM_HOUR / (double)e->cfg->pollers_per_epu);
}

static void kesm_destroy(struct model *m)
{
	struct kesm *e = (struct kesm *)m;
	if (!e)
		return;
	for (size_t i = 0; i < e->np; i++) {
		free(e->p[i].items);
		free(e->p[i].failed);
	}
	free(e->p);
	free(e->ready);
	gsl_rng_free(e->rng);
	free(e);
}

/* The topic's records go to the function. */
static bool kesm_route(struct model *m, size_t i, struct model_route *r)
{
	struct kesm *e = (struct kesm *)m;
	if (i > 0)
		return false;
	r->from = sim_run_find(m->run, e->cfg->topic);
	r->to = sim_run_find(m->run, e->cfg->function);
	r->moves = true;
	r->at = cfg_get(m->node, "function");
	snprintf(r->path, sizeof(r->path), "resources.%s.function", m->name);
	return true;
}

const struct model_ops kafka_event_source_ops = {
	.name = "kafka_event_source",
	.help = "Lambda Kafka event source mapping, provisioned mode: pollers, filter, schema validation",
	.schema = &kesm_schema,
	.config_size = sizeof(struct kesm_config),
	.create = kesm_create,
	.link = kesm_link,
	.start = kesm_start,
	.restart = kesm_restart,
	.sample = kesm_sample,
	.finish = kesm_finish,
	.destroy = kesm_destroy,
	.route = kesm_route,
};
