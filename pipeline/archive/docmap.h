/*
 * docmap.h - pages to documents.  The fan-in stage (stages/fanin.c) plans
 * a batch's documents with docmap_plan() outside any write transaction and
 * writes the plan with docmap_apply() in its short commit: every page of
 * the batch that has no document yet gets one (by the operator's mapping
 * given at ingest, by the scanner profile's separator rules, or one
 * document per batch by default), and the new documents are named.
 */
#ifndef SOHOA_DOCMAP_H
#define SOHOA_DOCMAP_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

#include "archive/filecode.h"

struct meta_schema;

/* The tables docmap names documents with, read from a workspace's config/
 * folder before any transaction: the TT05 schema (its naming) or, in older
 * workspaces without tt05-fields.tsv, naming.conf alone. */
struct docmap_tables {
	struct meta_schema *schema;       /* NULL without tt05-fields.tsv */
	struct filecode_naming own;       /* naming.conf, when there is no schema */
	const struct filecode_naming *nm; /* the naming in force */
};
int docmap_tables_load(const char *config_dir, struct docmap_tables *t, struct errbuf *err);
void docmap_tables_release(struct docmap_tables *t);

/* One document of a plan and its pages, in order. */
struct docmap_group {
	int64_t doc;      /* an existing document, or 0: a new one (stt, name) */
	bool attach;      /* doc was registered before scanning: it joins the batch */
	int64_t stt;
	char *name;
	int64_t *pages;
	int npages;
};

/* Which pages of a batch form which documents, with their names. */
struct docmap_plan {
	int64_t batch_id;
	char *file_code;  /* the batch's file, NULL when it names none */
	int64_t file_id;  /* 0: a valid code not yet registered (registered by apply) */
	struct docmap_group *groups;
	int ngroups;
	int64_t *separators; /* separator pages: in no document */
	int nseparators;
	char *stamp;      /* what the plan was made from (apply checks it) */
};

/* Plan the documents of a batch's pages not yet in one; reads only.  root
 * is the workspace (its scanner profiles, the pages' text files).  0 (an
 * empty plan when nothing is left to map) or -1 with err set (a bad
 * profile, a file that cannot take more documents, a database error). */
int docmap_plan(struct db *db, const struct docmap_tables *t, const char *root, int64_t batch_id, struct docmap_plan *p,
		struct errbuf *err);
/* Write a plan in the caller's transaction: documents created (state open)
 * or attached, pages mapped, separators marked.  ids: a malloc'ed array of
 * the plan's document ids (caller frees), *n their count.  Returns 0, 1
 * when the batch or its file changed since the plan was made (nothing
 * written: plan again), or -1 with err set. */
int docmap_apply(struct db *db, const struct docmap_tables *t, const struct docmap_plan *p, int64_t **ids, int *n,
		 struct errbuf *err);
void docmap_plan_release(struct docmap_plan *p);

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
int docmap_operator_map(struct db *db, int64_t batch_id, const char *spec, struct errbuf *err);

/* Parse a list of page ids and ranges ("12,14-17") into a malloc'ed
 * array; returns the count or -1. */
int docmap_parse_pages(const char *spec, int64_t **out, struct errbuf *err);

/* Move pages (by page id) into the document named doc_ref (a document
 * name, a docCode, "document:ID", or "<file code>.<STT>" of a new one,
 * which is created).  Documents left without pages are removed unless they
 * hold metadata or jobs.  affected gets the ids of the documents whose
 * pages changed (caller frees).  In its own transaction when the caller has
 * none open; every move is an audit event. */
int docmap_move(struct db *db, const char *config_dir, const char *doc_ref, const int64_t *pages, int npages,
		const char *agent, int64_t **affected, int *naffected, struct errbuf *err);

#endif
