/*
 * test_config.c - the config table: defaults, bounds, file parsing with
 * file:line errors, stage keys, and what `sohoa config` prints.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/config.h"
#include "unit.h"

static const struct {
	const char *key, *value;
	bool ok;
	const char *why;
} sets[] = {
	{"job.max_attempts", "5", true, NULL},
	{"job.max_attempts", "0", false, "between 1 and 100"},
	{"job.max_attempts", "101", false, "between 1 and 100"},
	{"job.max_attempts", "2.5", false, "whole number"},
	{"job.max_attempts", "three", false, "must be a number"},
	{"priority.aging_per_hour", "0.25", true, NULL},
	{"export.include_ocr", "yes", true, NULL},
	{"export.include_ocr", "maybe", false, "yes or no"},
	{"capture.workers", "4", true, NULL},
	{"no.such.key", "1", false, "unknown key"},
};

int main(void)
{
	struct config *cfg = config_new();
	struct errbuf err;
	char path[] = "/tmp/test_config.XXXXXX";
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int fd;

	CHECK(config_long(cfg, "job.max_attempts") == 3);
	CHECK(config_has(cfg, "capture.workers"));     /* every stage gets a workers key */
	CHECK(config_has(cfg, "capture.min_side"));    /* and brings its own keys */
	CHECK(!config_has(cfg, "nope"));
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		err_init(&err);
		int rc = config_set(cfg, sets[i].key, sets[i].value, &err);
		CHECK((rc == 0) == sets[i].ok);
		if (!sets[i].ok)
			CHECK(strstr(err.msg, sets[i].why) != NULL);
	}
	CHECK(config_long(cfg, "job.max_attempts") == 5);
	CHECK(config_double(cfg, "priority.aging_per_hour") == 0.25);
	CHECK(config_bool(cfg, "export.include_ocr"));

	/* `sohoa config`: only what differs */
	f = open_memstream(&text, &len);
	config_print_changed(cfg, f);
	fclose(f);
	CHECK(strstr(text, "job.max_attempts = 5\n") != NULL);
	CHECK(strstr(text, "worker.idle") == NULL);
	free(text);
	config_free(cfg);

	/* the default file documents every key and loads back unchanged */
	cfg = config_new();
	fd = mkstemp(path);
	f = fdopen(fd, "w");
	config_write_default(cfg, f);
	fprintf(f, "  job.retry_delay =  7  \n# a comment\n\n");
	fclose(f);
	err_init(&err);
	CHECK(config_load(cfg, path, &err) == 0);
	CHECK(config_long(cfg, "job.retry_delay") == 7);
	config_free(cfg);

	/* errors: file:line, the line, and why */
	f = fopen(path, "a");
	fprintf(f, "job.lease = 5\n");
	fclose(f);
	cfg = config_new();
	err_init(&err);
	CHECK(config_load(cfg, path, &err) < 0);
	CHECK(strstr(err.msg, path) != NULL);
	CHECK(strstr(err.msg, "'job.lease = 5'") != NULL);
	CHECK(strstr(err.msg, "between 10 and 86400") != NULL);
	config_free(cfg);
	f = fopen(path, "w");
	fprintf(f, "# ok\nthis line has no equals sign\n");
	fclose(f);
	cfg = config_new();
	err_init(&err);
	CHECK(config_load(cfg, path, &err) < 0);
	CHECK(strstr(err.msg, ":2: 'this line has no equals sign': expected 'key = value'") != NULL);
	config_free(cfg);
	unlink(path);
	return unit_done("config");
}
