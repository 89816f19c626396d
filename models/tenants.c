/* tenants.c - traffic sources: who sends what to which resource, and when.
 *
 * A tenant sends messages to one entry resource (its `target`), following
 * exactly one arrival process:
 *   poisson   {rate}               exponential inter-arrival times
 *   constant  {rate}               one message every 1/rate, the first at 1/rate
 *   burst     {count, at, over}    count messages evenly spread over [at, at+over)
 *   schedule  [{at, rate}, ...]    piecewise-constant Poisson rate (0 before the first step)
 *   diurnal   {mean, amplitude, peak_at, period}
 *             non-homogeneous Poisson, rate mean*(1 + amplitude*cos(2 pi (t - peak_at)/period)),
 *             drawn by thinning (Lewis and Shedler 1979)
 *   observed  {file, resource, metric | id, spread}
 *             replays a measured series of per-period counts (a CloudWatch
 *             export or a CSV, sim/observed.h), the file's earliest
 *             timestamp at time 0: spread poisson is a schedule with rate
 *             count/period in each period (0 in periods with no point and
 *             after the last); spread exact sends round(count) messages in
 *             each period, the k-th of n at start + (k + 1/2) period / n, so
 *             that counts sampled every period come back exactly. The file
 *             is read and checked at load (configure); the steps go into
 *             the config's `schedule` list.
 * Each message carries its tenant's index (consumers look up the tenant's
 * work_factor and failure_rate through tenants.h) and a size drawn from
 * message_size. Arrival times and sizes
 * come from two streams of their own, named after the tenant.
 *
 * Cohort mode (`cohort: N`): the tenant sends one message standing for N
 * identical ones (its weight; models count, batch, throttle and bill it as
 * N) at 1/N of every rate: Poisson arrivals of cohorts at rate/N, constant
 * ones N/rate apart, a burst of count messages as ceil(count/N) cohorts
 * (the last one holding the remainder). The N messages of a cohort arrive
 * together, share one size and one fate; the approximation and its
 * measured error are in the README ("Cohort mode").
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>

#include "models/describe.h"
#include "models/registry.h"
#include "models/tenants.h"
#include "sim/alloc.h"
#include "sim/observed.h"
#include "sim/rng.h"
#include "sim/run.h"

enum arrivals {
	ARR_POISSON,
	ARR_CONSTANT,
	ARR_BURST,
	ARR_SCHEDULE,
	ARR_DIURNAL,
	ARR_OBSERVED,
};

enum spread { SPREAD_POISSON, SPREAD_EXACT };

struct step {
	sim_time_t at; /* start of the step */
	double rate;   /* per second from then on */
};

struct tenant_config {
	const char *target;            /* entry resource */
	int arrivals;                  /* enum arrivals */
	double poisson_rate;
	double constant_rate;
	int64_t burst_count;
	sim_time_t burst_at;
	sim_time_t burst_over;
	struct scn_list schedule;      /* of struct step */
	double diurnal_mean;
	double diurnal_amplitude;
	sim_time_t diurnal_peak_at;
	sim_time_t diurnal_period;
	const char *obs_file;          /* observed: the export, relative to the scenario */
	const char *obs_resource;      /* observed: the series by resource and metric */
	const char *obs_metric;
	const char *obs_id;            /* observed: or by Id */
	int obs_spread;                /* observed: enum spread */
	sim_time_t obs_period;         /* observed: the series' period (configure) */
	struct sim_dist message_size;  /* bytes */
	const char *group;             /* message group id (defaults to the name) */
	int64_t groups;                /* distinct group ids the messages spread over */
	double work_factor;            /* multiplies processing time */
	double failure_rate;           /* chance a message fails processing */
	int64_t cohort;                /* messages per cohort (1: message by message) */
};

#define F(...) SCN_FIELD(struct tenant_config, __VA_ARGS__)

static const struct scn_field poisson_fields[] = {
	{ .key = "rate", .kind = SCN_RATE, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct tenant_config, poisson_rate),
	  .help = "mean arrivals per unit of time" },
};
static const struct scn_schema poisson_schema = { "poisson", poisson_fields, 1, NULL };

static const struct scn_field constant_fields[] = {
	{ .key = "rate", .kind = SCN_RATE, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct tenant_config, constant_rate),
	  .help = "arrivals per unit of time, evenly spaced" },
};
static const struct scn_schema constant_schema = { "constant", constant_fields, 1, NULL };

static const struct scn_field burst_fields[] = {
	F("count", SCN_INT, SCN_F_REQUIRED, 1, 1e12, NULL, burst_count,
	  "messages in the burst"),
	F("at", SCN_DURATION, 0, 0, 1e9, "0s", burst_at, "when the burst starts"),
	F("over", SCN_DURATION, 0, 0, 1e9, "0s", burst_over,
	  "the burst is spread evenly over this long (0s: all at once)"),
};
static const struct scn_schema burst_schema = { "burst", burst_fields, 3, NULL };

static const struct scn_field step_fields[] = {
	{ .key = "at", .kind = SCN_DURATION, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .offset = offsetof(struct step, at),
	  .help = "start of the step" },
	{ .key = "rate", .kind = SCN_RATE, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .offset = offsetof(struct step, rate),
	  .help = "Poisson rate from then on (0 pauses)" },
};

static void check_steps(void *obj, const struct cfg_node *node,
			struct scn_ctx *ctx);
static const struct scn_schema step_schema = { "step", step_fields, 2, NULL };

static const struct scn_field diurnal_fields[] = {
	{ .key = "mean", .kind = SCN_RATE, .flags = SCN_F_REQUIRED, .min = 0,
	  .max = 1e9, .exclusive_min = true,
	  .offset = offsetof(struct tenant_config, diurnal_mean),
	  .help = "average rate over a period" },
	F("amplitude", SCN_FRACTION, 0, 0, 1, "0%", diurnal_amplitude,
	  "peak-to-mean swing as a fraction of the mean"),
	F("peak_at", SCN_DURATION, 0, 0, 1e9, "14h", diurnal_peak_at,
	  "time of day of the peak"),
	{ .key = "period", .kind = SCN_DURATION, .min = 0, .max = 1e9,
	  .exclusive_min = true, .dflt = "24h",
	  .offset = offsetof(struct tenant_config, diurnal_period),
	  .help = "length of one cycle" },
};
static const struct scn_schema diurnal_schema = { "diurnal", diurnal_fields, 4, NULL };

static const char *const spread_names[] = { "poisson", "exact", NULL };

static const struct scn_field observed_fields[] = {
	F("file", SCN_STRING, SCN_F_REQUIRED, 1, 0, NULL, obs_file,
	  "monitoring export, JSON (aws cloudwatch get-metric-data) or CSV, "
	  "relative to the scenario's directory"),
	F("resource", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, obs_resource,
	  "the series whose label names this resource (with metric)"),
	F("metric", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, obs_metric,
	  "the series whose label names this metric (with resource)"),
	F("id", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, obs_id,
	  "the series with this Id (instead of resource and metric)"),
	{ .key = "spread", .kind = SCN_ENUM, .names = spread_names, .dflt = "poisson",
	  .min = 1, .max = 0, .offset = offsetof(struct tenant_config, obs_spread),
	  .help = "poisson: rate count/period in each period; exact: round(count) "
		  "messages evenly spread over each period" },
};
static const struct scn_schema observed_schema = { "observed", observed_fields, 5, NULL };

static const struct scn_field arrival_alts[] = {
	{ .key = "poisson", .kind = SCN_TABLE, .sub = &poisson_schema,
	  .help = "Poisson process" },
	{ .key = "constant", .kind = SCN_TABLE, .sub = &constant_schema,
	  .help = "deterministic, evenly spaced" },
	{ .key = "burst", .kind = SCN_TABLE, .sub = &burst_schema,
	  .help = "a fixed number of messages at a time" },
	{ .key = "schedule", .kind = SCN_LIST, .sub = &step_schema,
	  .elem_size = sizeof(struct step),
	  .offset = offsetof(struct tenant_config, schedule),
	  .help = "piecewise-constant Poisson rate, steps in increasing time" },
	{ .key = "diurnal", .kind = SCN_TABLE, .sub = &diurnal_schema,
	  .help = "daily cycle (non-homogeneous Poisson)" },
	{ .key = "observed", .kind = SCN_TABLE, .sub = &observed_schema,
	  .help = "replay measured per-period counts from a monitoring export" },
};
static const struct scn_schema arrivals_schema = { "arrivals", arrival_alts, 6, NULL };

static const struct scn_field tenant_fields[] = {
	F("target", SCN_NAME, SCN_F_REQUIRED, 1, 0, NULL, target,
	  "resource the messages are sent to"),
	{ .key = "arrivals", .kind = SCN_ONEOF, .flags = SCN_F_REQUIRED,
	  .sub = &arrivals_schema, .min = 1, .max = 0,
	  .offset = offsetof(struct tenant_config, arrivals),
	  .help = "exactly one arrival process" },
	/* Sizes travel as 32-bit byte counts (draws saturate at 4 GiB - 1)
	 * and no service here takes more than a few MiB: 1 GiB leaves a
	 * station room and refuses absurd sizes (1000TB) at load. */
	{ .key = "message_size", .kind = SCN_DIST, .min = 0, .max = 1073741824.0,
	  .dflt = "1KB", .unit = SIM_UNIT_SIZE,
	  .offset = offsetof(struct tenant_config, message_size),
	  .help = "payload size, a size or a size distribution" },
	F("group", SCN_STRING, SCN_F_OPTIONAL, 1, 0, NULL, group,
	  "message group id (MessageGroupId); defaults to the tenant name"),
	F("groups", SCN_INT, 0, 1, 1e6, "1", groups,
	  "spread messages uniformly at random over this many group ids "
	  "(group#1 .. group#N: e.g. one per customer on a FIFO queue)"),
	{ .key = "work_factor", .kind = SCN_NUMBER, .min = 0, .max = 1e6,
	  .exclusive_min = true, .dflt = "1",
	  .offset = offsetof(struct tenant_config, work_factor),
	  .help = "multiplies processing time (a slow tenant: 5)" },
	F("failure_rate", SCN_FRACTION, 0, 0, 1, "0%", failure_rate,
	  "chance a message fails processing (100%: poison)"),
	F("cohort", SCN_INT, 0, 1, 65535, "1", cohort,
	  "cohort mode: each message sent stands for this many identical ones, "
	  "at 1/N of the rate (only sns_topic, lambda, firehose and fixed take "
	  "them; see the README)"),
};

/* Reports an error at `at` about arrivals.observed.KEY. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void observed_error(struct scn_ctx *ctx, const struct cfg_node *at,
			   const char *key, const char *fmt, ...)
{
	char msg[1024], path[64];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct cfg_node where = { .type = CFG_SCALAR, .file = at->file,
				  .line = at->line, .col = at->col };
	snprintf(path, sizeof(path), "arrivals.observed.%s", key);
	scn_error_key(ctx, &where, path, "%s", msg);
}

/* "Id (label)" of series, comma-separated, into buf. */
static void list_series(const struct obs_set *set, const struct obs_series *const *v,
			size_t n, char *buf, size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n && len + 1 < size; i++) {
		const struct obs_series *s = v ? v[i] : &set->s[i];
		int w = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", s->id);
		if (w > 0)
			len += (size_t)w;
		if (len + 1 < size && strcmp(s->id, s->label)) {
			w = snprintf(buf + len, size - len, " (\"%s\")", s->label);
			if (w > 0)
				len += (size_t)w;
		}
	}
	if (len + 1 >= size && size > 4)
		strcpy(buf + size - 4, "...");
}

/* The series the tenant names, or NULL (reported). */
static const struct obs_series *pick_series(const struct tenant_config *c,
					    const struct obs_set *set,
					    const struct cfg_node *map,
					    struct scn_ctx *ctx)
{
	char list[900];
	if (c->obs_id) {
		const struct cfg_node *at = cfg_get(map, "id");
		if (c->obs_resource || c->obs_metric) {
			observed_error(ctx, at, "id",
				       "give either id or resource and metric, not both");
			return NULL;
		}
		const struct obs_series *s = obs_find_id(set, c->obs_id);
		if (s)
			return s;
		const char **ids = sim_xcalloc(set->n + 1, sizeof(*ids));
		for (size_t i = 0; i < set->n; i++)
			ids[i] = set->s[i].id;
		const char *hint = diag_suggest(c->obs_id, ids);
		list_series(set, NULL, set->n, list, sizeof(list));
		observed_error(ctx, at, "id", "'%s' has no series with Id '%s'%s%s%s; it has %s",
			       set->file, c->obs_id, hint ? " (did you mean '" : "",
			       hint ? hint : "", hint ? "'?)" : "", list);
		free(ids);
		return NULL;
	}
	if (!c->obs_resource || !c->obs_metric) {
		list_series(set, NULL, set->n, list, sizeof(list));
		observed_error(ctx, cfg_get(map, "file"), "file",
			       "name the series with id, or with resource and metric; '%s' has %s",
			       set->file, list);
		return NULL;
	}
	const struct obs_series **hits = sim_xcalloc(set->n + 1, sizeof(*hits));
	size_t n = 0;
	for (size_t i = 0; i < set->n; i++)
		if (obs_match(&set->s[i], c->obs_resource, c->obs_metric))
			hits[n++] = &set->s[i];
	const struct obs_series *s = n == 1 ? hits[0] : NULL;
	if (n == 0) {
		list_series(set, NULL, set->n, list, sizeof(list));
		observed_error(ctx, cfg_get(map, "resource"), "resource",
			       "no series of '%s' names resource '%s' and metric '%s'; it has %s",
			       set->file, c->obs_resource, c->obs_metric, list);
	} else if (n > 1) {
		list_series(set, hits, n, list, sizeof(list));
		observed_error(ctx, cfg_get(map, "resource"), "resource",
			       "%zu series of '%s' name resource '%s' and metric '%s': %s; choose one with id",
			       n, set->file, c->obs_resource, c->obs_metric, list);
	}
	free(hits);
	return s;
}

/* Reads the export, picks the series and turns it into steps of the
 * schedule list: one a period with rate count/period, a step of rate 0
 * after a period with no point next, and after the last. */
static void configure_observed(struct tenant_config *c, const struct cfg_node *node,
			       struct scn_ctx *ctx)
{
	const struct cfg_node *map = cfg_get(cfg_get(node, "arrivals"), "observed");
	const struct cfg_node *at = cfg_get(map, "file");
	if (c->obs_spread == SPREAD_EXACT && c->cohort > 1) {
		observed_error(ctx, cfg_get(map, "spread"), "spread",
			       "spread exact sends every message of the export, which cohort mode cannot (cohort is %lld); use spread: poisson",
			       (long long)c->cohort);
		return;
	}
	char path[1024];
	if (c->obs_file[0] == '/' || !ctx->dir)
		snprintf(path, sizeof(path), "%s", c->obs_file);
	else
		snprintf(path, sizeof(path), "%s/%s", ctx->dir, c->obs_file);
	struct diag d;
	diag_init(&d);
	struct obs_set set;
	if (obs_load(&set, path, &d)) {
		/* The export's own messages, after the scenario's place:
		 * "FILE[:L:C]: error: MSG" becomes "FILE[:L:C]: MSG". */
		for (size_t i = 0; i < d.n; i++) {
			const char *t = d.v[i].text, *e = strstr(t, ": error: ");
			if (e)
				observed_error(ctx, at, "file", "%.*s: %s", (int)(e - t), t,
					       e + strlen(": error: "));
			else
				observed_error(ctx, at, "file", "%s", t);
		}
		diag_finish(&d);
		return;
	}
	diag_finish(&d);
	const struct obs_series *s = pick_series(c, &set, map, ctx);
	char stat[32];
	if (!s) {
		/* reported */
	} else if (s->stat != OBS_STAT_UNSTATED && s->stat != OBS_STAT_SUM &&
		   s->stat != OBS_STAT_SAMPLECOUNT) {
		observed_error(ctx, at, "file",
			       "arrivals need counts (Sum); series '%s' of '%s' holds %s",
			       s->id, set.file,
			       obs_stat_name(s->stat, s->percentile, stat, sizeof(stat)));
	} else if (s->n < 2) {
		observed_error(ctx, at, "file",
			       "series '%s' of '%s' has %zu point%s: its period is unknown",
			       s->id, set.file, s->n, s->n == 1 ? "" : "s");
	} else if (s->period < 1e-3) {
		observed_error(ctx, at, "file",
			       "series '%s' of '%s' has points %g s apart; periods under 1 ms are not counts of messages over time",
			       s->id, set.file, s->period);
	} else {
		size_t bad = s->n;
		for (size_t i = 0; i < s->n && bad == s->n; i++)
			if (s->v[i] < 0)
				bad = i;
		if (bad < s->n) {
			char when[64];
			observed_error(ctx, at, "file",
				       "series '%s' of '%s' has a negative count (%g at %s)",
				       s->id, set.file, s->v[bad],
				       obs_format_time(s->t[bad], when, sizeof(when)));
		} else {
			struct step *v = sim_xcalloc(2 * s->n, sizeof(*v));
			size_t k = 0;
			for (size_t i = 0; i < s->n; i++) {
				double from = s->t[i] - set.t0, to = from + s->period;
				v[k++] = (struct step){ sim_time_from_s(from),
							s->v[i] / s->period };
				if (i + 1 == s->n || s->t[i + 1] - set.t0 > to)
					v[k++] = (struct step){ sim_time_from_s(to), 0 };
			}
			c->schedule.items = v;
			c->schedule.n = k;
			c->obs_period = sim_time_from_s(s->period);
		}
	}
	obs_finish(&set);
}

static void tenant_configure(void *config, const struct cfg_node *node,
			     struct scn_ctx *ctx)
{
	struct tenant_config *c = config;
	if (c->arrivals == ARR_SCHEDULE)
		check_steps(c, node, ctx);
	if (c->arrivals == ARR_OBSERVED)
		configure_observed(c, node, ctx);
}

/* Steps must start in strictly increasing time. */
static void check_steps(void *obj, const struct cfg_node *node,
			struct scn_ctx *ctx)
{
	const struct tenant_config *c = obj;
	const struct step *v = c->schedule.items;
	const struct cfg_node *list = cfg_get(cfg_get(node, "arrivals"), "schedule");
	for (size_t i = 1; i < c->schedule.n; i++) {
		if (v[i].at > v[i - 1].at)
			continue;
		char key[64];
		snprintf(key, sizeof(key), "arrivals.schedule[%zu].at", i);
		const struct cfg_node *at = cfg_get(list->items[i], "at");
		struct cfg_node where = *node;
		where.line = at->line;
		where.col = at->col;
		scn_error_key(ctx, &where, key,
			      "steps must be in increasing time (after %s)",
			      cfg_get(list->items[i - 1], "at")->value);
		return;
	}
}

static const struct scn_schema tenant_schema = {
	.name = "tenant",
	.fields = tenant_fields,
	.n = sizeof(tenant_fields) / sizeof(tenant_fields[0]),
};

struct tenant {
	struct model base;               /* must be first */
	const struct tenant_config *cfg; /* scenario-owned */
	struct model *target;            /* entry resource */
	gsl_rng *arrival_rng;            /* inter-arrival times, thinning */
	gsl_rng *size_rng;               /* message sizes */
	uint64_t k;                      /* messages generated so far */
	size_t step;                     /* schedule, observed: current step */
	uint64_t j;                      /* observed exact: messages of the step so far */
	double lambda_max;               /* diurnal: thinning bound */
	uint32_t const_size;             /* message_size when it is constant */
	gsl_rng *group_rng;              /* group choice, when groups > 1 */
	uint32_t group_base;             /* run-wide index of group#1 */
	uint32_t groups_end;             /* 1 + the largest group index so far */
	uint32_t group_first;            /* the first tenant with its group name */
	double n;                        /* cfg->cohort as a divisor of rates */
	int64_t cohorts;                 /* burst: cohorts to send */
};

/* The tenant's group name: `group`, or its own name. */
static const char *group_name(const struct tenant *t)
{
	return t->cfg->group ? t->cfg->group : t->base.name;
}

/* Orders tenants by group name, then position. */
static int by_group(const void *a, const void *b)
{
	const struct tenant *x = *(const struct tenant *const *)a;
	const struct tenant *y = *(const struct tenant *const *)b;
	int c = strcmp(group_name(x), group_name(y));
	return c ? c : (x->base.index > y->base.index) - (x->base.index < y->base.index);
}

/* Sets every tenant's group_first: one sort of the run's tenants rather
 * than a scan of the earlier ones for each (which made 40,000 tenants
 * take seconds to link). */
static void find_group_firsts(struct sim_run *run)
{
	size_t n = run->n_tenants;
	struct tenant **v = sim_xcalloc(n ? n : 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = (struct tenant *)run->tenants[i];
	qsort(v, n, sizeof(*v), by_group);
	for (size_t i = 0; i < n; i++)
		v[i]->group_first = i && !strcmp(group_name(v[i - 1]), group_name(v[i]))
					    ? v[i - 1]->group_first : v[i]->base.index;
	free(v);
}

/* Gives t its run-wide group indices: those of an earlier tenant with the
 * same group name (the same MessageGroupId is the same group), or the next
 * free ones. Tenants are linked in order, so earlier ones have theirs. */
static int assign_groups(struct tenant *t, struct sim_run *run)
{
	uint32_t i = t->base.index;
	const struct tenant *prev = i ? (const struct tenant *)run->tenants[i - 1] : NULL;
	t->groups_end = prev ? prev->groups_end : 0;
	if (i == 0)
		find_group_firsts(run);
	if (t->group_first < i) {
		const struct tenant *o = (const struct tenant *)run->tenants[t->group_first];
		if (o->cfg->groups != t->cfg->groups) {
			const struct cfg_node *n = cfg_get(t->base.node, "groups");
			if (!n)
				n = t->base.node;
			diag_error(run->diag, n->file, n->line, n->col,
				   "tenants.%s.groups: group '%s' is shared with tenant '%s', which spreads it over %lld group ids, not %lld",
				   t->base.name, group_name(t), o->base.name,
				   (long long)o->cfg->groups, (long long)t->cfg->groups);
			return -1;
		}
		t->group_base = o->group_base;
		return 0;
	}
	if ((uint64_t)t->groups_end + (uint64_t)t->cfg->groups > UINT32_MAX) {
		diag_error(run->diag, t->base.node->file, t->base.node->line,
			   t->base.node->col,
			   "tenants.%s.groups: more than %u message groups in all",
			   t->base.name, UINT32_MAX);
		return -1;
	}
	t->group_base = t->groups_end;
	t->groups_end += (uint32_t)t->cfg->groups;
	return 0;
}

static void on_arrival(struct sim *s, void *target, uint64_t arg);

/* A size draw as whole bytes, saturating at 4 GiB - 1. */
static uint32_t bytes(double size)
{
	return size >= 4294967295.0 ? UINT32_MAX : (uint32_t)(size + 0.5);
}

/* A new message of t sent at `at`; counts it as sent. */
static struct sim_msg make_message(struct tenant *t, sim_time_t at)
{
	struct sim_msg msg = {
		.sent_at = at,
		.tenant = t->base.index,
		.group = t->group_base,
	};
	msg.size = t->cfg->message_size.kind == SIM_DIST_CONSTANT
			   ? t->const_size
			   : bytes(sim_dist_sample(&t->cfg->message_size, t->size_rng));
	if (t->cfg->groups > 1)
		msg.group += (uint32_t)gsl_rng_uniform_int(t->group_rng,
							   (unsigned long)t->cfg->groups);
	if (t->cfg->cohort > 1) {
		/* A burst's last cohort holds what is left of its count. */
		int64_t w = t->cfg->cohort;
		if (t->cfg->arrivals == ARR_BURST && (int64_t)t->k == t->cohorts)
			w = t->cfg->burst_count - (t->cohorts - 1) * t->cfg->cohort;
		msg.weight = (uint16_t)w;
	}
	sim_run_tenant(t->base.run, t->base.index)->sent += sim_msg_weight(&msg);
	return msg;
}

static void send(struct tenant *t, struct sim *s)
{
	struct sim_msg msg = make_message(t, s->now);
	t->target->ops->accept(t->target, s, &msg);
}

double tenant_expected_messages(const void *config, sim_time_t horizon)
{
	const struct tenant_config *c = config;
	double h = sim_time_to_s(horizon), n = 0;
	switch (c->arrivals) {
	case ARR_POISSON:
		n = c->poisson_rate * h;
		break;
	case ARR_CONSTANT:
		n = c->constant_rate * h;
		break;
	case ARR_BURST:
		n = (double)c->burst_count;
		break;
	case ARR_SCHEDULE:
	case ARR_OBSERVED: {
		/* observed: exact sends each period's count, poisson as many
		 * on average. */
		const struct step *v = c->schedule.items;
		for (size_t i = 0; i < c->schedule.n; i++) {
			double from = sim_time_to_s(v[i].at);
			double to = i + 1 < c->schedule.n ? sim_time_to_s(v[i + 1].at) : h;
			if (to > h)
				to = h;
			if (to > from)
				n += v[i].rate * (to - from);
		}
		break;
	}
	case ARR_DIURNAL:
		n = c->diurnal_mean * (1 + c->diurnal_amplitude) * h;
		break;
	}
	return n / (double)c->cohort;
}

double tenant_work_factor(const struct sim_run *run, uint32_t tenant)
{
	const struct tenant *t = (const struct tenant *)run->tenants[tenant];
	return t->cfg->work_factor;
}

double tenant_failure_rate(const struct sim_run *run, uint32_t tenant)
{
	const struct tenant *t = (const struct tenant *)run->tenants[tenant];
	return t->cfg->failure_rate;
}

struct sim_msg tenant_make_message(struct sim_run *run, uint32_t tenant,
				   sim_time_t at)
{
	return make_message((struct tenant *)run->tenants[tenant], at);
}

/* Draws an exponential gap at `rate` per second. */
static sim_time_t gap(struct tenant *t, double rate)
{
	return sim_time_from_s(gsl_ran_exponential(t->arrival_rng, 1.0 / rate));
}

/* Schedule: next event at a Poisson draw within the current step, or at the
 * next step's start (arg 0: no message, just a change of rate). */
static bool next_step_arrival(struct tenant *t, struct sim *s, sim_time_t *at,
			      uint64_t *arg)
{
	const struct step *v = t->cfg->schedule.items;
	size_t n = t->cfg->schedule.n;
	while (t->step + 1 < n && v[t->step + 1].at <= s->now)
		t->step++;
	sim_time_t boundary = SIM_TIME_MAX;
	*arg = 0;
	if (s->now < v[0].at) {
		*at = v[0].at;
		return true;
	}
	if (t->step + 1 < n)
		boundary = v[t->step + 1].at;
	double rate = v[t->step].rate / t->n;
	*at = rate > 0 ? sim_time_add(s->now, gap(t, rate)) : SIM_TIME_MAX;
	if (*at >= boundary) {
		*at = boundary;
		return boundary != SIM_TIME_MAX;
	}
	*arg = 1;
	return true;
}

/* Observed, exact: the k-th of a period's n = round(count) messages at
 * its start + (k + 1/2) period / n; false after the last period. */
static bool next_exact_arrival(struct tenant *t, sim_time_t *at)
{
	const struct step *v = t->cfg->schedule.items;
	size_t n = t->cfg->schedule.n;
	double period = sim_time_to_s(t->cfg->obs_period);
	for (; t->step < n; t->step++, t->j = 0) {
		double count = round(v[t->step].rate * period);
		if ((double)t->j < count) {
			*at = sim_time_add(v[t->step].at,
					   sim_time_from_s(period * ((double)t->j + 0.5) / count));
			t->j++;
			return true;
		}
	}
	return false;
}

static double diurnal_rate(const struct tenant *t, sim_time_t now)
{
	const struct tenant_config *c = t->cfg;
	double phase = sim_time_to_s(now - c->diurnal_peak_at) /
		       sim_time_to_s(c->diurnal_period);
	return c->diurnal_mean / t->n *
	       (1 + c->diurnal_amplitude * cos(2 * 3.14159265358979323846 * phase));
}

/* The next arrival (or candidate arrival, arg 2; arg 0: a change of rate
 * only) after now: its time and argument, or false when there is none. */
static bool next_arrival(struct tenant *t, struct sim *s, sim_time_t *at,
			 uint64_t *arg)
{
	const struct tenant_config *c = t->cfg;
	*arg = 1;
	switch (c->arrivals) {
	case ARR_POISSON:
		*at = sim_time_add(s->now, gap(t, c->poisson_rate / t->n));
		return true;
	case ARR_CONSTANT:
		/* k-th arrival at k/rate, computed from k so no drift accrues. */
		*at = sim_time_from_s((double)(t->k + 1) * t->n / c->constant_rate);
		return true;
	case ARR_BURST:
		if ((int64_t)t->k >= t->cohorts)
			return false;
		*at = c->burst_at + (sim_time_t)((double)c->burst_over * (double)t->k /
						 (double)t->cohorts);
		return true;
	case ARR_SCHEDULE:
		return next_step_arrival(t, s, at, arg);
	case ARR_OBSERVED:
		if (c->obs_spread == SPREAD_EXACT)
			return next_exact_arrival(t, at);
		return next_step_arrival(t, s, at, arg);
	case ARR_DIURNAL:
		*arg = 2;
		*at = sim_time_add(s->now, gap(t, t->lambda_max));
		return true;
	}
	return false;
}

static void on_arrival(struct sim *s, void *target, uint64_t arg)
{
	struct tenant *t = target;
	sim_time_t at;
	/* An arrival due before anything else pending runs here at once
	 * (sim_claim) rather than through the event heap: in a burst most
	 * arrivals do. */
	do {
		if (arg == 2) {
			/* Thinning: keep the candidate with probability
			 * rate(t)/max. */
			if (gsl_rng_uniform(t->arrival_rng) * t->lambda_max <
			    diurnal_rate(t, s->now))
				arg = 1;
		}
		if (arg == 1) {
			t->k++;
			send(t, s);
		}
		if (!next_arrival(t, s, &at, &arg))
			return;
	} while (sim_claim(s, at));
	sim_schedule(s, at, on_arrival, t, arg);
}

static struct model *tenant_create(const void *config, const char *name,
				   struct sim_run *run)
{
	struct tenant *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->cfg = config;
	/* Streams are made here rather than in start: resources start first,
	 * and a queue's initial backlog draws sizes from them. */
	uint64_t seed = (uint64_t)run->scn->seed;
	t->arrival_rng = sim_rng_stream(seed, run->replication, name, "arrivals");
	t->size_rng = sim_rng_stream(seed, run->replication, name, "size");
	if (t->cfg->groups > 1)
		t->group_rng = sim_rng_stream(seed, run->replication, name, "group");
	if (!t->arrival_rng || !t->size_rng ||
	    (t->cfg->groups > 1 && !t->group_rng)) {
		gsl_rng_free(t->arrival_rng);
		gsl_rng_free(t->size_rng);
		gsl_rng_free(t->group_rng);
		free(t);
		return NULL;
	}
	t->n = (double)t->cfg->cohort;
	t->cohorts = (t->cfg->burst_count + t->cfg->cohort - 1) / t->cfg->cohort;
	t->lambda_max = t->cfg->diurnal_mean / t->n * (1 + t->cfg->diurnal_amplitude);
	if ((uint32_t)t->cfg->cohort > run->cohort)
		run->cohort = (uint32_t)t->cfg->cohort;
	t->const_size = bytes(t->cfg->message_size.a);
	return &t->base;
}

static int tenant_link(struct model *m, struct sim_run *run)
{
	struct tenant *t = (struct tenant *)m;
	if (assign_groups(t, run))
		return -1;
	t->target = sim_run_find(run, t->cfg->target);
	const struct cfg_node *n = cfg_get(m->node, "target");
	if (!t->target) {
		const char **names = calloc(run->n_resources + 1, sizeof(*names));
		for (size_t i = 0; names && i < run->n_resources; i++)
			names[i] = run->resources[i]->name;
		const char *hint = names ? diag_suggest(t->cfg->target, names) : NULL;
		diag_error(run->diag, n->file, n->line, n->col,
			   "tenants.%s.target: no resource named '%s'%s%s%s",
			   m->name, t->cfg->target, hint ? " (did you mean '" : "",
			   hint ? hint : "", hint ? "'?)" : "");
		free(names);
		return -1;
	}
	if (!t->target->ops->accept) {
		diag_error(run->diag, n->file, n->line, n->col,
			   "tenants.%s.target: '%s' is of type %s, which takes no messages from tenants",
			   m->name, t->cfg->target, t->target->ops->name);
		return -1;
	}
	if (t->cfg->cohort > 1) {
		/* Every resource that takes messages must count one as its
		 * weight: cohorts travel anywhere downstream. (Resources that
		 * only serve calls, such as a dynamodb table, are refused by
		 * their callers: see lambda.c.) */
		const struct cfg_node *c = cfg_get(m->node, "cohort");
		for (size_t i = 0; i < run->n_resources; i++) {
			const struct model *r = run->resources[i];
			if (r->ops->cohorts || !r->ops->accept)
				continue; /* it takes them, or takes no messages */
			diag_error(run->diag, c->file, c->line, c->col,
				   "tenants.%s.cohort: cohort mode needs every resource to take weighted messages; '%s' (type %s) does not (supported: sns_topic, lambda, firehose, fixed)",
				   m->name, r->name, r->ops->name);
			return -1;
		}
	}
	return 0;
}

static void tenant_start(struct model *m, struct sim *s)
{
	struct tenant *t = (struct tenant *)m;
	sim_time_t at;
	uint64_t arg;
	if (next_arrival(t, s, &at, &arg))
		sim_schedule(s, at, on_arrival, t, arg);
}

static void tenant_destroy(struct model *m)
{
	struct tenant *t = (struct tenant *)m;
	if (!t)
		return;
	gsl_rng_free(t->arrival_rng);
	gsl_rng_free(t->size_rng);
	gsl_rng_free(t->group_rng);
	free(t);
}

/* What the reports read of a tenant (sim/report_desc.h). */
static void tenant_facts(const struct scenario *scn, const struct scn_entry *e,
			 struct model_facts *f)
{
	(void)scn;
	f->roles = MODEL_SENDER;
	f->target = desc_scalar(e->node, "target");
	f->message_size_text = desc_scalar(e->node, "message_size");
}

static void tenant_describe(const struct scn_entry *e, const char **target,
			    const struct cfg_node **arrivals, const struct cfg_node **size,
			    const char **group)
{
	const struct cfg_node *g = cfg_get(e->node, "group");
	const struct cfg_node *t = cfg_get(e->node, "target");
	*target = t ? t->value : NULL;
	*arrivals = cfg_get(e->node, "arrivals");
	*size = cfg_get(e->node, "message_size");
	*group = g && g->type == CFG_SCALAR ? g->value : e->name;
}

static void tenant_edges(const struct scn_entry *e, struct model_edge_sink *k)
{
	const struct cfg_node *target = cfg_get(e->node, "target");
	k->edge(k, e->name, target ? target->value : "", "sends", NULL);
}

static const struct model_report tenant_report = {
	.facts = tenant_facts,
	.edges = tenant_edges,
	.describe = tenant_describe,
};

const struct model_ops tenant_ops = {
	.name = "tenant",
	.help = "traffic source: arrivals, message size, work factor",
	.schema = &tenant_schema,
	.config_size = sizeof(struct tenant_config),
	.configure = tenant_configure,
	.create = tenant_create,
	.link = tenant_link,
	.start = tenant_start,
	.destroy = tenant_destroy,
	.report = &tenant_report,
};
