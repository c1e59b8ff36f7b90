/*
 * search.h - full-text search over the pages' OCR text and the TT05
 * metadata, in an SQLite FTS5 table (`search_fts`).  Vietnamese is found
 * with or without diacritics: text and query are folded the same way (NFD,
 * combining marks dropped, đ/Đ -> d, lower case), so "luu tru" finds
 * "lưu trữ" and "Lưu trữ".
 *
 * Rows: a page's text has the page id as rowid; a document's metadata
 * -document_id; a file's metadata -(SEARCH_FILE_BASE + file_id).
 * The index is kept current by the worker when a page's text is committed
 * (search_index_page() in the same transaction), and rebuilt whole by
 * search_reindex() (`sohoa search --reindex`), which also takes every
 * metadata value.
 */
#ifndef SOHOA_SEARCH_H
#define SOHOA_SEARCH_H

#include "engine/db.h"
#include <stdint.h>

#include "engine/util.h"

#define SEARCH_FILE_BASE 1000000000000LL
#define SEARCH_MAX_HITS 200

/* Fold s (UTF-8) for the index: caller frees.  When offsets is not NULL it
 * gets (caller frees) for each byte of the result the offset in s of the
 * character it came from, plus one entry for the end. */
char *search_fold(const char *s, size_t **offsets);

/* Index (or re-index) one page's text from its text_path; a page without
 * text is taken out.  In the caller's transaction.  0 or -1. */
int search_index_page(struct db *db, const char *root, int64_t page_id);
/* Index the metadata of a document or file ("document"/"file", id). */
int search_index_meta(struct db *db, const char *object, int64_t id);
/* Rebuild everything; *npages and *nmeta get the counts.  Own transaction. */
int search_reindex(struct db *db, const char *root, int64_t *npages, int64_t *nmeta, struct errbuf *err);

struct search_hit {
	int64_t page_id;        /* 0 for a metadata hit */
	int64_t document_id;    /* 0 when none */
	int64_t file_id;        /* 0 when none */
	int64_t batch_id;
	int seq;                /* the page's number in its batch */
	char *document;         /* document name, or NULL */
	char *station;          /* the page's station, or NULL */
	char *snippet;          /* text around the first match; [[ ]] mark it */
};

/* Find up to max hits (pages in order, then metadata).  An empty or
 * word-less query is an error.  Returns the number of hits or -1. */
int search_query(struct db *db, const char *root, const char *query, int max, struct search_hit **hits,
		 struct errbuf *err);
void search_hits_free(struct search_hit *hits, int n);

#endif
