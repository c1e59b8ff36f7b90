/*
 * pdfa_page.c - page content for the PDF/A writer (see pdfa.h, pdfa_int.h):
 * a scanned page is its image (JPEG for grey and colour, CCITT G4 for
 * bitonal) with an invisible text layer made from its hOCR (one glyphless
 * font code per UTF-16 unit, NFC text, positioned per word), and a drawn
 * text page is text and lines in the embedded text font.  Each page is a
 * kid of the page tree written at close.  Error policy as in pdfa.c.
 */
#include "formats/pdf/pdfa_int.h"

#include <errno.h>
#include <leptonica/allheaders.h>
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>

#include "engine/fsio.h"
#include "formats/image/pageimg.h"
#include "formats/pdf/pdfa_part.h"

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
	uint8_t *gl_used;       /* the glyphless-font codes used (a bit each) */
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
static int add_codes(uint8_t *gl_used, struct strbuf *cs, const char *s)
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
			gl_used[units[i] >> 3] |= (uint8_t)(1u << (units[i] & 7));
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
			nchars = add_codes(h->gl_used, &hex, w->text);
			if (!last)
				nchars += add_codes(h->gl_used, &hex, " ");
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
			t = pdfa_nfc(raw);
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

/* Append the text layer of an hOCR page to the content stream, marking
 * the glyphless-font codes it uses in gl_used. */
static int hocr_layer(uint8_t *gl_used, const char *hocr, size_t len, int height, double scale, struct strbuf *cs,
		      struct errbuf *err)
{
	htmlDocPtr doc;
	struct hocr_ctx h = { gl_used, cs, scale, height, 0 };
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

int pdfa_part_make(struct Pix *pix, int dpi, int jpeg_quality, const char *hocr, size_t hocr_len, int pageno,
		   struct pdfa_part *part, struct errbuf *err)
{
	PIX *p = NULL;
	L_COMP_DATA *cid = NULL;
	struct strbuf cs, dict;
	int w, h, rc = -1;
	double scale;
	size_t zlen = 0;
	l_uint8 *z;

	memset(part, 0, sizeof *part);
	part->in.dpi = dpi;
	part->in.jpeg_quality = jpeg_quality > 0 && jpeg_quality <= 100 ? jpeg_quality : 85;
	sb_init(&cs, 0);
	sb_init(&dict, 0);
	if (dpi <= 0)
		dpi = pixGetXRes(pix) > 0 ? pixGetXRes(pix) : 300;
	p = normalise_pix(pix);
	if (!p || (pixGetDepth(p) != 1 && pixGetDepth(p) != 8 && pixGetDepth(p) != 32)) {
		err_set(err, "cannot encode page %d: unsupported image depth %d", pageno, p ? pixGetDepth(p) : 0);
		goto out;
	}
	w = pixGetWidth(p);
	h = pixGetHeight(p);
	if (pixGenerateCIData(p, pixGetDepth(p) == 1 ? L_G4_ENCODE : L_JPEG_ENCODE, part->in.jpeg_quality, 0, &cid) != 0 ||
	    !cid) {
		err_set(err, "cannot encode page %d: %s data not made", pageno, pixGetDepth(p) == 1 ? "CCITT G4" : "JPEG");
		goto out;
	}
	sb_addf(&dict, "/Type /XObject /Subtype /Image /Width %d /Height %d", cid->w, cid->h);
	if (cid->type == L_G4_ENCODE)
		sb_addf(&dict, " /ColorSpace /DeviceGray /BitsPerComponent 1 /Filter /CCITTFaxDecode /DecodeParms << /K -1 /Columns %d /Rows %d%s >>",
			cid->w, cid->h, cid->minisblack ? " /BlackIs1 true" : "");
	else
		sb_addf(&dict, " /ColorSpace %s /BitsPerComponent 8 /Filter /DCTDecode", cid->spp == 1 ? "/DeviceGray" : "/DeviceRGB");

	scale = 72.0 / dpi;
	part->pw = w * scale;
	part->ph = h * scale;
	sb_addf(&cs, "q %.4f 0 0 %.4f 0 0 cm /Im0 Do Q\n", part->pw, part->ph);
	if (hocr_layer(part->gl_used, hocr, hocr_len, h, scale, &cs, err) < 0)
		goto out;
	part->text = strstr(cs.buf, "/F0 ") != NULL;
	part->img_dict = sb_detach(&dict);
	part->img = xmalloc(cid->nbytescomp ? cid->nbytescomp : 1);
	memcpy(part->img, cid->datacomp, cid->nbytescomp);
	part->img_len = cid->nbytescomp;
	/* compressed here, once, as pdfa_obj_flate() would at the join */
	z = zlibCompress((const l_uint8 *)cs.buf, cs.len, &zlen);
	if (z) {
		part->content = xmalloc(zlen ? zlen : 1);
		memcpy(part->content, z, zlen);
		part->content_len = zlen;
		part->content_flate = true;
		lept_free(z);
	} else {
		part->content_len = cs.len;
		part->content = (uint8_t *)sb_detach(&cs);
	}
	rc = 0;
out:
	if (cid)
		l_CIDataDestroy(&cid);
	pixDestroy(&p);
	sb_release(&cs);
	sb_release(&dict);
	if (rc < 0)
		pdfa_part_release(part);
	return rc;
}

int pdfa_add_part(struct pdfa *d, const struct pdfa_part *part, struct errbuf *err)
{
	int img, content, page;
	if (d->in_page)
		return err_set(err, "cannot add a scanned page while a text page is open");
	/* the glyphless font is numbered when the first page uses it, before
	 * that page's objects, as the file layout has always been */
	if (part->text && !d->gl_obj)
		d->gl_obj = pdfa_obj_new(d);
	for (size_t i = 0; part->text && i < sizeof d->gl_used; i++)
		d->gl_used[i] |= part->gl_used[i];
	img = pdfa_obj_new(d);
	pdfa_obj_stream(d, img, part->img_dict, part->img, part->img_len);
	content = pdfa_obj_new(d);
	if (part->content_flate)
		pdfa_obj_zstream(d, content, "", part->content, part->content_len);
	else
		pdfa_obj_stream(d, content, "", part->content, part->content_len);
	page = pdfa_obj_new(d);
	pdfa_obj_begin(d, page);
	pdfa_obj_outf(d, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.4f %.4f] /Resources << /XObject << /Im0 %d 0 R >>", part->pw,
		      part->ph, img);
	if (part->text)
		pdfa_obj_outf(d, " /Font << /F0 %d 0 R >>", d->gl_obj);
	pdfa_obj_outf(d, " >> /Contents %d 0 R >>\nendobj\n", content);
	add_kid(d, page);
	return 0;
}

int pdfa_add_pix(struct pdfa *d, struct Pix *pix, int dpi, const char *hocr, size_t hocr_len, struct errbuf *err)
{
	struct pdfa_part part;
	int rc;
	if (d->in_page)
		return err_set(err, "cannot add a scanned page while a text page is open");
	if (pdfa_part_make(pix, dpi, d->jpeg_quality, hocr, hocr_len, d->nkids + 1, &part, err) < 0)
		return -1;
	rc = pdfa_add_part(d, &part, err);
	pdfa_part_release(&part);
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
		d->font_obj = pdfa_obj_new(d);
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
	s = pdfa_nfc(utf8);
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
		d->font_obj = pdfa_obj_new(d);
		d->gid_uni = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, sizeof *d->gid_uni);
		d->gid_used = xcalloc((size_t)ttf_metrics(d->font)->num_glyphs + 1, 1);
	}
	s = pdfa_nfc(utf8);
	w = ttf_text_width(d->font, s, size);
	free(s);
	return w;
}

int pdfa_page_end(struct pdfa *d, struct errbuf *err)
{
	int content, page;
	if (!d->in_page)
		return err_set(err, "cannot end a text page: none is open");
	content = pdfa_obj_new(d);
	pdfa_obj_flate(d, content, "", d->content.buf, d->content.len);
	page = pdfa_obj_new(d);
	pdfa_obj_begin(d, page);
	pdfa_obj_outf(d, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>\nendobj\n",
	     d->pw, d->ph, d->font_obj, content);
	add_kid(d, page);
	d->in_page = false;
	return 0;
}
