/* json.h - the JSON documents spillway writes (summary.json, manifest.json,
 * findings.json, plan.json), built with jansson. Engine layer: it knows
 * nothing of which file holds what.
 *
 * The constructors below never return NULL: jansson's NULL (memory ran
 * out) goes to sim_out_of_memory (sim/alloc.h). Text goes through the
 * sanitiser first (sim_text_dup in SIM_TEXT_UTF8 mode), so that what a
 * user wrote, invalid UTF-8 included, is always a valid JSON string; the
 * escaping of quotes, backslashes and control characters is jansson's.
 */
#ifndef SPILLWAY_SIM_JSON_H
#define SPILLWAY_SIM_JSON_H

#include <stdio.h>

#include <jansson.h>

/* How every document is written: two-space indent, keys in the order they
 * were set, reals with 10 significant digits (as the CSV files, %.10g). */
#define SIM_JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

json_t *sim_json_object(void);
json_t *sim_json_array(void);
/* s (NULL counts as "") repaired to valid UTF-8, as a JSON string. */
json_t *sim_json_text(const char *s);
/* x as %.10g writes it (an integer where %.10g writes digits alone); null
 * when it is NaN or infinite, which JSON cannot hold. */
json_t *sim_json_num(double x);
json_t *sim_json_int(long long x);
json_t *sim_json_null(void);

/* obj[key] = v, taking v's reference (key is a literal: valid UTF-8). */
void sim_json_set(json_t *obj, const char *key, json_t *v);
/* v appended to arr, taking v's reference. */
void sim_json_push(json_t *arr, json_t *v);

/* doc on f (SIM_JSON_FLAGS) and a final newline. 0, or -1 with errno set
 * (EIO when no cause is known); the caller still closes f, and a failure
 * of a buffered write shows there too. */
int sim_json_dumpf(const json_t *doc, FILE *f);

#endif
