/*
 * filecode.h - archival identifiers and names: the mã hồ sơ (file code) of
 * Nghị định 30/2020 Phụ lục VI, document names and docCode of TT 05/2025
 * Điều 8.1.d, the legacy names of Hướng dẫn 169/HD-VTLTNN (2010), and the
 * safety rules every name that becomes a file name must pass.
 *
 *   mã hồ sơ   <agency id (<=13)>.<year (4 digits)>.<file number (<=20)>
 *              000.00.00.G09.2010.01.TH   (the agency id itself has dots)
 *   document   <mã hồ sơ>.<STT>            H49.64.33.2001.160.1   (+ ".pdf")
 *   whole file <mã hồ sơ>                  H49.64.33.2001.160     (+ ".pdf")
 *   docCode    <mã hồ sơ>.<STT, 7 digits>  H49.64.33.2001.160.0000001
 *   legacy     Q3-5-1-10 (file), Q3-5-1-10-1 (document), Q3-5-1-10-11-24 (page)
 *
 * The patterns of names live in the workspace's config/naming.conf.
 */
#ifndef SOHOA_FILECODE_H
#define SOHOA_FILECODE_H

#include <stdbool.h>

#include "engine/util.h"

#define FILECODE_AGENCY_MAX 13
#define FILECODE_NUMBER_MAX 20
#define FILECODE_NAME_MAX 200   /* bytes, for any name that becomes a file name */

struct filecode {
	char agency[FILECODE_AGENCY_MAX + 1];   /* mã định danh cơ quan */
	char year[5];                            /* năm hình thành hồ sơ */
	char number[FILECODE_NUMBER_MAX * 2 + 1];/* số và ký hiệu hồ sơ (may hold Đ) */
};

/* Parse and validate a mã hồ sơ.  The year is the first 4-digit part after
 * the agency id that leaves an agency of at most 13 characters and a file
 * number of 1 to 20 characters.  Returns 0, or -1 with err saying why, e.g.
 * "file code '000.00.00.G09.10.TH': no 4-digit year after the agency id". */
int filecode_parse(const char *code, struct filecode *fc, struct errbuf *err);
bool filecode_valid(const char *code);

/* A legacy 169/HD name: archive, fonds (may be empty), inventory, file, then
 * the document (kind 'd') or sheet and page (kind 'p').  */
struct filecode_legacy {
	char archive[16];
	char fonds[16];
	char inventory[16];
	char file[16];
	long doc;        /* 0 when the name is a file's */
	long sheet, page;/* page images only */
	char kind;       /* 'f' file, 'd' document, 'p' page */
};
int filecode_legacy_parse(const char *name, struct filecode_legacy *lg, struct errbuf *err);
/* The file part of a legacy name ("Q3-5-1-10" from "Q3-5-1-10-1"); caller frees. */
char *filecode_legacy_file(const struct filecode_legacy *lg);

/* docCode: "<file code>.<stt as 7 digits>"; caller frees. */
char *filecode_doc_code(const char *file_code, long stt);
/* Split a docCode or a document name ("<file code>.<STT>") into its file
 * code (caller frees) and STT.  The file code must be valid. */
int filecode_split_doc(const char *doc, char **file_code, long *stt, struct errbuf *err);

/* Is `name` safe as a file name?  Valid UTF-8 in NFC, 1 to 200 bytes, no
 * '/' or '\\', no "..", not starting with '.' or '-', none of the characters
 * Windows refuses (:*?"<>|), no control characters and no invisible ones
 * (U+00AD, U+180E, U+200B-U+200F, U+2028-U+202E, U+2060-U+2064, U+FEFF).
 * On false err says which rule and where. */
bool filecode_name_safe(const char *name, struct errbuf *err);

/* Naming patterns (config/naming.conf).  Placeholders: {fileCode}, {stt},
 * {stt7} (7 digits), {agency}, {year}, {number}. */
struct filecode_naming {
	char *document;     /* default "{fileCode}.{stt}" */
	char *whole_file;   /* default "{fileCode}" */
	char *doc_code;     /* default "{fileCode}.{stt7}" */
	bool per_document;  /* mode = per-document (default) or whole-file */
};
/* Load the patterns from path; a missing file gives the defaults.  Errors
 * name file:line. */
int filecode_naming_load(const char *path, struct filecode_naming *nm, struct errbuf *err);
void filecode_naming_release(struct filecode_naming *nm);
/* Expand a pattern; stt <= 0 leaves {stt} empty.  The result is checked
 * with filecode_name_safe().  Returns a new string or NULL with err set. */
char *filecode_expand(const char *pattern, const char *file_code, long stt, struct errbuf *err);
/* The name of document stt of a file by the configured mode (without .pdf). */
char *filecode_doc_name(const struct filecode_naming *nm, const char *file_code, long stt, struct errbuf *err);

#endif
