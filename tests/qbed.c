/* qbed.c - the queue test bed (see qbed.h). */
#include "tests/qbed.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "models/tenants.h"

void bed_open(struct bed *b, const char *fixture, const char *const *sets,
	      size_t n_sets)
{
	memset(b, 0, sizeof(*b));
	diag_init(&b->d);
	int rc = scenario_load(&b->scn, fixture, sets, n_sets, &spillway_registry,
			       &b->d);
	diag_print(&b->d, stderr);
	ck_assert_int_eq(rc, 0);
	struct sim_run *run = &b->run;
	ck_assert_int_eq(sim_run_open(run, &b->scn, 0, &b->d), 0);
	run->measuring = true;
	diag_print(&b->d, stderr);
	ck_assert_int_eq((int)b->d.errors, 0);
	sim_run_start(run, false);
	b->work_m = sim_run_find(run, "work");
	b->dlq_m = sim_run_find(run, "dlq");
	b->work = sqs_from_model(b->work_m);
	b->dlq = sqs_from_model(b->dlq_m);
	ck_assert(b->work && b->dlq);
	b->res.replications = 1;
}

bool bed_finish(struct bed *b)
{
	bool ok = sim_run_finish_models(&b->run, &b->res);
	diag_print(&b->d, stderr);
	return ok;
}

void bed_close(struct bed *b)
{
	sim_run_close(&b->run);
	sim_results_finish(&b->res);
	scenario_finish(&b->scn);
	diag_finish(&b->d);
}

static void run_act(struct sim *s, void *target, uint64_t arg)
{
	struct bed *b = target;
	(void)s;
	b->acts[arg](b);
}

void at(struct bed *b, sim_time_t t, act_fn *fn)
{
	ck_assert_uint_lt(b->n_acts, 64);
	b->acts[b->n_acts] = fn;
	sim_schedule(&b->run.sim, t, run_act, b, b->n_acts++);
}

void at_again(struct bed *b, sim_time_t t, unsigned i)
{
	ck_assert_uint_lt(i, b->n_acts);
	sim_schedule(&b->run.sim, t, run_act, b, i);
}

sim_time_t now(const struct bed *b)
{
	return b->run.sim.now;
}

size_t recv(struct bed *b, struct sqs *q, size_t max, uint64_t max_bytes)
{
	b->n_got = sqs_receive(q, &b->run.sim, b->got, max, max_bytes);
	return b->n_got;
}

double metric(const struct bed *b, const char *res, const char *name)
{
	const struct sim_metric *m = sim_results_find(&b->res, res, name);
	ck_assert_msg(m != NULL, "no metric %s.%s", res, name);
	return m->values[0];
}

double sampled(struct bed *b, struct model *m, const char *name)
{
	char *buf = NULL;
	size_t len = 0;
	struct sim_recorder rec = { .f = open_memstream(&buf, &len) };
	ck_assert(rec.f != NULL);
	m->ops->sample(m, &b->run.sim, &rec);
	fclose(rec.f);
	double v = -1;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char *c = strrchr(line, ',');
		*c = '\0';
		char *k = strrchr(line, ',');
		if (!strcmp(k + 1, name))
			v = strtod(c + 1, NULL);
	}
	free(buf);
	ck_assert_msg(v >= 0, "no sample %s", name);
	return v;
}

void bed_send(struct bed *b, struct model *m, uint32_t tenant, uint32_t size)
{
	struct sim_msg msg = tenant_make_message(&b->run, tenant, now(b));
	if (size)
		msg.size = size;
	m->ops->accept(m, &b->run.sim, &msg);
}
