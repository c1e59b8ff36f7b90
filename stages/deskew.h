/*
 * deskew.h - the pure functions of the deskew stage, exposed for its unit
 * test and for tests/tools/imgeval.c.  Only those include this header; the
 * engine reaches the stage through stage_deskew.
 */
#ifndef SOHOA_DESKEW_H
#define SOHOA_DESKEW_H

#include <stdbool.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

/* The widest skew Leptonica searches at once, in degrees either way
 * (deskew_find() turns the page to search wider). */
#define DESKEW_MAX_ANGLE 12.0

/*
 * Find the skew of an upright page image of any depth scanned at `dpi`
 * (under 50 means unknown, and the short side is then taken for A4's 8.27
 * inches).  On success *angle (-45, 45] is the counter-clockwise
 * rotation in degrees, modulo a quarter turn, that the scanner applied to
 * the page (so the page is
 * straightened by turning it clockwise by *angle; which way up it then lies
 * is pageorient_detect()'s to judge), and *conf is Leptonica's
 * confidence: about 0 when the page holds no lines of text to measure, above
 * 3 for a page of text.  When there is nothing to measure, *angle is 0.
 * Returns 0, or -1 with err set.
 */
int deskew_find(PIX *pix, int dpi, double *angle, double *conf, struct errbuf *err);

/*
 * The skew of the top, middle and bottom thirds of the page pix, each
 * searched near its skew `angle` (from deskew_find()), into thirds[]
 * (`angle` for a third without lines to measure).  Returns how many thirds
 * were measured, or -1 with err set.
 */
int deskew_thirds(PIX *pix, int dpi, double angle, double thirds[3], struct errbuf *err);

/* A page is sheared when its left margin, the leftmost start of the text
 * lines in each of DESKEW_SLANT_BANDS bands of its height (all but one on
 * one straight line; at least DESKEW_SLANT_LINES lines), slants by
 * DESKEW_SLANT_DEG degrees or more from the vertical. */
#define DESKEW_SLANT_DEG 0.5
#define DESKEW_SLANT_LINES 10
#define DESKEW_SLANT_BANDS 6

/*
 * How far the left ends of the text lines of the straightened page pix
 * slant from the vertical, into *slant (degrees; positive: the margin runs
 * right going down): a sheared page, its lines level.  0 when there are
 * fewer than DESKEW_SLANT_LINES lines or no margin most of them share.
 * *nlines gets the lines measured.  Returns 0, or -1 with err set.
 */
int deskew_margin_slant(PIX *pix, int dpi, double *slant, int *nlines, struct errbuf *err);

/* true when the angles of the thirds (all three measured) change the same
 * way from top to middle to bottom: the lines converge, as on a page
 * photographed at an angle, not laid flat on a scanner. */
bool deskew_converge(const double thirds[3]);

/*
 * Return a new image of the same size and depth as pix, straightened by
 * turning it clockwise by `angle` degrees (the value deskew_find() gives),
 * interpolated on grey and colour, with white brought in at the corners.
 * Returns NULL with err set on failure.
 */
PIX *deskew_rotate(PIX *pix, double angle, struct errbuf *err);

#endif
