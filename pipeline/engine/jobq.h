/*
 * jobq.h - the durable job queue.  A job is one stage of one page or one
 * document; its row in `jobs` is the only truth about where the work is.
 *
 *                         jobq_enqueue_*()
 *                                |
 *                                v
 *      jobq_release() ---->  [ ready ] <------------------------------+
 *           ^                    |                                     |
 *           |                    | jobq_claim()   (highest priority    |
 *           |                    v                 + aging first)      |
 *           |               [ claimed ] --- jobq_reclaim_dead(),  -----+
 *           |              /   |     |  \   jobq_expire_leases(),
 *           |   jobq_done()    |     |   \  jobq_recover_all()
 *           |        v         |     |    \   (worker gone: attempt+1)
 *           |     [ done ]     |     |     jobq_hold()
 *           |                  |     |          v
 *           |        jobq_fail()   jobq_quarantine()   [ held ] ---+
 *           |             v               v                        |
 *           |        [ failed ]     [ quarantined ]                |
 *           |      (claimable again    (bad input; kept,           |
 *           |       after not_before;   never deleted)             |
 *           |       after max_attempts          |                  |
 *           |       it is quarantined)          |                  |
 *           +-----------------------------------+------------------+
 *                     jobq_release(): an operator or supervisor decision
 *
 *      document jobs --- jobq_redo_document() ---> [ ready ] first document
 *                        stage (a person corrected its pages or moved them)
 *
 * Invariants: a job is claimed by at most one live worker (claim is one
 * UPDATE under BEGIN IMMEDIATE); a stage's results and the job's new state
 * are committed in one transaction, after the output files are durable;
 * queuing is idempotent (one job per stage and page, or stage and document).
 */
#ifndef SOHOA_JOBQ_H
#define SOHOA_JOBQ_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct pipeline;
struct config;

struct job {
	int64_t id;
	char stage[32];
	int64_t page_id;      /* 0 for document jobs */
	int64_t document_id;  /* 0 for page jobs */
	int attempts;
	double priority;
};

/* Queue a job (no-op if it exists).  Priority is taken from the file the
 * page or document belongs to. */
int jobq_enqueue_page(sqlite3 *db, const char *stage, int64_t page_id);
int jobq_enqueue_doc(sqlite3 *db, const char *stage, int64_t document_id);

/* Claim the most urgent ready job of `stage` for process `pid`.  Returns 1
 * and fills *job, 0 when there is none, -1 on a database error. */
int jobq_claim(sqlite3 *db, const char *stage, long pid, int lease_s, double aging_per_hour,
	       struct job *job, struct errbuf *err);

/* Inside the caller's transaction: is the job still claimed by pid? */
bool jobq_still_mine(sqlite3 *db, int64_t job_id, long pid);

/* Transitions, inside the caller's transaction. */
int jobq_done(sqlite3 *db, const struct job *job);
int jobq_fail(sqlite3 *db, const struct job *job, const char *msg, int max_attempts, int retry_delay_s);
int jobq_quarantine(sqlite3 *db, int64_t job_id, const char *msg);
int jobq_hold(sqlite3 *db, int64_t job_id, const char *msg);
/* held, quarantined or failed -> ready (attempts reset).  Own transaction. */
int jobq_release(sqlite3 *db, int64_t job_id, struct errbuf *err);

/* A document built before (it has document jobs) is built again from its
 * pages: a person corrected their text or moved pages in or out.  Its
 * document jobs that no worker holds are dropped and its first document
 * stage (first_stage, e.g. "pdf") is queued anew, unless it has no pages
 * left; jobq_advance() queues the later stages as the rebuild passes.
 * Returns 1 when a rebuild was queued, 0 when there was nothing to redo
 * (a document not built yet is built from its current pages anyway), -1
 * on a database error.  Inside the caller's transaction. */
int jobq_redo_document(sqlite3 *db, int64_t document_id, const char *first_stage);

/*
 * After a job is done: queue the next stage of its page or document.  When
 * a page passes the last page stage and every page of its batch has, the
 * batch's pages are mapped to documents (docmap) and the first document
 * stage is queued for each (the fan-in).  Inside the caller's transaction.
 */
int jobq_advance(sqlite3 *db, const struct config *cfg, const struct pipeline *pl,
		 const struct job *job, struct errbuf *err);
/* The fan-in check for one batch (also called when an ingest closes):
 * returns how many documents it queued (their file's priority applied),
 * or -1. */
int jobq_fanin(sqlite3 *db, const struct config *cfg, const struct pipeline *pl, int64_t batch_id,
	       struct errbuf *err);

/* Recovery: claimed jobs whose worker is gone go back to ready with one
 * more attempt (quarantined once attempts reach max_attempts).  Each returns
 * the number of jobs put back, or -1.  pid 0 means every claimed job (at
 * supervisor start: in-flight work is never trusted after a restart). */
int jobq_reclaim_dead(sqlite3 *db, long pid, int max_attempts);
int jobq_expire_leases(sqlite3 *db, int max_attempts);  /* periodic scan */

/* Jobs that still need a worker: ready, claimed, or failed awaiting retry. */
int64_t jobq_pending(sqlite3 *db);

#endif
