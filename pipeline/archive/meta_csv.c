/*
 * meta_csv.c - CSV import and CSV/JSON export of TT05 metadata (see meta.h).
 *
 * Error policy: an import collects every error of every row ("row N: ...")
 * and writes nothing unless all rows are good (one transaction, rolled back
 * on any error).  Legacy encodings: bytes that are not UTF-8 are refused
 * with the row, the field and the encoding they look like; Windows-1258 can
 * be converted on request (--encoding windows-1258, iconv); TCVN3 and VNI
 * are refused with advice to convert them (a wrong guess there silently
 * corrupts names, and the archive must look at such a file anyway).
 */
#include "archive/meta.h"
#include "archive/meta_impl.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/db.h"
#include "engine/events.h"

/* ---- CSV ---- */

/* One line of an import report: the values it quotes come from the CSV, so
 * the line is escaped (sb_add_printable) before it reaches a terminal. */
__attribute__((format(printf, 2, 3))) static void report_line(struct strbuf *report, const char *fmt, ...)
{
	va_list ap;
	char *line;
	va_start(ap, fmt);
	line = xvasprintf(fmt, ap);
	va_end(ap);
	sb_add_printable(report, line, 0);
	sb_addc(report, '\n');
	free(line);
}

struct csv {
	const char *p, *end;
	char sep;
	int row;          /* the record just read, 1 = header */
	int nul_field;    /* the first field of that record holding a NUL byte, or -1 */
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
	c->nul_field = -1;
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
		/* A NUL would silently cut the value where C reads it. */
		if (c->nul_field < 0 && memchr(sb.buf, '\0', sb.len))
			c->nul_field = n;
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

static int import_row(struct db *db, const struct meta_schema *s, enum meta_level level,
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
		if (meta_store_identity_field(cols[i]->name))
			keycol = i;
		if (!*str_trim(val[i]) || meta_store_identity_field(cols[i]->name))
			continue;
		err_init(&e);
		norm[i] = meta_value_check(cols[i], val[i], &e);
		if (!norm[i]) {
			report_line(report, "%s%s", prefix, e.msg);
			nerr++;
		}
	}
	key = str_trim(val[keycol]);
	memset(&obj, 0, sizeof(obj));
	err_init(&e);
	if (!*key) {
		report_line(report, "%sfield '%s': required", prefix, cols[keycol]->name);
		nerr++;
		goto out;
	}
	{
		/* The same object twice in one file is an error, not a merge. */
		char *needle = xasprintf("\n%s\t", key), *hit = seen->buf ? strstr(seen->buf, needle) : NULL;
		free(needle);
		if (hit) {
			report_line(report, "%sfield '%s': '%s' is already in row %d", prefix, cols[keycol]->name, key, atoi(hit + strlen(key) + 2));
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
					report_line(report, "%sfield 'fileCode': legacy name '%s' is the alias of no file; add the file with 'sohoa file add CODE --alias %s'", prefix, key, key);
				else
					report_line(report, "%sfield 'fileCode': %s", prefix, e.msg);
				nerr++;
				goto out;
			}
			if (nerr)
				goto out;
			if (meta_file_add(db, s, key, col_paper >= 0 && norm[col_paper] ? norm[col_paper] : NULL, NULL, 0, agent, NULL, &e) < 0 ||
			    meta_resolve(db, key, &obj, &e) < 0) {
				report_line(report, "%s%s", prefix, e.msg);
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
				report_line(report, "%sfield 'docCode': %s", prefix, e.msg);
				nerr++;
				goto out;
			}
		}
		err_init(&e);
		if (meta_resolve(db, fc, &f, &e) < 0 || f.level != META_FILE) {
			report_line(report, "%sfield 'docCode': '%s': the file '%s' is not registered (sohoa file add)", prefix, key, fc);
			nerr++;
			goto out;
		}
		if (nerr)
			goto out;
		err_init(&e);
		if (!meta_store_resolve_doc(db, "SELECT id, file_id, name FROM documents WHERE file_id = ?1 AND stt = ?2", NULL, f.id, stt, &obj)) {
			char *name = filecode_doc_name(&s->naming, f.name, stt, &e);
			int64_t doc;
			if (!name) {
				report_line(report, "%sfield 'docCode': %s", prefix, e.msg);
				nerr++;
				goto out;
			}
			err_init(&e);
			doc = meta_doc_insert(db, f.id, 0, stt, name, &e);
			if (doc < 0) {
				report_line(report, "%sfield 'docCode': '%s': cannot add document '%s': %s", prefix, key, name, e.msg);
				nerr++;
			}
			free(name);
			if (nerr)
				goto out;
			meta_store_resolve_doc(db, "SELECT id, file_id, name FROM documents WHERE id = ?1", NULL, doc, 0, &obj);
			if (meta_doc_init(db, s, obj.id, f.name, stt, agent, &e) < 0) {
				report_line(report, "%s%s", prefix, e.msg);
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
			report_line(report, "%s%s", prefix, e.msg);
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

int meta_import_csv(struct db *db, const struct meta_schema *s, const char *data, size_t len,
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
			report_line(report, "encoding '%s': only utf-8 and windows-1258 can be converted; convert TCVN3 and VNI files to Unicode first (e.g. Unikey's converter)", encoding);
			return -1;
		}
		if (strcasecmp(encoding, "utf-8")) {
			conv = to_utf8_cp1258(data, len, &e);
			if (!conv) {
				report_line(report, "%s", e.msg);
				return -1;
			}
			data = conv;
			len = strlen(conv);
		}
	}
	guess = meta_legacy_guess(data, len);
	if (guess && !strcmp(guess, "UTF-16")) {
		report_line(report, "the file is UTF-16 (Excel 'Unicode Text'); save it as 'CSV UTF-8' and import again");
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
		report_line(report, "row 1: %s", ncol == 0 ? "the file is empty" : ncol < 0 ? "bad quoting in the header" : "too many columns");
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	if (c.nul_field >= 0) {
		report_line(report, "row 1: column %d holds a NUL byte; a field name cannot contain one", c.nul_field + 1);
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
			report_line(report, "row 1: field '%s': not a %s field of the TT05 schema", hdr[i], meta_level_name(level));
			nerr++;
			continue;
		}
		for (int j = 0; j < i; j++)
			if (cols[j] == cols[i]) {
				report_line(report, "row 1: field '%s': appears twice", hdr[i]);
				nerr++;
			}
		if (meta_store_identity_field(cols[i]->name))
			keycol = i;
	}
	if (keycol < 0) {
		report_line(report, "row 1: no 'fileCode' or 'docCode' column to say which file or document a row is for");
		nerr++;
	}
	if (nerr) {
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	if (db_begin(db, &e) < 0) {
		report_line(report, "%s", e.msg);
		free_fields(hdr, ncol);
		free(conv);
		return -1;
	}
	sb_init(&seen, 0);
	while ((n = csv_next(&c, val, ROW_MAX_FIELDS)) != 0) {
		bool empty = true;
		if (n < 0) {
			report_line(report, "row %d: bad quoting (a '\"' inside a field must be doubled)", c.row);
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
			report_line(report, "row %d: %d fields, the header has %d", c.row, n, ncol);
			nerr++;
			free_fields(val, n);
			continue;
		}
		if (c.nul_field >= 0) {
			report_line(report, "row %d: field '%s': holds a NUL byte; a value cannot contain one", c.row, cols[c.nul_field]->name);
			nerr++;
			goto next;
		}
		/* Bytes that are not UTF-8: say where and what they look like. */
		for (int i = 0; i < n; i++) {
			if (u8_check((const uint8_t *)val[i], strlen(val[i]))) {
				const char *g = meta_legacy_guess(val[i], strlen(val[i]));
				if (!strcmp(g, "Windows-1258"))
					report_line(report, "row %d: field '%s': not UTF-8; it looks like Windows-1258: import again with --encoding windows-1258, or save as 'CSV UTF-8'", c.row, cols[i]->name);
				else
					report_line(report, "row %d: field '%s': not UTF-8; it looks like %s: convert the file to Unicode UTF-8 (e.g. Unikey's converter) and import again", c.row, cols[i]->name, g);
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
		report_line(report, "%s", e.msg);
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

int meta_export(struct db *db, const struct meta_schema *s, enum meta_level level, int64_t file_id,
		bool json, struct strbuf *out)
{
	struct db_stmt *st;
	bool first = true;
	if (level == META_FILE)
		st = db_prepare(db, "SELECT id, file_code FROM files WHERE ?1 = 0 OR id = ?1 ORDER BY file_code");
	else
		st = db_prepare(db, "SELECT d.id, d.name FROM documents d LEFT JOIN files f ON f.id = d.file_id"
				    " WHERE ?1 = 0 OR d.file_id = ?1 ORDER BY f.file_code, d.stt, d.id");
	db_bind_int64(st, 1, file_id);
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
	while (db_step(st) == DB_ROW) {
		struct meta_object obj;
		bool firstf = true;
		memset(&obj, 0, sizeof(obj));
		obj.level = level;
		obj.id = db_col_int64(st, 0);
		if (json)
			sb_adds(out, first ? "\n  {" : ",\n  {");
		first = false;
		for (int i = 0; i < s->n; i++) {
			char *v;
			if (s->f[i].level != level)
				continue;
			v = meta_store_entered(db, &obj, s->f[i].name);
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
	db_finalize(st);
	if (json)
		sb_adds(out, first ? "]\n" : "\n]\n");
	return 0;
}
