/* alloc.h - allocation that cannot fail quietly.
 *
 * A simulator that runs out of memory has no useful way to go on: these
 * wrappers print what happened and abort, so callers need no error path for
 * allocation. Everything they return is freed with free(). */
#ifndef SPILLWAY_SIM_ALLOC_H
#define SPILLWAY_SIM_ALLOC_H

#include <stddef.h>

/* realloc(p, size) (size 0 counts as 1). */
void *sim_xrealloc(void *p, size_t size);
/* calloc(n, size) (0 counts as 1). */
void *sim_xcalloc(size_t n, size_t size);
char *sim_xstrdup(const char *s);
/* Asks the kernel to map the pages of [p, p + size) now, in one call,
 * rather than one page fault per page at first touch (worth it for memory
 * about to be written in order: a growing pool). Advice only: where the
 * kernel cannot (before Linux 5.14, other systems), nothing happens. */
void sim_prefault(void *p, size_t size);

#endif
