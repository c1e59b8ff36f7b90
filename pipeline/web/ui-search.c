/*
 * ui-search.c - search from the desk: GET /search?q= (a page of hits,
 * each opening the page viewer at the hit) and GET /api/search?q= (the
 * same hits as JSON).  An operator gets only their stations' pages.
 */
#include <stdlib.h>
#include <string.h>

#include "engine/search.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/json.h"
#include "web/pages.h"
#include "web/server.h"

static bool visible(struct web_req *r, const struct search_hit *h)
{
	if (r->user.role != ROLE_OPERATOR)
		return true;
	return h->page_id && server_station_ok(r, h->station);
}

/* The snippet with its [[hit]] marked as <mark>, everything escaped. */
static void snippet_html(struct strbuf *sb, const char *s)
{
	const char *a = strstr(s, "[["), *b = a ? strstr(a, "]]") : NULL;
	char *part;
	if (!a || !b) {
		html_txt(sb, s);
		return;
	}
	part = xstrndup(s, (size_t)(a - s));
	html_txt(sb, part);
	free(part);
	part = xstrndup(a + 2, (size_t)(b - a - 2));
	sb_adds(sb, "<mark>");
	html_txt(sb, part);
	sb_adds(sb, "</mark>");
	free(part);
	html_txt(sb, b + 2);
}

void ui_search(struct web_req *r)
{
	const char *q = server_arg(r, "q");
	struct search_hit *hits = NULL;
	struct errbuf err;
	int n = 0, shown = 0;
	err_init(&err);
	server_page_begin(r, L(r, "Tìm kiếm", "Search"));
	html_raw(&r->out, "<h1>%s</h1><form method=\"get\" action=\"/search\" class=\"search\"><input type=\"search\" name=\"q\" value=\"",
		 L(r, "Tìm kiếm", "Search"));
	html_attr(&r->out, q ? q : "");
	html_raw(&r->out, "\" placeholder=\"%s\" autofocus> <button>%s</button></form>",
		 L(r, "ví dụ: luu tru, Lưu trữ", "e.g. luu tru, Lưu trữ"), L(r, "Tìm", "Search"));
	if (q && *q) {
		n = search_query(r->ws->db, r->ws->root, q, SEARCH_MAX_HITS, &hits, &err);
		if (n < 0) {
			sb_adds(&r->out, "<p class=\"error\">");
			html_txt(&r->out, err.msg);
			sb_adds(&r->out, "</p>");
			n = 0;
		}
		sb_adds(&r->out, "<ol class=\"hits\">");
		for (int i = 0; i < n; i++) {
			struct search_hit *h = &hits[i];
			if (!visible(r, h))
				continue;
			shown++;
			sb_adds(&r->out, "<li>");
			if (h->page_id) {
				html_raw(&r->out, "<a href=\"/page/%lld?q=", (long long)h->page_id);
				html_url_arg(&r->out, q);
				html_raw(&r->out, "#hit\">%s %d, %s %lld</a>", L(r, "Trang", "Page"), h->seq, L(r, "lô", "batch"), (long long)h->batch_id);
			} else {
				html_raw(&r->out, "<b>%s</b>", L(r, "Siêu dữ liệu", "Metadata"));
			}
			if (h->document) {
				sb_adds(&r->out, " · ");
				html_txt(&r->out, h->document);
			}
			sb_adds(&r->out, "<br><span class=\"snip\">");
			snippet_html(&r->out, h->snippet);
			sb_adds(&r->out, "</span></li>");
		}
		sb_adds(&r->out, "</ol>");
		if (!shown)
			html_raw(&r->out, "<p>%s</p>", L(r, "Không tìm thấy.", "Nothing found."));
		search_hits_free(hits, n);
	}
	server_page_end(r);
}

void api_search(struct web_req *r)
{
	const char *q = server_arg(r, "q");
	struct search_hit *hits = NULL;
	struct errbuf err;
	struct json j;
	int n;
	err_init(&err);
	n = search_query(r->ws->db, r->ws->root, q ? q : "", SEARCH_MAX_HITS, &hits, &err);
	if (n < 0) {
		server_error(r, 400, err.msg);
		return;
	}
	r->ctype = "application/json";
	json_init(&j, &r->out);
	json_obj(&j);
	json_kstr(&j, "query", q);
	json_key(&j, "hits");
	json_arr(&j);
	for (int i = 0; i < n; i++) {
		struct search_hit *h = &hits[i];
		char url[64];
		if (!visible(r, h))
			continue;
		json_obj(&j);
		json_kstr(&j, "kind", h->page_id ? "page" : "metadata");
		json_kint(&j, "page", h->page_id);
		json_kint(&j, "seq", h->seq);
		json_kint(&j, "batch", h->batch_id);
		json_kint(&j, "document_id", h->document_id);
		json_kstr(&j, "document", h->document);
		json_kstr(&j, "snippet", h->snippet);
		snprintf(url, sizeof(url), "/page/%lld", (long long)h->page_id);
		json_kstr(&j, "url", h->page_id ? url : NULL);
		json_end(&j);
	}
	json_end(&j);
	json_end(&j);
	sb_addc(&r->out, '\n');
	search_hits_free(hits, n);
}
