/*
 * db_pg.c - the PostgreSQL backend of db.h (libpq), for a job store that
 * several machines share (issue 13).
 *
 * The SQL of the tree is written once, with ?N (or ?) parameters; prepare
 * translates them to $N outside string literals and quoted names, and that
 * with SQLite's planner hints ("INDEXED BY name" dropped, "CROSS JOIN t ON"
 * a plain JOIN: PostgreSQL's planner chooses) is the whole translation: the rest of the SQL is the common
 * subset of both engines, with group_concat(x, sep) made an aggregate at
 * connect time (SQLite 3.40 has no string_agg).  A statement runs at its first db_step() (PQexecParams,
 * parameters as text typed as they were bound: bigint, double precision,
 * text; NULL left to the server) and its rows are read
 * from the result; text results are converted by the column's type.
 *
 * The password never goes through sohoa: libpq reads it from the file named
 * by passfile= in the URL or by PGPASSFILE (or ~/.pgpass).  The schema
 * version is the one row of sohoa_schema.  Only this file includes libpq.
 */
#include "engine/db_backend.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Type OIDs of pg_type.h that decide how a text value reads. */
#define PG_BOOLOID 16
#define PG_INT8OID 20
#define PG_INT2OID 21
#define PG_INT4OID 23
#define PG_FLOAT4OID 700
#define PG_FLOAT8OID 701
#define PG_NUMERICOID 1700
#define PG_BYTEAOID 17
#define PG_TEXTOID 25

struct pg_db {
	struct db base;
	PGconn *c;
	bool unsynced; /* the next transactions commit without waiting for the disk */
	bool listening; /* LISTEN sohoa_wake done on this connection */
	int changes, total_changes;
	char err[512];
};

struct pg_stmt {
	struct db_stmt base;
	char *sql;     /* with $N */
	int nparams;
	char **vals;   /* text of each parameter, NULL for NULL */
	unsigned *types; /* its type as bound: int8, float8, text, unknown for NULL */
	bool *unused;  /* not named by the SQL: typed text, or the server cannot type it */
	PGresult *res; /* after the first step */
	int row, nrows;
};

static struct pg_db *P(struct db *db)
{
	return (struct pg_db *)db;
}

static struct pg_stmt *S(struct db_stmt *st)
{
	return (struct pg_stmt *)st;
}

/* Keep the message of a failed result (one line, no trailing newline).
 * A result of a lost connection often has none: the connection's own
 * message then says why, and the database is named, since the caller's
 * next step (a worker's exit, a supervisor's reconnect) is about it. */
static void pg_keep_error(struct pg_db *db, const char *msg)
{
	size_t n;
	if ((!msg || !*msg) && db->c)
		msg = PQerrorMessage(db->c);
	if (db->c && PQstatus(db->c) == CONNECTION_BAD)
		snprintf(db->err, sizeof(db->err), "lost the connection to database '%s' on '%s': %s", PQdb(db->c),
			 PQhost(db->c) ? PQhost(db->c) : "", msg && *msg ? msg : "no reason given");
	else
		snprintf(db->err, sizeof(db->err), "%s", msg && *msg ? msg : "unknown error");
	n = strlen(db->err);
	while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
	for (char *p = db->err; *p; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
}

/* ?N and ? to $N outside '...', "..." and comments; *nparams the highest,
 * and *unused (a new array) those that the SQL does not name. */
static char *pg_translate(const char *sql, int *nparams, bool **unused)
{
	bool seen[256] = {false};
	struct strbuf out;
	char *sql_out;
	int next = 0, max = 0;
	sb_init(&out, 0);
	for (const char *p = sql; *p;) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			sb_addc(&out, *p++);
			while (*p && *p != q)
				sb_addc(&out, *p++);
			if (*p)
				sb_addc(&out, *p++);
		} else if (*p == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				sb_addc(&out, *p++);
		} else if (!strncmp(p, "INDEXED BY ", 11) && (p == sql || p[-1] == ' ')) {
			/* SQLite's index hint; PostgreSQL's planner chooses */
			p += 11;
			while (*p && *p != ' ')
				p++;
		} else if (!strncmp(p, "CROSS JOIN ", 11) && (p == sql || p[-1] == ' ')) {
			/* SQLite's join-order hint, always with ON here: a JOIN */
			sb_adds(&out, "JOIN ");
			p += 11;
		} else if (*p == '?') {
			int n;
			p++;
			if (*p >= '0' && *p <= '9') {
				n = (int)strtol(p, (char **)&p, 10);
			} else {
				n = ++next;
			}
			if (n > next)
				next = n;
			if (n > max)
				max = n;
			if (n > 0 && n < 256)
				seen[n] = true;
			sb_addf(&out, "$%d", n);
		} else {
			sb_addc(&out, *p++);
		}
	}
	*nparams = max;
	*unused = xcalloc((size_t)max + 1, sizeof(bool));
	for (int i = 1; i <= max; i++)
		(*unused)[i - 1] = i < 256 && !seen[i];
	sql_out = sb_detach(&out);
	return sql_out ? sql_out : xstrdup("");
}

/* Count changes as SQLite does: the rows an INSERT, UPDATE or DELETE changed. */
static void pg_count(struct pg_db *db, PGresult *r)
{
	const char *cmd = PQcmdStatus(r);
	if (!strncmp(cmd, "INSERT", 6) || !strncmp(cmd, "UPDATE", 6) || !strncmp(cmd, "DELETE", 6)) {
		db->changes = atoi(PQcmdTuples(r));
		db->total_changes += db->changes;
	}
}

static int pg_exec(struct db *db, const char *sql, struct errbuf *err)
{
	PGresult *r = PQexec(P(db)->c, sql);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK) {
		pg_keep_error(P(db), PQresultErrorMessage(r));
		PQclear(r);
		return err_set(err, "database: %s", P(db)->err);
	}
	pg_count(P(db), r);
	PQclear(r);
	return 0;
}

static void pg_clear_bindings(struct db_stmt *st);

static struct db_stmt *pg_prepare(struct db *db, const char *sql, struct errbuf *err)
{
	struct pg_stmt *s = xcalloc(1, sizeof(*s));
	s->sql = pg_translate(sql, &s->nparams, &s->unused);
	s->vals = xcalloc((size_t)s->nparams + 1, sizeof(char *));
	s->types = xcalloc((size_t)s->nparams + 1, sizeof(unsigned));
	pg_clear_bindings(&s->base);
	s->row = -1;
	return &s->base;
}

static void pg_set(struct db_stmt *st, int i, char *v, unsigned type)
{
	struct pg_stmt *s = S(st);
	if (i < 1 || i > s->nparams) {
		free(v);
		return;
	}
	free(s->vals[i - 1]);
	s->vals[i - 1] = v;
	s->types[i - 1] = s->unused[i - 1] ? PG_TEXTOID : type;
}

static void pg_bind_int64(struct db_stmt *st, int i, long long v)
{
	pg_set(st, i, xasprintf("%lld", v), PG_INT8OID);
}

static void pg_bind_double(struct db_stmt *st, int i, double v)
{
	pg_set(st, i, xasprintf("%.17g", v), PG_FLOAT8OID);
}

static void pg_bind_text(struct db_stmt *st, int i, const char *s, int len)
{
	pg_set(st, i, len < 0 ? xstrdup(s) : xstrndup(s, (size_t)len), PG_TEXTOID);
}

static void pg_bind_null(struct db_stmt *st, int i)
{
	pg_set(st, i, NULL, 0);
}

static int pg_step(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	struct pg_db *db = P(st->db);
	if (!s->res) {
		ExecStatusType rs;
		s->res = PQexecParams(db->c, s->sql, s->nparams, s->types, (const char *const *)s->vals, NULL, NULL, 0);
		rs = PQresultStatus(s->res);
		if (rs != PGRES_COMMAND_OK && rs != PGRES_TUPLES_OK) {
			const char *state = PQresultErrorField(s->res, PG_DIAG_SQLSTATE);
			/* class 23: integrity constraint violation */
			int rc = state && !strncmp(state, "23", 2) ? DB_CONSTRAINT : DB_ERROR;
			pg_keep_error(db, PQresultErrorMessage(s->res));
			PQclear(s->res);
			s->res = NULL;
			return rc;
		}
		pg_count(db, s->res);
		s->nrows = rs == PGRES_TUPLES_OK ? PQntuples(s->res) : 0;
		s->row = -1;
	}
	if (s->row + 1 < s->nrows) {
		s->row++;
		return DB_ROW;
	}
	s->row = s->nrows;
	return DB_DONE;
}

static void pg_reset(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
}

static void pg_clear_bindings(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	for (int i = 0; i < s->nparams; i++) {
		free(s->vals[i]);
		s->vals[i] = NULL;
		s->types[i] = s->unused[i] ? PG_TEXTOID : 0;
	}
}

static void pg_finalize(struct db_stmt *st)
{
	struct pg_stmt *s = S(st);
	pg_reset(st);
	pg_clear_bindings(st);
	free(s->vals);
	free(s->types);
	free(s->unused);
	free(s->sql);
	free(s);
}

static const char *pg_value(struct db_stmt *st, int col)
{
	struct pg_stmt *s = S(st);
	if (!s->res || s->row < 0 || s->row >= s->nrows || col < 0 || col >= PQnfields(s->res) ||
	    PQgetisnull(s->res, s->row, col))
		return NULL;
	return PQgetvalue(s->res, s->row, col);
}

static int pg_col_type(struct db_stmt *st, int col)
{
	if (!pg_value(st, col))
		return DB_NULL;
	switch (PQftype(S(st)->res, col)) {
	case PG_BOOLOID:
	case PG_INT2OID:
	case PG_INT4OID:
	case PG_INT8OID:
		return DB_INTEGER;
	case PG_FLOAT4OID:
	case PG_FLOAT8OID:
	case PG_NUMERICOID:
		return DB_FLOAT;
	case PG_BYTEAOID:
		return DB_BLOB;
	default:
		return DB_TEXT;
	}
}

static long long pg_col_int64(struct db_stmt *st, int col)
{
	const char *v = pg_value(st, col);
	if (!v)
		return 0;
	if (PQftype(S(st)->res, col) == PG_BOOLOID)
		return *v == 't';
	/* a REAL read as an integer truncates, as SQLite's does */
	if (strpbrk(v, ".eE"))
		return (long long)strtod(v, NULL);
	return strtoll(v, NULL, 10);
}

static double pg_col_double(struct db_stmt *st, int col)
{
	const char *v = pg_value(st, col);
	if (!v)
		return 0.0;
	if (PQftype(S(st)->res, col) == PG_BOOLOID)
		return *v == 't';
	return strtod(v, NULL);
}

static const char *pg_col_text(struct db_stmt *st, int col)
{
	return pg_value(st, col);
}

static int pg_changes(struct db *db)
{
	return P(db)->changes;
}

static int pg_total_changes(struct db *db)
{
	return P(db)->total_changes;
}

/* The id the last INSERT drew from its identity column, in this session. */
static long long pg_last_id(struct db *db)
{
	PGresult *r = PQexec(P(db)->c, "SELECT lastval()");
	long long id = 0;
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
		id = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return id;
}

static const char *pg_errmsg(struct db *db)
{
	return P(db)->err[0] ? P(db)->err : "not an error";
}

static bool pg_lost(struct db *db)
{
	return PQstatus(P(db)->c) == CONNECTION_BAD;
}

static bool pg_in_transaction(struct db *db)
{
	return PQtransactionStatus(P(db)->c) != PQTRANS_IDLE;
}

static int pg_version(struct db *db)
{
	return (int)db_int(db, 0, "SELECT version FROM sohoa_schema", 0);
}

static int pg_set_version(struct db *db, int v, struct errbuf *err)
{
	char sql[96];
	snprintf(sql, sizeof(sql), "UPDATE sohoa_schema SET version = %d", v);
	return pg_exec(db, sql, err);
}

/* Not a round trip of its own: BEGIN carries it (SET LOCAL, which ends
 * with the transaction). */
static int pg_set_synced(struct db *db, bool on)
{
	P(db)->unsynced = !on;
	return 0;
}

static int pg_begin(struct db *db, struct errbuf *err)
{
	return pg_exec(db, P(db)->unsynced ? "BEGIN; SET LOCAL synchronous_commit = off" : "BEGIN", err);
}

/* One channel for the whole store: a wake-up says "work was queued", and
 * each node's supervisor then looks which of its stages have work. */
static void pg_notify(struct db *db)
{
	PQclear(PQexec(P(db)->c, "NOTIFY sohoa_wake"));
}

static int pg_listen_fd(struct db *db)
{
	struct pg_db *d = P(db);
	if (!d->listening) {
		PGresult *r = PQexec(d->c, "LISTEN sohoa_wake");
		d->listening = PQresultStatus(r) == PGRES_COMMAND_OK;
		PQclear(r);
		if (!d->listening)
			return -1;
	}
	return PQsocket(d->c);
}

/* Notifications come in with any result, so the queue may hold some that
 * the socket no longer signals: read the socket, then empty the queue. */
static int pg_take_notifies(struct db *db)
{
	PGnotify *n;
	int count = 0;
	if (!PQconsumeInput(P(db)->c))
		return -1; /* the connection is broken */
	while ((n = PQnotifies(P(db)->c)) != NULL) {
		PQfreemem(n);
		count++;
	}
	return count;
}

static void pg_close(struct db *db)
{
	PQfinish(P(db)->c);
	free(db);
}

static const struct db_ops pg_ops = {
	.name = "postgresql",
	.begin = pg_begin,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.bind_int64 = pg_bind_int64,
	.bind_double = pg_bind_double,
	.bind_text = pg_bind_text,
	.bind_null = pg_bind_null,
	.step = pg_step,
	.reset = pg_reset,
	.clear_bindings = pg_clear_bindings,
	.finalize = pg_finalize,
	.col_type = pg_col_type,
	.col_int64 = pg_col_int64,
	.col_double = pg_col_double,
	.col_text = pg_col_text,
	.changes = pg_changes,
	.total_changes = pg_total_changes,
	.last_id = pg_last_id,
	.errmsg = pg_errmsg,
	.in_transaction = pg_in_transaction,
	.lost = pg_lost,
	.version = pg_version,
	.set_version = pg_set_version,
	.set_synced = pg_set_synced,
	.notify = pg_notify,
	.listen_fd = pg_listen_fd,
	.take_notifies = pg_take_notifies,
	.close = pg_close,
};

static void pg_notice(void *arg, const char *msg)
{
	(void)arg;
	(void)msg; /* NOTICEs (IF NOT EXISTS and the like) are not errors */
}

int db_pg_open(const char *url, struct db **out, struct errbuf *err)
{
	struct pg_db *db;
	PGconn *c = PQconnectdb(url);
	if (PQstatus(c) != CONNECTION_OK) {
		struct pg_db tmp = {0};
		/* the message names host and user, never the URL (it may hold a password) */
		pg_keep_error(&tmp, c ? PQerrorMessage(c) : "out of memory");
		PQfinish(c);
		return err_set(err, "cannot connect to PostgreSQL: %s", tmp.err);
	}
	PQsetNoticeProcessor(c, pg_notice, NULL);
	db = xcalloc(1, sizeof(*db));
	db->base.ops = &pg_ops;
	db->c = c;
	if (pg_exec(&db->base,
		    "SET client_min_messages = warning;"
		    "SELECT pg_advisory_xact_lock(" DB_SCHEMA_LOCK ");"
		    "CREATE TABLE IF NOT EXISTS sohoa_schema(version INTEGER NOT NULL);"
		    "CREATE OR REPLACE FUNCTION sohoa_concat_step(acc text, x anyelement, sep text) RETURNS text"
		    " LANGUAGE sql IMMUTABLE AS $$ SELECT CASE WHEN x IS NULL THEN acc WHEN acc IS NULL THEN x::text"
		    " ELSE acc || sep || x::text END $$;"
		    "CREATE OR REPLACE AGGREGATE group_concat(anyelement, text) (SFUNC = sohoa_concat_step, STYPE = text);"
		    "INSERT INTO sohoa_schema(version) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM sohoa_schema)",
		    err) < 0) {
		pg_close(&db->base);
		return -1;
	}
	*out = &db->base;
	return 0;
}

bool db_is_url(const char *path)
{
	return !strncmp(path, "postgresql://", 13) || !strncmp(path, "postgres://", 11);
}
