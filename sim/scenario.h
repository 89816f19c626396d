/* scenario.h - a scenario file, validated against the registry's schemas.
 *
 * scenario_load() reads the YAML, applies --set overrides, checks every key
 * (top level, tenants, resources by type) and fills in the defaults, so that
 * a scenario that loads without errors can be simulated. The parsed configs
 * point into the YAML tree, which the scenario owns.
 */
#ifndef SPILLWAY_SIM_SCENARIO_H
#define SPILLWAY_SIM_SCENARIO_H

#include <stddef.h>
#include <stdint.h>

#include "sim/cfg.h"
#include "sim/diag.h"
#include "sim/model.h"
#include "sim/time.h"

/* One tenant or resource of the scenario. */
struct scn_entry {
	const char *name;             /* key in tenants: / resources: */
	const struct model_ops *ops;  /* its type (the tenant type for tenants) */
	void *config;                 /* parsed config, ops->config_size bytes */
	struct cfg_node *node;        /* its YAML map */
	size_t owner;                 /* peers: index in resources of the entry
					 that holds it (model_ops.within) */
};

/* A published figure the report sets beside the simulated one. */
struct scn_expect {
	const char *metric;    /* RESOURCE.METRIC */
	const char *published; /* as the source says it */
	double value;          /* a number to compare with, NAN when none */
	double within;         /* relative tolerance, when value is given */
	const char *source;    /* where it was published */
	int evidence;          /* enum scn_evidence */
};

/* Whether a published figure is evidence the simulator is right: it was
 * not one of the scenario's inputs (independent), or it was, or decides
 * one (input). */
enum scn_evidence { SCN_EVIDENCE_UNSTATED, SCN_EVIDENCE_INDEPENDENT, SCN_EVIDENCE_INPUT };

/* "unstated", "independent" or "input". */
const char *scn_evidence_name(int evidence);

struct scenario {
	struct cfg_doc doc;           /* the YAML tree, with defaults filled in */
	char *dir;                    /* directory of the file, owned */
	const char *name;             /* output directory name */
	const char *description;      /* free text */
	int64_t seed;                 /* base seed of every stream */
	sim_time_t duration;          /* simulated horizon */
	sim_time_t warmup;            /* statistics discard [0, warmup) */
	int64_t replications;         /* independent runs */
	sim_time_t sample_interval;   /* time-series resolution */
	const char *region;           /* pricing region */
	const char *pricing;          /* pricing file, NULL: the region's */
	struct scn_list expect;       /* published figures, struct scn_expect */
	struct scn_entry *tenants;    /* in file order, owned */
	size_t n_tenants;
	struct scn_entry *resources;  /* in file order, owned */
	size_t n_resources;
	struct scn_entry *peers;      /* resources written inside others' entries
					 (model_ops.within), by owner, owned;
					 their names are owned too */
	size_t n_peers;
	char **assumed;               /* paths left at an UNCONFIRMED default, owned */
	size_t n_assumed;
};

/* Loads and validates path, applying the `n_sets` assignments of --set.
 * Every problem goes to d. Returns 0, or -1 when there was any error (then
 * the scenario holds nothing to free). */
int scenario_load(struct scenario *scn, const char *path,
		  const char *const *sets, size_t n_sets,
		  const struct model_registry *reg, struct diag *d);
void scenario_finish(struct scenario *scn);

/* Index of a tenant by name, or -1. */
long scenario_find_tenant(const struct scenario *scn, const char *name);

/* The reference of the top-level keys, for `spillway help`. */
extern const struct scn_schema scenario_schema;

/* The keys of a resource of type ops as a scenario writes them: its own
 * schema, with the schemas of the peer types its lists hold
 * (model_ops.within) in those lists. *fields is an array to free() when
 * the schema had to be put together in *buf (NULL when ops holds none:
 * then ops->schema itself comes back). */
struct scn_field;
const struct scn_schema *scenario_type_schema(const struct model_registry *reg,
					     const struct model_ops *ops,
					     struct scn_schema *buf,
					     struct scn_field **fields);

#endif
