/* test_cost.c - usage meters and their prices: pricing files, Lambda
 * billed duration, SQS request chunks, network hops and compression, and
 * cost.csv arithmetic. Prices are round numbers (fixtures/pricing/
 * simple.yaml) so every expected value is exact. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/qbed.h"

#include "reports/cost.h"
#include "reports/pricing.h"
#include "sim/run.h"

#define COST "tests/fixtures/cost.yaml"
#define SIMPLE "tests/fixtures/pricing/simple.yaml"

static double value(const struct sim_outcome *o, const char *res, const char *m)
{
	const struct sim_metric *x = sim_results_find(&o->results, res, m);
	ck_assert_msg(x != NULL, "no metric %s.%s", res, m);
	return x->values[0];
}

/* pricing:file ------------------------------------------------------------- */

static void expect_errors(const char *path, const char *const *want, size_t n)
{
	struct diag d;
	struct pricing p;
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, path, &d), -1);
	ck_assert_uint_eq(d.n, n);
	for (size_t i = 0; i < n; i++)
		ck_assert_str_eq(d.v[i].text, want[i]);
	diag_finish(&d);
}

START_TEST(bad_pricing_files)
{
	static const char *const missing[] = {
		"tests/fixtures/pricing/missing-price.yaml:6:5: error: prices.lambda.requests: missing required key 'usd'",
	};
	expect_errors("tests/fixtures/pricing/missing-price.yaml", missing, 1);
	static const char *const negative[] = {
		"tests/fixtures/pricing/negative-price.yaml:6:10: error: prices.lambda.requests.usd: must not be negative, got '-0.20'",
		"tests/fixtures/pricing/negative-price.yaml:14:10: error: prices.sqs.requests.standard.per: must be greater than 0, got '0'",
		"tests/fixtures/pricing/negative-price.yaml:19:13: error: prices.sqs.requests.standard.status: expected one of confirmed, partial, unconfirmed, got 'maybe'",
	};
	expect_errors("tests/fixtures/pricing/negative-price.yaml", negative, 3);
	/* Found by fuzzing (fuzz_pricing): these two leaked the document
	 * (AddressSanitizer's leak check fails the test if they do again). */
	static const char *const syntax[] = {
		"tests/fixtures/pricing/syntax-error.yaml:4:1: error: YAML syntax error: did not find expected ',' or ']' while parsing a flow sequence that starts at line 3, column 6",
	};
	expect_errors("tests/fixtures/pricing/syntax-error.yaml", syntax, 1);
	static const char *const list[] = {
		"tests/fixtures/pricing/not-a-map.yaml:1:1: error: expected a map with region, currency and prices",
	};
	expect_errors("tests/fixtures/pricing/not-a-map.yaml", list, 1);
	static const char *const euro[] = {
		"tests/fixtures/pricing/euro.yaml:2:11: error: currency: only USD prices are supported, not 'EUR'",
	};
	expect_errors("tests/fixtures/pricing/euro.yaml", euro, 1);
	static const char *const none[] = {
		"tests/fixtures/pricing/no-prices.yaml:1:1: error: prices: expected a map of price keys to {usd, unit, fact, source, as_of}",
	};
	expect_errors("tests/fixtures/pricing/no-prices.yaml", none, 1);
	static const char *const scalar[] = {
		"tests/fixtures/pricing/scalar-price.yaml:4:20: error: prices.lambda.requests: expected a map {usd, unit, fact, source, as_of}",
	};
	expect_errors("tests/fixtures/pricing/scalar-price.yaml", scalar, 1);
}
END_TEST

/* The pricing file of a scenario: pricing: FILE (absolute, or relative to
 * the scenario), else REGION.yaml in $SPILLWAY_PRICING_DIR, then in the
 * built-in directories; no file for the region is an error at region. */
START_TEST(pricing_file_is_found_by_region)
{
	struct scenario scn;
	struct sim_outcome o;
	const char *sets[] = { "duration=1s" };
	harness_run("tests/fixtures/sqs-basic.yaml", sets, 1, &scn, &o);
	struct diag d;
	diag_init(&d);
	char *path = pricing_path(&scn, &d);
	ck_assert_ptr_nonnull(path);
	ck_assert_msg(strstr(path, "us-east-1.yaml") != NULL, "%s", path);
	free(path);
	/* $SPILLWAY_PRICING_DIR first when it holds the region's file. */
	setenv("SPILLWAY_PRICING_DIR", "reports/pricing", 1);
	path = pricing_path(&scn, &d);
	ck_assert_str_eq(path, "reports/pricing/us-east-1.yaml");
	free(path);
	/* A region with no file anywhere. */
	scn.region = "xx-nowhere-1";
	setenv("SPILLWAY_PRICING_DIR", "tests/fixtures", 1);
	ck_assert_ptr_null(pricing_path(&scn, &d));
	unsetenv("SPILLWAY_PRICING_DIR");
	ck_assert_uint_eq(d.n, 1);
	ck_assert_msg(strstr(d.v[0].text, "region: no pricing file for 'xx-nowhere-1' (looked for xx-nowhere-1.yaml in $SPILLWAY_PRICING_DIR and ") != NULL,
		      "%s", d.v[0].text);
	diag_finish(&d);
	sim_outcome_finish(&o);
	scenario_finish(&scn);
}
END_TEST

START_TEST(shipped_pricing_file_loads)
{
	struct diag d;
	struct pricing p;
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "reports/pricing/us-east-1.yaml", &d), 0);
	ck_assert_str_eq(p.region, "us-east-1");
	/* FACTS 3 "Price, requests": $0.20 per million. */
	const struct price *r = pricing_find(&p, "lambda.requests");
	ck_assert(r != NULL);
	ck_assert_double_eq_tol(r->usd / r->per, 0.2e-6, 1e-20);
	ck_assert_int_eq(r->status, PRICE_CONFIRMED);
	/* FACTS 2: no source for the EPU price. */
	ck_assert_int_eq(pricing_find(&p, "lambda.epu_hour")->status, PRICE_UNCONFIRMED);
	ck_assert(pricing_find(&p, "no.such.key") == NULL);
	pricing_finish(&p);
	diag_finish(&d);
}
END_TEST

/* cost:streaming ------------------------------------------------------------ */

/* The comparison table of the shipped streaming scenario: each door's cost
 * per 1,000 conversations counts its own meters and its functions' (the
 * cost group the type gives), and its columns come in the type's formats. */
START_TEST(streaming_table)
{
	struct scenario scn;
	struct sim_outcome o;
	struct diag d;
	struct pricing p;
	harness_run("scenarios/llm-streaming.yaml", NULL, 0, &scn, &o);
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "reports/pricing/us-east-1.yaml", &d), 0);
	struct rpt_cost c;
	rpt_cost_compute(&c, &scn, &o, &p);
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	rpt_print_streaming(f, &scn, &o, &c);
	fclose(f);
	ck_assert_str_eq(text,
		"\nstreaming options (TTFB and time to last token of completed conversations; cost = the door's meters and its functions'):\n"
		"resource       door                  convers.  complete   failed  refused  ttfb_p50  ttfb_p95  ttfb_p99  last_p50  last_p99   usd_per_1k\n"
		"chat_url       function_url           3050.33   2998.33        0        0      753ms     1512ms     2037ms     7.51s    40.58s       0.1600\n"
		"chat_ws        websocket sync            3017   2862.33  102.333        0      775ms     1560ms     2117ms     7.26s    26.38s       0.6189\n"
		"chat_as        appsync                   3040      2994        0        0      847ms     1603ms     2117ms     7.66s    42.58s       3.4071\n");
	free(text);
	rpt_cost_finish(&c);
	pricing_finish(&p);
	diag_finish(&d);
	sim_outcome_finish(&o);
	scenario_finish(&scn);
}
END_TEST

/* cost:lambda --------------------------------------------------------------- */

/* 100 invocations of 10.2 ms, the first after a 100.5 ms cold start, each
 * rounded up to the millisecond with its INIT: 111 + 99 x 11 = 1,200 ms at
 * 2 GB. */
START_TEST(billed_duration_rounding)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(COST, NULL, 0, &scn, &o);
	ck_assert_double_eq(value(&o, "fn", "ColdStarts"), 1);
	ck_assert_double_eq_tol(value(&o, "fn", "BilledDuration"), 1.2, 1e-12);
	ck_assert_double_eq_tol(value(&o, "fn", "GBSeconds"), 2.4, 1e-12);
	ck_assert_double_eq(value(&o, "fn", "Requests"), 100);
	harness_done(&scn, &o);
}
END_TEST

/* cost:network -------------------------------------------------------------- */

START_TEST(nat_meters)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(COST, NULL, 0, &scn, &o);
	/* 100 x 1 MiB = 100/1024 GB of 2^30 bytes; half crossed an AZ. */
	ck_assert_double_eq_tol(value(&o, "nat", "DataProcessed"), 100.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "nat", "CrossAZ"), 50.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "nat", "NATGatewayHours"), 120.0 / 3600, 1e-15);
	ck_assert(sim_results_find(&o.results, "nat", "InternetEgress") == NULL);
	harness_done(&scn, &o);
	const char *sets[] = { "resources.nat.internet=true",
			       "resources.nat.availability_zones=3" };
	harness_run(COST, sets, 2, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "nat", "InternetEgress"), 100.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "nat", "NATGatewayHours"), 3 * 120.0 / 3600, 1e-15);
	harness_done(&scn, &o);
	/* Without bytes, the message itself goes through: 100 x 3 KB. */
	const char *own[] = { "resources.fn.calls[0]={target: nat}",
			      "tenants.callers.message_size=3KB" };
	harness_run(COST, own, 2, &scn, &o);
	ck_assert_double_eq(value(&o, "nat", "BytesProcessed"), 300000);
	harness_done(&scn, &o);
}
END_TEST

/* Compression: 75% fewer bytes; 10 ms per MB at one vCPU (1,769 MB, and
 * the 2,048 MB function is capped at one vCPU too): each message takes
 * 1.048576 MB x 10 ms longer, 20.68576 ms in all (21 billed; the first
 * 122 with its cold start). Measured at half a vCPU (884.5 MB) instead,
 * the same work takes half as long at our one vCPU. */
START_TEST(compression_trades_duration_for_bytes)
{
	const char *full[] = {
		"resources.fn.compression={ratio: 75%, cpu_per_mb: 10ms, at_memory: 1769MB}",
	};
	struct scenario scn;
	struct sim_outcome o;
	harness_run(COST, full, 1, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "nat", "DataProcessed"), 25.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "fn", "Duration"), 20.68576, 1e-9);
	ck_assert_double_eq_tol(value(&o, "fn", "BilledDuration"), 2.201, 1e-12);
	harness_done(&scn, &o);
	const char *half[] = {
		"resources.fn.compression={ratio: 75%, cpu_per_mb: 10ms, at_memory: 884.5MB}",
	};
	harness_run(COST, half, 1, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "fn", "Duration"), 10.2 + 5.24288, 1e-9);
	harness_done(&scn, &o);
}
END_TEST

/* The seed's figures per 10 M invocations, from 100,000 of them (the
 * meters are linear in the count): ~$16 more Lambda, ~$300 less NAT,
 * ~$70 less endpoint, each within 10%. */
START_TEST(network_compression_figures)
{
	static const char *const variants[4][3] = {
		{ NULL },
		{ "resources.render.compression={ratio: 70%, cpu_per_mb: 124ms, at_memory: 1024MB}" },
		{ "resources.render.calls[0].target=endpoint" },
		{ "resources.render.calls[0].target=endpoint",
		  "resources.render.compression={ratio: 70%, cpu_per_mb: 124ms, at_memory: 1024MB}" },
	};
	double lambda[4], nat[4], vpce[4];
	struct diag d;
	struct pricing p;
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "reports/pricing/us-east-1.yaml", &d), 0);
	for (int v = 0; v < 4; v++) {
		const char *sets[5] = {
			"tenants.callers.arrivals={burst: {count: 100000, at: 0s, over: 100s}}",
			"duration=101s",
		};
		size_t n = 2;
		for (int k = 0; k < 3 && variants[v][k]; k++)
			sets[n++] = variants[v][k];
		struct scenario scn;
		struct sim_outcome o;
		harness_run("scenarios/network-compression.yaml", sets, n, &scn, &o);
		struct rpt_cost c;
		rpt_cost_compute(&c, &scn, &o, &p);
		lambda[v] = nat[v] = vpce[v] = 0;
		for (size_t i = 0; i < c.n; i++) {
			const struct rpt_cost_line *l = &c.v[i];
			if (!strcmp(l->m->metric, "GBSeconds"))
				lambda[v] = l->cost;
			else if (!strcmp(l->m->metric, "DataProcessed") &&
				 !strcmp(l->m->resource, "egress"))
				nat[v] = l->cost;
			else if (!strcmp(l->m->metric, "DataProcessed"))
				vpce[v] = l->cost;
		}
		rpt_cost_finish(&c);
		harness_done(&scn, &o);
	}
	double added = (lambda[1] - lambda[0]) * 100;
	double nat_saved = (nat[0] - nat[1]) * 100;
	double vpce_saved = (vpce[2] - vpce[3]) * 100;
	ck_assert_msg(fabs(added - 16) <= 1.6, "Lambda: published $16, simulated $%.2f", added);
	ck_assert_msg(fabs(nat_saved - 300) <= 30, "NAT: published $300, simulated $%.2f", nat_saved);
	ck_assert_msg(fabs(vpce_saved - 70) <= 7, "VPCE: published $70, simulated $%.2f", vpce_saved);
	pricing_finish(&p);
	diag_finish(&d);
}
END_TEST

/* cost:directions ------------------------------------------------------------ */

#define DIRS "tests/fixtures/nat-directions.yaml"

/* 100 invocations: web carries 100 x 1 MiB out and 3 x that back in; both
 * directions are processed and cross the AZ; only the bytes out are
 * egress. upload states no direction: all out, nothing in. */
START_TEST(nat_bytes_by_direction)
{
	struct scenario scn;
	struct sim_outcome o;
	harness_run(DIRS, NULL, 0, &scn, &o);
	ck_assert_double_eq(value(&o, "web", "BytesOut"), 100.0 * 1048576);
	ck_assert_double_eq(value(&o, "web", "BytesIn"), 300.0 * 1048576);
	ck_assert_double_eq(value(&o, "web", "BytesProcessed"), 400.0 * 1048576);
	ck_assert_double_eq_tol(value(&o, "web", "DataProcessed"), 400.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "web", "CrossAZ"), 200.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "web", "InternetEgress"), 100.0 / 1024, 1e-15);
	ck_assert_double_eq(value(&o, "upload", "BytesIn"), 0);
	ck_assert_double_eq_tol(value(&o, "upload", "DataProcessed"), 200.0 / 1024, 1e-15);
	ck_assert_double_eq_tol(value(&o, "upload", "InternetEgress"), 200.0 / 1024, 1e-15);
	harness_done(&scn, &o);
	/* Not to the internet: processed both ways, no egress. */
	const char *aws[] = { "resources.web.internet=false" };
	harness_run(DIRS, aws, 1, &scn, &o);
	ck_assert_double_eq_tol(value(&o, "web", "DataProcessed"), 400.0 / 1024, 1e-15);
	ck_assert(sim_results_find(&o.results, "web", "InternetEgress") == NULL);
	harness_done(&scn, &o);
}
END_TEST

/* The shipped egress tiers (FACTS 6) over a month's volume. */
START_TEST(shipped_egress_tiers)
{
	struct diag d;
	struct pricing p;
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "reports/pricing/us-east-1.yaml", &d), 0);
	const struct price *e = pricing_find(&p, "transfer.internet_egress_gb");
	ck_assert(e && e->tiers.n == 5);
	ck_assert_double_eq(price_tiered_cost(e, 0), 0);
	ck_assert_double_eq(price_tiered_cost(e, 100), 0);
	/* 5 TB: 100 GB free, 5,020 GB at $0.09. */
	ck_assert_double_eq_tol(price_tiered_cost(e, 5120), 5020 * 0.09, 1e-9);
	/* 20 TB crosses into the second paid tier. */
	ck_assert_double_eq_tol(price_tiered_cost(e, 20480), 10140 * 0.09 + 10240 * 0.085, 1e-9);
	/* 200 TB: every tier. */
	ck_assert_double_eq_tol(price_tiered_cost(e, 204800),
				10140 * 0.09 + 40960 * 0.085 + 102400 * 0.07 + 51200 * 0.05,
				1e-9);
	/* Flat prices stay usd/per each. */
	const struct price *r = pricing_find(&p, "lambda.requests");
	ck_assert_double_eq_tol(price_tiered_cost(r, 1e6), 0.20, 1e-12);
	pricing_finish(&p);
	static const char *const bad[] = {
		"tests/fixtures/pricing/bad-tiers.yaml:8:35: error: prices.transfer.internet_egress_gb: tiers: up_to must rise from tier to tier",
		"tests/fixtures/pricing/bad-tiers.yaml:15:13: error: prices.transfer.cross_az_gb: tiers: every tier but the last needs up_to > 0",
		"tests/fixtures/pricing/bad-tiers.yaml:15:23: error: prices.transfer.cross_az_gb: tiers: the last tier has no up_to (it has no upper end)",
	};
	expect_errors("tests/fixtures/pricing/bad-tiers.yaml", bad, 3);
	diag_finish(&d);
}
END_TEST

/* Both gateways' egress counts together: 300/1024 GB in 120 s is
 * 300/1024 x 21,900 = 6,416.015625 GB a month; free to 1,000, $1 to
 * 5,000, $0.50 above: $4,708.0078125 a month, of which the window pays
 * 1/21,900, shared 1:2 between web and upload. */
START_TEST(tiered_cost_across_a_boundary)
{
	struct scenario scn;
	struct sim_outcome o;
	struct diag d;
	struct pricing p;
	harness_run(DIRS, NULL, 0, &scn, &o);
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, "tests/fixtures/pricing/tiered.yaml", &d), 0);
	struct rpt_cost c;
	rpt_cost_compute(&c, &scn, &o, &p);
	double month = 4000 + 0.5 * (300.0 / 1024 * 21900 - 5000);
	double egress = 0, web = NAN, processed = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct rpt_cost_line *l = &c.v[i];
		if (!strcmp(l->m->metric, "InternetEgress")) {
			ck_assert_double_eq_tol(l->monthly_volume, 300.0 / 1024 * 21900, 1e-9);
			ck_assert_double_eq_tol(l->unit_price, month / 21900 / (300.0 / 1024), 1e-12);
			egress += l->cost;
			if (!strcmp(l->m->resource, "web"))
				web = l->cost;
		} else if (!strcmp(l->m->metric, "DataProcessed")) {
			ck_assert(isnan(l->monthly_volume));
			processed += l->cost;
		}
	}
	ck_assert_double_eq_tol(egress, month / 21900, 1e-12);
	ck_assert_double_eq_tol(web, month / 21900 / 3, 1e-12);
	ck_assert_double_eq_tol(processed, 0.5 * 600 / 1024, 1e-12);
	ck_assert_double_eq_tol(c.total, egress + processed, 1e-12);
	rpt_cost_finish(&c);
	harness_done(&scn, &o);
	/* At a month's rate over 730 hours the volume is the window's own:
	 * 300/1024 GB, inside the free tier. */
	const char *month_long[] = { "duration=730h", "sample_interval=1h" };
	harness_run(DIRS, month_long, 2, &scn, &o);
	rpt_cost_compute(&c, &scn, &o, &p);
	for (size_t i = 0; i < c.n; i++)
		if (!strcmp(c.v[i].m->metric, "InternetEgress"))
			ck_assert_double_eq(c.v[i].cost, 0);
	rpt_cost_finish(&c);
	harness_done(&scn, &o);
	pricing_finish(&p);
	diag_finish(&d);
}
END_TEST

/* cost:arithmetic ------------------------------------------------------------ */

START_TEST(price_times_quantity)
{
	struct scenario scn;
	struct sim_outcome o;
	struct diag d;
	struct pricing p;
	harness_run(COST, NULL, 0, &scn, &o);
	diag_init(&d);
	ck_assert_int_eq(pricing_load(&p, SIMPLE, &d), 0);
	struct rpt_cost c;
	rpt_cost_compute(&c, &scn, &o, &p);
	/* Requests, GBSeconds, NATGatewayHours, DataProcessed, CrossAZ. */
	ck_assert_uint_eq(c.n, 5);
	double total = 0;
	for (size_t i = 0; i < c.n; i++) {
		const struct rpt_cost_line *l = &c.v[i];
		if (!strcmp(l->m->price_key, "transfer.cross_az_gb")) {
			/* Not in the table: left unpriced, not guessed. */
			ck_assert(isnan(l->cost));
			continue;
		}
		ck_assert_double_eq(l->cost, l->quantity * l->price->usd / l->price->per);
		total += l->cost;
	}
	/* 100 requests at $2 per 1,000; 2.4 GB-s at $0.5; 1/30 h at $3;
	 * 100/1024 GB at $0.5. */
	ck_assert_double_eq_tol(total, 0.2 + 1.2 + 0.1 + 0.5 * 100 / 1024, 1e-12);
	ck_assert_double_eq_tol(c.total, total, 1e-15);
	ck_assert_uint_eq(c.unpriced, 1);
	ck_assert_uint_eq(c.unconfirmed, 1);
	ck_assert_double_eq_tol(c.monthly, c.total * 730 / (120.0 / 3600), 1e-9);
	/* cost.csv says which price is unconfirmed and which is missing. */
	char path[] = "/tmp/spillway-cost-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(rpt_write_cost_csv(path, &c), 0);
	FILE *f = fopen(path, "r");
	char text[4096];
	size_t len = fread(text, 1, sizeof(text) - 1, f);
	text[len] = '\0';
	fclose(f);
	remove(path);
	ck_assert_msg(strstr(text, "Amazon VPC,nat,DataProcessed,0.09765625,GB,0.5,0.048828125,UNCONFIRMED,nat_gateway.gb\n"),
		      "%s", text);
	ck_assert_msg(strstr(text, ",no price,transfer.cross_az_gb\n"), "%s", text);
	ck_assert_msg(strstr(text, "\nTOTAL,,monthly projection"), "%s", text);
	rpt_cost_finish(&c);
	pricing_finish(&p);
	diag_finish(&d);
	harness_done(&scn, &o);
}
END_TEST

/* cost:sqs ------------------------------------------------------------------- */

static void sqs_requests(struct bed *b)
{
	/* Sends: one request per 64 KiB chunk. */
	bed_send(b, b->work_m, 0, 65536);     /* 1 */
	bed_send(b, b->work_m, 0, 65537);     /* 2 */
	bed_send(b, b->work_m, 0, 262144);    /* 4 */
	bed_send(b, b->work_m, 0, 1000);      /* 1 */
	/* One receive of all four: 394,217 bytes, 7 chunks. */
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 4);
	/* One batch delete of four: 1 request. */
	ck_assert_uint_eq(sqs_delete(b->work, &b->run.sim, SQS_DELETE, b->got, NULL, 4), 4);
	/* An empty long poll: 1. */
	sqs_count_empty_receive(b->work);
	for (int i = 0; i < 11; i++)
		bed_send(b, b->work_m, 0, 1000); /* 11 */
	ck_assert_uint_eq(recv(b, b->work, 11, 0), 11); /* 1 */
	bool skip[11] = { false };
	skip[3] = true;
	/* Ten deleted, one kept: 1 request; then the last one alone: 1. */
	ck_assert_uint_eq(sqs_delete(b->work, &b->run.sim, SQS_DELETE, b->got, skip, 11), 10);
	ck_assert(sqs_delete(b->work, &b->run.sim, SQS_DELETE, &b->got[3], NULL, 1));
}

START_TEST(sqs_request_chunks)
{
	const char *sets[] = { "resources.work.max_message_size=1MiB" };
	struct bed b;
	bed_open(&b, "tests/fixtures/sqs-basic.yaml", sets, 1);
	at(&b, S(1), sqs_requests);
	sim_run_until(&b.run.sim, S(2));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "Requests"),
			    8 + 7 + 1 + 1 + 11 + 1 + 1 + 1);
	bed_close(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cost");
	TCase *tc = tcase_create("pricing:file");
	tcase_add_test(tc, bad_pricing_files);
	tcase_add_test(tc, shipped_pricing_file_loads);
	tcase_add_test(tc, pricing_file_is_found_by_region);
	tcase_add_test(tc, streaming_table);
	suite_add_tcase(s, tc);
	tc = tcase_create("cost:lambda");
	tcase_add_test(tc, billed_duration_rounding);
	suite_add_tcase(s, tc);
	tc = tcase_create("cost:network");
	tcase_add_test(tc, nat_meters);
	tcase_add_test(tc, compression_trades_duration_for_bytes);
	tcase_add_test(tc, network_compression_figures);
	suite_add_tcase(s, tc);
	tc = tcase_create("cost:directions");
	tcase_add_test(tc, nat_bytes_by_direction);
	tcase_add_test(tc, shipped_egress_tiers);
	tcase_add_test(tc, tiered_cost_across_a_boundary);
	suite_add_tcase(s, tc);
	tc = tcase_create("cost:arithmetic");
	tcase_add_test(tc, price_times_quantity);
	suite_add_tcase(s, tc);
	tc = tcase_create("cost:sqs");
	tcase_add_test(tc, sqs_request_chunks);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
