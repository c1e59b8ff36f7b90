/*
 * json.h - the one JSON writer of the web API.  Commas and nesting are kept
 * by the writer; every string goes through json_str(), which replaces bytes
 * that are not UTF-8 with U+FFFD and escapes quotes, backslashes and every
 * control character, so no value can break the document.
 *
 *   struct json j; json_init(&j, &sb);
 *   json_obj(&j); json_key(&j, "user"); json_str(&j, name); json_end(&j);
 */
#ifndef SOHOA_JSON_H
#define SOHOA_JSON_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

#define JSON_DEPTH 32

struct json {
	struct strbuf *sb;         /* borrowed */
	int depth;
	bool need_comma[JSON_DEPTH];
	char closer[JSON_DEPTH];
	bool after_key;
};

void json_init(struct json *j, struct strbuf *sb);
void json_obj(struct json *j);
void json_arr(struct json *j);
/* Close the innermost object or array. */
void json_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_str(struct json *j, const char *s);   /* NULL writes null */
void json_int(struct json *j, int64_t v);
void json_num(struct json *j, double v);        /* non-finite writes null */
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A value that is already a JSON document (e.g. the status object). */
void json_raw(struct json *j, const char *doc);
/* Shorthands for a key and its value. */
void json_kstr(struct json *j, const char *key, const char *s);
void json_kint(struct json *j, const char *key, int64_t v);

/* Append s to sb as valid UTF-8: a byte that does not start a well-formed
 * sequence becomes U+FFFD.  Used by json_str() and html.c. */
void json_utf8_clean(struct strbuf *sb, const char *s, size_t len);
/* The length of the well-formed UTF-8 sequence at s (1-4), or 0. */
int json_utf8_len(const unsigned char *s, size_t left);

#endif
