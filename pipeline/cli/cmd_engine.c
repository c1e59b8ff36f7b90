/*
 * cmd_engine.c - the engine's commands: `sohoa ingest`, `sohoa watch`,
 * `sohoa run` (the supervisor), `sohoa worker STAGE`, `sohoa fscheck` (the
 * shared folder's file system and identity).  Each parses its
 * arguments, calls the engine (ingest.h, supervisor.h, worker.h) and maps
 * the outcome to an exit status (commands.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/commands.h"
#include "engine/config.h"
#include "engine/fscheck.h"
#include "engine/identity.h"
#include "engine/ingest.h"
#include "engine/log.h"
#include "engine/privsep.h"
#include "engine/registry.h"
#include "engine/supervisor.h"
#include "engine/worker.h"
#include "engine/workspace.h"

#define INGEST_USAGE "usage: sohoa ingest [--file-code CODE] [--docs RANGES] [--station S] [--operator O] [--profile P] FILE|FOLDER...\n" \
	"       sohoa ingest --rescan PAGE [--operator O] FILE"

static void progress(int done, int total, const char *name)
{
	int width = 30, fill = total ? done * width / total : width;
	fprintf(stderr, "\r[%.*s%*s] %d/%d %-30.30s", fill, "##############################", width - fill, "", done, total, name);
	if (done == total)
		fputc('\n', stderr);
}

int cmd_ingest(struct workspace *ws, int argc, char **argv)
{
	struct ingest_opts o = {0};
	struct pipeline pl;
	struct errbuf err;
	struct ingest_batch *b;
	char **files = NULL;
	int nfiles = 0, added = 0, dups = 0, bad = 0, i;
	int64_t id, rescan = 0;

	err_init(&err);
	/* As the workspace's owner, never as root (engine/privsep.c). */
	if (privsep_worker(ws, "ingest", &err) < 0) {
		fprintf(stderr, "sohoa: ingest: %s\n", err.msg);
		return 78; /* EX_CONFIG */
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			printf("%s\n", INGEST_USAGE);
			return 0;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "sohoa: ingest: '%s' needs a value\n", a);
			return EXIT_USAGE;
		}
		if (!strcmp(a, "--file-code"))
			o.file_code = argv[++i];
		else if (!strcmp(a, "--station"))
			o.station = argv[++i];
		else if (!strcmp(a, "--operator"))
			o.operator_name = argv[++i];
		else if (!strcmp(a, "--profile"))
			o.profile = argv[++i];
		else if (!strcmp(a, "--docs"))
			o.docs = argv[++i];
		else if (!strcmp(a, "--rescan") && (rescan = atoll(argv[i + 1])) > 0)
			i++;
		else {
			fprintf(stderr, "%s\n", INGEST_USAGE);
			return EXIT_USAGE;
		}
	}
	if (i >= argc || (rescan && (i + 1 != argc || o.docs || o.file_code))) {
		fprintf(stderr, "%s\n", INGEST_USAGE);
		return EXIT_USAGE;
	}
	if (rescan) {
		if (registry_pipeline(ws->cfg, &pl, &err) < 0 || (id = ingest_rescan(ws, &pl, rescan, argv[i], o.operator_name, &err)) < 0) {
			fprintf(stderr, "sohoa: ingest: %s\n", err.msg);
			return EXIT_DATAERR;
		}
		printf("page %lld: replaced by its rescan, page %lld\n", (long long)rescan, (long long)id);
		return 0;
	}
	for (; i < argc; i++) {
		struct stat st;
		if (stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			int n;
			char **v = ingest_list_folder(argv[i], &n);
			if (n == 0)
				fprintf(stderr, "sohoa: ingest: '%s' holds no image or PDF files\n", argv[i]);
			files = xrealloc(files, sizeof(char *) * (size_t)(nfiles + n + 1));
			if (n > 0) /* an empty folder gives no list (memcpy from NULL is undefined) */
				memcpy(files + nfiles, v, sizeof(char *) * (size_t)n);
			nfiles += n;
			free(v);
		} else {
			files = xrealloc(files, sizeof(char *) * (size_t)(nfiles + 1));
			files[nfiles++] = xstrdup(argv[i]);
		}
	}
	/* The operator's map is checked against the pages the files hold
	 * before anything is copied. */
	for (i = 0; o.docs && i < nfiles; i++) {
		int n = ingest_count_images(files[i], NULL, &err);
		o.expect_pages += n < 0 ? 1 : n; /* ingest_add says why */
	}
	err_init(&err);
	if (registry_pipeline(ws->cfg, &pl, &err) < 0 || !(b = ingest_open(ws, &pl, &o, &err))) {
		fprintf(stderr, "sohoa: ingest: %s\n", err.msg);
		for (i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
		return EXIT_DATAERR;
	}
	o.progress = isatty(2);
	for (i = 0; i < nfiles; i++) {
		int n;
		err_init(&err);
		n = ingest_add(b, files[i], &err);
		if (n < 0) {
			fprintf(stderr, "%ssohoa: ingest: %s\n", o.progress ? "\n" : "", err.msg);
			bad++;
		} else if (n == 0) {
			fprintf(stderr, "%ssohoa: ingest: %s\n", o.progress ? "\n" : "", err.msg);
			dups++;
		} else {
			added += n;
		}
		if (o.progress)
			progress(i + 1, nfiles, path_base(files[i]));
	}
	err_init(&err);
	id = ingest_close(b, &err);
	if (id < 0 || err.set)
		fprintf(stderr, "sohoa: ingest: %s\n", err.msg);
	if (id == 0)
		printf("no new pages");
	else if (id > 0)
		printf("batch %lld: %d pages from %d files", (long long)id, added, nfiles - dups - bad);
	if (id >= 0 && (dups || bad))
		printf(" (%d already ingested, %d unreadable)", dups, bad);
	if (id >= 0)
		printf("\n");
	for (i = 0; i < nfiles; i++)
		free(files[i]);
	free(files);
	return id < 0 ? EXIT_IOERR : (bad || dups || err.set) ? EXIT_DATAERR : 0;
}

int cmd_watch(struct workspace *ws, int argc, char **argv)
{
	struct pipeline pl;
	struct errbuf err;
	bool once = argc > 1 && !strcmp(argv[1], "--once");
	err_init(&err);
	if (registry_pipeline(ws->cfg, &pl, &err) < 0) {
		fprintf(stderr, "sohoa: watch: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	log_set_who("watch");
	/* The watcher reads files of unknown origin: as the workspace's
	 * owner, never as root (engine/privsep.c). */
	if (privsep_worker(ws, "watch", &err) < 0) {
		fprintf(stderr, "sohoa: watch: %s\n", err.msg);
		return 78; /* EX_CONFIG */
	}
	if (once) {
		/* Two passes a stable-interval apart, for scripts and tests. */
		ingest_watch_once(ws, &pl);
		sleep((unsigned)config_long(ws->cfg, "ingest.stable_seconds"));
		printf("%d files taken\n", ingest_watch_once(ws, &pl));
		return 0;
	}
	for (;;) {
		ingest_watch_once(ws, &pl);
		sleep(1);
	}
}

int cmd_run(struct workspace *ws, int argc, char **argv)
{
	struct supervisor_opts o = {0};
	struct errbuf err;
	int rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--drain"))
			o.drain = true;
		else if (!strcmp(argv[i], "--watch"))
			o.watch = true;
		else if (!strcmp(argv[i], "--node") && i + 1 < argc)
			o.node = argv[++i];
		else {
			fprintf(stderr, "usage: sohoa run [--drain] [--watch] [--node NAME]\n");
			return EXIT_USAGE;
		}
	}
	err_init(&err);
	rc = supervisor_run(ws, &o, &err);
	if (rc < 0 || rc == SUPERVISOR_BUSY)
		fprintf(stderr, "sohoa: run: %s\n", err.msg);
	return rc < 0 ? EXIT_DATAERR : rc;
}

int cmd_worker(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	int rc;
	if (argc != 2) {
		fprintf(stderr, "usage: sohoa worker STAGE\n");
		return EXIT_USAGE;
	}
	err_init(&err);
	rc = worker_run(ws, argv[1], &err);
	if (rc != 0)
		fprintf(stderr, "sohoa: worker: %s\n", err.msg);
	return rc == WORKER_USAGE ? EXIT_USAGE : rc;
}

int cmd_fscheck(struct workspace *ws, int argc, char **argv)
{
	struct strbuf sb;
	struct errbuf err;
	char file_id[IDENTITY_HEX + 1] = "", db_id[IDENTITY_HEX + 1] = "";
	int failed, in_file, in_db;
	if (argc != 1) {
		fprintf(stderr, "usage: sohoa fscheck\n");
		return EXIT_USAGE;
	}
	sb_init(&sb, 0);
	failed = fscheck_run(ws->root, &sb);
	fputs(sb.buf ? sb.buf : "", stdout);
	sb_release(&sb);
	/* The identities, for the administrator to compare on every host. */
	err_init(&err);
	in_file = identity_read(ws->root, file_id, &err);
	in_db = in_file < 0 ? -1 : identity_known(ws->db, db_id, &err);
	if (in_file < 0 || in_db < 0) {
		printf("FAILED: identity: %s\n", err.msg);
		failed++;
	} else if (in_file && in_db && !strcmp(file_id, db_id)) {
		printf("ok: identity: %s (the folder's '%s' and the database's)\n", file_id, IDENTITY_FILE);
	} else {
		printf("FAILED: identity: the folder's '%s' says %s, the database %s\n", IDENTITY_FILE, in_file ? file_id : "none",
		       in_db ? db_id : "none");
		failed++;
	}
	printf("fscheck: %s: %d checks failed\n", ws->root, failed);
	return failed ? 1 : 0;
}
