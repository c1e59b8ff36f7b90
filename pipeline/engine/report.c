/*
 * report.c - the status report (`sohoa status`, and the web desk's status
 * page): per stage the jobs by state, pages and documents done, throughput
 * over 5 and 60 minutes, ETA, the oldest waiting job, per station and
 * operator, per node (what it runs, its heartbeat), what needs attention and
 * what needs review.  Read-only; the
 * JSON form is one object, the text form a table for the terminal.
 */
#include "engine/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/config.h"
#include "engine/db.h"
#include "engine/jobq.h"
#include "engine/node.h"
#include "engine/registry.h"
#include "engine/workspace.h"

static const char *const states[] = {"ready", "claimed", "done", "failed", "quarantined", "held", NULL};

struct counts {
	int64_t n[6];
};

/* From the counters (db.c, migration 4), not by counting jobs. */
static void count_by(struct db *db, const char *sql, const char *arg, struct counts *c)
{
	struct db_stmt *st = db_prepare(db, sql);
	memset(c, 0, sizeof(*c));
	db_bind_text(st, 1, arg, -1);
	while (db_step(st) == DB_ROW) {
		const char *s = db_col_text(st, 0);
		for (int i = 0; states[i]; i++)
			if (!strcmp(s, states[i]))
				c->n[i] = db_col_int64(st, 1);
	}
	db_finalize(st);
}

static void counts_json(struct strbuf *sb, const struct counts *c)
{
	for (int i = 0; states[i]; i++)
		sb_addf(sb, ",\"%s\":%lld", states[i], (long long)c->n[i]);
}

/* Pages that passed the last page stage in the last `minutes`. */
static double pages_per_min(struct db *db, const char *last_stage, int minutes)
{
	struct db_stmt *st = db_prepare(db, "SELECT count(*) FROM jobs WHERE stage = ?1 AND state = 'done'"
					  " AND page_id IS NOT NULL AND finished_at >= ?2");
	double n = 0;
	db_bind_text(st, 1, last_stage, -1);
	db_bind_int64(st, 2, now_ms() - (int64_t)minutes * 60000);
	if (db_step(st) == DB_ROW)
		n = (double)db_col_int64(st, 0);
	db_finalize(st);
	return n / minutes;
}

struct db_stmt *report_groups(struct db *db, const char *col)
{
	char *sql = xasprintf(
		"SELECT b.%s, sum(CASE c.state WHEN 'pages' THEN c.n END) AS pages,"
		" sum(CASE c.state WHEN 'pages' THEN c.n WHEN 'done' THEN 0 ELSE -c.n END),"
		" sum(CASE WHEN c.state IN ('ready','claimed','failed') THEN c.n ELSE 0 END),"
		" sum(CASE WHEN c.state IN ('held','quarantined') THEN c.n ELSE 0 END)"
		" FROM batch_counts c JOIN batches b ON b.id = c.batch_id GROUP BY b.%s HAVING sum(CASE c.state WHEN 'pages' THEN c.n END) > 0 ORDER BY b.%s",
		col, col, col);
	struct db_stmt *st = db_prepare(db, sql);
	free(sql);
	return st;
}

/* Group counts (station or operator): pages by where their current job is,
 * from the batch counters (a page has at most one job not done). */
static void group_json(struct db *db, struct strbuf *sb, const char *col, bool json)
{
	struct db_stmt *st = report_groups(db, col);
	bool first = true;
	if (json)
		sb_addf(sb, ",\"%ss\":[", col);
	else
		sb_addf(sb, "\n%-16s %7s %7s %7s %7s\n", col, "pages", "done", "waiting", "stopped");
	while (db_step(st) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		if (json) {
			sb_addf(sb, "%s{\"name\":", first ? "" : ",");
			sb_add_json_str(sb, name);
			sb_addf(sb, ",\"pages\":%lld,\"done\":%lld,\"waiting\":%lld,\"stopped\":%lld}",
				db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3),
				db_col_int64(st, 4));
		} else {
			sb_addf(sb, "%-16s %7lld %7lld %7lld %7lld\n", name, db_col_int64(st, 1),
				db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4));
		}
		first = false;
	}
	if (json)
		sb_addc(sb, ']');
	db_finalize(st);
}

/*
 * What waits, and on what: a batch is mapped into documents only when every
 * page passed the page stages, so one held or quarantined page stops its
 * whole batch; a document stops at a held or quarantined document job.
 * Each is named with the jobs it waits for (found through the index on
 * state: the cost is that of the stopped jobs, not of the queue).
 */
static void waiting(struct db *db, struct strbuf *sb, bool json)
{
	struct db_stmt *st = db_prepare(db,
		"SELECT 'batch', p.batch_id, COALESCE(b.file_code, ''),"
		" (SELECT COALESCE(sum(n), 0) FROM batch_counts c WHERE c.batch_id = p.batch_id AND c.state = 'pages'),"
		" j.page_id, j.id, j.stage, j.state, COALESCE(j.error, '') FROM jobs j INDEXED BY jobs_waiting CROSS JOIN pages p ON p.id = j.page_id"
		" CROSS JOIN batches b ON b.id = p.batch_id WHERE j.state IN ('held', 'quarantined') AND p.document_id IS NULL"
		" UNION ALL SELECT 'document', d.id, COALESCE(d.name, ''), (SELECT count(*) FROM pages WHERE document_id = d.id),"
		" 0, j.id, j.stage, j.state, COALESCE(j.error, '') FROM jobs j INDEXED BY jobs_waiting CROSS JOIN documents d ON d.id = j.document_id"
		" WHERE j.state IN ('held', 'quarantined') AND j.page_id IS NULL ORDER BY 1, 2, 5, 6");
	char kind[16] = "";
	int64_t cur = -1;
	bool any = false;
	if (json)
		sb_adds(sb, ",\"waiting\":[");
	while (db_step(st) == DB_ROW) {
		const char *k = db_col_text(st, 0);
		int64_t id = db_col_int64(st, 1), page = db_col_int64(st, 4);
		bool is_batch = !strcmp(k, "batch");
		if (strcmp(k, kind) != 0 || id != cur) {
			if (json) {
				sb_addf(sb, "%s{\"%s\":%lld,\"%s\":", any ? "]}," : "", k, (long long)id, is_batch ? "file_code" : "name");
				sb_add_json_str(sb, db_col_text(st, 2));
				sb_addf(sb, ",\"pages\":%lld,\"waits_for\":[", db_col_int64(st, 3));
			} else {
				if (!any)
					sb_adds(sb, "\nwaiting (answer with 'sohoa jobs retry ID', or 'sohoa jobs accept|rescan|drop ID --reason TEXT'):\n");
				if (is_batch)
					sb_addf(sb, "  batch %lld (file '%s', %lld pages) is not made into documents until these pages pass:\n",
						(long long)id, db_col_text(st, 2), db_col_int64(st, 3));
				else
					sb_addf(sb, "  document %lld '%s' (%lld pages) waits for:\n", (long long)id, db_col_text(st, 2),
						db_col_int64(st, 3));
			}
			snprintf(kind, sizeof(kind), "%s", k);
			cur = id;
		} else if (json) {
			sb_addc(sb, ',');
		}
		if (json) {
			sb_adds(sb, "{");
			if (is_batch)
				sb_addf(sb, "\"page\":%lld,", (long long)page);
			sb_addf(sb, "\"job\":%lld,\"stage\":", db_col_int64(st, 5));
			sb_add_json_str(sb, db_col_text(st, 6));
			sb_adds(sb, ",\"state\":");
			sb_add_json_str(sb, db_col_text(st, 7));
			sb_adds(sb, ",\"reason\":");
			sb_add_json_str(sb, db_col_text(st, 8));
			sb_addc(sb, '}');
		} else {
			if (is_batch)
				sb_addf(sb, "    page %lld: ", (long long)page);
			else
				sb_adds(sb, "    ");
			sb_addf(sb, "job %lld %s %s: %s\n", db_col_int64(st, 5), db_col_text(st, 6),
				db_col_text(st, 7), db_col_text(st, 8));
		}
		any = true;
	}
	db_finalize(st);
	if (json)
		sb_adds(sb, any ? "]}]" : "]");
}

/* Per node (node.h): its host and pid, what its workers run, the jobs it
 * holds claimed, its last heartbeat, and whether it runs, stopped, or is
 * stale (no heartbeat for node_stale_ms(): it died or lost the database;
 * its claimed jobs come back when their lease ends). */
static void nodes(struct workspace *ws, struct strbuf *sb, bool json)
{
	struct db_stmt *st = db_prepare(ws->db, "SELECT n.name, n.host, n.pid, n.workers, n.heartbeat, n.stopped IS NOT NULL,"
					      " (SELECT count(*) FROM jobs j WHERE j.state = 'claimed' AND j.node = n.name)"
					      " FROM nodes n ORDER BY n.name");
	int64_t stale = node_stale_ms(config_long(ws->cfg, "supervisor.scan_ms")), now = now_ms();
	if (json)
		sb_adds(sb, ",\"nodes\":[");
	for (bool first = true; db_step(st) == DB_ROW; first = false) {
		const char *name = db_col_text(st, 0), *host = db_col_text(st, 1);
		const char *workers = db_col_text(st, 3);
		int64_t age_ms = now - db_col_int64(st, 4), age = age_ms / 1000, claimed = db_col_int64(st, 6);
		const char *state = db_col_int(st, 5) ? "stopped" : (age_ms > stale ? "stale" : "running");
		if (json) {
			sb_adds(sb, first ? "{\"name\":" : ",{\"name\":");
			sb_add_json_str(sb, name);
			sb_adds(sb, ",\"host\":");
			sb_add_json_str(sb, host);
			sb_addf(sb, ",\"pid\":%lld,\"state\":\"%s\",\"workers\":", (long long)db_col_int64(st, 2), state);
			sb_add_json_str(sb, workers ? workers : "");
			sb_addf(sb, ",\"claimed\":%lld,\"heartbeat_seconds\":%lld}", (long long)claimed, (long long)age);
			continue;
		}
		if (first)
			sb_adds(sb, "\nnodes:\n");
		sb_addf(sb, "  %s (host %s, pid %lld): %s; %lld jobs claimed; last heartbeat %lld s ago", name, host,
			(long long)db_col_int64(st, 2), workers && *workers ? workers : "no workers", (long long)claimed,
			(long long)age);
		if (!strcmp(state, "stopped"))
			sb_adds(sb, "; stopped\n");
		else if (!strcmp(state, "stale"))
			sb_addf(sb, "; STALE: no heartbeat for over %lld s, its claimed jobs come back when their lease ends\n",
				(long long)(stale / 1000));
		else
			sb_adds(sb, "\n");
	}
	db_finalize(st);
	if (json)
		sb_addc(sb, ']');
}

static int report(struct workspace *ws, bool json, struct strbuf *out, struct errbuf *err)
{
	struct pipeline pl;
	struct strbuf sb;
	int64_t total, done, backlog, oldest_ms, review;
	double r5, r60;
	const char *last;
	struct db_stmt *st;

	if (registry_pipeline(ws->cfg, &pl, err) < 0)
		return -1;
	last = pl.stage[pl.last_page]->name;
	sb_init(&sb, 0);
	total = db_int(ws->db, 0, "SELECT COALESCE(sum(n), 0) FROM batch_counts WHERE state = 'pages'", 0);
	/* A page is done when it passed the last page stage and its document the
	 * last stage: counted from the done document jobs (their pages), or
	 * from the counters when there is no document stage. */
	{
		struct db_stmt *q;
		if (pl.first_doc < 0) {
			q = db_prepare(ws->db, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE stage = ?1 AND state = 'done'");
			db_bind_text(q, 1, last, -1);
		} else {
			q = db_prepare(ws->db, "SELECT count(*) FROM jobs d CROSS JOIN pages p ON p.document_id = d.document_id"
					       " WHERE d.stage = ?2 AND d.state = 'done' AND d.page_id IS NULL AND EXISTS"
					       " (SELECT 1 FROM jobs j WHERE j.stage = ?1 AND j.page_id = p.id AND j.state = 'done')");
			db_bind_text(q, 1, last, -1);
			db_bind_text(q, 2, pl.stage[pl.n - 1]->name, -1);
		}
		done = db_step(q) == DB_ROW ? db_col_int64(q, 0) : 0;
		db_finalize(q);
	}
	backlog = db_int(ws->db, 0, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE state IN ('ready','claimed','failed')", 0);
	oldest_ms = db_int(ws->db, 0, "SELECT min(created) FROM jobs WHERE state = 'ready'", 0);
	review = db_int(ws->db, 0, "SELECT count(*) FROM pages INDEXED BY pages_review WHERE review <> 0", 0);
	r5 = pages_per_min(ws->db, last, 5);
	r60 = pages_per_min(ws->db, last, 60);
	if (json) {
		sb_adds(&sb, "{\"stages\":[");
		for (int s = 0; s < pl.n; s++) {
			struct counts c;
			count_by(ws->db, "SELECT state, sum(n) FROM job_counts WHERE stage = ?1 GROUP BY state", pl.stage[s]->name, &c);
			sb_addf(&sb, "%s{\"name\":", s ? "," : "");
			sb_add_json_str(&sb, pl.stage[s]->name);
			sb_addf(&sb, ",\"unit\":\"%s\"", pl.stage[s]->unit == STAGE_PAGE ? "page" : pl.stage[s]->unit == STAGE_BATCH ? "batch" : "document");
			counts_json(&sb, &c);
			sb_addc(&sb, '}');
		}
		sb_addf(&sb, "],\"pages\":{\"total\":%lld,\"done\":%lld,\"review\":%lld}", (long long)total, (long long)done,
			(long long)review);
		sb_addf(&sb, ",\"documents\":{\"total\":%lld,\"done\":%lld}",
			(long long)db_int(ws->db, 0, "SELECT count(*) FROM documents", 0),
			(long long)db_int(ws->db, 0, "SELECT count(*) FROM documents WHERE signed_path IS NOT NULL OR"
						     " (pdf_path IS NOT NULL AND NOT EXISTS (SELECT 1 FROM jobs j WHERE"
						     " j.document_id = documents.id AND j.state <> 'done'))", 0));
		sb_addf(&sb, ",\"throughput\":{\"pages_per_min_5\":%.2f,\"pages_per_min_60\":%.2f}", r5, r60);
		sb_addf(&sb, ",\"backlog\":%lld", (long long)backlog);
		if (r5 > 0)
			sb_addf(&sb, ",\"eta_seconds\":%.0f", (double)(total - done) / r5 * 60);
		else
			sb_adds(&sb, ",\"eta_seconds\":null");
		if (oldest_ms)
			sb_addf(&sb, ",\"oldest_waiting_seconds\":%lld", (long long)((now_ms() - oldest_ms) / 1000));
		else
			sb_adds(&sb, ",\"oldest_waiting_seconds\":null");
		nodes(ws, &sb, true);
		group_json(ws->db, &sb, "station", true);
		group_json(ws->db, &sb, "operator", true);
		waiting(ws->db, &sb, true);
		sb_adds(&sb, ",\"attention\":[");
		st = db_prepare(ws->db, "SELECT j.id, j.stage, j.state, COALESCE(j.page_id, 0), COALESCE(j.document_id, 0),"
					" COALESCE(j.error, '') FROM jobs j INDEXED BY jobs_waiting WHERE j.state IN ('held','quarantined') ORDER BY j.id");
		for (bool first = true; db_step(st) == DB_ROW; first = false) {
			sb_addf(&sb, "%s{\"job\":%lld,\"stage\":", first ? "" : ",", db_col_int64(st, 0));
			sb_add_json_str(&sb, db_col_text(st, 1));
			sb_adds(&sb, ",\"state\":");
			sb_add_json_str(&sb, db_col_text(st, 2));
			sb_addf(&sb, ",\"page\":%lld,\"document\":%lld,\"reason\":", db_col_int64(st, 3), db_col_int64(st, 4));
			sb_add_json_str(&sb, db_col_text(st, 5));
			sb_addc(&sb, '}');
		}
		db_finalize(st);
		sb_adds(&sb, "],\"review\":[");
		st = db_prepare(ws->db, "SELECT p.id, m.src_name, COALESCE(p.ocr_conf, -1), COALESCE(p.note, '') FROM pages p"
					" JOIN masters m ON m.id = p.master_id WHERE p.review <> 0 ORDER BY p.id");
		for (bool first = true; db_step(st) == DB_ROW; first = false) {
			sb_addf(&sb, "%s{\"page\":%lld,\"source\":", first ? "" : ",", db_col_int64(st, 0));
			sb_add_json_str(&sb, db_col_text(st, 1));
			sb_addf(&sb, ",\"ocr_conf\":%.1f,\"note\":", db_col_double(st, 2));
			sb_add_json_str(&sb, db_col_text(st, 3));
			sb_addc(&sb, '}');
		}
		db_finalize(st);
		sb_adds(&sb, "]}\n");
	} else {
		sb_addf(&sb, "%-10s %7s %7s %7s %7s %11s %7s\n", "stage", "ready", "claimed", "done", "failed", "quarantined", "held");
		for (int s = 0; s < pl.n; s++) {
			struct counts c;
			count_by(ws->db, "SELECT state, sum(n) FROM job_counts WHERE stage = ?1 GROUP BY state", pl.stage[s]->name, &c);
			sb_addf(&sb, "%-10s %7lld %7lld %7lld %7lld %11lld %7lld\n", pl.stage[s]->name, (long long)c.n[0],
				(long long)c.n[1], (long long)c.n[2], (long long)c.n[3], (long long)c.n[4], (long long)c.n[5]);
		}
		sb_addf(&sb, "\npages: %lld done of %lld; %lld to review\n", (long long)done, (long long)total, (long long)review);
		sb_addf(&sb, "throughput: %.1f pages/min (5 min), %.1f pages/min (60 min)\n", r5, r60);
		if (r5 > 0 && total > done)
			sb_addf(&sb, "backlog: %lld jobs; ETA %.0f min\n", (long long)backlog, (double)(total - done) / r5);
		else
			sb_addf(&sb, "backlog: %lld jobs\n", (long long)backlog);
		if (oldest_ms)
			sb_addf(&sb, "oldest waiting: %lld s\n", (long long)((now_ms() - oldest_ms) / 1000));
		nodes(ws, &sb, false);
		group_json(ws->db, &sb, "station", false);
		group_json(ws->db, &sb, "operator", false);
		waiting(ws->db, &sb, false);
		st = db_prepare(ws->db, "SELECT j.id, j.stage, j.state, COALESCE(j.error, '') FROM jobs j INDEXED BY jobs_waiting"
					" WHERE j.state IN ('held','quarantined') ORDER BY j.id");
		for (bool first = true; db_step(st) == DB_ROW; first = false) {
			if (first)
				sb_adds(&sb, "\nneeds attention (release with 'sohoa jobs release ID'):\n");
			sb_addf(&sb, "  job %lld %s %s: %s\n", db_col_int64(st, 0), db_col_text(st, 1),
				db_col_text(st, 2), db_col_text(st, 3));
		}
		db_finalize(st);
		st = db_prepare(ws->db, "SELECT p.id, m.src_name, COALESCE(p.ocr_conf, -1), COALESCE(p.note, '') FROM pages p"
					" JOIN masters m ON m.id = p.master_id WHERE p.review <> 0 ORDER BY p.id");
		for (bool first = true; db_step(st) == DB_ROW; first = false) {
			if (first)
				sb_adds(&sb, "\nto review:\n");
			sb_addf(&sb, "  page %lld '%s' conf %.0f: %s\n", db_col_int64(st, 0), db_col_text(st, 1),
				db_col_double(st, 2), db_col_text(st, 3));
		}
		db_finalize(st);
	}
	sb_adds(out, sb.buf);
	sb_release(&sb);
	return 0;
}

int report_status_json(struct workspace *ws, struct strbuf *out, struct errbuf *err)
{
	return report(ws, true, out, err);
}

int report_status_text(struct workspace *ws, struct strbuf *out, struct errbuf *err)
{
	return report(ws, false, out, err);
}

