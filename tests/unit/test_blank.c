/*
 * test_blank.c - blank_detect() on generated sheets: backs of sheets with
 * paper texture, noise, specks, faint bleed-through, punch holes and a dark
 * scan margin are blank; pages with writing, even one short line or faded
 * ink, are not.
 * usage: test_blank [SAMPLES-DIR]  (a folder made by tests/mksamples.sh)
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "pagegen.h"
#include "../../stages/blank.h"

enum extra { NONE, HOLES, BLEED, MARGIN, BITONAL };

static const struct {
	const char *what;
	int lines, ink, paper, noise, specks;
	enum extra extra;
	int blank;
} cases[] = {
	{ "white paper", 0, 0, 250, 0, 0, NONE, 1 },
	{ "noisy grey paper", 0, 0, 225, 15, 400, NONE, 1 },
	{ "punch holes", 0, 0, 240, 8, 50, HOLES, 1 },
	{ "bleed-through", 0, 0, 240, 8, 50, BLEED, 1 },
	{ "dark scan margin", 0, 0, 240, 8, 50, MARGIN, 1 },
	{ "bitonal noise", 0, 0, 235, 20, 300, BITONAL, 1 },
	{ "a page of text", 30, 20, 240, 8, 100, NONE, 0 },
	{ "one short line", 1, 20, 240, 8, 100, NONE, 0 },
	{ "faded text", 10, 130, 235, 10, 100, NONE, 0 },
	{ "bitonal text", 8, 20, 240, 8, 100, BITONAL, 0 },
};

/* A page whose single line holds about 25 glyphs (a short note). */
static PIX *short_line(int ink, int paper)
{
	PIX *b = pagegen_text1(1654, 2338, 200, 400, 1000, 700, 1);
	PIX *g = pixConvert1To8(NULL, b, (l_uint8)paper, (l_uint8)ink);
	pixDestroy(&b);
	return g;
}

static void disc(PIX *p, int cx, int cy, int r, int v)
{
	for (int y = cy - r; y <= cy + r; y++)
		for (int x = cx - r; x <= cx + r; x++)
			if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r)
				pixSetPixel(p, x, y, v);
}

static PIX *make(size_t i)
{
	PIX *g, *t;

	if (cases[i].lines == 1)
		g = short_line(cases[i].ink, cases[i].paper);
	else
		g = pagegen_text8(1654, 2338, 200, cases[i].lines, cases[i].ink, cases[i].paper);
	if (cases[i].extra == BLEED) {
		/* the other side's writing, mirrored, at 12 % of its contrast */
		PIX *front = pagegen_text8(1654, 2338, 200, 30, 240 - 220 * 12 / 100, 240);
		pixDestroy(&g);
		g = pixFlipLR(NULL, front);
		pixDestroy(&front);
	}
	if (cases[i].extra == HOLES) {
		disc(g, 95, 850, 24, 40); /* 6 mm across, 12 mm from the edge */
		disc(g, 95, 1480, 24, 40);
	}
	if (cases[i].extra == MARGIN)
		pixRasterop(g, 0, 0, 60, 2338, PIX_CLR, NULL, 0, 0);
	pagegen_soil(g, cases[i].noise, cases[i].specks);
	if (cases[i].extra == BITONAL) {
		t = pixThresholdToBinary(g, 150);
		pixDestroy(&g);
		g = t;
	}
	return g;
}

static void check_sample(PIX *pix, const struct pagegen_sample *s, void *arg)
{
	struct errbuf err;

	CHECK(pix != NULL);
	if (!pix)
		return;
	err_init(&err);
	CHECK(blank_detect(pix, s->dpi, 10, NULL, &err) == s->blank);
}

int main(int argc, char **argv)
{
	struct errbuf err;
	size_t i;

	setMsgSeverity(L_SEVERITY_NONE);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		PIX *pix = make(i);
		struct blank_info bi;
		int r;

		err_init(&err);
		r = blank_detect(pix, 200, 10, &bi, &err);
		if (r != cases[i].blank)
			fprintf(stderr, "%s: blank %d, expected %d (marks %d large %d holes %d specks %d)\n", cases[i].what, r, cases[i].blank, bi.marks, bi.large, bi.holes, bi.speckles);
		CHECK(r == cases[i].blank);
		if (cases[i].extra == HOLES)
			CHECK(bi.holes == 2);
		pixDestroy(&pix);
	}
	if (argc > 1)
		CHECK(pagegen_samples(argv[1], check_sample, NULL) > 0);
	return unit_done("test_blank");
}
