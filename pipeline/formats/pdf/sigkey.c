/*
 * sigkey.c - load the organisation's signing key and certificates (see
 * sigkey.h).
 *
 * Invariants: a key file and a PIN file are opened first and their mode is
 * checked on the open descriptor (fstat), so the file checked is the file
 * read; a passphrase is never prompted for on a terminal (the PEM callback
 * answers from the PIN file or fails) and is wiped after use.  A loaded
 * sigkey always has a key, a certificate that matches it and a chain stack.
 *
 * Error policy: every failure is reported through errbuf with the file named
 * ("cannot read signing key 'org.key': bad decrypt") and sigkey_load()
 * returns NULL, having freed what it had loaded.
 */
#include "formats/pdf/sigkey.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>

#include "engine/fsio.h"

const char *sigkey_ssl_reason(char *buf, size_t n)
{
	unsigned long e = ERR_peek_last_error();
	const char *r = e ? ERR_reason_error_string(e) : NULL;
	snprintf(buf, n, "%s", r ? r : "unknown error");
	ERR_clear_error();
	return buf;
}

bool sigkey_is_uri(const char *key)
{
	return key && strncmp(key, "pkcs11:", 7) == 0;
}

static int check_fd_mode(int fd, const char *path, const char *what, struct errbuf *err)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(err, "cannot stat %s '%s': %s", what, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return err_set(err, "%s '%s' is not a regular file", what, path);
	/* Group read is allowed for a key group of its own (root:KEYGROUP
	 * 0440), which only the signer holds (engine/privsep.c); never the
	 * process's own group, which every worker has. */
	if ((st.st_mode & S_IRGRP) && !(st.st_mode & (S_IROTH | S_IWGRP | S_IWOTH)) && st.st_gid != getegid() &&
	    st.st_gid != getgid())
		return 0;
	if (st.st_mode & (S_IRGRP | S_IROTH | S_IWGRP | S_IWOTH))
		return err_set(err, "%s '%s' is readable or writable by group or others (mode %04o); run chmod 600 on it, or 0440 with a group of its own that only the signer holds", what, path, (unsigned)(st.st_mode & 07777));
	return 0;
}

int sigkey_check_mode(const char *path, const char *what, struct errbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	if (fd < 0)
		return err_set(err, "cannot open %s '%s': %s", what, path, strerror(errno));
	rc = check_fd_mode(fd, path, what, err);
	close(fd);
	return rc;
}

/* Open a secret file after checking its mode; NULL with err set. */
static FILE *open_secret(const char *path, const char *what, struct errbuf *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	FILE *f;
	if (fd < 0) {
		err_set(err, "cannot open %s '%s': %s", what, path, strerror(errno));
		return NULL;
	}
	if (check_fd_mode(fd, path, what, err) < 0) {
		close(fd);
		return NULL;
	}
	f = fdopen(fd, "rb");
	if (!f) {
		err_set(err, "cannot open %s '%s': %s", what, path, strerror(errno));
		close(fd);
	}
	return f;
}

/* The first line of the PIN file into pin (without its line end). */
static int read_pin(const char *path, char *pin, size_t n, struct errbuf *err)
{
	FILE *f = open_secret(path, "PIN file", err);
	size_t l;
	if (!f)
		return -1;
	if (!fgets(pin, (int)n, f)) {
		fclose(f);
		return err_set(err, "cannot read PIN file '%s': empty", path);
	}
	fclose(f);
	l = strcspn(pin, "\r\n");
	pin[l] = '\0';
	return 0;
}

static int pem_pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *pin = u;
	size_t l;
	if (!pin)
		return -1; /* never prompt */
	l = strlen(pin);
	if (l > (size_t)size)
		return -1;
	memcpy(buf, pin, l);
	return (int)l;
}

static int load_pem_key(struct sigkey *k, const char *path, const char *pin, struct errbuf *err)
{
	char why[256];
	FILE *f = open_secret(path, "signing key", err);
	if (!f)
		return -1;
	k->pkey = PEM_read_PrivateKey(f, NULL, pem_pass_cb, (void *)(pin && *pin ? pin : NULL));
	fclose(f);
	if (!k->pkey)
		return err_set(err, "cannot read signing key '%s': %s", path, sigkey_ssl_reason(why, sizeof why));
	return 0;
}

static int load_p12(struct sigkey *k, const char *path, const char *pin, struct errbuf *err)
{
	char why[256];
	FILE *f = open_secret(path, "signing key", err);
	PKCS12 *p12;
	STACK_OF(X509) *ca = NULL;
	X509 *cert = NULL;
	int rc = -1;
	if (!f)
		return -1;
	p12 = d2i_PKCS12_fp(f, NULL);
	fclose(f);
	if (!p12)
		return err_set(err, "cannot read signing key '%s': %s", path, sigkey_ssl_reason(why, sizeof why));
	if (!PKCS12_parse(p12, pin ? pin : "", &k->pkey, &cert, &ca)) {
		err_set(err, "cannot read signing key '%s': %s", path, sigkey_ssl_reason(why, sizeof why));
		goto out;
	}
	if (!k->cert) {
		k->cert = cert;
		cert = NULL;
	}
	while (ca && sk_X509_num(ca) > 0)
		sk_X509_push(k->chain, sk_X509_shift(ca));
	rc = 0;
out:
	X509_free(cert);
	sk_X509_pop_free(ca, X509_free);
	PKCS12_free(p12);
	return rc;
}

static int load_certs(struct sigkey *k, const char *path, bool first_is_cert, struct errbuf *err)
{
	char why[256];
	FILE *f = fopen(path, "rb");
	X509 *x;
	int n = 0;
	if (!f)
		return err_set(err, "cannot open certificate file '%s': %s", path, strerror(errno));
	while ((x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		if (first_is_cert && n == 0)
			k->cert = x;
		else
			sk_X509_push(k->chain, x);
		n++;
	}
	fclose(f);
	/* the loop ends with a "no start line" error: expected */
	ERR_clear_error();
	if (n == 0)
		return err_set(err, "cannot read certificate file '%s': %s", path, sigkey_ssl_reason(why, sizeof why));
	return 0;
}

struct sigkey *sigkey_load(const struct sigkey_spec *spec, struct errbuf *err)
{
	struct sigkey *k = xcalloc(1, sizeof *k);
	char pin[256] = "";
	bool have_pin = spec->pin_file && *spec->pin_file;

	k->chain = sk_X509_new_null();
	if (!k->chain) {
		fprintf(stderr, "sohoa: fatal: out of memory\n");
		exit(71);
	}
	if (!spec->key || !*spec->key) {
		err_set(err, "no signing key configured");
		goto fail;
	}
	if (have_pin && read_pin(spec->pin_file, pin, sizeof pin, err) < 0)
		goto fail;
	if (spec->cert && *spec->cert && load_certs(k, spec->cert, true, err) < 0)
		goto fail;
	if (spec->chain && *spec->chain && load_certs(k, spec->chain, false, err) < 0)
		goto fail;
	if (sigkey_is_uri(spec->key)) {
		if (sigkey_p11_load(k, spec->key, spec->p11_module, have_pin ? pin : NULL, err) < 0)
			goto fail;
	} else if (str_ends(spec->key, ".p12") || str_ends(spec->key, ".pfx")) {
		if (load_p12(k, spec->key, have_pin ? pin : NULL, err) < 0)
			goto fail;
	} else if (load_pem_key(k, spec->key, have_pin ? pin : NULL, err) < 0) {
		goto fail;
	}
	if (!k->cert) {
		err_set(err, "no certificate for signing key '%s': set sign.cert", spec->key);
		goto fail;
	}
	if (X509_check_private_key(k->cert, k->pkey) != 1) {
		ERR_clear_error();
		err_set(err, "certificate '%s' does not match signing key '%s'", spec->cert && *spec->cert ? spec->cert : spec->key, spec->key);
		goto fail;
	}
	OPENSSL_cleanse(pin, sizeof pin);
	return k;
fail:
	OPENSSL_cleanse(pin, sizeof pin);
	sigkey_free(k);
	return NULL;
}

void sigkey_free(struct sigkey *k)
{
	if (!k)
		return;
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	X509_free(k->cert);
	sk_X509_pop_free(k->chain, X509_free);
	if (k->engine)
		sigkey_p11_release(k);
	free(k);
}
