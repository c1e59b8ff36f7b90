/*
 * viet.c - Vietnamese syllable check over Debian's hunspell-vi (see
 * viet.h).  The OCR stage uses it to choose between readings of a page and
 * to say how far its text looks like Vietnamese.
 *
 * Invariants: a struct viet is read-only once open (libhunspell keeps its
 * own caches; one thread uses it).  Error policy: a dictionary that cannot
 * be loaded is reported to the caller, which goes on without it.
 */
#include "viet.h"

#include <hunspell.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unicase.h>
#include <unictype.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/fsio.h"

/* The pairs: open addressing over "a b" keys. */
struct viet_slot {
	char *key;
	long n;
};

struct viet {
	Hunhandle *h;
	struct viet_slot *slot;
	size_t cap, used;
};

static uint64_t viet_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static void viet_put(struct viet *v, char *key, long n);

static void viet_grow(struct viet *v)
{
	struct viet_slot *old = v->slot;
	size_t oldcap = v->cap, i;
	v->cap = v->cap ? 2 * v->cap : 4096;
	v->slot = xcalloc(v->cap, sizeof *v->slot);
	v->used = 0;
	for (i = 0; i < oldcap; i++)
		if (old[i].key)
			viet_put(v, old[i].key, old[i].n);
	free(old);
}

static void viet_put(struct viet *v, char *key, long n)
{
	size_t i;
	if (2 * (v->used + 1) > v->cap)
		viet_grow(v);
	for (i = viet_hash(key) & (v->cap - 1); v->slot[i].key; i = (i + 1) & (v->cap - 1)) {
		if (!strcmp(v->slot[i].key, key)) {
			v->slot[i].n += n;
			free(key);
			return;
		}
	}
	v->slot[i].key = key;
	v->slot[i].n = n;
	v->used++;
}

static long viet_get(const struct viet *v, const char *key)
{
	size_t i;
	if (!v->cap)
		return 0;
	for (i = viet_hash(key) & (v->cap - 1); v->slot[i].key; i = (i + 1) & (v->cap - 1))
		if (!strcmp(v->slot[i].key, key))
			return v->slot[i].n;
	return 0;
}

struct viet *viet_open(const char *dict, struct errbuf *err)
{
	char *aff = xasprintf("%s.aff", dict), *dic = xasprintf("%s.dic", dict);
	struct viet *v = NULL;
	if (access(aff, R_OK) != 0 || access(dic, R_OK) != 0) {
		err_set(err, "cannot read the dictionary '%s': %m (Debian package hunspell-vi)", access(aff, R_OK) ? aff : dic);
		goto out;
	}
	v = xcalloc(1, sizeof *v);
	v->h = Hunspell_create(aff, dic);
	if (!v->h) {
		err_set(err, "cannot load the dictionary '%s'", dic);
		free(v);
		v = NULL;
	}
out:
	free(aff);
	free(dic);
	return v;
}

void viet_free(struct viet *v)
{
	if (!v)
		return;
	size_t i;
	Hunspell_destroy(v->h);
	for (i = 0; i < v->cap; i++)
		free(v->slot[i].key);
	free(v->slot);
	free(v);
}

/* Punctuation that may stand before or after a word: ASCII and the
 * quotes, dashes and ellipsis OCR reads. */
static bool viet_punct(ucs4_t c)
{
	if (c < 0x80)
		return !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'));
	return (c >= 0x2010 && c <= 0x2027) || c == 0xAB || c == 0xBB || c == 0xB7;
}

enum viet_kind viet_check(struct viet *v, const char *token)
{
	const uint8_t *s = (const uint8_t *)token, *start = NULL, *end = NULL, *p;
	size_t len = strlen(token);
	enum viet_kind kind;
	char *w;
	for (p = s; p < s + len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, s + len - p);
		if (c >= '0' && c <= '9')
			return VIET_SKIP;
		if (!viet_punct(c)) {
			if (!start)
				start = p;
			end = p + k;
		}
		p += k;
	}
	if (!start)
		return VIET_SKIP;
	w = xstrndup((const char *)start, (size_t)(end - start));
	kind = Hunspell_spell(v->h, w) ? VIET_VALID : VIET_INVALID;
	free(w);
	return kind;
}

int viet_load_pairs(struct viet *v, const char *path, struct errbuf *err)
{
	char *data = NULL, *line, *save = NULL;
	size_t len = 0;
	int n = 0, lineno = 0;
	if (fsio_read(path, &data, &len, 16 << 20, err) < 0)
		return -1;
	for (line = strtok_r(data, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab = strchr(line, '\t'), *end;
		long c;
		lineno++;
		if (line[0] == '#')
			continue;
		c = tab ? strtol(tab + 1, &end, 10) : 0;
		if (tab && !strchr(line, ' ') && *end == '\t') {
			/* "WORD<TAB>LOWER<TAB>CAP": in small letters and capitalized
			 * inside a sentence */
			long cap = strtol(end + 1, &end, 10);
			if (c >= 0 && cap >= 0 && !*end) {
				*tab = '\0';
				viet_put(v, xasprintf("=%s", line), c);
				viet_put(v, xasprintf("^%s", line), cap);
				continue;
			}
		}
		if (!tab || c <= 0 || *end || !strchr(line, ' ')) {
			err_set(err, "'%s' line %d: expected \"WORD WORD<TAB>COUNT\" or \"WORD<TAB>LOWER<TAB>CAP\"", path, lineno);
			free(data);
			return -1;
		}
		*tab = '\0';
		viet_put(v, xstrdup(line), c);
		n++;
	}
	free(data);
	return n;
}

/* The core of a token: leading and trailing punctuation taken off; *pre
 * and *post get their lengths.  NULL when nothing is left. */
static char *viet_core(const char *token, size_t *pre, size_t *post)
{
	const uint8_t *s = (const uint8_t *)token, *start = NULL, *end = NULL, *p;
	size_t len = strlen(token);
	for (p = s; p < s + len;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, s + len - p);
		if (!viet_punct(c)) {
			if (!start)
				start = p;
			end = p + k;
		}
		p += k > 0 ? k : 1;
	}
	if (!start)
		return NULL;
	if (pre)
		*pre = (size_t)(start - s);
	if (post)
		*post = (size_t)(s + len - end);
	return xstrndup((const char *)start, (size_t)(end - start));
}

/* Lower case, NFC; NULL for invalid UTF-8. */
static char *viet_lower(const char *s)
{
	size_t n = 0;
	uint8_t *r = u8_tolower((const uint8_t *)s, strlen(s), NULL, UNINORM_NFC, NULL, &n);
	char *out;
	if (!r)
		return NULL;
	out = xstrndup((const char *)r, n);
	free(r);
	return out;
}

long viet_pair(struct viet *v, const char *a, const char *b)
{
	char *ca, *cb, *la = NULL, *lb = NULL, *key;
	long n = 0;
	if (!a || !b || !v->used)
		return 0;
	ca = viet_core(a, NULL, NULL);
	cb = viet_core(b, NULL, NULL);
	if (ca && cb && (la = viet_lower(ca)) && (lb = viet_lower(cb))) {
		key = xasprintf("%s %s", la, lb);
		n = viet_get(v, key);
		free(key);
	}
	free(ca);
	free(cb);
	free(la);
	free(lb);
	return n;
}

/* The six tones of a circumflex or breve vowel (NFC), lower case; the row
 * of c, or -1. */
static const ucs4_t viet_tones[][6] = {
	{ 0xE2, 0x1EA7, 0x1EA5, 0x1EA9, 0x1EAB, 0x1EAD },  /* â ầ ấ ẩ ẫ ậ */
	{ 0x103, 0x1EB1, 0x1EAF, 0x1EB3, 0x1EB5, 0x1EB7 }, /* ă ằ ắ ẳ ẵ ặ */
	{ 0xEA, 0x1EC1, 0x1EBF, 0x1EC3, 0x1EC5, 0x1EC7 },  /* ê ề ế ể ễ ệ */
	{ 0xF4, 0x1ED3, 0x1ED1, 0x1ED5, 0x1ED7, 0x1ED9 },  /* ô ồ ố ổ ỗ ộ */
};

static int viet_tone_row(ucs4_t c)
{
	size_t r, k;
	for (r = 0; r < sizeof viet_tones / sizeof viet_tones[0]; r++)
		for (k = 0; k < 6; k++)
			if (viet_tones[r][k] == c)
				return (int)r;
	return -1;
}

/* How the pairs back a reading between its neighbours. */
static long viet_support(struct viet *v, const char *prev, const char *w, const char *next)
{
	return viet_pair(v, prev, w) + viet_pair(v, w, next);
}

/* cand with the case of orig (first letter, or all letters, upper). */
static char *viet_recase(const char *orig, const char *cand)
{
	size_t n = 0;
	ucs4_t c0;
	uint8_t *r;
	char *out, *up;
	bool all = true, first;
	const uint8_t *p = (const uint8_t *)orig;
	u8_mbtouc(&c0, p, strlen(orig));
	first = uc_is_upper(c0);
	for (; *p;) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, strlen((const char *)p));
		if (uc_is_alpha(c) && !uc_is_upper(c))
			all = false;
		p += k > 0 ? k : 1;
	}
	if (all && first) {
		r = u8_toupper((const uint8_t *)cand, strlen(cand), NULL, UNINORM_NFC, NULL, &n);
		out = r ? xstrndup((const char *)r, n) : xstrdup(cand);
		free(r);
		return out;
	}
	if (!first)
		return xstrdup(cand);
	{
		ucs4_t c;
		int k = u8_mbtouc(&c, (const uint8_t *)cand, strlen(cand));
		uint8_t buf[8];
		int m = u8_uctomb(buf, uc_toupper(c), sizeof buf);
		up = xasprintf("%.*s%s", m > 0 ? m : 0, (const char *)buf, cand + k);
	}
	return up;
}

/* The best reading of low (lower case, NFC) that differs from it only by
 * the tone mark of a circumflex or breve vowel, or by l for a leading t,
 * is a Vietnamese syllable and stands beside prev / next: returned (caller
 * frees) with its support in *n, or NULL with *n 0. */
static char *viet_variant(struct viet *v, const char *prev, const char *low, const char *next, long *n)
{
	uint32_t *u;
	size_t nu = 0, i;
	char *best = NULL;
	long bestn = 0;
	*n = 0;
	u = u8_to_u32((const uint8_t *)low, strlen(low), NULL, &nu);
	if (!u)
		return NULL;
	for (i = 0; i < nu; i++) {
		int row = viet_tone_row(u[i]), k;
		ucs4_t keep = u[i];
		if (row < 0 && !(i == 0 && u[i] == 't'))
			continue;
		for (k = 0; k < (row < 0 ? 1 : 6); k++) {
			size_t m = 0;
			uint8_t *c8;
			char *cand;
			long got;
			u[i] = row < 0 ? 'l' : viet_tones[row][k];
			if (u[i] == keep)
				continue;
			c8 = u32_to_u8(u, nu, NULL, &m);
			if (!c8)
				continue;
			cand = xstrndup((const char *)c8, m);
			free(c8);
			got = viet_support(v, prev, cand, next);
			if (got > bestn && Hunspell_spell(v->h, cand)) {
				free(best);
				best = cand;
				bestn = got;
			} else {
				free(cand);
			}
		}
		u[i] = keep;
	}
	free(u);
	*n = bestn;
	return best;
}

char *viet_correct(struct viet *v, const char *prev, const char *word, const char *next)
{
	size_t pre = 0, post = 0;
	char *core, *low = NULL, *best = NULL, *out = NULL;
	long bestn = 0;
	if (!v->used || (!prev && !next))
		return NULL;
	core = viet_core(word, &pre, &post);
	if (!core || !(low = viet_lower(core)))
		goto done;
	if (viet_support(v, prev, low, next) > 0)
		goto done;
	best = viet_variant(v, prev, low, next, &bestn);
	if (best && bestn >= VIET_SURE) {
		char *rc = viet_recase(core, best);
		out = xasprintf("%.*s%s%s", (int)pre, word, rc, word + strlen(word) - post);
		free(rc);
	}
done:
	free(best);
	free(low);
	free(core);
	return out;
}

static bool viet_has_letter(const char *s)
{
	const uint8_t *p = (const uint8_t *)s, *end = p + strlen(s);
	while (p < end) {
		ucs4_t c = 0;
		int k = u8_mbtouc(&c, p, (size_t)(end - p));
		if (uc_is_alpha(c))
			return true;
		p += k > 0 ? k : 1;
	}
	return false;
}

/* Does s end in one of the characters of set?  (NULL and "" do not.) */
static bool viet_ends_in(const char *s, const char *set)
{
	return s && *s && strchr(set, s[strlen(s) - 1]);
}

/* Does s start with a capital letter? */
static bool viet_capitalized(const char *s)
{
	ucs4_t c = 0;
	u8_mbtouc(&c, (const uint8_t *)s, strlen(s));
	return uc_is_upper(c);
}

char *viet_decap(struct viet *v, const char *pprev, const char *prev, const char *word)
{
	size_t pre = 0, post = 0, n;
	char *core, *low = NULL, *key, *out = NULL;
	long lower, cap;
	if (!v->used || !prev || !*prev || viet_ends_in(prev, ".:;!?(\"'") || word[0] != 'L')
		return NULL;
	/* after a list's dash or bullet ("- Lưu: VT"): an item's start */
	if (!viet_has_letter(prev))
		return NULL;
	/* a run of capitalized words not at a sentence's start: a name */
	if (viet_capitalized(prev)) {
		if (!viet_ends_in(pprev, ".:;!?"))
			return NULL;
	}
	core = viet_core(word, &pre, &post);
	if (!core || pre || !(low = viet_lower(core)))
		goto done;
	n = strlen(core);
	/* capitalized, not in capitals: the rest as its lower case */
	if (strcmp(core + 1, low + 1))
		goto done;
	key = xasprintf("=%s", low);
	lower = viet_get(v, key);
	key[0] = '^';
	cap = viet_get(v, key);
	free(key);
	if (lower + cap >= VIET_CASE_MIN && cap * 100 <= VIET_CASE_CAP_PCT * (lower + cap))
		out = xasprintf("%s%s", low, word + n);
done:
	free(low);
	free(core);
	return out;
}

bool viet_doubtful(struct viet *v, const char *prev, const char *word, const char *next)
{
	char *core, *low = NULL, *best = NULL;
	long bestn = 0;
	bool doubt = false;
	if (!v->used || (!prev && !next))
		return false;
	core = viet_core(word, NULL, NULL);
	if (!core || !(low = viet_lower(core)))
		goto done;
	if (viet_support(v, prev, low, next) > 0)
		goto done;
	best = viet_variant(v, prev, low, next, &bestn);
	doubt = best != NULL;
done:
	free(best);
	free(low);
	free(core);
	return doubt;
}

void viet_count(struct viet *v, const char *text, int *checked, int *valid)
{
	char *copy = xstrdup(text), *save = NULL, *tok;
	int c = 0, ok = 0;
	for (tok = strtok_r(copy, " \t\n\r", &save); tok; tok = strtok_r(NULL, " \t\n\r", &save)) {
		enum viet_kind k = viet_check(v, tok);
		if (k == VIET_SKIP)
			continue;
		c++;
		ok += k == VIET_VALID;
	}
	free(copy);
	if (checked)
		*checked = c;
	if (valid)
		*valid = ok;
}
