/* cfg.c - YAML to a positioned tree, --set edits, and YAML output.
 *
 * libyaml does the parsing and the emitting; this file only copies its
 * document into struct cfg_node (so that nodes can be added and replaced) and
 * turns its error marks into diagnostics.
 */
#include "sim/cfg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Aliases may add at most this many values to what the file itself holds:
 * enough for any shared setting, and it stops "billion laughs" documents
 * (aliases of lists of aliases, each level multiplying the last) before
 * they take minutes and gigabytes. */
#define MAX_ALIAS_VALUES 100000

/* State of one copy: the first fatal problem (too deep, a recursive alias,
 * too many values) stops it, so that it is reported once. */
struct copy_state {
	yaml_document_t *doc;
	const char *file;
	bool string_origin;   /* --set text: no line numbers */
	struct diag *d;
	size_t budget;        /* values that may still be created */
	bool stop;            /* a fatal problem was reported */
	int stack[MAX_DEPTH + 2]; /* libyaml node ids from the root down */
	char path[512];       /* scenario path of the node being copied */
	int top_line;         /* the top-level key being copied: inside an */
	int top_col;          /* alias, positions are the anchor's, so the */
	char top_key[128];    /* budget is blamed on this key */
};

/* The keys of a map being copied, to find duplicates: a linear search
 * for small maps, a hash table of pair indices past SMALL_MAP keys (a
 * linear search made a 100,000-key map take 20 s). */
#define SMALL_MAP 32

struct key_set {
	size_t *slots; /* pair index + 1, 0 for empty; NULL: search linearly */
	size_t mask;
};

static size_t key_hash(const char *s)
{
	size_t h = 14695981039346656037u; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211u;
	return h;
}

static void key_set_init(struct key_set *ks, size_t n_keys)
{
	ks->slots = NULL;
	ks->mask = 0;
	if (n_keys <= SMALL_MAP)
		return;
	size_t cap = 64;
	while (cap < 2 * n_keys)
		cap *= 2;
	ks->slots = sim_xcalloc(cap, sizeof(*ks->slots));
	ks->mask = cap - 1;
}

static const struct cfg_pair *key_set_find(const struct key_set *ks,
					   const struct cfg_node *map,
					   const char *key)
{
	if (!ks->slots)
		return cfg_get_pair(map, key);
	for (size_t i = key_hash(key) & ks->mask; ks->slots[i];
	     i = (i + 1) & ks->mask)
		if (!strcmp(map->pairs[ks->slots[i] - 1].key, key))
			return &map->pairs[ks->slots[i] - 1];
	return NULL;
}

/* Adds pair `index` of map (its key not yet in the set). */
static void key_set_add(struct key_set *ks, const struct cfg_node *map,
			size_t index)
{
	if (!ks->slots)
		return;
	size_t i = key_hash(map->pairs[index].key) & ks->mask;
	while (ks->slots[i])
		i = (i + 1) & ks->mask;
	ks->slots[i] = index + 1;
}

/* Appends ".key" (or "key" at the top) or "[i]" to st->path; returns the
 * old length to cut back to. */
static size_t path_push(struct copy_state *st, const char *key, size_t index)
{
	size_t len = strlen(st->path);
	if (key)
		snprintf(st->path + len, sizeof(st->path) - len, "%s%s",
			 len ? "." : "", key);
	else
		snprintf(st->path + len, sizeof(st->path) - len, "[%zu]", index);
	return len;
}

/* An error at line:col prefixed with the current path, as the schema's
 * messages are ("resources.desk: duplicate key ..."). */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void copy_error(struct copy_state *st, int line, int col,
		       const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	diag_verror_in(st->d, st->file, line, col, st->path, fmt, ap);
	va_end(ap);
}

/* Copies libyaml node `id` of the document; NULL after reporting a
 * problem. line/col place the key or item that holds it, for problems
 * that belong to the alias rather than to the node it names (libyaml
 * keeps no position for an alias itself). */
static struct cfg_node *copy(struct copy_state *st, int id, int depth,
			     int line_at, int col_at)
{
	yaml_node_t *y = yaml_document_get_node(st->doc, id);
	int line = st->string_origin ? 0 : (int)y->start_mark.line + 1;
	int col = (int)y->start_mark.column + 1;
	for (int i = 0; i < depth; i++) {
		if (st->stack[i] == id) {
			copy_error(st, line_at, col_at,
				   "an alias to a value that contains it (a recursive alias)");
			st->stop = true;
			return NULL;
		}
	}
	if (depth > MAX_DEPTH) {
		diag_error(st->d, st->file, line, col,
			   "nesting deeper than %d levels", MAX_DEPTH);
		st->stop = true;
		return NULL;
	}
	if (st->budget == 0) {
		diag_error(st->d, st->file, st->top_line, st->top_col,
			   "%s%saliases repeat values more than %d times (aliases of lists of aliases?); write the values out",
			   st->top_key, st->top_key[0] ? ": " : "",
			   MAX_ALIAS_VALUES);
		st->stop = true;
		return NULL;
	}
	st->budget--;
	st->stack[depth] = id;
	if (y->type == YAML_SCALAR_NODE) {
		struct cfg_node *n = cfg_new_scalar((const char *)y->data.scalar.value,
						    st->file, line, col);
		n->quoted = y->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		return n;
	}
	if (y->type == YAML_SEQUENCE_NODE) {
		struct cfg_node *n = new_node(CFG_SEQ, st->file, line, col);
		size_t i = 0;
		for (yaml_node_item_t *it = y->data.sequence.items.start;
		     it < y->data.sequence.items.top; it++, i++) {
			size_t old = path_push(st, NULL, i);
			struct cfg_node *c = copy(st, *it, depth + 1, line, col);
			st->path[old] = '\0';
			if (!c) {
				cfg_free(n);
				return NULL;
			}
			append_item(n, c);
		}
		return n;
	}
	struct cfg_node *n = new_node(CFG_MAP, st->file, line, col);
	bool ok = true;
	struct key_set seen;
	key_set_init(&seen, (size_t)(y->data.mapping.pairs.top -
				     y->data.mapping.pairs.start));
	for (yaml_node_pair_t *p = y->data.mapping.pairs.start;
	     p < y->data.mapping.pairs.top && !st->stop; p++) {
		yaml_node_t *k = yaml_document_get_node(st->doc, p->key);
		int kl = line ? (int)k->start_mark.line + 1 : 0;
		int kc = (int)k->start_mark.column + 1;
		if (k->type != YAML_SCALAR_NODE) {
			copy_error(st, kl, kc,
				   "a key must be a plain word, not a list or map");
			ok = false;
			continue;
		}
		const char *key = (const char *)k->data.scalar.value;
		/* YAML 1.1's merge key is not part of YAML 1.2 and libyaml
		 * does not apply it: without this, "<<: *base" would be an
		 * unknown key and every key it was meant to bring in missing. */
		if (!strcmp(key, "<<") && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
			copy_error(st, kl, kc,
				   "merge keys ('<<') are not supported; write the keys out (an alias can stand for a whole value)");
			ok = false;
			continue;
		}
		const struct cfg_pair *prev = key_set_find(&seen, n, key);
		if (prev) {
			copy_error(st, kl, kc, "duplicate key '%s' (first at line %d)",
				   key, prev->line);
			ok = false;
			continue;
		}
		if (depth == 0) {
			st->top_line = kl;
			st->top_col = kc;
			snprintf(st->top_key, sizeof(st->top_key), "%s", key);
		}
		size_t old = path_push(st, key, 0);
		struct cfg_node *v = copy(st, p->value, depth + 1, kl, kc);
		st->path[old] = '\0';
		if (!v) {
			ok = false;
			continue;
		}
		append_pair(n, sim_xstrdup(key), kl, kc, v);
		key_set_add(&seen, n, n->n - 1);
	}
	free(seen.slots);
	if (!ok || st->stop) {
		cfg_free(n);
		return NULL;
	}
	return n;
}

/* Line and column (1-based, in characters as libyaml counts them) of byte
 * `offset` of the input: libyaml's reader errors (bytes that are not UTF-8,
 * control characters) give only the offset. */
static void offset_position(FILE *f, const char *text, size_t offset,
			    int *line, int *col)
{
	*line = 1;
	*col = 1;
	if (f)
		rewind(f);
	for (size_t i = 0; i < offset; i++) {
		int c = f ? getc(f) : (unsigned char)text[i];
		if (c == EOF || (!f && c == '\0'))
			break;
		if (c == '\n') {
			(*line)++;
			*col = 1;
		} else if ((c & 0xC0) != 0x80) {
			(*col)++; /* not a UTF-8 continuation byte */
		}
	}
}

/* The input from 0-based line:column (in characters) to the end of that
 * line, at most size - 1 bytes, into buf ("" past the end): what a mark
 * points at, for messages that name it. */
static void text_at(FILE *f, const char *text, size_t line, size_t col,
		    char *buf, size_t size)
{
	size_t n = 0, i = 0;
	int c;
	if (f)
		rewind(f);
#define NEXT() (f ? getc(f) : text[i] ? (unsigned char)text[i++] : EOF)
	while (line > 0 && (c = NEXT()) != EOF)
		if (c == '\n')
			line--;
	/* Skip col characters: a character is a byte that does not
	 * continue a UTF-8 sequence, with its continuation bytes. */
	c = NEXT();
	for (; col > 0 && c != EOF && c != '\n'; col--)
		do
			c = NEXT();
		while (c != EOF && (c & 0xC0) == 0x80);
	for (; c != EOF && c != '\n' && n + 1 < size; c = NEXT())
		buf[n++] = (char)c;
#undef NEXT
	buf[n] = '\0';
}

/* Reports a libyaml parser failure with the most precise mark it has. f or
 * text is the input, for the place of a reader error and for what a
 * syntax error points at. */
static void parser_error(yaml_parser_t *p, const char *file, bool string_origin,
			 FILE *f, const char *text, struct diag *d)
{
	const char *what = p->problem ? p->problem : "invalid YAML";
	int line = string_origin ? 0 : (int)p->problem_mark.line + 1;
	int col = (int)p->problem_mark.column + 1;
	if (f && ferror(f)) {
		/* libyaml says only "input error". */
		diag_error(d, file, 0, 0, "cannot read: %s", strerror(errno));
		return;
	}
	if (p->error == YAML_READER_ERROR) {
		/* Bad bytes: say which, and that text is expected. */
		offset_position(f, text, p->problem_offset, &line, &col);
		if (string_origin)
			line = 0;
		if (p->problem_value >= 0)
			diag_error(d, file, line, col,
				   "not UTF-8 text: %s (0x%02X); expected a UTF-8 YAML file",
				   what, (unsigned)p->problem_value);
		else
			diag_error(d, file, line, col,
				   "not UTF-8 text: %s; expected a UTF-8 YAML file",
				   what);
		return;
	}
	char here[64];
	text_at(f, text, p->problem_mark.line, p->problem_mark.column, here,
		sizeof(here));
	if (p->error == YAML_SCANNER_ERROR && here[0] == '\t') {
		/* libyaml: "found character that cannot start any token". */
		diag_error(d, file, line, col,
			   "YAML syntax error: a tab character; YAML indents with spaces only");
	} else if (p->error == YAML_COMPOSER_ERROR && here[0] == '*') {
		/* libyaml: "found undefined alias", without its name. */
		here[strcspn(here, " \t,]}#")] = '\0';
		diag_error(d, file, line, col,
			   "YAML syntax error: the alias '%s' names no anchor ('&%s') earlier in the file",
			   here, here + 1);
	} else if (p->context && !string_origin) {
		/* Where the unclosed bracket, quote or map began. */
		const char *hint = !strcmp(what, "did not find expected key")
				   ? " (check this line's indentation)" : "";
		diag_error(d, file, line, col,
			   "YAML syntax error: %s %s that starts at line %d, column %d%s",
			   what, p->context, (int)p->context_mark.line + 1,
			   (int)p->context_mark.column + 1, hint);
	} else if (p->context) {
		diag_error(d, file, line, col, "YAML syntax error: %s %s", what,
			   p->context);
	} else {
		diag_error(d, file, line, col, "YAML syntax error: %s", what);
	}
}

/* A parser reading f from its start, or text. */
static bool start_parser(yaml_parser_t *p, FILE *f, const char *text)
{
	if (!yaml_parser_initialize(p))
		return false;
	if (f) {
		rewind(f);
		yaml_parser_set_input_file(p, f);
	} else {
		yaml_parser_set_input_string(p, (const unsigned char *)text,
					     strlen(text));
	}
	return true;
}

/* libyaml's scanner takes time quadratic in the nesting depth (200 KB of
 * '[' took 40 s) and yaml_parser_load reads the whole document before
 * copy() can apply its limit, so a first pass over the events stops at
 * the first collection nested too deep. Syntax errors are left to the
 * loader, which meets them at the same place. false after reporting. */
static bool depth_ok(FILE *f, const char *text, const char *file,
		     bool string_origin, struct diag *d)
{
	yaml_parser_t p;
	if (!start_parser(&p, f, text))
		return true;
	int depth = 0;
	bool ok = true;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev))
			break;
		yaml_event_type_t t = ev.type;
		if (t == YAML_SEQUENCE_START_EVENT || t == YAML_MAPPING_START_EVENT) {
			if (++depth > MAX_DEPTH) {
				diag_error(d, file,
					   string_origin ? 0 : (int)ev.start_mark.line + 1,
					   (int)ev.start_mark.column + 1,
					   "nesting deeper than %d levels", MAX_DEPTH);
				ok = false;
			}
		} else if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT) {
			depth--;
		}
		yaml_event_delete(&ev);
		if (!ok || t == YAML_STREAM_END_EVENT)
			break;
	}
	yaml_parser_delete(&p);
	return ok;
}

/* Loads the one document of f (from its start) or text. */
static struct cfg_node *load(const char *file, bool string_origin, FILE *f,
			     const char *text, struct diag *d)
{
	yaml_document_t doc;
	struct cfg_node *root = NULL;
	if (!depth_ok(f, text, file, string_origin, d))
		return NULL;
	yaml_parser_t parser_storage, *parser = &parser_storage;
	if (!start_parser(parser, f, text)) {
		diag_error(d, file, 0, 0, "out of memory");
		return NULL;
	}
	if (!yaml_parser_load(parser, &doc)) {
		parser_error(parser, file, string_origin, f, text, d);
		yaml_parser_delete(parser);
		return NULL;
	}
	yaml_node_t *top = yaml_document_get_root_node(&doc);
	if (!top) {
		/* Line 1 for a file, so that the message has a place an
		 * editor can jump to like every other. */
		diag_error(d, file, string_origin ? 0 : 1, 1,
			   "the file holds no YAML document (it is empty or only comments); expected a map of settings");
		yaml_document_delete(&doc);
		yaml_parser_delete(parser);
		return NULL;
	}
	struct copy_state st = {
		.doc = &doc, .file = file, .string_origin = string_origin,
		.d = d,
		.budget = (size_t)(doc.nodes.top - doc.nodes.start) + MAX_ALIAS_VALUES,
	};
	root = copy(&st, 1, 0, 1, 1);
	yaml_document_delete(&doc);
	if (!root) {
		yaml_parser_delete(parser);
		return NULL;
	}
	/* A second document is an error: a scenario is one document. */
	yaml_document_t next;
	if (!yaml_parser_load(parser, &next)) {
		parser_error(parser, file, string_origin, f, text, d);
		cfg_free(root);
		yaml_parser_delete(parser);
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
	yaml_parser_delete(parser);
	return root;
}

FILE *cfg_open_regular(const char *path, long long max, const char *what,
		       const char **why, char *buf, size_t size)
{
	*why = NULL;
	/* O_NONBLOCK: opening a FIFO with no writer would wait forever. */
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return NULL;
	struct stat sb;
	const char *kind = NULL;
	int err = 0;
	if (fstat(fd, &sb)) {
		err = errno;
	} else if (S_ISDIR(sb.st_mode)) {
		kind = "a directory";
	} else if (S_ISFIFO(sb.st_mode)) {
		kind = "a FIFO (pipe)";
	} else if (S_ISCHR(sb.st_mode) || S_ISBLK(sb.st_mode)) {
		kind = "a device";
	} else if (S_ISSOCK(sb.st_mode)) {
		kind = "a socket";
	} else if (!S_ISREG(sb.st_mode)) {
		kind = "not a regular file";
	} else if ((long long)sb.st_size > max) {
		snprintf(buf, size, "is larger than %lld MB (%lld bytes); expected %s of "
			 "at most that size", max >> 20, (long long)sb.st_size, what);
		*why = buf;
	} else {
		int flags = fcntl(fd, F_GETFL);
		FILE *f = flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) ? NULL
			: fdopen(fd, "rb");
		if (f)
			return f;
		err = errno;
	}
	if (kind) {
		snprintf(buf, size, "is %s; expected %s", kind, what);
		*why = buf;
	}
	close(fd);
	errno = err;
	return NULL;
}

int cfg_load_file(struct cfg_doc *doc, const char *path, struct diag *d)
{
	doc->file = sim_xstrdup(path);
	doc->root = NULL;
	const char *why;
	char buf[256];
	FILE *f = cfg_open_regular(path, CFG_MAX_FILE, "a YAML file", &why, buf,
				   sizeof(buf));
	if (!f) {
		if (why)
			diag_error(d, doc->file, 0, 0, "%s", why);
		else
			diag_error(d, doc->file, 0, 0, "cannot open: %s", strerror(errno));
		return -1;
	}
	doc->root = load(doc->file, false, f, NULL, d);
	fclose(f);
	return doc->root ? 0 : -1;
}

struct cfg_node *cfg_parse_string(const char *text, const char *origin,
				  struct diag *d)
{
	return load(origin, true, NULL, text, d);
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
