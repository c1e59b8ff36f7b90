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
 *
 * A PDF master (a scanner's or copier's: one image per page) gives page
 * img_index + 1 at its native resolution: when pdfimages lists exactly one
 * image on the page, of type "image", it is extracted losslessly and its
 * x-ppi is the resolution; otherwise (MRC layers, a stencil, text only) the
 * page is rendered with pdftoppm at the ppi of its largest image (300 when
 * none), and the validation event says so.  Then the page goes on like an
 * image file.  The poppler-utils tools run without a shell (poppler_run)
 * and write into tmp/ under a name unique to the job and process, removed
 * on every path.  A PDF they cannot read is bad input; missing tools are a
 * retry.
 */
#include <dirent.h>
#include <leptonica/allheaders.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <tiffio.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/fsio.h"
#include "formats/image/poppler.h"
#include "formats/image/pageimg.h"
#include "engine/stage.h"

static const struct conf_key capture_keys[] = {
	{"capture.min_side", CONF_INT, "64", 1, 100000, "smallest accepted image side in pixels (a page is never smaller)"},
	{"capture.pdf_timeout", CONF_INT, "120", 10, 3600, "seconds pdfinfo, pdfimages or pdftoppm may take on one page of a PDF (a page runs up to three: keep 3x this under job.lease)"},
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

/* Decode one image of the master; `who` names it in messages ("'a.tif'",
 * "'b.pdf' page 3").  NULL with err set on failure. */
static PIX *decode(const char *path, const char *who, l_int32 fmt, int index, struct errbuf *err)
{
	PIX *pix = NULL;
	tiff_error[0] = '\0';
	if (is_tiff(fmt)) {
		pix = pixReadTiff(path, index);
		if (tiff_error[0]) {
			pixDestroy(&pix);
			err_set(err, "cannot read %s: %s", who, tiff_error);
			return NULL;
		}
	} else if (fmt == IFF_JFIF_JPEG) {
		l_int32 nwarn = 0;
		pix = pixReadJpeg(path, 0, 1, &nwarn, 0); /* 0: fail on bad data */
		if (pix && nwarn > 0) {
			pixDestroy(&pix);
			err_set(err, "cannot read %s: corrupt or truncated JPEG data", who);
			return NULL;
		}
	} else {
		pix = pixRead(path);
	}
	if (!pix)
		err_set(err, "cannot read %s: the image data is damaged or truncated", who);
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

/* A page of w x h px is neither a decompression bomb nor too small to be
 * a page; false with err set naming `who`. */
static bool size_ok(struct stage_ctx *ctx, const char *who, long w, long h, struct errbuf *err)
{
	long min_side = stage_conf_long(ctx, "min_side");
	double max_pixels = stage_conf_double(ctx, "ingest.max_pixels");
	if ((double)w * (double)h > max_pixels)
		return err_set(err, "%s is too large: %ldx%ld px is more than ingest.max_pixels (%.0f)", who, w, h, max_pixels), false;
	if (w < min_side || h < min_side)
		return err_set(err, "%s is too small to be a page: %ldx%ld px (capture.min_side is %ld)", who, w, h, min_side), false;
	return true;
}

/* One row of `pdfimages -list`. */
struct pdf_img {
	char type[16], colour[16], enc[16];
	int w, h, comp, bpc, xppi, yppi;
};

/* The images pdfimages lists for the page (out: its -list output); returns
 * how many rows were read, at most max into v. */
static int pdf_list_parse(char *out, struct pdf_img *v, int max)
{
	int n = 0;
	for (char *sp = NULL, *line = strtok_r(out, "\n", &sp); line; line = strtok_r(NULL, "\n", &sp)) {
		struct pdf_img r;
		int page, num, obj, gen;
		char interp[8];
		/* an image object, or one inline in the content ("[inline]" for
		 * its object and generation) */
		if (sscanf(line, "%d %d %15s %d %d %15s %d %d %15s %7s %d %d %d %d", &page, &num, r.type, &r.w, &r.h, r.colour,
			   &r.comp, &r.bpc, r.enc, interp, &obj, &gen, &r.xppi, &r.yppi) != 14 &&
		    sscanf(line, "%d %d %15s %d %d %15s %d %d %15s %7s [inline] %d %d", &page, &num, r.type, &r.w, &r.h, r.colour,
			   &r.comp, &r.bpc, r.enc, interp, &r.xppi, &r.yppi) != 12)
			continue; /* the header lines */
		if (n < max)
			v[n] = r;
		n++;
	}
	return n;
}

/* The PDF has "%%EOF" in the last 1024 bytes before its trailing white
 * space and NUL padding: a file cut short by a copy or a scanner that
 * stopped does not. */
static bool pdf_has_eof(const char *path)
{
	static char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");
	if (!f)
		return false;
	if (fseek(f, -(long)sizeof(buf), SEEK_END) != 0)
		rewind(f);
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	while (n > 0 && (buf[n - 1] == '\0' || strchr(" \t\r\n\f", buf[n - 1])))
		n--;
	return memmem(buf + (n > 1024 ? n - 1024 : 0), n > 1024 ? 1024 : n, "%%EOF", 5) != NULL;
}

/* What pdfimages's "enc" column means, for people. */
static const char *pdf_enc_name(const char *enc)
{
	static const char *const names[][2] = {
		{"jpeg", "JPEG"}, {"ccitt", "CCITT fax"}, {"image", "Flate or uncompressed"}, {"jbig2", "JBIG2"}, {"jpx", "JPEG 2000"},
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(enc, names[i][0]))
			return names[i][1];
	return enc;
}

/* Remove dir/prefix* (this job's temporary files). */
static void pdf_remove_tmp(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(prefix);
	while (d && (e = readdir(d))) {
		if (strncmp(e->d_name, prefix, n) == 0) {
			char *p = xasprintf("%s/%s", dir, e->d_name);
			unlink(p);
			free(p);
		}
	}
	if (d)
		closedir(d);
}

/* The file dir/prefix* when there is exactly one (caller frees), else NULL;
 * *count gets how many there are. */
static char *pdf_find_tmp(const char *dir, const char *prefix, int *count)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char *found = NULL;
	size_t n = strlen(prefix);
	*count = 0;
	while (d && (e = readdir(d)))
		if (strncmp(e->d_name, prefix, n) == 0 && ++*count == 1)
			found = xasprintf("%s/%s", dir, e->d_name);
	if (*count != 1) {
		free(found);
		found = NULL;
	}
	if (d)
		closedir(d);
	return found;
}

/* Run a poppler tool on the page; STAGE_OK when it exited 0 (its messages
 * then are about problems it repaired, e.g. a rebuilt cross-reference
 * table), else the job's outcome with err set: a tool that crashed, hung
 * or refused the file is bad input; one that could not run is retried. */
static enum stage_rc pdf_tool(const char *const argv[], int timeout_s, const char *who, char **out, struct errbuf *err)
{
	char *errout = NULL, msg[300];
	struct errbuf why;
	int status;
	enum stage_rc rc = STAGE_OK;
	err_init(&why);
	status = poppler_run(argv, timeout_s, out, &errout, &why);
	poppler_msg(errout, msg, sizeof(msg));
	if (status < 0) {
		err_set(err, "cannot read %s: %s", who, why.msg);
		rc = status == POPPLER_RUN_CRASHED ? STAGE_BAD : STAGE_RETRY;
	} else if (status != 0) {
		if (msg[0])
			err_set(err, "cannot read %s: %s: %s", who, argv[0], msg);
		else
			err_set(err, "cannot read %s: %s failed (exit status %d)", who, argv[0], status);
		rc = STAGE_BAD;
	}
	free(errout);
	return rc;
}

/*
 * Page pg->img_index of a PDF master as an image at its native resolution
 * (set on the image).  Returns STAGE_OK with *ppix, *bps and *spp (as the
 * PDF has them) and `how` (for the validation event), else the job's outcome
 * with err set.  Temporary files are removed on every path.
 */
static enum stage_rc pdf_page(struct stage_ctx *ctx, const char *who, PIX **ppix, l_int32 *bps, l_int32 *spp, char *how,
			      size_t howsz, struct errbuf *err)
{
	const struct stage_page *pg = ctx->page;
	const char *path = pg->master_path;
	double max_pixels = stage_conf_double(ctx, "ingest.max_pixels");
	int timeout_s = (int)stage_conf_long(ctx, "pdf_timeout"), page = pg->img_index + 1, nimg, big = -1;
	char num[16], res[16], *tmpdir = NULL, *prefix = NULL, *out_prefix = NULL, *list = NULL, *file = NULL;
	struct pdf_info info;
	struct pdf_img img[16];
	struct errbuf why;
	enum stage_rc rc = STAGE_BAD;
	PIX *pix = NULL;

	*ppix = NULL;
	err_init(&why);
	if (!pdf_has_eof(path)) {
		err_set(err, "cannot read '%s': a truncated PDF (no %%%%EOF at its end)", pg->src_name);
		return STAGE_BAD;
	}
	switch (poppler_pdfinfo(path, page, timeout_s, &info, &why)) {
	case POPPLER_NOTOOL:
		err_set(err, "cannot read %s: %s", who, why.msg);
		return STAGE_RETRY;
	case POPPLER_BAD:
		err_set(err, "cannot read '%s': %s", pg->src_name, why.msg);
		return STAGE_BAD;
	case POPPLER_OK:
		break;
	}
	if (info.encrypted) {
		err_set(err, "'%s' is encrypted; an archival master must open without a password or restrictions: ask for an unencrypted PDF", pg->src_name);
		return STAGE_BAD;
	}
	if (page > info.pages) {
		err_set(err, "cannot read %s: the PDF has %d page%s", who, info.pages, info.pages == 1 ? "" : "s");
		return STAGE_BAD;
	}
	snprintf(num, sizeof(num), "%d", page);
	tmpdir = xasprintf("%s/tmp", ctx->workspace);
	if (fsio_mkdirs(tmpdir, 0755, err) < 0) {
		rc = STAGE_RETRY;
		goto out;
	}
	prefix = xasprintf("capture-pdf-%lld-%ld-", (long long)ctx->job_id, (long)getpid());
	out_prefix = xasprintf("%s/%s", tmpdir, prefix);
	{
		const char *argv[] = {"pdfimages", "-list", "-f", num, "-l", num, path, NULL};
		if ((rc = pdf_tool(argv, timeout_s, who, &list, err)) != STAGE_OK)
			goto out;
		rc = STAGE_BAD;
	}
	nimg = pdf_list_parse(list, img, 16);
	for (int i = 0; i < nimg && i < 16; i++)
		if (big < 0 || (double)img[i].w * img[i].h > (double)img[big].w * img[big].h)
			big = i;
	if (nimg == 1 && !strcmp(img[0].type, "image") && img[0].xppi > 0) {
		/* JPEG as it is (decode() catches a truncated one), the rest as PNG */
		const char *argv[] = {"pdfimages", "-j", "-png", "-f", num, "-l", num, path, out_prefix, NULL};
		l_int32 ffmt = IFF_UNKNOWN;
		int nfiles;
		if (!size_ok(ctx, who, img[0].w, img[0].h, err))
			goto out;
		if ((rc = pdf_tool(argv, timeout_s, who, NULL, err)) != STAGE_OK)
			goto out;
		rc = STAGE_BAD;
		file = pdf_find_tmp(tmpdir, prefix, &nfiles);
		if (!file) {
			err_set(err, "cannot read %s: pdfimages wrote %d images, not the page's one", who, nfiles);
			goto out;
		}
		if (findFileFormat(file, &ffmt) != 0 || !(pix = decode(file, who, ffmt, 0, err)))
			goto out;
		if (pixGetWidth(pix) != img[0].w || pixGetHeight(pix) != img[0].h) {
			err_set(err, "cannot read %s: pdfimages wrote %dx%d px, not the %dx%d px the page holds", who,
				pixGetWidth(pix), pixGetHeight(pix), img[0].w, img[0].h);
			goto out;
		}
		pixSetResolution(pix, img[0].xppi, img[0].yppi > 0 ? img[0].yppi : img[0].xppi);
		if (info.rotate) {
			/* What the page shows, as the render path gives it. */
			PIX *r = pixRotateOrth(pix, info.rotate / 90);
			if (r) {
				pixDestroy(&pix);
				pix = r;
				if (info.rotate != 180)
					pixSetResolution(pix, img[0].yppi > 0 ? img[0].yppi : img[0].xppi, img[0].xppi);
			}
		}
		*bps = img[0].bpc;
		*spp = img[0].comp;
		snprintf(how, howsz, "the page's %s image extracted%s", pdf_enc_name(img[0].enc), info.rotate ? ", turned as the page shows it" : "");
	} else {
		int dpi = big >= 0 && img[big].xppi > 0 ? img[big].xppi : 300, nfiles, k = 0;
		bool grey = nimg > 0, mono = nimg > 0;
		const char *argv[16];
		double px = (info.page_w / 72.0 * dpi) * (info.page_h / 72.0 * dpi);
		/* render in the colours of what the page holds: a grey or
		 * bitonal scan stays one, for the profile's checks */
		for (int i = 0; i < nimg && i < 16; i++) {
			bool g = !strcmp(img[i].colour, "gray") || !strcmp(img[i].type, "stencil");
			grey = grey && g;
			mono = mono && g && img[i].bpc == 1;
		}
		snprintf(res, sizeof(res), "%d", dpi);
		argv[k++] = "pdftoppm";
		argv[k++] = "-r";
		argv[k++] = res;
		argv[k++] = "-f";
		argv[k++] = num;
		argv[k++] = "-l";
		argv[k++] = num;
		argv[k++] = "-singlefile";
		argv[k++] = "-png";
		if (mono || grey)
			argv[k++] = mono ? "-mono" : "-gray";
		argv[k++] = path;
		argv[k++] = out_prefix;
		argv[k] = NULL;
		if (px > max_pixels) {
			err_set(err, "%s is too large: %.0f pt x %.0f pt at %d dpi is more than ingest.max_pixels (%.0f)", who,
				info.page_w, info.page_h, dpi, max_pixels);
			goto out;
		}
		if ((rc = pdf_tool(argv, timeout_s, who, NULL, err)) != STAGE_OK)
			goto out;
		rc = STAGE_BAD;
		file = pdf_find_tmp(tmpdir, prefix, &nfiles);
		if (!file || !(pix = pageimg_read_file(file))) {
			err_set(err, "cannot read %s: pdftoppm wrote no readable image", who);
			goto out;
		}
		pixSetResolution(pix, dpi, dpi);
		*bps = pixGetDepth(pix) == 1 ? 1 : 8;
		*spp = pixGetDepth(pix) == 32 ? 3 : 1;
		if (nimg == 0)
			snprintf(how, howsz, "rendered at %d dpi: the page holds no image", dpi);
		else if (nimg == 1)
			snprintf(how, howsz, "rendered at %d dpi: the page's only image is a %s", dpi, img[0].type);
		else
			snprintf(how, howsz, "rendered at %d dpi, its largest image's resolution: the page holds %d images", dpi, nimg);
	}
	*ppix = pix;
	pix = NULL;
	rc = STAGE_OK;
out:
	if (prefix)
		pdf_remove_tmp(tmpdir, prefix);
	pixDestroy(&pix);
	free(file);
	free(list);
	free(out_prefix);
	free(prefix);
	free(tmpdir);
	return rc;
}

static enum stage_rc capture_run(struct stage_ctx *ctx, struct errbuf *err)
{
	const struct stage_page *pg = ctx->page;
	const char *path = pg->master_path;
	l_int32 fmt = IFF_UNKNOWN, w = 0, h = 0, bps = 0, spp = 0, cmap = 0, xres = 0, yres = 0;
	struct stat st;
	PIX *pix = NULL, *norm = NULL;
	char *out = NULL, detail[768], who[300], how[160] = "";
	const char *colour;
	long min_dpi;
	enum stage_rc rc = STAGE_BAD;
	int bits;

	/* How messages name the page: the file, and for a PDF its page. */
	snprintf(who, sizeof(who), "'%s'", pg->src_name);
	if (stat(path, &st) != 0) {
		err_set(err, "cannot read '%s' (master of '%s'): missing", path, pg->src_name);
		return STAGE_RETRY;
	}
	if (st.st_size == 0) {
		err_set(err, "'%s' is empty (0 bytes)", pg->src_name);
		return STAGE_BAD;
	}
	if (poppler_is_pdf(path)) {
		snprintf(who, sizeof(who), "'%s' page %d", pg->src_name, pg->img_index + 1);
		rc = pdf_page(ctx, who, &pix, &bps, &spp, how, sizeof(how), err);
		if (rc != STAGE_OK)
			return rc;
		rc = STAGE_BAD;
		goto decoded;
	}
	if (findFileFormat(path, &fmt) != 0 || fmt == IFF_UNKNOWN) {
		const char *kind = magic_kind(path);
		if (kind) {
			err_set(err, "cannot read '%s': damaged or truncated %s", pg->src_name, kind);
			return STAGE_BAD;
		}
		if (!strcasecmp(path_ext(pg->src_name), "pdf")) {
			err_set(err, "'%s' is not a PDF: it does not start with %%PDF-", pg->src_name);
			return STAGE_BAD;
		}
		err_set(err, "'%s' is not an image sohoa can read (not TIFF, JPEG, PNG, PNM, BMP, JPEG 2000 or PDF)", pg->src_name);
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
	if (!size_ok(ctx, who, w, h, err))
		return STAGE_BAD;
	pix = decode(path, who, fmt, pg->img_index, err);
	if (!pix)
		return STAGE_BAD;
decoded:
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
	snprintf(detail, sizeof(detail), "%s: %dx%d px, %d dpi, %d-bit %s%s%s%s", who, pixGetWidth(norm), pixGetHeight(norm),
		 xres, bits, colour, how[0] ? " (" : "", how, how[0] ? ")" : "");

	/* The profile's rules, unless the operator accepted this scan as is. */
	min_dpi = stage_profile(ctx, "min_dpi") ? strtol(stage_profile(ctx, "min_dpi"), NULL, 10) : 200;
	if (ctx->accepted) {
		/* The rule it broke passes, recorded with who and why. */
		stage_event(ctx, "validation", "accepted as is", ctx->accepted);
		goto write;
	}
	if (xres <= 0) {
		err_set(err, "%s does not say its resolution and profile '%s' assumes none; rescan, or set assume_dpi", who, pg->profile);
		rc = STAGE_HOLD;
		goto out;
	}
	if (xres < min_dpi || (yres > 0 && yres < min_dpi)) {
		err_set(err, "%s is %d dpi; profile '%s' needs at least %ld dpi", who, xres, pg->profile, min_dpi);
		rc = STAGE_HOLD;
		goto out;
	}
	{
		const char *need = stage_profile(ctx, "colour");
		long min_bits = stage_profile(ctx, "min_bits") ? strtol(stage_profile(ctx, "min_bits"), NULL, 10) : 0;
		bool is_colour = !strcmp(colour, "rgb") || !strcmp(colour, "rgba") || !strcmp(colour, "palette");
		if (need && !strcmp(need, "colour") && !is_colour) {
			err_set(err, "%s is %s; profile '%s' needs a colour scan (24-bit or more)", who, colour, pg->profile);
			rc = STAGE_HOLD;
			goto out;
		}
		if (need && !strcmp(need, "grey") && !strcmp(colour, "bitonal")) {
			err_set(err, "%s is bitonal; profile '%s' needs grey or colour", who, pg->profile);
			rc = STAGE_HOLD;
			goto out;
		}
		if (bits < min_bits) {
			err_set(err, "%s is %d-bit; profile '%s' needs at least %ld bits per pixel", who, bits, pg->profile, min_bits);
			rc = STAGE_HOLD;
			goto out;
		}
	}
write:
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
