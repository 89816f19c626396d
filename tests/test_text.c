/* test_text.c - Check suites for sim/text.c (the sanitiser) and sim/csv.c
 * (the CSV writer and reader), byte for byte.
 *
 *   text:utf8     valid UTF-8 kept; each ill-formed subsequence (stray
 *                 continuation, truncated, overlong, surrogate, past
 *                 U+10FFFF, F5..FF) one U+FFFD
 *   text:control  C0, DEL and C1 replaced; TAB, LF, CR by mode; UTF-8
 *                 mode keeps them; sim_text_fprintf, sim_text_fputs
 *   text:cut      shortened between characters, with an ellipsis
 *   json:text     sim/json.c: strings repaired then escaped by jansson and
 *                 read back, numbers as %.10g (null for NaN and
 *                 infinities), a document byte for byte
 *   csv:quoting   RFC 4180: commas, quotes, CR, LF; numbers
 *   csv:injection the OWASP guard on text cells, never on numbers
 *   csv:reader    quoted cells, CRLF, embedded line breaks, the guard
 *                 undone, round trips, errors
 *   csv:recorder  the time-series recorder's rows: names quoted and
 *                 guarded, negative and fractional values plain, a write
 *                 error kept
 *   sha256:vectors sim_sha256_mem (the plot scripts' checksums) on the
 *                 FIPS 180-4 examples, and equal to sim_sha256_file
 */
#include <check.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/harness.h"

#include "sim/csv.h"
#include "sim/json.h"
#include "sim/run.h"
#include "sim/sha256.h"
#include "sim/text.h"

#define N_ROWS(a) (sizeof(a) / sizeof((a)[0]))

struct row {
	const char *in;
	const char *want;
};

/* Checks every row of a table through sim_text_dup in mode. */
static void check_table(const struct row *rows, size_t n, enum sim_text_mode mode)
{
	struct fails f = { 0 };
	for (size_t i = 0; i < n; i++) {
		char *got = sim_text_dup(rows[i].in, mode);
		if (strcmp(got, rows[i].want))
			fail_add(&f, "row %zu: got '%s', want '%s'", i, got, rows[i].want);
		if (!sim_text_is_clean(got, mode))
			fail_add(&f, "row %zu: the result is not clean", i);
		if (sim_text_is_clean(rows[i].in, mode) != !strcmp(rows[i].in, rows[i].want))
			fail_add(&f, "row %zu: sim_text_is_clean disagrees", i);
		free(got);
	}
	FAILS_CHECK(f);
}

/* text:utf8 ------------------------------------------------------------- */

#define FFFD "\xEF\xBF\xBD"

START_TEST(utf8_valid_kept)
{
	static const struct row rows[] = {
		{ "", "" },
		{ "plain ASCII", "plain ASCII" },
		{ "caf\xC3\xA9", "caf\xC3\xA9" },                     /* U+00E9 */
		{ "\xE2\x82\xAC 5", "\xE2\x82\xAC 5" },               /* U+20AC */
		{ "\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80" },           /* U+1F600 */
		{ "\xEF\xBF\xBD", "\xEF\xBF\xBD" },                   /* U+FFFD itself */
		{ "\xED\x9F\xBF", "\xED\x9F\xBF" },                   /* U+D7FF */
		{ "\xEE\x80\x80", "\xEE\x80\x80" },                   /* U+E000 */
		{ "\xF4\x8F\xBF\xBF", "\xF4\x8F\xBF\xBF" },           /* U+10FFFF */
		{ "\xC2\xA0", "\xC2\xA0" },                           /* U+00A0, past C1 */
	};
	check_table(rows, N_ROWS(rows), SIM_TEXT_LINE);
}
END_TEST

START_TEST(utf8_invalid_replaced)
{
	static const struct row rows[] = {
		{ "a\x80z", "a" FFFD "z" },                 /* stray continuation */
		{ "\xBF\xBF", FFFD FFFD },                  /* one each */
		{ "\xC3", FFFD },                           /* truncated at the end */
		{ "\xE2\x82", FFFD },                       /* maximal subpart: one */
		{ "\xE2\x82z", FFFD "z" },
		{ "\xF0\x9F\x98", FFFD },
		{ "\xF0\x9F\x98z", FFFD "z" },
		{ "\xC0\xAF", FFFD FFFD },                  /* overlong '/' */
		{ "\xC1\xBF", FFFD FFFD },
		{ "\xE0\x80\xAF", FFFD FFFD FFFD },         /* overlong, 3 bytes */
		{ "\xF0\x80\x80\xAF", FFFD FFFD FFFD FFFD },
		{ "\xED\xA0\x80", FFFD FFFD FFFD },         /* surrogate U+D800 */
		{ "\xF4\x90\x80\x80", FFFD FFFD FFFD FFFD },/* U+110000 */
		{ "\xF5\x80", FFFD FFFD },
		{ "\xFE\xFF", FFFD FFFD },
		{ "\xE2\x28\xA1", FFFD "(" FFFD },          /* bad second byte */
	};
	check_table(rows, N_ROWS(rows), SIM_TEXT_LINE);
	/* Repairing is the same in every mode. */
	check_table(rows, N_ROWS(rows), SIM_TEXT_UTF8);
}
END_TEST

/* text:control ---------------------------------------------------------- */

START_TEST(control_line)
{
	static const struct row rows[] = {
		{ "\x1B[31mred\x1B[0m", "\xE2\x90\x9B[31mred\xE2\x90\x9B[0m" }, /* ESC: U+241B */
		{ "ding\a", "ding\xE2\x90\x87" },              /* BEL: U+2407 */
		{ "\x01", "\xE2\x90\x81" },
		{ "\x1F", "\xE2\x90\x9F" },
		{ "del\x7F", "del\xE2\x90\xA1" },              /* U+2421 */
		{ "c1\xC2\x85", "c1" FFFD },                   /* NEL */
		{ "\xC2\x80\xC2\x9F", FFFD FFFD },
		{ "a\tb\nc\rd", "a b c d" },
		{ "\r\n", "  " },
	};
	check_table(rows, N_ROWS(rows), SIM_TEXT_LINE);
}
END_TEST

START_TEST(control_lines)
{
	static const struct row rows[] = {
		{ "a\tb\nc", "a\tb\nc" },
		{ "over\rwrite", "over\xE2\x90\x8Dwrite" },    /* CR: U+240D */
		{ "\x1B]0;title\a", "\xE2\x90\x9B]0;title\xE2\x90\x87" },
	};
	check_table(rows, N_ROWS(rows), SIM_TEXT_LINES);
}
END_TEST

START_TEST(control_utf8_mode)
{
	static const struct row rows[] = {
		{ "\x1B\a\t\n\r\x7F\xC2\x85", "\x1B\a\t\n\r\x7F\xC2\x85" },
		{ "\x1B\xFF", "\x1B" FFFD },
	};
	check_table(rows, N_ROWS(rows), SIM_TEXT_UTF8);
}
END_TEST

/* The parser error helper: the message cut at errlen, -1. */
START_TEST(fail_message_cut)
{
	char err[8];
	ck_assert_int_eq(sim_text_fail(err, sizeof(err), "bad %s at %d", "x", 12), -1);
	ck_assert_str_eq(err, "bad x a");
}
END_TEST

/* v as sim_json_dumpf writes it, without its final newline. */
static char *json_text(const json_t *v)
{
	char *buf = json_dumps(v, SIM_JSON_FLAGS | JSON_ENCODE_ANY);
	ck_assert_ptr_nonnull(buf);
	return buf;
}

/* JSON strings: repaired to valid UTF-8, then quote, backslash and the
 * control characters escaped by jansson; read back, the repaired text. */
START_TEST(json_strings)
{
	static const struct {
		const char *in, *value, *text;
	} rows[] = {
		{ "a\"b\\c\nd\x1B\te\xFF" "f\xC3\xA9", "a\"b\\c\nd\x1B\te" FFFD "f\xC3\xA9",
		  "\"a\\\"b\\\\c\\nd\\u001B\\te" FFFD "f\xC3\xA9\"" },
		{ "", "", "\"\"" },
		{ NULL, "", "\"\"" },
		{ "\xC0\xAF\xED\xA0\x80\x7F", FFFD FFFD FFFD FFFD FFFD "\x7F",
		  "\"" FFFD FFFD FFFD FFFD FFFD "\x7F\"" },
		{ "\x01\x1F\r", "\x01\x1F\r", "\"\\u0001\\u001F\\r\"" },
	};
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		json_t *v = sim_json_text(rows[i].in);
		ck_assert_msg(json_is_string(v), "row %zu", i);
		ck_assert_str_eq(json_string_value(v), rows[i].value);
		char *t = json_text(v);
		ck_assert_str_eq(t, rows[i].text);
		json_error_t e;
		json_t *back = json_loads(t, JSON_DECODE_ANY, &e);
		ck_assert_msg(back, "row %zu: %s", i, e.text);
		ck_assert_str_eq(json_string_value(back), rows[i].value);
		json_decref(back);
		free(t);
		json_decref(v);
	}
}
END_TEST

/* Numbers as %.10g writes them (integers without ".0"), null for NaN and
 * infinities; a whole document byte for byte, keys in the order set. */
START_TEST(json_numbers_and_documents)
{
	static const struct {
		double x;
		const char *text;
	} rows[] = {
		{ 0, "0" }, { 100, "100" }, { -3, "-3" }, { 0.1, "0.1" },
		{ 1.0 / 3, "0.3333333333" }, { 1000.0000000001, "1000" }, { -2.5e-7, "-2.5e-7" },
		{ 123456789.125, "123456789.1" }, { 9999999999, "9999999999" },
		{ 1e10, "1e10" }, { 1e20, "1e20" }, { INFINITY, "null" },
		{ -INFINITY, "null" }, { NAN, "null" },
	};
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		json_t *v = sim_json_num(rows[i].x);
		char *t = json_text(v);
		ck_assert_msg(!strcmp(t, rows[i].text), "%.17g: %s, not %s", rows[i].x, t,
			      rows[i].text);
		if (isfinite(rows[i].x)) {
			char want[32];
			snprintf(want, sizeof(want), "%.10g", rows[i].x);
			ck_assert_msg(strtod(t, NULL) == strtod(want, NULL), "%s %s", t, want);
		}
		free(t);
		json_decref(v);
	}
	json_t *doc = sim_json_object(), *a = sim_json_array();
	sim_json_set(doc, "z", sim_json_text("q\""));
	sim_json_set(doc, "a", sim_json_int(-7));
	sim_json_push(a, sim_json_num(0.5));
	sim_json_push(a, sim_json_null());
	sim_json_set(doc, "list", a);
	sim_json_set(doc, "empty", sim_json_array());
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sim_json_dumpf(doc, f), 0);
	fclose(f);
	ck_assert_str_eq(buf, "{\n  \"z\": \"q\\\"\",\n  \"a\": -7,\n  \"list\": [\n"
			      "    0.5,\n    null\n  ],\n  \"empty\": []\n}\n");
	free(buf);
	json_decref(doc);
}
END_TEST

START_TEST(control_print)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(sim_text_fprintf(f, "spillway: %s: %d\n", "x\x1B[2Jy", 7), 20);
	ck_assert_int_ge(sim_text_fputs("plain\n", f, SIM_TEXT_LINES), 0);
	ck_assert_int_ge(sim_text_fputs("\a\n", f, SIM_TEXT_LINE), 0);
	ck_assert_int_ge(sim_text_fputs(NULL, f, SIM_TEXT_LINE), 0);
	/* Longer than the formatter's own buffer. */
	char big[3000];
	memset(big, 'b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	big[10] = '\x1B';
	ck_assert_int_eq(sim_text_fprintf(f, "%s", big), 2999);
	fclose(f);
	char want[4096];
	snprintf(want, sizeof(want),
		 "spillway: x\xE2\x90\x9B[2Jy: 7\nplain\n\xE2\x90\x87 %.10s\xE2\x90\x9B%s",
		 big, big + 11);
	ck_assert_str_eq(buf, want);
	free(buf);
}
END_TEST

/* text:cut -------------------------------------------------------------- */

START_TEST(cut_between_characters)
{
	char buf[16];
	/* Fits exactly: no ellipsis. */
	ck_assert_uint_eq(sim_text_clean(buf, 6, "hello", SIM_TEXT_LINE), 5);
	ck_assert_str_eq(buf, "hello");
	/* One byte short: cut, with the ellipsis inside the limit. */
	ck_assert_uint_eq(sim_text_clean(buf, 6, "hello!", SIM_TEXT_LINE), 5);
	ck_assert_str_eq(buf, "he\xE2\x80\xA6");
	/* "ééé" is 6 bytes; 5 allowed: never half an é. */
	ck_assert_uint_eq(sim_text_clean(buf, 6, "\xC3\xA9\xC3\xA9\xC3\xA9", SIM_TEXT_LINE), 5);
	ck_assert_str_eq(buf, "\xC3\xA9\xE2\x80\xA6");
	/* A 4-byte character that would straddle the cut. */
	ck_assert_uint_eq(sim_text_clean(buf, 9, "ab\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
					 SIM_TEXT_LINE), 5);
	ck_assert_str_eq(buf, "ab\xE2\x80\xA6");
	/* A control's picture counts as its three bytes. */
	ck_assert_uint_eq(sim_text_clean(buf, 8, "a\x1B\x1Bz", SIM_TEXT_LINE), 7);
	ck_assert_str_eq(buf, "a\xE2\x90\x9B\xE2\x80\xA6");
	/* Too small for the ellipsis: cut only. */
	ck_assert_uint_eq(sim_text_clean(buf, 3, "\xC3\xA9x", SIM_TEXT_LINE), 2);
	ck_assert_str_eq(buf, "\xC3\xA9");
	ck_assert_uint_eq(sim_text_clean(buf, 2, "\xC3\xA9", SIM_TEXT_LINE), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(sim_text_clean(buf, 1, "x", SIM_TEXT_LINE), 0);
	ck_assert_str_eq(buf, "");
	ck_assert_uint_eq(sim_text_clean(buf, 0, "x", SIM_TEXT_LINE), 0);
	ck_assert_uint_eq(sim_text_clean(buf, sizeof(buf), NULL, SIM_TEXT_LINE), 0);
	ck_assert_str_eq(buf, "");
}
END_TEST

/* Every cut of a long mixed text is valid UTF-8 no longer than asked. */
START_TEST(cut_every_length)
{
	static const char text[] = "Z\xC3\xA9ro \xE2\x82\xAC\xF0\x9F\x98\x80 \x1B[1m\xC2\x85 fin";
	char buf[64];
	for (size_t size = 1; size < sizeof(buf); size++) {
		size_t len = sim_text_clean(buf, size, text, SIM_TEXT_LINE);
		ck_assert_uint_lt(len, size);
		ck_assert_uint_eq(len, strlen(buf));
		ck_assert_msg(sim_text_is_clean(buf, SIM_TEXT_LINE), "size %zu", size);
	}
}
END_TEST

/* csv:quoting ----------------------------------------------------------- */

/* The cells written through a struct sim_csv, as one string. */
static char *csv_of(const char *const *cells, size_t n)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	ck_assert_ptr_nonnull(f);
	struct sim_csv w = { .f = f };
	for (size_t i = 0; i < n; i++)
		sim_csv_text(&w, cells[i]);
	sim_csv_end(&w);
	fclose(f);
	return buf;
}

START_TEST(quoting_rfc4180)
{
	static const struct row rows[] = {
		{ "plain", "plain\n" },
		{ "", "\n" },
		{ "a,b", "\"a,b\"\n" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"\n" },
		{ "\"", "\"\"\"\"\n" },
		{ "two\nlines", "\"two\nlines\"\n" },
		{ "cr\rhere", "\"cr\rhere\"\n" },
		{ " spaced ", " spaced \n" },
		{ "caf\xC3\xA9", "caf\xC3\xA9\n" },
		{ "Amazon OpenSearch, \"managed\"\n", "\"Amazon OpenSearch, \"\"managed\"\"\n\"\n" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		char *got = csv_of(&rows[i].in, 1);
		if (strcmp(got, rows[i].want))
			fail_add(&f, "row %zu: got [%s], want [%s]", i, got, rows[i].want);
		free(got);
	}
	FAILS_CHECK(f);
	static const char *const cells[] = { "a", "b,c", NULL, "d" };
	char *got = csv_of(cells, 4);
	ck_assert_str_eq(got, "a,\"b,c\",,d\n");
	free(got);
}
END_TEST

START_TEST(quoting_numbers)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct sim_csv w = { .f = f };
	sim_csv_num(&w, 1.5);
	sim_csv_num(&w, -0.5);
	sim_csv_num(&w, -1e-3);
	sim_csv_num(&w, NAN);
	sim_csv_num(&w, INFINITY);
	sim_csv_num(&w, -INFINITY);
	sim_csv_num(&w, 1234567890123.0);
	sim_csv_num(&w, 0.1);
	sim_csv_end(&w);
	sim_csv_text(&w, "second");
	sim_csv_num(&w, -2);
	sim_csv_end(&w);
	fclose(f);
	ck_assert_str_eq(buf, "1.5,-0.5,-0.001,,inf,-inf,1.23456789e+12,0.1\nsecond,-2\n");
	free(buf);
}
END_TEST

/* The buffer writer: the bound holds for the worst case. */
START_TEST(quoting_cell_put_bound)
{
	static const char *const worst[] = { "\"\"\"\"", "=\"\"", "'=\"", "-", "" };
	for (size_t i = 0; i < N_ROWS(worst); i++) {
		size_t len = strlen(worst[i]);
		char out[64];
		memset(out, 0x55, sizeof(out));
		char *end = sim_csv_cell_put(out, worst[i], len);
		ck_assert_uint_le((size_t)(end - out), SIM_CSV_CELL_MAX(len));
	}
	char out[64];
	char *end = sim_csv_cell_put(out, "=\"\"", 3);
	ck_assert_uint_eq((size_t)(end - out), 8);
	ck_assert_int_eq(memcmp(out, "\"'=\"\"\"\"\"", 8), 0);
}
END_TEST

/* csv:injection --------------------------------------------------------- */

START_TEST(injection_guarded)
{
	static const struct row rows[] = {
		{ "=1+2", "\"'=1+2\"\n" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"\n" },
		{ "+1", "\"'+1\"\n" },
		{ "-2+3+cmd|' /C calc'!A0", "\"'-2+3+cmd|' /C calc'!A0\"\n" },
		{ "@SUM(A1)", "\"'@SUM(A1)\"\n" },
		{ "\tx", "\"'\tx\"\n" },
		{ "\rx", "\"'\rx\"\n" },
		{ "-", "\"'-\"\n" },
		{ "-x", "\"'-x\"\n" },
		{ "-1e", "\"'-1e\"\n" },
		{ "-1.5.2", "\"'-1.5.2\"\n" },
		{ "-.", "\"'-.\"\n" },
		{ "-infinity", "\"'-infinity\"\n" },
		{ "-0x10", "\"'-0x10\"\n" },
		/* Quotes before a trigger: one more, so reading undoes it. */
		{ "'=x", "\"''=x\"\n" },
		{ "''-1", "\"'''-1\"\n" },
		/* Not triggers. */
		{ "a=1", "a=1\n" },
		{ "'quoted'", "'quoted'\n" },
		{ " =x", " =x\n" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		char *got = csv_of(&rows[i].in, 1);
		if (strcmp(got, rows[i].want))
			fail_add(&f, "row %zu: got [%s], want [%s]", i, got, rows[i].want);
		free(got);
	}
	FAILS_CHECK(f);
}
END_TEST

/* Text cells that are numbers stay numbers (sweep.csv copies summary.csv's
 * numbers as text). */
START_TEST(injection_numbers_plain)
{
	static const char *const nums[] = {
		"-0.5", "-1e-3", "-1E+10", "-12", "-.5", "-5.", "-inf", "0", "3.25", "1e5",
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < N_ROWS(nums); i++) {
		char *got = csv_of(&nums[i], 1);
		char want[64];
		snprintf(want, sizeof(want), "%s\n", nums[i]);
		if (strcmp(got, want))
			fail_add(&f, "%s: got [%s]", nums[i], got);
		free(got);
	}
	FAILS_CHECK(f);
}
END_TEST

/* csv:reader ------------------------------------------------------------ */

/* Reads text; cells of each record joined by '|', records by '/'. */
static char *read_all(const char *text, long *last)
{
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	ck_assert_ptr_nonnull(f);
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	char *out = calloc(1, 4096);
	long n;
	while ((n = sim_csv_read(&r)) > 0) {
		for (long i = 0; i < n; i++) {
			strcat(out, r.cells[i]);
			strcat(out, i + 1 < n ? "|" : "/");
		}
	}
	*last = n;
	sim_csv_reader_finish(&r);
	fclose(f);
	return out;
}

START_TEST(reader_records)
{
	static const struct row rows[] = {
		{ "a,b,c\n1,2,3\n", "a|b|c/1|2|3/" },
		{ "a,b\r\nc,d\r\n", "a|b/c|d/" },
		{ "no,newline", "no|newline/" },
		{ "\"a,b\",c\n", "a,b|c/" },
		{ "\"say \"\"hi\"\"\",x\n", "say \"hi\"|x/" },
		{ "\"two\nlines\",x\n", "two\nlines|x/" },
		{ "\"crlf\r\ninside\"\r\n", "crlf\r\ninside/" },
		{ ",,\n", "||/" },
		{ "\n", "/" },
		{ "\"\"\n", "/" },
		{ "a\rb\n", "a\rb/" },
		{ "x\r", "x/" },
		{ "\"ab\"cd,e\n", "abcd|e/" },
		/* The guard undone, only on quoted cells. */
		{ "\"'=1+2\",\"'-x\",\"''=y\",'=z,\"'plain\"\n", "=1+2|-x|'=y|'=z|'plain/" },
		{ "-0.5,-inf,\n", "-0.5|-inf|/" },
	};
	struct fails f = { 0 };
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		long last;
		char *got = read_all(rows[i].in, &last);
		if (strcmp(got, rows[i].want) || last != 0)
			fail_add(&f, "row %zu: got [%s] (%ld), want [%s]", i, got, last, rows[i].want);
		free(got);
	}
	FAILS_CHECK(f);
}
END_TEST

START_TEST(reader_lines_and_errors)
{
	static const char text[] = "a\n\"b\nc\"\nd\n";
	FILE *f = fmemopen((void *)text, strlen(text), "r");
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	ck_assert_int_eq(sim_csv_read(&r), 1);
	ck_assert_uint_eq(r.line, 1);
	ck_assert_int_eq(sim_csv_read(&r), 1);
	ck_assert_uint_eq(r.line, 2);
	ck_assert_str_eq(r.cells[0], "b\nc");
	ck_assert_int_eq(sim_csv_read(&r), 1);
	ck_assert_uint_eq(r.line, 4);
	ck_assert_int_eq(sim_csv_read(&r), 0);
	sim_csv_reader_finish(&r);
	fclose(f);

	/* A quoted cell still open at the end of the file. */
	long last;
	char *got = read_all("ok\n\"open,\n", &last);
	ck_assert_str_eq(got, "ok/");
	ck_assert_int_eq(last, -1);
	free(got);
	/* errno says why. */
	f = fmemopen((void *)"\"x", 2, "r");
	sim_csv_reader_init(&r, f);
	errno = 0;
	ck_assert_int_eq(sim_csv_read(&r), -1);
	ck_assert_int_eq(errno, EINVAL);
	sim_csv_reader_finish(&r);
	fclose(f);
	/* A read error (a stream opened for writing only). */
	f = fopen("/dev/null", "w");
	sim_csv_reader_init(&r, f);
	ck_assert_int_eq(sim_csv_read(&r), -1);
	ck_assert_int_ne(errno, 0);
	sim_csv_reader_finish(&r);
	fclose(f);
}
END_TEST

/* A record past the limit is refused, not held. */
START_TEST(reader_too_big)
{
	size_t n = (16u << 20) + 10;
	char *big = malloc(n);
	memset(big, 'x', n);
	FILE *f = fmemopen(big, n, "r");
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	errno = 0;
	ck_assert_int_eq(sim_csv_read(&r), -1);
	ck_assert_int_eq(errno, EFBIG);
	sim_csv_reader_finish(&r);
	fclose(f);
	/* Too many cells. */
	memset(big, ',', 70000);
	f = fmemopen(big, 70000, "r");
	sim_csv_reader_init(&r, f);
	ck_assert_int_eq(sim_csv_read(&r), -1);
	ck_assert_int_eq(errno, EFBIG);
	sim_csv_reader_finish(&r);
	fclose(f);
	free(big);
}
END_TEST

/* What the writer writes, the reader gives back byte for byte. */
START_TEST(reader_round_trip)
{
	static const char *const cells[] = {
		"plain", "", "a,b", "say \"hi\"", "two\nlines", "crlf\r\nx", "=1+2", "+1",
		"-x", "@y", "\tz", "\rw", "'=q", "''+r", "'plain", "-0.5", "-1e-3", "-inf",
		"caf\xC3\xA9", "\x1B[31m", "\"", ",", "-", "'", "''",
	};
	size_t n = N_ROWS(cells);
	char *text = csv_of(cells, n);
	FILE *f = fmemopen(text, strlen(text), "r");
	struct sim_csv_reader r;
	sim_csv_reader_init(&r, f);
	ck_assert_int_eq(sim_csv_read(&r), (long)n);
	for (size_t i = 0; i < n; i++)
		ck_assert_msg(!strcmp(r.cells[i], cells[i]), "cell %zu: [%s] != [%s]", i,
			      r.cells[i], cells[i]);
	ck_assert_int_eq(sim_csv_read(&r), 0);
	sim_csv_reader_finish(&r);
	fclose(f);
	free(text);
}
END_TEST

/* csv:recorder ---------------------------------------------------------- */

START_TEST(recorder_rows)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	struct sim_recorder rec = { .f = f, .replication = 3 };
	sim_recorder_put(&rec, 1500000001, "q", "ApproximateNumberOfMessagesVisible", 42);
	sim_recorder_put(&rec, 0, "-x", "a,b", -3);
	sim_recorder_put(&rec, 2 * 1000000000LL, "=cmd", "say \"hi\"", -0.5);
	sim_recorder_put(&rec, 7, "r", "m", 1e-3);
	/* Names past 200 bytes are cut there. */
	char long_name[300];
	memset(long_name, 'n', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	sim_recorder_put(&rec, 0, long_name, "m", 1);
	fclose(f);
	char want[1024];
	snprintf(want, sizeof(want),
		 "1.500000001,3,q,ApproximateNumberOfMessagesVisible,42\n"
		 "0.000000000,3,\"'-x\",\"a,b\",-3\n"
		 "2.000000000,3,\"'=cmd\",\"say \"\"hi\"\"\",-0.5\n"
		 "0.000000007,3,r,m,0.001\n"
		 "0.000000000,3,%.200s,m,1\n", long_name);
	ck_assert_str_eq(buf, want);
	ck_assert_int_eq(rec.error, 0);
	free(buf);
	/* Off: nothing. A failed write is kept, the first one only. */
	struct sim_recorder off = { 0 };
	sim_recorder_put(&off, 0, "q", "m", 1);
	f = fopen("/dev/full", "w");
	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	struct sim_recorder full = { .f = f };
	sim_recorder_put(&full, 0, "q", "m", 1);
	ck_assert_int_eq(full.error, ENOSPC);
	sim_recorder_put(&full, 0, "q", "m", 1);
	ck_assert_int_eq(full.error, ENOSPC);
	fclose(f);
}
END_TEST

/* sha256:vectors --------------------------------------------------------- */

START_TEST(sha256_known_vectors)
{
	static const struct row rows[] = {
		{ "", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" },
		{ "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" },
		{ "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
		  "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1" },
	};
	char hex[65], file_hex[65];
	for (size_t i = 0; i < N_ROWS(rows); i++) {
		sim_sha256_mem(rows[i].in, strlen(rows[i].in), hex);
		ck_assert_str_eq(hex, rows[i].want);
	}
	/* A million 'a's, through both: the same digest. */
	size_t n = 1000000;
	char *a = malloc(n);
	memset(a, 'a', n);
	sim_sha256_mem(a, n, hex);
	ck_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	char path[] = "/tmp/spillway-sha-XXXXXX";
	int fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	FILE *f = fdopen(fd, "w");
	fwrite(a, 1, n, f);
	fclose(f);
	ck_assert_int_eq(sim_sha256_file(path, file_hex), 0);
	ck_assert_str_eq(file_hex, hex);
	remove(path);
	free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("text");
	TCase *tc = tcase_create("text:utf8");
	tcase_add_test(tc, utf8_valid_kept);
	tcase_add_test(tc, utf8_invalid_replaced);
	suite_add_tcase(s, tc);
	tc = tcase_create("text:control");
	tcase_add_test(tc, control_line);
	tcase_add_test(tc, control_lines);
	tcase_add_test(tc, control_utf8_mode);
	tcase_add_test(tc, control_print);
	tcase_add_test(tc, fail_message_cut);
	suite_add_tcase(s, tc);
	tc = tcase_create("json:text");
	tcase_add_test(tc, json_strings);
	tcase_add_test(tc, json_numbers_and_documents);
	suite_add_tcase(s, tc);
	tc = tcase_create("text:cut");
	tcase_add_test(tc, cut_between_characters);
	tcase_add_test(tc, cut_every_length);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv:quoting");
	tcase_add_test(tc, quoting_rfc4180);
	tcase_add_test(tc, quoting_numbers);
	tcase_add_test(tc, quoting_cell_put_bound);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv:injection");
	tcase_add_test(tc, injection_guarded);
	tcase_add_test(tc, injection_numbers_plain);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv:reader");
	tcase_add_test(tc, reader_records);
	tcase_add_test(tc, reader_lines_and_errors);
	tcase_add_test(tc, reader_too_big);
	tcase_add_test(tc, reader_round_trip);
	suite_add_tcase(s, tc);
	tc = tcase_create("csv:recorder");
	tcase_add_test(tc, recorder_rows);
	suite_add_tcase(s, tc);
	tc = tcase_create("sha256:vectors");
	tcase_add_test(tc, sha256_known_vectors);
	suite_add_tcase(s, tc);
	return harness_main(s);
}
