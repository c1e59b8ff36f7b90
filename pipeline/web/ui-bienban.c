/*
 * ui-bienban.c - GET /batch/ID/bienban.pdf: the Biên bản giao nhận tài liệu
 * of a batch as a printable PDF/A (A4), in the layout archives use: the
 * national heading, the title, when and where, the two parties (the
 * scanning station that hands over, the archive that receives), the table
 * of the batch's documents (STT, code, title, pages, note), the totals,
 * and the two signature blocks.  Made on request in tmp/ and removed after
 * it is read; nothing of it is stored.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/db.h"
#include "engine/fsio.h"
#include "engine/workspace.h"
#include "formats/pdf/pdfa.h"
#include "web/pages.h"
#include "web/server.h"

#define PW 595.28
#define PH 841.89
#define MARGIN 56.0

static void centred(struct pdfa *d, double y, double size, const char *s)
{
	pdfa_text(d, (PW - pdfa_text_width(d, s, size)) / 2, y, size, s);
}

/* Cut s to fit width points at size (an ellipsis marks the cut); caller frees. */
static char *fit(struct pdfa *d, const char *s, double size, double width)
{
	size_t n = strlen(s);
	char *t = xstrdup(s);
	while (n > 0 && pdfa_text_width(d, t, size) > width) {
		do
			n--;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80);
		free(t);
		t = xasprintf("%.*s…", (int)n, s);
	}
	return t;
}

static int draw(struct web_req *r, const char *path, struct errbuf *err)
{
	const char *org = config_str(r->ws->cfg, "export.org_name"), *arch = config_str(r->ws->cfg, "export.archive_name");
	struct pdfa_meta meta = {"Biên bản giao nhận tài liệu", *org ? org : NULL, NULL, NULL, "vi", NULL, 0};
	static const double colx[] = {0, 28, 196, 418, 466};
	static const char *const head[] = {"STT", "Mã tài liệu", "Trích yếu / tiêu đề", "Số trang", "Ghi chú"};
	struct pdfa *d;
	struct db_stmt *st;
	char line[512], *station = NULL, *oper = NULL, *fcode = NULL;
	int64_t started = 0, npages = 0, ndocs = 0;
	double y;
	time_t t = time(NULL) + 7 * 3600;
	struct tm tm;
	gmtime_r(&t, &tm);
	st = db_prepare(r->ws->db, "SELECT station, operator, COALESCE(file_code, ''), started FROM batches WHERE id = ?1");
	db_bind_int64(st, 1, r->id);
	if (db_step(st) == DB_ROW) {
		station = db_col_strdup(st, 0);
		oper = db_col_strdup(st, 1);
		fcode = db_col_strdup(st, 2);
		started = db_col_int64(st, 3);
	}
	db_finalize(st);
	if (!(d = pdfa_open(path, &meta, NULL, err)) || pdfa_page_begin(d, PW, PH, err) < 0) {
		pdfa_abort(d);
		free(station);
		free(oper);
		free(fcode);
		return -1;
	}
	y = PH - MARGIN;
	centred(d, y, 11, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM");
	y -= 15;
	centred(d, y, 11, "Độc lập - Tự do - Hạnh phúc");
	pdfa_line(d, PW / 2 - 70, y - 4, PW / 2 + 70, y - 4, 0.6);
	y -= 40;
	centred(d, y, 14, "BIÊN BẢN GIAO NHẬN TÀI LIỆU");
	y -= 17;
	snprintf(line, sizeof(line), "Lô số hóa %lld%s%s", (long long)r->id, *fcode ? " - hồ sơ " : "", fcode);
	centred(d, y, 10.5, line);
	y -= 30;
	snprintf(line, sizeof(line), "Hôm nay, ngày %02d tháng %02d năm %04d, chúng tôi gồm:", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
	pdfa_text(d, MARGIN, y, 11, line);
	y -= 20;
	pdfa_text(d, MARGIN, y, 11, "BÊN GIAO:");
	y -= 15;
	snprintf(line, sizeof(line), "Trạm số hóa %s, người thực hiện: %s", station ? station : "", oper ? oper : "");
	pdfa_text(d, MARGIN + 16, y, 11, line);
	y -= 20;
	pdfa_text(d, MARGIN, y, 11, "BÊN NHẬN:");
	y -= 15;
	snprintf(line, sizeof(line), "%s", *arch ? arch : *org ? org : "Bộ phận lưu trữ");
	pdfa_text(d, MARGIN + 16, y, 11, line);
	y -= 20;
	{
		char when[32];
		time_t st_t = (time_t)(started / 1000) + 7 * 3600;
		struct tm stm;
		gmtime_r(&st_t, &stm);
		strftime(when, sizeof(when), "%d/%m/%Y", &stm);
		snprintf(line, sizeof(line), "Bên giao giao cho bên nhận các tài liệu số hóa từ ngày %s, gồm:", when);
	}
	pdfa_text(d, MARGIN, y, 11, line);
	y -= 22;
	for (int c = 0; c < 5; c++)
		pdfa_text(d, MARGIN + colx[c] + 2, y, 9.5, head[c]);
	pdfa_line(d, MARGIN, y - 5, PW - MARGIN, y - 5, 0.8);
	y -= 18;
	st = db_prepare(r->ws->db,
		"SELECT d.stt, COALESCE(d.name, 'tài liệu ' || d.id),"
		" COALESCE((SELECT value FROM meta m WHERE m.object = 'document' AND m.object_id = d.id AND m.field = 'subject'), d.title, ''),"
		" (SELECT count(*) FROM pages p WHERE p.document_id = d.id),"
		" (SELECT count(*) FROM jobs j JOIN pages p ON p.id = j.page_id WHERE p.document_id = d.id AND j.state IN ('held','quarantined'))"
		" FROM documents d WHERE d.batch_id = ?1 ORDER BY d.stt, d.id");
	db_bind_int64(st, 1, r->id);
	while (db_step(st) == DB_ROW) {
		char *code, *subj, cell[32];
		if (y < MARGIN + 150) {
			if (pdfa_page_end(d, err) < 0 || pdfa_page_begin(d, PW, PH, err) < 0) {
				db_finalize(st);
				pdfa_abort(d);
				return -1;
			}
			y = PH - MARGIN;
		}
		ndocs++;
		npages += db_col_int64(st, 3);
		snprintf(cell, sizeof(cell), "%lld", (long long)ndocs);
		pdfa_text(d, MARGIN + colx[0] + 2, y, 9.5, cell);
		code = fit(d, db_col_text(st, 1), 9.5, colx[2] - colx[1] - 6);
		pdfa_text(d, MARGIN + colx[1] + 2, y, 9.5, code);
		subj = fit(d, db_col_text(st, 2), 9.5, colx[3] - colx[2] - 6);
		pdfa_text(d, MARGIN + colx[2] + 2, y, 9.5, subj);
		snprintf(cell, sizeof(cell), "%lld", (long long)db_col_int64(st, 3));
		pdfa_text(d, MARGIN + colx[3] + 2, y, 9.5, cell);
		if (db_col_int64(st, 4))
			pdfa_text(d, MARGIN + colx[4] + 2, y, 9.5, "còn trang chờ");
		pdfa_line(d, MARGIN, y - 5, PW - MARGIN, y - 5, 0.3);
		y -= 16;
		free(code);
		free(subj);
	}
	db_finalize(st);
	y -= 8;
	snprintf(line, sizeof(line), "Tổng cộng: %lld tài liệu, %lld trang.", (long long)ndocs, (long long)npages);
	pdfa_text(d, MARGIN, y, 11, line);
	y -= 16;
	pdfa_text(d, MARGIN, y, 11, "Biên bản được lập thành hai bản, mỗi bên giữ một bản.");
	y -= 40;
	pdfa_text(d, MARGIN + 20, y, 11, "ĐẠI DIỆN BÊN GIAO");
	pdfa_text(d, PW - MARGIN - 150, y, 11, "ĐẠI DIỆN BÊN NHẬN");
	y -= 14;
	pdfa_text(d, MARGIN + 30, y, 9, "(Ký, ghi rõ họ tên)");
	pdfa_text(d, PW - MARGIN - 140, y, 9, "(Ký, ghi rõ họ tên)");
	free(station);
	free(oper);
	free(fcode);
	if (pdfa_page_end(d, err) < 0) {
		pdfa_abort(d);
		return -1;
	}
	return pdfa_close(d, err);
}

void ui_bienban(struct web_req *r)
{
	struct errbuf err;
	char *path, *data = NULL;
	size_t len = 0;
	if (!ui_batch_allowed(r, r->id))
		return;
	err_init(&err);
	path = workspace_path(r->ws, "tmp/bienban-%lld-%ld.pdf", (long long)r->id, (long)getpid());
	if (draw(r, path, &err) < 0 || fsio_read(path, &data, &len, 64 << 20, &err) < 0) {
		server_error(r, 500, err.msg);
	} else {
		sb_add(&r->out, data, len);
		r->ctype = "application/pdf";
	}
	unlink(path);
	free(data);
	free(path);
}
