/*
 * api-status.c - GET /api/status: the object `sohoa status --json` prints,
 * from the same function (report_status_json), so the two never differ;
 * GET /api/whoami: the session's user and its CSRF token, for scripts that
 * POST.
 */
#include "engine/report.h"
#include "engine/workspace.h"
#include "web/json.h"
#include "web/pages.h"
#include "web/server.h"

void api_status(struct web_req *r)
{
	struct errbuf err;
	err_init(&err);
	r->ctype = "application/json";
	if (report_status_json(r->ws, &r->out, &err) < 0)
		server_error(r, 500, err.msg);
}

void api_whoami(struct web_req *r)
{
	struct json j;
	json_init(&j, &r->out);
	r->ctype = "application/json";
	json_obj(&j);
	json_kstr(&j, "user", r->user.name);
	json_kstr(&j, "role", users_role_name(r->user.role));
	json_key(&j, "stations");
	json_arr(&j);
	for (int i = 0; i < r->user.nstations; i++)
		json_str(&j, r->user.stations[i]);
	json_end(&j);
	json_kstr(&j, "csrf", r->csrf);
	json_kstr(&j, "lang", r->en ? "en" : "vi");
	json_end(&j);
	sb_addc(&r->out, '\n');
}
