/*
 * json.c - the JSON writer of the web API (see json.h).  Invariant: what it
 * writes is one well-formed JSON text in UTF-8 whatever the values hold;
 * nesting deeper than JSON_DEPTH is our bug (panic).
 */
#include "web/json.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void json_init(struct json *j, struct strbuf *sb)
{
	memset(j, 0, sizeof(*j));
	j->sb = sb;
}

static void before_value(struct json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->need_comma[j->depth])
		sb_addc(j->sb, ',');
	j->need_comma[j->depth] = true;
}

static void open(struct json *j, char c)
{
	before_value(j);
	if (j->depth + 1 >= JSON_DEPTH) {
		fprintf(stderr, "sohoa: panic: json nesting deeper than %d\n", JSON_DEPTH);
		abort();
	}
	sb_addc(j->sb, c);
	j->depth++;
	j->closer[j->depth] = c == '{' ? '}' : ']';
	j->need_comma[j->depth] = false;
}

void json_obj(struct json *j) { open(j, '{'); }
void json_arr(struct json *j) { open(j, '['); }

void json_end(struct json *j)
{
	if (j->depth == 0) {
		fprintf(stderr, "sohoa: panic: json_end without an open object or array\n");
		abort();
	}
	sb_addc(j->sb, j->closer[j->depth]);
	j->depth--;
}

int json_utf8_len(const unsigned char *s, size_t left)
{
	unsigned c = s[0];
	int n;
	unsigned cp;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if ((size_t)n > left)
		return 0;
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void json_utf8_clean(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		int n = json_utf8_len(p + i, len - i);
		if (n == 0) {
			sb_adds(sb, "\xef\xbf\xbd");
			i++;
		} else {
			sb_add(sb, p + i, (size_t)n);
			i += (size_t)n;
		}
	}
}

static void add_string(struct strbuf *sb, const char *s)
{
	struct strbuf clean;
	sb_init(&clean, 0);
	json_utf8_clean(&clean, s, strlen(s));
	sb_addc(sb, '"');
	for (size_t i = 0; i < clean.len; i++) {
		unsigned char c = (unsigned char)clean.buf[i];
		switch (c) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		case '<': sb_adds(sb, "\\u003c"); break; /* safe inside a <script> too */
		default:
			if (c < 0x20 || c == 0x7f)
				sb_addf(sb, "\\u%04x", c);
			else
				sb_addc(sb, (char)c);
		}
	}
	sb_addc(sb, '"');
	sb_release(&clean);
}

void json_key(struct json *j, const char *key)
{
	before_value(j);
	add_string(j->sb, key);
	sb_addc(j->sb, ':');
	j->after_key = true;
}

void json_str(struct json *j, const char *s)
{
	before_value(j);
	if (s)
		add_string(j->sb, s);
	else
		sb_adds(j->sb, "null");
}

void json_int(struct json *j, int64_t v)
{
	before_value(j);
	sb_addf(j->sb, "%lld", (long long)v);
}

void json_num(struct json *j, double v)
{
	before_value(j);
	if (isfinite(v))
		sb_addf(j->sb, "%.6g", v);
	else
		sb_adds(j->sb, "null");
}

void json_bool(struct json *j, bool v)
{
	before_value(j);
	sb_adds(j->sb, v ? "true" : "false");
}

void json_null(struct json *j)
{
	before_value(j);
	sb_adds(j->sb, "null");
}

void json_raw(struct json *j, const char *doc)
{
	before_value(j);
	sb_adds(j->sb, doc);
}

void json_kstr(struct json *j, const char *key, const char *s)
{
	json_key(j, key);
	json_str(j, s);
}

void json_kint(struct json *j, const char *key, int64_t v)
{
	json_key(j, key);
	json_int(j, v);
}
