/*
 * test_docmap.c - pages to documents (docmap.c) against a temporary
 * workspace: the separator rules of a scanner profile (none, blank, text,
 * a duplex separator sheet's blank back), the operator's map winning over
 * them, a second run changing nothing, bad profiles, and the map parser;
 * the plan/apply split of the fan-in: a plan writes nothing, and a plan
 * made stale by another batch of the same file is refused, then made again.
 *
 * A case is a string of pages: 'p' a page of text, 'b' a page the blank
 * stage flagged blank, 's' a separator sheet (its OCR text holds the
 * profile's separator_text).  The expected mapping gives, per page, the
 * document in order of appearance ('1', '2'...) or '-' for a separator.
 */
#define _XOPEN_SOURCE 700
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive/docmap.h"
#include "unitdb.h"

static char root[64];
static struct db *db;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(text, f);
	fclose(f);
}

static int64_t exec_id(const char *sql)
{
	struct errbuf e;
	err_init(&e);
	if (db_exec(db, sql, &e) < 0) {
		fprintf(stderr, "%s\n", e.msg);
		exit(2);
	}
	return db_last_id(db);
}

/* A batch with its pages as in `pages`; the operator's map when given. */
static int64_t make_batch(const char *profile, const char *pages, const char *map)
{
	char sql[512];
	int64_t batch, master;
	snprintf(sql, sizeof(sql), "INSERT INTO batches(station, operator, profile, started, finished)"
				   " VALUES ('s1', 'op', '%s', 1, 2)", profile);
	batch = exec_id(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO masters(sha256, size, path, src_name, batch_id, nimages, created)"
				   " VALUES ('sha-%lld', 1, 'm', 'm.tif', %lld, %d, 1)",
		 (long long)batch, (long long)batch, (int)strlen(pages));
	master = exec_id(sql);
	for (int i = 0; pages[i]; i++) {
		char path[160], rel[64];
		struct db_stmt *st;
		snprintf(rel, sizeof(rel), "text/%lld-%d.txt", (long long)batch, i);
		snprintf(path, sizeof(path), "%s/%s", root, rel);
		st = db_prepare(db, "INSERT INTO pages(batch_id, master_id, img_index, seq, blank, text_path, created)"
				    " VALUES (?1, ?2, ?3, ?3 + 1, ?4, ?5, 1)");
		db_bind_int64(st, 1, batch);
		db_bind_int64(st, 2, master);
		db_bind_int64(st, 3, i);
		db_bind_int64(st, 4, pages[i] == 'b');
		if (pages[i] != 'b') { /* the OCR stage skips blank pages */
			write_file(path, pages[i] == 's' ? "PHIẾU TÁCH TÀI LIỆU\n" : "CÔNG VĂN\nV/v báo cáo\n");
			db_bind_text(st, 5, rel, -1);
		}
		if (db_step(st) != DB_DONE) {
			fprintf(stderr, "page: %s\n", db_errmsg(db));
			exit(2);
		}
		db_finalize(st);
	}
	if (map) {
		struct errbuf e;
		err_init(&e);
		if (docmap_operator_map(db, batch, map, &e) < 0) {
			fprintf(stderr, "map '%s': %s\n", map, e.msg);
			exit(2);
		}
	}
	return batch;
}

/* The mapping of a batch as a string, documents numbered by appearance. */
static void mapping(int64_t batch, char *out, size_t size)
{
	struct db_stmt *st = db_prepare(db, "SELECT document_id, separator FROM pages WHERE batch_id = ?1 ORDER BY seq");
	int64_t seen[32];
	int nseen = 0;
	size_t k = 0;
	db_bind_int64(st, 1, batch);
	while (db_step(st) == DB_ROW && k + 1 < size) {
		int64_t d = db_col_type(st, 0) == DB_NULL ? 0 : db_col_int64(st, 0);
		int j;
		if (!d) {
			out[k++] = db_col_int(st, 1) ? '-' : '?';
			continue;
		}
		for (j = 0; j < nseen && seen[j] != d; j++)
			;
		if (j == nseen && nseen < 32)
			seen[nseen++] = d;
		out[k++] = (char)('1' + j);
	}
	out[k] = '\0';
	db_finalize(st);
}

static const struct {
	const char *profile;   /* its lines */
	const char *pages;
	const char *map;       /* the operator's, or NULL */
	const char *want;      /* mapping, or NULL when an error is expected */
	const char *err;       /* part of the error */
} cases[] = {
	{"separator = none\n", "pbpbp", NULL, "11111", NULL},
	{"", "pp", NULL, "11", NULL},
	{"separator = blank\n", "ppbpbbp", NULL, "11-2--3", NULL},
	{"separator = blank\n", "bpp", NULL, "-11", NULL},
	{"separator = blank\n", "ppb", NULL, "11-", NULL},
	{"separator = text\nseparator_text = PHIẾU TÁCH\n", "psppsp", NULL, "1-22-3", NULL},
	/* a blank page is no separator under the text rule... */
	{"separator = text\nseparator_text = PHIẾU TÁCH\n", "pbspbp", NULL, "11-222", NULL},
	/* ...except the back of a separator sheet in a duplex feeder */
	{"duplex = yes\nseparator = text\nseparator_text = PHIẾU TÁCH\n", "pbsbpb", NULL, "11--22", NULL},
	{"duplex = yes\nseparator = text\nseparator_text = PHIẾU TÁCH\n", "sbpbsbpb", NULL, "--11--22", NULL},
	/* the text must be the marker, not a word of it */
	{"separator = text\nseparator_text = TÁCH TÀI LIỆU SỐ\n", "psp", NULL, "111", NULL},
	/* the operator's map wins over the profile's rule */
	{"separator = blank\n", "pbpp", "1-2,3-", "1122", NULL},
	{"separator = text\nseparator_text = PHIẾU TÁCH\n", "psp", "1,2,3", "123", NULL},
	{"separator = sheet\n", "pp", NULL, NULL, "separator 'sheet': expected none, blank or text"},
	{"separator = text\n", "pp", NULL, NULL, "separator 'text' needs a 'separator_text'"},
};

static const struct {
	const char *spec;
	long npages;
	int want;              /* documents, or -1 */
	const char *err;
} maps[] = {
	{"1-3,4-7,8-", 10, 3, NULL},
	{"1-3,4-7,8-", 8, 3, NULL},
	{"1,2,3", 3, 3, NULL},
	{"1-", 5, 1, NULL},
	{"1-3,4-7,8-", 7, -1, "range 8-7"},
	{"1-3,4-7", 9, -1, "pages 8-9 are in no document"},
	{"1-3,5-9", 9, -1, "range 5-9: expected ranges in order from page 4"},
	{"2-3", 3, -1, "from page 1"},
	{"1-3,", 3, -1, "expected page ranges"},
	{"1--3", 3, -1, "expected page ranges"},
	{"1-2-3", 3, -1, "expected page ranges"},
	{"1-,2-", 3, -1, "expected page ranges"},
	{"", 3, -1, "expected page ranges"},
	{"-1", 3, -1, "expected page ranges"},
	{"1-99999999999999999999", 3, -1, "expected page ranges"},
	{"1-3", 0, -1, "no pages"},
};

/* The fan-in's two steps: plan (which must write nothing), then apply. */
static int assign(int64_t batch, int64_t **ids, int *n, struct errbuf *err)
{
	struct docmap_tables t;
	struct docmap_plan p;
	char cdir[96];
	int rc, changes = db_total_changes(db);
	snprintf(cdir, sizeof(cdir), "%s/config", root);
	*ids = NULL;
	*n = 0;
	if (docmap_tables_load(cdir, &t, err) < 0)
		return -1;
	rc = docmap_plan(db, &t, root, batch, &p, err);
	CHECK(db_total_changes(db) == changes);
	if (rc == 0) {
		rc = docmap_apply(db, &t, &p, ids, n, err);
		CHECK(rc != 1); /* nothing changed in between */
		docmap_plan_release(&p);
	}
	docmap_tables_release(&t);
	return rc;
}

/* Two batches of one file planned at once: the second plan is stale once
 * the first is applied (the next STT is taken), and is refused. */
static void stale_plan(void)
{
	const char *code = "000.00.00.G09.2025.01.VP";
	struct docmap_tables t;
	struct docmap_plan pa, pb;
	struct errbuf err;
	int64_t a, b, *ids = NULL;
	int n = 0;
	char cdir[96], sql[256];
	err_init(&err);
	snprintf(cdir, sizeof(cdir), "%s/config", root);
	a = make_batch("none", "pp", NULL);
	b = make_batch("none", "p", NULL);
	snprintf(sql, sizeof(sql), "UPDATE batches SET file_code = '%s' WHERE id IN (%lld, %lld)", code, (long long)a, (long long)b);
	exec_id(sql);
	CHECK(docmap_tables_load(cdir, &t, &err) == 0);
	CHECK(docmap_plan(db, &t, root, a, &pa, &err) == 0 && pa.ngroups == 1 && pa.file_id == 0);
	CHECK(docmap_plan(db, &t, root, b, &pb, &err) == 0 && pb.ngroups == 1);
	CHECK(pa.groups[0].stt == 1 && pb.groups[0].stt == 1); /* both would take STT 1 */
	exec_id("BEGIN");
	CHECK(docmap_apply(db, &t, &pa, &ids, &n, &err) == 0 && n == 1);
	exec_id("COMMIT");
	free(ids);
	exec_id("BEGIN");
	CHECK(docmap_apply(db, &t, &pb, &ids, &n, &err) == 1 && n == 0 && !ids); /* stale: nothing written */
	exec_id("COMMIT");
	CHECK(db_int(db, 0, "SELECT count(*) FROM pages WHERE batch_id = ?1 AND document_id IS NULL", 1, b) == 1);
	docmap_plan_release(&pb);
	CHECK(docmap_plan(db, &t, root, b, &pb, &err) == 0 && pb.file_id > 0 && pb.groups[0].stt == 2);
	exec_id("BEGIN");
	CHECK(docmap_apply(db, &t, &pb, &ids, &n, &err) == 0 && n == 1);
	exec_id("COMMIT");
	free(ids);
	CHECK(db_int(db, 0, "SELECT count(*) FROM documents d JOIN files f ON f.id = d.file_id WHERE f.file_code = '000.00.00.G09.2025.01.VP'"
			    " AND d.name IN ('000.00.00.G09.2025.01.VP.1', '000.00.00.G09.2025.01.VP.2')", 0) == 2);
	if (err.set)
		fprintf(stderr, "stale plan: %s\n", err.msg);
	docmap_plan_release(&pa);
	docmap_plan_release(&pb);
	docmap_tables_release(&t);
}

static int rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(path);
}

int main(void)
{
	struct errbuf err;
	char path[160], got[64];
	snprintf(root, sizeof(root), "%s/sohoa-docmap.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (strlen(root) > 40 || !mkdtemp(root)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/scanner-profiles", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/text", root);
	mkdir(path, 0755);
	db = unit_db_open(root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char prof[32];
		int64_t batch, *ids = NULL;
		int n = -1, rc;
		snprintf(prof, sizeof(prof), "case-%zu", i);
		snprintf(path, sizeof(path), "%s/scanner-profiles/%s.conf", root, prof);
		write_file(path, cases[i].profile);
		batch = make_batch(prof, cases[i].pages, cases[i].map);
		err_init(&err);
		exec_id("BEGIN");
		rc = assign(batch, &ids, &n, &err);
		exec_id(rc < 0 ? "ROLLBACK" : "COMMIT");
		free(ids);
		if (!cases[i].want) {
			CHECK(rc < 0);
			if (!strstr(err.msg, cases[i].err))
				fprintf(stderr, "case %zu: error '%s', expected '%s'\n", i, err.msg, cases[i].err);
			CHECK(strstr(err.msg, cases[i].err) != NULL);
			mapping(batch, got, sizeof(got));
			CHECK(strspn(got, "?") == strlen(got)); /* nothing half-mapped */
			continue;
		}
		if (rc < 0)
			fprintf(stderr, "case %zu: %s\n", i, err.msg);
		CHECK(rc == 0);
		mapping(batch, got, sizeof(got));
		if (strcmp(got, cases[i].want))
			fprintf(stderr, "case %zu: pages '%s'\n", i, cases[i].pages);
		CHECK_STR(got, cases[i].want);
		{
			int ndocs = 0; /* one id per document */
			for (const char *c = cases[i].want; *c; c++)
				if (*c >= '1' && *c <= '9' && *c - '0' > ndocs)
					ndocs = *c - '0';
			CHECK(n == ndocs);
		}
		/* a second run finds nothing left to map and changes nothing */
		exec_id("BEGIN");
		rc = assign(batch, &ids, &n, &err);
		exec_id("COMMIT");
		free(ids);
		CHECK(rc == 0 && n == 0);
		mapping(batch, got, sizeof(got));
		CHECK_STR(got, cases[i].want);
	}
	stale_plan();
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		long *ends = NULL;
		int n;
		err_init(&err);
		n = docmap_parse_map(maps[i].spec, maps[i].npages, &ends, &err);
		if (n != maps[i].want)
			fprintf(stderr, "map '%s' of %ld pages: %d (%s)\n", maps[i].spec, maps[i].npages, n, err.msg);
		CHECK(n == maps[i].want);
		if (n > 0)
			CHECK(ends[n - 1] == maps[i].npages);
		if (maps[i].err) {
			if (!strstr(err.msg, maps[i].err))
				fprintf(stderr, "map '%s': error '%s', expected '%s'\n", maps[i].spec, err.msg, maps[i].err);
			CHECK(strstr(err.msg, maps[i].err) != NULL);
		}
		free(ends);
	}
	db_close(db);
	nftw(root, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	return unit_done("docmap");
}
