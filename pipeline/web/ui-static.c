/*
 * ui-static.c - the desk's own files (CSS, script, icon) from the table the
 * Makefile embeds (assets.h); a name not in the table is 404, so no path
 * from a request ever reaches the file system.
 */
#include <string.h>

#include "web/assets.h"
#include "web/pages.h"
#include "web/server.h"

static const char *type_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	if (!dot)
		return "application/octet-stream";
	if (!strcmp(dot, ".css"))
		return "text/css; charset=utf-8";
	if (!strcmp(dot, ".js"))
		return "text/javascript; charset=utf-8";
	if (!strcmp(dot, ".svg"))
		return "image/svg+xml";
	if (!strcmp(dot, ".png"))
		return "image/png";
	return "application/octet-stream";
}

void ui_static(struct web_req *r)
{
	for (const struct asset *a = assets_table; a->name; a++) {
		if (strcmp(a->name, r->tail))
			continue;
		r->data = a->data;
		r->datalen = a->len;
		r->ctype = type_of(a->name);
		r->cacheable = true;
		return;
	}
	server_error(r, 404, L(r, "không có tệp này", "no such file"));
}
