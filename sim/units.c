/* units.c - strict parsing and formatting of values with units (see units.h).
 *
 * A hand-written scanner accepts exactly
 *
 *	number = [+-] digit+ [ "." digit+ ] [ ("e" | "E") [+-] digit+ ]
 *
 * followed at once by a unit that must equal a table entry in full, case
 * included. Both sides of a decimal point need a digit: "1." and ".5" are
 * rejected, so a half is written "0.5" (one spelling per value keeps
 * scenario files uniform). Spaces, hex, inf, nan, "1,000", doubled signs
 * and doubled or unknown units all fail because either the scanner or the
 * unit table does not match them; no case needs a rule of its own.
 *
 * Values stay exact decimals until the last step. The mantissa digits are
 * multiplied in decimal by the unit's integer factor (60 for minutes, 1024
 * for KiB) and the unit's power of ten moves into the exponent. A double
 * then comes from strtod on that canonical text, "<digits>e<exp>", which
 * is correctly rounded ("0.1ms" is the double nearest 1e-4 s) and has no
 * decimal point, so the locale cannot change it; strtod never sees the
 * user's text, so its extra syntax (hex, inf, nan) cannot leak in.
 * Nanoseconds come from the digits themselves, rounded half away from zero,
 * so every sim_time_t written by sim_format_duration reads back exactly.
 * Only rates lose exactness: "/m", "/h" and "/d" divide the correctly
 * rounded count by 60, 3600 or 86400 (one more rounding).
 */
#include "sim/units.h"

#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A written exponent stops growing once it passes this: no double or int64
 * survives 10^(+-10^15), and the cap keeps exponent sums far from
 * overflowing a long long. */
#define EXP_CLAMP 1000000000000000LL

/* A scanned number: where its parts sit in the string, not yet a value. */
struct num_text {
	bool neg;        /* a leading '-' */
	const char *ip;  /* integer digits (at least one) */
	size_t n_ip;
	const char *fp;  /* fraction digits, after the point */
	size_t n_fp;     /* 0 when there is no point */
	bool has_exp;    /* an exponent was written */
	long long exp;   /* its value, capped near +-EXP_CLAMP */
	const char *end; /* first character after the number: the unit */
};

/* One unit a kind accepts: value = number * factor * 10^shift / divisor,
 * in the kind's base unit (seconds, bytes, per second, ratio). */
struct unit {
	const char *name;
	uint64_t factor; /* exact integer factor, applied in decimal */
	int shift;       /* power of ten, applied to the exponent */
	double divisor;  /* rates only: applied to the double at the end */
};

static const struct unit number_units[] = {
	{ "", 1, 0, 1 },
};

/* To seconds; sim_parse_duration adds 9 to the shift to get nanoseconds. */
static const struct unit duration_units[] = {
	{ "ns", 1, -9, 1 },
	{ "us", 1, -6, 1 },
	{ "ms", 1, -3, 1 },
	{ "s", 1, 0, 1 },
	{ "m", 60, 0, 1 },
	{ "h", 3600, 0, 1 },
	{ "d", 86400, 0, 1 },
};

static const struct unit size_units[] = {
	{ "B", 1, 0, 1 },
	{ "KB", 1, 3, 1 },
	{ "MB", 1, 6, 1 },
	{ "GB", 1, 9, 1 },
	{ "TB", 1, 12, 1 },
	{ "KiB", 1024, 0, 1 },
	{ "MiB", 1048576, 0, 1 },
	{ "GiB", 1073741824, 0, 1 },
	{ "TiB", 1099511627776, 0, 1 },
};

/* 1/60 is not a finite decimal, so rates divide the double instead. */
static const struct unit rate_units[] = {
	{ "/s", 1, 0, 1 },
	{ "/m", 1, 0, 60 },
	{ "/min", 1, 0, 60 },
	{ "/h", 1, 0, 3600 },
	{ "/d", 1, 0, 86400 },
};

/* "%" is 10^-2, applied exactly as a shift of the exponent. */
static const struct unit fraction_units[] = {
	{ "", 1, 0, 1 },
	{ "%", 1, -2, 1 },
};

#define N_UNITS(a) (sizeof(a) / sizeof((a)[0]))

/* Not isdigit(): that one takes an int and misbehaves on negative chars. */
static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static const char *skip_digits(const char *p)
{
	while (is_digit(*p))
		p++;
	return p;
}

/* Scans the number at the start of s into *t; returns 0, or -1 when s does
 * not start with a well-formed number. What follows is left to the caller.
 * A dangling "e" is an error here, so no unit may start with 'e' or 'E'. */
static int scan_number(const char *s, struct num_text *t)
{
	const char *p = s;
	bool eneg = false;

	t->neg = false;
	if (*p == '+' || *p == '-')
		t->neg = *p++ == '-';
	t->ip = p;
	p = skip_digits(p);
	t->n_ip = (size_t)(p - t->ip);
	if (t->n_ip == 0)
		return -1; /* "", "-", ".5", "inf", "--1", " 1" */

	t->fp = p;
	t->n_fp = 0;
	if (*p == '.') {
		t->fp = ++p;
		p = skip_digits(p);
		t->n_fp = (size_t)(p - t->fp);
		if (t->n_fp == 0)
			return -1; /* "1.", "1..2", "1.s" */
	}

	t->has_exp = false;
	t->exp = 0;
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			eneg = *p++ == '-';
		if (!is_digit(*p))
			return -1; /* "1e", "1e+", "1es" */
		for (; is_digit(*p); p++)
			if (t->exp < EXP_CLAMP)
				t->exp = t->exp * 10 + (*p - '0');
		if (eneg)
			t->exp = -t->exp;
		t->has_exp = true;
	}
	t->end = p;
	return 0;
}

/* Scans s as a number followed by one of units; returns the unit matched,
 * or NULL when the number is malformed or the rest is not a unit. */
static const struct unit *scan_value(const char *s, const struct unit *units,
				     size_t n_units, struct num_text *t)
{
	size_t i;

	if (scan_number(s, t) < 0)
		return NULL;
	for (i = 0; i < n_units; i++)
		if (strcmp(t->end, units[i].name) == 0)
			return &units[i];
	return NULL;
}

/* Room around the digits in a decimal's buffer: on the left for the carry
 * of the factor (< 2^41, so at most 13 digits) and a sign; on the right for
 * "e<exponent>" (at most 21 characters) and the NUL. */
#define DEC_MARGIN 16
#define DEC_TAIL 32

/* An exact decimal: digits[0..n) times 10^exp, with a sign. */
struct decimal {
	bool neg;
	char *digits;   /* most significant first, no leading zero */
	size_t n;       /* 0 for the value zero */
	long long exp;  /* value = digits * 10^exp */
	char *buf;      /* storage: local, or malloc'd for long numbers */
	char local[128];
};

/* Builds the exact decimal t * factor * 10^shift into *d; returns 0, or -1
 * when a long number's buffer cannot be allocated. decimal_free after. */
static int decimal_make(struct decimal *d, const struct num_text *t,
			uint64_t factor, int shift)
{
	size_t len = t->n_ip + t->n_fp;
	size_t cap = DEC_MARGIN + len + DEC_TAIL;
	uint64_t carry = 0;
	char *p;
	size_t i;

	d->buf = d->local;
	if (cap > sizeof(d->local)) {
		d->buf = malloc(cap);
		if (!d->buf)
			return -1;
	}

	/* The mantissa digits without the point; the point goes into exp. */
	p = d->buf + DEC_MARGIN;
	memcpy(p, t->ip, t->n_ip);
	memcpy(p + t->n_ip, t->fp, t->n_fp);

	/* Long multiplication by factor, in place from the right; the carry
	 * spills into the left margin. Digit times factor plus carry stays
	 * below 10 * 2^41, far from overflowing. */
	for (i = len; i-- > 0;) {
		uint64_t v = (uint64_t)(p[i] - '0') * factor + carry;

		p[i] = (char)('0' + v % 10);
		carry = v / 10;
	}
	for (; carry; carry /= 10, len++)
		*--p = (char)('0' + carry % 10);

	while (len > 0 && *p == '0') {
		p++;
		len--;
	}
	d->neg = t->neg;
	d->digits = p;
	d->n = len;
	d->exp = t->exp - (long long)t->n_fp + shift;
	return 0;
}

static void decimal_free(struct decimal *d)
{
	if (d->buf != d->local)
		free(d->buf);
}

/* The double nearest to d; -1 when it overflows. Zero is +0.0 ("-0s" is
 * no different from "0s"). */
static int decimal_to_double(struct decimal *d, double *out)
{
	char *text = d->digits;
	char *end;
	double v;

	if (d->n == 0) {
		*out = 0.0;
		return 0;
	}
	if (d->neg)
		*--text = '-'; /* the margin always has room for it */
	snprintf(d->digits + d->n, DEC_TAIL, "e%lld", d->exp);
	v = strtod(text, &end);
	/* strtod must take all of the text we built; anything else would be
	 * a bug here, so fail rather than return a wrong value. Overflow gives
	 * HUGE_VAL; underflow gives 0 or a subnormal, which is accepted. */
	if (*end != '\0' || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

/* d rounded to an integer, half away from zero; -1 when its magnitude
 * exceeds INT64_MAX. Only the first dropped digit matters: >= 5 means the
 * dropped part is >= one half. */
static int decimal_to_ns(const struct decimal *d, sim_time_t *out)
{
	long long n_int = (long long)d->n + d->exp; /* digits left of the point */
	long long i;
	uint64_t v = 0;
	bool up;

	if (d->n == 0 || n_int < 0) {
		*out = 0; /* below 0.1 ns */
		return 0;
	}
	if (n_int > 19)
		return -1; /* at least 10^19 */
	/* At most 19 digits: below 10^19 < 2^64, so v cannot wrap. Positions
	 * past the last significant digit are zeros (a positive exponent). */
	for (i = 0; i < n_int; i++)
		v = v * 10 + (i < (long long)d->n ? (uint64_t)(d->digits[i] - '0') : 0);
	up = n_int < (long long)d->n && d->digits[n_int] >= '5';
	if (v > (uint64_t)INT64_MAX - up)
		return -1;
	v += up;
	*out = d->neg ? -(sim_time_t)v : (sim_time_t)v;
	return 0;
}

/* Parses s as a number with one of units, converted to the base unit. */
static int parse_units(const char *s, const struct unit *units,
		       size_t n_units, double *out)
{
	const struct unit *u;
	struct num_text t;
	struct decimal d;
	double v;
	int rc;

	/* Grammar and unit first; then the exact value in the base unit, and
	 * only at the end one rounding to a double (two for rates). */
	u = scan_value(s, units, n_units, &t);
	if (!u || decimal_make(&d, &t, u->factor, u->shift) < 0)
		return -1;
	rc = decimal_to_double(&d, &v);
	decimal_free(&d);
	if (rc < 0)
		return -1;
	*out = v / u->divisor;
	return 0;
}

int sim_parse_number(const char *s, double *out)
{
	return parse_units(s, number_units, N_UNITS(number_units), out);
}

/* Accumulated here rather than through a double, which would not be exact
 * past 2^53; overflow is checked before each step. */
int sim_parse_integer(const char *s, long long *out)
{
	struct num_text t;
	unsigned long long v = 0;
	unsigned long long limit;
	size_t i;

	if (scan_number(s, &t) < 0 || *t.end != '\0' || t.n_fp || t.has_exp)
		return -1;
	/* A negative number may reach one further: LLONG_MIN. */
	limit = t.neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (i = 0; i < t.n_ip; i++) {
		unsigned d = (unsigned)(t.ip[i] - '0');

		/* v * 10 + d <= limit, rearranged so that nothing overflows. */
		if (v > (limit - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	/* Negate in the signed type only when the value fits; LLONG_MIN has
	 * no positive counterpart. */
	if (!t.neg)
		*out = (long long)v;
	else if (v > (unsigned long long)LLONG_MAX)
		*out = LLONG_MIN;
	else
		*out = -(long long)v;
	return 0;
}

int sim_parse_duration(const char *s, sim_time_t *out)
{
	const struct unit *u;
	struct num_text t;
	struct decimal d;
	sim_time_t v;
	int rc;

	u = scan_value(s, duration_units, N_UNITS(duration_units), &t);
	/* The table is in seconds; nanoseconds are 10^9 further. */
	if (!u || decimal_make(&d, &t, u->factor, u->shift + 9) < 0)
		return -1;
	rc = decimal_to_ns(&d, &v);
	decimal_free(&d);
	if (rc < 0)
		return -1;
	*out = v;
	return 0;
}

int sim_parse_duration_s(const char *s, double *out)
{
	return parse_units(s, duration_units, N_UNITS(duration_units), out);
}

int sim_parse_size(const char *s, double *bytes)
{
	return parse_units(s, size_units, N_UNITS(size_units), bytes);
}

int sim_parse_rate(const char *s, double *per_second)
{
	return parse_units(s, rate_units, N_UNITS(rate_units), per_second);
}

int sim_parse_fraction(const char *s, double *out)
{
	return parse_units(s, fraction_units, N_UNITS(fraction_units), out);
}

int sim_parse_kind(enum sim_unit_kind kind, const char *s, double *out)
{
	switch (kind) {
	case SIM_UNIT_NUMBER:
		return sim_parse_number(s, out);
	case SIM_UNIT_DURATION:
		return sim_parse_duration_s(s, out);
	case SIM_UNIT_SIZE:
		return sim_parse_size(s, out);
	case SIM_UNIT_RATE:
		return sim_parse_rate(s, out);
	case SIM_UNIT_FRACTION:
		return sim_parse_fraction(s, out);
	}
	return -1;
}

int sim_units_classify(const char *s)
{
	double v;

	/* The unit sets are disjoint, so at most one of these succeeds. */
	if (sim_parse_duration_s(s, &v) == 0)
		return SIM_UNIT_DURATION;
	if (sim_parse_size(s, &v) == 0)
		return SIM_UNIT_SIZE;
	if (sim_parse_number(s, &v) == 0)
		return SIM_UNIT_NUMBER;
	return -1;
}

const char *sim_units_expected(enum sim_unit_kind kind)
{
	switch (kind) {
	case SIM_UNIT_NUMBER:
		return "a number";
	case SIM_UNIT_DURATION:
		return "a duration with a unit (ns, us, ms, s, m, h, d), e.g. 250ms or 1.5s";
	case SIM_UNIT_SIZE:
		return "a size with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 256KB";
	case SIM_UNIT_RATE:
		return "a rate such as 200/s, 12000/m or 5/h";
	case SIM_UNIT_FRACTION:
		return "a fraction such as 0.7 or 70%";
	}
	return "a value";
}

const char *sim_units_symbol(enum sim_unit_kind kind)
{
	switch (kind) {
	case SIM_UNIT_NUMBER:
		return "";
	case SIM_UNIT_DURATION:
		return "s";
	case SIM_UNIT_SIZE:
		return "B";
	case SIM_UNIT_RATE:
		return "1/s";
	case SIM_UNIT_FRACTION:
		return "ratio";
	}
	return "";
}

/* Units for sim_format_duration, largest first: ties go to the first. */
static const struct {
	const char *name;
	uint64_t ns;
} format_units[] = {
	{ "d", 86400000000000ULL },
	{ "h", 3600000000000ULL },
	{ "m", 60000000000ULL },
	{ "s", 1000000000ULL },
	{ "ms", 1000000ULL },
	{ "us", 1000ULL },
	{ "ns", 1ULL },
};

/* Every unit that shows the value exactly, with a non-zero integer part and
 * at most 3 decimals, is a candidate; the shortest text wins, and a tie goes
 * to the larger unit. So 5400s is "90m" (not "1.5h"), 1500ms is "1.5s",
 * 250ms stays "250ms" ("0.25s" has a zero integer part) and 90s stays "90s".
 * Nanoseconds always qualify, so there is always an answer; 24 bytes hold
 * the longest, "-9223372036854775808ns". All but INT64_MIN parse back. */
char *sim_format_duration(char *buf, size_t size, sim_time_t t)
{
	char best[32] = "0s";
	char cand[32];
	size_t best_len = SIZE_MAX;
	const char *sign = t < 0 ? "-" : "";
	/* The magnitude, computed unsigned so that INT64_MIN does not overflow. */
	uint64_t mag = t < 0 ? 0 - (uint64_t)t : (uint64_t)t;
	size_t i;

	for (i = 0; mag && i < N_UNITS(format_units); i++) {
		uint64_t unit = format_units[i].ns;
		uint64_t ip = mag / unit;
		uint64_t rem = mag % unit;
		uint64_t frac;
		int width = 3;

		/* "0.25s" is never a candidate: it is "250ms". */
		if (ip == 0)
			continue;
		if (rem == 0) {
			snprintf(cand, sizeof(cand), "%s%llu%s", sign,
				 (unsigned long long)ip, format_units[i].name);
		} else {
			/* rem < 8.64e13, so rem * 1000 cannot overflow. */
			if (rem * 1000 % unit)
				continue; /* needs more than 3 decimals */
			/* Thousandths, then trailing zeros dropped: 500 is ".5". */
			frac = rem * 1000 / unit;
			for (; frac % 10 == 0; frac /= 10)
				width--;
			snprintf(cand, sizeof(cand), "%s%llu.%0*llu%s", sign,
				 (unsigned long long)ip, width,
				 (unsigned long long)frac, format_units[i].name);
		}
		/* Strictly shorter only, so a tie keeps the larger unit. */
		if (strlen(cand) < best_len) {
			best_len = strlen(cand);
			memcpy(best, cand, sizeof(best));
		}
	}
	if (size)
		snprintf(buf, size, "%s", best);
	return buf;
}
