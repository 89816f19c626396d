/* netpath.h - a network hop that functions send payload through (a NAT
 * gateway, a VPC endpoint): what the calling models need.
 *
 * A function's call `{target: HOP, bytes: SIZE}` hands its bytes (after
 * compression) to the hop as requests going out; what comes back in
 * (responses, downloads) is `bytes_in_per_out` of the hop's config times
 * that, unless the caller states both directions itself (netpath_carry).
 * The hop meters what AWS bills for it: bytes processed (both directions),
 * the hop's hours, bytes that cross availability zones to reach it (both
 * directions), and bytes out that leave for the internet (inbound internet
 * transfer is free). Latency is not modelled.
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
	double bytes_out;   /* requests sent out, in the measurement window */
	double bytes_in;    /* responses come back in, same window */
	double in_per_out;  /* bytes in per byte out when a caller states only out */
	double cross_az;    /* share of it that crosses an AZ to get here */
};

/* The hop behind m, or NULL when m is not one. */
struct netpath *netpath_from_model(struct model *m);

/* Carries `out` bytes out through p and `in` bytes back in, now (counted
 * when the run is measuring). */
static inline void netpath_carry(struct netpath *p, double out, double in)
{
	if (p->base.run->measuring) {
		p->bytes_out += out;
		p->bytes_in += in;
	}
}

/* Carries `bytes` out through p; the hop's in_per_out of them come back. */
static inline void netpath_send(struct netpath *p, double bytes)
{
	netpath_carry(p, bytes, bytes * p->in_per_out);
}

/* GB as AWS bills data transfer: 2^30 bytes. */
#define NETPATH_GB 1073741824.0

#endif
