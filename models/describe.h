/* describe.h - what the models' report descriptors share (sim/report_desc.h):
 * the time-series plots several types draw on, and reading a resolved
 * scenario value the way the review facts need it.
 */
#ifndef SPILLWAY_MODELS_DESCRIBE_H
#define SPILLWAY_MODELS_DESCRIBE_H

#include "sim/report_desc.h"
#include "sim/scenario.h"

/* The plots, in the order they are drawn. */
extern const struct model_plot plot_queue_depth;
extern const struct model_plot plot_age_of_oldest;
extern const struct model_plot plot_concurrency;
extern const struct model_plot plot_throttles;
extern const struct model_plot plot_table_capacity;
extern const struct model_plot plot_pods;

/* key's scalar in map, NULL when absent or not a scalar. */
const char *desc_scalar(const struct cfg_node *map, const char *key);
/* A duration key in seconds, NAN when absent. */
double desc_seconds(const struct cfg_node *map, const char *key);
/* A whole number, or -1 for none / absent. */
double desc_count(const struct cfg_node *map, const char *key);
/* The scenario's resource named name, NULL when none. */
const struct scn_entry *desc_resource(const struct scenario *scn, const char *name);

#endif
