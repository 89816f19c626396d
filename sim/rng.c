/* rng.c - stream keys and GSL generator set-up (see rng.h). */
#include "sim/rng.h"

static uint64_t fnv1a(uint64_t h, const char *s)
{
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	/* A separator byte, so ("ab","c") and ("a","bc") differ. */
	h ^= 0xff;
	return h * 0x100000001b3ULL;
}

/* SplitMix64 finaliser: spreads every input bit over the whole word. */
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t sim_rng_key(uint64_t seed, unsigned replication, const char *resource,
		     const char *purpose)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	h = fnv1a(h, resource);
	h = fnv1a(h, purpose);
	return mix(mix(seed) ^ mix(h + replication));
}

gsl_rng *sim_rng_stream(uint64_t seed, unsigned replication,
			const char *resource, const char *purpose)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
	if (!r)
		return NULL;
	uint64_t k = sim_rng_key(seed, replication, resource, purpose);
	/* mt19937 takes a 32-bit seed; fold the key so every bit counts.
	 * GSL maps a seed of 0 to its default, which is fine: it is just
	 * another fixed seed. */
	gsl_rng_set(r, (unsigned long)((k ^ (k >> 32)) & 0xffffffffUL));
	return r;
}
