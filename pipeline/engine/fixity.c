/*
 * fixity.c - fixity audits (see fixity.h).
 *
 * The recorded digest is the one written when the object was stored: the
 * master's name and row (ingest hashes while it copies), the signed PDF's
 * row (the sign stage hashes the file it committed), the package's
 * "transfer" event in the append-only audit log (a sidecar .sha256 beside
 * the zip is a copy for the receiver, and could be changed with the zip).
 * Objects are listed first and hashed afterwards, outside any transaction;
 * the events are written in one transaction at the end, so an audit that is
 * interrupted records nothing half.
 *
 * Error policy: a missing or unreadable file is a failure of that object,
 * never of the audit; only the database stops it.
 */
#include "engine/fixity.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/fsio.h"
#include "engine/workspace.h"

#define FIXITY_AGENT "sohoa fixity"

struct fixity_obj {
	char *object, *path, *expected;
	char found[65];
	const char *outcome; /* "success", "changed", "missing", "unrecorded" */
	char *why;
};

struct fixity_list {
	struct fixity_obj *v;
	size_t n;
};

static void list_add(struct fixity_list *l, const char *object, const char *path, const char *expected)
{
	struct fixity_obj *o;
	l->v = xrealloc(l->v, sizeof(*l->v) * (l->n + 1));
	o = &l->v[l->n++];
	memset(o, 0, sizeof(*o));
	o->object = xstrdup(object);
	o->path = xstrdup(path);
	o->expected = expected && *expected ? xstrdup(expected) : NULL;
}

/* The 64 hex digits after "sha256 " in a transfer event's detail. */
static bool detail_sha(const char *detail, char *out)
{
	const char *p = detail ? strstr(detail, " sha256 ") : NULL;
	size_t n;
	if (!p)
		return false;
	p += 8;
	n = strspn(p, "0123456789abcdefABCDEF");
	if (n != 64)
		return false;
	memcpy(out, p, 64);
	out[64] = '\0';
	return true;
}

/* The zip path of a transfer event's detail ("package 'PATH' uuid-..."). */
static char *detail_zip(const char *detail)
{
	const char *a = detail ? strstr(detail, "package '") : NULL, *b;
	if (!a)
		return NULL;
	a += 9;
	b = strstr(a, "' uuid-");
	return b ? xstrndup(a, (size_t)(b - a)) : NULL;
}

static void collect(struct workspace *ws, int64_t since, struct fixity_list *l)
{
	struct db_stmt *st;
	st = db_prepare(ws->db, "SELECT sha256, path FROM masters WHERE created >= ?1 ORDER BY id");
	db_bind_int64(st, 1, since);
	while (db_step(st) == DB_ROW) {
		char obj[80];
		snprintf(obj, sizeof(obj), "master:%s", db_col_text(st, 0));
		list_add(l, obj, db_col_text(st, 1), db_col_text(st, 0));
	}
	db_finalize(st);
	st = db_prepare(ws->db, "SELECT d.id, d.signed_path, d.signed_sha256 FROM documents d WHERE d.signed_path IS NOT NULL"
				" AND COALESCE((SELECT max(e.time) FROM events e WHERE e.object = 'document:' || d.id"
				" AND e.type = 'digital signature'), d.created) >= ?1 ORDER BY d.id");
	db_bind_int64(st, 1, since);
	while (db_step(st) == DB_ROW) {
		char obj[40];
		snprintf(obj, sizeof(obj), "document:%lld", (long long)db_col_int64(st, 0));
		list_add(l, obj, db_col_text(st, 1), db_col_text(st, 2));
	}
	db_finalize(st);
	/* The latest transfer event of each package: exporting again writes
	 * the same package and says so again. */
	st = db_prepare(ws->db, "SELECT detail FROM events WHERE type = 'transfer' AND outcome = 'success' AND time >= ?1"
				" ORDER BY id DESC");
	db_bind_int64(st, 1, since);
	while (db_step(st) == DB_ROW) {
		const char *detail = db_col_text(st, 0);
		char sha[65], *zip = detail_zip(detail), *obj;
		bool seen = false;
		if (!zip || !detail_sha(detail, sha)) {
			free(zip);
			continue;
		}
		obj = xasprintf("package:%s", path_base(zip));
		for (size_t i = 0; i < l->n && !seen; i++)
			seen = !strcmp(l->v[i].path, zip);
		if (!seen)
			list_add(l, obj, zip, sha);
		free(obj);
		free(zip);
	}
	db_finalize(st);
}

static void check(struct workspace *ws, struct fixity_obj *o)
{
	char *abs;
	struct errbuf e;
	int64_t size;
	if (!o->expected) {
		o->outcome = "unrecorded";
		return;
	}
	abs = workspace_abs(ws->root, o->path);
	err_init(&e);
	if (fsio_sha256_file(abs, o->found, 0, &size, &e) < 0) {
		o->outcome = "missing";
		o->why = xstrdup(e.msg);
	} else {
		o->outcome = strcasecmp(o->found, o->expected) ? "changed" : "success";
	}
	free(abs);
}

int fixity_run(struct workspace *ws, int64_t since_ms, bool json, struct strbuf *report,
	       struct fixity_totals *tot, struct errbuf *err)
{
	struct fixity_list l = {0};
	int rc = 0;
	memset(tot, 0, sizeof(*tot));
	collect(ws, since_ms, &l);
	for (size_t i = 0; i < l.n; i++)
		check(ws, &l.v[i]);
	if (db_begin(ws->db, err) < 0) {
		rc = -1;
		goto out;
	}
	for (size_t i = 0; i < l.n; i++) {
		struct fixity_obj *o = &l.v[i];
		char *detail;
		bool ok = !strcmp(o->outcome, "success");
		if (!strcmp(o->outcome, "unrecorded")) {
			tot->unrecorded++;
			continue;
		}
		tot->checked++;
		if (!strcmp(o->outcome, "changed"))
			tot->changed++;
		else if (!strcmp(o->outcome, "missing"))
			tot->missing++;
		if (ok)
			detail = xasprintf("'%s': sha256 %s as recorded", o->path, o->found);
		else if (o->why)
			detail = xasprintf("'%s': expected sha256 %s, found none: %s", o->path, o->expected, o->why);
		else
			detail = xasprintf("'%s': expected sha256 %s, found %s", o->path, o->expected, o->found);
		if (events_add(ws->db, FIXITY_AGENT, "fixity check", o->object, ok ? "success" : "failure", detail) < 0) {
			free(detail);
			db_rollback(ws->db);
			rc = err_set(err, "cannot record the fixity check of '%s': %s", o->path, db_errmsg(ws->db));
			goto out;
		}
		if (!ok && !json)
			sb_addf(report, "%s %s\n", o->object, detail);
		free(detail);
	}
	if (db_commit(ws->db, err) < 0) {
		rc = -1;
		goto out;
	}
	if (json) {
		sb_addf(report, "{\"checked\":%d,\"changed\":%d,\"missing\":%d,\"unrecorded\":%d,\"objects\":[", tot->checked,
			tot->changed, tot->missing, tot->unrecorded);
		for (size_t i = 0; i < l.n; i++) {
			struct fixity_obj *o = &l.v[i];
			sb_adds(report, i ? ",{\"object\":" : "{\"object\":");
			sb_add_json_str(report, o->object);
			sb_adds(report, ",\"file\":");
			sb_add_json_str(report, o->path);
			sb_adds(report, ",\"expected\":");
			if (o->expected)
				sb_add_json_str(report, o->expected);
			else
				sb_adds(report, "null");
			sb_adds(report, ",\"found\":");
			if (o->found[0])
				sb_add_json_str(report, o->found);
			else
				sb_adds(report, "null");
			sb_addf(report, ",\"outcome\":\"%s\"}", o->outcome);
		}
		sb_adds(report, "]}\n");
	}
	rc = tot->changed || tot->missing ? 1 : 0;
out:
	for (size_t i = 0; i < l.n; i++) {
		free(l.v[i].object);
		free(l.v[i].path);
		free(l.v[i].expected);
		free(l.v[i].why);
	}
	free(l.v);
	return rc;
}
