/*
 * ui-login.c - the login form, logging in and out, the language switch and
 * the home page (which sends each role to its own first page).
 *
 * The login form carries a token of its own, also set as the cookie
 * sohoa_login (HttpOnly, SameSite=Strict, path /login): a POST whose token
 * is not that cookie's is refused (403) before any password is looked at,
 * so another site cannot log a browser in under an account of its choice.
 *
 * A failed login writes an "authentication" failure event, counts against
 * the user (users.failed) and the client address, and is answered only
 * after a delay that doubles with each failure (server_login_delay).  The
 * answer is the same whether the name exists or not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/events.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"
#include "web/session.h"
#include "web/users.h"

/* Only a local path may follow a login: "/x", never "//host" or "/\host". */
static const char *safe_next(const char *next)
{
	if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strstr(next, ".."))
		return "/";
	return next;
}

static void form(struct web_req *r, const char *msg, const char *user)
{
	const char *next = safe_next(server_arg(r, "next"));
	server_page_begin(r, L(r, "Đăng nhập", "Log in"));
	html_raw(&r->out, "<section class=\"login\"><h1>%s</h1>", L(r, "Đăng nhập", "Log in"));
	if (msg) {
		sb_adds(&r->out, "<p class=\"error\" role=\"alert\">");
		html_txt(&r->out, msg);
		sb_adds(&r->out, "</p>");
	}
	char token[65];
	session_random_hex(token);
	server_set_cookie(r, "sohoa_login=%s; Path=/login; HttpOnly; SameSite=Strict%s", token, server_tls(r) ? "; Secure" : "");
	html_raw(&r->out, "<form method=\"post\" action=\"/login\"><input type=\"hidden\" name=\"csrf\" value=\"%s\">", token);
	sb_adds(&r->out, "<input type=\"hidden\" name=\"next\" value=\"");
	html_attr(&r->out, next);
	html_raw(&r->out, "\"><label>%s <input name=\"user\" autocomplete=\"username\" required autofocus value=\"",
		 L(r, "Tên người dùng", "User name"));
	html_attr(&r->out, user ? user : "");
	html_raw(&r->out, "\"></label><label>%s <input type=\"password\" name=\"password\" autocomplete=\"current-password\" required></label>"
		 "<button type=\"submit\">%s</button></form></section>",
		 L(r, "Mật khẩu", "Password"), L(r, "Đăng nhập", "Log in"));
	server_page_end(r);
}

void ui_login_form(struct web_req *r)
{
	if (r->logged_in) {
		server_redirect(r, "/");
		return;
	}
	form(r, NULL, NULL);
}

void ui_login_post(struct web_req *r)
{
	const char *name = server_arg(r, "user"), *pw = server_arg(r, "password");
	struct user u;
	char *hash = NULL;
	bool ok = false;
	const char *form_token = server_arg(r, "csrf"), *cookie_token = server_cookie(r, "sohoa_login");
	if (!form_token || !cookie_token || strlen(cookie_token) != 64 || !session_token_eq(form_token, cookie_token)) {
		r->status = 403;
		form(r, L(r, "Biểu mẫu đăng nhập đã hết hạn hoặc không đến từ trang này: hãy đăng nhập lại.",
			  "The login form expired or did not come from this site: log in again."), name);
		return;
	}
	if (name && pw && users_name_ok(name) && users_get(r->ws->db, name, &u) == 1 && !u.disabled) {
		hash = users_password_hash(r->ws->db, u.id);
		ok = users_check_password(hash, pw);
		free(hash);
	} else if (pw) {
		/* spend the same time on a name that is not a user */
		users_check_password("scrypt$16384$8$1$00000000000000000000000000000000$00", pw);
	}
	if (!ok) {
		int failures = 0, by_addr = server_fail_count(r, true);
		users_login_failed(r->ws->db, name ? name : "", r->from, &failures);
		r->delay_ms = server_login_delay(r, failures > by_addr ? failures : by_addr);
		r->status = 401;
		form(r, L(r, "Tên người dùng hoặc mật khẩu không đúng.", "Wrong user name or password."), name);
		return;
	}
	{
		const struct session *s = session_new(u.name, now_ms());
		users_login_ok(r->ws->db, &u, r->from);
		server_set_cookie(r, "sohoa_session=%s; Path=/; HttpOnly; SameSite=Strict%s", s->id,
				  server_tls(r) ? "; Secure" : "");
		server_redirect(r, safe_next(server_arg(r, "next")));
	}
}

void ui_logout(struct web_req *r)
{
	char obj[96];
	session_drop(r->session_id);
	snprintf(obj, sizeof(obj), "user:%s", r->user.name);
	events_add(r->ws->db, "sohoa/serve", "authentication", obj, "success", "logout");
	server_set_cookie(r, "sohoa_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0%s", server_tls(r) ? "; Secure" : "");
	server_redirect(r, "/login");
}

void ui_lang(struct web_req *r)
{
	bool en = !strcmp(r->tail, "en");
	if (!en && strcmp(r->tail, "vi")) {
		server_error(r, 404, L(r, "không có ngôn ngữ này", "no such language"));
		return;
	}
	server_set_cookie(r, "lang=%s; Path=/; SameSite=Strict; Max-Age=31536000%s", en ? "en" : "vi",
			  server_tls(r) ? "; Secure" : "");
	server_redirect(r, "/");
}

void ui_home(struct web_req *r)
{
	if (r->user.role == ROLE_OPERATOR)
		server_redirect(r, "/batches");
	else
		server_redirect(r, "/dashboard");
}
