/* csv.h - the CSV writer and reader behind every CSV file spillway writes
 * (timeseries.csv, summary.csv, tenants.csv, cost.csv, sweep.csv) and
 * reads back (a sweep's points, a report's data). Engine layer: it knows
 * the format, not the files.
 *
 * Writing follows RFC 4180, with LF line ends: a cell holding a comma, a
 * double quote, CR or LF is enclosed in double quotes, its quotes doubled.
 * A text cell a spreadsheet would take for a formula, one starting with
 * '=', '+', '-', '@', TAB or CR, gets a leading single quote, inside
 * double quotes, as OWASP recommends against CSV injection: =1+2 is
 * written "'=1+2". Numbers stay plain numbers (pandas reads them as
 * numbers): sim_csv_num never guards, and a text cell that is exactly a
 * decimal number (-0.5, -1e-3, -inf: what sim_csv_num writes, copied as
 * text) is not a formula and is written as it is. So that the guard can
 * be undone, a text cell made of single quotes then one of those
 * characters ('=x) gets one quote more ("''=x").
 *
 * Reading takes RFC 4180 records (quoted cells may hold commas, doubled
 * quotes and line breaks; LF or CRLF ends) and undoes the guard, so what
 * was written comes back byte for byte.
 */
#ifndef SPILLWAY_SIM_CSV_H
#define SPILLWAY_SIM_CSV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* A row-at-a-time writer: cells are separated for the caller. */
struct sim_csv {
	FILE *f;       /* where rows go; not owned */
	bool in_row;   /* a cell is already on the current row */
};

/* Writes s (NULL counts as "") as a text cell: quoted and guarded as
 * above. Errors stay in the stream (ferror), as with stdio. */
void sim_csv_text(struct sim_csv *w, const char *s);
/* Writes x as a number cell: %.10g, "inf" or "-inf"; nothing for NAN. */
void sim_csv_num(struct sim_csv *w, double x);
/* Ends the current row (LF). */
void sim_csv_end(struct sim_csv *w);

/* The most bytes sim_csv_cell_put writes for a text of len bytes. */
#define SIM_CSV_CELL_MAX(len) (2 * (size_t)(len) + 3)

/* The cell sim_csv_text would write for the len bytes at s, put at out
 * (which has room for SIM_CSV_CELL_MAX(len) bytes; no NUL is added).
 * Returns the end of what was written. For writers that format rows into
 * a buffer themselves (the time-series recorder). */
char *sim_csv_cell_put(char *out, const char *s, size_t len);

/* Reads records one at a time. */
struct sim_csv_reader {
	FILE *f;        /* not owned */
	char *buf;      /* the current record, cells NUL-separated, owned */
	size_t cap;     /* bytes allocated at buf */
	char **cells;   /* the current record's cells, into buf, owned */
	size_t *at;     /* where each cell starts in buf, owned */
	size_t ncap;    /* entries allocated at cells and at */
	size_t line;    /* the line the current record starts on (1-based) */
	size_t next;    /* the line the next record starts on */
};

/* Prepares r to read f (the caller opens and closes f). */
void sim_csv_reader_init(struct sim_csv_reader *r, FILE *f);
/* Reads the next record into r->cells, valid until the next call. Returns
 * the number of cells (an empty line is one empty cell); 0 at the end of
 * the file; -1 with errno set on a read error, or EINVAL for a quoted cell
 * still open at the end of the file, or EFBIG for a record over 16 MiB or
 * 65,536 cells. */
long sim_csv_read(struct sim_csv_reader *r);
void sim_csv_reader_finish(struct sim_csv_reader *r);

#endif
