/*
 * status.c - what supervisors and operators look at: `sohoa status` (the
 * report is engine/report.c, shared with the web desk), `sohoa log`
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
#include "engine/report.h"
#include "engine/wake.h"
#include "engine/workspace.h"
#include "archive/pagefix.h"

int cmd_status(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	struct strbuf sb;
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	int rc;
	err_init(&err);
	sb_init(&sb, 0);
	rc = json ? report_status_json(ws, &sb, &err) : report_status_text(ws, &sb, &err);
	if (rc < 0) {
		fprintf(stderr, "sohoa: status: %s\n", err.msg);
		sb_release(&sb);
		return EXIT_DATAERR;
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
	struct db_stmt *st;
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
				" WHERE (CAST(?1 AS TEXT) IS NULL OR type = ?1) AND (CAST(?2 AS TEXT) IS NULL OR object = ?2 OR object LIKE ?2 || ':%')"
				" AND (CAST(?3 AS TEXT) IS NULL OR outcome = ?3) ORDER BY id LIMIT ?4");
	if (type)
		db_bind_text(st, 1, type, -1);
	if (object)
		db_bind_text(st, 2, object, -1);
	if (outcome)
		db_bind_text(st, 3, outcome, -1);
	db_bind_int64(st, 4, limit);
	if (json)
		fputs("[", stdout);
	int step;
	for (bool first = true; (step = db_step(st)) == DB_ROW; first = false) {
		char when[40];
		time_iso_vn(db_col_int64(st, 1), true, when, sizeof(when));
		if (json) {
			struct strbuf sb;
			sb_init(&sb, 0);
			sb_addf(&sb, "%s{\"id\":%lld,\"time\":\"%s\"", first ? "" : ",", db_col_int64(st, 0), when);
			static const char *const names[] = {"agent", "type", "object", "outcome", "detail"};
			for (int c = 0; c < 5; c++) {
				sb_addf(&sb, ",\"%s\":", names[c]);
				sb_add_json_str(&sb, db_col_text(st, 2 + c));
			}
			sb_addc(&sb, '}');
			fputs(sb.buf, stdout);
			sb_release(&sb);
		} else {
			printf("%s %-18s %-22s %-14s %-8s %s\n", when, db_col_text(st, 2), db_col_text(st, 3),
			       db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6));
		}
	}
	if (json)
		fputs("]\n", stdout);
	if (step != DB_DONE) {
		fprintf(stderr, "sohoa: log: cannot read the audit log: %s\n", db_errmsg(ws->db));
		db_finalize(st);
		return EXIT_DATAERR;
	}
	db_finalize(st);
	return 0;
}

int cmd_pages(struct workspace *ws, int argc, char **argv)
{
	bool json = argc > 1 && !strcmp(argv[1], "--json");
	struct strbuf sb;
	struct db_stmt *st = db_prepare(ws->db,
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
	for (bool first = true; db_step(st) == DB_ROW; first = false) {
		if (json) {
			static const char *const names[] = {"id", "batch", "document", "seq", "source", "image", "width", "height", "dpi",
							    "colour", "orientation", "orientation_confidence", "skew", "blank",
							    "ocr_confidence", "review", "text", "hocr", "alto", "access", "note",
							    "split_of", "jobs"};
			sb_adds(&sb, first ? "{" : ",{");
			for (int c = 0; c < 23; c++) {
				int t = db_col_type(st, c);
				sb_addf(&sb, "%s\"%s\":", c ? "," : "", names[c]);
				if (t == DB_NULL)
					sb_adds(&sb, "null");
				else if (c == 13 || c == 15)
					sb_adds(&sb, db_col_int(st, c) ? "true" : "false");
				else if (t == DB_INTEGER)
					sb_addf(&sb, "%lld", db_col_int64(st, c));
				else if (t == DB_FLOAT)
					sb_addf(&sb, "%.3f", db_col_double(st, c));
				else {
					const char *v = db_col_text(st, c);
					if (c >= 16 && c <= 19) {
						char *a = workspace_abs(ws->root, v);
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
			char *src = str_printable(db_col_text(st, 4), 0);
			sb_addf(&sb, "%5lld %5lld %-24.24s %5d %6d %7.2f %5s %6.1f %s\n", db_col_int64(st, 0),
				db_col_int64(st, 2), src, db_col_int(st, 8),
				db_col_int(st, 10), db_col_double(st, 12), db_col_int(st, 13) ? "yes" : "",
				db_col_type(st, 14) == DB_NULL ? -1.0 : db_col_double(st, 14),
				db_col_text(st, 22) ? db_col_text(st, 22) : "");
			free(src);
		}
	}
	db_finalize(st);
	if (json)
		sb_adds(&sb, "]\n");
	fputs(sb.buf, stdout);
	sb_release(&sb);
	return 0;
}

/* `jobs rescan JOB`: the rescan request of the job's page (pagefix_rescan
 * marks the stopped job too); only a stopped page job, as before. */
static int rescan_job(struct db *db, int64_t job_id, const char *who, const char *reason, struct errbuf *err)
{
	int64_t page = db_int(db, 0, "SELECT COALESCE(page_id, 0) FROM jobs WHERE id = ?1 AND state IN ('held', 'quarantined')", 1, job_id);
	if (!page)
		return err_set(err, "job %lld: not a held or quarantined page job", (long long)job_id);
	return pagefix_rescan(db, page, reason, who, err);
}

int cmd_jobs(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	err_init(&err);
	if (argc >= 3 && (!strcmp(argv[1], "release") || !strcmp(argv[1], "retry"))) {
		int rc = 0;
		for (int i = 2; i < argc; i++) {
			int64_t id = atoll(argv[i]);
			err_init(&err);
			if (jobq_release(ws->db, id, "supervisor", &err) < 0) {
				fprintf(stderr, "sohoa: jobs: %s\n", err.msg);
				rc = EXIT_DATAERR;
			}
		}
		wake_supervisors(ws->root, ws->db);
		return rc;
	}
	if (argc >= 3 && (!strcmp(argv[1], "accept") || !strcmp(argv[1], "rescan") || !strcmp(argv[1], "drop"))) {
		/* The operator's answers to a stopped page, each with a reason. */
		const char *reason = NULL, *op = getenv("SOHOA_OPERATOR");
		struct pipeline pl;
		char *who;
		int rc = 0, nids = 0;
		for (int i = 2; i < argc; i++)
			if (!strcmp(argv[i], "--reason") && i + 1 < argc)
				reason = argv[++i];
		if (!reason || !*reason) {
			fprintf(stderr, "sohoa: jobs: %s needs --reason TEXT (it is recorded with who gave it)\n", argv[1]);
			return EXIT_USAGE;
		}
		if (registry_pipeline(ws->cfg, &pl, &err) < 0) {
			fprintf(stderr, "sohoa: jobs: %s\n", err.msg);
			return EXIT_DATAERR;
		}
		who = xasprintf("operator:%s", op && *op ? op : config_str(ws->cfg, "ingest.operator"));
		for (int i = 2; i < argc; i++) {
			int r;
			if (!strcmp(argv[i], "--reason")) {
				i++;
				continue;
			}
			nids++;
			err_init(&err);
			if (!strcmp(argv[1], "accept"))
				r = jobq_accept(ws->db, atoll(argv[i]), who, reason, &err);
			else if (!strcmp(argv[1], "rescan"))
				r = rescan_job(ws->db, atoll(argv[i]), who, reason, &err);
			else
				r = jobq_drop_page(ws->db, &pl, atoll(argv[i]), who, reason, &err);
			if (r < 0) {
				fprintf(stderr, "sohoa: jobs: %s\n", err.msg);
				rc = EXIT_DATAERR;
			}
		}
		free(who);
		wake_supervisors(ws->root, ws->db);
		if (nids == 0) {
			fprintf(stderr, "sohoa: jobs: %s: which job?\n", argv[1]);
			return EXIT_USAGE;
		}
		return rc;
	}
	if (argc >= 3 && !strcmp(argv[1], "hold")) {
		for (int i = 2; i < argc; i++) {
			err_init(&err);
			if (jobq_hold_waiting(ws->db, atoll(argv[i]), "supervisor", &err) < 0) {
				fprintf(stderr, "sohoa: jobs: %s\n", err.msg);
				return EXIT_DATAERR;
			}
		}
		return 0;
	}
	if (argc == 1 || (argc == 3 && !strcmp(argv[1], "--state"))) {
		struct db_stmt *st = db_prepare(ws->db, "SELECT id, stage, COALESCE(page_id, 0), COALESCE(document_id, 0),"
						      " COALESCE(batch_id, 0), state, attempts, priority, COALESCE(error, '') FROM jobs"
						      " WHERE CAST(?1 AS TEXT) IS NULL OR state = ?1 ORDER BY id");
		int step;
		if (argc == 3)
			db_bind_text(st, 1, argv[2], -1);
		printf("%6s %-8s %5s %5s %5s %-11s %3s %8s %s\n", "job", "stage", "page", "doc", "batch", "state", "try", "priority",
		       "error");
		while ((step = db_step(st)) == DB_ROW)
			printf("%6lld %-8s %5lld %5lld %5lld %-11s %3d %8.1f %s\n", db_col_int64(st, 0), db_col_text(st, 1),
			       db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4),
			       db_col_text(st, 5), db_col_int(st, 6), db_col_double(st, 7),
			       db_col_text(st, 8));
		db_finalize(st);
		if (step != DB_DONE) {
			fprintf(stderr, "sohoa: jobs: cannot list the jobs: %s\n", db_errmsg(ws->db));
			return EXIT_DATAERR;
		}
		return 0;
	}
	fprintf(stderr, "usage: sohoa jobs [--state STATE] | jobs hold|release|retry ID... | jobs accept|rescan|drop ID... --reason TEXT\n");
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
		printf("%-8s %-8s %s\n", pl.stage[i]->name, pl.stage[i]->unit == STAGE_PAGE ? "page" : pl.stage[i]->unit == STAGE_BATCH ? "batch" : "document",
		       pl.stage[i]->summary ? pl.stage[i]->summary : "");
	return 0;
}
