/*
 * html.c - escaping for the desk's pages (html.h).  Invariant: the output
 * is valid UTF-8 and a value can never close a tag or an attribute.
 */
#include "web/html.h"

#include <string.h>
#include <time.h>

#include "web/json.h"

static void escape(struct strbuf *sb, const char *s)
{
	struct strbuf clean;
	if (!s)
		return;
	sb_init(&clean, 0);
	json_utf8_clean(&clean, s, strlen(s));
	for (size_t i = 0; i < clean.len; i++) {
		char c = clean.buf[i];
		switch (c) {
		case '&': sb_adds(sb, "&amp;"); break;
		case '<': sb_adds(sb, "&lt;"); break;
		case '>': sb_adds(sb, "&gt;"); break;
		case '"': sb_adds(sb, "&quot;"); break;
		case '\'': sb_adds(sb, "&#39;"); break;
		default:
			if ((unsigned char)c < 0x20 && c != '\n' && c != '\t')
				sb_addc(sb, ' ');
			else
				sb_addc(sb, c);
		}
	}
	sb_release(&clean);
}

void html_txt(struct strbuf *sb, const char *s)
{
	escape(sb, s);
}

void html_attr(struct strbuf *sb, const char *s)
{
	escape(sb, s);
}

void html_url_arg(struct strbuf *sb, const char *s)
{
	static const char hexd[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || strchr("-._~", *p)) {
			sb_addc(sb, (char)*p);
		} else {
			sb_addc(sb, '%');
			sb_addc(sb, hexd[*p >> 4]);
			sb_addc(sb, hexd[*p & 15]);
		}
	}
}

void html_raw(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void html_time(struct strbuf *sb, int64_t ms)
{
	time_t t;
	struct tm tm;
	if (ms <= 0) {
		sb_adds(sb, "–");
		return;
	}
	t = (time_t)(ms / 1000) + 7 * 3600;
	gmtime_r(&t, &tm);
	sb_addf(sb, "%02d/%02d/%04d %02d:%02d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900, tm.tm_hour, tm.tm_min);
}

void html_duration(struct strbuf *sb, int64_t s)
{
	if (s < 0)
		sb_adds(sb, "–");
	else if (s < 60)
		sb_addf(sb, "%lld s", (long long)s);
	else if (s < 3600)
		sb_addf(sb, "%lld min", (long long)(s / 60));
	else if (s < 86400)
		sb_addf(sb, "%lld h %lld min", (long long)(s / 3600), (long long)(s % 3600 / 60));
	else
		sb_addf(sb, "%lld d %lld h", (long long)(s / 86400), (long long)(s % 86400 / 3600));
}
