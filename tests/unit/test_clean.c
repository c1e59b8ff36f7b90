/*
 * test_clean.c - clean_page() paints dark scan margins and isolated specks
 * as paper and keeps the writing (dots of diacritics included);
 * clean_find_gutter() finds the gutter between two facing pages and nothing
 * on single pages.
 * usage: test_clean [SAMPLES-DIR]  (a folder made by tests/mksamples.sh)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "pagegen.h"
#include "../../stages/clean.h"

/* Dark pixels (< 128) of an 8-bit image inside a box. */
static int dark_in(PIX *g, int x, int y, int w, int h)
{
	BOX *b = boxCreate(x, y, w, h);
	PIX *c = pixClipRectangle(g, b, NULL);
	PIX *t = pixThresholdToBinary(c, 128);
	l_int32 n = 0;

	pixCountPixels(t, &n, NULL);
	pixDestroy(&t);
	pixDestroy(&c);
	boxDestroy(&b);
	return n;
}

static const struct {
	const char *what;
	int margin_left, margin_top, specks, depth, paper;
} cases[] = {
	{ "clean page", 0, 0, 0, 8, 240 },
	{ "left margin", 70, 0, 0, 8, 240 },
	{ "left and top margins", 70, 50, 0, 8, 240 },
	{ "specks", 0, 0, 300, 8, 240 },
	{ "margin and specks, colour", 60, 0, 200, 32, 240 },
	{ "margin and specks, bitonal", 60, 40, 200, 1, 240 },
	/* paper of 255: Leptonica's rank value says 256, once painted black */
	{ "margin, white paper, colour", 70, 0, 0, 32, 255 },
	{ "margin, white paper, grey", 0, 50, 0, 8, 255 },
};

/* Set the pixels of the 1-bit p in a ring round (cx, cy): a seal. */
static void ring(PIX *p, int cx, int cy, int r, int width)
{
	for (int y = cy - r - width; y <= cy + r + width; y++)
		for (int x = cx - r - width; x <= cx + r + width; x++) {
			double d = sqrt((double)(x - cx) * (x - cx) + (double)(y - cy) * (y - cy));
			if (fabs(d - r) <= width / 2.0 && x >= 0 && y >= 0 && x < pixGetWidth(p) && y < pixGetHeight(p))
				pixSetPixel(p, x, y, 1);
		}
}

static void check_sample(PIX *pix, const struct pagegen_sample *s, void *arg)
{
	int x = 0;

	CHECK(pix != NULL);
	if (!pix)
		return;
	CHECK(clean_find_gutter(pix, s->dpi, &x) == (s->facing != 0));
	if (s->facing)
		CHECK(x > pixGetWidth(pix) * 2 / 5 && x < pixGetWidth(pix) * 3 / 5);
}

int main(int argc, char **argv)
{
	struct errbuf err;
	size_t i;

	setMsgSeverity(L_SEVERITY_NONE);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		PIX *g = pagegen_text8(1654, 2338, 200, 30, 20, cases[i].paper), *pix, *out, *g8;
		struct clean_info ci;
		int text_before, text_after;

		/* a speck isolated in the margin, and a dot near a letter (kept) */
		text_before = dark_in(g, 200, 200, 1254, 1900);
		if (cases[i].margin_left)
			pixRasterop(g, 0, 0, cases[i].margin_left, 2338, PIX_CLR, NULL, 0, 0);
		if (cases[i].margin_top)
			pixRasterop(g, 0, 0, 1654, cases[i].margin_top, PIX_CLR, NULL, 0, 0);
		pagegen_seed = 99;
		for (int s = 0; s < cases[i].specks; s++) /* specks 2 mm apart in the empty bottom band */
			pixRasterop(g, 100 + (s % 90) * 16 + pagegen_rand(4), 2150 + (s / 90) * 40 + pagegen_rand(8), 1 + pagegen_rand(2), 1 + pagegen_rand(2), PIX_CLR, NULL, 0, 0);
		pix = pagegen_depth(g, cases[i].depth);
		err_init(&err);
		out = clean_page(pix, 200, &ci, &err);
		CHECK(out != NULL);
		if (!out) {
			pixDestroy(&pix);
			pixDestroy(&g);
			continue;
		}
		CHECK(pixGetDepth(out) == pixGetDepth(pix) && pixGetWidth(out) == 1654 && pixGetHeight(out) == 2338);
		g8 = pixConvertTo8(out, 0);
		CHECK((ci.border_px > 0) == (cases[i].margin_left || cases[i].margin_top));
		if (dark_in(g8, 0, 0, 100, 2338)) fprintf(stderr, "%s: %d dark in margin, border %ld\n", cases[i].what, dark_in(g8, 0, 0, 100, 2338), ci.border_px);
		CHECK(dark_in(g8, 0, 0, 100, 2338) == 0);
		CHECK(dark_in(g8, 0, 0, 1654, 80) == 0);
		if (cases[i].specks) {
			CHECK(ci.speckles > cases[i].specks / 2);
			if (dark_in(g8, 100, 2140, 1450, 170))
				fprintf(stderr, "%s: %d dark pixels of specks left, %d removed\n", cases[i].what, dark_in(g8, 100, 2140, 1450, 170), ci.speckles);
			CHECK(dark_in(g8, 100, 2140, 1450, 170) == 0);
		} else {
			CHECK(ci.speckles == 0);
		}
		/* the writing stays, every dot of it */
		text_after = dark_in(g8, 200, 200, 1254, 1900);
		if (text_after < text_before * 98 / 100)
			fprintf(stderr, "%s: %d dark pixels of writing before, %d after\n", cases[i].what, text_before, text_after);
		CHECK(text_after >= text_before * 98 / 100);
		pixDestroy(&g8);
		pixDestroy(&out);
		pixDestroy(&pix);
		pixDestroy(&g);
	}

	/*
	 * Issue 10: a low-resolution photo (96 dpi, x-height 7 px, blurred)
	 * whose lines run off the right edge, and a seal over the last lines
	 * at that edge: at a quarter of the resolution they merge into one
	 * component as long as a side touching the border, and were painted as
	 * margin.  They are writing: all of it stays.  A solid dark patch at
	 * the left edge (a finger, a margin) goes.
	 */
	for (int depth = 8; depth <= 32; depth += 24) {
		PIX *t = pagegen_text1(794, 1123, 96, 40, 100, 754, 40), *b = pixCreate(794, 1123, 1), *g, *gb, *pix, *out, *g8;
		struct clean_info ci;
		int before, after;

		pixRasterop(b, 100, 0, 694, 1123, PIX_SRC, t, 0, 0); /* the lines run off the right edge */
		ring(b, 770, 800, 80, 5);                             /* a seal cut by the edge, over the last lines */
		ring(b, 770, 800, 60, 2);
		g = pixConvert1To8(NULL, b, 240, 20);
		gb = pixBlockconv(g, 1, 1);                           /* the blur of a phone photo */
		pixRasterop(gb, 0, 500, 40, 200, PIX_CLR, NULL, 0, 0);  /* the finger */
		before = dark_in(gb, 90, 50, 704, 1050);
		pix = pagegen_depth(gb, depth);
		err_init(&err);
		out = clean_page(pix, 96, &ci, &err);
		CHECK(out != NULL);
		if (out) {
			g8 = pixConvertTo8(out, 0);
			after = dark_in(g8, 90, 50, 704, 1050);
			if (after < before * 98 / 100)
				fprintf(stderr, "text to the edge, depth %d: %d dark pixels of writing and seal before, %d after (%ld painted as margin)\n", depth, before, after, ci.border_px);
			CHECK(after >= before * 98 / 100);
			CHECK(ci.border_px > 0);
			CHECK(dark_in(g8, 0, 500, 40, 200) == 0);
			pixDestroy(&g8);
		}
		pixDestroy(&out);
		pixDestroy(&pix);
		pixDestroy(&gb);
		pixDestroy(&g);
		pixDestroy(&b);
		pixDestroy(&t);
	}

	/*
	 * Issue 10: a 150 dpi page (x-height 12 px) with tone-mark dots 4 px
	 * above its letters: they are not specks (they were, and real-like
	 * pages of 120-135 dpi lost their tone marks).
	 */
	{
		PIX *t = pagegen_text1(1240, 1754, 150, 150, 150, 940, 20), *g, *out, *g8;
		struct clean_info ci;
		int dots = 0, kept = 0;

		pagegen_seed = 4242;
		for (int y = 150; y < 1700; y += 36)
			for (int x = 160; x < 1080; x += 40) {
				BOX *b = boxCreate(x, y, 6, 12);
				l_int32 ink = 0;
				pixCountPixelsInRect(t, b, &ink, NULL);
				boxDestroy(&b);
				if (ink > 4) { /* a letter: a dot above it, 4 px clear of it */
					pixRasterop(t, x + 2, y - 7, 2, 2, PIX_SET, NULL, 0, 0);
					dots++;
				}
			}
		g = pixConvert1To8(NULL, t, 240, 20);
		err_init(&err);
		out = clean_page(g, 150, &ci, &err);
		CHECK(out != NULL && dots > 100);
		if (out) {
			g8 = pixConvertTo8(out, 0);
			for (int y = 150; y < 1700; y += 36)
				for (int x = 160; x < 1080; x += 40) {
					l_uint32 v = 255;
					pixGetPixel(g8, x + 2, y - 7, &v);
					kept += v < 128;
				}
			if (kept < dots)
				fprintf(stderr, "150 dpi page: %d of %d tone-mark dots kept (%d specks removed)\n", kept, dots, ci.speckles);
			CHECK(kept >= dots);
			pixDestroy(&g8);
		}
		pixDestroy(&out);
		pixDestroy(&g);
		pixDestroy(&t);
	}

	/* facing pages: two A5-ish pages side by side; single pages have no gutter */
	{
		PIX *l = pagegen_text1(1200, 1700, 200, 150, 200, 900, 25);
		PIX *r = pagegen_text1(1200, 1700, 200, 150, 200, 900, 25);
		PIX *both = pixCreate(2400, 1700, 1), *g, *half;
		BOX *b = boxCreate(0, 0, 1600, 1700);
		int x = 0;

		pixRasterop(both, 0, 0, 1200, 1700, PIX_SRC, l, 0, 0);
		pixRasterop(both, 1200, 0, 1200, 1700, PIX_SRC, r, 0, 0);
		g = pixConvert1To8(NULL, both, 240, 20);
		CHECK(clean_find_gutter(g, 200, &x));
		CHECK(x > 1150 && x < 1350);
		CHECK(!clean_find_gutter(l, 200, &x));          /* portrait */
		half = pixClipRectangle(both, b, NULL);         /* landscape, text on the left only */
		pixRasterop(half, 1200, 0, 400, 1700, PIX_CLR, NULL, 0, 0);
		CHECK(!clean_find_gutter(half, 200, &x));
		boxDestroy(&b);
		pixDestroy(&half);
		pixDestroy(&g);
		pixDestroy(&both);
		pixDestroy(&r);
		pixDestroy(&l);
	}
	if (argc > 1)
		CHECK(pagegen_samples(argv[1], check_sample, NULL) > 0);
	return unit_done("test_clean");
}
