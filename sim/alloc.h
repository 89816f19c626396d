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

#endif
