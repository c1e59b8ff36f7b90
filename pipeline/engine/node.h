/*
 * node.h - the nodes of a workspace: each `sohoa run --node NAME` is one
 * node, a supervisor with its workers on one host.  Several nodes share one
 * database (PostgreSQL) and one workspace folder; on SQLite the workspace
 * lock keeps it to one (supervisor.c).
 *
 * Table nodes(name PRIMARY KEY, host, pid, started, heartbeat, stopped,
 * workers): the supervisor records itself at start (node_register()),
 * writes its heartbeat and what its workers run at every scan
 * (node_heartbeat()), and marks itself stopped at a clean exit
 * (node_stopped()).  A job claimed records the node of its worker
 * (jobs.node, jobq_claim()); a node's supervisor returns only its own
 * workers' jobs (jobq_reclaim_dead(), jobq_reclaim_node()), and the jobs
 * of a node that died come back when their lease expires, through any
 * other node's scan (jobq_expire_leases()).
 */
#ifndef SOHOA_NODE_H
#define SOHOA_NODE_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

#define NODE_NAME_MAX 64

/* The node of this process: the one set by node_set(), else $SOHOA_NODE
 * (the supervisor sets it for its workers), else the host name. */
const char *node_name(void);
/* Set this process's node (and $SOHOA_NODE, for the processes it starts).
 * A name is 1 to 64 of A-Z a-z 0-9 . _ -; -1 with err set otherwise. */
int node_set(const char *name, struct errbuf *err);
/* Is `name` a valid node name? */
bool node_name_ok(const char *name);

/*
 * Record this process as node_name()'s supervisor (its own transaction).
 * Refused (-1, err names the node, its host, pid and last heartbeat) while
 * another live supervisor runs that node: its heartbeat is younger than
 * stale_ms and it has not stopped, unless it was on this host and its
 * process is gone.
 */
int node_register(struct db *db, int64_t stale_ms, struct errbuf *err);
/* The heartbeat, with what the node runs ("capture 1, ocr 2"). */
int node_heartbeat(struct db *db, const char *workers, struct errbuf *err);
/* A clean stop: the node is marked stopped (its jobs were returned). */
int node_stopped(struct db *db, struct errbuf *err);

/* How old a heartbeat may be before status calls the node stale: three
 * supervisor scans, and at least 3 seconds (a heartbeat is written at most once a second). */
int64_t node_stale_ms(long scan_ms);

#endif
