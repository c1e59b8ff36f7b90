/*
 * node.c - the nodes of a workspace (see node.h): this process's node name,
 * and the supervisor's row in `nodes` (registration, heartbeat, stop).
 *
 * The row is the node's word about itself; nothing depends on it for
 * correctness: a job's owner is jobs.node and its lease (jobq.h), so a node
 * whose heartbeat stopped loses nothing but its place in `sohoa status`.
 * Errors name the node; the row is written in short transactions of its own.
 */
#include "engine/node.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/db.h"

static char self[NODE_NAME_MAX + 1];

static bool name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool node_name_ok(const char *name)
{
	size_t n = strlen(name);
	if (n == 0 || n > NODE_NAME_MAX)
		return false;
	for (const char *c = name; *c; c++)
		if (!name_char(*c))
			return false;
	return true;
}

static void host_name(char *buf, size_t size)
{
	if (gethostname(buf, size - 1) < 0 || !*buf)
		snprintf(buf, size, "localhost");
	buf[size - 1] = '\0';
}

const char *node_name(void)
{
	if (!*self) {
		const char *env = getenv("SOHOA_NODE");
		char host[256];
		if (env && node_name_ok(env)) {
			snprintf(self, sizeof(self), "%s", env);
		} else {
			host_name(host, sizeof(host));
			/* a host name holds nothing else; a long one is cut */
			memcpy(self, host, NODE_NAME_MAX);
			self[NODE_NAME_MAX] = '\0';
			for (char *c = self; *c; c++)
				if (!name_char(*c))
					*c = '-';
		}
	}
	return self;
}

int node_set(const char *name, struct errbuf *err)
{
	if (!node_name_ok(name))
		return err_set(err, "node name '%s' is not 1 to %d of A-Z a-z 0-9 . _ -", name, NODE_NAME_MAX);
	if (name != self) /* node_set(node_name()): only the environment */
		snprintf(self, sizeof(self), "%s", name);
	setenv("SOHOA_NODE", self, 1);
	return 0;
}

int64_t node_stale_ms(long scan_ms)
{
	int64_t ms = 3 * (int64_t)scan_ms;
	return ms < 3000 ? 3000 : ms;
}

int node_register(struct db *db, int64_t stale_ms, struct errbuf *err)
{
	char host[256];
	struct db_stmt *st;
	int64_t now = now_ms();
	host_name(host, sizeof(host));
	if (db_begin(db, err) < 0)
		return err_prefix(err, "node '%s'", node_name()), -1;
	st = db_prepare(db, "SELECT host, pid, heartbeat FROM nodes WHERE name = ?1 AND stopped IS NULL");
	db_bind_text(st, 1, node_name(), -1);
	if (db_step(st) == DB_ROW) {
		const char *h = db_col_text(st, 0);
		long pid = (long)db_col_int64(st, 1);
		int64_t beat = db_col_int64(st, 2);
		bool here = h && !strcmp(h, host);
		bool gone = here && (pid == (long)getpid() || (kill((pid_t)pid, 0) < 0 && errno == ESRCH));
		if (now - beat < stale_ms && !gone) {
			err_set(err, "node '%s' is running: pid %ld on host %s, last heartbeat %lld s ago; give this one another --node",
				node_name(), pid, h ? h : "?", (long long)((now - beat) / 1000));
			db_finalize(st);
			db_rollback(db);
			return -1;
		}
	}
	db_finalize(st);
	st = db_prepare(db, "INSERT INTO nodes(name, host, pid, started, heartbeat, stopped, workers) VALUES (?1, ?2, ?3, ?4, ?4, NULL, '')"
			    " ON CONFLICT(name) DO UPDATE SET host = excluded.host, pid = excluded.pid, started = excluded.started,"
			    " heartbeat = excluded.heartbeat, stopped = NULL, workers = ''");
	db_bind_text(st, 1, node_name(), -1);
	db_bind_text(st, 2, host, -1);
	db_bind_int64(st, 3, (int64_t)getpid());
	db_bind_int64(st, 4, now);
	if (db_step_done(db, st, "cannot record the node", err) < 0 || db_commit(db, err) < 0) {
		db_rollback(db);
		return err_prefix(err, "node '%s'", node_name()), -1;
	}
	return 0;
}

static int node_update(struct db *db, const char *sql, const char *workers, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, sql);
	db_bind_text(st, 1, node_name(), -1);
	db_bind_int64(st, 2, now_ms());
	db_bind_int64(st, 3, (int64_t)getpid());
	if (workers)
		db_bind_text(st, 4, workers, -1);
	if (db_step_done(db, st, "cannot record the node's heartbeat", err) < 0)
		return err_prefix(err, "node '%s'", node_name()), -1;
	return 0;
}

int node_heartbeat(struct db *db, const char *workers, struct errbuf *err)
{
	return node_update(db, "UPDATE nodes SET heartbeat = ?2, workers = ?4 WHERE name = ?1 AND pid = ?3", workers, err);
}

int node_stopped(struct db *db, struct errbuf *err)
{
	return node_update(db, "UPDATE nodes SET heartbeat = ?2, stopped = ?2, workers = '' WHERE name = ?1 AND pid = ?3", NULL,
			   err);
}
