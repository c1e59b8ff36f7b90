/*
 * session.c - in-memory login sessions (session.h).  Ids and tokens come
 * from OpenSSL's random source; a failure there is fatal.
 */
#include "web/session.h"

#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct session table[SESSION_MAX];

void session_random_hex(char *out)
{
	unsigned char b[32];
	if (RAND_bytes(b, sizeof(b)) != 1) {
		fprintf(stderr, "sohoa: fatal: no random bytes from OpenSSL\n");
		exit(71);
	}
	for (int i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

const struct session *session_new(const char *user, int64_t now)
{
	struct session *s = &table[0];
	for (int i = 0; i < SESSION_MAX; i++) {
		if (!table[i].id[0]) {
			s = &table[i];
			break;
		}
		if (table[i].last_ms < s->last_ms)
			s = &table[i];
	}
	session_random_hex(s->id);
	session_random_hex(s->csrf);
	snprintf(s->user, sizeof(s->user), "%s", user);
	s->last_ms = now;
	return s;
}

struct session *session_find(const char *id, int64_t now, int64_t idle_ms)
{
	if (!id || strlen(id) != 64)
		return NULL;
	for (int i = 0; i < SESSION_MAX; i++) {
		struct session *s = &table[i];
		if (!s->id[0] || !session_token_eq(s->id, id))
			continue;
		if (now - s->last_ms > idle_ms) {
			memset(s, 0, sizeof(*s));
			return NULL;
		}
		s->last_ms = now;
		return s;
	}
	return NULL;
}

void session_drop(const char *id)
{
	for (int i = 0; i < SESSION_MAX; i++)
		if (table[i].id[0] && id && !strcmp(table[i].id, id))
			memset(&table[i], 0, sizeof(table[i]));
}

void session_drop_user(const char *user)
{
	for (int i = 0; i < SESSION_MAX; i++)
		if (table[i].id[0] && !strcmp(table[i].user, user))
			memset(&table[i], 0, sizeof(table[i]));
}

int session_token_eq(const char *a, const char *b)
{
	size_t n = strlen(a);
	if (!b || strlen(b) != n)
		return 0;
	return CRYPTO_memcmp(a, b, n) == 0;
}
