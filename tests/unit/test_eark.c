/*
 * test_eark.c - E-ARK SIP build and verify: a package from a fake
 * description with small files; checksums; determinism; verify passes;
 * tampering (a byte changed in a data file and in a metadata file, a file
 * removed, a file added, two files swapped) is caught, in a zip and in an
 * unpacked folder; a failing signature callback is reported; the Mục lục
 * CSV and the Biên bản.  When the public schemas are found (SOHOA_SCHEMAS,
 * or a sibling "shared/schemas" of the repository or of a parent), both
 * METS files, PREMIS and EAD are validated offline with xmllint; otherwise
 * the test says it skipped that check.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>
#include <zip.h>

#include "formats/eark/eark.h"
#include "engine/fsio.h"
#include "unit.h"
#include "engine/util.h"

static char *tmp;

static void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len) {
		perror(path);
		exit(1);
	}
	fclose(f);
}

static char *read_zip_member(const char *zpath, const char *suffix, size_t *len)
{
	int e;
	zip_t *za = zip_open(zpath, ZIP_RDONLY, &e);
	char *out = NULL;
	if (!za)
		return NULL;
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
		const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
		zip_stat_t st;
		zip_file_t *zf;
		if (!nm || !str_ends(nm, suffix))
			continue;
		zip_stat_index(za, (zip_uint64_t)i, 0, &st);
		out = xmalloc(st.size + 1);
		zf = zip_fopen_index(za, (zip_uint64_t)i, 0);
		*len = (size_t)zip_fread(zf, out, st.size);
		out[*len] = '\0';
		zip_fclose(zf);
		break;
	}
	zip_discard(za);
	return out;
}

/* The full name of the first member ending in suffix (caller frees). */
static char *member_name(const char *zpath, const char *suffix)
{
	int e;
	zip_t *za = zip_open(zpath, ZIP_RDONLY, &e);
	char *out = NULL;
	for (zip_int64_t i = 0; za && i < zip_get_num_entries(za, 0) && !out; i++) {
		const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
		if (nm && str_ends(nm, suffix))
			out = xstrdup(nm);
	}
	if (za)
		zip_discard(za);
	return out;
}

static void copy_file(const char *from, const char *to)
{
	char *data;
	size_t len;
	struct errbuf err;
	err_init(&err);
	if (fsio_read(from, &data, &len, 1 << 28, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		exit(1);
	}
	write_file(to, data, len);
	free(data);
}

/* Tampering with a copy of the package. */
enum tamper { T_BYTE, T_REMOVE, T_ADD, T_SWAP };

static char *tampered(const char *zpath, enum tamper t, const char *a, const char *b)
{
	static int seq;
	char *out = xasprintf("%s/tampered-%d.zip", tmp, seq++);
	int e;
	zip_t *za;
	char *na = member_name(zpath, a), *nb = b ? member_name(zpath, b) : NULL;
	char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	copy_file(zpath, out);
	za = zip_open(out, 0, &e);
	if (t != T_ADD)
		da = read_zip_member(zpath, a, &la);
	if (b && t == T_SWAP)
		db = read_zip_member(zpath, b, &lb);
	switch (t) {
	case T_BYTE:
		da[la / 2] ^= 0x01;
		zip_file_replace(za, (zip_uint64_t)zip_name_locate(za, na, 0), zip_source_buffer(za, da, la, 0), 0);
		break;
	case T_REMOVE:
		zip_delete(za, (zip_uint64_t)zip_name_locate(za, na, 0));
		break;
	case T_ADD: {
		char *root = member_name(zpath, "/METS.xml"); /* shortest match is the root's */
		char *slash = strchr(root, '/');
		char *name = xasprintf("%.*s/%s", (int)(slash - root), root, a);
		zip_file_add(za, name, zip_source_buffer(za, "extra\n", 6, 0), 0);
		free(name);
		free(root);
		break;
	}
	case T_SWAP:
		zip_file_replace(za, (zip_uint64_t)zip_name_locate(za, na, 0), zip_source_buffer(za, db, lb, 0), 0);
		zip_file_replace(za, (zip_uint64_t)zip_name_locate(za, nb, 0), zip_source_buffer(za, da, la, 0), 0);
		break;
	}
	if (zip_close(za) < 0) {
		fprintf(stderr, "tamper: %s\n", zip_strerror(za));
		exit(1);
	}
	free(da);
	free(db);
	free(na);
	free(nb);
	return out;
}

/* Does some problem line start with `path` and contain `why`? */
static bool reported(const struct eark_report *rep, const char *path, const char *why)
{
	for (size_t i = 0; i < rep->n; i++)
		if (str_starts(rep->lines[i], path) && strstr(rep->lines[i], why))
			return true;
	return false;
}

static void dump(const struct eark_report *rep)
{
	for (size_t i = 0; i < rep->n; i++)
		fprintf(stderr, "  problem: %s\n", rep->lines[i]);
}

static int sig_ok(void *ctx, const char *path, char *why, size_t whysz)
{
	int *n = ctx;
	char *data;
	size_t len;
	struct errbuf err;
	(*n)++;
	err_init(&err);
	/* The fake "signature": the copy handed over must be the real bytes. */
	if (fsio_read(path, &data, &len, 1 << 20, &err) < 0 || len < 5 || memcmp(data, "%PDF-", 5) != 0) {
		snprintf(why, whysz, "not a PDF");
		if (err.set)
			return -1;
		free(data);
		return -1;
	}
	if (strstr(data, "BADSIG")) {
		free(data);
		snprintf(why, whysz, "message digest mismatch");
		return -1;
	}
	free(data);
	return 0;
}

static const struct eark_field file_fields[] = {
	{"fileCode", "000.00.00.G09.2010.01.TH"},
	{"title", "Hồ sơ về việc \"thử\" & <kiểm tra>, năm 2010"},
	{"maintenance", "01"},
	{"mode", "01"},
	{"language", "01"},
	{"startDate", "01/01/2010"},
	{"endDate", "31/12/2010"},
	{"totalDoc", "2"},
	{"numberOfPaper", "3"},
	{"numberOfPage", "4"},
	{"paperFileCode", "H49.01.0012"},
	{"confidenceLevel", "02"},
	{"riskRecovery", "0"},
};

static const struct eark_field doc1_fields[] = {
	{"docCode", "000.00.00.G09.2010.01.TH.0000001"},
	{"subject", "Quyết định về việc thành lập"},
	{"numberOfPage", "3"},
	{"issuedDate", "05/03/2010"},
	{"typeName", "02"},
};

static const struct eark_field doc2_fields[] = {
	{"docCode", "000.00.00.G09.2010.01.TH.0000002"},
	{"subject", "=Công văn 12"},
	{"numberOfPage", "1"},
};

static char *find_schemas(void)
{
	const char *env = getenv("SOHOA_SCHEMAS");
	char cwd[4096];
	if (env && *env)
		return access(env, R_OK) == 0 ? xstrdup(env) : NULL;
	if (!getcwd(cwd, sizeof(cwd)))
		return NULL;
	for (;;) {
		char *p = xasprintf("%s/shared/schemas/mets-csip-sip.xsd", cwd);
		char *slash;
		if (access(p, R_OK) == 0) {
			p[strlen(p) - strlen("/mets-csip-sip.xsd")] = '\0';
			return p;
		}
		free(p);
		slash = strrchr(cwd, '/');
		if (!slash || slash == cwd)
			return NULL;
		*slash = '\0';
	}
}

static int xmllint(const char *schemas, const char *xsd, const char *zpath, const char *suffix)
{
	size_t len;
	char *data = read_zip_member(zpath, suffix, &len);
	char *file = xasprintf("%s/lint-%s", tmp, path_base(suffix));
	char *cmd;
	int rc;
	if (!data)
		return -1;
	write_file(file, data, len);
	cmd = xasprintf("XML_CATALOG_FILES='%s/catalog.xml' xmllint --nonet --noout --schema '%s/%s' '%s' 2>%s/lint.err || { grep -v 'Skipping import' %s/lint.err >&2; exit 1; }",
			schemas, schemas, xsd, file, tmp, tmp);
	rc = system(cmd);
	free(cmd);
	free(file);
	free(data);
	return rc;
}

static void unzip_to(const char *zpath, const char *dir)
{
	int e;
	zip_t *za = zip_open(zpath, ZIP_RDONLY, &e);
	struct errbuf err;
	for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); i++) {
		const char *nm = zip_get_name(za, (zip_uint64_t)i, 0);
		const char *rel = strchr(nm, '/') + 1;
		char *path = xasprintf("%s/%s", dir, rel), *slash;
		size_t len;
		char *data = read_zip_member(zpath, nm, &len);
		slash = strrchr(path, '/');
		*slash = '\0';
		err_init(&err);
		fsio_mkdirs(path, 0755, &err);
		*slash = '/';
		write_file(path, data, len);
		free(data);
		free(path);
	}
	zip_discard(za);
}

int main(void)
{
	char tmpl[] = "/tmp/test_eark.XXXXXX";
	char *pdf1, *pdf2, *txt, *zip1, *zip2, *t, *unpacked, *schemas;
	struct eark_doc docs[2];
	struct eark_extra extra;
	struct eark_event events[3];
	struct eark_pkg pkg;
	struct eark_result r1, r2;
	struct eark_report rep;
	struct errbuf err;
	int nsig = 0;
	char sha[65], *mets;
	size_t len;
	int64_t sz;

	tmp = mkdtemp(tmpl);
	CHECK(tmp != NULL);
	pdf1 = xasprintf("%s/a.pdf", tmp);
	pdf2 = xasprintf("%s/b.pdf", tmp);
	txt = xasprintf("%s/a.txt", tmp);
	write_file(pdf1, "%PDF-1.7\nfirst document, signed\n%%EOF\n", strlen("%PDF-1.7\nfirst document, signed\n%%EOF\n"));
	write_file(pdf2, "%PDF-1.7\nsecond document, signed too\n%%EOF\n", strlen("%PDF-1.7\nsecond document, signed too\n%%EOF\n"));
	write_file(txt, "văn bản OCR\n", strlen("văn bản OCR\n"));

	extra = (struct eark_extra){txt, "000.00.00.G09.2010.01.TH.1.p0001.txt", "text/plain"};
	docs[0] = (struct eark_doc){"000.00.00.G09.2010.01.TH.1", pdf1, "document:1", doc1_fields, 5, &extra, 1};
	docs[1] = (struct eark_doc){"000.00.00.G09.2010.01.TH.2", pdf2, "document:2", doc2_fields, 3, NULL, 0};
	events[0] = (struct eark_event){10, 1781239537690, "operator:lan", "capture", "batch:1", "success", "3 pages"};
	events[1] = (struct eark_event){11, 1781239540000, "sohoa/sign", "digital signature", "document:1", "success", NULL};
	events[2] = (struct eark_event){12, 1781239541000, "sohoa/sign", "digital signature", "document:2", "success", "PAdES B-B"};
	memset(&pkg, 0, sizeof(pkg));
	pkg.type = EARK_SIP_HOSO;
	pkg.file_code = "000.00.00.G09.2010.01.TH";
	pkg.title = file_fields[1].value;
	pkg.fields = file_fields;
	pkg.nfields = sizeof(file_fields) / sizeof(file_fields[0]);
	pkg.docs = docs;
	pkg.ndocs = 2;
	pkg.events = events;
	pkg.nevents = 3;
	pkg.creator_name = "Bộ Nội vụ";
	pkg.creator_code = "000.00.00.G09";
	pkg.archive_name = "Trung tâm Lưu trữ quốc gia III";
	pkg.archive_code = "TTLTQG3";

	/* Build and verify. */
	zip1 = xasprintf("%s/one.zip", tmp);
	zip2 = xasprintf("%s/two.zip", tmp);
	err_init(&err);
	CHECK(eark_build(&pkg, tmp, zip1, &r1, &err) == 0);
	if (err.set)
		fprintf(stderr, "build: %s\n", err.msg);
	CHECK(strlen(r1.uuid) == 36 && r1.uuid[14] == '8');
	for (const char *c = r1.uuid; *c; c++)
		CHECK(!(*c >= 'a' && *c <= 'z'));
	CHECK(r1.nfiles == 9);

	mets = read_zip_member(zip1, "/METS.xml", &len);
	CHECK(mets != NULL);
	{
		char *objid = xasprintf("OBJID=\"uuid-%s\"", r1.uuid);
		CHECK(mets && strstr(mets, objid));
		free(objid);
	}
	CHECK(mets && strstr(mets, "xmlns:csip=\"https://DILCIS.eu/XML/METS/CSIPExtensionMETS\""));
	CHECK(mets && strstr(mets, "xmlns:sip=\"https://DILCIS.eu/XML/METS/SIPExtensionMETS\""));
	CHECK(mets && strstr(mets, "csip:OAISPACKAGETYPE=\"SIP\""));
	CHECK(mets && strstr(mets, "CREATEDATE=\"2026-06-12T11:45:41.000+07:00\""));
	free(mets);
	/* The PDF's checksum in the representation METS is its SHA-256, upper case. */
	mets = read_zip_member(zip1, "representations/rep1/METS.xml", &len);
	err_init(&err);
	CHECK(fsio_sha256_file(pdf1, sha, 1, &sz, &err) == 0);
	{
		char *want = xasprintf("SIZE=\"%lld\" CREATED=\"2026-06-12T11:45:41.000+07:00\" CHECKSUM=\"%s\" CHECKSUMTYPE=\"SHA-256\"", (long long)sz, sha);
		CHECK(mets && strstr(mets, want));
		free(want);
	}
	free(mets);
	mets = read_zip_member(zip1, "metadata/preservation/PREMIS.xml", &len);
	CHECK(mets && strstr(mets, sha));
	CHECK(mets && strstr(mets, "<eventDateTime>2026-06-12T11:45:37.690+07:00</eventDateTime>"));
	free(mets);
	mets = read_zip_member(zip1, "metadata/descriptive/EAD.xml", &len);
	CHECK(mets && strstr(mets, "<label>riskRecoveryStatus</label>"));
	CHECK(mets && strstr(mets, "\"thử\" &amp; &lt;kiểm tra&gt;") != NULL);
	free(mets);

	err_init(&err);
	CHECK(eark_verify(zip1, sig_ok, &nsig, tmp, &rep, &err) == 0);
	CHECK(rep.n == 0);
	dump(&rep);
	CHECK(rep.nsigs == 2 && nsig == 2);
	CHECK(rep.nchecked == 8);
	eark_report_release(&rep);

	/* Exporting twice gives the same bytes, whatever the files' times. */
	{
		struct utimbuf ut = {1000000000, 1000000000};
		utime(pdf1, &ut);
	}
	err_init(&err);
	CHECK(eark_build(&pkg, tmp, zip2, &r2, &err) == 0);
	CHECK_STR(r1.uuid, r2.uuid);
	CHECK_STR(r1.sha256, r2.sha256);

	/* A different content gives a different UUID. */
	{
		struct eark_pkg p2 = pkg;
		char u[37];
		p2.ndocs = 1;
		err_init(&err);
		CHECK(eark_uuid(&p2, u, &err) == 0);
		CHECK(strcmp(u, r1.uuid) != 0);
	}

	/* Tampering, each caught and named. */
	{
		static const char pdf1n[] = "representations/rep1/data/000.00.00.G09.2010.01.TH.1.pdf";
		static const char pdf2n[] = "representations/rep1/data/000.00.00.G09.2010.01.TH.2.pdf";
		struct {
			enum tamper t;
			const char *a, *b;
			const char *path, *why;
		} cases[] = {
			{T_BYTE, pdf1n, NULL, pdf1n, "checksum mismatch"},
			{T_BYTE, "metadata/descriptive/EAD.xml", NULL, "metadata/descriptive/EAD.xml", "checksum mismatch"},
			{T_BYTE, "representations/rep1/metadata/descriptive/EAD_doc_000.00.00.G09.2010.01.TH.2.xml", NULL,
			 "representations/rep1/metadata/descriptive/EAD_doc_000.00.00.G09.2010.01.TH.2.xml", "checksum mismatch"},
			{T_BYTE, "p0001.txt", NULL, "representations/rep1/data/000.00.00.G09.2010.01.TH.1.p0001.txt", "checksum mismatch"},
			{T_BYTE, "representations/rep1/METS.xml", NULL, "representations/rep1/METS.xml", ""},
			{T_REMOVE, pdf2n, NULL, pdf2n, "missing"},
			{T_REMOVE, "metadata/preservation/PREMIS.xml", NULL, "metadata/preservation/PREMIS.xml", "missing"},
			{T_ADD, "representations/rep1/data/intruder.pdf", NULL, "representations/rep1/data/intruder.pdf", "not referenced"},
			{T_ADD, "notes.txt", NULL, "notes.txt", "not referenced"},
			{T_SWAP, pdf1n, pdf2n, pdf1n, "size mismatch"},
			{T_SWAP, pdf1n, pdf2n, pdf2n, "size mismatch"},
		};
		for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
			t = tampered(zip1, cases[i].t, cases[i].a, cases[i].b);
			err_init(&err);
			CHECK(eark_verify(t, NULL, NULL, tmp, &rep, &err) == 0);
			CHECK(rep.n > 0);
			if (!reported(&rep, cases[i].path, cases[i].why)) {
				unit_fail++;
				fprintf(stderr, "case %zu: expected '%s: ...%s...'\n", i, cases[i].path, cases[i].why);
				dump(&rep);
			} else {
				unit_pass++;
			}
			eark_report_release(&rep);
			unlink(t);
			free(t);
		}
	}

	/* A signature that does not verify is reported with the file and why. */
	write_file(pdf2, "%PDF-1.7\nBADSIG second document\n%%EOF\n", strlen("%PDF-1.7\nBADSIG second document\n%%EOF\n"));
	err_init(&err);
	CHECK(eark_build(&pkg, tmp, zip2, &r2, &err) == 0);
	CHECK(strcmp(r1.uuid, r2.uuid) != 0);
	nsig = 0;
	err_init(&err);
	CHECK(eark_verify(zip2, sig_ok, &nsig, tmp, &rep, &err) == 0);
	CHECK(rep.n == 1);
	CHECK(reported(&rep, "representations/rep1/data/000.00.00.G09.2010.01.TH.2.pdf", "signature: message digest mismatch"));
	eark_report_release(&rep);

	/* An unpacked folder verifies too, and the same tampering is caught. */
	unpacked = xasprintf("%s/unpacked", tmp);
	unzip_to(zip1, unpacked);
	err_init(&err);
	CHECK(eark_verify(unpacked, NULL, NULL, tmp, &rep, &err) == 0);
	CHECK(rep.n == 0);
	dump(&rep);
	eark_report_release(&rep);
	{
		char *p = xasprintf("%s/representations/rep1/data/added.txt", unpacked);
		char *q = xasprintf("%s/representations/rep1/data/000.00.00.G09.2010.01.TH.2.pdf", unpacked);
		write_file(p, "x", 1);
		unlink(q);
		err_init(&err);
		CHECK(eark_verify(unpacked, NULL, NULL, tmp, &rep, &err) == 0);
		CHECK(reported(&rep, "representations/rep1/data/added.txt", "not referenced by any METS file"));
		CHECK(reported(&rep, "representations/rep1/data/000.00.00.G09.2010.01.TH.2.pdf", "missing"));
		eark_report_release(&rep);
		free(p);
		free(q);
	}
	err_init(&err);
	CHECK(eark_verify("/nonexistent/pkg.zip", NULL, NULL, tmp, &rep, &err) < 0);
	CHECK(err.set && strstr(err.msg, "'/nonexistent/pkg.zip'"));
	eark_report_release(&rep);

	/* Bad descriptions are refused with the name. */
	{
		struct eark_pkg bad = pkg;
		struct eark_doc bd = docs[0];
		bd.name = "../evil";
		bad.docs = &bd;
		bad.ndocs = 1;
		err_init(&err);
		CHECK(eark_build(&bad, tmp, zip2, NULL, &err) < 0);
		CHECK(strstr(err.msg, "'../evil'") != NULL);
		bd.name = "ok";
		bd.pdf_path = "/nonexistent.pdf";
		err_init(&err);
		CHECK(eark_build(&bad, tmp, zip2, NULL, &err) < 0);
		CHECK(strstr(err.msg, "/nonexistent.pdf") != NULL);
	}

	/* Mục lục and Biên bản. */
	{
		const struct eark_pkg *pk[1] = {&pkg};
		const char *zn[1] = {"000.00.00.G09.2010.01.TH.zip"};
		struct strbuf sb;
		sb_init(&sb, 0);
		eark_muc_luc_csv(pk, &r1, zn, 1, &sb);
		CHECK(str_starts(sb.buf, "\xEF\xBB\xBFSTT,"));
		CHECK(strstr(sb.buf, "\"Hồ sơ về việc \"\"thử\"\" & <kiểm tra>, năm 2010\"") != NULL);
		CHECK(strstr(sb.buf, r1.sha256) != NULL);
		CHECK(strstr(sb.buf, "\r\n1,000.00.00.G09.2010.01.TH,") != NULL);
		sb_reset(&sb);
		eark_bien_ban_md(pk, &r1, zn, 1, &sb);
		CHECK(strstr(sb.buf, "- Số tài liệu: 2\n") != NULL);
		CHECK(strstr(sb.buf, "- Số trang (theo tài liệu): 4\n") != NULL);
		CHECK(strstr(sb.buf, "Bộ Nội vụ (mã: 000.00.00.G09)") != NULL);
		CHECK(strstr(sb.buf, "(Ký, ghi rõ họ tên, đóng dấu)") != NULL);
		sb_release(&sb);
	}

	/* Loose documents. */
	{
		struct eark_pkg loose = pkg;
		char *zl = xasprintf("%s/loose.zip", tmp);
		loose.type = EARK_SIP_TAILIEU;
		loose.file_code = NULL;
		loose.title = "Tài liệu rời";
		loose.fields = NULL;
		loose.nfields = 0;
		err_init(&err);
		CHECK(eark_build(&loose, tmp, zl, &r2, &err) == 0);
		err_init(&err);
		CHECK(eark_verify(zl, NULL, NULL, tmp, &rep, &err) == 0 && rep.n == 0);
		eark_report_release(&rep);
		mets = read_zip_member(zl, "/METS.xml", &len);
		CHECK(mets && strstr(mets, "csip:OTHERTYPE=\"SIP_tailieu\""));
		free(mets);
		free(zl);
	}

	/* Offline schema validation. */
	schemas = find_schemas();
	if (!schemas || system("command -v xmllint >/dev/null 2>&1") != 0) {
		printf("test_eark: skipped the xmllint schema check: no shared/schemas (set SOHOA_SCHEMAS) or no xmllint\n");
	} else {
		char *zs = xasprintf("%s/with-schemas.zip", tmp);
		struct eark_pkg ps = pkg;
		CHECK(xmllint(schemas, "mets-csip-sip.xsd", zip1, "/METS.xml") == 0);
		CHECK(xmllint(schemas, "mets-csip-sip.xsd", zip1, "representations/rep1/METS.xml") == 0);
		CHECK(xmllint(schemas, "premis-v3-0.xsd", zip1, "metadata/preservation/PREMIS.xml") == 0);
		CHECK(xmllint(schemas, "ead2002.xsd", zip1, "metadata/descriptive/EAD.xml") == 0);
		CHECK(xmllint(schemas, "ead2002.xsd", zip1, "EAD_doc_000.00.00.G09.2010.01.TH.1.xml") == 0);
		/* With the schemas copied into the package. */
		ps.schemas_dir = schemas;
		err_init(&err);
		CHECK(eark_build(&ps, tmp, zs, &r2, &err) == 0);
		if (err.set)
			fprintf(stderr, "build: %s\n", err.msg);
		err_init(&err);
		CHECK(eark_verify(zs, NULL, NULL, tmp, &rep, &err) == 0 && rep.n == 0);
		dump(&rep);
		eark_report_release(&rep);
		mets = read_zip_member(zs, "/METS.xml", &len);
		CHECK(mets && strstr(mets, "USE=\"Schemas\"") && strstr(mets, "schemas/mets.xsd"));
		free(mets);
		CHECK(xmllint(schemas, "mets-csip-sip.xsd", zs, "/METS.xml") == 0);
		CHECK(xmllint(schemas, "mets-csip-sip.xsd", zs, "representations/rep1/METS.xml") == 0);
		free(zs);
	}
	free(schemas);

	if (!getenv("SOHOA_TEST_KEEP") && !unit_rmtree(tmp))
		fprintf(stderr, "cannot remove %s\n", tmp);
	free(pdf1);
	free(pdf2);
	free(txt);
	free(zip1);
	free(zip2);
	free(unpacked);
	return unit_done("test_eark");
}
