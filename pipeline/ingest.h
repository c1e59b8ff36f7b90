/*
 * ingest.h - register scans: copy each file into the masters store
 * (content-addressed by SHA-256, read-only, never modified again), record it
 * and its images as pages of a batch, and queue their first stage.  The same
 * bytes ingested twice are refused.  A multi-page TIFF gives one page per
 * image.
 */
#ifndef SOHOA_INGEST_H
#define SOHOA_INGEST_H

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

struct workspace;
struct pipeline;

struct ingest_opts {
	const char *file_code, *station, *operator_name, *profile;
	bool progress;       /* draw a progress bar on stderr */
	bool quiet_dups;     /* hot folder: an already ingested file is not an error */
};

struct ingest_batch;

/* Open a batch (NULL on error, err set).  The profile must exist. */
struct ingest_batch *ingest_open(struct workspace *ws, const struct pipeline *pl, const struct ingest_opts *o,
				 struct errbuf *err);
/* Add one file.  Returns the number of pages added (>= 1), 0 when the same
 * bytes were already ingested (err says where), -1 on error. */
int ingest_add(struct ingest_batch *b, const char *path, struct errbuf *err);
/* Close the batch (it may now be mapped to documents); returns its id. */
int64_t ingest_close(struct ingest_batch *b, struct errbuf *err);

/* One pass over the hot folders DIR/inbox/STATION/: take every complete file
 * (stable size and mtime for ingest.stable_seconds, not hidden, not *.part),
 * ingest it, and move it to DIR/inbox/STATION/.done/.  Returns the number of
 * files taken. */
int ingest_watch_once(struct workspace *ws, const struct pipeline *pl);

#endif
