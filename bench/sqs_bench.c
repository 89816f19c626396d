/* sqs_bench.c - memory per waiting message and speed of the sqs model.
 *
 * Not a test: it prints figures. Built as build/bench_sqs; run it from
 * anywhere (it writes its scenario to a temporary file):
 *
 *   build/bench_sqs [N]        N messages, default 1000000
 *
 * It measures, on one queue driven by direct calls (no consumer model):
 *  1. resident memory added by N sends (the pool and the ring grown by
 *     doubling, as a real run grows them),
 *  2. resident memory added by an initial_backlog of N messages (the pool
 *     and the ring sized exactly),
 *  3. the time to send N messages, then receive them 10 at a time and
 *     delete each, and the time for N messages in steady state (send 10,
 *     receive 10, delete 10).
 * Resident memory is read from /proc/self/statm, so the figures include
 * whatever the allocator keeps around the arrays.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "models/registry.h"
#include "models/sqs.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/run.h"
#include "sim/scenario.h"

static double wall(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Resident bytes of this process. */
static double rss(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");
	if (!f || fscanf(f, "%ld %ld", &pages, &res) != 2)
		res = 0;
	if (f)
		fclose(f);
	return (double)res * (double)sysconf(_SC_PAGESIZE);
}

struct bed {
	struct scenario scn;
	struct diag d;
	struct sim_run run;
	struct model *qm;
	struct sqs *q;
};

/* One replication of the scenario in `path` with `set`, started. */
static void bed_open(struct bed *b, const char *path, const char *set)
{
	memset(b, 0, sizeof(*b));
	diag_init(&b->d);
	const char *sets[1] = { set };
	if (scenario_load(&b->scn, path, sets, set ? 1 : 0, &spillway_registry,
			  &b->d)) {
		diag_print(&b->d, stderr);
		exit(1);
	}
	struct sim_run *run = &b->run;
	if (sim_run_open(run, &b->scn, 0, &b->d)) {
		diag_print(&b->d, stderr);
		exit(1);
	}
	run->measuring = true;
	sim_run_start(run, false);
	b->qm = sim_run_find(run, "q");
	b->q = sqs_from_model(b->qm);
}

static void bed_close(struct bed *b)
{
	sim_run_close(&b->run);
	scenario_finish(&b->scn);
	diag_finish(&b->d);
}

static void send_n(struct bed *b, long n)
{
	for (long i = 0; i < n; i++) {
		struct sim_msg msg = tenant_make_message(&b->run, 0, b->run.sim.now);
		b->qm->ops->accept(b->qm, &b->run.sim, &msg);
	}
}

/* Receives 10 at a time and deletes each until the queue is empty; returns
 * the number deleted. */
static long drain(struct bed *b)
{
	struct sqs_received r[10];
	long n = 0;
	size_t k;
	while ((k = sqs_receive(b->q, &b->run.sim, r, 10, 0))) {
		for (size_t i = 0; i < k; i++)
			n += sqs_delete(b->q, &b->run.sim, SQS_DELETE, &r[i], NULL, 1);
	}
	return n;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 1000000;
	char path[] = "/tmp/sqs-bench-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	if (!f || n < 1)
		return 1;
	fputs("name: sqs-bench\nduration: 1h\n"
	      "tenants: {app: {target: q, arrivals: {constant: {rate: 1/s}}, message_size: 1KB}}\n"
	      "resources: {q: {type: sqs}}\n", f);
	fclose(f);

	/* Sends first: once glibc has freed a large block it raises its mmap
	 * threshold, and later growth by doubling leaves holes in the heap. */
	struct bed b;
	bed_open(&b, path, NULL);
	double r0 = rss();
	double t0 = wall();
	send_n(&b, n);
	double t1 = wall();
	double r1 = rss();
	printf("%ld sends (arrays grown by doubling): %.1f bytes/message resident\n",
	       n, (r1 - r0) / (double)n);
	long got = drain(&b);
	double t2 = wall();
	printf("send %ld: %.3f s; receive (10 a time) + delete %ld: %.3f s; %.0f messages/s through\n",
	       n, t1 - t0, got, t2 - t1, (double)n / (t2 - t0));
	bed_close(&b);

	char set[96];
	snprintf(set, sizeof(set), "resources.q.initial_backlog={count: %ld, tenant: app}", n);
	r0 = rss();
	bed_open(&b, path, set);
	r1 = rss();
	printf("initial_backlog of %ld: %.1f bytes/message resident (visible %zu)\n",
	       n, (r1 - r0) / (double)n, sqs_visible(b.q));
	bed_close(&b);

	bed_open(&b, path, NULL);
	t0 = wall();
	for (long i = 0; i < n; i += 10) {
		send_n(&b, 10);
		drain(&b);
	}
	t1 = wall();
	printf("steady state (send 10, receive 10, delete 10) x %ld: %.3f s, %.0f messages/s\n",
	       n / 10, t1 - t0, (double)n / (t1 - t0));
	bed_close(&b);
	unlink(path);
	return 0;
}
