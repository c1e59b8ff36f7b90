/*
 * meta_check.c - checks of TT05 values and objects (see meta.h): one value
 * against its field (NFC, no control or invisible characters, within its
 * length, a known code, a real date), the required fields and cross-field
 * rules of an object, and the guess of a legacy encoding (TCVN3, VNI,
 * Windows-1258) for bytes that are not Unicode.
 *
 * Error policy: a check reports the field, the value and why; it writes
 * nothing.
 */
#include "archive/meta.h"
#include "archive/meta_impl.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/db.h"
#include "engine/events.h"

bool meta_date_parse(const char *s, int *d, int *m, int *y)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int dd = 0, mm = 0, yy = 0, nd = 0, nm = 0, ny = 0;
	const char *p = s;
	for (; isdigit((unsigned char)*p); p++, nd++)
		dd = dd * 10 + (*p - '0');
	if (*p++ != '/' || nd < 1 || nd > 2)
		return false;
	for (; isdigit((unsigned char)*p); p++, nm++)
		mm = mm * 10 + (*p - '0');
	if (*p++ != '/' || nm < 1 || nm > 2)
		return false;
	for (; isdigit((unsigned char)*p); p++, ny++)
		yy = yy * 10 + (*p - '0');
	if (*p || ny != 4 || yy < 1000 || mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1])
		return false;
	if (mm == 2 && dd == 29 && !((yy % 4 == 0 && yy % 100 != 0) || yy % 400 == 0))
		return false;
	*d = dd;
	*m = mm;
	*y = yy;
	return true;
}

static bool invisible(ucs4_t c)
{
	return c == 0xAD || c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

/* Characters that never occur in Vietnamese but stand for Vietnamese
 * letters in text typed with the legacy fonts. */
static bool vni_char(ucs4_t c)
{
	return c == 0xE4 || c == 0xE5 || c == 0xEB || c == 0xEF || c == 0xF1 || c == 0xF6 || c == 0xF8 ||
	       c == 0xFB || c == 0xFC || c == 0xC4 || c == 0xC5 || c == 0xCB || c == 0xCF || c == 0xD1 ||
	       c == 0xD6 || c == 0xD8 || c == 0xDB || c == 0xDC;
}

static bool tcvn_char(ucs4_t c)
{
	return (c >= 0xA1 && c <= 0xBF && c != 0xAB && c != 0xBB && c != 0xB0 && c != 0xA7) || c == 0xAE;
}

static bool is_letter_ascii(ucs4_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

const char *meta_legacy_guess(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	if (len >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF)))
		return "UTF-16";
	if (u8_check(s, len)) {
		/* Score the high bytes by what precedes them. */
		int cp1258 = 0, vni = 0, tcvn = 0;
		for (size_t i = 1; i < len; i++) {
			unsigned char c = s[i], p = s[i - 1];
			if (c < 0x80)
				continue;
			/* Windows-1258: a tone byte after a letter, ASCII or one of its
			 * precomposed vowels (â ă ê ô ơ ư). */
			if ((c == 0xCC || c == 0xEC || c == 0xD2 || c == 0xDE || c == 0xF2) &&
			    ((p < 0x80 && isalpha(p)) || (p >= 0x80 && memchr("\xC2\xC3\xCA\xD4\xD5\xDD\xE2\xE3\xEA\xF4\xF5\xFD", p, 12))))
				cp1258 += 2;
			else if (p < 0x80 && strchr("aeiouyAEIOUYdD", p) && p)
				vni++;
			else
				tcvn++;
		}
		if (cp1258 >= vni && cp1258 >= tcvn && cp1258 > 0)
			return "Windows-1258";
		return vni > tcvn ? "VNI" : "TCVN3";
	}
	{
		int v = 0, t = 0;
		ucs4_t prev = 0;
		for (size_t i = 0; i < len;) {
			ucs4_t c;
			int k = u8_mbtouc(&c, s + i, len - i);
			if (tcvn_char(c) && (is_letter_ascii(prev) || i + (size_t)k < len))
				t++;
			if (vni_char(c) && is_letter_ascii(prev))
				v++;
			prev = c;
			i += (size_t)k;
		}
		if (t)
			return "TCVN3 font";
		if (v)
			return "VNI font";
	}
	return NULL;
}

static char *check_text(const struct meta_field *f, const char *value, struct errbuf *err)
{
	size_t len = strlen(value), nlen = 0;
	uint8_t *nfc;
	const char *legacy;
	if (u8_check((const uint8_t *)value, len)) {
		legacy = meta_legacy_guess(value, len);
		err_set(err, "field '%s': not UTF-8 (it looks like %s); save the file as 'CSV UTF-8' and import again", f->name, legacy);
		return NULL;
	}
	for (size_t i = 0; i < len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, (const uint8_t *)value + i, len - i);
		if ((c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7F && c < 0xA0)) {
			err_set(err, "field '%s': '%s': control character U+%04X", f->name, value, (unsigned)c);
			return NULL;
		}
		if (invisible(c)) {
			err_set(err, "field '%s': '%s': invisible character U+%04X", f->name, value, (unsigned)c);
			return NULL;
		}
		i += (size_t)k;
	}
	legacy = meta_legacy_guess(value, len);
	if (legacy) {
		err_set(err, "field '%s': '%s' looks like text typed with a %s, not Unicode; convert it (e.g. Unikey's converter) and try again", f->name, value, legacy);
		return NULL;
	}
	nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)value, len, NULL, &nlen);
	if (!nfc) {
		err_set(err, "field '%s': '%s': cannot normalize", f->name, value);
		return NULL;
	}
	{
		char *out = xstrndup((const char *)nfc, nlen);
		free(nfc);
		if (f->max > 0 && u8_mbsnlen((const uint8_t *)out, strlen(out)) > (size_t)f->max) {
			err_set(err, "field '%s': %zu characters, at most %d allowed", f->name,
				u8_mbsnlen((const uint8_t *)out, strlen(out)), f->max);
			free(out);
			return NULL;
		}
		return out;
	}
}

static char *check_code(const struct meta_field *f, const char *v, struct errbuf *err)
{
	char pad[8];
	if (meta_code_label(f->codes, v))
		return xstrdup(v);
	/* Excel turns "01" into "1". */
	if (strlen(v) == 1 && isdigit((unsigned char)v[0])) {
		snprintf(pad, sizeof(pad), "0%s", v);
		if (meta_code_label(f->codes, pad))
			return xstrdup(pad);
	}
	err_set(err, "field '%s': '%s' is not a code of list '%s' (%s to %s)", f->name, v, f->codes->name,
		f->codes->n ? f->codes->v[0].code : "?", f->codes->n ? f->codes->v[f->codes->n - 1].code : "?");
	return NULL;
}

char *meta_value_check(const struct meta_field *f, const char *value, struct errbuf *err)
{
	char *v = xstrdup(value), *t = str_trim(v), *out = NULL;
	int d, m, y;
	switch (f->type) {
	case META_TEXT:
		out = check_text(f, t, err);
		break;
	case META_CODE:
		out = check_code(f, t, err);
		break;
	case META_CODES: {
		struct strbuf sb;
		char *save = NULL, *tok;
		sb_init(&sb, 0);
		for (tok = strtok_r(t, ";,", &save); tok; tok = strtok_r(NULL, ";,", &save)) {
			char *c = check_code(f, str_trim(tok), err);
			if (!c) {
				sb_release(&sb);
				goto out;
			}
			if (sb.len)
				sb_addc(&sb, ';');
			sb_adds(&sb, c);
			free(c);
		}
		if (!sb.len) {
			err_set(err, "field '%s': no code given", f->name);
			sb_release(&sb);
			goto out;
		}
		out = sb_detach(&sb);
		break;
	}
	case META_DATE:
		if (!meta_date_parse(t, &d, &m, &y))
			err_set(err, "field '%s': '%s' is not a date (DD/MM/YYYY)", f->name, t);
		else
			out = xasprintf("%02d/%02d/%04d", d, m, y);
		break;
	case META_NUMBER: {
		size_t n = strlen(t);
		bool ok = n > 0;
		for (size_t i = 0; i < n; i++)
			ok = ok && isdigit((unsigned char)t[i]);
		if (!ok)
			err_set(err, "field '%s': '%s' is not a number", f->name, t);
		else if (f->max > 0 && n > (size_t)f->max)
			err_set(err, "field '%s': '%s' has more than %d digits", f->name, t, f->max);
		else
			out = xstrdup(t);
		break;
	}
	case META_BOOL:
		if (strcmp(t, "0") && strcmp(t, "1"))
			err_set(err, "field '%s': '%s' is not 0 or 1", f->name, t);
		else
			out = xstrdup(t);
		break;
	}
	if (out && f->type != META_TEXT && strlen(out) > 0 && f->max > 0 && f->type != META_NUMBER &&
	    f->type != META_CODES && strlen(out) > (size_t)f->max + 8) {
		err_set(err, "field '%s': '%s' is too long", f->name, out);
		free(out);
		out = NULL;
	}
out:
	free(v);
	return out;
}

long meta_check_date_key(const char *s)
{
	int d, m, y;
	return s && meta_date_parse(s, &d, &m, &y) ? (long)y * 10000 + m * 100 + d : -1;
}

int meta_check_object(struct db *db, const struct meta_schema *s, const struct meta_object *obj,
		      const char *prefix, struct strbuf *report)
{
	int nerr = 0;
	char *conf = meta_store_entered(db, obj, "confidenceLevel");
	bool digitized = conf && !strcmp(conf, "02");
	free(conf);
	for (int i = 0; i < s->n; i++) {
		const struct meta_field *f = &s->f[i];
		char *v, *c;
		bool need = false;
		if (f->level != obj->level)
			continue;
		if (f->req == 'y')
			need = true;
		else if (f->req == 'd')
			need = digitized;
		else if (f->req == 'i') {
			c = meta_store_entered(db, obj, f->if_field);
			need = c && !strcmp(c, f->if_value);
			free(c);
		}
		if (!need)
			continue;
		v = meta_store_entered(db, obj, f->name);
		if (!v || !*v) {
			if (f->req == 'd')
				sb_addf(report, "%sfield '%s': required for a digitized %s (confidenceLevel 02)\n", prefix, f->name, meta_level_name(obj->level));
			else if (f->req == 'i')
				sb_addf(report, "%sfield '%s': required when %s is %s\n", prefix, f->name, f->if_field, f->if_value);
			else
				sb_addf(report, "%sfield '%s': required\n", prefix, f->name);
			nerr++;
		}
		free(v);
	}
	{
		char *a = meta_store_entered(db, obj, "startDate"), *b = meta_store_entered(db, obj, "endDate");
		if (a && b && meta_check_date_key(a) > meta_check_date_key(b)) {
			sb_addf(report, "%sfield 'endDate': '%s' is before startDate '%s'\n", prefix, b, a);
			nerr++;
		}
		free(a);
		free(b);
	}
	return nerr;
}
