/*
 * test_web.c - the desk's building blocks: the JSON writer (nesting,
 * commas, UTF-8 repair, control characters), html.c's escapes and times,
 * user names and roles, scrypt hashes (a right and a wrong password, a
 * damaged hash), and the user store with its audit events.
 */
#include <stdlib.h>
#include <unistd.h>

#include "unitdb.h"
#include "web/html.h"
#include "web/json.h"
#include "web/users.h"

static void test_json(void)
{
	static const struct { const char *in, *out; } cases[] = {
		{"plain", "\"plain\""},
		{"lưu trữ", "\"lưu trữ\""},
		{"a\"b\\c", "\"a\\\"b\\\\c\""},
		{"tab\tnl\ncr\r", "\"tab\\tnl\\ncr\\r\""},
		{"\x01\x1f\x7f", "\"\\u0001\\u001f\\u007f\""},
		{"</script>", "\"\\u003c/script>\""},
		{"bad\xff" "byte", "\"bad\xef\xbf\xbd" "byte\""},
		{"\xc3", "\"\xef\xbf\xbd\""},                     /* truncated sequence */
		{"\xed\xa0\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\""}, /* a surrogate */
		{"\xc0\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\""},     /* overlong '/' */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct strbuf sb;
		struct json j;
		sb_init(&sb, 0);
		json_init(&j, &sb);
		json_str(&j, cases[i].in);
		CHECK_STR(sb.buf, cases[i].out);
		sb_release(&sb);
	}
	{
		struct strbuf sb;
		struct json j;
		sb_init(&sb, 0);
		json_init(&j, &sb);
		json_obj(&j);
		json_kstr(&j, "a", "x");
		json_key(&j, "b");
		json_arr(&j);
		json_int(&j, 1);
		json_num(&j, 2.5);
		json_null(&j);
		json_obj(&j);
		json_end(&j);
		json_end(&j);
		json_key(&j, "c");
		json_bool(&j, true);
		json_key(&j, "d");
		json_raw(&j, "{\"x\":1}");
		json_kstr(&j, "e", NULL);
		json_end(&j);
		CHECK_STR(sb.buf, "{\"a\":\"x\",\"b\":[1,2.5,null,{}],\"c\":true,\"d\":{\"x\":1},\"e\":null}");
		sb_release(&sb);
	}
}

static void test_html(void)
{
	struct strbuf sb;
	sb_init(&sb, 0);
	html_txt(&sb, "<img src=x onerror=\"alert('1')\"> & đ");
	CHECK_STR(sb.buf, "&lt;img src=x onerror=&quot;alert(&#39;1&#39;)&quot;&gt; &amp; đ");
	sb_reset(&sb);
	html_attr(&sb, "a\"b\x01" "c\xff");
	CHECK_STR(sb.buf, "a&quot;b c\xef\xbf\xbd");
	sb_reset(&sb);
	html_url_arg(&sb, "/batch/1?x=ư y");
	CHECK_STR(sb.buf, "%2Fbatch%2F1%3Fx%3D%C6%B0%20y");
	sb_reset(&sb);
	html_time(&sb, 1751353402000LL); /* 2025-07-01T07:03:22Z */
	CHECK_STR(sb.buf, "01/07/2025 14:03");
	sb_reset(&sb);
	html_time(&sb, 1751389200000LL); /* 2025-07-01T17:00:00Z: the next day at +07:00 */
	CHECK_STR(sb.buf, "02/07/2025 00:00");
	sb_reset(&sb);
	html_duration(&sb, 3 * 3600 + 20 * 60);
	CHECK_STR(sb.buf, "3 h 20 min");
	sb_release(&sb);
}

static void test_users(void)
{
	char dir[] = "/tmp/test_web.XXXXXX";
	char *h1, *h2, *pw[] = {"st-a", "st-b"};
	struct errbuf err;
	struct user u;
	struct db *db;
	CHECK(users_name_ok("lan"));
	CHECK(users_name_ok("nguyen.van-a_2"));
	CHECK(!users_name_ok(""));
	CHECK(!users_name_ok("Lan"));
	CHECK(!users_name_ok("-lan"));
	CHECK(!users_name_ok("a b"));
	CHECK(!users_name_ok("lân"));
	CHECK(users_role_parse("supervisor") == ROLE_SUPERVISOR);
	CHECK(users_role_parse("root") == 0);
	CHECK_STR(users_role_name(ROLE_ARCHIVIST), "archivist");
	h1 = users_hash_password("correct horse");
	h2 = users_hash_password("correct horse");
	CHECK(strncmp(h1, "scrypt$16384$8$1$", 17) == 0);
	CHECK(strcmp(h1, h2) != 0); /* a new salt each time */
	CHECK(users_check_password(h1, "correct horse"));
	CHECK(users_check_password(h2, "correct horse"));
	CHECK(!users_check_password(h1, "correct hors"));
	CHECK(!users_check_password(h1, ""));
	CHECK(!users_check_password(NULL, "x"));
	CHECK(!users_check_password("plain", "plain"));
	CHECK(!users_check_password("scrypt$3$8$1$00$00", "x"));      /* N not a power of two */
	CHECK(!users_check_password("scrypt$16384$8$1$0g$00", "x"));  /* not hex */
	free(h1);
	free(h2);

	CHECK(mkdtemp(dir) != NULL);
	db = unit_db_open(dir);
	err_init(&err);
	CHECK(users_add(db, "lan", ROLE_OPERATOR, pw, 2, "password1", "admin:t", &err) == 0);
	CHECK(users_add(db, "lan", ROLE_OPERATOR, pw, 2, "password1", "admin:t", &err) < 0);
	CHECK(strstr(err.msg, "already exists") != NULL);
	err_init(&err);
	CHECK(users_add(db, "hoa", ROLE_SUPERVISOR, NULL, 0, "short", "admin:t", &err) < 0);
	CHECK(strstr(err.msg, "at least 8") != NULL);
	err_init(&err);
	CHECK(users_get(db, "lan", &u) == 1);
	CHECK(u.role == ROLE_OPERATOR && u.nstations == 2 && !u.disabled);
	CHECK(users_has_station(&u, "st-b"));
	CHECK(!users_has_station(&u, "st-c"));
	CHECK(users_set(db, "lan", ROLE_SUPERVISOR, NULL, -1, NULL, 0, "admin:t", &err) == 0);
	CHECK(users_get(db, "lan", &u) == 1 && u.role == ROLE_SUPERVISOR && u.disabled && u.nstations == 2);
	CHECK(users_has_station(&u, "st-c")); /* a supervisor sees every station */
	CHECK(users_set(db, "nobody", 0, NULL, -1, NULL, 1, "admin:t", &err) < 0);
	CHECK(db_int(db, 0, "SELECT count(*) FROM events WHERE type = 'user management' AND agent = 'admin:t'", 0) == 2);
	db_close(db);
	CHECK(unit_rmtree(dir));
}

int main(void)
{
	test_json();
	test_html();
	test_users();
	return unit_done("web");
}
