/* test_sqs.c - the SQS standard queue model, driven by hand.
 *
 * A test bed loads tests/fixtures/sqs-basic.yaml (a queue `work` with the
 * dead-letter queue `dlq`, and a tenant `app` of 1000-byte messages), makes
 * one replication the way sim/run.c does (create, link, start) but starts
 * no tenant, and runs scripted actions at chosen times as sim events: sends
 * (tenant_make_message, then the queue's accept), receives, deletes,
 * visibility changes, long polls. Every expectation is an exact value. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"
#include "tests/qbed.h"

#include "models/registry.h"
#include "models/sqs.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/run.h"
#include "sim/scenario.h"

#define FIXTURE "tests/fixtures/sqs-basic.yaml"
#define BAD_LINK "tests/fixtures/sqs-bad-link.yaml"

/* DeleteMessage of the message (id, receipt): whether it was deleted. */
static bool delete_msg(struct sqs *q, struct sim *s, uint32_t id, uint32_t receipt)
{
	const struct sqs_received m = { .id = id, .receipt = receipt };
	return sqs_delete(q, s, SQS_DELETE, &m, NULL, 1) == 1;
}

/* The tenant sends one message to m now (size from the fixture: 1000 B,
 * unless `size` is not 0). */
static void send_sized(struct bed *b, struct model *m, uint32_t size)
{
	bed_send(b, m, 0, size);
}

static void send(struct bed *b)
{
	send_sized(b, b->work_m, 0);
}

static const struct sim_tenant_stats *tenant(const struct bed *b)
{
	return &b->run.tstats[0];
}

/* sqs:receive --------------------------------------------------------------- */

/* Shared between a test's actions (each test runs in its own process). */
struct state {
	uint32_t id[8], receipt[8]; /* handles kept between actions */
	int checks;                 /* checking actions that ran */
};
static struct state st;

static void recv_two(struct bed *b)
{
	ck_assert_uint_eq(sqs_visible(b->work), 3);
	ck_assert_uint_eq(recv(b, b->work, 2, 0), 2);
	/* Oldest first, first receive. */
	ck_assert_int_eq(b->got[0].msg.sent_at, S(0));
	ck_assert_int_eq(b->got[1].msg.sent_at, S(1));
	ck_assert_uint_eq(b->got[0].receive_count, 1);
	ck_assert_uint_eq(b->got[1].msg.size, 1000);
	ck_assert_uint_ne(b->got[0].receipt, b->got[1].receipt);
	ck_assert_uint_eq(sqs_visible(b->work), 1);
	ck_assert_uint_eq(sqs_in_flight(b->work), 2);
	for (int i = 0; i < 2; i++)
		ck_assert(delete_msg(b->work, &b->run.sim, b->got[i].id,
				     b->got[i].receipt));
	/* A second delete of the same receipt is stale. */
	ck_assert(!delete_msg(b->work, &b->run.sim, b->got[0].id,
			      b->got[0].receipt));
	ck_assert_uint_eq(sqs_in_flight(b->work), 0);
}

static void recv_rest(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 1);
	ck_assert_int_eq(b->got[0].msg.sent_at, S(2));
	ck_assert(delete_msg(b->work, &b->run.sim, b->got[0].id, b->got[0].receipt));
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 0);
	sqs_count_empty_receive(b->work);
}

START_TEST(receive_oldest_first_and_delete)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	at(&b, S(0), send);
	at(&b, S(1), send);
	at(&b, S(2), send);
	at(&b, S(5), recv_two);
	at(&b, S(9), recv_rest);
	sim_run_until(&b.run.sim, S(100));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesSent"), 3);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 3);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesDeleted"), 3);
	ck_assert_double_eq(metric(&b, "work", "NumberOfEmptyReceives"), 1);
	ck_assert_double_eq(metric(&b, "work", "MaxNumberOfMessagesVisible"), 3);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesVisible"), 0);
	ck_assert_uint_eq(tenant(&b)->sent, 3);
	ck_assert_uint_eq(tenant(&b)->delivered, 3);
	/* Dwell: 5 s, 4 s and 7 s. */
	ck_assert_double_eq(tenant(&b)->dwell.max, 7);
	ck_assert_double_eq(tenant(&b)->dwell.min, 4);
	bed_close(&b);
}
END_TEST

static void send_four(struct bed *b)
{
	for (int i = 0; i < 4; i++)
		send(b);
}

static void recv_by_bytes(struct bed *b)
{
	/* 1000-byte messages: 2500 bytes hold two. */
	ck_assert_uint_eq(recv(b, b->work, 10, 2500), 2);
	/* A limit below one message still takes one. */
	ck_assert_uint_eq(recv(b, b->work, 10, 500), 1);
	/* Exactly one message's worth. */
	ck_assert_uint_eq(recv(b, b->work, 10, 1000), 1);
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(recv(b, b->work, 0, 0), 0);
}

START_TEST(receive_stops_at_max_bytes)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	at(&b, S(0), send_four);
	at(&b, S(1), recv_by_bytes);
	sim_run_until(&b.run.sim, S(2));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 4);
	bed_close(&b);
}
END_TEST

static void drain_backlog(struct bed *b)
{
	ck_assert_uint_eq(sqs_visible(b->work), 1000);
	for (int i = 0; i < 100; i++) {
		ck_assert_uint_eq(recv(b, b->work, 10, 0), 10);
		for (size_t k = 0; k < 10; k++) {
			ck_assert_int_eq(b->got[k].msg.sent_at, 0);
			ck_assert(delete_msg(b->work, &b->run.sim, b->got[k].id,
					     b->got[k].receipt));
		}
	}
}

START_TEST(initial_backlog_visible_at_zero)
{
	const char *sets[] = {
		"resources.work.initial_backlog={count: 1000, tenant: app}",
	};
	struct bed b;
	bed_open(&b, FIXTURE, sets, 1);
	/* Visible as soon as the queue has started. */
	ck_assert_uint_eq(sqs_visible(b.work), 1000);
	ck_assert_uint_eq(tenant(&b)->sent, 1000);
	ck_assert_double_eq(sampled(&b, b.work_m, "ApproximateNumberOfMessagesVisible"),
			    1000);
	at(&b, S(3), drain_backlog);
	sim_run_until(&b.run.sim, S(10));
	ck_assert(bed_finish(&b));
	/* Already waiting: not sent through SendMessage. */
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesSent"), 0);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesDeleted"), 1000);
	ck_assert_double_eq(metric(&b, "work", "MaxNumberOfMessagesVisible"), 1000);
	ck_assert_uint_eq(tenant(&b)->delivered, 1000);
	ck_assert_double_eq(tenant(&b)->dwell.max, 3);
	bed_close(&b);
}
END_TEST

/* A long-polling consumer: on wake it records the time, receives one
 * message if asked to, and waits again if asked to. */
struct poller {
	struct sqs_waiter w;    /* first: the wake callback casts back */
	struct bed *b;
	struct sqs *q;
	bool receive;
	bool rewait;
	sim_time_t stop_at;     /* from then on a wake does nothing */
	int wakes;
	sim_time_t woke[8];
	int n_recv;
	uint32_t counts[8];     /* receive counts seen */
	sim_time_t recv_at[8];
};

static void poller_wake(struct sqs_waiter *w, struct sim *s)
{
	struct poller *p = (struct poller *)w;
	ck_assert(!w->waiting);
	if (p->wakes < 8)
		p->woke[p->wakes] = s->now;
	p->wakes++;
	if (s->now >= p->stop_at)
		return;
	if (p->receive) {
		struct sqs_received r;
		if (sqs_receive(p->q, s, &r, 1, 0) && p->n_recv < 8) {
			p->counts[p->n_recv] = r.receive_count;
			p->recv_at[p->n_recv++] = s->now;
		}
	}
	if (p->rewait)
		sqs_wait(p->q, s, w);
}

static struct poller pa, pb, pc;

static void poller_init(struct poller *p, struct bed *b, struct sqs *q,
			bool receive, bool rewait)
{
	*p = (struct poller){ .w = { .wake = poller_wake }, .b = b, .q = q,
			      .receive = receive, .rewait = rewait,
			      .stop_at = SIM_TIME_MAX };
}

static void wait_ab(struct bed *b)
{
	sqs_wait(b->work, &b->run.sim, &pa.w);
	sqs_wait(b->work, &b->run.sim, &pb.w);
	sqs_wait(b->work, &b->run.sim, &pc.w);
	ck_assert(pa.w.waiting && pb.w.waiting && pc.w.waiting);
	/* c gives up; it is never woken. */
	sqs_unwait(b->work, &pc.w);
	sqs_unwait(b->work, &pc.w);
	ck_assert(!pc.w.waiting);
}

static void check_one_woken(struct bed *b)
{
	(void)b;
	/* One message, one waiter: a (first to wait) took it. */
	ck_assert_int_eq(pa.wakes, 1);
	ck_assert_int_eq(pa.woke[0], S(7) + 500 * SIM_MS);
	ck_assert_int_eq(pa.n_recv, 1);
	ck_assert_int_eq(pb.wakes, 0);
	ck_assert(pb.w.waiting);
}

static void wait_on_visible(struct bed *b)
{
	/* A message is visible: woken at once, not linked. */
	sqs_wait(b->work, &b->run.sim, &pa.w);
	ck_assert(!pa.w.waiting);
}

START_TEST(long_poll_woken_at_send_time)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	poller_init(&pa, &b, b.work, true, false);
	poller_init(&pb, &b, b.work, true, false);
	poller_init(&pc, &b, b.work, true, false);
	at(&b, S(1), wait_ab);
	at(&b, S(7) + 500 * SIM_MS, send);
	at(&b, S(8), check_one_woken);
	at(&b, S(9), send);
	at(&b, S(10), send);
	at(&b, S(11), wait_on_visible);
	sim_run_until(&b.run.sim, S(20));
	ck_assert_int_eq(pb.wakes, 1);
	ck_assert_int_eq(pb.woke[0], S(9));
	ck_assert_int_eq(pa.wakes, 2);
	ck_assert_int_eq(pa.woke[1], S(11));
	ck_assert_int_eq(pa.n_recv, 2);
	ck_assert_int_eq(pc.wakes, 0);
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 3);
	bed_close(&b);
}
END_TEST

/* sqs:visibility ------------------------------------------------------------ */

static void vis_check_before(struct bed *b)
{
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(sqs_in_flight(b->work), 1);
	st.checks++;
}

static void vis_check_after(struct bed *b)
{
	/* Back at exactly receive time + 30 s; received again. */
	ck_assert_uint_eq(sqs_visible(b->work), 1);
	ck_assert_uint_eq(sqs_in_flight(b->work), 0);
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert_uint_eq(b->got[0].receive_count, 2);
	ck_assert_uint_eq(b->got[0].id, st.id[0]);
	ck_assert_uint_ne(b->got[0].receipt, st.receipt[0]);
	/* The first receive's handle is stale now. */
	ck_assert(!delete_msg(b->work, &b->run.sim, st.id[0], st.receipt[0]));
	ck_assert(!sqs_change_visibility(b->work, &b->run.sim, st.id[0],
					 st.receipt[0], 0));
	ck_assert(delete_msg(b->work, &b->run.sim, b->got[0].id, b->got[0].receipt));
	st.checks++;
}

static void vis_receive(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert_uint_eq(b->got[0].receive_count, 1);
	st.id[0] = b->got[0].id;
	st.receipt[0] = b->got[0].receipt;
	ck_assert_int_eq(sqs_visibility_timeout(b->work), S(30));
	/* Scheduled now, so they run after the deadline timer of t = 40 s. */
	at(b, S(40) - 1, vis_check_before);
	at(b, S(40), vis_check_after);
}

START_TEST(visibility_returns_after_timeout)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	st = (struct state){ 0 };
	at(&b, S(0), send);
	at(&b, S(10), vis_receive);
	sim_run_until(&b.run.sim, S(100));
	ck_assert_int_eq(st.checks, 2);
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 2);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesDeleted"), 1);
	bed_close(&b);
}
END_TEST

static void cv_receive(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 2, 0), 2);
	for (int i = 0; i < 2; i++) {
		st.id[i] = b->got[i].id;
		st.receipt[i] = b->got[i].receipt;
	}
	/* Message 0 back at once; message 1 for 100 s from now. */
	ck_assert(sqs_change_visibility(b->work, &b->run.sim, st.id[0],
					st.receipt[0], 0));
	ck_assert_uint_eq(sqs_visible(b->work), 1);
	ck_assert_uint_eq(sqs_in_flight(b->work), 1);
	ck_assert(!delete_msg(b->work, &b->run.sim, st.id[0], st.receipt[0]));
	ck_assert(sqs_change_visibility(b->work, &b->run.sim, st.id[1],
					st.receipt[1], S(100)));
	/* A bad id is stale too. */
	ck_assert(!sqs_change_visibility(b->work, &b->run.sim, 123456, 1, 0));
	ck_assert(!delete_msg(b->work, &b->run.sim, 123456, 1));
}

static void cv_at_old_deadline(struct bed *b)
{
	/* 30 s after the receive: message 1 stays invisible. */
	ck_assert_uint_eq(sqs_in_flight(b->work), 1);
	st.checks++;
}

static void cv_shorten(struct bed *b)
{
	/* Shorten to 5 s from now; still the same receipt. */
	ck_assert(sqs_change_visibility(b->work, &b->run.sim, st.id[1],
					st.receipt[1], S(5)));
}

static void cv_before(struct bed *b)
{
	ck_assert_uint_eq(sqs_in_flight(b->work), 1);
	st.checks++;
}

static void cv_after(struct bed *b)
{
	ck_assert_uint_eq(sqs_in_flight(b->work), 0);
	ck_assert_uint_eq(sqs_visible(b->work), 2);
	st.checks++;
}

static void cv_extend_then_delete(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	uint32_t id = b->got[0].id, r = b->got[0].receipt;
	ck_assert(sqs_change_visibility(b->work, &b->run.sim, id, r, S(60)));
	ck_assert(delete_msg(b->work, &b->run.sim, id, r));
	ck_assert(!sqs_change_visibility(b->work, &b->run.sim, id, r, S(1)));
	st.checks++;
}

START_TEST(change_visibility)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	st = (struct state){ 0 };
	at(&b, S(0), send);
	at(&b, S(0), send);
	at(&b, S(1), cv_receive);
	at(&b, S(31) + 1, cv_at_old_deadline);
	at(&b, S(50), cv_shorten);
	at(&b, S(55) - 1, cv_before);
	at(&b, S(55) + 1, cv_after);
	at(&b, S(60), cv_extend_then_delete);
	sim_run_until(&b.run.sim, S(200));
	ck_assert_int_eq(st.checks, 4);
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesVisible"), 1);
	bed_close(&b);
}
END_TEST

/* ApproximateAgeOfOldestMessage follows the oldest visible sent_at, also
 * when returned messages sit behind younger ones. */
static void age_step(struct bed *b)
{
	switch (st.checks++) {
	case 0: /* t = 6: m0..m5 sent at 0..5; receive m0, m1, m2 */
		ck_assert_uint_eq(recv(b, b->work, 3, 0), 3);
		for (int i = 0; i < 3; i++) {
			st.id[i] = b->got[i].id;
			st.receipt[i] = b->got[i].receipt;
		}
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 3);
		/* m1 back behind m3..m5: it is the oldest. */
		ck_assert(sqs_change_visibility(b->work, &b->run.sim, st.id[1],
						st.receipt[1], 0));
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 5);
		break;
	case 1: /* t = 9, m6 and m7 sent at 7 and 8; m2 back behind them */
		ck_assert(sqs_change_visibility(b->work, &b->run.sim, st.id[2],
						st.receipt[2], 0));
		ck_assert_uint_eq(sqs_visible(b->work), 7);
		/* Ring m3 m4 m5 m1 m6 m7 m2: oldest m1. */
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 8);
		ck_assert_uint_eq(recv(b, b->work, 4, 0), 4);
		ck_assert_int_eq(b->got[3].msg.sent_at, S(1));
		/* m6 m7 m2 left: m2 (sent at 2) is the oldest. */
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 7);
		ck_assert_uint_eq(recv(b, b->work, 2, 0), 2);
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 7);
		ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
		ck_assert_int_eq(b->got[0].msg.sent_at, S(2));
		ck_assert_double_eq(sampled(b, b->work_m, "ApproximateAgeOfOldestMessage"), 0);
		break;
	}
}

START_TEST(age_of_oldest_message)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	st = (struct state){ 0 };
	for (int i = 0; i < 6; i++)
		at(&b, S(i), send);
	at(&b, S(6), age_step);
	at(&b, S(7), send);
	at(&b, S(8), send);
	at(&b, S(9), age_step);
	sim_run_until(&b.run.sim, S(10));
	ck_assert_int_eq(st.checks, 2);
	ck_assert(bed_finish(&b));
	bed_close(&b);
}
END_TEST

/* sqs:redrive --------------------------------------------------------------- */

static void redrive_start(struct bed *b)
{
	sqs_wait(b->work, &b->run.sim, &pa.w);
	send(b);
}

static void redrive_check(struct bed *b)
{
	/* Received at 0, 30 and 60 s; moved at 90 s. */
	ck_assert_int_eq(pa.n_recv, 3);
	for (int i = 0; i < 3; i++) {
		ck_assert_uint_eq(pa.counts[i], (uint32_t)i + 1);
		ck_assert_int_eq(pa.recv_at[i], S(30) * i);
	}
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(sqs_in_flight(b->work), 0);
	ck_assert_uint_eq(sqs_visible(b->dlq), 1);
	ck_assert_uint_eq(recv(b, b->dlq, 10, 0), 1);
	/* The original message, a first receive in the dead-letter queue. */
	ck_assert_uint_eq(b->got[0].receive_count, 1);
	ck_assert_int_eq(b->got[0].msg.sent_at, 0);
	ck_assert_uint_eq(b->got[0].msg.tenant, 0);
	ck_assert_uint_eq(b->got[0].msg.size, 1000);
}

START_TEST(dead_letter_after_max_receives)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	poller_init(&pa, &b, b.work, true, true);
	at(&b, S(0), redrive_start);
	at(&b, S(100), redrive_check);
	sim_run_until(&b.run.sim, S(200));
	ck_assert(pa.w.waiting);
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 3);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesMovedToDLQ"), 1);
	ck_assert_double_eq(metric(&b, "dlq", "NumberOfMessagesSent"), 0);
	ck_assert_double_eq(metric(&b, "dlq", "NumberOfMessagesReceived"), 1);
	/* Received at 100 s, back at 130 s: no dead-letter queue of its own. */
	ck_assert_double_eq(metric(&b, "dlq", "ApproximateNumberOfMessagesVisible"), 1);
	ck_assert_uint_eq(tenant(&b)->dead_lettered, 1);
	ck_assert_uint_eq(tenant(&b)->delivered, 0);
	bed_close(&b);
}
END_TEST

static void cv0_cycle(struct bed *b)
{
	/* Fail fast three times: ChangeMessageVisibility 0 is the deadline
	 * passing now, so the third hands it to the dead-letter queue. */
	for (uint32_t i = 1; i <= 3; i++) {
		ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
		ck_assert_uint_eq(b->got[0].receive_count, i);
		ck_assert(sqs_change_visibility(b->work, &b->run.sim, b->got[0].id,
						b->got[0].receipt, 0));
	}
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(sqs_visible(b->dlq), 1);
}

START_TEST(dead_letter_on_immediate_return)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	at(&b, S(0), send);
	at(&b, S(1), cv0_cycle);
	sim_run_until(&b.run.sim, S(2));
	ck_assert(bed_finish(&b));
	ck_assert_uint_eq(tenant(&b)->dead_lettered, 1);
	bed_close(&b);
}
END_TEST

START_TEST(link_errors)
{
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, BAD_LINK, NULL, 0, &spillway_registry, &d),
			 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
	static const char *const want[] = {
		BAD_LINK ":12:27: error: resources.work.dead_letter.target: 'desk' is a station, not an sqs queue",
		BAD_LINK ":13:41: error: resources.work.initial_backlog.tenant: no tenant named 'ap' (did you mean 'app'?)",
		BAD_LINK ":16:27: error: resources.self.dead_letter.target: a queue cannot be its own dead-letter queue",
		BAD_LINK ":19:27: error: resources.lost.dead_letter.target: no resource named 'wrok' (did you mean 'work'?)",
	};
	ck_assert_uint_eq(d.n, 4);
	for (size_t i = 0; i < 4; i++)
		ck_assert_str_eq(d.v[i].text, want[i]);
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* Dead-letter queues that lead back to their source through others are
 * refused like a queue that is its own (two and three queues were
 * accepted), once per cycle, naming its queues. */
START_TEST(dead_letter_cycles_refused)
{
	static const struct {
		const char *path, *want;
	} v[] = {
		{ "tests/fixtures/bad/cycle-dlq-pair.yaml",
		  "tests/fixtures/bad/cycle-dlq-pair.yaml:9:27: error: resources.orders.dead_letter.target: "
		  "the dead-letter queues form a cycle (orders -> retries -> orders); a queue cannot be "
		  "its own dead-letter queue, even through others" },
		{ "tests/fixtures/bad/cycle-dlq-three.yaml",
		  "tests/fixtures/bad/cycle-dlq-three.yaml:12:27: error: resources.a.dead_letter.target: "
		  "the dead-letter queues form a cycle (a -> b -> c -> a); a queue cannot be "
		  "its own dead-letter queue, even through others" },
	};
	for (size_t i = 0; i < 2; i++) {
		struct scenario scn;
		struct diag d;
		diag_init(&d);
		ck_assert_int_eq(scenario_load(&scn, v[i].path, NULL, 0, &spillway_registry, &d), 0);
		struct sim_run_options opt = { .link_only = true };
		struct sim_outcome out;
		ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), SIM_RUN_LINK_ERROR);
		ck_assert_uint_eq(d.n, 1);
		ck_assert_str_eq(d.v[0].text, v[i].want);
		sim_outcome_finish(&out);
		scenario_finish(&scn);
		diag_finish(&d);
	}
	/* A chain without a cycle is fine: intake -> a -> b -> c -> d. */
	const char *sets[] = { "resources.d={type: sqs}", "resources.c.dead_letter.target=d" };
	struct scenario scn;
	struct diag d;
	diag_init(&d);
	ck_assert_int_eq(scenario_load(&scn, v[1].path, sets, 2, &spillway_registry, &d), 0);
	struct sim_run_options opt = { .link_only = true };
	struct sim_outcome out;
	ck_assert_int_eq(sim_run_scenario(&scn, &opt, &d, &out), 0);
	ck_assert_uint_eq(d.errors, 0);
	sim_outcome_finish(&out);
	scenario_finish(&scn);
	diag_finish(&d);
}
END_TEST

/* sqs:retention ------------------------------------------------------------- */

START_TEST(expiry_without_consumer)
{
	/* The tenant sends 10/s (at 0.1 s, 0.2 s, ...) for 100 s into a queue
	 * with 60 s retention and no consumer: those sent up to 40 s (400)
	 * expire by 100 s, and the 5 waiting at 0 s at 60 s. */
	const char *sets[] = {
		"resources.work.message_retention=60s",
		"resources.work.initial_backlog={count: 5, tenant: app}",
		"replications=2",
	};
	struct scenario scn;
	struct sim_outcome out;
	harness_run(FIXTURE, sets, 3, &scn, &out);
	const struct sim_metric *m;
	m = sim_results_find(&out.results, "work", "NumberOfMessagesExpired");
	ck_assert_double_eq(m->values[0], 405);
	ck_assert_double_eq(m->values[1], 405);
	m = sim_results_find(&out.results, "work", "ApproximateNumberOfMessagesVisible");
	ck_assert_double_eq(m->values[0], 600);
	m = sim_results_find(&out.results, "work", "MaxNumberOfMessagesVisible");
	ck_assert_double_eq(m->values[0], 604);
	ck_assert_uint_eq(out.tenants[0].expired, 810);
	ck_assert_uint_eq(out.tenants[0].sent, 2010);
	harness_done(&scn, &out);
}
END_TEST

static void ret_receive(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert_uint_eq(sqs_visible(b->work), 1);
}

static void ret_check(struct bed *b)
{
	/* At 60 s the visible one expired; the in-flight one waits for its
	 * deadline (70 s) and is dropped then instead of coming back. */
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(sqs_in_flight(b->work), 1);
	ck_assert_uint_eq(tenant(b)->expired, 1);
}

START_TEST(expiry_in_flight_and_delayed)
{
	const char *sets[] = {
		"resources.work.message_retention=60s",
		"resources.work.visibility_timeout=50s",
	};
	struct bed b;
	bed_open(&b, FIXTURE, sets, 2);
	at(&b, S(0), send);
	at(&b, S(0), send);
	at(&b, S(20), ret_receive);
	at(&b, S(65), ret_check);
	sim_run_until(&b.run.sim, S(100));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesExpired"), 2);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesNotVisible"), 0);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesVisible"), 0);
	ck_assert_uint_eq(tenant(&b)->expired, 2);
	bed_close(&b);

	/* Retention shorter than the delay: it expires instead of appearing. */
	const char *delayed[] = {
		"resources.work.message_retention=60s",
		"resources.work.delay=15m",
	};
	bed_open(&b, FIXTURE, delayed, 2);
	at(&b, S(0), send);
	sim_run_until(&b.run.sim, S(1000));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesExpired"), 1);
	ck_assert_double_eq(metric(&b, "work", "MaxNumberOfMessagesVisible"), 0);
	bed_close(&b);
}
END_TEST

static void rh_receive(struct bed *b)
{
	/* t = 1: A (sent at 0) taken and deleted; the retention timer stays
	 * due at 60 s (A's expiry). */
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert(delete_msg(b->work, &b->run.sim, b->got[0].id, b->got[0].receipt));
}

static void rh_take_x(struct bed *b)
{
	/* t = 15: X (sent at 10) in flight until 65. */
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert_int_eq(b->got[0].msg.sent_at, S(10));
	ck_assert(sqs_change_visibility(b->work, &b->run.sim, b->got[0].id,
					b->got[0].receipt, S(50)));
}

static void rh_take_h(struct bed *b)
{
	/* t = 61: H (sent at 20) taken; the retention timer, re-armed for H
	 * at 60 s, stays due at 80 s with the ring empty. */
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 1);
	ck_assert_int_eq(b->got[0].msg.sent_at, S(20));
	ck_assert_uint_eq(sqs_visible(b->work), 0);
}

static void rh_check(struct bed *b)
{
	/* X came back at 65 s as the only visible message and expired at
	 * 70 s, not when the timer left for H would have fired. */
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(tenant(b)->expired, 1);
	st.checks++;
}

/* A message that returns into an empty ring is the head: the retention
 * timer moves to its expiry if that is earlier. */
START_TEST(expiry_of_returned_head)
{
	const char *sets[] = { "resources.work.message_retention=60s" };
	struct bed b;
	bed_open(&b, FIXTURE, sets, 1);
	st = (struct state){ 0 };
	at(&b, S(0), send);
	at(&b, S(1), rh_receive);
	at(&b, S(10), send);
	at(&b, S(15), rh_take_x);
	at(&b, S(20), send);
	at(&b, S(61), rh_take_h);
	at(&b, S(70) + 1, rh_check);
	sim_run_until(&b.run.sim, S(75));
	ck_assert_int_eq(st.checks, 1);
	ck_assert(bed_finish(&b));
	bed_close(&b);
}
END_TEST

/* sqs:delay ----------------------------------------------------------------- */

static void delay_wait(struct bed *b)
{
	sqs_wait(b->work, &b->run.sim, &pa.w);
}

static void delay_before(struct bed *b)
{
	ck_assert_uint_eq(sqs_visible(b->work), 0);
	ck_assert_uint_eq(sqs_delayed(b->work), 2);
	ck_assert_double_eq(sampled(b, b->work_m, "ApproximateNumberOfMessagesDelayed"), 2);
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 0);
	st.checks++;
}

START_TEST(delay_hides_new_messages)
{
	const char *sets[] = { "resources.work.delay=10s" };
	struct bed b;
	bed_open(&b, FIXTURE, sets, 1);
	st = (struct state){ 0 };
	poller_init(&pa, &b, b.work, true, true);
	at(&b, S(0), delay_wait);
	at(&b, S(1), send);
	at(&b, S(2), send);
	at(&b, S(11) - 1, delay_before);
	sim_run_until(&b.run.sim, S(30));
	ck_assert_int_eq(st.checks, 1);
	/* Woken when each delay ended. */
	ck_assert_int_eq(pa.n_recv, 2);
	ck_assert_int_eq(pa.recv_at[0], S(11));
	ck_assert_int_eq(pa.recv_at[1], S(12));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesSent"), 2);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesDelayed"), 0);
	bed_close(&b);
}
END_TEST

/* sqs:limits ---------------------------------------------------------------- */

static void send_sizes(struct bed *b)
{
	send_sized(b, b->work_m, 1024);
	send_sized(b, b->work_m, 1025);
}

START_TEST(oversize_rejected)
{
	const char *sets[] = { "resources.work.max_message_size=1KiB" };
	struct bed b;
	bed_open(&b, FIXTURE, sets, 1);
	at(&b, S(1), send_sizes);
	sim_run_until(&b.run.sim, S(2));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesRejected"), 1);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesSent"), 1);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesVisible"), 1);
	ck_assert_uint_eq(tenant(&b)->rejected, 1);
	ck_assert_uint_eq(tenant(&b)->sent, 2);
	bed_close(&b);
}
END_TEST

static void fill_in_flight(struct bed *b)
{
	ck_assert_uint_eq(recv(b, b->work, 5, 0), 5);
	uint32_t id = b->got[4].id, receipt = b->got[4].receipt;
	for (int i = 0; i < 11999; i++)
		ck_assert_uint_eq(recv(b, b->work, 10, 0), 10);
	ck_assert_uint_eq(sqs_in_flight(b->work), 119995);
	/* Five more reach the limit: a short batch, not OverLimit. */
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 5);
	ck_assert_uint_eq(sqs_in_flight(b->work), SQS_MAX_IN_FLIGHT);
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 0);
	ck_assert_uint_eq(recv(b, b->work, 1, 0), 0);
	/* One deleted frees one place. */
	ck_assert(delete_msg(b->work, &b->run.sim, id, receipt));
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 1);
	ck_assert_uint_eq(sqs_in_flight(b->work), SQS_MAX_IN_FLIGHT);
}

START_TEST(in_flight_limit)
{
	const char *sets[] = {
		"resources.work.initial_backlog={count: 120010, tenant: app}",
	};
	struct bed b;
	bed_open(&b, FIXTURE, sets, 1);
	at(&b, S(1), fill_in_flight);
	sim_run_until(&b.run.sim, S(2));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "OverLimit"), 2);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesReceived"), 120001);
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesDeleted"), 1);
	ck_assert_double_eq(metric(&b, "work", "ApproximateNumberOfMessagesVisible"), 9);
	bed_close(&b);
}
END_TEST

/* sqs:conservation ---------------------------------------------------------- */

/* A seeded mix of every operation, both queues. */
struct held {
	struct sqs *q;
	uint32_t id, receipt;
};

static struct mix_state {
	uint64_t x;               /* LCG state */
	struct held h[4096];      /* receipts a consumer holds (some stale) */
	size_t n;
	unsigned stale, steps;
	bool warmup;              /* restart the statistics half way */
} mix;

static uint32_t rnd(uint32_t n)
{
	mix.x = mix.x * 6364136223846793005ull + 1442695040888963407ull;
	return (uint32_t)((mix.x >> 33) % n);
}

static void hold(struct bed *b, struct sqs *q, size_t n)
{
	for (size_t i = 0; i < n && mix.n < 4096; i++)
		mix.h[mix.n++] = (struct held){ q, b->got[i].id, b->got[i].receipt };
}

static void mix_step(struct bed *b)
{
	struct sim *s = &b->run.sim;
	switch (rnd(8)) {
	case 0:
	case 1: {
		uint32_t k = 1 + rnd(3);
		for (uint32_t i = 0; i < k; i++)
			send_sized(b, b->work_m, 100 + rnd(2200));
		break;
	}
	case 2:
		hold(b, b->work, recv(b, b->work, 1 + rnd(10), rnd(2) ? 0 : 3000));
		if (!b->n_got)
			sqs_count_empty_receive(b->work);
		break;
	case 3:
		hold(b, b->dlq, recv(b, b->dlq, 1 + rnd(4), 0));
		break;
	case 4:
	case 5:
		if (mix.n) {
			/* Mostly a recent receive, still current. */
			size_t i = mix.n - 1 - rnd(mix.n < 20 ? (uint32_t)mix.n : 20);
			struct held h = mix.h[i];
			if (!delete_msg(h.q, s, h.id, h.receipt))
				mix.stale++;
			/* Sometimes keep the handle, to try it again stale. */
			if (rnd(4))
				mix.h[i] = mix.h[--mix.n];
		}
		break;
	case 6:
		if (mix.n) {
			struct held h = mix.h[rnd((uint32_t)mix.n)];
			static const sim_time_t t[] = { 0, 1 * SIM_S, 10 * SIM_S };
			if (!sqs_change_visibility(h.q, s, h.id, h.receipt, t[rnd(3)]))
				mix.stale++;
		}
		break;
	case 7:
		if (mix.n > 2000)
			mix.n = 0; /* the consumer forgets: they time out */
		break;
	}
	/* A burst the consumers take far longer than the retention to drain. */
	if (s->now == 600 * SIM_S)
		for (int i = 0; i < 2000; i++)
			send_sized(b, b->work_m, 1000);
	if (mix.warmup && s->now == 500 * SIM_S) {
		b->work_m->ops->restart(b->work_m, s);
		b->dlq_m->ops->restart(b->dlq_m, s);
	}
	if (++mix.steps < 10000)
		at_again(b, s->now + 100 * SIM_MS, 0);
}

static void conservation_run(bool warmup)
{
	const char *sets[] = {
		"resources.work.visibility_timeout=5s",
		"resources.work.message_retention=60s",
		"resources.work.delay=2s",
		"resources.work.max_message_size=2KiB",
		"resources.work.dead_letter.max_receive_count=2",
		"resources.work.initial_backlog={count: 50, tenant: app}",
		"resources.dlq.visibility_timeout=3s",
		"resources.dlq.message_retention=90s",
	};
	struct bed b;
	bed_open(&b, FIXTURE, sets, 8);
	mix = (struct mix_state){ .x = 42, .warmup = warmup };
	/* A long poller that never deletes (its messages time out, come back
	 * and end in the dead-letter queue) until it stops at 200 s. */
	poller_init(&pa, &b, b.work, true, true);
	pa.stop_at = S(200);
	sqs_wait(b.work, &b.run.sim, &pa.w);
	at(&b, 0, mix_step); /* action 0: re-scheduled by itself */
	sim_run_until(&b.run.sim, S(1000));
	ck_assert_uint_eq(mix.steps, 10000);
	ck_assert(bed_finish(&b));
	if (warmup) {
		bed_close(&b);
		return;
	}
	/* Every path was taken. */
	double sent = metric(&b, "work", "NumberOfMessagesSent");
	double moved = metric(&b, "work", "NumberOfMessagesMovedToDLQ");
	ck_assert(metric(&b, "work", "NumberOfMessagesDeleted") > 0);
	ck_assert(moved > 0);
	ck_assert(metric(&b, "work", "NumberOfMessagesExpired") > 0);
	ck_assert(metric(&b, "dlq", "NumberOfMessagesExpired") > 0);
	ck_assert(metric(&b, "dlq", "NumberOfMessagesDeleted") > 0);
	ck_assert(metric(&b, "work", "NumberOfMessagesRejected") > 0);
	ck_assert(metric(&b, "work", "NumberOfEmptyReceives") > 0);
	ck_assert(mix.stale > 0);
	ck_assert(metric(&b, "work", "ApproximateNumberOfMessagesVisible") > 0);
	ck_assert(metric(&b, "work", "ApproximateNumberOfMessagesNotVisible") > 0);
	ck_assert(metric(&b, "work", "ApproximateNumberOfMessagesDelayed") > 0);
	/* The same balance from the outside, per queue and per tenant. */
	static const char *const out_of[] = {
		"NumberOfMessagesDeleted", "NumberOfMessagesMovedToDLQ",
		"NumberOfMessagesExpired", "ApproximateNumberOfMessagesVisible",
		"ApproximateNumberOfMessagesNotVisible",
		"ApproximateNumberOfMessagesDelayed",
	};
	double w = 0, d = 0;
	for (size_t i = 0; i < 6; i++) {
		w += metric(&b, "work", out_of[i]);
		d += metric(&b, "dlq", out_of[i]);
	}
	ck_assert_double_eq(sent + 50, w);
	ck_assert_double_eq(moved, d);
	const struct sim_tenant_stats *t = tenant(&b);
	ck_assert_double_eq((double)t->sent,
			    sent + 50 + metric(&b, "work", "NumberOfMessagesRejected"));
	ck_assert_double_eq((double)t->delivered,
			    metric(&b, "work", "NumberOfMessagesDeleted") +
				    metric(&b, "dlq", "NumberOfMessagesDeleted"));
	ck_assert_double_eq((double)t->dead_lettered, moved);
	ck_assert_double_eq((double)t->expired,
			    metric(&b, "work", "NumberOfMessagesExpired") +
				    metric(&b, "dlq", "NumberOfMessagesExpired"));
	bed_close(&b);
}

START_TEST(conservation_random_mix)
{
	conservation_run(false);
	/* Restarting the statistics does not disturb the lifetime balance. */
	conservation_run(true);
}
END_TEST

START_TEST(conservation_through_the_driver)
{
	/* A whole run with a warm-up, a delay and a dead-letter queue: the
	 * check in finish passes (harness_run asserts a clean run). */
	const char *sets[] = {
		"warmup=30s",
		"resources.work.delay=5s",
		"resources.work.message_retention=60s",
		"resources.work.initial_backlog={count: 100, tenant: app}",
		"replications=3",
	};
	struct scenario scn;
	struct sim_outcome out;
	harness_run(FIXTURE, sets, 5, &scn, &out);
	/* Sends in [30 s, 100 s]: 701; expired in the window: sent in
	 * [0 s, 40 s] plus the backlog, 400 + 100. */
	const struct sim_metric *m;
	m = sim_results_find(&out.results, "work", "NumberOfMessagesSent");
	ck_assert_double_eq(m->values[2], 701);
	m = sim_results_find(&out.results, "work", "NumberOfMessagesExpired");
	ck_assert_double_eq(m->values[2], 500);
	m = sim_results_find(&out.results, "work", "ApproximateNumberOfMessagesDelayed");
	ck_assert_double_eq(m->values[2], 50);
	harness_done(&scn, &out);
}
END_TEST

/* The dispositions of a delete: each counts in NumberOfMessagesDeleted;
 * only SQS_DELETE is the tenant's delivery; SQS_REMOVE is not billed; a
 * batch is billed one request per 10; a stale receipt is billed but not
 * deleted. */
static void delete_each_way(struct bed *b)
{
	struct sim *s = &b->run.sim;
	for (int i = 0; i < 5; i++)
		send(b);
	ck_assert_uint_eq(recv(b, b->work, 10, 0), 5);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_DELETE, &b->got[0], NULL, 1), 1);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_HAND_OFF, &b->got[1], NULL, 1), 1);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_REMOVE, &b->got[2], NULL, 1), 1);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_HAND_OFF, &b->got[3], NULL, 2), 2);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_DELETE, &b->got[0], NULL, 1), 0);
	ck_assert_uint_eq(sqs_delete(b->work, s, SQS_REMOVE, &b->got[1], NULL, 1), 0);
}

START_TEST(delete_dispositions)
{
	struct bed b;
	bed_open(&b, FIXTURE, NULL, 0);
	at(&b, S(1), delete_each_way);
	sim_run_until(&b.run.sim, S(100));
	ck_assert(bed_finish(&b));
	ck_assert_double_eq(metric(&b, "work", "NumberOfMessagesDeleted"), 5);
	/* 5 sends, 1 receive, deletes 1 + 1 + 0 + 1 (the batch of two) + 1
	 * (stale) + 0 (stale remove). */
	ck_assert_double_eq(metric(&b, "work", "Requests"), 5 + 1 + 4);
	ck_assert_uint_eq(tenant(&b)->sent, 5);
	ck_assert_uint_eq(tenant(&b)->delivered, 1);
	bed_close(&b);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("sqs");
	TCase *tc = tcase_create("sqs:receive");
	tcase_add_test(tc, receive_oldest_first_and_delete);
	tcase_add_test(tc, receive_stops_at_max_bytes);
	tcase_add_test(tc, initial_backlog_visible_at_zero);
	tcase_add_test(tc, long_poll_woken_at_send_time);
	tcase_add_test(tc, delete_dispositions);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:visibility");
	tcase_add_test(tc, visibility_returns_after_timeout);
	tcase_add_test(tc, change_visibility);
	tcase_add_test(tc, age_of_oldest_message);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:redrive");
	tcase_add_test(tc, dead_letter_after_max_receives);
	tcase_add_test(tc, dead_letter_on_immediate_return);
	tcase_add_test(tc, link_errors);
	tcase_add_test(tc, dead_letter_cycles_refused);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:retention");
	tcase_add_test(tc, expiry_without_consumer);
	tcase_add_test(tc, expiry_in_flight_and_delayed);
	tcase_add_test(tc, expiry_of_returned_head);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:delay");
	tcase_add_test(tc, delay_hides_new_messages);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:limits");
	tcase_add_test(tc, oversize_rejected);
	tcase_add_test(tc, in_flight_limit);
	suite_add_tcase(s, tc);
	tc = tcase_create("sqs:conservation");
	tcase_add_test(tc, conservation_random_mix);
	tcase_add_test(tc, conservation_through_the_driver);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return harness_main(suite());
}
