/*
 * fuzz_station.c - a hot folder's station.conf (ingest_station_conf), the
 * one setting file a scanning station writes itself.
 */
#include "engine/ingest.h"
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *path = fuzz_file("station.conf", data, size);
	struct ingest_opts o;
	struct errbuf err;
	memset(&o, 0, sizeof(o));
	err_init(&err);
	(void)ingest_station_conf(fuzz_dir(), &o, &err);
	ingest_station_free(&o);
	free(path);
	return 0;
}
