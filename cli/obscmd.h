/* obscmd.h - what compare, export (compare.c) and calibrate (calibrate.c)
 * share: their options, loading the scenario with extra assignments, the
 * output directory, the manifest and the comparison's files.
 */
#ifndef SPILLWAY_CLI_OBSCMD_H
#define SPILLWAY_CLI_OBSCMD_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "cli/observe.h"

struct scenario;

struct obscmd {
	const char *name;        /* the command */
	const char *scenario;
	const char *output;
	struct observe_opts oo;  /* --observed, --map, --skip */
	char **sets;             /* --set, owned */
	size_t n_sets;
	long long reps;          /* --replications */
	long long seed;
	bool has_seed;
	bool quiet;
	char **series;           /* export --series, owned */
	size_t n_series;
	double period;           /* export --period, seconds */
	double start;            /* export --start, epoch seconds */
	long long page_points;   /* export --page-points (0: one page) */
	bool csv;                /* export --format csv */
	char **fits;             /* calibrate --fit, owned */
	size_t n_fits;
	long long budget;        /* calibrate --budget */
};

/* Parses the command's options: 0, 1 after --help, or EXIT_INPUT after a
 * message. */
int obscmd_parse(struct obscmd *c, const char *name, const char *usage,
		 int argc, char **argv);
void obscmd_finish(struct obscmd *c);
/* Loads c's scenario with its --set and --seed, then extra: 0, or -1
 * after the problems (on stderr; warnings only unless quiet). */
int obscmd_load(const struct obscmd *c, const char *const *extra, size_t n_extra,
		struct scenario *scn, bool quiet);
/* The output directory (c->output or out/NAME-COMMAND) into dir, checked
 * and its temporary twin made into tmp: 0, or -1 after a message. */
int obscmd_begin_dir(const struct obscmd *c, const struct scenario *scn,
		     char *dir, size_t dsize, char *tmp, size_t tsize);
/* Installs tmp as dir when rc is 0; else removes tmp. The exit status. */
int obscmd_end_dir(const char *tmp, const char *dir, int rc);
/* Prints how the export's series were bound (unless quiet). */
void obscmd_say_bound(const struct observe *ob, bool quiet);
/* The table of errors (unless quiet), compare.csv, errors.csv, plots/
 * into tmp: 0 or EXIT_RUN. */
int obscmd_write_outputs(const struct obscmd *c, const struct observe *ob,
			 const struct scenario *scn, const char *tmp);
/* The manifest of a compare or calibrate directory. */
json_t *obscmd_manifest(const struct obscmd *c, const struct observe *ob);
/* Writes j (taking it) to path: 0, or -1 after a message. */
int obscmd_write_json(const char *path, json_t *j);

int cmd_compare(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_calibrate(int argc, char **argv);

#endif
