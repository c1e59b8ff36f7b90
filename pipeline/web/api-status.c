/*
 * api-status.c - GET /api/status: the object `sohoa status --json` prints,
 * made by that very command (this program run again on the same workspace),
 * so the two can never differ; GET /api/whoami: the session's user and its
 * CSRF token, for scripts that POST.
 */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/workspace.h"
#include "web/json.h"
#include "web/pages.h"
#include "web/server.h"

extern char **environ;

/* Run `sohoa -C ROOT status --json` and keep its stdout in out. */
static int status_json(struct web_req *r, struct strbuf *out, struct errbuf *err)
{
	char *argv[] = {"sohoa", "-C", r->ws->root, "status", "--json", NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int fds[2], status = 0, rc;
	pid_t pid;
	char buf[65536];
	ssize_t n;
	if (pipe(fds) < 0)
		return err_set(err, "cannot make a pipe: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_addclose(&fa, fds[0]);
	posix_spawn_file_actions_addclose(&fa, fds[1]);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	rc = posix_spawn(&pid, "/proc/self/exe", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		return err_set(err, "cannot run 'sohoa status': %s", strerror(rc));
	}
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
		if (n > 0)
			sb_add(out, buf, (size_t)n);
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return err_set(err, "'sohoa status --json' failed (status %d)", status);
	return 0;
}

void api_status(struct web_req *r)
{
	struct errbuf err;
	err_init(&err);
	r->ctype = "application/json";
	if (status_json(r, &r->out, &err) < 0)
		server_error(r, 500, err.msg);
}

void api_whoami(struct web_req *r)
{
	struct json j;
	json_init(&j, &r->out);
	r->ctype = "application/json";
	json_obj(&j);
	json_kstr(&j, "user", r->user.name);
	json_kstr(&j, "role", users_role_name(r->user.role));
	json_key(&j, "stations");
	json_arr(&j);
	for (int i = 0; i < r->user.nstations; i++)
		json_str(&j, r->user.stations[i]);
	json_end(&j);
	json_kstr(&j, "csrf", r->csrf);
	json_kstr(&j, "lang", r->en ? "en" : "vi");
	json_end(&j);
	sb_addc(&r->out, '\n');
}
