/* grid.c - the values of --vary and the grid of points they make (see grid.h). */
#include "cli/grid.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/text.h"
#include "sim/units.h"

static void push(struct vary *v, const char *s, size_t len)
{
	/* Capacity doubles at powers of two (from 4): a long range stays
	 * linear (found by fuzzing: 74,000 values took seconds). */
	size_t n = v->n;
	if (n == 0 || (n >= 4 && (n & (n - 1)) == 0))
		v->values = sim_xrealloc(v->values, (n ? 2 * n : 4) * sizeof(*v->values));
	v->values[v->n++] = strndup(s, len);
}

/* Splits a number with an optional unit suffix: "250ms" -> 250, "ms". */
static int split_unit(const char *s, double *x, const char **unit)
{
	char *end;
	errno = 0;
	*x = strtod(s, &end);
	if (end == s || errno || !isfinite(*x))
		return -1;
	*unit = end;
	return 0;
}

/* A..B:STEP: 0 when s is a range (expanded into v), 1 when it is not a
 * range, -1 on a malformed range. */
static int expand_range(struct vary *v, const char *s, char *err, size_t errlen)
{
	const char *dots = strstr(s, "..");
	const char *colon = dots ? strchr(dots, ':') : NULL;
	if (!dots || !colon || strchr(s, '{') || strchr(s, '['))
		return 1;
	char a_s[64], b_s[64];
	size_t la = (size_t)(dots - s), lb = (size_t)(colon - dots - 2);
	if (la >= sizeof(a_s) || lb >= sizeof(b_s))
		return sim_text_fail(err, errlen, "range '%s' too long", s);
	memcpy(a_s, s, la);
	a_s[la] = '\0';
	memcpy(b_s, dots + 2, lb);
	b_s[lb] = '\0';
	double a, b, step;
	const char *ua, *ub, *us;
	if (split_unit(a_s, &a, &ua) || split_unit(b_s, &b, &ub) ||
	    split_unit(colon + 1, &step, &us))
		return sim_text_fail(err, errlen, "range '%s': expected A..B:STEP with numbers", s);
	if (strcmp(ua, ub) || strcmp(ua, us))
		return sim_text_fail(err, errlen, "range '%s': A, B and STEP must have the same unit", s);
	if (step <= 0 || b < a)
		return sim_text_fail(err, errlen, "range '%s': expected A <= B and STEP > 0", s);
	double count = floor((b - a) / step + 1e-9) + 1;
	if (count > 100000)
		return sim_text_fail(err, errlen, "range '%s' has more than 100000 values", s);
	for (double i = 0; i < count; i++) {
		char buf[96];
		int len = snprintf(buf, sizeof(buf), "%.10g%s", a + i * step, ua);
		push(v, buf, (size_t)len);
	}
	return 0;
}

int vary_parse(struct vary *v, const char *arg, char *err, size_t errlen)
{
	*v = (struct vary){ 0 };
	const char *eq = strchr(arg, '=');
	if (!eq || eq == arg)
		return sim_text_fail(err, errlen, "--vary '%s': expected PATH=V1,V2,... or PATH=A..B:STEP", arg);
	v->path = strndup(arg, (size_t)(eq - arg));
	const char *s = eq + 1;
	int depth = 0;
	char quote = 0; /* inside a YAML '...' or "..." scalar */
	const char *start = s;
	for (const char *p = s;; p++) {
		if (quote) {
			if (!*p) {
				vary_free(v);
				return sim_text_fail(err, errlen, "--vary '%s': a quote (%c) is not closed",
					    arg, quote);
			}
			if (quote == '"' && *p == '\\' && p[1])
				p++; /* an escape: "a\"b" */
			else if (*p == quote)
				quote = 0; /* '' inside '...' closes and reopens */
			continue;
		}
		if (*p == '\'' || *p == '"')
			quote = *p;
		else if (*p == '{' || *p == '[')
			depth++;
		else if (*p == '}' || *p == ']')
			depth--;
		if ((*p == ',' && depth == 0) || !*p) {
			size_t len = (size_t)(p - start);
			while (len && (*start == ' '))
				start++, len--;
			while (len && start[len - 1] == ' ')
				len--;
			if (!len) {
				vary_free(v);
				return sim_text_fail(err, errlen, "--vary '%s': an empty value", arg);
			}
			char *item = strndup(start, len);
			int r = expand_range(v, item, err, errlen);
			if (r == 1)
				push(v, item, len);
			free(item);
			if (r < 0) {
				vary_free(v);
				return -1;
			}
			if (!*p)
				break;
			start = p + 1;
		}
	}
	if (depth != 0) {
		vary_free(v);
		return sim_text_fail(err, errlen, "--vary '%s': unbalanced braces", arg);
	}
	return 0;
}

void vary_free(struct vary *v)
{
	for (size_t i = 0; i < v->n; i++)
		free(v->values[i]);
	free(v->values);
	free(v->path);
	*v = (struct vary){ 0 };
}

size_t grid_size(const struct vary *v, size_t n)
{
	size_t k = 1;
	for (size_t i = 0; i < n; i++)
		k *= v[i].n;
	return k;
}

void grid_point(const struct vary *v, size_t n, size_t k, size_t *idx)
{
	for (size_t i = n; i-- > 0;) {
		idx[i] = k % v[i].n;
		k /= v[i].n;
	}
}

