/*
 * meta.h - TT05 metadata (meta_schema.c, meta_check.c, meta_store.c,
 * meta_csv.c): the schema and code lists read from the
 * workspace's config/ (tt05-fields.tsv, codes/NAME.tsv), validation of
 * values, the meta table (one row per object and field, with its source:
 * 'operator', 'import', 'system', 'proposed'), CSV import and CSV/JSON
 * export.  Every change of a value is an audit event "metadata
 * modification" whose detail holds the field, the old and the new value.
 */
#ifndef SOHOA_META_H
#define SOHOA_META_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "archive/filecode.h"
#include "engine/util.h"

enum meta_level { META_FILE, META_DOCUMENT };
enum meta_type { META_TEXT, META_CODE, META_CODES, META_DATE, META_NUMBER, META_BOOL };

struct meta_code {
	char *code;
	char *label;
};

struct meta_codelist {
	char *name;
	int n;
	struct meta_code *v;
};

struct meta_field {
	enum meta_level level;
	char *name, *label;
	enum meta_type type;
	int max;                 /* characters (text), digits (number); 0: none */
	char req;                /* 'y' yes, 'n' no, 'd' when digitized, 'i' if if_field = if_value */
	char *if_field, *if_value;
	const struct meta_codelist *codes;
	char *def;               /* default for new objects, or NULL */
};

struct meta_schema {
	int n;
	struct meta_field *f;
	int ncl;
	struct meta_codelist *cl;
	struct filecode_naming naming;
};

/* Load config_dir/tt05-fields.tsv, the code lists it names from
 * config_dir/codes/, and config_dir/naming.conf.  Errors name file:line. */
struct meta_schema *meta_schema_load(const char *config_dir, struct errbuf *err);
void meta_schema_free(struct meta_schema *s);
const struct meta_field *meta_field_find(const struct meta_schema *s, enum meta_level level, const char *name);
const struct meta_codelist *meta_codelist_find(const struct meta_schema *s, const char *name);
/* The label of a code in a list, or NULL. */
const char *meta_code_label(const struct meta_codelist *cl, const char *code);
const char *meta_level_name(enum meta_level level);

/* Check one value against its field and return it normalized (NFC, dates
 * as DD/MM/YYYY, codes zero-padded as Excel strips "01" to "1"), or NULL
 * with err like "field 'issuedDate': '31/02/2021' is not a date". */
char *meta_value_check(const struct meta_field *f, const char *value, struct errbuf *err);
/* true when s is a calendar date D/M/YYYY; fills d, m, y. */
bool meta_date_parse(const char *s, int *d, int *m, int *y);
/* A guess of the legacy encoding of bytes that are not UTF-8 ("TCVN3",
 * "VNI", "Windows-1258", "UTF-16"), or of UTF-8 text typed with a legacy
 * font ("TCVN3 font", "VNI font"); NULL when the text looks like Unicode. */
const char *meta_legacy_guess(const char *s, size_t len);

/* An object: a file (hồ sơ) by its code or legacy alias, or a document
 * (tài liệu) by its name, its docCode or "document:ID". */
struct meta_object {
	enum meta_level level;
	int64_t id;
	int64_t file_id;      /* the file of a document (0 if none) */
	char label[FILECODE_NAME_MAX + 16]; /* "file:<code>" or "document:<id>", as in the audit log */
	char name[FILECODE_NAME_MAX + 1];
};
int meta_resolve(struct db *db, const char *ref, struct meta_object *obj, struct errbuf *err);

/* The value of a field (caller frees) or NULL; *source (may be NULL) gets
 * the source, caller frees. */
char *meta_get(struct db *db, enum meta_level level, int64_t id, const char *field, char **source);
/* Write a value already checked, in the caller's transaction; an event is
 * added when the value or its source changes.  value NULL deletes. */
int meta_put(struct db *db, const struct meta_object *obj, const char *field, const char *value,
	     const char *source, double confidence, const char *agent, struct errbuf *err);
/* Missing required fields and cross-field rules of an object, one error
 * per line appended to report with the prefix; returns their count. */
int meta_check_object(struct db *db, const struct meta_schema *s, const struct meta_object *obj,
		      const char *prefix, struct strbuf *report);

/* Register a file (hồ sơ): validate the code, refuse duplicates, store
 * fileCode, paperFileCode and the schema's defaults (confidenceLevel 02).
 * In the caller's transaction. */
int meta_file_add(struct db *db, const struct meta_schema *s, const char *file_code, const char *paper,
		  const char *alias, int64_t fonds_id, const char *agent, int64_t *id, struct errbuf *err);
/* true (err set) when file_code is the name or docCode of a document, or
 * would be the name of a document of a registered file (CODE.N): files
 * and documents never share a name, or one would shadow the other. */
bool meta_name_clash(struct db *db, const char *file_code, struct errbuf *err);
/* Add a document row (state 'open') with its STT and name, of file_id and
 * batch_id (0: none), in the caller's transaction.  Returns its id, or -1
 * with err set to the database's reason (the caller names the document);
 * a name that is a registered file's code or alias is refused. */
int64_t meta_doc_insert(struct db *db, int64_t file_id, int64_t batch_id, int64_t stt, const char *name, struct errbuf *err);
/* Give a new document its docCode and the schema's defaults. */
int meta_doc_init(struct db *db, const struct meta_schema *s, int64_t doc_id, const char *file_code, long stt,
		  const char *agent, struct errbuf *err);

/* Set fields (name=value pairs) of one object in one transaction; every
 * value is checked first and nothing is written if one is bad. */
int meta_set(struct db *db, const struct meta_schema *s, const struct meta_object *obj, int n,
	     char *const *pairs, const char *agent, struct errbuf *err);

/* Import a CSV (file rows keyed by fileCode, or document rows keyed by
 * docCode) in one transaction.  UTF-8 with or without BOM; comma or
 * semicolon separated.  encoding: NULL, or "windows-1258" to convert.
 * Every error goes to report as "row N: field 'F': 'V': why" (row 1 is
 * the header); on any error nothing is written and -1 is returned.
 * *nrows gets the number of rows imported. */
int meta_import_csv(struct db *db, const struct meta_schema *s, const char *data, size_t len,
		    const char *encoding, const char *agent, struct strbuf *report, int *nrows);

/* Export the entered values (not proposals) of every object of a level,
 * or of the documents of one file, as CSV (header = field names) or JSON. */
int meta_export(struct db *db, const struct meta_schema *s, enum meta_level level, int64_t file_id,
		bool json, struct strbuf *out);

#endif
