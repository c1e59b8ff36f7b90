/*
 * priority.h - what to digitize first.  The gate of TT 05/2025 Điều 5.2
 * (value to promote, used for administration, or approved by the head of
 * the agency; records marked mật are not digitized for ordinary use) and a
 * score from value (maintenance code), frequency of use (imported request
 * counts), physical condition (format code and a deterioration flag) and an
 * optional deadline.  The rules are in <workspace>/config/priority.conf.
 *
 * The score becomes files.priority; a supervisor's override
 * (files.priority_override) wins over it.  The engine queues a job with its
 * file's priority and claims by priority plus aging (jobq.h), so a low score
 * delays work but never starves it.  A file that fails the gate has its
 * waiting jobs held (error "priority gate: ..."), released when it passes.
 */
#ifndef SOHOA_PRIORITY_H
#define SOHOA_PRIORITY_H

#include "engine/db.h"
#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct priority_rules;

/* Load config_dir/priority.conf; a missing file gives the defaults; errors
 * name file:line. */
struct priority_rules *priority_rules_load(const char *config_dir, struct errbuf *err);
void priority_rules_free(struct priority_rules *r);

struct priority_terms {
	bool gate_ok;
	char gate[200];        /* why the file passes or not */
	double value, use, condition, deadline, selection;
	char value_why[64], use_why[64], condition_why[96], deadline_why[96], selection_why[64];
	double score;          /* the sum */
	bool has_override;
	double override;
	double effective;      /* override if any, else score */
};

/* Compute the terms of a file at time now (ms). */
int priority_compute(struct db *db, const struct priority_rules *r, int64_t file_id, int64_t now,
		     struct priority_terms *t, struct errbuf *err);
/* Store the score in files.priority and give the file's waiting jobs
 * (ready, failed) their new priority; hold or release them by the gate.
 * In the caller's transaction. */
int priority_apply(struct db *db, const struct priority_rules *r, int64_t file_id, int64_t now, struct errbuf *err);
/* priority_apply() for the file(s) of a batch: its file code or legacy
 * alias, and the files of its documents, with rules the caller loaded
 * (priority_rules_load(), before its transaction).  Called when a batch is
 * closed (ingest.c) and by its fan-in job (stages/fanin.c), so jobs queued
 * later follow the file's gate and score.  No file: nothing to do (r may
 * then be NULL: rules that could not be read; with a file that is an
 * error).  In the caller's transaction. */
int priority_apply_batch(struct db *db, const struct priority_rules *r, int64_t batch_id, struct errbuf *err);
/* The same for every file, in one transaction. */
int priority_apply_all(struct db *db, const struct priority_rules *r, int64_t now, struct errbuf *err);
/* A supervisor's override (clear: remove it), recorded as an event with the
 * old and new value and the reason; applied at once.  Own transaction. */
int priority_override(struct db *db, const struct priority_rules *r, int64_t file_id, bool clear, double value,
		      const char *agent, const char *reason, struct errbuf *err);
/* Human-readable explanation, one term per line. */
void priority_explain(const struct priority_terms *t, struct strbuf *out);

#endif
