/*
 * ui-users.c - the admin's page: who may use the desk, with which role and
 * stations; add a user, disable or enable one.  Calls users.c like
 * `sohoa user`, so both write the same "user management" events.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"
#include "web/session.h"
#include "web/users.h"

static void list(struct web_req *r, const char *msg, bool is_error)
{
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT u.name, u.role, u.disabled, u.failed, u.last_login,"
						 " (SELECT group_concat(station, ', ') FROM user_stations s WHERE s.user_id = u.id)"
						 " FROM users u ORDER BY u.name");
	static const char *const roles[] = {"operator", "supervisor", "archivist", "admin"};
	server_page_begin(r, L(r, "Người dùng", "Users"));
	html_raw(&r->out, "<h1>%s</h1>", L(r, "Người dùng", "Users"));
	if (msg) {
		html_raw(&r->out, "<p class=\"%s\" role=\"status\">", is_error ? "error" : "ok");
		html_txt(&r->out, msg);
		sb_adds(&r->out, "</p>");
	}
	html_raw(&r->out, "<table><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th></th></tr></thead><tbody>",
		 L(r, "Tên", "Name"), L(r, "Vai trò", "Role"), L(r, "Trạm quét", "Stations"),
		 L(r, "Đăng nhập lần cuối", "Last login"), L(r, "Đăng nhập sai", "Failed logins"));
	while (db_step(st) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		bool disabled = db_col_int(st, 2);
		sb_adds(&r->out, "<tr><td>");
		html_txt(&r->out, name);
		if (disabled)
			html_raw(&r->out, " <span class=\"tag bad\">%s</span>", L(r, "đã khoá", "disabled"));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 1));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 5));
		sb_adds(&r->out, "</td><td>");
		html_time(&r->out, db_col_int64(st, 4));
		html_raw(&r->out, "</td><td>%d</td><td><form class=\"inline\" method=\"post\" action=\"/users\">", db_col_int(st, 3));
		server_csrf_field(r);
		sb_adds(&r->out, "<input type=\"hidden\" name=\"name\" value=\"");
		html_attr(&r->out, name);
		html_raw(&r->out, "\"><button name=\"action\" value=\"%s\">%s</button></form></td></tr>",
			 disabled ? "enable" : "disable", disabled ? L(r, "Mở khoá", "Enable") : L(r, "Khoá", "Disable"));
	}
	db_finalize(st);
	html_raw(&r->out, "</tbody></table><h2>%s</h2><form method=\"post\" action=\"/users\" class=\"grid\">", L(r, "Thêm người dùng", "Add a user"));
	server_csrf_field(r);
	html_raw(&r->out, "<input type=\"hidden\" name=\"action\" value=\"add\"><label>%s <input name=\"name\" required pattern=\"[a-z0-9][a-z0-9._-]*\"></label>"
		 "<label>%s <select name=\"role\">", L(r, "Tên", "Name"), L(r, "Vai trò", "Role"));
	for (int i = 0; i < 4; i++)
		html_raw(&r->out, "<option>%s</option>", roles[i]);
	html_raw(&r->out, "</select></label><label>%s <input name=\"stations\" placeholder=\"may-1, may-2\"></label>"
		 "<label>%s <input type=\"password\" name=\"password\" minlength=\"%d\" autocomplete=\"new-password\"></label>"
		 "<button>%s</button></form>",
		 L(r, "Trạm quét (cách nhau bởi dấu phẩy)", "Stations (comma-separated)"), L(r, "Mật khẩu", "Password"),
		 USERS_MIN_PASSWORD, L(r, "Thêm", "Add"));
	server_page_end(r);
}

void ui_users(struct web_req *r)
{
	list(r, NULL, false);
}

void ui_users_post(struct web_req *r)
{
	const char *action = server_arg(r, "action"), *name = server_arg(r, "name");
	struct errbuf err;
	int rc = -1;
	err_init(&err);
	if (!action || !name) {
		r->status = 400;
		list(r, L(r, "thiếu tên hoặc thao tác", "missing name or action"), true);
		return;
	}
	if (!strcmp(action, "add")) {
		const char *role = server_arg(r, "role"), *stations = server_arg(r, "stations"), *pw = server_arg(r, "password");
		char *copy = xstrdup(stations ? stations : ""), *save = NULL, *tok;
		char *list_[USERS_MAX_STATIONS + 1];
		int n = 0;
		for (tok = strtok_r(copy, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save))
			if (n <= USERS_MAX_STATIONS)
				list_[n++] = tok;
		rc = users_add(r->ws->db, name, users_role_parse(role ? role : ""), list_, n, pw && *pw ? pw : NULL, r->agent, &err);
		free(copy);
	} else if (!strcmp(action, "disable") || !strcmp(action, "enable")) {
		bool en = !strcmp(action, "enable");
		if (!en && !strcmp(name, r->user.name))
			err_set(&err, "user '%s': you cannot disable yourself", name);
		else
			rc = users_set(r->ws->db, name, 0, NULL, -1, NULL, en, r->agent, &err);
		if (rc == 0 && !en)
			session_drop_user(name);
	} else {
		err_set(&err, "action '%s': not add, enable or disable", action);
	}
	if (rc < 0) {
		r->status = 400;
		list(r, err.msg, true);
		return;
	}
	server_redirect(r, "/users");
}
