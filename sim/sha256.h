/* sha256.h - SHA-256 (FIPS 180-4) of a file, for the run manifest: a user
 * can check which scenario produced a run with `sha256sum`. */
#ifndef SPILLWAY_SIM_SHA256_H
#define SPILLWAY_SIM_SHA256_H

/* Writes the 64-character lower-case hex digest of the file at path into
 * hex (65 bytes with the NUL). Returns 0, or -1 with errno set. */
int sim_sha256_file(const char *path, char hex[65]);

#endif
