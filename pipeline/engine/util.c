/*
 * util.c - allocation, error buffer, string buffer, time and path helpers,
 * and the reader of "key = value" files.
 *
 * Invariants: xmalloc() and friends never return NULL (out of memory exits
 * with EX_OSERR); a strbuf's buf is always NUL-terminated once initialised.
 */
#include "engine/util.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static void oom(size_t n)
{
	fprintf(stderr, "sohoa: fatal: out of memory allocating %zu bytes\n", n);
	exit(71);
}

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom(n * size);
	return p;
}

void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom(n);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	struct strbuf sb;
	sb_init(&sb, 0);
	sb_vaddf(&sb, fmt, ap);
	return sb_detach(&sb);
}

char *xasprintf(const char *fmt, ...)
{
	char *s;
	va_list ap;
	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void err_init(struct errbuf *err)
{
	err->msg[0] = '\0';
	err->set = false;
}

/* Copy s escaped (sb_add_printable) into out, cut at a character boundary. */
static void esc_copy(char *out, size_t outsz, const char *s)
{
	struct strbuf sb;
	size_t n;
	sb_init(&sb, 0);
	sb_add_printable(&sb, s, 0);
	n = sb.len;
	if (n >= outsz) {
		n = outsz - 1;
		while (n > 0 && ((unsigned char)sb.buf[n] & 0xC0) == 0x80)
			n--;
	}
	memcpy(out, sb.buf, n);
	out[n] = '\0';
	sb_release(&sb);
}

int err_set(struct errbuf *err, const char *fmt, ...)
{
	char raw[ERR_MAX];
	va_list ap;
	if (!err || err->set)
		return -1;
	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Messages quote names and values of unknown origin: escaped once
	 * here, so that no error can forge a line or drive a terminal. */
	esc_copy(err->msg, sizeof(err->msg), raw);
	err->set = true;
	return -1;
}

void err_prefix(struct errbuf *err, const char *fmt, ...)
{
	char pre[256], old[ERR_MAX];
	va_list ap;
	if (!err)
		return;
	{
		char raw[sizeof(pre)];
		va_start(ap, fmt);
		vsnprintf(raw, sizeof(raw), fmt, ap);
		va_end(ap);
		esc_copy(pre, sizeof(pre), raw);
	}
	memcpy(old, err->msg, sizeof(old));
	{
		size_t n = strlen(pre);
		if (n > sizeof(err->msg) - 3)
			n = sizeof(err->msg) - 3;
		memcpy(err->msg, pre, n);
		memcpy(err->msg + n, ": ", 2);
		n += 2;
		size_t m = strlen(old);
		if (m > sizeof(err->msg) - 1 - n)
			m = sizeof(err->msg) - 1 - n;
		memcpy(err->msg + n, old, m);
		err->msg[n + m] = '\0';
	}
	err->set = true;
}

#define SB_DEFAULT_CAP ((size_t)256 << 20)

void sb_init(struct strbuf *sb, size_t cap)
{
	sb->alloc = 64;
	sb->buf = xmalloc(sb->alloc);
	sb->buf[0] = '\0';
	sb->len = 0;
	sb->cap = cap ? cap : SB_DEFAULT_CAP;
}

void sb_release(struct strbuf *sb)
{
	free(sb->buf);
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
}

char *sb_detach(struct strbuf *sb)
{
	char *p = sb->buf;
	sb->buf = NULL;
	sb->len = sb->alloc = 0;
	return p;
}

static void sb_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;
	if (need > sb->cap) {
		fprintf(stderr, "sohoa: panic: buffer would grow past its cap of %zu bytes\n", sb->cap);
		abort();
	}
	if (need <= sb->alloc)
		return;
	if (sb->alloc == 0) /* released or detached, then used again */
		sb->alloc = 64;
	while (sb->alloc < need)
		sb->alloc = sb->alloc * 2;
	sb->buf = xrealloc(sb->buf, sb->alloc);
}

void sb_add(struct strbuf *sb, const void *data, size_t len)
{
	sb_grow(sb, len);
	memcpy(sb->buf + sb->len, data, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void sb_adds(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void sb_addc(struct strbuf *sb, char c)
{
	sb_add(sb, &c, 1);
}

void sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list cp;
	int n;
	va_copy(cp, ap);
	n = vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, cp);
	va_end(cp);
	if (n < 0)
		return;
	if ((size_t)n >= sb->alloc - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->alloc - sb->len, fmt, ap);
	}
	sb->len += (size_t)n;
}

void sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	sb->buf[0] = '\0';
}

void sb_add_json_str(struct strbuf *sb, const char *s)
{
	sb_addc(sb, '"');
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '"': sb_adds(sb, "\\\""); break;
		case '\\': sb_adds(sb, "\\\\"); break;
		case '\n': sb_adds(sb, "\\n"); break;
		case '\r': sb_adds(sb, "\\r"); break;
		case '\t': sb_adds(sb, "\\t"); break;
		default:
			if (*p < 0x20)
				sb_addf(sb, "\\u%04x", *p);
			else
				sb_addc(sb, (char)*p);
		}
	}
	sb_addc(sb, '"');
}

void sb_add_xml(struct strbuf *sb, const char *s)
{
	for (const char *p = s ? s : ""; *p; p++) {
		switch (*p) {
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '&': sb_adds(sb, "&amp;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&apos;"); break;
		default: sb_addc(sb, *p);
		}
	}
}

/* Length of the UTF-8 sequence at s (1..4), 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
	if (len == 0 || len > n)
		return 0;
	for (size_t k = 1; k < len; k++)
		if ((s[k] & 0xC0) != 0x80)
			return 0;
	return len;
}

void sb_add_printable(struct strbuf *sb, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), cut = max && n > max ? max : n;
	for (size_t i = 0; i < cut;) {
		size_t l = p[i] < 0x80 ? 1 : utf8_len(p + i, cut - i);
		/* U+2028/2029 and the bidirectional overrides U+202A..202E and
		 * U+2066..2069 (E2 80 A8..AE, E2 81 A6..A9) reorder or break a
		 * line on a terminal: shown as their bytes too. */
		bool layout = l == 3 && p[i] == 0xE2 && ((p[i + 1] == 0x80 && p[i + 2] >= 0xA8 && p[i + 2] <= 0xAE) ||
							  (p[i + 1] == 0x81 && p[i + 2] >= 0xA6 && p[i + 2] <= 0xA9));
		if (p[i] < 0x20 || p[i] == 0x7F || l == 0 || (l == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0) || layout) {
			/* a C1 control is two bytes in UTF-8: show both */
			size_t k = l == 2 || layout ? l : 1;
			for (size_t j = 0; j < k; j++)
				sb_addf(sb, "\\x%02x", p[i + j]);
			i += k;
			continue;
		}
		sb_add(sb, p + i, l);
		i += l;
	}
	if (cut < n)
		sb_adds(sb, "...");
}

char *str_printable(const char *s, size_t max)
{
	struct strbuf sb;
	sb_init(&sb, 0);
	sb_add_printable(&sb, s, max);
	return sb_detach(&sb);
}

int64_t now_ms(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	return (int64_t)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

void time_iso_vn(int64_t ms, bool with_ms, char *out, size_t outsz)
{
	/* Vietnam has no daylight saving: local time is UTC+7 all year. */
	time_t t = (time_t)(ms / 1000) + 7 * 3600;
	struct tm tm;
	char base[32];
	gmtime_r(&t, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (with_ms)
		snprintf(out, outsz, "%s.%03d+07:00", base, (int)(ms % 1000));
	else
		snprintf(out, outsz, "%s+07:00", base);
}

bool str_starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && strcmp(s + a - b, suffix) == 0;
}

char *str_trim(char *s)
{
	char *e;
	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

const char *path_base(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

const char *path_ext(const char *path)
{
	const char *b = path_base(path), *d = strrchr(b, '.');
	return d ? d + 1 : "";
}

int kv_open(struct kvfile *kv, const char *path)
{
	kv->path = path;
	kv->lineno = 0;
	kv->line[0] = '\0';
	kv->foreign = false;
	kv->f = fopen(path, "r");
	return kv->f ? 0 : -1;
}

int kv_open_foreign(struct kvfile *kv, const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	kv->path = path;
	kv->lineno = 0;
	kv->line[0] = '\0';
	kv->foreign = true;
	kv->f = NULL;
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	kv->f = fdopen(fd, "r");
	if (!kv->f) {
		close(fd);
		return -1;
	}
	return 0;
}

int kv_next(struct kvfile *kv, char **key, char **val, struct errbuf *err)
{
	while (fgets(kv->buf, sizeof(kv->buf), kv->f)) {
		char *s = str_trim(kv->buf), *eq;
		kv->lineno++;
		if (!*s || *s == '#')
			continue;
		snprintf(kv->line, sizeof(kv->line), "%s", s);
		eq = strchr(s, '=');
		if (!eq && kv->foreign)
			return err_set(err, "%s:%d: expected 'key = value'", kv->path, kv->lineno);
		if (!eq)
			return err_set(err, "%s:%d: '%s': expected 'key = value'", kv->path, kv->lineno, kv->line);
		*eq = '\0';
		*key = str_trim(s);
		*val = str_trim(eq + 1);
		return 1;
	}
	return 0;
}

void kv_close(struct kvfile *kv)
{
	if (kv->f)
		fclose(kv->f);
	kv->f = NULL;
}

int hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}
