/*
 * propose.h - OCR-assisted metadata: from the OCR text of a document (NFC
 * UTF-8) in the layout of Nghị định 30/2020 Phụ lục I, propose số
 * (codeNumber), ký hiệu (codeNotation), the date (issuedDate), cơ quan ban
 * hành (organName), tên loại (typeName, a code of the typeName list) and
 * trích yếu (subject), each with a confidence in [0, 1].  Proposals are
 * stored with meta.source = 'proposed' and never replace an entered value;
 * the operator accepts them (`sohoa meta accept`).
 */
#ifndef SOHOA_PROPOSE_H
#define SOHOA_PROPOSE_H

#include "engine/db.h"
#include <stdint.h>

#include "archive/meta.h"
#include "engine/util.h"

enum { PROPOSE_CODE_NUMBER, PROPOSE_CODE_NOTATION, PROPOSE_ISSUED_DATE, PROPOSE_ORGAN_NAME,
       PROPOSE_TYPE_NAME, PROPOSE_SUBJECT, PROPOSE_NFIELDS };

struct propose_item {
	const char *field;     /* the TT05 field name */
	char *value;           /* NULL when nothing was found */
	double confidence;
};

struct proposal {
	struct propose_item item[PROPOSE_NFIELDS];
};

/* Propose from text.  hocr: the same pages' hOCR (Tesseract's word
 * confidences), or NULL.  types: the typeName code list (labels matched
 * without diacritics, so OCR that lost them still matches); may be NULL.
 * Always succeeds; fields not found have value NULL.  Release with
 * propose_release(). */
void propose_text(const char *text, const char *hocr, const struct meta_codelist *types, struct proposal *out);
void propose_release(struct proposal *p);

/* Load the word-pair table (config/viet-bigrams.tsv, see archive/viet.h)
 * that propose_text() uses from now on in this process to doubt a name's
 * or a subject's words: one the table doubts caps the value's confidence
 * at 0.5.  0, or -1 with err set; 0 without loading when hunspell-vi is
 * not there.  propose_document() loads its workspace's table itself. */
int propose_use_pairs(const char *path, struct errbuf *err);

/* Propose for a document of the workspace: read the OCR text of its pages
 * (pages.text_path, relative to root), store each proposal whose field has
 * no entered value (source 'proposed', with its confidence), in one
 * transaction.  out (may be NULL) gets the proposals. */
int propose_document(struct db *db, const char *root, const struct meta_schema *s, const struct meta_object *doc,
		     const char *agent, struct proposal *out, struct errbuf *err);

/* Accept proposals: fields (all proposed ones when n is 0) change source
 * from 'proposed' to 'operator' after checking the value against the
 * schema.  One transaction; each is an audit event. */
int propose_accept(struct db *db, const struct meta_schema *s, const struct meta_object *doc, int n,
		   char *const *fields, const char *agent, int *accepted, struct errbuf *err);

#endif
