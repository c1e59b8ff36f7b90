/*
 * test_viet.c - the Vietnamese syllable check (table): syllables in any
 * case, with punctuation around them, words that are no syllable, tokens
 * with digits not judged; and a dictionary that is not there is an error
 * naming the file.  The correction step (table) over a small pairs file:
 * tone marks of circumflex and breve vowels and l read as t corrected
 * where the pairs are sure, case and punctuation kept, a reading the pairs
 * know left alone; a reading doubted where a variant is known, even under
 * VIET_SURE; a malformed pairs file names its line.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsio.h"

#include "archive/viet.h"
#include "unit.h"

/* A correction got for word: want, or none (NULL); frees got. */
static void check_fix(char *got, const char *word, const char *want)
{
	if (want) {
		CHECK_STR(got, want);
	} else {
		CHECK(got == NULL);
		if (got)
			fprintf(stderr, "test_viet: '%s' changed to '%s'\n", word, got);
	}
	free(got);
}

int main(void)
{
	static const struct { const char *tok; enum viet_kind want; } t[] = {
		{ "khẩu", VIET_VALID },     { "Khẩu", VIET_VALID },    { "KHẨU", VIET_VALID },
		{ "nghiêng", VIET_VALID },  { "(Điều", VIET_VALID },   { "quan,", VIET_VALID },
		{ "“Luật”", VIET_VALID },   { "kiểm", VIET_VALID },    { "tưu", VIET_INVALID },
		{ "ngyậy", VIET_INVALID },  { "lW", VIET_INVALID },    { "ƑIn", VIET_INVALID },
		{ "54/2014/QH13", VIET_SKIP }, { "—", VIET_SKIP },     { "...", VIET_SKIP },
		{ "2025", VIET_SKIP },
	};
	struct errbuf err;
	struct viet *v;
	size_t i;
	int checked = -1, valid = -1;

	err_init(&err);
	v = viet_open("/nonexistent/vi_VN", &err);
	CHECK(v == NULL && strstr(err.msg, "'/nonexistent/vi_VN.aff'"));
	err_init(&err);
	v = viet_open(VIET_DICT_DEFAULT, &err);
	CHECK(v != NULL);
	if (!v) {
		fprintf(stderr, "test_viet: %s\n", err.msg);
		return unit_done("test_viet");
	}
	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		enum viet_kind k = viet_check(v, t[i].tok);
		CHECK(k == t[i].want);
		if (k != t[i].want)
			fprintf(stderr, "test_viet: '%s' judged %d, want %d\n", t[i].tok, (int)k, (int)t[i].want);
	}
	viet_count(v, "Số 54/2014/QH13: Luật hải quan quy dinh tưu ngyậy", &checked, &valid);
	CHECK(checked == 8 && valid == 6);
	{
		static const char pairs[] = "# test pairs\nkiểm tra\t489\ntổng kết\t30\ntổng cục\t12\nlưu trữ\t50\ntìm kiếm\t7\nhồ sơ\t3\n"
					    "lập\t701\t19\nluật\t1326\t623\nlê\t5\t0\n";
		static const struct { const char *prev, *word, *next, *want; } c[] = {
			{ "việc", "kiếm", "tra", "kiểm" },    /* acute for hook above */
			{ NULL, "Tống", "kết", "Tổng" },      /* case kept */
			{ NULL, "TỐNG", "CỤC", "TỔNG" },
			{ "công", "tác", "tưu", NULL },       /* the pair is not known */
			{ NULL, "tưu", "trữ", "lưu" },        /* l read as t */
			{ NULL, "(kiếm", "tra", "(kiểm" },    /* punctuation kept */
			{ "tìm", "kiếm", NULL, NULL },        /* the pairs know it */
			{ "hô", "sơ", NULL, NULL },           /* 3 < VIET_SURE */
			{ NULL, "kiếm", NULL, NULL },         /* no neighbours */
		};
		char path[] = "/tmp/test_viet.XXXXXX";
		int fd = mkstemp(path);
		CHECK(fd >= 0);
		if (fd >= 0) {
			CHECK(write(fd, pairs, strlen(pairs)) == (ssize_t)strlen(pairs));
			close(fd);
			err_init(&err);
			CHECK(viet_load_pairs(v, path, &err) == 6);
			CHECK(viet_pair(v, "Kiểm", "tra,") == 489);
			for (i = 0; i < sizeof c / sizeof c[0]; i++) {
				check_fix(viet_correct(v, c[i].prev, c[i].word, c[i].next), c[i].word, c[i].want);
			}
			/* doubt: a reading the pairs never have, a variant they have */
			CHECK(viet_doubtful(v, "việc", "kiếm", "tra"));
			CHECK(viet_doubtful(v, NULL, "hô", "sơ"));     /* 3 < VIET_SURE: doubted, not corrected */
			CHECK(!viet_doubtful(v, "tìm", "kiếm", NULL)); /* the pairs know it */
			CHECK(!viet_doubtful(v, "công", "tác", "tưu")); /* nothing known near it */
			CHECK(!viet_doubtful(v, NULL, "kiếm", NULL));
			/* a capital L inside a sentence, where the text has it small */
			{
				static const struct { const char *pprev, *prev, *word, *want; } d[] = {
					{ "Điều", "1.", "Thành", NULL },          /* not an L */
					{ "1.", "Thành", "Lập", "lập" },          /* after a sentence's first word */
					{ NULL, "thành", "Lập,", "lập," },        /* punctuation kept */
					{ "Hội", "Đồng", "Lập", NULL },           /* a run of capitals: a name */
					{ NULL, "Điều", "Lập", NULL },            /* (no pprev: cannot tell) */
					{ NULL, "1.", "Lập", NULL },              /* a sentence's start */
					{ "nhận:", "-", "Lập", NULL },            /* a list's item */
					{ NULL, "theo", "Luật", NULL },           /* capitalized a third of the time */
					{ NULL, "ông", "Lê", NULL },              /* seen too seldom */
					{ NULL, "thành", "LẬP", NULL },           /* in capitals */
				};
				for (i = 0; i < sizeof d / sizeof d[0]; i++) {
					check_fix(viet_decap(v, d[i].pprev, d[i].prev, d[i].word), d[i].word, d[i].want);
				}
			}
						CHECK(fsio_write_atomic(path, "kiểm tra 489\n", strlen("kiểm tra 489\n"), &err) == 0);
			err_init(&err);
			CHECK(viet_load_pairs(v, path, &err) == -1 && strstr(err.msg, "line 1"));
			unlink(path);
		}
	}
	viet_free(v);
	return unit_done("test_viet");
}
