/*
 * poppler.c - running Poppler's command-line tools on scanner PDFs
 * (poppler.h): posix_spawnp, no shell, stdout and stderr collected through
 * poll(), a timeout that kills the tool.
 */
#include "formats/image/poppler.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define POPPLER_OUT_MAX (1u << 20)

bool poppler_is_pdf(const char *path)
{
	char m[5];
	FILE *f = fopen(path, "rb");
	bool yes;
	if (!f)
		return false;
	yes = fread(m, 1, sizeof(m), f) == sizeof(m) && memcmp(m, "%PDF-", 5) == 0;
	fclose(f);
	return yes;
}

static void keep_output(struct strbuf *sb, const char *buf, size_t n)
{
	if (sb->len < POPPLER_OUT_MAX)
		sb_add(sb, buf, n < POPPLER_OUT_MAX - sb->len ? n : POPPLER_OUT_MAX - sb->len);
}

int poppler_run(const char *const argv[], int timeout_s, char **out, char **errout, struct errbuf *err)
{
	int po[2] = {-1, -1}, pe[2] = {-1, -1}, status = 0, rc = -1, e;
	pid_t pid, w = -1;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t none, dflt;
	struct strbuf sb_out, sb_err;
	struct pollfd pf[2];
	int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
	bool timed_out = false;

	sb_init(&sb_out, 2 * POPPLER_OUT_MAX);
	sb_init(&sb_err, 2 * POPPLER_OUT_MAX);
	if (pipe2(po, O_CLOEXEC) < 0 || pipe2(pe, O_CLOEXEC) < 0) {
		err_set(err, "cannot run '%s': %s", argv[0], strerror(errno));
		goto out;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	/* The worker ignores SIGINT and handles SIGTERM: the tool gets the
	 * defaults back, and no blocked signal. */
	posix_spawnattr_init(&at);
	sigemptyset(&none);
	sigemptyset(&dflt);
	sigaddset(&dflt, SIGPIPE);
	sigaddset(&dflt, SIGINT);
	sigaddset(&dflt, SIGTERM);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setsigdefault(&at, &dflt);
	/* its own process group: a timeout kills whatever it started too */
	posix_spawnattr_setpgroup(&at, 0);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	e = posix_spawnp(&pid, argv[0], &fa, &at, (char *const *)argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (e != 0) {
		if (e == ENOENT)
			err_set(err, "'%s' is not installed: install poppler-utils", argv[0]);
		else
			err_set(err, "cannot run '%s': %s", argv[0], strerror(e));
		goto out;
	}
	pf[0] = (struct pollfd){.fd = po[0], .events = POLLIN};
	pf[1] = (struct pollfd){.fd = pe[0], .events = POLLIN};
	po[0] = pe[0] = -1; /* pf owns them now */
	while (pf[0].fd >= 0 || pf[1].fd >= 0) {
		int64_t left = deadline - now_ms();
		int r;
		if (left <= 0) {
			timed_out = true;
			kill(-pid, SIGKILL);
			break;
		}
		r = poll(pf, 2, left > INT_MAX ? INT_MAX : (int)left);
		if (r < 0 && errno != EINTR) {
			err_set(err, "cannot read the output of '%s': %s", argv[0], strerror(errno));
			kill(-pid, SIGKILL);
			break;
		}
		for (int i = 0; r > 0 && i < 2; i++) {
			char buf[16384];
			ssize_t n;
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			n = read(pf[i].fd, buf, sizeof(buf));
			if (n > 0) {
				keep_output(i == 0 ? &sb_out : &sb_err, buf, (size_t)n);
			} else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
				close(pf[i].fd);
				pf[i].fd = -1;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	while ((w = waitpid(pid, &status, 0)) < 0 && errno == EINTR)
		;
	if (w < 0) {
		/* e.g. SIGCHLD ignored by whoever started sohoa: no status to trust */
		err_set(err, "cannot learn how '%s' ended: %s", argv[0], strerror(errno));
	} else if (timed_out) {
		err_set(err, "'%s' did not finish in %d seconds", argv[0], timeout_s);
		rc = POPPLER_RUN_CRASHED;
	} else if (WIFSIGNALED(status)) {
		err_set(err, "'%s' was killed by signal %d", argv[0], WTERMSIG(status));
		rc = POPPLER_RUN_CRASHED;
	} else if (!err->set) {
		rc = WEXITSTATUS(status);
	}
out:
	for (int i = 0; i < 2; i++) {
		if (po[i] >= 0)
			close(po[i]);
		if (pe[i] >= 0)
			close(pe[i]);
	}
	if (out)
		*out = sb_detach(&sb_out);
	if (errout)
		*errout = sb_detach(&sb_err);
	sb_release(&sb_out);
	sb_release(&sb_err);
	return rc;
}

void poppler_msg(const char *errout, char *buf, size_t bufsz)
{
	const char *p = errout ? errout : "", *best = NULL, *any = NULL;
	size_t best_n = 0, any_n = 0;
	buf[0] = '\0';
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p) : strlen(p);
		if (n > 0) {
			any = p;
			any_n = n;
			if (!memmem(p, n, "Warning", 7)) {
				best = p;
				best_n = n;
			}
		}
		p += n + (nl ? 1 : 0);
	}
	if (!best) {
		best = any;
		best_n = any_n;
	}
	if (best)
		snprintf(buf, bufsz, "%.*s", (int)best_n, best);
}

enum poppler_rc poppler_pdfinfo(const char *path, int page, int timeout_s, struct pdf_info *info,
				   struct errbuf *err)
{
	char first[16], *arg = path[0] == '-' ? xasprintf("./%s", path) : xstrdup(path), *out = NULL, *errout = NULL;
	const char *argv[8];
	enum poppler_rc rc = POPPLER_BAD;
	int n = 0, status;
	memset(info, 0, sizeof(*info));
	argv[n++] = "pdfinfo";
	if (page > 0) {
		snprintf(first, sizeof(first), "%d", page);
		argv[n++] = "-f";
		argv[n++] = first;
		argv[n++] = "-l";
		argv[n++] = first;
	}
	argv[n++] = arg;
	argv[n] = NULL;
	status = poppler_run(argv, timeout_s, &out, &errout, err);
	if (status == POPPLER_RUN_CRASHED) {
		rc = POPPLER_BAD;
	} else if (status < 0) {
		rc = POPPLER_NOTOOL;
	} else if (status != 0) {
		char msg[300];
		poppler_msg(errout, msg, sizeof(msg));
		if (strstr(msg, "Incorrect password"))
			err_set(err, "encrypted: it needs a password to open");
		else if (msg[0])
			err_set(err, "pdfinfo: %s", msg);
		else
			err_set(err, "pdfinfo failed (exit status %d)", status);
	} else {
		for (char *sp = NULL, *line = strtok_r(out, "\n", &sp); line; line = strtok_r(NULL, "\n", &sp)) {
			int pn, rot;
			double w, h;
			if (sscanf(line, "Pages: %d", &pn) == 1)
				info->pages = pn;
			else if (str_starts(line, "Encrypted:"))
				info->encrypted = strstr(line, "yes") != NULL;
			else if (page > 0 && sscanf(line, "Page %d size: %lf x %lf", &pn, &w, &h) == 3 && pn == page) {
				info->page_w = w;
				info->page_h = h;
			} else if (page > 0 && sscanf(line, "Page %d rot: %d", &pn, &rot) == 2 && pn == page) {
				info->rotate = ((rot % 360) + 360) % 360;
			}
		}
		if (info->pages < 1)
			err_set(err, "pdfinfo found no pages");
		else
			rc = POPPLER_OK;
	}
	free(out);
	free(errout);
	free(arg);
	return rc;
}
