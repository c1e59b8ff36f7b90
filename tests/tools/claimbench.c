/*
 * claimbench.c - `claimbench N [CLAIMS]`: the cost of a claim and of the
 * status report with N waiting pages.  Makes a throw-away workspace under
 * $TMPDIR, fills it in one transaction (one batch, one master, N pages,
 * N ready capture jobs with spread priorities and ages, their claim keys
 * made with the aging the claims use, as a running workspace has them),
 * then claims CLAIMS jobs (default 201) one by one as a worker does and
 * times each (wall and CPU), then times report_status_text() and
 * report_status_json().  The fill uses a large page cache (the B-tree
 * inserts land all over the claim index); the claims run with the
 * workspace's own settings (WAL, synchronous=FULL).
 * The workspace is removed at the end; with CLAIMBENCH_DIR=DIR it is made
 * there and kept, and a later run with the same DIR claims from it again
 * without filling (a 10 M fill takes a while: fill once, time the claims
 * on a quiet machine).  With CLAIMBENCH_DB=postgresql://... the job store
 * is that (empty) PostgreSQL database, filled by the server in set-based
 * INSERTs whose counters the store's own statement triggers keep (db.c
 * migration 14: a few counter rows for the million jobs).  The last line is the median claim time in ms.  A benchmark, not a test: `make bench-claim` runs it.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/jobq.h"
#include "engine/report.h"
#include "engine/workspace.h"

static double wall_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1e3 + ru.ru_utime.tv_usec / 1e3 + ru.ru_stime.tv_sec * 1e3 + ru.ru_stime.tv_usec / 1e3;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* PostgreSQL: the same rows, made by the server in two statements. */
static int fill_pg(struct db *db, long n, struct errbuf *err)
{
	char *sql = xasprintf(
		"BEGIN;"
		"UPDATE jobq_params SET value = 1.0 WHERE name = 'aging_per_hour';"
		"INSERT INTO batches(id, file_code, station, operator, profile, started, finished, npages)"
		" VALUES (1, NULL, 'bench', 'bench', 'default', 0, 1, 0);"
		"INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created)"
		" VALUES (1, 'bench', 1, 'masters/bench', 'bench.tif', 1, 1, 0);"
		"INSERT INTO pages(id, batch_id, master_id, img_index, seq, created) SELECT i, 1, 1, i, i,"
		" %lld - floor(random() * 720)::bigint * 3600000 - floor(random() * 3600000)::bigint"
		" FROM generate_series(1, %ld) AS i;"
		"INSERT INTO jobs(stage, page_id, state, priority, aging, created, updated)"
		" SELECT 'capture', id, 'ready', floor(random() * 100), 1.0, created, created FROM pages;"
		"UPDATE batches SET npages = (SELECT count(*) FROM pages); COMMIT; ANALYZE;",
		(long long)now_ms(), n);
	int rc = db_exec(db, sql, err);
	free(sql);
	return rc;
}

static int fill(struct db *db, long n, struct errbuf *err)
{
	struct db_stmt *page, *job;
	int64_t now = now_ms();
	if (!strcmp(db_backend(db), "postgresql"))
		return fill_pg(db, n, err);
	if (db_exec(db, "PRAGMA cache_size = -2000000; BEGIN;"
			"UPDATE jobq_params SET value = 1.0 WHERE name = 'aging_per_hour';"
			"INSERT INTO batches(id, file_code, station, operator, profile, started, finished, npages)"
			" VALUES (1, NULL, 'bench', 'bench', 'default', 0, 1, 0);"
			"INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created)"
			" VALUES (1, 'bench', 1, 'masters/bench', 'bench.tif', 1, 1, 0);", err) < 0)
		return -1;
	page = db_prepare(db, "INSERT INTO pages(id, batch_id, master_id, img_index, seq, created) VALUES (?1, 1, 1, ?1, ?1, ?2)");
	job = db_prepare(db, "INSERT INTO jobs(stage, page_id, state, priority, aging, created, updated)"
				" VALUES ('capture', ?1, 'ready', ?2, 1.0, ?3, ?3)");
	srand(1);
	for (long i = 1; i <= n; i++) {
		int64_t created = now - (int64_t)(rand() % (30 * 24)) * 3600000 - rand() % 3600000;
		db_bind_int64(page, 1, i);
		db_bind_int64(page, 2, created);
		db_bind_int64(job, 1, i);
		db_bind_double(job, 2, (double)(rand() % 100));
		db_bind_int64(job, 3, created);
		if (db_step(page) != DB_DONE || db_step(job) != DB_DONE)
			return err_set(err, "cannot fill: %s", db_errmsg(db));
		db_reset(page);
		db_reset(job);
		if (i % 1000000 == 0)
			fprintf(stderr, "claimbench: %ld pages\n", i);
	}
	db_finalize(page);
	db_finalize(job);
	return db_exec(db, "UPDATE batches SET npages = (SELECT count(*) FROM pages); COMMIT; ANALYZE;"
			   "PRAGMA cache_size = -2000;", err);
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0, claims = argc > 2 ? atol(argv[2]) : 201;
	const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", *keep = getenv("CLAIMBENCH_DIR");
	char *dir = keep && *keep ? xstrdup(keep) : xasprintf("%s/claimbench.XXXXXX", tmp), *cmd;
	bool reuse = keep && *keep && access(dir, F_OK) == 0;
	struct workspace ws;
	struct errbuf err;
	struct strbuf sb;
	double *wall, *cpu, t0, c0;
	int rc = 1;

	if (n < 1 || claims < 1) {
		fprintf(stderr, "usage: claimbench N [CLAIMS]\n");
		return 2;
	}
	err_init(&err);
	if (!keep || !*keep) {
		if (!mkdtemp(dir)) {
			perror("claimbench: mkdtemp");
			return 1;
		}
		rmdir(dir);
	}
	if ((!reuse && workspace_init(dir, getenv("CLAIMBENCH_DB"), &err) < 0) || workspace_open(dir, &ws, &err) < 0) {
		fprintf(stderr, "claimbench: %s\n", err.msg);
		return 1;
	}
	if (reuse) {
		n = db_int(ws.db, 0, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE stage = 'capture' AND state = 'ready'", 0);
		printf("reusing %s: %ld ready jobs\n", dir, n);
	} else {
		t0 = wall_ms();
		if (fill(ws.db, n, &err) < 0) {
			fprintf(stderr, "claimbench: %s\n", err.msg);
			goto out;
		}
		printf("filled %ld ready jobs in %.1f s\n", n, (wall_ms() - t0) / 1e3);
	}
	/* The first claim makes the keys for this aging; not timed. */
	{
		struct job j;
		if (jobq_claim(ws.db, "capture", 1, 600, 1.0, &j, &err) != 1) {
			fprintf(stderr, "claimbench: %s\n", err.set ? err.msg : "no job to claim");
			goto out;
		}
	}
	wall = xcalloc((size_t)claims, sizeof(double));
	cpu = xcalloc((size_t)claims, sizeof(double));
	for (long i = 0; i < claims; i++) {
		struct job j;
		t0 = wall_ms();
		c0 = cpu_ms();
		if (jobq_claim(ws.db, "capture", 1, 600, 1.0, &j, &err) != 1) {
			fprintf(stderr, "claimbench: %s\n", err.set ? err.msg : "no job to claim");
			goto out;
		}
		cpu[i] = cpu_ms() - c0;
		wall[i] = wall_ms() - t0;
	}
	qsort(wall, (size_t)claims, sizeof(double), cmp_d);
	qsort(cpu, (size_t)claims, sizeof(double), cmp_d);
	sb_init(&sb, 0);
	t0 = wall_ms();
	report_status_text(&ws, &sb, &err);
	printf("status (text) with %ld pages: %.1f ms\n", n, wall_ms() - t0);
	sb_reset(&sb);
	t0 = wall_ms();
	report_status_json(&ws, &sb, &err);
	printf("status (json) with %ld pages: %.1f ms\n", n, wall_ms() - t0);
	sb_release(&sb);
	printf("claim CPU: median %.3f ms, 90th percentile %.3f ms\n", cpu[claims / 2], cpu[claims * 9 / 10]);
	printf("claim wall: median %.3f ms, 90th percentile %.3f ms (each a committed transaction)\n",
	       wall[claims / 2], wall[claims * 9 / 10]);
	printf("median claim with %ld ready jobs: %.3f ms\n", n, wall[claims / 2]);
	free(wall);
	free(cpu);
	rc = 0;
out:
	workspace_close(&ws);
	cmd = xasprintf("rm -rf '%s'", dir);
	if (keep && *keep)
		printf("kept %s\n", dir);
	else if (system(cmd) != 0)
		fprintf(stderr, "claimbench: cannot remove '%s'\n", dir);
	free(cmd);
	free(dir);
	return rc;
}
