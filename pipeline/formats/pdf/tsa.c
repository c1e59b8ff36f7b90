/*
 * tsa.c - the RFC 3161 time-stamp client: one HTTP POST of a TimeStampReq
 * (SHA-256 imprint, random nonce, certificate requested) to the TSA, and the
 * reply checked for status, imprint, nonce and version.  The TSA's signature
 * and chain are checked later by the verifier against its trust store.
 *
 * Error policy: errbuf, the first error wins, the URL named
 * ("time-stamp from 'http://...': HTTP 500").  The reply is capped at
 * TSA_MAX_REPLY bytes.  Out of memory is fatal (util.h).
 */
#include "formats/pdf/tsa.h"

#include <curl/curl.h>
#include <openssl/rand.h>
#include <openssl/sha.h>
#include <openssl/ts.h>

#include "formats/pdf/sigkey.h"

#define TSA_MAX_REPLY (1u << 20)

static size_t curl_sink(char *data, size_t size, size_t nmemb, void *u)
{
	struct strbuf *sb = u;
	size_t n = size * nmemb;
	if (sb->len + n > TSA_MAX_REPLY)
		return 0;
	sb_add(sb, data, n);
	return n;
}

int tsa_request(const char *url, long timeout, const unsigned char *data, size_t len, unsigned char **tok, int *toklen, struct errbuf *err)
{
	unsigned char md[32], nonce_bytes[8], *reqder = NULL;
	const unsigned char *rp;
	char why[256];
	int reqlen, rc = -1;
	long http = 0;
	TS_REQ *req = TS_REQ_new();
	TS_MSG_IMPRINT *imp = TS_MSG_IMPRINT_new();
	X509_ALGOR *alg = X509_ALGOR_new();
	ASN1_INTEGER *nonce = NULL;
	BIGNUM *bn = NULL;
	TS_RESP *resp = NULL;
	TS_VERIFY_CTX *vctx = NULL;
	CURL *curl = NULL;
	struct curl_slist *hdr = NULL;
	struct strbuf reply;
	CURLcode cc;

	sb_init(&reply, 0);
	if (!req || !imp || !alg)
		goto ssl_fail;
	SHA256(data, len, md);
	if (!X509_ALGOR_set0(alg, OBJ_nid2obj(NID_sha256), V_ASN1_NULL, NULL) || !TS_MSG_IMPRINT_set_algo(imp, alg) || !TS_MSG_IMPRINT_set_msg(imp, md, sizeof md) || !TS_REQ_set_msg_imprint(req, imp) || !TS_REQ_set_version(req, 1) || !TS_REQ_set_cert_req(req, 1))
		goto ssl_fail;
	if (RAND_bytes(nonce_bytes, sizeof nonce_bytes) != 1)
		goto ssl_fail;
	nonce_bytes[0] &= 0x7f;
	bn = BN_bin2bn(nonce_bytes, sizeof nonce_bytes, NULL);
	nonce = bn ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
	if (!nonce || !TS_REQ_set_nonce(req, nonce))
		goto ssl_fail;
	reqlen = i2d_TS_REQ(req, &reqder);
	if (reqlen <= 0)
		goto ssl_fail;

	curl = curl_easy_init();
	if (!curl) {
		err_set(err, "time-stamp from '%s': cannot start libcurl", url);
		goto out;
	}
	hdr = curl_slist_append(hdr, "Content-Type: application/timestamp-query");
	hdr = curl_slist_append(hdr, "Accept: application/timestamp-reply");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, (const char *)reqder);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)reqlen);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, curl_sink);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout > 0 ? timeout : 30L);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
	cc = curl_easy_perform(curl);
	if (cc != CURLE_OK) {
		err_set(err, "time-stamp from '%s': %s", url, curl_easy_strerror(cc));
		goto out;
	}
	curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &http);
	if (http != 200) {
		err_set(err, "time-stamp from '%s': HTTP %ld", url, http);
		goto out;
	}
	rp = (const unsigned char *)reply.buf;
	resp = d2i_TS_RESP(NULL, &rp, (long)reply.len);
	if (!resp) {
		err_set(err, "time-stamp from '%s': not a time-stamp reply", url);
		goto out;
	}
	/* status, imprint, nonce and version; the TSA's signature and chain
	 * are checked by the verifier against its trust store */
	vctx = TS_REQ_to_TS_VERIFY_CTX(req, NULL);
	if (!vctx)
		goto ssl_fail;
	TS_VERIFY_CTX_set_flags(vctx, TS_VFY_VERSION | TS_VFY_IMPRINT | TS_VFY_NONCE);
	if (TS_RESP_verify_response(vctx, resp) != 1) {
		err_set(err, "time-stamp from '%s': reply rejected: %s", url, sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	*tok = NULL;
	*toklen = i2d_PKCS7(TS_RESP_get_token(resp), tok);
	if (*toklen <= 0)
		goto ssl_fail;
	rc = 0;
	goto out;
ssl_fail:
	err_set(err, "time-stamp from '%s': %s", url, sigkey_ssl_reason(why, sizeof why));
out:
	if (curl)
		curl_easy_cleanup(curl);
	curl_slist_free_all(hdr);
	sb_release(&reply);
	TS_VERIFY_CTX_free(vctx);
	TS_RESP_free(resp);
	OPENSSL_free(reqder);
	ASN1_INTEGER_free(nonce);
	BN_free(bn);
	X509_ALGOR_free(alg);
	TS_MSG_IMPRINT_free(imp);
	TS_REQ_free(req);
	return rc;
}
