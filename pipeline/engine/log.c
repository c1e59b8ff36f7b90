/*
 * log.c - log lines (see log.h).  Each line is written with one write(2) so
 * lines from many workers do not interleave.  The message is escaped
 * (sb_add_printable): a file name or value of unknown origin holding a newline, a
 * CR or an escape sequence can neither forge a line nor drive a terminal.
 */
#include "engine/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/util.h"

static char who[64] = "sohoa";

void log_set_who(const char *w)
{
	snprintf(who, sizeof(who), "%s", w);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char msg[2048];
	struct strbuf line;
	sb_init(&line, 0);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	sb_addf(&line, "sohoa[%ld]: %s: %s", (long)getpid(), who, level);
	sb_add_printable(&line, msg, 0);
	sb_addc(&line, '\n');
	if (write(2, line.buf, line.len) < 0)
		line.len = 0;
	sb_release(&line);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	const char *q = getenv("SOHOA_QUIET");
	if (q && *q == '1')
		return;
	va_start(ap, fmt);
	emit("", fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("warning: ", fmt, ap);
	va_end(ap);
}

void log_fatal(int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("fatal: ", fmt, ap);
	va_end(ap);
	exit(code);
}

void log_panic(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	emit("panic: ", fmt, ap);
	va_end(ap);
	abort();
}
