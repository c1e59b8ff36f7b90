/*
 * wake.h - wake-ups between the processes of a workspace: a FIFO per
 * listener in DIR/tmp/ (wake-supervisor, wake-STAGE).  A wake-up is a hint
 * (one byte, never blocking, lost when no one listens); the periodic scan
 * of each listener is the guarantee.  Whoever commits work notifies the
 * supervisor; the supervisor notifies the stages that have work; so an idle
 * pipeline sleeps in poll() instead of asking the database.  On PostgreSQL
 * the supervisors of every node also hear each other's wake-ups through
 * the database (LISTEN/NOTIFY, db.h), so work queued on one host wakes the
 * idle workers of all.
 */
#ifndef SOHOA_WAKE_H
#define SOHOA_WAKE_H

struct db;

/* Make (if missing) and open the FIFO tmp/wake-NAME of the workspace at
 * root, for reading (close-on-exec, non-blocking).  The descriptor, or -1
 * when it cannot (the caller then scans only). */
int wake_open(const char *root, const char *name);
/* Wait until a wake-up arrives on fd (or, when db is not NULL, from the
 * database: db_listen_fd()) or timeout_ms pass; what arrived is read
 * away.  1 woken, 0 timed out, -1 interrupted by a signal. */
int wake_wait(int fd, struct db *db, long timeout_ms);
/* Send a wake-up to NAME; never blocks, never fails (a hint). */
void wake_notify(const char *root, const char *name);
/* Work was queued: wake this host's supervisor and, through db, every
 * other node's. */
void wake_supervisors(const char *root, struct db *db);
/* Remove the FIFO of NAME (the supervisor, at exit, for itself and every
 * stage: tmp/ is left as it was found). */
void wake_remove(const char *root, const char *name);

#endif
