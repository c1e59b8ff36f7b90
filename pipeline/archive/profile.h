/*
 * profile.h - scanner profiles: one documented file per profile in the
 * workspace's scanner-profiles/NAME.conf ("key = value" lines, '#'
 * comments).  The keys and their meaning are in scanner-profiles/README.md.
 */
#ifndef SOHOA_PROFILE_H
#define SOHOA_PROFILE_H

#include <stdbool.h>

#include "engine/util.h"

struct profile;

/* Load WORKSPACE/scanner-profiles/NAME.conf. */
struct profile *profile_load(const char *workspace, const char *name, struct errbuf *err);
void profile_free(struct profile *p);
const char *profile_name(const struct profile *p);
/* Value of key, or NULL if the profile does not set it. */
const char *profile_get(const struct profile *p, const char *key);
long profile_long(const struct profile *p, const char *key, long def);
bool profile_bool(const struct profile *p, const char *key, bool def);
/* true when name is a safe profile name (letters, digits, '-', '_'). */
bool profile_name_ok(const char *name);

#endif
