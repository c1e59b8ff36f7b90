/*
 * ui-dashboard.c - the supervisor's dashboard: every stage's jobs by state,
 * and the held, quarantined and failed jobs with their reasons and the
 * action that fits (release, retry).  Read-only SQL; an action is a POST
 * to the JSON API (api-jobs.c) that comes back here.
 */
#include <string.h>

#include "engine/db.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"

static const char *const states[] = {"ready", "claimed", "done", "failed", "quarantined", "held"};

static void stage_table(struct web_req *r)
{
	sqlite3_stmt *st = db_prepare(r->ws->db, "SELECT stage, state, count(*) FROM jobs GROUP BY stage, state ORDER BY min(id)");
	char last[32] = "";
	long long n[6] = {0};
	bool any = false;
	html_raw(&r->out, "<section><h2>%s</h2><table class=\"num\"><thead><tr><th>%s</th>", L(r, "Hàng đợi theo bước", "Queues per stage"),
		 L(r, "Bước", "Stage"));
	for (int i = 0; i < 6; i++)
		html_raw(&r->out, "<th>%s</th>", states[i]);
	sb_adds(&r->out, "</tr></thead><tbody>");
	for (;;) {
		int more = sqlite3_step(st) == SQLITE_ROW;
		const char *stage = more ? (const char *)sqlite3_column_text(st, 0) : "";
		if ((!more || strcmp(stage, last)) && any) {
			sb_adds(&r->out, "<tr><th>");
			html_txt(&r->out, last);
			sb_adds(&r->out, "</th>");
			for (int i = 0; i < 6; i++)
				html_raw(&r->out, "<td>%lld</td>", n[i]);
			sb_adds(&r->out, "</tr>");
			memset(n, 0, sizeof(n));
		}
		if (!more)
			break;
		snprintf(last, sizeof(last), "%s", stage);
		any = true;
		for (int i = 0; i < 6; i++)
			if (!strcmp((const char *)sqlite3_column_text(st, 1), states[i]))
				n[i] = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	sb_adds(&r->out, "</tbody></table></section>");
}

static void attention(struct web_req *r)
{
	sqlite3_stmt *st = db_prepare(r->ws->db,
		"SELECT j.id, j.stage, j.state, COALESCE(j.error, ''), COALESCE(j.page_id, 0), COALESCE(j.document_id, 0),"
		" COALESCE(b.station, ''), COALESCE(m.src_name, d.name, ''), j.updated"
		" FROM jobs j LEFT JOIN pages p ON p.id = j.page_id LEFT JOIN batches b ON b.id = p.batch_id"
		" LEFT JOIN masters m ON m.id = p.master_id LEFT JOIN documents d ON d.id = j.document_id"
		" WHERE j.state IN ('held', 'quarantined', 'failed') ORDER BY j.updated LIMIT 200");
	int shown = 0;
	html_raw(&r->out, "<section><h2>%s</h2><table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
		 L(r, "Việc cần xử lý", "Jobs that need attention"), L(r, "Việc", "Job"), L(r, "Bước", "Stage"), L(r, "Trạm", "Station"),
		 L(r, "Trang / tài liệu", "Page / document"), L(r, "Lý do", "Reason"), L(r, "Từ", "Since"));
	while (sqlite3_step(st) == SQLITE_ROW) {
		long long id = sqlite3_column_int64(st, 0), page = sqlite3_column_int64(st, 4);
		const char *state = (const char *)sqlite3_column_text(st, 2);
		shown++;
		html_raw(&r->out, "<tr><td>%lld <span class=\"tag bad\">", id);
		html_txt(&r->out, state);
		sb_adds(&r->out, "</span></td><td>");
		html_txt(&r->out, (const char *)sqlite3_column_text(st, 1));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, (const char *)sqlite3_column_text(st, 6));
		sb_adds(&r->out, "</td><td>");
		if (page)
			html_raw(&r->out, "<a href=\"/page/%lld\">", page);
		html_txt(&r->out, (const char *)sqlite3_column_text(st, 7));
		if (page)
			sb_adds(&r->out, "</a>");
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, (const char *)sqlite3_column_text(st, 3));
		sb_adds(&r->out, "</td><td>");
		html_time(&r->out, sqlite3_column_int64(st, 8));
		html_raw(&r->out, "</td><td><form class=\"inline\" method=\"post\" action=\"/api/jobs/%lld/%s\">", id,
			 !strcmp(state, "failed") ? "retry" : "release");
		server_csrf_field(r);
		html_raw(&r->out, "<input type=\"hidden\" name=\"back\" value=\"/dashboard\"><button>%s</button></form></td></tr>",
			 !strcmp(state, "failed") ? L(r, "Thử lại", "Retry") : L(r, "Cho chạy tiếp", "Release"));
	}
	sqlite3_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Không có việc nào bị giữ lại, cách ly hay lỗi.", "No held, quarantined or failed jobs."));
	sb_adds(&r->out, "</section>");
}

void ui_dashboard(struct web_req *r)
{
	server_page_begin(r, L(r, "Bảng điều khiển", "Dashboard"));
	html_raw(&r->out, "<h1>%s</h1>", L(r, "Bảng điều khiển", "Dashboard"));
	stage_table(r);
	attention(r);
	server_page_end(r);
}
