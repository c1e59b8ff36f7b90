/* test_filecode.c - mã hồ sơ, legacy names, docCode, safe names, naming. */
#include <stdlib.h>

#include "archive/filecode.h"
#include "unit.h"

static const struct { const char *code, *agency, *year, *number; } good[] = {
	{"000.00.00.G09.2010.01.TH", "000.00.00.G09", "2010", "01.TH"},
	{"H49.64.33.2001.160", "H49.64.33", "2001", "160"},
	{"G01.2023.12-TCCB", "G01", "2023", "12-TCCB"},
	{"000.00.00.H26.1998.QĐ-05", "000.00.00.H26", "1998", "QĐ-05"},
	{"A.2024.12345678901234567890", "A", "2024", "12345678901234567890"},
	{"2020.2020.1", "2020", "2020", "1"},
};

static const char *const bad[] = {
	"", "000.00.00.G09.10.TH", "000.00.00.G09.2010.", "000.00.00.G09.2010", ".2010.1",
	"12345678901234.2010.1",          /* agency of 14 characters */
	"A.2024.123456789012345678901",   /* number of 21 characters */
	"A.2024.1/2", "A.2024.1 2", "A..B.2024.1", "A.2024.1..2", "A.0999.1", "A.2024.số",
	"A.2024.1\xE2\x80\x8B",            /* U+200B */
};

int main(void)
{
	struct errbuf err;
	struct filecode fc;
	struct filecode_legacy lg;
	struct filecode_naming nm;
	char *s, *fcode;
	long stt;

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err_init(&err);
		CHECK(filecode_parse(good[i].code, &fc, &err) == 0);
		CHECK_STR(fc.agency, good[i].agency);
		CHECK_STR(fc.year, good[i].year);
		CHECK_STR(fc.number, good[i].number);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_init(&err);
		CHECK(filecode_parse(bad[i], &fc, &err) < 0);
		CHECK(err.set && strstr(err.msg, "file code '") == err.msg);
	}

	/* legacy 169/HD names */
	err_init(&err);
	CHECK(filecode_legacy_parse("Q3-5-1-10-1", &lg, &err) == 0 && lg.kind == 'd' && lg.doc == 1);
	s = filecode_legacy_file(&lg);
	CHECK_STR(s, "Q3-5-1-10");
	free(s);
	CHECK(filecode_legacy_parse("Q3-5-1-10", &lg, &err) == 0 && lg.kind == 'f');
	CHECK(filecode_legacy_parse("Q3-5-1-10-11-24", &lg, &err) == 0 && lg.kind == 'p' && lg.page == 24);
	CHECK(filecode_legacy_parse("LT--2-7-3", &lg, &err) == 0 && lg.fonds[0] == '\0');
	CHECK(filecode_legacy_parse("Q3-5-1", &lg, &err) < 0);
	CHECK(filecode_legacy_parse("3Q-5-1-10", &lg, &err) < 0);
	CHECK(filecode_legacy_parse("Q3-5-x-10", &lg, &err) < 0);
	CHECK(filecode_legacy_parse("Q3-5-1-10-0", &lg, &err) < 0);

	/* docCode and document names */
	s = filecode_doc_code("H49.64.33.2001.160", 1);
	CHECK_STR(s, "H49.64.33.2001.160.0000001");
	err_init(&err);
	CHECK(filecode_split_doc(s, &fcode, &stt, &err) == 0 && stt == 1);
	CHECK_STR(fcode, "H49.64.33.2001.160");
	free(fcode);
	free(s);
	CHECK(filecode_split_doc("H49.64.33.2001.160.12", &fcode, &stt, &err) == 0 && stt == 12);
	free(fcode);
	CHECK(filecode_split_doc("H49.64.33.2001.160.0", &fcode, &stt, &err) < 0);
	CHECK(filecode_split_doc("nonsense", &fcode, &stt, &err) < 0);

	/* safe names */
	{
		static const struct { const char *name; bool ok; } names[] = {
			{"H49.64.33.2001.160.1", true}, {"Hồ sơ 1", true}, {"a/b", false}, {"a\\b", false},
			{"..", false}, {"a..b", false}, {".hidden", false}, {"-rf", false}, {"a\tb", false},
			{"a\xEF\xBB\xBF" "b", false}, {"a\xE2\x80\x8B" "b", false}, {"a\xC2\xAD" "b", false},
			{"a:b", false}, {"a?b", false}, {"\xFF\xFE", false}, {"", false},
			{"Ho\xCC\x82" "\xCC\x80", false}, /* decomposed: not NFC */
		};
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			err_init(&err);
			CHECK(filecode_name_safe(names[i].name, &err) == names[i].ok);
		}
	}

	/* naming patterns */
	err_init(&err);
	CHECK(filecode_naming_load("/nonexistent/naming.conf", &nm, &err) == 0);
	s = filecode_doc_name(&nm, "H49.64.33.2001.160", 1, &err);
	CHECK_STR(s, "H49.64.33.2001.160.1");
	free(s);
	nm.per_document = false;
	s = filecode_doc_name(&nm, "H49.64.33.2001.160", 1, &err);
	CHECK_STR(s, "H49.64.33.2001.160");
	free(s);
	s = filecode_expand("{agency}_{year}_{number}_{stt7}", "H49.64.33.2001.160", 3, &err);
	CHECK_STR(s, "H49.64.33_2001_160_0000003");
	free(s);
	err_init(&err);
	CHECK(filecode_expand("{fileCode}/{stt}", "H49.64.33.2001.160", 3, &err) == NULL);
	err_init(&err);
	CHECK(filecode_expand("{fileCode}.{bogus}", "H49.64.33.2001.160", 3, &err) == NULL);
	filecode_naming_release(&nm);
	{
		FILE *f = fopen("test_naming.conf.tmp", "w");
		fputs("mode = whole-file\nwhole_file = {fileCode}\nbogus = 1\n", f);
		fclose(f);
		err_init(&err);
		CHECK(filecode_naming_load("test_naming.conf.tmp", &nm, &err) < 0 && strstr(err.msg, ":3:"));
		remove("test_naming.conf.tmp");
	}
	return unit_done("filecode");
}
