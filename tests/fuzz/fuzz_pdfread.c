/*
 * fuzz_pdfread.c - the PDF reader used by verify and sign (pdfread.c): open,
 * the trailer, every object up to /Size (at most 2000), each value's
 * dictionary entries and array items, references resolved.
 */
#include "formats/pdf/pdfread.h"
#include "fuzz.h"

static void walk(struct pdfread *p, struct pdfread_span v, int depth)
{
	struct pdfread_span item, r;
	struct errbuf err;
	size_t pos = 0;
	long num;
	int gen;
	double d;
	if (depth > 4)
		return;
	(void)pdfread_num(v, &d);
	(void)pdfread_ref(v, &num, &gen);
	err_init(&err);
	if (pdfread_resolve(p, v, &r, &err) == 0 && r.s != v.s)
		walk(p, r, depth + 1);
	if (v.len && v.s[0] == '[')
		while (pdfread_array_next(v, &pos, &item))
			walk(p, item, depth + 1);
	if (v.len > 1 && v.s[0] == '<' && v.s[1] == '<') {
		static const char *const keys[] = {"/Type", "/Root", "/Kids", "/Fields", "/V", "/ByteRange", "/Contents", "/AcroForm", "/Pages", NULL};
		struct strbuf sb;
		for (int k = 0; keys[k]; k++)
			if (pdfread_dict_get(v, keys[k], &item))
				walk(p, item, depth + 1);
		sb_init(&sb, 0);
		pdfread_dict_copy(&sb, v, keys);
		sb_release(&sb);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("in.pdf", data, size);
	struct errbuf err;
	struct pdfread *p;
	err_init(&err);
	p = pdfread_open(path, (size_t)64 << 20, &err);
	if (p) {
		long n = pdfread_size(p);
		walk(p, pdfread_trailer(p), 0);
		for (long i = 1; i < n && i < 2000; i++) {
			struct pdfread_span v;
			int gen;
			err_init(&err);
			if (pdfread_object(p, i, &gen, &v, &err) == 0)
				walk(p, v, 0);
		}
		pdfread_free(p);
	}
	free(path);
	return 0;
}
