/*
 * capture.c - the first page stage: decode the master scan, validate it,
 * record what it is (width, height, dpi, bit depth, colour type), check the
 * scanner profile's rules, and write the normalized access copy (8-bit grey,
 * 1-bit or 24-bit RGB as PNM: alpha flattened on white, 16-bit reduced to 8,
 * palette expanded) that the later stages work on.  The master is only read.
 *
 * Error policy: what cannot be decoded or is absurd (empty, not an image,
 * truncated, 1x1, larger than ingest.max_pixels) is bad input: STAGE_BAD,
 * quarantined with the reason.  A readable scan that breaks the profile's
 * rules (too low a resolution, too few colours) is held for the operator
 * (STAGE_HOLD): rescan, or release it.  The size is checked from the header
 * before any pixel is decoded, so a header claiming 100000x100000 px costs
 * nothing.
 */
#include <leptonica/allheaders.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>

#include "config.h"
#include "fsio.h"
#include "pageimg.h"
#include "stage.h"

static const struct conf_key capture_keys[] = {
	{"capture.min_side", CONF_INT, "64", 1, 100000, "smallest accepted image side in pixels (a page is never smaller)"},
	{0},
};

/* libtiff reports through a handler: keep the first error of this page. */
static char tiff_error[256];

static void on_tiff_error(const char *module, const char *fmt, va_list ap)
{
	char msg[200];
	if (tiff_error[0])
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	snprintf(tiff_error, sizeof(tiff_error), "%s%s%s", module ? module : "", module ? ": " : "", msg);
}

static void on_tiff_warning(const char *module, const char *fmt, va_list ap)
{
	(void)module;
	(void)fmt;
	(void)ap;
}

static int capture_init(struct stage_ctx *ctx, struct errbuf *err)
{
	(void)ctx;
	(void)err;
	setMsgSeverity(L_SEVERITY_NONE);
	TIFFSetErrorHandler(on_tiff_error);
	TIFFSetWarningHandler(on_tiff_warning);
	return 0;
}

/* The format a file's first bytes claim, for a clearer message when the
 * decoder gives up on it. */
static const char *magic_kind(const char *path)
{
	unsigned char m[8] = {0};
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(m, 1, sizeof(m), f) : 0;
	if (f)
		fclose(f);
	if (n >= 4 && ((m[0] == 'I' && m[1] == 'I' && m[2] == 42) || (m[0] == 'M' && m[1] == 'M' && m[3] == 42)))
		return "TIFF";
	if (n >= 3 && m[0] == 0xff && m[1] == 0xd8 && m[2] == 0xff)
		return "JPEG";
	if (n >= 4 && m[0] == 0x89 && m[1] == 'P' && m[2] == 'N' && m[3] == 'G')
		return "PNG";
	return NULL;
}

static bool is_tiff(l_int32 f)
{
	return f == IFF_TIFF || f == IFF_TIFF_G4 || f == IFF_TIFF_G3 || f == IFF_TIFF_LZW || f == IFF_TIFF_ZIP ||
	       f == IFF_TIFF_PACKBITS || f == IFF_TIFF_RLE || f == IFF_TIFF_JPEG;
}

static const char *colour_name(int d, int spp, bool cmap)
{
	if (cmap)
		return "palette";
	if (d == 1)
		return "bitonal";
	if (spp == 4)
		return "rgba";
	if (spp == 3 || d == 32 || d == 24)
		return "rgb";
	return "grey";
}

/* Decode one image of the master.  NULL with err set on failure. */
static PIX *decode(const char *path, const char *name, l_int32 fmt, int index, struct errbuf *err)
{
	PIX *pix = NULL;
	tiff_error[0] = '\0';
	if (is_tiff(fmt)) {
		pix = pixReadTiff(path, index);
		if (tiff_error[0]) {
			pixDestroy(&pix);
			err_set(err, "cannot read '%s': %s", name, tiff_error);
			return NULL;
		}
	} else if (fmt == IFF_JFIF_JPEG) {
		l_int32 nwarn = 0;
		pix = pixReadJpeg(path, 0, 1, &nwarn, 0); /* 0: fail on bad data */
		if (pix && nwarn > 0) {
			pixDestroy(&pix);
			err_set(err, "cannot read '%s': corrupt or truncated JPEG data", name);
			return NULL;
		}
	} else {
		pix = pixRead(path);
	}
	if (!pix)
		err_set(err, "cannot read '%s': the image data is damaged or truncated", name);
	return pix;
}

/* 8-bit grey, 1-bit or 32-bit RGB, no alpha, no palette. */
static PIX *normalize(PIX *pix)
{
	PIX *t, *cur = pixClone(pix);
	int d = pixGetDepth(cur);
	if (pixGetColormap(cur)) {
		t = pixRemoveColormap(cur, REMOVE_CMAP_BASED_ON_SRC);
		pixDestroy(&cur);
		cur = t;
		d = pixGetDepth(cur);
	}
	if (d == 16) {
		t = pixConvert16To8(cur, L_MS_BYTE);
		pixDestroy(&cur);
		cur = t;
	} else if (d == 2 || d == 4) {
		t = pixConvertTo8(cur, 0);
		pixDestroy(&cur);
		cur = t;
	} else if (d == 32 && pixGetSpp(cur) == 4) {
		t = pixAlphaBlendUniform(cur, 0xffffff00);
		pixDestroy(&cur);
		cur = t;
		pixSetSpp(cur, 3);
	} else if (d == 24) {
		t = pixConvert24To32(cur);
		pixDestroy(&cur);
		cur = t;
	}
	return cur;
}

static enum stage_rc capture_run(struct stage_ctx *ctx, struct errbuf *err)
{
	const struct stage_page *pg = ctx->page;
	const char *path = pg->master_path;
	l_int32 fmt = IFF_UNKNOWN, w = 0, h = 0, bps = 0, spp = 0, cmap = 0, xres = 0, yres = 0;
	struct stat st;
	PIX *pix = NULL, *norm = NULL;
	char *out = NULL, detail[256];
	const char *colour;
	long min_dpi, min_side = stage_conf_long(ctx, "min_side");
	double max_pixels = stage_conf_double(ctx, "ingest.max_pixels");
	enum stage_rc rc = STAGE_BAD;
	int bits;

	if (stat(path, &st) != 0) {
		err_set(err, "cannot read '%s' (master of '%s'): missing", path, pg->src_name);
		return STAGE_RETRY;
	}
	if (st.st_size == 0) {
		err_set(err, "'%s' is empty (0 bytes)", pg->src_name);
		return STAGE_BAD;
	}
	if (findFileFormat(path, &fmt) != 0 || fmt == IFF_UNKNOWN) {
		const char *kind = magic_kind(path);
		if (kind) {
			err_set(err, "cannot read '%s': damaged or truncated %s", pg->src_name, kind);
			return STAGE_BAD;
		}
		err_set(err, "'%s' is not an image sohoa can read (not TIFF, JPEG, PNG, PNM, BMP or JPEG 2000)", pg->src_name);
		return STAGE_BAD;
	}
	/* Size from the header first: never decode a bomb. */
	if (is_tiff(fmt)) {
		FILE *f = fopen(path, "rb");
		l_int32 r = f ? readHeaderTiff(path, pg->img_index, &w, &h, &bps, &spp, NULL, &cmap, NULL) : 1;
		if (f)
			fclose(f);
		if (r != 0) {
			err_set(err, "cannot read '%s': bad TIFF header%s%s", pg->src_name, tiff_error[0] ? ": " : "", tiff_error);
			return STAGE_BAD;
		}
	} else if (pixReadHeader(path, NULL, &w, &h, &bps, &spp, &cmap) != 0) {
		err_set(err, "cannot read '%s': bad or truncated image header", pg->src_name);
		return STAGE_BAD;
	}
	if ((double)w * (double)h > max_pixels) {
		err_set(err, "'%s' is too large: %dx%d px is more than ingest.max_pixels (%.0f)", pg->src_name, w, h, max_pixels);
		return STAGE_BAD;
	}
	if (w < min_side || h < min_side) {
		err_set(err, "'%s' is too small to be a page: %dx%d px (capture.min_side is %ld)", pg->src_name, w, h, min_side);
		return STAGE_BAD;
	}
	pix = decode(path, pg->src_name, fmt, pg->img_index, err);
	if (!pix)
		return STAGE_BAD;
	xres = pixGetXRes(pix);
	yres = pixGetYRes(pix);
	bits = pixGetColormap(pix) ? 8 : pixGetDepth(pix) == 32 ? 8 * (pixGetSpp(pix) == 4 ? 4 : 3) : pixGetDepth(pix);
	if (bps == 16 && spp >= 3)
		bits = 16 * spp;
	colour = colour_name(pixGetDepth(pix), pixGetSpp(pix), pixGetColormap(pix) != NULL);
	if (xres <= 0) {
		long assume = stage_profile(ctx, "assume_dpi") ? strtol(stage_profile(ctx, "assume_dpi"), NULL, 10) : 0;
		xres = yres = (l_int32)assume;
	}
	norm = normalize(pix);
	stage_set_int(ctx, "width", pixGetWidth(norm));
	stage_set_int(ctx, "height", pixGetHeight(norm));
	stage_set_int(ctx, "dpi", xres);
	stage_set_int(ctx, "bits", bits);
	stage_set_text(ctx, "colour", colour);
	snprintf(detail, sizeof(detail), "'%s': %dx%d px, %d dpi, %d-bit %s", pg->src_name, pixGetWidth(norm),
		 pixGetHeight(norm), xres, bits, colour);

	/* The profile's rules. */
	min_dpi = stage_profile(ctx, "min_dpi") ? strtol(stage_profile(ctx, "min_dpi"), NULL, 10) : 200;
	if (xres <= 0) {
		err_set(err, "'%s' does not say its resolution and profile '%s' assumes none; rescan, or set assume_dpi", pg->src_name, pg->profile);
		rc = STAGE_HOLD;
		goto out;
	}
	if (xres < min_dpi || (yres > 0 && yres < min_dpi)) {
		err_set(err, "'%s' is %d dpi; profile '%s' needs at least %ld dpi", pg->src_name, xres, pg->profile, min_dpi);
		rc = STAGE_HOLD;
		goto out;
	}
	{
		const char *need = stage_profile(ctx, "colour");
		long min_bits = stage_profile(ctx, "min_bits") ? strtol(stage_profile(ctx, "min_bits"), NULL, 10) : 0;
		bool is_colour = !strcmp(colour, "rgb") || !strcmp(colour, "rgba") || !strcmp(colour, "palette");
		if (need && !strcmp(need, "colour") && !is_colour) {
			err_set(err, "'%s' is %s; profile '%s' needs a colour scan (24-bit or more)", pg->src_name, colour, pg->profile);
			rc = STAGE_HOLD;
			goto out;
		}
		if (need && !strcmp(need, "grey") && !strcmp(colour, "bitonal")) {
			err_set(err, "'%s' is bitonal; profile '%s' needs grey or colour", pg->src_name, pg->profile);
			rc = STAGE_HOLD;
			goto out;
		}
		if (bits < min_bits) {
			err_set(err, "'%s' is %d-bit; profile '%s' needs at least %ld bits per pixel", pg->src_name, bits, pg->profile, min_bits);
			rc = STAGE_HOLD;
			goto out;
		}
	}
	if (pageimg_write(ctx, norm, "capture.pnm", &out, err) < 0) {
		rc = STAGE_RETRY;
		goto out;
	}
	stage_set_text(ctx, "access_path", out);
	stage_event(ctx, "validation", "success", detail);
	rc = STAGE_OK;
out:
	if (rc == STAGE_HOLD)
		stage_event(ctx, "validation", "failure", err->msg);
	free(out);
	pixDestroy(&norm);
	pixDestroy(&pix);
	return rc;
}

const struct stage stage_capture = {
	.name = "capture",
	.unit = STAGE_PAGE,
	.summary = "decode and check each scan against its scanner profile; write the access copy",
	.keys = capture_keys,
	.init = capture_init,
	.run = capture_run,
};
