/*
 * privsep.c - worker privileges and limits (see privsep.h).
 *
 * Order in privsep_worker(): the memory limit first (it needs no
 * privilege), then the groups, the group and last the user, each checked;
 * afterwards regaining root must fail, or the worker is not run.  A
 * supervisor that does not run as root changes no account: the key's
 * protection is then its file mode alone (sigkey_check_mode), and the log
 * says so once.  The workspace's owner is the account: `chown -R sohoa:
 * WORKSPACE` (any unprivileged account; README "Keys and accounts").  A
 * workspace owned by root keeps every worker root, with a warning.
 *
 * Error policy: every failure names what could not be done and why;
 * the caller does not start the worker.
 */
#include "engine/privsep.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/log.h"
#include "engine/workspace.h"

#if defined(__SANITIZE_ADDRESS__)
#define PRIVSEP_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define PRIVSEP_ASAN 1
#endif
#endif

bool privsep_asan(void)
{
#ifdef PRIVSEP_ASAN
	return true;
#else
	return false;
#endif
}

static int limit_memory(const struct workspace *ws, const char *stage, struct errbuf *err)
{
	struct rlimit rl;
	long mb = config_long(ws->cfg, "worker.max_memory") + config_long(ws->cfg, "worker.memory_slack");
	if (privsep_asan()) {
		if (getenv("SOHOA_PRIVSEP_VERBOSE"))
			log_info("worker '%s': worker.max_memory not enforced (RLIMIT_AS): built with AddressSanitizer", stage);
		return 0;
	}
	rl.rlim_cur = rl.rlim_max = (rlim_t)mb << 20;
	if (setrlimit(RLIMIT_AS, &rl) < 0)
		return err_set(err, "worker '%s': cannot limit its memory to %ld MB: %s", stage, mb, strerror(errno));
	return 0;
}

/* For the tests (like SOHOA_CRASH_AT): SOHOA_PRIVSEP_PROBE=PATH makes
 * each process say, once its ids are set, whether it can open PATH. */
static void probe(const char *role)
{
	const char *path = getenv("SOHOA_PRIVSEP_PROBE");
	int fd;
	if (!path || !*path)
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	log_info("privsep: %s (uid %ld, euid %ld): '%s': %s", role, (long)getuid(), (long)geteuid(), path,
		 fd >= 0 ? "can open" : strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The group of a key file, or -1 when it is not a file (a PKCS#11 URI,
 * unset, missing). */
static gid_t file_group(const char *path)
{
	struct stat st;
	if (!path || !*path || !strncmp(path, "pkcs11:", 7) || stat(path, &st) != 0)
		return (gid_t)-1;
	return st.st_gid;
}

int privsep_worker(const struct workspace *ws, const char *stage, struct errbuf *err)
{
	struct stat st;
	gid_t groups[2];
	int ngroups = 0;
	bool signer = !strcmp(stage, "sign");
	if (limit_memory(ws, stage, err) < 0)
		return -1;
	/* A supervisor in privsep_enter() runs with the owner's effective ids
	 * and keeps root as its real and saved ids, for this. */
	if (getuid() == 0 && geteuid() != 0 && (seteuid(0) < 0 || setegid(0) < 0))
		return err_set(err, "worker '%s': cannot regain root to drop it: %s", stage, strerror(errno));
	if (geteuid() != 0) {
		probe(stage);
		return 0;
	}
	if (stat(ws->root, &st) != 0)
		return err_set(err, "worker '%s': cannot read '%s': %s", stage, ws->root, strerror(errno));
	if (st.st_uid == 0) {
		probe(stage);
		return 0;
	}
	if (signer) {
		gid_t k = file_group(config_has(ws->cfg, "sign.key") ? config_str(ws->cfg, "sign.key") : NULL);
		gid_t p = file_group(config_has(ws->cfg, "sign.pin_file") ? config_str(ws->cfg, "sign.pin_file") : NULL);
		if (k != (gid_t)-1 && k != st.st_gid)
			groups[ngroups++] = k;
		if (p != (gid_t)-1 && p != st.st_gid && p != k)
			groups[ngroups++] = p;
	}
	if (setgroups((size_t)ngroups, groups) < 0)
		return err_set(err, "worker '%s': cannot set its groups: %s", stage, strerror(errno));
	if (setresgid(st.st_gid, st.st_gid, st.st_gid) < 0)
		return err_set(err, "worker '%s': cannot change to group %ld: %s", stage, (long)st.st_gid, strerror(errno));
	if (setresuid(st.st_uid, st.st_uid, st.st_uid) < 0)
		return err_set(err, "worker '%s': cannot change to user %ld: %s", stage, (long)st.st_uid, strerror(errno));
	if (setuid(0) == 0 || geteuid() == 0)
		return err_set(err, "worker '%s': could regain root after dropping it", stage);
	probe(stage);
	return 0;
}

int privsep_enter(const struct workspace *ws, struct errbuf *err)
{
	struct stat st;
	if (geteuid() != 0)
		return 0;
	if (stat(ws->root, &st) != 0)
		return err_set(err, "cannot read '%s': %s", ws->root, strerror(errno));
	if (st.st_uid == 0) {
		log_warn("workers run as root: the workspace '%s' is owned by root; chown it to an unprivileged account (README: keys and accounts)", ws->root);
		return 0;
	}
	if (setgroups(0, NULL) < 0 || setresgid((gid_t)-1, st.st_gid, (gid_t)-1) < 0 ||
	    setresuid((uid_t)-1, st.st_uid, (uid_t)-1) < 0)
		return err_set(err, "cannot run as the owner of '%s' (uid %ld): %s", ws->root, (long)st.st_uid, strerror(errno));
	probe("supervisor");
	return 0;
}

int privsep_protect(struct errbuf *err)
{
	struct rlimit rl = {0, 0};
	if (setrlimit(RLIMIT_CORE, &rl) < 0)
		return err_set(err, "cannot turn core dumps off: %s", strerror(errno));
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		return err_set(err, "cannot make the process non-dumpable: %s", strerror(errno));
	if (getenv("SOHOA_PRIVSEP_PROBE")) {
		getrlimit(RLIMIT_CORE, &rl);
		log_info("privsep: key holder: dumpable %d, core limit %ld", prctl(PR_GET_DUMPABLE, 0, 0, 0, 0), (long)rl.rlim_cur);
	}
	return 0;
}
