/*
 * pdf.c - the pdf stage: one PDF/A-2b per document, each page its access
 * image at full resolution with the invisible OCR text layer of its hOCR
 * (blank pages keep their image and carry no text).
 *
 * The file goes to derived/docs/<id>/unsigned/<doc name>.pdf through pdfa_close(),
 * which writes a temporary file, fsyncs and renames it, so a crash leaves
 * either the old file or the new one and run() is harmless to repeat.
 * Dublin Core: title from the document (its name when it has none),
 * description "số hóa từ tài liệu giấy", language vi.
 *
 * Error policy: a page image or hOCR that cannot be read is STAGE_BAD (the
 * document is quarantined with the reason); a failed write is STAGE_RETRY.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"
#include "formats/pdf/pdfa.h"
#include "engine/stage.h"

static const struct conf_key pdf_keys[] = {
	{ "pdf.jpeg_quality", CONF_INT, "85", 30, 100, "JPEG quality of grey and colour page images in the PDF/A" },
	{ "pdf.creator", CONF_STR, "", 0, 0, "dc:creator of every PDF: the organisation that digitizes (may be empty)" },
	{ 0 }
};

static enum stage_rc pdf_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct stage_doc *doc = ctx->doc;
	struct pdfa_meta meta;
	struct pdfa_opts opts;
	struct pdfa *d;
	char *leaf, *path;
	const char *creator = stage_conf(ctx, "creator");
	enum stage_rc rc = STAGE_RETRY;
	int i;

	if (doc->npages <= 0) {
		err_set(err, "document '%s' has no pages", doc->name);
		return STAGE_BAD;
	}
	memset(&meta, 0, sizeof meta);
	memset(&opts, 0, sizeof opts);
	meta.title = doc->title && *doc->title ? doc->title : doc->name;
	meta.creator = creator && *creator ? creator : NULL;
	meta.description = "số hóa từ tài liệu giấy";
	meta.keywords = doc->file_code && *doc->file_code ? doc->file_code : NULL;
	meta.language = "vi";
	opts.jpeg_quality = (int)stage_conf_long(ctx, "jpeg_quality");
	leaf = xasprintf("unsigned/%s.pdf", doc->name); /* the signed copy takes <name>.pdf */
	path = stage_doc_path(ctx, leaf);
	d = pdfa_open(path, &meta, &opts, err);
	if (!d)
		goto out;
	for (i = 0; i < doc->npages; i++) {
		const struct stage_doc_page *pg = &doc->pages[i];
		const char *hocr = pg->blank ? NULL : pg->hocr_path;
		if (!pg->access_path) {
			err_set(err, "page %d of '%s' has no access copy", i + 1, doc->name);
			rc = STAGE_BAD;
			pdfa_abort(d);
			goto out;
		}
		if (pdfa_add_image(d, pg->access_path, pg->dpi, hocr, err) < 0) {
			rc = STAGE_BAD;
			pdfa_abort(d);
			goto out;
		}
	}
	if (pdfa_close(d, err) < 0)
		goto out;
	stage_set_text(ctx, "pdf_path", path);
	stage_event(ctx, "creation", "success", "PDF/A-2b with an OCR text layer");
	rc = STAGE_OK;
out:
	free(leaf);
	free(path);
	return rc;
}

const struct stage stage_pdf = {
	.name = "pdf",
	.unit = STAGE_DOC,
	.summary = "two-layer PDF/A-2b of a document: page images and the invisible OCR text",
	.keys = pdf_keys,
	.run = pdf_run,
};
