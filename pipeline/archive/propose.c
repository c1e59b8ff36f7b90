/*
 * propose.c - OCR-assisted metadata (see propose.h).
 *
 * How: every line is "folded" (diacritics removed, lower case, ASCII, with a
 * map back to the original bytes), so that OCR which lost or confused the
 * diacritics ("S6:" for "Số:", "ngáy" for "ngày") still matches, while the
 * values are cut from the original text with their diacritics.  The layout
 * of Nghị định 30/2020: the issuer block at the top left (parent body, then
 * the issuing body) beside the national motto, then "Số: N/KÝ-HIỆU" and
 * "<place>, ngày D tháng M năm YYYY", then the kind of document in capitals
 * with its subject below, or for a công văn "V/v <subject>" under the số.
 * Nothing here knows particular agencies or subjects: only the layout, the
 * administrative nouns that start a body's name, and the typeName list.
 * Error policy: propose_text() cannot fail; a field it cannot find is NULL.
 */
#include "archive/propose.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/fsio.h"
#include "engine/workspace.h"
#include "archive/viet.h"

static const char *const field_names[PROPOSE_NFIELDS] = {
	"codeNumber", "codeNotation", "issuedDate", "organName", "typeName", "subject",
};

struct line {
	const char *s;   /* original, not NUL-terminated */
	size_t len;
	char *fold;      /* folded, NUL-terminated */
	size_t *map;     /* fold[i] comes from s[map[i]] */
	size_t flen;
};

static ucs4_t base_char(ucs4_t c)
{
	ucs4_t d[UC_DECOMPOSITION_MAX_LENGTH];
	/* OCR gives the Icelandic eth for Đ. */
	if (c == 0x111 || c == 0x110 || c == 0xD0 || c == 0xF0)
		return 'd';
	while (c >= 0x80 && uc_canonical_decomposition(c, d) > 0)
		c = d[0];
	return c;
}

static void fold_line(struct line *l)
{
	l->fold = xmalloc(l->len + 1);
	l->map = xmalloc(sizeof(size_t) * (l->len + 1));
	l->flen = 0;
	for (size_t i = 0; i < l->len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, (const uint8_t *)l->s + i, l->len - i);
		ucs4_t b = base_char(c);
		char ch = b < 0x80 ? (char)tolower((int)b) : (c == 0xA0 ? ' ' : '?');
		if (c >= 0x300 && c < 0x370) { /* a stray combining mark */
			i += (size_t)k;
			continue;
		}
		l->fold[l->flen] = ch;
		l->map[l->flen++] = i;
		i += (size_t)k;
	}
	l->fold[l->flen] = '\0';
	l->map[l->flen] = l->len;
}

/* The original text of folded range [a, b). */
static char *orig(const struct line *l, size_t a, size_t b)
{
	return xstrndup(l->s + l->map[a], l->map[b] - l->map[a]);
}

static char *squeeze(char *s)
{
	/* Collapse spaces, trim, and drop trailing punctuation. */
	char *w = s, *r = s;
	bool sp = true;
	for (; *r; r++) {
		if (isspace((unsigned char)*r)) {
			if (!sp)
				*w++ = ' ';
			sp = true;
		} else {
			*w++ = *r;
			sp = false;
		}
	}
	while (w > s && (w[-1] == ' ' || w[-1] == '.' || w[-1] == ',' || w[-1] == ';' || w[-1] == ':'))
		w--;
	*w = '\0';
	return s;
}

static bool is_word_start(const char *f, size_t i)
{
	return i == 0 || !isalnum((unsigned char)f[i - 1]);
}

/* OCR reads digits as look-alike letters; n digits from f at i, or -1. */
static int ocr_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c == 'o')
		return 0;
	if (c == 'l' || c == 'i')
		return 1;
	return -1;
}

static size_t skip_sp(const char *f, size_t i)
{
	while (f[i] == ' ' || f[i] == '\t')
		i++;
	return i;
}

/* Find "Số: N/NOTATION" in a line; returns 0.9 (clean label), 0.75 (noisy
 * label) or 0 (none), with the ranges of number and notation. */
static double find_so(const struct line *l, size_t *na, size_t *nb, size_t *ka, size_t *kb)
{
	const char *f = l->fold;
	for (size_t i = 0; i < l->flen; i++) {
		size_t j, d0;
		double conf;
		if (f[i] != 's' || !is_word_start(f, i))
			continue;
		j = i + 1;
		conf = 0.9;
		if (f[j] != 'o') {
			conf = 0.75;
			if (f[j] && strchr("0-9aeu6?", f[j]) && f[j] != ':')
				j++;
		} else {
			j++;
		}
		j = skip_sp(f, j);
		if (f[j] != ':' && f[j] != ';' && f[j] != '.' && f[j] != ',')
			continue;
		j = skip_sp(f, j + 1);
		d0 = j;
		while (ocr_digit(f[j]) >= 0 && j - d0 < 11)
			j++;
		if (j == d0 || !isdigit((unsigned char)f[d0]))
			continue;
		*na = d0;
		*nb = j;
		j = skip_sp(f, j);
		if (f[j] != '/')
			continue;
		j = skip_sp(f, j + 1);
		/* "30/2020/NĐ-CP": the year is part of the number's series. */
		if (isdigit((unsigned char)f[j]) && isdigit((unsigned char)f[j + 1]) && isdigit((unsigned char)f[j + 2]) &&
		    isdigit((unsigned char)f[j + 3]) && f[j + 4] == '/')
			j += 5;
		*ka = j;
		for (;;) {
			while (isalnum((unsigned char)f[j]) || f[j] == '-' || f[j] == '.')
				j++;
			/* OCR often breaks "KH- VTLTNN" or "KH -VTLTNN". */
			if (j > *ka && f[j - 1] == '-' && f[j] == ' ' && isalpha((unsigned char)f[j + 1]))
				j++;
			else if (f[j] == ' ' && f[j + 1] == '-' && isalpha((unsigned char)f[j + 2]))
				j += 2;
			else
				break;
		}
		while (j > *ka && (f[j - 1] == '.' || f[j - 1] == '-'))
			j--;
		*kb = j;
		if (*kb == *ka)
			continue;
		return conf;
	}
	return 0;
}

static char *clean_number(const struct line *l, size_t a, size_t b)
{
	char *v = xmalloc(b - a + 1);
	size_t n = 0;
	for (size_t i = a; i < b; i++)
		v[n++] = (char)('0' + ocr_digit(l->fold[i]));
	v[n] = '\0';
	return v;
}

static char *clean_notation(const struct line *l, size_t a, size_t b)
{
	char *v = orig(l, a, b), *w = v;
	for (char *r = v; *r; r++)
		if (*r != ' ')
			*w++ = *r;
	*w = '\0';
	return v;
}

/* "ngày D tháng M năm YYYY" in folded text from position `from`. */
static bool find_date(const char *f, char *out, size_t outsz, size_t *at)
{
	for (const char *p = strstr(f, "ngay"); p; p = strstr(p + 1, "ngay")) {
		int d = 0, m = 0, y = 0, nd = 0, nm = 0, ny = 0, dd, mm, yy;
		const char *q = p + 4, *t;
		char buf[48];
		while (*q == ' ' || *q == ':')
			q++;
		for (; ocr_digit(*q) >= 0 && nd < 2; q++, nd++)
			d = d * 10 + ocr_digit(*q);
		while (*q == ' ')
			q++;
		if (!nd || !(t = strstr(q, "thang")) || t - q > 3)
			continue;
		q = t + 5;
		while (*q == ' ' || *q == ':')
			q++;
		for (; ocr_digit(*q) >= 0 && nm < 2; q++, nm++)
			m = m * 10 + ocr_digit(*q);
		while (*q == ' ')
			q++;
		if (!nm || !(t = strstr(q, "nam")) || t - q > 3)
			continue;
		q = t + 3;
		while (*q == ' ' || *q == ':')
			q++;
		for (; ocr_digit(*q) >= 0 && ny < 4; q++, ny++)
			y = y * 10 + ocr_digit(*q);
		if (ny != 4)
			continue;
		snprintf(buf, sizeof(buf), "%d/%d/%d", d, m, y);
		if (!meta_date_parse(buf, &dd, &mm, &yy))
			continue;
		snprintf(out, outsz, "%02d/%02d/%04d", dd, mm, yy);
		*at = (size_t)(p - f);
		return true;
	}
	return false;
}

static int upper_ratio(const struct line *l)
{
	size_t up = 0, letters = 0;
	for (size_t i = 0; i < l->len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, (const uint8_t *)l->s + i, l->len - i);
		if (uc_is_alpha(c)) {
			letters++;
			if (uc_is_upper(c))
				up++;
		}
		i += (size_t)k;
	}
	return letters ? (int)(100 * up / letters) : 0;
}

static size_t letters_in(const char *f)
{
	size_t n = 0;
	for (; *f; f++)
		n += isalpha((unsigned char)*f) != 0;
	return n;
}

/* Folded text reduced to letters and single spaces. */
static char *words_only(const char *f)
{
	char *out = xmalloc(strlen(f) + 1), *w = out;
	bool sp = true;
	for (; *f; f++) {
		if (isalpha((unsigned char)*f) || *f == '?') {
			*w++ = *f;
			sp = false;
		} else if (!sp) {
			*w++ = ' ';
			sp = true;
		}
	}
	while (w > out && w[-1] == ' ')
		w--;
	*w = '\0';
	return out;
}

static char *fold_str(const char *s)
{
	struct line l = {s, strlen(s), NULL, NULL, 0};
	fold_line(&l);
	free(l.map);
	return l.fold;
}

/* The national motto beside the issuer: where it starts in a folded line. */
static size_t motto_at(const char *f)
{
	static const char *const motto[] = {"cong hoa", "hoa xa hoi", "xa hoi chu", "chu nghia viet", "doc lap", "tu do - hanh", "hanh phuc", NULL};
	size_t best = strlen(f);
	for (int i = 0; motto[i]; i++) {
		const char *p = strstr(f, motto[i]);
		if (p && (size_t)(p - f) < best)
			best = (size_t)(p - f);
	}
	return best;
}

/* Administrative units that continue a body's name on the next line
 * ("ỦY BAN NHÂN DÂN" / "TỈNH X"). */
static bool continues_name(const char *f)
{
	static const char *const units[] = {"tinh ", "thanh pho ", "huyen ", "quan ", "thi xa ", "xa ", "phuong ", "thi tran ", NULL};
	for (int i = 0; units[i]; i++)
		if (str_starts(f, units[i]))
			return true;
	return false;
}

static bool body_start(const char *f)
{
	static const char *const starts[] = {"can cu", "kinh gui", "thuc hien", "theo ", "nay ", "xet ", NULL};
	for (int i = 0; starts[i]; i++)
		if (str_starts(f, starts[i]))
			return true;
	return isdigit((unsigned char)f[0]) || (f[0] && f[1] == ')') || f[0] == '-';
}

/* "V/v", "V.v", "Vlv", "V/y": length of the prefix, or 0. */
static size_t vv_prefix(const char *f)
{
	if (f[0] == 'v' && f[1] && strchr("/.l|1i", f[1]) && (f[2] == 'v' || f[2] == 'y') && !isalpha((unsigned char)f[3]))
		return 3 + (f[3] == ':' ? 1 : 0);
	if (str_starts(f, "ve viec "))
		return 8;
	return 0;
}

static bool starts_lower(const struct line *l, size_t from)
{
	ucs4_t c;
	size_t i = l->map[from];
	u8_mbtouc(&c, (const uint8_t *)l->s + i, l->len - i);
	return uc_is_lower(c);
}

static char *cap_first(char *s)
{
	ucs4_t c;
	int k;
	uint8_t buf[8];
	size_t n = sizeof(buf);
	uint8_t *up;
	char *out;
	if (!*s)
		return s;
	k = u8_mbtouc(&c, (const uint8_t *)s, strlen(s));
	up = u8_toupper((const uint8_t *)s, (size_t)k, NULL, UNINORM_NFC, buf, &n);
	if (!up)
		return s;
	out = xmalloc(n + strlen(s + k) + 1);
	memcpy(out, up, n);
	strcpy(out + n, s + k);
	if (up != buf)
		free(up);
	free(s);
	return out;
}

/* The subject from line i (from folded offset off) plus continuation lines. */
static char *take_subject(struct line *L, int n, int i, size_t off)
{
	struct strbuf sb;
	char *o;
	sb_init(&sb, 0);
	o = orig(&L[i], off, L[i].flen);
	sb_adds(&sb, o);
	free(o);
	for (int j = i + 1; j < n && j < i + 4; j++) {
		size_t a = (size_t)(skip_sp(L[j].fold, 0));
		if (a >= L[j].flen || body_start(L[j].fold + a) || !starts_lower(&L[j], a))
			break;
		if (sb.len && (sb.buf[sb.len - 1] == '.' || sb.buf[sb.len - 1] == ';'))
			break;
		o = orig(&L[j], a, L[j].flen);
		sb_addc(&sb, ' ');
		sb_adds(&sb, o);
		free(o);
	}
	o = sb_detach(&sb);
	squeeze(o);
	{
		char *f = fold_str(o);
		size_t p = vv_prefix(f);
		free(f);
		if (p) {
			/* Cut as many original characters as the folded prefix has. */
			const char *q = o;
			for (size_t c = 0; c < p && *q; c++) {
				ucs4_t u;
				q += u8_mbtouc(&u, (const uint8_t *)q, strlen(q));
			}
			while (*q == ' ' || *q == ':')
				q++;
			memmove(o, q, strlen(q) + 1);
		}
	}
	return cap_first(o);
}

static void set(struct proposal *p, int k, char *v, double conf)
{
	if (!v || !*v) {
		free(v);
		return;
	}
	/* Vietnamese has no eth: OCR meant Đ (same byte length in UTF-8). */
	for (char *q = v; q[0] && q[1]; q++)
		if ((unsigned char)q[0] == 0xC3 && ((unsigned char)q[1] == 0x90 || (unsigned char)q[1] == 0xB0)) {
			q[1] = (char)((unsigned char)q[1] == 0x90 ? 0x90 : 0x91);
			q[0] = (char)0xC4;
		}
	free(p->item[k].value);
	p->item[k].value = v;
	p->item[k].confidence = conf;
}

/*
 * Words the value's confidence rests on (issue 10): a name or subject with
 * a word that is no Vietnamese syllable (OCR letter soup, a misread mark)
 * is not sure, whatever the layout says: its confidence is capped at
 * PROPOSE_UNSURE.  The dictionary is opened once per process; without it
 * nothing is capped.
 */
#define PROPOSE_UNSURE 0.5

static void propose_check_words(struct proposal *p, int k)
{
	static struct viet *v;
	static bool tried;
	int checked = 0, valid = 0;
	if (!p->item[k].value)
		return;
	if (!tried) {
		struct errbuf err;
		err_init(&err);
		tried = true;
		v = viet_open(VIET_DICT_DEFAULT, &err);
	}
	if (!v)
		return;
	viet_count(v, p->item[k].value, &checked, &valid);
	if (valid < checked && p->item[k].confidence > PROPOSE_UNSURE)
		p->item[k].confidence = PROPOSE_UNSURE;
}

void propose_text(const char *text, const struct meta_codelist *types, struct proposal *out)
{
	struct line *L = NULL;
	int n = 0, so = -1, type_line = -1;
	size_t na = 0, nb = 0, ka = 0, kb = 0;
	double conf = 0;
	memset(out, 0, sizeof(*out));
	for (int k = 0; k < PROPOSE_NFIELDS; k++)
		out->item[k].field = field_names[k];
	for (const char *p = text; *p;) {
		const char *e = strchr(p, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			len--;
		if (len && (size_t)n < 400) {
			L = xrealloc(L, sizeof(*L) * (size_t)(n + 1));
			L[n].s = p;
			L[n].len = len;
			fold_line(&L[n]);
			n++;
		}
		if (!e)
			break;
		p = e + 1;
	}
	/* Số and ký hiệu: in the first lines. */
	for (int i = 0; i < n && i < 15 && so < 0; i++) {
		conf = find_so(&L[i], &na, &nb, &ka, &kb);
		if (conf > 0)
			so = i;
	}
	if (so >= 0) {
		set(out, PROPOSE_CODE_NUMBER, clean_number(&L[so], na, nb), conf);
		set(out, PROPOSE_CODE_NOTATION, clean_notation(&L[so], ka, kb), conf - 0.05);
	}
	/* The date of issue: the first full date near the top, else anywhere. */
	{
		char date[16];
		size_t at;
		for (int i = 0; i < n; i++) {
			char *joined = i + 1 < n ? xasprintf("%s %s", L[i].fold, L[i + 1].fold) : xstrdup(L[i].fold);
			bool ok = find_date(joined, date, sizeof(date), &at) && at < L[i].flen;
			free(joined);
			if (ok) {
				set(out, PROPOSE_ISSUED_DATE, xstrdup(date), i <= (so >= 0 ? so + 2 : 6) ? 0.9 : 0.5);
				break;
			}
		}
	}
	/* The issuing body: the header lines above the số, motto removed. */
	{
		int end = so >= 0 ? so : (n < 3 ? n : 3), last = -1, prev = -1;
		char *lastv = NULL, *prevv = NULL;
		for (int i = 0; i < end; i++) {
			size_t cut = motto_at(L[i].fold);
			char *head, *f;
			if (cut == 0)
				continue;
			head = squeeze(orig(&L[i], 0, cut));
			f = fold_str(head);
			if (letters_in(f) >= 3 && upper_ratio(&(struct line){head, strlen(head), NULL, NULL, 0}) >= 70) {
				free(prevv);
				prevv = lastv;
				prev = last;
				lastv = head;
				last = i;
			} else {
				free(head);
			}
			free(f);
		}
		if (lastv) {
			char *f = fold_str(lastv);
			double c = prevv ? 0.8 : 0.6;
			if (prevv && continues_name(f)) {
				char *j = xasprintf("%s %s", prevv, lastv);
				free(lastv);
				lastv = j;
				c = 0.7;
			}
			free(f);
			set(out, PROPOSE_ORGAN_NAME, lastv, c);
			lastv = NULL;
		}
		(void)prev;
		free(prevv);
		free(lastv);
	}
	/* The kind: a line in capitals that is a label of the typeName list. */
	for (int i = so >= 0 ? so + 1 : 0; types && i < n && i < (so >= 0 ? so + 6 : 12) && type_line < 0; i++) {
		char *w = words_only(L[i].fold);
		int best = -1;
		size_t bestlen = 0;
		bool exact = false;
		if (upper_ratio(&L[i]) >= 70) {
			for (int k = 0; k < types->n; k++) {
				char *lf = fold_str(types->v[k].label), *lab = words_only(lf);
				free(lf);
				size_t ll = strlen(lab);
				if (ll && !strcmp(types->v[k].code, "32")) {
					free(lab);
					continue;
				}
				if (ll && str_starts(w, lab) && (w[ll] == '\0' || w[ll] == ' ') && ll > bestlen) {
					best = k;
					bestlen = ll;
					exact = w[ll] == '\0';
				}
				free(lab);
			}
		}
		free(w);
		if (best >= 0) {
			set(out, PROPOSE_TYPE_NAME, xstrdup(types->v[best].code), exact ? 0.9 : 0.7);
			type_line = i;
		}
	}
	/* The subject: "V/v ..." under the số (công văn), else the title line
	 * under the kind. */
	for (int i = so >= 0 ? so : 0; i < n && i < (so >= 0 ? so + 4 : 10); i++) {
		size_t a = skip_sp(L[i].fold, 0);
		if (vv_prefix(L[i].fold + a) && str_starts(L[i].fold + a, "v")) {
			if (!strncmp(L[i].fold + a, "ve viec", 7) && type_line < 0)
				continue;
			set(out, PROPOSE_SUBJECT, take_subject(L, n, i, a), 0.85);
			if (!out->item[PROPOSE_TYPE_NAME].value && types && meta_code_label(types, "22") && strncmp(L[i].fold + a, "ve viec", 7))
				set(out, PROPOSE_TYPE_NAME, xstrdup("22"), 0.75);
			break;
		}
	}
	if (!out->item[PROPOSE_SUBJECT].value && type_line >= 0 && type_line + 1 < n) {
		int i = type_line + 1;
		size_t a = skip_sp(L[i].fold, 0);
		if (!body_start(L[i].fold + a))
			set(out, PROPOSE_SUBJECT, take_subject(L, n, i, a), 0.75);
	}
	propose_check_words(out, PROPOSE_ORGAN_NAME);
	propose_check_words(out, PROPOSE_SUBJECT);
	for (int i = 0; i < n; i++) {
		free(L[i].fold);
		free(L[i].map);
	}
	free(L);
}

void propose_release(struct proposal *p)
{
	for (int k = 0; k < PROPOSE_NFIELDS; k++) {
		free(p->item[k].value);
		p->item[k].value = NULL;
	}
}

int propose_document(struct db *db, const char *root, const struct meta_schema *s, const struct meta_object *doc,
		     const char *agent, struct proposal *out, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, text_path FROM pages WHERE document_id = ?1 ORDER BY batch_id, seq, id");
	struct strbuf text;
	struct proposal p;
	int rc = -1, npages = 0;
	sb_init(&text, 0);
	db_bind_int64(st, 1, doc->id);
	while (db_step(st) == DB_ROW) {
		const char *tp = db_col_text(st, 1);
		char *path, *data = NULL;
		size_t len = 0;
		if (!tp)
			continue;
		path = workspace_abs(root, tp);
		if (fsio_read(path, &data, &len, 64 << 20, err) < 0) {
			free(path);
			db_finalize(st);
			goto out_text;
		}
		sb_add(&text, data, len);
		sb_addc(&text, '\n');
		npages++;
		free(data);
		free(path);
	}
	db_finalize(st);
	if (npages == 0) {
		err_set(err, "document '%s': no OCR text yet (run the pipeline first)", doc->name);
		goto out_text;
	}
	propose_text(text.buf, meta_codelist_find(s, "typeName"), &p);
	if (db_begin(db, err) < 0)
		goto out_p;
	for (int k = 0; k < PROPOSE_NFIELDS; k++) {
		const struct meta_field *f = meta_field_find(s, META_DOCUMENT, p.item[k].field);
		char *src = NULL, *old, *v;
		struct errbuf e;
		if (!p.item[k].value || !f)
			continue;
		old = meta_get(db, META_DOCUMENT, doc->id, f->name, &src);
		if (old && src && strcmp(src, "proposed")) {
			/* Entered values are never overwritten. */
			free(old);
			free(src);
			continue;
		}
		free(old);
		free(src);
		err_init(&e);
		v = meta_value_check(f, p.item[k].value, &e);
		if (!v)
			continue; /* a proposal that is not even valid is not offered */
		if (meta_put(db, doc, f->name, v, "proposed", p.item[k].confidence, agent, err) < 0) {
			free(v);
			db_rollback(db);
			goto out_p;
		}
		free(v);
	}
	if (db_commit(db, err) < 0) {
		db_rollback(db);
		goto out_p;
	}
	rc = 0;
out_p:
	if (out && rc == 0)
		*out = p;
	else
		propose_release(&p);
out_text:
	sb_release(&text);
	return rc;
}

int propose_accept(struct db *db, const struct meta_schema *s, const struct meta_object *doc, int n,
		   char *const *fields, const char *agent, int *accepted, struct errbuf *err)
{
	struct db_stmt *st;
	char **names = NULL;
	int nn = 0, rc = -1;
	*accepted = 0;
	if (n == 0) {
		st = db_prepare(db, "SELECT field FROM meta WHERE object = 'document' AND object_id = ?1 AND source = 'proposed' ORDER BY field");
		db_bind_int64(st, 1, doc->id);
		while (db_step(st) == DB_ROW) {
			names = xrealloc(names, sizeof(char *) * (size_t)(nn + 1));
			names[nn++] = db_col_strdup(st, 0);
		}
		db_finalize(st);
	} else {
		names = xcalloc((size_t)n, sizeof(char *));
		for (; nn < n; nn++)
			names[nn] = xstrdup(fields[nn]);
	}
	if (db_begin(db, err) < 0)
		goto out;
	for (int i = 0; i < nn; i++) {
		char *src = NULL, *v = meta_get(db, META_DOCUMENT, doc->id, names[i], &src), *nv;
		const struct meta_field *f = meta_field_find(s, META_DOCUMENT, names[i]);
		bool prop = v && src && !strcmp(src, "proposed");
		free(src);
		if (!f || !prop) {
			err_set(err, "document '%s': field '%s': %s", doc->name, names[i], !f ? "not a document field" : "no proposal to accept");
			free(v);
			goto rollback;
		}
		nv = meta_value_check(f, v, err);
		free(v);
		if (!nv || meta_put(db, doc, names[i], nv, "operator", -1, agent, err) < 0) {
			free(nv);
			goto rollback;
		}
		free(nv);
		(*accepted)++;
	}
	if (db_commit(db, err) < 0)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	db_rollback(db);
	*accepted = 0;
out:
	for (int i = 0; i < nn; i++)
		free(names[i]);
	free(names);
	return rc;
}
