/*
 * sigverify.c - verify the PAdES signatures of a PDF (see sigverify.h).
 *
 * How: pdfread.c gives the Catalog, its AcroForm and the fields; each field
 * of type /Sig with a value is checked on its own, and a failure of one
 * does not stop the others, so the result lists every signature.
 *
 * Invariants: the PDF is outside input: every offset of a /ByteRange is
 * checked against the file's length before use, and the gap must be the
 * very /Contents string of the same signature dictionary (its offset in the
 * file), so no other bytes can be left out of what was signed.  The digest
 * is checked here before the signature, so a changed byte is reported as a
 * digest mismatch rather than as a generic CMS failure.
 *
 * Error policy: per-signature reasons in the result; the first failure
 * also goes to errbuf in the form "'x.pdf': signature 1: why".
 */
#include "formats/pdf/sigverify.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/pkcs7.h>
#include <openssl/ts.h>
#include <openssl/x509v3.h>

#include "formats/pdf/pdfread.h"
#include "formats/pdf/sigkey.h"

#define SIGVERIFY_MAX_PDF ((size_t)1 << 31)
#define SIGVERIFY_MAX_FIELDS 1000

static void set_reason(struct sigverify_sig *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_reason(struct sigverify_sig *s, const char *fmt, ...)
{
	va_list ap;
	if (s->reason[0])
		return;
	va_start(ap, fmt);
	vsnprintf(s->reason, sizeof s->reason, fmt, ap);
	va_end(ap);
	s->ok = false;
}

/* Decode a <hex> string; NULL when it holds anything but hex and space. */
static unsigned char *unhex(struct pdfread_span v, size_t *n)
{
	unsigned char *out = xmalloc(v.len / 2 + 1);
	size_t i, k = 0;
	int hi = -1;
	for (i = 1; i + 1 < v.len; i++) {
		int d = hex_digit(v.s[i]);
		if (d < 0) {
			if (v.s[i] == ' ' || v.s[i] == '\n' || v.s[i] == '\r' || v.s[i] == '\t')
				continue;
			free(out);
			return NULL;
		}
		if (hi < 0) {
			hi = d;
		} else {
			out[k++] = (unsigned char)(hi << 4 | d);
			hi = -1;
		}
	}
	if (hi >= 0)
		out[k++] = (unsigned char)(hi << 4);
	*n = k;
	return out;
}

/* A name value without its slash, or a literal string's text (no escapes
 * beyond the simple ones), as a new string. */
static char *plain_text(struct pdfread_span v)
{
	if (v.len >= 1 && v.s[0] == '/')
		return xstrndup(v.s + 1, v.len - 1);
	if (v.len >= 2 && v.s[0] == '(')
		return xstrndup(v.s + 1, v.len - 2);
	return xstrndup(v.s, v.len);
}

/* "D:20250701140322+07'00'" to "2025-07-01T14:03:22+07:00". */
static char *pdf_date_iso(struct pdfread_span v)
{
	char *s = plain_text(v), *p = s, *out;
	char tz[8] = "";
	if (strncmp(p, "D:", 2) == 0)
		p += 2;
	if (strlen(p) < 14) {
		out = xstrdup(s);
		free(s);
		return out;
	}
	if (p[14] == 'Z')
		snprintf(tz, sizeof tz, "Z");
	else if ((p[14] == '+' || p[14] == '-') && strlen(p) >= 20)
		snprintf(tz, sizeof tz, "%c%.2s:%.2s", p[14], p + 15, p + 18);
	out = xasprintf("%.4s-%.2s-%.2sT%.2s:%.2s:%.2s%s", p, p + 4, p + 6, p + 8, p + 10, p + 12, tz);
	free(s);
	return out;
}

static char *name_text(X509_NAME *name)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;
	if (!b)
		return NULL;
	X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
	n = BIO_get_mem_data(b, &data);
	out = xstrndup(data, n > 0 ? (size_t)n : 0);
	BIO_free(b);
	return out;
}

/* Check the time-stamp token over the signature value; sets *when (UTC
 * seconds) and s->tst_time.  0 when there is none or it is good. */
static int check_timestamp(struct sigverify_sig *s, CMS_SignerInfo *si, X509_STORE *store, time_t *when)
{
	char why[256];
	int loc = CMS_unsigned_get_attr_by_NID(si, NID_id_smime_aa_timeStampToken, -1), rc = -1;
	X509_ATTRIBUTE *attr;
	ASN1_TYPE *t;
	const unsigned char *p;
	PKCS7 *tok = NULL;
	TS_TST_INFO *info = NULL;
	TS_VERIFY_CTX *vctx = NULL;
	ASN1_OCTET_STRING *sv = CMS_SignerInfo_get0_signature(si);
	BIO *data = NULL;
	struct tm tm;

	if (loc < 0)
		return 0;
	attr = CMS_unsigned_get_attr(si, loc);
	t = attr ? X509_ATTRIBUTE_get0_type(attr, 0) : NULL;
	if (!t || t->type != V_ASN1_SEQUENCE) {
		set_reason(s, "time-stamp: malformed attribute");
		return -1;
	}
	p = t->value.sequence->data;
	tok = d2i_PKCS7(NULL, &p, t->value.sequence->length);
	info = tok ? PKCS7_to_TS_TST_INFO(tok) : NULL;
	if (!info) {
		set_reason(s, "time-stamp: not a time-stamp token");
		goto out;
	}
	if (!ASN1_TIME_to_tm(TS_TST_INFO_get_time(info), &tm)) {
		set_reason(s, "time-stamp: bad time");
		goto out;
	}
	*when = timegm(&tm);
	{
		char iso[48];
		time_iso_vn((int64_t)*when * 1000, false, iso, sizeof iso);
		s->tst_time = xstrdup(iso);
	}
	vctx = TS_VERIFY_CTX_new();
	data = BIO_new_mem_buf(ASN1_STRING_get0_data(sv), ASN1_STRING_length(sv));
	if (!vctx || !data || !X509_STORE_up_ref(store)) {
		set_reason(s, "time-stamp: %s", sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	TS_VERIFY_CTX_set_flags(vctx, TS_VFY_VERSION | TS_VFY_SIGNATURE | TS_VFY_DATA);
	TS_VERIFY_CTX_set_store(vctx, store);   /* the context owns one reference */
	TS_VERIFY_CTX_set_data(vctx, data);     /* and the BIO */
	data = NULL;
	if (TS_RESP_verify_token(vctx, tok) != 1) {
		set_reason(s, "time-stamp: %s", sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	rc = 0;
out:
	BIO_free(data);
	TS_VERIFY_CTX_free(vctx);
	TS_TST_INFO_free(info);
	PKCS7_free(tok);
	return rc;
}

/* Check one signature dictionary. */
static void check_sig(struct pdfread *p, struct pdfread_span sig, X509_STORE *store, struct sigverify_sig *s)
{
	char why[256];
	size_t len, pos = 0, der_len = 0, coff;
	const char *data = pdfread_data(p, &len);
	struct pdfread_span v, br, contents, item;
	long r[4];
	int k;
	unsigned char *der = NULL, md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	const unsigned char *dp;
	CMS_ContentInfo *cms = NULL;
	STACK_OF(CMS_SignerInfo) *sis;
	CMS_SignerInfo *si;
	X509 *signer = NULL;
	X509_ALGOR *digalg = NULL;
	const EVP_MD *mdtype;
	ASN1_OCTET_STRING *want;
	EVP_MD_CTX *mctx = NULL;
	STACK_OF(X509) *certs = NULL;
	X509_STORE_CTX *xctx = NULL;
	time_t when = 0;

	s->ok = true;
	if (pdfread_dict_get(sig, "/SubFilter", &v))
		s->subfilter = plain_text(v);
	if (pdfread_dict_get(sig, "/M", &v))
		s->claimed_time = pdf_date_iso(v);
	if (!s->subfilter || (strcmp(s->subfilter, "ETSI.CAdES.detached") != 0 && strcmp(s->subfilter, "adbe.pkcs7.detached") != 0)) {
		set_reason(s, "unsupported /SubFilter '%s'", s->subfilter ? s->subfilter : "");
		return;
	}
	if (!pdfread_dict_get(sig, "/ByteRange", &br) || !pdfread_dict_get(sig, "/Contents", &contents)) {
		set_reason(s, "no /ByteRange or /Contents");
		return;
	}
	for (k = 0; k < 4 && pdfread_array_next(br, &pos, &item); k++)
		if (!pdfread_int(item, &r[k]) || r[k] < 0)
			break;
	if (k != 4 || pdfread_array_next(br, &pos, &item)) {
		set_reason(s, "malformed /ByteRange");
		return;
	}
	coff = (size_t)(contents.s - data);
	if (r[0] != 0 || (size_t)r[1] != coff || (size_t)r[2] != coff + contents.len || (size_t)r[2] > len || (size_t)r[3] > len - (size_t)r[2]) {
		set_reason(s, "/ByteRange does not leave out exactly the signature's /Contents");
		return;
	}
	s->range_end = (size_t)(r[2] + r[3]);
	s->whole_file = s->range_end == len;
	if (contents.s[0] != '<' || !(der = unhex(contents, &der_len))) {
		set_reason(s, "/Contents is not a hex string");
		return;
	}
	dp = der;
	cms = d2i_CMS_ContentInfo(NULL, &dp, (long)der_len);
	if (!cms || OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed) {
		set_reason(s, "/Contents is not a CMS SignedData");
		goto out;
	}
	sis = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sis) != 1) {
		set_reason(s, "CMS has %d signers, expected 1", sk_CMS_SignerInfo_num(sis));
		goto out;
	}
	si = sk_CMS_SignerInfo_value(sis, 0);
	if (CMS_set1_signers_certs(cms, NULL, 0) < 0)
		ERR_clear_error();
	CMS_SignerInfo_get0_algs(si, NULL, &signer, &digalg, NULL);
	if (signer)
		s->subject = name_text(X509_get_subject_name(signer));

	/* the digest of the byte range */
	mdtype = EVP_get_digestbyobj(digalg->algorithm);
	want = CMS_signed_get0_data_by_OBJ(si, OBJ_nid2obj(NID_pkcs9_messageDigest), -3, V_ASN1_OCTET_STRING);
	if (!mdtype || !want) {
		set_reason(s, "no digest algorithm or messageDigest attribute");
		goto out;
	}
	mctx = EVP_MD_CTX_new();
	if (!mctx || EVP_DigestInit_ex(mctx, mdtype, NULL) != 1 || EVP_DigestUpdate(mctx, data, (size_t)r[1]) != 1 || EVP_DigestUpdate(mctx, data + r[2], (size_t)r[3]) != 1 || EVP_DigestFinal_ex(mctx, md, &mdlen) != 1) {
		set_reason(s, "cannot compute the digest: %s", sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	if ((unsigned)ASN1_STRING_length(want) != mdlen || memcmp(ASN1_STRING_get0_data(want), md, mdlen) != 0) {
		set_reason(s, "message digest mismatch");
		goto out;
	}
	if (!signer) {
		set_reason(s, "the signer's certificate is not in the CMS");
		goto out;
	}
	if (CMS_SignerInfo_verify(si) != 1) {
		set_reason(s, "signature does not verify: %s", sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	if (!(X509_get_key_usage(signer) & (KU_DIGITAL_SIGNATURE | KU_NON_REPUDIATION))) {
		set_reason(s, "signer's certificate is not for signing (key usage)");
		goto out;
	}
	if (check_timestamp(s, si, store, &when) < 0)
		goto out;
	/* the chain, at the time-stamp's time when there is one */
	certs = CMS_get1_certs(cms);
	xctx = X509_STORE_CTX_new();
	if (!xctx || !X509_STORE_CTX_init(xctx, store, signer, certs)) {
		set_reason(s, "cannot check the certificate chain: %s", sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	if (when)
		X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(xctx), when);
	if (X509_verify_cert(xctx) != 1) {
		set_reason(s, "certificate chain: %s", X509_verify_cert_error_string(X509_STORE_CTX_get_error(xctx)));
		ERR_clear_error();
		goto out;
	}
out:
	X509_STORE_CTX_free(xctx);
	sk_X509_pop_free(certs, X509_free);
	EVP_MD_CTX_free(mctx);
	CMS_ContentInfo_free(cms);
	free(der);
}

struct walk {
	struct pdfread *p;
	X509_STORE *store;
	struct sigverify_result *res;
	size_t alloc;
	int visited;
};

static void walk_fields(struct walk *w, struct pdfread_span arr, bool parent_sig, int depth)
{
	struct pdfread_span item, field, v, sig;
	size_t pos = 0;
	struct errbuf ignore;
	while (pdfread_array_next(arr, &pos, &item) && w->visited < SIGVERIFY_MAX_FIELDS) {
		bool is_sig = parent_sig;
		w->visited++;
		err_init(&ignore);
		if (pdfread_resolve(w->p, item, &field, &ignore) < 0)
			continue;
		if (pdfread_dict_get(field, "/FT", &v))
			is_sig = pdfread_is(v, "/Sig");
		if (pdfread_dict_get(field, "/Kids", &v) && depth < 16 && pdfread_resolve(w->p, v, &v, &ignore) == 0)
			walk_fields(w, v, is_sig, depth + 1);
		if (!is_sig || !pdfread_dict_get(field, "/V", &v) || pdfread_resolve(w->p, v, &sig, &ignore) < 0)
			continue;
		if (w->res->nsig == w->alloc) {
			w->alloc = w->alloc ? 2 * w->alloc : 4;
			w->res->sig = xrealloc(w->res->sig, w->alloc * sizeof *w->res->sig);
		}
		{
			struct sigverify_sig *s = &w->res->sig[w->res->nsig++];
			memset(s, 0, sizeof *s);
			s->field = pdfread_dict_get(field, "/T", &v) ? plain_text(v) : xstrdup("");
			check_sig(w->p, sig, w->store, s);
		}
	}
}

int sigverify_file(const char *path, const char *ca_file, struct sigverify_result *res, struct errbuf *err)
{
	char why[256];
	struct pdfread *p = NULL;
	struct pdfread_span root, v;
	X509_STORE *store = NULL;
	struct walk w;
	size_t i, len, newest = 0;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (!ca_file || !*ca_file)
		return err_set(err, "'%s': no trust store configured", path);
	store = X509_STORE_new();
	if (!store || X509_STORE_load_file(store, ca_file) != 1) {
		err_set(err, "cannot read trust store '%s': %s", ca_file, sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	p = pdfread_open(path, SIGVERIFY_MAX_PDF, err);
	if (!p)
		goto out;
	pdfread_data(p, &len);
	if (!pdfread_dict_get(pdfread_trailer(p), "/Root", &v) || pdfread_resolve(p, v, &root, err) < 0) {
		err_set(err, "'%s': no document catalog", path);
		goto out;
	}
	memset(&w, 0, sizeof w);
	w.p = p;
	w.store = store;
	w.res = res;
	if (pdfread_dict_get(root, "/AcroForm", &v) && pdfread_resolve(p, v, &v, err) == 0 && pdfread_dict_get(v, "/Fields", &v) && pdfread_resolve(p, v, &v, err) == 0)
		walk_fields(&w, v, false, 0);
	if (res->nsig == 0) {
		err_set(err, "'%s': no signature", path);
		goto out;
	}
	for (i = 0; i < res->nsig; i++) {
		if (!res->sig[i].ok) {
			err_set(err, "'%s': signature %zu: %s", path, i + 1, res->sig[i].reason);
			goto out;
		}
		if (res->sig[i].range_end > newest)
			newest = res->sig[i].range_end;
	}
	if (newest != len) {
		err_set(err, "'%s': changed after the last signature (%zu bytes not covered)", path, len - newest);
		goto out;
	}
	rc = 0;
out:
	pdfread_free(p);
	X509_STORE_free(store);
	return rc;
}

void sigverify_result_release(struct sigverify_result *res)
{
	size_t i;
	for (i = 0; i < res->nsig; i++) {
		free(res->sig[i].field);
		free(res->sig[i].subfilter);
		free(res->sig[i].subject);
		free(res->sig[i].claimed_time);
		free(res->sig[i].tst_time);
	}
	free(res->sig);
	memset(res, 0, sizeof *res);
}
