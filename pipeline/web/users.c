/*
 * users.c - users, roles, stations and scrypt password hashes (users.h).
 * Error policy: actions return 0 or -1 with err set in git's wording; a
 * failing KDF or random source is fatal (the environment is broken).
 * Passwords are never written anywhere but as their hash.
 */
#include "web/users.h"

#include <ctype.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "engine/db.h"
#include "engine/events.h"
#include "engine/log.h"

#define SCRYPT_N 16384u   /* 16 MiB with r = 8 */
#define SCRYPT_R 8u
#define SCRYPT_P 1u
#define SALT_LEN 16
#define KEY_LEN 32

static const char *const role_names[] = {"operator", "supervisor", "archivist", "admin"};

enum user_role users_role_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (!strcmp(s, role_names[i]))
			return (enum user_role)(1 << i);
	return 0;
}

const char *users_role_name(enum user_role r)
{
	for (int i = 0; i < 4; i++)
		if (r == (enum user_role)(1 << i))
			return role_names[i];
	return "?";
}

bool users_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > 63 || !isalnum((unsigned char)name[0]))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (!(islower(c) || isdigit(c) || c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

static void scrypt_key(const char *password, const unsigned char *salt, size_t saltlen, uint64_t N, uint32_t r,
		       uint32_t p, unsigned char *key, size_t keylen)
{
	EVP_KDF *kdf = EVP_KDF_fetch(NULL, "SCRYPT", NULL);
	EVP_KDF_CTX *ctx = kdf ? EVP_KDF_CTX_new(kdf) : NULL;
	OSSL_PARAM params[6];
	int i = 0;
	params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, (void *)password, strlen(password));
	params[i++] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, (void *)salt, saltlen);
	params[i++] = OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &N);
	params[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r);
	params[i++] = OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p);
	params[i] = OSSL_PARAM_construct_end();
	if (!ctx || EVP_KDF_derive(ctx, key, keylen, params) <= 0) {
		fprintf(stderr, "sohoa: fatal: scrypt from OpenSSL failed\n");
		exit(71);
	}
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
}

static void hex(struct strbuf *sb, const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_addf(sb, "%02x", b[i]);
}

static size_t unhex(const char *s, size_t slen, unsigned char *out, size_t max)
{
	size_t n = 0;
	if (slen % 2)
		return 0;
	for (size_t i = 0; i + 1 < slen + 1 && i < slen && n < max; i += 2) {
		unsigned v;
		if (!isxdigit((unsigned char)s[i]) || !isxdigit((unsigned char)s[i + 1]) || sscanf(s + i, "%2x", &v) != 1)
			return 0;
		out[n++] = (unsigned char)v;
	}
	return n;
}

char *users_hash_password(const char *password)
{
	unsigned char salt[SALT_LEN], key[KEY_LEN];
	struct strbuf sb;
	if (RAND_bytes(salt, sizeof(salt)) != 1) {
		fprintf(stderr, "sohoa: fatal: no random bytes from OpenSSL\n");
		exit(71);
	}
	scrypt_key(password, salt, sizeof(salt), SCRYPT_N, SCRYPT_R, SCRYPT_P, key, sizeof(key));
	sb_init(&sb, 0);
	sb_addf(&sb, "scrypt$%u$%u$%u$", SCRYPT_N, SCRYPT_R, SCRYPT_P);
	hex(&sb, salt, sizeof(salt));
	sb_addc(&sb, '$');
	hex(&sb, key, sizeof(key));
	OPENSSL_cleanse(key, sizeof(key));
	return sb_detach(&sb);
}

bool users_check_password(const char *stored, const char *password)
{
	unsigned long long N;
	unsigned r, p;
	unsigned char salt[64], want[64], got[64];
	const char *s1, *s2;
	size_t nsalt, nkey;
	bool ok;
	if (!stored || sscanf(stored, "scrypt$%llu$%u$%u$", &N, &r, &p) != 3)
		return false;
	if (N < 2 || N > (1u << 20) || (N & (N - 1)) || r < 1 || r > 32 || p < 1 || p > 16)
		return false;
	s1 = strchr(stored + 7, '$');
	s1 = s1 ? strchr(s1 + 1, '$') : NULL;
	s1 = s1 ? strchr(s1 + 1, '$') : NULL;
	s2 = s1 ? strchr(s1 + 1, '$') : NULL;
	if (!s2)
		return false;
	nsalt = unhex(s1 + 1, (size_t)(s2 - s1 - 1), salt, sizeof(salt));
	nkey = unhex(s2 + 1, strlen(s2 + 1), want, sizeof(want));
	if (nsalt == 0 || nkey == 0)
		return false;
	scrypt_key(password, salt, nsalt, N, r, p, got, nkey);
	ok = CRYPTO_memcmp(got, want, nkey) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	return ok;
}

static int set_stations(struct db *db, int64_t uid, char *const *stations, int n, struct errbuf *err)
{
	struct db_stmt *st;
	if (n > USERS_MAX_STATIONS)
		return err_set(err, "at most %d stations per user", USERS_MAX_STATIONS);
	st = db_prepare(db, "DELETE FROM user_stations WHERE user_id = ?1");
	db_bind_int64(st, 1, uid);
	if (db_step_done(db, st, "cannot set the stations", err) < 0)
		return -1;
	for (int i = 0; i < n; i++) {
		int rc;
		if (!stations[i][0] || strlen(stations[i]) > 63 || strchr(stations[i], '/'))
			return err_set(err, "station '%s': not a station name", stations[i]);
		st = db_prepare(db, "INSERT INTO user_stations(user_id, station) VALUES (?1, ?2) ON CONFLICT DO NOTHING");
		db_bind_int64(st, 1, uid);
		db_bind_text(st, 2, stations[i], -1);
		rc = db_step(st);
		db_finalize(st);
		if (rc != DB_DONE)
			return err_set(err, "database: %s", db_errmsg(db));
	}
	return 0;
}

static void describe(struct strbuf *d, enum user_role role, char *const *stations, int n)
{
	if (role)
		sb_addf(d, "role %s", users_role_name(role));
	if (n >= 0) {
		sb_addf(d, "%sstations", d->len ? "; " : "");
		for (int i = 0; i < n; i++)
			sb_addf(d, "%s%s", i ? ", " : " ", stations[i]);
		if (n == 0)
			sb_adds(d, " none");
	}
}

int users_add(struct db *db, const char *name, enum user_role role, char *const *stations, int nstations,
	      const char *password, const char *agent, struct errbuf *err)
{
	struct db_stmt *st;
	char *hash = NULL, obj[96];
	struct strbuf d;
	int rc;
	if (!users_name_ok(name))
		return err_set(err, "user '%s': a name is 1 to 63 of a-z, 0-9, '.', '_', '-'", name);
	if (!role)
		return err_set(err, "user '%s': a role is operator, supervisor, archivist or admin", name);
	if (password && strlen(password) < USERS_MIN_PASSWORD)
		return err_set(err, "user '%s': the password must be at least %d characters", name, USERS_MIN_PASSWORD);
	if (password)
		hash = users_hash_password(password);
	if (db_begin(db, err) < 0) {
		free(hash);
		return -1;
	}
	st = db_prepare(db, "INSERT INTO users(name, role, pw_hash, created) VALUES (?1, ?2, ?3, ?4)");
	db_bind_text(st, 1, name, -1);
	db_bind_text(st, 2, users_role_name(role), -1);
	if (hash)
		db_bind_text(st, 3, hash, -1);
	db_bind_int64(st, 4, now_ms());
	rc = db_step(st);
	db_finalize(st);
	free(hash);
	if (rc != DB_DONE) {
		db_rollback(db);
		return err_set(err, "user '%s': %s", name, rc == DB_CONSTRAINT ? "already exists" : db_errmsg(db));
	}
	if (set_stations(db, db_last_id(db), stations, nstations, err) < 0) {
		db_rollback(db);
		err_prefix(err, "user '%s'", name);
		return -1;
	}
	sb_init(&d, 0);
	describe(&d, role, stations, nstations);
	snprintf(obj, sizeof(obj), "user:%s", name);
	rc = events_add(db, agent, "user management", obj, "success", d.buf);
	sb_release(&d);
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return err_set(err, "user '%s': database: %s", name, db_errmsg(db));
	}
	return 0;
}

int users_set(struct db *db, const char *name, enum user_role role, char *const *stations, int nstations,
	      const char *password, int enable, const char *agent, struct errbuf *err)
{
	struct user u;
	struct db_stmt *st;
	struct strbuf d;
	char obj[96];
	int rc;
	if (password && strlen(password) < USERS_MIN_PASSWORD)
		return err_set(err, "user '%s': the password must be at least %d characters", name, USERS_MIN_PASSWORD);
	if (db_begin(db, err) < 0)
		return -1;
	if (users_get(db, name, &u) != 1) {
		db_rollback(db);
		return err_set(err, "user '%s': no such user", name);
	}
	sb_init(&d, 0);
	if (role) {
		st = db_prepare(db, "UPDATE users SET role = ?2 WHERE id = ?1");
		db_bind_int64(st, 1, u.id);
		db_bind_text(st, 2, users_role_name(role), -1);
		if (db_step_done(db, st, "cannot set the role", err) < 0)
			goto fail;
	}
	if (nstations >= 0 && set_stations(db, u.id, stations, nstations, err) < 0) {
		db_rollback(db);
		sb_release(&d);
		err_prefix(err, "user '%s'", name);
		return -1;
	}
	describe(&d, role, stations, nstations);
	if (password) {
		char *hash = users_hash_password(password);
		st = db_prepare(db, "UPDATE users SET pw_hash = ?2, failed = 0 WHERE id = ?1");
		db_bind_int64(st, 1, u.id);
		db_bind_text(st, 2, hash, -1);
		rc = db_step_done(db, st, "cannot set the password", err);
		free(hash);
		if (rc < 0)
			goto fail;
		sb_addf(&d, "%snew password", d.len ? "; " : "");
	}
	if (enable >= 0) {
		st = db_prepare(db, "UPDATE users SET disabled = ?2 WHERE id = ?1");
		db_bind_int64(st, 1, u.id);
		db_bind_int64(st, 2, !enable);
		if (db_step_done(db, st, "cannot enable or disable the user", err) < 0)
			goto fail;
		sb_addf(&d, "%s%s", d.len ? "; " : "", enable ? "enabled" : "disabled");
	}
	snprintf(obj, sizeof(obj), "user:%s", name);
	rc = events_add(db, agent, "user management", obj, "success", d.len ? d.buf : "no change");
	sb_release(&d);
	if (rc < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return err_set(err, "user '%s': database: %s", name, db_errmsg(db));
	}
	return 0;
fail:
	db_rollback(db);
	sb_release(&d);
	err_prefix(err, "user '%s'", name);
	return -1;
}

int users_get(struct db *db, const char *name, struct user *u)
{
	struct db_stmt *st = db_prepare(db, "SELECT id, name, role, disabled, failed FROM users WHERE name = ?1");
	int found = 0;
	memset(u, 0, sizeof(*u));
	db_bind_text(st, 1, name, -1);
	if (db_step(st) == DB_ROW) {
		found = 1;
		u->id = db_col_int64(st, 0);
		snprintf(u->name, sizeof(u->name), "%s", db_col_text(st, 1));
		u->role = users_role_parse(db_col_text(st, 2));
		u->disabled = db_col_int(st, 3) != 0;
		u->failed = db_col_int(st, 4);
	}
	db_finalize(st);
	if (!found)
		return 0;
	st = db_prepare(db, "SELECT station FROM user_stations WHERE user_id = ?1 ORDER BY station");
	db_bind_int64(st, 1, u->id);
	while (db_step(st) == DB_ROW && u->nstations < USERS_MAX_STATIONS)
		snprintf(u->stations[u->nstations++], sizeof(u->stations[0]), "%s", db_col_text(st, 0));
	db_finalize(st);
	return 1;
}

char *users_password_hash(struct db *db, int64_t user_id)
{
	struct db_stmt *st = db_prepare(db, "SELECT pw_hash FROM users WHERE id = ?1");
	char *h = NULL;
	db_bind_int64(st, 1, user_id);
	if (db_step(st) == DB_ROW)
		h = db_col_strdup(st, 0);
	db_finalize(st);
	return h;
}

void users_login_failed(struct db *db, const char *name, const char *from, int *failures)
{
	struct db_stmt *st = db_prepare(db, "UPDATE users SET failed = failed + 1 WHERE name = ?1 RETURNING failed");
	char obj[96], detail[160];
	int n = 0;
	db_bind_text(st, 1, name, -1);
	if (db_step(st) == DB_ROW)
		n = db_col_int(st, 0);
	db_finalize(st);
	snprintf(obj, sizeof(obj), "user:%.80s", users_name_ok(name) ? name : "(unknown)");
	if (n)
		snprintf(detail, sizeof(detail), "failed login from %s (%d since the last good one)", from, n);
	else
		snprintf(detail, sizeof(detail), "failed login from %s", from);
	events_add(db, "sohoa/serve", "authentication", obj, "failure", detail);
	*failures = n;
}

void users_login_ok(struct db *db, const struct user *u, const char *from)
{
	struct db_stmt *st = db_prepare(db, "UPDATE users SET failed = 0, last_login = ?2 WHERE id = ?1");
	char obj[96], detail[160];
	db_bind_int64(st, 1, u->id);
	db_bind_int64(st, 2, now_ms());
	if (db_step(st) != DB_DONE)
		log_warn("user '%s': cannot record the login: %s", u->name, db_errmsg(db)); /* the login itself stands */
	db_finalize(st);
	snprintf(obj, sizeof(obj), "user:%s", u->name);
	snprintf(detail, sizeof(detail), "login from %s", from);
	events_add(db, "sohoa/serve", "authentication", obj, "success", detail);
}

bool users_has_station(const struct user *u, const char *station)
{
	if (u->role != ROLE_OPERATOR)
		return true;
	for (int i = 0; i < u->nstations; i++)
		if (station && !strcmp(u->stations[i], station))
			return true;
	return false;
}
