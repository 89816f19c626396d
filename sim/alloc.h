/* alloc.h - allocation that cannot fail quietly.
 *
 * A simulator that runs out of memory has no useful way to go on: these
 * wrappers report it through sim_out_of_memory, so callers need no error
 * path for allocation. Everything they return is freed with free(). */
#ifndef SPILLWAY_SIM_ALLOC_H
#define SPILLWAY_SIM_ALLOC_H

#include <stddef.h>

/* What to do when memory runs out: fn (the command line's: remove what it
 * was writing, say so, exit with a run failure) instead of aborting. fn
 * must not return; NULL restores the abort. */
void sim_alloc_on_failure(void (*fn)(size_t size));
/* Memory ran out allocating size bytes: the hook above, else a message
 * and abort(). For every allocation failure a run cannot go on from. */
_Noreturn void sim_out_of_memory(size_t size);

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
