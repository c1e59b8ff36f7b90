/*
 * orient.c - the orient stage: find whether the page lies upright, upside
 * down or sideways and turn the access copy upright.
 *
 * Two detectors (orient.method): Leptonica counts ascenders and descenders
 * with hit-miss transforms on a binarized copy reduced to about 150 dpi
 * (fast: a few ms); Tesseract's OSD classifies connected components against
 * osd.traineddata (the model is loaded once per worker process in init()).
 * Measured with tests/tools/imgeval on the 40 dev pages (200-400 dpi,
 * skew to 4 degrees, 180 and 90 turns): Leptonica 40/40 right at about 40 ms
 * a page, OSD 40/40 at about 430 ms; so Leptonica is the default.
 *
 * Small text (x-height under PAGEORIENT_SMALL_TEXT px: 72-96 dpi scans, phone
 * photos) is enlarged before it is judged, and on a small page or small
 * text a turn is made only on strong evidence (orient.min_confidence_small):
 * a page the detector is unsure of is left as it lies, with an event that
 * says what was suspected.
 *
 * Invariants: the master scan is never touched; orient.pnm is written
 * (atomically) only when the page was turned; the recorded orient is the
 * counter-clockwise rotation the page lay at (0, 90, 180, 270).
 *
 * Error policy: an unreadable access copy is retried; a page without text to
 * judge is not an error: it passes unturned with orient 0 and confidence 0.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <tesseract/capi.h>

#include "engine/config.h"
#include "formats/image/pageimg.h"
#include "formats/image/pageorient.h"
#include "engine/stage.h"
#include "orient.h"

struct orient {
	enum orient_method method;
	TessBaseAPI *api;
	bool small;   /* the last page judged had small text or was small */
};

struct orient *orient_new(enum orient_method method, struct errbuf *err)
{
	struct orient *o = xcalloc(1, sizeof(*o));

	o->method = method;
	if (method != ORIENT_OSD)
		return o;
	/* One Tesseract thread per worker process: the workers are the parallelism. */
	setenv("OMP_THREAD_LIMIT", "1", 0);
	o->api = TessBaseAPICreate();
	if (TessBaseAPIInit3(o->api, NULL, "osd") != 0) {
		err_set(err, "cannot load the tesseract model 'osd': is tesseract-ocr-osd installed?");
		orient_free(o);
		return NULL;
	}
	TessBaseAPISetPageSegMode(o->api, PSM_OSD_ONLY);
	TessBaseAPISetVariable(o->api, "debug_file", "/dev/null");
	return o;
}

void orient_free(struct orient *o)
{
	if (!o)
		return;
	if (o->api) {
		TessBaseAPIEnd(o->api);
		TessBaseAPIDelete(o->api);
	}
	free(o);
}

static int orient_osd(struct orient *o, PIX *pix, int dpi, int *rotation, double *conf)
{
	int deg = 0;
	float oconf = 0, sconf = 0;
	const char *script = NULL;

	TessBaseAPISetImage2(o->api, pix);
	TessBaseAPISetSourceResolution(o->api, dpi);
	if (!TessBaseAPIDetectOrientationScript(o->api, &deg, &oconf, &script, &sconf)) {
		TessBaseAPIClear(o->api);
		return 0;
	}
	TessBaseAPIClear(o->api);
	/* OSD names the clockwise turn the page lies at; we record the
	 * counter-clockwise one */
	*rotation = ((360 - deg % 360) % 360 + 360) % 360;
	*conf = oconf;
	return 0;
}

int orient_detect(struct orient *o, PIX *pix, int dpi, int *rotation, double *conf, struct errbuf *err)
{
	PIX *b;
	int rc, xh = 0;

	*rotation = 0;
	*conf = 0;
	dpi = pageimg_dpi(pix, dpi);
	b = pageorient_ink(pix, dpi, &xh);
	o->small = pageorient_small(pix, xh);
	if (!b)
		return err_set(err, "cannot binarize a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
	if (o->method == ORIENT_OSD)
		rc = orient_osd(o, b, xh > 0 && xh < PAGEORIENT_SMALL_TEXT ? 150 : dpi >= 225 ? dpi / 2 : dpi, rotation, conf);
	else
		rc = pageorient_detect(b, rotation, conf);
	pixDestroy(&b);
	return rc;
}

bool orient_was_small(const struct orient *o)
{
	return o->small;
}

PIX *orient_upright(PIX *pix, int rotation)
{
	return pixRotateOrth(pix, ((rotation / 90) % 4 + 4) % 4);
}

static const struct conf_key orient_keys[] = {
	{ "orient.method", CONF_STR, "leptonica", 0, 0, "orientation detector: leptonica or osd (tesseract-ocr-osd)" },
	{ "orient.min_confidence", CONF_DOUBLE, "1.0", 0, 100, "below this confidence the page is left as it lies, and the event says so" },
	{ "orient.min_confidence_small", CONF_DOUBLE, "5.0", 0, 100, "the same for a small page (short side under 1000 px) or small text (x-height under 12 px), where ascender counts are weak evidence (a wrong 180 on a real blurred 96 dpi letter: 4.0; right turns on the dev pages: 9.4 and more)" },
	{ 0 }
};

static int orient_init(struct stage_ctx *ctx, struct errbuf *err)
{
	const char *m = stage_conf(ctx, "method");
	enum orient_method method = ORIENT_LEPTONICA;

	if (m && strcmp(m, "osd") == 0)
		method = ORIENT_OSD;
	else if (m && strcmp(m, "leptonica") != 0)
		return err_set(err, "orient.method: unknown detector '%s' (leptonica or osd)", m);
	ctx->priv = orient_new(method, err);
	return ctx->priv ? 0 : -1;
}

static void orient_fini(struct stage_ctx *ctx)
{
	orient_free(ctx->priv);
	ctx->priv = NULL;
}

static enum stage_rc orient_run(struct stage_ctx *ctx, struct errbuf *err)
{
	double min_conf;
	enum stage_rc rc = STAGE_RETRY;
	int rotation;
	double conf;
	PIX *pix, *out;
	char detail[160];

	pix = pageimg_read(ctx, &rc, err);
	if (!pix)
		return rc;
	if (orient_detect(ctx->priv, pix, ctx->page->dpi, &rotation, &conf, err) < 0)
		goto out_pix;
	min_conf = stage_conf_double(ctx, orient_was_small(ctx->priv) ? "min_confidence_small" : "min_confidence");
	if (rotation != 0 && conf < min_conf) {
		/* Weak evidence: a wrong turn costs the whole page's text, no
		 * turn costs nothing on an upright page; the ocr stage reads a
		 * page that reads poorly turned round as well. */
		snprintf(detail, sizeof(detail), "page left as it lies: it may lie at %d degrees, but the confidence %.1f is under orient.%s %.1f", rotation, conf,
		         orient_was_small(ctx->priv) ? "min_confidence_small" : "min_confidence", min_conf);
		stage_set_int(ctx, "orient", 0);
		stage_set_double(ctx, "orient_conf", conf);
		stage_event(ctx, "validation", "success", detail);
		rc = STAGE_OK;
		goto out_pix;
	}
	stage_set_int(ctx, "orient", rotation);
	stage_set_double(ctx, "orient_conf", conf);
	if (rotation == 0) {
		snprintf(detail, sizeof(detail), "page upright (confidence %.1f)", conf);
		stage_event(ctx, "validation", "success", detail);
		rc = STAGE_OK;
		goto out_pix;
	}
	out = orient_upright(pix, rotation);
	if (!out) {
		err_set(err, "cannot turn '%s' by %d degrees", ctx->page->access_path, rotation);
		goto out_pix;
	}
	snprintf(detail, sizeof(detail), "page lay at %d degrees (confidence %.1f): access copy turned upright", rotation, conf);
	if (pageimg_replace(ctx, out, "orient.pnm", detail, err) == 0)
		rc = STAGE_OK;
	pixDestroy(&out);
out_pix:
	pixDestroy(&pix);
	return rc;
}

const struct stage stage_orient = {
	.name = "orient",
	.unit = STAGE_PAGE,
	.summary = "detect the page's orientation and turn the access copy upright",
	.keys = orient_keys,
	.init = orient_init,
	.run = orient_run,
	.fini = orient_fini,
};
