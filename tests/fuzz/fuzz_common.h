/* fuzz_common.h - what the libFuzzer harnesses share: the input written to
 * a file of this process's own (the loaders read files), and a sink for
 * the diagnostics they print. */
#ifndef SPILLWAY_FUZZ_COMMON_H
#define SPILLWAY_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim/diag.h"

/* Writes data to /tmp/spillway-fuzz-PID.EXT and returns that path. */
static inline const char *fuzz_file(const uint8_t *data, size_t size, const char *ext)
{
	static char path[96];
	snprintf(path, sizeof(path), "/tmp/spillway-fuzz-%ld.%s", (long)getpid(), ext);
	FILE *f = fopen(path, "wb");
	if (!f)
		return NULL;
	fwrite(data, 1, size, f);
	fclose(f);
	return path;
}

/* Prints d where nobody reads it (printing is part of what is tested), and
 * frees it. */
static inline void fuzz_diag_done(struct diag *d)
{
	FILE *null = fopen("/dev/null", "w");
	if (null) {
		diag_print(d, null);
		fclose(null);
	}
	diag_finish(d);
}

/* data as a NUL-terminated string (caller frees). */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

#endif
