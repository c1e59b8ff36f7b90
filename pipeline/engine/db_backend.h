/*
 * db_backend.h - what a database backend provides to db.c (issue 13).
 *
 * db.c owns the public interface of db.h, the schema and its migrations;
 * a backend (db_sqlite.c) owns one kind of connection.  Every handle and
 * statement starts with the common part below, so db.c dispatches through
 * the handle's table and tracks the statements still prepared (db_close()
 * finalizes them).  Only db.c and the backends include this header.
 */
#ifndef SOHOA_DB_BACKEND_H
#define SOHOA_DB_BACKEND_H

#include "engine/db.h"

struct db_ops {
	const char *name;
	int (*begin)(struct db *db, struct errbuf *err); /* and take the write lock */
	int (*exec)(struct db *db, const char *sql, struct errbuf *err);
	struct db_stmt *(*prepare)(struct db *db, const char *sql, struct errbuf *err);
	void (*bind_int64)(struct db_stmt *st, int i, long long v);
	void (*bind_double)(struct db_stmt *st, int i, double v);
	void (*bind_text)(struct db_stmt *st, int i, const char *s, int len);
	void (*bind_null)(struct db_stmt *st, int i);
	int (*step)(struct db_stmt *st);
	void (*reset)(struct db_stmt *st);
	void (*clear_bindings)(struct db_stmt *st);
	void (*finalize)(struct db_stmt *st); /* frees st */
	int (*col_type)(struct db_stmt *st, int col);
	long long (*col_int64)(struct db_stmt *st, int col);
	double (*col_double)(struct db_stmt *st, int col);
	const char *(*col_text)(struct db_stmt *st, int col);
	int (*changes)(struct db *db);
	int (*total_changes)(struct db *db);
	long long (*last_id)(struct db *db);
	const char *(*errmsg)(struct db *db);
	bool (*in_transaction)(struct db *db);
	bool (*lost)(struct db *db); /* NULL: a connection that cannot be lost */
	int (*version)(struct db *db);
	/* The schema version, set inside the migration's transaction. */
	int (*set_version)(struct db *db, int v, struct errbuf *err);
	/* Commits synced (on) or not (off) from now on. */
	int (*set_synced)(struct db *db, bool on);
	/* Wake-ups between hosts (db.h), NULL where the backend has none. */
	void (*notify)(struct db *db);
	int (*listen_fd)(struct db *db);
	int (*take_notifies)(struct db *db);
	void (*close)(struct db *db); /* frees db */
};

/* The common head of every handle. */
struct db {
	const struct db_ops *ops;
	struct db_stmt *stmts; /* prepared and not finalized, newest first */
};

/* The common head of every statement. */
struct db_stmt {
	struct db *db;
	struct db_stmt *prev, *next;
};

/* Open a SQLite database file (db_sqlite.c); db.c migrates it. */
int db_sqlite_open(const char *path, bool create, struct db **out, struct errbuf *err);

/* The PostgreSQL advisory lock (a transaction's) under which a connection
 * sets up its functions and db.c migrates: nodes that open one database
 * at the same instant take their turns. */
#define DB_SCHEMA_LOCK "7242024"
/* The one that db_fold_counters() takes. */
#define DB_FOLD_LOCK "7242025"

/* Connect to PostgreSQL (db_pg.c) by a postgresql:// URL. */
int db_pg_open(const char *url, struct db **out, struct errbuf *err);

#endif
