/* observe.h - measured series bound to a scenario's simulated ones: what
 * `spillway compare`, `spillway calibrate` and `spillway export` share.
 *
 * Binding. Each series of the export names a resource and a metric of the
 * scenario: by --map ID=RESOURCE.METRIC[:STAT], or by its label (see
 * sim/observed.h), matched against every series the scenario's models
 * record (exactly one must match); a label that names a metric and no
 * resource (CloudWatch's default label is the metric's name) binds to the
 * one resource that records that metric, if only one does. Its statistic is the label's (or the
 * map's); when neither states one, the natural one of what the model
 * records is assumed, and said: Sum for a count of events, Average for a
 * level or a mean.
 *
 * Periods. A measured point at time T with period P stands for [T, T+P),
 * as CloudWatch's do. The scenario is sampled every D seconds (60 s when
 * every period is a whole number of minutes, else the smallest period),
 * and a point's simulated value is its statistic over the samples inside
 * the period: a count's Sum adds the per-sample counts of (T, T+P]; a
 * level's Average, Maximum, Minimum or pNN is over the samples at T,
 * T+D, ..., T+P-D; a mean's Average weighs each sample by its
 * observations (invocations), its SampleCount adds those.
 *
 * Time 0 of the simulation is the earliest timestamp of the export, and
 * the simulated window runs to the end of its last period.
 */
#ifndef SPILLWAY_CLI_OBSERVE_H
#define SPILLWAY_CLI_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>

#include "reports/fit.h"
#include "sim/observed.h"

struct scenario;

/* One simulated series the comparison reads, per replication. */
struct track {
	char *resource, *metric; /* owned */
	int kind;                /* enum sim_series_kind */
	double *v, *w;           /* [rep * samples + k]: value and weight */
};

/* A measured series bound to a track. */
struct bound {
	const struct obs_series *s; /* NULL for export's own grid */
	size_t track;
	int stat;
	double percentile;
	bool assumed;               /* the statistic was not stated */
	bool inferred;              /* the label names the metric only: the
				       one resource recording it */
	char name[400];             /* RESOURCE.METRIC:STAT */
	char unit[200];             /* "Sum per 60 s" (a plot's y label) */
	double period;              /* seconds */
	double *t;                  /* point times from t0, owned */
	const double *y;            /* measured values (s->v) or NULL */
	size_t n;
	double *sim;                /* [rep * n + i], owned */
};

struct observe {
	struct obs_set obs;     /* the export (compare, calibrate) */
	bool loaded;
	struct bound *b;
	size_t nb;
	struct track *tr;
	size_t ntr;
	double t0;              /* epoch seconds of time 0 */
	double interval;        /* sample interval, seconds */
	double window;          /* seconds simulated */
	size_t samples;         /* per replication: window / interval + 1 */
	size_t reps;            /* replications the tracks hold */
};

struct observe_opts {
	const char *file;       /* the export */
	char **maps;            /* ID=RESOURCE.METRIC[:STAT] */
	size_t n_maps;
	char **skips;           /* Ids left out */
	size_t n_skips;
};

/* Reads the export and binds its series to scn's (problems on stderr):
 * 0, or EXIT_INPUT. */
int observe_open(struct observe *ob, const struct observe_opts *o,
		 const struct scenario *scn);
/* Binds a grid instead of an export: the series `specs` (RESOURCE.METRIC
 * [:STAT]) at every period from 0 to the end of window (export). 0 or
 * EXIT_INPUT. */
int observe_open_grid(struct observe *ob, char *const *specs, size_t n,
		      const struct scenario *scn, double period, double window,
		      double t0);
/* The --set assignments that make a scenario simulate the window at the
 * sample interval: "duration=...", "sample_interval=...", "warmup=0s"
 * (three buffers of 64 bytes). */
void observe_sets(const struct observe *ob, char sets[3][64]);
/* Runs scn (loaded with observe_sets) for reps replications from its
 * seed and fills every bound's sim. 0, or the run's status (problems on
 * stderr). */
int observe_run(struct observe *ob, const struct scenario *scn, size_t reps);
/* The comparison of bound i, pointing into ob. */
void observe_compared(const struct observe *ob, size_t i, struct rpt_compared *c);
void observe_finish(struct observe *ob);

/* Splits ARG of --fit, --map...: appends a copy of arg to *v. */
void observe_push(char ***v, size_t *n, const char *arg);

#endif
