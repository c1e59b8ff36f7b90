/*
 * fuzz_config.c - the sohoa.conf parser (config_load over the key table).
 */
#include "engine/config.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("sohoa.conf", data, size);
	struct config *cfg = config_new();
	struct errbuf err;
	err_init(&err);
	(void)config_load(cfg, path, &err);
	config_free(cfg);
	free(path);
	return 0;
}
