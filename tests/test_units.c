/* test_units.c - Check suites for sim/units.c: strict parsing and formatting.
 *
 *   units:accept  tables of accepted strings with their exact values, per kind
 *   units:reject  tables of rejected strings, per kind; *out must be untouched
 *   units:format  sim_format_duration: chosen forms and parse round trips
 *   units:describe  sim_units_classify, sim_units_expected, sim_units_symbol
 *
 * Expected doubles are written as C literals or constant expressions, which
 * the compiler rounds correctly; the parser promises the same rounding, so
 * the comparisons are exact (==), not within a tolerance.
 */
#include <check.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include "sim/units.h"

#define N_ROWS(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Written into *out before a call that must fail, then checked unchanged. */
#define SENTINEL_D (-12345.5)
#define SENTINEL_T ((sim_time_t)-777)
#define SENTINEL_LL (-4242LL)

/* An accepted string and the double it must give, exactly. */
struct dbl_row {
	const char *s;
	double want;
};

/* The same for sim_parse_integer. */
struct ll_row {
	const char *s;
	long long want;
};

/* A duration gives both nanoseconds (rounded to the nearest) and seconds
 * (the nearest double); rows state both so that each is checked. */
struct dur_row {
	const char *s;
	sim_time_t ns; /* sim_parse_duration */
	double sec;    /* sim_parse_duration_s */
};

/* Long mantissas: more digits than a decimal's inline buffer holds. */
#define ZEROS10 "0000000000"
#define ZEROS100 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10 \
		 ZEROS10 ZEROS10 ZEROS10 ZEROS10 ZEROS10

/* ---- accepted strings ------------------------------------------------- */

static const struct dbl_row number_ok[] = {
	/* Integers, with an optional sign and leading zeros. */
	{ "0", 0 },
	{ "42", 42 },
	{ "-3", -3 },
	{ "+7", 7 },
	{ "-0", 0 },
	{ "007", 7 },
	{ "65536", 65536 },
	{ "123456789", 123456789 },
	/* Decimals: a digit on both sides of the point. */
	{ "1.5", 1.5 },
	{ "0.1", 0.1 },
	{ "3.14159", 3.14159 },
	{ "0.000001", 1e-6 },
	{ "000.5", 0.5 },
	{ "1.000", 1 },
	{ "-100.25", -100.25 },
	/* Exponents: either case, optional sign. */
	{ "1.5e3", 1500 },
	{ "1.5E3", 1500 },
	{ "1e-3", 1e-3 },
	{ "2e+2", 200 },
	{ "12E2", 1200 },
	{ "1e0", 1 },
	{ "-2.5e-1", -0.25 },
	{ "123.456e-2", 1.23456 },
	{ "-1e-5", -1e-5 },
	/* Correct rounding: the nearest double, as the compiler gives it. */
	{ "9007199254740993", 9007199254740993.0 },
	{ "0.30000000000000004", 0.30000000000000004 },
	{ "2.2250738585072014e-308", 2.2250738585072014e-308 },
	{ "1e308", 1e308 },
	{ "1e-320", 1e-320 },
	/* Underflow is not an error: the value rounds to zero. */
	{ "1e-400", 0 },
	/* A huge written exponent on a zero mantissa is still zero. */
	{ "0e99999999999999999999", 0 },
	{ "1000000000000000000000000e-24", 1 },
	/* Mantissas longer than the parser's inline buffer. */
	{ "1" ZEROS100 "e-100", 1 },
	{ "0." ZEROS100 "25e101", 2.5 },
};

static const struct ll_row integer_ok[] = {
	/* Signs and leading zeros, as for numbers. */
	{ "0", 0 },
	{ "1", 1 },
	{ "-1", -1 },
	{ "+1", 1 },
	{ "-0", 0 },
	{ "42", 42 },
	{ "007", 7 },
	{ "-007", -7 },
	{ "00000000000000000000000001", 1 },
	{ "0000", 0 },
	{ "+0", 0 },
	{ "10", 10 },
	{ "-10", -10 },
	{ "255", 255 },
	{ "-255", -255 },
	{ "1024", 1024 },
	/* Beyond 32 bits, up to both ends of long long. */
	{ "1000000", 1000000 },
	{ "123456789012", 123456789012LL },
	{ "4294967296", 4294967296LL },
	{ "-2147483649", -2147483649LL },
	{ "2147483647", 2147483647LL },
	{ "-2147483648", -2147483648LL },
	{ "100000000000000", 100000000000000LL },
	{ "999999999999999999", 999999999999999999LL },
	{ "-999999999999999999", -999999999999999999LL },
	{ "9223372036854775806", LLONG_MAX - 1 },
	{ "+9223372036854775807", LLONG_MAX },
	{ "9223372036854775807", LLONG_MAX },
	{ "-9223372036854775807", -LLONG_MAX },
	{ "-9223372036854775808", LLONG_MIN },
};

static const struct dur_row duration_ok[] = {
	/* Every unit, as scenarios write them. */
	{ "250ms", 250 * SIM_MS, 0.25 },
	{ "1.5s", 1500 * SIM_MS, 1.5 },
	{ "30s", 30 * SIM_S, 30 },
	{ "15m", 15 * SIM_MIN, 900 },
	{ "2h", 2 * SIM_HOUR, 7200 },
	{ "14d", 14 * SIM_DAY, 1209600 },
	{ "10us", 10 * SIM_US, 1e-5 },
	{ "5ns", 5, 5e-9 },
	/* Signs are parsed; ranges are the schema's business. */
	{ "0s", 0, 0 },
	{ "-0s", 0, 0 },
	{ "-5s", -5 * SIM_S, -5 },
	{ "+5s", 5 * SIM_S, 5 },
	{ "007s", 7 * SIM_S, 7 },
	/* Rounding to the nearest ns, halves away from zero, decided on the
	 * decimal digits (a double would round 1.4999...9 up to 1.5 first). */
	{ "0.5ns", 1, 5e-10 },
	{ "-0.5ns", -1, -5e-10 },
	{ "0.4ns", 0, 4e-10 },
	{ "2.5ns", 3, 2.5e-9 },
	{ "1.4999999999999999999999ns", 1, 1.4999999999999999999999e-9 },
	{ "1.0000000005s", 1000000001, 1.0000000005 },
	{ "0.99999999999999999999s", SIM_S, 0.99999999999999999999 },
	{ "1e-30s", 0, 1e-30 },
	/* Exponents and fractions with every unit. */
	{ "0.1ms", 100 * SIM_US, 1e-4 },
	{ "1e3ms", SIM_S, 1 },
	{ "1.5e-3s", 1500 * SIM_US, 1.5e-3 },
	{ "1E2us", 100 * SIM_US, 1e-4 },
	{ "1.5m", 90 * SIM_S, 90 },
	{ "0.5h", 30 * SIM_MIN, 1800 },
	{ "1.25d", 30 * SIM_HOUR, 108000 },
	/* Exact decimal times 60 or 3600: 1.7m is 102 s exactly, where
	 * 1.7 * 60 in doubles is 102.00000000000001. */
	{ "1.7m", 102 * SIM_S, 102 },
	{ "0.1h", 360 * SIM_S, 360 },
	{ "0.0000000025m", 150, 1.5e-7 },
	{ "0.000001d", 86400 * SIM_US, 0.0864 },
	{ "123456789.123456789s", 123456789123456789LL, 123456789.123456789 },
	/* The edges of sim_time_t, reached from several units. */
	{ "9223372036854775807ns", INT64_MAX, 9223372036854775807e-9 },
	{ "-9223372036854775807ns", -INT64_MAX, -9223372036854775807e-9 },
	{ "9223372036.854775807s", INT64_MAX, 9223372036.854775807 },
	{ "106751d", 106751 * SIM_DAY, 9223286400.0 },
	/* Long mantissas, through the parser's heap buffer. */
	{ "0." ZEROS100 "1s", 0, 1e-101 },
	{ "1" ZEROS100 "e-100h", SIM_HOUR, 3600 },
};

static const struct dbl_row size_ok[] = {
	/* Decimal units, 10^3 apart. */
	{ "512B", 512 },
	{ "256KB", 256000 },
	{ "1MB", 1e6 },
	{ "10GB", 1e10 },
	{ "1TB", 1e12 },
	{ "128MB", 1.28e8 },
	{ "4096B", 4096 },
	/* Binary units, 2^10 apart. */
	{ "6KiB", 6144 },
	{ "64KiB", 65536 },
	{ "6MiB", 6291456 },
	{ "1GiB", 1073741824 },
	{ "1TiB", 1099511627776.0 },
	{ "3TiB", 3298534883328.0 },
	/* Signs, zero and fractions of a byte parse; the schema judges. */
	{ "0B", 0 },
	{ "1B", 1 },
	{ "+5B", 5 },
	{ "-1KB", -1000 },
	{ "0.5B", 0.5 },
	/* Fractions are exact decimals: 1.1KB is 1100, 0.1KiB is 102.4. */
	{ "1.5KB", 1500 },
	{ "1.1KB", 1100 },
	{ "0.001KB", 1 },
	{ "2.5GB", 2.5e9 },
	{ "1.25TB", 1.25e12 },
	{ "1.5KiB", 1536 },
	{ "0.1KiB", 102.4 },
	{ "0.5MiB", 524288 },
	{ "7.5MiB", 7864320 },
	{ "2.75GiB", 2952790016.0 },
	/* Exponents, including one close to the double range. */
	{ "1e3B", 1000 },
	{ "1e-3MB", 1000 },
	{ "1e2KiB", 102400 },
	{ "1e290TB", 1e302 },
};

static const struct dbl_row rate_ok[] = {
	/* Per second. */
	{ "200/s", 200 },
	{ "0/s", 0 },
	{ "-5/s", -5 },
	{ "+1/s", 1 },
	{ "007/s", 7 },
	{ "1.5/s", 1.5 },
	{ "0.5/s", 0.5 },
	{ "12.5/s", 12.5 },
	{ "0.1/s", 0.1 },
	{ "0.001/s", 0.001 },
	{ "1e3/s", 1000 },
	{ "1e6/s", 1e6 },
	{ "2.5e-1/s", 0.25 },
	{ "250/s", 250 },
	/* Per minute, hour and day: the count divided by 60, 3600 or 86400
	 * in doubles, exactly as the expected values are computed. */
	{ "12000/m", 200 },
	{ "1/m", 1.0 / 60 },
	{ "1/min", 1.0 / 60 },
	{ "10/m", 10.0 / 60 },
	{ "60/m", 1 },
	{ "90/m", 1.5 },
	{ "600/m", 10 },
	{ "0.1/m", 0.1 / 60 },
	{ "5/h", 5.0 / 3600 },
	{ "1/h", 1.0 / 3600 },
	{ "100/h", 100.0 / 3600 },
	{ "1800/h", 0.5 },
	{ "3600/h", 1 },
	{ "3/d", 3.0 / 86400 },
	{ "1/d", 1.0 / 86400 },
	{ "7/d", 7.0 / 86400 },
	{ "43200/d", 0.5 },
	{ "86400/d", 1 },
	{ "1000000/d", 1e6 / 86400 },
};

static const struct dbl_row fraction_ok[] = {
	/* Plain numbers, any value (the schema checks 0..1 where needed). */
	{ "0.7", 0.7 },
	{ "0", 0 },
	{ "1", 1 },
	{ "2", 2 },
	{ "0.5", 0.5 },
	{ "1.5", 1.5 },
	{ "-0.25", -0.25 },
	{ "5e-1", 0.5 },
	{ "0.07", 0.07 },
	{ "0.001", 0.001 },
	{ "1e-3", 0.001 },
	/* Percentages: the same number as the plain spelling. */
	{ "70%", 0.7 },
	{ "+70%", 0.7 },
	{ "0%", 0 },
	{ "100%", 1 },
	{ "100.0%", 1 },
	{ "150%", 1.5 },
	{ "12.5%", 0.125 },
	{ "50%", 0.5 },
	{ "25%", 0.25 },
	{ "75%", 0.75 },
	{ "90%", 0.9 },
	{ "99%", 0.99 },
	{ "99.9%", 0.999 },
	{ "33%", 0.33 },
	{ "7%", 0.07 },
	{ "1%", 0.01 },
	{ "-5%", -0.05 },
	{ "1e2%", 1 },
	/* The percent shifts the decimal exponent: "0.1%" is the double
	 * nearest 0.001, not 0.1 / 100 rounded twice. */
	{ "0.1%", 0.001 },
	{ "0.01%", 1e-4 },
};

/* ---- rejected strings ------------------------------------------------- */

static const char *const number_bad[] = {
	/* Empty, or white space anywhere. */
	"", " ", " 1", "1 ", "1\t", "\n1", "1 000", "1e 5",
	/* A point needs a digit on both sides; one point at most. */
	"1.", ".5", "1..2", "1.2.3", "1.5.",
	/* One sign, and only in front of the digits or the exponent. */
	"-", "+", "--1", "+-1", "-+1",
	/* An exponent needs digits and takes no fraction. */
	"1e", "1e+", "1E-", "e5", "1e5.5",
	/* strtod's other syntaxes never reach it. */
	"0x10", "0X1F", "0b101", "inf", "-inf", "infinity", "nan", "NaN",
	/* Group separators, suffixes, units and non-ASCII digits. */
	"1,000", "1,5", "1_000", "30s", "70%", "5/s", "1d", "1f", "1L",
	"\xd9\xa1",
	/* Overflow, short and long. */
	"1e400", "-1e400", "1" ZEROS100 ZEROS100 ZEROS100 ZEROS100,
};

static const char *const integer_bad[] = {
	/* Fractions and exponents, even when the value is whole. */
	"1.", "1.0", "1.5", ".1", "1e3", "1E0", "1e-0", "1.0e3", "-0.0",
	"9223372036854775807.0",
	/* Outside long long. */
	"9223372036854775808", "-9223372036854775809", "99999999999999999999",
	"10000000000000000000000000000",
	/* The number grammar's own rejections. */
	"", " 1", "1 ", "1 2", "0x10", "--1", "++1", "+-1", "+", "-", "1-",
	"1+", "1,000", "1_0", "12a", "a12", "inf", "nan",
	/* Units of any kind. */
	"1s", "1/s", "1%", "1KB",
};

/* Rejected both as ns and as seconds. */
static const char *const duration_bad[] = {
	/* A bare number has no unit. */
	"30", "-5", "0",
	/* No white space, before, after or inside. */
	"30 s", " 30s", "30s ", "30s\n", "30\ts", "30 ms",
	/* Units are case-sensitive and have one spelling each. */
	"30S", "30M", "30H", "30D", "30Ms", "30mS", "30NS", "30Us", "30sec",
	"30secs", "30min", "30hr", "30\xc2\xb5s",
	/* One unit, once; no compound durations. */
	"30ss", "30ms s", "1h30m",
	/* Malformed numbers. */
	"1e", "1es", "1e+s", "--1s", "+-1s", "1..2s", "1.s", ".5s", "1,5s",
	"1e5.5s", "0x10s", "infs", "nans", "inf", "s", "ms", "",
	/* Other kinds' units. */
	"10KB", "5/s", "70%",
	/* Too large even as a double. */
	"1e400s",
};

/* Accepted as seconds (a double) but too large for int64 nanoseconds. */
static const char *const duration_ns_bad[] = {
	/* One past INT64_MAX, and INT64_MIN (its magnitude does not fit). */
	"9223372036854775808ns", "-9223372036854775808ns",
	"9223372036.854775808s",
	/* The first whole unit past it, for each large unit. */
	"9223372037s", "153722868m", "2562048h", "106752d",
	/* Far past it. */
	"1e19ns", "99999999999999999999999h", "1" ZEROS100 "ns",
};

static const char *const size_bad[] = {
	/* A bare number has no unit. */
	"512", "0",
	/* Case matters: lower-case b would be bits, k and m are not SI. */
	"1mb", "1Mb", "1kb", "1kB", "1KIB", "1kib", "1KIb", "1b",
	/* Abbreviations, doubled and unknown units. */
	"1K", "1M", "1G", "1Ki", "1KBB", "1BB", "1bytes", "1byte", "1PB",
	"1EB",
	/* A rate of bytes is not a size. */
	"1KB/s", "10KB/s",
	/* White space, no number, malformed numbers. */
	"1 KB", " 1KB", "1KB ", "B", "KB", "", "0x10B", "infB", "nanB",
	"1.KB", ".5KB", "1,000B", "--1B",
	/* Other kinds' units. */
	"30s", "5/s", "70%",
	/* Overflow, before and after the unit's factor. */
	"1e400B", "1e306TiB",
};

static const char *const rate_bad[] = {
	/* A rate needs both a count and "/unit". */
	"200", "200/", "/s", "/", "5/", "200s",
	/* White space anywhere. */
	"200/ s", "200 /s", "200 / s", "200/s ", " 200/s",
	/* Only s, m, h and d, lower case, spelled once. */
	"200/S", "200/M", "200/H", "200/D", "200/sec", "200/hr",
	"200/day", "200/ms", "200/us", "200/ns", "200/x", "5/x",
	/* One slash, a bare unit after it, no other separators. */
	"200//s", "200/s/s", "200/1s", "200/2m", "200\\s", "200|s", "200per s",
	/* Sizes per time are not event rates. */
	"10KB/s",
	/* Malformed or overflowing counts. */
	"nan/s", "inf/s", "0x10/s", "1,000/s", "1./s", "--5/s", "1e400/s", "",
};

static const char *const fraction_bad[] = {
	/* One percent sign, straight after the number. */
	"70%%", "70%%%", "%", "%70", "70 %", "70%s", "70pct", "70percent",
	"70 percent", "70\xe2\x80\xb0",
	/* White space. */
	" 70%", "70% ", "70 ", " 0.7",
	/* Malformed numbers. */
	"0.7.", ".7", "7.%", "", "nan", "inf", "0x1", "1,5", "--5%", "+-70%",
	"1e%", "0.7f", "\xc2\xbd",
	/* Other kinds' units. */
	"70s", "5/s", "1KB",
	/* Overflow, with and without the percent. */
	"1e400", "1e400%",
};

/* ---- failure collection ----------------------------------------------- */

/* Each table runs as one test that checks every row and then reports all
 * the rows that failed together. A test per row would fork once per row,
 * which costs seconds under AddressSanitizer, and a ck_assert per row
 * writes a checkpoint to Check's log each time; a plain if does neither. */
/* struct fails, fail_add and FAILS_CHECK come from tests/harness.h. */

/* Parses s as kind and records a failure unless it gives want. */
static void check_kind_ok(struct fails *f, enum sim_unit_kind kind,
			  const char *s, double want)
{
	double v = SENTINEL_D;

	if (sim_parse_kind(kind, s, &v) != 0 || v != want)
		fail_add(f, "sim_parse_kind(%d, \"%s\") gave %.17g, want %.17g",
			 (int)kind, s, v, want);
}

/* ---- units:accept ----------------------------------------------------- */

/* A double parser checked against a table of accepted strings; the same
 * strings must come out the same through sim_parse_kind, and
 * sim_units_classify must name the kind (or -1 for rates, which it does
 * not classify). */
static void check_dbl_table(int (*parse)(const char *, double *),
			    enum sim_unit_kind kind, int classify_as,
			    const struct dbl_row *rows, int n)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		double v = SENTINEL_D;

		if (parse(rows[i].s, &v) != 0)
			fail_add(&f, "\"%s\" rejected", rows[i].s);
		else if (v != rows[i].want)
			fail_add(&f, "\"%s\" gave %.17g, want %.17g", rows[i].s, v,
				 rows[i].want);
		check_kind_ok(&f, kind, rows[i].s, rows[i].want);
		if (sim_units_classify(rows[i].s) != classify_as)
			fail_add(&f, "\"%s\" classified as %d, want %d", rows[i].s,
				 sim_units_classify(rows[i].s), classify_as);
	}
	FAILS_CHECK(f);
}

START_TEST(accept_number)
{
	check_dbl_table(sim_parse_number, SIM_UNIT_NUMBER, SIM_UNIT_NUMBER,
			number_ok, N_ROWS(number_ok));
}
END_TEST

START_TEST(accept_size)
{
	check_dbl_table(sim_parse_size, SIM_UNIT_SIZE, SIM_UNIT_SIZE, size_ok,
			N_ROWS(size_ok));
}
END_TEST

START_TEST(accept_rate)
{
	/* A rate is neither a duration, a size nor a number: classify says -1. */
	check_dbl_table(sim_parse_rate, SIM_UNIT_RATE, -1, rate_ok,
			N_ROWS(rate_ok));
}
END_TEST

START_TEST(accept_fraction)
{
	struct fails f = { 0 };
	int i;

	/* classify depends on the row ("0.7" is a number, "70%" is not), so
	 * only the parse is checked here. */
	for (i = 0; i < N_ROWS(fraction_ok); i++) {
		double v = SENTINEL_D;

		if (sim_parse_fraction(fraction_ok[i].s, &v) != 0 ||
		    v != fraction_ok[i].want)
			fail_add(&f, "\"%s\" gave %.17g, want %.17g", fraction_ok[i].s,
				 v, fraction_ok[i].want);
		check_kind_ok(&f, SIM_UNIT_FRACTION, fraction_ok[i].s,
			      fraction_ok[i].want);
	}
	FAILS_CHECK(f);
}
END_TEST

/* Integers compare as long long: exact over the whole range, where a
 * double would lose the last digits. */
START_TEST(accept_integer)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(integer_ok); i++) {
		long long v = SENTINEL_LL;

		if (sim_parse_integer(integer_ok[i].s, &v) != 0 ||
		    v != integer_ok[i].want)
			fail_add(&f, "\"%s\" gave %lld, want %lld", integer_ok[i].s, v,
				 integer_ok[i].want);
	}
	FAILS_CHECK(f);
}
END_TEST

/* Durations through all three entry points: ns, seconds, and by kind. */
START_TEST(accept_duration)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(duration_ok); i++) {
		const struct dur_row *r = &duration_ok[i];
		sim_time_t t = SENTINEL_T;
		double v = SENTINEL_D;

		if (sim_parse_duration(r->s, &t) != 0 || t != r->ns)
			fail_add(&f, "\"%s\" gave %lld ns, want %lld", r->s,
				 (long long)t, (long long)r->ns);
		if (sim_parse_duration_s(r->s, &v) != 0 || v != r->sec)
			fail_add(&f, "\"%s\" gave %.17g s, want %.17g", r->s, v,
				 r->sec);
		check_kind_ok(&f, SIM_UNIT_DURATION, r->s, r->sec);
		if (sim_units_classify(r->s) != SIM_UNIT_DURATION)
			fail_add(&f, "\"%s\" not classified as a duration", r->s);
	}
	FAILS_CHECK(f);
}
END_TEST

/* ---- units:reject ----------------------------------------------------- */

/* A double parser and sim_parse_kind checked against rejected strings:
 * both must fail and leave the output alone. */
static void check_bad_table(int (*parse)(const char *, double *),
			    enum sim_unit_kind kind, const char *const *rows,
			    int n)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < n; i++) {
		double v = SENTINEL_D;
		double k = SENTINEL_D;

		if (parse(rows[i], &v) != -1 || v != SENTINEL_D)
			fail_add(&f, "\"%s\" accepted: %.17g", rows[i], v);
		if (sim_parse_kind(kind, rows[i], &k) != -1 || k != SENTINEL_D)
			fail_add(&f, "\"%s\" accepted as kind %d: %.17g", rows[i],
				 (int)kind, k);
	}
	FAILS_CHECK(f);
}

START_TEST(reject_number)
{
	check_bad_table(sim_parse_number, SIM_UNIT_NUMBER, number_bad,
			N_ROWS(number_bad));
}
END_TEST

START_TEST(reject_size)
{
	check_bad_table(sim_parse_size, SIM_UNIT_SIZE, size_bad,
			N_ROWS(size_bad));
}
END_TEST

START_TEST(reject_rate)
{
	check_bad_table(sim_parse_rate, SIM_UNIT_RATE, rate_bad,
			N_ROWS(rate_bad));
}
END_TEST

START_TEST(reject_fraction)
{
	check_bad_table(sim_parse_fraction, SIM_UNIT_FRACTION, fraction_bad,
			N_ROWS(fraction_bad));
}
END_TEST

START_TEST(reject_duration)
{
	struct fails f = { 0 };
	int i;

	/* Seconds through both entry points, and nanoseconds. */
	check_bad_table(sim_parse_duration_s, SIM_UNIT_DURATION, duration_bad,
			N_ROWS(duration_bad));
	for (i = 0; i < N_ROWS(duration_bad); i++) {
		sim_time_t t = SENTINEL_T;

		if (sim_parse_duration(duration_bad[i], &t) != -1 ||
		    t != SENTINEL_T)
			fail_add(&f, "\"%s\" accepted: %lld ns", duration_bad[i],
				 (long long)t);
	}
	FAILS_CHECK(f);
}
END_TEST

START_TEST(reject_duration_ns)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(duration_ns_bad); i++) {
		sim_time_t t = SENTINEL_T;
		double v;

		if (sim_parse_duration(duration_ns_bad[i], &t) != -1 ||
		    t != SENTINEL_T)
			fail_add(&f, "\"%s\" accepted: %lld ns", duration_ns_bad[i],
				 (long long)t);
		/* Still a duration in seconds: only the int64 range is exceeded. */
		if (sim_parse_duration_s(duration_ns_bad[i], &v) != 0)
			fail_add(&f, "\"%s\" rejected in seconds", duration_ns_bad[i]);
	}
	FAILS_CHECK(f);
}
END_TEST

/* Integers have their own parser, so their own loop. */
START_TEST(reject_integer)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(integer_bad); i++) {
		long long v = SENTINEL_LL;

		if (sim_parse_integer(integer_bad[i], &v) != -1 ||
		    v != SENTINEL_LL)
			fail_add(&f, "\"%s\" accepted: %lld", integer_bad[i], v);
	}
	FAILS_CHECK(f);
}
END_TEST

START_TEST(reject_bad_kind)
{
	double v = SENTINEL_D;

	/* An out-of-range kind is refused, not guessed. */
	ck_assert_int_eq(sim_parse_kind((enum sim_unit_kind)99, "1", &v), -1);
	ck_assert(v == SENTINEL_D);
}
END_TEST

/* ---- units:format ----------------------------------------------------- */

struct fmt_row {
	sim_time_t t;
	const char *want;
};

/* The shortest exact form with a non-zero integer part and at most three
 * decimals; ties go to the larger unit. */
static const struct fmt_row format_rows[] = {
	{ 0, "0s" },
	{ 1, "1ns" },
	{ 999, "999ns" },
	{ 1001, "1001ns" },          /* "1.001us" is longer */
	{ 1500, "1.5us" },
	{ 250 * SIM_MS, "250ms" },   /* "0.25s" has a zero integer part */
	{ 100 * SIM_MS, "100ms" },
	{ SIM_MS, "1ms" },
	{ 1500 * SIM_MS, "1.5s" },
	{ 1234 * SIM_MS, "1.234s" }, /* ties with "1234ms" */
	{ 1234567, "1234567ns" },    /* "1234.567us" is longer */
	{ 90 * SIM_S, "90s" },       /* "1.5m" is longer */
	{ 150 * SIM_S, "2.5m" },     /* ties with "150s" */
	{ 5400 * SIM_S, "90m" },     /* "1.5h" is longer */
	{ 7200500 * SIM_MS, "7200.5s" },
	{ 2 * SIM_HOUR, "2h" },
	{ 12 * SIM_HOUR, "12h" },
	{ 36 * SIM_HOUR, "36h" },    /* "1.5d" is longer */
	{ SIM_DAY, "1d" },
	{ 14 * SIM_DAY, "14d" },
	{ -1500 * SIM_MS, "-1.5s" },
	{ -SIM_DAY, "-1d" },
	{ INT64_MAX, "9223372036854775807ns" },
	{ INT64_MIN, "-9223372036854775808ns" },
};

/* Each row's exact text, so that a change of the rule shows up here. */
START_TEST(format_known)
{
	struct fails f = { 0 };
	char buf[32];
	int i;

	for (i = 0; i < N_ROWS(format_rows); i++) {
		sim_format_duration(buf, sizeof(buf), format_rows[i].t);
		if (strcmp(buf, format_rows[i].want) != 0)
			fail_add(&f, "%lld ns: \"%s\", want \"%s\"",
				 (long long)format_rows[i].t, buf, format_rows[i].want);
	}
	FAILS_CHECK(f);
}
END_TEST

/* format then parse gives the same nanoseconds, for everything but
 * INT64_MIN (whose magnitude the parser rejects). */
static void check_round_trip(struct fails *f, sim_time_t t)
{
	char buf[32];
	sim_time_t back = SENTINEL_T;

	sim_format_duration(buf, sizeof(buf), t);
	if (strlen(buf) >= 24)
		fail_add(f, "\"%s\" longer than documented", buf);
	if (sim_parse_duration(buf, &back) != 0 || back != t)
		fail_add(f, "%lld -> \"%s\" -> %lld", (long long)t, buf,
			 (long long)back);
}

/* The format rows and every accepted duration, formatted and re-parsed. */
START_TEST(format_round_trip_table)
{
	struct fails f = { 0 };
	int i;

	for (i = 0; i < N_ROWS(format_rows); i++)
		if (format_rows[i].t != INT64_MIN)
			check_round_trip(&f, format_rows[i].t);
	for (i = 0; i < N_ROWS(duration_ok); i++)
		check_round_trip(&f, duration_ok[i].ns);
	FAILS_CHECK(f);
}
END_TEST

/* A fixed xorshift64 stream: values over the whole range, then values
 * snapped to each unit so that the larger units and decimals are used. */
START_TEST(format_round_trip_random)
{
	static const sim_time_t snap[] = { 1, SIM_US, SIM_MS, SIM_S / 1000,
					   SIM_S, SIM_MIN, SIM_HOUR, SIM_DAY };
	struct fails f = { 0 };
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int i, k;

	for (i = 0; i < 20000; i++) {
		sim_time_t t, sign;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		t = (sim_time_t)(x >> 1); /* 0 .. INT64_MAX */
		sign = (x & 1) ? -1 : 1;
		check_round_trip(&f, sign * t);
		for (k = 0; k < N_ROWS(snap); k++) {
			/* Up to 10^4 units, plus a part in thousandths of one. */
			sim_time_t whole = (sim_time_t)(x % 10000) * snap[k];
			sim_time_t part = (sim_time_t)((x >> 20) % 1000) *
					  (snap[k] / 1000);

			check_round_trip(&f, sign * (whole + part));
		}
	}
	FAILS_CHECK(f);
}
END_TEST

/* Parse then format: canonical text is a fixed point. */
START_TEST(format_canonical)
{
	static const char *const canon[] = {
		"1ns", "1.5us", "250ms", "1.5s", "90s", "90m", "2h", "36h", "14d",
		"2.5m", "1.234s", "-1.5s", "9223372036854775807ns",
	};
	char buf[32];
	sim_time_t t;
	int i;

	/* A string already in canonical form is written back unchanged. */
	for (i = 0; i < N_ROWS(canon); i++) {
		ck_assert_int_eq(sim_parse_duration(canon[i], &t), 0);
		sim_format_duration(buf, sizeof(buf), t);
		ck_assert_msg(strcmp(buf, canon[i]) == 0, "\"%s\" -> \"%s\"",
			      canon[i], buf);
	}
	/* Non-canonical spellings are normalised. */
	ck_assert_int_eq(sim_parse_duration("1500ms", &t), 0);
	ck_assert_str_eq(sim_format_duration(buf, sizeof(buf), t), "1.5s");
	ck_assert_int_eq(sim_parse_duration("5400s", &t), 0);
	ck_assert_str_eq(sim_format_duration(buf, sizeof(buf), t), "90m");
	ck_assert_int_eq(sim_parse_duration("0.25s", &t), 0);
	ck_assert_str_eq(sim_format_duration(buf, sizeof(buf), t), "250ms");
}
END_TEST

START_TEST(format_small_buffer)
{
	char buf[8];

	/* snprintf semantics: truncated, always terminated, buf returned. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(sim_format_duration(buf, 4, 250 * SIM_MS), buf);
	ck_assert_str_eq(buf, "250");
	ck_assert_int_eq(buf[4], 'x');
	/* size 0 writes nothing. */
	memset(buf, 'x', sizeof(buf));
	ck_assert_ptr_eq(sim_format_duration(buf, 0, SIM_S), buf);
	ck_assert_int_eq(buf[0], 'x');
}
END_TEST

/* ---- units:describe --------------------------------------------------- */

/* What distribution parameters rely on to find their unit. */
START_TEST(describe_classify)
{
	ck_assert_int_eq(sim_units_classify("30s"), SIM_UNIT_DURATION);
	ck_assert_int_eq(sim_units_classify("1.5m"), SIM_UNIT_DURATION);
	ck_assert_int_eq(sim_units_classify("5KB"), SIM_UNIT_SIZE);
	ck_assert_int_eq(sim_units_classify("1GiB"), SIM_UNIT_SIZE);
	ck_assert_int_eq(sim_units_classify("42"), SIM_UNIT_NUMBER);
	ck_assert_int_eq(sim_units_classify("1.5e3"), SIM_UNIT_NUMBER);
	/* Only durations, sizes and plain numbers are classified. */
	ck_assert_int_eq(sim_units_classify("5/s"), -1);
	ck_assert_int_eq(sim_units_classify("70%"), -1);
	ck_assert_int_eq(sim_units_classify(""), -1);
	ck_assert_int_eq(sim_units_classify("30S"), -1);
	ck_assert_int_eq(sim_units_classify("30 s"), -1);
	ck_assert_int_eq(sim_units_classify("1mb"), -1);
}
END_TEST

/* The exact phrases used in error messages and summaries. */
START_TEST(describe_strings)
{
	ck_assert_str_eq(sim_units_expected(SIM_UNIT_DURATION),
			 "a duration with a unit (ns, us, ms, s, m, h, d), e.g. 250ms or 1.5s");
	ck_assert_str_eq(sim_units_expected(SIM_UNIT_SIZE),
			 "a size with a unit (B, KB, MB, GB, TB, KiB, MiB, GiB, TiB), e.g. 256KB");
	ck_assert_str_eq(sim_units_expected(SIM_UNIT_RATE),
			 "a rate such as 200/s, 12000/m or 5/h");
	ck_assert_str_eq(sim_units_expected(SIM_UNIT_FRACTION),
			 "a fraction such as 0.7 or 70%");
	ck_assert_str_eq(sim_units_expected(SIM_UNIT_NUMBER), "a number");
	ck_assert_str_eq(sim_units_symbol(SIM_UNIT_NUMBER), "");
	ck_assert_str_eq(sim_units_symbol(SIM_UNIT_DURATION), "s");
	ck_assert_str_eq(sim_units_symbol(SIM_UNIT_SIZE), "B");
	ck_assert_str_eq(sim_units_symbol(SIM_UNIT_RATE), "1/s");
	ck_assert_str_eq(sim_units_symbol(SIM_UNIT_FRACTION), "ratio");
	/* Out-of-range kinds still give a usable string. */
	ck_assert_ptr_nonnull(sim_units_expected((enum sim_unit_kind)99));
	ck_assert_ptr_nonnull(sim_units_symbol((enum sim_unit_kind)99));
}
END_TEST

/* ---- runner ----------------------------------------------------------- */

/* Each table is one test (see "failure collection"), one tcase per suite. */
static Suite *accept_suite(void)
{
	Suite *s = suite_create("units:accept");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, accept_number);
	tcase_add_test(tc, accept_integer);
	tcase_add_test(tc, accept_duration);
	tcase_add_test(tc, accept_size);
	tcase_add_test(tc, accept_rate);
	tcase_add_test(tc, accept_fraction);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *reject_suite(void)
{
	Suite *s = suite_create("units:reject");
	TCase *tc = tcase_create("tables");

	tcase_add_test(tc, reject_number);
	tcase_add_test(tc, reject_integer);
	tcase_add_test(tc, reject_duration);
	tcase_add_test(tc, reject_duration_ns);
	tcase_add_test(tc, reject_size);
	tcase_add_test(tc, reject_rate);
	tcase_add_test(tc, reject_fraction);
	tcase_add_test(tc, reject_bad_kind);
	suite_add_tcase(s, tc);
	return s;
}

/* The random round trip formats and parses 180000 values. */
static Suite *format_suite(void)
{
	Suite *s = suite_create("units:format");
	TCase *tc = tcase_create("format");

	tcase_add_test(tc, format_known);
	tcase_add_test(tc, format_round_trip_table);
	tcase_add_test(tc, format_round_trip_random);
	tcase_add_test(tc, format_canonical);
	tcase_add_test(tc, format_small_buffer);
	/* The random round trip is quick, but sanitizers slow it down. */
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}

static Suite *describe_suite(void)
{
	Suite *s = suite_create("units:describe");
	TCase *tc = tcase_create("describe");

	tcase_add_test(tc, describe_classify);
	tcase_add_test(tc, describe_strings);
	suite_add_tcase(s, tc);
	return s;
}

/* One runner for all suites; the exit status is what the build checks. */
int main(void)
{
	SRunner *sr = srunner_create(accept_suite());
	int failed;

	srunner_add_suite(sr, reject_suite());
	srunner_add_suite(sr, format_suite());
	srunner_add_suite(sr, describe_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
