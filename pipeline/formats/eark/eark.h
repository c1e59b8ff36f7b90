/*
 * eark.h - E-ARK CSIP transfer packages (REGULATIONS.md §6): build a SIP
 * from a plain in-memory description, verify a SIP, and write the Mục lục
 * hồ sơ nộp lưu (CSV) and the Biên bản thu nộp draft beside it.  No
 * database here: cmd_export.c gathers the description.
 *
 * The package, zipped under one root folder named after its OBJID:
 *
 *   uuid-<UUID>/
 *     METS.xml                              root METS (CSIP + SIP profile)
 *     metadata/descriptive/EAD.xml          EAD 2002, the hồ sơ's TT05 fields
 *     metadata/preservation/PREMIS.xml      PREMIS 3: objects + fixity, events, agents
 *     representations/rep1/METS.xml         the representation's METS
 *     representations/rep1/metadata/descriptive/EAD_doc_<name>.xml
 *     representations/rep1/data/<name>.pdf  the signed PDF/A files
 *     representations/rep1/data/<extra>     hOCR / ALTO / text, when given
 *     schemas/<x>.xsd                       only when a schema folder is given
 *
 * The schemas: the project does not carry the public schemas.  When
 * pkg->schemas_dir names a folder, the files of eark_schema_files[] found
 * there are copied into schemas/, listed in a "Schemas" file group and named
 * in xsi:schemaLocation; otherwise the package has no schemas/ folder and
 * xsi:schemaLocation names the schemas' public URLs.
 *
 * Determinism: the same description gives the same zip, byte for byte.
 * The UUID is derived from the content (SHA-256 over the package type, the
 * file code, the metadata, and each data file's name and hash, shaped as
 * an RFC 9562 version 8 UUID); every time written (METS CREATEDATE and
 * CREATED, PREMIS, zip entry times) is pkg->created_ms, which the caller
 * takes from the newest audit-log event; entries are written in a fixed
 * order with fixed attributes.  (Zip entry times are MS-DOS local times: the
 * same TZ gives the same bytes.)
 */
#ifndef SOHOA_EARK_H
#define SOHOA_EARK_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/util.h"

/* The TT05 fields, in the order they are written (REGULATIONS.md §3). */
#define EARK_NFILE_FIELDS 18
#define EARK_NDOC_FIELDS 21
extern const char *const eark_file_fields[EARK_NFILE_FIELDS];
extern const char *const eark_doc_fields[EARK_NDOC_FIELDS];
/* Schema files copied from pkg->schemas_dir when there (NULL-terminated). */
extern const char *const eark_schema_files[];

enum eark_type {
	EARK_SIP_HOSO,    /* a hồ sơ (file) with its documents */
	EARK_SIP_TAILIEU  /* loose documents */
};

struct eark_field {
	const char *name;   /* TT05 field name, e.g. "fileCode" */
	const char *value;  /* UTF-8; NULL or "" is written as an empty item */
};

/* An extra data file of a document (hOCR, ALTO, plain text). */
struct eark_extra {
	const char *path;      /* on disk */
	const char *name;      /* in rep1/data/: a plain name, no '/' */
	const char *mimetype;  /* e.g. "text/html", "application/xml", "text/plain" */
};

struct eark_doc {
	const char *name;      /* document name without .pdf (TT05 Điều 8.1.d) */
	const char *pdf_path;  /* the signed PDF/A on disk */
	const char *object;    /* audit-log object of the document, "document:3" (may be NULL) */
	const struct eark_field *fields;  /* TT05 document fields */
	size_t nfields;
	const struct eark_extra *extras;
	size_t nextras;
};

/* One row of the audit log (events table). */
struct eark_event {
	int64_t id;
	int64_t time_ms;
	const char *agent, *type, *object, *outcome, *detail;
};

struct eark_pkg {
	enum eark_type type;
	const char *file_code;   /* mã hồ sơ; required for SIP_hoso, NULL for SIP_tailieu */
	const char *title;       /* label of the package (the hồ sơ's title) */
	const struct eark_field *fields;  /* TT05 hồ sơ fields for EAD.xml (SIP_tailieu: may be none) */
	size_t nfields;
	const struct eark_doc *docs;
	size_t ndocs;            /* at least one */
	const struct eark_event *events;
	size_t nevents;
	/* Agents of metsHdr.  creator: the archival creator (the organisation
	 * whose records these are; required); submitter: who sends the package
	 * (default: the creator); archive: the historical archive that will
	 * preserve it (optional); contact: a person (optional). */
	const char *creator_name, *creator_code;
	const char *submitter_name, *submitter_code;
	const char *archive_name, *archive_code;
	const char *contact;
	const char *software_version;  /* "sohoa <version>"'s version; NULL: "0" */
	const char *schemas_dir;       /* NULL or a folder without the files: no schemas/ */
	int64_t created_ms;            /* the package's time (see above); 0: newest event */
};

/* What eark_build() made. */
struct eark_result {
	char uuid[37];          /* upper case, without "uuid-" */
	char sha256[65];        /* of the zip, upper-case hex */
	int64_t size;           /* of the zip */
	int64_t data_bytes;     /* sum of the data files */
	size_t nfiles;          /* entries in the zip */
};

/*
 * Build the package described by pkg and commit it as out_zip: the zip is
 * written in tmpdir (same file system as out_zip), fsynced, renamed to
 * out_zip and the folder fsynced, so out_zip appears only when complete.
 * An existing out_zip is replaced.  res may be NULL.  Returns 0, or -1 with
 * err set ("document 'X': cannot read 'x.pdf': No such file or directory").
 */
int eark_build(const struct eark_pkg *pkg, const char *tmpdir, const char *out_zip, struct eark_result *res, struct errbuf *err);

/* The package's UUID alone (upper case, 37 bytes), as eark_build() derives
 * it; reads every data file.  Returns 0 or -1 with err set. */
int eark_uuid(const struct eark_pkg *pkg, char uuid[37], struct errbuf *err);

/*
 * Verification.  A problem is one line "<path in package>: <why>", e.g.
 *   representations/rep1/data/X.1.pdf: checksum mismatch: METS says 0A1B..., the file has 9F8E...
 *   representations/rep1/data/extra.txt: not referenced by any METS file
 *   metadata/descriptive/EAD.xml: missing
 * The signature check is a callback, so that this module needs no PDF code:
 * it gets each referenced PDF under representations/<rep>/data/ as a path on
 * disk (for a zip, a temporary copy) and returns 0, or -1 with `why` set.
 */
typedef int (*eark_sig_fn)(void *ctx, const char *path, char *why, size_t whysz);

struct eark_report {
	char **lines;          /* the problems, in the order found */
	size_t n;
	size_t more;           /* problems found beyond the lines kept */
	size_t nchecked;       /* files whose checksum and size were checked */
	size_t nsigs;          /* PDFs given to the signature check */
};

/* Check the package at `path`: a zip (one root folder, or METS.xml at its
 * top) or an unpacked folder.  tmpdir holds temporary copies of PDFs from a
 * zip (NULL: $TMPDIR or /tmp); sig may be NULL to skip signatures.  Returns
 * 0 when the package could be read (rep->n says whether it is good), -1 with
 * err set when it could not be opened at all.  Release rep afterwards. */
int eark_verify(const char *path, eark_sig_fn sig, void *ctx, const char *tmpdir, struct eark_report *rep, struct errbuf *err);
void eark_report_release(struct eark_report *rep);

/*
 * The Mục lục hồ sơ nộp lưu: one row per hồ sơ (per document for loose
 * documents) of the given packages, as CSV (UTF-8 with a BOM, CRLF, for
 * Excel).  zips[i] is the file name of package i and res[i] what
 * eark_build() returned for it.  Appends to sb.
 */
void eark_muc_luc_csv(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb);
/* The same rows as a table of strings (for the PDF): *ncols columns; the
 * first row is the header.  Returns the number of rows; free with
 * eark_table_free(). */
size_t eark_muc_luc_rows(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, char ****rows, size_t *ncols);
void eark_table_free(char ***rows, size_t nrows, size_t ncols);

/* The Biên bản thu nộp draft in Markdown: counts (hồ sơ, tài liệu, pages,
 * bytes), the packages with their SHA-256, and blanks for both sides'
 * signatures.  Appends to sb. */
void eark_bien_ban_md(const struct eark_pkg *const *pkgs, const struct eark_result *res, const char *const *zips, size_t n, struct strbuf *sb);

/* The value of field `name` in a field list, or NULL. */
const char *eark_field_get(const struct eark_field *f, size_t n, const char *name);

#endif
