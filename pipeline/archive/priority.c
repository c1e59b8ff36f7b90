/*
 * priority.c - selection gate and priority score (see priority.h).
 *
 * Invariants: files.priority is always the score of the current inputs
 * (every change of inputs calls priority_apply); a job's priority is its
 * file's effective priority when it waits; jobs held by the gate carry an
 * error starting "priority gate:" and only those are released by it, so an
 * operator's hold is never undone here.  Error policy: config errors name
 * file:line; database errors return -1 with the statement's message and the
 * caller rolls back.
 */
#include "archive/priority.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/jobq.h"
#include "engine/db.h"
#include "engine/events.h"
#include "archive/meta.h"

static const struct { const char *key, *def; } keys[] = {
	{"gate.unlisted", "allow"}, {"gate.secret_mode", "03"},
	{"value.01", "40"}, {"value.02", "30"}, {"value.03", "25"}, {"value.04", "20"}, {"value.05", "15"},
	{"value.06", "10"}, {"value.07", "5"}, {"value.none", "10"},
	{"use.per_request", "2"}, {"use.max", "30"},
	{"condition.01", "0"}, {"condition.02", "5"}, {"condition.03", "20"}, {"condition.none", "0"},
	{"condition.deteriorated", "25"},
	{"deadline.horizon_days", "30"}, {"deadline.max", "40"}, {"deadline.overdue", "50"},
	{"selection.promote", "10"}, {"selection.admin", "10"}, {"selection.approved", "0"},
};
#define NKEYS ((int)(sizeof(keys) / sizeof(keys[0])))

struct priority_rules {
	char *val[NKEYS];
};

static const char *rule(const struct priority_rules *r, const char *key)
{
	for (int i = 0; i < NKEYS; i++)
		if (!strcmp(keys[i].key, key))
			return r->val[i];
	return NULL;
}

static double num(const struct priority_rules *r, const char *key)
{
	const char *v = rule(r, key);
	return v ? strtod(v, NULL) : 0;
}

struct priority_rules *priority_rules_load(const char *dir, struct errbuf *err)
{
	struct priority_rules *r = xcalloc(1, sizeof(*r));
	char *path = xasprintf("%s/priority.conf", dir), *k, *v, *end;
	struct kvfile kv;
	int rc;
	for (int i = 0; i < NKEYS; i++)
		r->val[i] = xstrdup(keys[i].def);
	if (kv_open(&kv, path) < 0) {
		if (errno != ENOENT) {
			err_set(err, "cannot open '%s': %s", path, strerror(errno));
			goto fail;
		}
		free(path);
		return r;
	}
	while ((rc = kv_next(&kv, &k, &v, err)) > 0) {
		int i;
		for (i = 0; i < NKEYS && strcmp(keys[i].key, k); i++)
			;
		if (i == NKEYS) {
			err_set(err, "%s:%d: '%s': unknown key", path, kv.lineno, k);
			goto fail_f;
		}
		if (!strcmp(k, "gate.unlisted")) {
			if (strcmp(v, "allow") && strcmp(v, "hold")) {
				err_set(err, "%s:%d: '%s = %s': expected 'allow' or 'hold'", path, kv.lineno, k, v);
				goto fail_f;
			}
		} else if (strcmp(k, "gate.secret_mode")) {
			double d = strtod(v, &end);
			if (end == v || *end || d < -1000 || d > 1000) {
				err_set(err, "%s:%d: '%s = %s': expected a number from -1000 to 1000", path, kv.lineno, k, v);
				goto fail_f;
			}
		}
		free(r->val[i]);
		r->val[i] = xstrdup(v);
	}
	if (rc < 0)
		goto fail_f;
	kv_close(&kv);
	free(path);
	return r;
fail_f:
	kv_close(&kv);
fail:
	free(path);
	priority_rules_free(r);
	return NULL;
}

void priority_rules_free(struct priority_rules *r)
{
	if (!r)
		return;
	for (int i = 0; i < NKEYS; i++)
		free(r->val[i]);
	free(r);
}

static char *file_meta(struct db *db, int64_t file_id, const char *field)
{
	char *src = NULL, *v = meta_get(db, META_FILE, file_id, field, &src);
	if (v && src && !strcmp(src, "proposed")) {
		free(v);
		v = NULL;
	}
	free(src);
	return v;
}

int priority_compute(struct db *db, const struct priority_rules *r, int64_t file_id, int64_t now,
		     struct priority_terms *t, struct errbuf *err)
{
	struct db_stmt *st;
	int promote = 0, admin = 0, requests = 0, deteriorated = 0, found = 0;
	char *approved = NULL, *maint, *format, *mode, key[64];
	int64_t deadline = 0;
	bool has_deadline = false;
	memset(t, 0, sizeof(*t));
	st = db_prepare(db, "SELECT f.priority_override, s.promote, s.admin_use, s.approved_by, s.requests, s.deteriorated, s.deadline"
			    " FROM files f LEFT JOIN selection s ON s.file_id = f.id WHERE f.id = ?1");
	db_bind_int64(st, 1, file_id);
	if (db_step(st) == DB_ROW) {
		found = 1;
		if (db_col_type(st, 0) != DB_NULL) {
			t->has_override = true;
			t->override = db_col_double(st, 0);
		}
		promote = db_col_int(st, 1);
		admin = db_col_int(st, 2);
		approved = db_col_strdup(st, 3);
		requests = db_col_int(st, 4);
		deteriorated = db_col_int(st, 5);
		if (db_col_type(st, 6) != DB_NULL) {
			has_deadline = true;
			deadline = db_col_int64(st, 6);
		}
	}
	db_finalize(st);
	if (!found)
		return err_set(err, "file %lld: no such file", (long long)file_id);
	maint = file_meta(db, file_id, "maintenance");
	format = file_meta(db, file_id, "format");
	mode = file_meta(db, file_id, "mode");

	/* The gate (Điều 5.2). */
	if (mode && !strcmp(mode, rule(r, "gate.secret_mode")) && !approved) {
		t->gate_ok = false;
		snprintf(t->gate, sizeof(t->gate), "held: mode %s (mật) is not digitized for ordinary use without the approval of the agency head", mode);
	} else if (approved) {
		t->gate_ok = true;
		snprintf(t->gate, sizeof(t->gate), "pass: approved by the agency head (%s)", approved);
	} else if (promote || admin) {
		t->gate_ok = true;
		snprintf(t->gate, sizeof(t->gate), "pass: %s%s%s", promote ? "value to promote" : "", promote && admin ? ", " : "",
			 admin ? "used for administration" : "");
	} else if (!strcmp(rule(r, "gate.unlisted"), "allow")) {
		t->gate_ok = true;
		snprintf(t->gate, sizeof(t->gate), "pass: registered for digitization (gate.unlisted = allow)");
	} else {
		t->gate_ok = false;
		snprintf(t->gate, sizeof(t->gate), "held: no reason under Điều 5.2 (promote, administration, or the head's approval)");
	}

	snprintf(key, sizeof(key), "value.%s", maint ? maint : "none");
	t->value = rule(r, key) ? num(r, key) : num(r, "value.none");
	snprintf(t->value_why, sizeof(t->value_why), "maintenance %s", maint ? maint : "unknown");

	t->use = requests * num(r, "use.per_request");
	if (t->use > num(r, "use.max"))
		t->use = num(r, "use.max");
	snprintf(t->use_why, sizeof(t->use_why), "%d requests", requests);

	snprintf(key, sizeof(key), "condition.%s", format ? format : "none");
	t->condition = rule(r, key) ? num(r, key) : num(r, "condition.none");
	if (deteriorated)
		t->condition += num(r, "condition.deteriorated");
	snprintf(t->condition_why, sizeof(t->condition_why), "format %s%s", format ? format : "unknown",
		 deteriorated ? ", deteriorating" : "");

	if (has_deadline) {
		double days = (double)(deadline - now) / 86400000.0, h = num(r, "deadline.horizon_days");
		if (days < 0)
			t->deadline = num(r, "deadline.overdue");
		else if (days < h && h > 0)
			t->deadline = num(r, "deadline.max") * (1.0 - days / h);
		snprintf(t->deadline_why, sizeof(t->deadline_why), days < 0 ? "overdue by %.1f days" : "due in %.1f days", fabs(days));
	} else {
		snprintf(t->deadline_why, sizeof(t->deadline_why), "none");
	}

	if (promote)
		t->selection += num(r, "selection.promote");
	if (admin)
		t->selection += num(r, "selection.admin");
	if (approved)
		t->selection += num(r, "selection.approved");
	snprintf(t->selection_why, sizeof(t->selection_why), "%s%s%s", promote ? "promote " : "", admin ? "admin " : "",
		 approved ? "approved" : "");

	t->score = t->value + t->use + t->condition + t->deadline + t->selection;
	t->effective = t->has_override ? t->override : t->score;
	free(approved);
	free(maint);
	free(format);
	free(mode);
	return 0;
}

static int run(struct db *db, const char *sql, int64_t file_id, double v, const char *msg, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, sql);
	int rc;
	db_bind_int64(st, 1, file_id);
	db_bind_double(st, 2, v);
	if (msg)
		db_bind_text(st, 3, msg, -1);
	db_bind_int64(st, 4, now_ms());
	rc = db_step(st) == DB_DONE ? 0 : -1;
	if (rc < 0)
		err_set(err, "file %lld: cannot update priorities: %s", (long long)file_id, db_errmsg(db));
	db_finalize(st);
	return rc;
}

int priority_apply(struct db *db, const struct priority_rules *r, int64_t file_id, int64_t now, struct errbuf *err)
{
	struct priority_terms t;
	if (priority_compute(db, r, file_id, now, &t, err) < 0)
		return -1;
	if (run(db, "UPDATE files SET priority = ?2 WHERE id = ?1", file_id, t.score, NULL, err) < 0)
		return -1;
	return jobq_gate(db, file_id, t.effective, t.gate_ok ? NULL : t.gate, err);
}

int priority_apply_batch(struct db *db, const struct priority_rules *r, int64_t batch_id, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t *ids = NULL;
	int n = 0, rc = 0, step;
	st = db_prepare(db, "SELECT f.id FROM files f JOIN batches b ON b.file_code IN (f.file_code, f.alias) WHERE b.id = ?1"
			    " UNION SELECT file_id FROM documents WHERE batch_id = ?1 AND file_id IS NOT NULL");
	db_bind_int64(st, 1, batch_id);
	while ((step = db_step(st)) == DB_ROW) {
		ids = xrealloc(ids, sizeof(int64_t) * (size_t)(n + 1));
		ids[n++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	if (step != DB_DONE)
		rc = err_set(err, "cannot read its files: %s", db_errmsg(db));
	else if (n > 0 && !r)
		rc = err_set(err, "its file's priority rules could not be read");
	for (int i = 0; i < n && rc == 0; i++)
		rc = priority_apply(db, r, ids[i], now_ms(), err);
	if (rc < 0)
		err_prefix(err, "batch %lld", (long long)batch_id);
	free(ids);
	return rc;
}

int priority_apply_all(struct db *db, const struct priority_rules *r, int64_t now, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t *ids = NULL;
	int n = 0;
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "SELECT id FROM files ORDER BY id");
	while (db_step(st) == DB_ROW) {
		ids = xrealloc(ids, sizeof(int64_t) * (size_t)(n + 1));
		ids[n++] = db_col_int64(st, 0);
	}
	db_finalize(st);
	for (int i = 0; i < n; i++)
		if (priority_apply(db, r, ids[i], now, err) < 0) {
			free(ids);
			db_rollback(db);
			return -1;
		}
	free(ids);
	if (db_commit(db, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return 0;
}

int priority_override(struct db *db, const struct priority_rules *r, int64_t file_id, bool clear, double value,
		      const char *agent, const char *reason, struct errbuf *err)
{
	struct priority_terms t;
	struct strbuf d;
	char object[64], *code;
	struct db_stmt *st;
	int rc = -1;
	if (db_begin(db, err) < 0)
		return -1;
	if (priority_compute(db, r, file_id, now_ms(), &t, err) < 0)
		goto rollback;
	st = db_prepare(db, "SELECT file_code FROM files WHERE id = ?1");
	db_bind_int64(st, 1, file_id);
	code = db_step(st) == DB_ROW ? db_col_strdup(st, 0) : xstrdup("?");
	db_finalize(st);
	snprintf(object, sizeof(object), "file:%s", code);
	free(code);
	st = db_prepare(db, clear ? "UPDATE files SET priority_override = NULL WHERE id = ?1"
				  : "UPDATE files SET priority_override = ?2 WHERE id = ?1");
	db_bind_int64(st, 1, file_id);
	if (!clear)
		db_bind_double(st, 2, value);
	if (db_step_done(db, st, "cannot set the priority override", err) < 0)
		goto rollback;
	sb_init(&d, 0);
	sb_adds(&d, "{\"field\":\"priority_override\",\"old\":");
	if (t.has_override)
		sb_addf(&d, "%g", t.override);
	else
		sb_adds(&d, "null");
	if (clear)
		sb_adds(&d, ",\"new\":null");
	else
		sb_addf(&d, ",\"new\":%g", value);
	sb_addf(&d, ",\"score\":%g,\"reason\":", t.score);
	sb_add_json_str(&d, reason ? reason : "");
	sb_addc(&d, '}');
	rc = events_add(db, agent, "priority override", object, "success", d.buf);
	sb_release(&d);
	if (rc < 0) {
		err_set(err, "%s: cannot record the event", object);
		goto rollback;
	}
	if (priority_apply(db, r, file_id, now_ms(), err) < 0 || db_commit(db, err) < 0)
		goto rollback;
	return 0;
rollback:
	db_rollback(db);
	return -1;
}

void priority_explain(const struct priority_terms *t, struct strbuf *out)
{
	sb_addf(out, "gate\t%s\n", t->gate);
	sb_addf(out, "value\t%g\t%s\n", t->value, t->value_why);
	sb_addf(out, "use\t%g\t%s\n", t->use, t->use_why);
	sb_addf(out, "condition\t%g\t%s\n", t->condition, t->condition_why);
	sb_addf(out, "deadline\t%g\t%s\n", t->deadline, t->deadline_why);
	sb_addf(out, "selection\t%g\t%s\n", t->selection, t->selection_why);
	sb_addf(out, "score\t%g\n", t->score);
	if (t->has_override)
		sb_addf(out, "override\t%g\tset by a supervisor\n", t->override);
	sb_addf(out, "effective\t%g\t(+ aging per hour of waiting, priority.aging_per_hour in sohoa.conf)\n", t->effective);
}
