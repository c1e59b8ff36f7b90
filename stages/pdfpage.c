/*
 * pdfpage.c - the pdfpage stage: a page's PDF content made once, page by
 * page and in parallel, so that the pdf document stage only joins (issue
 * 12: no serial tail).  The part (formats/pdf/pdfa_part.h) holds the
 * encoded image (CCITT G4 for bitonal pages, JPEG at pdf.jpeg_quality for
 * grey and colour), its dictionary, the page size, the text layer of the
 * hOCR (blank pages: none) and the glyphless-font codes it uses, with the
 * inputs it was made from.
 *
 * Output: derived/pages/<id>/page.pdfpart (PDFA_PART_LEAF), written through
 * fsio (tmp, fsync, rename, fsync dir) before the job commits, so run() is
 * harmless to repeat.  The pdf stage uses a part only while its inputs
 * match (a correction at the desk changes the hOCR) and otherwise makes it
 * again itself with the same function.
 *
 * Error policy: an access copy or hOCR that cannot be read, or an image
 * that cannot be encoded, is STAGE_BAD; a failed write is STAGE_RETRY.
 */
#include <stdlib.h>

#include "engine/config.h"
#include "engine/stage.h"
#include "formats/pdf/pdfa_part.h"

static enum stage_rc pdfpage_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct stage_page *pg = ctx->page;
	struct pdfa_part part;
	char *path;
	enum stage_rc rc;
	/* the pdf stage's setting: the part is what that stage would make */
	int quality = (int)config_long(ctx->cfg, "pdf.jpeg_quality");

	if (!pg->access_path) {
		err_set(err, "page %lld: no access copy", (long long)pg->id);
		return STAGE_BAD;
	}
	if (pdfa_part_make_file(pg->access_path, pg->dpi, quality, pg->blank ? NULL : pg->hocr_path, pg->seq, &part,
				err) < 0)
		return STAGE_BAD;
	path = stage_page_path(ctx, PDFA_PART_LEAF);
	rc = pdfa_part_write(&part, path, err) < 0 ? STAGE_RETRY : STAGE_OK;
	pdfa_part_release(&part);
	free(path);
	return rc;
}

const struct stage stage_pdfpage = {
	.name = "pdfpage",
	.unit = STAGE_PAGE,
	.summary = "a page's PDF content made ahead (encoded image, text layer) for the pdf stage to join",
	.run = pdfpage_run,
};
