/*
 * test_search.c - the full-text index: folding (diacritics, đ, case, NFD
 * input, offsets back into the original), the index a worker keeps when a
 * page's text commits, queries with and without diacritics, whole words
 * only, FTS5 syntax in a query taken as plain words, snippets cut from the
 * original text, metadata hits, and --reindex.
 */
#include <stdlib.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "engine/search.h"
#include "unitdb.h"

static struct db *db;
static char dir[] = "/tmp/test_search.XXXXXX";

static int64_t add_page(int seq, const char *text)
{
	char rel[64], *path;
	struct errbuf err;
	int64_t id;
	db_exec(db, "INSERT INTO pages(batch_id, master_id, seq, created) VALUES (1, 1, 0, 0)", NULL);
	id = db_last_id(db);
	snprintf(rel, sizeof(rel), "p%lld.txt", (long long)id);
	path = xasprintf("%s/%s", dir, rel);
	err_init(&err);
	CHECK(fsio_write_atomic(path, text, strlen(text), &err) == 0);
	free(path);
	{
		struct db_stmt *st = db_prepare(db, "UPDATE pages SET text_path = ?1, seq = ?2 WHERE id = ?3");
		db_bind_text(st, 1, rel, -1);
		db_bind_int64(st, 2, seq);
		db_bind_int64(st, 3, id);
		db_step(st);
		db_finalize(st);
	}
	CHECK(search_index_page(db, dir, id) == 0);
	return id;
}

static int count(const char *q)
{
	struct search_hit *h;
	struct errbuf err;
	int n;
	err_init(&err);
	n = search_query(db, dir, q, 50, &h, &err);
	if (n > 0)
		search_hits_free(h, n);
	return n;
}

int main(void)
{
	static const struct { const char *in, *out; } folds[] = {
		{"Lưu trữ", "luu tru"},
		{"LƯU TRỮ", "luu tru"},
		{"Đà Nẵng đường", "da nang duong"},
		{"Lu\xcc\x9bu tru\xcc\x9b\xcc\x83", "luu tru"},  /* NFD input: u + horn, u + horn + tilde */
		{"Quyết định số 12/QĐ-UBND", "quyet dinh so 12/qd-ubnd"},
		{"Nghị định", "nghi dinh"},
		{"plain ASCII 123", "plain ascii 123"},
	};
	struct errbuf err;
	char path[80];
	struct search_hit *h;
	int n;
	int64_t p1, p2, p3, np, nm;
	size_t *off;
	char *f;

	for (size_t i = 0; i < sizeof(folds) / sizeof(folds[0]); i++) {
		char *got = search_fold(folds[i].in, NULL);
		CHECK_STR(got, folds[i].out);
		free(got);
	}
	f = search_fold("Trữ x", &off);
	CHECK_STR(f, "tru x");
	CHECK(off[0] == 0 && off[1] == 1 && off[2] == 2 && off[3] == 5 && off[4] == 6 && off[5] == 7);
	free(f);
	free(off);

	CHECK(mkdtemp(dir) != NULL);
	db = unit_db_open(dir);
	err_init(&err);
	CHECK(db_exec(db, "INSERT INTO batches(id, station, operator, profile, started) VALUES (1, 'st-a', 'lan', 'a4-office', 0);"
			  "INSERT INTO masters(id, sha256, size, path, src_name, batch_id, nimages, created) VALUES (1, 'x', 1, 'm', 'm', 1, 1, 0)",
		      &err) == 0);
	p1 = add_page(1, "BỘ NỘI VỤ\nQuyết định về công tác lưu trữ tài liệu\nHà Nội, ngày 01 tháng 7 năm 2025");
	p2 = add_page(2, "Kho Lưu trữ lịch sử tỉnh Đồng Nai");
	p3 = add_page(3, "Biên bản giao nhận hồ sơ");
	CHECK(count("luu tru") == 2);
	CHECK(count("Lưu trữ") == 2);
	CHECK(count("LƯU TRỮ") == 2);
	CHECK(count("dong nai") == 1);
	CHECK(count("Đồng Nai") == 1);
	CHECK(count("bien ban giao nhan") == 1);
	CHECK(count("lu") == 0);               /* whole words */
	CHECK(count("luu khong") == 0);        /* every word must be there */
	CHECK(count("luu OR khong") == 0);     /* FTS5 syntax is only words */
	CHECK(count("tru*") == 2);
	err_init(&err);
	CHECK(search_query(db, dir, " -- ", 10, &h, &err) < 0);
	CHECK(strstr(err.msg, "no words") != NULL);

	err_init(&err);
	n = search_query(db, dir, "luu tru", 10, &h, &err);
	CHECK(n == 2);
	if (n == 2) {
		CHECK(h[0].page_id == p1 && h[1].page_id == p2 && h[1].seq == 2);
		CHECK(strstr(h[0].snippet, "công tác [[lưu]] trữ") != NULL);
		CHECK(strstr(h[1].snippet, "Kho [[Lưu]] trữ") != NULL);
		search_hits_free(h, n);
	}
	/* a page's text changes (a correction, a new OCR): the index follows */
	snprintf(path, sizeof(path), "%s/p%lld.txt", dir, (long long)p3);
	CHECK(fsio_write_atomic(path, "Biên bản bàn giao", strlen("Biên bản bàn giao"), &err) == 0);
	CHECK(search_index_page(db, dir, p3) == 0);
	CHECK(count("giao nhan") == 0);
	CHECK(count("ban giao") == 1);
	/* metadata and --reindex */
	db_exec(db, "INSERT INTO documents(id, name, created) VALUES (7, 'X.0000001', 0);"
			 "INSERT INTO meta(object, object_id, field, value) VALUES ('document', 7, 'subject', 'Về việc sửa chữa kho')", NULL);
	CHECK(count("sua chua") == 0);
	CHECK(search_reindex(db, dir, &np, &nm, &err) == 0);
	CHECK(np == 3 && nm == 1);
	err_init(&err);
	n = search_query(db, dir, "sua chua kho", 10, &h, &err);
	CHECK(n == 1);
	if (n == 1) {
		CHECK(h[0].page_id == 0 && h[0].document_id == 7);
		CHECK_STR(h[0].document, "X.0000001");
		CHECK(strstr(h[0].snippet, "[[sửa]]") != NULL);
		search_hits_free(h, n);
	}
	CHECK(count("luu tru") == 2);
	db_close(db);
	CHECK(unit_rmtree(dir));
	return unit_done("search");
}
