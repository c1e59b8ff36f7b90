/*
 * ui-document.c - a document (tài liệu): its pages as thumbnails, paged so
 * that a 1 000-page hồ sơ opens at once; its TT05 metadata form (code lists
 * as choices, OCR proposals pre-filled and marked until accepted, every
 * value checked by meta.c as `sohoa meta set` does and its error shown
 * under the field); and its boundaries (move the ticked pages to another or
 * a new document, split from a page: what `sohoa doc map` does).
 *
 * Two people, one document: the form carries the id of the document's last
 * audit event; a save made from an older form is refused (409) with who
 * changed it, when, and the current values, so no change is lost silently.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive/docmap.h"
#include "archive/meta.h"
#include "archive/propose.h"
#include "engine/db.h"
#include "engine/jobq.h"
#include "engine/registry.h"
#include "engine/search.h"
#include "engine/workspace.h"
#include "web/html.h"
#include "web/json.h"
#include "web/pages.h"
#include "web/server.h"

#define THUMBS_PER_PAGE 60

struct doc_ctx {
	struct meta_object obj;
	struct meta_schema *schema;
	char *station, *file_code;
	int64_t npages;
};

static void doc_release(struct doc_ctx *d)
{
	meta_schema_free(d->schema);
	free(d->station);
	free(d->file_code);
}

/* Resolve the document of the route, check the user may see it, load the
 * schema.  Answers 404/403/500 itself. */
static bool doc_load(struct web_req *r, struct doc_ctx *d)
{
	struct errbuf err;
	char ref[48], *cdir;
	struct db_stmt *st;
	memset(d, 0, sizeof(*d));
	err_init(&err);
	snprintf(ref, sizeof(ref), "document:%lld", (long long)r->id);
	if (meta_resolve(r->ws->db, ref, &d->obj, &err) < 0) {
		server_error(r, 404, L(r, "không có tài liệu này", "no such document"));
		return false;
	}
	st = db_prepare(r->ws->db, "SELECT b.station, f.file_code FROM documents d LEFT JOIN batches b ON b.id = d.batch_id"
				   " LEFT JOIN files f ON f.id = d.file_id WHERE d.id = ?1");
	db_bind_int64(st, 1, r->id);
	if (db_step(st) == DB_ROW) {
		d->station = db_col_strdup(st, 0);
		d->file_code = db_col_strdup(st, 1);
	}
	db_finalize(st);
	if (r->user.role == ROLE_OPERATOR && (!d->station || !server_station_ok(r, d->station))) {
		server_error(r, 403, L(r, "tài liệu này thuộc trạm khác", "this document belongs to another station"));
		doc_release(d);
		return false;
	}
	cdir = workspace_path(r->ws, "config");
	d->schema = meta_schema_load(cdir, &err);
	free(cdir);
	if (!d->schema) {
		server_error(r, 500, err.msg);
		doc_release(d);
		return false;
	}
	d->npages = db_int(r->ws->db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, r->id);
	return true;
}

/* The id of the object's last audit event: the form's version. */
static int64_t doc_version(struct web_req *r, const struct doc_ctx *d)
{
	struct db_stmt *st = db_prepare(r->ws->db, "SELECT max(id) FROM events WHERE object = ?1");
	int64_t v = 0;
	db_bind_text(st, 1, d->obj.label, -1);
	if (db_step(st) == DB_ROW)
		v = db_col_int64(st, 0);
	db_finalize(st);
	return v;
}

struct field_state {
	const char *value;     /* shown in the form (borrowed) */
	const char *error;     /* shown under it */
};

static void thumbs(struct web_req *r, const struct doc_ctx *d)
{
	const char *ps = server_arg(r, "p");
	long pg = ps ? atol(ps) : 0, npg = (long)((d->npages + THUMBS_PER_PAGE - 1) / THUMBS_PER_PAGE);
	struct db_stmt *st;
	if (pg < 0 || pg >= npg)
		pg = 0;
	html_raw(&r->out, "<section><h2>%s (%lld)</h2><form method=\"post\" action=\"/document/%lld/move\" class=\"move\">",
		 L(r, "Các trang", "Pages"), (long long)d->npages, (long long)r->id);
	server_csrf_field(r);
	html_raw(&r->out, "<input type=\"hidden\" name=\"v\" value=\"%lld\">", (long long)doc_version(r, d));
	sb_adds(&r->out, "<ol class=\"thumbs\">");
	st = db_prepare(r->ws->db, "SELECT p.id, p.seq, p.review, p.access_path IS NOT NULL FROM pages p WHERE p.document_id = ?1"
				   " ORDER BY p.batch_id, p.seq, p.id LIMIT ?2 OFFSET ?3");
	db_bind_int64(st, 1, r->id);
	db_bind_int64(st, 2, THUMBS_PER_PAGE);
	db_bind_int64(st, 3, (int64_t)pg * THUMBS_PER_PAGE);
	while (db_step(st) == DB_ROW) {
		long long id = db_col_int64(st, 0);
		html_raw(&r->out, "<li%s><a href=\"/page/%lld\">", db_col_int(st, 2) ? " class=\"review\"" : "", id);
		if (db_col_int(st, 3))
			html_raw(&r->out, "<img loading=\"lazy\" src=\"/page/%lld/image?w=240\" alt=\"%s %d\">", id, L(r, "trang", "page"),
				 db_col_int(st, 1));
		html_raw(&r->out, "</a><label><input type=\"checkbox\" name=\"page\" value=\"%lld\"> %d <small>#%lld</small></label>"
			 "<button name=\"split\" value=\"%lld\" class=\"small\" title=\"%s\">%s</button></li>",
			 id, db_col_int(st, 1), id, id,
			 L(r, "trang này và các trang sau thành một tài liệu mới", "this page and those after it become a new document"),
			 L(r, "Tách từ đây", "Split here"));
	}
	db_finalize(st);
	sb_adds(&r->out, "</ol>");
	if (npg > 1) {
		sb_adds(&r->out, "<nav class=\"pager\">");
		for (long i = 0; i < npg; i++)
			html_raw(&r->out, i == pg ? "<b>%ld</b> " : "<a href=\"?p=%ld\">%ld</a> ", i == pg ? i + 1 : i, i + 1);
		sb_adds(&r->out, "</nav>");
	}
	html_raw(&r->out, "<label>%s <input name=\"to\" size=\"34\" placeholder=\"%s\"></label> <button>%s</button></form></section>",
		 L(r, "Chuyển các trang đã chọn sang tài liệu", "Move the ticked pages to the document"),
		 L(r, "tên tài liệu, hoặc <mã hồ sơ>.<STT> mới", "a document name, or <file code>.<STT> for a new one"),
		 L(r, "Chuyển", "Move"));
}

static void meta_form(struct web_req *r, const struct doc_ctx *d, const struct field_state *fs, const char *banner, bool banner_bad)
{
	struct strbuf report;
	int nproposed = 0;
	sb_init(&report, 0);
	html_raw(&r->out, "<section class=\"meta\"><h2>%s</h2>", L(r, "Siêu dữ liệu (TT05)", "Metadata (TT05)"));
	if (banner) {
		html_raw(&r->out, "<p class=\"%s\" role=\"alert\">", banner_bad ? "error" : "ok");
		html_txt(&r->out, banner);
		sb_adds(&r->out, "</p>");
	}
	if (meta_check_object(r->ws->db, d->schema, &d->obj, "", &report) > 0) {
		html_raw(&r->out, "<details class=\"check\"><summary>%s</summary><pre>", L(r, "Kiểm tra (meta check)", "Check (meta check)"));
		html_txt(&r->out, report.buf);
		sb_adds(&r->out, "</pre></details>");
	}
	sb_release(&report);
	html_raw(&r->out, "<form method=\"post\" action=\"/document/%lld/meta\" class=\"fields\">", (long long)r->id);
	server_csrf_field(r);
	html_raw(&r->out, "<input type=\"hidden\" name=\"v\" value=\"%lld\">", (long long)doc_version(r, d));
	for (int i = 0; i < d->schema->n; i++) {
		const struct meta_field *f = &d->schema->f[i];
		char *source = NULL, *cur;
		const char *val;
		bool proposed;
		if (f->level != META_DOCUMENT)
			continue;
		cur = meta_get(r->ws->db, META_DOCUMENT, d->obj.id, f->name, &source);
		proposed = source && !strcmp(source, "proposed");
		nproposed += proposed;
		val = fs && fs[i].value ? fs[i].value : cur ? cur : "";
		html_raw(&r->out, "<div class=\"field%s%s\"><label for=\"f-%s\">", proposed ? " proposed" : "", fs && fs[i].error ? " bad" : "", f->name);
		html_txt(&r->out, f->label);
		html_raw(&r->out, " <small>%s</small>%s", f->name, f->req == 'y' ? " <b title=\"bắt buộc\">*</b>" : "");
		if (proposed)
			html_raw(&r->out, " <span class=\"tag wait\">%s</span>", L(r, "đề xuất từ OCR", "proposed from OCR"));
		sb_adds(&r->out, "</label>");
		if (f->codes) {
			html_raw(&r->out, "<select id=\"f-%s\" name=\"f.%s\"><option value=\"\"></option>", f->name, f->name);
			for (int k = 0; k < f->codes->n; k++) {
				sb_adds(&r->out, "<option value=\"");
				html_attr(&r->out, f->codes->v[k].code);
				html_raw(&r->out, "\"%s>", !strcmp(val, f->codes->v[k].code) ? " selected" : "");
				html_txt(&r->out, f->codes->v[k].code);
				sb_adds(&r->out, " — ");
				html_txt(&r->out, f->codes->v[k].label);
				sb_adds(&r->out, "</option>");
			}
			sb_adds(&r->out, "</select>");
		} else {
			html_raw(&r->out, "<input id=\"f-%s\" name=\"f.%s\"%s value=\"", f->name, f->name,
				 f->type == META_DATE ? " placeholder=\"DD/MM/YYYY\" size=\"12\"" : " size=\"40\"");
			html_attr(&r->out, val);
			sb_adds(&r->out, "\">");
		}
		if (fs && fs[i].error) {
			sb_adds(&r->out, "<span class=\"ferr\">");
			html_txt(&r->out, fs[i].error);
			sb_adds(&r->out, "</span>");
		}
		sb_adds(&r->out, "</div>");
		free(cur);
		free(source);
	}
	html_raw(&r->out, "<p><button>%s</button></p></form>", L(r, "Lưu siêu dữ liệu", "Save the metadata"));
	if (nproposed) {
		html_raw(&r->out, "<form method=\"post\" action=\"/document/%lld/accept\">", (long long)r->id);
		server_csrf_field(r);
		html_raw(&r->out, "<input type=\"hidden\" name=\"v\" value=\"%lld\"><button>%s (%d)</button></form>", (long long)doc_version(r, d),
			 L(r, "Chấp nhận các đề xuất", "Accept the proposals"), nproposed);
	}
	sb_adds(&r->out, "</section>");
}

static void doc_page(struct web_req *r, struct doc_ctx *d, const struct field_state *fs, const char *banner, bool bad)
{
	server_page_begin(r, L(r, "Tài liệu", "Document"));
	html_raw(&r->out, "<h1>%s ", L(r, "Tài liệu", "Document"));
	html_txt(&r->out, d->obj.name);
	sb_adds(&r->out, "</h1><p class=\"facts\">");
	if (d->file_code) {
		html_raw(&r->out, "%s ", L(r, "Hồ sơ", "File"));
		html_txt(&r->out, d->file_code);
		sb_adds(&r->out, " · ");
	}
	if (d->station) {
		html_raw(&r->out, "%s ", L(r, "trạm", "station"));
		html_txt(&r->out, d->station);
	}
	sb_adds(&r->out, "</p><div class=\"docview\">");
	meta_form(r, d, fs, banner, bad);
	thumbs(r, d);
	sb_adds(&r->out, "</div>");
	server_page_end(r);
}

void ui_document(struct web_req *r)
{
	struct doc_ctx d;
	if (!doc_load(r, &d))
		return;
	doc_page(r, &d, NULL, NULL, false);
	doc_release(&d);
}

/* Refuse a save made from a form older than the document's last change. */
static bool fresh(struct web_req *r, struct doc_ctx *d)
{
	const char *v = server_arg(r, "v");
	int64_t now_v = doc_version(r, d);
	struct db_stmt *st;
	struct strbuf msg;
	if (v && atoll(v) == now_v)
		return true;
	sb_init(&msg, 0);
	st = db_prepare(r->ws->db, "SELECT agent, time FROM events WHERE id = ?1");
	db_bind_int64(st, 1, now_v);
	if (db_step(st) == DB_ROW) {
		sb_adds(&msg, L(r, "Không lưu: tài liệu vừa được ", "Not saved: the document was just changed by "));
		sb_adds(&msg, db_col_text(st, 0));
		sb_adds(&msg, L(r, " sửa lúc ", " at "));
		html_time(&msg, db_col_int64(st, 1));
		sb_adds(&msg, L(r, ". Đây là các giá trị hiện tại; hãy sửa lại và lưu.", ". These are the current values; make your change again and save."));
	} else {
		sb_adds(&msg, L(r, "Không lưu: biểu mẫu đã cũ.", "Not saved: the form is out of date."));
	}
	db_finalize(st);
	r->status = 409;
	doc_page(r, d, NULL, msg.buf, true);
	sb_release(&msg);
	return false;
}

void ui_document_meta(struct web_req *r)
{
	struct doc_ctx d;
	struct field_state *fs;
	struct errbuf err;
	char **pairs = NULL;
	int npairs = 0, nbad = 0;
	if (!doc_load(r, &d))
		return;
	if (!fresh(r, &d)) {
		doc_release(&d);
		return;
	}
	fs = xcalloc((size_t)d.schema->n, sizeof(*fs));
	pairs = xcalloc((size_t)d.schema->n + 1, sizeof(char *));
	for (int i = 0; i < d.schema->n; i++) {
		const struct meta_field *f = &d.schema->f[i];
		char key[96], *cur, *norm;
		const char *val;
		if (f->level != META_DOCUMENT)
			continue;
		snprintf(key, sizeof(key), "f.%s", f->name);
		val = server_arg(r, key);
		if (!val)
			continue;
		cur = meta_get(r->ws->db, META_DOCUMENT, d.obj.id, f->name, NULL);
		if (!strcmp(val, cur ? cur : "")) {
			free(cur);
			continue; /* unchanged: a proposal stays a proposal */
		}
		free(cur);
		fs[i].value = val;
		if (!*val)
			continue; /* clearing a value is not offered here */
		err_init(&err);
		norm = meta_value_check(f, val, &err);
		if (!norm) {
			fs[i].error = xstrdup(err.msg);
			nbad++;
			continue;
		}
		free(norm);
		pairs[npairs++] = xasprintf("%s=%s", f->name, val);
	}
	err_init(&err);
	if (nbad) {
		r->status = 400;
		doc_page(r, &d, fs, L(r, "Chưa lưu: có giá trị không hợp lệ (xem dưới từng trường).", "Not saved: some values are not valid (see under each field)."), true);
	} else if (npairs && meta_set(r->ws->db, d.schema, &d.obj, npairs, pairs, r->agent, &err) < 0) {
		r->status = 400;
		doc_page(r, &d, fs, err.msg, true);
	} else {
		char next[64];
		snprintf(next, sizeof(next), "/document/%lld?saved=%d", (long long)r->id, npairs);
		server_redirect(r, next);
	}
	for (int i = 0; i < d.schema->n; i++)
		free((char *)fs[i].error);
	for (int i = 0; i < npairs; i++)
		free(pairs[i]);
	free(pairs);
	free(fs);
	doc_release(&d);
}

void ui_document_accept(struct web_req *r)
{
	struct doc_ctx d;
	struct errbuf err;
	int accepted = 0;
	char next[64];
	if (!doc_load(r, &d))
		return;
	if (!fresh(r, &d)) {
		doc_release(&d);
		return;
	}
	err_init(&err);
	if (propose_accept(r->ws->db, d.schema, &d.obj, 0, NULL, r->agent, &accepted, &err) < 0) {
		r->status = 400;
		doc_page(r, &d, NULL, err.msg, true);
	} else {
		snprintf(next, sizeof(next), "/document/%lld?accepted=%d", (long long)r->id, accepted);
		server_redirect(r, next);
	}
	doc_release(&d);
}

/* Move the ticked pages (or, with split=PAGE, that page and the ones after
 * it) to another document; the documents whose pages changed are built
 * again.  As `sohoa doc map`, refused while a worker holds one of them. */
void ui_document_move(struct web_req *r)
{
	struct doc_ctx d;
	struct errbuf err;
	struct pipeline pl;
	int64_t *pages = NULL, *aff = NULL;
	int n = 0, naff = 0;
	const char *split = server_arg(r, "split"), *to = server_arg(r, "to");
	char *target = NULL, *cdir = NULL, next[64];
	if (!doc_load(r, &d))
		return;
	if (!fresh(r, &d)) {
		doc_release(&d);
		return;
	}
	err_init(&err);
	if (split) {
		int64_t from = atoll(split);
		struct db_stmt *st = db_prepare(r->ws->db,
			"SELECT p.id FROM pages p, pages s WHERE s.id = ?2 AND s.document_id = ?1 AND p.document_id = ?1"
			" AND (p.batch_id, p.seq, p.id) >= (s.batch_id, s.seq, s.id) ORDER BY p.batch_id, p.seq, p.id");
		db_bind_int64(st, 1, r->id);
		db_bind_int64(st, 2, from);
		while (db_step(st) == DB_ROW) {
			pages = xrealloc(pages, sizeof(*pages) * (size_t)(n + 1));
			pages[n++] = db_col_int64(st, 0);
		}
		db_finalize(st);
		if (!d.file_code) {
			err_set(&err, "document '%s' belongs to no file: give the target document", d.obj.name);
		} else {
			int64_t stt = db_int(r->ws->db, 0, "SELECT max(stt) FROM documents WHERE file_id = ?1", 1, d.obj.file_id);
			target = xasprintf("%s.%lld", d.file_code, (long long)stt + 1);
		}
		if (n == (int)d.npages)
			err_set(&err, "splitting at the first page would leave document '%s' empty", d.obj.name);
	} else {
		for (char **f = r->form; f && f[0]; f += 2) {
			if (strcmp(f[0], "page"))
				continue;
			pages = xrealloc(pages, sizeof(*pages) * (size_t)(n + 1));
			pages[n++] = atoll(f[1]);
		}
		if (!to || !*to)
			err_set(&err, "say which document the pages go to");
		else
			target = xstrdup(to);
	}
	if (!n)
		err_set(&err, "no pages chosen");
	for (int i = 0; i < n && !err.set; i++)
		if (db_int(r->ws->db, 0, "SELECT count(*) FROM pages WHERE id = ?1 AND document_id = ?2", 2, pages[i], r->id) == 0)
			err_set(&err, "page %lld is not in document '%s'", (long long)pages[i], d.obj.name);
	if (err.set) {
		r->status = 400;
		doc_page(r, &d, NULL, err.msg, true);
		goto out;
	}
	cdir = workspace_path(r->ws, "config");
	if (db_begin(r->ws->db, &err) < 0)
		goto fail;
	if (db_int(r->ws->db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND state = 'claimed'", 1, r->id) > 0) {
		err_set(&err, "document '%s' is being processed now; try again when the job is done", d.obj.name);
		goto rollback;
	}
	if (docmap_move(r->ws->db, cdir, target, pages, n, r->agent, &aff, &naff, &err) < 0)
		goto rollback;
	if (registry_pipeline(r->ws->cfg, &pl, &err) == 0 && pl.first_doc >= 0)
		for (int i = 0; i < naff; i++)
			if (db_int(r->ws->db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL", 1, aff[i]) > 0 &&
			    jobq_restart_doc(r->ws->db, aff[i], pl.stage[pl.first_doc]->name, &err) < 0)
				goto rollback;
	if (db_commit(r->ws->db, &err) < 0)
		goto rollback;
	snprintf(next, sizeof(next), "/document/%lld", (long long)r->id);
	server_redirect(r, next);
	goto out;
rollback:
	db_rollback(r->ws->db);
fail:
	r->status = 400;
	doc_page(r, &d, NULL, err.msg, true);
out:
	free(cdir);
	free(target);
	free(pages);
	free(aff);
	doc_release(&d);
}

/* GET /api/documents/ID: the document, its TT05 fields (value, source:
 * operator, import, system or proposed), its pages in order and the
 * version a save must carry (`v`). */
void api_document(struct web_req *r)
{
	struct doc_ctx d;
	struct json j;
	struct db_stmt *st;
	if (!doc_load(r, &d))
		return;
	r->ctype = "application/json";
	json_init(&j, &r->out);
	json_obj(&j);
	json_kint(&j, "id", d.obj.id);
	json_kstr(&j, "name", d.obj.name);
	json_kstr(&j, "file", d.file_code);
	json_kstr(&j, "station", d.station);
	json_kint(&j, "v", doc_version(r, &d));
	json_key(&j, "fields");
	json_arr(&j);
	for (int i = 0; i < d.schema->n; i++) {
		const struct meta_field *f = &d.schema->f[i];
		char *source = NULL, *val;
		if (f->level != META_DOCUMENT)
			continue;
		val = meta_get(r->ws->db, META_DOCUMENT, d.obj.id, f->name, &source);
		json_obj(&j);
		json_kstr(&j, "name", f->name);
		json_kstr(&j, "label", f->label);
		json_kstr(&j, "value", val);
		json_kstr(&j, "source", source);
		json_key(&j, "required");
		json_bool(&j, f->req == 'y');
		json_end(&j);
		free(val);
		free(source);
	}
	json_end(&j);
	json_key(&j, "pages");
	json_arr(&j);
	st = db_prepare(r->ws->db, "SELECT id FROM pages WHERE document_id = ?1 ORDER BY batch_id, seq, id");
	db_bind_int64(st, 1, r->id);
	while (db_step(st) == DB_ROW)
		json_int(&j, db_col_int64(st, 0));
	db_finalize(st);
	json_end(&j);
	json_end(&j);
	sb_addc(&r->out, '\n');
	doc_release(&d);
}
