/* pricing.c - loading and checking a pricing file (see pricing.h). */
#include "reports/pricing.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/alloc.h"
#include "sim/schema.h"

static const char *const status_names[] = { "confirmed", "partial",
					    "unconfirmed", NULL };

#define P(...) SCN_FIELD(struct price, __VA_ARGS__)
#define T(...) SCN_FIELD(struct price_tier, __VA_ARGS__)

static const struct scn_field tier_fields[] = {
	T("up_to", SCN_NUMBER, SCN_F_OPTIONAL, 0, 1e15, NULL, up_to,
	  "the tier ends at this monthly volume (units of the price); the last tier has none"),
	T("usd", SCN_NUMBER, SCN_F_REQUIRED, 0, 1e12, NULL, usd,
	  "price in US dollars for `per` units within the tier"),
};

static void tiers_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx);

static const struct scn_schema tier_schema = {
	.name = "tier",
	.fields = tier_fields,
	.n = sizeof(tier_fields) / sizeof(tier_fields[0]),
};

static const struct scn_field price_fields[] = {
	P("usd", SCN_NUMBER, SCN_F_REQUIRED, 0, 1e12, NULL, usd,
	  "price in US dollars for `per` units"),
	{ .key = "per", .kind = SCN_NUMBER, .min = 0, .max = 1e15,
	  .exclusive_min = true, .dflt = "1", .offset = offsetof(struct price, per),
	  .help = "how many units usd buys" },
	P("unit", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, unit,
	  "what is counted (request, GB-second, GB, hour, ...)"),
	P("fact", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, fact,
	  "the FACTS.md row it comes from"),
	P("source", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, source,
	  "where the price was read (URL)"),
	P("as_of", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, as_of,
	  "when it was read (YYYY-MM-DD)"),
	{ .key = "status", .kind = SCN_ENUM, .names = status_names,
	  .dflt = "confirmed", .min = 1, .max = 0,
	  .offset = offsetof(struct price, status),
	  .help = "confirmed, partial (third-party pages only) or unconfirmed" },
	{ .key = "tiers", .kind = SCN_LIST, .flags = SCN_F_OPTIONAL, .sub = &tier_schema,
	  .elem_size = sizeof(struct price_tier), .offset = offsetof(struct price, tiers),
	  .help = "monthly volume tiers [{up_to, usd}, ..., {usd}] (usd is then the first tier's)" },
};

static const struct scn_schema price_schema = {
	.name = "price",
	.fields = price_fields,
	.n = sizeof(price_fields) / sizeof(price_fields[0]),
	.check = tiers_check,
};

/* Tiers rise, and only the last is open-ended. */
static void tiers_check(void *obj, const struct cfg_node *node, struct scn_ctx *ctx)
{
	const struct price *p = obj;
	const struct price_tier *t = p->tiers.items;
	const struct cfg_node *list = cfg_get(node, "tiers");
	for (size_t i = 0; i < p->tiers.n; i++) {
		const struct cfg_node *at = list && list->type == CFG_SEQ && i < list->n
						    ? list->items[i] : node;
		bool last = i + 1 == p->tiers.n;
		if (last && t[i].up_to > 0)
			scn_error(ctx, at, "tiers: the last tier has no up_to (it has no upper end)");
		else if (!last && !(t[i].up_to > 0))
			scn_error(ctx, at, "tiers: every tier but the last needs up_to > 0");
		else if (!last && i > 0 && t[i].up_to <= t[i - 1].up_to)
			scn_error(ctx, at, "tiers: up_to must rise from tier to tier");
	}
}

double price_tiered_cost(const struct price *p, double volume)
{
	const struct price_tier *t = p->tiers.items;
	if (!p->tiers.n)
		return volume * p->usd / p->per;
	double cost = 0, from = 0;
	for (size_t i = 0; i < p->tiers.n && volume > from; i++) {
		double to = i + 1 < p->tiers.n ? t[i].up_to : volume;
		double in = (volume < to ? volume : to) - from;
		cost += in * t[i].usd / p->per;
		from = to;
	}
	return cost;
}

static const struct scn_field file_fields[] = {
	{ .key = "region", .kind = SCN_STRING, .flags = SCN_F_REQUIRED, .min = 1,
	  .max = 0, .offset = offsetof(struct pricing, region),
	  .help = "the AWS region the prices are for" },
	{ .key = "currency", .kind = SCN_STRING, .flags = SCN_F_REQUIRED, .min = 1,
	  .max = 0, .offset = offsetof(struct pricing, currency),
	  .help = "USD" },
};

static const struct scn_schema file_schema = {
	.name = "pricing",
	.fields = file_fields,
	.n = sizeof(file_fields) / sizeof(file_fields[0]),
};

const char *price_status_name(int status)
{
	return status == PRICE_CONFIRMED ? "confirmed"
	       : status == PRICE_PARTIAL ? "partial"
					 : "UNCONFIRMED";
}

int pricing_load(struct pricing *p, const char *path, struct diag *d)
{
	*p = (struct pricing){ 0 };
	size_t before = d->errors;
	if (cfg_load_file(&p->doc, path, d)) {
		pricing_finish(p);
		return -1;
	}
	struct cfg_node *root = p->doc.root;
	if (root->type != CFG_MAP) {
		diag_error(d, path, root->line, root->col,
			   "expected a map with region, currency and prices");
		pricing_finish(p);
		return -1;
	}
	struct scn_ctx ctx = { .diag = d, .dir = "." };
	static const char *const skip[] = { "prices", NULL };
	scn_walk(&file_schema, root, p, skip, &ctx);
	if (p->currency && strcmp(p->currency, "USD")) {
		const struct cfg_node *c = cfg_get(root, "currency");
		diag_error(d, path, c->line, c->col,
			   "currency: only USD prices are supported, not '%s'",
			   p->currency);
	}
	const struct cfg_node *prices = cfg_get(root, "prices");
	if (!prices || prices->type != CFG_MAP || !prices->n) {
		const struct cfg_node *at = prices ? prices : root;
		diag_error(d, path, at->line, at->col,
			   "prices: expected a map of price keys to {usd, unit, fact, source, as_of}");
		free(ctx.assumed);
		pricing_finish(p);
		return -1;
	}
	p->v = sim_xcalloc(prices->n, sizeof(*p->v));
	for (size_t i = 0; i < prices->n; i++) {
		const struct cfg_pair *pair = &prices->pairs[i];
		snprintf(ctx.path, sizeof(ctx.path), "prices.%s", pair->key);
		if (pair->value->type != CFG_MAP) {
			scn_error(&ctx, pair->value, "expected a map {usd, unit, fact, source, as_of}");
			continue;
		}
		struct price *e = &p->v[p->n];
		if (scn_walk(&price_schema, pair->value, e, NULL, &ctx)) {
			scn_free(&price_schema, e);
			*e = (struct price){ 0 };
			continue;
		}
		e->key = pair->key;
		p->n++;
	}
	free(ctx.assumed);
	if (d->errors != before) {
		pricing_finish(p);
		return -1;
	}
	return 0;
}

void pricing_finish(struct pricing *p)
{
	for (size_t i = 0; i < p->n; i++)
		scn_free(&price_schema, &p->v[i]);
	free(p->v);
	cfg_doc_finish(&p->doc);
	*p = (struct pricing){ 0 };
}

const struct price *pricing_find(const struct pricing *p, const char *key)
{
	if (!key)
		return NULL;
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].key, key))
			return &p->v[i];
	return NULL;
}

#ifndef SPILLWAY_PRICING_DIRS
#define SPILLWAY_PRICING_DIRS "reports/pricing"
#endif

static char *join(const char *dir, const char *file)
{
	size_t n = strlen(dir) + strlen(file) + 2;
	char *s = sim_xrealloc(NULL, n);
	snprintf(s, n, "%s/%s", dir, file);
	return s;
}

char *pricing_path(const struct scenario *scn, struct diag *d)
{
	const struct cfg_node *root = scn->doc.root;
	if (scn->pricing) {
		if (scn->pricing[0] == '/')
			return sim_xstrdup(scn->pricing);
		return join(scn->dir, scn->pricing);
	}
	char file[128];
	snprintf(file, sizeof(file), "%s.yaml", scn->region);
	const char *env = getenv("SPILLWAY_PRICING_DIR");
	if (env && *env) {
		char *path = join(env, file);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	char dirs[] = SPILLWAY_PRICING_DIRS;
	for (char *save = NULL, *dir = strtok_r(dirs, ":", &save); dir;
	     dir = strtok_r(NULL, ":", &save)) {
		char *path = join(dir, file);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	const struct cfg_node *at = cfg_get(root, "region");
	if (!at)
		at = root;
	diag_error(d, at->file, at->line, at->col,
		   "region: no pricing file for '%s' (looked for %s in $SPILLWAY_PRICING_DIR and %s); give one with pricing: FILE",
		   scn->region, file, SPILLWAY_PRICING_DIRS);
	return NULL;
}
