/*
 * fsio.c - durable writes: temporary name → fsync → rename → fsync folder.
 *
 * Temporary files go to the workspace's tmp/ folder (set by the workspace at
 * open), never into a store, so a crash leaves no partial file in a store;
 * the supervisor empties tmp/ at start.  Errors name the file and the reason.
 */
#include "engine/fsio.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *tmpdir;

static int injected_enospc(void);

void fsio_set_tmpdir(const char *dir)
{
	free(tmpdir);
	tmpdir = dir ? xstrdup(dir) : NULL;
}

void fsio_crashpoint(const char *point)
{
	static long passes = -1;
	const char *at = getenv("SOHOA_CRASH_AT");
	if (!at || strcmp(at, point) != 0)
		return;
	if (passes < 0) {
		const char *n = getenv("SOHOA_CRASH_AFTER");
		passes = n ? atol(n) : 0;
	}
	if (passes-- == 0)
		kill(getpid(), SIGKILL);
}

static char *dir_of(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return xstrdup(".");
	if (s == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(s - path));
}

int fsio_fsync_dir(const char *dir, struct errbuf *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return err_set(err, "cannot open folder '%s': %s", dir, strerror(errno));
	if (fsio_fsync(fd) < 0 && errno != EINVAL) {
		int e = errno;
		close(fd);
		return err_set(err, "cannot fsync folder '%s': %s", dir, strerror(e));
	}
	close(fd);
	return 0;
}

int fsio_fsync_path(const char *path, struct errbuf *err)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return err_set(err, "cannot open '%s': %s", path, strerror(errno));
	if (fsio_fsync(fd) < 0) {
		int e = errno;
		close(fd);
		return err_set(err, "cannot fsync '%s': %s", path, strerror(e));
	}
	close(fd);
	return 0;
}

char *fsio_tmp_name(const char *path)
{
	static unsigned seq;
	char *dir = tmpdir ? xstrdup(tmpdir) : dir_of(path);
	char *t = xasprintf("%s/.%s.%ld.%u.tmp", dir, path_base(path), (long)getpid(), seq++);
	free(dir);
	return t;
}

int fsio_commit(const char *tmp, const char *path, struct errbuf *err)
{
	char *dir;
	int rc;
	fsio_crashpoint("fsync");
	if (fsio_fsync_path(tmp, err) < 0)
		return -1;
	fsio_crashpoint("rename");
	if (rename(tmp, path) < 0)
		return err_set(err, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
	dir = dir_of(path);
	rc = fsio_fsync_dir(dir, err);
	free(dir);
	return rc;
}

void fsio_abort(const char *tmp)
{
	if (tmp)
		unlink(tmp);
}

int fsio_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Fault injection (SQLite's crash tests; STYLE "another fails the Nth
 * write").  SOHOA_FAIL_WRITE=N[:eio] makes the Nth write of this process
 * fail with ENOSPC (disk full) or EIO; SOHOA_FAIL_FSYNC=N the Nth fsync
 * of a file or folder with EIO.  Each fails once per process: a worker's
 * job fails, is retried by a fresh worker, and must then succeed.
 */
struct fsio_fault {
	const char *env;
	long left;      /* -2: not read yet, -1: off */
	int errnum;
};

static struct fsio_fault fault_write = {"SOHOA_FAIL_WRITE", -2, ENOSPC};
static struct fsio_fault fault_fsync = {"SOHOA_FAIL_FSYNC", -2, EIO};

static int injected(struct fsio_fault *f)
{
	if (f->left == -2) {
		const char *s = getenv(f->env), *colon = s ? strchr(s, ':') : NULL;
		f->left = s ? atol(s) : -1;
		if (f->left == 0)
			f->left = -1;
		if (colon && !strcmp(colon + 1, "eio"))
			f->errnum = EIO;
		else if (colon && !strcmp(colon + 1, "enospc"))
			f->errnum = ENOSPC;
	}
	if (f->left < 0)
		return 0;
	if (--f->left == 0) {
		f->left = -1;
		errno = f->errnum;
		return 1;
	}
	return 0;
}

static int injected_enospc(void)
{
	return injected(&fault_write);
}

int fsio_fsync(int fd)
{
	if (injected(&fault_fsync))
		return -1;
	return fsync(fd);
}

static void hex(const unsigned char *md, unsigned n, char *out, int upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	for (unsigned i = 0; i < n; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * n] = '\0';
}

void fsio_sha256_mem(const void *data, size_t len, char *out, int upper)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned n = 0;
	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	hex(md, n, out, upper);
}

/* Stream fd (named src in errors) into fd_out (if >= 0) while hashing. */
static int stream_hash_fd(int fd, const char *src, int fd_out, const char *dst, char *sha_hex, int upper,
			  int64_t *size, struct errbuf *err)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned mdlen = 0;
	char buf[1 << 16];
	int64_t total = 0;
	int rc = -1;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err_set(err, "cannot read '%s': %s", src, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)n);
		if (fd_out >= 0 && (injected_enospc() || fsio_write_all(fd_out, buf, (size_t)n) < 0)) {
			err_set(err, "cannot write '%s': %s", dst, strerror(errno));
			goto out;
		}
		total += n;
	}
	EVP_DigestFinal_ex(ctx, md, &mdlen);
	if (sha_hex)
		hex(md, mdlen, sha_hex, upper);
	if (size)
		*size = total;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

/* Stream src into fd_out (if >= 0) while hashing. */
static int stream_hash(const char *src, int fd_out, const char *dst, char *sha_hex, int upper,
		       int64_t *size, struct errbuf *err)
{
	int rc, fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(err, "cannot open '%s': %s", src, strerror(errno));
	rc = stream_hash_fd(fd, src, fd_out, dst, sha_hex, upper, size, err);
	close(fd);
	return rc;
}

int fsio_open_regular(const char *path, bool nofollow, struct errbuf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | (nofollow ? O_NOFOLLOW : 0));
	if (fd < 0) {
		if (errno == ELOOP && nofollow)
			return err_set(err, "cannot read '%s': a symbolic link (not followed)", path);
		return err_set(err, "cannot read '%s': %s", path, strerror(errno));
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, "cannot read '%s': not a regular file", path);
	}
	/* O_NONBLOCK only kept a FIFO from blocking the open. */
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

int fsio_sha256_fd(int fd, const char *name, char *hex_out, int64_t *size, struct errbuf *err)
{
	if (lseek(fd, 0, SEEK_SET) < 0)
		return err_set(err, "cannot read '%s': %s", name, strerror(errno));
	return stream_hash_fd(fd, name, -1, NULL, hex_out, 0, size, err);
}

int fsio_sha256_file(const char *path, char *hexout, int upper, int64_t *size, struct errbuf *err)
{
	return stream_hash(path, -1, NULL, hexout, upper, size, err);
}

/* The one atomic write: path gets len bytes of data, or when src is set
 * src's bytes (hashed into sha_hex and *size on the way). */
static int write_atomic(const char *path, int mode, const void *data, size_t len, const char *src, int src_fd,
			char *sha_hex, int64_t *size, struct errbuf *err)
{
	char *tmp = fsio_tmp_name(path);
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0) {
		err_set(err, "cannot create '%s': %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	fsio_crashpoint("write");
	if (src && src_fd >= 0) {
		if (lseek(src_fd, 0, SEEK_SET) < 0) {
			err_set(err, "cannot read '%s': %s", src, strerror(errno));
			goto fail_close;
		}
		if (stream_hash_fd(src_fd, src, fd, path, sha_hex, 0, size, err) < 0)
			goto fail_close;
	} else if (src) {
		if (stream_hash(src, fd, path, sha_hex, 0, size, err) < 0)
			goto fail_close;
	} else if (injected_enospc() || fsio_write_all(fd, data, len) < 0) {
		err_set(err, "cannot write '%s': %s", path, strerror(errno));
		goto fail_close;
	}
	if (close(fd) < 0) {
		err_set(err, "cannot write '%s': %s", path, strerror(errno));
		goto fail;
	}
	if (fsio_commit(tmp, path, err) < 0)
		goto fail;
	free(tmp);
	return 0;
fail_close:
	close(fd);
fail:
	unlink(tmp);
	free(tmp);
	return -1;
}

int fsio_write_atomic(const char *path, const void *data, size_t len, struct errbuf *err)
{
	return write_atomic(path, 0644, data, len, NULL, -1, NULL, NULL, err);
}

int fsio_copy_atomic(const char *src, const char *dst, int mode, char *sha_hex, int64_t *size, struct errbuf *err)
{
	return write_atomic(dst, mode, NULL, 0, src, -1, sha_hex, size, err);
}

int fsio_copy_fd_atomic(int fd, const char *name, const char *dst, int mode, char *sha_hex, int64_t *size,
			struct errbuf *err)
{
	return write_atomic(dst, mode, NULL, 0, name, fd, sha_hex, size, err);
}

int fsio_read(const char *path, char **data, size_t *len, size_t max, struct errbuf *err)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char *buf;
	size_t got = 0;
	if (fd < 0)
		return err_set(err, "cannot open '%s': %s", path, strerror(errno));
	if (fstat(fd, &st) < 0 || (size_t)st.st_size > max) {
		close(fd);
		return err_set(err, "cannot read '%s': larger than %zu bytes", path, max);
	}
	buf = xmalloc((size_t)st.st_size + 1);
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, buf + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			free(buf);
			close(fd);
			return err_set(err, "cannot read '%s': %s", path, n < 0 ? strerror(errno) : "file shrank while reading");
		}
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	*data = buf;
	*len = got;
	return 0;
}

/* mkdir p; a new folder is fsynced into its parent, so that a file
 * committed in it later cannot vanish with it after a power loss. */
static int mkdir_durable(char *p, int mode, struct errbuf *err)
{
	char *slash;
	int rc = 0;
	if (mkdir(p, mode) < 0)
		return errno == EEXIST ? 0 : err_set(err, "cannot create folder '%s': %s", p, strerror(errno));
	slash = strrchr(p, '/');
	if (slash && slash != p) {
		*slash = '\0';
		rc = fsio_fsync_dir(p, err);
		*slash = '/';
	}
	return rc;
}

int fsio_mkdirs(const char *path, int mode, struct errbuf *err)
{
	char *p = xstrdup(path);
	int rc = 0;
	for (char *s = p + 1; *s && rc == 0; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		rc = mkdir_durable(p, mode, err);
		*s = '/';
	}
	if (rc == 0)
		rc = mkdir_durable(p, mode, err);
	free(p);
	return rc;
}
