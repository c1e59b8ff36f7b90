/*
 * clean.c - the clean stage: paint dark scan margins and isolated specks
 * with the paper's colour, and split a scan of two facing pages (book
 * profile, split_facing) at the gutter.
 *
 * Detection works on binary copies: dark margins on a 1/4 reduction (large
 * components touching the image border: a third of a side long, or solid
 * and 8 mm or more), of which only the ink that is solid over 3 mm and over
 * the x-height (no stroke of writing is) is painted, so that text, seals and
 * signatures near the edge stay,
 * specks at full resolution (tiny components with no writing within 1 mm, so
 * the dots of Vietnamese diacritics such as dấu nặng stay; none at all on a
 * page of small text, x-height under CLEAN_SMALL_TEXT px (about 200 dpi),
 * where a tone mark is as small as a speck), the gutter on the
 * column profile of the 1/4 reduction.  The image keeps its size: a margin is
 * painted, not cropped, so that page geometry stays that of the scan.
 *
 * Invariants: the master scan is never touched; clean.pnm (and for a split,
 * clean-right.pnm) is written atomically only when something changed, and
 * access_path then names it.  Harmless to repeat.
 *
 * Error policy: an unreadable access copy is retried; failures of Leptonica
 * on a readable image are reported as errors of this page (retried).
 */
#include <stdio.h>
#include <stdlib.h>

#include "engine/config.h"
#include "formats/image/pageimg.h"
#include "engine/stage.h"
#include "clean.h"

/* Ink (1) of pix at full resolution (see pageimg_ink()).  *paper gets the
 * paper colour in pix's depth. */
static PIX *clean_binarize(PIX *pix, l_uint32 *paper)
{
	l_uint32 pg = 255;
	PIX *b = pageimg_ink(pix, &pg);

	if (pixGetDepth(pix) == 1) {
		*paper = 0;
	} else if (pixGetDepth(pix) == 32) {
		/* Per channel, clamped: on white paper Leptonica's rank value of
		 * the top histogram bin comes out as 256, and 256 in a packed RGB
		 * value is near black (issue 10: a margin painted black). */
		static const int chan[3] = { COLOR_RED, COLOR_GREEN, COLOR_BLUE };
		l_int32 v[3] = { 255, 255, 255 };
		for (int i = 0; i < 3; i++) {
			PIX *c = pixGetRGBComponent(pix, chan[i]);
			l_uint32 r = 255;
			if (c && pixGetRankValue(c, 4, 0.9f, &r) == 0)
				v[i] = r > 255 ? 255 : (l_int32)r;
			pixDestroy(&c);
		}
		composeRGBPixel(v[0], v[1], v[2], paper);
	} else {
		*paper = pg > 255 ? 255 : pg;
	}
	return b;
}

/* A 1/4 reduction of the binary b that keeps solid regions solid. */
static PIX *clean_reduce4(PIX *b)
{
	return pixReduceRankBinaryCascade(b, 1, 1, 0, 0);
}

/*
 * Keep the components of bc (ink touching the border, 1/4 scale, rdpi) that
 * are scan margin: a third of a side long, or a solid dark wedge of 8 mm or
 * more (what is left of a margin at a corner after deskewing).
 */
static PIX *clean_select_margins(PIX *bc, int rdpi)
{
	l_int32 w = pixGetWidth(bc), h = pixGetHeight(bc), i, n;
	double mm = rdpi / 25.4;
	PIX *sel = pixCreateTemplate(bc);
	PIXA *pixa = NULL;
	BOXA *boxa = pixConnComp(bc, &pixa, 8);

	n = boxa ? boxaGetCount(boxa) : 0;
	for (i = 0; i < n; i++) {
		l_int32 x, y, bw, bh, ink = 0;
		PIX *c;

		boxaGetBoxGeometry(boxa, i, &x, &y, &bw, &bh);
		c = pixaGetPix(pixa, i, L_CLONE);
		pixCountPixels(c, &ink, NULL);
		if (bw >= w / 3 || bh >= h / 3 || ((bw >= 8 * mm || bh >= 8 * mm) && ink >= 0.45 * bw * bh))
			pixRasterop(sel, x, y, bw, bh, PIX_SRC | PIX_DST, c, 0, 0);
		pixDestroy(&c);
	}
	boxaDestroy(&boxa);
	pixaDestroy(&pixa);
	return sel;
}

/*
 * Mask (full resolution) of the dark scan margins, or NULL when none.  A
 * margin is solid: only the ink of the selected components that is solid
 * over `solid` px square (wider than any stroke of the page's writing) is
 * painted, with a band of solid / 2 px round it for its grey edge.  At a
 * quarter of the resolution lines of small or blurred text that run to the
 * image's edge, and a seal or signature beside them, merge with a dark edge
 * into one component as long as a side (issue 10: a phone photo's seal and
 * signature block, a cut-off last line, were painted as margin).
 */
static PIX *clean_border_mask(PIX *b, int dpi, int solid)
{
	PIX *core, *grown;
	l_int32 left = 0;
	PIX *r, *bc, *big, *m, *full;
	l_int32 n = 0, w, h, fw, fh, i;

	r = clean_reduce4(b);
	if (!r)
		return NULL;
	bc = pixExtractBorderConnComps(r, 8);
	pixDestroy(&r);
	if (!bc)
		return NULL;
	big = clean_select_margins(bc, dpi / 4);
	pixDestroy(&bc);
	if (!big)
		return NULL;
	pixCountPixels(big, &n, NULL);
	if (n == 0) {
		pixDestroy(&big);
		return NULL;
	}
	/* cover the grey edge of the margin */
	m = pixDilateBrick(NULL, big, 5, 5);
	pixDestroy(&big);
	full = pixExpandReplicate(m, 4);
	pixDestroy(&m);
	if (!full)
		return NULL;
	w = pixGetWidth(b);
	h = pixGetHeight(b);
	fw = pixGetWidth(full);
	fh = pixGetHeight(full);
	m = pixCreate(w, h, 1);
	pixRasterop(m, 0, 0, w, h, PIX_SRC, full, 0, 0);
	pixDestroy(&full);
	/* the reduction dropped up to 3 rows and columns: repeat the last ones */
	for (i = fw; i < w; i++)
		pixRasterop(m, i, 0, 1, h, PIX_SRC, m, fw - 1, 0);
	for (i = fh; i < h; i++)
		pixRasterop(m, 0, i, w, 1, PIX_SRC, m, 0, fh - 1);
	core = pixOpenBrick(NULL, b, solid, solid);
	grown = core ? pixDilateBrick(NULL, core, solid | 1, solid | 1) : NULL;
	pixDestroy(&core);
	if (!grown) {
		pixDestroy(&m);
		return NULL;
	}
	pixAnd(m, m, grown);
	pixDestroy(&grown);
	pixCountPixels(m, &left, NULL);
	if (left == 0)
		pixDestroy(&m);
	return m;
}

/* Mask of isolated specks in the binary b (ink of the margins excluded). */
static PIX *clean_speckle_mask(PIX *b, int dpi, int *count)
{
	int s = dpi / 100 > 2 ? dpi / 100 : 2;
	/* 1 mm, but never under 7 px: on a scan of small text (x-height 4-8
	 * px, often tagged 72 or 96 dpi) a tone mark stands 2-3 px from its
	 * letter and must not be taken for a speck (issue 10) */
	int near = (dpi / 25 > 7 ? dpi / 25 : 7) | 1;
	PIX *small, *big, *nearby, *spk;
	l_int32 changed = 0;

	*count = 0;
	small = pixSelectBySize(b, s, s, 8, L_SELECT_IF_BOTH, L_SELECT_IF_LTE, &changed);
	if (!small)
		return NULL;
	big = pixXor(NULL, b, small);
	nearby = pixDilateBrick(NULL, big, near, near);
	pixDestroy(&big);
	spk = pixSubtract(NULL, small, nearby);
	pixDestroy(&small);
	pixDestroy(&nearby);
	if (!spk)
		return NULL;
	pixCountConnComp(spk, 8, count);
	if (*count == 0) {
		pixDestroy(&spk);
		return NULL;
	}
	/* the grey halo of a blurred speck is darker than paper too */
	small = pixDilateBrick(NULL, spk, 3, 3);
	pixDestroy(&spk);
	return small;
}

/* Text this small (x-height in px) keeps its specks: a tone mark is as
 * small as a speck and as near its letter as a speck to the text.  At 12
 * px (issue 10) real-like pages of 120-135 dpi (x-height 12-15 px) lost
 * their tone marks and full stops: CER 1.83 % and 6.31 % where plain
 * Tesseract read 0.24 % and 0.09 %; at 16 px 0.12 % and 0.09 %, the dev
 * pages (200-400 dpi) unchanged. */
#define CLEAN_SMALL_TEXT 16

/* Paint the mask's pixels of pix with the paper colour. */
static void clean_paint(PIX *pix, PIX *mask, l_uint32 paper)
{
	if (pixGetDepth(pix) == 1)
		pixSetMasked(pix, mask, 0);
	else
		pixSetMasked(pix, mask, paper);
}

PIX *clean_page(PIX *pix, int dpi, struct clean_info *ci, struct errbuf *err)
{
	PIX *src, *out = NULL, *b, *m;
	l_uint32 paper;
	l_int32 n = 0;

	ci->border_px = 0;
	ci->speckles = 0;
	dpi = pageimg_dpi(pix, dpi);
	src = pixGetColormap(pix) ? pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC) : pixClone(pix);
	if (!src)
		goto fail;
	b = clean_binarize(src, &paper);
	if (!b)
		goto fail_src;
	out = pixCopy(NULL, src);
	/* A margin is solid wider than a stroke and than 3 mm. */
	n = pageimg_xheight(b);
	m = clean_border_mask(b, dpi, n + 2 > dpi / 8 ? n + 2 : dpi / 8 > 5 ? dpi / 8 : 5);
	if (m) {
		pixCountPixels(m, &n, NULL);
		ci->border_px = n;
		clean_paint(out, m, paper);
		pixSubtract(b, b, m);
		pixDestroy(&m);
	}
	n = pageimg_xheight(b);
	m = n > 0 && n < CLEAN_SMALL_TEXT ? NULL : clean_speckle_mask(b, dpi, &ci->speckles);
	if (m) {
		clean_paint(out, m, paper);
		pixDestroy(&m);
	}
	pixDestroy(&b);
	pixDestroy(&src);
	return out;
fail_src:
	pixDestroy(&src);
fail:
	err_set(err, "cannot clean a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
	return NULL;
}

bool clean_find_gutter(PIX *pix, int dpi, int *x)
{
	PIX *b, *r, *nb;
	NUMA *cols = NULL;
	l_uint32 paper;
	l_int32 w, h, i, lo, hi, best = -1, bestd = 0, left = 0, right = 0;
	bool found = false;

	*x = 0;
	if (pixGetWidth(pix) < 1.15 * pixGetHeight(pix))
		return false;
	b = clean_binarize(pix, &paper);
	if (!b)
		return false;
	r = clean_reduce4(b);
	pixDestroy(&b);
	if (!r)
		return false;
	nb = pixRemoveBorderConnComps(r, 8); /* a dark gutter shadow spans top to bottom */
	pixDestroy(&r);
	if (!nb)
		return false;
	w = pixGetWidth(nb);
	h = pixGetHeight(nb);
	cols = pixCountPixelsByColumn(nb);
	if (!cols)
		goto out;
	lo = w / 3;
	hi = 2 * w / 3;
	for (i = 0; i < w; i++) {
		l_int32 v = 0;
		numaGetIValue(cols, i, &v);
		if (i < w / 2)
			left += v;
		else
			right += v;
	}
	/* writing on both halves: at least a few lines' worth each */
	if (left < h / 4 || right < h / 4)
		goto out;
	/* the empty run of columns nearest to the middle; cut at its centre */
	for (i = lo; i < hi;) {
		l_int32 v = 0, j = i;
		numaGetIValue(cols, i, &v);
		if (v > h / 400) {
			i++;
			continue;
		}
		while (j < hi) {
			numaGetIValue(cols, j, &v);
			if (v > h / 400)
				break;
			j++;
		}
		if (j - i >= 2) {
			l_int32 c = (i + j) / 2, d = abs(c - w / 2);
			if (best < 0 || d < bestd) {
				best = c;
				bestd = d;
			}
		}
		i = j;
	}
	if (best >= 0) {
		*x = best * pixGetWidth(pix) / w;
		found = true;
	}
out:
	numaDestroy(&cols);
	pixDestroy(&nb);
	return found;
}

static const struct conf_key clean_keys[] = {
	{ 0 }
};

static enum stage_rc clean_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct clean_info ci;
	enum stage_rc rc = STAGE_RETRY;
	PIX *pix, *out, *left = NULL, *right = NULL;
	char *rpath = NULL;
	char detail[200], note[120];
	int gx = 0;
	bool split;

	pix = pageimg_read(ctx, &rc, err);
	if (!pix)
		return rc;
	out = clean_page(pix, ctx->page->dpi, &ci, err);
	if (!out)
		goto out_pix;
	split = stage_profile_bool(ctx, "split_facing", false) && clean_find_gutter(out, ctx->page->dpi, &gx);
	if (!split && ci.border_px == 0 && ci.speckles == 0) {
		stage_event(ctx, "validation", "success", "no scan margin, speck or gutter to clean");
		rc = STAGE_OK;
		goto out_out;
	}
	if (split) {
		BOX *lb = boxCreate(0, 0, gx, pixGetHeight(out));
		BOX *rb = boxCreate(gx, 0, pixGetWidth(out) - gx, pixGetHeight(out));
		left = pixClipRectangle(out, lb, NULL);
		right = pixClipRectangle(out, rb, NULL);
		boxDestroy(&lb);
		boxDestroy(&rb);
		if (!left || !right) {
			err_set(err, "cannot split '%s' at column %d", ctx->page->access_path, gx);
			goto out_split;
		}
		if (pageimg_write(ctx, right, "clean-right.pnm", &rpath, err) < 0)
			goto out_split;
	}
	snprintf(detail, sizeof(detail), "painted %ld pixels of scan margin and %d specks%s", ci.border_px, ci.speckles, split ? "; split at the gutter" : "");
	if (pageimg_replace(ctx, split ? left : out, "clean.pnm", detail, err) < 0)
		goto out_split;
	if (split) {
		snprintf(note, sizeof(note), "two facing pages split at the gutter, column %d of %d", gx, pixGetWidth(out));
		stage_page_split(ctx, rpath, note);
	}
	rc = STAGE_OK;
out_split:
	free(rpath);
	pixDestroy(&left);
	pixDestroy(&right);
out_out:
	pixDestroy(&out);
out_pix:
	pixDestroy(&pix);
	return rc;
}

const struct stage stage_clean = {
	.name = "clean",
	.unit = STAGE_PAGE,
	.summary = "paint dark scan margins and specks as paper; split facing pages (book profile)",
	.keys = clean_keys,
	.run = clean_run,
};
