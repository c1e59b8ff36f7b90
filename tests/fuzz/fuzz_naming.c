/*
 * fuzz_naming.c - naming.conf (filecode_naming_load) and a name made with
 * the patterns it gives.
 */
#include "archive/filecode.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("naming.conf", data, size), *name;
	struct filecode_naming nm;
	struct errbuf err;
	memset(&nm, 0, sizeof nm);
	err_init(&err);
	if (filecode_naming_load(path, &nm, &err) == 0) {
		err_init(&err);
		name = filecode_doc_name(&nm, "000.00.00.G09.2010.01.TH", 7, &err);
		free(name);
	}
	filecode_naming_release(&nm);
	free(path);
	return 0;
}
