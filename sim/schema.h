/* schema.h - scenario schemas as data, and the one walker that applies them.
 *
 * Each resource type (and the tenants and the top level) describes its keys in
 * a static table of struct scn_field: key, kind, range, default, where the
 * parsed value goes (offsetof into the type's config struct) and a help line.
 * scn_walk() checks a YAML map against such a table: unknown keys (with a
 * did-you-mean), missing required keys, types, units and ranges, reporting
 * every problem with file:line:col and the scenario path; it fills in the
 * defaults both in the config struct and in the YAML tree (marked `filled`),
 * so scenario.resolved.yaml shows exactly what was simulated.
 *
 * Values are stored as:
 *   SCN_BOOL bool; SCN_INT int64_t; SCN_NUMBER, SCN_SIZE (bytes),
 *   SCN_RATE (per second), SCN_FRACTION double; SCN_DURATION sim_time_t;
 *   SCN_STRING, SCN_NAME const char * (pointing into the YAML tree, which
 *   the scenario keeps alive); SCN_ENUM int; SCN_DIST struct sim_dist;
 *   SCN_TABLE a nested struct at the same base (fields' offsets are relative
 *   to the parent object); SCN_ONEOF int (index of the chosen alternative,
 *   whose own field is then stored); SCN_LIST struct scn_list.
 * With SCN_F_NONE / SCN_F_INFINITE, the words "none" / "infinite" are
 * accepted and stored as SCN_UNLIMITED (-1) for SCN_INT and SCN_DURATION.
 * An SCN_TABLE with SCN_F_NONE is "none or a map" (e.g. autoscaling: none):
 * its offset then points at a bool set to whether a map was given; after
 * "none" the table's own fields stay zeroed and get no defaults.
 */
#ifndef SPILLWAY_SIM_SCHEMA_H
#define SPILLWAY_SIM_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/cfg.h"
#include "sim/diag.h"
#include "sim/dist.h"
#include "sim/units.h"

#define SCN_UNLIMITED (-1)

/* Bounds of every value of a unit, whatever a field's table says (the
 * walker applies them; see unit_bound in schema.c): durations stop at
 * SIM_DURATION_MAX_S (sim/time.h), scalars and distribution parameters
 * alike; sizes and plain numbers drawn from distributions stop at these. */
#define SCN_SIZE_MAX 1e15   /* bytes: 1 PB */
#define SCN_NUMBER_MAX 1e15

enum scn_kind {
	SCN_BOOL,
	SCN_INT,
	SCN_NUMBER,
	SCN_DURATION,
	SCN_SIZE,
	SCN_RATE,
	SCN_FRACTION,
	SCN_STRING,
	SCN_NAME,  /* a reference to a resource or tenant, checked at link */
	SCN_ENUM,
	SCN_DIST,  /* unit of the values from scn_field.unit */
	SCN_TABLE,
	SCN_ONEOF,
	SCN_LIST,
};

enum {
	SCN_F_REQUIRED = 1u << 0, /* must be present (no default) */
	SCN_F_NONE = 1u << 1,     /* accepts "none" (tables: "none or a map") */
	SCN_F_INFINITE = 1u << 2, /* accepts "infinite" */
	SCN_F_OPTIONAL = 1u << 3, /* may be absent with no default (tables: left zeroed) */
	SCN_F_UNCONFIRMED = 1u << 4, /* the default is not backed by a documented
					 figure: using it is noted in the run's output */
	SCN_F_SWITCH = 1u << 5,   /* tables: true (every setting at its default),
				     false, or a map (on, with those settings);
				     the bool at offset says whether it is on */
};

struct scn_schema;

struct scn_field {
	const char *key;               /* YAML key */
	enum scn_kind kind;            /* how to parse and store */
	unsigned flags;                /* SCN_F_* */
	double min;                    /* inclusive range in base units */
	double max;                    /* (seconds, bytes, per second); min > max: no check */
	const char *dflt;              /* default as YAML text, or NULL */
	size_t offset;                 /* where the value is stored */
	const char *help;              /* one line for --help and the format reference */
	const struct scn_schema *sub;  /* SCN_TABLE / SCN_ONEOF / SCN_LIST element */
	const char *const *names;      /* SCN_ENUM: NULL-terminated words */
	enum sim_unit_kind unit;       /* SCN_DIST: unit of its parameters */
	size_t elem_size;              /* SCN_LIST: size of one element */
	bool exclusive_min;            /* range is (min, max] */
};

/* A field whose value is stored in member of the config struct T (a
 * model's schema table): key, kind, flags, range, default as YAML text,
 * help. A model file binds its struct once:
 *   #define F(...) SCN_FIELD(struct sqs_config, __VA_ARGS__)  */
#define SCN_FIELD(T, k, kind_, fl, lo, hi, def, member, text)                \
	{ .key = k, .kind = kind_, .flags = fl, .min = lo, .max = hi,          \
	  .dflt = def, .offset = offsetof(T, member), .help = text }

struct scn_ctx;

struct scn_schema {
	const char *name;              /* for help output: "station", "tenant" */
	const struct scn_field *fields;
	size_t n;
	/* Cross-field checks after the fields are stored (optional). */
	void (*check)(void *obj, const struct cfg_node *node, struct scn_ctx *ctx);
};

/* A list value: n elements of elem_size bytes, owned by the config. */
struct scn_list {
	void *items;
	size_t n;
};

/* Walk state: where problems go and the YAML path being checked. */
struct scn_ctx {
	struct diag *diag;   /* problems go here */
	const char *dir;     /* directory of the scenario, for relative files */
	char path[512];      /* current scenario path, e.g. resources.desk */
	char **assumed;      /* paths whose SCN_F_UNCONFIRMED default was used, owned */
	size_t n_assumed;
};

/* Checks map against schema and stores values into obj (zeroed by the
 * caller). Keys listed in skip (NULL-terminated, may be NULL) are left for
 * the caller. Returns the number of errors found. */
size_t scn_walk(const struct scn_schema *schema, struct cfg_node *map, void *obj,
		const char *const *skip, struct scn_ctx *ctx);
/* Frees what scn_walk allocated inside obj (lists, distributions). */
void scn_free(const struct scn_schema *schema, void *obj);

/* Reports an error at node's place with the current path prefixed. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
void scn_error(struct scn_ctx *ctx, const struct cfg_node *node,
	       const char *fmt, ...);

/* What a value is, for the "got ..." of a message: the text in quotes
 * (shortened past 60 characters), "nothing", "a map", "an empty map", "a
 * list" or "an empty list". Returns buf. */
const char *scn_got(const struct cfg_node *n, char *buf, size_t size);

/* Drops ctx->path.key from the UNCONFIRMED defaults in use: for a
 * configure() whose key does not apply to this configuration. */
void scn_unassume(struct scn_ctx *ctx, const char *key);

/* Reports an error about key `key` of map (at the key's value, or at the
 * map when the key is absent), naming the path ctx->path.key. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void scn_error_key(struct scn_ctx *ctx, const struct cfg_node *map,
		   const char *key, const char *fmt, ...);

/* Writes a reference of the schema's keys (indented by `indent` spaces):
 * key, kind, default, range and help, recursing into tables. */
void scn_print_reference(FILE *f, const struct scn_schema *schema, int indent);

#endif
