/*
 * cmd_db.c - `sohoa db migrate --to postgresql://...`: move a stopped
 * SQLite workspace to PostgreSQL (engine/dbcopy.h) and prove it: one line
 * per table with its rows and checksum on both sides.  Only when every
 * table is the same does the workspace switch (db.url in sohoa.conf,
 * written atomically); sohoa.db is kept as it was.  Exit 0 when all
 * tables agree, 1 when one differs, 2 on usage, 65 when the move could not
 * be made, 75 when a supervisor runs.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "engine/dbcopy.h"
#include "engine/fsio.h"
#include "engine/supervisor.h"
#include "engine/workspace.h"

#define DB_USAGE "usage: sohoa db migrate --to postgresql://USER@HOST/DBNAME"

static int switch_config(struct workspace *ws, const char *url, struct errbuf *err)
{
	char *path = workspace_path(ws, "sohoa.conf"), *data = NULL;
	size_t len = 0;
	struct strbuf sb;
	int rc = -1;
	if (fsio_read(path, &data, &len, 1 << 20, err) < 0)
		goto out;
	sb_init(&sb, 0);
	sb_add(&sb, data, len);
	if (len && data[len - 1] != '\n')
		sb_addc(&sb, '\n');
	sb_addf(&sb, "# moved from sohoa.db by 'sohoa db migrate' (sohoa.db is kept as it was)\ndb.url = %s\n", url);
	rc = fsio_write_atomic(path, sb.buf, sb.len, err);
	sb_release(&sb);
out:
	free(data);
	free(path);
	return rc;
}

int cmd_db(struct workspace *ws, int argc, char **argv)
{
	const char *url = NULL;
	struct errbuf err;
	struct dbcopy_report r;
	struct db *to = NULL;
	int lock, rc;
	if (argc == 4 && !strcmp(argv[1], "migrate") && !strcmp(argv[2], "--to"))
		url = argv[3];
	if (!url || !db_is_url(url)) {
		fprintf(stderr, "%s\n", DB_USAGE);
		return EXIT_USAGE;
	}
	err_init(&err);
	if (strcmp(db_backend(ws->db), "sqlite") != 0) {
		fprintf(stderr, "sohoa: db migrate: the workspace '%s' is already on %s\n", ws->root, db_backend(ws->db));
		return EXIT_DATAERR;
	}
	/* stopped, and kept so: the supervisor's lock, held to the end */
	if ((lock = supervisor_lock(ws, &err)) < 0) {
		fprintf(stderr, "sohoa: db migrate: %s\n", err.msg);
		return 75;
	}
	if (db_open(url, true, &to, &err) < 0 || dbcopy_run(ws->db, to, ws->root, &r, &err) < 0) {
		fprintf(stderr, "sohoa: db migrate: %s\n", err.msg);
		db_close(to);
		close(lock);
		return EXIT_DATAERR;
	}
	printf("%-16s %12s %-32s %12s %-32s\n", "table", "sqlite rows", "checksum", "pg rows", "checksum");
	for (int i = 0; i < r.n; i++)
		printf("%-16s %12lld %.32s %12lld %.32s%s\n", r.t[i].name, (long long)r.t[i].rows[0], r.t[i].checksum[0],
		       (long long)r.t[i].rows[1], r.t[i].checksum[1],
		       r.t[i].rows[0] == r.t[i].rows[1] && !strcmp(r.t[i].checksum[0], r.t[i].checksum[1]) ? "" : "  DIFFERENT");
	rc = 0;
	if (r.differ) {
		fprintf(stderr, "sohoa: db migrate: %d tables differ; the workspace stays on sohoa.db\n", r.differ);
		rc = 1;
	} else if (switch_config(ws, url, &err) < 0) {
		fprintf(stderr, "sohoa: db migrate: the copy is good, but %s; set db.url = %s in sohoa.conf\n", err.msg, url);
		rc = EXIT_IOERR;
	} else {
		printf("db migrate: %d tables, every row the same; the workspace now uses %s (sohoa.db is kept as it was)\n", r.n, url);
	}
	dbcopy_report_release(&r);
	db_close(to);
	close(lock);
	return rc;
}
