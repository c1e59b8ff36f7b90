/*
 * ui-batches.c - the operator's desk: the station's batches and their
 * state, a batch's pages, one page with its OCR text.  An operator sees
 * only the stations named in their user (server_station_ok); another
 * station's batch or page is answered 403, like a wrong role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"

static void state_tag(struct strbuf *sb, const char *state)
{
	const char *cls = !strcmp(state, "held") || !strcmp(state, "quarantined") || !strcmp(state, "failed") ? "bad"
			  : !strcmp(state, "done") ? "good" : "wait";
	html_raw(sb, "<span class=\"tag %s\">", cls);
	html_txt(sb, state);
	sb_adds(sb, "</span>");
}

/* The pages sent back to the user's stations for a new scan. */
static void rescans(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT q.page_id, p.seq, p.batch_id, b.station, m.src_name, q.reason, q.agent, q.requested"
		" FROM rescans q JOIN pages p ON p.id = q.page_id JOIN batches b ON b.id = p.batch_id"
		" JOIN masters m ON m.id = p.master_id WHERE q.done IS NULL AND p.dropped = 0 ORDER BY q.requested");
	int shown = 0;
	while (db_step(st) == DB_ROW) {
		if (!server_station_ok(r, db_col_text(st, 3)))
			continue;
		if (!shown++)
			html_raw(&r->out, "<h2 id=\"rescans\">%s</h2><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
				 L(r, "Trang cần quét lại", "Pages to scan again"), L(r, "Trang", "Page"), L(r, "Trạm", "Station"),
				 L(r, "Tệp quét", "Scan file"), L(r, "Lý do", "Reason"), L(r, "Ai, khi nào", "Who, when"),
				 L(r, "Bản quét mới", "New scan"));
		html_raw(&r->out, "<tr><td><a href=\"/page/%lld\">%lld · %d</a></td><td>", db_col_int64(st, 0),
			 db_col_int64(st, 2), db_col_int(st, 1));
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 4));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 5));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 6));
		sb_adds(&r->out, ", ");
		html_time(&r->out, db_col_int64(st, 7));
		sb_adds(&r->out, "</td><td>");
		ui_rescan_upload_form(r, db_col_int64(st, 0));
		sb_adds(&r->out, "</td></tr>");
	}
	db_finalize(st);
	if (shown)
		sb_adds(&r->out, "</tbody></table>");
}

void ui_batches(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT b.id, b.station, b.operator, COALESCE(b.file_code, ''), b.started, b.npages,"
		" (SELECT COALESCE(sum(n), 0) FROM batch_counts c WHERE c.batch_id = b.id AND c.state IN ('held','quarantined')),"
		" COALESCE(r.n, 0) FROM batches b LEFT JOIN (SELECT batch_id, count(*) AS n FROM pages INDEXED BY pages_review"
		" WHERE review <> 0 GROUP BY batch_id) r ON r.batch_id = b.id ORDER BY b.id DESC LIMIT 500");
	int shown = 0;
	server_page_begin(r, L(r, "Lô quét", "Batches"));
	html_raw(&r->out, "<h1>%s</h1>", L(r, "Lô quét", "Batches"));
	if (r->user.role == ROLE_OPERATOR) {
		html_raw(&r->out, "<p>%s ", L(r, "Trạm của bạn:", "Your stations:"));
		for (int i = 0; i < r->user.nstations; i++) {
			if (i)
				sb_adds(&r->out, ", ");
			html_txt(&r->out, r->user.stations[i]);
		}
		if (!r->user.nstations)
			sb_adds(&r->out, L(r, "chưa có (hỏi quản trị viên)", "none yet (ask an admin)"));
		sb_adds(&r->out, "</p>");
	}
	html_raw(&r->out, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		 L(r, "Lô", "Batch"), L(r, "Trạm", "Station"), L(r, "Người quét", "Operator"), L(r, "Mã hồ sơ", "File code"),
		 L(r, "Bắt đầu", "Started"), L(r, "Trang", "Pages"), L(r, "Cần xử lý", "Needs attention"));
	while (db_step(st) == DB_ROW) {
		const char *station = db_col_text(st, 1);
		int64_t id = db_col_int64(st, 0);
		if (!server_station_ok(r, station))
			continue;
		shown++;
		html_raw(&r->out, "<tr><td><a href=\"/batch/%lld\">%lld</a></td><td>", (long long)id, (long long)id);
		html_txt(&r->out, station);
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 2));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, "</td><td>");
		html_time(&r->out, db_col_int64(st, 4));
		html_raw(&r->out, "</td><td>%lld</td><td>", (long long)db_col_int64(st, 5));
		if (db_col_int64(st, 6))
			html_raw(&r->out, "<span class=\"tag bad\">%lld %s</span> ", (long long)db_col_int64(st, 6),
				 L(r, "giữ lại/cách ly", "held/quarantined"));
		if (db_col_int64(st, 7))
			html_raw(&r->out, "<span class=\"tag wait\">%lld %s</span>", (long long)db_col_int64(st, 7),
				 L(r, "cần soát", "to review"));
		sb_adds(&r->out, "</td></tr>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Chưa có lô nào.", "No batches yet."));
	rescans(r);
	server_page_end(r);
}

/* The batch's station, or NULL when there is no such batch (caller frees). */
static char *batch_station(struct web_req *r, int64_t batch_id)
{
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT station FROM batches WHERE id = ?1");
	char *s = NULL;
	db_bind_int64(st, 1, batch_id);
	if (db_step(st) == DB_ROW)
		s = db_col_strdup(st, 0);
	db_finalize(st);
	return s;
}

bool ui_batch_allowed(struct web_req *r, int64_t batch_id)
{
	char *station = batch_station(r, batch_id);
	bool ok = station && server_station_ok(r, station);
	if (!station)
		server_error(r, 404, L(r, "không có lô này", "no such batch"));
	else if (!ok)
		server_error(r, 403, L(r, "lô này thuộc trạm khác", "this batch belongs to another station"));
	free(station);
	return ok;
}

/* A page's current place in the pipeline: the job that is not done, else
 * the last one. */
static const char *page_state_sql =
	"SELECT stage, state, COALESCE(error, '') FROM jobs WHERE page_id = ?1"
	" ORDER BY state = 'done', id DESC LIMIT 1";

void ui_batch(struct web_req *r)
{
	struct db_stmt *st, *js;
	if (!ui_batch_allowed(r, r->id))
		return;
	st = db_prepare(r->ws->db, "SELECT p.id, p.seq, m.src_name, p.blank, p.ocr_conf, p.review, COALESCE(d.name, ''), COALESCE(p.document_id, 0)"
				   " FROM pages p JOIN masters m ON m.id = p.master_id LEFT JOIN documents d ON d.id = p.document_id"
				   " WHERE p.batch_id = ?1 ORDER BY p.seq");
	js = db_prepare(r->ws->db, page_state_sql);
	db_bind_int64(st, 1, r->id);
	server_page_begin(r, L(r, "Lô quét", "Batch"));
	html_raw(&r->out, "<h1>%s %lld</h1><p><a href=\"/batch/%lld/bienban.pdf\">%s</a></p><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		 L(r, "Lô", "Batch"), (long long)r->id, (long long)r->id, L(r, "In biên bản giao nhận (PDF)", "Print the Biên bản giao nhận (PDF)"),
		 L(r, "Trang", "Page"), L(r, "Tệp quét", "Scan file"),
		 L(r, "Tài liệu", "Document"), L(r, "Bước", "Stage"), L(r, "Độ tin cậy OCR", "OCR confidence"), L(r, "Ghi chú", "Notes"));
	while (db_step(st) == DB_ROW) {
		int64_t pid = db_col_int64(st, 0);
		html_raw(&r->out, "<tr><td><a href=\"/page/%lld\">%d</a></td><td>", (long long)pid, db_col_int(st, 1));
		html_txt(&r->out, db_col_text(st, 2));
		sb_adds(&r->out, "</td><td>");
		if (db_col_int64(st, 7))
			html_raw(&r->out, "<a href=\"/document/%lld\">", db_col_int64(st, 7));
		html_txt(&r->out, db_col_text(st, 6));
		if (db_col_int64(st, 7))
			sb_adds(&r->out, "</a>");
		sb_adds(&r->out, "</td><td>");
		db_reset(js);
		db_bind_int64(js, 1, pid);
		if (db_step(js) == DB_ROW) {
			html_txt(&r->out, db_col_text(js, 0));
			sb_adds(&r->out, " ");
			state_tag(&r->out, db_col_text(js, 1));
			if (*db_col_text(js, 2)) {
				sb_adds(&r->out, " <small>");
				html_txt(&r->out, db_col_text(js, 2));
				sb_adds(&r->out, "</small>");
			}
		}
		sb_adds(&r->out, "</td><td>");
		if (db_col_type(st, 4) != DB_NULL)
			html_raw(&r->out, "%.0f %%", db_col_double(st, 4));
		sb_adds(&r->out, "</td><td>");
		if (db_col_int(st, 3))
			html_raw(&r->out, "<span class=\"tag wait\">%s</span> ", L(r, "trang trắng", "blank"));
		if (db_col_int(st, 5))
			html_raw(&r->out, "<span class=\"tag wait\">%s</span>", L(r, "cần soát", "to review"));
		sb_adds(&r->out, "</td></tr>");
	}
	db_finalize(js);
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	server_page_end(r);
}
