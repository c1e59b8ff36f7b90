/*
 * supervisor.h - the resident master process behind `sohoa run` (see
 * supervisor.c): starts and restarts one worker process per stage and
 * core, returns dead workers' jobs to the queue, recovers at start-up.
 */
#ifndef SOHOA_SUPERVISOR_H
#define SOHOA_SUPERVISOR_H

#include <stdbool.h>

#include "engine/util.h"

struct workspace;

struct supervisor_opts {
	bool drain;  /* exit once no work is left */
	bool watch;  /* take scans from the hot folders too */
	const char *node; /* this node's name (node.h); NULL: $SOHOA_NODE or the host name */
};

/* Returned by supervisor_run() under drain when a stage with work cannot
 * start its workers (EX_CONFIG, as the worker's own exit). */
#define SUPERVISOR_STUCK 78
/* Returned when another supervisor holds the workspace, or another live
 * supervisor runs the same node (EX_TEMPFAIL). */
#define SUPERVISOR_BUSY 75

/* The workspace's lock, sohoa.lock (flock), that one supervisor holds for
 * its life (also `db migrate`, to keep the workspace stopped); it names
 * the holder (pid, host, node, since when).  The descriptor (close it to
 * let go), or -1 with err naming the holder when another holds it. */
int supervisor_lock(struct workspace *ws, struct errbuf *err);

/* Run until SIGTERM/SIGINT (or, draining, until no work is left).  Returns 0,
 * SUPERVISOR_STUCK, -1 with err set when the pipeline config is wrong, or
 * SUPERVISOR_BUSY with err set when another supervisor holds the workspace
 * (err names it: pid, host, since when) or runs the same node.  -1 with
 * err naming both identities when the workspace folder is not the one the
 * database knows (identity.h). */
int supervisor_run(struct workspace *ws, const struct supervisor_opts *o, struct errbuf *err);

#endif
