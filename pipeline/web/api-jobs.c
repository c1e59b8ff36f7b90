/*
 * api-jobs.c - the batches a user may see (GET /api/batches) and the
 * supervisor's actions on a job (POST /api/jobs/ID/release|retry|hold).  A
 * job changes state only through jobq.c (jobq_release, jobq_hold_waiting),
 * which writes the audit event `sohoa jobs` writes, with the user as agent.  A form that names
 * `back` (a local path) is answered with a redirect there, so the
 * dashboard works without script.
 */
#include <stdio.h>
#include <string.h>

#include "engine/db.h"
#include "engine/jobq.h"
#include "engine/workspace.h"
#include "web/json.h"
#include "web/pages.h"
#include "web/server.h"

void api_batches(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT b.id, b.station, b.operator, b.file_code, b.profile, b.started, b.npages,"
		" (SELECT COALESCE(sum(n), 0) FROM batch_counts c WHERE c.batch_id = b.id AND c.state = 'held'),"
		" (SELECT COALESCE(sum(n), 0) FROM batch_counts c WHERE c.batch_id = b.id AND c.state = 'quarantined'),"
		" COALESCE(r.n, 0) FROM batches b LEFT JOIN (SELECT batch_id, count(*) AS n FROM pages INDEXED BY pages_review"
		" WHERE review <> 0 GROUP BY batch_id) r ON r.batch_id = b.id ORDER BY b.id DESC LIMIT 500");
	struct json j;
	json_init(&j, &r->out);
	r->ctype = "application/json";
	json_obj(&j);
	json_key(&j, "batches");
	json_arr(&j);
	while (db_step(st) == DB_ROW) {
		const char *station = db_col_text(st, 1);
		if (!server_station_ok(r, station))
			continue;
		json_obj(&j);
		json_kint(&j, "id", db_col_int64(st, 0));
		json_kstr(&j, "station", station);
		json_kstr(&j, "operator", db_col_text(st, 2));
		json_kstr(&j, "file_code", db_col_text(st, 3));
		json_kstr(&j, "profile", db_col_text(st, 4));
		json_kint(&j, "started_ms", db_col_int64(st, 5));
		json_kint(&j, "pages", db_col_int64(st, 6));
		json_kint(&j, "held", db_col_int64(st, 7));
		json_kint(&j, "quarantined", db_col_int64(st, 8));
		json_kint(&j, "review", db_col_int64(st, 9));
		json_end(&j);
	}
	db_finalize(st);
	json_end(&j);
	json_end(&j);
	sb_addc(&r->out, '\n');
}

void api_job_action(struct web_req *r)
{
	const char *back = server_arg(r, "back");
	struct errbuf err;
	struct json j;
	err_init(&err);
	if (strcmp(r->tail, "release") && strcmp(r->tail, "retry") && strcmp(r->tail, "hold")) {
		server_error(r, 404, "no such action");
		return;
	}
	/* jobq writes the audit event, with the user as agent */
	if ((!strcmp(r->tail, "hold") ? jobq_hold_waiting(r->ws->db, r->id, r->agent, &err)
				      : jobq_release(r->ws->db, r->id, r->agent, &err)) < 0) {
		server_error(r, 409, err.msg);
		return;
	}
	if (back && back[0] == '/' && back[1] != '/' && back[1] != '\\') {
		server_redirect(r, back);
		return;
	}
	json_init(&j, &r->out);
	r->ctype = "application/json";
	json_obj(&j);
	json_kint(&j, "job", r->id);
	json_kstr(&j, "state", !strcmp(r->tail, "hold") ? "held" : "ready");
	json_end(&j);
	sb_addc(&r->out, '\n');
}
