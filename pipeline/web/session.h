/*
 * session.h - the desk's login sessions, kept in the server's memory (a
 * restart logs everyone out).  A session has a random id (the cookie), a
 * random CSRF token that every POST must carry, its user and the time of
 * its last request; it ends at logout or after serve.idle_timeout seconds
 * without a request.  Not thread-safe: the server calls it under its lock.
 */
#ifndef SOHOA_SESSION_H
#define SOHOA_SESSION_H

#include <stdint.h>

#define SESSION_MAX 1024

struct session {
	char id[65];       /* 32 random bytes, hex */
	char csrf[65];
	char user[64];
	int64_t last_ms;
};

/* A new session for user (the oldest is dropped when the table is full). */
const struct session *session_new(const char *user, int64_t now);
/* The live session with this id, its idle clock restarted; NULL when none
 * or expired (an expired one is dropped). */
struct session *session_find(const char *id, int64_t now, int64_t idle_ms);
void session_drop(const char *id);
/* End every session of a user (disabled, password changed). */
void session_drop_user(const char *user);
/* 32 random bytes as 64 hex digits and a NUL into out[65]. */
void session_random_hex(char *out);
/* Constant-time comparison of two tokens. */
int session_token_eq(const char *a, const char *b);

#endif
