/*
 * pagefix.h - what a person changes on a page after OCR, from the desk or
 * the command line: a word corrected (kept as a correction with the old and
 * new text and an audit event, and put into the page's text, hOCR and ALTO,
 * so that the document's PDF text layer says it when the PDF is rebuilt,
 * which is queued at once), the review of a page accepted, a rescan asked
 * for with a reason (the station's list shows it until a new scan is
 * ingested for it).
 */
#ifndef SOHOA_PAGEFIX_H
#define SOHOA_PAGEFIX_H

#include "engine/db.h"
#include <stdint.h>

#include "engine/util.h"

/* Correct the hOCR word `word_id` ("word_1_23") of a page to `text`.
 * first_doc_stage: the pipeline's first document stage ("pdf"), rebuilt
 * for the page's document; NULL for none.  The files are written
 * (write, fsync, rename) before the correction commits. */
int pagefix_correct(struct db *db, const char *root, int64_t page_id, const char *word_id, const char *text,
		    const char *first_doc_stage, const char *agent, struct errbuf *err);
/* The page was looked at and is right: its review flag is cleared. */
int pagefix_accept(struct db *db, int64_t page_id, const char *agent, struct errbuf *err);
/* Ask the page's station for a new scan of it (the station's list shows
 * it until `sohoa ingest --rescan PAGE FILE` or the desk takes the new
 * scan: ingest_rescan()); a job of the page that its stage stopped (held,
 * quarantined) is marked as waiting for the rescan (jobq_request_rescan). */
int pagefix_rescan(struct db *db, int64_t page_id, const char *reason, const char *agent, struct errbuf *err);

#endif
