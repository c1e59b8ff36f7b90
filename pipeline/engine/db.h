/*
 * db.h - the SQLite database of a workspace: opening (WAL, busy timeout,
 * foreign keys), the versioned schema and its migrations, and small helpers.
 *
 * The schema (version in PRAGMA user_version; migrations in db.c, applied in
 * order at open, each in its own transaction):
 *
 *   fonds(id, code UNIQUE, name, archive_code, created)
 *   files(id, fonds_id, file_code UNIQUE, title, paper_file_code, alias UNIQUE,
 *         priority, priority_override, created)            -- hồ sơ
 *   documents(id, file_id, batch_id, stt, name UNIQUE, title, state,
 *         pdf_path, signed_path, created)                   -- tài liệu;
 *         UNIQUE(file_id, stt) (migration 2)
 *         state: open (pages may still come) -> ready (document stages run)
 *   meta(object 'file'|'document', object_id, field, value, source,
 *         confidence)                   -- TT05 fields; confidence of a proposal
 *   batches(id, file_code, station, operator, profile, started, finished, npages)
 *   masters(id, sha256 UNIQUE, size, path, src_name, src_path, batch_id,
 *         format, nimages, created)                         -- the scans as received
 *   pages(id, batch_id, master_id, img_index, seq, document_id, split_of,
 *         width, height, dpi, bits, colour, access_path, orient, orient_conf,
 *         skew, blank, ocr_conf, review, text_path, hocr_path, alto_path,
 *         note, created, doc_group, separator)  -- doc_group: the operator's
 *         document mapping at ingest; separator: a separator sheet (migration 2)
 *   selection(file_id, promote, admin_use, approved_by, requests,
 *         deteriorated, deadline)           -- priority inputs (migration 2)
 *   jobs(id, stage, page_id, document_id, state, priority, attempts,
 *         not_before, worker_pid, lease_until, created, updated, claimed_at,
 *         finished_at, error)                               -- see jobq.h
 *   events(id, time, agent, type, object, outcome, detail, job_id)
 *         append-only (triggers refuse UPDATE and DELETE)
 *   nodes(name, host, pid, started, heartbeat, stopped, workers)
 *         -- one row per `run --node NAME` (node.h); jobs.node: the node
 *         whose worker claimed the job (migration 13)
 *   identity(id = 1, identity, created)   -- the folder's id (identity.h)
 *
 * Times are milliseconds since the epoch (UTC).  Text is UTF-8 NFC.
 */
#ifndef SOHOA_DB_H
#define SOHOA_DB_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

/* Open (creating when `create`) and migrate to the current version. */
int db_open(const char *path, bool create, sqlite3 **out, struct errbuf *err);
/* Changes whenever a database is closed (for caches of prepared statements). */
unsigned db_generation(void);
/* Close, finalizing any statement still prepared on it. */
void db_close(sqlite3 *db);
int db_version(sqlite3 *db);

/* Run SQL with no result; on failure err says which statement and why. */
int db_exec(sqlite3 *db, const char *sql, struct errbuf *err);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
int db_begin(sqlite3 *db, struct errbuf *err);
int db_commit(sqlite3 *db, struct errbuf *err);
void db_rollback(sqlite3 *db);

/* Prepare or panic (a bad statement in our source is our bug). */
sqlite3_stmt *db_prepare(sqlite3 *db, const char *sql);
/* First column of the first row of a query as an integer (def if none);
 * the query's parameters are bound from the int64 varargs, count given. */
int64_t db_int(sqlite3 *db, int64_t def, const char *sql, int nargs, ...);
/* Step a statement that returns no row (INSERT, UPDATE, DELETE) and
 * finalize it: 0, or -1 with err set to "WHAT: SQLite's message". */
int db_step_done(sqlite3 *db, sqlite3_stmt *st, const char *what, struct errbuf *err);
/* Column text that may be NULL, as a new string or NULL. */
char *db_col_strdup(sqlite3_stmt *st, int col);

#endif
