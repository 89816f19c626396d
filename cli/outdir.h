/* outdir.h - the output directories spillway owns, and the rules by which
 * it replaces or removes them.
 *
 * Command-line layer (cli/): file-system plumbing for `run`, `sweep` and
 * `plan`; knows nothing of models or reports.
 *
 * spillway removes or renames only what it made, and knows what it made by
 * a marker file, OUTDIR_MARKER, which it writes first into every output
 * directory it creates (the temporary DIR.tmp-PID a run writes into, which
 * becomes DIR when the run is complete). While the run writes, the marker
 * names spillway, the process and a random token; when the outputs are
 * complete, just before they move into place, it is sealed: it then names
 * the SHA-256 of the run's manifest.json instead (so that two runs of the
 * same scenario still give byte-identical directories). Hence:
 *
 *  - DIR is replaced only when it is empty, or when it carries a sealed
 *    marker matching its manifest.json and holds nothing spillway does not
 *    write (at its top level, in plots/, and recursively in the runs under
 *    whatif/ and points/), nor a plot script its user edited. A symbolic
 *    link is never replaced.
 *  - DIR.tmp-N (a run killed before it finished) is removed only when its
 *    marker names process N (or it is a sealed output) and no process N
 *    exists.
 *  - DIR.old-N (DIR moved aside for the instant of the swap) is put back
 *    when DIR is missing, or removed when DIR is there, only when it is a
 *    replaceable spillway output and no process N exists.
 *
 * Everything else is refused with a message saying what was found.
 */
#ifndef SPILLWAY_CLI_OUTDIR_H
#define SPILLWAY_CLI_OUTDIR_H

#include <stdbool.h>
#include <stddef.h>

/* The marker file's name inside an output directory. */
#define OUTDIR_MARKER ".spillway-output"

/* What a marker says. */
struct outdir_marker {
	bool sealed;        /* the outputs are complete */
	long pid;           /* unsealed: the process writing them */
	char token[33];     /* unsealed: its random token (hex) */
	char manifest[65];  /* sealed: SHA-256 of manifest.json (hex) */
};

/* Creates directory dir (its parents too) and writes its unsealed marker
 * naming this process and a fresh random token. 0, or -1 with errno set
 * (dir is removed again when the marker cannot be written). */
int outdir_create(const char *dir);

/* Reads dir's marker: true when it is a well-formed spillway marker,
 * described in *m. */
bool outdir_marker_read(const char *dir, struct outdir_marker *m);

/* Whether output may go to dir, replacing what is there: true when dir is
 * absent, empty, or a spillway output by the rules above. When false, why
 * holds a sentence saying what was found and what to do (no trailing
 * period or newline). A name that cannot be a directory ("", ".", "..",
 * a path ending in "/.") is refused too. */
bool outdir_is_replaceable(const char *dir, char *why, size_t size);

/* Whether dir is a finished spillway output (a sealed marker matching its
 * manifest.json), whatever else it holds: what `spillway report` may
 * write into. When false, why says what was found. */
bool outdir_is_output(const char *dir, char *why, size_t size);

/* Seals the marker of the finished directory tmp (its manifest.json
 * written) and moves tmp to dir, replacing an earlier dir (which
 * outdir_is_replaceable accepted). 0, or -1 after a message on stderr; dir
 * is left as it was on failure. */
int outdir_install(const char *tmp, const char *dir);

/* Removes the leftovers of runs into dir that were killed outright
 * (SIGKILL, power loss), by the rules above, with a note on stderr for
 * each. */
void outdir_clean_stale(const char *dir);

/* Removes the tree at path, which this process made (its temporary
 * directory). 0, or -1 with errno set. */
int outdir_remove(const char *path);

/* mkdir -p for the parents of path (not path itself); 0 or -1 (errno). */
int outdir_make_parents(const char *path);

#endif
