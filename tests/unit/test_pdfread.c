/*
 * test_pdfread.c - the minimal PDF reader under hostile nesting (issue 11,
 * finding 3): a trailer or object of a million '[' or '<<' must be refused
 * as malformed, not overflow the stack; nesting up to the limit still reads.
 * The files are made here, in a temporary folder.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "formats/pdf/pdfread.h"
#include "unit.h"

static char dir[256];

/* A one-object PDF whose trailer holds `extra` before >> (a classic xref). */
static char *make_pdf(const char *leaf, const char *obj1, const char *extra)
{
	struct strbuf sb;
	char *path = xasprintf("%s/%s", dir, leaf);
	size_t off1, xref;
	FILE *f;
	sb_init(&sb, 0);
	sb_adds(&sb, "%PDF-1.7\n%\xE2\xE3\xCF\xD3\n");
	off1 = sb.len;
	sb_addf(&sb, "1 0 obj\n%s\nendobj\n", obj1);
	xref = sb.len;
	sb_addf(&sb, "xref\n0 2\n0000000000 65535 f \n%010zu 00000 n \ntrailer\n<< /Size 2 /Root 1 0 R %s >>\nstartxref\n%zu\n%%%%EOF\n",
		off1, extra, xref);
	f = fopen(path, "wb");
	if (!f || fwrite(sb.buf, 1, sb.len, f) != sb.len || fclose(f) != 0)
		exit(2);
	sb_release(&sb);
	return path;
}

static char *repeat(const char *unit, size_t times)
{
	size_t ul = strlen(unit);
	char *s = xmalloc(ul * times + 1);
	for (size_t i = 0; i < times; i++)
		memcpy(s + i * ul, unit, ul);
	s[ul * times] = '\0';
	return s;
}

/* pdfread_open on a file; true when it opened. */
static bool opens(const char *path, char *msg, size_t msgsz)
{
	struct errbuf err;
	struct pdfread *p;
	err_init(&err);
	p = pdfread_open(path, (size_t)1 << 28, &err);
	snprintf(msg, msgsz, "%s", err.set ? err.msg : "");
	pdfread_free(p);
	return p != NULL;
}

int main(void)
{
	char msg[1100], *path, *deep, *v;
	size_t skip;
	struct errbuf err;
	struct pdfread *p;
	struct pdfread_span val;

	snprintf(dir, sizeof dir, "%s/test_pdfread.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(dir))
		return 2;

	/* a million '[' in the trailer: refused, no stack overflow */
	deep = repeat("[", 1000000);
	path = make_pdf("brackets.pdf", "<< /Type /Catalog >>", deep);
	CHECK(!opens(path, msg, sizeof msg));
	CHECK(strstr(msg, "malformed trailer") != NULL);
	free(path);
	CHECK(pdfread_value_len(deep, strlen(deep), &skip) == 0);
	free(deep);

	/* a million '<< /A' in the trailer */
	deep = repeat("/A << ", 1000000);
	path = make_pdf("dicts.pdf", "<< /Type /Catalog >>", deep);
	CHECK(!opens(path, msg, sizeof msg));
	free(path);
	free(deep);

	/* alternating arrays and dictionaries (the count must not restart) */
	deep = repeat("[<< /A ", 300000);
	CHECK(pdfread_value_len(deep, strlen(deep), &skip) == 0);
	free(deep);

	/* a deep object: the trailer is fine, reading object 1 is refused */
	deep = repeat("[", 1000000);
	path = make_pdf("object.pdf", deep, "");
	free(deep);
	err_init(&err);
	p = pdfread_open(path, (size_t)1 << 28, &err);
	CHECK(p != NULL);
	if (p) {
		err_init(&err);
		CHECK(pdfread_object(p, 1, NULL, &val, &err) < 0);
		CHECK(strstr(err.msg, "malformed value") != NULL);
		pdfread_free(p);
	}
	free(path);

	/* 40 levels is within the limit: it reads, and the value is whole */
	deep = repeat("[", 40);
	{ char *close = repeat("]", 40); v = xasprintf("/Deep %s1%s", deep, close); free(close); }
	path = make_pdf("ok.pdf", "<< /Type /Catalog >>", v);
	err_init(&err);
	p = pdfread_open(path, (size_t)1 << 28, &err);
	CHECK(p != NULL);
	if (p) {
		CHECK(pdfread_dict_get(pdfread_trailer(p), "/Deep", &val));
		CHECK(val.len == 81);
		pdfread_free(p);
	}
	free(path);
	free(deep);
	free(v);

	unit_rmtree(dir);
	return unit_done("test_pdfread");
}
