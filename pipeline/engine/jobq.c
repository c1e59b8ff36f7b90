/*
 * jobq.c - the durable job queue (states and transitions drawn in jobq.h).
 *
 * Every function here is one or a few SQL statements; the callers own the
 * transactions so that a stage's results, its audit events and the job's
 * new state commit together.  Priority: a job takes its file's priority
 * (override first) when queued; claim orders by priority plus aging.  The
 * gate and score of priority.c are applied when a batch closes (ingest.c)
 * and after its fan-in; a page's next job follows its file's gate.
 */
#include "engine/jobq.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "archive/docmap.h"
#include "engine/events.h"
#include "archive/priority.h"
#include "engine/registry.h"

/* The priority of the file a page or document belongs to; a batch names
 * its file by code or by legacy 169/HD alias. */
#define PAGE_PRIORITY \
	"(SELECT COALESCE(f.priority_override, f.priority, 0) FROM pages p JOIN batches b ON b.id = p.batch_id" \
	" LEFT JOIN files f ON b.file_code IN (f.file_code, f.alias) WHERE p.id = ?2)"
#define DOC_PRIORITY \
	"(SELECT COALESCE(f.priority_override, f.priority, 0) FROM documents d LEFT JOIN batches b ON b.id = d.batch_id" \
	" LEFT JOIN files f ON f.id = d.file_id OR (d.file_id IS NULL AND b.file_code IN (f.file_code, f.alias)) WHERE d.id = ?2)"

static int enqueue(sqlite3 *db, const char *sql, const char *stage, int64_t id)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int rc;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_int64(st, 3, now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int jobq_enqueue_page(sqlite3 *db, const char *stage, int64_t page_id)
{
	return enqueue(db, "INSERT OR IGNORE INTO jobs(stage, page_id, state, priority, created, updated)"
			   " VALUES (?1, ?2, 'ready', COALESCE(" PAGE_PRIORITY ", 0), ?3, ?3)", stage, page_id);
}

int jobq_enqueue_doc(sqlite3 *db, const char *stage, int64_t document_id)
{
	return enqueue(db, "INSERT OR IGNORE INTO jobs(stage, document_id, state, priority, created, updated)"
			   " VALUES (?1, ?2, 'ready', COALESCE(" DOC_PRIORITY ", 0), ?3, ?3)", stage, document_id);
}

int jobq_claim(sqlite3 *db, const char *stage, long pid, int lease_s, double aging_per_hour,
	       struct job *job, struct errbuf *err)
{
	sqlite3_stmt *st;
	int64_t now = now_ms();
	int found = 0;
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "SELECT id, page_id, document_id, attempts, priority FROM jobs"
			    " WHERE stage = ?1 AND (state = 'ready' OR (state = 'failed' AND not_before <= ?2))"
			    " ORDER BY priority + ?3 * (?2 - created) / 3600000.0 DESC, id LIMIT 1");
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now);
	sqlite3_bind_double(st, 3, aging_per_hour);
	if (sqlite3_step(st) == SQLITE_ROW) {
		memset(job, 0, sizeof(*job));
		job->id = sqlite3_column_int64(st, 0);
		job->page_id = sqlite3_column_int64(st, 1);
		job->document_id = sqlite3_column_int64(st, 2);
		job->attempts = sqlite3_column_int(st, 3);
		job->priority = sqlite3_column_double(st, 4);
		snprintf(job->stage, sizeof(job->stage), "%s", stage);
		found = 1;
	}
	sqlite3_finalize(st);
	if (found) {
		st = db_prepare(db, "UPDATE jobs SET state = 'claimed', worker_pid = ?2, lease_until = ?3,"
				    " claimed_at = ?4, updated = ?4 WHERE id = ?1");
		sqlite3_bind_int64(st, 1, job->id);
		sqlite3_bind_int64(st, 2, pid);
		sqlite3_bind_int64(st, 3, now + (int64_t)lease_s * 1000);
		sqlite3_bind_int64(st, 4, now);
		if (sqlite3_step(st) != SQLITE_DONE)
			found = -1;
		sqlite3_finalize(st);
	}
	if (found < 0) {
		err_set(err, "cannot claim a '%s' job: %s", stage, sqlite3_errmsg(db));
		db_rollback(db);
		return -1;
	}
	if (db_commit(db, err) < 0)
		return -1;
	return found;
}

bool jobq_still_mine(sqlite3 *db, int64_t job_id, long pid)
{
	return db_int(db, 0, "SELECT count(*) FROM jobs WHERE id = ?1 AND state = 'claimed' AND worker_pid = ?2",
		      2, job_id, (int64_t)pid) == 1;
}

static int set_state(sqlite3 *db, int64_t job_id, const char *state, const char *msg, int attempts_add,
		     int64_t not_before)
{
	sqlite3_stmt *st = db_prepare(db, "UPDATE jobs SET state = ?2, error = ?3, attempts = attempts + ?4,"
					  " not_before = ?5, worker_pid = NULL, lease_until = NULL, updated = ?6,"
					  " finished_at = CASE WHEN ?2 = 'done' THEN ?6 ELSE finished_at END"
					  " WHERE id = ?1");
	int rc;
	sqlite3_bind_int64(st, 1, job_id);
	sqlite3_bind_text(st, 2, state, -1, SQLITE_STATIC);
	if (msg)
		sqlite3_bind_text(st, 3, msg, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 4, attempts_add);
	sqlite3_bind_int64(st, 5, not_before);
	sqlite3_bind_int64(st, 6, now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int jobq_done(sqlite3 *db, const struct job *job)
{
	return set_state(db, job->id, "done", NULL, 0, 0);
}

int jobq_fail(sqlite3 *db, const struct job *job, const char *msg, int max_attempts, int retry_delay_s)
{
	int64_t delay;
	if (job->attempts + 1 >= max_attempts)
		return set_state(db, job->id, "quarantined", msg, 1, 0);
	delay = (int64_t)retry_delay_s * 1000 << (job->attempts < 10 ? job->attempts : 10);
	return set_state(db, job->id, "failed", msg, 1, now_ms() + delay);
}

int jobq_quarantine(sqlite3 *db, int64_t job_id, const char *msg)
{
	return set_state(db, job_id, "quarantined", msg, 0, 0);
}

int jobq_hold(sqlite3 *db, int64_t job_id, const char *msg)
{
	return set_state(db, job_id, "held", msg, 0, 0);
}

int jobq_release(sqlite3 *db, int64_t job_id, struct errbuf *err)
{
	sqlite3_stmt *st;
	int changed;
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "UPDATE jobs SET state = 'ready', attempts = 0, not_before = 0, updated = ?2"
			    " WHERE id = ?1 AND state IN ('held', 'quarantined', 'failed')");
	sqlite3_bind_int64(st, 1, job_id);
	sqlite3_bind_int64(st, 2, now_ms());
	sqlite3_step(st);
	sqlite3_finalize(st);
	changed = sqlite3_changes(db);
	if (!changed) {
		db_rollback(db);
		return err_set(err, "job %lld is not held, quarantined or failed", (long long)job_id);
	}
	return db_commit(db, err);
}

int jobq_redo_document(sqlite3 *db, int64_t document_id, const char *first_stage)
{
	sqlite3_stmt *st;
	if (db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL", 1, document_id) == 0)
		return 0;
	st = db_prepare(db, "DELETE FROM jobs WHERE document_id = ?1 AND page_id IS NULL AND state <> 'claimed'");
	sqlite3_bind_int64(st, 1, document_id);
	sqlite3_step(st);
	sqlite3_finalize(st);
	if (db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, document_id) == 0)
		return 0;
	return jobq_enqueue_doc(db, first_stage, document_id) < 0 ? -1 : 1;
}

int jobq_fanin(sqlite3 *db, const struct config *cfg, const struct pipeline *pl, int64_t batch_id,
	       struct errbuf *err)
{
	const char *last;
	int64_t *docs = NULL, waiting;
	int n = 0;
	bool has_doc_stage = pl->last_page + 1 < pl->n;
	if (pl->last_page < 0)
		return 0;
	last = pl->stage[pl->last_page]->name;
	if (db_int(db, 0, "SELECT finished IS NOT NULL FROM batches WHERE id = ?1", 1, batch_id) != 1)
		return 0; /* the batch is still being ingested */
	{
		sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM pages p WHERE p.batch_id = ?1 AND NOT EXISTS"
						  " (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.stage = ?2 AND j.state = 'done')");
		sqlite3_bind_int64(st, 1, batch_id);
		sqlite3_bind_text(st, 2, last, -1, SQLITE_STATIC);
		sqlite3_step(st);
		waiting = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	if (waiting > 0)
		return 0;
	if (docmap_assign(db, cfg, batch_id, &docs, &n, err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		sqlite3_stmt *st = db_prepare(db, "UPDATE documents SET state = 'ready' WHERE id = ?1");
		sqlite3_bind_int64(st, 1, docs[i]);
		sqlite3_step(st);
		sqlite3_finalize(st);
		if (has_doc_stage && jobq_enqueue_doc(db, pl->stage[pl->last_page + 1]->name, docs[i]) < 0) {
			free(docs);
			return err_set(err, "cannot queue document %lld: %s", (long long)docs[i], sqlite3_errmsg(db));
		}
	}
	free(docs);
	/* The new document jobs follow the file's gate and score. */
	if (n > 0 && priority_apply_batch(db, batch_id, err) < 0)
		return -1;
	return n;
}

/* A page job queued while its file's other jobs are held by the priority
 * gate (the gate closed while this page was being worked on) is held too;
 * priority_apply() releases them together when the file passes. */
static int follow_gate(sqlite3 *db, const char *stage, int64_t page_id)
{
	sqlite3_stmt *st = db_prepare(db,
		"UPDATE jobs SET state = 'held', error = g.error FROM (SELECT j.error FROM jobs j JOIN pages p ON p.id = j.page_id"
		" WHERE p.batch_id = (SELECT batch_id FROM pages WHERE id = ?2) AND j.state = 'held'"
		" AND j.error LIKE 'priority gate:%' LIMIT 1) AS g"
		" WHERE jobs.stage = ?1 AND jobs.page_id = ?2 AND jobs.state = 'ready'");
	int rc;
	sqlite3_bind_text(st, 1, stage, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, page_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int jobq_advance(sqlite3 *db, const struct config *cfg, const struct pipeline *pl,
		 const struct job *job, struct errbuf *err)
{
	int i = registry_index(pl, job->stage);
	if (i < 0 || i + 1 > pl->n)
		return 0;
	if (job->page_id) {
		if (i < pl->last_page) {
			if (jobq_enqueue_page(db, pl->stage[i + 1]->name, job->page_id) < 0 ||
			    follow_gate(db, pl->stage[i + 1]->name, job->page_id) < 0)
				return err_set(err, "cannot queue page %lld: %s", (long long)job->page_id, sqlite3_errmsg(db));
			return 0;
		}
		return jobq_fanin(db, cfg, pl, db_int(db, 0, "SELECT batch_id FROM pages WHERE id = ?1", 1, job->page_id), err) < 0
			       ? -1 : 0;
	}
	if (i + 1 < pl->n && jobq_enqueue_doc(db, pl->stage[i + 1]->name, job->document_id) < 0)
		return err_set(err, "cannot queue document %lld: %s", (long long)job->document_id, sqlite3_errmsg(db));
	return 0;
}

static int put_back(sqlite3 *db, const char *where, int64_t arg, int max_attempts)
{
	struct strbuf sql;
	sqlite3_stmt *st;
	int n;
	sb_init(&sql, 0);
	/* Quarantine first those whose attempts are used up, then the rest back to ready. */
	sb_addf(&sql, "UPDATE jobs SET state = 'quarantined', attempts = attempts + 1,"
		      " error = 'the worker died while running this job, ' || (attempts + 1) || ' times',"
		      " worker_pid = NULL, lease_until = NULL, updated = ?2"
		      " WHERE state = 'claimed' AND attempts + 1 >= ?3 AND %s", where);
	st = db_prepare(db, sql.buf);
	sqlite3_bind_int64(st, 1, arg);
	sqlite3_bind_int64(st, 2, now_ms());
	sqlite3_bind_int(st, 3, max_attempts);
	sqlite3_step(st);
	sqlite3_finalize(st);
	sb_reset(&sql);
	sb_addf(&sql, "UPDATE jobs SET state = 'ready', attempts = attempts + 1,"
		      " error = 'the worker died while running this job',"
		      " worker_pid = NULL, lease_until = NULL, updated = ?2 WHERE state = 'claimed' AND %s", where);
	st = db_prepare(db, sql.buf);
	sqlite3_bind_int64(st, 1, arg);
	sqlite3_bind_int64(st, 2, now_ms());
	n = sqlite3_step(st) == SQLITE_DONE ? sqlite3_changes(db) : -1;
	sqlite3_finalize(st);
	sb_release(&sql);
	return n;
}

int jobq_reclaim_dead(sqlite3 *db, long pid, int max_attempts)
{
	if (pid == 0)
		return put_back(db, "?1 = ?1", 0, max_attempts);
	return put_back(db, "worker_pid = ?1", pid, max_attempts);
}

int jobq_expire_leases(sqlite3 *db, int max_attempts)
{
	return put_back(db, "lease_until < ?1", now_ms(), max_attempts);
}

int64_t jobq_pending(sqlite3 *db)
{
	return db_int(db, 0, "SELECT count(*) FROM jobs WHERE state IN ('ready', 'claimed', 'failed')", 0);
}
