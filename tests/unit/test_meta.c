/* test_meta.c - TT05 schema, value checks, CSV import (all or nothing),
 * legacy encodings, export.  Run from the source tree (reads config/). */
#include <stdlib.h>
#include <unistd.h>

#include "archive/meta.h"
#include "unitdb.h"

static const struct { const char *field; int level; const char *in, *out; } values[] = {
	{"issuedDate", META_DOCUMENT, "27/9/2021", "27/09/2021"},
	{"issuedDate", META_DOCUMENT, "29/02/2024", "29/02/2024"},
	{"issuedDate", META_DOCUMENT, "29/02/2023", NULL},
	{"issuedDate", META_DOCUMENT, "31/02/2021", NULL},
	{"issuedDate", META_DOCUMENT, "2021-09-27", NULL},
	{"issuedDate", META_DOCUMENT, "27/09/21", NULL},
	{"typeName", META_DOCUMENT, "22", "22"},
	{"typeName", META_DOCUMENT, "2", "02"},     /* Excel dropped the zero */
	{"typeName", META_DOCUMENT, "33", NULL},
	{"maintenance", META_FILE, "08", NULL},
	{"language", META_FILE, "01; 02", "01;02"},
	{"language", META_FILE, "01;99", NULL},
	{"codeNumber", META_DOCUMENT, "123456789012", NULL},  /* 12 > 11 */
	{"numberOfPage", META_DOCUMENT, "12a", NULL},
	{"numberOfPage", META_DOCUMENT, "12345", NULL},
	{"riskRecovery", META_FILE, "2", NULL},
	{"subject", META_DOCUMENT, "Ve\xCC\x82\xCC\x80 vie\xCC\xA3\xCC\x82" "c", "Về việc"}, /* NFD in, NFC out */
	{"subject", META_DOCUMENT, "a\xE2\x80\x8B" "b", NULL},   /* U+200B */
	{"subject", META_DOCUMENT, "a\x01" "b", NULL},
	{"subject", META_DOCUMENT, "Vieät Nam", NULL},           /* VNI font text */
	{"subject", META_DOCUMENT, "ViÖt Nam", NULL},            /* TCVN3 font text */
	{"inforSign", META_FILE, "1234567890123456789012345678901", NULL}, /* 31 > 30 */
	{"inforSign", META_FILE, "Đây là ký hiệu có dấu đủ ba mươi", NULL},
	{"inforSign", META_FILE, "Ký hiệu thông tin có dấu", "Ký hiệu thông tin có dấu"},
};

/* Imports refused as a whole, each with a line its report must hold. */
static const struct { const char *csv, *why; } refusals[] = {
	{"fileCode,title\nG01.2023.20,Vi\xEA\xF2t Nam\n", "row 2: field 'title': not UTF-8; it looks like Windows-1258"},
	{"fileCode,title\nG01.2023.21,Vi\xD6t Nam H\xB5 N\xe9i\n", "row 2: field 'title': not UTF-8; it looks like TCVN3"},
	{"fileCode,title\nG01.2023.21,Vieät Nam\n", "row 2: field 'title': 'Vieät Nam' looks like text typed with a VNI font"},
	{"docCode,typeName,colour\nH49.64.33.2001.160.0000003,22,red\n", "row 1: field 'colour': not a document field"},
	{"docCode,typeName,issuedDate,organName,subject\nG09.2000.1.0000001,22,01/01/2000,A,B\n", "is not registered"},
};

static int count(struct db *db, const char *sql)
{
	return (int)db_int(db, -1, sql, 0);
}

int main(void)
{
	struct errbuf err;
	struct meta_schema *s;
	char dir[] = "/tmp/test_meta.XXXXXX";
	struct db *db;
	struct strbuf rep;
	int n;

	err_init(&err);
	s = meta_schema_load("config", &err);
	if (!s) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* the field sets: 18 and 21 */
	{
		int nf = 0, nd = 0;
		for (int i = 0; i < s->n; i++)
			s->f[i].level == META_FILE ? nf++ : nd++;
		CHECK(nf == 18);
		CHECK(nd == 21);
		CHECK(meta_codelist_find(s, "typeName")->n == 32);
		CHECK_STR(meta_code_label(meta_codelist_find(s, "typeName"), "22"), "Công văn");
	}
	for (size_t i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		const struct meta_field *f = meta_field_find(s, values[i].level, values[i].field);
		char *v;
		err_init(&err);
		v = f ? meta_value_check(f, values[i].in, &err) : NULL;
		if (values[i].out)
			CHECK_STR(v, values[i].out);
		else
			CHECK(!v && err.set && strstr(err.msg, values[i].field));
		free(v);
	}
	/* legacy encodings in bytes */
	CHECK_STR(meta_legacy_guess("Vi\xEA\xF2t Nam", 10), "Windows-1258");      /* ê + dot below */
	CHECK_STR(meta_legacy_guess("Vie\xE4t Nam Ha\xF8 No\xE4i", 18), "VNI");
	CHECK_STR(meta_legacy_guess("Vi\xD6t Nam H\xB5 N\xe9i", 15), "TCVN3");
	CHECK(meta_legacy_guess("Việt Nam Hà Nội", strlen("Việt Nam Hà Nội")) == NULL);

	CHECK(mkdtemp(dir) != NULL);
	db = unit_db_open(dir);

	/* files: a good import, then one with a broken row: nothing written */
	sb_init(&rep, 0);
	{
		const char *csv = "\xEF\xBB\xBF" "fileCode,title,maintenance,mode,paperFileCode,startDate,endDate\r\n"
				  "H49.64.33.2001.160,\"Hồ sơ về việc \"\"kiện toàn\"\", tổ chức\",01,01,LT.1.160,01/01/2001,31/12/2001\r\n"
				  "000.00.00.G09.2010.01.TH,Hồ sơ hội nghị,1,2,LT.2.7,,\r\n";
		CHECK(meta_import_csv(db, s, csv, strlen(csv), NULL, "test", &rep, &n) == 0 && n == 2);
		CHECK(count(db, "SELECT count(*) FROM files") == 2);
		CHECK(count(db, "SELECT count(*) FROM meta WHERE field = 'confidenceLevel' AND value = '02'") == 2);
		CHECK(count(db, "SELECT count(*) FROM files WHERE title = 'Hồ sơ về việc \"kiện toàn\", tổ chức'") == 1);
	}
	sb_reset(&rep);
	{
		const char *csv = "fileCode,title,maintenance,mode,paperFileCode,endDate\n"
				  "G01.2023.12,Hồ sơ A,01,01,P.1,\n"
				  "G01.2023.13,Hồ sơ B,09,01,P.2,31/02/2023\n"  /* row 3: two errors */
				  "G01.2023,Hồ sơ C,01,01,P.3,\n"                /* row 4: malformed code */
				  "G01.2023.15,Hồ sơ D,01,01,,\n"                /* row 5: no paperFileCode */
				  "G01.2023.12,Hồ sơ E,01,01,P.5,\n"             /* row 6: duplicate */
				  "G01.2023.16,Hồ sơ F,01\n";                    /* row 7: short row */
		int before = count(db, "SELECT count(*) FROM meta"), ev = count(db, "SELECT count(*) FROM events");
		CHECK(meta_import_csv(db, s, csv, strlen(csv), NULL, "test", &rep, &n) < 0 && n == 0);
		CHECK(strstr(rep.buf, "row 3: field 'maintenance': '09'") != NULL);
		CHECK(strstr(rep.buf, "row 3: field 'endDate': '31/02/2023' is not a date") != NULL);
		CHECK(strstr(rep.buf, "row 4: field 'fileCode'") != NULL);
		CHECK(strstr(rep.buf, "row 5: field 'paperFileCode': required") != NULL);
		CHECK(strstr(rep.buf, "row 6: field 'fileCode': 'G01.2023.12' is already in row 2") != NULL);
		CHECK(strstr(rep.buf, "row 7: 3 fields, the header has 6") != NULL);
		CHECK(count(db, "SELECT count(*) FROM files") == 2);
		CHECK(count(db, "SELECT count(*) FROM meta") == before);
		CHECK(count(db, "SELECT count(*) FROM events") == ev);
	}
	/* refused imports, then a Windows-1258 file converted on request */
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		sb_reset(&rep);
		CHECK(meta_import_csv(db, s, refusals[i].csv, strlen(refusals[i].csv), NULL, "test", &rep, &n) < 0);
		CHECK(strstr(rep.buf, refusals[i].why) != NULL);
	}
	sb_reset(&rep);
	{
		const char *csv = "fileCode,title,maintenance,mode,paperFileCode\nG01.2023.20,Vi\xEA\xF2t Nam,01,01,P\n";
		CHECK(meta_import_csv(db, s, csv, strlen(csv), "windows-1258", "test", &rep, &n) == 0);
		CHECK(count(db, "SELECT count(*) FROM files WHERE title = 'Việt Nam'") == 1);
	}
	/* documents by docCode and by legacy alias */
	sb_reset(&rep);
	CHECK(db_exec(db, "UPDATE files SET alias = 'Q3-5-1-10' WHERE file_code = 'H49.64.33.2001.160'", &err) == 0);
	{
		const char *csv = "docCode,typeName,issuedDate,organName,subject\n"
				  "H49.64.33.2001.160.0000001,22,27/09/2021,UBND xã A,V/v cấp đất\n"
				  "Q3-5-1-10-2,2,28/09/2021,UBND xã A,Quyết định giao đất\n";
		CHECK(meta_import_csv(db, s, csv, strlen(csv), NULL, "test", &rep, &n) == 0 && n == 2);
		CHECK(count(db, "SELECT count(*) FROM documents WHERE name IN ('H49.64.33.2001.160.1', 'H49.64.33.2001.160.2')") == 2);
		CHECK(count(db, "SELECT count(*) FROM meta WHERE field = 'docCode' AND value = 'H49.64.33.2001.160.0000002'") == 1);
	}
	/* set, events with old and new, export */
	{
		struct meta_object obj;
		char *pairs[] = {"subject=Cấp đất ở", "issuedDate=30/9/2021"}, *badp[] = {"subject=ok", "issuedDate=32/1/2021"};
		struct strbuf out;
		err_init(&err);
		CHECK(meta_resolve(db, "H49.64.33.2001.160.1", &obj, &err) == 0 && obj.level == META_DOCUMENT);
		CHECK(meta_set(db, s, &obj, 2, pairs, "operator:lan", &err) == 0);
		CHECK(count(db, "SELECT count(*) FROM events WHERE agent = 'operator:lan' AND detail LIKE '%\"old\":\"V/v cấp đất\",\"new\":\"Cấp đất ở\"%'") == 1);
		err_init(&err);
		CHECK(meta_set(db, s, &obj, 2, badp, "operator:lan", &err) < 0 && strstr(err.msg, "'32/1/2021' is not a date"));
		CHECK(count(db, "SELECT count(*) FROM meta WHERE field = 'subject' AND value = 'Cấp đất ở'") == 1);
		sb_init(&out, 0);
		meta_export(db, s, META_DOCUMENT, obj.file_id, false, &out);
		CHECK(strstr(out.buf, "docId,docCode,maintenance,typeName") == out.buf);
		CHECK(strstr(out.buf, "H49.64.33.2001.160.0000001,,22,,,30/09/2021,UBND xã A,Cấp đất ở") != NULL);
		sb_reset(&out);
		meta_export(db, s, META_FILE, 0, true, &out);
		CHECK(strstr(out.buf, "\"title\": \"Hồ sơ về việc \\\"kiện toàn\\\", tổ chức\"") != NULL);
		sb_release(&out);
	}
	sb_release(&rep);
	db_close(db);
	CHECK(unit_rmtree(dir));
	meta_schema_free(s);
	return unit_done("meta");
}
