/* rng.h - independent GSL random streams, one per (seed, replication,
 * resource, purpose).
 *
 * Each stream's GSL seed is a hash of its four coordinates, so the numbers a
 * resource draws depend only on its own name and purpose: adding a resource,
 * renaming another or changing a setting elsewhere leaves them unchanged
 * (common random numbers make what-if comparisons sharp). Streams use
 * gsl_rng_mt19937. Never call rand() or share one gsl_rng between purposes.
 */
#ifndef SPILLWAY_SIM_RNG_H
#define SPILLWAY_SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* The 64-bit key of a stream (SplitMix64 over FNV-1a of the names). */
uint64_t sim_rng_key(uint64_t seed, unsigned replication, const char *resource,
		     const char *purpose);

/* A new stream; the caller frees it with gsl_rng_free. NULL when out of
 * memory. */
gsl_rng *sim_rng_stream(uint64_t seed, unsigned replication,
			const char *resource, const char *purpose);

#endif
