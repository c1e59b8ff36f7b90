/*
 * deskew.c - the deskew stage: measure how far the scanner turned the page
 * and turn the access copy back.
 *
 * Any angle (issue 10: photographed and hand-fed pages): when the search
 * near upright (+-12) is unsure, the page is turned by 24, 48, 72 and 90
 * degrees either way and searched again there, and a clearly better answer
 * wins.  The skew is found modulo a quarter turn, in (-45, 45]: which way
 * up the text then lies is not the search's to say (on a typewriter page
 * the columns of the fixed-pitch face read as lines at 90 degrees, and the
 * search turned such pages sideways), but the orient stage's judgement,
 * formats/image/pageorient.c.  The orient stage judged the page as it lay;
 * after a turn of more than 12 degrees that judgement was made on crooked
 * text, so the straightened page is judged again by the same function and
 * with orient's thresholds, and turned upright when it lies otherwise.  A
 * page found near upright costs what it did.
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
#include <string.h>

#include "engine/config.h"
#include "formats/image/pageimg.h"
#include "formats/image/pageorient.h"
#include "engine/stage.h"
#include "deskew.h"

/* Below this angle (degrees) turning the page changes nothing visible. */
#define DESKEW_MIN_TURN 0.02
/* Leptonica's confidence of a page of text found near upright: at and
 * above it the wide angles are not tried. */
#define DESKEW_SURE 3.0
/* The thirds of a page are searched within this many degrees of the
 * page's skew, and a third's angle counts from this confidence up (a third
 * has a third of the lines: its confidence is lower than the page's; at
 * 1.0 a real flat scan whose bottom third is a seal and a signature, at
 * confidence 1.5, was taken for a photograph). */
#define DESKEW_PART_RANGE 4.0f
#define DESKEW_PART_SURE 2.0f
/* The lines converge when their angle changes by at least this (degrees)
 * from the top third to the middle and again, the same way, to the bottom:
 * on the real-like pages photographed in perspective (0.6-1.3 % of the
 * width) the steps are 0.20-0.54 (two of six have a third under
 * DESKEW_PART_SURE and are missed); on the dev pages and the real flat
 * scans at most 0.11 (a real bilevel scan: 0.41 then 0.11), and they
 * seldom run the same way twice. */
#define DESKEW_CONVERGE_STEP 0.15
/* A wide angle's confidence must be this many times the near one's. */
#define DESKEW_WIDE_BETTER 1.5
/* Leptonica's search for the skew of the binary page b within
 * +-DESKEW_MAX_ANGLE; *angle and *conf stay 0 when it finds none. */
static void deskew_search(PIX *b, double *angle, double *conf)
{
	l_float32 a = 0, c = 0, end = 0;
	*angle = 0;
	*conf = 0;
	if (pixFindSkewSweepAndSearchScorePivot(b, &a, &c, &end, 2, 1, 0.0f, (l_float32)DESKEW_MAX_ANGLE, 0.5f, 0.01f, L_SHEAR_ABOUT_CENTER) != 0)
		return; /* Leptonica refuses pages without enough lines */
	if (c <= 0)
		return; /* Leptonica's angle means nothing then */
	*angle = a;
	*conf = c;
}

/* The ink of pix, binarized at 225 dpi or below, without the components
 * that touch the border; NULL with err set on failure. */
static PIX *deskew_binary(PIX *pix, int dpi, struct errbuf *err)
{
	PIX *b, *nb;

	dpi = pageimg_dpi(pix, dpi);
	/* 225 dpi or below: measured at 150 dpi a 300 dpi page costs a third
	 * of the full resolution's time, with residuals on the dev pages of
	 * mean 0.007 and max 0.067 degrees (full resolution: 0.005, 0.036) */
	b = pageimg_reduce(pageimg_ink(pix, NULL), &dpi, 226);
	if (!b) {
		err_set(err, "cannot binarize a %dx%d image of depth %d", pixGetWidth(pix), pixGetHeight(pix), pixGetDepth(pix));
		return NULL;
	}
	nb = pixRemoveBorderConnComps(b, 8);
	pixDestroy(&b);
	if (!nb)
		err_set(err, "cannot remove the border components of a %dx%d image", pixGetWidth(pix), pixGetHeight(pix));
	return nb;
}

int deskew_thirds(PIX *pix, int dpi, double angle, double thirds[3], struct errbuf *err)
{
	PIX *nb = deskew_binary(pix, dpi, err);
	int w, h, i, n = 0;

	if (!nb)
		return -1;
	w = pixGetWidth(nb);
	h = pixGetHeight(nb);
	for (i = 0; i < 3; i++) {
		BOX *box = boxCreate(0, i * h / 3, w, h / 3);
		PIX *part = box ? pixClipRectangle(nb, box, NULL) : NULL;
		l_float32 a = 0, c = 0, end = 0;
		thirds[i] = angle;
		if (part && pixFindSkewSweepAndSearchScorePivot(part, &a, &c, &end, 2, 1, (l_float32)angle, DESKEW_PART_RANGE, 0.25f, 0.01f, L_SHEAR_ABOUT_CENTER) == 0 &&
		    c >= DESKEW_PART_SURE) {
			thirds[i] = a;
			n++;
		}
		pixDestroy(&part);
		boxDestroy(&box);
	}
	pixDestroy(&nb);
	return n;
}

static int deskew_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

int deskew_margin_slant(PIX *pix, int dpi, double *slant, int *nlines, struct errbuf *err)
{
	enum { MAXLINES = 200, B = DESKEW_SLANT_BANDS };
	PIX *bin = deskew_binary(pix, dpi, err);
	NUMA *rows;
	double x[MAXLINES], y[MAXLINES], bx[B], by[B], mx[B], my[B], s[B * B], off[B], m, a, tol;
	int w, h, n = 0, in = 0, y0 = -1, nb = 0;
	size_t ns = 0;

	for (int k = 0; k < B; k++)
		by[k] = -1;
	*nlines = 0;
	*slant = 0;
	if (!bin)
		return -1;
	w = pixGetWidth(bin);
	h = pixGetHeight(bin);
	tol = w / 100.0 > 2 ? w / 100.0 : 2;
	rows = pixCountPixelsByRow(bin, NULL);
	/* the text lines: runs of rows with ink a third of the width long;
	 * each one's left end, unless in the outer 3 % (a dark scan edge
	 * that does not touch the border, never text) */
	for (int r = 0; rows && r <= h && n < MAXLINES; r++) {
		l_int32 c = 0;
		if (r < h)
			numaGetIValue(rows, r, &c);
		if (c >= 2 && r < h) {
			if (y0 < 0)
				y0 = r;
			continue;
		}
		if (y0 >= 0 && r - y0 >= 3) {
			BOX *box = boxCreate(0, y0, w, r - y0);
			l_int32 l = 0, rt = 0;
			if (box && pixScanForForeground(bin, box, L_FROM_LEFT, &l) == 0 &&
			    pixScanForForeground(bin, box, L_FROM_RIGHT, &rt) == 0 && rt - l >= w / 3 && l >= w / 33) {
				x[n] = l;
				y[n] = (y0 + r) / 2.0;
				n++;
			}
			boxDestroy(&box);
		}
		y0 = -1;
	}
	numaDestroy(&rows);
	pixDestroy(&bin);
	*nlines = n;
	if (n < DESKEW_SLANT_LINES)
		return 0;
	/* the margin: in each of DESKEW_SLANT_BANDS bands of the height the
	 * lines span, the line that starts furthest left (an indented first
	 * line, a centred title or a short last line is never that, unless
	 * a band holds nothing else) */
	for (int i = 0; i < n; i++) {
		int k = (int)((y[i] - y[0]) * B / (y[n - 1] - y[0] + 1));
		if (k >= 0 && k < B && (by[k] < 0 || x[i] < bx[k])) {
			bx[k] = x[i];
			by[k] = y[i];
		}
	}
	for (int k = 0; k < B; k++)
		if (by[k] >= 0) {
			mx[nb] = bx[k];
			my[nb] = by[k];
			nb++;
		}
	if (nb < B - 1)
		return 0;
	/* Theil-Sen: the median slope over pairs of bands, then all but one
	 * band on that line */
	for (int i = 0; i < nb; i++)
		for (int j = i + 1; j < nb; j++)
			s[ns++] = (mx[j] - mx[i]) / (my[j] - my[i]);
	qsort(s, ns, sizeof *s, deskew_cmp);
	m = s[ns / 2];
	for (int i = 0; i < nb; i++)
		off[i] = mx[i] - m * my[i];
	qsort(off, (size_t)nb, sizeof *off, deskew_cmp);
	a = off[nb / 2];
	for (int i = 0; i < nb; i++)
		in += fabs(mx[i] - (a + m * my[i])) <= tol;
	if (in >= nb - 1)
		*slant = atan(m) * 180 / M_PI;
	return 0;
}

bool deskew_converge(const double thirds[3])
{
	double d1 = thirds[1] - thirds[0], d2 = thirds[2] - thirds[1];
	return (d1 >= DESKEW_CONVERGE_STEP && d2 >= DESKEW_CONVERGE_STEP) || (d1 <= -DESKEW_CONVERGE_STEP && d2 <= -DESKEW_CONVERGE_STEP);
}

int deskew_find(PIX *pix, int dpi, double *angle, double *conf, struct errbuf *err)
{
	PIX *nb;
	l_int32 ink = 0;
	/* Turns tried when the page does not lie within +-12 degrees: each
	 * covers its own +-12, so together (-90, 90], recorded modulo 90. */
	static const double wide[] = { 24, -24, 48, -48, 72, -72, 90 };
	size_t i;

	*angle = 0;
	*conf = 0;
	nb = deskew_binary(pix, dpi, err);
	if (!nb)
		return -1;
	pixCountPixels(nb, &ink, NULL);
	if (ink < 200) /* nothing to measure */
		goto done;
	deskew_search(nb, angle, conf);
	if (*conf >= DESKEW_SURE && fabs(*angle) < DESKEW_MAX_ANGLE - 1)
		goto done;
	/* Not found near upright: a page photographed or fed at a large angle.
	 * Turn the page by each of the wide angles and search again there; a
	 * wide answer must be clearly better than the near one. */
	for (i = 0; i < sizeof wide / sizeof wide[0]; i++) {
		PIX *t = pixRotate(nb, (l_float32)(wide[i] * M_PI / 180.0), L_ROTATE_SAMPLING, L_BRING_IN_WHITE, 0, 0), *tb;
		double a, c;
		if (!t)
			continue;
		tb = pixRemoveBorderConnComps(t, 8);
		pixDestroy(&t);
		if (!tb)
			continue;
		deskew_search(tb, &a, &c);
		pixDestroy(&tb);
		if (c > *conf * DESKEW_WIDE_BETTER && c >= DESKEW_SURE) {
			*angle = wide[i] + a;
			*conf = c;
		}
	}
	/* modulo a quarter turn: the quarter is orient's to judge */
	while (*angle > 45)
		*angle -= 90;
	while (*angle <= -45)
		*angle += 90;
done:
	pixDestroy(&nb);
	return 0;
}

/* The quarter turn (0..3, counter-clockwise) the straightened page pix
 * lies at, judged as the orient stage judges (pageorient_detect() with
 * orient.min_confidence, or orient.min_confidence_small on a small page or
 * small text); *conf gets the evidence.  0 when it is unsure. */
static int deskew_quarter(struct stage_ctx *ctx, PIX *pix, double *conf)
{
	int xh = 0, rotation = 0, dpi = pageimg_dpi(pix, ctx->page->dpi);
	PIX *b = pageorient_ink(pix, dpi, &xh);

	*conf = 0;
	if (!b)
		return 0;
	pageorient_detect(b, &rotation, conf);
	pixDestroy(&b);
	if (*conf < stage_conf_double(ctx, pageorient_small(pix, xh) ? "orient.min_confidence_small" : "orient.min_confidence"))
		return 0;
	return rotation / 90;
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

/* A page of lines (straightened: pix) whose lines converge goes to review:
 * it was photographed at an angle and reads worse than a flat scan. */
static void deskew_flat(struct stage_ctx *ctx, PIX *pix)
{
	double t[3];
	struct errbuf err;
	char note[200];

	err_init(&err);
	if (deskew_thirds(pix, ctx->page->dpi, 0, t, &err) == 3 && deskew_converge(t)) {
		snprintf(note, sizeof(note), "deskew: rescan flat: the text lines converge (top %.2f, middle %.2f, bottom %.2f degrees): photographed at an angle?",
		         t[0], t[1], t[2]);
	} else {
		int lines = 0;
		double slant = 0;
		if (deskew_margin_slant(pix, ctx->page->dpi, &slant, &lines, &err) < 0 || fabs(slant) < DESKEW_SLANT_DEG)
			return;
		snprintf(note, sizeof(note), "deskew: rescan flat: the left margin slants %.2f degrees to the level lines (%d lines): sheared, or fed aslant?",
		         slant, lines);
	}
	stage_set_int(ctx, "review", 1);
	stage_set_text(ctx, "note", note);
	stage_event(ctx, "validation", "success", note + strlen("deskew: "));
}

static enum stage_rc deskew_run(struct stage_ctx *ctx, struct errbuf *err)
{
	double min_conf = stage_conf_double(ctx, "min_confidence");
	double angle, conf;
	enum stage_rc rc = STAGE_RETRY;
	PIX *pix, *out;
	char detail[200];

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
		if (conf >= min_conf)
			deskew_flat(ctx, pix);
		rc = STAGE_OK;
		goto out_pix;
	}
	out = deskew_rotate(pix, angle, err);
	if (!out)
		goto out_pix;
	snprintf(detail, sizeof(detail), "access copy turned clockwise by %.2f degrees (confidence %.1f)", angle, conf);
	if (fabs(angle) > DESKEW_MAX_ANGLE) {
		double qconf;
		int q = deskew_quarter(ctx, out, &qconf);
		if (q) {
			PIX *up = pixRotateOrth(out, 4 - q);
			if (up) {
				pixDestroy(&out);
				out = up;
				snprintf(detail, sizeof(detail), "access copy turned clockwise by %.2f degrees (confidence %.1f), then by %d (confidence %.1f): the page lay at %.2f degrees",
				         angle, conf, 90 * (4 - q), qconf, angle + 90 * q);
				if (ctx->page->orient >= 0)
					stage_set_int(ctx, "orient", (ctx->page->orient + 90 * q) % 360);
			}
		}
	}
	deskew_flat(ctx, out);
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
