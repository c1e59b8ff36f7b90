/*
 * cmd_export.c - `sohoa export` and `sohoa verify`: transfer packages for
 * the historical archive (REGULATIONS.md §6, issue 5 points 3 and 4).
 *
 * export reads the database, describes each package for eark.c (the hồ sơ
 * with its TT05 fields, the documents that passed every stage, the audit
 * events of the file, its documents, their pages, batches and masters),
 * builds it, writes "<zip>.sha256" beside it, and then, for the whole run,
 * the Mục lục hồ sơ nộp lưu (CSV and PDF/A) and the Biên bản thu nộp draft
 * (Markdown).  Only after a package is in place is its "transfer" event
 * recorded.  The paths made are printed on stdout, one per line.
 *
 * Invariants: a document is exported only when it has a signed PDF, its
 * state is ready and no job of it or of its pages is in a state other than
 * done; "transfer" events are left out of the packages, so exporting again
 * gives the same bytes; every output is committed tmp → fsync → rename.
 *
 * verify checks a package (zip or folder) with eark_verify() and each PDF
 * signature with sigverify_file() against the trust store, and compares the
 * zip with its "<zip>.sha256" (or --sha256): the root METS.xml is the one
 * file no checksum inside the package covers.  One line per problem on
 * stdout; exit 0 good, 1 a check failed, 2 usage.
 *
 * Errors: a message "sohoa: export: ..." on stderr and the exit codes of
 * commands.h; a package that fails is not left half-made.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "engine/config.h"
#include "engine/db.h"
#include "formats/eark/eark.h"
#include "engine/events.h"
#include "engine/fsio.h"
#include "formats/pdf/pdfa.h"
#include "formats/pdf/sigverify.h"
#include "engine/util.h"
#include "engine/workspace.h"

#ifndef SOHOA_VERSION
#define SOHOA_VERSION "0.1"
#endif

#define EXPORT_AGENT "sohoa/export"

/* ------------------------------------------------------------------ */
/* Owned strings of one run (the descriptions borrow them).            */

struct pool {
	char **s;
	size_t n;
};

static const char *pool_own(struct pool *p, char *s)
{
	if (!s)
		return NULL;
	p->s = xrealloc(p->s, (p->n + 1) * sizeof(*p->s));
	p->s[p->n++] = s;
	return s;
}

static const char *pool_dup(struct pool *p, const char *s)
{
	return s ? pool_own(p, xstrdup(s)) : NULL;
}

static void pool_release(struct pool *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->s[i]);
	free(p->s);
	p->s = NULL;
	p->n = 0;
}

static const char *cfg_str(const struct workspace *ws, const char *key)
{
	const char *v;
	if (!ws || !ws->cfg || !config_has(ws->cfg, key))
		return NULL;
	v = config_str(ws->cfg, key);
	return v && *v ? v : NULL;
}

static bool cfg_bool(const struct workspace *ws, const char *key)
{
	return ws && ws->cfg && config_has(ws->cfg, key) && config_bool(ws->cfg, key);
}

/* Paths in the database may be relative to the workspace. */
static const char *ws_abs(struct pool *p, const struct workspace *ws, const char *path)
{
	return path ? pool_own(p, workspace_abs(ws->root, path)) : NULL;
}

/* ------------------------------------------------------------------ */
/* Gathering a package description                                     */

struct pkgbuild {
	struct eark_pkg pkg;
	struct eark_doc *docs;
	struct eark_field *fields;
	struct eark_event *events;
	int64_t file_id;           /* 0 for loose documents */
	int64_t *doc_ids;
	size_t nskipped;           /* documents not finished */
	char *zip_name;            /* in the export folder */
	struct eark_result res;
};

static void pkgbuild_release(struct pkgbuild *b)
{
	for (size_t i = 0; i < b->pkg.ndocs; i++) {
		free((void *)b->docs[i].fields);
		free((void *)b->docs[i].extras);
	}
	free(b->docs);
	free(b->fields);
	free(b->events);
	free(b->doc_ids);
	free(b->zip_name);
}

#define ELIGIBLE \
	"d.signed_path IS NOT NULL AND d.state = 'ready' AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.state <> 'done'" \
	" AND (j.document_id = d.id OR j.page_id IN (SELECT p.id FROM pages p WHERE p.document_id = d.id)))"

/* TT05 fields of an object in the schema's order, then the others by name;
 * values proposed by a program and not yet confirmed are left out. */
static struct eark_field *read_fields(struct db *db, struct pool *pl, const char *object, int64_t id,
				      const char *const *order, size_t norder, size_t *n)
{
	struct db_stmt *st = db_prepare(db, "SELECT field, value FROM meta WHERE object = ?1 AND object_id = ?2"
					  " AND source <> 'proposed' ORDER BY field");
	struct eark_field *f = xcalloc(norder + 1, sizeof(*f));
	size_t nf = norder, alloc = norder + 1;
	for (size_t i = 0; i < norder; i++)
		f[i].name = order[i];
	db_bind_text(st, 1, object, -1);
	db_bind_int64(st, 2, id);
	while (db_step(st) == DB_ROW) {
		const char *name = db_col_text(st, 0);
		const char *value = db_col_text(st, 1);
		size_t i;
		for (i = 0; i < norder && strcmp(order[i], name); i++)
			;
		if (i == norder) {
			if (nf == alloc) {
				alloc *= 2;
				f = xrealloc(f, alloc * sizeof(*f));
			}
			f[nf].name = pool_dup(pl, name);
			i = nf++;
		}
		f[i].value = pool_dup(pl, value);
	}
	db_finalize(st);
	*n = nf;
	return f;
}

static void field_default(struct eark_field *f, size_t n, const char *name, const char *value)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(f[i].name, name) && (!f[i].value || !*f[i].value)) {
			f[i].value = value;
			return;
		}
}

static int64_t page_count(struct db *db, int64_t doc_id)
{
	return db_int(db, 0, "SELECT count(*) FROM pages WHERE document_id = ?1", 1, doc_id);
}

static int gather_docs(struct workspace *ws, struct pool *pl, struct pkgbuild *b, const char *file_code, struct errbuf *err)
{
	struct db *db = ws->db;
	struct db_stmt *st;
	size_t alloc = 8;
	bool extras = cfg_bool(ws, "export.include_ocr");
	b->docs = xcalloc(alloc, sizeof(*b->docs));
	b->doc_ids = xcalloc(alloc, sizeof(*b->doc_ids));
	st = db_prepare(db, b->file_id
			? "SELECT d.id, d.name, d.stt, d.title, d.signed_path FROM documents d WHERE d.file_id = ?1 AND " ELIGIBLE " ORDER BY d.stt, d.name"
			: "SELECT d.id, d.name, d.stt, d.title, d.signed_path FROM documents d WHERE d.file_id IS NULL AND " ELIGIBLE " ORDER BY d.stt, d.name");
	if (b->file_id)
		db_bind_int64(st, 1, b->file_id);
	while (db_step(st) == DB_ROW) {
		struct eark_doc *d;
		int64_t id = db_col_int64(st, 0), stt = db_col_int64(st, 2);
		const char *name = db_col_text(st, 1);
		struct eark_field *f;
		size_t nf;
		if (b->pkg.ndocs == alloc) {
			alloc *= 2;
			b->docs = xrealloc(b->docs, alloc * sizeof(*b->docs));
			b->doc_ids = xrealloc(b->doc_ids, alloc * sizeof(*b->doc_ids));
		}
		d = &b->docs[b->pkg.ndocs];
		memset(d, 0, sizeof(*d));
		b->doc_ids[b->pkg.ndocs++] = id;
		d->name = name ? pool_dup(pl, name) : pool_own(pl, xasprintf("document-%lld", (long long)id));
		d->pdf_path = ws_abs(pl, ws, db_col_text(st, 4));
		d->object = pool_own(pl, xasprintf("document:%lld", (long long)id));
		f = read_fields(db, pl, "document", id, eark_doc_fields, EARK_NDOC_FIELDS, &nf);
		if (file_code && stt > 0)
			field_default(f, nf, "docCode", pool_own(pl, xasprintf("%s.%07lld", file_code, (long long)stt)));
		else
			field_default(f, nf, "docCode", d->name);
		field_default(f, nf, "subject", pool_own(pl, db_col_strdup(st, 3)));
		field_default(f, nf, "numberOfPage", pool_own(pl, xasprintf("%lld", (long long)page_count(db, id))));
		d->fields = f;
		d->nfields = nf;
		if (extras) {
			struct db_stmt *ps = db_prepare(db, "SELECT text_path, hocr_path, alto_path FROM pages WHERE document_id = ?1 ORDER BY seq, id");
			struct eark_extra *x = NULL;
			size_t nx = 0, pos = 0;
			static const char *const ext[3] = {"txt", "hocr", "alto.xml"};
			static const char *const mime[3] = {"text/plain", "application/xhtml+xml", "application/xml"};
			db_bind_int64(ps, 1, id);
			while (db_step(ps) == DB_ROW) {
				pos++;
				for (int k = 0; k < 3; k++) {
					const char *path = db_col_text(ps, k);
					if (!path)
						continue;
					x = xrealloc(x, (nx + 1) * sizeof(*x));
					x[nx].path = ws_abs(pl, ws, path);
					x[nx].name = pool_own(pl, xasprintf("%s.p%04zu.%s", d->name, pos, ext[k]));
					x[nx].mimetype = mime[k];
					nx++;
				}
			}
			db_finalize(ps);
			d->extras = x;
			d->nextras = nx;
		}
	}
	db_finalize(st);
	b->pkg.docs = b->docs;
	b->nskipped = (size_t)(b->file_id
		? db_int(db, 0, "SELECT count(*) FROM documents d WHERE d.file_id = ?1 AND NOT (" ELIGIBLE ")", 1, b->file_id)
		: db_int(db, 0, "SELECT count(*) FROM documents d WHERE d.file_id IS NULL AND NOT (" ELIGIBLE ")", 0));
	(void)err;
	return 0;
}

/* The audit events of the package's objects, oldest first, without the
 * transfer events (they come after a package and would change it). */
static int gather_events(struct workspace *ws, struct pool *pl, struct pkgbuild *b, const char *file_code, struct errbuf *err)
{
	struct db *db = ws->db;
	struct db_stmt *st;
	size_t alloc = 64;
	int step;
	if (db_exec(db, "CREATE TEMP TABLE IF NOT EXISTS export_obj(o TEXT PRIMARY KEY); DELETE FROM export_obj;", err) < 0)
		return -1;
	st = db_prepare(db, "INSERT INTO export_obj(o) VALUES (?1) ON CONFLICT DO NOTHING");
	if (file_code) {
		db_bind_text(st, 1, pool_own(pl, xasprintf("file:%s", file_code)), -1);
		if (db_step(st) != DB_DONE)
			goto db_fail;
		db_reset(st);
	}
	for (size_t i = 0; i < b->pkg.ndocs; i++) {
		struct db_stmt *q;
		db_bind_text(st, 1, b->docs[i].object, -1);
		if (db_step(st) != DB_DONE)
			goto db_fail;
		db_reset(st);
		q = db_prepare(db, "INSERT INTO export_obj(o) SELECT o FROM ("
				   " SELECT 'page:' || p.id AS o FROM pages p WHERE p.document_id = ?1"
				   " UNION SELECT 'batch:' || p.batch_id FROM pages p WHERE p.document_id = ?1"
				   " UNION SELECT 'master:' || m.sha256 FROM pages p JOIN masters m ON m.id = p.master_id WHERE p.document_id = ?1)"
				   " AS x WHERE true ON CONFLICT DO NOTHING");
		db_bind_int64(q, 1, b->doc_ids[i]);
		if (db_step_done(db, q, "cannot gather the events of the package", err) < 0) {
			db_finalize(st);
			return -1;
		}
	}
	db_finalize(st);
	b->events = xcalloc(alloc, sizeof(*b->events));
	st = db_prepare(db, "SELECT id, time, agent, type, object, outcome, detail FROM events"
			    " WHERE object IN (SELECT o FROM export_obj) AND type <> 'transfer' ORDER BY time, id");
	while ((step = db_step(st)) == DB_ROW) {
		struct eark_event *e;
		if (b->pkg.nevents == alloc) {
			alloc *= 2;
			b->events = xrealloc(b->events, alloc * sizeof(*b->events));
		}
		e = &b->events[b->pkg.nevents++];
		e->id = db_col_int64(st, 0);
		e->time_ms = db_col_int64(st, 1);
		e->agent = pool_own(pl, db_col_strdup(st, 2));
		e->type = pool_own(pl, db_col_strdup(st, 3));
		e->object = pool_own(pl, db_col_strdup(st, 4));
		e->outcome = pool_own(pl, db_col_strdup(st, 5));
		e->detail = pool_own(pl, db_col_strdup(st, 6));
	}
	db_finalize(st);
	b->pkg.events = b->events;
	if (step != DB_DONE)
		return err_set(err, "cannot read the events of the package: %s", db_errmsg(db));
	return 0;
db_fail:
	err_set(err, "cannot gather the events of the package: %s", db_errmsg(db));
	db_finalize(st);
	return -1;
}

static char *first_fonds_name(struct db *db)
{
	struct db_stmt *st = db_prepare(db, "SELECT name FROM fonds ORDER BY id LIMIT 1");
	char *s = db_step(st) == DB_ROW ? db_col_strdup(st, 0) : NULL;
	db_finalize(st);
	return s;
}

static int gather(struct workspace *ws, struct pool *pl, struct pkgbuild *b, struct errbuf *err)
{
	struct db *db = ws->db;
	const char *file_code = NULL;
	struct eark_pkg *p = &b->pkg;
	p->software_version = SOHOA_VERSION;
	p->schemas_dir = cfg_str(ws, "export.schemas_dir");
	p->archive_name = cfg_str(ws, "export.archive_name");
	p->archive_code = cfg_str(ws, "export.archive_code");
	p->contact = cfg_str(ws, "export.contact");
	p->creator_name = cfg_str(ws, "export.org_name");
	p->creator_code = cfg_str(ws, "export.org_code");
	if (b->file_id) {
		struct db_stmt *st = db_prepare(db, "SELECT f.file_code, f.title, f.paper_file_code, fo.name, fo.code"
						  " FROM files f LEFT JOIN fonds fo ON fo.id = f.fonds_id WHERE f.id = ?1");
		db_bind_int64(st, 1, b->file_id);
		if (db_step(st) == DB_ROW) {
			file_code = pool_own(pl, db_col_strdup(st, 0));
			p->title = pool_own(pl, db_col_strdup(st, 1));
			b->fields = read_fields(db, pl, "file", b->file_id, eark_file_fields, EARK_NFILE_FIELDS, &p->nfields);
			field_default(b->fields, p->nfields, "fileCode", file_code);
			field_default(b->fields, p->nfields, "title", p->title);
			field_default(b->fields, p->nfields, "paperFileCode", pool_own(pl, db_col_strdup(st, 2)));
			if (!p->creator_name)
				p->creator_name = pool_own(pl, db_col_strdup(st, 3));
			if (!p->creator_code)
				p->creator_code = pool_own(pl, db_col_strdup(st, 4));
		}
		db_finalize(st);
		if (!file_code)
			return err_set(err, "file %lld: not in the database", (long long)b->file_id);
		p->type = EARK_SIP_HOSO;
		p->file_code = file_code;
		if (!p->title || !*p->title)
			p->title = eark_field_get(b->fields, p->nfields, "title");
	} else {
		p->type = EARK_SIP_TAILIEU;
		p->title = "Tài liệu rời";
	}
	if (!p->creator_name)
		p->creator_name = cfg_str(ws, "sign.org_name");
	if (!p->creator_name)
		p->creator_name = pool_own(pl, first_fonds_name(db));
	if (gather_docs(ws, pl, b, file_code, err) < 0)
		return -1;
	if (p->type == EARK_SIP_HOSO) {
		int64_t pages = 0;
		for (size_t i = 0; i < p->ndocs; i++)
			pages += page_count(db, b->doc_ids[i]);
		field_default(b->fields, p->nfields, "totalDoc", pool_own(pl, xasprintf("%zu", p->ndocs)));
		field_default(b->fields, p->nfields, "numberOfPage", pool_own(pl, xasprintf("%lld", (long long)pages)));
		p->fields = b->fields;
	}
	if (p->ndocs == 0)
		return 0;
	if (gather_events(ws, pl, b, file_code, err) < 0)
		return -1;
	/* The package's time is its newest event, else its newest document. */
	for (size_t i = 0; i < p->nevents; i++)
		if (b->events[i].time_ms > p->created_ms)
			p->created_ms = b->events[i].time_ms;
	if (!p->created_ms)
		for (size_t i = 0; i < p->ndocs; i++) {
			int64_t t = db_int(db, 0, "SELECT created FROM documents WHERE id = ?1", 1, b->doc_ids[i]);
			if (t > p->created_ms)
				p->created_ms = t;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The outputs beside the packages                                     */

/* The Mục lục as a PDF/A of text pages: A4 landscape, the columns an
 * archivist checks against the records. */
static int muc_luc_pdf(const char *path, const struct eark_pkg *const *pkgs, const struct eark_result *res,
		       const char *const *zips, size_t n, int64_t date_ms, struct errbuf *err)
{
	/* Columns of eark_muc_luc_rows() shown, and their widths in points. */
	static const int cols[] = {0, 1, 2, 3, 4, 5, 7, 8, 9, 11};
	static const double width[] = {28, 150, 230, 62, 62, 48, 44, 40, 44, 72};
	const size_t ncol = sizeof(cols) / sizeof(cols[0]);
	const double pw = 841.89, ph = 595.28, margin = 36, fs = 8, lead = 10;
	struct pdfa_meta meta = {"Mục lục hồ sơ nộp lưu", pkgs[0]->creator_name, NULL, NULL, "vi", NULL, date_ms};
	struct pdfa *d = pdfa_open(path, &meta, NULL, err);
	char ***rows;
	size_t ncols, nrows, r;
	double y = 0;
	int page = 0;
	if (!d)
		return -1;
	nrows = eark_muc_luc_rows(pkgs, res, zips, n, &rows, &ncols);
	for (r = 0; r < nrows; r++) {
		/* Wrap each cell into lines that fit its column. */
		char *lines[16][16];
		int nl[16] = {0}, maxl = 1;
		for (size_t c = 0; c < ncol; c++) {
			const char *s = rows[r][cols[c]];
			struct strbuf cur;
			sb_init(&cur, 0);
			while (*s && nl[c] < 15) {
				const char *w = s + strcspn(s, " ");
				struct strbuf trial;
				sb_init(&trial, 0);
				sb_add(&trial, cur.buf ? cur.buf : "", cur.len);
				if (cur.len)
					sb_addc(&trial, ' ');
				sb_add(&trial, s, (size_t)(w - s));
				if (cur.len && pdfa_text_width(d, trial.buf, fs) > width[c] - 4) {
					lines[c][nl[c]++] = sb_detach(&cur);
					sb_init(&cur, 0);
					sb_add(&cur, s, (size_t)(w - s));
				} else {
					sb_reset(&cur);
					sb_add(&cur, trial.buf, trial.len);
				}
				sb_release(&trial);
				s = *w ? w + 1 : w;
			}
			lines[c][nl[c]++] = cur.len ? sb_detach(&cur) : xstrdup("");
			sb_release(&cur);
			if (nl[c] > maxl)
				maxl = nl[c];
		}
		if (page == 0 || y - maxl * lead < margin) {
			if (page && pdfa_page_end(d, err) < 0)
				goto fail_lines;
			if (pdfa_page_begin(d, pw, ph, err) < 0)
				goto fail_lines;
			page++;
			y = ph - margin;
			if (page == 1) {
				pdfa_text(d, margin, y, 12, "MỤC LỤC HỒ SƠ, TÀI LIỆU NỘP LƯU");
				y -= 16;
				pdfa_text(d, margin, y, 9, pkgs[0]->creator_name ? pkgs[0]->creator_name : "");
				y -= 16;
			}
		}
		{
			double x = margin;
			for (size_t c = 0; c < ncol; c++) {
				for (int k = 0; k < nl[c]; k++)
					pdfa_text(d, x + 2, y - fs - k * lead, fs, lines[c][k]);
				x += width[c];
			}
			y -= maxl * lead + 4;
			pdfa_line(d, margin, y + 2, x, y + 2, r == 0 ? 0.8 : 0.3);
		}
		for (size_t c = 0; c < ncol; c++)
			for (int k = 0; k < nl[c]; k++)
				free(lines[c][k]);
		continue;
fail_lines:
		for (size_t c = 0; c < ncol; c++)
			for (int k = 0; k < nl[c]; k++)
				free(lines[c][k]);
		eark_table_free(rows, nrows, ncols);
		pdfa_abort(d);
		return -1;
	}
	eark_table_free(rows, nrows, ncols);
	if (pdfa_page_end(d, err) < 0) {
		pdfa_abort(d);
		return -1;
	}
	return pdfa_close(d, err);
}

static int write_sidecar(const char *zip, const struct eark_result *res, struct errbuf *err)
{
	/* sha256sum's format, so that `sha256sum -c` works too. */
	char lower[65];
	char *path = xasprintf("%s.sha256", zip), *line;
	int rc;
	for (int i = 0; i < 64; i++)
		lower[i] = (char)(res->sha256[i] >= 'A' && res->sha256[i] <= 'F' ? res->sha256[i] - 'A' + 'a' : res->sha256[i]);
	lower[64] = '\0';
	line = xasprintf("%s  %s\n", lower, path_base(zip));
	rc = fsio_write_atomic(path, line, strlen(line), err);
	free(line);
	free(path);
	return rc;
}
/* One line of export's output: what came from the database or the file
 * system (names, codes, paths) has its control characters escaped. */
static void say(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(FILE *f, const char *fmt, ...)
{
	va_list ap;
	char *raw, *safe;
	va_start(ap, fmt);
	raw = xvasprintf(fmt, ap);
	va_end(ap);
	safe = str_printable(raw, 0);
	fprintf(f, "%s\n", safe);
	free(safe);
	free(raw);
}


/* ------------------------------------------------------------------ */
/* sohoa export                                                        */

static int export_usage(void)
{
	fprintf(stderr, "usage: sohoa export [--file CODE | --loose] [--out DIR]\n");
	return EXIT_USAGE;
}

int cmd_export(struct workspace *ws, int argc, char **argv)
{
	const char *file_code = NULL, *out = NULL;
	bool loose = false;
	struct pool pl = {0};
	struct pkgbuild *b = NULL;
	size_t nb = 0;
	char *outdir = NULL, *tmpdir = NULL, *label = NULL;
	struct errbuf err;
	int rc = EXIT_SOFTWARE;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--file") && i + 1 < argc)
			file_code = argv[++i];
		else if (!strcmp(argv[i], "--loose"))
			loose = true;
		else if (!strcmp(argv[i], "--out") && i + 1 < argc)
			out = argv[++i];
		else
			return export_usage();
	}
	if (file_code && loose)
		return export_usage();
	err_init(&err);
	outdir = out ? xstrdup(out) : workspace_path(ws, "exports");
	/* The temporary files go where the outputs go (same file system). */
	tmpdir = out ? xstrdup(out) : workspace_path(ws, "tmp");
	if (fsio_mkdirs(outdir, 0755, &err) < 0 || fsio_mkdirs(tmpdir, 0755, &err) < 0) {
		say(stderr, "sohoa: export: %s", err.msg);
		rc = EXIT_IOERR;
		goto out;
	}
	if (out)
		fsio_set_tmpdir(NULL);

	/* Which packages: one file, the loose documents, or every file that
	 * has finished documents and then the loose ones. */
	{
		struct db_stmt *st;
		if (file_code) {
			int64_t id = 0;
			st = db_prepare(ws->db, "SELECT id FROM files WHERE file_code = ?1 OR alias = ?1");
			db_bind_text(st, 1, file_code, -1);
			if (db_step(st) == DB_ROW)
				id = db_col_int64(st, 0);
			db_finalize(st);
			if (!id) {
				say(stderr, "sohoa: export: file '%s': not in the workspace", file_code);
				rc = EXIT_DATAERR;
				goto out;
			}
			b = xcalloc(1, sizeof(*b));
			b[nb++].file_id = id;
		} else {
			st = db_prepare(ws->db, loose ? "SELECT 0 WHERE 0" : "SELECT id FROM files ORDER BY file_code");
			while (db_step(st) == DB_ROW) {
				b = xrealloc(b, (nb + 1) * sizeof(*b));
				memset(&b[nb], 0, sizeof(*b));
				b[nb++].file_id = db_col_int64(st, 0);
			}
			db_finalize(st);
			b = xrealloc(b, (nb + 1) * sizeof(*b));
			memset(&b[nb], 0, sizeof(*b));
			nb++; /* the loose documents */
		}
	}

	for (size_t k = 0; k < nb; k++) {
		if (gather(ws, &pl, &b[k], &err) < 0) {
			say(stderr, "sohoa: export: %s", err.msg);
			rc = EXIT_SOFTWARE;
			goto out;
		}
		if (b[k].nskipped)
			say(stderr, "sohoa: export: %s: %zu document(s) not through every stage, left out",
				b[k].pkg.file_code ? b[k].pkg.file_code : "loose documents", b[k].nskipped);
	}
	/* Drop what has nothing to export; an explicit request must have something. */
	{
		size_t w = 0;
		for (size_t k = 0; k < nb; k++) {
			if (b[k].pkg.ndocs)
				b[w++] = b[k];
			else
				pkgbuild_release(&b[k]);
		}
		nb = w;
	}
	if (nb == 0) {
		if (file_code)
			say(stderr, "sohoa: export: file '%s': no document has passed every stage", file_code);
		else
			say(stderr, "sohoa: export: no %sdocument has passed every stage", loose ? "loose " : "");
		rc = EXIT_DATAERR;
		goto out;
	}
	if (!b[0].pkg.creator_name) {
		say(stderr, "sohoa: export: the organisation's name is not set: set 'export.org_name' or 'sign.org_name', or give the file a fonds");
		rc = EXIT_DATAERR;
		goto out;
	}

	for (size_t k = 0; k < nb; k++) {
		struct pkgbuild *pb = &b[k];
		char *zip;
		if (!pb->pkg.creator_name)
			pb->pkg.creator_name = b[0].pkg.creator_name;
		if (pb->pkg.type == EARK_SIP_HOSO) {
			pb->zip_name = xasprintf("%s.zip", pb->pkg.file_code);
		} else {
			char uuid[37];
			if (eark_uuid(&pb->pkg, uuid, &err) < 0)
				goto build_failed;
			pb->zip_name = xasprintf("tai-lieu-roi-%.8s.zip", uuid);
		}
		zip = xasprintf("%s/%s", outdir, pb->zip_name);
		if (eark_build(&pb->pkg, tmpdir, zip, &pb->res, &err) < 0 || write_sidecar(zip, &pb->res, &err) < 0) {
			free(zip);
			goto build_failed;
		}
		{
			/* The transfer event, after the package is in place. */
			char *detail = xasprintf("package '%s' uuid-%s sha256 %s, %zu document(s)", zip, pb->res.uuid, pb->res.sha256, pb->pkg.ndocs);
			if (pb->pkg.type == EARK_SIP_HOSO) {
				char *obj = xasprintf("file:%s", pb->pkg.file_code);
				events_add(ws->db, EXPORT_AGENT, "transfer", obj, "success", detail);
				free(obj);
			} else {
				for (size_t i = 0; i < pb->pkg.ndocs; i++)
					events_add(ws->db, EXPORT_AGENT, "transfer", pb->docs[i].object, "success", detail);
			}
			free(detail);
		}
		say(stdout, "%s", zip);
		free(zip);
		continue;
build_failed:
		say(stderr, "sohoa: export: %s", err.msg);
		rc = strstr(err.msg, "cannot") ? EXIT_IOERR : EXIT_DATAERR;
		goto out;
	}

	/* The Mục lục and the Biên bản of this run. */
	{
		const struct eark_pkg **pk = xcalloc(nb, sizeof(*pk));
		struct eark_result *res = xcalloc(nb, sizeof(*res));
		const char **zn = xcalloc(nb, sizeof(*zn));
		struct strbuf sb;
		char *path;
		int64_t date_ms = 0;
		int failed = 0;
		for (size_t k = 0; k < nb; k++) {
			pk[k] = &b[k].pkg;
			res[k] = b[k].res;
			zn[k] = b[k].zip_name;
			if (b[k].pkg.created_ms > date_ms)
				date_ms = b[k].pkg.created_ms;
		}
		if (file_code)
			label = xstrdup(b[0].pkg.file_code);
		else if (loose)
			label = xstrndup(b[0].zip_name, strlen(b[0].zip_name) - 4);
		else
			label = xstrdup("tat-ca");
		sb_init(&sb, 0);
		eark_muc_luc_csv(pk, res, zn, nb, &sb);
		path = xasprintf("%s/muc-luc-%s.csv", outdir, label);
		if (fsio_write_atomic(path, sb.buf, sb.len, &err) < 0)
			failed = 1;
		else
			say(stdout, "%s", path);
		free(path);
		path = xasprintf("%s/muc-luc-%s.pdf", outdir, label);
		if (!failed && muc_luc_pdf(path, pk, res, zn, nb, date_ms, &err) < 0)
			failed = 1;
		else if (!failed)
			say(stdout, "%s", path);
		free(path);
		sb_reset(&sb);
		eark_bien_ban_md(pk, res, zn, nb, &sb);
		path = xasprintf("%s/bien-ban-%s.md", outdir, label);
		if (!failed && fsio_write_atomic(path, sb.buf, sb.len, &err) < 0)
			failed = 1;
		else if (!failed)
			say(stdout, "%s", path);
		free(path);
		sb_release(&sb);
		free(pk);
		free(res);
		free(zn);
		if (failed) {
			say(stderr, "sohoa: export: %s", err.msg);
			rc = EXIT_IOERR;
			goto out;
		}
	}
	rc = 0;
out:
	for (size_t k = 0; k < nb; k++)
		pkgbuild_release(&b[k]);
	free(b);
	pool_release(&pl);
	free(outdir);
	free(tmpdir);
	free(label);
	return rc;
}

/* ------------------------------------------------------------------ */
/* sohoa verify                                                        */

struct sigctx {
	const char *trust;
};

static int verify_sig(void *ctx, const char *path, char *why, size_t whysz)
{
	const struct sigctx *sc = ctx;
	struct sigverify_result res;
	struct errbuf err;
	int rc;
	memset(&res, 0, sizeof(res));
	err_init(&err);
	rc = sigverify_file(path, sc->trust, &res, &err);
	if (rc < 0) {
		/* The message names the temporary copy: keep only the why. */
		const char *m = err.msg;
		char *quoted = xasprintf("'%s': ", path);
		if (str_starts(m, quoted))
			m += strlen(quoted);
		free(quoted);
		snprintf(why, whysz, "%s", m);
	}
	sigverify_result_release(&res);
	return rc < 0 ? -1 : 0;
}

static int verify_usage(void)
{
	fprintf(stderr, "usage: sohoa verify PACKAGE.zip|DIR [--trust CA.pem | --no-signatures] [--sha256 HEX]\n");
	return EXIT_USAGE;
}

int cmd_verify(struct workspace *ws, int argc, char **argv)
{
	const char *pkg = NULL, *trust = NULL, *want = NULL;
	bool nosig = false;
	struct eark_report rep;
	struct errbuf err;
	struct sigctx sc;
	struct stat st;
	char *tmpdir = NULL, *sidecar_sha = NULL, *name;
	size_t nproblems;
	bool covered = false, is_zip;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--trust") && i + 1 < argc)
			trust = argv[++i];
		else if (!strcmp(argv[i], "--sha256") && i + 1 < argc)
			want = argv[++i];
		else if (!strcmp(argv[i], "--no-signatures"))
			nosig = true;
		else if (argv[i][0] == '-' || pkg)
			return verify_usage();
		else
			pkg = argv[i];
	}
	if (!pkg || (nosig && trust))
		return verify_usage();
	if (!trust && !nosig)
		trust = cfg_str(ws, "verify.trust");
	if (!trust && !nosig)
		trust = cfg_str(ws, "sign.trust");
	if (!trust && !nosig) {
		fprintf(stderr, "sohoa: verify: no trust store for the signatures: give --trust CA.pem, set 'verify.trust', or say --no-signatures\n");
		return EXIT_USAGE;
	}
	if (trust && access(trust, R_OK) < 0) {
		fprintf(stderr, "sohoa: verify: cannot read trust store '%s': %s\n", trust, strerror(errno));
		return EXIT_USAGE;
	}
	err_init(&err);
	sc.trust = trust;
	if (ws)
		tmpdir = workspace_path(ws, "tmp");
	if (eark_verify(pkg, nosig ? NULL : verify_sig, &sc, tmpdir, &rep, &err) < 0) {
		char *m = str_printable(err.msg, 0);
		fprintf(stderr, "sohoa: verify: %s\n", m);
		free(m);
		free(tmpdir);
		return 1;
	}
	free(tmpdir);
	for (size_t i = 0; i < rep.n; i++)
		printf("%s\n", rep.lines[i]);
	if (rep.more)
		printf("... and %zu more problem(s)\n", rep.more);
	nproblems = rep.n + rep.more;
	name = str_printable(pkg, 0);

	/* The zip as a whole: its recorded hash covers the root METS.xml. */
	is_zip = stat(pkg, &st) == 0 && S_ISREG(st.st_mode);
	if (is_zip) {
		char *side = xasprintf("%s.sha256", pkg), *data = NULL;
		char *sname = str_printable(path_base(side), 0), *zname = str_printable(path_base(pkg), 0);
		struct stat sst;
		size_t len;
		struct errbuf e2;
		err_init(&e2);
		if (!want && lstat(side, &sst) == 0) {
			/* a FIFO or a link there is not a sidecar: never block on it */
			if (!S_ISREG(sst.st_mode)) {
				printf("%s: not a regular file\n", sname);
				nproblems++;
			} else if (fsio_read(side, &data, &len, 4096, &e2) < 0 || len < 64) {
				char *m = str_printable(e2.set ? e2.msg : "too short", 0);
				printf("%s: unreadable: %s\n", sname, m);
				free(m);
				nproblems++;
			} else {
				sidecar_sha = xstrndup(data, 64);
				want = sidecar_sha;
			}
			free(data);
		}
		if (want) {
			char have[65];
			int64_t size;
			err_init(&e2);
			covered = true;
			if (fsio_sha256_file(pkg, have, 1, &size, &e2) < 0) {
				char *m = str_printable(e2.msg, 0);
				printf("%s: %s\n", zname, m);
				free(m);
				nproblems++;
			} else if (strcasecmp(have, want) != 0) {
				char *w = str_printable(want, 80);
				printf("%s: checksum mismatch: %s says %s, the zip has %s\n", zname, sidecar_sha ? sname : "--sha256", w, have);
				free(w);
				nproblems++;
			}
		}
		free(sname);
		free(zname);
		free(side);
	}
	/* Nothing inside a package covers its root METS.xml: say when nothing
	 * outside did either.  That alone is not a failure (exit 0): the
	 * package is as good as its sender's copy, and the line says so. */
	if (!covered && is_zip)
		fprintf(stderr, "sohoa: verify: '%s': warning: nothing covered the root METS.xml (no '%s.sha256' beside it and no --sha256): a change to it cannot be seen\n",
			name, name);
	else if (!covered)
		fprintf(stderr, "sohoa: verify: '%s': warning: nothing covered the root METS.xml (an unpacked folder: check the zip with its .sha256): a change to it cannot be seen\n",
			name);
	if (nproblems)
		fprintf(stderr, "sohoa: verify: '%s': %zu problem(s)\n", name, nproblems);
	else
		fprintf(stderr, "sohoa: verify: '%s': ok: %zu files checked, %zu signature(s) valid%s%s\n", name, rep.nchecked, rep.nsigs,
			nosig ? " (signatures not checked)" : "", covered ? "" : " (root METS.xml not covered)");
	eark_report_release(&rep);
	free(sidecar_sha);
	free(name);
	return nproblems ? 1 : 0;
}
