/*
 * fuzz_hocr.c - hOCR reading: the text layer pdfa_add_pix() builds from a
 * page's hOCR (libxml2's HTML parser, then the ocr_line / ocrx_word boxes),
 * on a small white page; the document is written to the scratch folder
 * once per input and then aborted, so no file is committed.
 */
#include <leptonica/allheaders.h>

#include "formats/pdf/pdfa.h"
#include "fuzz.h"

static PIX *page;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/out.pdf", fuzz_dir());
	struct errbuf err;
	struct pdfa *d;
	if (!page) {
		page = pixCreate(200, 280, 8);
		pixSetAllArbitrary(page, 255);
	}
	err_init(&err);
	d = pdfa_open(path, NULL, NULL, &err);
	if (d) {
		err_init(&err);
		(void)pdfa_add_pix(d, page, 72, (const char *)data, size, &err);
		pdfa_abort(d);
	}
	free(path);
	return 0;
}
