/*
 * pagefix.c - corrections, review and rescan requests on a page
 * (pagefix.h).  Order: the page's files are rewritten first (fsio: write,
 * fsync, rename, fsync dir), then the correction, its audit event, the
 * search index and the document's rebuild commit in one transaction; a
 * crash between leaves corrected files without the row, and redoing the
 * correction is harmless.  Errors name the page and the word.
 */
#include "archive/pagefix.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/fsio.h"
#include "engine/jobq.h"
#include "engine/search.h"

#define DOC_MAX (32 << 20)

struct page_files {
	char *text_path, *hocr_path, *alto_path; /* absolute, NULL when none */
	int64_t document_id;
};

static char *abs_of(const char *root, struct db_stmt *st, int col)
{
	const char *rel = db_col_text(st, col);
	if (!rel || !*rel)
		return NULL;
	return rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", root, rel);
}

static int page_files(struct db *db, const char *root, int64_t page_id, struct page_files *f, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "SELECT text_path, hocr_path, alto_path, COALESCE(document_id, 0) FROM pages WHERE id = ?1");
	int rc = 0;
	memset(f, 0, sizeof(*f));
	db_bind_int64(st, 1, page_id);
	if (db_step(st) != DB_ROW) {
		rc = err_set(err, "page %lld: no such page", (long long)page_id);
	} else {
		f->text_path = abs_of(root, st, 0);
		f->hocr_path = abs_of(root, st, 1);
		f->alto_path = abs_of(root, st, 2);
		f->document_id = db_col_int64(st, 3);
		if (!f->hocr_path)
			rc = err_set(err, "page %lld: no OCR text to correct yet", (long long)page_id);
	}
	db_finalize(st);
	return rc;
}

static void files_release(struct page_files *f)
{
	free(f->text_path);
	free(f->hocr_path);
	free(f->alto_path);
}

/* Replace what runs from `open` after `at` up to `close` with the new text
 * (XML-escaped); the old content, unescaped markup and all, goes to *old. */
static bool splice(char **doc, const char *at, const char *open, const char *close, const char *text, char **old)
{
	const char *s = strstr(at, open), *end;
	struct strbuf sb;
	if (!s)
		return false;
	s += strlen(open);
	end = strstr(s, close);
	if (!end)
		return false;
	if (old)
		*old = xstrndup(s, (size_t)(end - s));
	sb_init(&sb, 0);
	sb_add(&sb, *doc, (size_t)(s - *doc));
	sb_add_xml(&sb, text);
	sb_adds(&sb, end);
	free(*doc);
	*doc = sb_detach(&sb);
	return true;
}

/* The n-th (0-based) whole-word occurrence of `word` in text, replaced. */
static bool replace_nth(char **text, const char *word, int nth, const char *repl)
{
	size_t wl = strlen(word);
	int k = 0;
	if (!wl)
		return false;
	for (char *p = strstr(*text, word); p; p = strstr(p + 1, word)) {
		bool start = p == *text || strchr(" \t\n\r", p[-1]), end = !p[wl] || strchr(" \t\n\r", p[wl]);
		if (!start || !end)
			continue;
		if (k++ == nth) {
			struct strbuf sb;
			sb_init(&sb, 0);
			sb_add(&sb, *text, (size_t)(p - *text));
			sb_adds(&sb, repl);
			sb_adds(&sb, p + wl);
			free(*text);
			*text = sb_detach(&sb);
			return true;
		}
	}
	return false;
}

static void xml_unescape(char *s)
{
	static const struct { const char *e; char c; } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
	char *o = s;
	for (char *p = s; *p;) {
		size_t k;
		for (k = 0; k < sizeof(ents) / sizeof(ents[0]); k++)
			if (!strncmp(p, ents[k].e, strlen(ents[k].e)))
				break;
		if (k < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[k].c;
			p += strlen(ents[k].e);
		} else {
			*o++ = *p++;
		}
	}
	*o = 0;
}

int pagefix_correct(struct db *db, const char *root, int64_t page_id, const char *word_id, const char *text,
		    const char *first_doc_stage, const char *agent, struct errbuf *err)
{
	struct page_files f;
	char *hocr = NULL, *alto = NULL, *txt = NULL, *old = NULL, key[64], obj[32], *detail = NULL;
	const char *at, *tag_end;
	size_t len;
	int l, t, r, b, nth = 0, rc = -1;
	struct db_stmt *st;
	if (!text || !*text || strpbrk(text, "\n\r\t"))
		return err_set(err, "page %lld: word '%s': the new text must be one line, not empty", (long long)page_id, word_id);
	if (strlen(text) > 200)
		return err_set(err, "page %lld: word '%s': the new text is longer than 200 bytes", (long long)page_id, word_id);
	if (page_files(db, root, page_id, &f, err) < 0)
		goto out;
	if (fsio_read(f.hocr_path, &hocr, &len, DOC_MAX, err) < 0)
		goto out;
	snprintf(key, sizeof(key), "id='%s'", word_id);
	at = strstr(hocr, key);
	tag_end = at ? strchr(at, '>') : NULL;
	if (!at || !tag_end || !strstr(at, "bbox ") || strstr(at, "bbox ") > tag_end ||
	    sscanf(strstr(at, "bbox "), "bbox %d %d %d %d", &l, &t, &r, &b) != 4) {
		err_set(err, "page %lld: no word '%s' in its hOCR", (long long)page_id, word_id);
		goto out;
	}
	/* which occurrence of the old word this is, for text.txt */
	if (!splice(&hocr, at, ">", "</span>", text, &old)) {
		err_set(err, "page %lld: word '%s': its hOCR element is not closed", (long long)page_id, word_id);
		goto out;
	}
	xml_unescape(old);
	{
		char *from = hocr, *me = strstr(hocr, key);
		for (char *w = strstr(from, "class='ocrx_word'"); w && w < me; w = strstr(w + 1, "class='ocrx_word'")) {
			char *gt = strchr(w, '>'), *cl = gt ? strstr(gt, "</span>") : NULL;
			if (cl && (size_t)(cl - gt - 1) == strlen(old) && !strncmp(gt + 1, old, strlen(old)))
				nth++;
		}
	}
	if (f.alto_path && fsio_read(f.alto_path, &alto, &len, DOC_MAX, err) == 0) {
		char akey[128];
		const char *aat;
		snprintf(akey, sizeof(akey), "HPOS=\"%d\" VPOS=\"%d\" WIDTH=\"%d\" HEIGHT=\"%d\" ", l, t, r - l, b - t);
		aat = strstr(alto, akey);
		if (aat && !splice(&alto, aat, "CONTENT=\"", "\"", text, NULL)) {
			free(alto);
			alto = NULL;
		}
		if (!aat) {
			free(alto);
			alto = NULL;
		}
	}
	err_init(err);
	if (f.text_path && fsio_read(f.text_path, &txt, &len, DOC_MAX, err) == 0) {
		if (!replace_nth(&txt, old, nth, text)) {
			free(txt);
			txt = NULL;
		}
	}
	err_init(err);
	if (fsio_write_atomic(f.hocr_path, hocr, strlen(hocr), err) < 0 ||
	    (alto && fsio_write_atomic(f.alto_path, alto, strlen(alto), err) < 0) ||
	    (txt && fsio_write_atomic(f.text_path, txt, strlen(txt), err) < 0))
		goto out;
	if (db_begin(db, err) < 0)
		goto out;
	st = db_prepare(db, "INSERT INTO corrections(page_id, word, old, new, agent, time) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	db_bind_int64(st, 1, page_id);
	db_bind_text(st, 2, word_id, -1);
	db_bind_text(st, 3, old, -1);
	db_bind_text(st, 4, text, -1);
	db_bind_text(st, 5, agent, -1);
	db_bind_int64(st, 6, now_ms());
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	snprintf(obj, sizeof(obj), "page:%lld", (long long)page_id);
	detail = xasprintf("word %s: '%s' -> '%s' (text%s%s)", word_id, old, text, alto ? ", ALTO" : "", txt ? ", text.txt" : "");
	if (rc == 0)
		rc = events_add(db, agent, "modification", obj, "success", detail);
	if (rc == 0)
		rc = search_index_page(db, root, page_id);
	/* a document built before is built again; one not built yet will be
	 * built from the corrected files when its batch's pages are through */
	if (rc == 0 && f.document_id && first_doc_stage &&
	    db_int(db, 0, "SELECT count(*) FROM jobs WHERE document_id = ?1 AND page_id IS NULL", 1, f.document_id) > 0)
		rc = jobq_restart_doc(db, f.document_id, first_doc_stage, err);
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		rc = err_set(err, "page %lld: database: %s", (long long)page_id, db_errmsg(db));
	}
out:
	free(detail);
	free(old);
	free(hocr);
	free(alto);
	free(txt);
	files_release(&f);
	return rc;
}

int pagefix_accept(struct db *db, int64_t page_id, const char *agent, struct errbuf *err)
{
	struct db_stmt *st;
	char obj[32];
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "UPDATE pages SET review = 0 WHERE id = ?1 AND review <> 0");
	db_bind_int64(st, 1, page_id);
	if (db_step_done(db, st, "cannot mark it reviewed", err) < 0) {
		db_rollback(db);
		return err_prefix(err, "page %lld", (long long)page_id), -1;
	}
	if (db_changes(db) == 0) {
		db_rollback(db);
		return err_set(err, "page %lld: not waiting for review", (long long)page_id);
	}
	snprintf(obj, sizeof(obj), "page:%lld", (long long)page_id);
	if (events_add(db, agent, "validation", obj, "success", "review accepted") < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return err_set(err, "page %lld: database: %s", (long long)page_id, db_errmsg(db));
	}
	return 0;
}

int pagefix_rescan(struct db *db, int64_t page_id, const char *reason, const char *agent, struct errbuf *err)
{
	struct db_stmt *st;
	int64_t stopped;
	char obj[32];
	int rc;
	if (!reason || !*reason)
		return err_set(err, "page %lld: a rescan needs a reason", (long long)page_id);
	if (db_int(db, 0, "SELECT count(*) FROM pages WHERE id = ?1", 1, page_id) == 0)
		return err_set(err, "page %lld: no such page", (long long)page_id);
	if (db_int(db, 0, "SELECT count(*) FROM rescans WHERE page_id = ?1 AND done IS NULL", 1, page_id) > 0)
		return err_set(err, "page %lld: a rescan is already requested", (long long)page_id);
	if (db_begin(db, err) < 0)
		return -1;
	st = db_prepare(db, "INSERT INTO rescans(page_id, reason, agent, requested) VALUES (?1, ?2, ?3, ?4)");
	db_bind_int64(st, 1, page_id);
	db_bind_text(st, 2, reason, -1);
	db_bind_text(st, 3, agent, -1);
	db_bind_int64(st, 4, now_ms());
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	snprintf(obj, sizeof(obj), "page:%lld", (long long)page_id);
	if (rc < 0 || events_add(db, agent, "rescan request", obj, "success", reason) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return err_set(err, "page %lld: database: %s", (long long)page_id, db_errmsg(db));
	}
	/* a page its stage stopped waits for the new scan, not for a retry */
	stopped = db_int(db, 0, "SELECT id FROM jobs WHERE page_id = ?1 AND state IN ('held', 'quarantined')"
				" AND COALESCE(error_code, '') <> 'rescan_requested' ORDER BY id LIMIT 1", 1, page_id);
	if (stopped && jobq_request_rescan(db, stopped, agent, reason, err) < 0)
		return -1;
	return 0;
}
