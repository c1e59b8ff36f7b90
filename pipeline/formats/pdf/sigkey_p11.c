/*
 * sigkey_p11.c - a signing key on a PKCS#11 token, through OpenSSL's
 * "pkcs11" engine (libp11, Debian package libengine-pkcs11-openssl).
 *
 * Debian 12 ships no PKCS#11 provider for OpenSSL 3, so this file uses the
 * ENGINE API, deprecated in OpenSSL 3; it is the only file that does, and
 * it silences the deprecation warnings for itself alone.  When a provider
 * becomes available this file is the one to replace.
 *
 * Invariants: the engine stays initialised while its key is in use; the key
 * is freed before the engine is finished (sigkey_free() keeps that order).
 * Error policy: errbuf, with the URI named; the PIN never appears.
 */
#define OPENSSL_SUPPRESS_DEPRECATED
#include "formats/pdf/sigkey.h"

#include <stdio.h>
#include <string.h>

#include <openssl/engine.h>
#include <openssl/err.h>

int sigkey_p11_load(struct sigkey *k, const char *uri, const char *module, const char *pin, struct errbuf *err)
{
	char why[256];
	ENGINE *e = ENGINE_by_id("pkcs11");
	if (!e)
		return err_set(err, "cannot load the OpenSSL pkcs11 engine for '%s': %s (install libengine-pkcs11-openssl)", uri, sigkey_ssl_reason(why, sizeof why));
	if (module && *module && !ENGINE_ctrl_cmd_string(e, "MODULE_PATH", module, 0)) {
		ENGINE_free(e);
		return err_set(err, "pkcs11 engine: cannot use module '%s': %s", module, sigkey_ssl_reason(why, sizeof why));
	}
	if (!ENGINE_init(e)) {
		ENGINE_free(e);
		return err_set(err, "pkcs11 engine: cannot initialise for '%s': %s", uri, sigkey_ssl_reason(why, sizeof why));
	}
	if (pin && !ENGINE_ctrl_cmd_string(e, "PIN", pin, 0)) {
		ENGINE_finish(e);
		ENGINE_free(e);
		return err_set(err, "pkcs11 engine: cannot set the PIN for '%s': %s", uri, sigkey_ssl_reason(why, sizeof why));
	}
	k->engine = e;
	k->pkey = ENGINE_load_private_key(e, uri, NULL, NULL);
	if (!k->pkey)
		return err_set(err, "cannot load signing key '%s' from the token: %s", uri, sigkey_ssl_reason(why, sizeof why));
	if (!k->cert) {
		struct { const char *id; X509 *cert; } parms = { uri, NULL };
		if (ENGINE_ctrl_cmd(e, "LOAD_CERT_CTRL", 0, &parms, NULL, 0) && parms.cert)
			k->cert = parms.cert;
		ERR_clear_error();
	}
	return 0;
}

void sigkey_p11_release(struct sigkey *k)
{
	ENGINE *e = k->engine;
	if (!e)
		return;
	ENGINE_finish(e);
	ENGINE_free(e);
	k->engine = NULL;
}
