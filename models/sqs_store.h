/* sqs_store.h - the state of an SQS queue and the structures its messages
 * live in; internal to sqs.c, sqs_groups.c and sqs_store.c (other models use
 * sqs.h).
 *
 * The stores (sqs_store.c), each named after the place a message is in
 * (see sqs.c):
 *   the pool      one 24-byte record per message, in an array grown by
 *                 doubling with realloc; freed records go on a free list
 *                 threaded through the records, never-used ones are handed
 *                 out above a high-water mark, so a doubled pool's pages are
 *                 touched only when used,
 *   visible ring  a standard queue's visible messages, ids in the order they
 *                 became visible, with a monotone deque of spans that keeps
 *                 the oldest sent_at among them (struct span),
 *   deadlines     the in-flight deadlines in receive order (struct flight),
 *                 and a side list for the few ChangeMessageVisibility moved,
 *   delayed       (due, id) in due order (the delay is constant).
 * The visible messages of a FIFO or fair queue are in their message groups
 * instead (sqs_groups.h).
 *
 * Memory: a backlog costs 28 bytes a message (the record and a ring slot),
 * plus the unused half of an array after it doubled (address space, not
 * resident memory, for large arrays). A delayed message has a 16-byte entry
 * instead of the ring slot; an in-flight message a 16-byte ring entry (at
 * most 120,000 of them). Deletes leave their ring entry behind, to be
 * skipped when it reaches the head (the record's receipt no longer
 * matches), so the ring holds at most the receives of one visibility
 * timeout.
 */
#ifndef SPILLWAY_MODELS_SQS_STORE_H
#define SPILLWAY_MODELS_SQS_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sim/model.h"
#include "sim/sim.h"

struct sqs_waiter;

/* The scenario keys of an sqs resource (sqs.c has their schema). */
struct sqs_config {
	sim_time_t visibility_timeout; /* in flight this long after a receive */
	sim_time_t message_retention;  /* dropped this long after sent_at */
	sim_time_t delay;              /* invisible this long after a send */
	double max_message_size;       /* bytes; larger sends are rejected */
	const char *dlq;               /* dead_letter.target, NULL when absent */
	int64_t max_receive_count;     /* dead_letter.max_receive_count */
	int64_t backlog_count;         /* initial_backlog.count, 0 when absent */
	const char *backlog_tenant;    /* initial_backlog.tenant */
	bool fifo;                     /* FIFO queue */
	bool high_throughput;          /* FIFO high-throughput mode */
	double api_rate;               /* FIFO: calls/s per action; 0: the default */
	bool fair;                     /* fair queue (the fair table is on) */
	double noisy_share;            /* fair.in_flight_share */
	int64_t noisy_min_in_flight;   /* fair.min_in_flight */
	double noisy_time_share;       /* fair.time_share */
	sim_time_t noisy_window;       /* fair.window */
	sim_time_t quiet_after;        /* fair.quiet_after */
};

enum msg_state {
	ST_FREE,
	ST_DELAYED,
	ST_VISIBLE,
	ST_IN_FLIGHT,      /* in flight, its deadline in the ring */
	ST_IN_FLIGHT_SIDE, /* in flight, its deadline changed: in the side list */
};

#define NONE UINT32_MAX

/* One message in the pool: the struct sim_msg it was sent as, packed
 * with the queue's own fields into 24 bytes (a backlog of millions is
 * mostly these). A size fits 21 bits because SendMessage takes 1 MiB at
 * most (larger messages are rejected before they are stored); tenants are
 * at most 2^24. */
struct msg_rec {
	sim_time_t sent_at;
	uint32_t group;
	uint32_t link;              /* in flight: receipt of the current receive;
				       visible in a grouped queue: next of its
				       group; free: next free id */
	unsigned int tenant : 24;
	unsigned int state : 3;     /* enum msg_state */
	unsigned int retries : 5;   /* sim_msg.retries, saturating at 31 */
	unsigned int size : 21;     /* bytes */
	unsigned int receives : 11; /* ApproximateReceiveCount (saturating) */
};

_Static_assert(sizeof(struct msg_rec) == 24, "message record must stay 24 bytes");

#define MAX_TENANTS (1u << 24)
#define MAX_SIZE ((1u << 21) - 1)

/* One message group of a FIFO or fair queue. Its visible messages form a
 * list in arrival order (vseq) through the records' link field: new ones
 * join the back, returning ones go back to their place (in a FIFO queue,
 * the front), so the list is always in vseq order. */
struct qgroup {
	uint32_t head, tail;   /* visible messages, NONE when none */
	uint32_t visible;
	uint32_t in_flight;
	uint32_t delayed;
	uint32_t hpos;         /* 1-based place in the ready heap, 0: not in it */
	bool noisy;            /* fair: served after the quiet groups */
	sim_time_t last_sent;  /* fair: when it last sent */
	sim_time_t busy_at;    /* fair: busy is up to date at this time */
	double busy;           /* fair: in-flight message-seconds so far */
	double busy_seen;      /* fair: busy at the last detection pass */
	double busy_recent;    /* fair: moving sum of recent busy */
	uint32_t done_seq;     /* FIFO: arrival number of the last deleted */
	bool done_any;         /* FIFO: done_seq is set */
};

/* A FIFO queue's call budget for one action (a token bucket holding up to
 * one second of calls). */
struct api_bucket {
	double tokens;
	sim_time_t at;
};

/* One in-flight deadline. Receives happen in time order and the
 * visibility timeout is fixed, so deadlines come in order: a FIFO ring
 * holds them, and deletes leave their entry behind to be skipped when it
 * reaches the head (an entry is current while its record is in flight
 * under the same receipt). The few deadlines moved by
 * ChangeMessageVisibility go to a small side list instead. */
struct flight {
	sim_time_t deadline; /* when it becomes visible again */
	uint32_t id;         /* its record */
	uint32_t receipt;    /* the receive it belongs to */
};

/* One delayed message: visible at `due`. */
struct delayed {
	sim_time_t due;
	uint32_t id;
};

/* A run of consecutive positions [first, end) of the visible ring, all in
 * the monotone deque of suffix minima of sent_at: each is no younger than
 * every message behind it. The deque's front is the oldest visible message.
 * Messages usually become visible in sent_at order, so one span covers the
 * whole ring and the deque costs nothing per message. Positions are
 * absolute (counted from the first message ever made visible). */
struct span {
	uint64_t first;
	uint64_t end;
};

/* Counters of the measurement window (zeroed at the end of the warm-up). */
struct sqs_counts {
	uint64_t sent;       /* NumberOfMessagesSent */
	uint64_t received;   /* NumberOfMessagesReceived */
	uint64_t deleted;    /* NumberOfMessagesDeleted */
	uint64_t empty;      /* NumberOfEmptyReceives */
	uint64_t to_dlq;     /* NumberOfMessagesMovedToDLQ */
	uint64_t expired;    /* NumberOfMessagesExpired */
	uint64_t rejected;   /* NumberOfMessagesRejected */
	uint64_t throttled;  /* FIFO: calls refused with ThrottlingException */
	uint64_t requests;   /* billed requests (64 KB chunks) */
	uint64_t over_limit; /* OverLimit */
	size_t max_visible;  /* MaxNumberOfMessagesVisible */
};

struct sqs {
	struct model base;            /* must be first */
	const struct sqs_config *cfg; /* scenario-owned */
	struct sqs *dlq;              /* dead-letter queue, or NULL */
	uint32_t backlog_tenant;      /* tenant index of initial_backlog */

	struct msg_rec *recs;         /* message pool */
	size_t n_recs;                /* pool size */
	size_t n_hwm;                 /* records ever handed out (the rest untouched) */
	size_t n_faulted;             /* records [0, n_faulted) prefaulted */
	size_t n_used;                /* records not free */
	uint32_t free_head;           /* first freed record, NONE when none */

	uint32_t *vis;                /* visible ring of ids, oldest first */
	size_t v_head, v_len, v_cap;  /* v_cap a power of two */
	uint64_t v_popped;            /* absolute position of the head */

	struct span *sp;              /* monotone deque over the ring */
	size_t sp_head, sp_len, sp_cap;

	struct delayed *dl;           /* delayed messages, in due order */
	size_t d_head, d_len, d_cap;

	struct flight *fl;            /* in-flight deadlines, FIFO ring */
	size_t fl_head, fl_len, fl_cap;/* fl_cap a power of two */
	struct flight *side;          /* changed deadlines, unordered */
	size_t side_n, side_cap;
	uint32_t n_flight;            /* messages in flight */
	uint32_t receipt;             /* last receipt handed out */

	struct sqs_waiter *w_first;   /* long pollers, in arrival order */
	struct sqs_waiter *w_last;

	struct sim_timer t_deadline;  /* earliest in-flight deadline */
	struct sim_timer t_delay;     /* head of the delayed FIFO */
	struct sim_timer t_expiry;    /* retention of the visible head */

	/* FIFO and fair queues: visible messages by group, not in the ring. */
	bool grouped;
	uint32_t vseq;                /* next arrival number */
	uint64_t out_of_order;        /* FIFO: deletes out of group order */
	uint32_t *seq;                /* grouped: each record's arrival number
					 (FIFO order), beside the pool */
	struct qgroup *g;             /* by run-wide group index */
	size_t n_g;
	uint32_t *ready;              /* min-heap of groups by head vseq: FIFO:
					 those with visible and none in flight;
					 fair: quiet ones with visible */
	size_t n_ready, ready_cap;
	size_t n_noisy;               /* fair: groups marked noisy */
	sim_time_t busy_at;           /* fair: the queue's in-flight integral */
	double busy, busy_seen, busy_recent;
	struct sim_timer t_detect;    /* fair: the detection pass */
	double api_rate;              /* FIFO: calls/s per action */
	struct api_bucket send_b, recv_b;

	/* Per tenant (run-wide index). */
	uint32_t *vis_tenant;         /* visible messages */
	bool *seen_tenant;            /* ever held a message of the tenant */
	uint64_t *in_tenant;          /* arrived (sent, redriven in, backlog) */
	uint64_t *out_tenant;         /* left (deleted, to the DLQ, expired) */
	size_t n_tenants;

	struct sqs_counts win;        /* measurement window */
	struct sqs_counts tick;       /* since the last sample */

	/* Lifetime of the replication, for the conservation check. */
	uint64_t life_sent;           /* accepted sends */
	uint64_t life_in;             /* redriven in from other queues */
	uint64_t life_backlog;        /* initial backlog */
	uint64_t life_deleted;
	uint64_t life_to_dlq;
	uint64_t life_expired;
	sim_time_t emptied_at;        /* when the last message left, -1 while any remain */
	sim_time_t busy_since;        /* when the queue last stopped being empty */
	sim_time_t drain;             /* length of the last busy period that ended, -1: none */
};

/* Rings are read in order but name records all over the pool (ids are
 * reused): asking for the record a few places ahead has it in cache by the
 * time it is reached. */
#define LOOKAHEAD 16

/* The pool ------------------------------------------------------------------ */

/* Grows the pool (and a grouped queue's arrival numbers) to hold at least
 * `want` records. */
void sqs__pool_reserve(struct sqs *q, size_t want);
/* A free record holding msg (state ST_FREE; the caller places it), counted
 * as the tenant's arrival. */
uint32_t sqs__rec_take(struct sqs *q, const struct sim_msg *msg);
/* Frees record id, counted as the tenant's departure. */
void sqs__rec_free(struct sqs *q, uint32_t id);
/* The message a record holds, written into *m / returned. */
void sqs__rec_msg_into(const struct msg_rec *r, struct sim_msg *m);
struct sim_msg sqs__rec_msg(const struct msg_rec *r);

/* The visible ring (standard queues) ------------------------------------------ */

/* Grows the ring to hold at least `want` ids. */
void sqs__ring_reserve(struct sqs *q, size_t want);
/* Appends id (already ST_VISIBLE) to the back of the ring. */
void sqs__ring_push(struct sqs *q, uint32_t id);
/* Removes and returns the head of the ring (which must not be empty). */
uint32_t sqs__ring_pop(struct sqs *q);
/* The oldest sent_at in the ring (which must not be empty). */
sim_time_t sqs__ring_oldest(const struct sqs *q);

/* In-flight deadlines ------------------------------------------------------- */

/* Appends e to the deadline ring (receives come in deadline order). */
void sqs__fl_push(struct sqs *q, struct flight e);
/* Drops the head of the deadline ring. */
void sqs__fl_pop(struct sqs *q);
/* Drops entries at the head of the ring that no longer count (their
 * message was deleted, returned, or received again since). */
void sqs__fl_trim(struct sqs *q);
/* Index of id's entry in the side list (it must be there). */
size_t sqs__side_find(const struct sqs *q, uint32_t id);
/* Adds e to the side list. */
void sqs__side_add(struct sqs *q, struct flight e);
/* Removes id's entry (swapping the last entry into its place). */
void sqs__side_remove(struct sqs *q, uint32_t id);

/* Delayed messages --------------------------------------------------------- */

/* Appends (due, id); dues must come in order. */
void sqs__delayed_push(struct sqs *q, sim_time_t due, uint32_t id);
/* Removes and returns the id at the head (there must be one). */
uint32_t sqs__delayed_pop(struct sqs *q);

#endif
