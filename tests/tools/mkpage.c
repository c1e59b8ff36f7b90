/*
 * mkpage.c - make sample "scans" with known truth for tests and the demo:
 * a page of text rendered by pango-view is laid on a sheet of paper, turned,
 * aged and soiled as asked, and written in a scanner's file formats.
 *
 * usage: mkpage [options] -o OUT INPUT.png [INPUT.png...]
 *   --dpi N          resolution of the inputs and of the output (300)
 *   --paper a4|none  lay each input on an A4 sheet at the margins (a4)
 *   --margin L,T     left and top margins on the sheet in mm (25,20)
 *   --skew DEG       turn the sheet counter-clockwise by DEG degrees
 *   --rotate R       then turn it counter-clockwise by 0, 90, 180 or 270
 *   --noise S        grey noise of standard deviation S (0..1 of white)
 *   --speckle N      N dark specks scattered over the sheet
 *   --yellow         yellowed paper, written as colour
 *   --gradient G     light falling off towards the right edge by G (0..1)
 *   --perspective F  photographed at an angle: the right edge F of the width
 *                    further away (shorter by 2F of the height), so lines converge
 *   --shear DEG      sheared by DEG degrees: lines level, the margins slanted
 *                    (a sheet dragged aslant through a feeder)
 *   --border MM      a dark scan margin MM wide on the left and top edges
 *   --blank          the back of a sheet: paper only; an input, if given,
 *                    shows through faintly, mirrored (bleed-through)
 *   --holes          two punch holes near the left edge of the sheet
 *   --facing         two inputs side by side as the facing pages of a book
 *   --bitonal        threshold to 1 bit (TIFF output then uses G4)
 *   --seed N         random seed (1)
 * The output format follows OUT's extension: .tif/.tiff (LZW, G4 when
 * bitonal; several inputs without --facing make a multi-page TIFF), .jpg,
 * .png, .pnm.  The resolution is written into the file.
 *
 * Invariants: the same arguments make the same bytes (seeded generator).
 * Error policy: any failure prints one line "mkpage: ..." and exits 1; a
 * usage error exits 2.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <leptonica/allheaders.h>

#include "engine/util.h"

struct mkpage_opt {
	int dpi, rotate, speckle, border_mm, bitonal, yellow, blank, holes, facing;
	int paper_a4;
	double skew, noise, margin_l, margin_t, gradient, perspective, shear;
	uint64_t seed;
};

static uint64_t mkpage_rng_state = 1;

static double mkpage_rand(void)
{
	uint64_t x = mkpage_rng_state;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	mkpage_rng_state = x;
	return (x >> 11) * (1.0 / 9007199254740992.0);
}

static double mkpage_gauss(void)
{
	double u = mkpage_rand(), v = mkpage_rand();
	if (u < 1e-12)
		u = 1e-12;
	return sqrt(-2 * log(u)) * cos(2 * M_PI * v);
}

/* A white 8-bit sheet of w x h. */
static PIX *mkpage_sheet(int w, int h)
{
	PIX *p = pixCreate(w, h, 8);
	pixSetAll(p);
	return p;
}

/* The input as 8-bit grey laid on a sheet (or alone with --paper none). */
static PIX *mkpage_load(const char *path, const struct mkpage_opt *o)
{
	PIX *in = pixRead(path), *g, *sheet;
	int w, h, x, y;

	if (!in) {
		fprintf(stderr, "mkpage: cannot read '%s'\n", path);
		return NULL;
	}
	if (pixGetDepth(in) == 32 && pixGetSpp(in) == 4) {
		/* pango-view may leave the paper transparent */
		g = pixAlphaBlendUniform(in, 0xffffff00);
		pixDestroy(&in);
		in = g;
	}
	g = pixConvertTo8(in, 0);
	pixDestroy(&in);
	if (!g || !o->paper_a4)
		return g;
	w = (int)(8.27 * o->dpi);
	h = (int)(11.69 * o->dpi);
	sheet = mkpage_sheet(w, h);
	x = (int)(o->margin_l * o->dpi / 25.4);
	y = (int)(o->margin_t * o->dpi / 25.4);
	pixRasterop(sheet, x, y, w - x, h - y, PIX_SRC & PIX_DST, g, 0, 0);
	pixDestroy(&g);
	return sheet;
}

/* The back of a sheet: paper, with the input's writing faintly mirrored. */
static PIX *mkpage_bleed(PIX *front)
{
	PIX *back = pixFlipLR(NULL, front);
	l_uint32 *data = pixGetData(back);
	int wpl = pixGetWpl(back), w = pixGetWidth(back), h = pixGetHeight(back);

	for (int y = 0; y < h; y++) {
		l_uint32 *line = data + y * wpl;
		for (int x = 0; x < w; x++) {
			int v = GET_DATA_BYTE(line, x);
			SET_DATA_BYTE(line, x, 255 - (255 - v) * 12 / 100);
		}
	}
	return back;
}

static void mkpage_disc(PIX *p, int cx, int cy, int r, int v)
{
	for (int y = cy - r; y <= cy + r; y++)
		for (int x = cx - r; x <= cx + r; x++)
			if ((x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r && x >= 0 && y >= 0 && x < pixGetWidth(p) && y < pixGetHeight(p))
				pixSetPixel(p, x, y, v);
}

/* Everything that happens to the paper itself, before it is scanned. */
static void mkpage_paper(PIX *p, const struct mkpage_opt *o)
{
	double mm = o->dpi / 25.4;
	int w = pixGetWidth(p), h = pixGetHeight(p);

	if (o->holes) {
		mkpage_disc(p, (int)(12 * mm), h / 2 - (int)(40 * mm), (int)(3 * mm), 40);
		mkpage_disc(p, (int)(12 * mm), h / 2 + (int)(40 * mm), (int)(3 * mm), 40);
	}
	for (int i = 0; i < o->speckle; i++) {
		int r = mkpage_rand() < 0.7 ? 1 : 2;
		mkpage_disc(p, (int)(mkpage_rand() * w), (int)(mkpage_rand() * h), r, 30);
	}
}

/* Scanner effects over the whole image: uneven light, noise, a dark margin. */
static void mkpage_scan(PIX *p, const struct mkpage_opt *o)
{
	l_uint32 *data = pixGetData(p);
	int wpl = pixGetWpl(p), w = pixGetWidth(p), h = pixGetHeight(p);
	int bw = (int)(o->border_mm * o->dpi / 25.4);
	double cx = mkpage_rand(), cy = mkpage_rand(), k = 0.08 * mkpage_rand();

	for (int y = 0; y < h; y++) {
		l_uint32 *line = data + y * wpl;
		for (int x = 0; x < w; x++) {
			double v = GET_DATA_BYTE(line, x) / 255.0;
			double dx = (double)x / w - cx, dy = (double)y / h - cy;

			v *= 1.0 - k * (dx * dx + dy * dy);
			v *= 1.0 - o->gradient * x / w;
			if (x < bw || y < bw * 2 / 3)
				v = 0.08;
			if (o->noise > 0)
				v += o->noise * mkpage_gauss();
			v = v < 0 ? 0 : v > 1 ? 1 : v;
			SET_DATA_BYTE(line, x, (int)(v * 255 + 0.5));
		}
	}
}

static PIX *mkpage_yellow(PIX *g)
{
	PIX *r = pixCreate(pixGetWidth(g), pixGetHeight(g), 32);
	for (int y = 0; y < pixGetHeight(g); y++)
		for (int x = 0; x < pixGetWidth(g); x++) {
			l_uint32 v;
			pixGetPixel(g, x, y, &v);
			pixSetRGBPixel(r, x, y, (int)(v * 0.96), (int)(v * 0.90), (int)(v * 0.74));
		}
	return r;
}

/* One page image from its inputs (one, or two for --facing). */
static PIX *mkpage_make(char **inputs, int n, const struct mkpage_opt *o)
{
	PIX *p = NULL, *t;

	if (o->blank && n == 0) {
		p = mkpage_sheet((int)(8.27 * o->dpi), (int)(11.69 * o->dpi));
	} else if (o->facing) {
		PIX *l = mkpage_load(inputs[0], o), *r = n > 1 ? mkpage_load(inputs[1], o) : NULL;
		if (l && r) {
			p = mkpage_sheet(pixGetWidth(l) + pixGetWidth(r), pixGetHeight(l) > pixGetHeight(r) ? pixGetHeight(l) : pixGetHeight(r));
			pixRasterop(p, 0, 0, pixGetWidth(l), pixGetHeight(l), PIX_SRC, l, 0, 0);
			pixRasterop(p, pixGetWidth(l), 0, pixGetWidth(r), pixGetHeight(r), PIX_SRC, r, 0, 0);
		}
		pixDestroy(&l);
		pixDestroy(&r);
	} else {
		p = mkpage_load(inputs[0], o);
		if (p && o->blank) {
			t = mkpage_bleed(p);
			pixDestroy(&p);
			p = t;
		}
	}
	if (!p)
		return NULL;
	mkpage_paper(p, o);
	if (o->skew != 0) {
		/* Leptonica turns clockwise for a positive angle */
		t = pixRotate(p, (l_float32)(-o->skew * M_PI / 180), L_ROTATE_AREA_MAP, L_BRING_IN_WHITE, 0, 0);
		pixDestroy(&p);
		p = t;
	}
	if (p && o->shear != 0) {
		t = pixHShear(NULL, p, pixGetHeight(p) / 2, (l_float32)(o->shear * M_PI / 180), L_BRING_IN_WHITE);
		pixDestroy(&p);
		p = t;
	}
	if (p && o->perspective > 0) {
		float w = (float)pixGetWidth(p), h = (float)pixGetHeight(p), dy = (float)(o->perspective * w);
		PTA *from = ptaCreate(4), *to = ptaCreate(4);
		l_float32 *v = NULL;
		ptaAddPt(from, 0, 0); ptaAddPt(from, w, 0); ptaAddPt(from, w, h); ptaAddPt(from, 0, h);
		ptaAddPt(to, 0, 0); ptaAddPt(to, w, dy); ptaAddPt(to, w, h - dy); ptaAddPt(to, 0, h);
		t = getProjectiveXformCoeffs(to, from, &v) == 0 ? pixProjectiveGray(p, v, 255) : NULL;
		LEPT_FREE(v);
		ptaDestroy(&from);
		ptaDestroy(&to);
		pixDestroy(&p);
		p = t;
	}
	if (p && o->rotate) {
		t = pixRotateOrth(p, (4 - o->rotate / 90) % 4);
		pixDestroy(&p);
		p = t;
	}
	if (!p)
		return NULL;
	mkpage_scan(p, o);
	if (o->yellow && !o->bitonal) {
		t = mkpage_yellow(p);
		pixDestroy(&p);
		p = t;
	} else if (o->bitonal) {
		t = pixThresholdToBinary(p, 150);
		pixDestroy(&p);
		p = t;
	}
	pixSetResolution(p, o->dpi, o->dpi);
	return p;
}

static int mkpage_write(PIX *p, const char *out, const struct mkpage_opt *o, int append)
{
	const char *ext = path_ext(out);
	int rc;

	if (strcmp(ext, "tif") == 0 || strcmp(ext, "tiff") == 0)
		rc = pixWriteTiff(out, p, pixGetDepth(p) == 1 ? IFF_TIFF_G4 : IFF_TIFF_LZW, append ? "a" : "w");
	else if (strcmp(ext, "jpg") == 0 || strcmp(ext, "jpeg") == 0)
		rc = pixWriteJpeg(out, p, 85, 0);
	else if (strcmp(ext, "png") == 0)
		rc = pixWrite(out, p, IFF_PNG);
	else if (strcmp(ext, "pnm") == 0 || strcmp(ext, "pgm") == 0 || strcmp(ext, "ppm") == 0 || strcmp(ext, "pbm") == 0)
		rc = pixWrite(out, p, IFF_PNM);
	else {
		fprintf(stderr, "mkpage: '%s': unknown output format (tif, jpg, png, pnm)\n", out);
		return -1;
	}
	if (rc != 0) {
		fprintf(stderr, "mkpage: cannot write '%s'\n", out);
		return -1;
	}
	return 0;
}

static int mkpage_usage(void)
{
	fprintf(stderr, "usage: mkpage [--dpi N] [--paper a4|none] [--margin L,T] [--skew DEG] [--rotate 0|90|180|270] [--noise S] [--speckle N] [--yellow] [--gradient G] [--perspective F] [--shear DEG] [--border MM] [--blank] [--holes] [--facing] [--bitonal] [--seed N] -o OUT INPUT.png...\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct mkpage_opt o = { .dpi = 300, .paper_a4 = 1, .margin_l = 25, .margin_t = 20, .seed = 1 };
	const char *out = NULL;
	char **inputs;
	int n = 0, i, rc = 0;

	inputs = xcalloc((size_t)argc, sizeof(*inputs));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(a, "--yellow") == 0) o.yellow = 1;
		else if (strcmp(a, "--blank") == 0) o.blank = 1;
		else if (strcmp(a, "--holes") == 0) o.holes = 1;
		else if (strcmp(a, "--facing") == 0) o.facing = 1;
		else if (strcmp(a, "--bitonal") == 0) o.bitonal = 1;
		else if (a[0] == '-' && !v) { free(inputs); return mkpage_usage(); }
		else if (strcmp(a, "-o") == 0) out = argv[++i];
		else if (strcmp(a, "--dpi") == 0) o.dpi = atoi(argv[++i]);
		else if (strcmp(a, "--paper") == 0) o.paper_a4 = strcmp(argv[++i], "none") != 0;
		else if (strcmp(a, "--margin") == 0) { i++; if (sscanf(v, "%lf,%lf", &o.margin_l, &o.margin_t) != 2) { free(inputs); return mkpage_usage(); } }
		else if (strcmp(a, "--skew") == 0) o.skew = atof(argv[++i]);
		else if (strcmp(a, "--rotate") == 0) o.rotate = atoi(argv[++i]);
		else if (strcmp(a, "--noise") == 0) o.noise = atof(argv[++i]);
		else if (strcmp(a, "--gradient") == 0) o.gradient = atof(argv[++i]);
		else if (strcmp(a, "--perspective") == 0) o.perspective = atof(argv[++i]);
		else if (strcmp(a, "--shear") == 0) o.shear = atof(argv[++i]);
		else if (strcmp(a, "--speckle") == 0) o.speckle = atoi(argv[++i]);
		else if (strcmp(a, "--border") == 0) o.border_mm = atoi(argv[++i]);
		else if (strcmp(a, "--seed") == 0) o.seed = strtoull(argv[++i], NULL, 10);
		else if (a[0] == '-') { free(inputs); return mkpage_usage(); }
		else inputs[n++] = argv[i];
	}
	if (!out || (n == 0 && !o.blank) || o.dpi < 50 || o.dpi > 1200 || o.rotate % 90 || o.rotate < 0 || o.rotate > 270 || (o.facing && n != 2)) {
		free(inputs);
		return mkpage_usage();
	}
	mkpage_rng_state = o.seed * 0x9E3779B97F4A7C15ull + 1;
	setMsgSeverity(L_SEVERITY_ERROR);
	if (o.facing || o.blank || n <= 1) {
		PIX *p = mkpage_make(inputs, n, &o);
		rc = p ? mkpage_write(p, out, &o, 0) : -1;
		pixDestroy(&p);
	} else {
		for (i = 0; i < n && rc == 0; i++) {
			PIX *p = mkpage_make(inputs + i, 1, &o);
			rc = p ? mkpage_write(p, out, &o, i > 0) : -1;
			pixDestroy(&p);
		}
		if (rc == 0 && !str_ends(out, ".tif") && !str_ends(out, ".tiff"))
			fprintf(stderr, "mkpage: warning: several inputs to '%s': only a TIFF holds several pages\n", out);
	}
	free(inputs);
	return rc ? 1 : 0;
}
