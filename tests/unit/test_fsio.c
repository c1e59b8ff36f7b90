/*
 * test_fsio.c - durable writes and the small utilities: atomic write and
 * copy (with SHA-256), temporary files kept out of the target folder, size
 * caps, and the string/error/time helpers of util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/fsio.h"
#include "unit.h"

static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while (d && (e = readdir(d)))
		n += e->d_name[0] != '.' || (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."));
	if (d)
		closedir(d);
	return n;
}

int main(void)
{
	char root[] = "/tmp/test_fsio.XXXXXX";
	char sha[65], *p, *q, *tmp, *data;
	struct errbuf err;
	struct strbuf sb;
	size_t len;
	int64_t size;
	struct stat st;

	CHECK(mkdtemp(root) != NULL);
	tmp = xasprintf("%s/tmp", root);
	p = xasprintf("%s/a/b/c", root);
	err_init(&err);
	CHECK(fsio_mkdirs(p, 0755, &err) == 0);
	CHECK(fsio_mkdirs(tmp, 0755, &err) == 0);
	fsio_set_tmpdir(tmp);
	free(p);

	/* atomic write: the file appears whole, the temporary is gone */
	p = xasprintf("%s/a/b/c/out.txt", root);
	CHECK(fsio_write_atomic(p, "xin chào", strlen("xin chào"), &err) == 0);
	CHECK(fsio_read(p, &data, &len, 1024, &err) == 0);
	CHECK(len == strlen("xin chào") && memcmp(data, "xin chào", len) == 0);
	free(data);
	CHECK(count_files(tmp) == 0);
	/* a size cap refuses, naming the file */
	err_init(&err);
	CHECK(fsio_read(p, &data, &len, 3, &err) < 0);
	CHECK(strstr(err.msg, "out.txt") != NULL);

	/* SHA-256: a known vector, and the copy's hash equals the file's */
	fsio_sha256_mem("abc", 3, sha, 1);
	CHECK_STR(sha, "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
	q = xasprintf("%s/copy.txt", root);
	err_init(&err);
	CHECK(fsio_copy_atomic(p, q, 0444, sha, &size, &err) == 0);
	CHECK(size == (int64_t)strlen("xin chào"));
	{
		char sha2[65];
		CHECK(fsio_sha256_file(q, sha2, 0, NULL, &err) == 0);
		CHECK_STR(sha, sha2);
	}
	CHECK(stat(q, &st) == 0 && (st.st_mode & 0777) == 0444);
	/* a missing source: an error naming it, no partial target */
	err_init(&err);
	CHECK(fsio_copy_atomic("/nonexistent/scan.tif", q, 0444, NULL, NULL, &err) < 0);
	CHECK(strstr(err.msg, "'/nonexistent/scan.tif'") != NULL);
	CHECK(count_files(tmp) == 0);
	free(q);
	free(p);

	/* util: the first error wins; prefixes; JSON and XML escaping; time */
	err_init(&err);
	CHECK(err_set(&err, "cannot read '%s': %s", "p3.tif", "truncated strip") == -1);
	err_set(&err, "second");
	err_prefix(&err, "job %d", 4711);
	CHECK_STR(err.msg, "job 4711: cannot read 'p3.tif': truncated strip");
	sb_init(&sb, 0);
	sb_add_json_str(&sb, "a\"b\\c\n\x01 Hà Nội");
	CHECK_STR(sb.buf, "\"a\\\"b\\\\c\\n\\u0001 Hà Nội\"");
	sb_reset(&sb);
	sb_add_xml(&sb, "<a & 'b'>");
	CHECK_STR(sb.buf, "&lt;a &amp; &apos;b&apos;&gt;");
	sb_release(&sb);
	{
		char when[40];
		time_iso_vn(1751353402000LL, false, when, sizeof(when)); /* 2025-07-01T07:03:22Z */
		CHECK_STR(when, "2025-07-01T14:03:22+07:00");
		time_iso_vn(1751353402690LL, true, when, sizeof(when));
		CHECK_STR(when, "2025-07-01T14:03:22.690+07:00");
	}
	CHECK_STR(path_ext("scans/P1.TIF"), "TIF");
	CHECK_STR(path_base("/a/b/c.pdf"), "c.pdf");
	CHECK(str_ends("x.pdf", ".pdf") && !str_ends("pdf", ".pdf"));
	{
		char t1[] = " \t key = v \r\n", t2[] = " \n";
		CHECK_STR(str_trim(t1), "key = v");
		CHECK_STR(str_trim(t2), "");
	}
	{
		/* key = value files: comments and blank lines skipped, the error names file:line and the line */
		struct kvfile kv;
		char *k, *v;
		p = xasprintf("%s/kv.conf", root);
		const char *text = "# c\n\n  a =  1 \nb=\n no equals sign \n";
		CHECK(fsio_write_atomic(p, text, strlen(text), &err) == 0);
		CHECK(kv_open(&kv, p) == 0);
		CHECK(kv_next(&kv, &k, &v, &err) == 1 && !strcmp(k, "a") && !strcmp(v, "1") && kv.lineno == 3);
		CHECK(kv_next(&kv, &k, &v, &err) == 1 && !strcmp(k, "b") && !*v);
		err_init(&err);
		CHECK(kv_next(&kv, &k, &v, &err) < 0 && str_ends(err.msg, "kv.conf:5: 'no equals sign': expected 'key = value'"));
		CHECK(kv_next(&kv, &k, &v, &err) == 0);
		kv_close(&kv);
		free(p);
	}
	{
		/* the one escape of human-facing text: controls, C1, bidi overrides and bad bytes; idempotent */
		static const struct { const char *in, *out; size_t max; } esc[] = {
			{"plain Việt Nam", "plain Việt Nam", 0},
			{"a\033[31mb\rc\nd\te\x7f", "a\\x1b[31mb\\x0dc\\x0ad\\x09e\\x7f", 0},
			{"c1 \xc2\x9b x", "c1 \\xc2\\x9b x", 0},
			{"bidi \xe2\x80\xae x \xe2\x81\xa6", "bidi \\xe2\\x80\\xae x \\xe2\\x81\\xa6", 0},
			{"dash \xe2\x80\x93 ok", "dash \xe2\x80\x93 ok", 0},
			{"bad \xff\xc3 x", "bad \\xff\\xc3 x", 0},
			{"back\\slash \\x1b", "back\\slash \\x1b", 0},
			{"abcdef", "abc...", 3},
		};
		for (size_t i = 0; i < sizeof(esc) / sizeof(esc[0]); i++) {
			char *e = str_printable(esc[i].in, esc[i].max), *e2 = str_printable(e, 0);
			CHECK_STR(e, esc[i].out);
			CHECK_STR(e2, e);
			free(e);
			free(e2);
		}
		err_init(&err);
		err_set(&err, "cannot read '%s': x", "a\nb");
		CHECK_STR(err.msg, "cannot read 'a\\x0ab': x");
		err_prefix(&err, "job %d: '%s'", 7, "\033");
		CHECK_STR(err.msg, "job 7: '\\x1b': cannot read 'a\\x0ab': x");
	}
	{
		/* a file of unknown origin: not through a link, only a regular file, its lines never quoted */
		struct kvfile kv;
		char *k, *v;
		p = xasprintf("%s/foreign.conf", root);
		q = xasprintf("%s/foreign.link", root);
		CHECK(fsio_write_atomic(p, "SECRET LINE\n", 12, &err) == 0);
		CHECK(symlink(p, q) == 0);
		CHECK(kv_open_foreign(&kv, q) < 0 && errno == ELOOP);
		CHECK(kv_open_foreign(&kv, root) < 0 && errno == EINVAL);
		CHECK(kv_open_foreign(&kv, p) == 0);
		err_init(&err);
		CHECK(kv_next(&kv, &k, &v, &err) < 0 && !strstr(err.msg, "SECRET") && str_ends(err.msg, "foreign.conf:1: expected 'key = value'"));
		kv_close(&kv);
		err_init(&err);
		CHECK(fsio_open_regular(q, true, &err) < 0 && strstr(err.msg, "a symbolic link (not followed)"));
		err_init(&err);
		CHECK(fsio_open_regular(root, true, &err) < 0 && strstr(err.msg, "not a regular file"));
		{
			int fd = fsio_open_regular(q, false, &err);
			int64_t n = 0;
			CHECK(fd >= 0 && fsio_sha256_fd(fd, q, sha, &n, &err) == 0 && n == 12);
			if (fd >= 0)
				close(fd);
		}
		free(p);
		free(q);
	}

	CHECK(unit_rmtree(root));
	free(tmp);
	fsio_set_tmpdir(NULL);
	return unit_done("fsio");
}
