/* text.c - valid UTF-8 without control characters, cut between
 * characters (see text.h). */
#include "sim/text.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sim/alloc.h"

#define REPLACEMENT 0xFFFDu
#define INVALID 0x110000u /* what decode gives for an ill-formed sequence */

/* Decodes the character at s (not at the NUL). Returns the bytes it takes,
 * with *cp its code point; an ill-formed sequence takes its maximal subpart
 * (the longest prefix of a well-formed sequence, at least one byte) and
 * gives INVALID. The table is Unicode's "well-formed UTF-8 byte sequences"
 * (Table 3-7): the second byte's range depends on the first. */
static size_t decode(const unsigned char *s, uint32_t *cp)
{
	unsigned char c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;
	uint32_t v;
	if (c >= 0xC2 && c <= 0xDF) {
		len = 2;
		v = c & 0x1Fu;
	} else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		v = c & 0x0Fu;
		if (c == 0xE0)
			lo = 0xA0; /* no overlong forms */
		else if (c == 0xED)
			hi = 0x9F; /* no surrogates */
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		v = c & 0x07u;
		if (c == 0xF0)
			lo = 0x90; /* no overlong forms */
		else if (c == 0xF4)
			hi = 0x8F; /* nothing past U+10FFFF */
	} else {
		*cp = INVALID; /* a continuation byte, C0, C1, F5..FF */
		return 1;
	}
	for (size_t i = 1; i < len; i++) {
		unsigned char b = s[i];
		if (b < lo || b > hi) {
			*cp = INVALID;
			return i;
		}
		v = v << 6 | (b & 0x3Fu);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return len;
}

/* What code point c becomes in mode (a space, a picture, U+FFFD, itself). */
static uint32_t map(uint32_t c, enum sim_text_mode mode)
{
	if (c == INVALID)
		return REPLACEMENT;
	if (mode == SIM_TEXT_UTF8 || (c >= 0x20 && c < 0x7F) || c > 0x9F)
		return c;
	if (c == '\t' || c == '\n' || c == '\r') {
		if (mode == SIM_TEXT_LINE)
			return ' ';
		if (c != '\r')
			return c;
	}
	if (c < 0x20)
		return 0x2400u + c; /* Control Pictures: U+241B for ESC */
	if (c == 0x7F)
		return 0x2421u;     /* SYMBOL FOR DELETE */
	return REPLACEMENT;         /* C1 */
}

/* Writes c as UTF-8 at out; returns its length. */
static size_t encode(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	if (c < 0x800) {
		out[0] = (char)(0xC0 | c >> 6);
		out[1] = (char)(0x80 | (c & 0x3F));
		return 2;
	}
	if (c < 0x10000) {
		out[0] = (char)(0xE0 | c >> 12);
		out[1] = (char)(0x80 | (c >> 6 & 0x3F));
		out[2] = (char)(0x80 | (c & 0x3F));
		return 3;
	}
	out[0] = (char)(0xF0 | c >> 18);
	out[1] = (char)(0x80 | (c >> 12 & 0x3F));
	out[2] = (char)(0x80 | (c >> 6 & 0x3F));
	out[3] = (char)(0x80 | (c & 0x3F));
	return 4;
}

size_t sim_text_clean(char *dst, size_t size, const char *src,
		      enum sim_text_mode mode)
{
	static const char ellipsis[] = "\xE2\x80\xA6";
	const unsigned char *s = (const unsigned char *)(src ? src : "");
	if (!size)
		return 0;
	size_t cap = size - 1, len = 0;
	/* The end of the last character that leaves room for the ellipsis. */
	size_t room = 0;
	while (*s) {
		uint32_t c;
		size_t in = decode(s, &c);
		char out[4];
		size_t n = encode(map(c, mode), out);
		if (len + n > cap) {
			if (cap >= 3) {
				memcpy(dst + room, ellipsis, 3);
				len = room + 3;
			}
			break;
		}
		memcpy(dst + len, out, n);
		len += n;
		if (len + 3 <= cap)
			room = len;
		s += in;
	}
	dst[len] = '\0';
	return len;
}

char *sim_text_dup(const char *src, enum sim_text_mode mode)
{
	/* A byte becomes at most three (a control's picture, U+FFFD). */
	size_t size = 3 * strlen(src ? src : "") + 1;
	char *out = sim_xrealloc(NULL, size);
	size_t len = sim_text_clean(out, size, src, mode);
	return sim_xrealloc(out, len + 1);
}

bool sim_text_is_clean(const char *s, enum sim_text_mode mode)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		if (*p >= 0x20 && *p < 0x7F) {
			p++;
			continue;
		}
		uint32_t c;
		size_t in = decode(p, &c);
		if (map(c, mode) != c)
			return false;
		p += in;
	}
	return true;
}

int sim_text_fputs(const char *s, FILE *f, enum sim_text_mode mode)
{
	if (sim_text_is_clean(s, mode))
		return fputs(s ? s : "", f);
	char *c = sim_text_dup(s, mode);
	int r = fputs(c, f);
	free(c);
	return r;
}

int sim_text_fprintf(FILE *f, const char *fmt, ...)
{
	char small[1024], *buf = small;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		return n;
	if ((size_t)n >= sizeof(small)) {
		buf = sim_xrealloc(NULL, (size_t)n + 1);
		va_start(ap, fmt);
		vsnprintf(buf, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	int r = sim_text_fputs(buf, f, SIM_TEXT_LINES);
	if (buf != small)
		free(buf);
	return r < 0 ? r : n;
}

int sim_text_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}
