/*
 * test_pdfa.c - the PDF/A writer: a two-page scanned document (colour JPEG
 * page with an hOCR text layer, bitonal G4 page without) plus a text page,
 * re-read to check the header, the exact cross-reference offsets, the
 * trailer and the XMP; and the small string helpers, table-driven.
 * usage: test_pdfa [OUTDIR]  (default: a fresh folder under /tmp)
 */
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "formats/pdf/pdfa.h"
#include "unit.h"

static const char hocr[] =
	"<div class='ocr_page' id='page_1' title='image \"x\"; bbox 0 0 800 600; ppageno 0'>\n"
	" <div class='ocr_carea' title='bbox 100 100 700 160'><p class='ocr_par'>\n"
	"  <span class='ocr_line' title='bbox 100 100 700 160; baseline 0 -12; x_size 50; x_descenders 10; x_ascenders 12'>\n"
	"   <span class='ocrx_word' title='bbox 100 100 260 160; x_wconf 95'>Luật</span>\n"
	"   <span class='ocrx_word' title='bbox 280 100 420 160; x_wconf 91'>Hải</span>\n"
	"   <span class='ocrx_word' title='bbox 440 100 700 160; x_wconf 88'><strong>quan</strong></span>\n"
	"  </span>\n"
	"  <span class='ocr_line' title='bbox 100 200 500 260; baseline 0 -10; x_size 50'>\n"
	"   <span class='ocrx_word' title='bbox 100 200 300 260; x_wconf 90'>xuất</span>\n"
	"   <span class='ocrx_word' title='bbox 320 200 500 260; x_wconf 90'>khẩu</span>\n"
	"  </span></p></div></div>\n";

/* Check that every xref entry points at "N 0 obj" and startxref at "xref". */
static int check_xref(const char *pdf, size_t len)
{
	const char *sx, *x;
	long start, i, n;
	int bad = 0;
	sx = NULL;
	for (x = pdf + len - 10; x > pdf; x--)
		if (strncmp(x, "startxref\n", 10) == 0) {
			sx = x;
			break;
		}
	if (!sx)
		return -1;
	start = strtol(sx + 10, NULL, 10);
	if (start <= 0 || (size_t)start >= len || strncmp(pdf + start, "xref\n0 ", 7) != 0)
		return -2;
	n = strtol(pdf + start + 7, NULL, 10);
	x = strchr(pdf + start + 7, '\n') + 1;
	if (strncmp(x, "0000000000 65535 f \n", 20) != 0)
		return -3;
	for (i = 1; i < n; i++) {
		const char *e = x + 20 * i;
		long off = strtol(e, NULL, 10);
		char want[32];
		snprintf(want, sizeof want, "%ld 0 obj\n", i);
		if (e[10] != ' ' || strncmp(e + 11, "00000 n \n", 9) != 0 || off <= 0 || (size_t)off >= len ||
		    strncmp(pdf + off, want, strlen(want)) != 0)
			bad++;
	}
	return bad ? -4 : (int)n;
}

int main(int argc, char **argv)
{
	static const struct { int64_t ms; const char *want; } dates[] = {
		{ 0, "D:19700101070000+07'00'" },
		{ 1751353402000LL, "D:20250701140322+07'00'" },
	};
	static const struct { const char *in, *want; } strs[] = {
		{ "abc", "(abc)" },
		{ "a(b)\\", "(a\\(b\\)\\\\)" },
		{ "Hồ sơ", "<FEFF00481ED30020007301A1>" },
		{ "", "()" },
	};
	struct pdfa_meta meta = { "Hồ sơ lưu trữ số 1", "Văn phòng Chính phủ", "Tài liệu số hóa", NULL, "vi", NULL, 1751353402000LL };
	struct errbuf err;
	struct pdfa *d;
	char dirbuf[] = "/tmp/test_pdfa.XXXXXX", *dir, *path, *data = NULL;
	size_t len = 0, i;
	PIX *colour, *bitonal;

	for (i = 0; i < sizeof dates / sizeof dates[0]; i++) {
		char out[40];
		pdfa_date(dates[i].ms, out, sizeof out);
		CHECK_STR(out, dates[i].want);
	}
	for (i = 0; i < sizeof strs / sizeof strs[0]; i++) {
		struct strbuf sb;
		sb_init(&sb, 0);
		pdfa_add_text_string(&sb, strs[i].in);
		CHECK_STR(sb.buf, strs[i].want);
		sb_release(&sb);
	}

	dir = argc > 1 ? argv[1] : mkdtemp(dirbuf);
	CHECK(dir != NULL);
	if (!dir)
		return unit_done("test_pdfa");
	path = xasprintf("%s/doc.pdf", dir);
	colour = pixCreate(800, 600, 32);
	pixSetAllArbitrary(colour, 0xf0e0c000);
	{
		BOX *box = boxCreate(100, 100, 600, 60);
		pixSetInRectArbitrary(colour, box, 0x20202000);
		boxDestroy(&box);
	}
	bitonal = pixCreate(640, 480, 1);
	pixSetOrClearBorder(bitonal, 40, 40, 40, 40, PIX_SET);

	err_init(&err);
	d = pdfa_open(path, &meta, NULL, &err);
	CHECK(d != NULL);
	if (!d) {
		fprintf(stderr, "%s\n", err.msg);
		return unit_done("test_pdfa");
	}
	CHECK(pdfa_add_pix(d, colour, 200, hocr, strlen(hocr), &err) == 0);
	CHECK(pdfa_add_pix(d, bitonal, 300, NULL, 0, &err) == 0);
	CHECK(pdfa_page_begin(d, 595.28, 841.89, &err) == 0);
	pdfa_text(d, 72, 760, 14, "Mục lục hồ sơ");
	pdfa_line(d, 72, 750, 523, 750, 0.5);
	CHECK(pdfa_text_width(d, "Mục lục hồ sơ", 14) > 50);
	CHECK(pdfa_add_pix(d, colour, 200, NULL, 0, &err) < 0); /* text page still open */
	err_init(&err);
	CHECK(pdfa_page_end(d, &err) == 0);
	CHECK(pdfa_pages(d) == 3);
	CHECK(pdfa_close(d, &err) == 0);
	if (err.set)
		fprintf(stderr, "%s\n", err.msg);

	CHECK(fsio_read(path, &data, &len, 1u << 26, &err) == 0);
	if (data) {
		CHECK(len > 100 && memcmp(data, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n", 15) == 0);
		CHECK(check_xref(data, len) > 10);
		CHECK(memmem(data, len, "<pdfaid:part>2</pdfaid:part>", 28) != NULL);
		CHECK(memmem(data, len, "<pdfaid:conformance>B</pdfaid:conformance>", 42) != NULL);
		CHECK(memmem(data, len, "/ID [<", 6) != NULL);
		CHECK(memmem(data, len, "/S /GTS_PDFA1", 13) != NULL);
		CHECK(memmem(data, len, "/CCITTFaxDecode", 15) != NULL);
		CHECK(memmem(data, len, "/DCTDecode", 10) != NULL);
		CHECK(memmem(data, len, "/Encrypt", 8) == NULL);
		CHECK(memmem(data, len, "/JavaScript", 11) == NULL);
		CHECK(memmem(data, len, "/SMask", 6) == NULL);
		CHECK(memmem(data, len, "Hồ sơ lưu trữ số 1", strlen("Hồ sơ lưu trữ số 1")) != NULL);
		CHECK(str_ends(data + len - 7, "%%EOF\n"));
	}
	free(data);

	/* failures: no pages, unreadable image, missing font */
	{
		char *p2 = xasprintf("%s/empty.pdf", dir);
		struct pdfa_opts bad = { 0, "/nonexistent/font.ttf", NULL };
		err_init(&err);
		d = pdfa_open(p2, &meta, &bad, &err);
		CHECK(d != NULL);
		CHECK(pdfa_add_image(d, "/nonexistent/p3.png", 0, NULL, &err) < 0);
		CHECK(strstr(err.msg, "cannot read '/nonexistent/p3.png'") != NULL);
		err_init(&err);
		CHECK(pdfa_page_begin(d, 100, 100, &err) < 0);
		err_init(&err);
		CHECK(pdfa_close(d, &err) < 0);
		CHECK(strstr(err.msg, "no pages") != NULL);
		CHECK(access(p2, F_OK) != 0);
		free(p2);
	}
	if (argc < 2) {
		unlink(path);
		rmdir(dir);
	}
	free(path);
	pixDestroy(&colour);
	pixDestroy(&bitonal);
	return unit_done("test_pdfa");
}
