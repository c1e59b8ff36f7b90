/*
 * test_node.c - several nodes on one database (node.h): node names, the
 * node a claim records, each node returning only its own workers' jobs and
 * any node the expired leases of a dead one, the nodes table's refusal of
 * a second live supervisor of one node, and the workspace identity
 * (identity.h): made once, checked, a wrong or missing file refused.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/identity.h"
#include "engine/jobq.h"
#include "engine/node.h"
#include "unitdb.h"

static struct db *db;

static int64_t add_job(void)
{
	db_exec(db, "INSERT INTO jobs(stage, state, created, updated) VALUES ('x', 'ready', 0, 0)", NULL);
	return db_last_id(db);
}

static int64_t count(const char *sql)
{
	return db_int(db, -1, sql, 0);
}

static void names(void)
{
	static const struct {
		const char *name;
		bool ok;
	} cases[] = {
		{"alpha", true}, {"may-ocr-2.local", true}, {"a_b", true}, {"", false}, {"a b", false},
		{"a/b", false}, {"nút", false}, {"a'b", false},
		{"0123456789012345678901234567890123456789012345678901234567890123", true},
		{"01234567890123456789012345678901234567890123456789012345678901234", false},
	};
	struct errbuf err;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK(node_name_ok(cases[i].name) == cases[i].ok);
	err_init(&err);
	CHECK(node_set("a b", &err) < 0 && strstr(err.msg, "'a b'"));
	err_init(&err);
	CHECK(node_set("alpha", &err) == 0);
	CHECK_STR(node_name(), "alpha");
	CHECK_STR(getenv("SOHOA_NODE"), "alpha");
	CHECK(node_stale_ms(100) == 3000 && node_stale_ms(5000) == 15000);
}

static void leases(void)
{
	struct errbuf err;
	struct job a, b;
	int64_t ja = add_job(), jb = add_job();
	err_init(&err);
	/* the same pid on two nodes: two workers */
	CHECK(node_set("alpha", &err) == 0);
	CHECK(jobq_claim(db, "x", 4242, 60, 0, &a, &err) == 1 && a.id == ja);
	CHECK(node_set("beta", &err) == 0);
	CHECK(jobq_claim(db, "x", 4242, 60, 0, &b, &err) == 1 && b.id == jb);
	CHECK(count("SELECT count(*) FROM jobs WHERE node = 'alpha' AND state = 'claimed'") == 1);
	CHECK(count("SELECT count(*) FROM jobs WHERE node = 'beta' AND state = 'claimed'") == 1);
	CHECK(jobq_still_mine(db, jb, 4242));
	CHECK(!jobq_still_mine(db, ja, 4242)); /* alpha's, though the pid is the same */
	/* beta's worker 4242 died: only beta's job comes back */
	CHECK(jobq_reclaim_dead(db, 4242, 10) == 1);
	CHECK(count("SELECT count(*) FROM jobs WHERE state = 'claimed'") == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE id = ?1 AND state = 'claimed' AND node = 'alpha'", 1, ja) == 1);
	/* beta stops: it returns its own (none now), not alpha's */
	CHECK(jobq_claim(db, "x", 5151, 60, 0, &b, &err) == 1 && b.id == jb);
	CHECK(jobq_reclaim_node(db, 10) == 1);
	CHECK(db_int(db, 0, "SELECT count(*) FROM jobs WHERE id = ?1 AND state = 'claimed'", 1, ja) == 1);
	/* alpha dies: beta's scan returns its job once the lease has ended */
	CHECK(jobq_expire_leases(db, 10) == 0);
	db_exec(db, "UPDATE jobs SET lease_until = 1 WHERE node = 'alpha' AND state = 'claimed'", NULL);
	CHECK(jobq_expire_leases(db, 10) == 1);
	CHECK(count("SELECT count(*) FROM jobs WHERE state = 'claimed'") == 0);
	CHECK(count("SELECT attempts FROM jobs WHERE id = 1") == 1);
	/* the start of the one supervisor of a SQLite workspace: every node's */
	CHECK(jobq_claim(db, "x", 1, 60, 0, &b, &err) == 1);
	CHECK(node_set("alpha", &err) == 0);
	CHECK(jobq_reclaim_node(db, 10) == 0);
	CHECK(jobq_reclaim_dead(db, 0, 10) == 1);
}

static void registry(void)
{
	struct errbuf err;
	err_init(&err);
	CHECK(node_set("gamma", &err) == 0);
	CHECK(node_register(db, 60000, &err) == 0);
	CHECK(count("SELECT count(*) FROM nodes WHERE name = 'gamma' AND stopped IS NULL") == 1);
	CHECK(node_heartbeat(db, "ocr 2", &err) == 0);
	CHECK(count("SELECT count(*) FROM nodes WHERE name = 'gamma' AND workers = 'ocr 2'") == 1);
	/* this very process again (a restart in place) is let in */
	CHECK(node_register(db, 60000, &err) == 0);
	/* a live process on this host (pid 1) with a fresh heartbeat: refused */
	db_exec(db, "UPDATE nodes SET pid = 1 WHERE name = 'gamma'", NULL);
	CHECK(node_register(db, 60000, &err) < 0 && strstr(err.msg, "node 'gamma' is running: pid 1"));
	/* on another host: refused while its heartbeat is fresh, let in once stale */
	db_exec(db, "UPDATE nodes SET host = 'elsewhere' WHERE name = 'gamma'", NULL);
	err_init(&err);
	CHECK(node_register(db, 60000, &err) < 0 && strstr(err.msg, "host elsewhere"));
	db_exec(db, "UPDATE nodes SET heartbeat = heartbeat - 120000 WHERE name = 'gamma'", NULL);
	err_init(&err);
	CHECK(node_register(db, 60000, &err) == 0);
	CHECK(count("SELECT count(*) FROM nodes WHERE name = 'gamma' AND host <> 'elsewhere'") == 1);
	/* stopped: let in at once */
	db_exec(db, "UPDATE nodes SET pid = 1 WHERE name = 'gamma'", NULL);
	CHECK(node_stopped(db, &err) == 0 && count("SELECT count(*) FROM nodes WHERE stopped IS NOT NULL") == 0); /* not this process's row */
	db_exec(db, "UPDATE nodes SET stopped = 1 WHERE name = 'gamma'", NULL);
	CHECK(node_register(db, 60000, &err) == 0);
	CHECK(node_stopped(db, &err) == 0);
	CHECK(count("SELECT count(*) FROM nodes WHERE name = 'gamma' AND stopped IS NOT NULL") == 1);
}

static void identity(const char *root)
{
	struct errbuf err;
	char id[IDENTITY_HEX + 1], known[IDENTITY_HEX + 1], *path = xasprintf("%s/%s", root, IDENTITY_FILE);
	FILE *f;
	err_init(&err);
	CHECK(identity_read(root, id, &err) == 0);
	CHECK(identity_known(db, known, &err) == 0);
	CHECK(identity_check(root, db, &err) == 0); /* made: the file, then the row */
	CHECK(identity_read(root, id, &err) == 1 && strlen(id) == IDENTITY_HEX);
	CHECK(identity_known(db, known, &err) == 1);
	CHECK_STR(id, known);
	CHECK(identity_check(root, db, &err) == 0);
	/* another folder's file */
	f = fopen(path, "w");
	fputs("0123456789abcdef0123456789abcdef\n", f);
	fclose(f);
	CHECK(identity_check(root, db, &err) < 0);
	CHECK(strstr(err.msg, "0123456789abcdef0123456789abcdef") && strstr(err.msg, known));
	/* no file: an empty mount point */
	unlink(path);
	err_init(&err);
	CHECK(identity_check(root, db, &err) < 0 && strstr(err.msg, "no identity file") && strstr(err.msg, known));
	/* a damaged one */
	f = fopen(path, "w");
	fputs("not an id\n", f);
	fclose(f);
	err_init(&err);
	CHECK(identity_check(root, db, &err) < 0 && strstr(err.msg, "is not a workspace identity"));
	/* the database lost nothing: the first id is still the one known */
	CHECK(identity_known(db, id, &err) == 1);
	CHECK_STR(id, known);
	free(path);
}

int main(void)
{
	char root[64] = "/tmp/test_node.XXXXXX";
	if (!mkdtemp(root))
		return 1;
	db = unit_db_open(root);
	names();
	leases();
	registry();
	identity(root);
	db_close(db);
	unit_rmtree(root);
	return unit_done("test_node");
}
