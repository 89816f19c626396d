/* text.h - the one sanitiser for text a user wrote (scenario names and
 * descriptions, labels, pricing names, paths, --set values) on its way to
 * places that render it: SVG and HTML, Markdown, gnuplot scripts, the
 * terminal. Engine layer: it knows nothing of who prints what.
 *
 * What it guarantees about its output:
 *  - valid UTF-8: each maximal ill-formed subsequence (a stray continuation
 *    byte, a truncated sequence, an overlong form, a surrogate, a code
 *    point past U+10FFFF) becomes one U+FFFD, as Unicode recommends;
 *  - no control characters: C0 (U+0001..U+001F) becomes its Control
 *    Pictures symbol (ESC -> U+241B, BEL -> U+2407), DEL becomes U+2421,
 *    C1 (U+0080..U+009F) becomes U+FFFD; the mode decides what happens to
 *    TAB and LF (and CR on one line);
 *  - when shortened, a cut between two characters (never inside one),
 *    marked with an ellipsis (U+2026).
 * Escaping for the target (HTML entities, gnuplot quotes) is the writer's
 * own job and comes after this: sanitise, then escape (JSON strings:
 * sim/json.h, in SIM_TEXT_UTF8 mode, escaped by jansson).
 *
 * Functions never fail except by running out of memory (sim/alloc.h
 * aborts); strings they return are the caller's to free().
 */
#ifndef SPILLWAY_SIM_TEXT_H
#define SPILLWAY_SIM_TEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum sim_text_mode {
	SIM_TEXT_LINE,  /* one line: TAB, LF and CR become a space */
	SIM_TEXT_LINES, /* running text: TAB and LF kept, CR pictured */
	SIM_TEXT_UTF8,  /* UTF-8 repaired, control characters kept (for a
			 * writer that escapes them itself, as JSON does) */
};

/* The sanitised src in dst, NUL-terminated, at most size - 1 bytes (size
 * >= 1). When it does not fit, it is cut at a character boundary and ends
 * with "…" (if size allows the three bytes). Returns the length of dst.
 * src NULL counts as "". */
size_t sim_text_clean(char *dst, size_t size, const char *src,
		      enum sim_text_mode mode);

/* The whole sanitised src in a new string (never cut; NULL counts as ""). */
char *sim_text_dup(const char *src, enum sim_text_mode mode);

/* Whether s is already what sim_text_dup would make of it. */
bool sim_text_is_clean(const char *s, enum sim_text_mode mode);

/* fputs of the sanitised s. Returns fputs's result. */
int sim_text_fputs(const char *s, FILE *f, enum sim_text_mode mode);

/* fprintf of the sanitised result, in SIM_TEXT_LINES mode: a message with
 * user text in it (paths, values) for the terminal. Returns the length of
 * the formatted text (before sanitising), or a negative value on an output
 * error. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
int sim_text_fprintf(FILE *f, const char *fmt, ...);

/* A parser's error: the formatted message into err (errlen bytes, cut
 * there), and -1 to return. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
int sim_text_fail(char *err, size_t errlen, const char *fmt, ...);

#endif
