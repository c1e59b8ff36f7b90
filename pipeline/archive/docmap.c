/*
 * docmap.c - pages to documents (see docmap.h for the rules).
 *
 * Invariants: a page is in at most one document; a document's name and STT
 * never change once given (names are stable across re-runs: a second call
 * for the same batch finds no unmapped pages and does nothing); an STT is
 * unique in its file (index documents_file_stt) and a name is unique
 * (documents.name UNIQUE).  Error policy: docmap_assign() runs inside the
 * engine's fan-in transaction and returns -1 with one message; the caller
 * rolls back, so nothing is half-mapped.  The caller passes the workspace
 * folder, for config/ and scanner-profiles/.
 */
#include "archive/docmap.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/events.h"
#include "archive/filecode.h"
#include "engine/fsio.h"
#include "archive/meta.h"
#include "archive/profile.h"
#include "engine/workspace.h"

#define AGENT "sohoa/docmap"

/* The schema, or NULL when the workspace has no config/ tables (older
 * workspaces): then documents get default names and no metadata. */
static struct meta_schema *load_schema(const char *config_dir, struct filecode_naming *nm, struct errbuf *err, int *rc)
{
	char *p = xasprintf("%s/tt05-fields.tsv", config_dir);
	struct meta_schema *s = NULL;
	*rc = 0;
	if (access(p, F_OK) == 0) {
		s = meta_schema_load(config_dir, err);
		if (!s)
			*rc = -1;
	}
	free(p);
	if (!s && *rc == 0) {
		char *np = xasprintf("%s/naming.conf", config_dir);
		*rc = filecode_naming_load(np, nm, err);
		free(np);
	}
	return s;
}

struct ctx {
	sqlite3 *db;
	struct meta_schema *schema;
	struct filecode_naming own_naming;
	const struct filecode_naming *nm;
	int64_t file_id;
	char *file_code;
	int64_t batch_id;
	int nbatch_docs;
};

static int64_t next_stt(struct ctx *c)
{
	if (c->file_id)
		return 1 + db_int(c->db, 0, "SELECT max(stt) FROM documents WHERE file_id = ?1", 1, c->file_id);
	return 1 + db_int(c->db, 0, "SELECT max(stt) FROM documents d JOIN batches b ON b.id = d.batch_id"
			       " WHERE b.file_code = (SELECT file_code FROM batches WHERE id = ?1)", 1, c->batch_id);
}

/* A document for the next group of pages. */
static int64_t new_document(struct ctx *c, struct errbuf *err)
{
	sqlite3_stmt *st;
	struct errbuf why;
	int64_t stt, doc;
	char *name;
	if (c->file_id && c->nm->per_document) {
		/* Documents registered before scanning (CSV import) come first. */
		doc = db_int(c->db, 0, "SELECT d.id FROM documents d WHERE d.file_id = ?1 AND d.state = 'open'"
				       " AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.document_id = d.id) ORDER BY d.stt LIMIT 1",
			     1, c->file_id);
		if (doc) {
			st = db_prepare(c->db, "UPDATE documents SET batch_id = ?2 WHERE id = ?1");
			sqlite3_bind_int64(st, 1, doc);
			sqlite3_bind_int64(st, 2, c->batch_id);
			if (db_step_done(c->db, st, "cannot attach the document to its batch", err) < 0)
				return -1;
			return doc;
		}
	}
	c->nbatch_docs++;
	if (c->file_code && !c->nm->per_document) {
		doc = db_int(c->db, 0, "SELECT id FROM documents WHERE file_id = ?1 AND stt = 1 AND state = 'open'", 1, c->file_id);
		if (doc)
			return doc;
		if (db_int(c->db, 0, "SELECT count(*) FROM documents WHERE file_id = ?1", 1, c->file_id) > 0) {
			err_set(err, "file '%s': already digitized as one document (naming mode whole-file); add pages with 'sohoa doc map'", c->file_code);
			return -1;
		}
		stt = 1;
		name = filecode_expand(c->nm->whole_file, c->file_code, 1, err);
	} else if (c->file_code) {
		stt = next_stt(c);
		name = filecode_doc_name(c->nm, c->file_code, stt, err);
	} else {
		stt = 1 + db_int(c->db, 0, "SELECT count(*) FROM documents WHERE batch_id = ?1", 1, c->batch_id);
		name = xasprintf("batch-%lld.%lld", (long long)c->batch_id, (long long)stt);
	}
	if (!name)
		return -1;
	err_init(&why);
	doc = meta_doc_insert(c->db, c->file_id, c->batch_id, stt, name, &why);
	if (doc < 0) {
		err_set(err, "cannot create document '%s': %s", name, why.msg);
		free(name);
		return -1;
	}
	if (c->schema && c->file_code && meta_doc_init(c->db, c->schema, doc, c->file_code, (long)stt, AGENT, err) < 0) {
		free(name);
		return -1;
	}
	free(name);
	return doc;
}

static bool text_has(const char *path, const char *root, const char *marker)
{
	char *full = workspace_abs(root, path), *data = NULL;
	size_t len = 0;
	struct errbuf e;
	bool hit = false;
	err_init(&e);
	if (fsio_read(full, &data, &len, 16 << 20, &e) == 0)
		hit = strstr(data, marker) != NULL;
	free(data);
	free(full);
	return hit;
}

static void add_id(int64_t **ids, int *n, int64_t id)
{
	for (int i = 0; i < *n; i++)
		if ((*ids)[i] == id)
			return;
	*ids = xrealloc(*ids, sizeof(int64_t) * (size_t)(*n + 1));
	(*ids)[(*n)++] = id;
}

static int set_page(sqlite3 *db, int64_t page, int64_t doc, int separator)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE pages SET document_id = ?2, separator = ?3 WHERE id = ?1");
	int rc;
	sqlite3_bind_int64(st, 1, page);
	if (doc > 0)
		sqlite3_bind_int64(st, 2, doc);
	sqlite3_bind_int(st, 3, separator);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Resolve (or register) the batch's file. */
static int resolve_file(struct ctx *c, const char *code, struct errbuf *err)
{
	sqlite3_stmt *st = db_prepare(c->db, "SELECT id, file_code FROM files WHERE file_code = ?1 OR alias = ?1");
	sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		c->file_id = sqlite3_column_int64(st, 0);
		c->file_code = db_col_strdup(st, 1);
	}
	sqlite3_finalize(st);
	if (c->file_id)
		return 0;
	if (filecode_parse(code, NULL, err) < 0)
		return -1;
	if (c->schema) {
		if (meta_file_add(c->db, c->schema, code, NULL, NULL, 0, AGENT, &c->file_id, err) < 0)
			return -1;
	} else {
		st = db_prepare(c->db, "INSERT INTO files(file_code, created) VALUES (?1, ?2)");
		sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now_ms());
		if (db_step_done(c->db, st, "cannot register the file", err) < 0)
			return -1;
		c->file_id = sqlite3_last_insert_rowid(c->db);
	}
	c->file_code = xstrdup(code);
	return 0;
}

int docmap_assign(sqlite3 *db, const char *root, int64_t batch_id, int64_t **ids, int *n, struct errbuf *err)
{
	struct ctx c;
	char *cdir = xasprintf("%s/config", root), *code = NULL, *prof = NULL;
	const char *rule = "none", *marker = NULL;
	struct profile *pr = NULL;
	sqlite3_stmt *st;
	int rc = -1, lrc;
	int64_t cur = 0, group = -2;
	bool any_group, duplex = false, after_sheet = false;
	*ids = NULL;
	*n = 0;
	memset(&c, 0, sizeof(c));
	c.db = db;
	c.batch_id = batch_id;
	if (db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1 AND document_id IS NULL AND separator = 0 AND dropped = 0",
		   1, batch_id) == 0) {
		rc = 0;
		goto out;
	}
	c.schema = load_schema(cdir, &c.own_naming, err, &lrc);
	if (lrc < 0)
		goto out;
	c.nm = c.schema ? &c.schema->naming : &c.own_naming;
	st = db_prepare(db, "SELECT file_code, profile FROM batches WHERE id = ?1");
	sqlite3_bind_int64(st, 1, batch_id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		code = db_col_strdup(st, 0);
		prof = db_col_strdup(st, 1);
	}
	sqlite3_finalize(st);
	if (code && *code && resolve_file(&c, code, err) < 0) {
		err_prefix(err, "batch %lld", (long long)batch_id);
		goto out;
	}
	if (prof && *prof) {
		struct errbuf pe;
		err_init(&pe);
		pr = profile_load(root, prof, &pe);
		if (pr) {
			rule = profile_get(pr, "separator") ? profile_get(pr, "separator") : "none";
			marker = profile_get(pr, "separator_text");
			duplex = profile_bool(pr, "duplex", false);
		}
	}
	if (strcmp(rule, "none") && strcmp(rule, "blank") && strcmp(rule, "text")) {
		err_set(err, "scanner profile '%s': separator '%s': expected none, blank or text", prof, rule);
		goto out;
	}
	if (!strcmp(rule, "text") && (!marker || !*marker)) {
		err_set(err, "scanner profile '%s': separator 'text' needs a 'separator_text'", prof);
		goto out;
	}
	any_group = db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1 AND doc_group IS NOT NULL"
				  " AND document_id IS NULL", 1, batch_id) > 0;
	st = db_prepare(db, "SELECT id, doc_group, blank, text_path FROM pages WHERE batch_id = ?1 AND document_id IS NULL"
			    " AND separator = 0 AND dropped = 0 ORDER BY seq, img_index, id");
	sqlite3_bind_int64(st, 1, batch_id);
	while (sqlite3_step(st) == SQLITE_ROW) {
		int64_t page = sqlite3_column_int64(st, 0);
		bool sep = false;
		if (any_group) {
			int64_t g = sqlite3_column_type(st, 1) == SQLITE_NULL ? -1 : sqlite3_column_int64(st, 1);
			if (g != group) {
				group = g;
				cur = 0;
			}
		} else if (!strcmp(rule, "blank")) {
			sep = sqlite3_column_int(st, 2) != 0;
		} else if (!strcmp(rule, "text")) {
			bool blank = sqlite3_column_int(st, 2) != 0;
			if (!blank && sqlite3_column_text(st, 3))
				sep = text_has((const char *)sqlite3_column_text(st, 3), root, marker);
			/* The back of a separator sheet in a duplex feeder is blank. */
			sep = sep || (duplex && blank && after_sheet);
			after_sheet = sep && !blank;
		}
		if (sep) {
			cur = 0; /* the next page starts a new document */
			if (set_page(db, page, 0, 1) < 0)
				goto db_fail;
			continue;
		}
		if (!cur && (cur = new_document(&c, err)) < 0) {
			sqlite3_finalize(st);
			goto out;
		}
		if (set_page(db, page, cur, 0) < 0)
			goto db_fail;
		add_id(ids, n, cur);
	}
	sqlite3_finalize(st);
	rc = 0;
	goto out;
db_fail:
	err_set(err, "batch %lld: cannot map pages: %s", (long long)batch_id, sqlite3_errmsg(db));
	sqlite3_finalize(st);
out:
	if (rc < 0) {
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	profile_free(pr);
	meta_schema_free(c.schema);
	filecode_naming_release(&c.own_naming);
	free(c.file_code);
	free(code);
	free(prof);
	free(cdir);
	return rc;
}

int docmap_parse_map(const char *spec, long npages, long **ends, struct errbuf *err)
{
	const char *p = spec;
	long next = 1;
	int n = 0;
	*ends = NULL;
	if (npages < 1) {
		err_set(err, "document map '%s': there are no pages to map", spec);
		goto fail;
	}
	while (*p) {
		char *end;
		long a, b;
		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		a = strtol(p, &end, 10);
		if (errno)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			if (!*p) {
				b = npages; /* the last range may be open */
				end = (char *)p;
			} else if (!isdigit((unsigned char)*p)) {
				goto bad;
			} else {
				errno = 0;
				b = strtol(p, &end, 10);
				if (errno)
					goto bad;
			}
		}
		if (a != next || b < a || b > npages) {
			err_set(err, "document map '%s': range %ld-%ld: expected ranges in order from page %ld, within the batch's %ld pages",
				spec, a, b, next, npages);
			goto fail;
		}
		*ends = xrealloc(*ends, sizeof(long) * (size_t)(n + 1));
		(*ends)[n++] = b;
		next = b + 1;
		p = end;
		if (*p == ',' && p[1])
			p++;
		else if (*p)
			goto bad;
	}
	if (n == 0)
		goto bad;
	if (next != npages + 1) {
		err_set(err, "document map '%s': pages %ld-%ld are in no document (the batch has %ld pages)", spec, next, npages, npages);
		goto fail;
	}
	return n;
bad:
	err_set(err, "document map '%s': expected page ranges like '1-3,4-7,8-'", spec);
fail:
	free(*ends);
	*ends = NULL;
	return -1;
}

int docmap_operator_map(sqlite3 *db, int64_t batch_id, const char *spec, struct errbuf *err)
{
	int64_t npages = db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1", 1, batch_id);
	long *ends, page = 0;
	int n, rc = 0;
	sqlite3_stmt *st;
	if ((n = docmap_parse_map(spec, (long)npages, &ends, err)) < 0)
		return -1;
	st = db_prepare(db, "UPDATE pages SET doc_group = ?3 WHERE id IN (SELECT id FROM pages WHERE batch_id = ?1"
			    " ORDER BY seq, img_index, id LIMIT 1 OFFSET ?2)");
	for (int g = 0; g < n && rc == 0; g++)
		for (; page < ends[g]; page++) {
			sqlite3_reset(st);
			sqlite3_bind_int64(st, 1, batch_id);
			sqlite3_bind_int64(st, 2, page);
			sqlite3_bind_int(st, 3, g + 1);
			if (sqlite3_step(st) != SQLITE_DONE) {
				rc = err_set(err, "batch %lld: document map '%s': %s", (long long)batch_id, spec, sqlite3_errmsg(db));
				break;
			}
		}
	sqlite3_finalize(st);
	free(ends);
	return rc;
}

int docmap_parse_pages(const char *spec, int64_t **out, struct errbuf *err)
{
	const char *p = spec;
	int n = 0;
	*out = NULL;
	while (*p) {
		char *end;
		long long a = strtoll(p, &end, 10), b;
		if (end == p || a <= 0)
			goto bad;
		b = a;
		if (*end == '-') {
			p = end + 1;
			b = strtoll(p, &end, 10);
			if (end == p || b < a || b - a > 100000)
				goto bad;
		}
		for (long long i = a; i <= b; i++) {
			*out = xrealloc(*out, sizeof(int64_t) * (size_t)(n + 1));
			(*out)[n++] = i;
		}
		p = end;
		if (*p == ',')
			p++;
		else if (*p)
			goto bad;
	}
	if (n == 0)
		goto bad;
	return n;
bad:
	free(*out);
	*out = NULL;
	return err_set(err, "pages '%s': expected page ids like '12,14-17'", spec);
}

int docmap_move(sqlite3 *db, const char *config_dir, const char *doc_ref, const int64_t *pages, int npages,
		const char *agent, int64_t **affected, int *naffected, struct errbuf *err)
{
	struct meta_object obj;
	struct meta_schema *schema = NULL;
	struct filecode_naming own;
	const struct filecode_naming *nm;
	struct errbuf e;
	bool own_tx = sqlite3_get_autocommit(db) != 0;
	int rc = -1, lrc;
	int64_t doc;
	*affected = NULL;
	*naffected = 0;
	memset(&own, 0, sizeof(own));
	schema = load_schema(config_dir, &own, err, &lrc);
	if (lrc < 0)
		return -1;
	nm = schema ? &schema->naming : &own;
	if (own_tx && db_begin(db, err) < 0)
		goto out;
	err_init(&e);
	if (meta_resolve(db, doc_ref, &obj, &e) == 0 && obj.level == META_DOCUMENT) {
		doc = obj.id;
	} else if (meta_resolve(db, doc_ref, &obj, &e) == 0) {
		err_set(err, "'%s' is a file; give a document ('<file code>.<STT>')", doc_ref);
		goto rollback;
	} else {
		/* A new document: "<file code>.<STT>" of a registered file. */
		char *fc = NULL, *name;
		long stt;
		struct meta_object f;
		if (filecode_split_doc(doc_ref, &fc, &stt, err) < 0)
			goto rollback;
		if (meta_resolve(db, fc, &f, err) < 0 || f.level != META_FILE) {
			free(fc);
			goto rollback;
		}
		name = filecode_doc_name(nm, f.name, stt, err);
		free(fc);
		if (!name)
			goto rollback;
		err_init(&e);
		doc = meta_doc_insert(db, f.id, 0, stt, name, &e);
		if (doc < 0) {
			err_set(err, "cannot create document '%s': %s", name, e.msg);
			free(name);
			goto rollback;
		}
		free(name);
		if (schema && meta_doc_init(db, schema, doc, f.name, stt, agent, err) < 0)
			goto rollback;
	}
	add_id(affected, naffected, doc);
	for (int i = 0; i < npages; i++) {
		sqlite3_stmt *st = db_prepare(db, "SELECT document_id FROM pages WHERE id = ?1");
		int64_t from = -1;
		char object[32], detail[96];
		sqlite3_bind_int64(st, 1, pages[i]);
		if (sqlite3_step(st) == SQLITE_ROW)
			from = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (from < 0) {
			err_set(err, "page %lld: no such page", (long long)pages[i]);
			goto rollback;
		}
		if (from == doc)
			continue;
		if (from > 0)
			add_id(affected, naffected, from);
		if (set_page(db, pages[i], doc, 0) < 0) {
			err_set(err, "page %lld: cannot move: %s", (long long)pages[i], sqlite3_errmsg(db));
			goto rollback;
		}
		snprintf(object, sizeof(object), "page:%lld", (long long)pages[i]);
		snprintf(detail, sizeof(detail), "{\"from\":%lld,\"to\":%lld}", (long long)from, (long long)doc);
		if (events_add(db, agent, "document mapping", object, "success", detail) < 0) {
			err_set(err, "page %lld: cannot record the event", (long long)pages[i]);
			goto rollback;
		}
	}
	/* Empty documents with nothing attached go; others stay for the record. */
	for (int i = 0; i < *naffected; i++) {
		int64_t d = (*affected)[i];
		sqlite3_stmt *st;
		if (db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, d) > 0 ||
		    db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1", 1, d) > 0 ||
		    db_int(db, 0, "SELECT count(*) FROM meta WHERE object = 'document' AND object_id = ?1 AND source NOT IN ('system')", 1, d) > 0)
			continue;
		st = db_prepare(db, "DELETE FROM meta WHERE object = 'document' AND object_id = ?1");
		sqlite3_bind_int64(st, 1, d);
		if (db_step_done(db, st, "cannot drop an empty document", err) < 0)
			goto rollback;
		st = db_prepare(db, "DELETE FROM documents WHERE id = ?1");
		sqlite3_bind_int64(st, 1, d);
		if (db_step_done(db, st, "cannot drop an empty document", err) < 0)
			goto rollback;
	}
	if (own_tx && db_commit(db, err) < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	if (own_tx)
		db_rollback(db);
	free(*affected);
	*affected = NULL;
	*naffected = 0;
out:
	meta_schema_free(schema);
	filecode_naming_release(&own);
	return rc;
}
