/*
 * eark_muc_luc.c - the Mục lục hồ sơ nộp lưu (CSV and table rows) and the
 * Biên bản thu nộp draft (Markdown) that go beside E-ARK packages.
 *
 * Pure functions of the package descriptions and what eark_build() made;
 * cells are escaped for their format (CSV formula guard, Markdown pipes).
 * Out of memory is fatal (util.h).
 */
#include "formats/eark/eark.h"

#include <stdlib.h>
#include <string.h>

static const char *nz(const char *s)
{
	return s ? s : "";
}

static const char *const muc_luc_header[] = {
	"STT", "Mã hồ sơ/tài liệu", "Tiêu đề hồ sơ/trích yếu", "Thời gian bắt đầu", "Thời gian kết thúc",
	"Thời hạn bảo quản", "Mức độ tiếp cận", "Số lượng tài liệu", "Số lượng tờ", "Số lượng trang",
	"Mã hồ sơ giấy", "Ghi chú", "Gói SIP", "OBJID", "SHA-256 của gói",
};
#define MUC_LUC_COLS (sizeof(muc_luc_header) / sizeof(muc_luc_header[0]))

size_t eark_muc_luc_rows(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, char ****rowsp, size_t *ncols)
{
	char ***rows = NULL;
	size_t nrows = 0, stt = 0;
#define ROW() do { \
		rows = xrealloc(rows, (nrows + 1) * sizeof(*rows)); \
		rows[nrows] = xcalloc(MUC_LUC_COLS, sizeof(char *)); \
		nrows++; \
	} while (0)
#define SET(c, s) (rows[nrows - 1][c] = xstrdup(nz(s)))
	ROW();
	for (size_t c = 0; c < MUC_LUC_COLS; c++)
		SET(c, muc_luc_header[c]);
	for (size_t k = 0; k < n; k++) {
		const struct eark_pkg *p = pkgs[k];
		char *objid = xasprintf("uuid-%s", res[k].uuid);
		if (p->type == EARK_SIP_HOSO) {
			const struct eark_field *f = p->fields;
			size_t nf = p->nfields;
			const char *v;
			ROW();
			rows[nrows - 1][0] = xasprintf("%zu", ++stt);
			SET(1, p->file_code);
			SET(2, (v = eark_field_get(f, nf, "title")) && *v ? v : p->title);
			SET(3, eark_field_get(f, nf, "startDate"));
			SET(4, eark_field_get(f, nf, "endDate"));
			SET(5, eark_field_get(f, nf, "maintenance"));
			SET(6, eark_field_get(f, nf, "mode"));
			if ((v = eark_field_get(f, nf, "totalDoc")) && *v)
				SET(7, v);
			else
				rows[nrows - 1][7] = xasprintf("%zu", p->ndocs);
			SET(8, eark_field_get(f, nf, "numberOfPaper"));
			SET(9, eark_field_get(f, nf, "numberOfPage"));
			SET(10, eark_field_get(f, nf, "paperFileCode"));
			SET(11, eark_field_get(f, nf, "description"));
			SET(12, zips[k]);
			SET(13, objid);
			SET(14, res[k].sha256);
		} else {
			for (size_t i = 0; i < p->ndocs; i++) {
				const struct eark_doc *d = &p->docs[i];
				const struct eark_field *f = d->fields;
				size_t nf = d->nfields;
				const char *v;
				ROW();
				rows[nrows - 1][0] = xasprintf("%zu", ++stt);
				SET(1, (v = eark_field_get(f, nf, "docCode")) && *v ? v : d->name);
				SET(2, eark_field_get(f, nf, "subject"));
				SET(3, eark_field_get(f, nf, "issuedDate"));
				SET(4, eark_field_get(f, nf, "issuedDate"));
				SET(5, eark_field_get(f, nf, "maintenance"));
				SET(6, eark_field_get(f, nf, "mode"));
				SET(7, "1");
				SET(8, "");
				SET(9, eark_field_get(f, nf, "numberOfPage"));
				SET(10, "");
				SET(11, eark_field_get(f, nf, "description"));
				SET(12, zips[k]);
				SET(13, objid);
				SET(14, res[k].sha256);
			}
		}
		free(objid);
	}
#undef ROW
#undef SET
	*rowsp = rows;
	*ncols = MUC_LUC_COLS;
	return nrows;
}

void eark_table_free(char ***rows, size_t nrows, size_t ncols)
{
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++)
			free(rows[r][c]);
		free(rows[r]);
	}
	free(rows);
}

static void csv_cell(struct strbuf *sb, const char *s)
{
	/* A cell Excel would take for a formula gets a leading apostrophe. */
	bool quote = strpbrk(s, ",\"\r\n;") != NULL;
	if (quote)
		sb_addc(sb, '"');
	if (strchr("=+-@", s[0]) && s[0])
		sb_addc(sb, '\'');
	for (; *s; s++) {
		if (*s == '"')
			sb_addc(sb, '"');
		sb_addc(sb, *s);
	}
	if (quote)
		sb_addc(sb, '"');
}

void eark_muc_luc_csv(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb)
{
	char ***rows;
	size_t ncols, nrows = eark_muc_luc_rows(pkgs, res, zips, n, &rows, &ncols);
	sb_adds(sb, "\xEF\xBB\xBF");
	for (size_t r = 0; r < nrows; r++) {
		for (size_t c = 0; c < ncols; c++) {
			if (c)
				sb_addc(sb, ',');
			csv_cell(sb, rows[r][c]);
		}
		sb_adds(sb, "\r\n");
	}
	eark_table_free(rows, nrows, ncols);
}

static void md_cell(struct strbuf *sb, const char *s)
{
	for (; *s; s++) {
		if (*s == '|' || *s == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, *s == '\n' || *s == '\r' ? ' ' : *s);
	}
}

void eark_bien_ban_md(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb)
{
	size_t nfiles = 0, ndocs = 0;
	long npages = 0, nsheets = 0;
	int64_t bytes = 0;
	const char *giver = n ? pkgs[0]->creator_name : NULL, *giver_code = n ? pkgs[0]->creator_code : NULL;
	const char *taker = n ? pkgs[0]->archive_name : NULL;
	for (size_t k = 0; k < n; k++) {
		const struct eark_pkg *p = pkgs[k];
		const char *v;
		if (p->type == EARK_SIP_HOSO) {
			nfiles++;
			if ((v = eark_field_get(p->fields, p->nfields, "numberOfPaper")))
				nsheets += atol(v);
		}
		ndocs += p->ndocs;
		for (size_t i = 0; i < p->ndocs; i++)
			if ((v = eark_field_get(p->docs[i].fields, p->docs[i].nfields, "numberOfPage")))
				npages += atol(v);
		bytes += res[k].data_bytes;
	}
	sb_adds(sb, "# BIÊN BẢN THU NỘP HỒ SƠ, TÀI LIỆU (dự thảo)\n\n");
	sb_adds(sb, "Hôm nay, ngày ...... tháng ...... năm .........., tại ..........................................................\n\n");
	sb_adds(sb, "**Bên giao nộp:** ");
	md_cell(sb, giver && *giver ? giver : "..........................................................");
	if (giver_code && *giver_code) {
		sb_adds(sb, " (mã: ");
		md_cell(sb, giver_code);
		sb_adds(sb, ")");
	}
	sb_adds(sb, "\n\nĐại diện: ...................................................... Chức vụ: ..................................\n\n");
	sb_adds(sb, "**Bên nhận:** ");
	md_cell(sb, taker && *taker ? taker : "..........................................................");
	sb_adds(sb, "\n\nĐại diện: ...................................................... Chức vụ: ..................................\n\n");
	sb_adds(sb, "Hai bên thống nhất giao nhận tài liệu lưu trữ số dưới dạng gói thông tin nộp lưu (E-ARK CSIP SIP) như sau:\n\n");
	sb_addf(sb, "- Số gói: %zu\n", n);
	sb_addf(sb, "- Số hồ sơ: %zu\n", nfiles);
	sb_addf(sb, "- Số tài liệu: %zu\n", ndocs);
	sb_addf(sb, "- Số tờ (theo hồ sơ): %ld\n", nsheets);
	sb_addf(sb, "- Số trang (theo tài liệu): %ld\n", npages);
	sb_addf(sb, "- Dung lượng tài liệu (tệp PDF/A đã ký và tệp kèm theo): %lld byte\n\n", (long long)bytes);
	sb_adds(sb, "Kèm theo: Mục lục hồ sơ, tài liệu nộp lưu.\n\n");
	sb_adds(sb, "| STT | Gói | OBJID | Số tài liệu | Dung lượng gói (byte) | SHA-256 |\n");
	sb_adds(sb, "|---|---|---|---|---|---|\n");
	for (size_t k = 0; k < n; k++) {
		sb_addf(sb, "| %zu | ", k + 1);
		md_cell(sb, zips[k]);
		sb_addf(sb, " | uuid-%s | %zu | %lld | %s |\n", res[k].uuid, pkgs[k]->ndocs, (long long)res[k].size, res[k].sha256);
	}
	sb_adds(sb, "\nBên nhận đã kiểm tra tính toàn vẹn của các gói (mã SHA-256, chữ ký số của cơ quan, tổ chức) bằng `sohoa verify`: ........................\n\n");
	sb_adds(sb, "Biên bản được lập thành 02 bản, mỗi bên giữ 01 bản.\n\n");
	sb_adds(sb, "| ĐẠI DIỆN BÊN GIAO NỘP | ĐẠI DIỆN BÊN NHẬN |\n");
	sb_adds(sb, "|:---:|:---:|\n");
	sb_adds(sb, "| (Ký, ghi rõ họ tên, đóng dấu) | (Ký, ghi rõ họ tên, đóng dấu) |\n");
	sb_adds(sb, "| | |\n| | |\n");
	sb_adds(sb, "| .................................... | .................................... |\n");
}
