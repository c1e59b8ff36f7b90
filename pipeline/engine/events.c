/*
 * events.c - append audit events (see events.h).  Never updates or deletes.
 */
#include "engine/events.h"

#include "engine/db.h"
#include "engine/util.h"

int events_add_job(struct db *db, int64_t job_id, const char *agent, const char *type,
		   const char *object, const char *outcome, const char *detail)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO events(time, agent, type, object, outcome, detail, job_id)"
					  " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
	int rc;
	db_bind_int64(st, 1, now_ms());
	db_bind_text(st, 2, agent, -1);
	db_bind_text(st, 3, type, -1);
	db_bind_text(st, 4, object, -1);
	db_bind_text(st, 5, outcome, -1);
	if (detail)
		db_bind_text(st, 6, detail, -1);
	if (job_id > 0)
		db_bind_int64(st, 7, job_id);
	rc = db_step(st) == DB_DONE ? 0 : -1;
	db_finalize(st);
	return rc;
}

int events_add(struct db *db, const char *agent, const char *type, const char *object,
	       const char *outcome, const char *detail)
{
	return events_add_job(db, 0, agent, type, object, outcome, detail);
}
