/*
 * filecode.c - mã hồ sơ, document names, docCode, legacy 169/HD names and
 * the safety of names (see filecode.h).
 *
 * Invariants: every name this module returns passed filecode_name_safe(), so
 * it can be used as a file name on any system the exports go to; names are a
 * pure function of the file code, the STT and the pattern, hence stable
 * across re-runs.  Error policy: parsers return -1 with one message in err
 * naming the input and the rule it breaks; nothing is allocated on failure.
 */
#include "archive/filecode.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <uninorm.h>
#include <unistr.h>

static bool ascii_alnum(int c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool all_digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* The agency id: ASCII letters and digits in dot-separated parts. */
static bool agency_ok(const char *s, size_t n)
{
	if (n == 0 || n > FILECODE_AGENCY_MAX || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.' ? s[i + 1] == '.' : !ascii_alnum((unsigned char)s[i]))
			return false;
	}
	return true;
}

/* The file number: ASCII letters, digits, Đ/đ, '.', '-', '_' (no "..");
 * at most 20 characters. */
static int number_check(const char *s, size_t n, const char **why)
{
	size_t chars = 0;
	if (n == 0) {
		*why = "the file number is empty";
		return -1;
	}
	for (size_t i = 0; i < n; chars++) {
		unsigned char c = (unsigned char)s[i];
		if (ascii_alnum(c) || c == '-' || c == '_') {
			i++;
		} else if (c == '.') {
			if (i == 0 || i + 1 == n || s[i + 1] == '.') {
				*why = "the file number has an empty part";
				return -1;
			}
			i++;
		} else if (i + 1 < n && c == 0xC4 && ((unsigned char)s[i + 1] == 0x90 || (unsigned char)s[i + 1] == 0x91)) {
			i += 2; /* Đ đ */
		} else {
			*why = "the file number may hold only letters, digits, 'Đ', '.', '-' and '_'";
			return -1;
		}
	}
	if (chars > FILECODE_NUMBER_MAX) {
		*why = "the file number is longer than 20 characters";
		return -1;
	}
	return 0;
}

int filecode_parse(const char *code, struct filecode *fc, struct errbuf *err)
{
	size_t len = strlen(code);
	const char *why = "no 4-digit year after an agency id of at most 13 characters";
	if (len == 0)
		return err_set(err, "file code '': empty");
	for (const char *p = code; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '/' || *p == '\\')
			return err_set(err, "file code '%s': spaces, slashes and control characters are not allowed", code);
	/* The agency id has dots of its own: find the year from the left. */
	for (const char *dot = strchr(code, '.'); dot; dot = strchr(dot + 1, '.')) {
		const char *year = dot + 1, *rest;
		size_t alen = (size_t)(dot - code);
		if (alen > FILECODE_AGENCY_MAX)
			break;
		if (!all_digits(year, 4) || year[4] != '.')
			continue;
		if (!agency_ok(code, alen)) {
			why = "the agency id may hold only letters and digits in dot-separated parts";
			continue;
		}
		if (memcmp(year, "1000", 4) < 0) {
			why = "the year is before 1000";
			continue;
		}
		rest = year + 5;
		if (number_check(rest, strlen(rest), &why) < 0)
			continue;
		if (fc) {
			memcpy(fc->agency, code, alen);
			fc->agency[alen] = '\0';
			memcpy(fc->year, year, 4);
			fc->year[4] = '\0';
			snprintf(fc->number, sizeof(fc->number), "%s", rest);
		}
		return 0;
	}
	return err_set(err, "file code '%s': %s (expected <agency id>.<year>.<file number>, e.g. '000.00.00.G09.2010.01.TH')", code, why);
}

bool filecode_valid(const char *code)
{
	struct errbuf e;
	err_init(&e);
	return filecode_parse(code, NULL, &e) == 0;
}

static int copy_part(char *dst, size_t dstsz, const char *s, size_t n)
{
	if (n >= dstsz)
		return -1;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int filecode_legacy_parse(const char *name, struct filecode_legacy *lg, struct errbuf *err)
{
	const char *part[8];
	size_t plen[8];
	int n = 0;
	const char *p = name, *dash;
	memset(lg, 0, sizeof(*lg));
	for (;;) {
		if (n == 8)
			return err_set(err, "legacy name '%s': too many parts (expected archive-fonds-inventory-file[-document])", name);
		dash = strchr(p, '-');
		part[n] = p;
		plen[n] = dash ? (size_t)(dash - p) : strlen(p);
		n++;
		if (!dash)
			break;
		p = dash + 1;
	}
	if (n < 4 || n > 6)
		return err_set(err, "legacy name '%s': expected archive-fonds-inventory-file[-document] as in 'Q3-5-1-10-1'", name);
	if (plen[0] == 0 || !isalpha((unsigned char)part[0][0]))
		return err_set(err, "legacy name '%s': the archive code must start with a letter", name);
	for (size_t i = 0; i < plen[0]; i++)
		if (!ascii_alnum((unsigned char)part[0][i]))
			return err_set(err, "legacy name '%s': the archive code may hold only letters and digits", name);
	/* The fonds number is left blank in an agency archive. */
	if (plen[1] && !all_digits(part[1], plen[1]))
		return err_set(err, "legacy name '%s': the fonds number must be digits or empty", name);
	for (int i = 2; i < n; i++)
		if (!all_digits(part[i], plen[i]) || plen[i] > 9)
			return err_set(err, "legacy name '%s': part %d must be a number", name, i + 1);
	if (copy_part(lg->archive, sizeof(lg->archive), part[0], plen[0]) < 0 ||
	    copy_part(lg->fonds, sizeof(lg->fonds), part[1], plen[1]) < 0 ||
	    copy_part(lg->inventory, sizeof(lg->inventory), part[2], plen[2]) < 0 ||
	    copy_part(lg->file, sizeof(lg->file), part[3], plen[3]) < 0)
		return err_set(err, "legacy name '%s': a part is too long", name);
	lg->kind = 'f';
	if (n == 5) {
		lg->kind = 'd';
		lg->doc = strtol(part[4], NULL, 10);
		if (lg->doc <= 0)
			return err_set(err, "legacy name '%s': the document number must be at least 1", name);
	} else if (n == 6) {
		lg->kind = 'p';
		lg->sheet = strtol(part[4], NULL, 10);
		lg->page = strtol(part[5], NULL, 10);
	}
	return 0;
}

char *filecode_legacy_file(const struct filecode_legacy *lg)
{
	return xasprintf("%s-%s-%s-%s", lg->archive, lg->fonds, lg->inventory, lg->file);
}

char *filecode_doc_code(const char *file_code, long stt)
{
	return xasprintf("%s.%07ld", file_code, stt);
}

int filecode_split_doc(const char *doc, char **file_code, long *stt, struct errbuf *err)
{
	const char *dot = strrchr(doc, '.');
	char *fc;
	if (!dot || !all_digits(dot + 1, strlen(dot + 1)) || strlen(dot + 1) > 7)
		return err_set(err, "document '%s': expected <file code>.<STT>", doc);
	fc = xstrndup(doc, (size_t)(dot - doc));
	if (filecode_parse(fc, NULL, err) < 0) {
		free(fc);
		return -1;
	}
	*stt = strtol(dot + 1, NULL, 10);
	if (*stt <= 0) {
		free(fc);
		return err_set(err, "document '%s': the STT must be at least 1", doc);
	}
	*file_code = fc;
	return 0;
}

static bool invisible(ucs4_t c)
{
	return c == 0xAD || c == 0x180E || (c >= 0x200B && c <= 0x200F) || (c >= 0x2028 && c <= 0x202E) ||
	       (c >= 0x2060 && c <= 0x2064) || c == 0xFEFF;
}

bool filecode_name_safe(const char *name, struct errbuf *err)
{
	size_t len = strlen(name), nlen = 0;
	const uint8_t *s = (const uint8_t *)name;
	uint8_t *nfc;
	bool same;
	if (len == 0 || len > FILECODE_NAME_MAX)
		return err_set(err, "name '%s': must be 1 to %d bytes", name, FILECODE_NAME_MAX), false;
	if (u8_check(s, len))
		return err_set(err, "name '%s': not valid UTF-8", name), false;
	if (name[0] == '.' || name[0] == '-')
		return err_set(err, "name '%s': must not start with '.' or '-'", name), false;
	if (strstr(name, ".."))
		return err_set(err, "name '%s': must not hold '..'", name), false;
	for (size_t i = 0; i < len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, s + i, len - i);
		if (c < 0x20 || (c >= 0x7F && c < 0xA0))
			return err_set(err, "name '%s': control character U+%04X at byte %zu", name, (unsigned)c, i), false;
		if (invisible(c))
			return err_set(err, "name '%s': invisible character U+%04X at byte %zu", name, (unsigned)c, i), false;
		if (strchr("/\\:*?\"<>|", (int)c) && c < 0x80)
			return err_set(err, "name '%s': character '%c' is not allowed in a file name", name, (char)c), false;
		i += (size_t)k;
	}
	nfc = u8_normalize(UNINORM_NFC, s, len, NULL, &nlen);
	same = nfc && nlen == len && memcmp(nfc, s, len) == 0;
	free(nfc);
	if (!same)
		return err_set(err, "name '%s': not in Unicode NFC", name), false;
	return true;
}

static int check_pattern(const char *path, int lineno, const char *key, const char *pat, struct errbuf *err)
{
	char *x;
	if (!strstr(pat, "{fileCode}") && !strstr(pat, "{agency}"))
		return err_set(err, "%s:%d: '%s = %s': the pattern must hold {fileCode}", path, lineno, key, pat);
	x = filecode_expand(pat, "000.00.00.G09.2010.01.TH", 1, err);
	if (!x) {
		err_prefix(err, "%s:%d", path, lineno);
		return -1;
	}
	free(x);
	return 0;
}

int filecode_naming_load(const char *path, struct filecode_naming *nm, struct errbuf *err)
{
	struct kvfile kv;
	char *k, *v;
	int rc;
	nm->document = xstrdup("{fileCode}.{stt}");
	nm->whole_file = xstrdup("{fileCode}");
	nm->doc_code = xstrdup("{fileCode}.{stt7}");
	nm->per_document = true;
	if (kv_open(&kv, path) < 0)
		return errno == ENOENT ? 0 : err_set(err, "cannot open '%s': %s", path, strerror(errno));
	while ((rc = kv_next(&kv, &k, &v, err)) > 0) {
		char **slot = NULL;
		if (!strcmp(k, "document"))
			slot = &nm->document;
		else if (!strcmp(k, "whole_file"))
			slot = &nm->whole_file;
		else if (!strcmp(k, "doc_code"))
			slot = &nm->doc_code;
		else if (!strcmp(k, "mode")) {
			if (strcmp(v, "per-document") && strcmp(v, "whole-file")) {
				err_set(err, "%s:%d: 'mode = %s': expected 'per-document' or 'whole-file'", path, kv.lineno, v);
				goto fail;
			}
			nm->per_document = !strcmp(v, "per-document");
			continue;
		} else {
			err_set(err, "%s:%d: '%s': unknown key (known: document, whole_file, doc_code, mode)", path, kv.lineno, k);
			goto fail;
		}
		if (check_pattern(path, kv.lineno, k, v, err) < 0)
			goto fail;
		free(*slot);
		*slot = xstrdup(v);
	}
	if (rc < 0)
		goto fail;
	kv_close(&kv);
	return 0;
fail:
	kv_close(&kv);
	filecode_naming_release(nm);
	return -1;
}

void filecode_naming_release(struct filecode_naming *nm)
{
	free(nm->document);
	free(nm->whole_file);
	free(nm->doc_code);
	nm->document = nm->whole_file = nm->doc_code = NULL;
}

char *filecode_expand(const char *pattern, const char *file_code, long stt, struct errbuf *err)
{
	struct filecode fc;
	struct strbuf sb;
	const char *p = pattern;
	if (filecode_parse(file_code, &fc, err) < 0)
		return NULL;
	sb_init(&sb, 4096);
	while (*p) {
		const char *close;
		if (*p != '{' || !(close = strchr(p, '}'))) {
			sb_addc(&sb, *p++);
			continue;
		}
		size_t n = (size_t)(close - p + 1);
		if (n == 10 && !memcmp(p, "{fileCode}", n))
			sb_adds(&sb, file_code);
		else if (n == 5 && !memcmp(p, "{stt}", n)) {
			if (stt > 0)
				sb_addf(&sb, "%ld", stt);
		} else if (n == 6 && !memcmp(p, "{stt7}", n)) {
			if (stt > 0)
				sb_addf(&sb, "%07ld", stt);
		} else if (n == 8 && !memcmp(p, "{agency}", n))
			sb_adds(&sb, fc.agency);
		else if (n == 6 && !memcmp(p, "{year}", n))
			sb_adds(&sb, fc.year);
		else if (n == 8 && !memcmp(p, "{number}", n))
			sb_adds(&sb, fc.number);
		else {
			err_set(err, "pattern '%s': unknown placeholder '%.*s'", pattern, (int)n, p);
			sb_release(&sb);
			return NULL;
		}
		p = close + 1;
	}
	if (!filecode_name_safe(sb.buf, err)) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

char *filecode_doc_name(const struct filecode_naming *nm, const char *file_code, long stt, struct errbuf *err)
{
	return filecode_expand(nm->per_document ? nm->document : nm->whole_file, file_code, stt, err);
}
