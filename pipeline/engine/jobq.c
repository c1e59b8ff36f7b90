/*
 * jobq.c - the durable job queue and the one owner of job and document
 * states (drawn in jobq.h).
 *
 * Every function is one or a few SQL statements, each result checked; a
 * failed statement returns -1 with err naming the job and SQLite's reason.
 * The callers own the transactions (except claim and the operator's
 * decisions) so that a stage's results, its audit events and the job's new
 * state commit together.  States are written only here, and only from the
 * states an arrow of the diagram starts at: an UPDATE names the states it
 * moves from, and a transition that finds its job elsewhere is refused.
 *
 * Priority: a job takes its file's priority (override first) when queued;
 * claim orders by the stored key (jobq.h).  The gate and score of
 * priority.c are applied when a batch closes (ingest.c) and by its fan-in
 * job (stages/fanin.c), through jobq_gate(); a page's next job follows its
 * file's gate.  The queue knows nothing of how documents are formed: it
 * queues the fan-in job, and the fan-in stage asks it for the document's
 * open -> ready (jobq_doc_ready()).
 */
#include "engine/jobq.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/log.h"
#include "engine/registry.h"

const char *const jobq_state_names[JOBQ_NSTATES] = {"ready", "claimed", "done", "failed", "quarantined", "held"};
const char *const jobq_doc_state_names[JOBQ_DOC_NSTATES] = {"open", "ready"};
const char *const jobq_error_names[JOBQ_E_NCODES] = {
	"", "stage_failed", "bad_input", "needs_operator", "worker_died", "priority_gate", "operator_hold",
	"rescan_requested", "dropped",
};

int jobq_state_parse(const char *name)
{
	for (int i = 0; name && i < JOBQ_NSTATES; i++)
		if (!strcmp(name, jobq_state_names[i]))
			return i;
	return -1;
}

/* The priority of the file a page or document belongs to; a batch names
 * its file by code or by legacy 169/HD alias. */
#define PAGE_PRIORITY \
	"(SELECT COALESCE(f.priority_override, f.priority, 0) FROM pages p JOIN batches b ON b.id = p.batch_id" \
	" LEFT JOIN files f ON b.file_code IN (f.file_code, f.alias) WHERE p.id = ?2)"
#define DOC_PRIORITY \
	"(SELECT COALESCE(f.priority_override, f.priority, 0) FROM documents d LEFT JOIN batches b ON b.id = d.batch_id" \
	" LEFT JOIN files f ON f.id = d.file_id OR (d.file_id IS NULL AND b.file_code IN (f.file_code, f.alias)) WHERE d.id = ?2)"
#define BATCH_PRIORITY \
	"(SELECT COALESCE(f.priority_override, f.priority, 0) FROM batches b" \
	" JOIN files f ON b.file_code IN (f.file_code, f.alias) WHERE b.id = ?2)"
/* The aging the stored claim keys are made with. */
#define AGING "(SELECT value FROM jobq_params WHERE name = 'aging_per_hour')"

static int enqueue(struct db *db, const char *sql, const char *stage, int64_t id, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, sql);
	db_bind_text(st, 1, stage, -1);
	db_bind_int64(st, 2, id);
	db_bind_int64(st, 3, now_ms());
	return db_step_done(db, st, "cannot queue a job", err);
}

int jobq_enqueue_page(struct db *db, const char *stage, int64_t page_id)
{
	struct errbuf err;
	err_init(&err);
	return enqueue(db, "INSERT INTO jobs(stage, page_id, state, priority, aging, created, updated)"
			   " VALUES (?1, ?2, 'ready', COALESCE(" PAGE_PRIORITY ", 0), " AGING ", ?3, ?3) ON CONFLICT DO NOTHING", stage, page_id, &err);
}

int jobq_enqueue_doc(struct db *db, const char *stage, int64_t document_id)
{
	struct errbuf err;
	err_init(&err);
	return enqueue(db, "INSERT INTO jobs(stage, document_id, state, priority, aging, created, updated)"
			   " VALUES (?1, ?2, 'ready', COALESCE(" DOC_PRIORITY ", 0), " AGING ", ?3, ?3) ON CONFLICT DO NOTHING", stage, document_id, &err);
}

int jobq_enqueue_batch(struct db *db, const char *stage, int64_t batch_id)
{
	struct errbuf err;
	err_init(&err);
	return enqueue(db, "INSERT INTO jobs(stage, batch_id, state, priority, aging, created, updated)"
			   " VALUES (?1, ?2, 'ready', COALESCE(" BATCH_PRIORITY ", 0), " AGING ", ?3, ?3) ON CONFLICT DO NOTHING", stage, batch_id, &err);
}

int jobq_enqueue_passed(struct db *db, const char *stage, int64_t page_id, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO jobs(stage, page_id, state, priority, created, updated, finished_at)"
					  " VALUES (?1, ?2, 'done', 0, ?3, ?3, ?3)");
	db_bind_text(st, 1, stage, -1);
	db_bind_int64(st, 2, page_id);
	db_bind_int64(st, 3, now_ms());
	if (db_step_done(db, st, "cannot record a passed stage", err) < 0)
		return err_prefix(err, "page %lld", (long long)page_id), -1;
	return 0;
}

/* The claim is the hot path: its statements are prepared once per database
 * handle and reset after each use (db_close() finalizes them). */
enum { C_AGING, C_READY, C_FAILED, C_CLAIM, C_CLAIM_PG, C_N };
static struct {
	struct db *db;
	unsigned gen;
	struct db_stmt *st[C_N];
} cache;

static struct db_stmt *cached(struct db *db, int which, const char *sql)
{
	if (cache.db != db || cache.gen != db_generation()) {
		memset(&cache, 0, sizeof(cache));
		cache.db = db;
		cache.gen = db_generation();
	}
	if (!cache.st[which])
		cache.st[which] = db_prepare(db, sql);
	return cache.st[which];
}

static void done_with(struct db_stmt *st)
{
	db_reset(st);
	db_clear_bindings(st);
}

/* The stored keys follow priority.aging_per_hour: when it changed, every
 * job that can still be claimed gets the new aging (its key follows, as a
 * generated column).  Inside the claim's transaction. */
static int rekey(struct db *db, double aging, struct errbuf *err)
{
	struct db_stmt *st;
	double cur = 0;
	st = cached(db, C_AGING, "SELECT value FROM jobq_params WHERE name = 'aging_per_hour'");
	if (db_step(st) == DB_ROW)
		cur = db_col_double(st, 0);
	done_with(st);
	if (cur == aging)
		return 0;
	st = db_prepare(db, "UPDATE jobq_params SET value = ?1 WHERE name = 'aging_per_hour'");
	db_bind_double(st, 1, aging);
	if (db_step_done(db, st, "cannot store the aging", err) < 0)
		return -1;
	st = db_prepare(db, "UPDATE jobs SET aging = ?1 WHERE state IN ('ready', 'failed', 'held', 'claimed', 'quarantined')");
	db_bind_double(st, 1, aging);
	return db_step_done(db, st, "cannot make the claim keys again", err);
}

/* The best job of one state (ready; failed and due): its id and key. */
static bool best_of(struct db *db, int which, const char *sql, const char *stage, int64_t now, int64_t *id, double *key)
{
	struct db_stmt *st = cached(db, which, sql);
	bool found = false;
	db_bind_text(st, 1, stage, -1);
	db_bind_int64(st, 2, now);
	if (db_step(st) == DB_ROW) {
		*id = db_col_int64(st, 0);
		*key = db_col_double(st, 1);
		found = true;
	}
	done_with(st);
	return found;
}

/* A claim need not survive a power cut: recovery returns every claimed job
 * to ready at start-up anyway, so a lost claim is a job still ready.  Its
 * commit is therefore not synced (WAL, synchronous NORMAL: the database
 * stays consistent, and the next synced commit syncs it too). */
static int claim_tx(struct db *db, struct job *job, const char *stage, long pid, int lease_s, double aging_per_hour,
		    struct errbuf *err);

int jobq_claim(struct db *db, const char *stage, long pid, int lease_s, double aging_per_hour,
	       struct job *job, struct errbuf *err)
{
	int rc;
	db_set_synced(db, false); /* a hint for speed: the claim is right either way */
	rc = claim_tx(db, job, stage, pid, lease_s, aging_per_hour, err);
	if (db_set_synced(db, true) < 0)
		log_panic("cannot make commits synced again: %s", db_errmsg(db)); /* every other commit relies on it */
	return rc;
}

static int claim_tx(struct db *db, struct job *job, const char *stage, long pid, int lease_s, double aging_per_hour,
		    struct errbuf *err)
{
	struct db_stmt *st;
	int64_t now = now_ms(), id = 0, fid;
	double key = 0, fkey;
	bool found;
	if (db_begin(db, err) < 0)
		return -1;
	if (rekey(db, aging_per_hour, err) < 0)
		goto fail;
	if (!strcmp(db_backend(db), "postgresql")) {
		/* One statement: the best ready job and the best failed one that
		 * is due, each an index seek on jobs_claim, rows that another
		 * node's claim holds skipped rather than waited for (the one of
		 * the two not taken stays locked until the commit). */
		st = cached(db, C_CLAIM_PG,
			    "WITH r AS (SELECT id, claim_key FROM jobs WHERE stage = ?1 AND state = 'ready'"
			    " ORDER BY claim_key DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED),"
			    " f AS (SELECT id, claim_key FROM jobs WHERE stage = ?1 AND state = 'failed' AND not_before <= ?4"
			    " ORDER BY claim_key DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED),"
			    " c AS (SELECT id FROM (SELECT * FROM r UNION ALL SELECT * FROM f) AS b ORDER BY claim_key DESC, id LIMIT 1)"
			    " UPDATE jobs SET state = 'claimed', worker_pid = ?2, lease_until = ?3, claimed_at = ?4, updated = ?4"
			    " FROM c WHERE jobs.id = c.id"
			    " RETURNING jobs.page_id, jobs.document_id, jobs.attempts, jobs.priority, jobs.batch_id, jobs.id");
		db_bind_text(st, 1, stage, -1);
		db_bind_int64(st, 2, pid);
		db_bind_int64(st, 3, now + (int64_t)lease_s * 1000);
		db_bind_int64(st, 4, now);
		switch (db_step(st)) {
		case DB_DONE:
			done_with(st);
			db_rollback(db);
			return 0;
		case DB_ROW:
			id = db_col_int64(st, 5);
			goto claimed;
		default:
			err_set(err, "cannot claim a '%s' job: %s", stage, db_errmsg(db));
			done_with(st);
			goto fail;
		}
	}
	/* Both served by jobs_claim(stage, state, claim_key DESC, id). */
	found = best_of(db, C_READY, "SELECT id, claim_key FROM jobs INDEXED BY jobs_claim WHERE stage = ?1 AND state = 'ready'"
			    " ORDER BY claim_key DESC, id LIMIT 1", stage, now, &id, &key);
	if (best_of(db, C_FAILED, "SELECT id, claim_key FROM jobs INDEXED BY jobs_claim WHERE stage = ?1 AND state = 'failed'"
			" AND not_before <= ?2 ORDER BY claim_key DESC, id LIMIT 1", stage, now, &fid, &fkey) &&
	    (!found || fkey > key || (fkey == key && fid < id))) {
		id = fid;
		found = true;
	}
	if (!found) {
		db_rollback(db);
		return 0;
	}
	st = cached(db, C_CLAIM, "UPDATE jobs SET state = 'claimed', worker_pid = ?2, lease_until = ?3, claimed_at = ?4,"
			    " updated = ?4 WHERE id = ?1 AND state IN ('ready', 'failed')"
			    " RETURNING page_id, document_id, attempts, priority, batch_id");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, pid);
	db_bind_int64(st, 3, now + (int64_t)lease_s * 1000);
	db_bind_int64(st, 4, now);
	if (db_step(st) != DB_ROW) {
		err_set(err, "cannot claim a '%s' job: %s", stage, db_errmsg(db));
		done_with(st);
		goto fail;
	}
claimed:
	memset(job, 0, sizeof(*job));
	job->id = id;
	job->page_id = db_col_int64(st, 0);
	job->document_id = db_col_int64(st, 1);
	job->attempts = db_col_int(st, 2);
	job->priority = db_col_double(st, 3);
	job->batch_id = db_col_int64(st, 4);
	snprintf(job->stage, sizeof(job->stage), "%s", stage);
	if (db_step(st) != DB_DONE) {
		err_set(err, "cannot claim a '%s' job: %s", stage, db_errmsg(db));
		done_with(st);
		goto fail;
	}
	done_with(st);
	if (db_commit(db, err) < 0)
		goto fail;
	return 1;
fail:
	db_rollback(db);
	return -1;
}

bool jobq_still_mine(struct db *db, int64_t job_id, long pid)
{
	return db_int(db, 0, "SELECT count(*) FROM jobs WHERE id = ?1 AND state = 'claimed' AND worker_pid = ?2",
		      2, job_id, (int64_t)pid) == 1;
}

/* claimed -> `to`: the one statement behind the worker's transitions. */
static int from_claimed(struct db *db, const struct job *job, enum jobq_state to, enum jobq_error code,
			const char *msg, int attempts_add, int64_t not_before, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "UPDATE jobs SET state = ?2, error = ?3, error_code = ?4, attempts = attempts + ?5,"
					  " not_before = ?6, worker_pid = NULL, lease_until = NULL, updated = ?7,"
					  " finished_at = CASE WHEN ?2 = 'done' THEN ?7 ELSE finished_at END"
					  " WHERE id = ?1 AND state = 'claimed'");
	int rc;
	db_bind_int64(st, 1, job->id);
	db_bind_text(st, 2, jobq_state_names[to], -1);
	if (msg)
		db_bind_text(st, 3, msg, -1);
	if (code != JOBQ_E_NONE)
		db_bind_text(st, 4, jobq_error_names[code], -1);
	db_bind_int64(st, 5, attempts_add);
	db_bind_int64(st, 6, not_before);
	db_bind_int64(st, 7, now_ms());
	rc = db_step(st);
	db_finalize(st);
	if (rc != DB_DONE)
		return err_set(err, "job %lld: cannot mark it %s: %s", (long long)job->id, jobq_state_names[to], db_errmsg(db));
	if (db_changes(db) != 1)
		return err_set(err, "job %lld: cannot mark it %s: it is not claimed", (long long)job->id, jobq_state_names[to]);
	return 0;
}

static int job_event(struct db *db, const struct job *job, const char *agent, const char *type, const char *outcome,
		     const char *msg, struct errbuf *err)
{
	char object[64];
	if (job->page_id)
		snprintf(object, sizeof(object), "page:%lld", (long long)job->page_id);
	else if (job->batch_id)
		snprintf(object, sizeof(object), "batch:%lld", (long long)job->batch_id);
	else
		snprintf(object, sizeof(object), "document:%lld", (long long)job->document_id);
	if (events_add_job(db, job->id, agent, type, object, outcome, msg) < 0)
		return err_set(err, "job %lld: cannot record the event: %s", (long long)job->id, db_errmsg(db));
	return 0;
}

int jobq_done(struct db *db, const struct job *job, struct errbuf *err)
{
	return from_claimed(db, job, JOBQ_DONE, JOBQ_E_NONE, NULL, 0, 0, err);
}

int jobq_fail(struct db *db, const struct job *job, const char *agent, const char *msg, int max_attempts,
	      int retry_delay_s, struct errbuf *err)
{
	int64_t delay = (int64_t)retry_delay_s * 1000 << (job->attempts < 10 ? job->attempts : 10);
	int rc = job->attempts + 1 >= max_attempts
			 ? from_claimed(db, job, JOBQ_QUARANTINED, JOBQ_E_STAGE_FAILED, msg, 1, 0, err)
			 : from_claimed(db, job, JOBQ_FAILED, JOBQ_E_STAGE_FAILED, msg, 1, now_ms() + delay, err);
	return rc < 0 ? -1 : job_event(db, job, agent, "validation", "failure", msg, err);
}

int jobq_quarantine(struct db *db, const struct job *job, const char *agent, const char *msg, struct errbuf *err)
{
	if (from_claimed(db, job, JOBQ_QUARANTINED, JOBQ_E_BAD_INPUT, msg, 0, 0, err) < 0)
		return -1;
	return job_event(db, job, agent, "quarantine", "failure", msg, err);
}

int jobq_hold(struct db *db, const struct job *job, const char *agent, const char *msg, struct errbuf *err)
{
	if (from_claimed(db, job, JOBQ_HELD, JOBQ_E_NEEDS_OPERATOR, msg, 0, 0, err) < 0)
		return -1;
	return job_event(db, job, agent, "hold", "needs operator", msg, err);
}

/* An operator's decision on one job, in its own transaction: `sql` moves
 * it (binding ?1 = id, ?2 = now) from the states it names; when nothing
 * moved the job was in none of them, and the decision is refused. */
/* Move one job by sql (?1 the job, ?2 now, ?3 the text arg when given)
 * and record the operator's event, in one transaction. */
static int decide(struct db *db, int64_t job_id, const char *sql, const char *arg, const char *from, const char *who,
		  const char *type, const char *detail, struct errbuf *err)
{
	struct db_stmt *st;
	char obj[32];
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, sql);
	db_bind_int64(st, 1, job_id);
	db_bind_int64(st, 2, now_ms());
	if (arg)
		db_bind_text(st, 3, arg, -1);
	if (db_step_done(db, st, "database", err) < 0)
		goto fail;
	if (db_changes(db) != 1) {
		struct db_stmt *q = db_prepare(db, "SELECT state FROM jobs WHERE id = ?1");
		db_bind_int64(q, 1, job_id);
		if (db_step(q) == DB_ROW)
			err_set(err, "job %lld is %s, not %s", (long long)job_id, db_col_text(q, 0), from);
		else
			err_set(err, "job %lld does not exist", (long long)job_id);
		db_finalize(q);
		db_rollback(db);
		return -1;
	}
	snprintf(obj, sizeof(obj), "job:%lld", (long long)job_id);
	if (events_add(db, who, type, obj, "success", detail) < 0) {
		err_set(err, "job %lld: cannot record the event: %s", (long long)job_id, db_errmsg(db));
		goto fail;
	}
	return db_commit(db, err);
fail:
	err_prefix(err, "job %lld", (long long)job_id);
	db_rollback(db);
	return -1;
}

int jobq_hold_waiting(struct db *db, int64_t job_id, const char *who, struct errbuf *err)
{
	return decide(db, job_id, "UPDATE jobs SET state = 'held', error = 'held by the supervisor', error_code = 'operator_hold',"
				  " updated = ?2 WHERE id = ?1 AND state IN ('ready', 'failed')",
		      NULL, "waiting (only ready or failed jobs can be held)", who, "hold", "held by the supervisor", err);
}

int jobq_release(struct db *db, int64_t job_id, const char *who, struct errbuf *err)
{
	return decide(db, job_id, "UPDATE jobs SET state = 'ready', attempts = 0, not_before = 0, error_code = NULL, updated = ?2"
				  " WHERE id = ?1 AND state IN ('held', 'quarantined', 'failed')",
		      NULL, "held, quarantined or failed", who, "release", "released by the operator or supervisor", err);
}

int jobq_accept(struct db *db, int64_t job_id, const char *who, const char *reason, struct errbuf *err)
{
	char *accepted, *detail;
	int rc;
	if (!reason || !*reason)
		return err_set(err, "job %lld: accepting it as is needs a reason", (long long)job_id);
	accepted = xasprintf("%s: %s", who, reason);
	detail = xasprintf("accepted as is by %s: %s", who, reason);
	rc = decide(db, job_id,
		    "UPDATE jobs SET state = 'ready', attempts = 0, not_before = 0, error_code = NULL,"
		    " accepted = ?3, updated = ?2 WHERE id = ?1 AND state = 'held'"
		    " AND COALESCE(error_code, '') NOT IN ('priority_gate', 'operator_hold')",
		    accepted, "held by its stage (only a stage's hold can be accepted as is)", who, "accept as is", detail, err);
	free(accepted);
	free(detail);
	return rc;
}

int jobq_request_rescan(struct db *db, int64_t job_id, const char *who, const char *reason, struct errbuf *err)
{
	char *detail;
	int rc;
	if (!reason || !*reason)
		return err_set(err, "job %lld: a rescan request needs a reason", (long long)job_id);
	detail = xasprintf("rescan requested by %s: %s", who, reason);
	rc = decide(db, job_id,
		    "UPDATE jobs SET state = 'held', error_code = 'rescan_requested', error = ?3, updated = ?2"
		    " WHERE id = ?1 AND state IN ('held', 'quarantined') AND page_id IS NOT NULL",
		    detail, "a held or quarantined page job", who, "rescan request", detail, err);
	free(detail);
	return rc;
}

int jobq_drop_page(struct db *db, const struct pipeline *pl, int64_t job_id, const char *who, const char *reason,
		   struct errbuf *err)
{
	char *detail;
	int64_t page, batch;
	struct db_stmt *st;
	if (!reason || !*reason)
		return err_set(err, "job %lld: dropping its page needs a reason", (long long)job_id);
	page = db_int(db, 0, "SELECT page_id FROM jobs WHERE id = ?1", 1, job_id);
	batch = db_int(db, 0, "SELECT batch_id FROM pages WHERE id = ?1", 1, page);
	detail = xasprintf("page %lld dropped from its document by %s: %s", (long long)page, who, reason);
	/* decide() commits the job's move and its event; the page's mark and
	 * the fan-in job it may unblock follow in one more transaction, which a
	 * crash in between leaves to the supervisor's start-up fan-in check. */
	if (decide(db, job_id,
		   "UPDATE jobs SET state = 'done', error_code = 'dropped', error = ?3, worker_pid = NULL,"
		   " finished_at = ?2, updated = ?2 WHERE id = ?1 AND state IN ('held', 'quarantined')"
		   " AND page_id IS NOT NULL AND (SELECT document_id FROM pages WHERE id = page_id) IS NULL",
		   detail, "a held or quarantined page job not yet in a document", who, "page dropped", detail, err) < 0) {
		free(detail);
		return -1;
	}
	free(detail);
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "UPDATE pages SET dropped = 1 WHERE id = ?1");
	db_bind_int64(st, 1, page);
	if (db_step_done(db, st, "cannot mark the page dropped", err) < 0 || jobq_queue_fanin(db, pl, batch, err) < 0) {
		db_rollback(db);
		return -1;
	}
	return db_commit(db, err);
}

int jobq_replace_page(struct db *db, int64_t old_page, int64_t new_page, const char *who, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t doc = db_int(db, 0, "SELECT COALESCE(document_id, 0) FROM pages WHERE id = ?1", 1, old_page);
	char *msg = xasprintf("page %lld replaced by its rescan, page %lld (%s)", (long long)old_page, (long long)new_page, who);
	int rc = -1;
	st = db_prepare(db, "UPDATE jobs SET state = 'done', error_code = 'dropped', error = ?2, worker_pid = NULL,"
			    " lease_until = NULL, finished_at = ?3, updated = ?3"
			    " WHERE page_id = ?1 AND state IN ('ready', 'failed', 'held', 'quarantined')");
	db_bind_int64(st, 1, old_page);
	db_bind_text(st, 2, msg, -1);
	db_bind_int64(st, 3, now_ms());
	if (db_step_done(db, st, "cannot end its jobs", err) < 0)
		goto out;
	st = db_prepare(db, "UPDATE pages SET document_id = NULLIF(?3, 0) WHERE id = ?2");
	db_bind_int64(st, 2, new_page);
	db_bind_int64(st, 3, doc);
	if (db_step_done(db, st, "cannot put the new page in its place", err) < 0)
		goto out;
	st = db_prepare(db, "UPDATE pages SET dropped = 1, document_id = NULL WHERE id = ?1");
	db_bind_int64(st, 1, old_page);
	if (db_step_done(db, st, "cannot take the page out of its document", err) < 0)
		goto out;
	if (doc) {
		/* ready -> open: the document waits for the new page */
		if (jobq_restart_doc(db, doc, NULL, err) < 0)
			goto out;
		st = db_prepare(db, "UPDATE documents SET state = ?2 WHERE id = ?1");
		db_bind_int64(st, 1, doc);
		db_bind_text(st, 2, jobq_doc_state_names[JOBQ_DOC_OPEN], -1);
		if (db_step_done(db, st, "cannot open its document again", err) < 0)
			goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		err_prefix(err, "page %lld", (long long)old_page);
	free(msg);
	return rc;
}

/* A rescan's page passed the page stages (jobq_advance): when every page
 * of its document has, the document is ready again (open -> ready) and
 * its first document stage is queued. */
static int replaced_page_passed(struct db *db, const struct pipeline *pl, int64_t page_id, int64_t doc, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "SELECT count(*) FROM pages p WHERE p.document_id = ?1 AND p.dropped = 0 AND NOT EXISTS"
					  " (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.stage = ?2 AND j.state = 'done')");
	int64_t waiting = -1;
	db_bind_int64(st, 1, doc);
	db_bind_text(st, 2, pl->stage[pl->last_page]->name, -1);
	if (db_step(st) == DB_ROW)
		waiting = db_col_int64(st, 0);
	db_finalize(st);
	if (waiting < 0)
		return err_set(err, "page %lld: cannot count its document's pages: %s", (long long)page_id, db_errmsg(db));
	if (waiting > 0)
		return 0;
	return jobq_doc_ready(db, doc, pl->first_doc >= 0 ? pl->stage[pl->first_doc]->name : NULL, err);
}

/* Jobs of a file: by page (page -> batch -> file code) or by document. */
#define FILE_JOBS \
	" (page_id IN (SELECT p.id FROM pages p JOIN batches b ON b.id = p.batch_id JOIN files f ON f.file_code = b.file_code OR f.alias = b.file_code WHERE f.id = ?1)" \
	" OR document_id IN (SELECT d.id FROM documents d LEFT JOIN batches b ON b.id = d.batch_id" \
	" WHERE d.file_id = ?1 OR (d.file_id IS NULL AND b.file_code IN (SELECT file_code FROM files WHERE id = ?1))))"

static int file_jobs(struct db *db, const char *sql, int64_t file_id, double priority, const char *msg, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, sql);
	db_bind_int64(st, 1, file_id);
	db_bind_double(st, 2, priority);
	if (msg)
		db_bind_text(st, 3, msg, -1);
	db_bind_int64(st, 4, now_ms());
	if (db_step_done(db, st, "cannot update its jobs", err) < 0)
		return err_prefix(err, "file %lld", (long long)file_id), -1;
	return 0;
}

int jobq_gate(struct db *db, int64_t file_id, double priority, const char *gate_msg, struct errbuf *err)
{
	char *msg;
	int rc;
	if (file_jobs(db, "UPDATE jobs SET priority = ?2 WHERE state IN ('ready','failed') AND" FILE_JOBS, file_id, priority, NULL,
		      err) < 0)
		return -1;
	if (!gate_msg)
		return file_jobs(db, "UPDATE jobs SET state = 'ready', priority = ?2, error = NULL, error_code = NULL, updated = ?4"
				     " WHERE state = 'held' AND error_code = 'priority_gate' AND" FILE_JOBS,
				 file_id, priority, NULL, err);
	msg = xasprintf("priority gate: %s", gate_msg);
	rc = file_jobs(db, "UPDATE jobs SET state = 'held', error = ?3, error_code = 'priority_gate', updated = ?4"
			   " WHERE state IN ('ready','failed') AND" FILE_JOBS, file_id, priority, msg, err);
	free(msg);
	return rc;
}

int jobq_restart_doc(struct db *db, int64_t document_id, const char *first_stage, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "DELETE FROM jobs WHERE document_id = ?1 AND page_id IS NULL");
	db_bind_int64(st, 1, document_id);
	if (db_step_done(db, st, "cannot drop its jobs", err) < 0)
		return err_prefix(err, "document %lld", (long long)document_id), -1;
	if (!first_stage || db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, document_id) == 0)
		return 0;
	if (jobq_enqueue_doc(db, first_stage, document_id) < 0)
		return err_set(err, "document %lld: cannot queue: %s", (long long)document_id, db_errmsg(db));
	return 0;
}

int jobq_doc_ready(struct db *db, int64_t document_id, const char *next_stage, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "UPDATE documents SET state = ?2 WHERE id = ?1 AND state = ?3");
	db_bind_int64(st, 1, document_id);
	db_bind_text(st, 2, jobq_doc_state_names[JOBQ_DOC_READY], -1);
	db_bind_text(st, 3, jobq_doc_state_names[JOBQ_DOC_OPEN], -1);
	if (db_step_done(db, st, "cannot mark it ready", err) < 0)
		return err_prefix(err, "document %lld", (long long)document_id), -1;
	if (next_stage && jobq_enqueue_doc(db, next_stage, document_id) < 0)
		return err_set(err, "document %lld: cannot queue '%s': %s", (long long)document_id, next_stage, db_errmsg(db));
	return 0;
}

int jobq_queue_fanin(struct db *db, const struct pipeline *pl, int64_t batch_id, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t waiting;
	int rc;
	if (pl->last_page < 0 || pl->fanin < 0)
		return 0;
	st = db_prepare(db, "SELECT finished IS NOT NULL FROM batches WHERE id = ?1");
	db_bind_int64(st, 1, batch_id);
	rc = db_step(st);
	waiting = rc == DB_ROW ? !db_col_int(st, 0) : 1;
	db_finalize(st);
	if (rc != DB_ROW && rc != DB_DONE)
		return err_set(err, "batch %lld: cannot read it: %s", (long long)batch_id, db_errmsg(db));
	if (waiting)
		return 0; /* gone, or still being ingested */
	st = db_prepare(db, "SELECT count(*) FROM pages p WHERE p.batch_id = ?1 AND p.dropped = 0 AND NOT EXISTS"
			    " (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.stage = ?2 AND j.state = 'done')");
	db_bind_int64(st, 1, batch_id);
	db_bind_text(st, 2, pl->stage[pl->last_page]->name, -1);
	rc = db_step(st);
	waiting = db_col_int64(st, 0);
	db_finalize(st);
	if (rc != DB_ROW)
		return err_set(err, "batch %lld: cannot count its pages: %s", (long long)batch_id, db_errmsg(db));
	if (waiting > 0)
		return 0;
	if (jobq_enqueue_batch(db, pl->stage[pl->fanin]->name, batch_id) < 0)
		return err_set(err, "batch %lld: cannot queue its fan-in: %s", (long long)batch_id, db_errmsg(db));
	return 1;
}

/* A page job queued while its file's other jobs are held by the priority
 * gate (the gate closed while this page was being worked on) is held too;
 * jobq_gate() releases them together when the file passes. */
static int follow_gate(struct db *db, const char *stage, int64_t page_id, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db,
		"UPDATE jobs SET state = 'held', error = g.error, error_code = 'priority_gate' FROM (SELECT j.error FROM jobs j"
		" JOIN pages p ON p.id = j.page_id WHERE p.batch_id = (SELECT batch_id FROM pages WHERE id = ?2)"
		" AND j.state = 'held' AND j.error_code = 'priority_gate' LIMIT 1) AS g"
		" WHERE jobs.stage = ?1 AND jobs.page_id = ?2 AND jobs.state = 'ready'");
	db_bind_text(st, 1, stage, -1);
	db_bind_int64(st, 2, page_id);
	return db_step_done(db, st, "cannot follow the priority gate", err);
}

int jobq_advance(struct db *db, const struct pipeline *pl, const struct job *job, struct errbuf *err)
{
	int i = registry_index(pl, job->stage);
	if (i < 0 || i + 1 > pl->n || job->batch_id)
		return 0; /* a batch job: its stage queued what follows (jobq_doc_ready()) */
	if (job->page_id) {
		if (i < pl->last_page) {
			if (jobq_enqueue_page(db, pl->stage[i + 1]->name, job->page_id) < 0 ||
			    follow_gate(db, pl->stage[i + 1]->name, job->page_id, err) < 0)
				return err_set(err, "cannot queue page %lld: %s", (long long)job->page_id, db_errmsg(db));
			return 0;
		}
		if (db_int(db, 0, "SELECT dropped FROM pages WHERE id = ?1", 1, job->page_id))
			return 0; /* replaced or dropped meanwhile: it goes nowhere */
		{
			int64_t doc = db_int(db, 0, "SELECT p.document_id FROM pages p JOIN rescans q ON q.new_page_id = p.id"
						    " WHERE p.id = ?1 AND p.document_id IS NOT NULL", 1, job->page_id);
			if (doc)
				return replaced_page_passed(db, pl, job->page_id, doc, err);
		}
		return jobq_queue_fanin(db, pl, db_int(db, 0, "SELECT batch_id FROM pages WHERE id = ?1", 1, job->page_id), err) < 0
			       ? -1 : 0;
	}
	if (i + 1 < pl->n && jobq_enqueue_doc(db, pl->stage[i + 1]->name, job->document_id) < 0)
		return err_set(err, "cannot queue document %lld: %s", (long long)job->document_id, db_errmsg(db));
	return 0;
}

static int put_back(struct db *db, const char *where, int64_t arg, int max_attempts)
{
	struct strbuf sql;
	struct db_stmt *st;
	int n;
	sb_init(&sql, 0);
	/* Quarantine first those whose attempts are used up, then the rest back
	 * to ready.  Through the index on state: the claimed jobs are few, the
	 * table may hold millions (the supervisor runs this at every scan). */
	sb_addf(&sql, "UPDATE jobs INDEXED BY jobs_waiting SET state = 'quarantined', attempts = attempts + 1, error_code = 'worker_died',"
		      " error = 'the worker died while running this job, ' || (attempts + 1) || ' times',"
		      " worker_pid = NULL, lease_until = NULL, updated = ?2"
		      " WHERE state = 'claimed' AND attempts + 1 >= ?3 AND %s", where);
	st = db_prepare(db, sql.buf);
	db_bind_int64(st, 1, arg);
	db_bind_int64(st, 2, now_ms());
	db_bind_int64(st, 3, max_attempts);
	n = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	if (n == 0) {
		sb_reset(&sql);
		sb_addf(&sql, "UPDATE jobs INDEXED BY jobs_waiting SET state = 'ready', attempts = attempts + 1,"
			      " error = 'the worker died while running this job', error_code = NULL,"
			      " worker_pid = NULL, lease_until = NULL, updated = ?2 WHERE state = 'claimed' AND %s", where);
		st = db_prepare(db, sql.buf);
		db_bind_int64(st, 1, arg);
		db_bind_int64(st, 2, now_ms());
		n = db_step(st) == DB_DONE ? db_changes(db) : -1;
		db_finalize(st);
	}
	sb_release(&sql);
	return n;
}

int jobq_reclaim_dead(struct db *db, long pid, int max_attempts)
{
	if (pid == 0)
		return put_back(db, "?1 = ?1", 0, max_attempts);
	return put_back(db, "worker_pid = ?1", pid, max_attempts);
}

int jobq_expire_leases(struct db *db, int max_attempts)
{
	return put_back(db, "lease_until < ?1", now_ms(), max_attempts);
}

int64_t jobq_pending(struct db *db)
{
	return db_int(db, 0, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE state IN ('ready', 'claimed', 'failed')", 0);
}
