/*
 * unit.h - the smallest table-friendly unit test harness.  Each test file is
 * one program: CHECK() records a result, unit_done() prints the plain
 * closing line "N passed, N failed" and returns the exit status.
 */
#ifndef SOHOA_UNIT_H
#define SOHOA_UNIT_H

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int unit_pass, unit_fail;

#define CHECK(cond) do { \
	if (cond) unit_pass++; \
	else { unit_fail++; fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

#define CHECK_STR(a, b) do { \
	const char *a_ = (a), *b_ = (b); \
	if (a_ && b_ && strcmp(a_, b_) == 0) unit_pass++; \
	else { unit_fail++; fprintf(stderr, "%s:%d: '%s' != '%s'\n", __FILE__, __LINE__, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } \
} while (0)

/* Remove a test's temporary folder with all it holds; true when done. */
static inline bool unit_rmtree(const char *dir)
{
	char cmd[4096];
	if ((size_t)snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir) >= sizeof cmd)
		return false;
	return system(cmd) == 0;
}

static inline int unit_done(const char *name)
{
	printf("%s: %d passed, %d failed\n", name, unit_pass, unit_fail);
	return unit_fail ? 1 : 0;
}

#endif
