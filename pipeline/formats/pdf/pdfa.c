/*
 * pdfa.c - the PDF/A-2b writer (see pdfa.h for the file layout): the
 * document (open, strings, fonts, metadata, cross-reference table, close).
 * The object writer is pdfa_obj.c, page content pdfa_page.c (pdfa_int.h).
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
#include "formats/pdf/pdfa_int.h"

#include <errno.h>
#include <lcms2.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uninorm.h>
#include <unistr.h>

#include "engine/fsio.h"
#include "formats/pdf/ttf.h"

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
char *pdfa_nfc(const char *s)
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
	return s && *s ? pdfa_nfc(s) : NULL;
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
	pdfa_obj_new(d); /* 1: Catalog */
	pdfa_obj_new(d); /* 2: Pages */
	/* A binary comment right after the header marks the file as binary. */
	pdfa_obj_outf(d, "%%PDF-1.7\n%%\xE2\xE3\xCF\xD3\n");
	return d;
}

int pdfa_pages(const struct pdfa *d)
{
	return d->nkids;
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
	pdfa_obj_flate(d, num, "", cm.buf, cm.len);
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
	int cid = pdfa_obj_new(d), desc = pdfa_obj_new(d), file = pdfa_obj_new(d), gmap = pdfa_obj_new(d), tu = pdfa_obj_new(d);
	char *dict;
	if (fsio_read(d->glyphless_path, &font, &len, 1u << 20, err) < 0)
		return -1;
	pdfa_obj_begin(d, d->gl_obj);
	pdfa_obj_outf(d, "<< /Type /Font /Subtype /Type0 /BaseFont /GlyphLessFont /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>\nendobj\n", cid, tu);
	pdfa_obj_begin(d, cid);
	pdfa_obj_outf(d, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /GlyphLessFont /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap %d 0 R /DW %d >>\nendobj\n",
	     desc, gmap, PDFA_GLYPHLESS_WIDTH);
	pdfa_obj_begin(d, desc);
	pdfa_obj_outf(d, "<< /Type /FontDescriptor /FontName /GlyphLessFont /Flags 5 /FontBBox [0 0 %d 1000] /ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>\nendobj\n",
	     PDFA_GLYPHLESS_WIDTH, file);
	dict = xasprintf("/Length1 %zu", len);
	pdfa_obj_flate(d, file, dict, font, len);
	free(dict);
	free(font);
	/* Every CID shows glyph 1, the font's one (empty) glyph. */
	map = xmalloc(2 * 65536);
	for (i = 0; i < 65536; i++) {
		map[2 * i] = 0;
		map[2 * i + 1] = 1;
	}
	pdfa_obj_flate(d, gmap, "", map, 2 * 65536);
	free(map);
	tounicode(d, tu, 65536, gl_code);
	return 0;
}

static void write_truetype(struct pdfa *d)
{
	const struct ttf_metrics *m = ttf_metrics(d->font);
	const char *name = ttf_ps_name(d->font);
	int cid = pdfa_obj_new(d), desc = pdfa_obj_new(d), file = pdfa_obj_new(d), tu = pdfa_obj_new(d), g;
	double k = 1000.0 / m->units_per_em;
	const unsigned char *data;
	size_t len;
	char *dict;
	struct strbuf wv;

	sb_init(&wv, 0);
	for (g = 0; g < m->num_glyphs; g++)
		if (d->gid_used[g])
			sb_addf(&wv, "%d [%.0f] ", g, ttf_advance(d->font, (unsigned)g) * k);
	pdfa_obj_begin(d, d->font_obj);
	pdfa_obj_outf(d, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>\nendobj\n", name, cid, tu);
	pdfa_obj_begin(d, cid);
	pdfa_obj_outf(d, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %d 0 R /CIDToGIDMap /Identity /W [%s] >>\nendobj\n",
	     name, desc, wv.buf);
	pdfa_obj_begin(d, desc);
	pdfa_obj_outf(d, "<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%.0f %.0f %.0f %.0f] /ItalicAngle %.1f /Ascent %.0f /Descent %.0f /CapHeight %.0f /StemV 80 /FontFile2 %d 0 R >>\nendobj\n",
	     name, 32 | 2 | (m->fixed_pitch ? 1 : 0), m->bbox[0] * k, m->bbox[1] * k, m->bbox[2] * k, m->bbox[3] * k,
	     m->italic_angle, m->ascent * k, m->descent * k, m->cap_height * k, file);
	data = ttf_data(d->font, &len);
	dict = xasprintf("/Length1 %zu", len);
	pdfa_obj_flate(d, file, dict, data, len);
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
	pdfa_obj_stream(d, num, "/Type /Metadata /Subtype /XML", x.buf, x.len);
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
	pdfa_obj_flate(d, num, "/N 3", buf, n);
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
	xmp = pdfa_obj_new(d);
	write_xmp(d, xmp);
	icc = pdfa_obj_new(d);
	if (write_icc(d, icc, err) < 0)
		goto fail;

	sb_init(&sb, 0);
	pdfa_date(d->date_ms, date, sizeof date);
	info = pdfa_obj_new(d);
	pdfa_obj_begin(d, info);
	info_entry(&sb, "Title", d->title);
	info_entry(&sb, "Author", d->creator);
	info_entry(&sb, "Subject", d->description);
	info_entry(&sb, "Keywords", d->keywords);
	info_entry(&sb, "Creator", "sohoa");
	info_entry(&sb, "Producer", d->producer);
	pdfa_obj_outf(d, "<<%s /CreationDate (%s) /ModDate (%s) >>\nendobj\n", sb.buf, date, date);

	pdfa_obj_begin(d, 1);
	sb_reset(&sb);
	pdfa_add_text_string(&sb, d->language);
	pdfa_obj_outf(d, "<< /Type /Catalog /Pages 2 0 R /Metadata %d 0 R /Lang %s /OutputIntents [<< /Type /OutputIntent /S /GTS_PDFA1 /OutputConditionIdentifier (sRGB IEC61966-2.1) /Info (sRGB IEC61966-2.1) /DestOutputProfile %d 0 R >>] >>\nendobj\n",
	     xmp, sb.buf, icc);
	pdfa_obj_begin(d, 2);
	pdfa_obj_outf(d, "<< /Type /Pages /Kids [");
	for (i = 0; i < d->nkids; i++)
		pdfa_obj_outf(d, "%s%d 0 R", i ? " " : "", d->kids[i]);
	pdfa_obj_outf(d, "] /Count %d >>\nendobj\n", d->nkids);

	/* the file identifier: a hash of what makes this document this one */
	sb_reset(&sb);
	sb_addf(&sb, "%s|%lld|%d|%llu", d->path, (long long)d->date_ms, d->nkids, (unsigned long long)d->off);
	fsio_sha256_mem(sb.buf, sb.len, idhex, 1);
	idhex[32] = '\0';
	sb_release(&sb);

	xref = d->off;
	pdfa_obj_outf(d, "xref\n0 %d\n0000000000 65535 f \n", d->nobj + 1);
	for (i = 1; i <= d->nobj; i++) {
		if (!d->offsets[i]) {
			fprintf(stderr, "sohoa: panic: pdfa: object %d reserved but never written\n", i);
			abort();
		}
		pdfa_obj_outf(d, "%010llu 00000 n \n", (unsigned long long)d->offsets[i]);
	}
	pdfa_obj_outf(d, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R /ID [<%s> <%s>] >>\nstartxref\n%llu\n%%%%EOF\n",
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
