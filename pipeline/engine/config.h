/*
 * config.h - workspace configuration: one table of keys (Postfix
 * mail_params.h).  Every key has a name, a type, a default, bounds and a line
 * of help; the engine's keys are in config.c, and each stage brings its own
 * keys (named "<stage>.<key>") in its struct stage.  The file is
 * "key = value" lines, '#' comments; a parse error says file:line, the line
 * and why (Redis).  `sohoa config` prints what differs from the defaults.
 */
#ifndef SOHOA_CONFIG_H
#define SOHOA_CONFIG_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/util.h"

enum conf_type { CONF_STR, CONF_INT, CONF_DOUBLE, CONF_BOOL };

struct conf_key {
	const char *name;     /* "workers.ocr", "ocr.min_confidence" */
	enum conf_type type;
	const char *def;      /* default, as written in the file */
	double min, max;      /* bounds for numbers (ignored for strings) */
	const char *help;     /* one line, written above the key by `sohoa init` */
};

struct config;

/* The table: engine keys plus every registered stage's keys. */
struct config *config_new(void);
void config_free(struct config *cfg);
/* Read a file over the defaults; unknown keys and bad values are errors
 * "FILE:LINE: 'the line': why". */
int config_load(struct config *cfg, const char *path, struct errbuf *err);
/* Set one key from a string (used by the loader and by -o key=value). */
int config_set(struct config *cfg, const char *key, const char *value, struct errbuf *err);

const char *config_str(const struct config *cfg, const char *key);
long config_long(const struct config *cfg, const char *key);
double config_double(const struct config *cfg, const char *key);
bool config_bool(const struct config *cfg, const char *key);
/* true when the key exists in the table */
bool config_has(const struct config *cfg, const char *key);

/* Write the documented default file (every key, its default and bounds). */
void config_write_default(const struct config *cfg, FILE *out);
/* Print the keys whose value differs from the default (`sohoa config`). */
void config_print_changed(const struct config *cfg, FILE *out);

#endif
