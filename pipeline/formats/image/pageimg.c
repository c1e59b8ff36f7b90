/*
 * pageimg.c - the page image stages' shared code: their access copies in
 * and out, and the binarization they measure on.
 *
 * Access copies are binary PNM (P4 bitonal, P5 grey, P6 colour), written by
 * capture and replaced by each image stage that changes the page.  Leptonica
 * 1.82 reads and writes PNM a byte at a time through stdio: a 300 dpi A4
 * colour page (26 MB) took 0.63 s of CPU to read and 0.25 s to write, more
 * than all the image work of a stage.  So the plain binary forms are
 * decoded and encoded here a row at a time, byte for byte the files
 * Leptonica writes and reads; anything else (other depths, palettes, PAM,
 * ASCII PNM, other formats) goes through Leptonica.
 *
 * Error policy: functions return NULL or -1 with the reason in err (the file
 * named); nothing here is fatal.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <tiffio.h>

#include "engine/fsio.h"
#include "formats/image/pageimg.h"

/* The header Leptonica writes (kept so that files stay byte for byte). */
static const char *const pageimg_hdr[] = {
	"P4\n# Raw PBM file written by leptonica (www.leptonica.com)\n%d %d\n",
	"P5\n# Raw PGM file written by leptonica (www.leptonica.com)\n%d %d\n255\n",
	"P6\n# Raw PPM file written by leptonica (www.leptonica.com)\n%d %d\n255\n",
};

/* The next header number of a PNM file, skipping white space and comments;
 * -1 when there is none. */
static long pageimg_pnm_num(FILE *f)
{
	long v = 0;
	int c = getc(f), n = 0;

	for (;;) {
		if (c == '#')
			while (c != EOF && c != '\n')
				c = getc(f);
		else if (c != EOF && isspace(c))
			c = getc(f);
		else
			break;
	}
	while (c != EOF && isdigit(c) && v < 1000000) {
		v = v * 10 + (c - '0');
		n++;
		c = getc(f);
	}
	/* one white space character ends the number (after the last one, the
	 * raster follows at once) */
	if (n == 0 || c == EOF || !isspace(c))
		return -1;
	return v;
}

/* Decode a binary P4/P5/P6 (maxval 255) file; NULL when it is not one
 * (*is_pnm false) or is a damaged one (*is_pnm true). */
static PIX *pageimg_read_pnm(FILE *f, bool *is_pnm)
{
	char magic[2];
	long w, h, maxval = 1;
	int depth;
	size_t rowbytes;
	l_uint8 *row = NULL;
	struct stat st;
	PIX *pix;

	*is_pnm = false;
	if (fread(magic, 1, 2, f) != 2 || magic[0] != 'P' || magic[1] < '4' || magic[1] > '6')
		return NULL;
	w = pageimg_pnm_num(f);
	h = pageimg_pnm_num(f);
	if (magic[1] != '4')
		maxval = pageimg_pnm_num(f);
	if (w <= 0 || h <= 0 || maxval != (magic[1] == '4' ? 1 : 255))
		return NULL;
	*is_pnm = true; /* one this reader reads, whole or damaged */
	depth = magic[1] == '4' ? 1 : magic[1] == '5' ? 8 : 32;
	rowbytes = magic[1] == '4' ? ((size_t)w + 7) / 8 : magic[1] == '5' ? (size_t)w : 3 * (size_t)w;
	/* the pixels are all there before the image is allocated: a short
	 * file never costs the memory its header claims */
	if (fstat(fileno(f), &st) < 0 || ftell(f) < 0 || (uint64_t)st.st_size < (uint64_t)ftell(f) + (uint64_t)rowbytes * (uint64_t)h)
		return NULL;
	pix = pixCreate((l_int32)w, (l_int32)h, depth);
	if (!pix)
		return NULL;
	row = xmalloc(rowbytes);
	for (long y = 0; y < h; y++) {
		l_uint32 *line = pixGetData(pix) + y * pixGetWpl(pix);

		if (fread(row, 1, rowbytes, f) != rowbytes) {
			pixDestroy(&pix);
			break;
		}
		if (depth == 32) {
			const l_uint8 *p = row;
			for (long x = 0; x < w; x++, p += 3)
				line[x] = (l_uint32)p[0] << L_RED_SHIFT | (l_uint32)p[1] << L_GREEN_SHIFT | (l_uint32)p[2] << L_BLUE_SHIFT;
		} else {
			for (size_t i = 0; i < rowbytes; i++)
				SET_DATA_BYTE(line, i, row[i]);
		}
	}
	free(row);
	if (pix && depth == 1)
		pixSetPadBits(pix, 0); /* PBM's last byte of a row may hold anything */
	return pix;
}

PIX *pageimg_read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	PIX *pix;
	bool is_pnm;

	if (!f)
		return NULL;
	pix = pageimg_read_pnm(f, &is_pnm);
	fclose(f);
	/* other formats (ASCII or 16-bit PNM too) to Leptonica; a damaged
	 * binary PNM is not read again (nor allocated as its header claims) */
	return pix || is_pnm ? pix : pixRead(path);
}

PIX *pageimg_read(struct stage_ctx *ctx, enum stage_rc *rc, struct errbuf *err)
{
	const char *src = ctx->page->access_path;
	PIX *pix;

	if (!src) {
		*rc = STAGE_BAD;
		err_set(err, "page %lld has no access copy", (long long)ctx->page->id);
		return NULL;
	}
	pix = pageimg_read_file(src);
	if (!pix) {
		*rc = STAGE_RETRY;
		if (access(src, R_OK) < 0)
			err_set(err, "cannot read '%s': %s", src, strerror(errno));
		else
			err_set(err, "cannot read '%s': truncated or damaged image", src);
	}
	return pix;
}

/* Encode pix as binary PNM into *data (caller frees); -1 when it cannot. */
static int pageimg_encode(PIX *pix, l_uint8 **data, size_t *len)
{
	int d = pixGetDepth(pix), k, n;
	l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix), wpl = pixGetWpl(pix);
	size_t rowbytes, hlen;
	l_uint8 *out;
	char hdr[128];

	if (pixGetColormap(pix) || !(d == 1 || d == 8 || (d == 32 && pixGetSpp(pix) == 3)))
		return pixWriteMem(data, len, pix, IFF_PNM) == 0 ? 0 : -1;
	k = d == 1 ? 0 : d == 8 ? 1 : 2;
	rowbytes = d == 1 ? ((size_t)w + 7) / 8 : d == 8 ? (size_t)w : 3 * (size_t)w;
	n = snprintf(hdr, sizeof(hdr), pageimg_hdr[k], w, h);
	hlen = (size_t)n;
	out = malloc(hlen + rowbytes * (size_t)h);
	if (!out)
		return -1;
	memcpy(out, hdr, hlen);
	for (l_int32 y = 0; y < h; y++) {
		const l_uint32 *line = pixGetData(pix) + (size_t)y * wpl;
		l_uint8 *p = out + hlen + (size_t)y * rowbytes;

		if (d == 32) {
			for (l_int32 x = 0; x < w; x++, p += 3) {
				p[0] = (l_uint8)(line[x] >> L_RED_SHIFT);
				p[1] = (l_uint8)(line[x] >> L_GREEN_SHIFT);
				p[2] = (l_uint8)(line[x] >> L_BLUE_SHIFT);
			}
		} else {
			for (size_t i = 0; i < rowbytes; i++)
				p[i] = GET_DATA_BYTE(line, i);
		}
	}
	*data = out;
	*len = hlen + rowbytes * (size_t)h;
	return 0;
}

int pageimg_write(struct stage_ctx *ctx, PIX *pix, const char *leaf, char **path, struct errbuf *err)
{
	l_uint8 *data = NULL;
	size_t len = 0;
	int rc;

	*path = stage_page_path(ctx, leaf);
	if (pageimg_encode(pix, &data, &len) != 0) {
		free(data);
		return err_set(err, "cannot encode '%s'", *path);
	}
	rc = fsio_write_atomic(*path, data, len, err);
	free(data);
	return rc;
}

int pageimg_replace(struct stage_ctx *ctx, PIX *pix, const char *leaf, const char *detail, struct errbuf *err)
{
	char *path = NULL;
	int rc = pageimg_write(ctx, pix, leaf, &path, err);

	if (rc == 0) {
		stage_set_text(ctx, "access_path", path);
		stage_event(ctx, "migration", "success", detail);
	}
	free(path);
	return rc;
}

int pageimg_dpi(PIX *pix, int dpi)
{
	l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);

	if (dpi >= 50)
		return dpi;
	return (w < h ? w : h) * 100 / 827;
}

PIX *pageimg_grey(PIX *pix)
{
	l_int32 w = pixGetWidth(pix), h = pixGetHeight(pix);
	PIX *g;

	if (pixGetDepth(pix) != 32)
		return pixConvertTo8(pix, 0);
	g = pixCreate(w, h, 8);
	if (!g)
		return NULL;
	pixCopyResolution(g, pix);
	for (l_int32 y = 0; y < h; y++) {
		const l_uint32 *s = pixGetData(pix) + (size_t)y * pixGetWpl(pix);
		l_uint32 *d = pixGetData(g) + (size_t)y * pixGetWpl(g);

		for (l_int32 x = 0; x < w; x++) {
			l_uint32 v = s[x];
			l_uint32 r = (v >> L_RED_SHIFT) & 0xff, gr = (v >> L_GREEN_SHIFT) & 0xff, b = (v >> L_BLUE_SHIFT) & 0xff;
			SET_DATA_BYTE(d, x, (3 * r + 5 * gr + 2 * b + 5) / 10);
		}
	}
	return g;
}

/* Paper that falls off by more than this share of its brightness from one
 * side of the page to the other (uneven light, a camera's vignette) is
 * made even before the ink is thresholded (issue 10: with light falling
 * off by 30 % towards one side, a global threshold turned that side black
 * and the orient stage judged the page sideways at confidence 17). */
#define PAGEIMG_UNEVEN 0.15

PIX *pageimg_even(PIX *g)
{
	PIX *s = pixScaleAreaMap2(g), *r = s ? pixScaleAreaMap2(s) : NULL, *r8 = r ? pixScaleAreaMap2(r) : NULL;
	PIX *out = NULL;
	float lo = 255, hi = 0;
	int w, h, i;

	pixDestroy(&s);
	pixDestroy(&r);
	if (!r8)
		return NULL;
	w = pixGetWidth(r8);
	h = pixGetHeight(r8);
	for (i = 0; i < 4 && w >= 6 && h >= 6; i++) {
		BOX *box = i == 0 ? boxCreate(0, 0, w / 3, h) : i == 1 ? boxCreate(w - w / 3, 0, w / 3, h) : i == 2 ? boxCreate(0, 0, w, h / 3) : boxCreate(0, h - h / 3, w, h / 3);
		PIX *part = box ? pixClipRectangle(r8, box, NULL) : NULL;
		l_uint32 v = 255;
		if (part && pixGetRankValue(part, 1, 0.9f, &v) == 0) {
			if (v > 255)
				v = 255;
			if (v < lo)
				lo = (float)v;
			if (v > hi)
				hi = (float)v;
		}
		pixDestroy(&part);
		boxDestroy(&box);
	}
	pixDestroy(&r8);
	if (hi > 0 && hi - lo > PAGEIMG_UNEVEN * hi)
		out = pixBackgroundNormSimple(g, NULL, NULL);
	return out;
}

/* Colour this saturated (max - min over max, of 255) and this far from grey
 * is coloured ink: a seal, a pen. */
#define PAGEIMG_SEAL_SAT 90
#define PAGEIMG_SEAL_CHROMA 40

PIX *pageimg_noseal(PIX *pix)
{
	PIX *g;
	int w, h, x, y, wpls, wpld;
	l_uint32 *ds, *dd;

	if (pixGetDepth(pix) != 32)
		return NULL;
	w = pixGetWidth(pix);
	h = pixGetHeight(pix);
	g = pixCreate(w, h, 8);
	if (!g)
		return NULL;
	pixCopyResolution(g, pix);
	ds = pixGetData(pix);
	dd = pixGetData(g);
	wpls = pixGetWpl(pix);
	wpld = pixGetWpl(g);
	for (y = 0; y < h; y++) {
		const l_uint32 *s = ds + y * wpls;
		l_uint32 *d = dd + y * wpld;
		for (x = 0; x < w; x++) {
			int r = (s[x] >> L_RED_SHIFT) & 0xff, gr = (s[x] >> L_GREEN_SHIFT) & 0xff, b = (s[x] >> L_BLUE_SHIFT) & 0xff;
			int mx = r > gr ? (r > b ? r : b) : (gr > b ? gr : b), mn = r < gr ? (r < b ? r : b) : (gr < b ? gr : b);
			int v = (3 * r + 5 * gr + 2 * b + 5) / 10;
			if (mx - mn >= PAGEIMG_SEAL_CHROMA && (mx - mn) * 255 >= PAGEIMG_SEAL_SAT * mx)
				v = mx;
			SET_DATA_BYTE(d, x, v);
		}
	}
	return g;
}

PIX *pageimg_ink(PIX *pix, l_uint32 *paper)
{
	PIX *g, *b;
	l_int32 t = 128;
	l_uint32 pg = 255;

	if (paper)
		*paper = 255;
	if (pixGetDepth(pix) == 1)
		return pixClone(pix);
	g = pageimg_grey(pix);
	if (!g)
		return NULL;
	{
		PIX *even = pageimg_even(g);
		if (even) {
			pixDestroy(&g);
			g = even;
		}
	}
	pixSplitDistributionFgBg(g, 0.1f, 4, &t, NULL, NULL, NULL);
	pixGetRankValue(g, 4, 0.9f, &pg);
	if (pg > 255) /* Leptonica's value of the top histogram bin */
		pg = 255;
	if (t > (l_int32)(0.75 * pg))
		t = (l_int32)(0.75 * pg);
	b = pixThresholdToBinary(g, t);
	pixDestroy(&g);
	if (paper)
		*paper = pg;
	return b;
}

PIX *pageimg_reduce(PIX *b, int *dpi, int limit)
{
	while (b && *dpi >= limit) {
		PIX *r = pixReduceRankBinary2(b, 1, NULL);
		pixDestroy(&b);
		b = r;
		*dpi /= 2;
	}
	return b;
}

PIX *pageimg_tiff_rgba(const char *path, int index)
{
	TIFF *t = TIFFOpen(path, "r");
	uint32_t w = 0, h = 0;
	uint16_t spp = 1, bps = 1, unit = RESUNIT_INCH;
	float xres = 0, yres = 0;
	char emsg[1024];
	PIX *pix = NULL, *out;
	if (!t)
		return NULL;
	if (!TIFFSetDirectory(t, (tdir_t)index) || !TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) ||
	    !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h) || w == 0 || h == 0 || w > 0x7fffffu || h > 0x7fffffu ||
	    !TIFFRGBAImageOK(t, emsg))
		goto out;
	TIFFGetFieldDefaulted(t, TIFFTAG_SAMPLESPERPIXEL, &spp);
	TIFFGetFieldDefaulted(t, TIFFTAG_BITSPERSAMPLE, &bps);
	if (!(pix = pixCreate((l_int32)w, (l_int32)h, 32)))
		goto out;
	/* A 32-bit PIX is one word per pixel with no padding: the raster fits. */
	if (!TIFFReadRGBAImageOriented(t, w, h, (uint32_t *)pixGetData(pix), ORIENTATION_TOPLEFT, 1)) {
		pixDestroy(&pix);
		goto out;
	}
	{
		l_uint32 *d = pixGetData(pix);
		for (size_t i = 0, n = (size_t)w * h; i < n; i++) {
			uint32_t v = d[i];
			composeRGBPixel((l_int32)TIFFGetR(v), (l_int32)TIFFGetG(v), (l_int32)TIFFGetB(v), &d[i]);
		}
	}
	if (TIFFGetField(t, TIFFTAG_XRESOLUTION, &xres) && TIFFGetField(t, TIFFTAG_YRESOLUTION, &yres)) {
		TIFFGetFieldDefaulted(t, TIFFTAG_RESOLUTIONUNIT, &unit);
		if (unit == RESUNIT_CENTIMETER) {
			xres *= 2.54f;
			yres *= 2.54f;
		}
		pixSetResolution(pix, (l_int32)(xres + 0.5f), (l_int32)(yres + 0.5f));
	}
	if (spp == 1) {
		out = bps == 1 ? pixConvertTo1(pix, 128) : pixConvertRGBToLuminance(pix);
		if (out)
			pixCopyResolution(out, pix);
		pixDestroy(&pix);
		pix = out;
	}
out:
	TIFFClose(t);
	return pix;
}

int pageimg_xheight(PIX *bin)
{
	BOXA *boxa = pixConnCompBB(bin, 8);
	int n, h, hist[130] = { 0 }, best = 0, total = 0;
	if (!boxa)
		return 0;
	n = boxaGetCount(boxa);
	for (int i = 0; i < n; i++) {
		int bx, by, bw, bh;
		boxaGetBoxGeometry(boxa, i, &bx, &by, &bw, &bh);
		if (bh >= 3 && bh <= 128 && bw >= 2 && bw <= 2 * bh) {
			hist[bh]++;
			total++;
		}
	}
	boxaDestroy(&boxa);
	if (total < 50)
		return 0;
	for (h = 3; h <= 128; h++)
		if (hist[h - 1] + 2 * hist[h] + hist[h + 1] > hist[best ? best - 1 : 0] + 2 * hist[best] + hist[best + 1])
			best = h;
	return best;
}
