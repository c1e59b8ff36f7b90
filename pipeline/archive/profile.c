/*
 * profile.c - read scanner profiles (see profile.h).  A profile is small and
 * read once per worker; unknown keys are kept (stages read their own), a line
 * without '=' is an error naming file:line.
 */
#include "archive/profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct profile {
	char *name;
	int n;
	char **key, **val;
};

bool profile_name_ok(const char *name)
{
	if (!*name || strlen(name) > 64)
		return false;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

struct profile *profile_load(const char *workspace, const char *name, struct errbuf *err)
{
	struct kvfile kv;
	char *path, *k, *v;
	int rc;
	struct profile *p;
	if (!profile_name_ok(name)) {
		err_set(err, "bad scanner profile name '%s'", name);
		return NULL;
	}
	path = xasprintf("%s/scanner-profiles/%s.conf", workspace, name);
	if (kv_open(&kv, path) < 0) {
		err_set(err, "unknown scanner profile '%s': cannot open '%s': %s", name, path, strerror(errno));
		free(path);
		return NULL;
	}
	p = xcalloc(1, sizeof(*p));
	p->name = xstrdup(name);
	while ((rc = kv_next(&kv, &k, &v, err)) > 0) {
		p->key = xrealloc(p->key, sizeof(char *) * (size_t)(p->n + 1));
		p->val = xrealloc(p->val, sizeof(char *) * (size_t)(p->n + 1));
		p->key[p->n] = xstrdup(k);
		p->val[p->n] = xstrdup(v);
		p->n++;
	}
	kv_close(&kv);
	free(path);
	if (rc < 0) {
		profile_free(p);
		return NULL;
	}
	return p;
}

void profile_free(struct profile *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->n; i++) {
		free(p->key[i]);
		free(p->val[i]);
	}
	free(p->key);
	free(p->val);
	free(p->name);
	free(p);
}

const char *profile_name(const struct profile *p)
{
	return p->name;
}

const char *profile_get(const struct profile *p, const char *key)
{
	for (int i = p->n - 1; i >= 0; i--)
		if (strcmp(p->key[i], key) == 0)
			return p->val[i];
	return NULL;
}

long profile_long(const struct profile *p, const char *key, long def)
{
	const char *v = profile_get(p, key);
	return v && *v ? strtol(v, NULL, 10) : def;
}

bool profile_bool(const struct profile *p, const char *key, bool def)
{
	const char *v = profile_get(p, key);
	if (!v || !*v)
		return def;
	return !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
}
