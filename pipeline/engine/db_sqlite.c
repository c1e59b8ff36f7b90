/*
 * db_sqlite.c - the SQLite backend of db.h: a workspace's sohoa.db file.
 *
 * The connection runs in WAL mode with synchronous=FULL, foreign keys on
 * and a 30 s busy timeout; the write lock is taken at BEGIN (IMMEDIATE) so
 * that a transaction never fails half way on a lock.  The schema version is
 * PRAGMA user_version.  Only this file includes sqlite3.h.
 */
#include "engine/db_backend.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct sq_db {
	struct db base;
	sqlite3 *h;
	sqlite3_stmt *sync[2]; /* PRAGMA synchronous = NORMAL, = FULL: kept prepared */
};

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *st;
};

static sqlite3 *H(struct db *db)
{
	return ((struct sq_db *)db)->h;
}

static sqlite3_stmt *S(struct db_stmt *st)
{
	return ((struct sq_stmt *)st)->st;
}

static int sq_exec(struct db *db, const char *sql, struct errbuf *err)
{
	char *msg = NULL;
	if (sqlite3_exec(H(db), sql, NULL, NULL, &msg) != SQLITE_OK) {
		err_set(err, "database: %s", msg ? msg : sqlite3_errmsg(H(db)));
		sqlite3_free(msg);
		return -1;
	}
	return 0;
}

/* The write lock now, so that a transaction never fails half way on it. */
static int sq_begin(struct db *db, struct errbuf *err)
{
	return sq_exec(db, "BEGIN IMMEDIATE", err);
}

static struct db_stmt *sq_prepare(struct db *db, const char *sql, struct errbuf *err)
{
	sqlite3_stmt *st = NULL;
	struct sq_stmt *s;
	if (sqlite3_prepare_v2(H(db), sql, -1, &st, NULL) != SQLITE_OK) {
		err_set(err, "%s", sqlite3_errmsg(H(db)));
		return NULL;
	}
	s = xcalloc(1, sizeof(*s));
	s->st = st;
	return &s->base;
}

static void sq_bind_int64(struct db_stmt *st, int i, long long v)
{
	sqlite3_bind_int64(S(st), i, v);
}

static void sq_bind_double(struct db_stmt *st, int i, double v)
{
	sqlite3_bind_double(S(st), i, v);
}

static void sq_bind_text(struct db_stmt *st, int i, const char *s, int len)
{
	sqlite3_bind_text(S(st), i, s, len, SQLITE_TRANSIENT);
}

static void sq_bind_null(struct db_stmt *st, int i)
{
	sqlite3_bind_null(S(st), i);
}

static int sq_step(struct db_stmt *st)
{
	switch (sqlite3_step(S(st))) {
	case SQLITE_ROW:
		return DB_ROW;
	case SQLITE_DONE:
		return DB_DONE;
	case SQLITE_CONSTRAINT:
		return DB_CONSTRAINT;
	default:
		return DB_ERROR;
	}
}

static void sq_reset(struct db_stmt *st)
{
	sqlite3_reset(S(st));
}

static void sq_clear_bindings(struct db_stmt *st)
{
	sqlite3_clear_bindings(S(st));
}

static void sq_finalize(struct db_stmt *st)
{
	sqlite3_finalize(S(st));
	free(st);
}

static int sq_col_type(struct db_stmt *st, int col)
{
	switch (sqlite3_column_type(S(st), col)) {
	case SQLITE_INTEGER:
		return DB_INTEGER;
	case SQLITE_FLOAT:
		return DB_FLOAT;
	case SQLITE_TEXT:
		return DB_TEXT;
	case SQLITE_BLOB:
		return DB_BLOB;
	default:
		return DB_NULL;
	}
}

static long long sq_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(S(st), col);
}

static double sq_col_double(struct db_stmt *st, int col)
{
	return sqlite3_column_double(S(st), col);
}

static const char *sq_col_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(S(st), col);
}

static int sq_changes(struct db *db)
{
	return sqlite3_changes(H(db));
}

static int sq_total_changes(struct db *db)
{
	return sqlite3_total_changes(H(db));
}

static long long sq_last_id(struct db *db)
{
	return sqlite3_last_insert_rowid(H(db));
}

static const char *sq_errmsg(struct db *db)
{
	return sqlite3_errmsg(H(db));
}

static bool sq_in_transaction(struct db *db)
{
	return !sqlite3_get_autocommit(H(db));
}

static int sq_version(struct db *db)
{
	return (int)db_int(db, 0, "PRAGMA user_version", 0);
}

static int sq_set_version(struct db *db, int v, struct errbuf *err)
{
	char bump[64];
	snprintf(bump, sizeof(bump), "PRAGMA user_version = %d", v);
	return sq_exec(db, bump, err);
}

static int sq_set_synced(struct db *db, bool on)
{
	struct sq_db *d = (struct sq_db *)db;
	sqlite3_stmt **st = &d->sync[on];
	int rc;
	if (!*st && sqlite3_prepare_v2(d->h, on ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL", -1, st,
				       NULL) != SQLITE_OK)
		return -1;
	rc = sqlite3_step(*st);
	sqlite3_reset(*st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void sq_close(struct db *db)
{
	struct sq_db *d = (struct sq_db *)db;
	sqlite3_finalize(d->sync[0]);
	sqlite3_finalize(d->sync[1]);
	sqlite3_close(H(db));
	free(db);
}

static const struct db_ops sq_ops = {
	.name = "sqlite",
	.begin = sq_begin,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_int64 = sq_bind_int64,
	.bind_double = sq_bind_double,
	.bind_text = sq_bind_text,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.clear_bindings = sq_clear_bindings,
	.finalize = sq_finalize,
	.col_type = sq_col_type,
	.col_int64 = sq_col_int64,
	.col_double = sq_col_double,
	.col_text = sq_col_text,
	.changes = sq_changes,
	.total_changes = sq_total_changes,
	.last_id = sq_last_id,
	.errmsg = sq_errmsg,
	.in_transaction = sq_in_transaction,
	.version = sq_version,
	.set_version = sq_set_version,
	.set_synced = sq_set_synced,
	.close = sq_close,
};

int db_sqlite_open(const char *path, bool create, struct db **out, struct errbuf *err)
{
	sqlite3 *h = NULL;
	struct sq_db *db;
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path, &h, flags, NULL) != SQLITE_OK) {
		err_set(err, "cannot open database '%s': %s", path, h ? sqlite3_errmsg(h) : "out of memory");
		sqlite3_close(h);
		return -1;
	}
	sqlite3_busy_timeout(h, 30000);
	db = xcalloc(1, sizeof(*db));
	db->base.ops = &sq_ops;
	db->h = h;
	if (sq_exec(&db->base, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;", err) < 0) {
		sq_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}
