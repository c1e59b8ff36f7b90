/*
 * pageorient.c - which way up the text of a page image lies: the quarter
 * turn judged from the ascenders and descenders of the text (see
 * pageorient.h).  Measured on the 40 dev pages (200-400 dpi, skew to 4
 * degrees, 180 and 90 turns): 40/40 right at about 40 ms a page.
 */
#include <math.h>

#include "formats/image/pageimg.h"
#include "formats/image/pageorient.h"

/* Small text is enlarged to about this x-height (px) before its ascenders
 * and descenders are counted: on small or blurred text the counts are
 * noise (issue 10: a 96 dpi blurred letter was turned 180 degrees;
 * enlarged, the real pages' upright verdicts went from confidence 3-11 to
 * 12-22). */
#define PAGEORIENT_XHEIGHT_TARGET 20.0

/* The most frequent value of hist[3..128], smoothed over its neighbours. */
static int pageorient_mode(const int *hist)
{
	int i, best = 0;
	for (i = 3; i <= 128; i++)
		if (hist[i - 1] + 2 * hist[i] + hist[i + 1] > hist[best ? best - 1 : 0] + 2 * hist[best] + hist[best + 1])
			best = i;
	return best;
}

/* The size (px) of the writing in the binary b, whichever way it lies:
 * the largest of the most frequent height of letter-like components and
 * the most frequent height and width of near-square ones (on a page lying
 * sideways the heights measured are letters' widths, or pieces of
 * letters); 0 when there are too few to say.  (pageimg_xheight() measures
 * the x-height of upright pages.) */
static int pageorient_xheight(PIX *b)
{
	BOXA *boxa = pixConnCompBB(b, 8);
	int n, i, hh[130] = { 0 }, sh[130] = { 0 }, sw[130] = { 0 }, th = 0, ts = 0, xh;
	if (!boxa)
		return 0;
	n = boxaGetCount(boxa);
	for (i = 0; i < n; i++) {
		int bx, by, bw, bh;
		boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
		if (bh < 3 || bh > 128 || bw < 2)
			continue;
		if (bw <= 2 * bh) {
			hh[bh]++;
			th++;
		}
		if (bw >= 3 && bw <= 128 && bh <= 2 * bw && bw <= 2 * bh) {
			sh[bh]++;
			sw[bw]++;
			ts++;
		}
	}
	boxaDestroy(&boxa);
	if (th < 50)
		return 0;
	xh = pageorient_mode(hh);
	if (ts >= 50 && pageorient_mode(sh) > xh)
		xh = pageorient_mode(sh);
	if (ts >= 50 && pageorient_mode(sw) > xh)
		xh = pageorient_mode(sw);
	return xh;
}

PIX *pageorient_ink(PIX *pix, int dpi, int *xh)
{
	PIX *b = pageimg_ink(pix, NULL), *nb;

	*xh = b ? pageorient_xheight(b) : 0;
	if (b && *xh > 0 && *xh < PAGEORIENT_SMALL_TEXT) {
		double f = PAGEORIENT_XHEIGHT_TARGET / *xh;
		PIX *g = pageimg_grey(pix), *big = g ? pixScale(g, (float)(f > 4 ? 4 : f), (float)(f > 4 ? 4 : f)) : NULL;
		pixDestroy(&g);
		if (big) {
			pixDestroy(&b);
			b = pageimg_ink(big, NULL);
			pixDestroy(&big);
		}
	} else {
		b = pageimg_reduce(b, &dpi, 225);
	}
	if (!b)
		return NULL;
	nb = pixRemoveBorderConnComps(b, 8);
	pixDestroy(&b);
	return nb;
}

int pageorient_detect(PIX *b, int *rotation, double *conf)
{
	l_float32 up = 0, left = 0;

	*rotation = 0;
	*conf = 0;
	if (pixOrientDetect(b, &up, &left, 0, 0) != 0)
		return 0;
	if (fabsf(up) >= fabsf(left)) {
		*rotation = up >= 0 ? 0 : 180;
		*conf = fabsf(up);
	} else {
		*rotation = left >= 0 ? 90 : 270;
		*conf = fabsf(left);
	}
	return 0;
}

bool pageorient_small(PIX *pix, int xh)
{
	return (xh > 0 && xh < PAGEORIENT_SMALL_TEXT) || pixGetWidth(pix) < PAGEORIENT_SMALL_PAGE || pixGetHeight(pix) < PAGEORIENT_SMALL_PAGE;
}
