/*
 * pades.c - sign a finished PDF/A-2b with the organisation's key as an
 * incremental update (see pades.h for what is written).
 *
 * How: read the input and its cross-reference chain (pdfread.c), build the
 * update in memory with a /ByteRange of fixed width and a /Contents
 * placeholder of zeros, fill in the ByteRange, hash the file minus the
 * placeholder, make the CMS and write it as hex into the placeholder, then
 * write input + update to a temporary file and rename it into place.
 *
 * Invariants:
 *  - the input's bytes are copied unchanged: every earlier revision and
 *    every earlier signature stays valid;
 *  - the update keeps PDF/A-2b: the appearance is text only (no
 *    transparency), in DeviceGray black, with the font program embedded and
 *    a width for every glyph used; the widget has /F 4 (print); the
 *    AcroForm has no NeedAppearances; the trailer keeps the file's /ID;
 *  - the CMS has no signing-time attribute (PAdES B-B): OpenSSL's
 *    CMS_SignerInfo_sign() always adds one, so the signed attributes are
 *    encoded (DER, sorted SET OF) and signed here;
 *  - every text that reaches the PDF is written as a hex string, so no
 *    outside text can break the syntax.
 *
 * Error policy: errbuf, the first error wins, the file or URL named; on
 * failure nothing is left at out_pdf and no temporary file remains.
 */
#include "formats/pdf/pades.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <uninorm.h>
#include <zlib.h>
#include <unistr.h>

#include "engine/fsio.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/pdfread.h"
#include "formats/pdf/ttf.h"
#include "formats/pdf/tsa.h"

#define PADES_SIZE 10.0         /* font size, points */
#define PADES_LEAD 12.0         /* line distance, points */
#define PADES_PAD 3.0           /* inner margin of the box, points */
#define PADES_MARGIN 28.35      /* distance from the page's top and right edges (1 cm) */
#define PADES_MAX_WIDTH 220.0   /* the name wraps beyond this width */
#define PADES_MAX_LINES 8

/* ---- appearance text ------------------------------------------------ */

/* One line of the appearance as glyph ids, with the code point of each. */
struct line {
	unsigned *gid;
	uint32_t *cp;
	size_t n;
	double width;
};

struct layout {
	struct line line[PADES_MAX_LINES];
	int nlines;
	double width, height;
};

static void layout_release(struct layout *l)
{
	int i;
	for (i = 0; i < l->nlines; i++) {
		free(l->line[i].gid);
		free(l->line[i].cp);
	}
	l->nlines = 0;
}

/* Append code points cp[0..n) as a new line; -1 when a glyph is missing. */
static int add_line(struct layout *l, const struct ttf *f, const uint32_t *cp, size_t n, struct errbuf *err)
{
	struct line *ln;
	size_t i;
	int upm = ttf_metrics(f)->units_per_em;
	if (l->nlines == PADES_MAX_LINES)
		return err_set(err, "signature appearance: text needs more than %d lines", PADES_MAX_LINES);
	ln = &l->line[l->nlines++];
	ln->gid = xcalloc(n ? n : 1, sizeof *ln->gid);
	ln->cp = xcalloc(n ? n : 1, sizeof *ln->cp);
	ln->n = n;
	ln->width = 0;
	for (i = 0; i < n; i++) {
		ln->cp[i] = cp[i];
		ln->gid[i] = ttf_glyph(f, cp[i]);
		if (ln->gid[i] == 0)
			return err_set(err, "signature appearance: font '%s' has no glyph for U+%04X", ttf_ps_name(f), (unsigned)cp[i]);
		ln->width += ttf_advance(f, ln->gid[i]) * PADES_SIZE / upm;
	}
	return 0;
}

/* Decode UTF-8 in NFC form into code points (caller frees); NULL on bad text. */
static uint32_t *decode(const char *s, size_t *n, struct errbuf *err)
{
	size_t nlen = 0, i = 0, k = 0;
	uint8_t *nfc = u8_normalize(UNINORM_NFC, (const uint8_t *)s, strlen(s), NULL, &nlen);
	uint32_t *out;
	if (!nfc || u8_check(nfc, nlen)) {
		free(nfc);
		err_set(err, "signature appearance: '%s' is not valid UTF-8", s);
		return NULL;
	}
	out = xcalloc(nlen + 1, sizeof *out);
	while (i < nlen) {
		ucs4_t c;
		int l = u8_mbtouc(&c, nfc + i, nlen - i);
		if (c < 0x20 || c == 0x7f) {
			free(nfc);
			free(out);
			err_set(err, "signature appearance: control character in '%s'", s);
			return NULL;
		}
		out[k++] = c;
		i += (size_t)l;
	}
	free(nfc);
	*n = k;
	return out;
}

/* Add text, wrapping at spaces to PADES_MAX_WIDTH. */
static int add_text(struct layout *l, const struct ttf *f, const char *s, struct errbuf *err)
{
	size_t n, start = 0, i, last_space = (size_t)-1;
	uint32_t *cp = decode(s, &n, err);
	double w = 0;
	int upm = ttf_metrics(f)->units_per_em, rc = 0;
	if (!cp)
		return -1;
	for (i = 0; i < n && rc == 0; i++) {
		w += ttf_advance(f, ttf_glyph(f, cp[i])) * PADES_SIZE / upm;
		if (cp[i] == ' ')
			last_space = i;
		if (w > PADES_MAX_WIDTH && last_space != (size_t)-1 && last_space > start) {
			rc = add_line(l, f, cp + start, last_space - start, err);
			start = last_space + 1;
			i = last_space;
			last_space = (size_t)-1;
			w = 0;
		}
	}
	if (rc == 0 && start < n)
		rc = add_line(l, f, cp + start, n - start, err);
	free(cp);
	return rc;
}

static int layout_make(struct layout *l, const struct ttf *f, const struct pades_opts *o, const char *when, struct errbuf *err)
{
	int i;
	memset(l, 0, sizeof *l);
	if (o->prefix && *o->prefix && add_text(l, f, o->prefix, err) < 0)
		return -1;
	if (add_text(l, f, o->org_name, err) < 0 || add_text(l, f, when, err) < 0)
		return -1;
	for (i = 0; i < l->nlines; i++)
		if (l->line[i].width > l->width)
			l->width = l->line[i].width;
	l->width += 2 * PADES_PAD;
	l->height = l->nlines * PADES_LEAD + 2 * PADES_PAD;
	return 0;
}

static int cmp_uint(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return x < y ? -1 : x > y;
}

/* The glyphs used, sorted and unique, with one code point each. */
static size_t used_glyphs(const struct layout *l, unsigned **gids, uint32_t **cps)
{
	size_t total = 0, k = 0, i, j, u;
	int li;
	unsigned *g;
	uint32_t *c;
	for (li = 0; li < l->nlines; li++)
		total += l->line[li].n;
	g = xcalloc(total + 1, sizeof *g);
	c = xcalloc(total + 1, sizeof *c);
	for (li = 0; li < l->nlines; li++)
		for (i = 0; i < l->line[li].n; i++)
			g[k++] = l->line[li].gid[i];
	qsort(g, k, sizeof *g, cmp_uint);
	for (i = 0, u = 0; i < k; i++)
		if (u == 0 || g[u - 1] != g[i])
			g[u++] = g[i];
	for (i = 0; i < u; i++)
		for (li = 0; li < l->nlines; li++)
			for (j = 0; j < l->line[li].n; j++)
				if (l->line[li].gid[j] == g[i] && c[i] == 0)
					c[i] = l->line[li].cp[j];
	*gids = g;
	*cps = c;
	return u;
}

/* ---- the update ----------------------------------------------------- */

struct update {
	struct strbuf sb;     /* the bytes appended to the input */
	size_t base;          /* the input's length: file offset of sb.buf[0] */
	long *num;            /* objects written, with their file offsets */
	size_t *off;
	int *gen;
	size_t nobj, allocobj;
};

static void obj_begin(struct update *u, long num, int gen)
{
	if (u->nobj == u->allocobj) {
		u->allocobj = u->allocobj ? 2 * u->allocobj : 16;
		u->num = xrealloc(u->num, u->allocobj * sizeof *u->num);
		u->off = xrealloc(u->off, u->allocobj * sizeof *u->off);
		u->gen = xrealloc(u->gen, u->allocobj * sizeof *u->gen);
	}
	u->num[u->nobj] = num;
	u->off[u->nobj] = u->base + u->sb.len;
	u->gen[u->nobj] = gen;
	u->nobj++;
	sb_addf(&u->sb, "%ld %d obj\n", num, gen);
}

/* A stream object, compressed with Flate when that makes it smaller. */
static void stream_obj(struct update *u, long num, const char *dict, const void *data, size_t len)
{
	uLongf zlen = compressBound((uLong)len);
	unsigned char *z = xmalloc(zlen);
	obj_begin(u, num, 0);
	if (compress2(z, &zlen, data, (uLong)len, Z_BEST_COMPRESSION) == Z_OK && zlen < len) {
		sb_addf(&u->sb, "<< %s /Filter /FlateDecode /Length %lu >>\nstream\n", dict, (unsigned long)zlen);
		sb_add(&u->sb, z, zlen);
	} else {
		sb_addf(&u->sb, "<< %s /Length %zu >>\nstream\n", dict, len);
		sb_add(&u->sb, data, len);
	}
	sb_adds(&u->sb, "\nendstream\nendobj\n");
	free(z);
}

static void update_release(struct update *u)
{
	sb_release(&u->sb);
	free(u->num);
	free(u->off);
	free(u->gen);
}

/* The xref section of the update: subsections of consecutive numbers. */
static void write_xref(struct update *u)
{
	size_t i, j, k;
	/* sort the objects by number (few: insertion sort) */
	for (i = 1; i < u->nobj; i++) {
		for (j = i; j > 0 && u->num[j - 1] > u->num[j]; j--) {
			long tn = u->num[j];
			size_t to = u->off[j];
			int tg = u->gen[j];
			u->num[j] = u->num[j - 1];
			u->off[j] = u->off[j - 1];
			u->gen[j] = u->gen[j - 1];
			u->num[j - 1] = tn;
			u->off[j - 1] = to;
			u->gen[j - 1] = tg;
		}
	}
	sb_adds(&u->sb, "xref\n");
	for (i = 0; i < u->nobj; i = j) {
		for (j = i + 1; j < u->nobj && u->num[j] == u->num[j - 1] + 1; j++)
			;
		sb_addf(&u->sb, "%ld %zu\n", u->num[i], j - i);
		for (k = i; k < j; k++)
			sb_addf(&u->sb, "%010zu %05d n\r\n", u->off[k], u->gen[k]);
	}
}

/* Page 1: its object number, generation, dictionary and the box to use. */
struct page1 {
	long num;
	int gen;
	struct pdfread_span dict;
	double box[4];
};

static int find_page1(struct pdfread *p, struct pdfread_span root, struct page1 *pg, struct errbuf *err)
{
	struct pdfread_span v, node, kids, kid, box;
	const char *name = pdfread_name(p);
	long num;
	int gen = 0, depth, k;
	size_t pos;
	bool have_box = false;

	if (!pdfread_dict_get(root, "/Pages", &v) || !pdfread_ref(v, &num, &gen))
		return err_set(err, "'%s': catalog has no /Pages", name);
	for (depth = 0; depth < 32; depth++) {
		if (pdfread_object(p, num, &gen, &node, err) < 0)
			return -1;
		if (pdfread_dict_get(node, "/Type", &v) && pdfread_is(v, "/Page"))
			break;
		if (!pdfread_dict_get(node, "/Kids", &kids) || pdfread_resolve(p, kids, &kids, err) < 0)
			return err_set(err, "'%s': page tree node %ld has no /Kids", name, num);
		pos = 0;
		if (!pdfread_array_next(kids, &pos, &kid) || !pdfread_ref(kid, &num, NULL))
			return err_set(err, "'%s': the document has no pages", name);
	}
	if (depth == 32)
		return err_set(err, "'%s': page tree too deep", name);
	pg->num = num;
	pg->gen = gen;
	pg->dict = node;
	if (pdfread_dict_get(node, "/Rotate", &v)) {
		long rot;
		if (pdfread_resolve(p, v, &v, err) < 0 || !pdfread_int(v, &rot))
			return err_set(err, "'%s': page 1 has a bad /Rotate", name);
		if (rot % 360 != 0)
			return err_set(err, "'%s': page 1 is rotated (/Rotate %ld); rotated pages are not supported", name, rot);
	}
	/* the visible area: CropBox, else MediaBox, either inherited */
	for (depth = 0; depth < 32 && !have_box; depth++) {
		if ((pdfread_dict_get(node, "/CropBox", &box) || pdfread_dict_get(node, "/MediaBox", &box)) && pdfread_resolve(p, box, &box, err) == 0) {
			pos = 0;
			for (k = 0; k < 4 && pdfread_array_next(box, &pos, &kid); k++)
				if (pdfread_resolve(p, kid, &kid, err) < 0 || !pdfread_num(kid, &pg->box[k]))
					break;
			if (k != 4)
				return err_set(err, "'%s': page 1 has a bad /MediaBox", name);
			have_box = true;
		} else if (pdfread_dict_get(node, "/Parent", &v) && pdfread_ref(v, &num, NULL)) {
			if (pdfread_object(p, num, NULL, &node, err) < 0)
				return -1;
		} else {
			break;
		}
	}
	if (!have_box)
		return err_set(err, "'%s': page 1 has no /MediaBox", name);
	if (pg->box[0] > pg->box[2]) {
		double t = pg->box[0];
		pg->box[0] = pg->box[2];
		pg->box[2] = t;
	}
	if (pg->box[1] > pg->box[3]) {
		double t = pg->box[1];
		pg->box[1] = pg->box[3];
		pg->box[3] = t;
	}
	return 0;
}

/* Append the items of an array value (direct or by reference) to sb. */
static int copy_array_items(struct pdfread *p, struct pdfread_span v, struct strbuf *sb, int *count, struct errbuf *err)
{
	struct pdfread_span arr, item;
	size_t pos = 0;
	if (pdfread_resolve(p, v, &arr, err) < 0)
		return -1;
	if (arr.len < 2 || arr.s[0] != '[')
		return err_set(err, "'%s': expected an array, found '%.*s'", pdfread_name(p), (int)(arr.len > 40 ? 40 : arr.len), arr.s);
	while (pdfread_array_next(arr, &pos, &item)) {
		sb_addc(sb, ' ');
		sb_add(sb, item.s, item.len);
		if (count)
			(*count)++;
	}
	return 0;
}

/* The appearance stream's content. */
static void appearance_content(struct strbuf *c, const struct layout *l, const struct ttf *f)
{
	const struct ttf_metrics *m = ttf_metrics(f);
	double y = l->height - PADES_PAD - (double)m->ascent * PADES_SIZE / m->units_per_em;
	int i;
	size_t j;
	sb_addf(c, "q\nBT\n/F1 %.0f Tf\n0 g\n%.2f %.2f Td\n", PADES_SIZE, PADES_PAD, y);
	for (i = 0; i < l->nlines; i++) {
		if (i > 0)
			sb_addf(c, "0 %.2f Td\n", -PADES_LEAD);
		sb_addc(c, '<');
		for (j = 0; j < l->line[i].n; j++)
			sb_addf(c, "%04X", l->line[i].gid[j]);
		sb_adds(c, "> Tj\n");
	}
	sb_adds(c, "ET\nQ\n");
}

static void tounicode_cmap(struct strbuf *c, const unsigned *gid, const uint32_t *cp, size_t n)
{
	size_t i;
	sb_adds(c, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	for (i = 0; i < n; i++) {
		if (i % 100 == 0)
			sb_addf(c, "%zu beginbfchar\n", n - i < 100 ? n - i : 100);
		sb_addf(c, "<%04X> <", gid[i]);
		pdfa_add_utf16_hex(c, cp[i]);
		sb_adds(c, ">\n");
		if (i % 100 == 99 || i + 1 == n)
			sb_adds(c, "endbfchar\n");
	}
	sb_adds(c, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
}

/* ---- CMS ------------------------------------------------------------- */

struct der {
	unsigned char *p;
	int len;
};

static int cmp_der(const void *a, const void *b)
{
	const struct der *x = a, *y = b;
	int n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->p, y->p, (size_t)n);
	return c ? c : x->len - y->len;
}

/* DER of the signed attributes as signed: SET OF, elements sorted. */
static unsigned char *signed_attrs_der(CMS_SignerInfo *si, size_t *outlen)
{
	int n = CMS_signed_get_attr_count(si), i;
	struct der *parts = xcalloc((size_t)(n > 0 ? n : 1), sizeof *parts);
	size_t total = 0, hl, k;
	unsigned char *out = NULL, *q;
	for (i = 0; i < n; i++) {
		parts[i].p = NULL;
		parts[i].len = i2d_X509_ATTRIBUTE(CMS_signed_get_attr(si, i), &parts[i].p);
		if (parts[i].len <= 0)
			goto out;
		total += (size_t)parts[i].len;
	}
	qsort(parts, (size_t)n, sizeof *parts, cmp_der);
	hl = total < 0x80 ? 2 : total < 0x100 ? 3 : total < 0x10000 ? 4 : 5;
	out = q = xmalloc(hl + total);
	*q++ = 0x31;
	if (total < 0x80) {
		*q++ = (unsigned char)total;
	} else {
		*q++ = (unsigned char)(0x80 | (hl - 2));
		for (k = hl - 2; k > 0; k--)
			*q++ = (unsigned char)(total >> (8 * (k - 1)));
	}
	for (i = 0; i < n; i++) {
		memcpy(q, parts[i].p, (size_t)parts[i].len);
		q += parts[i].len;
	}
	*outlen = hl + total;
out:
	for (i = 0; i < n; i++)
		OPENSSL_free(parts[i].p);
	free(parts);
	return out;
}

/* The CMS SignedData (DER, caller frees with OPENSSL_free) for a content
 * whose SHA-256 is md. */
static int make_cms(const struct sigkey *k, const unsigned char md[32], const struct pades_opts *o, unsigned char **der, int *derlen, struct errbuf *err)
{
	char why[256];
	CMS_ContentInfo *cms = NULL;
	CMS_SignerInfo *si;
	EVP_MD_CTX *mctx = NULL;
	unsigned char *attrs = NULL, *sig = NULL, *tok = NULL;
	size_t attrlen = 0, siglen = 0;
	int toklen = 0, i, rc = -1;

	cms = CMS_sign(NULL, NULL, NULL, NULL, CMS_PARTIAL | CMS_DETACHED | CMS_BINARY);
	if (!cms)
		goto ssl_fail;
	si = CMS_add1_signer(cms, k->cert, k->pkey, EVP_sha256(), CMS_PARTIAL | CMS_BINARY | CMS_CADES | CMS_NOSMIMECAP);
	if (!si)
		goto ssl_fail;
	for (i = 0; i < sk_X509_num(k->chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(k->chain, i)))
			goto ssl_fail;
	if (!CMS_signed_add1_attr_by_NID(si, NID_pkcs9_contentType, V_ASN1_OBJECT, OBJ_nid2obj(NID_pkcs7_data), -1) || !CMS_signed_add1_attr_by_NID(si, NID_pkcs9_messageDigest, V_ASN1_OCTET_STRING, md, 32))
		goto ssl_fail;
	attrs = signed_attrs_der(si, &attrlen);
	if (!attrs)
		goto ssl_fail;
	mctx = EVP_MD_CTX_new();
	if (!mctx || EVP_DigestSignInit(mctx, NULL, EVP_sha256(), NULL, k->pkey) != 1 || EVP_DigestSign(mctx, NULL, &siglen, attrs, attrlen) != 1)
		goto ssl_fail;
	sig = OPENSSL_malloc(siglen);
	if (!sig || EVP_DigestSign(mctx, sig, &siglen, attrs, attrlen) != 1)
		goto ssl_fail;
	ASN1_STRING_set0(CMS_SignerInfo_get0_signature(si), sig, (int)siglen);
	sig = NULL;
	if (o->tsa_url && *o->tsa_url) {
		ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
		if (tsa_request(o->tsa_url, o->tsa_timeout, ASN1_STRING_get0_data(sv), (size_t)ASN1_STRING_length(sv), &tok, &toklen, err) < 0)
			goto out;
		if (!CMS_unsigned_add1_attr_by_NID(si, NID_id_smime_aa_timeStampToken, V_ASN1_SEQUENCE, tok, toklen))
			goto ssl_fail;
	}
	*der = NULL;
	*derlen = i2d_CMS_ContentInfo(cms, der);
	if (*derlen <= 0)
		goto ssl_fail;
	rc = 0;
	goto out;
ssl_fail:
	err_set(err, "cannot make the CMS signature: %s", sigkey_ssl_reason(why, sizeof why));
out:
	OPENSSL_free(tok);
	OPENSSL_free(sig);
	free(attrs);
	EVP_MD_CTX_free(mctx);
	CMS_ContentInfo_free(cms);
	return rc;
}

/* Bytes to reserve for the CMS: certificates, signature, token, slack. */
static size_t estimate_reserve(const struct sigkey *k, const struct pades_opts *o)
{
	size_t n = 4096 + (size_t)i2d_X509(k->cert, NULL) + 2 * (size_t)EVP_PKEY_get_size(k->pkey);
	int i;
	for (i = 0; i < sk_X509_num(k->chain); i++)
		n += (size_t)i2d_X509(sk_X509_value(k->chain, i), NULL);
	if (o->tsa_url && *o->tsa_url)
		n += 16384;
	return n;
}

/* ---- pades_sign ----------------------------------------------------- */

static int write_output(const char *path, const char *a, size_t alen, const char *b, size_t blen, struct errbuf *err)
{
	char *tmp = fsio_tmp_name(path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), rc = -1;
	const char *part[2] = { a, b };
	size_t plen[2] = { alen, blen };
	int i;
	if (fd < 0) {
		err_set(err, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	for (i = 0; i < 2; i++) {
		size_t done = 0;
		while (done < plen[i]) {
			ssize_t w = write(fd, part[i] + done, plen[i] - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				err_set(err, "cannot write '%s': %s", tmp, strerror(errno));
				goto out;
			}
			done += (size_t)w;
		}
	}
	if (close(fd) < 0) {
		fd = -1;
		err_set(err, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	rc = fsio_commit(tmp, path, err);
out:
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		fsio_abort(tmp);
	free(tmp);
	return rc;
}

int pades_sign(const char *in_pdf, const char *out_pdf, const struct sigkey *key, const struct pades_opts *o, struct errbuf *err)
{
	struct pdfread *p = NULL;
	struct ttf *own_font = NULL;
	const struct ttf *f = o->font;
	const struct ttf_metrics *m;
	struct layout lay;
	struct update u;
	struct page1 pg = { 0 };
	struct pdfread_span trailer, root, v, acro;
	struct strbuf c, t;
	const char *data;
	size_t len, reserve, i, nglyph = 0, contents_at, br_at, br_len, fontlen;
	const unsigned char *fontdata;
	unsigned *gids = NULL;
	uint32_t *cps = NULL;
	long root_num, size, n_sig, n_field, n_ap, n_font, n_cid, n_desc, n_file, n_tou, n_acro;
	int root_gen, derlen = 0, rc = -1;
	int64_t when_ms = o->time_ms ? o->time_ms : now_ms();
	char when[48], pdfdate[40], br[80];
	unsigned char md[32], *der = NULL;
	double x0, y0;
	EVP_MD_CTX *mctx = NULL;
	static const char *const skip_catalog[] = { "/AcroForm", NULL };
	static const char *const skip_page[] = { "/Annots", NULL };
	static const char *const skip_acro[] = { "/Fields", "/SigFlags", "/NeedAppearances", NULL };

	memset(&lay, 0, sizeof lay);
	memset(&u, 0, sizeof u);
	sb_init(&u.sb, 0);
	sb_init(&c, 0);
	sb_init(&t, 0);
	if (!o->org_name || !*o->org_name) {
		err_set(err, "no organisation name for the signature");
		goto out;
	}
	if (!f) {
		own_font = ttf_load(o->font_path ? o->font_path : PADES_FONT, err);
		if (!own_font)
			goto out;
		f = own_font;
	}
	m = ttf_metrics(f);
	p = pdfread_open(in_pdf, PADES_MAX_PDF, err);
	if (!p) {
		rc = PADES_EINPUT;
		goto out;
	}
	data = pdfread_data(p, &len);
	trailer = pdfread_trailer(p);
	size = pdfread_size(p);
	if (pdfread_dict_get(trailer, "/Encrypt", &v)) {
		err_set(err, "'%s': encrypted PDFs are not supported", in_pdf);
		rc = PADES_EINPUT;
		goto out;
	}
	if (!pdfread_dict_get(trailer, "/Root", &v) || !pdfread_ref(v, &root_num, NULL)) {
		err_set(err, "'%s': trailer has no /Root", in_pdf);
		rc = PADES_EINPUT;
		goto out;
	}
	if (pdfread_object(p, root_num, &root_gen, &root, err) < 0 || find_page1(p, root, &pg, err) < 0) {
		rc = PADES_EINPUT;
		goto out;
	}

	time_iso_vn(when_ms, false, when, sizeof when);
	pdfa_date(when_ms, pdfdate, sizeof pdfdate);
	if (layout_make(&lay, f, o, when, err) < 0)
		goto out;
	nglyph = used_glyphs(&lay, &gids, &cps);
	x0 = pg.box[2] - PADES_MARGIN - lay.width;
	y0 = pg.box[3] - PADES_MARGIN - lay.height;
	if (x0 < pg.box[0])
		x0 = pg.box[0];
	if (y0 < pg.box[1])
		y0 = pg.box[1];

	n_sig = size;
	n_field = size + 1;
	n_ap = size + 2;
	n_font = size + 3;
	n_cid = size + 4;
	n_desc = size + 5;
	n_file = size + 6;
	n_tou = size + 7;
	n_acro = size + 8;
	reserve = o->reserve ? o->reserve : estimate_reserve(key, o);

	u.base = len;
	if (len > 0 && data[len - 1] != '\n' && data[len - 1] != '\r')
		sb_addc(&u.sb, '\n');

	/* the signature value dictionary */
	obj_begin(&u, n_sig, 0);
	sb_adds(&u.sb, "<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached /Name ");
	pdfa_add_utf16_string(&u.sb, o->org_name);
	sb_addf(&u.sb, " /M (%s) /ByteRange ", pdfdate);
	br_at = u.sb.len;
	br_len = 48;
	sb_addf(&u.sb, "%-*s", (int)br_len, "[0 0 0 0]");
	sb_adds(&u.sb, "\n/Contents ");
	contents_at = u.sb.len;
	sb_addc(&u.sb, '<');
	for (i = 0; i < 2 * reserve; i++)
		sb_addc(&u.sb, '0');
	sb_adds(&u.sb, "> >>\nendobj\n");

	/* the field and its widget, merged */
	obj_begin(&u, n_field, 0);
	sb_addf(&u.sb, "<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature%ld) /V %ld 0 R /F 4 /P %ld %d R /Rect [%.2f %.2f %.2f %.2f] /AP << /N %ld 0 R >> >>\nendobj\n", n_sig, n_sig, pg.num, pg.gen, x0, y0, x0 + lay.width, y0 + lay.height, n_ap);

	/* the appearance: a form XObject with the text */
	appearance_content(&c, &lay, f);
	sb_addf(&t, "/Type /XObject /Subtype /Form /BBox [0 0 %.2f %.2f] /Resources << /Font << /F1 %ld 0 R >> /ProcSet [/PDF /Text] >>", lay.width, lay.height, n_font);
	stream_obj(&u, n_ap, t.buf, c.buf, c.len);

	/* the font: Type0 / Identity-H over a CIDFontType2 with the whole TrueType program */
	obj_begin(&u, n_font, 0);
	sb_addf(&u.sb, "<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H /DescendantFonts [%ld 0 R] /ToUnicode %ld 0 R >>\nendobj\n", ttf_ps_name(f), n_cid, n_tou);
	obj_begin(&u, n_cid, 0);
	sb_addf(&u.sb, "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor %ld 0 R /CIDToGIDMap /Identity /DW 1000 /W [", ttf_ps_name(f), n_desc);
	for (i = 0; i < nglyph; i++)
		sb_addf(&u.sb, " %u [%ld]", gids[i], lround(ttf_advance(f, gids[i]) * 1000.0 / m->units_per_em));
	sb_adds(&u.sb, " ] >>\nendobj\n");
	obj_begin(&u, n_desc, 0);
	sb_addf(&u.sb, "<< /Type /FontDescriptor /FontName /%s /Flags %d /FontBBox [%ld %ld %ld %ld] /ItalicAngle %.1f /Ascent %ld /Descent %ld /CapHeight %ld /StemV 80 /FontFile2 %ld 0 R >>\nendobj\n",
		ttf_ps_name(f), m->fixed_pitch ? 35 : 34,
		lround(m->bbox[0] * 1000.0 / m->units_per_em), lround(m->bbox[1] * 1000.0 / m->units_per_em),
		lround(m->bbox[2] * 1000.0 / m->units_per_em), lround(m->bbox[3] * 1000.0 / m->units_per_em),
		m->italic_angle, lround(m->ascent * 1000.0 / m->units_per_em), lround(m->descent * 1000.0 / m->units_per_em),
		lround(m->cap_height * 1000.0 / m->units_per_em), n_file);
	fontdata = ttf_data(f, &fontlen);
	sb_reset(&t);
	sb_addf(&t, "/Length1 %zu", fontlen);
	stream_obj(&u, n_file, t.buf, fontdata, fontlen);
	sb_reset(&c);
	tounicode_cmap(&c, gids, cps, nglyph);
	stream_obj(&u, n_tou, "", c.buf, c.len);

	/* the AcroForm: the earlier fields (if any) and ours */
	obj_begin(&u, n_acro, 0);
	sb_adds(&u.sb, "<<");
	sb_reset(&t);
	if (pdfread_dict_get(root, "/AcroForm", &v)) {
		if (pdfread_resolve(p, v, &acro, err) < 0) {
			rc = PADES_EINPUT;
			goto out;
		}
		pdfread_dict_copy(&u.sb, acro, skip_acro);
		if (pdfread_dict_get(acro, "/Fields", &v) && copy_array_items(p, v, &t, NULL, err) < 0) {
			rc = PADES_EINPUT;
			goto out;
		}
	}
	sb_addf(&u.sb, " /Fields [%s %ld 0 R] /SigFlags 3 >>\nendobj\n", t.buf, n_field);

	/* the Catalog and page 1, rewritten */
	obj_begin(&u, root_num, root_gen);
	sb_adds(&u.sb, "<<");
	pdfread_dict_copy(&u.sb, root, skip_catalog);
	sb_addf(&u.sb, " /AcroForm %ld 0 R >>\nendobj\n", n_acro);
	obj_begin(&u, pg.num, pg.gen);
	sb_adds(&u.sb, "<<");
	pdfread_dict_copy(&u.sb, pg.dict, skip_page);
	sb_reset(&t);
	if (pdfread_dict_get(pg.dict, "/Annots", &v) && copy_array_items(p, v, &t, NULL, err) < 0) {
		rc = PADES_EINPUT;
		goto out;
	}
	sb_addf(&u.sb, " /Annots [%s %ld 0 R] >>\nendobj\n", t.buf, n_field);

	/* xref and trailer */
	{
		size_t xref_at = u.base + u.sb.len;
		write_xref(&u);
		sb_addf(&u.sb, "trailer\n<< /Size %ld /Root %ld %d R", n_acro + 1, root_num, root_gen);
		if (pdfread_dict_get(trailer, "/Info", &v)) {
			sb_adds(&u.sb, " /Info ");
			sb_add(&u.sb, v.s, v.len);
		}
		if (pdfread_dict_get(trailer, "/ID", &v)) {
			sb_adds(&u.sb, " /ID ");
			sb_add(&u.sb, v.s, v.len);
		} else {
			char hex[65];
			fsio_sha256_mem(data, len, hex, 1);
			hex[32] = '\0';
			sb_addf(&u.sb, " /ID [<%s> <%s>]", hex, hex);
		}
		sb_addf(&u.sb, " /Prev %zu >>\nstartxref\n%zu\n%%%%EOF\n", pdfread_startxref(p), xref_at);
	}

	/* the byte range: everything but the <hex> of /Contents */
	{
		size_t a = u.base + contents_at, b = a + 2 * reserve + 2, total = u.base + u.sb.len;
		int w = snprintf(br, sizeof br, "[0 %zu %zu %zu]", a, b, total - b);
		if (w < 0 || (size_t)w > br_len) {
			err_set(err, "'%s': byte range does not fit its placeholder", in_pdf);
			goto out;
		}
		memset(u.sb.buf + br_at, ' ', br_len);
		memcpy(u.sb.buf + br_at, br, (size_t)w);
		mctx = EVP_MD_CTX_new();
		if (!mctx || EVP_DigestInit_ex(mctx, EVP_sha256(), NULL) != 1 || EVP_DigestUpdate(mctx, data, len) != 1 || EVP_DigestUpdate(mctx, u.sb.buf, contents_at) != 1 || EVP_DigestUpdate(mctx, u.sb.buf + contents_at + 2 * reserve + 2, u.sb.len - contents_at - 2 * reserve - 2) != 1 || EVP_DigestFinal_ex(mctx, md, NULL) != 1) {
			err_set(err, "'%s': cannot hash the byte range", in_pdf);
			goto out;
		}
	}
	if (make_cms(key, md, o, &der, &derlen, err) < 0)
		goto out;
	if ((size_t)derlen > reserve) {
		err_set(err, "'%s': the signature needs %d bytes but %zu were reserved", in_pdf, derlen, reserve);
		goto out;
	}
	for (i = 0; i < (size_t)derlen; i++) {
		static const char hexd[] = "0123456789ABCDEF";
		u.sb.buf[contents_at + 1 + 2 * i] = hexd[der[i] >> 4];
		u.sb.buf[contents_at + 2 + 2 * i] = hexd[der[i] & 15];
	}
	rc = write_output(out_pdf, data, len, u.sb.buf, u.sb.len, err);
out:
	OPENSSL_free(der);
	EVP_MD_CTX_free(mctx);
	free(gids);
	free(cps);
	layout_release(&lay);
	sb_release(&c);
	sb_release(&t);
	update_release(&u);
	pdfread_free(p);
	ttf_free(own_font);
	return rc;
}
