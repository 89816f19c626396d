/* account.c - the Lambda concurrency of one AWS account and Region.
 *
 * Every function draws concurrent executions from the account's
 * concurrency_limit. A function with reserved_concurrency owns that many
 * (a floor and a ceiling); the others share what is left, the unreserved
 * pool. AWS keeps at least 100 unreserved.
 *   default limit 1,000 per Region:
 *     https://docs.aws.amazon.com/lambda/latest/dg/limits.html (FACTS 3,
 *     "Default account concurrency")
 *   reserved is floor and ceiling; 100 stay unreserved:
 *     https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency
 *     (FACTS 3, "Reserved concurrency")
 */
#include <stdlib.h>
#include <string.h>

#include "models/account.h"
#include "models/describe.h"
#include "models/registry.h"
#include "sim/metrics.h"
#include "sim/stats.h"

struct account_config {
	int64_t concurrency_limit;
};

static const struct scn_field account_fields[] = {
	/* FACTS 3 "Default account concurrency": 1,000 per Region. */
	{ .key = "concurrency_limit", .kind = SCN_INT, .min = 100, .max = 1e7,
	  .dflt = "1000", .offset = offsetof(struct account_config, concurrency_limit),
	  .help = "concurrent executions of all functions in the account and Region" },
};

static const struct scn_schema account_schema = {
	.name = "account",
	.fields = account_fields,
	.n = sizeof(account_fields) / sizeof(account_fields[0]),
};

/* The minimum AWS keeps unreserved. */
#define UNRESERVED_MIN 100

struct account {
	struct model base;        /* must be first */
	int64_t limit;            /* concurrency_limit */
	int64_t reserved;         /* sum of the functions' reservations */
	int64_t in_use;           /* all concurrent executions */
	int64_t unreserved_in_use;/* those of functions without a reservation */
	int64_t peak;             /* highest in_use in the window */
	uint64_t throttles;       /* throttles of all functions */
	struct sim_twa level;     /* time average of in_use */
};

static const struct account_config default_config = { 1000 };

static struct model *account_create(const void *config, const char *name,
				    struct sim_run *run)
{
	struct account *a = calloc(1, sizeof(*a));
	(void)name;
	(void)run;
	if (a)
		a->limit = ((const struct account_config *)config)->concurrency_limit;
	return &a->base;
}

static void account_start(struct model *m, struct sim *s)
{
	struct account *a = (struct account *)m;
	sim_twa_init(&a->level, s->now, 0);
}

static void account_restart(struct model *m, struct sim *s)
{
	struct account *a = (struct account *)m;
	sim_twa_restart(&a->level, s->now);
	a->peak = a->in_use;
	a->throttles = 0;
}

static void account_sample(struct model *m, struct sim *s,
			   struct sim_recorder *rec)
{
	struct account *a = (struct account *)m;
	sim_recorder_put(rec, s->now, m->name, METRIC_CONCURRENT_EXECUTIONS,
			 (double)a->in_use);
	sim_recorder_put(rec, s->now, m->name, "UnreservedConcurrentExecutions",
			 (double)a->unreserved_in_use);
}

static void account_finish(struct model *m, struct sim *s,
			   struct sim_results *res)
{
	struct account *a = (struct account *)m;
	sim_results_put(res, m->name, METRIC_CONCURRENT_EXECUTIONS, "executions",
			sim_twa_mean(&a->level, s->now));
	sim_results_put(res, m->name, METRIC_CONCURRENT_EXECUTIONS METRIC_MAX, "executions",
			(double)a->peak);
	sim_results_put(res, m->name, METRIC_THROTTLES, "count", (double)a->throttles);
}

static void account_destroy(struct model *m)
{
	free(m);
}

/* What the review reads of an account (sim/report_desc.h). */
static void account_facts(const struct scenario *scn, const struct scn_entry *e,
			  struct model_facts *f)
{
	(void)scn;
	f->roles = MODEL_ACCOUNT;
	f->concurrency_limit = desc_count(e->node, "concurrency_limit");
}

static const struct model_report account_report = {
	.facts = account_facts,
};

const struct model_ops account_ops = {
	.name = "account",
	.help = "AWS account Lambda concurrency shared by all functions (default 1,000)",
	.schema = &account_schema,
	.config_size = sizeof(struct account_config),
	.create = account_create,
	.start = account_start,
	.restart = account_restart,
	.sample = account_sample,
	.finish = account_finish,
	.destroy = account_destroy,
	.report = &account_report,
};

struct account *account_for(struct sim_run *run, const char *name,
			    const struct cfg_node *where, const char *who)
{
	struct model *found = NULL;
	size_t count = 0;
	for (size_t i = 0; i < run->n_resources; i++) {
		struct model *m = run->resources[i];
		if (m->ops != &account_ops)
			continue;
		count++;
		if (!name || !strcmp(m->name, name))
			found = m;
	}
	for (size_t i = 0; !found && !name && i < run->n_implicit; i++)
		if (run->implicit[i]->ops == &account_ops)
			found = run->implicit[i];
	if (name && !found) {
		diag_error(run->diag, where->file, where->line, where->col,
			   "%s.account: no account resource named '%s'", who, name);
		return NULL;
	}
	if (!name && count > 1) {
		diag_error(run->diag, where->file, where->line, where->col,
			   "%s: the scenario has %zu accounts; name one with account:",
			   who, count);
		return NULL;
	}
	if (!found) {
		found = account_create(&default_config, "account", run);
		sim_run_adopt(run, found, &account_ops, "account");
	}
	return (struct account *)found;
}

int account_reserve(struct account *a, int64_t n, const struct cfg_node *where,
		    const char *who)
{
	if (a->limit - a->reserved - n < UNRESERVED_MIN) {
		diag_error(a->base.run->diag, where->file, where->line, where->col,
			   "%s.reserved_concurrency: %lld would leave %lld of the account's %lld unreserved; AWS keeps at least %d",
			   who, (long long)n, (long long)(a->limit - a->reserved - n),
			   (long long)a->limit, UNRESERVED_MIN);
		return -1;
	}
	a->reserved += n;
	return 0;
}

bool account_acquire_n(struct account *a, struct sim *s, bool reserved, int64_t n)
{
	if (!reserved) {
		if (a->unreserved_in_use + n > a->limit - a->reserved)
			return false;
		a->unreserved_in_use += n;
	}
	a->in_use += n;
	if (a->in_use > a->peak)
		a->peak = a->in_use;
	sim_twa_set(&a->level, s->now, (double)a->in_use);
	return true;
}

bool account_acquire(struct account *a, struct sim *s, bool reserved)
{
	return account_acquire_n(a, s, reserved, 1);
}

void account_release_n(struct account *a, struct sim *s, bool reserved, int64_t n)
{
	if (!reserved)
		a->unreserved_in_use -= n;
	a->in_use -= n;
	sim_twa_set(&a->level, s->now, (double)a->in_use);
}

void account_release(struct account *a, struct sim *s, bool reserved)
{
	account_release_n(a, s, reserved, 1);
}

int64_t account_unreserved_free(const struct account *a)
{
	return a->limit - a->reserved - a->unreserved_in_use;
}

void account_count_throttles(struct account *a, uint64_t n)
{
	a->throttles += n;
}

void account_count_throttle(struct account *a)
{
	account_count_throttles(a, 1);
}
