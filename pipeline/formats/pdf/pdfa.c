/*
 * pdfa.c - the PDF/A-2b writer (see pdfa.h for the file layout).
 *
 * Invariants:
 * - Objects are written in one pass to a temporary file; d->off counts every
 *   byte written, and each object's offset is taken from it, so the
 *   cross-reference table is exact by construction.  Objects 1 (Catalog)
 *   and 2 (Pages) and the fonts are numbered early and written at close.
 * - Every object is "N 0 obj << ... >> endobj" or a stream with a direct
 *   /Length; no object streams, no xref streams, no compression of anything
 *   but stream data.
 * - PDF/A-2b: sRGB OutputIntent, XMP with pdfaid part 2 / conformance B,
 *   /Info mirrored in the XMP, all fonts embedded with widths that match
 *   the font program, trailer /ID, no encryption, JavaScript, actions or
 *   transparency (no SMask: alpha is flattened onto white).
 * - Text in the invisible layer is NFC; the glyphless font maps every code
 *   (a UTF-16 code unit) to its one glyph, and ToUnicode lists the codes
 *   used, so text extraction returns the OCR text.
 *
 * Error policy: functions that can fail return 0 / -1 (or NULL) with the
 * first error in errbuf; a write error is remembered and reported by
 * pdfa_close(), which then removes the temporary file.  Drawing on text
 * pages cannot fail.
 */
#include "formats/pdf/pdfa.h"

#include <errno.h>
#include <lcms2.h>
#include <leptonica/allheaders.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/fsio.h"
#include "formats/image/pageimg.h"
#include "formats/pdf/ttf.h"

#define PDFA_MAX_HOCR (64u << 20)
#define PDFA_GLYPHLESS_WIDTH 500 /* the glyph's advance in 1/1000 em (pdf.ttf) */

struct pdfa {
	char *path, *tmp;
	FILE *fp;
	uint64_t off;
	int werrno;               /* first write error */
	uint64_t *offsets;        /* by object number; 0 = not written yet */
	int nobj, aobj;
	int *kids;
	int nkids, akids;
	char *title, *creator, *description, *keywords, *language, *producer;
	int64_t date_ms;
	int jpeg_quality;
	char *text_font_path, *glyphless_path;
	/* glyphless font: object number once used, and the codes used */
	int gl_obj;
	uint8_t gl_used[65536 / 8];
	/* text font */
	struct ttf *font;
	int font_obj;
	uint32_t *gid_uni;        /* per glyph: a code point it shows, 0 = unused */
	uint8_t *gid_used;
	/* the text page being drawn */
	bool in_page;
	double pw, ph;
	struct strbuf content;
};

/* ---- low-level output ---- */

static void out(struct pdfa *d, const void *data, size_t len)
{
	if (d->werrno)
		return;
	if (len && fwrite(data, 1, len, d->fp) != len) {
		d->werrno = errno ? errno : EIO;
		return;
	}
	d->off += len;
}

static void outf(struct pdfa *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void outf(struct pdfa *d, const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	out(d, s, strlen(s));
	free(s);
}

static int new_obj(struct pdfa *d)
{
	if (d->nobj + 1 >= d->aobj) {
		d->aobj = d->aobj ? 2 * d->aobj : 64;
		d->offsets = xrealloc(d->offsets, (size_t)d->aobj * sizeof *d->offsets);
	}
	d->nobj++;
	d->offsets[d->nobj] = 0;
	return d->nobj;
}

static void obj_begin(struct pdfa *d, int num)
{
	d->offsets[num] = d->off;
	outf(d, "%d 0 obj\n", num);
}

/* A whole stream object; `dict` holds the keys other than /Length. */
static void stream_obj(struct pdfa *d, int num, const char *dict, const void *data, size_t len)
{
	obj_begin(d, num);
	outf(d, "<< %s /Length %zu >>\nstream\n", dict, len);
	out(d, data, len);
	outf(d, "\nendstream\nendobj\n");
}

/* A Flate-compressed stream object. */
static void flate_obj(struct pdfa *d, int num, const char *dict, const void *data, size_t len)
{
	size_t n = 0;
	l_uint8 *z = zlibCompress((const l_uint8 *)data, len, &n);
	char *dict2;
	if (!z) { /* Leptonica failed to allocate: store it plain */
		stream_obj(d, num, dict, data, len);
		return;
	}
	dict2 = xasprintf("%s /Filter /FlateDecode", dict);
	stream_obj(d, num, dict2, z, n);
	free(dict2);
	lept_free(z);
}

/* ---- strings ---- */

void pdfa_date(int64_t ms, char *outbuf, size_t outsz)
{
	char iso[40];
	time_iso_vn(ms, false, iso, sizeof iso);
	/* 2025-07-01T14:03:22+07:00 */
	snprintf(outbuf, outsz, "D:%.4s%.2s%.2s%.2s%.2s%.2s%.3s'%.2s'", iso, iso + 5, iso + 8, iso + 11, iso + 14,
		 iso + 17, iso + 19, iso + 23);
}

void pdfa_add_utf16_hex(struct strbuf *sb, uint32_t c)
{
	if (c > 0xFFFF) {
		c -= 0x10000;
		sb_addf(sb, "%04X%04X", 0xD800 + (c >> 10), 0xDC00 + (c & 0x3FF));
	} else {
		sb_addf(sb, "%04X", c);
	}
}

void pdfa_add_utf16_string(struct strbuf *sb, const char *utf8)
{
	const uint8_t *p = (const uint8_t *)utf8;
	size_t n = strlen(utf8);
	sb_adds(sb, "<FEFF");
	while (n > 0) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, n);
		pdfa_add_utf16_hex(sb, c);
		p += k;
		n -= (size_t)k;
	}
	sb_addc(sb, '>');
}

void pdfa_add_text_string(struct strbuf *sb, const char *utf8)
{
	const uint8_t *p = (const uint8_t *)utf8;
	size_t n = strlen(utf8), i;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7E)
			break;
	if (i < n) {
		pdfa_add_utf16_string(sb, utf8);
		return;
	}
	sb_addc(sb, '(');
	for (i = 0; i < n; i++) {
		if (p[i] == '(' || p[i] == ')' || p[i] == '\\')
			sb_addc(sb, '\\');
		sb_addc(sb, (char)p[i]);
	}
	sb_addc(sb, ')');
}

/* NFC copy of a UTF-8 string (invalid input comes back unchanged). */
static char *nfc(const char *s)
{
	size_t n = 0;
	uint8_t *r = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &n);
	char *o;
	if (!r)
		return xstrdup(s);
	o = xstrndup((const char *)r, n);
	free(r);
	return o;
}

/* ---- open ---- */

static char *dup_or_null(const char *s)
{
	return s && *s ? nfc(s) : NULL;
}

struct pdfa *pdfa_open(const char *path, const struct pdfa_meta *meta, const struct pdfa_opts *opts, struct errbuf *err)
{
	struct pdfa *d = xcalloc(1, sizeof *d);
	static const struct pdfa_meta nometa;
	if (!meta)
		meta = &nometa;
	d->path = xstrdup(path);
	d->tmp = fsio_tmp_name(path);
	d->fp = fopen(d->tmp, "wb");
	if (!d->fp) {
		err_set(err, "cannot create '%s': %s", d->tmp, strerror(errno));
		free(d->tmp);
		d->tmp = NULL;
		pdfa_abort(d);
		return NULL;
	}
	d->title = dup_or_null(meta->title);
	d->creator = dup_or_null(meta->creator);
	d->description = dup_or_null(meta->description);
	d->keywords = dup_or_null(meta->keywords);
	d->language = xstrdup(meta->language && *meta->language ? meta->language : "vi");
	d->producer = xstrdup(meta->producer && *meta->producer ? meta->producer : "sohoa");
	d->date_ms = meta->date_ms ? meta->date_ms : now_ms();
	d->jpeg_quality = opts && opts->jpeg_quality > 0 && opts->jpeg_quality <= 100 ? opts->jpeg_quality : 85;
	d->text_font_path = xstrdup(opts && opts->text_font ? opts->text_font : PDFA_TEXT_FONT);
	d->glyphless_path = xstrdup(opts && opts->glyphless_font ? opts->glyphless_font : PDFA_GLYPHLESS_FONT);
	sb_init(&d->content, 0);
	new_obj(d); /* 1: Catalog */
	new_obj(d); /* 2: Pages */
	/* A binary comment right after the header marks the file as binary. */
	outf(d, "%%PDF-1.7\n%%\xE2\xE3\xCF\xD3\n");
	return d;
}

int pdfa_pages(const struct pdfa *d)
{
	return d->nkids;
}

static void add_kid(struct pdfa *d, int page_obj)
{
	if (d->nkids == d->akids) {
		d->akids = d->akids ? 2 * d->akids : 16;
		d->kids = xrealloc(d->kids, (size_t)d->akids * sizeof *d->kids);
	}
	d->kids[d->nkids++] = page_obj;
}

/* ---- hOCR to an invisible text layer ---- */

struct hword {
	int x0, y0, x1, y1;
	char *text;
};

struct hline {
	bool have_box, have_base;
	int x0, y0, x1, y1;
	double slope, offset, x_size;
	struct hword *w;
	size_t n, alloc;
};

struct hocr_ctx {
	struct pdfa *d;
	struct strbuf *cs;      /* the content stream */
	double scale;           /* points per pixel */
	int height;             /* page height in pixels */
	int words;
};

/* Parse "bbox a b c d; baseline s o; x_size n" from a title. */
static void parse_title(const char *t, int *bbox, bool *have_box, double *slope, double *offset, bool *have_base, double *x_size)
{
	const char *p;
	if (!t)
		return;
	if ((p = strstr(t, "bbox ")) && sscanf(p + 5, "%d %d %d %d", &bbox[0], &bbox[1], &bbox[2], &bbox[3]) == 4)
		*have_box = true;
	if (slope && (p = strstr(t, "baseline ")) && sscanf(p + 9, "%lf %lf", slope, offset) == 2)
		*have_base = true;
	if (x_size && (p = strstr(t, "x_size ")))
		*x_size = strtod(p + 7, NULL);
}

/* Append the text as glyphless-font codes (hex) and return how many. */
static int add_codes(struct pdfa *d, struct strbuf *cs, const char *s)
{
	const uint8_t *p = (const uint8_t *)s;
	size_t n = strlen(s);
	int count = 0;
	while (n > 0) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, n);
		uint32_t units[2];
		int nu = 1, i;
		if (c > 0xFFFF) {
			units[0] = 0xD800 + ((c - 0x10000) >> 10);
			units[1] = 0xDC00 + ((c - 0x10000) & 0x3FF);
			nu = 2;
		} else {
			units[0] = c;
		}
		for (i = 0; i < nu; i++) {
			d->gl_used[units[i] >> 3] |= (uint8_t)(1u << (units[i] & 7));
			sb_addf(cs, "%04X", units[i]);
			count++;
		}
		p += k;
		n -= (size_t)k;
	}
	return count;
}

static void flush_line(struct hocr_ctx *h, struct hline *ln)
{
	size_t i;
	double size_px;
	if (ln->n == 0)
		goto done;
	size_px = ln->x_size > 0 ? ln->x_size : (ln->have_box ? ln->y1 - ln->y0 : 0);
	for (i = 0; i < ln->n; i++) {
		struct hword *w = &ln->w[i];
		double sz = size_px > 0 ? size_px : w->y1 - w->y0, base_px, target, natural, tz;
		bool last = i + 1 == ln->n;
		int nchars;
		if (sz < 1)
			sz = 1;
		if (ln->have_box && ln->have_base)
			base_px = ln->y1 + ln->offset + ln->slope * (w->x0 - ln->x0);
		else
			base_px = w->y1;
		sb_addf(h->cs, "/F0 %.2f Tf ", sz * h->scale);
		sb_addf(h->cs, "1 0 0 1 %.2f %.2f Tm ", w->x0 * h->scale, (h->height - base_px) * h->scale);
		/* Tz is set before the string; its value is known after counting. */
		{
			struct strbuf hex;
			sb_init(&hex, 0);
			nchars = add_codes(h->d, &hex, w->text);
			if (!last)
				nchars += add_codes(h->d, &hex, " ");
			target = (last || ln->w[i + 1].x0 <= w->x0 ? w->x1 - w->x0 : ln->w[i + 1].x0 - w->x0) * h->scale;
			natural = nchars * PDFA_GLYPHLESS_WIDTH / 1000.0 * sz * h->scale;
			tz = natural > 0 && target > 0 ? 100.0 * target / natural : 100.0;
			sb_addf(h->cs, "%.2f Tz <%s> Tj\n", tz, hex.buf);
			sb_release(&hex);
		}
		h->words++;
	}
done:
	for (i = 0; i < ln->n; i++)
		free(ln->w[i].text);
	free(ln->w);
	memset(ln, 0, sizeof *ln);
}

static bool has_class(const char *cls, const char *name)
{
	size_t n = strlen(name);
	const char *p = cls;
	while (p && (p = strstr(p, name)) != NULL) {
		if ((p == cls || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
		p += n;
	}
	return false;
}

static void add_word(struct hline *ln, xmlNode *n)
{
	xmlChar *title = xmlGetProp(n, (const xmlChar *)"title");
	xmlChar *text = xmlNodeGetContent(n);
	int bb[4];
	bool have = false;
	char *t;
	parse_title((const char *)title, bb, &have, NULL, NULL, NULL, NULL);
	if (have && text && bb[2] > bb[0] && bb[3] > bb[1]) {
		/* trim spaces; skip empty words */
		const char *s = (const char *)text;
		size_t len;
		while (*s == ' ' || *s == '\n' || *s == '\t')
			s++;
		len = strlen(s);
		while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\t'))
			len--;
		if (len) {
			char *raw = xstrndup(s, len);
			t = nfc(raw);
			free(raw);
			if (ln->n == ln->alloc) {
				ln->alloc = ln->alloc ? 2 * ln->alloc : 16;
				ln->w = xrealloc(ln->w, ln->alloc * sizeof *ln->w);
			}
			ln->w[ln->n].x0 = bb[0];
			ln->w[ln->n].y0 = bb[1];
			ln->w[ln->n].x1 = bb[2];
			ln->w[ln->n].y1 = bb[3];
			ln->w[ln->n].text = t;
			ln->n++;
		}
	}
	xmlFree(title);
	xmlFree(text);
}

static void walk(struct hocr_ctx *h, xmlNode *n, struct hline *ln)
{
	for (; n; n = n->next) {
		xmlChar *cls;
		if (n->type != XML_ELEMENT_NODE)
			continue;
		cls = xmlGetProp(n, (const xmlChar *)"class");
		if (cls && has_class((const char *)cls, "ocrx_word")) {
			add_word(ln, n);
		} else if (cls && (has_class((const char *)cls, "ocr_line") || has_class((const char *)cls, "ocrx_line") ||
				   has_class((const char *)cls, "ocr_caption") || has_class((const char *)cls, "ocr_header") ||
				   has_class((const char *)cls, "ocr_textfloat"))) {
			xmlChar *title = xmlGetProp(n, (const xmlChar *)"title");
			struct hline line;
			int bb[4] = { 0, 0, 0, 0 };
			flush_line(h, ln);
			memset(&line, 0, sizeof line);
			parse_title((const char *)title, bb, &line.have_box, &line.slope, &line.offset, &line.have_base, &line.x_size);
			line.x0 = bb[0];
			line.y0 = bb[1];
			line.x1 = bb[2];
			line.y1 = bb[3];
			xmlFree(title);
			walk(h, n->children, &line);
			flush_line(h, &line);
		} else {
			walk(h, n->children, ln);
		}
		xmlFree(cls);
	}
}

/* Append the text layer of an hOCR page to the content stream. */
static int hocr_layer(struct pdfa *d, const char *hocr, size_t len, int height, double scale, struct strbuf *cs, struct errbuf *err)
{
	htmlDocPtr doc;
	struct hocr_ctx h = { d, cs, scale, height, 0 };
	struct hline loose;
	size_t mark;
	if (!hocr || len == 0)
		return 0;
	if (len > INT32_MAX)
		return err_set(err, "hOCR text too large: %zu bytes", len);
	doc = htmlReadMemory(hocr, (int)len, "page.hocr", "UTF-8",
			     HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	if (!doc)
		return 0; /* nothing parseable: a page without a text layer */
	memset(&loose, 0, sizeof loose);
	sb_adds(cs, "BT\n3 Tr\n");
	mark = cs->len;
	walk(&h, xmlDocGetRootElement(doc), &loose);
	flush_line(&h, &loose);
	xmlFreeDoc(doc);
	if (cs->len == mark) {
		cs->len = mark - strlen("BT\n3 Tr\n");
		cs->buf[cs->len] = '\0';
	} else {
		sb_adds(cs, "ET\n");
		if (!d->gl_obj)
			d->gl_obj = new_obj(d);
	}
	return 0;
}

/* ---- scanned pages ---- */

/* A copy of pix in a form the encoders take: 1 bpp, 8 bpp grey or 32 bpp RGB. */
static PIX *normalise_pix(PIX *pix)
{
	PIX *p = pixClone(pix), *q;
	if (pixGetColormap(p)) {
		q = pixRemoveColormap(p, REMOVE_CMAP_BASED_ON_SRC);
		pixDestroy(&p);
		p = q;
	}
	if (p && pixGetDepth(p) == 16) {
		q = pixConvert16To8(p, L_MS_BYTE);
		pixDestroy(&p);
		p = q;
	}
	if (p && pixGetDepth(p) == 32 && pixGetSpp(p) == 4) {
		q = pixAlphaBlendUniform(p, 0xffffff00);
		pixDestroy(&p);
		p = q;
		if (p)
			pixSetSpp(p, 3);
	}
	if (p && pixGetDepth(p) == 24) {
		q = pixConvert24To32(p);
		pixDestroy(&p);
		p = q;
	}
	if (p && (pixGetDepth(p) == 2 || pixGetDepth(p) == 4)) {
		q = pixConvertTo8(p, 0);
		pixDestroy(&p);
		p = q;
	}
	return p;
}

int pdfa_add_pix(struct pdfa *d, struct Pix *pix, int dpi, const char *hocr, size_t hocr_len, struct errbuf *err)
{
	PIX *p = NULL;
	L_COMP_DATA *cid = NULL;
	struct strbuf cs, dict;
	int img, content, page, w, h, rc = -1;
	double scale, pw, ph;

	sb_init(&cs, 0);
	sb_init(&dict, 0);
	if (d->in_page) {
		err_set(err, "cannot add a scanned page while a text page is open");
		goto out;
	}
	if (dpi <= 0)
		dpi = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 300;
	p = normalise_pix(pix);
	if (!p || (pixGetDepth(p) != 1 && pixGetDepth(p) != 8 && pixGetDepth(p) != 32)) {
		err_set(err, "cannot encode page %d: unsupported image depth %d", d->nkids + 1, p ? pixGetDepth(p) : 0);
		goto out;
	}
	w = pixGetWidth(p);
	h = pixGetHeight(p);
	if (pixGenerateCIData(p, pixGetDepth(p) == 1 ? L_G4_ENCODE : L_JPEG_ENCODE, d->jpeg_quality, 0, &cid) != 0 || !cid) {
		err_set(err, "cannot encode page %d: %s data not made", d->nkids + 1, pixGetDepth(p) == 1 ? "CCITT G4" : "JPEG");
		goto out;
	}
	sb_addf(&dict, "/Type /XObject /Subtype /Image /Width %d /Height %d", cid->w, cid->h);
	if (cid->type == L_G4_ENCODE)
		sb_addf(&dict, " /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d%s >>",
			cid->w, cid->h, cid->minisblack ? " /BlackIs1 true" : "");
	else
		sb_addf(&dict, " /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode", cid->spp == 1 ? "/DeviceGray" : "/DeviceRGB");

	scale = 72.0 / dpi;
	pw = w * scale;
	ph = h * scale;
	sb_addf(&cs, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q\n", pw, ph);
	if (hocr_layer(d, hocr, hocr_len, h, scale, &cs, err) < 0)
		goto out;

	img = new_obj(d);
	stream_obj(d, img, dict.buf, cid->datacomp, cid->nbytescomp);
	content = new_obj(d);
	flate_obj(d, content, "", cs.buf, cs.len);
	page = new_obj(d);
	obj_begin(d, page);
	outf(d, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /XObject << /Im0 %d 0 R >>", pw, ph, img);
	if (strstr(cs.buf, "/F0 "))
		outf(d, " /Font << /F0 %d 0 R >>", d->gl_obj);
	outf(d, " >> /Contents %d 0 R >>\nendobj\n", content);
	add_kid(d, page);
	rc = 0;
out:
	if (cid)
		l_CIDataDestroy(&cid);
	pixDestroy(&p);
	sb_release(&cs);
	sb_release(&dict);
	return rc;
}

int pdfa_add_image(struct pdfa *d, const char *image_path, int dpi, const char *hocr_path, struct errbuf *err)
{
	PIX *pix = pageimg_read_file(image_path);
	char *hocr = NULL;
	size_t len = 0;
	int rc;
	if (!pix)
		return err_set(err, "cannot read '%s': not an image Leptonica can read", image_path);
	if (hocr_path && fsio_read(hocr_path, &hocr, &len, PDFA_MAX_HOCR, err) < 0) {
		pixDestroy(&pix);
		return -1;
	}
	rc = pdfa_add_pix(d, pix, dpi, hocr, len, err);
	free(hocr);
	pixDestroy(&pix);
	return rc;
}

/* ---- text pages ---- */

int pdfa_page_begin(struct pdfa *d, double width_pt, double height_pt, struct errbuf *err)
{
	if (d->in_page)
		return err_set(err, "cannot begin a text page: one is open");
	if (!d->font) {
		d->font = ttf_load(d->text_font_path, err);
		if (!d->font)
			return -1;
		d->font_obj = new_obj(d);
		d->gid_uni = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, sizeof *d->gid_uni);
		d->gid_used = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, 1);
	}
	d->in_page = true;
	d->pw = width_pt;
	d->ph = height_pt;
	sb_reset(&d->content);
	return 0;
}

void pdfa_text(struct pdfa *d, double x, double y, double size, const char *utf8)
{
	char *s;
	const uint8_t *p;
	size_t n;
	if (!d->in_page || !d->font)
		return;
	s = nfc(utf8);
	p = (const uint8_t *)s;
	n = strlen(s);
	sb_addf(&d->content, "BT /F1 %.2f Tf %.2f %.2f Td <", size, x, y);
	while (n > 0) {
		ucs4_t c;
		int k = u8_mbtouc(&c, p, n);
		unsigned g = ttf_glyph(d->font, c);
		d->gid_used[g] = 1;
		if (!d->gid_uni[g])
			d->gid_uni[g] = c;
		sb_addf(&d->content, "%04X", g);
		p += k;
		n -= (size_t)k;
	}
	sb_adds(&d->content, "> Tj ET\n");
	free(s);
}

void pdfa_line(struct pdfa *d, double x1, double y1, double x2, double y2, double width)
{
	if (d->in_page)
		sb_addf(&d->content, "0 G %.2f w %.2f %.2f m %.2f %.2f l S\n", width, x1, y1, x2, y2);
}

double pdfa_text_width(struct pdfa *d, const char *utf8, double size)
{
	struct errbuf err;
	double w;
	char *s;
	if (!d->font) {
		err_init(&err);
		d->font = ttf_load(d->text_font_path, &err);
		if (!d->font)
			return 0.5 * size * (double)strlen(utf8);
		d->font_obj = new_obj(d);
		d->gid_uni = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, sizeof *d->gid_uni);
		d->gid_used = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, 1);
	}
	s = nfc(utf8);
	w = ttf_text_width(d->font, s, size);
	free(s);
	return w;
}

int pdfa_page_end(struct pdfa *d, struct errbuf *err)
{
	int content, page;
	if (!d->in_page)
		return err_set(err, "cannot end a text page: none is open");
	content = new_obj(d);
	flate_obj(d, content, "", d->content.buf, d->content.len);
	page = new_obj(d);
	obj_begin(d, page);
	outf(d, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>\nendobj\n",
	     d->pw, d->ph, d->font_obj, content);
	add_kid(d, page);
	d->in_page = false;
	return 0;
}

/* ---- fonts, written at close ---- */

/* A ToUnicode CMap from (code, code point) pairs given by a callback. */
static void tounicode(struct pdfa *d, int num, size_t n, uint32_t (*code)(struct pdfa *, size_t, uint32_t *))
{
	struct strbuf cm, block;
	size_t i;
	int in_block = 0;
	sb_init(&cm, 0);
	sb_init(&block, 0);
	sb_adds(&cm, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
		     "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
		     "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
		     "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (i = 0; i < n; i++) {
		uint32_t cp, c = code(d, i, &cp);
		if (!cp)
			continue;
		sb_addf(&block, "<%04X> <", c);
		pdfa_add_utf16_hex(&block, cp);
		sb_adds(&block, ">\n");
		if (++in_block == 100) {
			sb_addf(&cm, "%d beginbfchar\n%sendbfchar\n", in_block, block.buf);
			sb_reset(&block);
			in_block = 0;
		}
	}
	if (in_block)
		sb_addf(&cm, "%d beginbfchar\n%sendbfchar\n", in_block, block.buf);
	sb_adds(&cm, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	flate_obj(d, num, "", cm.buf, cm.len);
	sb_release(&cm);
	sb_release(&block);
}

static uint32_t gl_code(struct pdfa *d, size_t i, uint32_t *cp)
{
	/* a lone surrogate has no character of its own */
	bool used = d->gl_used[i >> 3] & (1u << (i & 7));
	*cp = used && (i < 0xD800 || i > 0xDFFF) && i != 0 ? (uint32_t)i : 0;
	return (uint32_t)i;
}

static uint32_t tt_code(struct pdfa *d, size_t i, uint32_t *cp)
{
	*cp = d->gid_used[i] ? d->gid_uni[i] : 0;
	return (uint32_t)i;
}

static int write_glyphless(struct pdfa *d, struct errbuf *err)
{
	char *font;
	size_t len, i;
	uint8_t *map;
	int cid = new_obj(d), desc = new_obj(d), file = new_obj(d), gmap = new_obj(d), tu = new_obj(d);
	char *dict;
	if (fsio_read(d->glyphless_path, &font, &len, 1u << 20, err) < 0)
		return -1;
	obj_begin(d, d->gl_obj);
	outf(d, "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>\nendobj\n", cid, tu);
	obj_begin(d, cid);
	outf(d, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW %d >>\nendobj\n",
	     desc, gmap, PDFA_GLYPHLESS_WIDTH);
	obj_begin(d, desc);
	outf(d, "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 %d 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>\nendobj\n",
	     PDFA_GLYPHLESS_WIDTH, file);
	dict = xasprintf("/Length1 %zu", len);
	flate_obj(d, file, dict, font, len);
	free(dict);
	free(font);
	/* Every CID shows glyph 1, the font's one (empty) glyph. */
	map = xmalloc(2 * 65536);
	for (i = 0; i < 65536; i++) {
		map[2 * i] = 0;
		map[2 * i + 1] = 1;
	}
	flate_obj(d, gmap, "", map, 2 * 65536);
	free(map);
	tounicode(d, tu, 65536, gl_code);
	return 0;
}

static void write_truetype(struct pdfa *d)
{
	const struct ttf_metrics *m = ttf_metrics(d->font);
	const char *name = ttf_ps_name(d->font);
	int cid = new_obj(d), desc = new_obj(d), file = new_obj(d), tu = new_obj(d), g;
	double k = 1000.0 / m->units_per_em;
	const unsigned char *data;
	size_t len;
	char *dict;
	struct strbuf wv;

	sb_init(&wv, 0);
	for (g = 0; g < m->num_glyphs; g++)
		if (d->gid_used[g])
			sb_addf(&wv, "%d [%.0f] ", g, ttf_advance(d->font, (unsigned)g) * k);
	obj_begin(d, d->font_obj);
	outf(d, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>\nendobj\n", name, cid, tu);
	obj_begin(d, cid);
	outf(d, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /W [%s] >>\nendobj\n",
	     name, desc, wv.buf);
	obj_begin(d, desc);
	outf(d, "<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%.0f %.0f %.0f %.0f] /ItalicAngle %.1f /Ascent %.0f /Descent %.0f /CapHeight %.0f /StemV 80 /FontFile2 %d 0 R >>\nendobj\n",
	     name, 32 | 2 | (m->fixed_pitch ? 1 : 0), m->bbox[0] * k, m->bbox[1] * k, m->bbox[2] * k, m->bbox[3] * k,
	     m->italic_angle, m->ascent * k, m->descent * k, m->cap_height * k, file);
	data = ttf_data(d->font, &len);
	dict = xasprintf("/Length1 %zu", len);
	flate_obj(d, file, dict, data, len);
	free(dict);
	tounicode(d, tu, (size_t)m->num_glyphs, tt_code);
	sb_release(&wv);
}

/* ---- metadata ---- */

static void xmp_alt(struct strbuf *sb, const char *tag, const char *v)
{
	if (!v)
		return;
	sb_addf(sb, "<%s><rdf:Alt><rdf:li xml:lang=\"x-default\">", tag);
	sb_add_xml(sb, v);
	sb_addf(sb, "</rdf:li></rdf:Alt></%s>\n", tag);
}

static void xmp_simple(struct strbuf *sb, const char *tag, const char *v)
{
	if (!v)
		return;
	sb_addf(sb, "<%s>", tag);
	sb_add_xml(sb, v);
	sb_addf(sb, "</%s>\n", tag);
}

static void write_xmp(struct pdfa *d, int num)
{
	struct strbuf x;
	char iso[40];
	int i;
	sb_init(&x, 0);
	time_iso_vn(d->date_ms, false, iso, sizeof iso);
	sb_adds(&x, "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
		    "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
		    "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
		    "<rdf:Description rdf:about=\"\"\n"
		    " xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\"\n"
		    " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n"
		    " xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\"\n"
		    " xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n"
		    "<pdfaid:part>2</pdfaid:part>\n<pdfaid:conformance>B</pdfaid:conformance>\n"
		    "<dc:format>application/pdf</dc:format>\n");
	xmp_alt(&x, "dc:title", d->title);
	if (d->creator) {
		sb_adds(&x, "<dc:creator><rdf:Seq><rdf:li>");
		sb_add_xml(&x, d->creator);
		sb_adds(&x, "</rdf:li></rdf:Seq></dc:creator>\n");
	}
	xmp_alt(&x, "dc:description", d->description);
	sb_adds(&x, "<dc:language><rdf:Bag><rdf:li>");
	sb_add_xml(&x, d->language);
	sb_adds(&x, "</rdf:li></rdf:Bag></dc:language>\n");
	xmp_simple(&x, "xmp:CreateDate", iso);
	xmp_simple(&x, "xmp:ModifyDate", iso);
	xmp_simple(&x, "xmp:MetadataDate", iso);
	xmp_simple(&x, "xmp:CreatorTool", "sohoa");
	xmp_simple(&x, "pdf:Producer", d->producer);
	xmp_simple(&x, "pdf:Keywords", d->keywords);
	sb_adds(&x, "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n");
	/* padding lets a later editor rewrite the packet in place */
	for (i = 0; i < 20; i++)
		sb_adds(&x, "                                                                                                   \n");
	sb_adds(&x, "<?xpacket end=\"w\"?>");
	stream_obj(d, num, "/Type /Metadata /Subtype /XML", x.buf, x.len);
	sb_release(&x);
}

static void info_entry(struct strbuf *sb, const char *key, const char *v)
{
	if (!v)
		return;
	sb_addf(sb, " /%s ", key);
	pdfa_add_text_string(sb, v);
}

static int write_icc(struct pdfa *d, int num, struct errbuf *err)
{
	cmsHPROFILE prof = cmsCreate_sRGBProfile();
	cmsUInt32Number n = 0;
	void *buf;
	if (!prof)
		return err_set(err, "cannot make the sRGB profile: lcms2 failed");
	if (!cmsSaveProfileToMem(prof, NULL, &n) || n == 0) {
		cmsCloseProfile(prof);
		return err_set(err, "cannot make the sRGB profile: lcms2 failed");
	}
	buf = xmalloc(n);
	if (!cmsSaveProfileToMem(prof, buf, &n)) {
		free(buf);
		cmsCloseProfile(prof);
		return err_set(err, "cannot make the sRGB profile: lcms2 failed");
	}
	cmsCloseProfile(prof);
	flate_obj(d, num, "/N 3", buf, n);
	free(buf);
	return 0;
}

/* ---- close ---- */

static void pdfa_free(struct pdfa *d)
{
	if (d->fp)
		fclose(d->fp);
	if (d->tmp)
		fsio_abort(d->tmp);
	free(d->path);
	free(d->tmp);
	free(d->offsets);
	free(d->kids);
	free(d->title);
	free(d->creator);
	free(d->description);
	free(d->keywords);
	free(d->language);
	free(d->producer);
	free(d->text_font_path);
	free(d->glyphless_path);
	ttf_free(d->font);
	free(d->gid_uni);
	free(d->gid_used);
	sb_release(&d->content);
	free(d);
}

void pdfa_abort(struct pdfa *d)
{
	if (d)
		pdfa_free(d);
}

int pdfa_close(struct pdfa *d, struct errbuf *err)
{
	int xmp, icc, info, i;
	struct strbuf sb;
	char date[40], idhex[65];
	uint64_t xref;

	if (d->in_page) {
		err_set(err, "cannot write '%s': a text page is still open", d->path);
		goto fail;
	}
	if (d->nkids == 0) {
		err_set(err, "cannot write '%s': the document has no pages", d->path);
		goto fail;
	}
	if (d->gl_obj && write_glyphless(d, err) < 0)
		goto fail;
	if (d->font)
		write_truetype(d);
	xmp = new_obj(d);
	write_xmp(d, xmp);
	icc = new_obj(d);
	if (write_icc(d, icc, err) < 0)
		goto fail;

	sb_init(&sb, 0);
	pdfa_date(d->date_ms, date, sizeof date);
	info = new_obj(d);
	obj_begin(d, info);
	info_entry(&sb, "Title", d->title);
	info_entry(&sb, "Author", d->creator);
	info_entry(&sb, "Subject", d->description);
	info_entry(&sb, "Keywords", d->keywords);
	info_entry(&sb, "Creator", "sohoa");
	info_entry(&sb, "Producer", d->producer);
	outf(d, "<<%s /CreationDate (%s) /ModDate (%s) >>\nendobj\n", sb.buf, date, date);

	obj_begin(d, 1);
	sb_reset(&sb);
	pdfa_add_text_string(&sb, d->language);
	outf(d, "<< /Type /Catalog /Pages 2 0 R /Metadata %d 0 R /Lang %s /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>] >>\nendobj\n",
	     xmp, sb.buf, icc);
	obj_begin(d, 2);
	outf(d, "<< /Type /Pages /Kids [");
	for (i = 0; i < d->nkids; i++)
		outf(d, "%s%d 0 R", i ? " " : "", d->kids[i]);
	outf(d, "] /Count %d >>\nendobj\n", d->nkids);

	/* the file identifier: a hash of what makes this document this one */
	sb_reset(&sb);
	sb_addf(&sb, "%s|%lld|%d|%llu", d->path, (long long)d->date_ms, d->nkids, (unsigned long long)d->off);
	fsio_sha256_mem(sb.buf, sb.len, idhex, 1);
	idhex[32] = '\0';
	sb_release(&sb);

	xref = d->off;
	outf(d, "xref\n0 %d\n0000000000 65535 f \n", d->nobj + 1);
	for (i = 1; i <= d->nobj; i++) {
		if (!d->offsets[i]) {
			fprintf(stderr, "sohoa: panic: pdfa: object %d reserved but never written\n", i);
			abort();
		}
		outf(d, "%010llu 00000 n \n", (unsigned long long)d->offsets[i]);
	}
	outf(d, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%llu\n%%%%EOF\n",
	     d->nobj + 1, info, idhex, idhex, (unsigned long long)xref);
	if (fflush(d->fp) != 0 && !d->werrno)
		d->werrno = errno;
	if (d->werrno) {
		err_set(err, "cannot write '%s': %s", d->tmp, strerror(d->werrno));
		goto fail;
	}
	if (fclose(d->fp) != 0) {
		d->fp = NULL;
		err_set(err, "cannot write '%s': %s", d->tmp, strerror(errno));
		goto fail;
	}
	d->fp = NULL;
	fsio_crashpoint("write");
	if (fsio_commit(d->tmp, d->path, err) < 0)
		goto fail;
	free(d->tmp);
	d->tmp = NULL;
	pdfa_free(d);
	return 0;
fail:
	pdfa_free(d);
	return -1;
}
