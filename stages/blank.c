/*
 * blank.c - the blank stage: recognise blank pages (the back sides of
 * sheets) so that OCR skips them and the operator is told.
 *
 * A page is binarized with a threshold relative to its paper (ink must be
 * darker than 0.65 of the paper's brightness, so paper texture, noise and
 * faint bleed-through stay white), reduced to about 150 dpi keeping every
 * ink pixel, and stripped of what touches the image border (scan margins).
 * What remains is sorted into connected components: specks (under 0.7 mm),
 * punch holes (round, filled, 4-10 mm, near an edge), character-sized marks
 * and larger marks.  The page is blank when it has fewer than
 * blank.min_marks character-sized marks and no larger mark.  The rule errs
 * towards "not blank": a blank page kept for OCR costs seconds, a page of
 * text skipped loses the text.
 *
 * Invariants: the stage never changes an image; it records blank (and, per
 * the profile's flag_blank, review and note).  Harmless to repeat.
 *
 * Error policy: an unreadable access copy is retried.
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/config.h"
#include "formats/image/pageimg.h"
#include "engine/stage.h"
#include "blank.h"

/* Ink pixels (1) of pix at about 150 dpi; *dpi becomes that resolution.
 * The threshold is relative to the paper (see the top of this file). */
static PIX *blank_binarize(PIX *pix, int *dpi)
{
	PIX *b;

	if (pixGetDepth(pix) == 1) {
		b = pixClone(pix);
	} else {
		PIX *g = pageimg_grey(pix);
		l_uint32 paper = 255;

		if (!g)
			return NULL;
		pixGetRankValue(g, 4, 0.9f, &paper);
		b = pixThresholdToBinary(g, (l_int32)(0.65 * paper));
		pixDestroy(&g);
	}
	return pageimg_reduce(b, dpi, 225);
}

/* A round filled blob of 4-10 mm within 30 mm of an edge: a punch hole
 * (or its shadow) rather than writing. */
static bool blank_is_hole(PIX *comp, int x, int y, int w, int h, int pw, int ph, double mm)
{
	l_int32 n = 0;
	int edge = (int)(30 * mm);

	if (w < 4 * mm || h < 4 * mm || w > 10 * mm || h > 10 * mm)
		return false;
	if (w > 1.3 * h || h > 1.3 * w)
		return false;
	if (x > edge && y > edge && x + w < pw - edge && y + h < ph - edge)
		return false;
	pixCountPixels(comp, &n, NULL);
	return n > 0.6 * w * h;
}

int blank_detect(PIX *pix, int dpi, int min_marks, struct blank_info *bi, struct errbuf *err)
{
	struct blank_info info = { 0 };
	PIX *b, *nb;
	PIXA *pixa = NULL;
	BOXA *boxa;
	int rdpi = pageimg_dpi(pix, dpi), i, n, pw, ph;
	double mm;

	b = blank_binarize(pix, &rdpi);
	if (!b)
		return err_set(err, "cannot binarize a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
	nb = pixRemoveBorderConnComps(b, 8);
	pixDestroy(&b);
	if (!nb)
		return err_set(err, "cannot remove the border components of a %dx%d image", pixGetWidth(pix), pixGetHeight(pix));
	mm = rdpi / 25.4;
	pw = pixGetWidth(nb);
	ph = pixGetHeight(nb);
	boxa = pixConnComp(nb, &pixa, 8);
	n = boxa ? boxaGetCount(boxa) : 0;
	for (i = 0; i < n; i++) {
		l_int32 x, y, w, h;
		PIX *comp;

		boxaGetBoxGeometry(boxa, i, &x, &y, &w, &h);
		if (w < 0.7 * mm && h < 0.7 * mm) {
			info.speckles++;
			continue;
		}
		comp = pixaGetPix(pixa, i, L_CLONE);
		if (blank_is_hole(comp, x, y, w, h, pw, ph, mm))
			info.holes++;
		else if (w > 15 * mm || h > 15 * mm)
			info.large++;
		else if (h >= 1.0 * mm)
			info.marks++;
		else
			info.speckles++; /* a dash or a dot alone says little */
		pixDestroy(&comp);
	}
	boxaDestroy(&boxa);
	pixaDestroy(&pixa);
	pixDestroy(&nb);
	if (bi)
		*bi = info;
	return info.marks < min_marks && info.large == 0;
}

static const struct conf_key blank_keys[] = {
	{ "blank.min_marks", CONF_INT, "10", 1, 100000, "a page with fewer character-sized marks of ink (and nothing larger) is blank" },
	{ 0 }
};

static enum stage_rc blank_run(struct stage_ctx *ctx, struct errbuf *err)
{
	long min_marks = stage_conf_long(ctx, "min_marks");
	enum stage_rc rc = STAGE_RETRY;
	struct blank_info bi;
	char detail[200];
	PIX *pix;
	int blank;

	pix = pageimg_read(ctx, &rc, err);
	if (!pix)
		return rc;
	blank = blank_detect(pix, ctx->page->dpi, (int)(min_marks > 0 ? min_marks : 10), &bi, err);
	pixDestroy(&pix);
	if (blank < 0)
		return STAGE_RETRY;
	stage_set_int(ctx, "blank", blank);
	snprintf(detail, sizeof(detail), "%s: %d character-sized marks, %d larger, %d punch holes, %d specks", blank ? "blank page" : "page has writing", bi.marks, bi.large, bi.holes, bi.speckles);
	if (blank && stage_profile_bool(ctx, "flag_blank", true)) {
		stage_set_int(ctx, "review", 1);
		stage_set_text(ctx, "note", "blank page: check that no writing was missed");
	}
	stage_event(ctx, "validation", "success", detail);
	return STAGE_OK;
}

const struct stage stage_blank = {
	.name = "blank",
	.unit = STAGE_PAGE,
	.summary = "detect blank pages (back sides of sheets) and flag them for review",
	.keys = blank_keys,
	.run = blank_run,
};
