/*
 * fuzz_eark_verify.c - the zip + METS/EAD/PREMIS path of `sohoa verify`
 * (eark_verify): the input is the package zip; the signature callback runs
 * the PDF reader on each PDF, as sigverify does.
 */
#include "formats/eark/eark.h"
#include "formats/pdf/pdfread.h"
#include "fuzz.h"

static int sig(void *ctx, const char *path, char *why, size_t whysz)
{
	struct errbuf err;
	struct pdfread *p;
	(void)ctx;
	err_init(&err);
	p = pdfread_open(path, (size_t)64 << 20, &err);
	if (!p) {
		snprintf(why, whysz, "%s", err.msg);
		return -1;
	}
	pdfread_free(p);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("in.zip", data, size);
	struct eark_report rep;
	struct errbuf err;
	err_init(&err);
	if (eark_verify(path, sig, NULL, fuzz_dir(), &rep, &err) == 0)
		eark_report_release(&rep);
	free(path);
	return 0;
}
