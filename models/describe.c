/* describe.c - the shared plots and value readers (see describe.h). */
#include "models/describe.h"

#include <math.h>
#include <string.h>

#include "sim/units.h"

const struct model_plot plot_queue_depth = {
	"queue-depth", "Queue depth (in a dead-letter queue: dead-lettered)", "messages", 0,
};
const struct model_plot plot_age_of_oldest = {
	"age-of-oldest", "Age of the oldest message", "seconds", 1,
};
const struct model_plot plot_concurrency = {
	"concurrency", "Concurrent executions against their limits", "executions", 2,
};
const struct model_plot plot_throttles = {
	"throttles", "Throttles per sample interval", "count", 3,
};
const struct model_plot plot_table_capacity = {
	"dynamodb", "DynamoDB consumed against capacity", "units per second", 4,
};
const struct model_plot plot_pods = {
	"pods", "Pods and the length of their queue", "pods, messages", 5,
};

const char *desc_scalar(const struct cfg_node *map, const char *key)
{
	const struct cfg_node *n = cfg_get(map, key);
	return n && n->type == CFG_SCALAR ? n->value : NULL;
}

double desc_seconds(const struct cfg_node *map, const char *key)
{
	const char *v = desc_scalar(map, key);
	double s;
	return v && !sim_parse_duration_s(v, &s) ? s : NAN;
}

double desc_count(const struct cfg_node *map, const char *key)
{
	const char *v = desc_scalar(map, key);
	double x;
	return v && !sim_parse_number(v, &x) ? x : -1;
}

const struct scn_entry *desc_resource(const struct scenario *scn, const char *name)
{
	for (size_t i = 0; name && i < scn->n_resources; i++)
		if (!strcmp(scn->resources[i].name, name))
			return &scn->resources[i];
	return NULL;
}
