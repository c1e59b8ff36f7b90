/*
 * main.c - `sohoa`: the command line.  Global options come first
 * (-C DIR: the workspace); then a command and its arguments.  Commands are
 * one table: name, function, whether it needs a workspace, a line of help.
 */
#include <leptonica/allheaders.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/commands.h"
#include "engine/config.h"
#include "engine/util.h"
#include "engine/workspace.h"

struct command {
	const char *name;
	int (*fn)(struct workspace *ws, int argc, char **argv);
	int needs_ws;
	const char *usage;
};

static const struct command commands[] = {
	{"init", cmd_init, 0, "init DIR [--db URL]           make an archive workspace (its job store on PostgreSQL with --db)"},
	{"config", cmd_config, 1, "config [--all]                settings that differ from the defaults"},
	{"ingest", cmd_ingest, 1, "ingest [--file-code C] [--station S] [--operator O] [--profile P] FILE|FOLDER..."},
	{"watch", cmd_watch, 1, "watch [--once]                take complete scans from the hot folders inbox/STATION/"},
	{"run", cmd_run, 1, "run [--drain] [--watch]       the supervisor: workers for every stage"},
	{"worker", cmd_worker, 1, "worker STAGE                  one worker (started by run)"},
	{"status", cmd_status, 1, "status [--json]               queues per stage, station and operator; throughput; review"},
	{"log", cmd_log, 1, "log [--type T] [--object O] [--outcome X] [--json]   the audit log"},
	{"fixity", cmd_fixity, 1, "fixity [--since YYYY-MM-DD] [--json]   re-hash masters, signed PDFs and packages"},
	{"pages", cmd_pages, 1, "pages [--json]                what happened to each page"},
	{"jobs", cmd_jobs, 1, "jobs [--state S] | jobs hold|release|retry ID... | jobs accept|rescan|drop ID... --reason R"},
	{"stages", cmd_stages, 1, "stages                        the pipeline of this workspace"},
	{"fonds", cmd_fonds, 1, "fonds add CODE NAME [--archive CODE] | fonds list"},
	{"file", cmd_file, 1, "file add CODE --paper P [options] | file set CODE [options] | file list"},
	{"doc", cmd_doc, 1, "doc list FILE | doc map DOC PAGES"},
	{"meta", cmd_meta, 1, "meta set|show|check|export|import|propose|accept ..."},
	{"priority", cmd_priority, 1, "priority explain|list|update|set|import ..."},
	{"export", cmd_export, 1, "export [--file CODE | --loose] [--out DIR]   E-ARK SIP packages, Mục lục, Biên bản"},
	{"verify", cmd_verify, 0, "verify PACKAGE.zip|DIR [--trust CA.pem | --no-signatures] [--sha256 HEX]"},
	{"user", cmd_user, 1, "user add NAME --role R [--station S]... [--password-file F] | user set|disable NAME | user list"},
	{"search", cmd_search, 1, "search QUERY [--json] [--limit N] | search --reindex   full text, with or without diacritics"},
	{"serve", cmd_serve, 1, "serve [--listen ADDR:PORT]     the operator's desk and the supervisor's dashboard in a browser"},
	{NULL, NULL, 0, NULL},
};

static void usage(FILE *out)
{
	fprintf(out, "usage: sohoa [-C DIR] COMMAND [ARGS]\n\ncommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %s\n", c->usage);
	fprintf(out, "\nThe workspace is -C DIR, else $SOHOA_DIR, else the current folder or a parent.\n");
}

int cmd_init(struct workspace *ws, int argc, char **argv)
{
	struct errbuf err;
	(void)ws;
	const char *url = NULL;
	if (argc == 4 && !strcmp(argv[2], "--db"))
		url = argv[3];
	else if (argc == 4 && !strcmp(argv[1], "--db")) {
		url = argv[2];
		argv[1] = argv[3];
	} else if (argc != 2) {
		fprintf(stderr, "usage: sohoa init DIR [--db postgresql://USER@HOST/DBNAME]\n");
		return EXIT_USAGE;
	}
	err_init(&err);
	if (workspace_init(argv[1], url, &err) < 0) {
		fprintf(stderr, "sohoa: init: %s\n", err.msg);
		return EXIT_IOERR;
	}
	printf("workspace ready in %s\n", argv[1]);
	return 0;
}

int cmd_config(struct workspace *ws, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--all"))
		config_write_default(ws->cfg, stdout);
	else
		config_print_changed(ws->cfg, stdout);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = NULL;
	const struct command *c;
	struct workspace ws;
	struct errbuf err;
	int i = 1, rc;

	setMsgSeverity(L_SEVERITY_NONE); /* sohoa reports errors itself, with the file name */
	signal(SIGCHLD, SIG_DFL);        /* an inherited SIG_IGN would hide how children ended */
	while (i < argc && argv[i][0] == '-') {
		if (!strcmp(argv[i], "-C") && i + 1 < argc) {
			dir = argv[i + 1];
			i += 2;
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (c = commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			break;
	if (!c->name) {
		fprintf(stderr, "sohoa: '%s' is not a command; see 'sohoa --help'\n", argv[i]);
		return EXIT_USAGE;
	}
	if (!c->needs_ws && strcmp(c->name, "verify") != 0)
		return c->fn(NULL, argc - i, argv + i);
	err_init(&err);
	if (workspace_open(dir, &ws, &err) < 0) {
		if (!c->needs_ws) /* verify works without a workspace */
			return c->fn(NULL, argc - i, argv + i);
		fprintf(stderr, "sohoa: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	rc = c->fn(&ws, argc - i, argv + i);
	workspace_close(&ws);
	return rc;
}
