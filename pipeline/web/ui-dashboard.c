/*
 * ui-dashboard.c - the supervisor's dashboard: the totals (pages, backlog,
 * throughput, ETA, oldest waiting item), every stage's jobs by state, the
 * backlog per station and operator, pages finished per hour (24 h) and per
 * day (7 days) drawn as SVG by the server, the held, quarantined and failed
 * jobs with their reasons and the action that fits (release, retry), the
 * documents that wait and what they wait on, the priority list with its
 * override form, and the last transfers.  Read-only SQL; an action is a
 * POST (api-jobs.c, or the priority override here, through priority.c)
 * that comes back here.  /static/desk.js reloads the live part every 20 s.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "archive/priority.h"
#include "engine/db.h"
#include "engine/registry.h"
#include "engine/report.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"

static const char *const states[] = {"ready", "claimed", "done", "failed", "quarantined", "held"};

static void stage_table(struct web_req *r, const struct pipeline *pl)
{
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT state, sum(n) FROM job_counts WHERE stage = ?1 GROUP BY state");
	html_raw(&r->out, "<section><h2>%s</h2><table class=\"num\"><thead><tr><th>%s</th>", L(r, "Hàng đợi theo bước", "Queues per stage"),
		 L(r, "Bước", "Stage"));
	for (int i = 0; i < 6; i++)
		html_raw(&r->out, "<th>%s</th>", states[i]);
	sb_adds(&r->out, "</tr></thead><tbody>");
	for (int s = 0; s < pl->n; s++) {
		long long n[6] = {0};
		db_reset(st);
		db_bind_text(st, 1, pl->stage[s]->name, -1);
		while (db_step(st) == DB_ROW)
			for (int i = 0; i < 6; i++)
				if (!strcmp(db_col_text(st, 0), states[i]))
					n[i] = db_col_int64(st, 1);
		sb_adds(&r->out, "<tr><th>");
		html_txt(&r->out, pl->stage[s]->name);
		sb_adds(&r->out, "</th>");
		for (int i = 0; i < 6; i++)
			html_raw(&r->out, "<td>%lld</td>", n[i]);
		sb_adds(&r->out, "</tr>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table></section>");
}

static void attention(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT j.id, j.stage, j.state, COALESCE(j.error, ''), COALESCE(j.page_id, 0), COALESCE(j.document_id, 0),"
		" COALESCE(b.station, ''), COALESCE(m.src_name, d.name, ''), j.updated"
		" FROM jobs j LEFT JOIN pages p ON p.id = j.page_id LEFT JOIN batches b ON b.id = p.batch_id"
		" LEFT JOIN masters m ON m.id = p.master_id LEFT JOIN documents d ON d.id = j.document_id"
		" WHERE j.state IN ('held', 'quarantined', 'failed') ORDER BY j.updated LIMIT 200");
	int shown = 0;
	html_raw(&r->out, "<section><h2>%s</h2><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
		 L(r, "Việc cần xử lý", "Jobs that need attention"), L(r, "Việc", "Job"), L(r, "Bước", "Stage"), L(r, "Trạm", "Station"),
		 L(r, "Trang / tài liệu", "Page / document"), L(r, "Lý do", "Reason"), L(r, "Từ", "Since"));
	while (db_step(st) == DB_ROW) {
		long long id = db_col_int64(st, 0), page = db_col_int64(st, 4);
		const char *state = db_col_text(st, 2);
		shown++;
		html_raw(&r->out, "<tr><td>%lld <span class=\"tag bad\">", id);
		html_txt(&r->out, state);
		sb_adds(&r->out, "</span></td><td>");
		html_txt(&r->out, db_col_text(st, 1));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 6));
		sb_adds(&r->out, "</td><td>");
		if (page)
			html_raw(&r->out, "<a href=\"/page/%lld\">", page);
		html_txt(&r->out, db_col_text(st, 7));
		if (page)
			sb_adds(&r->out, "</a>");
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, "</td><td>");
		html_time(&r->out, db_col_int64(st, 8));
		html_raw(&r->out, "</td><td><form class=\"inline\" method=\"post\" action=\"/api/jobs/%lld/%s\">", id,
			 !strcmp(state, "failed") ? "retry" : "release");
		server_csrf_field(r);
		html_raw(&r->out, "<input type=\"hidden\" name=\"back\" value=\"/dashboard\"><button>%s</button></form></td></tr>",
			 !strcmp(state, "failed") ? L(r, "Thử lại", "Retry") : L(r, "Cho chạy tiếp", "Release"));
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Không có việc nào bị giữ lại, cách ly hay lỗi.", "No held, quarantined or failed jobs."));
	sb_adds(&r->out, "</section>");
}

static void totals(struct web_req *r, const char *last)
{
	struct db *db = r->ws->db;
	/* from the counters the engine keeps (job_counts, batch_counts), as the status report */
	int64_t total = db_int(db, 0, "SELECT COALESCE(sum(n), 0) FROM batch_counts WHERE state = 'pages'", 0);
	int64_t done = 0, backlog = db_int(db, 0, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE state IN ('ready','claimed','failed')", 0);
	int64_t oldest = db_int(db, 0, "SELECT min(created) FROM jobs WHERE state = 'ready'", 0);
	int64_t n5 = 0, n60 = 0;
	struct db_stmt *st = db_prepare(db, "SELECT count(*), sum(finished_at >= ?2) FROM jobs WHERE stage = ?1"
					  " AND state = 'done' AND page_id IS NOT NULL AND finished_at >= ?3");
	int64_t now = now_ms();
	db_bind_text(st, 1, last, -1);
	db_bind_int64(st, 2, now - 5 * 60000);
	db_bind_int64(st, 3, now - 60 * 60000);
	if (db_step(st) == DB_ROW) {
		n60 = db_col_int64(st, 0);
		n5 = db_col_int64(st, 1);
	}
	db_finalize(st);
	st = db_prepare(db, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE stage = ?1 AND state = 'done'");
	db_bind_text(st, 1, last, -1);
	if (db_step(st) == DB_ROW)
		done = db_col_int64(st, 0);
	db_finalize(st);
	html_raw(&r->out, "<section class=\"totals\"><div><b>%lld</b> / %lld<br>%s</div><div><b>%lld</b><br>%s</div>"
		 "<div><b>%.1f</b> · %.1f<br>%s</div><div><b>",
		 (long long)done, (long long)total, L(r, "trang đã qua OCR", "pages past OCR"), (long long)backlog,
		 L(r, "việc đang chờ", "jobs waiting"), n5 / 5.0, n60 / 60.0, L(r, "trang/phút (5 · 60 phút)", "pages/min (5 · 60 min)"));
	if (n5 > 0 && total > done)
		html_duration(&r->out, (int64_t)((double)(total - done) / (n5 / 5.0) * 60));
	else
		sb_adds(&r->out, "–");
	html_raw(&r->out, "</b><br>%s</div><div><b>", L(r, "dự kiến xong (ETA)", "ETA"));
	html_duration(&r->out, oldest ? (now - oldest) / 1000 : -1);
	html_raw(&r->out, "</b><br>%s</div></section>", L(r, "việc chờ lâu nhất", "oldest waiting"));
}

static void group_table(struct web_req *r, const char *col, const char *title)
{
	struct db_stmt *st = report_groups(r->ws->db, col);
	html_raw(&r->out, "<div><h3>%s</h3><table class=\"num\"><thead><tr><th></th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		 title, L(r, "trang", "pages"), L(r, "xong", "done"), L(r, "đang chờ", "waiting"), L(r, "dừng", "stopped"));
	while (db_step(st) == DB_ROW) {
		sb_adds(&r->out, "<tr><th>");
		html_txt(&r->out, db_col_text(st, 0));
		html_raw(&r->out, "</th><td>%lld</td><td>%lld</td><td>%lld</td><td>%lld</td></tr>", db_col_int64(st, 1),
			 db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4));
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table></div>");
}

/* Bars of pages that passed the last page stage: n buckets of `width` ms
 * (an hour or a day, in Vietnam's time, UTC+7), the last one the current;
 * from the hourly counts the engine keeps (the throughput table). */
static void chart(struct web_req *r, const char *last, int n, int64_t width, const char *title, bool days)
{
	const int64_t tz = 7 * 3600000;
	int64_t counts[32] = {0}, max = 1, now = now_ms();
	int64_t start = ((now + tz) / width - (n - 1)) * width - tz;
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT (hour * 3600000 - ?2) / ?3, sum(n) FROM throughput"
						 " WHERE stage = ?1 AND hour >= ?2 / 3600000 GROUP BY 1");
	const int W = 600, H = 140, pad = 22;
	db_bind_text(st, 1, last, -1);
	db_bind_int64(st, 2, start);
	db_bind_int64(st, 3, width);
	while (db_step(st) == DB_ROW) {
		int64_t b = db_col_int64(st, 0);
		if (b >= 0 && b < n)
			counts[b] = db_col_int64(st, 1);
	}
	db_finalize(st);
	for (int i = 0; i < n; i++)
		if (counts[i] > max)
			max = counts[i];
	html_raw(&r->out, "<figure><figcaption>%s</figcaption><svg class=\"chart\" viewBox=\"0 0 %d %d\" role=\"img\">", title, W, H);
	html_raw(&r->out, "<line x1=\"0\" y1=\"%d\" x2=\"%d\" y2=\"%d\" class=\"axis\"/>", H - pad, W, H - pad);
	html_raw(&r->out, "<text x=\"2\" y=\"12\" class=\"lbl\">%lld</text>", (long long)max);
	for (int i = 0; i < n; i++) {
		double bw = (double)W / n, h = (double)(H - pad - 16) * (double)counts[i] / (double)max;
		int64_t t = start + i * width;
		html_raw(&r->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"><title>%lld</title></rect>",
			 i * bw + 1, H - pad - h, bw - 2, h, (long long)counts[i]);
		if (days || i % 4 == 3) {
			time_t tt = (time_t)(t / 1000) + 7 * 3600;
			struct tm tm;
			gmtime_r(&tt, &tm);
			if (days)
				html_raw(&r->out, "<text x=\"%.1f\" y=\"%d\" class=\"lbl\">%02d/%02d</text>", i * bw + 2, H - 6, tm.tm_mday, tm.tm_mon + 1);
			else
				html_raw(&r->out, "<text x=\"%.1f\" y=\"%d\" class=\"lbl\">%02d:00</text>", i * bw + 2, H - 6, tm.tm_hour);
		}
	}
	sb_adds(&r->out, "</svg></figure>");
}

/* Documents whose pages are not all through, and the first thing each
 * waits on: a stopped page (held, quarantined) before a page on its way. */
static void waiting_documents(struct web_req *r)
{
	/* the first stopped page of each document (SQLite takes the bare
	 * columns from the row that gives the min()) */
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT d.id, COALESCE(d.name, 'document ' || d.id), p.seq, j.stage, j.state, COALESCE(j.error, ''), p.id, min(p.seq)"
		" FROM jobs j JOIN pages p ON p.id = j.page_id JOIN documents d ON d.id = p.document_id"
		" WHERE j.state IN ('held', 'quarantined') GROUP BY d.id ORDER BY d.id LIMIT 100");
	int shown = 0;
	html_raw(&r->out, "<section><h2>%s</h2><ul>", L(r, "Tài liệu đang chờ", "Documents that wait"));
	while (db_step(st) == DB_ROW) {
		shown++;
		sb_adds(&r->out, "<li>");
		html_txt(&r->out, db_col_text(st, 1));
		html_raw(&r->out, " %s <a href=\"/page/%lld\">%s %d</a>: ", L(r, "chờ", "waits for"), db_col_int64(st, 6),
			 L(r, "trang", "page"), db_col_int(st, 2));
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, " ");
		html_txt(&r->out, db_col_text(st, 4));
		if (*db_col_text(st, 5)) {
			sb_adds(&r->out, " (");
			html_txt(&r->out, db_col_text(st, 5));
			sb_adds(&r->out, ")");
		}
		sb_adds(&r->out, "</li>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</ul>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Không có tài liệu nào chờ một trang bị giữ lại hay cách ly.", "No document waits for a held or quarantined page."));
	sb_adds(&r->out, "</section>");
}

static void priorities(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT f.id, f.file_code, COALESCE(f.title, ''), f.priority, f.priority_override,"
		" (SELECT COALESCE(sum(c.n), 0) FROM batch_counts c JOIN batches b ON b.id = c.batch_id"
		"  WHERE (b.file_code = f.file_code OR b.file_code = f.alias) AND c.state IN ('ready','failed','held'))"
		" FROM files f ORDER BY COALESCE(f.priority_override, f.priority) DESC, f.id LIMIT 200");
	int shown = 0;
	html_raw(&r->out, "<section><h2>%s</h2><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		 L(r, "Thứ tự ưu tiên", "Priority list"), L(r, "Mã hồ sơ", "File code"), L(r, "Tiêu đề", "Title"),
		 L(r, "Điểm", "Score"), L(r, "Ghi đè", "Override"), L(r, "Việc chờ", "Waiting jobs"), L(r, "Đổi (có lý do)", "Change (with a reason)"));
	while (db_step(st) == DB_ROW) {
		const char *code = db_col_text(st, 1);
		shown++;
		sb_adds(&r->out, "<tr><td>");
		html_txt(&r->out, code);
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 2));
		html_raw(&r->out, "</td><td>%.1f</td><td>", db_col_double(st, 3));
		if (db_col_type(st, 4) != DB_NULL)
			html_raw(&r->out, "<b>%.1f</b>", db_col_double(st, 4));
		html_raw(&r->out, "</td><td>%lld</td><td><form class=\"inline\" method=\"post\" action=\"/dashboard/priority\">",
			 db_col_int64(st, 5));
		server_csrf_field(r);
		sb_adds(&r->out, "<input type=\"hidden\" name=\"file\" value=\"");
		html_attr(&r->out, code);
		html_raw(&r->out, "\"><input name=\"value\" size=\"5\" inputmode=\"decimal\" aria-label=\"%s\"> "
			 "<input name=\"reason\" size=\"18\" required placeholder=\"%s\"> <button>%s</button>",
			 L(r, "giá trị", "value"), L(r, "lý do", "reason"), L(r, "Đặt", "Set"));
		if (db_col_type(st, 4) != DB_NULL)
			html_raw(&r->out, " <button name=\"clear\" value=\"1\">%s</button>", L(r, "Bỏ ghi đè", "Clear"));
		sb_adds(&r->out, "</form></td></tr>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Chưa có hồ sơ nào.", "No files yet."));
	sb_adds(&r->out, "</section>");
}

static void transfers(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT time, object, outcome, COALESCE(detail, '') FROM events"
						 " WHERE type = 'transfer'"
						 " ORDER BY id DESC LIMIT 20");
	int shown = 0;
	html_raw(&r->out, "<section><h2>%s</h2><table><tbody>", L(r, "Gói chuyển giao gần đây", "Recent transfer packages"));
	while (db_step(st) == DB_ROW) {
		shown++;
		sb_adds(&r->out, "<tr><td>");
		html_time(&r->out, db_col_int64(st, 0));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 1));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 2));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, "</td></tr>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Chưa xuất gói nào.", "No packages exported yet."));
	sb_adds(&r->out, "</section>");
}

void ui_dashboard(struct web_req *r)
{
	struct pipeline pl;
	struct errbuf err;
	const char *last = "ocr";
	err_init(&err);
	if (registry_pipeline(r->ws->cfg, &pl, &err) < 0) {
		server_error(r, 500, err.msg);
		return;
	}
	if (pl.last_page >= 0)
		last = pl.stage[pl.last_page]->name;
	server_page_begin(r, L(r, "Bảng điều khiển", "Dashboard"));
	html_raw(&r->out, "<h1>%s</h1><div id=\"live\" data-refresh=\"20\">", L(r, "Bảng điều khiển", "Dashboard"));
	totals(r, last);
	sb_adds(&r->out, "<div class=\"cols\">");
	stage_table(r, &pl);
	sb_adds(&r->out, "<section class=\"cols2\">");
	group_table(r, "station", L(r, "Theo trạm quét", "Per station"));
	group_table(r, "operator", L(r, "Theo người quét", "Per operator"));
	sb_adds(&r->out, "</section></div><section class=\"cols\">");
	chart(r, last, 24, 3600000, L(r, "Trang xong mỗi giờ, 24 giờ qua", "Pages done per hour, last 24 h"), false);
	chart(r, last, 7, 86400000, L(r, "Trang xong mỗi ngày, 7 ngày qua", "Pages done per day, last 7 days"), true);
	sb_adds(&r->out, "</section>");
	attention(r);
	waiting_documents(r);
	sb_adds(&r->out, "</div>");
	priorities(r);
	transfers(r);
	sb_adds(&r->out, "<script src=\"/static/desk.js\"></script>");
	server_page_end(r);
}

void ui_dashboard_priority(struct web_req *r)
{
	const char *code = server_arg(r, "file"), *value = server_arg(r, "value"), *reason = server_arg(r, "reason");
	bool clear = server_arg(r, "clear") != NULL;
	struct priority_rules *rules;
	struct errbuf err;
	char *cdir, *end = NULL;
	double v = 0;
	int64_t file_id;
	struct db_stmt *st;
	err_init(&err);
	if (!code || !reason || !*reason) {
		server_error(r, 400, L(r, "cần mã hồ sơ và lý do", "a file code and a reason are needed"));
		return;
	}
	if (!clear) {
		v = value ? strtod(value, &end) : 0;
		if (!value || !*value || *end || v < -1000 || v > 1000) {
			server_error(r, 400, L(r, "giá trị ưu tiên phải là một số từ -1000 đến 1000", "the priority must be a number from -1000 to 1000"));
			return;
		}
	}
	st = db_prepare(r->ws->db, "SELECT id FROM files WHERE file_code = ?1");
	db_bind_text(st, 1, code, -1);
	file_id = db_step(st) == DB_ROW ? db_col_int64(st, 0) : 0;
	db_finalize(st);
	if (!file_id) {
		server_error(r, 404, L(r, "không có hồ sơ này", "no such file"));
		return;
	}
	cdir = workspace_path(r->ws, "config");
	rules = priority_rules_load(cdir, &err);
	free(cdir);
	if (!rules || priority_override(r->ws->db, rules, file_id, clear, v, r->agent, reason, &err) < 0) {
		priority_rules_free(rules);
		server_error(r, 400, err.msg);
		return;
	}
	priority_rules_free(rules);
	server_redirect(r, "/dashboard");
}
