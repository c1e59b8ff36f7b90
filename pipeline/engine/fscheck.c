/*
 * fscheck.c - the file system checks of `sohoa fscheck` (see fscheck.h).
 *
 * Every check works on one file of its own (.fscheck-HOST-PID in the
 * folder) through the same calls the pipeline uses (fsio.h), and the file
 * is removed at the end whatever the outcome.  Nothing here changes the
 * workspace.  The mount's type and options come from /proc/self/mountinfo
 * (the longest mount point that holds the folder).
 */
#include "engine/fscheck.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "engine/fsio.h"

static int line(struct strbuf *out, bool ok, const char *what, const char *why)
{
	sb_addf(out, "%s: %s%s%s\n", ok ? "ok" : "FAILED", what, why ? ": " : "", why ? why : "");
	return ok ? 0 : 1;
}

/* The type and options of the mount that holds `dir`. */
static void mount_of(const char *dir, char *type, size_t tsize, char *opts, size_t osize)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char buf[4096];
	size_t best = 0;
	snprintf(type, tsize, "unknown");
	snprintf(opts, osize, "unknown");
	while (f && fgets(buf, sizeof(buf), f)) {
		/* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [TAGS...] - TYPE SOURCE SUPEROPTS */
		char mp[PATH_MAX], mopts[1024], *dash = strstr(buf, " - "), ftype[64], src[1024], sopts[1024];
		size_t n;
		if (!dash || sscanf(buf, "%*s %*s %*s %*s %4095s %1023s", mp, mopts) != 2 ||
		    sscanf(dash + 3, "%63s %1023s %1023s", ftype, src, sopts) != 3)
			continue;
		n = strlen(mp);
		if (strncmp(dir, mp, n) != 0 || (dir[n] != '/' && dir[n] != '\0' && strcmp(mp, "/") != 0) || n < best)
			continue;
		best = n;
		snprintf(type, tsize, "%s", ftype);
		snprintf(opts, osize, "%s,%s", mopts, sopts);
	}
	if (f)
		fclose(f);
}

static bool has_opt(const char *opts, const char *opt)
{
	size_t n = strlen(opt);
	for (const char *p = opts; (p = strstr(p, opt)); p += n)
		if ((p == opts || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return true;
	return false;
}

int fscheck_run(const char *dir, struct strbuf *out)
{
	char host[256] = "", *path, type[64], opts[2048], got[8];
	struct errbuf err;
	int failed = 0, fd, old = -1;
	ssize_t n;
	gethostname(host, sizeof(host) - 1);
	path = xasprintf("%s/.fscheck-%s-%ld", dir, host, (long)getpid());
	err_init(&err);
	if (fsio_write_atomic(path, "A", 1, &err) < 0) {
		failed += line(out, false, "write, fsync, rename, fsync folder", err.msg);
		goto out;
	}
	failed += line(out, true, "write, fsync, rename, fsync folder", NULL);
	old = open(path, O_RDONLY | O_CLOEXEC);
	err_init(&err);
	if (old < 0 || fsio_write_atomic(path, "B", 1, &err) < 0) {
		failed += line(out, false, "rename replaces atomically", old < 0 ? strerror(errno) : err.msg);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		n = fd < 0 ? -1 : read(fd, got, 1);
		if (fd >= 0)
			close(fd);
		if (n != 1 || got[0] != 'B')
			failed += line(out, false, "rename replaces atomically", "the name does not show the new content");
		else if (pread(old, got, 1, 0) != 1 || got[0] != 'A')
			failed += line(out, false, "rename replaces atomically", "the replaced file is not readable to who had it open");
		else
			failed += line(out, true, "rename replaces atomically", NULL);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0 || errno != EEXIST)
		failed += line(out, false, "exclusive create", fd >= 0 ? "an existing name was created again" : strerror(errno));
	else
		failed += line(out, true, "exclusive create", NULL);
	if (fd >= 0)
		close(fd);
	mount_of(dir, type, sizeof(type), opts, sizeof(opts));
	sb_addf(out, "note: file system %s, mount options %s\n", type, opts);
	if (has_opt(opts, "nocto"))
		failed += line(out, false, "close-to-open", "mounted with 'nocto': another host may read old content after a rename");
	else
		failed += line(out, true, "close-to-open", strncmp(type, "nfs", 3) ? "a local file system" : "NFS without 'nocto'");
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
		line(out, true, "flock", NULL);
	else
		sb_addf(out, "note: flock: not available (%s): SQLite needs it; nodes on PostgreSQL do not\n", strerror(errno));
	if (fd >= 0)
		close(fd);
out:
	if (old >= 0)
		close(old);
	unlink(path);
	free(path);
	return failed;
}
