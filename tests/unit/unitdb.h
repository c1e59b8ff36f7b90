/*
 * unitdb.h - the database of a unit test, on the backend the run asks for:
 * the PostgreSQL database named by SOHOA_TEST_DB (a new empty one per
 * program: tests/run-unit.sh with UNIT_PG=1 under tests/pg.sh, make
 * check-unit-pg), else a new SQLite file DIR/sohoa.db in the test's own
 * folder, removed with it.
 */
#ifndef SOHOA_UNITDB_H
#define SOHOA_UNITDB_H

#include "engine/db.h"
#include "unit.h"

/* Where the test's database is: SOHOA_TEST_DB, or DIR/sohoa.db (the
 * caller frees it).  For a second connection to the same database. */
static inline char *unit_db_where(const char *dir)
{
	const char *url = getenv("SOHOA_TEST_DB");
	return url && *url ? xstrdup(url) : xasprintf("%s/sohoa.db", dir);
}

/* Open it, creating and migrating; when it cannot be opened, say which and
 * why, remove DIR and exit 2 (nothing else of the test can run). */
static inline struct db *unit_db_open(const char *dir)
{
	char *where = unit_db_where(dir);
	struct errbuf err;
	struct db *db = NULL;
	err_init(&err);
	if (db_open(where, true, &db, &err) < 0) {
		fprintf(stderr, "unit: cannot open the database '%s': %s\n", where, err.msg);
		unit_rmtree(dir);
		exit(2);
	}
	free(where);
	return db;
}

#endif
