/*
 * sign.c - the sign stage: the organisation's digital signature on every
 * finished document PDF/A (REGULATIONS.md §4; PAdES B-B, or B-T with a
 * time-stamp authority configured).
 *
 * The worker loads the key once in init() (a PEM or PKCS#12 file, or a
 * PKCS#11 token): only the sign worker ever reads it, and a key or PIN file
 * that group or others can read stops the worker at start.  run() signs the
 * document's PDF into derived/docs/<id>/<name>.pdf as an incremental update
 * (the unsigned PDF stays as it is), checks the new file with sigverify
 * against sign.trust when that is set, and records signed_path and a
 * "digital signature" event.
 *
 * Invariants: the signed file appears only complete (pades_sign writes a
 * temporary file and renames it); run() is harmless to repeat: it signs the
 * unsigned PDF again, with the new time.
 *
 * Error policy: an input that cannot be signed is quarantined (STAGE_BAD);
 * key, token, time-stamp and disk failures are retried (STAGE_RETRY); a
 * signature that fails its own check against the trust store is held for
 * the operator (STAGE_HOLD): the configuration is wrong, not the document.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "engine/config.h"
#include "formats/pdf/pades.h"
#include "engine/fsio.h"
#include "engine/privsep.h"
#include "formats/pdf/sigkey.h"
#include "formats/pdf/sigverify.h"
#include "engine/stage.h"
#include "formats/pdf/ttf.h"

struct sign_state {
	struct sigkey *key;
	struct ttf *font;
	char *subject;
};

static const struct conf_key sign_keys[] = {
	{"sign.key", CONF_STR, "", 0, 0, "the organisation's signing key: a PEM or PKCS#12 (.p12) file of mode 600, or a PKCS#11 URI (pkcs11:token=...;object=...)"},
	{"sign.cert", CONF_STR, "", 0, 0, "the organisation's certificate (PEM); may be empty for a PKCS#12 file or a token that holds it"},
	{"sign.chain", CONF_STR, "", 0, 0, "intermediate CA certificates to embed (PEM), may be empty"},
	{"sign.pin_file", CONF_STR, "", 0, 0, "file (mode 600) whose first line is the key's passphrase or the token's PIN; empty for none"},
	{"sign.pkcs11_module", CONF_STR, "", 0, 0, "PKCS#11 module for a pkcs11: key, e.g. /usr/lib/softhsm/libsofthsm2.so; empty: p11-kit's proxy"},
	{"sign.org_name", CONF_STR, "", 0, 0, "the organisation's name, shown in the visible signature"},
	{"sign.copy_type", CONF_STR, "", 0, 0, "copy type shown above the name (ND30 'SAO Y'); empty for none"},
	{"sign.tsa_url", CONF_STR, "", 0, 0, "RFC 3161 time-stamp authority URL; empty: no time-stamp"},
	{"sign.tsa_timeout", CONF_INT, "30", 1, 600, "seconds to wait for the time-stamp authority"},
	{"sign.trust", CONF_STR, "", 0, 0, "CA certificates (PEM) to check each new signature against; empty: no check"},
	{"sign.font", CONF_STR, PADES_FONT, 0, 0, "TrueType font of the visible signature (Times metrics)"},
	{0},
};

static int sign_init(struct stage_ctx *ctx, struct errbuf *err)
{
	struct sign_state *st;
	struct sigkey_spec spec = {
		.key = stage_conf(ctx, "key"),
		.cert = stage_conf(ctx, "cert"),
		.chain = stage_conf(ctx, "chain"),
		.pin_file = stage_conf(ctx, "pin_file"),
		.p11_module = stage_conf(ctx, "pkcs11_module"),
	};
	BIO *b;
	char *data;
	long n;

	/* Before any key byte is in memory: no core file, no ptrace. */
	if (privsep_protect(err) < 0)
		return -1;
	if (!*stage_conf(ctx, "org_name"))
		return err_set(err, "sign.org_name is not set");
	if (!*spec.key)
		return err_set(err, "sign.key is not set");
	/* sigkey_load checks the modes on the open files; this says it first
	 * and plainly, before any token or passphrase is touched */
	if (!sigkey_is_uri(spec.key) && sigkey_check_mode(spec.key, "signing key", err) < 0)
		return -1;
	if (*spec.pin_file && sigkey_check_mode(spec.pin_file, "PIN file", err) < 0)
		return -1;
	st = xcalloc(1, sizeof *st);
	st->font = ttf_load(stage_conf(ctx, "font"), err);
	if (!st->font)
		goto fail;
	st->key = sigkey_load(&spec, err);
	if (!st->key)
		goto fail;
	b = BIO_new(BIO_s_mem());
	if (b) {
		X509_NAME_print_ex(b, X509_get_subject_name(st->key->cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
		n = BIO_get_mem_data(b, &data);
		st->subject = xstrndup(data, n > 0 ? (size_t)n : 0);
		BIO_free(b);
	}
	ctx->priv = st;
	return 0;
fail:
	ttf_free(st->font);
	free(st);
	return -1;
}

static enum stage_rc sign_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct sign_state *st = ctx->priv;
	struct pades_opts o = {
		.org_name = stage_conf(ctx, "org_name"),
		.prefix = stage_conf(ctx, "copy_type"),
		.time_ms = now_ms(),
		.tsa_url = stage_conf(ctx, "tsa_url"),
		.tsa_timeout = stage_conf_long(ctx, "tsa_timeout"),
		.font = st->font,
	};
	const char *trust = stage_conf(ctx, "trust");
	char *leaf, *out = NULL, *detail = NULL, when[48];
	enum stage_rc rc = STAGE_RETRY;
	int r;

	if (!ctx->doc->pdf_path || !*ctx->doc->pdf_path) {
		err_set(err, "document '%s' has no PDF yet", ctx->doc->name);
		return STAGE_BAD;
	}
	leaf = xasprintf("%s.pdf", ctx->doc->name);
	out = stage_doc_path(ctx, leaf);
	free(leaf);
	if (strcmp(out, ctx->doc->pdf_path) == 0) {
		/* never sign over the unsigned file */
		free(out);
		leaf = xasprintf("%s.signed.pdf", ctx->doc->name);
		out = stage_doc_path(ctx, leaf);
		free(leaf);
	}
	r = pades_sign(ctx->doc->pdf_path, out, st->key, &o, err);
	if (r < 0) {
		rc = r == PADES_EINPUT ? STAGE_BAD : STAGE_RETRY;
		goto out;
	}
	if (*trust) {
		struct sigverify_result res;
		int v = sigverify_file(out, trust, &res, err);
		sigverify_result_release(&res);
		if (v < 0) {
			err_prefix(err, "own check against '%s'", trust);
			rc = STAGE_HOLD;
			goto out;
		}
	}
	time_iso_vn(o.time_ms, false, when, sizeof when);
	detail = xasprintf("PAdES %s signature by '%s' at %s%s%s", *o.tsa_url ? "B-T" : "B-B", st->subject ? st->subject : "?", when, *o.tsa_url ? ", time-stamped by " : "", *o.tsa_url ? o.tsa_url : "");
	{
		/* The digest fixity audits compare with (engine/fixity.c). */
		char sha[65];
		if (fsio_sha256_file(out, sha, 0, NULL, err) < 0) {
			rc = STAGE_RETRY;
			goto out;
		}
		stage_set_text(ctx, "signed_sha256", sha);
	}
	stage_set_text(ctx, "signed_path", out);
	stage_event(ctx, "digital signature", "success", detail);
	rc = STAGE_OK;
out:
	free(detail);
	free(out);
	return rc;
}

static void sign_fini(struct stage_ctx *ctx)
{
	struct sign_state *st = ctx->priv;
	if (!st)
		return;
	sigkey_free(st->key);
	ttf_free(st->font);
	free(st->subject);
	free(st);
	ctx->priv = NULL;
}

const struct stage stage_sign = {
	.name = "sign",
	.unit = STAGE_DOC,
	.summary = "the organisation's PAdES signature on each document PDF/A (visible, top right of page 1)",
	.keys = sign_keys,
	.init = sign_init,
	.run = sign_run,
	.fini = sign_fini,
};
