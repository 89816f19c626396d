/* fuzz_simulate.c - libFuzzer harness over the whole path of `spillway
 * run`: YAML -> validated configuration -> linked models, as fuzz_scenario.c
 * does, then one replication simulated over a short horizon, so the fuzzer
 * reaches the models' event handlers, samples, warm-up restarts and final
 * summaries.
 *
 * The replication is driven here with the public blocks of sim/run.h
 * (sim_run_open, sim_run_start, sim_step, sim_run_finish_models,
 * sim_run_close) rather than sim_run_scenario, so that it can stop after a
 * fixed number of events: a legitimate heavy scenario (a burst of a million
 * messages) then ends early instead of registering as a timeout, and every
 * input runs the same way each time (no wall clock involved). The horizon is
 * the scenario's own, at most HORIZON; the warm-up ends where the scenario
 * says, or half-way when that is past the short horizon.
 *
 * Any input must give diagnostics or a finished replication, never a crash,
 * a hang, a sanitizer report or a model's broken invariant (sim_run_fail,
 * which makes `spillway run` exit 1: here it aborts, so that it is found). */
#include <stdlib.h>
#include <string.h>

#include "models/registry.h"
#include "models/tenants.h"
#include "sim/run.h"
#include "sim/scenario.h"
#include "tests/fuzz/fuzz_common.h"

/* Simulated horizon at most, events at most, samples per horizon. */
#define HORIZON (600 * SIM_S)
#define MAX_EVENTS 20000
#define SAMPLES 8
/* The command line refuses a run whose messages could need more memory
 * than half the machine's (cli/guards.c); the harness, which has no such
 * guard, skips scenarios whose tenants (over the short horizon) and initial
 * backlogs make more messages than this. A tenant's arrivals within one
 * event (sim_claim) are bounded by it, not by MAX_EVENTS. */
#define MAX_MESSAGES 2e5

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static FILE *devnull;

/* What the events scheduled here need. */
struct drive {
	struct sim_run run;
	struct sim_recorder rec;
	sim_time_t horizon;
};

static void each_model(struct sim_run *run, void (*fn)(struct model *m, struct sim *s))
{
	for (size_t i = 0; i < run->n_order; i++)
		fn(run->order[i], &run->sim);
	for (size_t i = 0; i < run->n_implicit; i++)
		fn(run->implicit[i], &run->sim);
	for (size_t i = 0; i < run->n_tenants; i++)
		fn(run->tenants[i], &run->sim);
}

static void restart_one(struct model *m, struct sim *s)
{
	if (m->ops->restart)
		m->ops->restart(m, s);
}

/* The end of the warm-up, as sim/run.c's driver does it. */
static void on_warmup_end(struct sim *s, void *target, uint64_t arg)
{
	struct drive *dr = target;
	(void)s;
	(void)arg;
	dr->run.measuring = true;
	each_model(&dr->run, restart_one);
	for (size_t i = 0; i < dr->run.n_tenants; i++) {
		struct sim_tenant_stats *t = &dr->run.tstats[i];
		t->sent = t->delivered = t->rejected = t->failed = 0;
		t->dead_lettered = t->expired = 0;
		sim_hist_reset(&t->dwell);
	}
}

static void on_sample(struct sim *s, void *target, uint64_t arg)
{
	struct drive *dr = target;
	struct sim_run *run = &dr->run;
	(void)arg;
	for (size_t i = 0; i < run->n_order; i++)
		if (run->order[i]->ops->sample)
			run->order[i]->ops->sample(run->order[i], s, &dr->rec);
	for (size_t i = 0; i < run->n_implicit; i++)
		if (run->implicit[i]->ops->sample)
			run->implicit[i]->ops->sample(run->implicit[i], s, &dr->rec);
	for (size_t i = 0; i < run->n_tenants; i++)
		if (run->tenants[i]->ops->sample)
			run->tenants[i]->ops->sample(run->tenants[i], s, &dr->rec);
	sim_time_t step = dr->horizon / SAMPLES;
	if (step > 0 && s->now <= dr->horizon - step)
		sim_schedule_in(s, step, on_sample, dr, 0);
}

static double messages(const struct scenario *scn, sim_time_t horizon)
{
	double msgs = 0;
	for (size_t i = 0; i < scn->n_tenants; i++)
		msgs += tenant_expected_messages(scn->tenants[i].config, horizon);
	for (size_t i = 0; i < scn->n_resources; i++) {
		const struct cfg_node *b = cfg_get(scn->resources[i].node, "initial_backlog");
		const struct cfg_node *n = b ? cfg_get(b, "count") : NULL;
		if (n && n->value)
			msgs += strtod(n->value, NULL);
	}
	return msgs;
}

static void simulate(const struct scenario *scn, sim_time_t horizon,
		     struct diag *d)
{
	static struct drive dr;
	dr.horizon = horizon;
	dr.rec = (struct sim_recorder){ .f = devnull };
	struct sim_run *run = &dr.run;
	if (sim_run_open(run, scn, 0, d) == 0) {
		sim_run_start(run, true);
		sim_time_t warmup = scn->warmup < dr.horizon ? scn->warmup : dr.horizon / 2;
		if (warmup > 0)
			sim_schedule(&run->sim, warmup, on_warmup_end, &dr, 0);
		else
			run->measuring = true;
		sim_schedule(&run->sim, 0, on_sample, &dr, 0);
		bool capped = false;
		/* As in sim_run_until: a handler's claims stop at the horizon. */
		run->sim.until = dr.horizon;
		while (!run->failed && sim_next_time(&run->sim) <= dr.horizon) {
			if (run->sim.executed >= MAX_EVENTS) {
				capped = true;
				break;
			}
			sim_step(&run->sim);
		}
		run->sim.until = SIM_TIME_MAX;
		/* As sim_run_until leaves it: the clock at the horizon. */
		if (!capped && !run->failed && run->sim.now < dr.horizon)
			run->sim.now = dr.horizon;
		struct sim_results res = { .replications = 1 };
		if (!run->failed)
			sim_run_finish_models(run, &res);
		sim_results_finish(&res);
		if (run->failed) {
			diag_print(d, stderr);
			abort(); /* a model broke an invariant */
		}
	}
	sim_run_close(run);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!devnull)
		devnull = fopen("/dev/null", "w");
	const char *path = fuzz_file(data, size, "yaml");
	if (!path || !devnull)
		return 0;
	struct diag d;
	struct scenario scn;
	diag_init(&d);
	if (scenario_load(&scn, path, NULL, 0, &spillway_registry, &d) == 0) {
		sim_time_t horizon = scn.duration < HORIZON ? scn.duration : HORIZON;
		if (messages(&scn, horizon) <= MAX_MESSAGES)
			simulate(&scn, horizon, &d);
		scenario_finish(&scn);
	}
	fuzz_diag_done(&d);
	return 0;
}
