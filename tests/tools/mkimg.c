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
 *                                            multi-tiff grey-150
 */
#include <stdio.h>
#include <stddef.h>
#include <jpeglib.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
static int huge_header(const char *out)
{
	static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
	unsigned char ihdr[25], iend[12];
	FILE *f = fopen(out, "wb");
	if (!f)
		return 1;
	put32(ihdr, 13);
	memcpy(ihdr + 4, "IHDR", 4);
	put32(ihdr + 8, 100000);
	put32(ihdr + 12, 100000);
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
		return huge_header(out);
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
	fprintf(stderr, "usage: mkimg page OUT [W H DPI SEED] | mkimg bad KIND OUT\n");
	return 2;
}
