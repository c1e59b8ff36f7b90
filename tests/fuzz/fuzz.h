/*
 * fuzz.h - what the fuzz targets share: LLVMFuzzerTestOneInput's prototype
 * and a scratch folder (one per process) where an input becomes a file for
 * the parsers that read files.  Built with clang -fsanitize=fuzzer by
 * `make fuzz`, and with gcc + replay.c (ASan + UBSan) by `make check`.
 */
#ifndef SOHOA_FUZZ_H
#define SOHOA_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The scratch folder, made on first use and removed at exit. */
static char fuzz_dir_buf[256];
static void fuzz_dir_remove(void)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", fuzz_dir_buf);
	if (system(cmd) != 0)
		return;
}
static inline const char *fuzz_dir(void)
{
	if (!fuzz_dir_buf[0]) {
		snprintf(fuzz_dir_buf, sizeof fuzz_dir_buf, "%s/sohoa-fuzz.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
		if (!mkdtemp(fuzz_dir_buf))
			abort();
		atexit(fuzz_dir_remove);
	}
	return fuzz_dir_buf;
}

/* Write the input to DIR/leaf (replacing it); the path belongs to the caller. */
static inline char *fuzz_file(const char *leaf, const uint8_t *data, size_t size)
{
	char *path = xasprintf("%s/%s", fuzz_dir(), leaf);
	FILE *f = fopen(path, "wb");
	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0)
		abort();
	return path;
}

#endif
