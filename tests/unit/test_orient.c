/*
 * test_orient.c - orient_detect() on generated pages lying at 0, 90, 180
 * and 270 degrees in grey, bitonal and colour, slightly skewed too;
 * orient_upright() undoes what it found; a blank page is 0 with no
 * confidence.
 * usage: test_orient [SAMPLES-DIR]  (a folder made by tests/mksamples.sh)
 */
#include <stdio.h>
#include <stdlib.h>

#include "unit.h"
#include "pagegen.h"
#include "../../stages/orient.h"

static const struct {
	int rotation;
	int depth;
	double skew;
} cases[] = {
	{ 0, 8, 0 }, { 90, 8, 0 }, { 180, 8, 0 }, { 270, 8, 0 },
	{ 180, 1, 1.5 }, { 90, 32, -2.0 }, { 270, 1, 3.0 }, { 0, 32, -3.5 },
};

static void check_sample(PIX *pix, const struct pagegen_sample *s, void *arg)
{
	int found = -1;
	double conf = 0;
	struct errbuf err;

	CHECK(pix != NULL);
	if (!pix || s->blank)
		return;
	err_init(&err);
	CHECK(orient_detect(arg, pix, s->dpi, &found, &conf, &err) == 0);
	if (found != s->rotation)
		fprintf(stderr, "%s: lies at %d, found %d (confidence %.1f)\n", s->name, s->rotation, found, conf);
	CHECK(found == s->rotation);
}

int main(int argc, char **argv)
{
	struct errbuf err;
	struct orient *o;
	size_t i;

	setMsgSeverity(L_SEVERITY_NONE);
	err_init(&err);
	o = orient_new(ORIENT_LEPTONICA, &err);
	CHECK(o != NULL);
	if (!o)
		return unit_done("test_orient");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		PIX *page = pagegen_text8(1654, 2338, 200, 30, 25, 240);
		PIX *skewed = cases[i].skew != 0 ? pagegen_skew(page, cases[i].skew) : pixClone(page);
		/* pixRotateOrth turns clockwise: 4 - q quarter turns clockwise are q counter-clockwise */
		PIX *lying = pixRotateOrth(skewed, (4 - cases[i].rotation / 90) % 4);
		PIX *pix = pagegen_depth(lying, cases[i].depth);
		PIX *up;
		int rot = -1;
		double conf = 0;

		CHECK(orient_detect(o, pix, 200, &rot, &conf, &err) == 0);
		if (rot != cases[i].rotation)
			fprintf(stderr, "case %zu: lies at %d, found %d (confidence %.1f)\n", i, cases[i].rotation, rot, conf);
		CHECK(rot == cases[i].rotation);
		CHECK(conf >= 1.0);
		up = orient_upright(pix, rot);
		CHECK(up && pixGetWidth(up) == pixGetWidth(skewed) && pixGetHeight(up) == pixGetHeight(skewed));
		if (up) {
			rot = -1;
			CHECK(orient_detect(o, up, 200, &rot, &conf, &err) == 0);
			CHECK(rot == 0);
		}
		pixDestroy(&up);
		pixDestroy(&pix);
		pixDestroy(&lying);
		pixDestroy(&skewed);
		pixDestroy(&page);
	}
	{
		PIX *blank = pagegen_text8(1200, 1600, 200, 0, 30, 235);
		int rot = -1;
		double conf = 99;

		pagegen_soil(blank, 10, 200);
		CHECK(orient_detect(o, blank, 200, &rot, &conf, &err) == 0);
		CHECK(conf < 1.0);
		pixDestroy(&blank);
	}
	if (argc > 1)
		CHECK(pagegen_samples(argv[1], check_sample, o) > 0);
	orient_free(o);
	return unit_done("test_orient");
}
