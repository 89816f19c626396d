/* csv.c - RFC 4180 cells with the OWASP formula guard, and their reader
 * (see csv.h). */
#include "sim/csv.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

/* The longest record the reader takes: far beyond any row spillway writes
 * (names are short), small enough that a file that is not CSV cannot make
 * it hold much memory. */
#define MAX_RECORD (16u << 20)
#define MAX_CELLS (1u << 16)

/* Characters that make a spreadsheet read a cell as a formula (OWASP,
 * "CSV Injection"). */
static bool is_trigger(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Whether the len bytes at s need the guard: a trigger first, or single
 * quotes then a trigger (so that the reader's undoing is exact). */
static bool needs_guard(const char *s, size_t len)
{
	size_t i = 0;
	while (i < len && s[i] == '\'')
		i++;
	return i < len && is_trigger(s[i]);
}

/* Whether the len bytes at s are a decimal number as sim_csv_num writes
 * them: -?(D+(.D*)?|.D+)([eE][+-]?D+)?, or -inf. */
static bool is_number(const char *s, size_t len)
{
	size_t i = 0, digits = 0;
	if (i < len && s[i] == '-')
		i++;
	if (len - i == 3 && !memcmp(s + i, "inf", 3))
		return true;
	while (i < len && s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (i < len && s[i] == '.') {
		i++;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, digits++;
	}
	if (!digits)
		return false;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < len && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t exp = 0;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++, exp++;
		if (!exp)
			return false;
	}
	return i == len;
}

/* 1 for the bytes that make a cell need quotes. */
static const unsigned char must_quote[256] = {
	['\n'] = 1, ['\r'] = 1, ['"'] = 1, [','] = 1,
};

char *sim_csv_cell_put(char *out, const char *s, size_t len)
{
	/* The common case in one pass: copy, and note any byte that needs
	 * quotes (this is the time-series recorder's inner loop). */
	unsigned char special = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		out[i] = (char)c;
		special |= must_quote[c];
	}
	bool guard = len && (is_trigger(s[0]) || s[0] == '\'') && needs_guard(s, len) &&
		     !is_number(s, len);
	if (!special && !guard)
		return out + len;
	*out++ = '"';
	if (guard)
		*out++ = '\'';
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			*out++ = '"';
		*out++ = s[i];
	}
	*out++ = '"';
	return out;
}

static void separate(struct sim_csv *w)
{
	if (w->in_row)
		putc(',', w->f);
	w->in_row = true;
}

void sim_csv_text(struct sim_csv *w, const char *s)
{
	char small[256];
	size_t len = s ? strlen(s) : 0;
	separate(w);
	char *buf = SIM_CSV_CELL_MAX(len) <= sizeof(small)
			    ? small
			    : sim_xrealloc(NULL, SIM_CSV_CELL_MAX(len));
	char *end = sim_csv_cell_put(buf, s ? s : "", len);
	fwrite(buf, 1, (size_t)(end - buf), w->f);
	if (buf != small)
		free(buf);
}

void sim_csv_num(struct sim_csv *w, double x)
{
	separate(w);
	if (isfinite(x))
		fprintf(w->f, "%.10g", x);
	else if (isinf(x))
		fputs(x > 0 ? "inf" : "-inf", w->f);
}

void sim_csv_end(struct sim_csv *w)
{
	putc('\n', w->f);
	w->in_row = false;
}

/* Reading ----------------------------------------------------------------- */

void sim_csv_reader_init(struct sim_csv_reader *r, FILE *f)
{
	*r = (struct sim_csv_reader){ .f = f, .next = 1 };
}

void sim_csv_reader_finish(struct sim_csv_reader *r)
{
	free(r->buf);
	free(r->cells);
	free(r->at);
	*r = (struct sim_csv_reader){ 0 };
}

/* Appends c to the record; false when it would pass MAX_RECORD. */
static bool put(struct sim_csv_reader *r, size_t *len, char c)
{
	if (*len == r->cap) {
		if (r->cap >= MAX_RECORD)
			return false;
		r->cap = r->cap ? 2 * r->cap : 256;
		r->buf = sim_xrealloc(r->buf, r->cap);
	}
	r->buf[(*len)++] = c;
	return true;
}

/* Ends the cell that started at r->at[n]: undoes the guard of a quoted
 * cell, NUL-terminates it. False when the record passes MAX_RECORD. */
static bool end_cell(struct sim_csv_reader *r, size_t *len, size_t n, bool quoted)
{
	if (!r->buf) {
		/* The first record of the file is an empty cell: nothing was
		 * put yet. */
		r->cap = 256;
		r->buf = sim_xrealloc(NULL, r->cap);
	}
	char *c = r->buf + r->at[n];
	size_t clen = *len - r->at[n];
	if (quoted && clen > 1 && c[0] == '\'' && needs_guard(c + 1, clen - 1)) {
		memmove(c, c + 1, clen - 1);
		(*len)--;
	}
	return put(r, len, '\0');
}

/* Reserves cell n's start at len; false past MAX_CELLS. */
static bool start_cell(struct sim_csv_reader *r, size_t n, size_t len)
{
	if (n == MAX_CELLS)
		return false;
	if (n == r->ncap) {
		r->ncap = r->ncap ? 2 * r->ncap : 16;
		r->at = sim_xrealloc(r->at, r->ncap * sizeof(*r->at));
		r->cells = sim_xrealloc(r->cells, r->ncap * sizeof(*r->cells));
	}
	r->at[n] = len;
	return true;
}

long sim_csv_read(struct sim_csv_reader *r)
{
	enum { START, PLAIN, QUOTED, QUOTE, AFTER } st = START;
	size_t len = 0, n = 0;
	bool quoted = false, any = false;
	int c;
	r->line = r->next;
	start_cell(r, 0, 0);
	errno = 0;
	for (;;) {
		c = getc(r->f);
		if (c == EOF)
			break;
		any = true;
		if (c == '\n')
			r->next++;
		if (st == QUOTED) {
			if (c == '"')
				st = QUOTE;
			else if (!put(r, &len, (char)c))
				goto too_big;
			continue;
		}
		if (st == QUOTE) {
			if (c == '"') {
				st = QUOTED;
				if (!put(r, &len, '"'))
					goto too_big;
				continue;
			}
			st = AFTER;
		}
		if (c == '\r') {
			int d = getc(r->f);
			if (d == '\n')
				r->next++;
			if (d == '\n' || d == EOF)
				break;
			ungetc(d, r->f);
		}
		if (c == '\n')
			break;
		if (c == ',') {
			if (!end_cell(r, &len, n, quoted) || !start_cell(r, ++n, len))
				goto too_big;
			st = START;
			quoted = false;
			continue;
		}
		if (st == START && c == '"') {
			st = QUOTED;
			quoted = true;
			continue;
		}
		if (st == START)
			st = PLAIN;
		if (!put(r, &len, (char)c))
			goto too_big;
	}
	if (c == EOF && ferror(r->f)) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	if (c == EOF && !any)
		return 0;
	if (st == QUOTED) {
		errno = EINVAL;
		return -1;
	}
	if (!end_cell(r, &len, n++, quoted))
		goto too_big;
	for (size_t i = 0; i < n; i++)
		r->cells[i] = r->buf + r->at[i];
	return (long)n;
too_big:
	errno = EFBIG;
	return -1;
}
