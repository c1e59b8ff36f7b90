/*
 * cmd_fixity.c - `sohoa fixity [--since YYYY-MM-DD] [--json]`: re-hash what
 * the workspace stores against the recorded SHA-256 (engine/fixity.h) and
 * list every change.  Exit 0 when everything is intact, 1 when an object
 * changed or is missing (for cron), 2 on usage, 74 when the audit could
 * not run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/commands.h"
#include "engine/fixity.h"
#include "engine/workspace.h"

#define FIXITY_USAGE "usage: sohoa fixity [--since YYYY-MM-DD] [--json]"

/* Midnight of DATE in Vietnam (+07:00) in milliseconds, or -1. */
static int64_t parse_since(const char *s)
{
	int y, m, d;
	char end;
	struct tm tm = {0};
	if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &end) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return ((int64_t)timegm(&tm) - 7 * 3600) * 1000;
}

int cmd_fixity(struct workspace *ws, int argc, char **argv)
{
	bool json = false;
	int64_t since = 0;
	struct strbuf report;
	struct fixity_totals tot;
	struct errbuf err;
	int rc;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = true;
		else if (!strcmp(argv[i], "--since") && i + 1 < argc) {
			if ((since = parse_since(argv[++i])) < 0) {
				fprintf(stderr, "sohoa: fixity: '%s' is not a date (YYYY-MM-DD)\n", argv[i]);
				return EXIT_USAGE;
			}
		} else {
			fprintf(stderr, "%s\n", FIXITY_USAGE);
			return EXIT_USAGE;
		}
	}
	err_init(&err);
	sb_init(&report, 0);
	rc = fixity_run(ws, since, json, &report, &tot, &err);
	if (rc < 0) {
		fprintf(stderr, "sohoa: fixity: %s\n", err.msg);
		sb_release(&report);
		return EXIT_IOERR;
	}
	fputs(report.buf, stdout);
	if (!json)
		printf("fixity: %d objects checked, %d changed, %d missing%s%.0d%s\n", tot.checked, tot.changed, tot.missing,
		       tot.unrecorded ? ", " : "", tot.unrecorded, tot.unrecorded ? " without a recorded digest (not checked)" : "");
	sb_release(&report);
	return rc;
}
