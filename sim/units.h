/* units.h - strict parsing of values with units, as written in scenarios.
 *
 *   duration  250ms 30s 15m 2h 14d 1.5s 10us 5ns  (a bare number is rejected)
 *   size      512B 256KB 1MB 10GB 1TB 6KiB 6MiB 1GiB (KB = 1000 B, KiB = 1024 B)
 *   rate      200/s 12000/m 5/h 3/d               (events per unit of time)
 *   fraction  0.7 70%                              (a number or a percentage)
 *   number    42 -3 1.5e3                           (no unit allowed)
 *
 * The number part is a decimal with optional sign, fraction and exponent
 * (no hex, inf or nan); the unit follows with no space and is case-sensitive
 * ("m" is minutes, "M" is not a unit). Ranges are the caller's business: a
 * parser accepts "-5/s"; the schema then rejects it with the allowed range.
 *
 * Each parser returns 0 on success, or -1 and leaves *out untouched; then
 * sim_units_expected(kind) names what was expected, for the error message.
 */
#ifndef SPILLWAY_SIM_UNITS_H
#define SPILLWAY_SIM_UNITS_H

#include <stddef.h>

#include "sim/time.h"

enum sim_unit_kind {
	SIM_UNIT_NUMBER,   /* plain number */
	SIM_UNIT_DURATION, /* nanoseconds (sim_time_t) / seconds (double) */
	SIM_UNIT_SIZE,     /* bytes */
	SIM_UNIT_RATE,     /* per second */
	SIM_UNIT_FRACTION, /* 0..1 scale */
};

int sim_parse_number(const char *s, double *out);
/* A whole number (no fraction, no exponent), fitting in long long. */
int sim_parse_integer(const char *s, long long *out);
/* Duration in nanoseconds, rounded to the nearest ns; rejects values whose
 * magnitude does not fit in sim_time_t. */
int sim_parse_duration(const char *s, sim_time_t *out);
/* Duration in seconds, as a double (for distribution parameters). */
int sim_parse_duration_s(const char *s, double *out);
int sim_parse_size(const char *s, double *bytes);
int sim_parse_rate(const char *s, double *per_second);
/* "70%" gives 0.7; "0.7" gives 0.7. */
int sim_parse_fraction(const char *s, double *out);

/* Parses s as the given kind, durations in seconds. */
int sim_parse_kind(enum sim_unit_kind kind, const char *s, double *out);

/* Tells which unit a string carries, for values whose unit "comes from the
 * numbers" (distribution parameters): SIM_UNIT_DURATION, SIM_UNIT_SIZE,
 * SIM_UNIT_NUMBER for a bare number, or -1 when it is none of these. */
int sim_units_classify(const char *s);

/* A short phrase for error messages, e.g. "a duration with a unit
 * (ns, us, ms, s, m, h, d), e.g. 250ms or 1.5s". Static storage. */
const char *sim_units_expected(enum sim_unit_kind kind);
/* The unit written in summaries: "s", "B", "1/s", "ratio", "". */
const char *sim_units_symbol(enum sim_unit_kind kind);

/* Writes a duration in the shortest exact unit form ("250ms", "1.5s", "2h")
 * into buf; returns buf. */
char *sim_format_duration(char *buf, size_t size, sim_time_t t);

#endif
