/*
 * fuzz_meta_csv.c - `sohoa meta import`: meta_import_csv() with the TT05
 * schema of config/ (or $SOHOA_TOP/config) into a scratch database.
 */
#include "archive/meta.h"
#include "engine/db.h"
#include "fuzz.h"

static struct db *db;
static struct meta_schema *schema;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf report;
	struct errbuf err;
	int nrows = 0;
	if (!db) {
		const char *top = getenv("SOHOA_TOP");
		char *conf = xasprintf("%s/config", top ? top : "."), *path = xasprintf("%s/fuzz.db", fuzz_dir());
		err_init(&err);
		if (db_open(path, true, &db, &err) < 0 || !(schema = meta_schema_load(conf, &err))) {
			fprintf(stderr, "fuzz_meta_csv: %s\n", err.msg);
			abort();
		}
		free(conf);
		free(path);
	}
	sb_init(&report, 0);
	(void)meta_import_csv(db, schema, (const char *)data, size, NULL, "fuzz", &report, &nrows);
	sb_release(&report);
	sb_init(&report, 0);
	(void)meta_import_csv(db, schema, (const char *)data, size, "windows-1258", "fuzz", &report, &nrows);
	sb_release(&report);
	return 0;
}
