/*
 * test_jobq.c - the job queue: idempotent queuing, claim order (priority and
 * aging), the state transitions of jobq.h, recovery of dead workers' jobs,
 * and the document fan-in: its job queued once per batch, its stage's plan
 * made without a write, its commit refused when the batch changed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/jobq.h"
#include "engine/registry.h"
#include "engine/stage_result.h"
#include "unitdb.h"

static struct db *db;
static char root[64] = "/tmp/test_jobq.XXXXXX"; /* a workspace folder without config/: the defaults */

/* The fan-in job of a batch, as a worker runs it: claim, run() (which must
 * write nothing), then commit() and done in one transaction.  `meddle`
 * runs between the plan and the commit.  Returns commit()'s result. */
static enum stage_rc run_fanin(const struct pipeline *pl, int64_t batch, const char *meddle)
{
	const struct stage *s = pl->stage[pl->fanin];
	struct stage_ctx ctx;
	struct stage_batch b;
	struct stage_result res;
	struct errbuf err;
	struct job j;
	enum stage_rc rc = STAGE_BAD;
	int changes;
	memset(&ctx, 0, sizeof(ctx));
	memset(&b, 0, sizeof(b));
	memset(&res, 0, sizeof(res));
	err_init(&err);
	b.id = batch;
	ctx.workspace = root;
	ctx.db = db;
	ctx.stage = s->name;
	ctx.batch = &b;
	ctx.res = &res;
	ctx.next_stage = pl->first_doc >= 0 ? pl->stage[pl->first_doc]->name : NULL;
	CHECK(s->unit == STAGE_BATCH && s->commit != NULL);
	CHECK(s->init(&ctx, &err) == 0);
	CHECK(jobq_claim(db, s->name, 777, 60, 0, &j, &err) == 1);
	CHECK(j.batch_id == batch && j.page_id == 0 && j.document_id == 0);
	changes = db_total_changes(db);
	CHECK(s->run(&ctx, &err) == STAGE_OK);
	CHECK(db_total_changes(db) == changes); /* the plan reads only */
	CHECK(res.ne == 1 && !strcmp(res.e[0].type, "document formation"));
	if (meddle)
		db_exec(db, meddle, NULL);
	CHECK(db_begin(db, &err) == 0);
	rc = s->commit(&ctx, db, &err);
	if (rc == STAGE_OK) {
		CHECK(jobq_done(db, &j, &err) == 0 && jobq_advance(db, pl, &j, &err) == 0);
		CHECK(db_commit(db, &err) == 0);
	} else {
		db_rollback(db);
		CHECK(err.set);
		CHECK(jobq_reclaim_dead(db, 777, 10) == 1); /* as if retried */
	}
	stage_result_release(&res);
	s->fini(&ctx);
	return rc;
}

static int64_t add_page(int64_t batch, int seq)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "INSERT INTO pages(batch_id, master_id, seq, created) VALUES (%lld, 1, %d, 0)", (long long)batch, seq);
	db_exec(db, sql, NULL);
	return db_last_id(db);
}

static const char *state_of(int64_t job)
{
	static char buf[32];
	struct db_stmt *st = db_prepare(db, "SELECT state FROM jobs WHERE id = ?1");
	db_bind_int64(st, 1, job);
	buf[0] = '\0';
	if (db_step(st) == DB_ROW)
		snprintf(buf, sizeof(buf), "%s", db_col_text(st, 0));
	db_finalize(st);
	return buf;
}


static int64_t count_events(int64_t job, const char *type)
{
	char obj[32];
	snprintf(obj, sizeof(obj), "job:%lld", (long long)job);
	struct db_stmt *st = db_prepare(db, "SELECT count(*) FROM events WHERE (object = ?1 OR job_id = ?2) AND type = ?3");
	int64_t n;
	db_bind_text(st, 1, obj, -1);
	db_bind_int64(st, 2, job);
	db_bind_text(st, 3, type, -1);
	db_step(st);
	n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

static const char *code_of(int64_t job)
{
	static char buf[32];
	struct db_stmt *st = db_prepare(db, "SELECT COALESCE(error_code, '') FROM jobs WHERE id = ?1");
	db_bind_int64(st, 1, job);
	buf[0] = '\0';
	if (db_step(st) == DB_ROW)
		snprintf(buf, sizeof(buf), "%s", db_col_text(st, 0));
	db_finalize(st);
	return buf;
}

/* Every arrow of jobq.h that the fan-in walk above did not take, and the
 * refusal of a transition from a state no arrow starts at. */
static void arrows(const struct config *cfg, const struct pipeline *pl)
{
	struct errbuf err;
	struct job j;
	int64_t page = add_page(2, 9), id;
	err_init(&err);
	CHECK(jobq_state_parse("quarantined") == JOBQ_QUARANTINED);
	CHECK(jobq_state_parse("lost") == -1);
	CHECK_STR(jobq_doc_state_names[JOBQ_DOC_READY], "ready");
	CHECK(jobq_enqueue_page(db, "arrow", page) == 0);
	id = db_int(db, 0, "SELECT id FROM jobs WHERE stage = 'arrow'", 0);

	/* ready -> held (operator) -> ready; held again is refused */
	CHECK(jobq_hold_waiting(db, id, "op", &err) == 0);
	CHECK_STR(state_of(id), "held");
	CHECK_STR(code_of(id), "operator_hold");
	CHECK(count_events(id, "hold") == 1);
	CHECK(jobq_hold_waiting(db, id, "op", &err) < 0);
	CHECK(strstr(err.msg, "is held") != NULL);
	err_init(&err);
	CHECK(jobq_release(db, id, "op", &err) == 0);
	CHECK_STR(state_of(id), "ready");
	CHECK_STR(code_of(id), "");
	CHECK(count_events(id, "release") == 1);

	/* claimed -> held by the stage (needs the operator) */
	CHECK(jobq_claim(db, "arrow", 7, 60, 0, &j, &err) == 1 && j.id == id);
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_hold(db, &j, "sohoa/arrow", "arrow: 150 dpi", &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK_STR(state_of(id), "held");
	CHECK_STR(code_of(id), "needs_operator");
	/* a held job is not claimed: done, fail, quarantine, hold are refused */
	CHECK(jobq_done(db, &j, &err) < 0);
	CHECK(strstr(err.msg, "not claimed") != NULL);
	err_init(&err);
	CHECK(jobq_quarantine(db, &j, "sohoa/arrow", "x", &err) < 0);
	err_init(&err);
	CHECK(jobq_hold(db, &j, "sohoa/arrow", "x", &err) < 0);
	err_init(&err);
	CHECK_STR(state_of(id), "held");
	/* held by its stage -> ready, accepted as is (a reason is needed) */
	CHECK(jobq_accept(db, id, "op", "", &err) < 0);
	err_init(&err);
	CHECK(jobq_accept(db, id, "op", "the only copy", &err) == 0);
	CHECK_STR(state_of(id), "ready");
	CHECK(db_int(db, 0, "SELECT accepted = 'op: the only copy' FROM jobs WHERE id = ?1", 1, id) == 1);
	CHECK(count_events(id, "accept as is") == 1);
	CHECK(jobq_accept(db, id, "op", "again", &err) < 0); /* ready: refused */
	err_init(&err);

	/* claimed -> quarantined (bad input) */
	CHECK(jobq_claim(db, "arrow", 7, 60, 0, &j, &err) == 1 && j.id == id);
	CHECK(jobq_quarantine(db, &j, "sohoa/arrow", "arrow: not an image", &err) == 0);
	CHECK_STR(state_of(id), "quarantined");
	CHECK_STR(code_of(id), "bad_input");
	CHECK(jobq_hold_waiting(db, id, "op", &err) < 0); /* only waiting jobs are held */
	err_init(&err);
	CHECK(jobq_accept(db, id, "op", "bad input", &err) < 0); /* quarantined: not accepted */
	err_init(&err);
	/* quarantined -> held, rescan requested */
	CHECK(jobq_request_rescan(db, id, "op", "torn", &err) == 0);
	CHECK_STR(state_of(id), "held");
	CHECK_STR(code_of(id), "rescan_requested");
	CHECK(count_events(id, "rescan request") == 1);
	CHECK(jobq_release(db, id, "op", &err) == 0);

	/* the priority gate: waiting jobs of the file are held, then released */
	CHECK(jobq_gate(db, 1, 80, "needs approval", &err) == 0); /* file 1 = B.2020.1 (batch 2) */
	CHECK_STR(state_of(id), "held");
	CHECK_STR(code_of(id), "priority_gate");
	CHECK(db_int(db, 0, "SELECT priority FROM jobs WHERE id = ?1", 1, id) == 80);
	CHECK(jobq_gate(db, 1, 90, NULL, &err) == 0);
	CHECK_STR(state_of(id), "ready");
	CHECK(db_int(db, 0, "SELECT priority FROM jobs WHERE id = ?1", 1, id) == 90);

	/* held -> done, the page dropped from its (future) document */
	{
		int64_t p2 = add_page(2, 10), id2;
		CHECK(jobq_enqueue_page(db, "capture", p2) == 0);
		id2 = db_int(db, 0, "SELECT id FROM jobs WHERE page_id = ?1", 1, p2);
		CHECK(jobq_drop_page(db, pl, id2, "op", "blank cover", &err) < 0); /* ready: refused */
		err_init(&err);
		CHECK(jobq_hold_waiting(db, id2, "op", &err) == 0);
		CHECK(jobq_drop_page(db, pl, id2, "op", "blank cover", &err) == 0);
		CHECK_STR(state_of(id2), "done");
		CHECK_STR(code_of(id2), "dropped");
		CHECK(db_int(db, 0, "SELECT dropped FROM pages WHERE id = ?1", 1, p2) == 1);
		CHECK(count_events(id2, "page dropped") == 1);
	}

	/* a split page's passed stages; a document's jobs made again */
	CHECK(jobq_enqueue_passed(db, "capture", page, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE page_id = ?1 AND stage = 'capture' AND state = 'done'", 1, page) == 1);
	CHECK(jobq_enqueue_passed(db, "capture", page, &err) < 0); /* once */
	err_init(&err);
	{
		int64_t doc = db_int(db, 0, "SELECT document_id FROM pages WHERE batch_id = 2 AND document_id IS NOT NULL", 0);
		CHECK(doc > 0);
		CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL", 1, doc) == 1);
		db_exec(db, "UPDATE jobs SET state = 'done' WHERE stage = 'pdf'", NULL);
		CHECK(jobq_restart_doc(db, doc, "pdf", &err) == 0);
		CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL AND state = 'ready'",
			     1, doc) == 1);
		CHECK_STR(jobq_doc_state_names[db_int(db, 0, "SELECT state = 'ready' FROM documents WHERE id = ?1", 1, doc)],
			  "ready");
	}
	db_exec(db, "DELETE FROM jobs WHERE stage IN ('arrow', 'pdf')", NULL);
}

/* The claim order through the stored key equals the old ORDER BY
 * priority + aging * (now - created) / 3600000.0 DESC, id on a random
 * queue (ready jobs and failed ones that are due), and the claim query is
 * served by the index, without a sort. */
static void claim_order(void)
{
	struct errbuf err;
	struct job j;
	int64_t now = now_ms(), want[400];
	int n = 0, bad = 0;
	double aging = 2.5;
	bool pg;
	struct db_stmt *st;
	err_init(&err);
	srand(12);
	db_exec(db, "BEGIN", NULL);
	for (int i = 0; i < 400; i++) {
		char sql[256];
		snprintf(sql, sizeof(sql), "INSERT INTO jobs(stage, state, priority, not_before, created, updated)"
			 " VALUES ('rnd', '%s', %d, %lld, %lld, 0)", rand() % 5 ? "ready" : "failed", (rand() % 8) * 5,
			 (long long)(rand() % 7 ? 0 : now + 3600000), (long long)(now - (int64_t)(rand() % 50) * 1800000));
		db_exec(db, sql, NULL);
	}
	db_exec(db, "COMMIT", NULL);
	st = db_prepare(db, "SELECT id FROM jobs WHERE stage = 'rnd' AND (state = 'ready' OR (state = 'failed' AND not_before <= ?1))"
			    " ORDER BY priority + ?2 * (?1 - created) / 3600000.0 DESC, id");
	db_bind_int64(st, 1, now);
	db_bind_double(st, 2, aging);
	while (db_step(st) == DB_ROW && n < 400)
		want[n++] = db_col_int64(st, 0);
	db_finalize(st);
	CHECK(n > 300);
	for (int i = 0; i < n; i++)
		if (jobq_claim(db, "rnd", 9, 60, aging, &j, &err) != 1 || j.id != want[i])
			bad++;
	CHECK(bad == 0);
	CHECK(jobq_claim(db, "rnd", 9, 60, aging, &j, &err) == 0); /* the rest are not due */
	/* the plan: an index seek on jobs_claim, no sort (on PostgreSQL with
	 * sequential scans priced out: these tables are too small to judge) */
	pg = !strcmp(db_backend(db), "postgresql");
	if (pg)
		db_exec(db, "SET enable_seqscan = off", NULL);
	st = db_prepare(db, pg ? "EXPLAIN SELECT id, claim_key FROM jobs WHERE stage = 'x' AND state = 'ready'"
				 " ORDER BY claim_key DESC, id LIMIT 1 FOR UPDATE SKIP LOCKED"
			       : "EXPLAIN QUERY PLAN SELECT id, claim_key FROM jobs INDEXED BY jobs_claim WHERE stage = 'x'"
				 " AND state = 'ready' ORDER BY claim_key DESC, id LIMIT 1");
	{
		struct strbuf plan;
		sb_init(&plan, 0);
		while (db_step(st) == DB_ROW) {
			sb_adds(&plan, db_col_text(st, pg ? 0 : 3));
			sb_addc(&plan, '\n');
		}
		CHECK(plan.buf && strstr(plan.buf, "jobs_claim") != NULL);
		CHECK(plan.buf && strstr(plan.buf, pg ? "Sort" : "TEMP B-TREE") == NULL);
		sb_release(&plan);
	}
	db_finalize(st);
	if (pg)
		db_exec(db, "SET enable_seqscan = on", NULL);
}

/* PostgreSQL (issue 13): a transaction that moves a job never waits for
 * another's counters.  One connection moves a job and keeps its
 * transaction open; a second moves another job of the same stage the
 * other way and commits within a lock timeout (with counter rows locked
 * per key it waited, and two such transactions deadlocked). */
static void counters_never_wait(void)
{
	struct db *other;
	struct errbuf err;
	int64_t a, b;
	char *where;
	if (strcmp(db_backend(db), "postgresql") != 0)
		return;
	err_init(&err);
	where = unit_db_where(root);
	CHECK(db_open(where, false, &other, &err) == 0);
	free(where);
	CHECK(db_exec(db, "INSERT INTO jobs(stage, state, created, updated) VALUES ('w', 'ready', 0, 0), ('w', 'claimed', 0, 0)", &err) == 0);
	a = db_int(db, 0, "SELECT min(id) FROM jobs WHERE stage = 'w'", 0);
	b = db_int(db, 0, "SELECT max(id) FROM jobs WHERE stage = 'w'", 0);
	CHECK(db_begin(db, &err) == 0);
	CHECK(db_int(db, 0, "UPDATE jobs SET state = 'claimed' WHERE id = ?1 RETURNING id", 1, a) == a);
	CHECK(db_exec(other, "SET lock_timeout = '2s'", &err) == 0);
	CHECK(db_begin(other, &err) == 0);
	CHECK(db_int(other, 0, "UPDATE jobs SET state = 'ready' WHERE id = ?1 RETURNING id", 1, b) == b);
	CHECK(db_commit(other, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, -1, "SELECT sum(n) FROM job_counts WHERE stage = 'w' AND state = 'ready'", 0) == 1);
	CHECK(db_int(db, -1, "SELECT sum(n) FROM job_counts WHERE stage = 'w' AND state = 'claimed'", 0) == 1);
	db_close(other);
}

int main(void)
{
	struct errbuf err;
	struct job j;
	struct config *cfg = config_new();
	struct pipeline pl;
	int64_t p1, p2, p3;
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	db = unit_db_open(root);
	err_init(&err);
	CHECK(db_version(db) >= 1);
	CHECK(config_set(cfg, "stages", "capture pdf", &err) == 0);
	CHECK(registry_pipeline(cfg, &pl, &err) == 0);
	CHECK(pl.n == 3 && pl.last_page == 0 && pl.fanin == 1 && pl.first_doc == 2); /* the fan-in put in */
	CHECK(!strcmp(pl.stage[pl.fanin]->name, "fanin"));
	{
		/* listed in its place it stays there; elsewhere it is refused */
		struct pipeline alt;
		CHECK(config_set(cfg, "stages", "capture orient fanin pdf sign", &err) == 0);
		CHECK(registry_pipeline(cfg, &alt, &err) == 0 && alt.n == 5 && alt.fanin == 2 && alt.first_doc == 3);
		CHECK(config_set(cfg, "stages", "capture orient", &err) == 0);
		CHECK(registry_pipeline(cfg, &alt, &err) == 0 && alt.n == 3 && alt.fanin == 2 && alt.first_doc == -1);
		CHECK(config_set(cfg, "stages", "capture pdf fanin", &err) == 0);
		CHECK(registry_pipeline(cfg, &alt, &err) < 0 && strstr(err.msg, "right after the page stages"));
		err_init(&err);
		CHECK(config_set(cfg, "stages", "capture fanin orient", &err) == 0);
		CHECK(registry_pipeline(cfg, &alt, &err) < 0 && strstr(err.msg, "comes after a batch stage"));
		err_init(&err);
		CHECK(config_set(cfg, "stages", "capture pdf", &err) == 0);
	}

	db_exec(db, "INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (1, 'A.2020.1', 's', 'o', 'p', 0);"
			 "INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (2, 'B.2020.1', 's', 'o', 'p', 0);"
			 "INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created) VALUES (1, 'x', 1, 'm', 'm', 1, 1, 0);"
			 "INSERT INTO files(file_code, priority, created) VALUES ('B.2020.1', 50, 0);", NULL);
	p1 = add_page(1, 1);
	p2 = add_page(1, 2);
	p3 = add_page(2, 1);

	/* Queuing is idempotent; a page takes its file's priority. */
	CHECK(jobq_enqueue_page(db, "capture", p1) == 0);
	CHECK(jobq_enqueue_page(db, "capture", p1) == 0);
	CHECK(jobq_enqueue_page(db, "capture", p2) == 0);
	CHECK(jobq_enqueue_page(db, "capture", p3) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs", 0) == 3);
	CHECK(db_int(db, 0, "SELECT priority FROM jobs WHERE page_id = ?1", 1, p3) == 50);

	/* Highest priority first, then oldest. */
	CHECK(jobq_claim(db, "capture", 111, 60, 0, &j, &err) == 1);
	CHECK(j.page_id == p3);
	CHECK_STR(state_of(j.id), "claimed");
	CHECK(jobq_still_mine(db, j.id, 111));
	CHECK(!jobq_still_mine(db, j.id, 222));

	/* A dead worker's job goes back to ready with one more attempt. */
	CHECK(jobq_reclaim_dead(db, 111, 3) == 1);
	CHECK_STR(state_of(j.id), "ready");
	CHECK(db_int(db, 0, "SELECT attempts FROM jobs WHERE id = ?1", 1, j.id) == 1);

	/* Aging: a job that waited long enough overtakes a higher priority (the
	 * stored key follows created, a generated column). */
	db_exec(db, "UPDATE jobs SET created = created - 100 * 3600000 WHERE page_id = 1", NULL);
	CHECK(jobq_claim(db, "capture", 111, 60, 1.0, &j, &err) == 1);
	CHECK(j.page_id == p1);
	CHECK(jobq_reclaim_dead(db, 111, 3) == 1);
	CHECK(jobq_claim(db, "capture", 111, 60, 0, &j, &err) == 1);
	CHECK(j.page_id == p3);

	/* fail: retried later, quarantined after max attempts */
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_fail(db, &j, "sohoa/capture", "capture: boom", 3, 60, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK_STR(state_of(j.id), "failed");
	CHECK(db_int(db, 0, "SELECT not_before > ?1 FROM jobs WHERE id = ?2", 2, now_ms(), j.id) == 1);
	CHECK(jobq_pending(db) == 3);
	j.attempts = 2;
	CHECK(jobq_fail(db, &j, "sohoa/capture", "capture: boom again", 3, 60, &err) < 0); /* failed, not claimed */
	CHECK_STR(state_of(j.id), "failed");
	db_exec(db, "UPDATE jobs SET state = 'claimed' WHERE state = 'failed'", NULL);
	err_init(&err);
	CHECK(jobq_fail(db, &j, "sohoa/capture", "capture: boom again", 3, 60, &err) == 0);
	CHECK_STR(state_of(j.id), "quarantined");
	CHECK(db_int(db, 0, "SELECT error_code = 'stage_failed' FROM jobs WHERE id = ?1", 1, j.id) == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM events WHERE job_id = ?1 AND type = 'validation'", 1, j.id) == 2);
	CHECK(jobq_release(db, j.id, "test", &err) == 0);
	CHECK_STR(state_of(j.id), "ready");
	CHECK(db_int(db, 0, "SELECT attempts FROM jobs WHERE id = ?1", 1, j.id) == 0);
	err_init(&err);
	CHECK(jobq_release(db, j.id, "test", &err) < 0); /* ready: nothing to release */
	CHECK(err.set);
	CHECK(strstr(err.msg, "is ready, not held") != NULL);

	/* Expired leases come back. */
	CHECK(jobq_claim(db, "capture", 333, 10, 0, &j, &err) == 1);
	db_exec(db, "UPDATE jobs SET lease_until = 1 WHERE state = 'claimed'", NULL);
	CHECK(jobq_expire_leases(db, 3) == 1);
	CHECK_STR(state_of(j.id), "ready");

	/* A job whose worker died too often is quarantined. */
	CHECK(jobq_claim(db, "capture", 444, 60, 0, &j, &err) == 1);
	db_exec(db, "UPDATE jobs SET attempts = 5 WHERE state = 'claimed'", NULL);
	CHECK(jobq_reclaim_dead(db, 0, 3) == 0);
	CHECK_STR(state_of(j.id), "quarantined");
	CHECK(db_int(db, 0, "SELECT error_code = 'worker_died' FROM jobs WHERE id = ?1", 1, j.id) == 1);
	CHECK(jobq_release(db, j.id, "test", &err) == 0);

	/* Fan-in: once every page of a closed batch passed the last page stage,
	 * its fan-in job is queued (once); the fan-in stage forms the documents
	 * and queues their first document stage. */
	db_exec(db, "UPDATE batches SET finished = 1", NULL);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	while (j.page_id != p1 && j.page_id != p2) {
		CHECK(db_begin(db, &err) == 0);
		CHECK(jobq_done(db, &j, &err) == 0 && jobq_advance(db, &pl, &j, &err) == 0);
		CHECK(db_commit(db, &err) == 0);
		CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	}
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_done(db, &j, &err) == 0 && jobq_advance(db, &pl, &j, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'fanin' AND batch_id = 2 AND state = 'ready'", 0) == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'fanin'", 0) == 1); /* batch 2 only */
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 0);   /* not yet: the fan-in job first */
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id IS NULL", 0) == 3);
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_queue_fanin(db, &pl, 2, &err) == 1 && jobq_queue_fanin(db, &pl, 1, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'fanin'", 0) == 1); /* queued once */
	CHECK(run_fanin(&pl, 2, NULL) == STAGE_OK);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM documents WHERE batch_id = 2 AND state = 'ready'", 0) == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = 1 AND document_id IS NULL", 0) == 2);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_done(db, &j, &err) == 0 && jobq_advance(db, &pl, &j, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'fanin' AND batch_id = 1", 0) == 1);
	/* a plan made stale by a change to the batch is not written: retried */
	CHECK(run_fanin(&pl, 1, "INSERT INTO documents(batch_id, stt, name, created) VALUES (1, 9, 'meddled', 0)") == STAGE_RETRY);
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = 1 AND document_id IS NULL", 0) == 2);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 1);
	CHECK_STR(state_of(db_int(db, 0, "SELECT id FROM jobs WHERE stage = 'fanin' AND batch_id = 1", 0)), "ready");
	db_exec(db, "DELETE FROM documents WHERE name = 'meddled'", NULL);
	CHECK(run_fanin(&pl, 1, NULL) == STAGE_OK);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 2);
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id IS NULL", 0) == 0);
	CHECK(db_int(db, 0, "SELECT count(DISTINCT document_id) FROM pages", 0) == 2);
	CHECK(db_int(db, 0, "SELECT count(*) FROM documents WHERE state = 'ready'", 0) == 2);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 0);
	CHECK(jobq_claim(db, "fanin", 555, 60, 0, &j, &err) == 0);

	arrows(cfg, &pl);
	claim_order();
	/* The counters the status report reads agree with the jobs, after every
	 * transition above (triggers, migrations 4 and 14), and again once
	 * PostgreSQL's rows of a key are folded into one. */
	for (int fold = 0; fold < 2; fold++) {
		CHECK(db_int(db, -1, "SELECT count(*) FROM (SELECT stage, state, count(*) AS n FROM jobs GROUP BY stage, state"
				     " EXCEPT SELECT stage, state, sum(n) FROM job_counts GROUP BY stage, state HAVING sum(n) > 0) AS x", 0) == 0);
		CHECK(db_int(db, -1, "SELECT count(*) FROM (SELECT stage, state FROM job_counts GROUP BY 1, 2 HAVING sum(n) < 0) AS x", 0) == 0);
		CHECK(db_int(db, -1, "SELECT count(*) FROM (SELECT p.batch_id, j.state, count(*) FROM jobs j JOIN pages p ON p.id = j.page_id"
				     " GROUP BY p.batch_id, j.state EXCEPT SELECT batch_id, state, sum(n) FROM batch_counts"
				     " WHERE state <> 'pages' GROUP BY batch_id, state HAVING sum(n) > 0) AS x", 0) == 0);
		CHECK(db_int(db, -1, "SELECT sum(n) FROM batch_counts WHERE state = 'pages'", 0) ==
		      db_int(db, -2, "SELECT count(*) FROM pages", 0));
		int64_t passed = db_int(db, -1, "SELECT sum(n) FROM throughput", 0);
		CHECK(passed > 0);
		CHECK(db_fold_counters(db, &err) == 0);
		CHECK(db_int(db, -1, "SELECT sum(n) FROM throughput", 0) == passed);
		CHECK(db_int(db, -1, "SELECT count(*) FROM (SELECT 1 FROM job_counts GROUP BY stage, state HAVING count(*) > 1) AS x", 0) == 0);
		CHECK(db_int(db, -1, "SELECT count(*) FROM (SELECT 1 FROM batch_counts GROUP BY batch_id, state HAVING count(*) > 1) AS x", 0) == 0);
	}
	counters_never_wait();

	db_close(db);
	config_free(cfg);
	CHECK(unit_rmtree(root));
	return unit_done("jobq");
}
