/* test_observed.c - monitoring exports (sim/observed.h) and the observed
 * arrival process that replays them (models/tenants.c).
 *
 * The readers: CloudWatch JSON pages (out of order, descending, in an
 * array, PartialData, number timestamps), CSV, time texts, statistics,
 * label matching. Every broken export (tests/fixtures/observed/bad) and
 * every wrong choice of series exits 2 from `spillway check` with the
 * scenario's place and the export's own message. Replay: spread exact
 * gives back every period's count through a queue's NumberOfMessagesSent
 * sampled once a period; spread poisson stays within the 99% interval of
 * its Poisson expectation, per period and in total. */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "tests/harness.h"

#include "models/registry.h"
#include "models/tenants.h"
#include "sim/observed.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define FIX SOURCE_DIR "/tests/fixtures/observed/"
#define T0 1796032800.0 /* 2026-11-30T10:00:00Z */

static const struct obs_series *by_id(const struct obs_set *set, const char *id)
{
	const struct obs_series *s = obs_find_id(set, id);
	ck_assert_msg(s != NULL, "no series %s", id);
	return s;
}

static void load_ok(struct obs_set *set, const char *path)
{
	struct diag d;
	diag_init(&d);
	int rc = obs_load(set, path, &d);
	diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	ck_assert_uint_eq(d.n, 0);
	diag_finish(&d);
}

/* pages.json and pages-array.json: the same two pages, the later one
 * first, each with descending timestamps. */
static void check_pages(const struct obs_set *set)
{
	static const double m1[] = { 30, 0, 12, 45, 7, 60, 3, 18, 25, 9 };
	ck_assert_int_eq(set->format, OBS_JSON);
	ck_assert_uint_eq(set->pages, 2);
	ck_assert_uint_eq(set->n, 3);
	ck_assert_str_eq(set->s[0].id, "m1");
	ck_assert_str_eq(set->s[1].id, "m2");
	ck_assert_str_eq(set->s[2].id, "m3");
	const struct obs_series *s = by_id(set, "m1");
	ck_assert_uint_eq(s->n, 10); /* 10:05 is in both pages, once kept */
	for (size_t i = 0; i < 10; i++) {
		ck_assert_double_eq(s->t[i], T0 + 60.0 * (double)i);
		ck_assert_double_eq(s->v[i], m1[i]);
	}
	ck_assert_double_eq(s->period, 60);
	ck_assert_uint_eq(s->missing, 0);
	ck_assert_uint_eq(s->pages, 2);
	ck_assert(s->partial);
	ck_assert_int_eq(s->stat, OBS_STAT_SUM);
	ck_assert_str_eq(s->label, "QueueName=orders NumberOfMessagesSent Sum");
	ck_assert_uint_eq(s->n_words, 2);
	ck_assert_str_eq(s->words[0], "orders");
	ck_assert_str_eq(s->words[1], "NumberOfMessagesSent");
	ck_assert(obs_match(s, "orders", "NumberOfMessagesSent"));

	s = by_id(set, "m2");
	ck_assert_int_eq(s->stat, OBS_STAT_PERCENTILE);
	ck_assert_double_eq(s->percentile, 99);
	ck_assert_uint_eq(s->n, 3);
	ck_assert_double_eq(s->t[2], T0 + 180);
	ck_assert_double_eq(s->v[1], 2.25);
	ck_assert_double_eq(s->period, 60);
	ck_assert_uint_eq(s->missing, 1); /* 10:02 */
	ck_assert(!s->partial);
	ck_assert_uint_eq(s->pages, 1);

	s = by_id(set, "m3"); /* no Label: the Id is the label */
	ck_assert_str_eq(s->label, "m3");
	ck_assert_uint_eq(s->n_words, 1);
	ck_assert_str_eq(s->words[0], "m3");
	ck_assert_int_eq(s->stat, OBS_STAT_UNSTATED);
	ck_assert_uint_eq(s->n, 1);
	ck_assert_double_eq(s->period, 0);
	ck_assert_double_eq(set->t0, T0 - 29.75);
	ck_assert_double_eq(set->t_end, T0 + 600);
	ck_assert(obs_find_id(set, "m4") == NULL);
}

START_TEST(json_pages_merge_in_time_order)
{
	struct obs_set set;
	load_ok(&set, FIX "pages.json");
	ck_assert_str_eq(set.file, FIX "pages.json");
	check_pages(&set);
	obs_finish(&set);
	load_ok(&set, FIX "pages-array.json");
	check_pages(&set);
	obs_finish(&set);
}
END_TEST

START_TEST(csv_groups_rows_into_series)
{
	struct obs_set set;
	load_ok(&set, FIX "sent.csv");
	ck_assert_int_eq(set.format, OBS_CSV);
	ck_assert_uint_eq(set.pages, 1);
	ck_assert_uint_eq(set.n, 3);
	const struct obs_series *s = by_id(&set, "orders.NumberOfMessagesSent");
	ck_assert_str_eq(s->label, "orders NumberOfMessagesSent Sum");
	ck_assert_int_eq(s->stat, OBS_STAT_SUM);
	ck_assert_uint_eq(s->n, 3); /* the repeated 10:01 row is dropped */
	ck_assert_double_eq(s->v[0], 30);
	ck_assert_double_eq(s->v[2], 12);
	ck_assert_double_eq(s->period, 60);
	ck_assert(obs_match(s, "orders", "NumberOfMessagesSent"));
	ck_assert(!obs_match(s, "billing", "NumberOfMessagesSent"));
	s = by_id(&set, "orders.ApproximateAgeOfOldestMessage");
	ck_assert_int_eq(s->stat, OBS_STAT_MAXIMUM);
	ck_assert_uint_eq(s->n, 2);
	ck_assert_double_eq(s->period, 300);
	ck_assert_double_eq(s->v[1], 3);
	s = by_id(&set, "billing.NumberOfMessagesSent");
	ck_assert_int_eq(s->stat, OBS_STAT_UNSTATED);
	ck_assert_str_eq(s->label, "billing NumberOfMessagesSent");
	ck_assert_double_eq(set.t0, T0);
	ck_assert_double_eq(set.t_end, T0 + 600);
	obs_finish(&set);

	/* Another statistic of a metric gets an Id of its own; quoted
	 * cells, CRLF ends, a header in capitals. */
	char path[] = "/tmp/spillway-observed-XXXXXX";
	ck_assert(mkdtemp(path) != NULL);
	char file[300];
	snprintf(file, sizeof(file), "%s/two.csv", path);
	harness_put(file, "Timestamp,Resource,Metric,Value,Statistic\r\n"
			  "2026-11-30T10:00:00Z,q,Sent,1,Sum\r\n"
			  "2026-11-30T10:00:00Z,q,Sent,1,Maximum\r\n"
			  "\"2026-11-30T10:01:00Z\",\"q\",Sent,2,Sum\r\n");
	load_ok(&set, file);
	ck_assert_uint_eq(set.n, 2);
	ck_assert_uint_eq(by_id(&set, "q.Sent")->n, 2);
	ck_assert_int_eq(by_id(&set, "q.Sent.Maximum")->stat, OBS_STAT_MAXIMUM);
	obs_finish(&set);
	remove(file);
	remove(path);
}
END_TEST

struct time_case {
	const char *text;
	double t; /* NAN: refused */
};

START_TEST(times_parse_and_format)
{
	static const struct time_case cases[] = {
		{ "2026-11-30T10:00:00Z", T0 },
		{ "2026-11-30T10:00:00+00:00", T0 },
		{ "2026-11-30T10:00:00", T0 },
		{ "2026-11-30 10:00:00z", T0 },
		{ "2026-11-30T15:30:00+05:30", T0 },
		{ "2026-11-30T02:00:00-08:00", T0 },
		{ "2026-11-30T11:00:00+0100", T0 },
		{ "2026-11-30T11:00:00+01", T0 },
		{ "2026-11-30T10:00:00.250Z", T0 + 0.25 },
		{ "2026-11-30T10:00:00.5+00:00", T0 + 0.5 },
		{ "1796032800", T0 },
		{ "1796032800.5", T0 + 0.5 },
		{ "-1", -1 },
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1969-12-31T23:59:59Z", -1 },
		{ "2000-03-01T00:00:00Z", 951868800 },
		{ "2024-02-29T12:00:00Z", 1709208000 },
		{ "2000-02-29T00:00:00Z", 951782400 },
		{ "2100-03-01T00:00:00Z", 4107542400 },
		{ "2023-02-29T00:00:00Z", NAN },
		{ "1900-02-29T00:00:00Z", NAN },
		{ "2100-02-29T00:00:00Z", NAN },
		{ "2026-04-31T00:00:00Z", NAN },
		{ "2026-13-01T00:00:00Z", NAN },
		{ "2026-00-10T00:00:00Z", NAN },
		{ "2026-11-30T24:00:00Z", NAN },
		{ "2026-11-30T10:60:00Z", NAN },
		{ "2026-11-30T10:00:60Z", NAN },
		{ "2026-11-30T10:00:00+25:00", NAN },
		{ "2026-11-30T10:00:00+05:61", NAN },
		{ "2026-11-30T10:00:00+5", NAN },
		{ "2026-11-30T10:00:00+05:3", NAN },
		{ "2026-11-30T10:00:00.Z", NAN },
		{ "2026-11-30T10:00:00Zjunk", NAN },
		{ "2026-11-30T10:00Z", NAN },
		{ "2026-11-30", NAN },
		{ "2026-11-30X10:00:00Z", NAN },
		{ "26-11-30T10:00:00Z", NAN },
		{ "", NAN },
		{ " 1", NAN },
		{ "abc", NAN },
		{ "0x10", NAN },
		{ "nan", NAN },
		{ "inf", NAN },
		{ "1e400", NAN },
		{ "12abc", NAN },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		double t = 12345;
		int rc = obs_parse_time(cases[i].text, &t);
		if (isnan(cases[i].t) ? rc != -1 : rc != 0 || t != cases[i].t)
			fail_add(&f, "'%s': rc %d, t %.3f", cases[i].text, rc, t);
	}
	FAILS_CHECK(f);
	char buf[64];
	ck_assert_str_eq(obs_format_time(T0, buf, sizeof(buf)), "2026-11-30T10:00:00Z");
	ck_assert_str_eq(obs_format_time(T0 + 0.25, buf, sizeof(buf)),
			 "2026-11-30T10:00:00.250Z");
	ck_assert_str_eq(obs_format_time(-1, buf, sizeof(buf)), "1969-12-31T23:59:59Z");
	ck_assert_str_eq(obs_format_time(-0.5, buf, sizeof(buf)),
			 "1969-12-31T23:59:59.500Z");
	ck_assert_str_eq(obs_format_time(1709208000, buf, sizeof(buf)),
			 "2024-02-29T12:00:00Z");
	ck_assert_str_eq(obs_format_time(-2208988800.0, buf, sizeof(buf)),
			 "1900-01-01T00:00:00Z");
	ck_assert_str_eq(obs_format_time(INFINITY, buf, sizeof(buf)), "inf");
	/* Every day from 1896 to 2104 goes there and back. */
	for (double t = -2335219200.0; t < 4260211200.0; t += 86400 + 3661.5) {
		double back;
		ck_assert_int_eq(obs_parse_time(obs_format_time(t, buf, sizeof(buf)), &back), 0);
		ck_assert_msg(back == t, "%s: %.3f, not %.3f", buf, back, t);
	}
}
END_TEST

START_TEST(statistics_and_labels)
{
	static const struct {
		const char *word;
		int stat;
		double pct;
	} ok[] = {
		{ "Sum", OBS_STAT_SUM, 0 },
		{ "Average", OBS_STAT_AVERAGE, 0 },
		{ "Maximum", OBS_STAT_MAXIMUM, 0 },
		{ "Minimum", OBS_STAT_MINIMUM, 0 },
		{ "SampleCount", OBS_STAT_SAMPLECOUNT, 0 },
		{ "p99", OBS_STAT_PERCENTILE, 99 },
		{ "p99.9", OBS_STAT_PERCENTILE, 99.9 },
		{ "p100", OBS_STAT_PERCENTILE, 100 },
	};
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		int stat = -1;
		double pct = -1;
		ck_assert_int_eq(obs_parse_stat(ok[i].word, &stat, &pct), 0);
		ck_assert_int_eq(stat, ok[i].stat);
		ck_assert_double_eq(pct, ok[i].pct);
		char buf[32];
		ck_assert_str_eq(obs_stat_name(stat, pct, buf, sizeof(buf)), ok[i].word);
	}
	static const char *const bad[] = { "sum", "p", "p0", "p101", "p9.9.9", "p99.",
					   "pa", "p-1", "orders", "" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int stat;
		double pct;
		ck_assert_msg(obs_parse_stat(bad[i], &stat, &pct) == -1, "%s", bad[i]);
	}
	char buf[32];
	ck_assert_str_eq(obs_stat_name(OBS_STAT_UNSTATED, 0, buf, sizeof(buf)), "unstated");

	/* Matching works on the words, whatever the label's order. */
	char *w1[] = { "NumberOfMessagesSent", "orders" };
	struct obs_series s = { .words = w1, .n_words = 2 };
	ck_assert(obs_match(&s, "orders", "NumberOfMessagesSent"));
	ck_assert(!obs_match(&s, "orders", "NumberOfMessagesReceived"));
	ck_assert(!obs_match(&s, "order", "NumberOfMessagesSent"));
	char *w2[] = { "orders.NumberOfMessagesSent" };
	s = (struct obs_series){ .words = w2, .n_words = 1 };
	ck_assert(obs_match(&s, "orders", "NumberOfMessagesSent"));
	ck_assert(!obs_match(&s, "orders", "NumberOfMessages"));
	ck_assert(!obs_match(&s, "orders.Number", "OfMessagesSent"));
	ck_assert(!obs_match(&s, "order", "s.NumberOfMessagesSent"));
	/* One word is not both the resource and the metric. */
	char *w3[] = { "x" };
	s = (struct obs_series){ .words = w3, .n_words = 1 };
	ck_assert(!obs_match(&s, "x", "x"));
	char *w4[] = { "x", "x" };
	s = (struct obs_series){ .words = w4, .n_words = 2 };
	ck_assert(obs_match(&s, "x", "x"));
}
END_TEST

/* A scenario in dir whose tenant replays with the given observed map. */
static void write_scenario(const char *dir, const char *observed, const char *extra)
{
	char path[300], text[4096];
	snprintf(path, sizeof(path), "%s/s.yaml", dir);
	snprintf(text, sizeof(text),
		 "name: t\nduration: 600s\ntenants:\n  app:\n    target: orders\n"
		 "    arrivals:\n      observed: %s\n%s"
		 "resources:\n  orders:\n    type: sqs\n",
		 observed, extra);
	harness_put(path, text);
}

/* `spillway check DIR/s.yaml`: its status, stderr in err. */
static int check_scenario(const char *dir, char *err, size_t size)
{
	char cmd[1024], errf[300];
	snprintf(errf, sizeof(errf), "%s/stderr", dir);
	snprintf(cmd, sizeof(cmd), "%s check '%s/s.yaml' >/dev/null 2>'%s'", SPILLWAY_BIN,
		 dir, errf);
	int st = system(cmd);
	harness_slurp(errf, err, size);
	remove(errf);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

struct bad_case {
	const char *observed; /* the observed map; FILE stands for the fixture */
	const char *file;     /* under tests/fixtures/observed */
	const char *expect;   /* in the message, after the fixture's path */
};

START_TEST(bad_exports_exit_2_naming_file_and_entry)
{
	static const struct bad_case cases[] = {
		{ NULL, "bad/not-json.json", ":21:15: not JSON: string or '}' expected near ','" },
		{ NULL, "bad/no-results.json", ": page 1: no MetricDataResults list" },
		{ NULL, "bad/not-object.json",
		  ": page 1, MetricDataResults[1]: expected an object, got a number" },
		{ NULL, "bad/no-id.json", ": page 1, MetricDataResults[0]: no Id" },
		{ NULL, "bad/no-values.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): no Values" },
		{ NULL, "bad/no-timestamps.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): no Timestamps" },
		{ NULL, "bad/lengths.json",
		  ": page 2, MetricDataResults[3] (Id \"m3\"): Timestamps has 10 points, Values 9" },
		{ NULL, "bad/bad-time.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): Timestamps[2] is not a time: \"2026-02-29T10:02:00Z\"" },
		{ NULL, "bad/bad-value.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): Values[1] is not a number: a string" },
		{ NULL, "bad/non-monotone.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): Timestamps are non-monotone: Timestamps[2] 2026-11-30T10:01:00Z follows 2026-11-30T10:02:00Z" },
		{ NULL, "bad/conflict.json",
		  ": page 2, MetricDataResults[0] (Id \"m1\"): 2026-11-30T10:05:00Z has value 6 here and 5 in page 1" },
		{ NULL, "bad/forbidden.json",
		  ": page 1, MetricDataResults[0] (Id \"m1\"): StatusCode Forbidden: CloudWatch returned no data: not authorized" },
		{ NULL, "bad/internal-error.json",
		  ": page 1, MetricDataResults[1] (Id \"m2\"): StatusCode InternalError" },
		{ NULL, "bad/empty.json", ": is empty; expected a monitoring export" },
		{ NULL, "bad/no-header.csv",
		  ":1:1: expected the header timestamp,resource,metric,value" },
		{ NULL, "bad/bad-row.csv",
		  ":3:1: timestamp '2026-11-30T25:00:00Z' is not a time" },
		{ NULL, "bad/bad-number.csv", ":3:50: value 'lots' is not a number" },
		{ NULL, "bad/conflict.csv",
		  ":4:1: orders NumberOfMessagesSent: 2026-11-30T10:00:00Z has value 3 here and 1 on line 2" },
		{ NULL, "bad/missing.json", ": cannot open: No such file or directory" },
		{ NULL, "bad", ": is a directory; expected a monitoring export" },
		/* The export is fine; the choice of series is not. */
		{ "{file: FILE, id: age}", "replay.json",
		  "arrivals need counts (Sum); series 'age' of '" },
		{ "{file: FILE, id: sentt}", "replay.json",
		  "has no series with Id 'sentt' (did you mean 'sent'?); it has sent (\"orders NumberOfMessagesSent\"), age (" },
		{ "{file: FILE, resource: orders, metric: NumberOfMessagesDeleted}",
		  "replay.json",
		  "names resource 'orders' and metric 'NumberOfMessagesDeleted'; it has sent (" },
		{ "{file: FILE, resource: payments, metric: NumberOfMessagesSent}",
		  "replay.json",
		  "2 series of '" },
		{ "{file: FILE, resource: orders}", "replay.json",
		  "name the series with id, or with resource and metric" },
		{ "{file: FILE, id: sent, resource: orders}", "replay.json",
		  "give either id or resource and metric, not both" },
		{ "{file: FILE, id: m3}", "pages.json",
		  "series 'm3' of '" },
		{ "{file: FILE, id: m2}", "pages.json", "holds p99" },
		{ "{file: FILE, id: q.m}", "bad/negative.csv",
		  "has a negative count (-3 at 1970-01-01T00:01:00Z)" },
		{ "{file: FILE, id: q.m}", "bad/short-period.csv",
		  "has points 0.0001 s apart; periods under 1 ms" },
	};
	char dir[] = "/tmp/spillway-observed-XXXXXX";
	ck_assert(mkdtemp(dir) != NULL);
	struct fails f = { 0 };
	static char err[8192];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bad_case *c = &cases[i];
		char file[512], map[1024], want[1200];
		snprintf(file, sizeof(file), FIX "%s", c->file);
		if (c->observed) {
			const char *at = strstr(c->observed, "FILE");
			snprintf(map, sizeof(map), "%.*s'%s'%s", (int)(at - c->observed),
				 c->observed, file, at + 4);
			snprintf(want, sizeof(want), "%s", c->expect);
		} else {
			snprintf(map, sizeof(map),
				 "{file: '%s', resource: orders, metric: NumberOfMessagesSent}",
				 file);
			snprintf(want, sizeof(want), "%s%s", file, c->expect);
		}
		write_scenario(dir, map, "");
		int st = check_scenario(dir, err, sizeof(err));
		char place[400];
		snprintf(place, sizeof(place), "%s/s.yaml:7:", dir);
		if (st != 2 || strncmp(err, place, strlen(place)) ||
		    !strstr(err, ": error: tenants.app.arrivals.observed.") ||
		    !strstr(err, want))
			fail_add(&f, "%s: status %d, wanted '%s', got: %s", c->file, st, want,
				 err);
	}
	/* Cohort mode cannot send an export's messages one by one. */
	write_scenario(dir, "{file: '" FIX "replay.json', id: sent, spread: exact}",
		       "    cohort: 10\n");
	int st = check_scenario(dir, err, sizeof(err));
	if (st != 2 || !strstr(err, "tenants.app.arrivals.observed.spread: spread exact sends every message of the export, which cohort mode cannot (cohort is 10)"))
		fail_add(&f, "cohort: status %d: %s", st, err);
	FAILS_CHECK(f);
	char cmd[400];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(help_names_the_observed_keys)
{
	char cmd[512];
	snprintf(cmd, sizeof(cmd),
		 "%s help | grep -A12 '^    observed ' | grep -q 'poisson: rate count/period'",
		 SPILLWAY_BIN);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

/* replay.json's series 'sent': counts per minute from 10:00 (10:05 has
 * no point, so none are sent then). */
static const double counts[10] = { 120, 0, 37, 250, 1, 0, 88, 300, 45, 200 };

/* Runs replay.yaml with the sets and sums the queue's NumberOfMessagesSent
 * samples by period (sample at 60 (k+1) s: period k) over replications. */
static void replay(const char *const *sets, size_t n_sets, double per[10],
		   size_t *replications, double *expected)
{
	struct diag d;
	diag_init(&d);
	struct scenario scn;
	int rc = scenario_load(&scn, FIX "replay.yaml", sets, n_sets, &spillway_registry, &d);
	diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	*expected = tenant_expected_messages(scn.tenants[0].config, scn.duration);
	FILE *ts = tmpfile();
	ck_assert(ts != NULL);
	struct sim_run_options opt = { .timeseries = ts };
	struct sim_outcome out;
	rc = sim_run_scenario(&scn, &opt, &d, &out);
	diag_print(&d, stderr);
	ck_assert_int_eq(rc, 0);
	*replications = (size_t)scn.replications;
	for (int i = 0; i < 10; i++)
		per[i] = 0;
	rewind(ts);
	char line[256];
	size_t rows = 0;
	while (fgets(line, sizeof(line), ts)) {
		double t, v;
		unsigned rep;
		char metric[64];
		if (sscanf(line, "%lf,%u,orders,%63[^,],%lf", &t, &rep, metric, &v) != 4 ||
		    strcmp(metric, "NumberOfMessagesSent"))
			continue;
		int k = (int)lround(t / 60) - 1;
		ck_assert_double_eq(t, 60.0 * (k + 1));
		if (k < 0) {
			ck_assert_double_eq(v, 0);
			continue;
		}
		ck_assert_int_lt(k, 10);
		per[k] += v;
		rows++;
	}
	ck_assert_uint_eq(rows, 10 * *replications);
	fclose(ts);
	harness_done(&scn, &out);
	diag_finish(&d);
}

START_TEST(exact_spread_gives_every_count_back)
{
	double per[10], expected;
	size_t reps;
	replay(NULL, 0, per, &reps, &expected);
	ck_assert_uint_eq(reps, 1);
	for (int k = 0; k < 10; k++)
		ck_assert_msg(per[k] == counts[k], "period %d: %g, not %g", k, per[k], counts[k]);
	ck_assert_double_eq_tol(expected, 1041, 1e-9);
	/* Three replications, the same every time. */
	const char *three[] = { "replications=3" };
	replay(three, 1, per, &reps, &expected);
	for (int k = 0; k < 10; k++)
		ck_assert_double_eq(per[k], 3 * counts[k]);
	/* A shorter horizon counts what falls in it: 120 + 0 + 37 + half of
	 * 250. */
	const char *shorter[] = { "duration=210s" };
	struct diag d;
	diag_init(&d);
	struct scenario scn;
	ck_assert_int_eq(scenario_load(&scn, FIX "replay.yaml", shorter, 1,
				       &spillway_registry, &d), 0);
	ck_assert_double_eq_tol(tenant_expected_messages(scn.tenants[0].config, scn.duration),
				282, 1e-9);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* |x - mean| within the 99% interval of a Poisson count of that mean
 * (normal approximation with continuity correction: every mean here is
 * 100 or more, or 0). */
static bool in_poisson_99(double x, double mean)
{
	return fabs(x - mean) <= 2.576 * sqrt(mean) + 0.5;
}

START_TEST(poisson_spread_within_noise)
{
	const char *sets[] = {
		"tenants.app.arrivals.observed.spread=poisson",
		"replications=20",
	};
	double per[10], expected;
	size_t reps;
	replay(sets, 2, per, &reps, &expected);
	ck_assert_uint_eq(reps, 20);
	ck_assert_double_eq_tol(expected, 1041, 1e-9);
	double total = 0;
	for (int k = 0; k < 10; k++) {
		double mean = 20 * counts[k];
		ck_assert_msg(in_poisson_99(per[k], mean), "period %d: %g, expected %g", k,
			      per[k], mean);
		if (counts[k] == 0)
			ck_assert_double_eq(per[k], 0);
		total += per[k];
	}
	ck_assert_msg(in_poisson_99(total, 20 * 1041.0), "total %g", total);
	ck_assert(total != 20 * 1041.0); /* not the exact spread */
}
END_TEST

START_TEST(cohorts_replay_at_a_tenth_of_the_rate)
{
	/* Cohorts of 10 to a fixed resource: about 104 cohorts a run. */
	char dir[] = "/tmp/spillway-observed-XXXXXX";
	ck_assert(mkdtemp(dir) != NULL);
	char path[300], text[1024];
	snprintf(path, sizeof(path), "%s/c.yaml", dir);
	snprintf(text, sizeof(text),
		 "name: c\nseed: 3\nduration: 600s\nwarmup: 0s\nreplications: 20\n"
		 "tenants:\n  app:\n    target: sink\n    cohort: 10\n"
		 "    arrivals: {observed: {file: '%sreplay.json', id: sent}}\n"
		 "resources:\n  sink:\n    type: fixed\n    service: Amazon EC2\n"
		 "    price_key: ec2.instance_hour\n",
		 FIX);
	harness_put(path, text);
	struct scenario scn;
	struct sim_outcome out;
	harness_run(path, NULL, 0, &scn, &out);
	ck_assert_double_eq_tol(tenant_expected_messages(scn.tenants[0].config, scn.duration),
				104.1, 1e-9);
	double sent = out.tenants[0].sent;
	ck_assert_msg(fmod(sent, 10) == 0, "%g", sent);
	ck_assert_msg(in_poisson_99(sent / 10, 20 * 104.1), "%g messages", sent);
	harness_done(&scn, &out);
	remove(path);
	remove(dir);
}
END_TEST

/* Found by fuzzing: a CSV export whose first line is empty (then a quoted
 * cell left open) made the CSV reader end a cell in a buffer it had not
 * made yet. Now refused as any header-less export is. */
START_TEST(empty_first_line_is_refused)
{
	char path[] = "/tmp/spillway-obs-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, "\n\" \n", 4), 4);
	close(fd);
	struct obs_set set;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(obs_load(&set, path, &d), -1);
	ck_assert_uint_ge(d.errors, 1);
	diag_finish(&d);
	remove(path);
}
END_TEST

/* Found by fuzzing: an entry with no point (CloudWatch's answer for a
 * metric without data) sorted a null array. A file of such entries only
 * is refused: it holds no data point. */
START_TEST(entry_without_points_is_an_empty_series)
{
	struct obs_set set;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(obs_load(&set, SOURCE_DIR "/tests/fixtures/observed/fuzz-empty-entry.json", &d), -1);
	ck_assert_uint_eq(d.errors, 1);
	ck_assert_ptr_nonnull(strstr(d.v[0].text, "holds no data points"));
	diag_finish(&d);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("observed");
	TCase *rd = tcase_create("observed:read");
	tcase_add_test(rd, json_pages_merge_in_time_order);
	tcase_add_test(rd, csv_groups_rows_into_series);
	tcase_add_test(rd, times_parse_and_format);
	tcase_add_test(rd, statistics_and_labels);
	suite_add_tcase(s, rd);
	TCase *bad = tcase_create("observed:errors");
	tcase_add_test(bad, bad_exports_exit_2_naming_file_and_entry);
	tcase_add_test(bad, help_names_the_observed_keys);
	tcase_add_test(bad, empty_first_line_is_refused);
	tcase_add_test(bad, entry_without_points_is_an_empty_series);
	tcase_set_timeout(bad, 300);
	suite_add_tcase(s, bad);
	TCase *rep = tcase_create("observed:replay");
	tcase_add_test(rep, exact_spread_gives_every_count_back);
	tcase_add_test(rep, poisson_spread_within_noise);
	tcase_add_test(rep, cohorts_replay_at_a_tenth_of_the_rate);
	suite_add_tcase(s, rep);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
