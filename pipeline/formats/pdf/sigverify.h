/*
 * sigverify.h - check the signatures of a signed PDF on our own, without a
 * third-party tool (used by `sohoa verify` and the tests).
 *
 * Every signature field of the AcroForm is checked: its /ByteRange starts at
 * 0 and leaves out exactly the <hex> of its /Contents; the CMS parses; the
 * SHA-256 (or the signer's digest) of the byte range equals the
 * messageDigest attribute; the signature over the signed attributes is
 * valid; the signer's certificate has a digital signature key usage and
 * chains to the trust store (at the time-stamp's time when there is a valid
 * time-stamp, otherwise now); a time-stamp token, if present, is over the
 * signature value and is signed by a TSA that chains to the trust store.
 * The file as a whole passes only when every signature does and the newest
 * one covers the whole file.
 */
#ifndef SOHOA_SIGVERIFY_H
#define SOHOA_SIGVERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "engine/util.h"

struct sigverify_sig {
	bool ok;
	char reason[256];     /* why not ok, e.g. "message digest mismatch" */
	char *field;          /* field name (/T), "" when absent */
	char *subfilter;      /* e.g. "ETSI.CAdES.detached" */
	char *subject;        /* signer's subject, RFC 2253, UTF-8; NULL when unknown */
	char *claimed_time;   /* /M as ISO 8601 ("2025-07-01T14:03:22+07:00"); NULL when absent */
	char *tst_time;       /* the time-stamp's time in Vietnam time; NULL without one */
	bool whole_file;      /* the byte range reaches the end of the file */
	size_t range_end;     /* where the byte range ends */
};

struct sigverify_result {
	size_t nsig;
	struct sigverify_sig *sig; /* in the order of the AcroForm's fields */
};

/* Check every signature of `path` against the CA certificates in ca_file
 * (PEM).  Returns 0 when all pass, or -1 with err set to the first failure,
 * e.g. "'x.pdf': signature 1: message digest mismatch" or "'x.pdf': no
 * signature".  res is filled as far as the file could be read either way
 * and must be released. */
int sigverify_file(const char *path, const char *ca_file, struct sigverify_result *res, struct errbuf *err);
void sigverify_result_release(struct sigverify_result *res);

#endif
