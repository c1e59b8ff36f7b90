/*
 * clean.h - the pure functions of the clean stage, exposed for its unit test
 * and for tests/tools/imgeval.c.  Only those include this header.
 */
#ifndef SOHOA_CLEAN_H
#define SOHOA_CLEAN_H

#include <stdbool.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

/* What clean_page() changed. */
struct clean_info {
	long border_px;  /* pixels of dark scan margin painted as paper */
	int speckles;    /* isolated specks removed */
};

/*
 * Clean a page image of any depth scanned at `dpi` (under 50 means
 * unknown, and the short side is then taken for A4's 8.27 inches): dark
 * scan margins (large dark regions touching the image border) and isolated
 * specks (under about 0.25 mm, at least 1 mm from any writing) are painted
 * with the paper's colour.  Diacritic dots are kept: they lie next to their
 * letter.  Returns a new image of the same size and depth (a copy even when
 * nothing changed; see *ci), or NULL with err set.
 */
PIX *clean_page(PIX *pix, int dpi, struct clean_info *ci, struct errbuf *err);

/*
 * Find the gutter of a scan of two facing pages: true when pix is
 * landscape, has writing on both halves and an empty (or uniformly dark)
 * band of columns in its middle third; *x is then the column to cut at.
 */
bool clean_find_gutter(PIX *pix, int dpi, int *x);

#endif
