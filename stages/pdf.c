/*
 * pdf.c - the pdf stage: one PDF/A-2b per document, each page its access
 * image at full resolution with the invisible OCR text layer of its hOCR
 * (blank pages keep their image and carry no text).
 *
 * The stage joins: each page's content was made ahead by the pdfpage
 * stage (derived/pages/<id>/page.pdfpart, formats/pdf/pdfa_part.h), and
 * here its objects are copied in order and the document-wide ones written.
 * A part is used only while the inputs it records (the hOCR's SHA-256, the
 * access copy's identity, dpi, JPEG quality) match the page's now; a part
 * that is stale (a word corrected at the desk after it was made), missing
 * (no pdfpage stage in the pipeline) or damaged is made again here, by the
 * same function, so the text layer is never an old one.  The creation
 * event says how many pages were made here and why.
 *
 * The file goes to derived/docs/<id>/unsigned/<doc name>.pdf through pdfa_close(),
 * which writes a temporary file, fsyncs and renames it, so a crash leaves
 * either the old file or the new one and run() is harmless to repeat.
 * Dublin Core: title from the document (its name when it has none),
 * description "số hóa từ tài liệu giấy", language vi.
 *
 * Error policy: a page image or hOCR that cannot be read is STAGE_BAD (the
 * document is quarantined with the reason); a failed write is STAGE_RETRY;
 * a damaged part is a warning (the part is made again).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/log.h"
#include "engine/stage.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/pdfa_part.h"

static const struct conf_key pdf_keys[] = {
	{ "pdf.jpeg_quality", CONF_INT, "85", 30, 100, "JPEG quality of grey and colour page images in the PDF/A" },
	{ "pdf.creator", CONF_STR, "", 0, 0, "dc:creator of every PDF: the organisation that digitizes (may be empty)" },
	{ 0 }
};

/* Why parts were made here rather than taken from the pdfpage stage. */
struct remade {
	int stale, missing, damaged;
};

/* The part of page pageno: the pdfpage stage's while it matches the
 * page's inputs, else made now.  -1 with err set when the page's own files
 * cannot be read or encoded. */
static int page_part(struct stage_ctx *ctx, const struct stage_doc_page *pg, int pageno, int quality,
		     struct pdfa_part *part, struct remade *why, struct errbuf *err)
{
	const char *hocr = pg->blank ? NULL : pg->hocr_path;
	struct pdfa_part_inputs now;
	struct errbuf perr;
	char *path = stage_page_file(ctx, pg->id, PDFA_PART_LEAF);
	int rc;

	if (pdfa_part_inputs(pg->access_path, pg->dpi, quality, hocr, &now, err) < 0)
		goto fail;
	err_init(&perr);
	if (access(path, F_OK) != 0) {
		why->missing++;
	} else if (pdfa_part_read(path, part, &perr) < 0) {
		log_warn("job %lld: %s; made again", (long long)ctx->job_id, perr.msg);
		why->damaged++;
	} else if (!pdfa_part_inputs_equal(&part->in, &now)) {
		pdfa_part_release(part);
		why->stale++;
	} else {
		free(path);
		return 0;
	}
	rc = pdfa_part_make_file(pg->access_path, pg->dpi, quality, hocr, pageno, part, err);
	free(path);
	return rc;
fail:
	free(path);
	return -1;
}

static enum stage_rc pdf_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct stage_doc *doc = ctx->doc;
	struct pdfa_meta meta;
	struct pdfa_opts opts;
	struct pdfa *d;
	char *leaf, *path;
	const char *creator = stage_conf(ctx, "creator");
	enum stage_rc rc = STAGE_RETRY;
	struct remade why = { 0, 0, 0 };
	int i, quality = (int)stage_conf_long(ctx, "jpeg_quality");
	char *detail = NULL;

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
	opts.jpeg_quality = quality;
	leaf = xasprintf("unsigned/%s.pdf", doc->name); /* the signed copy takes <name>.pdf */
	path = stage_doc_path(ctx, leaf);
	d = pdfa_open(path, &meta, &opts, err);
	if (!d)
		goto out;
	for (i = 0; i < doc->npages; i++) {
		const struct stage_doc_page *pg = &doc->pages[i];
		struct pdfa_part part;
		int added;
		if (!pg->access_path) {
			err_set(err, "page %d of '%s' has no access copy", i + 1, doc->name);
			rc = STAGE_BAD;
			pdfa_abort(d);
			goto out;
		}
		if (page_part(ctx, pg, i + 1, quality, &part, &why, err) < 0) {
			rc = STAGE_BAD;
			pdfa_abort(d);
			goto out;
		}
		added = pdfa_add_part(d, &part, err);
		pdfa_part_release(&part);
		if (added < 0) {
			pdfa_abort(d);
			goto out;
		}
	}
	if (pdfa_close(d, err) < 0)
		goto out;
	stage_set_text(ctx, "pdf_path", path);
	if (why.stale + why.missing + why.damaged == 0)
		detail = xstrdup("PDF/A-2b with an OCR text layer");
	else
		detail = xasprintf("PDF/A-2b with an OCR text layer; %d of %d pages made here (%d stale, %d missing, %d damaged parts)",
				   why.stale + why.missing + why.damaged, doc->npages, why.stale, why.missing, why.damaged);
	stage_event(ctx, "creation", "success", detail);
	rc = STAGE_OK;
out:
	free(detail);
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
