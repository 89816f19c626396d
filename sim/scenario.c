/* scenario.c - loading and validating a scenario file (see scenario.h). */
#include "sim/scenario.h"

#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/schema.h"

#define FIELD(...) SCN_FIELD(struct scenario, __VA_ARGS__)

#define X(...) SCN_FIELD(struct scn_expect, __VA_ARGS__)

static const char *const evidence_names[] = { "unstated", "independent", "input", NULL };

const char *scn_evidence_name(int evidence)
{
	return evidence >= 0 && evidence < 3 ? evidence_names[evidence] : "unstated";
}

static const struct scn_field expect_fields[] = {
	X("metric", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, metric,
	  "RESOURCE.METRIC of the summary"),
	X("published", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, published,
	  "the figure as published (text)"),
	X("value", SCN_NUMBER, SCN_F_OPTIONAL, 1, 0, NULL, value,
	  "the figure as a number, to compare with the simulated mean"),
	X("within", SCN_FRACTION, 0, 0, 100, "10%", within,
	  "relative tolerance of the comparison"),
	X("source", SCN_STRING, 0, 1, 0, "\"\"", source,
	  "where it was published"),
	{ .key = "evidence", .kind = SCN_ENUM, .names = evidence_names,
	  .dflt = "unstated", .min = 1, .max = 0,
	  .offset = offsetof(struct scn_expect, evidence),
	  .help = "independent (the figure was not an input of the scenario), input "
		  "(it is one, or an input decides it), or unstated" },
};

static const struct scn_schema expect_schema = {
	.name = "expect",
	.fields = expect_fields,
	.n = sizeof(expect_fields) / sizeof(expect_fields[0]),
};

static const struct scn_field top_fields[] = {
	FIELD("name", SCN_STRING, 0, 1, 0, NULL, name,
	      "output directory name, [a-z0-9._-]; defaults to the file name"),
	FIELD("description", SCN_STRING, 0, 1, 0, "\"\"", description,
	      "free text, shown in reports"),
	FIELD("seed", SCN_INT, 0, 0, 9007199254740992.0, "1", seed,
	      "base seed of every random stream"),
	{ .key = "duration", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED,
	  .min = 0, .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct scenario, duration),
	  .help = "simulated horizon" },
	FIELD("warmup", SCN_DURATION, 0, 0, 1e9, "0s", warmup,
	      "statistics discard this prefix of every replication"),
	FIELD("replications", SCN_INT, 0, 1, 100000, "5", replications,
	      "independent replications (confidence intervals need 2 or more)"),
	FIELD("sample_interval", SCN_DURATION, 0, 1e-3, 1e9, "10s", sample_interval,
	      "time-series resolution"),
	FIELD("region", SCN_STRING, 0, 1, 0, "us-east-1", region,
	      "AWS region (pricing)"),
	FIELD("pricing", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, pricing,
	      "pricing file (relative to the scenario); default: the region's"),
	{ .key = "expect", .kind = SCN_LIST, .sub = &expect_schema,
	  .elem_size = sizeof(struct scn_expect), .flags = SCN_F_OPTIONAL,
	  .offset = offsetof(struct scenario, expect), .min = 1, .max = 0,
	  .help = "published figures the report sets beside the simulated ones" },
};

static void check_top(void *obj, const struct cfg_node *node,
		      struct scn_ctx *ctx)
{
	struct scenario *scn = obj;
	if (scn->warmup >= scn->duration && scn->duration > 0)
		scn_error_key(ctx, node, "warmup",
			      "must be shorter than the duration");
	if (scn->name) {
		const char *s = scn->name;
		bool ok = *s != '\0' && strcmp(s, ".") && strcmp(s, "..");
		for (; *s && ok; s++)
			ok = (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
			     *s == '.' || *s == '_' || *s == '-';
		if (!ok)
			scn_error_key(ctx, node, "name",
				      "expected lower-case letters, digits, '.', '_' or '-', got '%s'",
				      scn->name);
	}
}

const struct scn_schema scenario_schema = {
	.name = "scenario",
	.fields = top_fields,
	.n = sizeof(top_fields) / sizeof(top_fields[0]),
	.check = check_top,
};

static const char *const section_keys[] = { "tenants", "resources", NULL };
static const char *const type_key[] = { "type", NULL };

/* Resource and tenant names are used in paths and CSV columns: keep them
 * to letters, digits, '_' and '-', and short enough that a message's path
 * (512 characters) holds them with room to spare (AWS's own names stop at
 * 64 to 80 characters). */
#define MAX_NAME 80

static bool good_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

/* Parses one entry (tenant or resource) map with its type's schema. */
static void load_entry(struct scn_entry *e, const struct cfg_pair *p,
		       const struct model_ops *ops, const char *const *skip,
		       struct scn_ctx *ctx)
{
	e->name = p->key;
	e->ops = ops;
	e->node = p->value;
	e->config = sim_xcalloc(1, ops->config_size);
	size_t before = ctx->diag->errors;
	scn_walk(ops->schema, p->value, e->config, skip, ctx);
	if (ops->configure && ctx->diag->errors == before)
		ops->configure(e->config, p->value, ctx);
}

/* The peer types whose lists an entry of type `ops` holds. */
static size_t peer_types(const struct model_registry *reg,
			 const struct model_ops *ops,
			 const struct model_ops **out, size_t max)
{
	size_t k = 0;
	for (size_t i = 0; reg->peers && reg->peers[i] && k < max; i++)
		if (reg->peers[i]->within && reg->peers[i]->within->owner == ops)
			out[k++] = reg->peers[i];
	return k;
}

const struct scn_schema *scenario_type_schema(const struct model_registry *reg,
					     const struct model_ops *ops,
					     struct scn_schema *buf,
					     struct scn_field **fields)
{
	const struct model_ops *pt[8];
	size_t npt = peer_types(reg, ops, pt, 8);
	*fields = NULL;
	if (!npt)
		return ops->schema;
	*fields = sim_xcalloc(ops->schema->n, sizeof(**fields));
	memcpy(*fields, ops->schema->fields, ops->schema->n * sizeof(**fields));
	for (size_t k = 0; k < npt; k++)
		for (size_t i = 0; i < ops->schema->n; i++)
			if ((*fields)[i].kind == SCN_LIST &&
			    !strcmp((*fields)[i].key, pt[k]->within->key)) {
				(*fields)[i].sub = pt[k]->schema;
				(*fields)[i].elem_size = pt[k]->config_size;
			}
	*buf = *ops->schema;
	buf->fields = *fields;
	return buf;
}

/* Loads resource entry e (index `index`) and adopts the resources its lists
 * hold (model_ops.within): the entry's own schema names each list's key (its
 * place among the keys, its help); it is walked here with the peer type's
 * schema for its elements, which then become entries of scn->peers of their
 * own, in list order. The owner's list is left empty. */
static void load_owner(struct scenario *scn, struct scn_entry *e, size_t index,
		       const struct cfg_pair *p, const struct model_ops *ops,
		       const struct model_registry *reg, struct scn_ctx *ctx)
{
	const struct model_ops *pt[8];
	size_t npt = peer_types(reg, ops, pt, 8);
	struct scn_field *fields;
	struct scn_schema schema;
	struct model_ops copy = *ops;
	copy.schema = scenario_type_schema(reg, ops, &schema, &fields);
	load_entry(e, p, &copy, type_key, ctx);
	e->ops = ops;
	free(fields);
	for (size_t k = 0; k < npt; k++) {
		const struct model_ops *po = pt[k];
		const struct scn_field *f = NULL;
		for (size_t i = 0; i < ops->schema->n; i++)
			if (!strcmp(ops->schema->fields[i].key, po->within->key))
				f = &ops->schema->fields[i];
		SIM_ASSERT(NULL, f && f->kind == SCN_LIST);
		struct scn_list *l = (struct scn_list *)((char *)e->config + f->offset);
		const struct cfg_node *list = cfg_get(e->node, po->within->key);
		for (size_t i = 0; i < l->n; i++) {
			struct scn_entry *x;
			scn->peers = sim_xrealloc(scn->peers,
						  (scn->n_peers + 1) * sizeof(*scn->peers));
			x = &scn->peers[scn->n_peers++];
			char name[256];
			po->within->name((char *)l->items + i * po->config_size, e->name,
					 name, sizeof(name));
			*x = (struct scn_entry){ .name = sim_xstrdup(name), .ops = po,
						 .node = list->items[i], .owner = index };
			x->config = sim_xcalloc(1, po->config_size);
			memcpy(x->config, (char *)l->items + i * po->config_size,
			       po->config_size);
			if (po->configure && ctx->diag->errors == 0) {
				snprintf(ctx->path, sizeof(ctx->path), "resources.%s.%s[%zu]",
					 e->name, po->within->key, i);
				po->configure(x->config, x->node, ctx);
			}
		}
		free(l->items);
		*l = (struct scn_list){ 0 };
	}
}

static void load_section(struct scenario *scn, struct cfg_node *root,
			 const char *section, const struct model_registry *reg,
			 struct scn_ctx *ctx)
{
	bool tenants = !strcmp(section, "tenants");
	struct cfg_node *map = cfg_get(root, section);
	const struct cfg_pair *sp = cfg_get_pair(root, section);
	if (!map) {
		if (!tenants)
			scn_error(ctx, root, "missing required key '%s'", section);
		return;
	}
	if (map->type != CFG_MAP || map->n == 0) {
		struct cfg_node at = *map;
		char got[80];
		at.line = sp->line;
		at.col = sp->col;
		scn_error(ctx, &at, "%s: expected a map of names to %s, got %s",
			  section, tenants ? "tenant settings" : "resource settings",
			  scn_got(map, got, sizeof(got)));
		return;
	}
	struct scn_entry *v = sim_xcalloc(map->n, sizeof(*v));
	size_t n = 0;
	for (size_t i = 0; i < map->n; i++) {
		const struct cfg_pair *p = &map->pairs[i];
		snprintf(ctx->path, sizeof(ctx->path), "%s.%s", section, p->key);
		struct cfg_node at = *p->value;
		at.line = p->line;
		at.col = p->col;
		if (strlen(p->key) > MAX_NAME) {
			ctx->path[0] = '\0';
			scn_error(ctx, &at, "%s: '%.20s...' is too long for a name (%zu characters; at most %d)",
				  section, p->key, strlen(p->key), MAX_NAME);
			continue;
		}
		if (!good_name(p->key)) {
			ctx->path[0] = '\0';
			scn_error(ctx, &at,
				  "%s: '%s' is not a valid name (letters, digits, '_' and '-')",
				  section, p->key);
			continue;
		}
		if (p->value->type != CFG_MAP) {
			char got[80];
			scn_error(ctx, p->value, "expected a map of settings, got %s",
				  scn_got(p->value, got, sizeof(got)));
			continue;
		}
		const struct model_ops *ops = reg->tenant;
		if (!tenants) {
			struct cfg_node *t = cfg_get(p->value, "type");
			if (!t) {
				scn_error(ctx, &at, "missing required key 'type'");
				continue;
			}
			ops = t->type == CFG_SCALAR ? model_registry_find(reg, t->value) : NULL;
			if (!ops) {
				const char *names[64];
				char list[512] = "";
				size_t k = 0;
				for (; reg->types[k] && k < 63; k++) {
					names[k] = reg->types[k]->name;
					snprintf(list + strlen(list), sizeof(list) - strlen(list),
						 "%s%s", k ? ", " : "", names[k]);
				}
				names[k] = NULL;
				const char *hint = t->type == CFG_SCALAR
						   ? diag_suggest(t->value, names) : NULL;
				size_t len = strlen(ctx->path);
				snprintf(ctx->path + len, sizeof(ctx->path) - len, ".type");
				char got[80];
				if (t->type != CFG_SCALAR || cfg_is_null(t))
					scn_error(ctx, t, "expected a resource type (one of: %s), got %s",
						  list, scn_got(t, got, sizeof(got)));
				else if (hint)
					scn_error(ctx, t, "unknown resource type '%s' (did you mean '%s'?)",
						  t->value, hint);
				else
					scn_error(ctx, t, "unknown resource type '%s'; expected one of: %s",
						  t->value, list);
				continue;
			}
		}
		if (tenants) {
			load_entry(&v[n++], p, ops, NULL, ctx);
			continue;
		}
		load_owner(scn, &v[n], n, p, ops, reg, ctx);
		n++;
	}
	ctx->path[0] = '\0';
	if (tenants) {
		scn->tenants = v;
		scn->n_tenants = n;
	} else {
		scn->resources = v;
		scn->n_resources = n;
	}
}

/* The file's base name without extension, as the default scenario name. */
static struct cfg_node *default_name(const char *path, const char *file)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char buf[256];
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	if (n >= sizeof(buf))
		n = sizeof(buf) - 1;
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		char c = base[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			c = '-';
		buf[k++] = c;
	}
	buf[k] = '\0';
	if (!k)
		strcpy(buf, "scenario");
	struct cfg_node *v = cfg_new_scalar(buf, file, 0, 0);
	v->filled = true;
	return v;
}

int scenario_load(struct scenario *scn, const char *path,
		  const char *const *sets, size_t n_sets,
		  const struct model_registry *reg, struct diag *d)
{
	*scn = (struct scenario){ 0 };
	size_t before = d->errors;
	if (cfg_load_file(&scn->doc, path, d))
		goto fail;
	struct cfg_node *root = scn->doc.root;
	if (root->type != CFG_MAP) {
		diag_error(d, scn->doc.file, root->line, root->col,
			   "expected a map of scenario settings at the top level");
		goto fail;
	}
	for (size_t i = 0; i < n_sets; i++)
		cfg_set_path(root, sets[i], d);
	if (d->errors != before)
		goto fail;

	const char *slash = strrchr(path, '/');
	scn->dir = slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
	if (!scn->dir)
		goto fail;
	struct scn_ctx ctx = { .diag = d, .dir = scn->dir };
	if (!cfg_get(root, "name"))
		cfg_put(root, "name", default_name(path, scn->doc.file));
	scn_walk(&scenario_schema, root, scn, section_keys, &ctx);
	load_section(scn, root, "tenants", reg, &ctx);
	load_section(scn, root, "resources", reg, &ctx);
	scn->assumed = ctx.assumed;
	scn->n_assumed = ctx.n_assumed;
	if (d->errors != before)
		goto fail;
	return 0;
fail:
	scenario_finish(scn);
	return -1;
}

static void free_entries(struct scn_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (v[i].config)
			scn_free(v[i].ops->schema, v[i].config);
		free(v[i].config);
	}
	free(v);
}

void scenario_finish(struct scenario *scn)
{
	free_entries(scn->tenants, scn->n_tenants);
	free_entries(scn->resources, scn->n_resources);
	for (size_t i = 0; i < scn->n_peers; i++)
		free((char *)scn->peers[i].name);
	free_entries(scn->peers, scn->n_peers);
	scn_free(&scenario_schema, scn);
	for (size_t i = 0; i < scn->n_assumed; i++)
		free(scn->assumed[i]);
	free(scn->assumed);
	cfg_doc_finish(&scn->doc);
	free(scn->dir);
	*scn = (struct scenario){ 0 };
}

long scenario_find_tenant(const struct scenario *scn, const char *name)
{
	for (size_t i = 0; i < scn->n_tenants; i++)
		if (!strcmp(scn->tenants[i].name, name))
			return (long)i;
	return -1;
}

const struct model_ops *model_registry_find(const struct model_registry *r,
					    const char *type)
{
	for (size_t i = 0; r->types[i]; i++)
		if (!strcmp(r->types[i]->name, type))
			return r->types[i];
	return NULL;
}
