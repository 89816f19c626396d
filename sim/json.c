/* json.c - JSON documents through jansson (see json.h). */
#include "sim/json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"
#include "sim/text.h"

static json_t *made(json_t *v, size_t size)
{
	if (!v)
		sim_out_of_memory(size);
	return v;
}

json_t *sim_json_object(void)
{
	return made(json_object(), sizeof(json_t));
}

json_t *sim_json_array(void)
{
	return made(json_array(), sizeof(json_t));
}

json_t *sim_json_text(const char *s)
{
	char *clean = sim_text_dup(s, SIM_TEXT_UTF8);
	size_t n = strlen(clean);
	json_t *v = made(json_stringn(clean, n), n + 1);
	free(clean);
	return v;
}

json_t *sim_json_num(double x)
{
	if (!isfinite(x))
		return sim_json_null();
	/* Where %.10g writes digits alone, jansson would add ".0" to the
	 * real: the integer it wrote instead. */
	char buf[32];
	snprintf(buf, sizeof(buf), "%.10g", x);
	if (buf[strspn(buf, "-0123456789")] == '\0')
		return sim_json_int(strtoll(buf, NULL, 10));
	return made(json_real(x), sizeof(json_t));
}

json_t *sim_json_int(long long x)
{
	return made(json_integer((json_int_t)x), sizeof(json_t));
}

json_t *sim_json_null(void)
{
	return json_null();
}

void sim_json_set(json_t *obj, const char *key, json_t *v)
{
	if (json_object_set_new_nocheck(obj, key, v))
		sim_out_of_memory(strlen(key) + 1);
}

void sim_json_push(json_t *arr, json_t *v)
{
	if (json_array_append_new(arr, v))
		sim_out_of_memory(sizeof(json_t *));
}

int sim_json_dumpf(const json_t *doc, FILE *f)
{
	errno = 0;
	if (json_dumpf(doc, f, SIM_JSON_FLAGS) || fputc('\n', f) == EOF) {
		if (!errno)
			errno = EIO;
		return -1;
	}
	return 0;
}
