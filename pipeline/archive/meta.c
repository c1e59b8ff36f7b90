/*
 * meta.c - TT05 metadata: schema, validation, storage, CSV import and
 * export (see meta.h).
 *
 * Invariants: every value in the meta table passed meta_value_check() (NFC,
 * no control or invisible characters, within its length, a known code, a
 * real date); files.title and files.paper_file_code mirror the meta values
 * of the same name; every change is an audit event with the old and the new
 * value.  Error policy: a check reports the field, the value and why; an
 * import collects every error of every row ("row N: ...") and writes nothing
 * unless all rows are good (one transaction, rolled back on any error).
 * Legacy encodings: bytes that are not UTF-8 are refused with the row, the
 * field and the encoding they look like; Windows-1258 can be converted on
 * request (--encoding windows-1258, iconv); TCVN3 and VNI are refused with
 * advice to convert them (a wrong guess there silently corrupts names, and
 * the archive must look at such a file anyway).
 */
#include "archive/meta.h"

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

#define ROW_MAX_FIELDS 64

const char *meta_level_name(enum meta_level level)
{
	return level == META_FILE ? "file" : "document";
}

/* Split a line at tabs into at most max fields; returns the count. */
static int split_tabs(char *line, char **out, int max)
{
	int n = 0;
	char *p = line;
	while (n < max) {
		char *t = strchr(p, '\t');
		out[n++] = str_trim(p);
		if (!t)
			break;
		*t = '\0';
		p = t + 1;
	}
	return n;
}

static int codelist_load(struct meta_codelist *cl, const char *dir, const char *name, struct errbuf *err)
{
	char *path = xasprintf("%s/codes/%s.tsv", dir, name), line[1024];
	FILE *f = fopen(path, "r");
	int lineno = 0;
	cl->name = xstrdup(name);
	if (!f) {
		err_set(err, "cannot open code list '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *col[3], *s;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		s = str_trim(line);
		if (!*s || *s == '#')
			continue;
		if (split_tabs(s, col, 3) < 2 || !*col[0]) {
			err_set(err, "%s:%d: '%s': expected code<TAB>label", path, lineno, s);
			fclose(f);
			free(path);
			return -1;
		}
		cl->v = xrealloc(cl->v, sizeof(*cl->v) * (size_t)(cl->n + 1));
		cl->v[cl->n].code = xstrdup(col[0]);
		cl->v[cl->n].label = xstrdup(col[1]);
		cl->n++;
	}
	fclose(f);
	free(path);
	return 0;
}

const struct meta_codelist *meta_codelist_find(const struct meta_schema *s, const char *name)
{
	for (int i = 0; i < s->ncl; i++)
		if (!strcmp(s->cl[i].name, name))
			return &s->cl[i];
	return NULL;
}

const char *meta_code_label(const struct meta_codelist *cl, const char *code)
{
	for (int i = 0; cl && i < cl->n; i++)
		if (!strcmp(cl->v[i].code, code))
			return cl->v[i].label;
	return NULL;
}

static const struct { const char *name; enum meta_type type; } types[] = {
	{"text", META_TEXT}, {"code", META_CODE}, {"codes", META_CODES},
	{"date", META_DATE}, {"number", META_NUMBER}, {"bool", META_BOOL},
};

struct meta_schema *meta_schema_load(const char *dir, struct errbuf *err)
{
	char *path = xasprintf("%s/tt05-fields.tsv", dir), line[4096], *npath = NULL;
	struct meta_schema *s = xcalloc(1, sizeof(*s));
	FILE *f = fopen(path, "r");
	int lineno = 0;
	char **clname = NULL; /* code list name per field, resolved at the end */
	if (!f) {
		err_set(err, "cannot open the metadata schema '%s': %s", path, strerror(errno));
		goto fail;
	}
	while (fgets(line, sizeof(line), f)) {
		char *col[9], *l;
		struct meta_field *fd;
		int ncol, t;
		lineno++;
		line[strcspn(line, "\r\n")] = '\0';
		l = str_trim(line);
		if (!*l || *l == '#')
			continue;
		ncol = split_tabs(l, col, 9);
		if (ncol != 8) {
			err_set(err, "%s:%d: '%s': expected 8 tab-separated columns, found %d", path, lineno, l, ncol);
			goto fail_f;
		}
		s->f = xrealloc(s->f, sizeof(*s->f) * (size_t)(s->n + 1));
		clname = xrealloc(clname, sizeof(*clname) * (size_t)(s->n + 1));
		fd = &s->f[s->n];
		memset(fd, 0, sizeof(*fd));
		clname[s->n] = NULL;
		s->n++;
		if (!strcmp(col[0], "file"))
			fd->level = META_FILE;
		else if (!strcmp(col[0], "document"))
			fd->level = META_DOCUMENT;
		else {
			err_set(err, "%s:%d: level '%s': expected 'file' or 'document'", path, lineno, col[0]);
			goto fail_f;
		}
		fd->name = xstrdup(col[1]);
		fd->label = xstrdup(col[2]);
		for (t = 0; t < (int)(sizeof(types) / sizeof(types[0])); t++)
			if (!strcmp(types[t].name, col[3]))
				break;
		if (t == (int)(sizeof(types) / sizeof(types[0]))) {
			err_set(err, "%s:%d: type '%s': expected text, code, codes, date, number or bool", path, lineno, col[3]);
			goto fail_f;
		}
		fd->type = types[t].type;
		fd->max = atoi(col[4]);
		if (!strcmp(col[5], "yes"))
			fd->req = 'y';
		else if (!strcmp(col[5], "no"))
			fd->req = 'n';
		else if (!strcmp(col[5], "digitized"))
			fd->req = 'd';
		else if (str_starts(col[5], "if:") && strchr(col[5], '=')) {
			char *eq = strchr(col[5], '=');
			fd->req = 'i';
			fd->if_field = xstrndup(col[5] + 3, (size_t)(eq - col[5] - 3));
			fd->if_value = xstrdup(eq + 1);
		} else {
			err_set(err, "%s:%d: required '%s': expected yes, no, digitized or if:FIELD=VALUE", path, lineno, col[5]);
			goto fail_f;
		}
		if ((fd->type == META_CODE || fd->type == META_CODES) != (strcmp(col[6], "-") != 0)) {
			err_set(err, "%s:%d: field '%s': a code list is needed for code and codes, and only for them", path, lineno, fd->name);
			goto fail_f;
		}
		if (strcmp(col[6], "-"))
			clname[s->n - 1] = xstrdup(col[6]);
		if (strcmp(col[7], "-"))
			fd->def = xstrdup(col[7]);
	}
	fclose(f);
	for (int i = 0; i < s->n; i++) {
		if (!clname[i])
			continue;
		if (!meta_codelist_find(s, clname[i])) {
			/* Grow first, then point fields at the lists once all are loaded. */
			s->cl = xrealloc(s->cl, sizeof(*s->cl) * (size_t)(s->ncl + 1));
			memset(&s->cl[s->ncl], 0, sizeof(s->cl[0]));
			s->ncl++;
			if (codelist_load(&s->cl[s->ncl - 1], dir, clname[i], err) < 0)
				goto fail;
		}
	}
	for (int i = 0; i < s->n; i++)
		if (clname[i])
			s->f[i].codes = meta_codelist_find(s, clname[i]);
	for (int i = 0; i < s->n; i++) {
		struct errbuf e;
		char *v;
		if (!s->f[i].def)
			continue;
		err_init(&e);
		v = meta_value_check(&s->f[i], s->f[i].def, &e);
		if (!v) {
			err_set(err, "%s: default of %s", path, e.msg);
			goto fail;
		}
		free(v);
	}
	npath = xasprintf("%s/naming.conf", dir);
	if (filecode_naming_load(npath, &s->naming, err) < 0)
		goto fail;
	free(npath);
	for (int i = 0; i < s->n; i++)
		free(clname[i]);
	free(clname);
	free(path);
	return s;
fail_f:
	fclose(f);
fail:
	for (int i = 0; clname && i < s->n; i++)
		free(clname[i]);
	free(clname);
	free(npath);
	free(path);
	meta_schema_free(s);
	return NULL;
}

void meta_schema_free(struct meta_schema *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->n; i++) {
		free(s->f[i].name);
		free(s->f[i].label);
		free(s->f[i].if_field);
		free(s->f[i].if_value);
		free(s->f[i].def);
	}
	for (int i = 0; i < s->ncl; i++) {
		for (int j = 0; j < s->cl[i].n; j++) {
			free(s->cl[i].v[j].code);
			free(s->cl[i].v[j].label);
		}
		free(s->cl[i].v);
		free(s->cl[i].name);
	}
	free(s->f);
	free(s->cl);
	filecode_naming_release(&s->naming);
	free(s);
}

const struct meta_field *meta_field_find(const struct meta_schema *s, enum meta_level level, const char *name)
{
	for (int i = 0; i < s->n; i++)
		if (s->f[i].level == level && !strcmp(s->f[i].name, name))
			return &s->f[i];
	return NULL;
}

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

/* ---- objects ---- */

static int resolve_file(sqlite3 *db, const char *ref, struct meta_object *obj)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT id, file_code FROM files WHERE file_code = ?1 OR alias = ?1");
	int found = 0;
	sqlite3_bind_text(st, 1, ref, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		obj->level = META_FILE;
		obj->id = sqlite3_column_int64(st, 0);
		obj->file_id = obj->id;
		snprintf(obj->name, sizeof(obj->name), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(obj->label, sizeof(obj->label), "file:%s", obj->name);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

static int resolve_doc_sql(sqlite3 *db, const char *sql, const char *text, int64_t a, int64_t b, struct meta_object *obj)
{
	sqlite3_stmt *st = db_prepare(db, sql);
	int found = 0;
	if (text)
		sqlite3_bind_text(st, 1, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 1, a);
	sqlite3_bind_int64(st, 2, b);
	if (sqlite3_step(st) == SQLITE_ROW) {
		obj->level = META_DOCUMENT;
		obj->id = sqlite3_column_int64(st, 0);
		obj->file_id = sqlite3_column_int64(st, 1);
		snprintf(obj->name, sizeof(obj->name), "%s", sqlite3_column_text(st, 2) ? (const char *)sqlite3_column_text(st, 2) : "");
		snprintf(obj->label, sizeof(obj->label), "document:%lld", (long long)obj->id);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
}

int meta_resolve(sqlite3 *db, const char *ref, struct meta_object *obj, struct errbuf *err)
{
	char *fc = NULL;
	long stt;
	struct errbuf e;
	struct filecode_legacy lg;
	memset(obj, 0, sizeof(*obj));
	if (resolve_file(db, ref, obj))
		return 0;
	if (str_starts(ref, "document:") &&
	    resolve_doc_sql(db, "SELECT id, COALESCE(file_id, 0), name FROM documents WHERE id = ?1", NULL,
			    strtoll(ref + 9, NULL, 10), 0, obj))
		return 0;
	if (resolve_doc_sql(db, "SELECT id, COALESCE(file_id, 0), name FROM documents WHERE name = ?1", ref, 0, 0, obj))
		return 0;
	err_init(&e);
	if (filecode_split_doc(ref, &fc, &stt, &e) == 0) {
		struct meta_object f;
		int ok = resolve_file(db, fc, &f) &&
			 resolve_doc_sql(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, stt, obj);
		free(fc);
		if (ok)
			return 0;
	}
	err_init(&e);
	if (filecode_legacy_parse(ref, &lg, &e) == 0 && lg.kind == 'd') {
		char *file = filecode_legacy_file(&lg);
		struct meta_object f;
		int ok = resolve_file(db, file, &f) &&
			 resolve_doc_sql(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, lg.doc, obj);
		free(file);
		if (ok)
			return 0;
	}
	return err_set(err, "'%s': no such file or document", ref);
}

char *meta_get(sqlite3 *db, enum meta_level level, int64_t id, const char *field, char **source)
{
	sqlite3_stmt *st = db_prepare(db, "SELECT value, source FROM meta WHERE object = ?1 AND object_id = ?2 AND field = ?3");
	char *v = NULL;
	sqlite3_bind_text(st, 1, meta_level_name(level), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, id);
	sqlite3_bind_text(st, 3, field, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		v = db_col_strdup(st, 0);
		if (source)
			*source = db_col_strdup(st, 1);
	} else if (source) {
		*source = NULL;
	}
	sqlite3_finalize(st);
	return v;
}

int meta_put(sqlite3 *db, const struct meta_object *obj, const char *field, const char *value,
	     const char *source, double confidence, const char *agent, struct errbuf *err)
{
	char *oldsrc = NULL, *old = meta_get(db, obj->level, obj->id, field, &oldsrc);
	sqlite3_stmt *st;
	struct strbuf detail;
	int rc = -1;
	if ((old == NULL && value == NULL) ||
	    (old && value && !strcmp(old, value) && oldsrc && !strcmp(oldsrc, source))) {
		rc = 0;
		goto out;
	}
	if (value) {
		st = db_prepare(db, "INSERT INTO meta(object, object_id, field, value, source, confidence) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"
				    " ON CONFLICT(object, object_id, field) DO UPDATE SET value = ?4, source = ?5, confidence = ?6");
		sqlite3_bind_text(st, 4, value, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, source, -1, SQLITE_STATIC);
		if (confidence >= 0)
			sqlite3_bind_double(st, 6, confidence);
	} else {
		st = db_prepare(db, "DELETE FROM meta WHERE object = ?1 AND object_id = ?2 AND field = ?3");
	}
	sqlite3_bind_text(st, 1, meta_level_name(obj->level), -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, obj->id);
	sqlite3_bind_text(st, 3, field, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		err_set(err, "%s: field '%s': cannot write: %s", obj->label, field, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		goto out;
	}
	sqlite3_finalize(st);
	if (obj->level == META_FILE && (!strcmp(field, "title") || !strcmp(field, "paperFileCode"))) {
		st = db_prepare(db, !strcmp(field, "title") ? "UPDATE files SET title = ?1 WHERE id = ?2"
							    : "UPDATE files SET paper_file_code = ?1 WHERE id = ?2");
		if (value)
			sqlite3_bind_text(st, 1, value, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, obj->id);
		sqlite3_step(st);
		sqlite3_finalize(st);
	}
	sb_init(&detail, 0);
	sb_adds(&detail, "{\"field\":");
	sb_add_json_str(&detail, field);
	sb_adds(&detail, ",\"old\":");
	if (old)
		sb_add_json_str(&detail, old);
	else
		sb_adds(&detail, "null");
	sb_adds(&detail, ",\"new\":");
	if (value)
		sb_add_json_str(&detail, value);
	else
		sb_adds(&detail, "null");
	sb_adds(&detail, ",\"source\":");
	sb_add_json_str(&detail, source);
	if (oldsrc) {
		sb_adds(&detail, ",\"old_source\":");
		sb_add_json_str(&detail, oldsrc);
	}
	sb_addc(&detail, '}');
	rc = events_add(db, agent, "metadata modification", obj->label, "success", detail.buf);
	if (rc < 0)
		err_set(err, "%s: cannot record the event: %s", obj->label, sqlite3_errmsg(db));
	sb_release(&detail);
out:
	free(old);
	free(oldsrc);
	return rc;
}

/* An entered (not proposed) value. */
static char *entered(sqlite3 *db, const struct meta_object *obj, const char *field)
{
	char *src = NULL, *v = meta_get(db, obj->level, obj->id, field, &src);
	if (v && src && !strcmp(src, "proposed")) {
		free(v);
		v = NULL;
	}
	free(src);
	return v;
}

static long date_key(const char *s)
{
	int d, m, y;
	return s && meta_date_parse(s, &d, &m, &y) ? (long)y * 10000 + m * 100 + d : -1;
}

int meta_check_object(sqlite3 *db, const struct meta_schema *s, const struct meta_object *obj,
		      const char *prefix, struct strbuf *report)
{
	int nerr = 0;
	char *conf = entered(db, obj, "confidenceLevel");
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
			c = entered(db, obj, f->if_field);
			need = c && !strcmp(c, f->if_value);
			free(c);
		}
		if (!need)
			continue;
		v = entered(db, obj, f->name);
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
		char *a = entered(db, obj, "startDate"), *b = entered(db, obj, "endDate");
		if (a && b && date_key(a) > date_key(b)) {
			sb_addf(report, "%sfield 'endDate': '%s' is before startDate '%s'\n", prefix, b, a);
			nerr++;
		}
		free(a);
		free(b);
	}
	return nerr;
}

static int put_defaults(sqlite3 *db, const struct meta_schema *s, const struct meta_object *obj,
			const char *agent, struct errbuf *err)
{
	for (int i = 0; i < s->n; i++) {
		char *v;
		if (s->f[i].level != obj->level || !s->f[i].def)
			continue;
		v = meta_get(db, obj->level, obj->id, s->f[i].name, NULL);
		if (!v && meta_put(db, obj, s->f[i].name, s->f[i].def, "system", -1, agent, err) < 0)
			return -1;
		free(v);
	}
	return 0;
}

int meta_file_add(sqlite3 *db, const struct meta_schema *s, const char *file_code, const char *paper,
		  const char *alias, int64_t fonds_id, const char *agent, int64_t *id, struct errbuf *err)
{
	struct meta_object obj;
	struct filecode_legacy lg;
	const struct meta_field *pf = meta_field_find(s, META_FILE, "paperFileCode");
	char *pv = NULL;
	sqlite3_stmt *st;
	int rc = -1;
	if (filecode_parse(file_code, NULL, err) < 0)
		return -1;
	if (!filecode_name_safe(file_code, err))
		return -1;
	st = db_prepare(db, "SELECT 1 FROM files WHERE file_code = ?1 OR alias = ?1");
	sqlite3_bind_text(st, 1, file_code, -1, SQLITE_STATIC);
	rc = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	if (rc)
		return err_set(err, "file '%s' already exists", file_code);
	if (alias) {
		if (filecode_legacy_parse(alias, &lg, err) < 0)
			return -1;
		if (lg.kind != 'f')
			return err_set(err, "alias '%s': a file's legacy name has 4 parts (archive-fonds-inventory-file)", alias);
		st = db_prepare(db, "SELECT 1 FROM files WHERE alias = ?1");
		sqlite3_bind_text(st, 1, alias, -1, SQLITE_STATIC);
		rc = sqlite3_step(st) == SQLITE_ROW;
		sqlite3_finalize(st);
		if (rc)
			return err_set(err, "alias '%s' is already the alias of another file", alias);
	}
	if (paper && pf) {
		pv = meta_value_check(pf, paper, err);
		if (!pv)
			return -1;
	}
	st = db_prepare(db, "INSERT INTO files(fonds_id, file_code, paper_file_code, alias, created) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (fonds_id > 0)
		sqlite3_bind_int64(st, 1, fonds_id);
	sqlite3_bind_text(st, 2, file_code, -1, SQLITE_STATIC);
	if (pv)
		sqlite3_bind_text(st, 3, pv, -1, SQLITE_STATIC);
	if (alias)
		sqlite3_bind_text(st, 4, alias, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms());
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	if (rc < 0) {
		err_set(err, "file '%s': cannot add: %s", file_code, sqlite3_errmsg(db));
		goto out;
	}
	memset(&obj, 0, sizeof(obj));
	obj.level = META_FILE;
	obj.id = obj.file_id = sqlite3_last_insert_rowid(db);
	snprintf(obj.name, sizeof(obj.name), "%s", file_code);
	snprintf(obj.label, sizeof(obj.label), "file:%s", file_code);
	rc = -1;
	if (meta_put(db, &obj, "fileCode", file_code, "system", -1, agent, err) < 0 ||
	    (pv && meta_put(db, &obj, "paperFileCode", pv, "operator", -1, agent, err) < 0) ||
	    put_defaults(db, s, &obj, agent, err) < 0)
		goto out;
	if (events_add(db, agent, "registration", obj.label, "success", alias ? alias : NULL) < 0) {
		err_set(err, "%s: cannot record the event", obj.label);
		goto out;
	}
	if (id)
		*id = obj.id;
	rc = 0;
out:
	free(pv);
	return rc;
}

int64_t meta_doc_insert(sqlite3 *db, int64_t file_id, int64_t batch_id, int64_t stt, const char *name, struct errbuf *err)
{
	sqlite3_stmt *st = db_prepare(db, "INSERT INTO documents(file_id, batch_id, stt, name, state, created) VALUES (?1, ?2, ?3, ?4, 'open', ?5)");
	int64_t id = -1;
	if (file_id)
		sqlite3_bind_int64(st, 1, file_id);
	if (batch_id)
		sqlite3_bind_int64(st, 2, batch_id);
	sqlite3_bind_int64(st, 3, stt);
	sqlite3_bind_text(st, 4, name, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms());
	if (sqlite3_step(st) == SQLITE_DONE)
		id = sqlite3_last_insert_rowid(db);
	else
		err_set(err, "%s", sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return id;
}

int meta_doc_init(sqlite3 *db, const struct meta_schema *s, int64_t doc_id, const char *file_code, long stt,
		  const char *agent, struct errbuf *err)
{
	struct meta_object obj;
	char *code;
	int rc;
	memset(&obj, 0, sizeof(obj));
	obj.level = META_DOCUMENT;
	obj.id = doc_id;
	snprintf(obj.label, sizeof(obj.label), "document:%lld", (long long)doc_id);
	code = filecode_expand(s->naming.doc_code, file_code, stt, err);
	if (!code)
		return -1;
	rc = meta_put(db, &obj, "docCode", code, "system", -1, agent, err);
	free(code);
	if (rc == 0)
		rc = put_defaults(db, s, &obj, agent, err);
	return rc;
}

static bool identity_field(const char *name)
{
	return !strcmp(name, "fileCode") || !strcmp(name, "docCode");
}

int meta_set(sqlite3 *db, const struct meta_schema *s, const struct meta_object *obj, int n,
	     char *const *pairs, const char *agent, struct errbuf *err)
{
	char **vals = xcalloc((size_t)n + 1, sizeof(char *)), **names = xcalloc((size_t)n + 1, sizeof(char *));
	struct strbuf report;
	int rc = -1;
	sb_init(&report, 0);
	for (int i = 0; i < n; i++) {
		const char *eq = strchr(pairs[i], '=');
		const struct meta_field *f;
		if (!eq) {
			err_set(err, "'%s': expected FIELD=VALUE", pairs[i]);
			goto out;
		}
		names[i] = xstrndup(pairs[i], (size_t)(eq - pairs[i]));
		f = meta_field_find(s, obj->level, names[i]);
		if (!f) {
			err_set(err, "field '%s': not a %s field of the TT05 schema", names[i], meta_level_name(obj->level));
			goto out;
		}
		if (identity_field(f->name)) {
			err_set(err, "field '%s': the identity of a %s cannot be set", f->name, meta_level_name(obj->level));
			goto out;
		}
		if (eq[1] && !(vals[i] = meta_value_check(f, eq + 1, err)))
			goto out;
	}
	if (db_begin(db, err) < 0)
		goto out;
	for (int i = 0; i < n; i++)
		if (meta_put(db, obj, names[i], vals[i], "operator", -1, agent, err) < 0)
			goto rollback;
	{
		/* Cross-field rules only: a file is filled in step by step. */
		char *a = entered(db, obj, "startDate"), *b = entered(db, obj, "endDate");
		bool bad = a && b && date_key(a) > date_key(b);
		if (bad)
			err_set(err, "field 'endDate': '%s' is before startDate '%s'", b, a);
		free(a);
		free(b);
		if (bad)
			goto rollback;
	}
	if (db_commit(db, err) < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	db_rollback(db);
out:
	for (int i = 0; i < n; i++) {
		free(vals[i]);
		free(names[i]);
	}
	free(vals);
	free(names);
	sb_release(&report);
	return rc;
}

/* ---- CSV ---- */

struct csv {
	const char *p, *end;
	char sep;
	int row;          /* the record just read, 1 = header */
};

/* Read one record into fields (strings owned by the caller); returns the
 * count, 0 at the end, -1 on a quote error. */
static int csv_next(struct csv *c, char **fields, int max)
{
	int n = 0;
	struct strbuf sb;
	if (c->p >= c->end)
		return 0;
	c->row++;
	sb_init(&sb, 0);
	for (;;) {
		bool quoted = false;
		sb_reset(&sb);
		if (c->p < c->end && *c->p == '"') {
			quoted = true;
			c->p++;
			for (;;) {
				if (c->p >= c->end)
					goto bad;
				if (*c->p == '"') {
					if (c->p + 1 < c->end && c->p[1] == '"') {
						sb_addc(&sb, '"');
						c->p += 2;
						continue;
					}
					c->p++;
					break;
				}
				sb_addc(&sb, *c->p++);
			}
		}
		while (c->p < c->end && *c->p != c->sep && *c->p != '\n' && *c->p != '\r') {
			if (quoted && !isspace((unsigned char)*c->p))
				goto bad;
			if (*c->p == '"' && !quoted)
				goto bad;
			sb_addc(&sb, *c->p++);
		}
		if (n < max)
			fields[n] = xstrdup(sb.buf ? sb.buf : "");
		n++;
		if (c->p < c->end && *c->p == c->sep) {
			c->p++;
			continue;
		}
		if (c->p < c->end && *c->p == '\r')
			c->p++;
		if (c->p < c->end && *c->p == '\n')
			c->p++;
		break;
	}
	sb_release(&sb);
	return n;
bad:
	while (c->p < c->end && *c->p != '\n')
		c->p++;
	if (c->p < c->end)
		c->p++;
	sb_release(&sb);
	for (int i = 0; i < n && i < max; i++)
		free(fields[i]);
	return -1;
}

static void free_fields(char **f, int n)
{
	for (int i = 0; i < n && i < ROW_MAX_FIELDS; i++) {
		free(f[i]);
		f[i] = NULL;
	}
}

static char *to_utf8_cp1258(const char *data, size_t len, struct errbuf *err)
{
	iconv_t cd = iconv_open("UTF-8", "WINDOWS-1258");
	size_t outsz = len * 4 + 16, inleft = len, outleft = outsz, nlen = 0;
	char *out = xmalloc(outsz), *in = (char *)data, *o = out;
	uint8_t *nfc;
	if (cd == (iconv_t)-1) {
		free(out);
		err_set(err, "cannot convert from Windows-1258: %s", strerror(errno));
		return NULL;
	}
	if (iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
		err_set(err, "cannot convert from Windows-1258 at byte %zu: %s", len - inleft, strerror(errno));
		iconv_close(cd);
		free(out);
		return NULL;
	}
	iconv_close(cd);
	/* Windows-1258 writes tones as combining marks: compose them. */
	nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)out, outsz - outleft, NULL, &nlen);
	free(out);
	out = xstrndup((const char *)nfc, nlen);
	free(nfc);
	return out;
}

static int import_row(sqlite3 *db, const struct meta_schema *s, enum meta_level level,
		      const struct meta_field **cols, char **val, int ncol, int row, const char *agent,
		      struct strbuf *report, struct strbuf *seen)
{
	struct meta_object obj;
	struct errbuf e;
	char prefix[48], *key = NULL, *fc = NULL, **norm = xcalloc((size_t)ncol, sizeof(char *));
	int nerr = 0, keycol = -1;
	long stt = 0;
	snprintf(prefix, sizeof(prefix), "row %d: ", row);
	for (int i = 0; i < ncol; i++) {
		if (identity_field(cols[i]->name))
			keycol = i;
		if (!*str_trim(val[i]) || identity_field(cols[i]->name))
			continue;
		err_init(&e);
		norm[i] = meta_value_check(cols[i], val[i], &e);
		if (!norm[i]) {
			sb_addf(report, "%s%s\n", prefix, e.msg);
			nerr++;
		}
	}
	key = str_trim(val[keycol]);
	memset(&obj, 0, sizeof(obj));
	err_init(&e);
	if (!*key) {
		sb_addf(report, "%sfield '%s': required\n", prefix, cols[keycol]->name);
		nerr++;
		goto out;
	}
	{
		/* The same object twice in one file is an error, not a merge. */
		char *needle = xasprintf("\n%s\t", key), *hit = seen->buf ? strstr(seen->buf, needle) : NULL;
		free(needle);
		if (hit) {
			sb_addf(report, "%sfield '%s': '%s' is already in row %d\n", prefix, cols[keycol]->name, key, atoi(hit + strlen(key) + 2));
			nerr++;
			goto out;
		}
		sb_addf(seen, "\n%s\t%d", key, row);
	}
	if (level == META_FILE) {
		if (meta_resolve(db, key, &obj, &e) < 0 || obj.level != META_FILE) {
			int col_paper = -1;
			err_init(&e);
			for (int i = 0; i < ncol; i++)
				if (!strcmp(cols[i]->name, "paperFileCode"))
					col_paper = i;
			if (filecode_parse(key, NULL, &e) < 0) {
				struct filecode_legacy lg;
				struct errbuf e2;
				err_init(&e2);
				if (filecode_legacy_parse(key, &lg, &e2) == 0)
					sb_addf(report, "%sfield 'fileCode': legacy name '%s' is the alias of no file; add the file with 'sohoa file add CODE --alias %s'\n", prefix, key, key);
				else
					sb_addf(report, "%sfield 'fileCode': %s\n", prefix, e.msg);
				nerr++;
				goto out;
			}
			if (nerr)
				goto out;
			if (meta_file_add(db, s, key, col_paper >= 0 && norm[col_paper] ? norm[col_paper] : NULL, NULL, 0, agent, NULL, &e) < 0 ||
			    meta_resolve(db, key, &obj, &e) < 0) {
				sb_addf(report, "%s%s\n", prefix, e.msg);
				nerr++;
				goto out;
			}
		}
	} else {
		struct meta_object f;
		struct filecode_legacy lg;
		if (filecode_split_doc(key, &fc, &stt, &e) < 0) {
			struct errbuf e2;
			err_init(&e2);
			if (filecode_legacy_parse(key, &lg, &e2) == 0 && lg.kind == 'd') {
				fc = filecode_legacy_file(&lg);
				stt = lg.doc;
			} else {
				sb_addf(report, "%sfield 'docCode': %s\n", prefix, e.msg);
				nerr++;
				goto out;
			}
		}
		err_init(&e);
		if (meta_resolve(db, fc, &f, &e) < 0 || f.level != META_FILE) {
			sb_addf(report, "%sfield 'docCode': '%s': the file '%s' is not registered (sohoa file add)\n", prefix, key, fc);
			nerr++;
			goto out;
		}
		if (nerr)
			goto out;
		err_init(&e);
		if (!resolve_doc_sql(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, stt, &obj)) {
			char *name = filecode_doc_name(&s->naming, f.name, stt, &e);
			int64_t doc;
			if (!name) {
				sb_addf(report, "%sfield 'docCode': %s\n", prefix, e.msg);
				nerr++;
				goto out;
			}
			err_init(&e);
			doc = meta_doc_insert(db, f.id, 0, stt, name, &e);
			if (doc < 0) {
				sb_addf(report, "%sfield 'docCode': '%s': cannot add document '%s': %s\n", prefix, key, name, e.msg);
				nerr++;
			}
			free(name);
			if (nerr)
				goto out;
			resolve_doc_sql(db, "SELECT id, file_id, name FROM documents WHERE id = ?1", NULL, doc, 0, &obj);
			if (meta_doc_init(db, s, obj.id, f.name, stt, agent, &e) < 0) {
				sb_addf(report, "%s%s\n", prefix, e.msg);
				nerr++;
				goto out;
			}
		}
	}
	if (nerr)
		goto out;
	for (int i = 0; i < ncol; i++) {
		if (!norm[i])
			continue;
		err_init(&e);
		if (meta_put(db, &obj, cols[i]->name, norm[i], "import", -1, agent, &e) < 0) {
			sb_addf(report, "%s%s\n", prefix, e.msg);
			nerr++;
		}
	}
	nerr += meta_check_object(db, s, &obj, prefix, report);
out:
	for (int i = 0; i < ncol; i++)
		free(norm[i]);
	free(norm);
	free(fc);
	return nerr;
}

int meta_import_csv(sqlite3 *db, const struct meta_schema *s, const char *data, size_t len,
		    const char *encoding, const char *agent, struct strbuf *report, int *nrows)
{
	struct csv c;
	char *hdr[ROW_MAX_FIELDS] = {0}, *val[ROW_MAX_FIELDS] = {0}, *conv = NULL;
	const struct meta_field *cols[ROW_MAX_FIELDS];
	enum meta_level level;
	int ncol, nerr = 0, n, keycol = -1;
	struct errbuf e;
	struct strbuf seen;
	const char *guess;
	*nrows = 0;
	err_init(&e);
	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) {
		data += 3;
		len -= 3;
	}
	if (encoding) {
		if (strcasecmp(encoding, "windows-1258") && strcasecmp(encoding, "cp1258") && strcasecmp(encoding, "utf-8")) {
			sb_addf(report, "encoding '%s': only utf-8 and windows-1258 can be converted; convert TCVN3 and VNI files to Unicode first (e.g. Unikey's converter)\n", encoding);
			return -1;
		}
		if (strcasecmp(encoding, "utf-8")) {
			conv = to_utf8_cp1258(data, len, &e);
			if (!conv) {
				sb_addf(report, "%s\n", e.msg);
				return -1;
			}
			data = conv;
			len = strlen(conv);
		}
	}
	guess = meta_legacy_guess(data, len);
	if (guess && !strcmp(guess, "UTF-16")) {
		sb_addf(report, "the file is UTF-16 (Excel 'Unicode Text'); save it as 'CSV UTF-8' and import again\n");
		free(conv);
		return -1;
	}
	c.p = data;
	c.end = data + len;
	c.row = 0;
	/* Excel in some locales separates with ';'. */
	{
		const char *nl = memchr(data, '\n', len);
		size_t hl = nl ? (size_t)(nl - data) : len;
		c.sep = memchr(data, ',', hl) || !memchr(data, ';', hl) ? ',' : ';';
	}
	ncol = csv_next(&c, hdr, ROW_MAX_FIELDS);
	if (ncol <= 0 || ncol > ROW_MAX_FIELDS) {
		sb_addf(report, "row 1: %s\n", ncol == 0 ? "the file is empty" : ncol < 0 ? "bad quoting in the header" : "too many columns");
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	level = META_FILE;
	for (int i = 0; i < ncol; i++)
		if (!strcmp(str_trim(hdr[i]), "docCode"))
			level = META_DOCUMENT;
	for (int i = 0; i < ncol; i++) {
		cols[i] = meta_field_find(s, level, str_trim(hdr[i]));
		if (!cols[i]) {
			sb_addf(report, "row 1: field '%s': not a %s field of the TT05 schema\n", hdr[i], meta_level_name(level));
			nerr++;
			continue;
		}
		for (int j = 0; j < i; j++)
			if (cols[j] == cols[i]) {
				sb_addf(report, "row 1: field '%s': appears twice\n", hdr[i]);
				nerr++;
			}
		if (identity_field(cols[i]->name))
			keycol = i;
	}
	if (keycol < 0) {
		sb_addf(report, "row 1: no 'fileCode' or 'docCode' column to say which file or document a row is for\n");
		nerr++;
	}
	if (nerr) {
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	if (db_begin(db, &e) < 0) {
		sb_addf(report, "%s\n", e.msg);
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	sb_init(&seen, 0);
	while ((n = csv_next(&c, val, ROW_MAX_FIELDS)) != 0) {
		bool empty = true;
		if (n < 0) {
			sb_addf(report, "row %d: bad quoting (a '\"' inside a field must be doubled)\n", c.row);
			nerr++;
			continue;
		}
		for (int i = 0; i < n && i < ROW_MAX_FIELDS; i++)
			empty = empty && !*str_trim(val[i]);
		if (empty) {
			free_fields(val, n);
			continue;
		}
		if (n != ncol) {
			sb_addf(report, "row %d: %d fields, the header has %d\n", c.row, n, ncol);
			nerr++;
			free_fields(val, n);
			continue;
		}
		/* Bytes that are not UTF-8: say where and what they look like. */
		for (int i = 0; i < n; i++) {
			if (u8_check((const uint8_t *)val[i], strlen(val[i]))) {
				const char *g = meta_legacy_guess(val[i], strlen(val[i]));
				if (!strcmp(g, "Windows-1258"))
					sb_addf(report, "row %d: field '%s': not UTF-8; it looks like Windows-1258: import again with --encoding windows-1258, or save as 'CSV UTF-8'\n", c.row, cols[i]->name);
				else
					sb_addf(report, "row %d: field '%s': not UTF-8; it looks like %s: convert the file to Unicode UTF-8 (e.g. Unikey's converter) and import again\n", c.row, cols[i]->name, g);
				nerr++;
				val[i][0] = '\0';
				goto next;
			}
		}
		nerr += import_row(db, s, level, cols, val, ncol, c.row, agent, report, &seen);
		(*nrows)++;
next:
		free_fields(val, n);
	}
	free_fields(hdr, ncol);
	sb_release(&seen);
	free(conv);
	if (nerr) {
		db_rollback(db);
		*nrows = 0;
		return -1;
	}
	if (db_commit(db, &e) < 0) {
		sb_addf(report, "%s\n", e.msg);
		db_rollback(db);
		*nrows = 0;
		return -1;
	}
	return 0;
}

static void csv_cell(struct strbuf *out, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		sb_adds(out, v);
		return;
	}
	sb_addc(out, '"');
	for (; *v; v++) {
		if (*v == '"')
			sb_addc(out, '"');
		sb_addc(out, *v);
	}
	sb_addc(out, '"');
}

int meta_export(sqlite3 *db, const struct meta_schema *s, enum meta_level level, int64_t file_id,
		bool json, struct strbuf *out)
{
	sqlite3_stmt *st;
	bool first = true;
	if (level == META_FILE)
		st = db_prepare(db, "SELECT id, file_code FROM files WHERE ?1 = 0 OR id = ?1 ORDER BY file_code");
	else
		st = db_prepare(db, "SELECT d.id, d.name FROM documents d LEFT JOIN files f ON f.id = d.file_id"
				    " WHERE ?1 = 0 OR d.file_id = ?1 ORDER BY f.file_code, d.stt, d.id");
	sqlite3_bind_int64(st, 1, file_id);
	if (json)
		sb_adds(out, "[");
	else {
		bool h = true;
		for (int i = 0; i < s->n; i++) {
			if (s->f[i].level != level)
				continue;
			if (!h)
				sb_addc(out, ',');
			sb_adds(out, s->f[i].name);
			h = false;
		}
		sb_adds(out, "\r\n");
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct meta_object obj;
		bool firstf = true;
		memset(&obj, 0, sizeof(obj));
		obj.level = level;
		obj.id = sqlite3_column_int64(st, 0);
		if (json)
			sb_adds(out, first ? "\n  {" : ",\n  {");
		first = false;
		for (int i = 0; i < s->n; i++) {
			char *v;
			if (s->f[i].level != level)
				continue;
			v = entered(db, &obj, s->f[i].name);
			if (json) {
				if (v) {
					sb_adds(out, firstf ? "" : ", ");
					sb_add_json_str(out, s->f[i].name);
					sb_adds(out, ": ");
					sb_add_json_str(out, v);
					firstf = false;
				}
			} else {
				if (!firstf)
					sb_addc(out, ',');
				csv_cell(out, v ? v : "");
				firstf = false;
			}
			free(v);
		}
		sb_adds(out, json ? "}" : "\r\n");
	}
	sqlite3_finalize(st);
	if (json)
		sb_adds(out, first ? "]\n" : "\n]\n");
	return 0;
}
