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

static void check_samples(struct orient *o, const char *dir)
{
	char *man = xasprintf("%s/manifest.tsv", dir), line[512];
	FILE *f = fopen(man, "r");

	CHECK(f != NULL);
	if (!f) {
		free(man);
		return;
	}
	if (!fgets(line, sizeof(line), f))
		line[0] = 0;
	while (fgets(line, sizeof(line), f)) {
		char name[64], file[64];
		int index, dpi, rot, blank, facing, found = -1;
		double skew, conf = 0;
		struct errbuf err;
		PIX *pix;
		char *path;

		if (sscanf(line, "%63s %63s %d %d %lf %d %d %d", name, file, &index, &dpi, &skew, &rot, &blank, &facing) != 8 || blank)
			continue;
		path = xasprintf("%s/%s", dir, file);
		pix = index ? pixReadTiff(path, index) : pixRead(path);
		free(path);
		CHECK(pix != NULL);
		if (!pix)
			continue;
		err_init(&err);
		CHECK(orient_detect(o, pix, dpi, &found, &conf, &err) == 0);
		if (found != rot)
			fprintf(stderr, "%s: lies at %d, found %d (confidence %.1f)\n", name, rot, found, conf);
		CHECK(found == rot);
		pixDestroy(&pix);
	}
	fclose(f);
	free(man);
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
		PIX *pix = cases[i].depth == 1 ? pixThresholdToBinary(lying, 128) : cases[i].depth == 32 ? pixConvert8To32(lying) : pixClone(lying);
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
		check_samples(o, argv[1]);
	orient_free(o);
	return unit_done("test_orient");
}
