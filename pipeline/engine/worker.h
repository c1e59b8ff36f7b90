/*
 * worker.h - a worker process: serves one stage until worker.max_jobs
 * jobs, worker.idle idle seconds, SIGTERM, or its supervisor's death (see
 * worker.c).  Started by the supervisor as `sohoa worker STAGE`.
 */
#ifndef SOHOA_WORKER_H
#define SOHOA_WORKER_H

#include "engine/util.h"

struct workspace;

/* Exit statuses of a worker process (sysexits): the supervisor does not
 * restart a stage whose worker exits with WORKER_CONFIG. */
#define WORKER_USAGE 64   /* EX_USAGE: no such stage */
#define WORKER_DATAERR 65 /* EX_DATAERR: the pipeline config is wrong */
#define WORKER_CONFIG 78  /* EX_CONFIG: the stage cannot start (missing key, bad setting) */
#define WORKER_TEMPFAIL 75 /* EX_TEMPFAIL: the database is lost or cannot be read; a new worker goes on */

/* Serve `stage` in this process.  Returns 0 when the worker is done (the
 * supervisor starts a fresh one when there is more work), or one of the
 * statuses above with err set.  A stage whose init() fails ends the process
 * with WORKER_CONFIG (log_fatal). */
int worker_run(struct workspace *ws, const char *stage, struct errbuf *err);

#endif
