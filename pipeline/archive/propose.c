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
#include <time.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistd.h>
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
	/* no spaces; a dash OCR doubled ("TTr--UBND") is one */
	for (char *r = v; *r; r++)
		if (*r != ' ' && !(*r == '-' && w > v && w[-1] == '-'))
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

/*
 * A date's numbers the OCR may have misread: a year before 1900 or after
 * this one, or one of more than four digits ("năm 15959"; find_date()
 * takes four).  f is the folded text from the date's "ngay".
 */
static bool date_plausible(const char *f, int year)
{
	const char *y = strstr(f, "nam");
	time_t now = time(NULL);
	struct tm tm;
	int digits = 0;
	if (y) {
		for (y += 3; *y == ' ' || *y == ':'; y++)
			;
		while (ocr_digit(*y++) >= 0)
			digits++;
	}
	if (digits > 4)
		return false;
	gmtime_r(&now, &tm);
	return year >= 1900 && year <= tm.tm_year + 1900;
}

/* Under this word confidence (hOCR x_wconf) a date's number is not sure;
 * measured: the right dates of 60 mkadmin.py pages read 91 to 97, the one
 * misread (a 5-digit year) 72. */
#define PROPOSE_DATE_WCONF 85

/*
 * How sure the OCR was of a date's numbers: the lowest word confidence
 * (hOCR x_wconf) of the word that holds its year and of those, among the
 * five words before it, that hold its day and month; -1 when the hOCR
 * has no word with the year.  A word's numbers are its runs of digits
 * (the text between its tag and the next '<': numbers carry no entity).
 */
static int date_conf(const char *hocr, int d, int m, int y)
{
	struct { int conf, num[3], n; } w[6]; /* the last six words, a ring */
	int seen = 0;
	for (const char *p = hocr; p && (p = strstr(p, "x_wconf ")); seen++) {
		int k = seen % 6, conf = (int)strtol(p + 8, NULL, 10), low;
		const char *t = strchr(p, '>');
		w[k].conf = conf;
		w[k].n = 0;
		p += 8;
		if (!t)
			break;
		for (t++; *t && *t != '<';) {
			int v = 0, nd = 0;
			while (*t >= '0' && *t <= '9' && nd < 5)
				v = v * 10 + (*t++ - '0'), nd++;
			if (nd && w[k].n < 3)
				w[k].num[w[k].n++] = v;
			if (!nd)
				t++;
		}
		for (int j = 0; j < w[k].n; j++)
			if (w[k].num[j] == y)
				goto year;
		continue;
year:
		low = conf;
		for (int want = 0; want < 2; want++) {
			/* the day, then the month: the nearest word before that has it */
			int x = want ? m : d;
			for (int back = 0; back < 6 && back <= seen; back++) {
				int i = (seen - back) % 6, hit = 0;
				for (int j = 0; j < w[i].n; j++)
					hit |= w[i].num[j] == x;
				if (hit) {
					if (w[i].conf < low)
						low = w[i].conf;
					break;
				}
			}
		}
		return low;
	}
	return -1;
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
 * is not sure, whatever the layout says; nor is one with a word the
 * word-pair table doubts (viet_doubtful(): "kiếm tra", "Tống kết", a tone
 * mark the OCR may have confused and the table could not settle).  Its
 * confidence is capped at PROPOSE_UNSURE.  The dictionary is opened once
 * per process; without it nothing is capped.
 */
#define PROPOSE_UNSURE 0.5

static struct viet *propose_viet;
static bool propose_tried;

static struct viet *propose_dict(void)
{
	if (!propose_tried) {
		struct errbuf err;
		err_init(&err);
		propose_tried = true;
		propose_viet = viet_open(VIET_DICT_DEFAULT, &err);
	}
	return propose_viet;
}

int propose_use_pairs(const char *path, struct errbuf *err)
{
	struct viet *v = propose_dict();
	if (!v)
		return 0;
	return viet_load_pairs(v, path, err) < 0 ? -1 : 0;
}

/* Does the word-pair table doubt a word of s (space-separated)? */
static bool propose_doubtful(struct viet *v, const char *s)
{
	char *copy = xstrdup(s), *save = NULL, *tok, *w[3] = { NULL, NULL, NULL };
	bool doubt = false;
	/* w[0] prev, w[1] the word judged, w[2] next */
	for (tok = strtok_r(copy, " ", &save);; tok = strtok_r(NULL, " ", &save)) {
		w[0] = w[1];
		w[1] = w[2];
		w[2] = tok;
		if (w[1] && viet_doubtful(v, w[0], w[1], w[2])) {
			doubt = true;
			break;
		}
		if (!tok)
			break;
	}
	free(copy);
	return doubt;
}

static void propose_check_words(struct proposal *p, int k)
{
	struct viet *v = propose_dict();
	int checked = 0, valid = 0;
	if (!p->item[k].value || !v)
		return;
	viet_count(v, p->item[k].value, &checked, &valid);
	if ((valid < checked || propose_doubtful(v, p->item[k].value)) && p->item[k].confidence > PROPOSE_UNSURE)
		p->item[k].confidence = PROPOSE_UNSURE;
}

/* The place of the date line ("Bắc Ninh, ngày 21 tháng ..."): the words of
 * letters just before ", ngày" in the first lines; NULL when none. */
static char *find_place(const struct line *L, int n)
{
	for (int i = 0; i < n && i < 15; i++) {
		const char *f = L[i].fold, *c = strstr(f, ", ngay ");
		size_t end, start;
		int words = 0;
		if (!c)
			continue;
		end = start = (size_t)(c - f);
		while (words < 4 && start > 0) {
			size_t ws = start, k;
			while (ws > 0 && f[ws - 1] == ' ')
				ws--;
			k = ws;
			while (k > 0 && f[k - 1] != ' ')
				k--;
			if (k == ws)
				break;
			for (size_t j = k; j < ws; j++)
				if (!isalpha((unsigned char)f[j]))
					goto done;
			start = k;
			words++;
		}
done:
		if (words > 0 && letters_in(f + start) >= 3)
			return orig(&L[i], start, end);
		return NULL;
	}
	return NULL;
}

/* Edit distance of two short strings (bytes). */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), d[32][32];
	if (la >= 32 || lb >= 32)
		return 99;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t x = d[i - 1][j] + 1, y = d[i][j - 1] + 1, z = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			d[i][j] = x < y ? (x < z ? x : z) : (y < z ? y : z);
		}
	return d[la][lb];
}

/*
 * A body's name whose place the OCR spoilt: when the name's last word is
 * no Vietnamese syllable (letters, or letters and a digit: "NINH2ÔNG")
 * and the name ends, from a word's start, in as
 * many words as the place of the date line has, and those words are the
 * place glued to the motto beside it ("ỦY BAN NHÂN DÂN TỈNH BẮC NINHỘNG
 * HÒA ...": the place all but its last letter, then more; the columns
 * nearly touch) or the place misread by a few letters ("ĐÀ NẴWNG": at
 * most 3 and half the place's letters apart), that tail is the place: the
 * name with the place in capitals in its stead.  NULL when not so.
 */
static char *unglue(const char *value, const char *place)
{
	struct viet *v = propose_dict();
	struct line lv = { value, strlen(value), NULL, NULL, 0 };
	const char *last = strrchr(value, ' ');
	char *pf, *out = NULL;
	size_t n, i, at = (size_t)-1;
	if (!v || !place || viet_check(v, last ? last + 1 : value) == VIET_VALID)
		return NULL;
	pf = fold_str(place);
	n = strlen(pf);
	fold_line(&lv);
	for (i = 0; n >= 4 && i + n <= lv.flen; i++) {
		const char *a = lv.fold + i, *q;
		int sa = 0, sp = 0;
		size_t d;
		if (i && lv.fold[i - 1] != ' ')
			continue;
		for (q = a; *q; q++)
			sa += *q == ' ';
		for (q = pf; *q; q++)
			sp += *q == ' ';
		if (sa != sp)
			continue;
		d = edit_distance(a, pf);
		if ((!strncmp(a, pf, n - 1) && strlen(a) > n) || (d > 0 && d <= 3 && d <= n / 2))
			at = i;
	}
	if (at != (size_t)-1) {
		size_t m = 0;
		uint8_t *up = u8_toupper((const uint8_t *)place, strlen(place), NULL, UNINORM_NFC, NULL, &m);
		if (up) {
			out = xasprintf("%.*s%.*s", (int)lv.map[at], value, (int)m, (const char *)up);
			free(up);
		}
	}
	free(lv.fold);
	free(lv.map);
	free(pf);
	return out;
}

/* s in capitals without its tone marks (NFD: grave, acute, tilde, hook
 * above, dot below); the vowels keep their circumflex, breve and horn. */
static char *toneless_upper(const char *s)
{
	size_t n = 0, m = 0;
	uint8_t *d = u8_toupper((const uint8_t *)s, strlen(s), NULL, UNINORM_NFD, NULL, &n), *c;
	char *out;
	if (!d)
		return xstrdup(s);
	for (size_t i = 0; i < n; i++) {
		/* U+0300 U+0301 U+0303 U+0309 U+0323: CC 80, 81, 83, 89, A3 */
		int second = d[i] == 0xCC && i + 1 < n ? d[i + 1] : -1;
		if (second == 0x80 || second == 0x81 || second == 0x83 || second == 0x89 || second == 0xA3)
			i++;
		else
			d[m++] = d[i];
	}
	c = u8_normalize(UNINORM_NFC, d, m, NULL, &n);
	free(d);
	if (!c)
		return xstrdup(s);
	out = xstrndup((const char *)c, n);
	free(c);
	return out;
}

/*
 * The words a body's name is made of whose tone mark the OCR confuses and
 * that no place name or common name word shares a toneless form with
 * (PHÚ, ĐÔNG, VŨ, QUÂN, VIÊN, THANH, PHONG do: those are left out).
 */
static const char *const body_words[] = {
	"TỈNH", "HUYỆN", "XÃ", "ỦY", "NHÂN", "DÂN", "BỘ", "CỤC", "TỔNG", "BỆNH", "NỘI",
};

/*
 * A body's name with such a word misread by its tone mark ("ĐA KHOA TÍNH",
 * "TỐNG CỤC"): the word put right, unless it is a word of the place of the
 * date line (HÀ TĨNH); a word that the next one begins with and goes on
 * from ("ĐÀ NẴ NẴNG": the OCR read a word's start twice) is taken out.
 * NULL when nothing changed.
 */
static char *fix_body_words(const char *value, const char *place)
{
	char *copy = xstrdup(value), *save = NULL, *tok, *next, *pl = NULL;
	struct strbuf sb;
	bool changed = false;
	if (place) {
		/* " HÀ TĨNH ": its words, each between spaces */
		size_t m = 0;
		uint8_t *up = u8_toupper((const uint8_t *)place, strlen(place), NULL, UNINORM_NFC, NULL, &m);
		if (up)
			pl = xasprintf(" %.*s ", (int)m, (const char *)up);
		free(up);
	}
	sb_init(&sb, 0);
	for (tok = strtok_r(copy, " ", &save); tok; tok = next) {
		const char *w = tok;
		char *t, *spaced;
		bool keep;
		next = strtok_r(NULL, " ", &save);
		if (next && strlen(next) > strlen(tok) && !strncmp(next, tok, strlen(tok))) {
			/* a word's start read twice ("ĐÀ NẴ NẴNG") */
			changed = true;
			continue;
		}
		t = toneless_upper(tok);
		spaced = xasprintf(" %s ", tok);
		keep = pl && strstr(pl, spaced);
		for (size_t k = 0; k < sizeof body_words / sizeof body_words[0] && !keep && w == tok; k++) {
			char *b = toneless_upper(body_words[k]);
			keep = !strcmp(tok, body_words[k]);
			if (!keep && !strcmp(b, t)) {
				w = body_words[k];
				changed = true;
			}
			free(b);
		}
		if (sb.len)
			sb_addc(&sb, ' ');
		sb_adds(&sb, w);
		free(t);
		free(spaced);
	}
	free(copy);
	free(pl);
	if (!changed) {
		sb_release(&sb);
		return NULL;
	}
	return sb_detach(&sb);
}

/* The abbreviations the ký hiệu of each kind begins with (Nghị định
 * 30/2020 Phụ lục III), by the kind's folded label; a công văn has none. */
static const struct { const char *label, *abbr; } kind_abbr[] = {
	{ "nghi quyet", "NQ" }, { "quyet dinh", "QĐ" }, { "chi thi", "CT" }, { "quy che", "QC" },
	{ "quy dinh", "QYĐ" }, { "thong cao", "TC" }, { "thong bao", "TB" }, { "huong dan", "HD" },
	{ "chuong trinh", "CTr" }, { "ke hoach", "KH" }, { "phuong an", "PA" }, { "de an", "ĐA" },
	{ "du an", "DA" }, { "bao cao", "BC" }, { "bien ban", "BB" }, { "to trinh", "TTr" },
	{ "hop dong", "HĐ" }, { "cong dien", "CĐ" }, { "ban ghi nho", "BGN" }, { "ban thoa thuan", "BTT" },
	{ "giay uy quyen", "GUQ" }, { "giay moi", "GM" }, { "giay gioi thieu", "GGT" },
	{ "giay nghi phep", "GNP" }, { "phieu gui", "PG" }, { "phieu chuyen", "PC" }, { "phieu bao", "PB" },
};

/* The abbreviation of the kind labelled so; NULL for none or no label. */
static const char *kind_abbr_of(const char *label)
{
	const char *abbr = NULL;
	char *lf;
	if (!label)
		return NULL;
	lf = fold_str(label);
	for (size_t k = 0; k < sizeof kind_abbr / sizeof kind_abbr[0]; k++)
		if (!strcmp(lf, kind_abbr[k].label))
			abbr = kind_abbr[k].abbr;
	free(lf);
	return abbr;
}

/*
 * The ký hiệu against the kind found on the page: one whose first part is
 * the kind's abbreviation of three letters or more misread by at most two
 * ("TTIr", "TIT", "TT" for TTr), or any with a letter doubled (QĐĐ for
 * QĐ), is given the abbreviation, at confidence 0.7 (rebuilt, never
 * sure); one that differs otherwise is not sure (0.5).
 */
static void check_notation(struct proposal *p, const char *label)
{
	struct propose_item *it = &p->item[PROPOSE_CODE_NOTATION];
	char *dash, *head, *hf, *af;
	const char *abbr = kind_abbr_of(label);
	if (!it->value)
		return;
	dash = strchr(it->value, '-');
	if (!abbr || !dash)
		return;
	head = xstrndup(it->value, (size_t)(dash - it->value));
	hf = fold_str(head);
	af = fold_str(abbr);
	if (strcmp(head, abbr)) {
		char *once = xstrdup(hf), *w = once;
		/* a letter OCR doubled (QĐĐ for QĐ) */
		for (const char *r = hf; *r; r++)
			if (w == once || w[-1] != *r)
				*w++ = *r;
		*w = '\0';
		/* a two-letter abbreviation is one letter from too many others */
		if (!strcmp(once, af) || (strlen(af) >= 3 && edit_distance(hf, af) <= 2 && strlen(hf) <= strlen(af) + 2)) {
			char *v = xasprintf("%s%s", abbr, dash);
			free(it->value);
			it->value = v;
			if (it->confidence > 0.7)
				it->confidence = 0.7;
		} else if (it->confidence > PROPOSE_UNSURE) {
			it->confidence = PROPOSE_UNSURE;
		}
		free(once);
	}
	free(head);
	free(hf);
	free(af);
}

/*
 * Is abbr the abbreviation of the name (folded words)?  Each capital of
 * abbr is the first letter of a later word of the name, in order (words
 * may be left out: "VTLTNN" for CỤC VĂN THƯ VÀ LƯU TRỮ NHÀ NƯỚC), and each
 * small letter one later in the same word ("TTg", THỦ TƯỚNG).
 */
static bool abbr_of(const char *abbr, const char *name)
{
	const char *w = NULL, *in = NULL; /* the word matched last, where in it */
	for (const char *a = abbr; *a; a++) {
		unsigned char c = (unsigned char)*a;
		bool cap = isupper(c);
		if ((unsigned char)a[0] == 0xC4 && ((unsigned char)a[1] == 0x90 || (unsigned char)a[1] == 0x91)) {
			cap = (unsigned char)a[1] == 0x90; /* Đ, đ */
			c = 'd';
			a++;
		} else if (!isalpha(c)) {
			return false;
		}
		c = (unsigned char)tolower(c);
		if (cap) {
			const char *q = w ? w : name;
			if (w)
				while (*q && *q != ' ')
					q++;
			for (;;) {
				while (*q == ' ')
					q++;
				if (!*q)
					return false;
				if ((unsigned char)*q == c)
					break;
				while (*q && *q != ' ')
					q++;
			}
			w = q;
			in = q + 1;
		} else {
			if (!in)
				return false;
			while (*in && *in != ' ' && (unsigned char)*in != c)
				in++;
			if ((unsigned char)*in != c)
				return false;
			in++;
		}
	}
	return w != NULL;
}

/*
 * The body's part of the ký hiệu (the first part of a công văn's, the
 * second of one that starts with its kind's abbreviation) against the
 * issuing body's name: one that is no abbreviation of it (abbr_of()) but
 * would be without one of its capitals is given that, at 0.6, when it has
 * six letters or more (an OCR letter too many: "VTLUTNN"; a shorter one
 * fits too many names by chance: SNV of BỘ NỘI VỤ would be NV); otherwise
 * it is not sure.  A part with a digit, or no name, is left alone.
 */
static void check_notation_body(struct proposal *p, bool has_kind)
{
	struct propose_item *it = &p->item[PROPOSE_CODE_NOTATION];
	const char *name = p->item[PROPOSE_ORGAN_NAME].value, *a, *e;
	char *part, *nf;
	if (!it->value || !name || it->confidence <= PROPOSE_UNSURE)
		return;
	a = it->value;
	if (has_kind) {
		a = strchr(a, '-');
		if (!a)
			return;
		a++;
	}
	e = strchr(a, '-');
	part = xstrndup(a, e ? (size_t)(e - a) : strlen(a));
	nf = fold_str(name);
	if (*part && !strpbrk(part, "0123456789") && !abbr_of(part, nf)) {
		/* a letter the OCR put in: the one whose removal makes it fit */
		size_t n = strlen(part), fix = n;
		int fits = 0;
		for (size_t i = 0; n >= 6 && i < n; i++) {
			char *less;
			if (!isupper((unsigned char)part[i]) || (i && part[i - 1] == part[i]))
				continue;
			less = xasprintf("%.*s%s", (int)i, part, part + i + 1);
			if (abbr_of(less, nf))
				fits++, fix = i;
			free(less);
		}
		if (fits == 1) {
			char *v = xasprintf("%.*s%.*s%s", (int)(a - it->value), it->value, (int)fix, part, a + fix + 1);
			free(it->value);
			it->value = v;
			it->confidence = 0.6;
		} else {
			it->confidence = PROPOSE_UNSURE;
		}
	}
	free(part);
	free(nf);
}

void propose_text(const char *text, const char *hocr, const struct meta_codelist *types, struct proposal *out)
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
				double c = i <= (so >= 0 ? so + 2 : 6) ? 0.9 : 0.5;
				int dd = 0, mm = 0, yy = 0, wc;
				sscanf(date, "%d/%d/%d", &dd, &mm, &yy);
				wc = hocr ? date_conf(hocr, dd, mm, yy) : -1;
				if (!date_plausible(L[i].fold + at, yy) || (wc >= 0 && wc < PROPOSE_DATE_WCONF))
					c = c < PROPOSE_UNSURE ? c : PROPOSE_UNSURE;
				set(out, PROPOSE_ISSUED_DATE, xstrdup(date), c);
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
			{
				char *place = find_place(L, n), *fixed = unglue(lastv, place);
				if (fixed) {
					/* rebuilt: never a sure value */
					free(lastv);
					lastv = fixed;
					c = 0.6;
				}
				fixed = fix_body_words(lastv, place);
				if (fixed) {
					free(lastv);
					lastv = fixed;
					c = c < 0.7 ? c : 0.7;
				}
				free(place);
			}
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
	if (out->item[PROPOSE_TYPE_NAME].value && types) {
		const char *label = meta_code_label(types, out->item[PROPOSE_TYPE_NAME].value);
		check_notation(out, label);
		check_notation_body(out, kind_abbr_of(label) != NULL);
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
	struct db_stmt *st = db_prepare(db, "SELECT id, text_path, hocr_path FROM pages WHERE document_id = ?1 ORDER BY batch_id, seq, id");
	struct strbuf text, hocr;
	struct proposal p;
	int rc = -1, npages = 0;
	sb_init(&text, 0);
	sb_init(&hocr, 0);
	db_bind_int64(st, 1, doc->id);
	while (db_step(st) == DB_ROW) {
		const char *tp = db_col_text(st, 1), *hp = db_col_text(st, 2);
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
		if (hp) {
			/* the word confidences; a page without them is judged on its text */
			struct errbuf e;
			err_init(&e);
			path = workspace_abs(root, hp);
			if (fsio_read(path, &data, &len, 64 << 20, &e) == 0) {
				sb_add(&hocr, data, len);
				free(data);
			}
			free(path);
		}
	}
	db_finalize(st);
	if (npages == 0) {
		err_set(err, "document '%s': no OCR text yet (run the pipeline first)", doc->name);
		goto out_text;
	}
	{
		/* the word pairs of the workspace, when it has them */
		static bool loaded;
		char *pairs = workspace_abs(root, VIET_PAIRS_DEFAULT);
		struct errbuf e;
		err_init(&e);
		if (!loaded && access(pairs, R_OK) == 0 && propose_use_pairs(pairs, &e) < 0)
			fprintf(stderr, "sohoa: %s; proposals go on without it\n", e.msg);
		loaded = true;
		free(pairs);
	}
	propose_text(text.buf, hocr.len ? hocr.buf : NULL, meta_codelist_find(s, "typeName"), &p);
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
	sb_release(&hocr);
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
