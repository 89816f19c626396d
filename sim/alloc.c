/* alloc.c - allocation wrappers that abort when memory runs out. */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/alloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

static void (*on_failure)(size_t size);

void sim_alloc_on_failure(void (*fn)(size_t size))
{
	on_failure = fn;
}

_Noreturn void sim_out_of_memory(size_t size)
{
	if (on_failure)
		on_failure(size);
	fprintf(stderr, "spillway: out of memory (allocating %zu bytes)\n", size);
	abort();
}

void *sim_xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p)
		sim_out_of_memory(size);
	return p;
}

void *sim_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		sim_out_of_memory(n * size);
	return p;
}

char *sim_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	return memcpy(sim_xrealloc(NULL, n), s, n);
}

void sim_prefault(void *p, size_t size)
{
#ifdef MADV_POPULATE_WRITE
	const uintptr_t page = 4096;
	uintptr_t from = ((uintptr_t)p + page - 1) & ~(page - 1);
	uintptr_t to = ((uintptr_t)p + size) & ~(page - 1);
	if (to > from)
		(void)madvise((void *)from, to - from, MADV_POPULATE_WRITE);
#else
	(void)p;
	(void)size;
#endif
}
