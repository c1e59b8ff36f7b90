/*
 * dbcopy.c - the move of a workspace's database to PostgreSQL and its
 * proof (see dbcopy.h).
 *
 * The tables and their columns are read from the source (SQLite's own
 * catalogue: the one place here that knows the source is SQLite); the
 * target's schema is the same version, made by the same migrations.  The
 * copy is one transaction on the target: a failure leaves it as it was.
 * Switching the target's triggers off and on again (ALTER TABLE ... DISABLE
 * TRIGGER USER) is PostgreSQL's, needs only the table's owner, and leaves
 * foreign keys checked.  Errors name the table.
 */
#include "engine/dbcopy.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/search.h"

struct table {
	char *name;
	int ncols;
	char **col;
	char *kind; /* per column: 'i' integer, 'r' real, 't' text */
};

static void tables_free(struct table *t, int n)
{
	for (int i = 0; i < n; i++) {
		for (int c = 0; c < t[i].ncols; c++)
			free(t[i].col[c]);
		free(t[i].col);
		free(t[i].kind);
		free(t[i].name);
	}
	free(t);
}

static char kind_of(const char *decl)
{
	if (!decl)
		return 't';
	if (strcasestr(decl, "INT"))
		return 'i';
	if (strcasestr(decl, "REAL") || strcasestr(decl, "FLOA") || strcasestr(decl, "DOUB"))
		return 'r';
	return 't';
}

/* The source's tables in the order they were made (the full-text index
 * and SQLite's own tables left out), with their stored columns. */
static int source_tables(struct db *from, struct table **out, int *n, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(from, "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
					      " AND name NOT LIKE 'search_fts%' ORDER BY rowid");
	struct table *t = NULL;
	int rc, k = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		t = xrealloc(t, sizeof(*t) * (size_t)(k + 1));
		memset(&t[k], 0, sizeof(t[k]));
		t[k++].name = xstrdup(db_col_text(st, 0));
	}
	db_finalize(st);
	if (rc != DB_DONE) {
		tables_free(t, k);
		return err_set(err, "cannot list the tables: %s", db_errmsg(from));
	}
	for (int i = 0; i < k; i++) {
		/* table_info leaves out generated columns (jobs.claim_key): they are made, not stored */
		st = db_prepare(from, "SELECT name, type FROM pragma_table_info(?1) ORDER BY cid");
		db_bind_text(st, 1, t[i].name, -1);
		while (db_step(st) == DB_ROW) {
			t[i].col = xrealloc(t[i].col, sizeof(char *) * (size_t)(t[i].ncols + 1));
			t[i].kind = xrealloc(t[i].kind, (size_t)(t[i].ncols + 1));
			t[i].col[t[i].ncols] = xstrdup(db_col_text(st, 0));
			t[i].kind[t[i].ncols] = kind_of(db_col_text(st, 1));
			t[i].ncols++;
		}
		db_finalize(st);
	}
	*out = t;
	*n = k;
	return 0;
}

static char *select_sql(const struct table *t)
{
	struct strbuf sb;
	sb_init(&sb, 0);
	sb_adds(&sb, "SELECT ");
	for (int c = 0; c < t->ncols; c++)
		sb_addf(&sb, "%s%s", c ? ", " : "", t->col[c]);
	sb_addf(&sb, " FROM %s", t->name);
	return sb_detach(&sb);
}

/* Count and checksum one table (dbcopy.h: order-independent). */
static int sum_table(struct db *db, const struct table *t, int64_t *rows, char *hex, struct errbuf *err)
{
	char *sql = select_sql(t);
	struct db_stmt *st = db_prepare(db, sql);
	uint64_t lane[4] = {0, 0, 0, 0};
	struct strbuf row;
	int rc;
	*rows = 0;
	sb_init(&row, 0);
	while ((rc = db_step(st)) == DB_ROW) {
		unsigned char md[EVP_MAX_MD_SIZE];
		unsigned mdlen = 0;
		sb_reset(&row);
		for (int c = 0; c < t->ncols; c++) {
			if (db_col_type(st, c) == DB_NULL)
				sb_adds(&row, "N");
			else if (t->kind[c] == 'i')
				sb_addf(&row, "i%lld", db_col_int64(st, c));
			else if (t->kind[c] == 'r')
				sb_addf(&row, "r%.17g", db_col_double(st, c));
			else {
				const char *s = db_col_text(st, c);
				sb_addf(&row, "t%zu:", strlen(s ? s : ""));
				sb_adds(&row, s ? s : "");
			}
			sb_addc(&row, '\x1f');
		}
		EVP_Digest(row.buf, row.len, md, &mdlen, EVP_sha256(), NULL);
		for (int l = 0; l < 4; l++) {
			uint64_t v = 0;
			for (int b = 0; b < 8; b++)
				v = v << 8 | md[l * 8 + b];
			lane[l] += v;
		}
		(*rows)++;
	}
	db_finalize(st);
	sb_release(&row);
	free(sql);
	if (rc != DB_DONE)
		return err_set(err, "table %s: cannot read it: %s", t->name, db_errmsg(db));
	snprintf(hex, 65, "%016llx%016llx%016llx%016llx", (unsigned long long)lane[0], (unsigned long long)lane[1],
		 (unsigned long long)lane[2], (unsigned long long)lane[3]);
	return 0;
}

static int triggers(struct db *to, const struct table *t, const char *how, struct errbuf *err)
{
	char *sql = xasprintf("ALTER TABLE %s %s TRIGGER USER", t->name, how);
	int rc = db_exec(to, sql, err);
	free(sql);
	if (rc < 0)
		err_prefix(err, "table %s", t->name);
	return rc;
}

static int copy_table(struct db *from, struct db *to, const struct table *t, struct errbuf *err)
{
	char *sel = select_sql(t), *del = xasprintf("DELETE FROM %s", t->name);
	struct strbuf ins;
	struct db_stmt *src, *dst;
	int rc, ret = -1;
	sb_init(&ins, 0);
	sb_addf(&ins, "INSERT INTO %s(", t->name);
	for (int c = 0; c < t->ncols; c++)
		sb_addf(&ins, "%s%s", c ? ", " : "", t->col[c]);
	sb_adds(&ins, ") VALUES (");
	for (int c = 0; c < t->ncols; c++)
		sb_addf(&ins, "%s?%d", c ? ", " : "", c + 1);
	sb_adds(&ins, ")");
	/* the rows a migration seeds (jobq_params) give way to the source's */
	if (db_exec(to, del, err) < 0) {
		err_prefix(err, "table %s", t->name);
		goto out;
	}
	src = db_prepare(from, sel);
	dst = db_prepare(to, ins.buf);
	while ((rc = db_step(src)) == DB_ROW) {
		for (int c = 0; c < t->ncols; c++) {
			switch (db_col_type(src, c)) {
			case DB_NULL:
				db_bind_null(dst, c + 1);
				break;
			case DB_INTEGER:
				db_bind_int64(dst, c + 1, db_col_int64(src, c));
				break;
			case DB_FLOAT:
				db_bind_double(dst, c + 1, db_col_double(src, c));
				break;
			default:
				db_bind_text(dst, c + 1, db_col_text(src, c), -1);
			}
		}
		if (db_step(dst) != DB_DONE) {
			err_set(err, "table %s: cannot copy a row: %s", t->name, db_errmsg(to));
			break;
		}
		db_reset(dst);
		db_clear_bindings(dst);
	}
	if (rc != DB_ROW && rc != DB_DONE)
		err_set(err, "table %s: cannot read it: %s", t->name, db_errmsg(from));
	db_finalize(src);
	db_finalize(dst);
	if (err->set)
		goto out;
	/* new ids continue after the copied ones */
	for (int c = 0; c < t->ncols; c++) {
		if (strcmp(t->col[c], "id") != 0)
			continue;
		free(del);
		del = xasprintf("SELECT setval(pg_get_serial_sequence('%s', 'id'), (SELECT COALESCE(max(id), 0) + 1 FROM %s), false)",
				t->name, t->name);
		dst = db_prepare(to, del);
		rc = db_step(dst);
		db_finalize(dst);
		if (rc != DB_ROW) {
			err_set(err, "table %s: cannot set its next id: %s", t->name, db_errmsg(to));
			goto out;
		}
	}
	ret = 0;
out:
	sb_release(&ins);
	free(sel);
	free(del);
	return ret;
}

static int verify(struct db *from, struct db *to, struct table *t, int n, struct dbcopy_report *r, struct errbuf *err)
{
	memset(r, 0, sizeof(*r));
	r->t = xcalloc((size_t)n, sizeof(*r->t));
	r->n = n;
	for (int i = 0; i < n; i++) {
		struct dbcopy_table *x = &r->t[i];
		x->name = xstrdup(t[i].name);
		if (sum_table(from, &t[i], &x->rows[0], x->checksum[0], err) < 0 ||
		    sum_table(to, &t[i], &x->rows[1], x->checksum[1], err) < 0)
			return -1;
		if (x->rows[0] != x->rows[1] || strcmp(x->checksum[0], x->checksum[1]) != 0)
			r->differ++;
	}
	return 0;
}

int dbcopy_verify(struct db *from, struct db *to, struct dbcopy_report *report, struct errbuf *err)
{
	struct table *t = NULL;
	int n = 0, rc;
	if (source_tables(from, &t, &n, err) < 0)
		return -1;
	rc = verify(from, to, t, n, report, err);
	tables_free(t, n);
	return rc;
}

int dbcopy_run(struct db *from, struct db *to, const char *root, struct dbcopy_report *report, struct errbuf *err)
{
	struct table *t = NULL;
	int n = 0, rc = -1;
	int64_t work, np = 0, nm = 0;
	memset(report, 0, sizeof(*report));
	if (strcmp(db_backend(to), "postgresql") != 0)
		return err_set(err, "the target is a %s database; only PostgreSQL is a target", db_backend(to));
	if (db_version(from) != db_version(to))
		return err_set(err, "the source has schema version %d, the target %d", db_version(from), db_version(to));
	work = db_int(to, -1, "SELECT (SELECT count(*) FROM jobs) + (SELECT count(*) FROM pages) + (SELECT count(*) FROM events)"
			      " + (SELECT count(*) FROM batches) + (SELECT count(*) FROM identity)", 0);
	if (work != 0)
		return err_set(err, "the target database is not empty (%lld rows of jobs, pages, events, batches, identity); give an empty one",
			       (long long)work);
	if (source_tables(from, &t, &n, err) < 0)
		return -1;
	if (db_begin(to, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (triggers(to, &t[i], "DISABLE", err) < 0)
			goto fail;
	for (int i = 0; i < n; i++)
		if (copy_table(from, to, &t[i], err) < 0)
			goto fail;
	for (int i = 0; i < n; i++)
		if (triggers(to, &t[i], "ENABLE", err) < 0)
			goto fail;
	if (db_commit(to, err) < 0)
		goto fail;
	if (search_reindex(to, root, &np, &nm, err) < 0) {
		err_prefix(err, "the rows are copied, but the search index is not made (run 'sohoa search --reindex')");
		goto out;
	}
	rc = verify(from, to, t, n, report, err);
	goto out;
fail:
	db_rollback(to);
out:
	tables_free(t, n);
	return rc;
}

void dbcopy_report_release(struct dbcopy_report *report)
{
	for (int i = 0; i < report->n; i++)
		free(report->t[i].name);
	free(report->t);
	memset(report, 0, sizeof(*report));
}
