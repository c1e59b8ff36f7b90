/*
 * wake.c - wake-ups as FIFOs in the workspace's tmp/ (see wake.h).
 *
 * A listener opens its FIFO read-write, so that it never sees an end of
 * file when the last writer closes, and polls it.  A writer opens it
 * write-only and non-blocking: with no listener the open fails (ENXIO) and
 * the wake-up is dropped; with a full FIFO the write fails (EAGAIN) and the
 * listener is awake anyway.  Nothing here is durable or trusted: the queue
 * in the database is the truth, and every listener scans it periodically.
 */
#include "engine/wake.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/util.h"

static char *fifo_path(const char *root, const char *name)
{
	return xasprintf("%s/tmp/wake-%s", root, name);
}

int wake_open(const char *root, const char *name)
{
	char *path = fifo_path(root, name);
	int fd;
	if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
		free(path);
		return -1;
	}
	fd = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	return fd;
}

/* A database whose connection is broken (its socket reports an error)
 * is left out of this wait: the caller's next query finds the break and
 * reconnects, instead of this poll() returning at once again and again. */
int wake_wait(int fd, struct db *db, long timeout_ms)
{
	struct pollfd p[2] = {{.fd = fd, .events = POLLIN}, {.fd = db ? db_listen_fd(db) : -1, .events = POLLIN}};
	char buf[256];
	int n, early = p[1].fd >= 0 ? db_take_notifies(db) : 0;
	if (early < 0)
		return wake_wait(fd, NULL, timeout_ms);
	if (early > 0)
		n = 1; /* arrived with an earlier result */
	else
		n = poll(p, 2, timeout_ms > 0x7fffffffL ? 0x7fffffff : (int)timeout_ms);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
	if (p[1].revents && ((p[1].revents & (POLLERR | POLLHUP | POLLNVAL)) || db_take_notifies(db) < 0))
		return wake_wait(fd, NULL, timeout_ms);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	return 1;
}

void wake_remove(const char *root, const char *name)
{
	char *path = fifo_path(root, name);
	unlink(path);
	free(path);
}

void wake_supervisors(const char *root, struct db *db)
{
	wake_notify(root, "supervisor");
	if (db)
		db_notify(db);
}

void wake_notify(const char *root, const char *name)
{
	char *path = fifo_path(root, name);
	int fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC | O_NOFOLLOW);
	free(path);
	if (fd < 0)
		return;
	if (write(fd, "!", 1) < 0) {
		/* full: the listener has wake-ups to read already */
	}
	close(fd);
}
