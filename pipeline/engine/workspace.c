/*
 * workspace.c - make, find and open an archive workspace (see workspace.h).
 *
 * init writes the documented config, copies the scanner profiles and the
 * config/ tables (metadata schema, code lists, naming, priority) from the
 * program's share folder, makes the stores and the database.  Nothing is
 * overwritten: init refuses a folder that already holds a workspace.
 */
#include "engine/workspace.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/db.h"
#include "engine/fsio.h"
#include "engine/share.h"

static const char *const stores[] = {
	"inbox", "masters", "derived/pages", "derived/docs", "exports", "quarantine", "tmp",
	"scanner-profiles", "config", NULL,
};

char *workspace_path(const struct workspace *ws, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;
	sb_init(&sb, 0);
	sb_adds(&sb, ws->root);
	sb_addc(&sb, '/');
	va_start(ap, fmt);
	sb_vaddf(&sb, fmt, ap);
	va_end(ap);
	return sb_detach(&sb);
}

char *workspace_abs(const char *root, const char *stored)
{
	if (!stored)
		return NULL;
	return stored[0] == '/' ? xstrdup(stored) : xasprintf("%s/%s", root, stored);
}

const char *workspace_rel(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (path && strncmp(path, root, n) == 0 && path[n] == '/')
		return path + n + 1;
	return path;
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Copy every regular file of src into dst (not overwriting). */
static int copy_tree(const char *src, const char *dst, struct errbuf *err)
{
	DIR *d = opendir(src);
	struct dirent *e;
	if (!d)
		return err_set(err, "cannot open '%s': %s", src, strerror(errno));
	while ((e = readdir(d))) {
		char *s, *t;
		struct stat st;
		if (e->d_name[0] == '.')
			continue;
		s = xasprintf("%s/%s", src, e->d_name);
		t = xasprintf("%s/%s", dst, e->d_name);
		if (stat(s, &st) == 0 && S_ISDIR(st.st_mode)) {
			if (fsio_mkdirs(t, 0755, err) < 0 || copy_tree(s, t, err) < 0)
				goto fail;
		} else if (!exists(t) && fsio_copy_atomic(s, t, 0644, NULL, NULL, err) < 0) {
			goto fail;
		}
		free(s);
		free(t);
		continue;
fail:
		free(s);
		free(t);
		closedir(d);
		return -1;
	}
	closedir(d);
	return 0;
}

int workspace_init(const char *dir, const char *db_url, struct errbuf *err)
{
	char *conf = xasprintf("%s/sohoa.conf", dir), *db_path = NULL, *p = NULL, *share = NULL;
	struct config *cfg = NULL;
	struct strbuf sb;
	struct db *db = NULL;
	FILE *mem;
	char *text = NULL;
	size_t len = 0;
	int rc = -1;

	if (exists(conf)) {
		err_set(err, "'%s' already holds a workspace", dir);
		goto out;
	}
	if (db_url && (!db_is_url(db_url) || strpbrk(db_url, " \t\r\n#"))) {
		err_set(err, "--db: expected a postgresql:// URL without spaces");
		goto out;
	}
	if (fsio_mkdirs(dir, 0755, err) < 0)
		goto out;
	for (int i = 0; stores[i]; i++) {
		p = xasprintf("%s/%s", dir, stores[i]);
		if (fsio_mkdirs(p, 0755, err) < 0)
			goto out;
		free(p);
		p = NULL;
	}
	fsio_set_tmpdir(NULL);
	share = share_dir(err);
	if (!share)
		goto out;
	sb_init(&sb, 0);
	sb_addf(&sb, "%s/scanner-profiles", share);
	p = xasprintf("%s/scanner-profiles", dir);
	rc = copy_tree(sb.buf, p, err);
	free(p);
	sb_reset(&sb);
	sb_addf(&sb, "%s/config", share);
	p = xasprintf("%s/config", dir);
	if (rc == 0)
		rc = copy_tree(sb.buf, p, err);
	sb_release(&sb);
	free(p);
	p = NULL;
	if (rc < 0)
		goto out;
	rc = -1;
	db_path = db_url ? xstrdup(db_url) : xasprintf("%s/sohoa.db", dir);
	if (db_open(db_path, true, &db, err) < 0)
		goto out;
	cfg = config_new();
	mem = open_memstream(&text, &len);
	config_write_default(cfg, mem);
	if (db_url)
		fprintf(mem, "\n# the job store, given to sohoa init --db\ndb.url = %s\n", db_url);
	fclose(mem);
	/* The config is written last: its presence marks a complete workspace. */
	if (fsio_write_atomic(conf, text, len, err) < 0)
		goto out;
	rc = 0;
out:
	free(text);
	config_free(cfg);
	db_close(db);
	free(db_path);
	free(p);
	free(share);
	free(conf);
	return rc;
}

static char *find_root(const char *dir, struct errbuf *err)
{
	char buf[PATH_MAX], *conf;
	const char *start = dir ? dir : getenv("SOHOA_DIR");
	if (start && *start) {
		if (!realpath(start, buf)) {
			err_set(err, "cannot open workspace '%s': %s", start, strerror(errno));
			return NULL;
		}
		conf = xasprintf("%s/sohoa.conf", buf);
		if (!exists(conf)) {
			free(conf);
			err_set(err, "'%s' is not a sohoa workspace (no sohoa.conf); make one with 'sohoa init %s'", start, start);
			return NULL;
		}
		free(conf);
		return xstrdup(buf);
	}
	if (!getcwd(buf, sizeof(buf))) {
		err_set(err, "cannot read the current folder: %s", strerror(errno));
		return NULL;
	}
	for (;;) {
		char *slash;
		conf = xasprintf("%s/sohoa.conf", buf);
		if (exists(conf)) {
			free(conf);
			return xstrdup(buf);
		}
		free(conf);
		slash = strrchr(buf, '/');
		if (!slash || slash == buf)
			break;
		*slash = '\0';
	}
	err_set(err, "not in a sohoa workspace: give -C DIR, set SOHOA_DIR, or run 'sohoa init DIR'");
	return NULL;
}

int workspace_open(const char *dir, struct workspace *ws, struct errbuf *err)
{
	char *p;
	memset(ws, 0, sizeof(*ws));
	ws->root = find_root(dir, err);
	if (!ws->root)
		return -1;
	ws->cfg = config_new();
	p = workspace_path(ws, "sohoa.conf");
	if (config_load(ws->cfg, p, err) < 0)
		goto fail;
	free(p);
	if (*config_str(ws->cfg, "db.url")) {
		/* the password only from a file: db.passfile, else libpq's own */
		const char *url = config_str(ws->cfg, "db.url"), *pf = config_str(ws->cfg, "db.passfile");
		char *file = *pf ? (*pf == '/' ? xstrdup(pf) : workspace_path(ws, "%s", pf)) : NULL;
		p = file ? xasprintf("%s%cpassfile=%s", url, strchr(url, '?') ? '&' : '?', file) : xstrdup(url);
		free(file);
	} else {
		p = workspace_path(ws, "sohoa.db");
	}
	if (db_open(p, false, &ws->db, err) < 0)
		goto fail;
	free(p);
	p = workspace_path(ws, "tmp");
	fsio_set_tmpdir(p);
	free(p);
	return 0;
fail:
	free(p);
	workspace_close(ws);
	return -1;
}

void workspace_close(struct workspace *ws)
{
	if (ws->db)
		db_close(ws->db);
	config_free(ws->cfg);
	free(ws->root);
	memset(ws, 0, sizeof(*ws));
}
