/*
 * test_viet.c - the Vietnamese syllable check (table): syllables in any
 * case, with punctuation around them, words that are no syllable, tokens
 * with digits not judged; and a dictionary that is not there is an error
 * naming the file.
 */
#include <string.h>

#include "archive/viet.h"
#include "unit.h"

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
	viet_free(v);
	return unit_done("test_viet");
}
