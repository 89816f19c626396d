/* cfg.c - YAML to a positioned tree, --set edits, and YAML output.
 *
 * libyaml does the parsing and the emitting; this file only copies its
 * document into struct cfg_node (so that nodes can be added and replaced) and
 * turns its error marks into diagnostics.
 */
#include "sim/cfg.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "sim/alloc.h"

#define MAX_DEPTH 64

static struct cfg_node *new_node(enum cfg_type type, const char *file, int line,
				 int col)
{
	struct cfg_node *n = sim_xrealloc(NULL, sizeof(*n));
	*n = (struct cfg_node){ .type = type, .file = file, .line = line,
				.col = col };
	return n;
}

struct cfg_node *cfg_new_scalar(const char *text, const char *file, int line,
				int col)
{
	struct cfg_node *n = new_node(CFG_SCALAR, file, line, col);
	n->value = sim_xstrdup(text);
	return n;
}

struct cfg_node *cfg_new_map(const char *file, int line, int col)
{
	return new_node(CFG_MAP, file, line, col);
}

void cfg_free(struct cfg_node *n)
{
	if (!n)
		return;
	free(n->value);
	for (size_t i = 0; n->type == CFG_MAP && i < n->n; i++) {
		free(n->pairs[i].key);
		cfg_free(n->pairs[i].value);
	}
	for (size_t i = 0; n->type == CFG_SEQ && i < n->n; i++)
		cfg_free(n->items[i]);
	free(n->pairs);
	free(n->items);
	free(n);
}

const struct cfg_pair *cfg_get_pair(const struct cfg_node *map, const char *key)
{
	if (!map || map->type != CFG_MAP)
		return NULL;
	for (size_t i = 0; i < map->n; i++)
		if (!strcmp(map->pairs[i].key, key))
			return &map->pairs[i];
	return NULL;
}

struct cfg_node *cfg_get(const struct cfg_node *map, const char *key)
{
	const struct cfg_pair *p = cfg_get_pair(map, key);
	return p ? p->value : NULL;
}

static void append_pair(struct cfg_node *map, char *key, int line, int col,
			struct cfg_node *value)
{
	if (map->n == map->cap) {
		map->cap = map->cap ? map->cap * 2 : 4;
		map->pairs = sim_xrealloc(map->pairs, map->cap * sizeof(*map->pairs));
	}
	map->pairs[map->n++] = (struct cfg_pair){ key, line, col, value };
}

static void append_item(struct cfg_node *seq, struct cfg_node *item)
{
	if (seq->n == seq->cap) {
		seq->cap = seq->cap ? seq->cap * 2 : 4;
		seq->items = sim_xrealloc(seq->items, seq->cap * sizeof(*seq->items));
	}
	seq->items[seq->n++] = item;
}

void cfg_put(struct cfg_node *map, const char *key, struct cfg_node *value)
{
	for (size_t i = 0; i < map->n; i++) {
		if (!strcmp(map->pairs[i].key, key)) {
			cfg_free(map->pairs[i].value);
			map->pairs[i].value = value;
			return;
		}
	}
	append_pair(map, sim_xstrdup(key), value->line, value->col, value);
}

bool cfg_is_null(const struct cfg_node *n)
{
	return n && n->type == CFG_SCALAR && !n->quoted &&
	       (!n->value[0] || !strcmp(n->value, "~") ||
		!strcmp(n->value, "null"));
}

/* Copies libyaml node `id` of doc; NULL after reporting a problem. */
static struct cfg_node *copy(yaml_document_t *doc, int id, const char *file,
			     int depth, struct diag *d)
{
	yaml_node_t *y = yaml_document_get_node(doc, id);
	int line = file && !strcmp(file, "--set") ? 0 : (int)y->start_mark.line + 1;
	int col = (int)y->start_mark.column + 1;
	if (depth > MAX_DEPTH) {
		diag_error(d, file, line, col,
			   "nesting deeper than %d levels (a recursive alias?)",
			   MAX_DEPTH);
		return NULL;
	}
	if (y->type == YAML_SCALAR_NODE) {
		struct cfg_node *n = cfg_new_scalar((const char *)y->data.scalar.value,
						    file, line, col);
		n->quoted = y->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return n;
	}
	if (y->type == YAML_SEQUENCE_NODE) {
		struct cfg_node *n = new_node(CFG_SEQ, file, line, col);
		for (yaml_node_item_t *it = y->data.sequence.items.start;
		     it < y->data.sequence.items.top; it++) {
			struct cfg_node *c = copy(doc, *it, file, depth + 1, d);
			if (!c) {
				cfg_free(n);
				return NULL;
			}
			append_item(n, c);
		}
		return n;
	}
	struct cfg_node *n = new_node(CFG_MAP, file, line, col);
	bool ok = true;
	for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
	     p < y->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		int kl = line ? (int)k->start_mark.line + 1 : 0;
		int kc = (int)k->start_mark.column + 1;
		if (k->type != YAML_SCALAR_NODE) {
			diag_error(d, file, kl, kc,
				   "a key must be a plain word, not a list or map");
			ok = false;
			continue;
		}
		const char *key = (const char *)k->data.scalar.value;
		const struct cfg_pair *prev = cfg_get_pair(n, key);
		if (prev) {
			diag_error(d, file, kl, kc,
				   "duplicate key '%s' (first at line %d)", key,
				   prev->line);
			ok = false;
			continue;
		}
		struct cfg_node *v = copy(doc, p->value, file, depth + 1, d);
		if (!v) {
			ok = false;
			continue;
		}
		append_pair(n, sim_xstrdup(key), kl, kc, v);
	}
	if (!ok) {
		cfg_free(n);
		return NULL;
	}
	return n;
}

/* Reports a libyaml parser failure with the most precise mark it has. */
static void parser_error(yaml_parser_t *p, const char *file, bool string_origin,
			 struct diag *d)
{
	const char *what = p->problem ? p->problem : "invalid YAML";
	int line = string_origin ? 0 : (int)p->problem_mark.line + 1;
	int col = (int)p->problem_mark.column + 1;
	if (p->error == YAML_READER_ERROR)
		diag_error(d, file, 0, 0, "YAML syntax error: %s", what);
	else if (p->context)
		diag_error(d, file, line, col, "YAML syntax error: %s %s", what,
			   p->context);
	else
		diag_error(d, file, line, col, "YAML syntax error: %s", what);
}

static struct cfg_node *load(yaml_parser_t *parser, const char *file,
			     bool string_origin, struct diag *d)
{
	yaml_document_t doc;
	struct cfg_node *root = NULL;
	if (!yaml_parser_load(parser, &doc)) {
		parser_error(parser, file, string_origin, d);
		return NULL;
	}
	yaml_node_t *top = yaml_document_get_root_node(&doc);
	if (!top) {
		diag_error(d, file, 0, 0, "the file holds no YAML document");
		yaml_document_delete(&doc);
		return NULL;
	}
	root = copy(&doc, 1, file, 0, d);
	yaml_document_delete(&doc);
	if (!root)
		return NULL;
	/* A second document is an error: a scenario is one document. */
	yaml_document_t next;
	if (!yaml_parser_load(parser, &next)) {
		parser_error(parser, file, string_origin, d);
		cfg_free(root);
		return NULL;
	}
	yaml_node_t *more = yaml_document_get_root_node(&next);
	if (more) {
		diag_error(d, file, string_origin ? 0 : (int)more->start_mark.line + 1,
			   (int)more->start_mark.column + 1,
			   "a second YAML document; a scenario is one document");
		cfg_free(root);
		root = NULL;
	}
	yaml_document_delete(&next);
	return root;
}

int cfg_load_file(struct cfg_doc *doc, const char *path, struct diag *d)
{
	doc->file = sim_xstrdup(path);
	doc->root = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_error(d, doc->file, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		diag_error(d, doc->file, 0, 0, "out of memory");
		return -1;
	}
	yaml_parser_set_input_file(&parser, f);
	doc->root = load(&parser, doc->file, false, d);
	yaml_parser_delete(&parser);
	fclose(f);
	return doc->root ? 0 : -1;
}

struct cfg_node *cfg_parse_string(const char *text, const char *origin,
				  struct diag *d)
{
	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser))
		return NULL;
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
				     strlen(text));
	struct cfg_node *n = load(&parser, origin, true, d);
	yaml_parser_delete(&parser);
	return n;
}

void cfg_doc_finish(struct cfg_doc *doc)
{
	cfg_free(doc->root);
	free(doc->file);
	doc->root = NULL;
	doc->file = NULL;
}

/* --set ---------------------------------------------------------------- */

int cfg_set_path(struct cfg_node *root, const char *assignment, struct diag *d)
{
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment) {
		diag_error(d, "--set", 0, 0,
			   "expected PATH=VALUE (e.g. resources.desk.servers=4), got '%s'",
			   assignment);
		return -1;
	}
	char *path = sim_xrealloc(NULL, (size_t)(eq - assignment) + 1);
	memcpy(path, assignment, (size_t)(eq - assignment));
	path[eq - assignment] = '\0';
	int rc = -1;
	struct cfg_node *value = NULL;
	/* An empty VALUE parses as YAML null, which the schema rejects with a
	 * proper message; quote it ("''") for an empty string. */
	value = cfg_parse_string(eq[1] ? eq + 1 : "~", "--set", d);
	if (!value)
		goto out;

	struct cfg_node *cur = root;
	const char *p = path;
	while (*p) {
		char key[256];
		size_t len = strcspn(p, ".[");
		if (len == 0 || len >= sizeof(key)) {
			diag_error(d, "--set", 0, 0, "malformed path '%s'", path);
			goto out;
		}
		memcpy(key, p, len);
		key[len] = '\0';
		p += len;
		/* Indices after the key: key[0][1]... */
		long idx[8];
		int nidx = 0;
		while (*p == '[') {
			char *end;
			errno = 0;
			long i = strtol(p + 1, &end, 10);
			if (end == p + 1 || *end != ']' || i < 0 || errno ||
			    nidx == 8) {
				diag_error(d, "--set", 0, 0,
					   "malformed index in path '%s'", path);
				goto out;
			}
			idx[nidx++] = i;
			p = end + 1;
		}
		bool last = !*p;
		if (*p == '.') {
			p++;
			if (!*p) {
				diag_error(d, "--set", 0, 0,
					   "malformed path '%s'", path);
				goto out;
			}
		} else if (*p) {
			diag_error(d, "--set", 0, 0, "malformed path '%s'", path);
			goto out;
		}
		if (cur->type != CFG_MAP) {
			diag_error(d, "--set", 0, 0,
				   "%s: '%s' is inside a value that is not a map",
				   path, key);
			goto out;
		}
		struct cfg_node *next = cfg_get(cur, key);
		if (last && nidx == 0) {
			cfg_put(cur, key, value);
			value = NULL;
			rc = 0;
			goto out;
		}
		if (!next) {
			if (nidx) {
				diag_error(d, "--set", 0, 0,
					   "%s: there is no list '%s' to index",
					   path, key);
				goto out;
			}
			next = cfg_new_map("--set", 0, 0);
			cfg_put(cur, key, next);
		}
		for (int k = 0; k < nidx; k++) {
			if (next->type != CFG_SEQ || (size_t)idx[k] >= next->n) {
				diag_error(d, "--set", 0, 0,
					   "%s: index [%ld] is out of range (the list has %zu items)",
					   path, idx[k],
					   next->type == CFG_SEQ ? next->n : (size_t)0);
				goto out;
			}
			if (last && k == nidx - 1) {
				cfg_free(next->items[idx[k]]);
				next->items[idx[k]] = value;
				value = NULL;
				rc = 0;
				goto out;
			}
			next = next->items[idx[k]];
		}
		cur = next;
	}
out:
	cfg_free(value);
	free(path);
	return rc;
}

/* Output ------------------------------------------------------------------ */

static int emit_node(yaml_emitter_t *e, const struct cfg_node *n)
{
	yaml_event_t ev;
	if (n->type == CFG_SCALAR) {
		bool plain = !n->quoted;
		yaml_scalar_event_initialize(&ev, NULL, NULL,
					     (yaml_char_t *)n->value,
					     (int)strlen(n->value), plain, !plain,
					     plain ? YAML_ANY_SCALAR_STYLE
						   : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	}
	if (n->type == CFG_SEQ) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
						     YAML_BLOCK_SEQUENCE_STYLE);
		if (!yaml_emitter_emit(e, &ev))
			return -1;
		for (size_t i = 0; i < n->n; i++)
			if (emit_node(e, n->items[i]))
				return -1;
		yaml_sequence_end_event_initialize(&ev);
		return yaml_emitter_emit(e, &ev) ? 0 : -1;
	}
	yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
					    YAML_BLOCK_MAPPING_STYLE);
	if (!yaml_emitter_emit(e, &ev))
		return -1;
	for (size_t i = 0; i < n->n; i++) {
		yaml_scalar_event_initialize(&ev, NULL, NULL,
					     (yaml_char_t *)n->pairs[i].key,
					     (int)strlen(n->pairs[i].key), 1, 1,
					     YAML_ANY_SCALAR_STYLE);
		if (!yaml_emitter_emit(e, &ev) || emit_node(e, n->pairs[i].value))
			return -1;
	}
	yaml_mapping_end_event_initialize(&ev);
	return yaml_emitter_emit(e, &ev) ? 0 : -1;
}

int cfg_emit(FILE *f, const struct cfg_node *n, const char *header_comment)
{
	yaml_emitter_t e;
	yaml_event_t ev;
	int rc = -1;
	if (header_comment) {
		for (const char *p = header_comment; *p;) {
			size_t len = strcspn(p, "\n");
			fprintf(f, "# %.*s\n", (int)len, p);
			p += len + (p[len] == '\n');
		}
		fflush(f);
	}
	if (!yaml_emitter_initialize(&e))
		return -1;
	yaml_emitter_set_output_file(&e, f);
	yaml_emitter_set_unicode(&e, 1);
	yaml_emitter_set_width(&e, 100);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	if (!yaml_emitter_emit(&e, &ev))
		goto out;
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	if (!yaml_emitter_emit(&e, &ev) || emit_node(&e, n))
		goto out;
	yaml_document_end_event_initialize(&ev, 1);
	if (!yaml_emitter_emit(&e, &ev))
		goto out;
	yaml_stream_end_event_initialize(&ev);
	if (!yaml_emitter_emit(&e, &ev) || !yaml_emitter_flush(&e))
		goto out;
	rc = 0;
out:
	yaml_emitter_delete(&e);
	return rc;
}
