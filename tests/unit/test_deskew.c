/*
 * test_deskew.c - deskew_find() on generated pages turned by known angles,
 * in grey, bitonal and colour; deskew_rotate() keeps size and depth and
 * really straightens; a blank page is left at 0; pages turned far (22, -33,
 * 69 degrees: photographed or hand-fed) are found by the wide search,
 * modulo a quarter turn (69 is -21: which way up is orient's to judge);
 * typewritten pages, whose fixed-pitch columns read as lines at 90 degrees,
 * are found at their skew, not a quarter turn off (issue 10); the lines of
 * a page photographed at an angle converge, a flat page's do not.
 * usage: test_deskew [SAMPLES-DIR]  (a folder made by tests/mksamples.sh:
 * every page with writing is also checked against its manifest)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "pagegen.h"
#include "../../stages/deskew.h"

static const struct {
	double angle;
	int dpi;
	int depth;
} cases[] = {
	{ 0.0, 200, 8 }, { 0.35, 200, 8 }, { -1.25, 200, 8 }, { 2.8, 300, 8 },
	{ -4.1, 200, 1 }, { 6.5, 200, 8 }, { -9.5, 200, 32 }, { 1.05, 150, 8 },
};

static void check_sample(PIX *pix, const struct pagegen_sample *s, void *arg)
{
	double angle = 0, conf = 0;
	struct errbuf err;
	PIX *up;

	CHECK(pix != NULL);
	if (!pix || s->blank)
		return;
	up = pixRotateOrth(pix, s->rotation / 90);
	err_init(&err);
	CHECK(deskew_find(up, s->dpi, &angle, &conf, &err) == 0);
	if (fabs(angle - s->skew) > 0.1)
		fprintf(stderr, "%s: skew %.2f found %.3f\n", s->name, s->skew, angle);
	CHECK(fabs(angle - s->skew) <= 0.1);
	pixDestroy(&up);
}

int main(int argc, char **argv)
{
	struct errbuf err;
	size_t i;

	setMsgSeverity(L_SEVERITY_NONE);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int dpi = cases[i].dpi;
		PIX *page = pagegen_text8(dpi * 827 / 100, dpi * 1169 / 100, dpi, 30, 30, 240);
		PIX *turned = pagegen_skew(page, cases[i].angle);
		PIX *pix = pagegen_depth(turned, cases[i].depth), *straight;
		double angle = 99, conf = 0, again = 99, conf2 = 0;

		err_init(&err);
		CHECK(deskew_find(pix, dpi, &angle, &conf, &err) == 0);
		if (fabs(angle - cases[i].angle) > 0.05)
			fprintf(stderr, "case %zu: skew %.2f found %.3f (conf %.1f)\n", i, cases[i].angle, angle, conf);
		CHECK(fabs(angle - cases[i].angle) <= 0.05);
		CHECK(conf > 2.0);
		straight = deskew_rotate(pix, angle, &err);
		CHECK(straight != NULL);
		if (straight) {
			CHECK(pixGetWidth(straight) == pixGetWidth(pix) && pixGetHeight(straight) == pixGetHeight(pix));
			CHECK(pixGetDepth(straight) == pixGetDepth(pix));
			CHECK(deskew_find(straight, dpi, &again, &conf2, &err) == 0);
			if (fabs(again) > 0.05)
				fprintf(stderr, "case %zu: straightened page found at %.3f\n", i, again);
			CHECK(fabs(again) <= 0.05);
		}
		pixDestroy(&straight);
		pixDestroy(&pix);
		pixDestroy(&turned);
		pixDestroy(&page);
	}

	/* turned far: the wide search (residual within 0.15 degrees) */
	{
		static const double far[] = { 22.0, -33.0, 69.0 }, mod90[] = { 22.0, -33.0, -21.0 };
		for (i = 0; i < sizeof far / sizeof far[0]; i++) {
			PIX *page = pagegen_text8(1240, 1754, 150, 30, 30, 240), *turned = pagegen_skew(page, far[i]);
			double angle = 99, conf = 0;
			err_init(&err);
			CHECK(deskew_find(turned, 150, &angle, &conf, &err) == 0);
			if (fabs(angle - mod90[i]) > 0.15)
				fprintf(stderr, "far case %.1f: found %.3f (conf %.1f)\n", far[i], angle, conf);
			CHECK(fabs(angle - mod90[i]) <= 0.15);
			pixDestroy(&turned);
			pixDestroy(&page);
		}
	}

	/* typewritten pages (the typebars strike 2-3 px high or low): the old
	 * search took the columns at 90 degrees for lines and turned them
	 * sideways (86.1 found for -3.8) */
	{
		static const struct { int dpi, jitter; double skew; } tw[] = {
			{ 120, 2, -0.95 }, { 120, 2, 2.32 }, { 120, 2, -3.8 }, { 150, 3, -3.8 }, { 150, 3, -0.95 },
		};
		for (i = 0; i < sizeof tw / sizeof tw[0]; i++) {
			int dpi = tw[i].dpi;
			PIX *b, *g, *turned;
			double angle = 99, conf = 0;
			pagegen_seed = 12345;
			b = pagegen_typewriter(dpi * 827 / 100, dpi * 1169 / 100, dpi, 60, tw[i].jitter);
			g = pixConvert1To8(NULL, b, 240, 30);
			turned = pagegen_skew(g, tw[i].skew);
			err_init(&err);
			CHECK(deskew_find(turned, dpi, &angle, &conf, &err) == 0);
			if (fabs(angle - tw[i].skew) > 0.15)
				fprintf(stderr, "typewriter case %zu: skew %.2f found %.3f (conf %.1f)\n", i, tw[i].skew, angle, conf);
			CHECK(fabs(angle - tw[i].skew) <= 0.15);
			pixDestroy(&turned);
			pixDestroy(&g);
			pixDestroy(&b);
		}
	}

	/* a page photographed at an angle: its right edge 1.2 % of the width
	 * further away, so the lines converge towards the right; a flat page,
	 * turned or not, is not taken for one */
	{
		int w = 1240, h = 1754, dy = w * 12 / 1000;
		PIX *page = pagegen_text8(w, h, 150, 40, 30, 240), *turned = pagegen_skew(page, 1.6), *photo;
		PTA *from = ptaCreate(4), *to = ptaCreate(4);
		l_float32 *v = NULL;
		double t[3];
		ptaAddPt(from, 0, 0); ptaAddPt(from, (float)w, 0); ptaAddPt(from, (float)w, (float)h); ptaAddPt(from, 0, (float)h);
		ptaAddPt(to, 0, 0); ptaAddPt(to, (float)w, (float)dy); ptaAddPt(to, (float)w, (float)(h - dy)); ptaAddPt(to, 0, (float)h);
		CHECK(getProjectiveXformCoeffs(to, from, &v) == 0);
		photo = v ? pixProjectiveGray(page, v, 240) : NULL;
		CHECK(photo != NULL);
		err_init(&err);
		if (photo) {
			CHECK(deskew_thirds(photo, 150, 0, t, &err) == 3);
			if (!deskew_converge(t))
				fprintf(stderr, "photographed page: thirds %.2f %.2f %.2f\n", t[0], t[1], t[2]);
			CHECK(deskew_converge(t));
		}
		CHECK(deskew_thirds(page, 150, 0, t, &err) == 3);
		CHECK(!deskew_converge(t));
		CHECK(deskew_thirds(turned, 150, 1.6, t, &err) == 3);
		CHECK(!deskew_converge(t));
		LEPT_FREE(v);
		ptaDestroy(&from);
		ptaDestroy(&to);
		pixDestroy(&photo);
		pixDestroy(&turned);
		pixDestroy(&page);
	}

	/* a sheared page (lines level, the margins slanted 2 degrees) is
	 * measured as such; the flat page is not */
	{
		PIX *page = pagegen_text8(1240, 1754, 150, 40, 30, 240), *sheared = NULL;
		double slant = 0;
		int lines = 0;
		if (page)
			sheared = pixHShear(NULL, page, 1754 / 2, (l_float32)(2 * M_PI / 180), L_BRING_IN_WHITE);
		CHECK(sheared != NULL);
		err_init(&err);
		CHECK(deskew_margin_slant(page, 150, &slant, &lines, &err) == 0);
		CHECK(lines >= DESKEW_SLANT_LINES && fabs(slant) < 0.1);
		if (sheared) {
			CHECK(deskew_margin_slant(sheared, 150, &slant, &lines, &err) == 0);
			if (fabs(fabs(slant) - 2) > 0.2)
				fprintf(stderr, "sheared page: slant %.2f over %d lines\n", slant, lines);
			CHECK(fabs(fabs(slant) - 2) <= 0.2);
		}
		pixDestroy(&sheared);
		pixDestroy(&page);
	}

	/* a blank, noisy sheet: nothing to measure, no angle */
	{
		PIX *blank = pagegen_text8(1200, 1600, 200, 0, 30, 235);
		double angle = 99, conf = 99;

		pagegen_soil(blank, 12, 300);
		err_init(&err);
		CHECK(deskew_find(blank, 200, &angle, &conf, &err) == 0);
		CHECK(conf < 2.0 || angle == 0);
		pixDestroy(&blank);
	}
	if (argc > 1)
		CHECK(pagegen_samples(argv[1], check_sample, NULL) > 0);
	return unit_done("test_deskew");
}
