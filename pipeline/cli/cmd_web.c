/*
 * cmd_web.c - `sohoa user` (the desk's users) and `sohoa serve` (the desk).
 * A password comes from --password-file F (its first line), else from the
 * terminal without echo, else from the first line of standard input; it is
 * never taken from the command line, where `ps` would show it.  The agent
 * of the audit events is "admin:<login name>".
 */
#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/commands.h"
#include "engine/config.h"
#include "engine/db.h"
#include "engine/workspace.h"
#include "web/json.h"
#include "web/server.h"
#include "web/users.h"

static char *agent(void)
{
	const char *u = getenv("SOHOA_USER");
	struct passwd *pw;
	if (!u || !*u)
		u = (pw = getpwuid(getuid())) ? pw->pw_name : "unknown";
	return xasprintf("admin:%s", u);
}

static char *read_line(FILE *f)
{
	char buf[1024];
	size_t n;
	if (!fgets(buf, sizeof(buf), f))
		return NULL;
	n = strcspn(buf, "\r\n");
	buf[n] = 0;
	return xstrdup(buf);
}

/* The password for `user add|set`, or NULL with a message printed. */
static char *read_password(const char *file)
{
	char *pw = NULL;
	if (file) {
		FILE *f = fopen(file, "r");
		if (!f) {
			fprintf(stderr, "sohoa: user: cannot read '%s': %s\n", file, strerror(errno));
			return NULL;
		}
		pw = read_line(f);
		fclose(f);
		if (!pw)
			fprintf(stderr, "sohoa: user: '%s': empty, expected the password on its first line\n", file);
		return pw;
	}
	if (isatty(0)) {
		struct termios t, quiet;
		fprintf(stderr, "password: ");
		tcgetattr(0, &t);
		quiet = t;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(0, TCSANOW, &quiet);
		pw = read_line(stdin);
		tcsetattr(0, TCSANOW, &t);
		fprintf(stderr, "\n");
	} else {
		pw = read_line(stdin);
	}
	if (!pw)
		fprintf(stderr, "sohoa: user: no password given (use --password-file F or standard input)\n");
	return pw;
}

static int user_usage(void)
{
	fprintf(stderr, "usage: sohoa user add NAME --role operator|supervisor|archivist|admin [--station S]... [--password-file F]\n"
			"       sohoa user set NAME [--role R] [--station S]... [--no-stations] [--password-file F | --password] [--enable]\n"
			"       sohoa user disable NAME\n"
			"       sohoa user list [--json]\n");
	return EXIT_USAGE;
}

static int user_list(struct workspace *ws, bool json_out)
{
	struct db_stmt *st = db_prepare(ws->db, "SELECT u.name, u.role, u.disabled, u.failed, COALESCE(u.last_login, 0),"
					      " COALESCE((SELECT group_concat(station, ',') FROM user_stations s WHERE s.user_id = u.id), '')"
					      " FROM users u ORDER BY u.name");
	struct strbuf sb;
	struct json j;
	sb_init(&sb, 0);
	json_init(&j, &sb);
	if (json_out) {
		json_obj(&j);
		json_key(&j, "users");
		json_arr(&j);
	} else {
		printf("%-20s %-10s %-8s %6s  %s\n", "user", "role", "state", "failed", "stations");
	}
	while (db_step(st) == DB_ROW) {
		const char *stations = db_col_text(st, 5);
		if (!json_out) {
			printf("%-20s %-10s %-8s %6d  %s\n", db_col_text(st, 0), db_col_text(st, 1),
			       db_col_int(st, 2) ? "disabled" : "active", db_col_int(st, 3), stations);
			continue;
		}
		json_obj(&j);
		json_kstr(&j, "name", db_col_text(st, 0));
		json_kstr(&j, "role", db_col_text(st, 1));
		json_key(&j, "disabled");
		json_bool(&j, db_col_int(st, 2) != 0);
		json_kint(&j, "failed_logins", db_col_int(st, 3));
		json_kint(&j, "last_login_ms", db_col_int64(st, 4));
		json_key(&j, "stations");
		json_arr(&j);
		{
			char *copy = xstrdup(stations), *save = NULL;
			for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
				json_str(&j, t);
			free(copy);
		}
		json_end(&j);
		json_end(&j);
	}
	db_finalize(st);
	if (json_out) {
		json_end(&j);
		json_end(&j);
		printf("%s\n", sb.buf);
	}
	sb_release(&sb);
	return 0;
}

int cmd_user(struct workspace *ws, int argc, char **argv)
{
	const char *sub, *name, *pwfile = NULL;
	enum user_role role = 0;
	char *stations[USERS_MAX_STATIONS + 1], *pw = NULL, *ag;
	int nst = -1, enable = -1, rc;
	bool want_pw = false;
	struct errbuf err;
	if (argc < 2)
		return user_usage();
	sub = argv[1];
	if (!strcmp(sub, "list"))
		return user_list(ws, argc > 2 && !strcmp(argv[2], "--json"));
	if (argc < 3)
		return user_usage();
	name = argv[2];
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--role") && i + 1 < argc) {
			if (!(role = users_role_parse(argv[++i]))) {
				fprintf(stderr, "sohoa: user: role '%s': not operator, supervisor, archivist or admin\n", argv[i]);
				return EXIT_USAGE;
			}
		} else if (!strcmp(argv[i], "--station") && i + 1 < argc) {
			if (nst < 0)
				nst = 0;
			if (nst == USERS_MAX_STATIONS) {
				fprintf(stderr, "sohoa: user: at most %d stations per user\n", USERS_MAX_STATIONS);
				return EXIT_USAGE;
			}
			stations[nst++] = argv[++i];
		} else if (!strcmp(argv[i], "--no-stations")) {
			nst = 0;
		} else if (!strcmp(argv[i], "--password-file") && i + 1 < argc) {
			pwfile = argv[++i];
			want_pw = true;
		} else if (!strcmp(argv[i], "--password")) {
			want_pw = true;
		} else if (!strcmp(argv[i], "--enable")) {
			enable = 1;
		} else {
			return user_usage();
		}
	}
	err_init(&err);
	ag = agent();
	if (!strcmp(sub, "add")) {
		if (!role) {
			free(ag);
			return user_usage();
		}
		if (!(pw = read_password(pwfile))) {
			free(ag);
			return EXIT_DATAERR;
		}
		rc = users_add(ws->db, name, role, stations, nst < 0 ? 0 : nst, pw, ag, &err);
	} else if (!strcmp(sub, "set")) {
		if (want_pw && !(pw = read_password(pwfile))) {
			free(ag);
			return EXIT_DATAERR;
		}
		rc = users_set(ws->db, name, role, stations, nst, pw, enable, ag, &err);
	} else if (!strcmp(sub, "disable") && argc == 3) {
		rc = users_set(ws->db, name, 0, NULL, -1, NULL, 0, ag, &err);
	} else {
		free(ag);
		return user_usage();
	}
	if (pw)
		explicit_bzero(pw, strlen(pw));
	free(pw);
	free(ag);
	if (rc < 0) {
		fprintf(stderr, "sohoa: user: %s\n", err.msg);
		return EXIT_DATAERR;
	}
	return 0;
}

int cmd_serve(struct workspace *ws, int argc, char **argv)
{
	const char *listen = config_str(ws->cfg, "serve.listen");
	struct errbuf err;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			listen = argv[++i];
		} else {
			fprintf(stderr, "usage: sohoa serve [--listen ADDR:PORT]\n");
			return EXIT_USAGE;
		}
	}
	err_init(&err);
	if (server_run(ws, listen, &err) < 0) {
		fprintf(stderr, "sohoa: serve: %s\n", err.msg);
		return EXIT_IOERR;
	}
	return 0;
}
