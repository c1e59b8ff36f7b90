/*
 * workspace.h - an archive workspace: a folder holding the config file, the
 * SQLite database and the stores.
 *
 *   DIR/sohoa.conf        documented config (every key, default, bounds)
 *   DIR/sohoa.db          SQLite, WAL mode, versioned schema (db.h)
 *   DIR/inbox/STATION/    hot folders: scanners drop files here
 *   DIR/masters/          master scans, content-addressed, read-only, never modified
 *   DIR/derived/pages/ID/ access copies, text, hOCR, ALTO per page
 *   DIR/derived/docs/ID/  PDF/A and signed PDF per document
 *   DIR/exports/          transfer packages
 *   DIR/quarantine/       bad input, kept with the reason, never deleted
 *   DIR/tmp/              temporary files (emptied by the supervisor at start)
 *
 * Every command finds its workspace from -C DIR, else $SOHOA_DIR, else the
 * current folder or the nearest parent holding sohoa.conf.
 */
#ifndef SOHOA_WORKSPACE_H
#define SOHOA_WORKSPACE_H

#include "engine/db.h"

#include "engine/config.h"
#include "engine/util.h"

struct workspace {
	char *root;       /* absolute path */
	struct config *cfg;
	struct db *db;
};

/* Make a new workspace in dir (created if missing; refused if it already
 * holds a sohoa.conf). */
int workspace_init(const char *dir, const char *db_url, struct errbuf *err);
/* Find and open a workspace (dir may be NULL: see above). */
int workspace_open(const char *dir, struct workspace *ws, struct errbuf *err);
void workspace_close(struct workspace *ws);
/* An absolute path inside the workspace; caller frees. */
char *workspace_path(const struct workspace *ws, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Paths in the database are stored relative to the workspace root so that a
 * workspace can be moved; these two are the only conversions.
 * workspace_abs(): the absolute path of a stored one (kept as is when it is
 * already absolute); NULL for NULL; caller frees.  workspace_rel(): what to
 * store for an absolute path: the part after "ROOT/" when it lies inside the
 * workspace, else the path itself (borrowed from `path`).
 */
char *workspace_abs(const char *root, const char *stored);
const char *workspace_rel(const char *root, const char *path);

#endif
