/*
 * blank.h - the pure functions of the blank stage, exposed for its unit test
 * and for tests/tools/imgeval.c.  Only those include this header.
 */
#ifndef SOHOA_BLANK_H
#define SOHOA_BLANK_H

#include <stdbool.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

/* What blank_detect() saw on the page. */
struct blank_info {
	int marks;   /* ink components the size of a character */
	int large;   /* larger ink components: stamps, signatures, drawings */
	int holes;   /* punch holes, ignored */
	int speckles;/* components too small to be writing, ignored */
};

/*
 * Decide whether the page in pix (any depth, scanned at `dpi`; under 50
 * means unknown, and the short side is then taken for A4's 8.27 inches) is
 * blank: it may show paper texture, noise, specks, faint bleed-through from
 * the other side, dark scan margins and punch holes, but fewer than
 * `min_marks` character-sized marks of ink and no larger mark.
 * Fills *bi when not NULL.  Returns 1 for blank, 0 for not blank, -1 with err
 * set on failure.
 */
int blank_detect(PIX *pix, int dpi, int min_marks, struct blank_info *bi, struct errbuf *err);

#endif
