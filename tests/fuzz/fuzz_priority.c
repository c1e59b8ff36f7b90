/*
 * fuzz_priority.c - priority.conf (priority_rules_load of CONFIG/priority.conf).
 */
#include "archive/priority.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("priority.conf", data, size);
	struct priority_rules *r;
	struct errbuf err;
	err_init(&err);
	r = priority_rules_load(fuzz_dir(), &err);
	if (r)
		priority_rules_free(r);
	free(path);
	return 0;
}
