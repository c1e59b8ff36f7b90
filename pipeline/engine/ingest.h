/*
 * ingest.h - register scans: copy each file into the masters store
 * (content-addressed by SHA-256, read-only, never modified again), record it
 * and its images as pages of a batch, and queue their first stage.  The same
 * bytes ingested twice are refused.  A multi-page TIFF gives one page per
 * image; a PDF (a scanner's or copier's, recognised by its content) one page
 * per PDF page.
 */
#ifndef SOHOA_INGEST_H
#define SOHOA_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct workspace;
struct pipeline;

struct ingest_opts {
	const char *file_code, *station, *operator_name, *profile;
	const char *docs;    /* the operator's page ranges per document, "1-3,4-7,8-" */
	long expect_pages;   /* with docs: the pages the files hold (checked at open) */
	bool progress;       /* draw a progress bar on stderr */
	bool quiet_dups;     /* hot folder: an already ingested file is not an error */
	bool nofollow;       /* hot folder: a symbolic link is refused, never followed */
};

struct ingest_batch;

/* Open a batch (NULL on error, err set).  The profile must exist; the file
 * code (o->file_code, else ingest.file_code) must be a valid mã hồ sơ or the
 * legacy 169/HD alias of a registered file, which is resolved to its code;
 * o->docs, when given, must map o->expect_pages pages.  Nothing is written
 * when any of these is wrong. */
struct ingest_batch *ingest_open(struct workspace *ws, const struct pipeline *pl, const struct ingest_opts *o,
				 struct errbuf *err);
/* Add one file.  Returns the number of pages added (>= 1), 0 when the same
 * bytes were already ingested (err says where), -1 on error. */
int ingest_add(struct ingest_batch *b, const char *path, struct errbuf *err);
/* Close the batch, in one transaction: record the operator's mapping (when
 * the batch holds the pages it maps; otherwise a warning, and the profile's
 * rules map it), run the fan-in check and apply the file's priority and
 * gate to the new jobs.  Returns its id, 0 when no page came in, -1.  When
 * the map was not applied, the batch is closed and err holds the warning. */
int64_t ingest_close(struct ingest_batch *b, struct errbuf *err);

/*
 * A new scan of a page whose rescan was requested (pagefix_rescan(), `jobs
 * rescan`, the desk): the file, which must hold one image, becomes a new
 * page of the old page's batch at its place, and replaces it in its
 * document (jobq_replace_page()); the old page and its master are kept,
 * out of every document, and the request is marked done with the new page.
 * Both are recorded (an ingestion event, a rescan event on the old page).
 * Returns the new page's id, or -1 with err set (nothing written).
 */
int64_t ingest_rescan(struct workspace *ws, const struct pipeline *pl, int64_t page_id, const char *path,
		      const char *operator_name, struct errbuf *err);

/* The station's own settings, DIR/station.conf (DIR is inbox/STATION):
 * which scanner profile it has, who operates it, which file it is scanning
 * (keys profile, operator, file_code; what is not given comes from
 * ingest.*).  Fills those of *o with strings ingest_station_free() frees;
 * 0 also when there is no such file; -1 with err set ("FILE:LINE: ...")
 * when it is wrong: nothing is taken then, as a scan ingested under the
 * wrong profile or file would be wrong too.  The file is of unknown
 * origin: a link is not followed, its content never quoted in a message. */
int ingest_station_conf(const char *dir, struct ingest_opts *o, struct errbuf *err);
void ingest_station_free(struct ingest_opts *o);

/* One pass over the hot folders DIR/inbox/STATION/: take every complete file
 * (stable size and mtime for ingest.stable_seconds, not hidden, not *.part),
 * ingest it, and move it to DIR/inbox/STATION/.done/.  Returns the number of
 * files taken. */
int ingest_watch_once(struct workspace *ws, const struct pipeline *pl);

/* The scan files of a folder (not hidden; images and PDFs by extension),
 * sorted by name, as paths the caller frees with the array; NULL and *n = 0
 * when there are none or the folder cannot be read. */
char **ingest_list_folder(const char *dir, int *n);
/* How many images (pages) the file holds: TIFF pages, PDF pages, 1 for
 * everything else; -1 with err set when pdfinfo cannot run.  *is_pdf (when
 * not NULL) says whether it is a PDF. */
int ingest_count_images(const char *path, bool *is_pdf, struct errbuf *err);

#endif
