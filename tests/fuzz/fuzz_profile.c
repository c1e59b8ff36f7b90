/*
 * fuzz_profile.c - scanner profiles (profile_load of
 * WORKSPACE/scanner-profiles/NAME.conf) and their typed getters.
 */
#include <sys/stat.h>

#include "archive/profile.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *dir = xasprintf("%s/scanner-profiles", fuzz_dir()), *path;
	struct profile *p;
	struct errbuf err;
	mkdir(dir, 0700);
	free(dir);
	path = fuzz_file("scanner-profiles/fuzz.conf", data, size);
	err_init(&err);
	p = profile_load(fuzz_dir(), "fuzz", &err);
	if (p) {
		(void)profile_get(p, "dpi");
		(void)profile_long(p, "dpi", 300);
		(void)profile_bool(p, "duplex", false);
		profile_free(p);
	}
	free(path);
	return 0;
}
