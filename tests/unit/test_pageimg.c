/*
 * test_pageimg.c - the access copies' own PNM reader: bitonal, grey and
 * colour pages written by Leptonica read back pixel for pixel; a short
 * file, a header that claims a huge image and a file that is not PNM are
 * refused (or handed to Leptonica); the grey conversion equals
 * pixConvertTo8's; the resolution rule for pages that do not say theirs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include "formats/image/pageimg.h"
#include "unit.h"

static PIX *test_page(int depth)
{
	PIX *p = pixCreate(333, 217, 32);
	for (int y = 0; y < 217; y++)
		for (int x = 0; x < 333; x++)
			pixSetRGBPixel(p, x, y, (x * 7 + y) & 255, (x * y) & 255, (x + 3 * y) & 255);
	if (depth == 32)
		return p;
	PIX *g = pixConvertTo8(p, 0), *out = depth == 8 ? pixClone(g) : pixThresholdToBinary(g, 128);
	pixDestroy(&g);
	pixDestroy(&p);
	return out;
}

static void write_bytes(const char *path, const char *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(data, 1, n, f) == n);
		fclose(f);
	}
}

int main(void)
{
	char dir[] = "/tmp/test_pageimg.XXXXXX";
	char path[256];
	l_int32 same = 0;
	struct rusage ru;

	setMsgSeverity(L_SEVERITY_NONE);
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/p.pnm", dir);

	/* P4, P5, P6 as Leptonica writes them read back equal */
	for (int d = 1; d <= 32; d = d == 1 ? 8 : 64) {
		PIX *p = test_page(d), *q;
		CHECK(pixWrite(path, p, IFF_PNM) == 0);
		q = pageimg_read_file(path);
		CHECK(q != NULL);
		if (q) {
			CHECK(pixGetDepth(q) == d);
			CHECK(pixEqual(p, q, &same) == 0 && same);
		}
		pixDestroy(&q);
		/* one byte short: refused by both readers */
		{
			FILE *f = fopen(path, "rb");
			char *buf = malloc(1 << 20);
			size_t n = f ? fread(buf, 1, 1 << 20, f) : 0;
			if (f)
				fclose(f);
			write_bytes(path, buf, n - 1);
			free(buf);
			q = pageimg_read_file(path);
			CHECK(q == NULL);
			pixDestroy(&q);
		}
		pixDestroy(&p);
	}

	/* a header that claims 20000 x 20000 colour pixels in a 22-byte file:
	 * refused before 1.6 GB are allocated and zeroed */
	write_bytes(path, "P6\n20000 20000\n255\nxy", 22);
	CHECK(pageimg_read_file(path) == NULL);
	CHECK(getrusage(RUSAGE_SELF, &ru) == 0 && ru.ru_maxrss < 512 * 1024);

	/* not a PNM: Leptonica reads it (PNG), or nothing does */
	{
		PIX *p = test_page(8), *q;
		snprintf(path, sizeof path, "%s/p.png", dir);
		CHECK(pixWrite(path, p, IFF_PNG) == 0);
		q = pageimg_read_file(path);
		CHECK(q != NULL && pixEqual(p, q, &same) == 0 && same);
		pixDestroy(&q);
		pixDestroy(&p);
		write_bytes(path, "not an image at all", 19);
		CHECK(pageimg_read_file(path) == NULL);
		CHECK(pageimg_read_file("/nonexistent/x.pnm") == NULL);
	}

	/* the grey copy is pixConvertTo8's */
	{
		PIX *p = test_page(32), *a = pageimg_grey(p), *b = pixConvertTo8(p, 0);
		CHECK(a && b && pixEqual(a, b, &same) == 0 && same);
		pixDestroy(&a);
		pixDestroy(&b);
		pixDestroy(&p);
	}

	/* resolution: as given, or what makes the short side A4's 8.27 in */
	{
		PIX *p = pixCreate(2480, 3508, 8);
		CHECK(pageimg_dpi(p, 300) == 300);
		CHECK(abs(pageimg_dpi(p, 0) - 300) <= 1);
		pixDestroy(&p);
	}

	/* seals and pen lifted out of the OCR image: red and blue ink turns
	 * pale, black print (also under the seal) stays dark, grey paper stays
	 * as pageimg_grey() has it; a grey page has nothing to lift */
	{
		PIX *p = pixCreate(200, 100, 32), *g, *n, *grey = pixCreate(10, 10, 8);
		l_uint32 v;
		pixSetAllArbitrary(p, 0xe0e0e000);                                  /* grey paper */
		pixRasterop(p, 10, 10, 80, 20, PIX_CLR, NULL, 0, 0);                /* black print */
		pixSetInRectArbitrary(p, &(BOX){ 50, 0, 60, 60, 0 }, 0xd0203000);   /* red seal over it */
		pixRasterop(p, 60, 15, 10, 10, PIX_CLR, NULL, 0, 0);                /* print under the seal */
		pixSetInRectArbitrary(p, &(BOX){ 150, 50, 40, 40, 0 }, 0x2040c000); /* blue pen */
		n = pageimg_noseal(p);
		g = pageimg_grey(p);
		CHECK(n != NULL && pixGetDepth(n) == 8);
		if (n && g) {
			pixGetPixel(n, 100, 40, &v); CHECK(v >= 200);  /* seal */
			pixGetPixel(n, 170, 70, &v); CHECK(v >= 180);  /* pen */
			pixGetPixel(n, 20, 20, &v); CHECK(v < 20);     /* print */
			pixGetPixel(n, 65, 20, &v); CHECK(v < 20);     /* print under the seal */
			pixGetPixel(n, 5, 90, &v); {
				l_uint32 w;
				pixGetPixel(g, 5, 90, &w);
				CHECK(v == w);                         /* paper as the grey copy */
			}
			pixGetPixel(g, 100, 40, &v); CHECK(v < 120);   /* the grey copy keeps the seal dark */
		}
		CHECK(pageimg_noseal(grey) == NULL);
		pixDestroy(&n);
		pixDestroy(&g);
		pixDestroy(&grey);
		pixDestroy(&p);
	}

	unit_rmtree(dir);
	return unit_done("pageimg");
}
