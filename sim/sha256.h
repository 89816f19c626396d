/* sha256.h - SHA-256 (FIPS 180-4) of a file, for the run manifest: a user
 * can check which scenario produced a run with `sha256sum`; and of bytes
 * in memory. */
#ifndef SPILLWAY_SIM_SHA256_H
#define SPILLWAY_SIM_SHA256_H

#include <stddef.h>

/* Writes the 64-character lower-case hex digest of the file at path into
 * hex (65 bytes with the NUL). Returns 0, or -1 with errno set. */
int sim_sha256_file(const char *path, char hex[65]);

/* The same digest of the len bytes at data (the checksum line of a plot
 * script, reports/report.c). */
void sim_sha256_mem(const void *data, size_t len, char hex[65]);

#endif
