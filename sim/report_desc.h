/* report_desc.h - what a resource type tells the readers of its results.
 *
 * reports/ draws plots, prices cost groups, judges review rules and draws
 * the architecture of any scenario without knowing a single resource type:
 * each type's ops table (sim/model.h) points at a `struct model_report`
 * saying which of its time series go on which plot, which resources' cost
 * it groups under its name, the facts the review rules read (queue,
 * function, account... as roles, never as type names) and the edges it
 * adds to the architecture. Everything here is AWS-free: the AWS knowledge
 * is in the tables the models fill in (models/<type>.c).
 *
 * Every field and hook may be left NULL or zero: that type has nothing to
 * say there. Strings are static or scenario-owned: they live as long as
 * the scenario.
 */
#ifndef SPILLWAY_SIM_REPORT_DESC_H
#define SPILLWAY_SIM_REPORT_DESC_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

struct cfg_node;
struct scenario;
struct scn_entry;

/* Plots ------------------------------------------------------------------- */

/* One time-series plot; several types may draw on the same one (share the
 * object). Plots are drawn in increasing rank. */
struct model_plot {
	const char *name;   /* file stem in plots/ */
	const char *title;
	const char *ylabel;
	int rank;           /* order among the plots */
};

/* Where a type's plot hooks put their lines (reports/ implements it). */
struct model_plot_sink {
	/* A line: resource's time series `metric`, labelled "RESOURCE WHAT",
	 * every value times scale; nothing when the run has no such series. */
	void (*series)(struct model_plot_sink *k, const struct model_plot *p,
		       const char *resource, const char *metric, const char *what,
		       double scale);
	/* A dashed horizontal line at value. */
	void (*limit)(struct model_plot_sink *k, const struct model_plot *p,
		      double value, const char *label);
};

/* A series every resource of the type draws. */
struct model_series {
	const struct model_plot *plot;
	const char *metric;   /* time-series metric name */
	const char *what;     /* label after the resource name */
	bool per_second;      /* a count per sample interval, drawn per second */
};

/* The comparison table (printed after the cost) ----------------------------- */

enum model_col_kind {
	MODEL_COL_COUNT,      /* %.6g */
	MODEL_COL_MS,         /* milliseconds, whole, "ms" */
	MODEL_COL_S,          /* seconds with two decimals, "s" */
};

struct model_column {
	const char *header;
	int header_width;     /* right-aligned header width */
	const char *metric;   /* summary metric, its mean over replications */
	int kind;             /* enum model_col_kind */
	int width;            /* value width (before the unit) */
};

/* The type's resources side by side: resource, a label, the columns, and
 * the cost of the resource's cost group per 1,000 of the first column. */
struct model_table {
	const char *intro;         /* the line above the table */
	const char *label_header;  /* the second column's header */
	const struct model_column *cols;
	size_t n_cols;
	const char *per_1k_header; /* the last column's header */
	/* The second column of e's row. */
	void (*label)(const struct scn_entry *e, char *buf, size_t size);
};

/* Review facts ----------------------------------------------------------- */

/* What a resource is, for the rules (a type may play several roles). */
enum model_role {
	MODEL_QUEUE = 1 << 0,      /* holds messages until a consumer deletes them */
	MODEL_FUNCTION = 1 << 1,   /* runs invocations under a concurrency limit */
	MODEL_ACCOUNT = 1 << 2,    /* a concurrency limit its functions share */
	MODEL_TABLE = 1 << 3,      /* throttles reads and writes */
	MODEL_DATA_PATH = 1 << 4,  /* bills the data it carries per GB */
	MODEL_ROUTER = 1 << 5,     /* delivers to targets by rules */
	MODEL_WORKFLOW = 1 << 6,   /* executions that may fail */
	MODEL_DEPENDENCY = 1 << 7, /* something called that may be down */
	MODEL_SENDER = 1 << 8,     /* a tenant: sends messages to a target */
};

/* The facts of one resource (or tenant); absent numbers are NAN unless
 * said otherwise. */
struct model_facts {
	unsigned roles;               /* enum model_role bits */
	/* A queue. */
	const char *dead_letter;      /* where its failures move, NULL: nowhere */
	double max_receive_count;     /* receives before that, -1: none */
	const char *max_size_text;    /* its message size limit as written */
	double max_size;              /* the same in bytes */
	double visibility_timeout;    /* seconds */
	double retention;             /* seconds */
	const char *retention_key;    /* the key of the retention (for a fix) */
	bool ordered;                 /* delivers in order (takes no batching window) */
	/* A function. */
	double timeout;               /* seconds */
	double reserved;              /* reserved concurrency, -1: none */
	const char *reserved_key;     /* its key (for a fix) */
	const char *account;          /* the account it names, NULL: the default */
	const char *default_account;  /* the account's name when none is named */
	double default_limit;         /* that account's concurrency limit */
	double unreserved;            /* concurrency an account keeps unreserved */
	double downstream_outage;     /* longest outage of what it calls, s (0) */
	/* An account. */
	double concurrency_limit;
	/* A dependency. */
	double outage;                /* its longest outage window, s (0: none) */
	/* A workflow. */
	const char *failure_queue;    /* where failed inputs go, NULL: nowhere */
	/* A data path. */
	const char *price_key;        /* its per-GB price */
	const char *cheaper_price_key;/* the per-GB price of the alternative */
	/* A sender. */
	const char *target;           /* where it sends */
	const char *message_size_text;/* a fixed message size as written, or NULL */
};

/* f with no role: numbers NAN, counts -1, outages 0, names NULL. */
static inline void model_facts_init(struct model_facts *f)
{
	*f = (struct model_facts){
		.max_receive_count = -1, .max_size = NAN, .visibility_timeout = NAN,
		.retention = NAN, .timeout = NAN, .reserved = -1, .default_limit = NAN,
		.unreserved = NAN, .concurrency_limit = NAN,
	};
}

/* An event source that polls a queue for a function. */
struct model_poller {
	const char *consumer;         /* the function it invokes */
	const char *queue;            /* the queue it polls */
	char path[320];               /* its scenario path (for fixes) */
	char metrics[600];            /* the resource its own metrics are under */
	double max_concurrency;       /* concurrent batches, -1: no cap */
	double batch_size;            /* -1: absent */
	double batching_window;       /* seconds */
	bool retries;                 /* failures go to a scheduler retry */
	bool provisioned;             /* provisioned pollers */
};

/* A router's delivery rule. */
struct model_delivery {
	char path[64];                /* where it is in the resource (for texts) */
	const char *target;
	bool dead_lettered;           /* has a dead-letter queue */
};

/* The architecture ------------------------------------------------------- */

/* Where a type's edge hook puts its edges: from -> to, described by `how`,
 * else by `flow` (a YAML node shown flow style). */
struct model_edge_sink {
	void (*edge)(struct model_edge_sink *k, const char *from, const char *to,
		     const char *how, const struct cfg_node *flow);
};

/* All of it. */
struct model_report {
	/* Plots. */
	const struct model_series *series;
	size_t n_series;
	/* Lines that depend on e's configuration, after its series. */
	void (*plot)(const struct scenario *scn, const struct scn_entry *e,
		     struct model_plot_sink *k);
	/* Once per type present, after every resource's lines. */
	void (*plot_end)(const struct scenario *scn, struct model_plot_sink *k);

	/* The comparison table, and which resources' meters count as e's (its
	 * own and those it drives): the names, at most max, how many. */
	const struct model_table *table;
	size_t (*cost_group)(const struct scn_entry *e, const char **names, size_t max);

	/* Review facts of e, into f as model_facts_init() leaves it. */
	void (*facts)(const struct scenario *scn, const struct scn_entry *e,
		      struct model_facts *f);
	/* The i-th event source e runs (false past the last). */
	bool (*poller)(const struct scn_entry *e, size_t i, struct model_poller *p);
	/* The i-th delivery rule of e (false past the last). */
	bool (*delivery)(const struct scn_entry *e, size_t i, struct model_delivery *d);

	/* The architecture edges e sets up. */
	void (*edges)(const struct scn_entry *e, struct model_edge_sink *k);

	/* A tenant's row: where it sends, its arrivals, size and group (YAML
	 * nodes, shown flow style; NULL: "-"). */
	void (*describe)(const struct scn_entry *e, const char **target,
			 const struct cfg_node **arrivals, const struct cfg_node **size,
			 const char **group);
};

#endif
