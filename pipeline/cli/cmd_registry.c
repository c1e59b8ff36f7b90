/*
 * cmd_registry.c - the archival identity commands: fonds, file, doc, meta,
 * priority (usage below, and in `sohoa --help`).
 *
 * Each command parses its arguments, loads the tables it needs from the
 * workspace's config/, and calls the module that does the work (meta.c,
 * docmap.c, propose.c, priority.c).  Error policy: one message on stderr
 * "sohoa: <cmd>: ...", exit 2 for usage, 65 for bad input (nothing written:
 * every command that writes does so in one transaction), 70 for internal
 * errors.  The agent of audit events is "operator:<name>" from
 * $SOHOA_OPERATOR, else the config key ingest.operator; `priority set` is
 * "supervisor:<name>".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "engine/db.h"
#include "archive/docmap.h"
#include "engine/events.h"
#include "archive/filecode.h"
#include "engine/fsio.h"
#include "engine/jobq.h"
#include "archive/meta.h"
#include "archive/priority.h"
#include "archive/propose.h"
#include "engine/registry.h"
#include "engine/workspace.h"

#define USAGE_FONDS "usage: sohoa fonds add CODE NAME [--archive CODE] | sohoa fonds list"
#define USAGE_FILE "usage: sohoa file add CODE --paper PAPERCODE [--fonds CODE] [--title T] [--alias LEGACY] [--promote] [--admin] [--approved-by NAME] [--deteriorated] [--requests N] [--deadline DD/MM/YYYY] | sohoa file set CODE [options as for add] | sohoa file list"
#define USAGE_DOC "usage: sohoa doc list FILE | sohoa doc map DOC PAGES (DOC: name, docCode or <file code>.<STT>; PAGES: page ids like 12,14-17)"
#define USAGE_META "usage: sohoa meta set OBJECT FIELD=VALUE... | show OBJECT [--json] | check OBJECT | export csv|json [--level file|document] [--file CODE] | import [--encoding windows-1258] FILE.csv | propose DOC | accept DOC [FIELD...]"
#define USAGE_PRIORITY "usage: sohoa priority explain FILE|DOC | list | update | set FILE VALUE|clear [--reason TEXT] | import FILE.csv (fileCode,requests[,deteriorated][,deadline])"

static char *agent(struct workspace *ws, const char *role)
{
	const char *who = getenv("SOHOA_OPERATOR");
	if (!who || !*who)
		who = config_str(ws->cfg, "ingest.operator");
	return xasprintf("%s:%s", role, who);
}

static int fail(const char *cmd, const struct errbuf *err, int code)
{
	fprintf(stderr, "sohoa: %s: %s\n", cmd, err->msg);
	return code;
}

static int usage_err(const char *usage)
{
	fprintf(stderr, "%s\n", usage);
	return EXIT_USAGE;
}

static struct meta_schema *schema_of(struct workspace *ws, struct errbuf *err)
{
	char *dir = workspace_path(ws, "config");
	struct meta_schema *s = meta_schema_load(dir, err);
	free(dir);
	return s;
}

static struct priority_rules *rules_of(struct workspace *ws, struct errbuf *err)
{
	char *dir = workspace_path(ws, "config");
	struct priority_rules *r = priority_rules_load(dir, err);
	free(dir);
	return r;
}

/* ---- fonds ---- */

int cmd_fonds(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	err_init(&err);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		struct db_stmt *st = db_prepare(ws->db, "SELECT code, name, COALESCE(archive_code, ''),"
						      " (SELECT count(*) FROM files f WHERE f.fonds_id = fonds.id) FROM fonds ORDER BY code");
		while (db_step(st) == DB_ROW)
			printf("%s\t%s\t%s\t%d\n", db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2),
			       db_col_int(st, 3));
		db_finalize(st);
		return 0;
	}
	if (argc >= 4 && !strcmp(argv[1], "add")) {
		const char *archive = NULL;
		struct db_stmt *st;
		char *a, object[128];
		int rc;
		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "--archive") && i + 1 < argc)
				archive = argv[++i];
			else
				return usage_err(USAGE_FONDS);
		}
		if (!filecode_name_safe(argv[2], &err))
			return fail("fonds", &err, EXIT_DATAERR);
		if (db_begin(ws->db, &err) < 0)
			return fail("fonds", &err, EXIT_SOFTWARE);
		st = db_prepare(ws->db, "INSERT INTO fonds(code, name, archive_code, created) VALUES (?1, ?2, ?3, ?4)");
		db_bind_text(st, 1, argv[2], -1);
		db_bind_text(st, 2, argv[3], -1);
		if (archive)
			db_bind_text(st, 3, archive, -1);
		db_bind_int64(st, 4, now_ms());
		rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE) {
			db_rollback(ws->db);
			err_set(&err, "fonds '%s': %s", argv[2], rc == DB_CONSTRAINT ? "already exists" : db_errmsg(ws->db));
			return fail("fonds", &err, EXIT_DATAERR);
		}
		a = agent(ws, "operator");
		snprintf(object, sizeof(object), "fonds:%.100s", argv[2]);
		rc = events_add(ws->db, a, "registration", object, "success", argv[3]);
		free(a);
		if (rc < 0 || db_commit(ws->db, &err) < 0) {
			db_rollback(ws->db);
			err_set(&err, "fonds '%s': cannot record it", argv[2]);
			return fail("fonds", &err, EXIT_SOFTWARE);
		}
		printf("%s\n", argv[2]);
		return 0;
	}
	return usage_err(USAGE_FONDS);
}

/* ---- file ---- */

struct file_opts {
	const char *paper, *fonds, *title, *alias, *approved, *deadline;
	int promote, admin, deteriorated;   /* -1: not given */
	long requests;                      /* -1: not given */
};

static int parse_file_opts(int argc, char **argv, int i, struct file_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->promote = o->admin = o->deteriorated = -1;
	o->requests = -1;
	for (; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(a, "--promote"))
			o->promote = 1;
		else if (!strcmp(a, "--no-promote"))
			o->promote = 0;
		else if (!strcmp(a, "--admin"))
			o->admin = 1;
		else if (!strcmp(a, "--no-admin"))
			o->admin = 0;
		else if (!strcmp(a, "--deteriorated"))
			o->deteriorated = 1;
		else if (!strcmp(a, "--no-deteriorated"))
			o->deteriorated = 0;
		else if (!v)
			return -1;
		else if (!strcmp(a, "--paper"))
			o->paper = v, i++;
		else if (!strcmp(a, "--fonds"))
			o->fonds = v, i++;
		else if (!strcmp(a, "--title"))
			o->title = v, i++;
		else if (!strcmp(a, "--alias"))
			o->alias = v, i++;
		else if (!strcmp(a, "--approved-by"))
			o->approved = v, i++;
		else if (!strcmp(a, "--deadline"))
			o->deadline = v, i++;
		else if (!strcmp(a, "--requests")) {
			char *end;
			o->requests = strtol(v, &end, 10);
			if (*end || o->requests < 0)
				return -1;
			i++;
		} else
			return -1;
	}
	return 0;
}

/* Selection inputs and title, in the caller's transaction. */
static int apply_file_opts(struct workspace *ws, const struct meta_schema *s, const struct meta_object *obj,
			   const struct file_opts *o, const char *ag, struct errbuf *err)
{
	struct db_stmt *st;
	struct strbuf d;
	int rc;
	int64_t deadline = 0;
	if (o->deadline) {
		int dd, mm, yy;
		struct tm tm;
		if (!meta_date_parse(o->deadline, &dd, &mm, &yy))
			return err_set(err, "deadline '%s' is not a date (DD/MM/YYYY)", o->deadline);
		memset(&tm, 0, sizeof(tm));
		tm.tm_mday = dd;
		tm.tm_mon = mm - 1;
		tm.tm_year = yy - 1900;
		tm.tm_hour = 12;
		deadline = (int64_t)timegm(&tm) * 1000;
	}
	if (o->title) {
		const struct meta_field *f = s ? meta_field_find(s, META_FILE, "title") : NULL;
		char *v = f ? meta_value_check(f, o->title, err) : NULL;
		if (!f)
			err_set(err, "the metadata schema has no file field 'title'");
		if (!v || meta_put(ws->db, obj, "title", v, "operator", -1, ag, err) < 0) {
			free(v);
			return -1;
		}
		free(v);
	}
	if (o->paper) {
		const struct meta_field *f = meta_field_find(s, META_FILE, "paperFileCode");
		char *v = f ? meta_value_check(f, o->paper, err) : NULL;
		if (!v || meta_put(ws->db, obj, "paperFileCode", v, "operator", -1, ag, err) < 0) {
			free(v);
			return -1;
		}
		free(v);
	}
	if (o->promote < 0 && o->admin < 0 && !o->approved && o->deteriorated < 0 && o->requests < 0 && !o->deadline)
		return 0;
	st = db_prepare(ws->db, "INSERT INTO selection(file_id) VALUES (?1) ON CONFLICT(file_id) DO NOTHING");
	db_bind_int64(st, 1, obj->id);
	if (db_step_done(ws->db, st, "cannot record the selection", err) < 0)
		return -1;
	st = db_prepare(ws->db, "UPDATE selection SET promote = COALESCE(?2, promote), admin_use = COALESCE(?3, admin_use),"
				" approved_by = COALESCE(?4, approved_by), deteriorated = COALESCE(?5, deteriorated),"
				" requests = COALESCE(?6, requests), deadline = COALESCE(?7, deadline) WHERE file_id = ?1");
	db_bind_int64(st, 1, obj->id);
	if (o->promote >= 0)
		db_bind_int64(st, 2, o->promote);
	if (o->admin >= 0)
		db_bind_int64(st, 3, o->admin);
	if (o->approved)
		db_bind_text(st, 4, o->approved, -1);
	if (o->deteriorated >= 0)
		db_bind_int64(st, 5, o->deteriorated);
	if (o->requests >= 0)
		db_bind_int64(st, 6, o->requests);
	if (o->deadline)
		db_bind_int64(st, 7, deadline);
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	if (rc < 0)
		return err_set(err, "%s: cannot store the selection: %s", obj->label, db_errmsg(ws->db));
	sb_init(&d, 0);
	sb_addf(&d, "{\"promote\":%d,\"admin\":%d,\"deteriorated\":%d,\"requests\":%ld,\"deadline\":", o->promote, o->admin,
		o->deteriorated, o->requests);
	sb_add_json_str(&d, o->deadline ? o->deadline : "");
	sb_adds(&d, ",\"approved_by\":");
	sb_add_json_str(&d, o->approved ? o->approved : "");
	sb_addc(&d, '}');
	rc = events_add(ws->db, ag, "selection", obj->label, "success", d.buf);
	sb_release(&d);
	return rc < 0 ? err_set(err, "%s: cannot record the event", obj->label) : 0;
}

int cmd_file(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	struct meta_schema *s = NULL;
	struct priority_rules *r = NULL;
	struct file_opts o;
	struct meta_object obj;
	char *ag = NULL;
	int rc = EXIT_DATAERR;
	err_init(&err);
	if (argc >= 2 && !strcmp(argv[1], "list")) {
		struct db_stmt *st = db_prepare(ws->db, "SELECT f.file_code, COALESCE(f.paper_file_code, ''), COALESCE(f.alias, ''),"
						      " COALESCE(f.priority_override, f.priority), (SELECT count(*) FROM documents d WHERE d.file_id = f.id),"
						      " COALESCE(f.title, '') FROM files f ORDER BY f.file_code");
		while (db_step(st) == DB_ROW)
			printf("%s\t%s\t%s\t%g\t%d\t%s\n", db_col_text(st, 0), db_col_text(st, 1),
			       db_col_text(st, 2), db_col_double(st, 3), db_col_int(st, 4), db_col_text(st, 5));
		db_finalize(st);
		return 0;
	}
	if (argc < 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "set")) || parse_file_opts(argc, argv, 3, &o) < 0)
		return usage_err(USAGE_FILE);
	if (!(s = schema_of(ws, &err)) || !(r = rules_of(ws, &err))) {
		rc = fail("file", &err, EXIT_DATAERR);
		goto out;
	}
	ag = agent(ws, "operator");
	if (db_begin(ws->db, &err) < 0)
		goto fail;
	if (!strcmp(argv[1], "add")) {
		int64_t fonds_id = 0, id;
		if (!o.paper) {
			err_set(&err, "file '%s': --paper is required: a digitized file (confidenceLevel 02) needs its paperFileCode", argv[2]);
			goto rollback;
		}
		if (o.fonds) {
			struct db_stmt *st = db_prepare(ws->db, "SELECT id FROM fonds WHERE code = ?1");
			db_bind_text(st, 1, o.fonds, -1);
			if (db_step(st) == DB_ROW)
				fonds_id = db_col_int64(st, 0);
			db_finalize(st);
			if (!fonds_id) {
				err_set(&err, "fonds '%s': no such fonds (sohoa fonds add)", o.fonds);
				goto rollback;
			}
		}
		if (meta_file_add(ws->db, s, argv[2], o.paper, o.alias, fonds_id, ag, &id, &err) < 0)
			goto rollback;
		o.paper = NULL;
	} else if (o.fonds || o.alias) {
		err_set(&err, "file '%s': the fonds and alias are given at 'file add'", argv[2]);
		goto rollback;
	}
	if (meta_resolve(ws->db, argv[2], &obj, &err) < 0)
		goto rollback;
	if (obj.level != META_FILE) {
		err_set(&err, "'%s' is a document, not a file", argv[2]);
		goto rollback;
	}
	if (apply_file_opts(ws, s, &obj, &o, ag, &err) < 0 || priority_apply(ws->db, r, obj.id, now_ms(), &err) < 0)
		goto rollback;
	if (db_commit(ws->db, &err) < 0)
		goto rollback;
	printf("%s\n", obj.name);
	rc = 0;
	goto out;
rollback:
	db_rollback(ws->db);
fail:
	rc = fail("file", &err, EXIT_DATAERR);
out:
	free(ag);
	meta_schema_free(s);
	priority_rules_free(r);
	return rc;
}

/* ---- doc ---- */

/* After a correction, a document that already went through document stages
 * is built again from its first document stage. */
static int requeue(struct workspace *ws, const int64_t *docs, int n, struct errbuf *err)
{
	struct pipeline pl;
	if (registry_pipeline(ws->cfg, &pl, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		if (db_int(ws->db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL", 1, docs[i]) == 0)
			continue;
		if (pl.first_doc < 0)
			continue;
		if (jobq_restart_doc(ws->db, docs[i], pl.stage[pl.first_doc]->name, err) < 0)
			return -1;
	}
	return 0;
}

int cmd_doc(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	struct meta_object obj;
	err_init(&err);
	if (argc == 3 && !strcmp(argv[1], "list")) {
		struct db_stmt *st;
		if (meta_resolve(ws->db, argv[2], &obj, &err) < 0 || obj.level != META_FILE) {
			if (!err.set)
				err_set(&err, "'%s' is a document, not a file", argv[2]);
			return fail("doc", &err, EXIT_DATAERR);
		}
		st = db_prepare(ws->db, "SELECT d.id, d.stt, d.name, d.state, (SELECT count(*) FROM pages p WHERE p.document_id = d.id),"
					" COALESCE((SELECT group_concat(id, ',') FROM (SELECT id FROM pages p WHERE p.document_id = d.id ORDER BY p.batch_id, p.seq, p.id) AS s), '')"
					" FROM documents d WHERE d.file_id = ?1 ORDER BY d.stt");
		db_bind_int64(st, 1, obj.id);
		while (db_step(st) == DB_ROW)
			printf("%lld\t%d\t%s\t%s\t%d\t%s\n", (long long)db_col_int64(st, 0), db_col_int(st, 1),
			       db_col_text(st, 2), db_col_text(st, 3), db_col_int(st, 4), db_col_text(st, 5));
		db_finalize(st);
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "map")) {
		int64_t *pages = NULL, *aff = NULL;
		int n, naff = 0, rc = EXIT_DATAERR;
		char *cdir = workspace_path(ws, "config"), *ag = agent(ws, "operator");
		if ((n = docmap_parse_pages(argv[3], &pages, &err)) < 0)
			goto map_out;
		if (db_begin(ws->db, &err) < 0)
			goto map_out;
		for (int i = 0; i < n; i++)
			if (db_int(ws->db, 0, "SELECT count(*) FROM jobs j JOIN pages p ON p.document_id = j.document_id"
					      " WHERE p.id = ?1 AND j.state = 'claimed'", 1, pages[i]) > 0) {
				err_set(&err, "page %lld: its document is being processed now; try again when the job is done", (long long)pages[i]);
				goto map_rollback;
			}
		if (docmap_move(ws->db, cdir, argv[2], pages, n, ag, &aff, &naff, &err) < 0 ||
		    requeue(ws, aff, naff, &err) < 0 || db_commit(ws->db, &err) < 0)
			goto map_rollback;
		for (int i = 0; i < naff; i++)
			printf("document %lld\n", (long long)aff[i]);
		rc = 0;
		goto map_out;
map_rollback:
		db_rollback(ws->db);
map_out:
		if (rc)
			fail("doc", &err, rc);
		free(pages);
		free(aff);
		free(cdir);
		free(ag);
		return rc;
	}
	return usage_err(USAGE_DOC);
}

/* ---- meta ---- */

static void show(struct db *db, const struct meta_schema *s, const struct meta_object *obj, bool json)
{
	struct strbuf sb;
	bool first = true;
	sb_init(&sb, 0);
	if (json)
		sb_adds(&sb, "{");
	for (int i = 0; i < s->n; i++) {
		char *src = NULL, *v;
		struct db_stmt *st;
		double conf = -1;
		if (s->f[i].level != obj->level)
			continue;
		v = meta_get(db, obj->level, obj->id, s->f[i].name, &src);
		if (!v)
			continue;
		st = db_prepare(db, "SELECT confidence FROM meta WHERE object = ?1 AND object_id = ?2 AND field = ?3");
		db_bind_text(st, 1, meta_level_name(obj->level), -1);
		db_bind_int64(st, 2, obj->id);
		db_bind_text(st, 3, s->f[i].name, -1);
		if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL)
			conf = db_col_double(st, 0);
		db_finalize(st);
		if (json) {
			sb_adds(&sb, first ? "\n  " : ",\n  ");
			sb_add_json_str(&sb, s->f[i].name);
			sb_adds(&sb, ": {\"value\": ");
			sb_add_json_str(&sb, v);
			sb_adds(&sb, ", \"source\": ");
			sb_add_json_str(&sb, src);
			if (conf >= 0)
				sb_addf(&sb, ", \"confidence\": %.2f", conf);
			sb_adds(&sb, "}");
		} else {
			const char *lab = s->f[i].codes ? meta_code_label(s->f[i].codes, v) : NULL;
			sb_addf(&sb, "%s\t%s\t%s", s->f[i].name, v, src);
			if (conf >= 0)
				sb_addf(&sb, " %.2f", conf);
			sb_addf(&sb, "\t%s%s%s\n", s->f[i].label, lab ? ": " : "", lab ? lab : "");
		}
		first = false;
		free(v);
		free(src);
	}
	if (json)
		sb_adds(&sb, first ? "}\n" : "\n}\n");
	fputs(sb.buf ? sb.buf : "", stdout);
	sb_release(&sb);
}

static int meta_import_cmd(struct workspace *ws, struct meta_schema *s, int argc, char **argv)
{
	const char *enc = NULL, *path = NULL;
	char *data = NULL, *ag;
	size_t len = 0;
	struct strbuf report;
	struct errbuf err;
	int nrows = 0, rc;
	err_init(&err);
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--encoding") && i + 1 < argc)
			enc = argv[++i];
		else if (!path)
			path = argv[i];
		else
			return usage_err(USAGE_META);
	}
	if (!path)
		return usage_err(USAGE_META);
	if (fsio_read(path, &data, &len, 256 << 20, &err) < 0)
		return fail("meta", &err, EXIT_IOERR);
	sb_init(&report, 0);
	ag = agent(ws, "operator");
	rc = meta_import_csv(ws->db, s, data, len, enc, ag, &report, &nrows);
	if (rc < 0) {
		char *line = report.buf, *nl;
		/* One line per error, each with the command and the file. */
		while (line && *line && (nl = strchr(line, '\n'))) {
			fprintf(stderr, "sohoa: meta: '%s': %.*s\n", path, (int)(nl - line), line);
			line = nl + 1;
		}
		fprintf(stderr, "sohoa: meta: '%s': nothing imported\n", path);
		rc = EXIT_DATAERR;
	} else {
		struct priority_rules *r = rules_of(ws, &err);
		if (!r || priority_apply_all(ws->db, r, now_ms(), &err) < 0)
			fprintf(stderr, "sohoa: meta: warning: priorities not updated: %s\n", err.msg);
		priority_rules_free(r);
		printf("%d rows imported\n", nrows);
	}
	sb_release(&report);
	free(ag);
	free(data);
	return rc;
}

int cmd_meta(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	struct meta_schema *s;
	struct meta_object obj;
	char *ag = NULL;
	int rc = EXIT_DATAERR;
	const char *sub = argc >= 2 ? argv[1] : "";
	err_init(&err);
	if (argc < 2)
		return usage_err(USAGE_META);
	s = schema_of(ws, &err);
	if (!s)
		return fail("meta", &err, EXIT_DATAERR);
	ag = agent(ws, "operator");
	if (!strcmp(sub, "import")) {
		rc = meta_import_cmd(ws, s, argc, argv);
	} else if (!strcmp(sub, "export")) {
		enum meta_level level = META_FILE;
		int64_t file_id = 0;
		bool json;
		struct strbuf out;
		if (argc < 3 || (strcmp(argv[2], "csv") && strcmp(argv[2], "json"))) {
			rc = usage_err(USAGE_META);
			goto out;
		}
		json = !strcmp(argv[2], "json");
		for (int i = 3; i < argc; i++) {
			if (!strcmp(argv[i], "--level") && i + 1 < argc && (!strcmp(argv[i + 1], "file") || !strcmp(argv[i + 1], "document")))
				level = !strcmp(argv[++i], "file") ? META_FILE : META_DOCUMENT;
			else if (!strcmp(argv[i], "--file") && i + 1 < argc) {
				if (meta_resolve(ws->db, argv[++i], &obj, &err) < 0 || obj.level != META_FILE) {
					if (!err.set)
						err_set(&err, "'%s' is not a file", argv[i]);
					rc = fail("meta", &err, EXIT_DATAERR);
					goto out;
				}
				file_id = obj.id;
				level = META_DOCUMENT;
			} else {
				rc = usage_err(USAGE_META);
				goto out;
			}
		}
		sb_init(&out, 0);
		meta_export(ws->db, s, level, file_id, json, &out);
		fwrite(out.buf, 1, out.len, stdout);
		sb_release(&out);
		rc = 0;
	} else if (argc >= 3 && meta_resolve(ws->db, argv[2], &obj, &err) < 0) {
		rc = fail("meta", &err, EXIT_DATAERR);
	} else if (!strcmp(sub, "set") && argc >= 4) {
		if (meta_set(ws->db, s, &obj, argc - 3, argv + 3, ag, &err) < 0) {
			rc = fail("meta", &err, EXIT_DATAERR);
			goto out;
		}
		if (obj.level == META_FILE) {
			struct priority_rules *r = rules_of(ws, &err);
			if (!r || db_begin(ws->db, &err) < 0 || priority_apply(ws->db, r, obj.id, now_ms(), &err) < 0 ||
			    db_commit(ws->db, &err) < 0) {
				db_rollback(ws->db);
				fprintf(stderr, "sohoa: meta: warning: priority not updated: %s\n", err.msg);
			}
			priority_rules_free(r);
		}
		rc = 0;
	} else if (!strcmp(sub, "show") && (argc == 3 || (argc == 4 && !strcmp(argv[3], "--json")))) {
		show(ws->db, s, &obj, argc == 4);
		rc = 0;
	} else if (!strcmp(sub, "check") && argc == 3) {
		struct strbuf rep;
		int n;
		sb_init(&rep, 0);
		n = meta_check_object(ws->db, s, &obj, "", &rep);
		for (char *line = rep.buf, *nl; line && (nl = strchr(line, '\n')); line = nl + 1)
			fprintf(stderr, "sohoa: meta: %s: %.*s\n", obj.name, (int)(nl - line), line);
		sb_release(&rep);
		rc = n ? 1 : 0;
	} else if (!strcmp(sub, "propose") && argc == 3 && obj.level == META_DOCUMENT) {
		struct proposal p;
		if (propose_document(ws->db, ws->root, s, &obj, "sohoa/propose", &p, &err) < 0) {
			rc = fail("meta", &err, EXIT_DATAERR);
			goto out;
		}
		for (int k = 0; k < PROPOSE_NFIELDS; k++)
			if (p.item[k].value)
				printf("%s\t%s\t%.2f\n", p.item[k].field, p.item[k].value, p.item[k].confidence);
		propose_release(&p);
		rc = 0;
	} else if (!strcmp(sub, "accept") && argc >= 3 && obj.level == META_DOCUMENT) {
		int n = 0;
		if (propose_accept(ws->db, s, &obj, argc - 3, argv + 3, ag, &n, &err) < 0) {
			rc = fail("meta", &err, EXIT_DATAERR);
			goto out;
		}
		printf("%d accepted\n", n);
		rc = 0;
	} else if ((!strcmp(sub, "propose") || !strcmp(sub, "accept")) && argc >= 3) {
		err_set(&err, "'%s' is a file; proposals are made for documents", argv[2]);
		rc = fail("meta", &err, EXIT_DATAERR);
	} else {
		rc = usage_err(USAGE_META);
	}
out:
	free(ag);
	meta_schema_free(s);
	return rc;
}

/* ---- priority ---- */

static int priority_import(struct workspace *ws, struct priority_rules *r, const char *path, struct errbuf *err)
{
	char *data = NULL, *line, *save = NULL, *ag;
	size_t len;
	int row = 0, rc = -1;
	if (fsio_read(path, &data, &len, 64 << 20, err) < 0)
		return -1;
	ag = agent(ws, "operator");
	if (db_begin(ws->db, err) < 0)
		goto out;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *f[4] = {0}, *p = line, *end;
		int nf = 0;
		struct meta_object obj;
		struct file_opts o;
		row++;
		line[strcspn(line, "\r")] = '\0';
		if (row == 1 && str_starts(line, "\xEF\xBB\xBF"))
			p += 3;
		if (row == 1 && str_starts(p, "fileCode"))
			continue;
		while (nf < 4) {
			f[nf++] = p;
			if (!(p = strchr(p, ',')))
				break;
			*p++ = '\0';
		}
		if (!*f[0])
			continue;
		if (meta_resolve(ws->db, f[0], &obj, err) < 0 || obj.level != META_FILE) {
			err_set(err, "'%s': row %d: field 'fileCode': '%s' is not a registered file", path, row, f[0]);
			goto rollback;
		}
		memset(&o, 0, sizeof(o));
		o.promote = o.admin = o.deteriorated = -1;
		o.requests = nf > 1 && *f[1] ? strtol(f[1], &end, 10) : -1;
		if (nf > 1 && *f[1] && (*end || o.requests < 0)) {
			err_set(err, "'%s': row %d: field 'requests': '%s' is not a number", path, row, f[1]);
			goto rollback;
		}
		if (nf > 2 && *f[2]) {
			if (strcmp(f[2], "0") && strcmp(f[2], "1")) {
				err_set(err, "'%s': row %d: field 'deteriorated': '%s' is not 0 or 1", path, row, f[2]);
				goto rollback;
			}
			o.deteriorated = f[2][0] - '0';
		}
		if (nf > 3 && *f[3])
			o.deadline = f[3];
		if (apply_file_opts(ws, NULL, &obj, &o, ag, err) < 0 || priority_apply(ws->db, r, obj.id, now_ms(), err) < 0) {
			err_prefix(err, "'%s': row %d", path, row);
			goto rollback;
		}
	}
	if (db_commit(ws->db, err) < 0)
		goto rollback;
	printf("%d rows imported\n", row);
	rc = 0;
	goto out;
rollback:
	db_rollback(ws->db);
out:
	free(ag);
	free(data);
	return rc;
}

int cmd_priority(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	struct priority_rules *r;
	struct meta_object obj;
	int rc = EXIT_DATAERR;
	const char *sub = argc >= 2 ? argv[1] : "";
	err_init(&err);
	if (argc < 2)
		return usage_err(USAGE_PRIORITY);
	r = rules_of(ws, &err);
	if (!r)
		return fail("priority", &err, EXIT_DATAERR);
	if (!strcmp(sub, "list") && argc == 2) {
		double aging = config_double(ws->cfg, "priority.aging_per_hour");
		struct db_stmt *st = db_prepare(ws->db, "SELECT f.file_code, COALESCE(f.priority_override, f.priority), f.priority_override IS NOT NULL,"
						      " (SELECT count(*) FROM jobs j WHERE j.state IN ('ready','failed') AND (j.page_id IN"
						      " (SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id WHERE b.file_code = f.file_code)"
						      " OR j.document_id IN (SELECT id FROM documents d WHERE d.file_id = f.id))),"
						      " (SELECT max(?1 * (?2 - j.created) / 3600000.0) FROM jobs j WHERE j.state IN ('ready','failed') AND (j.page_id IN"
						      " (SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id WHERE b.file_code = f.file_code)"
						      " OR j.document_id IN (SELECT id FROM documents d WHERE d.file_id = f.id)))"
						      " FROM files f ORDER BY 2 DESC, f.file_code");
		db_bind_double(st, 1, aging);
		db_bind_int64(st, 2, now_ms());
		while (db_step(st) == DB_ROW)
			printf("%s\t%g%s\t%d waiting\t+%.1f aging\n", db_col_text(st, 0), db_col_double(st, 1),
			       db_col_int(st, 2) ? " (override)" : "", db_col_int(st, 3), db_col_double(st, 4));
		db_finalize(st);
		rc = 0;
	} else if (!strcmp(sub, "update") && argc == 2) {
		rc = priority_apply_all(ws->db, r, now_ms(), &err) < 0 ? fail("priority", &err, EXIT_SOFTWARE) : 0;
	} else if (!strcmp(sub, "import") && argc == 3) {
		rc = priority_import(ws, r, argv[2], &err) < 0 ? fail("priority", &err, EXIT_DATAERR) : 0;
	} else if (!strcmp(sub, "explain") && argc == 3) {
		struct priority_terms t;
		struct strbuf out;
		if (meta_resolve(ws->db, argv[2], &obj, &err) < 0 || (obj.level == META_DOCUMENT && !obj.file_id)) {
			if (!err.set)
				err_set(&err, "document '%s' belongs to no registered file", argv[2]);
			rc = fail("priority", &err, EXIT_DATAERR);
		} else if (priority_compute(ws->db, r, obj.file_id, now_ms(), &t, &err) < 0) {
			rc = fail("priority", &err, EXIT_SOFTWARE);
		} else {
			sb_init(&out, 0);
			if (obj.level == META_DOCUMENT)
				sb_addf(&out, "document\t%s\t(the priority of its file)\n", obj.name);
			priority_explain(&t, &out);
			fputs(out.buf, stdout);
			sb_release(&out);
			rc = 0;
		}
	} else if (!strcmp(sub, "set") && argc >= 4) {
		const char *reason = NULL;
		bool clear = !strcmp(argv[3], "clear");
		char *end, *ag;
		double v = clear ? 0 : strtod(argv[3], &end);
		for (int i = 4; i < argc; i++) {
			if (!strcmp(argv[i], "--reason") && i + 1 < argc)
				reason = argv[++i];
			else {
				rc = usage_err(USAGE_PRIORITY);
				goto out;
			}
		}
		if (!clear && (end == argv[3] || *end || v < -1000 || v > 1000)) {
			err_set(&err, "priority '%s': expected a number from -1000 to 1000, or 'clear'", argv[3]);
			rc = fail("priority", &err, EXIT_DATAERR);
			goto out;
		}
		if (meta_resolve(ws->db, argv[2], &obj, &err) < 0 || obj.level != META_FILE) {
			if (!err.set)
				err_set(&err, "'%s' is a document; priorities are set per file", argv[2]);
			rc = fail("priority", &err, EXIT_DATAERR);
			goto out;
		}
		ag = agent(ws, "supervisor");
		rc = priority_override(ws->db, r, obj.id, clear, v, ag, reason, &err) < 0 ? fail("priority", &err, EXIT_DATAERR) : 0;
		free(ag);
	} else {
		rc = usage_err(USAGE_PRIORITY);
	}
out:
	priority_rules_free(r);
	return rc;
}
