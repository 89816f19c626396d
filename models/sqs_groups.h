/* sqs_groups.h - message groups of FIFO and fair queues, internal to the
 * sqs model (sqs_groups.c says how they are served). Groups are numbered by
 * the run-wide group index of struct sim_msg; a group's state is struct
 * qgroup (sqs_store.h).
 */
#ifndef SPILLWAY_MODELS_SQS_GROUPS_H
#define SPILLWAY_MODELS_SQS_GROUPS_H

#include "models/sqs_store.h"

struct sim_recorder;

/* Group gi, made (empty) when new. */
struct qgroup *sqs__group_at(struct sqs *q, uint32_t gi);
/* Adds visible message id to its group's list at its place in arrival
 * order: the back for a new message, back where it was for a returning one
 * (found by walking from the front: it is among the oldest). */
void sqs__group_push(struct sqs *q, uint32_t id);
/* Takes the front message off group gi's list. */
uint32_t sqs__group_pop(struct sqs *q, uint32_t gi);
/* Puts group gi in or out of the ready heap, or moves it when its head
 * changed, after anything about it changed. true when a FIFO group became
 * ready: it can serve one receive, so the caller wakes one waiting
 * consumer. */
bool sqs__group_sync(struct sqs *q, uint32_t gi);
/* The group a receive serves next, NONE when no group can serve one. */
uint32_t sqs__group_next(const struct sqs *q);
/* A message of group gi goes in flight / leaves flight now (before the
 * queue's n_flight changes: a fair queue integrates it). */
void sqs__group_took(struct sqs *q, uint32_t gi, sim_time_t now);
void sqs__group_left(struct sqs *q, uint32_t gi, sim_time_t now);
/* FIFO: message id is deleted; counts a delete that overtook an earlier
 * message of its group (OutOfOrderDeletes). */
void sqs__group_deleted(struct sqs *q, uint32_t id);
/* The oldest sent_at among the heads of the groups, SIM_TIME_MAX when
 * nothing is visible (within a group, arrival order is send order except
 * for messages redriven into a dead-letter queue). */
sim_time_t sqs__groups_oldest(const struct sqs *q);

/* Fair queues: marks group gi noisy or quiet. */
void sqs__group_set_noisy(struct sqs *q, uint32_t gi, bool noisy);
/* Fair queues: rule 1, after a receive from group gi. */
void sqs__group_check_share(struct sqs *q, struct sim *s, uint32_t gi);
/* Fair queues: starts the detection pass (rule 2 and the silence rule). */
void sqs__fair_start(struct sqs *q, struct sim *s);
/* Fair queues: samples the metrics of the quiet groups. */
void sqs__fair_sample(struct sqs *q, struct sim *s, struct sim_recorder *rec);

#endif
