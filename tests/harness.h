/* harness.h - what the Check suites share: running a suite and running a
 * scenario through the library as `spillway run` would. */
#ifndef SPILLWAY_TESTS_HARNESS_H
#define SPILLWAY_TESTS_HARNESS_H

#include <check.h>
#include <stddef.h>

#include "sim/run.h"
#include "sim/scenario.h"

/* Runs every case of s (CK_RUN_CASE may pick one); the process status. */
int harness_main(Suite *s);

/* Loads path with the --set lines `sets` (asserting that it loads) and runs
 * every replication without time series. */
void harness_run(const char *path, const char *const *sets, size_t n_sets,
		 struct scenario *scn, struct sim_outcome *out);
void harness_done(struct scenario *scn, struct sim_outcome *out);

/* Writes text into path (creating or truncating it), asserting it can. */
void harness_put(const char *path, const char *text);
/* Reads path into buf (NUL-terminated, cut to size - 1 bytes); the bytes
 * read, 0 when it cannot be opened. */
size_t harness_slurp(const char *path, char *buf, size_t size);
/* A process id that no process has now: a child's, once reaped. */
long harness_dead_pid(void);

/* Failures collected over a table: a table runs as one test that checks
 * every row and then reports all the rows that failed (a test per row
 * would fork once per row, which costs seconds under AddressSanitizer). */
struct fails {
	int n;           /* rows that failed */
	size_t len;      /* used bytes of text */
	char text[4096]; /* one line per failure, as much as fits */
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
void fail_add(struct fails *f, const char *fmt, ...);

#define FAILS_CHECK(f) ck_assert_msg((f).n == 0, "%d failed:%s", (f).n, (f).text)

#endif
