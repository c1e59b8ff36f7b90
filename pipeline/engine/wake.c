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

int wake_wait(int fd, long timeout_ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	char buf[256];
	int n = poll(&p, 1, timeout_ms > 0x7fffffffL ? 0x7fffffff : (int)timeout_ms);
	if (n < 0)
		return -1;
	if (n == 0)
		return 0;
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
