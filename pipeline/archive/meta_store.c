/*
 * meta_store.c - the meta table (see meta.h): objects resolved by name,
 * values read and written with their source, files and documents
 * registered with their defaults, meta_set.
 *
 * Invariants: every value in the meta table passed meta_value_check();
 * files.title and files.paper_file_code mirror the meta values of the same
 * name; every change is an audit event with the old and the new value.
 * Error policy: functions return 0 or -1 with err set; they work in the
 * caller's transaction unless they say they open one.
 */
#include "archive/meta.h"
#include "archive/meta_impl.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/jobq.h"
#include "engine/search.h"

/* ---- objects ---- */

static int resolve_file(struct db *db, const char *ref, struct meta_object *obj)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, file_code FROM files WHERE file_code = ?1 OR alias = ?1");
	int found = 0;
	db_bind_text(st, 1, ref, -1);
	if (db_step(st) == DB_ROW) {
		obj->level = META_FILE;
		obj->id = db_col_int64(st, 0);
		obj->file_id = obj->id;
		snprintf(obj->name, sizeof(obj->name), "%s", db_col_text(st, 1));
		snprintf(obj->label, sizeof(obj->label), "file:%s", obj->name);
		found = 1;
	}
	db_finalize(st);
	return found;
}

int meta_store_resolve_doc(struct db *db, const char *sql, const char *text, int64_t a, int64_t b, struct meta_object *obj)
{
	struct db_stmt *st = db_prepare(db, sql);
	int found = 0;
	if (text)
		db_bind_text(st, 1, text, -1);
	else
		db_bind_int64(st, 1, a);
	db_bind_int64(st, 2, b);
	if (db_step(st) == DB_ROW) {
		obj->level = META_DOCUMENT;
		obj->id = db_col_int64(st, 0);
		obj->file_id = db_col_int64(st, 1);
		snprintf(obj->name, sizeof(obj->name), "%s", db_col_text(st, 2) ? db_col_text(st, 2) : "");
		snprintf(obj->label, sizeof(obj->label), "document:%lld", (long long)obj->id);
		found = 1;
	}
	db_finalize(st);
	return found;
}

int meta_resolve(struct db *db, const char *ref, struct meta_object *obj, struct errbuf *err)
{
	char *fc = NULL;
	long stt;
	struct errbuf e;
	struct filecode_legacy lg;
	memset(obj, 0, sizeof(*obj));
	if (resolve_file(db, ref, obj))
		return 0;
	if (str_starts(ref, "document:") &&
	    meta_store_resolve_doc(db, "SELECT id, COALESCE(file_id, 0), name FROM documents WHERE id = ?1", NULL,
			    strtoll(ref + 9, NULL, 10), 0, obj))
		return 0;
	if (meta_store_resolve_doc(db, "SELECT id, COALESCE(file_id, 0), name FROM documents WHERE name = ?1", ref, 0, 0, obj))
		return 0;
	err_init(&e);
	if (filecode_split_doc(ref, &fc, &stt, &e) == 0) {
		struct meta_object f;
		int ok = resolve_file(db, fc, &f) &&
			 meta_store_resolve_doc(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, stt, obj);
		free(fc);
		if (ok)
			return 0;
	}
	err_init(&e);
	if (filecode_legacy_parse(ref, &lg, &e) == 0 && lg.kind == 'd') {
		char *file = filecode_legacy_file(&lg);
		struct meta_object f;
		int ok = resolve_file(db, file, &f) &&
			 meta_store_resolve_doc(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, lg.doc, obj);
		free(file);
		if (ok)
			return 0;
	}
	return err_set(err, "'%s': no such file or document", ref);
}

char *meta_get(struct db *db, enum meta_level level, int64_t id, const char *field, char **source)
{
	struct db_stmt *st = db_prepare(db, "SELECT value, source FROM meta WHERE object = ?1 AND object_id = ?2 AND field = ?3");
	char *v = NULL;
	db_bind_text(st, 1, meta_level_name(level), -1);
	db_bind_int64(st, 2, id);
	db_bind_text(st, 3, field, -1);
	if (db_step(st) == DB_ROW) {
		v = db_col_strdup(st, 0);
		if (source)
			*source = db_col_strdup(st, 1);
	} else if (source) {
		*source = NULL;
	}
	db_finalize(st);
	return v;
}

int meta_put(struct db *db, const struct meta_object *obj, const char *field, const char *value,
	     const char *source, double confidence, const char *agent, struct errbuf *err)
{
	char *oldsrc = NULL, *old = meta_get(db, obj->level, obj->id, field, &oldsrc);
	struct db_stmt *st;
	struct strbuf detail;
	int rc = -1;
	if ((old == NULL && value == NULL) ||
	    (old && value && !strcmp(old, value) && oldsrc && !strcmp(oldsrc, source))) {
		rc = 0;
		goto out;
	}
	if (value) {
		st = db_prepare(db, "INSERT INTO meta(object, object_id, field, value, source, confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				    " ON CONFLICT(object, object_id, field) DO UPDATE SET value = ?4, source = ?5, confidence = ?6");
		db_bind_text(st, 4, value, -1);
		db_bind_text(st, 5, source, -1);
		if (confidence >= 0)
			db_bind_double(st, 6, confidence);
	} else {
		st = db_prepare(db, "DELETE FROM meta WHERE object = ?1 AND object_id = ?2 AND field = ?3");
	}
	db_bind_text(st, 1, meta_level_name(obj->level), -1);
	db_bind_int64(st, 2, obj->id);
	db_bind_text(st, 3, field, -1);
	if (db_step(st) != DB_DONE) {
		err_set(err, "%s: field '%s': cannot write: %s", obj->label, field, db_errmsg(db));
		db_finalize(st);
		goto out;
	}
	db_finalize(st);
	if (obj->level == META_FILE && (!strcmp(field, "title") || !strcmp(field, "paperFileCode"))) {
		st = db_prepare(db, !strcmp(field, "title") ? "UPDATE files SET title = ?1 WHERE id = ?2"
							    : "UPDATE files SET paper_file_code = ?1 WHERE id = ?2");
		if (value)
			db_bind_text(st, 1, value, -1);
		db_bind_int64(st, 2, obj->id);
		if (db_step_done(db, st, "cannot write", err) < 0) {
			err_prefix(err, "%s: field '%s'", obj->label, field);
			goto out;
		}
	}
	sb_init(&detail, 0);
	sb_adds(&detail, "{\"field\":");
	sb_add_json_str(&detail, field);
	sb_adds(&detail, ",\"old\":");
	if (old)
		sb_add_json_str(&detail, old);
	else
		sb_adds(&detail, "null");
	sb_adds(&detail, ",\"new\":");
	if (value)
		sb_add_json_str(&detail, value);
	else
		sb_adds(&detail, "null");
	sb_adds(&detail, ",\"source\":");
	sb_add_json_str(&detail, source);
	if (oldsrc) {
		sb_adds(&detail, ",\"old_source\":");
		sb_add_json_str(&detail, oldsrc);
	}
	sb_addc(&detail, '}');
	rc = events_add(db, agent, "metadata modification", obj->label, "success", detail.buf);
	if (rc < 0)
		err_set(err, "%s: cannot record the event: %s", obj->label, db_errmsg(db));
	/* search finds the new value at once, whoever wrote it (CLI, import, desk) */
	else if ((rc = search_index_meta(db, meta_level_name(obj->level), obj->id)) < 0)
		err_set(err, "%s: cannot index the new value: %s", obj->label, db_errmsg(db));
	sb_release(&detail);
out:
	free(old);
	free(oldsrc);
	return rc;
}

/* An entered (not proposed) value. */
char *meta_store_entered(struct db *db, const struct meta_object *obj, const char *field)
{
	char *src = NULL, *v = meta_get(db, obj->level, obj->id, field, &src);
	if (v && src && !strcmp(src, "proposed")) {
		free(v);
		v = NULL;
	}
	free(src);
	return v;
}

static int put_defaults(struct db *db, const struct meta_schema *s, const struct meta_object *obj,
			const char *agent, struct errbuf *err)
{
	for (int i = 0; i < s->n; i++) {
		char *v;
		if (s->f[i].level != obj->level || !s->f[i].def)
			continue;
		v = meta_get(db, obj->level, obj->id, s->f[i].name, NULL);
		if (!v && meta_put(db, obj, s->f[i].name, s->f[i].def, "system", -1, agent, err) < 0)
			return -1;
		free(v);
	}
	return 0;
}

int meta_file_add(struct db *db, const struct meta_schema *s, const char *file_code, const char *paper,
		  const char *alias, int64_t fonds_id, const char *agent, int64_t *id, struct errbuf *err)
{
	struct meta_object obj;
	struct filecode_legacy lg;
	const struct meta_field *pf = meta_field_find(s, META_FILE, "paperFileCode");
	char *pv = NULL;
	struct db_stmt *st;
	int rc = -1;
	if (filecode_parse(file_code, NULL, err) < 0)
		return -1;
	if (!filecode_name_safe(file_code, err))
		return -1;
	st = db_prepare(db, "SELECT 1 FROM files WHERE file_code = ?1 OR alias = ?1");
	db_bind_text(st, 1, file_code, -1);
	rc = db_step(st) == DB_ROW;
	db_finalize(st);
	if (rc)
		return err_set(err, "file '%s' already exists", file_code);
	if (meta_name_clash(db, file_code, err))
		return -1;
	if (alias) {
		if (filecode_legacy_parse(alias, &lg, err) < 0)
			return -1;
		if (lg.kind != 'f')
			return err_set(err, "alias '%s': a file's legacy name has 4 parts (archive-fonds-inventory-file)", alias);
		st = db_prepare(db, "SELECT 1 FROM files WHERE alias = ?1");
		db_bind_text(st, 1, alias, -1);
		rc = db_step(st) == DB_ROW;
		db_finalize(st);
		if (rc)
			return err_set(err, "alias '%s' is already the alias of another file", alias);
	}
	if (paper && pf) {
		pv = meta_value_check(pf, paper, err);
		if (!pv)
			return -1;
	}
	st = db_prepare(db, "INSERT INTO files(fonds_id, file_code, paper_file_code, alias, created) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (fonds_id > 0)
		db_bind_int64(st, 1, fonds_id);
	db_bind_text(st, 2, file_code, -1);
	if (pv)
		db_bind_text(st, 3, pv, -1);
	if (alias)
		db_bind_text(st, 4, alias, -1);
	db_bind_int64(st, 5, now_ms());
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	if (rc < 0) {
		err_set(err, "file '%s': cannot add: %s", file_code, db_errmsg(db));
		goto out;
	}
	memset(&obj, 0, sizeof(obj));
	obj.level = META_FILE;
	obj.id = obj.file_id = db_last_id(db);
	snprintf(obj.name, sizeof(obj.name), "%s", file_code);
	snprintf(obj.label, sizeof(obj.label), "file:%s", file_code);
	rc = -1;
	if (meta_put(db, &obj, "fileCode", file_code, "system", -1, agent, err) < 0 ||
	    (pv && meta_put(db, &obj, "paperFileCode", pv, "operator", -1, agent, err) < 0) ||
	    put_defaults(db, s, &obj, agent, err) < 0)
		goto out;
	if (events_add(db, agent, "registration", obj.label, "success", alias ? alias : NULL) < 0) {
		err_set(err, "%s: cannot record the event", obj.label);
		goto out;
	}
	if (id)
		*id = obj.id;
	rc = 0;
out:
	free(pv);
	return rc;
}

bool meta_name_clash(struct db *db, const char *file_code, struct errbuf *err)
{
	struct db_stmt *st;
	const char *dot = strrchr(file_code, '.');
	bool clash;
	st = db_prepare(db, "SELECT d.name FROM documents d LEFT JOIN meta m ON m.object = 'document' AND m.object_id = d.id"
			    " AND m.field = 'docCode' WHERE d.name = ?1 OR m.value = ?1 LIMIT 1");
	db_bind_text(st, 1, file_code, -1);
	clash = db_step(st) == DB_ROW;
	db_finalize(st);
	if (clash) {
		err_set(err, "file '%s': the name of an existing document; files and documents cannot share a name", file_code);
		return true;
	}
	/* CODE.N would be the name of document N of file CODE. */
	if (dot && dot[1] && strspn(dot + 1, "0123456789") == strlen(dot + 1)) {
		char *parent = xstrndup(file_code, (size_t)(dot - file_code));
		st = db_prepare(db, "SELECT 1 FROM files WHERE file_code = ?1");
		db_bind_text(st, 1, parent, -1);
		clash = db_step(st) == DB_ROW;
		db_finalize(st);
		if (clash)
			err_set(err, "file '%s': the name of document %s of file '%s'; files and documents cannot share a name",
				file_code, dot + 1, parent);
		free(parent);
		if (clash)
			return true;
	}
	/* A registered file CODE.N would be the name of document N of this one. */
	st = db_prepare(db, "SELECT file_code FROM files WHERE substr(file_code, 1, length(?1) + 1) = ?1 || '.'");
	db_bind_text(st, 1, file_code, -1);
	while (!clash && db_step(st) == DB_ROW) {
		const char *other = db_col_text(st, 0), *n = other + strlen(file_code) + 1;
		if (*n && strspn(n, "0123456789") == strlen(n)) {
			err_set(err, "file '%s': file '%s' has the name of its document %s; files and documents cannot share a name",
				file_code, other, n);
			clash = true;
		}
	}
	db_finalize(st);
	return clash;
}

int64_t meta_doc_insert(struct db *db, int64_t file_id, int64_t batch_id, int64_t stt, const char *name, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t id = -1;
	bool clash;
	if (name) {
		st = db_prepare(db, "SELECT 1 FROM files WHERE file_code = ?1 OR alias = ?1");
		db_bind_text(st, 1, name, -1);
		clash = db_step(st) == DB_ROW;
		db_finalize(st);
		if (clash) {
			err_set(err, "'%s' is the code of a registered file; files and documents cannot share a name", name);
			return -1;
		}
	}
	st = db_prepare(db, "INSERT INTO documents(file_id, batch_id, stt, name, state, created) VALUES (?1, ?2, ?3, ?4, ?6, ?5)");
	db_bind_text(st, 6, jobq_doc_state_names[JOBQ_DOC_OPEN], -1); /* (new) -> open: jobq.h */
	if (file_id)
		db_bind_int64(st, 1, file_id);
	if (batch_id)
		db_bind_int64(st, 2, batch_id);
	db_bind_int64(st, 3, stt);
	db_bind_text(st, 4, name, -1);
	db_bind_int64(st, 5, now_ms());
	if (db_step(st) == DB_DONE)
		id = db_last_id(db);
	else
		err_set(err, "%s", db_errmsg(db));
	db_finalize(st);
	return id;
}

int meta_doc_init(struct db *db, const struct meta_schema *s, int64_t doc_id, const char *file_code, long stt,
		  const char *agent, struct errbuf *err)
{
	struct meta_object obj;
	char *code;
	int rc;
	memset(&obj, 0, sizeof(obj));
	obj.level = META_DOCUMENT;
	obj.id = doc_id;
	snprintf(obj.label, sizeof(obj.label), "document:%lld", (long long)doc_id);
	code = filecode_expand(s->naming.doc_code, file_code, stt, err);
	if (!code)
		return -1;
	rc = meta_put(db, &obj, "docCode", code, "system", -1, agent, err);
	free(code);
	if (rc == 0)
		rc = put_defaults(db, s, &obj, agent, err);
	return rc;
}

bool meta_store_identity_field(const char *name)
{
	return !strcmp(name, "fileCode") || !strcmp(name, "docCode");
}

int meta_set(struct db *db, const struct meta_schema *s, const struct meta_object *obj, int n,
	     char *const *pairs, const char *agent, struct errbuf *err)
{
	char **vals = xcalloc((size_t)n + 1, sizeof(char *)), **names = xcalloc((size_t)n + 1, sizeof(char *));
	struct strbuf report;
	int rc = -1;
	sb_init(&report, 0);
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(pairs[i], '=');
		const struct meta_field *f;
		if (!eq) {
			err_set(err, "'%s': expected FIELD=VALUE", pairs[i]);
			goto out;
		}
		names[i] = xstrndup(pairs[i], (size_t)(eq - pairs[i]));
		f = meta_field_find(s, obj->level, names[i]);
		if (!f) {
			err_set(err, "field '%s': not a %s field of the TT05 schema", names[i], meta_level_name(obj->level));
			goto out;
		}
		if (meta_store_identity_field(f->name)) {
			err_set(err, "field '%s': the identity of a %s cannot be set", f->name, meta_level_name(obj->level));
			goto out;
		}
		if (eq[1] && !(vals[i] = meta_value_check(f, eq + 1, err)))
			goto out;
	}
	if (db_begin(db, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (meta_put(db, obj, names[i], vals[i], "operator", -1, agent, err) < 0)
			goto rollback;
	{
		/* Cross-field rules only: a file is filled in step by step. */
		char *a = meta_store_entered(db, obj, "startDate"), *b = meta_store_entered(db, obj, "endDate");
		bool bad = a && b && meta_check_date_key(a) > meta_check_date_key(b);
		if (bad)
			err_set(err, "field 'endDate': '%s' is before startDate '%s'", b, a);
		free(a);
		free(b);
		if (bad)
			goto rollback;
	}
	if (db_commit(db, err) < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	for (int i = 0; i < n; i++) {
		free(vals[i]);
		free(names[i]);
	}
	free(vals);
	free(names);
	sb_release(&report);
	return rc;
}
