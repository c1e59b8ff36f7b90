/*
 * fuzz_pdfpart.c - reading a page's part (pdfa_part_decode(): the file the
 * pdfpage stage writes and the pdf stage reads back, with a length before
 * every block); a part that decodes is joined into a document in the
 * scratch folder, which is then aborted, so no file is committed.
 */
#include "formats/pdf/pdfa.h"
#include "formats/pdf/pdfa_part.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/out.pdf", fuzz_dir());
	struct pdfa_part part;
	struct errbuf err;
	struct pdfa *d;
	err_init(&err);
	if (pdfa_part_decode((const char *)data, size, "fuzz.pdfpart", &part, &err) == 0) {
		d = pdfa_open(path, NULL, NULL, &err);
		if (d) {
			(void)pdfa_add_part(d, &part, &err);
			pdfa_abort(d);
		}
		pdfa_part_release(&part);
	}
	free(path);
	return 0;
}
