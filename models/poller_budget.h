/* poller_budget.h - what an event source's pollers may read per whole
 * second of simulated time: their bytes (and, for SQS, their receive calls)
 * counted against an allowance, as a token bucket refilled once a second
 * with debt. A read is only made while bytes are left, but a read hands over
 * at least one message or record, so a second can end over its allowance:
 * the overshoot is taken from the next second's (a second with no read in
 * between clears it). Used by the SQS (esm.c) and Kafka (kafka.c) event
 * sources in provisioned mode; the allowances are theirs (FACTS 2,
 * "Per-poller capacity"). */
#ifndef SPILLWAY_MODELS_POLLER_BUDGET_H
#define SPILLWAY_MODELS_POLLER_BUDGET_H

#include <stdint.h>

#include "sim/time.h"

struct poller_budget {
	int64_t second;      /* the whole second the counts below are for */
	uint64_t bytes;      /* read in that second */
	uint64_t debt;       /* bytes the second before went over */
	int64_t calls;       /* read calls made in that second */
	uint64_t peak_bytes; /* most bytes read in one ended second (window) */
	int64_t peak_calls;  /* most calls made in one ended second (window) */
};

/* Starts counting at the second holding now. */
void poller_budget_start(struct poller_budget *b, sim_time_t now);
/* Moves the counts to the second holding now: the second just ended sets
 * the peaks and, past `allowance` bytes, leaves its overshoot as debt. */
void poller_budget_roll(struct poller_budget *b, sim_time_t now, uint64_t allowance);
/* Bytes left of `allowance` in the second holding now (rolls first). */
uint64_t poller_budget_left(struct poller_budget *b, sim_time_t now, uint64_t allowance);
/* Forgets the peaks (the end of the warm-up). */
void poller_budget_restart(struct poller_budget *b);
/* The peaks, the second in progress included. */
uint64_t poller_budget_peak_bytes(const struct poller_budget *b);
int64_t poller_budget_peak_calls(const struct poller_budget *b);

#endif
