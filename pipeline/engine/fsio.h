/*
 * fsio.h - durable file operations.  Every output of sohoa is written to a
 * temporary name in the workspace's tmp/ folder (same file system), fsynced,
 * renamed into place, and the folder fsynced (Postfix mail_stream.c, git
 * lockfile.h); only then does the caller commit the new state.
 */
#ifndef SOHOA_FSIO_H
#define SOHOA_FSIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "engine/util.h"

/* Set the folder for temporary files (default: the target's folder). */
void fsio_set_tmpdir(const char *dir);

/* Write len bytes to path atomically (tmp → fsync → rename → fsync dir). */
int fsio_write_atomic(const char *path, const void *data, size_t len, struct errbuf *err);

/*
 * For writers that stream (libraries that want a FILE* or a file name):
 * fsio_tmp_name() gives a new temporary name (caller frees) in the tmp
 * folder for what will become `path`; the writer creates and fills it;
 * fsio_commit() fsyncs it, renames it to `path` and fsyncs the folder.
 * fsio_abort() removes it.
 */
char *fsio_tmp_name(const char *path);
int fsio_commit(const char *tmp, const char *path, struct errbuf *err);
void fsio_abort(const char *tmp);

/* Copy src to dst atomically; dst gets `mode`.  Computes the SHA-256 while
 * copying when sha_hex (65 bytes) is not NULL. */
int fsio_copy_atomic(const char *src, const char *dst, int mode, char *sha_hex, int64_t *size, struct errbuf *err);

/* Open a file of unknown origin for reading: only a regular file (a FIFO
 * or device is refused without blocking), and with nofollow not through a
 * symbolic link (O_NOFOLLOW).  Returns the fd, or -1 with err saying why
 * ("cannot read 'x': a symbolic link (not followed)").  Read from the fd,
 * never by the name again: the name may change under the caller. */
int fsio_open_regular(const char *path, bool nofollow, struct errbuf *err);
/* SHA-256 (lower-case hex) and size of an open file, from its start. */
int fsio_sha256_fd(int fd, const char *name, char *hex, int64_t *size, struct errbuf *err);
/* fsio_copy_atomic() from an open file (from its start); name is for errors. */
int fsio_copy_fd_atomic(int fd, const char *name, const char *dst, int mode, char *sha_hex, int64_t *size,
			struct errbuf *err);

/* Read a whole file (caller frees *data); refuses files over max bytes. */
int fsio_read(const char *path, char **data, size_t *len, size_t max, struct errbuf *err);

/* SHA-256 of a file as upper- or lower-case hex (65 bytes). */
int fsio_sha256_file(const char *path, char *hex, int upper, int64_t *size, struct errbuf *err);
void fsio_sha256_mem(const void *data, size_t len, char *hex, int upper);

/* mkdir -p; fsync a folder. */
int fsio_mkdirs(const char *path, int mode, struct errbuf *err);
int fsio_fsync_dir(const char *dir, struct errbuf *err);
int fsio_fsync_path(const char *path, struct errbuf *err);

/* Fault injection for crash tests: when SOHOA_CRASH_AT names this point
 * ("write", "fsync", "rename", "commit") the process kills itself with
 * SIGKILL there, after SOHOA_CRASH_AFTER passes (default 0).  Failures
 * instead of crashes: SOHOA_FAIL_WRITE=N[:eio] fails the Nth write with
 * ENOSPC (or EIO), SOHOA_FAIL_FSYNC=N the Nth fsync with EIO, and
 * SOHOA_FAIL_COMMIT=N[:busy] the Nth database commit with SQLITE_FULL (or
 * SQLITE_BUSY) (db.c); each once per process. */
void fsio_crashpoint(const char *point);
/* write(2) until all of data is written (EINTR retried); 0 or -1 with errno. */
int fsio_write_all(int fd, const void *data, size_t len);
/* fsync(2), through the fault injection above. */
int fsio_fsync(int fd);

#endif
