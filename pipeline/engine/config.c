/*
 * config.c - the table of configuration keys and the config file parser.
 *
 * The table is the engine's keys below, then for every registered stage a
 * "<stage>.workers" key (unless the stage declares its own), then the stage's
 * own keys.  Values are kept as strings and checked against type and bounds
 * when set, so a getter never fails: a wrong name in our source is a panic.
 */
#include "engine/config.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/stage.h"

extern const struct stage *const stage_list[];

static const struct conf_key engine_keys[] = {
	{"stages", CONF_STR, "", 0, 0, "the pipeline: stage names in order (empty: every built-in stage in its usual order)"},
	{"db.url", CONF_STR, "", 0, 0, "the job store: empty for the SQLite file sohoa.db in the workspace (one machine); postgresql://[USER@]HOST[:PORT]/DBNAME (or postgresql:///DBNAME?host=SOCKETDIR) for PostgreSQL (several machines); never with a password in it"},
	{"db.passfile", CONF_STR, "", 0, 0, "PostgreSQL: the file that holds the password, in .pgpass format (HOST:PORT:DB:USER:PASSWORD, mode 0600); relative to the workspace; empty: $PGPASSFILE, else ~/.pgpass"},
	{"job.max_attempts", CONF_INT, "3", 1, 100, "failures after which a job is quarantined with its last error"},
	{"job.retry_delay", CONF_INT, "10", 0, 86400, "seconds before a failed job is tried again (doubles each time)"},
	{"job.lease", CONF_INT, "900", 10, 86400, "seconds a worker may hold a job before it is given to another"},
	{"worker.max_jobs", CONF_INT, "200", 1, 1000000, "a worker exits after this many jobs and the supervisor starts a fresh one"},
	{"worker.max_memory", CONF_INT, "1024", 64, 1048576, "MB a worker may use: capture refuses (quarantines) a page whose decoding would need more, and a worker's address space is limited to it plus worker.memory_slack (not under AddressSanitizer)"},
	{"worker.memory_slack", CONF_INT, "1024", 0, 1048576, "MB of address space a worker gets beyond worker.max_memory for its code, libraries and models (the RLIMIT_AS is the sum)"},
	{"worker.idle", CONF_INT, "60", 1, 86400, "a worker exits after this many idle seconds"},
	{"worker.scan_ms", CONF_INT, "10000", 10, 600000, "how often an idle worker looks for work without a wake-up (wake-ups are hints; this is the guarantee)"},
	{"supervisor.scan_ms", CONF_INT, "5000", 10, 60000, "how often the supervisor scans for expired leases, dead workers and work without a wake-up"},
	{"priority.aging_per_hour", CONF_DOUBLE, "1", 0, 1000, "priority points a waiting job gains per hour, so that nothing starves"},
	{"ingest.station", CONF_STR, "station-1", 0, 0, "default scanning station"},
	{"ingest.operator", CONF_STR, "operator", 0, 0, "default operator"},
	{"ingest.profile", CONF_STR, "a4-office", 0, 0, "default scanner profile (a file in scanner-profiles/)"},
	{"ingest.file_code", CONF_STR, "", 0, 0, "default file code (mã hồ sơ) for a batch"},
	{"ingest.max_pixels", CONF_INT, "250000000", 1, 4000000000.0, "largest image accepted, in pixels (A3 at 600 dpi is 70 million)"},
	{"ingest.max_pages_per_file", CONF_INT, "2000", 1, 1000000, "a file (multi-page TIFF, PDF) with more pages than this is refused at ingest"},
	{"ingest.stable_seconds", CONF_INT, "2", 0, 3600, "hot folder: a file is taken once its size has not changed for this long"},
	{"export.org_name", CONF_STR, "", 0, 0, "the archival creator named in transfer packages (empty: the fonds' name, then sign.org_name)"},
	{"export.org_code", CONF_STR, "", 0, 0, "the creator's identifier (mã định danh) in transfer packages (empty: the fonds' code)"},
	{"export.archive_name", CONF_STR, "", 0, 0, "the historical archive that receives the packages"},
	{"export.archive_code", CONF_STR, "", 0, 0, "the receiving archive's identifier"},
	{"export.contact", CONF_STR, "", 0, 0, "contact person written into the packages' METS header"},
	{"export.include_ocr", CONF_BOOL, "no", 0, 0, "also put each page's text, hOCR and ALTO into rep1/data/"},
	{"export.schemas_dir", CONF_STR, "", 0, 0, "folder of the METS/CSIP/PREMIS/EAD schema files to copy into schemas/ (empty: the METS names the public URLs)"},
	{"verify.trust", CONF_STR, "", 0, 0, "CA certificates (PEM) that `sohoa verify` trusts (empty: sign.trust)"},
	{"serve.listen", CONF_STR, "127.0.0.1:8080", 0, 0, "where `sohoa serve` listens (ADDR:PORT)"},
	{"serve.tls_cert", CONF_STR, "", 0, 0, "certificate (PEM) of the desk; with serve.tls_key it is served over HTTPS only"},
	{"serve.tls_key", CONF_STR, "", 0, 0, "private key (PEM) for serve.tls_cert"},
	{"serve.idle_timeout", CONF_INT, "1800", 1, 86400, "seconds without a request after which a desk login ends"},
	{"serve.max_upload_mb", CONF_INT, "500", 1, 8192, "the largest scan the desk takes as an upload (a page's rescan), in MiB"},
	{"serve.login_delay_ms", CONF_INT, "1000", 0, 10000, "a failed login is answered after this delay, doubled for each failure (up to 16 times)"},
	{0},
};

struct conf_val {
	const struct conf_key *key;
	char *value;
	char auto_name[64];
	struct conf_key auto_key;
};

struct config {
	struct conf_val *v;
	int n;
};

static void add_key(struct config *cfg, const struct conf_key *k)
{
	cfg->v = xrealloc(cfg->v, sizeof(*cfg->v) * (size_t)(cfg->n + 1));
	memset(&cfg->v[cfg->n], 0, sizeof(cfg->v[0]));
	cfg->v[cfg->n].key = k;
	cfg->v[cfg->n].value = xstrdup(k->def);
	cfg->n++;
}

static bool stage_declares(const struct stage *s, const char *name)
{
	for (const struct conf_key *k = s->keys; k && k->name; k++)
		if (strcmp(k->name, name) == 0)
			return true;
	return false;
}

struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	for (const struct conf_key *k = engine_keys; k->name; k++)
		add_key(cfg, k);
	for (int i = 0; stage_list[i]; i++) {
		const struct stage *s = stage_list[i];
		char name[64];
		snprintf(name, sizeof(name), "%s.workers", s->name);
		if (!stage_declares(s, name)) {
			struct conf_val *v;
			add_key(cfg, engine_keys); /* placeholder, fixed below */
			v = &cfg->v[cfg->n - 1];
			snprintf(v->auto_name, sizeof(v->auto_name), "%s", name);
			v->auto_key = (struct conf_key){NULL, CONF_INT, "1", 0, 64, "worker processes for this stage (0: the stage is paused)"};
			free(v->value);
			v->value = xstrdup("1");
		}
		for (const struct conf_key *k = s->keys; k && k->name; k++)
			add_key(cfg, k);
	}
	/* The auto keys point into their own slot: fix them up after the last realloc. */
	for (int i = 0; i < cfg->n; i++)
		if (cfg->v[i].auto_name[0]) {
			cfg->v[i].auto_key.name = cfg->v[i].auto_name;
			cfg->v[i].key = &cfg->v[i].auto_key;
		}
	return cfg;
}

void config_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (int i = 0; i < cfg->n; i++)
		free(cfg->v[i].value);
	free(cfg->v);
	free(cfg);
}

static struct conf_val *find(const struct config *cfg, const char *key)
{
	for (int i = 0; i < cfg->n; i++)
		if (strcmp(cfg->v[i].key->name, key) == 0)
			return &cfg->v[i];
	return NULL;
}

bool config_has(const struct config *cfg, const char *key)
{
	return find(cfg, key) != NULL;
}

static int check_value(const struct conf_key *k, const char *value, struct errbuf *err)
{
	char *end;
	double d;
	switch (k->type) {
	case CONF_STR:
		return 0;
	case CONF_BOOL:
		if (!strcmp(value, "yes") || !strcmp(value, "no") || !strcmp(value, "true") ||
		    !strcmp(value, "false") || !strcmp(value, "1") || !strcmp(value, "0"))
			return 0;
		return err_set(err, "'%s' must be yes or no", k->name);
	case CONF_INT:
	case CONF_DOUBLE:
		errno = 0;
		d = strtod(value, &end);
		if (end == value || *end || errno || !isfinite(d))
			return err_set(err, "'%s' must be a number, not '%s'", k->name, value);
		if (k->type == CONF_INT && d != floor(d))
			return err_set(err, "'%s' must be a whole number, not '%s'", k->name, value);
		if (d < k->min || d > k->max)
			return err_set(err, "'%s' must be between %g and %g, not %s", k->name, k->min, k->max, value);
		return 0;
	}
	return 0;
}

int config_set(struct config *cfg, const char *key, const char *value, struct errbuf *err)
{
	struct conf_val *v = find(cfg, key);
	if (!v)
		return err_set(err, "unknown key '%s'", key);
	if (check_value(v->key, value, err) < 0)
		return -1;
	free(v->value);
	v->value = xstrdup(value);
	return 0;
}

int config_load(struct config *cfg, const char *path, struct errbuf *err)
{
	struct kvfile kv;
	char *key, *val;
	int rc;
	if (kv_open(&kv, path) < 0)
		return err_set(err, "cannot open config '%s': %s", path, strerror(errno));
	while ((rc = kv_next(&kv, &key, &val, err)) > 0) {
		struct errbuf why;
		err_init(&why);
		if (config_set(cfg, key, val, &why) < 0) {
			rc = err_set(err, "%s:%d: '%s': %s", path, kv.lineno, kv.line, why.msg);
			break;
		}
	}
	kv_close(&kv);
	return rc;
}

static struct conf_val *get(const struct config *cfg, const char *key)
{
	struct conf_val *v = find(cfg, key);
	if (!v) {
		fprintf(stderr, "sohoa: panic: unknown config key '%s'\n", key);
		abort();
	}
	return v;
}

const char *config_str(const struct config *cfg, const char *key)
{
	return get(cfg, key)->value;
}

long config_long(const struct config *cfg, const char *key)
{
	return (long)strtod(get(cfg, key)->value, NULL);
}

double config_double(const struct config *cfg, const char *key)
{
	return strtod(get(cfg, key)->value, NULL);
}

bool config_bool(const struct config *cfg, const char *key)
{
	const char *s = get(cfg, key)->value;
	return !strcmp(s, "yes") || !strcmp(s, "true") || !strcmp(s, "1");
}

void config_write_default(const struct config *cfg, FILE *out)
{
	static const char *const tname[] = {"text", "whole number", "number", "yes/no"};
	fprintf(out, "# sohoa workspace configuration.\n");
	fprintf(out, "# Every key is listed with its default; uncomment a line to change it.\n");
	fprintf(out, "# `sohoa config` prints the keys that differ from their defaults.\n");
	for (int i = 0; i < cfg->n; i++) {
		const struct conf_key *k = cfg->v[i].key;
		fprintf(out, "\n# %s\n# (%s", k->help, tname[k->type]);
		if (k->type == CONF_INT || k->type == CONF_DOUBLE)
			fprintf(out, ", %g to %g", k->min, k->max);
		fprintf(out, "; default: %s)\n#%s = %s\n", *k->def ? k->def : "empty", k->name, k->def);
	}
}

void config_print_changed(const struct config *cfg, FILE *out)
{
	for (int i = 0; i < cfg->n; i++)
		if (strcmp(cfg->v[i].value, cfg->v[i].key->def) != 0)
			fprintf(out, "%s = %s\n", cfg->v[i].key->name, cfg->v[i].value);
}
