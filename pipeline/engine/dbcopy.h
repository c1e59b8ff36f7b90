/*
 * dbcopy.h - move a workspace's database from SQLite to PostgreSQL
 * (`sohoa db migrate --to postgresql://...`), and prove the copy.
 *
 * The target is made by db_open() (the same migrations as any new
 * database) and must hold no work yet.  Every table of the source is
 * copied row by row, every column as stored, ids included, in the order
 * the tables were made (a table is made after those it refers to), in one
 * transaction.  The target's own triggers (the append-only audit log, the
 * counters) are switched off for the copy and on again after it: the copy
 * is the rows as they are, then the rules are installed again over them.
 * The full-text index is not copied but made again from the copied pages
 * and metadata (search.h), as `search --reindex` would.
 *
 * The proof: per table, the number of rows and a checksum computed the same
 * way on both sides by the same code: each row's columns, in the source's
 * order, encoded by the source's declared type (integer, real as %.17g,
 * text with its length, NULL) and hashed with SHA-256; the row digests
 * summed as four 64-bit lanes, so that the checksum does not depend on the
 * order rows come in (PostgreSQL's collation is not SQLite's).
 */
#ifndef SOHOA_DBCOPY_H
#define SOHOA_DBCOPY_H

#include <stdint.h>

#include "engine/db.h"
#include "engine/util.h"

struct dbcopy_table {
	char *name;
	int64_t rows[2];     /* source, target */
	char checksum[2][65]; /* hex */
};

struct dbcopy_report {
	struct dbcopy_table *t;
	int n;
	int differ; /* tables whose count or checksum differ */
};

/* Copy every table of `from` (SQLite) into `to` (a database just opened,
 * empty of work), then count and checksum both.  0 with the report filled
 * (check report->differ), or -1 with err set (nothing committed). */
int dbcopy_run(struct db *from, struct db *to, const char *root, struct dbcopy_report *report, struct errbuf *err);
/* Count and checksum every table of the source on both (no copy). */
int dbcopy_verify(struct db *from, struct db *to, struct dbcopy_report *report, struct errbuf *err);
void dbcopy_report_release(struct dbcopy_report *report);

#endif
