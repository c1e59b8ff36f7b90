/*
 * ingest.c - intake: what `sohoa ingest` and the hot folders do (see
 * ingest.h); the commands themselves are in cli/cmd_engine.c.
 *
 * Order for each file: hash while copying to a temporary file, fsync, rename
 * into masters/AA/SHA.ext, fsync the folder, then one transaction records
 * the master, its pages and their first jobs.  A crash before the commit
 * leaves at most a master file with no row; ingesting it again finds the
 * same name and content and records it.  A file the scanner is still
 * writing is never taken: the hot folder waits for a stable size and mtime.
 *
 * A PDF (by content: it starts with %PDF-) is a master like an image file;
 * pdfinfo (poppler-utils, run without a shell) counts its pages, and each
 * becomes a page (img_index = the PDF page from 0).  A PDF pdfinfo cannot
 * read, or an encrypted one, is recorded as one page so that capture
 * quarantines it with the reason; only a missing pdfinfo refuses the file.
 *
 * The batch's file code and the operator's document map are checked when
 * the batch opens, before anything is copied; the map is recorded when the
 * batch closes, in the transaction that finishes it, applies its file's
 * priority gate (the rules read before that transaction) and queues its
 * fan-in job when every page already passed, so a batch is mapped whole
 * or not at all.  The operator's map and the gate at intake are the
 * archive's rules this engine file still calls (docmap_operator_map(),
 * priority_apply_batch()); forming documents is the fan-in stage's.
 */
#include "engine/ingest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <leptonica/allheaders.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/db.h"
#include "archive/docmap.h"
#include "engine/events.h"
#include "archive/filecode.h"
#include "engine/fsio.h"
#include "engine/jobq.h"
#include "engine/log.h"
#include "formats/image/poppler.h"
#include "archive/priority.h"
#include "archive/profile.h"
#include "engine/registry.h"
#include "engine/wake.h"
#include "engine/workspace.h"

struct ingest_batch {
	struct workspace *ws;
	const struct pipeline *pl;
	int64_t id;
	int npages;
	char *station, *operator_name;
	char *docs;          /* the operator's mapping, applied at close */
	bool nofollow;       /* a symbolic link is not followed (the hot folder) */
	int64_t replaces;    /* ingest_rescan(): the page the file's one image replaces */
	int replace_seq;     /* and its place in the batch */
	int64_t new_page;    /* the last page added */
};

/* What a folder (or a hot folder) is scanned for. */
static const char *const scan_exts[] = {"tif", "tiff", "jpg", "jpeg", "png", "pnm", "pgm", "ppm", "pbm", "bmp", "jp2", "pdf", NULL};

static bool is_scan_name(const char *name)
{
	const char *e = path_ext(name);
	for (int i = 0; scan_exts[i]; i++)
		if (strcasecmp(e, scan_exts[i]) == 0)
			return true;
	return false;
}

/* Seconds pdfinfo may take to count a scanner PDF's pages. */
#define INGEST_PDFINFO_TIMEOUT 30

/* The file code a batch records: a registered file's code (looked up by
 * code or legacy alias), else a valid mã hồ sơ (registered at the fan-in).
 * Returns a new string or NULL with err saying why. */
static char *resolve_file_code(struct db *db, const char *code, struct errbuf *err)
{
	struct filecode_legacy lg;
	struct errbuf e;
	struct db_stmt *st = db_prepare(db, "SELECT file_code FROM files WHERE file_code = ?1 OR alias = ?1");
	char *found = NULL;
	db_bind_text(st, 1, code, -1);
	if (db_step(st) == DB_ROW)
		found = db_col_strdup(st, 0);
	db_finalize(st);
	if (found)
		return found;
	err_init(&e);
	if (filecode_parse(code, NULL, &e) == 0)
		return xstrdup(code);
	if (filecode_legacy_parse(code, &lg, NULL) == 0) {
		if (lg.kind != 'f')
			err_set(err, "file code '%s': a legacy 169/HD name of a %s, not of a file", code, lg.kind == 'd' ? "document" : "page");
		else
			err_set(err, "file code '%s': a legacy 169/HD name that is the alias of no file; register the file first with 'sohoa file add CODE --paper P --alias %s'", code, code);
		return NULL;
	}
	err_set(err, "%s", e.msg);
	return NULL;
}

static void batch_free(struct ingest_batch *b)
{
	free(b->docs);
	free(b->station);
	free(b->operator_name);
	free(b);
}

struct ingest_batch *ingest_open(struct workspace *ws, const struct pipeline *pl, const struct ingest_opts *o,
				 struct errbuf *err)
{
	struct ingest_batch *b;
	struct profile *prof;
	struct db_stmt *st;
	const char *profile = o->profile ? o->profile : config_str(ws->cfg, "ingest.profile");
	const char *fc_opt = o->file_code ? o->file_code : config_str(ws->cfg, "ingest.file_code");
	char *fc = NULL;
	prof = profile_load(ws->root, profile, err);
	if (!prof)
		return NULL;
	profile_free(prof);
	if (*fc_opt && !(fc = resolve_file_code(ws->db, fc_opt, err)))
		return NULL;
	if (o->docs) {
		long *ends;
		if (docmap_parse_map(o->docs, o->expect_pages, &ends, err) < 0) {
			free(fc);
			return NULL;
		}
		free(ends);
	}
	b = xcalloc(1, sizeof(*b));
	b->docs = o->docs ? xstrdup(o->docs) : NULL;
	b->ws = ws;
	b->pl = pl;
	b->nofollow = o->nofollow;
	b->station = xstrdup(o->station ? o->station : config_str(ws->cfg, "ingest.station"));
	b->operator_name = xstrdup(o->operator_name ? o->operator_name : config_str(ws->cfg, "ingest.operator"));
	st = db_prepare(ws->db, "INSERT INTO batches(file_code, station, operator, profile, started) VALUES (?1, ?2, ?3, ?4, ?5)");
	if (fc)
		db_bind_text(st, 1, fc, -1);
	db_bind_text(st, 2, b->station, -1);
	db_bind_text(st, 3, b->operator_name, -1);
	db_bind_text(st, 4, profile, -1);
	db_bind_int64(st, 5, now_ms());
	if (db_step(st) != DB_DONE) {
		err_set(err, "cannot open a batch: %s", db_errmsg(ws->db));
		db_finalize(st);
		free(fc);
		batch_free(b);
		return NULL;
	}
	db_finalize(st);
	free(fc);
	b->id = db_last_id(ws->db);
	return b;
}

/* How many images the file holds: TIFF pages, PDF pages; 1 for everything
 * else (and for a TIFF or PDF that cannot be read or is encrypted: capture
 * will say why).  -1 with err set when pdfinfo cannot run (the message
 * does not name the file: path may be the master's).  *is_pdf (when
 * not NULL) says whether it is a PDF. */
int ingest_count_images(const char *path, bool *is_pdf, struct errbuf *err)
{
	l_int32 fmt = IFF_UNKNOWN, n = 1;
	FILE *f;
	if (is_pdf)
		*is_pdf = false;
	if (poppler_is_pdf(path)) {
		struct pdf_info info;
		struct errbuf why;
		err_init(&why);
		if (is_pdf)
			*is_pdf = true;
		switch (poppler_pdfinfo(path, 0, INGEST_PDFINFO_TIMEOUT, &info, &why)) {
		case POPPLER_OK:
			return info.encrypted ? 1 : info.pages;
		case POPPLER_NOTOOL:
			return err_set(err, "%s", why.msg);
		case POPPLER_BAD:
			return 1;
		}
		return 1;
	}
	if (findFileFormat(path, &fmt) != 0)
		return 1;
	if (fmt != IFF_TIFF && fmt != IFF_TIFF_G4 && fmt != IFF_TIFF_G3 && fmt != IFF_TIFF_LZW &&
	    fmt != IFF_TIFF_ZIP && fmt != IFF_TIFF_PACKBITS && fmt != IFF_TIFF_RLE && fmt != IFF_TIFF_JPEG)
		return 1;
	f = fopen(path, "rb");
	if (!f)
		return 1;
	if (tiffGetCount(f, &n) != 0 || n < 1)
		n = 1;
	fclose(f);
	return n;
}

/* In add_file()'s transaction: the new page (b->new_page, master sha)
 * replaces b->replaces, whose rescan request is marked done. */
static int replace_in_tx(struct ingest_batch *b, const char *sha, struct errbuf *err)
{
	struct db *db = b->ws->db;
	struct db_stmt *st;
	char agent[128], object[32], *detail;
	int rc;
	snprintf(agent, sizeof(agent), "operator:%s", b->operator_name);
	if (jobq_replace_page(db, b->replaces, b->new_page, agent, err) < 0)
		return -1;
	st = db_prepare(db, "UPDATE rescans SET done = ?3, new_page_id = ?2 WHERE page_id = ?1 AND done IS NULL");
	db_bind_int64(st, 1, b->replaces);
	db_bind_int64(st, 2, b->new_page);
	db_bind_int64(st, 3, now_ms());
	if (db_step_done(db, st, "cannot close its rescan request", err) < 0)
		return err_prefix(err, "page %lld", (long long)b->replaces), -1;
	snprintf(object, sizeof(object), "page:%lld", (long long)b->replaces);
	detail = xasprintf("replaced by its rescan, page %lld (master %.12s); the old master is kept", (long long)b->new_page, sha);
	rc = events_add(db, agent, "rescan", object, "success", detail);
	free(detail);
	if (rc < 0)
		return err_set(err, "page %lld: cannot record the rescan: %s", (long long)b->replaces, db_errmsg(db));
	return 0;
}

/* ingest_add(); note (may be NULL) is added to the ingestion event. */
static int add_file(struct ingest_batch *b, const char *path, const char *note, struct errbuf *err)
{
	struct workspace *ws = b->ws;
	char sha[65], *tmp_master = NULL, *dir = NULL, *master = NULL, *rel = NULL, *detail = NULL;
	const char *ext = path_ext(path);
	int64_t size, master_id, dup_batch;
	int nimg, rc = -1, fd;
	bool is_pdf = false, made_master = false;
	struct db_stmt *st;

	/* Everything is read from this fd: a name swapped for a link or a FIFO
	 * after this check is never opened. */
	if ((fd = fsio_open_regular(path, b->nofollow, err)) < 0)
		return -1;
	/* Hash first: a duplicate is refused before anything is copied. */
	if (fsio_sha256_fd(fd, path, sha, &size, err) < 0) {
		close(fd);
		return -1;
	}
	st = db_prepare(ws->db, "SELECT batch_id, src_name FROM masters WHERE sha256 = ?1");
	db_bind_text(st, 1, sha, -1);
	if (db_step(st) == DB_ROW) {
		dup_batch = db_col_int64(st, 0);
		err_set(err, "'%s' was already ingested (same bytes as '%s' in batch %lld)", path,
			db_col_text(st, 1), (long long)dup_batch);
		db_finalize(st);
		close(fd);
		return 0;
	}
	db_finalize(st);
	dir = workspace_path(ws, "masters/%.2s", sha);
	if (fsio_mkdirs(dir, 0755, err) < 0)
		goto out;
	rel = xasprintf("masters/%.2s/%s%s%s", sha, sha, *ext ? "." : "", ext);
	master = workspace_path(ws, "%s", rel);
	tmp_master = NULL;
	{
		struct stat st_m;
		if (stat(master, &st_m) != 0) {
			char sha2[65];
			if (fsio_copy_fd_atomic(fd, path, master, 0444, sha2, &size, err) < 0)
				goto out;
			if (strcmp(sha, sha2) != 0) {
				unlink(master);
				err_set(err, "'%s' changed while it was being ingested; try again when the scanner has finished", path);
				goto out;
			}
			made_master = true;
		}
	}
	if ((nimg = ingest_count_images(master, &is_pdf, err)) < 0) {
		/* No row refers to it yet: the next try copies it again. */
		if (made_master)
			unlink(master);
		err_prefix(err, "cannot count the pages of '%s'", path);
		goto out;
	}
	if (nimg > config_long(ws->cfg, "ingest.max_pages_per_file")) {
		if (made_master)
			unlink(master);
		err_set(err, "cannot ingest '%s': %d pages, more than ingest.max_pages_per_file (%ld); split the file or raise the limit",
			path, nimg, config_long(ws->cfg, "ingest.max_pages_per_file"));
		goto out;
	}
	if (b->replaces && nimg != 1) {
		if (made_master)
			unlink(master);
		err_set(err, "cannot take '%s' as the rescan of page %lld: it holds %d pages, and a rescan replaces one page", path,
			(long long)b->replaces, nimg);
		goto out;
	}
	if (db_begin(ws->db, err) < 0)
		goto out;
	st = db_prepare(ws->db, "INSERT INTO masters(sha256, size, path, src_name, src_path, batch_id, format, nimages, created)"
				" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	db_bind_text(st, 1, sha, -1);
	db_bind_int64(st, 2, size);
	db_bind_text(st, 3, rel, -1);
	db_bind_text(st, 4, path_base(path), -1);
	db_bind_text(st, 5, path, -1);
	db_bind_int64(st, 6, b->id);
	db_bind_text(st, 7, ext, -1);
	db_bind_int64(st, 8, nimg);
	db_bind_int64(st, 9, now_ms());
	if (db_step(st) != DB_DONE) {
		err_set(err, "cannot record '%s': %s", path, db_errmsg(ws->db));
		db_finalize(st);
		goto rollback;
	}
	db_finalize(st);
	master_id = db_last_id(ws->db);
	for (int i = 0; i < nimg; i++) {
		int64_t page_id;
		st = db_prepare(ws->db, "INSERT INTO pages(batch_id, master_id, img_index, seq, created) VALUES (?1, ?2, ?3, ?4, ?5)");
		db_bind_int64(st, 1, b->id);
		db_bind_int64(st, 2, master_id);
		db_bind_int64(st, 3, i);
		db_bind_int64(st, 4, b->replaces ? b->replace_seq : b->npages + i + 1);
		db_bind_int64(st, 5, now_ms());
		if (db_step(st) != DB_DONE) {
			err_set(err, "cannot record '%s': %s", path, db_errmsg(ws->db));
			db_finalize(st);
			goto rollback;
		}
		db_finalize(st);
		page_id = db_last_id(ws->db);
		if (jobq_enqueue_page(ws->db, b->pl->stage[0]->name, page_id) < 0) {
			err_set(err, "cannot queue '%s': %s", path, db_errmsg(ws->db));
			goto rollback;
		}
		b->new_page = page_id;
	}
	if (b->replaces && replace_in_tx(b, sha, err) < 0)
		goto rollback;
	{
		char agent[128], object[80];
		snprintf(agent, sizeof(agent), "operator:%s", b->operator_name);
		snprintf(object, sizeof(object), "master:%s", sha);
		detail = xasprintf("'%s' (%lld bytes, %s%d %s%s) at station %s, batch %lld%s%s", path_base(path), (long long)size,
				   is_pdf ? "PDF, " : "", nimg, is_pdf ? "page" : "image", nimg == 1 ? "" : "s", b->station,
				   (long long)b->id, note ? "; " : "", note ? note : "");
		events_add(ws->db, agent, "ingestion", object, "success", detail);
	}
	if (db_commit(ws->db, err) < 0)
		goto rollback;
	b->npages += nimg;
	rc = nimg;
	goto out;
rollback:
	db_rollback(ws->db);
out:
	close(fd);
	free(detail);
	free(tmp_master);
	free(dir);
	free(master);
	free(rel);
	return rc;
}

int ingest_add(struct ingest_batch *b, const char *path, struct errbuf *err)
{
	return add_file(b, path, NULL, err);
}

int64_t ingest_rescan(struct workspace *ws, const struct pipeline *pl, int64_t page_id, const char *path,
		      const char *operator_name, struct errbuf *err)
{
	struct ingest_batch b;
	struct db_stmt *st;
	char *note;
	int rc;
	memset(&b, 0, sizeof(b));
	st = db_prepare(ws->db, "SELECT p.batch_id, p.seq, b.station, b.operator, p.dropped FROM pages p"
				" JOIN batches b ON b.id = p.batch_id WHERE p.id = ?1");
	db_bind_int64(st, 1, page_id);
	if (db_step(st) == DB_ROW && !db_col_int(st, 4)) {
		b.id = db_col_int64(st, 0);
		b.replace_seq = db_col_int(st, 1);
		b.station = db_col_strdup(st, 2);
		b.operator_name = xstrdup(operator_name && *operator_name ? operator_name : db_col_text(st, 3));
	}
	db_finalize(st);
	if (!b.id)
		return err_set(err, "page %lld: no such page (or it was already replaced)", (long long)page_id);
	b.ws = ws;
	b.pl = pl;
	b.replaces = page_id;
	rc = -1;
	if (db_int(ws->db, 0, "SELECT count(*) FROM rescans WHERE page_id = ?1 AND done IS NULL", 1, page_id) == 0) {
		err_set(err, "page %lld: no rescan was requested for it; request one first (on the page in the desk, or"
			     " 'sohoa jobs rescan JOB --reason R')", (long long)page_id);
		goto out;
	}
	note = xasprintf("the rescan of page %lld", (long long)page_id);
	rc = add_file(&b, path, note, err);
	free(note);
	if (rc > 0)
		wake_supervisors(ws->root, ws->db);
out:
	free(b.station);
	free(b.operator_name);
	return rc > 0 ? b.new_page : -1;
}

/* The operator's mapping, in the closing transaction.  A map that does not
 * fit the pages that came in (a file was refused) is not applied: a warning,
 * and the profile's rules map the batch.  Returns -1 only on a database
 * error. */
static int close_map(struct ingest_batch *b, struct errbuf *warn, struct errbuf *err)
{
	struct db *db = b->ws->db;
	char agent[128], object[32];
	struct errbuf why;
	err_init(&why);
	if (db_exec(db, "SAVEPOINT docmap", err) < 0)
		return -1;
	if (docmap_operator_map(db, b->id, b->docs, &why) < 0) {
		err_set(warn, "batch %lld: %s; the map was not applied and the profile's rules map the pages: correct them with 'sohoa doc map'",
			(long long)b->id, why.msg);
		return db_exec(db, "ROLLBACK TO docmap; RELEASE docmap", err);
	}
	snprintf(agent, sizeof(agent), "operator:%s", b->operator_name);
	snprintf(object, sizeof(object), "batch:%lld", (long long)b->id);
	if (events_add(db, agent, "document mapping", object, "success", b->docs) < 0)
		return err_set(err, "batch %lld: cannot record the document map", (long long)b->id);
	return db_exec(db, "RELEASE docmap", err);
}

int64_t ingest_close(struct ingest_batch *b, struct errbuf *err)
{
	int64_t id = b->id;
	struct db *db = b->ws->db;
	struct db_stmt *st;
	struct errbuf warn, rerr;
	struct priority_rules *rules = NULL;
	err_init(&warn);
	err_init(&rerr);
	if (b->npages > 0) {
		/* read before the write lock is taken */
		char *cdir = workspace_path(b->ws, "config");
		rules = priority_rules_load(cdir, &rerr);
		free(cdir);
	}
	if (db_begin(db, err) < 0)
		goto fail;
	if (b->npages == 0) {
		/* Nothing came in: no empty batch is left behind. */
		st = db_prepare(db, "DELETE FROM batches WHERE id = ?1 AND NOT EXISTS (SELECT 1 FROM masters WHERE batch_id = ?1)");
		db_bind_int64(st, 1, id);
		if (db_step_done(db, st, "cannot drop the empty batch", err) < 0) {
			db_rollback(db);
			goto fail;
		}
		id = 0;
		if (db_commit(db, err) < 0)
			goto fail;
		goto out;
	}
	st = db_prepare(db, "UPDATE batches SET finished = ?2, npages = ?3 WHERE id = ?1");
	db_bind_int64(st, 1, id);
	db_bind_int64(st, 2, now_ms());
	db_bind_int64(st, 3, b->npages);
	if (db_step_done(db, st, "cannot close the batch", err) < 0) {
		db_rollback(db);
		goto fail;
	}
	/* the new jobs follow the file's gate and score (the fan-in job
	 * applies them again to the document jobs it queues) */
	if ((b->docs && close_map(b, &warn, err) < 0) || jobq_queue_fanin(db, b->pl, id, err) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (priority_apply_batch(db, rules, id, err) < 0) {
		if (!rules) {
			err_init(err); /* the reason the rules could not be read */
			err_set(err, "batch %lld: %s", (long long)id, rerr.msg);
		}
		db_rollback(db);
		goto fail;
	}
	if (db_commit(db, err) < 0) {
		db_rollback(db);
		goto fail;
	}
	if (warn.set)
		err_set(err, "%s", warn.msg);
	wake_supervisors(b->ws->root, b->ws->db); /* new work */
out:
	priority_rules_free(rules);
	batch_free(b);
	return id;
fail:
	priority_rules_free(rules);
	batch_free(b);
	return -1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The files of a folder (not hidden, images and PDFs by extension), sorted
 * by name. */
char **ingest_list_folder(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (stat(p, &st) == 0 && S_ISREG(st.st_mode) && is_scan_name(e->d_name)) {
			v = xrealloc(v, sizeof(char *) * (size_t)(*n + 1));
			v[(*n)++] = p;
		} else {
			free(p);
		}
	}
	closedir(d);
	if (*n)
		qsort(v, (size_t)*n, sizeof(char *), cmp_str);
	return v;
}

/* Hot folders.  In-memory only: the size/mtime seen at the last pass.  A
 * restart re-observes files, which only delays them by a pass; what was
 * ingested has moved to .done/, and a crash between the commit and the move
 * is caught by the duplicate check. */
struct seen {
	char *path;
	off_t size;
	time_t mtime;
	int64_t since;
};
static struct seen *seen;
static int nseen;

/* What was skipped, so that the log says it once, not at every pass. */
static char **skipped;
static int nskipped;

static void skip_once(const char *dir, const char *path, const char *why)
{
	for (int i = 0; i < nskipped; i++)
		if (!strcmp(skipped[i], path))
			return;
	skipped = xrealloc(skipped, sizeof(*skipped) * (size_t)(nskipped + 1));
	skipped[nskipped++] = xstrdup(path);
	log_warn("hot folder '%s': skipped '%s': %s", dir, path_base(path), why);
}

/* Why a hot folder's entry is not taken, or NULL when it is a scan to
 * take.  Only regular files: a symbolic link could make the watcher copy
 * anything it can read (the signing key) into masters/. */
static const char *hot_refusal(const char *path, const char *name, const struct stat *st)
{
	if (S_ISLNK(st->st_mode))
		return "a symbolic link (not followed)";
	if (!S_ISREG(st->st_mode))
		return S_ISDIR(st->st_mode) ? "a folder (not walked)" : "not a regular file";
	if (!is_scan_name(name))
		return "not a scan (an image or PDF by its extension)";
	return NULL;
}

/* The entries of a station's folder to look at, sorted by name: regular
 * files that are scans; the rest is logged once and left alone. */
static char **list_station(const char *dir, int *n)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	*n = 0;
	if (!d)
		return NULL;
	while ((e = readdir(d))) {
		struct stat st;
		const char *why;
		char *p;
		if (e->d_name[0] == '.' || !strcmp(e->d_name, "station.conf") || str_ends(e->d_name, ".part"))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		if (lstat(p, &st) != 0) {
			free(p);
			continue;
		}
		if ((why = hot_refusal(p, e->d_name, &st))) {
			skip_once(dir, p, why);
			free(p);
			continue;
		}
		v = xrealloc(v, sizeof(char *) * (size_t)(*n + 1));
		v[(*n)++] = p;
	}
	closedir(d);
	if (*n)
		qsort(v, (size_t)*n, sizeof(char *), cmp_str);
	return v;
}

/* dir/NAME is a real folder (not a symbolic link to one): 1; else 0, and
 * the log says so once. */
static bool real_folder(const char *parent, const char *path)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return false;
	if (S_ISDIR(st.st_mode))
		return true;
	skip_once(parent, path, S_ISLNK(st.st_mode) ? "a symbolic link (not followed): a station is a real folder of the workspace"
						    : "not a folder");
	return false;
}

static bool stable(const char *path, const struct stat *st, long stable_ms)
{
	for (int i = 0; i < nseen; i++) {
		if (strcmp(seen[i].path, path) != 0)
			continue;
		if (seen[i].size != st->st_size || seen[i].mtime != st->st_mtime) {
			seen[i].size = st->st_size;
			seen[i].mtime = st->st_mtime;
			seen[i].since = now_ms();
			return false;
		}
		return now_ms() - seen[i].since >= stable_ms;
	}
	seen = xrealloc(seen, sizeof(*seen) * (size_t)(nseen + 1));
	seen[nseen].path = xstrdup(path);
	seen[nseen].size = st->st_size;
	seen[nseen].mtime = st->st_mtime;
	seen[nseen].since = now_ms();
	nseen++;
	return stable_ms == 0;
}

static void forget(const char *path)
{
	for (int i = 0; i < nseen; i++)
		if (strcmp(seen[i].path, path) == 0) {
			free(seen[i].path);
			seen[i] = seen[--nseen];
			return;
		}
}

int ingest_station_conf(const char *dir, struct ingest_opts *o, struct errbuf *err)
{
	char *path = xasprintf("%s/station.conf", dir), *key, *val;
	struct kvfile kv;
	int rc;
	/* Of unknown origin: never followed, never quoted in a message. */
	if (kv_open_foreign(&kv, path) < 0) {
		rc = errno == ENOENT ? 0
		     : errno == ELOOP ? err_set(err, "'%s' is a symbolic link (not followed)", path)
		     : errno == EINVAL ? err_set(err, "'%s' is not a regular file", path)
		     : err_set(err, "cannot read '%s': %s", path, strerror(errno));
		free(path);
		return rc;
	}
	while ((rc = kv_next(&kv, &key, &val, err)) > 0) {
		const char **slot = !strcmp(key, "profile") ? &o->profile : !strcmp(key, "operator") ? &o->operator_name
				  : !strcmp(key, "file_code") ? &o->file_code : NULL;
		if (!slot) {
			char *k = str_printable(key, 40);
			rc = err_set(err, "%s:%d: unknown key '%s' (profile, operator, file_code)", path, kv.lineno, k);
			free(k);
			break;
		}
		free((char *)*slot);
		*slot = *val ? xstrdup(val) : NULL;
	}
	kv_close(&kv);
	free(path);
	return rc < 0 ? -1 : 0;
}

void ingest_station_free(struct ingest_opts *o)
{
	free((char *)o->profile);
	free((char *)o->operator_name);
	free((char *)o->file_code);
}

/* How long after its move a file in .done/ is watched for growing. */
#define INGEST_GROW_WINDOW (24 * 3600)

/* A scan that paused longer than ingest.stable_seconds was taken half
 * written and moved to .done/, where the scanner finished it.  A file of
 * .done/ whose size is no longer that of the last master taken under its
 * name at this station, and stable again, is taken as a new version: the
 * complete file gets its own master and pages (the half one was
 * quarantined by capture or stays as it was), and the log and the
 * ingestion event say so.  Returns the number of files taken. */
static int watch_grown(struct workspace *ws, const struct pipeline *pl, const struct ingest_opts *o, const char *dir,
		       struct ingest_batch **b, long stable_ms)
{
	char *done_dir = xasprintf("%s/.done", dir);
	DIR *d = real_folder(dir, done_dir) ? opendir(done_dir) : NULL;
	struct dirent *e;
	int taken = 0;
	time_t now = time(NULL);
	while (d && (e = readdir(d))) {
		struct stat st;
		struct db_stmt *q;
		char *p, *note = NULL;
		int64_t old_size = -1;
		char old_sha[65] = "";
		struct errbuf err;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", done_dir, e->d_name);
		if (lstat(p, &st) != 0 || !S_ISREG(st.st_mode) || now - st.st_mtime > INGEST_GROW_WINDOW) {
			free(p);
			continue;
		}
		q = db_prepare(ws->db, "SELECT m.size, m.sha256 FROM masters m JOIN batches b ON b.id = m.batch_id"
				       " WHERE b.station = ?1 AND m.src_name = ?2 ORDER BY m.id DESC LIMIT 1");
		db_bind_text(q, 1, o->station, -1);
		db_bind_text(q, 2, e->d_name, -1);
		if (db_step(q) == DB_ROW) {
			old_size = db_col_int64(q, 0);
			snprintf(old_sha, sizeof(old_sha), "%s", db_col_text(q, 1));
		}
		db_finalize(q);
		if (old_size < 0 || old_size == (int64_t)st.st_size || !stable(p, &st, stable_ms)) {
			free(p);
			continue;
		}
		err_init(&err);
		if (!*b && !(*b = ingest_open(ws, pl, o, &err))) {
			log_warn("hot folder '%s': %s", dir, err.msg);
			free(p);
			break;
		}
		note = xasprintf("a new version of '%s': it changed from %lld to %lld bytes after it was taken (the earlier copy is master:%s)",
				 e->d_name, (long long)old_size, (long long)st.st_size, old_sha);
		if (add_file(*b, p, note, &err) < 0)
			log_warn("hot folder: %s", err.msg);
		else {
			log_warn("hot folder '%s': took %s", dir, note);
			taken++;
		}
		forget(p);
		free(note);
		free(p);
	}
	if (d)
		closedir(d);
	free(done_dir);
	return taken;
}

static int watch_station(struct workspace *ws, const struct pipeline *pl, const char *station)
{
	char *dir = workspace_path(ws, "inbox/%s", station), *done_dir = NULL;
	char **files;
	int n, ntake, taken = 0;
	bool conf_ok = true;
	long stable_ms = config_long(ws->cfg, "ingest.stable_seconds") * 1000;
	struct ingest_batch *b = NULL;
	struct ingest_opts o = {0};
	struct errbuf err;

	o.nofollow = true;
	files = list_station(dir, &n);
	ntake = n;
	o.station = station;
	err_init(&err);
	if (ingest_station_conf(dir, &o, &err) < 0) {
		if (n > 0)
			log_warn("hot folder '%s': %s; nothing taken until it is fixed", dir, err.msg);
		conf_ok = false;
		ntake = 0;
	}
	for (int i = 0; i < ntake; i++) {
		struct stat st;
		char *to;
		int r;
		if (lstat(files[i], &st) != 0 || !S_ISREG(st.st_mode) || !stable(files[i], &st, stable_ms))
			continue;
		err_init(&err);
		if (!b && !(b = ingest_open(ws, pl, &o, &err))) {
			log_warn("hot folder '%s': %s", dir, err.msg);
			break;
		}
		r = ingest_add(b, files[i], &err);
		if (r < 0) {
			log_warn("hot folder: %s", err.msg);
			continue; /* left in place: the operator sees it and the log says why */
		}
		if (r == 0)
			log_info("hot folder: %s; moved to .done", err.msg);
		if (!done_dir) {
			done_dir = xasprintf("%s/.done", dir);
			fsio_mkdirs(done_dir, 0755, &err);
		}
		/* A .done that is a link would move scans out of the workspace. */
		if (!real_folder(dir, done_dir)) {
			forget(files[i]);
			taken++;
			continue;
		}
		to = xasprintf("%s/%s", done_dir, path_base(files[i]));
		if (rename(files[i], to) < 0)
			log_warn("hot folder: cannot move '%s' to '%s': %s", files[i], to, strerror(errno));
		else
			fsio_fsync_dir(dir, &err);
		free(to);
		forget(files[i]);
		taken++;
	}
	if (conf_ok)
		taken += watch_grown(ws, pl, &o, dir, &b, stable_ms);
	if (b) {
		err_init(&err);
		if (ingest_close(b, &err) < 0)
			log_warn("hot folder '%s': %s", dir, err.msg);
	}
	for (int i = 0; i < n; i++)
		free(files[i]);
	free(files);
	free(done_dir);
	free(dir);
	ingest_station_free(&o);
	return taken;
}

int ingest_watch_once(struct workspace *ws, const struct pipeline *pl)
{
	char *inbox = workspace_path(ws, "inbox");
	DIR *d = real_folder(ws->root, inbox) ? opendir(inbox) : NULL;
	struct dirent *e;
	int taken = 0;
	while (d && (e = readdir(d))) {
		char *p;
		if (e->d_name[0] == '.')
			continue;
		p = xasprintf("%s/%s", inbox, e->d_name);
		if (real_folder(inbox, p))
			taken += watch_station(ws, pl, e->d_name);
		free(p);
	}
	if (d)
		closedir(d);
	free(inbox);
	return taken;
}
