/* netpath.h - a network hop that functions send payload through (a NAT
 * gateway, a VPC endpoint): what the calling models need.
 *
 * A function's call `{target: HOP, bytes: SIZE}` hands its bytes (after
 * compression) to the hop, which meters what AWS bills for it: bytes
 * processed, the hop's hours, bytes that cross availability zones to reach
 * it, and bytes that leave for the internet. Latency is not modelled.
 */
#ifndef SPILLWAY_MODELS_NETPATH_H
#define SPILLWAY_MODELS_NETPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "sim/model.h"
#include "sim/run.h"

/* The common head of every hop model (first member of its struct). */
struct netpath {
	struct model base;  /* must be first */
	double bytes;       /* carried in the measurement window */
	double cross_az;    /* share of it that crosses an AZ to get here */
};

/* The hop behind m, or NULL when m is not one. */
struct netpath *netpath_from_model(struct model *m);

/* Carries `bytes` through p now (counted when the run is measuring). */
static inline void netpath_send(struct netpath *p, double bytes)
{
	if (p->base.run->measuring)
		p->bytes += bytes;
}

/* GB as AWS bills data transfer: 2^30 bytes. */
#define NETPATH_GB 1073741824.0

#endif
