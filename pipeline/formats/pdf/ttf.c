/*
 * ttf.c - a small TrueType reader (see ttf.h).
 *
 * Invariants: every offset read from the file is checked against the file's
 * length before use (fonts are outside input); after ttf_from_mem() succeeds
 * the tables head, hhea, hmtx, maxp and a Unicode cmap subtable exist and lie
 * inside the data, so the query functions never fail: a code point the font
 * lacks maps to glyph 0, a glyph past hmtx gets the last advance width.
 *
 * Error policy: loading reports the first problem through errbuf and returns
 * NULL; queries do not fail.
 */
#include "formats/pdf/ttf.h"

#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "engine/fsio.h"

#define TTF_MAX_FILE (64u << 20)

struct ttf {
	unsigned char *data;
	size_t len;
	struct ttf_metrics m;
	char ps_name[64];
	size_t hmtx, hmtx_len;     /* offset and length of hmtx */
	int nhmetrics;
	size_t cmap_sub;           /* offset of the chosen cmap subtable */
	int cmap_format;           /* 4 or 12 */
};

static unsigned u16(const unsigned char *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

static int s16(const unsigned char *p)
{
	return (int16_t)u16(p);
}

static uint32_t u32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* true when [off, off+n) lies inside the data */
static bool inside(const struct ttf *f, size_t off, size_t n)
{
	return off <= f->len && n <= f->len - off;
}

/* Find a table; returns its offset and sets *len, or 0 when missing or bad. */
static size_t table(const struct ttf *f, const char *tag, size_t *len)
{
	unsigned n = u16(f->data + 4), i;
	for (i = 0; i < n; i++) {
		const unsigned char *rec = f->data + 12 + 16 * (size_t)i;
		if (!inside(f, 12 + 16 * (size_t)i, 16))
			return 0;
		if (memcmp(rec, tag, 4) == 0) {
			size_t off = u32(rec + 8), l = u32(rec + 12);
			if (!inside(f, off, l) || off == 0)
				return 0;
			*len = l;
			return off;
		}
	}
	return 0;
}

/* Pick the best Unicode subtable: (3,10) format 12, then (0,x) format 12,
 * then (3,1) format 4, then (0,x) format 4. */
static int pick_cmap(struct ttf *f, size_t cmap, size_t clen)
{
	unsigned n, i;
	int best = -1;
	if (clen < 4)
		return -1;
	n = u16(f->data + cmap + 2);
	for (i = 0; i < n; i++) {
		size_t rec = cmap + 4 + 8 * (size_t)i, sub;
		unsigned plat, enc, fmt;
		int score;
		if (!inside(f, rec, 8) || rec + 8 > cmap + clen)
			return best;
		plat = u16(f->data + rec);
		enc = u16(f->data + rec + 2);
		sub = cmap + u32(f->data + rec + 4);
		if (!inside(f, sub, 8))
			continue;
		fmt = u16(f->data + sub);
		if (plat == 3 && (enc == 10 || enc == 1))
			score = 2;
		else if (plat == 0)
			score = 1;
		else
			continue;
		if (fmt == 12) {
			uint32_t ngroups = u32(f->data + sub + 12);
			if (!inside(f, sub, 16) || ngroups > (f->len - sub - 16) / 12)
				continue;
			score += 10;
		} else if (fmt == 4) {
			unsigned segx2 = u16(f->data + sub + 6);
			if (!inside(f, sub, 16 + 4 * (size_t)segx2))
				continue;
		} else {
			continue;
		}
		if (score > best) {
			best = score;
			f->cmap_sub = sub;
			f->cmap_format = (int)fmt;
		}
	}
	return best;
}

static void read_ps_name(struct ttf *f)
{
	size_t len, off = table(f, "name", &len);
	unsigned n, i, strings;
	strcpy(f->ps_name, "Font");
	if (!off || len < 6)
		return;
	n = u16(f->data + off + 2);
	strings = u16(f->data + off + 4);
	for (i = 0; i < n; i++) {
		size_t rec = off + 6 + 12 * (size_t)i, s;
		unsigned plat, id, l, k, o = 0;
		if (rec + 12 > off + len)
			return;
		plat = u16(f->data + rec);
		id = u16(f->data + rec + 6);
		l = u16(f->data + rec + 8);
		s = off + strings + u16(f->data + rec + 10);
		if (id != 6 || !inside(f, s, l))
			continue;
		/* PostScript names are printable ASCII; UTF-16BE on platforms 0 and 3. */
		for (k = 0; k < l && o < sizeof f->ps_name - 1; k += (plat == 1 ? 1 : 2)) {
			unsigned c = plat == 1 ? f->data[s + k] : (k + 1 < l ? u16(f->data + s + k) : 0);
			if (c > 32 && c < 127 && !strchr("[](){}<>/%#", (int)c))
				f->ps_name[o++] = (char)c;
		}
		if (o) {
			f->ps_name[o] = '\0';
			return;
		}
	}
}

struct ttf *ttf_from_mem(const void *data, size_t len, const char *name, struct errbuf *err)
{
	struct ttf *f = xcalloc(1, sizeof *f);
	size_t head, hhea, maxp, cmap, os2, post, l_head, l_hhea, l_maxp, l_cmap, l_os2, l_post;
	uint32_t version;

	f->data = xmalloc(len ? len : 1);
	memcpy(f->data, data, len);
	f->len = len;
	if (len < 12) {
		err_set(err, "cannot read font '%s': too short", name);
		goto fail;
	}
	version = u32(f->data);
	if (version != 0x00010000 && version != 0x74727565) {
		err_set(err, "cannot read font '%s': not a TrueType font", name);
		goto fail;
	}
	head = table(f, "head", &l_head);
	hhea = table(f, "hhea", &l_hhea);
	maxp = table(f, "maxp", &l_maxp);
	cmap = table(f, "cmap", &l_cmap);
	f->hmtx = table(f, "hmtx", &f->hmtx_len);
	if (!head || l_head < 54 || !hhea || l_hhea < 36 || !maxp || l_maxp < 6 || !cmap || !f->hmtx) {
		err_set(err, "cannot read font '%s': a required table is missing or short", name);
		goto fail;
	}
	f->m.units_per_em = (int)u16(f->data + head + 18);
	if (f->m.units_per_em < 16) {
		err_set(err, "cannot read font '%s': bad unitsPerEm %d", name, f->m.units_per_em);
		goto fail;
	}
	f->m.bbox[0] = s16(f->data + head + 36);
	f->m.bbox[1] = s16(f->data + head + 38);
	f->m.bbox[2] = s16(f->data + head + 40);
	f->m.bbox[3] = s16(f->data + head + 42);
	f->m.ascent = s16(f->data + hhea + 4);
	f->m.descent = s16(f->data + hhea + 6);
	f->m.line_gap = s16(f->data + hhea + 8);
	f->nhmetrics = (int)u16(f->data + hhea + 34);
	f->m.num_glyphs = (int)u16(f->data + maxp + 4);
	if (f->nhmetrics < 1 || (size_t)f->nhmetrics * 4 > f->hmtx_len) {
		err_set(err, "cannot read font '%s': bad hmtx table", name);
		goto fail;
	}
	f->m.cap_height = f->m.ascent;
	os2 = table(f, "OS/2", &l_os2);
	if (os2 && l_os2 >= 90 && u16(f->data + os2) >= 2)
		f->m.cap_height = s16(f->data + os2 + 88);
	post = table(f, "post", &l_post);
	if (post && l_post >= 16) {
		f->m.italic_angle = (int32_t)u32(f->data + post + 4) / 65536.0;
		f->m.fixed_pitch = u32(f->data + post + 12) != 0;
	}
	if (pick_cmap(f, cmap, l_cmap) < 0) {
		err_set(err, "cannot read font '%s': no Unicode cmap (format 4 or 12)", name);
		goto fail;
	}
	read_ps_name(f);
	return f;
fail:
	ttf_free(f);
	return NULL;
}

struct ttf *ttf_load(const char *path, struct errbuf *err)
{
	char *data;
	size_t len;
	struct ttf *f;
	if (fsio_read(path, &data, &len, TTF_MAX_FILE, err) < 0)
		return NULL;
	f = ttf_from_mem(data, len, path, err);
	free(data);
	return f;
}

void ttf_free(struct ttf *f)
{
	if (!f)
		return;
	free(f->data);
	free(f);
}

const unsigned char *ttf_data(const struct ttf *f, size_t *len)
{
	*len = f->len;
	return f->data;
}

const struct ttf_metrics *ttf_metrics(const struct ttf *f)
{
	return &f->m;
}

const char *ttf_ps_name(const struct ttf *f)
{
	return f->ps_name;
}

static unsigned glyph4(const struct ttf *f, uint32_t cp)
{
	const unsigned char *s = f->data + f->cmap_sub;
	unsigned segx2 = u16(s + 6), i;
	size_t ends = 14, starts = 16 + segx2, deltas = 16 + 2 * (size_t)segx2, ranges = 16 + 3 * (size_t)segx2;
	if (cp > 0xFFFF)
		return 0;
	for (i = 0; i < segx2; i += 2) {
		unsigned end = u16(s + ends + i), start, ro;
		if (cp > end)
			continue;
		start = u16(s + starts + i);
		if (cp < start)
			return 0;
		ro = u16(s + ranges + i);
		if (ro == 0)
			return (cp + u16(s + deltas + i)) & 0xFFFF;
		{
			size_t at = f->cmap_sub + ranges + i + ro + 2 * (size_t)(cp - start);
			unsigned g;
			if (!inside(f, at, 2))
				return 0;
			g = u16(f->data + at);
			return g ? (g + u16(s + deltas + i)) & 0xFFFF : 0;
		}
	}
	return 0;
}

static unsigned glyph12(const struct ttf *f, uint32_t cp)
{
	const unsigned char *s = f->data + f->cmap_sub;
	uint32_t lo = 0, hi = u32(s + 12);
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const unsigned char *g = s + 16 + 12 * (size_t)mid;
		uint32_t start = u32(g), end = u32(g + 4);
		if (cp < start)
			hi = mid;
		else if (cp > end)
			lo = mid + 1;
		else
			return u32(g + 8) + (cp - start);
	}
	return 0;
}

unsigned ttf_glyph(const struct ttf *f, uint32_t cp)
{
	unsigned g = f->cmap_format == 12 ? glyph12(f, cp) : glyph4(f, cp);
	return (int)g < f->m.num_glyphs ? g : 0;
}

int ttf_advance(const struct ttf *f, unsigned gid)
{
	if ((int)gid >= f->nhmetrics)
		gid = (unsigned)f->nhmetrics - 1;
	return (int)u16(f->data + f->hmtx + 4 * (size_t)gid);
}

double ttf_text_width(const struct ttf *f, const char *utf8, double size)
{
	const uint8_t *p = (const uint8_t *)utf8;
	size_t n = strlen(utf8);
	long units = 0;
	while (n > 0) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, n);
		units += ttf_advance(f, ttf_glyph(f, c));
		p += k;
		n -= (size_t)k;
	}
	return units * size / f->m.units_per_em;
}
