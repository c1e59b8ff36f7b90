/*
 * fscheck.h - does the file system under a workspace keep the promises
 * sohoa's durability rests on (`sohoa fscheck`)?  Several nodes write one
 * shared workspace folder (NFS or the like); each output is written to a
 * temporary name, fsynced, renamed into place and its folder fsynced
 * before the database commits (fsio.h).  The checks, on a file of its own
 * in the folder, removed after:
 *
 *   write, fsync, rename, fsync folder   each call succeeds (no EINVAL/EIO)
 *   rename replaces atomically           the new content under the name, the
 *                                        old still readable by who had it open
 *   exclusive create                     O_CREAT|O_EXCL refuses an existing name
 *   close-to-open                        the mount is not 'nocto' (NFS)
 *   flock                                available (needed only by SQLite's
 *                                        one supervisor per workspace)
 *
 * What cannot be seen from one host (that another host sees the same
 * folder) is what the identity file is for (identity.h).
 */
#ifndef SOHOA_FSCHECK_H
#define SOHOA_FSCHECK_H

#include "engine/util.h"

/* Run the checks in `dir`; one line per check appended to `out` ("ok: ..."
 * or "FAILED: ...", and "note: ..." for what is only informative).
 * Returns the number of checks failed. */
int fscheck_run(const char *dir, struct strbuf *out);

#endif
