/* diag.h - diagnostics about user input, collected rather than fatal.
 *
 * Every problem found in a scenario or on the command line is appended here
 * with its place (file:line:col, 1-based) so that one `spillway check` lists
 * them all. Messages are formatted as
 *     scenarios/x.yaml:14:9: error: resources.q.visibility_timeout: ...
 * Bugs are not diagnostics: they go to SIM_ASSERT.
 */
#ifndef SPILLWAY_SIM_DIAG_H
#define SPILLWAY_SIM_DIAG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct diag_entry {
	char *text;  /* the full formatted line, owned */
	bool error;  /* error (true) or warning */
};

struct diag {
	struct diag_entry *v; /* entries in the order found, owned */
	size_t n;             /* entries */
	size_t cap;           /* allocated entries */
	size_t errors;        /* how many entries are errors */
};

void diag_init(struct diag *d);
void diag_finish(struct diag *d);

/* Records an error at file:line:col (line/col 1-based; 0 omits them). */
#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void diag_error(struct diag *d, const char *file, int line, int col,
		const char *fmt, ...);

#if defined(__GNUC__)
__attribute__((format(printf, 5, 6)))
#endif
void diag_warning(struct diag *d, const char *file, int line, int col,
		  const char *fmt, ...);

/* diag_error for a problem under a key path ("resources.q: ..."; an empty
 * path adds nothing), with the message's arguments as a va_list. */
#if defined(__GNUC__)
__attribute__((format(printf, 6, 0)))
#endif
void diag_verror_in(struct diag *d, const char *file, int line, int col,
		    const char *path, const char *fmt, va_list ap);

/* Writes every entry, one per line, to f. */
void diag_print(const struct diag *d, FILE *f);

/* The closest candidate to word by edit distance, or NULL when nothing is
 * close enough to be a plausible misspelling. candidates ends with NULL. */
const char *diag_suggest(const char *word, const char *const *candidates);

#endif
