/*
 * events.h - the audit log: one append-only row per event (who, what, when,
 * outcome), with PREMIS event types: capture, fixity check, validation,
 * migration (a derived copy made), ingestion, metadata modification,
 * digital signature, transfer, deletion, quarantine, hold, release.
 * The table's triggers refuse UPDATE and DELETE.
 */
#ifndef SOHOA_EVENTS_H
#define SOHOA_EVENTS_H

#include "engine/db.h"
#include <stdint.h>

/* agent: the person ("operator:lan") or program ("sohoa/ocr"); object:
 * "page:12", "document:3", "file:<code>", "batch:4", "master:<sha256>".
 * Runs in the caller's transaction if one is open.  Returns 0 or -1. */
int events_add(struct db *db, const char *agent, const char *type, const char *object,
	       const char *outcome, const char *detail);
/* The same, tied to a job. */
int events_add_job(struct db *db, int64_t job_id, const char *agent, const char *type,
		   const char *object, const char *outcome, const char *detail);

#endif
