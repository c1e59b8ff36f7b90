/*
 * test_jobq.c - the job queue: idempotent queuing, claim order (priority and
 * aging), the state transitions of jobq.h, recovery of dead workers' jobs,
 * and the document fan-in.
 */
#include <stdlib.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/db.h"
#include "engine/jobq.h"
#include "engine/registry.h"
#include "unit.h"

static sqlite3 *db;

static int64_t add_page(int64_t batch, int seq)
{
	char sql[256];
	snprintf(sql, sizeof(sql), "INSERT INTO pages(batch_id, master_id, seq, created) VALUES (%lld, 1, %d, 0)", (long long)batch, seq);
	sqlite3_exec(db, sql, NULL, NULL, NULL);
	return sqlite3_last_insert_rowid(db);
}

static const char *state_of(int64_t job)
{
	static char buf[32];
	sqlite3_stmt *st = db_prepare(db, "SELECT state FROM jobs WHERE id = ?1");
	sqlite3_bind_int64(st, 1, job);
	buf[0] = '\0';
	if (sqlite3_step(st) == SQLITE_ROW)
		snprintf(buf, sizeof(buf), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return buf;
}

int main(void)
{
	char path[] = "/tmp/test_jobq.XXXXXX";
	struct errbuf err;
	struct job j;
	struct config *cfg = config_new();
	struct pipeline pl;
	int64_t p1, p2, p3;
	int fd = mkstemp(path);
	close(fd);
	unlink(path);
	err_init(&err);
	CHECK(db_open(path, true, &db, &err) == 0);
	CHECK(db_version(db) >= 1);
	CHECK(config_set(cfg, "stages", "capture pdf", &err) == 0);
	CHECK(registry_pipeline(cfg, &pl, &err) == 0);
	CHECK(pl.n == 2 && pl.last_page == 0);

	sqlite3_exec(db, "INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (1, 'A.2020.1', 's', 'o', 'p', 0);"
			 "INSERT INTO batches(id, file_code, station, operator, profile, started) VALUES (2, 'B.2020.1', 's', 'o', 'p', 0);"
			 "INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created) VALUES (1, 'x', 1, 'm', 'm', 1, 1, 0);"
			 "INSERT INTO files(file_code, priority, created) VALUES ('B.2020.1', 50, 0);",
		     NULL, NULL, NULL);
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

	/* Aging: a job that waited long enough overtakes a higher priority. */
	sqlite3_exec(db, "UPDATE jobs SET created = created - 100 * 3600000 WHERE page_id = 1", NULL, NULL, NULL);
	CHECK(jobq_claim(db, "capture", 111, 60, 1.0, &j, &err) == 1);
	CHECK(j.page_id == p1);
	CHECK(jobq_reclaim_dead(db, 111, 3) == 1);
	CHECK(jobq_claim(db, "capture", 111, 60, 0, &j, &err) == 1);
	CHECK(j.page_id == p3);

	/* fail: retried later, quarantined after max attempts */
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_fail(db, &j, "capture: boom", 3, 60) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK_STR(state_of(j.id), "failed");
	CHECK(db_int(db, 0, "SELECT not_before > ?1 FROM jobs WHERE id = ?2", 2, now_ms(), j.id) == 1);
	CHECK(jobq_pending(db) == 3);
	j.attempts = 2;
	CHECK(jobq_fail(db, &j, "capture: boom again", 3, 60) == 0);
	CHECK_STR(state_of(j.id), "quarantined");
	CHECK(jobq_release(db, j.id, &err) == 0);
	CHECK_STR(state_of(j.id), "ready");
	CHECK(db_int(db, 0, "SELECT attempts FROM jobs WHERE id = ?1", 1, j.id) == 0);
	err_init(&err);
	CHECK(jobq_release(db, j.id, &err) < 0); /* ready: nothing to release */
	CHECK(err.set);

	/* Expired leases come back. */
	CHECK(jobq_claim(db, "capture", 333, 10, 0, &j, &err) == 1);
	sqlite3_exec(db, "UPDATE jobs SET lease_until = 1 WHERE state = 'claimed'", NULL, NULL, NULL);
	CHECK(jobq_expire_leases(db, 3) == 1);
	CHECK_STR(state_of(j.id), "ready");

	/* A job whose worker died too often is quarantined. */
	CHECK(jobq_claim(db, "capture", 444, 60, 0, &j, &err) == 1);
	sqlite3_exec(db, "UPDATE jobs SET attempts = 5 WHERE state = 'claimed'", NULL, NULL, NULL);
	CHECK(jobq_reclaim_dead(db, 0, 3) == 0);
	CHECK_STR(state_of(j.id), "quarantined");
	CHECK(jobq_release(db, j.id, &err) == 0);

	/* Fan-in: the document stage is queued once every page of the batch is done. */
	sqlite3_exec(db, "UPDATE batches SET finished = 1", NULL, NULL, NULL);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	while (j.page_id != p1 && j.page_id != p2) {
		CHECK(db_begin(db, &err) == 0);
		CHECK(jobq_done(db, &j) == 0 && jobq_advance(db, cfg, &pl, &j, &err) == 0);
		CHECK(db_commit(db, &err) == 0);
		CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	}
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_done(db, &j) == 0 && jobq_advance(db, cfg, &pl, &j, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 1); /* batch 2 only */
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = 1 AND document_id IS NULL", 0) == 2);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 1);
	CHECK(db_begin(db, &err) == 0);
	CHECK(jobq_done(db, &j) == 0 && jobq_advance(db, cfg, &pl, &j, &err) == 0);
	CHECK(db_commit(db, &err) == 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE stage = 'pdf'", 0) == 2);
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id IS NULL", 0) == 0);
	CHECK(db_int(db, 0, "SELECT count(DISTINCT document_id) FROM pages", 0) == 2);
	CHECK(jobq_claim(db, "capture", 555, 60, 0, &j, &err) == 0);

	db_close(db);
	config_free(cfg);
	unlink(path);
	{
		char *wal = xasprintf("%s-wal", path), *shm = xasprintf("%s-shm", path);
		unlink(wal);
		unlink(shm);
		free(wal);
		free(shm);
	}
	return unit_done("jobq");
}
