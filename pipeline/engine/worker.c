/*
 * worker.c - a worker process: serves one stage, claims its jobs in
 * priority order, runs the stage, and commits the results with the job's new
 * state in one transaction (after the stage made its files durable).
 *
 * A worker exits after worker.max_jobs jobs or worker.idle idle seconds, on
 * SIGTERM after the job in hand, and when its supervisor dies (parent-death
 * signal), so library leaks stay bounded and a crash costs one job.  A
 * commit whose job is no longer claimed by this process (lease expired and
 * reclaimed) is dropped: the job is redone by its new owner, never twice
 * committed.  A batch stage's commit() hook (the fan-in) writes what its
 * run() planned inside that same transaction, after the job is known to be
 * still this worker's; when it finds its input changed, the transaction is
 * rolled back and the job is retried.  The stage_* functions a stage calls
 * are in stage.c.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/db.h"
#include "engine/events.h"
#include "engine/fsio.h"
#include "engine/jobq.h"
#include "engine/log.h"
#include "engine/registry.h"
#include "engine/search.h"
#include "engine/stage.h"
#include "engine/stage_result.h"
#include "engine/wake.h"
#include "engine/worker.h"
#include "engine/workspace.h"

static volatile sig_atomic_t stop_requested;

static void on_term(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static char *abs_path(const char *root, struct db_stmt *st, int col)
{
	return workspace_abs(root, db_col_text(st, col));
}

static void page_free(struct stage_page *p)
{
	if (!p)
		return;
	free((char *)p->src_name);
	free((char *)p->master_path);
	free((char *)p->access_path);
	free((char *)p->profile);
	free((char *)p->colour);
	free((char *)p->text_path);
	free((char *)p->hocr_path);
	free((char *)p->alto_path);
	free(p);
}

/* The database cannot be read: the environment is broken, not the input
 * (the supervisor restarts the worker and the job is redone). */
static void unreadable(struct db *db, const char *what, int64_t id)
{
	log_fatal(WORKER_TEMPFAIL, "cannot read %s %lld: %s", what, (long long)id, db_errmsg(db));
}

/* A lost connection (PostgreSQL: cut, the server restarted) fails every
 * statement that follows: one line names the database and why, and the
 * worker exits for a new one with a connection of its own.  What the
 * server had not committed it rolled back; a job this worker still holds
 * is claimed in the database, and goes back to ready when the supervisor
 * sees this worker end, or else when its lease ends: nothing is lost, and
 * nothing committed twice (a late commit finds the job no longer mine). */
static void exit_if_lost(struct db *db, int64_t job_id)
{
	if (!db_lost(db))
		return;
	if (job_id)
		log_fatal(WORKER_TEMPFAIL, "job %lld: %s; exiting for a new worker (the job goes back to ready)", (long long)job_id,
			  db_errmsg(db));
	log_fatal(WORKER_TEMPFAIL, "%s; exiting for a new worker", db_errmsg(db));
}

static struct stage_page *page_load(struct db *db, const char *root, int64_t id)
{
	struct stage_page *p = NULL;
	int rc;
	struct db_stmt *st = db_prepare(db,
		"SELECT p.id, p.batch_id, COALESCE(p.document_id, 0), p.seq, m.src_name, m.path, p.img_index,"
		" p.access_path, b.profile, COALESCE(p.width, 0), COALESCE(p.height, 0), COALESCE(p.dpi, 0),"
		" COALESCE(p.bits, 0), p.colour, p.blank, COALESCE(p.ocr_conf, -1), COALESCE(p.orient, -1),"
		" COALESCE(p.skew, 0), p.text_path, p.hocr_path, p.alto_path"
		" FROM pages p JOIN masters m ON m.id = p.master_id JOIN batches b ON b.id = p.batch_id WHERE p.id = ?1");
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		p = xcalloc(1, sizeof(*p));
		p->id = db_col_int64(st, 0);
		p->batch_id = db_col_int64(st, 1);
		p->document_id = db_col_int64(st, 2);
		p->seq = db_col_int(st, 3);
		p->src_name = db_col_strdup(st, 4);
		p->master_path = abs_path(root, st, 5);
		p->img_index = db_col_int(st, 6);
		p->access_path = abs_path(root, st, 7);
		p->profile = db_col_strdup(st, 8);
		p->width = db_col_int(st, 9);
		p->height = db_col_int(st, 10);
		p->dpi = db_col_int(st, 11);
		p->bits = db_col_int(st, 12);
		p->colour = db_col_strdup(st, 13);
		p->blank = db_col_int(st, 14) != 0;
		p->ocr_conf = db_col_double(st, 15);
		p->orient = db_col_int(st, 16);
		p->skew = db_col_double(st, 17);
		p->text_path = abs_path(root, st, 18);
		p->hocr_path = abs_path(root, st, 19);
		p->alto_path = abs_path(root, st, 20);
	} else if (rc != DB_DONE) {
		unreadable(db, "page", id);
	}
	db_finalize(st);
	return p;
}

static void doc_free(struct stage_doc *d)
{
	if (!d)
		return;
	for (int i = 0; i < d->npages; i++) {
		free((char *)d->pages[i].access_path);
		free((char *)d->pages[i].hocr_path);
		free((char *)d->pages[i].text_path);
		free((char *)d->pages[i].colour);
	}
	free(d->pages);
	free((char *)d->name);
	free((char *)d->file_code);
	free((char *)d->title);
	free((char *)d->pdf_path);
	free(d);
}

static struct stage_doc *doc_load(struct db *db, const char *root, int64_t id)
{
	struct stage_doc *d = NULL;
	int rc;
	struct db_stmt *st = db_prepare(db,
		"SELECT d.id, d.name, COALESCE(f.file_code, b.file_code, ''),"
		" COALESCE(d.title, (SELECT value FROM meta WHERE object = 'document' AND object_id = d.id AND field = 'subject'),"
		" f.title, ''), d.pdf_path"
		" FROM documents d LEFT JOIN files f ON f.id = d.file_id LEFT JOIN batches b ON b.id = d.batch_id"
		" WHERE d.id = ?1");
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		d = xcalloc(1, sizeof(*d));
		d->id = db_col_int64(st, 0);
		d->name = db_col_strdup(st, 1);
		d->file_code = db_col_strdup(st, 2);
		d->title = db_col_strdup(st, 3);
		d->pdf_path = abs_path(root, st, 4);
	} else if (rc != DB_DONE) {
		unreadable(db, "document", id);
	}
	db_finalize(st);
	if (!d)
		return NULL;
	st = db_prepare(db, "SELECT id, access_path, hocr_path, text_path, COALESCE(width, 0), COALESCE(height, 0),"
			    " COALESCE(dpi, 0), colour, blank FROM pages WHERE document_id = ?1 ORDER BY batch_id, seq, id");
	db_bind_int64(st, 1, id);
	while ((rc = db_step(st)) == DB_ROW) {
		struct stage_doc_page *p;
		d->pages = xrealloc(d->pages, sizeof(*d->pages) * (size_t)(d->npages + 1));
		p = &d->pages[d->npages++];
		p->id = db_col_int64(st, 0);
		p->access_path = abs_path(root, st, 1);
		p->hocr_path = abs_path(root, st, 2);
		p->text_path = abs_path(root, st, 3);
		p->width = db_col_int(st, 4);
		p->height = db_col_int(st, 5);
		p->dpi = db_col_int(st, 6);
		p->colour = db_col_strdup(st, 7);
		p->blank = db_col_int(st, 8) != 0;
	}
	if (rc != DB_DONE)
		unreadable(db, "the pages of document", id);
	db_finalize(st);
	return d;
}

static void batch_free(struct stage_batch *b)
{
	if (!b)
		return;
	free((char *)b->file_code);
	free((char *)b->profile);
	free(b);
}

static struct stage_batch *batch_load(struct db *db, int64_t id)
{
	struct stage_batch *b = NULL;
	int rc;
	struct db_stmt *st = db_prepare(db, "SELECT id, COALESCE(file_code, ''), profile, npages FROM batches WHERE id = ?1");
	db_bind_int64(st, 1, id);
	if ((rc = db_step(st)) == DB_ROW) {
		b = xcalloc(1, sizeof(*b));
		b->id = db_col_int64(st, 0);
		b->file_code = db_col_strdup(st, 1);
		b->profile = db_col_strdup(st, 2);
		b->npages = db_col_int(st, 3);
	} else if (rc != DB_DONE) {
		unreadable(db, "batch", id);
	}
	db_finalize(st);
	return b;
}

static int apply_values(struct db *db, const char *root, struct stage_ctx *ctx, struct errbuf *err)
{
	struct stage_result *r = ctx->res;
	const char *table = ctx->page ? "pages" : "documents";
	int64_t id;
	if (!ctx->page && !ctx->doc)
		return r->nv ? err_set(err, "a batch stage records no values") : 0;
	id = ctx->page ? ctx->page->id : ctx->doc->id;
	for (int i = 0; i < r->nv; i++) {
		struct stage_result_val *v = &r->v[i];
		char *sql;
		struct db_stmt *st;
		int rc;
		if (strcmp(v->col, "note") == 0)
			sql = xasprintf("UPDATE %s SET note = CASE WHEN note IS NULL OR note = '' THEN ?1"
					" ELSE note || '; ' || ?1 END WHERE id = ?2", table);
		else
			sql = xasprintf("UPDATE %s SET %s = ?1 WHERE id = ?2", table, v->col);
		if (!ctx->page && strcmp(v->col, "note") == 0) {
			free(sql);
			continue; /* documents keep notes in events */
		}
		st = db_prepare(db, sql);
		if (v->type == STAGE_V_INT)
			db_bind_int64(st, 1, v->i);
		else if (v->type == STAGE_V_DOUBLE)
			db_bind_double(st, 1, v->d);
		else if (str_ends(v->col, "_path"))
			db_bind_text(st, 1, workspace_rel(root, v->s), -1);
		else
			db_bind_text(st, 1, v->s, -1);
		db_bind_int64(st, 2, id);
		rc = db_step(st);
		db_finalize(st);
		free(sql);
		if (rc != DB_DONE)
			return err_set(err, "cannot record '%s': %s", v->col, db_errmsg(db));
		if (ctx->page && strcmp(v->col, "text_path") == 0)
			search_index_page(db, root, id); /* the search index follows the OCR text, in this commit */
	}
	return 0;
}

/* Insert the right half of a facing-page split as a new page after this one. */
static int apply_split(struct db *db, const char *root, struct stage_ctx *ctx, const struct pipeline *pl,
		       struct errbuf *err)
{
	struct db_stmt *st;
	int64_t new_id;
	int i = registry_index(pl, ctx->stage);
	st = db_prepare(db, "INSERT INTO pages(batch_id, master_id, img_index, seq, document_id, split_of, width, height,"
			    " dpi, bits, colour, access_path, orient, orient_conf, skew, note, created)"
			    " SELECT batch_id, master_id, img_index, seq, document_id, id, width, height, dpi, bits, colour,"
			    " ?2, orient, orient_conf, skew, ?3, ?4 FROM pages WHERE id = ?1");
	db_bind_int64(st, 1, ctx->page->id);
	db_bind_text(st, 2, workspace_rel(root, ctx->res->split_path), -1);
	db_bind_text(st, 3, ctx->res->split_note, -1);
	db_bind_int64(st, 4, now_ms());
	if (db_step(st) != DB_DONE) {
		db_finalize(st);
		return err_set(err, "cannot record the split page: %s", db_errmsg(db));
	}
	db_finalize(st);
	new_id = db_last_id(db);
	/* The new page has passed every stage up to this one. */
	for (int k = 0; k <= i; k++)
		if (jobq_enqueue_passed(db, pl->stage[k]->name, new_id, err) < 0)
			return -1;
	if (i < pl->last_page && jobq_enqueue_page(db, pl->stage[i + 1]->name, new_id) < 0)
		return err_set(err, "page %lld: cannot queue: %s", (long long)new_id, db_errmsg(db));
	return 0;
}

/* Bad input is kept in quarantine/ with its reason, never deleted. */
static void quarantine_copy(struct stage_ctx *ctx, const char *reason)
{
	struct errbuf err;
	char *dst, *why;
	if (!ctx->page || !ctx->page->master_path)
		return;
	err_init(&err);
	dst = xasprintf("%s/quarantine/page-%lld-%s", ctx->workspace, (long long)ctx->page->id, path_base(ctx->page->src_name));
	why = xasprintf("%s.reason.txt", dst);
	if (link(ctx->page->master_path, dst) < 0 && errno != EEXIST)
		fsio_copy_atomic(ctx->page->master_path, dst, 0444, NULL, NULL, &err);
	fsio_write_atomic(why, reason, strlen(reason), &err);
	if (err.set)
		log_warn("job %lld: %s", (long long)ctx->job_id, err.msg);
	free(dst);
	free(why);
}

/* Begin the commit: 1 when the job is still this worker's (the
 * transaction open), 0 when it is not (nothing to do), -1 on error. */
static int begin_mine(struct db *db, const struct job *job, struct errbuf *err)
{
	if (db_begin(db, err) < 0)
		return -1;
	if (!jobq_still_mine(db, job->id, (long)getpid())) {
		db_rollback(db);
		log_warn("job %lld: %s: no longer mine (lease expired); its new owner redoes it", (long long)job->id, job->stage);
		return 0;
	}
	return 1;
}

static int commit(struct workspace *ws, const struct pipeline *pl, const struct stage *s, struct stage_ctx *ctx,
		  const struct job *job, enum stage_rc rc, const char *msg)
{
	struct errbuf err;
	char object[64], agent[64], *own_msg = NULL;
	struct db *db = ws->db;
	int mine;
	err_init(&err);
	if (ctx->page)
		snprintf(object, sizeof(object), "page:%lld", (long long)ctx->page->id);
	else if (ctx->batch)
		snprintf(object, sizeof(object), "batch:%lld", (long long)ctx->batch->id);
	else
		snprintf(object, sizeof(object), "document:%lld", (long long)ctx->doc->id);
	snprintf(agent, sizeof(agent), "sohoa/%s", job->stage);
	if (rc == STAGE_BAD)
		quarantine_copy(ctx, msg);
	if ((mine = begin_mine(db, job, &err)) <= 0)
		goto not_mine;
	if (rc == STAGE_OK && s->commit) {
		struct errbuf why;
		enum stage_rc crc;
		err_init(&why);
		crc = s->commit(ctx, db, &why);
		if (crc != STAGE_OK) {
			/* Nothing of the plan stays; the job takes the hook's result
			 * (and run()'s events go with the plan). */
			db_rollback(db);
			if (!why.set)
				err_set(&why, "failed without saying why");
			own_msg = xasprintf("%s: %s", s->name, why.msg);
			msg = own_msg;
			rc = crc;
			log_warn("job %lld: %s", (long long)job->id, msg);
			stage_result_release(ctx->res);
			if ((mine = begin_mine(db, job, &err)) <= 0)
				goto not_mine;
		}
	}
	if (apply_values(db, ws->root, ctx, &err) < 0)
		goto fail_rollback;
	for (int i = 0; i < ctx->res->ne; i++)
		if (events_add_job(db, job->id, agent, ctx->res->e[i].type, object, ctx->res->e[i].outcome,
				   ctx->res->e[i].detail) < 0) {
			err_set(&err, "cannot record an event: %s", db_errmsg(db));
			goto fail_rollback;
		}
	switch (rc) {
	case STAGE_OK:
		if (ctx->res->split_path && apply_split(db, ws->root, ctx, pl, &err) < 0)
			goto fail_rollback;
		if (jobq_done(db, job, &err) < 0 || jobq_advance(db, pl, job, &err) < 0)
			goto fail_rollback;
		break;
	case STAGE_RETRY:
		if (jobq_fail(db, job, agent, msg, (int)config_long(ws->cfg, "job.max_attempts"),
			      (int)config_long(ws->cfg, "job.retry_delay"), &err) < 0)
			goto fail_rollback;
		break;
	case STAGE_BAD:
		if (jobq_quarantine(db, job, agent, msg, &err) < 0)
			goto fail_rollback;
		break;
	case STAGE_HOLD:
		if (jobq_hold(db, job, agent, msg, &err) < 0)
			goto fail_rollback;
		break;
	}
	fsio_crashpoint("commit");
	if (db_commit(db, &err) < 0)
		goto fail_rollback;
	free(own_msg);
	return 0;
not_mine:
	free(own_msg);
	if (mine == 0)
		return 0;
	goto fail;
fail_rollback:
	db_rollback(db);
	free(own_msg);
fail:
	exit_if_lost(db, job->id);
	log_warn("job %lld: %s: cannot commit: %s", (long long)job->id, job->stage, err.msg);
	return -1;
}

static void run_one(struct workspace *ws, const struct pipeline *pl, const struct stage *s, struct stage_ctx *ctx,
		    const struct job *job)
{
	struct stage_result res = {0};
	struct errbuf err;
	enum stage_rc rc;
	char *msg, *accepted = NULL;
	err_init(&err);
	ctx->job_id = job->id;
	ctx->res = &res;
	ctx->page = NULL;
	ctx->doc = NULL;
	ctx->batch = NULL;
	ctx->accepted = NULL;
	{
		struct db_stmt *st = db_prepare(ws->db, "SELECT accepted FROM jobs WHERE id = ?1");
		db_bind_int64(st, 1, job->id);
		if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL)
			accepted = db_col_strdup(st, 0);
		db_finalize(st);
		ctx->accepted = accepted;
	}
	if (job->page_id)
		ctx->page = page_load(ws->db, ws->root, job->page_id);
	else if (job->batch_id)
		ctx->batch = batch_load(ws->db, job->batch_id);
	else
		ctx->doc = doc_load(ws->db, ws->root, job->document_id);
	if (!ctx->page && !ctx->doc && !ctx->batch) {
		rc = STAGE_BAD;
		err_set(&err, "its page, document or batch is gone");
	} else {
		rc = s->run(ctx, &err);
	}
	if (rc != STAGE_OK && !err.set)
		err_set(&err, "failed without saying why");
	msg = xasprintf("%s: %s", s->name, err.msg);
	if (rc != STAGE_OK)
		log_warn("job %lld: %s", (long long)job->id, msg);
	commit(ws, pl, s, ctx, job, rc, msg);
	free(msg);
	stage_result_release(&res);
	page_free(ctx->page);
	doc_free(ctx->doc);
	batch_free(ctx->batch);
	ctx->page = NULL;
	ctx->doc = NULL;
	ctx->batch = NULL;
	ctx->res = NULL; /* res lives on this frame */
	ctx->accepted = NULL;
	free(accepted);
}

int worker_run(struct workspace *ws, const char *stage, struct errbuf *err)
{
	struct pipeline pl;
	struct stage_ctx ctx;
	const struct stage *s;
	long max_jobs, idle_ms, scan_ms, done = 0;
	int64_t idle_since;
	int wfd, claim_errors = 0;
	char who[64];

	s = registry_find(stage);
	if (!s) {
		err_set(err, "unknown stage '%s'", stage);
		return WORKER_USAGE;
	}
	if (registry_pipeline(ws->cfg, &pl, err) < 0)
		return WORKER_DATAERR;
	snprintf(who, sizeof(who), "worker %s", s->name);
	log_set_who(who);
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		return 0; /* the supervisor is already gone */
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	max_jobs = config_long(ws->cfg, "worker.max_jobs");
	idle_ms = config_long(ws->cfg, "worker.idle") * 1000;
	scan_ms = config_long(ws->cfg, "worker.scan_ms");
	wfd = wake_open(ws->root, s->name);
	idle_since = now_ms();
	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = ws->cfg;
	ctx.workspace = ws->root;
	ctx.stage = s->name;
	ctx.db = ws->db;
	{
		int i = registry_index(&pl, s->name);
		ctx.next_stage = i >= 0 && i + 1 < pl.n ? pl.stage[i + 1]->name : NULL;
	}
	if (s->init && s->init(&ctx, err) < 0) {
		/* The supervisor names the reason when it stops draining. */
		char *tmp = workspace_tmp(ws), *why = xasprintf("%s/%s.cannot-start", tmp, s->name);
		struct errbuf e2;
		err_init(&e2);
		fsio_write_atomic(why, err->msg, strlen(err->msg), &e2);
		free(why);
		free(tmp);
		log_fatal(WORKER_CONFIG, "cannot start stage '%s': %s", s->name, err->msg);
	}
	while (!stop_requested && done < max_jobs) {
		struct job job;
		int got = jobq_claim(ws->db, s->name, (long)getpid(), (int)config_long(ws->cfg, "job.lease"),
				     config_double(ws->cfg, "priority.aging_per_hour"), &job, err);
		if (got < 0) {
			exit_if_lost(ws->db, 0);
			log_warn("%s", err->msg);
			err_init(err);
			/* a database that fails without saying it is lost: a
			 * new worker, with a new connection, takes over */
			if (++claim_errors >= 3) {
				log_warn("cannot claim a job %d times running; exiting for a new worker", claim_errors);
				break;
			}
			got = 0;
		} else {
			claim_errors = 0;
		}
		if (got == 0) {
			/* Sleep until a wake-up (the supervisor's, when this stage
			 * has work) or the periodic scan; exit after worker.idle. */
			int64_t idle_for = now_ms() - idle_since;
			long t = scan_ms;
			if (idle_for >= idle_ms)
				break;
			if (idle_ms - idle_for < t)
				t = (long)(idle_ms - idle_for);
			if (wfd >= 0) {
				wake_wait(wfd, NULL, t); /* -1 is a signal: the loop looks at stop_requested */
			} else {
				struct timespec ts = {t / 1000, (t % 1000) * 1000000L};
				nanosleep(&ts, NULL);
			}
			continue;
		}
		run_one(ws, &pl, s, &ctx, &job);
		wake_supervisors(ws->root, ws->db); /* its next job is queued, or the queue is empty */
		idle_since = now_ms();
		done++;
	}
	if (s->fini)
		s->fini(&ctx);
	if (wfd >= 0)
		close(wfd);
	stage_profile_release();
	return 0;
}
