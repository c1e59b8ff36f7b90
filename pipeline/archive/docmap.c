/*
 * docmap.c - pages to documents (see docmap.h for the rules).
 *
 * Invariants: a page is in at most one document; a document's name and STT
 * never change once given (names are stable across re-runs: a second call
 * for the same batch finds no unmapped pages and does nothing); an STT is
 * unique in its file (index documents_file_stt) and a name is unique
 * (documents.name UNIQUE).  Two steps: docmap_plan() only reads (the
 * database, the scanner profile, the pages' text) and is run by the fan-in
 * stage outside any write transaction; docmap_apply() writes the plan in the
 * fan-in's short transaction, and refuses (1) when what the plan was made
 * from changed meanwhile (another batch of the same file took the next
 * STT, an operator moved a page), so a stale plan is never written.  Error
 * policy: -1 with one message; the caller rolls back, so nothing is
 * half-mapped.  The caller passes the tables (docmap_tables_load()) and the
 * workspace folder (scanner-profiles/, the pages' text).
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
#include "engine/jobq.h"
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

static int set_page(struct db *db, int64_t page, int64_t doc, int separator)
{
	struct db_stmt *st = db_prepare(db, "UPDATE pages SET document_id = ?2, separator = ?3 WHERE id = ?1");
	int rc;
	db_bind_int64(st, 1, page);
	if (doc > 0)
		db_bind_int64(st, 2, doc);
	db_bind_int64(st, 3, separator);
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	return rc;
}

int docmap_tables_load(const char *config_dir, struct docmap_tables *t, struct errbuf *err)
{
	int rc;
	memset(t, 0, sizeof(*t));
	t->schema = load_schema(config_dir, &t->own, err, &rc);
	if (rc < 0) {
		docmap_tables_release(t);
		return -1;
	}
	t->nm = t->schema ? &t->schema->naming : &t->own;
	return 0;
}

void docmap_tables_release(struct docmap_tables *t)
{
	meta_schema_free(t->schema);
	filecode_naming_release(&t->own);
	memset(t, 0, sizeof(*t));
}

/* The batch's file: its row by code or legacy alias. */
#define BATCH_FILE "(SELECT f.id FROM files f JOIN batches b ON b.file_code IN (f.file_code, f.alias) WHERE b.id = ?1)"

/* What a plan is made from, as one string: the batch's pages still to map
 * (ids, positions, blank flags, the operator's groups), its file, and the
 * documents of the batch and of the file (id, STT, state, batch, pages).
 * A plan applies only while this is unchanged.  NULL on a database error. */
static char *stamp(struct db *db, int64_t batch_id)
{
	struct db_stmt *st = db_prepare(db,
		"SELECT (SELECT count(*) || ':' || COALESCE(sum(id), 0) || ':' || COALESCE(sum(seq * id), 0) || ':'"
		" || COALESCE(sum(blank * id), 0) || ':' || COALESCE(sum(COALESCE(doc_group, -1) * id), 0) || ':'"
		" || COALESCE(sum(COALESCE(length(text_path), 0) * id), 0)"
		" FROM pages WHERE batch_id = ?1 AND document_id IS NULL AND separator = 0 AND dropped = 0)"
		" || '/' || COALESCE(" BATCH_FILE ", 0) || '/' || COALESCE((SELECT group_concat(x, ',') FROM"
		" (SELECT d.id || '.' || COALESCE(d.stt || '', '') || '.' || d.state || '.' || COALESCE(d.batch_id || '', '') || '.'"
		" || (SELECT count(*) FROM pages q WHERE q.document_id = d.id) AS x FROM documents d"
		" WHERE d.batch_id = ?1 OR d.file_id = " BATCH_FILE " ORDER BY d.id) AS s), '')");
	char *s = NULL;
	db_bind_int64(st, 1, batch_id);
	if (db_step(st) == DB_ROW)
		s = db_col_strdup(st, 0);
	db_finalize(st);
	return s;
}

/* Planning state: what the groups of the batch become. */
struct planner {
	struct db *db;
	const struct docmap_tables *t;
	struct docmap_plan *p;
	int64_t *prereg;      /* documents registered before scanning (CSV import), in STT order */
	int nprereg, used;
	int64_t stt;          /* the last STT given */
	int whole;            /* whole-file mode: the one group, or -1 */
};

static int64_t *id_list(struct db *db, struct db_stmt *st, int *n, bool *failed)
{
	int64_t *v = NULL;
	int rc;
	*n = 0;
	while ((rc = db_step(st)) == DB_ROW) {
		v = xrealloc(v, sizeof(int64_t) * (size_t)(*n + 1));
		v[(*n)++] = db_col_int64(st, 0);
	}
	*failed = rc != DB_DONE;
	db_finalize(st);
	(void)db;
	return v;
}

/* The group the next document's pages go to: index into p->groups, or -1. */
static int plan_group(struct planner *c, struct errbuf *err)
{
	struct docmap_plan *p = c->p;
	const struct filecode_naming *nm = c->t->nm;
	struct docmap_group g;
	memset(&g, 0, sizeof(g));
	if (p->file_code && !nm->per_document && c->whole >= 0)
		return c->whole;
	if (p->file_id && nm->per_document && c->used < c->nprereg) {
		g.doc = c->prereg[c->used++];
		g.attach = true;
	} else if (p->file_code && !nm->per_document) {
		g.doc = p->file_id ? db_int(c->db, 0, "SELECT id FROM documents WHERE file_id = ?1 AND stt = 1 AND state = 'open'",
					    1, p->file_id) : 0;
		if (!g.doc) {
			if (p->file_id && db_int(c->db, 0, "SELECT count(*) FROM documents WHERE file_id = ?1", 1, p->file_id) > 0)
				return err_set(err, "file '%s': already digitized as one document (naming mode whole-file); add pages with 'sohoa doc map'",
					       p->file_code);
			g.stt = 1;
			if (!(g.name = filecode_expand(nm->whole_file, p->file_code, 1, err)))
				return -1;
		}
		c->whole = p->ngroups;
	} else if (p->file_code) {
		g.stt = ++c->stt;
		if (!(g.name = filecode_doc_name(nm, p->file_code, g.stt, err)))
			return -1;
	} else {
		g.stt = ++c->stt;
		g.name = xasprintf("batch-%lld.%lld", (long long)p->batch_id, (long long)g.stt);
	}
	p->groups = xrealloc(p->groups, sizeof(*p->groups) * (size_t)(p->ngroups + 1));
	p->groups[p->ngroups] = g;
	return p->ngroups++;
}

static void group_add(struct docmap_group *g, int64_t page)
{
	g->pages = xrealloc(g->pages, sizeof(int64_t) * (size_t)(g->npages + 1));
	g->pages[g->npages++] = page;
}

int docmap_plan(struct db *db, const struct docmap_tables *t, const char *root, int64_t batch_id, struct docmap_plan *p,
		struct errbuf *err)
{
	struct planner c;
	char *code = NULL, *prof = NULL;
	const char *rule = "none", *marker = NULL;
	struct profile *pr = NULL;
	struct db_stmt *st;
	int rc = -1, cur = -1, step;
	int64_t group = -2;
	bool any_group, duplex = false, after_sheet = false, failed;
	memset(p, 0, sizeof(*p));
	memset(&c, 0, sizeof(c));
	p->batch_id = batch_id;
	c.db = db;
	c.t = t;
	c.p = p;
	c.whole = -1;
	if (!(p->stamp = stamp(db, batch_id))) {
		err_set(err, "batch %lld: cannot read it: %s", (long long)batch_id, db_errmsg(db));
		goto out;
	}
	if (db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1 AND document_id IS NULL AND separator = 0 AND dropped = 0",
		   1, batch_id) == 0) {
		rc = 0;
		goto out;
	}
	st = db_prepare(db, "SELECT file_code, profile FROM batches WHERE id = ?1");
	db_bind_int64(st, 1, batch_id);
	if (db_step(st) == DB_ROW) {
		code = db_col_strdup(st, 0);
		prof = db_col_strdup(st, 1);
	}
	db_finalize(st);
	if (code && *code) {
		st = db_prepare(db, "SELECT id, file_code FROM files WHERE file_code = ?1 OR alias = ?1");
		db_bind_text(st, 1, code, -1);
		if (db_step(st) == DB_ROW) {
			p->file_id = db_col_int64(st, 0);
			p->file_code = db_col_strdup(st, 1);
		}
		db_finalize(st);
		if (!p->file_id) {
			if (filecode_parse(code, NULL, err) < 0) {
				err_prefix(err, "batch %lld", (long long)batch_id);
				goto out;
			}
			p->file_code = xstrdup(code); /* registered when the plan is applied */
		}
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
	if (p->file_id && t->nm->per_document) {
		st = db_prepare(db, "SELECT d.id FROM documents d WHERE d.file_id = ?1 AND d.state = ?2"
				    " AND NOT EXISTS (SELECT 1 FROM pages p WHERE p.document_id = d.id) ORDER BY d.stt");
		db_bind_int64(st, 1, p->file_id);
		db_bind_text(st, 2, jobq_doc_state_names[JOBQ_DOC_OPEN], -1);
		c.prereg = id_list(db, st, &c.nprereg, &failed);
		if (failed)
			goto db_fail_nost;
	}
	if (p->file_code)
		c.stt = p->file_id ? db_int(db, 0, "SELECT max(stt) FROM documents WHERE file_id = ?1", 1, p->file_id) : 0;
	else
		c.stt = db_int(db, 0, "SELECT count(*) FROM documents WHERE batch_id = ?1", 1, batch_id);
	any_group = db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1 AND doc_group IS NOT NULL"
				  " AND document_id IS NULL", 1, batch_id) > 0;
	st = db_prepare(db, "SELECT id, doc_group, blank, text_path FROM pages WHERE batch_id = ?1 AND document_id IS NULL"
			    " AND separator = 0 AND dropped = 0 ORDER BY seq, img_index, id");
	db_bind_int64(st, 1, batch_id);
	while ((step = db_step(st)) == DB_ROW) {
		int64_t page = db_col_int64(st, 0);
		bool sep = false;
		if (any_group) {
			int64_t g = db_col_type(st, 1) == DB_NULL ? -1 : db_col_int64(st, 1);
			if (g != group) {
				group = g;
				cur = -1;
			}
		} else if (!strcmp(rule, "blank")) {
			sep = db_col_int(st, 2) != 0;
		} else if (!strcmp(rule, "text")) {
			bool blank = db_col_int(st, 2) != 0;
			if (!blank && db_col_text(st, 3))
				sep = text_has(db_col_text(st, 3), root, marker);
			/* The back of a separator sheet in a duplex feeder is blank. */
			sep = sep || (duplex && blank && after_sheet);
			after_sheet = sep && !blank;
		}
		if (sep) {
			cur = -1; /* the next page starts a new document */
			p->separators = xrealloc(p->separators, sizeof(int64_t) * (size_t)(p->nseparators + 1));
			p->separators[p->nseparators++] = page;
			continue;
		}
		if (cur < 0 && (cur = plan_group(&c, err)) < 0) {
			db_finalize(st);
			goto out;
		}
		group_add(&p->groups[cur], page);
	}
	db_finalize(st);
	if (step != DB_DONE)
		goto db_fail_nost;
	rc = 0;
	goto out;
db_fail_nost:
	err_set(err, "batch %lld: cannot read its pages: %s", (long long)batch_id, db_errmsg(db));
out:
	profile_free(pr);
	free(c.prereg);
	free(code);
	free(prof);
	if (rc < 0)
		docmap_plan_release(p);
	return rc;
}

void docmap_plan_release(struct docmap_plan *p)
{
	for (int i = 0; i < p->ngroups; i++) {
		free(p->groups[i].name);
		free(p->groups[i].pages);
	}
	free(p->groups);
	free(p->separators);
	free(p->file_code);
	free(p->stamp);
	memset(p, 0, sizeof(*p));
}

/* Register the batch's file (a valid code not yet registered). */
static int register_file(struct db *db, const struct docmap_tables *t, const char *code, int64_t *file_id, struct errbuf *err)
{
	struct db_stmt *st;
	if (t->schema)
		return meta_file_add(db, t->schema, code, NULL, NULL, 0, AGENT, file_id, err);
	st = db_prepare(db, "INSERT INTO files(file_code, created) VALUES (?1, ?2)");
	db_bind_text(st, 1, code, -1);
	db_bind_int64(st, 2, now_ms());
	if (db_step_done(db, st, "cannot register the file", err) < 0)
		return -1;
	*file_id = db_last_id(db);
	return 0;
}

int docmap_apply(struct db *db, const struct docmap_tables *t, const struct docmap_plan *p, int64_t **ids, int *n,
		 struct errbuf *err)
{
	char *now = stamp(db, p->batch_id);
	int64_t file_id = p->file_id;
	bool same = now && p->stamp && !strcmp(now, p->stamp);
	*ids = NULL;
	*n = 0;
	if (!now)
		return err_set(err, "batch %lld: cannot read it: %s", (long long)p->batch_id, db_errmsg(db));
	free(now);
	if (!same)
		return 1;
	if (p->ngroups && !file_id && p->file_code && register_file(db, t, p->file_code, &file_id, err) < 0)
		goto fail;
	for (int i = 0; i < p->ngroups; i++) {
		const struct docmap_group *g = &p->groups[i];
		int64_t doc = g->doc;
		if (doc && g->attach) {
			struct db_stmt *st = db_prepare(db, "UPDATE documents SET batch_id = ?2 WHERE id = ?1");
			db_bind_int64(st, 1, doc);
			db_bind_int64(st, 2, p->batch_id);
			if (db_step_done(db, st, "cannot attach the document to its batch", err) < 0)
				goto fail;
		} else if (!doc) {
			struct errbuf why;
			err_init(&why);
			doc = meta_doc_insert(db, file_id, p->batch_id, g->stt, g->name, &why);
			if (doc < 0) {
				err_set(err, "cannot create document '%s': %s", g->name, why.msg);
				goto fail;
			}
			if (t->schema && p->file_code && meta_doc_init(db, t->schema, doc, p->file_code, (long)g->stt, AGENT, err) < 0)
				goto fail;
		}
		for (int k = 0; k < g->npages; k++)
			if (set_page(db, g->pages[k], doc, 0) < 0)
				goto db_fail;
		add_id(ids, n, doc);
	}
	for (int i = 0; i < p->nseparators; i++)
		if (set_page(db, p->separators[i], 0, 1) < 0)
			goto db_fail;
	return 0;
db_fail:
	err_set(err, "cannot map pages: %s", db_errmsg(db));
fail:
	err_prefix(err, "batch %lld", (long long)p->batch_id);
	free(*ids);
	*ids = NULL;
	*n = 0;
	return -1;
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

int docmap_operator_map(struct db *db, int64_t batch_id, const char *spec, struct errbuf *err)
{
	int64_t npages = db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1", 1, batch_id);
	long *ends, page = 0;
	int n, rc = 0;
	struct db_stmt *st;
	if ((n = docmap_parse_map(spec, (long)npages, &ends, err)) < 0)
		return -1;
	st = db_prepare(db, "UPDATE pages SET doc_group = ?3 WHERE id IN (SELECT id FROM pages WHERE batch_id = ?1"
			    " ORDER BY seq, img_index, id LIMIT 1 OFFSET ?2)");
	for (int g = 0; g < n && rc == 0; g++)
		for (; page < ends[g]; page++) {
			db_reset(st);
			db_bind_int64(st, 1, batch_id);
			db_bind_int64(st, 2, page);
			db_bind_int64(st, 3, g + 1);
			if (db_step(st) != DB_DONE) {
				rc = err_set(err, "batch %lld: document map '%s': %s", (long long)batch_id, spec, db_errmsg(db));
				break;
			}
		}
	db_finalize(st);
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

int docmap_move(struct db *db, const char *config_dir, const char *doc_ref, const int64_t *pages, int npages,
		const char *agent, int64_t **affected, int *naffected, struct errbuf *err)
{
	struct meta_object obj;
	struct meta_schema *schema = NULL;
	struct filecode_naming own;
	const struct filecode_naming *nm;
	struct errbuf e;
	bool own_tx = !db_in_transaction(db);
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
		struct db_stmt *st = db_prepare(db, "SELECT document_id FROM pages WHERE id = ?1");
		int64_t from = -1;
		char object[32], detail[96];
		db_bind_int64(st, 1, pages[i]);
		if (db_step(st) == DB_ROW)
			from = db_col_type(st, 0) == DB_NULL ? 0 : db_col_int64(st, 0);
		db_finalize(st);
		if (from < 0) {
			err_set(err, "page %lld: no such page", (long long)pages[i]);
			goto rollback;
		}
		if (from == doc)
			continue;
		if (from > 0)
			add_id(affected, naffected, from);
		if (set_page(db, pages[i], doc, 0) < 0) {
			err_set(err, "page %lld: cannot move: %s", (long long)pages[i], db_errmsg(db));
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
		struct db_stmt *st;
		if (db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, d) > 0 ||
		    db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1", 1, d) > 0 ||
		    db_int(db, 0, "SELECT count(*) FROM meta WHERE object = 'document' AND object_id = ?1 AND source NOT IN ('system')", 1, d) > 0)
			continue;
		st = db_prepare(db, "DELETE FROM meta WHERE object = 'document' AND object_id = ?1");
		db_bind_int64(st, 1, d);
		if (db_step_done(db, st, "cannot drop an empty document", err) < 0)
			goto rollback;
		st = db_prepare(db, "DELETE FROM documents WHERE id = ?1");
		db_bind_int64(st, 1, d);
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
