/*
 * test_pades.c - the organisation's signature: pades.c, sigkey.c and
 * sigverify.c, and the third-party checks of tests/tools/sigcheck.sh.
 *
 * Everything is made in a temporary folder: a throw-away CA, the
 * organisation's certificate and key, a TSA certificate (openssl command)
 * and a small PDF with an earlier annotation; no private key is committed.
 * Checks that need a tool the machine lacks (pdfsig, qpdf, python3,
 * softhsm2) say "skip" and pass.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/cms.h>

#include "engine/fsio.h"
#include "formats/pdf/pades.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/pdfread.h"
#include "formats/pdf/sigkey.h"
#include "formats/pdf/sigverify.h"
#include "unit.h"

static char dir[256];
static char tools[512];
static const char *org = "Chi cục Văn thư – Lưu trữ tỉnh Thử Nghiệm";

static char *at(const char *leaf)
{
	return xasprintf("%s/%s", dir, leaf);
}

/* Run a shell command (printf-style) in the test folder; its exit status. */
static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	va_list ap;
	struct strbuf sb;
	int rc;
	sb_init(&sb, 0);
	sb_addf(&sb, "cd '%s' && ( ", dir);
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	sb_adds(&sb, " )");
	rc = system(sb.buf);
	sb_release(&sb);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static bool have(const char *tool)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", tool);
	int rc = system(cmd);
	free(cmd);
	return rc == 0;
}

/* A one-page PDF with a classic xref and an indirect /Annots array. */
static void make_pdf(const char *path)
{
	static const char *const obj[] = {
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 595.28 841.89] >>",
		"<< /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << >> /Annots 5 0 R >>",
		"<< /Length 35 >>\nstream\n0 0 1 rg 100 600 200 100 re f % box\nendstream",
		"[6 0 R]",
		"<< /Type /Annot /Subtype /Link /F 4 /Rect [100 600 300 700] /Border [0 0 0] /A << /S /URI /URI (https://example.org/) >> >>",
	};
	struct strbuf sb;
	size_t off[6], i, xref;
	struct errbuf err;
	sb_init(&sb, 0);
	sb_adds(&sb, "%PDF-1.7\n%\xe2\xe3\xcf\xd3\n");
	for (i = 0; i < 6; i++) {
		off[i] = sb.len;
		sb_addf(&sb, "%zu 0 obj\n%s\nendobj\n", i + 1, obj[i]);
	}
	xref = sb.len;
	sb_adds(&sb, "xref\n0 7\n0000000000 65535 f\r\n");
	for (i = 0; i < 6; i++)
		sb_addf(&sb, "%010zu 00000 n\r\n", off[i]);
	sb_addf(&sb, "trailer\n<< /Size 7 /Root 1 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>] >>\nstartxref\n%zu\n%%%%EOF\n", xref);
	err_init(&err);
	if (fsio_write_atomic(path, sb.buf, sb.len, &err) < 0)
		fprintf(stderr, "%s\n", err.msg);
	sb_release(&sb);
}

static int make_keys(void)
{
	FILE *f;
	char *p = at("ext.cnf");
	f = fopen(p, "w");
	free(p);
	if (!f)
		return -1;
	fputs("[org]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n"
	      "[tsa]\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=critical,timeStamping\n", f);
	fclose(f);
	return sh("exec >/dev/null 2>&1; umask 077; "
		  "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj '/CN=sohoa test CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign && "
		  "openssl req -x509 -newkey rsa:2048 -nodes -keyout other.key -out other.pem -days 30 -subj '/CN=another CA' -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign && "
		  "openssl req -new -newkey rsa:2048 -nodes -keyout org.key -out org.csr -utf8 -subj '/O=Chi cục Văn thư/CN=Chi cục Văn thư – Lưu trữ tỉnh Thử Nghiệm' && "
		  "openssl x509 -req -in org.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out org.pem -days 30 -extfile ext.cnf -extensions org && "
		  "openssl req -new -newkey rsa:2048 -nodes -keyout tsa.key -out tsa.csr -subj '/CN=sohoa test TSA' && "
		  "openssl x509 -req -in tsa.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out tsa.pem -days 30 -extfile ext.cnf -extensions tsa && "
		  "printf 'mật khẩu\\n' > pass && "
		  "openssl pkcs12 -export -inkey org.key -in org.pem -certfile ca.pem -passout file:pass -out org.p12 && "
		  "chmod 644 ca.pem org.pem tsa.pem other.pem");
}

static struct sigkey *load(const char *key, const char *cert, const char *pin, const char *module, struct errbuf *err)
{
	struct sigkey_spec spec = { .key = key, .cert = cert, .chain = "", .pin_file = pin, .p11_module = module };
	return sigkey_load(&spec, err);
}

/* Sign in -> out with key; 0 or the pades_sign result (message on stderr). */
static int sign(const char *in, const char *out, const struct sigkey *k, const char *tsa, int64_t when)
{
	struct errbuf err;
	struct pades_opts o = { .org_name = org, .time_ms = when, .tsa_url = tsa };
	int rc;
	err_init(&err);
	rc = pades_sign(in, out, k, &o, &err);
	if (rc < 0)
		fprintf(stderr, "pades_sign: %s\n", err.msg);
	return rc;
}

/* Verify; the error message (static) or NULL when everything passed. */
static const char *verify(const char *path, const char *ca, struct sigverify_result *res)
{
	static struct errbuf err;
	err_init(&err);
	if (sigverify_file(path, ca, res, &err) == 0)
		return NULL;
	return err.msg;
}

/* The CMS of the newest signature of path (NULL when none). */
static CMS_ContentInfo *last_cms(const char *path)
{
	struct errbuf err;
	struct pdfread *p;
	const char *data;
	size_t len, i, a = 0, b = 0;
	unsigned char *der;
	const unsigned char *dp;
	CMS_ContentInfo *cms = NULL;
	err_init(&err);
	p = pdfread_open(path, 1u << 30, &err);
	if (!p)
		return NULL;
	data = pdfread_data(p, &len);
	for (i = 0; i + 11 < len; i++)
		if (memcmp(data + i, "/ByteRange [", 12) == 0)
			sscanf(data + i + 12, "0 %zu %zu", &a, &b);
	if (b > a + 2) {
		der = xmalloc((b - a) / 2);
		for (i = 0; i < (b - a - 2) / 2; i++)
			sscanf(data + a + 1 + 2 * i, "%2hhx", &der[i]);
		dp = der;
		cms = d2i_CMS_ContentInfo(NULL, &dp, (long)((b - a - 2) / 2));
		free(der);
	}
	pdfread_free(p);
	return cms;
}

static void test_date(void)
{
	char d[40], iso[48];
	pdfa_date(1751353402000LL, d, sizeof d);
	CHECK_STR(d, "D:20250701140322+07'00'");
	time_iso_vn(1751353402000LL, false, iso, sizeof iso);
	CHECK_STR(iso, "2025-07-01T14:03:22+07:00");
}

static void test_pem(const char *in, const char *ca, const char *other)
{
	struct errbuf err;
	struct sigverify_result res;
	struct sigkey *k;
	char *key = at("org.key"), *cert = at("org.pem"), *out = at("signed.pdf"), *twice = at("twice.pdf");
	char *bad = at("bad.pdf"), *cmd;
	const char *msg;
	CMS_ContentInfo *cms;

	err_init(&err);
	k = load(key, cert, "", "", &err);
	CHECK(k != NULL);
	if (!k) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	CHECK(sign(in, out, k, NULL, 1751353402000LL) == 0);
	msg = verify(out, ca, &res);
	CHECK(msg == NULL);
	if (msg)
		fprintf(stderr, "%s\n", msg);
	CHECK(res.nsig == 1);
	if (res.nsig == 1) {
		CHECK(res.sig[0].ok);
		CHECK(res.sig[0].whole_file);
		CHECK_STR(res.sig[0].claimed_time, "2025-07-01T14:03:22+07:00");
		CHECK_STR(res.sig[0].subfilter, "ETSI.CAdES.detached");
		CHECK(res.sig[0].subject && strstr(res.sig[0].subject, "Thử Nghiệm"));
		CHECK(res.sig[0].tst_time == NULL);
	}
	sigverify_result_release(&res);

	/* PAdES B-B: signing-certificate-v2, no signing-time in the CMS */
	cms = last_cms(out);
	CHECK(cms != NULL);
	if (cms) {
		CMS_SignerInfo *si = sk_CMS_SignerInfo_value(CMS_get0_SignerInfos(cms), 0);
		CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_signingTime, -1) < 0);
		CHECK(CMS_signed_get_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2, -1) >= 0);
		CHECK(CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1) >= 0);
		CHECK(CMS_get0_content(cms) == NULL || *CMS_get0_content(cms) == NULL); /* detached */
		CMS_ContentInfo_free(cms);
	}

	/* the visible text: name and time, through the ToUnicode map */
	if (have("pdftotext")) {
		CHECK(sh("pdftotext signed.pdf - | tr '\\n' ' ' | grep -q 'Thử Nghiệm' && pdftotext signed.pdf - | grep -q '^2025-07-01T14:03:22+07:00$'") == 0);
	} else {
		printf("skip: pdftotext missing\n");
	}

	/* third-party verifiers */
	if (have("pdfsig") && have("qpdf") && have("python3")) {
		cmd = xasprintf("sh '%s/sigcheck.sh' signed.pdf ca.pem > sigcheck.out 2>&1 || { cat sigcheck.out >&2; exit 1; }", tools);
		CHECK(sh("%s", cmd) == 0);
		free(cmd);
	} else {
		printf("skip: pdfsig, qpdf or python3 missing: no third-party check\n");
	}

	/* another trust store: the chain fails */
	msg = verify(out, other, &res);
	CHECK(msg && strstr(msg, "signature 1: certificate chain"));
	sigverify_result_release(&res);

	/* a second signature over the first: both verify */
	CHECK(sign(out, twice, k, NULL, 0) == 0);
	msg = verify(twice, ca, &res);
	CHECK(msg == NULL);
	CHECK(res.nsig == 2 && res.sig[0].ok && res.sig[1].ok && !res.sig[0].whole_file && res.sig[1].whole_file);
	sigverify_result_release(&res);

	/* tamper: one byte inside the range; bytes after the signature */
	CHECK(sh("cp signed.pdf bad.pdf && printf 'X' | dd of=bad.pdf bs=1 seek=300 conv=notrunc 2>/dev/null") == 0);
	msg = verify(bad, ca, &res);
	cmd = xasprintf("'%s': signature 1: message digest mismatch", bad);
	CHECK_STR(msg, cmd);
	free(cmd);
	sigverify_result_release(&res);
	CHECK(sh("cp signed.pdf bad.pdf && printf '%%%%x\\n' >> bad.pdf") == 0);
	msg = verify(bad, ca, &res);
	CHECK(msg && strstr(msg, "changed after the last signature"));
	sigverify_result_release(&res);
	/* the unsigned input: no signature */
	msg = verify(in, ca, &res);
	CHECK(msg && strstr(msg, "no signature"));
	sigverify_result_release(&res);
out:
	sigkey_free(k);
	free(key);
	free(cert);
	free(out);
	free(twice);
	free(bad);
}

static void test_keys(const char *in, const char *ca)
{
	struct errbuf err;
	struct sigkey *k;
	struct sigverify_result res;
	char *key = at("org.key"), *cert = at("org.pem"), *p12 = at("org.p12"), *pass = at("pass"), *out = at("p12.pdf");
	char *xs = at("xs.pdf"), *tsa = at("tsa.pem");

	/* a key others can read is refused, naming the file and its mode */
	chmod(key, 0640);
	err_init(&err);
	k = load(key, cert, "", "", &err);
	CHECK(k == NULL);
	CHECK(strstr(err.msg, "org.key") && strstr(err.msg, "mode 0640"));
	CHECK(sigkey_check_mode(key, "signing key", &err) < 0);
	chmod(key, 0600);
	err_init(&err);
	CHECK(sigkey_check_mode(key, "signing key", &err) == 0);

	/* the wrong certificate */
	err_init(&err);
	k = load(key, tsa, "", "", &err);
	CHECK(k == NULL && strstr(err.msg, "does not match"));

	/* PKCS#12 with its passphrase in a PIN file; the certificate from the file */
	err_init(&err);
	k = load(p12, "", "", "", &err);
	CHECK(k == NULL); /* no passphrase */
	err_init(&err);
	k = load(p12, "", pass, "", &err);
	CHECK(k != NULL);
	if (k) {
		CHECK(sign(in, out, k, NULL, 0) == 0);
		CHECK(verify(out, ca, &res) == NULL);
		sigverify_result_release(&res);
		/* a cross-reference stream is refused as bad input */
		if (have("qpdf")) {
			struct pades_opts o = { .org_name = org };
			CHECK(sh("qpdf --object-streams=generate in.pdf xs.pdf") == 0);
			err_init(&err);
			CHECK(pades_sign(xs, out, k, &o, &err) == PADES_EINPUT);
			CHECK(strstr(err.msg, "cross-reference stream") != NULL);
		}
		sigkey_free(k);
	}
	free(key);
	free(cert);
	free(p12);
	free(pass);
	free(out);
	free(xs);
	free(tsa);
}

/* Start tests/tools/tsa-server.py; its pid and port, or -1. */
static pid_t tsa_start(const char *extra, int *port)
{
	int fds[2];
	pid_t pid;
	FILE *f;
	char line[64];
	if (pipe(fds) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		char *script = xasprintf("%s/tsa-server.py", tools);
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		if (extra)
			execlp("python3", "python3", script, dir, "--lifetime", "60", "--status", extra, (char *)NULL);
		else
			execlp("python3", "python3", script, dir, "--lifetime", "60", (char *)NULL);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	*port = 0;
	if (f && fgets(line, sizeof line, f))
		sscanf(line, "port %d", port);
	if (f)
		fclose(f);
	if (*port <= 0) {
		kill(pid, SIGTERM);
		waitpid(pid, NULL, 0);
		return -1;
	}
	return pid;
}

static void tsa_stop(pid_t pid)
{
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}

static void test_tsa(const char *in, const char *ca)
{
	struct errbuf err;
	struct sigverify_result res;
	struct sigkey *k;
	char *key = at("org.key"), *cert = at("org.pem"), *out = at("ts.pdf"), *url;
	struct pades_opts o = { .org_name = org };
	int port;
	pid_t pid;
	const char *msg;

	if (!have("python3")) {
		printf("skip: python3 missing: no time-stamp test\n");
		goto out0;
	}
	err_init(&err);
	k = load(key, cert, "", "", &err);
	CHECK(k != NULL);
	if (!k)
		goto out0;
	pid = tsa_start(NULL, &port);
	CHECK(pid > 0);
	if (pid > 0) {
		url = xasprintf("http://127.0.0.1:%d/", port);
		CHECK(sign(in, out, k, url, 0) == 0);
		tsa_stop(pid);
		free(url);
		msg = verify(out, ca, &res);
		CHECK(msg == NULL);
		if (msg)
			fprintf(stderr, "%s\n", msg);
		CHECK(res.nsig == 1 && res.sig[0].tst_time && str_ends(res.sig[0].tst_time, "+07:00"));
		sigverify_result_release(&res);
		if (have("pdfsig")) {
			char *cmd = xasprintf("sh '%s/sigcheck.sh' ts.pdf ca.pem > sigcheck-ts.out 2>&1 || { cat sigcheck-ts.out >&2; exit 1; }", tools);
			CHECK(sh("%s", cmd) == 0);
			free(cmd);
		}
	}
	/* a TSA that fails: the signing fails, saying why, and leaves no file */
	pid = tsa_start("500", &port);
	CHECK(pid > 0);
	if (pid > 0) {
		url = xasprintf("http://127.0.0.1:%d/", port);
		o.tsa_url = url;
		unlink(out);
		err_init(&err);
		CHECK(pades_sign(in, out, k, &o, &err) == -1);
		CHECK(strstr(err.msg, "HTTP 500") != NULL);
		CHECK(access(out, F_OK) < 0);
		tsa_stop(pid);
		free(url);
	}
	/* nobody listening */
	o.tsa_url = "http://127.0.0.1:1/";
	err_init(&err);
	CHECK(pades_sign(in, out, k, &o, &err) == -1 && strstr(err.msg, "time-stamp from 'http://127.0.0.1:1/'"));
	sigkey_free(k);
out0:
	free(key);
	free(cert);
	free(out);
}

static void test_softhsm(const char *in, const char *ca)
{
	static const char *module = "/usr/lib/softhsm/libsofthsm2.so";
	struct errbuf err;
	struct sigverify_result res;
	struct sigkey *k;
	char *conf = at("softhsm2.conf"), *cert = at("org.pem"), *pin = at("pin"), *out = at("p11.pdf");
	FILE *f;

	if (!have("softhsm2-util") || access(module, R_OK) < 0) {
		printf("skip: softhsm2 missing: no PKCS#11 test\n");
		goto out;
	}
	f = fopen(conf, "w");
	if (!f)
		goto out;
	fprintf(f, "directories.tokendir = %s/tokens\nobjectstore.backend = file\nlog.level = ERROR\n", dir);
	fclose(f);
	setenv("SOFTHSM2_CONF", conf, 1);
	CHECK(sh("exec >/dev/null 2>&1; umask 077; mkdir tokens && softhsm2-util --init-token --free --label sohoa-test --pin 1234 --so-pin 5678 && "
		 "openssl pkcs8 -topk8 -nocrypt -in org.key -out org.p8 && softhsm2-util --import org.p8 --token sohoa-test --label sign --id 01 --pin 1234 && "
		 "rm org.p8 && printf '1234\\n' > pin") == 0);
	/* a wrong PIN first: the engine keeps its login for the process */
	CHECK(sh("printf '9999\\n' > pin") == 0);
	err_init(&err);
	k = load("pkcs11:token=sohoa-test;object=sign;type=private", cert, pin, module, &err);
	CHECK(k == NULL);
	sigkey_free(k);
	CHECK(sh("printf '1234\\n' > pin") == 0);
	err_init(&err);
	k = load("pkcs11:token=sohoa-test;object=sign;type=private", cert, pin, module, &err);
	CHECK(k != NULL);
	if (!k) {
		fprintf(stderr, "%s\n", err.msg);
		goto out;
	}
	CHECK(sign(in, out, k, NULL, 0) == 0);
	CHECK(verify(out, ca, &res) == NULL);
	sigverify_result_release(&res);
	sigkey_free(k);
out:
	free(conf);
	free(cert);
	free(pin);
	free(out);
}

int main(void)
{
	char *in, *ca, *other, *src;
	int rc;

	/* the tools folder, next to this file's folder */
	src = xstrdup(__FILE__);
	*strrchr(src, '/') = '\0';
	snprintf(tools, sizeof tools, "%s/../tools", src);
	free(src);
	if (tools[0] != '/') {
		char cwd[256];
		char *rel = xstrdup(tools);
		if (getcwd(cwd, sizeof cwd))
			snprintf(tools, sizeof tools, "%s/%s", cwd, rel);
		free(rel);
	}
	snprintf(dir, sizeof dir, "%s/sohoa-pades.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_date();
	CHECK(make_keys() == 0);
	in = at("in.pdf");
	ca = at("ca.pem");
	other = at("other.pem");
	make_pdf(in);
	test_pem(in, ca, other);
	test_keys(in, ca);
	test_tsa(in, ca);
	test_softhsm(in, ca);
	rc = unit_done("test_pades");
	if (rc == 0)
		sh("cd / && rm -rf '%s'", dir);
	else
		fprintf(stderr, "test_pades: files kept in %s\n", dir);
	free(in);
	free(ca);
	free(other);
	return rc;
}
