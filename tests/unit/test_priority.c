/* test_priority.c - the order of a mixed backlog: value, use, condition,
 * deadline, the gate (mật held), aging and a supervisor's override. */
#include <stdlib.h>
#include <unistd.h>

#include "engine/jobq.h"
#include "archive/meta.h"
#include "archive/priority.h"
#include "unitdb.h"

static struct db *db;
static struct meta_schema *s;

/* A file with one scanned page and a ready job for the stage "deskew". */
static int64_t add_file(const char *code, const char *maint, const char *format, const char *mode, const char *sel)
{
	struct errbuf err;
	int64_t id = 0, batch, master, page;
	char *sql;
	struct meta_object obj;
	err_init(&err);
	CHECK(meta_file_add(db, s, code, "P.1", NULL, 0, "test", &id, &err) == 0);
	memset(&obj, 0, sizeof(obj));
	obj.level = META_FILE;
	obj.id = id;
	snprintf(obj.label, sizeof(obj.label), "file:%s", code);
	if (maint)
		meta_put(db, &obj, "maintenance", maint, "operator", -1, "test", &err);
	if (format)
		meta_put(db, &obj, "format", format, "operator", -1, "test", &err);
	if (mode)
		meta_put(db, &obj, "mode", mode, "operator", -1, "test", &err);
	if (sel) {
		sql = xasprintf("INSERT INTO selection(file_id, promote, admin_use, approved_by, requests, deteriorated, deadline)"
				" VALUES (%lld, %s)", (long long)id, sel);
		CHECK(db_exec(db, sql, &err) == 0);
		free(sql);
	}
	sql = xasprintf("INSERT INTO batches(file_code, station, operator, profile, started) VALUES ('%s', 's', 'o', 'p', 0)", code);
	CHECK(db_exec(db, sql, &err) == 0);
	free(sql);
	batch = db_last_id(db);
	sql = xasprintf("INSERT INTO masters(sha256, size, path, src_name, batch_id, nimages, created) VALUES ('%s', 1, 'x', 'x', %lld, 1, 0)",
			code, (long long)batch);
	CHECK(db_exec(db, sql, &err) == 0);
	free(sql);
	master = db_last_id(db);
	sql = xasprintf("INSERT INTO pages(batch_id, master_id, seq, created) VALUES (%lld, %lld, 1, 0)", (long long)batch, (long long)master);
	CHECK(db_exec(db, sql, &err) == 0);
	free(sql);
	page = db_last_id(db);
	CHECK(jobq_enqueue_page(db, "deskew", page) == 0);
	return id;
}

static char *claim_order(double aging)
{
	struct strbuf sb;
	struct job job;
	struct errbuf err;
	sb_init(&sb, 0);
	err_init(&err);
	while (jobq_claim(db, "deskew", 1, 60, aging, &job, &err) == 1) {
		char *code = NULL;
		struct db_stmt *st = db_prepare(db, "SELECT b.file_code FROM pages p JOIN batches b ON b.id = p.batch_id WHERE p.id = ?1");
		db_bind_int64(st, 1, job.page_id);
		if (db_step(st) == DB_ROW)
			code = db_col_strdup(st, 0);
		db_finalize(st);
		sb_adds(&sb, code ? code + strlen(code) - 1 : "?");
		free(code);
	}
	/* Put them back for the next round. */
	db_exec(db, "UPDATE jobs SET state = 'ready' WHERE state = 'claimed'", &err);
	return sb_detach(&sb);
}

int main(void)
{
	struct errbuf err;
	struct priority_rules *r;
	struct priority_terms t;
	char dir[] = "/tmp/test_priority.XXXXXX", *order;
	int64_t a, b, c, d, e, now = now_ms();

	err_init(&err);
	s = meta_schema_load("config", &err);
	r = priority_rules_load("config", &err);
	if (!s || !r) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	CHECK(mkdtemp(dir) != NULL);
	db = unit_db_open(dir);

	/* The backlog, by file code ending: */
	a = add_file("G01.2020.A", "01", "01", "01", "1, 0, NULL, 0, 0, NULL");            /* 40 + promote 10 = 50 */
	b = add_file("G01.2020.B", "06", "03", "01", "0, 1, NULL, 40, 1, NULL");           /* 10 + 30 + 45 + 10 = 95 */
	c = add_file("G01.2020.C", "04", NULL, "01", NULL);                                /* 20 */
	d = add_file("G01.2020.D", "01", NULL, "03", NULL);                                /* mật: held */
	e = add_file("G01.2020.E", NULL, NULL, "01", "0, 0, 'Giám đốc', 0, 0, 0");         /* 10 + overdue 50 = 60 */
	(void)c;
	CHECK(priority_apply_all(db, r, now, &err) == 0);

	CHECK(priority_compute(db, r, b, now, &t, &err) == 0);
	CHECK(t.gate_ok && t.value == 10 && t.use == 30 && t.condition == 45 && t.selection == 10 && t.score == 95);
	CHECK(priority_compute(db, r, d, now, &t, &err) == 0);
	CHECK(!t.gate_ok && strstr(t.gate, "mật"));
	CHECK(priority_compute(db, r, e, now, &t, &err) == 0);
	CHECK(t.deadline == 50 && t.score == 60 && strstr(t.gate, "Giám đốc"));
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE state = 'held' AND error LIKE 'priority gate:%'", 0) == 1);

	order = claim_order(0);
	CHECK_STR(order, "BEAC");     /* D is held: never claimed */
	free(order);

	/* Aging: C's job has waited 100 hours (+100 at 1 point an hour). */
	CHECK(db_exec(db, "UPDATE jobs SET created = created - 100 * 3600000 WHERE page_id = (SELECT p.id FROM pages p"
			  " JOIN batches b ON b.id = p.batch_id WHERE b.file_code = 'G01.2020.C')", &err) == 0);
	order = claim_order(1);
	CHECK_STR(order, "CBEA");
	free(order);
	order = claim_order(0);
	CHECK_STR(order, "BEAC");
	free(order);

	/* A supervisor's override wins, is recorded, and can be cleared. */
	CHECK(priority_override(db, r, a, false, 500, "supervisor:minh", "needed for an inspection", &err) == 0);
	order = claim_order(1);
	CHECK_STR(order, "ACBE");
	free(order);
	CHECK(db_int(db, 0, "SELECT count(*) FROM events WHERE type = 'priority override' AND agent = 'supervisor:minh'"
			    " AND detail LIKE '%\"new\":500%'", 0) == 1);
	CHECK(priority_override(db, r, a, true, 0, "supervisor:minh", "done", &err) == 0);
	order = claim_order(0);
	CHECK_STR(order, "BEAC");
	free(order);

	/* The head approves the mật file: its job is released. */
	CHECK(db_exec(db, "INSERT INTO selection(file_id, approved_by) VALUES (4, 'Cục trưởng')", &err) == 0);
	CHECK(db_begin(db, &err) == 0 && priority_apply(db, r, d, now, &err) == 0 && db_commit(db, &err) == 0);
	order = claim_order(0);
	CHECK_STR(order, "BEADC");     /* D: 40, after A (50) */
	free(order);

	db_close(db);
	CHECK(unit_rmtree(dir));
	priority_rules_free(r);
	meta_schema_free(s);
	return unit_done("priority");
}
