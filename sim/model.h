/* model.h - the contract between the engine and the resource models.
 *
 * A resource type (models/<type>.c) is a `const struct model_ops` table: its
 * scenario schema, and the operations the run driver calls, in this order,
 * once per replication:
 *
 *   configure  cross-field checks on the parsed config (load time, once)
 *   create     a fresh instance from the config, for one replication
 *   link       resolve names of other resources (tenant -> target, ...)
 *   start      schedule the first events (t = 0)
 *   restart    forget statistics at the end of the warm-up period
 *   sample     write time-series rows every sample_interval
 *   finish     write summary metrics for the replication
 *   destroy    free the instance
 *
 * and, for resources that take traffic, `accept` (a message arrives now).
 * A type with `within` is written inside another type's entries rather than
 * under resources: (see struct model_within); its instances are peers of
 * every other resource, run right after the one whose entry holds them.
 * Every concrete instance embeds struct model as its first member; a type's
 * operations only ever receive instances of that type. A model calling
 * another goes through its NAME_from_model(), which checks the ops table
 * and returns NULL for another type. Operations left NULL do nothing.
 */
#ifndef SPILLWAY_SIM_MODEL_H
#define SPILLWAY_SIM_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "sim/cfg.h"
#include "sim/report_desc.h"
#include "sim/schema.h"
#include "sim/sim.h"

struct sim_run;
struct sim_recorder;
struct sim_results;
struct model;
struct model_route;

/* One unit of traffic, passed by value. */
struct sim_msg {
	sim_time_t sent_at; /* when the tenant sent it */
	uint32_t tenant;    /* index into the run's tenant table */
	uint32_t size;      /* payload bytes */
	uint32_t group;     /* message group (MessageGroupId), run-wide index */
	uint16_t retries;   /* times a scheduler re-sent it (custom retry) */
	uint16_t weight;    /* messages it stands for (cohort mode); 0 means 1 */
};

/* The messages msg stands for: its cohort's size, 1 outside cohort mode. */
static inline uint64_t sim_msg_weight(const struct sim_msg *msg)
{
	return msg->weight ? msg->weight : 1;
}

struct model_ops;

/* Where a type written inside another type's entries is found: each element
 * of the list at `key` in an entry of type `owner` is a resource of this
 * type. The loader checks it with this type's schema (at path
 * resources.OWNER.KEY[i]) and places it right after its owner, which the
 * run driver creates, links, starts, samples and finishes just before it. */
struct model_within {
	const struct model_ops *owner; /* the type whose entries hold the list */
	const char *key;               /* the list's key in the owner's map */
	const char *help;              /* the key's help line */
	/* The resource's name, from its parsed config and its owner's name,
	 * into buf (it names its metrics). */
	void (*name)(const void *config, const char *owner, char *buf, size_t size);
};

struct model_ops {
	const char *name;                /* type name in scenarios */
	const char *help;                /* one line for --list-models */
	const struct scn_schema *schema; /* the type's keys */
	size_t config_size;              /* size of the parsed config struct */

	void (*configure)(void *config, const struct cfg_node *node,
			  struct scn_ctx *ctx);
	struct model *(*create)(const void *config, const char *name,
				struct sim_run *run);
	int (*link)(struct model *m, struct sim_run *run);
	void (*start)(struct model *m, struct sim *s);
	void (*restart)(struct model *m, struct sim *s);
	void (*sample)(struct model *m, struct sim *s, struct sim_recorder *rec);
	void (*finish)(struct model *m, struct sim *s, struct sim_results *res);
	void (*destroy)(struct model *m);
	void (*accept)(struct model *m, struct sim *s, const struct sim_msg *msg);
	/* accept() takes weighted messages (a tenant's `cohort`): the model
	 * counts, batches, throttles and bills a message as its weight. */
	bool cohorts;
	/* After link, for the loop check: the i-th route of messages this
	 * resource sets up (its own sends, or from a queue it polls to
	 * itself) into *r; false past the last. r->to NULL: none at i. */
	bool (*route)(struct model *m, size_t i, struct model_route *r);
	/* What the reports draw, price, review and show of the type
	 * (sim/report_desc.h); NULL: nothing. */
	const struct model_report *report;
	/* Written inside another type's entries (NULL: under resources:). */
	const struct model_within *within;
};

/* Messages accepted by `from` go on to `to` (every one, or every one that
 * matches or succeeds): a cycle of routes would send them round forever. */
struct model_route {
	struct model *from;
	struct model *to;
	double copies;             /* messages `to` gets per message `from`
				    * sends on (a call's count); 0 means 1 */
	bool moves;                /* `to` takes `from`'s messages (a poller:
				    * no new message); false: it gets new ones */
	const struct cfg_node *at; /* the value that names `to` */
	char path[256];            /* its scenario path */
};

/* The base every model instance starts with. */
struct model {
	const struct model_ops *ops;  /* its type */
	const char *name;             /* resource or tenant name (scenario-owned) */
	const struct cfg_node *node;  /* its YAML map, for link-time errors */
	unsigned index;               /* position in the run's table */
	struct sim_run *run;          /* the replication it belongs to */
	struct model *owner;          /* model_ops.within: the resource whose
					 entry holds it; NULL otherwise */
};

/* The registry handed to the scenario loader (models/registry.c builds it):
 * the resource types, and the tenant (traffic source) type. */
struct model_registry {
	const struct model_ops *const *types; /* NULL-terminated */
	const struct model_ops *tenant;       /* schema and ops of a tenant */
	/* Types written inside other types' entries (model_ops.within):
	 * NULL-terminated, or NULL. Not resource types of their own. */
	const struct model_ops *const *peers;
};

const struct model_ops *model_registry_find(const struct model_registry *r,
					    const char *type);

#endif
