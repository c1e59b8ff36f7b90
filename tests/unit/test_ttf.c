/*
 * test_ttf.c - the TrueType reader on Liberation Serif (fonts-liberation2):
 * metrics, code point -> glyph -> advance for a table of characters
 * (Vietnamese ones included), and refusal of files that are not fonts.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/pdf/pdfa.h"
#include "formats/pdf/ttf.h"
#include "unit.h"

int main(void)
{
	static const struct { uint32_t cp; int has; } chars[] = {
		{ 'A', 1 }, { ' ', 1 }, { 0x1EA9, 1 /* ẩ */ }, { 0x01B0, 1 /* ư */ }, { 0x0111, 1 /* đ */ },
		{ 0x20AB, 1 /* ₫ */ }, { 0xE000, 0 /* private use */ }, { 0x1F600, 0 /* emoji */ },
	};
	static const struct { const char *bytes; size_t len; const char *want; } bad[] = {
		{ "", 0, "too short" },
		{ "GIF89a not a font at all", 24, "not a TrueType font" },
		{ "\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00", 12, "required table" },
		{ "\x00\x01\x00\x00\x00\x09\x00\x00\x00\x00\x00\x00", 12, "required table" }, /* 9 tables, none there */
	};
	struct errbuf err;
	struct ttf *f;
	const struct ttf_metrics *m;
	size_t i, len;

	err_init(&err);
	f = ttf_load(PDFA_TEXT_FONT, &err);
	CHECK(f != NULL);
	if (!f) {
		fprintf(stderr, "%s\n", err.msg);
		return unit_done("test_ttf");
	}
	m = ttf_metrics(f);
	CHECK(m->units_per_em == 2048);
	CHECK(m->ascent > 0 && m->descent < 0 && m->cap_height > 0);
	CHECK(m->bbox[2] > m->bbox[0] && m->bbox[3] > m->bbox[1]);
	CHECK(m->num_glyphs > 1000);
	CHECK_STR(ttf_ps_name(f), "LiberationSerif");
	CHECK(ttf_data(f, &len) != NULL && len > 100000);
	for (i = 0; i < sizeof chars / sizeof chars[0]; i++) {
		unsigned g = ttf_glyph(f, chars[i].cp);
		CHECK((g != 0) == (chars[i].has != 0));
		CHECK(ttf_advance(f, g) > 0 || chars[i].cp == ' ');
	}
	/* widths add up: a string is the sum of its glyphs */
	CHECK(ttf_text_width(f, "AA", 10) > 2 * ttf_text_width(f, "A", 10) - 1e-9 &&
	      ttf_text_width(f, "AA", 10) < 2 * ttf_text_width(f, "A", 10) + 1e-9);
	CHECK(ttf_text_width(f, "", 10) == 0);
	CHECK(ttf_text_width(f, "\xff", 10) > 0); /* invalid UTF-8 counts as U+FFFD */
	ttf_free(f);

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		err_init(&err);
		f = ttf_from_mem(bad[i].bytes, bad[i].len, "bad.ttf", &err);
		CHECK(f == NULL);
		CHECK(strstr(err.msg, "'bad.ttf'") && strstr(err.msg, bad[i].want));
		if (!strstr(err.msg, bad[i].want))
			fprintf(stderr, "case %zu: %s\n", i, err.msg);
		ttf_free(f);
	}
	err_init(&err);
	CHECK(ttf_load("/nonexistent/font.ttf", &err) == NULL && err.set);
	/* Tesseract's glyphless font has no Unicode cmap: refused with a reason */
	err_init(&err);
	f = ttf_load(PDFA_GLYPHLESS_FONT, &err);
	CHECK(f == NULL && strstr(err.msg, "no Unicode cmap"));
	ttf_free(f);
	return unit_done("test_ttf");
}
