/* observed.c - monitoring exports (CloudWatch JSON pages, CSV) read into
 * series of points (see observed.h for the formats).
 *
 * The file is read whole (at most CFG_MAX_FILE bytes). JSON goes through
 * jansson, one document at a time (JSON_DISABLE_EOF_CHECK says how many
 * bytes each took), CSV through sim/csv.h's reader. Points are gathered
 * per series with where they came from (page and entry, or line), then
 * each series is sorted by time: a time met twice keeps one point when the
 * values agree and is an error when they do not. Times are seconds since
 * the epoch, converted from the civil date by days_from_civil (no timegm,
 * which is not in POSIX).
 */
#include "sim/observed.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "sim/alloc.h"
#include "sim/cfg.h"
#include "sim/csv.h"

/* Time ------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil). */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The inverse: year, month, day of a day count. */
static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

static bool leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int64_t y, int m)
{
	static const int days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Exactly n digits at *s into *out; advances *s. */
static bool digits(const char **s, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*s)[i]))
			return false;
		v = v * 10 + ((*s)[i] - '0');
	}
	*s += n;
	*out = v;
	return true;
}

/* A number of seconds: the whole text, finite. */
static bool plain_number(const char *s, double *t)
{
	if (!*s || isspace((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (*end || errno == ERANGE || !isfinite(x))
		return false;
	/* strtod takes "0x10" and "nan"; seconds are decimal. */
	for (const char *p = s; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return false;
	*t = x;
	return true;
}

int obs_parse_time(const char *s, double *t)
{
	if (plain_number(s, t))
		return 0;
	int year, mon, day, hour, min, sec;
	const char *p = s;
	if (!digits(&p, 4, &year) || *p++ != '-' || !digits(&p, 2, &mon) ||
	    *p++ != '-' || !digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
		return -1;
	p++;
	if (!digits(&p, 2, &hour) || *p++ != ':' || !digits(&p, 2, &min) ||
	    *p++ != ':' || !digits(&p, 2, &sec))
		return -1;
	if (mon < 1 || mon > 12 || day < 1 || day > month_days(year, mon) ||
	    hour > 23 || min > 59 || sec > 59)
		return -1;
	double frac = 0;
	if (*p == '.') {
		p++;
		double scale = 0.1;
		if (!isdigit((unsigned char)*p))
			return -1;
		while (isdigit((unsigned char)*p)) {
			frac += (*p++ - '0') * scale;
			scale /= 10;
		}
	}
	int offset = 0; /* seconds east of UTC */
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om = 0;
		if (!digits(&p, 2, &oh))
			return -1;
		if (*p == ':')
			p++;
		if (*p && !digits(&p, 2, &om))
			return -1;
		if (oh > 23 || om > 59)
			return -1;
		offset = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		return -1;
	int64_t days = days_from_civil(year, mon, day);
	*t = (double)(days * 86400 + hour * 3600 + min * 60 + sec - offset) + frac;
	return 0;
}

const char *obs_format_time(double t, char *buf, size_t size)
{
	if (!isfinite(t) || fabs(t) > 1e14) {
		snprintf(buf, size, "%g", t);
		return buf;
	}
	int64_t ms = (int64_t)llround(t * 1000);
	int64_t secs = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000);
	int frac = (int)(ms - secs * 1000);
	int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
	int64_t rem = secs - days * 86400;
	int64_t y;
	int m, d;
	civil_from_days(days, &y, &m, &d);
	int hh = (int)(rem / 3600), mm = (int)(rem / 60 % 60), ss = (int)(rem % 60);
	if (frac)
		snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", (long long)y,
			 m, d, hh, mm, ss, frac);
	else
		snprintf(buf, size, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m,
			 d, hh, mm, ss);
	return buf;
}

/* Statistics ------------------------------------------------------------ */

static const char *const stat_names[] = {
	[OBS_STAT_SUM] = "Sum",         [OBS_STAT_AVERAGE] = "Average",
	[OBS_STAT_MAXIMUM] = "Maximum", [OBS_STAT_MINIMUM] = "Minimum",
	[OBS_STAT_SAMPLECOUNT] = "SampleCount",
};

int obs_parse_stat(const char *word, int *stat, double *percentile)
{
	for (int i = OBS_STAT_SUM; i <= OBS_STAT_SAMPLECOUNT; i++)
		if (!strcmp(word, stat_names[i])) {
			*stat = i;
			*percentile = 0;
			return 0;
		}
	if (word[0] != 'p' || !isdigit((unsigned char)word[1]))
		return -1;
	int dots = 0;
	for (const char *p = word + 1; *p; p++) {
		if (*p == '.')
			dots++;
		else if (!isdigit((unsigned char)*p))
			return -1;
	}
	double x = strtod(word + 1, NULL);
	if (dots > 1 || word[strlen(word) - 1] == '.' || !(x > 0) || x > 100)
		return -1;
	*stat = OBS_STAT_PERCENTILE;
	*percentile = x;
	return 0;
}

const char *obs_stat_name(int stat, double percentile, char *buf, size_t size)
{
	if (stat == OBS_STAT_PERCENTILE)
		snprintf(buf, size, "p%g", percentile);
	else if (stat >= OBS_STAT_SUM && stat <= OBS_STAT_SAMPLECOUNT)
		snprintf(buf, size, "%s", stat_names[stat]);
	else
		snprintf(buf, size, "unstated");
	return buf;
}

/* Series ---------------------------------------------------------------- */

/* A point as read, with where it came from: JSON page and entry index, or
 * CSV line (in page). */
struct point {
	double t, v;
	size_t page, entry;
};

/* The points of one series while the file is read. */
struct gather {
	struct point *p;
	size_t n, cap;
	size_t last_page; /* the page the Id was last seen in (0: none) */
};

struct reader {
	struct obs_set *set;
	struct gather *g; /* one per series of set */
	size_t cap;       /* allocated series */
	struct diag *d;
};

static void push_point(struct gather *g, double t, double v, size_t page,
		       size_t entry)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? 2 * g->cap : 16;
		g->p = sim_xrealloc(g->p, g->cap * sizeof(*g->p));
	}
	g->p[g->n++] = (struct point){ t, v, page, entry };
}

/* Splits the label into words: statistics set s->stat, Name=Value keeps
 * Value. */
static void split_label(struct obs_series *s)
{
	char *copy = sim_xstrdup(s->label);
	size_t cap = 0;
	for (char *w = strtok(copy, " \t"); w; w = strtok(NULL, " \t")) {
		int stat;
		double pct;
		if (obs_parse_stat(w, &stat, &pct) == 0) {
			if (s->stat == OBS_STAT_UNSTATED) {
				s->stat = stat;
				s->percentile = pct;
			}
			continue;
		}
		char *eq = strchr(w, '=');
		if (eq && eq > w)
			w = eq + 1;
		if (!*w)
			continue;
		if (s->n_words == cap) {
			cap = cap ? 2 * cap : 4;
			s->words = sim_xrealloc(s->words, cap * sizeof(*s->words));
		}
		s->words[s->n_words++] = sim_xstrdup(w);
	}
	free(copy);
}

/* A new series at the end of the set. */
static size_t add_series(struct reader *r, const char *id, const char *label)
{
	struct obs_set *set = r->set;
	if (set->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 8;
		set->s = sim_xrealloc(set->s, r->cap * sizeof(*set->s));
		r->g = sim_xrealloc(r->g, r->cap * sizeof(*r->g));
	}
	struct obs_series *s = &set->s[set->n];
	*s = (struct obs_series){ 0 };
	r->g[set->n] = (struct gather){ 0 };
	s->id = sim_xstrdup(id);
	s->label = sim_xstrdup(label);
	split_label(s);
	return set->n++;
}

static long find_series(const struct obs_set *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->s[i].id, id))
			return (long)i;
	return -1;
}

static int by_time(const void *a, const void *b)
{
	const struct point *x = a, *y = b;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	/* Stable for equal times: the earlier page or line first. */
	if (x->page != y->page)
		return x->page < y->page ? -1 : 1;
	return (x->entry > y->entry) - (x->entry < y->entry);
}

static void series_finish(struct obs_series *s)
{
	free(s->id);
	free(s->label);
	for (size_t i = 0; i < s->n_words; i++)
		free(s->words[i]);
	free(s->words);
	free(s->t);
	free(s->v);
}

/* Sorts series i's points into s->t and s->v, drops repeated points and
 * reports conflicting ones; sets period and missing. */
static void settle(struct reader *r, size_t i)
{
	struct obs_series *s = &r->set->s[i];
	struct gather *g = &r->g[i];
	if (g->n) /* an entry with no point has no array */
		qsort(g->p, g->n, sizeof(*g->p), by_time);
	s->t = sim_xcalloc(g->n ? g->n : 1, sizeof(*s->t));
	s->v = sim_xcalloc(g->n ? g->n : 1, sizeof(*s->v));
	bool json = r->set->format == OBS_JSON;
	for (size_t k = 0; k < g->n; k++) {
		const struct point *p = &g->p[k];
		if (s->n && s->t[s->n - 1] == p->t) {
			if (s->v[s->n - 1] == p->v)
				continue;
			const struct point *q = &g->p[k - 1];
			char when[64];
			obs_format_time(p->t, when, sizeof(when));
			if (json)
				diag_error(r->d, r->set->file, 0, 0,
					   "page %zu, MetricDataResults[%zu] (Id \"%s\"): %s has value %g here and %g in page %zu",
					   p->page, p->entry, s->id, when, p->v,
					   s->v[s->n - 1], q->page);
			else
				diag_error(r->d, r->set->file, (int)p->page, 1,
					   "%s: %s has value %g here and %g on line %zu",
					   s->label, when, p->v, s->v[s->n - 1], q->page);
			continue;
		}
		s->t[s->n] = p->t;
		s->v[s->n] = p->v;
		s->n++;
	}
	s->period = 0;
	for (size_t k = 1; k < s->n; k++) {
		double gap = s->t[k] - s->t[k - 1];
		if (s->period == 0 || gap < s->period)
			s->period = gap;
	}
	s->missing = 0;
	for (size_t k = 1; k < s->n; k++) {
		double whole = floor((s->t[k] - s->t[k - 1]) / s->period + 1e-6);
		if (whole > 1)
			s->missing += (size_t)whole - 1;
	}
}

/* JSON ------------------------------------------------------------------ */

/* The entry's prefix for messages: page P, MetricDataResults[i] (Id "x"). */
static void where(char *buf, size_t size, size_t page, size_t i, const char *id)
{
	if (id)
		snprintf(buf, size, "page %zu, MetricDataResults[%zu] (Id \"%s\")", page,
			 i, id);
	else
		snprintf(buf, size, "page %zu, MetricDataResults[%zu]", page, i);
}

/* What a JSON value is, for messages. */
static const char *json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "an object";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	default:
		return "null";
	}
}

static void read_entry(struct reader *r, size_t page, size_t i, const json_t *e)
{
	const char *file = r->set->file;
	char at[300];
	where(at, sizeof(at), page, i, NULL);
	if (!json_is_object(e)) {
		diag_error(r->d, file, 0, 0, "%s: expected an object, got %s", at,
			   json_kind(e));
		return;
	}
	const json_t *idv = json_object_get(e, "Id");
	if (!json_is_string(idv)) {
		diag_error(r->d, file, 0, 0, "%s: %s", at,
			   idv ? "Id is not a string" : "no Id");
		return;
	}
	const char *id = json_string_value(idv);
	where(at, sizeof(at), page, i, id);
	const json_t *lab = json_object_get(e, "Label");
	if (lab && !json_is_string(lab)) {
		diag_error(r->d, file, 0, 0, "%s: Label is not a string", at);
		return;
	}
	const json_t *code = json_object_get(e, "StatusCode");
	const char *status = json_is_string(code) ? json_string_value(code) : "";
	if (!strcmp(status, "Forbidden") || !strcmp(status, "InternalError")) {
		const json_t *msgs = json_object_get(e, "Messages");
		const json_t *m0 = json_is_array(msgs) ? json_array_get(msgs, 0) : NULL;
		const json_t *val = json_is_object(m0) ? json_object_get(m0, "Value") : NULL;
		diag_error(r->d, file, 0, 0, "%s: StatusCode %s: CloudWatch returned no data%s%s",
			   at, status, json_is_string(val) ? ": " : "",
			   json_is_string(val) ? json_string_value(val) : "");
		return;
	}
	const json_t *ts = json_object_get(e, "Timestamps");
	const json_t *vs = json_object_get(e, "Values");
	if (!json_is_array(ts) || !json_is_array(vs)) {
		const char *which = !json_is_array(ts) ? "Timestamps" : "Values";
		const json_t *v = !json_is_array(ts) ? ts : vs;
		if (v)
			diag_error(r->d, file, 0, 0, "%s: %s is %s, not a list", at, which,
				   json_kind(v));
		else
			diag_error(r->d, file, 0, 0, "%s: no %s", at, which);
		return;
	}
	size_t n = json_array_size(ts);
	if (n != json_array_size(vs)) {
		diag_error(r->d, file, 0, 0, "%s: Timestamps has %zu points, Values %zu",
			   at, n, json_array_size(vs));
		return;
	}
	double *t = sim_xcalloc(n ? n : 1, sizeof(*t));
	double *v = sim_xcalloc(n ? n : 1, sizeof(*v));
	bool ok = true;
	for (size_t k = 0; k < n && ok; k++) {
		const json_t *x = json_array_get(ts, k);
		if (json_is_number(x)) {
			t[k] = json_number_value(x);
		} else if (!json_is_string(x) ||
			   obs_parse_time(json_string_value(x), &t[k])) {
			char got[80];
			if (json_is_string(x))
				snprintf(got, sizeof(got), "\"%.60s\"", json_string_value(x));
			else
				snprintf(got, sizeof(got), "%s", json_kind(x));
			diag_error(r->d, file, 0, 0,
				   "%s: Timestamps[%zu] is not a time: %s (expected ISO 8601 such as 2026-11-30T10:00:00Z, or seconds since the epoch)",
				   at, k, got);
			ok = false;
		}
		const json_t *y = json_array_get(vs, k);
		if (ok && !json_is_number(y)) {
			diag_error(r->d, file, 0, 0, "%s: Values[%zu] is not a number: %s", at,
				   k, json_kind(y));
			ok = false;
		} else if (ok) {
			v[k] = json_number_value(y);
		}
	}
	if (ok && n > 2) {
		bool up = t[1] > t[0];
		for (size_t k = 1; k < n && ok; k++)
			if (up ? !(t[k] > t[k - 1]) : !(t[k] < t[k - 1])) {
				char a[64], b[64];
				diag_error(r->d, file, 0, 0,
					   "%s: Timestamps are non-monotone: Timestamps[%zu] %s follows %s",
					   at, k, obs_format_time(t[k], a, sizeof(a)),
					   obs_format_time(t[k - 1], b, sizeof(b)));
				ok = false;
			}
	} else if (ok && n == 2 && t[0] == t[1]) {
		diag_error(r->d, file, 0, 0,
			   "%s: Timestamps are non-monotone: Timestamps[1] repeats Timestamps[0]",
			   at);
		ok = false;
	}
	if (ok) {
		long si = find_series(r->set, id);
		if (si < 0)
			si = (long)add_series(r, id, lab ? json_string_value(lab) : id);
		struct obs_series *s = &r->set->s[si];
		struct gather *g = &r->g[si];
		if (g->last_page != page) {
			g->last_page = page;
			s->pages++;
		}
		if (!strcmp(status, "PartialData"))
			s->partial = true;
		for (size_t k = 0; k < n; k++)
			push_point(g, t[k], v[k], page, i);
	}
	free(t);
	free(v);
}

static void read_page(struct reader *r, size_t page, const json_t *p)
{
	const json_t *list = json_is_object(p) ? json_object_get(p, "MetricDataResults")
					       : NULL;
	if (!json_is_object(p)) {
		diag_error(r->d, r->set->file, 0, 0,
			   "page %zu: expected an object with MetricDataResults, got %s",
			   page, json_kind(p));
		return;
	}
	if (!json_is_array(list)) {
		diag_error(r->d, r->set->file, 0, 0,
			   "page %zu: no MetricDataResults list (expected the output of aws cloudwatch get-metric-data)",
			   page);
		return;
	}
	for (size_t i = 0; i < json_array_size(list); i++)
		read_entry(r, page, i, json_array_get(list, i));
}

/* Line and column (1-based) of byte pos of text. */
static void line_col(const char *text, size_t pos, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < pos; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void read_json(struct reader *r, const char *text, size_t len)
{
	size_t pos = 0;
	while (pos < len) {
		while (pos < len && isspace((unsigned char)text[pos]))
			pos++;
		if (pos == len)
			break;
		json_error_t err;
		json_t *doc = json_loadb(text + pos, len - pos, JSON_DISABLE_EOF_CHECK, &err);
		if (!doc) {
			int line, col;
			line_col(text, pos, &line, &col);
			if (err.line > 1) {
				line += err.line - 1;
				col = err.column > 0 ? err.column : 1;
			} else if (err.column > 0) {
				col += err.column - 1;
			}
			diag_error(r->d, r->set->file, line, col, "not JSON: %s", err.text);
			return;
		}
		pos += err.position;
		if (json_is_array(doc)) {
			for (size_t i = 0; i < json_array_size(doc); i++)
				read_page(r, ++r->set->pages, json_array_get(doc, i));
		} else {
			read_page(r, ++r->set->pages, doc);
		}
		json_decref(doc);
	}
}

/* CSV ------------------------------------------------------------------- */

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static void read_csv(struct reader *r, FILE *f)
{
	static const char *const header[] = { "timestamp", "resource", "metric", "value",
					      "statistic" };
	const char *file = r->set->file;
	struct sim_csv_reader rd;
	sim_csv_reader_init(&rd, f);
	r->set->pages = 1;
	long nc = sim_csv_read(&rd);
	bool ok = nc == 4 || nc == 5;
	for (long i = 0; ok && i < nc; i++) {
		const char *c = trim(rd.cells[i]);
		/* A byte-order mark before the first header cell. */
		if (i == 0 && !strncmp(c, "\xef\xbb\xbf", 3))
			c += 3;
		ok = !strcasecmp(c, header[i]);
	}
	if (!ok) {
		diag_error(r->d, file, nc > 0 ? (int)rd.line : 0, nc > 0 ? 1 : 0,
			   "expected the header timestamp,resource,metric,value (and optionally statistic)");
		sim_csv_reader_finish(&rd);
		return;
	}
	size_t cols = (size_t)nc;
	char *key = NULL;
	size_t key_cap = 0;
	while ((nc = sim_csv_read(&rd)) != 0) {
		int line = (int)rd.line;
		if (nc < 0) {
			diag_error(r->d, file, line, 1, "cannot read the row: %s",
				   errno == EINVAL ? "a quoted cell is not closed"
						   : strerror(errno));
			break;
		}
		if (nc == 1 && !*trim(rd.cells[0]))
			continue;
		if ((size_t)nc != cols) {
			diag_error(r->d, file, line, 1, "expected %zu cells, got %ld", cols, nc);
			continue;
		}
		char *ts = trim(rd.cells[0]), *res = trim(rd.cells[1]);
		char *met = trim(rd.cells[2]), *val = trim(rd.cells[3]);
		char *st = cols == 5 ? trim(rd.cells[4]) : "";
		double t, v;
		int stat = OBS_STAT_UNSTATED;
		double pct = 0;
		if (obs_parse_time(ts, &t)) {
			diag_error(r->d, file, line, (int)rd.at[0] + 1,
				   "timestamp '%.60s' is not a time (expected ISO 8601 such as 2026-11-30T10:00:00Z, or seconds since the epoch)",
				   ts);
			continue;
		}
		if (!*res || !*met) {
			diag_error(r->d, file, line, (int)rd.at[*res ? 2 : 1] + 1,
				   "empty %s", *res ? "metric" : "resource");
			continue;
		}
		char *end;
		v = strtod(val, &end);
		if (!*val || *end || !isfinite(v)) {
			diag_error(r->d, file, line, (int)rd.at[3] + 1,
				   "value '%.60s' is not a number", val);
			continue;
		}
		if (*st && obs_parse_stat(st, &stat, &pct)) {
			diag_error(r->d, file, line, (int)rd.at[4] + 1,
				   "statistic '%.60s' is not Sum, Average, Maximum, Minimum, SampleCount or pNN",
				   st);
			continue;
		}
		/* The label says resource, metric and statistic: it is the
		 * series' key. */
		size_t need = strlen(res) + strlen(met) + strlen(st) + 3;
		if (need > key_cap) {
			key_cap = need;
			key = sim_xrealloc(key, key_cap);
		}
		snprintf(key, key_cap, "%s %s%s%s", res, met, *st ? " " : "", st);
		size_t si;
		for (si = 0; si < r->set->n; si++)
			if (!strcmp(r->set->s[si].label, key))
				break;
		if (si == r->set->n) {
			char *id = sim_xrealloc(NULL, need);
			snprintf(id, need, "%s.%s", res, met);
			/* Another statistic of the same metric: its Id says it. */
			if (find_series(r->set, id) >= 0)
				snprintf(id, need, "%s.%s.%s", res, met, st);
			si = add_series(r, id, key);
			free(id);
			/* The statistic and the words come from the columns,
			 * not from the label's words. */
			struct obs_series *s = &r->set->s[si];
			for (size_t w = 0; w < s->n_words; w++)
				free(s->words[w]);
			s->words = sim_xrealloc(s->words, 2 * sizeof(*s->words));
			s->words[0] = sim_xstrdup(res);
			s->words[1] = sim_xstrdup(met);
			s->n_words = 2;
			s->stat = stat;
			s->percentile = pct;
			s->pages = 1;
		}
		push_point(&r->g[si], t, v, (size_t)line, 0);
	}
	free(key);
	sim_csv_reader_finish(&rd);
}

/* Loading --------------------------------------------------------------- */

void obs_finish(struct obs_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		series_finish(&set->s[i]);
	free(set->s);
	free(set->file);
	*set = (struct obs_set){ 0 };
}

int obs_load(struct obs_set *set, const char *path, struct diag *d)
{
	*set = (struct obs_set){ 0 };
	set->file = sim_xstrdup(path);
	const char *why;
	char buf[256];
	FILE *f = cfg_open_regular(path, CFG_MAX_FILE, "a monitoring export (JSON or CSV)",
				   &why, buf, sizeof(buf));
	if (!f) {
		if (why)
			diag_error(d, path, 0, 0, "%s", why);
		else
			diag_error(d, path, 0, 0, "cannot open: %s", strerror(errno));
		obs_finish(set);
		return -1;
	}
	size_t errors = d->errors;
	size_t len = 0, cap = 65536;
	char *text = sim_xrealloc(NULL, cap);
	size_t got;
	while ((got = fread(text + len, 1, cap - len - 1, f)) > 0) {
		len += got;
		if (len + 1 == cap) {
			if ((long long)cap > CFG_MAX_FILE)
				break;
			cap *= 2;
			text = sim_xrealloc(text, cap);
		}
	}
	text[len] = '\0';
	if (ferror(f))
		diag_error(d, path, 0, 0, "cannot read: %s", strerror(errno));
	size_t first = 0;
	while (first < len && isspace((unsigned char)text[first]))
		first++;
	struct reader r = { .set = set, .d = d };
	if (d->errors > errors) {
		/* reported above */
	} else if (first == len) {
		diag_error(d, path, 0, 0,
			   "is empty; expected a monitoring export (JSON from aws cloudwatch get-metric-data, or CSV)");
	} else if (text[first] == '{' || text[first] == '[') {
		set->format = OBS_JSON;
		read_json(&r, text, len);
	} else {
		set->format = OBS_CSV;
		rewind(f);
		read_csv(&r, f);
	}
	free(text);
	fclose(f);
	for (size_t i = 0; i < set->n; i++) {
		settle(&r, i);
		free(r.g[i].p);
	}
	free(r.g);
	bool any = false;
	for (size_t i = 0; i < set->n; i++) {
		const struct obs_series *s = &set->s[i];
		if (!s->n)
			continue;
		if (!any || s->t[0] < set->t0)
			set->t0 = s->t[0];
		if (!any || s->t[s->n - 1] + s->period > set->t_end)
			set->t_end = s->t[s->n - 1] + s->period;
		any = true;
	}
	if (d->errors == errors && !any)
		diag_error(d, path, 0, 0, "holds no data points");
	if (d->errors > errors) {
		obs_finish(set);
		return -1;
	}
	return 0;
}

/* Look-ups -------------------------------------------------------------- */

bool obs_match(const struct obs_series *s, const char *resource, const char *metric)
{
	size_t rl = strlen(resource);
	for (size_t i = 0; i < s->n_words; i++) {
		const char *w = s->words[i];
		if (!strncmp(w, resource, rl) && w[rl] == '.' && !strcmp(w + rl + 1, metric))
			return true;
	}
	for (size_t i = 0; i < s->n_words; i++) {
		if (strcmp(s->words[i], resource))
			continue;
		for (size_t j = 0; j < s->n_words; j++)
			if (j != i && !strcmp(s->words[j], metric))
				return true;
	}
	return false;
}

const struct obs_series *obs_find_id(const struct obs_set *set, const char *id)
{
	long i = find_series(set, id);
	return i < 0 ? NULL : &set->s[i];
}
