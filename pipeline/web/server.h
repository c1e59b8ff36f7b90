/*
 * server.h - `sohoa serve`: the browser desk on libmicrohttpd, and what its
 * pages (ui-*.c) and API handlers (api-*.c) share: the request, its user,
 * its arguments and its response.
 *
 * Every request is decided once, before its handler, from the route table
 * in server.c: the path must be clean (no "..", ".", "//", backslash or
 * NUL: else 404), a route must match (404; wrong method 405), a session is
 * needed unless the route is public (pages: 303 to /login; API: 401), the
 * user's role must be among the route's (403), and a POST must carry the
 * session's CSRF token as the form field `csrf` or the header X-CSRF-Token
 * (403).  Handlers run one at a time under the server's lock, on the
 * server's own workspace connection; they call the same module functions
 * as the command line, with "ROLE:NAME" as the agent of audit events.
 */
#ifndef SOHOA_SERVER_H
#define SOHOA_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"
#include "web/users.h"

struct workspace;
struct web_server;

struct web_req {
	struct web_server *srv;
	struct workspace *ws;
	void *conn;                /* struct MHD_Connection */
	const char *method;
	const char *path;
	int64_t id;                /* the number in the route's '#' segment */
	const char *tail;          /* the rest of a route ending in '*' */
	struct user user;          /* valid when logged_in */
	bool logged_in;
	const char *csrf;          /* the session's token (for forms) */
	const char *session_id;
	char agent[96];            /* "supervisor:lan" */
	bool en;                   /* English instead of Vietnamese */
	char from[64];             /* the client's address */
	/* the request body (application/x-www-form-urlencoded), parsed */
	struct strbuf body;
	char **form;               /* name, value, name, value ..., NULL */
	/* a multipart/form-data POST's file field "scan", written to a new
	 * folder under the workspace's tmp/ (removed after the answer) */
	const char *upload_path;   /* NULL when none came */
	/* the response */
	unsigned status;
	const char *ctype;
	struct strbuf out;
	const unsigned char *data; /* a constant body (assets) instead of out */
	size_t datalen;
	char *location;
	char *cookies[4];
	int ncookies;
	bool cacheable;
	int delay_ms;              /* slow the answer down (failed logins) */
};

/* Run the desk until SIGINT or SIGTERM.  listen is "ADDR:PORT" (port 0:
 * any free one); the address it got is printed on stdout. */
int server_run(struct workspace *ws, const char *listen, struct errbuf *err);

/* A form field of a POST, else a query argument; NULL when absent. */
const char *server_arg(struct web_req *r, const char *name);
/* Vietnamese or English, by the request's language. */
#define L(r, vi, en_) ((r)->en ? (en_) : (vi))
/* Responses. */
void server_redirect(struct web_req *r, const char *location);
void server_error(struct web_req *r, unsigned status, const char *msg);
void server_set_cookie(struct web_req *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The value of a cookie of the request, NULL when it has none. */
const char *server_cookie(struct web_req *r, const char *name);
/* " Secure" when the desk is served over TLS (for cookies). */
bool server_tls(const struct web_req *r);
long server_conf_long(const struct web_req *r, const char *key);
/* May the user see a batch of this station (operators: only theirs)? */
bool server_station_ok(const struct web_req *r, const char *station);

/* Failed logins from the request's client address in the last 15
 * minutes; add counts one more first. */
int server_fail_count(struct web_req *r, bool add);
/* How long to hold back the answer to a failed login: serve.login_delay_ms
 * doubled for each earlier failure, up to 16 times. */
int server_login_delay(struct web_req *r, int failures);

/* The page frame: head, navigation, the user and the language switch. */
void server_page_begin(struct web_req *r, const char *title);
void server_page_end(struct web_req *r);
/* <input type=hidden name=csrf> for a form. */
void server_csrf_field(struct web_req *r);

#endif
