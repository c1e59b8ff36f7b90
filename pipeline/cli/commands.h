/*
 * commands.h - the subcommands of `sohoa`.  Each takes the open workspace
 * (NULL for the few that need none, like init) and its own arguments
 * (argv[0] is the command name), and returns the process exit status:
 * 0 success, 1 a check failed (verify, lint of input), 2 usage, 65 bad input
 * (EX_DATAERR), 70 internal error, 74 I/O error (EX_IOERR).
 * Machine output on stdout; messages on stderr, "sohoa: <cmd>: ...".
 */
#ifndef SOHOA_COMMANDS_H
#define SOHOA_COMMANDS_H

struct workspace;

#define EXIT_USAGE 2
#define EXIT_DATAERR 65
#define EXIT_SOFTWARE 70
#define EXIT_IOERR 74

int cmd_init(struct workspace *ws, int argc, char **argv);
int cmd_config(struct workspace *ws, int argc, char **argv);
int cmd_ingest(struct workspace *ws, int argc, char **argv);
int cmd_watch(struct workspace *ws, int argc, char **argv);
int cmd_run(struct workspace *ws, int argc, char **argv);
int cmd_worker(struct workspace *ws, int argc, char **argv);
int cmd_status(struct workspace *ws, int argc, char **argv);
int cmd_log(struct workspace *ws, int argc, char **argv);
int cmd_pages(struct workspace *ws, int argc, char **argv);
int cmd_fixity(struct workspace *ws, int argc, char **argv);
int cmd_fscheck(struct workspace *ws, int argc, char **argv);
int cmd_db(struct workspace *ws, int argc, char **argv);
int cmd_jobs(struct workspace *ws, int argc, char **argv);     /* hold/release/retry */
int cmd_stages(struct workspace *ws, int argc, char **argv);
/* archival identity (cmd_registry.c) */
int cmd_fonds(struct workspace *ws, int argc, char **argv);
int cmd_file(struct workspace *ws, int argc, char **argv);
int cmd_doc(struct workspace *ws, int argc, char **argv);
int cmd_meta(struct workspace *ws, int argc, char **argv);
int cmd_priority(struct workspace *ws, int argc, char **argv);
/* transfer (cmd_export.c) */
int cmd_export(struct workspace *ws, int argc, char **argv);
int cmd_verify(struct workspace *ws, int argc, char **argv);
/* the browser desk (cmd_web.c) */
int cmd_user(struct workspace *ws, int argc, char **argv);
int cmd_serve(struct workspace *ws, int argc, char **argv);
int cmd_search(struct workspace *ws, int argc, char **argv);  /* cmd_search.c */

#endif
