/* diag.c - collected diagnostics and did-you-mean suggestions. */
#include "sim/diag.h"

#include "sim/alloc.h"
#include "sim/text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void diag_init(struct diag *d)
{
	*d = (struct diag){ 0 };
}

void diag_finish(struct diag *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->v[i].text);
	free(d->v);
	*d = (struct diag){ 0 };
}

/* Entries are kept sanitised (sim/text.h, one line): a message quotes the
 * user's text, which must not bring terminal escapes or broken UTF-8 to
 * the screen. A message longer than 1 KB is cut between characters. */
static void add(struct diag *d, bool error, const char *file, int line,
		int col, const char *fmt, va_list ap)
{
	char raw[4096], msg[1024];
	char *text, *clean;
	vsnprintf(raw, sizeof(raw), fmt, ap);
	sim_text_clean(msg, sizeof(msg), raw, SIM_TEXT_LINE);
	const char *kind = error ? "error" : "warning";
	size_t len = strlen(msg) + (file ? strlen(file) : 0) + 64;
	text = sim_xrealloc(NULL, len);
	if (file && line > 0)
		snprintf(text, len, "%s:%d:%d: %s: %s", file, line, col, kind, msg);
	else if (file)
		snprintf(text, len, "%s: %s: %s", file, kind, msg);
	else
		snprintf(text, len, "spillway: %s: %s", kind, msg);
	clean = sim_text_dup(text, SIM_TEXT_LINE);
	free(text);
	text = clean;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		d->v = sim_xrealloc(d->v, cap * sizeof(*d->v));
		d->cap = cap;
	}
	d->v[d->n++] = (struct diag_entry){ text, error };
	d->errors += error;
}

void diag_error(struct diag *d, const char *file, int line, int col,
		const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, true, file, line, col, fmt, ap);
	va_end(ap);
}

void diag_warning(struct diag *d, const char *file, int line, int col,
		  const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	add(d, false, file, line, col, fmt, ap);
	va_end(ap);
}

void diag_verror_in(struct diag *d, const char *file, int line, int col,
		    const char *path, const char *fmt, va_list ap)
{
	char msg[4096];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	diag_error(d, file, line, col, "%s%s%s", path, path[0] ? ": " : "", msg);
}

void diag_print(const struct diag *d, FILE *f)
{
	for (size_t i = 0; i < d->n; i++)
		fprintf(f, "%s\n", d->v[i].text);
}

/* Damerau-free Levenshtein distance over short keys (<= 63 chars). */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (la > 63 || lb > 63)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t best = diag + cost;
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *diag_suggest(const char *word, const char *const *candidates)
{
	const char *best = NULL;
	size_t best_d = SIZE_MAX;
	/* A word in the wrong case is a misspelling however long it is. */
	for (const char *const *c = candidates; *c; c++)
		if (!strcasecmp(word, *c))
			return *c;
	for (; *candidates; candidates++) {
		size_t dist = distance(word, *candidates);
		if (dist < best_d) {
			best_d = dist;
			best = *candidates;
		}
	}
	/* Plausible misspelling: at most a third of the word, and at least 1
	 * edit allowed even for short keys. */
	size_t limit = strlen(word) / 3;
	if (limit < 2)
		limit = 2;
	return best_d <= limit ? best : NULL;
}
