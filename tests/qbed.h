/* qbed.h - a test bed for queue models: one replication of a fixture run
 * by hand (test_sqs.c, test_groups.c).
 *
 * bed_open loads a fixture with --set lines and creates, links and starts
 * its resources the way sim/run.c does; tenants are created and linked but
 * not started: tests send with bed_send at chosen times, scheduled as sim
 * events with at(). Queues named `work` and `dlq` are looked up. */
#ifndef SPILLWAY_TESTS_QBED_H
#define SPILLWAY_TESTS_QBED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "models/sqs.h"
#include "sim/run.h"
#include "sim/scenario.h"

struct bed;
typedef void act_fn(struct bed *b);

/* One replication of a fixture, run by hand. */
struct bed {
	struct scenario scn;
	struct diag d;
	struct sim_run run;
	struct sim_results res;
	struct model *work_m, *dlq_m;
	struct sqs *work, *dlq;
	act_fn *acts[64];          /* scripted actions, by event argument */
	unsigned n_acts;
	struct sqs_received got[64];/* the last receive */
	size_t n_got;
};

/* Loads `fixture` with the --set lines and starts its resources. */
void bed_open(struct bed *b, const char *fixture, const char *const *sets,
	      size_t n_sets);
/* Runs the summary of every resource into b->res; true when no invariant
 * broke. */
bool bed_finish(struct bed *b);
void bed_close(struct bed *b);
/* Runs fn(b) at time t (after everything already scheduled for t). */
void at(struct bed *b, sim_time_t t, act_fn *fn);
/* Runs action number i (the i-th given to at()) again at time t: an action
 * that re-arms itself takes no new slot. */
void at_again(struct bed *b, sim_time_t t, unsigned i);
sim_time_t now(const struct bed *b);
/* Tenant `tenant` sends one message to m now (size from the fixture, or
 * `size` when not 0). */
void bed_send(struct bed *b, struct model *m, uint32_t tenant, uint32_t size);
/* ReceiveMessage into b->got; the count. */
size_t recv(struct bed *b, struct sqs *q, size_t max, uint64_t max_bytes);
/* A summary metric of this replication (it must exist). */
double metric(const struct bed *b, const char *res, const char *name);
/* The value m's sample op writes for `name` now (it must write it). */
double sampled(struct bed *b, struct model *m, const char *name);

#define S(x) ((sim_time_t)(x) * SIM_S)

#endif
