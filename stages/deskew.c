/*
 * deskew.c - the deskew stage: measure how far the scanner turned the page
 * and turn the access copy back.
 *
 * The angle is found with Leptonica's sweep-and-binary-search over the
 * differential square sum of row projections, on a binarized copy at no more
 * than about 300 dpi from which the components touching the image border
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

#include "config.h"
#include "fsio.h"
#include "stage.h"
#include "deskew.h"

/* Below this angle (degrees) turning the page changes nothing visible. */
#define DESKEW_MIN_TURN 0.02

/*
 * A binarized copy of pix (1 = ink) at 300 dpi or below.  The threshold is
 * Otsu's, kept below 3/4 of the paper's brightness so that paper texture and
 * noise on a page without ink do not turn black.
 */
static PIX *deskew_binarize(PIX *pix, int dpi)
{
	PIX *b;

	if (pixGetDepth(pix) == 1) {
		b = pixClone(pix);
	} else {
		PIX *g = pixConvertTo8(pix, 0);
		l_int32 t = 128;
		l_uint32 paper = 255;

		if (!g)
			return NULL;
		pixSplitDistributionFgBg(g, 0.1f, 4, &t, NULL, NULL, NULL);
		pixGetRankValue(g, 4, 0.9f, &paper);
		if (t > (l_int32)(0.75 * paper))
			t = (l_int32)(0.75 * paper);
		b = pixThresholdToBinary(g, t);
		pixDestroy(&g);
	}
	while (b && dpi > 450) {
		PIX *r = pixReduceRankBinary2(b, 1, NULL);
		pixDestroy(&b);
		b = r;
		dpi /= 2;
	}
	return b;
}

int deskew_find(PIX *pix, int dpi, double *angle, double *conf, struct errbuf *err)
{
	PIX *b, *nb;
	l_float32 a = 0, c = 0, end = 0;
	l_int32 ink = 0;

	*angle = 0;
	*conf = 0;
	if (dpi < 50) /* unknown: assume the short side is A4's 8.27 inches */
		dpi = (pixGetWidth(pix) < pixGetHeight(pix) ? pixGetWidth(pix) : pixGetHeight(pix)) * 100 / 827;
	b = deskew_binarize(pix, dpi);
	if (!b)
		return err_set(err, "cannot binarize a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
	nb = pixRemoveBorderConnComps(b, 8);
	pixDestroy(&b);
	if (!nb)
		return err_set(err, "cannot remove the border components of a %dx%d image", pixGetWidth(pix), pixGetHeight(pix));
	pixCountPixels(nb, &ink, NULL);
	if (ink < 200) /* nothing to measure */
		goto done;
	if (pixFindSkewSweepAndSearchScorePivot(nb, &a, &c, &end, 4, 1, 0.0f, (l_float32)DESKEW_MAX_ANGLE, 0.5f, 0.01f, L_SHEAR_ABOUT_CENTER) != 0)
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

static int deskew_write(struct stage_ctx *ctx, PIX *pix, char **path, struct errbuf *err)
{
	l_uint8 *data = NULL;
	size_t len = 0;
	int rc;

	*path = stage_page_path(ctx, "deskew.pnm");
	if (pixWriteMem(&data, &len, pix, IFF_PNM) != 0) {
		free(data);
		return err_set(err, "cannot encode '%s'", *path);
	}
	rc = fsio_write_atomic(*path, data, len, err);
	free(data);
	return rc;
}

static enum stage_rc deskew_run(struct stage_ctx *ctx, struct errbuf *err)
{
	const char *src = ctx->page->access_path;
	double min_conf = stage_conf_double(ctx, "min_confidence");
	double angle, conf;
	enum stage_rc rc = STAGE_RETRY;
	PIX *pix, *out = NULL;
	char *path = NULL;
	char detail[160];

	if (!src) {
		err_set(err, "page %lld has no access copy", (long long)ctx->page->id);
		return STAGE_BAD;
	}
	pix = pixRead(src);
	if (!pix) {
		err_set(err, "cannot read '%s'", src);
		return STAGE_RETRY;
	}
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
	if (deskew_write(ctx, out, &path, err) < 0)
		goto out_path;
	stage_set_text(ctx, "access_path", path);
	snprintf(detail, sizeof(detail), "access copy turned clockwise by %.2f degrees (confidence %.1f)", angle, conf);
	stage_event(ctx, "migration", "success", detail);
	rc = STAGE_OK;
out_path:
	free(path);
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
