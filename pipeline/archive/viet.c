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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <unistr.h>

struct viet {
	Hunhandle *h;
};

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
	Hunspell_destroy(v->h);
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
