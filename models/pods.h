/* pods.h - the Horizontal Pod Autoscaler's arithmetic, for pods.c and its
 * tests.
 *
 * On an external queue metric with an AverageValue target (KEDA's
 * aws-sqs-queue scaler): desired = ceil(metric / target), the same as
 * ceil(current x (metric / current) / target); no change while
 * metric / (current x target) is within `tolerance` of 1; scale-up at most
 * max(100%, 4 pods) per period; scale-down to the highest recommendation
 * of the stabilization window, at most 100% per period; then clamped to
 * [min, max] (FACTS 8, "Formula", "Tolerance", "Downscale stabilization",
 * "Default behavior":
 * https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/).
 */
#ifndef SPILLWAY_MODELS_PODS_H
#define SPILLWAY_MODELS_PODS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/time.h"

struct hpa {
	double target;            /* metric per pod */
	double tolerance;         /* 0.1 */
	int64_t min, max;         /* replicas */
	sim_time_t stabilization; /* scale-down window (300 s) */
	/* Recommendations of the window: (time, replicas), oldest first. */
	sim_time_t *rec_at;
	int64_t *rec;
	size_t n, cap;
};

/* One sync: the replicas to run now, given the current count and the
 * metric (visible messages, plus in flight with scale_on_in_flight). */
int64_t hpa_step(struct hpa *h, sim_time_t now, int64_t current, double metric);
void hpa_free(struct hpa *h);

/* Spark on n instances, one work item: the share of its data shuffled
 * remotely when the data is spread at random ((n-1)/n), and the time to
 * process gb at gb_per_hour per instance when a remote shuffle of all the
 * data adds `penalty` of the processing time. */
double spark_shuffle_share(int64_t n);
double spark_hours(double gb, int64_t n, double gb_per_hour, double penalty);

#endif
