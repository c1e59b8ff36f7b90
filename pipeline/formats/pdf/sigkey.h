/*
 * sigkey.h - the organisation's signing key, its certificate and chain.
 *
 * The key comes from a PEM file, a PKCS#12 file (.p12, .pfx) or a PKCS#11
 * token named by a URI ("pkcs11:token=ORG;object=sign").  Only the process
 * that signs loads it (the sign worker's init), and a key file or PIN file
 * that its group or others can read is refused.
 */
#ifndef SOHOA_SIGKEY_H
#define SOHOA_SIGKEY_H

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/util.h"

struct sigkey_spec {
	const char *key;         /* file path or pkcs11: URI */
	const char *cert;        /* PEM certificate; may be empty for PKCS#12 and PKCS#11 */
	const char *chain;       /* PEM file of intermediate certificates; may be empty */
	const char *pin_file;    /* passphrase or PIN, first line; may be empty */
	const char *p11_module;  /* PKCS#11 module; empty = the engine's default (p11-kit) */
};

struct sigkey {
	EVP_PKEY *pkey;
	X509 *cert;
	STACK_OF(X509) *chain;   /* never NULL, may be empty */
	void *engine;            /* the PKCS#11 engine holding pkey, or NULL */
};

/* Load the key and certificates; NULL with err set on any problem.  Checks
 * that the certificate matches the key. */
struct sigkey *sigkey_load(const struct sigkey_spec *spec, struct errbuf *err);
void sigkey_free(struct sigkey *k);

/* 0 when the file at path exists and neither its group nor others may read
 * it; -1 with err set ("'k.pem': readable by group or others (mode 0640)")
 * otherwise.  `what` names the file's role in the message. */
int sigkey_check_mode(const char *path, const char *what, struct errbuf *err);

/* true when `key` names a PKCS#11 object rather than a file. */
bool sigkey_is_uri(const char *key);

/* The reason of the last OpenSSL error (or "unknown error") written into
 * buf (n bytes) and returned; the error queue is cleared.  For the messages
 * of everything that calls OpenSSL here: key loading, signing, verifying. */
const char *sigkey_ssl_reason(char *buf, size_t n);

/* PKCS#11 through the OpenSSL 3 "pkcs11" engine (libengine-pkcs11-openssl;
 * Debian 12 has no pkcs11 provider).  Kept in sigkey_p11.c, the only file
 * that uses the deprecated ENGINE API.  Sets k->pkey, k->engine and, when
 * the token holds it and k->cert is NULL, k->cert. */
int sigkey_p11_load(struct sigkey *k, const char *uri, const char *module, const char *pin, struct errbuf *err);
void sigkey_p11_release(struct sigkey *k);

#endif
