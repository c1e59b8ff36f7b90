/*
 * log.c - log lines (see log.h).  Each line is written with one write(2) so
 * lines from many workers do not interleave.
 */
#include "engine/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char who[64] = "sohoa";

void log_set_who(const char *w)
{
	snprintf(who, sizeof(who), "%s", w);
}

static void emit(const char *level, const char *fmt, va_list ap)
{
	char line[2048];
	int n = snprintf(line, sizeof(line), "sohoa[%ld]: %s: %s", (long)getpid(), who, level);
	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	n = (int)strlen(line);
	line[n++] = '\n';
	if (write(2, line, (size_t)n) < 0)
		return;
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
