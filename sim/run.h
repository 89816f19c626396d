/* run.h - replications of a scenario: the run context models see, and what
 * a run records (time series, summary metrics, per-tenant results).
 *
 * sim_run_scenario() runs the scenario's replications one after the other,
 * each with a fresh struct sim and fresh model instances, and gathers:
 *  - time-series rows, streamed to a CSV file as they are sampled,
 *  - per-replication summary metrics, later reduced to mean and Student-t
 *    95% interval per (resource, metric),
 *  - per-tenant counters and dwell-time histograms, merged over replications.
 * Seeds derive from (scenario seed, replication, resource, purpose), so each
 * replication is independent and the whole run is reproducible.
 */
#ifndef SPILLWAY_SIM_RUN_H
#define SPILLWAY_SIM_RUN_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sim/diag.h"
#include "sim/model.h"
#include "sim/scenario.h"
#include "sim/sim.h"
#include "sim/stats.h"

/* What a sampled value is, for whoever adds samples up over a period:
 *   LEVEL  a level at the sample's instant (messages visible, executions
 *          running): a period's Average or Maximum is over its samples
 *   COUNT  events since the previous sample (messages sent, throttles): a
 *          period's Sum adds its samples
 *   MEAN   the mean of `weight` observations since the previous sample
 *          (Duration of the invocations that ended): a period's Average
 *          weighs each sample by its observations */
enum sim_series_kind { SIM_SERIES_LEVEL, SIM_SERIES_COUNT, SIM_SERIES_MEAN };

/* One sampled value. */
struct sim_sample {
	sim_time_t t;
	unsigned replication;
	const char *resource;
	const char *metric;
	double value;
	double weight; /* MEAN: observations (0: none, value meaningless);
			  else 1 */
	int kind;      /* enum sim_series_kind */
};

/* Streams rows "time_s,replication,resource,metric,value" to a file. */
struct sim_recorder {
	FILE *f;              /* NULL: recording is off */
	unsigned replication; /* written in every row */
	int error;            /* first write error (errno), 0 when none */
	/* When set, values go to capture instead of f (the driver reads the
	 * models' samples this way to name the resources of a stall, and
	 * commands that compare runs with measurements read the series). */
	void (*capture)(void *ctx, const struct sim_sample *x);
	void *capture_ctx;
};

/* A level (SIM_SERIES_LEVEL). */
void sim_recorder_put(struct sim_recorder *rec, sim_time_t t,
		      const char *resource, const char *metric, double value);
/* Events since the previous sample (SIM_SERIES_COUNT). */
void sim_recorder_count(struct sim_recorder *rec, sim_time_t t,
			const char *resource, const char *metric, double count);
/* The mean of n observations since the previous sample (SIM_SERIES_MEAN);
 * with n = 0 no row is written to the file (the value is unknown), but a
 * capture still sees it, with weight 0. */
void sim_recorder_mean(struct sim_recorder *rec, sim_time_t t,
		       const char *resource, const char *metric, double mean,
		       double n);

/* One summary metric over all replications. A usage meter (what a bill
 * counts: requests, GB-seconds, GB processed, hours) is a metric with a
 * service and a price key: reports/cost.c prices it from the pricing
 * table. */
struct sim_metric {
	char *resource;        /* owned */
	char *metric;          /* owned; a meter's billing dimension */
	const char *unit;      /* static: "s", "count", "ratio", ... */
	double *values;        /* one per replication, NAN when not reported */
	const char *service;   /* static; meters only, else NULL */
	const char *price_key; /* static; meters only: the pricing table's key */
};

struct sim_results {
	struct sim_metric *v; /* in first-reported order, owned */
	size_t n;
	size_t cap;
	size_t replications;  /* length of every values array */
	unsigned current;     /* replication being recorded */
};

/* Records value for (resource, metric) in the current replication. */
void sim_results_put(struct sim_results *res, const char *resource,
		     const char *metric, const char *unit, double value);
/* Records a usage meter: `quantity` of `dimension` (in `unit`) that
 * `resource` of `service` used in the current replication, billed at the
 * pricing table's `price_key` (strings other than resource and dimension
 * must be static). */
void sim_results_meter(struct sim_results *res, const char *resource,
		       const char *service, const char *dimension,
		       const char *unit, const char *price_key, double quantity);
const struct sim_metric *sim_results_find(const struct sim_results *res,
					  const char *resource,
					  const char *metric);
void sim_results_finish(struct sim_results *res);
/* Mean and Student-t 95% interval of one metric over the replications
 * that reported it (NAN values are skipped). */
void sim_metric_ci(const struct sim_metric *m, size_t replications,
		   struct sim_ci *ci);

/* Per-tenant outcome counters; the dwell histogram holds send -> done
 * times in seconds. */
struct sim_tenant_stats {
	uint64_t sent;          /* messages the tenant sent */
	uint64_t delivered;     /* processed to completion */
	uint64_t rejected;      /* refused on arrival (blocked, too large) */
	uint64_t dead_lettered; /* moved to a dead-letter queue */
	uint64_t expired;       /* dropped at retention expiry */
	uint64_t failed;        /* processing failed with no retry left (a
				   synchronous invocation's error) */
	struct sim_hist dwell;  /* dwell times of delivered messages */
};

/* The context of one replication. */
struct sim_run {
	struct sim sim;                  /* clock and events */
	const struct scenario *scn;      /* what is being run */
	unsigned replication;            /* 0-based */
	struct model **resources;        /* instances, in scenario order */
	size_t n_resources;
	struct model **tenants;          /* traffic sources, in scenario order */
	size_t n_tenants;
	struct sim_tenant_stats *tstats; /* per tenant, this replication */
	bool measuring;                  /* false during the warm-up */
	struct diag *diag;               /* link-time problems */
	bool failed;                     /* a model found a broken invariant */
	struct model **implicit;         /* models other models created (sim_run_adopt) */
	size_t n_implicit;
	struct model **peers;            /* the scenario's peers (scn->peers), each
					    with its owner (model_ops.within) */
	size_t n_peers;
	struct model **order;            /* resources and peers, each peer right
					    after its owner: the order the driver
					    links, starts, samples and finishes them */
	size_t n_order;
	uint32_t cohort;                 /* the largest tenant cohort (1: none) */
};

/* Adopts m, created by another model while linking (an implicit shared
 * resource, such as the default account): the run fills its base fields
 * and starts, samples, finishes and destroys it like a resource. */
void sim_run_adopt(struct sim_run *run, struct model *m,
		   const struct model_ops *ops, const char *name);

/* The i-th route (model_ops.route) of the peers owner's entry holds, in
 * their order; false past the last. An owner's route() ends with these, so
 * that whoever reads the owner's routes sees the messages its peers move. */
bool sim_run_peer_route(struct model *owner, size_t i, struct model_route *r);

/* A resource instance by name, or NULL. */
struct model *sim_run_find(const struct sim_run *run, const char *name);
/* The resource name closest to `name` among those of type `want` (any
 * type when NULL), for a did-you-mean; NULL when none is close. */
const char *sim_run_suggest(const struct sim_run *run, const char *name,
			    const struct model_ops *want);
/* The resource `name` if its type is `want`; otherwise NULL after a link
 * error at `at` naming `path` ("resources.p.source"): no such resource (with
 * the closest name of that type), or one of another type (`what` says which
 * was expected, e.g. "an sqs queue"). */
struct model *sim_run_find_typed(struct sim_run *run, const struct cfg_node *at,
				 const char *path, const char *name,
				 const struct model_ops *want, const char *what);

/* Per-tenant counters, if the tenant index is valid; statistics recorded
 * during the warm-up are discarded by the driver. */
static inline struct sim_tenant_stats *sim_run_tenant(struct sim_run *run,
						      uint32_t tenant)
{
	return &run->tstats[tenant];
}

/* A model found a broken invariant (e.g. message conservation): the
 * replication stops and the whole run fails with exit status 1; the
 * message goes to the run's diagnostics. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void sim_run_fail(struct sim_run *run, const char *fmt, ...);

/* Counts a delivered message with its dwell time (now - sent_at). These
 * three count a message as its weight (cohort mode). */
void sim_run_delivered(struct sim_run *run, const struct sim_msg *msg);
/* Counts a message refused on arrival. */
void sim_run_rejected(struct sim_run *run, const struct sim_msg *msg);
/* Counts a message whose processing failed with no retry left. */
void sim_run_failed(struct sim_run *run, const struct sim_msg *msg);

struct sim_run_options {
	FILE *timeseries;     /* where rows go; NULL to skip time series */
	bool progress;        /* progress line on stderr */
	bool link_only;       /* create and link replication 0, run nothing */
	/* When set, every sample goes here rather than to timeseries (which
	 * must then be NULL): commands that read series in memory. */
	void (*capture)(void *ctx, const struct sim_sample *x);
	void *capture_ctx;
	const volatile sig_atomic_t *interrupt; /* non-zero: stop soon and
				 return SIM_RUN_INTERRUPTED (a signal
				 handler's flag) */
};

/* Building blocks of one replication, for tools and tests that drive a
 * replication themselves (sim_run_scenario is made of them):
 *   sim_run_open    a fresh sim; every model created and linked (problems
 *                   go to d); 0, or SIM_RUN_LINK_ERROR; nothing started
 *   sim_run_start   starts the resources and adopted models, then the
 *                   tenants when `tenants` is true
 *   sim_run_finish_models  every model's summary into res (for this
 *                   replication); false when a model broke an invariant
 *   sim_run_close   frees the sim, the models and the tenant counters
 * sim_run_close is needed after sim_run_open whatever it returned. */
int sim_run_open(struct sim_run *run, const struct scenario *scn, unsigned rep,
		 struct diag *d);
void sim_run_start(struct sim_run *run, bool tenants);
bool sim_run_finish_models(struct sim_run *run, struct sim_results *res);
void sim_run_close(struct sim_run *run);

/* What one sample of the time series writes: rows and bytes (every model's
 * sample at the start of replication 0, tenants included); 0 rows when
 * the scenario does not link. For the disk guard, before a run. */
void sim_run_sample_size(const struct scenario *scn, size_t *rows, double *bytes);

/* Every series the scenario's models record (a sample at the start of
 * replication 0, tenants included), each to fn: their names and kinds.
 * 0, or SIM_RUN_LINK_ERROR when the scenario does not link. */
int sim_run_each_series(const struct scenario *scn,
			void (*fn)(void *ctx, const struct sim_sample *x), void *ctx);

/* The outcome of all replications. */
struct sim_outcome {
	struct sim_results results;        /* summary metrics */
	struct sim_tenant_stats *tenants;  /* merged over replications */
	size_t n_tenants;
	uint64_t events;                   /* events executed, all replications */
	uint64_t ties;                     /* same-time events, all replications */
	double wall_s;                     /* wall-clock seconds */
};

/* How a run ended (sim_run_scenario, sim_run_open). */
enum sim_run_status {
	SIM_RUN_OK = 0,
	SIM_RUN_WRITE_ERROR = -1, /* the time series could not be written */
	SIM_RUN_LINK_ERROR = -2,  /* the scenario does not link (d says why) */
	SIM_RUN_FAILED = -3,      /* the simulation could not go on: a model
				   * failed (sim_run_fail), a loop at one
				   * instant, the engine's limit (d says why) */
	SIM_RUN_INTERRUPTED = -4, /* opt->interrupt was set */
};

/* What status means, for a message: "the scenario does not link", ... */
const char *sim_run_strerror(int status);

/* Runs every replication; an enum sim_run_status. Link problems (a tenant
 * aiming at a missing resource, ...) and failures go to d. out is
 * filled in either case and freed with sim_outcome_finish. */
int sim_run_scenario(const struct scenario *scn,
		     const struct sim_run_options *opt, struct diag *d,
		     struct sim_outcome *out);
void sim_outcome_finish(struct sim_outcome *out);

#endif
