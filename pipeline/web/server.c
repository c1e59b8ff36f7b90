/*
 * server.c - `sohoa serve` (server.h): libmicrohttpd with a thread per
 * connection, the route table, and the checks made once per request before
 * any handler runs (clean path, route, session, role, CSRF token).
 *
 * Invariants: a handler runs only after its route's checks passed; handlers
 * run one at a time under `lock` (one SQLite connection, one session
 * table); a failed login is slowed down outside the lock, so one attacker
 * does not stall the others.  Every response carries a strict
 * Content-Security-Policy and is not cached unless it is a static asset.
 */
#include "web/server.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/fsio.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/session.h"

#define BODY_MAX (1 << 20)

enum route_flags {
	R_PUBLIC = 1,   /* no session needed */
	R_NOCSRF = 2,   /* a POST without a session yet (the login form) */
};

struct route {
	const char *method;
	const char *pattern;   /* '#' one number segment, trailing '*' any rest */
	int roles;             /* ROLE_* bits allowed (ignored for R_PUBLIC) */
	void (*fn)(struct web_req *r);
	int flags;
};

#define SUP (ROLE_SUPERVISOR | ROLE_ADMIN)
#define DESK (ROLE_OPERATOR | ROLE_SUPERVISOR | ROLE_ADMIN)

static const struct route routes[] = {
	{"GET", "/login", 0, ui_login_form, R_PUBLIC},
	{"POST", "/login", 0, ui_login_post, R_PUBLIC | R_NOCSRF},
	{"GET", "/lang/*", 0, ui_lang, R_PUBLIC},
	{"GET", "/static/*", 0, ui_static, R_PUBLIC},
	{"POST", "/logout", ROLE_ANY, ui_logout, 0},
	{"GET", "/", ROLE_ANY, ui_home, 0},
	{"GET", "/batches", DESK, ui_batches, 0},
	{"GET", "/batch/#", DESK, ui_batch, 0},
	{"GET", "/batch/#/bienban.pdf", DESK | ROLE_ARCHIVIST, ui_bienban, 0},
	{"GET", "/page/#", DESK, ui_page, 0},
	{"GET", "/page/#/image", DESK, ui_page_image, 0},
	{"POST", "/page/#/correct", DESK, ui_page_correct, 0},
	{"POST", "/page/#/accept", DESK, ui_page_accept, 0},
	{"POST", "/page/#/rescan", DESK, ui_page_rescan, 0},
	{"POST", "/page/#/rescan-scan", DESK, ui_page_rescan_scan, 0},
	{"POST", "/api/pages/#/correct", DESK, ui_page_correct, 0},
	{"POST", "/api/pages/#/accept", DESK, ui_page_accept, 0},
	{"POST", "/api/pages/#/rescan", DESK, ui_page_rescan, 0},
	{"POST", "/api/pages/#/rescan-scan", DESK, ui_page_rescan_scan, 0},
	{"GET", "/review", DESK, ui_review, 0},
	{"GET", "/document/#", DESK | ROLE_ARCHIVIST, ui_document, 0},
	{"POST", "/document/#/meta", DESK | ROLE_ARCHIVIST, ui_document_meta, 0},
	{"POST", "/document/#/accept", DESK | ROLE_ARCHIVIST, ui_document_accept, 0},
	{"POST", "/document/#/move", DESK | ROLE_ARCHIVIST, ui_document_move, 0},
	{"GET", "/api/documents/#", DESK | ROLE_ARCHIVIST, api_document, 0},
	{"GET", "/dashboard", SUP | ROLE_ARCHIVIST, ui_dashboard, 0},
	{"POST", "/dashboard/priority", SUP, ui_dashboard_priority, 0},
	{"GET", "/search", DESK | ROLE_ARCHIVIST, ui_search, 0},
	{"GET", "/api/search", DESK | ROLE_ARCHIVIST, api_search, 0},
	{"GET", "/users", ROLE_ADMIN, ui_users, 0},
	{"POST", "/users", ROLE_ADMIN, ui_users_post, 0},
	{"GET", "/api/whoami", ROLE_ANY, api_whoami, 0},
	{"GET", "/api/status", SUP | ROLE_ARCHIVIST, api_status, 0},
	{"GET", "/api/batches", DESK, api_batches, 0},
	{"POST", "/api/jobs/#/*", SUP, api_job_action, 0},
	{NULL, NULL, 0, NULL, 0},
};

struct web_server {
	struct workspace *ws;
	pthread_mutex_t lock;
	bool tls;
	int64_t idle_ms;
	int login_delay_ms;
	/* failed logins per client address (names that are not users too) */
	struct {
		char from[64];
		int n;
		int64_t last_ms;
	} fails[64];
};

struct conn_ctx {
	struct web_req req;
	bool too_big;
	/* multipart/form-data (a scan uploaded from the desk) */
	struct MHD_PostProcessor *pp;
	bool bad_upload;           /* a second file, a name that is no scan, a write error */
	int upload_fd;
	char *upload_dir, *upload_path;
	int64_t upload_len, upload_max;
	size_t nform, form_bytes;
};

/* The extensions a scan uploaded from the desk may have (as the hot folder). */
static const char *const upload_exts[] = {"tif", "tiff", "jpg", "jpeg", "png", "pnm", "pgm", "ppm", "pbm", "bmp", "jp2", "pdf", NULL};

/* The file name an upload is stored under: the base name of what the
 * browser sent, letters, digits, '.', '-' and '_' kept, the rest '_';
 * NULL when it has no scan's extension. */
static char *upload_name(const char *sent)
{
	const char *base = strrchr(sent, '/'), *ext;
	char *name;
	size_t n = 0;
	bool ok = false;
	base = base ? base + 1 : sent;
	if (strrchr(base, '\\'))
		base = strrchr(base, '\\') + 1;
	ext = strrchr(base, '.');
	for (int i = 0; ext && upload_exts[i]; i++)
		if (strcasecmp(ext + 1, upload_exts[i]) == 0)
			ok = true;
	if (!ok)
		return NULL;
	name = xmalloc(101);
	for (const unsigned char *c = (const unsigned char *)base; *c && n < 100; c++)
		name[n++] = (char)((isalnum(*c) && *c < 0x80) || *c == '.' || *c == '-' || *c == '_' ? *c : '_');
	name[n] = 0;
	if (name[0] == '.')
		name[0] = '_';
	return name;
}

/* libmicrohttpd's post processor: form fields into r->form (as
 * parse_form() does), the file field "scan" into a file of its own. */
static enum MHD_Result post_field(void *cls, enum MHD_ValueKind kind, const char *key, const char *filename,
				  const char *content_type, const char *transfer_encoding, const char *data, uint64_t off,
				  size_t size)
{
	struct conn_ctx *ctx = cls;
	struct web_req *r = &ctx->req;
	(void)kind;
	(void)content_type;
	(void)transfer_encoding;
	if (filename) {
		if (strcmp(key, "scan") != 0 || ctx->bad_upload)
			return (ctx->bad_upload = true), MHD_YES;
		if (!ctx->upload_path) {
			char *name = upload_name(filename);
			struct errbuf err;
			err_init(&err);
			if (!name)
				return (ctx->bad_upload = true), MHD_YES;
			ctx->upload_dir = workspace_path(r->ws, "tmp/upload.XXXXXX");
			if (!mkdtemp(ctx->upload_dir)) {
				free(ctx->upload_dir);
				ctx->upload_dir = NULL;
				free(name);
				return (ctx->bad_upload = true), MHD_YES;
			}
			ctx->upload_path = xasprintf("%s/%s", ctx->upload_dir, name);
			free(name);
			ctx->upload_fd = open(ctx->upload_path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
			if (ctx->upload_fd < 0)
				return (ctx->bad_upload = true), MHD_YES;
		}
		if (ctx->upload_len + (int64_t)size > ctx->upload_max)
			return (ctx->too_big = true), MHD_YES;
		if (size && fsio_write_all(ctx->upload_fd, data, size) < 0)
			return (ctx->bad_upload = true), MHD_YES;
		ctx->upload_len += (int64_t)size;
		return MHD_YES;
	}
	if ((ctx->form_bytes += size + strlen(key)) > BODY_MAX || ctx->nform >= 200)
		return (ctx->too_big = true), MHD_YES;
	if (off == 0 || ctx->nform == 0 || strcmp(r->form[ctx->nform - 2], key) != 0) {
		r->form = xrealloc(r->form, sizeof(char *) * (ctx->nform + 3));
		r->form[ctx->nform++] = xstrdup(key);
		r->form[ctx->nform++] = xstrndup(data, size);
		r->form[ctx->nform] = NULL;
	} else {
		char *v = r->form[ctx->nform - 1];
		size_t n = strlen(v);
		v = xrealloc(v, n + size + 1);
		memcpy(v + n, data, size);
		v[n + size] = 0;
		r->form[ctx->nform - 1] = v;
	}
	return MHD_YES;
}

/* --- small helpers for handlers --- */

const char *server_arg(struct web_req *r, const char *name)
{
	for (char **f = r->form; f && f[0]; f += 2)
		if (!strcmp(f[0], name))
			return f[1];
	return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

void server_redirect(struct web_req *r, const char *location)
{
	r->status = 303;
	free(r->location);
	r->location = xstrdup(location);
}

void server_set_cookie(struct web_req *r, const char *fmt, ...)
{
	va_list ap;
	if (r->ncookies >= 4)
		return;
	va_start(ap, fmt);
	r->cookies[r->ncookies++] = xvasprintf(fmt, ap);
	va_end(ap);
}

bool server_tls(const struct web_req *r)
{
	return r->srv->tls;
}

long server_conf_long(const struct web_req *r, const char *key)
{
	return config_long(r->ws->cfg, key);
}

bool server_station_ok(const struct web_req *r, const char *station)
{
	return r->logged_in && users_has_station(&r->user, station);
}

void server_csrf_field(struct web_req *r)
{
	sb_adds(&r->out, "<input type=\"hidden\" name=\"csrf\" value=\"");
	html_attr(&r->out, r->csrf ? r->csrf : "");
	sb_adds(&r->out, "\">");
}

static bool is_api(const struct web_req *r)
{
	return str_starts(r->path, "/api/");
}

void server_error(struct web_req *r, unsigned status, const char *msg)
{
	sb_reset(&r->out);
	r->status = status;
	if (is_api(r)) {
		r->ctype = "application/json";
		sb_adds(&r->out, "{\"error\":");
		sb_add_json_str(&r->out, msg);
		sb_adds(&r->out, "}\n");
		return;
	}
	r->ctype = "text/html; charset=utf-8";
	server_page_begin(r, L(r, "Lỗi", "Error"));
	html_raw(&r->out, "<h1>%u</h1><p class=\"error\">", status);
	html_txt(&r->out, msg);
	sb_adds(&r->out, "</p>");
	server_page_end(r);
}

void server_page_begin(struct web_req *r, const char *title)
{
	r->ctype = "text/html; charset=utf-8";
	html_raw(&r->out, "<!DOCTYPE html>\n<html lang=\"%s\"><head><meta charset=\"utf-8\">"
		 "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>", r->en ? "en" : "vi");
	html_txt(&r->out, title);
	sb_adds(&r->out, " · sohoa</title><link rel=\"stylesheet\" href=\"/static/style.css\">"
			 "<link rel=\"icon\" href=\"/static/icon.svg\" type=\"image/svg+xml\"></head><body>\n<header><a class=\"brand\" href=\"/\">sohoa</a>");
	if (r->logged_in) {
		int role = r->user.role;
		sb_adds(&r->out, "<nav>");
		if (role & DESK)
			html_raw(&r->out, "<a href=\"/batches\">%s</a><a href=\"/review\">%s</a>", L(r, "Lô quét", "Batches"),
				 L(r, "Cần soát", "Review"));
		if (role & (SUP | ROLE_ARCHIVIST))
			html_raw(&r->out, "<a href=\"/dashboard\">%s</a>", L(r, "Bảng điều khiển", "Dashboard"));
		html_raw(&r->out, "<a href=\"/search\">%s</a>", L(r, "Tìm kiếm", "Search"));
		if (role & ROLE_ADMIN)
			html_raw(&r->out, "<a href=\"/users\">%s</a>", L(r, "Người dùng", "Users"));
		sb_adds(&r->out, "</nav><span class=\"who\">");
		html_txt(&r->out, r->user.name);
		html_raw(&r->out, " (%s)</span>", users_role_name(r->user.role));
		sb_adds(&r->out, "<form class=\"inline\" method=\"post\" action=\"/logout\">");
		server_csrf_field(r);
		html_raw(&r->out, "<button>%s</button></form>", L(r, "Đăng xuất", "Log out"));
	}
	html_raw(&r->out, "<span class=\"lang\"><a href=\"/lang/vi\"%s>VI</a> · <a href=\"/lang/en\"%s>EN</a></span></header>\n<main>\n",
		 r->en ? "" : " class=\"on\"", r->en ? " class=\"on\"" : "");
}

void server_page_end(struct web_req *r)
{
	sb_adds(&r->out, "\n</main></body></html>\n");
}

/* --- the checks before a handler --- */

/* A path a route may see: starts with '/', no '.' or '..' segment, no
 * empty segment, no backslash, no control character, nothing encoded left. */
static bool path_clean(const char *p)
{
	if (p[0] != '/')
		return false;
	for (const char *s = p; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c < 0x20 || c == 0x7f || c == '\\' || c == '%')
			return false;
		if (c == '/' && s[1] == '/')
			return false;
		if (c == '/' && s[1] == '.' && (s[2] == '/' || s[2] == 0 || (s[2] == '.' && (s[3] == '/' || s[3] == 0))))
			return false;
	}
	return true;
}

/* Does path match the pattern?  Fills r->id and r->tail. */
static bool route_match(const char *pat, const char *path, struct web_req *r)
{
	while (*pat) {
		if (*pat == '#') {
			char *end;
			long long v;
			if (*path < '0' || *path > '9')
				return false;
			errno = 0;
			v = strtoll(path, &end, 10);
			if (errno || v <= 0)
				return false;
			r->id = v;
			path = end;
			pat++;
		} else if (*pat == '*') {
			if (!*path || strchr(path, '/'))
				return false;
			r->tail = path;
			return true;
		} else if (*pat++ != *path++) {
			return false;
		}
	}
	return *path == 0;
}

const char *server_cookie(struct web_req *r, const char *name)
{
	return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

static void load_session(struct web_req *r)
{
	struct session *s = session_find(server_cookie(r, "sohoa_session"), now_ms(), r->srv->idle_ms);
	if (!s)
		return;
	if (users_get(r->ws->db, s->user, &r->user) != 1 || r->user.disabled) {
		session_drop(s->id);
		return;
	}
	r->logged_in = true;
	r->csrf = s->csrf;
	r->session_id = s->id;
	snprintf(r->agent, sizeof(r->agent), "%s:%s", users_role_name(r->user.role), r->user.name);
}

static void dispatch(struct web_req *r)
{
	const struct route *rt, *path_hit = NULL;
	const char *lang = server_cookie(r, "lang");
	r->en = lang && !strcmp(lang, "en");
	if (!path_clean(r->path)) {
		server_error(r, 404, L(r, "không có trang này", "no such page"));
		return;
	}
	for (rt = routes; rt->pattern; rt++) {
		r->id = 0;
		r->tail = NULL;
		if (!route_match(rt->pattern, r->path, r))
			continue;
		path_hit = rt;
		if (!strcmp(rt->method, r->method) || (!strcmp(rt->method, "GET") && !strcmp(r->method, "HEAD")))
			break;
	}
	if (!rt->pattern) {
		if (path_hit)
			server_error(r, 405, L(r, "phương thức không được phép", "method not allowed"));
		else
			server_error(r, 404, L(r, "không có trang này", "no such page"));
		return;
	}
	load_session(r);
	if (!(rt->flags & R_PUBLIC)) {
		if (!r->logged_in) {
			if (is_api(r)) {
				server_error(r, 401, "login needed");
			} else {
				struct strbuf loc;
				sb_init(&loc, 0);
				sb_adds(&loc, "/login?next=");
				html_url_arg(&loc, r->path);
				server_redirect(r, loc.buf);
				sb_release(&loc);
			}
			return;
		}
		if (!(rt->roles & (int)r->user.role)) {
			server_error(r, 403, L(r, "vai trò của bạn không được dùng trang này", "your role may not use this page"));
			return;
		}
	}
	if (!strcmp(r->method, "POST") && !(rt->flags & R_NOCSRF)) {
		const char *t = server_arg(r, "csrf");
		if (!t)
			t = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "X-CSRF-Token");
		if (!r->csrf || !t || !session_token_eq(r->csrf, t)) {
			server_error(r, 403, L(r, "thiếu mã CSRF hoặc mã không đúng", "missing or wrong CSRF token"));
			return;
		}
	}
	rt->fn(r);
}

/* --- libmicrohttpd glue --- */

static char *form_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *o = out;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+') {
			*o++ = ' ';
		} else if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
			*o++ = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = 0;
	return out;
}

static bool multipart(struct web_req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	return ct && str_starts(ct, "multipart/form-data");
}

static void parse_form(struct web_req *r)
{
	const char *ct = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Content-Type");
	const char *p = r->body.buf, *end = r->body.buf + r->body.len;
	int n = 0;
	if (!ct || !str_starts(ct, "application/x-www-form-urlencoded") || !r->body.len)
		return;
	r->form = xcalloc(1, sizeof(char *));
	while (p < end) {
		const char *amp = memchr(p, '&', (size_t)(end - p)), *eq;
		if (!amp)
			amp = end;
		eq = memchr(p, '=', (size_t)(amp - p));
		if (eq && n < 200) {
			r->form = xrealloc(r->form, sizeof(char *) * (size_t)(n + 3));
			r->form[n++] = form_decode(p, (size_t)(eq - p));
			r->form[n++] = form_decode(eq + 1, (size_t)(amp - eq - 1));
			r->form[n] = NULL;
		}
		p = amp + 1;
	}
}

static void client_address(struct web_req *r)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	snprintf(r->from, sizeof(r->from), "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, r->from, sizeof(r->from));
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, r->from, sizeof(r->from));
}

static enum MHD_Result send_response(struct web_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;
	if (r->data)
		resp = MHD_create_response_from_buffer(r->datalen, (void *)r->data, MHD_RESPMEM_PERSISTENT);
	else
		resp = MHD_create_response_from_buffer(r->out.len, r->out.buf, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, "Content-Type", r->ctype ? r->ctype : "text/html; charset=utf-8");
	MHD_add_response_header(resp, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
	MHD_add_response_header(resp, "Cache-Control", r->cacheable ? "private, max-age=3600" : "no-store");
	if (r->location)
		MHD_add_response_header(resp, "Location", r->location);
	for (int i = 0; i < r->ncookies; i++)
		MHD_add_response_header(resp, "Set-Cookie", r->cookies[i]);
	ret = MHD_queue_response(r->conn, r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			       const char *version, const char *upload, size_t *upload_size, void **con_cls)
{
	struct web_server *srv = cls;
	struct conn_ctx *ctx = *con_cls;
	struct web_req *r;
	int delay;
	if (!ctx) {
		ctx = xcalloc(1, sizeof(*ctx));
		r = &ctx->req;
		r->srv = srv;
		r->ws = srv->ws;
		r->conn = conn;
		r->method = method;
		r->path = url;
		r->status = 200;
		sb_init(&r->body, BODY_MAX + 1);
		sb_init(&r->out, 0);
		ctx->upload_fd = -1;
		*con_cls = ctx;
		if (!strcmp(method, "POST") && multipart(r)) {
			/* only a logged-in user's upload is taken in at all */
			bool in;
			pthread_mutex_lock(&srv->lock);
			load_session(r);
			in = r->logged_in;
			r->logged_in = false;
			pthread_mutex_unlock(&srv->lock);
			ctx->upload_max = (int64_t)config_long(srv->ws->cfg, "serve.max_upload_mb") << 20;
			if (in && !(ctx->pp = MHD_create_post_processor(conn, 64 * 1024, post_field, ctx)))
				ctx->bad_upload = true;
		}
		return MHD_YES;
	}
	r = &ctx->req;
	if (*upload_size) {
		if (ctx->pp) {
			if (!ctx->too_big && MHD_post_process(ctx->pp, upload, *upload_size) != MHD_YES)
				ctx->bad_upload = true;
		} else if (r->body.len + *upload_size > BODY_MAX) {
			ctx->too_big = true;
		} else {
			sb_add(&r->body, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	client_address(r);
	if (ctx->pp) {
		MHD_destroy_post_processor(ctx->pp);
		ctx->pp = NULL;
		if (ctx->upload_fd >= 0 && close(ctx->upload_fd) < 0)
			ctx->bad_upload = true;
		ctx->upload_fd = -1;
		r->upload_path = ctx->upload_path;
	}
	if (ctx->too_big) {
		server_error(r, 413, "request too large");
		return send_response(r);
	}
	if (ctx->bad_upload) {
		server_error(r, 400, L(r, "tệp tải lên không nhận được: chỉ một tệp ảnh quét (TIFF, JPEG, PNG, PDF…) trong trường 'scan'",
				       "the upload was not taken: one scan file (TIFF, JPEG, PNG, PDF…) in the field 'scan'"));
		return send_response(r);
	}
	if (!r->form)
		parse_form(r);
	pthread_mutex_lock(&srv->lock);
	dispatch(r);
	pthread_mutex_unlock(&srv->lock);
	delay = r->delay_ms;
	if (delay > 0) {
		struct timespec ts = {delay / 1000, (long)(delay % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
			;
	}
	return send_response(r);
}

static void completed(void *cls, struct MHD_Connection *conn, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_ctx *ctx = *con_cls;
	if (!ctx)
		return;
	if (ctx->pp)
		MHD_destroy_post_processor(ctx->pp);
	if (ctx->upload_fd >= 0)
		close(ctx->upload_fd);
	if (ctx->upload_path)
		unlink(ctx->upload_path);
	if (ctx->upload_dir)
		rmdir(ctx->upload_dir);
	free(ctx->upload_path);
	free(ctx->upload_dir);
	sb_release(&ctx->req.body);
	sb_release(&ctx->req.out);
	for (char **f = ctx->req.form; f && *f; f++)
		free(*f);
	free(ctx->req.form);
	free(ctx->req.location);
	for (int i = 0; i < ctx->req.ncookies; i++)
		free(ctx->req.cookies[i]);
	free(ctx);
	*con_cls = NULL;
}

int server_fail_count(struct web_req *r, bool add)
{
	struct web_server *srv = r->srv;
	const char *from = r->from;
	int64_t now = now_ms();
	int slot = -1, oldest = 0;
	for (int i = 0; i < 64; i++) {
		if (!strcmp(srv->fails[i].from, from)) {
			slot = i;
			break;
		}
		if (srv->fails[i].last_ms < srv->fails[oldest].last_ms)
			oldest = i;
	}
	if (slot >= 0 && now - srv->fails[slot].last_ms > 15 * 60000)
		srv->fails[slot].n = 0;
	if (!add)
		return slot < 0 ? 0 : srv->fails[slot].n;
	if (slot < 0) {
		slot = oldest;
		snprintf(srv->fails[slot].from, sizeof(srv->fails[slot].from), "%s", from);
		srv->fails[slot].n = 0;
	}
	srv->fails[slot].n++;
	srv->fails[slot].last_ms = now;
	return srv->fails[slot].n;
}

int server_login_delay(struct web_req *r, int failures)
{
	int n = failures < 1 ? 1 : failures > 5 ? 5 : failures;
	return r->srv->login_delay_ms * (1 << (n - 1));
}

static char *read_file(const char *path, struct errbuf *err)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb;
	char buf[4096];
	size_t n;
	if (!f) {
		err_set(err, "cannot read '%s': %s", path, strerror(errno));
		return NULL;
	}
	sb_init(&sb, 1 << 20);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		sb_add(&sb, buf, n);
	fclose(f);
	return sb_detach(&sb);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa, struct errbuf *err)
{
	const char *colon = strrchr(listen, ':');
	char host[64];
	char *end;
	long port;
	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return err_set(err, "listen address '%s': expected ADDR:PORT", listen);
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 0 || port > 65535 || end == colon + 1)
		return err_set(err, "listen address '%s': '%s' is not a port", listen, colon + 1);
	if (!strcmp(host, "localhost"))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return err_set(err, "listen address '%s': '%s' is not an IPv4 address", listen, host);
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

int server_run(struct workspace *ws, const char *listen, struct errbuf *err)
{
	struct web_server *srv = xcalloc(1, sizeof(*srv));
	const char *cert = config_str(ws->cfg, "serve.tls_cert"), *key = config_str(ws->cfg, "serve.tls_key");
	char *cert_pem = NULL, *key_pem = NULL, *certp = NULL, *keyp = NULL;
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	struct MHD_OptionItem opts[8];
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *info;
	sigset_t set;
	int n = 0, sig, rc = -1;
	if (parse_listen(listen, &sa, err) < 0)
		goto out_free;
	if ((*cert != 0) != (*key != 0)) {
		err_set(err, "serve.tls_cert and serve.tls_key: set both or neither");
		goto out_free;
	}
	if (*cert) {
		certp = cert[0] == '/' ? xstrdup(cert) : workspace_path(ws, "%s", cert);
		keyp = key[0] == '/' ? xstrdup(key) : workspace_path(ws, "%s", key);
		if (!(cert_pem = read_file(certp, err)) || !(key_pem = read_file(keyp, err)))
			goto out_free;
		flags |= MHD_USE_TLS;
		srv->tls = true;
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_CERT, 0, cert_pem};
		opts[n++] = (struct MHD_OptionItem){MHD_OPTION_HTTPS_MEM_KEY, 0, key_pem};
	}
	srv->ws = ws;
	srv->idle_ms = config_long(ws->cfg, "serve.idle_timeout") * 1000;
	srv->login_delay_ms = (int)config_long(ws->cfg, "serve.login_delay_ms");
	pthread_mutex_init(&srv->lock, NULL);
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, &sa};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)completed, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_TIMEOUT, 60, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_CONNECTION_LIMIT, 200, NULL};
	opts[n++] = (struct MHD_OptionItem){MHD_OPTION_END, 0, NULL};
	/* block the signals before the daemon's threads start, so they inherit it */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	d = MHD_start_daemon(flags, 0, NULL, NULL, &handler, srv, MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!d) {
		err_set(err, "cannot listen on '%s': %s", listen, errno ? strerror(errno) : "libmicrohttpd refused to start");
		goto out_lock;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	{
		char host[64];
		inet_ntop(AF_INET, &sa.sin_addr, host, sizeof(host));
		printf("listening on %s://%s:%u/\n", srv->tls ? "https" : "http", host, info ? info->port : ntohs(sa.sin_port));
		fflush(stdout);
	}
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	rc = 0;
out_lock:
	pthread_mutex_destroy(&srv->lock);
out_free:
	free(certp);
	free(keyp);
	if (key_pem)
		explicit_bzero(key_pem, strlen(key_pem));
	free(cert_pem);
	free(key_pem);
	free(srv);
	return rc;
}
