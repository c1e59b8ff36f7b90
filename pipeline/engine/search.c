/*
 * search.c - the full-text index (search.h).  Folding is ours (libunistring)
 * and the FTS5 tokenizer only splits words, so the index, the query and the
 * snippet finder agree on every character; the query is made of quoted
 * words only, so no FTS5 syntax from the user reaches SQLite.
 * Error policy: indexing a page never fails the job that commits it (a
 * page whose text cannot be read is left out and found again by
 * --reindex); queries return -1 with the reason.
 */
#include "engine/search.h"

#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <unistr.h>
#include <uninorm.h>

#include "engine/db.h"
#include "engine/fsio.h"

#define TEXT_MAX (16 << 20)

/* The base letter of uc, lower case, or 0 for a combining mark. */
static ucs4_t fold_char(ucs4_t uc)
{
	ucs4_t dec[UC_DECOMPOSITION_MAX_LENGTH];
	for (int depth = 0; depth < 4; depth++) {
		int n = uc_canonical_decomposition(uc, dec);
		if (n <= 0)
			break;
		uc = dec[0];
	}
	if (uc_is_general_category(uc, UC_CATEGORY_Mn))
		return 0;
	if (uc == 0x0110 || uc == 0x0111 || uc == 0x0189) /* Đ đ Ɖ */
		return 'd';
	return uc_tolower(uc);
}

char *search_fold(const char *s, size_t **offsets)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
	struct strbuf sb;
	size_t *off = NULL, noff = 0, aoff = 0;
	sb_init(&sb, 0);
	while (p < end) {
		ucs4_t uc;
		int n = u8_mbtouc(&uc, p, (size_t)(end - p));
		uint8_t out[6];
		int m;
		ucs4_t f = fold_char(uc);
		if (f) {
			m = u8_uctomb(out, f, sizeof(out));
			if (m < 0)
				m = u8_uctomb(out, 0xfffd, sizeof(out));
			sb_add(&sb, out, (size_t)m);
			if (offsets) {
				if (noff + (size_t)m + 1 > aoff) {
					aoff = (noff + (size_t)m + 1) * 2;
					off = xrealloc(off, aoff * sizeof(*off));
				}
				for (int i = 0; i < m; i++)
					off[noff++] = (size_t)(p - (const uint8_t *)s);
			}
		}
		p += n;
	}
	if (offsets) {
		off = xrealloc(off, (noff + 1) * sizeof(*off));
		off[noff] = strlen(s);
		*offsets = off;
	}
	return sb_detach(&sb);
}

static int put(struct db *db, int64_t rowid, const char *text)
{
	struct db_stmt *st = db_prepare(db, "DELETE FROM search_fts WHERE rowid = ?1");
	int rc = 0;
	db_bind_int64(st, 1, rowid);
	if (db_step(st) != DB_DONE)
		rc = -1;
	db_finalize(st);
	if (rc < 0 || !text || !*text)
		return 0;
	{
		char *folded = search_fold(text, NULL);
		st = db_prepare(db, "INSERT INTO search_fts(rowid, body) VALUES (?1, ?2)");
		db_bind_int64(st, 1, rowid);
		db_bind_text(st, 2, folded, -1);
		rc = db_step(st) == DB_DONE ? 0 : -1;
		db_finalize(st);
		free(folded);
	}
	return rc;
}

/* A page's text (caller frees), NULL when it has none or it cannot be read. */
static char *page_text(struct db *db, const char *root, int64_t page_id)
{
	struct db_stmt *st = db_prepare(db, "SELECT text_path FROM pages WHERE id = ?1");
	char *text = NULL;
	db_bind_int64(st, 1, page_id);
	if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL) {
		const char *rel = db_col_text(st, 0);
		char *path = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", root, rel);
		struct errbuf err;
		size_t len;
		err_init(&err);
		if (fsio_read(path, &text, &len, TEXT_MAX, &err) < 0)
			text = NULL;
		free(path);
	}
	db_finalize(st);
	return text;
}

int search_index_page(struct db *db, const char *root, int64_t page_id)
{
	char *text = page_text(db, root, page_id);
	int rc = put(db, page_id, text);
	free(text);
	return rc;
}

/* "field: value" lines of an object's metadata, plus its name/code. */
static char *meta_text(struct db *db, const char *object, int64_t id)
{
	struct db_stmt *st = db_prepare(db, "SELECT field, value FROM meta WHERE object = ?1 AND object_id = ?2 ORDER BY field");
	struct strbuf sb;
	sb_init(&sb, 0);
	db_bind_text(st, 1, object, -1);
	db_bind_int64(st, 2, id);
	while (db_step(st) == DB_ROW)
		sb_addf(&sb, "%s: %s\n", db_col_text(st, 0), db_col_text(st, 1));
	db_finalize(st);
	st = db_prepare(db, !strcmp(object, "file") ? "SELECT file_code || ' ' || COALESCE(title, '') FROM files WHERE id = ?1"
						    : "SELECT COALESCE(name, '') || ' ' || COALESCE(title, '') FROM documents WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if (db_step(st) == DB_ROW && sb.len)
		sb_addf(&sb, "%s\n", db_col_text(st, 0));
	db_finalize(st);
	return sb_detach(&sb);
}

int search_index_meta(struct db *db, const char *object, int64_t id)
{
	char *text = meta_text(db, object, id);
	int rc = put(db, !strcmp(object, "file") ? -(SEARCH_FILE_BASE + id) : -id, text);
	free(text);
	return rc;
}

int search_reindex(struct db *db, const char *root, int64_t *npages, int64_t *nmeta, struct errbuf *err)
{
	struct db_stmt *st;
	*npages = *nmeta = 0;
	if (db_begin(db, err) < 0)
		return -1;
	if (db_exec(db, "DELETE FROM search_fts", err) < 0)
		goto fail;
	st = db_prepare(db, "SELECT id FROM pages WHERE text_path IS NOT NULL ORDER BY id");
	while (db_step(st) == DB_ROW) {
		if (search_index_page(db, root, db_col_int64(st, 0)) < 0) {
			db_finalize(st);
			err_set(err, "search index: %s", db_errmsg(db));
			goto fail;
		}
		(*npages)++;
	}
	db_finalize(st);
	st = db_prepare(db, "SELECT DISTINCT object, object_id FROM meta ORDER BY object, object_id");
	while (db_step(st) == DB_ROW) {
		if (search_index_meta(db, db_col_text(st, 0), db_col_int64(st, 1)) < 0) {
			db_finalize(st);
			err_set(err, "search index: %s", db_errmsg(db));
			goto fail;
		}
		(*nmeta)++;
	}
	db_finalize(st);
	return db_commit(db, err);
fail:
	db_rollback(db);
	return -1;
}

/* The query's words, folded; a word is a run of letters and digits. */
static int words_of(const char *query, char ***words)
{
	char *f = search_fold(query, NULL);
	const uint8_t *p = (const uint8_t *)f, *end = p + strlen(f);
	int n = 0;
	*words = NULL;
	while (p < end) {
		const uint8_t *start;
		ucs4_t uc;
		int k = u8_mbtouc(&uc, p, (size_t)(end - p));
		if (!uc_is_alnum(uc)) {
			p += k;
			continue;
		}
		start = p;
		while (p < end && (k = u8_mbtouc(&uc, p, (size_t)(end - p))) > 0 && uc_is_alnum(uc))
			p += k;
		if (n < 16) {
			*words = xrealloc(*words, sizeof(char *) * (size_t)(n + 1));
			(*words)[n++] = xstrndup((const char *)start, (size_t)(p - start));
		}
	}
	free(f);
	return n;
}

static bool alnum_at(const char *s, size_t i, size_t len)
{
	ucs4_t uc;
	if (i >= len)
		return false;
	u8_mbtouc(&uc, (const uint8_t *)s + i, len - i);
	return uc_is_alnum(uc);
}

/* Does a word start at byte i of s (the character before it is not a
 * letter or digit)? */
static bool word_starts(const char *s, size_t i, size_t len)
{
	size_t j;
	if (i == 0)
		return true;
	j = i - 1;
	while (j > 0 && ((unsigned char)s[j] & 0xc0) == 0x80)
		j--;
	return !alnum_at(s, j, len);
}

/* Text around the first whole word found, [[marked]], cut from the
 * original text (the folded offsets map back to it). */
static char *snippet(const char *text, char **words, int nwords)
{
	size_t *off, flen, tlen = strlen(text), best = (size_t)-1, blen = 0, a, b, ha = 0, hb = 0;
	char *f = search_fold(text, &off);
	struct strbuf sb;
	flen = strlen(f);
	for (int w = 0; w < nwords; w++) {
		size_t wl = strlen(words[w]);
		for (const char *hit = strstr(f, words[w]); hit; hit = strstr(hit + 1, words[w])) {
			size_t i = (size_t)(hit - f);
			if (word_starts(f, i, flen) && !alnum_at(f, i + wl, flen)) {
				if (i < best) {
					best = i;
					blen = wl;
				}
				break;
			}
		}
	}
	if (best != (size_t)-1) {
		ha = off[best];
		hb = off[best + blen]; /* the next kept character: dropped marks stay inside */
	}
	a = ha > 80 ? ha - 80 : 0;
	while (a > 0 && ((unsigned char)text[a] & 0xc0) == 0x80)
		a--;
	b = hb + 80 < tlen ? hb + 80 : tlen;
	while (b < tlen && ((unsigned char)text[b] & 0xc0) == 0x80)
		b++;
	sb_init(&sb, 0);
	if (a > 0)
		sb_adds(&sb, "…");
	for (size_t i = a; i < b; i++) {
		if (blen && i == ha)
			sb_adds(&sb, "[[");
		if (blen && i == hb)
			sb_adds(&sb, "]]");
		sb_addc(&sb, text[i] == '\n' || text[i] == '\r' || text[i] == '\t' ? ' ' : text[i]);
	}
	if (blen && hb >= b)
		sb_adds(&sb, "]]");
	if (b < tlen)
		sb_adds(&sb, "…");
	free(f);
	free(off);
	return sb_detach(&sb);
}

int search_query(struct db *db, const char *root, const char *query, int max, struct search_hit **hits,
		 struct errbuf *err)
{
	char **words;
	int nwords = words_of(query, &words), n = 0;
	struct strbuf q;
	struct db_stmt *st, *pg;
	bool pgsql;
	*hits = NULL;
	if (nwords == 0) {
		free(words);
		return err_set(err, "search '%s': no words to look for", query);
	}
	if (max <= 0 || max > SEARCH_MAX_HITS)
		max = SEARCH_MAX_HITS;
	sb_init(&q, 0);
	pgsql = !strcmp(db_backend(db), "postgresql");
	for (int i = 0; i < nwords; i++) {
		/* letters and digits only: no quote to double, no operator */
		sb_adds(&q, i ? " " : "");
		sb_adds(&q, pgsql ? "" : "\"");
		sb_adds(&q, words[i]);
		sb_adds(&q, pgsql ? "" : "\"");
	}
	/* pages first (positive rowids, in page order), then metadata; each
	 * half in FTS5's own rowid order, so a word on a million pages costs
	 * only the rows returned.  On PostgreSQL the same through the GIN
	 * index of migration 7 (every word, the 'simple' configuration: the
	 * text is folded already). */
	st = db_prepare(db, pgsql ? "SELECT rowid FROM (SELECT rowid FROM search_fts"
				    " WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', ?1) AND rowid > 0"
				    " ORDER BY rowid LIMIT ?2) AS p UNION ALL SELECT rowid FROM (SELECT rowid FROM search_fts"
				    " WHERE to_tsvector('simple', body) @@ plainto_tsquery('simple', ?1) AND rowid < 0"
				    " ORDER BY rowid DESC LIMIT ?2) AS m LIMIT ?2"
				  : "SELECT rowid FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH ?1 AND rowid > 0"
				    " ORDER BY rowid LIMIT ?2) UNION ALL SELECT rowid FROM (SELECT rowid FROM search_fts"
				    " WHERE search_fts MATCH ?1 AND rowid < 0 ORDER BY rowid DESC LIMIT ?2) LIMIT ?2");
	db_bind_text(st, 1, q.buf, -1);
	db_bind_int64(st, 2, max);
	pg = db_prepare(db, "SELECT p.batch_id, p.seq, COALESCE(p.document_id, 0), d.name, b.station, d.file_id"
			    " FROM pages p JOIN batches b ON b.id = p.batch_id LEFT JOIN documents d ON d.id = p.document_id"
			    " WHERE p.id = ?1");
	while (db_step(st) == DB_ROW) {
		int64_t rowid = db_col_int64(st, 0);
		struct search_hit *h;
		char *text;
		*hits = xrealloc(*hits, sizeof(**hits) * (size_t)(n + 1));
		h = &(*hits)[n++];
		memset(h, 0, sizeof(*h));
		if (rowid > 0) {
			h->page_id = rowid;
			db_reset(pg);
			db_bind_int64(pg, 1, rowid);
			if (db_step(pg) == DB_ROW) {
				h->batch_id = db_col_int64(pg, 0);
				h->seq = db_col_int(pg, 1);
				h->document_id = db_col_int64(pg, 2);
				h->document = db_col_strdup(pg, 3);
				h->station = db_col_strdup(pg, 4);
				h->file_id = db_col_int64(pg, 5);
			}
			text = page_text(db, root, rowid);
		} else if (-rowid >= SEARCH_FILE_BASE) {
			h->file_id = -rowid - SEARCH_FILE_BASE;
			text = meta_text(db, "file", h->file_id);
		} else {
			h->document_id = -rowid;
			text = meta_text(db, "document", h->document_id);
			{
				struct db_stmt *d = db_prepare(db, "SELECT name, file_id FROM documents WHERE id = ?1");
				db_bind_int64(d, 1, h->document_id);
				if (db_step(d) == DB_ROW) {
					h->document = db_col_strdup(d, 0);
					h->file_id = db_col_int64(d, 1);
				}
				db_finalize(d);
			}
		}
		h->snippet = snippet(text ? text : "", words, nwords);
		free(text);
	}
	db_finalize(pg);
	db_finalize(st);
	sb_release(&q);
	for (int i = 0; i < nwords; i++)
		free(words[i]);
	free(words);
	return n;
}

void search_hits_free(struct search_hit *hits, int n)
{
	for (int i = 0; i < n; i++) {
		free(hits[i].document);
		free(hits[i].station);
		free(hits[i].snippet);
	}
	free(hits);
}
