/*
 * identity.c - the workspace folder's identity (see identity.h): sohoa.id
 * and its row in the database.
 *
 * The file holds one line, the id in lower-case hex; it is made with
 * fsio_write_atomic() and never rewritten.  The row is inserted once
 * (id 1; a second insert does nothing), so two nodes that race to make
 * the first id agree on the database's, and the loser is refused by the
 * comparison that follows.  Errors name the file and both ids.
 */
#include "engine/identity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "engine/db.h"
#include "engine/fsio.h"

static bool well_formed(const char *id)
{
	if (strlen(id) != IDENTITY_HEX)
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'f')))
			return false;
	return true;
}

int identity_read(const char *root, char *id, struct errbuf *err)
{
	char *path = xasprintf("%s/%s", root, IDENTITY_FILE), *data = NULL;
	size_t len = 0;
	int rc = -1;
	struct stat st;
	if (lstat(path, &st) < 0 && errno == ENOENT) {
		rc = 0;
		goto out;
	}
	if (fsio_read(path, &data, &len, 256, err) < 0)
		goto out;
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		data[--len] = '\0';
	if (!well_formed(data)) {
		err_set(err, "'%s' is not a workspace identity (%d hex digits)", path, IDENTITY_HEX);
		goto out;
	}
	memcpy(id, data, IDENTITY_HEX + 1);
	rc = 1;
out:
	free(data);
	free(path);
	return rc;
}

int identity_known(struct db *db, char *id, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "SELECT identity FROM identity WHERE id = 1");
	int rc = db_step(st), found = 0;
	if (rc == DB_ROW) {
		const char *s = db_col_text(st, 0);
		snprintf(id, IDENTITY_HEX + 1, "%s", s ? s : "");
		found = 1;
	} else if (rc != DB_DONE) {
		err_set(err, "cannot read the workspace identity: %s", db_errmsg(db));
		found = -1;
	}
	db_finalize(st);
	return found;
}

static int record(struct db *db, const char *id, struct errbuf *err)
{
	struct db_stmt *st = db_prepare(db, "INSERT INTO identity(id, identity, created) VALUES (1, ?1, ?2) ON CONFLICT(id) DO NOTHING");
	db_bind_text(st, 1, id, -1);
	db_bind_int64(st, 2, now_ms());
	return db_step_done(db, st, "cannot record the workspace identity", err);
}

static int make_file(const char *root, char *id, struct errbuf *err)
{
	unsigned char b[IDENTITY_HEX / 2];
	char line[IDENTITY_HEX + 2], *path;
	int rc;
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return err_set(err, "no random bytes for the workspace identity: %s", strerror(errno));
	for (size_t i = 0; i < sizeof(b); i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	snprintf(line, sizeof(line), "%s\n", id);
	path = xasprintf("%s/%s", root, IDENTITY_FILE);
	rc = fsio_write_atomic(path, line, strlen(line), err);
	free(path);
	return rc;
}

int identity_check(const char *root, struct db *db, struct errbuf *err)
{
	char file_id[IDENTITY_HEX + 1] = "", db_id[IDENTITY_HEX + 1] = "";
	int in_file = identity_read(root, file_id, err), in_db;
	if (in_file < 0)
		return -1;
	in_db = identity_known(db, db_id, err);
	if (in_db < 0)
		return -1;
	if (in_db && !in_file)
		return err_set(err, "the workspace folder '%s' has no identity file '%s', but the database knows identity %s: is the shared folder mounted there?",
			       root, IDENTITY_FILE, db_id);
	if (!in_file && make_file(root, file_id, err) < 0)
		return -1;
	if (!in_db) {
		if (record(db, file_id, err) < 0 || identity_known(db, db_id, err) < 0)
			return -1;
	}
	if (strcmp(file_id, db_id) != 0)
		return err_set(err, "the workspace folder '%s' has identity %s ('%s'), but the database knows identity %s: this is not the folder of this database",
			       root, file_id, IDENTITY_FILE, db_id);
	return 0;
}
