/*
 * users.h - the people who use the desk: name, role, stations, password.
 * Stored in the workspace database (tables users, user_stations).  A
 * password is kept only as an scrypt hash (OpenSSL 3 EVP_KDF "SCRYPT"):
 *   scrypt$N$r$p$<salt hex>$<key hex>
 * and never logged.  Every change writes an audit event
 * ("user management") with the agent that made it.
 *
 * Roles: operator (their stations' batches), supervisor (every station,
 * queues, priorities), archivist (fonds, files, metadata, exports), admin
 * (users, and everything a supervisor sees).
 */
#ifndef SOHOA_USERS_H
#define SOHOA_USERS_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

enum user_role {
	ROLE_OPERATOR = 1,
	ROLE_SUPERVISOR = 2,
	ROLE_ARCHIVIST = 4,
	ROLE_ADMIN = 8,
};
#define ROLE_ANY (ROLE_OPERATOR | ROLE_SUPERVISOR | ROLE_ARCHIVIST | ROLE_ADMIN)

#define USERS_MAX_STATIONS 16
#define USERS_MIN_PASSWORD 8

struct user {
	int64_t id;
	char name[64];
	enum user_role role;
	bool disabled;
	int failed;                      /* failed logins since the last good one */
	int nstations;
	char stations[USERS_MAX_STATIONS][64];
};

/* "operator" -> ROLE_OPERATOR; 0 when the word is not a role. */
enum user_role users_role_parse(const char *s);
const char *users_role_name(enum user_role r);
/* A user name: 1-63 of [a-z0-9._-], starting with a letter or digit. */
bool users_name_ok(const char *name);

/* Hash a password (a new random salt); caller frees. */
char *users_hash_password(const char *password);
/* Does password match the stored hash?  Constant time in the key. */
bool users_check_password(const char *stored, const char *password);

/* Add a user.  stations may be empty.  password may be NULL (the user
 * cannot log in until one is set).  Own transaction. */
int users_add(struct db *db, const char *name, enum user_role role, char *const *stations, int nstations,
	      const char *password, const char *agent, struct errbuf *err);
/* Change a user: role 0 keeps it; nstations < 0 keeps the stations;
 * password NULL keeps it; enable: -1 keep, 0 disable, 1 enable. */
int users_set(struct db *db, const char *name, enum user_role role, char *const *stations, int nstations,
	      const char *password, int enable, const char *agent, struct errbuf *err);
/* Load a user by name: 1 found, 0 none. */
int users_get(struct db *db, const char *name, struct user *u);
/* The stored hash (caller frees), NULL when none. */
char *users_password_hash(struct db *db, int64_t user_id);
/* Count a failed login (and its audit event); reset on success. */
void users_login_failed(struct db *db, const char *name, const char *from, int *failures);
void users_login_ok(struct db *db, const struct user *u, const char *from);
/* May this user see the station's batches? */
bool users_has_station(const struct user *u, const char *station);

#endif
