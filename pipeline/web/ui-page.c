/*
 * ui-page.c - the page viewer: the page's access copy scaled for the screen
 * (made once, cached beside the page as derived/pages/ID/view-W.jpg; "full"
 * links the full resolution), the hOCR word boxes drawn over it as SVG, the
 * OCR text beside it word by word (a word and its box light up together on
 * hover: desk.js), the words of a search marked, and the forms that act on
 * the page (correct a word, accept the review, request a rescan).
 *
 * Cache invariant: a view is written to a temporary name, fsynced and
 * renamed (fsio), so a half-written view is never served; it is remade
 * when the access copy is newer.
 */
#include <leptonica/allheaders.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "archive/pagefix.h"
#include "engine/db.h"
#include "engine/fsio.h"
#include "engine/ingest.h"
#include "engine/registry.h"
#include "engine/search.h"
#include "engine/workspace.h"
#include "formats/image/pageimg.h"
#include "web/hocr.h"
#include "web/html.h"
#include "web/pages.h"
#include "web/server.h"

#define VIEW_MAX (64 << 20)

struct page_row {
	int64_t id, batch_id, document_id;
	int seq, width, height, dpi, review, blank;
	double ocr_conf;
	char *src, *access, *text, *hocr, *doc, *note;
};

static void row_release(struct page_row *p)
{
	free(p->src);
	free(p->access);
	free(p->text);
	free(p->hocr);
	free(p->doc);
	free(p->note);
}

/* Load the page and check the user may see it (404/403 answered). */
static bool load(struct web_req *r, struct page_row *p)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT p.id, p.batch_id, COALESCE(p.document_id, 0), p.seq, COALESCE(p.width, 0), COALESCE(p.height, 0),"
		" COALESCE(p.dpi, 0), p.review, p.blank, COALESCE(p.ocr_conf, -1), m.src_name, p.access_path, p.text_path,"
		" p.hocr_path, d.name, p.note FROM pages p JOIN masters m ON m.id = p.master_id"
		" LEFT JOIN documents d ON d.id = p.document_id WHERE p.id = ?1");
	bool ok = false;
	memset(p, 0, sizeof(*p));
	db_bind_int64(st, 1, r->id);
	if (db_step(st) != DB_ROW) {
		db_finalize(st);
		server_error(r, 404, L(r, "không có trang này", "no such page"));
		return false;
	}
	p->id = db_col_int64(st, 0);
	p->batch_id = db_col_int64(st, 1);
	p->document_id = db_col_int64(st, 2);
	p->seq = db_col_int(st, 3);
	p->width = db_col_int(st, 4);
	p->height = db_col_int(st, 5);
	p->dpi = db_col_int(st, 6);
	p->review = db_col_int(st, 7);
	p->blank = db_col_int(st, 8);
	p->ocr_conf = db_col_double(st, 9);
	p->src = db_col_strdup(st, 10);
	p->access = db_col_strdup(st, 11);
	p->text = db_col_strdup(st, 12);
	p->hocr = db_col_strdup(st, 13);
	p->doc = db_col_strdup(st, 14);
	p->note = db_col_strdup(st, 15);
	db_finalize(st);
	ok = ui_batch_allowed(r, p->batch_id);
	if (!ok)
		row_release(p);
	return ok;
}

static char *abs_path(struct web_req *r, const char *rel)
{
	return rel[0] == '/' ? xstrdup(rel) : workspace_path(r->ws, "%s", rel);
}

/* The bytes of the cached view of width w (0: full), made when missing or
 * older than the access copy. */
static int view_bytes(struct web_req *r, const struct page_row *p, int w, char **data, size_t *len, struct errbuf *err)
{
	char *src = abs_path(r, p->access), *dir = workspace_path(r->ws, "derived/pages/%lld", (long long)p->id);
	char *cache = xasprintf("%s/view-%d.jpg", dir, w);
	struct stat ss, cs;
	PIX *pix = NULL, *flat = NULL, *scaled = NULL;
	l_uint8 *jpg = NULL;
	size_t jlen = 0;
	int rc = -1;
	if (stat(src, &ss) < 0) {
		err_set(err, "page %lld: cannot read its access copy '%s'", (long long)p->id, p->access);
		goto out;
	}
	if (stat(cache, &cs) == 0 && cs.st_mtime >= ss.st_mtime) {
		rc = fsio_read(cache, data, len, VIEW_MAX, err);
		goto out;
	}
	if (!(pix = pageimg_read_file(src))) {
		err_set(err, "page %lld: cannot decode its access copy '%s'", (long long)p->id, p->access);
		goto out;
	}
	if (pixGetDepth(pix) < 8)
		flat = pixConvertTo8(pix, 0);
	else if (pixGetColormap(pix))
		flat = pixRemoveColormap(pix, REMOVE_CMAP_BASED_ON_SRC);
	else
		flat = pixClone(pix);
	if (pixGetDepth(flat) == 16 || pixGetDepth(flat) == 24) {
		PIX *c = pixConvertTo32(flat);
		pixDestroy(&flat);
		flat = c;
	}
	if (w > 0 && pixGetWidth(flat) > w)
		scaled = pixScale(flat, (l_float32)w / (l_float32)pixGetWidth(flat), (l_float32)w / (l_float32)pixGetWidth(flat));
	else
		scaled = pixClone(flat);
	if (!scaled || pixWriteMemJpeg(&jpg, &jlen, scaled, 82, 0) != 0) {
		err_set(err, "page %lld: cannot make its %s view", (long long)p->id, w ? "screen" : "full");
		goto out;
	}
	/* the cache is a convenience: a view that cannot be stored is still served */
	if (fsio_mkdirs(dir, 0755, err) == 0)
		fsio_write_atomic(cache, jpg, jlen, err);
	*data = xmalloc(jlen);
	memcpy(*data, jpg, jlen);
	*len = jlen;
	rc = 0;
out:
	lept_free(jpg);
	pixDestroy(&scaled);
	pixDestroy(&flat);
	pixDestroy(&pix);
	free(cache);
	free(dir);
	free(src);
	return rc;
}

void ui_page_image(struct web_req *r)
{
	struct page_row p;
	const char *ws = server_arg(r, "w");
	int w = ws ? atoi(ws) : 1000;
	struct errbuf err;
	char *data = NULL;
	size_t len = 0;
	if (w != 0 && w != 240 && w != 1000) {
		server_error(r, 404, L(r, "chỉ có các cỡ w=240, 1000 và 0 (toàn cỡ)", "only the sizes w=240, 1000 and 0 (full) exist"));
		return;
	}
	if (!load(r, &p))
		return;
	err_init(&err);
	if (!p.access) {
		server_error(r, 404, L(r, "trang chưa có bản truy cập", "the page has no access copy yet"));
	} else if (view_bytes(r, &p, w, &data, &len, &err) < 0) {
		server_error(r, 500, err.msg);
	} else {
		sb_reset(&r->out);
		sb_add(&r->out, data, len);
		r->ctype = "image/jpeg";
		r->cacheable = true;
	}
	free(data);
	row_release(&p);
}

/* Does the folded word equal one of the folded query words? */
static bool is_hit(const char *text, char **q, int nq)
{
	char *f;
	bool hit = false;
	if (!nq)
		return false;
	f = search_fold(text, NULL);
	for (int i = 0; i < nq && !hit; i++) {
		size_t n = strlen(q[i]);
		/* the word may carry punctuation: "trữ," */
		hit = !strncmp(f, q[i], n) && (f[n] == 0 || strchr(".,;:!?)\"'", f[n]));
	}
	free(f);
	return hit;
}

static int query_words(const char *q, char ***out)
{
	char *f = q ? search_fold(q, NULL) : NULL, *save = NULL;
	int n = 0;
	*out = NULL;
	for (char *t = f ? strtok_r(f, " \t,.;:", &save) : NULL; t && n < 16; t = strtok_r(NULL, " \t,.;:", &save)) {
		*out = xrealloc(*out, sizeof(char *) * (size_t)(n + 1));
		(*out)[n++] = xstrdup(t);
	}
	free(f);
	return n;
}

static void neighbours(struct web_req *r, const struct page_row *p)
{
	int64_t prev = db_int(r->ws->db, 0, "SELECT id FROM pages WHERE batch_id = ?1 AND seq < ?2 ORDER BY seq DESC LIMIT 1", 2,
			      p->batch_id, (int64_t)p->seq);
	int64_t next = db_int(r->ws->db, 0, "SELECT id FROM pages WHERE batch_id = ?1 AND seq > ?2 ORDER BY seq LIMIT 1", 2,
			      p->batch_id, (int64_t)p->seq);
	sb_adds(&r->out, "<nav class=\"pager\">");
	if (prev)
		html_raw(&r->out, "<a rel=\"prev\" id=\"prev\" href=\"/page/%lld\">← %s</a> ", (long long)prev, L(r, "trang trước", "previous"));
	html_raw(&r->out, "<a href=\"/batch/%lld\">%s %lld</a>", (long long)p->batch_id, L(r, "lô", "batch"), (long long)p->batch_id);
	if (next)
		html_raw(&r->out, " <a rel=\"next\" id=\"next\" href=\"/page/%lld\">%s →</a>", (long long)next, L(r, "trang sau", "next"));
	sb_adds(&r->out, "</nav>");
}

void ui_page(struct web_req *r)
{
	struct page_row p;
	struct hocr_page hp;
	char *hocr = NULL, **qw = NULL;
	size_t len;
	int nq, vw, vh, line = -1;
	int64_t replaced;
	bool first_hit = true;
	if (!load(r, &p))
		return;
	if (p.hocr) {
		char *path = abs_path(r, p.hocr);
		struct errbuf err;
		err_init(&err);
		if (fsio_read(path, &hocr, &len, 32 << 20, &err) < 0)
			hocr = NULL;
		free(path);
	}
	hocr_parse(hocr, &hp);
	nq = query_words(server_arg(r, "q"), &qw);
	vw = hp.width ? hp.width : p.width;
	vh = hp.height ? hp.height : p.height;
	server_page_begin(r, L(r, "Trang", "Page"));
	html_raw(&r->out, "<h1>%s %d <small>", L(r, "Trang", "Page"), p.seq);
	html_txt(&r->out, p.src);
	sb_adds(&r->out, "</small></h1>");
	neighbours(r, &p);
	sb_adds(&r->out, "<p class=\"facts\">");
	if (p.doc) {
		html_raw(&r->out, "%s <a href=\"/document/%lld\"><b>", L(r, "Tài liệu", "Document"), (long long)p.document_id);
		html_txt(&r->out, p.doc);
		sb_adds(&r->out, "</b></a> · ");
	}
	if (p.width)
		html_raw(&r->out, "%d×%d px, %d dpi", p.width, p.height, p.dpi);
	if (p.ocr_conf >= 0)
		html_raw(&r->out, " · OCR %.0f %%", p.ocr_conf);
	if (p.blank)
		html_raw(&r->out, " <span class=\"tag wait\">%s</span>", L(r, "trang trắng", "blank"));
	if (p.review)
		html_raw(&r->out, " <span class=\"tag wait\">%s</span>", L(r, "cần soát", "to review"));
	if (p.note) {
		sb_adds(&r->out, " · <small>");
		html_txt(&r->out, p.note);
		sb_adds(&r->out, "</small>");
	}
	sb_adds(&r->out, "</p><div class=\"viewer\"><div class=\"scan\">");
	if (p.access) {
		html_raw(&r->out, "<a href=\"/page/%lld/image?w=0\" title=\"%s\"><img id=\"scan\" src=\"/page/%lld/image?w=1000\" alt=\"%s\"></a>",
			 (long long)p.id, L(r, "xem toàn cỡ", "full resolution"), (long long)p.id, L(r, "bản quét", "scan"));
		if (vw > 0 && vh > 0 && hp.n) {
			html_raw(&r->out, "<svg class=\"boxes\" viewBox=\"0 0 %d %d\" preserveAspectRatio=\"none\" aria-hidden=\"true\">", vw, vh);
			for (size_t i = 0; i < hp.n; i++) {
				const struct hocr_word *w = &hp.w[i];
				html_raw(&r->out, "<rect data-w=\"%s\" x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" class=\"%s%s\"><title>",
					 w->id, w->l, w->t, w->r - w->l, w->b - w->t, w->conf >= 0 && w->conf < 60 ? "low" : "",
					 is_hit(w->text, qw, nq) ? " hit" : "");
				html_txt(&r->out, w->text);
				html_raw(&r->out, " (%d)</title></rect>", w->conf);
			}
			sb_adds(&r->out, "</svg>");
		}
		html_raw(&r->out, "<p><a href=\"/page/%lld/image?w=0\">%s</a></p>", (long long)p.id, L(r, "Phóng to toàn cỡ", "Zoom to full resolution"));
	} else {
		html_raw(&r->out, "<p>%s</p>", L(r, "Trang chưa có bản truy cập.", "The page has no access copy yet."));
	}
	html_raw(&r->out, "</div><div class=\"text\"><h2>%s</h2><div class=\"ocr\" id=\"ocr\">", L(r, "Văn bản OCR", "OCR text"));
	for (size_t i = 0; i < hp.n; i++) {
		const struct hocr_word *w = &hp.w[i];
		bool hit = is_hit(w->text, qw, nq);
		if (w->line != line) {
			if (line >= 0)
				sb_adds(&r->out, "</p>");
			html_raw(&r->out, "<p class=\"line\" data-line=\"%d\">", w->line);
			line = w->line;
		} else {
			sb_adds(&r->out, " ");
		}
		html_raw(&r->out, "<span class=\"w%s%s\" data-w=\"%s\" tabindex=\"0\"%s>", w->conf >= 0 && w->conf < 60 ? " low" : "",
			 hit ? " hit" : "", w->id, hit && first_hit ? " id=\"hit\"" : "");
		if (hit)
			first_hit = false;
		html_txt(&r->out, w->text);
		sb_adds(&r->out, "</span>");
	}
	if (line >= 0)
		sb_adds(&r->out, "</p>");
	if (!hp.n)
		html_raw(&r->out, "<p>%s</p>", L(r, "(chưa có văn bản)", "(no text yet)"));
	sb_adds(&r->out, "</div>");
	/* the actions */
	html_raw(&r->out, "<form method=\"post\" action=\"/page/%lld/correct\" class=\"correct\" id=\"correct\"><h3>%s</h3>", (long long)p.id,
		 L(r, "Sửa một từ", "Correct a word"));
	server_csrf_field(r);
	html_raw(&r->out, "<input type=\"hidden\" name=\"v\" value=\"%lld\">",
		 (long long)db_int(r->ws->db, 0, "SELECT COALESCE(max(id), 0) FROM corrections WHERE page_id = ?1", 1, p.id));
	html_raw(&r->out, "<label>%s <input name=\"word\" id=\"cw-id\" required size=\"12\" placeholder=\"word_1_1\"></label> "
		 "<label>%s <input name=\"text\" id=\"cw-text\" required size=\"20\"></label> <button>%s</button>"
		 "<p class=\"hint\">%s</p></form>",
		 L(r, "Từ", "Word"), L(r, "Sửa thành", "New text"), L(r, "Lưu", "Save"),
		 L(r, "Bấm vào một từ để chọn nó.", "Click a word to pick it."));
	if (p.review) {
		html_raw(&r->out, "<form method=\"post\" action=\"/page/%lld/accept\" class=\"inline\">", (long long)p.id);
		server_csrf_field(r);
		html_raw(&r->out, "<button id=\"accept\" accesskey=\"a\">%s</button></form> ", L(r, "Chấp nhận trang (a)", "Accept the page (a)"));
	}
	if ((replaced = db_int(r->ws->db, 0, "SELECT COALESCE(max(new_page_id), 0) FROM rescans WHERE page_id = ?1", 1, p.id))) {
		html_raw(&r->out, "<p class=\"rescan\">%s <a href=\"/page/%lld\">%s %lld</a>.</p>",
			 L(r, "Trang này đã được thay bằng bản quét lại:", "This page was replaced by its rescan:"), (long long)replaced,
			 L(r, "trang", "page"), (long long)replaced);
	} else if (db_int(r->ws->db, 0, "SELECT count(*) FROM rescans WHERE page_id = ?1 AND done IS NULL", 1, p.id)) {
		html_raw(&r->out, "<h3>%s</h3>", L(r, "Đang chờ bản quét lại", "Waiting for its rescan"));
		ui_rescan_upload_form(r, p.id);
	} else {
		html_raw(&r->out, "<form method=\"post\" action=\"/page/%lld/rescan\" class=\"rescan\"><h3>%s</h3>", (long long)p.id,
			 L(r, "Yêu cầu quét lại", "Request a rescan"));
		server_csrf_field(r);
		html_raw(&r->out, "<input name=\"reason\" required size=\"30\" placeholder=\"%s\"> <button>%s</button></form>",
			 L(r, "lý do, ví dụ: trang bị mờ", "reason, e.g. the page is blurred"), L(r, "Gửi", "Send"));
	}
	sb_adds(&r->out, "</div></div><script src=\"/static/desk.js\"></script>");
	server_page_end(r);
	for (int i = 0; i < nq; i++)
		free(qw[i]);
	free(qw);
	hocr_release(&hp);
	free(hocr);
	row_release(&p);
}

/* The answer to a page action: JSON under /api/, else back to the page. */
static void action_done(struct web_req *r, int rc, const char *msg, const char *next)
{
	if (rc < 0) {
		server_error(r, 400, msg);
		return;
	}
	if (str_starts(r->path, "/api/")) {
		r->ctype = "application/json";
		html_raw(&r->out, "{\"page\":%lld,\"ok\":true}\n", (long long)r->id);
		return;
	}
	server_redirect(r, next);
}

void ui_page_correct(struct web_req *r)
{
	struct page_row p;
	struct pipeline pl;
	struct errbuf err;
	const char *first = NULL, *word = server_arg(r, "word"), *text = server_arg(r, "text");
	char next[64];
	int rc;
	if (!load(r, &p))
		return;
	err_init(&err);
	{
		/* two people, one page: a correction made from a page older than the
		 * last correction is refused, naming who made that one */
		const char *v = server_arg(r, "v");
		struct db_stmt *st = db_prepare(r->ws->db, "SELECT id, agent, time, word, new FROM corrections WHERE page_id = ?1 ORDER BY id DESC LIMIT 1");
		db_bind_int64(st, 1, p.id);
		if (v && db_step(st) == DB_ROW && db_col_int64(st, 0) != atoll(v)) {
			struct strbuf m;
			sb_init(&m, 0);
			sb_addf(&m, L(r, "Không lưu: %s vừa sửa trang này (từ %s thành '%s') lúc ", "Not saved: %s just corrected this page (word %s to '%s') at "),
				db_col_text(st, 1), db_col_text(st, 3), db_col_text(st, 4));
			html_time(&m, db_col_int64(st, 2));
			sb_adds(&m, L(r, "; mở lại trang để xem văn bản hiện tại.", "; open the page again to see its current text."));
			db_finalize(st);
			r->status = 409;
			server_error(r, 409, m.buf);
			sb_release(&m);
			row_release(&p);
			return;
		}
		db_finalize(st);
	}
	if (registry_pipeline(r->ws->cfg, &pl, &err) == 0 && pl.first_doc >= 0)
		first = pl.stage[pl.first_doc]->name;
	err_init(&err);
	rc = pagefix_correct(r->ws->db, r->ws->root, p.id, word ? word : "", text ? text : "", first, r->agent, &err);
	snprintf(next, sizeof(next), "/page/%lld", (long long)p.id);
	action_done(r, rc, err.msg, next);
	row_release(&p);
}

void ui_page_accept(struct web_req *r)
{
	struct page_row p;
	struct errbuf err;
	char next[64];
	int64_t after;
	int rc;
	if (!load(r, &p))
		return;
	err_init(&err);
	rc = pagefix_accept(r->ws->db, p.id, r->agent, &err);
	/* on to the next page that waits for review, as a review queue does */
	after = db_int(r->ws->db, 0, "SELECT id FROM pages WHERE review <> 0 AND batch_id = ?1 AND seq > ?2 ORDER BY seq LIMIT 1", 2,
		       p.batch_id, (int64_t)p.seq);
	if (after)
		snprintf(next, sizeof(next), "/page/%lld", (long long)after);
	else
		snprintf(next, sizeof(next), "/review");
	action_done(r, rc, err.msg, next);
	row_release(&p);
}

void ui_page_rescan(struct web_req *r)
{
	struct page_row p;
	struct errbuf err;
	char next[64];
	int rc;
	if (!load(r, &p))
		return;
	err_init(&err);
	rc = pagefix_rescan(r->ws->db, p.id, server_arg(r, "reason"), r->agent, &err);
	snprintf(next, sizeof(next), "/batch/%lld", (long long)p.batch_id);
	action_done(r, rc, err.msg, next);
	row_release(&p);
}

void ui_rescan_upload_form(struct web_req *r, int64_t page_id)
{
	html_raw(&r->out, "<form method=\"post\" action=\"/page/%lld/rescan-scan\" enctype=\"multipart/form-data\" class=\"inline\">",
		 (long long)page_id);
	server_csrf_field(r);
	html_raw(&r->out, "<input type=\"file\" name=\"scan\" required accept=\".tif,.tiff,.jpg,.jpeg,.png,.pdf,.pnm,.bmp,.jp2\""
		 " aria-label=\"%s\"> <button>%s</button></form>",
		 L(r, "bản quét mới", "the new scan"), L(r, "Thay trang bằng bản quét này", "Replace the page with this scan"));
}

void ui_page_rescan_scan(struct web_req *r)
{
	struct page_row p;
	struct pipeline pl;
	struct errbuf err;
	char next[64];
	int64_t id = -1;
	if (!load(r, &p))
		return;
	err_init(&err);
	if (!r->upload_path)
		err_set(&err, "%s", L(r, "chưa chọn tệp quét", "no scan file was sent"));
	else if (registry_pipeline(r->ws->cfg, &pl, &err) == 0)
		id = ingest_rescan(r->ws, &pl, p.id, r->upload_path, r->user.name, &err);
	snprintf(next, sizeof(next), "/page/%lld", (long long)id);
	if (id > 0 && str_starts(r->path, "/api/")) {
		r->ctype = "application/json";
		html_raw(&r->out, "{\"page\":%lld,\"replaced_by\":%lld,\"ok\":true}\n", (long long)p.id, (long long)id);
	} else {
		action_done(r, id > 0 ? 0 : -1, err.msg, next);
	}
	row_release(&p);
}

/* The review queue: the pages of the user's stations flagged for review
 * (low OCR confidence, no text, blank); j/k move, Enter opens (desk.js). */
void ui_review(struct web_req *r)
{
	struct db_stmt *st = db_prepare(r->ws->db,
		"SELECT p.id, p.seq, p.batch_id, b.station, m.src_name, COALESCE(p.ocr_conf, -1), COALESCE(p.note, ''), p.blank"
		" FROM pages p JOIN batches b ON b.id = p.batch_id JOIN masters m ON m.id = p.master_id"
		" WHERE p.review <> 0 ORDER BY p.batch_id, p.seq LIMIT 1000");
	int shown = 0;
	server_page_begin(r, L(r, "Trang cần soát", "Review queue"));
	html_raw(&r->out, "<h1>%s</h1><p class=\"hint\">%s</p><table id=\"queue\"><thead><tr><th>%s</th><th>%s</th><th>%s</th><th>%s</th><th>%s</th></tr></thead><tbody>",
		 L(r, "Trang cần soát", "Review queue"),
		 L(r, "Phím: j/k trang sau/trước, Enter mở, trong trang: a chấp nhận, n/p trang sau/trước.",
		   "Keys: j/k next/previous, Enter opens; on a page: a accepts, n/p next/previous."),
		 L(r, "Trang", "Page"), L(r, "Lô", "Batch"), L(r, "Tệp quét", "Scan file"), L(r, "OCR", "OCR"), L(r, "Lý do", "Why"));
	while (db_step(st) == DB_ROW) {
		if (!server_station_ok(r, db_col_text(st, 3)))
			continue;
		shown++;
		html_raw(&r->out, "<tr><td><a href=\"/page/%lld\">%d</a></td><td>%lld · ", db_col_int64(st, 0), db_col_int(st, 1),
			 db_col_int64(st, 2));
		html_txt(&r->out, db_col_text(st, 3));
		sb_adds(&r->out, "</td><td>");
		html_txt(&r->out, db_col_text(st, 4));
		sb_adds(&r->out, "</td><td>");
		if (db_col_double(st, 5) >= 0)
			html_raw(&r->out, "%.0f %%", db_col_double(st, 5));
		sb_adds(&r->out, "</td><td>");
		if (db_col_int(st, 7))
			html_raw(&r->out, "<span class=\"tag wait\">%s</span> ", L(r, "trang trắng", "blank"));
		html_txt(&r->out, db_col_text(st, 6));
		sb_adds(&r->out, "</td></tr>");
	}
	db_finalize(st);
	sb_adds(&r->out, "</tbody></table>");
	if (!shown)
		html_raw(&r->out, "<p>%s</p>", L(r, "Không có trang nào cần soát.", "No page waits for review."));
	sb_adds(&r->out, "<script src=\"/static/desk.js\"></script>");
	server_page_end(r);
}
