/*
 * db.c - open the workspace database and keep its schema current.
 *
 * Migrations are an ordered list; PRAGMA user_version is the number applied.
 * Each runs in one transaction with the version bump, so a crash leaves the
 * database at the old or the new version, never between.  A database newer
 * than this program is refused rather than guessed at.
 */
#include "engine/db_backend.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE fonds(id INTEGER PRIMARY KEY, code TEXT NOT NULL UNIQUE, name TEXT NOT NULL,"
	" archive_code TEXT, created INTEGER NOT NULL);"
	"CREATE TABLE files(id INTEGER PRIMARY KEY, fonds_id INTEGER REFERENCES fonds(id),"
	" file_code TEXT NOT NULL UNIQUE, title TEXT, paper_file_code TEXT, alias TEXT UNIQUE,"
	" priority REAL NOT NULL DEFAULT 0, priority_override REAL, created INTEGER NOT NULL);"
	"CREATE TABLE batches(id INTEGER PRIMARY KEY, file_code TEXT, station TEXT NOT NULL,"
	" operator TEXT NOT NULL, profile TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER,"
	" npages INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE documents(id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files(id),"
	" batch_id INTEGER REFERENCES batches(id), stt INTEGER, name TEXT UNIQUE, title TEXT,"
	" state TEXT NOT NULL DEFAULT 'open' CHECK(state IN ('open','ready')),"
	" pdf_path TEXT, signed_path TEXT, created INTEGER NOT NULL);"
	"CREATE TABLE meta(object TEXT NOT NULL CHECK(object IN ('file','document')),"
	" object_id INTEGER NOT NULL, field TEXT NOT NULL, value TEXT NOT NULL,"
	" source TEXT NOT NULL DEFAULT 'operator', PRIMARY KEY(object, object_id, field));"
	"CREATE TABLE masters(id INTEGER PRIMARY KEY, sha256 TEXT NOT NULL UNIQUE, size INTEGER NOT NULL,"
	" path TEXT NOT NULL, src_name TEXT NOT NULL, src_path TEXT, batch_id INTEGER NOT NULL"
	" REFERENCES batches(id), format TEXT, nimages INTEGER NOT NULL, created INTEGER NOT NULL);"
	"CREATE TABLE pages(id INTEGER PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batches(id),"
	" master_id INTEGER NOT NULL REFERENCES masters(id), img_index INTEGER NOT NULL DEFAULT 0,"
	" seq INTEGER NOT NULL, document_id INTEGER REFERENCES documents(id), split_of INTEGER,"
	" width INTEGER, height INTEGER, dpi INTEGER, bits INTEGER, colour TEXT, access_path TEXT,"
	" orient INTEGER, orient_conf REAL, skew REAL, blank INTEGER NOT NULL DEFAULT 0, ocr_conf REAL,"
	" review INTEGER NOT NULL DEFAULT 0, text_path TEXT, hocr_path TEXT, alto_path TEXT, note TEXT,"
	" created INTEGER NOT NULL);"
	"CREATE INDEX pages_doc ON pages(document_id, seq);"
	"CREATE INDEX pages_batch ON pages(batch_id, seq);"
	"CREATE TABLE jobs(id INTEGER PRIMARY KEY, stage TEXT NOT NULL,"
	" page_id INTEGER REFERENCES pages(id), document_id INTEGER REFERENCES documents(id),"
	" state TEXT NOT NULL CHECK(state IN ('ready','claimed','done','failed','quarantined','held')),"
	" priority REAL NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	" not_before INTEGER NOT NULL DEFAULT 0, worker_pid INTEGER, lease_until INTEGER,"
	" created INTEGER NOT NULL, updated INTEGER NOT NULL, claimed_at INTEGER,"
	" finished_at INTEGER, error TEXT);"
	"CREATE UNIQUE INDEX jobs_page ON jobs(stage, page_id) WHERE page_id IS NOT NULL;"
	"CREATE UNIQUE INDEX jobs_doc ON jobs(stage, document_id) WHERE page_id IS NULL;"
	"CREATE INDEX jobs_state ON jobs(stage, state);"
	"CREATE TABLE events(id INTEGER PRIMARY KEY, time INTEGER NOT NULL, agent TEXT NOT NULL,"
	" type TEXT NOT NULL, object TEXT NOT NULL, outcome TEXT NOT NULL, detail TEXT, job_id INTEGER);"
	"CREATE INDEX events_object ON events(object);"
	"CREATE TRIGGER events_no_update BEFORE UPDATE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;"
	"CREATE TRIGGER events_no_delete BEFORE DELETE ON events"
	" BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;",
	/* 2: archival identity (issue 4): the operator's page mapping and
	 * separator pages (docmap.c), proposal confidence (propose.c), the
	 * selection inputs of a file (priority.c), one STT per file */
	"ALTER TABLE pages ADD COLUMN doc_group INTEGER;"
	"ALTER TABLE pages ADD COLUMN separator INTEGER NOT NULL DEFAULT 0;"
	"ALTER TABLE meta ADD COLUMN confidence REAL;"
	"CREATE TABLE selection(file_id INTEGER PRIMARY KEY REFERENCES files(id),"
	" promote INTEGER NOT NULL DEFAULT 0, admin_use INTEGER NOT NULL DEFAULT 0, approved_by TEXT,"
	" requests INTEGER NOT NULL DEFAULT 0, deteriorated INTEGER NOT NULL DEFAULT 0, deadline INTEGER);"
	"CREATE UNIQUE INDEX documents_file_stt ON documents(file_id, stt) WHERE file_id IS NOT NULL;",
	/* 3: the engine (issue 12): why a job stopped, as a code beside the
	 * message (jobq.h, enum jobq_error); the time-independent claim key
	 * priority * 3600000 - aging * created and its index, so that a claim
	 * is an index seek (jobq.h); the aging the keys are made with */
	"ALTER TABLE jobs ADD COLUMN error_code TEXT;"
	"ALTER TABLE jobs ADD COLUMN aging REAL NOT NULL DEFAULT 0;"
	"ALTER TABLE jobs ADD COLUMN claim_key REAL GENERATED ALWAYS AS (priority * 3600000.0 - aging * created) VIRTUAL;"
	"CREATE INDEX jobs_claim ON jobs(stage, state, claim_key DESC, id);"
	"CREATE TABLE jobq_params(name TEXT PRIMARY KEY, value REAL NOT NULL);"
	"INSERT INTO jobq_params(name, value) VALUES ('aging_per_hour', 0);"
	"UPDATE jobs SET error_code = 'priority_gate' WHERE state = 'held' AND error LIKE 'priority gate:%';"
	"UPDATE jobs SET error_code = 'operator_hold' WHERE state = 'held' AND error = 'held by the supervisor';"
	"UPDATE jobs SET error_code = 'worker_died' WHERE state = 'quarantined' AND error LIKE 'the worker died%';",
	/* 4: counters for the status report and the supervisor (issue 12), kept
	 * by triggers so that they cannot drift from the jobs: jobs by stage and
	 * state; page jobs and pages ('pages') by batch.  A page has at most one
	 * job that is not done (its current stage), so a batch's pages done are
	 * its pages less its page jobs not done.  Indexes for the oldest
	 * waiting job, throughput and review. */
	"CREATE TABLE job_counts(stage TEXT NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY(stage, state)) WITHOUT ROWID;"
	"CREATE TABLE batch_counts(batch_id INTEGER NOT NULL, state TEXT NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY(batch_id, state)) WITHOUT ROWID;"
	"INSERT INTO job_counts(stage, state, n) SELECT stage, state, count(*) FROM jobs GROUP BY stage, state;"
	"INSERT INTO batch_counts(batch_id, state, n) SELECT p.batch_id, j.state, count(*) FROM jobs j"
	" JOIN pages p ON p.id = j.page_id GROUP BY p.batch_id, j.state;"
	"INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, 'pages', count(*) FROM pages GROUP BY batch_id;"
	"CREATE TRIGGER jobs_count_insert AFTER INSERT ON jobs BEGIN"
	" INSERT INTO job_counts(stage, state, n) VALUES (NEW.stage, NEW.state, 1)"
	" ON CONFLICT(stage, state) DO UPDATE SET n = n + 1;"
	" INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, NEW.state, 1 FROM pages WHERE id = NEW.page_id"
	" ON CONFLICT(batch_id, state) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER jobs_count_delete AFTER DELETE ON jobs BEGIN"
	" UPDATE job_counts SET n = n - 1 WHERE stage = OLD.stage AND state = OLD.state;"
	" UPDATE batch_counts SET n = n - 1 WHERE state = OLD.state AND batch_id = (SELECT batch_id FROM pages WHERE id = OLD.page_id); END;"
	"CREATE TRIGGER jobs_count_update AFTER UPDATE OF state ON jobs WHEN OLD.state IS NOT NEW.state BEGIN"
	" UPDATE job_counts SET n = n - 1 WHERE stage = OLD.stage AND state = OLD.state;"
	" INSERT INTO job_counts(stage, state, n) VALUES (NEW.stage, NEW.state, 1)"
	" ON CONFLICT(stage, state) DO UPDATE SET n = n + 1;"
	" UPDATE batch_counts SET n = n - 1 WHERE state = OLD.state AND batch_id = (SELECT batch_id FROM pages WHERE id = OLD.page_id);"
	" INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, NEW.state, 1 FROM pages WHERE id = NEW.page_id"
	" ON CONFLICT(batch_id, state) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER pages_count_insert AFTER INSERT ON pages BEGIN"
	" INSERT INTO batch_counts(batch_id, state, n) VALUES (NEW.batch_id, 'pages', 1)"
	" ON CONFLICT(batch_id, state) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER pages_count_delete AFTER DELETE ON pages BEGIN"
	" UPDATE batch_counts SET n = n - 1 WHERE batch_id = OLD.batch_id AND state = 'pages'; END;"
	"CREATE INDEX jobs_waiting ON jobs(state, created);"
	"CREATE INDEX jobs_finished ON jobs(stage, state, finished_at) WHERE page_id IS NOT NULL;"
	"CREATE INDEX pages_review ON pages(id) WHERE review <> 0;"
	"CREATE INDEX jobs_document ON jobs(document_id) WHERE document_id IS NOT NULL;",
	/* 5: the operator's decisions on a stopped page (issue 11, finding 17):
	 * a held job accepted as is carries who and why (the stage lets the
	 * rule it broke pass); a page dropped from its document is left out of
	 * the fan-in and of every document */
	"ALTER TABLE jobs ADD COLUMN accepted TEXT;"
	"ALTER TABLE pages ADD COLUMN dropped INTEGER NOT NULL DEFAULT 0;",
	/* 6: the people who use the browser desk (web/users.c): a role, the
	 * stations an operator works at, an scrypt hash, failed logins */
	"CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" role TEXT NOT NULL CHECK(role IN ('operator','supervisor','archivist','admin')),"
	" pw_hash TEXT, disabled INTEGER NOT NULL DEFAULT 0, failed INTEGER NOT NULL DEFAULT 0,"
	" last_login INTEGER, created INTEGER NOT NULL);"
	"CREATE TABLE user_stations(user_id INTEGER NOT NULL REFERENCES users(id), station TEXT NOT NULL,"
	" PRIMARY KEY(user_id, station));",
	/* 7: full-text search (search.c): the folded OCR text of a page (rowid
	 * = page id) and the metadata of a document (-id) or file */
	"CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 0');",
	/* 8: what people change on a page after OCR (pagefix.c): word
	 * corrections with the old and new text, rescan requests */
	"CREATE TABLE corrections(id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL REFERENCES pages(id),"
	" word TEXT NOT NULL, old TEXT NOT NULL, new TEXT NOT NULL, agent TEXT NOT NULL, time INTEGER NOT NULL);"
	"CREATE INDEX corrections_page ON corrections(page_id);"
	"CREATE TABLE rescans(id INTEGER PRIMARY KEY, page_id INTEGER NOT NULL REFERENCES pages(id),"
	" reason TEXT NOT NULL, agent TEXT NOT NULL, requested INTEGER NOT NULL, done INTEGER, new_page_id INTEGER);"
	"CREATE INDEX rescans_page ON rescans(page_id);",
	/* 9: a page's jobs by their state, whatever the stage (the dashboard's
	 * counts per station and operator ask this for every page) */
	"CREATE INDEX jobs_page_state ON jobs(page_id, state) WHERE page_id IS NOT NULL;",
	/* 10: fixity audits (issue 11): the signed PDF's SHA-256, recorded by
	 * the sign stage when it commits the file (engine/fixity.c) */
	"ALTER TABLE documents ADD COLUMN signed_sha256 TEXT;",
	/* 11: throughput per stage and hour (hour = finished_at / 3600000):
	 * the pages that passed each page stage, counted as they pass, so that
	 * the dashboard's charts of the last 24 h and 7 days read 168 rows
	 * instead of a week's jobs */
	"CREATE TABLE throughput(stage TEXT NOT NULL, hour INTEGER NOT NULL, n INTEGER NOT NULL,"
	" PRIMARY KEY(stage, hour)) WITHOUT ROWID;"
	"INSERT INTO throughput(stage, hour, n) SELECT stage, finished_at / 3600000, count(*) FROM jobs"
	" WHERE state = 'done' AND page_id IS NOT NULL AND finished_at IS NOT NULL GROUP BY 1, 2;"
	"CREATE TRIGGER jobs_throughput_insert AFTER INSERT ON jobs"
	" WHEN NEW.state = 'done' AND NEW.page_id IS NOT NULL AND NEW.finished_at IS NOT NULL BEGIN"
	" INSERT INTO throughput(stage, hour, n) VALUES (NEW.stage, NEW.finished_at / 3600000, 1)"
	" ON CONFLICT(stage, hour) DO UPDATE SET n = n + 1; END;"
	"CREATE TRIGGER jobs_throughput_update AFTER UPDATE OF state ON jobs"
	" WHEN OLD.state IS NOT NEW.state AND NEW.state = 'done' AND NEW.page_id IS NOT NULL AND NEW.finished_at IS NOT NULL BEGIN"
	" INSERT INTO throughput(stage, hour, n) VALUES (NEW.stage, NEW.finished_at / 3600000, 1)"
	" ON CONFLICT(stage, hour) DO UPDATE SET n = n + 1; END;",
	/* 12: the fan-in as a job of its own (issue 12): a batch-level job
	 * (stage 'fanin') names its batch; one per stage and batch */
	"ALTER TABLE jobs ADD COLUMN batch_id INTEGER REFERENCES batches(id);"
	"CREATE UNIQUE INDEX jobs_batch ON jobs(stage, batch_id) WHERE batch_id IS NOT NULL;",
	/* 13: several nodes (issue 13, node.h): each supervisor's row, the
	 * node a job was claimed by (its worker_pid is that node's), and the
	 * workspace folder's identity (identity.h) */
	"CREATE TABLE nodes(name TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, started INTEGER NOT NULL,"
	" heartbeat INTEGER NOT NULL, stopped INTEGER, workers TEXT NOT NULL DEFAULT '');"
	"ALTER TABLE jobs ADD COLUMN node TEXT;"
	"CREATE TABLE identity(id INTEGER PRIMARY KEY CHECK(id = 1), identity TEXT NOT NULL, created INTEGER NOT NULL);",
	/* 14: PostgreSQL only (pg_own below): counters that concurrent
	 * transactions cannot deadlock on.  SQLite has one writer at a time
	 * and keeps its per-row triggers. */
	"",
};

#define NMIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

/*
 * PostgreSQL runs the same migrations, mapped by pg_ddl() below: types
 * (INTEGER is BIGINT: times are milliseconds; REAL is DOUBLE PRECISION; an
 * INTEGER PRIMARY KEY is an identity column), a VIRTUAL generated column is
 * STORED, WITHOUT ROWID goes, IS NOT between two values is IS DISTINCT FROM,
 * an upsert's bare column is named by its table,
 * and a trigger's body becomes a PL/pgSQL function of the same name
 * (RAISE(ABORT, msg) an exception: the audit log stays append-only).
 * Where no mapping serves, the migration has its PostgreSQL text here.
 */
static const struct {
	int version;
	const char *sql;
} pg_own[] = {
	/* 7: full-text search: the same rows (rowid = page id, or -document id),
	 * served by a GIN index on the 'simple' text search configuration of
	 * the folded text (search.c folds as it does for FTS5) */
	{7, "CREATE TABLE search_fts(rowid BIGINT PRIMARY KEY, body TEXT NOT NULL);"
	    "CREATE INDEX search_fts_tsv ON search_fts USING GIN (to_tsvector('simple', body));"},
	/* 14: the counters of migrations 4 and 11 without row locks (issue 13).
	 * The per-row upserts locked one counter row after another in the
	 * order a transaction's statements came (a claim: ready, then claimed;
	 * a commit: claimed, done, then the next stage's ready), and nodes'
	 * transactions deadlocked on them ('deadlock detected').  Now a
	 * counter is the sum of its rows: each statement on jobs or pages
	 * appends one row per key it changed, its net change (a statement
	 * trigger over the transition tables, so a set-based INSERT of a
	 * million jobs appends a handful of rows), and no transaction ever
	 * waits for another's counter.  db_fold_counters() sums each key's
	 * rows into one, now and then.  Readers ask for sum(n) by key, on
	 * both backends. */
	{14, "DROP TRIGGER jobs_count_insert ON jobs; DROP FUNCTION jobs_count_insert_fn();"
	     "DROP TRIGGER jobs_count_delete ON jobs; DROP FUNCTION jobs_count_delete_fn();"
	     "DROP TRIGGER jobs_count_update ON jobs; DROP FUNCTION jobs_count_update_fn();"
	     "DROP TRIGGER pages_count_insert ON pages; DROP FUNCTION pages_count_insert_fn();"
	     "DROP TRIGGER pages_count_delete ON pages; DROP FUNCTION pages_count_delete_fn();"
	     "DROP TRIGGER jobs_throughput_insert ON jobs; DROP FUNCTION jobs_throughput_insert_fn();"
	     "DROP TRIGGER jobs_throughput_update ON jobs; DROP FUNCTION jobs_throughput_update_fn();"
	     "ALTER TABLE job_counts DROP CONSTRAINT job_counts_pkey;"
	     "ALTER TABLE batch_counts DROP CONSTRAINT batch_counts_pkey;"
	     "ALTER TABLE throughput DROP CONSTRAINT throughput_pkey;"
	     "CREATE INDEX job_counts_key ON job_counts(stage, state);"
	     "CREATE INDEX batch_counts_key ON batch_counts(batch_id, state);"
	     "CREATE INDEX throughput_key ON throughput(stage, hour);"
	     "CREATE FUNCTION jobs_counts_insert_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	     " WITH a AS (INSERT INTO job_counts(stage, state, n) SELECT stage, state, count(*) FROM new_jobs GROUP BY 1, 2),"
	     " b AS (INSERT INTO batch_counts(batch_id, state, n) SELECT p.batch_id, j.state, count(*) FROM new_jobs j"
	     " JOIN pages p ON p.id = j.page_id GROUP BY 1, 2)"
	     " INSERT INTO throughput(stage, hour, n) SELECT stage, finished_at / 3600000, count(*) FROM new_jobs"
	     " WHERE state = 'done' AND page_id IS NOT NULL AND finished_at IS NOT NULL GROUP BY 1, 2;"
	     " RETURN NULL; END $fn$;"
	     "CREATE TRIGGER jobs_counts_insert AFTER INSERT ON jobs REFERENCING NEW TABLE AS new_jobs"
	     " FOR EACH STATEMENT EXECUTE FUNCTION jobs_counts_insert_fn();"
	     "CREATE FUNCTION jobs_counts_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	     " WITH a AS (INSERT INTO job_counts(stage, state, n) SELECT stage, state, -count(*) FROM old_jobs GROUP BY 1, 2)"
	     " INSERT INTO batch_counts(batch_id, state, n) SELECT p.batch_id, j.state, -count(*) FROM old_jobs j"
	     " JOIN pages p ON p.id = j.page_id GROUP BY 1, 2;"
	     " RETURN NULL; END $fn$;"
	     "CREATE TRIGGER jobs_counts_delete AFTER DELETE ON jobs REFERENCING OLD TABLE AS old_jobs"
	     " FOR EACH STATEMENT EXECUTE FUNCTION jobs_counts_delete_fn();"
	     "CREATE FUNCTION jobs_counts_update_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	     " WITH c AS (SELECT o.stage AS ostage, o.state AS ostate, o.page_id AS opage, n.stage, n.state, n.page_id, n.finished_at"
	     " FROM old_jobs o JOIN new_jobs n ON n.id = o.id WHERE o.state IS DISTINCT FROM n.state),"
	     " a AS (INSERT INTO job_counts(stage, state, n) SELECT stage, state, sum(d) FROM"
	     " (SELECT ostage AS stage, ostate AS state, -1 AS d FROM c UNION ALL SELECT stage, state, 1 FROM c) x"
	     " GROUP BY 1, 2 HAVING sum(d) <> 0),"
	     " b AS (INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, state, sum(d) FROM"
	     " (SELECT p.batch_id, c.ostate AS state, -1 AS d FROM c JOIN pages p ON p.id = c.opage"
	     " UNION ALL SELECT p.batch_id, c.state, 1 FROM c JOIN pages p ON p.id = c.page_id) x GROUP BY 1, 2 HAVING sum(d) <> 0)"
	     " INSERT INTO throughput(stage, hour, n) SELECT stage, finished_at / 3600000, count(*) FROM c"
	     " WHERE state = 'done' AND page_id IS NOT NULL AND finished_at IS NOT NULL GROUP BY 1, 2;"
	     " RETURN NULL; END $fn$;"
	     "CREATE TRIGGER jobs_counts_update AFTER UPDATE ON jobs REFERENCING OLD TABLE AS old_jobs NEW TABLE AS new_jobs"
	     " FOR EACH STATEMENT EXECUTE FUNCTION jobs_counts_update_fn();"
	     "CREATE FUNCTION pages_counts_insert_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	     " INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, 'pages', count(*) FROM new_pages GROUP BY 1;"
	     " RETURN NULL; END $fn$;"
	     "CREATE TRIGGER pages_counts_insert AFTER INSERT ON pages REFERENCING NEW TABLE AS new_pages"
	     " FOR EACH STATEMENT EXECUTE FUNCTION pages_counts_insert_fn();"
	     "CREATE FUNCTION pages_counts_delete_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN"
	     " INSERT INTO batch_counts(batch_id, state, n) SELECT batch_id, 'pages', -count(*) FROM old_pages GROUP BY 1;"
	     " RETURN NULL; END $fn$;"
	     "CREATE TRIGGER pages_counts_delete AFTER DELETE ON pages REFERENCING OLD TABLE AS old_pages"
	     " FOR EACH STATEMENT EXECUTE FUNCTION pages_counts_delete_fn();"},
};

/* Append s with every whole word `from` replaced by `to`. */
static char *replace_words(const char *s, const char *from, const char *to)
{
	struct strbuf sb;
	size_t n = strlen(from);
	char *out;
	sb_init(&sb, 0);
	for (const char *p = s; *p;) {
		bool start = p == s || !(isalnum((unsigned char)p[-1]) || p[-1] == '_');
		if (start && !strncmp(p, from, n) && !(isalnum((unsigned char)p[n]) || p[n] == '_')) {
			sb_adds(&sb, to);
			p += n;
		} else {
			sb_addc(&sb, *p++);
		}
	}
	out = sb_detach(&sb);
	return out ? out : xstrdup("");
}

/* One trigger, "CREATE TRIGGER name HEAD [WHEN cond] BEGIN body END", as a
 * function and a trigger that calls it for each row. */
static void pg_trigger(struct strbuf *sb, const char *t, size_t len)
{
	char *text = xstrndup(t, len), *name, *head, *when, *body, *end, *p;
	p = text + strlen("CREATE TRIGGER ");
	name = p;
	p = strchr(p, ' ');
	*p++ = '\0';
	head = p;
	body = strstr(p, " BEGIN ");
	*body = '\0';
	body += strlen(" BEGIN ");
	end = body + strlen(body) - strlen(" END");
	*end = '\0';
	when = strstr(head, " WHEN ");
	if (when) {
		*when = '\0';
		when += strlen(" WHEN ");
	}
	sb_addf(sb, "CREATE FUNCTION %s_fn() RETURNS trigger LANGUAGE plpgsql AS $fn$ BEGIN ", name);
	for (p = body; *p;) {
		if (!strncmp(p, "SELECT RAISE(ABORT, ", 20)) {
			char *close = strstr(p, "');");
			sb_adds(sb, "RAISE EXCEPTION ");
			sb_add(sb, p + 20, (size_t)(close + 1 - (p + 20)));
			p = close + 2;
		} else {
			sb_addc(sb, *p++);
		}
	}
	sb_addf(sb, " RETURN NULL; END $fn$;CREATE TRIGGER %s %s FOR EACH ROW", name, head);
	if (when)
		sb_addf(sb, " WHEN (%s)", when);
	sb_addf(sb, " EXECUTE FUNCTION %s_fn()", name);
	free(text);
}

/* "INSERT INTO t(...) ... DO UPDATE SET n = n + 1": PostgreSQL finds the
 * bare n ambiguous (the row or EXCLUDED) and wants t.n. */
static char *pg_upsert_names(const char *s)
{
	static const char set[] = "DO UPDATE SET n = n + 1";
	struct strbuf sb;
	const char *p = s, *hit, *ins;
	char *out;
	sb_init(&sb, 0);
	while ((hit = strstr(p, set))) {
		const char *t = NULL;
		for (ins = s; (ins = strstr(ins, "INSERT INTO ")) && ins < hit; ins++)
			t = ins + strlen("INSERT INTO ");
		sb_add(&sb, p, (size_t)(hit - p));
		if (t)
			sb_addf(&sb, "DO UPDATE SET n = %.*s.n + 1", (int)strcspn(t, "( "), t);
		else
			sb_adds(&sb, set);
		p = hit + strlen(set);
	}
	sb_adds(&sb, p);
	out = sb_detach(&sb);
	return out ? out : xstrdup("");
}

/* Migration v (from 1) in PostgreSQL's words. */
static char *pg_ddl(int v)
{
	static const char *const words[][2] = {
		{"INTEGER PRIMARY KEY", "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"},
		{"INTEGER", "BIGINT"},
		{"REAL", "DOUBLE PRECISION"},
		{"WITHOUT ROWID", ""},
		{"VIRTUAL", "STORED"},
		{"IS NOT NEW", "IS DISTINCT FROM NEW"},
	};
	struct strbuf sb;
	char *s, *out;
	for (size_t i = 0; i < sizeof(pg_own) / sizeof(pg_own[0]); i++)
		if (pg_own[i].version == v)
			return xstrdup(pg_own[i].sql);
	s = xstrdup(migrations[v - 1]);
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		char *t = replace_words(s, words[i][0], words[i][1]);
		free(s);
		s = t;
	}
	sb_init(&sb, 0);
	for (const char *p = s; *p;) {
		const char *trig = strstr(p, "CREATE TRIGGER ");
		const char *end;
		if (!trig) {
			sb_adds(&sb, p);
			break;
		}
		sb_add(&sb, p, (size_t)(trig - p));
		end = strstr(trig, " END;");
		pg_trigger(&sb, trig, (size_t)(end + 4 - trig));
		p = end + 4;
	}
	free(s);
	s = sb_detach(&sb);
	out = pg_upsert_names(s ? s : "");
	free(s);
	return out;
}

/* Only PostgreSQL's counters have several rows per key (migration 14).
 * One folder at a time (an advisory lock: another node's fold is simply
 * left to finish); the rows it sums and deletes are its snapshot's, and a
 * row that a concurrent transaction appends is left for the next fold.
 * Nobody else deletes or updates a counter row, so the fold waits for no
 * one and nobody waits for it. */
int db_fold_counters(struct db *db, struct errbuf *err)
{
	static const char *const keys[][3] = {{"job_counts", "stage", "state"}, {"batch_counts", "batch_id", "state"},
					       {"throughput", "stage", "hour"}};
	struct strbuf sb;
	int rc;
	if (strcmp(db_backend(db), "postgresql") != 0)
		return 0;
	if (db_begin(db, err) < 0)
		return -1;
	if (db_int(db, 0, "SELECT CASE WHEN pg_try_advisory_xact_lock(" DB_FOLD_LOCK ") THEN 1 ELSE 0 END", 0) != 1) {
		db_rollback(db);
		return 0;
	}
	sb_init(&sb, 0);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const char *t = keys[i][0], *a = keys[i][1], *b = keys[i][2];
		sb_addf(&sb, "WITH k AS (SELECT %s, %s FROM %s GROUP BY 1, 2 HAVING count(*) > 1),"
			     " d AS (DELETE FROM %s c USING k WHERE c.%s = k.%s AND c.%s = k.%s RETURNING c.%s, c.%s, c.n)"
			     " INSERT INTO %s(%s, %s, n) SELECT %s, %s, sum(n) FROM d GROUP BY 1, 2;",
			a, b, t, t, a, a, b, b, a, b, t, a, b, a, b);
	}
	rc = db_exec(db, sb.buf, err);
	sb_release(&sb);
	if (rc < 0) {
		db_rollback(db);
		err_prefix(err, "cannot fold the counters");
		return -1;
	}
	return db_commit(db, err);
}

int db_exec(struct db *db, const char *sql, struct errbuf *err)
{
	return db->ops->exec(db, sql, err);
}

int db_begin(struct db *db, struct errbuf *err)
{
	return db->ops->begin(db, err);
}

/* SOHOA_FAIL_COMMIT=N[:busy]: the Nth commit of this process fails as a
 * full disk (SQLITE_FULL) or a lock held too long (SQLITE_BUSY) would,
 * with the transaction rolled back (fsio.h, fault injection). */
static bool injected_commit(const char **why)
{
	static long left = -2;
	static const char *msg = "database or disk is full";
	if (left == -2) {
		const char *s = getenv("SOHOA_FAIL_COMMIT"), *colon = s ? strchr(s, ':') : NULL;
		left = s && atol(s) > 0 ? atol(s) : -1;
		if (colon && !strcmp(colon + 1, "busy"))
			msg = "database is locked";
	}
	if (left < 0 || --left != 0)
		return false;
	left = -1;
	*why = msg;
	return true;
}

int db_commit(struct db *db, struct errbuf *err)
{
	const char *why;
	if (injected_commit(&why)) {
		db_rollback(db);
		return err_set(err, "database: %s (injected)", why);
	}
	return db_exec(db, "COMMIT", err);
}

void db_rollback(struct db *db)
{
	if (db->ops->in_transaction(db))
		db->ops->exec(db, "ROLLBACK", NULL);
}

bool db_in_transaction(struct db *db)
{
	return db->ops->in_transaction(db);
}

bool db_lost(struct db *db)
{
	return db->ops->lost && db->ops->lost(db);
}

int db_set_synced(struct db *db, bool on)
{
	return db->ops->set_synced(db, on);
}

void db_notify(struct db *db)
{
	if (db->ops->notify)
		db->ops->notify(db);
}

int db_listen_fd(struct db *db)
{
	return db->ops->listen_fd ? db->ops->listen_fd(db) : -1;
}

int db_take_notifies(struct db *db)
{
	return db->ops->take_notifies ? db->ops->take_notifies(db) : 0;
}

const char *db_backend(const struct db *db)
{
	return db->ops->name;
}

struct db_stmt *db_prepare(struct db *db, const char *sql)
{
	struct errbuf err = {0};
	struct db_stmt *st = db->ops->prepare(db, sql, &err);
	if (!st) {
		fprintf(stderr, "sohoa: panic: cannot prepare '%s': %s\n", sql, err.msg);
		abort();
	}
	st->db = db;
	st->prev = NULL;
	st->next = db->stmts;
	if (db->stmts)
		db->stmts->prev = st;
	db->stmts = st;
	return st;
}

void db_finalize(struct db_stmt *st)
{
	struct db *db;
	if (!st)
		return;
	db = st->db;
	if (st->prev)
		st->prev->next = st->next;
	else
		db->stmts = st->next;
	if (st->next)
		st->next->prev = st->prev;
	db->ops->finalize(st);
}

void db_bind_int64(struct db_stmt *st, int i, long long v)
{
	st->db->ops->bind_int64(st, i, v);
}

void db_bind_double(struct db_stmt *st, int i, double v)
{
	st->db->ops->bind_double(st, i, v);
}

void db_bind_text(struct db_stmt *st, int i, const char *s, int len)
{
	if (s)
		st->db->ops->bind_text(st, i, s, len);
	else
		st->db->ops->bind_null(st, i);
}

void db_bind_null(struct db_stmt *st, int i)
{
	st->db->ops->bind_null(st, i);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

void db_reset(struct db_stmt *st)
{
	st->db->ops->reset(st);
}

void db_clear_bindings(struct db_stmt *st)
{
	st->db->ops->clear_bindings(st);
}

int db_col_type(struct db_stmt *st, int col)
{
	return st->db->ops->col_type(st, col);
}

long long db_col_int64(struct db_stmt *st, int col)
{
	return st->db->ops->col_int64(st, col);
}

int db_col_int(struct db_stmt *st, int col)
{
	return (int)st->db->ops->col_int64(st, col);
}

double db_col_double(struct db_stmt *st, int col)
{
	return st->db->ops->col_double(st, col);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}

int db_changes(struct db *db)
{
	return db->ops->changes(db);
}

int db_total_changes(struct db *db)
{
	return db->ops->total_changes(db);
}

long long db_last_id(struct db *db)
{
	return db->ops->last_id(db);
}

const char *db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}

int64_t db_int(struct db *db, int64_t def, const char *sql, int nargs, ...)
{
	struct db_stmt *st = db_prepare(db, sql);
	va_list ap;
	int64_t v = def;
	va_start(ap, nargs);
	for (int i = 1; i <= nargs; i++)
		db_bind_int64(st, i, va_arg(ap, int64_t));
	va_end(ap);
	if (db_step(st) == DB_ROW && db_col_type(st, 0) != DB_NULL)
		v = db_col_int64(st, 0);
	db_finalize(st);
	return v;
}

int db_step_done(struct db *db, struct db_stmt *st, const char *what, struct errbuf *err)
{
	int rc = db_step(st);
	if (rc != DB_DONE)
		err_set(err, "%s: %s", what, db_errmsg(db));
	db_finalize(st);
	return rc == DB_DONE ? 0 : -1;
}

char *db_col_strdup(struct db_stmt *st, int col)
{
	const char *s = db_col_text(st, col);
	return s ? xstrdup(s) : NULL;
}

int db_version(struct db *db)
{
	return db->ops->version(db);
}

/* Each migration in its own transaction, the version read again inside it:
 * of several processes opening one database at once (nodes on PostgreSQL),
 * one migrates and the others find it done.  SQLite's BEGIN IMMEDIATE
 * serialises them; on PostgreSQL a transaction-scoped advisory lock does.
 * A current database (every open but the first) takes no lock at all. */
static int migrate(struct db *db, const char *path, struct errbuf *err)
{
	bool on_pg = !strcmp(db_backend(db), "postgresql");
	if (db_version(db) == NMIGRATIONS)
		return 0;
	for (;;) {
		int v;
		if (db_begin(db, err) < 0)
			return -1;
		if (on_pg && db_exec(db, "SELECT pg_advisory_xact_lock(" DB_SCHEMA_LOCK ")", err) < 0) {
			db_rollback(db);
			return -1;
		}
		v = db_version(db);
		if (v > NMIGRATIONS) {
			db_rollback(db);
			return err_set(err, "database '%s' has schema version %d, newer than this sohoa knows (%d)", path, v, NMIGRATIONS);
		}
		if (v == NMIGRATIONS)
			return db_commit(db, err);
		char *pg = on_pg ? pg_ddl(v + 1) : NULL;
		int rc = db_exec(db, pg ? pg : migrations[v], err);
		free(pg);
		if (rc < 0 || db->ops->set_version(db, v + 1, err) < 0) {
			db_rollback(db);
			err_prefix(err, "cannot migrate '%s' to version %d", path, v + 1);
			return -1;
		}
		if (db_commit(db, err) < 0)
			return -1;
	}
}

/* user:password@ in the authority, or a password= parameter. */
static bool url_has_password(const char *url)
{
	const char *auth = strstr(url, "://"), *end, *at;
	if (strstr(url, "password="))
		return true;
	if (!auth)
		return false;
	auth += 3;
	end = auth + strcspn(auth, "/?");
	at = memchr(auth, '@', (size_t)(end - auth));
	return at && memchr(auth, ':', (size_t)(at - auth));
}

int db_open(const char *path, bool create, struct db **out, struct errbuf *err)
{
	struct db *db = NULL;
	if (db_is_url(path) && url_has_password(path))
		return err_set(err, "the database URL holds a password: put it in a file (db.passfile, or PGPASSFILE), never in the URL or the config");
	if (db_is_url(path) ? db_pg_open(path, &db, err) < 0 : db_sqlite_open(path, create, &db, err) < 0)
		return -1;
	if (migrate(db, path, err) < 0) {
		db_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

/* Bumped by every close: statements cached for a handle (jobq.c) are
 * known stale once it changes, even if a new handle gets the same address. */
static unsigned db_closes;

unsigned db_generation(void)
{
	return db_closes;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	/* Statements kept prepared for the hot paths (jobq.c) go with it. */
	while (db->stmts)
		db_finalize(db->stmts);
	db_closes++;
	db->ops->close(db);
}
