/* test_kafka.c - a Kafka topic and its Lambda event source mapping in
 * provisioned mode: the format's size factor is applied exactly, unread
 * records expire at the retention, the filter drops its share, records
 * failing validation reach the failure destination exactly, partitions are
 * read in order, a compact format needs fewer pollers (and no more
 * invocations), and every record is accounted for. */
#include <check.h>
#include <math.h>
#include <stdio.h>

#include "tests/harness.h"

#define FIXTURE "tests/fixtures/kafka.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* Every record the producer sent is read, expired or still unread; every
 * record read is filtered, invalid (to the destination), delivered, given
 * up (to the destination) or in a batch at the end. */
static void check_conservation(const struct sim_outcome *o)
{
	double in = value(o, "orders", "RecordsIn");
	ck_assert_double_eq(in, (double)o->tenants[0].sent);
	double polled = value(o, "consumer", "PolledEventCount");
	ck_assert_double_eq(in, polled + value(o, "orders", "ExpiredRecords") +
				       value(o, "orders", "RecordsWaiting"));
	/* The run ends with at most one batch of 100 in flight per partition. */
	double done = (double)(o->tenants[0].delivered + o->tenants[0].dead_lettered +
			       o->tenants[0].failed);
	ck_assert_msg(done <= polled && done >= polled - 4 * 100, "%g of %g", done, polled);
	ck_assert_double_eq(value(o, "consumer", "OutOfOrderRecords"), 0);
}

START_TEST(size_factor_applied_exactly)
{
	const char *fmt[] = { "json", "avro", "protobuf" };
	const double want[] = { 2000, 700, 600 };
	for (int i = 0; i < 3; i++) {
		char set[64];
		snprintf(set, sizeof(set), "resources.orders.format=%s", fmt[i]);
		const char *sets[] = { set };
		struct scenario scn;
		struct sim_outcome o;
		harness_run(FIXTURE, sets, 1, &scn, &o);
		double n = value(&o, "orders", "RecordsIn");
		ck_assert_double_eq(value(&o, "orders", "JsonBytesIn"), 2000 * n);
		ck_assert_double_eq(value(&o, "orders", "BytesIn"), want[i] * n);
		check_conservation(&o);
		harness_done(&scn, &o);
	}
	/* A factor set by the scenario replaces the default. */
	const char *sets[] = { "resources.orders.format=avro",
			       "resources.orders.size_factor.avro=0.5" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "orders", "BytesIn"),
			    1000 * value(&o, "orders", "RecordsIn"));
	harness_done(&scn, &o);
}
END_TEST

START_TEST(unread_records_expire_at_retention)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, NULL, 0, &scn, &o);
	/* audit: 10 a second, nobody reads, 30 s retention: at 2 min the
	 * last 30 s (300 records, give or take the one at the edge) remain,
	 * the others expired, each counted for the tenant. */
	double in = value(&o, "audit", "RecordsIn");
	double expired = value(&o, "audit", "ExpiredRecords");
	double waiting = value(&o, "audit", "RecordsWaiting");
	ck_assert_double_eq(in, expired + waiting);
	ck_assert_msg(waiting >= 299 && waiting <= 301, "%g waiting", waiting);
	ck_assert_double_eq(expired, (double)o.tenants[1].expired);
	/* orders is read within a second: nothing expires there. */
	ck_assert_double_eq(value(&o, "orders", "ExpiredRecords"), 0);
	harness_done(&scn, &o);
	/* A consumer too slow for a short retention loses records: at 20 ms
	 * a record a batch of 100 takes 2 s, so a partition is read at 50
	 * records a second against 250 arriving. */
	const char *sets[] = { "resources.orders.retention=20s",
			       "resources.fn.duration.per_message=20ms" };
	harness_run(FIXTURE, sets, 2, &scn, &o);
	ck_assert(value(&o, "orders", "ExpiredRecords") > 0);
	ck_assert_double_eq(value(&o, "orders", "ExpiredRecords"), (double)o.tenants[0].expired);
	check_conservation(&o);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(filter_drops_its_share)
{
	const char *sets[] = { "resources.consumer.filter=0.3" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	double polled = value(&o, "consumer", "PolledEventCount");
	double filtered = value(&o, "consumer", "FilteredOutEventCount");
	double sd = sqrt(polled * 0.3 * 0.7);
	ck_assert_msg(fabs(filtered - 0.3 * polled) < 4 * sd, "%g of %g", filtered, polled);
	ck_assert_double_eq(value(&o, "consumer", "InvokedEventCount"), polled - filtered);
	check_conservation(&o);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(validation_failures_reach_the_destination)
{
	const char *sets[] = { "resources.consumer.validation_failure_rate=0.1" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	double polled = value(&o, "consumer", "PolledEventCount");
	double invalid = value(&o, "consumer", "ValidationFailedEventCount");
	double sd = sqrt(polled * 0.1 * 0.9);
	ck_assert_msg(fabs(invalid - 0.1 * polled) < 4 * sd, "%g of %g", invalid, polled);
	/* The function never fails: the destination holds exactly the
	 * invalid records. */
	ck_assert_double_eq(value(&o, "consumer", "OnFailureDestinationDeliveredEventCount"),
			    invalid);
	ck_assert_double_eq(value(&o, "bad", "NumberOfMessagesSent"), invalid);
	ck_assert_double_eq((double)o.tenants[0].dead_lettered, invalid);
	ck_assert_double_eq(value(&o, "consumer", "FailedInvokeEventCount"), 0);
	check_conservation(&o);
	harness_done(&scn, &o);
	/* Without a destination they are dropped (the tenant's failed). */
	const char *sets2[] = { "resources.consumer.validation_failure_rate=0.1",
				"resources.consumer.failure_destination=none" };
	harness_run(FIXTURE, sets2, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "consumer", "DroppedEventCount"),
			    value(&o, "consumer", "ValidationFailedEventCount"));
	ck_assert_double_eq(value(&o, "consumer", "OnFailureDestinationDeliveredEventCount"), 0);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(partitions_read_in_order)
{
	/* By key with many groups, and round robin: no partition's offsets
	 * ever go back (the model fails the run if they do), and each
	 * partition has one batch in flight: invocations <= 4 at once. */
	const char *sets[] = { "resources.orders.partition_by=key",
			       "tenants.producer.groups=50" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 2, &scn, &o);
	check_conservation(&o);
	ck_assert(value(&o, "fn", "ConcurrentExecutions.max") <= 4);
	harness_done(&scn, &o);
}
END_TEST

START_TEST(pollers_follow_bytes)
{
	/* 2,500 records a second of 8 KB JSON: 20 MB/s, 4 pollers' worth at
	 * 5 MB/s; as Avro (0.35) 7 MB/s, 2 pollers. With byte-limited batches
	 * (10,000 records, a 5 s window, so 6 MB binds) Avro also needs fewer
	 * invocations. */
	double pollers[2], inv[2], epu[2];
	const char *fmt[] = { "resources.orders.format=json", "resources.orders.format=avro" };
	for (int i = 0; i < 2; i++) {
		const char *sets[] = { fmt[i], "tenants.producer.arrivals={constant: {rate: 2500/s}}",
				       "tenants.producer.message_size=8KB",
				       "resources.consumer.batch_size=10000",
				       "resources.consumer.maximum_batching_window=5s",
				       "warmup=30s" };
		struct scenario scn;
		struct sim_outcome o;
		harness_run(FIXTURE, sets, 6, &scn, &o);
		pollers[i] = value(&o, "consumer", "ProvisionedPollers");
		inv[i] = value(&o, "consumer", "Invocations");
		epu[i] = value(&o, "consumer", "EventPollerUnit-hours");
		ck_assert_double_eq(value(&o, "consumer", "OutOfOrderRecords"), 0);
		harness_done(&scn, &o);
	}
	ck_assert_msg(pollers[1] < pollers[0], "avro %g pollers, json %g", pollers[1], pollers[0]);
	ck_assert_msg(pollers[0] >= 4 && pollers[0] <= 6, "json %g pollers", pollers[0]);
	ck_assert_msg(pollers[1] >= 2 && pollers[1] <= 3, "avro %g pollers", pollers[1]);
	ck_assert_msg(inv[1] < inv[0], "avro %g invocations, json %g", inv[1], inv[0]);
	ck_assert(epu[1] < epu[0]);
}
END_TEST

START_TEST(failed_batches_retry_then_go_to_the_destination)
{
	/* Every record fails: each batch runs 1 + 2 retries, then all of it
	 * goes to the destination; the partition then moves on. */
	const char *sets[] = { "tenants.producer.failure_rate=1" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 1, &scn, &o);
	double invoked = value(&o, "consumer", "InvokedEventCount");
	double dest = value(&o, "consumer", "OnFailureDestinationDeliveredEventCount");
	ck_assert(dest > 0);
	ck_assert_double_eq(o.tenants[0].delivered, 0);
	/* Three invokes of each record that reached the destination, plus
	 * the attempts of batches still retrying at the end. */
	ck_assert_msg(invoked >= 3 * dest && invoked <= 3 * dest + 3 * 4 * 100, "%g, %g",
		      invoked, dest);
	ck_assert_double_eq(value(&o, "bad", "NumberOfMessagesSent"), dest);
	check_conservation(&o);
	harness_done(&scn, &o);
}
END_TEST

/* 10,000 partitions with 600,000 records expiring unread (5,000 a second,
 * 1 s retention): exactly the records older than a second expire, the last
 * second's wait. Each expiry scanned every partition before (14 s of CPU;
 * the case has a 10 s timeout); the oldest record is now a heap's root. */
START_TEST(ten_thousand_partitions_expire)
{
	const char *sets[] = { "resources.audit.partitions=10000", "resources.audit.retention=1s",
			       "tenants.auditor.arrivals={constant: {rate: 5000/s}}" };
	struct scenario scn;
	struct sim_outcome o;
	harness_run(FIXTURE, sets, 3, &scn, &o);
	ck_assert_double_eq(value(&o, "audit", "RecordsIn"), 600000);
	ck_assert_double_eq(value(&o, "audit", "ExpiredRecords"), 595000);
	ck_assert_double_eq(value(&o, "audit", "RecordsWaiting"), 5000);
	ck_assert_double_eq(value(&o, "audit", "RecordsWaiting.max"), 5000);
	check_conservation(&o);
	harness_done(&scn, &o);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("kafka");
	TCase *tc = tcase_create("kafka:topic");
	tcase_add_test(tc, size_factor_applied_exactly);
	tcase_add_test(tc, unread_records_expire_at_retention);
	suite_add_tcase(s, tc);
	tc = tcase_create("kafka:scale");
	tcase_set_timeout(tc, 10);
	tcase_add_test(tc, ten_thousand_partitions_expire);
	suite_add_tcase(s, tc);
	tc = tcase_create("kafka:esm");
	tcase_add_test(tc, filter_drops_its_share);
	tcase_add_test(tc, validation_failures_reach_the_destination);
	tcase_add_test(tc, partitions_read_in_order);
	tcase_add_test(tc, pollers_follow_bytes);
	tcase_add_test(tc, failed_batches_retry_then_go_to_the_destination);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
