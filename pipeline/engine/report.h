/*
 * report.h - the status report of a workspace, as `sohoa status` prints it
 * and the web desk serves it.
 */
#ifndef SOHOA_REPORT_H
#define SOHOA_REPORT_H

#include "engine/db.h"

#include "engine/util.h"

struct workspace;

/* Append the report to `out`: report_status_json() one JSON object and a
 * newline (keys: stages, pages, documents, throughput, backlog,
 * eta_seconds, oldest_waiting_seconds, stations, operators, waiting (each
 * batch or document that waits for a held or quarantined job, with those
 * jobs), attention, review); report_status_text() the table for a terminal.  0, or -1 with
 * err set when the workspace's pipeline config is wrong.  Read-only. */
/* Pages per station or operator (`col` is "station" or "operator"), from
 * the batch counters: rows of name, pages, done, waiting, stopped. */
struct db_stmt *report_groups(struct db *db, const char *col);

int report_status_json(struct workspace *ws, struct strbuf *out, struct errbuf *err);
int report_status_text(struct workspace *ws, struct strbuf *out, struct errbuf *err);

#endif
