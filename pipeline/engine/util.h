/*
 * util.h - small utilities every module uses: allocation that never returns
 * NULL, a growable string buffer with a size cap, and the error buffer that
 * carries the first error of an operation back to its caller.
 */
#ifndef SOHOA_UTIL_H
#define SOHOA_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Allocation wrappers: out of memory is fatal (exit 71, EX_OSERR). */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
/* printf into a new string that belongs to the caller. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap);

/*
 * Error buffer (curl's error buffer): the first error wins.  Messages follow
 * git's wording: lower case, the subject quoted, e.g.
 *   cannot read 'p3.tif': truncated strip
 * err_set() keeps the message if none is set yet and returns -1 so that a
 * function can end with `return err_set(err, ...)`.  The message is
 * escaped (sb_add_printable): it holds no control characters.
 */
#define ERR_MAX 1024
struct errbuf {
	char msg[ERR_MAX];
	bool set;
};
void err_init(struct errbuf *err);
int err_set(struct errbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prefix an existing message with "what: " (used to add the job or stage). */
void err_prefix(struct errbuf *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * Growable buffer (git strbuf, curl dynbuf).  sb_init(&sb, cap): cap is the
 * largest size the buffer may grow to, 0 for the default (256 MiB); growing
 * past it is fatal: a cap is a bug fence, not an input check.
 */
struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
	size_t cap;
};
void sb_init(struct strbuf *sb, size_t cap);
void sb_release(struct strbuf *sb);
char *sb_detach(struct strbuf *sb); /* caller owns the string */
void sb_add(struct strbuf *sb, const void *data, size_t len);
void sb_adds(struct strbuf *sb, const char *s);
void sb_addc(struct strbuf *sb, char c);
void sb_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void sb_reset(struct strbuf *sb);
/* Append s as a JSON string literal (with quotes), escaping as needed. */
void sb_add_json_str(struct strbuf *sb, const char *s);
/* Append s with XML special characters escaped. */
void sb_add_xml(struct strbuf *sb, const char *s);
/* Append s for a terminal or a log line: control characters (C0, DEL, the
 * C1 range U+0080..U+009F) and bytes that are not UTF-8 are written as
 * \xNN, so outside text can neither forge a line nor move the cursor;
 * everything else (Vietnamese text included) is kept.  At most max bytes
 * of s are read (0: no limit); a longer s ends in "...".  The line and
 * paragraph separators and the bidirectional overrides are written as
 * their bytes too.  A backslash is kept, so escaping twice changes nothing
 * (a message quoting another stays readable).  This is the one escape of
 * human-facing text: err_set(), err_prefix(), the log lines, meta import
 * reports, `sohoa pages` and verify's report use it. */
void sb_add_printable(struct strbuf *sb, const char *s, size_t max);
/* The same as a new string (the caller frees it). */
char *str_printable(const char *s, size_t max);

/* The value of one hexadecimal digit, or -1 when c is none. */
int hex_digit(int c);

/* Time helpers. now_ms(): wall clock in milliseconds since the epoch. */
int64_t now_ms(void);
/* ISO 8601 local time with Vietnam offset, e.g. 2025-07-01T14:03:22+07:00;
 * with_ms adds .mmm.  out must hold 40 bytes. */
void time_iso_vn(int64_t ms, bool with_ms, char *out, size_t outsz);

/* Strings. */
bool str_starts(const char *s, const char *prefix);
bool str_ends(const char *s, const char *suffix);
/* Cut the white space (isspace) off the end of s in place and return s
 * past its leading white space. */
char *str_trim(char *s);
/* Lower-case extension of a file name without the dot ("" if none). */
const char *path_ext(const char *path);
const char *path_base(const char *path);

/*
 * "key = value" files (sohoa.conf, scanner profiles, naming.conf,
 * priority.conf).  Blank lines and lines starting with '#' are skipped;
 * key and value come trimmed.  Lines are read into a 4 KiB buffer.
 *   struct kvfile kv;
 *   if (kv_open(&kv, path) < 0) ... errno says why; the caller words it
 *   while ((rc = kv_next(&kv, &key, &val, err)) > 0) ... kv.lineno, kv.line
 *   kv_close(&kv);   rc < 0: a line without '='
 * kv_next() returns 1 with key and val pointing into the current line, 0 at
 * the end, -1 with err set to "FILE:LINE: 'the line': expected 'key =
 * value'".  kv.line holds the whole trimmed line until the next call, for
 * the caller's own messages.
 * kv_open_foreign() opens a file of unknown origin (a station's
 * station.conf): a symbolic link is not followed (-1, errno ELOOP), what is
 * not a regular file is refused (-1, errno EINVAL), and kv_next()'s errors
 * never quote its lines.
 */
struct kvfile {
	FILE *f;
	const char *path;   /* borrowed */
	bool foreign;       /* opened by kv_open_foreign() */
	int lineno;
	char buf[4096];
	char line[4096];
};
int kv_open(struct kvfile *kv, const char *path);
int kv_open_foreign(struct kvfile *kv, const char *path);
int kv_next(struct kvfile *kv, char **key, char **val, struct errbuf *err);
void kv_close(struct kvfile *kv);

#endif
