/*
 * mkimg.c - make test scans for the engine's tests: pages of dark "words" on
 * paper at a given size and resolution, and the bad inputs of the bad-input
 * test.  Output format by extension (.tif LZW, .jpg, .png).
 *
 *   mkimg page OUT [WIDTH HEIGHT DPI SEED]   a page of word-like blocks (RGB)
 *   mkimg check FILE                         decode FILE whole, print WxH
 *   mkimg bad KIND OUT                       KIND: empty trunc-tiff trunc-jpeg
 *                                            text-tif png-alpha tiff16 tiny
 *                                            huge-header palette cmyk-jpeg
 *                                            multi-tiff grey-150 lying-png
 *   mkimg subifd IN OUT                      IN (a page) as a tiled LZW TIFF
 *                                            whose first image has a SubIFD
 *                                            (a half-size preview), as some
 *                                            scanners and cameras write it
 *   mkimg ojpeg IN OUT                       IN (a page) as an old-style JPEG
 *                                            TIFF (Compression 6, the whole
 *                                            JFIF stream given by
 *                                            JPEGInterchangeFormat), as scanners
 *                                            of the 1990s wrote them; grey
 *   mkimg pdf OUT SPEC...                    a scanner-like PDF, one page per
 *                                            SPEC = KIND:WIDTH:HEIGHT:DPI with
 *                                            KIND jpeg (RGB, DCTDecode), g4
 *                                            (bitonal, CCITT G4), flate (8-bit
 *                                            grey, FlateDecode), mrc (a JPEG
 *                                            background and a G4 stencil: two
 *                                            images on one page) or text (no
 *                                            image; WIDTH HEIGHT DPI give its size)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <unistd.h>
#include <zlib.h>

static PIX *page(int w, int h, int dpi, unsigned seed)
{
	PIX *pix = pixCreate(w, h, 32);
	int line_h = dpi / 6, y;
	srand(seed);
	pixSetAllArbitrary(pix, 0xf4f0e600);
	for (y = dpi / 2; y + line_h < h - dpi / 2; y += line_h + line_h / 2) {
		int x = dpi / 2;
		while (x < w - dpi / 2) {
			int ww = dpi / 10 + rand() % (dpi / 3);
			if (x + ww > w - dpi / 2)
				break;
			BOX *b = boxCreate(x, y, ww, line_h);
			pixSetInRectArbitrary(pix, b, 0x20202000);
			boxDestroy(&b);
			x += ww + dpi / 12;
		}
	}
	pixSetResolution(pix, dpi, dpi);
	return pix;
}

static int write_pix(PIX *pix, const char *out)
{
	const char *e = strrchr(out, '.');
	int fmt = IFF_PNG;
	if (e && (!strcmp(e, ".tif") || !strcmp(e, ".tiff")))
		fmt = pixGetDepth(pix) == 1 ? IFF_TIFF_G4 : IFF_TIFF_LZW;
	else if (e && (!strcmp(e, ".jpg") || !strcmp(e, ".jpeg")))
		fmt = IFF_JFIF_JPEG;
	return pixWrite(out, pix, fmt);
}

static int truncate_file(const char *path, double frac)
{
	FILE *f = fopen(path, "rb");
	long n;
	if (!f)
		return 1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	return truncate(path, (off_t)(n * frac));
}

static void put32(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* A PNG whose header claims 100000x100000 px and holds no real data. */
static int huge_header(const char *out, unsigned side)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char ihdr[25], iend[12];
	FILE *f = fopen(out, "wb");
	if (!f)
		return 1;
	put32(ihdr, 13);
	memcpy(ihdr + 4, "IHDR", 4);
	put32(ihdr + 8, side);
	put32(ihdr + 12, side);
	ihdr[16] = 8;   /* bit depth */
	ihdr[17] = 2;   /* RGB */
	ihdr[18] = ihdr[19] = ihdr[20] = 0;
	put32(ihdr + 21, (unsigned)crc32(0, ihdr + 4, 17));
	put32(iend, 0);
	memcpy(iend + 4, "IEND", 4);
	put32(iend + 8, (unsigned)crc32(0, iend + 4, 4));
	fwrite(sig, 1, 8, f);
	fwrite(ihdr, 1, 25, f);
	fwrite(iend, 1, 12, f);
	return fclose(f) != 0;
}

static int cmyk_jpeg(const char *out, int w, int h)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *row = malloc((size_t)w * 4);
	FILE *f = fopen(out, "wb");
	if (!f || !row)
		return 1;
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 4;
	c.in_color_space = JCS_CMYK;
	jpeg_set_defaults(&c);
	c.density_unit = 1;
	c.X_density = c.Y_density = 200;
	jpeg_start_compress(&c, TRUE);
	for (int y = 0; y < h; y++) {
		for (int x = 0; x < w; x++) {
			/* Adobe's convention, which libjpeg's Adobe marker announces
			 * and readers follow: CMYK stored inverted (255 = no ink) */
			int ink = ((y / 20) % 3 == 0 && (x / 40) % 2 == 0) ? 200 : 0;
			row[4 * x] = row[4 * x + 1] = row[4 * x + 2] = 255;
			row[4 * x + 3] = (unsigned char)(255 - ink);
		}
		JSAMPROW r = row;
		jpeg_write_scanlines(&c, &r, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
	free(row);
	return 0;
}

static int bad(const char *kind, const char *out)
{
	PIX *p = NULL, *q = NULL;
	int rc = 0;
	if (!strcmp(kind, "empty")) {
		FILE *f = fopen(out, "wb");
		return f ? fclose(f) : 1;
	}
	if (!strcmp(kind, "text-tif")) {
		FILE *f = fopen(out, "w");
		if (!f)
			return 1;
		fputs("This is a text file, not a scan.\n", f);
		return fclose(f);
	}
	if (!strcmp(kind, "huge-header"))
		return huge_header(out, 100000);
	/* 15000 x 15000 claimed by 57 bytes: under ingest.max_pixels, but
	 * about 1.8 GB to decode and normalize. */
	if (!strcmp(kind, "lying-png"))
		return huge_header(out, 15000);
	if (!strcmp(kind, "cmyk-jpeg"))
		return cmyk_jpeg(out, 1200, 1600);
	if (!strcmp(kind, "trunc-tiff")) {
		p = page(1654, 2339, 200, 7);
		rc = pixWrite(out, p, IFF_TIFF) || truncate_file(out, 0.5);
	} else if (!strcmp(kind, "trunc-jpeg")) {
		p = page(1654, 2339, 200, 8);
		rc = pixWrite(out, p, IFF_JFIF_JPEG) || truncate_file(out, 0.6);
	} else if (!strcmp(kind, "png-alpha")) {
		p = page(1654, 2339, 200, 9);
		pixSetSpp(p, 4);
		pixSetComponentArbitrary(p, L_ALPHA_CHANNEL, 255);
		rc = pixWrite(out, p, IFF_PNG);
	} else if (!strcmp(kind, "tiff16")) {
		q = page(1654, 2339, 200, 10);
		PIX *g = pixConvertRGBToLuminance(q);
		p = pixConvert8To16(g, 8);
		pixDestroy(&g);
		pixSetResolution(p, 200, 200);
		rc = pixWrite(out, p, IFF_TIFF_ZIP);
	} else if (!strcmp(kind, "tiny")) {
		p = pixCreate(1, 1, 8);
		pixSetResolution(p, 200, 200);
		rc = pixWrite(out, p, IFF_PNG);
	} else if (!strcmp(kind, "palette")) {
		q = page(1654, 2339, 200, 11);
		p = pixOctreeQuantNumColors(q, 64, 0);
		pixSetResolution(p, 200, 200);
		rc = pixWrite(out, p, IFF_PNG);
	} else if (!strcmp(kind, "grey-150")) {
		q = page(1240, 1754, 150, 12);
		p = pixConvertRGBToLuminance(q);
		pixSetResolution(p, 150, 150);
		rc = write_pix(p, out);
	} else if (!strcmp(kind, "multi-tiff")) {
		for (int i = 0; i < 3 && !rc; i++) {
			PIX *pg = page(1654, 2339, 200, 20 + (unsigned)i);
			rc = pixWriteTiff(out, pg, IFF_TIFF_LZW, i == 0 ? "w" : "a");
			pixDestroy(&pg);
		}
	} else {
		fprintf(stderr, "mkimg: unknown kind '%s'\n", kind);
		return 2;
	}
	pixDestroy(&p);
	pixDestroy(&q);
	return rc;
}

/*
 * `mkimg pdf`: a PDF as scanners and copiers write it, one image XObject per
 * page drawn over the whole page (/ImageMask false, as a scanner's bitonal
 * G4 page is), so that the test knows each embedded image.  Leptonica
 * compresses the images (pixGenerateCIData); the PDF around them is written
 * here because Leptonica's own writer draws a 1-bit image as a stencil mask.
 */
struct pdfw {
	FILE *f;
	long off[64];
	int nobj;
};

static int pdf_begin_obj(struct pdfw *w)
{
	if (w->nobj + 1 >= 64)
		return -1;
	w->off[++w->nobj] = ftell(w->f);
	fprintf(w->f, "%d 0 obj\n", w->nobj);
	return w->nobj;
}

/* An image XObject from pix compressed as `type`; returns its object number. */
static int pdf_image(struct pdfw *w, PIX *pix, int type, bool mask)
{
	L_COMP_DATA *cid = NULL;
	int n;
	if (pixGenerateCIData(pix, type, 85, 0, &cid) != 0)
		return -1;
	n = pdf_begin_obj(w);
	fprintf(w->f, "<< /Type /XObject /Subtype /Image /Width %d /Height %d /BitsPerComponent %d", cid->w, cid->h, cid->bps);
	if (mask)
		fprintf(w->f, " /ImageMask true");
	else
		fprintf(w->f, " /ColorSpace /%s", cid->spp == 3 ? "DeviceRGB" : "DeviceGray");
	if (type == L_JPEG_ENCODE)
		fprintf(w->f, " /Filter /DCTDecode");
	else if (type == L_G4_ENCODE)
		fprintf(w->f, " /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d /BlackIs1 %s >>", cid->w,
			cid->h, cid->minisblack ? "true" : "false");
	else if (cid->predictor)
		fprintf(w->f, " /Filter /FlateDecode /DecodeParms << /Predictor 14 /Colors %d /BitsPerComponent %d /Columns %d >>",
			cid->spp, cid->bps, cid->w);
	else
		fprintf(w->f, " /Filter /FlateDecode");
	fprintf(w->f, " /Length %zu >>\nstream\n", cid->nbytescomp);
	fwrite(cid->datacomp, 1, cid->nbytescomp, w->f);
	fprintf(w->f, "\nendstream\nendobj\n");
	l_CIDataDestroy(&cid);
	return n;
}

static int pdf_stream(struct pdfw *w, const char *text)
{
	int n = pdf_begin_obj(w);
	fprintf(w->f, "<< /Length %zu >>\nstream\n%s\nendstream\nendobj\n", strlen(text), text);
	return n;
}

/* One page: KIND:W:H:DPI.  Returns the page's object number, or -1. */
static int pdf_page(struct pdfw *w, const char *spec, unsigned seed, int *font)
{
	char kind[16], content[512], res[256];
	int width, height, dpi, im[2] = {0, 0}, pg;
	double pw, ph;
	PIX *rgb, *grey = NULL, *bw = NULL, *bg = NULL;
	if (sscanf(spec, "%15[a-z0-9]:%d:%d:%d", kind, &width, &height, &dpi) != 4 || width < 1 || height < 1 || dpi < 1) {
		fprintf(stderr, "mkimg: bad page '%s' (KIND:WIDTH:HEIGHT:DPI)\n", spec);
		return -1;
	}
	pw = width * 72.0 / dpi;
	ph = height * 72.0 / dpi;
	rgb = page(width, height, dpi, seed);
	grey = pixConvertRGBToLuminance(rgb);
	bw = pixThresholdToBinary(grey, 128);
	if (!strcmp(kind, "jpeg")) {
		im[0] = pdf_image(w, rgb, L_JPEG_ENCODE, false);
	} else if (!strcmp(kind, "g4")) {
		im[0] = pdf_image(w, bw, L_G4_ENCODE, false);
	} else if (!strcmp(kind, "flate")) {
		im[0] = pdf_image(w, grey, L_FLATE_ENCODE, false);
	} else if (!strcmp(kind, "mrc")) {
		/* A half-resolution colour background and a full-resolution
		 * text layer painted through as a stencil, as MRC compressors
		 * write them. */
		bg = pixScale(rgb, 0.5, 0.5);
		im[0] = pdf_image(w, bg, L_JPEG_ENCODE, false);
		im[1] = pdf_image(w, bw, L_G4_ENCODE, true);
	} else if (strcmp(kind, "text") != 0) {
		fprintf(stderr, "mkimg: unknown page kind '%s'\n", kind);
		im[0] = -1;
	}
	pixDestroy(&bg);
	pixDestroy(&bw);
	pixDestroy(&grey);
	pixDestroy(&rgb);
	if (im[0] < 0 || im[1] < 0)
		return -1;
	if (!strcmp(kind, "text")) {
		if (!*font) {
			*font = pdf_begin_obj(w);
			fprintf(w->f, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>\nendobj\n");
		}
		snprintf(content, sizeof(content), "BT /F1 24 Tf 72 %.2f Td (A page of text only) Tj ET", ph - 96);
		snprintf(res, sizeof(res), "/Font << /F1 %d 0 R >>", *font);
	} else if (im[1]) {
		snprintf(content, sizeof(content), "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q q 0 g %.4f 0 0 %.4f 0 0 cm /Im1 Do Q", pw, ph, pw, ph);
		snprintf(res, sizeof(res), "/XObject << /Im0 %d 0 R /Im1 %d 0 R >>", im[0], im[1]);
	} else {
		snprintf(content, sizeof(content), "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q", pw, ph);
		snprintf(res, sizeof(res), "/XObject << /Im0 %d 0 R >>", im[0]);
	}
	{
		int c = pdf_stream(w, content);
		pg = pdf_begin_obj(w);
		fprintf(w->f, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Contents %d 0 R /Resources << %s >> >>\nendobj\n",
			pw, ph, c, res);
	}
	return pg;
}

static int pdf(const char *out, int npages, char **specs)
{
	struct pdfw w = {0};
	int pages[32], font = 0, rc = 0;
	long xref;
	if (npages > 8) {
		fprintf(stderr, "mkimg: at most 8 pages\n");
		return 2;
	}
	if (!(w.f = fopen(out, "wb")))
		return 1;
	fprintf(w.f, "%%PDF-1.4\n%%\xe2\xe3\xcf\xd3\n");
	w.nobj = 2; /* 1: catalog, 2: page tree, written last */
	for (int i = 0; i < npages && !rc; i++)
		if ((pages[i] = pdf_page(&w, specs[i], 30 + (unsigned)i, &font)) < 0)
			rc = 1;
	if (!rc) {
		w.off[1] = ftell(w.f);
		fprintf(w.f, "1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
		w.off[2] = ftell(w.f);
		fprintf(w.f, "2 0 obj\n<< /Type /Pages /Count %d /Kids [", npages);
		for (int i = 0; i < npages; i++)
			fprintf(w.f, " %d 0 R", pages[i]);
		fprintf(w.f, " ] >>\nendobj\n");
		xref = ftell(w.f);
		fprintf(w.f, "xref\n0 %d\n0000000000 65535 f \n", w.nobj + 1);
		for (int i = 1; i <= w.nobj; i++)
			fprintf(w.f, "%010ld 00000 n \n", w.off[i]);
		fprintf(w.f, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%ld\n%%%%EOF\n", w.nobj + 1, xref);
	}
	return fclose(w.f) != 0 || rc;
}

/* One tiled LZW RGB image of pix into t (the current directory). */
static int tiled_dir(TIFF *t, PIX *pix, int subifds)
{
	uint32_t w = (uint32_t)pixGetWidth(pix), h = (uint32_t)pixGetHeight(pix), tw = 128, th = 128;
	unsigned char *tile = malloc((size_t)tw * th * 3);
	toff_t sub[1] = {0};
	int rc = 0;
	if (!tile)
		return 1;
	TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
	TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
	TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 8);
	TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 3);
	TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_RGB);
	TIFFSetField(t, TIFFTAG_PLANARCONFIG, PLANARCONFIG_CONTIG);
	TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_LZW);
	TIFFSetField(t, TIFFTAG_TILEWIDTH, tw);
	TIFFSetField(t, TIFFTAG_TILELENGTH, th);
	TIFFSetField(t, TIFFTAG_RESOLUTIONUNIT, RESUNIT_INCH);
	TIFFSetField(t, TIFFTAG_XRESOLUTION, (float)pixGetXRes(pix));
	TIFFSetField(t, TIFFTAG_YRESOLUTION, (float)pixGetYRes(pix));
	if (subifds)
		TIFFSetField(t, TIFFTAG_SUBIFD, 1, sub);
	for (uint32_t y = 0; y < h && !rc; y += th)
		for (uint32_t x = 0; x < w && !rc; x += tw) {
			for (uint32_t j = 0; j < th; j++)
				for (uint32_t i = 0; i < tw; i++) {
					l_int32 r = 255, g = 255, b = 255;
					if (x + i < w && y + j < h)
						pixGetRGBPixel(pix, (l_int32)(x + i), (l_int32)(y + j), &r, &g, &b);
					tile[(j * tw + i) * 3] = (unsigned char)r;
					tile[(j * tw + i) * 3 + 1] = (unsigned char)g;
					tile[(j * tw + i) * 3 + 2] = (unsigned char)b;
				}
			rc = TIFFWriteTile(t, tile, x, y, 0, 0) < 0;
		}
	free(tile);
	return rc || !TIFFWriteDirectory(t);
}

static int subifd(const char *in, const char *out)
{
	PIX *p = pixRead(in), *rgb, *half;
	TIFF *t;
	int rc;
	if (!p)
		return 1;
	rgb = pixConvertTo32(p);
	half = pixScale(rgb, 0.5, 0.5);
	pixCopyResolution(rgb, p);
	pixCopyResolution(half, p);
	t = TIFFOpen(out, "w");
	rc = !t || tiled_dir(t, rgb, 1) || tiled_dir(t, half, 0);
	if (t)
		TIFFClose(t);
	pixDestroy(&p);
	pixDestroy(&rgb);
	pixDestroy(&half);
	return rc;
}

static void put16le(unsigned char *p, unsigned v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32le(unsigned char *p, unsigned v)
{
	put16le(p, v & 0xffff);
	put16le(p + 2, v >> 16);
}

/* An old-style JPEG TIFF written by hand (libtiff cannot write one): a
 * little-endian header, the IFD, the resolution, then the JFIF stream as
 * the one strip and as the JPEGInterchangeFormat. */
static int ojpeg(const char *in, const char *out)
{
	PIX *p = pixRead(in), *g;
	l_uint8 *jpeg = NULL;
	size_t len = 0;
	unsigned char hdr[8 + 2 + 14 * 12 + 4 + 16];
	unsigned char *e;
	unsigned res_off = 8 + 2 + 14 * 12 + 4, data_off = res_off + 16, dpi;
	FILE *f;
	int n = 0, rc;
	if (!p)
		return 1;
	dpi = pixGetXRes(p) > 0 ? (unsigned)pixGetXRes(p) : 200;
	g = pixConvertTo8(p, 0);
	rc = !g || pixWriteMemJpeg(&jpeg, &len, g, 85, 0) != 0;
	if (!rc) {
		memset(hdr, 0, sizeof(hdr));
		memcpy(hdr, "II*\0", 4);
		put32le(hdr + 4, 8);
		put16le(hdr + 8, 14);
		e = hdr + 10;
#define TAG(tag, type, count, value) (put16le(e, tag), put16le(e + 2, type), put32le(e + 4, count), \
				      (type) == 3 ? put16le(e + 8, value) : put32le(e + 8, value), e += 12, n++)
		TAG(256, 4, 1, (unsigned)pixGetWidth(g));
		TAG(257, 4, 1, (unsigned)pixGetHeight(g));
		TAG(258, 3, 1, 8);
		TAG(259, 3, 1, 6);       /* old-style JPEG */
		TAG(262, 3, 1, 1);       /* min-is-black grey */
		TAG(273, 4, 1, data_off);
		TAG(277, 3, 1, 1);
		TAG(278, 4, 1, (unsigned)pixGetHeight(g));
		TAG(279, 4, 1, (unsigned)len);
		TAG(282, 5, 1, res_off);
		TAG(283, 5, 1, res_off + 8);
		TAG(296, 3, 1, 2);       /* inch */
		TAG(513, 4, 1, data_off); /* JPEGInterchangeFormat */
		TAG(514, 4, 1, (unsigned)len);
#undef TAG
		put32le(e, 0); /* no next IFD */
		put32le(hdr + res_off, dpi);
		put32le(hdr + res_off + 4, 1);
		put32le(hdr + res_off + 8, dpi);
		put32le(hdr + res_off + 12, 1);
		rc = n != 14 || !(f = fopen(out, "wb"));
		if (!rc) {
			rc = fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) || fwrite(jpeg, 1, len, f) != len;
			rc |= fclose(f) != 0;
		}
	}
	free(jpeg);
	pixDestroy(&g);
	pixDestroy(&p);
	return rc;
}

int main(int argc, char **argv)
{
	setMsgSeverity(L_SEVERITY_NONE);
	if (argc >= 3 && !strcmp(argv[1], "page")) {
		int w = argc > 3 ? atoi(argv[3]) : 1654, h = argc > 4 ? atoi(argv[4]) : 2339;
		int dpi = argc > 5 ? atoi(argv[5]) : 200;
		unsigned seed = argc > 6 ? (unsigned)atoi(argv[6]) : 1;
		PIX *p = page(w, h, dpi, seed);
		int rc = write_pix(p, argv[2]);
		pixDestroy(&p);
		return rc;
	}
	if (argc == 3 && !strcmp(argv[1], "check")) {
		/* Decode a file completely: exit 0 and print WxH when it is whole. */
		PIX *p = pixRead(argv[2]);
		if (!p)
			return 1;
		printf("%dx%d\n", pixGetWidth(p), pixGetHeight(p));
		pixDestroy(&p);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "bad"))
		return bad(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "subifd"))
		return subifd(argv[2], argv[3]);
	if (argc == 4 && !strcmp(argv[1], "ojpeg"))
		return ojpeg(argv[2], argv[3]);
	if (argc >= 4 && !strcmp(argv[1], "pdf"))
		return pdf(argv[2], argc - 3, argv + 3);
	fprintf(stderr, "usage: mkimg page OUT [W H DPI SEED] | mkimg bad KIND OUT | mkimg subifd IN OUT | mkimg ojpeg IN OUT | mkimg pdf OUT KIND:W:H:DPI...\n");
	return 2;
}
