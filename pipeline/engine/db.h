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
 *
 * The rest of the tree reaches the database only through this interface
 * (issue 13): a handle (struct db), prepared statements (struct db_stmt)
 * with ?N parameters numbered from 1 and columns numbered from 0, and the
 * helpers below.  The backend behind it is chosen at db_open() and lives in
 * one file (engine/db_sqlite.c); nothing else includes its headers.
 */
#ifndef SOHOA_DB_H
#define SOHOA_DB_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct db;      /* an open database */
struct db_stmt; /* a prepared statement of one database */

/* What db_step() returns. */
enum db_step_rc {
	DB_ERROR = -1,     /* failed: db_errmsg() says why */
	DB_ROW = 100,      /* a row is ready to be read with db_col_*() */
	DB_DONE = 101,     /* the statement has run to its end */
	DB_CONSTRAINT = 19 /* failed on a UNIQUE, CHECK, NOT NULL or foreign key constraint */
};

/* What db_col_type() returns. */
enum db_type { DB_INTEGER = 1, DB_FLOAT = 2, DB_TEXT = 3, DB_BLOB = 4, DB_NULL = 5 };

/* Open (creating when `create`) and migrate to the current version: a
 * SQLite file, or PostgreSQL when path is a postgresql:// URL (db_is_url). */
bool db_is_url(const char *path);
int db_open(const char *path, bool create, struct db **out, struct errbuf *err);
/* Changes whenever a database is closed (for caches of prepared statements). */
unsigned db_generation(void);
/* Close, finalizing any statement still prepared on it. */
void db_close(struct db *db);
int db_version(struct db *db);
/* The backend's name: "sqlite" or "postgresql". */
const char *db_backend(const struct db *db);

/* Run SQL with no result (several statements separated by ';'); on failure
 * err (which may be NULL) says which statement and why. */
int db_exec(struct db *db, const char *sql, struct errbuf *err);
/* Begin a transaction that takes the write lock now, commit, roll back. */
int db_begin(struct db *db, struct errbuf *err);
int db_commit(struct db *db, struct errbuf *err);
void db_rollback(struct db *db);
bool db_in_transaction(struct db *db);
/* Whether the commits that follow wait for the disk (on, the default) or
 * not (off: a crash may lose the last ones, never the database's
 * consistency).  0, or -1 when the setting did not take. */
int db_set_synced(struct db *db, bool on);
/* Wake-ups between hosts (PostgreSQL's LISTEN/NOTIFY; SQLite has none: one
 * host, whose FIFOs serve, wake.h).  db_notify() tells every listener that
 * work was queued (at commit when in a transaction); db_listen_fd() starts
 * listening on this connection and gives the descriptor to poll, or -1;
 * db_take_notifies() reads what arrived: how many, 0 when none, -1 when
 * the connection is broken. */
void db_notify(struct db *db);
int db_listen_fd(struct db *db);
int db_take_notifies(struct db *db);

/* Prepare or panic (a bad statement in our source is our bug). */
struct db_stmt *db_prepare(struct db *db, const char *sql);
/* Bind parameter i (from 1).  Text is copied; len -1 means up to its NUL. */
void db_bind_int64(struct db_stmt *st, int i, long long v);
void db_bind_double(struct db_stmt *st, int i, double v);
void db_bind_text(struct db_stmt *st, int i, const char *s, int len);
void db_bind_null(struct db_stmt *st, int i);
/* Run to the next row: DB_ROW, DB_DONE, DB_CONSTRAINT or DB_ERROR. */
int db_step(struct db_stmt *st);
/* Make a statement ready to run again (its bindings kept), clear them. */
void db_reset(struct db_stmt *st);
void db_clear_bindings(struct db_stmt *st);
void db_finalize(struct db_stmt *st);
/* Column col (from 0) of the current row; text is valid until the next
 * step, reset or finalize; NULL reads as 0, 0.0 and a NULL pointer. */
int db_col_type(struct db_stmt *st, int col);
long long db_col_int64(struct db_stmt *st, int col);
int db_col_int(struct db_stmt *st, int col);
double db_col_double(struct db_stmt *st, int col);
const char *db_col_text(struct db_stmt *st, int col);

/* Rows changed by the last statement, by all statements since the open. */
int db_changes(struct db *db);
int db_total_changes(struct db *db);
/* The id of the row the last INSERT made. */
long long db_last_id(struct db *db);
/* The message of the last error on this database. */
const char *db_errmsg(struct db *db);
/* The counters that triggers keep (job_counts, batch_counts, throughput)
 * are read as sum(n) grouped by their key: on PostgreSQL a key has one
 * row per change since the last fold (no lock between writers, db.c
 * migration 14), and this folds each key's rows into one; the supervisor
 * calls it now and then.  Nothing to do on SQLite.  0 or -1. */
int db_fold_counters(struct db *db, struct errbuf *err);
/* Whether the connection to the database server is lost (PostgreSQL: cut
 * by the server or the network); every statement on it fails from then
 * on, and only a new handle (db_open) goes on.  Never for a SQLite file. */
bool db_lost(struct db *db);

/* First column of the first row of a query as an integer (def if none);
 * the query's parameters are bound from the int64 varargs, count given. */
int64_t db_int(struct db *db, int64_t def, const char *sql, int nargs, ...);
/* Step a statement that returns no row (INSERT, UPDATE, DELETE) and
 * finalize it: 0, or -1 with err set to "WHAT: the database's message". */
int db_step_done(struct db *db, struct db_stmt *st, const char *what, struct errbuf *err);
/* Column text that may be NULL, as a new string or NULL. */
char *db_col_strdup(struct db_stmt *st, int col);

#endif
