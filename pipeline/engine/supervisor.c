/*
 * supervisor.c - the resident master process (`sohoa run`).  It starts the
 * configured number of worker processes per stage when that stage has work,
 * restarts workers that exit or die, returns the jobs of dead workers and
 * expired leases to the queue, and stops cleanly on SIGTERM/SIGINT (workers
 * finish the job in hand; what is left claimed is released).
 *
 * One supervisor per workspace: it holds sohoa.lock (flock) for its life,
 * and a second one is refused, naming the first (pid, host, since when).
 * Start-up is recovery: tmp/ is emptied and every claimed job goes back to
 * ready (in-flight work is never trusted after a restart); then each finished
 * batch is checked for a fan-in job a crash may have left unqueued.  Between scans
 * the supervisor sleeps in poll() on its wake-up FIFO (wake.h): a worker's
 * commit, an ingest or an operator's decision wakes it, a worker's exit
 * interrupts it (SIGCHLD), and it wakes the idle workers of each stage
 * that has work.  The periodic scan (supervisor.scan_ms, worker.scan_ms)
 * is the guarantee; nothing depends on wake-ups.
 * With --drain the supervisor exits 0 once no work is left.  A worker that
 * exits with EX_CONFIG (78) cannot start (missing key, bad config; it leaves
 * the reason in tmp/STAGE.cannot-start): its stage is not restarted, the
 * other stages go on, and once nothing else can run --drain exits 78 naming
 * the stage, the reason and how many jobs wait for it.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/db.h"
#include "engine/fsio.h"
#include "engine/identity.h"
#include "engine/jobq.h"
#include "engine/log.h"
#include "engine/node.h"
#include "engine/privsep.h"
#include "engine/registry.h"
#include "engine/share.h"
#include "engine/supervisor.h"
#include "engine/wake.h"
#include "engine/workspace.h"

#define MAX_WORKERS 256

struct child {
	pid_t pid;
	int stage;
};

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

/*
 * One supervisor per workspace: sohoa.lock is held with flock() for the
 * supervisor's life (the kernel drops it when the process dies, so a
 * crash leaves no stale lock) and names the holder: pid, host, since when.
 * A second `run` is refused before it touches tmp/ or the queue.  Returns
 * the lock's descriptor (close-on-exec: workers do not inherit it), or -1.
 */
int supervisor_lock(struct workspace *ws, struct errbuf *err)
{
	char *path = workspace_path(ws, "sohoa.lock"), host[256] = "", who[512], when[40];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	ssize_t n;
	if (fd < 0) {
		err_set(err, "cannot open '%s': %s", path, strerror(errno));
		free(path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int e = errno;
		n = pread(fd, who, sizeof(who) - 1, 0);
		who[n > 0 ? n : 0] = '\0';
		who[strcspn(who, "\n")] = '\0';
		for (char *c = who; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?'; /* never echo control characters */
		if (e == EWOULDBLOCK)
			err_set(err, "workspace '%s' is in use by another 'sohoa run' (%s); stop it first", ws->root,
				*who ? who : "its lock file names no one");
		else
			err_set(err, "cannot lock '%s': %s", path, strerror(e));
		close(fd);
		free(path);
		return -1;
	}
	gethostname(host, sizeof(host) - 1);
	time_iso_vn(now_ms(), true, when, sizeof(when));
	snprintf(who, sizeof(who), "pid %ld on host %s, node %s, since %s\n", (long)getpid(), host, node_name(), when);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, who, strlen(who), 0) != (ssize_t)strlen(who) || fsync(fd) < 0)
		log_warn("cannot write '%s': %s", path, strerror(errno)); /* the lock itself holds */
	free(path);
	return fd;
}

/* A worker's exit interrupts the wait, so that its jobs go back at once. */
static void on_child(int sig)
{
	(void)sig;
}

static void empty_tmp(struct workspace *ws)
{
	char *dir = workspace_tmp(ws);
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *p;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = xasprintf("%s/%s", dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	free(dir);
}

static int64_t ready_for(struct db *db, const char *stage)
{
	/* ready from the counters; the failed ones that are due by the index */
	struct db_stmt *st = db_prepare(db, "SELECT (SELECT COALESCE(sum(n), 0) FROM job_counts WHERE stage = ?1 AND state = 'ready')"
					  " + (SELECT count(*) FROM jobs INDEXED BY jobs_claim WHERE stage = ?1 AND state = 'failed' AND not_before <= ?2)");
	int64_t n = 0;
	db_bind_text(st, 1, stage, -1);
	db_bind_int64(st, 2, now_ms());
	if (db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	else
		log_warn("cannot count the '%s' jobs: %s", stage, db_errmsg(db));
	db_finalize(st);
	return n;
}

/* Jobs of a stage that still need a worker (ready, claimed, failed). */
static int64_t pending_in(struct db *db, const char *stage)
{
	struct db_stmt *st = db_prepare(db, "SELECT COALESCE(sum(n), 0) FROM job_counts WHERE stage = ?1"
					  " AND state IN ('ready', 'claimed', 'failed')");
	int64_t n = 0;
	db_bind_text(st, 1, stage, -1);
	if (db_step(st) == DB_ROW)
		n = db_col_int64(st, 0);
	db_finalize(st);
	return n;
}

/* Why a stage's worker could not start: what it left in tmp/ (worker.c). */
static char *cannot_start_reason(struct workspace *ws, const char *stage)
{
	char *tmp = workspace_tmp(ws), *path = xasprintf("%s/%s.cannot-start", tmp, stage), *data = NULL;
	size_t len = 0;
	struct errbuf err;
	err_init(&err);
	if (fsio_read(path, &data, &len, 4096, &err) < 0 || len == 0) {
		free(data);
		data = xstrdup("its worker exited with EX_CONFIG and said nothing");
	}
	unlink(path);
	free(path);
	free(tmp);
	return data;
}

/* A worker for `stage`, or the hot-folder intake process (`sohoa watch`)
 * when stage is NULL. */
static pid_t spawn(struct workspace *ws, const char *exe, const char *stage)
{
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("cannot start a '%s' worker: %s", stage ? stage : "intake", strerror(errno));
		return -1;
	}
	if (pid == 0) {
		struct errbuf err;
		/* Its account and limits first: a change of ids clears the
		 * parent-death signal set below. */
		err_init(&err);
		if (privsep_worker(ws, stage ? stage : "watch", &err) < 0) {
			log_warn("%s", err.msg);
			_exit(78); /* EX_CONFIG */
		}
		/* Die with the supervisor; set before exec (it survives exec) so
		 * that no window is left in which a worker could be orphaned. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(0);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_IGN); /* a ^C reaches the whole group; the supervisor decides */
		/* One Tesseract/OpenMP thread per worker: the supervisor runs one
		 * worker per core, so more threads would only oversubscribe. */
		setenv("OMP_THREAD_LIMIT", "1", 0);
		if (stage)
			execl(exe, "sohoa", "-C", ws->root, "worker", stage, (char *)NULL);
		else
			execl(exe, "sohoa", "-C", ws->root, "watch", (char *)NULL);
		_exit(127);
	}
	return pid;
}

/* A fan-in a crash may have left unqueued (a page dropped, then the
 * process gone before its second transaction): every closed batch with
 * pages still to map gets its fan-in job if it is due (jobq_queue_fanin()
 * is idempotent and cheap; the job itself runs in a worker). */
static void recover_fanin(struct workspace *ws, const struct pipeline *pl)
{
	struct errbuf err;
	struct db_stmt *st = db_prepare(ws->db, "SELECT id FROM batches WHERE finished IS NOT NULL AND EXISTS"
					      " (SELECT 1 FROM pages p WHERE p.batch_id = batches.id AND p.document_id IS NULL"
					      " AND p.separator = 0 AND p.dropped = 0)");
	int64_t *ids = NULL;
	int n = 0, rc;
	while ((rc = db_step(st)) == DB_ROW) {
		ids = xrealloc(ids, sizeof(int64_t) * (size_t)(n + 1));
		ids[n++] = db_col_int64(st, 0);
	}
	if (rc != DB_DONE)
		log_warn("cannot look for batches to map: %s", db_errmsg(ws->db));
	db_finalize(st);
	for (int i = 0; i < n; i++) {
		err_init(&err);
		if (db_begin(ws->db, &err) < 0 || jobq_queue_fanin(ws->db, pl, ids[i], &err) < 0 ||
		    db_commit(ws->db, &err) < 0) {
			db_rollback(ws->db);
			log_warn("batch %lld: %s", (long long)ids[i], err.msg);
		}
	}
	free(ids);
}

/* Open the database again (PostgreSQL: a restart, a cut network,
 * pg_terminate_backend), at most once a second; why is the last error. */
static void reconnect(struct workspace *ws, const char *why)
{
	static int64_t last;
	struct errbuf err;
	if (now_ms() - last < 1000)
		return;
	last = now_ms();
	log_warn("%s; opening the database again", why);
	err_init(&err);
	if (workspace_reopen_db(ws, &err) < 0)
		log_warn("cannot open the database again: %s", err.msg);
	else
		log_info("the database is open again");
}

/* The node's heartbeat, with what its workers run ("capture 1, ocr 2,
 * watch"); at most once a second.  When it cannot be written the
 * connection to the database may be lost without libpq knowing yet: the
 * database is opened again. */
static void heartbeat(struct workspace *ws, const struct pipeline *pl, const struct child *kids, int nkids, int64_t *last)
{
	struct strbuf sb;
	struct errbuf err;
	if (now_ms() - *last < 1000)
		return;
	*last = now_ms();
	sb_init(&sb, 0);
	for (int s = -1; s < pl->n; s++) {
		int n = 0;
		for (int i = 0; i < nkids; i++)
			n += kids[i].stage == s;
		if (n && s < 0)
			sb_addf(&sb, "%swatch", sb.len ? ", " : "");
		else if (n)
			sb_addf(&sb, "%s%s %d", sb.len ? ", " : "", pl->stage[s]->name, n);
	}
	err_init(&err);
	if (node_heartbeat(ws->db, sb.buf ? sb.buf : "", &err) < 0)
		reconnect(ws, err.msg);
	sb_release(&sb);
}

int supervisor_run(struct workspace *ws, const struct supervisor_opts *o, struct errbuf *err)
{
	struct pipeline pl;
	struct child kids[MAX_WORKERS];
	int nkids = 0, max_attempts, rc = 0, lock_fd, wfd;
	bool drain = o->drain, watch = o->watch, broken[PIPELINE_MAX] = {false}, shared;
	char *why[PIPELINE_MAX] = {NULL};
	long scan_ms;
	int64_t last_watch = 0, last_beat = 0, last_fold = 0;
	char *exe;

	if (registry_pipeline(ws->cfg, &pl, err) < 0)
		return -1;
	log_set_who("supervisor");
	/* As the workspace's owner first (engine/privsep.c), so that the
	 * lock file, like everything else here, is the owner's. */
	if (privsep_enter(ws, err) < 0)
		return -1;
	if (o->node && node_set(o->node, err) < 0)
		return -1;
	/* SQLite: one supervisor per workspace.  PostgreSQL: one per node,
	 * each with a tmp/ of its own (workspace.h). */
	shared = strcmp(db_backend(ws->db), "sqlite") != 0;
	lock_fd = -1;
	if (!shared && (lock_fd = supervisor_lock(ws, err)) < 0)
		return SUPERVISOR_BUSY;
	if (node_set(node_name(), err) < 0 || workspace_set_tmp(ws, true, err) < 0) {
		if (lock_fd >= 0)
			close(lock_fd);
		return -1;
	}
	max_attempts = (int)config_long(ws->cfg, "job.max_attempts");
	scan_ms = config_long(ws->cfg, "supervisor.scan_ms");
	/* The folder must be the database's (identity.h), and the node not
	 * run twice, before anything is touched. */
	if (identity_check(ws->root, ws->db, err) < 0) {
		if (lock_fd >= 0)
			close(lock_fd);
		return -1;
	}
	if (node_register(ws->db, node_stale_ms(scan_ms), err) < 0) {
		if (lock_fd >= 0)
			close(lock_fd);
		return SUPERVISOR_BUSY;
	}
	exe = share_self_exe();
	{
		struct sigaction sa;
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_child; /* no SA_RESTART: poll() returns */
		sigemptyset(&sa.sa_mask);
		sigaction(SIGCHLD, &sa, NULL);
	}
	signal(SIGTERM, on_stop);
	signal(SIGINT, on_stop);
	empty_tmp(ws);
	wfd = wake_open(ws->root, "supervisor");
	{
		/* in-flight work is never trusted after a restart: on SQLite
		 * every claim (this supervisor is the only one), else this
		 * node's (the others' come back by their lease) */
		int n = shared ? jobq_reclaim_node(ws->db, max_attempts) : jobq_reclaim_dead(ws->db, 0, max_attempts);
		if (n > 0)
			log_info("recovered %d jobs claimed before a restart", n);
	}
	recover_fanin(ws, &pl);
	log_info("started: node %s, %d stages%s", node_name(), pl.n, drain ? ", draining" : "");

	while (!stopping) {
		pid_t pid;
		int status;
		/* a lost connection fails every statement: a new one first */
		if (db_lost(ws->db))
			reconnect(ws, db_errmsg(ws->db));
		/* Reap: a dead worker's jobs go back to the queue. */
		while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
			for (int i = 0; i < nkids; i++) {
				if (kids[i].pid != pid)
					continue;
				if (kids[i].stage < 0) {
					/* the intake process: started again below */
					log_warn("the hot-folder intake (pid %ld) ended: %s %d", (long)pid,
						 WIFSIGNALED(status) ? "signal" : "status",
						 WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
					kids[i] = kids[--nkids];
					break;
				}
				if (WIFSIGNALED(status))
					log_warn("worker %ld (%s) died: signal %d", (long)pid, pl.stage[kids[i].stage]->name, WTERMSIG(status));
				else if (WEXITSTATUS(status) == 78) {
					int s = kids[i].stage;
					if (!broken[s]) {
						why[s] = cannot_start_reason(ws, pl.stage[s]->name);
						log_warn("stage '%s' cannot start (%s); not restarting it", pl.stage[s]->name, why[s]);
					}
					broken[s] = true;
				} else if (WEXITSTATUS(status) != 0)
					log_warn("worker %ld (%s) exited with status %d", (long)pid, pl.stage[kids[i].stage]->name, WEXITSTATUS(status));
				jobq_reclaim_dead(ws->db, (long)pid, max_attempts);
				kids[i] = kids[--nkids];
				break;
			}
		}
		jobq_expire_leases(ws->db, max_attempts);
		/* PostgreSQL's counters: each key's rows summed into one
		 * (db.h), so that a read sums a few rows; once a second */
		if (now_ms() - last_fold >= 1000) {
			struct errbuf ferr;
			err_init(&ferr);
			if (db_fold_counters(ws->db, &ferr) < 0)
				log_warn("%s", ferr.msg);
			last_fold = now_ms();
		}
		/* Intake is a process of its own, started again when it ends
		 * (not more than once a second). */
		if (watch && now_ms() - last_watch >= 1000 && nkids < MAX_WORKERS) {
			bool alive = false;
			for (int i = 0; i < nkids; i++)
				alive = alive || kids[i].stage < 0;
			if (!alive && (pid = spawn(ws, exe, NULL)) > 0) {
				kids[nkids].pid = pid;
				kids[nkids].stage = -1;
				nkids++;
			}
			last_watch = now_ms();
		}
		/* Start workers where there is work. */
		for (int s = 0; s < pl.n; s++) {
			char key[64];
			long want, have = 0;
			int64_t ready;
			if (broken[s])
				continue;
			snprintf(key, sizeof(key), "%s.workers", pl.stage[s]->name);
			want = config_long(ws->cfg, key);
			for (int i = 0; i < nkids; i++)
				have += kids[i].stage == s;
			ready = ready_for(ws->db, pl.stage[s]->name);
			if (ready > 0)
				wake_notify(ws->root, pl.stage[s]->name); /* its idle workers, if any */
			if (have >= want)
				continue;
			while (have < want && have < ready && nkids < MAX_WORKERS) {
				pid = spawn(ws, exe, pl.stage[s]->name);
				if (pid < 0)
					break;
				kids[nkids].pid = pid;
				kids[nkids].stage = s;
				nkids++;
				have++;
			}
		}
		heartbeat(ws, &pl, kids, nkids, &last_beat); /* with the workers just started */
		if (drain) {
			/* Drain all that can run; then stop, naming each stage that
			 * cannot start and what waits for it. */
			int64_t runnable = 0, waiting[PIPELINE_MAX] = {0};
			for (int s = 0; s < pl.n; s++) {
				int64_t n = pending_in(ws->db, pl.stage[s]->name);
				if (broken[s])
					waiting[s] = n;
				else
					runnable += n;
			}
			if (runnable == 0) {
				for (int s = 0; s < pl.n; s++)
					if (waiting[s] > 0) {
						log_warn("stage '%s' cannot start: %s; %lld jobs wait for it", pl.stage[s]->name, why[s],
							 (long long)waiting[s]);
						rc = SUPERVISOR_STUCK;
					}
				break; /* idle workers are told to stop below */
			}
		}
		/* Sleep until a wake-up (a commit, an ingest, an operator's
		 * decision, on this host or, on PostgreSQL, any), a worker's
		 * exit, or the periodic scan. */
		{
			long t = scan_ms;
			if (wfd >= 0) {
				wake_wait(wfd, ws->db, t);
			} else {
				struct timespec ts = {t / 1000, (t % 1000) * 1000000L};
				nanosleep(&ts, NULL);
			}
		}
	}
	/* Stop: workers finish the job in hand, then what is left is released. */
	for (int i = 0; i < nkids; i++)
		kill(kids[i].pid, SIGTERM);
	/* SIGCHLD (no SA_RESTART) interrupts the wait when another worker
	 * ends first: wait again, or the supervisor would exit before its
	 * workers (killed then by their parent-death signal, their CPU time
	 * never reaped into the supervisor's). */
	for (int i = 0; i < nkids; i++)
		while (waitpid(kids[i].pid, NULL, 0) < 0 && errno == EINTR)
			;
	if (nkids)
		jobq_reclaim_node(ws->db, max_attempts + 1);
	{
		struct errbuf e;
		err_init(&e);
		if (node_stopped(ws->db, &e) < 0)
			log_warn("%s", e.msg);
	}
	log_info("stopped");
	for (int s = 0; s < pl.n; s++)
		free(why[s]);
	free(exe);
	if (wfd >= 0)
		close(wfd);
	if (!shared) { /* another node on this host may listen on them */
		wake_remove(ws->root, "supervisor");
		for (int s = 0; s < pl.n; s++)
			wake_remove(ws->root, pl.stage[s]->name);
	}
	if (lock_fd >= 0)
		close(lock_fd); /* the lock goes with it */
	return rc;
}
