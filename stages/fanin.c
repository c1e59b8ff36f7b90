/*
 * fanin.c - the fan-in stage: one job per batch, once every page of it
 * passed the page stages (jobq_queue_fanin() queues it).  It forms the
 * batch's documents (docmap: the operator's map, the scanner profile's
 * separator rules, or one document), names them, makes each ready with its
 * first document stage queued, and applies the file's priority gate.
 *
 * Two steps, so that no other worker waits on what this one reads: run()
 * reads the TT05 schema or naming.conf, priority.conf, the scanner profile,
 * the batch's pages and their OCR text, and plans (docmap_plan()) in one
 * read transaction, taking no write lock; commit() writes the plan inside
 * the worker's short transaction (docmap_apply(), jobq_doc_ready(),
 * priority_apply_batch()), with the job's new state.  When the batch or its
 * file changed between the two (another batch of the same file took the
 * next STT, an operator moved a page), nothing is written and the job is
 * retried (STAGE_RETRY), so a stale plan is never committed; a crash in
 * either step leaves the job claimed, and it is simply done again.
 *
 * Error policy: a rule that cannot be followed (a bad separator in the
 * scanner profile, a whole-file name already taken, priority.conf that does
 * not parse) holds the job for the operator (STAGE_HOLD) with the reason;
 * a database error is retried.
 */
#include <stdlib.h>
#include <string.h>

#include "archive/docmap.h"
#include "archive/priority.h"
#include "engine/db.h"
#include "engine/fsio.h"
#include "engine/jobq.h"
#include "engine/stage.h"

/* What run() planned for commit(): one job at a time. */
struct fanin_state {
	bool planned;
	struct docmap_tables tables;
	struct docmap_plan plan;
	struct priority_rules *rules; /* NULL: priority.conf could not be read (rules_err) */
	struct errbuf rules_err;
};

static void forget(struct fanin_state *f)
{
	if (!f->planned)
		return;
	docmap_plan_release(&f->plan);
	docmap_tables_release(&f->tables);
	priority_rules_free(f->rules);
	f->rules = NULL;
	f->planned = false;
}

static int fanin_init(struct stage_ctx *ctx, struct errbuf *err)
{
	ctx->priv = xcalloc(1, sizeof(struct fanin_state));
	return 0;
}

static void fanin_fini(struct stage_ctx *ctx)
{
	if (!ctx->priv)
		return;
	forget(ctx->priv);
	free(ctx->priv);
	ctx->priv = NULL;
}

static enum stage_rc fanin_run(struct stage_ctx *ctx, struct errbuf *err)
{
	struct fanin_state *f = ctx->priv;
	char *cdir = xasprintf("%s/config", ctx->workspace);
	struct strbuf d;
	int rc;
	forget(f);
	err_init(&f->rules_err);
	if (docmap_tables_load(cdir, &f->tables, err) < 0) {
		free(cdir);
		return STAGE_HOLD;
	}
	f->rules = priority_rules_load(cdir, &f->rules_err);
	free(cdir);
	/* One snapshot for the whole plan (a read transaction: no write lock). */
	if (db_exec(ctx->db, "BEGIN", err) < 0) {
		docmap_tables_release(&f->tables);
		priority_rules_free(f->rules);
		f->rules = NULL;
		return STAGE_RETRY;
	}
	rc = docmap_plan(ctx->db, &f->tables, ctx->workspace, ctx->batch->id, &f->plan, err);
	db_rollback(ctx->db);
	if (rc < 0) {
		docmap_tables_release(&f->tables);
		priority_rules_free(f->rules);
		f->rules = NULL;
		return STAGE_HOLD;
	}
	f->planned = true;
	sb_init(&d, 0);
	sb_addf(&d, "%d documents", f->plan.ngroups);
	for (int i = 0; i < f->plan.ngroups; i++) {
		const struct docmap_group *g = &f->plan.groups[i];
		sb_addf(&d, "%s%s", i ? ", " : ": ", g->name ? g->name : "");
		if (!g->name)
			sb_addf(&d, "document %lld", (long long)g->doc);
		sb_addf(&d, " (%d pages)", g->npages);
	}
	if (f->plan.nseparators)
		sb_addf(&d, "; %d separator pages", f->plan.nseparators);
	stage_event(ctx, "document formation", "success", d.buf);
	sb_release(&d);
	return STAGE_OK;
}

static enum stage_rc fanin_commit(struct stage_ctx *ctx, struct db *db, struct errbuf *err)
{
	struct fanin_state *f = ctx->priv;
	int64_t *ids = NULL;
	int n = 0, rc;
	if (!f->planned)
		return err_set(err, "batch %lld: nothing was planned", (long long)ctx->batch->id), STAGE_RETRY;
	rc = docmap_apply(db, &f->tables, &f->plan, &ids, &n, err);
	if (rc != 0) {
		forget(f);
		if (rc > 0) {
			err_set(err, "batch %lld: its pages or its file's documents changed while they were planned; planned again",
				(long long)ctx->batch->id);
			return STAGE_RETRY;
		}
		return STAGE_HOLD;
	}
	fsio_crashpoint("fanin"); /* the fault tests kill the worker here, mid-transaction */
	for (int i = 0; i < n; i++)
		if (jobq_doc_ready(db, ids[i], ctx->next_stage, err) < 0) {
			free(ids);
			forget(f);
			return STAGE_RETRY;
		}
	free(ids);
	/* The new document jobs follow the file's gate and score. */
	if (priority_apply_batch(db, f->rules, ctx->batch->id, err) < 0) {
		enum stage_rc why = f->rules ? STAGE_RETRY : STAGE_HOLD;
		if (!f->rules) {
			err_init(err);
			err_set(err, "batch %lld: %s", (long long)ctx->batch->id, f->rules_err.msg);
		}
		forget(f);
		return why;
	}
	forget(f);
	return STAGE_OK;
}

const struct stage stage_fanin = {
	.name = "fanin",
	.unit = STAGE_BATCH,
	.summary = "a batch's pages into named documents, each queued for the document stages; the file's priority gate",
	.init = fanin_init,
	.run = fanin_run,
	.commit = fanin_commit,
	.fini = fanin_fini,
};
