/*
 * fixity.h - fixity audits of what the workspace stores: every master
 * (masters.sha256), every signed PDF (documents.signed_sha256, recorded by
 * the sign stage) and every exported package (the SHA-256 of its
 * "transfer" event) is hashed again and compared with the recorded digest.
 * Each object checked gets a PREMIS "fixity check" event, outcome success
 * or failure, whose detail names the file and the expected and found
 * digests.
 */
#ifndef SOHOA_FIXITY_H
#define SOHOA_FIXITY_H

#include <stdbool.h>
#include <stdint.h>

#include "engine/util.h"

struct workspace;

struct fixity_totals {
	int checked;      /* objects hashed */
	int changed;      /* found a different digest */
	int missing;      /* the file is gone or unreadable */
	int unrecorded;   /* stored before digests were recorded: not checked */
};

/* Check every object stored at or after since_ms (0: all).  Each change is
 * a line in report ("master:SHA 'masters/..': expected X, found Y"); with
 * json, report gets one JSON object instead, every object with its
 * outcome.  Returns 0 when all checked objects are intact, 1 when one is
 * not, -1 with err set when the audit itself could not run. */
int fixity_run(struct workspace *ws, int64_t since_ms, bool json, struct strbuf *report,
	       struct fixity_totals *tot, struct errbuf *err);

#endif
