/*
 * docmap.h - pages to documents.  The engine calls docmap_assign() once per
 * batch, inside the transaction in which the batch's last page passes the
 * last page stage (the document fan-in).  It gives every page of the batch
 * that has no document yet a document (by the operator's mapping given at
 * ingest, by the scanner profile's separator rules, or one document per
 * batch by default), names the new documents, and returns their ids so the
 * engine can queue the document stages for them.
 */
#ifndef SOHOA_DOCMAP_H
#define SOHOA_DOCMAP_H

#include <sqlite3.h>
#include <stdint.h>

#include "engine/util.h"

struct config;

/* ids: filled with a malloc'ed array of document ids now ready (caller
 * frees), *n their count.  root is the workspace (its config/ tables, its
 * scanner profiles, the pages' text files).  Runs inside the caller's
 * transaction. */
int docmap_assign(sqlite3 *db, const char *root, int64_t batch_id, int64_t **ids, int *n, struct errbuf *err);

#endif

/*
 * The rules, in order (docmap.c):
 *  1. the operator's mapping given at ingest (pages.doc_group, set by
 *     docmap_operator_map()): one document per group;
 *  2. the scanner profile's separator rule, profile key `separator`:
 *     "none" (default), "blank" (a blank page, or a run of them, ends a
 *     document and belongs to none), or "text" (a page whose OCR text holds
 *     the profile's `separator_text` is a separator sheet; with `duplex =
 *     yes` the blank back of a separator sheet is a separator too);
 *  3. otherwise one document for the batch.
 * Separator pages keep document_id NULL and get pages.separator = 1.  The
 * file is resolved from batches.file_code (a file code or a legacy alias; a
 * valid code not yet registered is registered); documents pre-registered
 * without pages (by a CSV import) take the groups first, in STT order; new
 * documents take the next STT of the file.  Names follow config/naming.conf.
 */

/* Check an operator's mapping against a batch of npages pages: page ranges
 * by position (1-based, in seq order), one range per document, in order,
 * covering every page once; the last range may be open ("8-").  Returns the
 * number of documents and gives in *ends (malloc'ed, caller frees) the last
 * page of each; -1 with err saying which range and why. */
int docmap_parse_map(const char *spec, long npages, long **ends, struct errbuf *err);

/* Record the operator's mapping of a batch: spec is page ranges by position
 * in the batch (1-based, in seq order), one range per document, e.g.
 * "1-3,4-7,8-" (the last range may be open).  The ranges must cover every
 * page once, in order.  In the caller's transaction. */
int docmap_operator_map(sqlite3 *db, int64_t batch_id, const char *spec, struct errbuf *err);

/* Parse a list of page ids and ranges ("12,14-17") into a malloc'ed
 * array; returns the count or -1. */
int docmap_parse_pages(const char *spec, int64_t **out, struct errbuf *err);

/* Move pages (by page id) into the document named doc_ref (a document
 * name, a docCode, "document:ID", or "<file code>.<STT>" of a new one,
 * which is created).  Documents left without pages are removed unless they
 * hold metadata or jobs.  affected gets the ids of the documents whose
 * pages changed (caller frees).  In its own transaction when the caller has
 * none open; every move is an audit event. */
int docmap_move(sqlite3 *db, const char *config_dir, const char *doc_ref, const int64_t *pages, int npages,
		const char *agent, int64_t **affected, int *naffected, struct errbuf *err);
