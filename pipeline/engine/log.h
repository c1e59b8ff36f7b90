/*
 * log.h - one line per event on stderr: "sohoa[pid]: <who>: message"
 * (Postfix msg.c).  Three severities: warn and go on; fatal (the environment
 * is broken: exit with a sysexits code, the supervisor restarts a worker);
 * panic (our bug: abort).  log_set_who() names the process ("supervisor",
 * "worker ocr").  SOHOA_QUIET=1 silences info lines.
 */
#ifndef SOHOA_LOG_H
#define SOHOA_LOG_H

void log_set_who(const char *who);
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_fatal(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void log_panic(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
