/*
 * status.c - what supervisors and operators look at: `sohoa status` (per
 * stage, station and operator: the counts by state, throughput over 5 and 60
 * minutes, ETA, the oldest waiting item, what needs review), `sohoa log`
 * (audit events with filters), `sohoa pages` (what happened to each page),
 * `sohoa jobs` (list, hold, release), `sohoa stages`.  Read-only except
 * `sohoa jobs hold|release`.  --json output is one object on stdout.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/config.h"
#include "engine/db.h"
#include "engine/events.h"
#include "engine/jobq.h"
#include "engine/registry.h"
#include "engine/workspace.h"

static const char *const states[] = {"ready", "claimed", "done", "failed", "quarantined", "held", NULL};

struct counts {
	int64_t n[6];
};

static void count_by(sqlite3 *db, const char *sql, const char *arg, struct counts *c)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	memset(c, 0, sizeof(*c));
	sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		for (int i = 0; states[i]; i++)
			if (!strcmp(s, states[i]))
				c->n[i] = sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
}

static void counts_json(struct strbuf *sb, const struct counts *c)
{
	for (int i = 0; states[i]; i++)
		sb_addf(sb, ",\"%s\":%lld", states[i], (long long)c->n[i]);
}

/* Pages that passed the last page stage in the last `minutes`. */
static double pages_per_min(sqlite3 *db, const char *last_stage, int minutes)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT count(*) FROM jobs WHERE stage = ?1 AND state = 'done'"
					  " AND page_id IS NOT NULL AND finished_at >= ?2");
	double n;
	sqlite3_bind_text(st, 1, last_stage, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, now_ms() - (int64_t)minutes * 60000);
	sqlite3_step(st);
	n = (double)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n / minutes;
}

/* Group counts (station or operator): pages by where their newest job is. */
static void group_json(sqlite3 *db, struct strbuf *sb, const char *col, bool json)
{
	char *sql = xasprintf(
		"SELECT b.%s, count(DISTINCT p.id),"
		" sum(NOT EXISTS (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.state <> 'done')),"
		" sum(EXISTS (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.state IN ('ready','claimed','failed'))),"
		" sum(EXISTS (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.state IN ('held','quarantined'))),"
		" min(CASE WHEN EXISTS (SELECT 1 FROM jobs j WHERE j.page_id = p.id AND j.state = 'ready') THEN p.created END)"
		" FROM pages p JOIN batches b ON b.id = p.batch_id GROUP BY b.%s ORDER BY b.%s", col, col, col);
	sqlite3_stmt *st = db_prepare(db, sql);
	bool first = true;
	if (json)
		sb_addf(sb, ",\"%ss\":[", col);
	else
		sb_addf(sb, "\n%-16s %7s %7s %7s %7s\n", col, "pages", "done", "waiting", "stopped");
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);
		if (json) {
			sb_addf(sb, "%s{\"name\":", first ? "" : ",");
			sb_add_json_str(sb, name);
			sb_addf(sb, ",\"pages\":%lld,\"done\":%lld,\"waiting\":%lld,\"stopped\":%lld}",
				sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
				sqlite3_column_int64(st, 4));
		} else {
			sb_addf(sb, "%-16s %7lld %7lld %7lld %7lld\n", name, sqlite3_column_int64(st, 1),
				sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
		}
		first = false;
	}
	if (json)
		sb_addc(sb, ']');
	sqlite3_finalize(st);
	free(sql);
}

int cmd_status(struct workspace *ws, int argc, char **argv)
{
	struct pipeline pl;
	struct errbuf err;
	struct strbuf sb;
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	int64_t total, done, backlog, oldest_ms, review;
	double r5, r60;
	const char *last;
	sqlite3_stmt *st;

	err_init(&err);
	if (registry_pipeline(ws->cfg, &pl, &err) < 0) {
		fprintf(stderr, "sohoa: status: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	last = pl.stage[pl.last_page]->name;
	sb_init(&sb, 0);
	total = db_int(ws->db, 0, "SELECT count(*) FROM pages", 0);
	/* A page is done when it passed the last page stage and its document the last stage. */
	{
		char *sql = xasprintf("SELECT count(*) FROM pages p WHERE EXISTS (SELECT 1 FROM jobs j WHERE j.page_id = p.id"
				      " AND j.stage = '%s' AND j.state = 'done') AND (%d OR EXISTS (SELECT 1 FROM jobs j"
				      " WHERE j.document_id = p.document_id AND j.stage = '%s' AND j.state = 'done'))",
				      last, pl.n - 1 == pl.last_page, pl.stage[pl.n - 1]->name);
		done = db_int(ws->db, 0, sql, 0);
		free(sql);
	}
	backlog = db_int(ws->db, 0, "SELECT count(*) FROM jobs WHERE state IN ('ready','claimed','failed')", 0);
	oldest_ms = db_int(ws->db, 0, "SELECT min(created) FROM jobs WHERE state = 'ready'", 0);
	review = db_int(ws->db, 0, "SELECT count(*) FROM pages WHERE review <> 0", 0);
	r5 = pages_per_min(ws->db, last, 5);
	r60 = pages_per_min(ws->db, last, 60);
	if (json) {
		sb_adds(&sb, "{\"stages\":[");
		for (int s = 0; s < pl.n; s++) {
			struct counts c;
			count_by(ws->db, "SELECT state, count(*) FROM jobs WHERE stage = ?1 GROUP BY state", pl.stage[s]->name, &c);
			sb_addf(&sb, "%s{\"name\":", s ? "," : "");
			sb_add_json_str(&sb, pl.stage[s]->name);
			sb_addf(&sb, ",\"unit\":\"%s\"", pl.stage[s]->unit == STAGE_PAGE ? "page" : "document");
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
		group_json(ws->db, &sb, "station", true);
		group_json(ws->db, &sb, "operator", true);
		sb_adds(&sb, ",\"attention\":[");
		st = db_prepare(ws->db, "SELECT j.id, j.stage, j.state, COALESCE(j.page_id, 0), COALESCE(j.document_id, 0),"
					" COALESCE(j.error, '') FROM jobs j WHERE j.state IN ('held','quarantined') ORDER BY j.id");
		for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
			sb_addf(&sb, "%s{\"job\":%lld,\"stage\":", first ? "" : ",", sqlite3_column_int64(st, 0));
			sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 1));
			sb_adds(&sb, ",\"state\":");
			sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 2));
			sb_addf(&sb, ",\"page\":%lld,\"document\":%lld,\"reason\":", sqlite3_column_int64(st, 3), sqlite3_column_int64(st, 4));
			sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 5));
			sb_addc(&sb, '}');
		}
		sqlite3_finalize(st);
		sb_adds(&sb, "],\"review\":[");
		st = db_prepare(ws->db, "SELECT p.id, m.src_name, COALESCE(p.ocr_conf, -1), COALESCE(p.note, '') FROM pages p"
					" JOIN masters m ON m.id = p.master_id WHERE p.review <> 0 ORDER BY p.id");
		for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
			sb_addf(&sb, "%s{\"page\":%lld,\"source\":", first ? "" : ",", sqlite3_column_int64(st, 0));
			sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 1));
			sb_addf(&sb, ",\"ocr_conf\":%.1f,\"note\":", sqlite3_column_double(st, 2));
			sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 3));
			sb_addc(&sb, '}');
		}
		sqlite3_finalize(st);
		sb_adds(&sb, "]}\n");
	} else {
		sb_addf(&sb, "%-10s %7s %7s %7s %7s %11s %7s\n", "stage", "ready", "claimed", "done", "failed", "quarantined", "held");
		for (int s = 0; s < pl.n; s++) {
			struct counts c;
			count_by(ws->db, "SELECT state, count(*) FROM jobs WHERE stage = ?1 GROUP BY state", pl.stage[s]->name, &c);
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
		group_json(ws->db, &sb, "station", false);
		group_json(ws->db, &sb, "operator", false);
		st = db_prepare(ws->db, "SELECT j.id, j.stage, j.state, COALESCE(j.error, '') FROM jobs j"
					" WHERE j.state IN ('held','quarantined') ORDER BY j.id");
		for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
			if (first)
				sb_adds(&sb, "\nneeds attention (release with 'sohoa jobs release ID'):\n");
			sb_addf(&sb, "  job %lld %s %s: %s\n", sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
				sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
		}
		sqlite3_finalize(st);
		st = db_prepare(ws->db, "SELECT p.id, m.src_name, COALESCE(p.ocr_conf, -1), COALESCE(p.note, '') FROM pages p"
					" JOIN masters m ON m.id = p.master_id WHERE p.review <> 0 ORDER BY p.id");
		for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
			if (first)
				sb_adds(&sb, "\nto review:\n");
			sb_addf(&sb, "  page %lld '%s' conf %.0f: %s\n", sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
				sqlite3_column_double(st, 2), sqlite3_column_text(st, 3));
		}
		sqlite3_finalize(st);
	}
	fputs(sb.buf, stdout);
	sb_release(&sb);
	return 0;
}

int cmd_log(struct workspace *ws, int argc, char **argv)
{
	const char *type = NULL, *object = NULL, *outcome = NULL;
	long limit = 1000;
	bool json = false;
	sqlite3_stmt *st;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (i + 1 < argc && !strcmp(argv[i], "--type"))
			type = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--object"))
			object = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--outcome"))
			outcome = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--limit"))
			limit = atol(argv[++i]);
		else {
			fprintf(stderr, "usage: sohoa log [--type T] [--object O] [--outcome X] [--limit N] [--json]\n");
			return EXIT_USAGE;
		}
	}
	st = db_prepare(ws->db, "SELECT id, time, agent, type, object, outcome, COALESCE(detail, '') FROM events"
				" WHERE (?1 IS NULL OR type = ?1) AND (?2 IS NULL OR object = ?2 OR object LIKE ?2 || ':%')"
				" AND (?3 IS NULL OR outcome = ?3) ORDER BY id LIMIT ?4");
	if (type)
		sqlite3_bind_text(st, 1, type, -1, SQLITE_STATIC);
	if (object)
		sqlite3_bind_text(st, 2, object, -1, SQLITE_STATIC);
	if (outcome)
		sqlite3_bind_text(st, 3, outcome, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 4, limit);
	if (json)
		fputs("[", stdout);
	for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
		char when[40];
		time_iso_vn(sqlite3_column_int64(st, 1), true, when, sizeof(when));
		if (json) {
			struct strbuf sb;
			sb_init(&sb, 0);
			sb_addf(&sb, "%s{\"id\":%lld,\"time\":\"%s\"", first ? "" : ",", sqlite3_column_int64(st, 0), when);
			static const char *const names[] = {"agent", "type", "object", "outcome", "detail"};
			for (int c = 0; c < 5; c++) {
				sb_addf(&sb, ",\"%s\":", names[c]);
				sb_add_json_str(&sb, (const char *)sqlite3_column_text(st, 2 + c));
			}
			sb_addc(&sb, '}');
			fputs(sb.buf, stdout);
			sb_release(&sb);
		} else {
			printf("%s %-18s %-22s %-14s %-8s %s\n", when, sqlite3_column_text(st, 2), sqlite3_column_text(st, 3),
			       sqlite3_column_text(st, 4), sqlite3_column_text(st, 5), sqlite3_column_text(st, 6));
		}
	}
	if (json)
		fputs("]\n", stdout);
	sqlite3_finalize(st);
	return 0;
}

int cmd_pages(struct workspace *ws, int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	struct strbuf sb;
	sqlite3_stmt *st = db_prepare(ws->db,
		"SELECT p.id, p.batch_id, COALESCE(p.document_id, 0), p.seq, m.src_name, p.img_index, p.width, p.height, p.dpi,"
		" p.colour, p.orient, p.orient_conf, p.skew, p.blank, p.ocr_conf, p.review, p.text_path, p.hocr_path, p.alto_path,"
		" p.access_path, COALESCE(p.note, ''), COALESCE(p.split_of, 0),"
		" (SELECT group_concat(stage || '=' || state, ' ') FROM jobs j WHERE j.page_id = p.id)"
		" FROM pages p JOIN masters m ON m.id = p.master_id ORDER BY p.batch_id, p.seq, p.id");
	sb_init(&sb, 0);
	if (json)
		sb_addc(&sb, '[');
	else
		sb_addf(&sb, "%5s %5s %-24s %5s %6s %7s %5s %6s %s\n", "page", "doc", "source", "dpi", "orient", "skew", "blank", "conf", "jobs");
	for (bool first = true; sqlite3_step(st) == SQLITE_ROW; first = false) {
		if (json) {
			static const char *const names[] = {"id", "batch", "document", "seq", "source", "image", "width", "height", "dpi",
							    "colour", "orientation", "orientation_confidence", "skew", "blank",
							    "ocr_confidence", "review", "text", "hocr", "alto", "access", "note",
							    "split_of", "jobs"};
			sb_adds(&sb, first ? "{" : ",{");
			for (int c = 0; c < 23; c++) {
				int t = sqlite3_column_type(st, c);
				sb_addf(&sb, "%s\"%s\":", c ? "," : "", names[c]);
				if (t == SQLITE_NULL)
					sb_adds(&sb, "null");
				else if (c == 13 || c == 15)
					sb_adds(&sb, sqlite3_column_int(st, c) ? "true" : "false");
				else if (t == SQLITE_INTEGER)
					sb_addf(&sb, "%lld", sqlite3_column_int64(st, c));
				else if (t == SQLITE_FLOAT)
					sb_addf(&sb, "%.3f", sqlite3_column_double(st, c));
				else {
					const char *v = (const char *)sqlite3_column_text(st, c);
					if ((c >= 16 && c <= 19) && v[0] != '/') {
						char *a = xasprintf("%s/%s", ws->root, v);
						sb_add_json_str(&sb, a);
						free(a);
					} else {
						sb_add_json_str(&sb, v);
					}
				}
			}
			sb_addc(&sb, '}');
		} else {
			/* A scanner's file name is of unknown origin. */
			char *src = str_esc((const char *)sqlite3_column_text(st, 4), 0);
			sb_addf(&sb, "%5lld %5lld %-24.24s %5d %6d %7.2f %5s %6.1f %s\n", sqlite3_column_int64(st, 0),
				sqlite3_column_int64(st, 2), src, sqlite3_column_int(st, 8),
				sqlite3_column_int(st, 10), sqlite3_column_double(st, 12), sqlite3_column_int(st, 13) ? "yes" : "",
				sqlite3_column_type(st, 14) == SQLITE_NULL ? -1.0 : sqlite3_column_double(st, 14),
				sqlite3_column_text(st, 22) ? (const char *)sqlite3_column_text(st, 22) : "");
			free(src);
		}
	}
	sqlite3_finalize(st);
	if (json)
		sb_adds(&sb, "]\n");
	fputs(sb.buf, stdout);
	sb_release(&sb);
	return 0;
}

int cmd_jobs(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	err_init(&err);
	if (argc >= 3 && (!strcmp(argv[1], "release") || !strcmp(argv[1], "retry"))) {
		int rc = 0;
		for (int i = 2; i < argc; i++) {
			int64_t id = atoll(argv[i]);
			char obj[32];
			err_init(&err);
			if (jobq_release(ws->db, id, &err) < 0) {
				fprintf(stderr, "sohoa: jobs: %s\n", err.msg);
				rc = EXIT_DATAERR;
				continue;
			}
			snprintf(obj, sizeof(obj), "job:%lld", (long long)id);
			events_add(ws->db, "supervisor", "release", obj, "success", "released by the operator or supervisor");
		}
		return rc;
	}
	if (argc >= 3 && !strcmp(argv[1], "hold")) {
		for (int i = 2; i < argc; i++) {
			sqlite3_stmt *st = db_prepare(ws->db, "UPDATE jobs SET state = 'held', error = 'held by the supervisor',"
							      " updated = ?2 WHERE id = ?1 AND state IN ('ready', 'failed')");
			char obj[32];
			sqlite3_bind_int64(st, 1, atoll(argv[i]));
			sqlite3_bind_int64(st, 2, now_ms());
			sqlite3_step(st);
			sqlite3_finalize(st);
			if (sqlite3_changes(ws->db) == 0) {
				fprintf(stderr, "sohoa: jobs: job %s is not waiting (only ready or failed jobs can be held)\n", argv[i]);
				return EXIT_DATAERR;
			}
			snprintf(obj, sizeof(obj), "job:%s", argv[i]);
			events_add(ws->db, "supervisor", "hold", obj, "success", "held by the supervisor");
		}
		return 0;
	}
	if (argc == 1 || (argc == 3 && !strcmp(argv[1], "--state"))) {
		sqlite3_stmt *st = db_prepare(ws->db, "SELECT id, stage, COALESCE(page_id, 0), COALESCE(document_id, 0), state,"
						      " attempts, priority, COALESCE(error, '') FROM jobs WHERE ?1 IS NULL OR state = ?1"
						      " ORDER BY id");
		if (argc == 3)
			sqlite3_bind_text(st, 1, argv[2], -1, SQLITE_STATIC);
		printf("%6s %-8s %5s %5s %-11s %3s %8s %s\n", "job", "stage", "page", "doc", "state", "try", "priority", "error");
		while (sqlite3_step(st) == SQLITE_ROW)
			printf("%6lld %-8s %5lld %5lld %-11s %3d %8.1f %s\n", sqlite3_column_int64(st, 0), sqlite3_column_text(st, 1),
			       sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3), sqlite3_column_text(st, 4),
			       sqlite3_column_int(st, 5), sqlite3_column_double(st, 6), sqlite3_column_text(st, 7));
		sqlite3_finalize(st);
		return 0;
	}
	fprintf(stderr, "usage: sohoa jobs [--state STATE] | jobs hold ID... | jobs release ID...\n");
	return EXIT_USAGE;
}

int cmd_stages(struct workspace *ws, int argc, char **argv)
{
	struct pipeline pl;
	struct errbuf err;
	err_init(&err);
	if (registry_pipeline(ws->cfg, &pl, &err) < 0) {
		fprintf(stderr, "sohoa: stages: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	for (int i = 0; i < pl.n; i++)
		printf("%-8s %-8s %s\n", pl.stage[i]->name, pl.stage[i]->unit == STAGE_PAGE ? "page" : "document",
		       pl.stage[i]->summary ? pl.stage[i]->summary : "");
	return 0;
}
