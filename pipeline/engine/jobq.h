/*
 * jobq.h - the durable job queue, and the one owner of every job's and
 * document's state.  A job is one stage of one page, one document, or one
 * batch (the fan-in, a batch stage: stage.h); its row in `jobs` is the only
 * truth about where the work is.  No other file writes a state: they call
 * the functions drawn on the arrows below, each of which checks every
 * statement it runs and writes the audit event of an operator's or
 * supervisor's decision in the same transaction.
 *
 * Job states (enum jobq_state; the names are jobq_state_names[]):
 *
 *                 enqueue
 *                    |
 *                    v        claim               done
 *      +-------> [ ready ] ---------> [ claimed ] ------> [ done ]
 *      |           |   ^   worker gone  |  |  |  \
 *      |      hold |   +----------------+  |  |   \ fail      claim, once due
 *      |   waiting |                  hold |  |    +--> [ failed ] ---+
 *      |      gate v                       v  |                |      |
 *      |        [ held ] <-----------------+  | quarantine,    |      v
 *      |           |                          | last attempt   |  [ claimed ]
 *      |           |                          v                |
 *      |           |                   [ quarantined ]         |
 *      +-----------+-------------------------+-----------------+
 *               release, accept, gate passes
 *
 * Every arrow, with the one function that makes it:
 *
 *   (new)            -> ready        jobq_enqueue_page(), jobq_enqueue_doc(),
 *                                    jobq_enqueue_batch() (through jobq_queue_fanin())
 *   (new)            -> done         jobq_enqueue_passed() (a split page's passed stages)
 *   ready            -> claimed      jobq_claim() (best claim key, then lowest id)
 *   failed           -> claimed      jobq_claim(), once not_before has passed
 *   claimed          -> done         jobq_done()
 *   claimed          -> failed       jobq_fail() (retried after job.retry_delay, doubled)
 *   claimed          -> quarantined  jobq_fail() at the last attempt; jobq_quarantine()
 *   claimed          -> held         jobq_hold() (the stage: needs the operator)
 *   claimed          -> ready        jobq_reclaim_dead(), jobq_expire_leases() (attempt + 1;
 *                                    quarantined instead at the last attempt)
 *   ready, failed    -> held         jobq_hold_waiting() (operator), jobq_gate() (priority
 *                                    gate), jobq_advance() (a page's next job follows the gate)
 *   held (gate)      -> ready        jobq_gate() (the file passes its gate)
 *   held, quarantined, failed -> ready   jobq_release() (operator: retry)
 *   held (by stage)  -> ready        jobq_accept() (operator: accept as is; the stage lets
 *                                    the rule it broke pass)
 *   held, quarantined -> held        jobq_request_rescan() (operator: rescan requested)
 *   held, quarantined -> done        jobq_drop_page() (operator: the page leaves its batch's
 *                                    documents)
 *   document jobs    -> (new)        jobq_restart_doc() (a corrected document starts again)
 *   a page's waiting and stopped jobs -> done   jobq_replace_page() (its rescan replaces it)
 *
 * Document states (enum jobq_doc_state, jobq_doc_state_names[]):
 *
 *     (new) --> [ open ] ------------------------------> [ ready ]
 *       meta_doc_insert()  ^    jobq_doc_ready(): the fan-in job   |
 *       (a new document    |    of its batch commits (every page   |
 *       row: the fan-in,   |    passed the page stages), or the    |
 *       a CSV import,      |    rescan of one of its pages passed  |
 *       'doc map')         |    (jobq_advance()); its first        |
 *                          |    document stage is queued with it   |
 *                          +--- jobq_replace_page(): a page of it is rescanned
 *                               (its document jobs are dropped)
 *
 * The fan-in (how a batch's pages become documents):
 *
 *   page job done at the last page stage --jobq_advance()--+
 *   ingest closes the batch ------------ingest_close()-----+--> jobq_queue_fanin():
 *   operator drops a stopped page ------jobq_drop_page()---+    when every page not
 *   supervisor start-up ----------------recover_fanin()----+    dropped passed, the
 *                                                               batch's fan-in job is
 *   queued (ready, once per batch) --> claimed by a 'fanin' worker: stage run()
 *   plans the documents and reads the priority rules outside any write
 *   transaction; its commit() applies the plan in the worker's short
 *   transaction (documents, open -> ready, first document stage queued,
 *   the file's gate through jobq_gate()) --> done
 *
 * Invariants: a job is claimed by at most one live worker (claim is one
 * UPDATE under BEGIN IMMEDIATE); a stage's results and the job's new state
 * are committed in one transaction, after the output files are durable;
 * queuing is idempotent (one job per stage and page, stage and document, or
 * stage and batch).
 * Every job that stops (failed, quarantined, held) carries an error code
 * (jobs.error_code, enum jobq_error) beside its message.
 *
 * Claim order: highest priority plus aging first, then the lowest id.  The
 * aging term grows alike for every waiting job, so the order is that of the
 * time-independent key priority * 3600000 - aging_per_hour * created (ms),
 * stored as the generated column jobs.claim_key and served by the index
 * jobs_claim(stage, state, claim_key DESC, id): a claim costs O(log n).
 */
#ifndef SOHOA_JOBQ_H
#define SOHOA_JOBQ_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct pipeline;
struct config;

/* Job states; jobq_state_names[] holds the names stored in jobs.state. */
enum jobq_state {
	JOBQ_READY,
	JOBQ_CLAIMED,
	JOBQ_DONE,
	JOBQ_FAILED,
	JOBQ_QUARANTINED,
	JOBQ_HELD,
	JOBQ_NSTATES
};
extern const char *const jobq_state_names[JOBQ_NSTATES];
/* The state of a name, or -1. */
int jobq_state_parse(const char *name);

/* Document states (documents.state). */
enum jobq_doc_state { JOBQ_DOC_OPEN, JOBQ_DOC_READY, JOBQ_DOC_NSTATES };
extern const char *const jobq_doc_state_names[JOBQ_DOC_NSTATES];

/* Why a job stopped (jobs.error_code, beside jobs.error). */
enum jobq_error {
	JOBQ_E_NONE,
	JOBQ_E_STAGE_FAILED,   /* the stage failed (transient); retried */
	JOBQ_E_BAD_INPUT,      /* the stage found bad input; quarantined */
	JOBQ_E_NEEDS_OPERATOR, /* the stage held it for the operator (e.g. under 200 dpi) */
	JOBQ_E_WORKER_DIED,    /* the worker died (signal, lease expired) too often */
	JOBQ_E_PRIORITY_GATE,  /* held by its file's priority gate */
	JOBQ_E_OPERATOR_HOLD,  /* held by the operator or supervisor */
	JOBQ_E_RESCAN,         /* the operator asked for a rescan of the page */
	JOBQ_E_DROPPED,        /* done: the operator dropped the page from its document */
	JOBQ_E_NCODES
};
extern const char *const jobq_error_names[JOBQ_E_NCODES];

struct job {
	int64_t id;
	char stage[32];
	int64_t page_id;      /* 0 for document and batch jobs */
	int64_t document_id;  /* 0 for page and batch jobs */
	int64_t batch_id;     /* 0 for page and document jobs */
	int attempts;
	double priority;
};

/* Queue a job (no-op if it exists).  Priority is taken from the file the
 * page, document or batch belongs to. */
int jobq_enqueue_page(struct db *db, const char *stage, int64_t page_id);
int jobq_enqueue_doc(struct db *db, const char *stage, int64_t document_id);
int jobq_enqueue_batch(struct db *db, const char *stage, int64_t batch_id);

/* Claim the most urgent ready job of `stage` for process `pid` (its own
 * transaction).  Returns 1 and fills *job, 0 when there is none, -1 on a
 * database error.  When aging_per_hour differs from the one the stored
 * keys were made with, the keys of every waiting job are made again first
 * (once per change of the setting). */
int jobq_claim(struct db *db, const char *stage, long pid, int lease_s, double aging_per_hour,
	       struct job *job, struct errbuf *err);

/* Inside the caller's transaction: is the job still claimed by pid? */
bool jobq_still_mine(struct db *db, int64_t job_id, long pid);

/*
 * A worker's transitions of a claimed job, inside the caller's transaction
 * (with the stage's results).  0 or -1 with err set.  jobq_fail() retries
 * after retry_delay_s doubled per attempt, and quarantines at max_attempts;
 * it, jobq_quarantine() and jobq_hold() write their audit event (agent,
 * object "page:N", "document:N" or "batch:N", the message) with the state.
 */
int jobq_done(struct db *db, const struct job *job, struct errbuf *err);
int jobq_fail(struct db *db, const struct job *job, const char *agent, const char *msg, int max_attempts,
	      int retry_delay_s, struct errbuf *err);
int jobq_quarantine(struct db *db, const struct job *job, const char *agent, const char *msg, struct errbuf *err);
int jobq_hold(struct db *db, const struct job *job, const char *agent, const char *msg, struct errbuf *err);

/* Record that a new page (the right half of a split) has passed `stage`
 * (a job already done).  Inside the caller's transaction. */
int jobq_enqueue_passed(struct db *db, const char *stage, int64_t page_id, struct errbuf *err);

/*
 * Operator and supervisor decisions; each in its own transaction, with its
 * audit event ("who" is the agent recorded).  The CLI (`sohoa jobs`) and the
 * web desk call these same functions.
 * jobq_hold_waiting(): ready or failed -> held (error code operator_hold).
 * jobq_release(): held, quarantined or failed -> ready, attempts reset (retry).
 * Each refuses (-1, err names the job and its state) any other state.
 */
int jobq_hold_waiting(struct db *db, int64_t job_id, const char *who, struct errbuf *err);
int jobq_release(struct db *db, int64_t job_id, const char *who, struct errbuf *err);
/*
 * The operator's answers to a stopped page (`sohoa jobs accept|rescan|drop`
 * and the web desk), each with a reason that is recorded with who gave it.
 * jobq_accept(): a job its stage held (e.g. under the profile's dpi) ->
 * ready, marked accepted: the stage lets the rule it broke pass
 * (stage_ctx.accepted) instead of running the same check again.
 * jobq_request_rescan(): a held or quarantined page job stays held, with
 * error code rescan_requested and the reason.  jobq_drop_page(): a held or
 * quarantined page job not yet in a document -> done (error code dropped);
 * the page is left out of its batch's documents, and the batch's fan-in
 * job is queued if it was the last page it waited for.
 */
int jobq_accept(struct db *db, int64_t job_id, const char *who, const char *reason, struct errbuf *err);
int jobq_request_rescan(struct db *db, int64_t job_id, const char *who, const char *reason, struct errbuf *err);
int jobq_drop_page(struct db *db, const struct pipeline *pl, int64_t job_id, const char *who, const char *reason,
		   struct errbuf *err);

/*
 * The priority gate of a file (priority.c decides, this applies), inside
 * the caller's transaction: the file's waiting jobs (ready, failed) take
 * `priority`; with gate_msg they are held (error code priority_gate,
 * message "priority gate: GATE_MSG"), without it the jobs the gate held
 * go back to ready.
 */
int jobq_gate(struct db *db, int64_t file_id, double priority, const char *gate_msg, struct errbuf *err);

/* A corrected document: its document jobs are dropped and `first_stage` is
 * queued for it again (when it still has pages and first_stage is not
 * NULL).  Inside the caller's transaction. */
int jobq_restart_doc(struct db *db, int64_t document_id, const char *first_stage, struct errbuf *err);

/* open -> ready: a document the fan-in formed has all its pages; its first
 * document stage (next_stage, NULL when the pipeline has none) is queued.
 * Inside the caller's (the fan-in's) transaction. */
int jobq_doc_ready(struct db *db, int64_t document_id, const char *next_stage, struct errbuf *err);

/*
 * A rescan (ingest_rescan) replaces a page, inside the caller's
 * transaction: new_page takes old_page's place in its document; old_page's
 * jobs that have not passed end (done, error code dropped), and old_page
 * is dropped (kept, with its master, out of every document).  When old_page
 * was in a document, that document's jobs are dropped and it is open again
 * until new_page has passed the page stages (then jobq_advance() makes it
 * ready and queues its first document stage).
 */
int jobq_replace_page(struct db *db, int64_t old_page, int64_t new_page, const char *who, struct errbuf *err);

/*
 * After a job is done: queue the next stage of its page or document.  When
 * a page passes the last page stage, the batch's fan-in job is queued if
 * every page of the batch has (jobq_queue_fanin()); a batch job's commit
 * queued its documents' first stage itself.  Inside the caller's
 * transaction.
 */
int jobq_advance(struct db *db, const struct pipeline *pl, const struct job *job, struct errbuf *err);
/* The fan-in check for one batch (also when an ingest closes, a page is
 * dropped, and at supervisor start): when the batch is closed and every
 * page not dropped passed the last page stage, its fan-in job (the
 * pipeline's batch stage) is queued, once.  Cheap: two counts and an
 * insert; nothing is read from disk.  Returns 1 when the fan-in is due
 * (queued now or before), 0 when the batch still waits, -1 on a database
 * error.  Inside the caller's transaction. */
int jobq_queue_fanin(struct db *db, const struct pipeline *pl, int64_t batch_id, struct errbuf *err);

/* Recovery: claimed jobs whose worker is gone go back to ready with one
 * more attempt (quarantined once attempts reach max_attempts).  Each returns
 * the number of jobs put back, or -1.  pid 0 means every claimed job (at
 * supervisor start: in-flight work is never trusted after a restart). */
int jobq_reclaim_dead(struct db *db, long pid, int max_attempts);
int jobq_expire_leases(struct db *db, int max_attempts);  /* periodic scan */

/* Jobs that still need a worker: ready, claimed, or failed awaiting retry. */
int64_t jobq_pending(struct db *db);

#endif
