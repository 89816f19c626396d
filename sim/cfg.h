/* cfg.h - a YAML document as a tree that remembers where each node came from.
 *
 * The scenario loader reads a file with libyaml (yaml_parser_load), then
 * copies the document into this small tree: scalars, maps (ordered key/value
 * pairs) and sequences, each node with its file, line and column (1-based),
 * so every later error can point at the text. The tree is also what
 * `--set PATH=VALUE` edits and what scenario.resolved.yaml is written from.
 *
 * Ownership: a node owns its strings and children; cfg_free frees a subtree.
 * File names are not owned (they point into the struct cfg_doc or a literal).
 */
#ifndef SPILLWAY_SIM_CFG_H
#define SPILLWAY_SIM_CFG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "sim/diag.h"

enum cfg_type {
	CFG_SCALAR,
	CFG_MAP,
	CFG_SEQ,
};

struct cfg_node;

struct cfg_pair {
	char *key;              /* owned */
	int line;               /* position of the key */
	int col;
	struct cfg_node *value; /* owned */
};

struct cfg_node {
	enum cfg_type type;
	const char *file;        /* source file, or "--set" */
	int line;                /* 1-based; 0 when not from a file */
	int col;                 /* 1-based */
	char *value;             /* CFG_SCALAR: text, owned */
	bool quoted;             /* CFG_SCALAR: written in quotes */
	bool filled;             /* added as a default by the schema */
	struct cfg_pair *pairs;  /* CFG_MAP: owned */
	struct cfg_node **items; /* CFG_SEQ: owned */
	size_t n;                /* pairs or items */
	size_t cap;              /* allocated pairs or items */
};

/* A loaded file. */
struct cfg_doc {
	char *file;            /* path as given, owned */
	struct cfg_node *root; /* owned; NULL when loading failed */
};

/* Loads path into doc. YAML syntax errors, a missing file, a file that is
 * not a regular file (a directory, FIFO, device or socket) or larger than
 * CFG_MAX_FILE, and an empty or multi-document file are reported to d;
 * returns 0, or -1 (doc->root NULL). */
int cfg_load_file(struct cfg_doc *doc, const char *path, struct diag *d);

/* The largest input file read (scenario, pricing): far beyond any real
 * one, small enough that reading it takes a moment. */
#define CFG_MAX_FILE ((long long)64 << 20)

/* Opens path for reading only if it is a regular file of at most max
 * bytes, without blocking on a FIFO or a device. Returns the stream, or
 * NULL: with errno set and *why NULL when it cannot be opened at all, else
 * with *why a phrase for a message ("is a FIFO (pipe); expected WHAT", "is
 * larger than 64 MB ...", in buf of size). */
FILE *cfg_open_regular(const char *path, long long max, const char *what,
		       const char **why, char *buf, size_t size);
/* Parses text (one YAML value, e.g. "10", "{poisson: {rate: 5/s}}") into a
 * node whose positions name `origin` with line 0. NULL on a syntax error
 * (reported to d). */
struct cfg_node *cfg_parse_string(const char *text, const char *origin,
				  struct diag *d);
void cfg_doc_finish(struct cfg_doc *doc);

struct cfg_node *cfg_new_scalar(const char *text, const char *file, int line,
				int col);
struct cfg_node *cfg_new_map(const char *file, int line, int col);
void cfg_free(struct cfg_node *n);

/* Map look-up; NULL when absent or when n is not a map. */
struct cfg_node *cfg_get(const struct cfg_node *map, const char *key);
const struct cfg_pair *cfg_get_pair(const struct cfg_node *map,
				    const char *key);
/* Appends or replaces key in map (takes ownership of value). */
void cfg_put(struct cfg_node *map, const char *key, struct cfg_node *value);

/* A scalar that stands for "no value": an empty plain scalar, "~" or "null". */
bool cfg_is_null(const struct cfg_node *n);

/* Applies one --set PATH=VALUE: walks dotted keys and [i] indices from root,
 * creating missing map levels, and replaces the value at the end with VALUE
 * parsed as YAML. Problems (malformed path, index out of range, a scalar
 * where a map is needed) go to d; returns 0 or -1. */
int cfg_set_path(struct cfg_node *root, const char *assignment, struct diag *d);

/* Writes n as YAML (block style) with libyaml's emitter; 0 or -1 on error. */
int cfg_emit(FILE *f, const struct cfg_node *n, const char *header_comment);

#endif
