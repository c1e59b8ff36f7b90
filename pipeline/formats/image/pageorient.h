/*
 * pageorient.h - which way up the text of a page image lies (0, 90, 180,
 * 270): the one judgement of the quarter turn.  The orient stage makes it
 * on the page as scanned; the deskew stage makes it again, with the same
 * function, on a page it straightened from far (over 12 degrees), where
 * the first judgement was made on crooked text.  The skew search itself
 * never decides a quarter turn (issue 10: on typewriter pages the columns
 * of a fixed-pitch face read as lines when the page is turned 90 degrees).
 */
#ifndef SOHOA_PAGEORIENT_H
#define SOHOA_PAGEORIENT_H

#include <stdbool.h>

#include <leptonica/allheaders.h>

/* Text under this x-height (px) is enlarged before it is judged. */
#define PAGEORIENT_SMALL_TEXT 12
/* A page whose short side is under this (px) is small: A4 under 120 dpi. */
#define PAGEORIENT_SMALL_PAGE 1000

/*
 * A binarized copy of pix (any depth, at `dpi`, already resolved by
 * pageimg_dpi()): 1 = ink, at about 150 dpi, or enlarged when its text is
 * small, with the components that touch the border (dark scan margins)
 * removed; *xh gets the size of the writing measured on pix whichever way
 * it lies (0 when there is too little to say).  NULL on failure.
 */
PIX *pageorient_ink(PIX *pix, int dpi, int *xh);

/*
 * Judge the binary b (from pageorient_ink()) by the ascenders and
 * descenders of its text (Leptonica's hit-miss counts): *rotation is the
 * counter-clockwise turn the page lies at (0, 90, 180, 270), *conf the
 * strength of the evidence (0 with nothing to judge).  Returns 0.
 */
int pageorient_detect(PIX *b, int *rotation, double *conf);

/* true when the page pix, whose writing measured xh px, is small or its text
 * small, so that its confidence is weaker evidence. */
bool pageorient_small(PIX *pix, int xh);

#endif
