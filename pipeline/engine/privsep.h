/*
 * privsep.h - what a worker process may do (Postfix: only the process that
 * signs can read the signing key).  Started by a supervisor running as
 * root, every worker drops to the account that owns the workspace; the
 * signer alone keeps, as its one supplementary group, the group of the
 * signing key (and PIN) file, which is not readable by others (mode 0440
 * or 0640 root:KEYGROUP); every other worker, and the hot-folder watcher,
 * has no group that can read it.  A worker's address space is limited to
 * worker.max_memory plus worker.memory_slack MB (RLIMIT_AS), except under
 * AddressSanitizer, whose shadow memory reserves terabytes of address
 * space: there the limit is not set, and the worker says so once.
 */
#ifndef SOHOA_PRIVSEP_H
#define SOHOA_PRIVSEP_H

#include <stdbool.h>
#include <sys/types.h>

#include "engine/util.h"

struct workspace;

/* In a new worker process for `stage` (after fork, before exec): set its
 * memory limit and, when running as root, drop to the workspace's owner
 * as above.  The role "watch" is the hot-folder watcher.  Returns 0, or -1
 * with err set (the caller must not run the worker then). */
int privsep_worker(const struct workspace *ws, const char *stage, struct errbuf *err);

/* For a process that is not a worker and must keep the right to start
 * one (the supervisor): when running as root, run with the effective user
 * and group of the workspace's owner and no supplementary group; the real
 * and saved ids stay root so that privsep_worker() can still give the
 * signer the key's group.  What this process opens (the hot folder, the
 * database) is opened as the owner.  Returns 0, or -1 with err set. */
int privsep_enter(const struct workspace *ws, struct errbuf *err);

/* For the process that holds key material (the signer): not dumpable (no
 * core file, no ptrace or /proc/PID/mem by the same account) and a core
 * size limit of 0.  Returns 0, or -1 with err set. */
int privsep_protect(struct errbuf *err);

/* true when built with AddressSanitizer. */
bool privsep_asan(void);

#endif
