/*
 * deskew.c - the deskew stage: measure how far the scanner turned the page
 * and turn the access copy back.
 *
 * The angle is found with Leptonica's sweep-and-binary-search over the
 * differential square sum of row projections (sweep at half, search at
 * full resolution of a binarized copy reduced to 225 dpi or below, keeping
 * thin strokes), from which the components touching the image border
 * (dark scan margins, the edge of the paper) are removed, because their
 * straight edges follow the scanner, not the text.  The straightened image is
 * interpolated by area mapping on grey and colour, with white brought in.
 *
 * Invariants: the master scan is never touched; the output deskew.pnm is
 * written (atomically) only when the page was turned, and the access_path
 * column then names it.  The stage is harmless to repeat.
 *
 * Error policy: an unreadable access copy is retried (it was written by
 * capture, so the cause is the file system); a page with no lines to measure
 * (blank, a photograph) is not an error: it passes unturned with skew 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/config.h"
#include "formats/image/pageimg.h"
#include "engine/stage.h"
#include "deskew.h"

/* Below this angle (degrees) turning the page changes nothing visible. */
#define DESKEW_MIN_TURN 0.02

int deskew_find(PIX *pix, int dpi, double *angle, double *conf, struct errbuf *err)
{
	PIX *b, *nb;
	l_float32 a = 0, c = 0, end = 0;
	l_int32 ink = 0;

	*angle = 0;
	*conf = 0;
	dpi = pageimg_dpi(pix, dpi);
	/* 225 dpi or below: measured at 150 dpi a 300 dpi page costs a third
	 * of the full resolution's time, with residuals on the dev pages of
	 * mean 0.007 and max 0.067 degrees (full resolution: 0.005, 0.036) */
	b = pageimg_reduce(pageimg_ink(pix, NULL), &dpi, 226);
	if (!b)
		return err_set(err, "cannot binarize a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
	nb = pixRemoveBorderConnComps(b, 8);
	pixDestroy(&b);
	if (!nb)
		return err_set(err, "cannot remove the border components of a %dx%d image", pixGetWidth(pix), pixGetHeight(pix));
	pixCountPixels(nb, &ink, NULL);
	if (ink < 200) /* nothing to measure */
		goto done;
	if (pixFindSkewSweepAndSearchScorePivot(nb, &a, &c, &end, 2, 1, 0.0f, (l_float32)DESKEW_MAX_ANGLE, 0.5f, 0.01f, L_SHEAR_ABOUT_CENTER) != 0)
		goto done; /* Leptonica refuses pages without enough lines */
	if (c <= 0)
		goto done; /* Leptonica's angle means nothing then */
	*angle = a;
	*conf = c;
done:
	pixDestroy(&nb);
	return 0;
}

PIX *deskew_rotate(PIX *pix, double angle, struct errbuf *err)
{
	int type = pixGetDepth(pix) == 1 ? L_ROTATE_SHEAR : L_ROTATE_AREA_MAP;
	PIX *out;

	if (pixGetColormap(pix)) {
		PIX *full = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
		if (!full) {
			err_set(err, "cannot expand the palette of a %dx%d image", pixGetWidth(pix), pixGetHeight(pix));
			return NULL;
		}
		out = deskew_rotate(full, angle, err);
		pixDestroy(&full);
		return out;
	}
	out = pixRotate(pix, (l_float32)(angle * M_PI / 180.0), type, L_BRING_IN_WHITE, 0, 0);
	if (!out)
		err_set(err, "cannot rotate a %dx%d image of depth %d by %.2f degrees", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix), angle);
	return out;
}

static const struct conf_key deskew_keys[] = {
	{ "deskew.min_confidence", CONF_DOUBLE, "2.0", 0, 100, "below this Leptonica confidence the page is left as it is (no lines to measure)" },
	{ 0 }
};

static enum stage_rc deskew_run(struct stage_ctx *ctx, struct errbuf *err)
{
	double min_conf = stage_conf_double(ctx, "min_confidence");
	double angle, conf;
	enum stage_rc rc = STAGE_RETRY;
	PIX *pix, *out;
	char detail[160];

	pix = pageimg_read(ctx, &rc, err);
	if (!pix)
		return rc;
	if (deskew_find(pix, ctx->page->dpi, &angle, &conf, err) < 0)
		goto out_pix;
	if (conf < min_conf)
		angle = 0;
	stage_set_double(ctx, "skew", angle);
	if (fabs(angle) < DESKEW_MIN_TURN) {
		snprintf(detail, sizeof(detail), "skew %.2f degrees (confidence %.1f): left as it is", angle, conf);
		stage_event(ctx, "validation", "success", detail);
		rc = STAGE_OK;
		goto out_pix;
	}
	out = deskew_rotate(pix, angle, err);
	if (!out)
		goto out_pix;
	snprintf(detail, sizeof(detail), "access copy turned clockwise by %.2f degrees (confidence %.1f)", angle, conf);
	if (pageimg_replace(ctx, out, "deskew.pnm", detail, err) == 0)
		rc = STAGE_OK;
	pixDestroy(&out);
out_pix:
	pixDestroy(&pix);
	return rc;
}

const struct stage stage_deskew = {
	.name = "deskew",
	.unit = STAGE_PAGE,
	.summary = "measure the skew of the page and straighten the access copy",
	.keys = deskew_keys,
	.run = deskew_run,
};
